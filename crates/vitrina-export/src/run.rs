//! The export run: the catalog is read once per order of rows, and every profile reading in
//! that order is fed from the same pass, each on a thread of its own with its own writer.
//!
//! ```text
//!   catalog ──rows──▶ reader (this thread) ──batches (Arc)──▶ profile 1: match → item → writer → file
//!                                            └──────────────▶ profile 2: …
//! ```
//!
//! Each file is written atomically ([`AtomicFile`]) and, when the profile has a target,
//! uploaded after it is complete. Before anything is read, every output path is checked for
//! writing and every target for reaching and signing in: a profile that cannot finish fails
//! at once with the reason, and the others go on.

use std::collections::VecDeque;
use std::ops::ControlFlow;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{Receiver, SyncSender, sync_channel};
use std::time::Instant;

use vitrina_domain::FeedProfileId;
use vitrina_formats::write::{FeedCategory, FeedHeader, FeedWriter, Output, WriteError};
use vitrina_store::export::{ExportOrder, ExportRow, RowMatcher, Selection};
use vitrina_store::{Catalog, StoreError};

use crate::deliver::{self, DeliverError, Secret};
use crate::header::header_for;
use crate::item::ItemMaker;
use crate::output::{AtomicFile, Unwritable, check_writable, remove_stale_temps};
use crate::profile::FeedProfile;
use crate::summary::{ExportSummary, UploadResult};
use crate::writers::make_writer;

/// Rows handed to the writers at a time.
const BATCH: usize = 512;
/// Batches in flight per profile: bounds memory whatever the slowest writer's pace.
const IN_FLIGHT: usize = 4;

/// Why a profile's export failed. Each has a stable [`code`](ExportError::code).
#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    #[error(transparent)]
    Unwritable(#[from] Unwritable),
    #[error("the upload target failed: {0}")]
    Target(#[from] DeliverError),
    #[error(transparent)]
    Write(#[from] WriteError),
    #[error("reading the catalog failed: {0}")]
    Catalog(String),
    #[error("the export was cancelled; the previous file was left in place")]
    Cancelled,
}

impl From<StoreError> for ExportError {
    fn from(e: StoreError) -> Self {
        ExportError::Catalog(e.to_string())
    }
}

impl ExportError {
    /// `output_unwritable`, `target_<deliver code>`, `write_failed`, `catalog`, `cancelled`.
    pub fn code(&self) -> String {
        match self {
            ExportError::Unwritable(_) => "output_unwritable".into(),
            ExportError::Target(e) => format!("target_{}", e.code()),
            ExportError::Write(_) => "write_failed".into(),
            ExportError::Catalog(_) => "catalog".into(),
            ExportError::Cancelled => "cancelled".into(),
        }
    }
}

/// One profile to export, with the secret of its upload target (read from the keyring by the
/// caller; [`Secret::None`] without one).
#[derive(Debug, Clone)]
pub struct ExportJob {
    pub profile: FeedProfile,
    pub secret: Secret,
}

/// The circumstances of a run.
#[derive(Clone)]
pub struct RunOptions {
    /// UTC milliseconds, and the seller's offset from UTC in minutes (YML dates are local).
    pub now_ms: i64,
    pub utc_offset_minutes: i32,
    /// Written into feeds as the generating platform.
    pub platform: String,
    pub version: String,
    pub cancel: Arc<AtomicBool>,
    /// Called now and then with (rows read, rows to read).
    pub progress: Arc<dyn Fn(u64, u64) + Send + Sync>,
}

impl std::fmt::Debug for RunOptions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RunOptions").field("now_ms", &self.now_ms).finish_non_exhaustive()
    }
}

impl RunOptions {
    pub fn new(now_ms: i64) -> RunOptions {
        RunOptions {
            now_ms,
            utc_offset_minutes: 0,
            platform: "Vitrina".into(),
            version: env!("CARGO_PKG_VERSION").into(),
            cancel: Arc::new(AtomicBool::new(false)),
            progress: Arc::new(|_, _| {}),
        }
    }
}

/// Checks what can be checked before reading the catalog: the output file can be written and
/// the upload target answers and takes our credentials.
pub fn preflight(job: &ExportJob) -> Result<(), ExportError> {
    check_writable(&job.profile.output_path())?;
    if let Some(target) = &job.profile.settings.target {
        deliver::check(target, &job.secret)?;
    }
    Ok(())
}

