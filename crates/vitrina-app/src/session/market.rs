//! The Marketplaces section of the session: accounts, "check connection" and the card
//! pre-check. Credentials go to the session's store of secrets and never come back.

use std::collections::BTreeMap;

use super::Session;
use crate::error::AppResult;
use crate::ipc::*;
use crate::market::publish;

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

/// The most categories the window's picker asks for at once.
const CATEGORIES_MAX: usize = 200;
/// The most outbox rows the window lists.
const OUTBOX_MAX: usize = 200;

impl Session {
    /// Starts a demo marketplace (`wb`, `ozon` or `ym`) on this computer and adds its account.
    pub fn add_demo_market_account(&self, market: &str) -> AppResult<MarketAccountDto> {
        self.app()?.add_demo_market_account(market, &self.secrets)
    }

    /// Auto-push on or off (unchanged when `None`) and warehouses (an empty id removes one).
    pub fn set_market_account_settings(
        &self,
        key: &str,
        auto_push: Option<bool>,
        warehouses: &[(String, String)],
    ) -> AppResult<MarketAccountDto> {
        self.app()?.set_market_account_settings(key, auto_push, warehouses, Some(&self.secrets))
    }

    pub fn refresh_market_dictionaries(&self, key: &str) -> AppResult<DictRefreshDto> {
        self.app()?.refresh_market_dictionaries(key, &self.secrets, None, &|| false)
    }

    pub fn market_categories(
        &self,
        key: &str,
        search: &str,
        leaves_only: bool,
        limit: usize,
    ) -> AppResult<Vec<MpCategoryDto>> {
        self.app()?.market_categories(key, search, leaves_only, limit.clamp(1, CATEGORIES_MAX))
    }

    pub fn market_category_map(&self, key: &str) -> AppResult<Vec<CategoryMapDto>> {
        self.app()?.market_category_map(key)
    }

    /// Maps the seller's category to `ext_id`, or unmaps it with `None`.
    pub fn set_market_category(
        &self,
        key: &str,
        category: &str,
        ext_id: Option<&str>,
    ) -> AppResult<CategoryMapDto> {
        self.app()?.set_market_category(key, category, ext_id, &self.secrets, None)
    }

    pub fn auto_map_market(&self, key: &str) -> AppResult<AutoMapDto> {
        self.app()?.auto_map_market(key, &self.secrets, None)
    }

    pub fn market_attributes(&self, key: &str, ext_id: &str) -> AppResult<Vec<AttrMapDto>> {
        self.app()?.market_attributes(key, ext_id)
    }

    pub fn set_market_attribute(
        &self,
        key: &str,
        ext_id: &str,
        attr_id: &str,
        source: Option<&str>,
        unit_factor: Option<f64>,
        values: &BTreeMap<String, String>,
    ) -> AppResult<Vec<AttrMapDto>> {
        let source = source.map(str::trim).filter(|s| !s.is_empty());
        self.app()?.set_market_attribute(key, ext_id, attr_id, source, unit_factor, values)
    }

    /// The seller's values of a dictionary attribute and what each becomes on the card.
    pub fn market_attribute_values(
        &self,
        key: &str,
        ext_id: &str,
        attr_id: &str,
    ) -> AppResult<AttrValuesDto> {
        self.app()?.market_attribute_values(key, ext_id, attr_id)
    }

    /// Maps one of the seller's values to a dictionary value (`None` removes the pair).
    pub fn set_market_value(
        &self,
        key: &str,
        ext_id: &str,
        attr_id: &str,
        mine: &str,
        theirs: Option<&str>,
    ) -> AppResult<AttrValuesDto> {
        self.app()?.set_market_value(key, ext_id, attr_id, mine, theirs)
    }

    /// Dictionary values of an attribute containing `query`.
    pub fn market_dictionary_values(
        &self,
        key: &str,
        ext_id: &str,
        attr_id: &str,
        query: &str,
        limit: usize,
    ) -> AppResult<Vec<MpValueDto>> {
        self.app()?.market_dictionary_values(key, ext_id, attr_id, query, limit)
    }

    /// Queues `market.publish` of `skus` (every product when empty).
    pub fn publish_market(&self, key: &str, skus: &[String]) -> AppResult<JobDto> {
        Ok(JobDto::from(&publish::queue_publish(self.app()?, self.jobs()?, key, skus)?))
    }

    /// Queues `market.push` of every linked product's prices and stocks (`only`: `prices` or
    /// `stocks`).
    pub fn push_market(&self, key: &str, skus: &[String], only: Option<&str>) -> AppResult<JobDto> {
        let only = only.filter(|o| !o.is_empty());
        Ok(JobDto::from(&publish::queue_push(self.app()?, self.jobs()?, key, skus, None, only)?))
    }

    /// What a finished `market.publish` or `market.push` job did; `None` while it runs, when it
    /// failed, or for another kind of job.
    pub fn market_job_result(&self, id: &str) -> AppResult<Option<MarketRunDto>> {
        let detail = crate::views::job_detail(self.jobs()?, id)?;
        if !detail.job.kind.starts_with("market.") {
            return Ok(None);
        }
        Ok(detail.result.and_then(|v| serde_json::from_value(v).ok()))
    }

    pub fn market_links(
        &self,
        key: &str,
        statuses: &[String],
        problems_only: bool,
        reason: Option<&str>,
        limit: u32,
        offset: u32,
    ) -> AppResult<MarketLinksDto> {
        let reason = reason.filter(|r| !r.is_empty());
        self.app()?.market_links(key, statuses, problems_only, reason, limit, offset)
    }

    pub fn market_outbox(&self, key: &str, limit: usize) -> AppResult<OutboxDto> {
        self.app()?.market_outbox(key, limit.clamp(1, OUTBOX_MAX))
    }

    /// Sends the rejected and failed cards of `skus` (every one when empty) again: queues a
    /// publish of them. `None` when nothing needed sending.
    pub fn retry_market(&self, key: &str, skus: &[String]) -> AppResult<Option<JobDto>> {
        let again = self.app()?.retry_market(key, skus)?;
        if again.is_empty() {
            return Ok(None);
        }
        self.publish_market(key, &again).map(Some)
    }

    pub fn pull_market_cards(&self, key: &str, import_new: bool) -> AppResult<PullCardsDto> {
        let pulled =
            self.app()?.pull_market_cards(key, import_new, &self.secrets, None, self.jobs()?, &|| false)?;
        if pulled.imported > 0 {
            self.table.forget_rows()?;
        }
        Ok(pulled)
    }

    /// The product with this SKU on every account.
    pub fn product_market(&self, sku: &str) -> AppResult<Vec<ProductMarketDto>> {
        self.app()?.product_market(sku)
    }
}
