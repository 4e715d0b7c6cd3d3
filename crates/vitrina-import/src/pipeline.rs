//! One import run: fetch each source, read the main feed on its own thread (parse → map →
//! normalize → price), hand batches of offers to the catalog writer, and record what happened.
//!
//! The writer applies the whole run in one transaction, so a failed or cancelled run leaves the
//! catalog exactly as it was; the run itself (with its error) is still recorded.

use std::collections::HashMap;
use std::hash::{Hash, Hasher};
use std::path::{Path, PathBuf};
use std::sync::mpsc::{Receiver, sync_channel};
use std::time::Instant;

use vitrina_domain::{Currency, Image, Money, Product, ProductId, ProductStatus, StockPolicy, SupplierId};
use vitrina_formats::{FileReader, ReadError, Record, RecordSource};
use vitrina_store::Catalog;
use vitrina_store::imports::sku_key;
use vitrina_store::imports::{
    ImportCounts, ImportIssue, ImportOptions, IssueCode, IssueKind, OfferInput, OfferRow, RunOutcome,
    RunState,
};
use vitrina_store::search::{SearchText, Stems};

use crate::item::{RowRejection, SupplierItem};
use crate::mapping::{CompiledMapping, MappingProfile, Target};
use crate::normalize::{NormalizeContext, Rate};
use crate::report::ImportReport;
use crate::settings::{ReadSettings, SupplierSettings};
use crate::source::{self, SourceSpec, Validators};

/// Offers per batch handed from the reader thread to the writer.
const BATCH: usize = 1024;
/// Issues kept per run (a feed where every row is broken should not fill the disk).
const MAX_ISSUES: usize = 100_000;

/// What to import and how to report.
#[derive(Debug, Clone)]
pub struct ImportRequest {
    pub supplier: SupplierId,
    /// Read the main feed from this file or URL instead of the saved source.
    pub main_override: Option<String>,
    /// The job running the import, for the run record.
    pub job_id: Option<uuid::Uuid>,
    /// Where downloads are kept.
    pub cache_dir: PathBuf,
}

