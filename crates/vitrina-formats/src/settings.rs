//! What a reader found out about a file, for the import preview.

use crate::encoding::{DetectedEncoding, Encoding};
use crate::sniff::Format;

/// Settings detected (or chosen) for reading a file: shown to the seller before an import.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Settings {
    /// The format read.
    pub format: Format,
    /// The text encoding (not for spreadsheets).
    pub encoding: Option<DetectedEncoding>,
    /// CSV delimiter.
    pub delimiter: Option<char>,
    /// Column names (CSV, spreadsheets), in column order; empty headers get `"Column N"`.
    pub header: Vec<String>,
    /// Line (or sheet row) of the header.
    pub header_line: Option<u64>,
    /// The sheet read.
    pub sheet: Option<String>,
    /// All sheets of the workbook.
    pub sheets: Vec<String>,
    /// XML element path or JSON path of the records.
    pub record_path: Option<String>,
    /// Things the seller should know (a guess made, a label that lied).
    pub notices: Vec<Notice>,
}

impl Settings {
    pub(crate) fn new(format: Format) -> Self {
        Settings {
            format,
            encoding: None,
            delimiter: None,
            header: Vec::new(),
            header_line: None,
            sheet: None,
            sheets: Vec::new(),
            record_path: None,
            notices: Vec::new(),
        }
    }

    pub(crate) fn with_encoding(mut self, encoding: &DetectedEncoding) -> Self {
        if encoding.contradicts_declaration()
            && let Some(declared) = &encoding.declared
        {
            self.notices.push(Notice::EncodingContradictsDeclaration {
                declared: declared.clone(),
                used: encoding.encoding,
            });
        }
        self.encoding = Some(encoding.clone());
        self
    }
}

/// Something worth telling the seller about how the file was read.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Notice {
    /// The file's content is another format than its extension says; the content was followed.
    ExtensionMismatch {
        /// The extension ("xls").
        extension: String,
        /// The format actually read.
        actual: Format,
    },
    /// The file declared one encoding but its bytes are in another; the bytes were followed.
    EncodingContradictsDeclaration {
        /// The label in the file.
        declared: String,
        /// The encoding used.
        used: Encoding,
    },
    /// Title rows above the header were skipped.
    RowsBeforeHeaderSkipped {
        /// How many non-empty rows.
        count: u64,
    },
    /// The record path was not given and was guessed.
    RecordPathGuessed {
        /// The path used.
        path: String,
    },
}

impl std::fmt::Display for Notice {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Notice::ExtensionMismatch { extension, actual } => {
                write!(
                    f,
                    "the file is named .{extension} but is really {actual:?}; it was read as {actual:?}"
                )
            }
            Notice::EncodingContradictsDeclaration { declared, used } => {
                write!(
                    f,
                    "the file says its encoding is {declared}, but its text is {used}; it was read as {used}"
                )
            }
            Notice::RowsBeforeHeaderSkipped { count } => {
                write!(f, "{count} title row(s) above the column names were skipped")
            }
            Notice::RecordPathGuessed { path } => {
                write!(f, "the products were taken from the <{path}> elements")
            }
        }
    }
}
