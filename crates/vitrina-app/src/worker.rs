//! Running a catalog's jobs in this process: a [`Worker`] with a tokio runtime of its own (the
//! CLI: `vitrina worker`, `vitrina jobs wait`, and [`Jobs::wait`]), or a [`SpawnedWorker`] on a
//! runtime the caller already has (the desktop passes Tauri's), which creates no runtime.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use serde::Serialize;
use tokio::sync::broadcast;
use vitrina_jobs::{CronZone, JobsError, Runner, RunnerHandle, RunnerOptions};

use crate::error::{AppError, AppResult, ErrorCode};
use crate::jobs::{JobEvent, JobId, JobRecord, JobState, Jobs, JobsContext};

/// How a worker runs.
#[derive(Debug, Clone)]
pub struct WorkerOptions {
    pub schedules: bool,
    /// Finished jobs are kept this many days (0: forever).
    pub keep_days: u32,
    pub max_running: usize,
    /// Run only this job (a command waiting on its own job).
    pub only: Option<JobId>,
}

impl Default for WorkerOptions {
    fn default() -> Self {
        WorkerOptions { schedules: true, keep_days: 30, max_running: 8, only: None }
    }
}

impl Jobs {
    /// Starts running jobs in this process, on a tokio runtime of its own. Fails with a
    /// `conflict` when another process (the desktop app, `vitrina worker`) already runs this
    /// catalog's jobs.
    pub fn start_worker(&self, opts: &WorkerOptions) -> AppResult<Worker> {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .thread_name("vitrina-jobs")
            .enable_all()
            .build()
            .map_err(|e| AppError::new(ErrorCode::Internal, format!("cannot start the job runtime: {e}")))?;
        let handle = runtime.block_on(self.runner(opts)?.start())?;
        self.remember_waker(&handle, opts);
        let path = self.path().to_path_buf();
        Ok(Worker { runtime, handle: Some(handle), path })
    }

    /// Starts running jobs in this process on `runtime`, a tokio runtime the caller owns (the
    /// desktop passes Tauri's): no runtime is created. Every event goes to `on_event`, in
    /// order, on a task of that runtime, so it should be quick (record and return). Fails with
    /// a `conflict` as [`Jobs::start_worker`] does.
    ///
    /// Call it from a thread that is not one of the runtime's: it waits for the runner to
    /// start (the worker lock, re-queueing what a stopped process left running).
    pub fn spawn_worker(
        &self,
        runtime: &tokio::runtime::Handle,
        opts: &WorkerOptions,
        mut on_event: impl FnMut(&JobEvent) + Send + 'static,
    ) -> AppResult<SpawnedWorker> {
        let runner = self.runner(opts)?;
        // Subscribed before the start, so not even the first event is missed.
        let mut events = runner.subscribe();
        let handle = runtime.block_on(runner.start())?;
        self.remember_waker(&handle, opts);
        let forward = runtime.spawn(async move {
            loop {
                match events.recv().await {
                    Ok(e) => on_event(&e),
                    Err(broadcast::error::RecvError::Lagged(missed)) => {
                        tracing::warn!(missed, "job events were dropped: the listener fell behind");
                    }
                    Err(broadcast::error::RecvError::Closed) => return,
                }
            }
        });
        handle.wake();
        Ok(SpawnedWorker { runtime: runtime.clone(), handle: Some(handle), forward: Some(forward) })
    }

    fn runner(&self, opts: &WorkerOptions) -> AppResult<Runner<JobsContext>> {
        let runner_opts = RunnerOptions {
            schedules: opts.schedules,
            only: opts.only,
            max_running: opts.max_running.max(1),
            keep_finished: (opts.keep_days > 0)
                .then(|| Duration::from_secs(u64::from(opts.keep_days) * 86_400)),
            cron_zone: CronZone::Local,
            ..Default::default()
        };
        let registry = self.queue()?.registry().clone();
        let context = Arc::new(JobsContext::new(self.path()));
        Ok(Runner::new(self.path(), registry, context).options(runner_opts))
    }

    /// Jobs queued or cancelled through this `Jobs` wake the runner (unless it runs one job).
    fn remember_waker(&self, handle: &RunnerHandle, opts: &WorkerOptions) {
        if opts.only.is_none()
            && let Ok(mut w) = self.waker.lock()
        {
            *w = Some(handle.waker());
        }
    }

    /// Waits for a job to finish, calling `on_update` as it progresses (at most ten times a
    /// second). If no other process runs this catalog's jobs, the job runs here; otherwise
    /// this follows it there. Ctrl-C stops waiting; a job running here goes back to the queue
    /// and resumes on the next start.
    pub fn wait(&self, id: &str, on_update: &mut dyn FnMut(&JobRecord)) -> AppResult<JobRecord> {
        let id = self.resolve(id)?;
        let job = self.queue()?.get(id)?;
        on_update(&job);
        if job.state.is_finished() {
            return Ok(job);
        }
        let opts = WorkerOptions { schedules: false, keep_days: 0, only: Some(id), ..Default::default() };
        match self.start_worker(&opts) {
            Ok(mut worker) => {
                let ended = || -> AppResult<bool> { Ok(self.queue()?.get(id)?.state.is_finished()) };
                worker.follow(id, job, on_update, &ended)?;
                worker.stop(Duration::from_secs(10));
            }
            Err(e) if e.code == ErrorCode::Conflict => self.poll(id, on_update)?,
            Err(e) => return Err(e),
        }
        Ok(self.queue()?.get(id)?)
    }

