//! The open catalog handle and the stamp every write carries.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use rusqlite::{Connection, OptionalExtension, Transaction};
use uuid::Uuid;
use vitrina_domain::{DeviceId, Hlc, HlcClock};

use crate::error::Result;
use crate::open;

/// Wall-clock milliseconds since the Unix epoch (UTC); injectable so tests are deterministic.
pub type Clock = Arc<dyn Fn() -> u64 + Send + Sync>;

pub(crate) fn system_clock() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as u64)
        .unwrap_or(0)
}

/// One open catalog file. Writes take `&mut self` and run in a single transaction each.
pub struct Catalog {
    pub(crate) conn: Connection,
    path: PathBuf,
    pub(crate) device: DeviceId,
    pub(crate) clock: HlcClock,
    pub(crate) who: String,
    pub(crate) now: Clock,
    /// While building a new catalog: the secondary indexes dropped for the load, recreated
    /// (sorted, far faster than row-by-row) by [`Catalog::finish_build`].
    pub(crate) deferred_indexes: Option<Vec<String>>,
    /// The busy wait set last, in ms (5 s unless set).
    busy_wait_ms: std::sync::atomic::AtomicU64,
    /// What searches and lists remember between calls, until the catalog changes.
    pub(crate) memo: crate::memo::Memo,
    /// What the sync triggers stamp changes with (who, when, this device).
    pub(crate) capture: std::sync::Arc<crate::sync_apply::capture::Capture>,
}

impl std::fmt::Debug for Catalog {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Catalog").field("path", &self.path).field("device", &self.device).finish()
    }
}

impl Catalog {
    /// Opens the catalog at `path`, creating it if missing. A file that is not an SQLite
    /// database, is damaged, or was written by a newer Vitrina is refused untouched.
    pub fn open(path: impl AsRef<Path>) -> Result<Self> {
        let path = path.as_ref().to_path_buf();
        let capture = crate::sync_apply::capture::Capture::new();
        let mut conn = open::open_connection(&path, &capture)?;
        let device = match device_id(&conn)? {
            Some(id) => id,
            None => {
                // The first open of a new catalog. Another process may be doing the same: the
                // check and the write are one transaction, so both end up with the same id.
                let tx = conn.transaction()?;
                let id = match device_id(&tx)? {
                    Some(id) => id,
                    None => {
                        let id = DeviceId::new();
                        tx.execute(
                            "INSERT OR REPLACE INTO meta(key, value) VALUES ('device_id', ?1)",
                            [id.to_string()],
                        )?;
                        id
                    }
                };
                tx.commit()?;
                id
            }
        };
        let last = last_hlc(&conn)?;
        capture.raise_floor(last.pack());
        let clock = HlcClock::resume(last);
        // In a team, every connection stamps with the server's clock as last measured (team
        // sync's offset), not only the sync's own.
        let now = crate::sync_apply::team_clock(&conn)?;
        let memo = crate::memo::Memo::default();
        crate::list::register_functions(&conn, memo.texts.clone(), memo.ticks.clone())?;
        capture.start(device, "local", now.clone());
        Ok(Catalog {
            capture,
            conn,
            path,
            device,
            clock,
            who: "local".into(),
            now,
            deferred_indexes: None,
            busy_wait_ms: std::sync::atomic::AtomicU64::new(5_000),
            memo,
        })
    }

    /// Starts building a brand-new catalog in a staging file next to `path` (`path` itself is
    /// not touched). Journaling is off while building, which is several times faster; a crash
    /// leaves only the staging file behind. [`Catalog::finish_build`] moves it into place.
    pub fn build_new(path: impl AsRef<Path>) -> Result<Self> {
        let staging = staging_path(path.as_ref());
        for suffix in ["", "-wal", "-shm", "-journal"] {
            let _ = std::fs::remove_file(format!("{}{suffix}", staging.display()));
        }
        let mut catalog = Self::open(&staging)?;
        catalog.conn.execute_batch(
            "PRAGMA journal_mode = OFF; PRAGMA synchronous = OFF; PRAGMA locking_mode = EXCLUSIVE;",
        )?;
        let indexes: Vec<(String, String)> = catalog
            .conn
            .prepare(
                "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL
                 AND tbl_name IN ('products', 'product_barcodes', 'history')",
            )?
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
            .collect::<rusqlite::Result<_>>()?;
        for (name, _) in &indexes {
            catalog.conn.execute_batch(&format!("DROP INDEX \"{name}\""))?;
        }
        catalog.deferred_indexes = Some(indexes.into_iter().map(|(_, sql)| sql).collect());
        Ok(catalog)
    }

