//! The Wildberries fake: `02-items.yaml` and `01-general.yaml` shapes; gateway errors as
//! `application/problem+json`. The dictionaries are seeded ([`catalog`]); cards ([`cards`]),
//! prices ([`prices`]) and stocks ([`stocks`]) keep state, which tests read and steer through
//! the `wb_…` and `set_wb_…` methods of [`FakeMarket`].

mod cards;
mod catalog;
mod prices;
mod stocks;

use std::time::{Duration, SystemTime};

use serde_json::{Value, json};

use super::limiter::Limit;
use super::{FakeMarket, Route, State, TokenState, body_json, json_reply, query, rfc3339};
use crate::http::{Reply, Request};

// B.1.4 of the plan, from the spec's limit tables (personal, service and base-with-secret tokens).
const CONTENT: Limit = Limit::new(100, 60, 5);
const PRICES: Limit = Limit::new(10, 6, 5);
const WAREHOUSES: Limit = Limit::new(300, 60, 20).costing_4xx(10);
const PING: Limit = Limit::new(3, 30, 3);
const CARDS_WRITE: Limit = Limit::new(10, 60, 5);
const STOCKS: Limit = Limit::new(300, 60, 20).costing_4xx(10);

pub(super) fn route(method: &str, path: &str) -> Option<Route> {
    let r = |name, bucket, limit, category| Some(Route { name, bucket, limit, category });
    let content = |name| r(name, "content", CONTENT, Some("content"));
    let prices = |name| r(name, "prices", PRICES, Some("prices"));
    match (method, path) {
        ("GET", "/ping") => r("ping", "ping", PING, None),
        ("GET", "/content/v2/object/parent/all") => content("parents"),
        ("GET", "/content/v2/object/all") => content("subjects"),
        ("GET", p) if p.starts_with("/content/v2/object/charcs/") => content("charcs"),
        ("GET", p) if p.starts_with("/content/v2/directory/") => content("directory"),
        ("POST", "/content/v2/get/cards/list") => content("cards"),
        ("POST", "/content/v2/cards/upload") => r("upload", "cards.upload", CARDS_WRITE, Some("content")),
        ("POST", "/content/v2/cards/update") => r("update", "cards.update", CARDS_WRITE, Some("content")),
        ("POST", "/content/v2/cards/error/list") => r("errors", "cards.errors", CARDS_WRITE, Some("content")),
        ("GET", "/api/v2/list/goods/filter") => prices("goods"),
        ("POST", "/api/v2/upload/task") => prices("price_upload"),
        ("GET", "/api/v2/history/tasks") => prices("price_task"),
        ("GET", "/api/v2/history/goods/task") => prices("price_goods"),
        ("GET", "/api/v3/warehouses") => r("warehouses", "warehouses", WAREHOUSES, Some("marketplace")),
        ("PUT", p) if p.starts_with("/api/v3/stocks/") => {
            r("stocks_put", "stocks", STOCKS, Some("marketplace"))
        }
        ("POST", p) if p.starts_with("/api/v3/stocks/") => {
            r("stocks_read", "stocks", STOCKS, Some("marketplace"))
        }
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
        _ => reply(stateful(state, route.name, request)),
    }
}

/// A JSON answer: status and body (`204` goes without one).
pub(crate) type Answer = (u16, Value);

fn reply((status, body): Answer) -> Reply {
    if status == 204 { Reply::status(204) } else { json_reply(status, &body) }
}

/// The content and prices envelope with `data`.
pub(crate) fn ok(data: Value) -> Answer {
    (200, json!({"data": data, "error": false, "errorText": "", "additionalErrors": null}))
}

/// The envelope of a refusal.
pub(crate) fn refuse(status: u16, text: &str, additional: Value) -> Answer {
    (status, json!({"data": null, "error": true, "errorText": text, "additionalErrors": additional}))
}

/// The last path segment as a number (`/content/v2/object/charcs/105`, `/api/v3/stocks/507`).
fn path_id(request: &Request) -> Option<i64> {
    request.path.split('?').next()?.rsplit('/').next()?.parse().ok()
}

