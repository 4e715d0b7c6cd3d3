//! Delimited text: CSV, TSV, semicolon- and pipe-separated price lists.
//!
//! The delimiter is detected from the first rows (quote-aware), the encoding from the bytes
//! (UTF-8 with or without BOM, windows-1251, UTF-16 with BOM), the header row by
//! [`HeaderRow`]. Quoted fields may span lines; a record's line is the physical line where
//! it starts. A row whose column count differs from the header's is a [`RowError`] and reading
//! goes on (trailing empty columns, as left by a trailing delimiter, are tolerated).

use std::collections::VecDeque;
use std::io::Read;

use crate::RecordSource;
use crate::encoding::{self, ByteTable, Encoding, Rest, TextReader};
use crate::error::{FormatError, ReadError, RowError, RowProblem};
use crate::header::{self, HEADER_SCAN_ROWS, HeaderRow};
use crate::record::Record;
use crate::settings::{Notice, Settings};
use crate::sniff::Format;

/// Options for [`CsvReader`]; `None`/`Auto` means detect.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CsvOptions {
    /// Field delimiter (`b';'`, `b','`, `b'\t'`, `b'|'`...).
    pub delimiter: Option<u8>,
    /// Text encoding.
    pub encoding: Option<Encoding>,
    /// Which row holds the column names.
    pub header: HeaderRow,
    /// The file's name: a `.tsv` extension makes tab the preferred delimiter on a tie.
    pub file_name: Option<String>,
}

const DELIMITERS: [u8; 4] = [b';', b'\t', b',', b'|'];

/// Streaming reader of a delimited text file.
pub struct CsvReader<R: Read> {
    csv: ::csv::Reader<TextReader<Rest<R>>>,
    header: Vec<String>,
    row: ::csv::ByteRecord,
    /// Rows read while looking for the header that come after it.
    pending: VecDeque<::csv::ByteRecord>,
    /// Empty header cells dropped from the end of the header row.
    unnamed_tail: usize,
    encoding: Encoding,
    /// Set for single-byte encodings: csv sees the raw bytes and fields are decoded one by one.
    decoder: Option<ByteTable>,
    settings: Settings,
    /// The record the iterator reads into; each item is a right-sized copy of it.
    spare: Record,
    done: bool,
}

impl<R: Read> std::fmt::Debug for CsvReader<R> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CsvReader").field("settings", &self.settings).finish()
    }
}

impl<R: Read> CsvReader<R> {
    /// Opens a delimited file, detecting what `options` leave open, and reads its header.
    pub fn new(mut source: R, options: &CsvOptions) -> Result<Self, FormatError> {
        let head = encoding::read_head(&mut source, encoding::SAMPLE_LEN)?;
        let detected = encoding::detect(&head, None, options.encoding);
        let body = &head[detected.bom_len().min(head.len())..];
        if body.iter().all(|b| b.is_ascii_whitespace()) && detected.encoding.is_utf8() {
            return Err(FormatError::Empty);
        }
        let sample = detected.encoding.decode_lossy(body);
        if sample.trim().is_empty() {
            return Err(FormatError::Empty);
        }
        let tab_first = options.file_name.as_deref().is_some_and(|n| {
            let n = n.to_ascii_lowercase();
            n.ends_with(".tsv") || n.ends_with(".tab")
        });
        let delimiter = options.delimiter.unwrap_or_else(|| detect_delimiter(&sample, tab_first));
        let lone_cr = memchr::memchr(b'\n', body).is_none() && memchr::memchr(b'\r', body).is_some();
        let text = TextReader::undecoded(head, source, &detected);
        let decoder = detected.encoding.byte_table();
        // Rows end at `\n` only: with CRLF the csv crate would otherwise report each row on the
        // line before its own. The `\r` left at the end of a row's last field is stripped.
        let terminator = if lone_cr { ::csv::Terminator::CRLF } else { ::csv::Terminator::Any(b'\n') };
        let csv = ::csv::ReaderBuilder::new()
            .delimiter(delimiter)
            .terminator(terminator)
            .has_headers(false)
            .flexible(true)
            .buffer_capacity(64 * 1024)
            .from_reader(text);
        let mut settings = Settings::new(Format::Csv).with_encoding(&detected);
        settings.delimiter = Some(char::from(delimiter));
        let mut reader = CsvReader {
            csv,
            header: Vec::new(),
            row: ::csv::ByteRecord::new(),
            pending: VecDeque::new(),
            unnamed_tail: 0,
            encoding: detected.encoding,
            decoder,
            settings,
            spare: Record::new(),
            done: false,
        };
        reader.read_header(options.header)?;
        Ok(reader)
    }

