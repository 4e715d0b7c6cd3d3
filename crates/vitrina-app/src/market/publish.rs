//! Publishing and pushing as jobs: `market.publish` checks and sends cards, `market.push` sends
//! changed prices and stocks; both then drain the account's outbox and follow up. One job per
//! account at a time (concurrency key `market:<account id>`), so two runs never send the same
//! items; accounts run side by side.
//!
//! The work itself ([`publish_now`], [`push_now`]) is plain blocking code over a catalog path
//! and a store of secrets, so it is tested without the job runner.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::Duration;

use serde::{Deserialize, Serialize};
use vitrina_jobs::{JobCtx, JobError, JobPayload, KindOptions, Registry};
use vitrina_market::plan::{HeldValue, PlanSummary, PushOps, plan_cards, plan_push};
use vitrina_market::publish::{ClientClock, RunOptions, SendSummary, run_outbox};
use vitrina_market::{Account, Client, Credentials, ErrorKind, MarketError, MarketStore, secret_name};
use vitrina_store::Catalog;
use vitrina_store::export::Selection;

use super::market_error;
use crate::catalog::App;
use crate::error::AppResult;
use crate::ipc::{JobErrorCode, JobStage, MarketRunDto};
use crate::jobs::{JobRecord, Jobs, JobsContext, QueueOptions};
use crate::secrets::Secrets;

pub fn register(r: &mut Registry<JobsContext>) {
    r.register_kind(
        KindOptions::new("Check and publish cards to a marketplace account (payload: account, skus)")
            .concurrency(4)
            .attempts(5),
        publish,
    );
    r.register_kind(
        KindOptions::new("Send changed prices and stocks to a marketplace account (payload: account)")
            .concurrency(4)
            .attempts(5),
        push,
    );
}

/// `market.publish`: the cards of `skus` (every product when empty), then the outbox.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PublishPayload {
    /// The account's id.
    pub account: String,
    #[serde(default)]
    pub skus: Vec<String>,
}

impl JobPayload for PublishPayload {
    const KIND: &'static str = "market.publish";
}

/// `market.push`: prices and stocks of products changed since `since` (UTC ms; every linked
/// product when absent), then the outbox.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PushPayload {
    pub account: String,
    #[serde(default)]
    pub since: Option<i64>,
    #[serde(default)]
    pub skus: Vec<String>,
    /// `prices` or `stocks` only; both when absent.
    #[serde(default)]
    pub only: Option<String>,
    /// Values the seller set that the catalog has not taken yet (an import held it).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub held: Vec<HeldValue>,
    /// Only send what the outbox holds (a run queued to go on with an earlier one).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub drain_only: bool,
}

impl JobPayload for PushPayload {
    const KIND: &'static str = "market.push";
}

/// The concurrency key of an account's jobs.
pub fn concurrency_key(account: &Account) -> String {
    format!("market:{}", account.id)
}

/// How long a run keeps asking about cards it sent before leaving them to the next run.
const FOLLOW_UP_FOR: Duration = Duration::from_secs(10 * 60);

/// Queues a publish of `skus` (every product when empty) to the account `key`.
pub fn queue_publish(app: &App, jobs: &Jobs, key: &str, products: &[String]) -> AppResult<JobRecord> {
    let account = app.market_store()?.account(key).map_err(market_error)?;
    let payload = PublishPayload { account: account.id.to_string(), skus: app.skus_of(products)? };
    jobs.queue_job(
        &payload,
        &QueueOptions { concurrency_key: Some(concurrency_key(&account)), max_attempts: None },
    )
}

/// Queues a push of prices and stocks (`only`: `prices` or `stocks`) to the account `key`.
pub fn queue_push(
    app: &App,
    jobs: &Jobs,
    key: &str,
    skus: &[String],
    since: Option<i64>,
    only: Option<&str>,
) -> AppResult<JobRecord> {
    let account = app.market_store()?.account(key).map_err(market_error)?;
    ops(only, &account).map_err(market_error)?;
    let payload = PushPayload {
        account: account.id.to_string(),
        since,
        skus: clean(skus),
        only: only.map(str::to_owned),
        held: Vec::new(),
        drain_only: false,
    };
    jobs.queue_job(
        &payload,
        &QueueOptions { concurrency_key: Some(concurrency_key(&account)), max_attempts: None },
    )
}

fn clean(skus: &[String]) -> Vec<String> {
    skus.iter().map(|s| s.trim().to_owned()).filter(|s| !s.is_empty()).collect()
}

/// What a run reports back to the job, the CLI and the window.
#[allow(missing_debug_implementations)]
pub struct RunHooks<'a> {
    pub cancel: &'a dyn Fn() -> bool,
    pub stage: &'a dyn Fn(JobStage),
    pub progress: &'a dyn Fn(u64, Option<u64>),
    /// How long to keep following up accepted cards (tests and the CLI's `--detach` use less).
    pub follow_up_for: Duration,
}

