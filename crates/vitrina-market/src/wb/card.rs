//! The card builder: a product as a WB card, pure and deterministic (the outbox hashes its JSON).
//!
//! A product without a link becomes a create item `{"subjectID", "group", "variant"}`: the
//! sender merges the variants of one `group` into one upload entry (a merged card) and drops
//! `group`. A linked product becomes the whole card for `cards/update` — WB overwrites a card
//! with what it is sent, so every field goes, with `nmID` and every stored size's `chrtID`.
//!
//! The sizes of one product (a variant group whose products differ by their "Размер") are one
//! card: the first product's, with every product as one of its `sizes` (its size, barcodes and
//! price); [`one_card`] decides, the planner passes the others as [`CardContext::members`].

use serde_json::{Map, Value, json};
use vitrina_store::export::ExportRow;

use super::prices::wb_price;
use crate::api::CardContext;
use crate::dict::{AttrKind, MpAttribute, ResolvedAttr, value_key};
use crate::precheck::{Problem, ProblemCode};

/// The card item for `row`, or the problems only the builder sees.
pub(super) fn build(row: &ExportRow, ctx: &CardContext) -> Result<Value, Vec<Problem>> {
    let mut problems = Vec::new();
    let category = &ctx.category.category;
    let subject = category.ext_id.parse::<i64>().ok().filter(|_| category.leaf);
    if subject.is_none() {
        problems.push(Problem::new(
            ProblemCode::CategoryNotLeaf,
            "category",
            format!("{} is not a Wildberries subject", category.path),
        ));
    }
    let own = size(ctx.attributes, ctx, &mut problems);
    let mut ours = vec![Ours { size: own, skus: barcodes(row), row }];
    for m in ctx.members {
        ours.push(Ours { size: size(m.attributes, ctx, &mut problems), skus: barcodes(m.row), row: m.row });
    }
    let characteristics = characteristics(ctx.attributes, &mut problems);
    let Some(subject) = subject.filter(|_| problems.is_empty()) else { return Err(problems) };

    let named = |field: &str| {
        ctx.attributes
            .iter()
            .filter(|a| a.attr.named_field.as_deref() == Some(field))
            .flat_map(|a| a.values.first())
            .map(|v| v.text.trim().to_owned())
            .find(|t| !t.is_empty())
    };
    let title = named("title").unwrap_or_else(|| row.name.trim().to_owned());
    let brand = named("brand").unwrap_or_else(|| row.brand.trim().to_owned());
    let description = named("description").unwrap_or_else(|| plain_text(&row.description));
    let nm_id = ctx.link.and_then(|l| l.ext.ext_id.as_deref()).and_then(|id| id.parse::<i64>().ok());

    let mut card = Map::new();
    card.insert("vendorCode".into(), json!(row.sku.trim()));
    card.insert("title".into(), json!(title));
    card.insert("description".into(), json!(description));
    card.insert("brand".into(), json!(brand));
    card.insert("dimensions".into(), dimensions(row));
    card.insert("characteristics".into(), Value::Array(characteristics));
    match nm_id {
        Some(nm_id) => {
            let stored = ctx.link.and_then(|l| l.ext.sizes.as_ref());
            card.insert("nmID".into(), json!(nm_id));
            card.insert("sizes".into(), Value::Array(update_sizes(stored, &ours)));
            Ok(Value::Object(card))
        }
        None => {
            let sizes: Vec<Value> = ours.iter().map(new_size).collect();
            card.insert("sizes".into(), Value::Array(sizes));
            Ok(json!({"subjectID": subject, "group": row.group, "variant": card}))
        }
    }
}

/// A size as the product gives it: `techSize` from the "Размер" attribute, `wbSize` from
/// "Рос. размер"; both absent for goods without sizes.
#[derive(Debug, Default, PartialEq)]
struct Size {
    tech: Option<String>,
    wb: Option<String>,
}

/// Which size field an attribute fills, by its name.
fn size_field(attr: &MpAttribute) -> Option<&'static str> {
    let key = value_key(&attr.name);
    if key.starts_with("рос. размер") || key.starts_with("российский размер") {
        Some("wbSize")
    } else if key.starts_with("размер") {
        Some("techSize")
    } else {
        None
    }
}

/// One product of the card: its size, barcodes and row (for the price of a new size).
struct Ours<'a> {
    size: Size,
    skus: Vec<String>,
    row: &'a ExportRow,
}

