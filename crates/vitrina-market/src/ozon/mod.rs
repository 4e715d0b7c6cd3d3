//! Ozon: the check endpoint and the publishing side ([`OzonApi`]): dictionaries ([`dict`]),
//! the card builder ([`card`]), imports and their follow-up ([`publish`]), prices, stocks and
//! existing cards, over the shared call and answer types of [`wire`].

mod api;
mod card;
mod dict;
mod money;
mod prices;
mod publish;
mod pull;
mod stocks;
mod wire;

pub use api::OzonApi;

use serde::Deserialize;

use crate::error::MarketError;
use crate::http::{Client, Endpoint, Method};
use crate::market::Group;

/// `POST /v1/roles` (`AccessAPI_RolesByToken`).
#[derive(Debug, Clone, Deserialize)]
pub struct Roles {
    #[serde(default)]
    pub roles: Vec<Role>,
    /// Added 2026-03-04, not in the saved spec.
    #[serde(default)]
    pub expires_at: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct Role {
    pub name: String,
    /// Method paths the role allows; they look like path prefixes (unverified).
    #[serde(default)]
    pub methods: Vec<String>,
}

impl Roles {
    /// Whether some role allows `path` (exactly, or as a prefix of it).
    pub fn allows(&self, path: &str) -> bool {
        self.roles.iter().flat_map(|r| &r.methods).any(|m| {
            let m = m.trim();
            !m.is_empty() && (m == path || path.starts_with(m.trim_end_matches('*')))
        })
    }
}

pub fn roles(client: &Client, cancel: &dyn Fn() -> bool) -> Result<Roles, MarketError> {
    let ep = Endpoint::new(Group::Ozon, "ozon.global", Method::POST, "/v1/roles");
    client.json(&ep, Some(&serde_json::json!({})), 1, cancel)
}
