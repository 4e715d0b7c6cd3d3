//! The export benchmark (`vitrina bench export`): on a large catalog, time each case the issue
//! names in a process of its own, so each peak memory figure is that case's alone. Never a test.
//!
//! Cases: `yml` (every product), `xlsx` (the first 100 000 rows), `pdf` (the first 10 000
//! rows, by category), one pass of each of the five profiles of `all` alone, and `all` (the five
//! together: YML, YML gzip windows-1251, Avito, Google Merchant, CSV, in one pass).

use std::path::Path;
use std::time::Instant;

use serde::{Deserialize, Serialize};
use vitrina_export::deliver::Secret;
use vitrina_export::{ExportJob, FeedFormat, FeedProfile};
use vitrina_store::Catalog;

use crate::error::{AppError, AppResult, ErrorCode};

/// The case names, in the order they run.
pub const CASES: [&str; 9] =
    ["yml", "xlsx", "pdf", "one:yml", "one:yml-gz", "one:avito", "one:google", "one:csv", "all"];

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ExportCase {
    pub case: String,
    /// Items written (all profiles of the case together).
    pub written: u64,
    pub skipped: u64,
    pub seconds: f64,
    pub bytes: u64,
    pub peak_rss_bytes: Option<u64>,
}

/// Runs one case against the catalog at `catalog`, writing into `out`.
pub fn run_case(catalog: &Path, case: &str, out: &Path) -> AppResult<ExportCase> {
    std::fs::create_dir_all(out)
        .map_err(|e| AppError::new(ErrorCode::Io, format!("cannot create {}: {e}", out.display())))?;
    let c = Catalog::open(catalog)?;
    let started = Instant::now();
    let (written, skipped, bytes) = match case {
        "xlsx" => limited(&c, FeedFormat::Xlsx, &out.join("price-100k.xlsx"), 100_000)?,
        "pdf" => limited(&c, FeedFormat::Pdf, &out.join("price-10k.pdf"), 10_000)?,
        "yml" => export(&c, vec![profile("yml", out)])?,
        // The floor under every feed: only reading the catalog, rows built and dropped.
        "read" => {
            let mut n = 0u64;
            c.export_each::<vitrina_store::StoreError>(
                &vitrina_store::export::Selection::default(),
                vitrina_store::export::ExportOrder::Storage,
                |_| {
                    n += 1;
                    Ok(std::ops::ControlFlow::Continue(()))
                },
            )?;
            (n, 0, 0)
        }
        "all" => export(&c, FIVE.iter().map(|name| profile(name, out)).collect())?,
        other => match other.strip_prefix("one:") {
            Some(name) if FIVE.contains(&name) => export(&c, vec![profile(name, out)])?,
            _ => {
                return Err(AppError::invalid(format!(
                    "unknown case \"{case}\"; known: {}",
                    CASES.join(", ")
                )));
            }
        },
    };
    Ok(ExportCase {
        case: case.into(),
        written,
        skipped,
        seconds: started.elapsed().as_secs_f64(),
        bytes,
        peak_rss_bytes: crate::bench::peak_rss(),
    })
}

const FIVE: [&str; 5] = ["yml", "yml-gz", "avito", "google", "csv"];

fn profile(name: &str, out: &Path) -> FeedProfile {
    let (format, file) = match name {
        "yml" => (FeedFormat::Yml, "feed.xml"),
        "yml-gz" => (FeedFormat::Yml, "feed-1251.xml"),
        "avito" => (FeedFormat::Avito, "avito.xml"),
        "google" => (FeedFormat::Google, "google.xml"),
        _ => (FeedFormat::Csv, "price.csv"),
    };
    let mut p = FeedProfile::new(name, format, out.join(file));
    p.settings.shop.name = "Bench".into();
    p.settings.shop.url = "https://shop.example.ru".into();
    p.settings.fields.url_template = "https://shop.example.ru/p/{sku}".into();
    p.settings.avito.address = "Москва, Лесная улица, 7".into();
    p.settings.avito.category = "Одежда, обувь, аксессуары".into();
    if name == "yml-gz" {
        p.settings.output.gzip = true;
        p.settings.yml.windows_1251 = true;
    }
    p
}

fn export(c: &Catalog, profiles: Vec<FeedProfile>) -> AppResult<(u64, u64, u64)> {
    let jobs: Vec<_> =
        profiles.into_iter().map(|profile| ExportJob { profile, secret: Secret::None }).collect();
    let results = vitrina_export::export(c, &jobs, &crate::feeds::run_options());
    let mut totals = (0, 0, 0);
    for (_, r) in results {
        let s = r.map_err(crate::feeds::export_error)?;
        totals = (totals.0 + s.written, totals.1 + s.skipped, totals.2 + s.bytes);
    }
    Ok(totals)
}

/// The first `rows` items of the whole catalog in `format`, through the same writer an export
/// uses (the editor's preview path, which stops after `rows`).
fn limited(c: &Catalog, format: FeedFormat, file: &Path, rows: usize) -> AppResult<(u64, u64, u64)> {
    let profile = FeedProfile::new("bench", format, file.to_path_buf());
    let (atomic, output) = vitrina_export::output::AtomicFile::create(file, false)
        .map_err(|e| AppError::new(ErrorCode::Io, format!("cannot write {}: {e}", file.display())))?;
    let s = vitrina_export::run::write_to(c, &profile, Box::new(output), rows, &crate::feeds::run_options())
        .map_err(crate::feeds::export_error)?;
    let bytes = atomic.commit().map_err(|e| AppError::new(ErrorCode::Io, e.to_string()))?;
    Ok((s.written, s.skipped, bytes))
}
