//! The SQL functions the sync triggers of migration 0010 call, registered on every catalog
//! connection when it opens (`open::open_connection`), before its migrations run.
//!
//! Why triggers: the settings tables that sync are written by many code paths (the window and
//! the CLI through the store, an import's writer and its category mapping, feed profiles, kit
//! and pack links made by an import), and a path that forgot to record its change would
//! silently never reach the team. A trigger records every write in the statement that makes
//! it, stamped with the device's clock at that moment; a connection opened without these
//! functions cannot write those tables at all ("no such function"), so nothing is changed
//! unseen.

use std::path::Path;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use rusqlite::Connection;
use rusqlite::functions::FunctionFlags;
use uuid::Uuid;
use vitrina_domain::sync::rows::row_id;
use vitrina_domain::{DeviceId, EntityKind};

use crate::catalog::Clock;

/// What the triggers stamp a change with, shared by the catalog handle and its connection.
pub(crate) struct Capture {
    capturing: AtomicBool,
    /// The least stamp a change may take (packed HLC): after everything the connection has seen
    /// (the catalog's history at open and at each write it begins, stamps applied from the
    /// team; for a side file, its catalog's history when the file was opened).
    floor: AtomicU64,
    device: Mutex<DeviceId>,
    who: Mutex<String>,
    now: Mutex<Clock>,
}

impl Capture {
    /// Nothing is recorded until the catalog knows its device ([`Capture::start`]): a
    /// migration's own writes are not edits.
    pub fn new() -> Arc<Self> {
        Arc::new(Capture {
            capturing: AtomicBool::new(false),
            floor: AtomicU64::new(0),
            device: Mutex::new(DeviceId(Uuid::nil())),
            who: Mutex::new("local".into()),
            now: Mutex::new(Arc::new(crate::catalog::system_clock)),
        })
    }

    pub fn start(&self, device: DeviceId, who: &str, now: Clock) {
        *lock(&self.device) = device;
        self.set_who(who);
        self.set_clock(now);
        self.capturing.store(true, Ordering::SeqCst);
    }

    /// The triggers' stamps go on after `last` (a packed HLC this connection has seen).
    pub fn raise_floor(&self, last: u64) {
        self.floor.fetch_max(last.saturating_add(1), Ordering::SeqCst);
    }

    pub fn set_who(&self, who: &str) {
        *lock(&self.who) = who.to_string();
    }

    pub fn set_clock(&self, now: Clock) {
        *lock(&self.now) = now;
    }

    /// Stops recording until the guard is dropped: other devices' changes being applied, a
    /// catalog being built from the team's state.
    pub fn pause(self: &Arc<Self>) -> Paused {
        let was = self.capturing.swap(false, Ordering::SeqCst);
        Paused { capture: self.clone(), was }
    }
}

/// Recording resumes (as it was) when this is dropped.
pub(crate) struct Paused {
    capture: Arc<Capture>,
    was: bool,
}

