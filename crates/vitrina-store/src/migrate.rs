//! Embedded, transactional, append-only schema migrations.
//!
//! Each file in `migrations/sqlite/` is applied once, in order, inside a transaction, and the
//! schema version is kept in SQLite's `user_version`. Shipped files never change: a test pins
//! each file's checksum. A database whose version is above the newest known migration was
//! written by a newer Vitrina and is refused before anything is written.

use rusqlite::Connection;

use crate::error::{Result, StoreError};

/// The shipped migrations, oldest first: (file name, SQL).
pub const MIGRATIONS: &[(&str, &str)] = &[
    ("0001_catalog.sql", include_str!("../../../migrations/sqlite/0001_catalog.sql")),
    ("0002_jobs.sql", include_str!("../../../migrations/sqlite/0002_jobs.sql")),
    ("0003_imports.sql", include_str!("../../../migrations/sqlite/0003_imports.sql")),
    ("0004_image_cache.sql", include_str!("../../../migrations/sqlite/0004_image_cache.sql")),
    ("0005_issue_codes.sql", include_str!("../../../migrations/sqlite/0005_issue_codes.sql")),
    ("0006_queue_moves_out.sql", include_str!("../../../migrations/sqlite/0006_queue_moves_out.sql")),
    ("0007_feed_profiles.sql", include_str!("../../../migrations/sqlite/0007_feed_profiles.sql")),
    ("0008_team_sync.sql", include_str!("../../../migrations/sqlite/0008_team_sync.sql")),
    ("0009_list_indexes.sql", include_str!("../../../migrations/sqlite/0009_list_indexes.sql")),
    ("0010_sync_rows.sql", include_str!("../../../migrations/sqlite/0010_sync_rows.sql")),
    ("0011_search_initials.sql", include_str!("../../../migrations/sqlite/0011_search_initials.sql")),
];

pub fn latest_version() -> usize {
    MIGRATIONS.len()
}

/// Applies the pending migrations in one transaction that holds the write lock from its start,
/// so two processes opening a new catalog at once (the desktop app and a CLI command) do not
/// both create it: the second waits, then finds it up to date.
pub(crate) fn migrate(conn: &mut Connection) -> Result<()> {
    // "Busy" stays an SQL error, so that the caller can wait and try again.
    let failed = |e: rusqlite::Error| StoreError::Sql(e);
    // Up to date (every open but the first): no lock at all, so opening a catalog never waits
    // for a long write (an import holds the write lock for its whole run).
    let current: i64 = conn.query_row("PRAGMA user_version", [], |r| r.get(0)).map_err(failed)?;
    if current >= MIGRATIONS.len() as i64 {
        return Ok(());
    }
    let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Exclusive).map_err(failed)?;
    let version: i64 = tx.query_row("PRAGMA user_version", [], |r| r.get(0)).map_err(failed)?;
    for (name, sql) in MIGRATIONS.iter().skip(version.max(0) as usize) {
        tx.execute_batch(sql).map_err(|e| match StoreError::Sql(e) {
            busy if busy.is_busy() => busy,
            other => StoreError::Migration(format!("{name}: {other}")),
        })?;
    }
    if version < MIGRATIONS.len() as i64 {
        tx.pragma_update(None, "user_version", MIGRATIONS.len() as i64).map_err(failed)?;
    }
    tx.commit().map_err(failed)
}

#[cfg(test)]
mod tests {
    use rusqlite_migration::{M, Migrations};

    use super::*;

    #[test]
    fn migrations_are_valid_and_apply_in_order() {
        let migrations = Migrations::new(MIGRATIONS.iter().map(|(_, sql)| M::up(sql)).collect());
        migrations.validate().unwrap();
        for (i, (name, _)) in MIGRATIONS.iter().enumerate() {
            assert!(name.starts_with(&format!("{:04}_", i + 1)), "{name} is out of order");
        }
    }

    #[test]
    fn processes_opening_a_new_catalog_at_once_create_it_once() {
        for _ in 0..10 {
            let dir = tempfile::tempdir().unwrap();
            let path = dir.path().join("catalog.db");
            let openers: Vec<_> = (0..4)
                .map(|_| {
                    let path = path.clone();
                    std::thread::spawn(move || crate::Catalog::open(&path).map(drop))
                })
                .collect();
            for o in openers {
                o.join().unwrap().unwrap();
            }
        }
    }

    #[test]
    fn an_up_to_date_catalog_opens_while_another_connection_writes() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("catalog.db");
        drop(crate::Catalog::open(&path).unwrap());
        // A long write elsewhere, as a supplier import is for its whole run.
        let import = Connection::open(&path).unwrap();
        import.execute_batch("BEGIN IMMEDIATE; UPDATE products SET stock = stock WHERE 0;").unwrap();
        // Before, every open took the write lock to check its migrations: it waited, then failed
        // with "database is locked" (and so did an import's own second connection).
        crate::Catalog::open(&path).unwrap();
        import.execute_batch("ROLLBACK").unwrap();
    }
}
