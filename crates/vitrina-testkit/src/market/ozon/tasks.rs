//! Imports: `/v3/product/import` checks each item as Ozon does (a known, enabled type; the
//! required attributes; dictionary values that exist; sane prices and sizes) and files a
//! task; `/v1/product/import/info` answers `pending` for the first polls, then settles each
//! item once: `failed` with Ozon-style errors, `skipped` when the product already had exactly
//! this item, else `imported` (created or updated, with its product_id).
//!
//! The error codes and wording are the fake's own in Ozon's shape
//! (`{code, message, description, field, attribute_id, attribute_name, state, level}`).

use serde_json::{Value, json};

use super::OzonState;
use super::catalog::{Attr, catalog};
use super::prices::{discount_ok, kopecks};
use crate::market::FakeMarket;

/// An import task.
#[derive(Debug)]
pub(super) struct Task {
    /// Polls still answered `pending`.
    polls_left: u32,
    /// (offer_id, item, its errors), as sent.
    items: Vec<(String, Value, Vec<Value>)>,
    /// The settled answer's items, once settled.
    settled: Option<Vec<Value>>,
}

/// `/v3/product/import`: a task for ≤ 100 items. `Err`: a 400.
pub(super) fn import(state: &mut OzonState, body: &Value) -> Result<Value, String> {
    let items = body.get("items").and_then(Value::as_array).ok_or("items are required")?;
    if items.is_empty() || items.len() > 100 {
        return Err(format!(
            "invalid ImportProductsRequest.Items: value must contain between 1 and 100 items, got {}",
            items.len()
        ));
    }
    let items = items
        .iter()
        .map(|item| {
            let offer = item.get("offer_id").and_then(Value::as_str).unwrap_or_default().to_owned();
            (offer, item.clone(), check(item))
        })
        .collect();
    state.next_task += 1;
    let task_id = state.next_task;
    state.tasks.insert(task_id, Task { polls_left: state.pending_polls, items, settled: None });
    Ok(json!({"result": {"task_id": task_id}}))
}

/// `/v1/product/import/info`. `None`: no such task (a 404).
pub(super) fn info(state: &mut OzonState, body: &Value) -> Option<Value> {
    let task_id = body.get("task_id").and_then(super::int)?;
    let mut task = state.tasks.remove(&task_id)?;
    let items = if task.polls_left > 0 {
        task.polls_left -= 1;
        task.items
            .iter()
            .map(|(offer, _, _)| json!({"offer_id": offer, "product_id": 0, "status": "pending", "errors": []}))
            .collect()
    } else {
        let settled = match task.settled.take() {
            Some(s) => s,
            None => {
                task.items.iter().map(|(offer, item, errors)| settle(state, offer, item, errors)).collect()
            }
        };
        task.settled = Some(settled.clone());
        settled
    };
    let total = task.items.len();
    state.tasks.insert(task_id, task);
    Some(json!({"result": {"items": items, "total": total}}))
}

fn settle(state: &mut OzonState, offer: &str, item: &Value, errors: &[Value]) -> Value {
    let existing = state.products.get(offer);
    let known = existing.map_or(0, |p| p.product_id);
    let (status, product_id) = if !errors.is_empty() {
        ("failed", known)
    } else if existing.is_some_and(|p| p.item == *item) {
        ("skipped", known)
    } else {
        ("imported", state.upsert(offer, item))
    };
    let errors = if status == "failed" { errors.to_vec() } else { Vec::new() };
    json!({"offer_id": offer, "product_id": product_id, "status": status, "errors": errors})
}

fn error(code: &str, message: String, field: &str, attr: Option<&Attr>) -> Value {
    json!({
        "code": code,
        "message": message,
        "description": "",
        "field": field,
        "attribute_id": attr.map_or(0, |a| a.id),
        "attribute_name": attr.map_or("", |a| a.name),
        "state": "declined",
        "level": "error",
    })
}

