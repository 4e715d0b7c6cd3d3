//! Recognising a file by its content, not by its name.
//!
//! Suppliers send `.xls` files that are web pages, `.csv` files that are YML, and archives with
//! any name. [`detect_format`] looks at the first bytes (magic numbers, the XML root element,
//! JSON brackets) and uses the file name only to break ties inside zip containers.

use std::fmt;

use crate::encoding::{self, Encoding};
use crate::error::FormatError;

/// How many leading bytes [`detect_format`] wants (less works, with weaker detection).
pub const SNIFF_LEN: usize = 64 * 1024;

/// A format the readers can read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Format {
    /// Yandex Market Language (`<yml_catalog>`).
    Yml,
    /// Any other XML: records are chosen by an element path.
    Xml,
    /// Delimited text: CSV, TSV, semicolon- or pipe-separated.
    Csv,
    /// Excel 2007+ workbook.
    Xlsx,
    /// Excel binary workbook.
    Xlsb,
    /// Excel 97–2003 workbook.
    Xls,
    /// OpenDocument spreadsheet (LibreOffice).
    Ods,
    /// JSON: an array of objects, possibly inside other objects.
    Json,
}

impl Format {
    /// True for workbook formats read through calamine.
    pub fn is_spreadsheet(self) -> bool {
        matches!(self, Format::Xlsx | Format::Xlsb | Format::Xls | Format::Ods)
    }

    /// The format a file extension suggests, if any.
    pub fn from_extension(file_name: &str) -> Option<Format> {
        let ext = file_name.rsplit_once('.')?.1.to_ascii_lowercase();
        Some(match ext.as_str() {
            "yml" | "yaml_market" => Format::Yml,
            "xml" => Format::Xml,
            "csv" | "tsv" | "txt" | "tab" => Format::Csv,
            "xlsx" | "xlsm" => Format::Xlsx,
            "xlsb" => Format::Xlsb,
            "xls" => Format::Xls,
            "ods" => Format::Ods,
            "json" | "jsonl" | "ndjson" => Format::Json,
            _ => return None,
        })
    }
}

impl fmt::Display for Format {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Format::Yml => "YML",
            Format::Xml => "XML",
            Format::Csv => "CSV",
            Format::Xlsx => "Excel (XLSX)",
            Format::Xlsb => "Excel (XLSB)",
            Format::Xls => "Excel 97-2003 (XLS)",
            Format::Ods => "OpenDocument (ODS)",
            Format::Json => "JSON",
        })
    }
}

/// A compressed container the import layer must unpack first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ArchiveKind {
    /// `.zip`
    Zip,
    /// `.gz`
    Gzip,
    /// `.bz2`
    Bzip2,
    /// `.7z`
    SevenZip,
    /// `.rar`
    Rar,
}

impl fmt::Display for ArchiveKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            ArchiveKind::Zip => "ZIP",
            ArchiveKind::Gzip => "GZIP",
            ArchiveKind::Bzip2 => "BZIP2",
            ArchiveKind::SevenZip => "7-Zip",
            ArchiveKind::Rar => "RAR",
        })
    }
}

/// Something that is not a price list or a feed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ForeignKind {
    /// An HTML page (often an "Excel" file saved as a web page, or a login page).
    Html,
    /// A PDF document.
    Pdf,
    /// A word-processor document.
    WordDocument,
    /// A picture.
    Image,
    /// Binary data of an unknown kind.
    Binary,
}

impl fmt::Display for ForeignKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            ForeignKind::Html => {
                "This is a web page (HTML), not a price list. If it came from Excel, open it there and \
                 save it as .xlsx; if it came from a link, the link may lead to a login page."
            }
            ForeignKind::Pdf => "This is a PDF document: it cannot be imported. Ask the supplier for Excel, CSV or YML.",
            ForeignKind::WordDocument => {
                "This is a text document (Word or Writer), not a table. Ask the supplier for Excel, CSV or YML."
            }
            ForeignKind::Image => "This is a picture, not a price list.",
            ForeignKind::Binary => {
                "This file is not text, a spreadsheet or a feed, so it cannot be imported. It may be damaged."
            }
        })
    }
}

