//! The jobs benchmark (issue 3): the queue's overhead per job, and what progress reporting
//! costs a job. Run it from the CLI (`vitrina bench jobs`), never as a test.

use std::hint::black_box;
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use crate::store::{JobId, JobStore, NewJob};
use serde::{Deserialize, Serialize};
use serde_json::json;
use tokio::sync::{Notify, broadcast};

use crate::error::{JobsError, Result};
use crate::events::JobEvent;
use crate::registry::{KindOptions, Registry};
use crate::runner::{Runner, RunnerOptions};

#[derive(Debug, Clone, Serialize)]
pub struct JobsBench {
    pub jobs: u64,
    /// Queueing all of them (one transaction).
    pub enqueue_ms: f64,
    /// From the first enqueue to the last completion recorded in the catalog.
    pub total_ms: f64,
    pub jobs_per_second: f64,
    /// Progress updates per second while measuring their cost.
    pub progress_updates_per_second: f64,
    /// The same CPU work, as a job, without and with progress reports (medians of `rounds`).
    pub work_without_progress_ms: f64,
    pub work_with_progress_ms: f64,
    pub progress_overhead_percent: f64,
    /// One progress report measured alone (a million in a row), and what 1,000 a second of
    /// them cost as a share of the job's time.
    pub progress_call_ns: f64,
    pub progress_call_share_percent: f64,
    /// Progress events a listener received during the runs with progress (coalesced).
    pub progress_events_heard: u64,
    pub rounds: usize,
}

#[derive(Debug, Default)]
struct Counter {
    done: AtomicU64,
    target: AtomicU64,
    all_done: Notify,
}

#[derive(Debug, Deserialize)]
struct Work {
    chunks: u64,
    iters: u64,
    report: bool,
}

fn spin(mut x: u64, iters: u64) -> u64 {
    for _ in 0..iters {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
    }
    black_box(x)
}

fn registry() -> Registry<Counter> {
    let mut r = Registry::<Counter>::new();
    r.register(
        "bench.noop",
        KindOptions::new("does nothing").concurrency(64),
        |ctx, _: serde_json::Value| async move {
            let c = ctx.app();
            if c.done.fetch_add(1, Ordering::AcqRel) + 1 == c.target.load(Ordering::Acquire) {
                c.all_done.notify_one();
            }
            Ok(())
        },
    );
    r.register(
        "bench.calls",
        KindOptions::new("reports progress in a tight loop"),
        |ctx, calls: u64| async move {
            let start = Instant::now();
            for i in 0..calls {
                ctx.progress(black_box(i), Some(calls));
            }
            Ok(json!({ "elapsed_ns": start.elapsed().as_nanos() as u64 }))
        },
    );
    r.register("bench.work", KindOptions::new("spins the CPU"), |ctx, w: Work| async move {
        let start = Instant::now();
        let mut x = 0x9E37_79B9_7F4A_7C15;
        for i in 0..w.chunks {
            x = spin(x, w.iters);
            if w.report {
                ctx.progress(i + 1, Some(w.chunks));
            }
        }
        Ok(json!({ "elapsed_us": start.elapsed().as_micros() as u64, "x": x }))
    });
    r
}

async fn wait_for(
    events: &mut broadcast::Receiver<JobEvent>,
    id: JobId,
    heard: &mut u64,
) -> Result<serde_json::Value> {
    loop {
        match events.recv().await {
            Ok(JobEvent::Progress { id: j, .. }) if j == id => *heard += 1,
            Ok(JobEvent::Finished { id: j, result, error, .. }) if j == id => {
                return result.ok_or_else(|| JobsError::Runner(error.unwrap_or_default()));
            }
            Ok(_) | Err(broadcast::error::RecvError::Lagged(_)) => {}
            Err(broadcast::error::RecvError::Closed) => {
                return Err(JobsError::Runner("runner stopped".into()));
            }
        }
    }
}

