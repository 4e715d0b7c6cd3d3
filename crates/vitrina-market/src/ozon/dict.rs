//! Ozon's dictionaries: the description-category tree, a type's attributes and the values of
//! their dictionaries (`/v1/description-category/*`).

use std::collections::BTreeMap;

use serde::Deserialize;
use serde_json::{Value, json};

use super::wire::{Envelope, call, id, int, text};
use crate::dict::{AttrKind, CategoryDict, MpAttribute, MpCategory, MpValue};
use crate::error::{ErrorKind, MarketError};
use crate::http::Client;

/// Values per page of `/v1/description-category/attribute/values` (the documented maximum).
const VALUES_PAGE: u32 = 2000;

/// Pages read per dictionary. Ozon's brand dictionary alone holds hundreds of thousands of
/// values; reading it whole for every category would take minutes and megabytes for values no
/// seller uses. The first 50 000 values (by id) are cached; a value past them is reported
/// missing by the pre-check and has to be found with Ozon's value search, which the dictionary
/// refresh does not do.
const MAX_VALUE_PAGES: u32 = 25;

#[derive(Debug, Deserialize)]
struct Node {
    #[serde(default, deserialize_with = "id")]
    description_category_id: Option<String>,
    #[serde(default, deserialize_with = "text")]
    category_name: String,
    #[serde(default, deserialize_with = "id")]
    type_id: Option<String>,
    #[serde(default, deserialize_with = "text")]
    type_name: String,
    #[serde(default)]
    disabled: bool,
    #[serde(default)]
    children: Vec<Node>,
}

/// The tree, parents before children: description categories as inner nodes (ext_id = the
/// `description_category_id`), types as leaves (ext_id `"<description_category_id>:<type_id>"`,
/// since a type only means something within its category). Disabled nodes are left out with
/// everything under them: no product can go there.
pub(super) fn fetch_tree(client: &Client, cancel: &dyn Fn() -> bool) -> Result<Vec<MpCategory>, MarketError> {
    let tree: Envelope<Vec<Node>> =
        call(client, "/v1/description-category/tree", &json!({"language": "DEFAULT"}), cancel)?;
    let mut out = Vec::new();
    for node in &tree.result {
        walk(node, None, "", &mut out);
    }
    Ok(out)
}

/// `parent` is the nearest description category above `node` (its ext_id), `path` its path.
fn walk(node: &Node, parent: Option<&str>, path: &str, out: &mut Vec<MpCategory>) {
    if node.disabled {
        return;
    }
    let join = |name: &str| if path.is_empty() { name.to_owned() } else { format!("{path} / {name}") };
    if let Some(type_id) = &node.type_id {
        // A type without a category above it cannot take products: Ozon needs the pair.
        if let Some(category) = parent {
            out.push(MpCategory {
                ext_id: format!("{category}:{type_id}"),
                parent_id: Some(category.to_owned()),
                name: node.type_name.clone(),
                path: join(&node.type_name),
                leaf: true,
            });
        }
        return;
    }
    let Some(category) = &node.description_category_id else { return };
    let path = join(&node.category_name);
    out.push(MpCategory {
        ext_id: category.clone(),
        parent_id: parent.map(str::to_owned),
        name: node.category_name.clone(),
        path: path.clone(),
        leaf: false,
    });
    for child in &node.children {
        walk(child, Some(category), &path, out);
    }
}

/// A leaf's `(description_category_id, type_id)` from its ext_id.
pub(super) fn split_leaf(ext_id: &str) -> Option<(i64, i64)> {
    let (category, type_id) = ext_id.split_once(':')?;
    Some((category.trim().parse().ok()?, type_id.trim().parse().ok()?))
}

#[derive(Debug, Deserialize)]
struct Attribute {
    #[serde(deserialize_with = "id")]
    id: Option<String>,
    #[serde(default, deserialize_with = "text")]
    name: String,
    #[serde(default, rename = "type", deserialize_with = "text")]
    kind: String,
    #[serde(default)]
    is_collection: bool,
    #[serde(default)]
    is_required: bool,
    #[serde(default)]
    is_aspect: bool,
    #[serde(default)]
    max_value_count: i64,
    #[serde(default, deserialize_with = "id")]
    dictionary_id: Option<String>,
    #[serde(default, deserialize_with = "id")]
    attribute_complex_id: Option<String>,
}

#[derive(Debug, Deserialize)]
struct Values {
    #[serde(default)]
    result: Vec<DictValue>,
    #[serde(default)]
    has_next: bool,
}

#[derive(Debug, Deserialize)]
struct DictValue {
    #[serde(deserialize_with = "id")]
    id: Option<String>,
    #[serde(default, deserialize_with = "text")]
    value: String,
}

/// The dictionary key of an Ozon dictionary.
pub(super) fn dictionary_key(dictionary_id: &str) -> String {
    format!("ozon:{dictionary_id}")
}

