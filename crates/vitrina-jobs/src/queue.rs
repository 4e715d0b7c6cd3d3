//! The queue as front ends use it (synchronously): enqueue with checks, look up, cancel,
//! retry, read logs, manage schedules. Runs on its own connection to the queue file; a runner
//! in this or another process picks up what it writes.

use std::path::Path;
use std::sync::Arc;

use crate::store::{
    Cadence, CancelOutcome, FireOutcome, JobId, JobQuery, JobRecord, JobStore, LogLine, NewJob, NewSchedule,
    RetryOutcome, ScheduleRecord,
};
use serde_json::Value;
use vitrina_store::Clock;

use crate::error::{JobsError, Result};
use crate::registry::Registry;
use crate::schedule::{self, CronZone};

pub(crate) fn system_clock() -> Clock {
    Arc::new(|| {
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_millis() as u64)
            .unwrap_or(0)
    })
}

/// A schedule as a person describes it.
#[derive(Debug, Clone, PartialEq)]
pub struct ScheduleSpec {
    pub name: String,
    pub kind: String,
    pub payload: Value,
    pub cadence: Cadence,
    pub enabled: bool,
    pub concurrency_key: Option<String>,
}

/// The job queue of one catalog file.
pub struct Queue<C> {
    store: JobStore,
    registry: Arc<Registry<C>>,
    clock: Clock,
    zone: CronZone,
}

impl<C> std::fmt::Debug for Queue<C> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Queue").field("store", &self.store).finish()
    }
}

