//! Wildberries's side of publishing ([`MarketApi`]): each method hands over to the module that
//! does the work.
//!
//! Follow-ups tell cards and prices apart by their task: a price item's is
//! `price:<uploadID>`, a card item's the send time in UTC ms.

use serde_json::Value;
use vitrina_store::export::ExportRow;

use super::{card, dict, follow, prices, publish, pull, stocks};
use crate::api::{
    AwaitItem, BatchLimit, Cancel, CardContext, Guard, ItemResult, Link, MarketApi, OutItem, RemoteCard,
};
use crate::dict::{CategoryDict, CategorySpec, MpCategory, ResolvedAttr};
use crate::error::MarketError;
use crate::http::Client;
use crate::market::Market;
use crate::precheck::Problem;

/// Upload and update requests are at most 10 MB.
const TEN_MB: usize = 10 << 20;

#[derive(Debug, Clone, Copy)]
pub struct WbApi;

impl MarketApi for WbApi {
    fn market(&self) -> Market {
        Market::Wb
    }

    fn fetch_tree(&self, client: &Client, cancel: Cancel) -> Result<Vec<MpCategory>, MarketError> {
        dict::tree(client, cancel)
    }

    fn fetch_category(
        &self,
        client: &Client,
        category: &MpCategory,
        cancel: Cancel,
    ) -> Result<CategoryDict, MarketError> {
        dict::category(client, category, cancel)
    }

    fn one_card(&self, spec: &CategorySpec, group: &[&[ResolvedAttr]]) -> bool {
        card::one_card(spec, group)
    }

    fn build_card(&self, row: &ExportRow, ctx: &CardContext) -> Result<Value, Vec<Problem>> {
        card::build(row, ctx)
    }

    /// 100 upload entries per request; a batch of 100 items never makes more.
    fn card_batch(&self) -> BatchLimit {
        BatchLimit { items: 100, bytes: TEN_MB }
    }

    fn send_cards(
        &self,
        client: &Client,
        items: &[OutItem],
        cancel: Cancel,
    ) -> Result<Vec<ItemResult>, MarketError> {
        publish::send(client, items, cancel)
    }

    fn follow_up(
        &self,
        client: &Client,
        items: &[AwaitItem],
        cancel: Cancel,
    ) -> Result<Vec<ItemResult>, MarketError> {
        let (priced, cards): (Vec<&AwaitItem>, Vec<&AwaitItem>) =
            items.iter().partition(|i| i.task.as_deref().is_some_and(|t| t.starts_with(prices::TASK_PREFIX)));
        let mut out = follow::follow(client, &cards, cancel)?;
        out.extend(prices::follow(client, &priced, cancel)?);
        Ok(out)
    }

    fn price_item(&self, row: &ExportRow, link: &Link) -> Result<Value, Problem> {
        prices::item(row, link)
    }

    fn price_batch(&self) -> BatchLimit {
        BatchLimit { items: 1000, bytes: TEN_MB }
    }

    fn price_guard(&self) -> Option<Guard> {
        None
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
        BatchLimit { items: 1000, bytes: TEN_MB }
    }

    fn stock_guard(&self) -> Option<Guard> {
        None
    }

    fn send_stocks(
        &self,
        client: &Client,
        warehouse: &str,
        items: &[OutItem],
        cancel: Cancel,
    ) -> Result<Vec<ItemResult>, MarketError> {
        stocks::send(client, warehouse, items, cancel)
    }

    fn pull_cards(
        &self,
        client: &Client,
        cursor: Option<&str>,
        cancel: Cancel,
    ) -> Result<(Vec<RemoteCard>, Option<String>), MarketError> {
        pull::pull(client, cursor, cancel)
    }
}
