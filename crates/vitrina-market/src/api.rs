//! What the publish engine asks of each marketplace, in one shape: [`MarketApi`].
//!
//! The engine (planning, the outbox, batching, follow-ups, frequency guards, links) is the same
//! for the three marketplaces; everything that differs — endpoints, payload shapes, batch
//! limits, how an answer maps to per-item results — sits behind this trait, implemented in
//! [`crate::wb`], [`crate::ozon`] and [`crate::ym`]. Payloads travel as JSON values: the
//! outbox stores them as they go into a batch, and their hash decides whether anything changed.

use std::time::Duration;

use serde::{Deserialize, Serialize};
use serde_json::Value;
use vitrina_store::export::ExportRow;

use crate::account::Account;
use crate::dict::{CategoryDict, CategorySpec, MpCategory, ResolvedAttr};
use crate::error::MarketError;
use crate::http::Client;
use crate::market::Market;
use crate::precheck::Problem;

/// Checked between requests and during waits; true = stop.
pub type Cancel<'a> = &'a dyn Fn() -> bool;

/// What Vitrina knows about a product's card on one account (the market file's `links` row).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Link {
    /// What was sent as the marketplace's offer key: WB `vendorCode`, Ozon `offer_id`, YM
    /// `offerId` (the product's SKU).
    pub offer_id: String,
    pub ext: ExtIds,
    pub status: LinkStatus,
    /// Newest first; the marketplace's own words, verbatim.
    pub errors: Vec<MarketProblem>,
    /// The marketplace's own status words (Ozon `moderate_status`, YM `cardStatus`).
    pub ext_status: Option<String>,
}

/// The marketplace's ids for a card.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExtIds {
    /// WB `nmID`; Ozon `product_id`; YM `marketSku`.
    pub ext_id: Option<String>,
    /// WB `imtID`; Ozon `model_id`; YM `groupId`.
    pub ext_group: Option<String>,
    /// Ozon `sku`.
    pub ext_sku: Option<String>,
    /// WB sizes `[{"chrtID", "techSize", "wbSize", "skus"}]`: an update and a stock push need
    /// them.
    pub sizes: Option<Value>,
    /// The marketplace's own status words for the card, as last read (Ozon `moderate_status`,
    /// YM `cardStatus`): shown next to the product, kept on the link.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ext_status: Option<String>,
}

impl ExtIds {
    /// `self` with every id `newer` knows replaced.
    pub fn merged(&self, newer: &ExtIds) -> ExtIds {
        ExtIds {
            ext_id: newer.ext_id.clone().or_else(|| self.ext_id.clone()),
            ext_group: newer.ext_group.clone().or_else(|| self.ext_group.clone()),
            ext_sku: newer.ext_sku.clone().or_else(|| self.ext_sku.clone()),
            sizes: newer.sizes.clone().or_else(|| self.sizes.clone()),
            ext_status: newer.ext_status.clone().or_else(|| self.ext_status.clone()),
        }
    }
}

/// Where a product's card stands on one account.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LinkStatus {
    /// Not sent yet (or changed since).
    #[default]
    Queued,
    /// Sent; the marketplace has not answered for it yet.
    Sent,
    /// Accepted; moderation or the marketplace's processing is under way.
    Processing,
    Live,
    Rejected,
    /// Vitrina's own check found problems: nothing was sent.
    PrecheckFailed,
}

impl LinkStatus {
    pub fn code(self) -> &'static str {
        match self {
            LinkStatus::Queued => "queued",
            LinkStatus::Sent => "sent",
            LinkStatus::Processing => "processing",
            LinkStatus::Live => "live",
            LinkStatus::Rejected => "rejected",
            LinkStatus::PrecheckFailed => "precheck_failed",
        }
    }

    pub fn parse(code: &str) -> Option<LinkStatus> {
        Some(match code {
            "queued" => LinkStatus::Queued,
            "sent" => LinkStatus::Sent,
            "processing" => LinkStatus::Processing,
            "live" => LinkStatus::Live,
            "rejected" => LinkStatus::Rejected,
            "precheck_failed" => LinkStatus::PrecheckFailed,
            _ => return None,
        })
    }
}

