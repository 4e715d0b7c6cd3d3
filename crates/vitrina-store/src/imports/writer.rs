//! Applies one import run to the catalog in a single transaction: each offer is matched to its
//! product, new products are created, changed ones updated field by field (with history and
//! search), unchanged offers are skipped by their content hash, and offers that left the feed
//! are handled by the supplier's policy. A failed or cancelled run rolls back completely.

use std::collections::{HashMap, HashSet};

use rusqlite::{Connection, OptionalExtension, params};
use serde::{Deserialize, Serialize};
use vitrina_domain::{
    ChangeOp, Money, OfferId, Product, ProductField, ProductId, ProductStatus, StockPolicy, SupplierId,
    SupplierOffer, VariantGroupId, pack_price, pack_stock,
};

use super::matching::{self, Categories, Groups};
use super::runs::IssueCode;
use crate::catalog::{Catalog, Stamp};
use crate::error::{Result, StoreError};
use crate::history::record;
use crate::products::{load, write_update};
use crate::search::{SearchText, Stems, index};
use crate::{links, rows};

/// One offer of the run as the supplier describes it, normalized and priced.
#[derive(Debug, Clone)]
pub struct OfferRow {
    /// Where it was in the feed (for the report).
    pub line: u64,
    pub record_id: Option<String>,
    pub supplier_sku: String,
    /// Hash of everything the supplier said about the offer, including the priced values: an
    /// equal hash means nothing to do.
    pub hash: u64,
    /// The product as this supplier describes it: price as priced by the rules, cost, stock.
    /// `id` is used when the product is new; `sku` is the suggested seller SKU; `category`
    /// and `variant_group` are ignored (see `category_path` and `group_key`).
    pub product: Product,
    /// The supplier's category, root first.
    pub category_path: Vec<String>,
    pub group_key: Option<String>,
    /// Sold in packs of this many units: a pack product of N is kept alongside.
    pub pack_units: Option<u32>,
    /// The product's search text, when the caller prepared it (on another thread) because the
    /// offer looked new or changed; computed here otherwise.
    pub search: Option<SearchText>,
}

/// What the reader hands the writer per row: a full offer, or just "this SKU is unchanged"
/// when the reader could tell from the row's hash alone (no mapping, no product built).
#[derive(Debug, Clone)]
pub enum OfferInput {
    Offer(Box<OfferRow>),
    Unchanged {
        line: u64,
        record_id: Option<String>,
        supplier_sku: String,
        hash: u64,
    },
    /// A row the reader rejected whose SKU it could still read: the offer is in the feed (so
    /// not "gone"), but nothing about it changes this time.
    Seen {
        line: u64,
        supplier_sku: String,
    },
}

impl From<OfferRow> for OfferInput {
    fn from(row: OfferRow) -> Self {
        OfferInput::Offer(Box::new(row))
    }
}

/// What to do with offers that are no longer in the feed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum GonePolicy {
    /// Keep the last stock as it was.
    Keep,
    /// The offer's stock becomes 0.
    #[default]
    Zero,
    /// Stock 0, and the product is archived when no other supplier has it in stock.
    Archive,
}

#[derive(Debug, Clone, Default)]
pub struct ImportOptions {
    /// Create the supplier's categories in the seller's tree when they are not mapped yet.
    pub create_categories: bool,
    pub gone: GonePolicy,
    pub policy: StockPolicy,
}

/// What a run did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImportCounts {
    pub created: u64,
    pub updated: u64,
    pub unchanged: u64,
    pub disappeared: u64,
    /// New offers that matched a product another supplier already sells (counted in
    /// `updated` too: no product was created for them).
    pub matched: u64,
    pub packs_created: u64,
    /// Rows refused by the writer (a SKU repeated in the feed, an invalid product).
    pub rejected: u64,
}

impl ImportCounts {
    pub fn written(&self) -> u64 {
        self.created + self.updated + self.unchanged + self.rejected
    }
}

