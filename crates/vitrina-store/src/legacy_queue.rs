//! The job queue that catalogs made before migration 0006 kept inside the catalog file.
//!
//! The queue now lives in its own file, owned by `vitrina-jobs`. Migration 0006 renamed the old
//! tables to `legacy_*`; `vitrina-jobs` reads them here once, copies the rows into its file, and
//! then asks for them to be dropped. Rows travel as SQLite values, column by column, so nothing
//! is lost or reinterpreted on the way.

use rusqlite::types::Value as SqlValue;

use crate::catalog::Catalog;
use crate::error::Result;

/// The old tables, in the order their rows can be inserted (schedules before the jobs that
/// point at them, jobs before their log lines).
const TABLES: [(&str, &str); 3] =
    [("schedules", "legacy_schedules"), ("jobs", "legacy_jobs"), ("job_logs", "legacy_job_logs")];

/// One old table's rows.
#[derive(Debug, Clone, PartialEq)]
pub struct LegacyTable {
    /// The table's name in the queue file (`jobs`, `job_logs`, `schedules`).
    pub name: &'static str,
    pub columns: Vec<String>,
    pub rows: Vec<Vec<SqlValue>>,
}

impl Catalog {
    /// The old queue's tables with their rows, or `None` when this catalog has none (it never
    /// had, or they were handed over and dropped).
    pub fn legacy_job_queue(&self) -> Result<Option<Vec<LegacyTable>>> {
        let db = self.db();
        let present: i64 = db.query_row(
            "SELECT count(*) FROM sqlite_schema WHERE type = 'table' AND name LIKE 'legacy\\_%' ESCAPE '\\'",
            [],
            |r| r.get(0),
        )?;
        if present == 0 {
            return Ok(None);
        }
        let mut tables = Vec::with_capacity(TABLES.len());
        for (name, legacy) in TABLES {
            let mut stmt = db.prepare(&format!("SELECT * FROM {legacy}"))?;
            let columns: Vec<String> = stmt.column_names().into_iter().map(str::to_string).collect();
            let width = columns.len();
            let rows = stmt
                .query_map([], |r| (0..width).map(|i| r.get::<_, SqlValue>(i)).collect())?
                .collect::<rusqlite::Result<Vec<Vec<SqlValue>>>>()?;
            tables.push(LegacyTable { name, columns, rows });
        }
        Ok(Some(tables))
    }

    /// Drops the old queue's tables once their rows are safely elsewhere.
    pub fn drop_legacy_job_queue(&mut self) -> Result<()> {
        let (tx, _) = self.begin()?;
        for (_, legacy) in TABLES.iter().rev() {
            tx.execute_batch(&format!("DROP TABLE IF EXISTS {legacy}"))?;
        }
        tx.commit()?;
        Ok(())
    }
}
