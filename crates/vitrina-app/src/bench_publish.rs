//! The publishing benchmark (`vitrina bench publish`): a demo catalog of N products published to
//! a marketplace fake started in this process with the REAL documented rate limits (and, if
//! asked, random faults), through the same code the `market.publish` job runs, with a client
//! running in real time. Never a test: WB alone takes about ten minutes for 10 000 products.
//!
//! Cases:
//!
//! - `publish`: build the catalog, add an account, map it automatically, fill every required
//!   attribute still without a source with a constant (the first dictionary value, or a
//!   sensible word or number) and map every unmapped category to its best suggestion, then
//!   publish everything and follow up until every card has a verdict. A few products (every
//!   [`REJECT_EVERY`]th) are rejected by the marketplace's moderation (the fakes' reject
//!   helpers), so partial per-item failures are part of every run. Reported: what was sent to
//!   which endpoint, the polls, the fake's self-inflicted throttles (must be 0), the wall time
//!   and the minimum time the documented limits allow for the same requests
//!   ([`minimum_time`]), and the final state of every product. With `faults > 0` the same
//!   catalog is published twice, to a clean fake and to one failing that share of requests
//!   (429/420 or 503): the final status of every SKU must be the same, and the faulty fake
//!   must hold exactly one card per SKU sent (no retry created a second one or lost one).
//! - `autopush`: after a publish, a price edit through the app queues an auto-push
//!   ([`queue_auto_push`]) which the job runner of this process runs; measured from the edit
//!   to the fake showing the new price. Then again while another connection holds the
//!   catalog's write lock as a long supplier import does (a bulk upsert whose input has not
//!   ended). The edit itself is made before the import takes the lock: an edit cannot be
//!   written while an import holds it (SQLite has one writer), but nothing on the push path
//!   (the market file, the job queue, reading the catalog) waits for that lock. The job reads
//!   the account's credentials from the store the environment names, so this case needs
//!   `VITRINA_CREDENTIALS_FILE` (the CLI sets it for a child process of its own).

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};
use vitrina_market::{Cost, GroupLimit, Market, limits};
use vitrina_testkit::http::Request as FakeRequest;
use vitrina_testkit::market::{Fake, FakeConfig, FakeMarket, FakeToken};

use crate::catalog::{App, FieldEdit};
use crate::error::{AppError, AppResult, ErrorCode};
use crate::ipc::{JobStage, NewMarketAccountDto};
use crate::jobs::{Jobs, WorkerOptions};
use crate::market::auto_push::queue_auto_push;
use crate::market::publish::{RunHooks, publish_now};
use crate::secrets::{Backend, KeyringStore, MemoryStore, Secrets};

/// The case names.
pub const CASES: [&str; 2] = ["publish", "autopush"];

/// Every this-many-th product (of the catalog's SKUs in order) is rejected by moderation.
pub const REJECT_EVERY: usize = 97;

const ACCOUNT: &str = "Бенчмарк";
const TOKEN: &str = "bench-token-local";
const CLIENT_ID: &str = "100500";
const BUSINESS_ID: i64 = 11_000_001;
const CAMPAIGN_ID: i64 = 21_000_001;
const SEED: u64 = 7;
/// Attempts a publish job gets (`market.publish` is registered with 5; a bench is patient).
const JOB_ATTEMPTS: usize = 10;
/// How long a run may keep following up before leaving cards to the next run.
const FOLLOW_UP_FOR: Duration = Duration::from_secs(60 * 60);

/// One bucket the run's requests went through.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct BucketUse {
    /// The key in `vitrina_market::limits::LIMITS`.
    pub bucket: String,
    pub requests: u64,
    /// Tokens taken: requests, or items for item-counted buckets (YM writes).
    pub units: u64,
    pub burst: u64,
    pub interval_ms: f64,
    /// `max(0, units − burst) × interval`.
    pub minimum_seconds: f64,
}

/// Requests to one endpoint.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct EndpointCount {
    /// `POST /v3/product/import` (ids in paths replaced by `{id}`).
    pub endpoint: String,
    /// `write` (cards sent), `poll` (following up what was sent), `other`.
    pub role: String,
    pub requests: u64,
}

