//! Opening a catalog file safely: refuse what is not ours or is too new before writing a byte.

use std::fs::File;
use std::io::Read;
use std::path::Path;

use rusqlite::{Connection, OpenFlags};

use crate::error::{Result, StoreError};
use crate::migrate;

const SQLITE_MAGIC: &[u8; 16] = b"SQLite format 3\0";

/// Checks an existing file without modifying it: an SQLite header, a readable schema, and a
/// schema version this build understands.
pub(crate) fn check_existing(path: &Path) -> Result<()> {
    let Ok(mut file) = File::open(path) else { return Ok(()) }; // does not exist yet: will be created
    let len = file.metadata().map(|m| m.len()).unwrap_or(0);
    if len == 0 {
        return Ok(());
    }
    let mut header = [0u8; 16];
    if len < 100 || file.read_exact(&mut header).is_err() || &header != SQLITE_MAGIC {
        return Err(StoreError::NotADatabase { path: path.to_path_buf() });
    }
    drop(file);
    let flags = OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX;
    let conn = Connection::open_with_flags(path, flags)
        .map_err(|source| StoreError::Open { path: path.to_path_buf(), source })?;
    wait_when_busy(&conn).map_err(|source| StoreError::Open { path: path.to_path_buf(), source })?;
    let corrupt =
        |e: rusqlite::Error| StoreError::Corrupt { path: path.to_path_buf(), reason: e.to_string() };
    let version: i64 = conn.query_row("PRAGMA user_version", [], |r| r.get(0)).map_err(corrupt)?;
    conn.query_row("SELECT count(*) FROM sqlite_master", [], |r| r.get::<_, i64>(0)).map_err(corrupt)?;
    if version > migrate::latest_version() as i64 {
        return Err(StoreError::TooNew {
            path: path.to_path_buf(),
            found: version,
            known: migrate::latest_version(),
        });
    }
    Ok(())
}

/// Opens (creating if needed) with the pragmas of DESIGN §4 and applies pending migrations.
pub(crate) fn open_connection(
    path: &Path,
    capture: &std::sync::Arc<crate::sync_apply::capture::Capture>,
) -> Result<Connection> {
    check_existing(path)?;
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).map_err(|e| StoreError::Open {
            path: path.to_path_buf(),
            source: rusqlite::Error::InvalidPath(format!("{}: {e}", dir.display()).into()),
        })?;
    }
    let mut conn =
        Connection::open(path).map_err(|source| StoreError::Open { path: path.to_path_buf(), source })?;
    while_busy(|| configure(&conn))?;
    // The functions the sync triggers call (migration 0010), before any migration writes.
    crate::sync_apply::capture::register(&conn, capture)
        .map_err(|source| StoreError::Open { path: path.to_path_buf(), source })?;
    // Every transaction takes the write lock when it begins. A deferred one that reads first
    // cannot take it later once another connection has committed in between: SQLite then fails
    // at once with "database is locked", whatever the busy timeout (an import's run record
    // failed this way while the job runner wrote progress).
    conn.set_transaction_behavior(rusqlite::TransactionBehavior::Immediate);
    while_busy(|| migrate::migrate(&mut conn))?;
    Ok(conn)
}

/// Runs `step` again while SQLite answers "busy", for up to five seconds. While another process
/// creates the file, SQLite can answer so at once without waiting (switching a new file to WAL
/// needs it alone), whatever the connection's busy timeout.
fn while_busy<T>(mut step: impl FnMut() -> Result<T>) -> Result<T> {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(5);
    loop {
        match step() {
            Err(e)
                if (e.is_busy() || e.to_string().contains("database is locked"))
                    && std::time::Instant::now() < deadline =>
            {
                std::thread::sleep(std::time::Duration::from_millis(5));
            }
            result => return result,
        }
    }
}

/// How much memory each catalog connection of this process may use for SQLite's page cache and
/// its memory-mapped window of the file. Bulk work (imports, benchmarks, the CLI) wants big
/// caches; a desktop window that sits open all day wants small ones ([`MemoryBudget::WINDOW`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MemoryBudget {
    pub cache_kib: u32,
    pub mmap_bytes: u64,
    /// Where SQLite's sorts and temporary tables spill: the heap, or temporary files (which
    /// live in the OS file cache, not in this process). Rebuilding an index of a million rows
    /// sorts ~100 MB.
    pub temp_in_memory: bool,
}

impl MemoryBudget {
    /// The default: a 64 MiB page cache and a 64 MiB mapped window per connection.
    pub const BULK: MemoryBudget =
        MemoryBudget { cache_kib: 64 * 1024, mmap_bytes: 64 << 20, temp_in_memory: true };
    /// For the desktop window: page and index reads still hit the OS file cache, so a small
    /// SQLite cache costs little speed (docs/benchmarks.md, "Desktop") and no mapped window.
    pub const WINDOW: MemoryBudget =
        MemoryBudget { cache_kib: 8 * 1024, mmap_bytes: 0, temp_in_memory: false };
    /// For supplier imports: the same small caches. A 1M-offer import measured 174 s and
    /// 389 MB with them against 197 s and 486 MB with [`MemoryBudget::BULK`]; the re-import
    /// 9.1 s against 11.0 s (docs/benchmarks.md). Sorts spill to temporary files, so the
    /// index rebuild at the end of a first import does not hold its sort in memory.
    pub const IMPORT: MemoryBudget = MemoryBudget::WINDOW;
}

static BUDGET: std::sync::Mutex<MemoryBudget> = std::sync::Mutex::new(MemoryBudget::BULK);

/// Sets the budget of connections opened from now on in this process.
pub fn set_memory_budget(budget: MemoryBudget) {
    *BUDGET.lock().unwrap_or_else(std::sync::PoisonError::into_inner) = budget;
}

/// How long a statement waits for another connection's lock before failing with "database is
/// locked" (a writer's commit, the checkpoint of the last connection to close).
const BUSY_WAIT: std::time::Duration = std::time::Duration::from_secs(5);

/// Set first on every connection: without it even the first read fails at once while another
/// connection holds a lock (seen as an import failing with "database is locked").
fn wait_when_busy(conn: &Connection) -> rusqlite::Result<()> {
    conn.busy_timeout(BUSY_WAIT)
}

pub(crate) fn configure(conn: &Connection) -> Result<()> {
    wait_when_busy(conn)?;
    let budget = *BUDGET.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
    conn.execute_batch(&format!(
        "PRAGMA journal_mode = WAL;
         PRAGMA synchronous = NORMAL;
         PRAGMA foreign_keys = ON;
         PRAGMA temp_store = {};
         PRAGMA cache_size = -{};
         PRAGMA mmap_size = {};",
        if budget.temp_in_memory { "MEMORY" } else { "FILE" },
        budget.cache_kib,
        budget.mmap_bytes
    ))?;
    conn.set_prepared_statement_cache_capacity(64);
    Ok(())
}
