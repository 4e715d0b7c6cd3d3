//! The catalog's own words, as corrections need them: the terms of the search index (is this
//! stem there, in how many products) and the brands (to recognise "найк" as Nike).
//!
//! Terms are looked up in the FTS index itself, one match query each: a term the index lacks
//! is answered in about ten microseconds, a term it has without reading its products. Nothing
//! is stored beside the index, so imports and edits pay nothing for corrections.
//!
//! Brands come from the brand index by one seek per distinct brand, and are kept with the
//! readings of each brand word until the catalog changes (`memo.rs`).

use std::collections::HashMap;
use std::sync::Arc;

use rusqlite::{Connection, OptionalExtension};

use super::stem::words;
use super::translit::{skeleton, sound_distance, sounds};
use crate::error::Result;
use crate::memo::Memo;

/// Brands read from a catalog at most (a catalog of a million products has a few thousand).
const MAX_BRANDS: usize = 20_000;
/// Readings kept per Latin brand word.
const READINGS: usize = 48;

/// Whether any product matches a match expression.
pub(crate) fn any(conn: &Connection, expr: &str) -> Result<bool> {
    if let Some(set) = from_pages(conn, expr)? {
        return Ok(set.len() > 0);
    }
    Ok(conn
        .prepare_cached("SELECT 1 FROM products_fts WHERE products_fts MATCH ?1 LIMIT 1")?
        .query_row([expr], |_| Ok(()))
        .optional()?
        .is_some())
}

/// Products matching a match expression, counted up to `cap`.
pub(crate) fn count(conn: &Connection, expr: &str, cap: u64) -> Result<u64> {
    if let Some(set) = from_pages(conn, expr)? {
        return Ok(set.len().min(cap));
    }
    let n: i64 = conn
        .prepare_cached(
            "SELECT count(*) FROM (SELECT 1 FROM products_fts WHERE products_fts MATCH ?1 LIMIT ?2)",
        )?
        .query_row(rusqlite::params![expr, cap.min(i64::MAX as u64) as i64], |r| r.get(0))?;
    Ok(n as u64)
}

/// The matches of an expression with a prefix read from the index's pages (`postings.rs`):
/// FTS5 merges every term under a prefix before it answers even `LIMIT 1` ("a"*: 59 ms on the
/// 1M benchmark, 4 ms from the pages). Whole terms it answers at once; `None` leaves them, and
/// what the pages cannot answer, to FTS5.
fn from_pages(conn: &Connection, expr: &str) -> Result<Option<super::postings::RidSet>> {
    if !expr.contains("\"*") {
        return Ok(None);
    }
    super::postings::matching(conn, expr)
}

/// Whether the index holds `stem` as a whole term.
pub(crate) fn has_term(conn: &Connection, stem: &str) -> Result<bool> {
    any(conn, &format!("\"{stem}\""))
}

/// A brand word and how it can sound.
#[derive(Debug)]
struct BrandWord {
    /// As the catalog writes it: "Nike", "L'Oreal".
    text: String,
    sounds: Vec<String>,
}

/// The catalog's brand words by the consonants of their readings.
#[derive(Debug, Default)]
pub(crate) struct Brands {
    words: Vec<BrandWord>,
    by_skeleton: HashMap<String, Vec<usize>>,
}

impl Brands {
    fn new(brands: &[String]) -> Self {
        let mut out = Brands::default();
        let mut seen = std::collections::HashSet::new();
        for brand in brands {
            for token in brand.split_whitespace() {
                let parts: Vec<String> = words(token).collect();
                // "L'Oreal" is the words "l" and "oreal", and is written "лореаль".
                let mut forms: Vec<String> = parts.clone();
                if parts.len() > 1 {
                    forms.push(parts.concat());
                }
                for form in forms {
                    let letters = form.chars().count();
                    if letters < 2 || form.chars().any(|c| c.is_ascii_digit()) || !seen.insert(form.clone()) {
                        continue;
                    }
                    let text = if parts.len() > 1 && form == parts.concat() {
                        token.to_string()
                    } else {
                        original_case(token, &form)
                    };
                    let sounds = sounds(&form, READINGS);
                    let i = out.words.len();
                    for s in &sounds {
                        let key = skeleton(s);
                        let list = out.by_skeleton.entry(key).or_default();
                        if list.last() != Some(&i) {
                            list.push(i);
                        }
                    }
                    out.words.push(BrandWord { text, sounds });
                }
            }
        }
        out
    }

