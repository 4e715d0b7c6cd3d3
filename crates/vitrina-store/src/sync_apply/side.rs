//! The marketplace file (`<catalog>.market`, vitrina-market's) in team sync. Its settings
//! tables record their changes in its own `sync_outbox` (market migration 0005); the catalog's
//! sync attaches the file to its connection for the length of one call, so that pushing reads
//! that outbox and applying writes other devices' changes there in the same transaction as the
//! pull cursor. A catalog without the file (not created yet on this device) keeps those rows
//! waiting in `sync_entities` until it has one.
//!
//! Attached only for a sync's call: a catalog write begins IMMEDIATE, which would take the
//! marketplace file's write lock too, and publishing must not wait for an import.

use std::path::Path;

use rusqlite::Connection;

use super::rows::MARKET;
use crate::error::Result;

/// The marketplace file attached while this lives (nothing when there is none, or when it is
/// too old to sync: it has no outbox).
pub(crate) struct Attached<'c> {
    conn: &'c Connection,
    attached: bool,
}

impl<'c> Attached<'c> {
    pub fn new(conn: &'c Connection, catalog: &Path) -> Result<Self> {
        Ok(Attached { conn, attached: attach(conn, catalog)? })
    }
}

impl Drop for Attached<'_> {
    fn drop(&mut self) {
        if self.attached {
            detach(self.conn);
        }
    }
}

/// Attaches the marketplace file when there is one that syncs; whether this call attached it.
fn attach(conn: &Connection, catalog: &Path) -> Result<bool> {
    let path = crate::side_file::side_path(catalog, MARKET);
    if attached(conn)? || !path.exists() {
        return Ok(false);
    }
    conn.execute("ATTACH DATABASE ?1 AS market", [path.to_string_lossy()])?;
    let synced: rusqlite::Result<bool> = conn.query_row(
        "SELECT EXISTS (SELECT 1 FROM market.sqlite_master WHERE type = 'table' AND name = 'sync_outbox')",
        [],
        |r| r.get(0),
    );
    match synced {
        Ok(true) => Ok(true),
        other => {
            detach(conn);
            other.map(|_| false).map_err(Into::into)
        }
    }
}

fn detach(conn: &Connection) {
    if let Err(e) = conn.execute_batch("DETACH DATABASE market") {
        tracing::warn!(error = %e, "the marketplace file stayed attached to the catalog's connection");
    }
}

impl crate::catalog::Catalog {
    /// Runs `f` with the marketplace file attached (when there is one).
    pub(crate) fn with_side<T>(&mut self, f: impl FnOnce(&mut Self) -> Result<T>) -> Result<T> {
        let attached = attach(&self.conn, self.path())?;
        let out = f(self);
        if attached {
            detach(&self.conn);
        }
        out
    }
}

/// Whether the marketplace file is attached to `conn` now.
pub(crate) fn attached(conn: &Connection) -> Result<bool> {
    Ok(conn.query_row(
        "SELECT EXISTS (SELECT 1 FROM pragma_database_list WHERE name = 'market')",
        [],
        |r| r.get(0),
    )?)
}
