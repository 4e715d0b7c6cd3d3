//! The Yandex Market card: one `offerMappings[]` entry of `offer-mappings/update`, built from a
//! product without I/O. Same input, same JSON (serde_json's maps keep their keys sorted), so
//! the outbox's hash tells a change.
//!
//! Units (market-plan D.7): the catalog holds mm, g and kopecks; YM wants `weightDimensions`
//! in cm and kg as numbers and prices as numbers of roubles, with an integer `discountBase`
//! only when it gives a 5–99 % discount.

use serde_json::{Map, Value, json};
use vitrina_store::export::ExportRow;

use crate::api::CardContext;
use crate::dict::{AttrKind, ResolvedAttr};
use crate::precheck::{Problem, ProblemCode};

/// `parameterValues` an offer may carry.
pub const MAX_PARAMETER_VALUES: usize = 300;

/// The tags YM keeps in a description (yandex-market.md §5.1); any other tag is dropped and
/// its text kept.
const ALLOWED_TAGS: &[&str] = &["h1", "h2", "h3", "h4", "h5", "h6", "br", "p", "ol", "ul", "li", "div"];

pub fn build(row: &ExportRow, ctx: &CardContext) -> Result<Value, Vec<Problem>> {
    let mut problems = Vec::new();
    let category = &ctx.category.category;
    let category_id = category.ext_id.trim().parse::<i64>().ok();
    if category_id.is_none() {
        problems.push(Problem::new(
            ProblemCode::CategoryNotLoaded,
            "category",
            format!("{:?} is not a Yandex Market category id", category.ext_id),
        ));
    }
    if !category.leaf {
        problems.push(Problem::new(
            ProblemCode::CategoryNotLeaf,
            "category",
            format!("{} has subcategories; products go into the last level", category.path),
        ));
    }
    let parameters = parameter_values(ctx.attributes, &mut problems);
    let price = match basic_price(row) {
        Ok(p) => p,
        Err(p) => {
            problems.push(p);
            None
        }
    };
    if !problems.is_empty() {
        return Err(problems);
    }

    let mut offer = Map::new();
    offer.insert("offerId".into(), json!(row.sku.trim()));
    offer.insert("name".into(), json!(row.name.trim()));
    offer.insert("marketCategoryId".into(), json!(category_id));
    let pictures: Vec<&str> = row.images.iter().map(|i| i.trim()).filter(|i| !i.is_empty()).collect();
    offer.insert("pictures".into(), json!(pictures));
    offer.insert("vendor".into(), json!(row.brand.trim()));
    if !row.model.trim().is_empty() {
        offer.insert("vendorCode".into(), json!(row.model.trim()));
    }
    let barcodes: Vec<&str> = row.barcodes.iter().map(|b| b.trim()).filter(|b| !b.is_empty()).collect();
    if !barcodes.is_empty() {
        offer.insert("barcodes".into(), json!(barcodes));
    }
    offer.insert("description".into(), json!(description(&row.description)));
    if let Some(wd) = weight_dimensions(row) {
        offer.insert("weightDimensions".into(), wd);
    }
    offer.insert("parameterValues".into(), Value::Array(parameters));
    if let Some(price) = price {
        offer.insert("basicPrice".into(), price);
    }
    Ok(json!({ "offer": offer }))
}

/// `{length, width, height}` in cm and `weight` in kg; all four are required, so none is sent
/// unless the product has them all (the pre-check names what is missing).
fn weight_dimensions(row: &ExportRow) -> Option<Value> {
    let [l, w, h] = row.dimensions_mm.filter(|d| !d.contains(&0))?;
    let g = row.weight_g.filter(|g| *g > 0)?;
    let cm = |mm: u32| number(f64::from(mm) / 10.0);
    Some(json!({"length": cm(l), "width": cm(w), "height": cm(h), "weight": number(f64::from(g) / 1000.0)}))
}

/// A JSON number, whole values without a fraction (`32`, not `32.0`).
fn number(x: f64) -> Value {
    if x.fract() == 0.0 && x.abs() < 9e15 { json!(x as i64) } else { json!(x) }
}

/// Roubles from kopecks, as a JSON number.
fn roubles(kopecks: i64) -> Value {
    if kopecks % 100 == 0 { json!(kopecks / 100) } else { json!(kopecks as f64 / 100.0) }
}

/// `{value, currencyId:"RUR", discountBase?}` for `row`, `None` without a price (the pre-check
/// says so); a price in a currency other than roubles cannot go to YM.
pub fn basic_price(row: &ExportRow) -> Result<Option<Value>, Problem> {
    let currency = row.currency.trim().to_ascii_uppercase();
    if !matches!(currency.as_str(), "" | "RUB" | "RUR") {
        return Err(Problem::new(
            ProblemCode::NoPrice,
            "price",
            format!("the price is in {currency}; Yandex Market takes roubles only"),
        ));
    }
    if row.price <= 0 {
        return Ok(None);
    }
    let mut price = json!({"value": roubles(row.price), "currencyId": "RUR"});
    if let Some(base) = discount_base(row.price, row.old_price) {
        price["discountBase"] = json!(base);
    }
    Ok(Some(price))
}