    /// The brand word that `word` (in the other alphabet) most likely means.
    pub(crate) fn find(&self, word: &str) -> Option<&str> {
        let cyrillic = word.chars().any(super::stem::is_cyrillic);
        let mine = sounds(word, READINGS);
        let mut best: Option<(usize, usize)> = None;
        for s in &mine {
            for &i in self.by_skeleton.get(&skeleton(s)).map(Vec::as_slice).unwrap_or_default() {
                let w = &self.words[i];
                // Only across alphabets: a Latin word near a Latin brand is a typo, not this.
                if w.text.chars().any(super::stem::is_cyrillic) == cyrillic {
                    continue;
                }
                if let Some(d) = w.sounds.iter().filter_map(|t| sound_distance(s, t)).min()
                    && best.is_none_or(|(bd, _)| d < bd)
                {
                    best = Some((d, i));
                }
            }
        }
        best.map(|(_, i)| self.words[i].text.as_str())
    }
}

/// `lower` (a lower-cased word of `token`) as `token` writes it.
fn original_case(token: &str, lower: &str) -> String {
    let chars: Vec<char> = token.chars().collect();
    let n = lower.chars().count();
    for start in 0..chars.len() {
        let piece: String = chars[start..].iter().take(n).collect();
        if piece.to_lowercase().replace('ё', "е") == lower {
            return piece;
        }
    }
    lower.to_string()
}

/// The catalog's brands, read again when anything was committed since they were read.
pub(crate) fn brands(conn: &Connection, memo: &Memo) -> Result<Arc<Brands>> {
    memo.refresh(conn)?;
    if let Some(b) = memo.brands.borrow().as_ref() {
        return Ok(b.clone());
    }
    // One seek per distinct brand (the brand index), not a walk of every product.
    let mut stmt = conn.prepare_cached(
        "WITH RECURSIVE b(brand) AS (
             SELECT min(brand) FROM products WHERE brand > ''
             UNION ALL
             SELECT (SELECT min(brand) FROM products WHERE brand > b.brand) FROM b WHERE b.brand IS NOT NULL
         )
         SELECT brand FROM b WHERE brand IS NOT NULL LIMIT ?1",
    )?;
    let list: Vec<String> =
        stmt.query_map([MAX_BRANDS as i64], |r| r.get(0))?.collect::<rusqlite::Result<_>>()?;
    let brands = Arc::new(Brands::new(&list));
    *memo.brands.borrow_mut() = Some(brands.clone());
    Ok(brands)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A prefix's matches are counted from the index's pages, the same as FTS5 counts them.
    #[test]
    fn a_prefix_is_counted_from_the_pages_as_fts5_counts_it() {
        let dir = tempfile::tempdir().unwrap();
        let mut c = crate::Catalog::open(dir.path().join("c.db")).unwrap();
        for i in 0..120 {
            let name = format!("{} {}", ["Утюг", "Утка", "Чайник"][i % 3], i);
            let p = vitrina_domain::Product::new(vitrina_domain::ProductDraft {
                sku: format!("S{i}"),
                name,
                price: vitrina_domain::Money::rub(10),
            })
            .unwrap();
            c.create_product(&p).unwrap();
        }
        let conn = c.db();
        for expr in ["\"ут\"*", "\"утюг\"*", "\"ут\"* AND \"1\"*", "\"нет\"*"] {
            assert!(from_pages(conn, expr).unwrap().is_some(), "{expr}");
            for cap in [0, 7, 1000] {
                let fts: i64 = conn
                    .query_row(
                        "SELECT count(*) FROM (SELECT 1 FROM products_fts WHERE products_fts MATCH ?1 LIMIT ?2)",
                        rusqlite::params![expr, cap],
                        |r| r.get(0),
                    )
                    .unwrap();
                assert_eq!(count(conn, expr, cap as u64).unwrap(), fts as u64, "{expr} cap {cap}");
            }
            assert_eq!(any(conn, expr).unwrap(), count(conn, expr, 1).unwrap() == 1);
        }
        assert_eq!(count(conn, "\"ут\"*", 1000).unwrap(), 80);
        assert!(from_pages(conn, "\"утюг\"").unwrap().is_none(), "whole terms: FTS5");
    }

    #[test]
    fn finds_brands_written_in_the_other_alphabet() {
        let brands = Brands::new(
            &[
                "Nike",
                "Adidas",
                "Samsung",
                "L'Oreal Paris",
                "Head & Shoulders",
                "Атлант",
                "Интерскол",
                "Нева Металл Посуда",
                "Nokia",
                "HP",
            ]
            .map(String::from),
        );
        for (typed, brand) in [
            ("найк", Some("Nike")),
            ("адидас", Some("Adidas")),
            ("самсунг", Some("Samsung")),
            ("лореаль", Some("L'Oreal")),
            ("шолдерс", Some("Shoulders")),
            ("нокиа", Some("Nokia")),
            ("atlant", Some("Атлант")),
            ("interskol", Some("Интерскол")),
            ("metall", Some("Металл")),
            ("кроссовки", None),
            ("nike", None),
            ("холодильник", None),
        ] {
            assert_eq!(brands.find(typed), brand, "{typed}");
        }
    }
}
