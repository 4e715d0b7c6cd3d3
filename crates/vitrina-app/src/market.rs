//! Marketplace accounts (DESIGN §6): kept in the market file next to the catalog (owned by
//! `vitrina-market`, so nothing here waits for an import holding the catalog), their
//! credentials in the store of secrets, and "check connection", which calls each
//! marketplace's cheapest read-only methods and says per API group what works.

pub use vitrina_market::Market;
use vitrina_market::{
    Account, ConnectionCheck, Credentials, ErrorKind, MarketError, MarketStore, check_connection, secret_name,
};

use crate::catalog::App;
use crate::error::{AppError, AppResult, ErrorCode};
use crate::ipc::{
    CampaignDto, ConnectionCheckDto, GroupCheckDto, MarketAccountDto, NewMarketAccountDto, PrecheckDto,
    ProblemCountDto, ProblemDto, ProductProblemsDto, WarehouseDto,
};
use crate::secrets::Secrets;

impl App {
    pub(crate) fn market_store(&self) -> AppResult<MarketStore> {
        open_store(self.path())
    }

    /// Every account, by name (`secrets`: whether each one's credentials are stored).
    pub fn market_accounts(&self, secrets: Option<&Secrets>) -> AppResult<Vec<MarketAccountDto>> {
        let store = self.market_store()?;
        let accounts = store.accounts().map_err(market_error)?;
        accounts.iter().map(|a| account_dto(a, secrets)).collect()
    }

    /// One account by name or id.
    pub fn market_account(&self, key: &str, secrets: Option<&Secrets>) -> AppResult<MarketAccountDto> {
        let account = self.market_store()?.account(key).map_err(market_error)?;
        account_dto(&account, secrets)
    }

    /// Adds an account and stores its credentials. If they cannot be stored, the account is not
    /// added either.
    pub fn add_market_account(
        &self,
        input: &NewMarketAccountDto,
        secrets: &Secrets,
    ) -> AppResult<MarketAccountDto> {
        let market: Market = input
            .market
            .parse()
            .map_err(|e: vitrina_market::market::UnknownMarket| AppError::invalid(e.to_string()))?;
        crate::team::require_admin(&*self.catalog()?, "marketplace accounts")?;
        let mut account = Account::new(&input.name, market, self.catalog()?.now_ms() as i64);
        account.base_url =
            input.base_url.as_deref().map(str::trim).filter(|u| !u.is_empty()).map(str::to_owned);
        account.business_id = input.business_id;
        account.campaign_id = input.campaign_id;
        account.validate().map_err(market_error)?;
        let credentials = credentials(market, input)?;
        let mut store = self.market_store()?;
        store.add_account(&account).map_err(market_error)?;
        if let Err(e) = secrets.set_market_secret(&secret_name(account.id), &credentials.to_json()) {
            let _ = store.remove_account(account.id);
            return Err(e);
        }
        tracing::info!(account = %account.name, market = %market, "marketplace account added");
        account_dto(&account, Some(secrets))
    }

    /// Changes an account's settings: auto-push on or off, and the warehouse map (the seller's
    /// warehouse name → the marketplace's warehouse id; an empty id removes it).
    pub fn set_market_account_settings(
        &self,
        key: &str,
        auto_push: Option<bool>,
        warehouses: &[(String, String)],
        secrets: Option<&Secrets>,
    ) -> AppResult<MarketAccountDto> {
        crate::team::require_admin(&*self.catalog()?, "a marketplace account's settings")?;
        let mut store = self.market_store()?;
        let mut account = store.account(key).map_err(market_error)?;
        if let Some(on) = auto_push {
            account.settings.auto_push = on;
        }
        for (mine, theirs) in warehouses {
            let (mine, theirs) = (mine.trim(), theirs.trim());
            if mine.is_empty() {
                return Err(AppError::invalid("a warehouse needs a name: NAME=ID"));
            }
            if theirs.is_empty() {
                account.settings.warehouses.remove(mine);
            } else {
                account.settings.warehouses.insert(mine.to_owned(), theirs.to_owned());
            }
        }
        account.updated_at = self.catalog()?.now_ms() as i64;
        store.update_account(&account).map_err(market_error)?;
        account_dto(&account, secrets)
    }

