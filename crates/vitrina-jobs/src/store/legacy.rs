//! The hand-over of a queue that an older Vitrina kept inside the catalog file.
//!
//! Catalog migration 0006 renamed the old tables; the first time this file is opened, their
//! rows are copied here in one transaction (`queue_meta.legacy = 'copied'`), then the catalog is
//! asked to drop them (`'dropped'`). A crash between the two steps leaves the copy in place and
//! only the drop to do again; a catalog busy with an import at that moment is asked next time.

use std::path::Path;

use rusqlite::{Connection, OptionalExtension, params_from_iter};
use vitrina_store::Catalog;

use crate::error::Result;

pub(super) fn adopt(conn: &mut Connection, catalog_path: &Path) -> Result<()> {
    let state: Option<String> =
        conn.query_row("SELECT value FROM queue_meta WHERE key = 'legacy'", [], |r| r.get(0)).optional()?;
    if state.as_deref() == Some("dropped") {
        return Ok(());
    }
    let mut catalog = Catalog::open(catalog_path)?;
    let Some(tables) = catalog.legacy_job_queue()? else {
        return mark(conn, "dropped");
    };
    if state.is_none() {
        let tx = conn.transaction()?;
        // A child job may come before its parent, and schedules point at jobs: the references
        // are checked once everything is in.
        tx.pragma_update(None, "defer_foreign_keys", "ON")?;
        let mut moved = 0;
        for table in &tables {
            let columns = table.columns.join(", ");
            let marks = vec!["?"; table.columns.len()].join(", ");
            let mut insert =
                tx.prepare(&format!("INSERT OR IGNORE INTO {} ({columns}) VALUES ({marks})", table.name))?;
            for row in &table.rows {
                insert.execute(params_from_iter(row.iter()))?;
            }
            moved += table.rows.len();
        }
        mark(&tx, "copied")?;
        tx.commit()?;
        if moved > 0 {
            tracing::info!(rows = moved, "moved the job queue out of the catalog into its own file");
        }
    }
    match catalog.drop_legacy_job_queue() {
        Ok(()) => mark(conn, "dropped")?,
        // Copied already: the old tables only wait to be dropped, which the next open retries.
        Err(e) if e.is_busy() => tracing::info!("the catalog is busy; its old job tables are dropped later"),
        Err(e) => return Err(e.into()),
    }
    Ok(())
}

fn mark(conn: &Connection, state: &str) -> Result<()> {
    conn.execute("INSERT OR REPLACE INTO queue_meta (key, value) VALUES ('legacy', ?1)", [state])?;
    Ok(())
}
