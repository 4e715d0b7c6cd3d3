//! The runner: one dispatcher task on tokio that claims ready jobs within the limits, runs each
//! handler on its own task, publishes coalesced progress, records how runs end, retries
//! transient failures with back-off, fires schedules, and on start-up re-queues what a crash
//! left running.
//!
//! All SQLite work happens in one `spawn_blocking` call per dispatcher cycle, which batches
//! everything that happened since the last cycle (ends, progress, log lines) into one
//! transaction and then claims more work. No lock is ever held across an `.await`.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::Ordering;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use crate::store::{
    ClaimedJob, Finished, FireOutcome, JobEnd, JobId, JobState, JobStore, LogLevel, LogLine, NewLogLine,
    Outcome, RunnerWrites, ScheduleRecord,
};
use serde_json::Value;
use tokio::sync::{Notify, broadcast, mpsc};
use tokio::task::{AbortHandle, JoinHandle};
use tokio::time::Instant;
use vitrina_store::Clock;

use crate::context::{JobCtx, Live};
use crate::error::{ErrorClass, JobError, JobsError, Result};
use crate::events::JobEvent;
use crate::lock::WorkerLock;
use crate::queue::{fire_due, system_clock};
use crate::registry::Registry;
use crate::schedule::CronZone;

/// How a runner behaves. The defaults suit the desktop app and `vitrina worker`.
#[derive(Clone)]
pub struct RunnerOptions {
    /// Jobs running at once, over all kinds.
    pub max_running: usize,
    /// The first retry waits about this long; each further one twice as long…
    pub retry_base: Duration,
    /// …up to this.
    pub retry_cap: Duration,
    /// How often to look for work queued by other processes and for cancels made there.
    pub poll: Duration,
    /// Progress events (and progress writes) per job at most once per this interval.
    pub progress_every: Duration,
    /// Fire due schedules (off for a runner started just to wait on one job).
    pub schedules: bool,
    /// Run only this job and the jobs it queues (a CLI command waiting on the job it queued).
    pub only: Option<JobId>,
    /// Finished jobs older than this are deleted with their logs (`None`: kept forever).
    pub keep_finished: Option<Duration>,
    pub cron_zone: CronZone,
    /// Capacity of the event channel; a listener that falls further behind skips events.
    pub event_capacity: usize,
    pub clock: Clock,
}

impl std::fmt::Debug for RunnerOptions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RunnerOptions")
            .field("max_running", &self.max_running)
            .field("retry_base", &self.retry_base)
            .field("schedules", &self.schedules)
            .field("only", &self.only)
            .field("keep_finished", &self.keep_finished)
            .finish_non_exhaustive()
    }
}

impl Default for RunnerOptions {
    fn default() -> Self {
        RunnerOptions {
            max_running: 16,
            retry_base: Duration::from_secs(5),
            retry_cap: Duration::from_secs(15 * 60),
            poll: Duration::from_millis(500),
            progress_every: Duration::from_millis(100),
            schedules: true,
            only: None,
            keep_finished: Some(Duration::from_secs(30 * 24 * 3600)),
            cron_zone: CronZone::Local,
            event_capacity: 4096,
            clock: system_clock(),
        }
    }
}

/// How long the dispatcher waits for more jobs to end before recording the ones that did.
const BATCH_WINDOW: Duration = Duration::from_millis(2);

/// The wait before retry number `attempt` (1-based): `base · 2^(attempt-1)`, capped, with
/// "equal jitter" — half of it fixed, half random — so jobs that failed together (a marketplace
/// went down) come back spread out instead of all at once.
pub fn backoff(attempt: u32, base: Duration, cap: Duration) -> Duration {
    let factor = 2u32.saturating_pow(attempt.saturating_sub(1).min(30));
    let full = base.saturating_mul(factor).min(cap);
    full / 2 + full.mul_f64(fastrand::f64() / 2.0)
}

/// A runner, not yet started.
pub struct Runner<C> {
    path: PathBuf,
    registry: Arc<Registry<C>>,
    app: Arc<C>,
    opts: RunnerOptions,
    events: broadcast::Sender<JobEvent>,
}

impl<C> std::fmt::Debug for Runner<C> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Runner").field("path", &self.path).field("opts", &self.opts).finish()
    }
}

/// Wakes a runner: see [`RunnerHandle::waker`].
#[derive(Debug, Clone)]
pub struct Waker(Arc<Notify>);

