//! The commands the UI invokes. Each runs one session call on a blocking thread (so the
//! window's event loop never waits on the catalog) and returns DTOs or `{code, message}`.

use std::sync::Arc;

use tauri::{AppHandle, State};
use tauri_plugin_dialog::DialogExt;
use vitrina_app::ipc::*;
use vitrina_app::session::Session;

pub(crate) type Cmd<T> = Result<T, AppError>;
pub(crate) type Shared<'a> = State<'a, Arc<Session>>;

pub(crate) async fn blocking<T: Send + 'static>(
    session: &Shared<'_>,
    f: impl FnOnce(&Session) -> Cmd<T> + Send + 'static,
) -> Cmd<T> {
    let session = Arc::clone(session.inner());
    tauri::async_runtime::spawn_blocking(move || f(&session))
        .await
        .map_err(|e| AppError::new(ErrorCode::Internal, format!("the command failed: {e}")))?
}

#[tauri::command]
pub async fn startup(s: Shared<'_>) -> Cmd<StartupState> {
    blocking(&s, |s| Ok(s.startup())).await
}

#[tauri::command]
pub async fn table_info(s: Shared<'_>, query: TableQuery) -> Cmd<TableInfo> {
    blocking(&s, move |s| s.table_info(&query)).await
}

#[tauri::command]
pub async fn table_rows(s: Shared<'_>, query: TableQuery, position: u32, count: u32) -> Cmd<TableRows> {
    blocking(&s, move |s| s.table_rows(&query, position, count)).await
}

#[tauri::command]
pub async fn facets(s: Shared<'_>) -> Cmd<FacetsDto> {
    blocking(&s, |s| s.facets()).await
}

#[tauri::command]
pub async fn bulk_edit(s: Shared<'_>, request: BulkEditRequest) -> Cmd<BulkReport> {
    blocking(&s, move |s| s.bulk_edit(&request)).await
}

#[tauri::command]
pub async fn product(s: Shared<'_>, id: String) -> Cmd<ProductDto> {
    blocking(&s, move |s| s.product(&id)).await
}

#[tauri::command]
pub async fn edit_field(s: Shared<'_>, id: String, field: FieldName, text: String) -> Cmd<ProductDto> {
    blocking(&s, move |s| s.edit_field(&id, field, &text)).await
}

#[tauri::command]
pub async fn history(s: Shared<'_>, id: String) -> Cmd<Vec<HistoryEntryDto>> {
    blocking(&s, move |s| s.history(&id)).await
}

#[tauri::command]
pub async fn undo(s: Shared<'_>, id: String) -> Cmd<ProductDto> {
    blocking(&s, move |s| s.undo(&id)).await
}

#[tauri::command]
pub async fn job_list(s: Shared<'_>) -> Cmd<Vec<JobDto>> {
    blocking(&s, |s| s.job_list()).await
}

#[tauri::command]
pub async fn job_logs(s: Shared<'_>, id: String) -> Cmd<Vec<JobLogDto>> {
    blocking(&s, move |s| s.job_logs(&id)).await
}

#[tauri::command]
pub async fn job_cancel(s: Shared<'_>, id: String) -> Cmd<JobDto> {
    blocking(&s, move |s| s.job_cancel(&id)).await
}

#[tauri::command]
pub async fn job_retry(s: Shared<'_>, id: String) -> Cmd<JobDto> {
    blocking(&s, move |s| s.job_retry(&id)).await
}

#[tauri::command]
pub async fn job_start(s: Shared<'_>, request: JobRequest) -> Cmd<JobDto> {
    blocking(&s, move |s| s.job_start(&request)).await
}

#[tauri::command]
pub async fn settings(s: Shared<'_>) -> Cmd<SettingsDto> {
    blocking(&s, |s| Ok(s.settings())).await
}

#[tauri::command]
pub async fn set_language(s: Shared<'_>, language: Language) -> Cmd<SettingsDto> {
    blocking(&s, move |s| s.set_language(language)).await
}

