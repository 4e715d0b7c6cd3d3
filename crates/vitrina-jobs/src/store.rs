//! The job queue's file: jobs, their log lines and schedules, next to the catalog.
//!
//! The queue lives in a SQLite file of its own (`<catalog>.jobs`), owned by this crate, so no
//! job operation ever waits for a catalog transaction: a supplier import holds the catalog's
//! write lock for its whole run, while queueing, cancelling, retrying, progress, logs and
//! schedules keep working here. A [`JobStore`] knows rows and transactions only: which job runs
//! next, limits and retries are decided by the runner, which hands this module the results to
//! record. Catalog work done by a job commits its batch record in the catalog, in the same
//! transaction as the work (`vitrina_store::job_batches`).

mod file;
mod legacy;

use std::collections::{HashMap, HashSet};
use std::fmt;
use std::path::{Path, PathBuf};
use std::str::FromStr;

use rusqlite::{Connection, OptionalExtension, Row, Transaction, TransactionBehavior, params};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use uuid::Uuid;
pub use vitrina_domain::JobId;

use crate::error::Result;
pub use file::{MIGRATIONS, queue_path};

fn uuid_of(row: &Row<'_>, idx: usize) -> rusqlite::Result<Uuid> {
    Ok(Uuid::from_bytes(row.get(idx)?))
}

fn opt_uuid_of(row: &Row<'_>, idx: usize) -> rusqlite::Result<Option<Uuid>> {
    Ok(row.get::<_, Option<[u8; 16]>>(idx)?.map(Uuid::from_bytes))
}

/// A schedule's id (UUIDv7).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct ScheduleId(pub Uuid);

impl fmt::Display for ScheduleId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

/// Where a job is in its life. `succeeded`, `failed` and `cancelled` are final.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum JobState {
    Queued,
    Running,
    Succeeded,
    Failed,
    Cancelled,
}

impl JobState {
    pub const ALL: [JobState; 5] =
        [JobState::Queued, JobState::Running, JobState::Succeeded, JobState::Failed, JobState::Cancelled];

    pub fn code(self) -> &'static str {
        match self {
            JobState::Queued => "queued",
            JobState::Running => "running",
            JobState::Succeeded => "succeeded",
            JobState::Failed => "failed",
            JobState::Cancelled => "cancelled",
        }
    }

    pub fn is_finished(self) -> bool {
        matches!(self, JobState::Succeeded | JobState::Failed | JobState::Cancelled)
    }
}

impl fmt::Display for JobState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

impl FromStr for JobState {
    type Err = String;
    fn from_str(s: &str) -> std::result::Result<Self, Self::Err> {
        let s = s.trim().to_ascii_lowercase();
        JobState::ALL.into_iter().find(|st| st.code() == s).ok_or_else(|| {
            format!("\"{s}\" is not a job state (queued, running, succeeded, failed, cancelled)")
        })
    }
}

/// A job to add to the queue.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NewJob {
    pub kind: String,
    pub payload: Value,
    pub max_attempts: u32,
    /// Not before this time (UTC ms); now when `None`.
    pub run_after: Option<u64>,
    pub parent: Option<JobId>,
    pub concurrency_key: Option<String>,
}

impl NewJob {
    /// Three attempts, no key, runs as soon as a worker has room.
    pub fn new(kind: impl Into<String>, payload: Value) -> Self {
        NewJob {
            kind: kind.into(),
            payload,
            max_attempts: 3,
            run_after: None,
            parent: None,
            concurrency_key: None,
        }
    }

    /// A job of `payload`'s kind.
    pub fn of<P: crate::registry::JobPayload>(payload: &P) -> Self {
        // A payload type is plain data: serializing it to a JSON value cannot fail.
        NewJob::new(P::KIND, serde_json::to_value(payload).unwrap_or(Value::Null))
    }

    pub fn key(mut self, key: impl Into<String>) -> Self {
        self.concurrency_key = Some(key.into());
        self
    }

    pub fn attempts(mut self, max: u32) -> Self {
        self.max_attempts = max.max(1);
        self
    }

    pub fn after(mut self, at_ms: u64) -> Self {
        self.run_after = Some(at_ms);
        self
    }

    pub fn child_of(mut self, parent: JobId) -> Self {
        self.parent = Some(parent);
        self
    }
}

/// How far a job has got: `done` of `total` (unknown while `None`), what it is doing as a code
/// (`stage`, defined by its handler and worded by the front ends), and details for people.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Progress {
    pub done: u64,
    pub total: Option<u64>,
    pub message: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stage: Option<String>,
}

/// How a cancelled job ended, as a code the front ends word in the person's language.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum JobEnd {
    /// Someone asked it to stop while it ran.
    CancelledOnRequest,
    /// Its handler stopped on its own account.
    CancelledByHandler,
    /// Cancelled while it waited in the queue.
    CancelledBeforeStart,
}

