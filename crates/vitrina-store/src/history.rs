//! History: every product change as field-level records, and undo of a product's last change.

use rusqlite::{Connection, OptionalExtension, params};
use serde::Serialize;
use uuid::Uuid;
use vitrina_domain::{ChangeId, ChangeOp, ChangeRecord, DeviceId, Hlc, Product, ProductField, ProductId};

use crate::catalog::{Catalog, Stamp};
use crate::error::{Result, StoreError};
use crate::products::{ProductKey, apply_update, resolve};
use crate::rows::uuid_of;

pub(crate) const PRODUCT: &str = "product";

pub(crate) fn record(
    conn: &Connection,
    stamp: &mut Stamp<'_>,
    entity_id: Uuid,
    op: ChangeOp,
    (field, old, new): (&str, Option<&str>, Option<&str>),
    undo_of: Option<Uuid>,
) -> Result<()> {
    let hlc = stamp.tick();
    conn.prepare_cached(
        "INSERT INTO history (id, entity, entity_id, op, field, old, new, who, hlc, device, batch, undo_of, derived)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)",
    )?
    .execute(params![
        ChangeId::new().as_bytes(),
        PRODUCT,
        entity_id.as_bytes(),
        op.code(),
        field,
        old,
        new,
        stamp.who,
        hlc.pack() as i64,
        stamp.device.0.as_bytes(),
        stamp.batch.as_bytes(),
        undo_of.map(|u| *u.as_bytes()),
        stamp.derived,
    ])?;
    Ok(())
}

/// Writes one update record per field whose canonical text differs; returns those fields.
pub(crate) fn record_diff(
    conn: &Connection,
    stamp: &mut Stamp<'_>,
    old: &Product,
    new: &Product,
    undo_of: Option<Uuid>,
) -> Result<Vec<ProductField>> {
    let mut changed = Vec::new();
    for field in ProductField::ALL {
        let (a, b) = (old.field_value(field), new.field_value(field));
        if a != b {
            record(
                conn,
                stamp,
                new.id.0,
                ChangeOp::Update,
                (field.code(), a.as_deref(), b.as_deref()),
                undo_of,
            )?;
            changed.push(field);
        }
    }
    Ok(changed)
}

/// What an undo reverted.
#[derive(Debug, Clone, Serialize)]
pub struct UndoReport {
    pub product: ProductId,
    pub reverted_batch: Uuid,
    pub fields: Vec<ProductField>,
}

impl Catalog {
    /// The product's history, newest first.
    pub fn history(&self, key: &ProductKey) -> Result<Vec<ChangeRecord>> {
        let (_, id) = self.resolve(key)?;
        let mut stmt = self.db().prepare_cached(
            "SELECT id, entity, entity_id, op, field, old, new, who, hlc, device, batch, derived
             FROM history WHERE entity_id = ?1 ORDER BY rid DESC",
        )?;
        let rows = stmt.query_map([id.as_bytes()], |r| {
            Ok(ChangeRecord {
                id: ChangeId(uuid_of(r, 0)?),
                entity: r.get(1)?,
                entity_id: uuid_of(r, 2)?,
                op: ChangeOp::from_code(&r.get::<_, String>(3)?).unwrap_or(ChangeOp::Update),
                field: r.get(4)?,
                old: r.get(5)?,
                new: r.get(6)?,
                who: r.get(7)?,
                hlc: Hlc::unpack(r.get::<_, i64>(8)? as u64),
                device: DeviceId(uuid_of(r, 9)?),
                batch: uuid_of(r, 10)?,
                derived: r.get(11)?,
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// Reverts the product's most recent change that has not been undone yet (one edit = one
    /// batch of field records). Undoing again walks further back. The revert is itself recorded.
    pub fn undo_last(&mut self, key: &ProductKey) -> Result<UndoReport> {
        let (tx, mut stamp) = self.begin()?;
        let (rid, id) = resolve(&tx, key)?;
        let batch: Option<(Uuid, String)> = tx
            .query_row(
                "SELECT h.batch, h.op FROM history h
                 WHERE h.entity_id = ?1 AND h.undo_of IS NULL
                   AND NOT EXISTS (SELECT 1 FROM history u WHERE u.undo_of = h.batch)
                 ORDER BY h.rid DESC LIMIT 1",
                [id.as_bytes()],
                |r| Ok((uuid_of(r, 0)?, r.get(1)?)),
            )
            .optional()?;
        let Some((batch, op)) = batch.filter(|(_, op)| op != ChangeOp::Create.code()) else {
            return Err(StoreError::NothingToUndo(key.to_string()));
        };
        let _ = op;
        let mut stmt = tx.prepare_cached(
            "SELECT field, old FROM history WHERE batch = ?1 AND entity_id = ?2 ORDER BY rid DESC",
        )?;
        let reverts: Vec<(String, Option<String>)> = stmt
            .query_map(params![batch.as_bytes(), id.as_bytes()], |r| Ok((r.get(0)?, r.get(1)?)))?
            .collect::<rusqlite::Result<_>>()?;
        drop(stmt);
        let before = crate::rows::load_product(&tx, rid)?
            .ok_or_else(|| StoreError::ProductNotFound(key.to_string()))?;
        let mut after = before.clone();
        let mut fields = Vec::new();
        for (field, old) in reverts {
            let Ok(field) = field.parse::<ProductField>() else { continue };
            // History keeps each value's canonical text; it is read back into the field's type here.
            after.set(field.parse_value(old.as_deref().unwrap_or(""), after.price.currency)?)?;
            fields.push(field);
        }
        apply_update(&tx, &mut stamp, rid, &before, &after, Some(batch))?;
        tx.commit()?;
        Ok(UndoReport { product: ProductId(id), reverted_batch: batch, fields })
    }
}
