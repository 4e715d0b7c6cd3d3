//! Prices: `/v1/product/import/prices`, synchronous, one result per item.

use std::time::Duration;

use serde::Deserialize;
use serde_json::{Value, json};
use vitrina_store::export::ExportRow;

use super::card::currency;
use super::money::{format_minor, old_price};
use super::wire::{Envelope, ItemError, call, id, text};
use crate::api::{ExtIds, ItemResult, Link, MarketProblem, OutItem, Outcome};
use crate::error::{ErrorKind, MarketError};
use crate::http::Client;
use crate::precheck::{Problem, ProblemCode};

/// Items per request (documented).
pub(super) const PRICES_MAX: usize = 1000;
/// A product's price changes at most 10 times an hour: one that hit the limit waits a tenth.
const RATE_WAIT: Duration = Duration::from_secs(360);

/// `{offer_id, price, old_price, currency_code}`: the offer_id alone names the product (it wins
/// over a product_id), so a price can go before the card's ids are known. `old_price` always
/// goes (`"0"` clears it): once sent, Ozon wants it with every price. `min_price` is left out,
/// so auto-actions keep the seller's own setting.
pub(super) fn item(row: &ExportRow, _link: &Link) -> Result<Value, Problem> {
    if row.price <= 0 {
        return Err(Problem::new(ProblemCode::NoPrice, "price", String::new()));
    }
    Ok(json!({
        "offer_id": row.sku.trim(),
        "price": format_minor(row.price),
        "old_price": old_price(row.price, row.old_price)?,
        "currency_code": currency(&row.currency),
    }))
}

#[derive(Debug, Deserialize)]
pub(super) struct ItemAnswer {
    #[serde(default, deserialize_with = "id")]
    pub product_id: Option<String>,
    #[serde(default, deserialize_with = "text")]
    pub offer_id: String,
    #[serde(default)]
    pub updated: bool,
    #[serde(default)]
    pub errors: Vec<ItemError>,
}

pub(super) fn send(
    client: &Client,
    items: &[OutItem],
    cancel: &dyn Fn() -> bool,
) -> Result<Vec<ItemResult>, MarketError> {
    if items.len() > PRICES_MAX {
        return Err(MarketError::new(
            ErrorKind::Invalid,
            format!("{} prices in one request; Ozon takes at most {PRICES_MAX}", items.len()),
        ));
    }
    let prices: Vec<&Value> = items.iter().map(|i| &i.payload).collect();
    let answer: Envelope<Vec<ItemAnswer>> =
        call(client, "/v1/product/import/prices", &json!({ "prices": prices }), cancel)?;
    Ok(items.iter().map(|i| result(i, &answer.result, retry_code)).collect())
}

/// The per-item codes that pass: the hourly limit of price changes. The others (a bad old
/// price, an unknown offer) would come back for the same item.
fn retry_code(code: &str) -> Option<Duration> {
    let code = code.to_ascii_uppercase();
    ["TOO_MANY", "TOO_OFTEN", "RATE_LIMIT", "LIMIT_EXCEEDED"]
        .iter()
        .any(|w| code.contains(w))
        .then_some(RATE_WAIT)
}

/// The item's result from the answer's entry of the same offer: updated → done; an error that
/// passes → retry; others → rejected verbatim. An item the answer does not mention goes again.
pub(super) fn result(
    item: &OutItem,
    answers: &[ItemAnswer],
    retry: fn(&str) -> Option<Duration>,
) -> ItemResult {
    let outcome = match answers.iter().find(|a| a.offer_id == item.offer_id) {
        Some(a) if a.updated && a.errors.is_empty() => {
            Outcome::Done(item.link.ext.merged(&ExtIds { ext_id: a.product_id.clone(), ..ExtIds::default() }))
        }
        Some(a) => match a.errors.iter().find_map(|e| retry(&e.code).map(|d| (d, e))) {
            Some((after, e)) => Outcome::Retry { after, reason: e.problem() },
            None if a.errors.is_empty() => Outcome::Retry {
                after: RATE_WAIT,
                reason: MarketProblem::text("Ozon did not apply it and said no more"),
            },
            None => Outcome::Rejected(a.errors.iter().map(ItemError::problem).collect()),
        },
        None => {
            Outcome::Retry { after: RATE_WAIT, reason: MarketProblem::text("missing from Ozon's answer") }
        }
    };
    ItemResult { offer_id: item.offer_id.clone(), outcome }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_price_item_names_the_offer_and_carries_both_prices() {
        let row =
            ExportRow { sku: " A-1 ".into(), price: 144_800, old_price: Some(199_000), ..Default::default() };
        assert_eq!(
            item(&row, &Link::default()).unwrap(),
            json!({"offer_id": "A-1", "price": "1448", "old_price": "1990", "currency_code": "RUB"})
        );
        let close = ExportRow { old_price: Some(145_000), ..row.clone() };
        assert_eq!(item(&close, &Link::default()).unwrap_err().code, ProblemCode::BadDiscount);
        assert_eq!(
            item(&ExportRow { price: 0, ..row }, &Link::default()).unwrap_err().code,
            ProblemCode::NoPrice
        );
    }

    #[test]
    fn per_item_answers_map_to_outcomes() {
        let answers: Vec<ItemAnswer> = serde_json::from_value(json!([
            {"offer_id": "a", "product_id": 11, "updated": true, "errors": []},
            {"offer_id": "b", "product_id": 12, "updated": false,
             "errors": [{"code": "TOO_MANY_REQUESTS", "message": "too often"}]},
            {"offer_id": "c", "product_id": 0, "updated": false,
             "errors": [{"code": "PRODUCT_NOT_FOUND", "message": "Товар не найден"}]}
        ]))
        .unwrap();
        let out = |offer: &str| {
            let item = OutItem { offer_id: offer.into(), payload: json!({}), link: Link::default() };
            result(&item, &answers, retry_code).outcome
        };
        assert_eq!(out("a"), Outcome::Done(ExtIds { ext_id: Some("11".into()), ..ExtIds::default() }));
        assert!(matches!(out("b"), Outcome::Retry { after: RATE_WAIT, .. }));
        let Outcome::Rejected(p) = out("c") else { panic!() };
        assert_eq!(
            (p[0].code.as_deref(), p[0].message.as_str()),
            (Some("PRODUCT_NOT_FOUND"), "Товар не найден")
        );
        assert!(matches!(out("d"), Outcome::Retry { .. }));
    }
}