impl JobEnd {
    pub const ALL: [JobEnd; 3] =
        [JobEnd::CancelledOnRequest, JobEnd::CancelledByHandler, JobEnd::CancelledBeforeStart];

    pub fn code(self) -> &'static str {
        match self {
            JobEnd::CancelledOnRequest => "cancelled_on_request",
            JobEnd::CancelledByHandler => "cancelled_by_handler",
            JobEnd::CancelledBeforeStart => "cancelled_before_start",
        }
    }

    /// The English sentence (stored as the job's error, printed by the CLI).
    pub fn sentence(self) -> &'static str {
        match self {
            JobEnd::CancelledOnRequest => "cancelled on request",
            JobEnd::CancelledByHandler => "cancelled by its handler",
            JobEnd::CancelledBeforeStart => "cancelled before it started",
        }
    }

    fn parse(code: &str) -> Option<Self> {
        JobEnd::ALL.into_iter().find(|e| e.code() == code)
    }
}

/// A job as stored.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct JobRecord {
    pub id: JobId,
    pub kind: String,
    pub payload: Value,
    pub state: JobState,
    pub progress: Progress,
    pub attempts: u32,
    pub max_attempts: u32,
    pub run_after: u64,
    pub created_at: u64,
    pub started_at: Option<u64>,
    pub finished_at: Option<u64>,
    /// The summary a successful run reported.
    pub result: Option<Value>,
    /// Why the last attempt failed, and the causes beneath it, outermost first.
    pub error: Option<String>,
    pub error_chain: Vec<String>,
    /// The failure's reason as a stable code its handler chose (`file_missing`, `timeout`, …),
    /// when it named one; the front ends word it, `error` carries the details.
    pub error_code: Option<String>,
    pub parent: Option<JobId>,
    pub concurrency_key: Option<String>,
    pub schedule: Option<ScheduleId>,
    pub cancel_requested: bool,
    /// How a cancelled job ended.
    pub end: Option<JobEnd>,
}

/// Which jobs to list: newest first, filtered by kind, state and creation time.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct JobQuery {
    pub kind: Option<String>,
    pub state: Option<JobState>,
    /// Created at or after (UTC ms).
    pub since: Option<u64>,
    /// Created before (UTC ms).
    pub until: Option<u64>,
    pub limit: u32,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LogLevel {
    Info,
    Warn,
    Error,
}

impl LogLevel {
    pub fn code(self) -> &'static str {
        match self {
            LogLevel::Info => "info",
            LogLevel::Warn => "warn",
            LogLevel::Error => "error",
        }
    }

    fn parse(s: &str) -> Self {
        match s {
            "warn" => LogLevel::Warn,
            "error" => LogLevel::Error,
            _ => LogLevel::Info,
        }
    }
}

/// One stored line of a job's log.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LogLine {
    pub seq: u64,
    pub at: u64,
    pub level: LogLevel,
    pub message: String,
}

/// A log line the runner hands over for storage.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewLogLine {
    pub job: JobId,
    pub line: LogLine,
}

/// What the runner may start: up to `limit` ready jobs, at most `room[kind]` of each known
/// kind (kinds not in `room` are not limited here — the runner fails them as unknown), never a
/// second job for a concurrency key that is running, and when `only` is set only that job and
/// the jobs it queued (a chain's steps).
#[derive(Debug, Clone)]
pub struct Claim<'a> {
    pub now: u64,
    pub limit: usize,
    pub room: &'a HashMap<String, usize>,
    pub only: Option<JobId>,
}

/// A job the runner now owns, with the sequence number its next log line takes.
#[derive(Debug, Clone, PartialEq)]
pub struct ClaimedJob {
    pub job: JobRecord,
    pub next_log_seq: u64,
}

/// How a run ended, as the runner records it.
#[derive(Debug, Clone, PartialEq)]
pub enum Outcome {
    Succeeded {
        result: Value,
    },
    Failed {
        error: String,
        chain: Vec<String>,
        code: Option<String>,
    },
    Cancelled {
        end: JobEnd,
    },
    /// A transient failure: queued again for `run_after`.
    Retry {
        run_after: u64,
        error: String,
        chain: Vec<String>,
        code: Option<String>,
    },
    /// Stopped by a shutdown, not by its own doing: queued again and the attempt not counted.
    Interrupted,
}

/// One finished run.
#[derive(Debug, Clone, PartialEq)]
pub struct Finished {
    pub id: JobId,
    pub outcome: Outcome,
    pub progress: Progress,
}

/// What the runner writes in one transaction: progress of running jobs, log lines, ends.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct RunnerWrites {
    pub progress: Vec<(JobId, Progress)>,
    pub logs: Vec<NewLogLine>,
    pub finished: Vec<Finished>,
}

