//! JSON: the objects of an array at a dotted path (`"data.items"`; empty = the top-level
//! array), or of a JSON Lines file, each become a [`Record`].
//!
//! Nested objects are flattened with dotted keys (`"stock.warehouse"`), arrays of scalars become
//! repeated keys (several `"images"`), objects inside arrays are flattened under the array's key
//! (`"variants.sku"` once per variant), `null` is left out. Numbers keep their exact text
//! (`19.90` stays `19.90`, big ids do not lose digits). A small pull parser reads the stream so
//! memory stays flat; without a path, the first array of objects in the document is used.

use std::io::{BufRead, Read};

use crate::RecordSource;
use crate::encoding::{self, Encoding, Rest, TextReader};
use crate::error::{FormatError, ReadError, RowError, RowProblem};
use crate::record::Record;
use crate::settings::{Notice, Settings};
use crate::sniff::Format;

/// Objects nested deeper than this are refused (a guard against hostile files).
const MAX_DEPTH: usize = 128;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Tok {
    ObjStart,
    ObjEnd,
    ArrStart,
    ArrEnd,
    Colon,
    Comma,
    Str,
    Num,
    True,
    False,
    Null,
    Eof,
}

/// Tokens over decoded text; string and number text lands in `text`.
struct Lexer<R: Read> {
    src: TextReader<Rest<R>>,
    bytes: Vec<u8>,
    text: String,
    line: u64,
}

impl<R: Read> Lexer<R> {
    fn malformed(&self, reason: impl Into<String>) -> FormatError {
        FormatError::Malformed { line: self.line, reason: reason.into() }
    }

    fn truncated(&self) -> FormatError {
        FormatError::Truncated { line: self.src.line() }
    }

    fn peek(&mut self) -> Result<Option<u8>, FormatError> {
        Ok(self.src.fill_buf()?.first().copied())
    }

    fn skip_whitespace(&mut self) -> Result<(), FormatError> {
        loop {
            let buf = self.src.fill_buf()?;
            let n = buf.iter().take_while(|b| b.is_ascii_whitespace()).count();
            let all = n == buf.len();
            self.src.consume(n);
            if !all || n == 0 {
                return Ok(());
            }
        }
    }

    fn next(&mut self) -> Result<Tok, FormatError> {
        self.skip_whitespace()?;
        self.line = self.src.line();
        let Some(b) = self.peek()? else { return Ok(Tok::Eof) };
        let single = match b {
            b'{' => Some(Tok::ObjStart),
            b'}' => Some(Tok::ObjEnd),
            b'[' => Some(Tok::ArrStart),
            b']' => Some(Tok::ArrEnd),
            b':' => Some(Tok::Colon),
            b',' => Some(Tok::Comma),
            _ => None,
        };
        if let Some(tok) = single {
            self.src.consume(1);
            return Ok(tok);
        }
        match b {
            b'"' => self.string().map(|()| Tok::Str),
            b'-' | b'0'..=b'9' => self.number().map(|()| Tok::Num),
            b't' => self.literal(b"true", Tok::True),
            b'f' => self.literal(b"false", Tok::False),
            b'n' => self.literal(b"null", Tok::Null),
            other => Err(self.malformed(format!("unexpected character {:?}", char::from(other)))),
        }
    }

    fn literal(&mut self, word: &[u8], tok: Tok) -> Result<Tok, FormatError> {
        for expected in word {
            match self.peek()? {
                Some(b) if b == *expected => self.src.consume(1),
                Some(_) => return Err(self.malformed("a word that is not true, false or null")),
                None => return Err(self.truncated()),
            }
        }
        Ok(tok)
    }

    fn number(&mut self) -> Result<(), FormatError> {
        self.text.clear();
        while let Some(b) = self.peek()? {
            if !matches!(b, b'0'..=b'9' | b'-' | b'+' | b'.' | b'e' | b'E') {
                break;
            }
            self.text.push(char::from(b));
            self.src.consume(1);
        }
        if !self.text.bytes().any(|b| b.is_ascii_digit()) {
            return Err(self.malformed(format!("\"{}\" is not a number", self.text)));
        }
        Ok(())
    }