impl Drop for Paused {
    fn drop(&mut self) {
        self.capture.capturing.store(self.was, Ordering::SeqCst);
    }
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// Registers the triggers' functions on `conn`.
pub(crate) fn register(conn: &Connection, capture: &Arc<Capture>) -> rusqlite::Result<()> {
    let pure = FunctionFlags::SQLITE_UTF8 | FunctionFlags::SQLITE_DETERMINISTIC;
    let volatile = FunctionFlags::SQLITE_UTF8;
    let c = capture.clone();
    conn.create_scalar_function("sync_capturing", 0, volatile, move |_| {
        Ok(c.capturing.load(Ordering::SeqCst) as i64)
    })?;
    let c = capture.clone();
    conn.create_scalar_function("sync_now", 0, volatile, move |_| {
        let now = lock(&c.now).clone();
        Ok(now() as i64)
    })?;
    let c = capture.clone();
    conn.create_scalar_function("sync_who", 0, volatile, move |_| Ok(lock(&c.who).clone()))?;
    let c = capture.clone();
    conn.create_scalar_function("sync_device", 0, volatile, move |_| {
        Ok(lock(&c.device).0.as_bytes().to_vec())
    })?;
    let c = capture.clone();
    conn.create_scalar_function("sync_floor", 0, volatile, move |_| {
        Ok(c.floor.load(Ordering::SeqCst) as i64)
    })?;
    conn.create_scalar_function("sync_id", 0, volatile, |_| Ok(Uuid::now_v7().as_bytes().to_vec()))?;
    conn.create_scalar_function("sync_uuid", 1, pure, |ctx| {
        let blob: Option<Vec<u8>> = ctx.get(0)?;
        Ok(blob.and_then(|b| Uuid::from_slice(&b).ok()).map(|u| u.to_string()))
    })?;
    conn.create_scalar_function("sync_row_id", -1, pure, |ctx| {
        let kind: String = ctx.get(0)?;
        let kind = EntityKind::from_code(&kind).ok_or_else(|| {
            rusqlite::Error::UserFunctionError(format!("sync_row_id: no entity kind \"{kind}\"").into())
        })?;
        let mut key = Vec::with_capacity(ctx.len().saturating_sub(1));
        for i in 1..ctx.len() {
            match ctx.get::<Option<String>>(i)? {
                Some(part) => key.push(part),
                // A key naming a row that is gone (deleted with what it names): no entity.
                None => return Ok(None),
            }
        }
        let parts: Vec<&str> = key.iter().map(String::as_str).collect();
        Ok(Some(row_id(kind, &parts).as_bytes().to_vec()))
    })?;
    Ok(())
}

/// Registers the triggers' functions on a connection to a side file of the catalog at
/// `catalog` (the marketplace file): its changes are stamped with the catalog's clock (the team
/// server's offset included), after everything the catalog has recorded, in the name of the
/// catalog's member. A catalog that cannot be read (none yet) leaves the system clock and
/// "local".
///
/// Only while the catalog is in a team: the file's connections live for one operation, and a
/// publish rewrites thousands of links, each of which would otherwise write a record no team
/// reads (a 10 000-product Ozon publish planned twice as slowly). The rows a catalog has when
/// it starts a team go to the server in its seed.
pub fn register_side(conn: &Connection, catalog: &Path) -> rusqlite::Result<()> {
    let capture = Capture::new();
    let (offset, who, floor, in_team) = catalog_stamp(catalog).unwrap_or((0, None, 0, false));
    let now: Clock =
        Arc::new(move || (crate::catalog::system_clock() as i64).saturating_add(offset).max(0) as u64);
    if in_team {
        capture.start(DeviceId(Uuid::nil()), who.as_deref().unwrap_or("local"), now);
    }
    capture.raise_floor(floor);
    register(conn, &capture)
}

/// The catalog's clock offset, member name, latest stamp and whether it is in a team, read
/// without writing.
fn catalog_stamp(catalog: &Path) -> Option<(i64, Option<String>, u64, bool)> {
    if !catalog.exists() {
        return None;
    }
    let flags = rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY | rusqlite::OpenFlags::SQLITE_OPEN_NO_MUTEX;
    let conn = Connection::open_with_flags(catalog, flags).ok()?;
    conn.busy_timeout(std::time::Duration::from_secs(5)).ok()?;
    let meta = |key: &str| -> Option<String> {
        conn.query_row("SELECT value FROM sync_meta WHERE key = ?1", [key], |r| r.get(0)).ok()
    };
    let offset = meta(super::CLOCK_OFFSET).and_then(|v| v.parse().ok()).unwrap_or(0);
    let who = meta("member_name");
    let floor: Option<i64> = conn.query_row("SELECT max(hlc) FROM history", [], |r| r.get(0)).ok()?;
    let in_team = meta("team_url").is_some() || meta(super::PULL_CURSOR).is_some();
    Some((offset, who, floor.unwrap_or(0) as u64, in_team))
}
