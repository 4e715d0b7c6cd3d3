//! The Marketplaces section of the session: accounts, "check connection" and the card
//! pre-check. Credentials go to the session's store of secrets and never come back.

use super::Session;
use crate::error::AppResult;
use crate::ipc::*;

impl Session {
    pub fn market_accounts(&self) -> AppResult<Vec<MarketAccountDto>> {
        self.app()?.market_accounts(Some(&self.secrets))
    }

    pub fn add_market_account(&self, input: &NewMarketAccountDto) -> AppResult<MarketAccountDto> {
        self.app()?.add_market_account(input, &self.secrets)
    }

    pub fn remove_market_account(&self, id: &str) -> AppResult<MarketAccountDto> {
        self.app()?.remove_market_account(id, &self.secrets)
    }

    pub fn check_market_account(&self, id: &str) -> AppResult<ConnectionCheckDto> {
        self.app()?.check_market_account(id, &self.secrets)
    }

    /// The local card pre-check for `key` (`wb`, `ozon`, `ym` or an account's name); empty
    /// `skus` check the whole catalog.
    pub fn market_precheck(&self, key: &str, skus: &[String]) -> AppResult<PrecheckDto> {
        self.app()?.market_precheck(key, skus)
    }
}
