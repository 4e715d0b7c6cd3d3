//! The uniform record every reader yields: ordered source fields plus characteristics.
//!
//! A record keeps all of its text in one string and the fields as spans into it, so reading a
//! million rows costs one allocation per row at most (none when [`Record`] is reused through
//! [`RecordSource::read_into`](crate::RecordSource::read_into)).

use std::fmt;
use std::ops::Range;

/// Where a record starts in its file.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Location {
    /// 1-based physical line where the record starts (for spreadsheets: the sheet row number).
    pub line: u64,
    /// The record's own id when the format has one (YML `offer@id`, an `id` attribute in XML).
    pub id: Option<String>,
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "line {}", self.line)?;
        if let Some(id) = &self.id {
            write!(f, " (id {id})")?;
        }
        Ok(())
    }
}

/// A characteristic of a product: YML `<param name="Вес" unit="кг">1.2</param>`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Param<'a> {
    /// The characteristic's name as written by the supplier ("Цвет").
    pub name: &'a str,
    /// The unit, when the file gives one ("кг").
    pub unit: Option<&'a str>,
    /// The raw value ("1.2").
    pub value: &'a str,
}

#[derive(Debug, Clone, PartialEq, Eq)]
struct FieldSpan {
    key: Range<usize>,
    value: Range<usize>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
struct ParamSpan {
    name: Range<usize>,
    unit: Option<Range<usize>>,
    value: Range<usize>,
}

/// One row, offer or object of a supplier file: source field name → raw text, in file order.
///
/// Keys are the names used by the file itself: a column header, an XML element name
/// (`"price"`, nested as `"outlets/outlet"`), an attribute (`"@id"`, `"price@from"`), or a dotted
/// JSON path (`"stock.warehouse"`). A key may repeat (several `picture` elements, several values
/// of a JSON array). Values are the text as written, trimmed of surrounding whitespace for XML,
/// with entities and escapes resolved; nothing is normalised here.
#[derive(Clone, Default)]
pub struct Record {
    location: Location,
    text: String,
    fields: Vec<FieldSpan>,
    params: Vec<ParamSpan>,
    /// The buffer of a cleared id, reused by the next one.
    spare_id: String,
}

impl Record {
    /// An empty record.
    pub fn new() -> Self {
        Self::default()
    }

    /// Where the record starts.
    pub fn location(&self) -> &Location {
        &self.location
    }

    /// 1-based line (or sheet row) where the record starts.
    pub fn line(&self) -> u64 {
        self.location.line
    }

    /// The record's own id, if the format has one.
    pub fn id(&self) -> Option<&str> {
        self.location.id.as_deref()
    }

    /// All fields in file order.
    pub fn fields(&self) -> Fields<'_> {
        Fields { record: self, next: 0 }
    }

    /// The first value of `key`.
    pub fn get(&self, key: &str) -> Option<&str> {
        self.fields().find(|(k, _)| *k == key).map(|(_, v)| v)
    }

