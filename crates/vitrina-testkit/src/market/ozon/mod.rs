//! The Ozon fake: `swagger.json` shapes; errors as gRPC-gateway `rpcStatus`
//! `{"code": int, "message", "details"}` with the Errors appendix's messages.

use serde_json::json;

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

pub(super) fn route(method: &str, path: &str) -> Option<Route> {
    match (method, path) {
        ("POST", "/v1/roles") => {
            Some(Route { name: "roles", bucket: "global", limit: GLOBAL, category: None })
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
    match route.name {
        "roles" => {
            let roles: Vec<_> = state.tokens[token]
                .ozon_roles
                .iter()
                .map(|(name, methods)| json!({"name": name, "methods": methods}))
                .collect();
            json_reply(200, &json!({ "roles": roles }))
        }
        _ => super::not_found(super::Fake::Ozon),
    }
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
#[derive(Debug, Default)]
pub(crate) struct OzonState {}
