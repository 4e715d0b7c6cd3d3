//! The `import.supplier` job: its payload, its handler, and the one way front ends queue it.

use std::path::Path;

use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use vitrina_import::source::SourceSpec;
use vitrina_jobs::{Classify, ErrorClass, JobCtx, JobError, JobPayload, KindOptions, NewJob, Registry};

use crate::catalog::App;
use crate::error::{AppError, AppResult};
use crate::imports::SupplierSummary;
use crate::ipc::JobStage;
use crate::jobs::{JobRecord, Jobs, JobsContext, QueueOptions, classify};

/// Registers the import kind and the recovery of runs a crash cut short.
pub fn register(r: &mut Registry<JobsContext>) {
    r.register_kind(
        KindOptions::new("Import a supplier's feeds (payload: supplier, file)").concurrency(1),
        import_supplier,
    );
    // Every import runs as a job, so when the worker starts no import can be running: a run
    // still marked running was cut short by a crash, which rolled its transaction back.
    r.on_recover("supplier import runs interrupted by a stop, marked failed", |app: &JobsContext| {
        app.catalog_blocking(|c| c.fail_interrupted_import_runs()).map_err(|e| e.to_string())
    });
}

/// One import per supplier at a time.
pub fn concurrency_key(supplier: &SupplierSummary) -> String {
    format!("import:{}", supplier.id)
}

/// Queues an import of `supplier` (id or name) from its saved feeds, or from `source` instead
/// of the main one: a path or a link as the seller typed it. A path is checked here and kept
/// absolute, so a worker started elsewhere finds the file. `attempts`: the kind's default when
/// `None` (a command waiting on its own import uses 1).
pub fn queue_import(
    app: &App,
    jobs: &Jobs,
    supplier: &str,
    source: Option<&str>,
    attempts: Option<u32>,
) -> AppResult<JobRecord> {
    app.may_change()?;
    let supplier = app.supplier(supplier)?;
    let file = match source.map(str::trim).filter(|s| !s.is_empty()).map(vitrina_import::spec_from_text) {
        Some(SourceSpec::File { path }) => Some(absolute_file(&path)?),
        Some(SourceSpec::Url { url, .. }) => Some(url),
        None => None,
    };
    let payload = ImportPayload { supplier: supplier.id.to_string(), file };
    let job = jobs.queue_job(
        &payload,
        &QueueOptions { concurrency_key: Some(concurrency_key(&supplier)), max_attempts: attempts },
    )?;
    tracing::info!(supplier = %supplier.id, job = %job.id, "import queued");
    Ok(job)
}

/// The payload a supplier's import schedule queues.
pub fn scheduled_import(supplier: &SupplierSummary) -> ImportPayload {
    ImportPayload { supplier: supplier.id.to_string(), file: None }
}

fn absolute_file(path: &Path) -> AppResult<String> {
    if !path.is_file() {
        return Err(AppError::new(
            crate::error::ErrorCode::NotFound,
            format!("the file {} does not exist", path.display()),
        ));
    }
    Ok(std::fs::canonicalize(path).map_or_else(|_| path.display().to_string(), |p| p.display().to_string()))
}

/// `import.supplier`: import a supplier's feeds (or a given file or link instead of the main one).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ImportPayload {
    /// The supplier's id (a name is accepted too, from payloads typed by hand).
    pub supplier: String,
    /// A file path or link to read instead of the saved main feed, as the pipeline reads it
    /// (`vitrina_import::spec_from_text`).
    #[serde(default)]
    pub file: Option<String>,
}

impl JobPayload for ImportPayload {
    const KIND: &'static str = "import.supplier";
}

/// The code of an import that could not read a feed's saved password or token.
pub(crate) const SECRET_UNREADABLE: &str = "secret_unreadable";

