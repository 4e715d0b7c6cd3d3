//! The outbox: every write for a marketplace waits here until its answer is known. A row goes
//! `pending` → `sending` (in a request) → `awaiting` (accepted; the result comes later) →
//! `done` or `failed`. One pending row per item and op: a newer payload replaces the older
//! (coalescing), so a price edited five times before the next push is sent once.

use rusqlite::{OptionalExtension, Row, params};
use serde_json::Value;
use vitrina_domain::ProductId;

use super::{MarketStore, Result};
use crate::account::MarketAccountId;
use crate::error::{ErrorKind, MarketError};

/// What a row writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Op {
    Card,
    Price,
    Stock,
}

impl Op {
    pub fn code(self) -> &'static str {
        match self {
            Op::Card => "card",
            Op::Price => "price",
            Op::Stock => "stock",
        }
    }

    pub fn parse(code: &str) -> Option<Op> {
        Some(match code {
            "card" => Op::Card,
            "price" => Op::Price,
            "stock" => Op::Stock,
            _ => return None,
        })
    }
}

/// Where an outbox row stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum OutState {
    Pending,
    Sending,
    Awaiting,
    Done,
    Failed,
}

impl OutState {
    pub fn code(self) -> &'static str {
        match self {
            OutState::Pending => "pending",
            OutState::Sending => "sending",
            OutState::Awaiting => "awaiting",
            OutState::Done => "done",
            OutState::Failed => "failed",
        }
    }

    pub fn parse(code: &str) -> Option<OutState> {
        Some(match code {
            "pending" => OutState::Pending,
            "sending" => OutState::Sending,
            "awaiting" => OutState::Awaiting,
            "done" => OutState::Done,
            "failed" => OutState::Failed,
            _ => return None,
        })
    }
}

/// A write to queue.
#[derive(Debug, Clone, PartialEq)]
pub struct NewOut {
    pub product_id: ProductId,
    pub offer_id: String,
    pub op: Op,
    pub warehouse: String,
    pub payload: Value,
    pub hash: u64,
    pub not_before: i64,
}

/// A queued write.
#[derive(Debug, Clone, PartialEq)]
pub struct OutRow {
    pub seq: i64,
    pub product_id: ProductId,
    pub offer_id: String,
    pub op: Op,
    pub warehouse: String,
    pub payload: Value,
    pub hash: u64,
    pub state: OutState,
    pub task: Option<String>,
    pub poll_after: Option<i64>,
    pub not_before: i64,
    pub attempts: u32,
    pub error: Option<String>,
    pub created_at: i64,
    pub sent_at: Option<i64>,
}

/// How many rows of one op stand in one state.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OutCount {
    pub op: Op,
    pub state: OutState,
    pub count: u64,
}

const COLUMNS: &str = "seq, product_id, offer_id, op, warehouse, payload, hash, state, task, poll_after, \
                       not_before, attempts, error, created_at, sent_at";

impl MarketStore {
    /// Queues `items` (replacing the pending payload of the same item, op and warehouse).
    pub fn enqueue(&mut self, account: MarketAccountId, items: &[NewOut], now_ms: i64) -> Result<()> {
        let id = account.as_bytes().as_slice();
        let tx = self.conn.savepoint()?;
        {
            let mut put = tx.prepare_cached(
                "INSERT INTO outbox (account_id, product_id, offer_id, op, warehouse, payload, hash, not_before, created_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)
                 ON CONFLICT (account_id, product_id, op, warehouse) WHERE state = 'pending'
                 DO UPDATE SET offer_id = excluded.offer_id, payload = excluded.payload, hash = excluded.hash,
                               not_before = max(outbox.not_before, excluded.not_before)",
            )?;
            for it in items {
                put.execute(params![
                    id,
                    it.product_id.as_bytes().as_slice(),
                    it.offer_id,
                    it.op.code(),
                    it.warehouse,
                    it.payload.to_string(),
                    it.hash as i64,
                    it.not_before,
                    now_ms
                ])?;
            }
        }
        tx.commit()?;
        Ok(())
    }

    /// Pending rows of `op` (on `warehouse`, when given) that may go at `now_ms`, in send order.
    pub fn due(
        &self,
        account: MarketAccountId,
        op: Op,
        warehouse: Option<&str>,
        now_ms: i64,
        limit: usize,
    ) -> Result<Vec<OutRow>> {
        let mut stmt = self.conn.prepare_cached(&format!(
            "SELECT {COLUMNS} FROM outbox WHERE account_id = ?1 AND op = ?2 AND state = 'pending'
               AND not_before <= ?3 AND (?4 IS NULL OR warehouse = ?4)
             ORDER BY seq LIMIT ?5"
        ))?;
        let rows = stmt.query_map(
            params![account.as_bytes().as_slice(), op.code(), now_ms, warehouse, limit as i64],
            read,
        )?;
        rows.map(|r| r.map_err(MarketError::from).and_then(|r| r)).collect()
    }