/// One publish run.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct PublishRun {
    /// `clean` or `faults`.
    pub label: String,
    pub fault_rate: f64,
    /// Faults the fake injected (random 429/420 and 503), during the publish.
    pub faulted: u64,
    /// Throttles the fake's own limiter gave: self-inflicted by the client. Must be 0.
    pub throttled: u64,
    pub publishable: u64,
    pub precheck_failed: u64,
    /// `ceil(publishable / card batch)`: the fewest write requests possible.
    pub expected_writes: u64,
    pub writes: u64,
    pub polls: u64,
    pub other_requests: u64,
    pub endpoints: Vec<EndpointCount>,
    pub buckets: Vec<BucketUse>,
    /// From the start of the publish until every card had a verdict.
    pub seconds: f64,
    /// Until the last write request reached the fake (sampled every 100 ms).
    pub send_seconds: f64,
    /// The minimum the documented limits allow for all of the run's requests ([`minimum_time`]).
    pub minimum_seconds: f64,
    /// The bucket that sets the minimum.
    pub minimum_bucket: String,
    /// The minimum for the write requests alone (their bucket).
    pub minimum_send_seconds: f64,
    /// `seconds / minimum_seconds`.
    pub ratio: f64,
    /// `send_seconds / minimum_send_seconds`.
    pub send_ratio: f64,
    pub live: u64,
    pub rejected: u64,
    /// Products told to the fake to reject that were publishable.
    pub rejects_planned: u64,
    /// Neither live nor rejected nor precheck-failed at the end (lost or still awaiting).
    pub unsettled: u64,
    /// Products whose final status is not the expected one (live, or rejected when planned).
    pub wrong_state: u64,
    /// Live (WB) or sent (Ozon, YM) products the fake does not hold.
    pub lost: u64,
    /// Cards the fake holds, and SKUs among them held more than once.
    pub cards_on_fake: u64,
    pub duplicate_cards: u64,
    /// Times the publish ran again after a transient failure, as the job runner would.
    pub job_retries: u64,
    /// Some examples of what went wrong, if anything.
    pub notes: Vec<String>,
    /// Final link status by SKU (not serialized: compared between runs).
    #[serde(skip)]
    pub statuses: BTreeMap<String, String>,
}

/// One auto-push, in ms from the start of the edit.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct PushTiming {
    /// From the price edit to the fake holding the new price.
    pub seconds: f64,
    pub edited_ms: f64,
    /// The import holds the write lock (the idle push: the same as `edited_ms`).
    pub lock_taken_ms: f64,
    pub queued_ms: f64,
    /// The job runner started the push (the job's `started_at`, ms resolution).
    pub job_started_ms: Option<f64>,
    pub arrived_ms: f64,
}

/// The auto-push latencies.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct AutoPushBench {
    pub sku: String,
    /// From the price edit to the fake holding the new price.
    pub idle_seconds: f64,
    /// The same while another connection holds the catalog's write lock.
    pub during_import_seconds: f64,
    /// The write lock was still held when the price arrived.
    pub import_held_lock: bool,
    pub idle: PushTiming,
    pub during_import: PushTiming,
}

/// What `vitrina bench publish` reports for one marketplace.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct PublishBench {
    pub market: String,
    pub case: String,
    pub products: u64,
    pub card_batch: u64,
    pub categories_auto: u64,
    pub categories_by_suggestion: u64,
    pub attributes_auto: u64,
    pub attributes_constant: u64,
    pub setup_seconds: f64,
    pub clean: PublishRun,
    pub faults: Option<PublishRun>,
    /// With faults: SKUs whose final status differs from the clean run's.
    pub differing_from_clean: Option<u64>,
    /// The faulty run failed altogether.
    pub faults_error: Option<String>,
    pub autopush: Option<AutoPushBench>,
}

/// The minimum time `limit` allows for `units` tokens, starting with a full bucket: the first
/// `burst` go at once, each one after that waits one `interval` (`per / amount`) for its
/// token. So `max(0, units − burst) × interval`. A run's minimum is the largest over the
/// buckets its requests used: buckets refill side by side, so the slowest one bounds the run
/// (it ignores that some requests can only follow others, so it is a lower bound).
pub fn minimum_time(limit: &GroupLimit, units: u64) -> Duration {
    limit.interval() * units.saturating_sub(u64::from(limit.burst)) as u32
}

/// How long the buckets that `requests` spent take to fill up from empty: the longest
/// `burst × interval` among them, leaving out the hourly ones (category trees, campaigns)
/// that publishing never calls and that would take an hour.
pub fn refill_time(market: Market, requests: &[FakeRequest]) -> Duration {
    const LONGEST: Duration = Duration::from_secs(60);
    requests
        .iter()
        .flat_map(|r| classify(market, &r.method, &r.path).2)
        .filter_map(limits::limit)
        .map(|l| l.interval() * l.burst)
        .filter(|d| *d <= LONGEST)
        .max()
        .unwrap_or_default()
}

/// Runs `case` for `market` (`wb`, `ozon`, `ym`) on a demo catalog of `products` in `dir`.
pub fn run(market: &str, products: u64, faults: f64, case: &str, dir: &Path) -> AppResult<PublishBench> {
    let market: Market = market
        .parse()
        .map_err(|e: vitrina_market::market::UnknownMarket| AppError::invalid(e.to_string()))?;
    if !CASES.contains(&case) {
        return Err(AppError::invalid(format!("unknown case \"{case}\"; known: {}", CASES.join(", "))));
    }
    let autopush = case == "autopush";
    let secrets = if autopush {
        match Backend::from_env() {
            Ok(Backend::CredentialsFile(_)) => Secrets::new(Box::new(KeyringStore::new())),
            _ => {
                return Err(AppError::invalid(
                    "the autopush case runs the push as a job, which reads credentials from the store \
                     the environment names: set VITRINA_CREDENTIALS_FILE=/absolute/path",
                ));
            }
        }
    } else {
        Secrets::new(Box::new(MemoryStore::default()))
    };
    std::fs::create_dir_all(dir)
        .map_err(|e| AppError::new(ErrorCode::Io, format!("cannot create {}: {e}", dir.display())))?;

    let started = Instant::now();
    let clean =
        Bench::prepare(market, products, 0.0, &dir.join(format!("{}-clean", market.code())), &secrets)?;
    let setup_seconds = started.elapsed().as_secs_f64();
    let clean_run = clean.publish("clean")?;
    let mut out = PublishBench {
        market: market.code().into(),
        case: case.into(),
        products,
        card_batch: vitrina_market::api(market).card_batch().items as u64,
        categories_auto: clean.mapping.0,
        categories_by_suggestion: clean.mapping.1,
        attributes_auto: clean.mapping.2,
        attributes_constant: clean.mapping.3,
        setup_seconds,
        clean: clean_run,
        faults: None,
        differing_from_clean: None,
        faults_error: None,
        autopush: None,
    };
    if autopush {
        out.autopush = Some(clean.autopush(&out.clean)?);
    }
    drop(clean);
    if faults > 0.0 && !autopush {
        match faults_run(market, products, faults, dir, &secrets, &out.clean) {
            Ok((run, differing)) => {
                out.differing_from_clean = Some(differing);
                out.faults = Some(run);
            }
            Err(e) => out.faults_error = Some(e.to_string()),
        }
    }
    Ok(out)
}

