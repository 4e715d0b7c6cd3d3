//! The desktop session: the catalog this window has open (or why it could not be opened), its
//! job queue, the table's anchors, the settings and the secrets. One process opens one catalog;
//! choosing another saves the choice and the shell restarts.
//!
//! Every method returns DTOs and [`AppError`]s, so the Tauri commands are one call each.

mod ai;
mod feeds;
mod market;
mod suppliers;
mod team;

use std::path::{Path, PathBuf};

use crate::catalog::{App, FieldEdit};
use crate::catalog_jobs::RepricePayload;
use crate::error::{AppError, AppResult, ErrorCode};
use crate::ipc::*;
use crate::jobs::{JobFilter, Jobs};
use crate::paths;
use crate::secrets::{KeyringStore, SecretStore, Secrets};
use crate::settings::Settings;
use crate::table::Table;

/// Demo catalogs built from the first-run screen have this many products.
pub const DEMO_PRODUCTS: u64 = 20_000;

/// How long a write from the window waits for another connection's write lock. Ordinary
/// writers (a job's batch) hold it for milliseconds; an import holds it for its whole run.
const WINDOW_BUSY_WAIT: std::time::Duration = std::time::Duration::from_millis(1500);

#[derive(Debug)]
pub struct Session {
    data_dir: PathBuf,
    catalog_path: PathBuf,
    /// Set once the catalog is opened (or failed to open); [`Session::start_in_background`]
    /// lets the window come up meanwhile, and calls wait here for it.
    opened: std::sync::OnceLock<Result<Opened, AppError>>,
    table: Table,
    secrets: Secrets,
    /// The open catalog's background team sync, when it is in a team and a runtime was given.
    team: std::sync::Mutex<Option<crate::team::TeamSync>>,
    team_runtime: std::sync::OnceLock<tokio::runtime::Handle>,
}

#[derive(Debug)]
struct Opened {
    app: App,
    jobs: Jobs,
}

impl Session {
    /// Opens the catalog: `catalog` when given (`VITRINA_DB`), else the one chosen in the
    /// settings, else the data folder's default. Failing to open it is not an error here: the
    /// window then shows the recovery screen.
    pub fn start(data_dir: PathBuf, catalog: Option<PathBuf>, store: Box<dyn SecretStore>) -> Session {
        let session = Self::unopened(data_dir, catalog, store);
        session.open_now();
        session
    }

    /// Like [`Session::start`], but opens the catalog on another thread, so the window can
    /// start at the same time (part of the cold start); the first call that needs the
    /// catalog waits for it.
    pub fn start_in_background(
        data_dir: PathBuf,
        catalog: Option<PathBuf>,
        store: Box<dyn SecretStore>,
    ) -> std::sync::Arc<Session> {
        let session = std::sync::Arc::new(Self::unopened(data_dir, catalog, store));
        let opener = session.clone();
        let spawned =
            std::thread::Builder::new().name("vitrina-open".into()).spawn(move || opener.open_now());
        if spawned.is_err() {
            session.open_now();
        }
        session
    }

    /// [`Session::start_in_background`] with the per-user data folder and the OS keyring.
    pub fn start_default(catalog: Option<PathBuf>) -> std::sync::Arc<Session> {
        Self::start_in_background(paths::data_dir(), catalog, Box::new(KeyringStore::new()))
    }

    fn unopened(data_dir: PathBuf, catalog: Option<PathBuf>, store: Box<dyn SecretStore>) -> Session {
        let settings = Settings::load(&data_dir.join("settings.json"));
        let catalog_path = catalog.or(settings.catalog).unwrap_or_else(|| data_dir.join("catalog.db"));
        Session {
            data_dir,
            catalog_path,
            opened: std::sync::OnceLock::new(),
            table: Table::default(),
            secrets: Secrets::new(store),
            team: std::sync::Mutex::new(None),
            team_runtime: std::sync::OnceLock::new(),
        }
    }

    fn open_now(&self) {
        let opened = Self::open(&self.catalog_path);
        match &opened {
            Ok(_) => tracing::info!(catalog = %self.catalog_path.display(), "catalog open"),
            Err(e) => {
                tracing::warn!(catalog = %self.catalog_path.display(), error = %e, "catalog did not open")
            }
        }
        let _ = self.opened.set(opened);
    }

