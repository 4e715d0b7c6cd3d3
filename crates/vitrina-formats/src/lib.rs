//! Streaming readers of suppliers' files — YML and other XML, CSV/TSV, XLSX/XLS/ODS, JSON — that
//! turn any of them into the same [`Record`]s: ordered source fields with their raw text, plus
//! characteristics ([`Param`]). No database, no network, no normalisation: mapping fields to the
//! catalog, parsing prices and matching products belong to the import layer above.
//!
//! Files are recognised by content ([`detect_format`]), text encodings by their bytes
//! ([`DetectedEncoding`]). Reading is streaming with reused buffers, so memory stays flat for
//! a feed of any size. A broken row is reported as a [`RowError`] and reading goes on; a file
//! that cannot be read at all (empty, cut off, not a price list) gives a [`FormatError`] whose
//! message is written for the seller.
//!
//! ```no_run
//! use vitrina_formats::{open_file, ReadError, ReadOptions};
//!
//! let reader = open_file("price.xml".as_ref(), &ReadOptions::default())?;
//! for item in reader {
//!     match item {
//!         Ok(record) => println!("{:?} {:?}", record.id(), record.get("price")),
//!         Err(ReadError::Row(skipped)) => eprintln!("skipped: {skipped}"),
//!         Err(ReadError::Fatal(error)) => return Err(error),
//!     }
//! }
//! # Ok::<(), vitrina_formats::FormatError>(())
//! ```

mod csv;
mod encoding;
mod error;
mod header;
mod json;
mod preview;
mod record;
mod settings;
mod sheet;
mod sniff;
pub mod write;
mod xml_input;
mod xml_path;
mod yml;

use std::fs::File;
use std::io::{Read, Seek};
use std::path::Path;

pub use crate::csv::{CsvOptions, CsvReader, detect_delimiter};
pub use crate::encoding::{DetectedEncoding, Encoding, EncodingSource};
pub use crate::error::{FormatError, ReadError, RowError, RowProblem};
pub use crate::header::HeaderRow;
pub use crate::json::JsonReader;
pub use crate::preview::Preview;
pub use crate::record::{Fields, Location, Param, Record};
pub use crate::settings::{Notice, Settings};
pub use crate::sheet::{SheetOptions, SheetReader, SheetSelector};
pub use crate::sniff::{ArchiveKind, ForeignKind, Format, SNIFF_LEN, detect_format};
pub use crate::xml_path::{XmlPathReader, guess_record_path};
pub use crate::yml::{Category, Currency, STOCK_FIELDS, Shop, StockHint, YmlReader, stock_hint};

/// A reader of records: every format implements it, and every reader is also an
/// `Iterator<Item = Result<Record, ReadError>>`.
pub trait RecordSource {
    /// Reads the next record into `record`, reusing its buffers.
    ///
    /// `None` at the end; `Some(Err(ReadError::Row(..)))` for a skipped row (call again for the
    /// next one); after `Some(Err(ReadError::Fatal(..)))` every call returns `None`.
    fn read_into(&mut self, record: &mut Record) -> Option<Result<(), ReadError>>;

    /// What was detected about the file.
    fn settings(&self) -> &Settings;
}

/// Implements `Iterator` for a reader with a `spare: Record` field: it reads into the spare
/// record and yields a copy, allocated at its final size in one go.
macro_rules! impl_iterator {
    ($ty:ident $(< $g:ident : $bound:path >)?) => {
        impl$(<$g: $bound>)? Iterator for $ty$(<$g>)? {
            type Item = Result<$crate::Record, $crate::ReadError>;

            fn next(&mut self) -> Option<Self::Item> {
                let mut spare = std::mem::take(&mut self.spare);
                let item = $crate::RecordSource::read_into(self, &mut spare).map(|r| r.map(|()| spare.clone()));
                self.spare = spare;
                item
            }
        }
    };
}
pub(crate) use impl_iterator;

/// How to read a file; every field is optional and detected when left empty.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ReadOptions {
    /// Read as this format instead of detecting it.
    pub format: Option<Format>,
    /// Text encoding instead of detecting it (text formats).
    pub encoding: Option<Encoding>,
    /// CSV delimiter instead of detecting it.
    pub delimiter: Option<u8>,
    /// Which row holds the column names (CSV and spreadsheets).
    pub header: HeaderRow,
    /// Which sheet of a workbook.
    pub sheet: SheetSelector,
    /// XML element path of the records (generic XML; guessed when empty), or the dotted path
    /// of the JSON array (`"data.items"`; guessed when empty, `""` given as `Some` = top level).
    pub record_path: Option<String>,
}

/// A reader of any supported format, as chosen by [`open_file`] or [`open`].
#[derive(Debug)]
#[non_exhaustive]
pub enum FileReader<R: Read = File> {
    /// A YML feed.
    Yml(Box<YmlReader<R>>),
    /// Generic XML.
    Xml(Box<XmlPathReader<R>>),
    /// CSV / TSV.
    Csv(Box<CsvReader<R>>),
    /// A workbook sheet.
    Sheet(Box<SheetReader>),
    /// JSON.
    Json(Box<JsonReader<R>>),
}

