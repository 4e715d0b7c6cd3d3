//! The sync engine: one device's catalog and the team's [`Remote`].
//!
//! A sync connects (the schema version is checked, the server's clock measured), pushes this
//! device's outbox in batches (each batch marked pushed only after the server committed it:
//! pushing again after a crash is harmless), then pulls in batches (each batch applied in one
//! transaction with the cursor: a crash applies it whole or not at all). A device behind the
//! pruned part of the log merges the server's state instead. In the background it syncs when
//! woken by the server (LISTEN/NOTIFY) or a local edit, and every 30 s regardless, and about
//! once a day prunes the team's log (folding the state) on a task of its own.
//!
//! The clock: every stamp this device makes is its clock plus the server's offset measured on
//! connect, so one PC with a wrong clock does not push stamps into the future; records made
//! while the clock ran ahead (before the first connect) are re-stamped before they are pushed.

use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde::{Deserialize, Serialize};
use tokio::sync::Notify;
use vitrina_domain::{DeviceId, EntityKind, Hlc};
use vitrina_store::sync_apply::{ApplyReport, BootstrapReport, PULL_CURSOR};
use vitrina_store::{Catalog, Clock};

use crate::error::{Result, SyncError, SyncErrorKind};
use crate::remote::{Cursor, MemberKind, Remote, ServerInfo, StateDoc};

/// Change sets per push and per pull page.
pub const BATCH: usize = 5_000;
/// Change sets per pull page unless [`Engine::set_batch`] says otherwise: a page is one SQLite
/// transaction, and on a large catalog most of its cost is the b-tree pages it dirties (each
/// written to the WAL at commit, then checkpointed); four times the change sets dirty far
/// fewer pages each. A page of this size holds the catalog's write lock about a second.
pub const PULL_PAGE: usize = 4 * BATCH;
/// How long the background loop waits without a wake-up before syncing anyway.
pub const POLL: Duration = Duration::from_secs(30);
/// Change sets stay in the team's log at least this long (and until every device active
/// meanwhile has pulled them); a device away longer merges the state when it comes back.
pub const LOG_RETENTION: Duration = Duration::from_secs(30 * 24 * 3600);
const PRUNE_EVERY: Duration = Duration::from_secs(24 * 3600);
/// How long a pull waits for change sets held back by an older transaction on the server.
const HELD_BACK_WAIT: Duration = Duration::from_secs(2);
const HELD_BACK_STEP: Duration = Duration::from_millis(50);
/// Records stamped later than the server's clock plus this are re-stamped before pushing.
const AHEAD_SLACK_MS: u64 = 60_000;

/// `sync_meta` keys the engine keeps.
pub mod keys {
    /// The server's clock minus this device's, in ms, as last measured (every catalog handle
    /// stamps with it).
    pub const CLOCK_OFFSET: &str = vitrina_store::sync_apply::CLOCK_OFFSET;
    /// The last sync's outcome ([`super::SyncStatus`] as JSON).
    pub const STATUS: &str = "status";
    /// The member's name as history shows it (this device's author).
    pub const MEMBER_NAME: &str = "member_name";
    /// The member's role in the team (viewer, editor, admin).
    pub const ROLE: &str = "role";
    /// When this device last pruned the team's log (UTC ms).
    pub const PRUNED_AT: &str = "pruned_at";
}

/// What one sync did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct SyncReport {
    pub pushed_sets: u64,
    pub pushed_changes: u64,
    pub pulled_sets: u64,
    pub applied: ApplyReport,
    /// Records re-stamped because they were made while this device's clock ran ahead.
    pub restamped: u64,
    /// The device was behind the pruned log and merged the server's state.
    pub merged_state: bool,
    /// Change sets were committed but not servable yet (an older transaction still ran on the
    /// server): the background loop pulls again soon.
    pub held_back: bool,
}

