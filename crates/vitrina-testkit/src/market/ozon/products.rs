//! The fake's products: what imports created, as `/v3/product/info/list` and
//! `/v3/product/list` show them, with moderation that takes a number of reads to finish.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::time::{Instant, SystemTime};

use serde_json::{Value, json};

use super::OzonState;
use crate::market::{FakeMarket, rfc3339};

/// A product as the fake keeps it.
#[derive(Debug, Clone)]
pub(super) struct Product {
    pub product_id: i64,
    pub sku: i64,
    pub model_id: i64,
    /// The import item last accepted: an identical one is `skipped`.
    pub item: Value,
    /// Reads of `/v3/product/info/list` left before moderation approves it.
    pub moderation_left: u32,
    /// Set by `/v1/product/import/prices` (price, old_price, currency_code): until then the
    /// product has not reached `price_sent` and takes no stock.
    pub price: Option<(String, String, String)>,
    /// When each price update of the last hour was applied.
    pub price_times: Vec<Instant>,
    /// Warehouse → (stock, when it was set).
    pub stocks: BTreeMap<i64, (i64, Instant)>,
    pub created_at: SystemTime,
    pub updated_at: SystemTime,
}

impl OzonState {
    /// Creates or updates the product of `offer` from an accepted import item; its product_id.
    pub(super) fn upsert(&mut self, offer: &str, item: &Value) -> i64 {
        let type_id = item.get("type_id").and_then(super::int).unwrap_or(0);
        let model_name = item
            .get("attributes")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .find(|a| a.get("id").and_then(super::int) == Some(9048))
            .and_then(|a| a["values"][0]["value"].as_str())
            .map(str::to_lowercase);
        let now = SystemTime::now();
        let moderation = self.moderation_polls;
        if let Some(p) = self.products.get_mut(offer) {
            p.item = item.clone();
            p.moderation_left = moderation;
            p.updated_at = now;
            return p.product_id;
        }
        self.next_product += 1;
        let product_id = self.next_product;
        let model_id = match model_name {
            Some(name) => *self.models.entry((type_id, name)).or_insert(product_id),
            None => product_id,
        };
        self.products.insert(
            offer.to_owned(),
            Product {
                product_id,
                sku: product_id + 1_000_000_000,
                model_id,
                item: item.clone(),
                moderation_left: moderation,
                price: None,
                price_times: Vec::new(),
                stocks: BTreeMap::new(),
                created_at: now,
                updated_at: now,
            },
        );
        product_id
    }

    /// One item of `/v3/product/info/list`.
    /// How many products share each model (a product's `model_info.count`), counted once per
    /// request: per item, it made a 1 000-item read of a 10 000-product fake cost seconds of
    /// the CPU the client under test shares.
    fn model_counts(&self) -> HashMap<i64, usize> {
        self.products.values().fold(HashMap::new(), |mut m, q| {
            *m.entry(q.model_id).or_default() += 1;
            m
        })
    }

    fn info(&self, offer: &str, p: &Product, models: &HashMap<i64, usize>) -> Value {
        let item = &p.item;
        let (statuses, errors) = match self.declined.get(offer) {
            Some(text) => (
                json!({"status": "failed_moderation", "moderate_status": "declined", "validation_status": "success",
                       "status_failed": "failed_moderation", "status_name": "Не прошёл модерацию",
                       "status_description": text, "is_created": true}),
                json!([{"attribute_id": 0, "code": "moderation_declined", "field": "", "level": "ERROR_LEVEL_ERROR",
                        "state": "declined", "texts": {"attribute_name": "", "message": text, "short_description": "",
                        "hint_code": "", "params": []}}]),
            ),
            None if p.moderation_left > 0 => (
                json!({"status": "moderating", "moderate_status": "moderating", "validation_status": "success",
                       "status_failed": "", "status_name": "На модерации", "status_description": "",
                       "is_created": true}),
                json!([]),
            ),
            None => (
                json!({"status": if p.price.is_some() { "price_sent" } else { "imported" },
                       "moderate_status": "approved", "validation_status": "success", "status_failed": "",
                       "status_name": "Продается", "status_description": "", "is_created": true}),
                json!([]),
            ),
        };
        let (price, old_price, currency) = p.price.clone().unwrap_or_else(|| {
            let text = |k: &str| item.get(k).and_then(Value::as_str).unwrap_or_default().to_owned();
            (text("price"), text("old_price"), text("currency_code"))
        });
        let stocks: Vec<Value> = p
            .stocks
            .values()
            .map(|(n, _)| json!({"present": n, "reserved": 0, "sku": p.sku, "source": "fbs"}))
            .collect();
        let has_stock = p.stocks.values().any(|(n, _)| *n > 0);
        json!({
            "id": p.product_id,
            "offer_id": offer,
            "sku": p.sku,
            "name": item["name"],
            "barcodes": item.get("barcode").and_then(Value::as_str).map(|b| vec![b]).unwrap_or_default(),
            "description_category_id": item["description_category_id"],
            "type_id": item["type_id"],
            "price": price,
            "old_price": old_price,
            "min_price": "",
            "currency_code": currency,
            "vat": item.get("vat").cloned().unwrap_or(json!("0")),
            "images": item.get("images").cloned().unwrap_or(json!([])),
            "primary_image": [],
            "statuses": statuses,
            "errors": errors,
            "stocks": {"has_stock": has_stock, "stocks": stocks},
            "visibility_details": {"has_price": p.price.is_some(), "has_stock": has_stock},
            "model_info": {"model_id": p.model_id, "count": models.get(&p.model_id).copied().unwrap_or(1)},
            "is_archived": false,
            "is_autoarchived": false,
            "created_at": rfc3339(p.created_at),
            "updated_at": rfc3339(p.updated_at),
        })
    }
}

