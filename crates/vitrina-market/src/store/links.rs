//! Links: what each account knows of each product's card — the marketplace's ids, where the
//! card stands, Vitrina's own problems with it and the marketplace's words about it.

use rusqlite::{OptionalExtension, Row, params};
use vitrina_domain::ProductId;

use super::{MarketStore, Result, json, parse_json};
use crate::account::MarketAccountId;
use crate::api::{ExtIds, Link, LinkStatus, MarketProblem};
use crate::error::{ErrorKind, MarketError};
use crate::precheck::Problem;

/// A link as stored, with what the engine keeps beside it.
#[derive(Debug, Clone, PartialEq)]
pub struct LinkRecord {
    pub product_id: ProductId,
    pub link: Link,
    /// Vitrina's own check (documented limits, dictionaries, mapping).
    pub problems: Vec<Problem>,
    /// Hash of the card payload last sent, and last accepted.
    pub sent_hash: Option<u64>,
    pub live_hash: Option<u64>,
    pub updated_at: i64,
    /// The product whose card this product is part of (a size of a Wildberries card); `None`
    /// for a product with its own card.
    pub card_of: Option<ProductId>,
}

/// Which links a listing keeps.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LinkFilter {
    /// Empty = every status.
    pub statuses: Vec<LinkStatus>,
    /// Only links with a problem of this code or a marketplace error with this code.
    pub reason: Option<String>,
    pub limit: u32,
    pub offset: u32,
}

const COLUMNS: &str = "product_id, offer_id, ext_id, ext_group, ext_sku, sizes, status, problems, errors, \
                       ext_status, sent_hash, live_hash, updated_at, card_of";

impl MarketStore {
    pub fn link(&self, account: MarketAccountId, product: ProductId) -> Result<Option<LinkRecord>> {
        let mut stmt = self.conn.prepare_cached(&format!(
            "SELECT {COLUMNS} FROM links WHERE account_id = ?1 AND product_id = ?2"
        ))?;
        stmt.query_row(params![account.as_bytes().as_slice(), product.as_bytes().as_slice()], read)
            .optional()?
            .transpose()
    }

    /// The link whose offer id (SKU as sent) is `offer_id`.
    pub fn link_by_offer(&self, account: MarketAccountId, offer_id: &str) -> Result<Option<LinkRecord>> {
        let mut stmt = self.conn.prepare_cached(&format!(
            "SELECT {COLUMNS} FROM links WHERE account_id = ?1 AND offer_id = ?2"
        ))?;
        stmt.query_row(params![account.as_bytes().as_slice(), offer_id], read).optional()?.transpose()
    }

