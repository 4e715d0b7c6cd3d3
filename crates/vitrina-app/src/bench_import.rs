//! The import benchmark: time parsing a supplier file alone, a first import into an empty
//! catalog, and a re-import of the same unchanged file, with peak memory of each.
//! Run it from the CLI (`vitrina bench import FILE`), never as a test.

use std::path::Path;
use std::time::Instant;

use serde::Serialize;
use vitrina_formats::{ReadOptions, Record, RecordSource};
use vitrina_import::{ImportRequest, run_import};
use vitrina_store::Catalog;

use crate::bench::peak_rss;
use crate::error::{AppError, AppResult, ErrorCode};

#[derive(Debug, Clone, Serialize)]
pub struct ImportPhase {
    pub seconds: f64,
    /// Seconds ÷ the parse-only seconds.
    pub ratio_to_parse: f64,
    pub offers_per_second: f64,
    pub created: u64,
    pub updated: u64,
    pub unchanged: u64,
    pub rejected: u64,
    pub peak_rss_bytes: Option<u64>,
}

#[derive(Debug, Clone, Serialize)]
pub struct ImportBench {
    pub file: String,
    pub file_bytes: u64,
    pub records: u64,
    pub parse_seconds: f64,
    pub parse_peak_rss_bytes: Option<u64>,
    /// None with `reuse` (the catalog at `out` was imported before).
    pub first_import: Option<ImportPhase>,
    pub reimport: ImportPhase,
    pub database_bytes: u64,
}

const BENCH_SUPPLIER: &str = "Benchmark supplier";

/// Resets the kernel's peak-RSS mark of this process (Linux), so each phase reports its own.
fn reset_peak_rss() {
    let _ = std::fs::write("/proc/self/clear_refs", "5");
}

/// Runs the three phases on `feed`, building the catalog at `out` (replaced). With `reuse`, the
/// catalog at `out` is one an earlier run built from the same feed: only the re-import is timed.
pub fn run(
    feed: &Path,
    out: &Path,
    reuse: bool,
    progress: &mut dyn FnMut(&str, u64),
) -> AppResult<ImportBench> {
    let io = |e: std::io::Error| AppError::new(ErrorCode::Io, e.to_string());
    let file_bytes = std::fs::metadata(feed).map_err(io)?.len();

    reset_peak_rss();
    let started = Instant::now();
    let mut reader = vitrina_formats::open_file(feed, &ReadOptions::default())
        .map_err(|e| AppError::invalid(e.to_string()))?;
    let mut record = Record::new();
    let mut records = 0u64;
    while let Some(r) = reader.read_into(&mut record) {
        if r.is_ok() {
            records += 1;
            if records.is_multiple_of(100_000) {
                progress("parse", records);
            }
        }
    }
    let parse_seconds = started.elapsed().as_secs_f64();
    let parse_peak_rss_bytes = peak_rss();

    if !reuse {
        for suffix in ["", "-wal", "-shm"] {
            let _ = std::fs::remove_file(format!("{}{suffix}", out.display()));
        }
    } else if !out.exists() {
        return Err(AppError::invalid(format!("no catalog at {} to reuse", out.display())));
    }
    let mut catalog = Catalog::open(out)?;
    let supplier = match catalog.find_supplier(BENCH_SUPPLIER) {
        Ok(id) if reuse => id,
        _ => catalog.add_supplier(BENCH_SUPPLIER, 0)?,
    };
    let mut phase = |catalog: &mut Catalog, name: &str| -> AppResult<ImportPhase> {
        reset_peak_rss();
        let started = Instant::now();
        let request = ImportRequest {
            supplier,
            main_override: Some(feed.display().to_string()),
            job_id: None,
            cache_dir: out.parent().unwrap_or(Path::new(".")).join("downloads"),
        };
        let report = run_import(catalog, &request, &|_, _| None, &|| false, &mut |p| progress(name, p.done))
            .map_err(|e| AppError::new(ErrorCode::Internal, e.to_string()))?;
        let seconds = started.elapsed().as_secs_f64();
        let c = &report.run.counts;
        Ok(ImportPhase {
            seconds,
            ratio_to_parse: seconds / parse_seconds.max(1e-9),
            offers_per_second: report.run.rows_read as f64 / seconds.max(1e-9),
            created: c.created,
            updated: c.updated,
            unchanged: c.unchanged,
            rejected: c.rejected,
            peak_rss_bytes: peak_rss(),
        })
    };
    let first_import = if reuse { None } else { Some(phase(&mut catalog, "first import")?) };
    let reimport = phase(&mut catalog, "re-import")?;
    drop(catalog);
    let database_bytes = std::fs::metadata(out).map(|m| m.len()).unwrap_or(0);
    Ok(ImportBench {
        file: feed.display().to_string(),
        file_bytes,
        records,
        parse_seconds,
        parse_peak_rss_bytes,
        first_import,
        reimport,
        database_bytes,
    })
}
