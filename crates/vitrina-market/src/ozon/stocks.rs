//! Stocks: `/v2/products/stocks`, ≤ 100 product-warehouse pairs, one result per pair. A pair
//! takes one update per 30 s, and only once the product's price is sent.

use std::time::Duration;

use serde_json::{Value, json};
use vitrina_store::export::ExportRow;

use super::prices::{ItemAnswer, result};
use super::wire::{Envelope, int, post};
use crate::api::{ItemResult, Link, OutItem};
use crate::error::{ErrorKind, MarketError};
use crate::http::Client;
use crate::precheck::{Problem, ProblemCode};

/// Pairs per request (documented).
pub(super) const STOCKS_MAX: usize = 100;
/// The stock method's own bucket, besides the global one.
const BUCKET: &str = "ozon.stocks";

/// `{offer_id, product_id (when known), stock, warehouse_id}`; a negative stock goes as 0.
pub(super) fn item(row: &ExportRow, link: &Link, warehouse: &str) -> Result<Value, Problem> {
    let Some(warehouse_id) = int(warehouse).filter(|w| *w > 0) else {
        return Err(Problem::new(
            ProblemCode::NoWarehouse,
            "stock",
            format!("{warehouse:?} is not an Ozon warehouse id"),
        ));
    };
    let mut item =
        json!({"offer_id": row.sku.trim(), "stock": row.stock.max(0), "warehouse_id": warehouse_id});
    if let Some(product_id) = link.ext.ext_id.as_deref().and_then(int) {
        item["product_id"] = json!(product_id);
    }
    Ok(item)
}

/// The per-pair codes that pass: no price sent yet (once it is, the stock goes), the pair
/// updated within 30 s. Everything else (`product_is_not_created`, `offer_id_not_found`,
/// `WAREHOUSE_NOT_FOUND`, `STOCK_TOO_BIG`…) would be refused again.
fn retry_code(code: &str) -> Option<Duration> {
    match code.to_ascii_uppercase().as_str() {
        "PRICE_IS_NOT_SENT" => Some(Duration::from_secs(300)),
        "TOO_MANY_REQUESTS" => Some(Duration::from_secs(30)),
        _ => None,
    }
}

/// Sends one warehouse's pairs (each item names its warehouse, so the answer's pairs are told
/// apart by offer).
pub(super) fn send(
    client: &Client,
    items: &[OutItem],
    cancel: &dyn Fn() -> bool,
) -> Result<Vec<ItemResult>, MarketError> {
    if items.len() > STOCKS_MAX {
        return Err(MarketError::new(
            ErrorKind::Invalid,
            format!("{} stocks in one request; Ozon takes at most {STOCKS_MAX}", items.len()),
        ));
    }
    let stocks: Vec<&Value> = items.iter().map(|i| &i.payload).collect();
    let answer: Envelope<Vec<ItemAnswer>> =
        post(client, BUCKET, "/v2/products/stocks", &json!({ "stocks": stocks }), cancel)?;
    Ok(items.iter().map(|i| result(i, &answer.result, retry_code)).collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::ExtIds;

    #[test]
    fn a_stock_item_has_the_pair_and_never_a_negative_stock() {
        let row = ExportRow { sku: "A-1".into(), stock: -3, ..Default::default() };
        let link =
            Link { ext: ExtIds { ext_id: Some("313455276".into()), ..ExtIds::default() }, ..Link::default() };
        assert_eq!(
            item(&row, &link, "22142605386000").unwrap(),
            json!({"offer_id": "A-1", "product_id": 313455276, "stock": 0, "warehouse_id": 22142605386000_i64})
        );
        let fresh = item(&ExportRow { stock: 7, ..row.clone() }, &Link::default(), "1").unwrap();
        assert_eq!(fresh, json!({"offer_id": "A-1", "stock": 7, "warehouse_id": 1}));
        assert_eq!(item(&row, &link, "").unwrap_err().code, ProblemCode::NoWarehouse);
        assert_eq!(item(&row, &link, "main").unwrap_err().code, ProblemCode::NoWarehouse);
    }

    #[test]
    fn only_a_missing_price_and_a_busy_pair_pass() {
        assert_eq!(retry_code("PRICE_IS_NOT_SENT"), Some(Duration::from_secs(300)));
        assert_eq!(retry_code("TOO_MANY_REQUESTS"), Some(Duration::from_secs(30)));
        for code in ["product_is_not_created", "offer_id_not_found", "WAREHOUSE_NOT_FOUND", "STOCK_TOO_BIG"] {
            assert_eq!(retry_code(code), None, "{code}");
        }
    }
}
