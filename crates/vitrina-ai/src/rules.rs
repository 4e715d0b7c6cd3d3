//! Rule checks that need no model: instant and free, run first and shown even with no provider.
//! Per target marketplace: title length, description length, picture count, forbidden words
//! (promises, other marketplaces, counterfeit words), required characteristics present (the
//! list comes from the marketplace's cached attributes, given by the application), shouting
//! capitals, repeated words, and contacts or links in the text.
//!
//! A [`Checker`] keeps its buffers between products, so checking a million products allocates
//! only for the problems found.

use std::collections::{HashMap, HashSet};
use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};
use vitrina_store::export::ExportRow;

use crate::error::AiError;

/// The marketplace whose rules apply; `any` is a sensible common ground.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Target {
    #[default]
    Any,
    Wb,
    Ozon,
    Ym,
}

impl Target {
    pub const ALL: [Target; 4] = [Target::Any, Target::Wb, Target::Ozon, Target::Ym];

    pub fn code(self) -> &'static str {
        match self {
            Target::Any => "any",
            Target::Wb => "wb",
            Target::Ozon => "ozon",
            Target::Ym => "ym",
        }
    }

    pub fn title(self) -> &'static str {
        match self {
            Target::Any => "любой маркетплейс",
            Target::Wb => "Wildberries",
            Target::Ozon => "Ozon",
            Target::Ym => "Яндекс Маркет",
        }
    }
}

impl FromStr for Target {
    type Err = AiError;
    fn from_str(s: &str) -> Result<Self, AiError> {
        match s.trim().to_ascii_lowercase().as_str() {
            "" | "any" => Ok(Target::Any),
            "wb" | "wildberries" => Ok(Target::Wb),
            "ozon" => Ok(Target::Ozon),
            "ym" | "yandex" | "yandex_market" => Ok(Target::Ym),
            other => Err(AiError::invalid(format!("\"{other}\" is not a marketplace: wb, ozon, ym or any"))),
        }
    }
}

impl fmt::Display for Target {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

/// A marketplace's content limits, in characters a buyer reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ContentLimits {
    pub name_min: usize,
    pub name_max: usize,
    pub description_min: usize,
    pub description_max: usize,
    pub description_required: bool,
    /// Fewer is an error.
    pub images_min: usize,
    /// Fewer is a warning.
    pub images_recommended: usize,
    pub images_max: usize,
}

impl ContentLimits {
    pub fn of(target: Target) -> ContentLimits {
        match target {
            // Wildberries: title ≤ 60, description up to 5000 (2000 in most categories; 1000
            // is the least a card should have), photos ≤ 30 (uploaded apart from the card).
            Target::Wb => ContentLimits {
                name_min: 10,
                name_max: 60,
                description_min: 1000,
                description_max: 5000,
                description_required: false,
                images_min: 0,
                images_recommended: 3,
                images_max: 30,
            },
            // Ozon: name ≤ 500 (≤ 200 reads well), description ≤ 6000, 1–15 pictures.
            Target::Ozon => ContentLimits {
                name_min: 10,
                name_max: 500,
                description_min: 300,
                description_max: 6000,
                description_required: false,
                images_min: 1,
                images_recommended: 3,
                images_max: 15,
            },
            // Yandex Market: name ≤ 256, description required and ≤ 6000, 1–30 pictures.
            Target::Ym => ContentLimits {
                name_min: 10,
                name_max: 256,
                description_min: 300,
                description_max: 6000,
                description_required: true,
                images_min: 1,
                images_recommended: 3,
                images_max: 30,
            },
            Target::Any => ContentLimits {
                name_min: 10,
                name_max: 255,
                description_min: 100,
                description_max: 6000,
                description_required: false,
                images_min: 0,
                images_recommended: 1,
                images_max: 30,
            },
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    Error,
    Warning,
    Info,
}

impl Severity {
    pub fn code(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Info => "info",
        }
    }
}

/// What a rule found, as a stable code the front ends word.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RuleCode {
    NameEmpty,
    NameTooShort,
    NameTooLong,
    DescriptionEmpty,
    DescriptionTooShort,
    DescriptionTooLong,
    TooFewImages,
    TooManyImages,
    ForbiddenWord,
    MissingAttribute,
    Shouting,
    RepeatedWord,
    ContactInText,
    LinkInText,
}

impl RuleCode {
    pub const ALL: [RuleCode; 14] = [
        RuleCode::NameEmpty,
        RuleCode::NameTooShort,
        RuleCode::NameTooLong,
        RuleCode::DescriptionEmpty,
        RuleCode::DescriptionTooShort,
        RuleCode::DescriptionTooLong,
        RuleCode::TooFewImages,
        RuleCode::TooManyImages,
        RuleCode::ForbiddenWord,
        RuleCode::MissingAttribute,
        RuleCode::Shouting,
        RuleCode::RepeatedWord,
        RuleCode::ContactInText,
        RuleCode::LinkInText,
    ];

