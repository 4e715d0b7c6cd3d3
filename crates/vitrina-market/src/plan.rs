//! Planning: from the catalog to the outbox. Every product of a selection is checked and
//! built into its card (and its price and stock items); only what differs from what was last
//! sent is queued. Problems land on the product's link, so the seller sees them before the
//! marketplace would.
//!
//! The catalog is only read (`export_each`, a deferred read transaction that never waits for
//! an import); every write goes to the market file, in one transaction per [`CHUNK`] products.

use std::collections::{BTreeMap, HashMap};
use std::hash::Hasher;
use std::ops::ControlFlow;

use serde_json::Value;
use vitrina_domain::CategoryId;
use vitrina_domain::hash::StableHasher;
use vitrina_store::Catalog;
use vitrina_store::export::{ExportOrder, ExportRow, Selection};

use crate::account::Account;
use crate::api::{CardContext, Link, LinkStatus, MarketApi};
use crate::dict::{AttrRule, CategorySpec};
use crate::error::{ErrorKind, MarketError};
use crate::precheck::{Problem, ProblemCode, precheck};
use crate::resolve::resolve;
use crate::store::{LinkRecord, MarketStore, NewOut, Op};

/// Products per market-file transaction.
const CHUNK: usize = 500;

type Result<T> = std::result::Result<T, MarketError>;

/// A payload's hash: keys in sorted order whatever the map's own order, so that the same card
/// always hashes the same.
pub fn payload_hash(value: &Value) -> u64 {
    fn feed(h: &mut StableHasher, v: &Value) {
        match v {
            Value::Null => h.write_u8(0),
            Value::Bool(b) => h.write_u8(if *b { 2 } else { 1 }),
            Value::Number(n) => {
                h.write_u8(3);
                h.write(n.to_string().as_bytes());
            }
            Value::String(s) => {
                h.write_u8(4);
                h.write_usize(s.len());
                h.write(s.as_bytes());
            }
            Value::Array(items) => {
                h.write_u8(5);
                h.write_usize(items.len());
                items.iter().for_each(|i| feed(h, i));
            }
            Value::Object(map) => {
                h.write_u8(6);
                h.write_usize(map.len());
                let mut keys: Vec<&String> = map.keys().collect();
                keys.sort();
                for k in keys {
                    h.write_usize(k.len());
                    h.write(k.as_bytes());
                    feed(h, &map[k]);
                }
            }
        }
    }
    let mut h = StableHasher::new();
    feed(&mut h, value);
    h.finish()
}

/// What a plan did, for the job's result and the CLI.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct PlanSummary {
    /// Products read from the catalog.
    pub read: u64,
    /// Writes queued (cards, prices or stocks).
    pub queued: u64,
    /// Products whose payload equals what was sent: nothing to send.
    pub unchanged: u64,
    /// Products with problems: nothing sent, the problems are on their links.
    pub precheck_failed: u64,
    /// Products left out of a price or stock push because their card is not on the
    /// marketplace yet.
    pub not_published: u64,
    /// Problems by code.
    pub problems: BTreeMap<String, u64>,
}

/// Builds cards for one account, caching the mapped categories' dictionaries and rules.
#[derive(Debug)]
pub struct CardBuilder<'a> {
    account: &'a Account,
    api: &'static dyn MarketApi,
    /// Catalog category row id → its UUID.
    categories: HashMap<u64, CategoryId>,
    /// The seller's category → the marketplace category.
    maps: HashMap<CategoryId, String>,
    specs: HashMap<String, Option<(CategorySpec, Vec<AttrRule>)>>,
}

impl<'a> CardBuilder<'a> {
    pub fn new(catalog: &Catalog, store: &MarketStore, account: &'a Account) -> Result<Self> {
        let categories = catalog
            .export_categories()
            .map_err(|e| MarketError::new(ErrorKind::Storage, e.to_string()))?
            .into_iter()
            .map(|c| (c.id, c.uuid))
            .collect();
        Ok(CardBuilder {
            account,
            api: crate::api::api(account.market),
            categories,
            maps: store.category_maps(account.id)?,
            specs: HashMap::new(),
        })
    }

