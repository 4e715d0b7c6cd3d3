//! Wildberries: typed answers and thin endpoint functions for the connection check, and the
//! publishing side ([`WbApi`]) in one module per job: dictionaries ([`dict`]), the card
//! builder ([`card`]), sending cards ([`publish`]) and following them up ([`follow`]), prices,
//! stocks and reading existing cards ([`pull`]).

mod api;
mod card;
mod dict;
mod follow;
mod prices;
mod publish;
mod pull;
mod stocks;

pub use api::WbApi;

use serde::Deserialize;
use serde_json::Value;

use crate::error::MarketError;
use crate::http::{Client, Endpoint, Method};
use crate::market::Group;

/// The content and prices envelope `{"data", "error", "errorText", "additionalErrors"}`.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Envelope<T> {
    pub data: Option<T>,
    #[serde(default)]
    pub error: bool,
    #[serde(default)]
    pub error_text: String,
    /// An object, a string or null (the spec gives all three).
    #[serde(default)]
    pub additional_errors: Value,
}

/// `GET /content/v2/object/parent/all`: a parent category.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ParentCategory {
    pub id: i64,
    pub name: String,
    #[serde(default)]
    pub is_visible: bool,
}

/// `GET /api/v2/list/goods/filter`: `data`.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct GoodsList {
    #[serde(default)]
    pub list_goods: Vec<Value>,
}

/// `GET /api/v3/warehouses`: a seller warehouse.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Warehouse {
    pub id: i64,
    pub name: String,
    #[serde(default)]
    pub office_id: Option<i64>,
    #[serde(default)]
    pub cargo_type: Option<i64>,
    #[serde(default)]
    pub delivery_type: Option<i64>,
    #[serde(default)]
    pub is_deleting: bool,
    #[serde(default)]
    pub is_processing: bool,
}

pub fn parent_categories(
    client: &Client,
    cancel: &dyn Fn() -> bool,
) -> Result<Envelope<Vec<ParentCategory>>, MarketError> {
    let ep =
        Endpoint::new(Group::WbContent, "wb.content", Method::GET, "/content/v2/object/parent/all?locale=ru");
    client.json(&ep, None::<&()>, 1, cancel)
}

pub fn goods(
    client: &Client,
    limit: u32,
    offset: u32,
    cancel: &dyn Fn() -> bool,
) -> Result<Envelope<GoodsList>, MarketError> {
    let path = format!("/api/v2/list/goods/filter?limit={limit}&offset={offset}");
    let ep = Endpoint::new(Group::WbPrices, "wb.prices", Method::GET, path);
    client.json(&ep, None::<&()>, 1, cancel)
}

pub fn warehouses(client: &Client, cancel: &dyn Fn() -> bool) -> Result<Vec<Warehouse>, MarketError> {
    let ep = Endpoint::new(Group::WbMarketplace, "wb.warehouses", Method::GET, "/api/v3/warehouses");
    client.json(&ep, None::<&()>, 1, cancel)
}
