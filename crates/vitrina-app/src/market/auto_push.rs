//! Auto-push: after an edit, a bulk change or a supplier import, every account that wants it
//! (on by default) gets a `market.push` of the products changed since, so a marketplace never
//! sells stock the seller no longer has. One queued push per account is enough: a second
//! would send the same changes.

use vitrina_jobs::NewJob;
use vitrina_market::{Account, LinkStatus, MarketStore};

use super::publish::{PushPayload, concurrency_key};
use crate::catalog::App;
use crate::error::AppResult;
use crate::jobs::{JobFilter, JobRecord, Jobs, QueueOptions};

/// How far back an auto-push looks from the change that triggered it: edits made just before
/// (in the same second, by another window) are taken along; the payload hashes skip the rest.
pub const LOOK_BACK_MS: i64 = 60_000;

/// The accounts an auto-push goes to: auto-push on, and something published there.
pub fn auto_push_accounts(store: &MarketStore) -> AppResult<Vec<Account>> {
    let mut out = Vec::new();
    for account in store.accounts().map_err(super::market_error)? {
        if !account.settings.auto_push {
            continue;
        }
        let counts = store.link_counts(account.id).map_err(super::market_error)?;
        let published = counts.iter().any(|(s, n)| {
            *n > 0 && matches!(s, LinkStatus::Live | LinkStatus::Processing | LinkStatus::Sent)
        });
        if published {
            out.push(account);
        }
    }
    Ok(out)
}

/// The push payload for `account` of what changed since `since_ms`.
pub fn push_payload(account: &Account, since_ms: i64) -> PushPayload {
    PushPayload {
        account: account.id.to_string(),
        since: Some(since_ms - LOOK_BACK_MS),
        skus: Vec::new(),
        only: None,
        held: Vec::new(),
        drain_only: false,
    }
}

/// A job for the import job to queue as its child.
pub fn push_job(account: &Account, since_ms: i64) -> NewJob {
    NewJob::of(&push_payload(account, since_ms)).key(concurrency_key(account))
}

/// Whether this device sends to the marketplaces: always outside a team; in a team, only the
/// device that owns them (`team/owner.rs`). The others' changes reach it through sync.
fn sends_here(app: &App) -> AppResult<bool> {
    let catalog = app.catalog()?;
    Ok(crate::team::owns_marketplaces(&catalog, app.path())?.unwrap_or(true))
}

/// Queues a push to every auto-push account that has none queued yet.
pub fn queue_auto_push(app: &App, jobs: &Jobs, since_ms: i64) -> AppResult<Vec<JobRecord>> {
    if !sends_here(app)? {
        return Ok(Vec::new());
    }
    let accounts = auto_push_accounts(&app.market_store()?)?;
    if accounts.is_empty() {
        return Ok(Vec::new());
    }
    let queued = jobs.list(&JobFilter {
        kind: Some("market.push".into()),
        state: Some("queued".into()),
        ..JobFilter::default()
    })?;
    let mut out = Vec::new();
    for account in accounts {
        let id = account.id.to_string();
        if queued.iter().any(|j| j.payload.get("account").and_then(|a| a.as_str()) == Some(id.as_str())) {
            continue;
        }
        out.push(jobs.queue_job(
            &push_payload(&account, since_ms),
            &QueueOptions { concurrency_key: Some(concurrency_key(&account)), max_attempts: None },
        )?);
    }
    Ok(out)
}

/// Queues a push of `held` (a price or stock the catalog will take after an import) to every
/// auto-push account, at once.
pub fn queue_held_push(
    app: &App,
    jobs: &Jobs,
    held: &vitrina_market::plan::HeldValue,
) -> AppResult<Vec<JobRecord>> {
    let mut out = Vec::new();
    if !sends_here(app)? {
        return Ok(out);
    }
    for account in auto_push_accounts(&app.market_store()?)? {
        let payload = PushPayload {
            account: account.id.to_string(),
            since: None,
            skus: vec![held.sku.clone()],
            only: None,
            held: vec![held.clone()],
            drain_only: false,
        };
        out.push(jobs.queue_job(
            &payload,
            &QueueOptions { concurrency_key: Some(concurrency_key(&account)), max_attempts: None },
        )?);
    }
    Ok(out)
}
