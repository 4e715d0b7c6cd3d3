//! The fake's catalogue of offers: `offer-mappings/update` (validated, all or nothing),
//! `offer-cards` (a card status that settles after N polls) and `offer-mappings` (paged).
//!
//! The spec's error `type`s cover categories, parameters, numbers, units and booleans. It has
//! none for a value outside an ENUM's list or a NUMERIC's range, or a TEXT too long, which YM
//! reports in words; the fake uses `INVALID_VALUE` for those (invented).

use std::collections::BTreeMap;

use serde_json::{Map, Value, json};

use super::catalog::{self, Category, Param};
use super::{YmState, error, page};
use crate::http::{Reply, Request};
use crate::market::{FakeMarket, body_json, json_reply, query};

/// One offer of the cabinet.
#[derive(Debug, Clone)]
pub(crate) struct Offer {
    /// The `offer` object as sent, updates merged in (omitted fields are kept).
    pub offer: Map<String, Value>,
    pub market_sku: Option<i64>,
    pub card_status: &'static str,
    /// `offer-cards` reads left before the status settles.
    polls_left: u32,
    /// Set by [`FakeMarket::ym_reject`]: the next reads say the card was refused.
    rejected: Option<String>,
}

const MAX_UPDATE: usize = 500;
const MAX_CARDS_IDS: usize = 200;
const MAX_MAPPINGS_IDS: usize = 100;

pub(super) fn update(ym: &mut YmState, request: &Request) -> Reply {
    let Some(list) =
        body_json(request).and_then(|b| b.get("offerMappings").and_then(Value::as_array).cloned())
    else {
        return error(400, "BAD_REQUEST", "offerMappings is required");
    };
    if list.is_empty() || list.len() > MAX_UPDATE {
        return error(400, "BAD_REQUEST", &format!("offerMappings must hold 1 to {MAX_UPDATE} offers"));
    }
    let mut offers = Vec::with_capacity(list.len());
    let mut results = Vec::new();
    for m in &list {
        let Some(offer) = m.get("offer").and_then(Value::as_object) else {
            return error(400, "BAD_REQUEST", "offerMappings[].offer is required");
        };
        let id = offer.get("offerId").and_then(Value::as_str).map(str::trim).unwrap_or_default();
        if id.is_empty() || id.chars().count() > 255 {
            return error(400, "BAD_REQUEST", "offerId must hold 1 to 255 characters");
        }
        if offers.iter().any(|(o, _): &(String, _)| o == id) {
            return error(400, "BAD_REQUEST", &format!("offerId {id} is repeated"));
        }
        let errors = validate(offer, ym.offers.get(id));
        if !errors.is_empty() {
            results.push(json!({"offerId": id, "errors": errors}));
        }
        offers.push((id.to_owned(), offer.clone()));
    }
    if !results.is_empty() {
        // All or nothing: no offer of the batch is applied.
        return json_reply(200, &json!({"status": "ERROR", "results": results}));
    }
    for (id, offer) in offers {
        let polls = ym.processing_polls;
        let entry = ym.offers.entry(id).or_insert_with(|| Offer {
            offer: Map::new(),
            market_sku: None,
            card_status: "NO_CARD_PROCESSING",
            polls_left: 0,
            rejected: None,
        });
        entry.offer.extend(offer);
        entry.polls_left = polls;
        entry.rejected = None;
        entry.card_status = processing(entry);
    }
    json_reply(200, &json!({"status": "OK"}))
}

fn processing(o: &Offer) -> &'static str {
    if o.market_sku.is_some() { "HAS_CARD_CAN_UPDATE_PROCESSING" } else { "NO_CARD_PROCESSING" }
}

fn problem(kind: &str, parameter: Option<i64>, message: String) -> Value {
    let mut e = json!({"type": kind, "message": message});
    if let Some(p) = parameter {
        e["parameterId"] = json!(p);
    }
    e
}

