//! "Check connection": the cheapest read-only calls of each marketplace, and what their
//! failures mean for the seller (plan §D.5). Each group gets its own outcome with the
//! marketplace's words kept, so a token that works for content but not for prices says so.

use std::time::{SystemTime, UNIX_EPOCH};

use serde::{Deserialize, Serialize};

use crate::account::Account;
use crate::error::{ErrorKind, MarketError};
use crate::http::Client;
use crate::market::Market;
use crate::{ozon, wb, ym};

/// The result of one check, stored with the account (`last_check`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConnectionCheck {
    /// Every group is `ok`.
    pub ok: bool,
    /// UTC milliseconds.
    pub checked_at: i64,
    pub groups: Vec<GroupCheck>,
    /// Ozon role names, YM `authScopes`.
    #[serde(default)]
    pub scopes: Vec<String>,
    /// YM: every campaign (shop) the key sees, to choose `--business-id` and `--campaign-id` from.
    #[serde(default)]
    pub campaigns: Vec<Campaign>,
    /// WB: the seller's warehouses, for the stock map.
    #[serde(default)]
    pub warehouses: Vec<Warehouse>,
}

/// One API group's (or one needed method's) outcome.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GroupCheck {
    /// WB `content` | `prices` | `marketplace`; Ozon `seller_api` or a method path; YM `auth` |
    /// `offers` | `pricing` | `campaign`.
    pub group: String,
    pub outcome: CheckOutcome,
    pub status: Option<u16>,
    /// The marketplace's own words (or ours when it said nothing).
    pub message: String,
}

/// What a check found, as a stable code.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CheckOutcome {
    Ok,
    BadToken,
    ExpiredToken,
    /// WB: the token has no category for this host.
    WrongTokenCategory,
    NoAccess,
    /// Ozon: no role for a method publishing needs; YM: a scope is missing.
    MissingScope,
    IpRestricted,
    PaymentRequired,
    /// YM: the campaign is not the key's, belongs to another business, or has no API access.
    WrongCampaign,
    RateLimited,
    Unreachable,
    ServerError,
    CredentialsMissing,
}

impl CheckOutcome {
    pub fn code(self) -> &'static str {
        match self {
            CheckOutcome::Ok => "ok",
            CheckOutcome::BadToken => "bad_token",
            CheckOutcome::ExpiredToken => "expired_token",
            CheckOutcome::WrongTokenCategory => "wrong_token_category",
            CheckOutcome::NoAccess => "no_access",
            CheckOutcome::MissingScope => "missing_scope",
            CheckOutcome::IpRestricted => "ip_restricted",
            CheckOutcome::PaymentRequired => "payment_required",
            CheckOutcome::WrongCampaign => "wrong_campaign",
            CheckOutcome::RateLimited => "rate_limited",
            CheckOutcome::Unreachable => "unreachable",
            CheckOutcome::ServerError => "server_error",
            CheckOutcome::CredentialsMissing => "credentials_missing",
        }
    }
}

/// A Yandex Market campaign (shop).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Campaign {
    pub id: i64,
    pub business_id: Option<i64>,
    pub business_name: String,
    pub domain: String,
    pub placement_type: Option<String>,
    pub api_availability: Option<String>,
}

/// A marketplace warehouse of the seller.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Warehouse {
    pub id: String,
    pub name: String,
}

/// The groups a check reports, per marketplace.
const WB_GROUPS: [&str; 3] = ["content", "prices", "marketplace"];
const OZON_GROUP: &str = "seller_api";

/// The Ozon methods publishing, prices and stocks need (plan §D.5).
pub const OZON_NEEDED: [&str; 6] = [
    "/v3/product/import",
    "/v1/product/import/info",
    "/v1/product/import/prices",
    "/v2/products/stocks",
    "/v1/description-category/tree",
    "/v3/product/info/list",
];

fn now_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
}

impl ConnectionCheck {
    fn of(groups: Vec<GroupCheck>) -> Self {
        ConnectionCheck {
            ok: !groups.is_empty() && groups.iter().all(|g| g.outcome == CheckOutcome::Ok),
            checked_at: now_ms(),
            groups,
            scopes: Vec::new(),
            campaigns: Vec::new(),
            warehouses: Vec::new(),
        }
    }