/// One problem the marketplace reported for one item, in its own words.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct MarketProblem {
    /// The marketplace's code (`UNKNOWN_CATEGORY`, `PRICE_IS_NOT_SENT`…), when it gives one.
    pub code: Option<String>,
    /// The field or attribute it names (`name`, an attribute id…).
    pub field: Option<String>,
    /// The attribute's name, when the marketplace gives it.
    pub attr_name: Option<String>,
    /// Verbatim.
    pub message: String,
}

impl MarketProblem {
    pub fn text(message: impl Into<String>) -> MarketProblem {
        MarketProblem { message: message.into(), ..MarketProblem::default() }
    }
}

/// One product's item handed to a send: its payload as the builder made it and its link.
#[derive(Debug, Clone, PartialEq)]
pub struct OutItem {
    pub offer_id: String,
    pub payload: Value,
    pub link: Link,
}

/// An item sent earlier whose result is still to come.
#[derive(Debug, Clone, PartialEq)]
pub struct AwaitItem {
    pub offer_id: String,
    /// What the send gave back as the handle (Ozon `task_id`, WB price `uploadID`…), if any.
    pub task: Option<String>,
    /// When it was sent, UTC ms (WB's error list is read from then on).
    pub sent_at_ms: i64,
    pub payload: Value,
    pub link: Link,
}

/// What became of one item.
#[derive(Debug, Clone, PartialEq)]
pub enum Outcome {
    /// Accepted and on sale (or, for prices and stocks, applied).
    Done(ExtIds),
    /// Accepted; ask again after `poll_after` (with `task` as the handle).
    Pending { ext: ExtIds, task: Option<String>, poll_after: Duration },
    /// Refused by the marketplace for this item; sending the same payload again would be
    /// refused again.
    Rejected(Vec<MarketProblem>),
    /// Not applied for a reason that passes (YM dropped the whole batch for another offer;
    /// Ozon `PRICE_IS_NOT_SENT`, `TOO_MANY_REQUESTS`): send again after `after`.
    Retry { after: Duration, reason: MarketProblem },
    /// The marketplace already had exactly this (Ozon `skipped`).
    Unchanged(ExtIds),
}

/// The result for one item, keyed by its offer id.
#[derive(Debug, Clone, PartialEq)]
pub struct ItemResult {
    pub offer_id: String,
    pub outcome: Outcome,
}

/// A card that exists on the marketplace (for linking and importing existing cards).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct RemoteCard {
    pub offer_id: String,
    pub ext: ExtIds,
    pub name: String,
    pub brand: String,
    pub description: String,
    pub barcodes: Vec<String>,
    pub images: Vec<String>,
    /// The marketplace category's `ext_id` and name.
    pub category_id: Option<String>,
    pub category_name: Option<String>,
    /// Minor units, when the card list carries a price.
    pub price: Option<i64>,
    /// (name, value) as the marketplace shows them.
    pub attributes: Vec<(String, String)>,
}

/// What goes into one write request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BatchLimit {
    pub items: usize,
    /// Serialized payloads together.
    pub bytes: usize,
}

/// A per-item frequency rule (Ozon: a price ≤ 10 times per hour; a stock pair once per 30 s).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Guard {
    pub max: u32,
    pub per: Duration,
}

/// What a card builder gets besides the product.
#[derive(Debug, Clone, Copy)]
pub struct CardContext<'a> {
    pub account: &'a Account,
    /// The marketplace category the product's category is mapped to, with its dictionaries.
    pub category: &'a CategorySpec,
    /// The attributes with the values the product gives them (by [`crate::resolve`]).
    pub attributes: &'a [ResolvedAttr],
    /// The card as the marketplace knows it, when it was published before.
    pub link: Option<&'a Link>,
    /// The other products this card holds (a Wildberries card's other sizes), each with its
    /// attributes; empty for a card of one product.
    pub members: &'a [Member<'a>],
}

/// Another product of a card that holds several (a size of a Wildberries card).
#[derive(Debug, Clone, Copy)]
pub struct Member<'a> {
    pub row: &'a ExportRow,
    pub attributes: &'a [ResolvedAttr],
}

