//! Runs the catalog's jobs on Tauri's async runtime and forwards them to the window: the
//! worker's events go to a [`Pulse`] (`vitrina_app::pulse`, where the coalescing, the
//! "catalog changed" rule and the notification wording live); every [`TICK`] this emits what
//! it hands over as `jobs-pulse` and shows its notifications. Nothing is decided here.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use tauri::{AppHandle, Emitter, Manager};
use tauri_plugin_notification::NotificationExt;
use vitrina_app::pulse::{Pulse, TICK};
use vitrina_app::session::Session;
use vitrina_app::worker::{SpawnedWorker, WorkerOptions, interrupted};

/// How long running jobs get to stop when the app exits; then they go back to the queue.
const EXIT_GRACE: Duration = Duration::from_secs(5);

/// The job worker this window runs (none when another process runs the catalog's jobs).
#[derive(Default)]
pub struct Worker(Mutex<Option<SpawnedWorker>>);

/// Starts the worker and the pulse. Waits for the catalog, so it runs on a thread of its own.
pub fn start(app: AppHandle, session: Arc<Session>) {
    let Ok(jobs) = session.jobs() else { return };
    let pulse = Arc::new(Pulse::new());
    let recorder = pulse.clone();
    let runtime = tauri::async_runtime::handle();
    let worker =
        match jobs.spawn_worker(runtime.inner(), &WorkerOptions::default(), move |e| recorder.record(e)) {
            Ok(w) => w,
            Err(e) => {
                tracing::warn!(error = %e, "jobs are not run by this window");
                return;
            }
        };
    if let Ok(mut slot) = app.state::<Worker>().0.lock() {
        *slot = Some(worker);
    }
    tauri::async_runtime::spawn(forward(app.clone(), session, pulse));
    // Ctrl-C or SIGTERM closes the app the ordinary way, which stops the worker (see `stop`).
    tauri::async_runtime::spawn(async move {
        interrupted().await;
        app.exit(0);
    });
}

async fn forward(app: AppHandle, session: Arc<Session>, pulse: Arc<Pulse>) {
    let mut tick = tokio::time::interval(TICK);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
    loop {
        tick.tick().await;
        let (s, p) = (session.clone(), pulse.clone());
        // Reading the changed jobs is a blocking call.
        let Ok(beat) = tauri::async_runtime::spawn_blocking(move || p.tick(&s)).await else { return };
        let Some(beat) = beat else { continue };
        for n in &beat.notices {
            let _ = app.notification().builder().title(&n.title).body(&n.body).show();
        }
        if app.emit("jobs-pulse", beat.pulse).is_err() {
            return;
        }
    }
}

/// Stops the worker as the app exits: running jobs are asked to stop and go back to the queue.
pub fn stop(app: &AppHandle) {
    let worker = app.try_state::<Worker>().and_then(|w| w.0.lock().ok()?.take());
    if let Some(worker) = worker {
        tauri::async_runtime::block_on(worker.shutdown(EXIT_GRACE));
    }
}
