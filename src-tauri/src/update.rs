//! Update checks. The public key and endpoint come from `tauri.conf.json` and can be replaced
//! at run time (`VITRINA_UPDATE_PUBKEY`, `VITRINA_UPDATE_ENDPOINT`). A check never blocks
//! start-up and fails quietly: offline, it only writes a log line.

use std::time::Duration;

use tauri::{AppHandle, Runtime};
use tauri_plugin_notification::NotificationExt;
use tauri_plugin_updater::UpdaterExt;
use vitrina_app::ipc::UpdateStatus;

pub fn plugin<R: Runtime>() -> tauri::plugin::TauriPlugin<R, tauri_plugin_updater::Config> {
    let mut builder = tauri_plugin_updater::Builder::new();
    if let Some(key) = std::env::var("VITRINA_UPDATE_PUBKEY").ok().filter(|k| !k.trim().is_empty()) {
        builder = builder.pubkey(key);
    }
    builder.build()
}

pub async fn check(app: &AppHandle) -> UpdateStatus {
    let unavailable = |reason: String| {
        tracing::info!(%reason, "update check did not complete");
        UpdateStatus::Unavailable { reason }
    };
    let mut builder = app.updater_builder().timeout(Duration::from_secs(15));
    if let Some(url) = std::env::var("VITRINA_UPDATE_ENDPOINT").ok().filter(|u| !u.trim().is_empty()) {
        match url.parse::<tauri::Url>().map_err(|e| e.to_string()).and_then(|u| {
            tauri_plugin_updater::UpdaterBuilder::endpoints(builder, vec![u]).map_err(|e| e.to_string())
        }) {
            Ok(b) => builder = b,
            Err(e) => return unavailable(format!("VITRINA_UPDATE_ENDPOINT is not a usable address: {e}")),
        }
    }
    let updater = match builder.build() {
        Ok(u) => u,
        Err(e) => return unavailable(e.to_string()),
    };
    match updater.check().await {
        Ok(Some(update)) => {
            UpdateStatus::Available { version: update.version.clone(), notes: update.body.clone() }
        }
        Ok(None) => UpdateStatus::UpToDate,
        Err(e) => unavailable(e.to_string()),
    }
}

/// Checks once, a little after start-up, and tells the person when an update is available.
/// `VITRINA_UPDATE_CHECK=0` turns it off.
pub fn check_in_background(app: AppHandle) {
    if std::env::var("VITRINA_UPDATE_CHECK").as_deref() == Ok("0") {
        return;
    }
    tauri::async_runtime::spawn(async move {
        tokio::time::sleep(Duration::from_secs(10)).await;
        if let UpdateStatus::Available { version, .. } = check(&app).await {
            let _ = app
                .notification()
                .builder()
                .title("Vitrina")
                .body(format!("Доступна версия {version} / Version {version} is available"))
                .show();
        }
    });
}
