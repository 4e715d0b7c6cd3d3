//! Sending: the outbox of one account drained in batches within each API's limits, results
//! followed up until they are known, every item's outcome written to its link.
//!
//! Nothing here waits for the catalog: the rows carry their payloads, and the results go to
//! the market file. A request that fails as a whole puts its rows back (the client already
//! retried with back-off); a crash leaves rows `sending`, which [`run_outbox`] sends again
//! first — every write is keyed by the offer id, so that is safe.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use serde::Serialize;

use crate::account::Account;
use crate::api::{
    AwaitItem, BatchLimit, ItemResult, Link, LinkStatus, MarketApi, MarketProblem, OutItem, Outcome,
};
use crate::error::{ErrorKind, MarketError};
use crate::http::Client;
use crate::store::{LinkRecord, MarketStore, Op, OutRow, OutState, PushKey};

type Result<T> = std::result::Result<T, MarketError>;

/// The first follow-up after a send: the marketplaces take from seconds to minutes; asking
/// early, then less often as time goes by, finds a quick verdict quickly and a slow one cheaply.
const FIRST_POLL: Duration = Duration::from_secs(1);
/// How long finished outbox rows are kept (the outbox screen shows the recent ones).
const KEEP_FINISHED: Duration = Duration::from_secs(7 * 24 * 3600);
/// When an item gets no answer of its own in a batch's result, it is sent again after this.
const NO_ANSWER_RETRY: Duration = Duration::from_secs(30);

/// How long a run keeps going.
#[derive(Debug, Clone, Copy)]
pub struct RunOptions<'a> {
    /// Keep following up accepted items for this long, then leave them awaiting (a later run
    /// or a refresh goes on). WB takes up to 30 minutes to create cards.
    pub follow_up_for: Duration,
    /// Pending rows not due yet (a frequency guard) are waited for only this long.
    pub wait_for_due: Duration,
    /// True while a planner on another thread is still queuing rows: the first batches go out
    /// while the rest are being checked and built, and an empty outbox is not the end yet.
    pub still_queuing: Option<&'a AtomicBool>,
}

impl Default for RunOptions<'_> {
    fn default() -> Self {
        RunOptions {
            follow_up_for: Duration::from_secs(30 * 60),
            wait_for_due: Duration::from_secs(60),
            still_queuing: None,
        }
    }
}

/// A follow-up also asks about the items due within this many ms after it.
const FOLLOW_UP_SLACK_MS: i64 = 300;
/// While more rows are coming, an idle outbox looks again this soon.
const QUEUING_LOOK: Duration = Duration::from_millis(5);

/// What a run did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct SendSummary {
    /// Write requests (one per batch).
    pub requests: u64,
    /// Follow-up requests.
    pub follow_ups: u64,
    pub done: u64,
    pub rejected: u64,
    /// Items sent again (not applied: another item's error, a frequency limit, no answer).
    pub retried: u64,
    /// Items accepted whose result is still to come when the run ended.
    pub awaiting: u64,
}

/// The clock of a run: UTC ms now, and a sleep that sees a cancel.
pub trait RunClock {
    fn now_ms(&self) -> i64;
    /// Sleeps `d`, or less when `cancel` turns true.
    fn sleep(&self, d: Duration, cancel: &dyn Fn() -> bool);
}

/// The client's time: its clock, run as many times faster as its buckets (tests against a
/// scaled fake), counted from the wall clock at the start.
#[derive(Debug)]
pub struct ClientClock<'a> {
    client: &'a Client,
    start_ms: i64,
    start: std::time::Instant,
}

impl<'a> ClientClock<'a> {
    pub fn new(client: &'a Client) -> Self {
        ClientClock { client, start_ms: chrono::Utc::now().timestamp_millis(), start: client.clock().now() }
    }
}

impl RunClock for ClientClock<'_> {
    fn now_ms(&self) -> i64 {
        let elapsed = self.client.clock().now().saturating_duration_since(self.start);
        self.start_ms + (elapsed.as_secs_f64() * 1000.0 * self.client.time_scale()) as i64
    }

    fn sleep(&self, d: Duration, cancel: &dyn Fn() -> bool) {
        self.client.clock().sleep(d.div_f64(self.client.time_scale().max(1e-9)), cancel);
    }
}

