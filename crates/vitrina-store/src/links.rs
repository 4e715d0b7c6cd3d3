//! Kits, packs and related products, with derived values kept in step.
//!
//! A kit's stock is the number of whole kits its components allow; a pack of N has the base
//! product's price × N (less a discount) and floor(base stock ÷ N). Whenever a component or
//! base changes, the products derived from it are recomputed in the same transaction, with
//! history, and so on up the chain (links never form a cycle).

use rusqlite::{Connection, OptionalExtension, params};
use serde::Serialize;
use vitrina_domain::{ChangeOp, LinkKind, ProductField, ProductId, kit_stock, pack_price, pack_stock};

use crate::catalog::{Catalog, Stamp};
use crate::error::{Result, StoreError};
use crate::products::{ProductKey, apply_update, load, resolve};
use crate::rows::uuid_of;

/// A link as seen from one product.
#[derive(Debug, Clone, Serialize)]
pub struct LinkView {
    pub kind: LinkKind,
    /// True when this product is the kit or pack; false when it is a component or base of another.
    pub outgoing: bool,
    pub other_id: ProductId,
    pub other_sku: String,
    pub other_name: String,
}

pub(crate) fn any(conn: &Connection) -> Result<bool> {
    Ok(conn
        .query_row("SELECT EXISTS (SELECT 1 FROM product_links WHERE kind <> 'related')", [], |r| r.get(0))?)
}

/// Products whose values derive from `rid` (kits it is a component of, packs of it).
pub(crate) fn dependents(conn: &Connection, rid: i64) -> Result<Vec<i64>> {
    let mut stmt =
        conn.prepare_cached("SELECT from_rid FROM product_links WHERE to_rid = ?1 AND kind <> 'related'")?;
    Ok(stmt.query_map([rid], |r| r.get(0))?.collect::<rusqlite::Result<_>>()?)
}