/// Asks for a catalog file (an existing one, or a new name when `create`), switches to it and
/// restarts the app to open it. `false` when the person cancelled the dialog.
#[tauri::command]
pub async fn choose_catalog(app: AppHandle, s: Shared<'_>, create: bool) -> Cmd<bool> {
    let dialog = app.dialog().file().add_filter("Vitrina", &["db"]);
    let picked = blocking(&s, move |_| {
        Ok(if create {
            dialog.set_file_name("catalog.db").blocking_save_file()
        } else {
            dialog.blocking_pick_file()
        })
    })
    .await?;
    let Some(path) = picked.and_then(|p| p.into_path().ok()) else { return Ok(false) };
    blocking(&s, move |s| s.choose_catalog(&path, create)).await?;
    app.restart()
}

/// Builds the demo catalog (once), switches to it and restarts.
#[tauri::command]
pub async fn open_demo(app: AppHandle, s: Shared<'_>) -> Cmd<()> {
    blocking(&s, |s| s.open_demo()).await?;
    app.restart()
}

#[tauri::command]
pub async fn secrets(s: Shared<'_>) -> Cmd<Vec<SecretStatus>> {
    blocking(&s, |s| s.secrets()).await
}

/// Hands a secret to the OS keyring; the answer says only which secrets are set.
#[tauri::command]
pub async fn set_secret(s: Shared<'_>, name: String, value: String) -> Cmd<Vec<SecretStatus>> {
    blocking(&s, move |s| s.set_secret(&name, &value)).await
}

#[tauri::command]
pub async fn check_update(app: AppHandle) -> Cmd<UpdateStatus> {
    Ok(crate::update::check(&app).await)
}

/// The UI calls this once, when the first catalog rows are on screen: the log then says how long
/// a cold start took (docs/benchmarks.md quotes it).
#[tauri::command]
pub fn ui_ready() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        let ms = crate::STARTED.get().map_or(0, |t| t.elapsed().as_millis() as u64);
        tracing::info!(ms, "interactive: first catalog rows on screen");
    });
}

/// The UI reports how long something took on screen (`search`: keystroke to rows); the log
/// keeps it for the benchmarks.
#[tauri::command]
pub fn ui_timing(what: String, ms: f64) {
    tracing::info!(what = %what, ms = ms.round() as u64, "ui timing");
}

// ---- suppliers ----

#[tauri::command]
pub async fn suppliers(s: Shared<'_>) -> Cmd<Vec<SupplierListItem>> {
    blocking(&s, |s| s.suppliers()).await
}

#[tauri::command]
pub async fn supplier(s: Shared<'_>, id: String) -> Cmd<SupplierDetail> {
    blocking(&s, move |s| s.supplier(&id)).await
}

#[tauri::command]
pub async fn add_supplier(s: Shared<'_>, request: NewSupplierRequest) -> Cmd<SupplierDetail> {
    blocking(&s, move |s| s.add_supplier(&request)).await
}

/// Asks for a supplier's price list with the OS dialog; `None` when the person cancelled.
#[tauri::command]
pub async fn pick_supplier_file(app: AppHandle, s: Shared<'_>) -> Cmd<Option<String>> {
    let dialog = app
        .dialog()
        .file()
        .add_filter("Price lists", &["csv", "txt", "xlsx", "xls", "ods", "xml", "yml", "json", "zip", "gz"]);
    let picked = blocking(&s, move |_| Ok(dialog.blocking_pick_file())).await?;
    Ok(picked.and_then(|p| p.into_path().ok()).map(|p| p.display().to_string()))
}

#[tauri::command]
pub async fn set_feed(s: Shared<'_>, id: String, feed: FeedInput) -> Cmd<SupplierDetail> {
    blocking(&s, move |s| s.set_feed(&id, &feed)).await
}

