//! Yandex Market's side of publishing ([`MarketApi`]).

use serde_json::Value;
use vitrina_store::export::ExportRow;

use crate::api::{
    AwaitItem, BatchLimit, Cancel, CardContext, Guard, ItemResult, Link, MarketApi, OutItem, RemoteCard,
};
use crate::dict::{CategoryDict, MpCategory};
use crate::error::{ErrorKind, MarketError};
use crate::http::Client;
use crate::market::Market;
use crate::precheck::{Problem, ProblemCode};

#[derive(Debug, Clone, Copy)]
pub struct YmApi;

fn not_yet() -> MarketError {
    MarketError::new(ErrorKind::Invalid, "not built yet")
}

impl MarketApi for YmApi {
    fn market(&self) -> Market {
        Market::Ym
    }

    fn fetch_tree(&self, _client: &Client, _cancel: Cancel) -> Result<Vec<MpCategory>, MarketError> {
        Err(not_yet())
    }

    fn fetch_category(
        &self,
        _client: &Client,
        _category: &MpCategory,
        _cancel: Cancel,
    ) -> Result<CategoryDict, MarketError> {
        Err(not_yet())
    }

    fn build_card(&self, _row: &ExportRow, _ctx: &CardContext) -> Result<Value, Vec<Problem>> {
        Err(vec![Problem::new(ProblemCode::CategoryNotLoaded, "category", "not built yet")])
    }

    fn card_batch(&self) -> BatchLimit {
        BatchLimit { items: 100, bytes: 10 << 20 }
    }

    fn send_cards(
        &self,
        _client: &Client,
        _items: &[OutItem],
        _cancel: Cancel,
    ) -> Result<Vec<ItemResult>, MarketError> {
        Err(not_yet())
    }

    fn follow_up(
        &self,
        _client: &Client,
        _items: &[AwaitItem],
        _cancel: Cancel,
    ) -> Result<Vec<ItemResult>, MarketError> {
        Err(not_yet())
    }

    fn price_item(&self, _row: &ExportRow, _link: &Link) -> Result<Value, Problem> {
        Err(Problem::new(ProblemCode::NotPublished, "price", "not built yet"))
    }

    fn price_batch(&self) -> BatchLimit {
        BatchLimit { items: 1000, bytes: 10 << 20 }
    }

    fn price_guard(&self) -> Option<Guard> {
        None
    }

    fn send_prices(
        &self,
        _client: &Client,
        _items: &[OutItem],
        _cancel: Cancel,
    ) -> Result<Vec<ItemResult>, MarketError> {
        Err(not_yet())
    }

    fn stock_item(&self, _row: &ExportRow, _link: &Link, _warehouse: &str) -> Result<Value, Problem> {
        Err(Problem::new(ProblemCode::NotPublished, "stock", "not built yet"))
    }

    fn stock_batch(&self) -> BatchLimit {
        BatchLimit { items: 100, bytes: 10 << 20 }
    }

    fn stock_guard(&self) -> Option<Guard> {
        None
    }

    fn send_stocks(
        &self,
        _client: &Client,
        _warehouse: &str,
        _items: &[OutItem],
        _cancel: Cancel,
    ) -> Result<Vec<ItemResult>, MarketError> {
        Err(not_yet())
    }

    fn pull_cards(
        &self,
        _client: &Client,
        _cursor: Option<&str>,
        _cancel: Cancel,
    ) -> Result<(Vec<RemoteCard>, Option<String>), MarketError> {
        Err(not_yet())
    }
}
