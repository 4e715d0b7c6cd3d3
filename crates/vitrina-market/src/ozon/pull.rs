//! Existing cards: `/v3/product/list` pages through the account's products by `last_id`;
//! `/v3/product/info/list` gives each page's details.

use serde::Deserialize;
use serde_json::json;

use super::money::parse_minor;
use super::wire::{Envelope, InfoList, call, id, text};
use crate::api::RemoteCard;
use crate::error::MarketError;
use crate::http::Client;

/// Products per page: the documented maximum, which is also what one info call takes.
pub(super) const PAGE: usize = 1000;

#[derive(Debug, Deserialize)]
struct ListPage {
    #[serde(default)]
    items: Vec<ListItem>,
    #[serde(default, deserialize_with = "text")]
    last_id: String,
}

#[derive(Debug, Deserialize)]
struct ListItem {
    #[serde(default, deserialize_with = "id")]
    product_id: Option<String>,
}

/// One page of every product, archived ones included; the next cursor while pages are full.
pub(super) fn page(
    client: &Client,
    cursor: Option<&str>,
    cancel: &dyn Fn() -> bool,
) -> Result<(Vec<RemoteCard>, Option<String>), MarketError> {
    let list: Envelope<ListPage> = call(
        client,
        "/v3/product/list",
        &json!({"filter": {"visibility": "ALL"}, "last_id": cursor.unwrap_or_default(), "limit": PAGE}),
        cancel,
    )?;
    let ids: Vec<&str> = list.result.items.iter().filter_map(|i| i.product_id.as_deref()).collect();
    let next = (list.result.items.len() >= PAGE && !list.result.last_id.is_empty())
        .then(|| list.result.last_id.clone());
    if ids.is_empty() {
        return Ok((Vec::new(), next));
    }
    let info: InfoList = call(client, "/v3/product/info/list", &json!({ "product_id": ids }), cancel)?;
    let cards = info
        .items
        .iter()
        .map(|i| RemoteCard {
            offer_id: i.offer_id.clone(),
            ext: i.ext(),
            name: i.name.clone(),
            barcodes: i.barcodes.clone(),
            images: images(&i.primary_image, &i.images),
            category_id: match (&i.description_category_id, &i.type_id) {
                (Some(c), Some(t)) => Some(format!("{c}:{t}")),
                _ => None,
            },
            price: parse_minor(&i.price).filter(|p| *p > 0),
            ..RemoteCard::default()
        })
        .collect();
    Ok((cards, next))
}

/// The main picture first (Ozon lists it apart when it was set apart), each once.
fn images(primary: &[String], rest: &[String]) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for url in primary.iter().chain(rest) {
        if !url.trim().is_empty() && !out.contains(url) {
            out.push(url.clone());
        }
    }
    out
}