    pub(crate) fn settings_mut(&mut self) -> &mut Settings {
        &mut self.settings
    }

    /// The column names.
    pub fn header(&self) -> &[String] {
        &self.header
    }

    fn read_header(&mut self, mode: HeaderRow) -> Result<(), FormatError> {
        let mut first: Vec<::csv::ByteRecord> = Vec::new();
        let mut skipped = 0u64;
        loop {
            let mut row = ::csv::ByteRecord::new();
            match self.csv.read_byte_record(&mut row) {
                Ok(true) => {}
                Ok(false) => break,
                Err(e) if first.is_empty() => return Err(csv_fatal(e)),
                Err(_) => break,
            }
            match mode {
                HeaderRow::At(at) if line_of(&row) < at => {
                    skipped += u64::from(row.iter().any(|f| !f.trim_ascii().is_empty()));
                }
                HeaderRow::At(_) => {
                    first.push(row);
                    break;
                }
                HeaderRow::Auto | HeaderRow::Absent => {
                    first.push(row);
                    if first.len() >= HEADER_SCAN_ROWS {
                        break;
                    }
                }
            }
        }
        if first.is_empty() {
            return Err(FormatError::Empty);
        }
        let index = match mode {
            HeaderRow::Absent => None,
            HeaderRow::At(_) => Some(0),
            HeaderRow::Auto => {
                let texts: Vec<Vec<String>> = first.iter().map(|r| self.row_texts(r)).collect();
                Some(header::pick_header(&texts).unwrap_or(0))
            }
        };
        match index {
            Some(i) => {
                let mut cells = self.row_texts(&first[i]);
                // Trailing empty header cells (a trailing delimiter) name no column.
                while cells.len() > 1 && cells.last().is_some_and(|c| c.trim().is_empty()) {
                    cells.pop();
                    self.unnamed_tail += 1;
                }
                self.header = header::column_names(&cells, |c| format!("Column {}", c + 1));
                self.settings.header_line = Some(line_of(&first[i]));
                skipped +=
                    first[..i].iter().filter(|r| r.iter().any(|f| !f.trim_ascii().is_empty())).count() as u64;
                self.pending = first.into_iter().skip(i + 1).collect();
            }
            None => {
                let width = first.iter().map(::csv::ByteRecord::len).max().unwrap_or(0);
                self.header = (1..=width).map(|c| format!("Column {c}")).collect();
                self.pending = first.into();
            }
        }
        if skipped > 0 {
            self.settings.notices.push(Notice::RowsBeforeHeaderSkipped { count: skipped });
        }
        self.settings.header = self.header.clone();
        Ok(())
    }

    /// The cells of a row as text (lossy), without the `\r` of a CRLF line end.
    fn row_texts(&self, row: &::csv::ByteRecord) -> Vec<String> {
        let last = row.len().saturating_sub(1);
        row.iter()
            .enumerate()
            .map(|(i, f)| {
                let f = if i == last { f.strip_suffix(b"\r").unwrap_or(f) } else { f };
                match self.decoder {
                    Some(_) => self.encoding.decode_lossy(f),
                    None => String::from_utf8_lossy(f).into_owned(),
                }
            })
            .collect()
    }

    fn next_row(&mut self, rec: &mut Record) -> Option<Result<(), ReadError>> {
        loop {
            if let Some(row) = self.pending.pop_front() {
                self.row = row;
            } else {
                match self.csv.read_byte_record(&mut self.row) {
                    Ok(true) => {}
                    Ok(false) => return None,
                    Err(e) => {
                        let line = e.position().map_or(0, ::csv::Position::line);
                        if matches!(e.kind(), ::csv::ErrorKind::Io(_)) {
                            return Some(Err(ReadError::Fatal(csv_fatal(e))));
                        }
                        let problem = RowProblem::BrokenMarkup { reason: e.to_string() };
                        return Some(Err(RowError { line, id: None, problem }.into()));
                    }
                }
            }
            if self.row.iter().all(|f| f.trim_ascii().is_empty()) {
                continue;
            }
            return Some(self.convert(rec));
        }
    }