/// A client for `account` signing with its stored credentials.
pub fn client_for(account: &Account, secrets: &Secrets) -> Result<Client, MarketError> {
    let json = secrets
        .market_secret(&secret_name(account.id))
        .map_err(|e| MarketError::new(ErrorKind::CredentialsMissing, e.message))?
        .ok_or_else(|| {
            MarketError::new(
                ErrorKind::CredentialsMissing,
                format!("no credentials are saved for the account {:?}", account.name),
            )
        })?;
    Client::new(account, Credentials::from_json(account.market, &json)?)
}

/// What a run works with: its own catalog connection (a read that never waits for an import),
/// the market file, the account and its client.
struct Run {
    catalog: Catalog,
    store: MarketStore,
    account: Account,
    client: Client,
}

impl Run {
    fn open(
        path: &std::path::Path,
        key: &str,
        secrets: &Secrets,
        client: Option<Client>,
    ) -> Result<Run, MarketError> {
        let catalog = Catalog::open(path)?;
        let store = super::open_store(path).map_err(|e| MarketError::new(ErrorKind::Storage, e.message))?;
        let account = store.account(key)?;
        let client = client.map_or_else(|| client_for(&account, secrets), Ok)?;
        Ok(Run { catalog, store, account, client })
    }
}

/// `client`, or a client for `account` with its stored credentials.
pub fn client_or(account: &Account, secrets: &Secrets, client: Option<Client>) -> AppResult<Client> {
    match client {
        Some(c) => Ok(c),
        None => client_for(account, secrets).map_err(market_error),
    }
}

/// Checks and queues the cards of `skus` (every product when empty), then sends and follows up.
pub fn publish_now(
    catalog_path: &std::path::Path,
    account_key: &str,
    skus: &[String],
    secrets: &Secrets,
    client: Option<Client>,
    hooks: &RunHooks,
) -> Result<MarketRunDto, MarketError> {
    let Run { catalog, mut store, account, client } = Run::open(catalog_path, account_key, secrets, client)?;
    (hooks.stage)(JobStage::Publishing);
    let selection = Selection { skus: clean(skus), ..Default::default() };
    let total = catalog.export_count(&selection)?;
    let now = chrono::Utc::now().timestamp_millis();
    // The planner queues on its own connection of the market file while this thread sends: the
    // first batch goes out as soon as it is planned, not after the last card is built. The
    // hooks stay on this thread (they need not be `Send`); the planner sees them through atomics.
    let mut planner_store =
        super::open_store(catalog_path).map_err(|e| MarketError::new(ErrorKind::Storage, e.message))?;
    let queuing = AtomicBool::new(true);
    let cancelled = AtomicBool::new(false);
    let planned = AtomicU64::new(0);
    let (plan, sent) = std::thread::scope(|scope| {
        let (queuing, cancelled, planned, account, selection) =
            (&queuing, &cancelled, &planned, &account, &selection);
        let planner = scope.spawn(move || {
            let stop = || cancelled.load(Ordering::Relaxed);
            let plan = plan_cards(&catalog, &mut planner_store, account, selection, now, &stop, &mut |n| {
                planned.store(n, Ordering::Relaxed);
            });
            queuing.store(false, Ordering::Release);
            plan
        });
        let cancel = || {
            let stop = (hooks.cancel)();
            if stop {
                cancelled.store(true, Ordering::Relaxed);
            }
            stop
        };
        let progress = |done: u64, total_hint: Option<u64>| {
            if queuing.load(Ordering::Acquire) {
                (hooks.progress)(planned.load(Ordering::Relaxed), Some(total));
            } else {
                (hooks.progress)(done, total_hint);
            }
        };
        let sending = RunHooks { cancel: &cancel, progress: &progress, ..*hooks };
        let sent = drain(&mut store, account, &client, &sending, Some(queuing));
        // A send that failed as a whole ends the drain; the planner is stopped too.
        cancelled.store(true, Ordering::Relaxed);
        let plan = planner
            .join()
            .unwrap_or_else(|_| Err(MarketError::new(ErrorKind::Storage, "the planner panicked")));
        (plan, sent)
    });
    // A failed send first: it is why the planner was stopped.
    let sent = sent?;
    let plan = plan?;
    Ok(run_dto(&account, plan, sent, store.next_due(account.id)?))
}

