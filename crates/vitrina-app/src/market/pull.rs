//! Existing cards: sellers already have cards on the marketplaces. Pulling an account's cards
//! links each to the catalog product with the same SKU (or, failing that, the same barcode),
//! so prices and stocks can be pushed at once; cards with no product can become products.

use vitrina_domain::{Barcode, Image, Money, Product, ProductDraft};
use vitrina_market::api::{Link, LinkStatus, RemoteCard};
use vitrina_market::store::LinkRecord;
use vitrina_market::{Client, api};
use vitrina_store::ProductKey;

use super::market_error;
use super::publish::client_or;
use crate::catalog::App;
use crate::error::AppResult;
use crate::ipc::PullCardsDto;
use crate::secrets::Secrets;

/// Unmatched cards a result names (the counts cover every card).
const UNMATCHED_LIST_MAX: usize = 200;

impl App {
    /// Reads every card of the account `key` and links it to its product; with `import_new`,
    /// a card no product matches becomes a new draft product.
    pub fn pull_market_cards(
        &self,
        key: &str,
        import_new: bool,
        secrets: &Secrets,
        client: Option<Client>,
        cancel: &dyn Fn() -> bool,
    ) -> AppResult<PullCardsDto> {
        let mut store = self.market_store()?;
        let account = store.account(key).map_err(market_error)?;
        let client = client_or(&account, secrets, client)?;
        let api = api(account.market);
        let mut dto = PullCardsDto { account: account.name.clone(), ..PullCardsDto::default() };
        let mut cursor: Option<String> = None;
        loop {
            let (cards, next) = api.pull_cards(&client, cursor.as_deref(), cancel).map_err(market_error)?;
            for card in cards {
                dto.cards += 1;
                let now = self.catalog()?.now_ms() as i64;
                let (sku, how) = {
                    let catalog = self.catalog()?;
                    match catalog.product(&ProductKey::Sku(card.offer_id.clone())) {
                        Ok(p) => (Some(p.sku), Match::Sku),
                        Err(_) => {
                            let by_code =
                                card.barcodes.iter().find_map(|b| catalog.sku_by_barcode(b).ok().flatten());
                            (by_code, Match::Barcode)
                        }
                    }
                };
                let sku = match (sku, import_new) {
                    (Some(sku), _) => {
                        match how {
                            Match::Sku => dto.linked_by_sku += 1,
                            Match::Barcode => dto.linked_by_barcode += 1,
                        }
                        sku
                    }
                    (None, true) => match self.import_card(&card) {
                        Ok(sku) => {
                            dto.imported += 1;
                            sku
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
                let product = self.catalog()?.product(&ProductKey::Sku(sku))?;
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
                store.put_link(account.id, &record).map_err(market_error)?;
            }
            match next {
                Some(n) if !cancel() => cursor = Some(n),
                _ => break,
            }
        }
        Ok(dto)
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

#[derive(Clone, Copy)]
enum Match {
    Sku,
    Barcode,
}
