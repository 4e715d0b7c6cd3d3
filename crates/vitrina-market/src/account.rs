//! A seller's account on a marketplace, and its credentials.
//!
//! The account row (market file) holds nothing secret: the credentials are one JSON value in
//! the store of secrets under [`secret_name`], and their `Debug` never shows them.

use std::collections::BTreeMap;
use std::fmt;

use serde::{Deserialize, Serialize};
use serde_json::Value;
pub use vitrina_domain::MarketAccountId;

use crate::check::ConnectionCheck;
use crate::error::{ErrorKind, MarketError};
use crate::market::Market;

/// The secret's name in the store of secrets: `market.<account id>.credentials`.
pub fn secret_name(id: MarketAccountId) -> String {
    format!("market.{id}.credentials")
}

/// One account on one marketplace.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Account {
    pub id: MarketAccountId,
    /// Unique among the accounts; what the seller types (`vitrina mp accounts check NAME`).
    pub name: String,
    pub market: Market,
    /// One URL for every API group of the marketplace (a sandbox, a fake, the demo); `None` for
    /// the production hosts.
    pub base_url: Option<String>,
    /// Yandex Market: the cabinet (`businessId`) and the shop (`campaignId`).
    pub business_id: Option<i64>,
    pub campaign_id: Option<i64>,
    pub settings: AccountSettings,
    pub last_check: Option<ConnectionCheck>,
    /// UTC milliseconds.
    pub created_at: i64,
    pub updated_at: i64,
}

impl Account {
    /// A new account (a fresh UUIDv7), created at `now_ms`.
    pub fn new(name: &str, market: Market, now_ms: i64) -> Self {
        Account {
            id: MarketAccountId::new(),
            name: name.trim().to_owned(),
            market,
            base_url: None,
            business_id: None,
            campaign_id: None,
            settings: AccountSettings::default(),
            last_check: None,
            created_at: now_ms,
            updated_at: now_ms,
        }
    }

    /// Checks what a store or a client relies on: a name, an absolute http(s) base URL, ids
    /// only for Yandex Market and positive.
    pub fn validate(&self) -> Result<(), MarketError> {
        let invalid = |m: String| Err(MarketError::new(ErrorKind::Invalid, m));
        if self.name.trim().is_empty() {
            return invalid("an account needs a name".into());
        }
        if let Some(url) = &self.base_url {
            let lower = url.trim().to_ascii_lowercase();
            let rest = lower.strip_prefix("https://").or_else(|| lower.strip_prefix("http://"));
            if rest.is_none_or(|r| r.is_empty() || r.starts_with('/')) || url.contains(char::is_whitespace) {
                return invalid(format!(
                    "the base URL {url:?} is not an absolute http:// or https:// address"
                ));
            }
        }
        for (what, id) in [("business id", self.business_id), ("campaign id", self.campaign_id)] {
            match id {
                Some(_) if self.market != Market::Ym => {
                    return invalid(format!("a {what} is for Yandex Market accounts only"));
                }
                Some(n) if n <= 0 => {
                    return invalid(format!("the {what} must be a positive number, not {n}"));
                }
                _ => {}
            }
        }
        Ok(())
    }
}

/// Per-account settings, stored as JSON. Keys this version does not know are kept as they are.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct AccountSettings {
    /// Push changed prices and stocks after edits and imports (on once an account is linked).
    pub auto_push: bool,
    /// The seller's warehouse (catalog name) → the marketplace's warehouse id.
    pub warehouses: BTreeMap<String, String>,
    #[serde(flatten)]
    pub other: BTreeMap<String, Value>,
}

impl Default for AccountSettings {
    fn default() -> Self {
        AccountSettings { auto_push: true, warehouses: BTreeMap::new(), other: BTreeMap::new() }
    }
}

/// What a marketplace signs requests with.
#[derive(Clone, PartialEq, Eq)]
pub enum Credentials {
    /// A WB API token (a personal one for a seller's own app); sent raw in `Authorization`.
    Wb { token: String },
    /// Ozon `Client-Id` and `Api-Key`.
    Ozon { client_id: String, api_key: String },
    /// A Yandex Market API key (`Api-Key`).
    Ym { api_key: String },
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct WbJson {
    token: String,
}
#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct OzonJson {
    client_id: String,
    api_key: String,
}
#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct YmJson {
    api_key: String,
}

impl Credentials {
    pub fn market(&self) -> Market {
        match self {
            Credentials::Wb { .. } => Market::Wb,
            Credentials::Ozon { .. } => Market::Ozon,
            Credentials::Ym { .. } => Market::Ym,
        }
    }

    /// The stored secret: WB `{"token"}`, Ozon `{"client_id","api_key"}`, YM `{"api_key"}`.
    pub fn to_json(&self) -> String {
        let json = match self {
            Credentials::Wb { token } => serde_json::to_string(&WbJson { token: token.clone() }),
            Credentials::Ozon { client_id, api_key } => {
                serde_json::to_string(&OzonJson { client_id: client_id.clone(), api_key: api_key.clone() })
            }
            Credentials::Ym { api_key } => serde_json::to_string(&YmJson { api_key: api_key.clone() }),
        };
        json.unwrap_or_default()
    }

