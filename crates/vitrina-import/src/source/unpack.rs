//! Unpacking `.gz` files and `.zip` archives to the price list inside.
//!
//! What is an archive is decided by `vitrina_formats::detect_format` from the content, never by
//! the name; workbooks (`.xlsx`, `.ods`) are zip files too and are left alone. Decompression
//! streams into a spool with the size limit applied to what comes out, which is what stops
//! zip and gzip bombs.

use std::fs::File;
use std::io::{BufReader, Read};
use std::path::{Path, PathBuf};

use flate2::read::MultiGzDecoder;
use vitrina_formats::{ArchiveKind, Format, FormatError, SNIFF_LEN, detect_format};
use zip::ZipArchive;
use zip::result::ZipError;

use super::SourceError;
use super::spool::{CopyError, Spool, clean_file_name};

/// Where unpacked files go and how big they may get.
pub(super) struct Limits<'a> {
    pub max_bytes: u64,
    pub cache_dir: &'a Path,
    pub cancel: &'a dyn Fn() -> bool,
}

/// A file unpacked from an archive, in the cache folder.
#[derive(Debug)]
pub(super) struct Inner {
    pub path: PathBuf,
    pub file_name: Option<String>,
    pub bytes: u64,
}

/// Unpacks `path` if it is an archive; `None` when it is already the file to read.
pub(super) fn step(
    path: &Path,
    name: Option<&str>,
    location: &str,
    limits: &Limits<'_>,
    progress: &mut dyn FnMut(u64, Option<u64>),
) -> Result<Option<Inner>, SourceError> {
    let head = read_head(path)?;
    match detect_format(&head[..head.len().min(SNIFF_LEN)], name) {
        Err(FormatError::Archive { kind: ArchiveKind::Gzip }) => {
            gunzip(path, name, location, limits, progress).map(Some)
        }
        Err(FormatError::Archive { kind: ArchiveKind::Zip }) => unzip(path, location, limits, progress),
        Err(FormatError::Archive { kind }) => Err(SourceError::UnsupportedArchive {
            location: location.to_owned(),
            reason: format!(
                "this is a {kind} archive, which Vitrina cannot unpack. Ask the supplier for a .zip, a .gz \
                 or the plain file."
            ),
        }),
        _ if is_tar(&head) => Err(SourceError::UnsupportedArchive {
            location: location.to_owned(),
            reason: "this is a TAR archive (.tar or .tar.gz), which Vitrina cannot unpack. Ask the supplier \
                     for a .zip, a .gz or the plain file."
                .into(),
        }),
        // Readable, or a problem the format readers explain better (HTML, PDF, empty).
        _ => Ok(None),
    }
}

fn read_head(path: &Path) -> Result<Vec<u8>, SourceError> {
    let unreadable =
        |e: std::io::Error| SourceError::FileUnreadable { path: path.to_owned(), reason: e.to_string() };
    let file = File::open(path).map_err(unreadable)?;
    let mut head = Vec::with_capacity(SNIFF_LEN);
    file.take(SNIFF_LEN as u64).read_to_end(&mut head).map_err(unreadable)?;
    Ok(head)
}

fn is_tar(head: &[u8]) -> bool {
    head.get(257..262) == Some(b"ustar")
}

fn gunzip(
    path: &Path,
    name: Option<&str>,
    location: &str,
    limits: &Limits<'_>,
    progress: &mut dyn FnMut(u64, Option<u64>),
) -> Result<Inner, SourceError> {
    let file = File::open(path)
        .map_err(|e| SourceError::FileUnreadable { path: path.to_owned(), reason: e.to_string() })?;
    let mut decoder = MultiGzDecoder::new(BufReader::new(file));
    let mut spool = Spool::create(limits.cache_dir, location)?;
    let copied = spool.copy_from(&mut decoder, limits.max_bytes, None, limits.cancel, progress);
    // The name stored by `gzip` itself, else the outer name without `.gz`.
    let inner_name = decoder
        .header()
        .and_then(|h| h.filename())
        .and_then(|n| clean_file_name(&String::from_utf8_lossy(n)))
        .or_else(|| name.map(strip_gzip_extension));
    copied.map_err(|e| match e {
        CopyError::Read(_) => SourceError::Damaged { location: location.to_owned(), kind: "gzip" },
        CopyError::Source(SourceError::TooLarge { limit, announced, .. }) => SourceError::TooLarge {
            location: format!("{location} ({} inside)", inner_name.as_deref().unwrap_or("the file")),
            limit,
            announced,
        },
        CopyError::Source(e) => e,
    })?;
    let bytes = spool.written();
    let path = spool.finish(inner_name.as_deref())?;
    Ok(Inner { path, file_name: inner_name, bytes })
}

fn strip_gzip_extension(name: &str) -> String {
    let lower = name.to_ascii_lowercase();
    if lower.ends_with(".tgz") {
        return format!("{}.tar", &name[..name.len() - 4]);
    }
    for ext in [".gz", ".gzip"] {
        if lower.ends_with(ext) && name.len() > ext.len() {
            return name[..name.len() - ext.len()].to_owned();
        }
    }
    name.to_owned()
}

#[derive(Debug)]
struct Entry {
    index: usize,
    name: String,
    size: u64,
    is_file: bool,
    encrypted: bool,
}