    /// Every value of `key`, in file order (several `picture`s, a JSON array).
    pub fn get_all<'a>(&'a self, key: &'a str) -> impl Iterator<Item = &'a str> + 'a {
        self.fields().filter(move |(k, _)| *k == key).map(|(_, v)| v)
    }

    /// Number of fields (counting repeated keys).
    pub fn field_count(&self) -> usize {
        self.fields.len()
    }

    /// The characteristics (`<param>` in YML), in file order.
    pub fn params(&self) -> impl ExactSizeIterator<Item = Param<'_>> + '_ {
        self.params.iter().map(|p| Param {
            name: &self.text[p.name.clone()],
            unit: p.unit.clone().map(|u| &self.text[u]),
            value: &self.text[p.value.clone()],
        })
    }

    /// Feeds everything the record says (its fields and characteristics, in order) to `h` in
    /// a few large writes: the text they point into, then where each one lies in it. The same
    /// row read twice always hashes alike; rows that differ in any field differ here too.
    pub fn hash_content(&self, h: &mut impl std::hash::Hasher) {
        h.write(self.text.as_bytes());
        let mut spans = SpanWriter::default();
        spans.push(h, self.fields.len() as u64);
        spans.push(h, self.params.len() as u64);
        for f in &self.fields {
            spans.push(h, ((f.key.start as u64) << 32) | f.key.end as u64);
            spans.push(h, ((f.value.start as u64) << 32) | f.value.end as u64);
        }
        for p in &self.params {
            spans.push(h, ((p.name.start as u64) << 32) | p.name.end as u64);
            spans.push(h, p.unit.as_ref().map_or(u64::MAX, |u| ((u.start as u64) << 32) | u.end as u64));
            spans.push(h, ((p.value.start as u64) << 32) | p.value.end as u64);
        }
        spans.flush(h);
    }

    /// True when the record has neither fields nor params.
    pub fn is_empty(&self) -> bool {
        self.fields.is_empty() && self.params.is_empty()
    }

    /// Owned copy of the fields, handy in tests and for storing raw supplier data.
    pub fn to_pairs(&self) -> Vec<(String, String)> {
        self.fields().map(|(k, v)| (k.to_owned(), v.to_owned())).collect()
    }

    /// Forgets the content but keeps the allocated buffers.
    pub fn clear(&mut self) {
        self.location.line = 0;
        if let Some(id) = self.location.id.take() {
            self.spare_id = id;
        }
        self.text.clear();
        self.fields.clear();
        self.params.clear();
    }

    /// Sets where the record starts.
    pub fn set_location(&mut self, line: u64, id: Option<&str>) {
        self.location.line = line;
        match (id, &mut self.location.id) {
            (Some(id), Some(old)) => {
                old.clear();
                old.push_str(id);
            }
            (Some(id), slot) => {
                let mut buf = std::mem::take(&mut self.spare_id);
                buf.clear();
                buf.push_str(id);
                *slot = Some(buf);
            }
            (None, slot) => {
                if let Some(old) = slot.take() {
                    self.spare_id = old;
                }
            }
        }
    }

    /// Sets where the record starts, its id being the first value of field `key`.
    pub(crate) fn set_location_from_field(&mut self, line: u64, key: &str) {
        self.location.line = line;
        let text = &self.text;
        let value = self.fields.iter().find(|f| &text[f.key.clone()] == key).map(|f| &text[f.value.clone()]);
        match (value, &mut self.location.id) {
            (Some(id), Some(old)) => {
                old.clear();
                old.push_str(id);
            }
            (Some(id), slot) => {
                let mut buf = std::mem::take(&mut self.spare_id);
                buf.clear();
                buf.push_str(id);
                *slot = Some(buf);
            }
            (None, slot) => {
                if let Some(old) = slot.take() {
                    self.spare_id = old;
                }
            }
        }
    }

    /// Appends a field.
    pub fn push_field(&mut self, key: &str, value: &str) {
        let key = self.push_text(key);
        let value = self.push_text(value);
        self.fields.push(FieldSpan { key, value });
    }

    /// Appends a field whose key is the concatenation of `key_parts`.
    #[cfg(test)]
    pub(crate) fn push_field_parts(&mut self, key_parts: &[&str], value: &str) {
        let start = self.text.len();
        for part in key_parts {
            self.text.push_str(part);
        }
        let key = start..self.text.len();
        let value = self.push_text(value);
        self.fields.push(FieldSpan { key, value });
    }

    /// Appends a field whose key is the concatenation of `key_parts` and whose value `write`
    /// appends to the text it is given.
    pub(crate) fn push_field_with(&mut self, key_parts: &[&str], write: impl FnOnce(&mut String)) {
        let start = self.text.len();
        for part in key_parts {
            self.text.push_str(part);
        }
        let key = start..self.text.len();
        let value_start = self.text.len();
        write(&mut self.text);
        self.fields.push(FieldSpan { key, value: value_start..self.text.len() });
    }

    /// Appends text that fields will point into ([`Record::push_field_at`]); returns where it is.
    pub(crate) fn append_text(&mut self, write: impl FnOnce(&mut String)) -> Range<usize> {
        let start = self.text.len();
        write(&mut self.text);
        start..self.text.len()
    }

    /// Appends a field whose value is text already appended with [`Record::append_text`].
    pub(crate) fn push_field_at(&mut self, key: &str, value: Range<usize>) {
        debug_assert!(self.text.get(value.clone()).is_some());
        let key = self.push_text(key);
        self.fields.push(FieldSpan { key, value });
    }

    /// Appends a characteristic.
    pub fn push_param(&mut self, name: &str, unit: Option<&str>, value: &str) {
        let name = self.push_text(name);
        let unit = unit.map(|u| self.push_text(u));
        let value = self.push_text(value);
        self.params.push(ParamSpan { name, unit, value });
    }

    fn push_text(&mut self, s: &str) -> Range<usize> {
        let start = self.text.len();
        self.text.push_str(s);
        start..self.text.len()
    }
}

impl PartialEq for Record {
    fn eq(&self, other: &Self) -> bool {
        self.location == other.location
            && self.fields().eq(other.fields())
            && self.params().eq(other.params())
    }
}