/// Fields of `rid` that are derived and so not editable by hand, with the reason.
pub(crate) fn derived_fields(conn: &Connection, rid: i64) -> Result<Vec<(ProductField, &'static str)>> {
    let kinds: Vec<String> = conn
        .prepare_cached("SELECT DISTINCT kind FROM product_links WHERE from_rid = ?1")?
        .query_map([rid], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    let mut out = Vec::new();
    if kinds.iter().any(|k| k == "kit") {
        out.push((ProductField::Stock, "is derived from the kit's components"));
    }
    if kinds.iter().any(|k| k == "pack") {
        out.push((ProductField::Stock, "is derived from the pack's base product"));
        out.push((ProductField::Price, "is derived from the pack's base product"));
    }
    Ok(out)
}

/// Recomputes everything derived from the `changed` products.
pub(crate) fn recompute_after(conn: &Connection, stamp: &mut Stamp<'_>, changed: Vec<i64>) -> Result<()> {
    let mut targets = Vec::new();
    for rid in changed {
        targets.extend(dependents(conn, rid)?);
    }
    targets.sort_unstable();
    targets.dedup();
    recompute(conn, stamp, targets)
}

/// Recomputes the derived values of `targets`; their own dependents follow through
/// [`apply_update`]. The records are marked derived: never pushed to the team, whose other
/// devices recompute the same values from the same components.
///
/// A target that no longer derives from anything (its last component or base was unlinked or
/// deleted, here or by another device) keeps the values it shows, as its own: they are recorded
/// as an edit, pushed like any other, so the devices that derived other values, or none (the
/// link never reached them), all end with the same ones.
pub(crate) fn recompute(conn: &Connection, stamp: &mut Stamp<'_>, targets: Vec<i64>) -> Result<()> {
    let was = std::mem::replace(&mut stamp.derived, true);
    let done = recompute_each(conn, stamp, targets);
    stamp.derived = was;
    done
}

fn recompute_each(conn: &Connection, stamp: &mut Stamp<'_>, targets: Vec<i64>) -> Result<()> {
    for target in targets {
        let before = load(conn, target)?;
        let mut after = before.clone();
        let mut components = Vec::new();
        let mut stmt = conn.prepare_cached(
            "SELECT l.kind, l.quantity, l.discount_bp, p.price, p.stock
             FROM product_links l JOIN products p ON p.rid = l.to_rid
             WHERE l.from_rid = ?1 AND l.kind <> 'related'",
        )?;
        let mut rows = stmt.query([target])?;
        let (mut is_kit, mut linked) = (false, false);
        while let Some(r) = rows.next()? {
            linked = true;
            let (kind, qty, discount, price, stock): (String, u32, u32, i64, i64) =
                (r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?);
            if kind == "pack" {
                after.price.minor = pack_price(price, qty, discount);
                after.stock = pack_stock(stock, qty);
            } else {
                is_kit = true;
                components.push((stock, qty));
            }
        }
        drop(rows);
        if !linked {
            keep_as_own(conn, stamp, &before)?;
            continue;
        }
        if is_kit {
            after.stock = kit_stock(components);
        }
        apply_update(conn, stamp, target, &before, &after, None)?;
    }
    Ok(())
}

/// The fields that can be derived, each shown as derived until the product is an edit of its own.
const DERIVABLE: [ProductField; 2] = [ProductField::Stock, ProductField::Price];

/// A product that derives from nothing any more: each field whose value was last written by a
/// recompute is recorded again, unchanged, as an edit of this device (pushed to the team).
fn keep_as_own(conn: &Connection, stamp: &mut Stamp<'_>, product: &vitrina_domain::Product) -> Result<()> {
    let mut last = conn.prepare_cached(
        "SELECT derived FROM history WHERE entity_id = ?1 AND entity = 'product' AND field IN (?2, '*')
         ORDER BY rid DESC LIMIT 1",
    )?;
    let was = std::mem::replace(&mut stamp.derived, false);
    for field in DERIVABLE {
        let derived: Option<bool> =
            last.query_row(params![product.id.0.as_bytes(), field.code()], |r| r.get(0)).optional()?;
        if derived == Some(true) {
            let value = product.field_value(field);
            let value = value.as_deref();
            crate::history::record(
                conn,
                stamp,
                product.id.0,
                ChangeOp::Update,
                (field.code(), value, value),
                None,
            )?;
        }
    }
    stamp.derived = was;
    Ok(())
}

impl Catalog {
    /// Links `from` to `to`: `from` becomes a kit containing `to`, a pack of `to`, or related.
    /// Refuses links that would make a product derive from itself.
    pub fn link(&mut self, from: &ProductKey, to: &ProductKey, kind: LinkKind) -> Result<()> {
        let (quantity, discount_bp) = match kind {
            LinkKind::KitComponent { quantity } => (quantity, 0),
            LinkKind::Pack { units, discount_bp } => (units, discount_bp),
            LinkKind::Related => (1, 0),
        };
        if quantity == 0 {
            return Err(StoreError::Link("the quantity must be at least 1".into()));
        }
        if discount_bp > 10_000 {
            return Err(StoreError::Link("the discount must be between 0 and 100%".into()));
        }
        let (tx, mut stamp) = self.begin()?;
        let (from_rid, _) = resolve(&tx, from)?;
        let (to_rid, _) = resolve(&tx, to)?;
        if from_rid == to_rid {
            return Err(StoreError::Link(format!("\"{from}\" cannot be linked to itself")));
        }
        if kind != LinkKind::Related {
            let kinds: Vec<String> = tx
                .prepare("SELECT kind FROM product_links WHERE from_rid = ?1 AND kind <> 'related'")?
                .query_map([from_rid], |r| r.get(0))?
                .collect::<rusqlite::Result<_>>()?;
            let conflicting = match kind {
                LinkKind::Pack { .. } => !kinds.is_empty(),
                _ => kinds.iter().any(|k| k == "pack"),
            };
            if conflicting {
                return Err(StoreError::Link(format!(
                    "\"{from}\" already derives its values from other products: a pack has exactly one base and cannot also be a kit"
                )));
            }
            if reaches(&tx, to_rid, from_rid)? {
                return Err(StoreError::Link(format!("linking \"{from}\" to \"{to}\" would make a cycle")));
            }
        }
        tx.execute(
            "INSERT INTO product_links (from_rid, to_rid, kind, quantity, discount_bp) VALUES (?1, ?2, ?3, ?4, ?5)
             ON CONFLICT (from_rid, to_rid, kind) DO UPDATE SET quantity = excluded.quantity, discount_bp = excluded.discount_bp",
            params![from_rid, to_rid, kind.code(), quantity, discount_bp],
        )?;
        if kind != LinkKind::Related {
            recompute(&tx, &mut stamp, vec![from_rid])?;
        }
        tx.commit()?;
        Ok(())
    }

    /// Removes a link of the given kind (`kit`, `pack`, `related`); a kit's stock is recomputed,
    /// and a product left with no component or base keeps the values it shows as its own.
    pub fn unlink(&mut self, from: &ProductKey, to: &ProductKey, kind: &str) -> Result<bool> {
        let (tx, mut stamp) = self.begin()?;
        let (from_rid, _) = resolve(&tx, from)?;
        let (to_rid, _) = resolve(&tx, to)?;
        let n = tx.execute(
            "DELETE FROM product_links WHERE from_rid = ?1 AND to_rid = ?2 AND kind = ?3",
            params![from_rid, to_rid, kind],
        )?;
        if n > 0 && kind != "related" {
            recompute(&tx, &mut stamp, vec![from_rid])?;
        }
        tx.commit()?;
        Ok(n > 0)
    }

    pub fn links(&self, key: &ProductKey) -> Result<Vec<LinkView>> {
        let (rid, _) = self.resolve(key)?;
        let mut stmt = self.db().prepare_cached(
            "SELECT l.kind, l.quantity, l.discount_bp, 1, p.id, p.sku, p.name
               FROM product_links l JOIN products p ON p.rid = l.to_rid WHERE l.from_rid = ?1
             UNION ALL
             SELECT l.kind, l.quantity, l.discount_bp, 0, p.id, p.sku, p.name
               FROM product_links l JOIN products p ON p.rid = l.from_rid WHERE l.to_rid = ?1",
        )?;
        let rows = stmt.query_map([rid], |r| {
            let kind = match r.get::<_, String>(0)?.as_str() {
                "kit" => LinkKind::KitComponent { quantity: r.get(1)? },
                "pack" => LinkKind::Pack { units: r.get(1)?, discount_bp: r.get(2)? },
                _ => LinkKind::Related,
            };
            Ok(LinkView {
                kind,
                outgoing: r.get::<_, i64>(3)? == 1,
                other_id: ProductId(uuid_of(r, 4)?),
                other_sku: r.get(5)?,
                other_name: r.get(6)?,
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }
}

/// Whether `goal` is reachable from `start` along derived links (start derives from …).
fn reaches(conn: &Connection, start: i64, goal: i64) -> Result<bool> {
    Ok(conn.query_row(
        "WITH RECURSIVE up(rid) AS (
             SELECT ?1
             UNION SELECT l.to_rid FROM product_links l JOIN up ON l.from_rid = up.rid WHERE l.kind <> 'related'
         ) SELECT EXISTS (SELECT 1 FROM up WHERE rid = ?2)",
        params![start, goal],
        |r| r.get(0),
    )?)
}
