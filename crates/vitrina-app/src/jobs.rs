//! Background jobs as the front ends see them: queue a job, follow it, list and inspect the
//! history, cancel, retry, read logs, manage schedules, and run a worker. Also the job kinds
//! Vitrina ships and their handlers.
//!
//! [`Jobs`] is synchronous (the CLI and the desktop's command threads call it); a [`Worker`]
//! owns a tokio runtime that runs the handlers.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use tokio::sync::broadcast;
use vitrina_jobs::{
    Cadence, Classify, CronZone, ErrorClass, JobCtx, JobError, JobQuery, JobsError, KindOptions, Queue,
    Registry, Runner, RunnerHandle, RunnerOptions, ScheduleSpec, Waker, schedule,
};
use vitrina_store::job_batches::RepriceScope;
use vitrina_store::{Catalog, StoreError};

use crate::error::{AppError, AppResult, ErrorCode};
use crate::ipc::JobStage;

/// The job types front ends see, re-exported so they depend on this crate only.
pub use vitrina_jobs::bench::JobsBench;
pub use vitrina_jobs::{
    CancelOutcome, FireOutcome, JobEnd, JobEvent, JobId, JobRecord, JobState, LogLevel, LogLine, Progress,
    ScheduleRecord,
};

impl From<JobsError> for AppError {
    fn from(e: JobsError) -> Self {
        let code = match &e {
            JobsError::Store(_) => {
                let JobsError::Store(inner) = e else { unreachable!() };
                return inner.into();
            }
            JobsError::UnknownKind { .. }
            | JobsError::BadPayload { .. }
            | JobsError::BadCron { .. }
            | JobsError::BadInterval(_)
            | JobsError::AmbiguousJob(_)
            | JobsError::Invalid(_) => ErrorCode::Invalid,
            JobsError::JobNotFound(_) | JobsError::ScheduleNotFound(_) => ErrorCode::NotFound,
            JobsError::NotRetryable { .. } | JobsError::ScheduleExists(_) | JobsError::WorkerBusy { .. } => {
                ErrorCode::Conflict
            }
            JobsError::Lock { .. } | JobsError::QueueFile { .. } => ErrorCode::Io,
            JobsError::Sql(_) => ErrorCode::Internal,
            JobsError::Runner(_) => ErrorCode::Internal,
        };
        AppError::new(code, e.to_string())
    }
}

/// What handlers share: the catalog file, opened on first use on its own connection.
#[derive(Debug)]
pub struct JobsContext {
    path: PathBuf,
    catalog: Mutex<Option<Catalog>>,
}

impl JobsContext {
    pub fn new(path: impl AsRef<Path>) -> Self {
        JobsContext { path: path.as_ref().to_path_buf(), catalog: Mutex::new(None) }
    }

    /// Where downloaded feeds are kept: `downloads/` next to the catalog.
    fn cache_dir(&self) -> PathBuf {
        self.path.parent().unwrap_or(Path::new(".")).join("downloads")
    }

    /// Where product images are cached: `images/` next to the catalog.
    pub(crate) fn images_dir(&self) -> PathBuf {
        crate::images::images_dir(&self.path)
    }

    /// Runs `f` on the catalog on this thread (a blocking one: see [`Self::with_catalog`]).
    pub(crate) fn catalog_blocking<T>(
        &self,
        f: impl FnOnce(&mut Catalog) -> Result<T, StoreError>,
    ) -> Result<T, JobError> {
        let mut slot = self.catalog.lock().map_err(|_| JobError::permanent("the catalog is unavailable"))?;
        if slot.is_none() {
            *slot = Some(Catalog::open(&self.path).map_err(classify)?);
        }
        f(slot.as_mut().expect("opened above")).map_err(classify)
    }

    /// Runs `f` on the catalog on a blocking thread.
    async fn with_catalog<T, F>(self: &Arc<Self>, f: F) -> Result<T, JobError>
    where
        T: Send + 'static,
        F: FnOnce(&mut Catalog) -> Result<T, StoreError> + Send + 'static,
    {
        let this = self.clone();
        tokio::task::spawn_blocking(move || {
            let mut slot =
                this.catalog.lock().map_err(|_| JobError::permanent("the catalog is unavailable"))?;
            if slot.is_none() {
                *slot = Some(Catalog::open(&this.path).map_err(classify)?);
            }
            let catalog = slot.as_mut().expect("opened above");
            f(catalog).map_err(classify)
        })
        .await
        .permanent()?
    }
}