    fn convert(&mut self, rec: &mut Record) -> Result<(), ReadError> {
        let line = line_of(&self.row);
        let fail = |problem| Err(ReadError::Row(RowError { line, id: None, problem }));
        let width = self.header.len();
        let found = self.row.len();
        let allowed = width + self.unnamed_tail;
        let extra_filled = self.row.iter().skip(allowed).any(|f| !f.trim_ascii().is_empty());
        if found < width || extra_filled {
            return fail(RowProblem::ColumnCount { expected: width, found });
        }
        let last = found.saturating_sub(1);
        if let Some(decoder) = self.decoder.as_ref() {
            rec.clear();
            rec.set_location(line, None);
            // The row's fields lie one after another in one buffer: decoded in one go, each
            // field is found by its decoded length.
            let text = rec.append_text(|out| decoder.decode_into(self.row.as_slice(), out));
            let mut at = text.start;
            for (column, field) in self.row.iter().enumerate().take(allowed) {
                let start = at;
                at += decoder.decoded_len(field);
                let (field, end) = match field.strip_suffix(b"\r") {
                    Some(stripped) if column == last => (stripped, at - 1),
                    _ => (field, at),
                };
                match self.header.get(column) {
                    Some(name) => rec.push_field_at(name, start..end),
                    None if !field.trim_ascii().is_empty() => {
                        rec.push_field_at(&format!("Column {}", column + 1), start..end);
                    }
                    None => {}
                }
            }
            return Ok(());
        }
        // One UTF-8 check for the whole row, then one copy of it that the fields point into. The
        // row is valid when the whole is and every field starts and ends on a character.
        let invalid = || RowProblem::InvalidText { encoding: self.encoding.name() };
        let Ok(row_text) = simdutf8::basic::from_utf8(self.row.as_slice()) else {
            return fail(invalid());
        };
        let mut at = 0;
        for field in &self.row {
            at += field.len();
            if !row_text.is_char_boundary(at) {
                return fail(invalid());
            }
        }
        rec.clear();
        rec.set_location(line, None);
        let base = rec.append_text(|out| out.push_str(row_text)).start;
        let mut at = 0;
        for (column, field) in self.row.iter().enumerate().take(allowed) {
            let (start, end) = (at, at + field.len());
            at = end;
            let value = &row_text[start..end];
            let value = if column == last { value.strip_suffix('\r').unwrap_or(value) } else { value };
            let span = base + start..base + start + value.len();
            match self.header.get(column) {
                Some(name) => rec.push_field_at(name, span),
                // A value under a trailing unnamed header cell.
                None if !value.trim().is_empty() => {
                    rec.push_field_at(&format!("Column {}", column + 1), span)
                }
                None => {}
            }
        }
        Ok(())
    }
}

fn line_of(row: &::csv::ByteRecord) -> u64 {
    row.position().map_or(0, ::csv::Position::line)
}

fn csv_fatal(e: ::csv::Error) -> FormatError {
    let line = e.position().map_or(0, ::csv::Position::line);
    match e.into_kind() {
        ::csv::ErrorKind::Io(io) => FormatError::Io(io),
        other => FormatError::Malformed { line, reason: format!("{other:?}") },
    }
}

impl<R: Read> RecordSource for CsvReader<R> {
    fn read_into(&mut self, rec: &mut Record) -> Option<Result<(), ReadError>> {
        if self.done {
            return None;
        }
        let result = self.next_row(rec);
        if matches!(result, None | Some(Err(ReadError::Fatal(_)))) {
            self.done = true;
        }
        result
    }

    fn settings(&self) -> &Settings {
        &self.settings
    }
}

crate::impl_iterator!(CsvReader<R: Read>);

