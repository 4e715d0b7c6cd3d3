//! The Suppliers section of the session: suppliers and their feeds, the mapping screen's
//! preview, settings, "import now" (the `import.supplier` job) and the runs with their reports.
//! Feed secrets go to the session's keyring store and never come back.

use std::path::{Path, PathBuf};

use vitrina_import::mapping::{MappingProfile, Target};
use vitrina_import::{ReadSettings, SupplierSettings};

use super::{Session, keyring_error};
use crate::error::{AppError, AppResult, ErrorCode};
use crate::imports::{NewSupplier, preview_file, source_secret_name, sync_schedule};
use crate::ipc::*;

/// How many runs a supplier's page lists.
const RUNS_SHOWN: u32 = 50;
/// The most rows a preview reads.
const PREVIEW_MAX_ROWS: u32 = 200;

impl Session {
    pub fn suppliers(&self) -> AppResult<Vec<SupplierListItem>> {
        crate::views::suppliers(self.app()?)
    }

    pub fn supplier(&self, id: &str) -> AppResult<SupplierDetail> {
        crate::views::supplier(self.app()?, &self.secrets, id, RUNS_SHOWN)
    }

    /// Adds a supplier with its main feed. An empty name is taken from the file's name (made
    /// unique: "price (2)"). A missing file is refused before anything is created.
    pub fn add_supplier(&self, req: &NewSupplierRequest) -> AppResult<SupplierDetail> {
        let app = self.app()?;
        let source = req.source.as_deref().map(str::trim).filter(|s| !s.is_empty());
        if let Some(vitrina_import::source::SourceSpec::File { path }) =
            source.map(vitrina_import::spec_from_text)
            && !path.is_file()
        {
            return Err(AppError::new(
                ErrorCode::NotFound,
                format!("the file {} does not exist", path.display()),
            ));
        }
        let mut name = req.name.trim().to_string();
        if name.is_empty() {
            let base = source.map(name_from_source).unwrap_or_default();
            if base.is_empty() {
                return Err(AppError::new(ErrorCode::Invalid, "give the supplier a name"));
            }
            let taken: Vec<String> = app.suppliers()?.into_iter().map(|s| s.name.to_lowercase()).collect();
            name = base.clone();
            let mut n = 2;
            while taken.contains(&name.to_lowercase()) {
                name = format!("{base} ({n})");
                n += 1;
            }
        }
        let added =
            app.add_supplier(&NewSupplier { name, source: source.map(str::to_string), priority: 0 })?;
        tracing::info!(supplier = %added.id, "supplier added");
        self.supplier(&added.id.to_string())
    }

    /// Saves a feed (the next free position adds a supplement). Its secret goes to the keyring.
    pub fn set_feed(&self, id: &str, input: &FeedInput) -> AppResult<SupplierDetail> {
        let saved = crate::views::set_feed(self.app()?, &self.secrets, id, input)?;
        self.supplier(&saved.id.to_string())
    }

    /// Removes a supplement feed (the main one is replaced, not removed) and its secret.
    pub fn remove_feed(&self, id: &str, position: u32) -> AppResult<SupplierDetail> {
        if position == 0 {
            return Err(AppError::new(ErrorCode::Invalid, "the main feed can be replaced, not removed"));
        }
        let app = self.app()?;
        let summary = app.remove_source(id, position)?;
        self.secrets.set_feed_secret(&source_secret_name(summary.id, position), "").map_err(keyring_error)?;
        self.supplier(&summary.id.to_string())
    }

    /// The fields a column can feed, in the mapping screen's order.
    pub fn mapping_targets(&self) -> Vec<TargetInfo> {
        Target::ALL
            .into_iter()
            .map(|t| TargetInfo { target: t.into(), label: t.label().to_string(), multi: t.is_multi() })
            .collect()
    }

    /// The first rows of a feed, mapped with the saved mapping, or with `req.mapping` (unsaved
    /// changes on the mapping screen), or read from `req.file` instead of the feed's own file.
    pub fn preview_feed(&self, id: &str, req: &PreviewRequest) -> AppResult<PreviewDto> {
        let app = self.app()?;
        let rows = req.rows.clamp(1, PREVIEW_MAX_ROWS) as usize;
        let file = req.file.as_deref().map(str::trim).filter(|f| !f.is_empty());
        let Some(mapping) = &req.mapping else {
            return Ok((&app.preview(id, req.position, file, rows)?).into());
        };
        let summary = app.supplier(id)?;
        let feed = summary.sources.iter().find(|s| s.position == req.position);
        let path = match (file, feed) {
            (Some(f), _) => PathBuf::from(f),
            (None, Some(feed)) if !feed.is_url => PathBuf::from(&feed.location),
            (None, Some(_)) => {
                return Err(AppError::new(
                    ErrorCode::Invalid,
                    "a feed from a link is previewed from a downloaded copy: choose the file, or run the import",
                ));
            }
            (None, None) => {
                return Err(AppError::new(
                    ErrorCode::NotFound,
                    format!("there is no feed number {}", req.position + 1),
                ));
            }
        };
        let read: ReadSettings = feed.map(|f| f.read.clone()).unwrap_or_default();
        let profile = MappingProfile::from(mapping);
        let saved = feed.and_then(|f| f.mapping.as_ref()) == Some(&profile);
        let mut preview: PreviewDto =
            (&preview_file(&path, &read, Some(profile), &summary.settings, rows)?).into();
        preview.mapping_is_saved = saved;
        Ok(preview)
    }