#[tauri::command]
pub async fn remove_feed(s: Shared<'_>, id: String, position: u32) -> Cmd<SupplierDetail> {
    blocking(&s, move |s| s.remove_feed(&id, position)).await
}

#[tauri::command]
pub async fn mapping_targets(s: Shared<'_>) -> Cmd<Vec<TargetInfo>> {
    blocking(&s, |s| Ok(s.mapping_targets())).await
}

#[tauri::command]
pub async fn preview_feed(s: Shared<'_>, id: String, request: PreviewRequest) -> Cmd<PreviewDto> {
    blocking(&s, move |s| s.preview_feed(&id, &request)).await
}

#[tauri::command]
pub async fn save_mapping(
    s: Shared<'_>,
    id: String,
    position: u32,
    mapping: MappingDto,
) -> Cmd<SupplierDetail> {
    blocking(&s, move |s| s.save_mapping(&id, position, &mapping)).await
}

#[tauri::command]
pub async fn save_supplier_settings(
    s: Shared<'_>,
    id: String,
    settings: SupplierSettingsDto,
) -> Cmd<SupplierDetail> {
    blocking(&s, move |s| s.save_supplier_settings(&id, &settings)).await
}

#[tauri::command]
pub async fn import_now(s: Shared<'_>, id: String, file: Option<String>) -> Cmd<JobDto> {
    blocking(&s, move |s| s.import_now(&id, file.as_deref())).await
}

#[tauri::command]
pub async fn import_runs(s: Shared<'_>, id: Option<String>) -> Cmd<Vec<RunDto>> {
    blocking(&s, move |s| s.import_runs(id.as_deref())).await
}

#[tauri::command]
pub async fn import_report(s: Shared<'_>, run: String) -> Cmd<ImportReportDto> {
    blocking(&s, move |s| s.import_report(&run)).await
}

/// Asks where to save a run's report and writes it as CSV; the path written, or `None` when the
/// person cancelled the dialog.
#[tauri::command]
pub async fn export_import_report(app: AppHandle, s: Shared<'_>, run: String) -> Cmd<Option<String>> {
    let dialog = app.dialog().file().add_filter("CSV", &["csv"]).set_file_name("import-report.csv");
    let picked = blocking(&s, move |_| Ok(dialog.blocking_save_file())).await?;
    let Some(path) = picked.and_then(|p| p.into_path().ok()) else { return Ok(None) };
    let shown = path.display().to_string();
    blocking(&s, move |s| s.export_import_report(&run, &path)).await?;
    Ok(Some(shown))
}

#[tauri::command]
pub async fn feed_profiles(s: Shared<'_>) -> Cmd<Vec<FeedProfileDto>> {
    blocking(&s, |s| s.feed_profiles()).await
}

#[tauri::command]
pub async fn feed_profile_save(
    s: Shared<'_>,
    profile: FeedProfileDto,
    secret: Option<DeliverySecretInput>,
) -> Cmd<FeedProfileDto> {
    blocking(&s, move |s| s.save_feed_profile(&profile, secret.as_ref())).await
}

#[tauri::command]
pub async fn feed_profile_remove(s: Shared<'_>, id: String) -> Cmd<()> {
    blocking(&s, move |s| s.remove_feed_profile(&id)).await
}

#[tauri::command]
pub async fn feed_preview(s: Shared<'_>, profile: FeedProfileDto, limit: usize) -> Cmd<FeedPreviewDto> {
    blocking(&s, move |s| s.feed_preview(&profile, limit)).await
}

#[tauri::command]
pub async fn feeds_export(s: Shared<'_>, profiles: Vec<String>, all: bool) -> Cmd<JobDto> {
    blocking(&s, move |s| s.export_feeds(&profiles, all)).await
}

