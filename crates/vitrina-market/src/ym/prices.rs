//! Business-wide prices (`POST /v2/businesses/{b}/offer-prices/updates`): one price for every
//! shop of the cabinet, keyed by the offer id alone, so a price can go before the card is on
//! Market. The answer is `{"status":"OK"}` for the whole batch.

use std::collections::HashSet;

use serde::Deserialize;
use serde_json::{Value, json};
use vitrina_store::export::ExportRow;

use super::business_id;
use super::card::basic_price;
use crate::api::{Cancel, ItemResult, Link, OutItem, Outcome};
use crate::error::{ErrorKind, MarketError};
use crate::http::{Client, Endpoint, Method};
use crate::market::Group;
use crate::precheck::{Problem, ProblemCode};

/// Offers per request (unique `offerId`s).
pub const PRICE_BATCH: usize = 500;

/// The offer id the marketplace knows: the link's, else the product's SKU.
pub(crate) fn offer_id<'a>(row: &'a ExportRow, link: &'a Link) -> &'a str {
    let linked = link.offer_id.trim();
    if linked.is_empty() { row.sku.trim() } else { linked }
}

pub fn price_item(row: &ExportRow, link: &Link) -> Result<Value, Problem> {
    match basic_price(row)? {
        Some(price) => Ok(json!({"offerId": offer_id(row, link), "price": price})),
        None => Err(Problem::new(ProblemCode::NoPrice, "price", String::new())),
    }
}

#[derive(Debug, Deserialize)]
struct StatusAnswer {
    #[serde(default)]
    status: String,
}

/// Sends `items` (within [`PRICE_BATCH`]); YM refuses repeated offer ids, so a repeat keeps the
/// last payload and every copy gets the one result.
pub fn send_prices(
    client: &Client,
    items: &[OutItem],
    cancel: Cancel,
) -> Result<Vec<ItemResult>, MarketError> {
    if items.is_empty() {
        return Ok(Vec::new());
    }
    let business = business_id(client)?;
    let offers = last_per_offer(items);
    let ep = Endpoint::new(
        Group::Ym,
        "ym.prices.business",
        Method::POST,
        format!("/v2/businesses/{business}/offer-prices/updates"),
    );
    let answer: StatusAnswer =
        client.json(&ep, Some(&json!({ "offers": offers })), offers.len() as u32, cancel)?;
    all_done(items, &answer.status, &ep.path)
}

/// The payloads of `items`, one per offer id (the last), in the order of their last copies.
pub(crate) fn last_per_offer(items: &[OutItem]) -> Vec<&Value> {
    let mut seen = HashSet::new();
    let mut out: Vec<&Value> =
        items.iter().rev().filter(|i| seen.insert(i.offer_id.as_str())).map(|i| &i.payload).collect();
    out.reverse();
    out
}

/// Every item applied, when the whole request was (`status` OK).
pub(crate) fn all_done(items: &[OutItem], status: &str, path: &str) -> Result<Vec<ItemResult>, MarketError> {
    if status != "OK" {
        return Err(MarketError::new(ErrorKind::BadResponse, format!("{path} answered status {status:?}")));
    }
    Ok(items
        .iter()
        .map(|i| ItemResult { offer_id: i.offer_id.clone(), outcome: Outcome::Done(i.link.ext.clone()) })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_price_item_needs_only_the_offer_id_and_a_price() {
        let row = ExportRow {
            sku: "RUN-42".into(),
            price: 599_000,
            old_price: Some(699_000),
            ..Default::default()
        };
        assert_eq!(
            price_item(&row, &Link::default()).unwrap(),
            json!({"offerId": "RUN-42", "price": {"value": 5990, "currencyId": "RUR", "discountBase": 6990}})
        );
        let linked = Link { offer_id: "OLD-42".into(), ..Link::default() };
        assert_eq!(price_item(&row, &linked).unwrap()["offerId"], "OLD-42");
        let free = ExportRow { price: 0, ..row };
        assert_eq!(price_item(&free, &Link::default()).unwrap_err().code, ProblemCode::NoPrice);
    }

    #[test]
    fn a_repeated_offer_goes_once_with_its_last_payload() {
        let item = |id: &str, v: i64| OutItem {
            offer_id: id.into(),
            payload: json!({"offerId": id, "v": v}),
            link: Link::default(),
        };
        let items = [item("A", 1), item("B", 1), item("A", 2)];
        assert_eq!(
            last_per_offer(&items),
            [&json!({"offerId": "B", "v": 1}), &json!({"offerId": "A", "v": 2})]
        );
    }
}
