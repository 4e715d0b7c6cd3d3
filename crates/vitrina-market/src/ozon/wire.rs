//! How every Ozon call goes out, and the parts of Ozon's answers publishing reads.
//!
//! Ozon's ids are int64: the spec's examples write them as JSON numbers, but a gRPC gateway may
//! write them as strings, so every id is read as either and kept as text (`None` for 0 or
//! empty, which Ozon sends for "not assigned yet").

use serde::de::DeserializeOwned;
use serde::{Deserialize, Deserializer};
use serde_json::Value;

use crate::api::{ExtIds, MarketProblem};
use crate::error::MarketError;
use crate::http::{Client, Endpoint, Method};
use crate::limits::OZON_GLOBAL;
use crate::market::Group;

/// `POST path` with a JSON `body` on `bucket` (the client adds `ozon.global` to any other).
pub(super) fn post<T: DeserializeOwned>(
    client: &Client,
    bucket: &'static str,
    path: &str,
    body: &Value,
    cancel: &dyn Fn() -> bool,
) -> Result<T, MarketError> {
    let ep = Endpoint::new(Group::Ozon, bucket, Method::POST, path);
    client.json(&ep, Some(body), 1, cancel)
}

/// [`post`] on the global bucket only (every method but stocks).
pub(super) fn call<T: DeserializeOwned>(
    client: &Client,
    path: &str,
    body: &Value,
    cancel: &dyn Fn() -> bool,
) -> Result<T, MarketError> {
    post(client, OZON_GLOBAL, path, body, cancel)
}

/// An int64 id given as a number or a string; 0, "" and null are no id.
pub(super) fn id<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    Ok(match Value::deserialize(d)? {
        Value::Number(n) if n.as_i64() != Some(0) => Some(n.to_string()),
        Value::String(s) if !s.trim().is_empty() && s.trim() != "0" => Some(s.trim().to_owned()),
        _ => None,
    })
}

/// A text that may come as null or as a number.
pub(super) fn text<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    Ok(match Value::deserialize(d)? {
        Value::String(s) => s,
        Value::Null => String::new(),
        other => other.to_string(),
    })
}

/// `{"result": T}`, the envelope of most of Ozon's answers.
#[derive(Debug, Deserialize)]
pub(super) struct Envelope<T> {
    pub result: T,
}

/// `/v3/product/info/list`: `{"items": [...]}`.
#[derive(Debug, Deserialize)]
pub(super) struct InfoList {
    #[serde(default)]
    pub items: Vec<InfoItem>,
}

/// One product as `/v3/product/info/list` shows it.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub(super) struct InfoItem {
    /// The product_id.
    #[serde(deserialize_with = "id")]
    pub id: Option<String>,
    #[serde(deserialize_with = "text")]
    pub offer_id: String,
    #[serde(deserialize_with = "id")]
    pub sku: Option<String>,
    #[serde(deserialize_with = "text")]
    pub name: String,
    pub barcodes: Vec<String>,
    #[serde(deserialize_with = "id")]
    pub description_category_id: Option<String>,
    #[serde(deserialize_with = "id")]
    pub type_id: Option<String>,
    #[serde(deserialize_with = "text")]
    pub price: String,
    pub images: Vec<String>,
    pub primary_image: Vec<String>,
    pub statuses: Statuses,
    pub errors: Vec<InfoError>,
    pub model_info: ModelInfo,
}

impl InfoItem {
    pub fn ext(&self) -> ExtIds {
        ExtIds {
            ext_id: self.id.clone(),
            ext_group: self.model_info.model_id.clone(),
            ext_sku: self.sku.clone(),
            sizes: None,
            ext_status: [&self.statuses.moderate_status, &self.statuses.status]
                .into_iter()
                .find(|s| !s.trim().is_empty())
                .cloned(),
        }
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub(super) struct Statuses {
    #[serde(deserialize_with = "text")]
    pub status: String,
    #[serde(deserialize_with = "text")]
    pub moderate_status: String,
    #[serde(deserialize_with = "text")]
    pub validation_status: String,
    #[serde(deserialize_with = "text")]
    pub status_failed: String,
    #[serde(deserialize_with = "text")]
    pub status_description: String,
    #[serde(deserialize_with = "text")]
    pub status_name: String,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub(super) struct ModelInfo {
    #[serde(deserialize_with = "id")]
    pub model_id: Option<String>,
}

/// One of a product's errors in `/v3/product/info/list`.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub(super) struct InfoError {
    #[serde(deserialize_with = "text")]
    pub code: String,
    #[serde(deserialize_with = "text")]
    pub field: String,
    #[serde(deserialize_with = "id")]
    pub attribute_id: Option<String>,
    /// `ERROR_LEVEL_ERROR`, `ERROR_LEVEL_WARNING`…
    #[serde(deserialize_with = "text")]
    pub level: String,
    pub texts: ErrorTexts,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub(super) struct ErrorTexts {
    #[serde(deserialize_with = "text")]
    pub attribute_name: String,
    #[serde(deserialize_with = "text")]
    pub message: String,
    #[serde(deserialize_with = "text")]
    pub description: String,
    #[serde(deserialize_with = "text")]
    pub short_description: String,
}

impl InfoError {
    /// A warning does not stop a card from going on sale.
    pub fn is_warning(&self) -> bool {
        self.level.to_ascii_uppercase().contains("WARNING")
    }

    pub fn problem(&self) -> MarketProblem {
        let t = &self.texts;
        let message = [&t.message, &t.description, &t.short_description]
            .into_iter()
            .find(|m| !m.trim().is_empty())
            .cloned()
            .unwrap_or_else(|| self.code.clone());
        MarketProblem {
            code: some(&self.code),
            field: self.attribute_id.clone().or_else(|| some(&self.field)),
            attr_name: some(&t.attribute_name),
            message,
        }
    }
}

/// `{"code", "message"}`, the per-item error of prices and stocks.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub(super) struct ItemError {
    #[serde(deserialize_with = "text")]
    pub code: String,
    #[serde(deserialize_with = "text")]
    pub message: String,
}

impl ItemError {
    pub fn problem(&self) -> MarketProblem {
        MarketProblem {
            code: some(&self.code),
            message: if self.message.trim().is_empty() { self.code.clone() } else { self.message.clone() },
            ..MarketProblem::default()
        }
    }
}

/// `Some` for a text that says something.
pub(super) fn some(text: &str) -> Option<String> {
    (!text.trim().is_empty()).then(|| text.to_owned())
}

/// Ozon's int64 ids go out as JSON numbers; `None` for text that is not one.
pub(super) fn int(text: &str) -> Option<i64> {
    text.trim().parse().ok()
}
