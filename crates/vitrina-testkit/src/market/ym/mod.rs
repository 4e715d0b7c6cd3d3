//! The Yandex Market fake: `openapi.yaml` shapes; errors as `{"status":"ERROR","errors":[{code,
//! message}]}`; limits of the `none` tier, throttled with 420 and `X-RateLimit-Resource-*`.
//!
//! Besides the check endpoints it keeps a cabinet: the category tree and parameters
//! ([`catalog`]), offers with their card statuses ([`offers`]), business prices ([`prices`])
//! and stocks per campaign ([`stocks`]). Paths that name a business or a campaign answer 403
//! unless the key sees it. The limiter counts requests, also where YM counts items.

mod catalog;
mod offers;
mod prices;
mod stocks;

use std::collections::BTreeMap;
use std::time::{Duration, SystemTime};

use serde_json::{Value, json};

use super::limiter::Limit;
use super::{FakeToken, Route, State, http_date, json_reply, query};
use crate::http::{Reply, Request};

const AUTH: Limit = Limit::new(100, 3600, 100);
const CAMPAIGNS: Limit = Limit::new(1000, 3600, 1000);
const TREE: Limit = Limit::new(50, 3600, 50);
const PARAMS: Limit = Limit::new(100, 60, 100);
const MAPPINGS_UPDATE: Limit = Limit::new(5000, 60, 5000);
const MAPPINGS_READ: Limit = Limit::new(100, 60, 100);
const CARDS_READ: Limit = Limit::new(100, 60, 100);
const PRICES: Limit = Limit::new(10_000, 60, 10_000);
const STOCKS: Limit = Limit::new(100_000, 60, 100_000);

pub(super) fn route(method: &str, path: &str) -> Option<Route> {
    let r = |name, bucket, limit| Some(Route { name, bucket, limit, category: None });
    let segments: Vec<&str> = path.trim_matches('/').split('/').collect();
    match (method, segments.as_slice()) {
        ("POST", ["v2", "auth", "token"]) => r("token", "auth", AUTH),
        ("GET", ["v2", "campaigns"]) => r("campaigns", "campaigns", CAMPAIGNS),
        ("POST", ["v2", "categories", "tree"]) => r("tree", "tree", TREE),
        ("POST", ["v2", "category", _, "parameters"]) => r("parameters", "params", PARAMS),
        ("POST", ["v2", "businesses", _, "offer-mappings", "update"]) => {
            r("mappings.update", "mappings.update", MAPPINGS_UPDATE)
        }
        ("POST", ["v2", "businesses", _, "offer-mappings"]) => r("mappings", "mappings.read", MAPPINGS_READ),
        ("POST", ["v2", "businesses", _, "offer-cards"]) => r("cards", "cards.read", CARDS_READ),
        ("POST", ["v2", "businesses", _, "offer-prices", "updates"]) => r("prices", "prices", PRICES),
        ("PUT", ["v2", "campaigns", _, "offers", "stocks"]) => r("stocks", "stocks", STOCKS),
        _ => None,
    }
}

pub(super) fn error(status: u16, code: &str, message: &str) -> Reply {
    json_reply(status, &json!({"status": "ERROR", "errors": [{"code": code, "message": message}]}))
}

pub(super) fn auth(state: &State, request: &Request) -> Result<usize, Box<Reply>> {
    let key = request.header("Api-Key");
    match state.tokens.iter().position(|t| Some(t.secret.as_str()) == key) {
        Some(i) => Ok(i),
        // The spec's code enum has no code for 401; this one is invented.
        None => super::deny(error(401, "UNAUTHORIZED", "Api-Key is missing or invalid")),
    }
}

pub(super) fn handle(state: &mut State, route: Route, request: &Request, token: usize) -> Reply {
    let path = request.path.split('?').next().unwrap_or_default();
    // The id after `businesses/`, `campaigns/` or `category/`.
    let id = path.trim_matches('/').split('/').nth(2).map(str::parse::<i64>);
    let token = &state.tokens[token];
    let ym = &mut state.ym;
    match route.name {
        "tree" => json_reply(200, &json!({"status": "OK", "result": catalog::tree()})),
        "parameters" => {
            if let Some(Err(reply)) = query(request, "businessId").map(|b| business(token, b.parse().ok())) {
                return *reply;
            }
            match id.and_then(Result::ok).and_then(catalog::category) {
                Some(c) if catalog::is_leaf(c.id) => {
                    json_reply(200, &json!({"status": "OK", "result": catalog::parameters(c)}))
                }
                Some(c) => error(400, "BAD_REQUEST", &format!("category {} is not a leaf", c.id)),
                None => error(404, "NOT_FOUND", "category not found"),
            }
        }
        "mappings.update" | "mappings" | "cards" | "prices" => {
            if let Err(reply) = business(token, id.and_then(Result::ok)) {
                return *reply;
            }
            match route.name {
                "mappings.update" => offers::update(ym, request),
                "mappings" => offers::mappings(ym, request),
                "cards" => offers::cards(ym, request),
                _ => prices::update(ym, request),
            }
        }
        "stocks" => match id.and_then(Result::ok) {
            Some(c) if token.ym_campaigns.iter().any(|x| x.id == c) => stocks::update(ym, c, request),
            _ => error(403, "FORBIDDEN", "access to the campaign is denied"),
        },
        "token" => json_reply(
            200,
            &json!({"status": "OK", "result": {"apiKey": {"name": "Vitrina fake", "authScopes": token.ym_scopes}}}),
        ),
        "campaigns" => {
            let limit = match query(request, "limit").map(str::parse::<usize>) {
                None => 100,
                Some(Ok(n @ 1..=100)) => n,
                Some(_) => return error(400, "BAD_REQUEST", "limit must be between 1 and 100"),
            };
            let from = query(request, "pageToken").and_then(|t| t.parse::<usize>().ok()).unwrap_or(0);
            let all = &token.ym_campaigns;
            let page: Vec<_> = all
                .iter()
                .skip(from)
                .take(limit)
                .map(|c| {
                    json!({"domain": format!("shop-{}.example", c.id), "id": c.id,
                           "business": {"id": c.business_id, "name": format!("Business {}", c.business_id)},
                           "placementType": "FBS", "apiAvailability": c.api_availability})
                })
                .collect();
            let to = from + page.len();
            let mut body = json!({
                "campaigns": page,
                "pager": {"total": all.len(), "from": from + 1, "to": to, "currentPage": from / limit + 1,
                          "pagesCount": all.len().div_ceil(limit), "pageSize": limit},
                "paging": {},
            });
            if to < all.len() {
                body["paging"]["nextPageToken"] = json!(to.to_string());
            }
            json_reply(200, &body)
        }
        _ => super::not_found(super::Fake::Ym),
    }
}

