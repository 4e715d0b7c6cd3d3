//! What a handler gets while its job runs: the payload, progress reporting, a stored log, a
//! cancellation token and the application context.

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use crate::store::{JobId, JobStore, LogLevel, LogLine, NewJob, Progress};
use serde_json::Value;
use tokio_util::sync::CancellationToken;
use vitrina_store::Clock;

use crate::error::JobError;
use crate::registry::Registry;

/// A job keeps at most this many log lines; later lines go to `tracing` only.
pub const MAX_LOG_LINES: u64 = 1000;

const NO_TOTAL: u64 = u64::MAX;

/// The live state of one running job, shared by its handler and the runner. Reporting
/// progress is a couple of atomic stores: the runner reads and publishes it on its own tick.
pub(crate) struct Live {
    pub id: JobId,
    pub kind: String,
    done: AtomicU64,
    total: AtomicU64,
    message: Mutex<Option<String>>,
    stage: Mutex<Option<String>>,
    version: AtomicU64,
    log: Mutex<LogBuffer>,
    pub cancel: CancellationToken,
    /// The user asked for a cancel (as opposed to a shutdown interrupting the job).
    pub user_cancel: AtomicBool,
    /// The runner is shutting down: the job goes back to the queue.
    pub interrupt: AtomicBool,
    clock: Clock,
}

impl std::fmt::Debug for Live {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Live").field("id", &self.id).field("kind", &self.kind).finish_non_exhaustive()
    }
}

#[derive(Debug)]
struct LogBuffer {
    pending: Vec<LogLine>,
    next_seq: u64,
}

impl Live {
    pub fn new(id: JobId, kind: String, progress: &Progress, next_log_seq: u64, clock: Clock) -> Self {
        Live {
            id,
            kind,
            done: AtomicU64::new(progress.done),
            total: AtomicU64::new(progress.total.unwrap_or(NO_TOTAL)),
            message: Mutex::new(progress.message.clone()),
            stage: Mutex::new(progress.stage.clone()),
            version: AtomicU64::new(0),
            log: Mutex::new(LogBuffer { pending: Vec::new(), next_seq: next_log_seq }),
            cancel: CancellationToken::new(),
            user_cancel: AtomicBool::new(false),
            interrupt: AtomicBool::new(false),
            clock,
        }
    }

    pub fn version(&self) -> u64 {
        self.version.load(Ordering::Acquire)
    }

    pub fn progress(&self) -> Progress {
        let total = self.total.load(Ordering::Relaxed);
        Progress {
            done: self.done.load(Ordering::Relaxed),
            total: (total != NO_TOTAL).then_some(total),
            message: self.message.lock().map(|m| m.clone()).unwrap_or_default(),
            stage: self.stage.lock().map(|m| m.clone()).unwrap_or_default(),
        }
    }

    pub fn take_logs(&self) -> Vec<LogLine> {
        self.log.lock().map(|mut l| std::mem::take(&mut l.pending)).unwrap_or_default()
    }

    fn bump(&self) {
        self.version.fetch_add(1, Ordering::Release);
    }

    fn set_text(&self, slot: &Mutex<Option<String>>, text: String) {
        if let Ok(mut m) = slot.lock() {
            *m = Some(text);
        }
        self.bump();
    }

    pub fn log(&self, level: LogLevel, message: String) {
        match level {
            LogLevel::Info => tracing::info!(job = %self.id, kind = %self.kind, "{message}"),
            LogLevel::Warn => tracing::warn!(job = %self.id, kind = %self.kind, "{message}"),
            LogLevel::Error => tracing::error!(job = %self.id, kind = %self.kind, "{message}"),
        }
        let Ok(mut log) = self.log.lock() else { return };
        let seq = log.next_seq;
        let at = (self.clock)();
        let line = match seq {
            s if s < MAX_LOG_LINES => LogLine { seq, at, level, message },
            MAX_LOG_LINES => LogLine {
                seq,
                at,
                level: LogLevel::Warn,
                message: format!("the log is full ({MAX_LOG_LINES} lines); later lines are not kept"),
            },
            _ => return,
        };
        log.next_seq += 1;
        log.pending.push(line);
    }
}

/// Writes lines to the job's stored log (bounded by [`MAX_LOG_LINES`]) and to `tracing`.
#[derive(Debug, Clone, Copy)]
pub struct JobLog<'a>(&'a Live);

impl JobLog<'_> {
    pub fn info(&self, message: impl Into<String>) {
        self.0.log(LogLevel::Info, message.into());
    }

    pub fn warn(&self, message: impl Into<String>) {
        self.0.log(LogLevel::Warn, message.into());
    }

    pub fn error(&self, message: impl Into<String>) {
        self.0.log(LogLevel::Error, message.into());
    }
}

/// The handler's view of its job.
pub struct JobCtx<C> {
    pub(crate) live: Arc<Live>,
    pub(crate) app: Arc<C>,
    pub(crate) payload: Value,
    pub(crate) attempt: u32,
    pub(crate) max_attempts: u32,
    pub(crate) store: Arc<Mutex<JobStore>>,
    pub(crate) registry: Arc<Registry<C>>,
    pub(crate) wake: Arc<tokio::sync::Notify>,
}

impl<C> std::fmt::Debug for JobCtx<C> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("JobCtx")
            .field("id", &self.live.id)
            .field("kind", &self.live.kind)
            .field("attempt", &self.attempt)
            .finish()
    }
}