/// One marketplace's side of publishing. Implementations hold no state: all of it is in the
/// market file, the client and the arguments.
pub trait MarketApi: Sync + std::fmt::Debug {
    fn market(&self) -> Market;

    // ----- dictionaries -----

    /// The whole category tree, parents before children.
    fn fetch_tree(&self, client: &Client, cancel: Cancel) -> Result<Vec<MpCategory>, MarketError>;

    /// One leaf category's attributes and their dictionaries' values (every page).
    fn fetch_category(
        &self,
        client: &Client,
        category: &MpCategory,
        cancel: Cancel,
    ) -> Result<CategoryDict, MarketError>;

    // ----- cards -----

    /// Whether the products of one variant group, with these attributes each, make one card
    /// (Wildberries: sizes of one card, when the subject has a size and every product gives a
    /// different one). The planner then builds the card from the first product, with the
    /// others as [`CardContext::members`], and the others' links follow it.
    fn one_card(&self, spec: &CategorySpec, group: &[&[ResolvedAttr]]) -> bool {
        let _ = (spec, group);
        false
    }

    /// The card item for `row`, pure and deterministic (same input → same JSON, so its hash
    /// tells a change). Problems only the builder can see (a WB size without `techSize`…) come
    /// back instead of a payload. A WB update is always the whole card.
    fn build_card(&self, row: &ExportRow, ctx: &CardContext) -> Result<Value, Vec<Problem>>;

    fn card_batch(&self) -> BatchLimit;

    /// Sends one batch (within [`Self::card_batch`]); every item gets a result. A
    /// request-level failure is the `Err` (the engine retries the batch later).
    fn send_cards(
        &self,
        client: &Client,
        items: &[OutItem],
        cancel: Cancel,
    ) -> Result<Vec<ItemResult>, MarketError>;

    /// Whether status reads spend the same rate budget as the writes (Ozon: every call takes
    /// `ozon.global`). Then the writes go first: the total of requests is the same either way,
    /// but a write held back behind reads moves its own verdict — the run's end — later.
    fn reads_share_the_write_budget(&self) -> bool {
        false
    }

    /// How many pending items one [`Self::follow_up`] call takes (what the status method
    /// reads at once: Ozon's product info 1,000, YM's card statuses 200).
    fn follow_up_batch(&self) -> usize {
        100
    }

    /// Asks about items whose result was [`Outcome::Pending`]. Items still pending come back
    /// pending.
    fn follow_up(
        &self,
        client: &Client,
        items: &[AwaitItem],
        cancel: Cancel,
    ) -> Result<Vec<ItemResult>, MarketError>;

    // ----- prices and stocks -----

    /// The price item for `row`, or why there is none yet (a WB card without `nmID`).
    fn price_item(&self, row: &ExportRow, link: &Link) -> Result<Value, Problem>;
    fn price_batch(&self) -> BatchLimit;
    fn price_guard(&self) -> Option<Guard>;
    fn send_prices(
        &self,
        client: &Client,
        items: &[OutItem],
        cancel: Cancel,
    ) -> Result<Vec<ItemResult>, MarketError>;

    /// The stock item for `row` on `warehouse` (the marketplace's warehouse id; `""` for YM,
    /// whose stocks go per campaign).
    fn stock_item(&self, row: &ExportRow, link: &Link, warehouse: &str) -> Result<Value, Problem>;
    fn stock_batch(&self) -> BatchLimit;
    fn stock_guard(&self) -> Option<Guard>;
    fn send_stocks(
        &self,
        client: &Client,
        warehouse: &str,
        items: &[OutItem],
        cancel: Cancel,
    ) -> Result<Vec<ItemResult>, MarketError>;

    // ----- existing cards -----

    /// One page of the account's cards; the cursor for the next page, `None` after the last.
    fn pull_cards(
        &self,
        client: &Client,
        cursor: Option<&str>,
        cancel: Cancel,
    ) -> Result<(Vec<RemoteCard>, Option<String>), MarketError>;
}

/// The implementation for `market`.
pub fn api(market: Market) -> &'static dyn MarketApi {
    match market {
        Market::Wb => &crate::wb::WbApi,
        Market::Ozon => &crate::ozon::OzonApi,
        Market::Ym => &crate::ym::YmApi,
    }
}
