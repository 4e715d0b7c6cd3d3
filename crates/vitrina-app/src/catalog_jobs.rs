//! Catalog-wide jobs: `catalog.reprice` (prices by a percentage, in batches that each commit
//! with their record, so a re-run never applies one twice) and `catalog.analyze` (query
//! statistics, a good nightly schedule).

use std::time::Duration;

use serde::{Deserialize, Serialize};
use vitrina_jobs::{JobCtx, JobError, JobPayload, KindOptions, Registry};
use vitrina_store::job_batches::RepriceScope;

use crate::error::AppResult;
use crate::ipc::JobStage;
use crate::jobs::{JobRecord, Jobs, JobsContext, QueueOptions};

/// Registers this module's job kinds.
pub fn register(r: &mut Registry<JobsContext>) {
    r.register_kind(
        KindOptions::new("Change prices by a percentage, in batches (payload: percent, brand, batch_size)")
            .concurrency(1),
        reprice,
    );
    r.register_kind(
        KindOptions::new("Refresh the catalog's query statistics (a good nightly schedule)"),
        |ctx: JobCtx<JobsContext>, _: AnalyzePayload| async move {
            ctx.stage(JobStage::Analyzing.code());
            ctx.app().with_catalog(|c| c.analyze()).await?;
            Ok(serde_json::json!({}))
        },
    );
}

/// Queues a reprice.
pub fn queue_reprice(jobs: &Jobs, payload: &RepricePayload) -> AppResult<JobRecord> {
    jobs.queue_job(payload, &QueueOptions::default())
}

/// Queues a refresh of the query statistics.
pub fn queue_analyze(jobs: &Jobs) -> AppResult<JobRecord> {
    jobs.queue_job(&AnalyzePayload {}, &QueueOptions::default())
}

/// `catalog.reprice`: change prices by a percentage.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RepricePayload {
    /// +10 raises prices by 10 %, -5.5 lowers them by 5.5 %.
    pub percent: f64,
    /// Only this brand.
    #[serde(default)]
    pub brand: Option<String>,
    /// Products per transaction (default 500).
    #[serde(default)]
    pub batch_size: Option<u32>,
    /// A pause between batches, to leave the catalog to other work (default none).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pause_ms: Option<u64>,
}

impl JobPayload for RepricePayload {
    const KIND: &'static str = "catalog.reprice";
}

impl RepricePayload {
    /// `percent` on every product (or one brand's), in batches of 500.
    pub fn new(percent: f64, brand: Option<String>) -> Self {
        RepricePayload {
            percent,
            brand: brand.map(|b| b.trim().to_string()).filter(|b| !b.is_empty()),
            batch_size: None,
            pause_ms: None,
        }
    }
}

/// `catalog.analyze`: refresh the catalog's query statistics.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct AnalyzePayload {}

impl JobPayload for AnalyzePayload {
    const KIND: &'static str = "catalog.analyze";
}

#[derive(Debug, Clone, Serialize)]
pub struct RepriceSummary {
    pub percent: f64,
    pub products: u64,
    pub changed: u64,
    pub batches: u32,
}

/// The code of a reprice refused for its percent.
pub(crate) const PERCENT_OUT_OF_RANGE: &str = "percent_out_of_range";

/// Each batch is one transaction that also records the batch for this job, so a run that
/// resumes after a crash or a retry skips the batches that committed: every price changes
/// exactly once. Cancel is honoured between batches only.
async fn reprice(ctx: JobCtx<JobsContext>, p: RepricePayload) -> Result<RepriceSummary, JobError> {
    if !p.percent.is_finite() || p.percent <= -100.0 || p.percent > 1000.0 {
        return Err(JobError::permanent(format!(
            "percent must be above -100 and at most 1000, not {}",
            p.percent
        ))
        .with_code(PERCENT_OUT_OF_RANGE));
    }
    let bp = (p.percent * 100.0).round() as i32;
    let batch = p.batch_size.unwrap_or(500).clamp(1, 50_000);
    let scope = RepriceScope { brand: p.brand.clone() };
    let app = ctx.app().clone();
    let id = ctx.id();
    let (start, remaining) = {
        let scope = scope.clone();
        app.with_catalog(move |c| {
            let at = c.job_checkpoint(id)?;
            Ok((at, c.reprice_remaining(&scope, at.cursor)?))
        })
        .await?
    };
    let total = start.items + remaining;
    if start.batches > 0 {
        ctx.log()
            .info(format!("resuming after {} committed batches ({} products)", start.batches, start.items));
    }
    ctx.stage(JobStage::Repricing.code());
    // Details shown as sent next to the worded stage: numbers and the seller's own brand only.
    ctx.message(match p.brand.as_deref() {
        Some(brand) => format!("{:+}% · {brand}", p.percent),
        None => format!("{:+}%", p.percent),
    });
    ctx.progress(start.items, Some(total));
    let mut at = start;
    loop {
        ctx.check_cancelled()?;
        let scope = scope.clone();
        match app.with_catalog(move |c| c.reprice_batch(id, &scope, bp, batch)).await? {
            Some(next) => {
                at = next;
                ctx.progress(at.items, Some(total.max(at.items)));
            }
            None => break,
        }
        if let Some(ms) = p.pause_ms.filter(|ms| *ms > 0) {
            tokio::select! {
                _ = tokio::time::sleep(Duration::from_millis(ms)) => {}
                _ = ctx.cancelled() => {}
            }
        }
    }
    ctx.log().info(format!("{} of {} prices changed in {} batches", at.changed, at.items, at.batches));
    Ok(RepriceSummary { percent: p.percent, products: at.items, changed: at.changed, batches: at.batches })
}