impl Waker {
    pub fn wake(&self) {
        self.0.notify_one();
    }
}

/// A started runner. Dropping it stops the runner as [`RunnerHandle::shutdown`] with no grace.
#[derive(Debug)]
pub struct RunnerHandle {
    events: broadcast::Sender<JobEvent>,
    wake: Arc<Notify>,
    stop: mpsc::UnboundedSender<Duration>,
    task: Option<JoinHandle<()>>,
    recovered: Vec<JobId>,
}

impl RunnerHandle {
    /// Every event from now on.
    pub fn subscribe(&self) -> broadcast::Receiver<JobEvent> {
        self.events.subscribe()
    }

    /// Look for work now (call after queueing or cancelling in this process).
    pub fn wake(&self) {
        self.wake.notify_one();
    }

    /// A handle that wakes the runner from elsewhere (e.g. the code that queues jobs), so it
    /// does not wait for its next poll.
    pub fn waker(&self) -> Waker {
        Waker(self.wake.clone())
    }

    /// Jobs that were left `running` by a process that stopped and were queued again.
    pub fn recovered(&self) -> &[JobId] {
        &self.recovered
    }

    pub fn is_finished(&self) -> bool {
        self.task.as_ref().is_none_or(|t| t.is_finished())
    }

    /// Stops claiming work and asks running jobs to stop; jobs still running after `grace` are
    /// aborted. Either way they go back to the queue and resume on the next start.
    pub async fn shutdown(mut self, grace: Duration) {
        let _ = self.stop.send(grace);
        if let Some(task) = self.task.take() {
            let _ = task.await;
        }
    }
}

impl Drop for RunnerHandle {
    fn drop(&mut self) {
        let _ = self.stop.send(Duration::ZERO);
    }
}

impl<C: Send + Sync + 'static> Runner<C> {
    pub fn new(path: impl AsRef<Path>, registry: Arc<Registry<C>>, app: Arc<C>) -> Self {
        let opts = RunnerOptions::default();
        let (events, _) = broadcast::channel(opts.event_capacity.max(16));
        Runner { path: path.as_ref().to_path_buf(), registry, app, opts, events }
    }

    pub fn options(mut self, opts: RunnerOptions) -> Self {
        (self.events, _) = broadcast::channel(opts.event_capacity.max(16));
        self.opts = opts;
        self
    }

    /// Events from the start on: the runner dispatches as soon as it starts, so a job already
    /// queued may end before a subscription made on the handle.
    pub fn subscribe(&self) -> broadcast::Receiver<JobEvent> {
        self.events.subscribe()
    }

    /// Takes the catalog's worker lock ([`JobsError::WorkerBusy`] if another process runs its
    /// jobs), re-queues jobs a stopped process left `running` (cancelling those that had been
    /// asked to stop), runs the registry's recovery steps, deletes history past retention, and
    /// starts dispatching on the current tokio runtime.
    pub async fn start(self) -> Result<RunnerHandle> {
        let Runner { path, registry, app, opts, events } = self;
        let now = (opts.clock)();
        let keep = opts.keep_finished;
        let recover = (registry.clone(), app.clone());
        let (lock, store, recovered) = tokio::task::spawn_blocking(move || -> Result<_> {
            let lock = WorkerLock::acquire(&path)?;
            let mut store = JobStore::open(&path)?;
            let recovered = store.requeue_running(now)?;
            let (registry, app) = recover;
            registry.recover(&app);
            if let Some(keep) = keep {
                store.purge_finished(now.saturating_sub(keep.as_millis() as u64))?;
            }
            Ok((lock, store, recovered))
        })
        .await
        .map_err(|e| JobsError::Runner(e.to_string()))??;
        if !recovered.is_empty() {
            tracing::warn!(count = recovered.len(), "re-queued jobs left running by a stopped process");
        }
        let wake = Arc::new(Notify::new());
        let (stop, stop_rx) = mpsc::unbounded_channel();
        let (done_tx, done_rx) = mpsc::unbounded_channel();
        let dispatcher = Dispatcher {
            registry,
            app,
            store: Arc::new(Mutex::new(store)),
            events: events.clone(),
            wake: wake.clone(),
            running: HashMap::new(),
            per_kind: HashMap::new(),
            done_tx,
            writes: RunnerWrites::default(),
            after_commit: Vec::new(),
            stopping: None,
            aborted: false,
            last_progress: Instant::now(),
            last_purge: Instant::now(),
            next_ready: None,
            next_schedule: None,
            opts,
            _lock: lock,
        };
        let task = tokio::spawn(dispatcher.run(stop_rx, done_rx));
        Ok(RunnerHandle { events, wake, stop, task: Some(task), recovered })
    }
}