/// Progress of a run, for progress bars.
#[derive(Debug, Clone, Default)]
pub struct ImportProgress {
    pub stage: Stage,
    /// Rows handed to the catalog so far, and bytes downloaded while fetching.
    pub done: u64,
    pub total: Option<u64>,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Stage {
    #[default]
    Fetching,
    Importing,
}

/// Why a run could not be done; the catalog is unchanged in every case.
#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    #[error("{0}")]
    Config(String),
    /// The supplier has no file or link to import from.
    #[error("\"{0}\" has no feed yet: add a file or URL in the supplier's settings")]
    NoFeed(String),
    #[error(transparent)]
    Source(#[from] source::SourceError),
    #[error("{0}")]
    Format(#[from] vitrina_formats::FormatError),
    #[error(transparent)]
    Store(#[from] vitrina_store::StoreError),
    #[error("the import was cancelled; the catalog was left as it was")]
    Cancelled,
}

impl ImportError {
    /// Worth another attempt later (a server that timed out), as opposed to a file to fix.
    pub fn is_retryable(&self) -> bool {
        matches!(self, ImportError::Source(e) if e.is_retryable())
    }

    /// Every code [`code`](Self::code) gives, for front ends to check they word them all.
    pub const CODES: [&'static str; 27] = [
        "not_found",
        "access_denied",
        "server_error",
        "unexpected_status",
        "timeout",
        "connection_failed",
        "download_interrupted",
        "bad_redirect",
        "source_settings_invalid",
        "secret_missing",
        "too_large",
        "file_empty",
        "archive_damaged",
        "archive_without_feed",
        "archive_unsupported",
        "file_missing",
        "file_unreadable",
        "cache_write_failed",
        "cancelled",
        "import_settings_invalid",
        "no_feed",
        "feed_empty",
        "not_a_feed",
        "feed_layout_mismatch",
        "feed_encoding",
        "feed_unreadable",
        "catalog_error",
    ];

    /// A stable code for the reason (`file_missing`, `not_a_feed`, …): the front ends word it in
    /// the person's language, the sentence carries the details.
    pub fn code(&self) -> &'static str {
        use vitrina_formats::FormatError as F;
        match self {
            ImportError::Config(_) => "import_settings_invalid",
            ImportError::NoFeed(_) => "no_feed",
            ImportError::Source(e) => e.code(),
            ImportError::Format(e) => match e {
                F::Empty | F::EmptySheet { .. } | F::NoOffers => "feed_empty",
                F::NotAPriceList { .. } | F::Archive { .. } | F::UnexpectedRoot { .. } => "not_a_feed",
                F::RecordPathNotFound { .. } | F::JsonPathNotFound { .. } | F::SheetNotFound { .. } => {
                    "feed_layout_mismatch"
                }
                F::InvalidText { .. } | F::UnsupportedEncoding { .. } => "feed_encoding",
                _ => "feed_unreadable",
            },
            ImportError::Store(_) => "catalog_error",
            ImportError::Cancelled => "cancelled",
        }
    }
}

/// A source ready to read: a local file plus how to read and map it.
struct Ready {
    position: u32,
    label: String,
    fetched: source::Fetched,
    read: ReadSettings,
    mapping: Option<MappingProfile>,
}

/// Runs an import of `request.supplier` into `catalog`. `secret` gives the keyring secret of a
/// source that needs one; `cancel` stops the run (rolled back); `progress` is called often.
pub fn run_import(
    catalog: &mut Catalog,
    request: &ImportRequest,
    secret: &dyn Fn(SupplierId, u32) -> Option<String>,
    cancel: &(dyn Fn() -> bool + Sync),
    progress: &mut dyn FnMut(&ImportProgress),
) -> Result<ImportReport, ImportError> {
    let started = Instant::now();
    let config = catalog.supplier_config(request.supplier)?;
    let settings = SupplierSettings::from_json(&config.settings)
        .map_err(|e| ImportError::Config(format!("the settings of \"{}\" are damaged: {e}", config.name)))?;
    let mut specs = Vec::new();
    for row in &config.sources {
        let spec: SourceSpec = serde_json::from_str(&row.spec).map_err(|e| {
            ImportError::Config(format!("source {} of \"{}\" is damaged: {e}", row.position + 1, config.name))
        })?;
        specs.push((row, spec));
    }
    let main_override = request.main_override.as_deref().map(spec_from_text);
    if specs.is_empty() && main_override.is_none() {
        return Err(ImportError::NoFeed(config.name));
    }
    let label = main_override
        .as_ref()
        .map(SourceSpec::location)
        .unwrap_or_else(|| specs.iter().map(|(_, s)| s.location()).collect::<Vec<_>>().join("\n"));
    let run = catalog.start_import_run(request.supplier, request.job_id, &label)?;
    let result = fetch_and_import(
        catalog,
        request,
        &settings,
        &config.sources,
        specs,
        main_override,
        secret,
        cancel,
        progress,
    );
    let total_ms = started.elapsed().as_millis() as u64;
    match result {
        Ok((mut outcome, issues, validators)) => {
            outcome.total_ms = total_ms;
            catalog.finish_import_run(run, RunState::Succeeded, &outcome, &issues)?;
            for (position, v) in validators {
                catalog.save_source_validators(
                    request.supplier,
                    position,
                    v.etag.as_deref(),
                    v.last_modified.as_deref(),
                )?;
            }
            Ok(ImportReport::new(catalog.import_run(run)?, issues))
        }
        Err(error) => {
            let state =
                if matches!(error, ImportError::Cancelled) { RunState::Cancelled } else { RunState::Failed };
            let outcome = RunOutcome { total_ms, error: Some(error.to_string()), ..Default::default() };
            catalog.finish_import_run(run, state, &outcome, &[])?;
            Err(error)
        }
    }
}

type Fetched = (RunOutcome, Vec<ImportIssue>, Vec<(u32, Validators)>);

#[allow(clippy::too_many_arguments)]
fn fetch_and_import(
    catalog: &mut Catalog,
    request: &ImportRequest,
    settings: &SupplierSettings,
    rows: &[vitrina_store::imports::SourceRow],
    specs: Vec<(&vitrina_store::imports::SourceRow, SourceSpec)>,
    main_override: Option<SourceSpec>,
    secret: &dyn Fn(SupplierId, u32) -> Option<String>,
    cancel: &(dyn Fn() -> bool + Sync),
    progress: &mut dyn FnMut(&ImportProgress),
) -> Result<Fetched, ImportError> {
    std::fs::create_dir_all(&request.cache_dir).map_err(|e| {
        ImportError::Config(format!("cannot create the download folder {}: {e}", request.cache_dir.display()))
    })?;
    let mut ready = Vec::new();
    let mut wanted: Vec<(u32, SourceSpec, Validators, ReadSettings, Option<MappingProfile>)> = Vec::new();
    for (row, spec) in specs {
        let read = ReadSettings::from_json(&row.read_options).map_err(|e| {
            ImportError::Config(format!(
                "the reading settings of source {} are damaged: {e}",
                row.position + 1
            ))
        })?;
        let mapping = match &row.mapping {
            Some(json) => Some(serde_json::from_str(json).map_err(|e| {
                ImportError::Config(format!(
                    "the field mapping of source {} is damaged: {e}",
                    row.position + 1
                ))
            })?),
            None => None,
        };
        let validators = Validators { etag: row.etag.clone(), last_modified: row.last_modified.clone() };
        wanted.push((row.position, spec, validators, read, mapping));
    }
    if let Some(spec) = main_override {
        match wanted.iter_mut().find(|w| w.0 == 0) {
            // A file given by hand is always read, whatever the saved source's validators say.
            Some(main) => (main.1, main.2) = (spec, Validators::default()),
            None => wanted.insert(0, (0, spec, Validators::default(), ReadSettings::default(), None)),
        }
    }
    let _ = rows;
    let mut specs = Vec::new();
    for (position, spec, validators, read, mapping) in wanted {
        let fetched = fetch_one(request, &spec, position, &validators, secret, cancel, progress)?;
        ready.push(Ready { position, label: spec.location(), fetched, read, mapping });
        specs.push(spec);
    }
    // Any changed file means a full run, which needs every file: fetch unchanged ones anew.
    if ready.iter().any(|r| !r.fetched.not_modified) {
        for (r, spec) in ready.iter_mut().zip(&specs) {
            if r.fetched.not_modified {
                r.fetched =
                    fetch_one(request, spec, r.position, &Validators::default(), secret, cancel, progress)?;
            }
        }
    }
    let validators: Vec<(u32, Validators)> = ready
        .iter()
        .map(|r| {
            (
                r.position,
                Validators { etag: r.fetched.etag.clone(), last_modified: r.fetched.last_modified.clone() },
            )
        })
        .collect();
    if ready.iter().all(|r| r.fetched.not_modified) {
        let outcome = RunOutcome {
            notices: vec![
                "the supplier's files have not changed since the last import; nothing to do".into(),
            ],
            ..Default::default()
        };
        return Ok((outcome, Vec::new(), validators));
    }
    let policy = catalog.supplier_config(request.supplier)?.policy;
    let policy: StockPolicy = serde_json::from_value(serde_json::Value::String(policy)).unwrap_or_default();
    let result = import_files(catalog, request.supplier, settings, policy, &ready, cancel, progress);
    for r in &ready {
        if let Err(e) = r.fetched.discard() {
            tracing::warn!(file = %r.fetched.path.display(), "cannot remove a downloaded file: {e}");
        }
    }
    let (outcome, issues) = result?;
    Ok((outcome, issues, validators))
}

fn fetch_one(
    request: &ImportRequest,
    spec: &SourceSpec,
    position: u32,
    validators: &Validators,
    secret: &dyn Fn(SupplierId, u32) -> Option<String>,
    cancel: &(dyn Fn() -> bool + Sync),
    progress: &mut dyn FnMut(&ImportProgress),
) -> Result<source::Fetched, ImportError> {
    let secret = secret(request.supplier, position);
    let fetched = source::fetch(
        spec,
        secret.as_deref(),
        validators,
        &request.cache_dir,
        cancel,
        &mut |done, total| progress(&ImportProgress { stage: Stage::Fetching, done, total }),
    )?;
    if cancel() {
        let _ = fetched.discard();
        return Err(ImportError::Cancelled);
    }
    Ok(fetched)
}

/// Reads the supplements (sources after the main one) into memory by SKU, then streams the main
/// feed into the catalog.
fn import_files(
    catalog: &mut Catalog,
    supplier: SupplierId,
    settings: &SupplierSettings,
    policy: StockPolicy,
    ready: &[Ready],
    cancel: &(dyn Fn() -> bool + Sync),
    progress: &mut dyn FnMut(&ImportProgress),
) -> Result<(RunOutcome, Vec<ImportIssue>), ImportError> {
    let mut context = base_context(settings)?;
    let mut issues = Vec::new();
    let mut overlay: HashMap<String, Extra> = HashMap::new();
    let main = ready.iter().find(|r| r.position == 0).unwrap_or(&ready[0]);
    for extra in ready.iter().filter(|r| !std::ptr::eq(*r, main)) {
        let (reader, mapping, ctx) = open_source(extra, &context)?;
        let has_stock =
            mapping.source_of(Target::Stock).is_some() || mapping.source_of(Target::Available).is_some();
        for item in reader {
            match item {
                Ok(record) => match mapping.map(&record, &ctx) {
                    Ok(item) => {
                        let sku = item.supplier_sku.clone();
                        match overlay.get_mut(&sku) {
                            Some(known) => known.add(item, has_stock),
                            None => {
                                overlay.insert(sku, Extra::new(item, has_stock));
                            }
                        }
                    }
                    Err(rejection) => push_issue(&mut issues, rejected(&record, rejection, &extra.label)),
                },
                Err(ReadError::Row(e)) => push_issue(&mut issues, row_error(e, &extra.label)),
                Err(ReadError::Fatal(e)) => return Err(e.into()),
            }
        }
    }
    let (reader, mapping, ctx) = open_source(main, &context)?;
    context = ctx;
    let notices: Vec<String> = reader.settings().notices.iter().map(|n| n.to_string()).collect();
    let options =
        ImportOptions { create_categories: settings.create_categories, gone: settings.gone, policy };
    let fingerprint = fingerprint(&main.mapping, settings, policy);
    let failed = std::sync::Mutex::new(None::<ImportError>);
    let path = catalog.path().to_path_buf();
    let (counts, write_rejections, read_issues, rows_read, read_ms) = std::thread::scope(|scope| {
        let (send, receive) = sync_channel::<Message>(4);
        let reader_thread = scope.spawn(move || {
            // The last run's hashes load on this thread's own connection while the writer
            // loads the same offers' state on its own (two 1M-row reads at once, not in turn).
            let hints = match Catalog::open(&path).and_then(|c| c.offer_hashes(supplier)) {
                Ok(hints) => hints,
                Err(e) => {
                    let _ = send.send(Message::Fatal(e.into()));
                    return Default::default();
                }
            };
            let prepare = Prepare { settings, fingerprint, hints: &hints, stems: Stems::new() };
            read_main(reader, &mapping, &context, prepare, &overlay, cancel, send)
        });
        let mut done = 0u64;
        let batches = Batches { receive, failed: &failed };
        let result = catalog.import_offers(supplier, &options, batches, &mut |counts| {
            done = counts.written();
            progress(&ImportProgress { stage: Stage::Importing, done, total: None });
            !cancel() && failed.lock().map(|f| f.is_none()).unwrap_or(false)
        });
        let (read_issues, rows_read, read_ms) = reader_thread.join().unwrap_or_default();
        result.map(|(counts, rejections)| (counts, rejections, read_issues, rows_read, read_ms))
    })
    .map_err(|e| match (e, failed.lock().ok().and_then(|mut f| f.take())) {
        (_, Some(fatal)) => fatal,
        (vitrina_store::StoreError::Cancelled, None) => ImportError::Cancelled,
        (e, None) => e.into(),
    })?;
    issues.extend(read_issues);
    for r in write_rejections {
        push_issue(
            &mut issues,
            ImportIssue {
                kind: IssueKind::Rejected,
                code: r.code,
                line: Some(r.line),
                record_id: r.record_id,
                field: r.field,
                value: r.supplier_sku,
                reason: r.reason,
            },
        );
    }
    issues.sort_by_key(|i| (i.kind == IssueKind::Warning, i.line));
    let rejected = issues.iter().filter(|i| i.kind == IssueKind::Rejected).count() as u64;
    let counts = ImportCounts { rejected, ..counts };
    Ok((RunOutcome { rows_read, counts, read_ms, total_ms: 0, notices, error: None }, issues))
}

/// A path or a link typed by the seller.
pub fn spec_from_text(text: &str) -> SourceSpec {
    let text = text.trim();
    let lower = text.to_ascii_lowercase();
    if lower.starts_with("http://") || lower.starts_with("https://") {
        SourceSpec::url(text)
    } else {
        SourceSpec::File { path: PathBuf::from(text) }
    }
}

fn base_context(settings: &SupplierSettings) -> Result<NormalizeContext, ImportError> {
    let mut context = NormalizeContext::new(Currency::RUB);
    for (code, rate) in &settings.rates {
        let currency: Currency = code.parse().map_err(|_| {
            ImportError::Config(format!("\"{code}\" in the currency rates is not a currency code"))
        })?;
        let rate = Rate::parse(rate)
            .ok_or_else(|| ImportError::Config(format!("the rate \"{rate}\" for {code} is not a number")))?;
        context.rates.push((currency, rate));
    }
    for (alias, brand) in &settings.brand_aliases {
        context.brand_aliases.insert(alias.trim().to_lowercase(), brand.trim().to_string());
    }
    Ok(context)
}

/// Opens a fetched file with its reading settings and its mapping (saved, or the standard YML
/// mapping, or one suggested from the header).
fn open_source(
    ready: &Ready,
    base: &NormalizeContext,
) -> Result<(FileReader, CompiledMapping, NormalizeContext), ImportError> {
    let options = ready.read.options().map_err(ImportError::Config)?;
    let path: &Path = &ready.fetched.path;
    let file = std::fs::File::open(path)
        .map_err(|e| ImportError::Config(format!("cannot read {}: {e}", path.display())))?;
    let name = ready
        .fetched
        .file_name
        .clone()
        .or_else(|| path.file_name().map(|n| n.to_string_lossy().into_owned()));
    let reader = vitrina_formats::open(file, name.as_deref(), &options)?;
    let mut context = base.clone();
    if let Some(shop) = reader.shop() {
        context = context.with_shop(shop);
    }
    let header: Vec<&str> = reader.settings().header.iter().map(String::as_str).collect();
    let profile = match &ready.mapping {
        Some(profile) => profile.clone(),
        None if reader.shop().is_some() => MappingProfile::yml(),
        None => crate::mapping::suggest(&header),
    };
    let compiled = CompiledMapping::compile(&profile, &header).map_err(|e| {
        ImportError::Config(format!("{}: {e}; set up the field mapping of this source first", ready.label))
    })?;
    Ok((reader, compiled, context))
}

enum Message {
    Batch(Vec<OfferInput>),
    Fatal(ImportError),
}

/// The writer's view of the channel: batches until the reader is done; a fatal read error
/// ends the run (the progress check then cancels the transaction).
struct Batches<'a> {
    receive: Receiver<Message>,
    failed: &'a std::sync::Mutex<Option<ImportError>>,
}

impl Iterator for Batches<'_> {
    type Item = Vec<OfferInput>;

