//! One row of the export query into an [`ExportRow`], reusing the row's buffers: a pass over a
//! million products allocates nothing per row once the buffers have grown to fit.

use std::borrow::Cow;
use std::fmt;

use rusqlite::types::ValueRef;
use serde::de::{DeserializeSeed, SeqAccess, Visitor};
use serde::{Deserialize, Deserializer};
use vitrina_domain::Attribute;

use super::ExportRow;

pub(super) fn read_row(r: &rusqlite::Row<'_>, row: &mut ExportRow) -> rusqlite::Result<()> {
    row.rid = r.get(0)?;
    text_into(r, 1, &mut row.sku)?;
    text_into(r, 2, &mut row.name)?;
    text_into(r, 3, &mut row.description)?;
    text_into(r, 4, &mut row.brand)?;
    text_into(r, 5, &mut row.model)?;
    row.category = r.get::<_, Option<i64>>(6)?.map(|c| c as u64);
    row.group = r.get::<_, Option<i64>>(7)?.map(|g| g as u64);
    text_into(r, 8, &mut row.currency)?;
    row.price = r.get(9)?;
    row.old_price = r.get(10)?;
    row.stock = r.get(11)?;
    text_into(r, 12, &mut row.status)?;
    row.weight_g = r.get(13)?;
    row.dimensions_mm =
        match (r.get::<_, Option<u32>>(14)?, r.get::<_, Option<u32>>(15)?, r.get::<_, Option<u32>>(16)?) {
            (Some(l), Some(w), Some(h)) => Some([l, w, h]),
            _ => None,
        };
    read_attributes(&column_text(r, 17)?, &mut row.attributes);
    fill_list(&mut row.images, column_text(r, 18)?.lines());
    fill_list(&mut row.barcodes, column_text(r, 19)?.split(','));
    row.id = vitrina_domain::ProductId::from_bytes(r.get(20)?);
    row.updated_at = r.get(21)?;
    Ok(())
}

/// Column `i` as text; empty when NULL or not text.
fn column_text<'r>(r: &'r rusqlite::Row<'_>, i: usize) -> rusqlite::Result<Cow<'r, str>> {
    Ok(match r.get_ref(i)? {
        ValueRef::Text(t) => text(t),
        _ => Cow::Borrowed(""),
    })
}

fn text_into(r: &rusqlite::Row<'_>, i: usize, out: &mut String) -> rusqlite::Result<()> {
    out.clear();
    out.push_str(&column_text(r, i)?);
    Ok(())
}

/// `out` made the non-empty `items`, its strings reused.
fn fill_list<'a>(out: &mut Vec<String>, items: impl Iterator<Item = &'a str>) {
    let mut n = 0;
    for item in items.filter(|i| !i.is_empty()) {
        match out.get_mut(n) {
            Some(slot) => {
                slot.clear();
                slot.push_str(item);
            }
            None => {
                let mut s = reused();
                s.push_str(item);
                out.push(s);
            }
        }
        n += 1;
    }
    truncate_keeping(out, n);
}

/// SQLite text as `str`: checked with SIMD (the catalog only ever stores UTF-8, and the standard
/// check was a quarter of an export's reading), replaced where broken rather than failing a row.
fn text(bytes: &[u8]) -> Cow<'_, str> {
    match simdutf8::basic::from_utf8(bytes) {
        Ok(s) => Cow::Borrowed(s),
        Err(_) => String::from_utf8_lossy(bytes),
    }
}

/// The characteristics' JSON (`[{"name":…,"value":…,"unit":…}]`) into `out`, its strings
/// reused; text without escapes is never copied twice. Broken JSON leaves no characteristics.
pub(super) fn read_attributes(json: &str, out: &mut Vec<Attribute>) {
    if json.is_empty() || json == "[]" {
        truncate_attributes(out, 0);
        return;
    }
    if parse_attributes(json, out).is_none() {
        // Not the shape the catalog writes (whitespace, keys in another order…): the general
        // parser reads it, or nothing does.
        let mut de = serde_json::Deserializer::from_str(json);
        if IntoAttributes(out).deserialize(&mut de).is_err() {
            truncate_attributes(out, 0);
        }
    }
}