    /// The warehouses with pending stock rows due at `now_ms`.
    pub fn due_warehouses(&self, account: MarketAccountId, now_ms: i64) -> Result<Vec<String>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT DISTINCT warehouse FROM outbox WHERE account_id = ?1 AND op = 'stock' AND state = 'pending'
               AND not_before <= ?2 ORDER BY warehouse",
        )?;
        let rows = stmt.query_map(params![account.as_bytes().as_slice(), now_ms], |r| r.get(0))?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// Awaiting rows whose follow-up is due by `now_ms`; the earliest in their wait first (a
    /// first ask before a later one: when asks queue up behind a shared budget, each item's
    /// clock to its next ask starts as soon as it can).
    pub fn awaiting_due(
        &self,
        account: MarketAccountId,
        op: Op,
        now_ms: i64,
        limit: usize,
    ) -> Result<Vec<OutRow>> {
        let mut stmt = self.conn.prepare_cached(&format!(
            "SELECT {COLUMNS} FROM outbox WHERE account_id = ?1 AND state = 'awaiting' AND op = ?2
               AND poll_after <= ?3
             ORDER BY poll_after - COALESCE(sent_at, created_at), poll_after, seq LIMIT ?4"
        ))?;
        let rows =
            stmt.query_map(params![account.as_bytes().as_slice(), op.code(), now_ms, limit as i64], read)?;
        rows.map(|r| r.map_err(MarketError::from).and_then(|r| r)).collect()
    }

    /// When the next thing of the account becomes due (a pending row's `not_before` or an
    /// awaiting row's `poll_after`), if anything is left.
    pub fn next_due(&self, account: MarketAccountId) -> Result<Option<i64>> {
        Ok(self
            .conn
            .prepare_cached(
                "SELECT min(t) FROM (
                    SELECT min(not_before) AS t FROM outbox WHERE account_id = ?1 AND state = 'pending'
                    UNION ALL
                    SELECT min(poll_after) FROM outbox WHERE account_id = ?1 AND state = 'awaiting')",
            )?
            .query_row([account.as_bytes().as_slice()], |r| r.get(0))
            .optional()?
            .flatten())
    }

    /// Marks rows as being in a request.
    pub fn mark_sending(&mut self, seqs: &[i64], now_ms: i64) -> Result<()> {
        let tx = self.conn.savepoint()?;
        {
            let mut stmt = tx.prepare_cached(
                "UPDATE outbox SET state = 'sending', sent_at = ?2, attempts = attempts + 1 WHERE seq = ?1",
            )?;
            for seq in seqs {
                stmt.execute(params![seq, now_ms])?;
            }
        }
        tx.commit()?;
        Ok(())
    }

    /// Accepted; the result is to be asked for at `poll_after` with `task`.
    /// When the marketplace took the row's request: the answer's time, as a send can wait for
    /// its bucket inside the client for a while after [`Self::mark_sending`].
    pub fn mark_taken(&mut self, seq: i64, at_ms: i64) -> Result<()> {
        self.conn.execute("UPDATE outbox SET sent_at = ?2 WHERE seq = ?1", params![seq, at_ms])?;
        Ok(())
    }

    pub fn mark_awaiting(&mut self, seq: i64, task: Option<&str>, poll_after: i64) -> Result<()> {
        self.conn.execute(
            "UPDATE outbox SET state = 'awaiting', task = ?2, poll_after = ?3 WHERE seq = ?1",
            params![seq, task, poll_after],
        )?;
        Ok(())
    }

    /// Finished: done, or failed with the reason.
    pub fn finish(&mut self, seq: i64, failed: Option<&str>, now_ms: i64) -> Result<()> {
        let state = if failed.is_some() { "failed" } else { "done" };
        self.conn.execute(
            "UPDATE outbox SET state = ?2, error = ?3, done_at = ?4, poll_after = NULL WHERE seq = ?1",
            params![seq, state, failed, now_ms],
        )?;
        Ok(())
    }

    /// Back to pending, not before `not_before`. When a newer payload for the same item is
    /// pending already, this row is superseded and closed instead.
    pub fn requeue(&mut self, seq: i64, not_before: i64, reason: Option<&str>, now_ms: i64) -> Result<()> {
        let tx = self.conn.savepoint()?;
        let newer: bool = tx
            .prepare_cached(
                "SELECT EXISTS (SELECT 1 FROM outbox o JOIN outbox me ON me.seq = ?1
                   WHERE o.state = 'pending' AND o.account_id = me.account_id AND o.product_id = me.product_id
                     AND o.op = me.op AND o.warehouse = me.warehouse AND o.seq <> me.seq)",
            )?
            .query_row([seq], |r| r.get(0))?;
        if newer {
            tx.execute(
                "UPDATE outbox SET state = 'done', error = 'superseded by a newer change', done_at = ?2 WHERE seq = ?1",
                params![seq, now_ms],
            )?;
        } else {
            tx.execute(
                "UPDATE outbox SET state = 'pending', not_before = ?2, error = ?3, task = NULL, poll_after = NULL
                 WHERE seq = ?1",
                params![seq, not_before, reason],
            )?;
        }
        tx.commit()?;
        Ok(())
    }

    /// After a crash: rows left `sending` go back to pending (every write is keyed by the
    /// offer id, so sending one again is safe). Returns how many.
    pub fn recover_sending(&mut self, account: MarketAccountId, now_ms: i64) -> Result<u64> {
        let seqs: Vec<i64> = self
            .conn
            .prepare_cached("SELECT seq FROM outbox WHERE account_id = ?1 AND state = 'sending'")?
            .query_map([account.as_bytes().as_slice()], |r| r.get(0))?
            .collect::<rusqlite::Result<_>>()?;
        for seq in &seqs {
            self.requeue(*seq, 0, Some("sent again after an interruption"), now_ms)?;
        }
        Ok(seqs.len() as u64)
    }

    /// Rows per op and state.
    pub fn outbox_counts(&self, account: MarketAccountId) -> Result<Vec<OutCount>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT op, state, count(*) FROM outbox WHERE account_id = ?1 GROUP BY op, state ORDER BY op, state",
        )?;
        let rows = stmt.query_map([account.as_bytes().as_slice()], |r| {
            Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?, r.get::<_, i64>(2)?))
        })?;
        let mut out = Vec::new();
        for row in rows {
            let (op, state, n) = row?;
            if let (Some(op), Some(state)) = (Op::parse(&op), OutState::parse(&state)) {
                out.push(OutCount { op, state, count: n as u64 });
            }
        }
        Ok(out)
    }

    /// The newest rows, for the outbox screen.
    pub fn outbox_rows(&self, account: MarketAccountId, limit: usize) -> Result<Vec<OutRow>> {
        let mut stmt = self.conn.prepare_cached(&format!(
            "SELECT {COLUMNS} FROM outbox WHERE account_id = ?1 ORDER BY seq DESC LIMIT ?2"
        ))?;
        let rows = stmt.query_map(params![account.as_bytes().as_slice(), limit as i64], read)?;
        rows.map(|r| r.map_err(MarketError::from).and_then(|r| r)).collect()
    }

    /// Deletes finished rows older than `before` (UTC ms); the links keep what matters.
    pub fn prune_outbox(&mut self, account: MarketAccountId, before: i64) -> Result<u64> {
        Ok(self.conn.execute(
            "DELETE FROM outbox WHERE account_id = ?1 AND state IN ('done', 'failed') AND done_at < ?2",
            params![account.as_bytes().as_slice(), before],
        )? as u64)
    }
}

