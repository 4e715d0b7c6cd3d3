//! What the seller sees of publishing: the error inbox (every product with a problem, Vitrina's
//! own or the marketplace's), per-product status on every account, the outbox, and "retry".

use vitrina_market::store::{LinkFilter, LinkRecord};
use vitrina_market::{LinkStatus, MarketStore};
use vitrina_store::ProductKey;

use super::market_error;
use crate::catalog::App;
use crate::error::{AppError, AppResult, ErrorCode};
use crate::ipc::{
    MarketErrorDto, MarketLinkCountDto, MarketLinkDto, MarketLinksDto, OutboxCountDto, OutboxDto,
    OutboxRowDto, ProblemDto, ProductMarketDto,
};

/// The most links one page lists.
pub const LINKS_PAGE_MAX: u32 = 500;

impl App {
    /// Links of the account `key`, newest change first. `statuses` empty lists every status;
    /// `problems_only` keeps the rejected and the pre-check failures (the error inbox).
    pub fn market_links(
        &self,
        key: &str,
        statuses: &[String],
        problems_only: bool,
        reason: Option<&str>,
        limit: u32,
        offset: u32,
    ) -> AppResult<MarketLinksDto> {
        let store = self.market_store()?;
        let account = store.account(key).map_err(market_error)?;
        let mut wanted = Vec::new();
        for s in statuses {
            wanted.push(LinkStatus::parse(s.trim()).ok_or_else(|| {
                AppError::invalid(format!(
                    "{s:?} is not a status: queued, sent, processing, live, rejected or precheck_failed"
                ))
            })?);
        }
        if problems_only && wanted.is_empty() {
            wanted = vec![LinkStatus::Rejected, LinkStatus::PrecheckFailed];
        }
        let filter = LinkFilter {
            statuses: wanted,
            reason: reason.map(str::to_owned).filter(|r| !r.trim().is_empty()),
            limit: limit.clamp(1, LINKS_PAGE_MAX),
            offset,
        };
        let records = store.links(account.id, &filter).map_err(market_error)?;
        let counts = store
            .link_counts(account.id)
            .map_err(market_error)?
            .into_iter()
            .map(|(s, n)| MarketLinkCountDto { status: s.code().into(), count: n })
            .collect();
        let catalog = self.catalog()?;
        let items = records
            .iter()
            .map(|r| {
                let name = catalog.product(&ProductKey::Id(r.product_id)).map(|p| p.name).unwrap_or_default();
                link_dto(r, name)
            })
            .collect();
        Ok(MarketLinksDto { account: account.name, market: account.market.code().into(), counts, items })
    }

    /// The product's card on every account: status, the marketplace's ids, problems and errors.
    pub fn product_market(&self, sku: &str) -> AppResult<Vec<ProductMarketDto>> {
        let product = self.catalog()?.product(&ProductKey::Sku(sku.trim().to_owned()))?;
        let store = self.market_store()?;
        let mut out = Vec::new();
        for account in store.accounts().map_err(market_error)? {
            let link = store.link(account.id, product.id).map_err(market_error)?;
            out.push(ProductMarketDto {
                account_id: account.id.to_string(),
                account: account.name.clone(),
                market: account.market.code().into(),
                link: link.map(|l| link_dto(&l, product.name.clone())),
            });
        }
        Ok(out)
    }

    /// The account's outbox: counts per op and state, and the newest rows.
    pub fn market_outbox(&self, key: &str, limit: usize) -> AppResult<OutboxDto> {
        let store = self.market_store()?;
        let account = store.account(key).map_err(market_error)?;
        let counts = store
            .outbox_counts(account.id)
            .map_err(market_error)?
            .into_iter()
            .map(|c| OutboxCountDto { op: c.op.code().into(), state: c.state.code().into(), count: c.count })
            .collect();
        let rows = store
            .outbox_rows(account.id, limit.clamp(1, 1000))
            .map_err(market_error)?
            .into_iter()
            .map(|r| OutboxRowDto {
                seq: r.seq,
                sku: r.offer_id,
                op: r.op.code().into(),
                warehouse: r.warehouse,
                state: r.state.code().into(),
                attempts: r.attempts,
                error: r.error,
                created_at: r.created_at,
                sent_at: r.sent_at,
            })
            .collect();
        Ok(OutboxDto { account: account.name, counts, rows })
    }

    /// Marks products to be sent again even when unchanged: `skus`, or every rejected one
    /// when empty. Returns their SKUs; the caller queues the publish.
    pub fn retry_market(&self, key: &str, skus: &[String]) -> AppResult<Vec<String>> {
        let mut store = self.market_store()?;
        let account = store.account(key).map_err(market_error)?;
        let now = self.catalog()?.now_ms() as i64;
        let targets: Vec<LinkRecord> = if skus.is_empty() {
            let filter = LinkFilter { statuses: vec![LinkStatus::Rejected], ..LinkFilter::default() };
            store.links(account.id, &filter).map_err(market_error)?
        } else {
            let mut found = Vec::new();
            for sku in skus {
                let link =
                    store.link_by_offer(account.id, sku.trim()).map_err(market_error)?.ok_or_else(|| {
                        AppError::new(
                            ErrorCode::NotFound,
                            format!("{sku} was never published to {}", account.name),
                        )
                    })?;
                found.push(link);
            }
            found
        };
        forget(&mut store, &account, &targets, now)?;
        Ok(targets.into_iter().map(|l| l.link.offer_id).collect())
    }
}

fn forget(
    store: &mut MarketStore,
    account: &vitrina_market::Account,
    links: &[LinkRecord],
    now: i64,
) -> AppResult<()> {
    store
        .in_tx(|s| {
            for l in links {
                s.forget_sent(account.id, l.product_id, now)?;
            }
            Ok(())
        })
        .map_err(market_error)
}

fn link_dto(r: &LinkRecord, name: String) -> MarketLinkDto {
    MarketLinkDto {
        product_id: r.product_id.to_string(),
        sku: r.link.offer_id.clone(),
        name,
        status: r.link.status.code().into(),
        ext_id: r.link.ext.ext_id.clone(),
        ext_group: r.link.ext.ext_group.clone(),
        ext_sku: r.link.ext.ext_sku.clone(),
        ext_status: r.link.ext_status.clone(),
        problems: r
            .problems
            .iter()
            .map(|p| ProblemDto {
                code: p.code.code().into(),
                field: p.field.to_string(),
                detail: p.detail.clone(),
            })
            .collect(),
        errors: r
            .link
            .errors
            .iter()
            .map(|e| MarketErrorDto {
                code: e.code.clone(),
                field: e.field.clone(),
                attr_name: e.attr_name.clone(),
                message: e.message.clone(),
            })
            .collect(),
        updated_at: r.updated_at,
    }
}
