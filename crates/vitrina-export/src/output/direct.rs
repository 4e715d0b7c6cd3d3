//! A feed's bytes written past the page cache where the system allows it (`O_DIRECT` on Linux).
//!
//! A million-product feed is 1–2 GB. Written through the page cache, copying it there costs the
//! kernel as much CPU as formatting it (0.4–3.5 s for 1.8 GB on the benchmark machine) and pushes
//! the catalog itself out of memory, so the next export reads it from disk again. Written
//! directly, the disk takes the bytes from our buffer. Whole aligned blocks go out as they
//! fill; the last, partial block is padded to the alignment and the file cut back to its length.
//!
//! Where direct writes are refused (a file system without them, another OS), the same type
//! writes through the page cache; the bytes on disk are the same either way.

use std::fs::{File, OpenOptions};
use std::io::{self, Write};
use std::path::Path;

/// Alignment of offsets, lengths and memory for direct writes: a multiple of every logical
/// block size in use (512 and 4096 bytes).
const ALIGN: usize = 4096;
/// Bytes gathered before each write.
const BLOCK: usize = 1 << 20;

/// A file written a megabyte at a time, directly to the disk when it can be.
pub(crate) struct DirectFile {
    file: File,
    /// `BLOCK + ALIGN` bytes; the block used starts at `start`, which is aligned.
    memory: Vec<u8>,
    start: usize,
    /// Bytes of the block in use.
    len: usize,
    /// Bytes written to the file so far.
    written: u64,
    direct: bool,
    path: std::path::PathBuf,
}

impl DirectFile {
    /// Opens `path` (which must exist, empty) for writing from its start.
    pub(crate) fn open(path: &Path) -> io::Result<DirectFile> {
        let (file, direct) = match open_direct(path) {
            Ok(file) => (file, true),
            Err(_) => (OpenOptions::new().write(true).open(path)?, false),
        };
        let memory = vec![0u8; BLOCK + ALIGN];
        let start = memory.as_ptr().align_offset(ALIGN);
        Ok(DirectFile { file, memory, start, len: 0, written: 0, direct, path: path.to_path_buf() })
    }

    /// True while writes bypass the page cache.
    #[cfg(test)]
    pub(crate) fn is_direct(&self) -> bool {
        self.direct
    }

    /// Writes what is left and returns the file, at its exact length.
    pub(crate) fn finish(mut self) -> io::Result<File> {
        let len = self.len;
        if len > 0 {
            if self.direct {
                // A direct write must cover whole aligned blocks: the tail goes out padded with
                // zeros, and the file is then cut back to the bytes that were given.
                let padded = len.div_ceil(ALIGN) * ALIGN;
                self.memory[self.start + len..self.start + padded].fill(0);
                self.len = padded;
                self.write_block()?;
                self.written -= (padded - len) as u64;
                self.file.set_len(self.written)?;
            } else {
                self.write_block()?;
            }
        }
        Ok(self.file)
    }

    fn write_block(&mut self) -> io::Result<()> {
        let block = &self.memory[self.start..self.start + self.len];
        match self.file.write_all(block) {
            Ok(()) => {}
            // Refused at the first write (some file systems accept the flag at open and not
            // later): go on through the page cache from the start.
            Err(e) if self.direct && self.written == 0 && e.kind() == io::ErrorKind::InvalidInput => {
                self.file = OpenOptions::new().write(true).truncate(true).open(&self.path)?;
                self.direct = false;
                self.file.write_all(block)?;
            }
            Err(e) => return Err(e),
        }
        self.written += self.len as u64;
        self.len = 0;
        Ok(())
    }
}

impl Write for DirectFile {
    fn write(&mut self, data: &[u8]) -> io::Result<usize> {
        let n = data.len().min(BLOCK - self.len);
        let at = self.start + self.len;
        self.memory[at..at + n].copy_from_slice(&data[..n]);
        self.len += n;
        if self.len == BLOCK {
            self.write_block()?;
        }
        Ok(n)
    }

    /// Writes nothing early: a block goes out only when full (or at [`DirectFile::finish`]), so
    /// every direct write stays aligned.
    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

#[cfg(target_os = "linux")]
fn open_direct(path: &Path) -> io::Result<File> {
    use std::os::unix::fs::OpenOptionsExt;
    OpenOptions::new().write(true).custom_flags(libc::O_DIRECT).open(path)
}

#[cfg(not(target_os = "linux"))]
fn open_direct(_path: &Path) -> io::Result<File> {
    Err(io::Error::new(io::ErrorKind::Unsupported, "direct writes are used on Linux only"))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Bytes no two blocks share, so a block written twice or out of place shows.
    fn pattern(n: usize) -> Vec<u8> {
        (0..n).map(|i| (i % 251) as u8 ^ (i / 4093) as u8).collect()
    }

    fn round_trip(dir: &Path, size: usize, piece: usize) -> bool {
        let path = dir.join(format!("out-{size}-{piece}"));
        File::create(&path).unwrap();
        let data = pattern(size);
        let mut out = DirectFile::open(&path).unwrap();
        let direct = out.is_direct();
        for chunk in data.chunks(piece) {
            out.write_all(chunk).unwrap();
        }
        let file = out.finish().unwrap();
        assert_eq!(file.metadata().unwrap().len(), size as u64);
        drop(file);
        assert!(std::fs::read(&path).unwrap() == data, "{size} bytes in pieces of {piece}");
        direct
    }

    #[test]
    fn every_length_reads_back_exactly() {
        let dir = tempfile::tempdir().unwrap();
        for size in [0, 1, ALIGN - 1, ALIGN, ALIGN + 1, BLOCK - 1, BLOCK, BLOCK + 1, 3 * BLOCK + 12_345] {
            for piece in [1 << 18, 7_777] {
                round_trip(dir.path(), size, piece);
            }
        }
    }

    #[test]
    fn a_file_system_without_direct_writes_gets_the_same_bytes() {
        // tmpfs refuses O_DIRECT on many kernels; whichever way it goes, the bytes must be right.
        let shm = Path::new("/dev/shm");
        if shm.is_dir() {
            let dir = tempfile::tempdir_in(shm).unwrap();
            round_trip(dir.path(), 2 * BLOCK + 5, 100_000);
        }
        // And a file opened without the flag behaves the same as one with it.
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("plain");
        File::create(&path).unwrap();
        let mut out = DirectFile::open(&path).unwrap();
        out.file = OpenOptions::new().write(true).open(&path).unwrap();
        out.direct = false;
        out.write_all(&pattern(BLOCK + 3)).unwrap();
        drop(out.finish().unwrap());
        assert_eq!(std::fs::read(&path).unwrap(), pattern(BLOCK + 3));
    }
}
