//! Suggestions for the seller's mapping: which marketplace category fits a category of the
//! seller's tree, where a marketplace attribute's value comes from, which dictionary value a
//! text means. Marketplaces name things like sellers do, but not quite ("Кроссовки" and
//! "Обувь / Кроссовки", "Цвет" and "Цвет товара", "красн." and "Красный"), so names are
//! compared on their words' stems, not as strings.
//!
//! Every suggestion carries a score in `0..=1`. [`Suggestion::confident`] is the level at which
//! a mapping may be taken without asking (the same names, or the same stems); anything below is
//! shown for the seller to pick.

use std::collections::HashSet;

use crate::dict::{AttrRule, MpAttribute, MpCategory, MpValue, Source, value_key};

/// Scores from here up are confident: an exact name (1.0), a name with the same stems (0.9) or
/// a product field the attribute obviously means (0.95). Prefixes, typos, shared words and
/// substrings stay below.
pub const CONFIDENT: f32 = 0.8;

/// The same text, once case, `ё`, spacing and punctuation are set aside.
const EXACT: f32 = 1.0;
/// A product field the attribute's name names (`Бренд` → the brand).
const FIELD: f32 = 0.95;
/// The same words up to their endings, in any order ("Футболка" / "Футболки"), or names known
/// to mean the same ("Страна-изготовитель" / "Страна производства").
const STEM: f32 = 0.9;
/// One name starts the other ("Материал верха" / "Материал верха обуви").
const PREFIX: f32 = 0.75;
/// One typo in a word of five letters or more.
const TYPO_1: f32 = 0.7;
/// Two typos in a word of eight letters or more.
const TYPO_2: f32 = 0.6;
/// One name inside the other ("Инструменты" / "Электроинструменты").
const SUBSTRING: f32 = 0.6;
/// Times the share of stems the names have in common.
const OVERLAP: f32 = 0.5;
/// Below this a candidate is noise and is not suggested at all.
const SHOWN: f32 = 0.3;

/// A suggested mapping and how sure it is.
#[derive(Debug, Clone, PartialEq)]
pub struct Suggestion<T> {
    pub item: T,
    /// 0..=1; see [`CONFIDENT`].
    pub score: f32,
}

impl<T> Suggestion<T> {
    /// Good enough to apply without asking: exact or same-stem names (score ≥ [`CONFIDENT`]).
    pub fn confident(&self) -> bool {
        self.score >= CONFIDENT
    }
}

// ---- names ---------------------------------------------------------------------------------

/// Words that say nothing about what an attribute or category is ("Цвет товара" is "Цвет").
const FILLER: &[&str] =
    &["и", "с", "в", "на", "для", "из", "по", "от", "к", "товар", "товара", "изделие", "изделия", "продукта"];

/// Names marketplaces and sellers use for the same thing, beyond what stems see.
const SYNONYMS: &[&[&str]] = &[&[
    "страна производства",
    "страна-изготовитель",
    "страна изготовитель",
    "страна изготовления",
    "страна происхождения",
]];

/// Russian endings of nouns and adjectives, longest first: enough to make singular and plural
/// ("Шина" / "Шины"), and the genders of colours ("черный" / "черная"), meet.
const ENDINGS: &[&str] = &[
    "ями", "ами", "ого", "его", "ому", "ему", "ыми", "ими", "иях", "ах", "ях", "ов", "ев", "ей", "ой", "ый",
    "ий", "ая", "яя", "ое", "ее", "ые", "ие", "ую", "юю", "ам", "ям", "ом", "ем", "ью", "а", "я", "ы", "и",
    "о", "е", "у", "ю", "ь", "й",
];

/// `word` without its ending, keeping at least three letters ("кроссовки" → "кроссовк").
/// Words with digits stay as they are.
fn stem(word: &str) -> String {
    if word.chars().any(|c| c.is_ascii_digit()) {
        return word.to_owned();
    }
    for ending in ENDINGS {
        if let Some(rest) = word.strip_suffix(ending)
            && rest.chars().count() >= 3
        {
            return rest.to_owned();
        }
    }
    word.to_owned()
}

