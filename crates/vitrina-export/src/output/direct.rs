//! A feed's bytes written past the page cache where the system allows it (`O_DIRECT` on Linux),
//! by a thread of their own.
//!
//! A million-product feed is 1–2 GB. Written through the page cache, copying it there costs the
//! kernel as much CPU as formatting it (0.4–3.5 s for 1.8 GB on the benchmark machine) and pushes
//! the catalog itself out of memory, so the next export reads it from disk again. Written
//! directly, the disk takes the bytes from our buffer — and the write waits for the disk, so
//! full blocks go to an I/O thread while the writer fills the next one.
//!
//! Whole aligned blocks go out as they fill; the last, partial block is padded to the alignment
//! and the file cut back to its length. Where direct writes are refused (a file system without
//! them, another OS), the same thread writes through the page cache; the bytes on disk are the
//! same either way.

use std::fs::{File, OpenOptions};
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::sync::mpsc::{Receiver, SyncSender, sync_channel};
use std::thread::JoinHandle;

/// Alignment of offsets, lengths and memory for direct writes: a multiple of every logical
/// block size in use (512 and 4096 bytes).
const ALIGN: usize = 4096;
/// Bytes gathered before each write.
const BLOCK: usize = 1 << 20;
/// Blocks in all: one being filled, one waiting, one being written.
const BLOCKS: usize = 3;

/// `BLOCK` bytes of memory starting at an aligned address.
struct Block {
    memory: Vec<u8>,
    start: usize,
}

impl Block {
    fn new() -> Block {
        let memory = vec![0u8; BLOCK + ALIGN];
        let start = memory.as_ptr().align_offset(ALIGN);
        Block { memory, start }
    }

    fn bytes(&mut self) -> &mut [u8] {
        &mut self.memory[self.start..self.start + BLOCK]
    }
}

/// What the writer hands the I/O thread.
struct Full {
    block: Block,
    len: usize,
    /// The file's last bytes: pad them if writing directly, then cut the file back.
    last: bool,
}

/// A file written a megabyte at a time by an I/O thread, directly to the disk when it can be.
pub(crate) struct DirectFile {
    block: Option<Block>,
    len: usize,
    to_io: Option<SyncSender<Full>>,
    free: Receiver<Block>,
    io: Option<JoinHandle<io::Result<Written>>>,
}

/// The I/O thread's end.
struct Written {
    file: File,
    direct: bool,
}

impl DirectFile {
    /// Opens `path` (which must exist, empty) for writing from its start.
    pub(crate) fn open(path: &Path) -> io::Result<DirectFile> {
        let (file, direct) = match open_direct(path) {
            Ok(file) => (file, true),
            Err(_) => (OpenOptions::new().write(true).open(path)?, false),
        };
        let (to_io, from_writer) = sync_channel::<Full>(1);
        let (give_back, free) = sync_channel::<Block>(BLOCKS);
        for _ in 1..BLOCKS {
            give_back.send(Block::new()).map_err(io::Error::other)?;
        }
        let mut io = Io { file, direct, written: 0, path: path.to_path_buf() };
        let thread = std::thread::Builder::new()
            .name("feed-io".into())
            .spawn(move || io.run(from_writer, give_back))?;
        Ok(DirectFile { block: Some(Block::new()), len: 0, to_io: Some(to_io), free, io: Some(thread) })
    }

    /// Writes what is left, waits for the I/O thread and returns the file at its exact length.
    pub(crate) fn finish(mut self) -> io::Result<File> {
        self.hand_over(true)?;
        let written = self.join()?;
        tracing::debug!(direct = written.direct, "feed file written");
        Ok(written.file)
    }

    /// True while writes bypass the page cache (after [`finish`](Self::finish) is no longer
    /// possible to ask; tests write and ask in one go).
    #[cfg(test)]
    pub(crate) fn finish_direct(mut self) -> io::Result<(File, bool)> {
        self.hand_over(true)?;
        let written = self.join()?;
        Ok((written.file, written.direct))
    }

    /// Sends the current block to the I/O thread and takes a free one.
    fn hand_over(&mut self, last: bool) -> io::Result<()> {
        let block = self.block.take().ok_or_else(|| io::Error::other("the output is closed"))?;
        let sent = self.to_io.as_ref().is_some_and(|tx| tx.send(Full { block, len: self.len, last }).is_ok());
        self.len = 0;
        if !sent {
            // The I/O thread stopped on an error: that error is the answer.
            return Err(self.join().err().unwrap_or_else(|| io::Error::other("the file writer stopped")));
        }
        if last {
            self.to_io = None;
        } else {
            match self.free.recv() {
                Ok(block) => self.block = Some(block),
                Err(_) => {
                    return Err(self
                        .join()
                        .err()
                        .unwrap_or_else(|| io::Error::other("the file writer stopped")));
                }
            }
        }
        Ok(())
    }

