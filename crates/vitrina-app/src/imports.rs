//! Supplier use cases: add a supplier with its feeds, preview a feed with its field mapping,
//! save the mapping and settings, run an import (as the `import.supplier` job), and read the
//! runs with their reports.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use vitrina_domain::{StockPolicy, SupplierId};
use vitrina_formats::RecordSource;
use vitrina_import::item::{ItemWarning, RowRejection};
use vitrina_import::mapping::{MappingProfile, Target};
use vitrina_import::normalize::NormalizeContext;
use vitrina_import::source::{Auth, SourceSpec};
use vitrina_import::{ImportReport, ReadSettings, SupplierSettings, spec_from_text};
use vitrina_store::Catalog;
use vitrina_store::imports::{ImportIssue, RunRecord, SourceRow, SupplierConfig};

pub mod job;

use crate::catalog::App;
use crate::error::{AppError, AppResult, ErrorCode};

/// The keyring name of a source's password or token.
pub fn source_secret_name(supplier: SupplierId, position: u32) -> String {
    format!("supplier.{supplier}.source.{position}")
}

/// A supplier as lists show it.
#[derive(Debug, Clone, Serialize)]
pub struct SupplierSummary {
    pub id: SupplierId,
    pub name: String,
    pub priority: i32,
    /// `cheapest_in_stock`, `priority` or `sum_of_stock`.
    pub policy: String,
    pub offers: u64,
    pub sources: Vec<SourceView>,
    pub settings: SupplierSettings,
    pub last_run: Option<RunRecord>,
}

/// One feed of a supplier, without secrets.
#[derive(Debug, Clone, Serialize)]
pub struct SourceView {
    pub position: u32,
    /// The path, or the link with credentials hidden.
    pub location: String,
    pub is_url: bool,
    /// "none", "basic" or "header".
    pub auth: String,
    pub read: ReadSettings,
    pub mapping: Option<MappingProfile>,
}

/// A new supplier.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct NewSupplier {
    pub name: String,
    /// A file path or a link to the main feed.
    #[serde(default)]
    pub source: Option<String>,
    #[serde(default)]
    pub priority: i32,
}

/// The first rows of a feed, read with its settings and mapped, for the mapping screen.
#[derive(Debug, Clone, Serialize)]
pub struct FeedPreview {
    /// "YML", "CSV"...
    pub format: String,
    pub encoding: Option<String>,
    pub delimiter: Option<char>,
    pub sheet: Option<String>,
    pub sheets: Vec<String>,
    /// Column names (or the field keys seen in the first records for XML/JSON).
    pub columns: Vec<String>,
    /// Raw values of the first rows, by column.
    pub rows: Vec<Vec<String>>,
    /// The mapping used: the saved one or a suggestion.
    pub mapping: MappingProfile,
    pub mapping_is_saved: bool,
    /// What problems the mapping has (no SKU column...).
    pub mapping_problems: Vec<String>,
    /// The first rows as they would be imported (or why each is rejected).
    pub items: Vec<PreviewItem>,
    pub notices: Vec<String>,
    pub error: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct PreviewItem {
    pub line: u64,
    pub sku: String,
    pub name: String,
    pub brand: String,
    pub category: String,
    pub cost: Option<i64>,
    pub price: Option<i64>,
    pub stock: i64,
    pub barcodes: Vec<String>,
    pub attributes: usize,
    pub images: usize,
    /// Why the row would be rejected.
    pub problem: Option<RowRejection>,
    pub warnings: Vec<ItemWarning>,
}

fn invalid(message: impl Into<String>) -> AppError {
    AppError::invalid(message.into())
}

impl App {
    fn supplier_id(&self, catalog: &Catalog, key: &str) -> AppResult<SupplierId> {
        Ok(catalog.find_supplier(key)?)
    }

