//! The category tree (parent categories and their subjects) and a subject's characteristics
//! with the directories that hold their values.
//!
//! Parents get the ext id `parent:<id>` so that they never clash with a subject id; only
//! subjects take products. Colours must come from their directory (`custom_ok = false`); the
//! other directories are advisory, as WB accepts other values there.

use std::collections::BTreeMap;

use serde::Deserialize;
use serde_json::Value;

use super::{Envelope, parent_categories};
use crate::api::Cancel;
use crate::dict::{AttrKind, CategoryDict, MpAttribute, MpCategory, MpValue, value_key};
use crate::error::{ErrorKind, MarketError};
use crate::http::{Client, Endpoint, Method};
use crate::market::Group;

/// Subjects per page (WB's maximum).
const PAGE: usize = 1000;

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Subject {
    #[serde(rename = "subjectID")]
    subject_id: i64,
    #[serde(rename = "parentID")]
    parent_id: i64,
    subject_name: String,
    #[serde(default)]
    parent_name: String,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Charc {
    #[serde(rename = "charcID")]
    charc_id: i64,
    name: String,
    #[serde(default)]
    required: bool,
    #[serde(default)]
    unit_name: String,
    #[serde(default)]
    max_count: u32,
    #[serde(default)]
    charc_type: i64,
    #[serde(default)]
    is_variable: bool,
    #[serde(default)]
    exist_named_field: bool,
}

fn content_get<T: serde::de::DeserializeOwned>(
    client: &Client,
    path: String,
    cancel: Cancel,
) -> Result<T, MarketError> {
    let ep = Endpoint::new(Group::WbContent, "wb.content", Method::GET, path);
    let answer: Envelope<T> = client.json(&ep, None::<&()>, 1, cancel)?;
    if answer.error {
        return Err(MarketError::new(ErrorKind::Rejected, answer.error_text));
    }
    answer
        .data
        .ok_or_else(|| MarketError::new(ErrorKind::BadResponse, format!("{} answered without data", ep.path)))
}

fn parent_ext(id: i64) -> String {
    format!("parent:{id}")
}

pub(super) fn tree(client: &Client, cancel: Cancel) -> Result<Vec<MpCategory>, MarketError> {
    let parents = parent_categories(client, cancel)?;
    if parents.error {
        return Err(MarketError::new(ErrorKind::Rejected, parents.error_text));
    }
    let mut out: Vec<MpCategory> = parents
        .data
        .unwrap_or_default()
        .into_iter()
        .map(|p| MpCategory {
            ext_id: parent_ext(p.id),
            parent_id: None,
            path: p.name.clone(),
            name: p.name,
            leaf: false,
        })
        .collect();
    let mut subjects = Vec::new();
    for offset in (0..).step_by(PAGE) {
        let page: Vec<Subject> = content_get(
            client,
            format!("/content/v2/object/all?locale=ru&limit={PAGE}&offset={offset}"),
            cancel,
        )?;
        let last = page.len() < PAGE;
        subjects.extend(page);
        if last {
            break;
        }
    }
    // A subject whose parent the parent list lacks still gets one, named as the subject says.
    for s in &subjects {
        let ext = parent_ext(s.parent_id);
        if !out.iter().any(|p| p.ext_id == ext) {
            out.push(MpCategory {
                ext_id: ext,
                parent_id: None,
                name: s.parent_name.clone(),
                path: s.parent_name.clone(),
                leaf: false,
            });
        }
    }
    out.extend(subjects.into_iter().map(|s| MpCategory {
        ext_id: s.subject_id.to_string(),
        parent_id: Some(parent_ext(s.parent_id)),
        path: format!("{} / {}", s.parent_name, s.subject_name),
        name: s.subject_name,
        leaf: true,
    }));
    Ok(out)
}

/// The directory holding a characteristic's values, by its name: (dictionary key suffix, path).
fn directory(name: &str) -> Option<&'static str> {
    match value_key(name).as_str() {
        "цвет" => Some("colors"),
        "пол" => Some("kinds"),
        "страна производства" => Some("countries"),
        "сезон" => Some("seasons"),
        "ставка ндс" => Some("vat"),
        key if key.contains("тнвэд") => Some("tnved"),
        _ => None,
    }
}

/// The card field a characteristic with `existNamedField` goes to, by its name.
fn named_field(name: &str) -> String {
    let key = value_key(name);
    match key.as_str() {
        "бренд" => "brand".into(),
        "наименование" => "title".into(),
        "описание" => "description".into(),
        k if k.contains("упаковк") || k.starts_with("вес товара") => "dimensions".into(),
        k if k.starts_with("размер") || k.starts_with("рос. размер") => "sizes".into(),
        _ => key,
    }
}

fn attribute(subject: &str, c: &Charc, tnved_key: &str) -> MpAttribute {
    let number = c.charc_type == 4;
    let directory = directory(&c.name);
    MpAttribute {
        category_id: subject.to_owned(),
        attr_id: c.charc_id.to_string(),
        name: c.name.clone(),
        kind: if number { AttrKind::Number } else { AttrKind::Text },
        required: c.required,
        multi: !number && c.max_count != 1,
        max_count: if number || c.max_count == 0 { None } else { Some(c.max_count) },
        max_length: None,
        min_value: None,
        max_value: None,
        unit: Some(c.unit_name.trim().to_owned()).filter(|u| !u.is_empty()),
        dictionary: directory.map(|d| if d == "tnved" { tnved_key.to_owned() } else { format!("wb:{d}") }),
        custom_ok: directory != Some("colors"),
        variant: c.is_variable,
        named_field: c.exist_named_field.then(|| named_field(&c.name)),
    }
}

