//! Errors: [`JobsError`] for callers of the queue, [`JobError`] for what a handler returns.

use std::fmt;
use std::path::PathBuf;

use serde::Serialize;
use vitrina_store::StoreError;

use crate::store::{JobId, JobState};

/// What can go wrong with the job queue, worded for the person who will read it.
#[derive(Debug, thiserror::Error)]
pub enum JobsError {
    /// The catalog (only reached when a queue moves out of an older catalog).
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("the job queue's database failed: {0}")]
    Sql(#[from] rusqlite::Error),
    #[error("cannot open the job queue {}: {reason}", path.display())]
    QueueFile { path: PathBuf, reason: String },
    #[error("there is no job kind \"{kind}\" (known kinds: {known})")]
    UnknownKind { kind: String, known: String },
    #[error("the payload of a {kind} job is not valid: {reason}")]
    BadPayload { kind: String, reason: String },
    #[error("no job matches \"{0}\"; `vitrina jobs list` shows the ids")]
    JobNotFound(String),
    #[error("\"{0}\" matches several jobs; give more of the id")]
    AmbiguousJob(String),
    #[error("job {id} is {state}; only failed or cancelled jobs can be retried")]
    NotRetryable { id: JobId, state: JobState },
    #[error("no schedule is named \"{0}\"; `vitrina schedules list` shows them")]
    ScheduleNotFound(String),
    #[error("a schedule named \"{0}\" already exists; remove it first or pick another name")]
    ScheduleExists(String),
    #[error("the cron expression \"{expr}\" is not valid: {reason}")]
    BadCron { expr: String, reason: String },
    #[error("\"{0}\" is not an interval; write it like 30s, 15m, 2h or 1d")]
    BadInterval(String),
    #[error("{0}")]
    Invalid(String),
    #[error(
        "another Vitrina process is already running the jobs of {} (the desktop app or `vitrina worker`); it will run queued jobs",
        path.display()
    )]
    WorkerBusy { path: PathBuf },
    #[error("cannot use the worker lock file {}: {source}", path.display())]
    Lock { path: PathBuf, source: std::io::Error },
    #[error("the job runner stopped unexpectedly: {0}")]
    Runner(String),
}

pub type Result<T, E = JobsError> = std::result::Result<T, E>;

/// Whether trying again may help.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ErrorClass {
    /// A network blip, a busy service, a lock: retried with back-off up to the job's attempts.
    Transient,
    /// Bad input, a refusal, a bug: retrying gives the same answer, so the job fails now.
    Permanent,
    /// The handler stopped because it was asked to.
    Cancelled,
}

/// Why a handler's run did not succeed: a message for people, the causes beneath it
/// (outermost first), whether a retry may help, and optionally a stable code for the reason
/// (`file_missing`, `timeout`, …) that the front ends word in the person's language.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JobError {
    pub class: ErrorClass,
    pub message: String,
    pub chain: Vec<String>,
    pub code: Option<String>,
}

impl JobError {
    /// The code of a handler that panicked.
    pub const HANDLER_CRASHED: &'static str = "handler_crashed";
    /// The code of a job whose kind this version of Vitrina has no handler for.
    pub const UNKNOWN_KIND: &'static str = "unknown_kind";

    pub fn transient(message: impl fmt::Display) -> Self {
        JobError { class: ErrorClass::Transient, message: message.to_string(), chain: Vec::new(), code: None }
    }

    pub fn permanent(message: impl fmt::Display) -> Self {
        JobError { class: ErrorClass::Permanent, message: message.to_string(), chain: Vec::new(), code: None }
    }

    pub fn cancelled() -> Self {
        JobError { class: ErrorClass::Cancelled, message: "cancelled".into(), chain: Vec::new(), code: None }
    }

    /// The error's own text as the message, its sources as the chain.
    pub fn from_error(class: ErrorClass, err: &(dyn std::error::Error + 'static)) -> Self {
        let mut chain = Vec::new();
        let mut source = err.source();
        while let Some(e) = source {
            chain.push(e.to_string());
            source = e.source();
        }
        JobError { class, message: err.to_string(), chain, code: None }
    }

    /// Names the reason with a stable code, stored with the failure.
    pub fn with_code(mut self, code: impl Into<String>) -> Self {
        self.code = Some(code.into());
        self
    }

    /// Wraps in a higher-level message; the old message becomes the first cause.
    pub fn context(mut self, message: impl fmt::Display) -> Self {
        self.chain.insert(0, std::mem::replace(&mut self.message, message.to_string()));
        self
    }

    pub fn is_transient(&self) -> bool {
        self.class == ErrorClass::Transient
    }
}

impl fmt::Display for JobError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)?;
        for cause in &self.chain {
            write!(f, ": {cause}")?;
        }
        Ok(())
    }
}

impl std::error::Error for JobError {}

/// Classifies any error result for a handler: `store.load().transient()?`.
pub trait Classify<T> {
    fn transient(self) -> Result<T, JobError>;
    fn permanent(self) -> Result<T, JobError>;
}

impl<T, E: std::error::Error + 'static> Classify<T> for Result<T, E> {
    fn transient(self) -> Result<T, JobError> {
        self.map_err(|e| JobError::from_error(ErrorClass::Transient, &e))
    }

    fn permanent(self) -> Result<T, JobError> {
        self.map_err(|e| JobError::from_error(ErrorClass::Permanent, &e))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, thiserror::Error)]
    #[error("outer")]
    struct Outer(#[source] Inner);
    #[derive(Debug, thiserror::Error)]
    #[error("inner")]
    struct Inner;

    #[test]
    fn the_cause_chain_is_kept_outermost_first() {
        let e = Err::<(), _>(Outer(Inner)).transient().unwrap_err();
        assert_eq!((e.message.as_str(), e.chain.clone()), ("outer", vec!["inner".to_string()]));
        assert!(e.is_transient());
        let e = e.context("importing supplier A");
        assert_eq!(e.to_string(), "importing supplier A: outer: inner");
    }
}