/// The last sync as the status indicator shows it (kept in the catalog: every front end and
/// process sees the same).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SyncStatus {
    /// When a sync last completed (UTC ms).
    pub last_sync: Option<u64>,
    /// When one was last tried.
    pub last_attempt: Option<u64>,
    /// Why the last try failed (None when it succeeded).
    pub error: Option<StatusError>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StatusError {
    pub kind: String,
    pub message: String,
}

/// The clock a team device stamps with: the system's plus the server's measured offset.
pub fn team_clock(offset_ms: i64) -> Clock {
    corrected(Arc::new(crate::pg::now_ms), offset_ms)
}

/// `base` plus the server's offset.
pub fn corrected(base: Clock, offset_ms: i64) -> Clock {
    Arc::new(move || (base() as i64).saturating_add(offset_ms).max(0) as u64)
}

/// The offset a catalog saw last (0 before its first connect).
pub fn saved_offset(catalog: &Catalog) -> i64 {
    catalog.sync_meta(keys::CLOCK_OFFSET).ok().flatten().and_then(|v| v.parse().ok()).unwrap_or(0)
}

/// A device's sync engine.
pub struct Engine<R: Remote> {
    remote: Arc<R>,
    catalog: Arc<Mutex<Catalog>>,
    device: DeviceId,
    label: String,
    batch: usize,
    pull_page: usize,
    info: Mutex<Option<ServerInfo>>,
    nudge: Arc<Notify>,
    crash_at: Option<(&'static str, std::sync::atomic::AtomicUsize)>,
    /// The device's own clock (the system's unless a test sets another).
    base: Clock,
}

impl<R: Remote> std::fmt::Debug for Engine<R> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Engine").field("device", &self.device).field("label", &self.label).finish()
    }
}

impl<R: Remote> Engine<R> {
    pub fn new(remote: Arc<R>, mut catalog: Catalog, label: &str) -> Self {
        catalog.set_clock(team_clock(saved_offset(&catalog)));
        if let Some(who) = catalog.sync_meta(keys::MEMBER_NAME).ok().flatten() {
            catalog.set_author(who);
        }
        Engine {
            device: catalog.device(),
            remote,
            catalog: Arc::new(Mutex::new(catalog)),
            label: label.to_string(),
            batch: BATCH,
            pull_page: PULL_PAGE,
            info: Mutex::new(None),
            nudge: Arc::new(Notify::new()),
            crash_at: None,
            base: Arc::new(crate::pg::now_ms),
        }
    }

    /// Tests: the device's own clock (a PC whose clock is wrong); stamps are this plus the
    /// server's offset once measured.
    pub fn set_device_clock(&mut self, base: Clock) {
        let offset = self.catalog.lock().map(|c| saved_offset(&c)).unwrap_or(0);
        if let Ok(mut c) = self.catalog.lock() {
            c.set_clock(corrected(base.clone(), offset));
        }
        self.base = base;
    }

    pub fn device(&self) -> DeviceId {
        self.device
    }

    pub fn remote(&self) -> &Arc<R> {
        &self.remote
    }

    /// The engine's catalog handle.
    pub fn catalog(&self) -> Arc<Mutex<Catalog>> {
        self.catalog.clone()
    }

    /// Change sets per push and pull page.
    pub fn set_batch(&mut self, batch: usize) {
        self.batch = batch.max(1);
        self.pull_page = self.batch;
    }

    /// Tests: the process aborts (as if killed) the `after`+1-th time it reaches the named
    /// point: `pushed` (the server has a batch, this device has not marked it) or `pulled` (a
    /// page arrived, nothing of it applied).
    #[doc(hidden)]
    pub fn crash_at(&mut self, point: &'static str, after: usize) {
        self.crash_at = Some((point, std::sync::atomic::AtomicUsize::new(after)));
    }

    fn crash_point(&self, point: &'static str) {
        if let Some((at, left)) = &self.crash_at
            && *at == point
            && left.fetch_sub(1, std::sync::atomic::Ordering::SeqCst) == 0
        {
            std::process::abort();
        }
    }