    /// The check of an account with no stored secret: no request is made.
    pub fn credentials_missing(market: Market) -> Self {
        let groups: &[&str] = match market {
            Market::Wb => &WB_GROUPS,
            Market::Ozon => &[OZON_GROUP],
            Market::Ym => &["auth"],
        };
        ConnectionCheck::of(
            groups
                .iter()
                .map(|g| GroupCheck {
                    group: (*g).to_owned(),
                    outcome: CheckOutcome::CredentialsMissing,
                    status: None,
                    message: "no credentials are stored for this account".into(),
                })
                .collect(),
        )
    }

    pub fn group(&self, name: &str) -> Option<&GroupCheck> {
        self.groups.iter().find(|g| g.group == name)
    }
}

fn ok(group: &str) -> GroupCheck {
    GroupCheck {
        group: group.to_owned(),
        outcome: CheckOutcome::Ok,
        status: Some(200),
        message: String::new(),
    }
}

fn failed(group: &str, outcome: CheckOutcome, e: &MarketError) -> GroupCheck {
    GroupCheck { group: group.to_owned(), outcome, status: e.status, message: e.message.clone() }
}

/// The outcome of an error that nothing marketplace-specific explains.
fn outcome_of(e: &MarketError) -> CheckOutcome {
    match e.kind {
        ErrorKind::Unauthorized => CheckOutcome::BadToken,
        ErrorKind::PaymentRequired => CheckOutcome::PaymentRequired,
        ErrorKind::RateLimited => CheckOutcome::RateLimited,
        ErrorKind::Server | ErrorKind::BadResponse => CheckOutcome::ServerError,
        ErrorKind::Timeout | ErrorKind::Connection | ErrorKind::NotFound | ErrorKind::Cancelled => {
            CheckOutcome::Unreachable
        }
        ErrorKind::CredentialsMissing => CheckOutcome::CredentialsMissing,
        ErrorKind::Forbidden
        | ErrorKind::Rejected
        | ErrorKind::Invalid
        | ErrorKind::Conflict
        | ErrorKind::UnknownAccount
        | ErrorKind::Storage
        | ErrorKind::OwnedElsewhere => CheckOutcome::NoAccess,
    }
}

/// Checks `account` with `client` (built from the account and its stored credentials): at
/// most three read-only requests, each retried as the client's policy says (a person waiting
/// wants [`crate::RetryPolicy::interactive`] and a 10 s time limit).
pub fn check_connection(account: &Account, client: &Client) -> ConnectionCheck {
    let never = || false;
    match account.market {
        Market::Wb => check_wb(client, &never),
        Market::Ozon => check_ozon(client, &never),
        Market::Ym => check_ym(account, client, &never),
    }
}

fn check_wb(client: &Client, cancel: &(dyn Fn() -> bool + Sync)) -> ConnectionCheck {
    let envelope_error = |error: bool, text: &str| {
        error.then(|| MarketError::answered(ErrorKind::Server, 200, None, text.to_owned()))
    };
    // The three groups are three hosts: asked at once, so a seller whose connection is down
    // waits for one round of time limits, not three.
    let (content, prices, warehouses) = std::thread::scope(|scope| {
        let content = scope.spawn(|| {
            wb::parent_categories(client, cancel)
                .and_then(|e| envelope_error(e.error, &e.error_text).map_or(Ok(()), Err))
        });
        let prices = scope.spawn(|| {
            wb::goods(client, 1, 0, cancel)
                .and_then(|e| envelope_error(e.error, &e.error_text).map_or(Ok(()), Err))
        });
        let warehouses = wb::warehouses(client, cancel);
        let lost = || Err(MarketError::new(ErrorKind::Connection, "the check stopped unexpectedly"));
        (content.join().unwrap_or_else(|_| lost()), prices.join().unwrap_or_else(|_| lost()), warehouses)
    });
    let mut found = Vec::new();
    let results: [Result<(), MarketError>; 3] = [
        content,
        prices,
        warehouses.map(|list| {
            found = list.into_iter().map(|w| Warehouse { id: w.id.to_string(), name: w.name }).collect();
        }),
    ];
    let warehouses = found;
    // A 401/403 that is about the token itself is told apart once every group has answered:
    // refused everywhere → a bad token; refused on some hosts only → a missing category.
    let refused = |e: &MarketError| matches!(e.kind, ErrorKind::Unauthorized | ErrorKind::Forbidden);
    let specific = |e: &MarketError| {
        let text = e.message.to_lowercase();
        if e.kind == ErrorKind::Unauthorized && text.contains("expired") {
            Some(CheckOutcome::ExpiredToken)
        } else if e.kind == ErrorKind::Forbidden && text.contains("base token is not allowed") {
            Some(CheckOutcome::NoAccess)
        } else {
            None
        }
    };
    let all_refused =
        results.iter().all(|r| r.as_ref().err().is_some_and(|e| refused(e) && specific(e).is_none()));
    let groups = WB_GROUPS
        .iter()
        .zip(&results)
        .map(|(group, result)| match result {
            Ok(()) => ok(group),
            Err(e) => match specific(e) {
                Some(outcome) => failed(group, outcome, e),
                None if refused(e) && all_refused => failed(group, CheckOutcome::BadToken, e),
                None if refused(e) => GroupCheck {
                    message: format!("the token has no {} category: {}", category(group), e.message),
                    ..failed(group, CheckOutcome::WrongTokenCategory, e)
                },
                None => failed(group, outcome_of(e), e),
            },
        })
        .collect();
    ConnectionCheck { warehouses, ..ConnectionCheck::of(groups) }
}