    /// Writes `record` whole (insert or replace). Another product holding the same offer id
    /// loses it: SKUs move between products when a seller renames them.
    pub fn put_link(&mut self, account: MarketAccountId, record: &LinkRecord) -> Result<()> {
        let id = account.as_bytes().as_slice();
        let l = &record.link;
        let sizes = l.ext.sizes.as_ref().map(|s| s.to_string());
        // Both statements stay prepared: preparing a write to `links` compiles its team-sync
        // triggers (market migration 0005) each time, which cost a 10 000-product publish
        // seconds of planning.
        let tx = self.conn.savepoint()?;
        tx.prepare_cached("DELETE FROM links WHERE account_id = ?1 AND offer_id = ?2 AND product_id <> ?3")?
            .execute(params![id, l.offer_id, record.product_id.as_bytes().as_slice()])?;
        tx.prepare_cached(&format!(
            "INSERT OR REPLACE INTO links (account_id, {COLUMNS})
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15)"
        ))?
        .execute(params![
            id,
            record.product_id.as_bytes().as_slice(),
            l.offer_id,
            l.ext.ext_id,
            l.ext.ext_group,
            l.ext.ext_sku,
            sizes,
            l.status.code(),
            json(&record.problems)?,
            json(&l.errors)?,
            l.ext.ext_status.as_ref().or(l.ext_status.as_ref()),
            record.sent_hash.map(|h| h as i64),
            record.live_hash.map(|h| h as i64),
            record.updated_at,
            record.card_of.map(|c| c.as_bytes().to_vec()),
        ])?;
        tx.commit()?;
        Ok(())
    }

    /// Links by status (and reason), newest change first, for the error inbox and the CLI.
    pub fn links(&self, account: MarketAccountId, filter: &LinkFilter) -> Result<Vec<LinkRecord>> {
        let statuses: Vec<&str> = filter.statuses.iter().map(|s| s.code()).collect();
        let status_sql = if statuses.is_empty() {
            String::new()
        } else {
            format!(
                " AND status IN ({})",
                statuses.iter().map(|s| format!("'{s}'")).collect::<Vec<_>>().join(", ")
            )
        };
        let reason_sql = if filter.reason.is_some() {
            " AND (EXISTS (SELECT 1 FROM json_each(problems) WHERE json_extract(value, '$.code') = ?2)
                OR EXISTS (SELECT 1 FROM json_each(errors) WHERE json_extract(value, '$.code') = ?2))"
        } else {
            " AND ?2 IS NULL"
        };
        let limit = if filter.limit == 0 { u32::MAX } else { filter.limit };
        let mut stmt = self.conn.prepare(&format!(
            "SELECT {COLUMNS} FROM links WHERE account_id = ?1{status_sql}{reason_sql}
             ORDER BY updated_at DESC, offer_id LIMIT ?3 OFFSET ?4"
        ))?;
        let rows = stmt.query_map(
            params![account.as_bytes().as_slice(), filter.reason, i64::from(limit), i64::from(filter.offset)],
            read,
        )?;
        rows.map(|r| r.map_err(MarketError::from).and_then(|r| r)).collect()
    }

    /// How many links of the account stand in each status.
    pub fn link_counts(&self, account: MarketAccountId) -> Result<Vec<(LinkStatus, u64)>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT status, count(*) FROM links WHERE account_id = ?1 GROUP BY status ORDER BY status",
        )?;
        let rows = stmt.query_map([account.as_bytes().as_slice()], |r| {
            Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)? as u64))
        })?;
        let mut out = Vec::new();
        for row in rows {
            let (status, n) = row?;
            if let Some(s) = LinkStatus::parse(&status) {
                out.push((s, n));
            }
        }
        Ok(out)
    }

    /// The links of the products whose card is `leader`'s.
    pub fn card_members(&self, account: MarketAccountId, leader: ProductId) -> Result<Vec<LinkRecord>> {
        let mut stmt = self.conn.prepare_cached(&format!(
            "SELECT {COLUMNS} FROM links WHERE account_id = ?1 AND card_of = ?2 AND product_id <> ?2"
        ))?;
        let rows =
            stmt.query_map(params![account.as_bytes().as_slice(), leader.as_bytes().as_slice()], read)?;
        rows.map(|r| r.map_err(MarketError::from).and_then(|r| r)).collect()
    }

    /// Forgets what was sent for `product`, so the next publish sends its card again even when
    /// unchanged (the seller's "retry" after fixing something on the marketplace's side).
    pub fn forget_sent(&mut self, account: MarketAccountId, product: ProductId, now_ms: i64) -> Result<bool> {
        let changed = self.conn.execute(
            "UPDATE links SET sent_hash = NULL, updated_at = ?3 WHERE account_id = ?1 AND product_id = ?2",
            params![account.as_bytes().as_slice(), product.as_bytes().as_slice(), now_ms],
        )?;
        Ok(changed > 0)
    }
}

fn read(r: &Row<'_>) -> rusqlite::Result<Result<LinkRecord>> {
    let product: [u8; 16] = r.get(0)?;
    let offer_id: String = r.get(1)?;
    let sizes: Option<String> = r.get(5)?;
    let status: String = r.get(6)?;
    let problems: String = r.get(7)?;
    let errors: String = r.get(8)?;
    let (ext_id, ext_group, ext_sku, ext_status) =
        (r.get(2)?, r.get(3)?, r.get(4)?, r.get::<_, Option<String>>(9)?);
    let (sent_hash, live_hash, updated_at) =
        (r.get::<_, Option<i64>>(10)?, r.get::<_, Option<i64>>(11)?, r.get::<_, i64>(12)?);
    let card_of = r.get::<_, Option<[u8; 16]>>(13)?.map(ProductId::from_bytes);
    let build = || -> Result<LinkRecord> {
        let damaged =
            |what: String| MarketError::new(ErrorKind::Storage, format!("the link of {offer_id:?}: {what}"));
        Ok(LinkRecord {
            product_id: ProductId::from_bytes(product),
            link: Link {
                ext: ExtIds {
                    ext_id,
                    ext_group,
                    ext_sku,
                    sizes: sizes
                        .map(|s| serde_json::from_str(&s))
                        .transpose()
                        .map_err(|e| damaged(e.to_string()))?,
                    ext_status: ext_status.clone(),
                },
                status: LinkStatus::parse(&status)
                    .ok_or_else(|| damaged(format!("unknown status {status:?}")))?,
                errors: parse_json::<Vec<MarketProblem>>(&errors)?,
                ext_status,
                offer_id: offer_id.clone(),
            },
            problems: parse_json(&problems)?,
            sent_hash: sent_hash.map(|h| h as u64),
            live_hash: live_hash.map(|h| h as u64),
            updated_at,
            card_of,
        })
    };
    Ok(build())
}