    /// Wakes the background loop (a local edit to push).
    pub fn nudge(&self) {
        self.nudge.notify_one();
    }

    pub fn nudger(&self) -> Arc<Notify> {
        self.nudge.clone()
    }

    /// What the server said at the last connect.
    pub fn server_info(&self) -> Option<ServerInfo> {
        self.info.lock().unwrap_or_else(std::sync::PoisonError::into_inner).clone()
    }

    /// Runs `f` on the catalog on a blocking thread.
    async fn local<T, F>(&self, f: F) -> Result<T>
    where
        T: Send + 'static,
        F: FnOnce(&mut Catalog) -> vitrina_store::Result<T> + Send + 'static,
    {
        let catalog = self.catalog.clone();
        tokio::task::spawn_blocking(move || {
            let mut c = catalog.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
            f(&mut c)
        })
        .await
        .map_err(|e| SyncError::new(SyncErrorKind::Local, format!("the local catalog: {e}")))?
        .map_err(Into::into)
    }

    /// Connects: checks versions, registers the device, measures the clock.
    pub async fn connect(&self) -> Result<ServerInfo> {
        let before = (self.base)() as i64;
        let mut info = self.remote.hello(self.device, &self.label).await?;
        let after = (self.base)() as i64;
        info.clock_offset_ms = info.server_ms - (before + after) / 2;
        let offset = info.clock_offset_ms;
        let base = self.base.clone();
        let who = if info.member_name.is_empty() { info.role.clone() } else { info.member_name.clone() };
        let kind = info.kind.code();
        self.local(move |c| {
            c.set_sync_meta(keys::CLOCK_OFFSET, Some(&offset.to_string()))?;
            c.set_sync_meta(keys::MEMBER_NAME, Some(&who))?;
            c.set_sync_meta(keys::ROLE, Some(kind))?;
            c.set_clock(corrected(base, offset));
            c.set_author(who);
            Ok(())
        })
        .await?;
        *self.info.lock().unwrap_or_else(std::sync::PoisonError::into_inner) = Some(info.clone());
        Ok(info)
    }

    /// One full sync: connect, push everything, pull everything. The outcome is recorded for
    /// the status indicator.
    pub async fn sync(&self) -> Result<SyncReport> {
        let attempt = crate::pg::now_ms();
        let outcome = self.sync_inner().await;
        let status = SyncStatus {
            last_sync: match &outcome {
                Ok(_) => Some(crate::pg::now_ms()),
                Err(_) => self.status().await.ok().and_then(|s| s.last_sync),
            },
            last_attempt: Some(attempt),
            error: outcome.as_ref().err().map(|e| StatusError {
                kind: serde_json::to_value(e.kind)
                    .ok()
                    .and_then(|v| v.as_str().map(str::to_string))
                    .unwrap_or_default(),
                message: e.message.clone(),
            }),
        };
        let text = serde_json::to_string(&status).unwrap_or_default();
        // The status is best-effort: a catalog too busy to take it keeps the previous one.
        let _ = self.local(move |c| c.set_sync_meta(keys::STATUS, Some(&text))).await;
        outcome
    }

    async fn sync_inner(&self) -> Result<SyncReport> {
        let info = self.connect().await?;
        let mut report = SyncReport::default();
        if info.kind.may_edit() {
            self.push_all(&mut report).await?;
        }
        self.pull_all(&mut report, info.kind).await?;
        // Rows that waited for what they name (the marketplace file, created since) are written.
        self.local(|c| c.sync_settle()).await?;
        Ok(report)
    }