/// The name of a WB token category as the seller portal shows it.
fn category(group: &str) -> &'static str {
    match group {
        "content" => "Content",
        "prices" => "Prices and discounts",
        _ => "Marketplace",
    }
}

fn check_ozon(client: &Client, cancel: &dyn Fn() -> bool) -> ConnectionCheck {
    match ozon::roles(client, cancel) {
        Ok(roles) => {
            let groups = OZON_NEEDED
                .iter()
                .map(|m| match roles.allows(m) {
                    true => ok(m),
                    false => GroupCheck {
                        group: (*m).to_owned(),
                        outcome: CheckOutcome::MissingScope,
                        status: Some(200),
                        message: format!("none of the key's roles allows {m}"),
                    },
                })
                .collect();
            ConnectionCheck {
                scopes: roles.roles.into_iter().map(|r| r.name).collect(),
                ..ConnectionCheck::of(groups)
            }
        }
        Err(e) => {
            // Ozon's key errors are told apart by their text (the HTTP status is not documented).
            let text = e.message.to_lowercase();
            let outcome = if text.contains("invalid api-key") {
                CheckOutcome::BadToken
            } else if text.contains("deactivated") {
                CheckOutcome::ExpiredToken
            } else if text.contains("restricted to specific ip") {
                CheckOutcome::IpRestricted
            } else if text.contains("missing a required role") || text.contains("offer not signed") {
                CheckOutcome::NoAccess
            } else if matches!(e.kind, ErrorKind::Unauthorized | ErrorKind::Forbidden) {
                CheckOutcome::BadToken
            } else {
                outcome_of(&e)
            };
            ConnectionCheck::of(vec![failed(OZON_GROUP, outcome, &e)])
        }
    }
}

fn check_ym(account: &Account, client: &Client, cancel: &dyn Fn() -> bool) -> ConnectionCheck {
    let info = match ym::token_info(client, cancel) {
        Ok(info) => info,
        Err(e) => {
            let outcome = match e.kind {
                ErrorKind::Unauthorized => CheckOutcome::BadToken,
                ErrorKind::Forbidden => CheckOutcome::NoAccess,
                _ => outcome_of(&e),
            };
            return ConnectionCheck::of(vec![failed("auth", outcome, &e)]);
        }
    };
    let scopes = info.result.api_key.auth_scopes;
    let has = |s: &str| scopes.iter().any(|x| x == "ALL_METHODS" || x == s);
    let mut groups = vec![ok("auth")];
    for (group, scope, needed_for) in [
        ("offers", "OFFERS_AND_CARDS_MANAGEMENT", "publishing offers and stocks"),
        ("pricing", "PRICING", "prices"),
    ] {
        groups.push(if has(scope) {
            ok(group)
        } else {
            GroupCheck {
                group: group.to_owned(),
                outcome: CheckOutcome::MissingScope,
                status: Some(200),
                message: format!("the key has neither ALL_METHODS nor {scope}, which {needed_for} need"),
            }
        });
    }
    let mut campaigns = Vec::new();
    match ym::campaigns(client, 20, cancel) {
        Ok(list) => {
            campaigns = list
                .into_iter()
                .map(|c| Campaign {
                    id: c.id,
                    business_id: c.business.as_ref().map(|b| b.id),
                    business_name: c.business.map(|b| b.name).unwrap_or_default(),
                    domain: c.domain,
                    placement_type: c.placement_type,
                    api_availability: c.api_availability,
                })
                .collect();
            groups.push(campaign_check(account, &campaigns));
        }
        Err(e) => groups.push(failed("campaign", outcome_of(&e), &e)),
    }
    ConnectionCheck { scopes, campaigns, ..ConnectionCheck::of(groups) }
}

