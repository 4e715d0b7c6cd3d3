//! Runs the catalog's jobs in this process and forwards their events to the UI, coalesced:
//! at most one `jobs-pulse` event every 250 ms, carrying each changed job once.

use std::collections::BTreeSet;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tauri::{AppHandle, Emitter};
use tauri_plugin_notification::NotificationExt;
use vitrina_app::ipc::{JobLogDto, JobLogEntry, JobsPulse};
use vitrina_app::jobs::{JobEvent, JobState, WorkerExit, WorkerOptions};
use vitrina_app::session::Session;

#[derive(Default)]
struct Pending {
    jobs: BTreeSet<String>,
    logs: Vec<JobLogEntry>,
    catalog_changed: bool,
}

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
                    JobEvent::Log { id, line } => {
                        p.logs.push(JobLogEntry { job: id.to_string(), line: JobLogDto::from(line) })
                    }
                    JobEvent::Finished { kind, state, error, .. } => {
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
                let jobs = batch.jobs.iter().filter_map(|id| session.job(id).ok()).collect();
                let pulse = JobsPulse { jobs, logs: batch.logs, catalog_changed: batch.catalog_changed };
                if app.emit("jobs-pulse", pulse).is_err() {
                    return;
                }
            }
        })
        .ok();
}
