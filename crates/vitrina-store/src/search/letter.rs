//! A query of one letter: the products with a word starting with it, shown as the first key is
//! pressed.
//!
//! FTS5 answers a one-letter prefix by merging the product lists of every term that starts
//! with the letter; on a million products `"к"*` takes about 80 ms before anything is counted.
//! But a common letter starts a title word of a good share of products, so the newest thousand
//! such products are found by reading the newest few thousand titles and testing their words,
//! in a few milliseconds. A letter that starts few title words is rare in the index too, and
//! FTS5 answers it cheaply.

use rusqlite::Connection;

use super::stem::each_word;
use crate::error::Result;

/// Newest products whose titles are read before leaving a letter to FTS5.
pub(crate) const WALK_ROWS: i64 = 20_000;
const CHUNK: i64 = 2_000;

/// Whether any word of these title fields (name, brand, model, SKU) starts with `letter`
/// (lower case, "ё" read as "е": as the search index's words are).
pub(crate) fn title_has_initial(fields: &[&str], letter: char) -> bool {
    let mut word = String::new();
    let mut found = false;
    for field in fields {
        // Markup is split as the index splits it; plain text by its word starts alone.
        if field.contains(['<', '&']) {
            each_word(field, &mut word, |w| found |= w.starts_with(letter));
        } else {
            found = starts_a_word(field, letter);
        }
        if found {
            return true;
        }
    }
    false
}

/// Whether a word of a lower-cased name starts with `letter` (lower case, "ё" read as "е"):
/// [`title_has_initial`] for one field, by finding the letter's occurrences (a walk tests
/// every entry it reads, hundreds of thousands for a letter rare in the list).
pub(crate) fn name_has_initial(name: &str, letter: char) -> bool {
    if name.contains(['<', '&']) {
        return title_has_initial(&[name], letter);
    }
    let starts = |l: char| {
        name.match_indices(l).any(|(i, _)| name[..i].chars().next_back().is_none_or(|c| !is_word_char(c)))
    };
    starts(letter) || (letter == 'е' && starts('ё'))
}

fn is_word_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || (!c.is_ascii() && c.is_alphanumeric())
}

/// Whether a word of plain `text` starts with `letter` (lower case, "ё" read as "е").
fn starts_a_word(text: &str, letter: char) -> bool {
    let mut in_word = false;
    for c in text.chars() {
        let alnum = is_word_char(c);
        if alnum && !in_word {
            let lower =
                if c.is_ascii() { c.to_ascii_lowercase() } else { c.to_lowercase().next().unwrap_or(c) };
            if lower == letter || (lower == 'ё' && letter == 'е') {
                return true;
            }
        }
        in_word = alnum;
    }
    false
}

/// The rids of the newest `want` products with a title word starting with `letter`, newest
/// first, when that many are among the newest [`WALK_ROWS`] products; `None` when they are not
/// (a rare letter, a small catalog), for the search index to answer.
pub(crate) fn newest_with_initial(conn: &Connection, letter: char, want: usize) -> Result<Option<Vec<i64>>> {
    let mut stmt = conn.prepare_cached(
        "SELECT rid, name, brand, model, sku FROM products WHERE rid < ?1 ORDER BY rid DESC LIMIT ?2",
    )?;
    let mut found = Vec::with_capacity(want);
    let mut before = i64::MAX;
    let mut walked = 0;
    while walked < WALK_ROWS {
        let mut rows = stmt.query(rusqlite::params![before, CHUNK])?;
        let mut read = 0;
        while let Some(r) = rows.next()? {
            read += 1;
            let rid: i64 = r.get(0)?;
            before = rid;
            // The four columns are NOT NULL text.
            let field =
                |i: usize| -> rusqlite::Result<&str> { Ok(r.get_ref(i)?.as_str().unwrap_or_default()) };
            let fields: [&str; 4] = [field(1)?, field(2)?, field(3)?, field(4)?];
            if title_has_initial(&fields, letter) {
                found.push(rid);
                if found.len() == want {
                    return Ok(Some(found));
                }
            }
        }
        if read < CHUNK {
            return Ok(None); // the whole catalog was read: a small one, FTS5 answers it.
        }
        walked += read;
    }
    Ok(None)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_title_word_starting_with_the_letter_counts() {
        assert!(title_has_initial(&["Кроссовки мужские", "Nike", "Air Max 90", "NI-1"], 'к'));
        assert!(title_has_initial(&["Кроссовки мужские", "Nike", "Air Max 90", "NI-1"], 'n'));
        assert!(title_has_initial(&["Ёлка", "", "", ""], 'е'));
        assert!(!title_has_initial(&["Кроссовки мужские", "Nike", "Air Max 90", "NI-1"], 'x'));
        assert!(!title_has_initial(&["Шампунь <b>для</b> волос", "", "", ""], 'b'), "markup is no word");
    }

    #[test]
    fn a_name_word_starting_with_the_letter_counts_as_the_title_test_would() {
        for name in [
            "кроссовки мужские nike air max 90",
            "дрель-шуруповерт аккумуляторная bosch gsr 120-li, 12 в",
            "ёлка искусственная (150 см)",
            "шампунь <b>для</b> волос",
            "мёд",
            "",
            "4к-телевизор",
        ] {
            for letter in ['к', 'м', 'n', 'a', 'ш', 'в', 'е', 'с', 'l', 'b', 'д', 'и', 'з'] {
                assert_eq!(
                    name_has_initial(name, letter),
                    title_has_initial(&[name], letter),
                    "{name:?} {letter:?}"
                );
            }
        }
    }
}