/// Asks where a profile writes its file; `None` when the person cancelled.
#[tauri::command]
pub async fn pick_feed_output(
    app: AppHandle,
    s: Shared<'_>,
    format: String,
    current: Option<String>,
) -> Cmd<Option<String>> {
    let ext = vitrina_app::feeds::extension_of(&format);
    let name = current
        .as_deref()
        .and_then(|c| std::path::Path::new(c).file_name().map(|n| n.to_string_lossy().into_owned()))
        .unwrap_or_else(|| format!("feed.{ext}"));
    let dialog = app.dialog().file().add_filter(ext, &[ext]).set_file_name(name);
    let picked = blocking(&s, move |_| Ok(dialog.blocking_save_file())).await?;
    Ok(picked.and_then(|p| p.into_path().ok()).map(|p| p.display().to_string()))
}

/// Opens the folder holding `path` in the file manager.
#[tauri::command]
pub async fn open_folder(s: Shared<'_>, path: String) -> Cmd<()> {
    blocking(&s, move |_| vitrina_app::paths::open_folder_of(std::path::Path::new(&path))).await
}

/// Asks where to save a price list and writes it; `None` when the person cancelled.
#[tauri::command]
pub async fn price_list_write(
    app: AppHandle,
    s: Shared<'_>,
    format: String,
    selection: FeedSelectionDto,
    lang: String,
) -> Cmd<Option<DocumentDto>> {
    let ext = vitrina_app::feeds::extension_of(&format);
    let dialog = app.dialog().file().add_filter(ext, &[ext]).set_file_name(format!("price-list.{ext}"));
    let picked = blocking(&s, move |_| Ok(dialog.blocking_save_file())).await?;
    let Some(path) = picked.and_then(|p| p.into_path().ok()) else { return Ok(None) };
    blocking(&s, move |s| s.write_price_list(&format, &selection, &path, &lang)).await.map(Some)
}

/// Asks where to save a product's spec sheet and writes it; `None` when the person cancelled.
#[tauri::command]
pub async fn spec_sheet_write(
    app: AppHandle,
    s: Shared<'_>,
    id: String,
    lang: String,
) -> Cmd<Option<DocumentDto>> {
    let dialog = app.dialog().file().add_filter("PDF", &["pdf"]).set_file_name("spec-sheet.pdf");
    let picked = blocking(&s, move |_| Ok(dialog.blocking_save_file())).await?;
    let Some(path) = picked.and_then(|p| p.into_path().ok()) else { return Ok(None) };
    blocking(&s, move |s| s.write_spec_sheet(&id, &path, &lang)).await.map(Some)
}

#[tauri::command]
pub async fn cycle_run(s: Shared<'_>) -> Cmd<JobDto> {
    blocking(&s, |s| s.run_cycle()).await
}

#[tauri::command]
pub async fn cycle_schedule(s: Shared<'_>) -> Cmd<Option<String>> {
    blocking(&s, |s| s.cycle_schedule()).await
}

#[tauri::command]
pub async fn cycle_set_schedule(s: Shared<'_>, cron: String) -> Cmd<Option<String>> {
    blocking(&s, move |s| s.set_cycle_schedule(&cron)).await
}

#[tauri::command]
pub async fn market_accounts(s: Shared<'_>) -> Cmd<Vec<MarketAccountDto>> {
    blocking(&s, |s| s.market_accounts()).await
}

#[tauri::command]
pub async fn market_account_add(s: Shared<'_>, account: NewMarketAccountDto) -> Cmd<MarketAccountDto> {
    blocking(&s, move |s| s.add_market_account(&account)).await
}

#[tauri::command]
pub async fn market_account_remove(s: Shared<'_>, id: String) -> Cmd<MarketAccountDto> {
    blocking(&s, move |s| s.remove_market_account(&id)).await
}

/// Asks each API group of the marketplace whether the account's credentials work; kept with the account.
#[tauri::command]
pub async fn market_account_check(s: Shared<'_>, id: String) -> Cmd<ConnectionCheckDto> {
    blocking(&s, move |s| s.check_market_account(&id)).await
}