    fn next(&mut self) -> Option<Vec<OfferInput>> {
        match self.receive.recv().ok()? {
            Message::Batch(rows) => Some(rows),
            Message::Fatal(error) => {
                if let Ok(mut failed) = self.failed.lock() {
                    *failed = Some(error);
                }
                // An empty batch, so the writer asks for progress and sees the failure.
                Some(Vec::new())
            }
        }
    }
}

/// The reader thread: records → offers, in batches. Returns the issues met, rows read, and
/// the milliseconds spent.
fn read_main(
    mut reader: FileReader,
    mapping: &CompiledMapping,
    context: &NormalizeContext,
    mut prepare: Prepare<'_>,
    overlay: &HashMap<String, Extra>,
    cancel: &(dyn Fn() -> bool + Sync),
    send: std::sync::mpsc::SyncSender<Message>,
) -> (Vec<ImportIssue>, u64, u64) {
    let started = Instant::now();
    let sku_source = mapping.source_of(Target::Sku);
    let mut issues = Vec::new();
    let mut batch = Vec::with_capacity(BATCH);
    let mut record = Record::new();
    let mut rows = 0u64;
    while let Some(result) = reader.read_into(&mut record) {
        if cancel() {
            break;
        }
        match result {
            Ok(()) => {
                rows += 1;
                let raw_sku =
                    sku_source.and_then(|key| record.get(key)).map(str::trim).filter(|s| !s.is_empty());
                let hash = row_hash(&record, prepare.fingerprint, raw_sku.and_then(|s| overlay.get(s)));
                if let Some(sku) = raw_sku
                    && prepare.hints.get(&sku_key(sku)) == Some(&(hash as i64))
                {
                    // Nothing about this row changed since the last run: no mapping, no product.
                    batch.push(OfferInput::Unchanged {
                        line: record.line(),
                        record_id: record.location().id.clone(),
                        supplier_sku: sku.to_string(),
                        hash,
                    });
                } else {
                    match mapping.map(&record, context) {
                        Ok(mut item) => {
                            if let Some(extra) = overlay.get(&item.supplier_sku) {
                                merge(&mut item, extra);
                            }
                            for w in item.warnings.drain(..) {
                                push_issue(
                                    &mut issues,
                                    ImportIssue {
                                        kind: IssueKind::Warning,
                                        code: w.code,
                                        line: Some(item.line),
                                        record_id: record.location().id.clone(),
                                        field: w.field,
                                        value: w.value,
                                        reason: w.reason,
                                    },
                                );
                            }
                            batch.push(prepare.offer_row(item, record.location().id.clone(), hash).into());
                        }
                        Err(rejection) => {
                            push_issue(&mut issues, rejected(&record, rejection, ""));
                            if let Some(sku) = raw_sku {
                                batch.push(OfferInput::Seen {
                                    line: record.line(),
                                    supplier_sku: sku.to_string(),
                                });
                            }
                        }
                    }
                }
            }
            Err(ReadError::Row(e)) => {
                rows += 1;
                push_issue(&mut issues, row_error(e, ""));
            }
            Err(ReadError::Fatal(e)) => {
                let _ = send.send(Message::Fatal(e.into()));
                return (issues, rows, started.elapsed().as_millis() as u64);
            }
        }
        if batch.len() == BATCH
            && send.send(Message::Batch(std::mem::replace(&mut batch, Vec::with_capacity(BATCH)))).is_err()
        {
            break; // the writer stopped
        }
    }
    if !batch.is_empty() {
        let _ = send.send(Message::Batch(batch));
    }
    (issues, rows, started.elapsed().as_millis() as u64)
}