    fn string(&mut self) -> Result<(), FormatError> {
        self.src.consume(1); // opening quote
        self.bytes.clear();
        loop {
            let line = self.src.line();
            let buf = self.src.fill_buf()?;
            if buf.is_empty() {
                return Err(FormatError::Truncated { line });
            }
            match memchr::memchr2(b'"', b'\\', buf) {
                None => {
                    self.bytes.extend_from_slice(buf);
                    let n = buf.len();
                    self.src.consume(n);
                }
                Some(i) => {
                    let quote = buf[i] == b'"';
                    self.bytes.extend_from_slice(&buf[..i]);
                    self.src.consume(i + 1);
                    if quote {
                        break;
                    }
                    self.escape()?;
                }
            }
        }
        let text = std::str::from_utf8(&self.bytes)
            .map_err(|_| FormatError::InvalidText { line: self.line, encoding: "UTF-8" })?;
        self.text.clear();
        self.text.push_str(text);
        Ok(())
    }

    fn escape(&mut self) -> Result<(), FormatError> {
        let Some(b) = self.peek()? else { return Err(self.truncated()) };
        self.src.consume(1);
        let c = match b {
            b'"' => '"',
            b'\\' => '\\',
            b'/' => '/',
            b'b' => '\u{8}',
            b'f' => '\u{c}',
            b'n' => '\n',
            b'r' => '\r',
            b't' => '\t',
            b'u' => {
                let high = self.hex4()?;
                let code = if (0xD800..0xDC00).contains(&high) && self.peek()? == Some(b'\\') {
                    self.src.consume(1);
                    if self.peek()? != Some(b'u') {
                        return Err(self.malformed("a broken \\u escape in a string"));
                    }
                    self.src.consume(1);
                    let low = self.hex4()?;
                    0x10000 + ((high - 0xD800) << 10) + low.wrapping_sub(0xDC00)
                } else {
                    high
                };
                char::from_u32(code).unwrap_or(char::REPLACEMENT_CHARACTER)
            }
            other => {
                return Err(self.malformed(format!("an unknown escape \\{} in a string", char::from(other))));
            }
        };
        let mut utf8 = [0; 4];
        self.bytes.extend_from_slice(c.encode_utf8(&mut utf8).as_bytes());
        Ok(())
    }

    fn hex4(&mut self) -> Result<u32, FormatError> {
        let mut code = 0;
        for _ in 0..4 {
            let Some(b) = self.peek()? else { return Err(self.truncated()) };
            let digit = char::from(b)
                .to_digit(16)
                .ok_or_else(|| self.malformed("a broken \\u escape in a string"))?;
            code = code * 16 + digit;
            self.src.consume(1);
        }
        Ok(code)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mode {
    /// Inside the records array; `open` containers enclose it.
    Array {
        first: bool,
        open: usize,
    },
    /// One object per line.
    Lines,
    Done,
}

/// Streaming reader of the objects of a JSON array (or of a JSON Lines file).
pub struct JsonReader<R: Read> {
    lex: Lexer<R>,
    mode: Mode,
    key: String,
    settings: Settings,
    /// The record the iterator reads into; each item is a right-sized copy of it.
    spare: Record,
}

impl<R: Read> std::fmt::Debug for JsonReader<R> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("JsonReader").field("settings", &self.settings).field("mode", &self.mode).finish()
    }
}

