//! The push side: this device's own changes that the server does not have yet, as change sets
//! read from history (the outbox is history itself: records after `push_rid`), and folding
//! them into what the device knows once the server has them.

use std::collections::BTreeMap;

use rusqlite::{Connection, OptionalExtension, params};
use uuid::Uuid;
use vitrina_domain::sync::{ALIVE, category_values, product_values};
use vitrina_domain::{ChangeOp, ChangeSet, DeviceId, EntityKind, FieldChange, Hlc, HlcClock, ProductField};

use super::{PUSH_CATEGORY_RID, PUSH_RID, clash, meta_i64, rows, set_meta, stamps};
use crate::catalog::Catalog;
use crate::error::Result;
use crate::rows::{load_product, opt_uuid_of, uuid_of};

/// Change sets to push, and how far they reach.
#[derive(Debug, Clone, Default)]
pub struct Outbox {
    pub sets: Vec<ChangeSet>,
    /// The last history record these sets cover (`push_rid` once pushed).
    pub last_rid: i64,
    /// The last category these sets cover.
    pub last_category_rid: i64,
    /// The last record of the marketplace file's outbox these sets cover (deleted from it once
    /// pushed).
    pub last_market_rid: i64,
    /// History records read (some, of other entities, make no set).
    pub records: usize,
}

impl Outbox {
    pub fn is_empty(&self) -> bool {
        self.sets.is_empty() && self.records == 0
    }

    /// Field changes in the sets.
    pub fn changes(&self) -> usize {
        self.sets.iter().map(|s| s.fields.len()).sum()
    }
}

/// One history record read for pushing.
struct Record {
    rid: i64,
    id: Uuid,
    entity: String,
    entity_id: Uuid,
    op: String,
    field: String,
    old: Option<String>,
    new: Option<String>,
    who: String,
    hlc: Hlc,
    batch: Uuid,
    /// A kit or pack value recomputed here: never pushed.
    derived: bool,
}

impl Catalog {
    /// Up to `limit` of this device's history records not pushed yet (and the categories it
    /// created since the last push), as change sets, read from one snapshot.
    pub fn sync_outbox(&mut self, limit: usize) -> Result<Outbox> {
        self.sync_outbox_after(None, limit)
    }

    /// [`Catalog::sync_outbox`] after `previous` (an outbox read but not marked pushed yet, so
    /// the next batch can be read while it is on its way).
    pub fn sync_outbox_after(&mut self, previous: Option<&Outbox>, limit: usize) -> Result<Outbox> {
        self.with_side(|c| c.sync_outbox_here(previous, limit))
    }