/// Bump when what a row becomes changes for the same input (so every offer is processed anew).
/// 2: row hashes are XXH3 ([`vitrina_domain::StableHasher`]), stable across Rust releases.
const PIPELINE_VERSION: u32 = 2;

/// (A remapped supplier category resets the hashes of that supplier's offers in the store, so
/// the category map, which imports also extend, is not part of it.)
fn fingerprint(mapping: &Option<MappingProfile>, settings: &SupplierSettings, policy: StockPolicy) -> u64 {
    let mut h = vitrina_domain::StableHasher::new();
    PIPELINE_VERSION.hash(&mut h);
    serde_json::to_string(mapping).unwrap_or_default().hash(&mut h);
    settings.to_json().hash(&mut h);
    format!("{policy:?}").hash(&mut h);
    h.finish()
}

/// The hash of a row as read (every field and characteristic), the run's fingerprint, and what
/// supplements say about its SKU.
fn row_hash(record: &Record, fingerprint: u64, extra: Option<&Extra>) -> u64 {
    let mut h = vitrina_domain::StableHasher::new();
    fingerprint.hash(&mut h);
    record.hash_content(&mut h);
    if let Some(e) = extra {
        (e.cost, e.retail_price, e.old_price, e.stock).hash(&mut h);
    }
    h.finish()
}

