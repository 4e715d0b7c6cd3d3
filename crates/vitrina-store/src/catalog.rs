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
        let conn = open::open_connection(&path)?;
        let device = match conn
            .query_row("SELECT value FROM meta WHERE key = 'device_id'", [], |r| r.get::<_, String>(0))
            .optional()?
            .and_then(|s| s.parse().ok())
        {
            Some(id) => DeviceId(id),
            None => {
                let id = DeviceId::new();
                conn.execute(
                    "INSERT OR REPLACE INTO meta(key, value) VALUES ('device_id', ?1)",
                    [id.to_string()],
                )?;
                id
            }
        };
        let last: Option<i64> = conn.query_row("SELECT max(hlc) FROM history", [], |r| r.get(0))?;
        let clock = HlcClock::resume(last.map(|v| Hlc::unpack(v as u64)).unwrap_or_default());
        Ok(Catalog { conn, path, device, clock, who: "local".into(), now: Arc::new(system_clock) })
    }

    /// Who is making changes (shown in history): the user name in team mode, else "local".
    pub fn set_author(&mut self, who: impl Into<String>) {
        self.who = who.into();
    }

    pub fn set_clock(&mut self, now: Clock) {
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
        self.conn.execute_batch("PRAGMA optimize = 0x10002; ANALYZE;")?;
        Ok(())
    }

    /// Starts a write: a transaction plus the stamp its history records carry.
    pub(crate) fn begin(&mut self) -> Result<(Transaction<'_>, Stamp<'_>)> {
        let now = (self.now)();
        let tx = self.conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        let stamp =
            Stamp { clock: &mut self.clock, device: self.device, who: &self.who, batch: Uuid::now_v7(), now };
        Ok((tx, stamp))
    }

    /// Read access for queries.
    pub(crate) fn db(&self) -> &Connection {
        &self.conn
    }
}

/// What a write stamps on its history records: one batch per edit, a fresh HLC per record.
pub(crate) struct Stamp<'c> {
    pub clock: &'c mut HlcClock,
    pub device: DeviceId,
    pub who: &'c str,
    pub batch: Uuid,
    pub now: u64,
}

impl Stamp<'_> {
    pub fn tick(&mut self) -> Hlc {
        self.clock.tick(self.now)
    }
}