    /// The card `row` makes, or every problem that stops it: the documented limits, the
    /// mapping, the category's attributes and dictionaries, and what only the builder sees.
    pub fn card(
        &mut self,
        store: &MarketStore,
        row: &ExportRow,
        link: Option<&Link>,
    ) -> std::result::Result<Value, Vec<Problem>> {
        let mut problems = precheck(row, self.account.market);
        let ext =
            row.category.and_then(|rid| self.categories.get(&rid)).and_then(|id| self.maps.get(id)).cloned();
        let Some(ext) = ext else {
            problems.push(Problem::new(
                ProblemCode::NoCategoryMapping,
                "category",
                if row.category.is_none() {
                    "the product has no category".to_owned()
                } else {
                    format!("its category is not mapped to a {} category", self.account.market.title())
                },
            ));
            return Err(problems);
        };
        if !self.specs.contains_key(&ext) {
            let loaded = match store.category_spec(self.account.id, &ext) {
                Ok(Some(spec)) => Some((spec, store.attr_rules(self.account.id, &ext).unwrap_or_default())),
                _ => None,
            };
            self.specs.insert(ext.clone(), loaded);
        }
        let Some((spec, rules)) = self.specs.get(&ext).and_then(Option::as_ref) else {
            problems.push(Problem::new(
                ProblemCode::CategoryNotLoaded,
                "category",
                format!(
                    "the attributes of {} category {ext} are not loaded: refresh the dictionaries",
                    self.account.market.title()
                ),
            ));
            return Err(problems);
        };
        if !spec.category.leaf {
            problems.push(Problem::new(
                ProblemCode::CategoryNotLeaf,
                "category",
                format!("{} is not a leaf category", spec.category.path),
            ));
            return Err(problems);
        }
        let (attributes, attr_problems) = resolve(row, spec, rules);
        problems.extend(attr_problems);
        let ctx = CardContext { account: self.account, category: spec, attributes: &attributes, link };
        match self.api.build_card(row, &ctx) {
            Ok(card) if problems.is_empty() => Ok(card),
            Ok(_) => Err(problems),
            Err(more) => {
                problems.extend(more);
                Err(problems)
            }
        }
    }
}

/// Plans the cards of `selection` for `account`: checks and builds each, records problems on
/// the links, and queues what changed.
pub fn plan_cards(
    catalog: &Catalog,
    store: &mut MarketStore,
    account: &Account,
    selection: &Selection,
    now_ms: i64,
    cancel: &dyn Fn() -> bool,
    progress: &mut dyn FnMut(u64),
) -> Result<PlanSummary> {
    let mut builder = CardBuilder::new(catalog, store, account)?;
    let mut summary = PlanSummary::default();
    let mut pending: Vec<(LinkRecord, Option<NewOut>)> = Vec::with_capacity(CHUNK);
    let mut failure = None;
    let read = catalog.export_each::<MarketError>(selection, ExportOrder::Storage, |row| {
        if cancel() {
            return Err(MarketError::new(ErrorKind::Cancelled, "cancelled"));
        }
        summary.read += 1;
        let old = store.link(account.id, row.id)?;
        let link = old.as_ref().map(|r| &r.link);
        let mut record = old.clone().unwrap_or_else(|| LinkRecord {
            product_id: row.id,
            link: Link { offer_id: row.sku.trim().to_owned(), ..Link::default() },
            problems: Vec::new(),
            sent_hash: None,
            live_hash: None,
            updated_at: now_ms,
        });
        record.link.offer_id = row.sku.trim().to_owned();
        match builder.card(store, row, link) {
            Err(problems) => {
                summary.precheck_failed += 1;
                for p in &problems {
                    *summary.problems.entry(p.code.code().to_owned()).or_default() += 1;
                }
                record.link.status = LinkStatus::PrecheckFailed;
                record.problems = problems;
                record.updated_at = now_ms;
                pending.push((record, None));
            }
            Ok(card) => {
                let hash = payload_hash(&card);
                let settled = matches!(
                    record.link.status,
                    LinkStatus::Sent | LinkStatus::Processing | LinkStatus::Live | LinkStatus::Rejected
                );
                if settled && record.sent_hash == Some(hash) {
                    summary.unchanged += 1;
                    if !record.problems.is_empty() {
                        record.problems.clear();
                        pending.push((record, None));
                    }
                } else {
                    summary.queued += 1;
                    record.problems.clear();
                    record.link.status = LinkStatus::Queued;
                    record.updated_at = now_ms;
                    let out = NewOut {
                        product_id: row.id,
                        offer_id: record.link.offer_id.clone(),
                        op: Op::Card,
                        warehouse: String::new(),
                        payload: card,
                        hash,
                        not_before: 0,
                    };
                    pending.push((record, Some(out)));
                }
            }
        }
        if pending.len() >= CHUNK {
            flush(store, account, &mut pending, now_ms)?;
            progress(summary.read);
        }
        Ok(ControlFlow::Continue(()))
    });
    if let Err(e) = read {
        failure = Some(e);
    }
    flush(store, account, &mut pending, now_ms)?;
    progress(summary.read);
    match failure {
        Some(e) => Err(e),
        None => Ok(summary),
    }
}

