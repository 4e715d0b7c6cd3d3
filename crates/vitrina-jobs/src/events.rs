//! What listeners hear while jobs run. Progress is coalesced: at most one `Progress` per job
//! per progress interval (100 ms by default), however often the handler reports.

use crate::store::{FireOutcome, JobId, JobState, LogLine, Progress};
use serde::Serialize;
use serde_json::Value;

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "event", rename_all = "snake_case")]
pub enum JobEvent {
    /// A schedule or a handler queued a job.
    Queued {
        id: JobId,
        kind: String,
    },
    Started {
        id: JobId,
        kind: String,
        attempt: u32,
    },
    Progress {
        id: JobId,
        kind: String,
        progress: Progress,
    },
    Log {
        id: JobId,
        line: LogLine,
    },
    /// A transient failure: the job runs again at `run_after` (UTC ms).
    Retrying {
        id: JobId,
        kind: String,
        attempt: u32,
        run_after: u64,
        error: String,
    },
    /// The runner stopped while the job ran: it is back in the queue.
    Requeued {
        id: JobId,
        kind: String,
    },
    Finished {
        id: JobId,
        kind: String,
        state: JobState,
        progress: Progress,
        result: Option<Value>,
        error: Option<String>,
    },
    /// A schedule's tick came: it queued a job or skipped because the last one still runs.
    ScheduleTick {
        schedule: String,
        outcome: FireOutcome,
    },
}

impl JobEvent {
    /// The job the event is about.
    pub fn job(&self) -> Option<JobId> {
        match self {
            JobEvent::Queued { id, .. }
            | JobEvent::Started { id, .. }
            | JobEvent::Progress { id, .. }
            | JobEvent::Log { id, .. }
            | JobEvent::Retrying { id, .. }
            | JobEvent::Requeued { id, .. }
            | JobEvent::Finished { id, .. } => Some(*id),
            JobEvent::ScheduleTick { .. } => None,
        }
    }
}