struct Running {
    live: Arc<Live>,
    attempt: u32,
    max_attempts: u32,
    seen: u64,
    abort: AbortHandle,
}

type Done = (JobId, std::result::Result<Value, JobError>);

struct Dispatcher<C> {
    registry: Arc<Registry<C>>,
    app: Arc<C>,
    opts: RunnerOptions,
    store: Arc<Mutex<JobStore>>,
    events: broadcast::Sender<JobEvent>,
    wake: Arc<Notify>,
    running: HashMap<JobId, Running>,
    per_kind: HashMap<String, usize>,
    done_tx: mpsc::UnboundedSender<Done>,
    /// Written at the next cycle, in one transaction.
    writes: RunnerWrites,
    /// Sent once `writes` are committed, so a listener that reads the job then sees its end.
    after_commit: Vec<JobEvent>,
    /// When stopping: the moment to abort what still runs.
    stopping: Option<Instant>,
    aborted: bool,
    last_progress: Instant,
    last_purge: Instant,
    next_ready: Option<u64>,
    next_schedule: Option<u64>,
    _lock: WorkerLock,
}

/// What one cycle hands to the blocking side…
struct CycleIn {
    writes: RunnerWrites,
    now: u64,
    room: HashMap<String, usize>,
    limit: usize,
    only: Option<JobId>,
    check_cancels: bool,
    schedules: Option<CronZone>,
    purge_before: Option<u64>,
}

/// …and what comes back.
#[derive(Default)]
struct CycleOut {
    cancels: Vec<JobId>,
    fired: Vec<(ScheduleRecord, FireOutcome)>,
    claimed: Vec<ClaimedJob>,
    next_ready: Option<u64>,
    next_schedule: Option<u64>,
}

/// Commits the writes (returned with the error if that fails, to be tried again), then reads
/// and claims; failures past the commit are logged and the cycle goes on with what it has.
fn cycle_blocking(
    store: &mut JobStore,
    c: CycleIn,
) -> std::result::Result<CycleOut, Box<(JobsError, RunnerWrites)>> {
    if let Err(e) = store.apply(&c.writes, c.now) {
        return Err(Box::new((e, c.writes)));
    }
    let mut out = CycleOut::default();
    let warn = |what: &str, e: &dyn std::fmt::Display| tracing::warn!("job runner: {what} failed: {e}");
    if c.check_cancels {
        out.cancels = store.cancel_requests().unwrap_or_else(|e| {
            warn("reading cancel requests", &e);
            Vec::new()
        });
    }
    if let Some(zone) = c.schedules {
        out.fired = fire_due(store, c.now, zone).unwrap_or_else(|e| {
            warn("firing schedules", &e);
            Vec::new()
        });
        out.next_schedule = store.next_schedule_at().unwrap_or(None);
    }
    if let Some(before) = c.purge_before
        && let Err(e) = store.purge_finished(before)
    {
        warn("deleting old job history", &e);
    }
    let ready = store.next_ready_at().unwrap_or(None);
    if c.limit > 0 && ready.is_some_and(|at| at <= c.now) {
        let claim = crate::store::Claim { now: c.now, limit: c.limit, room: &c.room, only: c.only };
        out.claimed = store.claim(&claim).unwrap_or_else(|e| {
            warn("claiming jobs", &e);
            Vec::new()
        });
        out.next_ready = store.next_ready_at().unwrap_or(None);
    } else {
        out.next_ready = ready;
    }
    Ok(out)
}

fn panic_text(panic: Box<dyn std::any::Any + Send>) -> String {
    panic
        .downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| panic.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "a panic".into())
}

