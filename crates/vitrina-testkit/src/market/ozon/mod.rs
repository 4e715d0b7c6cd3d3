//! The Ozon fake: `swagger.json` shapes; errors as gRPC-gateway `rpcStatus`
//! `{"code": int, "message", "details"}` with the Errors appendix's messages.
//!
//! Stateful: the category tree and dictionaries ([`catalog`]), imports as tasks ([`tasks`]),
//! the products they create ([`products`]), prices ([`prices`]) and stocks ([`stocks`]).

mod catalog;
mod prices;
mod products;
mod stocks;
mod tasks;

use std::collections::{BTreeMap, HashMap};
use std::time::Instant;

use serde_json::{Value, json};

use super::limiter::Limit;
use super::{Route, State, TokenState, body_json, error_reply, json_reply};
use crate::http::{Reply, Request};

/// 50 requests per second per Client-Id, all methods together.
const GLOBAL: Limit = Limit::new(50, 1, 50);

/// What the default "Admin" role allows: every method publishing, prices and stocks use.
pub(super) const ADMIN_METHODS: &[&str] = &[
    "/v1/roles",
    "/v3/product/import",
    "/v1/product/import/info",
    "/v1/product/import/prices",
    "/v2/products/stocks",
    "/v1/description-category/tree",
    "/v1/description-category/attribute",
    "/v3/product/info/list",
    "/v3/product/list",
    "/v4/product/info/limit",
    "/v1/warehouse/list",
];

/// 80 requests per minute per seller for the stock method (its own bucket here; the client
/// takes the global one as well).
const STOCKS: Limit = Limit::new(80, 60, 80);

pub(super) fn route(method: &str, path: &str) -> Option<Route> {
    let global = |name| Some(Route { name, bucket: "global", limit: GLOBAL, category: None });
    if method != "POST" {
        return None;
    }
    match path {
        "/v1/roles" => global("roles"),
        "/v1/description-category/tree" => global("tree"),
        "/v1/description-category/attribute" => global("attributes"),
        "/v1/description-category/attribute/values" => global("values"),
        "/v3/product/import" => global("import"),
        "/v1/product/import/info" => global("import_info"),
        "/v3/product/info/list" => global("info_list"),
        "/v3/product/list" => global("list"),
        "/v1/product/import/prices" => global("prices"),
        "/v2/products/stocks" => {
            Some(Route { name: "stocks", bucket: "stocks", limit: STOCKS, category: None })
        }
        _ => None,
    }
}

/// `Client-Id` and `Api-Key` must name one key; then its state, then its roles.
pub(super) fn auth(state: &State, request: &Request, route: Option<&Route>) -> Result<usize, Box<Reply>> {
    let (client_id, key) = (request.header("Client-Id"), request.header("Api-Key"));
    let found = state
        .tokens
        .iter()
        .position(|t| Some(t.secret.as_str()) == key && t.client_id.as_deref() == client_id);
    // The HTTP status of key errors is not in the spec: 401 for an invalid key and 403 for the
    // others (unverified); the client decides by the message.
    let Some(i) = found else {
        return super::deny(error_reply(
            super::Fake::Ozon,
            401,
            "Invalid Api-Key, please check the key and try again",
        ));
    };
    let token = &state.tokens[i];
    match token.state {
        TokenState::Expired => {
            return super::deny(error_reply(
                super::Fake::Ozon,
                403,
                "Api-key is deactivated, use another one or generate a new one",
            ));
        }
        TokenState::IpRestricted => {
            return super::deny(error_reply(
                super::Fake::Ozon,
                403,
                "Api-Key is restricted to specific IP addresses",
            ));
        }
        _ => {}
    }
    let path = request.path.split('?').next().unwrap_or_default();
    let allowed = path == "/v1/roles"
        || token.ozon_roles.iter().flat_map(|(_, m)| m).any(|m| path == m || path.starts_with(m.as_str()));
    if route.is_some() && !allowed {
        return super::deny(error_reply(
            super::Fake::Ozon,
            403,
            "Api-Key is missing a required role for a method",
        ));
    }
    Ok(i)
}

pub(super) fn handle(state: &mut State, route: Route, request: &Request, token: usize) -> Reply {
    // Every method takes a JSON object (`/v1/roles` an empty one, `v1Empty`).
    if !body_json(request).is_some_and(|b| b.is_object()) {
        return error_reply(super::Fake::Ozon, 400, "invalid request payload");
    }
    let body = body_json(request).unwrap_or_default();
    let (now, scale) = (Instant::now(), state.limiter.scale());
    let bad = |message: &str| error_reply(super::Fake::Ozon, 400, message);
    let answer = |r: Result<Value, String>| r.map_or_else(|m| bad(&m), |v| json_reply(200, &v));
    let ozon = &mut state.ozon;
    match route.name {
        "roles" => {
            let roles: Vec<_> = state.tokens[token]
                .ozon_roles
                .iter()
                .map(|(name, methods)| json!({"name": name, "methods": methods}))
                .collect();
            json_reply(200, &json!({ "roles": roles }))
        }
        "tree" => json_reply(200, &catalog::tree()),
        "attributes" => match catalog::attributes(&body) {
            Some(v) => json_reply(200, &v),
            None => error_reply(super::Fake::Ozon, 404, "description category or type not found"),
        },
        "values" => answer(catalog::values(&body).map_err(str::to_owned)),
        "import" => answer(tasks::import(ozon, &body)),
        "import_info" => match tasks::info(ozon, &body) {
            Some(v) => json_reply(200, &v),
            None => error_reply(super::Fake::Ozon, 404, "task not found"),
        },
        "info_list" => answer(products::info_list(ozon, &body)),
        "list" => answer(products::list(ozon, &body)),
        "prices" => answer(prices::import(ozon, &body, now, scale)),
        "stocks" => answer(stocks::update(ozon, &body, now, scale)),
        _ => super::not_found(super::Fake::Ozon),
    }
}

/// An int64 as Ozon's requests carry it: a number or a string of digits.
fn int(v: &Value) -> Option<i64> {
    v.as_i64().or_else(|| v.as_str().and_then(|s| s.trim().parse().ok()))
}

/// 429 `{"code":8,"message":"You have reached request rate limit per second"}` (not in the spec;
/// the body real clients see).
pub(super) fn too_many() -> Reply {
    json_reply(
        429,
        &json!({"code": 8, "message": "You have reached request rate limit per second", "details": []}),
    )
}

/// The fake's catalogue: what publishing, prices and stocks change.
#[derive(Debug)]
pub(crate) struct OzonState {
    /// By offer_id.
    products: BTreeMap<String, products::Product>,
    tasks: HashMap<i64, tasks::Task>,
    next_task: i64,
    next_product: i64,
    /// Polls a new import task answers `pending`.
    pending_polls: u32,
    /// Reads of the product info a new or changed product stays in moderation.
    moderation_polls: u32,
    /// Offer → the text moderation declines it with.
    declined: BTreeMap<String, String>,
    warehouses: Vec<i64>,
    /// (type_id, model name) → model_id: equal model names make one card.
    models: HashMap<(i64, String), i64>,
}

impl Default for OzonState {
    fn default() -> Self {
        OzonState {
            products: BTreeMap::new(),
            tasks: HashMap::new(),
            next_task: 172_549_792,
            next_product: 137_285_791,
            pending_polls: 1,
            moderation_polls: 0,
            declined: BTreeMap::new(),
            warehouses: stocks::WAREHOUSES.to_vec(),
            models: HashMap::new(),
        }
    }
}