    pub fn code(self) -> &'static str {
        match self {
            RuleCode::NameEmpty => "name_empty",
            RuleCode::NameTooShort => "name_too_short",
            RuleCode::NameTooLong => "name_too_long",
            RuleCode::DescriptionEmpty => "description_empty",
            RuleCode::DescriptionTooShort => "description_too_short",
            RuleCode::DescriptionTooLong => "description_too_long",
            RuleCode::TooFewImages => "too_few_images",
            RuleCode::TooManyImages => "too_many_images",
            RuleCode::ForbiddenWord => "forbidden_word",
            RuleCode::MissingAttribute => "missing_attribute",
            RuleCode::Shouting => "shouting",
            RuleCode::RepeatedWord => "repeated_word",
            RuleCode::ContactInText => "contact_in_text",
            RuleCode::LinkInText => "link_in_text",
        }
    }
}

/// One problem a rule found.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RuleIssue {
    pub code: RuleCode,
    /// `name`, `description`, `images`, `attributes`.
    pub field: String,
    pub severity: Severity,
    /// What exactly: the length and the limit, the word, the characteristic.
    pub detail: String,
}

/// A characteristic the marketplace requires, and where its value may come from (the
/// seller's attribute map): present when any source has a value. No source: an attribute of
/// the label's name.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RequiredAttr {
    pub label: String,
    pub sources: Vec<AttrSource>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum AttrSource {
    /// The product's characteristic of this name.
    Attribute(String),
    /// A product field: `name`, `brand`, `model`, `description`, `sku`, `barcode`, `weight_g`,
    /// `length_mm`, `width_mm`, `height_mm`.
    Field(String),
    /// Always filled (a constant in the map).
    Always,
}

/// Words sellers are refused for on every marketplace: promises and superlatives, calls to
/// buy, counterfeit words.
const FORBIDDEN_COMMON: &[&str] = &[
    "лучший",
    "лучшая",
    "лучшее",
    "самый лучший",
    "лучшая цена",
    "самый дешевый",
    "самый дешёвый",
    "дешевле всех",
    "скидка",
    "скидки",
    "распродажа",
    "акция",
    "хит продаж",
    "топ продаж",
    "бестселлер",
    "суперцена",
    "бесплатно",
    "копия",
    "реплика",
    "подделка",
    "аналог",
    "люкс копия",
    "качество как у оригинала",
    "№1",
    "100% оригинал",
    "гарантия качества",
];

/// Other marketplaces' names: a card must not send buyers elsewhere.
const MARKETPLACES: &[(Target, &[&str])] = &[
    (Target::Wb, &["wildberries", "вайлдберриз", "валдберис", "вайлдберис"]),
    (Target::Ozon, &["ozon", "озон"]),
    (Target::Ym, &["яндекс маркет", "яндекс.маркет", "yandex market"]),
    (Target::Any, &["avito", "авито", "aliexpress", "алиэкспресс"]),
];

/// XXH3 for the word sets: every word of every product is looked up, and SipHash's
/// protection against chosen keys buys nothing for a fixed list of words.
type FastHash = std::hash::BuildHasherDefault<vitrina_domain::StableHasher>;

/// The rules of one target, with the seller's own forbidden words added.
#[derive(Debug, Clone)]
pub struct Rules {
    pub target: Target,
    pub limits: ContentLimits,
    words: HashSet<String, FastHash>,
    /// Phrases by their first word: (bytes before that word in the phrase, the phrase).
    phrases: HashMap<String, Vec<(usize, String)>, FastHash>,
}

impl Rules {
    pub fn new(target: Target, extra_forbidden: &[String]) -> Rules {
        let mut all: Vec<String> = FORBIDDEN_COMMON.iter().map(|w| (*w).to_owned()).collect();
        for (owner, names) in MARKETPLACES {
            if *owner != target {
                all.extend(names.iter().map(|n| (*n).to_owned()));
            }
        }
        all.extend(extra_forbidden.iter().map(|w| w.trim().to_lowercase()).filter(|w| !w.is_empty()));
        let (mut words, mut phrases) = (HashSet::default(), Vec::new());
        for w in all {
            let w = w.replace('ё', "е");
            if w.chars().all(is_word_char) {
                words.insert(w);
            } else {
                phrases.push(w);
            }
        }
        phrases.sort();
        phrases.dedup();
        let mut by_first: HashMap<String, Vec<(usize, String)>, FastHash> = HashMap::default();
        for p in phrases {
            let first = word_spans(&p).next().map(|(at, w)| (at, w.to_owned()));
            if let Some((at, first)) = first {
                by_first.entry(first).or_default().push((at, p));
            }
        }
        Rules { target, limits: ContentLimits::of(target), words, phrases: by_first }
    }
}

