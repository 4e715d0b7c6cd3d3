//! The settings rows a device made before they synced (a catalog in a team before migration
//! 0010, a marketplace file before its 0005): recorded once as created, so they reach the team.

use rusqlite::{Connection, params};
use uuid::Uuid;
use vitrina_domain::EntityKind;

use super::{damaged, every_row, stamps};
use crate::error::Result;

/// Set by migration 0010 in a catalog that was in a team already: its settings rows, made
/// before the triggers, have no record to push.
const ROWS_TO_RECORD: &str = "rows_to_record";

impl crate::catalog::Catalog {
    /// Records every settings row of a catalog that was in a team before its rows synced, as
    /// created now, so its next push brings them to the team (once; nothing to do otherwise).
    /// Returns the rows recorded.
    pub fn sync_record_rows(&mut self) -> Result<u64> {
        self.with_side(|c| c.record_rows())
    }

    fn record_rows(&mut self) -> Result<u64> {
        let market = crate::sync_apply::side::attached(self.db())?
            && self.db().query_row(
                "SELECT EXISTS (SELECT 1 FROM market.sync_side WHERE key = ?1)",
                [ROWS_TO_RECORD],
                |r| r.get::<_, bool>(0),
            )?;
        let catalog = crate::sync_apply::meta(self.db(), ROWS_TO_RECORD)?.is_some();
        if !catalog && !market {
            return Ok(0);
        }
        let in_team = crate::sync_apply::meta(self.db(), crate::sync_apply::PULL_CURSOR)?.is_some();
        let (tx, mut local) = self.begin()?;
        let mut rows = Vec::new();
        // Rows the team sent are known already, rows changed since have a record: the others
        // are this device's own, unrecorded.
        every_row(&tx, |kind, id, values| {
            let wanted = if kind.is_market() { market && in_team } else { catalog };
            if wanted && stamps::load(&tx, id)?.is_none() && !has_record(&tx, kind, id)? {
                rows.push((kind, id, values));
            }
            Ok(())
        })?;
        for (kind, id, values) in &rows {
            let json = serde_json::to_string(values).map_err(|e| damaged(&e.to_string()))?;
            let record = vitrina_domain::ChangeId::new();
            let hlc = local.tick().pack() as i64;
            if kind.is_market() {
                tx.prepare_cached(
                    "INSERT INTO market.sync_outbox (id, entity, entity_id, op, new, who, hlc)
                     VALUES (?1, ?2, ?3, 'create', ?4, ?5, ?6)",
                )?
                .execute(params![
                    record.as_bytes(),
                    kind.code(),
                    id.as_bytes(),
                    json,
                    local.who,
                    hlc
                ])?;
                continue;
            }
            tx.prepare_cached(
                "INSERT INTO history (id, entity, entity_id, op, field, new, who, hlc, device, batch)
                 VALUES (?1, ?2, ?3, 'create', '*', ?4, ?5, ?6, ?7, ?1)",
            )?
            .execute(params![
                record.as_bytes(),
                kind.code(),
                id.as_bytes(),
                json,
                local.who,
                hlc,
                local.device.0.as_bytes(),
            ])?;
        }
        tx.execute("DELETE FROM sync_meta WHERE key = ?1", [ROWS_TO_RECORD])?;
        if market {
            tx.execute("DELETE FROM market.sync_side WHERE key = ?1", [ROWS_TO_RECORD])?;
        }
        tx.commit()?;
        Ok(rows.len() as u64)
    }
}

/// Whether a change of the row `id` is recorded (pushed or not).
fn has_record(conn: &Connection, kind: EntityKind, id: Uuid) -> Result<bool> {
    Ok(conn
        .prepare_cached(if kind.is_market() {
            "SELECT EXISTS (SELECT 1 FROM market.sync_outbox WHERE entity_id = ?1)"
        } else {
            "SELECT EXISTS (SELECT 1 FROM history INDEXED BY history_by_entity WHERE entity_id = ?1)"
        })?
        .query_row([id.as_bytes()], |r| r.get(0))?)
}
