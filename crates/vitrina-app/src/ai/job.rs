//! `ai.moderate` and `ai.generate`: a run over products as a job — progress, cancel, the run's
//! summary as the result. One run per provider at a time (concurrency key `ai:<provider id>`),
//! so two runs never send the same products; the provider's limits are shared in the process.
//!
//! The work itself ([`App::run_ai_now`]) is blocking code over the catalog path and a store of
//! secrets, so it is tested without the job runner.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use serde::{Deserialize, Serialize};
use vitrina_ai::batch::{Hooks, RunSpec};
use vitrina_ai::prompt::Task;
use vitrina_ai::rules::Target;
use vitrina_ai::store::AiStore;
use vitrina_ai::{AiError, ErrorKind};
use vitrina_jobs::{JobCtx, JobError, JobPayload, KindOptions, Registry};
use vitrina_store::Catalog;
use vitrina_store::export::Selection;

use super::{ai_error, client, required_attrs, run_dto};
use crate::catalog::App;
use crate::error::{AppError, AppResult};
use crate::ipc::{AiRunDto, AiRunRequest, JobErrorCode, JobStage};
use crate::jobs::{JobRecord, Jobs, JobsContext, QueueOptions};
use crate::secrets::Secrets;

pub fn register(r: &mut Registry<JobsContext>) {
    r.register_kind(
        KindOptions::new("Check products with rules and an AI model (payload: provider, target, skus)")
            .concurrency(2)
            .attempts(2),
        moderate,
    );
    r.register_kind(
        KindOptions::new("Write descriptions with an AI model (payload: provider, target, skus)")
            .concurrency(2)
            .attempts(2),
        generate,
    );
}

/// What a run covers and how (shared by both kinds).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RunPayload {
    /// The provider's id.
    pub provider: String,
    /// `any`, `wb`, `ozon`, `ym`.
    #[serde(default)]
    pub target: String,
    /// The products, resolved when queued (SKUs, a category's, an error inbox's); all when
    /// empty and no category.
    #[serde(default)]
    pub skus: Vec<String>,
    #[serde(default)]
    pub categories: Vec<vitrina_domain::CategoryId>,
    #[serde(default)]
    pub language: Option<String>,
    #[serde(default)]
    pub tone: Option<String>,
    #[serde(default)]
    pub with_name: bool,
    #[serde(default)]
    pub concurrency: Option<u32>,
}

/// `ai.moderate`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ModeratePayload(pub RunPayload);

impl JobPayload for ModeratePayload {
    const KIND: &'static str = "ai.moderate";
}

/// `ai.generate`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct GeneratePayload(pub RunPayload);

impl JobPayload for GeneratePayload {
    const KIND: &'static str = "ai.generate";
}

/// The failure codes only these jobs give (they also give `cancelled`, `catalog_error`,
/// `timeout` and `server_error`).
#[cfg(test)]
pub(crate) const AI_CODES: [JobErrorCode; 6] = [
    JobErrorCode::AiKeyMissing,
    JobErrorCode::AiUnauthorized,
    JobErrorCode::AiUnreachable,
    JobErrorCode::AiRateLimited,
    JobErrorCode::AiFailed,
    JobErrorCode::AiSettingsInvalid,
];

/// Queues a run as the front ends ask for it: the provider and products are resolved now, so
/// a mistyped name is an error at once rather than a failed job.
pub fn queue_ai_run(app: &App, jobs: &Jobs, req: &AiRunRequest) -> AppResult<JobRecord> {
    let (task, payload) = payload(app, req)?;
    let options =
        QueueOptions { concurrency_key: Some(format!("ai:{}", payload.provider)), max_attempts: Some(2) };
    match task {
        Task::Moderate => jobs.queue_job(&ModeratePayload(payload), &options),
        Task::Generate => jobs.queue_job(&GeneratePayload(payload), &options),
    }
}

