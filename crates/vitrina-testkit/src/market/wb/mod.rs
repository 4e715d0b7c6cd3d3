//! The Wildberries fake: `02-items.yaml` and `01-general.yaml` shapes; gateway errors as
//! `application/problem+json`.

use std::time::{Duration, SystemTime};

use serde_json::{Value, json};

use super::limiter::Limit;
use super::{Route, State, TokenState, json_reply, query, rfc3339};
use crate::http::{Reply, Request};

// B.1.4 of the plan, from the spec's limit tables (personal, service and base-with-secret tokens).
const CONTENT: Limit = Limit::new(100, 60, 5);
const PRICES: Limit = Limit::new(10, 6, 5);
const WAREHOUSES: Limit = Limit::new(300, 60, 20).costing_4xx(10);
const PING: Limit = Limit::new(3, 30, 3);

pub(super) fn route(method: &str, path: &str) -> Option<Route> {
    let r = |name, bucket, limit, category| Some(Route { name, bucket, limit, category });
    match (method, path) {
        ("GET", "/ping") => r("ping", "ping", PING, None),
        ("GET", "/content/v2/object/parent/all") => r("parents", "content", CONTENT, Some("content")),
        ("GET", "/api/v2/list/goods/filter") => r("goods", "prices", PRICES, Some("prices")),
        ("GET", "/api/v3/warehouses") => r("warehouses", "warehouses", WAREHOUSES, Some("marketplace")),
        _ => None,
    }
}

/// A gateway error (401, 402, 403, 413, 429, 404 on an unknown path).
pub(super) fn problem(status: u16, title: &str, detail: &str) -> Reply {
    let status_text = match status {
        401 => "Unauthorized",
        402 => "Payment Required",
        403 => "Forbidden",
        404 => "Not Found",
        429 => "Too Many Requests",
        _ => "Internal Server Error",
    };
    let body = json!({
        "title": title, "detail": detail, "code": "07e4668e--a53a3d31f8b0-[UK-oWaVDUqNrKG]",
        "requestId": "7b80742415072fe8b6b7f7761f1d1211", "origin": "s2s-api-auth-catalog",
        "status": status, "statusText": status_text, "timestamp": rfc3339(SystemTime::now()),
    });
    Reply::status(status).header("Content-Type", "application/problem+json").body(body.to_string())
}

/// Checks the raw `Authorization: <token>` (no `Bearer`), then the token's state and category.
pub(super) fn auth(state: &State, request: &Request, route: Option<&Route>) -> Result<usize, Box<Reply>> {
    let given = request.header("Authorization").unwrap_or_default();
    let Some(i) = state.tokens.iter().position(|t| t.secret == given) else {
        return super::deny(problem(
            401,
            "unauthorized",
            "token problem; token is malformed: could not base64 decode signature: illegal base64 data at input byte 84",
        ));
    };
    let token = &state.tokens[i];
    match token.state {
        // The wording of an expired token's detail is not in the spec (unverified).
        TokenState::Expired => {
            return super::deny(problem(401, "unauthorized", "token problem; token expired"));
        }
        TokenState::Unpaid => {
            return super::deny(problem(
                402,
                "payment required",
                "wb solution for business has insufficient funds on its balance. please top up the balance in \
                 the company's personal account https://dev.wildberries.ru/company",
            ));
        }
        TokenState::Base if route.and_then(|r| r.category).is_some_and(|c| c != "content") => {
            return super::deny(problem(403, "forbidden", "base token is not allowed"));
        }
        _ => {}
    }
    if let Some(category) = route.and_then(|r| r.category)
        && !token.wb_categories.iter().any(|c| c == category)
    {
        // "A token only works on the hosts of its categories (otherwise 401/403)"; the detail's
        // wording is not in the spec (unverified).
        return super::deny(problem(401, "unauthorized", "token scope not allowed for this API route"));
    }
    Ok(i)
}

pub(super) fn handle(state: &mut State, route: Route, request: &Request, _token: usize) -> Reply {
    match route.name {
        "ping" => json_reply(200, &json!({"TS": rfc3339(SystemTime::now()), "Status": "OK"})),
        "parents" => json_reply(
            200,
            &json!({
                "data": [
                    {"id": 479, "name": "Электроника", "isVisible": true},
                    {"id": 1, "name": "Женщинам", "isVisible": true},
                    {"id": 8, "name": "Обувь", "isVisible": true},
                ],
                "error": false, "errorText": "", "additionalErrors": null,
            }),
        ),
        "goods" => {
            let limit = query(request, "limit").and_then(|l| l.parse::<u32>().ok());
            match limit {
                Some(1..=1000) => {
                    json_reply(200, &json!({"data": {"listGoods": []}, "error": false, "errorText": ""}))
                }
                _ => json_reply(400, &json!({"data": null, "error": true, "errorText": "Invalid limit"})),
            }
        }
        "warehouses" => json_reply(200, &Value::Array(state.wb_warehouses.clone())),
        _ => super::not_found(super::Fake::Wb),
    }
}

pub(super) fn warehouse(id: i64, name: &str) -> Value {
    json!({"name": name, "officeId": 15, "id": id, "cargoType": 1, "deliveryType": 1,
           "isDeleting": false, "isProcessing": false})
}

pub(super) fn default_warehouses() -> Vec<Value> {
    vec![warehouse(1_000_001, "Склад продавца"), warehouse(1_000_002, "Склад у метро")]
}

/// 429 with the headers WB clients read: `X-Ratelimit-Retry` (seconds), `-Limit`, `-Reset`,
/// `-Remaining`.
pub(super) fn too_many(wait: Duration, burst: u32) -> Reply {
    too_many_scaled(wait, burst, 1.0)
}

/// With time scaled for tests, waits under a second are sent with their fraction.
pub(super) fn too_many_scaled(wait: Duration, burst: u32, scale: f64) -> Reply {
    let secs = if scale == 1.0 {
        format!("{}", wait.as_secs_f64().ceil())
    } else {
        format!("{:.3}", wait.as_secs_f64())
    };
    problem(429, "too many requests", "limited by c122a060-a7fb-4bb4-abb0-32fd4e18d489")
        .header("X-Ratelimit-Retry", &secs)
        .header("X-Ratelimit-Limit", &burst.to_string())
        .header("X-Ratelimit-Reset", &secs)
        .header("X-Ratelimit-Remaining", "0")
}

/// The fake's catalogue: what publishing, prices and stocks change.
#[derive(Debug, Default)]
pub(crate) struct WbState {}