/// A row the writer refused: the line, the SKU and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WriteRejection {
    pub code: IssueCode,
    pub line: u64,
    pub record_id: Option<String>,
    pub supplier_sku: String,
    pub field: String,
    pub reason: String,
}

/// The offers of this supplier as they were before the run, by SKU hash (a million SKUs as
/// strings would cost ~100 MB; the hash is checked against the row when it matters).
struct OfferState {
    rid: i64,
    product_rid: i64,
    hash: i64,
    gone: bool,
    /// The line where this run saw the SKU; 0 = not yet.
    seen_at: u64,
}

/// The key offers are known by in [`Catalog::offer_hashes`].
pub fn sku_key(sku: &str) -> u64 {
    vitrina_domain::stable_hash(sku.as_bytes())
}

impl Catalog {
    /// The content hash of each current offer of `supplier`, by [`sku_key`] of its SKU: lets a
    /// reader skip preparing offers that did not change.
    pub fn offer_hashes(&self, supplier: SupplierId) -> Result<HashMap<u64, i64>> {
        let supplier_rid = self.supplier_rid(supplier)?;
        let mut stmt = self
            .db()
            .prepare("SELECT supplier_sku, content_hash FROM supplier_offers WHERE supplier_rid = ?1 AND gone_at IS NULL")?;
        let mut rows = stmt.query([supplier_rid])?;
        let mut out = HashMap::new();
        while let Some(r) = rows.next()? {
            out.insert(sku_key(r.get_ref(0)?.as_str().map_err(rusqlite::Error::from)?), r.get(1)?);
        }
        Ok(out)
    }

    /// Applies a run's offers for `supplier`, in one transaction. `progress` is called after
    /// each batch with the counts so far; returning `false` cancels the run, which then rolls
    /// back and returns [`StoreError::Cancelled`].
    pub fn import_offers(
        &mut self,
        supplier: SupplierId,
        options: &ImportOptions,
        batches: impl Iterator<Item = Vec<OfferInput>>,
        progress: &mut dyn FnMut(&ImportCounts) -> bool,
    ) -> Result<(ImportCounts, Vec<WriteRejection>)> {
        let (tx, mut stamp) = self.begin()?;
        let supplier_rid = super::config::supplier_rid(&tx, supplier)?;
        let empty: bool = !tx.query_row("SELECT EXISTS (SELECT 1 FROM products)", [], |r| r.get(0))?;
        let deferred = if empty { matching::drop_bulk_indexes(&tx)? } else { Vec::new() };
        let mut run = Run {
            tx: &tx,
            supplier_rid,
            options,
            empty,
            offers: load_offers(&tx, supplier_rid)?,
            added: HashMap::new(),
            shared: matching::shared_products(&tx, supplier_rid)?,
            categories: Categories::load(&tx, supplier_rid)?,
            groups: Groups::load(&tx, supplier_rid)?,
            created_skus: HashSet::new(),
            counts: ImportCounts::default(),
            rejections: Vec::new(),
            to_index: Vec::with_capacity(INDEX_BLOCK),
            price_or_stock_changed: Vec::new(),
            stems: Stems::new(),
        };
        for batch in batches {
            for input in batch {
                match input {
                    OfferInput::Offer(row) => run.apply(&mut stamp, *row)?,
                    OfferInput::Unchanged { line, record_id, supplier_sku, hash } => {
                        run.unchanged(line, record_id, supplier_sku, hash)
                    }
                    OfferInput::Seen { line, supplier_sku } => run.mark_seen(sku_key(&supplier_sku), line),
                }
            }
            if !progress(&run.counts) {
                return Err(StoreError::Cancelled);
            }
        }
        run.flush_index()?;
        run.handle_gone(&mut stamp)?;
        if !run.price_or_stock_changed.is_empty() && links::any(&tx)? {
            links::recompute_after(&tx, &mut stamp, std::mem::take(&mut run.price_or_stock_changed))?;
        }
        let (counts, rejections) = (run.counts, run.rejections);
        matching::restore_indexes(&tx, deferred)?;
        tx.commit()?;
        if empty {
            self.analyze()?;
        }
        Ok((counts, rejections))
    }
}

