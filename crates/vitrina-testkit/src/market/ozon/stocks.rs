//! `/v2/products/stocks`: ≤ 100 pairs, one result per pair, each with Ozon's per-item codes:
//! `offer_id_not_found` / `product_is_not_created` for an unknown product,
//! `WAREHOUSE_NOT_FOUND`, `STOCK_TOO_BIG` (≥ 1 000 000), `PRICE_IS_NOT_SENT` until a price
//! was set, `TOO_MANY_REQUESTS` for a pair updated within 30 s (in the fake's time).

use std::time::{Duration, Instant};

use serde_json::{Value, json};

use super::OzonState;
use crate::market::FakeMarket;

/// The seller's warehouses a fresh fake knows.
pub(super) const WAREHOUSES: &[i64] = &[22_142_605_386_000, 1_020_000_123_456_000];

pub(super) fn update(state: &mut OzonState, body: &Value, now: Instant, scale: f64) -> Result<Value, String> {
    let items = body.get("stocks").and_then(Value::as_array).ok_or("stocks are required")?;
    if items.is_empty() || items.len() > 100 {
        return Err(format!("invalid ProductsStocksRequest.Stocks: 1 to 100 items, got {}", items.len()));
    }
    let window = Duration::from_secs(30).div_f64(scale);
    let result: Vec<Value> = items.iter().map(|item| one(state, item, now, window)).collect();
    Ok(json!({ "result": result }))
}

fn one(state: &mut OzonState, item: &Value, now: Instant, window: Duration) -> Value {
    let offer = item.get("offer_id").and_then(Value::as_str).unwrap_or_default().trim().to_owned();
    let product_id = item.get("product_id").and_then(super::int).unwrap_or(0);
    let warehouse = item.get("warehouse_id").and_then(super::int).unwrap_or(0);
    let stock = item.get("stock").and_then(Value::as_i64).unwrap_or(-1);
    let key = if offer.is_empty() {
        state.products.iter().find(|(_, p)| p.product_id == product_id).map(|(k, _)| k.clone())
    } else {
        state.products.contains_key(&offer).then(|| offer.clone())
    };
    let known_warehouse = state.warehouses.contains(&warehouse);
    let answer = |product_id: i64, code: Option<(&str, &str)>| {
        let errors: Vec<Value> = code.map(|(c, m)| json!({"code": c, "message": m})).into_iter().collect();
        json!({"warehouse_id": warehouse, "product_id": product_id, "offer_id": offer,
               "updated": errors.is_empty(), "errors": errors})
    };
    let Some(key) = key else {
        return answer(
            0,
            Some(if offer.is_empty() {
                ("product_is_not_created", "Product is not created")
            } else {
                ("offer_id_not_found", "Offer id not found")
            }),
        );
    };
    let p = state.products.get_mut(&key).expect("found above");
    let code = if !known_warehouse {
        Some(("WAREHOUSE_NOT_FOUND", "Warehouse not found"))
    } else if !(0..1_000_000).contains(&stock) {
        Some(("STOCK_TOO_BIG", "Stock is too big"))
    } else if p.price.is_none() {
        Some(("PRICE_IS_NOT_SENT", "Price is not sent"))
    } else if p.stocks.get(&warehouse).is_some_and(|(_, at)| now.duration_since(*at) < window) {
        Some(("TOO_MANY_REQUESTS", "Stock is updated too frequently"))
    } else {
        p.stocks.insert(warehouse, (stock, now));
        None
    };
    answer(p.product_id, code)
}

impl FakeMarket {
    /// Ozon: the stock last set for `offer` on `warehouse`.
    pub fn ozon_stock(&self, offer: &str, warehouse: i64) -> Option<i64> {
        self.lock().ozon.products.get(offer).and_then(|p| p.stocks.get(&warehouse)).map(|(n, _)| *n)
    }

    /// Ozon: the seller's warehouses (by default 22142605386000 and 1020000123456000).
    pub fn set_ozon_warehouses(&self, ids: &[i64]) {
        self.lock().ozon.warehouses = ids.to_vec();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_stock_needs_a_price_a_warehouse_and_30_seconds_between_updates() {
        let mut state = OzonState::default();
        state.upsert("A-1", &json!({"type_id": 91_248}));
        let w = WAREHOUSES[0];
        let t0 = Instant::now();
        let send = |state: &mut OzonState, stock: i64, warehouse: i64, at: Instant| {
            let a = update(
                state,
                &json!({"stocks": [{"offer_id": "A-1", "stock": stock, "warehouse_id": warehouse}]}),
                at,
                1.0,
            )
            .unwrap();
            a["result"][0]["errors"][0]["code"].as_str().unwrap_or("").to_owned()
        };
        assert_eq!(send(&mut state, 5, w, t0), "PRICE_IS_NOT_SENT");
        state.products.get_mut("A-1").unwrap().price = Some(("1".into(), "0".into(), "RUB".into()));
        assert_eq!(send(&mut state, 5, w, t0), "");
        assert_eq!(send(&mut state, 6, w, t0 + Duration::from_secs(10)), "TOO_MANY_REQUESTS");
        assert_eq!(send(&mut state, 6, w, t0 + Duration::from_secs(31)), "");
        assert_eq!(state.products["A-1"].stocks[&w].0, 6);
        assert_eq!(send(&mut state, 1, 42, t0), "WAREHOUSE_NOT_FOUND");
        assert_eq!(send(&mut state, 1_000_000, WAREHOUSES[1], t0), "STOCK_TOO_BIG");
        let unknown = update(
            &mut state,
            &json!({"stocks": [{"offer_id": "Z", "stock": 1, "warehouse_id": w}]}),
            t0,
            1.0,
        )
        .unwrap();
        assert_eq!(unknown["result"][0]["errors"][0]["code"], "offer_id_not_found");
        let too_many =
            json!({"stocks": vec![json!({"offer_id": "A-1", "stock": 1, "warehouse_id": w}); 101]});
        assert!(update(&mut state, &too_many, t0, 1.0).is_err());
    }
}
