//! What a query that finds nothing was meant to be: typed with the other keyboard layout on,
//! a name written in the other alphabet, or a word with one letter wrong.
//!
//! A query is looked at token by token (the whitespace-separated pieces a person typed; a
//! token can hold several words, "дрель-шуруповерт", and the keyboard layout is switched per
//! token because "б", "ж", "х"… are punctuation keys in English). A token that matches
//! products as typed is kept, unless typed with the other layout on it matches twenty times
//! more. A token that matches nothing is switched to the other layout, or each of its words
//! that matches nothing is read as a brand of the catalog in the other alphabet, as the word
//! one letter away that the index holds, or as another spelling in the other alphabet that
//! the index holds, in that order. The corrected query is kept only if it finds products.
//!
//! Numbers, SKUs and barcodes (any word with a digit) are never corrected, nor are words of
//! fewer than five letters for typos; a query of more than eight tokens is left as typed.

use rusqlite::{Connection, OptionalExtension};
use serde::{Deserialize, Serialize};

use super::query::{match_expression, word_terms};
use super::stem::{Stems, is_cyrillic, words};
use super::vocab::{any, brands, count, has_term};
use super::{layout, translit, typo};
use crate::error::Result;
use crate::memo::Memo;

/// Queries with more tokens, or longer, are searched only as typed.
const MAX_TOKENS: usize = 8;
const MAX_CHARS: usize = 160;
/// A token typed with the other layout on that matches this many times more than as typed
/// is taken as meant that way.
const FAR_MORE: u64 = 20;
/// Counting stops here when comparing a token as typed and switched.
const COUNT_TO: u64 = 1_001;
/// Spellings in the other alphabet tried per word.
const SPELLINGS: usize = 160;

