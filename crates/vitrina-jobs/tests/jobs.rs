//! The job system end to end: a real catalog file, a real runner on tokio, test handlers.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU32, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde::Deserialize;
use serde_json::{Value, json};
use sha2::Digest;
use tokio::sync::broadcast;
use vitrina_jobs::store::{Claim, JobStore, Outcome, RunnerWrites};
use vitrina_jobs::{
    Cadence, CancelOutcome, CronZone, FireOutcome, JobCtx, JobEnd, JobError, JobEvent, JobId, JobQuery,
    JobState, JobsError, KindOptions, LogLevel, MAX_LOG_LINES, NewJob, Queue, Registry, Runner, RunnerHandle,
    RunnerOptions, ScheduleSpec,
};

#[derive(Debug, Default)]
struct World {
    running: AtomicUsize,
    max_running: AtomicUsize,
    per_key: Mutex<HashMap<String, usize>>,
    max_per_key: AtomicUsize,
    failures_left: AtomicU32,
    calls: AtomicU32,
    /// Items written by `test.batches`, a whole batch at a time.
    ledger: Mutex<Vec<u64>>,
}

#[derive(Deserialize)]
struct Echo {
    value: i64,
}

#[derive(Deserialize)]
struct Slow {
    ms: u64,
    key: Option<String>,
}

#[derive(Deserialize)]
struct Flaky {
    transient: bool,
}

#[derive(Deserialize)]
struct Batches {
    batches: u64,
    size: u64,
    pause_ms: u64,
}

#[derive(Deserialize)]
struct Chatty {
    lines: u64,
}

#[derive(Deserialize)]
struct Reports {
    updates: u64,
    ms: u64,
}

async fn slow(ctx: JobCtx<World>, p: Slow) -> Result<(), JobError> {
    let w = ctx.app().clone();
    let now = w.running.fetch_add(1, Ordering::SeqCst) + 1;
    w.max_running.fetch_max(now, Ordering::SeqCst);
    if let Some(key) = &p.key {
        let n = {
            let mut keys = w.per_key.lock().unwrap();
            let n = keys.entry(key.clone()).or_default();
            *n += 1;
            *n
        };
        w.max_per_key.fetch_max(n, Ordering::SeqCst);
    }
    tokio::time::sleep(Duration::from_millis(p.ms)).await;
    if let Some(key) = &p.key {
        *w.per_key.lock().unwrap().get_mut(key).unwrap() -= 1;
    }
    w.running.fetch_sub(1, Ordering::SeqCst);
    Ok(())
}

fn registry() -> Registry<World> {
    let mut r = Registry::<World>::new();
    r.register(
        "test.echo",
        KindOptions::new("returns its value").concurrency(4),
        |ctx, p: Echo| async move {
            ctx.log().info(format!("echoing {}", p.value));
            Ok(json!({ "value": p.value }))
        },
    );
    r.register("test.slow", KindOptions::new("sleeps").concurrency(2), slow);
    r.register("test.keyed", KindOptions::new("sleeps, by key").concurrency(4), slow);
    r.register("test.flaky", KindOptions::new("fails, then works").attempts(3), |ctx, p: Flaky| async move {
        ctx.app().calls.fetch_add(1, Ordering::SeqCst);
        if ctx
            .app()
            .failures_left
            .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| n.checked_sub(1))
            .is_ok()
        {
            let e = std::io::Error::new(std::io::ErrorKind::ConnectionReset, "connection reset by peer");
            let e = if p.transient {
                JobError::from_error(vitrina_jobs::ErrorClass::Transient, &e)
            } else {
                JobError::from_error(vitrina_jobs::ErrorClass::Permanent, &e)
            };
            return Err(e.context("talking to the marketplace").with_code("connection_reset"));
        }
        Ok(json!("ok"))
    });
    r.register("test.batches", KindOptions::new("writes batches"), |ctx, p: Batches| async move {
        ctx.stage("writing");
        for b in 0..p.batches {
            ctx.check_cancelled()?;
            tokio::time::sleep(Duration::from_millis(p.pause_ms)).await;
            // A batch is applied whole, like one catalog transaction.
            ctx.app().ledger.lock().unwrap().extend(b * p.size..(b + 1) * p.size);
            ctx.progress((b + 1) * p.size, Some(p.batches * p.size));
        }
        Ok(json!({ "items": p.batches * p.size }))
    });
    r.register("test.chatty", KindOptions::new("logs a lot"), |ctx, p: Chatty| async move {
        for i in 0..p.lines {
            ctx.log().info(format!("line {i}"));
        }
        Ok(())
    });
    r.register("test.reports", KindOptions::new("reports progress often"), |ctx, p: Reports| async move {
        let start = std::time::Instant::now();
        for i in 0..p.updates {
            ctx.progress(i + 1, Some(p.updates));
            if i % (p.updates / 20).max(1) == 0 {
                let target = Duration::from_millis(p.ms * i / p.updates);
                tokio::time::sleep(target.saturating_sub(start.elapsed())).await;
            }
        }
        Ok(json!({ "elapsed_ms": start.elapsed().as_millis() as u64 }))
    });
    r.register("test.panic", KindOptions::new("panics"), |_ctx, _: Value| async move {
        if true {
            panic!("index out of bounds");
        }
        Ok(())
    });
    r.register("test.until_cancelled", KindOptions::new("waits to be stopped"), |ctx, _: Value| async move {
        ctx.cancel_token().cancelled().await;
        Err::<(), _>(JobError::cancelled())
    });
    r.register("test.parent", KindOptions::new("queues a child"), |ctx, _: Value| async move {
        let child = ctx.enqueue_child(NewJob::new("test.echo", json!({ "value": 7 }))).await?;
        Ok(json!({ "child": child }))
    });
    r
}