    /// Adds a supplier, optionally with its main feed.
    pub fn add_supplier(&self, input: &NewSupplier) -> AppResult<SupplierSummary> {
        let source = input.source.as_deref().map(str::trim).filter(|s| !s.is_empty()).map(spec_from_text);
        if let Some(SourceSpec::File { path }) = &source
            && !path.exists()
        {
            return Err(AppError::new(
                ErrorCode::NotFound,
                format!("the file {} does not exist", path.display()),
            ));
        }
        let mut c = self.catalog()?;
        let id = c.add_supplier(&input.name, input.priority)?;
        c.save_supplier_settings(
            id,
            input.priority,
            "cheapest_in_stock",
            &SupplierSettings::default().to_json(),
        )?;
        if let Some(spec) = source {
            save_source(&mut c, id, 0, spec, &ReadSettings::default(), None)?;
        }
        summary(&c, id)
    }

    pub fn suppliers(&self) -> AppResult<Vec<SupplierSummary>> {
        let c = self.catalog()?;
        c.suppliers()?.into_iter().map(|s| summary(&c, s.id)).collect()
    }

    pub fn supplier(&self, key: &str) -> AppResult<SupplierSummary> {
        let c = self.catalog()?;
        let id = self.supplier_id(&c, key)?;
        summary(&c, id)
    }

    /// Sets the feed at `position` (0 = main; the next free position adds a supplement) from a
    /// path or a link, with how to sign in (`auth`: "none", "basic:USER" or "header:NAME").
    pub fn set_source(
        &self,
        key: &str,
        position: u32,
        location: &str,
        auth: Option<&str>,
        read: &ReadSettings,
    ) -> AppResult<SupplierSummary> {
        let mut c = self.catalog()?;
        let id = self.supplier_id(&c, key)?;
        let config = c.supplier_config(id)?;
        if position as usize > config.sources.len() {
            return Err(invalid(format!(
                "\"{}\" has {} feed(s); the next one is number {}",
                config.name,
                config.sources.len(),
                config.sources.len() + 1
            )));
        }
        let mut spec = spec_from_text(location);
        if let (Some(auth), SourceSpec::Url { auth: slot, .. }) = (auth, &mut spec) {
            *slot = parse_auth(auth)?;
        }
        let mapping = config.sources.iter().find(|s| s.position == position).and_then(|s| s.mapping.clone());
        let mapping = mapping.map(|m| serde_json::from_str(&m)).transpose().ok().flatten();
        save_source(&mut c, id, position, spec, read, mapping.as_ref())?;
        summary(&c, id)
    }

    /// Removes a feed.
    pub fn remove_source(&self, key: &str, position: u32) -> AppResult<SupplierSummary> {
        let mut c = self.catalog()?;
        let id = self.supplier_id(&c, key)?;
        if !c.remove_source(id, position)? {
            return Err(AppError::new(
                ErrorCode::NotFound,
                format!("there is no feed number {}", position + 1),
            ));
        }
        summary(&c, id)
    }

    /// Saves the field mapping of a feed.
    pub fn set_mapping(
        &self,
        key: &str,
        position: u32,
        mapping: &MappingProfile,
    ) -> AppResult<SupplierSummary> {
        let mut c = self.catalog()?;
        let id = self.supplier_id(&c, key)?;
        let row = source_row(&c, id, position)?;
        let json =
            serde_json::to_string(mapping).map_err(|e| AppError::new(ErrorCode::Internal, e.to_string()))?;
        c.save_source(id, &SourceRow { mapping: Some(json), ..row })?;
        summary(&c, id)
    }

    /// Changes single fields of a feed's mapping: `Артикул=sku`, `Цена опт=cost`, `Фото=ignore`.
    /// Starts from the saved mapping, or from the one suggested for the feed's columns.
    pub fn map_fields(&self, key: &str, position: u32, pairs: &[String]) -> AppResult<SupplierSummary> {
        let mut mapping = self.preview(key, position, None, 1)?.mapping;
        for pair in pairs {
            let (source, target) = pair.rsplit_once('=').ok_or_else(|| {
                invalid(format!("\"{pair}\" is not COLUMN=FIELD (for example \"Артикул=sku\")"))
            })?;
            let target: Target = serde_json::from_value(serde_json::Value::String(target.trim().to_string()))
                .map_err(|_| {
                    invalid(format!(
                        "\"{}\" is not a catalog field; use one of: {}",
                        target.trim(),
                        Target::ALL.iter().map(|t| target_code(*t)).collect::<Vec<_>>().join(", ")
                    ))
                })?;
            set_field(&mut mapping, source.trim(), target);
        }
        self.set_mapping(key, position, &mapping)
    }

