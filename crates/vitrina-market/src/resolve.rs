//! From a product and the seller's attribute rules to the values each attribute of a
//! marketplace category gets, with every problem the cached dictionaries can see.

use vitrina_store::export::ExportRow;

use crate::dict::{
    AttrKind, AttrRule, CategorySpec, MpAttribute, MpValue, ResolvedAttr, ResolvedValue, Source, value_key,
};
use crate::mapping::{
    CONFIDENT, attr_unit, name_score, nearest_values, same_unit, suggest_rule, unit_factor,
};
use crate::precheck::{Problem, ProblemCode};

/// How many allowed values a "not in the dictionary" problem offers instead.
const NEAREST: usize = 3;

/// The values `row` gives the attributes of `spec` under `rules`, in the spec's attribute order,
/// and the problems: required attributes without a value, values not in a closed dictionary
/// (with the nearest allowed ones), too many values, too long, not a number, out of range.
///
/// An attribute without a rule takes what [`suggest_rule`] confidently finds: the product
/// characteristic of the same name (by [`value_key`], or the same stems), or the product field
/// its name obviously means (`Бренд` → the brand). Attributes that get no value and are not
/// required are left out; values with a problem are left out of their attribute.
pub fn resolve(
    row: &ExportRow,
    spec: &CategorySpec,
    rules: &[AttrRule],
) -> (Vec<ResolvedAttr>, Vec<Problem>) {
    let product_attrs: Vec<(String, Option<String>)> =
        row.attributes.iter().map(|a| (a.name.clone(), a.unit.clone())).collect();
    let mut resolved = Vec::new();
    let mut problems = Vec::new();
    for attr in &spec.dict.attributes {
        let rule = rule_for(attr, rules, &product_attrs);
        let texts = rule.as_ref().map(|r| texts(row, &r.source, attr)).unwrap_or_default();
        let dictionary = attr.dictionary.as_ref().and_then(|d| spec.dict.values.get(d));
        let found = Found { attr, rule: rule.as_ref(), dictionary: dictionary.map(Vec::as_slice) };
        if let Some(values) = found.values(&texts, &mut problems) {
            resolved.push(ResolvedAttr { attr: attr.clone(), values });
        }
    }
    (resolved, problems)
}

/// The rule `attr` is filled by: the seller's, else the confident suggestion [`resolve`] uses.
pub fn rule_in_use(attr: &MpAttribute, rules: &[AttrRule], row: &ExportRow) -> Option<AttrRule> {
    let product_attrs: Vec<(String, Option<String>)> =
        row.attributes.iter().map(|a| (a.name.clone(), a.unit.clone())).collect();
    rule_for(attr, rules, &product_attrs)
}

fn rule_for(
    attr: &MpAttribute,
    rules: &[AttrRule],
    product_attrs: &[(String, Option<String>)],
) -> Option<AttrRule> {
    rules
        .iter()
        .find(|r| r.attr_id == attr.attr_id)
        .cloned()
        .or_else(|| suggest_rule(attr, product_attrs).filter(|s| s.confident()).map(|s| s.item))
}

/// One of the seller's texts for `attr` as the card would carry it: through the seller's
/// value map, the unit conversion and the dictionary (`dictionary` empty when not cached).
pub fn resolve_value(
    attr: &MpAttribute,
    rule: Option<&AttrRule>,
    dictionary: &[MpValue],
    text: &str,
) -> Result<ResolvedValue, Problem> {
    Found { attr, rule, dictionary: Some(dictionary) }.value(text)
}

/// The texts `source` gives `attr` for `row`, split into values when `attr` takes several.
pub fn texts(row: &ExportRow, source: &Source, attr: &MpAttribute) -> Vec<String> {
    let raw = match source {
        Source::Field(field) => field_texts(row, field, attr.multi),
        Source::Attr(name) => characteristic(row, |n| value_key(n) == value_key(name)),
        Source::Const(text) => vec![text.clone()],
    };
    // A comma is a decimal separator in a number ("13,3"): numbers split on `;` only.
    let separators: &[char] = if attr.kind == AttrKind::Number { &[';'] } else { &[';', ','] };
    raw.iter()
        .flat_map(|t| if attr.multi { t.split(separators).collect() } else { vec![t.as_str()] })
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .map(str::to_owned)
        .collect()
}