    pub fn save_mapping(&self, id: &str, position: u32, mapping: &MappingDto) -> AppResult<SupplierDetail> {
        let app = self.app()?;
        let summary = app.set_mapping(id, position, &MappingProfile::from(mapping))?;
        self.supplier(&summary.id.to_string())
    }

    /// Saves the form of price rules and import settings; the schedule follows it. A schedule
    /// the job queue refuses (a bad cron) leaves the settings as they were.
    pub fn save_supplier_settings(&self, id: &str, form: &SupplierSettingsDto) -> AppResult<SupplierDetail> {
        let app = self.app()?;
        let jobs = self.jobs()?;
        let before = app.supplier(id)?;
        let settings: SupplierSettings =
            form.apply_to(&before.settings).map_err(|m| AppError::new(ErrorCode::Invalid, m))?;
        let key = before.id.to_string();
        let after = app.set_supplier_settings(&key, before.priority, &settings)?;
        if let Err(e) = sync_schedule(jobs, &after) {
            let restored = app.set_supplier_settings(&key, before.priority, &before.settings)?;
            let _ = sync_schedule(jobs, &restored);
            return Err(AppError::new(ErrorCode::Invalid, format!("the schedule: {}", e.message)));
        }
        self.supplier(&key)
    }

    /// Queues an import of the supplier's feeds (or of `file` instead of the main feed). One
    /// import per supplier runs at a time; the jobs panel shows its progress and can cancel it.
    pub fn import_now(&self, id: &str, file: Option<&str>) -> AppResult<JobDto> {
        let job = crate::imports::job::queue_import(self.app()?, self.jobs()?, id, file, None)?;
        Ok(JobDto::from(&job))
    }

    /// Runs newest first: of one supplier, or of all.
    pub fn import_runs(&self, id: Option<&str>) -> AppResult<Vec<RunDto>> {
        Ok(self.app()?.import_runs(id, RUNS_SHOWN)?.iter().map(RunDto::from).collect())
    }

    /// A run with its first `REPORT_CAP` issues.
    pub fn import_report(&self, run: &str) -> AppResult<ImportReportDto> {
        crate::views::import_report(self.app()?, &run_id(run)?, REPORT_CAP)
    }

    /// Writes every issue of a run to `path` as CSV (UTF-8 with a BOM, for Excel).
    pub fn export_import_report(&self, run: &str, path: &Path) -> AppResult<()> {
        crate::views::export_import_report(self.app()?, &run_id(run)?, path).map(|_| ())
    }
}

/// Reports are asked for by run id only (a supplier's name would also resolve).
fn run_id(text: &str) -> AppResult<String> {
    text.trim()
        .parse::<uuid::Uuid>()
        .map(|u| u.to_string())
        .map_err(|_| AppError::new(ErrorCode::Invalid, format!("\"{text}\" is not an import run id")))
}

