//! Errors, written for the seller who will read them.
//!
//! Two kinds: a [`RowError`] spoils one row and reading goes on with the next; a [`FormatError`]
//! means the file as a whole cannot be read (empty, cut off, not a price list, unknown encoding).
//! While iterating, both arrive as [`ReadError`]; after a fatal one the reader yields nothing more.
//! Every variant carries its facts as fields so the UI can translate the message.

use std::fmt;
use std::io;

use crate::sniff::{ArchiveKind, ForeignKind};

/// The file as a whole cannot be read.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum FormatError {
    /// Zero bytes, or only whitespace / a byte-order mark.
    #[error("The file is empty.")]
    Empty,
    /// The data stops in the middle of an element, row or object.
    #[error(
        "The file ends abruptly at line {line}: it was probably not downloaded or saved completely. \
         Download or export it again."
    )]
    Truncated {
        /// Line where the file stops.
        line: u64,
    },
    /// The structure is broken beyond one row.
    #[error("The file is damaged near line {line}: {reason}.")]
    Malformed {
        /// Line of the damage.
        line: u64,
        /// What is wrong, in plain words.
        reason: String,
    },
    /// Bytes that are not text in the file's encoding, outside any single row.
    #[error(
        "Near line {line} the file contains bytes that are not valid {encoding} text. The file may be \
         in another encoding: choose it manually."
    )]
    InvalidText {
        /// Line of the bad bytes.
        line: u64,
        /// The encoding the file was read with.
        encoding: &'static str,
    },
    /// The declared encoding is unknown.
    #[error("The file says its text is in the \"{label}\" encoding, which is not supported.")]
    UnsupportedEncoding {
        /// The label as written in the file.
        label: String,
    },
    /// A compressed archive: the import layer unpacks these.
    #[error("This is a {kind} archive, not a price list: unpack it and choose the file inside.")]
    Archive {
        /// Which archive.
        kind: ArchiveKind,
    },
    /// A document that is not a table or a feed (PDF, web page, picture...).
    #[error("{kind}")]
    NotAPriceList {
        /// What it is instead.
        kind: ForeignKind,
    },
    /// An XML file whose main element is not the one this reader expects.
    #[error("This XML file is not a {expected} feed: its main element is <{found}>, not <{root}>.")]
    UnexpectedRoot {
        /// The format expected ("YML").
        expected: &'static str,
        /// The root element expected.
        root: &'static str,
        /// The root element found.
        found: String,
    },
    /// A YML feed without `<offers>`.
    #[error("The YML feed has no <offers> section, so there are no products to read.")]
    NoOffers,
    /// No element matched the record path of a generic XML file.
    #[error("No elements were found at \"{path}\" in this XML file. Choose another item element.")]
    RecordPathNotFound {
        /// The path asked for.
        path: String,
    },
    /// No array at the JSON path (or none at all when the path is guessed).
    #[error("No list of items was found at \"{path}\" in this JSON file. Choose where the items are.")]
    JsonPathNotFound {
        /// The path asked for, or "(automatic)".
        path: String,
    },
    /// The chosen sheet does not exist.
    #[error("The workbook has no sheet {wanted}. Its sheets are: {}.", .available.join(", "))]
    SheetNotFound {
        /// The sheet asked for (quoted name or number).
        wanted: String,
        /// The sheets the workbook has.
        available: Vec<String>,
    },
    /// The chosen sheet has no cells.
    #[error("The sheet \"{sheet}\" is empty.")]
    EmptySheet {
        /// The sheet's name.
        sheet: String,
    },
    /// calamine could not open or read the workbook.
    #[error(
        "The spreadsheet could not be read ({reason}). It may be damaged or password-protected: \
         open it in Excel or LibreOffice and save it again."
    )]
    Spreadsheet {
        /// The library's description.
        reason: String,
    },
    /// The operating system could not read the file.
    #[error("The file could not be read: {0}.")]
    Io(#[from] io::Error),
}

/// One row (offer, object) is broken; the others are still read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}: {problem}", Where(*line, id.as_deref()))]
pub struct RowError {
    /// 1-based line (or sheet row) where the row starts.
    pub line: u64,
    /// The row's id when known (YML offer id).
    pub id: Option<String>,
    /// What is wrong with it.
    pub problem: RowProblem,
}

struct Where<'a>(u64, Option<&'a str>);

impl fmt::Display for Where<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.1 {
            Some(id) => write!(f, "Line {} (item {id})", self.0),
            None => write!(f, "Line {}", self.0),
        }
    }
}

/// Why a row was skipped.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum RowProblem {
    /// A CSV row whose number of columns differs from the header's.
    #[error("the row has {found} columns but the header has {expected}")]
    ColumnCount {
        /// Columns in the header.
        expected: usize,
        /// Columns in this row.
        found: usize,
    },
    /// Bytes that are not valid text in the file's encoding.
    #[error("the row contains bytes that are not valid {encoding} text")]
    InvalidText {
        /// The encoding the file was read with.
        encoding: &'static str,
    },
    /// An XML element opened inside the row and never closed.
    #[error("the element <{name}> is not closed")]
    UnclosedElement {
        /// The element.
        name: String,
    },
    /// A closing tag with no matching opening tag.
    #[error("there is a closing tag </{name}> without a matching opening tag")]
    StrayClosingTag {
        /// The tag.
        name: String,
    },
    /// Other broken markup inside the row.
    #[error("the markup is broken ({reason})")]
    BrokenMarkup {
        /// Details.
        reason: String,
    },
    /// A JSON list item that is not an object.
    #[error("expected an item with fields, found {found}")]
    NotAnObject {
        /// "a number", "a list"...
        found: &'static str,
    },
}

/// What a reader's iterator yields on failure.
#[derive(Debug, thiserror::Error)]
pub enum ReadError {
    /// This row is skipped; reading continues.
    #[error(transparent)]
    Row(#[from] RowError),
    /// Reading stops; nothing more will be yielded.
    #[error(transparent)]
    Fatal(#[from] FormatError),
}

impl ReadError {
    /// True when reading cannot continue.
    pub fn is_fatal(&self) -> bool {
        matches!(self, ReadError::Fatal(_))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn row_error_names_line_and_item() {
        let e = RowError {
            line: 12,
            id: Some("A-1".into()),
            problem: RowProblem::ColumnCount { expected: 5, found: 3 },
        };
        assert_eq!(e.to_string(), "Line 12 (item A-1): the row has 3 columns but the header has 5");
        let e = RowError { line: 3, id: None, problem: RowProblem::NotAnObject { found: "a number" } };
        assert_eq!(e.to_string(), "Line 3: expected an item with fields, found a number");
    }

    #[test]
    fn fatal_messages_are_plain() {
        let e =
            FormatError::SheetNotFound { wanted: "\"Цены\"".into(), available: vec!["Лист1".into()] };
        assert_eq!(e.to_string(), "The workbook has no sheet \"Цены\". Its sheets are: Лист1.");
        assert!(FormatError::Truncated { line: 9 }.to_string().contains("line 9"));
        assert!(ReadError::from(FormatError::Empty).is_fatal());
    }
}
