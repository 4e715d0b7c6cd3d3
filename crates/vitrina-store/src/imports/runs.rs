//! The record of every import run: when, from where, what it did, and each row it rejected or
//! kept with a warning. Runs are written outside the import's own transaction so a failed run
//! is remembered too.

use rusqlite::{OptionalExtension, params};
use serde::Serialize;
use uuid::Uuid;
use vitrina_domain::SupplierId;

use super::writer::ImportCounts;
use crate::catalog::Catalog;
use crate::error::{Result, StoreError};
use crate::rows::{opt_uuid_of, uuid_of};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RunState {
    Running,
    Succeeded,
    Failed,
    Cancelled,
}

impl RunState {
    pub fn code(&self) -> &'static str {
        match self {
            RunState::Running => "running",
            RunState::Succeeded => "succeeded",
            RunState::Failed => "failed",
            RunState::Cancelled => "cancelled",
        }
    }

    fn from_code(code: &str) -> Self {
        match code {
            "succeeded" => RunState::Succeeded,
            "failed" => RunState::Failed,
            "cancelled" => RunState::Cancelled,
            _ => RunState::Running,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum IssueKind {
    Rejected,
    Warning,
}

/// What kind of problem an issue is: a stable code that front ends put in the person's
/// language (the issue's `reason` keeps the details, in English).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum IssueCode {
    /// The row has no supplier SKU.
    SkuEmpty,
    /// The row has no name.
    NameEmpty,
    CurrencyInvalid,
    /// A price or cost that is not an amount of money.
    PriceInvalid,
    PriceNegative,
    PriceTooLarge,
    /// A price in a currency with no exchange rate set.
    NoExchangeRate,
    /// Neither price nor cost.
    PriceEmpty,
    OldPriceSkipped,
    BarcodeSkipped,
    PackUnitsInvalid,
    CategoryUnknown,
    AvailabilityInvalid,
    StockInvalid,
    WeightSkipped,
    SizeSkipped,
    /// The SKU came earlier in the same feed.
    SkuRepeated,
    /// A value the catalog refuses (a negative price, an empty name...).
    ValueInvalid,
    /// The catalog changed while the feed was read.
    ChangedMeanwhile,
    /// The file's row itself could not be read.
    RowUnreadable,
    /// Issues recorded before codes existed.
    Other,
}

impl IssueCode {
    pub const ALL: [IssueCode; 21] = [
        IssueCode::SkuEmpty,
        IssueCode::NameEmpty,
        IssueCode::CurrencyInvalid,
        IssueCode::PriceInvalid,
        IssueCode::PriceNegative,
        IssueCode::PriceTooLarge,
        IssueCode::NoExchangeRate,
        IssueCode::PriceEmpty,
        IssueCode::OldPriceSkipped,
        IssueCode::BarcodeSkipped,
        IssueCode::PackUnitsInvalid,
        IssueCode::CategoryUnknown,
        IssueCode::AvailabilityInvalid,
        IssueCode::StockInvalid,
        IssueCode::WeightSkipped,
        IssueCode::SizeSkipped,
        IssueCode::SkuRepeated,
        IssueCode::ValueInvalid,
        IssueCode::ChangedMeanwhile,
        IssueCode::RowUnreadable,
        IssueCode::Other,
    ];

    pub fn code(&self) -> &'static str {
        match self {
            IssueCode::SkuEmpty => "sku_empty",
            IssueCode::NameEmpty => "name_empty",
            IssueCode::CurrencyInvalid => "currency_invalid",
            IssueCode::PriceInvalid => "price_invalid",
            IssueCode::PriceNegative => "price_negative",
            IssueCode::PriceTooLarge => "price_too_large",
            IssueCode::NoExchangeRate => "no_exchange_rate",
            IssueCode::PriceEmpty => "price_empty",
            IssueCode::OldPriceSkipped => "old_price_skipped",
            IssueCode::BarcodeSkipped => "barcode_skipped",
            IssueCode::PackUnitsInvalid => "pack_units_invalid",
            IssueCode::CategoryUnknown => "category_unknown",
            IssueCode::AvailabilityInvalid => "availability_invalid",
            IssueCode::StockInvalid => "stock_invalid",
            IssueCode::WeightSkipped => "weight_skipped",
            IssueCode::SizeSkipped => "size_skipped",
            IssueCode::SkuRepeated => "sku_repeated",
            IssueCode::ValueInvalid => "value_invalid",
            IssueCode::ChangedMeanwhile => "changed_meanwhile",
            IssueCode::RowUnreadable => "row_unreadable",
            IssueCode::Other => "other",
        }
    }

    pub fn from_code(code: &str) -> Self {
        IssueCode::ALL.into_iter().find(|c| c.code() == code).unwrap_or(IssueCode::Other)
    }
}