/// The words of `text` in [`value_key`] form, split on anything but letters and digits.
fn words(text: &str) -> Vec<String> {
    value_key(text)
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_owned)
        .collect()
}

/// The stems of `text`'s meaningful words, sorted (word order does not matter).
fn stems(text: &str) -> Vec<String> {
    let all = words(text);
    let meaningful: Vec<&String> = all.iter().filter(|w| !FILLER.contains(&w.as_str())).collect();
    let kept = if meaningful.is_empty() { all.iter().collect() } else { meaningful };
    let mut out: Vec<String> = kept.into_iter().map(|w| stem(w)).collect();
    out.sort();
    out
}

/// Levenshtein distance in characters.
fn distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut diagonal = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let substitution = diagonal + usize::from(ca != *cb);
            diagonal = row[j + 1];
            row[j + 1] = substitution.min(row[j] + 1).min(diagonal + 1);
        }
    }
    row[b.len()]
}

fn synonyms(a: &[String], b: &[String]) -> bool {
    SYNONYMS.iter().any(|group| {
        let group: Vec<Vec<String>> = group.iter().map(|n| stems(n)).collect();
        group.iter().any(|g| g == a) && group.iter().any(|g| g == b)
    })
}

/// How alike two names are, 0..=1, by the tiers above. Units in the names (`, ГБ`, `(кг)`) are
/// left to [`split_unit`]; call this on the bare names.
pub fn name_score(a: &str, b: &str) -> f32 {
    let (wa, wb) = (words(a).join(" "), words(b).join(" "));
    if wa.is_empty() || wb.is_empty() {
        return 0.0;
    }
    if wa == wb {
        return EXACT;
    }
    let (sa, sb) = (stems(a), stems(b));
    if sa == sb || synonyms(&sa, &sb) {
        return STEM;
    }
    let (short, long) = if wa.chars().count() <= wb.chars().count() { (&wa, &wb) } else { (&wb, &wa) };
    let mut score: f32 = 0.0;
    let letters = short.chars().filter(|c| c.is_alphabetic()).count();
    if letters >= 3 && long.starts_with(short.as_str()) {
        score = score.max(PREFIX);
    }
    if letters >= 4 && long.contains(short.as_str()) {
        score = score.max(SUBSTRING);
    }
    let (la, lb) = (wa.chars().count(), wb.chars().count());
    match distance(&wa, &wb) {
        1 if la.min(lb) >= 5 => score = score.max(TYPO_1),
        2 if la.min(lb) >= 8 => score = score.max(TYPO_2),
        _ => {}
    }
    let shared = sa.iter().filter(|s| sb.contains(s)).count();
    score.max(OVERLAP * shared as f32 / sa.len().max(sb.len()) as f32)
}

/// Units a name may end with, besides those [`unit_factor`] converts.
const OTHER_UNITS: &[&str] =
    &["гб", "мб", "тб", "дюйм", "дюймы", "мач", "вт", "в", "гц", "мп", "шт", "%", "ч", "мин", "мес"];

/// A name and the unit it ends with: "Оперативная память, ГБ" → ("Оперативная память", "ГБ"),
/// "Вес с упаковкой (кг)" → ("Вес с упаковкой", "кг"). Only known units count, so "Цвет,
/// оттенок" stays whole.
pub fn split_unit(name: &str) -> (&str, Option<&str>) {
    let name = name.trim();
    let split =
        if let Some(inner) = name.strip_suffix(')') { inner.rsplit_once('(') } else { name.rsplit_once(',') };
    match split {
        Some((base, unit)) if is_unit(unit) && !base.trim().is_empty() => (base.trim(), Some(unit.trim())),
        _ => (name, None),
    }
}

fn unit_key(unit: &str) -> String {
    value_key(unit).trim_end_matches('.').to_owned()
}

fn is_unit(text: &str) -> bool {
    let key = unit_key(text);
    base_unit(&key).is_some() || OTHER_UNITS.contains(&key.as_str())
}

