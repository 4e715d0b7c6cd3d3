//! Yandex Market's dictionaries: the category tree (`POST /v2/categories/tree`, one nested
//! answer, 50 calls an hour) and a leaf's parameters with their values inline
//! (`POST /v2/category/{id}/parameters`).

use std::collections::BTreeMap;

use serde::Deserialize;
use serde_json::json;

use super::Envelope;
use crate::api::Cancel;
use crate::dict::{AttrKind, CategoryDict, MpAttribute, MpCategory, MpValue};
use crate::error::{ErrorKind, MarketError};
use crate::http::{Client, Endpoint, Method};
use crate::market::Group;

/// One node of the tree; a leaf has no children (`null` or absent).
#[derive(Debug, Clone, Deserialize)]
pub struct TreeNode {
    pub id: i64,
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub children: Option<Vec<TreeNode>>,
}

/// Every category below the root, parents before children. The root ("Все товары") is the
/// tree's handle, not a category a product goes into, so it is left out and its children have
/// no parent.
pub fn flatten(root: &TreeNode) -> Vec<MpCategory> {
    let mut out = Vec::new();
    // (node, parent id, parent path); a stack keeps deep trees off the call stack.
    let mut stack: Vec<(&TreeNode, Option<String>, String)> = Vec::new();
    for child in root.children.iter().flatten().rev() {
        stack.push((child, None, String::new()));
    }
    while let Some((node, parent, prefix)) = stack.pop() {
        let name = node.name.trim().to_owned();
        let path = if prefix.is_empty() { name.clone() } else { format!("{prefix} / {name}") };
        let ext_id = node.id.to_string();
        let children = node.children.as_deref().unwrap_or_default();
        for child in children.iter().rev() {
            stack.push((child, Some(ext_id.clone()), path.clone()));
        }
        out.push(MpCategory { ext_id, parent_id: parent, name, path, leaf: children.is_empty() });
    }
    out
}

pub fn fetch_tree(client: &Client, cancel: Cancel) -> Result<Vec<MpCategory>, MarketError> {
    let ep = Endpoint::new(Group::Ym, "ym.tree", Method::POST, "/v2/categories/tree");
    let answer: Envelope<TreeNode> = client.json(&ep, Some(&json!({"language": "RU"})), 1, cancel)?;
    Ok(flatten(&answer.into_result(&ep.path)?))
}