/// The values of the product's characteristics whose names `matches`.
fn characteristic(row: &ExportRow, matches: impl Fn(&str) -> bool) -> Vec<String> {
    row.attributes.iter().filter(|a| matches(&a.name)).map(|a| a.value.clone()).collect()
}

/// A product field as text. Several barcodes are several values only for an attribute that
/// takes several; otherwise the first is the product's. Zero weights and sizes are missing ones.
/// `country` is the characteristic that names the country of production, as the catalog has no
/// such field.
fn field_texts(row: &ExportRow, field: &str, multi: bool) -> Vec<String> {
    let number = |n: Option<u32>| n.filter(|n| *n > 0).map(|n| n.to_string()).into_iter().collect();
    let dimension = |i: usize| number(row.dimensions_mm.map(|d| d[i]));
    match field {
        "name" => vec![row.name.clone()],
        "brand" => vec![row.brand.clone()],
        "model" => vec![row.model.clone()],
        "description" => vec![row.description.clone()],
        "sku" => vec![row.sku.clone()],
        "barcode" => row.barcodes.iter().take(if multi { usize::MAX } else { 1 }).cloned().collect(),
        "weight_g" => number(row.weight_g),
        "length_mm" => dimension(0),
        "width_mm" => dimension(1),
        "height_mm" => dimension(2),
        "country" => characteristic(row, |n| name_score(n, "Страна производства") >= CONFIDENT),
        _ => Vec::new(),
    }
}

/// One attribute being resolved: what it is, how it is filled, its cached dictionary.
struct Found<'a> {
    attr: &'a MpAttribute,
    rule: Option<&'a AttrRule>,
    /// `None` or empty when the dictionary's values are not cached (too big to fetch, not
    /// loaded): then nothing can be said against a value.
    dictionary: Option<&'a [MpValue]>,
}