/// The characteristics as the catalog writes them — `[{"name":"…","value":"…","unit":null},…]`,
/// no whitespace, keys in that order (serde's output for [`Attribute`]) — read straight into
/// `out`; `None` for anything else. A fifth of a million-row export's reading went into a
/// general JSON parser before.
fn parse_attributes(json: &str, out: &mut Vec<Attribute>) -> Option<()> {
    let mut rest = json.strip_prefix('[')?;
    let mut n = 0;
    loop {
        if n == out.len() {
            out.push(Attribute { name: reused(), value: reused(), unit: None });
        }
        let slot = &mut out[n];
        rest = json_string(rest.strip_prefix("{\"name\":")?, &mut slot.name)?;
        rest = json_string(rest.strip_prefix(",\"value\":")?, &mut slot.value)?;
        rest = rest.strip_prefix(",\"unit\":")?;
        rest = match rest.strip_prefix("null") {
            Some(after) => {
                if let Some(unit) = slot.unit.take() {
                    spare(unit);
                }
                after
            }
            None => json_string(rest, slot.unit.get_or_insert_with(reused))?,
        };
        rest = rest.strip_prefix('}')?;
        n += 1;
        match rest.as_bytes().first()? {
            b',' => rest = &rest[1..],
            b']' if rest.len() == 1 => break,
            _ => return None,
        }
    }
    truncate_attributes(out, n);
    Some(())
}

thread_local! {
    /// Strings of list items and units a row no longer needs, for the next row that needs more:
    /// lists grow and shrink from row to row, and each string would otherwise cost an
    /// allocation and a free.
    static SPARE: std::cell::RefCell<Vec<String>> = const { std::cell::RefCell::new(Vec::new()) };
}

/// Keeps `s` for reuse (up to a bound).
fn spare(s: String) {
    SPARE.with_borrow_mut(|spare| {
        if spare.len() < 1024 {
            spare.push(s);
        }
    });
}

/// An empty string, with room from an earlier row when there is one.
fn reused() -> String {
    let mut s = SPARE.with_borrow_mut(|spare| spare.pop()).unwrap_or_default();
    s.clear();
    s
}

/// `v` cut to `n` items, their strings kept for reuse.
fn truncate_keeping(v: &mut Vec<String>, n: usize) {
    if v.len() > n {
        v.drain(n..).for_each(spare);
    }
}

/// `v` cut to `n` characteristics, their strings kept for reuse.
fn truncate_attributes(v: &mut Vec<Attribute>, n: usize) {
    if v.len() > n {
        for a in v.drain(n..) {
            spare(a.name);
            spare(a.value);
            if let Some(unit) = a.unit {
                spare(unit);
            }
        }
    }
}

/// A JSON string at the start of `s` decoded into `out`; what follows it.
fn json_string<'a>(s: &'a str, out: &mut String) -> Option<&'a str> {
    out.clear();
    let mut rest = s.strip_prefix('"')?;
    loop {
        let at = memchr::memchr2(b'"', b'\\', rest.as_bytes())?;
        out.push_str(&rest[..at]);
        if rest.as_bytes()[at] == b'"' {
            return Some(&rest[at + 1..]);
        }
        let escape = rest.as_bytes().get(at + 1)?;
        rest = &rest[at + 2..];
        match escape {
            b'"' => out.push('"'),
            b'\\' => out.push('\\'),
            b'/' => out.push('/'),
            b'b' => out.push('\u{8}'),
            b'f' => out.push('\u{c}'),
            b'n' => out.push('\n'),
            b'r' => out.push('\r'),
            b't' => out.push('\t'),
            b'u' => {
                let (unit, after) = hex4(rest)?;
                rest = after;
                let c = if (0xD800..0xDC00).contains(&unit) {
                    let (low, after) = hex4(rest.strip_prefix("\\u")?)?;
                    rest = after;
                    if !(0xDC00..0xE000).contains(&low) {
                        return None;
                    }
                    char::from_u32(0x10000 + ((unit - 0xD800) << 10) + (low - 0xDC00))?
                } else {
                    char::from_u32(unit)?
                };
                out.push(c);
            }
            _ => return None,
        }
    }
}

fn hex4(s: &str) -> Option<(u32, &str)> {
    let digits = s.get(..4)?;
    Some((u32::from_str_radix(digits, 16).ok()?, &s[4..]))
}

/// An [`Attribute`] borrowed from the JSON text.
#[derive(Deserialize)]
struct Borrowed<'a> {
    #[serde(borrow)]
    name: Cow<'a, str>,
    #[serde(borrow)]
    value: Cow<'a, str>,
    #[serde(borrow, default)]
    unit: Option<Cow<'a, str>>,
}

struct IntoAttributes<'v>(&'v mut Vec<Attribute>);