fn campaign_check(account: &Account, campaigns: &[Campaign]) -> GroupCheck {
    let wrong = |message: String| GroupCheck {
        group: "campaign".into(),
        outcome: CheckOutcome::WrongCampaign,
        status: Some(200),
        message,
    };
    let (Some(business), Some(id)) = (account.business_id, account.campaign_id) else {
        let listed = campaigns
            .iter()
            .map(|c| format!("{} (business {})", c.id, c.business_id.map_or("?".into(), |b| b.to_string())))
            .collect::<Vec<_>>()
            .join(", ");
        return wrong(format!(
            "no shop is chosen: set --business-id B --campaign-id C; the key sees {}",
            if listed.is_empty() { "no campaigns".into() } else { listed }
        ));
    };
    match campaigns.iter().find(|c| c.id == id) {
        None => wrong(format!("campaign {id} is not among the {} campaigns the key sees", campaigns.len())),
        Some(c) if c.business_id != Some(business) => wrong(format!(
            "campaign {id} belongs to business {}, not {business}",
            c.business_id.map_or("?".into(), |b| b.to_string())
        )),
        Some(c) if c.api_availability.as_deref().is_some_and(|a| a != "AVAILABLE") => wrong(format!(
            "campaign {id} has apiAvailability {}",
            c.api_availability.as_deref().unwrap_or_default()
        )),
        Some(_) => ok("campaign"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_check_without_credentials_names_every_group_and_is_not_ok() {
        for (market, n) in [(Market::Wb, 3), (Market::Ozon, 1), (Market::Ym, 1)] {
            let c = ConnectionCheck::credentials_missing(market);
            assert!(!c.ok);
            assert_eq!(c.groups.len(), n);
            assert!(c.groups.iter().all(|g| g.outcome == CheckOutcome::CredentialsMissing));
        }
    }

    #[test]
    fn outcome_codes_are_their_serde_names() {
        for o in [
            CheckOutcome::Ok,
            CheckOutcome::BadToken,
            CheckOutcome::ExpiredToken,
            CheckOutcome::WrongTokenCategory,
            CheckOutcome::NoAccess,
            CheckOutcome::MissingScope,
            CheckOutcome::IpRestricted,
            CheckOutcome::PaymentRequired,
            CheckOutcome::WrongCampaign,
            CheckOutcome::RateLimited,
            CheckOutcome::Unreachable,
            CheckOutcome::ServerError,
            CheckOutcome::CredentialsMissing,
        ] {
            assert_eq!(serde_json::to_string(&o).unwrap(), format!("\"{}\"", o.code()));
        }
    }

    #[test]
    fn a_campaign_is_checked_against_the_ones_the_key_sees() {
        let campaigns = vec![
            Campaign {
                id: 21,
                business_id: Some(11),
                business_name: "B".into(),
                domain: "shop".into(),
                placement_type: Some("FBS".into()),
                api_availability: Some("AVAILABLE".into()),
            },
            Campaign {
                id: 22,
                business_id: Some(11),
                business_name: "B".into(),
                domain: "off".into(),
                placement_type: Some("FBS".into()),
                api_availability: Some("MANUALLY_DISABLED".into()),
            },
        ];
        let mut a = Account::new("ym", Market::Ym, 0);
        assert!(campaign_check(&a, &campaigns).message.contains("21 (business 11), 22 (business 11)"));
        (a.business_id, a.campaign_id) = (Some(11), Some(21));
        assert_eq!(campaign_check(&a, &campaigns).outcome, CheckOutcome::Ok);
        a.campaign_id = Some(22);
        assert!(campaign_check(&a, &campaigns).message.contains("MANUALLY_DISABLED"));
        (a.business_id, a.campaign_id) = (Some(12), Some(21));
        assert!(campaign_check(&a, &campaigns).message.contains("belongs to business 11, not 12"));
        a.campaign_id = Some(99);
        assert_eq!(campaign_check(&a, &campaigns).outcome, CheckOutcome::WrongCampaign);
    }
}