    /// Follows a job that another process runs, through the catalog file.
    fn poll(&self, id: JobId, on_update: &mut dyn FnMut(&JobRecord)) -> AppResult<()> {
        loop {
            let job = self.queue()?.get(id)?;
            on_update(&job);
            if job.state.is_finished() {
                return Ok(());
            }
            std::thread::sleep(Duration::from_millis(100));
        }
    }
}

/// A runner in this process with its own tokio runtime. Dropping it stops the runner (jobs
/// still running go back to the queue).
#[derive(Debug)]
pub struct Worker {
    runtime: tokio::runtime::Runtime,
    handle: Option<RunnerHandle>,
    path: PathBuf,
}

/// Why a worker's run loop ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum WorkerExit {
    Interrupted,
    Idle,
}

#[cfg(unix)]
async fn terminated() {
    match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
        Ok(mut s) => {
            s.recv().await;
        }
        Err(_) => std::future::pending().await,
    }
}

#[cfg(not(unix))]
async fn terminated() {
    std::future::pending().await
}

/// Ctrl-C or SIGTERM: a person or the system asking a process that runs jobs to stop.
pub async fn interrupted() {
    let ctrl_c = async {
        if tokio::signal::ctrl_c().await.is_err() {
            std::future::pending::<()>().await;
        }
    };
    tokio::select! {
        _ = ctrl_c => {}
        _ = terminated() => {}
    }
}

impl Worker {
    fn handle(&self) -> &RunnerHandle {
        self.handle.as_ref().expect("present until stop")
    }

    /// Jobs found `running` at start (left by a process that stopped) and queued again.
    pub fn recovered(&self) -> Vec<JobId> {
        self.handle().recovered().to_vec()
    }

    /// Runs until Ctrl-C or SIGTERM (or, with `until_idle`, until nothing is queued or
    /// running), passing every event to `on_event`.
    pub fn run(&mut self, until_idle: bool, on_event: &mut dyn FnMut(&JobEvent)) -> AppResult<WorkerExit> {
        let mut events = self.handle().subscribe();
        self.handle().wake();
        let path = self.path.clone();
        let exit = self.runtime.block_on(async {
            let mut check = tokio::time::interval(Duration::from_millis(200));
            check.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
            let mut store = None;
            loop {
                tokio::select! {
                    _ = tokio::signal::ctrl_c() => return Ok(WorkerExit::Interrupted),
                    _ = terminated() => return Ok(WorkerExit::Interrupted),
                    event = events.recv() => match event {
                        Ok(e) => on_event(&e),
                        Err(broadcast::error::RecvError::Lagged(_)) => {}
                        Err(broadcast::error::RecvError::Closed) => {
                            return Err(AppError::new(ErrorCode::Internal, "the job runner stopped unexpectedly"));
                        }
                    },
                    _ = check.tick(), if until_idle => {
                        let path = path.clone();
                        let taken = store.take();
                        let (s, pending) = tokio::task::spawn_blocking(move || {
                            let s = match taken {
                                Some(s) => s,
                                None => vitrina_jobs::JobStore::open(&path)?,
                            };
                            let p = s.pending();
                            Ok::<_, JobsError>((s, p?))
                        })
                        .await
                        .map_err(|e| AppError::new(ErrorCode::Internal, e.to_string()))??;
                        store = Some(s);
                        if pending == (0, 0) {
                            // The last job's end may still be on its way (the runner stores
                            // a job's state before it announces it): report it first.
                            while let Ok(Ok(e)) =
                                tokio::time::timeout(Duration::from_millis(100), events.recv()).await
                            {
                                on_event(&e);
                            }
                            return Ok(WorkerExit::Idle);
                        }
                    }
                }
            }
        })?;
        Ok(exit)
    }