/// The ids of one kind in a request's `key` array (numbers or strings).
fn ids(body: &Value, key: &str) -> HashSet<String> {
    body.get(key)
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|v| v.as_str().map(str::to_owned).or_else(|| v.as_i64().map(|n| n.to_string())))
        .collect()
}

/// `/v3/product/info/list`: the products named by offer_id, product_id or sku (≤ 1000 ids in
/// all), by product_id; unknown ids are left out. A read moves moderation on. `Err`: a 400.
pub(super) fn info_list(state: &mut OzonState, body: &Value) -> Result<Value, String> {
    let (offers, products, skus) = (ids(body, "offer_id"), ids(body, "product_id"), ids(body, "sku"));
    let total = offers.len() + products.len() + skus.len();
    if total > 1000 {
        return Err(format!("too many ids: {total}, at most 1000"));
    }
    // By offer id straight from the map; by product id or sku, a scan only when asked.
    let mut found: Vec<String> = offers.iter().filter(|o| state.products.contains_key(*o)).cloned().collect();
    if !products.is_empty() || !skus.is_empty() {
        found.extend(
            state
                .products
                .iter()
                .filter(|(offer, p)| {
                    !offers.contains(offer.as_str())
                        && (products.contains(&p.product_id.to_string()) || skus.contains(&p.sku.to_string()))
                })
                .map(|(offer, _)| offer.clone()),
        );
    }
    found.sort_by_key(|o| state.products[o].product_id);
    let models = state.model_counts();
    let items: Vec<Value> = found.iter().map(|o| state.info(o, &state.products[o], &models)).collect();
    for offer in &found {
        if let Some(p) = state.products.get_mut(offer) {
            p.moderation_left = p.moderation_left.saturating_sub(1);
        }
    }
    Ok(json!({ "items": items }))
}

/// `/v3/product/list`: by product_id, after `last_id`, `limit` (1–1000) at a time; `last_id`
/// is the last product's id as text.
pub(super) fn list(state: &OzonState, body: &Value) -> Result<Value, String> {
    let limit = body.get("limit").and_then(super::int).unwrap_or(0);
    if !(1..=1000).contains(&limit) {
        return Err("invalid ProductListRequest.Limit: value must be inside range [1, 1000]".into());
    }
    let filter = body.get("filter").cloned().unwrap_or(json!({}));
    let (offers, products) = (ids(&filter, "offer_id"), ids(&filter, "product_id"));
    let after = body.get("last_id").and_then(Value::as_str).and_then(|s| s.parse::<i64>().ok()).unwrap_or(0);
    let mut all: Vec<(&String, &Product)> = state
        .products
        .iter()
        .filter(|(o, p)| {
            (offers.is_empty() || offers.contains(o.as_str()))
                && (products.is_empty() || products.contains(&p.product_id.to_string()))
        })
        .collect();
    all.sort_by_key(|(_, p)| p.product_id);
    let total = all.len();
    let page: Vec<Value> = all
        .iter()
        .filter(|(_, p)| p.product_id > after)
        .take(limit as usize)
        .map(|(o, p)| {
            json!({"product_id": p.product_id, "offer_id": o, "archived": false, "has_fbo_stocks": false,
                   "has_fbs_stocks": p.stocks.values().any(|(n, _)| *n > 0), "is_discounted": false, "quants": []})
        })
        .collect();
    let last_id = page.last().map(|p| p["product_id"].to_string()).unwrap_or_default();
    Ok(json!({"result": {"items": page, "total": total, "last_id": last_id}}))
}