fn payload(app: &App, req: &AiRunRequest) -> AppResult<(Task, RunPayload)> {
    let task: Task =
        if req.task.trim().is_empty() { Task::Moderate } else { req.task.parse().map_err(ai_error)? };
    let target: Target = req.target.parse().map_err(ai_error)?;
    let store = app.ai_store()?;
    let provider = if req.provider.trim().is_empty() {
        let all = store.providers().map_err(ai_error)?;
        match all.as_slice() {
            [one] => one.clone(),
            [] => {
                return Err(AppError::invalid(
                    "no AI provider yet: add one (vitrina ai providers add, or Settings → AI)",
                ));
            }
            _ => return Err(AppError::invalid("several AI providers: name the one to use")),
        }
    } else {
        store.provider(&req.provider).map_err(ai_error)?
    };
    let selection = app.ai_selection(&req.skus, req.category.as_deref(), req.inbox.as_deref())?;
    if task == Task::Generate && selection.skus.is_empty() && selection.categories.is_empty() {
        return Err(AppError::invalid("name the products to write descriptions for (SKUs or a category)"));
    }
    Ok((
        task,
        RunPayload {
            provider: provider.id.to_string(),
            target: target.code().into(),
            skus: selection.skus,
            categories: selection.categories,
            language: req.language.clone().filter(|l| !l.trim().is_empty()),
            tone: req.tone.clone().filter(|t| !t.trim().is_empty()),
            with_name: req.with_name,
            concurrency: req.concurrency,
        },
    ))
}

async fn moderate(ctx: JobCtx<JobsContext>, p: ModeratePayload) -> Result<AiRunDto, JobError> {
    run_job(ctx, Task::Moderate, p.0).await
}

async fn generate(ctx: JobCtx<JobsContext>, p: GeneratePayload) -> Result<AiRunDto, JobError> {
    run_job(ctx, Task::Generate, p.0).await
}

async fn run_job(ctx: JobCtx<JobsContext>, task: Task, p: RunPayload) -> Result<AiRunDto, JobError> {
    ctx.stage(match task {
        Task::Moderate => JobStage::Moderating.code(),
        Task::Generate => JobStage::Generating.code(),
    });
    let cancel = Arc::new(AtomicBool::new(false));
    let token = ctx.cancel_token();
    let watcher = {
        let cancel = cancel.clone();
        tokio::spawn(async move {
            token.cancelled().await;
            cancel.store(true, Ordering::Relaxed);
        })
    };
    let reporter = ctx.reporter();
    let path = ctx.app().catalog_path().to_path_buf();
    let result = tokio::task::spawn_blocking(move || {
        let secrets = Secrets::new(Box::new(crate::secrets::KeyringStore::new()));
        let is_cancelled = || cancel.load(Ordering::Relaxed);
        let progress = |done: u64, total: u64| reporter.progress(done, Some(total));
        let app = App::open(&path)
            .map_err(|e| JobError::permanent(e.message).with_code(JobErrorCode::CatalogError.code()))?;
        app.run_ai_now(task, &p, &secrets, &is_cancelled, &progress).map_err(job_error)
    })
    .await
    .map_err(|e| JobError::permanent(e.to_string()))?;
    watcher.abort();
    ctx.check_cancelled()?;
    let run = result?;
    let log = ctx.log();
    log.info(format!(
        "{} products: {} requests, {} from the cache, {} failed, {} suggestions; {} + {} tokens",
        run.products,
        run.requests,
        run.cached,
        run.failed,
        run.suggestions,
        run.input_tokens,
        run.output_tokens
    ));
    for f in run.failures.iter().take(20) {
        log.warn(format!("{}: {}", f.sku, f.error.as_deref().unwrap_or("")));
    }
    if run.products > 0 && run.failed == run.products {
        let first = run.failures.first();
        let code =
            first.and_then(|f| f.error_code.as_deref()).map(code_for).unwrap_or(JobErrorCode::AiFailed);
        let reason = first.and_then(|f| f.error.clone()).unwrap_or_default();
        return Err(JobError::permanent(format!("every product failed: {reason}")).with_code(code.code()));
    }
    Ok(run)
}