    /// Prunes the team's log about once a day, which also folds the state's field rows into the
    /// docs (seconds for a day of edits to a large catalog): on a task of its own, so the loop
    /// goes on syncing meanwhile. Any editor's device may; the server decides what goes. A
    /// failure only waits for the next day.
    async fn prune_now_and_then(&self, running: &mut Option<tokio::task::JoinHandle<()>>) {
        if running.as_ref().is_some_and(|task| !task.is_finished())
            || !self.server_info().is_some_and(|i| i.kind.may_edit())
        {
            return;
        }
        let now = crate::pg::now_ms();
        let last = self
            .local(|c| c.sync_meta(keys::PRUNED_AT))
            .await
            .ok()
            .flatten()
            .and_then(|v| v.parse::<u64>().ok())
            .unwrap_or(0);
        if now.saturating_sub(last) < PRUNE_EVERY.as_millis() as u64 {
            return;
        }
        let _ = self.local(move |c| c.set_sync_meta(keys::PRUNED_AT, Some(&now.to_string()))).await;
        let remote = self.remote.clone();
        *running = Some(tokio::spawn(async move {
            match remote.prune(LOG_RETENTION).await {
                Ok(gone) => tracing::info!(gone, "pruned the team's log"),
                Err(e) => tracing::info!(error = %e, "the team's log was not pruned"),
            }
        }));
    }

    /// The last recorded status.
    pub async fn status(&self) -> Result<SyncStatus> {
        self.local(|c| Ok(read_status(c))).await
    }

    /// Pushes this device's outbox, batch by batch.
    pub async fn push_all(&self, report: &mut SyncReport) -> Result<()> {
        let bound =
            Hlc { wall_ms: corrected(self.base.clone(), self.offset())() + AHEAD_SLACK_MS, counter: 0 };
        report.restamped += self.local(move |c| c.sync_restamp_ahead(bound)).await?;
        // A catalog in the team from before its settings rows synced records them once.
        self.local(|c| c.sync_record_rows()).await?;
        let batch = self.batch;
        let admin = self.server_info().is_some_and(|i| i.kind == MemberKind::Admin);
        // While a batch is on its way, the next one is read.
        let mut next = self.local(move |c| c.sync_outbox(batch)).await?;
        loop {
            if next.is_empty() {
                return Ok(());
            }
            // What only admins may change stays on a non-admin's device (the server would
            // refuse the whole batch for it).
            if !admin {
                next.sets.retain(|s| !s.entity.admin_only());
            }
            let current = Arc::new(next);
            let ahead = current.clone();
            let (pushed, read) = tokio::join!(
                self.remote.push(&current.sets),
                self.local(move |c| c.sync_outbox_after(Some(&ahead), batch))
            );
            pushed?;
            self.crash_point("pushed");
            report.pushed_sets += current.sets.len() as u64;
            report.pushed_changes += current.changes() as u64;
            let marked = current.clone();
            self.local(move |c| c.sync_mark_pushed(&marked)).await?;
            next = read?;
        }
    }

    /// Pulls and applies everything after the cursor.
    pub async fn pull_all(&self, report: &mut SyncReport, kind: MemberKind) -> Result<()> {
        let batch = self.pull_page;
        let mut cursor = self.cursor().await?;
        let mut waited = Duration::ZERO;
        let mut prefetched: Option<crate::remote::PullPage> = None;
        loop {
            let page = match prefetched.take() {
                Some(page) => page,
                None => self.remote.pull(cursor, batch).await?,
            };
            if page.behind {
                cursor = self.merge_state().await?;
                report.merged_state = true;
                continue;
            }
            report.held_back = page.held_back;
            let Some(next) = page.next else {
                // Committed after an older transaction that still runs: served once it ends.
                if page.held_back && waited < HELD_BACK_WAIT {
                    tokio::time::sleep(HELD_BACK_STEP).await;
                    waited += HELD_BACK_STEP;
                    continue;
                }
                break;
            };
            self.crash_point("pulled");
            let full = page.sets.len() >= batch;
            report.pulled_sets += page.sets.len() as u64;
            let sets = page.sets;
            let apply = self.local(move |c| c.sync_apply(&sets, &next.to_string()));
            // While a full page is applied, the next is fetched.
            let applied = if full {
                let (applied, ahead) = tokio::join!(apply, self.remote.pull(next, batch));
                prefetched = Some(ahead?);
                applied?
            } else {
                apply.await?
            };
            add(&mut report.applied, &applied);
            cursor = next;
            if !full && !page.held_back {
                break;
            }
        }
        if kind.may_edit() {
            self.remote.pulled(self.device, cursor).await?;
        }
        Ok(())
    }

