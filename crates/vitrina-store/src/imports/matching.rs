//! Lookups an import run needs: the product another supplier already sells (by barcode, then
//! brand + vendor code), the seller's category for a supplier's category path, the variant
//! group for a supplier's group key; and the secondary indexes a first import rebuilds at the end.

use std::collections::{HashMap, HashSet};

use rusqlite::{Connection, OptionalExtension, params};
use vitrina_domain::{CategoryId, Product, VariantGroupId};

use crate::categories::ensure_path;
use crate::error::Result;

/// Drops the secondary indexes of the tables a first import fills; returns their SQL.
/// Building an index once from sorted data is several times faster than growing it row by row.
/// (The run keeps SKUs unique itself meanwhile; the unique index is rebuilt at the end.)
pub(super) fn drop_bulk_indexes(tx: &Connection) -> Result<Vec<String>> {
    let indexes: Vec<(String, String)> = tx
        .prepare(
            "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL
             AND tbl_name IN ('products', 'product_barcodes', 'history', 'supplier_offers')",
        )?
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<rusqlite::Result<_>>()?;
    for (name, _) in &indexes {
        tx.execute_batch(&format!("DROP INDEX \"{name}\""))?;
    }
    Ok(indexes.into_iter().map(|(_, sql)| sql).collect())
}

pub(super) fn restore_indexes(tx: &Connection, sql: Vec<String>) -> Result<()> {
    for statement in sql {
        tx.execute_batch(&statement)?;
    }
    Ok(())
}

/// Products this supplier offers that other suppliers offer too.
pub(super) fn shared_products(tx: &Connection, supplier_rid: i64) -> Result<HashSet<i64>> {
    let mut stmt = tx.prepare(
        "SELECT DISTINCT mine.product_rid FROM supplier_offers mine
         JOIN supplier_offers other ON other.product_rid = mine.product_rid AND other.supplier_rid <> mine.supplier_rid
         WHERE mine.supplier_rid = ?1",
    )?;
    Ok(stmt.query_map([supplier_rid], |r| r.get(0))?.collect::<rusqlite::Result<_>>()?)
}

/// The product a new offer describes, when another supplier already sells it: same barcode
/// (and the same brand, when both name one: suppliers do reuse barcodes), else same brand and
/// vendor code. Products this supplier already offers are not candidates.
pub(super) fn find_product(tx: &Connection, supplier_rid: i64, offer: &Product) -> Result<Option<i64>> {
    let mut by_barcode = tx.prepare_cached(
        "SELECT b.product_rid FROM product_barcodes b JOIN products p ON p.rid = b.product_rid
         WHERE b.code = ?1 AND (p.brand = '' OR ?3 = '' OR lower(p.brand) = lower(?3)) AND NOT EXISTS
             (SELECT 1 FROM supplier_offers o WHERE o.product_rid = b.product_rid AND o.supplier_rid = ?2)
         LIMIT 1",
    )?;
    for code in &offer.barcodes {
        let found = by_barcode
            .query_row(params![code.as_str(), supplier_rid, offer.brand.trim()], |r| r.get(0))
            .optional()?;
        if let Some(rid) = found {
            return Ok(Some(rid));
        }
    }
    if offer.brand.trim().is_empty() || offer.model.trim().is_empty() {
        return Ok(None);
    }
    Ok(tx
        .prepare_cached(
            "SELECT p.rid FROM products p
             WHERE p.brand = ?1 AND p.model = ?2 AND p.model <> '' AND NOT EXISTS
                 (SELECT 1 FROM supplier_offers o WHERE o.product_rid = p.rid AND o.supplier_rid = ?3)
             LIMIT 1",
        )?
        .query_row(params![offer.brand, offer.model, supplier_rid], |r| r.get(0))
        .optional()?)
}

/// The supplier's category paths mapped to the seller's categories, filled as the run goes.
pub(super) struct Categories {
    supplier_rid: i64,
    by_path: HashMap<Vec<String>, Option<(i64, CategoryId)>>,
    rids: HashMap<CategoryId, i64>,
}

impl Categories {
    pub(super) fn load(tx: &Connection, supplier_rid: i64) -> Result<Self> {
        let mut stmt = tx.prepare(
            "SELECT m.supplier_path, c.rid, c.id FROM category_map m LEFT JOIN categories c ON c.rid = m.category_rid
             WHERE m.supplier_rid = ?1",
        )?;
        let mut by_path = HashMap::new();
        let mut rids = HashMap::new();
        let mut rows = stmt.query([supplier_rid])?;
        while let Some(r) = rows.next()? {
            let target = match r.get::<_, Option<i64>>(1)? {
                Some(rid) => {
                    let id = CategoryId::from_bytes(r.get(2)?);
                    rids.insert(id, rid);
                    Some((rid, id))
                }
                None => None,
            };
            let text: String = r.get(0)?;
            by_path.insert(text.split(" / ").map(str::to_string).collect(), target);
        }
        Ok(Categories { supplier_rid, by_path, rids })
    }

    /// The seller's category for a supplier path; with `create`, an unmapped path is created
    /// in the seller's tree under the same names and remembered in the mapping.
    pub(super) fn resolve(
        &mut self,
        tx: &Connection,
        path: &[String],
        create: bool,
    ) -> Result<Option<CategoryId>> {
        if path.is_empty() {
            return Ok(None);
        }
        if let Some(known) = self.by_path.get(path) {
            return Ok(known.map(|(_, id)| id));
        }
        let text = path.join(" / ");
        let target = if create { Some(ensure_path(tx, path)?) } else { None };
        tx.prepare_cached(
            "INSERT INTO category_map (supplier_rid, supplier_path, category_rid) VALUES (?1, ?2, ?3)",
        )?
        .execute(params![self.supplier_rid, text, target.map(|(rid, _)| rid)])?;
        if let Some((rid, id)) = target {
            self.rids.insert(id, rid);
        }
        self.by_path.insert(path.to_vec(), target);
        Ok(target.map(|(_, id)| id))
    }

    pub(super) fn rid_of(&self, id: CategoryId) -> Option<i64> {
        self.rids.get(&id).copied()
    }
}

/// The supplier's variant-group keys and the catalog's group ids for them.
pub(super) struct Groups {
    supplier_rid: i64,
    by_key: HashMap<String, VariantGroupId>,
}

impl Groups {
    pub(super) fn load(tx: &Connection, supplier_rid: i64) -> Result<Self> {
        let mut stmt =
            tx.prepare("SELECT group_key, group_id FROM supplier_groups WHERE supplier_rid = ?1")?;
        let by_key = stmt
            .query_map([supplier_rid], |r| Ok((r.get(0)?, VariantGroupId::from_bytes(r.get(1)?))))?
            .collect::<rusqlite::Result<_>>()?;
        Ok(Groups { supplier_rid, by_key })
    }

    pub(super) fn resolve(&mut self, tx: &Connection, key: &str) -> Result<VariantGroupId> {
        if let Some(id) = self.by_key.get(key) {
            return Ok(*id);
        }
        let id = VariantGroupId::new();
        tx.prepare_cached(
            "INSERT INTO supplier_groups (supplier_rid, group_key, group_id) VALUES (?1, ?2, ?3)",
        )?
        .execute(params![self.supplier_rid, key, id.as_bytes()])?;
        self.by_key.insert(key.to_string(), id);
        Ok(id)
    }
}