    fn sync_outbox_here(&mut self, previous: Option<&Outbox>, limit: usize) -> Result<Outbox> {
        let device = self.device;
        let tx = self.conn.transaction_with_behavior(rusqlite::TransactionBehavior::Deferred)?;
        let (push_rid, category_rid) = match previous {
            Some(p) => (p.last_rid, p.last_category_rid),
            None => (meta_i64(&tx, PUSH_RID)?, meta_i64(&tx, PUSH_CATEGORY_RID)?),
        };
        let mut out = Outbox {
            last_rid: push_rid,
            last_category_rid: category_rid,
            last_market_rid: previous.map_or(0, |p| p.last_market_rid),
            ..Outbox::default()
        };
        categories(&tx, device, &mut out, limit)?;
        if super::side::attached(&tx)? {
            market(&tx, device, &mut out, limit)?;
        }
        let records: Vec<Record> = tx
            .prepare_cached(
                "SELECT rid, id, entity, entity_id, op, field, old, new, who, hlc, batch, derived FROM history
                 WHERE rid > ?1 AND device = ?2 ORDER BY rid LIMIT ?3",
            )?
            .query_map(params![push_rid, device.0.as_bytes(), limit as i64], |r| {
                Ok(Record {
                    rid: r.get(0)?,
                    id: uuid_of(r, 1)?,
                    entity: r.get(2)?,
                    entity_id: uuid_of(r, 3)?,
                    op: r.get(4)?,
                    field: r.get(5)?,
                    old: r.get(6)?,
                    new: r.get(7)?,
                    who: r.get(8)?,
                    hlc: Hlc::unpack(r.get::<_, i64>(9)? as u64),
                    batch: uuid_of(r, 10)?,
                    derived: r.get(11)?,
                })
            })?
            .collect::<rusqlite::Result<_>>()?;
        out.records = records.len();
        for record in records {
            out.last_rid = record.rid;
            if record.derived {
                continue;
            }
            if let Some(kind) = EntityKind::from_code(&record.entity).filter(|k| k.is_row()) {
                let fields =
                    rows::changes_of(&record.op, record.old.as_deref(), record.new.as_deref(), record.hlc)?;
                if !fields.is_empty() {
                    out.sets.push(ChangeSet {
                        id: record.id,
                        entity: kind,
                        entity_id: record.entity_id,
                        batch: record.batch,
                        device,
                        who: record.who,
                        fields,
                    });
                }
                continue;
            }
            if record.entity != "product" {
                continue;
            }
            let fields = changes_of(&tx, &record)?;
            if fields.is_empty() {
                continue;
            }
            match out.sets.last_mut() {
                Some(set)
                    if set.entity == EntityKind::Product
                        && set.batch == record.batch
                        && set.entity_id == record.entity_id =>
                {
                    set.fields.extend(fields)
                }
                _ => out.sets.push(ChangeSet {
                    id: record.id,
                    entity: EntityKind::Product,
                    entity_id: record.entity_id,
                    batch: record.batch,
                    device,
                    who: record.who,
                    fields,
                }),
            }
        }
        drop(tx);
        Ok(out)
    }

    /// Records that the server has `outbox` (it committed): what the device knows of each entity
    /// takes the pushed stamps, and `push_rid` moves past them, in one transaction. Safe to run
    /// twice for the same outbox.
    pub fn sync_mark_pushed(&mut self, outbox: &Outbox) -> Result<()> {
        self.with_side(|c| c.sync_mark_pushed_here(outbox))
    }

    fn sync_mark_pushed_here(&mut self, outbox: &Outbox) -> Result<()> {
        let (tx, _) = self.begin()?;
        let mut touched = Vec::new();
        for set in &outbox.sets {
            if set.entity.is_row() {
                rows::mark_pushed(&tx, set)?;
                continue;
            }
            let mut known =
                stamps::load(&tx, set.entity_id)?.unwrap_or_else(|| stamps::Known::new(set.entity));
            let has_row = match set.entity {
                EntityKind::Product => {
                    crate::rows::product_id_taken(&tx, vitrina_domain::ProductId(set.entity_id))?
                }
                _ => true,
            };
            for change in &set.fields {
                let stamp = set.stamp(change);
                let wins = known.stamps.get(&change.field).is_none_or(|s| *s < stamp);
                known.raise(&change.field, stamp);
                if wins && !has_row {
                    known
                        .held
                        .get_or_insert_with(BTreeMap::new)
                        .insert(change.field.clone(), change.value.clone());
                }
            }
            if has_row {
                known.held = None;
            }
            stamps::save(&tx, set.entity_id, &known)?;
            if set.entity == EntityKind::Product
                && set.fields.iter().any(|f| f.field == "sku" || f.field == ALIVE)
            {
                touched.push(set.entity_id);
            }
        }
        for id in touched {
            clash::after_local_change(&tx, id)?;
        }
        clash::settle_freed(&tx)?;
        set_meta(&tx, PUSH_RID, &outbox.last_rid.to_string())?;
        set_meta(&tx, PUSH_CATEGORY_RID, &outbox.last_category_rid.to_string())?;
        if outbox.last_market_rid > 0 && super::side::attached(&tx)? {
            tx.execute("DELETE FROM market.sync_outbox WHERE rid <= ?1", [outbox.last_market_rid])?;
            // The marketplace file's stamps are not in history: the clock goes on after them.
            let latest = outbox
                .sets
                .iter()
                .filter(|s| s.entity.is_market())
                .flat_map(|s| s.fields.iter().map(|f| s.stamp(f)));
            super::keep_clock_after(&tx, latest.max())?;
        }
        tx.commit()?;
        Ok(())
    }

