//! Vitrina's background jobs (DESIGN §5): every long task — imports, exports, publishing,
//! moderation, sync, notifications — runs as a job.
//!
//! A job is a row in the queue's own SQLite file next to the catalog (see `store`), so it
//! survives restarts and no job operation ever waits for a long catalog transaction. A
//! [`Runner`] on tokio runs the handlers registered by kind in a [`Registry`], within limits
//! per kind and per concurrency key; a handler gets a [`JobCtx`] with progress reporting, a
//! cancellation token, a stored log and the application context. Listeners hear coalesced
//! [`JobEvent`]s. Transient failures are retried with back-off and jitter; on start-up, jobs a
//! crash left running are queued again, so handlers must be idempotent (commit work in
//! batches together with a record of the batch). Schedules (intervals or cron) enqueue jobs,
//! skipping missed ticks and never starting a second copy of a job still running. A [`Queue`]
//! is the synchronous API front ends use to enqueue, inspect, cancel and retry.
//!
//! This crate knows nothing about IPC, JSON DTOs for the UI, or what a job does: handlers are
//! registered by `vitrina-app`.

pub mod bench;
mod context;
mod error;
mod events;
mod lock;
mod queue;
mod registry;
mod runner;
pub mod schedule;
pub mod store;

pub use context::{JobCtx, JobLog, MAX_LOG_LINES, Reporter};
pub use error::{Classify, ErrorClass, JobError, JobsError, Result};
pub use events::JobEvent;
pub use lock::WorkerLock;
pub use queue::{Queue, ScheduleSpec};
pub use registry::{JobPayload, KindOptions, Registry};
pub use runner::{Runner, RunnerHandle, RunnerOptions, Waker, backoff};
pub use schedule::CronZone;
pub use store::{
    Cadence, CancelOutcome, FireOutcome, JobEnd, JobId, JobQuery, JobRecord, JobState, JobStore, LogLevel,
    LogLine, MIGRATIONS, NewJob, Progress, ScheduleId, ScheduleRecord, queue_path,
};