impl Found<'_> {
    fn problem(&self, code: ProblemCode, detail: String) -> Problem {
        Problem::attr(code, &self.attr.attr_id, format!("{}: {detail}", self.attr.name))
    }

    /// The attribute's values from `texts`, or `None` when it has none and needs none.
    fn values(&self, texts: &[String], problems: &mut Vec<Problem>) -> Option<Vec<ResolvedValue>> {
        let mut distinct: Vec<&String> = Vec::new();
        for t in texts {
            if !distinct.iter().any(|d| value_key(d) == value_key(t)) {
                distinct.push(t);
            }
        }
        if distinct.is_empty() {
            if self.attr.required {
                problems.push(self.problem(ProblemCode::MissingRequired, "required, no value".into()));
            }
            return None;
        }
        let limit = if self.attr.multi { self.attr.max_count.filter(|m| *m > 0) } else { Some(1) };
        if let Some(limit) = limit.filter(|l| distinct.len() > *l as usize) {
            let detail = format!("{} values, at most {limit}", distinct.len());
            problems.push(self.problem(ProblemCode::TooManyValues, detail));
        }
        let mut values: Vec<ResolvedValue> = Vec::new();
        for text in distinct {
            match self.value(text) {
                Ok(v) if !values.contains(&v) => values.push(v),
                Ok(_) => {}
                Err(p) => problems.push(p),
            }
        }
        (!values.is_empty()).then_some(values)
    }

    /// One value: through the seller's value map, the unit conversion and the dictionary.
    fn value(&self, text: &str) -> Result<ResolvedValue, Problem> {
        if let Some(id) = self.mapped(text) {
            let known = self.dictionary.unwrap_or_default().iter().find(|v| v.value_id == id);
            let text = known.map_or(text, |v| v.value.as_str()).to_owned();
            return Ok(ResolvedValue { value_id: Some(id.to_owned()), text });
        }
        let text = self.number(text)?;
        let value = self.in_dictionary(&text)?;
        let length = value.text.chars().count();
        match self.attr.max_length {
            Some(max) if length > max as usize => {
                Err(self.problem(ProblemCode::ValueTooLong, format!("{length} characters, at most {max}")))
            }
            _ => Ok(value),
        }
    }

    /// The dictionary value the seller mapped `text` to.
    fn mapped(&self, text: &str) -> Option<&str> {
        let key = value_key(text);
        self.rule?.value_map.iter().find(|(k, _)| value_key(k) == key).map(|(_, id)| id.as_str())
    }

    /// `text` as a clean decimal in the attribute's unit, for numbers; other kinds keep their
    /// text unless a unit factor applies to a number in it.
    fn number(&self, text: &str) -> Result<String, Problem> {
        let rule_factor = self.rule.and_then(|r| r.unit_factor);
        let parsed = leading_number(text).and_then(|(n, rest)| Some((n, self.value_unit(rest)?)));
        let Some((number, own_factor)) = parsed else {
            return match self.attr.kind {
                AttrKind::Number => {
                    Err(self.problem(ProblemCode::NotANumber, format!("\"{text}\" is not a number")))
                }
                _ => Ok(text.to_owned()),
            };
        };
        let factor = own_factor.or(rule_factor);
        if self.attr.kind != AttrKind::Number && factor.is_none() {
            return Ok(text.to_owned());
        }
        let value = number * factor.unwrap_or(1.0);
        let (min, max) = (self.attr.min_value, self.attr.max_value);
        if min.is_some_and(|m| value < m) || max.is_some_and(|m| value > m) {
            let bound = |b: Option<f64>| b.map(decimal).unwrap_or_default();
            let detail = format!("{} is outside {}…{}", decimal(value), bound(min), bound(max));
            return Err(self.problem(ProblemCode::OutOfRange, detail));
        }
        Ok(decimal(value))
    }

    /// What a unit written after a number means: `Some(None)` nothing to convert (none, or the
    /// attribute's own), `Some(Some(f))` convert by `f`, `None` not a number of this attribute
    /// ("8 МБ" for gigabytes, "5-7").
    fn value_unit(&self, rest: &str) -> Option<Option<f64>> {
        let rest = rest.trim_matches(|c: char| c.is_whitespace() || c == '"' || c == '″');
        if rest.is_empty() {
            return Some(None);
        }
        match attr_unit(self.attr) {
            Some(unit) if same_unit(rest, unit) => Some(Some(1.0)),
            Some(unit) => unit_factor(rest, unit).map(Some),
            None => {
                let word = rest.chars().count() <= 8 && rest.chars().all(|c| c.is_alphabetic() || c == '.');
                word.then_some(None)
            }
        }
    }

    /// `text` matched to the dictionary: the same text, else the same [`value_key`]. A closed
    /// dictionary refuses anything else and names the nearest allowed values.
    fn in_dictionary(&self, text: &str) -> Result<ResolvedValue, Problem> {
        let custom = ResolvedValue { value_id: None, text: text.to_owned() };
        let Some(values) = self.dictionary.filter(|v| !v.is_empty()) else { return Ok(custom) };
        let key = value_key(text);
        let found = values
            .iter()
            .find(|v| v.value == text)
            .or_else(|| values.iter().find(|v| value_key(&v.value) == key));
        match found {
            Some(v) => Ok(ResolvedValue { value_id: Some(v.value_id.clone()), text: v.value.clone() }),
            None if self.attr.custom_ok => Ok(custom),
            None => {
                let nearest: Vec<String> = nearest_values(text, values, NEAREST)
                    .iter()
                    .map(|v| format!("\"{}\"", v.value))
                    .collect();
                let hint = if nearest.is_empty() {
                    "nothing close".to_owned()
                } else {
                    format!("nearest: {}", nearest.join(", "))
                };
                Err(self.problem(
                    ProblemCode::NotInDictionary,
                    format!("\"{text}\" is not in the dictionary; {hint}"),
                ))
            }
        }
    }
}

/// The number `text` starts with, and what follows it: "13,3" → 13.3, "1 350 г" → (1350, "г").
/// A space inside a number only separates thousands (three digits after it).
fn leading_number(text: &str) -> Option<(f64, &str)> {
    let text = text.trim();
    let chars: Vec<(usize, char)> = text.char_indices().collect();
    let mut clean = String::new();
    let mut i = 0;
    if let Some((_, sign @ ('-' | '+'))) = chars.first() {
        clean.push(*sign);
        i = 1;
    }
    let digit = |i: usize| chars.get(i).is_some_and(|(_, c)| c.is_ascii_digit());
    let mut fraction = false;
    while let Some(&(_, c)) = chars.get(i) {
        if c.is_ascii_digit() {
            clean.push(c);
        } else if matches!(c, '.' | ',')
            && !fraction
            && digit(i + 1)
            && clean.ends_with(|d: char| d.is_ascii_digit())
        {
            fraction = true;
            clean.push('.');
        } else if matches!(c, ' ' | '\u{a0}' | '\u{202f}')
            && !fraction
            && (1..=3).all(|k| digit(i + k))
            && !digit(i + 4)
            && clean.ends_with(|d: char| d.is_ascii_digit())
        {
            // A thousands separator: skip it.
        } else {
            break;
        }
        i += 1;
    }
    let rest = chars.get(i).map_or("", |(at, _)| &text[*at..]);
    Some((clean.parse().ok()?, rest))
}