    /// History records and categories this device has not pushed yet.
    pub fn sync_pending(&self) -> Result<u64> {
        let conn = self.db();
        let _side = super::side::Attached::new(conn, self.path())?;
        let market: i64 = match super::side::attached(conn)? {
            true => conn.query_row("SELECT count(*) FROM market.sync_outbox", [], |r| r.get(0))?,
            false => 0,
        };
        let records: i64 = conn.query_row(
            "SELECT count(*) FROM history WHERE rid > ?1 AND device = ?2 AND entity <> 'team' AND derived = 0",
            params![meta_i64(conn, PUSH_RID)?, self.device.0.as_bytes()],
            |r| r.get(0),
        )?;
        let categories: i64 = conn.query_row(
            "SELECT count(*) FROM categories c WHERE c.rid > ?1 AND NOT EXISTS (SELECT 1 FROM sync_entities e WHERE e.id = c.id)",
            [meta_i64(conn, PUSH_CATEGORY_RID)?],
            |r| r.get(0),
        )?;
        Ok((records + categories + market) as u64)
    }

    /// Gives this device's records not pushed yet whose stamp is later than `bound` (made while
    /// its clock ran ahead) fresh stamps from the corrected clock, in their order, so that the
    /// server takes them and they stop pinning the device's clock in the future. Records pushed
    /// already are never re-stamped. Returns how many were.
    pub fn sync_restamp_ahead(&mut self, bound: Hlc) -> Result<u64> {
        let device = self.device;
        let now = self.now_ms();
        let (tx, _) = self.begin()?;
        let push_rid = meta_i64(&tx, PUSH_RID)?;
        let ahead: Vec<i64> = tx
            .prepare_cached(
                "SELECT rid FROM history WHERE rid > ?1 AND device = ?2 AND hlc > ?3 ORDER BY rid",
            )?
            .query_map(params![push_rid, device.0.as_bytes(), bound.pack() as i64], |r| r.get(0))?
            .collect::<rusqlite::Result<_>>()?;
        if ahead.is_empty() {
            return Ok(0);
        }
        let last: Option<i64> =
            tx.query_row("SELECT max(hlc) FROM history WHERE hlc <= ?1", [bound.pack() as i64], |r| {
                r.get(0)
            })?;
        let mut clock = HlcClock::resume(last.map(|v| Hlc::unpack(v as u64)).unwrap_or_default());
        for rid in &ahead {
            let hlc = clock.tick(now.min(bound.wall_ms));
            tx.prepare_cached("UPDATE history SET hlc = ?2 WHERE rid = ?1")?
                .execute(params![rid, hlc.pack() as i64])?;
        }
        tx.commit()?;
        Ok(ahead.len() as u64)
    }
}

/// The categories created since the last push (a category never changes: its id is its parent
/// and name). Their stamp is HLC zero: every device that creates one gives it the same values.
fn categories(conn: &Connection, device: DeviceId, out: &mut Outbox, limit: usize) -> Result<()> {
    // A category this device received (from the server) is the server's already.
    let rows: Vec<(i64, Uuid, String, Option<Uuid>, bool)> = conn
        .prepare_cached(
            "SELECT c.rid, c.id, c.name, p.id, EXISTS (SELECT 1 FROM sync_entities e WHERE e.id = c.id)
             FROM categories c LEFT JOIN categories p ON p.rid = c.parent_rid
             WHERE c.rid > ?1 ORDER BY c.rid LIMIT ?2",
        )?
        .query_map(params![out.last_category_rid, limit as i64], |r| {
            Ok((r.get(0)?, uuid_of(r, 1)?, r.get(2)?, opt_uuid_of(r, 3)?, r.get(4)?))
        })?
        .collect::<rusqlite::Result<_>>()?;
    for (rid, id, name, parent, known) in rows {
        out.last_category_rid = rid;
        if known {
            continue;
        }
        let hlc = Hlc::default();
        let mut fields: Vec<FieldChange> = category_values(&name, parent.map(vitrina_domain::CategoryId))
            .into_iter()
            .map(|(field, value)| FieldChange { field: field.into(), value, hlc, old: None })
            .collect();
        fields.push(FieldChange { field: ALIVE.into(), value: Some("1".into()), hlc, old: None });
        out.sets.push(ChangeSet {
            id: vitrina_domain::sync::category_set_id(id, device),
            entity: EntityKind::Category,
            entity_id: id,
            batch: id,
            device,
            who: String::new(),
            fields,
        });
    }
    Ok(())
}