/// The whole run is one transaction, so a cancel or a crash leaves the catalog as it was and a
/// retry starts over. A timeout or server error on a link is worth a retry; a bad file is not.
async fn import_supplier(ctx: JobCtx<JobsContext>, p: ImportPayload) -> Result<Value, JobError> {
    let started_ms = chrono::Utc::now().timestamp_millis();
    let app = ctx.app().clone();
    let job_id = ctx.id().0;
    let token = ctx.cancel_token();
    let reporter = ctx.reporter();
    ctx.stage(JobStage::Importing.code());
    let report = tokio::task::spawn_blocking(move || {
        app.on_catalog(|catalog| {
            let supplier = catalog.find_supplier(&p.supplier).map_err(classify)?;
            let config = catalog.supplier_config(supplier).map_err(classify)?;
            // The details next to the worded stage: whose feed it is.
            reporter.message(config.name.clone());
            let request = vitrina_import::ImportRequest {
                supplier,
                main_override: p.file.clone(),
                job_id: Some(job_id),
                cache_dir: app.cache_dir(),
            };
            // The password or token of each feed that signs in, read before anything is fetched: a
            // keyring that cannot be read fails the import with its reason instead of downloading
            // without the sign-in (a file or link given by hand replaces the main feed's).
            let secrets = crate::secrets::KeyringStore::new();
            let mut signs_in = std::collections::HashMap::new();
            for row in config.sources {
                use vitrina_import::source::{Auth, SourceSpec};
                let auth = match serde_json::from_str::<SourceSpec>(&row.spec) {
                    Ok(SourceSpec::Url { auth, .. }) => auth,
                    _ => Auth::None,
                };
                if auth == Auth::None || (row.position == 0 && p.file.is_some()) {
                    continue;
                }
                let name = crate::imports::source_secret_name(supplier, row.position);
                let value = crate::secrets::SecretStore::get(&secrets, &name).map_err(|e| {
                    JobError::permanent(format!(
                        "cannot read the saved password or token of feed {}: {e}",
                        row.position + 1
                    ))
                    .with_code(SECRET_UNREADABLE)
                })?;
                signs_in.insert(row.position, value);
            }
            let secret = |_, position| signs_in.get(&position).cloned().flatten();
            let cancel = || token.is_cancelled();
            vitrina_import::run_import(catalog, &request, &secret, &cancel, &mut |progress| {
                let stage = match progress.stage {
                    vitrina_import::Stage::Fetching => JobStage::Downloading,
                    vitrina_import::Stage::Importing => JobStage::Importing,
                };
                reporter.progress(progress.done, progress.total);
                reporter.stage(stage.code());
            })
            .map_err(|e| {
                let class = if e.is_retryable() { ErrorClass::Transient } else { ErrorClass::Permanent };
                JobError::from_error(class, &e).with_code(e.code())
            })
        })
    })
    .await
    .permanent()??;
    let c = &report.run.counts;
    ctx.log().info(format!(
        "{}: {} rows read, {} created, {} updated, {} unchanged, {} disappeared, {} rejected",
        report.run.supplier_name,
        report.run.rows_read,
        c.created,
        c.updated,
        c.unchanged,
        c.disappeared,
        c.rejected
    ));
    if c.created + c.updated + c.disappeared > 0 {
        // Marketplaces that want it get the new prices and stocks (the push reads the catalog
        // without waiting, and sends only what changed).
        let accounts = vitrina_market::MarketStore::open(ctx.app().catalog_path())
            .map_err(|e| e.to_string())
            .and_then(|s| crate::market::auto_push::auto_push_accounts(&s).map_err(|e| e.message));
        match accounts {
            Ok(accounts) => {
                for account in accounts {
                    let job = crate::market::auto_push::push_job(&account, started_ms);
                    if let Err(e) = ctx.enqueue_child(job).await {
                        ctx.log().warn(format!("could not queue the push to {}: {e}", account.name));
                    }
                }
            }
            Err(e) => ctx.log().warn(format!("the marketplace accounts could not be read: {e}")),
        }
    }
    if c.created + c.updated > 0 {
        // The new or changed products' pictures arrive in the background.
        let images = NewJob::of(&crate::images::DownloadPayload::default());
        match ctx.enqueue_child(images).await {
            Ok(id) => ctx.log().info(format!("product images download in the background (job {id})")),
            Err(e) => ctx.log().warn(format!("could not queue the download of product images: {e}")),
        }
    }
    Ok(json!({
        "run": report.run.id.to_string(),
        "supplier": report.run.supplier_name,
        "rows_read": report.run.rows_read,
        "counts": c,
        "warnings": report.run.warnings,
    }))
}