/// What a push sends: `only` `prices` or `stocks`, else both (stocks when a warehouse is
/// mapped, or always on Yandex Market).
fn ops(only: Option<&str>, account: &Account) -> Result<PushOps, MarketError> {
    let stocks_possible = !vitrina_market::plan::stock_warehouses(account).is_empty();
    match only.map(str::trim) {
        None | Some("") => Ok(PushOps { prices: true, stocks: stocks_possible }),
        Some("prices") => Ok(PushOps { prices: true, stocks: false }),
        Some("stocks") => Ok(PushOps { prices: false, stocks: true }),
        Some(other) => Err(MarketError::new(
            ErrorKind::Invalid,
            format!("{other:?} is not what a push sends: prices or stocks"),
        )),
    }
}

/// Queues the changed prices and stocks of linked products, then sends them.
#[allow(clippy::too_many_arguments)]
pub fn push_now(
    catalog_path: &std::path::Path,
    account_key: &str,
    skus: &[String],
    since: Option<i64>,
    only: Option<&str>,
    held: &[HeldValue],
    drain_only: bool,
    secrets: &Secrets,
    client: Option<Client>,
    hooks: &RunHooks,
) -> Result<MarketRunDto, MarketError> {
    let Run { catalog, mut store, account, client } = Run::open(catalog_path, account_key, secrets, client)?;
    (hooks.stage)(JobStage::Pushing);
    let selection = Selection { skus: clean(skus), updated_since: since, ..Default::default() };
    let now = chrono::Utc::now().timestamp_millis();
    let ops = ops(only, &account)?;
    let plan = if drain_only {
        PlanSummary::default()
    } else {
        plan_push(&catalog, &mut store, &account, &selection, ops, held, now, hooks.cancel)?
    };
    let sent = drain(&mut store, &account, &client, hooks, None)?;
    Ok(run_dto(&account, plan, sent, store.next_due(account.id)?))
}

fn drain(
    store: &mut MarketStore,
    account: &Account,
    client: &Client,
    hooks: &RunHooks,
    still_queuing: Option<&AtomicBool>,
) -> Result<SendSummary, MarketError> {
    let clock = ClientClock::new(client);
    // A frequency guard can hold an item for up to a minute (Ozon: a stock pair every 30 s):
    // the run leaves it in the outbox and a later run sends it, rather than keep the account's
    // next push waiting behind it.
    let options =
        RunOptions { follow_up_for: hooks.follow_up_for, wait_for_due: WAIT_FOR_DUE, still_queuing };
    let mut following = false;
    run_outbox(store, account, client, &clock, options, hooks.cancel, &mut |s: &SendSummary| {
        if s.follow_ups > 0 && !following {
            following = true;
            (hooks.stage)(JobStage::FollowingUp);
        }
        (hooks.progress)(s.done + s.rejected, None);
    })
}

/// How long a run waits for items a frequency guard holds.
const WAIT_FOR_DUE: Duration = Duration::from_secs(3);

fn run_dto(account: &Account, plan: PlanSummary, sent: SendSummary, next_due: Option<i64>) -> MarketRunDto {
    MarketRunDto {
        account_id: account.id.to_string(),
        account: account.name.clone(),
        market: account.market.code().into(),
        read: plan.read,
        queued: plan.queued,
        unchanged: plan.unchanged,
        precheck_failed: plan.precheck_failed,
        not_published: plan.not_published,
        requests: sent.requests,
        follow_ups: sent.follow_ups,
        done: sent.done,
        rejected: sent.rejected,
        retried: sent.retried,
        awaiting: sent.awaiting,
        next_due,
    }
}

/// The failure codes only the marketplace jobs give (they also give `server_error`, `timeout`,
/// `cancelled` and `catalog_error`).
#[cfg(test)]
pub(crate) const MARKET_CODES: [JobErrorCode; 8] = [
    JobErrorCode::MarketOwnedElsewhere,
    JobErrorCode::MarketCredentialsMissing,
    JobErrorCode::MarketUnauthorized,
    JobErrorCode::MarketForbidden,
    JobErrorCode::MarketRateLimited,
    JobErrorCode::MarketRejected,
    JobErrorCode::MarketUnreachable,
    JobErrorCode::MarketSettingsInvalid,
];

/// A marketplace error as a job failure: transient ones are retried by the runner.
/// This device's turn at the marketplaces (see `team/owner.rs`), as the engine's error.
fn market_turn(path: &std::path::Path, secrets: &Secrets) -> Result<crate::team::MarketTurn, MarketError> {
    crate::team::MarketTurn::take(path, secrets.store())
        .map_err(|e| MarketError::new(ErrorKind::OwnedElsewhere, e.message))
}

