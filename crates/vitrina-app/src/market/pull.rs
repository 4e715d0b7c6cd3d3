//! Existing cards: sellers already have cards on the marketplaces. Pulling an account's cards
//! links each to the catalog product with the same SKU (or, failing that, the same barcode),
//! so prices and stocks can be pushed at once; cards with no product can become products.

use std::time::Duration;

use serde::{Deserialize, Serialize};
use vitrina_domain::{Barcode, Image, Money, Product, ProductDraft};
use vitrina_jobs::{JobCtx, JobError, JobPayload, KindOptions, Registry};
use vitrina_market::api::{Link, LinkStatus, RemoteCard};
use vitrina_market::store::LinkRecord;
use vitrina_market::{Account, Client, MarketStore, api};
use vitrina_store::ProductKey;

use super::market_error;
use super::publish::client_or;
use crate::catalog::App;
use crate::error::{AppResult, ErrorCode};
use crate::ipc::PullCardsDto;
use crate::jobs::{Jobs, JobsContext, QueueOptions};
use crate::secrets::Secrets;

/// Unmatched cards a result names (the counts cover every card).
const UNMATCHED_LIST_MAX: usize = 200;

impl App {
    /// Reads every card of the account `key` and links it to its product; with `import_new`,
    /// a card no product matches becomes a new draft product. While an import holds the
    /// catalog, those cards are held: a `market.import_cards` job (in the job queue's own file,
    /// so never lost) makes them products and links them once the catalog is free.
    pub fn pull_market_cards(
        &self,
        key: &str,
        import_new: bool,
        secrets: &Secrets,
        client: Option<Client>,
        jobs: &Jobs,
        cancel: &dyn Fn() -> bool,
    ) -> AppResult<PullCardsDto> {
        let mut store = self.market_store()?;
        let account = store.account(key).map_err(market_error)?;
        let client = client_or(&account, secrets, client)?;
        let api = api(account.market);
        let mut dto = PullCardsDto { account: account.name.clone(), ..PullCardsDto::default() };
        let mut held: Vec<RemoteCard> = Vec::new();
        let mut cursor: Option<String> = None;
        loop {
            let (cards, next) = api.pull_cards(&client, cursor.as_deref(), cancel).map_err(market_error)?;
            for card in cards {
                dto.cards += 1;
                let (sku, how) = self.match_card(&card)?;
                let sku = match (sku, import_new) {
                    (Some(sku), _) => {
                        match how {
                            Match::Sku => dto.linked_by_sku += 1,
                            Match::Barcode => dto.linked_by_barcode += 1,
                        }
                        sku
                    }
                    (None, true) if !held.is_empty() => {
                        // The catalog is busy: the rest wait with the first.
                        held.push(card);
                        continue;
                    }
                    (None, true) => match self.import_card_now(&card) {
                        Ok(sku) => {
                            dto.imported += 1;
                            sku
                        }
                        Err(e) if e.code == ErrorCode::Busy => {
                            held.push(card);
                            continue;
                        }
                        Err(e) => {
                            dto.failed.push(format!("{}: {}", card.offer_id, e.message));
                            continue;
                        }
                    },
                    (None, false) => {
                        dto.unmatched_count += 1;
                        if dto.unmatched.len() < UNMATCHED_LIST_MAX {
                            dto.unmatched.push(format!("{} — {}", card.offer_id, card.name));
                        }
                        continue;
                    }
                };
                self.link_card(&mut store, &account, &card, &sku)?;
            }
            match next {
                Some(n) if !cancel() => cursor = Some(n),
                _ => break,
            }
        }
        if !held.is_empty() {
            dto.held = held.len() as u64;
            let payload = ImportCardsPayload { account: account.id.to_string(), cards: held };
            let job = jobs.queue_job(
                &payload,
                &QueueOptions { concurrency_key: Some("catalog.edit".into()), max_attempts: None },
            )?;
            tracing::info!(cards = dto.held, job = %job.id, "cards to import are held until the catalog is free");
        }
        Ok(dto)
    }

    /// The product a card belongs to: by SKU, else by barcode (reads never wait for an import).
    fn match_card(&self, card: &RemoteCard) -> AppResult<(Option<String>, Match)> {
        let catalog = self.catalog()?;
        Ok(match catalog.product(&ProductKey::Sku(card.offer_id.clone())) {
            Ok(p) => (Some(p.sku), Match::Sku),
            Err(_) => {
                let by_code = card.barcodes.iter().find_map(|b| catalog.sku_by_barcode(b).ok().flatten());
                (by_code, Match::Barcode)
            }
        })
    }