    fn open(path: &Path) -> AppResult<Opened> {
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir)
                .map_err(|e| AppError::new(ErrorCode::Io, format!("cannot create {}: {e}", dir.display())))?;
        }
        let app = App::open(path)?;
        app.set_author("desktop")?;
        // An edit while an import holds the catalog says "busy" after a moment, not 5 s; every
        // call of the window waits for this connection meanwhile.
        app.set_busy_wait(WINDOW_BUSY_WAIT)?;
        let jobs = Jobs::open(path)?;
        if !app.search_index_current()? {
            reindex_in_background(path);
        }
        Ok(Opened { app, jobs })
    }

    fn opened(&self) -> AppResult<&Opened> {
        self.opened.wait().as_ref().map_err(|_| {
            AppError::new(ErrorCode::NoCatalog, "no catalog is open; choose or create one first")
        })
    }

    fn app(&self) -> AppResult<&App> {
        Ok(&self.opened()?.app)
    }

    pub fn jobs(&self) -> AppResult<&Jobs> {
        Ok(&self.opened()?.jobs)
    }

    pub fn catalog_path(&self) -> &Path {
        &self.catalog_path
    }

    pub fn data_dir(&self) -> &Path {
        &self.data_dir
    }

    fn settings_path(&self) -> PathBuf {
        self.data_dir.join("settings.json")
    }

    pub fn log_dir(&self) -> PathBuf {
        paths::log_dir(&self.data_dir)
    }

    pub fn startup(&self) -> StartupState {
        match self.opened.wait() {
            Ok(o) => StartupState::Ready {
                catalog: CatalogInfo {
                    path: self.catalog_path.display().to_string(),
                    products: o.app.count(&Default::default()).unwrap_or(0),
                },
            },
            Err(e) => {
                StartupState::Failed { path: self.catalog_path.display().to_string(), error: e.clone() }
            }
        }
    }

    // ---- the catalog table ----

    pub fn table_info(&self, query: &TableQuery) -> AppResult<TableInfo> {
        self.table.open(self.app()?, query)
    }

    pub fn table_rows(&self, query: &TableQuery, position: u32, count: u32) -> AppResult<TableRows> {
        self.table.rows(self.app()?, query, position, count)
    }

    pub fn facets(&self) -> AppResult<FacetsDto> {
        let app = self.app()?;
        let categories = app.category_tree()?.iter().map(CategoryDto::from).collect();
        let catalog = app.catalog()?;
        let suppliers = catalog
            .suppliers()
            .map_err(AppError::from)?
            .into_iter()
            .map(|s| SupplierDto { id: s.id.to_string(), name: s.name })
            .collect();
        let brands = catalog.brands(200).map_err(AppError::from)?;
        Ok(FacetsDto { categories, brands, suppliers })
    }

    pub fn bulk_edit(&self, req: &BulkEditRequest) -> AppResult<BulkReport> {
        let report = self.app()?.bulk_edit(req);
        self.table.forget_rows()?;
        if report.is_ok() {
            self.auto_push();
        }
        report
    }

    /// Prices and stocks just changed: the marketplaces that want it get them (a failure to
    /// queue is logged, never the edit's failure).
    fn auto_push(&self) {
        let (Ok(app), Ok(jobs)) = (self.app(), self.jobs()) else { return };
        let now = chrono::Utc::now().timestamp_millis();
        if let Err(e) = crate::market::auto_push::queue_auto_push(app, jobs, now) {
            tracing::warn!(error = %e, "the marketplaces' auto-push could not be queued");
        }
    }

    // ---- the product editor ----

    pub fn product(&self, id: &str) -> AppResult<ProductDto> {
        Ok(ProductDto::from(self.app()?.product(id)?))
    }

    /// Saves one field as typed; a refused value changes nothing and names the reason.
    pub fn edit_field(&self, id: &str, field: FieldName, text: &str) -> AppResult<ProductDto> {
        let app = self.app()?;
        let edit = [FieldEdit { field: field.into(), text: text.trim().into() }];
        if let crate::held_edits::EditOutcome::Held { pushes, .. } =
            app.edit_or_hold(id, &edit, self.jobs()?)?
        {
            return Err(AppError::new(
                ErrorCode::Held,
                format!(
                    "the catalog is busy with an import: the new value went to {pushes} marketplace accounts and is written to the catalog when the import ends"
                ),
            ));
        }
        self.table.forget_rows()?;
        self.auto_push();
        self.nudge_team();
        self.product(id)
    }

    pub fn history(&self, id: &str) -> AppResult<Vec<HistoryEntryDto>> {
        Ok(self.app()?.history(id)?.into_iter().map(HistoryEntryDto::from).collect())
    }

    /// Reverts the product's last change and returns it as it is now.
    pub fn undo(&self, id: &str) -> AppResult<ProductDto> {
        self.app()?.undo(id)?;
        self.table.forget_rows()?;
        self.auto_push();
        self.nudge_team();
        self.product(id)
    }

    // ---- jobs ----

    pub fn job_list(&self) -> AppResult<Vec<JobDto>> {
        let jobs = self.jobs()?.list(&JobFilter { limit: Some(200), ..Default::default() })?;
        Ok(jobs.iter().map(JobDto::from).collect())
    }

    pub fn job(&self, id: &str) -> AppResult<JobDto> {
        Ok(JobDto::from(&self.jobs()?.get(id)?))
    }

    pub fn job_logs(&self, id: &str) -> AppResult<Vec<JobLogDto>> {
        Ok(self.jobs()?.logs(id, Some(500))?.iter().map(JobLogDto::from).collect())
    }

    pub fn job_cancel(&self, id: &str) -> AppResult<JobDto> {
        self.jobs()?.cancel(id)?;
        self.job(id)
    }

    pub fn job_retry(&self, id: &str) -> AppResult<JobDto> {
        Ok(JobDto::from(&self.jobs()?.retry(id)?))
    }

    pub fn job_start(&self, req: &JobRequest) -> AppResult<JobDto> {
        let jobs = self.jobs()?;
        let job = match req {
            JobRequest::Reprice { percent, brand } => {
                crate::catalog_jobs::queue_reprice(jobs, &RepricePayload::new(*percent, brand.clone()))
            }
            JobRequest::Analyze => crate::catalog_jobs::queue_analyze(jobs),
        }?;
        Ok(JobDto::from(&job))
    }

    // ---- settings and secrets ----

    pub fn settings(&self) -> SettingsDto {
        let s = Settings::load(&self.settings_path());
        SettingsDto {
            language: s.language,
            catalog_path: self.catalog_path.display().to_string(),
            data_dir: self.data_dir.display().to_string(),
            log_dir: self.log_dir().display().to_string(),
            version: env!("CARGO_PKG_VERSION").to_string(),
        }
    }

    pub fn set_language(&self, language: Language) -> AppResult<SettingsDto> {
        let path = self.settings_path();
        let mut s = Settings::load(&path);
        s.language = language;
        s.save(&path)?;
        Ok(self.settings())
    }

    /// Checks that `path` opens as a catalog (creating it when `create`), then makes it the one
    /// opened from now on. The shell restarts to open it.
    pub fn choose_catalog(&self, path: &Path, create: bool) -> AppResult<()> {
        if !create && !path.exists() {
            return Err(AppError::new(ErrorCode::NotFound, format!("{} does not exist", path.display())));
        }
        if create && path.exists() {
            return Err(AppError::new(
                ErrorCode::Conflict,
                format!("{} already exists; open it instead, or choose another name", path.display()),
            ));
        }
        drop(Self::open(path)?);
        let settings_path = self.settings_path();
        let mut s = Settings::load(&settings_path);
        s.catalog = Some(path.to_path_buf());
        s.save(&settings_path)
    }

    /// Builds the demo catalog next to the data folder's catalog (once) and chooses it.
    pub fn open_demo(&self) -> AppResult<()> {
        let path = self.data_dir.join("demo-catalog.db");
        let has_products =
            path.exists() && App::open(&path).and_then(|a| a.count(&Default::default())).unwrap_or(0) > 0;
        if !has_products {
            crate::seed::build_demo(&path, DEMO_PRODUCTS, 42, true, &mut |_| {})?;
        }
        self.choose_catalog(&path, false)
    }

    pub fn secrets(&self) -> AppResult<Vec<SecretStatus>> {
        self.secrets.status().map_err(keyring_error)
    }

    pub fn set_secret(&self, name: &str, value: &str) -> AppResult<Vec<SecretStatus>> {
        self.secrets.set(name, value).map_err(keyring_error)?;
        self.secrets()
    }
}

