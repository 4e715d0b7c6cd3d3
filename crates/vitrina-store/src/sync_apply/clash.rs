//! SKU clashes: uniqueness that last-writer-wins cannot give.
//!
//! Two devices may give different products the same SKU while apart (two people typing the same
//! article; an import here and a hand-made product there). Applying the other's product must
//! never fail on the catalog's unique SKU index, and every device must end the same, so the
//! rule is a function of the synced values alone: among the products that want an SKU, the one
//! whose SKU was set first (the smallest stamp, then the smaller id) shows it; every other one
//! shows `SKU~xxxxxxxx` (the end of its id) and is flagged to the seller (`sync_sku_clashes`)
//! until its SKU changes or the SKU is free again. Showing another SKU is not an edit: it writes
//! no history and is never pushed; the product keeps wanting its own SKU.

use rusqlite::{Connection, OptionalExtension, params};
use uuid::Uuid;
use vitrina_domain::{DeviceId, EntityKind, Hlc, Stamp};

use super::apply::effective_stamps;
use super::{PUSH_RID, meta_i64};
use crate::error::Result;
use crate::rows::{load_product, uuid_of};
use crate::search::{SearchText, Stems, index};

/// The SKU shown by a product that lost a clash for `wanted`.
pub(crate) fn suffixed(wanted: &str, id: Uuid, long: bool) -> String {
    let hex = id.simple().to_string();
    let tail = if long { &hex[..] } else { &hex[hex.len() - 8..] };
    let room = 80usize.saturating_sub(tail.len() + 1);
    let base: String = wanted.chars().take(room).collect();
    format!("{base}~{tail}")
}

/// The SKU a flagged product wants (None when it is not flagged).
pub(crate) fn wanted_sku(conn: &Connection, id: Uuid) -> Result<Option<String>> {
    Ok(conn
        .prepare_cached("SELECT sku FROM sync_sku_clashes WHERE id = ?1")?
        .query_row([id.as_bytes()], |r| r.get(0))
        .optional()?)
}

/// The stamp of a product's SKU as this device knows it (its own unpushed edits included);
/// the oldest possible when nothing is known (a product from before the team).
pub(crate) fn sku_stamp(conn: &Connection, device: DeviceId, id: Uuid) -> Result<Stamp> {
    let push_rid = meta_i64(conn, PUSH_RID)?;
    let known = super::stamps::load(conn, id)?;
    let stamps = effective_stamps(conn, device, push_rid, id, EntityKind::Product, known.as_ref())?;
    Ok(stamps.get("sku").copied().unwrap_or(Stamp { hlc: Hlc::default(), device: DeviceId(Uuid::nil()) }))
}

/// The SKU product `id` shows when it wants `wanted` with stamp `stamp`: `wanted` unless a
/// product with an earlier stamp shows it; a product with a later stamp that shows it is moved
/// aside first.
pub(crate) fn shown_sku(
    conn: &Connection,
    device: DeviceId,
    id: Uuid,
    wanted: &str,
    stamp: Stamp,
) -> Result<String> {
    let holder: Option<(i64, Uuid)> = conn
        .prepare_cached("SELECT rid, id FROM products WHERE sku = ?1 AND id <> ?2")?
        .query_row(params![wanted, id.as_bytes()], |r| Ok((r.get(0)?, uuid_of(r, 1)?)))
        .optional()?;
    let Some((holder_rid, holder)) = holder else {
        forget(conn, id)?;
        return Ok(wanted.to_string());
    };
    if (stamp, id) < (sku_stamp(conn, device, holder)?, holder) {
        let aside = free_suffix(conn, wanted, holder)?;
        show(conn, holder_rid, &aside)?;
        flag(conn, holder, wanted)?;
        forget(conn, id)?;
        Ok(wanted.to_string())
    } else {
        flag(conn, id, wanted)?;
        free_suffix(conn, wanted, id)
    }
}

/// Gives `sku` to the product that should show it, among the one showing it and those flagged
/// as wanting it.
pub(crate) fn settle(conn: &Connection, device: DeviceId, sku: &str) -> Result<()> {
    let holder: Option<(i64, Uuid)> = conn
        .prepare_cached("SELECT rid, id FROM products WHERE sku = ?1")?
        .query_row([sku], |r| Ok((r.get(0)?, uuid_of(r, 1)?)))
        .optional()?;
    let claimants: Vec<(i64, Uuid)> = conn
        .prepare_cached(
            "SELECT p.rid, p.id FROM sync_sku_clashes s JOIN products p ON p.id = s.id WHERE s.sku = ?1",
        )?
        .query_map([sku], |r| Ok((r.get(0)?, uuid_of(r, 1)?)))?
        .collect::<rusqlite::Result<_>>()?;
    if claimants.is_empty() {
        return Ok(());
    }
    let mut best: Option<((Stamp, Uuid), i64)> = None;
    for (rid, id) in holder.iter().chain(claimants.iter()) {
        let key = (sku_stamp(conn, device, *id)?, *id);
        if best.as_ref().is_none_or(|(b, _)| key < *b) {
            best = Some((key, *rid));
        }
    }
    let Some(((_, winner), winner_rid)) = best else { return Ok(()) };
    if holder.is_some_and(|(_, id)| id == winner) {
        return Ok(());
    }
    if let Some((holder_rid, holder)) = holder {
        let aside = free_suffix(conn, sku, holder)?;
        show(conn, holder_rid, &aside)?;
        flag(conn, holder, sku)?;
    }
    show(conn, winner_rid, sku)?;
    forget(conn, winner)
}