/// Runs both measurements on a fresh catalog file in `dir`.
pub async fn run(dir: &Path, jobs: u64, rounds: usize) -> Result<JobsBench> {
    let path = dir.join("jobs-bench.db");
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
    }
    let counter = Arc::new(Counter::default());
    counter.target.store(jobs, Ordering::Release);
    let opts = RunnerOptions { max_running: 64, keep_finished: None, schedules: false, ..Default::default() };
    let runner = Runner::new(&path, Arc::new(registry()), counter.clone()).options(opts).start().await?;
    let mut store = tokio::task::spawn_blocking({
        let path = path.clone();
        move || JobStore::open(&path)
    })
    .await
    .map_err(|e| JobsError::Runner(e.to_string()))??;

    // 1. Enqueue, dispatch and complete `jobs` no-op jobs.
    let start = Instant::now();
    let batch: Vec<NewJob> = (0..jobs).map(|_| NewJob::new("bench.noop", json!({}))).collect();
    let (mut store, enqueue_ms) = tokio::task::spawn_blocking(move || {
        let t = Instant::now();
        let now = crate::queue::system_clock()();
        store.enqueue_many(&batch, now).map(|_| (store, t.elapsed().as_secs_f64() * 1000.0))
    })
    .await
    .map_err(|e| JobsError::Runner(e.to_string()))??;
    runner.wake();
    if jobs > 0 {
        counter.all_done.notified().await;
    }
    loop {
        let (s, pending) = tokio::task::spawn_blocking(move || {
            let p = store.pending();
            (store, p)
        })
        .await
        .map_err(|e| JobsError::Runner(e.to_string()))?;
        store = s;
        if pending? == (0, 0) {
            break;
        }
        tokio::time::sleep(Duration::from_millis(2)).await;
    }
    let total_ms = start.elapsed().as_secs_f64() * 1000.0;

    // 2. The same CPU work with and without 1,000 progress reports a second.
    let t = Instant::now();
    let probe = 1u64 << 26;
    spin(1, probe);
    let iters_per_ms = (probe as f64 / (t.elapsed().as_secs_f64() * 1000.0)).max(1.0) as u64;
    let mut events = runner.subscribe();
    let mut heard = 0;
    let (mut without, mut with) = (Vec::new(), Vec::new());
    for _ in 0..rounds.max(1) {
        for report in [false, true] {
            let job =
                NewJob::new("bench.work", json!({ "chunks": 1000, "iters": iters_per_ms, "report": report }));
            let now = crate::queue::system_clock()();
            let id = store.enqueue(&job, now)?;
            runner.wake();
            let result = wait_for(&mut events, id, &mut heard).await?;
            let ms = result["elapsed_us"].as_u64().unwrap_or(0) as f64 / 1000.0;
            if report { with.push(ms) } else { without.push(ms) }
        }
    }
    let calls = 1_000_000u64;
    let id = store.enqueue(&NewJob::new("bench.calls", json!(calls)), crate::queue::system_clock()())?;
    runner.wake();
    let result = wait_for(&mut events, id, &mut 0).await?;
    let progress_call_ns = result["elapsed_ns"].as_u64().unwrap_or(0) as f64 / calls as f64;
    runner.shutdown(Duration::from_secs(5)).await;
    let median = |v: &mut Vec<f64>| {
        v.sort_by(f64::total_cmp);
        v[v.len() / 2]
    };
    let (without, with) = (median(&mut without), median(&mut with));
    Ok(JobsBench {
        jobs,
        enqueue_ms,
        total_ms,
        jobs_per_second: jobs as f64 / (total_ms / 1000.0),
        progress_updates_per_second: 1000.0 / (with / 1000.0),
        work_without_progress_ms: without,
        work_with_progress_ms: with,
        progress_overhead_percent: (with - without) / without * 100.0,
        progress_call_ns,
        // 1,000 calls in each second of the job: 1,000 × ns out of 10⁹ ns.
        progress_call_share_percent: progress_call_ns * 1000.0 / 1e9 * 100.0,
        progress_events_heard: heard,
        rounds: rounds.max(1),
    })
}