/// A letter or digit. ASCII and Cyrillic (nearly all of a Russian card) are answered by
/// ranges: the general Unicode tables cost a third of a million-product check.
fn is_word_char(c: char) -> bool {
    if c.is_ascii() {
        c.is_ascii_alphanumeric()
    } else if ('\u{0400}'..='\u{04FF}').contains(&c) {
        is_cyrillic_letter(c)
    } else {
        c.is_alphanumeric()
    }
}

fn is_cyrillic_letter(c: char) -> bool {
    // U+0482–U+0489 are signs and combining marks; the rest of the block is letters.
    !('\u{0482}'..='\u{0489}').contains(&c)
}

/// Whether `c` is a letter, and an upper-case one.
fn letter_case(c: char) -> Option<bool> {
    if c.is_ascii() {
        c.is_ascii_alphabetic().then(|| c.is_ascii_uppercase())
    } else if ('\u{0400}'..='\u{04FF}').contains(&c) {
        if !is_cyrillic_letter(c) {
            None
        } else if c <= '\u{042F}' {
            Some(true)
        } else if c <= '\u{045F}' {
            Some(false)
        } else {
            // Historic and non-Russian letters: rare, so the general tables.
            Some(c.is_uppercase())
        }
    } else if c.is_alphabetic() {
        Some(c.is_uppercase())
    } else {
        None
    }
}

/// Pushes `c` in lower case, with ё as е (forbidden words are written without ё).
fn push_lower(out: &mut String, c: char) {
    match c {
        'ё' | 'Ё' => out.push('е'),
        _ if c.is_ascii() => out.push(c.to_ascii_lowercase()),
        '\u{0410}'..='\u{042F}' => out.push(char::from_u32(c as u32 + 0x20).unwrap_or(c)),
        '\u{0430}'..='\u{045F}' => out.push(c),
        '\u{0400}'..='\u{040F}' => out.push(char::from_u32(c as u32 + 0x50).unwrap_or(c)),
        _ => out.extend(c.to_lowercase()),
    }
}

/// Checks products one after another with reused buffers.
#[derive(Debug)]
pub struct Checker<'r> {
    rules: &'r Rules,
    plain: String,
    lower: String,
    found: Vec<String>,
}

impl<'r> Checker<'r> {
    pub fn new(rules: &'r Rules) -> Self {
        Checker { rules, plain: String::new(), lower: String::new(), found: Vec::new() }
    }

    /// Everything the rules find wrong with `row`, appended to `out` in field order.
    pub fn check(&mut self, row: &ExportRow, required: &[RequiredAttr], out: &mut Vec<RuleIssue>) {
        let limits = self.rules.limits;
        let target = self.rules.target.title();
        let issue = |code, field: &str, severity, detail: String| RuleIssue {
            code,
            field: field.to_owned(),
            severity,
            detail,
        };

        // The title.
        let name = row.name.trim();
        let name_len = name.chars().count();
        if name_len == 0 {
            out.push(issue(RuleCode::NameEmpty, "name", Severity::Error, "the product has no title".into()));
        } else if name_len > limits.name_max {
            out.push(issue(
                RuleCode::NameTooLong,
                "name",
                Severity::Error,
                format!("{name_len} characters; {target} allows {}", limits.name_max),
            ));
        } else if name_len < limits.name_min {
            out.push(issue(
                RuleCode::NameTooShort,
                "name",
                Severity::Warning,
                format!(
                    "{name_len} characters; a title that says what the product is has at least {}",
                    limits.name_min
                ),
            ));
        }
        if name_len > 0 {
            self.text_checks(name, "name", out);
            if let Some((word, n)) = repeated_in_title(&self.lower) {
                out.push(issue(
                    RuleCode::RepeatedWord,
                    "name",
                    Severity::Warning,
                    format!("«{word}» appears {n} times"),
                ));
            }
        }

        // The description.
        strip_html(&row.description, &mut self.plain);
        let plain = std::mem::take(&mut self.plain);
        let text = plain.trim();
        let len = text.chars().count();
        if len == 0 {
            let severity = if limits.description_required { Severity::Error } else { Severity::Warning };
            out.push(issue(
                RuleCode::DescriptionEmpty,
                "description",
                severity,
                "the product has no description".into(),
            ));
        } else if len > limits.description_max {
            out.push(issue(
                RuleCode::DescriptionTooLong,
                "description",
                Severity::Error,
                format!("{len} characters; {target} allows {}", limits.description_max),
            ));
        } else if len < limits.description_min {
            out.push(issue(
                RuleCode::DescriptionTooShort,
                "description",
                Severity::Warning,
                format!("{len} characters; at least {} help buyers and search", limits.description_min),
            ));
        }
        if len > 0 {
            self.text_checks(text, "description", out);
            if let Some(word) = stutter(&self.lower) {
                out.push(issue(
                    RuleCode::RepeatedWord,
                    "description",
                    Severity::Warning,
                    format!("«{word} {word}»"),
                ));
            }
        }
        self.plain = plain;

        // Pictures.
        let images = row.images.len();
        if images < limits.images_min {
            out.push(issue(
                RuleCode::TooFewImages,
                "images",
                Severity::Error,
                format!("{images} pictures; {target} needs at least {}", limits.images_min),
            ));
        } else if images < limits.images_recommended {
            out.push(issue(
                RuleCode::TooFewImages,
                "images",
                Severity::Warning,
                format!("{images} pictures; cards with at least {} sell better", limits.images_recommended),
            ));
        } else if images > limits.images_max {
            out.push(issue(
                RuleCode::TooManyImages,
                "images",
                Severity::Error,
                format!("{images} pictures; {target} takes at most {}", limits.images_max),
            ));
        }

        // Required characteristics.
        for req in required {
            if !present(row, req) {
                out.push(issue(
                    RuleCode::MissingAttribute,
                    "attributes",
                    Severity::Error,
                    format!("«{}» is required by {target} and has no value", req.label),
                ));
            }
        }
    }

