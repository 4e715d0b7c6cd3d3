//! A supplier's import settings and sources. The store keeps their JSON as written by
//! `vitrina-import`; it does not interpret it.

use rusqlite::{Connection, OptionalExtension, params};
use serde::Serialize;
use vitrina_domain::SupplierId;

use crate::catalog::Catalog;
use crate::error::{Result, StoreError};

/// One feed of a supplier; position 0 is the main feed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SourceRow {
    pub position: u32,
    /// Where it comes from (JSON).
    pub spec: String,
    /// How to read it (JSON).
    pub read_options: String,
    /// The mapping profile (JSON), once the seller saved one.
    pub mapping: Option<String>,
    pub etag: Option<String>,
    pub last_modified: Option<String>,
}

/// Everything about importing from one supplier.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SupplierConfig {
    pub id: SupplierId,
    pub name: String,
    pub priority: i32,
    pub policy: String,
    /// Settings (JSON).
    pub settings: String,
    pub sources: Vec<SourceRow>,
}

impl Catalog {
    /// Reads only: a write looks the supplier up inside its own transaction ([`supplier_rid`]).
    pub(crate) fn supplier_rid(&self, supplier: SupplierId) -> Result<i64> {
        supplier_rid(self.db(), supplier)
    }

    pub fn supplier_config(&self, supplier: SupplierId) -> Result<SupplierConfig> {
        let rid = self.supplier_rid(supplier)?;
        let (name, priority, policy, settings) = self.db().query_row(
            "SELECT name, priority, policy, settings FROM suppliers WHERE rid = ?1",
            [rid],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
        )?;
        let sources = self
            .db()
            .prepare_cached(
                "SELECT position, spec, read_options, mapping, etag, last_modified
                 FROM supplier_sources WHERE supplier_rid = ?1 ORDER BY position",
            )?
            .query_map([rid], |r| {
                Ok(SourceRow {
                    position: r.get(0)?,
                    spec: r.get(1)?,
                    read_options: r.get(2)?,
                    mapping: r.get(3)?,
                    etag: r.get(4)?,
                    last_modified: r.get(5)?,
                })
            })?
            .collect::<rusqlite::Result<_>>()?;
        Ok(SupplierConfig { id: supplier, name, priority, policy, settings, sources })
    }

    /// Saves a supplier's settings, priority and stock policy.
    pub fn save_supplier_settings(
        &mut self,
        supplier: SupplierId,
        priority: i32,
        policy: &str,
        settings: &str,
    ) -> Result<()> {
        let tx = self.conn.transaction()?;
        let rid = supplier_rid(&tx, supplier)?;
        tx.execute(
            "UPDATE suppliers SET priority = ?2, policy = ?3, settings = ?4 WHERE rid = ?1",
            params![rid, priority, policy, settings],
        )?;
        tx.commit()?;
        Ok(())
    }

    /// Adds or replaces the source at `source.position` (validators are kept when the spec is
    /// unchanged, and reset when it changes).
    pub fn save_source(&mut self, supplier: SupplierId, source: &SourceRow) -> Result<()> {
        let tx = self.conn.transaction()?;
        let rid = supplier_rid(&tx, supplier)?;
        tx.execute(
            "INSERT INTO supplier_sources (supplier_rid, position, spec, read_options, mapping)
             VALUES (?1, ?2, ?3, ?4, ?5)
             ON CONFLICT (supplier_rid, position) DO UPDATE SET
                 etag = CASE WHEN spec = excluded.spec THEN etag END,
                 last_modified = CASE WHEN spec = excluded.spec THEN last_modified END,
                 spec = excluded.spec, read_options = excluded.read_options, mapping = excluded.mapping",
            params![rid, source.position, source.spec, source.read_options, source.mapping],
        )?;
        tx.commit()?;
        Ok(())
    }