/// `result` of the parameters call.
#[derive(Debug, Clone, Deserialize)]
pub struct CategoryParameters {
    #[serde(default)]
    pub parameters: Option<Vec<Parameter>>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Parameter {
    pub id: i64,
    #[serde(default)]
    pub name: String,
    #[serde(rename = "type", default)]
    pub kind: String,
    #[serde(default)]
    pub unit: Option<ParameterUnit>,
    #[serde(default)]
    pub required: bool,
    #[serde(default)]
    pub distinctive: bool,
    #[serde(default)]
    pub multivalue: bool,
    #[serde(default)]
    pub allow_custom_values: bool,
    #[serde(default)]
    pub values: Option<Vec<ParameterOption>>,
    #[serde(default)]
    pub constraints: Option<Constraints>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ParameterUnit {
    pub default_unit_id: i64,
    #[serde(default)]
    pub units: Vec<Unit>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct Unit {
    pub id: i64,
    #[serde(default)]
    pub name: String,
}

#[derive(Debug, Clone, Deserialize)]
pub struct ParameterOption {
    pub id: i64,
    #[serde(default)]
    pub value: String,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Constraints {
    pub min_value: Option<f64>,
    pub max_value: Option<f64>,
    pub max_length: Option<u32>,
}

/// The dictionary key of a parameter's values.
pub fn dictionary_key(parameter_id: &str) -> String {
    format!("ym:{parameter_id}")
}

/// The parameters as Vitrina keeps them. A NUMERIC value goes in the default unit (the builder
/// sends no `unitId`), so that unit's name is the attribute's.
pub fn to_dict(category_id: &str, parameters: Vec<Parameter>) -> CategoryDict {
    let mut dict = CategoryDict { attributes: Vec::new(), values: BTreeMap::new() };
    for p in parameters {
        let attr_id = p.id.to_string();
        let kind = match p.kind.as_str() {
            "ENUM" => AttrKind::Enum,
            "BOOLEAN" => AttrKind::Bool,
            "NUMERIC" => AttrKind::Number,
            // TEXT, and any type a newer API adds, takes free text.
            _ => AttrKind::Text,
        };
        let options = p.values.unwrap_or_default();
        let dictionary = (!options.is_empty()).then(|| dictionary_key(&attr_id));
        if let Some(key) = &dictionary {
            let values =
                options.into_iter().map(|o| MpValue { value_id: o.id.to_string(), value: o.value }).collect();
            dict.values.insert(key.clone(), values);
        }
        let unit =
            p.unit.and_then(|u| u.units.into_iter().find(|x| x.id == u.default_unit_id)).map(|u| u.name);
        let constraints = p.constraints.unwrap_or_default();
        dict.attributes.push(MpAttribute {
            category_id: category_id.to_owned(),
            attr_id,
            name: p.name,
            kind,
            required: p.required,
            multi: p.multivalue,
            max_count: None,
            max_length: constraints.max_length,
            min_value: constraints.min_value,
            max_value: constraints.max_value,
            unit,
            dictionary,
            custom_ok: p.allow_custom_values,
            variant: p.distinctive,
            named_field: None,
        });
    }
    dict
}

pub fn fetch_category(
    client: &Client,
    category: &MpCategory,
    cancel: Cancel,
) -> Result<CategoryDict, MarketError> {
    let id: i64 = category.ext_id.trim().parse().map_err(|_| {
        MarketError::new(
            ErrorKind::Invalid,
            format!("{:?} is not a Yandex Market category id", category.ext_id),
        )
    })?;
    // The cabinet's id makes the answer the cabinet's (some parameters differ per seller); the
    // call works without it.
    let path = match client.business_id() {
        Some(b) => format!("/v2/category/{id}/parameters?businessId={b}"),
        None => format!("/v2/category/{id}/parameters"),
    };
    let ep = Endpoint::new(Group::Ym, "ym.params", Method::POST, path);
    let answer: Envelope<CategoryParameters> = client.json(&ep, None::<&()>, 1, cancel)?;
    let result = answer.into_result(&ep.path)?;
    Ok(to_dict(&category.ext_id, result.parameters.unwrap_or_default()))
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn the_tree_is_flattened_below_its_root_parents_first() {
        let root: TreeNode = serde_json::from_value(json!({
            "id": 90401, "name": "Все товары", "children": [
                {"id": 1, "name": "Одежда", "children": [
                    {"id": 11, "name": "Обувь", "children": [{"id": 111, "name": "Кроссовки", "children": null}]},
                    {"id": 12, "name": "Футболки"}]},
                {"id": 2, "name": "Шины", "children": []}]
        }))
        .unwrap();
        let got: Vec<_> =
            flatten(&root).into_iter().map(|c| (c.ext_id, c.parent_id, c.path, c.leaf)).collect();
        let s = |v: &str| v.to_owned();
        assert_eq!(
            got,
            [
                (s("1"), None, s("Одежда"), false),
                (s("11"), Some(s("1")), s("Одежда / Обувь"), false),
                (s("111"), Some(s("11")), s("Одежда / Обувь / Кроссовки"), true),
                (s("12"), Some(s("1")), s("Одежда / Футболки"), true),
                (s("2"), None, s("Шины"), true),
            ]
        );
    }

    #[test]
    fn parameters_become_attributes_with_their_values() {
        let params: Vec<Parameter> = serde_json::from_value(json!([
            {"id": 14871214, "name": "Цвет товара", "type": "ENUM", "required": true, "filtering": true,
             "distinctive": true, "multivalue": true, "allowCustomValues": false,
             "values": [{"id": 14871220, "value": "черный"}, {"id": 14871221, "value": "белый"}]},
            {"id": 23674510, "name": "ОЗУ", "type": "NUMERIC", "required": false, "filtering": true,
             "distinctive": false, "multivalue": false, "allowCustomValues": false,
             "unit": {"defaultUnitId": 2, "units": [{"id": 1, "name": "МБ", "fullName": "мегабайты"},
                                                    {"id": 2, "name": "ГБ", "fullName": "гигабайты"}]},
             "constraints": {"minValue": 1, "maxValue": 256}},
            {"id": 7351771, "name": "Размер", "type": "TEXT", "required": true, "filtering": false,
             "distinctive": true, "multivalue": false, "allowCustomValues": true, "constraints": {"maxLength": 20}},
            {"id": 5, "name": "Антипригарное покрытие", "type": "BOOLEAN", "required": false, "filtering": false,
             "distinctive": false, "multivalue": false, "allowCustomValues": false}
        ]))
        .unwrap();
        let dict = to_dict("7811901", params);
        let a = &dict.attributes;
        assert_eq!(a.len(), 4);
        assert_eq!(
            (a[0].kind, a[0].required, a[0].multi, a[0].variant, a[0].custom_ok),
            (AttrKind::Enum, true, true, true, false)
        );
        assert_eq!(a[0].dictionary.as_deref(), Some("ym:14871214"));
        assert_eq!(
            dict.values["ym:14871214"][1],
            MpValue { value_id: "14871221".into(), value: "белый".into() }
        );
        assert_eq!(
            (a[1].kind, a[1].unit.as_deref(), a[1].min_value, a[1].max_value),
            (AttrKind::Number, Some("ГБ"), Some(1.0), Some(256.0))
        );
        assert_eq!(a[1].dictionary, None);
        assert_eq!((a[2].kind, a[2].max_length, a[2].custom_ok), (AttrKind::Text, Some(20), true));
        assert_eq!(a[3].kind, AttrKind::Bool);
        assert!(a.iter().all(|x| x.category_id == "7811901" && x.named_field.is_none()));
    }
}