/// What the supplements (price lists, stock files) say about one SKU; their fields win over
/// the main feed's.
#[derive(Debug, Default)]
struct Extra {
    cost: Option<i64>,
    retail_price: Option<i64>,
    old_price: Option<i64>,
    /// Set when a supplement maps a stock or availability column (0 is then a real "none").
    stock: Option<i64>,
}

impl Extra {
    fn new(item: SupplierItem, has_stock: bool) -> Self {
        let mut extra = Extra::default();
        extra.add(item, has_stock);
        extra
    }

    fn add(&mut self, item: SupplierItem, has_stock: bool) {
        self.cost = item.cost.or(self.cost);
        self.retail_price = item.retail_price.or(self.retail_price);
        self.old_price = item.old_price.or(self.old_price);
        if has_stock {
            self.stock = Some(item.stock);
        }
    }
}

fn merge(item: &mut SupplierItem, extra: &Extra) {
    item.cost = extra.cost.or(item.cost);
    item.retail_price = extra.retail_price.or(item.retail_price);
    item.old_price = extra.old_price.or(item.old_price);
    if let Some(stock) = extra.stock {
        item.stock = stock;
    }
}

/// What the reader thread needs to turn items into offers for the writer.
struct Prepare<'a> {
    settings: &'a SupplierSettings,
    /// Hash of everything besides the row that decides what a row becomes (mapping, settings,
    /// category map): part of every row's hash, so changing any of them re-processes every row.
    fingerprint: u64,
    /// The offers' hashes as of the last run: an offer whose hash is unchanged needs no search
    /// text (the writer will skip it).
    hints: &'a HashMap<u64, i64>,
    stems: Stems,
}