/// What a unit measures and how many of the base unit (mm, g, ml) it is.
fn base_unit(key: &str) -> Option<(&'static str, f64)> {
    Some(match key {
        "мм" | "mm" => ("length", 1.0),
        "см" | "cm" => ("length", 10.0),
        "м" | "m" => ("length", 1000.0),
        "г" | "гр" | "g" => ("mass", 1.0),
        "кг" | "kg" => ("mass", 1000.0),
        "мл" | "ml" => ("volume", 1.0),
        "л" | "l" => ("volume", 1000.0),
        _ => return None,
    })
}

/// What a number in `from` is multiplied by to be in `to` (мм → см: 0.1; г → кг: 0.001), for
/// lengths, masses and volumes, Cyrillic or Latin, any case, with or without a trailing dot.
/// `None` when either is unknown or they measure different things.
pub fn unit_factor(from: &str, to: &str) -> Option<f64> {
    let (kind_from, from) = base_unit(&unit_key(from))?;
    let (kind_to, to) = base_unit(&unit_key(to))?;
    (kind_from == kind_to).then_some(from / to)
}

/// True when two unit texts mean the same unit ("ГБ" / "гб", "дюйм" / "дюймов").
pub(crate) fn same_unit(a: &str, b: &str) -> bool {
    let (a, b) = (unit_key(a), unit_key(b));
    a == b || unit_factor(&a, &b) == Some(1.0) || (a.chars().count() >= 4 && stem(&a) == stem(&b))
}

// ---- categories ----------------------------------------------------------------------------

fn segments(path: &str) -> Vec<&str> {
    path.split('/').map(str::trim).filter(|s| !s.is_empty()).collect()
}

/// How alike the seller's parents and the marketplace's ancestors are: shared stems over all
/// their stems, so a path with extra unrelated levels counts a little less.
fn parent_overlap(seller_parents: &HashSet<String>, ancestors: &[&str]) -> f32 {
    let theirs: HashSet<String> = ancestors.iter().flat_map(|a| stems(a)).collect();
    let all = seller_parents.union(&theirs).count();
    if all == 0 { 0.0 } else { seller_parents.intersection(&theirs).count() as f32 / all as f32 }
}

/// The leaves of `tree` that fit the seller's category `seller_path` ("Одежда и обувь /
/// Кроссовки"), best first, at most `n`. The last segment weighs most; shared words in the
/// parents break ties.
pub fn suggest_categories<'a>(
    seller_path: &str,
    tree: &'a [MpCategory],
    n: usize,
) -> Vec<Suggestion<&'a MpCategory>> {
    suggest_categories_with_names(seller_path, &[], tree, n)
}

/// [`suggest_categories`] with product names of the category as more evidence: a seller's
/// "Дом и сад / Посуда" whose products are "Сковорода …" fits "Посуда / Сковороды" best.
pub fn suggest_categories_with_names<'a>(
    seller_path: &str,
    sample_names: &[&str],
    tree: &'a [MpCategory],
    n: usize,
) -> Vec<Suggestion<&'a MpCategory>> {
    let seller = segments(seller_path);
    let Some((last, parents)) = seller.split_last() else { return Vec::new() };
    let seller_parents: HashSet<String> = parents.iter().flat_map(|p| stems(p)).collect();
    let names: Vec<HashSet<String>> = sample_names.iter().map(|n| stems(n).into_iter().collect()).collect();
    let mut found: Vec<Suggestion<&MpCategory>> = tree
        .iter()
        .filter(|c| c.leaf)
        .map(|c| Suggestion { item: c, score: category_score(last, &seller_parents, &names, c) })
        .filter(|s| s.score >= SHOWN)
        .collect();
    found.sort_by(|a, b| b.score.total_cmp(&a.score).then_with(|| a.item.path.cmp(&b.item.path)));
    found.truncate(n);
    found
}