fn unzip(
    path: &Path,
    location: &str,
    limits: &Limits<'_>,
    progress: &mut dyn FnMut(u64, Option<u64>),
) -> Result<Option<Inner>, SourceError> {
    let zip_error = |e: ZipError| zip_error(e, location);
    let file = File::open(path)
        .map_err(|e| SourceError::FileUnreadable { path: path.to_owned(), reason: e.to_string() })?;
    let mut archive = ZipArchive::new(BufReader::new(file)).map_err(zip_error)?;
    let mut entries = Vec::with_capacity(archive.len());
    for index in 0..archive.len() {
        let entry = archive.by_index_raw(index).map_err(zip_error)?;
        entries.push(Entry {
            index,
            name: entry.name().map(|n| n.into_owned()).unwrap_or_default(),
            size: entry.size(),
            is_file: entry.is_file(),
            encrypted: entry.encrypted(),
        });
    }
    if is_workbook(&entries) {
        return Ok(None);
    }
    let chosen = choose(&entries).ok_or_else(|| SourceError::NoSupplierFile {
        location: location.to_owned(),
        names: entries.iter().filter(|e| e.is_file).map(|e| e.name.clone()).collect(),
    })?;
    let file_name = clean_file_name(&chosen.name);
    let inner_location = format!("{location} ({} inside)", file_name.as_deref().unwrap_or("the file"));
    if chosen.encrypted {
        return Err(SourceError::UnsupportedArchive {
            location: inner_location,
            reason: "the archive is protected by a password. Ask the supplier for an archive without one."
                .into(),
        });
    }
    // The declared size is checked first to fail fast; the copy enforces the limit on what the
    // decompressor really produces, since a forged header can lie.
    if chosen.size > limits.max_bytes {
        return Err(SourceError::TooLarge {
            location: inner_location,
            limit: limits.max_bytes,
            announced: Some(chosen.size),
        });
    }
    let mut reader = archive.by_index(chosen.index).map_err(zip_error)?;
    let mut spool = Spool::create(limits.cache_dir, &inner_location)?;
    spool.copy_from(&mut reader, limits.max_bytes, Some(chosen.size), limits.cancel, progress).map_err(
        |e| match e {
            CopyError::Read(_) => SourceError::Damaged { location: location.to_owned(), kind: "zip" },
            CopyError::Source(e) => e,
        },
    )?;
    drop(reader);
    let bytes = spool.written();
    let path = spool.finish(file_name.as_deref())?;
    Ok(Some(Inner { path, file_name, bytes }))
}

/// An Office Open XML or OpenDocument package: read as a workbook, not unpacked.
fn is_workbook(entries: &[Entry]) -> bool {
    let has = |name: &str| entries.iter().any(|e| e.name == name);
    has("[Content_Types].xml") || (has("mimetype") && has("content.xml"))
}

/// The only real file, or else the largest one with an extension the readers know.
fn choose(entries: &[Entry]) -> Option<&Entry> {
    let files: Vec<&Entry> = entries.iter().filter(|e| e.is_file && !is_junk(&e.name)).collect();
    if let [only] = files.as_slice() {
        return Some(only);
    }
    files.into_iter().filter(|e| Format::from_extension(&e.name).is_some()).max_by_key(|e| e.size)
}

/// Files archivers add on their own: macOS resource forks, Windows thumbnails, hidden files.
fn is_junk(name: &str) -> bool {
    let base = name.rsplit(['/', '\\']).next().unwrap_or(name);
    name.starts_with("__MACOSX/")
        || base.starts_with('.')
        || base.eq_ignore_ascii_case("Thumbs.db")
        || base.eq_ignore_ascii_case("desktop.ini")
}

fn zip_error(e: ZipError, location: &str) -> SourceError {
    let unsupported =
        |reason: String| SourceError::UnsupportedArchive { location: location.to_owned(), reason };
    match e {
        ZipError::CompressionMethodNotSupported(_) => unsupported(
            "the archive is packed with a compression method Vitrina cannot unpack. Ask the supplier \
             for a standard zip."
                .into(),
        ),
        ZipError::UnsupportedArchive(what) => unsupported(format!(
            "the archive uses a feature Vitrina cannot unpack ({what}). Ask the supplier for a standard zip."
        )),
        ZipError::InvalidPassword => {
            unsupported("the archive is protected by a password. Ask the supplier for one without.".into())
        }
        _ => SourceError::Damaged { location: location.to_owned(), kind: "zip" },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(index: usize, name: &str, size: u64) -> Entry {
        Entry { index, name: name.into(), size, is_file: !name.ends_with('/'), encrypted: false }
    }

    #[test]
    fn chooses_the_price_list() {
        let one =
            [entry(0, "export/", 0), entry(1, "export/feed", 10), entry(2, "__MACOSX/export/._feed", 1)];
        assert_eq!(choose(&one).unwrap().name, "export/feed");
        let several = [
            entry(0, "readme.pdf", 900),
            entry(1, "small.csv", 10),
            entry(2, "big.xlsx", 500),
            entry(3, "logo.png", 999),
        ];
        assert_eq!(choose(&several).unwrap().name, "big.xlsx");
        assert!(choose(&[entry(0, "a.pdf", 1), entry(1, "b.png", 2)]).is_none());
        assert!(choose(&[]).is_none());
    }

    #[test]
    fn gzip_names_lose_their_extension() {
        assert_eq!(strip_gzip_extension("price.xml.gz"), "price.xml");
        assert_eq!(strip_gzip_extension("PRICE.CSV.GZ"), "PRICE.CSV");
        assert_eq!(strip_gzip_extension("a.tgz"), "a.tar");
        assert_eq!(strip_gzip_extension("feed.xml"), "feed.xml");
        assert_eq!(strip_gzip_extension(".gz"), ".gz");
    }
}