    /// Forbidden words, shouting, contacts and links in `text` (leaves `self.lower` holding
    /// its lower-case form).
    fn text_checks(&mut self, text: &str, field: &str, out: &mut Vec<RuleIssue>) {
        let (letters, upper) = lower_into(text, &mut self.lower);
        let issue =
            |code, severity, detail: String| RuleIssue { code, field: field.to_owned(), severity, detail };
        self.found.clear();
        // One pass over the words finds the forbidden words and the phrases (by their first
        // word), instead of one search of the whole text per phrase.
        let lower = self.lower.as_str();
        for (at, word) in word_spans(lower) {
            if self.rules.words.contains(word) && !self.found.iter().any(|f| f == word) {
                self.found.push(word.to_owned());
            }
            let Some(candidates) = self.rules.phrases.get(word) else { continue };
            for (prefix, phrase) in candidates {
                let Some(start) = at.checked_sub(*prefix) else { continue };
                let Some(rest) = lower.get(start..) else { continue };
                let end = start + phrase.len();
                let bounded = rest.starts_with(phrase.as_str())
                    && lower[..start].chars().next_back().is_none_or(|c| !is_word_char(c))
                    && lower[end..].chars().next().is_none_or(|c| !is_word_char(c));
                if bounded && !self.found.contains(phrase) {
                    self.found.push(phrase.clone());
                }
            }
        }
        if !self.found.is_empty() {
            let list: Vec<String> = self.found.iter().take(5).map(|w| format!("«{w}»")).collect();
            out.push(issue(RuleCode::ForbiddenWord, Severity::Error, list.join(", ")));
        }
        let shouting = if field == "name" {
            letters >= 8 && upper * 10 >= letters * 7
        } else {
            letters >= 40 && upper * 2 >= letters
        };
        if shouting {
            out.push(issue(
                RuleCode::Shouting,
                Severity::Warning,
                format!("{}% of the letters are capitals", upper * 100 / letters.max(1)),
            ));
        }
        if let Some(link) = find_link(&self.lower) {
            out.push(issue(RuleCode::LinkInText, Severity::Error, format!("«{link}»")));
        }
        if let Some(contact) = find_contact(&self.lower) {
            out.push(issue(RuleCode::ContactInText, Severity::Error, format!("«{contact}»")));
        }
    }
}

/// Words of lower-case text: runs of letters and digits.
fn words(text: &str) -> impl Iterator<Item = &str> {
    text.split(|c: char| !is_word_char(c)).filter(|w| !w.is_empty())
}

/// The messenger or call to get in touch a word starts with (телеграм, телеграмме…).
fn messenger(word: &str) -> Option<&'static str> {
    const STEMS: &[&str] =
        &["whatsapp", "ватсап", "вотсап", "viber", "вайбер", "telegram", "телеграм", "звоните"];
    // Most words start with another letter: one comparison instead of eight.
    let first = word.chars().next()?;
    if !matches!(first, 'w' | 'v' | 't' | 'в' | 'т' | 'з') {
        return None;
    }
    STEMS.iter().copied().find(|s| word.starts_with(s))
}

/// Words of lower-case text with their byte offsets.
fn word_spans(text: &str) -> impl Iterator<Item = (usize, &str)> {
    let mut rest = text.char_indices().peekable();
    std::iter::from_fn(move || {
        while let Some(&(_, c)) = rest.peek() {
            if is_word_char(c) {
                break;
            }
            rest.next();
        }
        let (start, _) = *rest.peek()?;
        let mut end = start;
        while let Some(&(i, c)) = rest.peek() {
            if !is_word_char(c) {
                break;
            }
            end = i + c.len_utf8();
            rest.next();
        }
        Some((start, &text[start..end]))
    })
}