/// A row a run rejected, or kept with a problem.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ImportIssue {
    pub kind: IssueKind,
    pub code: IssueCode,
    pub line: Option<u64>,
    pub record_id: Option<String>,
    pub field: String,
    pub value: String,
    pub reason: String,
}

/// One import run.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RunRecord {
    pub id: Uuid,
    pub supplier: SupplierId,
    pub supplier_name: String,
    pub job_id: Option<Uuid>,
    pub state: RunState,
    pub source: String,
    pub started_at: u64,
    pub finished_at: Option<u64>,
    pub rows_read: u64,
    pub counts: ImportCounts,
    pub warnings: u64,
    pub read_ms: Option<u64>,
    pub total_ms: Option<u64>,
    pub notices: Vec<String>,
    pub error: Option<String>,
}

/// How a run ended, to be recorded.
#[derive(Debug, Clone, Default)]
pub struct RunOutcome {
    pub rows_read: u64,
    pub counts: ImportCounts,
    pub read_ms: u64,
    pub total_ms: u64,
    pub notices: Vec<String>,
    pub error: Option<String>,
}

const RUN_COLUMNS: &str = "r.id, s.id, s.name, r.job_id, r.state, r.source, r.started_at, r.finished_at, r.rows_read,
    r.created, r.updated, r.unchanged, r.disappeared, r.rejected, r.warnings, r.read_ms, r.total_ms, r.notices, r.error";

fn run_from_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<RunRecord> {
    let notices: String = r.get(17)?;
    Ok(RunRecord {
        id: uuid_of(r, 0)?,
        supplier: SupplierId(uuid_of(r, 1)?),
        supplier_name: r.get(2)?,
        job_id: opt_uuid_of(r, 3)?,
        state: RunState::from_code(&r.get::<_, String>(4)?),
        source: r.get(5)?,
        started_at: r.get::<_, i64>(6)? as u64,
        finished_at: r.get::<_, Option<i64>>(7)?.map(|v| v as u64),
        rows_read: r.get::<_, i64>(8)? as u64,
        counts: ImportCounts {
            created: r.get::<_, i64>(9)? as u64,
            updated: r.get::<_, i64>(10)? as u64,
            unchanged: r.get::<_, i64>(11)? as u64,
            disappeared: r.get::<_, i64>(12)? as u64,
            rejected: r.get::<_, i64>(13)? as u64,
            ..ImportCounts::default()
        },
        warnings: r.get::<_, i64>(14)? as u64,
        read_ms: r.get::<_, Option<i64>>(15)?.map(|v| v as u64),
        total_ms: r.get::<_, Option<i64>>(16)?.map(|v| v as u64),
        notices: serde_json::from_str(&notices).unwrap_or_default(),
        error: r.get(18)?,
    })
}

impl Catalog {
    /// Crash recovery: runs still `running` are recorded as interrupted. A run's changes are one
    /// transaction, so the crash rolled them back. Call only where no import can be running:
    /// every import runs as a job, so the job worker calls this at start, holding the worker
    /// lock. Returns how many runs were marked.
    pub fn fail_interrupted_import_runs(&mut self) -> Result<u64> {
        let n = self.db().execute(
            "UPDATE import_runs SET state = 'failed', finished_at = ?1,
                    error = 'the import was interrupted (Vitrina stopped); nothing was changed'
             WHERE state = 'running'",
            [self.now_ms() as i64],
        )?;
        Ok(n as u64)
    }

    /// Records the start of a run; returns its id.
    pub fn start_import_run(
        &mut self,
        supplier: SupplierId,
        job_id: Option<Uuid>,
        source: &str,
    ) -> Result<Uuid> {
        let id = Uuid::now_v7();
        // One statement: the supplier is looked up as the row is written.
        let inserted = self.db().execute(
            "INSERT INTO import_runs (id, supplier_rid, job_id, state, source, started_at)
             SELECT ?1, rid, ?3, 'running', ?4, ?5 FROM suppliers WHERE id = ?2",
            params![
                id.as_bytes(),
                supplier.as_bytes(),
                job_id.map(|j| *j.as_bytes()),
                source,
                self.now_ms() as i64
            ],
        )?;
        if inserted == 0 {
            return Err(StoreError::SupplierNotFound(supplier.to_string()));
        }
        Ok(id)
    }

