//! The fake's business-wide prices (`POST /v2/businesses/{b}/offer-prices/updates`), stored
//! per offer id with the time they came.

use std::collections::HashSet;
use std::time::SystemTime;

use serde_json::{Value, json};

use super::{YmState, error};
use crate::http::{Reply, Request};
use crate::market::{FakeMarket, body_json, json_reply, rfc3339};

const MAX_OFFERS: usize = 500;

pub(super) fn update(ym: &mut YmState, request: &Request) -> Reply {
    let Some(offers) = body_json(request).and_then(|b| b.get("offers").and_then(Value::as_array).cloned())
    else {
        return error(400, "BAD_REQUEST", "offers is required");
    };
    if offers.is_empty() || offers.len() > MAX_OFFERS {
        return error(400, "BAD_REQUEST", &format!("offers must hold 1 to {MAX_OFFERS} items"));
    }
    let mut seen = HashSet::new();
    let mut accepted = Vec::with_capacity(offers.len());
    for o in &offers {
        let id = o.get("offerId").and_then(Value::as_str).unwrap_or_default();
        if id.is_empty() || !seen.insert(id.to_owned()) {
            return error(400, "BAD_REQUEST", &format!("offerId {id:?} is missing or repeated"));
        }
        let price = o.get("price").cloned().unwrap_or(Value::Null);
        if let Err(why) = check(&price) {
            return error(400, "BAD_REQUEST", &format!("{id}: {why}"));
        }
        accepted.push((id.to_owned(), price));
    }
    let now = rfc3339(SystemTime::now());
    for (id, mut price) in accepted {
        price["updatedAt"] = json!(now);
        ym.prices.insert(id, price);
    }
    json_reply(200, &json!({"status": "OK"}))
}

/// A price YM takes: a positive value in RUR, and a `discountBase` that is an integer giving
/// a 5–99 % discount.
fn check(price: &Value) -> Result<(), String> {
    let value =
        price.get("value").and_then(Value::as_f64).filter(|v| *v > 0.0).ok_or("value must be positive")?;
    if price.get("currencyId").and_then(Value::as_str) != Some("RUR") {
        return Err("currencyId must be RUR".into());
    }
    if let Some(base) = price.get("discountBase") {
        let base = base.as_i64().ok_or("discountBase must be an integer")? as f64;
        let off = (base - value) / base;
        if !(0.05..=0.99).contains(&off) {
            return Err(format!(
                "discountBase {base} gives a {:.1} % discount; 5–99 % is allowed",
                off * 100.0
            ));
        }
    }
    Ok(())
}

impl FakeMarket {
    /// YM: the offer's business price as last set (`{value, currencyId, discountBase?,
    /// updatedAt}`).
    pub fn ym_price(&self, offer_id: &str) -> Option<Value> {
        self.lock().ym.prices.get(offer_id).cloned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prices_are_checked_as_documented() {
        assert!(check(&json!({"value": 5990.5, "currencyId": "RUR", "discountBase": 6990})).is_ok());
        assert!(check(&json!({"value": 5990, "currencyId": "RUB"})).is_err());
        assert!(check(&json!({"value": 0, "currencyId": "RUR"})).is_err());
        assert!(check(&json!({"value": 100, "currencyId": "RUR", "discountBase": 104})).is_err());
        assert!(check(&json!({"value": 100, "currencyId": "RUR", "discountBase": 104.5})).is_err());
    }
}
