//! Prices: `POST /api/v2/upload/task` makes a task (208 `alreadyExists` for the same data
//! again), `GET /api/v2/history/tasks` tells its status once it is processed (after `delay`
//! status requests): 3 all applied, 5 some items failed, 6 all failed; `GET
//! /api/v2/history/goods/task` gives each item's `status` (2 ok, 3 error) and `errorText`.

use std::collections::BTreeMap;

use serde_json::{Value, json};

use super::cards::Cards;
use super::{Answer, ok, refuse};

#[derive(Debug)]
struct Task {
    id: i64,
    data: Value,
    status: i64,
    goods: Vec<Value>,
    uploaded: String,
    /// Status requests before it shows in the history.
    hidden: u32,
}

#[derive(Debug, Default)]
pub(crate) struct Prices {
    tasks: Vec<Task>,
    /// nmID → (price, discount) in force.
    pub applied: BTreeMap<i64, (i64, i64)>,
    /// nmID → the `errorText` its next upload fails with.
    pub rejects: BTreeMap<i64, String>,
    pub delay: u32,
}

impl Prices {
    pub fn upload(&mut self, cards: &mut Cards, body: &Value) -> Answer {
        let Some(items) = body["data"].as_array() else {
            return refuse(400, "Invalid data format", Value::Null);
        };
        if items.is_empty() {
            return refuse(400, "Empty data", Value::Null);
        }
        if items.len() > 1000 {
            return refuse(400, "Upload limit exceeded: 1000", Value::Null);
        }
        let mut seen = Vec::new();
        for item in items {
            let Some(nm) = item["nmID"].as_i64() else { return refuse(400, "Invalid item No.", Value::Null) };
            if seen.contains(&nm) {
                return refuse(400, "Duplicate item Nos.", Value::Null);
            }
            seen.push(nm);
            let (price, discount) = (&item["price"], &item["discount"]);
            if price.is_null() && discount.is_null() {
                return refuse(400, "Price and discount not specified", Value::Null);
            }
            if price.is_f64() {
                return refuse(400, "Price should be a whole number", Value::Null);
            }
        }
        if let Some(task) = self.tasks.iter().find(|t| t.data == body["data"]) {
            let answer = json!({"data": {"id": task.id, "alreadyExists": true}, "error": false, "errorText": "This task already exists"});
            return (208, answer);
        }
        let wanted = |item: &Value, old: Option<(i64, i64)>| {
            let (p, d) = old.unwrap_or_default();
            (item["price"].as_i64().unwrap_or(p), item["discount"].as_i64().unwrap_or(d))
        };
        if items.iter().all(|i| {
            let nm = i["nmID"].as_i64().unwrap_or_default();
            self.applied.get(&nm).is_some_and(|old| wanted(i, Some(*old)) == *old)
        }) {
            return refuse(400, "The specified prices and discounts are already set", Value::Null);
        }
        let id = 395_643_565 + self.tasks.len() as i64;
        let mut goods = Vec::new();
        let mut failed = 0;
        for item in items {
            let nm = item["nmID"].as_i64().unwrap_or_default();
            let (price, discount) = wanted(item, self.applied.get(&nm).copied());
            let error = match cards.visible(nm) {
                None => Some("Invalid item No.".to_owned()),
                Some(_) if self.rejects.contains_key(&nm) => self.rejects.get(&nm).cloned(),
                Some(_) if price <= 0 => Some("Invalid price value".to_owned()),
                Some(_) if !(0..=99).contains(&discount) => Some("Invalid discount value".to_owned()),
                Some(_) => None,
            };
            if error.is_some() {
                failed += 1;
            } else {
                self.applied.insert(nm, (price, discount));
            }
            let card = cards.visible(nm).map(|c| c.json.clone()).unwrap_or(Value::Null);
            let sizes = card["sizes"].as_array().cloned().unwrap_or_else(|| vec![json!({})]);
            for size in sizes {
                goods.push(json!({
                    "nmID": nm, "vendorCode": card["vendorCode"].as_str().unwrap_or_default(),
                    "sizeID": size["chrtID"], "techSizeName": size["techSize"].as_str().unwrap_or_default(),
                    "price": price, "currencyIsoCode4217": "RUB", "discount": discount, "clubDiscount": 0,
                    "status": if error.is_some() { 3 } else { 2 }, "errorText": error.clone().unwrap_or_default(),
                }));
            }
        }
        let status = match failed {
            0 => 3,
            n if n == items.len() => 6,
            _ => 5,
        };
        let uploaded = cards.stamp();
        self.tasks.push(Task { id, data: body["data"].clone(), status, goods, uploaded, hidden: self.delay });
        (200, json!({"data": {"id": id, "alreadyExists": false}, "error": false, "errorText": ""}))
    }