impl RunnerWrites {
    pub fn is_empty(&self) -> bool {
        self.progress.is_empty() && self.logs.is_empty() && self.finished.is_empty()
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case", tag = "outcome", content = "state")]
pub enum CancelOutcome {
    /// It was waiting: cancelled at once.
    Cancelled,
    /// It is running: asked to stop at its next check.
    Requested,
    /// It had already ended in this state.
    AlreadyFinished(JobState),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case", tag = "outcome", content = "state")]
pub enum RetryOutcome {
    Queued,
    /// Only failed and cancelled jobs are run again.
    NotRetryable(JobState),
}

/// When a schedule enqueues its job.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Cadence {
    /// Every so many milliseconds.
    Every(u64),
    /// A cron expression (evaluated by `vitrina-jobs`).
    Cron(String),
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NewSchedule {
    pub name: String,
    pub kind: String,
    pub payload: Value,
    pub cadence: Cadence,
    pub enabled: bool,
    pub max_attempts: u32,
    pub concurrency_key: Option<String>,
    /// The first tick (UTC ms), computed by the caller from the cadence.
    pub next_run_at: u64,
}

/// A schedule as stored, with the state of the last job it started.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ScheduleRecord {
    pub id: ScheduleId,
    pub name: String,
    pub kind: String,
    pub payload: Value,
    pub cadence: Cadence,
    pub enabled: bool,
    pub max_attempts: u32,
    pub concurrency_key: Option<String>,
    pub created_at: u64,
    pub last_run_at: Option<u64>,
    pub next_run_at: Option<u64>,
    pub last_job: Option<JobId>,
    pub last_job_state: Option<JobState>,
}

impl ScheduleRecord {
    /// The job one tick of this schedule enqueues.
    pub fn job(&self) -> NewJob {
        NewJob {
            kind: self.kind.clone(),
            payload: self.payload.clone(),
            max_attempts: self.max_attempts,
            run_after: None,
            parent: None,
            concurrency_key: self.concurrency_key.clone(),
        }
    }
}

/// What one due tick of a schedule did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case", tag = "outcome", content = "job")]
pub enum FireOutcome {
    Enqueued(JobId),
    /// The job of an earlier tick is still queued or running: no second copy.
    StillRunning(JobId),
}

const JOB_COLUMNS: &str = "id, kind, payload, state, progress_done, progress_total, progress_message, \
     attempts, max_attempts, run_after, created_at, started_at, finished_at, result, error, error_chain, \
     parent_id, concurrency_key, schedule_id, cancel_requested, progress_stage, end_code, error_code";

const SCHEDULE_COLUMNS: &str = "s.id, s.name, s.kind, s.payload, s.every_ms, s.cron, s.enabled, \
     s.max_attempts, s.concurrency_key, s.created_at, s.last_run_at, s.next_run_at, s.last_job_id, j.state";

fn json_of(text: Option<String>) -> Value {
    text.and_then(|t| serde_json::from_str(&t).ok()).unwrap_or(Value::Null)
}

fn u64_of(v: Option<i64>) -> Option<u64> {
    v.map(|v| v.max(0) as u64)
}

fn job_from_row(r: &Row<'_>) -> rusqlite::Result<JobRecord> {
    let state: String = r.get(3)?;
    Ok(JobRecord {
        id: JobId(uuid_of(r, 0)?),
        kind: r.get(1)?,
        payload: json_of(r.get(2)?),
        state: state.parse().unwrap_or(JobState::Failed),
        progress: Progress {
            done: r.get::<_, i64>(4)?.max(0) as u64,
            total: u64_of(r.get(5)?),
            message: r.get(6)?,
            stage: r.get(20)?,
        },
        attempts: r.get(7)?,
        max_attempts: r.get(8)?,
        run_after: r.get::<_, i64>(9)?.max(0) as u64,
        created_at: r.get::<_, i64>(10)?.max(0) as u64,
        started_at: u64_of(r.get(11)?),
        finished_at: u64_of(r.get(12)?),
        result: r.get::<_, Option<String>>(13)?.map(|t| json_of(Some(t))),
        error: r.get(14)?,
        error_chain: r
            .get::<_, Option<String>>(15)?
            .and_then(|t| serde_json::from_str(&t).ok())
            .unwrap_or_default(),
        error_code: r.get(22)?,
        parent: opt_uuid_of(r, 16)?.map(JobId),
        concurrency_key: r.get(17)?,
        schedule: opt_uuid_of(r, 18)?.map(ScheduleId),
        cancel_requested: r.get(19)?,
        end: r.get::<_, Option<String>>(21)?.as_deref().and_then(JobEnd::parse),
    })
}

fn schedule_from_row(r: &Row<'_>) -> rusqlite::Result<ScheduleRecord> {
    let every: Option<i64> = r.get(4)?;
    let cron: Option<String> = r.get(5)?;
    let state: Option<String> = r.get(13)?;
    Ok(ScheduleRecord {
        id: ScheduleId(uuid_of(r, 0)?),
        name: r.get(1)?,
        kind: r.get(2)?,
        payload: json_of(r.get(3)?),
        cadence: match (every, cron) {
            (Some(ms), _) => Cadence::Every(ms.max(1) as u64),
            (None, cron) => Cadence::Cron(cron.unwrap_or_default()),
        },
        enabled: r.get(6)?,
        max_attempts: r.get(7)?,
        concurrency_key: r.get(8)?,
        created_at: r.get::<_, i64>(9)?.max(0) as u64,
        last_run_at: u64_of(r.get(10)?),
        next_run_at: u64_of(r.get(11)?),
        last_job: opt_uuid_of(r, 12)?.map(JobId),
        last_job_state: state.and_then(|s| s.parse().ok()),
    })
}

fn chain_text(chain: &[String]) -> Option<String> {
    (!chain.is_empty()).then(|| serde_json::to_string(chain).unwrap_or_default())
}

fn insert_job(tx: &Connection, job: &NewJob, schedule: Option<ScheduleId>, now: u64) -> Result<JobId> {
    let id = JobId::new();
    tx.prepare_cached(
        "INSERT INTO jobs (id, kind, payload, max_attempts, run_after, created_at, parent_id, concurrency_key,
                           schedule_id)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
    )?
    .execute(params![
        id.0.as_bytes(),
        job.kind,
        job.payload.to_string(),
        job.max_attempts.max(1),
        job.run_after.unwrap_or(now) as i64,
        now as i64,
        job.parent.map(|p| *p.0.as_bytes()),
        job.concurrency_key,
        schedule.map(|s| *s.0.as_bytes()),
    ])?;
    Ok(id)
}

/// The job queue on its own connection to a catalog file.
pub struct JobStore {
    conn: Connection,
    catalog: PathBuf,
}

impl fmt::Debug for JobStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("JobStore").field("path", &self.conn.path()).finish()
    }
}