/// A type's attributes and every value of their dictionaries (up to [`MAX_VALUE_PAGES`] pages
/// each; a dictionary shared by several attributes is read once). Attributes of complex
/// attributes (`attribute_complex_id` ≠ 0: videos, PDFs) are left out: the card builder sends
/// plain attributes only.
pub(super) fn fetch_category(
    client: &Client,
    category: &MpCategory,
    cancel: &dyn Fn() -> bool,
) -> Result<CategoryDict, MarketError> {
    let Some((category_id, type_id)) = split_leaf(&category.ext_id).filter(|_| category.leaf) else {
        return Err(MarketError::new(
            ErrorKind::Invalid,
            format!("{} ({}) is not an Ozon type: only types take products", category.path, category.ext_id),
        ));
    };
    let attrs: Envelope<Vec<Attribute>> = call(
        client,
        "/v1/description-category/attribute",
        &json!({"description_category_id": category_id, "type_id": type_id, "language": "DEFAULT"}),
        cancel,
    )?;
    let mut dict = CategoryDict::default();
    let mut to_read: BTreeMap<String, String> = BTreeMap::new();
    for a in attrs.result {
        let Some(attr_id) = a.id else { continue };
        if a.attribute_complex_id.is_some() {
            continue;
        }
        let dictionary = a.dictionary_id.as_deref().map(dictionary_key);
        if let Some(key) = &dictionary {
            to_read.entry(key.clone()).or_insert_with(|| attr_id.clone());
        }
        dict.attributes.push(MpAttribute {
            category_id: category.ext_id.clone(),
            attr_id,
            name: a.name,
            kind: if dictionary.is_some() { AttrKind::Enum } else { kind(&a.kind) },
            required: a.is_required,
            multi: a.is_collection,
            max_count: u32::try_from(a.max_value_count).ok().filter(|n| *n > 0),
            max_length: None,
            min_value: None,
            max_value: None,
            unit: None,
            custom_ok: false,
            variant: a.is_aspect,
            named_field: None,
            dictionary,
        });
    }
    for (key, attr_id) in to_read {
        let values = values(client, category_id, type_id, &attr_id, cancel)?;
        dict.values.insert(key, values);
    }
    Ok(dict)
}

/// Ozon's attribute `type` as a kind: `Integer` and `Decimal` are numbers, `Boolean` a yes or
/// no; `String`, `multiline`, `URL` and anything new are text.
fn kind(ozon: &str) -> AttrKind {
    match ozon.to_ascii_lowercase().as_str() {
        "integer" | "decimal" => AttrKind::Number,
        "boolean" => AttrKind::Bool,
        _ => AttrKind::Text,
    }
}

/// One attribute's dictionary values, page by page by `last_value_id`.
fn values(
    client: &Client,
    category_id: i64,
    type_id: i64,
    attr_id: &str,
    cancel: &dyn Fn() -> bool,
) -> Result<Vec<MpValue>, MarketError> {
    let mut out = Vec::new();
    let mut last: Value = json!(0);
    for _ in 0..MAX_VALUE_PAGES {
        let page: Values = call(
            client,
            "/v1/description-category/attribute/values",
            &json!({
                "attribute_id": int(attr_id),
                "description_category_id": category_id,
                "type_id": type_id,
                "language": "DEFAULT",
                "last_value_id": last,
                "limit": VALUES_PAGE,
            }),
            cancel,
        )?;
        let mut next = None;
        for v in page.result {
            if let Some(value_id) = v.id {
                next = Some(value_id.clone());
                out.push(MpValue { value_id, value: v.value });
            }
        }
        match next {
            Some(n) if page.has_next => last = int(&n).map_or(Value::String(n), Value::from),
            _ => break,
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn types_become_leaves_under_their_category_and_disabled_branches_go() {
        let tree: Vec<Node> = serde_json::from_value(json!([
            {"description_category_id": 1, "category_name": "Обувь", "disabled": false, "children": [
                {"description_category_id": 2, "category_name": "Спорт", "disabled": false, "children": [
                    {"type_id": 91248, "type_name": "Кроссовки", "disabled": false, "children": []},
                    {"type_id": 5, "type_name": "Бутсы", "disabled": true, "children": []}
                ]},
                {"description_category_id": 3, "category_name": "Старое", "disabled": true, "children": [
                    {"type_id": 6, "type_name": "Галоши", "disabled": false, "children": []}
                ]}
            ]}
        ]))
        .unwrap();
        let mut out = Vec::new();
        walk(&tree[0], None, "", &mut out);
        let got: Vec<_> = out
            .iter()
            .map(|c| (c.ext_id.as_str(), c.parent_id.as_deref(), c.path.as_str(), c.leaf))
            .collect();
        assert_eq!(
            got,
            [
                ("1", None, "Обувь", false),
                ("2", Some("1"), "Обувь / Спорт", false),
                ("2:91248", Some("2"), "Обувь / Спорт / Кроссовки", true),
            ]
        );
        assert_eq!(split_leaf("2:91248"), Some((2, 91248)));
        assert_eq!(split_leaf("2"), None);
    }

    #[test]
    fn attribute_types_map_to_kinds() {
        assert_eq!(kind("Integer"), AttrKind::Number);
        assert_eq!(kind("Decimal"), AttrKind::Number);
        assert_eq!(kind("Boolean"), AttrKind::Bool);
        assert_eq!(kind("multiline"), AttrKind::Text);
        assert_eq!(kind("String"), AttrKind::Text);
    }
}
