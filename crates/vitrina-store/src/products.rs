//! Products: lookup, create, edit field by field, delete, and bulk upsert in one transaction.
//! Every write records history in the same transaction and keeps search and derived values
//! (kits, packs) in step.

use std::collections::{HashMap, HashSet};
use std::fmt;

use rusqlite::{Connection, OptionalExtension};
use serde::Serialize;
use uuid::Uuid;
use vitrina_domain::{CategoryId, ChangeOp, FieldValue, Product, ProductField, ProductId};

use crate::catalog::{Catalog, Stamp};
use crate::error::{Result, StoreError};
use crate::history::{record, record_diff};
use crate::links;
use crate::rows::{self, category_rid, load_product, uuid_of};
use crate::search::{SearchText, Stems, index};

/// How a person names a product: its id or its SKU.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ProductKey {
    Id(ProductId),
    Sku(String),
}

impl ProductKey {
    /// A UUID is read as an id, anything else as a SKU.
    pub fn parse(s: &str) -> Self {
        match s.trim().parse::<ProductId>() {
            Ok(id) => ProductKey::Id(id),
            Err(_) => ProductKey::Sku(s.trim().to_string()),
        }
    }
}

impl fmt::Display for ProductKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ProductKey::Id(id) => write!(f, "{id}"),
            ProductKey::Sku(s) => f.write_str(s),
        }
    }
}

/// What a bulk upsert did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct UpsertReport {
    pub created: u64,
    pub updated: u64,
    pub unchanged: u64,
}

pub(crate) const SEARCHABLE: [ProductField; 7] = [
    ProductField::Name,
    ProductField::Brand,
    ProductField::Model,
    ProductField::Sku,
    ProductField::Barcodes,
    ProductField::Description,
    ProductField::Attributes,
];

impl Catalog {
    /// Reads only: a write resolves its key inside its own transaction ([`resolve`]).
    pub(crate) fn resolve(&self, key: &ProductKey) -> Result<(i64, Uuid)> {
        resolve(self.db(), key)
    }

    pub fn product(&self, key: &ProductKey) -> Result<Product> {
        let (rid, _) = self.resolve(key)?;
        load_product(self.db(), rid)?.ok_or_else(|| StoreError::ProductNotFound(key.to_string()))
    }

    /// The SKU of a product carrying `barcode` (the first by row when several do).
    pub fn sku_by_barcode(&self, barcode: &str) -> Result<Option<String>> {
        use rusqlite::OptionalExtension;
        Ok(self
            .db()
            .prepare_cached(
                "SELECT p.sku FROM product_barcodes b JOIN products p ON p.rid = b.product_rid
                 WHERE b.code = ?1 ORDER BY p.rid LIMIT 1",
            )?
            .query_row([barcode.trim()], |r| r.get(0))
            .optional()?)
    }

    pub fn product_count(&self) -> Result<u64> {
        Ok(self.db().query_row("SELECT count(*) FROM products", [], |r| r.get::<_, i64>(0))? as u64)
    }

    /// Adds a new product; its SKU must be unused and its category must exist.
    pub fn create_product(&mut self, product: &Product) -> Result<ProductId> {
        product.validate()?;
        let (tx, mut stamp) = self.begin()?;
        let search = SearchText::of(product, &mut Stems::new());
        let rid = insert_new(&tx, &mut stamp, product, product.content_hash(), &mut HashMap::new())?;
        index::insert(&tx, rid, &search)?;
        tx.commit()?;
        Ok(product.id)
    }

    /// Sets fields to typed values (see `Product::set`); all or nothing, one history batch.
    /// Derived values (a kit's stock, a pack's price and stock) are refused: they follow their
    /// components or base product.
    pub fn update_product(&mut self, key: &ProductKey, changes: &[FieldValue]) -> Result<Product> {
        self.update_product_with(key, |_| Ok::<_, StoreError>(changes.to_vec()))
    }

    /// [`Catalog::update_product`] with the changes worked out from the product as it is when
    /// the write begins, after every other connection's commit: for an edit relative to the
    /// current value ("price + 10 %"), which must not start from a copy read earlier, and for
    /// text read in the product's own currency. An empty list changes nothing; an error from
    /// `changes` writes nothing and is returned as it is. `changes` runs while the catalog's
    /// write lock is held.
    pub fn update_product_with<E: From<StoreError>>(
        &mut self,
        key: &ProductKey,
        changes: impl FnOnce(&Product) -> Result<Vec<FieldValue>, E>,
    ) -> Result<Product, E> {
        // Everything the write depends on is read inside its transaction: read before it, the
        // product could change in between (another connection's commit) and the write would
        // put the old values back.
        let (tx, mut stamp) = self.begin()?;
        let (rid, _) = resolve(&tx, key)?;
        let before = load_product(&tx, rid)?.ok_or_else(|| StoreError::ProductNotFound(key.to_string()))?;
        let derived = links::derived_fields(&tx, rid)?;
        let mut after = before.clone();
        for value in changes(&before)? {
            let field = value.field();
            if let Some(reason) = derived.iter().find(|(f, _)| *f == field).map(|(_, r)| r) {
                return Err(StoreError::Link(format!("{field} of \"{}\" {reason}", before.sku)).into());
            }
            after.set(value).map_err(StoreError::from)?;
        }
        apply_update(&tx, &mut stamp, rid, &before, &after, None)?;
        tx.commit().map_err(StoreError::from)?;
        Ok(after)
    }