/// Writes `text` in lower case (ё as е) into `out` and counts its letters and capitals.
/// ASCII and Russian letters are handled by their bytes; other text by the Unicode tables.
fn lower_into(text: &str, out: &mut String) -> (usize, usize) {
    out.clear();
    out.reserve(text.len());
    let (mut letters, mut upper) = (0usize, 0usize);
    let bytes = text.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        if b < 0x80 {
            if b.is_ascii_alphabetic() {
                letters += 1;
                upper += usize::from(b.is_ascii_uppercase());
            }
            out.push(char::from(b.to_ascii_lowercase()));
            i += 1;
            continue;
        }
        // Two-byte Cyrillic, U+0400–U+045F: Ѐ–Я upper, а–џ lower.
        if (b == 0xD0 || b == 0xD1) && i + 1 < bytes.len() {
            let code = (u32::from(b & 0x1F) << 6) | u32::from(bytes[i + 1] & 0x3F);
            if code <= 0x45F {
                letters += 1;
                let lowered = match code {
                    0x401 | 0x451 => 0x435,
                    0x400..=0x40F => code + 0x50,
                    0x410..=0x42F => code + 0x20,
                    _ => code,
                };
                upper += usize::from(code <= 0x42F);
                out.push(char::from_u32(lowered).unwrap_or('\u{FFFD}'));
                i += 2;
                continue;
            }
        }
        let c = text[i..].chars().next().unwrap_or('\u{FFFD}');
        if let Some(is_upper) = letter_case(c) {
            letters += 1;
            upper += usize::from(is_upper);
        }
        push_lower(out, c);
        i += c.len_utf8();
    }
    (letters, upper)
}

/// A phrase found on word boundaries.
#[cfg(test)]
fn contains_phrase(text: &str, phrase: &str) -> bool {
    let mut from = 0;
    while let Some(at) = text[from..].find(phrase) {
        let start = from + at;
        let end = start + phrase.len();
        let before = text[..start].chars().next_back().is_none_or(|c| !is_word_char(c));
        let after = text[end..].chars().next().is_none_or(|c| !is_word_char(c));
        if before && after {
            return true;
        }
        from = start + phrase.chars().next().map_or(1, char::len_utf8);
    }
    false
}

/// A word of three letters or more used twice in a title ("Кроссовки кроссовки беговые").
fn repeated_in_title(lower: &str) -> Option<(String, usize)> {
    let all: Vec<&str> =
        words(lower).filter(|w| w.chars().count() >= 3 && !w.chars().all(|c| c.is_ascii_digit())).collect();
    for (i, w) in all.iter().enumerate() {
        if all[..i].contains(w) {
            continue;
        }
        let n = all.iter().filter(|x| *x == w).count();
        if n > 1 {
            return Some(((*w).to_owned(), n));
        }
    }
    None
}

/// The same word twice in a row ("очень очень удобные").
fn stutter(lower: &str) -> Option<String> {
    let mut last = "";
    for w in words(lower) {
        if w == last && w.chars().count() >= 3 && !w.chars().all(|c| c.is_ascii_digit()) {
            return Some(w.to_owned());
        }
        last = w;
    }
    None
}

const TLDS: &[&str] =
    &["ru", "com", "рф", "net", "org", "su", "shop", "store", "info", "online", "me", "io", "by", "kz"];

/// A web address: `http…`, `www.`, `t.me/`, or a word dot a known domain ending.
fn find_link(lower: &str) -> Option<String> {
    for token in lower.split(|c: char| {
        c.is_whitespace() || matches!(c, '(' | ')' | '«' | '»' | '"' | ',' | ';' | '<' | '>')
    }) {
        // Most words hold neither a dot nor a colon: nothing to look at.
        if !token.bytes().any(|b| b == b'.' || b == b':') {
            continue;
        }
        let t = token.trim_end_matches(['.', '!', '?', ':']);
        if t.starts_with("http://")
            || t.starts_with("https://")
            || t.starts_with("www.")
            || t.contains("t.me/")
        {
            return Some(t.chars().take(60).collect());
        }
        if t.contains('@') {
            continue;
        }
        if let Some((host, tld)) = t.split('/').next().unwrap_or("").rsplit_once('.') {
            let tld_ok = TLDS.contains(&tld);
            if tld_ok
                && host.chars().count() >= 2
                && host.chars().all(|c| is_word_char(c) || c == '-' || c == '.')
                && !host.chars().all(|c| c.is_ascii_digit())
            {
                return Some(t.chars().take(60).collect());
            }
        }
    }
    None
}