impl Prepare<'_> {
    /// Prices a normalized item and shapes it for the writer, with the row's hash (which lets
    /// it be skipped next time when nothing changed) and its search text.
    fn offer_row(&mut self, item: SupplierItem, record_id: Option<String>, hash: u64) -> OfferRow {
        let priced = self.settings.price_rules.price(&item, &item.category_path);
        let currency = Currency::RUB;
        let product = Product {
            id: ProductId::new(),
            sku: item.supplier_sku.clone(),
            name: item.name,
            description: item.description,
            brand: item.brand,
            model: item.model,
            category: None,
            variant_group: None,
            barcodes: item.barcodes,
            weight_g: item.weight_g,
            dimensions: item.dimensions,
            price: Money::new(priced.price, currency),
            old_price: priced.old_price.map(|m| Money::new(m, currency)),
            cost: item.cost.map(|m| Money::new(m, currency)),
            stock: item.stock.max(0),
            status: ProductStatus::Active,
            attributes: item.attributes,
            images: item.images.into_iter().map(|url| Image { url }).collect(),
        };
        let search = Some(SearchText::of(&product, &mut self.stems));
        OfferRow {
            line: item.line,
            record_id,
            supplier_sku: item.supplier_sku,
            hash,
            product,
            category_path: item.category_path,
            group_key: item.variant_group,
            pack_units: item.pack_units,
            search,
        }
    }
}

