//! `/v1/product/import/prices`: synchronous, one result per item. A price needs a product
//! (by offer_id, which wins, or product_id), a positive price, an old price far enough above
//! it for a discount (or `"0"`), and at most 10 changes per product per hour (in the fake's
//! time: the hour shrinks with the limits' time scale). The refusal codes are the fake's own.

use std::time::{Duration, Instant};

use serde_json::{Value, json};

use super::OzonState;
use crate::market::FakeMarket;

const PER_HOUR: usize = 10;
/// Kopecks in a rouble.
const RUB: i64 = 100;

/// Ozon's price text (`"1448"`, `"1448.5"`) in kopecks; `None` when it is not one.
pub(super) fn kopecks(text: &str) -> Option<i64> {
    let (rub, frac) = text.trim().split_once('.').unwrap_or((text.trim(), ""));
    if rub.is_empty() || frac.len() > 2 || !(rub.bytes().chain(frac.bytes())).all(|b| b.is_ascii_digit()) {
        return None;
    }
    Some(rub.parse::<i64>().ok()? * 100 + format!("{frac:0<2}").parse::<i64>().ok()?)
}

/// Whether `old` is far enough above `price` for Ozon to show a discount.
pub(super) fn discount_ok(price: i64, old: i64) -> bool {
    let gap = old - price;
    if price < 400 * RUB {
        gap >= 20 * RUB
    } else if price <= 10_000 * RUB {
        gap * 100 >= price * 5
    } else {
        gap >= 500 * RUB
    }
}

/// The request's items answered; `Err`: a 400.
pub(super) fn import(state: &mut OzonState, body: &Value, now: Instant, scale: f64) -> Result<Value, String> {
    let items = body.get("prices").and_then(Value::as_array).ok_or("prices are required")?;
    if items.is_empty() || items.len() > 1000 {
        return Err(format!(
            "invalid ImportProductsPricesRequest.Prices: 1 to 1000 items, got {}",
            items.len()
        ));
    }
    let hour = Duration::from_secs(3600).div_f64(scale);
    let result: Vec<Value> = items.iter().map(|item| one(state, item, now, hour)).collect();
    Ok(json!({ "result": result }))
}

fn one(state: &mut OzonState, item: &Value, now: Instant, hour: Duration) -> Value {
    let offer = item.get("offer_id").and_then(Value::as_str).unwrap_or_default().trim().to_owned();
    let by_id = item.get("product_id").and_then(super::int).unwrap_or(0);
    let key = if offer.is_empty() {
        state.products.iter().find(|(_, p)| p.product_id == by_id).map(|(k, _)| k.clone())
    } else {
        state.products.contains_key(&offer).then(|| offer.clone())
    };
    let answer = |product_id: i64, errors: Vec<Value>| json!({"product_id": product_id, "offer_id": offer, "updated": errors.is_empty(), "errors": errors});
    let err = |code: &str, message: &str| vec![json!({"code": code, "message": message})];
    let Some(key) = key else {
        return answer(0, err("PRODUCT_NOT_FOUND", "Товар не найден"));
    };
    let text = |k: &str| item.get(k).and_then(Value::as_str).unwrap_or_default().trim().to_owned();
    let (price, old) =
        (text("price"), if text("old_price").is_empty() { "0".to_owned() } else { text("old_price") });
    let p = state.products.get_mut(&key).expect("found above");
    let errors = match (kopecks(&price), kopecks(&old)) {
        (Some(pr), Some(o)) if pr > 0 => {
            p.price_times.retain(|t| now.duration_since(*t) < hour);
            if o > 0 && !discount_ok(pr, o) {
                err("INVALID_OLD_PRICE", "Цена до скидки должна быть выше цены на 20 ₽, 5 % или 500 ₽")
            } else if p.price_times.len() >= PER_HOUR {
                err("TOO_MANY_REQUESTS", "Цену товара можно менять не чаще 10 раз в час")
            } else {
                Vec::new()
            }
        }
        _ => err("INVALID_PRICE", "Неверная цена"),
    };
    if errors.is_empty() {
        let currency = item.get("currency_code").and_then(Value::as_str).unwrap_or("RUB").to_owned();
        p.price = Some((price, old, currency));
        p.price_times.push(now);
    }
    answer(p.product_id, errors)
}

impl FakeMarket {
    /// Ozon: the (price, old_price) `/v1/product/import/prices` last set for `offer`.
    pub fn ozon_price(&self, offer: &str) -> Option<(String, String)> {
        self.lock().ozon.products.get(offer).and_then(|p| p.price.clone()).map(|(p, o, _)| (p, o))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prices_apply_per_item_with_the_gap_rule_and_the_hourly_limit() {
        let mut state = OzonState::default();
        state.upsert("A-1", &json!({"type_id": 91_248}));
        let now = Instant::now();
        let send = |state: &mut OzonState, items: Value| {
            import(state, &json!({ "prices": items }), now, 1.0).unwrap()
        };
        let answer = send(
            &mut state,
            json!([
                {"offer_id": "A-1", "price": "1000", "old_price": "1010", "currency_code": "RUB"},
                {"offer_id": "Z-9", "price": "1000", "old_price": "0", "currency_code": "RUB"}
            ]),
        );
        assert_eq!(answer["result"][0]["errors"][0]["code"], "INVALID_OLD_PRICE");
        assert_eq!(answer["result"][1]["errors"][0]["code"], "PRODUCT_NOT_FOUND");
        assert!(state.products["A-1"].price.is_none());
        for i in 0..10 {
            let a = send(
                &mut state,
                json!([{"offer_id": "A-1", "price": format!("{}", 1000 + i), "old_price": "0"}]),
            );
            assert_eq!(a["result"][0]["updated"], true, "{a}");
        }
        let eleventh = send(&mut state, json!([{"offer_id": "A-1", "price": "999.5", "old_price": "0"}]));
        assert_eq!(eleventh["result"][0]["errors"][0]["code"], "TOO_MANY_REQUESTS");
        assert_eq!(state.products["A-1"].price.as_ref().unwrap().0, "1009");
        assert!(import(&mut state, &json!({"prices": []}), now, 1.0).is_err());
        assert_eq!(
            (kopecks("1448.5"), kopecks("0"), kopecks("1,5"), kopecks("1.555")),
            (Some(144_850), Some(0), None, None)
        );
    }
}
