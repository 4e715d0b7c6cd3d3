//! Marketplace accounts as the front ends see them. Credentials go in ([`NewMarketAccountDto`])
//! and never come back out: an account only says whether its secret is set.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// A marketplace account.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct MarketAccountDto {
    pub id: String,
    pub name: String,
    /// `wb`, `ozon` or `ym`.
    pub market: String,
    /// Wildberries, Ozon, Yandex Market.
    pub market_title: String,
    /// Replaces every API host of the marketplace (a sandbox, a test server); none for production.
    pub base_url: Option<String>,
    /// Yandex Market: the cabinet and the shop.
    pub business_id: Option<i64>,
    pub campaign_id: Option<i64>,
    /// Prices and stocks go out after edits and imports.
    pub auto_push: bool,
    /// The seller's warehouse name → the marketplace's warehouse id (stocks go there).
    pub warehouses: Vec<(String, String)>,
    /// A demo account on a demo marketplace running on this computer.
    pub demo: bool,
    /// Whether credentials are stored (in the OS keyring) for this account.
    pub secret_set: bool,
    pub last_check: Option<ConnectionCheckDto>,
    /// UTC milliseconds.
    pub created_at: i64,
}

/// A new account and its credentials.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, TS)]
#[serde(default)]
pub struct NewMarketAccountDto {
    pub name: String,
    /// `wb`, `ozon` or `ym`.
    pub market: String,
    pub base_url: Option<String>,
    pub business_id: Option<i64>,
    pub campaign_id: Option<i64>,
    /// Wildberries: the API token; Ozon: the Api-Key; Yandex Market: the Api-Key.
    pub token: String,
    /// Ozon: the Client-Id.
    pub client_id: String,
}

/// What "check connection" found.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct ConnectionCheckDto {
    /// Every group answered.
    pub ok: bool,
    /// UTC milliseconds.
    pub checked_at: i64,
    pub groups: Vec<GroupCheckDto>,
    /// Ozon roles, Yandex Market scopes.
    pub scopes: Vec<String>,
    /// Yandex Market: the shops the key sees.
    pub campaigns: Vec<CampaignDto>,
    /// Wildberries: the seller's warehouses.
    pub warehouses: Vec<WarehouseDto>,
}

/// One API group's answer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct GroupCheckDto {
    /// Wildberries `content`, `prices`, `marketplace`; Ozon `seller_api` or a method; Yandex
    /// Market `auth`, `campaign`…
    pub group: String,
    /// `ok`, `bad_token`, `expired_token`, `wrong_token_category`, `no_access`, `missing_scope`,
    /// `ip_restricted`, `payment_required`, `wrong_campaign`, `rate_limited`, `unreachable`,
    /// `server_error` or `credentials_missing`.
    pub outcome: String,
    pub status: Option<u16>,
    /// The marketplace's own words.
    pub message: String,
}

/// A Yandex Market shop.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct CampaignDto {
    pub id: i64,
    pub business_id: Option<i64>,
    pub business_name: String,
    pub domain: String,
    pub placement_type: Option<String>,
    pub api_availability: Option<String>,
}

/// A marketplace warehouse of the seller.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct WarehouseDto {
    pub id: String,
    pub name: String,
}

/// The local pre-check of products against one marketplace's documented limits.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct PrecheckDto {
    /// `wb`, `ozon` or `ym`.
    pub market: String,
    pub checked: u64,
    pub with_problems: u64,
    /// How many products have each problem, most frequent first.
    pub counts: Vec<ProblemCountDto>,
    /// The products with problems, the first [`crate::market::PRECHECK_LIST_MAX`] of them.
    pub products: Vec<ProductProblemsDto>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct ProblemCountDto {
    pub code: String,
    pub count: u64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct ProductProblemsDto {
    pub sku: String,
    pub name: String,
    pub problems: Vec<ProblemDto>,
}

/// One problem: `no_images`, `name_too_long`, `bad_barcode`… on a field, with the detail.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct ProblemDto {
    pub code: String,
    pub field: String,
    pub detail: String,
}

/// What a publish or push run did: the plan (products read, queued, unchanged, with
/// problems) and the sending (requests, results).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct MarketRunDto {
    pub account_id: String,
    pub account: String,
    pub market: String,
    pub read: u64,
    pub queued: u64,
    pub unchanged: u64,
    pub precheck_failed: u64,
    /// Left out of a price or stock push: the card is not on the marketplace yet.
    pub not_published: u64,
    pub requests: u64,
    pub follow_ups: u64,
    pub done: u64,
    pub rejected: u64,
    pub retried: u64,
    /// Accepted; the marketplace's verdict is still to come.
    pub awaiting: u64,
    /// When the outbox next has something due (held by a frequency limit, or a verdict to ask
    /// for), UTC ms; a run is queued for then.
    pub next_due: Option<i64>,
}

/// A dictionaries refresh: how much of the account's tree and attributes is cached.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct DictRefreshDto {
    pub account: String,
    pub categories: u64,
    pub leaves: u64,
    /// Categories whose attributes are cached.
    pub loaded: u64,
    /// Categories whose attributes this refresh fetched.
    pub refreshed: u64,
    /// UTC ms.
    pub fetched_at: Option<i64>,
}

/// A marketplace category.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct MpCategoryDto {
    pub ext_id: String,
    pub parent_id: Option<String>,
    pub name: String,
    pub path: String,
    pub leaf: bool,
}

/// A suggested marketplace category.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct SuggestionDto {
    pub ext_id: String,
    pub path: String,
    pub score: f32,
    /// Good enough to accept without asking.
    pub confident: bool,
}

