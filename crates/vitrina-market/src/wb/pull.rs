//! Reading cards: `POST /content/v2/get/cards/list` with its cursor (copy `updatedAt` and
//! `nmID` from the answer; the last page is the one with `total` below the limit), for the
//! account's existing cards, for finding one card by its vendorCode, and for the ids a
//! follow-up needs.

use chrono::{DateTime, SecondsFormat};
use serde::Deserialize;
use serde_json::{Value, json};

use crate::api::{Cancel, ExtIds, RemoteCard};
use crate::error::MarketError;
use crate::http::{Client, Endpoint, Method};
use crate::market::Group;

/// Cards per page (WB's maximum).
pub(super) const LIMIT: usize = 100;

#[derive(Debug, Deserialize)]
pub(super) struct CardsPage {
    #[serde(default)]
    pub cards: Vec<Value>,
    #[serde(default)]
    pub cursor: ListCursor,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct ListCursor {
    #[serde(default)]
    pub updated_at: Option<String>,
    #[serde(rename = "nmID", default)]
    pub nm_id: Option<i64>,
    #[serde(default)]
    pub total: usize,
}

impl CardsPage {
    /// The cursor of the next page, `None` after the last.
    pub fn next(&self) -> Option<(String, i64)> {
        if self.cursor.total < LIMIT {
            return None;
        }
        Some((self.cursor.updated_at.clone()?, self.cursor.nm_id?))
    }
}

/// One page, oldest change first, from `after` (`updatedAt`, `nmID`), with `text` as the search.
pub(super) fn list(
    client: &Client,
    text: Option<&str>,
    after: Option<(&str, i64)>,
    cancel: Cancel,
) -> Result<CardsPage, MarketError> {
    let mut filter = json!({"withPhoto": -1});
    if let Some(text) = text {
        filter["textSearch"] = json!(text);
    }
    let mut cursor = json!({"limit": LIMIT});
    if let Some((updated_at, nm_id)) = after {
        cursor["updatedAt"] = json!(updated_at);
        cursor["nmID"] = json!(nm_id);
    }
    let body = json!({"settings": {"sort": {"ascending": true}, "filter": filter, "cursor": cursor}});
    let ep =
        Endpoint::new(Group::WbContent, "wb.content", Method::POST, "/content/v2/get/cards/list?locale=ru");
    client.json(&ep, Some(&body), 1, cancel)
}

/// The card whose vendorCode is exactly `vendor_code` (WB's search also matches parts of
/// other fields).
pub(super) fn find(client: &Client, vendor_code: &str, cancel: Cancel) -> Result<Option<Value>, MarketError> {
    let page = list(client, Some(vendor_code), None, cancel)?;
    Ok(page.cards.into_iter().find(|c| c.get("vendorCode").and_then(Value::as_str) == Some(vendor_code)))
}

/// `updatedAt` as UTC ms.
pub(super) fn time_ms(card_or_entry: &Value) -> Option<i64> {
    let text = card_or_entry.get("updatedAt")?.as_str()?;
    DateTime::parse_from_rfc3339(text).ok().map(|t| t.timestamp_millis())
}

/// UTC ms as WB writes a time, for a cursor that starts then.
pub(super) fn rfc3339_ms(ms: i64) -> String {
    DateTime::from_timestamp_millis(ms).unwrap_or_default().to_rfc3339_opts(SecondsFormat::Millis, true)
}

/// The ids a card's link keeps: `nmID`, `imtID` and the sizes with their `chrtID`.
pub(super) fn ext_ids(card: &Value) -> ExtIds {
    let id = |key: &str| card.get(key).and_then(Value::as_i64).map(|n| n.to_string());
    let sizes: Vec<Value> = card
        .get("sizes")
        .and_then(Value::as_array)
        .map(|sizes| {
            sizes
                .iter()
                .map(|s| {
                    json!({
                        "chrtID": s.get("chrtID").cloned().unwrap_or(Value::Null),
                        "techSize": s.get("techSize").cloned().unwrap_or(json!("")),
                        "wbSize": s.get("wbSize").cloned().unwrap_or(json!("")),
                        "skus": s.get("skus").cloned().unwrap_or(json!([])),
                    })
                })
                .collect()
        })
        .unwrap_or_default();
    ExtIds {
        ext_id: id("nmID"),
        ext_group: id("imtID"),
        ext_sku: None,
        sizes: Some(Value::Array(sizes)),
        ext_status: None,
    }
}

fn remote(card: &Value) -> RemoteCard {
    let text = |key: &str| card.get(key).and_then(Value::as_str).unwrap_or_default().to_owned();
    let strings = |v: Option<&Value>| -> Vec<String> {
        v.and_then(Value::as_array)
            .map(|a| a.iter().filter_map(Value::as_str).map(str::to_owned).collect())
            .unwrap_or_default()
    };
    let mut barcodes = Vec::new();
    for size in card.get("sizes").and_then(Value::as_array).into_iter().flatten() {
        for sku in strings(size.get("skus")) {
            if !barcodes.contains(&sku) {
                barcodes.push(sku);
            }
        }
    }
    let images = card
        .get("photos")
        .and_then(Value::as_array)
        .map(|p| p.iter().filter_map(|p| p.get("big").and_then(Value::as_str)).map(str::to_owned).collect())
        .unwrap_or_default();
    let attributes = card
        .get("characteristics")
        .and_then(Value::as_array)
        .map(|cs| {
            cs.iter()
                .map(|c| {
                    let name = c.get("name").and_then(Value::as_str).unwrap_or_default().to_owned();
                    let value = match c.get("value") {
                        Some(Value::Array(vs)) => vs
                            .iter()
                            .map(|v| v.as_str().map_or_else(|| v.to_string(), str::to_owned))
                            .collect::<Vec<_>>()
                            .join(", "),
                        Some(Value::String(s)) => s.clone(),
                        Some(other) => other.to_string(),
                        None => String::new(),
                    };
                    (name, value)
                })
                .collect()
        })
        .unwrap_or_default();
    RemoteCard {
        offer_id: text("vendorCode"),
        ext: ext_ids(card),
        name: text("title"),
        brand: text("brand"),
        description: text("description"),
        barcodes,
        images,
        category_id: card.get("subjectID").and_then(Value::as_i64).map(|n| n.to_string()),
        category_name: Some(text("subjectName")).filter(|s| !s.is_empty()),
        price: None,
        attributes,
    }
}

/// The page after `cursor` (`"<updatedAt>|<nmID>"`, as this returns it).
pub(super) fn pull(
    client: &Client,
    cursor: Option<&str>,
    cancel: Cancel,
) -> Result<(Vec<RemoteCard>, Option<String>), MarketError> {
    let after = cursor.and_then(|c| c.rsplit_once('|')).and_then(|(at, nm)| Some((at, nm.parse().ok()?)));
    let page = list(client, None, after, cancel)?;
    let next = page.next().map(|(at, nm)| format!("{at}|{nm}"));
    Ok((page.cards.iter().map(remote).collect(), next))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_listed_card_becomes_a_remote_card() {
        let card = json!({
            "nmID": 12345678, "imtID": 123654789, "subjectID": 7771, "subjectName": "AKF системы",
            "vendorCode": "wb7f6mumjr1", "brand": "Тест", "title": "Тест-система", "description": "Описание",
            "photos": [{"big": "https://basket-10.wbbasket.ru/1/big/1.webp", "tm": "https://x/tm/1.webp"}],
            "characteristics": [{"id": 14177449, "name": "Цвет", "value": ["красный", "синий"]},
                                {"id": 1, "name": "Вес", "value": 1.5}],
            "sizes": [{"chrtID": 316399238, "techSize": "0", "skus": ["987456321654", "987456321654"]}],
            "updatedAt": "2023-12-06T11:17:00.96577Z",
        });
        let r = remote(&card);
        assert_eq!(
            (r.offer_id.as_str(), r.name.as_str(), r.category_id.as_deref()),
            ("wb7f6mumjr1", "Тест-система", Some("7771"))
        );
        assert_eq!(r.barcodes, ["987456321654"]);
        assert_eq!(r.images, ["https://basket-10.wbbasket.ru/1/big/1.webp"]);
        assert_eq!(r.attributes, [("Цвет".into(), "красный, синий".into()), ("Вес".into(), "1.5".into())]);
        assert_eq!(
            (r.ext.ext_id.as_deref(), r.ext.ext_group.as_deref()),
            (Some("12345678"), Some("123654789"))
        );
        assert_eq!(r.ext.sizes.unwrap()[0]["chrtID"], 316399238);
        assert_eq!(time_ms(&card), Some(1_701_861_420_965));
        assert_eq!(rfc3339_ms(1_701_861_420_965), "2023-12-06T11:17:00.965Z");
    }
}