    /// `GET /api/v2/history/tasks?uploadID=`: `data` is null until the task is processed.
    pub fn task(&mut self, id: Option<i64>) -> Answer {
        let Some(task) = self.tasks.iter_mut().find(|t| Some(t.id) == id) else { return ok(Value::Null) };
        if task.hidden > 0 {
            task.hidden -= 1;
            return ok(Value::Null);
        }
        let success = task.goods.iter().filter(|g| g["status"] == 2).count();
        ok(json!({
            "uploadID": task.id, "status": task.status, "uploadDate": task.uploaded, "activationDate": task.uploaded,
            "overAllGoodsNumber": task.goods.len(), "successGoodsNumber": success,
        }))
    }

    /// `GET /api/v2/history/goods/task?uploadID=&limit=&offset=`.
    pub fn goods(&self, id: Option<i64>, limit: Option<usize>, offset: usize) -> Answer {
        let Some(limit) = limit.filter(|l| (1..=1000).contains(l)) else {
            return refuse(400, "Invalid limit", Value::Null);
        };
        let Some(task) = self.tasks.iter().find(|t| Some(t.id) == id && t.hidden == 0) else {
            return ok(Value::Null);
        };
        let page: Vec<&Value> = task.goods.iter().skip(offset).take(limit).collect();
        ok(json!({"uploadID": task.id, "historyGoods": page}))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cards_with(n: usize) -> (Cards, Vec<i64>) {
        let mut cards = Cards::default();
        cards.delay = 0;
        let variants: Vec<Value> = (0..n)
            .map(|i| json!({"vendorCode": format!("P-{i}"), "characteristics": [{"id": 15_001_714, "value": 24}], "sizes": [{}]}))
            .collect();
        assert_eq!(cards.upload(&json!([{"subjectID": 2870, "variants": variants}])).0, 200);
        let ids = cards.cards.iter().map(|c| c.nm_id()).collect();
        (cards, ids)
    }

    #[test]
    fn a_task_reports_its_failed_items_and_a_repeat_is_208() {
        let (mut cards, nm) = cards_with(2);
        let mut prices = Prices { delay: 1, ..Prices::default() };
        prices.rejects.insert(nm[1], "The price is too low".into());
        let body = json!({"data": [{"nmID": nm[0], "price": 999, "discount": 30}, {"nmID": nm[1], "price": 500, "discount": 0}]});
        let (status, answer) = prices.upload(&mut cards, &body);
        let id = answer["data"]["id"].as_i64();
        assert_eq!(status, 200);
        assert!(prices.task(id).1["data"].is_null(), "not processed yet");
        assert_eq!(prices.task(id).1["data"]["status"], 5);
        let goods = prices.goods(id, Some(1000), 0).1;
        let failed: Vec<&Value> =
            goods["data"]["historyGoods"].as_array().unwrap().iter().filter(|g| g["status"] == 3).collect();
        assert_eq!((failed.len(), failed[0]["errorText"].as_str()), (1, Some("The price is too low")));
        assert_eq!(prices.applied.get(&nm[0]), Some(&(999, 30)));
        assert_eq!(prices.applied.get(&nm[1]), None);
        let (again, answer) = prices.upload(&mut cards, &body);
        assert_eq!(
            (again, answer["data"]["id"].as_i64(), answer["data"]["alreadyExists"].as_bool()),
            (208, id, Some(true))
        );
    }

    #[test]
    fn uploads_wb_refuses_whole() {
        let (mut cards, nm) = cards_with(1);
        let mut prices = Prices::default();
        let too_many: Vec<Value> = (0..1001).map(|i| json!({"nmID": i, "price": 1})).collect();
        for (body, text) in [
            (json!({"data": []}), "Empty data"),
            (json!({"data": too_many}), "Upload limit exceeded: 1000"),
            (json!({"data": [{"nmID": 1, "price": 1}, {"nmID": 1, "price": 2}]}), "Duplicate item Nos."),
            (json!({"data": [{"nmID": 1, "price": 1.5}]}), "Price should be a whole number"),
        ] {
            let (status, answer) = prices.upload(&mut cards, &body);
            assert_eq!((status, answer["errorText"].as_str()), (400, Some(text)));
        }
        assert_eq!(
            prices.upload(&mut cards, &json!({"data": [{"nmID": nm[0], "price": 10, "discount": 5}]})).0,
            200
        );
        let (status, answer) = prices.upload(&mut cards, &json!({"data": [{"nmID": nm[0], "price": 10}]}));
        assert_eq!(
            (status, answer["errorText"].as_str()),
            (400, Some("The specified prices and discounts are already set"))
        );
        let unknown = prices.upload(&mut cards, &json!({"data": [{"nmID": 1, "price": 10}]})).1;
        assert_eq!(prices.task(unknown["data"]["id"].as_i64()).1["data"]["status"], 6);
    }
}