impl<R: Read> JsonReader<R> {
    /// Opens a JSON document and moves to its records: the array at `path` (dotted object keys;
    /// `Some("")` = the top-level array), or when `path` is `None` the first array of objects.
    /// JSON Lines files (`.jsonl`, `.ndjson`, or one object per line) need no path.
    pub fn new(
        mut source: R,
        path: Option<&str>,
        encoding: Option<Encoding>,
        file_name: Option<&str>,
    ) -> Result<Self, FormatError> {
        let head = encoding::read_head(&mut source, encoding::SAMPLE_LEN)?;
        let detected = encoding::detect(&head, None, encoding);
        if head[detected.bom_len().min(head.len())..].trim_ascii().is_empty() {
            return Err(FormatError::Empty);
        }
        let lines_by_name = file_name.is_some_and(|n| {
            let n = n.to_ascii_lowercase();
            n.ends_with(".jsonl") || n.ends_with(".ndjson")
        });
        let lines = lines_by_name || (path.is_none() && looks_like_json_lines(&head[detected.bom_len()..]));
        let settings = Settings::new(Format::Json).with_encoding(&detected);
        let lex = Lexer {
            src: TextReader::new(head, source, &detected),
            bytes: Vec::new(),
            text: String::new(),
            line: 1,
        };
        let mut reader =
            JsonReader { lex, mode: Mode::Lines, key: String::new(), settings, spare: Record::new() };
        if !lines {
            reader.locate(path)?;
        }
        Ok(reader)
    }

    pub(crate) fn settings_mut(&mut self) -> &mut Settings {
        &mut self.settings
    }

    fn locate(&mut self, path: Option<&str>) -> Result<(), FormatError> {
        let first = self.lex.next()?;
        let found = match path {
            Some(path) => {
                let segments: Vec<&str> = path.split('.').map(str::trim).filter(|s| !s.is_empty()).collect();
                let open = match (first, segments.is_empty()) {
                    (Tok::ArrStart, true) => Some(0),
                    (Tok::ObjStart, false) => self.descend(&segments, 1)?,
                    (Tok::Eof, _) => return Err(FormatError::Empty),
                    _ => None,
                };
                open.map(|open| (open, path.to_owned()))
            }
            None => match first {
                Tok::ArrStart => Some((0, String::new())),
                Tok::ObjStart => {
                    let mut prefix = Vec::new();
                    self.search(&mut prefix, 1)?.map(|open| (open, prefix.join(".")))
                }
                Tok::Eof => return Err(FormatError::Empty),
                _ => None,
            },
        };
        let Some((open, found_path)) = found else {
            return Err(FormatError::JsonPathNotFound { path: path.unwrap_or("(automatic)").to_owned() });
        };
        if path.is_none() && !found_path.is_empty() {
            self.settings.notices.push(Notice::RecordPathGuessed { path: found_path.clone() });
        }
        self.settings.record_path = Some(found_path);
        self.mode = Mode::Array { first: true, open };
        Ok(())
    }

    /// Inside an object at `depth`, follows `segments` to an array; returns the number of
    /// containers left open around it.
    fn descend(&mut self, segments: &[&str], depth: usize) -> Result<Option<usize>, FormatError> {
        let mut tok = self.lex.next()?;
        if tok == Tok::ObjEnd {
            return Ok(None);
        }
        loop {
            self.expect(tok, Tok::Str, "a field name")?;
            let matched = self.lex.text == segments[0];
            let colon = self.lex.next()?;
            self.expect(colon, Tok::Colon, "\":\"")?;
            let value = self.lex.next()?;
            if matched {
                return match (value, segments.len()) {
                    (Tok::ArrStart, 1) => Ok(Some(depth)),
                    (Tok::ObjStart, n) if n > 1 => self.descend(&segments[1..], depth + 1),
                    _ => Ok(None),
                };
            }
            self.skip(value)?;
            tok = self.lex.next()?;
            match tok {
                Tok::Comma => tok = self.lex.next()?,
                Tok::ObjEnd => return Ok(None),
                other => return Err(self.unexpected(other, "\",\" or \"}\"")),
            }
        }
    }

