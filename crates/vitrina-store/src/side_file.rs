//! The SQLite files that sit next to a catalog and belong to another crate (the job queue,
//! `catalog.db.jobs`; the marketplace file, `catalog.db.market`): where they are, their pragmas
//! and their append-only migrations, in one place. An up-to-date file opens without a lock, a
//! new one is created once even when two processes open it together, and a newer or foreign
//! file is refused untouched with what to do.

use std::path::{Path, PathBuf};
use std::time::Duration;

use rusqlite::{Connection, OpenFlags, TransactionBehavior};

/// How long a write waits for another connection's. Every transaction on these files is short,
/// so the wait is only a safety net.
pub const BUSY_WAIT: Duration = Duration::from_secs(5);

/// What kind of side file is opened, for the migrations and the words of a refusal.
#[derive(Debug, Clone, Copy)]
pub struct SideFile {
    /// The shipped migrations, oldest first: (file name, SQL); the version is `user_version`.
    pub migrations: &'static [(&'static str, &'static str)],
    /// `queue`, `market`: the schema's name in "written by a newer Vitrina (queue schema 3…)".
    pub schema: &'static str,
    /// The sentence for a file that is not SQLite: what it should have been, what it holds.
    pub foreign: &'static str,
}

/// `catalog.db` → `catalog.db.<suffix>`, next to the catalog.
pub fn side_path(catalog: &Path, suffix: &str) -> PathBuf {
    let mut name = catalog.file_name().map(|n| n.to_os_string()).unwrap_or_default();
    name.push(".");
    name.push(suffix);
    catalog.with_file_name(name)
}

/// Opens (creating if needed) and migrates the file at `path`; a file written by a newer
/// Vitrina, or not a database, is refused before anything is written to it. The error is the
/// reason, for the owning crate's error type.
pub fn open(path: &Path, kind: &SideFile) -> Result<Connection, String> {
    let failed = |e: &dyn std::fmt::Display| e.to_string();
    let known = kind.migrations.len() as i64;
    if path.exists() {
        let conn =
            Connection::open_with_flags(path, OpenFlags::SQLITE_OPEN_READ_ONLY).map_err(|e| failed(&e))?;
        conn.busy_timeout(BUSY_WAIT).map_err(|e| failed(&e))?;
        let version: i64 =
            while_busy(|| conn.query_row("PRAGMA user_version", [], |r| r.get(0))).map_err(|e| {
                if e.sqlite_error_code() == Some(rusqlite::ErrorCode::NotADatabase) {
                    kind.foreign.to_string()
                } else {
                    failed(&e)
                }
            })?;
        if version > known {
            return Err(format!(
                "it was written by a newer Vitrina ({} schema {version}, this version knows {known}); update Vitrina",
                kind.schema
            ));
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
    while_busy(|| migrate(&mut conn, kind.migrations)).map_err(|e| failed(&e))?;
    Ok(conn)
}

/// Runs `step` again while SQLite answers "busy", for up to [`BUSY_WAIT`]. While another process
/// creates the file, SQLite can answer so at once without waiting (switching the new file to WAL
/// needs it alone), whatever the connection's busy timeout.
pub fn while_busy<T>(mut step: impl FnMut() -> rusqlite::Result<T>) -> rusqlite::Result<T> {
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
/// so two processes opening a new file at once (the desktop's worker and a CLI command) do not
/// both create it: the second waits, then finds it up to date.
fn migrate(conn: &mut Connection, migrations: &[(&str, &str)]) -> rusqlite::Result<()> {
    let known = migrations.len() as i64;
    // Up to date (every open but the first): no lock at all.
    let current: i64 = conn.query_row("PRAGMA user_version", [], |r| r.get(0))?;
    if current >= known {
        return Ok(());
    }
    let tx = conn.transaction_with_behavior(TransactionBehavior::Exclusive)?;
    let version: i64 = tx.query_row("PRAGMA user_version", [], |r| r.get(0))?;
    for (_, sql) in migrations.iter().skip(version.max(0) as usize) {
        tx.execute_batch(sql)?;
    }
    if version < known {
        tx.pragma_update(None, "user_version", known)?;
    }
    tx.commit()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A side file for the tests: one table.
    const TEST_FILE: SideFile = SideFile {
        migrations: &[("0001_t.sql", "CREATE TABLE t (x INTEGER);")],
        schema: "test",
        foreign: "it is not a test file",
    };

    #[test]
    fn a_file_from_a_newer_vitrina_is_refused_untouched() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("c.db.test");
        drop(open(&path, &TEST_FILE).unwrap());
        Connection::open(&path).unwrap().pragma_update(None, "user_version", 99).unwrap();
        let err = open(&path, &TEST_FILE).unwrap_err();
        assert!(err.contains("newer Vitrina (test schema 99, this version knows 1)"), "{err}");
        let version: i64 =
            Connection::open(&path).unwrap().query_row("PRAGMA user_version", [], |r| r.get(0)).unwrap();
        assert_eq!(version, 99);
    }

    #[test]
    fn processes_opening_a_new_file_at_once_create_it_once() {
        for _ in 0..20 {
            let dir = tempfile::tempdir().unwrap();
            let path = dir.path().join("c.db.test");
            let openers: Vec<_> = (0..4)
                .map(|_| {
                    let path = path.clone();
                    std::thread::spawn(move || open(&path, &TEST_FILE).map(drop))
                })
                .collect();
            for o in openers {
                o.join().unwrap().unwrap();
            }
            let version: i64 =
                Connection::open(&path).unwrap().query_row("PRAGMA user_version", [], |r| r.get(0)).unwrap();
            assert_eq!(version, 1);
        }
    }

    #[test]
    fn side_files_sit_next_to_their_catalog() {
        assert_eq!(side_path(Path::new("/data/catalog.db"), "jobs"), PathBuf::from("/data/catalog.db.jobs"));
        assert_eq!(side_path(Path::new("shop"), "market"), PathBuf::from("shop.market"));
    }
}