    /// Removes an account and its credentials; returns what was removed.
    pub fn remove_market_account(&self, key: &str, secrets: &Secrets) -> AppResult<MarketAccountDto> {
        crate::team::require_admin(&*self.catalog()?, "marketplace accounts")?;
        let mut store = self.market_store()?;
        let account = store.account(key).map_err(market_error)?;
        let dto = account_dto(&account, Some(secrets))?;
        store.remove_account(account.id).map_err(market_error)?;
        if let Err(e) = secrets.set_market_secret(&secret_name(account.id), "") {
            // The account is gone; a key left in the keyring is named so it can be removed by hand.
            tracing::warn!(account = %account.name, error = %e, "the account's credentials could not be removed");
        }
        Ok(dto)
    }

    /// Checks an account's connection and keeps the result with the account.
    pub fn check_market_account(&self, key: &str, secrets: &Secrets) -> AppResult<ConnectionCheckDto> {
        let account = self.market_store()?.account(key).map_err(market_error)?;
        let check = match secrets.market_secret(&secret_name(account.id))? {
            None => ConnectionCheck::credentials_missing(account.market),
            Some(json) => {
                let credentials = Credentials::from_json(account.market, &json).map_err(market_error)?;
                // A person is waiting: few retries and short waits, and a marketplace that asks
                // for a long pause is reported rather than waited for.
                let client = vitrina_market::Client::new(&account, credentials)
                    .and_then(|c| c.with_timeout(CHECK_TIMEOUT))
                    .map_err(market_error)?
                    .with_policy(vitrina_market::RetryPolicy::interactive());
                check_connection(&account, &client)
            }
        };
        self.market_store()?.set_last_check(account.id, &check).map_err(market_error)?;
        tracing::info!(account = %account.name, ok = check.ok, "marketplace connection checked");
        Ok(check_dto(&check))
    }
}

/// How long one request of a connection check may take.
const CHECK_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(15);

/// Products with problems a pre-check lists (the counts cover every product).
pub const PRECHECK_LIST_MAX: usize = 500;

impl App {
    /// Checks products against a marketplace's documented limits (`key`: `wb`, `ozon`, `ym` or
    /// an account's name); `skus` empty checks the whole catalog. Reads the catalog without
    /// waiting for an import.
    pub fn market_precheck(&self, key: &str, skus: &[String]) -> AppResult<PrecheckDto> {
        // An account's name: the whole check, with its mapping and the cached dictionaries.
        // A marketplace's code: the documented limits only.
        let (market, store, account) = match key.parse::<Market>() {
            Ok(market) => (market, None, None),
            Err(_) => {
                let store = self.market_store()?;
                let account = store.account(key).map_err(market_error)?;
                (account.market, Some(store), Some(account))
            }
        };
        let selection = vitrina_store::export::Selection { skus: skus.to_vec(), ..Default::default() };
        let mut dto = PrecheckDto {
            market: market.code().into(),
            checked: 0,
            with_problems: 0,
            counts: Vec::new(),
            products: Vec::new(),
        };
        let mut counts: std::collections::BTreeMap<&'static str, u64> = Default::default();
        let catalog = self.catalog()?;
        let mut builder = match (&store, &account) {
            (Some(store), Some(account)) => {
                Some(vitrina_market::plan::CardBuilder::new(&catalog, store, account).map_err(market_error)?)
            }
            _ => None,
        };
        catalog.export_each::<AppError>(&selection, vitrina_store::export::ExportOrder::Storage, |row| {
            dto.checked += 1;
            let problems = match (&mut builder, &store, &account) {
                (Some(builder), Some(store), Some(account)) => {
                    let link = store.link(account.id, row.id).map_err(market_error)?.map(|l| l.link);
                    builder.card(store, row, link.as_ref()).err().unwrap_or_default()
                }
                _ => vitrina_market::precheck(row, market),
            };
            if !problems.is_empty() {
                dto.with_problems += 1;
                for p in &problems {
                    *counts.entry(p.code.code()).or_default() += 1;
                }
                if dto.products.len() < PRECHECK_LIST_MAX {
                    dto.products.push(ProductProblemsDto {
                        sku: row.sku.clone(),
                        name: row.name.clone(),
                        problems: problems
                            .into_iter()
                            .map(|p| ProblemDto {
                                code: p.code.code().into(),
                                field: p.field.into(),
                                detail: p.detail,
                            })
                            .collect(),
                    });
                }
            }
            Ok(std::ops::ControlFlow::Continue(()))
        })?;
        if !skus.is_empty() && dto.checked == 0 {
            return Err(AppError::new(
                ErrorCode::NotFound,
                format!("no product with SKU {}", skus.join(", ")),
            ));
        }
        dto.counts =
            counts.into_iter().map(|(code, count)| ProblemCountDto { code: code.into(), count }).collect();
        dto.counts.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.code.cmp(&b.code)));
        Ok(dto)
    }
}