impl<'de> DeserializeSeed<'de> for IntoAttributes<'_> {
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_seq(self)
    }
}

impl<'de> Visitor<'de> for IntoAttributes<'_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a list of characteristics")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        let out = self.0;
        let mut n = 0;
        while let Some(a) = seq.next_element::<Borrowed<'de>>()? {
            if n == out.len() {
                out.push(Attribute { name: String::new(), value: String::new(), unit: None });
            }
            let slot = &mut out[n];
            slot.name.clear();
            slot.name.push_str(&a.name);
            slot.value.clear();
            slot.value.push_str(&a.value);
            match (a.unit, &mut slot.unit) {
                (Some(unit), Some(kept)) => {
                    kept.clear();
                    kept.push_str(&unit);
                }
                (unit, kept) => *kept = unit.map(Cow::into_owned),
            }
            n += 1;
        }
        truncate_attributes(out, n);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn attr(name: &str, value: &str, unit: Option<&str>) -> Attribute {
        Attribute { name: name.into(), value: value.into(), unit: unit.map(Into::into) }
    }

    #[test]
    fn characteristics_are_read_into_the_buffers_already_there() {
        let first = vec![attr("Цвет", "красный", None), attr("Вес", "350", Some("г")), attr("x", "y", None)];
        let mut out = Vec::new();
        read_attributes(&serde_json::to_string(&first).unwrap(), &mut out);
        assert_eq!(out, first);
        // Fewer, with escapes, a unit gained and one lost: exactly the new list.
        let second = vec![attr("Вес", "1", None), attr("Имя \"в кавычках\"\n", "a\\b", Some("кг"))];
        read_attributes(&serde_json::to_string(&second).unwrap(), &mut out);
        assert_eq!(out, second);
        read_attributes("[]", &mut out);
        assert!(out.is_empty());
        read_attributes(&serde_json::to_string(&first).unwrap(), &mut out);
        read_attributes("[{\"name\": 1}]", &mut out);
        assert!(out.is_empty(), "broken JSON leaves no characteristics");
        // The general parser takes what the fast one does not: spaces, another key order, no unit.
        read_attributes("[ {\"value\": \"v\", \"name\": \"n\"} ]", &mut out);
        assert_eq!(out, [attr("n", "v", None)]);
        for broken in [
            "[",
            "[{\"name\":\"a\",\"value\":\"b\",\"unit\":null}",
            "[{\"name\":\"a\\x\",\"value\":\"b\",\"unit\":null}]",
        ] {
            read_attributes(broken, &mut out);
            assert!(out.is_empty(), "{broken}");
        }
    }

    #[test]
    fn the_fast_reader_agrees_with_serde_on_every_escape() {
        let tricky = ["\"", "\\", "/", "\u{8}\u{c}\n\r\t", "\u{1}\u{1f}", "Ё😀", "\u{2028}", ""];
        let list: Vec<Attribute> = tricky
            .iter()
            .enumerate()
            .map(|(i, t)| attr(&format!("{t}{i}"), t, (i % 2 == 0).then_some(*t)))
            .collect();
        let json = serde_json::to_string(&list).unwrap();
        let mut out = Vec::new();
        assert!(parse_attributes(&json, &mut out).is_some(), "{json}");
        assert_eq!(out, list);
        // Escapes serde does not write but JSON allows.
        let mut out = Vec::new();
        parse_attributes(r#"[{"name":"\u0416\ud83d\ude00\/","value":"x","unit":null}]"#, &mut out).unwrap();
        assert_eq!(out, [attr("Ж😀/", "x", None)]);
    }

    #[test]
    fn lists_reuse_their_strings_and_skip_empty_items() {
        let mut out = vec!["old".to_string(); 5];
        fill_list(&mut out, "a\n\nb\n".lines());
        assert_eq!(out, ["a", "b"]);
        fill_list(&mut out, "".split(','));
        assert!(out.is_empty());
        // Strings given back are reused empty: a longer list after a shorter one is exact.
        fill_list(&mut out, "https://a/1.jpg\nhttps://a/2.jpg\nhttps://a/3.jpg".lines());
        fill_list(&mut out, "https://b/1.jpg".lines());
        fill_list(&mut out, "https://c/1.jpg\nhttps://c/2.jpg\nhttps://c/3.jpg\nhttps://c/4.jpg".lines());
        assert_eq!(out, ["https://c/1.jpg", "https://c/2.jpg", "https://c/3.jpg", "https://c/4.jpg"]);
    }
}
