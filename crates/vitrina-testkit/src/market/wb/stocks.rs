//! Stocks: `PUT /api/v3/stocks/{warehouseId}` sets amounts by `chrtId` (204, no body), all or
//! nothing; `POST` reads them. Refusals in the marketplace API's shapes: a 400 or 404
//! `{code, message, data}`, and the 409 array naming the refused items. As on WB, an entry
//! with misspelt field names is ignored and the answer is still 204.

use std::collections::BTreeMap;

use serde_json::{Value, json};

use super::Answer;
use super::cards::Cards;

fn error(status: u16, code: &str, message: &str) -> Answer {
    (status, json!({"code": code, "message": message, "data": null}))
}

/// (warehouse, chrtId) → amount.
pub(crate) type Stocks = BTreeMap<(i64, i64), i64>;

pub(crate) fn put(
    stocks: &mut Stocks,
    cards: &Cards,
    warehouses: &[Value],
    warehouse: i64,
    body: &Value,
) -> Answer {
    if !warehouses.iter().any(|w| w["id"] == warehouse) {
        return error(404, "NotFound", "Warehouse not found");
    }
    let Some(items) = body["stocks"].as_array().filter(|s| (1..=1000).contains(&s.len())) else {
        return error(400, "IncorrectRequestBody", "Invalid request body");
    };
    if items.iter().any(|i| i.get("sku").is_some() && i.get("chrtId").is_none()) {
        return error(
            400,
            "SKUUploadDisabled",
            "Uploading stock is not allowed by 'sku'. Please use the 'chrtId' key",
        );
    }
    let mut refused: BTreeMap<&str, Vec<Value>> = BTreeMap::new();
    let mut apply = Vec::new();
    for item in items {
        let (Some(chrt), Some(amount)) = (item["chrtId"].as_i64(), item["amount"].as_i64()) else { continue };
        let known = cards.cards.iter().any(|c| c.hidden == 0 && c.chrt_ids().any(|id| id == chrt));
        let entry = json!({"chrtId": chrt, "amount": amount});
        if !known {
            refused.entry("NotFound").or_default().push(entry);
        } else if !(0..=100_000).contains(&amount) {
            refused.entry("UploadDataLimit").or_default().push(entry);
        } else {
            apply.push((chrt, amount));
        }
    }
    if !refused.is_empty() {
        let body: Vec<Value> = refused
            .into_iter()
            .map(|(code, data)| {
                let message = if code == "NotFound" { "Item not found" } else { "Upload limit exceeded." };
                json!({"code": code, "message": message, "data": data})
            })
            .collect();
        return (409, Value::Array(body));
    }
    for (chrt, amount) in apply {
        stocks.insert((warehouse, chrt), amount);
    }
    (204, Value::Null)
}

pub(crate) fn read(stocks: &Stocks, warehouse: i64, body: &Value) -> Answer {
    let Some(ids) = body["chrtIds"].as_array() else {
        return error(400, "IncorrectRequestBody", "Invalid request body");
    };
    let found: Vec<Value> = ids
        .iter()
        .filter_map(Value::as_i64)
        .filter_map(|id| stocks.get(&(warehouse, id)).map(|amount| json!({"chrtId": id, "amount": amount})))
        .collect();
    (200, json!({"stocks": found}))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::market::wb::default_warehouses;

    #[test]
    fn stocks_go_by_chrt_id_all_or_nothing() {
        let mut cards = Cards::default();
        cards.delay = 0;
        let variant =
            json!({"vendorCode": "P", "characteristics": [{"id": 15_001_714, "value": 24}], "sizes": [{}]});
        cards.upload(&json!([{"subjectID": 2870, "variants": [variant]}]));
        let chrt = cards.cards[0].chrt_ids().next().unwrap();
        let (mut stocks, warehouses) = (Stocks::new(), default_warehouses());
        let put = |stocks: &mut Stocks, body: Value| put(stocks, &cards, &warehouses, 1_000_001, &body);
        assert_eq!(put(&mut stocks, json!({"stocks": [{"chrtId": chrt, "amount": 7}]})).0, 204);
        assert_eq!(stocks.get(&(1_000_001, chrt)), Some(&7));
        let (status, body) =
            put(&mut stocks, json!({"stocks": [{"chrtId": chrt, "amount": 3}, {"chrtId": 1, "amount": 2}]}));
        assert_eq!(
            (status, &body[0]["code"], &body[0]["data"][0]["chrtId"]),
            (409, &json!("NotFound"), &json!(1))
        );
        assert_eq!(stocks.get(&(1_000_001, chrt)), Some(&7), "nothing applied");
        assert_eq!(
            put(&mut stocks, json!({"stocks": [{"sku": "4601234567893", "amount": 1}]})).1["code"],
            "SKUUploadDisabled"
        );
        assert_eq!(
            put(&mut stocks, json!({"stocks": [{"chrtID": chrt, "amount": 1}]})).0,
            204,
            "misspelt, ignored"
        );
        assert_eq!(
            put(&mut stocks, json!({"stocks": [{"chrtId": chrt, "amount": 100_001}]})).1[0]["code"],
            "UploadDataLimit"
        );
        assert_eq!(
            read(&stocks, 1_000_001, &json!({"chrtIds": [chrt, 1]})).1,
            json!({"stocks": [{"chrtId": chrt, "amount": 7}]})
        );
    }
}