    /// Follows one job to its end (see [`Jobs::wait`]). `ended` reads the job's state from the
    /// queue: a job that ends before this subscribes to the runner's events (a failing import
    /// can end in milliseconds) announces its end to nobody, so the queue is asked too, now and
    /// every half second.
    fn follow(
        &mut self,
        id: JobId,
        mut job: JobRecord,
        on_update: &mut dyn FnMut(&JobRecord),
        ended: &dyn Fn() -> AppResult<bool>,
    ) -> AppResult<()> {
        let mut events = self.handle().subscribe();
        self.handle().wake();
        if ended()? {
            return Ok(());
        }
        self.runtime.block_on(async {
            loop {
                tokio::select! {
                    _ = tokio::time::sleep(Duration::from_millis(500)) => if ended()? {
                        return Ok(());
                    },
                    _ = tokio::signal::ctrl_c() => return Err(AppError::new(
                        ErrorCode::Conflict,
                        format!("stopped waiting; job {id} goes back to the queue and resumes with `vitrina worker` or `vitrina jobs wait {id}`"),
                    )),
                    event = events.recv() => match event {
                        Ok(JobEvent::Started { id: j, attempt, .. }) if j == id => {
                            job.state = JobState::Running;
                            job.attempts = attempt;
                            on_update(&job);
                        }
                        Ok(JobEvent::Progress { id: j, progress, .. }) if j == id => {
                            job.progress = progress;
                            on_update(&job);
                        }
                        Ok(JobEvent::Retrying { id: j, error, run_after, .. }) if j == id => {
                            job.state = JobState::Queued;
                            job.error = Some(error);
                            job.run_after = run_after;
                            on_update(&job);
                        }
                        Ok(JobEvent::Finished { id: j, .. } | JobEvent::Requeued { id: j, .. }) if j == id => return Ok(()),
                        Ok(_) | Err(broadcast::error::RecvError::Lagged(_)) => {}
                        Err(broadcast::error::RecvError::Closed) => {
                            return Err(AppError::new(ErrorCode::Internal, "the job runner stopped unexpectedly"));
                        }
                    },
                }
            }
        })
    }

    /// Stops claiming work, asks running jobs to stop, and waits up to `grace` for them.
    pub fn stop(mut self, grace: Duration) {
        if let Some(handle) = self.handle.take() {
            self.runtime.block_on(handle.shutdown(grace));
        }
    }
}

impl Drop for Worker {
    fn drop(&mut self) {
        if let Some(handle) = self.handle.take() {
            self.runtime.block_on(handle.shutdown(Duration::from_secs(5)));
        }
    }
}

/// How long a dropped [`SpawnedWorker`] lets running jobs finish before they are stopped.
const DROP_GRACE: Duration = Duration::from_secs(5);

/// A runner on a tokio runtime the caller owns (see [`Jobs::spawn_worker`]). Stop it with
/// [`SpawnedWorker::shutdown`]; dropping it starts the same shutdown on its runtime without
/// waiting for it. Either way jobs still running go back to the queue and resume on the next
/// start.
#[derive(Debug)]
pub struct SpawnedWorker {
    runtime: tokio::runtime::Handle,
    handle: Option<RunnerHandle>,
    forward: Option<tokio::task::JoinHandle<()>>,
}

impl SpawnedWorker {
    /// Jobs found `running` at start (left by a process that stopped) and queued again.
    pub fn recovered(&self) -> Vec<JobId> {
        self.handle.as_ref().map(|h| h.recovered().to_vec()).unwrap_or_default()
    }

    /// Stops claiming work, asks running jobs to stop and waits up to `grace` for them; then
    /// passes on the runner's last events (jobs put back in the queue).
    pub async fn shutdown(mut self, grace: Duration) {
        if let Some(handle) = self.handle.take() {
            handle.shutdown(grace).await;
        }
        if let Some(mut forward) = self.forward.take()
            && tokio::time::timeout(Duration::from_secs(1), &mut forward).await.is_err()
        {
            forward.abort();
        }
    }
}

impl Drop for SpawnedWorker {
    fn drop(&mut self) {
        if let Some(handle) = self.handle.take() {
            self.runtime.spawn(handle.shutdown(DROP_GRACE));
        }
    }
}

#[cfg(test)]
mod tests {
    use std::sync::mpsc;

    use super::*;

    #[test]
    fn a_worker_spawned_on_a_given_runtime_runs_jobs_there_and_lets_go_on_shutdown() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("catalog.db");
        drop(vitrina_store::Catalog::open(&path).unwrap());
        let jobs = Jobs::open(&path).unwrap();
        let runtime =
            tokio::runtime::Builder::new_multi_thread().worker_threads(1).enable_all().build().unwrap();
        let (tx, rx) = mpsc::channel();
        let opts = WorkerOptions { schedules: false, ..Default::default() };
        let worker = jobs
            .spawn_worker(runtime.handle(), &opts, move |e| {
                let _ = tx.send(e.clone());
            })
            .unwrap();
        assert!(worker.recovered().is_empty());
        let err = jobs.start_worker(&opts).unwrap_err();
        assert_eq!(err.code, ErrorCode::Conflict, "one runner per catalog: {}", err.message);

        let job = crate::catalog_jobs::queue_analyze(&jobs).unwrap();
        let mut seen = Vec::new();
        let state = loop {
            match rx.recv_timeout(Duration::from_secs(30)).expect("the job runs on the given runtime") {
                JobEvent::Finished { id, state, .. } if id == job.id => break state,
                e => seen.push(e),
            }
        };
        assert_eq!(state, JobState::Succeeded);
        assert!(seen.iter().any(|e| matches!(e, JobEvent::Started { id, .. } if *id == job.id)), "{seen:?}");

        runtime.block_on(worker.shutdown(Duration::from_secs(1)));
        let again = jobs.start_worker(&opts).expect("the lock is released once the worker has stopped");
        again.stop(Duration::from_secs(1));
    }
}