fn read(r: &Row<'_>) -> rusqlite::Result<Result<OutRow>> {
    let seq: i64 = r.get(0)?;
    let product: [u8; 16] = r.get(1)?;
    let (op, payload, state): (String, String, String) = (r.get(3)?, r.get(5)?, r.get(7)?);
    let row =
        (r.get(2)?, r.get(4)?, r.get::<_, i64>(6)?, r.get(8)?, r.get(9)?, r.get(10)?, r.get::<_, i64>(11)?);
    let (offer_id, warehouse, hash, task, poll_after, not_before, attempts) = row;
    let (error, created_at, sent_at) = (r.get(12)?, r.get(13)?, r.get(14)?);
    let build = || -> Result<OutRow> {
        let damaged =
            |what: String| MarketError::new(ErrorKind::Storage, format!("outbox row {seq}: {what}"));
        Ok(OutRow {
            seq,
            product_id: ProductId::from_bytes(product),
            offer_id,
            op: Op::parse(&op).ok_or_else(|| damaged(format!("unknown op {op:?}")))?,
            warehouse,
            payload: serde_json::from_str(&payload).map_err(|e| damaged(e.to_string()))?,
            hash: hash as u64,
            state: OutState::parse(&state).ok_or_else(|| damaged(format!("unknown state {state:?}")))?,
            task,
            poll_after,
            not_before,
            attempts: attempts as u32,
            error,
            created_at,
            sent_at,
        })
    };
    Ok(build())
}
