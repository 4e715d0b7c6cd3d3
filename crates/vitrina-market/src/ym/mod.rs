//! Yandex Market: typed answers and thin endpoint functions. The check endpoints are here;
//! publishing is split by what it does: [`dict`] (categories and parameters), [`card`] (the
//! pure card builder), [`publish`] (sending cards and asking for their status), [`prices`],
//! [`stocks`] and [`pull`] (the cabinet's existing cards), with [`YmApi`] tying them to
//! [`crate::api::MarketApi`].

mod api;
pub mod card;
pub mod dict;
pub mod prices;
pub mod publish;
pub mod pull;
pub mod stocks;

pub use api::YmApi;

use serde::Deserialize;

use crate::error::{ErrorKind, MarketError};
use crate::http::{Client, Endpoint, Method};
use crate::market::Group;

/// `POST /v2/auth/token` (`getAuthTokenInfo`).
#[derive(Debug, Clone, Deserialize)]
pub struct TokenInfo {
    #[serde(default)]
    pub status: String,
    pub result: TokenResult,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TokenResult {
    pub api_key: ApiKey,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ApiKey {
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub auth_scopes: Vec<String>,
}

/// `GET /v2/campaigns` (`getCampaigns`).
#[derive(Debug, Clone, Deserialize)]
pub struct Campaigns {
    #[serde(default)]
    pub campaigns: Vec<CampaignDto>,
    #[serde(default)]
    pub paging: Option<Paging>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Paging {
    #[serde(default)]
    pub next_page_token: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CampaignDto {
    pub id: i64,
    #[serde(default)]
    pub domain: String,
    #[serde(default)]
    pub business: Option<Business>,
    #[serde(default)]
    pub placement_type: Option<String>,
    #[serde(default)]
    pub api_availability: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct Business {
    pub id: i64,
    #[serde(default)]
    pub name: String,
}

pub fn token_info(client: &Client, cancel: &dyn Fn() -> bool) -> Result<TokenInfo, MarketError> {
    let ep = Endpoint::new(Group::Ym, "ym.auth", Method::POST, "/v2/auth/token");
    client.json(&ep, None::<&()>, 1, cancel)
}

/// Every campaign the key sees, following `paging.nextPageToken` (at most `max_pages` pages).
pub fn campaigns(
    client: &Client,
    max_pages: usize,
    cancel: &dyn Fn() -> bool,
) -> Result<Vec<CampaignDto>, MarketError> {
    let mut all = Vec::new();
    let mut token: Option<String> = None;
    for _ in 0..max_pages {
        let path = match &token {
            Some(t) => format!("/v2/campaigns?limit=100&pageToken={}", encode(t)),
            None => "/v2/campaigns?limit=100".to_owned(),
        };
        let ep = Endpoint::new(Group::Ym, "ym.campaigns", Method::GET, path);
        let page: Campaigns = client.json(&ep, None::<&()>, 1, cancel)?;
        all.extend(page.campaigns);
        token = page.paging.and_then(|p| p.next_page_token).filter(|t| !t.is_empty());
        if token.is_none() {
            break;
        }
    }
    Ok(all)
}

/// YM's success envelope `{"status":"OK","result":…}`; a missing `result` is a bad answer.
#[derive(Debug, Clone, Deserialize)]
pub struct Envelope<T> {
    #[serde(default)]
    pub status: String,
    pub result: Option<T>,
}

impl<T> Envelope<T> {
    pub fn into_result(self, path: &str) -> Result<T, MarketError> {
        self.result.ok_or_else(|| {
            MarketError::new(ErrorKind::BadResponse, format!("{path} answered without a result"))
        })
    }
}

/// The account's `businessId`: every catalogue and price path names it.
pub(crate) fn business_id(client: &Client) -> Result<i64, MarketError> {
    client.business_id().ok_or_else(|| {
        MarketError::new(
            ErrorKind::Invalid,
            "the Yandex Market account has no business id: set it (--business-id) and check the connection",
        )
    })
}

/// The account's `campaignId`: stocks go per shop.
pub(crate) fn campaign_id(client: &Client) -> Result<i64, MarketError> {
    client.campaign_id().ok_or_else(|| {
        MarketError::new(
            ErrorKind::Invalid,
            "the Yandex Market account has no campaign id: set it (--campaign-id) and check the connection",
        )
    })
}

/// Percent-encodes a query value (page tokens are opaque, often base64).
fn encode(v: &str) -> String {
    v.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    #[test]
    fn page_tokens_are_encoded() {
        assert_eq!(super::encode("eyJ+/a=="), "eyJ%2B%2Fa%3D%3D");
    }
}
