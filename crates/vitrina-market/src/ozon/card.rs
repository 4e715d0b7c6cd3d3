//! The item of `/v3/product/import` for one product: pure, so the same product always gives the
//! same JSON and its hash tells a change.
//!
//! Units as Ozon takes them: millimetres and grams as the catalog keeps them (`dimension_unit`
//! `mm`, `weight_unit` `g`); prices as decimal strings in roubles. The description is not a
//! field on Ozon but the attribute named «Аннотация», and the brand is attribute 85 (a
//! dictionary): both are filled from the product when the category has them and the seller's
//! rules did not already.

use std::collections::BTreeMap;

use serde_json::{Map, Value, json};
use vitrina_store::export::ExportRow;

use super::dict::split_leaf;
use super::money::{format_minor, old_price};
use super::wire::int;
use crate::api::CardContext;
use crate::dict::{MpAttribute, ResolvedValue, value_key};
use crate::precheck::{Problem, ProblemCode};

/// Ozon's brand attribute.
pub(super) const BRAND: &str = "85";
/// The attribute that carries the description, found by name (its id, 4191 in the community's
/// notes, is not in the spec).
pub(super) const ANNOTATION: &str = "аннотация";
/// At most this many pictures, the first the main one.
const MAX_IMAGES: usize = 15;

pub(super) fn build(row: &ExportRow, ctx: &CardContext) -> Result<Value, Vec<Problem>> {
    let mut problems = Vec::new();
    let category = &ctx.category.category;
    let leaf = split_leaf(&category.ext_id).filter(|_| category.leaf);
    if leaf.is_none() {
        problems.push(Problem::new(
            ProblemCode::CategoryNotLeaf,
            "category",
            format!("{} is not an Ozon type; products go into types only", category.path),
        ));
    }
    let old = old_price(row.price, row.old_price).map_err(|p| problems.push(p)).ok();
    // A missing size, weight or price is the pre-check's to report (it runs first and stops the
    // send); here they go as 0 rather than twice as problems.
    let [depth, width, height] = row.dimensions_mm.unwrap_or_default();
    let weight = row.weight_g.unwrap_or_default();
    let attributes = attributes(row, ctx, &mut problems);
    let (Some((category_id, type_id)), Some(old)) = (leaf, old) else {
        return Err(problems);
    };
    if !problems.is_empty() {
        return Err(problems);
    }
    let mut item = Map::new();
    item.insert("offer_id".into(), json!(row.sku.trim()));
    item.insert("name".into(), json!(row.name.trim()));
    if let Some(barcode) = row.barcodes.iter().map(|b| b.trim()).find(|b| !b.is_empty()) {
        item.insert("barcode".into(), json!(barcode));
    }
    item.insert("description_category_id".into(), json!(category_id));
    item.insert("type_id".into(), json!(type_id));
    item.insert("price".into(), json!(format_minor(row.price)));
    item.insert("old_price".into(), json!(old));
    item.insert("currency_code".into(), json!(currency(&row.currency)));
    item.insert("vat".into(), json!(vat(ctx)));
    item.insert("depth".into(), json!(depth));
    item.insert("width".into(), json!(width));
    item.insert("height".into(), json!(height));
    item.insert("dimension_unit".into(), json!("mm"));
    item.insert("weight".into(), json!(weight));
    item.insert("weight_unit".into(), json!("g"));
    let images: Vec<&str> =
        row.images.iter().map(|i| i.trim()).filter(|i| !i.is_empty()).take(MAX_IMAGES).collect();
    item.insert("images".into(), json!(images));
    item.insert("attributes".into(), Value::Array(attributes));
    Ok(Value::Object(item))
}

/// The cabinet's currency code as Ozon spells it (`RUR` is the old code for roubles).
pub(super) fn currency(code: &str) -> String {
    match code.trim().to_ascii_uppercase().as_str() {
        "" | "RUR" => "RUB".into(),
        other => other.to_owned(),
    }
}

/// The account's VAT rate (`settings.other["vat"]`: `"0.2"` or `0.2`), `"0"` when not set.
fn vat(ctx: &CardContext) -> String {
    match ctx.account.settings.other.get("vat") {
        Some(Value::String(s)) if !s.trim().is_empty() => s.trim().to_owned(),
        Some(Value::Number(n)) => n.to_string(),
        _ => "0".into(),
    }
}