/// A locked or busy database is worth another try; anything else the store says is not.
fn classify(e: StoreError) -> JobError {
    let class = if e.is_busy() { ErrorClass::Transient } else { ErrorClass::Permanent };
    JobError::from_error(class, &e)
}

/// `catalog.reprice`: change prices by a percentage.
#[derive(Debug, Clone, Deserialize)]
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
    #[serde(default)]
    pub pause_ms: Option<u64>,
}

#[derive(Debug, Clone, Serialize)]
pub struct RepriceSummary {
    pub percent: f64,
    pub products: u64,
    pub changed: u64,
    pub batches: u32,
}

/// Each batch is one transaction that also records the batch for this job, so a run that
/// resumes after a crash or a retry skips the batches that committed: every price changes
/// exactly once. Cancel is honoured between batches only.
async fn reprice(ctx: JobCtx<JobsContext>, p: RepricePayload) -> Result<RepriceSummary, JobError> {
    if !p.percent.is_finite() || p.percent <= -100.0 || p.percent > 1000.0 {
        return Err(JobError::permanent(format!(
            "percent must be above -100 and at most 1000, not {}",
            p.percent
        )));
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
    ctx.message(format!("{:+}% on {}", p.percent, p.brand.as_deref().unwrap_or("every product")));
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

/// `import.supplier`: import a supplier's feeds (or a given file or link instead of the main one).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ImportPayload {
    /// The supplier's id or name.
    pub supplier: String,
    /// A file path or link to read instead of the saved main feed.
    #[serde(default)]
    pub file: Option<String>,
}

/// The whole run is one transaction, so a cancel or a crash leaves the catalog as it was and a
/// retry starts over. A timeout or server error on a link is worth a retry; a bad file is not.
async fn import_supplier(ctx: JobCtx<JobsContext>, p: ImportPayload) -> Result<Value, JobError> {
    let app = ctx.app().clone();
    let job_id = ctx.id().0;
    let token = ctx.cancel_token();
    let reporter = ctx.reporter();
    ctx.stage(JobStage::Importing.code());
    ctx.message(p.supplier.clone());
    let report = tokio::task::spawn_blocking(move || {
        let mut slot = app.catalog.lock().map_err(|_| JobError::permanent("the catalog is unavailable"))?;
        if slot.is_none() {
            *slot = Some(Catalog::open(&app.path).map_err(classify)?);
        }
        let catalog = slot.as_mut().expect("opened above");
        let supplier = catalog.find_supplier(&p.supplier).map_err(classify)?;
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
        for row in catalog.supplier_config(supplier).map_err(classify)?.sources {
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
                    "cannot read the password or token of feed {} from the OS keyring: {e}",
                    row.position + 1
                ))
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
            JobError::from_error(class, &e)
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
    if c.created + c.updated > 0 {
        // The new or changed products' pictures arrive in the background.
        let images = vitrina_jobs::NewJob::new(crate::images::DOWNLOAD_KIND, json!({}));
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

/// The job kinds this version of Vitrina runs.
pub fn registry() -> Registry<JobsContext> {
    let mut r = Registry::new();
    // Every import runs as a job, so when the worker starts no import can be running: a run
    // still marked running was cut short by a crash, which rolled its transaction back.
    r.on_recover("supplier import runs interrupted by a stop, marked failed", |app: &JobsContext| {
        app.catalog_blocking(|c| c.fail_interrupted_import_runs()).map_err(|e| e.to_string())
    });
    r.register(
        "import.supplier",
        KindOptions::new("Import a supplier's feeds (payload: supplier, file)").concurrency(1),
        import_supplier,
    );
    r.register(
        "catalog.reprice",
        KindOptions::new("Change prices by a percentage, in batches (payload: percent, brand, batch_size)")
            .concurrency(1),
        reprice,
    );
    r.register(
        crate::images::DOWNLOAD_KIND,
        KindOptions::new(
            "Download products' images into the local cache (payload: limit, parallel, retry_failed)",
        )
        .concurrency(1),
        crate::images::download,
    );
    r.register(
        "catalog.analyze",
        KindOptions::new("Refresh the catalog's query statistics (a good nightly schedule)"),
        |ctx: JobCtx<JobsContext>, _: Value| async move {
            ctx.stage(JobStage::Analyzing.code());
            ctx.app().with_catalog(|c| c.analyze()).await?;
            Ok(json!({}))
        },
    );
    r
}

/// A job kind, for people and the UI.
#[derive(Debug, Clone, Serialize)]
pub struct KindView {
    pub kind: String,
    pub description: String,
    pub concurrency: usize,
    pub max_attempts: u32,
}

/// A job with its recent log and the jobs it started.
#[derive(Debug, Clone, Serialize)]
pub struct JobDetail {
    pub job: JobRecord,
    pub logs: Vec<LogLine>,
    pub children: Vec<JobRecord>,
}

/// A schedule with its cadence in words.
#[derive(Debug, Clone, Serialize)]
pub struct ScheduleView {
    #[serde(flatten)]
    pub schedule: ScheduleRecord,
    pub cadence_text: String,
}

impl From<ScheduleRecord> for ScheduleView {
    fn from(schedule: ScheduleRecord) -> Self {
        ScheduleView { cadence_text: schedule::describe(&schedule.cadence), schedule }
    }
}

/// Which jobs to list, as typed by a person.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct JobFilter {
    pub kind: Option<String>,
    /// queued, running, succeeded, failed or cancelled.
    pub state: Option<String>,
    /// `2026-01-05`, `2026-01-05T14:30` (UTC) or a span back from now (`12h`, `7d`).
    pub since: Option<String>,
    pub until: Option<String>,
    pub limit: Option<u32>,
}

/// A job to queue.
#[derive(Debug, Clone, Deserialize)]
pub struct EnqueueRequest {
    pub kind: String,
    pub payload: Value,
    /// At most one running job per key (e.g. the supplier or marketplace account).
    #[serde(default)]
    pub concurrency_key: Option<String>,
    #[serde(default)]
    pub max_attempts: Option<u32>,
}

/// A schedule to add: `every` (`15m`) or `cron` (`0 3 * * *`, local time).
#[derive(Debug, Clone, Deserialize)]
pub struct ScheduleInput {
    pub name: String,
    pub kind: String,
    pub payload: Value,
    #[serde(default)]
    pub every: Option<String>,
    #[serde(default)]
    pub cron: Option<String>,
    #[serde(default)]
    pub concurrency_key: Option<String>,
    #[serde(default = "yes")]
    pub enabled: bool,
}

fn yes() -> bool {
    true
}

/// What a cancel did.
#[derive(Debug, Clone, Serialize)]
pub struct CancelView {
    pub id: JobId,
    pub outcome: CancelOutcome,
    pub message: String,
}

/// Builds a payload from `--payload '{…}'` and `key=value` words; a value that reads as JSON
/// (a number, true, a quoted string, a list) is taken as such, anything else as text.
pub fn payload_from_args(json_text: Option<&str>, pairs: &[String]) -> AppResult<Value> {
    let mut payload = match json_text {
        Some(text) => serde_json::from_str::<Value>(text)
            .map_err(|e| AppError::invalid(format!("the payload is not valid JSON: {e}")))?,
        None => json!({}),
    };
    let Some(map) = payload.as_object_mut() else {
        return Err(AppError::invalid("the payload must be a JSON object, like {\"percent\": 10}"));
    };
    for pair in pairs {
        let (key, value) = pair.split_once('=').ok_or_else(|| {
            AppError::invalid(format!("\"{pair}\" is not key=value (for example percent=10)"))
        })?;
        let value = serde_json::from_str(value).unwrap_or_else(|_| Value::String(value.to_string()));
        map.insert(key.trim().to_string(), value);
    }
    Ok(payload)
}

/// The job queue of one catalog.
#[derive(Debug)]
pub struct Jobs {
    path: PathBuf,
    queue: Mutex<Queue<JobsContext>>,
    /// The runner this process started, woken when work is queued or cancelled here.
    waker: Mutex<Option<Waker>>,
}

/// How a worker runs.
#[derive(Debug, Clone)]
pub struct WorkerOptions {
    pub schedules: bool,
    /// Finished jobs are kept this many days (0: forever).
    pub keep_days: u32,
    pub max_running: usize,
    /// Run only this job (a command waiting on its own job).
    pub only: Option<JobId>,
}

impl Default for WorkerOptions {
    fn default() -> Self {
        WorkerOptions { schedules: true, keep_days: 30, max_running: 8, only: None }
    }
}

impl Jobs {
    /// Opens the job queue of the catalog at `path` (creating the catalog if needed).
    pub fn open(path: impl AsRef<Path>) -> AppResult<Self> {
        let path = path.as_ref().to_path_buf();
        let queue = Queue::open(&path, Arc::new(registry()))?;
        Ok(Jobs { path, queue: Mutex::new(queue), waker: Mutex::new(None) })
    }

    fn queue(&self) -> AppResult<MutexGuard<'_, Queue<JobsContext>>> {
        self.queue
            .lock()
            .map_err(|_| AppError::new(ErrorCode::Internal, "the job queue is unavailable; restart Vitrina"))
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    fn wake_runner(&self) {
        if let Ok(Some(w)) = self.waker.lock().as_deref() {
            w.wake();
        }
    }

    pub fn kinds(&self) -> AppResult<Vec<KindView>> {
        Ok(self
            .queue()?
            .registry()
            .kinds()
            .map(|(kind, o)| KindView {
                kind: kind.to_string(),
                description: o.description.clone(),
                concurrency: o.concurrency,
                max_attempts: o.max_attempts,
            })
            .collect())
    }

    /// Queues a job (its kind and payload are checked first).
    pub fn enqueue(&self, req: &EnqueueRequest) -> AppResult<JobRecord> {
        let mut q = self.queue()?;
        let mut job = q.job(&req.kind, req.payload.clone())?;
        if let Some(n) = req.max_attempts {
            job = job.attempts(n);
        }
        if let Some(key) = req.concurrency_key.as_deref().filter(|k| !k.trim().is_empty()) {
            job = job.key(key.trim());
        }
        let id = q.enqueue(&job)?;
        tracing::info!(job = %id, kind = %req.kind, "queued");
        let job = q.get(id)?;
        drop(q);
        self.wake_runner();
        Ok(job)
    }

    pub fn list(&self, f: &JobFilter) -> AppResult<Vec<JobRecord>> {
        let q = self.queue()?;
        let now = q.now();
        let state = f.state.as_deref().map(str::parse::<JobState>).transpose().map_err(AppError::invalid)?;
        let query = JobQuery {
            kind: f.kind.clone().filter(|k| !k.is_empty()),
            state,
            since: f.since.as_deref().map(|t| schedule::parse_time(t, now)).transpose()?,
            until: f.until.as_deref().map(|t| schedule::parse_time(t, now)).transpose()?,
            limit: f.limit.unwrap_or(50),
        };
        Ok(q.list(&query)?)
    }

    /// A full id or a unique beginning of one.
    pub fn resolve(&self, id: &str) -> AppResult<JobId> {
        Ok(self.queue()?.resolve(id)?)
    }

    pub fn get(&self, id: &str) -> AppResult<JobRecord> {
        let q = self.queue()?;
        let id = q.resolve(id)?;
        Ok(q.get(id)?)
    }

    /// The job, its last 20 log lines and its child jobs.
    pub fn show(&self, id: &str) -> AppResult<JobDetail> {
        let q = self.queue()?;
        let id = q.resolve(id)?;
        Ok(JobDetail { job: q.get(id)?, logs: q.log_tail(id, 20)?, children: q.children(id)? })
    }

    /// The last `tail` lines (all when `None`).
    pub fn logs(&self, id: &str, tail: Option<u32>) -> AppResult<Vec<LogLine>> {
        let q = self.queue()?;
        let id = q.resolve(id)?;
        Ok(match tail {
            Some(n) => q.log_tail(id, n)?,
            None => q.logs(id, 0, u32::MAX)?,
        })
    }

    pub fn cancel(&self, id: &str) -> AppResult<CancelView> {
        let mut q = self.queue()?;
        let id = q.resolve(id)?;
        let outcome = q.cancel(id)?;
        drop(q);
        self.wake_runner();
        let message = match outcome {
            CancelOutcome::Cancelled => "cancelled before it started".to_string(),
            CancelOutcome::Requested => {
                "asked to stop; it stops at its next check (a job that commits in batches keeps the batches it finished; an import keeps nothing)".to_string()
            }
            CancelOutcome::AlreadyFinished(state) => format!("nothing to cancel: it already {state}"),
        };
        Ok(CancelView { id, outcome, message })
    }

    /// Queues a failed or cancelled job again; a job that works in batches resumes after the
    /// last batch it committed.
    pub fn retry(&self, id: &str) -> AppResult<JobRecord> {
        let mut q = self.queue()?;
        let id = q.resolve(id)?;
        q.retry(id)?;
        let job = q.get(id)?;
        drop(q);
        self.wake_runner();
        Ok(job)
    }

    pub fn schedules(&self) -> AppResult<Vec<ScheduleView>> {
        Ok(self.queue()?.schedules()?.into_iter().map(Into::into).collect())
    }

    /// Adds a schedule; a cron expression that does not parse is refused with the reason.
    pub fn add_schedule(&self, input: &ScheduleInput) -> AppResult<ScheduleView> {
        let cadence = match (input.every.as_deref(), input.cron.as_deref()) {
            (Some(every), None) => Cadence::Every(schedule::parse_interval(every)?),
            (None, Some(cron)) => Cadence::Cron(cron.trim().to_string()),
            _ => {
                return Err(AppError::invalid(
                    "give either an interval (every 15m) or a cron expression, not both",
                ));
            }
        };
        let spec = ScheduleSpec {
            name: input.name.clone(),
            kind: input.kind.clone(),
            payload: input.payload.clone(),
            cadence,
            enabled: input.enabled,
            concurrency_key: input.concurrency_key.clone().filter(|k| !k.trim().is_empty()),
        };
        Ok(self.queue()?.add_schedule(&spec)?.into())
    }

    pub fn remove_schedule(&self, name: &str) -> AppResult<()> {
        Ok(self.queue()?.remove_schedule(name)?)
    }

    pub fn set_schedule_enabled(&self, name: &str, enabled: bool) -> AppResult<ScheduleView> {
        Ok(self.queue()?.set_schedule_enabled(name, enabled)?.into())
    }

    /// Starts running jobs in this process. Fails with a `conflict` when another process (the
    /// desktop app, `vitrina worker`) already runs this catalog's jobs.
    pub fn start_worker(&self, opts: &WorkerOptions) -> AppResult<Worker> {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .thread_name("vitrina-jobs")
            .enable_all()
            .build()
            .map_err(|e| AppError::new(ErrorCode::Internal, format!("cannot start the job runtime: {e}")))?;
        let runner_opts = RunnerOptions {
            schedules: opts.schedules,
            only: opts.only,
            max_running: opts.max_running.max(1),
            keep_finished: (opts.keep_days > 0)
                .then(|| Duration::from_secs(u64::from(opts.keep_days) * 86_400)),
            cron_zone: CronZone::Local,
            ..Default::default()
        };
        let registry = self.queue()?.registry().clone();
        let context = Arc::new(JobsContext::new(&self.path));
        let handle =
            runtime.block_on(Runner::new(&self.path, registry, context).options(runner_opts).start())?;
        if opts.only.is_none()
            && let Ok(mut w) = self.waker.lock()
        {
            *w = Some(handle.waker());
        }
        let path = self.path.clone();
        Ok(Worker { runtime, handle: Some(handle), path })
    }

    /// Waits for a job to finish, calling `on_update` as it progresses (at most ten times a
    /// second). If no other process runs this catalog's jobs, the job runs here; otherwise
    /// this follows it there. Ctrl-C stops waiting; a job running here goes back to the queue
    /// and resumes on the next start.
    pub fn wait(&self, id: &str, on_update: &mut dyn FnMut(&JobRecord)) -> AppResult<JobRecord> {
        let id = self.resolve(id)?;
        let job = self.queue()?.get(id)?;
        on_update(&job);
        if job.state.is_finished() {
            return Ok(job);
        }
        let opts = WorkerOptions { schedules: false, keep_days: 0, only: Some(id), ..Default::default() };
        match self.start_worker(&opts) {
            Ok(mut worker) => {
                worker.follow(id, job, on_update)?;
                worker.stop(Duration::from_secs(10));
            }
            Err(e) if e.code == ErrorCode::Conflict => self.poll(id, on_update)?,
            Err(e) => return Err(e),
        }
        Ok(self.queue()?.get(id)?)
    }

    /// Follows a job that another process runs, through the catalog file.
    fn poll(&self, id: JobId, on_update: &mut dyn FnMut(&JobRecord)) -> AppResult<()> {
        loop {
            let job = self.queue()?.get(id)?;
            on_update(&job);
            if job.state.is_finished() {
                return Ok(());
            }
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    /// (queued, running)
    pub fn pending(&self) -> AppResult<(u64, u64)> {
        Ok(self.queue()?.pending()?)
    }
}

/// A runner in this process with its own tokio runtime. Dropping it stops the runner (jobs
/// still running go back to the queue).
#[derive(Debug)]
pub struct Worker {
    runtime: tokio::runtime::Runtime,
    handle: Option<RunnerHandle>,
    path: PathBuf,
}

/// Why a worker's run loop ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum WorkerExit {
    Interrupted,
    Idle,
}

#[cfg(unix)]
async fn terminated() {
    match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
        Ok(mut s) => {
            s.recv().await;
        }
        Err(_) => std::future::pending().await,
    }
}

#[cfg(not(unix))]
async fn terminated() {
    std::future::pending().await
}

impl Worker {
    fn handle(&self) -> &RunnerHandle {
        self.handle.as_ref().expect("present until stop")
    }

    /// Jobs found `running` at start (left by a process that stopped) and queued again.
    pub fn recovered(&self) -> Vec<JobId> {
        self.handle().recovered().to_vec()
    }

    /// Runs until Ctrl-C or SIGTERM (or, with `until_idle`, until nothing is queued or
    /// running), passing every event to `on_event`.
    pub fn run(&mut self, until_idle: bool, on_event: &mut dyn FnMut(&JobEvent)) -> AppResult<WorkerExit> {
        let mut events = self.handle().subscribe();
        self.handle().wake();
        let path = self.path.clone();
        let exit = self.runtime.block_on(async {
            let mut check = tokio::time::interval(Duration::from_millis(200));
            check.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
            let mut store = None;
            loop {
                tokio::select! {
                    _ = tokio::signal::ctrl_c() => return Ok(WorkerExit::Interrupted),
                    _ = terminated() => return Ok(WorkerExit::Interrupted),
                    event = events.recv() => match event {
                        Ok(e) => on_event(&e),
                        Err(broadcast::error::RecvError::Lagged(_)) => {}
                        Err(broadcast::error::RecvError::Closed) => {
                            return Err(AppError::new(ErrorCode::Internal, "the job runner stopped unexpectedly"));
                        }
                    },
                    _ = check.tick(), if until_idle => {
                        let path = path.clone();
                        let taken = store.take();
                        let (s, pending) = tokio::task::spawn_blocking(move || {
                            let s = match taken {
                                Some(s) => s,
                                None => vitrina_jobs::JobStore::open(&path)?,
                            };
                            let p = s.pending();
                            Ok::<_, JobsError>((s, p?))
                        })
                        .await
                        .map_err(|e| AppError::new(ErrorCode::Internal, e.to_string()))??;
                        store = Some(s);
                        if pending == (0, 0) {
                            // The last job's end may still be on its way (the runner stores
                            // a job's state before it announces it): report it first.
                            while let Ok(Ok(e)) =
                                tokio::time::timeout(Duration::from_millis(100), events.recv()).await
                            {
                                on_event(&e);
                            }
                            return Ok(WorkerExit::Idle);
                        }
                    }
                }
            }
        })?;
        Ok(exit)
    }

    /// Follows one job to its end (see [`Jobs::wait`]).
    fn follow(
        &mut self,
        id: JobId,
        mut job: JobRecord,
        on_update: &mut dyn FnMut(&JobRecord),
    ) -> AppResult<()> {
        let mut events = self.handle().subscribe();
        self.handle().wake();
        self.runtime.block_on(async {
            loop {
                tokio::select! {
                    _ = tokio::signal::ctrl_c() => return Err(AppError::new(
                        ErrorCode::Conflict,
                        format!("stopped waiting; job {id} goes back to the queue and resumes with `vitrina worker` or `vitrina jobs wait {id}`"),
                    )),
                    event = events.recv() => match event {
                        Ok(JobEvent::Started { id: j, attempt, .. }) if j == id => {
                            job.state = JobState::Running;
                            job.attempts = attempt;
                            on_update(&job);
                        }
                        Ok(JobEvent::Progress { id: j, progress, .. }) if j == id => {
                            job.progress = progress;
                            on_update(&job);
                        }
                        Ok(JobEvent::Retrying { id: j, error, run_after, .. }) if j == id => {
                            job.state = JobState::Queued;
                            job.error = Some(error);
                            job.run_after = run_after;
                            on_update(&job);
                        }
                        Ok(JobEvent::Finished { id: j, .. } | JobEvent::Requeued { id: j, .. }) if j == id => return Ok(()),
                        Ok(_) | Err(broadcast::error::RecvError::Lagged(_)) => {}
                        Err(broadcast::error::RecvError::Closed) => {
                            return Err(AppError::new(ErrorCode::Internal, "the job runner stopped unexpectedly"));
                        }
                    },
                }
            }
        })
    }

    /// Stops claiming work, asks running jobs to stop, and waits up to `grace` for them.
    pub fn stop(mut self, grace: Duration) {
        if let Some(handle) = self.handle.take() {
            self.runtime.block_on(handle.shutdown(grace));
        }
    }
}

impl Drop for Worker {
    fn drop(&mut self) {
        if let Some(handle) = self.handle.take() {
            self.runtime.block_on(handle.shutdown(Duration::from_secs(5)));
        }
    }
}

/// The jobs benchmark (issue 3); see `vitrina_jobs::bench`.
pub fn bench(dir: &Path, jobs: u64, rounds: usize) -> AppResult<vitrina_jobs::bench::JobsBench> {
    std::fs::create_dir_all(dir)
        .map_err(|e| AppError::new(ErrorCode::Io, format!("cannot create {}: {e}", dir.display())))?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(|e| AppError::new(ErrorCode::Internal, e.to_string()))?;
    Ok(runtime.block_on(vitrina_jobs::bench::run(dir, jobs, rounds))?)
}

#[cfg(test)]
mod tests {
    use vitrina_domain::{Currency, Money, Product, ProductDraft};

    use super::*;

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
    fn payloads_come_from_json_and_key_value_words() {
        let p = payload_from_args(Some(r#"{"percent": 5}"#), &["brand=Acme".into(), "batch_size=20".into()])
            .unwrap();
        assert_eq!(p, json!({ "percent": 5, "brand": "Acme", "batch_size": 20 }));
        assert_eq!(payload_from_args(None, &[]).unwrap(), json!({}));
        assert!(payload_from_args(Some("[1]"), &[]).is_err());
        assert!(payload_from_args(None, &["percent".into()]).unwrap_err().message.contains("key=value"));
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
        assert_eq!(
            done.result.unwrap(),
            json!({ "percent": 10.0, "products": 15, "changed": 15, "batches": 4 })
        );
        assert!(updates >= 2);
        let mut all = prices(&path);
        all.sort();
        assert_eq!(all, [vec![1000; 15], vec![1100; 15]].concat(), "only Acme, each exactly once");
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

    #[test]
    fn schedules_through_the_app() {
        let dir = tempfile::tempdir().unwrap();
        let jobs = Jobs::open(dir.path().join("catalog.db")).unwrap();
        let input = ScheduleInput {
            name: "nightly stats".into(),
            kind: "catalog.analyze".into(),
            payload: json!({}),
            every: None,
            cron: Some("0 3 * * *".into()),
            concurrency_key: None,
            enabled: true,
        };
        let s = jobs.add_schedule(&input).unwrap();
        assert!(s.cadence_text.starts_with("0 3 * * *") && s.schedule.next_run_at.is_some());
        let err = jobs.add_schedule(&ScheduleInput {
            name: "bad".into(),
            cron: Some("0 3 * *".into()),
            ..input.clone()
        });
        let err = err.unwrap_err();
        assert_eq!(err.code, ErrorCode::Invalid);
        assert!(err.message.contains("4 fields"), "{}", err.message);
        assert!(!jobs.set_schedule_enabled("nightly stats", false).unwrap().schedule.enabled);
        assert_eq!(jobs.remove_schedule("nope").unwrap_err().code, ErrorCode::NotFound);
        jobs.remove_schedule("nightly stats").unwrap();
        assert!(jobs.schedules().unwrap().is_empty());
    }
}