/// `number` as short decimal text: at most six decimals, no trailing zeros, no float noise
/// (1350 × 0.001 is "1.35").
fn decimal(number: f64) -> String {
    let text = format!("{number:.6}");
    let text = text.trim_end_matches('0').trim_end_matches('.');
    if text == "-0" { "0".to_owned() } else { text.to_owned() }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use rstest::rstest;
    use vitrina_domain::Attribute;

    use super::*;
    use crate::dict::{CategoryDict, MpCategory};

    fn attr(id: &str, name: &str, kind: AttrKind) -> MpAttribute {
        MpAttribute {
            category_id: "105".into(),
            attr_id: id.into(),
            name: name.into(),
            kind,
            required: false,
            multi: false,
            max_count: None,
            max_length: None,
            min_value: None,
            max_value: None,
            unit: None,
            dictionary: None,
            custom_ok: true,
            variant: false,
            named_field: None,
        }
    }

    fn closed(id: &str, name: &str, dictionary: &str) -> MpAttribute {
        MpAttribute {
            dictionary: Some(dictionary.into()),
            custom_ok: false,
            ..attr(id, name, AttrKind::Enum)
        }
    }

    fn spec(attributes: Vec<MpAttribute>) -> CategorySpec {
        let colours = ["Черный", "Белый", "Красный", "Темно-красный"]
            .iter()
            .enumerate()
            .map(|(i, v)| MpValue { value_id: format!("c{i}"), value: v.to_string() })
            .collect();
        CategorySpec {
            category: MpCategory {
                ext_id: "105".into(),
                parent_id: None,
                name: "Кроссовки".into(),
                path: "Обувь / Кроссовки".into(),
                leaf: true,
            },
            dict: CategoryDict { attributes, values: BTreeMap::from([("colour".to_owned(), colours)]) },
        }
    }

    fn row(characteristics: &[(&str, &str)]) -> ExportRow {
        ExportRow {
            sku: "RUN-42".into(),
            name: "Кроссовки беговые".into(),
            brand: "Ветер".into(),
            weight_g: Some(1350),
            dimensions_mm: Some([320, 0, 120]),
            barcodes: vec!["4601234567893".into(), "4601234567800".into()],
            attributes: characteristics
                .iter()
                .map(|(n, v)| Attribute { name: n.to_string(), value: v.to_string(), unit: None })
                .collect(),
            ..Default::default()
        }
    }

    fn rule(id: &str, source: &str, factor: Option<f64>) -> AttrRule {
        AttrRule {
            attr_id: id.into(),
            source: Source::parse(source).unwrap(),
            unit_factor: factor,
            value_map: BTreeMap::new(),
        }
    }

    /// The texts of the single resolved attribute and the problem codes.
    fn run(a: MpAttribute, row: &ExportRow, rules: &[AttrRule]) -> (Vec<String>, Vec<&'static str>) {
        let (resolved, problems) = resolve(row, &spec(vec![a]), rules);
        let texts = resolved.iter().flat_map(|r| r.values.iter().map(|v| v.text.clone())).collect();
        (texts, problems.iter().map(|p| p.code.code()).collect())
    }

    #[rstest]
    #[case("13,3", None, "13.3")]
    #[case("13.3", None, "13.3")]
    #[case("1 350", Some(0.001), "1.35")]
    #[case("320", Some(0.1), "32")]
    #[case("0,1", Some(3.0), "0.3")]
    #[case("8 ГБ", None, "8")]
    #[case("-0", None, "0")]
    fn numbers_come_out_as_clean_decimals(
        #[case] text: &str,
        #[case] factor: Option<f64>,
        #[case] out: &str,
    ) {
        let a = MpAttribute { unit: Some("ГБ".into()), ..attr("1", "Объем", AttrKind::Number) };
        assert_eq!(
            run(a, &row(&[]), &[rule("1", &format!("const:{text}"), factor)]),
            (vec![out.into()], vec![])
        );
    }

    #[rstest]
    #[case("около 5")]
    #[case("5-7")]
    #[case("8 МБ")]
    #[case("ГБ")]
    fn what_is_not_a_number_of_the_attribute_is_said(#[case] text: &str) {
        let a = MpAttribute { unit: Some("ГБ".into()), ..attr("1", "Память", AttrKind::Number) };
        let (texts, codes) = run(a, &row(&[]), &[rule("1", &format!("const:{text}"), None)]);
        assert!(texts.is_empty());
        assert_eq!(codes, ["not_a_number"]);
    }

    #[test]
    fn a_unit_written_in_the_value_wins_over_the_rules_factor() {
        let a = MpAttribute { unit: Some("кг".into()), ..attr("1", "Вес", AttrKind::Number) };
        let (texts, _) = run(a, &row(&[]), &[rule("1", "const:1 350 г", Some(1.0))]);
        assert_eq!(texts, ["1.35"]);
    }

    #[test]
    fn ranges_are_checked_after_conversion() {
        let a = MpAttribute {
            min_value: Some(1.0),
            max_value: Some(30.0),
            ..attr("1", "Длина", AttrKind::Number)
        };
        let (texts, codes) = run(a.clone(), &row(&[]), &[rule("1", "field:length_mm", Some(0.1))]);
        assert_eq!((texts, codes), (vec![], vec!["out_of_range"]));
        let (texts, codes) = run(a, &row(&[]), &[rule("1", "field:height_mm", Some(0.1))]);
        assert_eq!((texts, codes), (vec!["12".to_owned()], vec![]));
    }

    #[test]
    fn fields_give_their_values_and_zero_sizes_are_missing() {
        let required = |name: &str| MpAttribute { required: true, ..attr("1", name, AttrKind::Text) };
        for (source, expected) in [
            ("field:brand", vec!["Ветер"]),
            ("field:sku", vec!["RUN-42"]),
            ("field:weight_g", vec!["1350"]),
            ("field:barcode", vec!["4601234567893"]),
            ("field:width_mm", vec![]),
            ("field:model", vec![]),
            ("field:nothing", vec![]),
        ] {
            let (texts, codes) = run(required("X"), &row(&[]), &[rule("1", source, None)]);
            assert_eq!(texts, expected, "{source}");
            assert_eq!(codes.is_empty(), !expected.is_empty(), "{source}: {codes:?}");
        }
        let multi = MpAttribute { multi: true, ..attr("1", "Баркоды", AttrKind::Text) };
        assert_eq!(run(multi, &row(&[]), &[rule("1", "field:barcode", None)]).0.len(), 2);
        let country = row(&[("Страна-изготовитель", "Китай")]);
        assert_eq!(run(required("X"), &country, &[rule("1", "field:country", None)]).0, ["Китай"]);
    }

    #[test]
    fn multi_values_split_on_semicolons_and_commas_and_count() {
        let a = MpAttribute { multi: true, max_count: Some(2), ..attr("1", "Состав", AttrKind::Text) };
        let product = row(&[("Состав", "хлопок; эластан, полиэстер"), ("Состав", "Хлопок")]);
        let (texts, codes) = run(a.clone(), &product, &[]);
        assert_eq!(texts, ["хлопок", "эластан", "полиэстер"]);
        assert_eq!(codes, ["too_many_values"]);
        let single = attr("1", "Состав", AttrKind::Text);
        let (texts, codes) = run(single, &row(&[("Состав", "хлопок 95%, эластан 5%")]), &[]);
        assert_eq!((texts, codes), (vec!["хлопок 95%, эластан 5%".to_owned()], vec![]));
        let twice = row(&[("Цвет", "черный"), ("Цвет", "белый")]);
        assert_eq!(run(attr("1", "Цвет", AttrKind::Text), &twice, &[]).1, ["too_many_values"]);
        let unlimited = MpAttribute { max_count: Some(0), ..a };
        assert!(run(unlimited, &product, &[]).1.is_empty(), "WB maxCount 0 is no limit");
    }

    #[test]
    fn dictionaries_match_by_key_and_closed_ones_name_the_nearest() {
        let a = closed("1", "Цвет", "colour");
        let (resolved, problems) = resolve(&row(&[("цвет", "ЧЁРНЫЙ")]), &spec(vec![a.clone()]), &[]);
        assert_eq!(
            resolved[0].values,
            [ResolvedValue { value_id: Some("c0".into()), text: "Черный".into() }]
        );
        assert!(problems.is_empty());
        let (resolved, problems) = resolve(&row(&[("Цвет", "красн.")]), &spec(vec![a.clone()]), &[]);
        assert!(resolved.is_empty());
        assert_eq!(problems.len(), 1);
        assert_eq!(
            (problems[0].code, problems[0].attr_id.as_deref()),
            (ProblemCode::NotInDictionary, Some("1"))
        );
        assert_eq!(
            problems[0].detail,
            "Цвет: \"красн.\" is not in the dictionary; nearest: \"Красный\", \"Темно-красный\""
        );
        let open = MpAttribute { custom_ok: true, ..a };
        let (resolved, _) = resolve(&row(&[("Цвет", "красн.")]), &spec(vec![open]), &[]);
        assert_eq!(resolved[0].values, [ResolvedValue { value_id: None, text: "красн.".into() }]);
    }

    #[test]
    fn the_sellers_value_map_comes_first() {
        let mut r = rule("1", "attr:Цвет", None);
        r.value_map.insert("красн.".into(), "c2".into());
        r.value_map.insert("бордо".into(), "b9".into());
        let a = MpAttribute { multi: true, ..closed("1", "Цвет", "colour") };
        let (resolved, problems) = resolve(&row(&[("Цвет", "Красн.; бордо")]), &spec(vec![a]), &[r]);
        let ids: Vec<_> =
            resolved[0].values.iter().map(|v| (v.value_id.as_deref(), v.text.as_str())).collect();
        assert_eq!(ids, [(Some("c2"), "Красный"), (Some("b9"), "бордо")], "an id not cached is trusted");
        assert!(problems.is_empty());
    }

    #[test]
    fn an_uncached_dictionary_refuses_nothing() {
        let brand = closed("1", "Бренд", "brands");
        let (resolved, problems) = resolve(&row(&[]), &spec(vec![brand]), &[]);
        assert_eq!(resolved[0].values, [ResolvedValue { value_id: None, text: "Ветер".into() }]);
        assert!(problems.is_empty());
    }

    #[test]
    fn long_values_and_missing_required_ones_are_problems() {
        let short = MpAttribute { max_length: Some(5), ..attr("1", "Модель", AttrKind::Text) };
        let (_, problems) = resolve(&row(&[]), &spec(vec![short]), &[rule("1", "const:Ветер V-42", None)]);
        assert_eq!(problems[0].code, ProblemCode::ValueTooLong);
        assert_eq!(problems[0].detail, "Модель: 10 characters, at most 5");
        let needed = MpAttribute { required: true, ..attr("2", "Сезон", AttrKind::Text) };
        let (resolved, problems) =
            resolve(&row(&[]), &spec(vec![needed, attr("3", "Пол", AttrKind::Text)]), &[]);
        assert!(resolved.is_empty());
        assert_eq!(problems, [Problem::attr(ProblemCode::MissingRequired, "2", "Сезон: required, no value")]);
    }

    #[test]
    fn attributes_keep_the_specs_order_and_named_fields_resolve() {
        let brand =
            MpAttribute { named_field: Some("brand".into()), ..attr("b", "Бренд", AttrKind::Text) };
        let colour = attr("c", "Цвет товара", AttrKind::Text);
        let size = attr("s", "Размер", AttrKind::Text);
        let product = row(&[("Размер", "42"), ("Цвет", "черный")]);
        let (resolved, _) = resolve(&product, &spec(vec![size, brand, colour]), &[]);
        let got: Vec<_> =
            resolved.iter().map(|r| (r.attr.attr_id.as_str(), r.values[0].text.as_str())).collect();
        assert_eq!(got, [("s", "42"), ("b", "Ветер"), ("c", "черный")]);
    }
}
