//! A marketplace's dictionaries as Vitrina keeps them: the category tree, a category's
//! attributes (characteristics, parameters) and the values of its dictionaries, in one shape
//! for the three marketplaces. Each marketplace module fills them from its own API; the market
//! file caches them (`mp_categories`, `mp_attributes`, `mp_values`).
//!
//! External ids are text: WB `subjectID` ("105"), Ozon `"<description_category_id>:<type_id>"`
//! ("17028922:91565"), YM category id ("7811901").

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// One node of a marketplace's category tree.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MpCategory {
    pub ext_id: String,
    pub parent_id: Option<String>,
    pub name: String,
    /// "Одежда / Обувь / Кроссовки": the names from the root, for search and suggestions.
    pub path: String,
    /// Only a leaf takes products (WB subjects; Ozon types; YM categories without children).
    pub leaf: bool,
}

/// What kind of value an attribute takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AttrKind {
    Text,
    Number,
    /// One of the dictionary's values (unless `custom_ok`).
    Enum,
    Bool,
}

impl AttrKind {
    pub fn code(self) -> &'static str {
        match self {
            AttrKind::Text => "text",
            AttrKind::Number => "number",
            AttrKind::Enum => "enum",
            AttrKind::Bool => "bool",
        }
    }

    pub fn parse(code: &str) -> Option<AttrKind> {
        Some(match code {
            "text" => AttrKind::Text,
            "number" => AttrKind::Number,
            "enum" => AttrKind::Enum,
            "bool" => AttrKind::Bool,
            _ => return None,
        })
    }
}

/// One attribute of one marketplace category.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MpAttribute {
    /// The category's `ext_id`.
    pub category_id: String,
    /// WB `charcID`, Ozon attribute `id`, YM parameter `id`.
    pub attr_id: String,
    pub name: String,
    pub kind: AttrKind,
    pub required: bool,
    /// Takes several values (WB `charcType` 1 with `maxCount` ≠ 1, Ozon `is_collection`, YM
    /// `multivalue`).
    pub multi: bool,
    /// At most this many values (WB `maxCount`, Ozon `max_value_count`); `None` = no limit.
    pub max_count: Option<u32>,
    /// YM `constraints.maxLength`.
    pub max_length: Option<u32>,
    pub min_value: Option<f64>,
    pub max_value: Option<f64>,
    /// The unit values are given in (WB `unitName` "см", "г"; YM the default unit's name).
    pub unit: Option<String>,
    /// Which dictionary holds the allowed values (a key of [`CategoryDict::values`]); `None` =
    /// free input.
    pub dictionary: Option<String>,
    /// A value outside the dictionary is accepted (YM `allowCustomValues`; WB directories other
    /// than colours are advisory). False for Ozon dictionaries.
    pub custom_ok: bool,
    /// The attribute tells variants apart (WB `isVariable`, Ozon `is_aspect`, YM
    /// `distinctive`).
    pub variant: bool,
    /// WB `existNamedField`: the value goes into this named field of the card (`brand`,
    /// `title`, `description`, `dimensions`), not into `characteristics`.
    pub named_field: Option<String>,
}

/// One allowed value of a dictionary.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MpValue {
    pub value_id: String,
    pub value: String,
}

/// A category's attributes and the values of their dictionaries, as fetched.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct CategoryDict {
    pub attributes: Vec<MpAttribute>,
    /// Dictionary key → its values.
    pub values: BTreeMap<String, Vec<MpValue>>,
}

/// Everything a card builder needs about the marketplace category a product is mapped to.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CategorySpec {
    pub category: MpCategory,
    pub dict: CategoryDict,
}

/// Where a marketplace attribute's value comes from, as the seller mapped it.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(tag = "kind", content = "value", rename_all = "snake_case")]
pub enum Source {
    /// A product field: `name`, `brand`, `model`, `description`, `sku`, `barcode`, `weight_g`,
    /// `length_mm`, `width_mm`, `height_mm`, `country`.
    Field(String),
    /// The product's characteristic of this name (`Цвет`).
    Attr(String),
    /// The same text for every product (`Россия`).
    Const(String),
}

impl Source {
    /// `field:brand`, `attr:Цвет`, `const:Россия`: how the market file and the CLI write it.
    pub fn code(&self) -> String {
        match self {
            Source::Field(f) => format!("field:{f}"),
            Source::Attr(a) => format!("attr:{a}"),
            Source::Const(c) => format!("const:{c}"),
        }
    }

    pub fn parse(code: &str) -> Option<Source> {
        let (kind, rest) = code.split_once(':')?;
        let rest = rest.trim();
        if rest.is_empty() {
            return None;
        }
        Some(match kind.trim() {
            "field" => Source::Field(rest.to_owned()),
            "attr" => Source::Attr(rest.to_owned()),
            "const" => Source::Const(rest.to_owned()),
            _ => return None,
        })
    }
}

/// How one marketplace attribute of one marketplace category is filled.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AttrRule {
    pub attr_id: String,
    pub source: Source,
    /// Multiply a number by this (0.1 for mm → cm, 0.001 for g → kg).
    pub unit_factor: Option<f64>,
    /// The seller's own text (lower case, trimmed) → the dictionary's `value_id`.
    pub value_map: BTreeMap<String, String>,
}

/// One attribute value resolved for one product: the dictionary id when there is one, and
/// the text.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ResolvedValue {
    pub value_id: Option<String>,
    pub text: String,
}

/// A marketplace attribute with the values a product gives it, ready for a card builder.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ResolvedAttr {
    pub attr: MpAttribute,
    pub values: Vec<ResolvedValue>,
}

/// The key dictionary values are matched on: lower case, `ё` as `е`, inner white space
/// collapsed, trimmed.
pub fn value_key(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for word in text.split_whitespace() {
        if !out.is_empty() {
            out.push(' ');
        }
        for c in word.chars().flat_map(char::to_lowercase) {
            out.push(if c == 'ё' { 'е' } else { c });
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sources_round_trip_through_their_codes() {
        for s in [Source::Field("brand".into()), Source::Attr("Цвет".into()), Source::Const("Россия".into())]
        {
            assert_eq!(Source::parse(&s.code()), Some(s));
        }
        assert_eq!(Source::parse("attr: Цвет "), Some(Source::Attr("Цвет".into())));
        for bad in ["brand", "field:", "other:x", ""] {
            assert_eq!(Source::parse(bad), None, "{bad}");
        }
    }

    #[test]
    fn value_keys_ignore_case_yo_and_spacing() {
        assert_eq!(value_key("  Тёмно-Синий\tцвет "), "темно-синий цвет");
        assert_eq!(value_key("ЧЁРНЫЙ"), value_key("черный"));
    }

    #[test]
    fn kinds_round_trip() {
        for k in [AttrKind::Text, AttrKind::Number, AttrKind::Enum, AttrKind::Bool] {
            assert_eq!(AttrKind::parse(k.code()), Some(k));
        }
    }
}