/// Ozon's checks of one import item; empty when it passes.
fn check(item: &Value) -> Vec<Value> {
    let text = |k: &str| item.get(k).and_then(Value::as_str).unwrap_or_default().trim().to_owned();
    let mut errors = Vec::new();
    let offer = text("offer_id");
    if offer.is_empty() || offer.chars().count() > 50 {
        errors.push(error(
            "invalid_offer_id",
            "Артикул должен содержать от 1 до 50 символов".into(),
            "offer_id",
            None,
        ));
    }
    if text("name").is_empty() {
        errors.push(error("empty_name", "Не заполнено название товара".into(), "name", None));
    }
    let category = item.get("description_category_id").and_then(super::int).unwrap_or(0);
    let type_id = item.get("type_id").and_then(super::int).unwrap_or(0);
    let Some(t) = catalog().live_type(category, type_id) else {
        errors.push(error(
            "description_category_not_found",
            format!("Категория {category} с типом {type_id} не найдена или отключена"),
            "description_category_id",
            None,
        ));
        return errors;
    };
    let old_price = text("old_price");
    match (kopecks(&text("price")), kopecks(if old_price.is_empty() { "0" } else { &old_price })) {
        (Some(price), Some(old)) if price > 0 => {
            if old > 0 && !discount_ok(price, old) {
                errors.push(error(
                    "invalid_old_price",
                    "Цена до скидки должна быть выше цены на 20 ₽ (до 400 ₽), 5 % (до 10 000 ₽) или 500 ₽"
                        .into(),
                    "old_price",
                    None,
                ));
            }
        }
        _ => errors.push(error("invalid_price", "Неверная цена товара".into(), "price", None)),
    }
    let positive = |k: &str| item.get(k).and_then(Value::as_i64).is_some_and(|n| n > 0);
    if !["depth", "width", "height", "weight"].iter().all(|k| positive(k)) {
        errors.push(error(
            "invalid_dimensions",
            "Укажите габариты и вес товара в упаковке".into(),
            "dimensions",
            None,
        ));
    }
    if item.get("images").and_then(Value::as_array).is_some_and(|i| i.len() > 15) {
        errors.push(error(
            "too_many_images",
            "Можно загрузить не больше 15 изображений".into(),
            "images",
            None,
        ));
    }
    let given = |id: i64| -> Vec<&Value> {
        item.get("attributes")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter(|a| a.get("id").and_then(super::int) == Some(id))
            .flat_map(|a| a.get("values").and_then(Value::as_array).into_iter().flatten())
            .filter(|v| {
                v.get("value").and_then(Value::as_str).is_some_and(|s| !s.trim().is_empty())
                    || v.get("dictionary_value_id").and_then(super::int).is_some_and(|i| i != 0)
            })
            .collect()
    };
    for attr in t.attrs.iter().filter(|a| a.complex == 0) {
        let values = given(attr.id);
        if values.is_empty() {
            if attr.required {
                errors.push(error(
                    "required_attribute_missing",
                    format!("Не заполнен обязательный атрибут «{}»", attr.name),
                    "attribute",
                    Some(attr),
                ));
            }
            continue;
        }
        if !attr.collection && values.len() > 1 {
            errors.push(error(
                "too_many_values",
                format!("Атрибут «{}» принимает одно значение", attr.name),
                "attribute",
                Some(attr),
            ));
        }
        for v in values {
            let text = v.get("value").and_then(Value::as_str).unwrap_or_default();
            let id = v.get("dictionary_value_id").and_then(super::int);
            let bad = match attr.kind {
                _ if attr.dictionary != 0 => catalog().value(attr.dictionary, id, text).is_none(),
                "Integer" => text.trim().parse::<i64>().is_err(),
                "Decimal" => text.trim().parse::<f64>().is_err(),
                "Boolean" => !matches!(text.trim(), "true" | "false"),
                _ => false,
            };
            if bad {
                let what = if attr.dictionary != 0 {
                    "нет в справочнике"
                } else {
                    "имеет неверный формат"
                };
                errors.push(error(
                    "attribute_value_invalid",
                    format!("Значение «{text}» атрибута «{}» {what}", attr.name),
                    "attribute",
                    Some(attr),
                ));
            }
        }
    }
    errors
}