/// The credentials `input` gives for `market`, checked for presence.
fn credentials(market: Market, input: &NewMarketAccountDto) -> AppResult<Credentials> {
    let token = input.token.trim().to_owned();
    let client_id = input.client_id.trim().to_owned();
    let missing = |what: &str| AppError::invalid(format!("{} needs {what}", market.title()));
    let credentials = match market {
        Market::Wb if token.is_empty() => return Err(missing("an API token")),
        Market::Wb => Credentials::Wb { token },
        Market::Ozon if client_id.is_empty() => return Err(missing("a Client-Id")),
        Market::Ozon if token.is_empty() => return Err(missing("an Api-Key")),
        Market::Ozon => Credentials::Ozon { client_id, api_key: token },
        Market::Ym if token.is_empty() => return Err(missing("an Api-Key")),
        Market::Ym => Credentials::Ym { api_key: token },
    };
    credentials.validated().map_err(market_error)
}

fn account_dto(a: &Account, secrets: Option<&Secrets>) -> AppResult<MarketAccountDto> {
    let secret_set = match secrets {
        Some(s) => s.market_secret_set(&secret_name(a.id))?,
        None => false,
    };
    Ok(MarketAccountDto {
        id: a.id.to_string(),
        name: a.name.clone(),
        market: a.market.code().into(),
        market_title: a.market.title().into(),
        base_url: a.base_url.clone(),
        business_id: a.business_id,
        campaign_id: a.campaign_id,
        auto_push: a.settings.auto_push,
        warehouses: a.settings.warehouses.iter().map(|(k, v)| (k.clone(), v.clone())).collect(),
        demo: a.settings.other.get("demo") == Some(&serde_json::Value::Bool(true)),
        secret_set,
        last_check: a.last_check.as_ref().map(check_dto),
        created_at: a.created_at,
    })
}

fn check_dto(c: &ConnectionCheck) -> ConnectionCheckDto {
    ConnectionCheckDto {
        ok: c.ok,
        checked_at: c.checked_at,
        groups: c
            .groups
            .iter()
            .map(|g| GroupCheckDto {
                group: g.group.clone(),
                outcome: g.outcome.code().into(),
                status: g.status,
                message: g.message.clone(),
            })
            .collect(),
        scopes: c.scopes.clone(),
        campaigns: c
            .campaigns
            .iter()
            .map(|k| CampaignDto {
                id: k.id,
                business_id: k.business_id,
                business_name: k.business_name.clone(),
                domain: k.domain.clone(),
                placement_type: k.placement_type.clone(),
                api_availability: k.api_availability.clone(),
            })
            .collect(),
        warehouses: c
            .warehouses
            .iter()
            .map(|w| WarehouseDto { id: w.id.clone(), name: w.name.clone() })
            .collect(),
    }
}

/// Opens the market file, with the demo marketplaces of demo accounts running.
pub(crate) fn open_store(catalog: &std::path::Path) -> AppResult<MarketStore> {
    let mut store = MarketStore::open(catalog).map_err(market_error)?;
    demo::revive(&mut store)?;
    Ok(store)
}

/// A marketplace error for the front ends: the marketplace's words stay in the message.
pub(crate) fn market_error(e: MarketError) -> AppError {
    let code = match e.kind {
        ErrorKind::UnknownAccount => ErrorCode::NotFound,
        ErrorKind::Conflict => ErrorCode::Conflict,
        ErrorKind::Invalid => ErrorCode::Invalid,
        ErrorKind::Storage => ErrorCode::Io,
        ErrorKind::OwnedElsewhere => ErrorCode::TeamNotAllowed,
        _ => ErrorCode::Internal,
    };
    AppError::new(code, e.to_string())
}

pub mod auto_push;
pub mod demo;
pub mod dicts;
pub mod inbox;
pub mod publish;
pub mod pull;
pub mod values;

pub use vitrina_market::market::UnknownMarket;

#[cfg(test)]
mod publish_tests;

#[cfg(test)]
mod tests;