    /// Links `card` to the product `sku` on `account`, keeping what the link already knows.
    fn link_card(
        &self,
        store: &mut MarketStore,
        account: &Account,
        card: &RemoteCard,
        sku: &str,
    ) -> AppResult<()> {
        let now = self.catalog()?.now_ms() as i64;
        let product = self.catalog()?.product(&ProductKey::Sku(sku.to_owned()))?;
        let old = store.link(account.id, product.id).map_err(market_error)?;
        let mut record = old.unwrap_or_else(|| LinkRecord {
            product_id: product.id,
            link: Link::default(),
            problems: Vec::new(),
            sent_hash: None,
            live_hash: None,
            updated_at: now,
            card_of: None,
        });
        // The card keeps the offer id the marketplace knows it by.
        record.link.offer_id = card.offer_id.clone();
        record.link.ext = record.link.ext.merged(&card.ext);
        if matches!(record.link.status, LinkStatus::Queued | LinkStatus::PrecheckFailed) {
            record.link.status = LinkStatus::Live;
        }
        record.updated_at = now;
        store.put_link(account.id, &record).map_err(market_error)
    }

    /// [`Self::import_card`], waiting only briefly for the catalog: `Busy` when an import holds it.
    fn import_card_now(&self, card: &RemoteCard) -> AppResult<String> {
        let usual = self.catalog()?.busy_wait();
        self.set_busy_wait(usual.min(crate::held_edits::HOLD_AFTER))?;
        let made = self.import_card(card);
        self.set_busy_wait(usual)?;
        made
    }

    /// A draft product from a card: name, brand, description, barcodes, pictures and price.
    fn import_card(&self, card: &RemoteCard) -> AppResult<String> {
        let mut product = Product::new(ProductDraft {
            sku: card.offer_id.clone(),
            name: if card.name.trim().is_empty() { card.offer_id.clone() } else { card.name.clone() },
            price: Money::rub(card.price.unwrap_or(0).max(0)),
        })
        .map_err(|e| crate::error::AppError::invalid(e.to_string()))?;
        product.brand = card.brand.trim().to_owned();
        product.description = card.description.clone();
        product.barcodes = card.barcodes.iter().filter_map(|b| Barcode::parse(b).ok()).collect();
        product.images = card.images.iter().map(|u| Image { url: u.clone() }).collect();
        product.attributes = card
            .attributes
            .iter()
            .map(|(name, value)| vitrina_domain::Attribute {
                name: name.clone(),
                value: value.clone(),
                unit: None,
            })
            .collect();
        let sku = product.sku.clone();
        self.catalog()?.create_product(&product)?;
        Ok(sku)
    }
}

pub fn register(r: &mut Registry<JobsContext>) {
    r.register_kind(
        KindOptions::new(
            "Make products of marketplace cards the catalog could not take during an import (payload: account, cards)",
        )
        .concurrency(1)
        .attempts(3),
        import_held,
    );
}

/// `market.import_cards`: cards that become products once the catalog is free.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ImportCardsPayload {
    pub account: String,
    pub cards: Vec<RemoteCard>,
}

impl JobPayload for ImportCardsPayload {
    const KIND: &'static str = "market.import_cards";
}

/// Imports and links the held cards on a connection of its own, waiting for the import that
/// holds the catalog; a card that became a product meanwhile (a re-run) is only linked.
async fn import_held(ctx: JobCtx<JobsContext>, p: ImportCardsPayload) -> Result<serde_json::Value, JobError> {
    let path = ctx.app().catalog_path().to_path_buf();
    let token = ctx.cancel_token();
    ctx.message(format!("{} cards", p.cards.len()));
    tokio::task::spawn_blocking(move || {
        let app = App::open(&path).map_err(|e| JobError::transient(e.message))?;
        let store = app.market_store().map_err(|e| JobError::transient(e.message))?;
        let account =
            store.account(&p.account).map_err(|e| JobError::permanent(e.message).with_code("account"))?;
        drop(store);
        let started = std::time::Instant::now();
        let (mut imported, mut failed) = (0u64, Vec::new());
        for card in &p.cards {
            loop {
                if token.is_cancelled() {
                    return Err(JobError::permanent("cancelled").with_code("cancelled"));
                }
                let made = match app.match_card(card) {
                    Ok((Some(sku), _)) => Ok(sku),
                    Ok((None, _)) => app.import_card(card).inspect(|_| imported += 1),
                    Err(e) => Err(e),
                };
                match made {
                    Ok(sku) => {
                        let mut store = app.market_store().map_err(|e| JobError::transient(e.message))?;
                        app.link_card(&mut store, &account, card, &sku)
                            .map_err(|e| JobError::transient(e.message))?;
                        break;
                    }
                    Err(e)
                        if e.code == ErrorCode::Busy
                            && started.elapsed() < crate::held_edits::WAIT_FOR_CATALOG =>
                    {
                        std::thread::sleep(Duration::from_millis(500));
                    }
                    Err(e) if e.code == ErrorCode::Busy => {
                        return Err(JobError::transient(e.message).with_code("catalog_busy"));
                    }
                    Err(e) => {
                        failed.push(format!("{}: {}", card.offer_id, e.message));
                        break;
                    }
                }
            }
        }
        Ok(serde_json::json!({ "imported": imported, "failed": failed }))
    })
    .await
    .map_err(|e| JobError::permanent(e.to_string()))?
}

#[derive(Clone, Copy)]
enum Match {
    Sku,
    Barcode,
}