/// An e-mail, a Russian phone number, or a messenger named as a way to reach the seller.
fn find_contact(lower: &str) -> Option<String> {
    for token in lower.split(char::is_whitespace) {
        let t = token.trim_matches(|c: char| !is_word_char(c) && c != '@' && c != '.');
        if let Some((user, domain)) = t.split_once('@')
            && !user.is_empty()
            && domain.contains('.')
        {
            return Some(t.to_owned());
        }
    }
    for w in words(lower) {
        if let Some(stem) = messenger(w) {
            return Some(stem.to_owned());
        }
    }
    if lower.contains("пишите в лс") {
        return Some("пишите в лс".to_owned());
    }
    // Phones: +7 or 8 and ten more digits, separators allowed between them.
    let bytes = lower.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        let plus = bytes[i] == b'+';
        let start_digit = if plus { bytes.get(i + 1).copied() } else { Some(bytes[i]) };
        let boundary = i == 0 || !bytes[i - 1].is_ascii_alphanumeric();
        if boundary && matches!(start_digit, Some(b'7') | Some(b'8')) {
            let mut j = if plus { i + 1 } else { i };
            let mut digits = 0;
            let mut separated = plus;
            while j < bytes.len() {
                match bytes[j] {
                    b'0'..=b'9' => digits += 1,
                    b' ' | b'-' | b'(' | b')' if digits > 0 && digits < 11 => separated = true,
                    _ => break,
                }
                j += 1;
                if digits == 11 {
                    break;
                }
            }
            let ends = j >= bytes.len() || !bytes[j].is_ascii_digit();
            if digits == 11 && ends && (separated || plus || bytes[i] == b'8' || bytes[i] == b'7') {
                return Some(lower[i..j].trim().to_owned());
            }
        }
        i += 1;
    }
    None
}

/// Whether a required characteristic has a value.
fn present(row: &ExportRow, req: &RequiredAttr) -> bool {
    let attr = |name: &str| {
        let name = name.trim().to_lowercase();
        row.attributes.iter().any(|a| a.name.trim().to_lowercase() == name && !a.value.trim().is_empty())
    };
    if req.sources.is_empty() {
        return attr(&req.label);
    }
    req.sources.iter().any(|s| match s {
        AttrSource::Always => true,
        AttrSource::Attribute(name) => attr(name),
        AttrSource::Field(f) => match f.as_str() {
            "name" => !row.name.trim().is_empty(),
            "brand" => !row.brand.trim().is_empty(),
            "model" => !row.model.trim().is_empty(),
            "description" => !row.description.trim().is_empty(),
            "sku" => !row.sku.trim().is_empty(),
            "barcode" | "barcodes" => !row.barcodes.is_empty(),
            "weight_g" => row.weight_g.is_some(),
            "length_mm" | "width_mm" | "height_mm" => row.dimensions_mm.is_some(),
            _ => true,
        },
    })
}

/// `html` as the text a buyer reads: tags dropped (block tags as spaces), the common entities
/// decoded, whitespace collapsed. Written into `out` (cleared first).
pub fn strip_html(html: &str, out: &mut String) {
    out.clear();
    let mut rest = html;
    let mut space = true;
    let push_space = |out: &mut String, space: &mut bool| {
        if !*space {
            out.push(' ');
            *space = true;
        }
    };
    while !rest.is_empty() {
        let Some(at) = rest.find(['<', '&', '\n', '\r', '\t', ' ']) else {
            out.push_str(rest);
            break;
        };
        if at > 0 {
            out.push_str(&rest[..at]);
            space = false;
        }
        rest = &rest[at..];
        match rest.as_bytes()[0] {
            b'<' => match rest.find('>') {
                Some(end) => {
                    push_space(out, &mut space);
                    rest = &rest[end + 1..];
                }
                None => {
                    out.push_str(rest);
                    break;
                }
            },
            b'&' => {
                // A byte search: `;` is ASCII, so its position is a character boundary.
                let end = rest.as_bytes()[..rest.len().min(10)].iter().position(|b| *b == b';');
                let decoded = end.and_then(|e| match &rest[1..e] {
                    "amp" => Some('&'),
                    "lt" => Some('<'),
                    "gt" => Some('>'),
                    "quot" => Some('"'),
                    "apos" | "#39" => Some('\''),
                    "nbsp" => Some(' '),
                    "laquo" => Some('«'),
                    "raquo" => Some('»'),
                    "mdash" => Some('—'),
                    _ => None,
                });
                match (decoded, end) {
                    (Some(' '), Some(e)) => {
                        push_space(out, &mut space);
                        rest = &rest[e + 1..];
                    }
                    (Some(c), Some(e)) => {
                        out.push(c);
                        space = false;
                        rest = &rest[e + 1..];
                    }
                    _ => {
                        out.push('&');
                        space = false;
                        rest = &rest[1..];
                    }
                }
            }
            _ => {
                push_space(out, &mut space);
                rest = &rest[1..];
            }
        }
    }
    let trimmed = out.trim_end().len();
    out.truncate(trimmed);
}

#[cfg(test)]
mod tests {
    use rstest::rstest;
    use vitrina_domain::{Attribute, ProductId};

    use super::*;

    pub(crate) fn row(name: &str, description: &str, images: usize) -> ExportRow {
        ExportRow {
            rid: 1,
            id: ProductId::new(),
            updated_at: 0,
            sku: "SKU-1".into(),
            name: name.into(),
            description: description.into(),
            brand: "Nordic".into(),
            model: String::new(),
            category: None,
            group: None,
            currency: "RUB".into(),
            price: 10_000,
            old_price: None,
            stock: 1,
            status: "active".into(),
            weight_g: None,
            dimensions_mm: None,
            attributes: vec![Attribute { name: "Цвет".into(), value: "чёрный".into(), unit: None }],
            images: (0..images).map(|i| format!("https://img/{i}.jpg")).collect(),
            barcodes: vec![],
        }
    }

