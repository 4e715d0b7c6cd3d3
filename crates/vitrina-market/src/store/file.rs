//! The market file (`<catalog>.market`): where it is, its pragmas and its append-only migrations.
//! A copy of the job queue's file handling (`vitrina-jobs/src/store/file.rs`): an up-to-date file
//! opens without a lock, a new one is created once, a newer or foreign file is refused untouched.

use std::path::{Path, PathBuf};
use std::time::Duration;

use rusqlite::{Connection, OpenFlags, TransactionBehavior};

use crate::error::{ErrorKind, MarketError};

type Result<T> = std::result::Result<T, MarketError>;

/// The shipped migrations of the market file, oldest first: (file name, SQL). Shipped files
/// never change (a test pins their checksums); the version is SQLite's `user_version`.
pub const MIGRATIONS: &[(&str, &str)] =
    &[("0001_accounts.sql", include_str!("../../../../migrations/market/0001_accounts.sql"))];

/// How long a write waits for another connection's. Every transaction on this file is short
/// (an account, a check's result), so the wait is only a safety net.
const BUSY_WAIT: Duration = Duration::from_secs(5);

/// `catalog.db` → `catalog.db.market`, next to the catalog.
pub fn market_path(catalog: &Path) -> PathBuf {
    let mut name = catalog.file_name().map(|n| n.to_os_string()).unwrap_or_default();
    name.push(".market");
    catalog.with_file_name(name)
}

/// Opens (creating if needed) and migrates; a file written by a newer Vitrina is refused
/// before anything is written to it.
pub(super) fn open(path: &Path) -> Result<Connection> {
    let failed =
        |e: &dyn std::fmt::Display| MarketError::new(ErrorKind::Storage, format!("{}: {e}", path.display()));
    if path.exists() {
        let conn =
            Connection::open_with_flags(path, OpenFlags::SQLITE_OPEN_READ_ONLY).map_err(|e| failed(&e))?;
        conn.busy_timeout(BUSY_WAIT).map_err(|e| failed(&e))?;
        let version: i64 = while_busy(|| conn.query_row("PRAGMA user_version", [], |r| r.get(0))).map_err(|e| {
            if e.sqlite_error_code() == Some(rusqlite::ErrorCode::NotADatabase) {
                // Refused untouched: it holds the marketplace accounts and links, not the catalog.
                failed(&"it is not a marketplace file (damaged, or another file under its name); it holds \
                          the marketplace accounts, not the catalog: move it aside and Vitrina starts a new one")
            } else {
                failed(&e)
            }
        })?;
        if version > MIGRATIONS.len() as i64 {
            return Err(failed(&format!(
                "it was written by a newer Vitrina (market schema {version}, this version knows {}); update Vitrina",
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
/// so two processes opening a new market file at once (the desktop and a CLI command) do not
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
    fn the_market_file_sits_next_to_its_catalog() {
        assert_eq!(market_path(Path::new("/data/catalog.db")), PathBuf::from("/data/catalog.db.market"));
        assert_eq!(market_path(Path::new("shop")), PathBuf::from("shop.market"));
    }

    #[test]
    fn migrations_are_valid_and_numbered_in_order() {
        Migrations::new(MIGRATIONS.iter().map(|(_, sql)| M::up(sql)).collect()).validate().unwrap();
        for (i, (name, _)) in MIGRATIONS.iter().enumerate() {
            assert!(name.starts_with(&format!("{:04}_", i + 1)), "{name} is out of order");
        }
    }

    #[test]
    fn shipped_market_migrations_never_change() {
        use sha2::Digest;
        // Append a new migration instead of editing a shipped one; then add its checksum here.
        let pinned = ["6b025617b48a733b3ddf48974c09008a8bc81175aef3b572a87ad2bdee7c675d"];
        assert_eq!(MIGRATIONS.len(), pinned.len(), "pin the checksum of every shipped migration");
        for ((name, sql), want) in MIGRATIONS.iter().zip(pinned) {
            let got = format!("{:x}", sha2::Sha256::digest(sql.as_bytes()));
            assert_eq!(got, want, "migration {name} was edited after it shipped");
            let on_disk = std::fs::read_to_string(Path::new("../../migrations/market").join(name)).unwrap();
            assert_eq!(&on_disk, sql, "{name} on disk differs from the embedded copy");
        }
    }

    #[test]
    fn a_file_that_is_not_a_market_file_is_refused_untouched_with_what_to_do() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("c.db.market");
        std::fs::write(&path, "garbage that is no database, long enough to have a header ".repeat(4))
            .unwrap();
        let before = std::fs::read(&path).unwrap();
        let err = open(&path).unwrap_err().to_string();
        assert!(err.contains("not a marketplace file") && err.contains("move it aside"), "{err}");
        assert_eq!(std::fs::read(&path).unwrap(), before);
    }

    #[test]
    fn a_market_file_from_a_newer_vitrina_is_refused_untouched() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("c.db.market");
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
    fn processes_opening_a_new_market_file_at_once_create_it_once() {
        for _ in 0..20 {
            let dir = tempfile::tempdir().unwrap();
            let path = dir.path().join("c.db.market");
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