    /// Saves a supplier's settings (price rules, rates, gone policy...).
    pub fn set_supplier_settings(
        &self,
        key: &str,
        priority: i32,
        settings: &SupplierSettings,
    ) -> AppResult<SupplierSummary> {
        let mut c = self.catalog()?;
        let id = self.supplier_id(&c, key)?;
        let config = c.supplier_config(id)?;
        c.save_supplier_settings(id, priority, &config.policy, &settings.to_json())?;
        summary(&c, id)
    }

    /// How a product's cost and stock are chosen when several suppliers sell it:
    /// `cheapest_in_stock`, `priority` or `sum_of_stock`.
    pub fn set_stock_policy(&self, key: &str, policy: &str) -> AppResult<SupplierSummary> {
        let policy = policy.trim().to_lowercase().replace('-', "_");
        serde_json::from_value::<StockPolicy>(serde_json::Value::String(policy.clone())).map_err(|_| {
            invalid(format!(
                "\"{policy}\" is not a stock policy; use cheapest_in_stock, priority or sum_of_stock"
            ))
        })?;
        let mut c = self.catalog()?;
        let id = self.supplier_id(&c, key)?;
        let config = c.supplier_config(id)?;
        c.save_supplier_settings(id, config.priority, &policy, &config.settings)?;
        summary(&c, id)
    }

    /// Reads the first `rows` records of a feed (the saved one, or `file` instead) with its
    /// reading settings, and shows them mapped.
    pub fn preview(
        &self,
        key: &str,
        position: u32,
        file: Option<&str>,
        rows: usize,
    ) -> AppResult<FeedPreview> {
        let (config, row) = {
            let c = self.catalog()?;
            let id = self.supplier_id(&c, key)?;
            let config = c.supplier_config(id)?;
            let row = config.sources.iter().find(|s| s.position == position).cloned();
            (config, row)
        };
        let read = match &row {
            Some(r) => ReadSettings::from_json(&r.read_options).unwrap_or_default(),
            None => ReadSettings::default(),
        };
        let saved: Option<MappingProfile> =
            row.as_ref().and_then(|r| r.mapping.as_deref()).and_then(|m| serde_json::from_str(m).ok());
        let path = match file {
            Some(f) => PathBuf::from(f),
            None => {
                let row = row.ok_or_else(|| {
                    invalid(format!("\"{}\" has no feed number {}; add one first", config.name, position + 1))
                })?;
                local_path(&row, self.path())?
            }
        };
        let settings = SupplierSettings::from_json(&config.settings).unwrap_or_default();
        preview_file(&path, &read, saved, &settings, rows)
    }

    /// The supplier's category paths and the seller's categories they map to (`None`: left
    /// without a category). Paths appear here after the first import that met them.
    pub fn category_mappings(&self, key: &str) -> AppResult<Vec<(String, Option<String>)>> {
        let c = self.catalog()?;
        let id = self.supplier_id(&c, key)?;
        Ok(c.category_mappings(id)?)
    }

    /// Maps a supplier's category path to one of the seller's categories (by path or name), or
    /// to none (`category` empty). Takes effect on the next import.
    pub fn map_category(&self, key: &str, supplier_path: &str, category: &str) -> AppResult<()> {
        let mut c = self.catalog()?;
        let id = self.supplier_id(&c, key)?;
        let target = match category.trim() {
            "" | "-" => None,
            name => Some(c.find_category(name)?),
        };
        c.map_category(id, supplier_path, target)?;
        Ok(())
    }

