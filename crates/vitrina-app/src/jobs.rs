//! Background jobs as the front ends see them: queue a job, follow it, list and inspect the
//! history, cancel, retry, read logs, manage schedules, and run a worker. Also the job kinds
//! Vitrina ships and their handlers.
//!
//! [`Jobs`] is synchronous (the CLI and the desktop's command threads call it); a [`Worker`]
//! owns a tokio runtime that runs the handlers.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, MutexGuard};

use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use vitrina_jobs::{
    Cadence, Classify, ErrorClass, JobError, JobPayload, JobQuery, JobsError, Queue, Registry, ScheduleSpec,
    Waker, schedule,
};
use vitrina_store::{Catalog, StoreError};

use crate::error::{AppError, AppResult, ErrorCode};
pub use crate::worker::{Worker, WorkerExit, WorkerOptions};

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

    /// The catalog this context opens.
    pub(crate) fn catalog_path(&self) -> &Path {
        &self.path
    }

    /// Where downloaded feeds are kept: `downloads/` next to the catalog.
    pub(crate) fn cache_dir(&self) -> PathBuf {
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
        self.on_catalog(|c| f(c).map_err(classify))
    }

    /// As [`Self::catalog_blocking`], for work that says itself why it failed.
    pub(crate) fn on_catalog<T>(
        &self,
        f: impl FnOnce(&mut Catalog) -> Result<T, JobError>,
    ) -> Result<T, JobError> {
        let mut slot = self.catalog.lock().map_err(|_| JobError::permanent("the catalog is unavailable"))?;
        if slot.is_none() {
            *slot = Some(Catalog::open(&self.path).map_err(classify)?);
        }
        f(slot.as_mut().expect("opened above"))
    }

    /// As [`Self::with_catalog`], for work that says itself why it failed.
    pub(crate) async fn on_catalog_async<T, F>(self: &Arc<Self>, f: F) -> Result<T, JobError>
    where
        T: Send + 'static,
        F: FnOnce(&mut Catalog) -> Result<T, JobError> + Send + 'static,
    {
        let this = self.clone();
        tokio::task::spawn_blocking(move || this.on_catalog(f)).await.permanent()?
    }

    /// Runs `f` on the catalog on a blocking thread.
    pub(crate) async fn with_catalog<T, F>(self: &Arc<Self>, f: F) -> Result<T, JobError>
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
pub(crate) fn classify(e: StoreError) -> JobError {
    let class = if e.is_busy() { ErrorClass::Transient } else { ErrorClass::Permanent };
    JobError::from_error(class, &e)
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

/// How a typed job is queued.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct QueueOptions {
    /// At most one running job per key (a supplier, a marketplace account).
    pub concurrency_key: Option<String>,
    /// Attempts instead of the kind's default.
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

impl ScheduleInput {
    /// A schedule that queues `payload`'s kind at `cron` times (local time).
    pub fn of<P: JobPayload>(
        name: String,
        payload: &P,
        cron: &str,
        concurrency_key: Option<String>,
    ) -> AppResult<Self> {
        let payload = serde_json::to_value(payload)
            .map_err(|e| AppError::new(ErrorCode::Internal, format!("a {} payload: {e}", P::KIND)))?;
        Ok(ScheduleInput {
            name,
            kind: P::KIND.to_string(),
            payload,
            every: None,
            cron: Some(cron.to_string()),
            concurrency_key,
            enabled: true,
        })
    }
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
    pub(crate) waker: Mutex<Option<Waker>>,
}

impl Jobs {
    /// Opens the job queue of the catalog at `path` with the kinds in `registry`
    /// ([`Jobs::open`] has every kind Vitrina ships).
    pub fn with_registry(path: impl AsRef<Path>, registry: Arc<Registry<JobsContext>>) -> AppResult<Self> {
        let path = path.as_ref().to_path_buf();
        let queue = Queue::open(&path, registry)?;
        Ok(Jobs { path, queue: Mutex::new(queue), waker: Mutex::new(None) })
    }

    pub(crate) fn queue(&self) -> AppResult<MutexGuard<'_, Queue<JobsContext>>> {
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

    /// Queues a job of `payload`'s kind: what the typed starters next to each kind's handler
    /// call (`imports::queue_import`, `images::queue_download`, …).
    pub fn queue_job<P: JobPayload>(&self, payload: &P, opts: &QueueOptions) -> AppResult<JobRecord> {
        let payload = serde_json::to_value(payload)
            .map_err(|e| AppError::new(ErrorCode::Internal, format!("a {} payload: {e}", P::KIND)))?;
        self.enqueue(&EnqueueRequest {
            kind: P::KIND.to_string(),
            payload,
            concurrency_key: opts.concurrency_key.clone(),
            max_attempts: opts.max_attempts,
        })
    }

    /// Queues a job by kind name and JSON payload, as a person types it (`vitrina jobs run`);
    /// the kind and payload are checked first.
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

    /// (queued, running)
    pub fn pending(&self) -> AppResult<(u64, u64)> {
        Ok(self.queue()?.pending()?)
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
    use super::*;

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
