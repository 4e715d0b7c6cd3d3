//! The CLI's `--json` is the window's contract: every output reads as the `vitrina_app::ipc` DTO
//! the window receives for the same thing (the types of `ui/src/lib/ipc/types.ts`) and writes
//! back as exactly what was printed, so no field is missing, renamed, of another type or extra;
//! an error with `--json` is the window's `AppError` (`IpcError`): `{code, message}` on stderr.

use std::any::type_name;
use std::path::Path;

use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::Value;
use vitrina_app::ipc::*;
use vitrina_app::{AppError, ErrorCode};

use crate::support::{fixture, ok_json, run};

/// Runs `vitrina … --json` and reads what it printed as a `T`, which must give back exactly
/// that JSON.
pub fn dto<T: DeserializeOwned + Serialize>(db: &Path, args: &[&str]) -> T {
    let printed = ok_json(db, args);
    same_shape(args, printed)
}

fn same_shape<T: DeserializeOwned + Serialize>(args: &[&str], printed: Value) -> T {
    let value: T = serde_json::from_value(printed.clone())
        .unwrap_or_else(|e| panic!("{args:?} did not print a {}: {e}\n{printed:#}", type_name::<T>()));
    let back = serde_json::to_value(&value).unwrap();
    assert_eq!(back, printed, "{args:?} printed something other than a {}", type_name::<T>());
    value
}

/// Runs `vitrina … --json`, which must fail with the error on stderr as `{code, message}`.
pub fn error(db: &Path, args: &[&str]) -> AppError {
    let out = run(db, &[args, &["--json"]].concat());
    assert_eq!(out.status.code(), Some(1), "{args:?} should fail");
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(err.trim().lines().count(), 1, "one line: {err}");
    same_shape(args, serde_json::from_str(err.trim()).unwrap_or_else(|e| panic!("not JSON ({e}): {err}")))
}

