//! The batches of catalog work a background job has committed. Each batch commits its record
//! in the same transaction as the work, so a re-run after a crash or a retry skips finished
//! batches. The job queue itself lives in its own file, owned by `vitrina-jobs`; rows here are
//! keyed by the job's id with no foreign key into that file.

use rusqlite::{Connection, OptionalExtension, params};
use serde::{Deserialize, Serialize};
use vitrina_domain::{JobId, Money, ProductField};

use crate::catalog::Catalog;
use crate::error::Result;
use crate::{links, products};

/// Where a job's catalog work stands: the last committed batch.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct BatchCheckpoint {
    /// Batches committed so far.
    pub batches: u32,
    /// Where the next batch starts (internal row position).
    pub cursor: i64,
    /// Items visited and changed so far, over all batches.
    pub items: u64,
    pub changed: u64,
}

/// Which products a reprice touches.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RepriceScope {
    /// Only this brand (exact match); every product when `None`.
    pub brand: Option<String>,
}

fn checkpoint(conn: &Connection, job: JobId) -> Result<BatchCheckpoint> {
    Ok(conn
        .prepare_cached(
            "SELECT batch, cursor, items, changed FROM job_batches WHERE job_id = ?1
             ORDER BY batch DESC LIMIT 1",
        )?
        .query_row([job.0.as_bytes()], |r| {
            Ok(BatchCheckpoint {
                batches: r.get(0)?,
                cursor: r.get(1)?,
                items: r.get::<_, i64>(2)? as u64,
                changed: r.get::<_, i64>(3)? as u64,
            })
        })
        .optional()?
        .unwrap_or_default())
}

impl Catalog {
    /// What `job` has committed of its catalog work so far (nothing: the default).
    pub fn job_checkpoint(&self, job: JobId) -> Result<BatchCheckpoint> {
        checkpoint(self.db(), job)
    }

    /// How many products a reprice in `scope` visits after `cursor`.
    pub fn reprice_remaining(&self, scope: &RepriceScope, cursor: i64) -> Result<u64> {
        Ok(self.db().query_row(
            "SELECT count(*) FROM products WHERE rid > ?1 AND (?2 IS NULL OR brand = ?2)",
            params![cursor, scope.brand],
            |r| r.get::<_, i64>(0),
        )? as u64)
    }

    /// One batch of a reprice job: the next `limit` products in `scope` after the job's last
    /// checkpoint get their price changed by `percent_bp` basis points (rounded half up to the
    /// minor unit), with history, and the checkpoint moves on — all in one transaction, so a
    /// batch is applied entirely or not at all, and never twice. Pack prices follow their base
    /// product and are skipped. Returns the new checkpoint, or `None` when nothing is left.
    pub fn reprice_batch(
        &mut self,
        job: JobId,
        scope: &RepriceScope,
        percent_bp: i32,
        limit: u32,
    ) -> Result<Option<BatchCheckpoint>> {
        let (tx, mut stamp) = self.begin()?;
        let at = checkpoint(&tx, job)?;
        let rids: Vec<i64> = tx
            .prepare_cached(
                "SELECT rid FROM products WHERE rid > ?1 AND (?2 IS NULL OR brand = ?2) ORDER BY rid LIMIT ?3",
            )?
            .query_map(params![at.cursor, scope.brand, limit.max(1)], |r| r.get(0))?
            .collect::<rusqlite::Result<_>>()?;
        let Some(&last) = rids.last() else { return Ok(None) };
        let mut changed = 0;
        for &rid in &rids {
            if links::derived_fields(&tx, rid)?.iter().any(|(f, _)| *f == ProductField::Price) {
                continue;
            }
            let before = products::load(&tx, rid)?;
            let scaled = (i128::from(before.price.minor) * i128::from(10_000 + percent_bp) + 5_000)
                .div_euclid(10_000)
                .clamp(0, i128::from(i64::MAX)) as i64;
            if scaled == before.price.minor {
                continue;
            }
            let mut after = before.clone();
            after.price = Money::new(scaled, before.price.currency);
            if !products::apply_update(&tx, &mut stamp, rid, &before, &after, None)?.is_empty() {
                changed += 1;
            }
        }
        let next = BatchCheckpoint {
            batches: at.batches + 1,
            cursor: last,
            items: at.items + rids.len() as u64,
            changed: at.changed + changed,
        };
        tx.prepare_cached(
            "INSERT INTO job_batches (job_id, batch, cursor, items, changed, done_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        )?
        .execute(params![
            job.0.as_bytes(),
            next.batches,
            next.cursor,
            next.items as i64,
            next.changed as i64,
            stamp.now as i64
        ])?;
        tx.commit()?;
        Ok(Some(next))
    }
}