/// Drains the account's outbox: sends what is due, follows up what was accepted, and returns
/// when nothing is left or only follow-ups beyond `options` remain.
pub fn run_outbox(
    store: &mut MarketStore,
    account: &Account,
    client: &Client,
    clock: &dyn RunClock,
    options: RunOptions<'_>,
    cancel: &dyn Fn() -> bool,
    progress: &mut dyn FnMut(&SendSummary),
) -> Result<SendSummary> {
    let api = crate::api::api(account.market);
    let started = clock.now_ms();
    store.recover_sending(account.id, started)?;
    let mut summary = SendSummary::default();
    loop {
        if cancel() {
            return Err(MarketError::new(ErrorKind::Cancelled, "cancelled"));
        }
        let now = clock.now_ms();
        let mut worked = false;
        let queuing = options.still_queuing.is_some_and(|q| q.load(Ordering::Acquire));
        for op in [Op::Card, Op::Price, Op::Stock] {
            let warehouses: Vec<Option<String>> = match op {
                Op::Stock => store.due_warehouses(account.id, now)?.into_iter().map(Some).collect(),
                _ => vec![None],
            };
            for warehouse in warehouses {
                let limit = batch_limit(api, op);
                let due = store.due(account.id, op, warehouse.as_deref(), now, limit.items)?;
                // While the planner still queues, only full batches go: a part batch now would
                // cost one request more than ceil(n / batch) in the end.
                let fetched = due.len();
                let rows = fit(due, limit);
                if rows.is_empty() || (queuing && fetched < limit.items && rows.len() == fetched) {
                    continue;
                }
                let rows = guard(store, api, account, op, rows, now, &mut summary)?;
                if rows.is_empty() {
                    continue;
                }
                worked = true;
                send(
                    store,
                    api,
                    account,
                    client,
                    op,
                    warehouse.as_deref().unwrap_or(""),
                    &rows,
                    clock,
                    cancel,
                    &mut summary,
                )?;
                progress(&summary);
            }
        }
        // Every follow-up due, not one per send: a send can wait a second or more for its
        // bucket, and verdicts must not queue up behind the sending. Where reads and writes
        // share one budget, the writes that are due go first.
        // (While the planner still queues, it sets the writes' pace, and the budget has room for
        // reads beside them.)
        let writes_first = api.reads_share_the_write_budget()
            && worked
            && !queuing
            && sends_due(store, account, clock.now_ms())?;
        for op in [Op::Card, Op::Price, Op::Stock].into_iter().filter(|_| !writes_first) {
            let now = clock.now_ms();
            loop {
                // Items due a moment later are asked with these: one read instead of two, and
                // their next asks fall together too.
                let rows =
                    store.awaiting_due(account.id, op, now + FOLLOW_UP_SLACK_MS, api.follow_up_batch())?;
                if rows.is_empty() {
                    break;
                }
                worked = true;
                follow_up(store, api, account, client, &rows, clock, cancel, &mut summary)?;
                progress(&summary);
            }
        }
        if worked {
            continue;
        }
        if queuing {
            // More rows are coming (or a full batch is not planned yet). Real time, not the
            // run's (scaled) clock: it waits for another thread.
            std::thread::sleep(QUEUING_LOOK);
            continue;
        }
        let Some(next) = store.next_due(account.id)? else {
            break;
        };
        let now = clock.now_ms();
        let has_pending = sends_due(store, account, i64::MAX)?;
        let budget = if has_pending { options.wait_for_due } else { options.follow_up_for };
        if next - started > budget.as_millis() as i64 && next > now {
            break;
        }
        let wait = Duration::from_millis((next - now).clamp(0, 1000) as u64);
        clock.sleep(wait.max(Duration::from_millis(10)), cancel);
    }
    // What finished a week ago is history the links already keep.
    store.prune_outbox(account.id, clock.now_ms() - KEEP_FINISHED.as_millis() as i64)?;
    summary.awaiting = store
        .outbox_counts(account.id)?
        .iter()
        .filter(|c| c.state == OutState::Awaiting)
        .map(|c| c.count)
        .sum();
    Ok(summary)
}

/// Whether rows wait to be sent at `at`.
fn sends_due(store: &MarketStore, account: &Account, at: i64) -> Result<bool> {
    for op in [Op::Card, Op::Price, Op::Stock] {
        if !store.due(account.id, op, None, at, 1)?.is_empty() {
            return Ok(true);
        }
    }
    Ok(false)
}

fn batch_limit(api: &dyn MarketApi, op: Op) -> BatchLimit {
    match op {
        Op::Card => api.card_batch(),
        Op::Price => api.price_batch(),
        Op::Stock => api.stock_batch(),
    }
}

/// The first rows that fit into one request's byte limit (at least one).
fn fit(mut rows: Vec<OutRow>, limit: BatchLimit) -> Vec<OutRow> {
    let mut bytes = 0;
    let mut keep = 0;
    for r in &rows {
        bytes += r.payload.to_string().len() + 1;
        if keep > 0 && bytes > limit.bytes {
            break;
        }
        keep += 1;
    }
    rows.truncate(keep.min(limit.items));
    rows
}