const INDEX_BLOCK: usize = 4096;

fn load_offers(tx: &Connection, supplier_rid: i64) -> Result<HashMap<u64, OfferState>> {
    let mut stmt = tx.prepare(
        "SELECT rid, supplier_sku, product_rid, content_hash, gone_at IS NOT NULL
         FROM supplier_offers WHERE supplier_rid = ?1",
    )?;
    let mut rows = stmt.query([supplier_rid])?;
    let mut out = HashMap::new();
    while let Some(r) = rows.next()? {
        let sku = r.get_ref(1)?.as_str().map_err(rusqlite::Error::from)?;
        out.insert(
            sku_key(sku),
            OfferState {
                rid: r.get(0)?,
                product_rid: r.get(2)?,
                hash: r.get(3)?,
                gone: r.get(4)?,
                seen_at: 0,
            },
        );
    }
    Ok(out)
}

struct Run<'a> {
    tx: &'a Connection,
    supplier_rid: i64,
    options: &'a ImportOptions,
    /// The catalog had no products when the run began: nothing to match against, and the
    /// secondary indexes are rebuilt at the end.
    empty: bool,
    offers: HashMap<u64, OfferState>,
    /// Offers this run added, by SKU hash: the line that added them. Kept apart from `offers`
    /// and as small as possible: a first import adds a million of them.
    added: HashMap<u64, u64>,
    /// Products that also have offers from other suppliers (their cost and stock follow the policy).
    shared: HashSet<i64>,
    categories: Categories,
    groups: Groups,
    /// SKU hashes of products created by this run (while the SKU index is dropped).
    created_skus: HashSet<u64>,
    counts: ImportCounts,
    rejections: Vec<WriteRejection>,
    to_index: Vec<(i64, SearchText)>,
    price_or_stock_changed: Vec<i64>,
    stems: Stems,
}