impl FakeMarket {
    /// Ozon: every product as `/v3/product/info/list` shows it (without moving moderation on),
    /// by product_id.
    pub fn ozon_products(&self) -> Vec<Value> {
        let state = self.lock();
        let o = &state.ozon;
        let mut all: Vec<_> = o.products.iter().collect();
        all.sort_by_key(|(_, p)| p.product_id);
        let models = o.model_counts();
        all.into_iter().map(|(offer, p)| o.info(offer, p, &models)).collect()
    }

    /// Ozon: the import item the product of `offer` was last created or updated from.
    pub fn ozon_item(&self, offer: &str) -> Option<Value> {
        self.lock().ozon.products.get(offer).map(|p| p.item.clone())
    }

    /// Ozon: moderation declines `offer` with `text` (now, or once it is imported).
    pub fn ozon_reject(&self, offer: &str, text: &str) {
        self.lock().ozon.declined.insert(offer.to_owned(), text.to_owned());
    }

    /// Ozon: how many reads of `/v3/product/info/list` a product stays in moderation after an
    /// import (0 by default: approved at once).
    pub fn set_ozon_moderation_polls(&self, n: u32) {
        self.lock().ozon.moderation_polls = n;
    }

    /// Ozon: `n` approved products with a price, as an account with existing cards has them
    /// (offers `SEED-00001`…, type Кроссовки).
    pub fn ozon_seed(&self, n: usize) {
        let mut state = self.lock();
        let o = &mut state.ozon;
        for i in 1..=n {
            let offer = format!("SEED-{i:05}");
            let item = json!({
                "offer_id": offer, "name": format!("Кроссовки {i}"), "barcode": format!("46000{i:08}"),
                "description_category_id": 17_028_973, "type_id": 91_248, "price": "4990", "old_price": "0",
                "currency_code": "RUB", "vat": "0", "images": [format!("https://cdn.example.ru/seed/{i}.jpg")],
                "attributes": [],
            });
            o.upsert(&offer, &item);
            if let Some(p) = o.products.get_mut(&offer) {
                p.moderation_left = 0;
                p.price = Some(("4990".into(), "0".into(), "RUB".into()));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn moderation_ends_after_its_reads_and_a_decline_shows_its_text() {
        let mut state = OzonState { moderation_polls: 1, ..OzonState::default() };
        let id = state.upsert("A-1", &json!({"type_id": 91_248, "name": "Кроссовки"}));
        state.upsert("B-1", &json!({"type_id": 91_248}));
        let read = |state: &mut OzonState, body: Value| info_list(state, &body).unwrap()["items"].clone();
        let first = read(&mut state, json!({"offer_id": ["A-1"]}));
        assert_eq!(first[0]["statuses"]["moderate_status"], "moderating");
        assert_eq!((first[0]["id"].as_i64(), first[0]["sku"].as_i64()), (Some(id), Some(id + 1_000_000_000)));
        let second = read(&mut state, json!({"product_id": [id.to_string()]}));
        assert_eq!(second[0]["statuses"]["moderate_status"], "approved");
        state.declined.insert("B-1".into(), "Фото не соответствует товару".into());
        let b = read(&mut state, json!({"offer_id": ["B-1"]}));
        assert_eq!(b[0]["statuses"]["moderate_status"], "declined");
        assert_eq!(b[0]["errors"][0]["texts"]["message"], "Фото не соответствует товару");
        let ids: Vec<String> = (0..1001).map(|i| i.to_string()).collect();
        assert!(info_list(&mut state, &json!({ "sku": ids })).is_err());
    }

    #[test]
    fn the_list_pages_by_last_id() {
        let mut state = OzonState::default();
        for i in 0..5 {
            state.upsert(&format!("O-{i}"), &json!({}));
        }
        let page = |last: &str| {
            list(&state, &json!({"filter": {"visibility": "ALL"}, "last_id": last, "limit": 2})).unwrap()
        };
        let first = page("");
        assert_eq!(first["result"]["total"], 5);
        let last = first["result"]["last_id"].as_str().unwrap().to_owned();
        let second = page(&last);
        let third = page(second["result"]["last_id"].as_str().unwrap());
        assert_eq!(third["result"]["items"].as_array().unwrap().len(), 1);
        assert_eq!(third["result"]["items"][0]["offer_id"], "O-4");
        assert!(list(&state, &json!({"limit": 0})).is_err());
    }
}
