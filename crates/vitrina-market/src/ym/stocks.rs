//! Stocks per shop (`PUT /v2/campaigns/{campaignId}/offers/stocks`): YM keeps one count per
//! offer and campaign, so the warehouse argument of [`crate::api::MarketApi`] is `""` and the
//! account's campaign is the place.

use serde::Deserialize;
use serde_json::{Value, json};
use vitrina_store::export::ExportRow;

use super::campaign_id;
use super::prices::{all_done, last_per_offer, offer_id};
use crate::api::{Cancel, ItemResult, Link, OutItem};
use crate::error::MarketError;
use crate::http::{Client, Endpoint, Method};
use crate::market::Group;
use crate::precheck::Problem;

/// SKUs per request (unique).
pub const STOCK_BATCH: usize = 2000;
/// The largest `count` YM takes.
const MAX_COUNT: i64 = 2_000_000_000;

/// `{sku, items:[{count}]}`. `updatedAt` is added when sending: it is the time of the push, and
/// keeping it out of the item keeps the item's hash a hash of the count.
pub fn stock_item(row: &ExportRow, link: &Link) -> Result<Value, Problem> {
    let count = row.stock.clamp(0, MAX_COUNT);
    Ok(json!({"sku": offer_id(row, link), "items": [{"count": count}]}))
}

/// `items` with `updatedAt` set to `now` (RFC 3339, UTC).
pub fn stamped(items: &[&Value], now: &str) -> Vec<Value> {
    items
        .iter()
        .map(|item| {
            let mut item = (*item).clone();
            if let Some(entries) = item.get_mut("items").and_then(Value::as_array_mut) {
                for entry in entries.iter_mut().filter_map(Value::as_object_mut) {
                    entry.insert("updatedAt".into(), json!(now));
                }
            }
            item
        })
        .collect()
}

#[derive(Debug, Deserialize)]
struct StatusAnswer {
    #[serde(default)]
    status: String,
}

pub fn send_stocks(
    client: &Client,
    items: &[OutItem],
    cancel: Cancel,
) -> Result<Vec<ItemResult>, MarketError> {
    if items.is_empty() {
        return Ok(Vec::new());
    }
    let campaign = campaign_id(client)?;
    let now = chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
    let skus = stamped(&last_per_offer(items), &now);
    let ep = Endpoint::new(
        Group::Ym,
        "ym.stocks.update",
        Method::PUT,
        format!("/v2/campaigns/{campaign}/offers/stocks"),
    );
    let answer: StatusAnswer = client.json(&ep, Some(&json!({ "skus": skus })), skus.len() as u32, cancel)?;
    all_done(items, &answer.status, &ep.path)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stock_items_count_what_can_be_sold_and_are_stamped_when_sent() {
        let row = ExportRow { sku: "RUN-42".into(), stock: -3, ..Default::default() };
        let item = stock_item(&row, &Link::default()).unwrap();
        assert_eq!(item, json!({"sku": "RUN-42", "items": [{"count": 0}]}));
        let many = ExportRow { stock: 5_000_000_000, ..row };
        assert_eq!(stock_item(&many, &Link::default()).unwrap()["items"][0]["count"], 2_000_000_000_i64);
        assert_eq!(
            stamped(&[&item], "2026-12-06T05:00:09Z"),
            [json!({"sku": "RUN-42", "items": [{"count": 0, "updatedAt": "2026-12-06T05:00:09Z"}]})]
        );
    }
}