/// The local card pre-check against a marketplace's documented limits; empty `skus` = the whole catalog.
#[tauri::command]
pub async fn market_precheck(s: Shared<'_>, key: String, skus: Vec<String>) -> Cmd<PrecheckDto> {
    blocking(&s, move |s| s.market_precheck(&key, &skus)).await
}

/// Starts a demo marketplace on this computer and adds its account ("Демо Wildberries"…).
#[tauri::command]
pub async fn market_account_demo(s: Shared<'_>, market: String) -> Cmd<MarketAccountDto> {
    blocking(&s, move |s| s.add_demo_market_account(&market)).await
}

/// Auto-push on or off (unchanged when null) and warehouses: [name, id]; an empty id removes one.
#[tauri::command]
pub async fn market_account_settings(
    s: Shared<'_>,
    key: String,
    auto_push: Option<bool>,
    warehouses: Vec<(String, String)>,
) -> Cmd<MarketAccountDto> {
    blocking(&s, move |s| s.set_market_account_settings(&key, auto_push, &warehouses)).await
}

/// Fetches the account's category tree and the attributes of every mapped category.
#[tauri::command]
pub async fn market_dicts_refresh(s: Shared<'_>, key: String) -> Cmd<DictRefreshDto> {
    blocking(&s, move |s| s.refresh_market_dictionaries(&key)).await
}

#[tauri::command]
pub async fn market_categories(
    s: Shared<'_>,
    key: String,
    search: String,
    leaves_only: bool,
    limit: usize,
) -> Cmd<Vec<MpCategoryDto>> {
    blocking(&s, move |s| s.market_categories(&key, &search, leaves_only, limit)).await
}

#[tauri::command]
pub async fn market_category_map(s: Shared<'_>, key: String) -> Cmd<Vec<CategoryMapDto>> {
    blocking(&s, move |s| s.market_category_map(&key)).await
}

/// Maps the seller's category to a marketplace category (`ext_id`), or unmaps it (null).
#[tauri::command]
pub async fn market_category_set(
    s: Shared<'_>,
    key: String,
    category: String,
    ext_id: Option<String>,
) -> Cmd<CategoryMapDto> {
    blocking(&s, move |s| s.set_market_category(&key, &category, ext_id.as_deref())).await
}

/// Accepts every confident suggestion: categories, then their attributes.
#[tauri::command]
pub async fn market_auto_map(s: Shared<'_>, key: String) -> Cmd<AutoMapDto> {
    blocking(&s, move |s| s.auto_map_market(&key)).await
}

#[tauri::command]
pub async fn market_attributes(s: Shared<'_>, key: String, ext_id: String) -> Cmd<Vec<AttrMapDto>> {
    blocking(&s, move |s| s.market_attributes(&key, &ext_id)).await
}

/// How an attribute is filled: `field:…`, `attr:…` or `const:…`; null removes the rule.
#[tauri::command]
pub async fn market_attribute_set(
    s: Shared<'_>,
    key: String,
    ext_id: String,
    attr_id: String,
    source: Option<String>,
    unit_factor: Option<f64>,
    values: std::collections::BTreeMap<String, String>,
) -> Cmd<Vec<AttrMapDto>> {
    blocking(&s, move |s| {
        s.set_market_attribute(&key, &ext_id, &attr_id, source.as_deref(), unit_factor, &values)
    })
    .await
}

/// The seller's values of a dictionary attribute and what each becomes on the card.
#[tauri::command]
pub async fn market_attribute_values(
    s: Shared<'_>,
    key: String,
    ext_id: String,
    attr_id: String,
) -> Cmd<AttrValuesDto> {
    blocking(&s, move |s| s.market_attribute_values(&key, &ext_id, &attr_id)).await
}

