//! Yandex Market's side of publishing ([`MarketApi`]): each method hands over to the module
//! that does the work. The ids the paths name come from the client (the account's
//! `businessId` and `campaignId`).

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
pub struct YmApi;

/// The request bodies stay far below any size limit YM documents; 10 MB keeps them small.
const BYTES: usize = 10 << 20;

impl MarketApi for YmApi {
    fn market(&self) -> Market {
        Market::Ym
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
        BatchLimit { items: publish::CARD_BATCH, bytes: BYTES }
    }

    fn send_cards(
        &self,
        client: &Client,
        items: &[OutItem],
        cancel: Cancel,
    ) -> Result<Vec<ItemResult>, MarketError> {
        publish::send_cards(client, items, cancel)
    }

    /// `offer-cards` reads 200 offers at once.
    fn follow_up_batch(&self) -> usize {
        200
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
        prices::price_item(row, link)
    }

    fn price_batch(&self) -> BatchLimit {
        BatchLimit { items: prices::PRICE_BATCH, bytes: BYTES }
    }

    /// YM documents no per-offer frequency rule for prices.
    fn price_guard(&self) -> Option<Guard> {
        None
    }

    fn send_prices(
        &self,
        client: &Client,
        items: &[OutItem],
        cancel: Cancel,
    ) -> Result<Vec<ItemResult>, MarketError> {
        prices::send_prices(client, items, cancel)
    }

    /// `warehouse` is `""`: YM stocks go per campaign.
    fn stock_item(&self, row: &ExportRow, link: &Link, _warehouse: &str) -> Result<Value, Problem> {
        stocks::stock_item(row, link)
    }

    fn stock_batch(&self) -> BatchLimit {
        BatchLimit { items: stocks::STOCK_BATCH, bytes: BYTES }
    }

    /// Nor for stocks.
    fn stock_guard(&self) -> Option<Guard> {
        None
    }

    fn send_stocks(
        &self,
        client: &Client,
        _warehouse: &str,
        items: &[OutItem],
        cancel: Cancel,
    ) -> Result<Vec<ItemResult>, MarketError> {
        stocks::send_stocks(client, items, cancel)
    }

    fn pull_cards(
        &self,
        client: &Client,
        cursor: Option<&str>,
        cancel: Cancel,
    ) -> Result<(Vec<RemoteCard>, Option<String>), MarketError> {
        pull::pull_cards(client, cursor, cancel)
    }
}
