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
        let rule = rules
            .iter()
            .find(|r| r.attr_id == attr.attr_id)
            .cloned()
            .or_else(|| suggest_rule(attr, &product_attrs).filter(|s| s.confident()).map(|s| s.item));
        let texts = rule.as_ref().map(|r| texts(row, &r.source, attr)).unwrap_or_default();
        let dictionary = attr.dictionary.as_ref().and_then(|d| spec.dict.values.get(d));
        let found = Found { attr, rule: rule.as_ref(), dictionary: dictionary.map(Vec::as_slice) };
        if let Some(values) = found.values(&texts, &mut problems) {
            resolved.push(ResolvedAttr { attr: attr.clone(), values });
        }
    }
    (resolved, problems)
}

/// The texts `source` gives `attr` for `row`, split into values when `attr` takes several.
fn texts(row: &ExportRow, source: &Source, attr: &MpAttribute) -> Vec<String> {
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