impl Run<'_> {
    fn apply(&mut self, stamp: &mut Stamp<'_>, row: OfferRow) -> Result<()> {
        let key = sku_key(&row.supplier_sku);
        if let Some(first) = self.first_seen(key) {
            self.reject(IssueCode::SkuRepeated, &row, "sku", repeated(first));
            return Ok(());
        }
        let known = self.offers.get(&key).map(|s| (s.rid, s.product_rid, s.hash, s.gone));
        if !matches!(known, Some((_, _, hash, false)) if hash == row.hash as i64)
            && let Err(e) = row.product.validate()
        {
            self.reject(IssueCode::ValueInvalid, &row, e.field.code(), e.to_string());
            self.mark_seen(key, row.line);
            return Ok(());
        }
        match known {
            Some((_, _, hash, false)) if hash == row.hash as i64 => {
                self.counts.unchanged += 1;
            }
            Some((rid, product_rid, _, gone)) if self.same_sku(rid, &row.supplier_sku)? => {
                self.update(stamp, rid, product_rid, gone, &row)?;
            }
            // Not known, or a different SKU with the same hash (never seen in practice).
            _ => return self.create(stamp, key, row),
        }
        if let Some(state) = self.offers.get_mut(&key) {
            state.seen_at = row.line.max(1);
        }
        Ok(())
    }

    /// The line where this run already saw the SKU, if it did.
    fn first_seen(&self, key: u64) -> Option<u64> {
        match self.offers.get(&key) {
            Some(state) if state.seen_at > 0 => Some(state.seen_at),
            _ => self.added.get(&key).copied(),
        }
    }

    fn reject(&mut self, code: IssueCode, row: &OfferRow, field: &str, reason: String) {
        self.reject_at(code, row.line, row.record_id.clone(), row.supplier_sku.clone(), field, reason);
    }

    fn reject_at(
        &mut self,
        code: IssueCode,
        line: u64,
        record_id: Option<String>,
        supplier_sku: String,
        field: &str,
        reason: String,
    ) {
        self.counts.rejected += 1;
        self.rejections.push(WriteRejection {
            code,
            line,
            record_id,
            supplier_sku,
            field: field.to_string(),
            reason,
        });
    }

    /// A row the reader found unchanged by its hash.
    fn unchanged(&mut self, line: u64, record_id: Option<String>, supplier_sku: String, hash: u64) {
        let key = sku_key(&supplier_sku);
        if let Some(first) = self.first_seen(key) {
            self.reject_at(IssueCode::SkuRepeated, line, record_id, supplier_sku, "sku", repeated(first));
            return;
        }
        match self.offers.get_mut(&key) {
            Some(state) if !state.gone && state.hash == hash as i64 => {
                state.seen_at = line.max(1);
                self.counts.unchanged += 1;
            }
            // The catalog changed between the reader's look and now (another import ran).
            _ => {
                let reason =
                    "the offer changed in the catalog while the feed was read; import again".to_string();
                self.reject_at(IssueCode::ChangedMeanwhile, line, record_id, supplier_sku, "sku", reason);
                self.mark_seen(key, line);
            }
        }
    }

    /// The offer is in the feed (even if its row was refused): it is not "gone".
    fn mark_seen(&mut self, key: u64, line: u64) {
        if let Some(state) = self.offers.get_mut(&key)
            && state.seen_at == 0
        {
            state.seen_at = line.max(1);
        }
    }

    fn same_sku(&self, offer_rid: i64, sku: &str) -> Result<bool> {
        let stored: String = self
            .tx
            .prepare_cached("SELECT supplier_sku FROM supplier_offers WHERE rid = ?1")?
            .query_row([offer_rid], |r| r.get(0))?;
        Ok(stored == sku)
    }

    fn update(
        &mut self,
        stamp: &mut Stamp<'_>,
        offer_rid: i64,
        product_rid: i64,
        was_gone: bool,
        row: &OfferRow,
    ) -> Result<()> {
        let p = &row.product;
        let primary: bool = self
            .tx
            .prepare_cached(
                "UPDATE supplier_offers SET currency = ?2, cost = ?3, stock = ?4, price = ?5, old_price = ?6,
                     content_hash = ?7, last_seen = ?8, gone_at = NULL
                 WHERE rid = ?1 RETURNING primary_offer",
            )?
            .query_row(
                params![
                    offer_rid,
                    p.price.currency.as_str(),
                    p.cost.map(|m| m.minor),
                    p.stock.max(0),
                    p.price.minor,
                    p.old_price.map(|m| m.minor),
                    row.hash as i64,
                    stamp.now as i64,
                ],
                |r| r.get(0),
            )?;
        let before = load(self.tx, product_rid)?;
        let mut after = before.clone();
        if primary {
            describe(&mut after, p);
            if let Some(category) = self.category(&row.category_path)? {
                after.category = Some(category);
            }
            if let Some(group) = self.group(row.group_key.as_deref())? {
                after.variant_group = Some(group);
            }
        }
        if was_gone && self.options.gone == GonePolicy::Archive && before.status == ProductStatus::Archived {
            after.status = ProductStatus::Active;
        }
        self.set_supply(&mut after, product_rid, p)?;
        let changed = self.write(stamp, product_rid, &before, &after)?;
        self.ensure_pack(stamp, product_rid, &after, row.pack_units)?;
        // The row differed (new settings, a reformatted feed) but the product did not.
        if changed {
            self.counts.updated += 1
        } else {
            self.counts.unchanged += 1
        }
        Ok(())
    }

    fn create(&mut self, stamp: &mut Stamp<'_>, key: u64, mut row: OfferRow) -> Result<()> {
        if !self.empty
            && let Some(product_rid) = matching::find_product(self.tx, self.supplier_rid, &row.product)?
        {
            self.insert_offer(stamp, product_rid, &row.supplier_sku, row.hash, &row.product, false)?;
            self.shared.insert(product_rid);
            let before = load(self.tx, product_rid)?;
            let mut after = before.clone();
            self.set_supply(&mut after, product_rid, &row.product)?;
            self.write(stamp, product_rid, &before, &after)?;
            self.track(key, row.line);
            // No product was created: an existing one gained an offer.
            self.counts.matched += 1;
            self.counts.updated += 1;
            return Ok(());
        }
        let search = row.search.take();
        let mut product = row.product;
        product.sku = self.free_sku(&row.supplier_sku)?;
        product.id = self.new_product_id(&product.sku)?;
        product.category = self.category(&row.category_path)?;
        product.variant_group = self.group(row.group_key.as_deref())?;
        // The prepared search text holds the supplier's SKU; a suffixed one is searched anew.
        let search = search.filter(|_| product.sku == row.supplier_sku);
        let product_rid = self.insert_product(stamp, &product, search)?;
        self.insert_offer(stamp, product_rid, &row.supplier_sku, row.hash, &product, true)?;
        self.track(key, row.line);
        self.ensure_pack(stamp, product_rid, &product, row.pack_units)?;
        self.counts.created += 1;
        Ok(())
    }

    /// Remembers an offer this run added.
    fn track(&mut self, key: u64, line: u64) {
        // A hash shared with an older SKU: the older one simply stays out of the gone check.
        if let Some(state) = self.offers.get_mut(&key)
            && state.seen_at == 0
        {
            state.seen_at = line.max(1);
        }
        self.added.insert(key, line.max(1));
    }

    /// The id of a product this run creates with `sku`: derived from the SKU, so two devices of
    /// a team that import the same feed apart create the same product (ARCHITECTURE, "Team
    /// sync"); a fresh UUIDv7 only when a product renamed away from this SKU holds that id. A
    /// first import into an empty catalog has no such product (and no id index to look in).
    fn new_product_id(&self, sku: &str) -> Result<ProductId> {
        let derived = ProductId::for_sku(sku);
        Ok(if self.empty || !rows::product_id_taken(self.tx, derived)? { derived } else { ProductId::new() })
    }

    fn insert_product(
        &mut self,
        stamp: &mut Stamp<'_>,
        product: &Product,
        search: Option<SearchText>,
    ) -> Result<i64> {
        let category_rid = match product.category {
            Some(c) => self.categories.rid_of(c),
            None => None,
        };
        let rid = rows::insert_row(self.tx, product, category_rid, product.content_hash(), stamp.now)?;
        record(self.tx, stamp, product.id.0, ChangeOp::Create, ("*", None, Some(&product.name)), None)?;
        self.created_skus.insert(sku_key(&product.sku));
        let search = search.unwrap_or_else(|| SearchText::of(product, &mut self.stems));
        self.to_index.push((rid, search));
        if self.to_index.len() == INDEX_BLOCK {
            self.flush_index()?;
        }
        Ok(rid)
    }

    fn flush_index(&mut self) -> Result<()> {
        for (rid, text) in self.to_index.drain(..) {
            index::insert(self.tx, rid, &text)?;
        }
        Ok(())
    }

    fn insert_offer(
        &self,
        stamp: &Stamp<'_>,
        product_rid: i64,
        supplier_sku: &str,
        hash: u64,
        p: &Product,
        primary: bool,
    ) -> Result<()> {
        self.tx
            .prepare_cached(
                "INSERT INTO supplier_offers (id, supplier_rid, product_rid, supplier_sku, currency, cost, stock,
                     content_hash, last_seen, price, old_price, primary_offer)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)",
            )?
            .execute(params![
                OfferId::new().as_bytes(),
                self.supplier_rid,
                product_rid,
                supplier_sku,
                p.price.currency.as_str(),
                p.cost.map(|m| m.minor),
                p.stock.max(0),
                hash as i64,
                stamp.now as i64,
                p.price.minor,
                p.old_price.map(|m| m.minor),
                primary,
            ])?;
        Ok(())
    }

    /// A seller SKU for a new product: the supplier's own when free, else with `-2`, `-3`...
    fn free_sku(&self, wanted: &str) -> Result<String> {
        let mut candidate = wanted.to_string();
        for n in 2.. {
            if !self.sku_taken(&candidate)? {
                return Ok(candidate);
            }
            candidate = format!("{wanted}-{n}");
        }
        unreachable!("the loop above returns")
    }

    fn sku_taken(&self, sku: &str) -> Result<bool> {
        if self.empty {
            return Ok(self.created_skus.contains(&sku_key(sku)));
        }
        Ok(self
            .tx
            .prepare_cached("SELECT 1 FROM products WHERE sku = ?1")?
            .query_row([sku], |_| Ok(()))
            .optional()?
            .is_some())
    }

    fn category(&mut self, path: &[String]) -> Result<Option<vitrina_domain::CategoryId>> {
        self.categories.resolve(self.tx, path, self.options.create_categories)
    }

    fn group(&mut self, key: Option<&str>) -> Result<Option<VariantGroupId>> {
        match key.map(str::trim).filter(|k| !k.is_empty()) {
            Some(k) => self.groups.resolve(self.tx, k).map(Some),
            None => Ok(None),
        }
    }

    /// Cost, stock, price and old price: this offer's own, or the policy's choice among all
    /// suppliers when others sell the product too.
    fn set_supply(&self, after: &mut Product, product_rid: i64, offer: &Product) -> Result<()> {
        if !self.shared.contains(&product_rid) {
            after.cost = offer.cost;
            after.stock = offer.stock.max(0);
            after.price = offer.price;
            after.old_price = offer.old_price;
            return Ok(());
        }
        let offers = all_offers(self.tx, product_rid, after.id)?;
        let (chosen, stock) =
            self.options.policy.pick(&offers.iter().map(|(o, _, _)| o.clone()).collect::<Vec<_>>());
        after.stock = stock;
        if let Some((o, price, old)) = chosen.map(|i| &offers[i]) {
            after.cost = o.cost;
            if let Some(price) = price {
                after.price = Money::new(*price, after.price.currency);
            }
            after.old_price = old.map(|m| Money::new(m, after.price.currency));
        }
        Ok(())
    }

    /// Writes the product's changes; false when nothing about it changed.
    fn write(&mut self, stamp: &mut Stamp<'_>, rid: i64, before: &Product, after: &Product) -> Result<bool> {
        let changed = write_update(self.tx, stamp, rid, before, after, None, &mut self.stems)?;
        if changed.iter().any(|f| matches!(f, ProductField::Price | ProductField::Stock)) {
            self.price_or_stock_changed.push(rid);
        }
        Ok(!changed.is_empty())
    }

    /// Keeps a pack product of `units` of the base product `base_rid` (created once; its price
    /// and stock follow the base through the link).
    fn ensure_pack(
        &mut self,
        stamp: &mut Stamp<'_>,
        base_rid: i64,
        base: &Product,
        units: Option<u32>,
    ) -> Result<()> {
        let Some(units) = units.filter(|u| *u > 1) else { return Ok(()) };
        if !self.empty {
            let exists = self
                .tx
                .prepare_cached(
                    "SELECT 1 FROM product_links WHERE to_rid = ?1 AND kind = 'pack' AND quantity = ?2",
                )?
                .query_row(params![base_rid, units], |_| Ok(()))
                .optional()?
                .is_some();
            if exists {
                return Ok(());
            }
        }
        let mut pack = base.clone();
        pack.sku = self.free_sku(&format!("{}-x{units}", base.sku))?;
        pack.id = self.new_product_id(&pack.sku)?;
        pack.name = format!("{} — {units} шт.", base.name);
        pack.barcodes.clear();
        pack.price.minor = pack_price(base.price.minor, units, 0);
        pack.old_price = base.old_price.map(|m| Money::new(pack_price(m.minor, units, 0), m.currency));
        pack.cost = base.cost.map(|m| Money::new(pack_price(m.minor, units, 0), m.currency));
        pack.stock = pack_stock(base.stock, units);
        pack.weight_g = base.weight_g.map(|w| w.saturating_mul(units));
        let pack_rid = self.insert_product(stamp, &pack, None)?;
        self.tx
            .prepare_cached(
                "INSERT INTO product_links (from_rid, to_rid, kind, quantity, discount_bp) VALUES (?1, ?2, 'pack', ?3, 0)",
            )?
            .execute(params![pack_rid, base_rid, units])?;
        self.counts.packs_created += 1;
        Ok(())
    }

    /// Offers of this supplier that the run did not see: the gone policy decides.
    fn handle_gone(&mut self, stamp: &mut Stamp<'_>) -> Result<()> {
        let gone: Vec<(i64, i64)> = self
            .offers
            .values()
            .filter(|s| s.seen_at == 0 && !s.gone)
            .map(|s| (s.rid, s.product_rid))
            .collect();
        for (offer_rid, product_rid) in gone {
            self.counts.disappeared += 1;
            let zero = self.options.gone != GonePolicy::Keep;
            self.tx
                .prepare_cached(
                    "UPDATE supplier_offers SET gone_at = ?2, stock = CASE WHEN ?3 THEN 0 ELSE stock END WHERE rid = ?1",
                )?
                .execute(params![offer_rid, stamp.now as i64, zero])?;
            if !zero {
                continue;
            }
            let before = load(self.tx, product_rid)?;
            let mut after = before.clone();
            let offers = all_offers(self.tx, product_rid, before.id)?;
            let supplies: Vec<SupplierOffer> = offers.into_iter().map(|(o, _, _)| o).collect();
            after.stock = self.options.policy.pick(&supplies).1;
            if self.options.gone == GonePolicy::Archive && after.stock == 0 {
                after.status = ProductStatus::Archived;
            }
            self.write(stamp, product_rid, &before, &after)?;
        }
        Ok(())
    }
}

