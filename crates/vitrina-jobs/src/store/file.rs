//! The queue's SQLite file: where it is, its pragmas and its append-only migrations.

use std::path::{Path, PathBuf};
use std::time::Duration;

use rusqlite::{Connection, OpenFlags, TransactionBehavior};

use crate::error::{JobsError, Result};

/// The shipped migrations of the queue file, oldest first: (file name, SQL). Shipped files
/// never change (a test pins their checksums); the version is SQLite's `user_version`.
pub const MIGRATIONS: &[(&str, &str)] =
    &[("0001_queue.sql", include_str!("../../../../migrations/jobs/0001_queue.sql"))];

/// How long a write waits for another connection's. Every transaction on this file is short
/// (a claim, a batch of progress and ends, an enqueue), so the wait is only a safety net.
const BUSY_WAIT: Duration = Duration::from_secs(5);

/// `catalog.db` → `catalog.db.jobs`, next to the catalog.
pub fn queue_path(catalog: &Path) -> PathBuf {
    let mut name = catalog.file_name().map(|n| n.to_os_string()).unwrap_or_default();
    name.push(".jobs");
    catalog.with_file_name(name)
}

/// Opens (creating if needed) and migrates; a file written by a newer Vitrina is refused
/// before anything is written to it.
pub(super) fn open(path: &Path) -> Result<Connection> {
    let failed =
        |e: &dyn std::fmt::Display| JobsError::QueueFile { path: path.to_path_buf(), reason: e.to_string() };
    if path.exists() {
        let conn =
            Connection::open_with_flags(path, OpenFlags::SQLITE_OPEN_READ_ONLY).map_err(|e| failed(&e))?;
        conn.busy_timeout(BUSY_WAIT).map_err(|e| failed(&e))?;
        let version: i64 = while_busy(|| conn.query_row("PRAGMA user_version", [], |r| r.get(0))).map_err(|e| {
            if e.sqlite_error_code() == Some(rusqlite::ErrorCode::NotADatabase) {
                // Refused untouched. It holds only the job history and schedules, not the catalog.
                failed(&"it is not a job queue (damaged, or another file under its name); it holds only the \
                          job history and schedules, not the catalog: move it aside and Vitrina starts a new one")
            } else {
                failed(&e)
            }
        })?;
        if version > MIGRATIONS.len() as i64 {
            return Err(failed(&format!(
                "it was written by a newer Vitrina (queue schema {version}, this version knows {}); update Vitrina",
                MIGRATIONS.len()
            )));
        }
    }
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).map_err(|e| failed(&e))?;
    }
    let mut conn = Connection::open(path).map_err(|e| failed(&e))?;
    conn.busy_timeout(BUSY_WAIT).map_err(|e| failed(&e))?;
    while_busy(|| conn.pragma_update(None, "journal_mode", "WAL")).map_err(|e| failed(&e))?;
    conn.pragma_update(None, "synchronous", "NORMAL").map_err(|e| failed(&e))?;
    conn.pragma_update(None, "foreign_keys", "ON").map_err(|e| failed(&e))?;
    // A transaction that reads and then writes must hold the lock from its start, or a commit
    // by another connection in between fails it at once whatever the busy wait.
    conn.set_transaction_behavior(TransactionBehavior::Immediate);
    while_busy(|| migrate(&mut conn)).map_err(|e| failed(&e))?;
    Ok(conn)
}

/// Runs `step` again while SQLite answers "busy", for up to [`BUSY_WAIT`]. While another process
/// creates the file, SQLite can answer so at once without waiting (switching the new file to WAL
/// needs it alone), whatever the connection's busy timeout.
fn while_busy<T>(mut step: impl FnMut() -> rusqlite::Result<T>) -> rusqlite::Result<T> {
    let deadline = std::time::Instant::now() + BUSY_WAIT;
    loop {
        match step() {
            Err(e)
                if e.sqlite_error_code() == Some(rusqlite::ErrorCode::DatabaseBusy)
                    && std::time::Instant::now() < deadline =>
            {
                std::thread::sleep(Duration::from_millis(5));
            }
            result => return result,
        }
    }
}