    const GOOD_DESC: &str = "<p>Лёгкие беговые кроссовки с дышащим сетчатым верхом и амортизирующей подошвой. Подходят для тренировок и прогулок в тёплую погоду, держат стопу и не натирают.</p>";

    fn codes(target: Target, r: &ExportRow) -> Vec<(&'static str, &'static str)> {
        let rules = Rules::new(target, &["фейк".to_owned()]);
        let mut out = Vec::new();
        Checker::new(&rules).check(r, &[], &mut out);
        out.iter().map(|i| (i.code.code(), i.severity.code())).collect()
    }

    #[test]
    fn a_good_card_passes() {
        assert_eq!(codes(Target::Any, &row("Кроссовки беговые Nordic Run", GOOD_DESC, 3)), []);
    }

    #[rstest]
    #[case::empty_title("", GOOD_DESC, 3, Target::Any, &[("name_empty", "error")])]
    #[case::wb_title_61(&"Кроссовки ".repeat(7), GOOD_DESC, 3, Target::Wb, &[("name_too_long", "error"), ("repeated_word", "warning"), ("description_too_short", "warning")])]
    #[case::short_title("Кеды", GOOD_DESC, 3, Target::Any, &[("name_too_short", "warning")])]
    #[case::no_description("Кроссовки беговые Nordic", "", 3, Target::Ym, &[("description_empty", "error")])]
    #[case::no_pictures_ozon("Кроссовки беговые Nordic", GOOD_DESC, 0, Target::Ozon, &[("description_too_short", "warning"), ("too_few_images", "error")])]
    #[case::few_pictures("Кроссовки беговые Nordic", GOOD_DESC, 0, Target::Any, &[("too_few_images", "warning")])]
    #[case::too_many("Кроссовки беговые Nordic", GOOD_DESC, 16, Target::Ozon, &[("description_too_short", "warning"), ("too_many_images", "error")])]
    #[case::forbidden("Лучший кроссовок, ХИТ ПРОДАЖ", GOOD_DESC, 3, Target::Any, &[("forbidden_word", "error")])]
    #[case::own_words("Кроссовки фейк Nordic", GOOD_DESC, 3, Target::Any, &[("forbidden_word", "error")])]
    #[case::other_marketplace_wb("Кроссовки как на Ozon", GOOD_DESC, 3, Target::Wb, &[("forbidden_word", "error"), ("description_too_short", "warning")])]
    #[case::own_marketplace_ozon("Кроссовки как на Ozon", GOOD_DESC, 3, Target::Ozon, &[("description_too_short", "warning")])]
    #[case::shouting("КРОССОВКИ БЕГОВЫЕ NORDIC", GOOD_DESC, 3, Target::Any, &[("shouting", "warning")])]
    #[case::link("Кроссовки беговые Nordic", "<p>Подробнее на www.shoes.ru и в каталоге, отличная модель для бега и прогулок на каждый день, лёгкая и удобная.</p>", 3, Target::Any, &[("link_in_text", "error")])]
    #[case::domain("Кроссовки беговые Nordic", "Заказывайте на shoes-shop.ru — доставка по всей России, лёгкая и удобная модель для бега и прогулок каждый день.", 3, Target::Any, &[("link_in_text", "error")])]
    #[case::phone("Кроссовки беговые Nordic", "Вопросы по телефону +7 (999) 123-45-67, отвечаем быстро. Лёгкая и удобная модель для бега и прогулок каждый день.", 3, Target::Any, &[("contact_in_text", "error")])]
    #[case::email("Кроссовки беговые Nordic", "Пишите: shop@mail.ru. Лёгкая и удобная модель для бега и прогулок на каждый день, подходит для тренировок.", 3, Target::Any, &[("contact_in_text", "error")])]
    #[case::stutter("Кроссовки беговые Nordic", "<p>Очень очень удобные кроссовки для бега и прогулок, лёгкие, с дышащим верхом и мягкой подошвой на каждый день.</p>", 3, Target::Any, &[("repeated_word", "warning")])]
    fn rules_find_what_they_should(
        #[case] name: &str,
        #[case] desc: &str,
        #[case] images: usize,
        #[case] target: Target,
        #[case] want: &[(&str, &str)],
    ) {
        let mut got = codes(target, &row(name, desc, images));
        let mut want = want.to_vec();
        got.sort();
        want.sort();
        assert_eq!(got, want);
    }