/// What was searched instead of the query as typed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Correction {
    /// The query searched, as a person would type it: "кроссовки nike".
    pub query: String,
    /// Each token changed, in order.
    pub changes: Vec<Change>,
    /// True when the results are this query's instead of the query as typed (which matched
    /// nothing); false when they follow the query's own few matches.
    pub instead: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Change {
    pub typed: String,
    pub meant: String,
    pub kind: ChangeKind,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ChangeKind {
    /// Typed with the other keyboard layout on: "rhjccjdrb" → "кроссовки".
    Layout,
    /// A name in the other alphabet: "найк" → "Nike".
    Alphabet,
    /// One letter wrong, missing, extra or swapped: "кросовки" → "кроссовки".
    Typo,
}

/// The query `query` most likely meant, when it differs from what was typed and finds
/// products; `None` otherwise. See the module documentation for the rules.
pub(crate) fn correct(
    conn: &Connection,
    memo: &Memo,
    query: &str,
    stems: &mut Stems,
) -> Result<Option<Correction>> {
    let tokens: Vec<&str> = query.split_whitespace().collect();
    if tokens.is_empty() || tokens.len() > MAX_TOKENS || query.chars().count() > MAX_CHARS {
        return Ok(None);
    }
    let token_words: Vec<Vec<String>> = tokens.iter().map(|t| words(t).collect()).collect();
    let mut chosen: Vec<Option<(String, Vec<Change>)>> = vec![None; tokens.len()];
    for (i, token) in tokens.iter().enumerate() {
        if token_words[i].is_empty() {
            continue;
        }
        let typed_expr = token_expr(&token_words, i, None, stems);
        // A token of one-letter words is being typed; counting its prefixes costs more than
        // it could tell.
        let letters_only = token_words[i].iter().all(|w| w.chars().count() == 1);
        let typed_n = if letters_only { COUNT_TO } else { count(conn, &typed_expr, COUNT_TO)? };
        // (A one-letter word switched to the other layout is as broad as it was.)
        if let Some(switched) = layout::switch(token).filter(|_| !letters_only) {
            let switched_words: Vec<String> = words(&switched).collect();
            if !switched_words.is_empty() {
                let expr = token_expr(&token_words, i, Some(&switched_words), stems);
                let n = count(conn, &expr, COUNT_TO)?;
                if n > 0 && (typed_n == 0 || n >= FAR_MORE * typed_n) {
                    let meant = switched.to_lowercase();
                    chosen[i] = Some((
                        meant.clone(),
                        vec![Change { typed: token.to_string(), meant, kind: ChangeKind::Layout }],
                    ));
                    continue;
                }
            }
        }
        if typed_n > 0 {
            continue;
        }
        // Word by word: each word that matches nothing on its own needs a meaning.
        let all: Vec<String> = token_words.iter().flatten().cloned().collect();
        let terms = word_terms(&all, stems);
        let first = token_words[..i].iter().map(Vec::len).sum::<usize>();
        let mut text = token.to_lowercase().replace('ё', "е");
        let mut changes = Vec::new();
        let mut fixed = true;
        let mut from = 0;
        for (j, word) in token_words[i].iter().enumerate() {
            let at = text[from..].find(word.as_str()).map(|p| p + from);
            // A one-letter word is someone typing; its prefix matches most of the catalog.
            if word.chars().count() == 1 || any(conn, &terms[first + j])? {
                from = at.map_or(from, |p| p + word.len());
                continue;
            }
            match meaning(conn, memo, word, stems)? {
                Some((meant, kind)) => {
                    if let Some(p) = at {
                        text.replace_range(p..p + word.len(), &meant);
                        from = p + meant.len();
                    }
                    changes.push(Change { typed: word.clone(), meant, kind });
                }
                None => {
                    fixed = false;
                    break;
                }
            }
        }
        if !fixed {
            return Ok(None);
        }
        if !changes.is_empty() {
            chosen[i] = Some((text, changes));
        }
    }
    if chosen.iter().all(Option::is_none) {
        return Ok(None);
    }
    let mut parts = Vec::with_capacity(tokens.len());
    let mut changes = Vec::new();
    for (token, choice) in tokens.iter().zip(chosen) {
        match choice {
            Some((text, c)) => {
                parts.push(text);
                changes.extend(c);
            }
            None => parts.push(token.to_string()),
        }
    }
    let corrected = parts.join(" ");
    let Some(expr) = match_expression(&corrected, stems) else { return Ok(None) };
    Ok(any(conn, &expr.0)?.then_some(Correction { query: corrected, changes, instead: true }))
}

/// The match expression of token `i` as it stands in the whole query (the last word of a query
/// is a prefix), or of `instead` standing in its place.
fn token_expr(tokens: &[Vec<String>], i: usize, instead: Option<&[String]>, stems: &mut Stems) -> String {
    let mut all = Vec::new();
    let mut first = 0;
    let mut len = 0;
    for (k, words) in tokens.iter().enumerate() {
        let words = if k == i { instead.unwrap_or(words) } else { words };
        if k == i {
            first = all.len();
            len = words.len();
        }
        all.extend(words.iter().cloned());
    }
    word_terms(&all, stems)[first..first + len].join(" AND ")
}

/// A word of a product's title whose stem is `stem`, as the title writes it.
fn written(conn: &Connection, stem: &str, stems: &mut Stems) -> Result<Option<String>> {
    let mut stmt = conn.prepare_cached(
        "SELECT p.name, p.brand, p.model FROM products p WHERE p.rid = \
         (SELECT rowid FROM products_fts WHERE products_fts MATCH ?1 LIMIT 1)",
    )?;
    let title: Option<(String, String, String)> = stmt
        .query_row([format!("{{title}} : \"{stem}\"")], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .optional()?;
    let Some((name, brand, model)) = title else { return Ok(None) };
    for field in [model, brand, name] {
        for word in field.split(|c: char| !c.is_alphanumeric()).filter(|w| !w.is_empty()) {
            let lower = word.to_lowercase().replace('ё', "е");
            if stems.stem(&lower) == stem {
                return Ok(Some(word.to_string()));
            }
        }
    }
    Ok(None)
}

/// What a word that matches nothing most likely means, and how it was found.
fn meaning(
    conn: &Connection,
    memo: &Memo,
    word: &str,
    stems: &mut Stems,
) -> Result<Option<(String, ChangeKind)>> {
    let has_digit = word.chars().any(|c| c.is_ascii_digit());
    if has_digit || word.chars().count() < 2 {
        return Ok(None);
    }
    let letters = word.chars().count();
    if letters >= 3
        && let Some(brand) = brands(conn, memo)?.find(word)
    {
        return Ok(Some((brand.to_string(), ChangeKind::Alphabet)));
    }
    if typo::correctable(word) {
        let stem = stems.stem(word);
        let mut best: Option<(u64, String)> = None;
        for (neighbour, edit) in typo::neighbours(&stem) {
            if has_term(conn, &neighbour)? {
                let n = count(conn, &format!("\"{neighbour}\""), COUNT_TO)?;
                if best.as_ref().is_none_or(|(bn, _)| n > *bn)
                    && let Some(shown) = edit.apply(word)
                {
                    best = Some((n, shown));
                }
            }
        }
        if let Some((_, shown)) = best {
            return Ok(Some((shown, ChangeKind::Typo)));
        }
    }
    if letters >= 3 {
        let spellings = if word.chars().any(is_cyrillic) {
            translit::latin_spellings(word, SPELLINGS)
        } else {
            translit::cyrillic_spellings(word, SPELLINGS)
        };
        for spelling in spellings {
            let stem = stems.stem(&spelling);
            if stem.chars().count() >= 2 && has_term(conn, &stem)? {
                // Shown as the catalog writes it ("iPhone", not the "iphon" that was tried).
                let shown = written(conn, &stem, stems)?.unwrap_or(spelling);
                return Ok(Some((shown, ChangeKind::Alphabet)));
            }
        }
    }
    Ok(None)
}
