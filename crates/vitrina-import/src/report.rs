//! The report of an import run: what it did and every row it rejected or kept with a warning,
//! as text for people and as CSV for a spreadsheet.

use std::fmt;
use std::io::Write;

use serde::Serialize;
use vitrina_store::imports::{ImportIssue, IssueKind, RunRecord};

#[derive(Debug, Clone, Serialize)]
pub struct ImportReport {
    pub run: RunRecord,
    pub issues: Vec<ImportIssue>,
}

impl ImportReport {
    pub fn new(run: RunRecord, issues: Vec<ImportIssue>) -> Self {
        ImportReport { run, issues }
    }

    /// Writes the rejected rows and warnings as CSV (UTF-8 with a BOM, so Excel shows the
    /// Cyrillic right): kind, line, record id, field, value, reason.
    pub fn write_csv(&self, out: impl Write) -> std::io::Result<()> {
        write_issues_csv(&self.issues, out)
    }
}

/// [`ImportReport::write_csv`] for a list of issues.
pub fn write_issues_csv(issues: &[ImportIssue], mut out: impl Write) -> std::io::Result<()> {
    out.write_all("\u{feff}".as_bytes())?;
    let mut w = csv::Writer::from_writer(out);
    w.write_record(["kind", "line", "record_id", "field", "value", "reason"])?;
    for i in issues {
        let kind = match i.kind {
            IssueKind::Rejected => "rejected",
            IssueKind::Warning => "warning",
        };
        let line = i.line.map(|l| l.to_string()).unwrap_or_default();
        w.write_record([kind, &line, i.record_id.as_deref().unwrap_or(""), &i.field, &i.value, &i.reason])?;
    }
    w.flush()?;
    Ok(())
}

impl fmt::Display for ImportReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let r = &self.run;
        let c = &r.counts;
        writeln!(f, "{} — {:?}", r.supplier_name, r.state)?;
        writeln!(
            f,
            "rows read {}, created {}, updated {}, unchanged {}, disappeared {}, rejected {}, warnings {}",
            r.rows_read, c.created, c.updated, c.unchanged, c.disappeared, c.rejected, r.warnings
        )?;
        for notice in &r.notices {
            writeln!(f, "note: {notice}")?;
        }
        if let Some(e) = &r.error {
            writeln!(f, "error: {e}")?;
        }
        Ok(())
    }
}
