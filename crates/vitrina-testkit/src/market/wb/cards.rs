//! Cards: `cards/upload`, `cards/update`, `cards/error/list` and `get/cards/list`, with WB's
//! asynchronous checks.
//!
//! A request-level fault (too many entries, an unknown subject, a vendorCode in use) is a 400
//! and changes nothing. Otherwise the answer is 200 and each card is checked afterwards, as WB
//! does: one that fails (a required characteristic missing, a colour outside the directory, a
//! title too long, or a refusal a test set with `wb_reject`) goes to the error list, one batch
//! per upload entry or per update request; one that passes gets its `nmID`, `imtID` and
//! `chrtID`s and shows in the cards list after `delay` list requests. A create of a vendorCode
//! already in use — a resend after a lost answer — is refused whole with WB's "vendor code is
//! used in other cards", so a retry never makes a second card.

use std::collections::BTreeMap;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde_json::{Map, Value, json};

use super::catalog::{self, COLOURS, SIZE};
use super::{Answer, ok, refuse};
use crate::market::rfc3339;

/// A card and how many more list requests it stays out of sight.
#[derive(Debug, Clone)]
pub(crate) struct Card {
    pub json: Value,
    pub hidden: u32,
}

impl Card {
    pub fn nm_id(&self) -> i64 {
        self.json["nmID"].as_i64().unwrap_or_default()
    }

    pub fn vendor_code(&self) -> &str {
        self.json["vendorCode"].as_str().unwrap_or_default()
    }

    pub fn chrt_ids(&self) -> impl Iterator<Item = i64> + '_ {
        self.json["sizes"].as_array().into_iter().flatten().filter_map(|s| s["chrtID"].as_i64())
    }
}

#[derive(Debug)]
pub(crate) struct Cards {
    pub cards: Vec<Card>,
    /// The error list's batches.
    pub errors: Vec<Value>,
    /// vendorCode → the words the next check of it fails with.
    pub rejects: BTreeMap<String, String>,
    /// List requests a new card stays out of sight for.
    pub delay: u32,
    next: i64,
    last_ms: i64,
}

impl Default for Cards {
    fn default() -> Self {
        Cards {
            cards: Vec::new(),
            errors: Vec::new(),
            rejects: BTreeMap::new(),
            delay: 1,
            next: 0,
            last_ms: 0,
        }
    }
}

/// WB's words for a vendorCode in use.
const IN_USE: &str = "bad request; Unexpected the specified card's vendor code is used in other cards";

impl Cards {
    fn id(&mut self) -> i64 {
        self.next += 1;
        self.next
    }