/// The same catalog published to a fake failing `faults` of the requests; the run and how many
/// SKUs ended in another status than in the clean run.
fn faults_run(
    market: Market,
    products: u64,
    faults: f64,
    dir: &Path,
    secrets: &Secrets,
    clean: &PublishRun,
) -> AppResult<(PublishRun, u64)> {
    let faulty =
        Bench::prepare(market, products, faults, &dir.join(format!("{}-faults", market.code())), secrets)?;
    let mut run = faulty.publish("faults")?;
    run.expected_writes = clean.expected_writes;
    let differing =
        clean.statuses.iter().filter(|(sku, status)| run.statuses.get(*sku) != Some(*status)).count() as u64
            + run.statuses.keys().filter(|sku| !clean.statuses.contains_key(*sku)).count() as u64;
    Ok((run, differing))
}

struct Bench<'s> {
    market: Market,
    app: App,
    fake: FakeMarket,
    secrets: &'s Secrets,
    /// (categories auto-mapped, categories mapped to the best suggestion, attributes
    /// auto-mapped, required attributes set to a constant)
    mapping: (u64, u64, u64, u64),
    skus: Vec<String>,
    rejects: BTreeSet<String>,
    fault_rate: f64,
    dir: PathBuf,
}

impl<'s> Bench<'s> {
    fn prepare(
        market: Market,
        products: u64,
        faults: f64,
        dir: &Path,
        secrets: &'s Secrets,
    ) -> AppResult<Self> {
        std::fs::create_dir_all(dir)
            .map_err(|e| AppError::new(ErrorCode::Io, format!("cannot create {}: {e}", dir.display())))?;
        let path = dir.join("catalog.db");
        for suffix in ["", "-wal", "-shm"] {
            let _ = std::fs::remove_file(dir.join(format!("catalog.db{suffix}")));
        }
        for entry in
            std::fs::read_dir(dir).map_err(|e| AppError::new(ErrorCode::Io, e.to_string()))?.flatten()
        {
            // The market file and the job queue next to the catalog start empty too.
            if entry.path().is_file() {
                let _ = std::fs::remove_file(entry.path());
            }
        }
        crate::seed::build_demo(&path, products, SEED, true, &mut |_| {})?;
        let app = App::open(&path)?;
        let (kind, token) = match market {
            Market::Wb => (Fake::Wb, FakeToken::wb(TOKEN)),
            Market::Ozon => (Fake::Ozon, FakeToken::ozon(CLIENT_ID, TOKEN)),
            Market::Ym => (Fake::Ym, FakeToken::ym(TOKEN)),
        };
        let fake = FakeMarket::start(kind, FakeConfig::new(vec![token]).faults(faults, 1));
        let account = NewMarketAccountDto {
            name: ACCOUNT.into(),
            market: market.code().into(),
            base_url: Some(fake.url()),
            token: TOKEN.into(),
            client_id: if market == Market::Ozon { CLIENT_ID.into() } else { String::new() },
            business_id: (market == Market::Ym).then_some(BUSINESS_ID),
            campaign_id: (market == Market::Ym).then_some(CAMPAIGN_ID),
        };
        app.add_market_account(&account, secrets)?;
        let warehouse = match market {
            Market::Wb => Some("1000001"),
            Market::Ozon => Some("22142605386000"),
            Market::Ym => None,
        };
        if let Some(w) = warehouse {
            app.set_market_account_settings(
                ACCOUNT,
                Some(true),
                &[("Основной склад".into(), w.into())],
                None,
            )?;
        }
        let mut bench = Bench {
            market,
            app,
            fake,
            secrets,
            mapping: (0, 0, 0, 0),
            skus: Vec::new(),
            rejects: BTreeSet::new(),
            fault_rate: faults,
            dir: dir.to_path_buf(),
        };
        // With faults, a mapping step can fail after the client's own retries: the seller
        // would press the button again (everything mapped so far is kept).
        let mut tries = 0;
        while let Err(e) = bench.map() {
            tries += 1;
            if tries >= JOB_ATTEMPTS {
                return Err(e);
            }
            std::thread::sleep(Duration::from_secs(1));
        }
        bench.skus = bench.all_skus()?;
        bench.rejects = bench.skus.iter().step_by(REJECT_EVERY).skip(1).cloned().collect();
        match market {
            Market::Wb => {
                bench.rejects.iter().for_each(|s| bench.fake.wb_reject(s, "Бенчмарк: отклонено модерацией"))
            }
            Market::Ozon => {
                bench.rejects.iter().for_each(|s| bench.fake.ozon_reject(s, "Бенчмарк: отклонено модерацией"))
            }
            // YM rejects an offer it holds: see `publish`.
            Market::Ym => {}
        }
        Ok(bench)
    }

