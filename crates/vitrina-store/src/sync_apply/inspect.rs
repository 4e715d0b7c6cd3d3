//! Reading what sync left: a product's lost values and SKU flag, the catalog's digest (equal on
//! every device that has seen the same changes), and the docs a first device seeds the team with.

use std::hash::Hasher;

use rusqlite::{Connection, params};
use serde::Serialize;
use uuid::Uuid;
use vitrina_domain::sync::{ALIVE, category_values, product_values};
use vitrina_domain::{DeviceId, Doc, EntityKind, Hlc, ProductId, StableHasher, Stamp};

use crate::catalog::Catalog;
use crate::error::Result;
use crate::rows::{load_product, opt_uuid_of, uuid_of};

/// A value that lost a conflict: another device changed the field without seeing it, and the
/// later stamp won. A person may restore it (as a new edit).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LostValue {
    pub field: String,
    pub value: Option<String>,
    pub who: String,
    /// When it was set (UTC ms of its stamp).
    pub at: u64,
    pub device: DeviceId,
    pub winner_value: Option<String>,
    pub winner_who: Option<String>,
    pub winner_at: u64,
    /// When this device saw the conflict.
    pub seen_at: u64,
}

impl Catalog {
    /// The product's lost values, newest first.
    pub fn sync_conflicts(&self, product: ProductId) -> Result<Vec<LostValue>> {
        let mut stmt = self.db().prepare_cached(
            "SELECT field, value, who, hlc, device, winner_value, winner_who, winner_hlc, at
             FROM sync_conflicts WHERE entity_id = ?1 ORDER BY rid DESC",
        )?;
        let rows = stmt.query_map([product.as_bytes()], |r| {
            Ok(LostValue {
                field: r.get(0)?,
                value: r.get(1)?,
                who: r.get(2)?,
                at: Hlc::unpack(r.get::<_, i64>(3)? as u64).wall_ms,
                device: DeviceId(uuid_of(r, 4)?),
                winner_value: r.get(5)?,
                winner_who: r.get(6)?,
                winner_at: Hlc::unpack(r.get::<_, i64>(7)? as u64).wall_ms,
                seen_at: r.get::<_, i64>(8)? as u64,
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// The SKU a product wants but does not show, because an earlier product of the team has it.
    pub fn sync_sku_clash(&self, product: ProductId) -> Result<Option<String>> {
        super::clash::wanted_sku(self.db(), product.0)
    }

    /// Products flagged with an SKU clash.
    pub fn sync_sku_clash_count(&self) -> Result<u64> {
        Ok(self.db().query_row("SELECT count(*) FROM sync_sku_clashes", [], |r| r.get::<_, i64>(0))? as u64)
    }

    /// A digest of everything that syncs as this catalog shows it: every category (id, name,
    /// parent) and every product (id, each field's text, an SKU clash flag), in id order.
    /// Devices that have seen the same changes have the same digest.
    pub fn sync_digest(&self) -> Result<String> {
        let conn = self.db();
        let _side = super::side::Attached::new(conn, self.path())?;
        let mut h = StableHasher::new();
        let mut stmt = conn.prepare_cached(
            "SELECT c.id, c.name, p.id FROM categories c LEFT JOIN categories p ON p.rid = c.parent_rid ORDER BY c.id",
        )?;
        let mut rows = stmt.query([])?;
        while let Some(r) = rows.next()? {
            h.write(uuid_of(r, 0)?.as_bytes());
            h.write(r.get::<_, String>(1)?.as_bytes());
            h.write(opt_uuid_of(r, 2)?.unwrap_or_default().as_bytes());
        }
        let mut stmt = conn.prepare_cached(
            "SELECT p.rid, s.sku FROM products p LEFT JOIN sync_sku_clashes s ON s.id = p.id ORDER BY p.id",
        )?;
        let mut rows = stmt.query([])?;
        while let Some(r) = rows.next()? {
            let Some(product) = load_product(conn, r.get(0)?)? else { continue };
            h.write(product.id.as_bytes());
            for (field, value) in product_values(&product) {
                h.write(field.as_bytes());
                h.write_u8(value.is_some() as u8);
                h.write(value.unwrap_or_default().as_bytes());
                h.write_u8(0xff);
            }
            let wanted: Option<String> = r.get(1)?;
            h.write(wanted.unwrap_or_default().as_bytes());
        }
        super::rows::digest(conn, &mut h)?;
        Ok(format!("{:016x}", h.finish()))
    }
}

/// Every category, then every product, as docs stamped `stamp`, to `sink` in batches.
pub(super) fn seed_docs<E>(
    conn: &Connection,
    stamp: Stamp,
    batch: usize,
    products: &mut u64,
    categories: &mut u64,
    sink: &mut impl FnMut(Vec<(EntityKind, Uuid, Doc)>) -> std::result::Result<(), E>,
) -> Result<std::result::Result<(), E>> {
    let doc = |values: &mut dyn Iterator<Item = (&'static str, Option<String>)>| {
        let mut d = Doc::default();
        for (field, value) in values {
            d.0.insert(field.to_string(), (value, stamp));
        }
        d.0.insert(ALIVE.to_string(), (Some("1".into()), stamp));
        d
    };
    let mut out = Vec::with_capacity(batch);
    // Parents before children: rids grow as categories are created under existing ones.
    let mut stmt = conn.prepare_cached(
        "SELECT c.id, c.name, p.id FROM categories c LEFT JOIN categories p ON p.rid = c.parent_rid ORDER BY c.rid",
    )?;
    let mut rows = stmt.query([])?;
    while let Some(r) = rows.next()? {
        let (id, name, parent) = (uuid_of(r, 0)?, r.get::<_, String>(1)?, opt_uuid_of(r, 2)?);
        let values = category_values(&name, parent.map(vitrina_domain::CategoryId));
        out.push((EntityKind::Category, id, doc(&mut values.into_iter())));
        *categories += 1;
    }
    let mut stmt = conn.prepare_cached("SELECT rid FROM products ORDER BY rid")?;
    let rids: Vec<i64> = stmt.query_map(params![], |r| r.get(0))?.collect::<rusqlite::Result<_>>()?;
    for rid in rids {
        let Some(product) = load_product(conn, rid)? else { continue };
        out.push((EntityKind::Product, product.id.0, doc(&mut product_values(&product))));
        *products += 1;
        if out.len() >= batch
            && let Err(e) = sink(std::mem::replace(&mut out, Vec::with_capacity(batch)))
        {
            return Ok(Err(e));
        }
    }
    if !out.is_empty()
        && let Err(e) = sink(out)
    {
        return Ok(Err(e));
    }
    Ok(Ok(()))
}
