//! Demo marketplaces: the local fakes of the three seller APIs (`vitrina_testkit::market`),
//! run on this computer so a seller can try mapping and publishing without an account.
//! A demo account remembers that it is one; its fake is started again when the app needs it
//! (the fake keeps its cards in memory, so a new session starts with an empty marketplace).

use std::collections::HashMap;
use std::sync::{Mutex, OnceLock, PoisonError};

use vitrina_market::{Market, MarketStore};
use vitrina_testkit::market::{Fake, FakeConfig, FakeMarket, FakeToken};

use super::market_error;
use crate::catalog::App;
use crate::error::{AppError, AppResult, ErrorCode};
use crate::ipc::{FakeServerDto, MarketAccountDto, NewMarketAccountDto};
use crate::secrets::Secrets;

/// The settings key that marks a demo account.
const DEMO_KEY: &str = "demo";
/// What the demo fakes accept; not secrets: they open only the fakes on this computer.
pub const DEMO_TOKEN: &str = "demo-token-local";
pub const DEMO_CLIENT_ID: &str = "100500";
pub const DEMO_BUSINESS_ID: i64 = 11_000_001;
pub const DEMO_CAMPAIGN_ID: i64 = 21_000_001;

/// The fakes this process runs, by account id (or by "port" for `mp fake-server`).
fn running() -> &'static Mutex<HashMap<String, FakeMarket>> {
    static RUNNING: OnceLock<Mutex<HashMap<String, FakeMarket>>> = OnceLock::new();
    RUNNING.get_or_init(Default::default)
}

fn fake_kind(market: Market) -> Fake {
    match market {
        Market::Wb => Fake::Wb,
        Market::Ozon => Fake::Ozon,
        Market::Ym => Fake::Ym,
    }
}

/// The credential a demo fake of `market` accepts.
pub fn demo_token(market: Market) -> FakeToken {
    match market {
        Market::Wb => FakeToken::wb(DEMO_TOKEN),
        Market::Ozon => FakeToken::ozon(DEMO_CLIENT_ID, DEMO_TOKEN),
        Market::Ym => FakeToken::ym(DEMO_TOKEN),
    }
}

/// Starts a fake of `market` on `address` (`127.0.0.1:0` for any free port) with the real
/// documented limits, failing `faults` of the requests (429/420 or 503) at random.
pub fn start_fake(market: Market, address: &str, faults: f64) -> std::io::Result<FakeMarket> {
    let config = FakeConfig::new(vec![demo_token(market)]).faults(faults.clamp(0.0, 1.0), 1);
    FakeMarket::start_at(fake_kind(market), config, address)
}

/// Starts a demo marketplace of `market` (`wb`, `ozon`, `ym`) on 127.0.0.1:`port` (0: any free
/// port), failing `faults` of the requests; the fake runs while the handle lives.
pub fn serve(market: &str, port: u16, faults: f64) -> AppResult<(FakeMarket, FakeServerDto)> {
    let market: Market = market
        .parse()
        .map_err(|e: vitrina_market::market::UnknownMarket| AppError::invalid(e.to_string()))?;
    if !(0.0..=1.0).contains(&faults) {
        return Err(AppError::invalid(format!("faults {faults}: a share between 0 and 1")));
    }
    let fake = start_fake(market, &format!("127.0.0.1:{port}"), faults)
        .map_err(|e| AppError::new(ErrorCode::Io, format!("port {port}: {e}")))?;
    let url = fake.url();
    let mut add = format!(
        "VITRINA_MP_TOKEN={DEMO_TOKEN} vitrina mp accounts add Демо --market {} --base-url {url}",
        market.code()
    );
    match market {
        Market::Ozon => add.push_str(&format!(" --client-id {DEMO_CLIENT_ID}")),
        Market::Ym => {
            add.push_str(&format!(" --business-id {DEMO_BUSINESS_ID} --campaign-id {DEMO_CAMPAIGN_ID}"))
        }
        Market::Wb => {}
    }
    let dto = FakeServerDto { market: market.code().into(), url, token: DEMO_TOKEN.into(), add };
    Ok((fake, dto))
}

impl App {
    /// Adds a demo account of `market` on a fake started for it, with its warehouse mapped so
    /// stocks can be pushed at once.
    pub fn add_demo_market_account(&self, market: &str, secrets: &Secrets) -> AppResult<MarketAccountDto> {
        let market: Market = market
            .parse()
            .map_err(|e: vitrina_market::market::UnknownMarket| AppError::invalid(e.to_string()))?;
        let fake = start_fake(market, "127.0.0.1:0", 0.0).map_err(|e| {
            AppError::new(ErrorCode::Io, format!("the demo marketplace could not start: {e}"))
        })?;
        let name = format!("Демо {}", market.title());
        let input = NewMarketAccountDto {
            name,
            market: market.code().into(),
            base_url: Some(fake.url()),
            token: DEMO_TOKEN.into(),
            client_id: if market == Market::Ozon { DEMO_CLIENT_ID.into() } else { String::new() },
            business_id: (market == Market::Ym).then_some(DEMO_BUSINESS_ID),
            campaign_id: (market == Market::Ym).then_some(DEMO_CAMPAIGN_ID),
        };
        let dto = self.add_market_account(&input, secrets)?;
        let mut store = self.market_store()?;
        let mut account = store.account(&dto.id).map_err(market_error)?;
        account.settings.other.insert(DEMO_KEY.into(), serde_json::Value::Bool(true));
        if let Some(w) = demo_warehouse(market) {
            account.settings.warehouses.insert("Основной склад".into(), w.into());
        }
        store.update_account(&account).map_err(market_error)?;
        running().lock().unwrap_or_else(PoisonError::into_inner).insert(dto.id.clone(), fake);
        self.market_account(&dto.id, Some(secrets))
    }
}

/// Starts the fakes of the catalog's demo accounts that have none running in this process, and
/// points the accounts at them. Called whenever the market file is opened.
pub fn revive(store: &mut MarketStore) -> AppResult<()> {
    {
        for mut account in store.accounts().map_err(market_error)? {
            if account.settings.other.get(DEMO_KEY) != Some(&serde_json::Value::Bool(true)) {
                continue;
            }
            let id = account.id.to_string();
            let mut all = running().lock().unwrap_or_else(PoisonError::into_inner);
            if let Some(fake) = all.get(&id) {
                // Another process (a CLI run) may have pointed the account at its own fake.
                if account.base_url.as_deref() != Some(fake.url().as_str()) {
                    account.base_url = Some(fake.url());
                    store.update_account(&account).map_err(market_error)?;
                }
                continue;
            }
            let fake = start_fake(account.market, "127.0.0.1:0", 0.0).map_err(|e| {
                AppError::new(ErrorCode::Io, format!("the demo marketplace could not start: {e}"))
            })?;
            account.base_url = Some(fake.url());
            store.update_account(&account).map_err(market_error)?;
            all.insert(id, fake);
        }
        Ok(())
    }
}

/// The warehouse a demo fake has (WB seller warehouse, Ozon FBS warehouse); YM stocks go per
/// campaign.
fn demo_warehouse(market: Market) -> Option<&'static str> {
    match market {
        Market::Wb => Some("1000001"),
        Market::Ozon => Some("22142605386000"),
        Market::Ym => None,
    }
}