/// Maps one of the seller's values to a dictionary value (its id); null removes the pair.
#[tauri::command]
pub async fn market_value_set(
    s: Shared<'_>,
    key: String,
    ext_id: String,
    attr_id: String,
    mine: String,
    theirs: Option<String>,
) -> Cmd<AttrValuesDto> {
    blocking(&s, move |s| s.set_market_value(&key, &ext_id, &attr_id, &mine, theirs.as_deref())).await
}

/// Dictionary values of an attribute containing `query`.
#[tauri::command]
pub async fn market_dictionary_values(
    s: Shared<'_>,
    key: String,
    ext_id: String,
    attr_id: String,
    query: String,
    limit: usize,
) -> Cmd<Vec<MpValueDto>> {
    blocking(&s, move |s| s.market_dictionary_values(&key, &ext_id, &attr_id, &query, limit)).await
}

/// Queues `market.publish` of these SKUs (every product when empty).
#[tauri::command]
pub async fn market_publish(s: Shared<'_>, key: String, skus: Vec<String>) -> Cmd<JobDto> {
    blocking(&s, move |s| s.publish_market(&key, &skus)).await
}

/// Queues `market.push` of prices and stocks (`only`: `prices` or `stocks`; both when null).
#[tauri::command]
pub async fn market_push(s: Shared<'_>, key: String, skus: Vec<String>, only: Option<String>) -> Cmd<JobDto> {
    blocking(&s, move |s| s.push_market(&key, &skus, only.as_deref())).await
}

/// What a finished marketplace job did (null while it runs or when it failed).
#[tauri::command]
pub async fn market_job_result(s: Shared<'_>, id: String) -> Cmd<Option<MarketRunDto>> {
    blocking(&s, move |s| s.market_job_result(&id)).await
}

/// A page of the account's cards; `problems_only` is the error inbox.
#[tauri::command]
pub async fn market_links(
    s: Shared<'_>,
    key: String,
    statuses: Vec<String>,
    problems_only: bool,
    reason: Option<String>,
    limit: u32,
    offset: u32,
) -> Cmd<MarketLinksDto> {
    blocking(&s, move |s| s.market_links(&key, &statuses, problems_only, reason.as_deref(), limit, offset))
        .await
}

#[tauri::command]
pub async fn market_outbox(s: Shared<'_>, key: String, limit: usize) -> Cmd<OutboxDto> {
    blocking(&s, move |s| s.market_outbox(&key, limit)).await
}

/// Sends the rejected cards of these SKUs (all when empty) again; the queued publish, if any.
#[tauri::command]
pub async fn market_retry(s: Shared<'_>, key: String, skus: Vec<String>) -> Cmd<Option<JobDto>> {
    blocking(&s, move |s| s.retry_market(&key, &skus)).await
}

/// Reads the account's existing cards and links them to products (new drafts with `import_new`).
#[tauri::command]
pub async fn market_pull_cards(s: Shared<'_>, key: String, import_new: bool) -> Cmd<PullCardsDto> {
    blocking(&s, move |s| s.pull_market_cards(&key, import_new)).await
}

/// The product on every marketplace account.
#[tauri::command]
pub async fn product_market(s: Shared<'_>, sku: String) -> Cmd<Vec<ProductMarketDto>> {
    blocking(&s, move |s| s.product_market(&sku)).await
}

// ---- AI: providers, rule checks, runs, the review queue, prompts ----

#[tauri::command]
pub async fn ai_providers(s: Shared<'_>) -> Cmd<Vec<AiProviderDto>> {
    blocking(&s, |s| s.ai_providers()).await
}

/// Adds a provider; its key goes to the store of secrets and never comes back.
#[tauri::command]
pub async fn ai_provider_add(s: Shared<'_>, provider: NewAiProviderDto) -> Cmd<AiProviderDto> {
    blocking(&s, move |s| s.add_ai_provider(&provider)).await
}

/// Changes a provider (empty values keep the current ones; a key only when one is typed).
#[tauri::command]
pub async fn ai_provider_set(s: Shared<'_>, key: String, provider: NewAiProviderDto) -> Cmd<AiProviderDto> {
    blocking(&s, move |s| s.set_ai_provider(&key, &provider)).await
}