    /// Now as WB writes it, in ms and never twice the same, so cursors are exact.
    pub fn stamp(&mut self) -> String {
        let now = SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_millis() as i64);
        self.last_ms = now.max(self.last_ms + 1);
        let at = UNIX_EPOCH + Duration::from_millis(self.last_ms as u64);
        let secs = rfc3339(at);
        format!("{}.{:03}Z", secs.trim_end_matches('Z'), self.last_ms % 1000)
    }

    fn uuid(&mut self) -> String {
        let n = self.id();
        format!("{n:08x}-5c0b-4d6c-b2be-{n:012x}")
    }

    pub fn by_vendor(&self, vendor_code: &str) -> Option<&Card> {
        self.cards.iter().find(|c| c.vendor_code() == vendor_code)
    }

    /// A card sellers' other methods see (prices, stocks): synced, so out of hiding.
    pub fn visible(&self, nm_id: i64) -> Option<&Card> {
        self.cards.iter().find(|c| c.hidden == 0 && c.nm_id() == nm_id)
    }

    /// Drops `vendor_code` from the error list: WB does so when the card is sent again.
    fn clear_errors(&mut self, vendor_code: &str) {
        for batch in &mut self.errors {
            if let Some(codes) = batch["vendorCodes"].as_array_mut() {
                codes.retain(|c| c != vendor_code);
            }
            for key in ["errors", "subjects", "brands"] {
                if let Some(map) = batch[key].as_object_mut() {
                    map.remove(vendor_code);
                }
            }
        }
        self.errors.retain(|b| b["vendorCodes"].as_array().is_some_and(|c| !c.is_empty()));
    }

    /// What WB's later check finds wrong with a variant or an updated card of `subject`.
    fn check(&self, subject: i64, card: &Value) -> Vec<String> {
        let vendor = card["vendorCode"].as_str().unwrap_or_default();
        let mut errors = Vec::new();
        if let Some(text) = self.rejects.get(vendor) {
            errors.push(text.clone());
        }
        let given: Vec<i64> = card["characteristics"]
            .as_array()
            .into_iter()
            .flatten()
            .filter(|c| !c["value"].is_null() && c["value"] != json!([]))
            .filter_map(|c| c["id"].as_i64())
            .collect();
        let sizes = card["sizes"].as_array().cloned().unwrap_or_default();
        let (_, _, _, required) = catalog::subject(subject).unwrap_or((0, String::new(), &[], &[]));
        let missing: Vec<String> = required
            .iter()
            .filter(|id| match **id {
                SIZE => {
                    sizes.is_empty() || sizes.iter().any(|s| s["techSize"].as_str().is_none_or(str::is_empty))
                }
                id => !given.contains(&id),
            })
            .map(i64::to_string)
            .collect();
        if !missing.is_empty() {
            errors.push(format!("missing required characteristics with ids: {}", missing.join(", ")));
        }
        for c in
            card["characteristics"].as_array().into_iter().flatten().filter(|c| c["id"] == catalog::COLOR)
        {
            for colour in c["value"].as_array().into_iter().flatten().filter_map(Value::as_str) {
                if !COLOURS.iter().any(|(name, _)| *name == colour) {
                    errors.push(format!("Недопустимое значение характеристики Цвет: {colour}"));
                }
            }
        }
        let title = card["title"].as_str().unwrap_or_default();
        if title.chars().count() > 60 {
            errors.push("Наименование должно быть не длиннее 60 символов".to_owned());
        }
        errors
    }

    /// The card fields a create or an update sets, as the cards list shows them.
    fn fill(&mut self, out: &mut Map<String, Value>, subject: i64, from: &Value, old_sizes: &[Value]) {
        for key in ["vendorCode", "title", "description", "brand"] {
            out.insert(key.into(), json!(from[key].as_str().unwrap_or_default()));
        }
        let d = &from["dimensions"];
        let dim = |k: &str| d[k].as_f64().unwrap_or(0.0);
        out.insert(
            "dimensions".into(),
            json!({
                "length": d["length"].as_i64().unwrap_or(0), "width": d["width"].as_i64().unwrap_or(0),
                "height": d["height"].as_i64().unwrap_or(0), "weightBrutto": dim("weightBrutto"),
                "isValid": dim("length") > 0.0 && dim("width") > 0.0 && dim("height") > 0.0,
            }),
        );
        let names = catalog::charcs(subject);
        let characteristics: Vec<Value> = from["characteristics"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|c| {
                let id = c["id"].as_i64()?;
                let name = names.iter().find(|n| n.id == id)?.name;
                Some(json!({"id": id, "name": name, "value": c["value"]}))
            })
            .collect();
        out.insert("characteristics".into(), Value::Array(characteristics));
        let mut sizes = Vec::new();
        for size in from["sizes"].as_array().into_iter().flatten() {
            let old = size["chrtID"].as_i64().and_then(|id| old_sizes.iter().find(|s| s["chrtID"] == id));
            let chrt = match old {
                Some(old) => old["chrtID"].as_i64().unwrap_or_default(),
                None => 500_000_000 + self.id(),
            };
            // Barcodes are only ever added; a size without any gets one from WB.
            let mut skus: Vec<Value> = old.and_then(|o| o["skus"].as_array().cloned()).unwrap_or_default();
            for sku in size["skus"].as_array().into_iter().flatten() {
                if !skus.contains(sku) {
                    skus.push(sku.clone());
                }
            }
            if skus.is_empty() {
                skus.push(json!(format!("20{:011}", self.id())));
            }
            let tech = size["techSize"].as_str().filter(|t| !t.is_empty()).unwrap_or("0");
            sizes.push(json!({"chrtID": chrt, "techSize": tech, "wbSize": size["wbSize"].as_str().unwrap_or(""), "skus": skus}));
        }
        out.insert("sizes".into(), Value::Array(sizes));
        out.insert("updatedAt".into(), json!(self.stamp()));
    }

    fn error_batch(&mut self, failed: Vec<(String, i64, String, Vec<String>)>) {
        if failed.is_empty() {
            return;
        }
        let mut subjects = Map::new();
        let mut brands = Map::new();
        let mut errors = Map::new();
        let mut codes = Vec::new();
        for (vendor, subject, brand, texts) in failed {
            let name = catalog::subject(subject).map(|s| s.1).unwrap_or_default();
            subjects.insert(vendor.clone(), json!({"id": subject, "name": name}));
            if !brand.is_empty() {
                brands.insert(vendor.clone(), json!({"id": 0, "name": brand}));
            }
            errors.insert(vendor.clone(), json!(texts));
            codes.push(json!(vendor));
        }
        let batch = json!({
            "batchUUID": self.uuid(), "subjects": subjects, "brands": brands, "vendorCodes": codes,
            "errors": errors, "updatedAt": self.stamp(),
        });
        self.errors.push(batch);
    }

    /// `POST /content/v2/cards/upload`.
    pub fn upload(&mut self, body: &Value) -> Answer {
        let Some(entries) = body.as_array().filter(|e| (1..=100).contains(&e.len())) else {
            return refuse(400, "Invalid request format", json!({}));
        };
        let mut seen: Vec<&str> = Vec::new();
        for entry in entries {
            let subject = entry["subjectID"].as_i64().unwrap_or_default();
            if catalog::subject(subject).is_none() {
                return refuse(400, "This category does not exist", json!({"id": subject.to_string()}));
            }
            let Some(variants) = entry["variants"].as_array().filter(|v| (1..=30).contains(&v.len())) else {
                return refuse(400, "Invalid request format", json!({}));
            };
            for v in variants {
                let code = v["vendorCode"].as_str().unwrap_or_default();
                if code.trim().is_empty() {
                    return refuse(400, "A card cannot be created without a vendorCode", json!({}));
                }
                if seen.contains(&code) || self.by_vendor(code).is_some() {
                    return refuse(400, IN_USE, json!({}));
                }
                seen.push(code);
            }
        }
        for entry in entries {
            let subject = entry["subjectID"].as_i64().unwrap_or_default();
            let (_, subject_name, _, _) = catalog::subject(subject).unwrap_or_default();
            let imt = 200_000_000 + self.id();
            let mut failed = Vec::new();
            for v in entry["variants"].as_array().into_iter().flatten() {
                let code = v["vendorCode"].as_str().unwrap_or_default().to_owned();
                self.clear_errors(&code);
                let errors = self.check(subject, v);
                if !errors.is_empty() {
                    failed.push((code, subject, v["brand"].as_str().unwrap_or_default().to_owned(), errors));
                    continue;
                }
                let nm = 300_000_000 + self.id();
                let created = self.stamp();
                let mut card = Map::new();
                card.insert("nmID".into(), json!(nm));
                card.insert("imtID".into(), json!(imt));
                card.insert("nmUUID".into(), json!(self.uuid()));
                card.insert("subjectID".into(), json!(subject));
                card.insert("subjectName".into(), json!(subject_name));
                card.insert("needKiz".into(), json!(false));
                card.insert("kizMarked".into(), json!(v["kizMarked"].as_bool().unwrap_or(false)));
                card.insert("photos".into(), json!([]));
                card.insert("video".into(), json!(""));
                card.insert("wholesale".into(), json!({"enabled": false, "quantum": 0}));
                card.insert("tags".into(), json!([]));
                card.insert("createdAt".into(), json!(created));
                self.fill(&mut card, subject, v, &[]);
                self.cards.push(Card { json: Value::Object(card), hidden: self.delay });
            }
            self.error_batch(failed);
        }
        ok(Value::Null)
    }

    /// `POST /content/v2/cards/update`: the whole card is replaced by what is sent.
    pub fn update(&mut self, body: &Value) -> Answer {
        let Some(items) = body.as_array().filter(|e| (1..=3000).contains(&e.len())) else {
            return refuse(400, "Invalid request format", json!({}));
        };
        for item in items {
            let nm = item["nmID"].as_i64().unwrap_or_default();
            if self.visible(nm).is_none() {
                let text = "Указан несуществующий nmID карточки товара";
                return refuse(400, text, json!({"error": text}));
            }
            let code = item["vendorCode"].as_str().unwrap_or_default();
            if code.trim().is_empty() {
                return refuse(400, "Invalid request format", json!({}));
            }
            if self.by_vendor(code).is_some_and(|c| c.nm_id() != nm) {
                return refuse(400, IN_USE, json!({}));
            }
        }
        let mut failed = Vec::new();
        for item in items {
            let nm = item["nmID"].as_i64().unwrap_or_default();
            let code = item["vendorCode"].as_str().unwrap_or_default().to_owned();
            let Some(index) = self.cards.iter().position(|c| c.nm_id() == nm) else { continue };
            let subject = self.cards[index].json["subjectID"].as_i64().unwrap_or_default();
            let old_sizes = self.cards[index].json["sizes"].as_array().cloned().unwrap_or_default();
            self.clear_errors(&code);
            let mut errors = self.check(subject, item);
            for size in item["sizes"].as_array().into_iter().flatten() {
                if let Some(chrt) =
                    size["chrtID"].as_i64().filter(|c| !old_sizes.iter().any(|s| s["chrtID"] == *c))
                {
                    errors.push(format!("Размер с chrtID {chrt} не принадлежит карточке {nm}"));
                }
            }
            if !errors.is_empty() {
                failed.push((code, subject, item["brand"].as_str().unwrap_or_default().to_owned(), errors));
                continue;
            }
            let mut card = self.cards[index].json.as_object().cloned().unwrap_or_default();
            self.fill(&mut card, subject, item, &old_sizes);
            self.cards[index].json = Value::Object(card);
        }
        self.error_batch(failed);
        ok(Value::Null)
    }

    /// `POST /content/v2/cards/error/list`: batches by (`updatedAt`, `batchUUID`), from the
    /// cursor on (a cursor without `batchUUID` starts at its time).
    pub fn error_list(&self, body: &Value) -> Answer {
        let cursor = &body["cursor"];
        let limit = cursor["limit"].as_u64().unwrap_or(100) as usize;
        if limit == 0 || limit > 100 {
            return refuse(400, "Invalid request format", json!({}));
        }
        let ascending = body["order"]["ascending"].as_bool().unwrap_or(false);
        let key = |b: &Value| {
            (
                b["updatedAt"].as_str().unwrap_or_default().to_owned(),
                b["batchUUID"].as_str().unwrap_or_default().to_owned(),
            )
        };
        let mut batches: Vec<&Value> = self.errors.iter().collect();
        batches.sort_by_key(|b| key(b));
        if !ascending {
            batches.reverse();
        }
        if let Some(at) = cursor["updatedAt"].as_str() {
            let from = (at.to_owned(), cursor["batchUUID"].as_str().unwrap_or_default().to_owned());
            let whole = from.1.is_empty();
            batches.retain(|b| {
                let k = key(b);
                match (ascending, whole) {
                    (true, true) => k.0 >= from.0,
                    (true, false) => k > from,
                    (false, true) => k.0 <= from.0,
                    (false, false) => k < from,
                }
            });
        }
        let next = batches.len() > limit;
        batches.truncate(limit);
        let last = batches.last().map(|b| key(b));
        let (updated_at, batch) = last.unwrap_or_default();
        ok(json!({"items": batches, "cursor": {"next": next, "updatedAt": updated_at, "batchUUID": batch}}))
    }

    /// `POST /content/v2/get/cards/list`: the visible cards by (`updatedAt`, `nmID`) from the
    /// cursor on. Every request brings hidden cards one request closer to showing.
    pub fn list(&mut self, body: &Value) -> Answer {
        let settings = &body["settings"];
        let cursor = &settings["cursor"];
        let limit = cursor["limit"].as_u64().unwrap_or(10) as usize;
        if limit == 0 || limit > 100 {
            return refuse(400, "Invalid request format", json!({}));
        }
        let ascending = settings["sort"]["ascending"].as_bool().unwrap_or(false);
        let search = settings["filter"]["textSearch"].as_str().unwrap_or_default().trim().to_lowercase();
        let key = |c: &Value| {
            (c["updatedAt"].as_str().unwrap_or_default().to_owned(), c["nmID"].as_i64().unwrap_or_default())
        };
        let mut cards: Vec<&Value> = self
            .cards
            .iter()
            .filter(|c| c.hidden == 0)
            .map(|c| &c.json)
            .filter(|c| search.is_empty() || matches(c, &search))
            .collect();
        cards.sort_by_key(|c| key(c));
        if !ascending {
            cards.reverse();
        }
        if let Some(at) = cursor["updatedAt"].as_str() {
            let from = (at.to_owned(), cursor["nmID"].as_i64().unwrap_or_default());
            cards.retain(|c| if ascending { key(c) > from } else { key(c) < from });
        }
        cards.truncate(limit);
        let (updated_at, nm) = cards.last().map(|c| key(c)).unwrap_or_default();
        let answer =
            json!({"cards": cards, "cursor": {"updatedAt": updated_at, "nmID": nm, "total": cards.len()}});
        for card in &mut self.cards {
            card.hidden = card.hidden.saturating_sub(1);
        }
        (200, answer)
    }
}

