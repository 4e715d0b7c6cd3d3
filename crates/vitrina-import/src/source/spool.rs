//! Files written into the cache folder: a hidden `.part` file while being written, renamed to
//! its final name when complete, removed when dropped unfinished.

use std::fs;
use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

use tempfile::NamedTempFile;

use super::SourceError;

const PREFIX: &str = ".vitrina-";
const SUFFIX: &str = ".part";
const CHUNK: usize = 64 * 1024;
/// `.part` files older than this were left by a crash and are swept.
const STALE: Duration = Duration::from_secs(24 * 60 * 60);

/// A file being written in the cache folder.
#[derive(Debug)]
pub(super) struct Spool {
    file: NamedTempFile,
    /// The source, for error messages.
    location: String,
    dir: PathBuf,
    written: u64,
}

/// Why copying into a spool stopped.
pub(super) enum CopyError {
    /// Reading the source failed; the caller knows what that means (timeout, damaged archive).
    Read(io::Error),
    /// Anything else, already in the seller's words.
    Source(SourceError),
}

impl From<SourceError> for CopyError {
    fn from(e: SourceError) -> Self {
        CopyError::Source(e)
    }
}

impl Spool {
    pub(super) fn create(dir: &Path, location: &str) -> Result<Spool, SourceError> {
        let cache_error = |e: io::Error| SourceError::Cache {
            location: location.to_owned(),
            dir: dir.to_owned(),
            reason: e.to_string(),
        };
        fs::create_dir_all(dir).map_err(cache_error)?;
        let file =
            tempfile::Builder::new().prefix(PREFIX).suffix(SUFFIX).tempfile_in(dir).map_err(cache_error)?;
        Ok(Spool { file, location: location.to_owned(), dir: dir.to_owned(), written: 0 })
    }

    fn cache_error(&self, e: &io::Error) -> SourceError {
        SourceError::Cache { location: self.location.clone(), dir: self.dir.clone(), reason: e.to_string() }
    }

    /// Copies `reader` to the end of the file, stopping at `max_bytes` (the limit is on what is
    /// written, so it also bounds what a decompressor produces) and when `cancel` says so.
    pub(super) fn copy_from(
        &mut self,
        reader: &mut dyn Read,
        max_bytes: u64,
        total: Option<u64>,
        cancel: &dyn Fn() -> bool,
        progress: &mut dyn FnMut(u64, Option<u64>),
    ) -> Result<(), CopyError> {
        let mut buf = vec![0u8; CHUNK];
        loop {
            if cancel() {
                return Err(SourceError::Cancelled { location: self.location.clone() }.into());
            }
            let n = match reader.read(&mut buf) {
                Ok(0) => break,
                Ok(n) => n,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(CopyError::Read(e)),
            };
            let n64 = n as u64;
            if self.written + n64 > max_bytes {
                return Err(SourceError::TooLarge {
                    location: self.location.clone(),
                    limit: max_bytes,
                    announced: None,
                }
                .into());
            }
            self.file.write_all(&buf[..n]).map_err(|e| self.cache_error(&e))?;
            self.written += n64;
            progress(self.written, total);
        }
        Ok(())
    }

    pub(super) fn written(&self) -> u64 {
        self.written
    }

    /// Renames the finished file to `<random>-<name>` next to it and returns that path.
    pub(super) fn finish(self, name: Option<&str>) -> Result<PathBuf, SourceError> {
        let mut file = self.file;
        if let Err(e) = file.flush() {
            return Err(SourceError::Cache { location: self.location, dir: self.dir, reason: e.to_string() });
        }
        let temp_name = file.path().file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        let unique = temp_name.trim_start_matches(PREFIX).trim_end_matches(SUFFIX);
        let target = self.dir.join(format!("{unique}-{}", name.unwrap_or("download")));
        match file.persist_noclobber(&target) {
            Ok(_) => Ok(target),
            Err(e) => Err(SourceError::Cache {
                location: self.location,
                dir: self.dir,
                reason: e.error.to_string(),
            }),
        }
    }
}

/// Removes `.part` files left in `dir` by a crash. Recent ones may belong to a fetch running
/// right now and stay.
pub(super) fn sweep(dir: &Path) {
    let Ok(entries) = fs::read_dir(dir) else { return };
    let now = SystemTime::now();
    for entry in entries.flatten() {
        let name = entry.file_name();
        let name = name.to_string_lossy();
        if !(name.starts_with(PREFIX) && name.ends_with(SUFFIX)) {
            continue;
        }
        let stale = entry
            .metadata()
            .and_then(|m| m.modified())
            .map(|modified| now.duration_since(modified).unwrap_or_default() > STALE)
            .unwrap_or(false);
        if stale && let Err(e) = fs::remove_file(entry.path()) {
            tracing::debug!(path = %entry.path().display(), error = %e, "could not sweep a stale download");
        }
    }
}

/// A name from a header, link or archive, safe to use as the last part of a file name: no
/// folders, no control characters, not hidden, at most 120 characters.
pub(super) fn clean_file_name(name: &str) -> Option<String> {
    let base = name.rsplit(['/', '\\']).next().unwrap_or(name);
    let cleaned: String = base
        .chars()
        .filter(|c| !c.is_control())
        .map(|c| if matches!(c, ':' | '*' | '?' | '"' | '<' | '>' | '|') { '_' } else { c })
        .collect();
    let cleaned = cleaned.trim().trim_start_matches('.').trim();
    if cleaned.is_empty() {
        return None;
    }
    // Keep the end, where the extension is.
    let chars: Vec<char> = cleaned.chars().collect();
    let start = chars.len().saturating_sub(120);
    Some(chars[start..].iter().collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_names_are_cleaned() {
        assert_eq!(clean_file_name("price.xml").as_deref(), Some("price.xml"));
        assert_eq!(clean_file_name("../../etc/passwd").as_deref(), Some("passwd"));
        assert_eq!(clean_file_name("C:\\Users\\a\\Прайс.xlsx").as_deref(), Some("Прайс.xlsx"));
        assert_eq!(clean_file_name("a:b\n.csv").as_deref(), Some("a_b.csv"));
        assert_eq!(clean_file_name(".hidden.csv").as_deref(), Some("hidden.csv"));
        assert_eq!(clean_file_name("dir/"), None);
        let long = format!("{}.csv", "x".repeat(300));
        assert!(clean_file_name(&long).unwrap().ends_with("x.csv"));
    }

    #[test]
    fn unfinished_spools_leave_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let mut spool = Spool::create(dir.path(), "test").unwrap();
        let mut data: &[u8] = b"hello";
        assert!(spool.copy_from(&mut data, 100, None, &|| false, &mut |_, _| {}).is_ok());
        drop(spool);
        assert_eq!(fs::read_dir(dir.path()).unwrap().count(), 0);

        let spool = Spool::create(dir.path(), "test").unwrap();
        let path = spool.finish(Some("p.csv")).unwrap();
        assert!(path.file_name().unwrap().to_string_lossy().ends_with("-p.csv"));
        assert_eq!(fs::read_dir(dir.path()).unwrap().count(), 1);
    }
}