/// The errors YM would give `offer` (merged over what is stored).
fn validate(offer: &Map<String, Value>, stored: Option<&Offer>) -> Vec<Value> {
    let mut errors = Vec::new();
    let category = match offer.get("marketCategoryId") {
        Some(v) => {
            let id = v.as_i64().unwrap_or(0);
            match catalog::category(id) {
                None => {
                    errors.push(problem("UNKNOWN_CATEGORY", None, format!("Категория {v} не найдена")));
                    return errors;
                }
                Some(_) if !catalog::is_leaf(id) => {
                    errors.push(problem(
                        "INVALID_CATEGORY",
                        None,
                        format!("Категория {id} не последнего уровня: выберите категорию без подкатегорий"),
                    ));
                    return errors;
                }
                c => c,
            }
        }
        None => stored
            .and_then(|s| s.offer.get("marketCategoryId"))
            .and_then(Value::as_i64)
            .and_then(catalog::category),
    };
    let values = offer.get("parameterValues").and_then(Value::as_array).cloned().unwrap_or_default();
    if values.is_empty() {
        return errors;
    }
    let Some(category) = category else {
        errors.push(problem("EMPTY_MARKET_CATEGORY", None, "Характеристики переданы без категории".into()));
        return errors;
    };
    for v in &values {
        let pid = v.get("parameterId").and_then(Value::as_i64).unwrap_or(0);
        match category.params.iter().find(|(id, _)| *id == pid).and_then(|(id, _)| catalog::param(*id)) {
            None => errors.push(problem(
                "UNKNOWN_PARAMETER",
                Some(pid),
                format!("Характеристики {pid} нет в категории «{}»", category.name),
            )),
            Some(p) => errors.extend(check_value(p, v).map(|(kind, m)| problem(kind, Some(pid), m))),
        }
    }
    errors
}

/// What is wrong with one `parameterValues` entry, if anything.
fn check_value(p: &Param, v: &Value) -> Option<(&'static str, String)> {
    let text = v.get("value").and_then(Value::as_str).map(str::trim);
    let invalid = |m: String| Some(("INVALID_VALUE", m));
    match p.kind {
        "ENUM" => match (v.get("valueId").and_then(Value::as_i64), text) {
            (Some(id), _) if p.values.iter().any(|(x, _)| *x == id) => None,
            (Some(id), _) => invalid(format!("Значения {id} нет среди значений характеристики «{}»", p.name)),
            (None, Some(t))
                if p.custom || p.values.iter().any(|(_, x)| x.to_lowercase() == t.to_lowercase()) =>
            {
                None
            }
            (None, t) => invalid(format!(
                "Значение «{}» не подходит для характеристики «{}»: выберите его из списка",
                t.unwrap_or_default(),
                p.name
            )),
        },
        "NUMERIC" => {
            if let Some(unit) = v.get("unitId").and_then(Value::as_i64)
                && p.unit.is_none_or(|(id, _, _)| id != unit)
            {
                return Some((
                    "INVALID_UNIT_ID",
                    format!("Единица {unit} не подходит для характеристики «{}»", p.name),
                ));
            }
            let Some(n) = text.and_then(|t| t.parse::<f64>().ok()) else {
                return Some(("NUMBER_FORMAT", format!("«{}» не число", text.unwrap_or_default())));
            };
            let (min, max) = (p.min.unwrap_or(f64::MIN), p.max.unwrap_or(f64::MAX));
            (n < min || n > max).then(|| {
                (
                    "INVALID_VALUE",
                    format!("Значение характеристики «{}» должно быть от {min} до {max}", p.name),
                )
            })
        }
        "BOOLEAN" => (!matches!(text, Some("true" | "false"))).then(|| {
            ("UNEXPECTED_BOOLEAN_VALUE", format!("«{}» не true и не false", text.unwrap_or_default()))
        }),
        _ => {
            let len = text.map_or(0, |t| t.chars().count());
            p.max_length
                .filter(|max| len > *max as usize)
                .and_then(|max| invalid(format!("«{}»: не больше {max} символов", p.name)))
        }
    }
}