fn keyring_error(e: AppError) -> AppError {
    match e.code {
        ErrorCode::Io => AppError::new(ErrorCode::Keyring, e.message),
        _ => e,
    }
}

/// A catalog indexed before the initials of names were (migration 0011) gets its search index
/// rebuilt once, on a connection of its own, a few thousand products a transaction (an edit or
/// import meanwhile waits for one of them at most); if it cannot finish, the next start tries
/// again. Lists work meanwhile, one-letter lists as before.
fn reindex_in_background(path: &Path) {
    let path = path.to_path_buf();
    let spawned =
        std::thread::Builder::new().name("vitrina-reindex".into()).spawn(move || {
            match App::open(&path).and_then(|app| app.rebuild_search_index(&mut |_| {})) {
                Ok(r) => tracing::info!(products = r.products, seconds = r.seconds, "search index rebuilt"),
                Err(e) => {
                    tracing::warn!(error = %e, "the search index was not rebuilt; the next start tries again")
                }
            }
        });
    if let Err(e) = spawned {
        tracing::warn!(error = %e, "the search index's rebuild did not start");
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::secrets::MemoryStore;

    fn session(dir: &Path) -> Session {
        Session::start(dir.to_path_buf(), None, Box::<MemoryStore>::default())
    }

    #[test]
    fn a_file_that_is_not_a_catalog_gives_the_recovery_state_and_another_can_be_chosen() {
        let dir = tempfile::tempdir().unwrap();
        let bad = dir.path().join("bad.db");
        std::fs::write(&bad, b"this is not a database, just some text that fills a page").unwrap();
        let s = Session::start(dir.path().to_path_buf(), Some(bad.clone()), Box::<MemoryStore>::default());
        let StartupState::Failed { error, .. } = s.startup() else { panic!("expected failure") };
        assert_eq!(error.code, ErrorCode::NotACatalog);
        assert_eq!(s.table_info(&TableQuery::default()).unwrap_err().code, ErrorCode::NoCatalog);
        let fresh = dir.path().join("new.db");
        s.choose_catalog(&fresh, true).unwrap();
        assert!(s.choose_catalog(&bad, false).is_err());
        let again = session(dir.path());
        assert!(
            matches!(again.startup(), StartupState::Ready { catalog } if catalog.path == fresh.display().to_string())
        );
    }

    /// A catalog indexed before the initials of names (the mark of migration 0011 missing) gets
    /// its search index rebuilt in the background once the window opens it.
    #[test]
    fn an_older_catalogs_search_index_is_rebuilt_in_the_background() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("old.db");
        crate::seed::build_demo(&path, 300, 7, true, &mut |_| {}).unwrap();
        let conn = rusqlite::Connection::open(&path).unwrap();
        conn.execute("DELETE FROM meta WHERE key = 'search_initials'", []).unwrap();
        assert!(!App::open(&path).unwrap().search_index_current().unwrap());
        let s = Session::start(dir.path().to_path_buf(), Some(path.clone()), Box::<MemoryStore>::default());
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
        while !App::open(&path).unwrap().search_index_current().unwrap() {
            assert!(std::time::Instant::now() < deadline, "the search index was not rebuilt");
            std::thread::sleep(std::time::Duration::from_millis(50));
        }
        let letter = TableQuery {
            filter: FilterDto { text: Some("к".into()), in_stock: Some(true), ..Default::default() },
            ..Default::default()
        };
        assert!(s.table_info(&letter).unwrap().total > 0);
    }

    #[test]
    fn the_editor_saves_fields_refuses_bad_values_and_undoes() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("demo.db");
        crate::seed::build_demo(&path, 300, 7, true, &mut |_| {}).unwrap();
        let s = Session::start(dir.path().to_path_buf(), Some(path), Box::<MemoryStore>::default());
        let q = TableQuery { sort: SortDto::Price, ..Default::default() };
        let info = s.table_info(&q).unwrap();
        assert_eq!((info.total, info.exact), (300, true));
        let all = s.table_rows(&q, 0, 300).unwrap().rows;
        let deep = s.table_rows(&q, 250, 20).unwrap();
        assert_eq!(deep.rows, all[250..270].to_vec());
        let id = all[5].id.clone();
        let p = s.edit_field(&id, FieldName::Price, "1 234,50").unwrap();
        assert_eq!(p.price.minor, 123_450);
        let price_text = p.fields.iter().find(|f| f.field == FieldName::Price).unwrap().text.clone();
        assert_eq!(price_text, "1 234,50");
        let e = s.edit_field(&id, FieldName::Stock, "-3").unwrap_err();
        assert_eq!(e.code, ErrorCode::Invalid);
        assert!(e.message.contains("negative"), "{}", e.message);
        assert!(s.history(&id).unwrap().iter().any(|h| h.field == "price"));
        let back = s.undo(&id).unwrap();
        assert_eq!(back.price.minor, all[5].price.minor, "undo restores the old price");
        let search = TableQuery {
            filter: FilterDto { text: Some(all[7].name.clone()), ..Default::default() },
            ..Default::default()
        };
        assert!(s.table_info(&search).unwrap().total >= 1);
        assert!(s.table_rows(&search, 0, 50).unwrap().rows.iter().any(|r| r.id == all[7].id));
        assert!(!s.facets().unwrap().categories.is_empty());

        // A row of a search shows an edit made meanwhile (the search's rows were kept as they
        // were found, so the table showed the old price next to the editor).
        let found =
            |s: &Session| s.table_rows(&search, 0, 50).unwrap().rows.into_iter().find(|r| r.id == all[7].id);
        s.edit_field(&all[7].id, FieldName::Price, "777").unwrap();
        assert_eq!(found(&s).unwrap().price.minor, 77_700);
        s.undo(&all[7].id).unwrap();
        assert_eq!(found(&s).unwrap().price.minor, all[7].price.minor);
    }
}
