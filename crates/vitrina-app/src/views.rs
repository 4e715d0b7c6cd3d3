//! The DTOs both front ends show, built from the application's data in one place. The window's
//! [`Session`](crate::session::Session) and the `vitrina` CLI call these (the CLI prints the
//! result as JSON with `--json`, or reads its tables from it), so a script and the window see the
//! same value. Plain conversions live in `ipc/` as `From` impls; what needs more than one call
//! (the catalog, the job queue, the store of secrets) lives here.

use std::path::Path;

use crate::catalog::App;
use crate::error::{AppError, AppResult, ErrorCode};
use crate::imports::{SupplierSummary, source_secret_name};
use crate::ipc::*;
use crate::jobs::Jobs;
use crate::secrets::Secrets;

/// A store of secrets that refused (`Io` from `secrets`) is `Keyring` to the front ends.
pub(crate) fn keyring_error(e: AppError) -> AppError {
    match e.code {
        ErrorCode::Io => AppError::new(ErrorCode::Keyring, e.message),
        _ => e,
    }
}

// ---- products ----

/// One page of products: the window's filters and sort, after a cursor.
pub fn product_page(
    app: &App,
    query: &TableQuery,
    after: Option<&str>,
    limit: u32,
) -> AppResult<ProductPageDto> {
    let mut filter = query.filter.to_filter()?;
    // A text that matches nothing as typed is read as most likely meant, as the window does.
    let mut correction = None;
    if let Some(text) = filter.text.clone()
        && query.as_typed != Some(true)
        && let Some(c) = app.correct_query(&text)?
    {
        filter.text = Some(c.query.clone());
        correction = Some(crate::ipc::CorrectionDto::of(&text, c));
    }
    let list = crate::ListQuery {
        filter,
        sort: query.sort.into(),
        descending: query.descending,
        after: after.map(|a| crate::Cursor(a.to_string())),
        limit,
    };
    let mut page: ProductPageDto = app.list(&list)?.into();
    page.correction = correction;
    Ok(page)
}

/// Applies edits (all or none) and returns the product as it is now.
/// Saves `edits`; with `jobs`, a price or stock edit an import keeps out of the catalog is held
/// and pushed to the marketplaces at once (an error with code `held`), and a saved one queues
/// the marketplaces' auto-push.
pub fn edit_product(
    app: &App,
    key: &str,
    edits: &[crate::FieldEdit],
    jobs: Option<&Jobs>,
) -> AppResult<ProductDto> {
    let saved = match jobs {
        None => app.edit(key, edits)?,
        Some(jobs) => match app.edit_or_hold(key, edits, jobs)? {
            crate::held_edits::EditOutcome::Saved(p) => {
                let now = chrono::Utc::now().timestamp_millis();
                if let Err(e) = crate::market::auto_push::queue_auto_push(app, jobs, now) {
                    tracing::warn!(error = %e, "the marketplaces' auto-push could not be queued");
                }
                p
            }
            crate::held_edits::EditOutcome::Held { pushes, job } => {
                return Err(AppError::new(
                    ErrorCode::Held,
                    format!(
                        "the catalog is busy with an import: the new value went to {pushes} marketplace accounts and is written to the catalog when the import ends (job {})",
                        job.id
                    ),
                ));
            }
        },
    };
    Ok(app.product(&saved.id.to_string())?.into())
}

// ---- jobs ----

/// A job with its payload, result, latest log lines and children.
pub fn job_detail(jobs: &Jobs, id: &str) -> AppResult<JobDetailDto> {
    Ok((&jobs.show(id)?).into())
}

/// Asks a job to stop (a queued one is cancelled at once) and says what happened.
pub fn cancel_job(jobs: &Jobs, id: &str) -> AppResult<JobCancelDto> {
    let view = jobs.cancel(id)?;
    let job = jobs.get(&view.id.to_string())?;
    Ok(JobCancelDto::new(&view, &job))
}

// ---- suppliers and imports ----

/// Every supplier with its offers and last run.
pub fn suppliers(app: &App) -> AppResult<Vec<SupplierListItem>> {
    Ok(app.suppliers()?.iter().map(SupplierListItem::from).collect())
}

/// A supplier's page: feeds (with whether each sign-in's secret is stored), mapping, settings
/// and its latest `runs` runs. Only feeds that sign in ask the store of secrets.
pub fn supplier(app: &App, secrets: &Secrets, key: &str, runs: u32) -> AppResult<SupplierDetail> {
    let summary = app.supplier(key)?;
    let runs = app.import_runs(Some(&summary.id.to_string()), runs)?;
    detail(app, secrets, &summary, &runs)
}