/// What a card still needs: the fields a new offer must have, and the category's required
/// parameters.
fn missing_content(offer: &Map<String, Value>) -> Vec<String> {
    let mut missing = Vec::new();
    for field in ["name", "marketCategoryId", "pictures", "vendor", "description"] {
        let empty = match offer.get(field) {
            None | Some(Value::Null) => true,
            Some(Value::String(s)) => s.trim().is_empty(),
            Some(Value::Array(a)) => a.is_empty(),
            Some(_) => false,
        };
        if empty {
            missing.push(format!("Не заполнено поле {field}"));
        }
    }
    let category: Option<&Category> =
        offer.get("marketCategoryId").and_then(Value::as_i64).and_then(catalog::category);
    let given: Vec<i64> = offer
        .get("parameterValues")
        .and_then(Value::as_array)
        .map(|a| a.iter().filter_map(|v| v.get("parameterId").and_then(Value::as_i64)).collect())
        .unwrap_or_default();
    for (id, required) in category.map(|c| c.params).unwrap_or_default() {
        if *required && !given.contains(id) {
            let name = catalog::param(*id).map_or("", |p| p.name);
            missing.push(format!("Не заполнена обязательная характеристика «{name}»"));
        }
    }
    missing
}

/// One `offer-cards` read of `o`: a processing status for the configured number of reads,
/// then the verdict (a new card gets its `marketSku`).
fn poll(o: &mut Offer, next_sku: &mut i64) -> Vec<String> {
    if let Some(message) = &o.rejected {
        o.card_status = if o.market_sku.is_some() { "HAS_CARD_CAN_UPDATE_ERRORS" } else { "NO_CARD_ERRORS" };
        return vec![message.clone()];
    }
    if o.polls_left > 0 {
        o.polls_left -= 1;
        o.card_status = processing(o);
        return Vec::new();
    }
    let missing = missing_content(&o.offer);
    if !missing.is_empty() {
        o.card_status =
            if o.market_sku.is_some() { "HAS_CARD_CAN_UPDATE_ERRORS" } else { "NO_CARD_NEED_CONTENT" };
        return missing;
    }
    if o.market_sku.is_none() {
        o.market_sku = Some(*next_sku);
        *next_sku += 1;
    }
    o.card_status = "HAS_CARD_CAN_UPDATE";
    Vec::new()
}

fn mapping(o: &Offer) -> Option<Value> {
    let sku = o.market_sku?;
    let category = o.offer.get("marketCategoryId").and_then(Value::as_i64).and_then(catalog::category);
    Some(json!({
        "marketSku": sku,
        "marketSkuName": o.offer.get("name").cloned().unwrap_or(Value::Null),
        "marketCategoryId": category.map(|c| c.id),
        "marketCategoryName": category.map(|c| c.name),
    }))
}

/// Offer ids from the body's `offerIds` (at most `max`), or `None` to page through all.
fn offer_ids(request: &Request, max: usize) -> Result<Option<Vec<String>>, Box<Reply>> {
    let Some(ids) = body_json(request).and_then(|b| b.get("offerIds").and_then(Value::as_array).cloned())
    else {
        return Ok(None);
    };
    if ids.is_empty() || ids.len() > max {
        return Err(Box::new(error(400, "BAD_REQUEST", &format!("offerIds must hold 1 to {max} ids"))));
    }
    Ok(Some(ids.iter().filter_map(Value::as_str).map(str::to_owned).collect()))
}

/// The offers a read covers and the next page's token.
fn select(
    ym: &YmState,
    request: &Request,
    max_ids: usize,
) -> Result<(Vec<String>, Option<String>), Box<Reply>> {
    match offer_ids(request, max_ids)? {
        Some(ids) => Ok((ids.into_iter().filter(|id| ym.offers.contains_key(id)).collect(), None)),
        None => {
            let limit = match query(request, "limit").map(str::parse::<usize>) {
                None => max_ids,
                Some(Ok(n @ 1..)) if n <= max_ids => n,
                Some(_) => {
                    return Err(Box::new(error(
                        400,
                        "BAD_REQUEST",
                        &format!("limit must be 1 to {max_ids}"),
                    )));
                }
            };
            let keys: Vec<String> = ym.offers.keys().cloned().collect();
            page(&keys, query(request, "pageToken"), limit)
        }
    }
}