impl<C: Send + Sync + 'static> Queue<C> {
    pub fn open(path: &Path, registry: Arc<Registry<C>>) -> Result<Self> {
        Ok(Queue { store: JobStore::open(path)?, registry, clock: system_clock(), zone: CronZone::Local })
    }

    /// Replaces the wall clock (tests).
    pub fn with_clock(mut self, clock: Clock, zone: CronZone) -> Self {
        self.clock = clock;
        self.zone = zone;
        self
    }

    pub fn now(&self) -> u64 {
        (self.clock)()
    }

    pub fn registry(&self) -> &Arc<Registry<C>> {
        &self.registry
    }

    /// The underlying store, for what this API does not cover.
    pub fn store_mut(&mut self) -> &mut JobStore {
        &mut self.store
    }

    /// A job of `kind` with its kind's default attempts.
    pub fn job(&self, kind: &str, payload: Value) -> Result<NewJob> {
        let opts = self.registry.check(kind, &payload)?;
        Ok(NewJob::new(kind, payload).attempts(opts.max_attempts))
    }

    /// Queues a job after checking its kind and payload.
    pub fn enqueue(&mut self, job: &NewJob) -> Result<JobId> {
        self.registry.check(&job.kind, &job.payload)?;
        let now = self.now();
        self.store.enqueue(job, now)
    }

    /// A full id, or a unique beginning of one (dashes optional).
    pub fn resolve(&self, text: &str) -> Result<JobId> {
        if let Ok(id) = text.parse::<JobId>() {
            return Ok(id);
        }
        let text = text.trim();
        if text.chars().filter(|c| *c != '-').count() < 4 {
            return Err(JobsError::JobNotFound(text.into()));
        }
        match self.store.jobs_with_prefix(text, 2)?.as_slice() {
            [one] => Ok(*one),
            [] => Err(JobsError::JobNotFound(text.into())),
            _ => Err(JobsError::AmbiguousJob(text.into())),
        }
    }

    pub fn get(&self, id: JobId) -> Result<JobRecord> {
        self.store.job(id)?.ok_or_else(|| JobsError::JobNotFound(id.to_string()))
    }

    pub fn list(&self, q: &JobQuery) -> Result<Vec<JobRecord>> {
        self.store.list(q)
    }

    pub fn children(&self, id: JobId) -> Result<Vec<JobRecord>> {
        self.store.children(id)
    }

    /// Lines after `after` (0: from the start).
    pub fn logs(&self, id: JobId, after: u64, limit: u32) -> Result<Vec<LogLine>> {
        self.get(id)?;
        self.store.logs(id, after, limit)
    }

    pub fn log_tail(&self, id: JobId, limit: u32) -> Result<Vec<LogLine>> {
        self.get(id)?;
        self.store.log_tail(id, limit)
    }

    /// Cancels a queued job at once, or asks a running one to stop: the runner, in this or
    /// another process, reads the request every time it wakes (at least every
    /// `RunnerOptions::progress_every` while jobs run).
    pub fn cancel(&mut self, id: JobId) -> Result<CancelOutcome> {
        let now = self.now();
        self.store.request_cancel(id, now)?.ok_or_else(|| JobsError::JobNotFound(id.to_string()))
    }

    /// Runs a failed or cancelled job again, from a fresh set of attempts.
    pub fn retry(&mut self, id: JobId) -> Result<()> {
        let now = self.now();
        match self.store.retry(id, now)? {
            None => Err(JobsError::JobNotFound(id.to_string())),
            Some(RetryOutcome::Queued) => Ok(()),
            Some(RetryOutcome::NotRetryable(state)) => Err(JobsError::NotRetryable { id, state }),
        }
    }

    /// (queued, running).
    pub fn pending(&self) -> Result<(u64, u64)> {
        self.store.pending()
    }

    /// Deletes finished jobs older than `keep` (with their logs); returns how many.
    pub fn purge(&mut self, keep: std::time::Duration) -> Result<u64> {
        let before = self.now().saturating_sub(keep.as_millis() as u64);
        self.store.purge_finished(before)
    }

    /// Adds a schedule; its kind, payload and cadence are checked first (a cron expression that
    /// does not parse is refused with the reason).
    pub fn add_schedule(&mut self, spec: &ScheduleSpec) -> Result<ScheduleRecord> {
        let name = spec.name.trim();
        if name.is_empty() {
            return Err(JobsError::Invalid("a schedule needs a name".into()));
        }
        let opts = self.registry.check(&spec.kind, &spec.payload)?;
        schedule::validate(&spec.cadence)?;
        let now = self.now();
        let new = NewSchedule {
            name: name.to_string(),
            kind: spec.kind.clone(),
            payload: spec.payload.clone(),
            cadence: spec.cadence.clone(),
            enabled: spec.enabled,
            max_attempts: opts.max_attempts,
            concurrency_key: spec.concurrency_key.clone(),
            next_run_at: schedule::next_tick(&spec.cadence, now, None, self.zone)?,
        };
        self.store.add_schedule(&new, now)?.ok_or_else(|| JobsError::ScheduleExists(name.to_string()))
    }

    pub fn schedules(&self) -> Result<Vec<ScheduleRecord>> {
        self.store.schedules()
    }

    pub fn schedule(&self, name: &str) -> Result<ScheduleRecord> {
        self.store.schedule(name)?.ok_or_else(|| JobsError::ScheduleNotFound(name.trim().to_string()))
    }

    pub fn remove_schedule(&mut self, name: &str) -> Result<()> {
        if self.store.remove_schedule(name)? { Ok(()) } else { Err(JobsError::ScheduleNotFound(name.into())) }
    }

    /// Enabling starts from the next tick after now: ticks missed while disabled are skipped.
    pub fn set_schedule_enabled(&mut self, name: &str, enabled: bool) -> Result<ScheduleRecord> {
        let s = self.schedule(name)?;
        let next =
            if enabled { Some(schedule::next_tick(&s.cadence, self.now(), None, self.zone)?) } else { None };
        self.store.set_schedule_enabled(name, enabled, next)?;
        self.schedule(name)
    }

    /// Fires the schedules due at `now` (see [`fire_due`]).
    pub fn run_due_schedules(&mut self, now: u64) -> Result<Vec<(ScheduleRecord, FireOutcome)>> {
        fire_due(&mut self.store, now, self.zone)
    }
}

/// Fires every enabled schedule whose tick is due at `now`: each enqueues its job unless the
/// job of its previous tick is still queued or running, and moves to its first tick after
/// `now`, so ticks missed while nothing ran are skipped rather than replayed in a burst.
pub(crate) fn fire_due(
    store: &mut JobStore,
    now: u64,
    zone: CronZone,
) -> Result<Vec<(ScheduleRecord, FireOutcome)>> {
    let mut fired = Vec::new();
    for s in store.due_schedules(now)? {
        match schedule::next_tick(&s.cadence, now, s.next_run_at, zone) {
            Ok(next) => {
                let outcome = store.fire_schedule(&s, now, next)?;
                fired.push((s, outcome));
            }
            Err(e) => {
                // Only a cadence stored by something other than this API gets here; a schedule
                // that can never fire is switched off instead of being retried in a hot loop.
                tracing::warn!(schedule = %s.name, "switched off: {e}");
                store.set_schedule_enabled(&s.name, false, None)?;
            }
        }
    }
    Ok(fired)
}