impl<C: Send + Sync + 'static> Dispatcher<C> {
    fn now(&self) -> u64 {
        (self.opts.clock)()
    }

    fn emit(&self, event: JobEvent) {
        let _ = self.events.send(event); // no listener is fine
    }

    async fn run(
        mut self,
        mut stop: mpsc::UnboundedReceiver<Duration>,
        mut done: mpsc::UnboundedReceiver<Done>,
    ) {
        let mut buf = Vec::with_capacity(256);
        let mut again = true;
        loop {
            if !again {
                let deadline = self.deadline();
                tokio::select! {
                    biased;
                    grace = stop.recv(), if self.stopping.is_none() => {
                        self.begin_stop(grace.unwrap_or(Duration::ZERO));
                    }
                    _ = done.recv_many(&mut buf, 1024) => {}
                    _ = self.wake.notified() => {}
                    _ = tokio::time::sleep_until(deadline) => {}
                }
            }
            while let Ok(d) = done.try_recv() {
                buf.push(d);
            }
            if !buf.is_empty() && buf.len() < self.running.len() {
                // Short jobs end in a trickle: gather what ends within a moment so one
                // transaction records many of them instead of one each.
                let gather = Instant::now() + BATCH_WINDOW;
                while buf.len() < self.running.len() {
                    tokio::select! {
                        n = done.recv_many(&mut buf, 1024) => if n == 0 { break },
                        _ = tokio::time::sleep_until(gather) => break,
                    }
                }
            }
            for (id, result) in buf.drain(..) {
                self.finish(id, result);
            }
            again = self.cycle().await;
            if self.stopping.is_some() && self.running.is_empty() && self.writes.is_empty() {
                break;
            }
        }
        tracing::debug!("job runner stopped");
    }

    /// When to wake up if nothing else happens.
    fn deadline(&self) -> Instant {
        let now = self.now();
        let at = |ms: u64| Instant::now() + Duration::from_millis(ms.saturating_sub(now));
        let mut deadline = Instant::now() + self.opts.poll;
        let mut consider = |t: Instant| deadline = deadline.min(t);
        if !self.running.is_empty() {
            consider(self.last_progress + self.opts.progress_every);
        }
        if let Some(ready) = self.next_ready.filter(|_| self.stopping.is_none()) {
            consider(at(ready));
        }
        if let Some(next) = self.next_schedule.filter(|_| self.opts.schedules && self.stopping.is_none()) {
            consider(at(next));
        }
        if let Some(stop_at) = self.stopping.filter(|_| !self.aborted) {
            consider(stop_at);
        }
        if !self.writes.is_empty() {
            // A failed commit: try again soon.
            consider(Instant::now() + Duration::from_millis(50));
        }
        deadline
    }

    fn begin_stop(&mut self, grace: Duration) {
        self.stopping = Some(Instant::now() + grace);
        for r in self.running.values() {
            r.live.interrupt.store(true, Ordering::Release);
            r.live.cancel.cancel();
        }
    }

    fn cancel_on_request(&self, id: JobId) {
        if let Some(r) = self.running.get(&id) {
            r.live.user_cancel.store(true, Ordering::Release);
            r.live.cancel.cancel();
        }
    }

    /// Progress and log lines of running jobs that changed since the last look.
    fn collect_progress(&mut self) {
        let mut events = Vec::new();
        for (id, r) in self.running.iter_mut() {
            let v = r.live.version();
            if v != r.seen {
                r.seen = v;
                let progress = r.live.progress();
                self.writes.progress.push((*id, progress.clone()));
                events.push(JobEvent::Progress { id: *id, kind: r.live.kind.clone(), progress });
            }
            for line in r.live.take_logs() {
                events.push(JobEvent::Log { id: *id, line: line.clone() });
                self.writes.logs.push(NewLogLine { job: *id, line });
            }
        }
        for e in events {
            self.emit(e);
        }
    }

    /// Records how a handler's run ended.
    fn finish(&mut self, id: JobId, result: std::result::Result<Value, JobError>) {
        let Some(r) = self.running.remove(&id) else { return };
        let live = r.live;
        let kind = live.kind.clone();
        if let Some(n) = self.per_kind.get_mut(&kind) {
            *n = n.saturating_sub(1);
        }
        let interrupted = live.interrupt.load(Ordering::Acquire);
        let user_cancel = live.user_cancel.load(Ordering::Acquire);
        let now = self.now();
        let (outcome, event) = match result {
            Ok(summary) => {
                live.log(LogLevel::Info, "finished".into());
                let event = JobEvent::Finished {
                    id,
                    kind: kind.clone(),
                    state: JobState::Succeeded,
                    progress: live.progress(),
                    result: Some(summary.clone()),
                    error: None,
                };
                (Outcome::Succeeded { result: summary }, event)
            }
            Err(_) if interrupted && !user_cancel => {
                live.log(LogLevel::Warn, "interrupted by shutdown; it resumes on the next start".into());
                (Outcome::Interrupted, JobEvent::Requeued { id, kind: kind.clone() })
            }
            Err(e) if e.class == ErrorClass::Cancelled || user_cancel => {
                let end = if user_cancel { JobEnd::CancelledOnRequest } else { JobEnd::CancelledByHandler };
                let reason = end.sentence();
                live.log(LogLevel::Warn, reason.into());
                let event = JobEvent::Finished {
                    id,
                    kind: kind.clone(),
                    state: JobState::Cancelled,
                    progress: live.progress(),
                    result: None,
                    error: Some(reason.into()),
                };
                (Outcome::Cancelled { end }, event)
            }
            Err(e) if e.is_transient() && r.attempt < r.max_attempts => {
                let wait = backoff(r.attempt, self.opts.retry_base, self.opts.retry_cap);
                let run_after = now + wait.as_millis() as u64;
                live.log(
                    LogLevel::Warn,
                    format!(
                        "attempt {} of {} failed: {e}; retrying in {}",
                        r.attempt,
                        r.max_attempts,
                        humantime::format_duration(Duration::from_secs(wait.as_secs().max(1)))
                    ),
                );
                let event = JobEvent::Retrying {
                    id,
                    kind: kind.clone(),
                    attempt: r.attempt,
                    run_after,
                    error: e.to_string(),
                };
                (Outcome::Retry { run_after, error: e.message, chain: e.chain, code: e.code }, event)
            }
            Err(e) => {
                live.log(LogLevel::Error, format!("failed: {e}"));
                let event = JobEvent::Finished {
                    id,
                    kind: kind.clone(),
                    state: JobState::Failed,
                    progress: live.progress(),
                    result: None,
                    error: Some(e.to_string()),
                };
                (Outcome::Failed { error: e.message, chain: e.chain, code: e.code }, event)
            }
        };
        for line in live.take_logs() {
            self.writes.logs.push(NewLogLine { job: id, line });
        }
        self.writes.finished.push(Finished { id, outcome, progress: live.progress() });
        self.after_commit.push(event);
    }

    /// One round trip to the store. Returns whether to go again at once.
    async fn cycle(&mut self) -> bool {
        if let Some(stop_at) = self.stopping
            && !self.aborted
            && Instant::now() >= stop_at
        {
            // Past the grace period: abort. The jobs return to the queue (see `finish`).
            self.aborted = true;
            for r in self.running.values() {
                r.abort.abort();
            }
        }
        if !self.running.is_empty() && self.last_progress.elapsed() >= self.opts.progress_every {
            self.collect_progress();
            self.last_progress = Instant::now();
        }
        let now = self.now();
        let stopping = self.stopping.is_some();
        let room = self
            .registry
            .kinds()
            .map(|(k, o)| (k.to_string(), o.concurrency.saturating_sub(*self.per_kind.get(k).unwrap_or(&0))))
            .collect();
        let purge =
            self.opts.keep_finished.filter(|_| self.last_purge.elapsed() >= Duration::from_secs(3600));
        if purge.is_some() {
            self.last_purge = Instant::now();
        }
        let input = CycleIn {
            writes: std::mem::take(&mut self.writes),
            now,
            room,
            limit: if stopping { 0 } else { self.opts.max_running.saturating_sub(self.running.len()) },
            only: self.opts.only,
            check_cancels: !self.running.is_empty(),
            schedules: (self.opts.schedules && !stopping).then_some(self.opts.cron_zone),
            purge_before: purge.map(|keep| now.saturating_sub(keep.as_millis() as u64)),
        };
        let store = self.store.clone();
        let result = tokio::task::spawn_blocking(move || match store.lock() {
            Ok(mut store) => cycle_blocking(&mut store, input),
            Err(_) => {
                Err(Box::new((JobsError::Runner("the job store lock was poisoned".into()), input.writes)))
            }
        })
        .await;
        let out = match result {
            Ok(Ok(out)) => out,
            Ok(Err(failed)) => {
                let (e, writes) = *failed;
                tracing::warn!("job runner: writing job state failed, will retry: {e}");
                let newer = std::mem::replace(&mut self.writes, writes);
                self.writes.progress.extend(newer.progress);
                self.writes.logs.extend(newer.logs);
                self.writes.finished.extend(newer.finished);
                return false;
            }
            Err(e) => {
                tracing::error!("job runner: the store task failed: {e}");
                return false;
            }
        };
        for event in std::mem::take(&mut self.after_commit) {
            self.emit(event);
        }
        for (schedule, outcome) in out.fired {
            if let FireOutcome::Enqueued(id) = outcome {
                self.emit(JobEvent::Queued { id, kind: schedule.kind.clone() });
            }
            self.emit(JobEvent::ScheduleTick { schedule: schedule.name, outcome });
        }
        for id in out.cancels {
            self.cancel_on_request(id);
        }
        self.next_ready = out.next_ready;
        self.next_schedule = out.next_schedule;
        for claimed in out.claimed {
            self.start_job(claimed, now);
        }
        !self.writes.is_empty()
    }

    fn start_job(&mut self, claimed: ClaimedJob, now: u64) {
        let job = claimed.job;
        let Some(kind) = self.registry.get(&job.kind) else {
            // Fail it and keep going: an old catalog, a newer Vitrina's queue, a typo in a script.
            let error = format!(
                "no handler for job kind \"{}\" in this version of Vitrina (known kinds: {})",
                job.kind,
                self.registry.known()
            );
            let line = LogLine {
                seq: claimed.next_log_seq,
                at: now,
                level: LogLevel::Error,
                message: error.clone(),
            };
            self.writes.logs.push(NewLogLine { job: job.id, line });
            self.writes.finished.push(Finished {
                id: job.id,
                outcome: Outcome::Failed {
                    error: error.clone(),
                    chain: Vec::new(),
                    code: Some(JobError::UNKNOWN_KIND.into()),
                },
                progress: job.progress.clone(),
            });
            self.after_commit.push(JobEvent::Finished {
                id: job.id,
                kind: job.kind,
                state: JobState::Failed,
                progress: job.progress,
                result: None,
                error: Some(error),
            });
            return;
        };
        let live = Arc::new(Live::new(
            job.id,
            job.kind.clone(),
            &job.progress,
            claimed.next_log_seq,
            self.opts.clock.clone(),
        ));
        live.log(LogLevel::Info, format!("started (attempt {} of {})", job.attempts, job.max_attempts));
        let ctx = JobCtx {
            live: live.clone(),
            app: self.app.clone(),
            payload: job.payload,
            attempt: job.attempts,
            max_attempts: job.max_attempts,
            store: self.store.clone(),
            registry: self.registry.clone(),
            wake: self.wake.clone(),
        };
        let inner = tokio::spawn((kind.run)(ctx));
        let abort = inner.abort_handle();
        let done = self.done_tx.clone();
        let (id, kind_name) = (job.id, job.kind.clone());
        tokio::spawn(async move {
            let result = match inner.await {
                Ok(r) => r,
                Err(e) if e.is_panic() => Err(JobError::permanent(format!(
                    "the {kind_name} handler crashed: {}",
                    panic_text(e.into_panic())
                ))
                .with_code(JobError::HANDLER_CRASHED)),
                Err(_) => Err(JobError::cancelled()),
            };
            let _ = done.send((id, result));
        });
        *self.per_kind.entry(job.kind.clone()).or_default() += 1;
        self.running.insert(
            id,
            Running { live, attempt: job.attempts, max_attempts: job.max_attempts, seen: 0, abort },
        );
        self.emit(JobEvent::Started { id, kind: job.kind, attempt: job.attempts });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_with_jitter_and_is_capped() {
        let base = Duration::from_secs(2);
        let cap = Duration::from_secs(60);
        for attempt in 1..=10 {
            let full = (base * 2u32.pow(attempt - 1)).min(cap);
            for _ in 0..50 {
                let d = backoff(attempt, base, cap);
                assert!(
                    d >= full / 2 && d <= full,
                    "attempt {attempt}: {d:?} outside {:?}..={full:?}",
                    full / 2
                );
            }
        }
        // Jitter: not every retry of the same attempt waits the same.
        let waits: std::collections::HashSet<_> = (0..20).map(|_| backoff(3, base, cap)).collect();
        assert!(waits.len() > 1);
        assert!(backoff(u32::MAX, base, cap) <= cap);
    }
}