    /// Finishes [`Catalog::build_new`]: refreshes planner statistics, switches to WAL and
    /// atomically renames the staging file over `path` (replacing any catalog there).
    pub fn finish_build(mut self, path: impl AsRef<Path>) -> Result<()> {
        for sql in self.deferred_indexes.take().unwrap_or_default() {
            if let Err(e) = self.conn.execute_batch(&sql) {
                // A unique index that cannot be built means a repeated SKU in the input.
                let repeated: Option<String> = self
                    .conn
                    .query_row("SELECT sku FROM products GROUP BY sku HAVING count(*) > 1 LIMIT 1", [], |r| {
                        r.get(0)
                    })
                    .optional()?;
                return Err(match repeated {
                    Some(sku) => crate::StoreError::DuplicateSku(sku),
                    None => e.into(),
                });
            }
        }
        self.conn.execute_batch(
            "PRAGMA synchronous = FULL; PRAGMA analysis_limit = 2000; ANALYZE; PRAGMA journal_mode = WAL;",
        )?;
        let staging = self.path.clone();
        drop(self);
        let path = path.as_ref();
        for suffix in ["-wal", "-shm"] {
            let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
        }
        std::fs::rename(&staging, path).map_err(|e| crate::StoreError::Open {
            path: path.to_path_buf(),
            source: rusqlite::Error::InvalidPath(
                format!("cannot move the new catalog into place: {e}").into(),
            ),
        })
    }

    /// Who is making changes (shown in history): the user name in team mode, else "local".
    pub fn set_author(&mut self, who: impl Into<String>) {
        self.who = who.into();
        self.capture.set_who(&self.who);
    }

    /// How long a write waits for another connection's write lock before it fails as busy
    /// (5 s unless set). A supplier import holds that lock for its whole run: a window would
    /// rather say so sooner.
    pub fn set_busy_wait(&self, wait: std::time::Duration) -> Result<()> {
        self.conn.busy_timeout(wait)?;
        self.busy_wait_ms.store(wait.as_millis() as u64, std::sync::atomic::Ordering::Relaxed);
        Ok(())
    }

    /// The busy wait in force.
    pub fn busy_wait(&self) -> std::time::Duration {
        std::time::Duration::from_millis(self.busy_wait_ms.load(std::sync::atomic::Ordering::Relaxed))
    }

    pub fn set_clock(&mut self, now: Clock) {
        self.capture.set_clock(now.clone());
        self.now = now;
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    pub fn device(&self) -> DeviceId {
        self.device
    }

    pub fn now_ms(&self) -> u64 {
        (self.now)()
    }

    /// Refreshes the planner's statistics; run after large loads so filters pick good indexes.
    pub fn analyze(&self) -> Result<()> {
        // A sample of each index is enough for the planner and keeps this to a fraction of a
        // second on a million products (a full ANALYZE reads every index: several seconds).
        self.conn.execute_batch("PRAGMA analysis_limit = 2000; ANALYZE; PRAGMA analysis_limit = 0;")?;
        Ok(())
    }

    /// Starts a write: a transaction plus the stamp its history records carry.
    pub(crate) fn begin(&mut self) -> Result<(Transaction<'_>, Stamp<'_>)> {
        let now = (self.now)();
        let tx = self.conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        // Other connections to this catalog (the CLI, the job runner) stamp history too: go on
        // after the latest stamp in the file, as it is now that this write holds the lock, so
        // the stamps of one device never repeat or go back. (A catalog being built is this
        // connection's alone, and its history has no index to find the latest stamp by.)
        if self.deferred_indexes.is_none() {
            let last = last_hlc(&tx)?;
            self.capture.raise_floor(last.pack());
            self.clock = HlcClock::resume(last);
        }
        let stamp = Stamp {
            clock: &mut self.clock,
            device: self.device,
            who: &self.who,
            batch: Uuid::now_v7(),
            now,
            derived: false,
        };
        Ok((tx, stamp))
    }

    /// Read access for queries.
    pub(crate) fn db(&self) -> &Connection {
        &self.conn
    }
}

/// The device id kept in the catalog, if there is a valid one.
fn device_id(conn: &Connection) -> Result<Option<DeviceId>> {
    Ok(conn
        .query_row("SELECT value FROM meta WHERE key = 'device_id'", [], |r| r.get::<_, String>(0))
        .optional()?
        .and_then(|s| s.parse().ok())
        .map(DeviceId))
}

/// The latest HLC stamp in the catalog's history.
fn last_hlc(conn: &Connection) -> Result<Hlc> {
    let last: Option<i64> = conn.query_row("SELECT max(hlc) FROM history", [], |r| r.get(0))?;
    Ok(last.map(|v| Hlc::unpack(v as u64)).unwrap_or_default())
}

fn staging_path(path: &Path) -> PathBuf {
    let mut name = path.file_name().map(|n| n.to_os_string()).unwrap_or_default();
    name.push(".building");
    path.with_file_name(name)
}

/// What a write stamps on its history records: one batch per edit, a fresh HLC per record.
pub(crate) struct Stamp<'c> {
    pub clock: &'c mut HlcClock,
    pub device: DeviceId,
    pub who: &'c str,
    pub batch: Uuid,
    pub now: u64,
    /// The records are kit and pack values recomputed from their components: history, but
    /// never pushed to the team (every device recomputes them itself).
    pub derived: bool,
}

impl Stamp<'_> {
    pub fn tick(&mut self) -> Hlc {
        self.clock.tick(self.now)
    }
}