#[tauri::command]
pub async fn ai_provider_remove(s: Shared<'_>, key: String) -> Cmd<AiProviderDto> {
    blocking(&s, move |s| s.remove_ai_provider(&key)).await
}

/// "Check connection": the provider's cheapest read, no tokens spent.
#[tauri::command]
pub async fn ai_provider_check(s: Shared<'_>, key: String) -> Cmd<AiCheckDto> {
    blocking(&s, move |s| s.check_ai_provider(&key)).await
}

/// The rule checks (no model, no network) over SKUs, a category or the whole catalog.
#[tauri::command]
pub async fn ai_rule_check(
    s: Shared<'_>,
    target: String,
    skus: Vec<String>,
    category: Option<String>,
    extra_forbidden: Vec<String>,
) -> Cmd<RuleCheckDto> {
    blocking(&s, move |s| s.ai_rule_check(&target, &skus, category.as_deref(), &extra_forbidden)).await
}

/// Queues `ai.moderate` or `ai.generate`.
#[tauri::command]
pub async fn ai_run(s: Shared<'_>, request: AiRunRequest) -> Cmd<JobDto> {
    blocking(&s, move |s| s.ai_run(&request)).await
}

/// What a finished AI job did (null while it runs or when it failed).
#[tauri::command]
pub async fn ai_job_result(s: Shared<'_>, id: String) -> Cmd<Option<AiRunDto>> {
    blocking(&s, move |s| s.ai_job_result(&id)).await
}

#[tauri::command]
pub async fn ai_runs(s: Shared<'_>, limit: u32) -> Cmd<Vec<AiRunDto>> {
    blocking(&s, move |s| s.ai_runs(limit)).await
}

#[tauri::command]
pub async fn ai_product_results(s: Shared<'_>, sku: String, limit: u32) -> Cmd<Vec<AiItemDto>> {
    blocking(&s, move |s| s.ai_product_results(&sku, limit)).await
}

/// A page of suggestions (no statuses: the pending ones), with their per-field diffs.
#[tauri::command]
pub async fn ai_suggestions(
    s: Shared<'_>,
    statuses: Vec<String>,
    skus: Vec<String>,
    limit: u32,
    offset: u32,
) -> Cmd<Vec<AiSuggestionDto>> {
    blocking(&s, move |s| s.ai_suggestions(&statuses, &skus, limit, offset)).await
}

#[tauri::command]
pub async fn ai_pending_count(s: Shared<'_>, skus: Vec<String>) -> Cmd<u64> {
    blocking(&s, move |s| s.ai_pending_count(&skus)).await
}

/// Accepts suggestions (or, with `all`, every pending one of `skus`): normal catalog edits.
#[tauri::command]
pub async fn ai_accept(s: Shared<'_>, ids: Vec<String>, all: bool, skus: Vec<String>) -> Cmd<AiDecisionDto> {
    blocking(&s, move |s| s.accept_ai_suggestions(&ids, all, &skus)).await
}

#[tauri::command]
pub async fn ai_reject(s: Shared<'_>, ids: Vec<String>, all: bool, skus: Vec<String>) -> Cmd<AiDecisionDto> {
    blocking(&s, move |s| s.reject_ai_suggestions(&ids, all, &skus)).await
}

#[tauri::command]
pub async fn ai_prompt(s: Shared<'_>, task: String, target: String) -> Cmd<AiPromptDto> {
    blocking(&s, move |s| s.ai_prompt(&task, &target)).await
}

/// Saves a new version of a template; one with an unknown placeholder is refused.
#[tauri::command]
pub async fn ai_prompt_save(s: Shared<'_>, task: String, target: String, body: String) -> Cmd<AiPromptDto> {
    blocking(&s, move |s| s.save_ai_prompt(&task, &target, &body)).await
}