    /// Records how a run ended, with its rejected rows and warnings.
    pub fn finish_import_run(
        &mut self,
        run: Uuid,
        state: RunState,
        outcome: &RunOutcome,
        issues: &[ImportIssue],
    ) -> Result<()> {
        let now = self.now_ms() as i64;
        let tx = self.conn.transaction()?;
        let run_rid: i64 = tx
            .query_row("SELECT rid FROM import_runs WHERE id = ?1", [run.as_bytes()], |r| r.get(0))
            .optional()?
            .ok_or_else(|| StoreError::ImportRunNotFound(run.to_string()))?;
        let warnings = issues.iter().filter(|i| i.kind == IssueKind::Warning).count() as i64;
        let c = &outcome.counts;
        tx.execute(
            "UPDATE import_runs SET state = ?2, finished_at = ?3, rows_read = ?4, created = ?5, updated = ?6,
                 unchanged = ?7, disappeared = ?8, rejected = ?9, warnings = ?10, read_ms = ?11, total_ms = ?12,
                 notices = ?13, error = ?14
             WHERE rid = ?1",
            params![
                run_rid,
                state.code(),
                now,
                outcome.rows_read as i64,
                c.created as i64,
                c.updated as i64,
                c.unchanged as i64,
                c.disappeared as i64,
                c.rejected as i64,
                warnings,
                outcome.read_ms as i64,
                outcome.total_ms as i64,
                serde_json::to_string(&outcome.notices).unwrap_or_else(|_| "[]".into()),
                outcome.error,
            ],
        )?;
        {
            let mut stmt = tx.prepare(
                "INSERT INTO import_issues (run_rid, seq, kind, line, record_id, field, value, reason, code)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
            )?;
            for (seq, issue) in issues.iter().enumerate() {
                let kind = match issue.kind {
                    IssueKind::Rejected => "rejected",
                    IssueKind::Warning => "warning",
                };
                stmt.execute(params![
                    run_rid,
                    seq as i64,
                    kind,
                    issue.line.map(|l| l as i64),
                    issue.record_id,
                    issue.field,
                    issue.value,
                    issue.reason,
                    issue.code.code(),
                ])?;
            }
        }
        tx.commit()?;
        Ok(())
    }

    /// Runs newest first, of one supplier or of all.
    pub fn import_runs(&self, supplier: Option<SupplierId>, limit: u32) -> Result<Vec<RunRecord>> {
        let supplier_rid = supplier.map(|s| self.supplier_rid(s)).transpose()?;
        let sql = format!(
            "SELECT {RUN_COLUMNS} FROM import_runs r JOIN suppliers s ON s.rid = r.supplier_rid
             WHERE ?1 IS NULL OR r.supplier_rid = ?1 ORDER BY r.rid DESC LIMIT ?2"
        );
        let mut stmt = self.db().prepare_cached(&sql)?;
        let rows = stmt.query_map(params![supplier_rid, limit], run_from_row)?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// One run by id, or the latest run of a supplier.
    pub fn import_run(&self, run: Uuid) -> Result<RunRecord> {
        let sql = format!(
            "SELECT {RUN_COLUMNS} FROM import_runs r JOIN suppliers s ON s.rid = r.supplier_rid WHERE r.id = ?1"
        );
        self.db()
            .query_row(&sql, [run.as_bytes()], run_from_row)
            .optional()?
            .ok_or_else(|| StoreError::ImportRunNotFound(run.to_string()))
    }

    /// The rejected rows and warnings of a run, in file order.
    pub fn import_issues(&self, run: Uuid, limit: u32) -> Result<Vec<ImportIssue>> {
        let mut stmt = self.db().prepare_cached(
            "SELECT i.kind, i.line, i.record_id, i.field, i.value, i.reason, i.code FROM import_issues i
             JOIN import_runs r ON r.rid = i.run_rid WHERE r.id = ?1 ORDER BY i.seq LIMIT ?2",
        )?;
        let rows = stmt.query_map(params![run.as_bytes(), limit], |r| {
            Ok(ImportIssue {
                kind: if r.get::<_, String>(0)? == "warning" {
                    IssueKind::Warning
                } else {
                    IssueKind::Rejected
                },
                line: r.get::<_, Option<i64>>(1)?.map(|v| v as u64),
                record_id: r.get(2)?,
                field: r.get(3)?,
                value: r.get(4)?,
                reason: r.get(5)?,
                code: IssueCode::from_code(r.get_ref(6)?.as_str().map_err(rusqlite::Error::from)?),
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }
}