    /// Import runs, newest first (of one supplier, or all).
    pub fn import_runs(&self, key: Option<&str>, limit: u32) -> AppResult<Vec<RunRecord>> {
        let c = self.catalog()?;
        let id = key.map(|k| self.supplier_id(&c, k)).transpose()?;
        Ok(c.import_runs(id, limit)?)
    }

    /// A run's report: by run id, or the latest run of a supplier.
    pub fn import_report(&self, key: &str, limit: u32) -> AppResult<ImportReport> {
        let c = self.catalog()?;
        let by_run = key.trim().parse::<uuid::Uuid>().ok().and_then(|run| c.import_run(run).ok());
        let run = match by_run {
            Some(run) => run,
            None => {
                let id = self.supplier_id(&c, key)?;
                c.import_runs(Some(id), 1)?.into_iter().next().ok_or_else(|| {
                    AppError::new(
                        ErrorCode::NotFound,
                        format!("\"{}\" has not been imported yet", key.trim()),
                    )
                })?
            }
        };
        let issues: Vec<ImportIssue> = c.import_issues(run.id, limit)?;
        Ok(ImportReport::new(run, issues))
    }
}

/// `Артикул=sku`: the column now feeds `target` (and only it); a single-valued target is fed by
/// that column alone.
fn set_field(mapping: &mut MappingProfile, source: &str, target: Target) {
    mapping.fields.retain(|f| f.source != source);
    if !target.is_multi() && !matches!(target, Target::Attribute | Target::Ignore) {
        mapping.fields.retain(|f| f.target != target);
    }
    mapping.fields.push(vitrina_import::mapping::FieldMapping::new(source, target));
}

fn target_code(t: Target) -> String {
    serde_json::to_value(t).ok().and_then(|v| v.as_str().map(str::to_string)).unwrap_or_default()
}

fn parse_auth(text: &str) -> AppResult<Auth> {
    let text = text.trim();
    let (kind, arg) = text.split_once(':').unwrap_or((text, ""));
    match kind.trim().to_lowercase().as_str() {
        "" | "none" => Ok(Auth::None),
        "basic" if !arg.trim().is_empty() => Ok(Auth::Basic { user: arg.trim().to_string() }),
        "header" if !arg.trim().is_empty() => Ok(Auth::Header { name: arg.trim().to_string() }),
        _ => Err(invalid(format!(
            "\"{text}\" is not a sign-in method; use none, basic:USER or header:NAME (e.g. header:Authorization)"
        ))),
    }
}

fn save_source(
    c: &mut Catalog,
    id: SupplierId,
    position: u32,
    spec: SourceSpec,
    read: &ReadSettings,
    mapping: Option<&MappingProfile>,
) -> AppResult<()> {
    if let SourceSpec::File { path } = &spec
        && !path.exists()
    {
        return Err(AppError::new(
            ErrorCode::NotFound,
            format!("the file {} does not exist", path.display()),
        ));
    }
    let internal = |e: serde_json::Error| AppError::new(ErrorCode::Internal, e.to_string());
    let row = SourceRow {
        position,
        spec: serde_json::to_string(&spec).map_err(internal)?,
        read_options: read.to_json(),
        mapping: mapping.map(serde_json::to_string).transpose().map_err(internal)?,
        etag: None,
        last_modified: None,
    };
    c.save_source(id, &row)?;
    Ok(())
}

fn source_row(c: &Catalog, id: SupplierId, position: u32) -> AppResult<SourceRow> {
    c.supplier_config(id)?.sources.into_iter().find(|s| s.position == position).ok_or_else(|| {
        AppError::new(ErrorCode::NotFound, format!("there is no feed number {}", position + 1))
    })
}

fn summary(c: &Catalog, id: SupplierId) -> AppResult<SupplierSummary> {
    let config: SupplierConfig = c.supplier_config(id)?;
    let offers = c.suppliers()?.into_iter().find(|s| s.id == id).map_or(0, |s| s.offers);
    let sources = config
        .sources
        .iter()
        .map(|row| {
            let spec: Option<SourceSpec> = serde_json::from_str(&row.spec).ok();
            SourceView {
                position: row.position,
                location: spec.as_ref().map_or_else(|| "?".into(), SourceSpec::location),
                is_url: matches!(spec, Some(SourceSpec::Url { .. })),
                auth: match spec {
                    Some(SourceSpec::Url { auth: Auth::Basic { .. }, .. }) => "basic".into(),
                    Some(SourceSpec::Url { auth: Auth::Header { .. }, .. }) => "header".into(),
                    _ => "none".into(),
                },
                read: ReadSettings::from_json(&row.read_options).unwrap_or_default(),
                mapping: row.mapping.as_deref().and_then(|m| serde_json::from_str(m).ok()),
            }
        })
        .collect();
    Ok(SupplierSummary {
        id,
        name: config.name,
        priority: config.priority,
        policy: config.policy,
        offers,
        sources,
        settings: SupplierSettings::from_json(&config.settings).unwrap_or_default(),
        last_run: c.import_runs(Some(id), 1)?.into_iter().next(),
    })
}

/// A local file to preview: the source's own file, or the last download of a link.
fn local_path(row: &SourceRow, _catalog: &Path) -> AppResult<PathBuf> {
    match serde_json::from_str::<SourceSpec>(&row.spec) {
        Ok(SourceSpec::File { path }) => Ok(path),
        Ok(SourceSpec::Url { .. }) => Err(invalid(
            "a feed from a link is previewed from a downloaded copy: download it and preview the file, or run the import",
        )),
        Err(e) => Err(AppError::new(ErrorCode::Internal, format!("the feed settings are damaged: {e}"))),
    }
}

/// Reads and maps the first rows of a file.
pub fn preview_file(
    path: &Path,
    read: &ReadSettings,
    saved: Option<MappingProfile>,
    settings: &SupplierSettings,
    rows: usize,
) -> AppResult<FeedPreview> {
    let options = read.options().map_err(invalid)?;
    let reader = vitrina_formats::open_file(path, &options).map_err(|e| invalid(e.to_string()))?;
    let shop = reader.shop().cloned();
    let detected = reader.settings().clone();
    let preview = reader.preview(rows);
    let mut columns: Vec<String> = detected.header.clone();
    if columns.is_empty() {
        for record in &preview.records {
            for (key, _) in record.fields() {
                if !columns.iter().any(|c| c == key) {
                    columns.push(key.to_string());
                }
            }
        }
    }
    let table: Vec<Vec<String>> = preview
        .records
        .iter()
        .map(|r| columns.iter().map(|c| r.get(c).unwrap_or("").to_string()).collect())
        .collect();
    let headers: Vec<&str> = columns.iter().map(String::as_str).collect();
    let mapping_is_saved = saved.is_some();
    let mapping = match saved {
        Some(m) => m,
        None if shop.is_some() => MappingProfile::yml(),
        None => vitrina_import::mapping::suggest(&headers),
    };
    let mut mapping_problems = Vec::new();
    if shop.is_none()
        && let Err(problems) = mapping.validate(&headers)
    {
        mapping_problems.extend(problems.iter().map(|p| p.to_string()));
    }
    let mut context = NormalizeContext::default();
    if let Some(shop) = &shop {
        context = context.with_shop(shop);
    }
    let mut items = Vec::new();
    if let Ok(compiled) = mapping.compile() {
        for record in &preview.records {
            items.push(match compiled.map(record, &context) {
                Ok(item) => {
                    let priced = settings.price_rules.price(&item, &item.category_path);
                    PreviewItem {
                        line: record.line(),
                        sku: item.supplier_sku,
                        name: item.name,
                        brand: item.brand,
                        category: item.category_path.join(" / "),
                        cost: item.cost,
                        price: Some(priced.price),
                        stock: item.stock,
                        barcodes: item.barcodes.iter().map(|b| b.as_str().to_string()).collect(),
                        attributes: item.attributes.len(),
                        images: item.images.len(),
                        problem: None,
                        warnings: item.warnings,
                    }
                }
                Err(rejection) => PreviewItem {
                    line: record.line(),
                    sku: String::new(),
                    name: String::new(),
                    brand: String::new(),
                    category: String::new(),
                    cost: None,
                    price: None,
                    stock: 0,
                    barcodes: Vec::new(),
                    attributes: 0,
                    images: 0,
                    problem: Some(rejection),
                    warnings: Vec::new(),
                },
            });
        }
    }
    Ok(FeedPreview {
        format: format!("{:?}", detected.format).to_uppercase(),
        encoding: detected.encoding.as_ref().map(|e| e.encoding.name().to_string()),
        delimiter: detected.delimiter,
        sheet: detected.sheet.clone(),
        sheets: detected.sheets.clone(),
        columns,
        rows: table,
        mapping,
        mapping_is_saved,
        mapping_problems,
        items,
        notices: detected.notices.iter().map(|n| n.to_string()).collect(),
        error: preview.error.map(|e| e.to_string()),
    })
}

/// The schedule name of a supplier's imports.
pub fn schedule_name(supplier: &SupplierSummary) -> String {
    format!("import: {}", supplier.name)
}

/// Makes the job schedule follow the supplier's `settings.schedule` (added, changed or removed).
pub fn sync_schedule(jobs: &crate::jobs::Jobs, supplier: &SupplierSummary) -> AppResult<()> {
    let name = schedule_name(supplier);
    let exists = jobs.schedules()?.iter().any(|s| s.schedule.name == name);
    if exists {
        jobs.remove_schedule(&name)?;
    }
    if let Some(cron) = supplier.settings.schedule.as_deref().filter(|c| !c.trim().is_empty()) {
        let input = crate::jobs::ScheduleInput::of(
            name,
            &job::scheduled_import(supplier),
            cron,
            Some(job::concurrency_key(supplier)),
        )?;
        jobs.add_schedule(&input)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::jobs::Jobs;

    fn price_list(dir: &Path) -> PathBuf {
        let path = dir.join("price.csv");
        std::fs::write(&path, "Артикул;Наименование;Цена\nA-1;Чайник;1 990\nA-2;Кружка;250\n").unwrap();
        path
    }

    #[test]
    fn a_write_while_an_import_holds_the_catalog_says_so() {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("catalog.db");
        let app = App::open(&db).unwrap();
        // Another connection in the middle of a long write, as an import is.
        let import = rusqlite::Connection::open(&db).unwrap();
        import.execute_batch("BEGIN IMMEDIATE; INSERT INTO meta (key, value) VALUES ('x', 'y');").unwrap();
        let input = NewSupplier { name: "Опт".into(), source: None, priority: 0 };
        app.set_busy_wait(std::time::Duration::from_millis(300)).unwrap();
        let asked = std::time::Instant::now();
        let err = app.add_supplier(&input).unwrap_err();
        assert!(asked.elapsed() < std::time::Duration::from_secs(2), "waited {:?}", asked.elapsed());
        assert_eq!(err.code, ErrorCode::Busy, "{err}");
        assert!(err.message.contains("busy") && err.message.contains("import"), "{err}");
        import.execute_batch("ROLLBACK").unwrap();
        app.add_supplier(&input).unwrap();
    }

    #[test]
    fn a_failed_import_names_its_reason_with_a_code() {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("catalog.db");
        let app = App::open(&db).unwrap();
        let jobs = Jobs::open(&db).unwrap();
        let file = price_list(dir.path());
        let input =
            NewSupplier { name: "Опт".into(), source: Some(file.display().to_string()), priority: 0 };
        app.add_supplier(&input).unwrap();
        std::fs::remove_file(&file).unwrap();
        let job = job::queue_import(&app, &jobs, "Опт", None, Some(1)).unwrap();
        let done = jobs.wait(&job.id.to_string(), &mut |_| {}).unwrap();
        assert_eq!(done.state, crate::jobs::JobState::Failed);
        assert_eq!(done.error_code.as_deref(), Some("file_missing"));
        let error = done.error.unwrap();
        assert!(error.contains("does not exist") && error.contains("price.csv"), "{error}");
    }

    #[test]
    fn a_supplier_schedule_follows_its_settings() {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("catalog.db");
        let app = App::open(&db).unwrap();
        let jobs = Jobs::open(&db).unwrap();
        let input = NewSupplier { name: "Опт".into(), source: None, priority: 0 };
        let s = app.add_supplier(&input).unwrap();
        let settings = SupplierSettings { schedule: Some("0 6 * * *".into()), ..s.settings.clone() };
        let s = app.set_supplier_settings("Опт", 0, &settings).unwrap();
        sync_schedule(&jobs, &s).unwrap();
        let list = jobs.schedules().unwrap();
        assert_eq!(list.len(), 1);
        assert_eq!(list[0].schedule.name, "import: Опт");
        assert_eq!(list[0].schedule.kind, "import.supplier");
        assert_eq!(list[0].schedule.payload["supplier"], s.id.to_string());

        let s =
            app.set_supplier_settings("Опт", 0, &SupplierSettings { schedule: None, ..settings }).unwrap();
        sync_schedule(&jobs, &s).unwrap();
        assert!(jobs.schedules().unwrap().is_empty());
    }

    #[test]
    fn mapping_edits_policy_and_sources_refuse_bad_input_by_name() {
        let dir = tempfile::tempdir().unwrap();
        let app = App::open(dir.path().join("catalog.db")).unwrap();
        let file = price_list(dir.path());
        let input =
            NewSupplier { name: "Опт".into(), source: Some(file.display().to_string()), priority: 0 };
        app.add_supplier(&input).unwrap();

        let preview = app.preview("Опт", 0, None, 5).unwrap();
        assert!(!preview.mapping_is_saved);
        assert_eq!(preview.items.len(), 2);
        assert_eq!(preview.items[0].sku, "A-1");

        let err = app.map_fields("Опт", 0, &["Цена=costs".into()]).unwrap_err();
        assert!(err.message.contains("costs") && err.message.contains("cost"), "{}", err.message);
        let s = app.map_fields("Опт", 0, &["Цена=cost".into()]).unwrap();
        let mapping = s.sources[0].mapping.as_ref().unwrap();
        assert!(mapping.fields.iter().any(|f| f.source == "Цена" && f.target == Target::Cost));
        assert!(!mapping.fields.iter().any(|f| f.target == Target::Price), "one column per field");
        assert!(app.preview("Опт", 0, None, 5).unwrap().mapping_is_saved);

        let err = app.set_stock_policy("Опт", "random").unwrap_err();
        assert!(err.message.contains("random"), "{}", err.message);
        assert_eq!(app.set_stock_policy("Опт", "sum-of-stock").unwrap().policy, "sum_of_stock");

        let err = app.set_source("Опт", 0, "/no/such/price.csv", None, &ReadSettings::default()).unwrap_err();
        assert_eq!(err.code, ErrorCode::NotFound);
        let err = app
            .set_source("Опт", 0, "https://opt.example.ru/p.csv", Some("oauth"), &ReadSettings::default())
            .unwrap_err();
        assert!(err.message.contains("basic:USER"), "{}", err.message);
        let s = app
            .set_source(
                "Опт",
                1,
                "https://u:p@opt.example.ru/stock.csv?token=abc",
                Some("header:X-Api-Key"),
                &ReadSettings::default(),
            )
            .unwrap();
        assert_eq!(s.sources[1].auth, "header");
        assert!(
            !s.sources[1].location.contains("abc") && !s.sources[1].location.contains("u:p"),
            "{}",
            s.sources[1].location
        );
        assert_eq!(
            app.set_source("Опт", 5, &file.display().to_string(), None, &ReadSettings::default())
                .unwrap_err()
                .code,
            ErrorCode::Invalid
        );
    }
}