pub(super) fn cards(ym: &mut YmState, request: &Request) -> Reply {
    let (ids, next) = match select(ym, request, MAX_CARDS_IDS) {
        Ok(s) => s,
        Err(reply) => return *reply,
    };
    let mut cards = Vec::new();
    for id in ids {
        let Some(o) = ym.offers.get_mut(&id) else { continue };
        let errors = poll(o, &mut ym.next_sku);
        let mut card = json!({"offerId": id, "cardStatus": o.card_status, "contentRating": 80});
        if let Some(values) = o.offer.get("parameterValues") {
            card["parameterValues"] = values.clone();
        }
        if let Some(m) = mapping(o) {
            card["mapping"] = m;
        }
        if !errors.is_empty() {
            card["errors"] = errors.iter().map(|m| json!({"message": m, "comment": ""})).collect();
        }
        cards.push(card);
    }
    let mut paging = json!({});
    if let Some(token) = next {
        paging["nextPageToken"] = json!(token);
    }
    json_reply(200, &json!({"status": "OK", "result": {"offerCards": cards, "paging": paging}}))
}

pub(super) fn mappings(ym: &YmState, request: &Request) -> Reply {
    let (ids, next) = match select(ym, request, MAX_MAPPINGS_IDS) {
        Ok(s) => s,
        Err(reply) => return *reply,
    };
    let list: Vec<Value> = ids
        .iter()
        .filter_map(|id| ym.offers.get(id).map(|o| (id, o)))
        .map(|(id, o)| {
            let mut offer = Value::Object(o.offer.clone());
            if let Some(price) = ym.prices.get(id) {
                offer["basicPrice"] = price.clone();
            }
            offer["cardStatus"] = json!(o.card_status);
            let mut m = json!({"offer": offer});
            if let Some(mapping) = mapping(o) {
                m["mapping"] = mapping;
            }
            m
        })
        .collect();
    let mut paging = json!({});
    if let Some(token) = next {
        paging["nextPageToken"] = json!(token);
    }
    json_reply(200, &json!({"status": "OK", "result": {"paging": paging, "offerMappings": list}}))
}

impl FakeMarket {
    /// YM: every offer of the cabinet as sent (updates merged), by offer id.
    pub fn ym_offers(&self) -> BTreeMap<String, Value> {
        self.lock().ym.offers.iter().map(|(id, o)| (id.clone(), Value::Object(o.offer.clone()))).collect()
    }

    /// YM: one offer as sent (updates merged).
    pub fn ym_offer(&self, offer_id: &str) -> Option<Value> {
        self.lock().ym.offers.get(offer_id).map(|o| Value::Object(o.offer.clone()))
    }

    /// YM: the offer's card on Market, once it has one.
    pub fn ym_market_sku(&self, offer_id: &str) -> Option<i64> {
        self.lock().ym.offers.get(offer_id).and_then(|o| o.market_sku)
    }