    /// Automatic mapping, then what a seller would still do by hand to publish everything.
    fn map(&mut self) -> AppResult<()> {
        let auto = self.app.auto_map_market(ACCOUNT, self.secrets, None)?;
        self.mapping.0 += auto.categories_mapped;
        self.mapping.2 += auto.attributes_mapped;
        for c in self.app.market_category_map(ACCOUNT)? {
            if c.ext_id.is_none()
                && let Some(s) = &c.suggestion
            {
                self.app.set_market_category(ACCOUNT, &c.category_id, Some(&s.ext_id), self.secrets, None)?;
                self.mapping.1 += 1;
            }
        }
        let mut exts: Vec<String> =
            self.app.market_category_map(ACCOUNT)?.into_iter().filter_map(|c| c.ext_id).collect();
        exts.sort();
        exts.dedup();
        for ext in exts {
            for a in self.app.market_attributes(ACCOUNT, &ext)? {
                if !a.required || a.source.is_some() {
                    continue;
                }
                let value = match (a.sample_values.first(), a.kind.as_str()) {
                    (Some(v), _) => v.clone(),
                    (None, "number") => "1".into(),
                    (None, "bool") => "да".into(),
                    (None, _) => "Нет".into(),
                };
                self.app.set_market_attribute(
                    ACCOUNT,
                    &ext,
                    &a.attr_id,
                    Some(&format!("const:{value}")),
                    None,
                    &BTreeMap::new(),
                )?;
                self.mapping.3 += 1;
            }
        }
        Ok(())
    }

    fn all_skus(&self) -> AppResult<Vec<String>> {
        let catalog = self.app.catalog()?;
        let mut skus = Vec::new();
        catalog.export_each::<AppError>(
            &vitrina_store::export::Selection::default(),
            vitrina_store::export::ExportOrder::Storage,
            |row| {
                skus.push(row.sku.clone());
                Ok(std::ops::ControlFlow::Continue(()))
            },
        )?;
        skus.sort();
        Ok(skus)
    }

    /// `timeline-<label>.csv`: every request of the run, when it arrived (ms from the start),
    /// its endpoint and role — where the time of a run goes.
    fn write_timeline(&self, label: &str, started: Instant, requests: &[FakeRequest]) -> AppResult<()> {
        let mut text = String::from("ms,endpoint,role\n");
        for r in requests {
            let (endpoint, role, _) = classify(self.market, &r.method, &r.path);
            let ms = r.at.saturating_duration_since(started).as_secs_f64() * 1000.0;
            text.push_str(&format!("{ms:.1},{endpoint},{role:?}\n"));
        }
        let path = self.dir.join(format!("timeline-{label}.csv"));
        std::fs::write(&path, text)
            .map_err(|e| AppError::new(ErrorCode::Io, format!("cannot write {}: {e}", path.display())))
    }