    /// Inside an object at `depth`, looks for the first array whose first item is an object.
    fn search(&mut self, prefix: &mut Vec<String>, depth: usize) -> Result<Option<usize>, FormatError> {
        if depth > MAX_DEPTH {
            return Err(self.lex.malformed("the data is nested too deeply"));
        }
        let mut tok = self.lex.next()?;
        if tok == Tok::ObjEnd {
            return Ok(None);
        }
        loop {
            self.expect(tok, Tok::Str, "a field name")?;
            let key = self.lex.text.clone();
            let colon = self.lex.next()?;
            self.expect(colon, Tok::Colon, "\":\"")?;
            match self.lex.next()? {
                Tok::ArrStart => {
                    self.lex.skip_whitespace()?;
                    if self.lex.peek()? == Some(b'{') {
                        prefix.push(key);
                        return Ok(Some(depth));
                    }
                    self.skip(Tok::ArrStart)?;
                }
                Tok::ObjStart => {
                    prefix.push(key);
                    if let Some(open) = self.search(prefix, depth + 1)? {
                        return Ok(Some(open));
                    }
                    prefix.pop();
                }
                other => self.skip(other)?,
            }
            tok = self.lex.next()?;
            match tok {
                Tok::Comma => tok = self.lex.next()?,
                Tok::ObjEnd => return Ok(None),
                other => return Err(self.unexpected(other, "\",\" or \"}\"")),
            }
        }
    }

    fn expect(&self, got: Tok, want: Tok, what: &str) -> Result<(), FormatError> {
        if got == want { Ok(()) } else { Err(self.unexpected(got, what)) }
    }

    fn unexpected(&self, got: Tok, what: &str) -> FormatError {
        match got {
            Tok::Eof => self.lex.truncated(),
            _ => self.lex.malformed(format!("expected {what}")),
        }
    }

    /// Skips the value that starts with `tok`.
    fn skip(&mut self, tok: Tok) -> Result<(), FormatError> {
        if !matches!(tok, Tok::ObjStart | Tok::ArrStart) {
            return match tok {
                Tok::Str | Tok::Num | Tok::True | Tok::False | Tok::Null => Ok(()),
                other => Err(self.unexpected(other, "a value")),
            };
        }
        let mut depth = 1usize;
        while depth > 0 {
            match self.lex.next()? {
                Tok::ObjStart | Tok::ArrStart => depth += 1,
                Tok::ObjEnd | Tok::ArrEnd => depth -= 1,
                Tok::Eof => return Err(self.lex.truncated()),
                _ => {}
            }
        }
        Ok(())
    }

    /// Reads the members of an object whose `{` was just read, keys prefixed by `key[..prefix]`.
    fn members(&mut self, rec: &mut Record, prefix: usize, depth: usize) -> Result<(), FormatError> {
        if depth > MAX_DEPTH {
            return Err(self.lex.malformed("the data is nested too deeply"));
        }
        let mut tok = self.lex.next()?;
        if tok == Tok::ObjEnd {
            return Ok(());
        }
        loop {
            self.expect(tok, Tok::Str, "a field name")?;
            self.key.truncate(prefix);
            if prefix > 0 {
                self.key.push('.');
            }
            self.key.push_str(&self.lex.text);
            let key_len = self.key.len();
            let colon = self.lex.next()?;
            self.expect(colon, Tok::Colon, "\":\"")?;
            let value = self.lex.next()?;
            self.value(value, rec, key_len, depth)?;
            tok = self.lex.next()?;
            match tok {
                Tok::Comma => tok = self.lex.next()?,
                Tok::ObjEnd => return Ok(()),
                other => return Err(self.unexpected(other, "\",\" or \"}\"")),
            }
        }
    }

    fn value(&mut self, tok: Tok, rec: &mut Record, key_len: usize, depth: usize) -> Result<(), FormatError> {
        if depth > MAX_DEPTH {
            return Err(self.lex.malformed("the data is nested too deeply"));
        }
        match tok {
            Tok::Str | Tok::Num => rec.push_field(&self.key[..key_len], &self.lex.text),
            Tok::True => rec.push_field(&self.key[..key_len], "true"),
            Tok::False => rec.push_field(&self.key[..key_len], "false"),
            Tok::Null => {}
            Tok::ObjStart => self.members(rec, key_len, depth + 1)?,
            Tok::ArrStart => {
                let mut item = self.lex.next()?;
                if item == Tok::ArrEnd {
                    return Ok(());
                }
                loop {
                    self.value(item, rec, key_len, depth + 1)?;
                    match self.lex.next()? {
                        Tok::Comma => item = self.lex.next()?,
                        Tok::ArrEnd => return Ok(()),
                        other => return Err(self.unexpected(other, "\",\" or \"]\"")),
                    }
                }
            }
            other => return Err(self.unexpected(other, "a value")),
        }
        Ok(())
    }