/// Whether the products of one variant group make one card: the subject has a size, and every
/// product gives a size of its own.
pub(super) fn one_card(spec: &crate::dict::CategorySpec, group: &[&[ResolvedAttr]]) -> bool {
    if group.len() < 2 || !spec.dict.attributes.iter().any(|a| size_field(a) == Some("techSize")) {
        return false;
    }
    let mut seen = std::collections::HashSet::new();
    group.iter().all(|attrs| tech_size(attrs).is_some_and(|t| seen.insert(value_key(&t))))
}

/// The `techSize` a product's attributes give.
fn tech_size(attrs: &[ResolvedAttr]) -> Option<String> {
    attrs
        .iter()
        .filter(|a| size_field(&a.attr) == Some("techSize"))
        .flat_map(|a| a.values.first())
        .map(|v| v.text.trim().to_owned())
        .find(|t| !t.is_empty())
}

fn size(attrs: &[ResolvedAttr], ctx: &CardContext, problems: &mut Vec<Problem>) -> Size {
    let value = |field: &str| {
        attrs
            .iter()
            .filter(|a| size_field(&a.attr) == Some(field))
            .flat_map(|a| a.values.first())
            .map(|v| v.text.trim().to_owned())
            .find(|t| !t.is_empty())
    };
    let size = Size { tech: value("techSize"), wb: value("wbSize") };
    if size.tech.is_none()
        && let Some(attr) =
            ctx.category.dict.attributes.iter().find(|a| a.required && size_field(a) == Some("techSize"))
    {
        problems.push(Problem::attr(
            ProblemCode::NoSize,
            &attr.attr_id,
            format!("{} is required in this Wildberries subject", attr.name),
        ));
    }
    size
}

/// A size the card does not have yet: its price counts only here.
fn new_size(ours: &Ours) -> Value {
    let mut out = Map::new();
    if let Some(tech) = &ours.size.tech {
        out.insert("techSize".into(), json!(tech));
    }
    if let Some(wb) = &ours.size.wb {
        out.insert("wbSize".into(), json!(wb));
    }
    out.insert("price".into(), json!(wb_price(ours.row).0));
    out.insert("skus".into(), json!(ours.skus));
    Value::Object(out)
}

/// The sizes of an update: every stored size with its `chrtID` (WB drops a size that is not
/// sent). Each product's size is the stored one with its `techSize` (or, for a card of one
/// product, the only one); its barcodes are added to the stored ones, since WB never removes a
/// barcode. A product size the card lacks goes as a new size.
fn update_sizes(stored: Option<&Value>, ours: &[Ours]) -> Vec<Value> {
    let stored: Vec<&Value> =
        stored.and_then(Value::as_array).map(|a| a.iter().collect()).unwrap_or_default();
    let tech_of = |s: &Value| s.get("techSize").and_then(Value::as_str).map(str::to_owned);
    // Which stored size each of ours is.
    let matched: Vec<Option<usize>> = ours
        .iter()
        .map(|o| match &o.size.tech {
            Some(tech) => stored.iter().position(|s| tech_of(s).as_deref() == Some(tech.as_str())),
            None if stored.len() == 1 && ours.len() == 1 => Some(0),
            None => None,
        })
        .collect();
    let mut out = Vec::with_capacity(stored.len() + ours.len());
    for (i, s) in stored.iter().enumerate() {
        let mut size_skus: Vec<String> = s
            .get("skus")
            .and_then(Value::as_array)
            .map(|a| a.iter().filter_map(Value::as_str).map(str::to_owned).collect())
            .unwrap_or_default();
        let mut entry = Map::new();
        entry.insert("chrtID".into(), s.get("chrtID").cloned().unwrap_or(Value::Null));
        let (tech, wb) = match matched.iter().position(|m| *m == Some(i)) {
            Some(k) => {
                for sku in &ours[k].skus {
                    if !size_skus.contains(sku) {
                        size_skus.push(sku.clone());
                    }
                }
                let size = &ours[k].size;
                (size.tech.clone().or_else(|| tech_of(s)), size.wb.clone().or_else(|| text(s, "wbSize")))
            }
            None => (tech_of(s), text(s, "wbSize")),
        };
        if let Some(tech) = tech {
            entry.insert("techSize".into(), json!(tech));
        }
        if let Some(wb) = wb {
            entry.insert("wbSize".into(), json!(wb));
        }
        entry.insert("skus".into(), json!(size_skus));
        out.push(Value::Object(entry));
    }
    for (o, m) in ours.iter().zip(&matched) {
        if m.is_none() {
            out.push(new_size(o));
        }
    }
    out
}

fn text(v: &Value, key: &str) -> Option<String> {
    v.get(key).and_then(Value::as_str).filter(|s| !s.is_empty()).map(str::to_owned)
}