pub(crate) fn job_error(e: MarketError) -> JobError {
    let code = match e.kind {
        ErrorKind::CredentialsMissing => JobErrorCode::MarketCredentialsMissing,
        ErrorKind::Unauthorized | ErrorKind::PaymentRequired => JobErrorCode::MarketUnauthorized,
        ErrorKind::Forbidden => JobErrorCode::MarketForbidden,
        ErrorKind::OwnedElsewhere => JobErrorCode::MarketOwnedElsewhere,
        ErrorKind::RateLimited => JobErrorCode::MarketRateLimited,
        ErrorKind::Rejected | ErrorKind::NotFound | ErrorKind::BadResponse => JobErrorCode::MarketRejected,
        ErrorKind::Connection => JobErrorCode::MarketUnreachable,
        ErrorKind::Server => JobErrorCode::ServerError,
        ErrorKind::Timeout => JobErrorCode::Timeout,
        ErrorKind::Cancelled => JobErrorCode::Cancelled,
        ErrorKind::Invalid | ErrorKind::UnknownAccount | ErrorKind::Conflict => {
            JobErrorCode::MarketSettingsInvalid
        }
        ErrorKind::Storage => JobErrorCode::CatalogError,
    };
    let error = if e.is_transient() {
        JobError::transient(e.to_string())
    } else {
        JobError::permanent(e.to_string())
    };
    error.with_code(code.code())
}

async fn publish(ctx: JobCtx<JobsContext>, p: PublishPayload) -> Result<MarketRunDto, JobError> {
    run_job(ctx, move |path, hooks, secrets| publish_now(path, &p.account, &p.skus, secrets, None, hooks))
        .await
}

async fn push(ctx: JobCtx<JobsContext>, p: PushPayload) -> Result<MarketRunDto, JobError> {
    run_job(ctx, move |path, hooks, secrets| {
        // In a team, only the device that owns the marketplaces sends (held for the run).
        let _turn = market_turn(path, secrets)?;
        push_now(
            path,
            &p.account,
            &p.skus,
            p.since,
            p.only.as_deref(),
            &p.held,
            p.drain_only,
            secrets,
            None,
            hooks,
        )
    })
    .await
}

/// Runs `work` on a blocking thread with the job's cancel, stage and progress.
async fn run_job(
    ctx: JobCtx<JobsContext>,
    work: impl FnOnce(&std::path::Path, &RunHooks, &Secrets) -> Result<MarketRunDto, MarketError> + Send + 'static,
) -> Result<MarketRunDto, JobError> {
    let cancel = Arc::new(AtomicBool::new(false));
    let token = ctx.cancel_token();
    let watcher = {
        let cancel = cancel.clone();
        tokio::spawn(async move {
            token.cancelled().await;
            cancel.store(true, Ordering::Relaxed);
        })
    };
    let reporter = ctx.reporter();
    let path = ctx.app().catalog_path().to_path_buf();
    let result = tokio::task::spawn_blocking(move || {
        let secrets = Secrets::new(Box::new(crate::secrets::KeyringStore::new()));
        let is_cancelled = || cancel.load(Ordering::Relaxed);
        let stage = |s: JobStage| reporter.stage(s.code());
        let progress = |done: u64, total: Option<u64>| reporter.progress(done, total);
        let hooks = RunHooks {
            cancel: &is_cancelled,
            stage: &stage,
            progress: &progress,
            follow_up_for: FOLLOW_UP_FOR,
        };
        work(&path, &hooks, &secrets)
    })
    .await
    .map_err(|e| JobError::permanent(e.to_string()))?;
    watcher.abort();
    ctx.check_cancelled()?;
    let run = result.map_err(job_error)?;
    let log = ctx.log();
    log.info(format!(
        "{}: {} read, {} queued, {} unchanged, {} with problems; {} requests, {} done, {} rejected, {} awaiting",
        run.account, run.read, run.queued, run.unchanged, run.precheck_failed, run.requests, run.done, run.rejected,
        run.awaiting
    ));
    if run.precheck_failed > 0 {
        log.warn(format!(
            "{} products were not sent: their problems are listed in Marketplaces",
            run.precheck_failed
        ));
    }
    Ok(run)
}

impl App {
    /// Publishes at once, without the job runner (the CLI's `--detach`-less path uses the job;
    /// this serves tests and the demo).
    pub fn publish_market_now(
        &self,
        key: &str,
        skus: &[String],
        secrets: &Secrets,
        client: Option<Client>,
        hooks: &RunHooks,
    ) -> AppResult<MarketRunDto> {
        publish_now(self.path(), key, skus, secrets, client, hooks).map_err(market_error)
    }

    /// Pushes prices and stocks at once, without the job runner.
    pub fn push_market_now(
        &self,
        key: &str,
        skus: &[String],
        secrets: &Secrets,
        client: Option<Client>,
        hooks: &RunHooks,
    ) -> AppResult<MarketRunDto> {
        let _turn = crate::team::MarketTurn::take(self.path(), secrets.store())?;
        push_now(self.path(), key, skus, None, None, &[], false, secrets, client, hooks).map_err(market_error)
    }
}