/// The old price in whole roubles when it shows a 5–99 % discount on `price` (YM refuses any
/// other `discountBase`).
fn discount_base(price: i64, old_price: Option<i64>) -> Option<i64> {
    let base = (old_price? + 50) / 100;
    let base_k = base * 100;
    let off = (base_k - price) * 100;
    (base > 0 && off >= 5 * base_k && off <= 99 * base_k).then_some(base)
}

/// `parameterValues`: ENUM values by `valueId` (a custom value as `value` where the parameter
/// allows it), numbers in the default unit, booleans as `true`/`false`; a multivalue parameter
/// repeats its `parameterId`. Ordered by parameter id so the JSON does not depend on the
/// resolver's order.
fn parameter_values(attrs: &[ResolvedAttr], problems: &mut Vec<Problem>) -> Vec<Value> {
    let mut out: Vec<(i64, Value)> = Vec::new();
    for ra in attrs {
        let attr = &ra.attr;
        let Ok(id) = attr.attr_id.trim().parse::<i64>() else {
            problems.push(Problem::attr(
                ProblemCode::CategoryNotLoaded,
                &attr.attr_id,
                "not a Yandex Market parameter id; refresh the category",
            ));
            continue;
        };
        let values: Vec<_> =
            ra.values.iter().filter(|v| !v.text.trim().is_empty() || v.value_id.is_some()).collect();
        if values.len() > 1 && !attr.multi {
            problems.push(Problem::attr(
                ProblemCode::TooManyValues,
                &attr.attr_id,
                format!("{}: {} values, the parameter takes one", attr.name, values.len()),
            ));
            continue;
        }
        for v in values {
            let text = v.text.trim();
            let item = match attr.kind {
                AttrKind::Enum => match v.value_id.as_deref().map(|i| i.trim().parse::<i64>()) {
                    Some(Ok(value_id)) => json!({"parameterId": id, "valueId": value_id}),
                    _ if attr.custom_ok => json!({"parameterId": id, "value": text}),
                    _ => {
                        problems.push(Problem::attr(
                            ProblemCode::NotInDictionary,
                            &attr.attr_id,
                            format!("{}: {text:?} is not one of Yandex Market's values", attr.name),
                        ));
                        continue;
                    }
                },
                AttrKind::Number => {
                    let normal = text.replace(',', ".").replace(' ', "");
                    if normal.parse::<f64>().is_err() {
                        problems.push(Problem::attr(
                            ProblemCode::NotANumber,
                            &attr.attr_id,
                            format!("{}: {text:?}", attr.name),
                        ));
                        continue;
                    }
                    json!({"parameterId": id, "value": normal})
                }
                AttrKind::Bool => match boolean(text) {
                    Some(b) => json!({"parameterId": id, "value": b.to_string()}),
                    None => {
                        problems.push(Problem::attr(
                            ProblemCode::NotInDictionary,
                            &attr.attr_id,
                            format!("{}: {text:?} is neither yes nor no", attr.name),
                        ));
                        continue;
                    }
                },
                AttrKind::Text => json!({"parameterId": id, "value": text}),
            };
            out.push((id, item));
        }
    }
    if out.len() > MAX_PARAMETER_VALUES {
        problems.push(Problem::new(
            ProblemCode::TooManyValues,
            "attributes",
            format!("{} parameter values, at most {MAX_PARAMETER_VALUES}", out.len()),
        ));
    }
    out.sort_by_key(|(id, _)| *id);
    out.into_iter().map(|(_, v)| v).collect()
}

fn boolean(text: &str) -> Option<bool> {
    match crate::dict::value_key(text).as_str() {
        "да" | "есть" | "yes" | "true" | "1" => Some(true),
        "нет" | "no" | "false" | "0" => Some(false),
        _ => None,
    }
}

