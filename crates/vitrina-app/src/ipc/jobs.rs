//! The job queue's DTOs beyond the window's list and pulse (`JobDto`, `JobLogDto` in `mod.rs`):
//! one job in full, what a cancel did, the kinds, schedules, and the worker's events. The CLI's
//! `vitrina jobs …`, `vitrina schedules …` and `vitrina worker --json` print these.

use serde::{Deserialize, Serialize};
use serde_json::Value;
use ts_rs::TS;

use super::{JobDto, JobLogDto, JobStage, JobStateDto};
use crate::jobs::{
    CancelOutcome, CancelView, FireOutcome, JobDetail, JobEvent, JobRecord, KindView, ScheduleView,
};

/// One job in full: the job as lists show it, what it was asked to do and what it reported,
/// its latest log lines and the jobs it started.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct JobDetailDto {
    pub job: JobDto,
    /// The kind's payload, as queued.
    #[ts(type = "unknown")]
    pub payload: Value,
    /// The summary a successful run reported (its shape is the kind's).
    #[ts(type = "unknown")]
    pub result: Option<Value>,
    /// The causes beneath `job.error`, outermost first.
    pub error_chain: Vec<String>,
    /// Not before this time (UTC ms): a retry's back-off.
    #[ts(type = "number")]
    pub run_after: u64,
    pub concurrency_key: Option<String>,
    /// The job that queued this one.
    pub parent: Option<String>,
    /// The schedule that queued it.
    pub schedule: Option<String>,
    /// The latest lines, oldest first.
    pub logs: Vec<JobLogDto>,
    pub children: Vec<JobDto>,
}

/// What asking a job to stop did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum CancelOutcomeDto {
    /// It was waiting: cancelled at once.
    Cancelled,
    /// It is running: asked to stop at its next check.
    Requested,
    /// It had already ended (`job.state` says how).
    AlreadyFinished,
}

/// A cancel: the job as it is now, what the request did, and that in English.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct JobCancelDto {
    pub job: JobDto,
    pub outcome: CancelOutcomeDto,
    pub message: String,
}

/// A kind of job this Vitrina runs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct JobKindDto {
    pub kind: String,
    pub description: String,
    /// At most this many run at once.
    pub concurrency: u32,
    pub max_attempts: u32,
}

/// When a schedule queues its job.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum CadenceDto {
    /// Every so many milliseconds.
    Every {
        #[ts(type = "number")]
        ms: u64,
    },
    /// A cron expression, in local time.
    Cron { expression: String },
}

/// A schedule with its last and next run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct ScheduleDto {
    pub id: String,
    pub name: String,
    /// The kind of job it queues.
    pub kind: String,
    #[ts(type = "unknown")]
    pub payload: Value,
    pub cadence: CadenceDto,
    /// The cadence in English: `every 6h`, `30 2 * * * (at 02:30 every day)`.
    pub cadence_text: String,
    pub enabled: bool,
    pub max_attempts: u32,
    pub concurrency_key: Option<String>,
    #[ts(type = "number")]
    pub created_at: u64,
    #[ts(type = "number | null")]
    pub last_run_at: Option<u64>,
    #[ts(type = "number | null")]
    pub next_run_at: Option<u64>,
    /// The job its last tick queued, and how that job stands.
    pub last_job: Option<String>,
    pub last_job_state: Option<JobStateDto>,
}

/// What a worker heard (`vitrina worker --json` prints one per line; progress is left out).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(tag = "event", rename_all = "snake_case")]
pub enum WorkerEventDto {
    /// A schedule or a handler queued a job.
    Queued {
        id: String,
        kind: String,
    },
    Started {
        id: String,
        kind: String,
        attempt: u32,
    },
    Progress {
        id: String,
        kind: String,
        #[ts(type = "number")]
        done: u64,
        #[ts(type = "number | null")]
        total: Option<u64>,
        stage: Option<JobStage>,
        message: Option<String>,
    },
    Log {
        id: String,
        line: JobLogDto,
    },
    /// A transient failure: it runs again at `run_after` (UTC ms).
    Retrying {
        id: String,
        kind: String,
        attempt: u32,
        #[ts(type = "number")]
        run_after: u64,
        error: String,
    },
    /// The worker stopped while it ran: it is back in the queue.
    Requeued {
        id: String,
        kind: String,
    },
    Finished {
        id: String,
        kind: String,
        state: JobStateDto,
        #[ts(type = "unknown")]
        result: Option<Value>,
        error: Option<String>,
    },
    /// A schedule's tick: it queued `job`, or skipped because `job` (its last) still runs.
    ScheduleTick {
        schedule: String,
        job: String,
        still_running: bool,
    },
}