/// The best of three readings: the seller's last segment names the leaf; it names one of the
/// leaf's ancestors (a broader category, 0.5 at most without names); the product names name
/// the leaf.
fn category_score(
    last: &str,
    seller_parents: &HashSet<String>,
    names: &[HashSet<String>],
    leaf: &MpCategory,
) -> f32 {
    let path = segments(&leaf.path);
    let ancestors = path.split_last().map_or(&[][..], |(_, a)| a);
    let parents = parent_overlap(seller_parents, ancestors);
    let direct = 0.9 * name_score(last, &leaf.name) + 0.1 * parents;
    let broader = ancestors.iter().any(|a| name_score(last, a) >= STEM);
    let broad = if broader { 0.5 + 0.1 * parents } else { 0.0 };
    let leaf_stems = stems(&leaf.name);
    let named = names.iter().filter(|n| leaf_stems.iter().all(|s| n.contains(s))).count();
    let evidence = if names.is_empty() || named == 0 {
        0.0
    } else {
        0.65 * named as f32 / names.len() as f32 + if broader { 0.15 } else { 0.0 } + 0.1 * parents
    };
    direct.max(broad).max(evidence).min(1.0)
}

// ---- attributes ----------------------------------------------------------------------------

/// Product fields and the attribute names that obviously mean them (compared word for word),
/// with the unit the field holds.
const FIELDS: &[(&str, Option<&str>, &[&str])] = &[
    ("brand", None, &["бренд", "торговая марка", "brand"]),
    ("model", None, &["модель", "название модели", "model"]),
    ("name", None, &["наименование", "название", "наименование товара", "название товара", "name"]),
    ("description", None, &["описание", "аннотация", "описание товара", "description"]),
    ("barcode", None, &["штрихкод", "штрих-код", "баркод", "barcode", "ean"]),
    ("sku", None, &["артикул", "артикул продавца"]),
    (
        "weight_g",
        Some("г"),
        &["вес", "вес с упаковкой", "вес товара с упаковкой", "вес в упаковке", "вес брутто", "weight"],
    ),
    ("length_mm", Some("мм"), &["длина", "длина упаковки", "length"]),
    ("width_mm", Some("мм"), &["ширина", "ширина упаковки", "width"]),
    ("height_mm", Some("мм"), &["высота", "высота упаковки", "height"]),
];

/// The unit an attribute's values are in: its own, or the one its name ends with.
pub(crate) fn attr_unit(attr: &MpAttribute) -> Option<&str> {
    attr.unit.as_deref().filter(|u| !u.trim().is_empty()).or_else(|| split_unit(&attr.name).1)
}

/// The factor from `from` to `to` when both are known and differ; `None` when no conversion is
/// needed or possible.
fn conversion(from: Option<&str>, to: Option<&str>) -> Option<f64> {
    unit_factor(from?, to?).filter(|f| *f != 1.0)
}

fn rule(attr: &MpAttribute, source: Source, unit_factor: Option<f64>) -> AttrRule {
    AttrRule { attr_id: attr.attr_id.clone(), source, unit_factor, value_map: Default::default() }
}

/// The product field `attr` obviously means, with the unit conversion.
fn field_rule(attr: &MpAttribute) -> Option<AttrRule> {
    let name = words(split_unit(&attr.name).0);
    let (field, unit, _) = FIELDS.iter().find(|(_, _, names)| names.iter().any(|n| words(n) == name))?;
    Some(rule(attr, Source::Field((*field).to_owned()), conversion(*unit, attr_unit(attr))))
}

/// The product characteristic (name, unit) closest to `attr` by name, with the unit
/// conversion; differing units that do not convert make it a guess.
fn characteristic_rule(
    attr: &MpAttribute,
    product_attrs: &[(String, Option<String>)],
) -> Option<Suggestion<AttrRule>> {
    let (attr_name, _) = split_unit(&attr.name);
    let to = attr_unit(attr);
    let mut best: Option<Suggestion<AttrRule>> = None;
    for (name, unit) in product_attrs {
        let (bare, named_unit) = split_unit(name);
        let from = unit.as_deref().filter(|u| !u.trim().is_empty()).or(named_unit);
        let mut score = name_score(attr_name, bare);
        let factor = conversion(from, to);
        if let (Some(f), Some(t)) = (from, to)
            && factor.is_none()
            && !same_unit(f, t)
        {
            score = score.min(TYPO_1);
        }
        if best.as_ref().is_none_or(|b| score > b.score) {
            best = Some(Suggestion { item: rule(attr, Source::Attr(name.clone()), factor), score });
        }
    }
    best.filter(|b| b.score >= SHOWN)
}