/// Settles every SKU that a flagged product wants and that no product shows any more (its
/// holder was deleted or renamed); drops the flags of products that are gone.
pub(crate) fn settle_freed(conn: &Connection) -> Result<()> {
    // NOT EXISTS, not NOT IN: each flag looks its product up by id instead of listing every
    // product's id (a million, once per applied page).
    conn.prepare_cached(
        "DELETE FROM sync_sku_clashes WHERE NOT EXISTS (SELECT 1 FROM products p WHERE p.id = sync_sku_clashes.id)",
    )?
    .execute([])?;
    let freed: Vec<String> = conn
        .prepare_cached(
            "SELECT DISTINCT s.sku FROM sync_sku_clashes s
             WHERE NOT EXISTS (SELECT 1 FROM products p WHERE p.sku = s.sku)",
        )?
        .query_map([], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    if freed.is_empty() {
        return Ok(());
    }
    let device = device_of(conn)?;
    for sku in freed {
        settle(conn, device, &sku)?;
    }
    Ok(())
}

/// After this device's own change to a product's SKU or existence is pushed: a flag the person
/// resolved (by giving the product another SKU) is dropped, and the SKU the product shows now
/// goes to whoever should show it.
pub(crate) fn after_local_change(conn: &Connection, id: Uuid) -> Result<()> {
    let shown: Option<String> = conn
        .prepare_cached("SELECT sku FROM products WHERE id = ?1")?
        .query_row([id.as_bytes()], |r| r.get(0))
        .optional()?;
    let Some(shown) = shown else { return Ok(()) };
    if let Some(wanted) = wanted_sku(conn, id)?
        && shown != suffixed(&wanted, id, false)
        && shown != suffixed(&wanted, id, true)
    {
        forget(conn, id)?;
    }
    let device = device_of(conn)?;
    settle(conn, device, &shown)
}

/// The suffixed SKU for `id`, longer in the unlikely case that the short one is taken.
fn free_suffix(conn: &Connection, wanted: &str, id: Uuid) -> Result<String> {
    let short = suffixed(wanted, id, false);
    let taken: bool = conn
        .prepare_cached("SELECT EXISTS (SELECT 1 FROM products WHERE sku = ?1 AND id <> ?2)")?
        .query_row(params![short, id.as_bytes()], |r| r.get(0))?;
    Ok(if taken { suffixed(wanted, id, true) } else { short })
}

/// Shows `sku` on a product row (no history: the product's wanted SKU does not change).
pub(crate) fn show(conn: &Connection, rid: i64, sku: &str) -> Result<()> {
    let Some(mut product) = load_product(conn, rid)? else { return Ok(()) };
    if product.sku == sku {
        return Ok(());
    }
    product.sku = sku.to_string();
    conn.prepare_cached("UPDATE products SET sku = ?2, content_hash = ?3 WHERE rid = ?1")?
        .execute(params![rid, sku, product.content_hash() as i64])?;
    index::replace(conn, rid, &SearchText::of(&product, &mut Stems::new()))
}

pub(crate) fn flag(conn: &Connection, id: Uuid, wanted: &str) -> Result<()> {
    conn.prepare_cached(
        "INSERT INTO sync_sku_clashes (id, sku) VALUES (?1, ?2) ON CONFLICT (id) DO UPDATE SET sku = excluded.sku",
    )?
    .execute(params![id.as_bytes(), wanted])?;
    Ok(())
}

pub(crate) fn forget(conn: &Connection, id: Uuid) -> Result<()> {
    conn.prepare_cached("DELETE FROM sync_sku_clashes WHERE id = ?1")?.execute([id.as_bytes()])?;
    Ok(())
}

fn device_of(conn: &Connection) -> Result<DeviceId> {
    let id: String = conn.query_row("SELECT value FROM meta WHERE key = 'device_id'", [], |r| r.get(0))?;
    Ok(DeviceId(id.parse().unwrap_or_else(|_| Uuid::nil())))
}
