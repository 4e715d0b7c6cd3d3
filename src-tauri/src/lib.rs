//! Vitrina's desktop shell: the Tauri window, its plugins, and commands that adapt
//! [`vitrina_app::session::Session`] for the UI. Commands hold no logic: each takes the
//! session, calls one method on a blocking thread, and returns DTOs or `{code, message}`.
//!
//! Nothing else in the workspace depends on Tauri.

mod commands;
mod pulse;
mod team;
mod update;

use tauri::Manager;
use tracing_subscriber::EnvFilter;
use vitrina_app::session::Session;

/// When the process started, for the cold-start figure.
static STARTED: std::sync::OnceLock<std::time::Instant> = std::sync::OnceLock::new();

/// Starts the window. `VITRINA_DB` opens a given catalog; `VITRINA_HOME` moves the data folder.
pub fn run() {
    STARTED.get_or_init(std::time::Instant::now);
    // A window open all day keeps SQLite's caches small (the OS file cache still holds the
    // catalog); bulk jobs run in this process too and are barely slower for it.
    vitrina_app::set_memory_budget(vitrina_app::MemoryBudget::WINDOW);
    let _log_guard = init_tracing(&vitrina_app::paths::log_dir(&vitrina_app::paths::data_dir()));
    // The catalog opens on its own thread while the window and its web view start.
    let session = Session::start_default(std::env::var_os("VITRINA_DB").map(Into::into));
    tracing::info!(version = env!("CARGO_PKG_VERSION"), "Vitrina desktop starting");

    let result = tauri::Builder::default()
        // First, so a second launch only focuses the running window.
        .plugin(tauri_plugin_single_instance::init(|app, _args, _cwd| {
            if let Some(w) = app.get_webview_window("main") {
                let _ = w.unminimize();
                let _ = w.set_focus();
            }
        }))
        .plugin(tauri_plugin_dialog::init())
        .plugin(tauri_plugin_notification::init())
        .plugin(update::plugin())
        .manage(session.clone())
        .manage(pulse::Worker::default())
        .setup(move |app| {
            // Off the main thread: the job worker needs the catalog, which may still be opening.
            // It runs on Tauri's async runtime.
            let (handle, jobs_session) = (app.handle().clone(), session.clone());
            std::thread::spawn(move || pulse::start(handle, jobs_session));
            // The team's background sync, when the catalog is in a team, on the same runtime.
            let team_session = session.clone();
            std::thread::spawn(move || {
                team_session.run_team_sync_on(tauri::async_runtime::handle().inner().clone())
            });
            update::check_in_background(app.handle().clone());
            Ok(())
        })
        .invoke_handler(tauri::generate_handler![
            commands::startup,
            commands::table_info,
            commands::table_rows,
            commands::facets,
            commands::bulk_edit,
            commands::product,
            commands::edit_field,
            commands::history,
            commands::undo,
            commands::job_list,
            commands::job_logs,
            commands::job_cancel,
            commands::job_retry,
            commands::job_start,
            commands::settings,
            commands::set_language,
            commands::choose_catalog,
            commands::open_demo,
            commands::secrets,
            commands::set_secret,
            team::team_status,
            team::team_init,
            team::team_join,
            team::team_sync,
            team::team_invite,
            team::team_members,
            team::team_set_role,
            team::team_leave,
            team::conflicts,
            commands::check_update,
            commands::suppliers,
            commands::supplier,
            commands::add_supplier,
            commands::pick_supplier_file,
            commands::set_feed,
            commands::remove_feed,
            commands::mapping_targets,
            commands::preview_feed,
            commands::save_mapping,
            commands::save_supplier_settings,
            commands::import_now,
            commands::import_runs,
            commands::import_report,
            commands::export_import_report,
            commands::feed_profiles,
            commands::feed_profile_save,
            commands::feed_profile_remove,
            commands::feed_preview,
            commands::feeds_export,
            commands::pick_feed_output,
            commands::open_folder,
            commands::price_list_write,
            commands::spec_sheet_write,
            commands::cycle_run,
            commands::cycle_schedule,
            commands::cycle_set_schedule,
            commands::market_accounts,
            commands::market_account_add,
            commands::market_account_remove,
            commands::market_account_check,
            commands::market_precheck,
            commands::market_account_demo,
            commands::market_account_settings,
            commands::market_dicts_refresh,
            commands::market_categories,
            commands::market_category_map,
            commands::market_category_set,
            commands::market_auto_map,
            commands::market_attributes,
            commands::market_attribute_set,
            commands::market_attribute_values,
            commands::market_value_set,
            commands::market_dictionary_values,
            commands::market_publish,
            commands::market_push,
            commands::market_job_result,
            commands::market_links,
            commands::market_outbox,
            commands::market_retry,
            commands::market_pull_cards,
            commands::product_market,
            commands::ai_providers,
            commands::ai_provider_add,
            commands::ai_provider_set,
            commands::ai_provider_remove,
            commands::ai_provider_check,
            commands::ai_rule_check,
            commands::ai_run,
            commands::ai_job_result,
            commands::ai_runs,
            commands::ai_product_results,
            commands::ai_suggestions,
            commands::ai_pending_count,
            commands::ai_accept,
            commands::ai_reject,
            commands::ai_prompt,
            commands::ai_prompt_save,
            commands::ui_ready,
            commands::ui_timing,
        ])
        .build(tauri::generate_context!());
    match result {
        Ok(app) => app.run(|app, event| {
            if let tauri::RunEvent::Exit = event {
                pulse::stop(app);
            }
        }),
        Err(e) => {
            tracing::error!(error = %e, "the window failed");
            eprintln!("Vitrina could not start its window: {e}");
            std::process::exit(1);
        }
    }
}

/// Logs to daily files in the data folder's `logs/` (kept 14 days) and to stderr.
fn init_tracing(dir: &std::path::Path) -> Option<tracing_appender::non_blocking::WorkerGuard> {
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info"));
    let _ = std::fs::create_dir_all(dir);
    let appender = tracing_appender::rolling::Builder::new()
        .rotation(tracing_appender::rolling::Rotation::DAILY)
        .filename_prefix("vitrina")
        .filename_suffix("log")
        .max_log_files(14)
        .build(dir);
    match appender {
        Ok(appender) => {
            let (writer, guard) = tracing_appender::non_blocking(appender);
            use tracing_subscriber::layer::SubscriberExt;
            use tracing_subscriber::util::SubscriberInitExt;
            let _ = tracing_subscriber::registry()
                .with(filter)
                .with(tracing_subscriber::fmt::layer().with_writer(writer).with_ansi(false))
                .with(tracing_subscriber::fmt::layer().with_writer(std::io::stderr))
                .try_init();
            Some(guard)
        }
        Err(e) => {
            let _ = tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stderr).try_init();
            tracing::warn!(error = %e, dir = %dir.display(), "cannot write log files; logging to stderr only");
            None
        }
    }
}