/// The product's barcodes, trimmed, first occurrence kept.
fn barcodes(row: &ExportRow) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for code in row.barcodes.iter().map(|b| b.trim()).filter(|b| !b.is_empty()) {
        if !out.iter().any(|c| c == code) {
            out.push(code.to_owned());
        }
    }
    out
}

/// Packed size in whole centimetres (at least 1) and gross weight in kilograms with three
/// decimals; zeros where the product has none, as WB stores a missing value.
fn dimensions(row: &ExportRow) -> Value {
    let cm = |mm: u32| if mm == 0 { 0 } else { ((mm + 5) / 10).max(1) };
    let [length, width, height] = row.dimensions_mm.map_or([0; 3], |d| d.map(cm));
    let weight = row.weight_g.map_or(0.0, |g| f64::from(g) / 1000.0);
    json!({"length": length, "width": width, "height": height, "weightBrutto": weight})
}

/// `characteristics` in attribute id order: text as an array of strings, numbers as one number.
/// Attributes WB takes in a named field (brand, title, sizes…) are left out.
fn characteristics(attrs: &[ResolvedAttr], problems: &mut Vec<Problem>) -> Vec<Value> {
    let mut sorted: Vec<&ResolvedAttr> = attrs
        .iter()
        .filter(|a| a.attr.named_field.is_none() && size_field(&a.attr).is_none())
        .filter(|a| a.values.iter().any(|v| !v.text.trim().is_empty()))
        .collect();
    sorted.sort_by_key(|a| (a.attr.attr_id.parse::<i64>().unwrap_or(i64::MAX), a.attr.attr_id.clone()));
    let mut out = Vec::with_capacity(sorted.len());
    for a in sorted {
        let Ok(id) = a.attr.attr_id.parse::<i64>() else { continue };
        let texts: Vec<&str> = a.values.iter().map(|v| v.text.trim()).filter(|t| !t.is_empty()).collect();
        let value = match a.attr.kind {
            AttrKind::Number => match number(texts[0]) {
                Some(n) => n,
                None => {
                    problems.push(Problem::attr(
                        ProblemCode::NotANumber,
                        &a.attr.attr_id,
                        format!("{}: {}", a.attr.name, texts[0]),
                    ));
                    continue;
                }
            },
            AttrKind::Text | AttrKind::Enum | AttrKind::Bool => json!(texts),
        };
        out.push(json!({"id": id, "value": value}));
    }
    out
}

/// A number as WB reads it: an integer when whole, else a decimal (a comma is a decimal point).
fn number(text: &str) -> Option<Value> {
    let n: f64 = text.replace(',', ".").replace(' ', "").parse().ok()?;
    if !n.is_finite() {
        return None;
    }
    if n.fract() == 0.0 && n.abs() < 9e15 { Some(json!(n as i64)) } else { Some(json!(n)) }
}

/// The text a buyer reads in sanitized HTML: tags dropped, block ends and `<br>` as line
/// breaks, entities decoded, spaces collapsed. WB's description is plain text.
pub(super) fn plain_text(html: &str) -> String {
    let mut raw = String::with_capacity(html.len());
    let mut rest = html;
    while let Some(c) = rest.chars().next() {
        if c == '<' {
            let Some(end) = rest.find('>') else {
                raw.push_str(rest);
                break;
            };
            let tag = rest[1..end].trim().trim_start_matches('/').to_ascii_lowercase();
            let name = tag.split(|c: char| c.is_whitespace() || c == '/').next().unwrap_or_default();
            if matches!(
                name,
                "br" | "p" | "div" | "li" | "ul" | "ol" | "tr" | "h1" | "h2" | "h3" | "h4" | "h5" | "h6"
            ) {
                raw.push('\n');
            }
            rest = &rest[end + 1..];
        } else if c == '&' {
            let (decoded, used) = entity(rest);
            raw.push_str(&decoded);
            rest = &rest[used..];
        } else {
            raw.push(c);
            rest = &rest[c.len_utf8()..];
        }
    }
    let lines: Vec<String> = raw
        .lines()
        .map(|l| l.split_whitespace().collect::<Vec<_>>().join(" "))
        .filter(|l| !l.is_empty())
        .collect();
    lines.join("\n")
}