    fn publish(&self, label: &str) -> AppResult<PublishRun> {
        // The minimum starts every bucket full; the setup (dictionaries, mapping) just spent
        // some of the same account's tokens, so the run starts once they are back.
        let setup = self.fake.requests();
        std::thread::sleep(refill_time(self.market, &setup));
        drop(setup);
        let before = self.fake.requests().len();
        let (faulted0, throttled0) = (self.fake.faulted(), self.fake.throttled());
        let stop = Arc::new(AtomicBool::new(false));
        let started = Instant::now();
        let market = self.market;
        let mut job_retries: Vec<String> = Vec::new();
        let (last_write, run) = std::thread::scope(|scope| {
            // Samples when the write requests stop growing; on YM it also plays moderation,
            // rejecting the planned offers as soon as the fake holds them.
            let watcher = scope.spawn(|| {
                let mut last = Duration::ZERO;
                let mut seen = before;
                let mut pending: BTreeSet<&String> = self.rejects.iter().collect();
                while !stop.load(Ordering::Relaxed) {
                    // Only the requests since the last look: copying the whole log (megabytes of
                    // card payloads) ten times a second would slow the run it measures.
                    let new = self.fake.requests_from(seen);
                    seen += new.len();
                    if new.iter().any(|r| classify(market, &r.method, &r.path).1 == Role::Write) {
                        last = started.elapsed();
                    }
                    drop(new);
                    if market == Market::Ym && !pending.is_empty() {
                        pending.retain(|sku| {
                            if self.fake.ym_offer(sku).is_some() {
                                self.fake.ym_reject(sku, "Бенчмарк: отклонено модерацией");
                                false
                            } else {
                                true
                            }
                        });
                    }
                    std::thread::sleep(Duration::from_millis(100));
                }
                last
            });
            let never = || false;
            let stage = |_: JobStage| {};
            let progress = |_: u64, _: Option<u64>| {};
            let hooks =
                RunHooks { cancel: &never, stage: &stage, progress: &progress, follow_up_for: FOLLOW_UP_FOR };
            // As the job runner does: a transient failure (the client gave up after its own
            // retries) runs the job again, which carries on from the outbox.
            let mut run = publish_now(self.app.path(), ACCOUNT, &[], self.secrets, None, &hooks);
            while let Err(e) = &run
                && e.is_transient()
                && job_retries.len() < JOB_ATTEMPTS
            {
                job_retries.push(e.to_string());
                std::thread::sleep(e.retry_after.unwrap_or(Duration::from_secs(1)));
                run = publish_now(self.app.path(), ACCOUNT, &[], self.secrets, None, &hooks);
            }
            stop.store(true, Ordering::Relaxed);
            (watcher.join().unwrap_or_default(), run)
        });
        let seconds = started.elapsed().as_secs_f64();
        let run = run.map_err(crate::market::market_error)?;
        let requests = self.fake.requests();
        let requests = &requests[before..];
        self.write_timeline(label, started, requests)?;

        let mut endpoints: BTreeMap<(String, Role), u64> = BTreeMap::new();
        let mut buckets: BTreeMap<&'static str, (u64, u64)> = BTreeMap::new();
        for r in requests {
            let (endpoint, role, keys) = classify(market, &r.method, &r.path);
            *endpoints.entry((endpoint, role)).or_default() += 1;
            for key in keys {
                let Some(limit) = limits::limit(key) else { continue };
                let units = match limit.cost {
                    Cost::Request => 1,
                    Cost::Items => items_in(&r.body),
                };
                let b = buckets.entry(key).or_default();
                b.0 += 1;
                b.1 += units;
            }
        }
        let count =
            |role: Role| endpoints.iter().filter(|((_, r), _)| *r == role).map(|(_, n)| n).sum::<u64>();
        let write_buckets: BTreeSet<&'static str> = requests
            .iter()
            .filter_map(|r| {
                let (_, role, keys) = classify(market, &r.method, &r.path);
                (role == Role::Write).then_some(keys)
            })
            .flatten()
            .collect();
        let buckets: Vec<BucketUse> = buckets
            .into_iter()
            .filter_map(|(key, (requests, units))| {
                let limit = limits::limit(key)?;
                Some(BucketUse {
                    bucket: key.into(),
                    requests,
                    units,
                    burst: limit.burst.into(),
                    interval_ms: limit.interval().as_secs_f64() * 1000.0,
                    minimum_seconds: minimum_time(limit, units).as_secs_f64(),
                })
            })
            .collect();
        let slowest = buckets.iter().max_by(|a, b| a.minimum_seconds.total_cmp(&b.minimum_seconds));
        let minimum_seconds = slowest.map_or(0.0, |b| b.minimum_seconds);
        let minimum_bucket = slowest.map(|b| b.bucket.clone()).unwrap_or_default();
        let minimum_send_seconds = buckets
            .iter()
            .filter(|b| write_buckets.contains(b.bucket.as_str()))
            .map(|b| b.minimum_seconds)
            .fold(0.0, f64::max);

        let mut out = PublishRun {
            label: label.into(),
            fault_rate: self.fault_rate,
            faulted: self.fake.faulted() - faulted0,
            throttled: self.fake.throttled() - throttled0,
            publishable: run.queued,
            precheck_failed: run.precheck_failed,
            expected_writes: run.queued.div_ceil(vitrina_market::api(market).card_batch().items as u64),
            writes: count(Role::Write),
            polls: count(Role::Poll),
            other_requests: count(Role::Other),
            endpoints: endpoints
                .into_iter()
                .map(|((endpoint, role), requests)| EndpointCount {
                    endpoint,
                    role: role.code().into(),
                    requests,
                })
                .collect(),
            buckets,
            seconds,
            send_seconds: last_write.as_secs_f64(),
            minimum_seconds,
            minimum_bucket,
            minimum_send_seconds,
            ratio: seconds / minimum_seconds.max(1e-9),
            send_ratio: last_write.as_secs_f64() / minimum_send_seconds.max(1e-9),
            live: 0,
            rejected: 0,
            rejects_planned: 0,
            unsettled: 0,
            wrong_state: 0,
            lost: 0,
            cards_on_fake: 0,
            duplicate_cards: 0,
            job_retries: job_retries.len() as u64,
            notes: job_retries.into_iter().map(|e| format!("run again after: {e}")).collect(),
            statuses: BTreeMap::new(),
        };
        self.check_final_state(&mut out)?;
        // A run again after a failure reports only what it queued itself: count the links.
        out.precheck_failed = out.statuses.values().filter(|s| *s == "precheck_failed").count() as u64;
        out.publishable = out.statuses.len() as u64 - out.precheck_failed;
        // The fewest writes: the clean run's plan (WB sends a model's sizes as one upload
        // entry, so its batches count entries, not products); a faulty run is compared with
        // the clean one's (see `faults_run`).
        Ok(out)
    }

