//! Local files: checked, fingerprinted, and read in place (no copy).

use std::fs::{self, File};
use std::io;
use std::path::Path;
use std::time::UNIX_EPOCH;

use super::{SourceError, Validators, spool};

/// A readable local file.
#[derive(Debug)]
pub(super) struct Found {
    pub file_name: Option<String>,
    /// Size and modification time, in the role of an `ETag`.
    pub etag: Option<String>,
    /// The fingerprint equals the previous run's.
    pub unchanged: bool,
    pub bytes: u64,
}

pub(super) fn open(path: &Path, previous: &Validators) -> Result<Found, SourceError> {
    let unreadable = |e: &io::Error| SourceError::FileUnreadable { path: path.to_owned(), reason: reason(e) };
    let meta = match fs::metadata(path) {
        Ok(meta) => meta,
        Err(e) if e.kind() == io::ErrorKind::NotFound => {
            return Err(SourceError::FileMissing { path: path.to_owned() });
        }
        Err(e) => return Err(unreadable(&e)),
    };
    if meta.is_dir() {
        return Err(SourceError::FileUnreadable { path: path.to_owned(), reason: "it is a folder".into() });
    }
    // Metadata can be readable when the content is not (permissions, locks on Windows).
    File::open(path).map_err(|e| unreadable(&e))?;
    if meta.len() == 0 {
        return Err(SourceError::Empty { location: path.display().to_string() });
    }
    let etag = meta
        .modified()
        .ok()
        .and_then(|m| m.duration_since(UNIX_EPOCH).ok())
        .map(|since| format!("\"file-{:x}-{:x}\"", meta.len(), since.as_nanos()));
    let unchanged = etag.is_some() && etag == previous.etag;
    let file_name = path.file_name().and_then(|n| spool::clean_file_name(&n.to_string_lossy()));
    Ok(Found { file_name, etag, unchanged, bytes: meta.len() })
}

fn reason(e: &io::Error) -> String {
    match e.kind() {
        io::ErrorKind::PermissionDenied => "access is denied (check the file's permissions)".into(),
        _ => e.to_string(),
    }
}