impl<C: Send + Sync + 'static> JobCtx<C> {
    pub fn id(&self) -> JobId {
        self.live.id
    }

    pub fn kind(&self) -> &str {
        &self.live.kind
    }

    /// 1 on the first run, 2 on the first retry, …
    pub fn attempt(&self) -> u32 {
        self.attempt
    }

    pub fn max_attempts(&self) -> u32 {
        self.max_attempts
    }

    /// The payload as stored (the handler also receives it parsed).
    pub fn payload(&self) -> &Value {
        &self.payload
    }

    /// The application context the runner was built with.
    pub fn app(&self) -> &Arc<C> {
        &self.app
    }

    /// `done` of `total` (unknown while `None`). Cheap: call it as often as you like; listeners
    /// see at most ten updates a second.
    pub fn progress(&self, done: u64, total: Option<u64>) {
        self.live.done.store(done, Ordering::Relaxed);
        self.live.total.store(total.unwrap_or(NO_TOTAL), Ordering::Relaxed);
        self.live.bump();
    }

    /// Adds `n` to the done count.
    pub fn advance(&self, n: u64) {
        self.live.done.fetch_add(n, Ordering::Relaxed);
        self.live.bump();
    }

    pub fn set_total(&self, total: Option<u64>) {
        self.live.total.store(total.unwrap_or(NO_TOTAL), Ordering::Relaxed);
        self.live.bump();
    }

    /// Details of what the job is doing, for people (a supplier's name, a percentage), shown
    /// as given next to the stage.
    pub fn message(&self, text: impl Into<String>) {
        self.live.set_text(&self.live.message, text.into());
    }

    /// What the job is doing, as a code its kind defines (`downloading`, `importing`): the
    /// front ends word it in the person's language.
    pub fn stage(&self, code: &str) {
        self.live.set_text(&self.live.stage, code.to_string());
    }

    /// The job's stored log.
    pub fn log(&self) -> JobLog<'_> {
        JobLog(&self.live)
    }

    /// A handle that reports progress from another thread (a blocking import, say).
    pub fn reporter(&self) -> Reporter {
        Reporter(self.live.clone())
    }

    /// Fires when the job is cancelled or the runner shuts down.
    pub fn cancel_token(&self) -> CancellationToken {
        self.live.cancel.clone()
    }

    /// Resolves once the job should stop (to race against a wait).
    pub async fn cancelled(&self) {
        self.live.cancel.cancelled().await
    }

    pub fn is_cancelled(&self) -> bool {
        self.live.cancel.is_cancelled()
    }

    /// `Err(cancelled)` once the job should stop: call it between batches, never inside one.
    pub fn check_cancelled(&self) -> Result<(), JobError> {
        if self.is_cancelled() { Err(JobError::cancelled()) } else { Ok(()) }
    }

    /// Queues a child job (its parent is this job); the kind and payload are checked first.
    pub async fn enqueue_child(&self, job: NewJob) -> Result<JobId, JobError> {
        self.registry.check(&job.kind, &job.payload).map_err(|e| JobError::permanent(e.to_string()))?;
        let job = job.child_of(self.live.id);
        let store = self.store.clone();
        let now = (self.live.clock)();
        let id = tokio::task::spawn_blocking(move || {
            let mut store = store.lock().map_err(|_| JobError::permanent("the job store is unavailable"))?;
            store.enqueue(&job, now).map_err(|e| JobError::transient(e.to_string()))
        })
        .await
        .map_err(|e| JobError::permanent(e.to_string()))??;
        self.wake.notify_one();
        Ok(id)
    }
}

impl<C: Send + Sync + 'static> JobCtx<C> {
    /// Waits until the job `id` (usually a child this job queued) has finished, and returns
    /// it. A cancel of this job is passed on to that job, and this one ends cancelled.
    pub async fn wait_for(&self, id: JobId) -> Result<crate::store::JobRecord, JobError> {
        loop {
            let store = self.store.clone();
            let now = (self.live.clock)();
            let cancel = self.is_cancelled();
            let record = tokio::task::spawn_blocking(move || {
                let mut store =
                    store.lock().map_err(|_| JobError::permanent("the job store is unavailable"))?;
                if cancel {
                    store.request_cancel(id, now).map_err(|e| JobError::transient(e.to_string()))?;
                }
                store.job(id).map_err(|e| JobError::transient(e.to_string()))
            })
            .await
            .map_err(|e| JobError::permanent(e.to_string()))??;
            let Some(record) = record else {
                return Err(JobError::permanent(format!("job {id} is gone from the queue")));
            };
            if record.state.is_finished() {
                return Ok(record);
            }
            if cancel {
                self.wake.notify_one();
            }
            tokio::select! {
                _ = tokio::time::sleep(std::time::Duration::from_millis(250)) => {}
                _ = self.cancelled(), if !cancel => {}
            }
        }
    }
}

/// Reports a job's progress from any thread; see [`JobCtx::reporter`].
#[derive(Clone)]
pub struct Reporter(Arc<Live>);

impl std::fmt::Debug for Reporter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_tuple("Reporter").field(&self.0.id).finish()
    }
}

impl Reporter {
    /// As [`JobCtx::progress`].
    pub fn progress(&self, done: u64, total: Option<u64>) {
        self.0.done.store(done, Ordering::Relaxed);
        self.0.total.store(total.unwrap_or(NO_TOTAL), Ordering::Relaxed);
        self.0.bump();
    }

    /// As [`JobCtx::message`].
    pub fn message(&self, text: impl Into<String>) {
        self.0.set_text(&self.0.message, text.into());
    }

    /// As [`JobCtx::stage`].
    pub fn stage(&self, code: &str) {
        self.0.set_text(&self.0.stage, code.to_string());
    }
}