/// The field changes of one history record. A creation carries every field of the product as it
/// is now (history keeps only its name); a product deleted since carries only that it was
/// created, and its deletion follows.
fn changes_of(conn: &Connection, r: &Record) -> Result<Vec<FieldChange>> {
    let change = |field: &str, value: Option<String>, old: Option<String>| FieldChange {
        field: field.to_string(),
        value,
        hlc: r.hlc,
        old,
    };
    Ok(match ChangeOp::from_code(&r.op) {
        Some(ChangeOp::Create) => {
            let rid: Option<i64> = conn
                .prepare_cached("SELECT rid FROM products WHERE id = ?1")?
                .query_row([r.entity_id.as_bytes()], |row| row.get(0))
                .optional()?;
            let mut fields = vec![change(ALIVE, Some("1".into()), None)];
            match rid.map(|rid| load_product(conn, rid)).transpose()?.flatten() {
                Some(product) => {
                    let shown = clash::wanted_sku(conn, r.entity_id)?;
                    fields.extend(product_values(&product).map(|(field, value)| {
                        let value = if field == "sku" { shown.clone().or(value) } else { value };
                        change(field, value, None)
                    }))
                }
                None => fields.push(change("name", r.new.clone(), None)),
            }
            fields
        }
        Some(ChangeOp::Delete) => vec![change(ALIVE, Some("0".into()), Some("1".into()))],
        Some(ChangeOp::Update) if r.field.parse::<ProductField>().is_ok() => {
            vec![change(&r.field, r.new.clone(), r.old.clone())]
        }
        _ => Vec::new(),
    })
}

/// The marketplace file's changes not pushed yet (every record of its outbox is this device's).
fn market(conn: &Connection, device: DeviceId, out: &mut Outbox, limit: usize) -> Result<()> {
    type Row = (i64, Uuid, String, Uuid, String, Option<String>, Option<String>, String, i64);
    let rows: Vec<Row> = conn
        .prepare_cached(
            "SELECT rid, id, entity, entity_id, op, old, new, who, hlc FROM market.sync_outbox
             WHERE rid > ?1 ORDER BY rid LIMIT ?2",
        )?
        .query_map(params![out.last_market_rid, limit as i64], |r| {
            Ok((
                r.get(0)?,
                uuid_of(r, 1)?,
                r.get(2)?,
                uuid_of(r, 3)?,
                r.get(4)?,
                r.get(5)?,
                r.get(6)?,
                r.get(7)?,
                r.get(8)?,
            ))
        })?
        .collect::<rusqlite::Result<_>>()?;
    out.records += rows.len();
    for (rid, id, entity, entity_id, op, old, new, who, hlc) in rows {
        out.last_market_rid = rid;
        let Some(kind) = EntityKind::from_code(&entity).filter(|k| k.is_market()) else { continue };
        let fields = rows::changes_of(&op, old.as_deref(), new.as_deref(), Hlc::unpack(hlc as u64))?;
        if !fields.is_empty() {
            out.sets.push(ChangeSet { id, entity: kind, entity_id, batch: id, device, who, fields });
        }
    }
    Ok(())
}
