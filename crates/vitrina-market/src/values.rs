//! The seller's own words for one attribute: every distinct value the products of a mapped
//! category give it, how many products say it, and what the card would carry — a value the
//! seller mapped, one found in the dictionary, the text as it is (an open attribute), or a
//! refusal with its reason — with the nearest dictionary value as a suggestion. This is what
//! the value-map editor shows; it runs the same resolution as the card builder.

use std::collections::BTreeMap;

use serde::Serialize;
use vitrina_store::export::ExportRow;

use crate::dict::{AttrRule, MpAttribute, MpValue, value_key};
use crate::mapping::{CONFIDENT, suggest_value};
use crate::resolve::{resolve_value, rule_in_use, texts};

/// What one of the seller's values becomes on the card.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum ValueOutcome {
    /// The seller mapped it to this dictionary value.
    Mapped { value_id: String, value: String },
    /// The dictionary has it (the same text, or the same up to case and spaces).
    Found { value_id: String, value: String },
    /// Sent as it is: the attribute takes free text, or its dictionary is not cached.
    AsIs { value: String },
    /// The card check refuses it (not in a closed dictionary, not a number, out of range…).
    Refused { code: String, detail: String },
}

/// One distinct value of the seller's.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SellerValue {
    /// As the first product wrote it.
    pub text: String,
    pub products: u64,
    pub outcome: ValueOutcome,
    /// The dictionary value it most likely means, when it is not mapped or found.
    pub suggestion: Option<MpValue>,
    pub suggestion_confident: bool,
}

/// Collects the values of one attribute over the products of a category.
#[derive(Debug)]
pub struct ValueTally<'a> {
    attr: &'a MpAttribute,
    rules: &'a [AttrRule],
    dictionary: &'a [MpValue],
    /// value_key → (first text, products, the rule that produced it)
    seen: BTreeMap<String, (String, u64, Option<AttrRule>)>,
}

impl<'a> ValueTally<'a> {
    pub fn new(attr: &'a MpAttribute, rules: &'a [AttrRule], dictionary: &'a [MpValue]) -> Self {
        ValueTally { attr, rules, dictionary, seen: BTreeMap::new() }
    }

    /// Counts what `row` gives the attribute (each distinct value once per product).
    pub fn add(&mut self, row: &ExportRow) {
        let Some(rule) = rule_in_use(self.attr, self.rules, row) else { return };
        let mut keys: Vec<String> = Vec::new();
        for text in texts(row, &rule.source, self.attr) {
            let key = value_key(&text);
            if keys.contains(&key) {
                continue;
            }
            keys.push(key.clone());
            let entry = self.seen.entry(key).or_insert_with(|| (text, 0, Some(rule.clone())));
            entry.1 += 1;
        }
    }

    /// Every value, the refused first, then by how many products say it.
    pub fn finish(self) -> Vec<SellerValue> {
        let mut out: Vec<SellerValue> = self
            .seen
            .into_values()
            .map(|(text, products, rule)| {
                let outcome = match resolve_value(self.attr, rule.as_ref(), self.dictionary, &text) {
                    Ok(v) => {
                        let mapped = rule.as_ref().is_some_and(|r| {
                            r.value_map.iter().any(|(k, _)| value_key(k) == value_key(&text))
                        });
                        match v.value_id {
                            Some(value_id) if mapped => ValueOutcome::Mapped { value_id, value: v.text },
                            Some(value_id) => ValueOutcome::Found { value_id, value: v.text },
                            None => ValueOutcome::AsIs { value: v.text },
                        }
                    }
                    Err(p) => ValueOutcome::Refused { code: p.code.code().to_owned(), detail: p.detail },
                };
                let open = matches!(outcome, ValueOutcome::AsIs { .. } | ValueOutcome::Refused { .. });
                let suggestion = open.then(|| suggest_value(&text, self.dictionary)).flatten();
                SellerValue {
                    text,
                    products,
                    suggestion_confident: suggestion.as_ref().is_some_and(|s| s.score >= CONFIDENT),
                    suggestion: suggestion.map(|s| s.item.clone()),
                    outcome,
                }
            })
            .collect();
        out.sort_by(|a, b| {
            let refused = |v: &SellerValue| !matches!(v.outcome, ValueOutcome::Refused { .. });
            refused(a).cmp(&refused(b)).then(b.products.cmp(&a.products)).then(a.text.cmp(&b.text))
        });
        out
    }
}