    /// SKU → the SKU of the product whose card it is on (only the sizes of a shared card).
    fn card_leaders(&self) -> AppResult<BTreeMap<String, String>> {
        let store =
            vitrina_market::MarketStore::open(self.app.path()).map_err(crate::market::market_error)?;
        let account = store.account(ACCOUNT).map_err(crate::market::market_error)?;
        let links = store
            .links(account.id, &vitrina_market::store::LinkFilter::default())
            .map_err(crate::market::market_error)?;
        let offer: BTreeMap<_, _> = links.iter().map(|l| (l.product_id, l.link.offer_id.clone())).collect();
        Ok(links
            .iter()
            .filter_map(|l| {
                let leader = offer.get(&l.card_of?)?;
                (*leader != l.link.offer_id).then(|| (l.link.offer_id.clone(), leader.clone()))
            })
            .collect())
    }

    /// Every product live, rejected as planned, or not publishable; the fake holds one card
    /// per SKU sent.
    fn check_final_state(&self, out: &mut PublishRun) -> AppResult<()> {
        let mut offset = 0;
        let mut ext_ids: BTreeMap<String, String> = BTreeMap::new();
        loop {
            let page = self.app.market_links(ACCOUNT, &[], false, None, 1000, offset)?;
            if page.items.is_empty() {
                break;
            }
            offset += page.items.len() as u32;
            for l in page.items {
                if l.status == "live"
                    && let Some(ext) = l.ext_id
                {
                    ext_ids.insert(l.sku.clone(), ext);
                }
                out.statuses.insert(l.sku, l.status);
            }
        }
        // A WB card holds every size of a model under its first size's vendor code: a size
        // shares its card's fate, so a rejection planned for the card's vendor code is the
        // card's, and one planned for another size never reaches the fake's check.
        let leader = self.card_leaders()?;
        for sku in &self.skus {
            let status = out.statuses.get(sku).map_or("none", String::as_str);
            let planned = self.rejects.contains(leader.get(sku).unwrap_or(sku));
            let expected = match status {
                "precheck_failed" => true,
                "live" => !planned,
                "rejected" => planned,
                _ => false,
            };
            match status {
                "live" => out.live += 1,
                "rejected" => out.rejected += 1,
                "precheck_failed" => {}
                _ => out.unsettled += 1,
            }
            if planned && status != "precheck_failed" {
                out.rejects_planned += 1;
            }
            if !expected {
                out.wrong_state += 1;
                if out.notes.len() < 10 {
                    out.notes.push(format!("{sku}: {status} (rejection planned: {planned})"));
                }
            }
        }
        // What the fake holds: WB cards by vendor code and nmID (sizes of one model share a
        // card, and a rejected upload makes none), Ozon products and YM offers by offer id.
        let (held, keys): (Vec<String>, BTreeSet<String>) = match self.market {
            Market::Wb => {
                let cards = self.fake.wb_cards();
                (
                    cards.iter().filter_map(|c| c["vendorCode"].as_str().map(str::to_owned)).collect(),
                    cards.iter().filter_map(|c| c["nmID"].as_i64().map(|n| n.to_string())).collect(),
                )
            }
            Market::Ozon => {
                let offers: Vec<String> = self
                    .fake
                    .ozon_products()
                    .iter()
                    .filter_map(|p| p["offer_id"].as_str().map(str::to_owned))
                    .collect();
                let keys = offers.iter().cloned().collect();
                (offers, keys)
            }
            Market::Ym => {
                let offers: Vec<String> = self.fake.ym_offers().into_keys().collect();
                let keys = offers.iter().cloned().collect();
                (offers, keys)
            }
        };
        let unique: BTreeSet<&String> = held.iter().collect();
        out.cards_on_fake = held.len() as u64;
        out.duplicate_cards = (held.len() - unique.len()) as u64;
        // Every product that went live (WB: its nmID) or was sent (Ozon, YM) is held.
        let needed: Vec<String> = match self.market {
            Market::Wb => ext_ids.values().cloned().collect(),
            _ => {
                out.statuses.iter().filter(|(_, s)| *s != "precheck_failed").map(|(k, _)| k.clone()).collect()
            }
        };
        let lost: Vec<&String> = needed.iter().filter(|k| !keys.contains(*k)).collect();
        out.lost = lost.len() as u64;
        for k in lost.iter().take(5) {
            out.notes.push(format!("not on the fake: {k}"));
        }
        Ok(())
    }