fn push_issue(issues: &mut Vec<ImportIssue>, issue: ImportIssue) {
    if issues.len() < MAX_ISSUES {
        issues.push(issue);
    }
}

fn rejected(record: &Record, r: RowRejection, source: &str) -> ImportIssue {
    ImportIssue {
        kind: IssueKind::Rejected,
        code: r.code,
        line: Some(record.line()),
        record_id: record.location().id.clone(),
        field: if source.is_empty() { r.field } else { format!("{source}: {}", r.field) },
        value: r.value,
        reason: r.reason,
    }
}

fn row_error(e: vitrina_formats::RowError, source: &str) -> ImportIssue {
    ImportIssue {
        kind: IssueKind::Rejected,
        code: IssueCode::RowUnreadable,
        line: Some(e.line),
        record_id: e.id,
        field: if source.is_empty() { "row".into() } else { format!("{source}: row") },
        value: String::new(),
        reason: e.problem.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use vitrina_formats::FormatError;

    use super::*;
    use crate::source::SourceError;

    #[test]
    fn every_failure_names_its_reason_with_a_code() {
        let missing = SourceError::FileMissing { path: "/x/lost.yml".into() };
        assert_eq!(missing.code(), "file_missing");
        assert_eq!(ImportError::from(missing).code(), "file_missing");
        let slow = SourceError::Timeout { url: "https://x.test/a.xml".into(), secs: 30 };
        assert_eq!(ImportError::from(slow).code(), "timeout");
        assert_eq!(ImportError::NoFeed("Acme".into()).code(), "no_feed");
        assert_eq!(
            ImportError::NoFeed("Acme".into()).to_string(),
            "\"Acme\" has no feed yet: add a file or URL in the supplier's settings"
        );
        assert_eq!(ImportError::Config("the settings are damaged".into()).code(), "import_settings_invalid");
        assert_eq!(ImportError::from(FormatError::NoOffers).code(), "feed_empty");
        assert_eq!(ImportError::from(FormatError::Truncated { line: 3 }).code(), "feed_unreadable");
        assert_eq!(
            ImportError::from(FormatError::UnsupportedEncoding { label: "koi7".into() }).code(),
            "feed_encoding"
        );
        assert_eq!(ImportError::Cancelled.code(), "cancelled");
        let store = vitrina_store::StoreError::SupplierNotFound("Acme".into());
        assert_eq!(ImportError::from(store).code(), "catalog_error");
        for e in [
            ImportError::NoFeed("Acme".into()),
            ImportError::from(FormatError::Empty),
            ImportError::from(SourceError::Cache {
                location: "a".into(),
                dir: "/c".into(),
                reason: "full".into(),
            }),
        ] {
            assert!(ImportError::CODES.contains(&e.code()), "{} is not listed", e.code());
        }
    }
}
