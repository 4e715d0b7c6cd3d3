//! Files written atomically: the bytes go to a temporary file next to the destination, which
//! replaces the destination by a rename only once complete and synced. A feed served from that
//! folder is never half-written, and a failed export leaves the previous file in place.

use std::fs;
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use flate2::Compression;
use flate2::write::GzEncoder;

mod direct;

use direct::DirectFile;

/// The destination could not be written: said before an export starts, with the reason.
#[derive(Debug, thiserror::Error)]
#[error("cannot write {}: {reason}", path.display())]
pub struct Unwritable {
    pub path: PathBuf,
    pub reason: String,
}

/// Checks that a file can be created in `path`'s folder (the folder exists and is writable),
/// by creating and removing a probe file there.
pub fn check_writable(path: &Path) -> Result<(), Unwritable> {
    let fail = |reason: String| Unwritable { path: path.to_path_buf(), reason };
    if path.as_os_str().is_empty() {
        return Err(fail("no output file is set".into()));
    }
    if path.is_dir() {
        return Err(fail("this is a folder; give a file name".into()));
    }
    let dir = folder_of(path);
    if !dir.is_dir() {
        return Err(fail(format!("the folder {} does not exist", dir.display())));
    }
    let probe = tempfile::Builder::new().prefix(".vitrina-probe").tempfile_in(dir);
    probe.map(drop).map_err(|e| fail(e.to_string()))
}

fn folder_of(path: &Path) -> &Path {
    match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    }
}

enum Sink {
    Plain(BufWriter<DirectFile>),
    Gzip(Box<GzEncoder<BufWriter<DirectFile>>>),
}

/// A file being written; [`commit`](AtomicFile::commit) puts it in place.
pub struct AtomicFile {
    temp: tempfile::NamedTempFile,
    dest: PathBuf,
    sink: Arc<Mutex<Option<Sink>>>,
}

impl std::fmt::Debug for AtomicFile {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AtomicFile").field("dest", &self.dest).field("temp", &self.temp.path()).finish()
    }
}

/// The writer side of an [`AtomicFile`], handed to a format's writer.
#[derive(Clone)]
pub struct FileOutput(Arc<Mutex<Option<Sink>>>);

impl std::fmt::Debug for FileOutput {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("FileOutput")
    }
}

impl Write for FileOutput {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let mut sink = self.0.lock().map_err(|_| io::Error::other("the output was poisoned"))?;
        match sink.as_mut() {
            Some(Sink::Plain(w)) => w.write(buf),
            Some(Sink::Gzip(w)) => w.write(buf),
            None => Err(io::Error::other("the output is already closed")),
        }
    }

    fn flush(&mut self) -> io::Result<()> {
        let mut sink = self.0.lock().map_err(|_| io::Error::other("the output was poisoned"))?;
        match sink.as_mut() {
            Some(Sink::Plain(w)) => w.flush(),
            Some(Sink::Gzip(w)) => w.flush(),
            None => Ok(()),
        }
    }
}

impl AtomicFile {
    /// Starts writing `dest` (gzip-compressed when `gzip`).
    pub fn create(dest: &Path, gzip: bool) -> io::Result<(AtomicFile, FileOutput)> {
        let name = dest.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        let temp = tempfile::Builder::new()
            .prefix(&format!(".{name}."))
            .suffix(".tmp")
            .tempfile_in(folder_of(dest))?;
        // Smaller than the feed writers' own buffers (256 KiB): their flushes go straight to the
        // file's block instead of being copied once more. Small writes (CSV rows) gather here.
        let file = BufWriter::with_capacity(64 * 1024, DirectFile::open(temp.path())?);
        // Level 1: feeds are fetched often and written on every run; speed over the last bytes.
        let sink = if gzip {
            Sink::Gzip(Box::new(GzEncoder::new(file, Compression::fast())))
        } else {
            Sink::Plain(file)
        };
        let sink = Arc::new(Mutex::new(Some(sink)));
        Ok((AtomicFile { temp, dest: dest.to_path_buf(), sink: sink.clone() }, FileOutput(sink)))
    }

    /// Finishes the file, syncs it and renames it over the destination; returns its size.
    pub fn commit(self) -> io::Result<u64> {
        let sink = self.sink.lock().map_err(|_| io::Error::other("the output was poisoned"))?.take();
        let file = match sink {
            Some(Sink::Plain(w)) => w.into_inner().map_err(|e| e.into_error())?.finish()?,
            Some(Sink::Gzip(w)) => w.finish()?.into_inner().map_err(|e| e.into_error())?.finish()?,
            None => return Err(io::Error::other("the output is already closed")),
        };
        file.sync_all()?;
        let bytes = file.metadata()?.len();
        drop(file);
        self.temp.persist(&self.dest).map_err(|e| e.error)?;
        Ok(bytes)
    }
}

/// Removes leftovers of writes that never finished (a crash): `.NAME.*.tmp` next to `dest`.
pub fn remove_stale_temps(dest: &Path) {
    let Some(name) = dest.file_name().map(|n| n.to_string_lossy().into_owned()) else { return };
    let Ok(entries) = fs::read_dir(folder_of(dest)) else { return };
    let prefix = format!(".{name}.");
    for e in entries.flatten() {
        let file = e.file_name().to_string_lossy().into_owned();
        if file.starts_with(&prefix) && file.ends_with(".tmp") {
            let _ = fs::remove_file(e.path());
        }
    }
}

#[cfg(test)]
mod tests {
    use std::fs::File;
    use std::io::Read;

    use super::*;

    #[test]
    fn the_destination_changes_only_on_commit() {
        let dir = tempfile::tempdir().unwrap();
        let dest = dir.path().join("feed.xml");
        fs::write(&dest, "old").unwrap();
        let (file, mut out) = AtomicFile::create(&dest, false).unwrap();
        out.write_all(b"new").unwrap();
        assert_eq!(fs::read_to_string(&dest).unwrap(), "old", "not replaced before commit");
        assert_eq!(file.commit().unwrap(), 3);
        assert_eq!(fs::read_to_string(&dest).unwrap(), "new");

        let (file, mut out) = AtomicFile::create(&dest, false).unwrap();
        out.write_all(b"half").unwrap();
        drop(file);
        assert_eq!(fs::read_to_string(&dest).unwrap(), "new", "an abandoned write leaves the old file");
        assert_eq!(fs::read_dir(dir.path()).unwrap().count(), 1, "and no temporary file");
    }

    #[test]
    fn gzip_output_reads_back() {
        let dir = tempfile::tempdir().unwrap();
        let dest = dir.path().join("feed.xml.gz");
        let (file, mut out) = AtomicFile::create(&dest, true).unwrap();
        out.write_all("<a>привет</a>".as_bytes()).unwrap();
        file.commit().unwrap();
        let mut text = String::new();
        flate2::read::GzDecoder::new(File::open(&dest).unwrap()).read_to_string(&mut text).unwrap();
        assert_eq!(text, "<a>привет</a>");
    }

    #[test]
    fn unwritable_destinations_are_named_with_the_reason() {
        let dir = tempfile::tempdir().unwrap();
        let missing = dir.path().join("nope/feed.xml");
        assert!(check_writable(&missing).unwrap_err().to_string().contains("does not exist"));
        assert!(check_writable(dir.path()).unwrap_err().to_string().contains("folder"));
        assert!(check_writable(&dir.path().join("feed.xml")).is_ok());
        assert_eq!(fs::read_dir(dir.path()).unwrap().count(), 0, "the probe is removed");
    }
}