impl FakeMarket {
    /// Ozon: how many polls of `/v1/product/import/info` a new task answers `pending` (1 by
    /// default).
    pub fn set_ozon_pending_polls(&self, n: u32) {
        self.lock().ozon.pending_polls = n;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn item(offer: &str) -> Value {
        json!({
            "offer_id": offer, "name": "Кроссовки Nike", "description_category_id": 17_028_973, "type_id": 91_248,
            "price": "4990", "old_price": "5990", "currency_code": "RUB", "vat": "0",
            "depth": 320, "width": 200, "height": 120, "dimension_unit": "mm", "weight": 900, "weight_unit": "g",
            "images": ["https://cdn.example.ru/1.jpg"],
            "attributes": [
                {"complex_id": 0, "id": 85, "values": [{"dictionary_value_id": 5_045_001, "value": "Nike"}]},
                {"complex_id": 0, "id": 9048, "values": [{"value": "Air Max 90"}]},
                {"complex_id": 0, "id": 10096, "values": [{"value": "черный"}]},
                {"complex_id": 0, "id": 4295, "values": [{"dictionary_value_id": 970_006, "value": "42"}]}
            ]
        })
    }

    fn statuses(answer: &Value) -> Vec<(String, String)> {
        answer["result"]["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|i| (i["offer_id"].as_str().unwrap().to_owned(), i["status"].as_str().unwrap().to_owned()))
            .collect()
    }

    #[test]
    fn a_task_is_pending_then_settles_once_and_a_repeat_is_skipped() {
        let mut state = OzonState::default();
        let mut bad = item("B-1");
        bad["attributes"][0]["values"][0]["dictionary_value_id"] = json!(1);
        bad["attributes"].as_array_mut().unwrap().remove(3);
        let task =
            import(&mut state, &json!({"items": [item("A-1"), bad]})).unwrap()["result"]["task_id"].clone();
        let ask = |state: &mut OzonState| info(state, &json!({"task_id": task})).unwrap();
        assert_eq!(
            statuses(&ask(&mut state)),
            [("A-1".into(), "pending".into()), ("B-1".into(), "pending".into())]
        );
        let settled = ask(&mut state);
        assert_eq!(statuses(&settled), [("A-1".into(), "imported".into()), ("B-1".into(), "failed".into())]);
        let errors = &settled["result"]["items"][1]["errors"];
        let messages: Vec<_> =
            errors.as_array().unwrap().iter().map(|e| e["message"].as_str().unwrap()).collect();
        assert_eq!(
            messages,
            [
                "Значение «Nike» атрибута «Бренд» нет в справочнике",
                "Не заполнен обязательный атрибут «Российский размер»"
            ]
        );
        assert_eq!(errors[1]["attribute_id"], 4295);
        assert_eq!(ask(&mut state), settled, "a settled task answers the same");
        assert_eq!(state.products.len(), 1);

        state.pending_polls = 0;
        let again =
            import(&mut state, &json!({"items": [item("A-1")]})).unwrap()["result"]["task_id"].clone();
        assert_eq!(
            statuses(&info(&mut state, &json!({"task_id": again})).unwrap()),
            [("A-1".into(), "skipped".into())]
        );
        assert!(info(&mut state, &json!({"task_id": 1})).is_none());
        assert!(import(&mut state, &json!({"items": vec![item("x"); 101]})).is_err());
    }

    #[test]
    fn an_unknown_or_disabled_type_fails_the_item() {
        let mut off = item("C-1");
        off["type_id"] = json!(91_250);
        let errors = check(&off);
        assert_eq!(errors.len(), 1);
        assert_eq!(errors[0]["code"], "description_category_not_found");
        let mut cheap = item("C-2");
        cheap["old_price"] = json!("5000");
        assert_eq!(check(&cheap)[0]["code"], "invalid_old_price");
    }
}