// ---- conversions ----

impl From<&JobDetail> for JobDetailDto {
    fn from(d: &JobDetail) -> Self {
        let j: &JobRecord = &d.job;
        JobDetailDto {
            job: j.into(),
            payload: j.payload.clone(),
            result: j.result.clone(),
            error_chain: j.error_chain.clone(),
            run_after: j.run_after,
            concurrency_key: j.concurrency_key.clone(),
            parent: j.parent.map(|p| p.to_string()),
            schedule: j.schedule.map(|s| s.to_string()),
            logs: d.logs.iter().map(JobLogDto::from).collect(),
            children: d.children.iter().map(JobDto::from).collect(),
        }
    }
}

impl JobCancelDto {
    /// `job` is the job as it is after the request.
    pub fn new(view: &CancelView, job: &JobRecord) -> Self {
        JobCancelDto {
            job: job.into(),
            outcome: match view.outcome {
                CancelOutcome::Cancelled => CancelOutcomeDto::Cancelled,
                CancelOutcome::Requested => CancelOutcomeDto::Requested,
                CancelOutcome::AlreadyFinished(_) => CancelOutcomeDto::AlreadyFinished,
            },
            message: view.message.clone(),
        }
    }
}

impl From<&KindView> for JobKindDto {
    fn from(k: &KindView) -> Self {
        JobKindDto {
            kind: k.kind.clone(),
            description: k.description.clone(),
            concurrency: u32::try_from(k.concurrency).unwrap_or(u32::MAX),
            max_attempts: k.max_attempts,
        }
    }
}

impl From<&ScheduleView> for ScheduleDto {
    fn from(v: &ScheduleView) -> Self {
        let s = &v.schedule;
        ScheduleDto {
            id: s.id.to_string(),
            name: s.name.clone(),
            kind: s.kind.clone(),
            payload: s.payload.clone(),
            cadence: match &s.cadence {
                vitrina_jobs::Cadence::Every(ms) => CadenceDto::Every { ms: *ms },
                vitrina_jobs::Cadence::Cron(expression) => {
                    CadenceDto::Cron { expression: expression.clone() }
                }
            },
            cadence_text: v.cadence_text.clone(),
            enabled: s.enabled,
            max_attempts: s.max_attempts,
            concurrency_key: s.concurrency_key.clone(),
            created_at: s.created_at,
            last_run_at: s.last_run_at,
            next_run_at: s.next_run_at,
            last_job: s.last_job.map(|j| j.to_string()),
            last_job_state: s.last_job_state.map(Into::into),
        }
    }
}

impl From<&JobEvent> for WorkerEventDto {
    fn from(e: &JobEvent) -> Self {
        match e {
            JobEvent::Queued { id, kind } => {
                WorkerEventDto::Queued { id: id.to_string(), kind: kind.clone() }
            }
            JobEvent::Started { id, kind, attempt } => {
                WorkerEventDto::Started { id: id.to_string(), kind: kind.clone(), attempt: *attempt }
            }
            JobEvent::Progress { id, kind, progress } => WorkerEventDto::Progress {
                id: id.to_string(),
                kind: kind.clone(),
                done: progress.done,
                total: progress.total,
                stage: progress.stage.as_deref().and_then(JobStage::parse),
                message: progress.message.clone(),
            },
            JobEvent::Log { id, line } => WorkerEventDto::Log { id: id.to_string(), line: line.into() },
            JobEvent::Retrying { id, kind, attempt, run_after, error } => WorkerEventDto::Retrying {
                id: id.to_string(),
                kind: kind.clone(),
                attempt: *attempt,
                run_after: *run_after,
                error: error.clone(),
            },
            JobEvent::Requeued { id, kind } => {
                WorkerEventDto::Requeued { id: id.to_string(), kind: kind.clone() }
            }
            JobEvent::Finished { id, kind, state, result, error, .. } => WorkerEventDto::Finished {
                id: id.to_string(),
                kind: kind.clone(),
                state: (*state).into(),
                result: result.clone(),
                error: error.clone(),
            },
            JobEvent::ScheduleTick { schedule, outcome } => {
                let (job, still_running) = match outcome {
                    FireOutcome::Enqueued(id) => (id, false),
                    FireOutcome::StillRunning(id) => (id, true),
                };
                WorkerEventDto::ScheduleTick {
                    schedule: schedule.clone(),
                    job: job.to_string(),
                    still_running,
                }
            }
        }
    }
}
