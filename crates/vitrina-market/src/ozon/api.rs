//! Ozon's side of publishing ([`MarketApi`]): each method hands over to the module that does
//! it.

use std::time::Duration;

use serde_json::Value;
use vitrina_store::export::ExportRow;

use super::{card, dict, prices, publish, pull, stocks};
use crate::api::{
    AwaitItem, BatchLimit, Cancel, CardContext, Guard, ItemResult, Link, MarketApi, OutItem, RemoteCard,
};
use crate::dict::{CategoryDict, MpCategory};
use crate::error::MarketError;
use crate::http::Client;
use crate::market::Market;
use crate::precheck::Problem;

#[derive(Debug, Clone, Copy)]
pub struct OzonApi;

/// Ozon documents no body size limit; 10 MB keeps a request well inside any proxy's.
const BYTES: usize = 10 << 20;

impl MarketApi for OzonApi {
    fn market(&self) -> Market {
        Market::Ozon
    }

    fn fetch_tree(&self, client: &Client, cancel: Cancel) -> Result<Vec<MpCategory>, MarketError> {
        dict::fetch_tree(client, cancel)
    }

    fn fetch_category(
        &self,
        client: &Client,
        category: &MpCategory,
        cancel: Cancel,
    ) -> Result<CategoryDict, MarketError> {
        dict::fetch_category(client, category, cancel)
    }

    fn build_card(&self, row: &ExportRow, ctx: &CardContext) -> Result<Value, Vec<Problem>> {
        card::build(row, ctx)
    }

    fn card_batch(&self) -> BatchLimit {
        BatchLimit { items: publish::IMPORT_MAX, bytes: BYTES }
    }

    fn send_cards(
        &self,
        client: &Client,
        items: &[OutItem],
        cancel: Cancel,
    ) -> Result<Vec<ItemResult>, MarketError> {
        publish::send(client, items, cancel)
    }

    /// `/v3/product/info/list` reads 1,000 offers at once.
    fn follow_up_batch(&self) -> usize {
        1000
    }

    /// Every Ozon call takes `ozon.global` (50 a second).
    fn reads_share_the_write_budget(&self) -> bool {
        true
    }

    fn follow_up(
        &self,
        client: &Client,
        items: &[AwaitItem],
        cancel: Cancel,
    ) -> Result<Vec<ItemResult>, MarketError> {
        publish::follow_up(client, items, cancel)
    }

    fn price_item(&self, row: &ExportRow, link: &Link) -> Result<Value, Problem> {
        prices::item(row, link)
    }

    fn price_batch(&self) -> BatchLimit {
        BatchLimit { items: prices::PRICES_MAX, bytes: BYTES }
    }

    /// A product's price changes at most 10 times an hour.
    fn price_guard(&self) -> Option<Guard> {
        Some(Guard { max: 10, per: Duration::from_secs(3600) })
    }

    fn send_prices(
        &self,
        client: &Client,
        items: &[OutItem],
        cancel: Cancel,
    ) -> Result<Vec<ItemResult>, MarketError> {
        prices::send(client, items, cancel)
    }

    fn stock_item(&self, row: &ExportRow, link: &Link, warehouse: &str) -> Result<Value, Problem> {
        stocks::item(row, link, warehouse)
    }

    fn stock_batch(&self) -> BatchLimit {
        BatchLimit { items: stocks::STOCKS_MAX, bytes: BYTES }
    }

    /// A product-warehouse pair takes one update per 30 s.
    fn stock_guard(&self) -> Option<Guard> {
        Some(Guard { max: 1, per: Duration::from_secs(30) })
    }

    fn send_stocks(
        &self,
        client: &Client,
        _warehouse: &str,
        items: &[OutItem],
        cancel: Cancel,
    ) -> Result<Vec<ItemResult>, MarketError> {
        stocks::send(client, items, cancel)
    }

    fn pull_cards(
        &self,
        client: &Client,
        cursor: Option<&str>,
        cancel: Cancel,
    ) -> Result<(Vec<RemoteCard>, Option<String>), MarketError> {
        pull::page(client, cursor, cancel)
    }
}