/// Dictionary values for a picker: those whose text contains `query` (any case), exact and
/// starting matches first; up to `limit`.
pub fn find_values<'a>(dictionary: &'a [MpValue], query: &str, limit: usize) -> Vec<&'a MpValue> {
    let key = value_key(query);
    let mut found: Vec<(u8, &MpValue)> = dictionary
        .iter()
        .filter_map(|v| {
            let k = value_key(&v.value);
            let rank = if k == key {
                0
            } else if k.starts_with(&key) {
                1
            } else if k.contains(&key) {
                2
            } else {
                return None;
            };
            Some((rank, v))
        })
        .collect();
    found.sort_by(|a, b| a.0.cmp(&b.0).then(a.1.value.len().cmp(&b.1.value.len())));
    found.into_iter().take(limit).map(|(_, v)| v).collect()
}

#[cfg(test)]
mod tests {
    use vitrina_domain::Attribute;
    use vitrina_store::export::ExportRow;

    use super::*;
    use crate::dict::{AttrKind, Source};

    fn colour(custom_ok: bool) -> MpAttribute {
        MpAttribute {
            category_id: "1".into(),
            attr_id: "10".into(),
            name: "Цвет".into(),
            kind: AttrKind::Enum,
            required: true,
            multi: false,
            max_count: None,
            max_length: None,
            min_value: None,
            max_value: None,
            unit: None,
            dictionary: Some("colours".into()),
            custom_ok,
            variant: false,
            named_field: None,
        }
    }

    fn dictionary() -> Vec<MpValue> {
        [("1", "красный"), ("2", "синий"), ("3", "тёмно-синий"), ("4", "белый")]
            .iter()
            .map(|(id, v)| MpValue { value_id: (*id).into(), value: (*v).into() })
            .collect()
    }

    fn row(colour: &str) -> ExportRow {
        ExportRow {
            attributes: vec![Attribute { name: "Цвет".into(), value: colour.into(), unit: None }],
            ..ExportRow::default()
        }
    }

    fn rule(map: &[(&str, &str)]) -> AttrRule {
        AttrRule {
            attr_id: "10".into(),
            source: Source::Attr("Цвет".into()),
            unit_factor: None,
            value_map: map.iter().map(|(k, v)| (value_key(k), (*v).to_owned())).collect(),
        }
    }

    #[test]
    fn each_value_is_counted_once_per_product_and_says_what_the_card_would_carry() {
        let attr = colour(false);
        let dict = dictionary();
        let rules = [rule(&[("алый", "1")])];
        let mut tally = ValueTally::new(&attr, &rules, &dict);
        for c in ["Синий", "синий ", "алый", "голубой", "голубой", "голубой"]
        {
            tally.add(&row(c));
        }
        let values = tally.finish();
        let by_text: Vec<(&str, u64, &str)> = values
            .iter()
            .map(|v| {
                let state = match &v.outcome {
                    ValueOutcome::Mapped { .. } => "mapped",
                    ValueOutcome::Found { .. } => "found",
                    ValueOutcome::AsIs { .. } => "as_is",
                    ValueOutcome::Refused { .. } => "refused",
                };
                (v.text.as_str(), v.products, state)
            })
            .collect();
        // Refused first, then the most said.
        assert_eq!(by_text, [("голубой", 3, "refused"), ("Синий", 2, "found"), ("алый", 1, "mapped")]);
        assert_eq!(values[1].outcome, ValueOutcome::Found { value_id: "2".into(), value: "синий".into() });
        assert_eq!(values[2].outcome, ValueOutcome::Mapped { value_id: "1".into(), value: "красный".into() });
        assert!(values[1].suggestion.is_none(), "a found value needs no suggestion");
    }

    #[test]
    fn an_open_attribute_sends_the_text_as_it_is_and_still_suggests_the_nearest_value() {
        let attr = colour(true);
        let dict = dictionary();
        let mut tally = ValueTally::new(&attr, &[], &dict);
        tally.add(&row("белыи"));
        let values = tally.finish();
        assert_eq!(values[0].outcome, ValueOutcome::AsIs { value: "белыи".into() });
        assert_eq!(values[0].suggestion.as_ref().map(|v| v.value.as_str()), Some("белый"));
    }

    #[test]
    fn a_product_without_the_attribute_adds_nothing() {
        let attr = colour(false);
        let dict = dictionary();
        let mut tally = ValueTally::new(&attr, &[], &dict);
        tally.add(&ExportRow::default());
        assert!(tally.finish().is_empty());
    }

    #[test]
    fn finding_values_puts_exact_then_starting_then_containing_matches_first() {
        let dict = dictionary();
        let found: Vec<&str> = find_values(&dict, "СИН", 10).iter().map(|v| v.value.as_str()).collect();
        assert_eq!(found, ["синий", "тёмно-синий"]);
        assert_eq!(find_values(&dict, "синий", 1)[0].value, "синий");
        assert!(find_values(&dict, "зелёный", 10).is_empty());
    }
}