    /// Reads one list item: an object becomes the record, anything else a row error.
    fn item(&mut self, tok: Tok, rec: &mut Record) -> Result<Result<(), RowError>, FormatError> {
        let line = self.lex.line;
        let found = match tok {
            Tok::ObjStart => {
                rec.clear();
                self.key.clear();
                self.members(rec, 0, 1)?;
                let id = rec.get("id").map(str::to_owned);
                rec.set_location(line, id.as_deref());
                return Ok(Ok(()));
            }
            Tok::ArrStart => "a list",
            Tok::Str => "a text",
            Tok::Num => "a number",
            Tok::True | Tok::False => "true or false",
            Tok::Null => "null",
            other => return Err(self.unexpected(other, "an item")),
        };
        self.skip(tok)?;
        Ok(Err(RowError { line, id: None, problem: RowProblem::NotAnObject { found } }))
    }

    fn next_record(&mut self, rec: &mut Record) -> Result<Option<Result<(), RowError>>, FormatError> {
        match self.mode {
            Mode::Done => Ok(None),
            Mode::Lines => match self.lex.next()? {
                Tok::Eof => Ok(None),
                tok => self.item(tok, rec).map(Some),
            },
            Mode::Array { first, open } => {
                let mut tok = self.lex.next()?;
                if !first {
                    match tok {
                        Tok::Comma => tok = self.lex.next()?,
                        Tok::ArrEnd => {}
                        other => return Err(self.unexpected(other, "\",\" or \"]\"")),
                    }
                }
                if tok == Tok::ArrEnd {
                    self.close_outer(open)?;
                    return Ok(None);
                }
                self.mode = Mode::Array { first: false, open };
                self.item(tok, rec).map(Some)
            }
        }
    }

    /// After the records array, reads through the containers around it to catch a cut-off file.
    fn close_outer(&mut self, mut open: usize) -> Result<(), FormatError> {
        while open > 0 {
            match self.lex.next()? {
                Tok::ObjStart | Tok::ArrStart => open += 1,
                Tok::ObjEnd | Tok::ArrEnd => open -= 1,
                Tok::Eof => return Err(self.lex.truncated()),
                _ => {}
            }
        }
        Ok(())
    }
}

impl<R: Read> RecordSource for JsonReader<R> {
    fn read_into(&mut self, rec: &mut Record) -> Option<Result<(), ReadError>> {
        match self.next_record(rec) {
            Ok(Some(result)) => Some(result.map_err(ReadError::Row)),
            Ok(None) => {
                self.mode = Mode::Done;
                None
            }
            Err(fatal) => {
                self.mode = Mode::Done;
                Some(Err(ReadError::Fatal(fatal)))
            }
        }
    }

    fn settings(&self) -> &Settings {
        &self.settings
    }
}

crate::impl_iterator!(JsonReader<R: Read>);