    async fn cursor(&self) -> Result<Cursor> {
        let text = self.local(|c| c.sync_meta(PULL_CURSOR)).await?;
        Ok(text.and_then(|t| t.parse().ok()).unwrap_or(Cursor::START))
    }

    fn offset(&self) -> i64 {
        self.server_info().map(|i| i.clock_offset_ms).unwrap_or(0)
    }

    /// A device behind the pruned log: its own changes are pushed already (push runs first);
    /// the server's state is merged field by field, then it pulls from the state's snapshot.
    async fn merge_state(&self) -> Result<Cursor> {
        tracing::warn!(device = %self.device, "behind the team's pruned log: merging the team's state");
        let catalog = self.catalog.clone();
        let cursor = self
            .remote
            .state(move |docs: Vec<StateDoc>| {
                let docs: Vec<_> = docs.into_iter().map(|d| (d.kind, d.id, d.doc)).collect();
                let mut c = catalog.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
                c.sync_apply_docs(&docs)?;
                Ok(())
            })
            .await?;
        let text = cursor.to_string();
        self.local(move |c| c.set_sync_meta(PULL_CURSOR, Some(&text))).await?;
        Ok(cursor)
    }

    /// Syncs until `stop` is set: at once, then whenever the server or a local edit wakes it,
    /// and every [`POLL`] regardless; after a failure, again after 1, 2, 4 … 30 s.
    pub async fn run(&self, mut stop: tokio::sync::watch::Receiver<bool>) {
        let mut listener: Option<tokio::sync::mpsc::Receiver<()>> = None;
        let mut backoff = Duration::from_secs(1);
        let mut pruning: Option<tokio::task::JoinHandle<()>> = None;
        loop {
            if *stop.borrow() {
                if let Some(task) = pruning {
                    task.abort();
                }
                return;
            }
            if listener.is_none() {
                listener = self.remote.listen().await.ok();
            }
            let wait = match self.sync().await {
                Ok(report) => {
                    backoff = Duration::from_secs(1);
                    self.prune_now_and_then(&mut pruning).await;
                    if report.held_back { Duration::from_millis(500) } else { POLL }
                }
                Err(e) => {
                    tracing::info!(error = %e, "team sync failed; this device keeps working offline");
                    // The listening connection may be as dead as the one that failed.
                    listener = None;
                    let wait = backoff;
                    backoff = (backoff * 2).min(Duration::from_secs(30));
                    wait
                }
            };
            tokio::select! {
                _ = stop.changed() => {}
                _ = self.nudge.notified() => {}
                woke = async { match listener.as_mut() { Some(l) => l.recv().await, None => std::future::pending().await } } => {
                    if woke.is_none() {
                        listener = None;
                    }
                }
                _ = tokio::time::sleep(wait) => {}
            }
            // A burst of edits or pushes makes one sync, not one each.
            tokio::time::sleep(Duration::from_millis(30)).await;
            if let Some(l) = listener.as_mut() {
                while l.try_recv().is_ok() {}
            }
        }
    }
}

/// The status kept in a catalog.
pub fn read_status(catalog: &Catalog) -> SyncStatus {
    catalog
        .sync_meta(keys::STATUS)
        .ok()
        .flatten()
        .and_then(|s| serde_json::from_str(&s).ok())
        .unwrap_or_default()
}

fn add(total: &mut ApplyReport, more: &ApplyReport) {
    total.sets += more.sets;
    total.own += more.own;
    total.won += more.won;
    total.lost += more.lost;
    total.conflicts += more.conflicts;
    total.products_changed += more.products_changed;
}