/// Applies the marketplace's per-item frequency guard: rows over it wait (`not_before`).
fn guard(
    store: &mut MarketStore,
    api: &dyn MarketApi,
    account: &Account,
    op: Op,
    rows: Vec<OutRow>,
    now: i64,
    summary: &mut SendSummary,
) -> Result<Vec<OutRow>> {
    let rule = match op {
        Op::Price => api.price_guard(),
        Op::Stock => api.stock_guard(),
        Op::Card => None,
    };
    let Some(rule) = rule else {
        return Ok(rows);
    };
    let window = rule.per.as_millis() as i64;
    let mut keep = Vec::with_capacity(rows.len());
    for row in rows {
        let key = PushKey { product: row.product_id, op, warehouse: &row.warehouse };
        let times = store.recent_sends(account.id, key, now, window)?;
        if times.len() < rule.max as usize {
            keep.push(row);
            continue;
        }
        // The oldest send in the window leaves it at `oldest + window`.
        let free_at = times[times.len() - rule.max as usize] + window;
        store.requeue(row.seq, free_at, Some("waits for the marketplace's per-item frequency limit"), now)?;
        summary.retried += 1;
    }
    Ok(keep)
}

#[allow(clippy::too_many_arguments)]
fn send(
    store: &mut MarketStore,
    api: &dyn MarketApi,
    account: &Account,
    client: &Client,
    op: Op,
    warehouse: &str,
    rows: &[OutRow],
    clock: &dyn RunClock,
    cancel: &dyn Fn() -> bool,
    summary: &mut SendSummary,
) -> Result<()> {
    let now = clock.now_ms();
    let seqs: Vec<i64> = rows.iter().map(|r| r.seq).collect();
    store.mark_sending(&seqs, now)?;
    let mut items = Vec::with_capacity(rows.len());
    for r in rows {
        let link = store
            .link(account.id, r.product_id)?
            .map(|l| l.link)
            .unwrap_or_else(|| Link { offer_id: r.offer_id.clone(), ..Link::default() });
        items.push(OutItem { offer_id: r.offer_id.clone(), payload: r.payload.clone(), link });
    }
    summary.requests += 1;
    let answer = match op {
        Op::Card => api.send_cards(client, &items, cancel),
        Op::Price => api.send_prices(client, &items, cancel),
        Op::Stock => api.send_stocks(client, warehouse, &items, cancel),
    };
    let now = clock.now_ms();
    match answer {
        Ok(results) => apply(store, account, api, rows, results, now, summary),
        Err(e) => {
            // The whole request failed after the client's own retries: the rows go back, and
            // the caller (the job) decides when to try again.
            store.in_tx(|s| {
                for r in rows {
                    s.requeue(r.seq, now, Some(&e.message), now)?;
                }
                Ok(())
            })?;
            Err(e)
        }
    }
}

#[allow(clippy::too_many_arguments)]
fn follow_up(
    store: &mut MarketStore,
    api: &dyn MarketApi,
    account: &Account,
    client: &Client,
    rows: &[OutRow],
    clock: &dyn RunClock,
    cancel: &dyn Fn() -> bool,
    summary: &mut SendSummary,
) -> Result<()> {
    let mut items = Vec::with_capacity(rows.len());
    for r in rows {
        let link = store
            .link(account.id, r.product_id)?
            .map(|l| l.link)
            .unwrap_or_else(|| Link { offer_id: r.offer_id.clone(), ..Link::default() });
        items.push(AwaitItem {
            offer_id: r.offer_id.clone(),
            task: r.task.clone(),
            sent_at_ms: r.sent_at.unwrap_or(r.created_at),
            payload: r.payload.clone(),
            link,
        });
    }
    summary.follow_ups += 1;
    let results = api.follow_up(client, &items, cancel)?;
    apply(store, account, api, rows, results, clock.now_ms(), summary)
}