    /// Removes a source; the ones after it move up.
    pub fn remove_source(&mut self, supplier: SupplierId, position: u32) -> Result<bool> {
        let tx = self.conn.transaction()?;
        let rid = supplier_rid(&tx, supplier)?;
        let removed = tx.execute(
            "DELETE FROM supplier_sources WHERE supplier_rid = ?1 AND position = ?2",
            params![rid, position],
        )?;
        // Two steps so the unique (supplier, position) never sees a transient duplicate.
        tx.execute(
            "UPDATE supplier_sources SET position = -position WHERE supplier_rid = ?1 AND position > ?2",
            params![rid, position],
        )?;
        tx.execute(
            "UPDATE supplier_sources SET position = -position - 1 WHERE supplier_rid = ?1 AND position < 0",
            params![rid],
        )?;
        tx.commit()?;
        Ok(removed > 0)
    }

    /// Remembers the validators of a download for the next conditional GET.
    pub fn save_source_validators(
        &mut self,
        supplier: SupplierId,
        position: u32,
        etag: Option<&str>,
        last_modified: Option<&str>,
    ) -> Result<()> {
        let tx = self.conn.transaction()?;
        let rid = supplier_rid(&tx, supplier)?;
        tx.execute(
            "UPDATE supplier_sources SET etag = ?3, last_modified = ?4 WHERE supplier_rid = ?1 AND position = ?2",
            params![rid, position, etag, last_modified],
        )?;
        tx.commit()?;
        Ok(())
    }

    /// The seller's category for a supplier's category path, when one was mapped.
    pub fn category_mappings(&self, supplier: SupplierId) -> Result<Vec<(String, Option<String>)>> {
        let rid = self.supplier_rid(supplier)?;
        let mut stmt = self.db().prepare_cached(
            "SELECT m.supplier_path, c.rid FROM category_map m LEFT JOIN categories c ON c.rid = m.category_rid
             WHERE m.supplier_rid = ?1 ORDER BY m.supplier_path",
        )?;
        let rows: Vec<(String, Option<i64>)> =
            stmt.query_map([rid], |r| Ok((r.get(0)?, r.get(1)?)))?.collect::<rusqlite::Result<_>>()?;
        let mut out = Vec::with_capacity(rows.len());
        for (path, category) in rows {
            let name = match category {
                Some(c) => Some(crate::categories::path_text(self.db(), c)?),
                None => None,
            };
            out.push((path, name));
        }
        Ok(out)
    }

    /// Maps a supplier's category path (`"Одежда / Обувь"`) to one of the seller's categories
    /// (`None`: leave such products without a category). The supplier's next import then
    /// re-reads every offer.
    pub fn map_category(
        &mut self,
        supplier: SupplierId,
        supplier_path: &str,
        category: Option<vitrina_domain::CategoryId>,
    ) -> Result<()> {
        let tx = self.conn.transaction()?;
        let rid = supplier_rid(&tx, supplier)?;
        let category_rid = crate::rows::category_rid(&tx, category)?;
        tx.execute(
            "INSERT INTO category_map (supplier_rid, supplier_path, category_rid) VALUES (?1, ?2, ?3)
             ON CONFLICT (supplier_rid, supplier_path) DO UPDATE SET category_rid = excluded.category_rid",
            params![rid, supplier_path.trim(), category_rid],
        )?;
        // The next import must look at every offer again, not skip unchanged rows.
        tx.execute("UPDATE supplier_offers SET content_hash = 0 WHERE supplier_rid = ?1", [rid])?;
        tx.commit()?;
        Ok(())
    }
}

/// The supplier's rid as `conn` sees it; a write calls this inside its transaction, so what it
/// writes refers to the supplier as it is then.
pub(crate) fn supplier_rid(conn: &Connection, supplier: SupplierId) -> Result<i64> {
    conn.query_row("SELECT rid FROM suppliers WHERE id = ?1", [supplier.as_bytes()], |r| r.get(0))
        .optional()?
        .ok_or_else(|| StoreError::SupplierNotFound(supplier.to_string()))
}