    /// A price edit pushed by the job runner: idle, then while an import holds the catalog.
    fn autopush(&self, run: &PublishRun) -> AppResult<AutoPushBench> {
        let Some(sku) = run.statuses.iter().find(|(_, s)| *s == "live").map(|(k, _)| k.clone()) else {
            return Err(AppError::new(ErrorCode::Internal, "no product went live: nothing to push"));
        };
        // The first prices and stocks of everything just published, as the seller's first push
        // sends them: the auto-push then carries only the edit. (Without it the first
        // auto-push sends every product changed in the last minute, the whole fresh catalog,
        // and an edit queued meanwhile waits for it: one job per account at a time.)
        let never = || false;
        let stage = |_: JobStage| {};
        let progress = |_: u64, _: Option<u64>| {};
        let hooks =
            RunHooks { cancel: &never, stage: &stage, progress: &progress, follow_up_for: FOLLOW_UP_FOR };
        self.app.push_market_now(ACCOUNT, &[], self.secrets, None, &hooks)?;
        let jobs = Jobs::open(self.app.path())?;
        let worker = jobs.start_worker(&WorkerOptions { schedules: false, ..Default::default() })?;
        let idle = self.push_edit(&jobs, &sku, "1234,00", || Ok(()))?;
        let (lock_tx, lock_rx) = std::sync::mpsc::channel::<()>();
        let (locked_tx, locked_rx) = std::sync::mpsc::channel::<()>();
        let path = self.app.path().to_path_buf();
        let (during, held) = std::thread::scope(|scope| -> AppResult<(PushTiming, bool)> {
            let held = Arc::new(AtomicBool::new(false));
            let import = {
                let held = held.clone();
                scope.spawn(move || -> AppResult<()> {
                    let mut catalog = vitrina_store::Catalog::open(&path)?;
                    // A bulk upsert holds the write lock from its first product to its last:
                    // this one's input ends only when the measurement is over.
                    let input = HoldingInput { started: Some(locked_tx), release: lock_rx, held };
                    catalog.bulk_upsert(input)?;
                    Ok(())
                })
            };
            let result = self.push_edit(&jobs, &sku, "2345,00", || {
                locked_rx
                    .recv_timeout(Duration::from_secs(30))
                    .map_err(|_| AppError::new(ErrorCode::Internal, "the import did not take the lock"))
            });
            let still_held = held.load(Ordering::Relaxed);
            drop(lock_tx);
            import.join().map_err(|_| AppError::new(ErrorCode::Internal, "the import thread panicked"))??;
            Ok((result?, still_held))
        })?;
        worker.stop(Duration::from_secs(10));
        Ok(AutoPushBench {
            sku,
            idle_seconds: idle.seconds,
            during_import_seconds: during.seconds,
            import_held_lock: held,
            idle,
            during_import: during,
        })
    }

    /// Edits the price of `sku`, runs `then` (an import takes the lock), queues the auto-push
    /// and waits until the fake shows a new price; the time from the edit.
    fn push_edit(
        &self,
        jobs: &Jobs,
        sku: &str,
        price: &str,
        then: impl FnOnce() -> AppResult<()>,
    ) -> AppResult<PushTiming> {
        let before = self.price_on_fake(sku);
        let started = Instant::now();
        let epoch = chrono::Utc::now().timestamp_millis();
        let ms = |d: Duration| d.as_secs_f64() * 1000.0;
        self.app.edit(sku, &[FieldEdit::parse(&format!("price={price}"))?])?;
        let edited = ms(started.elapsed());
        then()?;
        let locked = ms(started.elapsed());
        let now = chrono::Utc::now().timestamp_millis();
        let queued = queue_auto_push(&self.app, jobs, now)?;
        let queued_ms = ms(started.elapsed());
        let Some(job) = queued.first() else {
            return Err(AppError::new(ErrorCode::Internal, "no auto-push was queued"));
        };
        while started.elapsed() < Duration::from_secs(120) {
            if self.price_on_fake(sku) != before {
                let arrived = started.elapsed();
                let job_started = jobs.get(&job.id.to_string())?.started_at.map(|t| t as f64 - epoch as f64);
                return Ok(PushTiming {
                    seconds: arrived.as_secs_f64(),
                    edited_ms: edited,
                    lock_taken_ms: locked,
                    queued_ms,
                    job_started_ms: job_started,
                    arrived_ms: ms(arrived),
                });
            }
            std::thread::sleep(Duration::from_millis(2));
        }
        Err(AppError::new(ErrorCode::Internal, format!("the new price of {sku} did not arrive in 120 s")))
    }

    fn price_on_fake(&self, sku: &str) -> Option<String> {
        match self.market {
            Market::Wb => {
                let nm = self.fake.wb_card(sku)?["nmID"].as_i64()?;
                self.fake.wb_price(nm).map(|p| format!("{p:?}"))
            }
            Market::Ozon => self.fake.ozon_price(sku).map(|p| format!("{p:?}")),
            Market::Ym => self.fake.ym_price(sku).map(|p| p["value"].to_string()),
        }
    }
}

/// A bulk upsert's input that yields nothing until released: the upsert holds the catalog's
/// write lock meanwhile, as a long import does.
struct HoldingInput {
    started: Option<std::sync::mpsc::Sender<()>>,
    release: std::sync::mpsc::Receiver<()>,
    held: Arc<AtomicBool>,
}

impl Iterator for HoldingInput {
    type Item = vitrina_domain::Product;