impl JobStore {
    /// Opens the job queue of the catalog at `catalog`: the file [`queue_path`] names, created
    /// and migrated if needed. The first time, a queue that an older Vitrina kept inside the
    /// catalog moves here (see `legacy`).
    pub fn open(catalog: impl AsRef<Path>) -> Result<Self> {
        let catalog = catalog.as_ref();
        let mut store = JobStore { conn: file::open(&queue_path(catalog))?, catalog: catalog.to_path_buf() };
        legacy::adopt(&mut store.conn, catalog)?;
        Ok(store)
    }

    /// The catalog this queue belongs to.
    pub fn catalog_path(&self) -> &Path {
        &self.catalog
    }

    fn write(&mut self) -> Result<Transaction<'_>> {
        Ok(self.conn.transaction_with_behavior(TransactionBehavior::Immediate)?)
    }

    pub fn enqueue(&mut self, job: &NewJob, now: u64) -> Result<JobId> {
        Ok(self.enqueue_many(std::slice::from_ref(job), now)?[0])
    }

    /// Adds many jobs in one transaction.
    pub fn enqueue_many(&mut self, jobs: &[NewJob], now: u64) -> Result<Vec<JobId>> {
        let tx = self.write()?;
        let ids = jobs.iter().map(|j| insert_job(&tx, j, None, now)).collect::<Result<Vec<_>>>()?;
        tx.commit()?;
        Ok(ids)
    }

    pub fn job(&self, id: JobId) -> Result<Option<JobRecord>> {
        Ok(self
            .conn
            .prepare_cached(&format!("SELECT {JOB_COLUMNS} FROM jobs WHERE id = ?1"))?
            .query_row([id.0.as_bytes()], job_from_row)
            .optional()?)
    }

    /// Jobs whose id starts with `prefix` (hex digits, dashes ignored), at most `limit`.
    pub fn jobs_with_prefix(&self, prefix: &str, limit: u32) -> Result<Vec<JobId>> {
        let hex: String = prefix.chars().filter(|c| *c != '-').collect::<String>().to_ascii_uppercase();
        if hex.is_empty() || !hex.chars().all(|c| c.is_ascii_hexdigit()) {
            return Ok(Vec::new());
        }
        let ids = self
            .conn
            .prepare_cached("SELECT id FROM jobs WHERE hex(id) LIKE ?1 || '%' ORDER BY id LIMIT ?2")?
            .query_map(params![hex, limit], |r| uuid_of(r, 0).map(JobId))?
            .collect::<rusqlite::Result<_>>()?;
        Ok(ids)
    }

    /// Newest first.
    pub fn list(&self, q: &JobQuery) -> Result<Vec<JobRecord>> {
        let rows = self
            .conn
            .prepare_cached(&format!(
                "SELECT {JOB_COLUMNS} FROM jobs
                 WHERE (?1 IS NULL OR kind = ?1) AND (?2 IS NULL OR state = ?2)
                   AND (?3 IS NULL OR created_at >= ?3) AND (?4 IS NULL OR created_at < ?4)
                 ORDER BY created_at DESC, id DESC LIMIT ?5"
            ))?
            .query_map(
                params![
                    q.kind,
                    q.state.map(JobState::code),
                    q.since.map(|v| v as i64),
                    q.until.map(|v| v as i64),
                    if q.limit == 0 { 50 } else { q.limit },
                ],
                job_from_row,
            )?
            .collect::<rusqlite::Result<_>>()?;
        Ok(rows)
    }

    /// Jobs started by `parent`, oldest first.
    pub fn children(&self, parent: JobId) -> Result<Vec<JobRecord>> {
        let rows = self
            .conn
            .prepare_cached(&format!("SELECT {JOB_COLUMNS} FROM jobs WHERE parent_id = ?1 ORDER BY id"))?
            .query_map([parent.0.as_bytes()], job_from_row)?
            .collect::<rusqlite::Result<_>>()?;
        Ok(rows)
    }

    /// Log lines with `seq` above `after`, oldest first.
    pub fn logs(&self, id: JobId, after: u64, limit: u32) -> Result<Vec<LogLine>> {
        let rows = self
            .conn
            .prepare_cached(
                "SELECT seq, at, level, message FROM job_logs WHERE job_id = ?1 AND seq > ?2
                 ORDER BY seq LIMIT ?3",
            )?
            .query_map(params![id.0.as_bytes(), after as i64, limit], |r| {
                Ok(LogLine {
                    seq: r.get::<_, i64>(0)? as u64,
                    at: r.get::<_, i64>(1)? as u64,
                    level: LogLevel::parse(&r.get::<_, String>(2)?),
                    message: r.get(3)?,
                })
            })?
            .collect::<rusqlite::Result<_>>()?;
        Ok(rows)
    }

    /// The last `limit` log lines, oldest first.
    pub fn log_tail(&self, id: JobId, limit: u32) -> Result<Vec<LogLine>> {
        let last: Option<i64> = self.conn.query_row(
            "SELECT max(seq) FROM job_logs WHERE job_id = ?1",
            [id.0.as_bytes()],
            |r| r.get(0),
        )?;
        let after = last.unwrap_or(0).saturating_sub(i64::from(limit)).max(0) as u64;
        self.logs(id, after, limit)
    }

    /// Marks ready jobs `running` and returns them (see [`Claim`]). One transaction, so two
    /// runners can never take the same job.
    pub fn claim(&mut self, c: &Claim<'_>) -> Result<Vec<ClaimedJob>> {
        if c.limit == 0 {
            return Ok(Vec::new());
        }
        let full: Vec<&str> = c.room.iter().filter(|(_, n)| **n == 0).map(|(k, _)| k.as_str()).collect();
        let tx = self.write()?;
        let candidates: Vec<JobRecord> = tx
            .prepare_cached(&format!(
                // INDEXED BY: without statistics the planner picks jobs_by_state and sorts every
                // queued job on each claim, which made a 10,000-job queue quadratic.
                "SELECT {JOB_COLUMNS} FROM jobs INDEXED BY jobs_ready
                 WHERE state = 'queued' AND run_after <= ?1
                   AND kind NOT IN (SELECT value FROM json_each(?2))
                   AND (concurrency_key IS NULL OR concurrency_key NOT IN
                        (SELECT concurrency_key FROM jobs INDEXED BY jobs_running_keys
                         WHERE state = 'running' AND concurrency_key IS NOT NULL))
                   AND (?3 IS NULL OR id = ?3 OR parent_id = ?3)
                 ORDER BY run_after, id LIMIT ?4"
            ))?
            .query_map(
                params![
                    c.now as i64,
                    serde_json::to_string(&full).unwrap_or_else(|_| "[]".into()),
                    c.only.map(|id| *id.0.as_bytes()),
                    (c.limit * 4 + 16) as i64,
                ],
                job_from_row,
            )?
            .collect::<rusqlite::Result<_>>()?;
        let mut room = c.room.clone();
        let mut keys = HashSet::new();
        let mut claimed = Vec::new();
        for mut job in candidates {
            if claimed.len() == c.limit {
                break;
            }
            if job.concurrency_key.as_ref().is_some_and(|k| keys.contains(k)) {
                continue;
            }
            if let Some(n) = room.get_mut(&job.kind) {
                if *n == 0 {
                    continue;
                }
                *n -= 1;
            }
            if let Some(key) = &job.concurrency_key {
                keys.insert(key.clone());
            }
            tx.prepare_cached(
                "UPDATE jobs SET state = 'running', attempts = attempts + 1, started_at = ?2,
                        finished_at = NULL, cancel_requested = 0
                 WHERE id = ?1",
            )?
            .execute(params![job.id.0.as_bytes(), c.now as i64])?;
            let last: Option<i64> = tx
                .prepare_cached("SELECT max(seq) FROM job_logs WHERE job_id = ?1")?
                .query_row([job.id.0.as_bytes()], |r| r.get(0))?;
            job.state = JobState::Running;
            job.attempts += 1;
            job.started_at = Some(c.now);
            job.finished_at = None;
            job.cancel_requested = false;
            claimed.push(ClaimedJob { job, next_log_seq: last.unwrap_or(0) as u64 + 1 });
        }
        tx.commit()?;
        Ok(claimed)
    }

    /// Records progress, log lines and finished runs in one transaction. Ends apply only to
    /// jobs that are still `running`.
    pub fn apply(&mut self, w: &RunnerWrites, now: u64) -> Result<()> {
        if w.is_empty() {
            return Ok(());
        }
        let tx = self.write()?;
        for (id, p) in &w.progress {
            set_progress(&tx, *id, p)?;
        }
        for l in &w.logs {
            tx.prepare_cached(
                "INSERT OR IGNORE INTO job_logs (job_id, seq, at, level, message) VALUES (?1, ?2, ?3, ?4, ?5)",
            )?
            .execute(params![
                l.job.0.as_bytes(),
                l.line.seq as i64,
                l.line.at as i64,
                l.line.level.code(),
                l.line.message
            ])?;
        }
        for f in &w.finished {
            set_progress(&tx, f.id, &f.progress)?;
            let id = f.id.0.as_bytes();
            let now = now as i64;
            let stmt = |sql: &str| tx.prepare_cached(sql);
            match &f.outcome {
                Outcome::Succeeded { result } => stmt(
                    "UPDATE jobs SET state = 'succeeded', finished_at = ?2, result = ?3, error = NULL,
                            error_chain = NULL, error_code = NULL, cancel_requested = 0
                     WHERE id = ?1 AND state = 'running'",
                )?
                .execute(params![id, now, result.to_string()])?,
                Outcome::Failed { error, chain, code } => stmt(
                    "UPDATE jobs SET state = 'failed', finished_at = ?2, error = ?3, error_chain = ?4,
                            error_code = ?5, cancel_requested = 0
                     WHERE id = ?1 AND state = 'running'",
                )?
                .execute(params![id, now, error, chain_text(chain), code])?,
                Outcome::Cancelled { end } => stmt(
                    "UPDATE jobs SET state = 'cancelled', finished_at = ?2, error = ?3, error_chain = NULL,
                            error_code = NULL, cancel_requested = 0, end_code = ?4
                     WHERE id = ?1 AND state = 'running'",
                )?
                .execute(params![id, now, end.sentence(), end.code()])?,
                Outcome::Retry { run_after, error, chain, code } => stmt(
                    "UPDATE jobs SET state = 'queued', run_after = ?2, error = ?3, error_chain = ?4,
                            error_code = ?5, started_at = NULL
                     WHERE id = ?1 AND state = 'running'",
                )?
                .execute(params![id, *run_after as i64, error, chain_text(chain), code])?,
                Outcome::Interrupted => stmt(
                    "UPDATE jobs SET state = 'queued', run_after = ?2, attempts = max(attempts - 1, 0),
                            started_at = NULL
                     WHERE id = ?1 AND state = 'running'",
                )?
                .execute(params![id, now])?,
            };
        }
        tx.commit()?;
        Ok(())
    }

    /// Running jobs someone asked to cancel (possibly from another process).
    pub fn cancel_requests(&self) -> Result<Vec<JobId>> {
        let ids = self
            .conn
            .prepare_cached("SELECT id FROM jobs WHERE state = 'running' AND cancel_requested = 1")?
            .query_map([], |r| uuid_of(r, 0).map(JobId))?
            .collect::<rusqlite::Result<_>>()?;
        Ok(ids)
    }

    /// A queued job is cancelled at once; a running one is asked to stop.
    pub fn request_cancel(&mut self, id: JobId, now: u64) -> Result<Option<CancelOutcome>> {
        let tx = self.write()?;
        let state: Option<String> = tx
            .query_row("SELECT state FROM jobs WHERE id = ?1", [id.0.as_bytes()], |r| r.get(0))
            .optional()?;
        let Some(state) = state.and_then(|s| s.parse::<JobState>().ok()) else { return Ok(None) };
        let outcome = match state {
            JobState::Queued => {
                tx.execute(
                    "UPDATE jobs SET state = 'cancelled', finished_at = ?2, error = 'cancelled before it started',
                            error_code = NULL, end_code = 'cancelled_before_start'
                     WHERE id = ?1",
                    params![id.0.as_bytes(), now as i64],
                )?;
                CancelOutcome::Cancelled
            }
            JobState::Running => {
                tx.execute("UPDATE jobs SET cancel_requested = 1 WHERE id = ?1", [id.0.as_bytes()])?;
                CancelOutcome::Requested
            }
            done => CancelOutcome::AlreadyFinished(done),
        };
        tx.commit()?;
        Ok(Some(outcome))
    }

    /// Queues a failed or cancelled job again, with its attempts reset.
    pub fn retry(&mut self, id: JobId, now: u64) -> Result<Option<RetryOutcome>> {
        let tx = self.write()?;
        let state: Option<String> = tx
            .query_row("SELECT state FROM jobs WHERE id = ?1", [id.0.as_bytes()], |r| r.get(0))
            .optional()?;
        let Some(state) = state.and_then(|s| s.parse::<JobState>().ok()) else { return Ok(None) };
        let outcome = match state {
            JobState::Failed | JobState::Cancelled => {
                tx.execute(
                    "UPDATE jobs SET state = 'queued', attempts = 0, run_after = ?2, started_at = NULL,
                            finished_at = NULL, result = NULL, error = NULL, error_chain = NULL,
                            error_code = NULL, cancel_requested = 0, end_code = NULL
                     WHERE id = ?1",
                    params![id.0.as_bytes(), now as i64],
                )?;
                RetryOutcome::Queued
            }
            other => RetryOutcome::NotRetryable(other),
        };
        tx.commit()?;
        Ok(Some(outcome))
    }

    /// Crash recovery: jobs left `running` by a process that stopped go back to the queue, with
    /// a log line saying so; those that had been asked to stop are cancelled instead of being
    /// started again. Call only while holding the worker lock. Returns the jobs queued again.
    pub fn requeue_running(&mut self, now: u64) -> Result<Vec<JobId>> {
        let tx = self.write()?;
        let ids: Vec<JobId> = tx
            .prepare("SELECT id FROM jobs WHERE state = 'running' AND cancel_requested = 0")?
            .query_map([], |r| uuid_of(r, 0).map(JobId))?
            .collect::<rusqlite::Result<_>>()?;
        tx.execute(
            "INSERT INTO job_logs (job_id, seq, at, level, message)
             SELECT id, (SELECT coalesce(max(seq), 0) + 1 FROM job_logs l WHERE l.job_id = jobs.id), ?1, 'warn',
                    CASE cancel_requested
                        WHEN 1 THEN 'Vitrina stopped while this job ran; it had been asked to stop, so it stays cancelled'
                        ELSE 'Vitrina stopped while this job ran; it was queued again and resumes'
                    END
             FROM jobs WHERE state = 'running'",
            [now as i64],
        )?;
        tx.execute(
            "UPDATE jobs SET state = 'cancelled', finished_at = ?1, error = 'cancelled on request',
                    error_code = NULL, cancel_requested = 0, end_code = 'cancelled_on_request'
             WHERE state = 'running' AND cancel_requested = 1",
            [now as i64],
        )?;
        tx.execute(
            "UPDATE jobs SET state = 'queued', run_after = ?1, started_at = NULL WHERE state = 'running'",
            [now as i64],
        )?;
        tx.commit()?;
        Ok(ids)
    }

    /// When the next queued job becomes ready (it may be in the past).
    pub fn next_ready_at(&self) -> Result<Option<u64>> {
        let at: Option<i64> = self.conn.query_row(
            "SELECT min(run_after) FROM jobs INDEXED BY jobs_ready WHERE state = 'queued'",
            [],
            |r| r.get(0),
        )?;
        Ok(u64_of(at))
    }

    /// (queued, running) counts.
    pub fn pending(&self) -> Result<(u64, u64)> {
        Ok(self.conn.query_row(
            "SELECT count(*) FILTER (WHERE state = 'queued'), count(*) FILTER (WHERE state = 'running')
             FROM jobs WHERE state IN ('queued', 'running')",
            [],
            |r| Ok((r.get::<_, i64>(0)? as u64, r.get::<_, i64>(1)? as u64)),
        )?)
    }

    /// Deletes finished jobs (with their logs) that ended before `before`; returns how many.
    pub fn purge_finished(&mut self, before: u64) -> Result<u64> {
        let tx = self.write()?;
        let n = tx.execute(
            "DELETE FROM jobs WHERE finished_at IS NOT NULL AND finished_at < ?1
               AND state IN ('succeeded', 'failed', 'cancelled')",
            [before as i64],
        )?;
        tx.commit()?;
        Ok(n as u64)
    }

    /// Adds a schedule; `None` when the name is taken.
    pub fn add_schedule(&mut self, s: &NewSchedule, now: u64) -> Result<Option<ScheduleRecord>> {
        let tx = self.write()?;
        let taken: bool =
            tx.query_row("SELECT count(*) > 0 FROM schedules WHERE name = ?1", [&s.name], |r| r.get(0))?;
        if taken {
            return Ok(None);
        }
        let (every, cron) = match &s.cadence {
            Cadence::Every(ms) => (Some(*ms as i64), None),
            Cadence::Cron(expr) => (None, Some(expr.as_str())),
        };
        tx.execute(
            "INSERT INTO schedules (id, name, kind, payload, every_ms, cron, enabled, max_attempts,
                                    concurrency_key, created_at, next_run_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
            params![
                Uuid::now_v7().as_bytes(),
                s.name.trim(),
                s.kind,
                s.payload.to_string(),
                every,
                cron,
                s.enabled,
                s.max_attempts.max(1),
                s.concurrency_key,
                now as i64,
                s.next_run_at as i64,
            ],
        )?;
        tx.commit()?;
        self.schedule(s.name.trim())
    }

    pub fn schedules(&self) -> Result<Vec<ScheduleRecord>> {
        let rows = self
            .conn
            .prepare_cached(&format!(
                "SELECT {SCHEDULE_COLUMNS} FROM schedules s LEFT JOIN jobs j ON j.id = s.last_job_id
                 ORDER BY s.name"
            ))?
            .query_map([], schedule_from_row)?
            .collect::<rusqlite::Result<_>>()?;
        Ok(rows)
    }

    pub fn schedule(&self, name: &str) -> Result<Option<ScheduleRecord>> {
        Ok(self
            .conn
            .prepare_cached(&format!(
                "SELECT {SCHEDULE_COLUMNS} FROM schedules s LEFT JOIN jobs j ON j.id = s.last_job_id
                 WHERE s.name = ?1"
            ))?
            .query_row([name.trim()], schedule_from_row)
            .optional()?)
    }

    /// Returns whether a schedule of that name existed.
    pub fn remove_schedule(&mut self, name: &str) -> Result<bool> {
        Ok(self.conn.execute("DELETE FROM schedules WHERE name = ?1", [name.trim()])? > 0)
    }

    /// Enables (with its next tick) or disables a schedule; whether it existed.
    pub fn set_schedule_enabled(
        &mut self,
        name: &str,
        enabled: bool,
        next_run_at: Option<u64>,
    ) -> Result<bool> {
        Ok(self.conn.execute(
            "UPDATE schedules SET enabled = ?2, next_run_at = coalesce(?3, next_run_at) WHERE name = ?1",
            params![name.trim(), enabled, next_run_at.map(|v| v as i64)],
        )? > 0)
    }

    /// Enabled schedules whose next tick is at or before `now`.
    pub fn due_schedules(&self, now: u64) -> Result<Vec<ScheduleRecord>> {
        let rows = self
            .conn
            .prepare_cached(&format!(
                "SELECT {SCHEDULE_COLUMNS} FROM schedules s LEFT JOIN jobs j ON j.id = s.last_job_id
                 WHERE s.enabled = 1 AND s.next_run_at <= ?1 ORDER BY s.next_run_at"
            ))?
            .query_map([now as i64], schedule_from_row)?
            .collect::<rusqlite::Result<_>>()?;
        Ok(rows)
    }

    /// The earliest next tick of an enabled schedule.
    pub fn next_schedule_at(&self) -> Result<Option<u64>> {
        let at: Option<i64> =
            self.conn
                .query_row("SELECT min(next_run_at) FROM schedules WHERE enabled = 1", [], |r| r.get(0))?;
        Ok(u64_of(at))
    }

    /// One due tick: enqueues the schedule's job unless the job of an earlier tick is still
    /// queued or running, and moves the schedule to `next_run_at` either way.
    pub fn fire_schedule(&mut self, s: &ScheduleRecord, now: u64, next_run_at: u64) -> Result<FireOutcome> {
        let tx = self.write()?;
        let active: Option<[u8; 16]> = tx
            .query_row(
                "SELECT j.id FROM schedules s JOIN jobs j ON j.id = s.last_job_id
                 WHERE s.id = ?1 AND j.state IN ('queued', 'running')",
                [s.id.0.as_bytes()],
                |r| r.get(0),
            )
            .optional()?;
        let outcome = match active {
            Some(bytes) => {
                tx.execute(
                    "UPDATE schedules SET next_run_at = ?2 WHERE id = ?1",
                    params![s.id.0.as_bytes(), next_run_at as i64],
                )?;
                FireOutcome::StillRunning(JobId(Uuid::from_bytes(bytes)))
            }
            None => {
                let job = insert_job(&tx, &s.job(), Some(s.id), now)?;
                tx.execute(
                    "UPDATE schedules SET next_run_at = ?2, last_run_at = ?3, last_job_id = ?4 WHERE id = ?1",
                    params![s.id.0.as_bytes(), next_run_at as i64, now as i64, job.0.as_bytes()],
                )?;
                FireOutcome::Enqueued(job)
            }
        };
        tx.commit()?;
        Ok(outcome)
    }
}

fn set_progress(tx: &Connection, id: JobId, p: &Progress) -> Result<()> {
    tx.prepare_cached(
        "UPDATE jobs SET progress_done = ?2, progress_total = ?3, progress_message = ?4, progress_stage = ?5
         WHERE id = ?1",
    )?
    .execute(params![id.0.as_bytes(), p.done as i64, p.total.map(|t| t as i64), p.message, p.stage])?;
    Ok(())
}