struct Setup {
    _dir: tempfile::TempDir,
    path: PathBuf,
    registry: Arc<Registry<World>>,
    world: Arc<World>,
}

fn setup() -> Setup {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("catalog.db");
    Setup { path, _dir: dir, registry: Arc::new(registry()), world: Arc::new(World::default()) }
}

fn fast() -> RunnerOptions {
    RunnerOptions {
        retry_base: Duration::from_millis(5),
        retry_cap: Duration::from_millis(40),
        poll: Duration::from_millis(50),
        schedules: false,
        keep_finished: None,
        ..Default::default()
    }
}

impl Setup {
    fn queue(&self) -> Queue<World> {
        Queue::open(&self.path, self.registry.clone()).unwrap()
    }

    async fn runner(&self, opts: RunnerOptions) -> RunnerHandle {
        self.runner_heard(opts).await.0
    }

    /// A started runner and its events from the very start (a job queued before it may end
    /// before the handle could subscribe).
    async fn runner_heard(&self, opts: RunnerOptions) -> (RunnerHandle, broadcast::Receiver<JobEvent>) {
        let runner = Runner::new(&self.path, self.registry.clone(), self.world.clone()).options(opts);
        let events = runner.subscribe();
        (runner.start().await.unwrap(), events)
    }

    /// A job that a runner claimed and then died with: `running`, and nobody runs it.
    fn claimed_by_a_dead_runner(&self, kind: &str, payload: Value) -> JobId {
        let id = self.enqueue(kind, payload);
        let mut store = JobStore::open(&self.path).unwrap();
        let room = HashMap::new();
        let claimed = store.claim(&Claim { now: u64::MAX / 2, limit: 1, room: &room, only: None }).unwrap();
        assert_eq!(claimed.len(), 1);
        assert_eq!(self.queue().get(id).unwrap().state, JobState::Running);
        id
    }

    fn enqueue(&self, kind: &str, payload: Value) -> JobId {
        let mut q = self.queue();
        let job = q.job(kind, payload).unwrap();
        q.enqueue(&job).unwrap()
    }
}

async fn finished(events: &mut broadcast::Receiver<JobEvent>, id: JobId) -> JobEvent {
    tokio::time::timeout(Duration::from_secs(10), async {
        loop {
            match events.recv().await {
                Ok(e @ JobEvent::Finished { .. }) if e.job() == Some(id) => return e,
                Ok(_) => {}
                Err(e) => panic!("event stream: {e}"),
            }
        }
    })
    .await
    .expect("the job finishes within 10 s")
}

/// The job the named schedule queued, within 10 s.
async fn schedule_fired(events: &mut broadcast::Receiver<JobEvent>, name: &str) -> JobId {
    tokio::time::timeout(Duration::from_secs(10), async {
        loop {
            if let JobEvent::ScheduleTick { schedule, outcome: FireOutcome::Enqueued(job) } =
                events.recv().await.unwrap()
                && schedule == name
            {
                return job;
            }
        }
    })
    .await
    .expect("the schedule fires within 10 s")
}

async fn all_finished(events: &mut broadcast::Receiver<JobEvent>, ids: &[JobId]) {
    let mut left: std::collections::HashSet<JobId> = ids.iter().copied().collect();
    tokio::time::timeout(Duration::from_secs(10), async {
        while !left.is_empty() {
            if let JobEvent::Finished { id, .. } = events.recv().await.unwrap() {
                left.remove(&id);
            }
        }
    })
    .await
    .expect("the jobs finish within 10 s")
}