    #[test]
    fn numbers_that_are_not_phones_or_links() {
        for text in [
            "Размер 42-44, артикул 4601234567890, вес 0.5 кг, версия 2.0",
            "Цена 1 299.00 за пару, 8 штук в коробке",
        ] {
            assert_eq!(find_contact(text), None, "{text}");
            assert_eq!(find_link(text), None, "{text}");
        }
        assert_eq!(find_contact("звони 89991234567").as_deref(), Some("89991234567"));
        assert_eq!(find_contact("тел. 8-999-123-45-67.").as_deref(), Some("8-999-123-45-67"));
        assert_eq!(find_link("смотрите https://t.me/shop").as_deref(), Some("https://t.me/shop"));
    }

    #[test]
    fn required_characteristics_come_from_their_sources() {
        let rules = Rules::new(Target::Wb, &[]);
        let r = row("Кроссовки беговые Nordic", GOOD_DESC, 3);
        let req = |label: &str, sources: Vec<AttrSource>| RequiredAttr { label: label.into(), sources };
        let wanted = [
            req("Цвет", vec![]),
            req("Состав", vec![]),
            req("Бренд", vec![AttrSource::Field("brand".into())]),
            req("Модель", vec![AttrSource::Field("model".into())]),
            req("Страна", vec![AttrSource::Always]),
            req("Color", vec![AttrSource::Attribute("цвет".into())]),
        ];
        let mut out = Vec::new();
        Checker::new(&rules).check(&r, &wanted, &mut out);
        let missing: Vec<_> =
            out.iter().filter(|i| i.code == RuleCode::MissingAttribute).map(|i| i.detail.as_str()).collect();
        assert_eq!(missing.len(), 2, "{missing:?}");
        assert!(missing[0].contains("Состав") && missing[1].contains("Модель"));
    }

    #[test]
    fn the_fast_letter_paths_agree_with_unicode() {
        for c in ('\u{0}'..='\u{0500}').chain(['ё', 'Ё', 'é', 'ß', '中']) {
            assert_eq!(is_word_char(c), c.is_alphanumeric(), "{c:?}");
            assert_eq!(letter_case(c), c.is_alphabetic().then(|| c.is_uppercase()), "{c:?}");
            let mut fast = String::new();
            push_lower(&mut fast, c);
            let slow: String = if c == 'ё' || c == 'Ё' { "е".into() } else { c.to_lowercase().collect() };
            assert_eq!(fast, slow, "{c:?}");
        }
    }

    #[test]
    fn lower_case_by_bytes_agrees_with_unicode() {
        let text = "ЁЛКА ёлка Ѐ Џ Ѡѡ Ӂ ÉTÉ Straße ПРИВЕТ мир 123 №1 — «ХИТ»";
        let mut out = String::new();
        let (letters, upper) = lower_into(text, &mut out);
        let want: String = text
            .chars()
            .map(|c| if c == 'ё' || c == 'Ё' { "е".to_owned() } else { c.to_lowercase().collect() })
            .collect();
        assert_eq!(out, want);
        assert_eq!(letters, text.chars().filter(|c| c.is_alphabetic()).count());
        assert_eq!(upper, text.chars().filter(|c| c.is_alphabetic() && c.is_uppercase()).count());
        let phrases = ["хит продаж", "№1", "100% оригинал", "яндекс маркет"];
        for p in phrases {
            for text in [format!("это {p}!"), p.to_owned(), format!("x{p}"), format!("{p}ы")] {
                let rules = Rules::new(Target::Wb, &[]);
                let mut c = Checker::new(&rules);
                let mut out = Vec::new();
                c.text_checks(&text, "name", &mut out);
                let found = out.iter().any(|i| i.code == RuleCode::ForbiddenWord && i.detail.contains(p));
                assert_eq!(found, contains_phrase(&text, p), "{text:?} / {p:?}");
            }
        }
    }

    #[test]
    fn any_text_is_checked_without_a_panic() {
        let alphabet: Vec<char> = "ab Яё—«»&;<>/p@.+78 \n&amp;&nbsp;ХИТ".chars().collect();
        let rules = Rules::new(Target::Wb, &[]);
        let mut checker = Checker::new(&rules);
        let mut rng = fastrand::Rng::with_seed(7);
        for _ in 0..2000 {
            let len = rng.usize(0..80);
            let text: String = (0..len).map(|_| alphabet[rng.usize(0..alphabet.len())]).collect();
            let mut out = Vec::new();
            checker.check(&row(&text, &text, 1), &[], &mut out);
        }
    }

    #[test]
    fn html_becomes_the_text_a_buyer_reads() {
        let mut out = String::new();
        strip_html(
            "<p>Лёгкие&nbsp;кроссовки &amp; кеды</p>\n<ul><li>42</li><li>43</li></ul> &unknown; <b",
            &mut out,
        );
        assert_eq!(out, "Лёгкие кроссовки & кеды 42 43 &unknown; <b");
        strip_html("", &mut out);
        assert_eq!(out, "");
        // A bare ampersand before multi-byte letters.
        strip_html("Кофе & Latte — модель; «хит»", &mut out);
        assert_eq!(out, "Кофе & Latte — модель; «хит»");
    }
}