    /// Deletes a product (its links, barcodes, attributes and offers go with it); recorded in history.
    pub fn delete_product(&mut self, key: &ProductKey) -> Result<()> {
        let (tx, mut stamp) = self.begin()?;
        let (rid, id) = resolve(&tx, key)?;
        let dependents = links::dependents(&tx, rid)?;
        record(&tx, &mut stamp, id, ChangeOp::Delete, ("*", None, None), None)?;
        index::remove(&tx, rid)?;
        tx.execute("DELETE FROM products WHERE rid = ?1", [rid])?;
        links::recompute(&tx, &mut stamp, dependents)?;
        tx.commit()?;
        Ok(())
    }

    /// Inserts or updates many products in one transaction, matched by SKU: a new SKU creates
    /// the product (with the given id), a known SKU updates it field by field (history for
    /// each changed field), an identical product is skipped by its content hash. Any invalid
    /// product, unknown category or SKU repeated in the input rolls the whole batch back.
    ///
    /// Search text and content hashes are prepared on a second thread while this one writes.
    pub fn bulk_upsert<I>(&mut self, products: I) -> Result<UpsertReport>
    where
        I: IntoIterator<Item = Product>,
        I::IntoIter: Send,
    {
        self.bulk_upsert_with_progress(products, &mut |_| {})
    }

    /// [`Catalog::bulk_upsert`], calling `progress` with the count written every 10 000 products.
    pub fn bulk_upsert_with_progress<I>(
        &mut self,
        products: I,
        progress: &mut dyn FnMut(u64),
    ) -> Result<UpsertReport>
    where
        I: IntoIterator<Item = Product>,
        I::IntoIter: Send,
    {
        let fresh = self.deferred_indexes.is_some();
        let (tx, mut stamp) = self.begin()?;
        let products = products.into_iter();
        let report = std::thread::scope(|scope| {
            // Batches, not single products, cross the channel: a hand-off per product costs
            // more in thread wake-ups than the work it moves.
            let (send, receive) = std::sync::mpsc::sync_channel::<Vec<Prepared>>(16);
            scope.spawn(move || {
                let mut stems = Stems::new();
                let mut batch = Vec::with_capacity(PREPARED_BATCH);
                for product in products {
                    batch.push(Prepared {
                        search: SearchText::of(&product, &mut stems),
                        hash: product.content_hash(),
                        product,
                    });
                    if batch.len() == PREPARED_BATCH
                        && send
                            .send(std::mem::replace(&mut batch, Vec::with_capacity(PREPARED_BATCH)))
                            .is_err()
                    {
                        return; // the writer stopped on an error
                    }
                }
                let _ = send.send(batch);
            });
            upsert_all(&tx, &mut stamp, receive.into_iter().flatten(), fresh, progress)
        })?;
        tx.commit()?;
        Ok(report)
    }
}

/// The product's (rid, id) as `conn` sees it. A write calls this inside its transaction: a key
/// resolved before could name another product by then (a SKU moved to another product, a
/// deleted product's rid reused).
pub(crate) fn resolve(conn: &Connection, key: &ProductKey) -> Result<(i64, Uuid)> {
    let found = match key {
        ProductKey::Id(id) => conn
            .prepare_cached("SELECT rid, id FROM products WHERE id = ?1")?
            .query_row([id.as_bytes()], |r| Ok((r.get(0)?, uuid_of(r, 1)?)))
            .optional()?,
        ProductKey::Sku(sku) => conn
            .prepare_cached("SELECT rid, id FROM products WHERE sku = ?1")?
            .query_row([sku], |r| Ok((r.get(0)?, uuid_of(r, 1)?)))
            .optional()?,
    };
    found.ok_or_else(|| StoreError::ProductNotFound(key.to_string()))
}

const PREPARED_BATCH: usize = 512;

/// A product with what the writer needs computed ahead of it.
struct Prepared {
    product: Product,
    search: SearchText,
    hash: u64,
}

