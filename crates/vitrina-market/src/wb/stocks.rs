//! Stocks: `PUT /api/v3/stocks/{warehouseId}` with `{"stocks":[{"chrtId","amount"}]}` (up to
//! 1000, keyed by the card's size ids; by barcode WB now refuses them), 204 when applied.
//!
//! A 409 names the refused items in its `data`, but the client keeps only an error's text, so
//! a refused request of several items is split in halves and sent again until the refused
//! items stand alone (a stock PUT sets the amount, so sending it twice is harmless). A few
//! dozen extra requests at most: past that budget the rest of a refused part is rejected
//! with WB's words.

use serde_json::{Value, json};
use vitrina_store::export::ExportRow;

use crate::api::{Cancel, ItemResult, Link, MarketProblem, OutItem, Outcome};
use crate::error::{ErrorKind, MarketError};
use crate::http::{Client, Endpoint, Method};
use crate::market::Group;
use crate::precheck::{Problem, ProblemCode};

/// WB's limit per request, in `stocks` entries.
const MAX_ENTRIES: usize = 1000;
/// WB's largest amount.
const MAX_AMOUNT: i64 = 100_000;
/// Extra requests one send may spend finding the refused items.
const SPLIT_BUDGET: u32 = 32;

/// The stock item for `row` on `warehouse`: the amount for each of the card's sizes that carry
/// one of the product's barcodes (every size of the card when none does).
pub(super) fn item(row: &ExportRow, link: &Link, warehouse: &str) -> Result<Value, Problem> {
    if warehouse.trim().parse::<i64>().is_err() {
        return Err(Problem::new(ProblemCode::NoWarehouse, "stock", "no Wildberries warehouse is mapped"));
    }
    let sizes: Vec<&Value> =
        link.ext.sizes.as_ref().and_then(Value::as_array).map(|a| a.iter().collect()).unwrap_or_default();
    let chrt = |s: &Value| s.get("chrtID").and_then(Value::as_i64);
    let has_barcode = |s: &Value| {
        s.get("skus").and_then(Value::as_array).is_some_and(|skus| {
            skus.iter().any(|k| row.barcodes.iter().any(|b| Some(b.trim()) == k.as_str()))
        })
    };
    let mut ids: Vec<i64> = sizes.iter().filter(|s| has_barcode(s)).filter_map(|s| chrt(s)).collect();
    if ids.is_empty() {
        ids = sizes.iter().filter_map(|s| chrt(s)).collect();
    }
    if ids.is_empty() {
        return Err(Problem::new(
            ProblemCode::NotPublished,
            "stock",
            "the card has no size ids (chrtID) on Wildberries yet",
        ));
    }
    let amount = row.stock.clamp(0, MAX_AMOUNT);
    Ok(json!({"stocks": ids.iter().map(|id| json!({"chrtId": id, "amount": amount})).collect::<Vec<_>>()}))
}

fn entries(item: &OutItem) -> &[Value] {
    item.payload.get("stocks").and_then(Value::as_array).map_or(&[], Vec::as_slice)
}

pub(super) fn send(
    client: &Client,
    warehouse: &str,
    items: &[OutItem],
    cancel: Cancel,
) -> Result<Vec<ItemResult>, MarketError> {
    let Ok(warehouse) = warehouse.trim().parse::<i64>() else {
        return Err(MarketError::new(
            ErrorKind::Invalid,
            format!("{warehouse:?} is not a Wildberries warehouse id"),
        ));
    };
    let mut out = Vec::with_capacity(items.len());
    let mut budget = SPLIT_BUDGET;
    let mut chunk: Vec<&OutItem> = Vec::new();
    let mut size = 0;
    for item in items {
        let n = entries(item).len();
        if !chunk.is_empty() && size + n > MAX_ENTRIES {
            out.extend(put(client, warehouse, &chunk, &mut budget, cancel)?);
            chunk.clear();
            size = 0;
        }
        chunk.push(item);
        size += n;
    }
    if !chunk.is_empty() {
        out.extend(put(client, warehouse, &chunk, &mut budget, cancel)?);
    }
    Ok(out)
}

/// Sends `items` at once; on a 409, each half again while the budget lasts.
fn put(
    client: &Client,
    warehouse: i64,
    items: &[&OutItem],
    budget: &mut u32,
    cancel: Cancel,
) -> Result<Vec<ItemResult>, MarketError> {
    let stocks: Vec<&Value> = items.iter().flat_map(|i| entries(i)).collect();
    let body = serde_json::to_vec(&json!({"stocks": stocks}))
        .map_err(|e| MarketError::new(ErrorKind::Invalid, e.to_string()))?;
    let ep =
        Endpoint::new(Group::WbMarketplace, "wb.stocks", Method::PUT, format!("/api/v3/stocks/{warehouse}"));
    let result = |outcome: &dyn Fn() -> Outcome| {
        items
            .iter()
            .map(|i| ItemResult { offer_id: i.offer_id.clone(), outcome: outcome() })
            .collect::<Vec<_>>()
    };
    match client.send(&ep, Some(&body), 1, cancel) {
        Ok(_) => Ok(items
            .iter()
            .map(|i| ItemResult { offer_id: i.offer_id.clone(), outcome: Outcome::Done(i.link.ext.clone()) })
            .collect()),
        Err(e) if e.status == Some(409) => {
            if items.len() > 1 && *budget >= 2 {
                *budget -= 2;
                let (a, b) = items.split_at(items.len() / 2);
                let mut out = put(client, warehouse, a, budget, cancel)?;
                out.extend(put(client, warehouse, b, budget, cancel)?);
                Ok(out)
            } else {
                let problem = MarketProblem {
                    code: e.code.clone(),
                    message: e.message.clone(),
                    ..MarketProblem::default()
                };
                Ok(result(&|| Outcome::Rejected(vec![problem.clone()])))
            }
        }
        Err(e) => Err(e),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::ExtIds;

    fn link(sizes: Value) -> Link {
        Link {
            ext: ExtIds { ext_id: Some("1".into()), sizes: Some(sizes), ..ExtIds::default() },
            ..Link::default()
        }
    }

    #[test]
    fn a_stock_goes_to_the_sizes_of_the_products_barcodes() {
        let row = ExportRow { stock: 7, barcodes: vec!["222".into()], ..Default::default() };
        let two = link(json!([{"chrtID": 11, "skus": ["111"]}, {"chrtID": 12, "skus": ["222"]}]));
        assert_eq!(item(&row, &two, "507").unwrap(), json!({"stocks": [{"chrtId": 12, "amount": 7}]}));
        let other = link(json!([{"chrtID": 11, "skus": ["111"]}]));
        assert_eq!(item(&row, &other, "507").unwrap(), json!({"stocks": [{"chrtId": 11, "amount": 7}]}));
        let huge = ExportRow { stock: 1_000_000, ..row.clone() };
        assert_eq!(item(&huge, &other, "507").unwrap()["stocks"][0]["amount"], 100_000);
        let negative = ExportRow { stock: -3, ..row.clone() };
        assert_eq!(item(&negative, &other, "507").unwrap()["stocks"][0]["amount"], 0);
    }

    #[test]
    fn a_stock_needs_size_ids_and_a_warehouse() {
        let row = ExportRow::default();
        assert_eq!(item(&row, &Link::default(), "507").unwrap_err().code, ProblemCode::NotPublished);
        assert_eq!(item(&row, &link(json!([{"chrtID": 1}])), "").unwrap_err().code, ProblemCode::NoWarehouse);
    }
}