/// Picks the delimiter of a delimited text from its first rows: the candidate (`;`, tab, `,`,
/// `|`) that splits the most rows into the same number of columns; ties go to more columns,
/// then to the order above (tab first when `tab_first`).
pub fn detect_delimiter(sample: &str, tab_first: bool) -> u8 {
    let rows = logical_rows(sample, 50);
    let mut best = (b';', 0usize, 0usize);
    let order: Vec<u8> = if tab_first {
        std::iter::once(b'\t').chain(DELIMITERS.into_iter().filter(|d| *d != b'\t')).collect()
    } else {
        DELIMITERS.to_vec()
    };
    for delimiter in order {
        let counts: Vec<usize> = rows.iter().map(|r| count_outside_quotes(r, delimiter)).collect();
        let mut frequency = std::collections::HashMap::new();
        for c in counts.iter().filter(|c| **c > 0) {
            *frequency.entry(*c).or_insert(0usize) += 1;
        }
        let Some((&mode, &agreeing)) = frequency.iter().max_by_key(|(count, rows)| (**rows, **count)) else {
            continue;
        };
        if (agreeing, mode) > (best.1, best.2) {
            best = (delimiter, agreeing, mode);
        }
    }
    best.0
}

/// Splits text into rows at line ends outside quotes; drops a last row cut by the sample end.
fn logical_rows(sample: &str, limit: usize) -> Vec<&str> {
    let mut rows = Vec::new();
    let mut in_quotes = false;
    let mut start = 0;
    for (i, b) in sample.bytes().enumerate() {
        match b {
            b'"' => in_quotes = !in_quotes,
            b'\n' if !in_quotes => {
                let row = sample[start..i].trim_end_matches('\r');
                if !row.trim().is_empty() {
                    rows.push(row);
                }
                start = i + 1;
                if rows.len() == limit {
                    return rows;
                }
            }
            _ => {}
        }
    }
    if rows.is_empty() && !sample[start..].trim().is_empty() {
        rows.push(&sample[start..]);
    }
    rows
}

fn count_outside_quotes(row: &str, delimiter: u8) -> usize {
    let mut in_quotes = false;
    row.bytes()
        .filter(|b| {
            if *b == b'"' {
                in_quotes = !in_quotes;
            }
            *b == delimiter && !in_quotes
        })
        .count()
}

#[cfg(test)]
mod tests {
    use super::*;
    use rstest::rstest;

    #[rstest]
    #[case::semicolon("a;b;c\n1;\"2,5\";3\n4;5,5;6\n", b';')]
    #[case::comma("a,b,c\n1,\"x;y\",3\n", b',')]
    #[case::tab("a\tb\tc\n1\t2\t3\n", b'\t')]
    #[case::pipe("a|b\n1|2\n", b'|')]
    #[case::decimal_commas("id;price;old\n1;1,5;2,5\n2;3,5;4,5\n", b';')]
    #[case::multiline_quoted("id,text\n1,\"line one;\nline two;\"\n2,x\n", b',')]
    #[case::single_column("sku\nA\nB\n", b';')]
    fn delimiter(#[case] sample: &str, #[case] expected: u8) {
        assert_eq!(detect_delimiter(sample, false) as char, expected as char);
    }

    #[test]
    fn tab_preference_on_tie() {
        assert_eq!(detect_delimiter("a\tb;c\n", true), b'\t');
        assert_eq!(detect_delimiter("a\tb;c\n", false), b';');
    }

    #[test]
    fn reads_rows_with_header_lines() {
        let data = "Прайс;;\nid;name;price\n1;\"multi\nline\";10\n2;x\n3;y;30;\n";
        let mut r = CsvReader::new(data.as_bytes(), &CsvOptions::default()).unwrap();
        assert_eq!(r.header(), ["id", "name", "price"]);
        assert_eq!(r.settings().header_line, Some(2));
        let first = r.next().unwrap().unwrap();
        assert_eq!((first.line(), first.get("name")), (3, Some("multi\nline")));
        let err = r.next().unwrap().unwrap_err();
        assert!(matches!(&err, ReadError::Row(RowError { line: 5, .. })), "{err}");
        let third = r.next().unwrap().unwrap();
        assert_eq!((third.line(), third.get("price")), (6, Some("30")));
        assert!(r.next().is_none());
    }
}