/// WB's `textSearch`: part of the vendorCode, or the whole nmID or barcode.
fn matches(card: &Value, search: &str) -> bool {
    card["vendorCode"].as_str().is_some_and(|v| v.to_lowercase().contains(search))
        || card["nmID"].as_i64().is_some_and(|n| n.to_string() == search)
        || card["sizes"]
            .as_array()
            .into_iter()
            .flatten()
            .any(|s| s["skus"].as_array().into_iter().flatten().any(|k| k.as_str() == Some(search)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn variant(code: &str, colour: &str) -> Value {
        json!({
            "vendorCode": code, "title": "Кроссовки", "brand": "Ветер",
            "characteristics": [{"id": catalog::COLOR, "value": [colour]}, {"id": 7919, "value": ["Мужской"]}],
            "sizes": [{"techSize": "42", "price": 5990, "skus": ["4601234567893"]}],
        })
    }

    fn listed(cards: &mut Cards, search: &str) -> Vec<Value> {
        let body = json!({"settings": {"filter": {"textSearch": search}, "cursor": {"limit": 100}}});
        cards.list(&body).1["cards"].as_array().cloned().unwrap_or_default()
    }

    #[test]
    fn a_card_shows_after_the_delay_with_its_ids_and_a_resend_is_refused() {
        let mut cards = Cards::default();
        let upload = json!([{"subjectID": 105, "variants": [variant("RUN-42", "черный"), variant("RUN-43", "белый")]}]);
        assert_eq!(cards.upload(&upload).0, 200);
        assert!(listed(&mut cards, "RUN-42").is_empty(), "not synced yet");
        let found = listed(&mut cards, "run-4");
        assert_eq!(found.len(), 2);
        assert_eq!(found[0]["imtID"], found[1]["imtID"], "one entry is one merged card");
        assert!(found[0]["sizes"][0]["chrtID"].as_i64().is_some());
        assert_eq!(found[0]["characteristics"][0]["name"], "Цвет");
        let (status, body) = cards.upload(&upload);
        assert_eq!((status, body["errorText"].as_str()), (400, Some(IN_USE)));
        assert_eq!(cards.cards.len(), 2);
    }

    #[test]
    fn failed_cards_go_to_the_error_list_with_wbs_words() {
        let mut cards = Cards::default();
        cards.rejects.insert("BAD-2".into(), "Запрещено использовать E-Mail в поле Наименование".into());
        let mut missing = variant("BAD-1", "фуксия");
        missing["characteristics"] = json!([{"id": catalog::COLOR, "value": ["фуксия"]}]);
        let body = json!([{"subjectID": 105, "variants": [missing, variant("BAD-2", "черный"), variant("OK-1", "черный")]}]);
        assert_eq!(cards.upload(&body).0, 200);
        let (_, page) = cards.error_list(&json!({"cursor": {"limit": 100}, "order": {"ascending": true}}));
        let items = page["data"]["items"].as_array().unwrap();
        assert_eq!(items.len(), 1, "one batch per entry");
        assert_eq!(
            items[0]["errors"]["BAD-1"],
            json!([
                "missing required characteristics with ids: 7919",
                "Недопустимое значение характеристики Цвет: фуксия"
            ])
        );
        assert_eq!(items[0]["errors"]["BAD-2"], json!(["Запрещено использовать E-Mail в поле Наименование"]));
        assert_eq!(cards.cards.len(), 1);
        // A corrected send takes the vendorCode off the list.
        cards.rejects.clear();
        cards.upload(&json!([{"subjectID": 105, "variants": [variant("BAD-2", "черный")]}]));
        let (_, page) = cards.error_list(&json!({"cursor": {"limit": 100}, "order": {"ascending": true}}));
        assert_eq!(page["data"]["items"][0]["vendorCodes"], json!(["BAD-1"]));
    }

    #[test]
    fn request_level_faults_are_400s_that_change_nothing() {
        let mut cards = Cards::default();
        let (status, body) =
            cards.upload(&json!([{"subjectID": 342342, "variants": [variant("A", "черный")]}]));
        assert_eq!((status, &body["additionalErrors"]), (400, &json!({"id": "342342"})));
        let many: Vec<Value> = (0..101)
            .map(|n| json!({"subjectID": 105, "variants": [variant(&n.to_string(), "черный")]}))
            .collect();
        assert_eq!(cards.upload(&json!(many)).0, 400);
        let twice = json!([{"subjectID": 105, "variants": [variant("A", "черный"), variant("A", "белый")]}]);
        assert_eq!(cards.upload(&twice).0, 400);
        assert_eq!(cards.update(&json!([{"nmID": 1, "vendorCode": "A", "sizes": []}])).0, 400);
        assert!(cards.cards.is_empty() && cards.errors.is_empty());
    }

    #[test]
    fn an_update_replaces_the_card_keeps_size_ids_and_adds_barcodes() {
        let mut cards = Cards { delay: 0, ..Cards::default() };
        cards.upload(&json!([{"subjectID": 105, "variants": [variant("RUN-42", "черный")]}]));
        let card = listed(&mut cards, "RUN-42").remove(0);
        let chrt = card["sizes"][0]["chrtID"].clone();
        let update = json!([{
            "nmID": card["nmID"], "vendorCode": "RUN-42", "title": "Новое", "brand": "Ветер",
            "characteristics": [{"id": catalog::COLOR, "value": ["белый"]}, {"id": 7919, "value": ["Женский"]}],
            "sizes": [{"chrtID": chrt, "techSize": "42", "skus": ["4601234567886"]}],
        }]);
        assert_eq!(cards.update(&update).0, 200);
        let after = listed(&mut cards, "RUN-42").remove(0);
        assert_eq!(after["title"], "Новое");
        assert_eq!(
            after["sizes"],
            json!([{"chrtID": chrt, "techSize": "42", "wbSize": "", "skus": ["4601234567893", "4601234567886"]}])
        );
        assert!(after["updatedAt"].as_str() > card["updatedAt"].as_str());
    }

    #[test]
    fn the_list_pages_by_its_cursor() {
        let mut cards = Cards { delay: 0, ..Cards::default() };
        let entries: Vec<Value> = (0..5)
            .map(|n| json!({"subjectID": 105, "variants": [variant(&format!("P-{n}"), "черный")]}))
            .collect();
        cards.upload(&json!(entries));
        let page = |cards: &mut Cards, cursor: Value| {
            cards.list(&json!({"settings": {"sort": {"ascending": true}, "cursor": cursor}})).1
        };
        let first = page(&mut cards, json!({"limit": 3}));
        assert_eq!(first["cursor"]["total"], 3);
        let c = &first["cursor"];
        let second = page(&mut cards, json!({"limit": 3, "updatedAt": c["updatedAt"], "nmID": c["nmID"]}));
        let codes: Vec<&str> =
            second["cards"].as_array().unwrap().iter().map(|c| c["vendorCode"].as_str().unwrap()).collect();
        assert_eq!(codes, ["P-3", "P-4"]);
        assert_eq!(second["cursor"]["total"], 2);
    }
}