pub(super) fn category(
    client: &Client,
    category: &MpCategory,
    cancel: Cancel,
) -> Result<CategoryDict, MarketError> {
    let subject: i64 = category.ext_id.parse().map_err(|_| {
        MarketError::new(ErrorKind::Invalid, format!("{} is not a Wildberries subject", category.path))
    })?;
    let charcs: Vec<Charc> =
        content_get(client, format!("/content/v2/object/charcs/{subject}?locale=ru"), cancel)?;
    let tnved_key = format!("wb:tnved:{subject}");
    let attributes: Vec<MpAttribute> = charcs
        .iter()
        .filter(|c| c.charc_type != 0)
        .map(|c| attribute(&category.ext_id, c, &tnved_key))
        .collect();
    let mut values = BTreeMap::new();
    for key in attributes.iter().filter_map(|a| a.dictionary.clone()) {
        if values.contains_key(&key) {
            continue;
        }
        let list = match key.trim_start_matches("wb:") {
            "colors" | "countries" | "kinds" | "seasons" | "vat" => {
                let name = key.trim_start_matches("wb:");
                let items: Vec<Value> =
                    content_get(client, format!("/content/v2/directory/{name}?locale=ru"), cancel)?;
                items.iter().filter_map(directory_value).collect()
            }
            _ => {
                let items: Vec<Value> = content_get(
                    client,
                    format!("/content/v2/directory/tnved?subjectID={subject}&locale=ru"),
                    cancel,
                )?;
                items
                    .iter()
                    .filter_map(|v| v.get("tnved").and_then(Value::as_str))
                    .map(|code| MpValue { value_id: code.to_owned(), value: code.to_owned() })
                    .collect()
            }
        };
        values.insert(key, list);
    }
    Ok(CategoryDict { attributes, values })
}

/// A directory entry: a plain string (kinds, seasons, VAT), `{name, parentName}` (colours) or
/// `{id, name, fullName}` (countries). WB takes the name as the characteristic's value.
fn directory_value(v: &Value) -> Option<MpValue> {
    let name = match v {
        Value::String(s) => s.as_str(),
        _ => v.get("name")?.as_str()?,
    };
    let id = v.get("id").and_then(Value::as_i64).map_or_else(|| name.to_owned(), |id| id.to_string());
    Some(MpValue { value_id: id, value: name.to_owned() })
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn charc(v: Value) -> Charc {
        serde_json::from_value(v).unwrap()
    }

    #[test]
    fn characteristics_become_attributes_with_their_directories() {
        let colour = attribute(
            "105",
            &charc(
                json!({"charcID": 14177449, "name": "Цвет", "required": true, "unitName": "", "maxCount": 3,
                          "charcType": 1, "isVariable": true, "existNamedField": false}),
            ),
            "wb:tnved:105",
        );
        assert_eq!(
            (
                colour.kind,
                colour.multi,
                colour.max_count,
                colour.dictionary.as_deref(),
                colour.custom_ok,
                colour.variant
            ),
            (AttrKind::Text, true, Some(3), Some("wb:colors"), false, true)
        );
        let memory = attribute(
            "515",
            &charc(
                json!({"charcID": 1, "name": "Оперативная память", "unitName": "ГБ", "maxCount": 0, "charcType": 4}),
            ),
            "wb:tnved:515",
        );
        assert_eq!(
            (memory.kind, memory.multi, memory.max_count, memory.unit.as_deref()),
            (AttrKind::Number, false, None, Some("ГБ"))
        );
        let country = attribute(
            "105",
            &charc(json!({"charcID": 2, "name": "Страна производства", "maxCount": 1, "charcType": 1})),
            "x",
        );
        assert_eq!((country.multi, country.max_count, country.custom_ok), (false, Some(1), true));
        let tnved =
            attribute("105", &charc(json!({"charcID": 3, "name": "ТНВЭД", "charcType": 1})), "wb:tnved:105");
        assert_eq!((tnved.dictionary.as_deref(), tnved.max_count), (Some("wb:tnved:105"), None));
        for (name, field) in [
            ("Бренд", "brand"),
            ("Наименование", "title"),
            ("Описание", "description"),
            ("Длина упаковки", "dimensions"),
            ("Вес товара с упаковкой (кг)", "dimensions"),
            ("Размер", "sizes"),
        ] {
            let a = attribute(
                "105",
                &charc(json!({"charcID": 4, "name": name, "charcType": 1, "existNamedField": true})),
                "x",
            );
            assert_eq!(a.named_field.as_deref(), Some(field), "{name}");
        }
    }

    #[test]
    fn directory_entries_of_every_shape() {
        assert_eq!(directory_value(&json!("демисезон")).unwrap().value, "демисезон");
        let colour =
            directory_value(&json!({"name": "персиковый мелок", "parentName": "оранжевый"})).unwrap();
        assert_eq!(
            (colour.value_id.as_str(), colour.value.as_str()),
            ("персиковый мелок", "персиковый мелок")
        );
        let country = directory_value(&json!({"id": 15000170, "name": "Китай", "fullName": "КНР"})).unwrap();
        assert_eq!((country.value_id.as_str(), country.value.as_str()), ("15000170", "Китай"));
    }
}