/// The job's failure code for a product's failure code, when every product failed so.
fn code_for(product_code: &str) -> JobErrorCode {
    match product_code {
        "key_missing" => JobErrorCode::AiKeyMissing,
        "unauthorized" | "forbidden" => JobErrorCode::AiUnauthorized,
        "unreachable" => JobErrorCode::AiUnreachable,
        "rate_limited" => JobErrorCode::AiRateLimited,
        "timeout" => JobErrorCode::Timeout,
        "server_error" => JobErrorCode::ServerError,
        _ => JobErrorCode::AiFailed,
    }
}

/// A run-level failure as the job's.
fn job_error(e: AiError) -> JobError {
    let code = match e.kind {
        ErrorKind::KeyMissing => JobErrorCode::AiKeyMissing,
        ErrorKind::Unauthorized | ErrorKind::Forbidden => JobErrorCode::AiUnauthorized,
        ErrorKind::Connection => JobErrorCode::AiUnreachable,
        ErrorKind::RateLimited => JobErrorCode::AiRateLimited,
        ErrorKind::Timeout => JobErrorCode::Timeout,
        ErrorKind::Server => JobErrorCode::ServerError,
        ErrorKind::Cancelled => JobErrorCode::Cancelled,
        ErrorKind::Storage => JobErrorCode::CatalogError,
        ErrorKind::Invalid | ErrorKind::NotFound | ErrorKind::Conflict | ErrorKind::TooLarge => {
            JobErrorCode::AiSettingsInvalid
        }
        ErrorKind::Rejected | ErrorKind::BadResponse | ErrorKind::Malformed => JobErrorCode::AiFailed,
    };
    let error =
        if e.kind.is_transient() { JobError::transient(e.message) } else { JobError::permanent(e.message) };
    error.with_code(code.code())
}

impl App {
    /// Runs moderation or generation now, on this thread (the job's handler, tests, the CLI's
    /// benchmark). `cancel` is polled; `progress` gets (done, total).
    pub fn run_ai_now(
        &self,
        task: Task,
        p: &RunPayload,
        secrets: &Secrets,
        cancel: &(dyn Fn() -> bool + Sync),
        progress: &dyn Fn(u64, u64),
    ) -> Result<AiRunDto, AiError> {
        let target: Target = p.target.parse()?;
        let mut store = AiStore::open(self.path())?;
        let provider = store.provider(&p.provider)?;
        let client = client(&provider, secrets)?;
        self.run_ai_with(task, p, target, &mut store, &client, cancel, progress)
    }

    /// [`App::run_ai_now`] with a client given (benchmarks use their own limiter).
    #[allow(clippy::too_many_arguments)]
    pub fn run_ai_with(
        &self,
        task: Task,
        p: &RunPayload,
        target: Target,
        store: &mut AiStore,
        client: &vitrina_ai::Client,
        cancel: &(dyn Fn() -> bool + Sync),
        progress: &dyn Fn(u64, u64),
    ) -> Result<AiRunDto, AiError> {
        let (required, _) =
            required_attrs(self, target).map_err(|e| AiError::new(ErrorKind::Storage, e.message))?;
        let mut spec = RunSpec {
            task: Some(task),
            target,
            selection: Selection {
                skus: p.skus.clone(),
                categories: p.categories.clone(),
                ..Default::default()
            },
            required,
            concurrency: p.concurrency,
            ..Default::default()
        };
        if let Some(l) = &p.language {
            spec.generate.language = l.clone();
        }
        if let Some(t) = &p.tone {
            spec.generate.tone = t.clone();
        }
        spec.generate.with_name = p.with_name;
        // A connection of its own: the read is one snapshot that waits for no import.
        let catalog = Catalog::open(self.path())?;
        let now = || chrono::Utc::now().timestamp_millis();
        let hooks = Hooks { cancel, progress, now: &now };
        let summary = vitrina_ai::batch::run(&catalog, store, client, &spec, &hooks)?;
        if !p.skus.is_empty() && summary.record.products == 0 {
            return Err(AiError::new(
                ErrorKind::NotFound,
                format!("no product with SKU {}", p.skus.join(", ")),
            ));
        }
        Ok(run_dto(&summary.record, summary.suggestions, &summary.failures, &summary.flagged))
    }
}