fn detail(
    app: &App,
    secrets: &Secrets,
    s: &SupplierSummary,
    runs: &[vitrina_store::imports::RunRecord],
) -> AppResult<SupplierDetail> {
    use vitrina_import::source::{Auth, SourceSpec};
    let config = app.catalog()?.supplier_config(s.id).map_err(AppError::from)?;
    let mut feeds = Vec::new();
    for view in &s.sources {
        let spec = config
            .sources
            .iter()
            .find(|r| r.position == view.position)
            .and_then(|r| serde_json::from_str::<SourceSpec>(&r.spec).ok());
        let (auth, auth_name) = match spec {
            Some(SourceSpec::Url { auth: Auth::Basic { user }, .. }) => (FeedAuthKind::Basic, user),
            Some(SourceSpec::Url { auth: Auth::Header { name }, .. }) => (FeedAuthKind::Header, name),
            _ => (FeedAuthKind::None, String::new()),
        };
        let secret_set = auth != FeedAuthKind::None
            && secrets.feed_secret_set(&source_secret_name(s.id, view.position)).map_err(keyring_error)?;
        feeds.push(FeedDto {
            position: view.position,
            location: view.location.clone(),
            is_url: view.is_url,
            auth,
            auth_name,
            secret_set,
            read: (&view.read).into(),
            has_mapping: view.mapping.is_some(),
        });
    }
    Ok(SupplierDetail {
        id: s.id.to_string(),
        name: s.name.clone(),
        offers: s.offers,
        priority: Some(s.priority),
        policy: Some(s.policy.clone()),
        mapping: s.sources.iter().find(|f| f.position == 0).and_then(|f| f.mapping.as_ref()).map(Into::into),
        feeds,
        settings: (&s.settings).into(),
        settings_document: serde_json::from_str(&s.settings.to_json()).ok(),
        runs: runs.iter().map(RunDto::from).collect(),
    })
}

/// Saves a feed (the next free position adds a supplement) and its secret: `secret` `None`
/// keeps the stored one, `""` removes it. A feed without sign-in removes the secret of one that
/// had it, and otherwise leaves the store of secrets alone.
pub fn set_feed(app: &App, secrets: &Secrets, key: &str, input: &FeedInput) -> AppResult<SupplierSummary> {
    let summary = app.supplier(key)?;
    let before = summary.sources.iter().find(|s| s.position == input.position);
    let read = input
        .read
        .to_settings(&before.map(|s| s.read.clone()).unwrap_or_default())
        .map_err(|m| AppError::new(ErrorCode::Invalid, m))?;
    let had_sign_in = before.is_some_and(|s| s.auth != "none");
    let location = input.location.trim();
    if location.is_empty() {
        return Err(AppError::new(ErrorCode::Invalid, "give the feed's file or link"));
    }
    let auth_name = input.auth_name.trim();
    let auth = match input.auth {
        FeedAuthKind::None => "none".to_string(),
        FeedAuthKind::Basic => format!("basic:{auth_name}"),
        FeedAuthKind::Header => format!("header:{auth_name}"),
    };
    if input.auth != FeedAuthKind::None && auth_name.is_empty() {
        return Err(AppError::new(
            ErrorCode::Invalid,
            "sign-in needs a user name (Basic) or a header name (e.g. Authorization: Bearer)",
        ));
    }
    let saved = app.set_source(&summary.id.to_string(), input.position, location, Some(&auth), &read)?;
    let secret = match input.auth {
        FeedAuthKind::None => had_sign_in.then_some(""),
        _ => input.secret.as_deref(),
    };
    if let Some(secret) = secret {
        secrets
            .set_feed_secret(&source_secret_name(summary.id, input.position), secret)
            .map_err(keyring_error)?;
    }
    Ok(saved)
}

/// A run's report (by run id, or the latest run of a supplier) with at most `cap` issues.
pub fn import_report(app: &App, key: &str, cap: u32) -> AppResult<ImportReportDto> {
    let report = app.import_report(key, cap.saturating_add(1))?;
    Ok(ImportReportDto::new(&report, cap))
}

/// Writes every issue of a run (by run id, or the latest of a supplier) to `path` as CSV (UTF-8
/// with a BOM, for Excel); returns how many.
pub fn export_import_report(app: &App, key: &str, path: &Path) -> AppResult<usize> {
    let report = app.import_report(key, u32::MAX)?;
    let io =
        |e: std::io::Error| AppError::new(ErrorCode::Io, format!("cannot write {}: {e}", path.display()));
    let file = std::fs::File::create(path).map_err(io)?;
    report.write_csv(std::io::BufWriter::new(file)).map_err(io)?;
    tracing::info!(run = %report.run.id, issues = report.issues.len(), "import report exported");
    Ok(report.issues.len())
}

/// The supplier's category paths and the seller's categories they map to.
pub fn category_mappings(app: &App, key: &str) -> AppResult<Vec<CategoryMappingDto>> {
    Ok(app.category_mappings(key)?.into_iter().map(Into::into).collect())
}