fn stateful(state: &mut State, name: &str, request: &Request) -> Answer {
    let number = |key: &str| query(request, key).and_then(|v| v.parse::<i64>().ok());
    let body = body_json(request);
    let needs_body = matches!(
        name,
        "cards" | "upload" | "update" | "errors" | "price_upload" | "stocks_put" | "stocks_read"
    );
    let body = match body {
        Some(body) => body,
        None if needs_body => return refuse(400, "Invalid request format", json!({})),
        None => Value::Null,
    };
    let wb = &mut state.wb;
    match name {
        "subjects" => {
            let limit = number("limit").unwrap_or(30);
            if !(1..=1000).contains(&limit) {
                return refuse(400, "Invalid request format", json!({}));
            }
            let search = query(request, "name").map(str::to_lowercase);
            let parent = number("parentID");
            let all: Vec<Value> = catalog::subjects()
                .into_iter()
                .filter(|s| parent.is_none_or(|p| s["parentID"] == p))
                .filter(|s| {
                    search.as_deref().is_none_or(|n| {
                        s["subjectName"].as_str().is_some_and(|x| x.to_lowercase().contains(n))
                    })
                })
                .skip(number("offset").unwrap_or(0).max(0) as usize)
                .take(limit as usize)
                .collect();
            ok(Value::Array(all))
        }
        "charcs" => match path_id(request).and_then(catalog::charcs_json) {
            Some(charcs) => ok(Value::Array(charcs)),
            None => refuse(
                400,
                "This category does not exist",
                json!({"id": path_id(request).unwrap_or_default().to_string()}),
            ),
        },
        "directory" => {
            let which =
                request.path.split('?').next().unwrap_or_default().rsplit('/').next().unwrap_or_default();
            match catalog::directory(which, number("subjectID")) {
                Some(data) => ok(data),
                None => refuse(400, "Invalid request format", json!({})),
            }
        }
        "cards" => wb.cards.list(&body),
        "upload" => wb.cards.upload(&body),
        "update" => wb.cards.update(&body),
        "errors" => wb.cards.error_list(&body),
        "price_upload" => wb.prices.upload(&mut wb.cards, &body),
        "price_task" => wb.prices.task(number("uploadID")),
        "price_goods" => wb.prices.goods(
            number("uploadID"),
            number("limit").map(|l| l as usize),
            number("offset").unwrap_or(0) as usize,
        ),
        "stocks_put" => stocks::put(
            &mut wb.stocks,
            &wb.cards,
            &state.wb_warehouses,
            path_id(request).unwrap_or_default(),
            &body,
        ),
        "stocks_read" => stocks::read(&wb.stocks, path_id(request).unwrap_or_default(), &body),
        _ => (404, json!({"title": "path not found"})),
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
pub(crate) struct WbState {
    cards: cards::Cards,
    prices: prices::Prices,
    stocks: stocks::Stocks,
}

/// What tests read and steer of the Wildberries fake.
impl FakeMarket {
    /// Every card, synced or not, as the cards list shows them, by `nmID`.
    pub fn wb_cards(&self) -> Vec<Value> {
        let mut cards: Vec<Value> = self.lock().wb.cards.cards.iter().map(|c| c.json.clone()).collect();
        cards.sort_by_key(|c| c["nmID"].as_i64());
        cards
    }

    /// The card with `vendor_code`, synced or not.
    pub fn wb_card(&self, vendor_code: &str) -> Option<Value> {
        self.lock().wb.cards.by_vendor(vendor_code).map(|c| c.json.clone())
    }

    /// The error list's batches, as `cards/error/list` gives them.
    pub fn wb_errors(&self) -> Vec<Value> {
        self.lock().wb.cards.errors.clone()
    }

    /// The next check of `vendor_code` fails with `text` (in the error list) until cleared by
    /// an empty text.
    pub fn wb_reject(&self, vendor_code: &str, text: &str) {
        let mut state = self.lock();
        if text.is_empty() {
            state.wb.cards.rejects.remove(vendor_code);
        } else {
            state.wb.cards.rejects.insert(vendor_code.to_owned(), text.to_owned());
        }
    }

    /// Cards-list requests a new card stays out of sight for (1 unless set).
    pub fn set_wb_card_delay(&self, polls: u32) {
        self.lock().wb.cards.delay = polls;
    }

    /// The card's photos, as WB serves them after a media upload.
    pub fn wb_set_photos(&self, vendor_code: &str, urls: &[&str]) {
        let mut state = self.lock();
        if let Some(card) = state.wb.cards.cards.iter_mut().find(|c| c.vendor_code() == vendor_code) {
            card.json["photos"] = urls
                .iter()
                .map(|u| json!({"big": u, "c246x328": u, "c516x688": u, "square": u, "tm": u}))
                .collect();
        }
    }

    /// The (price, discount) in force for `nm_id`.
    pub fn wb_price(&self, nm_id: i64) -> Option<(i64, i64)> {
        self.lock().wb.prices.applied.get(&nm_id).copied()
    }

    /// Uploads for `nm_id` fail with `text` in the task's history.
    pub fn wb_reject_price(&self, nm_id: i64, text: &str) {
        self.lock().wb.prices.rejects.insert(nm_id, text.to_owned());
    }

    /// Status requests a price task stays unprocessed for (0 unless set).
    pub fn set_wb_price_delay(&self, polls: u32) {
        self.lock().wb.prices.delay = polls;
    }

    /// The amount of size `chrt_id` on seller warehouse `warehouse`.
    pub fn wb_stock(&self, warehouse: i64, chrt_id: i64) -> Option<i64> {
        self.lock().wb.stocks.get(&(warehouse, chrt_id)).copied()
    }
}
