//! Runs the catalog's jobs in this process and forwards their events to the UI, coalesced:
//! at most one `jobs-pulse` event every 250 ms, carrying each changed job once.

use std::collections::{BTreeSet, HashMap};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tauri::{AppHandle, Emitter};
use tauri_plugin_notification::NotificationExt;
use vitrina_app::ipc::{JobLogDto, JobLogEntry, JobsPulse};
use vitrina_app::jobs::{JobEvent, JobState, Progress, WorkerExit, WorkerOptions};
use vitrina_app::session::Session;

#[derive(Default)]
struct Pending {
    jobs: BTreeSet<String>,
    logs: Vec<JobLogEntry>,
    catalog_changed: bool,
}

/// The progress each job last reported here: what the window shows while the job holds the
/// catalog's write lock and its progress cannot be stored.
type Live = Arc<Mutex<HashMap<String, Progress>>>;

pub fn start(app: AppHandle, session: Arc<Session>) {
    let Ok(jobs) = session.jobs() else { return };
    let mut worker = match jobs.start_worker(&WorkerOptions::default()) {
        Ok(w) => w,
        Err(e) => {
            tracing::warn!(error = %e, "jobs are not run by this window");
            return;
        }
    };
    let pending = Arc::new(Mutex::new(Pending::default()));
    let live: Live = Arc::default();
    let report = live.clone();
    let collect = pending.clone();
    let notify = app.clone();
    let exit = app.clone();
    std::thread::Builder::new()
        .name("vitrina-worker".into())
        .spawn(move || {
            let result = worker.run(false, &mut |event| {
                let Ok(mut p) = collect.lock() else { return };
                if let Some(id) = event.job() {
                    p.jobs.insert(id.to_string());
                }
                match event {
                    JobEvent::Progress { id, progress, .. } => {
                        if let Ok(mut l) = report.lock() {
                            l.insert(id.to_string(), progress.clone());
                        }
                    }
                    JobEvent::Log { id, line } => {
                        p.logs.push(JobLogEntry { job: id.to_string(), line: JobLogDto::from(line) })
                    }
                    JobEvent::Finished { id, kind, state, error, .. } => {
                        if let Ok(mut l) = report.lock() {
                            l.remove(&id.to_string());
                        }
                        p.catalog_changed |= *state == JobState::Succeeded || kind.starts_with("catalog.");
                        let body = match error {
                            Some(e) => format!("{kind}: {e}"),
                            None => format!("{kind}: {state}"),
                        };
                        let _ = notify.notification().builder().title("Vitrina").body(body).show();
                    }
                    _ => {}
                }
            });
            if let Ok(WorkerExit::Interrupted) = result {
                exit.exit(0);
            }
        })
        .ok();
    std::thread::Builder::new()
        .name("vitrina-pulse".into())
        .spawn(move || {
            loop {
                std::thread::sleep(Duration::from_millis(250));
                let batch = match pending.lock() {
                    Ok(mut p) => std::mem::take(&mut *p),
                    Err(_) => return,
                };
                if batch.jobs.is_empty() && batch.logs.is_empty() {
                    continue;
                }
                let live = live.lock().map(|l| l.clone()).unwrap_or_default();
                let jobs = batch
                    .jobs
                    .iter()
                    .filter_map(|id| session.job(id).ok().map(|j| j.with_live_progress(live.get(id))))
                    .collect();
                let pulse = JobsPulse { jobs, logs: batch.logs, catalog_changed: batch.catalog_changed };
                if app.emit("jobs-pulse", pulse).is_err() {
                    return;
                }
            }
        })
        .ok();
}