/// One of the seller's categories (that holds products) and where it goes on a marketplace.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct CategoryMapDto {
    pub category_id: String,
    pub path: String,
    pub products: u64,
    pub ext_id: Option<String>,
    pub ext_path: Option<String>,
    pub suggestion: Option<SuggestionDto>,
}

/// What an automatic mapping did.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, TS)]
pub struct AutoMapDto {
    pub account: String,
    pub categories_mapped: u64,
    /// Mapped before; left as they were.
    pub categories_kept: u64,
    /// No confident suggestion: the seller chooses.
    pub categories_unmapped: Vec<String>,
    pub attributes_mapped: u64,
    /// Required attributes with no confident suggestion.
    pub required_unmapped: u64,
}

/// A marketplace attribute and how it is filled.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct AttrMapDto {
    pub attr_id: String,
    pub name: String,
    /// `text`, `number`, `enum`, `bool`.
    pub kind: String,
    pub required: bool,
    pub multi: bool,
    pub unit: Option<String>,
    pub dictionary_size: u64,
    /// Only the dictionary's values are accepted.
    pub closed: bool,
    /// `field:brand`, `attr:Цвет`, `const:Россия`; none when not mapped.
    pub source: Option<String>,
    pub unit_factor: Option<f64>,
    pub suggestion: Option<String>,
    pub suggestion_confident: bool,
    /// The first values of its dictionary.
    pub sample_values: Vec<String>,
}

/// A dictionary value of a marketplace attribute.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct MpValueDto {
    pub value_id: String,
    pub value: String,
}

/// One of the seller's own values of an attribute, and what the card would carry.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct SellerValueDto {
    /// As the products write it.
    pub text: String,
    /// How many products of the mapped categories say it.
    pub products: u64,
    /// `mapped` (the seller chose), `found` (the dictionary has it), `as_is` (sent as it is:
    /// a free-text attribute or an open dictionary), `refused` (the card check stops it).
    pub state: String,
    /// The dictionary value it becomes (`mapped`, `found`).
    pub value: Option<MpValueDto>,
    /// `refused`: the problem's code and its detail.
    pub problem: Option<ProblemDto>,
    /// The dictionary value it most likely means (not for `mapped` and `found`).
    pub suggestion: Option<MpValueDto>,
    pub suggestion_confident: bool,
}

/// The seller's values of one attribute in one mapped category.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct AttrValuesDto {
    pub attr: AttrMapDto,
    /// The rule in use (`attr:Цвет`), the seller's or the confident suggestion; none when the
    /// attribute is not filled.
    pub source: Option<String>,
    /// Products of the seller's categories mapped to this one.
    pub products: u64,
    pub values: Vec<SellerValueDto>,
}

/// One product's card on one account.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct MarketLinkDto {
    pub product_id: String,
    pub sku: String,
    pub name: String,
    /// `queued`, `sent`, `processing`, `live`, `rejected`, `precheck_failed`.
    pub status: String,
    /// WB nmID, Ozon product_id, YM marketSku.
    pub ext_id: Option<String>,
    /// WB imtID, Ozon model_id, YM groupId.
    pub ext_group: Option<String>,
    /// Ozon sku.
    pub ext_sku: Option<String>,
    /// The marketplace's own status words.
    pub ext_status: Option<String>,
    /// Vitrina's own check.
    pub problems: Vec<ProblemDto>,
    /// The marketplace's words, verbatim.
    pub errors: Vec<MarketErrorDto>,
    pub updated_at: i64,
}

/// A problem the marketplace reported.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct MarketErrorDto {
    pub code: Option<String>,
    pub field: Option<String>,
    pub attr_name: Option<String>,
    pub message: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct MarketLinkCountDto {
    pub status: String,
    pub count: u64,
}

/// A page of an account's links (the error inbox when filtered to problems).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct MarketLinksDto {
    pub account: String,
    pub market: String,
    /// Every status of the account, whatever the filter.
    pub counts: Vec<MarketLinkCountDto>,
    pub items: Vec<MarketLinkDto>,
}

/// A product on one account (for the product editor).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct ProductMarketDto {
    pub account_id: String,
    pub account: String,
    pub market: String,
    /// None: never published to this account.
    pub link: Option<MarketLinkDto>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct OutboxCountDto {
    /// `card`, `price`, `stock`.
    pub op: String,
    /// `pending`, `sending`, `awaiting`, `done`, `failed`.
    pub state: String,
    pub count: u64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct OutboxRowDto {
    pub seq: i64,
    pub sku: String,
    pub op: String,
    pub warehouse: String,
    pub state: String,
    pub attempts: u32,
    pub error: Option<String>,
    pub created_at: i64,
    pub sent_at: Option<i64>,
}

/// An account's outbox.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct OutboxDto {
    pub account: String,
    pub counts: Vec<OutboxCountDto>,
    pub rows: Vec<OutboxRowDto>,
}

/// What pulling an account's existing cards did.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, TS)]
pub struct PullCardsDto {
    pub account: String,
    pub cards: u64,
    pub linked_by_sku: u64,
    pub linked_by_barcode: u64,
    /// New draft products made from cards no product matched.
    pub imported: u64,
    pub unmatched_count: u64,
    /// `SKU — name` of the first unmatched cards.
    pub unmatched: Vec<String>,
    /// Cards that could not become products, with the reason.
    pub failed: Vec<String>,
    /// Cards to import that wait for the supplier import holding the catalog: a job makes them
    /// products and links them as soon as it ends.
    pub held: u64,
}

/// A demo marketplace started for a person (`vitrina mp fake-server`): where it listens and
/// the command that adds an account on it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct FakeServerDto {
    pub market: String,
    pub url: String,
    /// What the fake accepts; it opens only this computer's fake.
    pub token: String,
    pub add: String,
}