/// What joining built.
#[derive(Debug, Clone, Serialize)]
pub struct JoinReport {
    pub device: DeviceId,
    pub server: ServerInfo,
    pub catalog: BootstrapReport,
    pub cursor: String,
}

/// A new device: builds the catalog at `path` from the team's state (one snapshot, copied in
/// binary), so it pulls only what comes after. `meta` is kept in the new catalog's sync
/// settings (the team's address, for one). `path` is replaced only when the copy is whole.
pub async fn join<R: Remote>(
    remote: &R,
    path: &Path,
    label: &str,
    meta: Vec<(String, String)>,
) -> Result<JoinReport> {
    let path = path.to_path_buf();
    let boot = tokio::task::spawn_blocking(move || Catalog::sync_bootstrap(&path))
        .await
        .map_err(|e| SyncError::new(SyncErrorKind::Local, e.to_string()))??;
    let device = boot.device();
    let before = crate::pg::now_ms() as i64;
    let mut server = remote.hello(device, label).await?;
    server.clock_offset_ms = server.server_ms - (before + crate::pg::now_ms() as i64) / 2;
    // Docs are decoded and read into products here (parsing every field, the search text) and
    // written on a thread of their own, so the copy, that work and the catalog's writes overlap.
    enum Item {
        Category(uuid::Uuid, vitrina_domain::Doc),
        Product(Box<vitrina_store::sync_apply::PreparedProduct>),
        Row(EntityKind, uuid::Uuid, vitrina_domain::Doc),
    }
    let (send, receive) = std::sync::mpsc::sync_channel::<Vec<Item>>(8);
    let writer =
        std::thread::spawn(move || -> vitrina_store::Result<vitrina_store::sync_apply::Bootstrap> {
            let mut boot = boot;
            for items in receive {
                for item in items {
                    match item {
                        Item::Category(id, doc) => boot.category(id, doc),
                        Item::Product(p) => boot.insert(*p)?,
                        Item::Row(kind, id, doc) => boot.row(kind, id, doc),
                    }
                }
            }
            Ok(boot)
        });
    let mut stems = vitrina_store::search::Stems::new();
    let copied = remote
        .state(move |docs: Vec<StateDoc>| {
            let items = docs
                .into_iter()
                .map(|d| match d.kind {
                    EntityKind::Category => Item::Category(d.id, d.doc),
                    EntityKind::Product => Item::Product(Box::new(
                        vitrina_store::sync_apply::Bootstrap::prepare(d.id, &d.doc, &mut stems),
                    )),
                    kind => Item::Row(kind, d.id, d.doc),
                })
                .collect();
            send.send(items)
                .map_err(|_| SyncError::new(SyncErrorKind::Local, "the new catalog stopped being written"))
        })
        .await;
    let written =
        writer.join().map_err(|_| SyncError::new(SyncErrorKind::Local, "writing the new catalog failed"))?;
    let cursor = copied?;
    let boot = written?;
    let cursor_text = cursor.to_string();
    let offset = server.clock_offset_ms.to_string();
    let server_for_meta = server.clone();
    let catalog = tokio::task::spawn_blocking(move || {
        let server = server_for_meta;
        let mut all: Vec<(String, String)> = meta;
        all.push((PULL_CURSOR.to_string(), cursor_text));
        all.push((keys::CLOCK_OFFSET.to_string(), offset));
        let who =
            if server.member_name.is_empty() { server.role.clone() } else { server.member_name.clone() };
        all.push((keys::MEMBER_NAME.to_string(), who));
        all.push((keys::ROLE.to_string(), server.kind.code().to_string()));
        let pairs: Vec<(&str, &str)> = all.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
        boot.finish(&pairs)
    })
    .await
    .map_err(|e| SyncError::new(SyncErrorKind::Local, e.to_string()))??;
    Ok(JoinReport { device, server, catalog, cursor: cursor.to_string() })
}