    /// Reads a stored secret. The error never quotes it: serde's messages can hold values.
    pub fn from_json(market: Market, json: &str) -> Result<Self, MarketError> {
        let damaged = || {
            let fields = match market {
                Market::Wb => "token",
                Market::Ozon => "client_id and api_key",
                Market::Ym => "api_key",
            };
            MarketError::new(
                ErrorKind::Invalid,
                format!(
                    "the stored credentials are not {} credentials (expected {fields}); store them again",
                    market.title()
                ),
            )
        };
        let creds = match market {
            Market::Wb => serde_json::from_str::<WbJson>(json).map(|j| Credentials::Wb { token: j.token }),
            Market::Ozon => serde_json::from_str::<OzonJson>(json)
                .map(|j| Credentials::Ozon { client_id: j.client_id, api_key: j.api_key }),
            Market::Ym => {
                serde_json::from_str::<YmJson>(json).map(|j| Credentials::Ym { api_key: j.api_key })
            }
        }
        .map_err(|_| damaged())?;
        creds.validated()
    }

    /// Trims each value and refuses empty ones or ones a header cannot carry.
    pub fn validated(self) -> Result<Self, MarketError> {
        let clean = |what: &str, v: String| {
            let v = v.trim().to_owned();
            if v.is_empty() {
                Err(MarketError::new(ErrorKind::Invalid, format!("the {what} is empty")))
            } else if v.chars().any(|c| c.is_control() || !c.is_ascii()) {
                Err(MarketError::new(
                    ErrorKind::Invalid,
                    format!("the {what} holds characters a header cannot carry"),
                ))
            } else {
                Ok(v)
            }
        };
        Ok(match self {
            Credentials::Wb { token } => Credentials::Wb { token: clean("token", token)? },
            Credentials::Ozon { client_id, api_key } => Credentials::Ozon {
                client_id: clean("Client-Id", client_id)?,
                api_key: clean("Api-Key", api_key)?,
            },
            Credentials::Ym { api_key } => Credentials::Ym { api_key: clean("Api-Key", api_key)? },
        })
    }

    /// The values that must never be shown (the Ozon Client-Id is an identifier, not a secret).
    pub(crate) fn secrets(&self) -> Vec<&str> {
        match self {
            Credentials::Wb { token } => vec![token],
            Credentials::Ozon { api_key, .. } | Credentials::Ym { api_key } => vec![api_key],
        }
    }
}

impl fmt::Debug for Credentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Credentials::Wb { .. } => f.write_str("Wb { token: *** }"),
            Credentials::Ozon { client_id, .. } => {
                write!(f, "Ozon {{ client_id: {client_id:?}, api_key: *** }}")
            }
            Credentials::Ym { .. } => f.write_str("Ym { api_key: *** }"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SECRET: &str = "s3cr3t-tok";

    fn all() -> [Credentials; 3] {
        [
            Credentials::Wb { token: SECRET.into() },
            Credentials::Ozon { client_id: "123456".into(), api_key: SECRET.into() },
            Credentials::Ym { api_key: SECRET.into() },
        ]
    }

    #[test]
    fn credentials_round_trip_through_their_json() {
        for c in all() {
            assert_eq!(Credentials::from_json(c.market(), &c.to_json()).unwrap(), c);
        }
        assert_eq!(all()[0].to_json(), r#"{"token":"s3cr3t-tok"}"#);
        assert_eq!(all()[1].to_json(), r#"{"client_id":"123456","api_key":"s3cr3t-tok"}"#);
        assert_eq!(
            Credentials::from_json(Market::Wb, r#"{"token":"  t  "}"#).unwrap(),
            Credentials::Wb { token: "t".into() }
        );
    }

    #[test]
    fn debug_and_errors_never_show_the_secret() {
        for c in all() {
            let shown = format!("{c:?} {c:#?}");
            assert!(!shown.contains(SECRET) && shown.contains("***"), "{shown}");
        }
        // Another marketplace's secret, a wrong type, a missing field, an empty value.
        for (market, json) in [
            (Market::Ozon, r#"{"token":"s3cr3t-tok"}"#),
            (Market::Wb, r#"{"token":["s3cr3t-tok"]}"#),
            (Market::Ym, r#"{"api_key":"s3cr3t-tok","extra":"s3cr3t-tok"}"#),
            (Market::Wb, r#"{"token":"s3cr3t-tok\n"}"#),
            (Market::Ym, r#"{"api_key":"  "}"#),
            (Market::Wb, "s3cr3t-tok"),
        ] {
            let e = Credentials::from_json(market, json)
                .map(|c| format!("{c:?}"))
                .unwrap_or_else(|e| e.to_string());
            assert!(!e.contains(SECRET), "{e}");
        }
        assert!(
            Credentials::from_json(Market::Ym, r#"{"api_key":"  "}"#)
                .unwrap_err()
                .to_string()
                .contains("empty")
        );
    }

    #[test]
    fn accounts_are_validated() {
        let mut a = Account::new(" Main WB ", Market::Wb, 1);
        assert_eq!(a.name, "Main WB");
        assert_eq!(a.id.0.get_version_num(), 7);
        a.validate().unwrap();
        a.base_url = Some("ftp://x".into());
        assert!(a.validate().is_err());
        a.base_url = Some("http://127.0.0.1:8080".into());
        a.validate().unwrap();
        a.business_id = Some(5);
        assert!(a.validate().unwrap_err().to_string().contains("Yandex Market accounts only"));
        let mut y = Account::new("YM", Market::Ym, 1);
        y.campaign_id = Some(0);
        assert!(y.validate().is_err());
        y.campaign_id = Some(21);
        y.validate().unwrap();
    }

    #[test]
    fn settings_keep_keys_they_do_not_know() {
        let s: AccountSettings = serde_json::from_str(r#"{"vat":"0.2","auto_push":false}"#).unwrap();
        assert!(!s.auto_push && s.warehouses.is_empty());
        let back = serde_json::to_value(&s).unwrap();
        assert_eq!(back["vat"], "0.2");
        assert!(AccountSettings::default().auto_push);
    }
}