/// One complete object, then a line break and another object: JSON Lines.
fn looks_like_json_lines(head: &[u8]) -> bool {
    let start = head.iter().position(|b| !b.is_ascii_whitespace());
    let Some(start) = start.filter(|&s| head[s] == b'{') else { return false };
    let (mut depth, mut in_string, mut escaped) = (0usize, false, false);
    for (i, &b) in head.iter().enumerate().skip(start) {
        if in_string {
            match b {
                _ if escaped => escaped = false,
                b'\\' => escaped = true,
                b'"' => in_string = false,
                _ => {}
            }
            continue;
        }
        match b {
            b'"' => in_string = true,
            b'{' | b'[' => depth += 1,
            b'}' | b']' => {
                depth = depth.saturating_sub(1);
                if depth == 0 {
                    let rest = &head[i + 1..];
                    let next = rest.iter().position(|b| !b.is_ascii_whitespace());
                    return next.is_some_and(|n| rest[n] == b'{' && rest[..n].contains(&b'\n'));
                }
            }
            _ => {}
        }
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(json: &str, path: Option<&str>) -> Vec<Result<Record, ReadError>> {
        JsonReader::new(json.as_bytes(), path, None, None).unwrap().collect()
    }

    #[test]
    fn flattens_objects() {
        let json = r#"{"meta": {"count": 2, "tags": ["x"]},
          "data": {"items": [
            {"id": 17, "name": "Кеды \"Air\"\n", "price": 19.90, "big": 12345678901234567890123,
             "stock": {"msk": 3, "spb": null}, "images": ["a.jpg", "b.jpg"], "ok": true,
             "variants": [{"sku": "A"}, {"sku": "B"}], "esc": "\u0416\ud83d\ude00"},
            5,
            {}
          ]}, "tail": [1, 2]}"#;
        let items = read(json, Some("data.items"));
        assert_eq!(items.len(), 3);
        let first = items[0].as_ref().unwrap();
        assert_eq!(first.id(), Some("17"));
        assert_eq!(first.get("name"), Some("Кеды \"Air\"\n"));
        assert_eq!(first.get("price"), Some("19.90"));
        assert_eq!(first.get("big"), Some("12345678901234567890123"));
        assert_eq!(first.get("stock.msk"), Some("3"));
        assert_eq!(first.get("stock.spb"), None);
        assert_eq!(first.get_all("images").collect::<Vec<_>>(), ["a.jpg", "b.jpg"]);
        assert_eq!(first.get_all("variants.sku").collect::<Vec<_>>(), ["A", "B"]);
        assert_eq!(first.get("ok"), Some("true"));
        assert_eq!(first.get("esc"), Some("Ж😀"));
        assert!(matches!(&items[1], Err(ReadError::Row(RowError { line: 6, .. }))));
        assert!(items[2].as_ref().unwrap().is_empty());
    }

    #[test]
    fn guesses_the_array() {
        let json = r#"{"meta": {"tags": ["x"], "empty": []}, "result": {"products": [{"a": 1}, {"a": 2}]}}"#;
        let reader = JsonReader::new(json.as_bytes(), None, None, None).unwrap();
        assert_eq!(reader.settings().record_path.as_deref(), Some("result.products"));
        assert_eq!(reader.count(), 2);
        assert_eq!(read("[{\"a\":1}]", None).len(), 1);
    }

    #[test]
    fn json_lines() {
        let items = read("{\"a\": 1, \"list\": [{\"x\": 1}]}\n{\"a\": 2}\n", None);
        let values: Vec<_> = items.iter().map(|r| r.as_ref().unwrap().get("a").unwrap().to_owned()).collect();
        assert_eq!(values, ["1", "2"]);
    }

    #[test]
    fn fatal_errors() {
        let err = JsonReader::new(r#"{"a": [1]}"#.as_bytes(), Some("b"), None, None).unwrap_err();
        assert!(matches!(err, FormatError::JsonPathNotFound { .. }), "{err}");
        let items = read("[{\"a\": 1}, {\"a\": ", None);
        assert!(matches!(items.last(), Some(Err(ReadError::Fatal(FormatError::Truncated { .. })))));
        let items = read("[{\"a\": 1}]  ", Some(""));
        assert_eq!(items.len(), 1);
        let items = read("{\"x\": [{\"a\": 1}]", Some("x"));
        assert!(matches!(items.last(), Some(Err(ReadError::Fatal(FormatError::Truncated { .. })))));
        let items = read("[{\"a\": tru}]", None);
        assert!(matches!(items.last(), Some(Err(ReadError::Fatal(FormatError::Malformed { .. })))));
        let deep = format!("[{}{}]", "{\"a\":".repeat(200), "}".repeat(200));
        let items = read(&deep, None);
        assert!(matches!(items.last(), Some(Err(ReadError::Fatal(FormatError::Malformed { .. })))));
    }
}
