//! The Yandex Market fake: `openapi.yaml` shapes; errors as `{"status":"ERROR","errors":[{code,
//! message}]}`; limits of the `none` tier, throttled with 420 and `X-RateLimit-Resource-*`.

use std::time::{Duration, SystemTime};

use serde_json::json;

use super::limiter::Limit;
use super::{Route, State, http_date, json_reply, query};
use crate::http::{Reply, Request};

const AUTH: Limit = Limit::new(100, 3600, 100);
const CAMPAIGNS: Limit = Limit::new(1000, 3600, 1000);

pub(super) fn route(method: &str, path: &str) -> Option<Route> {
    match (method, path) {
        ("POST", "/v2/auth/token") => {
            Some(Route { name: "token", bucket: "auth", limit: AUTH, category: None })
        }
        ("GET", "/v2/campaigns") => {
            Some(Route { name: "campaigns", bucket: "campaigns", limit: CAMPAIGNS, category: None })
        }
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
    let token = &state.tokens[token];
    match route.name {
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

/// The fake's catalogue: what publishing, prices and stocks change.
#[derive(Debug, Default)]
pub(crate) struct YmState {}
