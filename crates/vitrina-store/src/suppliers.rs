//! Suppliers and their offers. A product sold by several suppliers has one offer per supplier;
//! the catalog's stock policy turns the offers into the product's cost and stock.

use rusqlite::{OptionalExtension, params};
use serde::Serialize;
use vitrina_domain::{Money, OfferId, ProductField, StockPolicy, SupplierId, SupplierOffer};

use crate::catalog::Catalog;
use crate::error::{Result, StoreError};
use crate::products::{ProductKey, apply_update, load, resolve};
use crate::rows::{currency_of, uuid_of};

#[derive(Debug, Clone, Serialize)]
pub struct SupplierView {
    pub id: SupplierId,
    pub name: String,
    pub priority: i32,
    pub offers: u64,
}

/// One supplier's current offer of a product.
#[derive(Debug, Clone, PartialEq)]
pub struct OfferInput {
    pub product: ProductKey,
    pub supplier_sku: String,
    pub cost: Option<Money>,
    pub stock: i64,
}

impl Catalog {
    /// Adds a supplier. Its id is derived from its name, so two devices of a team that add the
    /// same supplier apart make one (their sources and category mapping merge too).
    pub fn add_supplier(&mut self, name: &str, priority: i32) -> Result<SupplierId> {
        let mut id = SupplierId::for_name(name);
        // Taken by a supplier renamed since: a new id, as before ids were derived.
        let taken: bool = self.db().query_row(
            "SELECT EXISTS (SELECT 1 FROM suppliers WHERE id = ?1)",
            [id.as_bytes()],
            |r| r.get(0),
        )?;
        if taken {
            id = SupplierId::new();
        }
        self.db()
            .execute(
                "INSERT INTO suppliers (id, name, priority, created_at) VALUES (?1, ?2, ?3, ?4)",
                params![id.as_bytes(), name.trim(), priority, self.now_ms() as i64],
            )
            .map_err(|e| match e {
                rusqlite::Error::SqliteFailure(f, _)
                    if f.code == rusqlite::ErrorCode::ConstraintViolation =>
                {
                    StoreError::Link(format!(
                        "a supplier named \"{}\" already exists, or the name is empty",
                        name.trim()
                    ))
                }
                e => e.into(),
            })?;
        Ok(id)
    }

    pub fn suppliers(&self) -> Result<Vec<SupplierView>> {
        let mut stmt = self.db().prepare_cached(
            "SELECT s.id, s.name, s.priority, (SELECT count(*) FROM supplier_offers o WHERE o.supplier_rid = s.rid)
             FROM suppliers s ORDER BY s.priority, s.name",
        )?;
        let rows = stmt.query_map([], |r| {
            Ok(SupplierView {
                id: SupplierId(uuid_of(r, 0)?),
                name: r.get(1)?,
                priority: r.get(2)?,
                offers: r.get::<_, i64>(3)? as u64,
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// Finds a supplier by id or exact name.
    pub fn find_supplier(&self, text: &str) -> Result<SupplierId> {
        let by_id = text.trim().parse::<SupplierId>().ok();
        self.suppliers()?
            .into_iter()
            .find(|s| Some(s.id) == by_id || s.name.to_lowercase() == text.trim().to_lowercase())
            .map(|s| s.id)
            .ok_or_else(|| StoreError::SupplierNotFound(text.trim().to_string()))
    }

    /// Records a supplier's offers (one transaction) and updates each product's cost and stock
    /// by the stock policy, with history.
    pub fn upsert_offers(
        &mut self,
        supplier: SupplierId,
        offers: &[OfferInput],
        policy: StockPolicy,
    ) -> Result<()> {
        let (tx, mut stamp) = self.begin()?;
        let mut resolved = Vec::with_capacity(offers.len());
        for o in offers {
            resolved.push((resolve(&tx, &o.product)?.0, o));
        }
        let supplier_rid: i64 = tx
            .query_row("SELECT rid FROM suppliers WHERE id = ?1", [supplier.as_bytes()], |r| r.get(0))
            .optional()?
            .ok_or_else(|| StoreError::SupplierNotFound(supplier.to_string()))?;
        for (product_rid, o) in resolved {
            tx.prepare_cached(
                "INSERT INTO supplier_offers (id, supplier_rid, product_rid, supplier_sku, currency, cost, stock, last_seen)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)
                 ON CONFLICT (supplier_rid, supplier_sku) DO UPDATE SET product_rid = excluded.product_rid,
                     currency = excluded.currency, cost = excluded.cost, stock = excluded.stock, last_seen = excluded.last_seen",
            )?
            .execute(params![
                OfferId::new().as_bytes(),
                supplier_rid,
                product_rid,
                o.supplier_sku,
                o.cost.map_or_else(|| "RUB".to_string(), |c| c.currency.to_string()),
                o.cost.map(|c| c.minor),
                o.stock.max(0),
                stamp.now as i64,
            ])?;
            let before = load(&tx, product_rid)?;
            let all: Vec<SupplierOffer> = tx
                .prepare_cached(
                    "SELECT o.id, s.id, o.supplier_sku, o.currency, o.cost, o.stock, s.priority
                     FROM supplier_offers o JOIN suppliers s ON s.rid = o.supplier_rid WHERE o.product_rid = ?1",
                )?
                .query_map([product_rid], |r| {
                    let currency = currency_of(&r.get::<_, String>(3)?);
                    Ok(SupplierOffer {
                        id: OfferId(uuid_of(r, 0)?),
                        supplier: SupplierId(uuid_of(r, 1)?),
                        product: before.id,
                        supplier_sku: r.get(2)?,
                        cost: r.get::<_, Option<i64>>(4)?.map(|m| Money::new(m, currency)),
                        stock: r.get(5)?,
                        priority: r.get(6)?,
                    })
                })?
                .collect::<rusqlite::Result<_>>()?;
            let (cost, stock) = policy.choose(&all);
            let mut after = before.clone();
            after.cost = cost;
            after.set_field(ProductField::Stock, Some(&stock.to_string()))?;
            apply_update(&tx, &mut stamp, product_rid, &before, &after, None)?;
        }
        tx.commit()?;
        Ok(())
    }
}
