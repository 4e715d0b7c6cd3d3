//! The last price and stock pushed per item, and the send times a per-item frequency guard
//! counts (Ozon: a price at most 10 times an hour; a stock pair once per 30 s).

use rusqlite::{OptionalExtension, params};
use vitrina_domain::ProductId;

use super::{MarketStore, Result, json, parse_json};
use crate::account::MarketAccountId;
use crate::store::Op;

/// One pushed item: a product's price, or its stock on one warehouse.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PushKey<'a> {
    pub product: ProductId,
    pub op: Op,
    pub warehouse: &'a str,
}

impl MarketStore {
    /// The hash of the value last applied for the item, if any.
    pub fn pushed_hash(
        &self,
        account: MarketAccountId,
        product: ProductId,
        op: Op,
        warehouse: &str,
    ) -> Result<Option<u64>> {
        Ok(self
            .conn
            .prepare_cached(
                "SELECT hash FROM pushed WHERE account_id = ?1 AND product_id = ?2 AND op = ?3 AND warehouse = ?4",
            )?
            .query_row(params![account.as_bytes().as_slice(), product.as_bytes().as_slice(), op.code(), warehouse], |r| {
                r.get::<_, i64>(0)
            })
            .optional()?
            .map(|h| h as u64))
    }

    /// Send times of the item within the last `window_ms` before `now_ms`, oldest first.
    pub fn recent_sends(
        &self,
        account: MarketAccountId,
        key: PushKey<'_>,
        now_ms: i64,
        window_ms: i64,
    ) -> Result<Vec<i64>> {
        let PushKey { product, op, warehouse } = key;
        let recent: Option<String> = self
            .conn
            .prepare_cached(
                "SELECT recent FROM pushed WHERE account_id = ?1 AND product_id = ?2 AND op = ?3 AND warehouse = ?4",
            )?
            .query_row(params![account.as_bytes().as_slice(), product.as_bytes().as_slice(), op.code(), warehouse], |r| {
                r.get(0)
            })
            .optional()?;
        let mut times: Vec<i64> = recent.map(|r| parse_json(&r)).transpose()?.unwrap_or_default();
        times.retain(|t| now_ms - t < window_ms);
        Ok(times)
    }

    /// Records a send of the item at `now_ms` (kept for `window_ms`), and, when it was
    /// applied, the hash of its value.
    pub fn record_push(
        &mut self,
        account: MarketAccountId,
        key: PushKey<'_>,
        applied_hash: Option<u64>,
        now_ms: i64,
        window_ms: i64,
    ) -> Result<()> {
        let mut times = self.recent_sends(account, key, now_ms, window_ms)?;
        let PushKey { product, op, warehouse } = key;
        times.push(now_ms);
        self.conn.execute(
            "INSERT INTO pushed (account_id, product_id, op, warehouse, hash, recent, sent_at)
             VALUES (?1, ?2, ?3, ?4, coalesce(?5, 0), ?6, ?7)
             ON CONFLICT (account_id, product_id, op, warehouse) DO UPDATE SET
                 hash = coalesce(?5, pushed.hash), recent = excluded.recent, sent_at = excluded.sent_at",
            params![
                account.as_bytes().as_slice(),
                product.as_bytes().as_slice(),
                op.code(),
                warehouse,
                applied_hash.map(|h| h as i64),
                json(&times)?,
                now_ms
            ],
        )?;
        Ok(())
    }
}