/// "Прайс Опт 2024" from `/home/me/Прайс Опт 2024.xlsx`, or the host of a link.
fn name_from_source(source: &str) -> String {
    if let Some((_, rest)) = source.split_once("://") {
        return rest.split(['/', '?', '#']).next().unwrap_or("").trim_start_matches("www.").to_string();
    }
    let path = Path::new(source);
    let mut stem = path.file_stem().map(|s| s.to_string_lossy().to_string()).unwrap_or_default();
    // "price.csv.gz" → "price".
    if let Some((inner, ext)) = stem.rsplit_once('.')
        && ext.len() <= 4
        && !inner.is_empty()
    {
        stem = inner.to_string();
    }
    stem.replace(['_'], " ").trim().to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::secrets::MemoryStore;

    fn fixture() -> PathBuf {
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../vitrina-cli/tests/fixtures/price-1251.csv")
    }

    #[test]
    fn names_come_from_files_and_links() {
        assert_eq!(name_from_source("/tmp/Прайс_Опт.csv"), "Прайс Опт");
        assert_eq!(name_from_source("/tmp/price.csv.gz"), "price");
        assert_eq!(name_from_source("https://www.example.ru/feed.xml?key=1"), "example.ru");
    }

    #[test]
    fn a_supplier_is_added_mapped_priced_and_its_feed_secret_stays_in_the_keyring() {
        let dir = tempfile::tempdir().unwrap();
        let s = Session::start(dir.path().to_path_buf(), None, Box::<MemoryStore>::default());
        let missing =
            s.add_supplier(&NewSupplierRequest { name: String::new(), source: Some("/nope.csv".into()) });
        assert_eq!(missing.unwrap_err().code, ErrorCode::NotFound);
        assert!(s.suppliers().unwrap().is_empty(), "nothing is created for a missing file");

        let req = NewSupplierRequest { name: String::new(), source: Some(fixture().display().to_string()) };
        let added = s.add_supplier(&req).unwrap();
        assert_eq!(added.name, "price-1251");
        assert_eq!(s.add_supplier(&req).unwrap().name, "price-1251 (2)");
        assert_eq!(s.suppliers().unwrap().len(), 2);

        let preview = s
            .preview_feed(&added.id, &PreviewRequest { position: 0, file: None, mapping: None, rows: 10 })
            .unwrap();
        assert_eq!(preview.encoding.as_deref(), Some("windows-1251"));
        assert!(preview.mapping_problems.is_empty(), "{:?}", preview.mapping_problems);
        assert!(!preview.mapping_is_saved);
        assert!(preview.items.iter().any(|i| i.problem.is_some()), "the -500 row is rejected");

        // Unsaved: the price column becomes the cost; without a SKU the screen says so.
        let mut mapping = preview.mapping.clone();
        mapping.fields.retain(|f| f.target != TargetDto::Sku);
        let live = s
            .preview_feed(
                &added.id,
                &PreviewRequest { position: 0, file: None, mapping: Some(mapping), rows: 5 },
            )
            .unwrap();
        assert!(live.mapping_problems.iter().any(|p| p.contains("SKU")), "{:?}", live.mapping_problems);

        let mut mapping = preview.mapping.clone();
        for f in &mut mapping.fields {
            if f.source == "Цена, руб." {
                f.target = TargetDto::Cost;
            }
        }
        let saved = s.save_mapping(&added.id, 0, &mapping).unwrap();
        assert!(
            saved
                .mapping
                .unwrap()
                .fields
                .iter()
                .any(|f| f.source == "Цена, руб." && f.target == TargetDto::Cost)
        );

        let mut form = saved.settings.clone();
        form.markup_percent = "30".into();
        form.rounding = RoundingDto::EndIn9;
        form.schedule = "0 6 * * *".into();
        let priced = s.save_supplier_settings(&added.id, &form).unwrap();
        assert_eq!(priced.settings.markup_percent, "30");
        assert!(
            s.jobs().unwrap().schedules().unwrap().iter().any(|x| x.schedule.name == "import: price-1251")
        );
        form.schedule = "every now and then".into();
        assert_eq!(s.save_supplier_settings(&added.id, &form).unwrap_err().code, ErrorCode::Invalid);
        assert_eq!(
            s.supplier(&added.id).unwrap().settings.schedule,
            "0 6 * * *",
            "a refused schedule changes nothing"
        );

        let job = s.import_now(&added.id, None).unwrap();
        assert_eq!(job.kind, "import.supplier");
        let done = s.jobs().unwrap().wait(&job.id, &mut |_| {}).unwrap();
        assert_eq!(done.state, crate::jobs::JobState::Succeeded, "{:?}", done.error);
        assert_eq!(
            done.progress.message.as_deref(),
            Some(added.name.as_str()),
            "the jobs panel names the supplier"
        );
        let runs = s.import_runs(Some(&added.id)).unwrap();
        assert_eq!((runs[0].created, runs[0].rejected, runs[0].state), (29, 1, RunStateDto::Succeeded));
        assert_eq!(s.suppliers().unwrap()[0].last_run.as_ref().map(|r| r.created), Some(29));
        let report = s.import_report(&runs[0].id).unwrap();
        assert_eq!((report.issues[0].line, report.issues[0].value.as_str()), (Some(8), "-500"));
        assert!(!report.capped);
        let csv = dir.path().join("report.csv");
        s.export_import_report(&runs[0].id, &csv).unwrap();
        assert!(std::fs::read_to_string(&csv).unwrap().contains("-500"));

        // A supplement from a link with a token: the token goes to the keyring only.
        let feed = FeedInput {
            position: 1,
            location: "https://example.test/stock.csv".into(),
            auth: FeedAuthKind::Header,
            auth_name: "Authorization: Bearer".into(),
            secret: Some("t0ken-value".into()),
            read: ReadSettingsDto { delimiter: Some(";".into()), ..Default::default() },
        };
        let with = s.set_feed(&added.id, &feed).unwrap();
        let f = &with.feeds[1];
        assert_eq!(
            (f.auth, f.auth_name.as_str(), f.secret_set),
            (FeedAuthKind::Header, "Authorization: Bearer", true)
        );
        assert!(!serde_json::to_string(&with).unwrap().contains("t0ken"));
        let without = s.remove_feed(&added.id, 1).unwrap();
        assert_eq!(without.feeds.len(), 1);
        assert_eq!(s.remove_feed(&added.id, 0).unwrap_err().code, ErrorCode::Invalid);
        assert_eq!(s.mapping_targets().len(), Target::ALL.len());
    }
}