/// Applies the pending migrations in one transaction that holds the write lock from its start,
/// so two processes opening a new queue at once (the desktop's worker and a CLI command) do not
/// both create it: the second waits, then finds it up to date.
fn migrate(conn: &mut Connection) -> rusqlite::Result<()> {
    // Up to date (every open but the first): no lock at all.
    let current: i64 = conn.query_row("PRAGMA user_version", [], |r| r.get(0))?;
    if current >= MIGRATIONS.len() as i64 {
        return Ok(());
    }
    let tx = conn.transaction_with_behavior(TransactionBehavior::Exclusive)?;
    let version: i64 = tx.query_row("PRAGMA user_version", [], |r| r.get(0))?;
    for (_, sql) in MIGRATIONS.iter().skip(version.max(0) as usize) {
        tx.execute_batch(sql)?;
    }
    if version < MIGRATIONS.len() as i64 {
        tx.pragma_update(None, "user_version", MIGRATIONS.len() as i64)?;
    }
    tx.commit()
}

#[cfg(test)]
mod tests {
    use rusqlite_migration::{M, Migrations};

    use super::*;

    #[test]
    fn the_queue_sits_next_to_its_catalog() {
        assert_eq!(queue_path(Path::new("/data/catalog.db")), PathBuf::from("/data/catalog.db.jobs"));
        assert_eq!(queue_path(Path::new("shop")), PathBuf::from("shop.jobs"));
    }

    #[test]
    fn migrations_are_valid_and_numbered_in_order() {
        Migrations::new(MIGRATIONS.iter().map(|(_, sql)| M::up(sql)).collect()).validate().unwrap();
        for (i, (name, _)) in MIGRATIONS.iter().enumerate() {
            assert!(name.starts_with(&format!("{:04}_", i + 1)), "{name} is out of order");
        }
    }

    #[test]
    fn a_file_that_is_not_a_queue_is_refused_untouched_with_what_to_do() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("c.db.jobs");
        std::fs::write(&path, "garbage that is no database, long enough to have a header ".repeat(4))
            .unwrap();
        let before = std::fs::read(&path).unwrap();
        let err = open(&path).unwrap_err().to_string();
        assert!(err.contains("not a job queue") && err.contains("move it aside"), "{err}");
        assert_eq!(std::fs::read(&path).unwrap(), before);
    }

    #[test]
    fn a_queue_from_a_newer_vitrina_is_refused_untouched() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("c.db.jobs");
        drop(open(&path).unwrap());
        Connection::open(&path).unwrap().pragma_update(None, "user_version", 99).unwrap();
        let err = open(&path).unwrap_err().to_string();
        assert!(err.contains("newer Vitrina"), "{err}");
        let version: i64 =
            Connection::open(&path).unwrap().query_row("PRAGMA user_version", [], |r| r.get(0)).unwrap();
        assert_eq!(version, 99);
    }
}

#[cfg(test)]
mod race {
    use super::*;

    #[test]
    fn processes_opening_a_new_queue_at_once_create_it_once() {
        for _ in 0..20 {
            let dir = tempfile::tempdir().unwrap();
            let path = dir.path().join("c.db.jobs");
            let openers: Vec<_> = (0..4)
                .map(|_| {
                    let path = path.clone();
                    std::thread::spawn(move || open(&path).map(drop))
                })
                .collect();
            for o in openers {
                o.join().unwrap().unwrap();
            }
            let version: i64 =
                Connection::open(&path).unwrap().query_row("PRAGMA user_version", [], |r| r.get(0)).unwrap();
            assert_eq!(version, MIGRATIONS.len() as i64);
        }
    }
}