    fn next(&mut self) -> Option<Self::Item> {
        if let Some(started) = self.started.take() {
            self.held.store(true, Ordering::Relaxed);
            let _ = started.send(());
        }
        let _ = self.release.recv();
        self.held.store(false, Ordering::Relaxed);
        None
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Role {
    Write,
    Poll,
    Other,
}

impl Role {
    fn code(self) -> &'static str {
        match self {
            Role::Write => "write",
            Role::Poll => "poll",
            Role::Other => "other",
        }
    }
}

/// A request's endpoint (numeric path segments as `{id}`), role, and the client's buckets for
/// it (as `vitrina_market`'s endpoints name them).
fn classify(market: Market, method: &str, path: &str) -> (String, Role, Vec<&'static str>) {
    let path = path.split('?').next().unwrap_or_default();
    let endpoint = format!(
        "{method} {}",
        path.split('/')
            .map(|s| if !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()) { "{id}" } else { s })
            .collect::<Vec<_>>()
            .join("/")
    );
    let (role, buckets): (Role, Vec<&'static str>) = match market {
        Market::Wb => match path {
            "/content/v2/cards/upload" => (Role::Write, vec!["wb.cards.upload"]),
            "/content/v2/cards/update" => (Role::Write, vec!["wb.cards.update"]),
            "/content/v2/cards/error/list" => (Role::Poll, vec!["wb.cards.errors"]),
            "/content/v2/get/cards/list" => (Role::Poll, vec!["wb.content"]),
            p if p.starts_with("/content/") => (Role::Other, vec!["wb.content"]),
            p if p.starts_with("/api/v2/") => (Role::Other, vec!["wb.prices"]),
            "/api/v3/warehouses" => (Role::Other, vec!["wb.warehouses"]),
            p if p.starts_with("/api/v3/stocks") => (Role::Other, vec!["wb.stocks"]),
            _ => (Role::Other, vec!["wb.ping"]),
        },
        Market::Ozon => match path {
            "/v3/product/import" => (Role::Write, vec!["ozon.global"]),
            "/v1/product/import/info" | "/v3/product/info/list" => (Role::Poll, vec!["ozon.global"]),
            "/v2/products/stocks" => (Role::Other, vec!["ozon.global", "ozon.stocks"]),
            _ => (Role::Other, vec!["ozon.global"]),
        },
        Market::Ym => {
            let tail = |t: &str| path.ends_with(t);
            if tail("/offer-mappings/update") {
                (Role::Write, vec!["ym.mappings.update"])
            } else if tail("/offer-cards") {
                (Role::Poll, vec!["ym.cards.read"])
            } else if tail("/offer-mappings") {
                (Role::Other, vec!["ym.mappings.read"])
            } else if tail("/offer-prices/updates") {
                (Role::Other, vec!["ym.prices.business"])
            } else if tail("/offers/stocks") {
                (Role::Other, vec!["ym.stocks.update"])
            } else if tail("/parameters") {
                (Role::Other, vec!["ym.params"])
            } else if tail("/categories/tree") {
                (Role::Other, vec!["ym.tree"])
            } else if tail("/auth/token") {
                (Role::Other, vec!["ym.auth"])
            } else if path.starts_with("/v2/campaigns") && method == "GET" {
                (Role::Other, vec!["ym.campaigns"])
            } else {
                (Role::Other, Vec::new())
            }
        }
    };
    (endpoint, role, buckets)
}

/// Items in a YM write's body: its one array (`offerMappings`, `offers`, `skus`).
fn items_in(body: &[u8]) -> u64 {
    let Ok(serde_json::Value::Object(map)) = serde_json::from_slice::<serde_json::Value>(body) else {
        return 1;
    };
    map.values().find_map(|v| v.as_array()).map_or(1, |a| a.len() as u64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_buckets_are_full_again_after_the_longest_burst_times_interval_of_those_spent() {
        let request = |method: &str, path: &str| FakeRequest {
            method: method.into(),
            path: path.into(),
            headers: Vec::new(),
            body: Vec::new(),
            at: Instant::now(),
        };
        // ozon.global: 50 × 20 ms.
        let ozon = [request("POST", "/v1/description-category/tree")];
        assert_eq!(refill_time(Market::Ozon, &ozon), Duration::from_secs(1));
        assert_eq!(refill_time(Market::Ozon, &[]), Duration::ZERO);
    }

    #[test]
    fn the_minimum_is_what_lies_beyond_the_burst_at_one_interval_each() {
        // WB card uploads: 10 a minute, 5 at once: 100 uploads wait (100 − 5) × 6 s.
        let upload = limits::limit("wb.cards.upload").unwrap();
        assert_eq!(minimum_time(upload, 100), Duration::from_secs(570));
        assert_eq!(minimum_time(upload, 5), Duration::ZERO);
        assert_eq!(minimum_time(upload, 0), Duration::ZERO);
        // YM counts offers: 10 000 offers at 5 000 a minute, 5 000 at once: one minute.
        let ym = limits::limit("ym.mappings.update").unwrap();
        assert_eq!(minimum_time(ym, 10_000), Duration::from_secs(60));
        // Ozon: 50 a second for every call.
        let ozon = limits::limit("ozon.global").unwrap();
        assert_eq!(minimum_time(ozon, 300), Duration::from_secs(5));
    }

    #[test]
    fn requests_are_put_in_their_buckets() {
        let (endpoint, role, buckets) =
            classify(Market::Ym, "POST", "/v2/businesses/11000001/offer-mappings/update?x=1");
        assert_eq!(endpoint, "POST /v2/businesses/{id}/offer-mappings/update");
        assert_eq!((role, buckets), (Role::Write, vec!["ym.mappings.update"]));
        assert_eq!(classify(Market::Wb, "POST", "/content/v2/cards/upload").2, vec!["wb.cards.upload"]);
        assert_eq!(classify(Market::Ozon, "POST", "/v1/product/import/info").1, Role::Poll);
        assert_eq!(items_in(br#"{"offerMappings": [{}, {}, {}]}"#), 3);
        assert_eq!(items_in(b"not json"), 1);
    }
}