async fn wait_until(what: &str, mut cond: impl FnMut() -> bool) {
    for _ in 0..1000 {
        if cond() {
            return;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    panic!("timed out waiting for {what}");
}

fn messages(q: &Queue<World>, id: JobId) -> Vec<String> {
    q.logs(id, 0, 10_000).unwrap().into_iter().map(|l| l.message).collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_job_runs_and_its_summary_and_log_are_kept() {
    let s = setup();
    let (runner, mut events) = s.runner_heard(fast()).await;
    let id = s.enqueue("test.echo", json!({ "value": 42 }));
    runner.wake();
    let JobEvent::Finished { state, result, .. } = finished(&mut events, id).await else { unreachable!() };
    assert_eq!((state, result), (JobState::Succeeded, Some(json!({ "value": 42 }))));
    let q = s.queue();
    let job = q.get(id).unwrap();
    assert_eq!(job.state, JobState::Succeeded);
    assert_eq!(job.attempts, 1);
    assert_eq!(job.result, Some(json!({ "value": 42 })));
    assert!(job.started_at.is_some() && job.finished_at >= job.started_at);
    let log = messages(&q, id);
    assert!(log.iter().any(|m| m == "echoing 42"), "{log:?}");
    runner.shutdown(Duration::from_secs(1)).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unknown_kinds_and_bad_payloads_fail_clearly_and_the_runner_keeps_going() {
    let s = setup();
    let mut store = JobStore::open(&s.path).unwrap();
    // Rows that bypassed the checks (an older or newer Vitrina, a hand-edited queue).
    let unknown = store.enqueue(&NewJob::new("marketplace.teleport", json!({})), 1).unwrap();
    let bad = store.enqueue(&NewJob::new("test.echo", json!({ "value": "forty-two" })), 1).unwrap();
    let good = store.enqueue(&NewJob::new("test.echo", json!({ "value": 1 })), 1).unwrap();
    let (runner, mut events) = s.runner_heard(fast()).await;
    runner.wake();
    finished(&mut events, good).await;
    let q = s.queue();
    let unknown = q.get(unknown).unwrap();
    assert_eq!(unknown.state, JobState::Failed);
    assert_eq!(unknown.error_code.as_deref(), Some(JobError::UNKNOWN_KIND));
    let msg = unknown.error.unwrap();
    assert!(msg.contains("marketplace.teleport") && msg.contains("test.echo"), "{msg}");
    let bad = q.get(bad).unwrap();
    assert_eq!((bad.state, bad.attempts), (JobState::Failed, 1), "a bad payload is not retried");
    let msg = bad.error.unwrap();
    assert!(msg.contains("payload of a test.echo job is not valid") && msg.contains("invalid type"), "{msg}");
    assert_eq!(q.get(good).unwrap().state, JobState::Succeeded);
    runner.shutdown(Duration::from_secs(1)).await;
}

#[test]
fn the_queue_refuses_unknown_kinds_and_bad_payloads_up_front() {
    let s = setup();
    let mut q = s.queue();
    let err = q.enqueue(&NewJob::new("nope", json!({}))).unwrap_err();
    assert!(matches!(err, JobsError::UnknownKind { .. }) && err.to_string().contains("test.echo"), "{err}");
    let err = q.job("test.echo", json!({})).unwrap_err();
    assert!(err.to_string().contains("missing field `value`"), "{err}");
    assert!(q.list(&JobQuery::default()).unwrap().is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn progress_is_coalesced_for_every_listener() {
    let s = setup();
    let runner = s.runner(fast()).await;
    let (mut a, mut b) = (runner.subscribe(), runner.subscribe());
    let id = s.enqueue("test.reports", json!({ "updates": 20_000, "ms": 600 }));
    runner.wake();
    let mut updates = 0;
    let (progress, result) = loop {
        match a.recv().await.unwrap() {
            JobEvent::Progress { id: j, .. } if j == id => updates += 1,
            JobEvent::Finished { id: j, progress, result, .. } if j == id => break (progress, result),
            _ => {}
        }
    };
    assert_eq!((progress.done, progress.total), (20_000, Some(20_000)), "the last value is not lost");
    finished(&mut b, id).await; // a second listener hears it too
    let elapsed_ms = result.unwrap()["elapsed_ms"].as_u64().unwrap();
    let limit = elapsed_ms / 100 + 3;
    assert!(updates >= 3, "listeners see progress while the job runs ({updates})");
    assert!(updates <= limit, "{updates} progress events for a {elapsed_ms} ms job: more than 10/s");
    assert_eq!(s.queue().get(id).unwrap().progress.done, 20_000, "the final progress is stored");
    runner.shutdown(Duration::from_secs(1)).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cancel_stops_a_running_job_between_batches() {
    let s = setup();
    let (runner, mut events) = s.runner_heard(fast()).await;
    let id = s.enqueue("test.batches", json!({ "batches": 200, "size": 10, "pause_ms": 10 }));
    runner.wake();
    let w = s.world.clone();
    wait_until("two batches", || w.ledger.lock().unwrap().len() >= 20).await;
    // Through the catalog file, as `vitrina jobs cancel` in another process would.
    assert_eq!(s.queue().cancel(id).unwrap(), CancelOutcome::Requested);
    let JobEvent::Finished { state, .. } = finished(&mut events, id).await else { unreachable!() };
    assert_eq!(state, JobState::Cancelled);
    let ledger = s.world.ledger.lock().unwrap().clone();
    assert!(ledger.len() < 2000, "it stopped early");
    assert_eq!(ledger.len() % 10, 0, "only whole batches: {}", ledger.len());
    assert_eq!(ledger, (0..ledger.len() as u64).collect::<Vec<_>>());
    let job = s.queue().get(id).unwrap();
    assert_eq!((job.state, job.end), (JobState::Cancelled, Some(JobEnd::CancelledOnRequest)));
    assert_eq!(job.progress.done, ledger.len() as u64, "progress matches the batches that stand");
    runner.shutdown(Duration::from_secs(1)).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_queued_job_cancelled_never_runs_and_can_be_retried() {
    let s = setup();
    let id = s.enqueue("test.echo", json!({ "value": 5 }));
    let mut q = s.queue();
    assert_eq!(q.cancel(id).unwrap(), CancelOutcome::Cancelled);
    assert_eq!(q.get(id).unwrap().end, Some(JobEnd::CancelledBeforeStart));
    assert_eq!(q.cancel(id).unwrap(), CancelOutcome::AlreadyFinished(JobState::Cancelled));
    let (runner, mut events) = s.runner_heard(fast()).await;
    tokio::time::sleep(Duration::from_millis(100)).await;
    assert_eq!(q.get(id).unwrap().state, JobState::Cancelled);
    q.retry(id).unwrap();
    runner.wake();
    finished(&mut events, id).await;
    let job = q.get(id).unwrap();
    assert_eq!((job.state, job.attempts, job.error, job.end), (JobState::Succeeded, 1, None, None));
    let err = q.retry(id).unwrap_err();
    assert!(matches!(err, JobsError::NotRetryable { state: JobState::Succeeded, .. }), "{err}");
    runner.shutdown(Duration::from_secs(1)).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn transient_failures_are_retried_with_backoff_until_they_succeed() {
    let s = setup();
    s.world.failures_left.store(2, Ordering::SeqCst);
    let (runner, mut events) = s.runner_heard(fast()).await;
    let id = s.enqueue("test.flaky", json!({ "transient": true }));
    runner.wake();
    let mut retries = Vec::new();
    let state = loop {
        match events.recv().await.unwrap() {
            JobEvent::Retrying { id: j, attempt, run_after, .. } if j == id => {
                retries.push((attempt, run_after))
            }
            JobEvent::Finished { id: j, state, .. } if j == id => break state,
            _ => {}
        }
    };
    assert_eq!(state, JobState::Succeeded);
    assert_eq!(retries.iter().map(|r| r.0).collect::<Vec<_>>(), vec![1, 2]);
    let job = s.queue().get(id).unwrap();
    assert_eq!((job.attempts, job.error.clone(), job.error_code.clone()), (3, None, None));
    let log = messages(&s.queue(), id);
    assert!(
        log.iter().any(|m| m.starts_with(
            "attempt 1 of 3 failed: talking to the marketplace: connection reset by peer; retrying in"
        )),
        "{log:?}"
    );
    runner.shutdown(Duration::from_secs(1)).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn permanent_failures_are_not_retried_and_keep_their_cause_chain() {
    let s = setup();
    s.world.failures_left.store(5, Ordering::SeqCst);
    let (runner, mut events) = s.runner_heard(fast()).await;
    let id = s.enqueue("test.flaky", json!({ "transient": false }));
    runner.wake();
    finished(&mut events, id).await;
    let job = s.queue().get(id).unwrap();
    assert_eq!((job.state, job.attempts), (JobState::Failed, 1));
    assert_eq!(job.error.as_deref(), Some("talking to the marketplace"));
    assert_eq!(job.error_chain, vec!["connection reset by peer".to_string()]);
    assert_eq!(job.error_code.as_deref(), Some("connection_reset"), "the handler's code is kept");
    assert_eq!(s.world.calls.load(Ordering::SeqCst), 1);
    runner.shutdown(Duration::from_secs(1)).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn transient_failures_stop_at_max_attempts() {
    let s = setup();
    s.world.failures_left.store(10, Ordering::SeqCst);
    let (runner, mut events) = s.runner_heard(fast()).await;
    let mut q = s.queue();
    let id = q.enqueue(&NewJob::new("test.flaky", json!({ "transient": true })).attempts(2)).unwrap();
    runner.wake();
    finished(&mut events, id).await;
    let job = q.get(id).unwrap();
    assert_eq!((job.state, job.attempts), (JobState::Failed, 2));
    assert_eq!(s.world.calls.load(Ordering::SeqCst), 2);
    runner.shutdown(Duration::from_secs(1)).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrency_is_limited_per_kind() {
    let s = setup();
    let ids: Vec<JobId> = (0..6).map(|_| s.enqueue("test.slow", json!({ "ms": 60 }))).collect();
    let (runner, mut events) = s.runner_heard(fast()).await;
    runner.wake();
    all_finished(&mut events, &ids).await;
    assert_eq!(s.world.max_running.load(Ordering::SeqCst), 2, "test.slow runs two at a time");
    runner.shutdown(Duration::from_secs(1)).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_job_per_concurrency_key_at_a_time() {
    let s = setup();
    let mut q = s.queue();
    let mut ids = Vec::new();
    for key in ["supplier-1", "supplier-1", "supplier-1", "supplier-2", "supplier-2"] {
        let job = q.job("test.keyed", json!({ "ms": 50, "key": key })).unwrap().key(key);
        ids.push(q.enqueue(&job).unwrap());
    }
    let (runner, mut events) = s.runner_heard(fast()).await;
    runner.wake();
    all_finished(&mut events, &ids).await;
    assert_eq!(s.world.max_per_key.load(Ordering::SeqCst), 1, "never two jobs of one supplier at once");
    assert_eq!(s.world.max_running.load(Ordering::SeqCst), 2, "different suppliers run side by side");
    runner.shutdown(Duration::from_secs(1)).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn jobs_left_running_by_a_crash_are_requeued_on_start() {
    let s = setup();
    let id = s.claimed_by_a_dead_runner("test.echo", json!({ "value": 3 }));
    let runner = s.runner(fast()).await;
    assert_eq!(runner.recovered(), &[id]);
    // The runner may finish the job before a subscription made now would hear it: watch the
    // queue instead.
    let q = s.queue();
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    while q.get(id).unwrap().state != JobState::Succeeded {
        assert!(std::time::Instant::now() < deadline, "{:?}", q.get(id).unwrap());
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    assert!(messages(&q, id).iter().any(|m| m.contains("Vitrina stopped while this job ran")));
    runner.shutdown(Duration::from_secs(1)).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_running_job_asked_to_stop_shows_it_and_is_not_restarted_after_a_crash() {
    let s = setup();
    let id = s.claimed_by_a_dead_runner("test.echo", json!({ "value": 3 }));
    let mut q = s.queue();
    assert_eq!(q.cancel(id).unwrap(), CancelOutcome::Requested);
    let asked = q.get(id).unwrap();
    assert_eq!(asked.state, JobState::Running);
    assert!(asked.cancel_requested, "the open request shows on the job");
    assert!(q.list(&JobQuery::default()).unwrap().iter().any(|j| j.id == id && j.cancel_requested));

    let runner = s.runner(fast()).await;
    assert!(runner.recovered().is_empty(), "cancelled, not queued again: {:?}", runner.recovered());
    let job = q.get(id).unwrap();
    assert_eq!((job.state, job.end), (JobState::Cancelled, Some(JobEnd::CancelledOnRequest)), "{job:?}");
    assert!(!job.cancel_requested);
    assert!(!messages(&q, id).iter().any(|m| m.contains("echoing")), "never started again");
    runner.shutdown(Duration::from_secs(1)).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn only_one_runner_per_catalog() {
    let s = setup();
    let first = s.runner(fast()).await;
    let err =
        Runner::new(&s.path, s.registry.clone(), s.world.clone()).options(fast()).start().await.unwrap_err();
    assert!(matches!(err, JobsError::WorkerBusy { .. }), "{err}");
    first.shutdown(Duration::from_secs(1)).await;
    s.runner(fast()).await.shutdown(Duration::from_secs(1)).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn shutdown_puts_running_jobs_back_without_spending_an_attempt() {
    let s = setup();
    let (runner, mut events) = s.runner_heard(fast()).await;
    let id = s.enqueue("test.until_cancelled", json!({}));
    runner.wake();
    loop {
        if let JobEvent::Started { id: j, .. } = events.recv().await.unwrap()
            && j == id
        {
            break;
        }
    }
    runner.shutdown(Duration::from_secs(2)).await;
    let job = s.queue().get(id).unwrap();
    assert_eq!((job.state, job.attempts), (JobState::Queued, 0));
    assert!(messages(&s.queue(), id).iter().any(|m| m.contains("interrupted by shutdown")));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_panicking_handler_fails_its_job_only() {
    let s = setup();
    let (runner, mut events) = s.runner_heard(fast()).await;
    let boom = s.enqueue("test.panic", json!({}));
    let fine = s.enqueue("test.echo", json!({ "value": 1 }));
    runner.wake();
    finished(&mut events, fine).await;
    let q = s.queue();
    wait_until("the panic to be recorded", || q.get(boom).unwrap().state == JobState::Failed).await;
    let boom = q.get(boom).unwrap();
    assert_eq!(boom.error_code.as_deref(), Some(JobError::HANDLER_CRASHED));
    let err = boom.error.unwrap();
    assert!(err.contains("test.panic handler crashed: index out of bounds"), "{err}");
    runner.shutdown(Duration::from_secs(1)).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_job_log_is_bounded() {
    let s = setup();
    let (runner, mut events) = s.runner_heard(fast()).await;
    let id = s.enqueue("test.chatty", json!({ "lines": 1500 }));
    runner.wake();
    finished(&mut events, id).await;
    let lines = s.queue().logs(id, 0, 10_000).unwrap();
    assert_eq!(lines.len() as u64, MAX_LOG_LINES);
    let last = lines.last().unwrap();
    assert_eq!(last.level, LogLevel::Warn);
    assert!(last.message.contains("the log is full"), "{}", last.message);
    assert_eq!(s.queue().log_tail(id, 5).unwrap().len(), 5);
    runner.shutdown(Duration::from_secs(1)).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_handler_can_queue_child_jobs() {
    let s = setup();
    let (runner, mut events) = s.runner_heard(fast()).await;
    let parent = s.enqueue("test.parent", json!({}));
    runner.wake();
    let JobEvent::Finished { result, .. } = finished(&mut events, parent).await else { unreachable!() };
    let child: JobId = serde_json::from_value(result.unwrap()["child"].clone()).unwrap();
    let q = s.queue();
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    while !q.get(child).unwrap().state.is_finished() {
        assert!(std::time::Instant::now() < deadline, "{:?}", q.get(child).unwrap());
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    assert_eq!(q.get(child).unwrap().state, JobState::Succeeded);
    assert_eq!(q.get(child).unwrap().parent, Some(parent));
    assert_eq!(q.children(parent).unwrap().len(), 1);
    runner.shutdown(Duration::from_secs(1)).await;
}

const MIN: u64 = 60_000;
const T0: u64 = 1_767_571_200_000; // 2026-01-05 00:00 UTC

fn clocked(s: &Setup) -> (Queue<World>, Arc<AtomicU64>) {
    let now = Arc::new(AtomicU64::new(T0));
    let clock = now.clone();
    let q = s.queue().with_clock(Arc::new(move || clock.load(Ordering::SeqCst)), CronZone::Utc);
    (q, now)
}

fn finish_job(path: &Path, id: JobId) {
    let mut store = JobStore::open(path).unwrap();
    let room = HashMap::new();
    let claimed = store.claim(&Claim { now: u64::MAX / 2, limit: 10, room: &room, only: Some(id) }).unwrap();
    assert_eq!(claimed.len(), 1);
    let done = vitrina_jobs::store::Finished {
        id,
        outcome: Outcome::Succeeded { result: json!(null) },
        progress: Default::default(),
    };
    store.apply(&RunnerWrites { finished: vec![done], ..Default::default() }, T0).unwrap();
}

#[test]
fn schedules_skip_missed_ticks_and_never_start_a_second_copy() {
    let s = setup();
    let (mut q, now) = clocked(&s);
    let spec = ScheduleSpec {
        name: "supplier refresh".into(),
        kind: "test.echo".into(),
        payload: json!({ "value": 1 }),
        cadence: Cadence::Every(10 * MIN),
        enabled: true,
        concurrency_key: Some("supplier-1".into()),
    };
    let added = q.add_schedule(&spec).unwrap();
    assert_eq!(added.next_run_at, Some(T0 + 10 * MIN));
    assert!(matches!(q.add_schedule(&spec), Err(JobsError::ScheduleExists(_))));

    assert!(q.run_due_schedules(T0 + 5 * MIN).unwrap().is_empty(), "not due yet");
    // The PC slept through three ticks: one job, not three.
    now.store(T0 + 35 * MIN, Ordering::SeqCst);
    let fired = q.run_due_schedules(T0 + 35 * MIN).unwrap();
    let [(_, FireOutcome::Enqueued(first))] = fired.as_slice() else { panic!("{fired:?}") };
    assert_eq!(q.run_due_schedules(T0 + 35 * MIN).unwrap().len(), 0, "no burst of replays");
    let s1 = q.schedule("supplier refresh").unwrap();
    assert_eq!((s1.last_run_at, s1.next_run_at), (Some(T0 + 35 * MIN), Some(T0 + 40 * MIN)));
    assert_eq!((s1.last_job, s1.last_job_state), (Some(*first), Some(JobState::Queued)));
    let job = q.get(*first).unwrap();
    assert_eq!((job.kind.as_str(), job.concurrency_key.as_deref()), ("test.echo", Some("supplier-1")));
    assert_eq!(job.schedule, Some(s1.id));

    // The next tick comes while the first job has not finished: skipped.
    let fired = q.run_due_schedules(T0 + 40 * MIN).unwrap();
    assert!(matches!(fired.as_slice(), [(_, FireOutcome::StillRunning(j))] if j == first), "{fired:?}");
    assert_eq!(q.list(&JobQuery::default()).unwrap().len(), 1);

    finish_job(&s.path, *first);
    let fired = q.run_due_schedules(T0 + 50 * MIN).unwrap();
    assert!(matches!(fired.as_slice(), [(_, FireOutcome::Enqueued(j))] if j != first), "{fired:?}");

    // Disabled: no ticks; enabled again: from the next tick after now, nothing replayed.
    q.set_schedule_enabled("supplier refresh", false).unwrap();
    assert!(q.run_due_schedules(T0 + 500 * MIN).unwrap().is_empty());
    now.store(T0 + 503 * MIN, Ordering::SeqCst);
    let enabled = q.set_schedule_enabled("supplier refresh", true).unwrap();
    assert_eq!(enabled.next_run_at, Some(T0 + 513 * MIN));
    assert!(enabled.enabled);

    q.remove_schedule("supplier refresh").unwrap();
    assert!(q.schedules().unwrap().is_empty());
    assert!(matches!(q.remove_schedule("supplier refresh"), Err(JobsError::ScheduleNotFound(_))));
}

#[test]
fn cron_schedules_fire_at_their_times_and_bad_ones_are_refused() {
    let s = setup();
    let (mut q, _) = clocked(&s);
    let mut spec = ScheduleSpec {
        name: "nightly".into(),
        kind: "test.echo".into(),
        payload: json!({ "value": 1 }),
        cadence: Cadence::Cron("0 3 * * *".into()),
        enabled: true,
        concurrency_key: None,
    };
    assert_eq!(q.add_schedule(&spec).unwrap().next_run_at, Some(T0 + 180 * MIN));
    let fired = q.run_due_schedules(T0 + 2 * 1440 * MIN).unwrap();
    assert_eq!(fired.len(), 1, "two missed nights give one run");
    assert_eq!(q.schedule("nightly").unwrap().next_run_at, Some(T0 + 2 * 1440 * MIN + 180 * MIN));

    spec.name = "broken".into();
    spec.cadence = Cadence::Cron("0 25 * * *".into());
    let err = q.add_schedule(&spec).unwrap_err();
    let text = err.to_string();
    assert!(matches!(err, JobsError::BadCron { .. }) && text.contains("0 25 * * *"), "{text}");
    assert!(text.to_lowercase().contains("hour") || text.contains("23"), "the reason is given: {text}");
    spec.cadence = Cadence::Every(1);
    spec.payload = json!({ "value": 1 });
    assert!(matches!(q.add_schedule(&spec), Err(JobsError::BadInterval(_))));
    spec.cadence = Cadence::Every(MIN);
    spec.payload = json!({});
    assert!(matches!(q.add_schedule(&spec), Err(JobsError::BadPayload { .. })));
    assert_eq!(q.schedules().unwrap().len(), 1, "nothing refused was stored");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_runner_fires_due_schedules() {
    let s = setup();
    let mut q = s.queue();
    q.add_schedule(&ScheduleSpec {
        name: "tick".into(),
        kind: "test.echo".into(),
        payload: json!({ "value": 9 }),
        // Long enough that it does not fire again while the test looks (a 1 s cadence did,
        // on a busy machine, and the schedule then named the next job).
        cadence: Cadence::Every(60_000),
        enabled: true,
        concurrency_key: None,
    })
    .unwrap();
    // Make it due now rather than in a minute.
    q.store_mut().set_schedule_enabled("tick", true, Some(0)).unwrap();
    let (runner, mut events) = s.runner_heard(RunnerOptions { schedules: true, ..fast() }).await;
    runner.wake();
    let job = schedule_fired(&mut events, "tick").await;
    finished(&mut events, job).await;
    let sched = q.schedule("tick").unwrap();
    assert_eq!(sched.last_job, Some(job));
    assert_eq!(sched.last_job_state, Some(JobState::Succeeded));
    assert!(sched.next_run_at.unwrap() > sched.last_run_at.unwrap());
    runner.shutdown(Duration::from_secs(1)).await;
}

#[test]
fn history_is_queryable_by_kind_state_and_date_and_old_jobs_are_purged() {
    let s = setup();
    let mut store = JobStore::open(&s.path).unwrap();
    let day = 1440 * MIN;
    let a = store.enqueue(&NewJob::new("test.echo", json!({ "value": 1 })), T0).unwrap();
    let b = store.enqueue(&NewJob::new("test.slow", json!({ "ms": 1 })), T0 + day).unwrap();
    let c = store.enqueue(&NewJob::new("test.echo", json!({ "value": 2 })), T0 + 2 * day).unwrap();
    finish_job(&s.path, a);
    let (mut q, now) = clocked(&s);
    let ids = |q: &Queue<World>, query: JobQuery| {
        q.list(&query).unwrap().into_iter().map(|j| j.id).collect::<Vec<_>>()
    };
    assert_eq!(ids(&q, JobQuery::default()), vec![c, b, a], "newest first");
    assert_eq!(ids(&q, JobQuery { kind: Some("test.echo".into()), ..Default::default() }), vec![c, a]);
    assert_eq!(ids(&q, JobQuery { state: Some(JobState::Succeeded), ..Default::default() }), vec![a]);
    assert_eq!(
        ids(&q, JobQuery { since: Some(T0 + day), until: Some(T0 + 2 * day), ..Default::default() }),
        vec![b]
    );
    assert_eq!(ids(&q, JobQuery { limit: 1, ..Default::default() }), vec![c]);
    // `a` finished at T0 (see finish_job); kept for 30 days.
    now.store(T0 + 29 * day, Ordering::SeqCst);
    assert_eq!(q.purge(Duration::from_secs(30 * 86_400)).unwrap(), 0);
    now.store(T0 + 31 * day, Ordering::SeqCst);
    assert_eq!(q.purge(Duration::from_secs(30 * 86_400)).unwrap(), 1);
    assert_eq!(ids(&q, JobQuery::default()), vec![c, b], "unfinished jobs are never purged");
    assert!(q.logs(a, 0, 10).is_err());
    // Ids can be given by a unique beginning.
    let text = c.to_string();
    assert_eq!(q.resolve(&text).unwrap(), c);
    assert!(matches!(q.resolve("zzzz"), Err(JobsError::JobNotFound(_))));
    assert!(matches!(q.resolve(&text[..4]), Err(JobsError::AmbiguousJob(_))));
}

/// A second connection holding the catalog's write lock, as a supplier import does for its
/// whole run (one transaction of up to a minute on a million offers).
fn hold_catalog_write_lock(path: &Path) -> rusqlite::Connection {
    drop(vitrina_store::Catalog::open(path).unwrap());
    let conn = rusqlite::Connection::open(path).unwrap();
    conn.execute_batch("BEGIN IMMEDIATE; UPDATE products SET stock = stock WHERE 0;").unwrap();
    conn
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_job_operation_waits_for_a_catalog_write() {
    let s = setup();
    let mut q = s.queue();
    q.add_schedule(&ScheduleSpec {
        name: "refresh".into(),
        kind: "test.echo".into(),
        payload: json!({ "value": 1 }),
        cadence: Cadence::Every(60_000),
        enabled: true,
        concurrency_key: None,
    })
    .unwrap();
    let import = hold_catalog_write_lock(&s.path);
    let (runner, mut events) = s.runner_heard(RunnerOptions { schedules: true, ..fast() }).await;

    // Queue, run, follow, cancel and retry while the catalog is locked. Before the queue had
    // a file of its own, each of these waited for the lock and failed with "database is locked".
    let long = s.enqueue("test.batches", json!({ "batches": 500, "size": 10, "pause_ms": 10 }));
    runner.wake();
    let w = s.world.clone();
    wait_until("a few batches", || w.ledger.lock().unwrap().len() >= 30).await;
    wait_until("stored progress", || s.queue().get(long).unwrap().progress.done >= 30).await;
    assert_eq!(q.get(long).unwrap().progress.stage.as_deref(), Some("writing"), "the stage is stored too");
    let started = std::time::Instant::now();
    assert_eq!(q.cancel(long).unwrap(), CancelOutcome::Requested);
    let cancel_took = started.elapsed();
    let JobEvent::Finished { state, .. } = finished(&mut events, long).await else { unreachable!() };
    assert_eq!(state, JobState::Cancelled);
    q.retry(long).unwrap();
    assert_eq!(q.get(long).unwrap().state, JobState::Queued);

    let echo = s.enqueue("test.echo", json!({ "value": 2 }));
    runner.wake();
    finished(&mut events, echo).await;
    assert!(messages(&q, echo).iter().any(|m| m == "echoing 2"), "its log is stored as it runs");

    // A due schedule fires meanwhile.
    q.store_mut().set_schedule_enabled("refresh", true, Some(0)).unwrap();
    runner.wake();
    let fired = schedule_fired(&mut events, "refresh").await;
    finished(&mut events, fired).await;
    assert!(cancel_took < Duration::from_secs(1), "a cancel is one short write: {cancel_took:?}");
    import.execute_batch("ROLLBACK").unwrap();
    runner.shutdown(Duration::from_secs(1)).await;
}

/// A catalog made by the release before the queue moved out (0.1.0 at 60d223e, `vitrina demo
/// --products 40`, two reprice jobs run — one with committed batches, one failed — one queued,
/// and a cron schedule).
const OLD_CATALOG: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/catalog-0005.db");

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_queue_kept_in_the_catalog_by_the_last_release_moves_to_its_own_file_once() {
    let s = setup();
    std::fs::copy(OLD_CATALOG, &s.path).unwrap();
    let q = s.queue();
    let jobs = q.list(&JobQuery { limit: 100, ..Default::default() }).unwrap();
    let states: Vec<(JobState, Option<&str>)> = jobs.iter().map(|j| (j.state, j.error.as_deref())).collect();
    assert_eq!(
        states,
        [
            (JobState::Queued, None),
            (JobState::Failed, Some("percent must be above -100 and at most 1000, not 5000")),
            (JobState::Succeeded, None),
        ]
    );
    let succeeded = &jobs[2];
    assert_eq!(
        succeeded.result,
        Some(json!({ "batches": 3, "changed": 38, "percent": 10.0, "products": 40 }))
    );
    assert_eq!(succeeded.progress.done, 40);
    let lines = messages(&q, succeeded.id);
    assert!(
        lines.first().is_some_and(|l| l.starts_with("started")) && lines.last().unwrap() == "finished",
        "{lines:?}"
    );
    let schedule = q.schedule("nightly stats").unwrap();
    assert_eq!(
        (schedule.kind.as_str(), schedule.cadence.clone()),
        ("catalog.analyze", Cadence::Cron("0 3 * * *".into()))
    );
    assert!(schedule.enabled && schedule.next_run_at.is_some());

    // The catalog keeps only the batches, still known by job, and none of the old tables.
    let catalog = vitrina_store::Catalog::open(&s.path).unwrap();
    assert_eq!(catalog.job_checkpoint(succeeded.id).unwrap().batches, 3);
    assert_eq!(catalog.legacy_job_queue().unwrap(), None);
    drop(catalog);
    let raw = rusqlite::Connection::open(&s.path).unwrap();
    let old: i64 = raw
        .query_row(
            "SELECT count(*) FROM sqlite_schema WHERE name IN ('jobs', 'job_logs', 'schedules') OR name LIKE 'legacy%'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(old, 0);

    // Opened again: moved once, nothing doubled; and the queued job runs.
    drop(q);
    let q = s.queue();
    assert_eq!(q.list(&JobQuery { limit: 100, ..Default::default() }).unwrap().len(), 3);
    assert_eq!(q.logs(succeeded.id, 0, 1000).unwrap().len(), lines.len());
    assert_eq!(jobs[0].kind, "catalog.reprice");
}

fn end_attempt(store: &mut JobStore, id: JobId, outcome: Outcome) {
    let room = HashMap::new();
    let claimed = store.claim(&Claim { now: u64::MAX / 2, limit: 10, room: &room, only: Some(id) }).unwrap();
    assert_eq!(claimed.len(), 1);
    let done = vitrina_jobs::store::Finished { id, outcome, progress: Default::default() };
    store.apply(&RunnerWrites { finished: vec![done], ..Default::default() }, T0).unwrap();
}

#[test]
fn a_failure_keeps_its_code_until_the_job_is_retried_or_succeeds() {
    let s = setup();
    let mut store = JobStore::open(&s.path).unwrap();
    let id = store.enqueue(&NewJob::new("test.echo", json!({ "value": 1 })), T0).unwrap();
    let failure =
        |code: &str| (format!("{code} happened"), vec!["beneath".to_string()], Some(code.to_string()));

    let (error, chain, code) = failure("timeout");
    end_attempt(&mut store, id, Outcome::Retry { run_after: T0, error, chain, code });
    let job = store.job(id).unwrap().unwrap();
    assert_eq!((job.state, job.error_code.as_deref()), (JobState::Queued, Some("timeout")));

    let (error, chain, code) = failure("file_missing");
    end_attempt(&mut store, id, Outcome::Failed { error, chain, code });
    let job = store.job(id).unwrap().unwrap();
    assert_eq!((job.state, job.error_code.as_deref()), (JobState::Failed, Some("file_missing")));
    assert_eq!(job.error.as_deref(), Some("file_missing happened"));

    store.retry(id, T0).unwrap();
    let job = store.job(id).unwrap().unwrap();
    assert_eq!((job.state, job.error.as_deref(), job.error_code.as_deref()), (JobState::Queued, None, None));

    let (error, chain, code) = failure("server_error");
    end_attempt(&mut store, id, Outcome::Retry { run_after: T0, error, chain, code });
    end_attempt(&mut store, id, Outcome::Succeeded { result: json!(null) });
    let job = store.job(id).unwrap().unwrap();
    assert_eq!((job.state, job.error_code.as_deref()), (JobState::Succeeded, None));

    // A failure without a code stores none (the window shows the sentence as it is).
    let plain = store.enqueue(&NewJob::new("test.echo", json!({ "value": 2 })), T0).unwrap();
    end_attempt(&mut store, plain, Outcome::Failed { error: "odd".into(), chain: Vec::new(), code: None });
    assert_eq!(store.job(plain).unwrap().unwrap().error_code, None);
}

#[test]
fn shipped_queue_migrations_never_change() {
    // Append a new migration instead of editing a shipped one; then add its checksum here.
    let pinned = ["e5c10b9f8f20fac99b14cd8245741586ba4d8a9b06f97e4b7ff341cc0b47bfe2"];
    assert_eq!(vitrina_jobs::MIGRATIONS.len(), pinned.len(), "pin the checksum of every shipped migration");
    for ((name, sql), want) in vitrina_jobs::MIGRATIONS.iter().zip(pinned) {
        let got = format!("{:x}", sha2::Sha256::digest(sql.as_bytes()));
        assert_eq!(got, want, "migration {name} was edited after it shipped");
        let on_disk = std::fs::read_to_string(Path::new("../../migrations/jobs").join(name)).unwrap();
        assert_eq!(&on_disk, sql, "{name} on disk differs from the embedded copy");
    }
}