/// Where `attr`'s value should come from: a product characteristic of exactly its name, else
/// the product field its name means (brand, model, name, description, barcode, SKU, weight,
/// package length, width, height — with g → kg and mm → cm factors as the attribute's unit
/// asks), else the closest characteristic by name. `product_attrs` are the names and units of
/// the product characteristics the seller uses.
pub fn suggest_rule(
    attr: &MpAttribute,
    product_attrs: &[(String, Option<String>)],
) -> Option<Suggestion<AttrRule>> {
    let characteristic = characteristic_rule(attr, product_attrs);
    if characteristic.as_ref().is_some_and(|c| c.score >= EXACT) {
        return characteristic;
    }
    field_rule(attr).map(|item| Suggestion { item, score: FIELD }).or(characteristic)
}

// ---- values --------------------------------------------------------------------------------

/// The dictionary value `text` most likely means. Two values equally close (and not exact) make
/// it a guess, whatever the tier.
pub fn suggest_value<'a>(text: &str, values: &'a [MpValue]) -> Option<Suggestion<&'a MpValue>> {
    let mut scored = values.iter().map(|v| Suggestion { item: v, score: name_score(text, &v.value) });
    let first = scored.next()?;
    let (mut best, mut tied) = (first, false);
    for s in scored {
        if s.score > best.score {
            (best, tied) = (s, false);
        } else if s.score == best.score {
            tied = true;
        }
    }
    if tied && best.score < EXACT {
        best.score = best.score.min(TYPO_1);
    }
    (best.score >= SHOWN).then_some(best)
}

/// Up to `n` dictionary values closest to `text`, closest first, for "did you mean": by
/// [`name_score`], then by how few characters differ. Values with nothing in common are left
/// out.
pub fn nearest_values<'a>(text: &str, values: &'a [MpValue], n: usize) -> Vec<&'a MpValue> {
    let key = value_key(text);
    let mut scored: Vec<(f32, f32, &MpValue)> = values
        .iter()
        .map(|v| {
            let other = value_key(&v.value);
            let longest = key.chars().count().max(other.chars().count()).max(1);
            let alike = 1.0 - distance(&key, &other) as f32 / longest as f32;
            (name_score(text, &v.value), alike, v)
        })
        .filter(|(score, alike, _)| *score >= SHOWN || *alike >= 0.6)
        .collect();
    scored.sort_by(|a, b| b.0.total_cmp(&a.0).then(b.1.total_cmp(&a.1)));
    scored.into_iter().take(n).map(|(_, _, v)| v).collect()
}

#[cfg(test)]
mod tests {
    use rstest::rstest;

    use super::*;
    use crate::dict::AttrKind;

    #[rstest]
    #[case("кроссовки", "кроссовк")]
    #[case("кроссовка", "кроссовк")]
    #[case("шампунь", "шампун")]
    #[case("шины", "шин")]
    #[case("черная", "черн")]
    #[case("дом", "дом")]
    #[case("4g", "4g")]
    fn stems_drop_endings_but_keep_three_letters(#[case] word: &str, #[case] expected: &str) {
        assert_eq!(stem(word), expected);
    }

    #[rstest]
    #[case("Цвет", "цвет", EXACT)]
    #[case("Дрели-шуруповерты", "дрели шуруповерты", EXACT)]
    #[case("Футболка", "Футболки", STEM)]
    #[case("Цвет товара", "Цвет", STEM)]
    #[case("Память оперативная", "Оперативная память", STEM)]
    #[case("Страна-изготовитель", "Страна производства", STEM)]
    #[case("красн.", "Красный", STEM)]
    #[case("Материал верха", "Материал верха обуви", PREFIX)]
    #[case("чорный", "черный", TYPO_1)]
    #[case("Инструменты", "Электроинструменты", SUBSTRING)]
    #[case("Шины", "Диски", 0.0)]
    #[case("", "Диски", 0.0)]
    fn names_score_by_tier(#[case] a: &str, #[case] b: &str, #[case] expected: f32) {
        assert_eq!(name_score(a, b), expected, "{a} / {b}");
        assert_eq!(name_score(b, a), expected, "{b} / {a}");
    }