/// The entity at the start of `s` (which starts with `&`) and how many bytes it took; an
/// unknown one stays as it is.
fn entity(s: &str) -> (String, usize) {
    let Some(end) = s[..s.len().min(12)].find(';') else { return ("&".into(), 1) };
    let name = &s[1..end];
    let decoded = match name {
        "amp" => Some('&'),
        "lt" => Some('<'),
        "gt" => Some('>'),
        "quot" => Some('"'),
        "apos" => Some('\''),
        "nbsp" => Some(' '),
        "laquo" => Some('«'),
        "raquo" => Some('»'),
        "mdash" => Some('—'),
        "ndash" => Some('–'),
        _ => name
            .strip_prefix("#x")
            .or_else(|| name.strip_prefix("#X"))
            .and_then(|h| u32::from_str_radix(h, 16).ok())
            .or_else(|| name.strip_prefix('#').and_then(|d| d.parse().ok()))
            .and_then(char::from_u32),
    };
    match decoded {
        Some(c) => (c.to_string(), end + 1),
        None => ("&".into(), 1),
    }
}

#[cfg(test)]
mod tests {
    use vitrina_domain::Attribute;

    use super::*;
    use crate::account::Account;
    use crate::api::{ExtIds, Link};
    use crate::dict::{CategoryDict, CategorySpec, MpCategory, ResolvedValue};
    use crate::market::Market;

    fn attr(id: &str, name: &str, kind: AttrKind, required: bool, named: Option<&str>) -> MpAttribute {
        MpAttribute {
            category_id: "105".into(),
            attr_id: id.into(),
            name: name.into(),
            kind,
            required,
            multi: kind == AttrKind::Text,
            max_count: None,
            max_length: None,
            min_value: None,
            max_value: None,
            unit: None,
            dictionary: None,
            custom_ok: true,
            variant: false,
            named_field: named.map(str::to_owned),
        }
    }

    fn spec() -> CategorySpec {
        CategorySpec {
            category: MpCategory {
                ext_id: "105".into(),
                parent_id: Some("parent:8".into()),
                name: "Кроссовки".into(),
                path: "Обувь / Кроссовки".into(),
                leaf: true,
            },
            dict: CategoryDict {
                attributes: vec![
                    attr("54337", "Размер", AttrKind::Text, true, Some("sizes")),
                    attr("14177449", "Цвет", AttrKind::Text, true, None),
                    attr("88952", "Материал верха", AttrKind::Text, false, None),
                    attr("90630", "Высота каблука", AttrKind::Number, false, None),
                    attr("200", "Бренд", AttrKind::Text, false, Some("brand")),
                ],
                values: Default::default(),
            },
        }
    }

    fn resolved(spec: &CategorySpec, values: &[(&str, &[&str])]) -> Vec<ResolvedAttr> {
        values
            .iter()
            .map(|(id, texts)| ResolvedAttr {
                attr: spec.dict.attributes.iter().find(|a| a.attr_id == *id).unwrap().clone(),
                values: texts.iter().map(|t| ResolvedValue { value_id: None, text: (*t).into() }).collect(),
            })
            .collect()
    }

    fn row() -> ExportRow {
        ExportRow {
            sku: "RUN-42".into(),
            name: "Кроссовки беговые Ветер".into(),
            description: "<p>Лёгкие &amp; быстрые.</p><ul><li>сетка</li><li>пена&nbsp;EVA</li></ul>".into(),
            brand: "Ветер".into(),
            group: Some(7),
            price: 449_050,
            old_price: Some(599_000),
            weight_g: Some(1242),
            dimensions_mm: Some([324, 200, 115]),
            barcodes: vec!["4601234567893".into(), " 4601234567893".into()],
            attributes: vec![Attribute { name: "Цвет".into(), value: "черный".into(), unit: None }],
            ..Default::default()
        }
    }

    fn build_with(
        row: &ExportRow,
        attrs: &[ResolvedAttr],
        link: Option<&Link>,
    ) -> Result<Value, Vec<Problem>> {
        let account = Account::new("t", Market::Wb, 0);
        let spec = spec();
        build(row, &CardContext { account: &account, category: &spec, attributes: attrs, link, members: &[] })
    }

    fn full_attrs() -> Vec<ResolvedAttr> {
        resolved(
            &spec(),
            &[
                ("90630", &["3,5"]),
                ("14177449", &["черный", "белый"]),
                ("54337", &["42"]),
                ("200", &["Ветер Pro"]),
                ("88952", &["сетка"]),
            ],
        )
    }

