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

#[cfg(test)]
mod tests {
    use std::path::Path;
    use std::time::Duration;

    use serde_json::json;
    use vitrina_domain::{Currency, Money, Product, ProductDraft};
    use vitrina_store::Catalog;

    use crate::error::ErrorCode;
    use crate::jobs::{CancelOutcome, EnqueueRequest, JobEvent, JobState, Jobs, WorkerOptions};

    fn catalog_with(path: &Path, n: u32, price: i64) {
        let mut c = Catalog::open(path).unwrap();
        let products = (0..n).map(|i| {
            let draft = ProductDraft {
                sku: format!("SKU-{i:04}"),
                name: format!("Товар {i}"),
                price: Money::new(price, Currency::RUB),
            };
            let mut p = Product::new(draft).unwrap();
            p.brand = if i % 2 == 0 { "Acme".into() } else { "Other".into() };
            p
        });
        c.bulk_upsert(products).unwrap();
    }

    fn prices(path: &Path) -> Vec<i64> {
        let c = Catalog::open(path).unwrap();
        let page = c.list(&vitrina_store::ListQuery { limit: 1000, ..Default::default() }).unwrap();
        page.rows.iter().map(|r| r.price.minor).collect()
    }

    #[test]
    fn reprice_runs_to_the_end_and_its_bad_input_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("catalog.db");
        catalog_with(&path, 30, 1000);
        let jobs = Jobs::open(&path).unwrap();
        let err = jobs
            .enqueue(&EnqueueRequest {
                kind: "catalog.reprice".into(),
                payload: json!({ "percnt": 5 }),
                concurrency_key: None,
                max_attempts: None,
            })
            .unwrap_err();
        assert_eq!(err.code, ErrorCode::Invalid);
        assert!(err.message.contains("percnt"), "{}", err.message);
        let job = jobs
            .enqueue(&EnqueueRequest {
                kind: "catalog.reprice".into(),
                payload: json!({ "percent": 10, "brand": "Acme", "batch_size": 4 }),
                concurrency_key: None,
                max_attempts: None,
            })
            .unwrap();
        let mut updates = 0;
        let done = jobs.wait(&job.id.to_string(), &mut |_| updates += 1).unwrap();
        assert_eq!(done.state, JobState::Succeeded, "{:?}", done.error);
        // The job's own record says it ran to the end; how many of its updates the waiter saw
        // depends on how fast the machine ran it (a loaded one can finish between two looks).
        assert!(updates >= 1);
        assert!(done.progress.total.is_some_and(|t| done.progress.done == t), "{:?}", done.progress);
        assert_eq!(
            done.result.unwrap(),
            json!({ "percent": 10.0, "products": 15, "changed": 15, "batches": 4 })
        );
        let mut all = prices(&path);
        all.sort();
        assert_eq!(all, [vec![1000; 15], vec![1100; 15]].concat(), "only Acme, each exactly once");
        let refused = jobs
            .enqueue(&EnqueueRequest {
                kind: "catalog.reprice".into(),
                payload: json!({ "percent": -150 }),
                concurrency_key: None,
                max_attempts: None,
            })
            .unwrap();
        let refused = jobs.wait(&refused.id.to_string(), &mut |_| {}).unwrap();
        assert_eq!(refused.state, JobState::Failed);
        assert_eq!(refused.error_code.as_deref(), Some(crate::catalog_jobs::PERCENT_OUT_OF_RANGE));
        assert!(refused.error.unwrap().contains("above -100"));
    }

    #[test]
    fn a_cancelled_reprice_keeps_whole_batches_and_a_retry_finishes_the_rest_once() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("catalog.db");
        catalog_with(&path, 100, 1000);
        let jobs = Jobs::open(&path).unwrap();
        let job = jobs
            .enqueue(&EnqueueRequest {
                kind: "catalog.reprice".into(),
                payload: json!({ "percent": -10, "batch_size": 10, "pause_ms": 40 }),
                concurrency_key: None,
                max_attempts: None,
            })
            .unwrap();
        let id = job.id.to_string();
        let mut worker =
            jobs.start_worker(&WorkerOptions { schedules: false, ..Default::default() }).unwrap();
        let canceller = Jobs::open(&path).unwrap();
        let mut asked = false;
        worker
            .run(true, &mut |e| {
                if let JobEvent::Progress { progress, .. } = e
                    && progress.done >= 20
                    && !asked
                {
                    asked = true;
                    assert_eq!(canceller.cancel(&id).unwrap().outcome, CancelOutcome::Requested);
                }
            })
            .unwrap();
        let cancelled = jobs.get(&id).unwrap();
        assert_eq!(cancelled.state, JobState::Cancelled);
        let changed = prices(&path).iter().filter(|p| **p == 900).count();
        assert!((20..100).contains(&changed), "stopped part-way: {changed}");
        assert_eq!(changed % 10, 0, "whole batches only: {changed}");
        assert_eq!(prices(&path).iter().filter(|p| **p != 900 && **p != 1000).count(), 0);

        jobs.retry(&id).unwrap();
        worker.run(true, &mut |_| {}).unwrap();
        worker.stop(Duration::from_secs(1));
        let done = jobs.get(&id).unwrap();
        assert_eq!(done.state, JobState::Succeeded);
        assert_eq!(done.result.unwrap()["changed"], 100);
        assert_eq!(prices(&path), vec![900; 100], "every price changed exactly once");
        let logs = jobs.logs(&id, None).unwrap();
        assert!(logs.iter().any(|l| l.message.starts_with("resuming after")), "{logs:?}");
    }
}
