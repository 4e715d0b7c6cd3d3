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
use crate::api::{CardContext, Link, LinkStatus, MarketApi, Member};
use crate::dict::{AttrRule, CategorySpec, ResolvedAttr};
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

/// A product checked and resolved against its mapped category, ready to build.
#[derive(Debug)]
pub struct Prepared {
    /// Problems found so far (documented limits, mapping, attributes).
    pub problems: Vec<Problem>,
    /// The marketplace category, when the product is mapped to a loaded leaf.
    pub ext: Option<String>,
    pub attributes: Vec<ResolvedAttr>,
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
        let prepared = self.prepare(store, row);
        self.build(row, &prepared, link, &[])
    }

    /// Checks `row` and resolves its attributes for its mapped category.
    pub fn prepare(&mut self, store: &MarketStore, row: &ExportRow) -> Prepared {
        let mut problems = precheck(row, self.account.market);
        let fail = |mut problems: Vec<Problem>, p: Problem| {
            problems.push(p);
            Prepared { problems, ext: None, attributes: Vec::new() }
        };
        let ext =
            row.category.and_then(|rid| self.categories.get(&rid)).and_then(|id| self.maps.get(id)).cloned();
        let Some(ext) = ext else {
            let why = if row.category.is_none() {
                "the product has no category".to_owned()
            } else {
                format!("its category is not mapped to a {} category", self.account.market.title())
            };
            return fail(problems, Problem::new(ProblemCode::NoCategoryMapping, "category", why));
        };
        if !self.specs.contains_key(&ext) {
            let loaded = match store.category_spec(self.account.id, &ext) {
                Ok(Some(spec)) => Some((spec, store.attr_rules(self.account.id, &ext).unwrap_or_default())),
                _ => None,
            };
            self.specs.insert(ext.clone(), loaded);
        }
        let Some((spec, rules)) = self.specs.get(&ext).and_then(Option::as_ref) else {
            let why = format!(
                "the attributes of {} category {ext} are not loaded: refresh the dictionaries",
                self.account.market.title()
            );
            return fail(problems, Problem::new(ProblemCode::CategoryNotLoaded, "category", why));
        };
        if !spec.category.leaf {
            let why = format!("{} is not a leaf category", spec.category.path);
            return fail(problems, Problem::new(ProblemCode::CategoryNotLeaf, "category", why));
        }
        let (attributes, attr_problems) = resolve(row, spec, rules);
        problems.extend(attr_problems);
        Prepared { problems, ext: Some(ext), attributes }
    }

    /// Whether prepared products of one variant group make one card.
    pub fn one_card(&self, ext: &str, group: &[&[ResolvedAttr]]) -> bool {
        match self.specs.get(ext).and_then(Option::as_ref) {
            Some((spec, _)) => self.api.one_card(spec, group),
            None => false,
        }
    }

    /// Builds the card of a prepared product (with `members` sharing it).
    pub fn build(
        &self,
        row: &ExportRow,
        prepared: &Prepared,
        link: Option<&Link>,
        members: &[Member],
    ) -> std::result::Result<Value, Vec<Problem>> {
        let mut problems = prepared.problems.clone();
        let Some((spec, _)) = prepared.ext.as_ref().and_then(|e| self.specs.get(e)).and_then(Option::as_ref)
        else {
            return Err(problems);
        };
        let attributes = &prepared.attributes;
        let ctx = CardContext { account: self.account, category: spec, attributes, link, members };
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

/// The planner's state over one pass: what is waiting to be written to the market file.
struct Planner<'a, 'b> {
    store: &'b mut MarketStore,
    account: &'a Account,
    builder: CardBuilder<'a>,
    summary: PlanSummary,
    pending: Vec<(LinkRecord, Option<NewOut>)>,
    now_ms: i64,
}

impl Planner<'_, '_> {
    fn record(&self, row: &ExportRow) -> Result<LinkRecord> {
        let mut record = self.store.link(self.account.id, row.id)?.unwrap_or_else(|| LinkRecord {
            product_id: row.id,
            link: Link::default(),
            problems: Vec::new(),
            sent_hash: None,
            live_hash: None,
            updated_at: self.now_ms,
            card_of: None,
        });
        record.link.offer_id = row.sku.trim().to_owned();
        Ok(record)
    }

    fn failed(&mut self, row: &ExportRow, problems: Vec<Problem>) -> Result<()> {
        let mut record = self.record(row)?;
        self.summary.precheck_failed += 1;
        for p in &problems {
            *self.summary.problems.entry(p.code.code().to_owned()).or_default() += 1;
        }
        record.link.status = LinkStatus::PrecheckFailed;
        record.problems = problems;
        record.card_of = None;
        record.updated_at = self.now_ms;
        self.pending.push((record, None));
        Ok(())
    }

    /// `card` for `row`'s card, and the links of `members` following it.
    fn built(&mut self, row: &ExportRow, card: Value, members: &[&ExportRow]) -> Result<()> {
        let hash = payload_hash(&card);
        let mut record = self.record(row)?;
        let settled = matches!(
            record.link.status,
            LinkStatus::Sent | LinkStatus::Processing | LinkStatus::Live | LinkStatus::Rejected
        );
        let unchanged =
            settled && record.sent_hash == Some(hash) && record.card_of.is_none_or(|c| c == row.id);
        record.problems.clear();
        record.card_of = (!members.is_empty()).then_some(row.id);
        if unchanged {
            self.summary.unchanged += 1 + members.len() as u64;
        } else {
            self.summary.queued += 1;
            record.link.status = LinkStatus::Queued;
            record.updated_at = self.now_ms;
        }
        let status = record.link.status;
        let (ext, sent_hash) = (record.link.ext.clone(), record.sent_hash);
        let out = (!unchanged).then(|| NewOut {
            product_id: row.id,
            offer_id: record.link.offer_id.clone(),
            op: Op::Card,
            warehouse: String::new(),
            payload: card,
            hash,
            not_before: 0,
        });
        self.pending.push((record, out));
        for m in members {
            let mut r = self.record(m)?;
            r.problems.clear();
            r.card_of = Some(row.id);
            r.link.status = status;
            r.link.ext = ext.clone();
            r.sent_hash = sent_hash;
            r.updated_at = self.now_ms;
            self.pending.push((r, None));
        }
        Ok(())
    }

    /// One product on its own card.
    fn single(&mut self, row: &ExportRow, prepared: Prepared) -> Result<()> {
        let link = self.store.link(self.account.id, row.id)?.map(|l| l.link);
        match self.builder.build(row, &prepared, link.as_ref(), &[]) {
            Ok(card) => self.built(row, card, &[]),
            Err(problems) => self.failed(row, problems),
        }
    }

    /// The products of one variant group: one card when the marketplace puts them in one,
    /// else each on its own.
    fn group(&mut self, rows: &[ExportRow]) -> Result<()> {
        let prepared: Vec<Prepared> = rows.iter().map(|r| self.builder.prepare(self.store, r)).collect();
        let good: Vec<usize> = (0..rows.len()).filter(|&i| prepared[i].problems.is_empty()).collect();
        let ext = good.first().and_then(|&i| prepared[i].ext.clone());
        let same = ext.is_some() && good.iter().all(|&i| prepared[i].ext == ext);
        let attrs: Vec<&[ResolvedAttr]> = good.iter().map(|&i| prepared[i].attributes.as_slice()).collect();
        if rows.len() < 2
            || good.len() < 2
            || !same
            || !self.builder.one_card(ext.as_deref().unwrap_or(""), &attrs)
        {
            for (row, p) in rows.iter().zip(prepared) {
                self.single(row, p)?;
            }
            return Ok(());
        }
        let leader = good[0];
        let members: Vec<Member> = good[1..]
            .iter()
            .map(|&i| Member { row: &rows[i], attributes: &prepared[i].attributes })
            .collect();
        let link = self.store.link(self.account.id, rows[leader].id)?.map(|l| l.link);
        let result = self.builder.build(&rows[leader], &prepared[leader], link.as_ref(), &members);
        drop(members);
        let member_rows: Vec<&ExportRow> = good[1..].iter().map(|&i| &rows[i]).collect();
        match result {
            Ok(card) => self.built(&rows[leader], card, &member_rows)?,
            Err(problems) => {
                for &i in &good {
                    self.failed(&rows[i], problems.clone())?;
                }
            }
        }
        for (i, (row, p)) in rows.iter().zip(prepared).enumerate() {
            if !good.contains(&i) {
                self.failed(row, p.problems)?;
            }
        }
        Ok(())
    }

    fn flush(&mut self) -> Result<()> {
        flush(self.store, self.account, &mut self.pending, self.now_ms)
    }
}

/// Plans the cards of `selection` for `account`: checks and builds each, records problems on
/// the links, and queues what changed. The products of one variant group are read together, so
/// that a marketplace whose card holds several (Wildberries' sizes) gets them in one.
pub fn plan_cards(
    catalog: &Catalog,
    store: &mut MarketStore,
    account: &Account,
    selection: &Selection,
    now_ms: i64,
    cancel: &dyn Fn() -> bool,
    progress: &mut dyn FnMut(u64),
) -> Result<PlanSummary> {
    let builder = CardBuilder::new(catalog, store, account)?;
    let mut planner = Planner {
        store,
        account,
        builder,
        summary: PlanSummary::default(),
        pending: Vec::with_capacity(CHUNK),
        now_ms,
    };
    let mut group: Vec<ExportRow> = Vec::new();
    let read = catalog.export_each::<MarketError>(selection, ExportOrder::Group, |row| {
        if cancel() {
            return Err(MarketError::new(ErrorKind::Cancelled, "cancelled"));
        }
        planner.summary.read += 1;
        if group.first().is_some_and(|g| g.group.is_none() || g.group != row.group) {
            planner.group(&std::mem::take(&mut group))?;
        }
        group.push(row.clone());
        if planner.pending.len() >= CHUNK {
            planner.flush()?;
            progress(planner.summary.read);
        }
        Ok(ControlFlow::Continue(()))
    });
    let last = if read.is_ok() && !group.is_empty() { planner.group(&group) } else { Ok(()) };
    planner.flush()?;
    progress(planner.summary.read);
    read?;
    last?;
    Ok(planner.summary)
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

/// A price or stock the seller set that the catalog has not taken yet (it was held by a long
/// import): it goes to the marketplaces at once, in place of the catalog's value.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct HeldValue {
    pub sku: String,
    /// Minor units.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub price: Option<i64>,
    /// `Some(None)` clears the old price.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub old_price: Option<Option<i64>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stock: Option<i64>,
}

impl HeldValue {
    fn apply(&self, row: &mut ExportRow) {
        if let Some(price) = self.price {
            row.price = price;
        }
        if let Some(old) = self.old_price {
            row.old_price = old;
        }
        if let Some(stock) = self.stock {
            row.stock = stock;
        }
    }
}

/// Plans price and stock pushes of `selection`: for every product whose card is on the
/// marketplace (or on its way), queues the items whose value differs from what was last
/// pushed. `held` values replace the catalog's for their products.
#[allow(clippy::too_many_arguments)]
pub fn plan_push(
    catalog: &Catalog,
    store: &mut MarketStore,
    account: &Account,
    selection: &Selection,
    ops: PushOps,
    held: &[HeldValue],
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
        if let Some(h) = held.iter().rev().find(|h| h.sku == row.sku) {
            h.apply(row);
        }
        let Some(record) = store.link(account.id, row.id)? else {
            summary.not_published += 1;
            return Ok(ControlFlow::Continue(()));
        };
        // A card the marketplace refused sells nothing: its price and stock wait for a card
        // that goes live.
        if record.link.status == LinkStatus::Rejected
            || matches!(record.link.status, LinkStatus::PrecheckFailed | LinkStatus::Queued)
                && record.link.ext.ext_id.is_none()
        {
            summary.not_published += 1;
            return Ok(ControlFlow::Continue(()));
        }
        let mut items: Vec<(Op, String, std::result::Result<Value, Problem>)> = Vec::new();
        // A card's price is the card's: the other sizes of a card leave it to the first.
        let own_card = record.card_of.is_none_or(|c| c == row.id);
        if ops.prices && own_card {
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