/// Recognises the format of a file from its first bytes (ideally [`SNIFF_LEN`] of them).
///
/// Content wins over the name: a YML feed named `price.csv` is [`Format::Yml`]. The name only
/// helps inside zip containers when the first bytes do not tell xlsx from ods. Archives, web
/// pages, PDFs and pictures are errors with a message for the seller; so is an empty file.
pub fn detect_format(head: &[u8], file_name: Option<&str>) -> Result<Format, FormatError> {
    let ext = file_name.and_then(extension);
    if head.is_empty() {
        return Err(FormatError::Empty);
    }
    if let Some(found) = by_magic(head, ext.as_deref())? {
        return Ok(found);
    }
    // Text: look at it as UTF-8 whatever its real encoding (markup and brackets are ASCII).
    let detected = encoding::detect(head, None, None);
    let text: std::borrow::Cow<'_, [u8]> =
        if detected.encoding == Encoding::UTF_16LE || detected.encoding == Encoding::UTF_16BE {
            let decoded = detected.encoding.decode_lossy(&head[detected.bom_len()..]);
            decoded.into_bytes().into()
        } else {
            head[detected.bom_len()..].into()
        };
    let text = text.trim_ascii_start();
    if text.is_empty() {
        return Err(FormatError::Empty);
    }
    match text[0] {
        b'<' => match xml_root(text) {
            Root::Html => Err(FormatError::NotAPriceList { kind: ForeignKind::Html }),
            Root::Element(name) if name == "yml_catalog" => Ok(Format::Yml),
            Root::Element(name) if name.eq_ignore_ascii_case("html") => {
                Err(FormatError::NotAPriceList { kind: ForeignKind::Html })
            }
            Root::Element(_) | Root::NotYetSeen => Ok(Format::Xml),
        },
        b'{' | b'[' => Ok(Format::Json),
        _ if looks_binary(text) => Err(FormatError::NotAPriceList { kind: ForeignKind::Binary }),
        _ => Ok(Format::Csv),
    }
}

fn extension(name: &str) -> Option<String> {
    Some(name.rsplit_once('.')?.1.to_ascii_lowercase())
}

fn by_magic(head: &[u8], ext: Option<&str>) -> Result<Option<Format>, FormatError> {
    let foreign = |kind| Err(FormatError::NotAPriceList { kind });
    let archive = |kind| Err(FormatError::Archive { kind });
    if head.starts_with(b"PK\x03\x04") || head.starts_with(b"PK\x05\x06") {
        return zip_content(head, ext).map(Some);
    }
    if head.starts_with(&[0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1]) {
        // OLE compound file: Excel 97-2003, or an old Word document.
        return match ext {
            Some("doc") => foreign(ForeignKind::WordDocument),
            _ => Ok(Some(Format::Xls)),
        };
    }
    match head {
        [0x1F, 0x8B, ..] => archive(ArchiveKind::Gzip),
        [b'B', b'Z', b'h', ..] => archive(ArchiveKind::Bzip2),
        [b'7', b'z', 0xBC, 0xAF, 0x27, 0x1C, ..] => archive(ArchiveKind::SevenZip),
        [b'R', b'a', b'r', b'!', ..] => archive(ArchiveKind::Rar),
        [b'%', b'P', b'D', b'F', ..] => foreign(ForeignKind::Pdf),
        [0x89, b'P', b'N', b'G', ..] | [0xFF, 0xD8, 0xFF, ..] | [b'G', b'I', b'F', b'8', ..] => {
            foreign(ForeignKind::Image)
        }
        [b'R', b'I', b'F', b'F', _, _, _, _, b'W', b'E', b'B', b'P', ..] => foreign(ForeignKind::Image),
        [b'{', b'\\', b'r', b't', b'f', ..] => foreign(ForeignKind::WordDocument),
        _ => Ok(None),
    }
}

/// Tells an xlsx or ods from a plain zip archive by the names of the first entries.
fn zip_content(head: &[u8], ext: Option<&str>) -> Result<Format, FormatError> {
    let has = |needle: &[u8]| memchr::memmem::find(head, needle).is_some();
    if has(b"mimetypeapplication/vnd.oasis.opendocument.spreadsheet") {
        return Ok(Format::Ods);
    }
    if has(b"mimetypeapplication/vnd.oasis.opendocument.text") || has(b"word/") {
        return Err(FormatError::NotAPriceList { kind: ForeignKind::WordDocument });
    }
    if has(b"xl/workbook.bin") {
        return Ok(Format::Xlsb);
    }
    if has(b"xl/") {
        return Ok(if ext == Some("xlsb") { Format::Xlsb } else { Format::Xlsx });
    }
    match ext {
        Some("xlsx" | "xlsm") => Ok(Format::Xlsx),
        Some("xlsb") => Ok(Format::Xlsb),
        Some("ods") => Ok(Format::Ods),
        // An Office Open XML package whose workbook parts come later in the file.
        _ if has(b"[Content_Types].xml") => Ok(Format::Xlsx),
        _ => Err(FormatError::Archive { kind: ArchiveKind::Zip }),
    }
}

enum Root {
    Html,
    Element(String),
    NotYetSeen,
}