/// Exports every profile of `jobs`: one pass over the catalog per order of rows, every profile
/// of that order fed from it. Results come back in the order of `jobs`.
pub fn export(
    catalog: &Catalog,
    jobs: &[ExportJob],
    options: &RunOptions,
) -> Vec<(FeedProfileId, Result<ExportSummary, ExportError>)> {
    let mut results: Vec<Option<Result<ExportSummary, ExportError>>> = jobs.iter().map(|_| None).collect();
    let mut ready = Vec::new();
    for (i, job) in jobs.iter().enumerate() {
        match preflight(job) {
            Ok(()) => ready.push(i),
            Err(e) => results[i] = Some(Err(e)),
        }
    }
    let categories = match catalog.export_categories() {
        Ok(c) => Arc::new(
            c.into_iter().map(|c| FeedCategory { id: c.id, parent: c.parent, name: c.name }).collect(),
        ),
        Err(e) => {
            let message = e.to_string();
            for i in ready {
                results[i] = Some(Err(ExportError::Catalog(message.clone())));
            }
            return collect(jobs, results);
        }
    };
    // Documents people read go by category; feeds in storage order, the fastest walk.
    for order in [ExportOrder::Storage, ExportOrder::Category] {
        let group: Vec<usize> =
            ready.iter().copied().filter(|i| order_of(&jobs[*i].profile) == order).collect();
        if group.is_empty() {
            continue;
        }
        let profiles: Vec<&ExportJob> = group.iter().map(|i| &jobs[*i]).collect();
        for (i, result) in group.iter().zip(one_pass(catalog, &profiles, order, &categories, options)) {
            results[*i] = Some(result);
        }
    }
    collect(jobs, results)
}

fn collect(
    jobs: &[ExportJob],
    results: Vec<Option<Result<ExportSummary, ExportError>>>,
) -> Vec<(FeedProfileId, Result<ExportSummary, ExportError>)> {
    jobs.iter().zip(results).map(|(j, r)| (j.profile.id, r.unwrap_or(Err(ExportError::Cancelled)))).collect()
}

fn order_of(profile: &FeedProfile) -> ExportOrder {
    match profile.format {
        crate::profile::FeedFormat::Pdf => ExportOrder::Category,
        _ => ExportOrder::Storage,
    }
}

/// One profile's side of a pass: what it writes with and what it has done.
struct Lane {
    profile: FeedProfile,
    header: FeedHeader,
    matcher: Option<RowMatcher>,
    file: AtomicFile,
    writer: Box<dyn FeedWriter>,
    summary: ExportSummary,
}

fn open_lane(
    catalog: &Catalog,
    job: &ExportJob,
    shared: bool,
    header: FeedHeader,
) -> Result<Lane, ExportError> {
    let profile = &job.profile;
    let path = profile.output_path();
    remove_stale_temps(&path);
    let gzip = profile.settings.output.gzip && profile.format.is_feed();
    let (file, output) = AtomicFile::create(&path, gzip)
        .map_err(|e| Unwritable { path: path.clone(), reason: e.to_string() })?;
    let writer = make_writer(profile, Box::new(output) as Output, &header)?;
    let matcher = if shared { Some(catalog.export_matcher(&profile.settings.selection)?) } else { None };
    let summary = ExportSummary {
        profile: profile.name.clone(),
        format: profile.format.code().into(),
        file: path,
        ..Default::default()
    };
    Ok(Lane { profile: profile.clone(), header, matcher, file, writer, summary })
}