    /// YM: the offer's `cardStatus` as last reported.
    pub fn ym_card_status(&self, offer_id: &str) -> Option<&'static str> {
        self.lock().ym.offers.get(offer_id).map(|o| o.card_status)
    }

    /// YM: Market refuses the offer's current content with `message` (as moderation does
    /// after the update was accepted); the next update clears it.
    pub fn ym_reject(&self, offer_id: &str, message: &str) {
        if let Some(o) = self.lock().ym.offers.get_mut(offer_id) {
            o.rejected = Some(message.to_owned());
        }
    }

    /// YM: how many `offer-cards` reads an accepted update stays `*_PROCESSING` (default 1).
    pub fn set_ym_processing_polls(&self, polls: u32) {
        self.lock().ym.processing_polls = polls;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::market::ym::catalog::{COLOR, COUNTRY, GENDER, PHONES, RAM, SIZE, SNEAKERS};

    fn offer(v: Value) -> Map<String, Value> {
        v.as_object().unwrap().clone()
    }

    fn types(errors: &[Value]) -> Vec<&str> {
        errors.iter().map(|e| e["type"].as_str().unwrap()).collect()
    }

    #[test]
    fn categories_and_parameter_values_are_validated() {
        assert_eq!(
            types(&validate(&offer(json!({"offerId": "A", "marketCategoryId": 1})), None)),
            ["UNKNOWN_CATEGORY"]
        );
        assert_eq!(types(&validate(&offer(json!({"marketCategoryId": 91461})), None)), ["INVALID_CATEGORY"]);
        let no_category = offer(json!({"parameterValues": [{"parameterId": COLOR, "valueId": 14871220}]}));
        assert_eq!(types(&validate(&no_category, None)), ["EMPTY_MARKET_CATEGORY"]);
        let bad = offer(json!({"marketCategoryId": PHONES, "parameterValues": [
            {"parameterId": COLOR, "valueId": 14871220},
            {"parameterId": COLOR, "valueId": 1},
            {"parameterId": COLOR, "value": "фуксия"},
            {"parameterId": SIZE, "value": "42"},
            {"parameterId": RAM, "value": "8"},
            {"parameterId": RAM, "value": "много"},
            {"parameterId": RAM, "value": "1024"},
            {"parameterId": RAM, "value": "8", "unitId": 99},
            {"parameterId": COUNTRY, "value": "китай"},
        ]}));
        assert_eq!(
            types(&validate(&bad, None)),
            [
                "INVALID_VALUE",
                "INVALID_VALUE",
                "UNKNOWN_PARAMETER",
                "NUMBER_FORMAT",
                "INVALID_VALUE",
                "INVALID_UNIT_ID"
            ]
        );
        // The stored category serves an update that only sends parameters.
        let stored = Offer {
            offer: offer(json!({"marketCategoryId": SNEAKERS})),
            market_sku: None,
            card_status: "NO_CARD_PROCESSING",
            polls_left: 0,
            rejected: None,
        };
        let update = offer(
            json!({"parameterValues": [{"parameterId": SIZE, "value": "x".repeat(21)}, {"parameterId": GENDER, "value": "мужской"}]}),
        );
        assert_eq!(types(&validate(&update, Some(&stored))), ["INVALID_VALUE"]);
    }

    #[test]
    fn a_card_settles_after_its_polls_and_needs_its_content() {
        let mut o = Offer {
            offer: offer(
                json!({"offerId": "A", "name": "Кроссовки", "marketCategoryId": SNEAKERS, "pictures": ["https://x.ru/1.jpg"],
                                "vendor": "Ветер", "description": "<p>x</p>",
                                "parameterValues": [{"parameterId": COLOR, "valueId": 14871220}, {"parameterId": SIZE, "value": "42"}]}),
            ),
            market_sku: None,
            card_status: "NO_CARD_PROCESSING",
            polls_left: 2,
            rejected: None,
        };
        let mut next = 7;
        for _ in 0..2 {
            assert!(poll(&mut o, &mut next).is_empty());
            assert_eq!(o.card_status, "NO_CARD_PROCESSING");
        }
        assert_eq!(poll(&mut o, &mut next), ["Не заполнена обязательная характеристика «Пол»"]);
        assert_eq!(o.card_status, "NO_CARD_NEED_CONTENT");
        o.offer["parameterValues"]
            .as_array_mut()
            .unwrap()
            .push(json!({"parameterId": GENDER, "valueId": 16395400}));
        assert!(poll(&mut o, &mut next).is_empty());
        assert_eq!((o.card_status, o.market_sku, next), ("HAS_CARD_CAN_UPDATE", Some(7), 8));
        o.rejected = Some("Фото не соответствует товару".into());
        assert_eq!(poll(&mut o, &mut next), ["Фото не соответствует товару"]);
        assert_eq!(o.card_status, "HAS_CARD_CAN_UPDATE_ERRORS");
    }
}