#[test]
fn catalog_and_job_commands_print_the_windows_dtos() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("shop.db");
    ok_json(&db, &["demo", "--products", "60"]);

    let page: ProductPageDto = dto(&db, &["products", "list", "--sort", "price", "--limit", "5"]);
    assert_eq!(page.rows.len(), 5);
    assert!(page.next.is_some());
    assert!(page.rows.windows(2).all(|w| w[0].price.minor <= w[1].price.minor), "{page:?}");
    let sku = page.rows[0].sku.clone();
    let found: ProductSearchDto = dto(&db, &["products", "search", &sku]);
    assert!(found.rows.iter().any(|r| r.sku == sku), "{found:?}");

    let shown: ProductDto = dto(&db, &["products", "show", &sku]);
    assert_eq!((shown.sku.as_str(), &shown.price), (sku.as_str(), &page.rows[0].price));
    assert_eq!(shown.fields.len(), 17, "every editable field: {:?}", shown.fields);
    let saved: ProductDto = dto(&db, &["products", "set", &sku, "price=1 299,50", "cost=700", "stock=3"]);
    assert_eq!((saved.price.minor, saved.price.text.as_str(), saved.stock), (129_950, "1 299,50", 3));
    assert_eq!(saved.cost.as_ref().map(|c| c.minor), Some(70_000));
    let history: Vec<HistoryEntryDto> = dto(&db, &["products", "history", &sku]);
    assert!(history.iter().any(|h| h.field == "price"), "{history:?}");
    let undone: UndoDto = dto(&db, &["products", "undo", &sku]);
    assert!(undone.fields.iter().any(|f| f == "price"), "{undone:?}");
    let tree: Vec<CategoryDto> = dto(&db, &["categories", "tree"]);
    assert!(tree.iter().any(|c| c.depth == 0 && c.products > 0));
    let stats: StatsDto = dto(&db, &["stats"]);
    assert_eq!(stats.products, 60);
    let info: vitrina_app::ipc::CatalogInfo = dto(&db, &["init"]);
    assert_eq!((info.path.as_str(), info.products), (db.to_str().unwrap(), 60));
    assert_eq!(stats.in_stock + stats.out_of_stock, 60);

    // Jobs: waited for, queued, cancelled, retried, listed, with their logs and the kinds.
    let done: JobDetailDto = dto(&db, &["jobs", "run", "catalog.reprice", "percent=10"]);
    assert_eq!((done.job.kind.as_str(), done.job.state), ("catalog.reprice", JobStateDto::Succeeded));
    assert!(done.result.as_ref().is_some_and(|r| r["changed"].as_u64() > Some(0)), "{done:?}");
    let shown: JobDetailDto = dto(&db, &["jobs", "show", &done.job.id]);
    assert_eq!(
        (shown.job.id.as_str(), shown.payload["percent"].as_f64()),
        (done.job.id.as_str(), Some(10.0))
    );
    assert!(!shown.logs.is_empty());
    let logs: Vec<JobLogDto> = dto(&db, &["jobs", "logs", &done.job.id]);
    assert!(logs.iter().any(|l| l.message == "finished"), "{logs:?}");
    let queued: JobDto = dto(&db, &["jobs", "run", "catalog.analyze", "--detach"]);
    assert_eq!(queued.state, JobStateDto::Queued);
    let cancel: JobCancelDto = dto(&db, &["jobs", "cancel", &queued.id]);
    assert_eq!((cancel.outcome, cancel.job.state), (CancelOutcomeDto::Cancelled, JobStateDto::Cancelled));
    let again: JobDto = dto(&db, &["jobs", "retry", &queued.id, "--detach"]);
    assert_eq!(again.state, JobStateDto::Queued);
    let waited: JobDetailDto = dto(&db, &["jobs", "wait", &queued.id]);
    assert_eq!(waited.job.state, JobStateDto::Succeeded);
    let list: Vec<JobDto> = dto(&db, &["jobs", "list"]);
    assert_eq!(list.len(), 2);

    // A worker reports every event but progress as a line of JSON.
    let queued: JobDto = dto(&db, &["jobs", "run", "catalog.analyze", "--detach"]);
    let args = ["worker", "--no-schedules", "--until-idle", "--json"];
    let out = run(&db, &args);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let events: Vec<WorkerEventDto> = String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|line| same_shape(&args, serde_json::from_str(line).unwrap()))
        .collect();
    let finished = |e: &WorkerEventDto| matches!(e, WorkerEventDto::Finished { id, state: JobStateDto::Succeeded, .. } if *id == queued.id);
    assert!(events.iter().any(finished), "{events:?}");
    assert!(!events.iter().any(|e| matches!(e, WorkerEventDto::Progress { .. })));
    let kinds: Vec<JobKindDto> = dto(&db, &["jobs", "kinds"]);
    assert!(kinds.iter().any(|k| k.kind == "import.supplier"), "{kinds:?}");

    // Schedules.
    let added: ScheduleDto =
        dto(&db, &["schedules", "add", "nightly", "--kind", "catalog.analyze", "--cron", "0 3 * * *"]);
    assert_eq!(added.cadence, CadenceDto::Cron { expression: "0 3 * * *".into() });
    assert!(added.enabled && added.next_run_at.is_some());
    let every: ScheduleDto =
        dto(&db, &["schedules", "add", "often", "--kind", "catalog.analyze", "--every", "15m"]);
    assert_eq!(every.cadence, CadenceDto::Every { ms: 15 * 60 * 1000 });
    let off: ScheduleDto = dto(&db, &["schedules", "disable", "nightly"]);
    assert!(!off.enabled);
    let all: Vec<ScheduleDto> = dto(&db, &["schedules", "list"]);
    assert_eq!(all.len(), 2);
    let removed: ScheduleDto = dto(&db, &["schedules", "remove", "often"]);
    assert_eq!(removed.name, "often");

    let images: ImageStatusDto = dto(&db, &["images", "status"]);
    assert_eq!(images.to_download, images.pending + images.retry_due);

    // Errors are the window's, with the code to branch on.
    let missing = error(&db, &["products", "show", "NO-SUCH-SKU"]);
    assert_eq!(missing.code, ErrorCode::NotFound, "{missing:?}");
    assert!(missing.message.contains("NO-SUCH-SKU"));
    assert_eq!(error(&db, &["products", "set", &sku, "price=-5"]).code, ErrorCode::Invalid);
    assert_eq!(error(&db, &["jobs", "run", "catalog.reprice", "percent=ten"]).code, ErrorCode::Invalid);
    assert_eq!(error(&db, &["jobs", "retry", &done.job.id]).code, ErrorCode::Conflict);
    assert_eq!(error(&db, &["schedules", "remove", "nobody"]).code, ErrorCode::NotFound);
}

