//! One device of a team owns the marketplaces: prices and stocks are pushed (and orders will be
//! pulled) only by the device holding the `marketplaces` lease, so two PCs never send the same
//! change twice or undo each other's stock.
//!
//! A process whose catalog is in a team keeps the lease while its background sync runs (the
//! window, `vitrina worker`) if its member may edit; [`MarketTurn::take`] is what every side
//! effect at a marketplace asks first. It checks the epoch with the server (a stale owner is
//! fenced out). A process without a background sync (a CLI push) takes the lease itself for the
//! length of its run, renewing it on a thread of its own, and releases it when done. A catalog
//! that is in no team needs no turn.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, LazyLock, Mutex};

use vitrina_store::Catalog;
use vitrina_sync::pg::PgRemote;
use vitrina_sync::{LeaseKeeper, MARKETPLACES, MemberKind, Remote};

use super::{TEAM_URL, runtime, team_url};
use crate::error::{AppError, AppResult, ErrorCode};
use crate::secrets::SecretStore;

type Keeper = LeaseKeeper<PgRemote>;

/// The keepers this process runs, by catalog file.
static KEEPERS: LazyLock<Mutex<HashMap<PathBuf, Arc<Keeper>>>> = LazyLock::new(Default::default);

fn key(path: &Path) -> PathBuf {
    std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf())
}

/// The background sync of `path` keeps the lease with `keeper` (until [`forget`]).
pub(crate) fn keep(path: &Path, keeper: Arc<Keeper>) {
    if let Ok(mut k) = KEEPERS.lock() {
        k.insert(key(path), keeper);
    }
}

pub(crate) fn forget(path: &Path) {
    if let Ok(mut k) = KEEPERS.lock() {
        k.remove(&key(path));
    }
}

fn running(path: &Path) -> Option<Arc<Keeper>> {
    KEEPERS.lock().ok()?.get(&key(path)).cloned()
}

/// Whether this process should send to the marketplaces of the catalog at `path` without
/// asking the server: `None` when the catalog is in no team (always), else whether this
/// process's background sync holds the lease now. Auto-push asks it, so a device that does
/// not own the marketplaces queues nothing for them.
pub fn owns_marketplaces(catalog: &Catalog, path: &Path) -> AppResult<Option<bool>> {
    if catalog.sync_meta(TEAM_URL)?.is_none() {
        return Ok(None);
    }
    Ok(Some(running(path).is_some_and(|k| k.epoch().is_some())))
}

/// This device's turn at the marketplaces, held while the value lives.
#[derive(Debug)]
pub struct MarketTurn {
    /// The epoch of the lease (none outside a team).
    pub epoch: Option<i64>,
    own: Option<OwnLease>,
}

