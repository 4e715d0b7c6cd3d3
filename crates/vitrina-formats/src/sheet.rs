//! Workbooks (XLSX, XLSB, XLS, ODS) through calamine: one [`Record`] per sheet row, keyed by
//! the header row's column names.
//!
//! Cells become text the way a seller reads them: whole numbers without a spurious `.0`
//! (`4601234567890`, not `4.60123456789e12`), other numbers rounded to Excel's 15 significant
//! digits, dates as ISO 8601 (`2024-05-01`, `2024-05-01T10:30:00`), booleans as `true`/`false`,
//! formula errors as Excel shows them (`#N/A`). XLSX rows are streamed from a helper thread so
//! large sheets keep memory flat; XLS, XLSB and ODS sheets are loaded whole by calamine.

use std::collections::VecDeque;
use std::io::{Read, Seek};
use std::sync::mpsc;

use calamine::{Data, DataRef, ExcelDateTime, Reader};

use crate::RecordSource;
use crate::error::{FormatError, ReadError};
use crate::header::{self, HEADER_SCAN_ROWS, HeaderRow};
use crate::record::Record;
use crate::settings::{Notice, Settings};
use crate::sniff::Format;

/// Which sheet of a workbook to read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SheetSelector {
    /// By 0-based position among all sheets.
    Index(usize),
    /// By name (exact, then ignoring case and surrounding spaces).
    Name(String),
}

impl Default for SheetSelector {
    fn default() -> Self {
        SheetSelector::Index(0)
    }
}

/// Options for [`SheetReader`].
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SheetOptions {
    /// The sheet to read (default: the first).
    pub sheet: SheetSelector,
    /// Which row holds the column names.
    pub header: HeaderRow,
}

/// One non-empty sheet row: 0-based row number and its non-empty cells (0-based column, text).
#[derive(Debug)]
struct SheetRow {
    row: u32,
    cells: Vec<(u32, String)>,
}

enum Rows {
    /// Rows sent by the helper thread that owns an xlsx workbook.
    Streamed(mpsc::Receiver<Result<SheetRow, FormatError>>, Option<std::thread::JoinHandle<()>>),
    Loaded {
        range: calamine::Range<Data>,
        next: usize,
    },
    Finished,
}

impl Rows {
    fn next(&mut self) -> Option<Result<SheetRow, FormatError>> {
        match self {
            Rows::Streamed(rx, worker) => match rx.recv() {
                Ok(row) => Some(row),
                // The sender is gone: the sheet ended, or the helper thread died.
                Err(_) => match worker.take().map(std::thread::JoinHandle::join) {
                    Some(Err(_)) => Some(Err(FormatError::Spreadsheet {
                        reason: "reading the sheet stopped unexpectedly".into(),
                    })),
                    _ => None,
                },
            },
            Rows::Loaded { range, next } => {
                let (top, left) = range.start()?;
                let height = range.height();
                while *next < height {
                    let index = *next;
                    *next += 1;
                    let cells: Vec<(u32, String)> = (0..range.width())
                        .filter_map(|c| {
                            let text = data_text(range.get((index, c))?)?;
                            Some((left + c as u32, text))
                        })
                        .collect();
                    if !cells.is_empty() {
                        return Some(Ok(SheetRow { row: top + index as u32, cells }));
                    }
                }
                None
            }
            Rows::Finished => None,
        }
    }
}

/// Reader of one sheet of a workbook.
pub struct SheetReader {
    rows: Rows,
    buffered: VecDeque<SheetRow>,
    /// Header columns: (0-based column, name), left to right.
    columns: Vec<(u32, String)>,
    settings: Settings,
    /// The record the iterator reads into; each item is a right-sized copy of it.
    spare: Record,
    done: bool,
}

impl std::fmt::Debug for SheetReader {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SheetReader").field("settings", &self.settings).finish()
    }
}