/// `html` with only the tags YM allows, without their attributes; other tags are dropped and
/// their text kept; a stray `<` becomes `&lt;`.
pub fn description(html: &str) -> String {
    let mut out = String::with_capacity(html.len());
    let mut rest = html.trim();
    while let Some(start) = rest.find('<') {
        out.push_str(&rest[..start]);
        let after = &rest[start + 1..];
        let opens_tag = after.starts_with(|c: char| c.is_ascii_alphabetic() || c == '/');
        let Some(end) = after.find('>').filter(|_| opens_tag) else {
            out.push_str("&lt;");
            rest = after;
            continue;
        };
        let tag = &after[..end];
        rest = &after[end + 1..];
        let closing = tag.starts_with('/');
        let name: String = tag
            .trim_start_matches('/')
            .chars()
            .take_while(char::is_ascii_alphanumeric)
            .collect::<String>()
            .to_ascii_lowercase();
        if !ALLOWED_TAGS.contains(&name.as_str()) {
            continue;
        }
        match (name.as_str(), closing) {
            ("br", _) => out.push_str("<br/>"),
            (_, true) => out.push_str(&format!("</{name}>")),
            _ => out.push_str(&format!("<{name}>")),
        }
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::account::Account;
    use crate::dict::{CategoryDict, CategorySpec, MpAttribute, MpCategory, ResolvedValue};
    use crate::market::Market;

    fn attr(id: &str, name: &str, kind: AttrKind, multi: bool, custom_ok: bool) -> MpAttribute {
        MpAttribute {
            category_id: "7811901".into(),
            attr_id: id.into(),
            name: name.into(),
            kind,
            required: false,
            multi,
            max_count: None,
            max_length: None,
            min_value: None,
            max_value: None,
            unit: None,
            dictionary: None,
            custom_ok,
            variant: false,
            named_field: None,
        }
    }

    fn resolved(attr: MpAttribute, values: &[(Option<&str>, &str)]) -> ResolvedAttr {
        ResolvedAttr {
            attr,
            values: values
                .iter()
                .map(|(id, text)| ResolvedValue { value_id: id.map(str::to_owned), text: (*text).to_owned() })
                .collect(),
        }
    }

    fn spec(leaf: bool) -> CategorySpec {
        CategorySpec {
            category: MpCategory {
                ext_id: "7811901".into(),
                parent_id: Some("7811900".into()),
                name: "Кроссовки".into(),
                path: "Одежда / Обувь / Кроссовки".into(),
                leaf,
            },
            dict: CategoryDict::default(),
        }
    }

    fn row() -> ExportRow {
        ExportRow {
            sku: " RUN-42 ".into(),
            name: "Кроссовки беговые Ветер V-42".into(),
            description: "<p class=\"lead\">Лёгкие &amp; <b>быстрые</b>.</p><br><script>x</script><ul><li>сетка</li></ul>"
                .into(),
            brand: "Ветер".into(),
            model: "V-42".into(),
            currency: "RUB".into(),
            price: 599_050,
            old_price: Some(699_000),
            weight_g: Some(900),
            dimensions_mm: Some([320, 200, 125]),
            images: vec!["https://cdn.example.ru/run-42.jpg".into(), " ".into()],
            barcodes: vec!["4601234567893".into()],
            ..Default::default()
        }
    }

    fn attrs() -> Vec<ResolvedAttr> {
        vec![
            resolved(attr("7351771", "Размер", AttrKind::Text, false, true), &[(None, "42")]),
            resolved(
                attr("14871214", "Цвет товара", AttrKind::Enum, true, false),
                &[(Some("14871220"), "черный"), (Some("14871221"), "белый")],
            ),
            resolved(attr("15341921", "Материал", AttrKind::Enum, true, true), &[(None, "сетка")]),
            resolved(attr("23674510", "ОЗУ", AttrKind::Number, false, false), &[(None, "8,5")]),
            resolved(
                attr("27142894", "Антипригарное покрытие", AttrKind::Bool, false, false),
                &[(None, "Да")],
            ),
        ]
    }

    fn build_with(
        row: &ExportRow,
        spec: &CategorySpec,
        attrs: &[ResolvedAttr],
    ) -> Result<Value, Vec<Problem>> {
        let account = Account::new("ym", Market::Ym, 0);
        build(
            row,
            &CardContext { account: &account, category: spec, attributes: attrs, link: None, members: &[] },
        )
    }

    #[test]
    fn the_card_is_the_documented_offer_mapping() {
        let card = build_with(&row(), &spec(true), &attrs()).unwrap();
        let golden = json!({"offer": {
            "offerId": "RUN-42",
            "name": "Кроссовки беговые Ветер V-42",
            "marketCategoryId": 7811901,
            "pictures": ["https://cdn.example.ru/run-42.jpg"],
            "vendor": "Ветер",
            "vendorCode": "V-42",
            "barcodes": ["4601234567893"],
            "description": "<p>Лёгкие &amp; быстрые.</p><br/>x<ul><li>сетка</li></ul>",
            "weightDimensions": {"length": 32, "width": 20, "height": 12.5, "weight": 0.9},
            "parameterValues": [
                {"parameterId": 7351771, "value": "42"},
                {"parameterId": 14871214, "valueId": 14871220},
                {"parameterId": 14871214, "valueId": 14871221},
                {"parameterId": 15341921, "value": "сетка"},
                {"parameterId": 23674510, "value": "8.5"},
                {"parameterId": 27142894, "value": "true"},
            ],
            "basicPrice": {"value": 5990.5, "currencyId": "RUR", "discountBase": 6990},
        }});
        assert_eq!(card, golden);
        // Deterministic to the byte, whatever order the resolver gave the attributes in.
        let mut reversed = attrs();
        reversed.reverse();
        let again = build_with(&row(), &spec(true), &reversed).unwrap();
        assert_eq!(serde_json::to_string(&card).unwrap(), serde_json::to_string(&again).unwrap());
    }

    #[test]
    fn optional_parts_are_left_out_when_the_product_lacks_them() {
        let bare = ExportRow {
            model: " ".into(),
            barcodes: vec![],
            weight_g: None,
            price: 0,
            old_price: None,
            ..row()
        };
        let card = build_with(&bare, &spec(true), &[]).unwrap();
        let offer = card["offer"].as_object().unwrap();
        for gone in ["vendorCode", "barcodes", "weightDimensions", "basicPrice"] {
            assert!(!offer.contains_key(gone), "{gone}: {card}");
        }
        assert_eq!(offer["parameterValues"], json!([]));
    }

    #[test]
    fn discount_base_goes_only_with_a_5_to_99_percent_discount() {
        assert_eq!(discount_base(100_000, Some(110_000)), Some(1100));
        assert_eq!(discount_base(95_000, Some(100_000)), Some(1000), "exactly 5 %");
        assert_eq!(discount_base(100_000, Some(105_000)), None, "4.8 %");
        assert_eq!(discount_base(100_000, Some(90_000)), None, "not above the price");
        assert_eq!(discount_base(100, Some(1_000_000)), None, "over 99 %");
        assert_eq!(discount_base(100_000, None), None);
        assert_eq!(discount_base(99_990, Some(119_949)), Some(1199), "rounded to whole roubles");
        let row = ExportRow { old_price: Some(600_000), ..row() };
        assert_eq!(basic_price(&row).unwrap(), Some(json!({"value": 5990.5, "currencyId": "RUR"})));
        let dollars = ExportRow { currency: "usd".into(), ..row };
        assert_eq!(basic_price(&dollars).unwrap_err().code, ProblemCode::NoPrice);
    }

    #[test]
    fn what_only_the_builder_sees_comes_back_as_problems() {
        let bad = vec![
            resolved(attr("14871214", "Цвет товара", AttrKind::Enum, false, false), &[(None, "фуксия")]),
            resolved(attr("23674510", "ОЗУ", AttrKind::Number, false, false), &[(None, "много")]),
            resolved(attr("7351771", "Размер", AttrKind::Text, false, false), &[(None, "42"), (None, "43")]),
            resolved(
                attr("5", "Антипригарное покрытие", AttrKind::Bool, false, false),
                &[(None, "может быть")],
            ),
            resolved(attr("x", "Странный", AttrKind::Text, false, false), &[(None, "1")]),
        ];
        let problems = build_with(&row(), &spec(false), &bad).unwrap_err();
        let got: Vec<_> = problems.iter().map(|p| (p.code, p.attr_id.as_deref())).collect();
        assert_eq!(
            got,
            [
                (ProblemCode::CategoryNotLeaf, None),
                (ProblemCode::NotInDictionary, Some("14871214")),
                (ProblemCode::NotANumber, Some("23674510")),
                (ProblemCode::TooManyValues, Some("7351771")),
                (ProblemCode::NotInDictionary, Some("5")),
                (ProblemCode::CategoryNotLoaded, Some("x")),
            ]
        );
    }

    #[test]
    fn more_than_300_parameter_values_are_refused() {
        let many: Vec<_> = (0..301).map(|i| (None, format!("v{i}"))).collect();
        let many: Vec<_> = many.iter().map(|(id, t)| (*id, t.as_str())).collect();
        let attrs = vec![resolved(attr("1", "Теги", AttrKind::Text, true, true), &many)];
        let problems = build_with(&row(), &spec(true), &attrs).unwrap_err();
        assert_eq!(problems[0].code, ProblemCode::TooManyValues);
        assert!(problems[0].detail.contains("301"), "{problems:?}");
    }

    #[test]
    fn descriptions_keep_only_the_allowed_tags() {
        assert_eq!(
            description("<H2 id=a>Про</H2><a href=x>ссылка</a><br />3 < 5 <p>x</p>"),
            "<h2>Про</h2>ссылка<br/>3 &lt; 5 <p>x</p>"
        );
        assert_eq!(description("  <div><ol><li>a</li></ol></div> "), "<div><ol><li>a</li></ol></div>");
    }
}