/// `fresh`: the catalog is being built from nothing, so every product is new; a repeated SKU
/// fails when the unique index is rebuilt in [`Catalog::finish_build`].
fn upsert_all(
    tx: &Connection,
    stamp: &mut Stamp<'_>,
    products: impl Iterator<Item = Prepared>,
    fresh: bool,
    progress: &mut dyn FnMut(u64),
) -> Result<UpsertReport> {
    let mut report = UpsertReport::default();
    let mut stems = Stems::new();
    let mut categories = HashMap::new();
    let mut touched = HashSet::new();
    let mut changed_stock_or_price = Vec::new();
    let has_links = links::any(tx)?;
    // New products reach the search index in blocks: FTS5 keeps pending terms in memory only
    // until the next statement savepoint, so interleaving them with other writes row by row
    // would cut the index into thousands of tiny segments.
    let mut to_index: Vec<(i64, SearchText)> = Vec::with_capacity(INDEX_BLOCK);
    for (n, Prepared { product, search, hash }) in products.enumerate() {
        if n > 0 && n % 10_000 == 0 {
            progress(n as u64);
        }
        product.validate()?;
        let existing: Option<(i64, Uuid, i64)> = if fresh {
            None
        } else {
            tx.prepare_cached("SELECT rid, id, content_hash FROM products WHERE sku = ?1")?
                .query_row([&product.sku], |r| Ok((r.get(0)?, uuid_of(r, 1)?, r.get(2)?)))
                .optional()?
        };
        match existing {
            None => {
                let rid = insert_new(tx, stamp, &product, hash, &mut categories)?;
                to_index.push((rid, search));
                if to_index.len() == INDEX_BLOCK {
                    index_block(tx, &mut to_index)?;
                }
                if fresh {
                    report.created += 1;
                    continue;
                }
                touched.insert(rid);
                report.created += 1;
            }
            Some((rid, _, _)) if !touched.insert(rid) => return Err(StoreError::DuplicateSku(product.sku)),
            Some((rid, id, stored_hash)) => {
                let mut next = product;
                next.id = ProductId(id);
                if hash as i64 == stored_hash {
                    report.unchanged += 1;
                    continue;
                }
                let before =
                    load_product(tx, rid)?.ok_or_else(|| StoreError::ProductNotFound(next.sku.clone()))?;
                let changed = write_update(tx, stamp, rid, &before, &next, None, &mut stems)?;
                if changed.iter().any(|f| matches!(f, ProductField::Price | ProductField::Stock)) {
                    changed_stock_or_price.push(rid);
                }
                report.updated += 1;
            }
        }
    }
    index_block(tx, &mut to_index)?;
    if has_links {
        links::recompute_after(tx, stamp, changed_stock_or_price)?;
    }
    Ok(report)
}

const INDEX_BLOCK: usize = 4096;

fn index_block(tx: &Connection, block: &mut Vec<(i64, SearchText)>) -> Result<()> {
    for (rid, text) in block.drain(..) {
        index::insert(tx, rid, &text)?;
    }
    Ok(())
}

fn insert_new(
    tx: &Connection,
    stamp: &mut Stamp<'_>,
    product: &Product,
    hash: u64,
    categories: &mut HashMap<CategoryId, Option<i64>>,
) -> Result<i64> {
    let category = match product.category {
        Some(c) => match categories.get(&c) {
            Some(rid) => *rid,
            None => {
                let rid = category_rid(tx, Some(c))?;
                categories.insert(c, rid);
                rid
            }
        },
        None => None,
    };
    let rid = rows::insert_row(tx, product, category, hash, stamp.now)?;
    record(tx, stamp, product.id.0, ChangeOp::Create, ("*", None, Some(&product.name)), None)?;
    Ok(rid)
}

/// Writes `after` over `before` (same product) with history, search and derived values.
pub(crate) fn apply_update(
    tx: &Connection,
    stamp: &mut Stamp<'_>,
    rid: i64,
    before: &Product,
    after: &Product,
    undo_of: Option<Uuid>,
) -> Result<Vec<ProductField>> {
    let changed = write_update(tx, stamp, rid, before, after, undo_of, &mut Stems::new())?;
    if changed.iter().any(|f| matches!(f, ProductField::Price | ProductField::Stock)) {
        links::recompute_after(tx, stamp, vec![rid])?;
    }
    Ok(changed)
}

pub(crate) fn write_update(
    tx: &Connection,
    stamp: &mut Stamp<'_>,
    rid: i64,
    before: &Product,
    after: &Product,
    undo_of: Option<Uuid>,
    stems: &mut Stems,
) -> Result<Vec<ProductField>> {
    after.validate()?;
    let changed = record_diff(tx, stamp, before, after, undo_of)?;
    if changed.is_empty() {
        return Ok(changed);
    }
    rows::update_row(tx, rid, after, category_rid(tx, after.category)?, stamp.now)?;
    if changed.contains(&ProductField::Barcodes) {
        rows::write_barcodes(tx, rid, after, true)?;
    }
    if changed.iter().any(|f| SEARCHABLE.contains(f)) {
        index::replace(tx, rid, &SearchText::of(after, stems))?;
    }
    Ok(changed)
}

/// Loads products by rid for internal recomputation.
pub(crate) fn load(tx: &Connection, rid: i64) -> Result<Product> {
    load_product(tx, rid)?.ok_or_else(|| StoreError::ProductNotFound(format!("#{rid}")))
}