/// The name of the first element, skipping the declaration, comments, PIs and the DOCTYPE.
fn xml_root(mut text: &[u8]) -> Root {
    loop {
        text = text.trim_ascii_start();
        if text.len() < 2 {
            return Root::NotYetSeen;
        }
        let skip_to = |text: &[u8], end: &[u8]| memchr::memmem::find(text, end).map(|i| i + end.len());
        let next = if text.starts_with(b"<?") {
            skip_to(text, b"?>")
        } else if text.starts_with(b"<!--") {
            skip_to(text, b"-->")
        } else if text.len() >= 9 && text[..9].eq_ignore_ascii_case(b"<!DOCTYPE") {
            let rest = text[9..].trim_ascii_start();
            if rest.len() >= 4 && rest[..4].eq_ignore_ascii_case(b"html") {
                return Root::Html;
            }
            doctype_end(text)
        } else if text[0] == b'<' {
            let name: Vec<u8> = text[1..]
                .iter()
                .take_while(|b| !b.is_ascii_whitespace() && !matches!(b, b'>' | b'/'))
                .copied()
                .collect();
            return Root::Element(String::from_utf8_lossy(&name).into_owned());
        } else {
            return Root::NotYetSeen;
        };
        match next {
            Some(i) => text = &text[i..],
            None => return Root::NotYetSeen,
        }
    }
}

/// End of `<!DOCTYPE ...>`, which may hold an internal subset in brackets.
fn doctype_end(text: &[u8]) -> Option<usize> {
    let mut depth = 0usize;
    for (i, b) in text.iter().enumerate() {
        match b {
            b'[' => depth += 1,
            b']' => depth = depth.saturating_sub(1),
            b'>' if depth == 0 => return Some(i + 1),
            _ => {}
        }
    }
    None
}

/// Zero bytes or many control characters mean this is not text.
fn looks_binary(text: &[u8]) -> bool {
    let sample = &text[..text.len().min(8192)];
    if sample.contains(&0) {
        return true;
    }
    let control = sample.iter().filter(|b| **b < 0x20 && !matches!(b, b'\t' | b'\n' | b'\r' | 0x0C)).count();
    control * 20 > sample.len()
}

#[cfg(test)]
mod tests {
    use super::*;
    use rstest::rstest;

    #[rstest]
    #[case::yml(
        b"<?xml version=\"1.0\"?>\n<!DOCTYPE yml_catalog SYSTEM \"shops.dtd\">\n<yml_catalog>",
        None,
        Format::Yml
    )]
    #[case::yml_named_csv(b"<yml_catalog date=\"x\">", Some("price.csv"), Format::Yml)]
    #[case::xml(b"\xEF\xBB\xBF<!-- c --><catalog><items>", Some("a.yml"), Format::Xml)]
    #[case::xml_decl_only(b"<?xml version=\"1.0\"?>", None, Format::Xml)]
    #[case::json(b"  {\"data\": []}", None, Format::Json)]
    #[case::json_array(b"[{\"a\":1}]", Some("x.csv"), Format::Json)]
    #[case::csv(b"id;name\n1;x", Some("x.xlsx"), Format::Csv)]
    #[case::csv_cp1251(b"\xc8\xec\xff;\xd6\xe5\xed\xe0\n", None, Format::Csv)]
    #[case::ole(b"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1rest", Some("p.xls"), Format::Xls)]
    #[case::ods(b"PK\x03\x04....mimetypeapplication/vnd.oasis.opendocument.spreadsheetPK", None, Format::Ods)]
    #[case::xlsx(b"PK\x03\x04....[Content_Types].xml....PK\x03\x04..xl/workbook.xml", None, Format::Xlsx)]
    #[case::xlsx_by_ext(b"PK\x03\x04....docProps/app.xml", Some("P.XLSX"), Format::Xlsx)]
    #[case::utf16_tsv(b"\xFF\xFEI\0D\0\t\0N\0", None, Format::Csv)]
    fn recognises(#[case] head: &[u8], #[case] name: Option<&str>, #[case] expected: Format) {
        assert_eq!(detect_format(head, name).unwrap(), expected);
    }

    #[rstest]
    #[case::empty(b"", "The file is empty.")]
    #[case::blank(b"\xEF\xBB\xBF \r\n", "The file is empty.")]
    #[case::zip(b"PK\x03\x04....price.csv", "ZIP archive")]
    #[case::gzip(b"\x1F\x8B\x08\x00", "GZIP archive")]
    #[case::html(b"<!DOCTYPE html><html>", "web page")]
    #[case::html_table(b"<html xmlns:o=\"urn:schemas-microsoft-com:office:office\">", "web page")]
    #[case::pdf(b"%PDF-1.7", "PDF")]
    #[case::binary(b"\x00\x01\x02\x03garbage", "not text")]
    #[case::docx(b"PK\x03\x04....word/document.xml", "text document")]
    fn refuses(#[case] head: &[u8], #[case] message: &str) {
        let err = detect_format(head, Some("price.xls")).unwrap_err().to_string();
        assert!(err.contains(message), "{err}");
    }

    #[test]
    fn extension_hints() {
        assert_eq!(Format::from_extension("a.TSV"), Some(Format::Csv));
        assert_eq!(Format::from_extension("noext"), None);
        assert!(Format::Ods.is_spreadsheet() && !Format::Csv.is_spreadsheet());
    }
}