impl<R: Read> FileReader<R> {
    /// The YML shop header (currencies, categories), for YML feeds.
    pub fn shop(&self) -> Option<&Shop> {
        match self {
            FileReader::Yml(r) => Some(r.shop()),
            _ => None,
        }
    }

    /// Reads the first `n` records (and the row errors among them) for the import preview.
    pub fn preview(mut self, n: usize) -> Preview {
        preview::take(&mut self, n)
    }
}

impl<R: Read> RecordSource for FileReader<R> {
    fn read_into(&mut self, record: &mut Record) -> Option<Result<(), ReadError>> {
        match self {
            FileReader::Yml(r) => r.read_into(record),
            FileReader::Xml(r) => r.read_into(record),
            FileReader::Csv(r) => r.read_into(record),
            FileReader::Sheet(r) => r.read_into(record),
            FileReader::Json(r) => r.read_into(record),
        }
    }

    fn settings(&self) -> &Settings {
        match self {
            FileReader::Yml(r) => r.settings(),
            FileReader::Xml(r) => r.settings(),
            FileReader::Csv(r) => r.settings(),
            FileReader::Sheet(r) => r.settings(),
            FileReader::Json(r) => r.settings(),
        }
    }
}

impl<R: Read> Iterator for FileReader<R> {
    type Item = Result<Record, ReadError>;

    fn next(&mut self) -> Option<Self::Item> {
        match self {
            FileReader::Yml(r) => r.next(),
            FileReader::Xml(r) => r.next(),
            FileReader::Csv(r) => r.next(),
            FileReader::Sheet(r) => r.next(),
            FileReader::Json(r) => r.next(),
        }
    }
}

/// Opens a file of any supported format, detecting what the options leave open.
pub fn open_file(path: &Path, options: &ReadOptions) -> Result<FileReader, FormatError> {
    let file = File::open(path)?;
    let name = path.file_name().map(|n| n.to_string_lossy().into_owned());
    open(file, name.as_deref(), options)
}

/// Opens any seekable source (a file, an in-memory buffer) named `file_name`.
///
/// Text formats are streamed from the source; workbooks are read by calamine (xlsx rows are
/// streamed on a helper thread, xls/ods sheets are loaded whole, as their formats require).
pub fn open<S>(
    mut source: S,
    file_name: Option<&str>,
    options: &ReadOptions,
) -> Result<FileReader<S>, FormatError>
where
    S: Read + Seek + Send + 'static,
{
    let head = encoding::read_head(&mut source, encoding::SAMPLE_LEN)?;
    let format = match options.format {
        Some(format) => format,
        None => detect_format(&head[..head.len().min(SNIFF_LEN)], file_name)?,
    };
    source.rewind()?;
    let mut reader = match format {
        Format::Yml => FileReader::Yml(Box::new(YmlReader::with_encoding(source, options.encoding)?)),
        Format::Xml => {
            let reader = match options.record_path.as_deref().filter(|p| !p.trim().is_empty()) {
                Some(path) => XmlPathReader::new(source, path, options.encoding)?,
                None => XmlPathReader::guessing(&head, source, options.encoding)?,
            };
            FileReader::Xml(Box::new(reader))
        }
        Format::Csv => {
            let csv_options = CsvOptions {
                delimiter: options.delimiter,
                encoding: options.encoding,
                header: options.header,
                file_name: file_name.map(str::to_owned),
            };
            FileReader::Csv(Box::new(CsvReader::new(source, &csv_options)?))
        }
        Format::Json => {
            let path = options.record_path.as_deref();
            FileReader::Json(Box::new(JsonReader::new(source, path, options.encoding, file_name)?))
        }
        Format::Xlsx | Format::Xlsb | Format::Xls | Format::Ods => {
            let sheet_options = SheetOptions { sheet: options.sheet.clone(), header: options.header };
            FileReader::Sheet(Box::new(SheetReader::new(source, format, &sheet_options)?))
        }
    };
    if let Some(name) = file_name
        && let Some((_, ext)) = name.rsplit_once('.')
        && let Some(claimed) = Format::from_extension(name)
        && claimed != format
        && !(claimed == Format::Xml && format == Format::Yml)
        && !(claimed == Format::Yml && format == Format::Xml)
    {
        let extension = ext.to_ascii_lowercase();
        settings_mut(&mut reader).notices.push(Notice::ExtensionMismatch { extension, actual: format });
    }
    Ok(reader)
}

fn settings_mut<R: Read>(reader: &mut FileReader<R>) -> &mut Settings {
    match reader {
        FileReader::Yml(r) => r.settings_mut(),
        FileReader::Xml(r) => r.settings_mut(),
        FileReader::Csv(r) => r.settings_mut(),
        FileReader::Sheet(r) => r.settings_mut(),
        FileReader::Json(r) => r.settings_mut(),
    }
}

/// Opens `path` and reads its first `n` records with the detected settings, for the preview
/// the import screen shows before running.
pub fn preview_file(path: &Path, options: &ReadOptions, n: usize) -> Result<Preview, FormatError> {
    Ok(open_file(path, options)?.preview(n))
}