/// Reads the catalog once in `order` and feeds every profile in `jobs` from it.
fn one_pass(
    catalog: &Catalog,
    jobs: &[&ExportJob],
    order: ExportOrder,
    categories: &Arc<Vec<FeedCategory>>,
    options: &RunOptions,
) -> Vec<Result<ExportSummary, ExportError>> {
    let started = Instant::now();
    // One profile reads exactly its selection; several read everything and each keeps its own.
    let shared = jobs.len() > 1
        && !jobs.windows(2).all(|w| w[0].profile.settings.selection == w[1].profile.settings.selection);
    let selection = if shared { Selection::default() } else { jobs[0].profile.settings.selection.clone() };
    let mut results: Vec<Option<Result<ExportSummary, ExportError>>> = jobs.iter().map(|_| None).collect();
    let mut lanes = Vec::new();
    for (i, job) in jobs.iter().enumerate() {
        match open_lane(catalog, job, shared, header_for(&job.profile, categories, options)) {
            Ok(lane) => lanes.push((i, lane)),
            Err(e) => results[i] = Some(Err(e)),
        }
    }
    if lanes.is_empty() {
        return results.into_iter().map(|r| r.unwrap_or(Err(ExportError::Cancelled))).collect();
    }
    let total = catalog.export_count(&selection).unwrap_or(0);
    let outcome = std::thread::scope(|scope| {
        let mut senders: Vec<SyncSender<Arc<Vec<ExportRow>>>> = Vec::new();
        let mut handles = Vec::new();
        for (i, lane) in lanes {
            let (tx, rx) = sync_channel::<Arc<Vec<ExportRow>>>(IN_FLIGHT);
            senders.push(tx);
            handles.push((i, scope.spawn(move || feed_lane(lane, rx))));
        }
        let read = read_batches(catalog, &selection, order, total, &senders, options);
        drop(senders);
        let finished: Vec<_> = handles.into_iter().map(|(i, h)| (i, h.join())).collect();
        (read, finished)
    });
    let (read, finished) = outcome;
    let cancelled = options.cancel.load(Ordering::Relaxed);
    for (i, joined) in finished {
        let lane_result = match joined {
            Ok(r) => r,
            Err(_) => Err(ExportError::Write(WriteError::Format("the writer stopped unexpectedly".into()))),
        };
        let result = match (&read, cancelled, lane_result) {
            (_, true, _) => Err(ExportError::Cancelled),
            (Err(e), _, _) => Err(ExportError::Catalog(e.to_string())),
            (Ok(()), false, Ok((lane, summary))) => {
                finish_lane(lane, summary, started, options, &jobs[i].secret)
            }
            (Ok(()), false, Err(e)) => Err(e),
        };
        results[i] = Some(result);
    }
    results.into_iter().map(|r| r.unwrap_or(Err(ExportError::Cancelled))).collect()
}

/// The reader: rows in batches to every lane still listening.
///
/// Batches come back for reuse once every lane is done with them, rows and all: a row read
/// is swapped into a used batch's slot, so the reader fills buffers that have already grown
/// instead of allocating a dozen strings per product (and the lanes never free what the
/// reader allocated, which costs more across threads).
fn read_batches(
    catalog: &Catalog,
    selection: &Selection,
    order: ExportOrder,
    total: u64,
    senders: &[SyncSender<Arc<Vec<ExportRow>>>],
    options: &RunOptions,
) -> Result<(), StoreError> {
    let mut open: Vec<bool> = vec![true; senders.len()];
    // Batches sent, oldest first: each is reused once only this copy of it is left.
    let mut sent: VecDeque<Arc<Vec<ExportRow>>> = VecDeque::new();
    let mut batch = Vec::with_capacity(BATCH);
    let mut filled = 0;
    let mut done = 0u64;
    let send = |batch: Vec<ExportRow>, open: &mut Vec<bool>, sent: &mut VecDeque<_>| {
        let batch = Arc::new(batch);
        for (tx, alive) in senders.iter().zip(open.iter_mut()) {
            // A lane that failed has dropped its receiver; the others go on.
            if *alive && tx.send(batch.clone()).is_err() {
                *alive = false;
            }
        }
        sent.push_back(batch);
        // A lane holds at most IN_FLIGHT + 1 batches, so older ones are free unless a lane
        // fell behind; those are left to it.
        if sent.len() > IN_FLIGHT + 3 {
            sent.pop_front();
        }
    };
    catalog.export_each::<StoreError>(selection, order, |row| {
        match batch.get_mut(filled) {
            Some(slot) => std::mem::swap(slot, row),
            None => batch.push(std::mem::take(row)),
        }
        filled += 1;
        if filled == BATCH {
            done += BATCH as u64;
            let reused = match sent.front() {
                Some(oldest) if Arc::strong_count(oldest) == 1 => {
                    sent.pop_front().and_then(|b| Arc::try_unwrap(b).ok())
                }
                _ => None,
            };
            let full = std::mem::replace(&mut batch, reused.unwrap_or_else(|| Vec::with_capacity(BATCH)));
            filled = 0;
            send(full, &mut open, &mut sent);
            if done.is_multiple_of(BATCH as u64 * 64) {
                (options.progress)(done, total);
            }
            if options.cancel.load(Ordering::Relaxed) || !open.iter().any(|a| *a) {
                return Ok(ControlFlow::Break(()));
            }
        }
        Ok(ControlFlow::Continue(()))
    })?;
    done += filled as u64;
    if filled > 0 {
        batch.truncate(filled);
        send(batch, &mut open, &mut sent);
    }
    (options.progress)(done, total);
    Ok(())
}