/// Copies what the supplier describes (not price, stock or status) onto the product.
fn describe(after: &mut Product, from: &Product) {
    after.name.clone_from(&from.name);
    after.description.clone_from(&from.description);
    after.brand.clone_from(&from.brand);
    after.model.clone_from(&from.model);
    after.barcodes.clone_from(&from.barcodes);
    after.weight_g = from.weight_g;
    after.dimensions = from.dimensions;
    after.images.clone_from(&from.images);
    after.attributes.clone_from(&from.attributes);
}

/// An offer with its own price and old price (minor units).
type PricedOffer = (SupplierOffer, Option<i64>, Option<i64>);

/// Every supplier offer of a product (gone ones count with their stock), with each offer's
/// price and old price.
fn all_offers(tx: &Connection, product_rid: i64, product: ProductId) -> Result<Vec<PricedOffer>> {
    let mut stmt = tx.prepare_cached(
        "SELECT o.id, s.id, o.supplier_sku, o.currency, o.cost, o.stock, s.priority, o.price, o.old_price
         FROM supplier_offers o JOIN suppliers s ON s.rid = o.supplier_rid WHERE o.product_rid = ?1 ORDER BY o.rid",
    )?;
    let rows = stmt.query_map([product_rid], |r| {
        let currency = rows::currency_of(&r.get::<_, String>(3)?);
        Ok((
            SupplierOffer {
                id: OfferId(rows::uuid_of(r, 0)?),
                supplier: SupplierId(rows::uuid_of(r, 1)?),
                product,
                supplier_sku: r.get(2)?,
                cost: r.get::<_, Option<i64>>(4)?.map(|m| Money::new(m, currency)),
                stock: r.get(5)?,
                priority: r.get(6)?,
            },
            r.get(7)?,
            r.get(8)?,
        ))
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

fn repeated(first: u64) -> String {
    format!("the SKU repeats the offer on line {first}; this row was skipped")
}