/// A lease this run took itself, renewed on a thread until dropped.
#[derive(Debug)]
struct OwnLease {
    stop: tokio::sync::watch::Sender<bool>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Drop for OwnLease {
    fn drop(&mut self) {
        let _ = self.stop.send(true);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

impl MarketTurn {
    /// Asks for this device's turn before a side effect at a marketplace of the catalog at
    /// `path`: granted at once outside a team; in a team, only while this device holds the
    /// lease, checked with the server. The error says who has it instead.
    pub fn take(path: &Path, secrets: &dyn SecretStore) -> AppResult<MarketTurn> {
        let catalog = Catalog::open(path)?;
        if catalog.sync_meta(TEAM_URL)?.is_none() {
            return Ok(MarketTurn { epoch: None, own: None });
        }
        let role = catalog.sync_meta(vitrina_sync::engine::keys::ROLE)?;
        if role.as_deref().and_then(|r| r.parse::<MemberKind>().ok()).is_some_and(|k| !k.may_edit()) {
            return Err(AppError::new(
                ErrorCode::TeamNotAllowed,
                "a viewer's device does not send to the marketplaces: an editor's device of the team does",
            ));
        }
        let rt = runtime()?;
        if let Some(keeper) = running(path) {
            let epoch = rt.block_on(keeper.guard()).map_err(|e| not_owner(e.message))?;
            return Ok(MarketTurn { epoch: Some(epoch), own: None });
        }
        // No background sync in this process: take the lease for this run.
        let remote = Arc::new(PgRemote::new(team_url(&catalog, secrets)?)?);
        let keeper = Arc::new(LeaseKeeper::new(remote.clone(), catalog.device(), MARKETPLACES));
        drop(catalog);
        let epoch = rt.block_on(async {
            keeper.tick().await;
            keeper.guard().await
        });
        let epoch = match epoch {
            Ok(epoch) => epoch,
            Err(_) => {
                let holder = rt.block_on(remote.lease_holder(MARKETPLACES)).ok();
                let who = holder
                    .filter(|h| h.live)
                    .and_then(|h| h.device)
                    .map(|d| format!(" (device {d})"))
                    .unwrap_or_default();
                return Err(not_owner(format!("another device of the team owns the marketplaces now{who}")));
            }
        };
        let (stop, stopped) = tokio::sync::watch::channel(false);
        let thread = std::thread::Builder::new()
            .name("vitrina-lease".into())
            .spawn(move || rt.block_on(keeper.run(stopped)))
            .map_err(|e| {
                AppError::new(ErrorCode::Internal, format!("cannot keep the marketplaces' lease: {e}"))
            })?;
        Ok(MarketTurn { epoch: Some(epoch), own: Some(OwnLease { stop, thread: Some(thread) }) })
    }

    /// Whether this run took the lease itself (no background sync in this process).
    pub fn took_lease(&self) -> bool {
        self.own.is_some()
    }
}

fn not_owner(why: String) -> AppError {
    AppError::new(
        ErrorCode::TeamNotAllowed,
        format!(
            "{why}: prices and stocks are sent by the device that owns the marketplaces, and this device's changes reach it through the team"
        ),
    )
}

/// While this device owns the marketplaces, other devices' changes it pulled go to them too:
/// every couple of seconds, when the pull cursor moved, an auto-push of what changed since
/// (applying a pulled change stamps the product's `updated_at` with the time it was applied).
pub(crate) async fn push_after_pulls(
    path: PathBuf,
    keeper: Arc<Keeper>,
    mut stop: tokio::sync::watch::Receiver<bool>,
) {
    let cursor = |path: PathBuf| async move {
        tokio::task::spawn_blocking(move || {
            Catalog::open(&path).ok()?.sync_meta(vitrina_store::sync_apply::PULL_CURSOR).ok()?
        })
        .await
        .ok()
        .flatten()
    };
    let mut seen = cursor(path.clone()).await;
    let mut checked = chrono::Utc::now().timestamp_millis();
    loop {
        tokio::select! {
            _ = stop.changed() => {}
            _ = tokio::time::sleep(PULL_PUSH_EVERY) => {}
        }
        if *stop.borrow() {
            return;
        }
        let now = chrono::Utc::now().timestamp_millis();
        let current = cursor(path.clone()).await;
        if current != seen && keeper.epoch().is_some() {
            let (path, since) = (path.clone(), checked);
            let queued = tokio::task::spawn_blocking(move || -> AppResult<usize> {
                let app = crate::catalog::App::open(&path)?;
                let jobs = crate::jobs::Jobs::open(&path)?;
                Ok(crate::market::auto_push::queue_auto_push(&app, &jobs, since)?.len())
            })
            .await;
            match queued {
                Ok(Ok(n)) if n > 0 => {
                    tracing::info!(accounts = n, "pulled changes queued for the marketplaces")
                }
                Ok(Err(e)) => {
                    tracing::warn!(error = %e, "pulled changes could not be queued for the marketplaces")
                }
                _ => {}
            }
        }
        seen = current;
        checked = now;
    }
}

/// How often the owner looks for pulled changes to send on.
const PULL_PUSH_EVERY: std::time::Duration = std::time::Duration::from_secs(2);
