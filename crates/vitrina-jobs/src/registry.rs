//! Handlers by kind: what runs a `catalog.reprice` job, how many may run at once, and how its
//! payload is checked.

use std::collections::BTreeMap;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::Value;

use crate::context::JobCtx;
use crate::error::{JobError, JobsError, Result};

pub(crate) type BoxFuture<T> = Pin<Box<dyn Future<Output = T> + Send>>;
type RunFn<C> = dyn Fn(JobCtx<C>) -> BoxFuture<Result<Value, JobError>> + Send + Sync;
type CheckFn = dyn Fn(&Value) -> std::result::Result<(), String> + Send + Sync;
/// A recovery step: returns how many things it put right, or why it could not.
type RecoverFn<C> = dyn Fn(&C) -> std::result::Result<u64, String> + Send + Sync;

/// A job kind's payload: one type that the code queueing the job serializes and the handler
/// deserializes, named by its kind. Queue one with [`NewJob::of`], register its handler with
/// [`Registry::register_kind`].
pub trait JobPayload: Serialize + DeserializeOwned + Send + 'static {
    /// The kind's name, stored with each job (`import.supplier`).
    const KIND: &'static str;
}

/// How a kind of job runs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct KindOptions {
    /// What it does, for people.
    pub description: String,
    /// At most this many jobs of the kind run at once.
    pub concurrency: usize,
    /// Attempts a job of this kind gets by default (transient failures are retried).
    pub max_attempts: u32,
}

impl KindOptions {
    /// One at a time, three attempts.
    pub fn new(description: impl Into<String>) -> Self {
        KindOptions { description: description.into(), concurrency: 1, max_attempts: 3 }
    }

    pub fn concurrency(mut self, n: usize) -> Self {
        self.concurrency = n.max(1);
        self
    }

    pub fn attempts(mut self, n: u32) -> Self {
        self.max_attempts = n.max(1);
        self
    }
}

pub(crate) struct Kind<C> {
    pub opts: KindOptions,
    pub run: Arc<RunFn<C>>,
    check: Arc<CheckFn>,
}

/// The handlers a runner knows, by kind. `C` is the application context every handler gets.
pub struct Registry<C> {
    kinds: BTreeMap<String, Kind<C>>,
    recover: Vec<(String, Arc<RecoverFn<C>>)>,
}

impl<C> std::fmt::Debug for Registry<C> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Registry").field("kinds", &self.kinds.keys().collect::<Vec<_>>()).finish()
    }
}

impl<C> Default for Registry<C> {
    fn default() -> Self {
        Registry { kinds: BTreeMap::new(), recover: Vec::new() }
    }
}

impl<C: Send + Sync + 'static> Registry<C> {
    pub fn new() -> Self {
        Self::default()
    }

    /// Registers `handler` for `kind`. The payload is parsed into `P` before the handler runs;
    /// a payload that does not parse fails the job at once (no retries) with the reason.
    pub fn register<P, S, F, Fut>(&mut self, kind: &str, opts: KindOptions, handler: F) -> &mut Self
    where
        P: DeserializeOwned + Send + 'static,
        S: Serialize,
        F: Fn(JobCtx<C>, P) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Result<S, JobError>> + Send + 'static,
    {
        let handler = Arc::new(handler);
        let name = kind.to_string();
        let run = move |ctx: JobCtx<C>| -> BoxFuture<Result<Value, JobError>> {
            let payload = match P::deserialize(&ctx.payload) {
                Ok(p) => p,
                Err(e) => {
                    let err = JobError::permanent(format!("the payload of a {name} job is not valid: {e}"));
                    return Box::pin(async move { Err(err) });
                }
            };
            let fut = handler(ctx, payload);
            Box::pin(async move {
                let summary = fut.await?;
                serde_json::to_value(summary)
                    .map_err(|e| JobError::permanent(format!("the job's summary cannot be stored: {e}")))
            })
        };
        let check = |v: &Value| P::deserialize(v).map(|_| ()).map_err(|e| e.to_string());
        self.kinds.insert(kind.to_string(), Kind { opts, run: Arc::new(run), check: Arc::new(check) });
        self
    }

    /// Registers a step the runner takes when it starts, holding the worker lock, before any
    /// job runs: the place for a module to put right what a crash left behind in its own data
    /// (supplier import runs left `running`, for example). `what` names it in the log.
    pub fn on_recover<F>(&mut self, what: &str, step: F) -> &mut Self
    where
        F: Fn(&C) -> std::result::Result<u64, String> + Send + Sync + 'static,
    {
        self.recover.push((what.to_string(), Arc::new(step)));
        self
    }

    /// Runs the recovery steps; one that fails is logged and the others still run.
    pub(crate) fn recover(&self, app: &C) {
        for (what, step) in &self.recover {
            match step(app) {
                Ok(0) => {}
                Ok(n) => tracing::warn!("recovery: {what}: {n}"),
                Err(e) => tracing::warn!("recovery: {what} failed: {e}"),
            }
        }
    }

    /// Registers `handler` for the kind of payload `P`.
    pub fn register_kind<P, S, F, Fut>(&mut self, opts: KindOptions, handler: F) -> &mut Self
    where
        P: JobPayload,
        S: Serialize,
        F: Fn(JobCtx<C>, P) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Result<S, JobError>> + Send + 'static,
    {
        self.register(P::KIND, opts, handler)
    }

    pub(crate) fn get(&self, kind: &str) -> Option<&Kind<C>> {
        self.kinds.get(kind)
    }

    /// The registered kinds, sorted by name.
    pub fn kinds(&self) -> impl Iterator<Item = (&str, &KindOptions)> {
        self.kinds.iter().map(|(k, v)| (k.as_str(), &v.opts))
    }

    /// "a, b, c" — for error messages.
    pub fn known(&self) -> String {
        self.kinds.keys().cloned().collect::<Vec<_>>().join(", ")
    }

    /// Refuses an unknown kind or a payload its handler would not accept.
    pub fn check(&self, kind: &str, payload: &Value) -> Result<&KindOptions> {
        let k = self
            .kinds
            .get(kind)
            .ok_or_else(|| JobsError::UnknownKind { kind: kind.to_string(), known: self.known() })?;
        (k.check)(payload).map_err(|reason| JobsError::BadPayload { kind: kind.to_string(), reason })?;
        Ok(&k.opts)
    }
}