/// A lane's thread: match, make the item, write it.
fn feed_lane(
    mut lane: Lane,
    rx: Receiver<Arc<Vec<ExportRow>>>,
) -> Result<(Lane, ExportSummary), ExportError> {
    let mut maker = ItemMaker::new(&lane.profile);
    let mut summary = std::mem::take(&mut lane.summary);
    for batch in rx {
        for row in batch.iter() {
            if lane.matcher.as_ref().is_some_and(|m| !m.matches(row)) {
                continue;
            }
            summary.matched += 1;
            let item = maker.make(row, &lane.header);
            if let Err(skip) = lane.writer.write_item(item)? {
                summary.skip(&row.sku, &skip);
            }
        }
    }
    Ok((lane, summary))
}

/// Closes the file, puts it in place, uploads it.
fn finish_lane(
    lane: Lane,
    mut summary: ExportSummary,
    started: Instant,
    options: &RunOptions,
    secret: &Secret,
) -> Result<ExportSummary, ExportError> {
    let written = lane.writer.finish()?;
    summary.absorb(&written);
    summary.empty = summary.matched == 0;
    summary.bytes =
        lane.file.commit().map_err(|e| Unwritable { path: summary.file.clone(), reason: e.to_string() })?;
    summary.millis = started.elapsed().as_millis() as u64;
    if let Some(target) = &lane.profile.settings.target {
        let remote_name =
            summary.file.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        summary.upload = Some(if summary.empty && lane.profile.format.is_feed() {
            UploadResult {
                location: String::new(),
                public_url: target.public_url(&remote_name),
                skipped_empty: true,
            }
        } else {
            let done = deliver::upload(target, secret, &summary.file, &remote_name)?;
            UploadResult { location: done.location, public_url: done.public_url, skipped_empty: false }
        });
        summary.millis = started.elapsed().as_millis() as u64;
    }
    summary.finished_at = options.now_ms;
    Ok(summary)
}

/// Writes `profile`'s file into `out` with at most `limit` items (the editor's live preview):
/// the same selection, rules and writer as an export, without the file, the upload or the
/// pass shared with other profiles.
pub fn write_to(
    catalog: &Catalog,
    profile: &FeedProfile,
    out: Output,
    limit: usize,
    options: &RunOptions,
) -> Result<ExportSummary, ExportError> {
    let categories = Arc::new(
        catalog
            .export_categories()?
            .into_iter()
            .map(|c| FeedCategory { id: c.id, parent: c.parent, name: c.name })
            .collect::<Vec<_>>(),
    );
    let header = header_for(profile, &categories, options);
    let mut writer = make_writer(profile, out, &header)?;
    let mut maker = ItemMaker::new(profile);
    let mut summary = ExportSummary {
        profile: profile.name.clone(),
        format: profile.format.code().into(),
        ..Default::default()
    };
    let mut failure = None;
    catalog.export_each::<StoreError>(&profile.settings.selection, order_of(profile), |row| {
        summary.matched += 1;
        match writer.write_item(maker.make(row, &header)) {
            Ok(Ok(())) => summary.written += 1,
            Ok(Err(skip)) => summary.skip(&row.sku, &skip),
            Err(e) => {
                failure = Some(e);
                return Ok(ControlFlow::Break(()));
            }
        }
        Ok(if summary.written as usize >= limit { ControlFlow::Break(()) } else { ControlFlow::Continue(()) })
    })?;
    if let Some(e) = failure {
        return Err(e.into());
    }
    let written = writer.finish()?;
    summary.absorb(&written);
    Ok(summary)
}

/// The item and header one catalog row makes under `profile` (a spec sheet's content).
pub fn item_for(
    profile: &FeedProfile,
    row: &ExportRow,
    categories: Vec<FeedCategory>,
    options: &RunOptions,
) -> (vitrina_formats::write::FeedItem, FeedHeader) {
    let header = header_for(profile, &Arc::new(categories), options);
    let item = ItemMaker::new(profile).make(row, &header).clone();
    (item, header)
}