/// 420 with `X-RateLimit-Resource-Until` (RFC 822 date, whole seconds, so rounded up).
pub(super) fn limited(wait: Duration, amount: u32) -> Reply {
    let until = SystemTime::now() + wait + Duration::from_millis(999);
    error(420, "LIMIT_EXCEEDED", "Hit rate limit of resource")
        .header("X-RateLimit-Resource-Limit", &amount.to_string())
        .header("X-RateLimit-Resource-Remaining", "0")
        .header("X-RateLimit-Resource-Until", &http_date(until))
}

/// 403 unless `business` is the business of one of the key's campaigns.
fn business(token: &FakeToken, business: Option<i64>) -> Result<(), Box<Reply>> {
    match business {
        Some(b) if token.ym_campaigns.iter().any(|c| c.business_id == b) => Ok(()),
        _ => Err(Box::new(error(403, "FORBIDDEN", "access to the business is denied"))),
    }
}

/// One page of `keys` from the position a `pageToken` names; the next page's token. Tokens are
/// opaque on YM (often base64); these hold characters a client must percent-encode.
pub(super) fn page(
    keys: &[String],
    token: Option<&str>,
    limit: usize,
) -> Result<(Vec<String>, Option<String>), Box<Reply>> {
    let from = match token.map(decode) {
        None => 0,
        Some(t) => match t.strip_prefix("from=").and_then(|n| n.parse::<usize>().ok()) {
            Some(n) => n,
            None => return Err(Box::new(error(400, "BAD_REQUEST", "pageToken is not valid"))),
        },
    };
    let slice: Vec<String> = keys.iter().skip(from).take(limit).cloned().collect();
    let to = from + slice.len();
    Ok((slice, (to < keys.len()).then(|| format!("from={to}"))))
}

/// Percent-decoding of a query value.
fn decode(v: &str) -> String {
    let b = v.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        let hex = b.get(i + 1..i + 3).and_then(|h| std::str::from_utf8(h).ok());
        match (b[i], hex.and_then(|h| u8::from_str_radix(h, 16).ok())) {
            (b'%', Some(byte)) => {
                out.push(byte);
                i += 3;
            }
            (c, _) => {
                out.push(c);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// The fake's cabinet: what publishing, prices and stocks change.
#[derive(Debug)]
pub(crate) struct YmState {
    pub(crate) offers: BTreeMap<String, offers::Offer>,
    /// `offer-cards` reads an accepted update stays processing.
    pub(crate) processing_polls: u32,
    /// The `marketSku` the next new card gets.
    pub(crate) next_sku: i64,
    pub(crate) prices: BTreeMap<String, Value>,
    /// (campaign, SKU) → stock.
    pub(crate) stocks: BTreeMap<(i64, String), stocks::Stock>,
}

impl Default for YmState {
    fn default() -> Self {
        YmState {
            offers: BTreeMap::new(),
            processing_polls: 1,
            next_sku: 101_000_000_001,
            prices: BTreeMap::new(),
            stocks: BTreeMap::new(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pages_follow_their_percent_encoded_tokens() {
        let keys: Vec<String> = (0..5).map(|i| format!("K{i}")).collect();
        let (first, next) = page(&keys, None, 2).unwrap();
        assert_eq!((first, next.as_deref()), (vec!["K0".to_owned(), "K1".into()], Some("from=2")));
        let (last, next) = page(&keys, Some("from%3D4"), 2).unwrap();
        assert_eq!((last, next), (vec!["K4".to_owned()], None));
        assert_eq!(page(&keys, Some("garbage"), 2).unwrap_err().status_code(), 400);
        assert_eq!(decode("a%2Fb%3D%zz"), "a/b=%zz");
    }
}