/// `attributes[]`, by id: the resolved ones, then the description and the brand when the
/// category has them and nothing resolved them.
fn attributes(row: &ExportRow, ctx: &CardContext, problems: &mut Vec<Problem>) -> Vec<Value> {
    let mut by_id: BTreeMap<i64, Vec<Value>> = BTreeMap::new();
    for resolved in ctx.attributes {
        if let Some(id) = int(&resolved.attr.attr_id)
            && !resolved.values.is_empty()
        {
            by_id.insert(id, resolved.values.iter().map(value).collect());
        }
    }
    let find = |pred: &dyn Fn(&MpAttribute) -> bool| {
        ctx.category.dict.attributes.iter().find(|a| pred(a)).and_then(|a| Some((int(&a.attr_id)?, a)))
    };
    let description = row.description.trim();
    if let Some((id, _)) = find(&|a| value_key(&a.name) == ANNOTATION)
        && !description.is_empty()
    {
        by_id.entry(id).or_insert_with(|| vec![json!({"value": description})]);
    }
    let brand = row.brand.trim();
    if let Some((id, attr)) = find(&|a| a.attr_id == BRAND)
        && !brand.is_empty()
        && !by_id.contains_key(&id)
    {
        match brand_value(brand, attr, ctx) {
            Ok(v) => {
                by_id.insert(id, vec![v]);
            }
            Err(p) => problems.push(p),
        }
    }
    by_id.into_iter().map(|(id, values)| json!({"complex_id": 0, "id": id, "values": values})).collect()
}

fn value(v: &ResolvedValue) -> Value {
    match v.value_id.as_deref().and_then(int) {
        Some(id) => json!({"dictionary_value_id": id, "value": v.text}),
        None => json!({"value": v.text}),
    }
}