#[test]
fn supplier_and_import_commands_print_the_windows_dtos() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("shop.db");
    let csv = fixture("price-1251.csv");
    let csv = csv.to_str().unwrap();

    let added: SupplierDetail = dto(&db, &["suppliers", "add", "Прайс", "--source", csv, "--priority", "2"]);
    assert_eq!((added.name.as_str(), added.priority, added.feeds.len()), ("Прайс", Some(2), 1));
    assert_eq!((added.feeds[0].auth, added.feeds[0].has_mapping), (FeedAuthKind::None, false));
    let preview: PreviewDto = dto(&db, &["suppliers", "map", "Прайс", "--rows", "3"]);
    assert_eq!((preview.encoding.as_deref(), preview.items.len()), (Some("windows-1251"), 3));
    let mapped: PreviewDto = dto(&db, &["suppliers", "map", "Прайс", "Цена, руб.=cost"]);
    assert!(mapped.mapping.fields.iter().any(|f| f.source == "Цена, руб." && f.target == TargetDto::Cost));
    let set: SupplierDetail =
        dto(&db, &["suppliers", "set", "Прайс", "--markup", "30", "--round", "9", "--gone", "archive"]);
    assert_eq!((set.settings.markup_percent.as_str(), set.settings.rounding), ("30", RoundingDto::EndIn9));
    assert_eq!(set.settings.gone, GoneDto::Archive);
    let fed: SupplierDetail = dto(&db, &["suppliers", "source", "Прайс", csv, "--delimiter", ";"]);
    assert_eq!(fed.feeds[0].read.delimiter.as_deref(), Some(";"));
    assert!(fed.feeds[0].has_mapping, "the mapping stays");

    let report: ImportReportDto = dto(&db, &["import", "Прайс"]);
    assert_eq!((report.run.state, report.run.created, report.run.rejected), (RunStateDto::Succeeded, 29, 1));
    assert_eq!((report.issues[0].kind, report.issues[0].value.as_str()), (IssueKindDto::Rejected, "-500"));
    assert!(!report.capped);
    let runs: Vec<RunDto> = dto(&db, &["import", "runs"]);
    assert_eq!(runs[0].id, report.run.id);
    let by_id: ImportReportDto = dto(&db, &["import", "report", &report.run.id, "--limit", "0"]);
    assert!(by_id.issues.is_empty() && by_id.capped, "{by_id:?}");
    let list: Vec<SupplierListItem> = dto(&db, &["suppliers", "list"]);
    assert_eq!(list[0].last_run.as_ref().map(|r| r.created), Some(29));
    assert_eq!(list[0].main_feed.as_deref(), Some(csv));
    let shown: SupplierDetail = dto(&db, &["suppliers", "show", "Прайс"]);
    assert_eq!((shown.offers, shown.runs.len()), (29, 1));
    // The settings document goes back as it came.
    let document = shown.settings_document.clone().expect("the settings document").to_string();
    let again: SupplierDetail = dto(&db, &["suppliers", "set", "Прайс", "--settings-json", &document]);
    assert_eq!((&again.settings, &again.settings_document), (&shown.settings, &shown.settings_document));
    let categories: Vec<CategoryMappingDto> = dto(&db, &["suppliers", "categories", "Прайс"]);
    assert!(categories.iter().all(|c| !c.supplier_category.is_empty()), "{categories:?}");

    // Queued for a worker (not run here: the import also queued a download of its pictures).
    let queued: JobDto = dto(&db, &["import", "Прайс", "--detach"]);
    assert_eq!((queued.kind.as_str(), queued.state), ("import.supplier", JobStateDto::Queued));
    let cancel: JobCancelDto = dto(&db, &["jobs", "cancel", &queued.id]);
    assert_eq!(cancel.outcome, CancelOutcomeDto::Cancelled);

    assert_eq!(error(&db, &["suppliers", "show", "Нет такого"]).code, ErrorCode::NotFound);
    assert_eq!(error(&db, &["suppliers", "set", "Прайс", "--gone", "never"]).code, ErrorCode::Invalid);
    // A waited import that fails prints no report, and says why as an error.
    let gone = dir.path().join("gone.csv");
    let failed = error(&db, &["import", "Прайс", gone.to_str().unwrap()]);
    assert!(failed.message.contains("does not exist"), "{failed:?}");
}