/// Writes each row's outcome to the outbox and the product's link, in one transaction.
fn apply(
    store: &mut MarketStore,
    account: &Account,
    api: &dyn MarketApi,
    rows: &[OutRow],
    results: Vec<ItemResult>,
    now: i64,
    summary: &mut SendSummary,
) -> Result<()> {
    let mut by_offer: HashMap<String, Outcome> = HashMap::with_capacity(results.len());
    for r in results {
        by_offer.insert(r.offer_id, r.outcome);
    }
    store.in_tx(|s| {
        for row in rows {
            let outcome = by_offer.remove(&row.offer_id).unwrap_or(Outcome::Retry {
                after: NO_ANSWER_RETRY,
                reason: MarketProblem::text("the marketplace's answer did not mention this item"),
            });
            let mut record = s.link(account.id, row.product_id)?.unwrap_or_else(|| LinkRecord {
                product_id: row.product_id,
                link: Link { offer_id: row.offer_id.clone(), ..Link::default() },
                problems: Vec::new(),
                sent_hash: None,
                live_hash: None,
                updated_at: now,
                card_of: None,
            });
            // A link the answer leaves as it was is not written again (most "still pending").
            let unchanged = record.clone();
            let window = match row.op {
                Op::Price => api.price_guard(),
                Op::Stock => api.stock_guard(),
                Op::Card => None,
            }
            .map_or(0, |g| g.per.as_millis() as i64);
            match outcome {
                Outcome::Done(ext) | Outcome::Unchanged(ext) => {
                    summary.done += 1;
                    s.finish(row.seq, None, now)?;
                    record.link.ext = record.link.ext.merged(&ext);
                    match row.op {
                        Op::Card => {
                            record.link.status = LinkStatus::Live;
                            record.link.errors.clear();
                            record.sent_hash = Some(row.hash);
                            record.live_hash = Some(row.hash);
                        }
                        Op::Price | Op::Stock => {
                            let field = row.op.code();
                            record.link.errors.retain(|e| e.field.as_deref() != Some(field));
                            s.record_push(account.id, push_key(row), Some(row.hash), now, window)?;
                        }
                    }
                }
                Outcome::Pending { ext, task, poll_after } => {
                    // The marketplace's own pace is the longest wait: before it, ask again
                    // after as long as the item had waited when this ask was due (at least
                    // FIRST_POLL). Due, not done: an ask that came late behind others (the
                    // bucket is shared) must not push the next one out by its lateness.
                    // Waiting is counted from when the marketplace took the item (the answer to
                    // its send), not from before the send waited for its bucket.
                    let waited = match (row.state, row.poll_after, row.sent_at) {
                        (OutState::Awaiting, Some(asked), Some(taken)) => asked.min(now) - taken,
                        _ => {
                            s.mark_taken(row.seq, now)?;
                            0
                        }
                    };
                    let pace = poll_after.as_millis() as i64;
                    let wait = waited.clamp(pace.min(FIRST_POLL.as_millis() as i64), pace);
                    s.mark_awaiting(row.seq, task.as_deref(), now + wait)?;
                    record.link.ext = record.link.ext.merged(&ext);
                    if row.op == Op::Card {
                        record.sent_hash = Some(row.hash);
                        record.link.status = if record.link.ext.ext_id.is_some() {
                            LinkStatus::Processing
                        } else {
                            LinkStatus::Sent
                        };
                    } else if row.state == OutState::Sending {
                        s.record_push(account.id, push_key(row), None, now, window)?;
                    }
                }
                Outcome::Rejected(errors) => {
                    summary.rejected += 1;
                    let first = errors.first().map_or_else(|| "rejected".to_owned(), |e| e.message.clone());
                    s.finish(row.seq, Some(&first), now)?;
                    match row.op {
                        Op::Card => {
                            record.link.status = LinkStatus::Rejected;
                            record.sent_hash = Some(row.hash);
                            record.link.errors = errors;
                        }
                        Op::Price | Op::Stock => {
                            let field = row.op.code();
                            record.link.errors.retain(|e| e.field.as_deref() != Some(field));
                            record.link.errors.extend(errors.into_iter().map(|mut e| {
                                e.field.get_or_insert_with(|| field.to_owned());
                                e
                            }));
                        }
                    }
                }
                Outcome::Retry { after, reason } => {
                    summary.retried += 1;
                    s.requeue(row.seq, now + after.as_millis() as i64, Some(&reason.message), now)?;
                    if row.op == Op::Card {
                        record.link.status = LinkStatus::Queued;
                    }
                }
            }
            if record.link.ext.ext_status.is_some() {
                record.link.ext_status = record.link.ext.ext_status.clone();
            }
            if record == unchanged {
                continue;
            }
            record.updated_at = now;
            s.put_link(account.id, &record)?;
            if row.op == Op::Card && record.card_of == Some(row.product_id) {
                // The other sizes of this card follow it.
                for mut member in s.card_members(account.id, row.product_id)? {
                    member.link.status = record.link.status;
                    member.link.ext = record.link.ext.clone();
                    member.link.errors = record.link.errors.clone();
                    member.link.ext_status = record.link.ext_status.clone();
                    member.sent_hash = record.sent_hash;
                    member.live_hash = record.live_hash;
                    member.updated_at = now;
                    s.put_link(account.id, &member)?;
                }
            }
        }
        Ok(())
    })
}

fn push_key(row: &OutRow) -> PushKey<'_> {
    PushKey { product: row.product_id, op: row.op, warehouse: &row.warehouse }
}