    #[test]
    fn a_new_product_is_a_create_item_in_wbs_units() {
        let card = build_with(&row(), &full_attrs(), None).unwrap();
        assert_eq!(
            card,
            json!({
                "subjectID": 105,
                "group": 7,
                "variant": {
                    "vendorCode": "RUN-42",
                    "title": "Кроссовки беговые Ветер",
                    "description": "Лёгкие & быстрые.\nсетка\nпена EVA",
                    "brand": "Ветер Pro",
                    "dimensions": {"length": 32, "width": 20, "height": 12, "weightBrutto": 1.242},
                    "characteristics": [
                        {"id": 88952, "value": ["сетка"]},
                        {"id": 90630, "value": 3.5},
                        {"id": 14177449, "value": ["черный", "белый"]},
                    ],
                    "sizes": [{"techSize": "42", "price": 5990, "skus": ["4601234567893"]}],
                }
            })
        );
    }

    #[test]
    fn a_linked_product_is_the_whole_card_with_every_size_id() {
        let link = Link {
            offer_id: "RUN-42".into(),
            ext: ExtIds {
                ext_id: Some("300000001".into()),
                ext_group: Some("200000001".into()),
                sizes: Some(json!([
                    {"chrtID": 500000001, "techSize": "42", "wbSize": "42", "skus": ["2000000000017"]},
                    {"chrtID": 500000002, "techSize": "43", "wbSize": "43", "skus": ["2000000000024"]},
                ])),
                ..ExtIds::default()
            },
            ..Link::default()
        };
        let card = build_with(&row(), &full_attrs(), Some(&link)).unwrap();
        assert_eq!(
            card,
            json!({
                "nmID": 300000001,
                "vendorCode": "RUN-42",
                "title": "Кроссовки беговые Ветер",
                "description": "Лёгкие & быстрые.\nсетка\nпена EVA",
                "brand": "Ветер Pro",
                "dimensions": {"length": 32, "width": 20, "height": 12, "weightBrutto": 1.242},
                "characteristics": [
                    {"id": 88952, "value": ["сетка"]},
                    {"id": 90630, "value": 3.5},
                    {"id": 14177449, "value": ["черный", "белый"]},
                ],
                "sizes": [
                    {"chrtID": 500000001, "techSize": "42", "wbSize": "42", "skus": ["2000000000017", "4601234567893"]},
                    {"chrtID": 500000002, "techSize": "43", "wbSize": "43", "skus": ["2000000000024"]},
                ],
            })
        );
    }

    #[test]
    fn the_same_input_gives_the_same_bytes_and_any_change_shows() {
        let bytes = |r: &ExportRow, a: &[ResolvedAttr]| {
            serde_json::to_string(&build_with(r, a, None).unwrap()).unwrap()
        };
        let mut shuffled = full_attrs();
        shuffled.reverse();
        assert_eq!(bytes(&row(), &full_attrs()), bytes(&row(), &shuffled), "attribute order does not matter");
        for changed in [
            ExportRow { old_price: Some(610_000), ..row() },
            ExportRow { weight_g: Some(1243), ..row() },
            ExportRow { description: "<p>другое</p>".into(), ..row() },
            ExportRow { barcodes: vec!["4601234567886".into()], ..row() },
        ] {
            assert_ne!(bytes(&row(), &full_attrs()), bytes(&changed, &full_attrs()));
        }
    }

    #[test]
    fn what_only_the_builder_sees_comes_back_as_problems() {
        let no_size = resolved(&spec(), &[("14177449", &["черный"])]);
        let problems = build_with(&row(), &no_size, None).unwrap_err();
        assert_eq!(
            problems.iter().map(|p| (p.code, p.attr_id.as_deref())).collect::<Vec<_>>(),
            [(ProblemCode::NoSize, Some("54337"))]
        );
        let not_a_number = resolved(&spec(), &[("54337", &["42"]), ("90630", &["высокий"])]);
        assert_eq!(build_with(&row(), &not_a_number, None).unwrap_err()[0].code, ProblemCode::NotANumber);
    }

    #[test]
    fn units_round_to_whole_centimetres_of_at_least_one() {
        let r = ExportRow { dimensions_mm: Some([4, 15, 1000]), weight_g: Some(5), ..row() };
        assert_eq!(dimensions(&r), json!({"length": 1, "width": 2, "height": 100, "weightBrutto": 0.005}));
        let none = ExportRow { dimensions_mm: None, weight_g: None, ..row() };
        assert_eq!(dimensions(&none), json!({"length": 0, "width": 0, "height": 0, "weightBrutto": 0.0}));
    }

    #[test]
    fn html_becomes_the_text_a_buyer_reads() {
        assert_eq!(
            plain_text("a<br/>b &lt;c&gt; &#1071;&#x44F; &unknown; AT&T"),
            "a\nb <c> Яя &unknown; AT&T"
        );
        assert_eq!(plain_text("  <p> x   y </p>\n\n<p>z</p>"), "x y\nz");
    }
}
