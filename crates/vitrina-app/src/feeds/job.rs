//! The `feeds.export` job: export some profiles, or every enabled one ("Export all"), in one
//! pass over the catalog; each profile's result is kept on the profile, the run's on the job.

use std::sync::Arc;
use std::sync::atomic::AtomicBool;

use serde::{Deserialize, Serialize};
use vitrina_domain::FeedProfileId;
use vitrina_export::{ExportJob, FeedProfile};
use vitrina_jobs::{JobCtx, JobError, JobPayload, KindOptions, Registry};
use vitrina_store::Catalog;

use crate::catalog::App;
use crate::error::AppResult;
use crate::ipc::{ExportRunDto, JobStage};
use crate::jobs::{JobRecord, Jobs, JobsContext, QueueOptions, classify};

/// Exports never run two at a time: they would write the same files.
pub const CONCURRENCY_KEY: &str = "feeds.export";

/// The code of a run in which some profile failed (each profile's own reason is on its result).
pub(crate) const EXPORT_FAILED: &str = "export_failed";
/// The code of a run with no profile to export.
pub(crate) const NOTHING_TO_EXPORT: &str = "nothing_to_export";

pub fn register(r: &mut Registry<JobsContext>) {
    r.register_kind(
        KindOptions::new("Export feed profiles (payload: profiles, or all enabled ones)")
            .concurrency(1)
            .attempts(1),
        export,
    );
}

/// `feeds.export`: these profiles, or every enabled one when `all`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExportPayload {
    #[serde(default)]
    pub profiles: Vec<FeedProfileId>,
    #[serde(default)]
    pub all: bool,
}

impl JobPayload for ExportPayload {
    const KIND: &'static str = "feeds.export";
}

impl ExportPayload {
    pub fn profiles(ids: Vec<FeedProfileId>) -> Self {
        ExportPayload { profiles: ids, all: false }
    }

    pub fn all() -> Self {
        ExportPayload { profiles: Vec::new(), all: true }
    }
}

/// Queues an export of the profiles named by `keys` (names or ids), or of all enabled ones.
pub fn queue_export(app: &App, jobs: &Jobs, keys: &[String], all: bool) -> AppResult<JobRecord> {
    let payload = if all {
        ExportPayload::all()
    } else {
        let c = app.catalog()?;
        let ids = keys.iter().map(|k| c.feed_profile(k).map(|r| r.id)).collect::<Result<Vec<_>, _>>()?;
        if ids.is_empty() {
            return Err(crate::error::AppError::invalid("name the profiles to export, or export all"));
        }
        ExportPayload::profiles(ids)
    };
    jobs.queue_job(
        &payload,
        &QueueOptions { concurrency_key: Some(CONCURRENCY_KEY.into()), max_attempts: Some(1) },
    )
}

/// The profiles a payload names, read from the catalog.
fn chosen(c: &Catalog, p: &ExportPayload) -> Result<Vec<FeedProfile>, JobError> {
    let records = c.feed_profiles().map_err(classify)?;
    let mut out = Vec::new();
    for r in records {
        if (p.all && r.enabled) || p.profiles.contains(&r.id) {
            out.push(FeedProfile::from_record(&r).map_err(|e| JobError::permanent(e.to_string()))?);
        }
    }
    for id in &p.profiles {
        if !out.iter().any(|f| f.id == *id) {
            return Err(
                JobError::permanent(format!("feed profile {id} does not exist")).with_code(NOTHING_TO_EXPORT)
            );
        }
    }
    Ok(out)
}

async fn export(ctx: JobCtx<JobsContext>, p: ExportPayload) -> Result<ExportRunDto, JobError> {
    ctx.stage(JobStage::Exporting.code());
    let app = ctx.app().clone();
    let profiles = {
        let p = p.clone();
        app.on_catalog_async(move |c| chosen(c, &p)).await?
    };
    if profiles.is_empty() {
        return Err(JobError::permanent("no feed profile is enabled").with_code(NOTHING_TO_EXPORT));
    }
    ctx.message(profiles.iter().map(|f| f.name.as_str()).collect::<Vec<_>>().join(", "));
    let reporter = ctx.reporter();
    let cancel = Arc::new(AtomicBool::new(false));
    let token = ctx.cancel_token();
    let watcher = {
        let cancel = cancel.clone();
        tokio::spawn(async move {
            token.cancelled().await;
            cancel.store(true, std::sync::atomic::Ordering::Relaxed);
        })
    };
    let path = app.catalog_path().to_path_buf();
    let started = std::time::Instant::now();
    let results = tokio::task::spawn_blocking(move || -> Result<_, JobError> {
        let store = crate::secrets::KeyringStore::new();
        let mut jobs = Vec::new();
        for profile in profiles {
            let secret =
                super::target_secret(&store, &profile).map_err(|e| JobError::permanent(e.message))?;
            jobs.push(ExportJob { profile, secret });
        }
        // A connection of its own: the read takes one snapshot and holds no lock others wait for.
        let catalog = Catalog::open(&path).map_err(classify)?;
        let mut options = super::run_options();
        options.cancel = cancel;
        options.progress = Arc::new(move |done, total| reporter.progress(done, Some(total)));
        let results = vitrina_export::export(&catalog, &jobs, &options);
        Ok(jobs.iter().zip(results).map(|(j, (_, r))| (j.profile.clone(), r)).collect::<Vec<_>>())
    })
    .await
    .map_err(|e| JobError::permanent(e.to_string()))??;
    watcher.abort();
    ctx.check_cancelled()?;
    let run = ExportRunDto {
        results: results.iter().map(|(f, r)| super::result_dto(&f.name, f.format.code(), r)).collect(),
        millis: started.elapsed().as_millis() as u64,
    };
    for (result, (profile, _)) in run.results.iter().zip(&results) {
        let log = ctx.log();
        match (&result.error, result.empty) {
            (Some(e), _) => log.error(format!("{}: {e}", profile.name)),
            (None, true) => {
                log.warn(format!("{}: the filters match no product; an empty feed was written", profile.name))
            }
            (None, false) => log.info(format!(
                "{}: {} written, {} skipped, {} bytes",
                profile.name, result.written, result.skipped, result.bytes
            )),
        }
    }
    let keep = run
        .results
        .iter()
        .zip(&results)
        .map(|(r, (f, _))| (f.id, serde_json::to_string(r).unwrap_or_default()));
    let keep: Vec<_> = keep.collect();
    // The files are written and uploaded by now: a catalog that stays busy (a long import holds
    // its write lock) must not fail the export. The results stay in the job's own result.
    let kept = app
        .with_catalog(move |c| {
            for (id, summary) in &keep {
                c.set_feed_result(*id, summary)?;
            }
            Ok(())
        })
        .await;
    if let Err(e) = kept {
        ctx.log().warn(format!("the profiles' last results were not saved in the catalog: {e}"));
    }
    let failed: Vec<_> = run.results.iter().filter(|r| !r.ok).collect();
    if !failed.is_empty() {
        let names: Vec<_> =
            failed.iter().map(|r| format!("{} ({})", r.profile, r.error.as_deref().unwrap_or(""))).collect();
        return Err(
            JobError::permanent(format!("export failed for {}", names.join("; "))).with_code(EXPORT_FAILED)
        );
    }
    Ok(run)
}