    #[test]
    fn shared_words_score_by_their_share_and_stay_unsure() {
        let s = name_score("Вес с упаковкой", "Вес без упаковки");
        assert!((s - OVERLAP * 2.0 / 3.0).abs() < 1e-6, "{s}");
        assert!(s < CONFIDENT);
    }

    #[rstest]
    #[case("мм", "см", Some(0.1))]
    #[case("MM", "cm.", Some(0.1))]
    #[case("г", "kg", Some(0.001))]
    #[case("кг", "г", Some(1000.0))]
    #[case("л", "мл", Some(1000.0))]
    #[case("м", "мм", Some(1000.0))]
    #[case("см", "см", Some(1.0))]
    #[case("г", "мл", None)]
    #[case("ГБ", "МБ", None)]
    fn units_convert_within_their_kind(#[case] from: &str, #[case] to: &str, #[case] factor: Option<f64>) {
        assert_eq!(unit_factor(from, to), factor);
    }

    #[rstest]
    #[case("Оперативная память, ГБ", "Оперативная память", Some("ГБ"))]
    #[case("Вес с упаковкой (кг)", "Вес с упаковкой", Some("кг"))]
    #[case("Цвет, оттенок", "Цвет, оттенок", None)]
    #[case("Размер (RU)", "Размер (RU)", None)]
    fn names_give_up_their_units(#[case] name: &str, #[case] base: &str, #[case] unit: Option<&str>) {
        assert_eq!(split_unit(name), (base, unit));
    }

    fn leaf(path: &str) -> MpCategory {
        let name = path.rsplit('/').next().unwrap().trim().to_owned();
        MpCategory { ext_id: path.into(), parent_id: None, name, path: path.into(), leaf: true }
    }

    fn paths(found: &[Suggestion<&MpCategory>]) -> Vec<String> {
        found.iter().map(|s| s.item.path.clone()).collect()
    }

    #[test]
    fn categories_prefer_the_same_last_segment_then_shared_parents() {
        let tree = [
            leaf("Детям / Обувь / Кроссовки"),
            leaf("Обувь / Кроссовки"),
            leaf("Обувь / Кеды"),
            MpCategory { leaf: false, ..leaf("Кроссовки") },
        ];
        let found = suggest_categories("Одежда и обувь / Кроссовки", &tree, 5);
        assert_eq!(paths(&found), ["Обувь / Кроссовки", "Детям / Обувь / Кроссовки"]);
        assert!(found[0].confident() && found[0].score > found[1].score);
        assert_eq!(suggest_categories("Одежда и обувь / Кроссовки", &tree, 1).len(), 1);
        assert!(suggest_categories(" / ", &tree, 5).is_empty());
    }

    #[test]
    fn a_broader_seller_category_is_settled_by_product_names() {
        let tree =
            [leaf("Дом / Посуда / Сковороды"), leaf("Дом / Посуда / Кастрюли"), leaf("Дом / Текстиль")];
        let without = suggest_categories("Дом и сад / Посуда", &tree, 5);
        assert_eq!(without.len(), 2);
        assert!(without.iter().all(|s| !s.confident()), "{without:?}");
        let names = ["Сковорода чугунная 26 см", "Сковорода-гриль Ветер"];
        let with = suggest_categories_with_names("Дом и сад / Посуда", &names, &tree, 5);
        assert_eq!(with[0].item.path, "Дом / Посуда / Сковороды");
        assert!(with[0].confident() && !with[1].confident(), "{with:?}");
    }

    fn attr(name: &str, unit: Option<&str>) -> MpAttribute {
        MpAttribute {
            category_id: "1".into(),
            attr_id: "7".into(),
            name: name.into(),
            kind: AttrKind::Text,
            required: false,
            multi: false,
            max_count: None,
            max_length: None,
            min_value: None,
            max_value: None,
            unit: unit.map(Into::into),
            dictionary: None,
            custom_ok: true,
            variant: false,
            named_field: None,
        }
    }

    fn product_attrs() -> Vec<(String, Option<String>)> {
        [
            ("Цвет", None),
            ("Оперативная память", Some("ГБ")),
            ("Диагональ экрана", Some("дюйм")),
            ("Общий объем", Some("л")),
        ]
        .iter()
        .map(|(n, u)| (n.to_string(), u.map(str::to_owned)))
        .collect()
    }