impl SheetReader {
    /// Opens a workbook of the given `format` (one of the spreadsheet formats) and prepares to
    /// read the chosen sheet.
    pub fn new<RS>(source: RS, format: Format, options: &SheetOptions) -> Result<Self, FormatError>
    where
        RS: Read + Seek + Send + 'static,
    {
        let (rows, sheet, sheets) = match format {
            Format::Xlsx => {
                let book = calamine::Xlsx::new(source).map_err(spreadsheet_error)?;
                let sheets = book.sheet_names();
                let sheet = choose_sheet(&sheets, &options.sheet)?;
                (stream_xlsx(book, sheet.clone())?, sheet, sheets)
            }
            Format::Xls | Format::Xlsb | Format::Ods => {
                let mut book = match format {
                    Format::Xls => {
                        calamine::Sheets::Xls(calamine::Xls::new(source).map_err(spreadsheet_error)?)
                    }
                    Format::Xlsb => {
                        calamine::Sheets::Xlsb(calamine::Xlsb::new(source).map_err(spreadsheet_error)?)
                    }
                    _ => calamine::Sheets::Ods(calamine::Ods::new(source).map_err(spreadsheet_error)?),
                };
                let sheets = book.sheet_names();
                let sheet = choose_sheet(&sheets, &options.sheet)?;
                let range = book.worksheet_range(&sheet).map_err(spreadsheet_error)?;
                (Rows::Loaded { range, next: 0 }, sheet, sheets)
            }
            other => {
                return Err(FormatError::Spreadsheet {
                    reason: format!("{other} is not a spreadsheet format"),
                });
            }
        };
        let mut settings = Settings::new(format);
        settings.sheet = Some(sheet.clone());
        settings.sheets = sheets;
        let mut reader = SheetReader {
            rows,
            buffered: VecDeque::new(),
            columns: Vec::new(),
            settings,
            spare: Record::new(),
            done: false,
        };
        reader.read_header(options.header, &sheet)?;
        Ok(reader)
    }

    pub(crate) fn settings_mut(&mut self) -> &mut Settings {
        &mut self.settings
    }

    /// The column names.
    pub fn header(&self) -> &[String] {
        &self.settings.header
    }

    fn read_header(&mut self, mode: HeaderRow, sheet: &str) -> Result<(), FormatError> {
        let mut first = Vec::new();
        let mut skipped = 0u64;
        while let Some(row) = self.rows.next() {
            let row = row?;
            match mode {
                HeaderRow::At(at) if u64::from(row.row) + 1 < at => skipped += 1,
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
            return Err(FormatError::EmptySheet { sheet: sheet.to_owned() });
        }
        let left = first.iter().filter_map(|r| r.cells.first().map(|c| c.0)).min().unwrap_or(0);
        let right = first.iter().filter_map(|r| r.cells.last().map(|c| c.0)).max().unwrap_or(0);
        let dense: Vec<Vec<&str>> = first
            .iter()
            .map(|r| {
                let mut row = vec![""; (right - left + 1) as usize];
                for (c, text) in &r.cells {
                    row[(c - left) as usize] = text;
                }
                row
            })
            .collect();
        let index = match mode {
            HeaderRow::Absent => None,
            HeaderRow::At(_) => Some(0),
            HeaderRow::Auto => Some(header::pick_header(&dense).unwrap_or(0)),
        };
        let letter = |i: usize| format!("Column {}", header::column_letter(left as usize + i));
        self.columns = match index {
            Some(i) => {
                let mut cells = dense[i].clone();
                while cells.len() > 1 && cells.last().is_some_and(|c| c.trim().is_empty()) {
                    cells.pop();
                }
                let names = header::column_names(&cells, letter);
                self.settings.header_line = Some(u64::from(first[i].row) + 1);
                skipped += i as u64;
                first.drain(..=i);
                (left..).zip(names).collect()
            }
            None => (left..=right).zip((0..).map(letter)).collect(),
        };
        if skipped > 0 {
            self.settings.notices.push(Notice::RowsBeforeHeaderSkipped { count: skipped });
        }
        self.settings.header = self.columns.iter().map(|(_, n)| n.clone()).collect();
        self.buffered = first.into();
        Ok(())
    }

    fn fill(&self, row: &SheetRow, rec: &mut Record) {
        rec.clear();
        rec.set_location(u64::from(row.row) + 1, None);
        let mut cells = row.cells.iter().peekable();
        for (column, name) in &self.columns {
            while let Some((c, text)) = cells.next_if(|(c, _)| c < column) {
                rec.push_field(&format!("Column {}", header::column_letter(*c as usize)), text);
            }
            match cells.next_if(|(c, _)| c == column) {
                Some((_, text)) => rec.push_field(name, text),
                None => rec.push_field(name, ""),
            }
        }
        for (c, text) in cells {
            rec.push_field(&format!("Column {}", header::column_letter(*c as usize)), text);
        }
    }
}

impl RecordSource for SheetReader {
    fn read_into(&mut self, rec: &mut Record) -> Option<Result<(), ReadError>> {
        if self.done {
            return None;
        }
        let next = self.buffered.pop_front().map(Ok).or_else(|| self.rows.next());
        match next {
            Some(Ok(row)) => {
                self.fill(&row, rec);
                Some(Ok(()))
            }
            Some(Err(fatal)) => {
                self.done = true;
                self.rows = Rows::Finished;
                Some(Err(ReadError::Fatal(fatal)))
            }
            None => {
                self.done = true;
                None
            }
        }
    }