/// The brand as a value of the brand dictionary (Ozon takes no brand outside it).
fn brand_value(brand: &str, attr: &MpAttribute, ctx: &CardContext) -> Result<Value, Problem> {
    let Some(key) = &attr.dictionary else {
        return Ok(json!({"value": brand}));
    };
    let wanted = value_key(brand);
    ctx.category
        .dict
        .values
        .get(key)
        .into_iter()
        .flatten()
        .find(|v| value_key(&v.value) == wanted)
        .and_then(|v| Some(json!({"dictionary_value_id": int(&v.value_id)?, "value": v.value})))
        .ok_or_else(|| {
            Problem::attr(
                ProblemCode::NotInDictionary,
                BRAND,
                format!("{brand} is not among Ozon's brands (use «Нет бренда» for goods without one)"),
            )
        })
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::*;
    use crate::account::Account;
    use crate::dict::{AttrKind, CategoryDict, CategorySpec, MpCategory, MpValue, ResolvedAttr};
    use crate::market::Market;

    fn attr(id: &str, name: &str, dictionary: Option<&str>) -> MpAttribute {
        MpAttribute {
            category_id: "17028973:91248".into(),
            attr_id: id.into(),
            name: name.into(),
            kind: if dictionary.is_some() { AttrKind::Enum } else { AttrKind::Text },
            required: false,
            multi: false,
            max_count: None,
            max_length: None,
            min_value: None,
            max_value: None,
            unit: None,
            dictionary: dictionary.map(str::to_owned),
            custom_ok: false,
            variant: false,
            named_field: None,
        }
    }

    fn spec() -> CategorySpec {
        let brands = vec![
            MpValue { value_id: "5045001".into(), value: "Nike".into() },
            MpValue { value_id: "5045002".into(), value: "Adidas".into() },
        ];
        CategorySpec {
            category: MpCategory {
                ext_id: "17028973:91248".into(),
                parent_id: Some("17028973".into()),
                name: "Кроссовки".into(),
                path: "Обувь / Кроссовки".into(),
                leaf: true,
            },
            dict: CategoryDict {
                attributes: vec![
                    attr("85", "Бренд", Some("ozon:28732849")),
                    attr("4191", "Аннотация", None),
                    attr("10096", "Цвет товара", Some("ozon:10096")),
                ],
                values: BTreeMap::from([("ozon:28732849".into(), brands)]),
            },
        }
    }

    fn row() -> ExportRow {
        ExportRow {
            sku: "RUN-42".into(),
            name: "Кроссовки беговые Nike Air Max 90".into(),
            description: "<p>Лёгкие</p>".into(),
            brand: "nike".into(),
            currency: "RUR".into(),
            price: 599_050,
            old_price: Some(749_000),
            weight_g: Some(900),
            dimensions_mm: Some([320, 200, 120]),
            images: vec![
                "https://cdn.example.ru/1.jpg".into(),
                " ".into(),
                "https://cdn.example.ru/2.jpg".into(),
            ],
            barcodes: vec!["4601234567893".into()],
            ..Default::default()
        }
    }

    fn colour() -> Vec<ResolvedAttr> {
        vec![ResolvedAttr {
            attr: attr("10096", "Цвет товара", Some("ozon:10096")),
            values: vec![ResolvedValue { value_id: Some("61574".into()), text: "черный".into() }],
        }]
    }

    fn build_with(
        row: &ExportRow,
        account: &Account,
        attributes: &[ResolvedAttr],
    ) -> Result<Value, Vec<Problem>> {
        let spec = spec();
        build(row, &CardContext { account, category: &spec, attributes, link: None, members: &[] })
    }

    #[test]
    fn the_item_has_ozons_shape_units_and_attributes() {
        let mut account = Account::new("o", Market::Ozon, 0);
        account.settings.other.insert("vat".into(), json!("0.2"));
        let item = build_with(&row(), &account, &colour()).unwrap();
        assert_eq!(
            item,
            json!({
                "offer_id": "RUN-42",
                "name": "Кроссовки беговые Nike Air Max 90",
                "barcode": "4601234567893",
                "description_category_id": 17028973,
                "type_id": 91248,
                "price": "5990.5",
                "old_price": "7490",
                "currency_code": "RUB",
                "vat": "0.2",
                "depth": 320, "width": 200, "height": 120, "dimension_unit": "mm",
                "weight": 900, "weight_unit": "g",
                "images": ["https://cdn.example.ru/1.jpg", "https://cdn.example.ru/2.jpg"],
                "attributes": [
                    {"complex_id": 0, "id": 85, "values": [{"dictionary_value_id": 5045001, "value": "Nike"}]},
                    {"complex_id": 0, "id": 4191, "values": [{"value": "<p>Лёгкие</p>"}]},
                    {"complex_id": 0, "id": 10096, "values": [{"dictionary_value_id": 61574, "value": "черный"}]}
                ]
            })
        );
        // Deterministic to the byte, and any change shows.
        let again = build_with(&row(), &account, &colour()).unwrap();
        assert_eq!(serde_json::to_vec(&item).unwrap(), serde_json::to_vec(&again).unwrap());
        let cheaper = build_with(&ExportRow { price: 500_000, ..row() }, &account, &colour()).unwrap();
        assert_ne!(item, cheaper);
    }

    #[test]
    fn defaults_without_old_price_vat_barcode_or_brand() {
        let account = Account::new("o", Market::Ozon, 0);
        let bare = ExportRow {
            old_price: None,
            barcodes: vec![],
            brand: String::new(),
            description: " ".into(),
            currency: "KZT".into(),
            images: (0..20).map(|i| format!("https://x.ru/{i}.jpg")).collect(),
            ..row()
        };
        let item = build_with(&bare, &account, &[]).unwrap();
        assert_eq!((item["old_price"].as_str(), item["vat"].as_str()), (Some("0"), Some("0")));
        assert_eq!(item["currency_code"], "KZT");
        assert!(item.get("barcode").is_none());
        assert_eq!(item["attributes"], json!([]));
        assert_eq!(item["images"].as_array().unwrap().len(), 15);
    }

    #[test]
    fn what_ozon_would_refuse_comes_back_as_problems() {
        let account = Account::new("o", Market::Ozon, 0);
        let bad = ExportRow {
            old_price: Some(600_000),
            dimensions_mm: Some([320, 0, 120]),
            weight_g: None,
            brand: "Ветер".into(),
            ..row()
        };
        let codes: Vec<_> = build_with(&bad, &account, &[])
            .unwrap_err()
            .iter()
            .map(|p| (p.code, p.attr_id.clone()))
            .collect();
        // The size and the weight are the pre-check's (it runs first): not reported twice.
        assert_eq!(
            codes,
            [(ProblemCode::BadDiscount, None), (ProblemCode::NotInDictionary, Some("85".into()))]
        );
        let mut inner = spec();
        inner.category.leaf = false;
        inner.category.ext_id = "17028973".into();
        let err = build(
            &row(),
            &CardContext { account: &account, category: &inner, attributes: &[], link: None, members: &[] },
        )
        .unwrap_err();
        assert_eq!(err[0].code, ProblemCode::CategoryNotLeaf);
    }
}