    #[rstest]
    #[case("Бренд", None, Source::Field("brand".into()), None)]
    #[case("Торговая марка", None, Source::Field("brand".into()), None)]
    #[case("Название модели", None, Source::Field("model".into()), None)]
    #[case("Аннотация", None, Source::Field("description".into()), None)]
    #[case("Штрих-код", None, Source::Field("barcode".into()), None)]
    #[case("Вес с упаковкой (кг)", None, Source::Field("weight_g".into()), Some(0.001))]
    #[case("Вес товара с упаковкой", Some("г"), Source::Field("weight_g".into()), None)]
    #[case("Длина упаковки", Some("см"), Source::Field("length_mm".into()), Some(0.1))]
    #[case("Высота упаковки", Some("мм"), Source::Field("height_mm".into()), None)]
    #[case("Цвет товара", None, Source::Attr("Цвет".into()), None)]
    #[case("Оперативная память, ГБ", None, Source::Attr("Оперативная память".into()), None)]
    #[case("Объем, мл", None, Source::Attr("Общий объем".into()), Some(1000.0))]
    fn rules_come_from_fields_or_characteristics(
        #[case] name: &str,
        #[case] unit: Option<&str>,
        #[case] source: Source,
        #[case] factor: Option<f64>,
    ) {
        let s = suggest_rule(&attr(name, unit), &product_attrs()).unwrap();
        assert_eq!((&s.item.source, s.item.unit_factor), (&source, factor), "{name}");
        assert_eq!(s.item.attr_id, "7");
    }

    #[test]
    fn rule_confidence_follows_the_name_and_the_units() {
        let sure = suggest_rule(&attr("Оперативная память, ГБ", None), &product_attrs()).unwrap();
        assert_eq!(sure.score, EXACT);
        let other_unit = suggest_rule(&attr("Оперативная память", Some("МБ")), &product_attrs()).unwrap();
        assert!(!other_unit.confident(), "ГБ does not convert to МБ here");
        let partial = suggest_rule(&attr("Объем, мл", None), &product_attrs()).unwrap();
        assert!(!partial.confident());
        assert!(suggest_rule(&attr("Сезон", None), &product_attrs()).is_none());
        let exact = suggest_rule(&attr("Вес", None), &[("Вес".into(), Some("г".into()))]).unwrap();
        assert_eq!(exact.item.source, Source::Attr("Вес".into()), "the seller's own characteristic wins");
    }

    fn values(texts: &[&str]) -> Vec<MpValue> {
        texts
            .iter()
            .enumerate()
            .map(|(i, t)| MpValue { value_id: (i + 1).to_string(), value: t.to_string() })
            .collect()
    }

    #[rstest]
    #[case("Черный", Some("Черный"), true)]
    #[case("ЧЁРНЫЙ", Some("Черный"), true)]
    #[case("черн", Some("Черный"), true)]
    #[case("красн.", Some("Красный"), true)]
    #[case("чорный", Some("Черный"), false)]
    #[case("голуб.", Some("Голубой"), false)]
    #[case("фиолетовый", None, false)]
    fn values_are_suggested_by_stem_prefix_and_typo(
        #[case] text: &str,
        #[case] expected: Option<&str>,
        #[case] confident: bool,
    ) {
        let dict = values(&["Черный", "Белый", "Красный", "Голубой", "Голубая"]);
        let s = suggest_value(text, &dict);
        assert_eq!(s.as_ref().map(|s| s.item.value.as_str()), expected, "{text}");
        assert_eq!(s.is_some_and(|s| s.confident()), confident, "{text}");
    }

    #[test]
    fn nearest_values_rank_and_drop_the_unrelated() {
        let dict = values(&["Черный", "Белый", "Красный", "Темно-красный", "Бордовый"]);
        let near: Vec<&str> = nearest_values("красн", &dict, 3).iter().map(|v| v.value.as_str()).collect();
        assert_eq!(near, ["Красный", "Темно-красный"]);
        assert!(nearest_values("фиолетовый", &dict, 3).is_empty());
        assert_eq!(nearest_values("Черный", &dict, 1)[0].value, "Черный");
    }
}