fn flush(
    store: &mut MarketStore,
    account: &Account,
    pending: &mut Vec<(LinkRecord, Option<NewOut>)>,
    now_ms: i64,
) -> Result<()> {
    if pending.is_empty() {
        return Ok(());
    }
    let batch = std::mem::take(pending);
    store.in_tx(|s| {
        let mut outs = Vec::new();
        for (record, out) in batch {
            s.put_link(account.id, &record)?;
            outs.extend(out);
        }
        s.enqueue(account.id, &outs, now_ms)
    })
}

/// Which pushes to plan.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PushOps {
    pub prices: bool,
    pub stocks: bool,
}

/// The marketplace warehouses stocks go to: the account's warehouse map's values, or `""` for
/// Yandex Market (stocks per campaign).
pub fn stock_warehouses(account: &Account) -> Vec<String> {
    if account.market == crate::market::Market::Ym {
        return vec![String::new()];
    }
    let mut out: Vec<String> = account.settings.warehouses.values().map(|w| w.trim().to_owned()).collect();
    out.retain(|w| !w.is_empty());
    out.sort();
    out.dedup();
    out
}

/// Plans price and stock pushes of `selection`: for every product whose card is on the
/// marketplace (or on its way), queues the items whose value differs from what was last
/// pushed.
pub fn plan_push(
    catalog: &Catalog,
    store: &mut MarketStore,
    account: &Account,
    selection: &Selection,
    ops: PushOps,
    now_ms: i64,
    cancel: &dyn Fn() -> bool,
) -> Result<PlanSummary> {
    let api = crate::api::api(account.market);
    let warehouses = if ops.stocks { stock_warehouses(account) } else { Vec::new() };
    if ops.stocks && warehouses.is_empty() {
        return Err(MarketError::new(
            ErrorKind::Invalid,
            format!(
                "no {} warehouse is mapped for the account {:?}: choose one in its settings",
                account.market.title(),
                account.name
            ),
        ));
    }
    let mut summary = PlanSummary::default();
    let mut outs: Vec<NewOut> = Vec::new();
    let read = catalog.export_each::<MarketError>(selection, ExportOrder::Storage, |row| {
        if cancel() {
            return Err(MarketError::new(ErrorKind::Cancelled, "cancelled"));
        }
        summary.read += 1;
        let Some(record) = store.link(account.id, row.id)? else {
            summary.not_published += 1;
            return Ok(ControlFlow::Continue(()));
        };
        if matches!(record.link.status, LinkStatus::PrecheckFailed | LinkStatus::Queued)
            && record.link.ext.ext_id.is_none()
        {
            summary.not_published += 1;
            return Ok(ControlFlow::Continue(()));
        }
        let mut items: Vec<(Op, String, std::result::Result<Value, Problem>)> = Vec::new();
        if ops.prices {
            items.push((Op::Price, String::new(), api.price_item(row, &record.link)));
        }
        for w in &warehouses {
            items.push((Op::Stock, w.clone(), api.stock_item(row, &record.link, w)));
        }
        for (op, warehouse, item) in items {
            match item {
                Err(p) => {
                    *summary.problems.entry(p.code.code().to_owned()).or_default() += 1;
                    if p.code == ProblemCode::NotPublished {
                        summary.not_published += 1;
                    }
                }
                Ok(payload) => {
                    let hash = payload_hash(&payload);
                    if store.pushed_hash(account.id, row.id, op, &warehouse)? == Some(hash) {
                        summary.unchanged += 1;
                        continue;
                    }
                    summary.queued += 1;
                    outs.push(NewOut {
                        product_id: row.id,
                        offer_id: record.link.offer_id.clone(),
                        op,
                        warehouse,
                        payload,
                        hash,
                        not_before: 0,
                    });
                }
            }
        }
        if outs.len() >= CHUNK {
            store.enqueue(account.id, &std::mem::take(&mut outs), now_ms)?;
        }
        Ok(ControlFlow::Continue(()))
    });
    store.enqueue(account.id, &outs, now_ms)?;
    read.map(|()| summary)
}