    fn settings(&self) -> &Settings {
        &self.settings
    }
}

crate::impl_iterator!(SheetReader);

fn choose_sheet(sheets: &[String], wanted: &SheetSelector) -> Result<String, FormatError> {
    let found = match wanted {
        SheetSelector::Index(i) => sheets.get(*i),
        SheetSelector::Name(name) => sheets
            .iter()
            .find(|s| *s == name)
            .or_else(|| sheets.iter().find(|s| s.trim().to_lowercase() == name.trim().to_lowercase())),
    };
    found.cloned().ok_or_else(|| FormatError::SheetNotFound {
        wanted: match wanted {
            SheetSelector::Index(i) => format!("number {}", i + 1),
            SheetSelector::Name(name) => format!("\"{name}\""),
        },
        available: sheets.to_vec(),
    })
}

/// Streams the rows of an xlsx sheet from a helper thread, which owns the workbook.
fn stream_xlsx<RS>(mut book: calamine::Xlsx<RS>, sheet: String) -> Result<Rows, FormatError>
where
    RS: Read + Seek + Send + 'static,
{
    let (tx, rx) = mpsc::sync_channel(256);
    let work = move || {
        let mut cells = match book.worksheet_cells_reader(&sheet) {
            Ok(cells) => cells,
            Err(e) => {
                let _ = tx.send(Err(spreadsheet_error(e)));
                return;
            }
        };
        let mut current: Option<SheetRow> = None;
        loop {
            match cells.next_cell() {
                Ok(Some(cell)) => {
                    let (row, column) = cell.get_position();
                    let Some(text) = data_ref_text(cell.get_value()) else { continue };
                    if current.as_ref().is_some_and(|r| r.row != row)
                        && let Some(done) = current.take()
                        && tx.send(Ok(done)).is_err()
                    {
                        return; // the reader was dropped
                    }
                    current
                        .get_or_insert_with(|| SheetRow { row, cells: Vec::new() })
                        .cells
                        .push((column, text));
                }
                Ok(None) => {
                    if let Some(done) = current.take() {
                        let _ = tx.send(Ok(done));
                    }
                    return;
                }
                Err(e) => {
                    let _ = tx.send(Err(spreadsheet_error(e)));
                    return;
                }
            }
        }
    };
    let worker = std::thread::Builder::new().name("vitrina-xlsx-rows".into()).spawn(work)?;
    Ok(Rows::Streamed(rx, Some(worker)))
}

fn spreadsheet_error(e: impl std::fmt::Display) -> FormatError {
    FormatError::Spreadsheet { reason: e.to_string() }
}

fn data_text(d: &Data) -> Option<String> {
    match d {
        Data::Empty => None,
        Data::String(s) => Some(s.clone()),
        Data::Int(i) => Some(i.to_string()),
        Data::Float(f) => Some(number_text(*f)),
        Data::Bool(b) => Some(b.to_string()),
        Data::DateTime(dt) => Some(datetime_text(dt)),
        Data::DateTimeIso(s) | Data::DurationIso(s) => Some(s.clone()),
        Data::Error(e) => Some(e.to_string()),
    }
    .filter(|s| !s.is_empty())
}

fn data_ref_text(d: &DataRef<'_>) -> Option<String> {
    match d {
        DataRef::Empty => None,
        DataRef::String(s) => Some(s.clone()),
        DataRef::SharedString(s) => Some((*s).to_owned()),
        DataRef::Int(i) => Some(i.to_string()),
        DataRef::Float(f) => Some(number_text(*f)),
        DataRef::Bool(b) => Some(b.to_string()),
        DataRef::DateTime(dt) => Some(datetime_text(dt)),
        DataRef::DateTimeIso(s) | DataRef::DurationIso(s) => Some(s.clone()),
        DataRef::Error(e) => Some(e.to_string()),
    }
    .filter(|s| !s.is_empty())
}

/// A number as Excel shows it in a General cell: whole numbers without `.0`, others with at most
/// 15 significant digits (so `0.1 + 0.2` reads `0.3`).
pub(crate) fn number_text(f: f64) -> String {
    if !f.is_finite() {
        return f.to_string();
    }
    if f.fract() == 0.0 && f.abs() < 1e15 {
        return format!("{}", f as i64);
    }
    let rounded: f64 = format!("{f:.14e}").parse().unwrap_or(f);
    format!("{rounded}")
}

/// ISO 8601: a date, or a date and time when the time is not midnight; durations as h:mm:ss.
fn datetime_text(dt: &ExcelDateTime) -> String {
    if dt.is_duration() {
        let seconds = (dt.as_f64() * 86_400.0).round() as i64;
        let sign = if seconds < 0 { "-" } else { "" };
        let s = seconds.abs();
        return format!("{sign}{}:{:02}:{:02}", s / 3600, s / 60 % 60, s % 60);
    }
    let (y, mo, d, h, mi, s, ms) = dt.to_ymd_hms_milli();
    match (h, mi, s, ms) {
        (0, 0, 0, 0) => format!("{y:04}-{mo:02}-{d:02}"),
        (_, _, _, 0) => format!("{y:04}-{mo:02}-{d:02}T{h:02}:{mi:02}:{s:02}"),
        _ => format!("{y:04}-{mo:02}-{d:02}T{h:02}:{mi:02}:{s:02}.{ms:03}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use calamine::ExcelDateTimeType;

    #[test]
    fn numbers_read_like_excel() {
        assert_eq!(number_text(12.0), "12");
        assert_eq!(number_text(-3.0), "-3");
        assert_eq!(number_text(4601234567890.0), "4601234567890");
        assert_eq!(number_text(1299.5), "1299.5");
        assert_eq!(number_text(0.1 + 0.2), "0.3");
        assert_eq!(number_text(19.99), "19.99");
        assert_eq!(number_text(1e20), "100000000000000000000");
    }

    #[test]
    fn dates_are_iso() {
        let date = ExcelDateTime::new(45413.0, ExcelDateTimeType::DateTime, false);
        assert_eq!(datetime_text(&date), "2024-05-01");
        let stamp = ExcelDateTime::new(45413.4375, ExcelDateTimeType::DateTime, false);
        assert_eq!(datetime_text(&stamp), "2024-05-01T10:30:00");
        let span = ExcelDateTime::new(1.5, ExcelDateTimeType::TimeDelta, false);
        assert_eq!(datetime_text(&span), "36:00:00");
    }

    #[test]
    fn sheet_choice() {
        let sheets = vec!["Прайс".to_owned(), "Остатки".to_owned()];
        assert_eq!(choose_sheet(&sheets, &SheetSelector::Index(1)).unwrap(), "Остатки");
        assert_eq!(choose_sheet(&sheets, &SheetSelector::Name(" остатки ".into())).unwrap(), "Остатки");
        let err = choose_sheet(&sheets, &SheetSelector::Index(5)).unwrap_err();
        assert_eq!(err.to_string(), "The workbook has no sheet number 6. Its sheets are: Прайс, Остатки.");
    }
}