    fn join(&mut self) -> io::Result<Written> {
        self.to_io = None;
        let thread = self.io.take().ok_or_else(|| io::Error::other("the file writer already stopped"))?;
        thread.join().map_err(|_| io::Error::other("the file writer panicked"))?
    }
}

impl Drop for DirectFile {
    fn drop(&mut self) {
        // An abandoned file: let the I/O thread end (the temporary file is removed by its owner).
        self.to_io = None;
        if let Some(thread) = self.io.take() {
            let _ = thread.join();
        }
    }
}

impl Write for DirectFile {
    fn write(&mut self, data: &[u8]) -> io::Result<usize> {
        let Some(block) = self.block.as_mut() else {
            return Err(io::Error::other("the output is closed"));
        };
        let n = data.len().min(BLOCK - self.len);
        block.bytes()[self.len..self.len + n].copy_from_slice(&data[..n]);
        self.len += n;
        if self.len == BLOCK {
            self.hand_over(false)?;
        }
        Ok(n)
    }

    /// Writes nothing early: a block goes out only when full (or at [`DirectFile::finish`]), so
    /// every direct write stays aligned.
    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

/// The I/O thread's state.
struct Io {
    file: File,
    direct: bool,
    written: u64,
    path: PathBuf,
}

impl Io {
    fn run(&mut self, blocks: Receiver<Full>, give_back: SyncSender<Block>) -> io::Result<Written> {
        for Full { mut block, len, last } in blocks {
            if len > 0 {
                self.write(&mut block, len, last)?;
            }
            if last {
                break;
            }
            // The writer may already be gone (it failed); nothing more to hand back then.
            let _ = give_back.send(block);
        }
        let file = self.file.try_clone()?;
        Ok(Written { file, direct: self.direct })
    }

    fn write(&mut self, block: &mut Block, len: usize, last: bool) -> io::Result<()> {
        // A direct write must cover whole aligned blocks: the tail goes out padded with zeros,
        // and the file is then cut back to the bytes that were given.
        let padded = if self.direct && last { len.div_ceil(ALIGN) * ALIGN } else { len };
        block.bytes()[len..padded].fill(0);
        let bytes = &block.bytes()[..padded];
        match self.file.write_all(bytes) {
            Ok(()) => {}
            // Refused at the first write (some file systems accept the flag at open and not
            // later): go on through the page cache from the start.
            Err(e) if self.direct && self.written == 0 && e.kind() == io::ErrorKind::InvalidInput => {
                self.file = OpenOptions::new().write(true).truncate(true).open(&self.path)?;
                self.direct = false;
                self.file.write_all(&block.bytes()[..len])?;
            }
            Err(e) => return Err(e),
        }
        self.written += len as u64;
        if padded != len {
            self.file.set_len(self.written)?;
        }
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

    /// Writes `size` bytes in pieces of `piece`, checks them, and says whether it went direct.
    fn round_trip(dir: &Path, size: usize, piece: usize) -> bool {
        let path = dir.join(format!("out-{size}-{piece}"));
        File::create(&path).unwrap();
        let data = pattern(size);
        let mut out = DirectFile::open(&path).unwrap();
        for chunk in data.chunks(piece) {
            out.write_all(chunk).unwrap();
        }
        let (file, direct) = out.finish_direct().unwrap();
        assert_eq!(file.metadata().unwrap().len(), size as u64);
        drop(file);
        assert!(std::fs::read(&path).unwrap() == data, "{size} bytes in pieces of {piece}");
        direct
    }

    #[test]
    fn every_length_reads_back_exactly() {
        let dir = tempfile::tempdir().unwrap();
        for size in [0, 1, ALIGN - 1, ALIGN, ALIGN + 1, BLOCK - 1, BLOCK, BLOCK + 1, 5 * BLOCK + 12_345] {
            for piece in [1 << 18, 7_777, 3 * BLOCK] {
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
    }

    #[test]
    fn a_write_that_fails_is_an_error_and_the_writer_stops() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("gone");
        File::create(&path).unwrap();
        let mut out = DirectFile::open(&path).unwrap();
        // The I/O thread's file is made unwritable under it: opened read-only.
        out.to_io = None;
        let _ = out.io.take().map(|t| t.join());
        let (tx, rx) = sync_channel::<Full>(1);
        let (give_back, free) = sync_channel::<Block>(BLOCKS);
        let mut io = Io { file: File::open(&path).unwrap(), direct: false, written: 0, path: path.clone() };
        out.to_io = Some(tx);
        out.free = free;
        out.io = Some(std::thread::spawn(move || io.run(rx, give_back)));
        out.block = Some(Block::new());
        let result = (0..4).try_for_each(|_| out.write_all(&pattern(BLOCK)));
        assert!(result.is_err(), "writing to a read-only file must fail, not hang or pass");
    }
}