impl Eq for Record {}

impl fmt::Debug for Record {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut s = f.debug_struct("Record");
        s.field("location", &self.location);
        s.field("fields", &self.fields().collect::<Vec<_>>());
        if !self.params.is_empty() {
            s.field("params", &self.params().collect::<Vec<_>>());
        }
        s.finish()
    }
}

/// Iterator over a record's `(key, value)` pairs.
#[derive(Debug, Clone)]
pub struct Fields<'a> {
    record: &'a Record,
    next: usize,
}

impl<'a> Iterator for Fields<'a> {
    type Item = (&'a str, &'a str);

    fn next(&mut self) -> Option<Self::Item> {
        let span = self.record.fields.get(self.next)?;
        self.next += 1;
        let text = &self.record.text;
        Some((&text[span.key.clone()], &text[span.value.clone()]))
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        let left = self.record.fields.len() - self.next;
        (left, Some(left))
    }
}

impl ExactSizeIterator for Fields<'_> {}

/// Collects span boundaries to hand a hasher in blocks rather than eight bytes at a time.
struct SpanWriter {
    buf: [u8; 256],
    len: usize,
}

impl Default for SpanWriter {
    fn default() -> Self {
        SpanWriter { buf: [0; 256], len: 0 }
    }
}

impl SpanWriter {
    fn push(&mut self, h: &mut impl std::hash::Hasher, v: u64) {
        if self.len + 8 > self.buf.len() {
            self.flush(h);
        }
        self.buf[self.len..self.len + 8].copy_from_slice(&v.to_le_bytes());
        self.len += 8;
    }

    fn flush(&mut self, h: &mut impl std::hash::Hasher) {
        h.write(&self.buf[..self.len]);
        self.len = 0;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn content_hash_follows_every_field_and_characteristic() {
        let hash = |r: &Record| {
            let mut h = std::collections::hash_map::DefaultHasher::new();
            r.hash_content(&mut h);
            std::hash::Hasher::finish(&h)
        };
        let make = |price: &str, unit: Option<&str>| {
            let mut r = Record::new();
            r.push_field("name", "Кроссовки");
            r.push_field("price", price);
            r.push_param("Вес", unit, "1.2");
            r
        };
        assert_eq!(hash(&make("100", Some("кг"))), hash(&make("100", Some("кг"))));
        assert_ne!(hash(&make("100", Some("кг"))), hash(&make("101", Some("кг"))));
        assert_ne!(hash(&make("100", Some(""))), hash(&make("100", None)));
        // Text moved from one field to the next is a different row.
        let mut a = Record::new();
        a.push_field("a", "xy");
        a.push_field("b", "z");
        let mut b = Record::new();
        b.push_field("a", "x");
        b.push_field("b", "yz");
        assert_ne!(hash(&a), hash(&b));
    }

    #[test]
    fn fields_keep_order_and_repeats() {
        let mut r = Record::new();
        r.push_field("picture", "a.jpg");
        r.push_field("name", "Кроссовки");
        r.push_field("picture", "b.jpg");
        r.push_field_parts(&["outlets/outlet", "@", "instock"], "5");
        r.push_param("Вес", Some("кг"), "1.2");
        assert_eq!(r.get("name"), Some("Кроссовки"));
        assert_eq!(r.get_all("picture").collect::<Vec<_>>(), ["a.jpg", "b.jpg"]);
        assert_eq!(r.get("outlets/outlet@instock"), Some("5"));
        assert_eq!(r.get("missing"), None);
        assert_eq!(r.field_count(), 4);
        let p: Vec<_> = r.params().collect();
        assert_eq!(p, [Param { name: "Вес", unit: Some("кг"), value: "1.2" }]);
    }

    #[test]
    fn clear_keeps_nothing_visible() {
        let mut r = Record::new();
        r.set_location(7, Some("A1"));
        r.push_field("a", "b");
        r.push_param("p", None, "v");
        r.clear();
        assert!(r.is_empty());
        assert_eq!(r.line(), 0);
        assert_eq!(r.id(), None);
        r.set_location(9, Some("B2"));
        assert_eq!(r.location().to_string(), "line 9 (id B2)");
    }

    #[test]
    fn equality_ignores_buffer_layout() {
        let mut a = Record::new();
        a.push_field_parts(&["x", "/", "y"], "1");
        let mut b = Record::new();
        b.push_field("x/y", "1");
        assert_eq!(a, b);
        b.push_field("z", "");
        assert_ne!(a, b);
    }
}
