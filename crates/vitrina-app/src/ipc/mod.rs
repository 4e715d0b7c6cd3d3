//! The desktop's IPC contract: the DTOs that cross between the Tauri shell and the UI.
//!
//! Every type here derives `ts_rs::TS`; [`typescript`] renders them into one TypeScript file,
//! committed as `ui/src/lib/ipc/types.ts`, and a test fails when the two drift apart
//! (`VITRINA_WRITE_IPC=1 cargo test -p vitrina-app ipc` rewrites it). Store and domain types
//! stay free of TypeScript concerns: they are converted here.

mod ai;
mod convert;
mod feeds;
mod images;
mod jobs;
mod market;
mod suppliers;
mod team;

use serde::{Deserialize, Serialize};
use ts_rs::TS;

pub use ai::*;
pub use convert::{format_money, shown_value};
pub use feeds::*;
pub use images::*;
pub use jobs::*;
pub use market::*;
pub use suppliers::*;
pub use team::*;

pub use crate::error::{AppError, ErrorCode};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum StatusDto {
    Draft,
    Active,
    Archived,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum SortDto {
    #[default]
    Name,
    Price,
    Stock,
    Updated,
}

/// An amount: integer minor units, the currency, and the text people read (`1 299,50`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct MoneyDto {
    #[ts(type = "number")]
    pub minor: i64,
    pub currency: String,
    pub text: String,
}

/// One row of the catalog table.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct ProductRowDto {
    pub id: String,
    pub sku: String,
    pub name: String,
    pub brand: String,
    pub category: Option<String>,
    pub price: MoneyDto,
    pub old_price: Option<MoneyDto>,
    #[ts(type = "number")]
    pub stock: i64,
    pub status: StatusDto,
    /// UTC milliseconds.
    #[ts(type = "number")]
    pub updated_at: i64,
    pub image: Option<String>,
}

/// Filters as the UI holds them: ids as text, prices as typed (`1 000`, `99,90`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct FilterDto {
    pub category: Option<String>,
    pub brand: Option<String>,
    pub supplier: Option<String>,
    pub price_min: Option<String>,
    pub price_max: Option<String>,
    pub in_stock: Option<bool>,
    pub status: Option<StatusDto>,
    pub text: Option<String>,
}

/// Which list the catalog table shows.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct TableQuery {
    pub filter: FilterDto,
    pub sort: SortDto,
    pub descending: bool,
    /// Search the text exactly as typed: no other keyboard layout, alphabet or spelling.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub as_typed: Option<bool>,
}

/// How many rows the table has: exact, or a lower bound ("10 000+") for broad searches.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct TableInfo {
    pub total: u32,
    pub exact: bool,
    /// What was searched besides or instead of the text as typed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub correction: Option<CorrectionDto>,
}

/// A search read as it was most likely meant: "Показаны результаты по запросу «кроссовки
/// nike»".
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct CorrectionDto {
    /// The query as typed.
    pub typed: String,
    /// The query searched: "кроссовки nike".
    pub query: String,
    /// True: the results are this query's, the typed one found nothing. False: they follow
    /// the typed query's own few matches.
    pub instead: bool,
    pub changes: Vec<ChangeDto>,
}

/// One word or token read otherwise.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct ChangeDto {
    pub typed: String,
    pub meant: String,
    pub kind: ChangeKindDto,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum ChangeKindDto {
    /// Typed with the other keyboard layout on.
    Layout,
    /// A name written in the other alphabet.
    Alphabet,
    /// One letter wrong, missing, extra or swapped.
    Typo,
}

/// Rows starting at `position` of the table.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct TableRows {
    pub position: u32,
    pub rows: Vec<ProductRowDto>,
}

/// One page of a product list (`vitrina products list`): the rows and where the next page
/// starts (`None` on the last page).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct ProductPageDto {
    pub rows: Vec<ProductRowDto>,
    /// The cursor to continue after (`--after`).
    pub next: Option<String>,
    /// The text filter as it was read, when not as typed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub correction: Option<CorrectionDto>,
}

/// The best matches for words (`vitrina products search`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct ProductSearchDto {
    pub rows: Vec<ProductRowDto>,
    /// Matches in all, counted up to a cap.
    #[ts(type = "number")]
    pub total: u64,
    /// False when there are more matches than counted ("1 000+").
    pub total_is_exact: bool,
    /// What was searched besides or instead of the words as typed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub correction: Option<CorrectionDto>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct AttributeDto {
    pub name: String,
    pub value: String,
    pub unit: Option<String>,
}

/// A kit, pack or related link as seen from one product.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct LinkDto {
    /// `kit`, `pack` or `related`.
    pub kind: String,
    /// Kit: units of the component; pack: units of the base product.
    pub quantity: Option<u32>,
    /// True when this product is the kit or pack.
    pub outgoing: bool,
    pub other_id: String,
    pub other_sku: String,
    pub other_name: String,
}

/// The editable fields, by the names `edit_field` takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum FieldName {
    Sku,
    Name,
    Description,
    Brand,
    Model,
    Category,
    VariantGroup,
    Barcodes,
    Weight,
    Dimensions,
    Price,
    OldPrice,
    Cost,
    Stock,
    Status,
    Attributes,
    Images,
}

/// A field's value as the editor shows it and as `edit_field` accepts it back.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct FieldText {
    pub field: FieldName,
    pub text: String,
    /// Set when the value follows from links (a kit's stock, a pack's price) and is not editable.
    pub derived: Option<String>,
}

/// A product as the editor shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct ProductDto {
    pub id: String,
    pub sku: String,
    pub name: String,
    pub category_path: Option<String>,
    pub price: MoneyDto,
    /// Absent when the product has none. (Optional in TypeScript so that objects written
    /// before these amounts were added still type-check.)
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub old_price: Option<MoneyDto>,
    /// What the product costs the seller; absent when unknown.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub cost: Option<MoneyDto>,
    #[ts(type = "number")]
    pub stock: i64,
    pub status: StatusDto,
    pub attributes: Vec<AttributeDto>,
    pub images: Vec<String>,
    pub variant_group: Option<String>,
    pub links: Vec<LinkDto>,
    pub fields: Vec<FieldText>,
}

/// One field change in a product's history.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct HistoryEntryDto {
    pub id: String,
    /// `create`, `update` or `delete`.
    pub op: String,
    pub field: String,
    /// The values as history stores them (canonical: `19900 RUB`), for scripts.
    pub old: Option<String>,
    pub new: Option<String>,
    /// The values as the editor shows them (`199,00`), for people.
    pub old_text: Option<String>,
    pub new_text: Option<String>,
    pub who: String,
    /// UTC milliseconds.
    #[ts(type = "number")]
    pub at: u64,
    pub batch: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct UndoDto {
    pub fields: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct CategoryDto {
    pub id: String,
    pub parent: Option<String>,
    pub name: String,
    pub depth: u32,
    pub path: String,
    #[ts(type = "number")]
    pub products: u64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct SupplierDto {
    pub id: String,
    pub name: String,
}

/// How many products have one value (a status, a top-level category, a brand).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct CountDto {
    pub key: String,
    #[ts(type = "number")]
    pub products: u64,
}

/// The catalog in numbers (`vitrina stats`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct StatsDto {
    #[ts(type = "number")]
    pub products: u64,
    #[ts(type = "number")]
    pub in_stock: u64,
    #[ts(type = "number")]
    pub out_of_stock: u64,
    #[ts(type = "number")]
    pub stock_units: i64,
    /// Σ price × stock, in the catalog's currency.
    pub stock_value: MoneyDto,
    pub by_status: Vec<CountDto>,
    /// Top-level categories with everything below them; `—` for products without a category.
    pub by_category: Vec<CountDto>,
    /// The brands with most products.
    pub top_brands: Vec<CountDto>,
    #[ts(type = "number")]
    pub brands: u64,
    #[ts(type = "number")]
    pub categories: u64,
    #[ts(type = "number")]
    pub suppliers: u64,
}

/// What the filter panel offers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct FacetsDto {
    pub categories: Vec<CategoryDto>,
    pub brands: Vec<String>,
    pub suppliers: Vec<SupplierDto>,
}

/// A change applied to every selected product.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum BulkChange {
    /// +10 raises prices by 10 %, -5 lowers them by 5 %.
    PricePercent {
        percent: f64,
    },
    /// Adds a signed amount as typed: `100`, `-49,90`.
    PriceAmount {
        amount: String,
    },
    Status {
        status: StatusDto,
    },
    /// A category path or name; empty clears it.
    Category {
        category: String,
    },
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct BulkEditRequest {
    pub ids: Vec<String>,
    pub change: BulkChange,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct BulkFailure {
    pub sku: String,
    pub message: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct BulkReport {
    pub changed: u32,
    pub unchanged: u32,
    pub failed: Vec<BulkFailure>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum JobStateDto {
    Queued,
    Running,
    Succeeded,
    Failed,
    Cancelled,
}

/// What a running job is doing. Each kind's handler reports these codes; the UI words them in
/// the person's language (`ui/src/lib/jobs.ts`), the CLI in English ([`JobStage::words`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum JobStage {
    /// A supplier's feed is being downloaded.
    Downloading,
    /// A supplier's feed is being read into the catalog.
    Importing,
    /// Product images are being downloaded into the cache.
    DownloadingImages,
    Repricing,
    Analyzing,
    /// Feeds and price lists are being written (and uploaded).
    Exporting,
    /// Cards are being checked and sent to a marketplace.
    Publishing,
    /// Waiting for a marketplace's verdict on what was sent.
    FollowingUp,
    /// Prices and stocks are being sent to a marketplace.
    Pushing,
    /// Cards are being checked by rules and an AI model.
    Moderating,
    /// Descriptions are being written by an AI model.
    Generating,
}

impl JobStage {
    pub const ALL: [JobStage; 11] = [
        JobStage::Downloading,
        JobStage::Importing,
        JobStage::DownloadingImages,
        JobStage::Repricing,
        JobStage::Analyzing,
        JobStage::Exporting,
        JobStage::Publishing,
        JobStage::FollowingUp,
        JobStage::Pushing,
        JobStage::Moderating,
        JobStage::Generating,
    ];

    /// The code stored with the job's progress.
    pub fn code(self) -> &'static str {
        match self {
            JobStage::Downloading => "downloading",
            JobStage::Importing => "importing",
            JobStage::DownloadingImages => "downloading_images",
            JobStage::Repricing => "repricing",
            JobStage::Analyzing => "analyzing",
            JobStage::Exporting => "exporting",
            JobStage::Publishing => "publishing",
            JobStage::FollowingUp => "following_up",
            JobStage::Pushing => "pushing",
            JobStage::Moderating => "moderating",
            JobStage::Generating => "generating",
        }
    }

    /// In English, for the CLI and logs.
    pub fn words(self) -> &'static str {
        match self {
            JobStage::Downloading => "downloading",
            JobStage::Importing => "importing",
            JobStage::DownloadingImages => "downloading product images",
            JobStage::Repricing => "repricing",
            JobStage::Analyzing => "refreshing statistics",
            JobStage::Exporting => "exporting feeds",
            JobStage::Publishing => "publishing cards",
            JobStage::FollowingUp => "waiting for the marketplace's verdict",
            JobStage::Pushing => "sending prices and stocks",
            JobStage::Moderating => "checking cards with AI",
            JobStage::Generating => "writing descriptions with AI",
        }
    }

    pub fn parse(code: &str) -> Option<Self> {
        JobStage::ALL.into_iter().find(|s| s.code() == code)
    }
}

/// How a cancelled job ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum JobEndDto {
    CancelledOnRequest,
    CancelledByHandler,
    CancelledBeforeStart,
}

/// Why a failed job failed, as the code its handler chose (stored as the job's `error_code`);
/// the UI words it in the person's language (`ui/src/lib/jobs.ts`), the back end's sentence in
/// `error` is the details. A code this version does not know arrives as none.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum JobErrorCode {
    /// Nothing at the link (HTTP 404 or 410).
    NotFound,
    /// The server refused the sign-in or access (HTTP 401 or 403).
    AccessDenied,
    /// The supplier's server failed (HTTP 5xx).
    ServerError,
    /// The server answered with another error status.
    UnexpectedStatus,
    /// The server did not answer in time.
    Timeout,
    /// The server could not be reached.
    ConnectionFailed,
    /// The download broke off.
    DownloadInterrupted,
    /// Too many redirects, or one that would carry the sign-in to another site.
    BadRedirect,
    /// The feed's link or settings are unusable.
    SourceSettingsInvalid,
    /// The feed signs in, but its password or token is missing or cannot be sent.
    SecretMissing,
    /// The saved password or token could not be read.
    SecretUnreadable,
    /// The file is bigger than the supplier's size limit.
    TooLarge,
    /// The file has no content.
    FileEmpty,
    /// A gzip or zip archive that is damaged or cut off.
    ArchiveDamaged,
    /// An archive with no price list inside.
    ArchiveWithoutFeed,
    /// An archive Vitrina cannot unpack.
    ArchiveUnsupported,
    /// The local file does not exist.
    FileMissing,
    /// The local file cannot be read.
    FileUnreadable,
    /// The download could not be saved on disk.
    CacheWriteFailed,
    /// The supplier has no file or link yet.
    NoFeed,
    /// The supplier's import settings are damaged or incomplete.
    ImportSettingsInvalid,
    /// The file is not a price list or feed.
    NotAFeed,
    /// The feed has no products (an empty file, sheet or offers section).
    FeedEmpty,
    /// The items are not where the settings say (item element, JSON path, sheet).
    FeedLayoutMismatch,
    /// The text is not in the encoding given.
    FeedEncoding,
    /// The file is damaged or cut off.
    FeedUnreadable,
    /// The catalog could not be read or written.
    CatalogError,
    /// The work was cancelled.
    Cancelled,
    /// A price change not above -100 % and at most 1000 %.
    PercentOutOfRange,
    /// Some feed profile failed to export (each profile's result says why).
    ExportFailed,
    /// No feed profile was enabled, or a named one no longer exists.
    NothingToExport,
    /// A step of the catalog cycle failed, which stopped the chain.
    CycleStepFailed,
    /// No credentials are stored for the marketplace account.
    MarketCredentialsMissing,
    /// The marketplace does not accept the account's credentials.
    MarketUnauthorized,
    /// The credentials work, but not for this method (token category, role, scope).
    MarketForbidden,
    /// The marketplace kept answering "too many requests".
    MarketRateLimited,
    /// In a team, another device owns the marketplaces: prices and stocks go from there.
    MarketOwnedElsewhere,
    /// The marketplace refused the request itself (each product's reason is on its link).
    MarketRejected,
    /// The marketplace could not be reached.
    MarketUnreachable,
    /// The account's settings do not allow this (no warehouse mapped, no campaign).
    MarketSettingsInvalid,
    /// No API key is saved for the AI provider.
    AiKeyMissing,
    /// The AI provider does not accept the key (or refuses the model).
    AiUnauthorized,
    /// The AI provider could not be reached (every product failed so).
    AiUnreachable,
    /// The AI provider kept answering "too many requests".
    AiRateLimited,
    /// Every product of the run failed (each product's reason is in its result).
    AiFailed,
    /// No such AI provider, or its settings are not usable.
    AiSettingsInvalid,
    /// The job's handler crashed (a bug).
    HandlerCrashed,
    /// This version of Vitrina has no handler for the job's kind.
    UnknownKind,
}

impl JobErrorCode {
    pub const ALL: [JobErrorCode; 48] = [
        JobErrorCode::NotFound,
        JobErrorCode::AccessDenied,
        JobErrorCode::ServerError,
        JobErrorCode::UnexpectedStatus,
        JobErrorCode::Timeout,
        JobErrorCode::ConnectionFailed,
        JobErrorCode::DownloadInterrupted,
        JobErrorCode::BadRedirect,
        JobErrorCode::SourceSettingsInvalid,
        JobErrorCode::SecretMissing,
        JobErrorCode::SecretUnreadable,
        JobErrorCode::TooLarge,
        JobErrorCode::FileEmpty,
        JobErrorCode::ArchiveDamaged,
        JobErrorCode::ArchiveWithoutFeed,
        JobErrorCode::ArchiveUnsupported,
        JobErrorCode::FileMissing,
        JobErrorCode::FileUnreadable,
        JobErrorCode::CacheWriteFailed,
        JobErrorCode::NoFeed,
        JobErrorCode::ImportSettingsInvalid,
        JobErrorCode::NotAFeed,
        JobErrorCode::FeedEmpty,
        JobErrorCode::FeedLayoutMismatch,
        JobErrorCode::FeedEncoding,
        JobErrorCode::FeedUnreadable,
        JobErrorCode::CatalogError,
        JobErrorCode::Cancelled,
        JobErrorCode::PercentOutOfRange,
        JobErrorCode::ExportFailed,
        JobErrorCode::NothingToExport,
        JobErrorCode::CycleStepFailed,
        JobErrorCode::MarketCredentialsMissing,
        JobErrorCode::MarketUnauthorized,
        JobErrorCode::MarketForbidden,
        JobErrorCode::MarketRateLimited,
        JobErrorCode::MarketOwnedElsewhere,
        JobErrorCode::MarketRejected,
        JobErrorCode::MarketUnreachable,
        JobErrorCode::MarketSettingsInvalid,
        JobErrorCode::AiKeyMissing,
        JobErrorCode::AiUnauthorized,
        JobErrorCode::AiUnreachable,
        JobErrorCode::AiRateLimited,
        JobErrorCode::AiFailed,
        JobErrorCode::AiSettingsInvalid,
        JobErrorCode::HandlerCrashed,
        JobErrorCode::UnknownKind,
    ];

    /// The code stored with the failure.
    pub fn code(self) -> &'static str {
        match self {
            JobErrorCode::NotFound => "not_found",
            JobErrorCode::AccessDenied => "access_denied",
            JobErrorCode::ServerError => "server_error",
            JobErrorCode::UnexpectedStatus => "unexpected_status",
            JobErrorCode::Timeout => "timeout",
            JobErrorCode::ConnectionFailed => "connection_failed",
            JobErrorCode::DownloadInterrupted => "download_interrupted",
            JobErrorCode::BadRedirect => "bad_redirect",
            JobErrorCode::SourceSettingsInvalid => "source_settings_invalid",
            JobErrorCode::SecretMissing => "secret_missing",
            JobErrorCode::SecretUnreadable => "secret_unreadable",
            JobErrorCode::TooLarge => "too_large",
            JobErrorCode::FileEmpty => "file_empty",
            JobErrorCode::ArchiveDamaged => "archive_damaged",
            JobErrorCode::ArchiveWithoutFeed => "archive_without_feed",
            JobErrorCode::ArchiveUnsupported => "archive_unsupported",
            JobErrorCode::FileMissing => "file_missing",
            JobErrorCode::FileUnreadable => "file_unreadable",
            JobErrorCode::CacheWriteFailed => "cache_write_failed",
            JobErrorCode::NoFeed => "no_feed",
            JobErrorCode::ImportSettingsInvalid => "import_settings_invalid",
            JobErrorCode::NotAFeed => "not_a_feed",
            JobErrorCode::FeedEmpty => "feed_empty",
            JobErrorCode::FeedLayoutMismatch => "feed_layout_mismatch",
            JobErrorCode::FeedEncoding => "feed_encoding",
            JobErrorCode::FeedUnreadable => "feed_unreadable",
            JobErrorCode::CatalogError => "catalog_error",
            JobErrorCode::Cancelled => "cancelled",
            JobErrorCode::PercentOutOfRange => "percent_out_of_range",
            JobErrorCode::ExportFailed => "export_failed",
            JobErrorCode::NothingToExport => "nothing_to_export",
            JobErrorCode::CycleStepFailed => "cycle_step_failed",
            JobErrorCode::MarketCredentialsMissing => "market_credentials_missing",
            JobErrorCode::MarketUnauthorized => "market_unauthorized",
            JobErrorCode::MarketForbidden => "market_forbidden",
            JobErrorCode::MarketRateLimited => "market_rate_limited",
            JobErrorCode::MarketOwnedElsewhere => "market_owned_elsewhere",
            JobErrorCode::MarketRejected => "market_rejected",
            JobErrorCode::MarketUnreachable => "market_unreachable",
            JobErrorCode::MarketSettingsInvalid => "market_settings_invalid",
            JobErrorCode::AiKeyMissing => "ai_key_missing",
            JobErrorCode::AiUnauthorized => "ai_unauthorized",
            JobErrorCode::AiUnreachable => "ai_unreachable",
            JobErrorCode::AiRateLimited => "ai_rate_limited",
            JobErrorCode::AiFailed => "ai_failed",
            JobErrorCode::AiSettingsInvalid => "ai_settings_invalid",
            JobErrorCode::HandlerCrashed => "handler_crashed",
            JobErrorCode::UnknownKind => "unknown_kind",
        }
    }

    pub fn parse(code: &str) -> Option<Self> {
        JobErrorCode::ALL.into_iter().find(|c| c.code() == code)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct JobDto {
    pub id: String,
    pub kind: String,
    pub state: JobStateDto,
    #[ts(type = "number")]
    pub done: u64,
    #[ts(type = "number | null")]
    pub total: Option<u64>,
    /// Details for people, shown as sent next to the worded stage.
    pub message: Option<String>,
    pub stage: Option<JobStage>,
    pub attempts: u32,
    pub max_attempts: u32,
    #[ts(type = "number")]
    pub created_at: u64,
    #[ts(type = "number | null")]
    pub started_at: Option<u64>,
    #[ts(type = "number | null")]
    pub finished_at: Option<u64>,
    /// Why it failed (the back end's sentence), or the English sentence of its `end`.
    pub error: Option<String>,
    /// How a cancelled job ended; the UI words it instead of `error`.
    pub end: Option<JobEndDto>,
    /// Why a failed job failed, when its handler named the reason; the UI words it and shows
    /// `error` as the details.
    pub error_code: Option<JobErrorCode>,
    pub cancel_requested: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct JobLogDto {
    #[ts(type = "number")]
    pub seq: u64,
    #[ts(type = "number")]
    pub at: u64,
    /// `info`, `warn` or `error`.
    pub level: String,
    pub message: String,
}

/// What changed in the job queue since the last pulse (sent at most a few times a second).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize, TS)]
pub struct JobsPulse {
    pub jobs: Vec<JobDto>,
    pub logs: Vec<JobLogEntry>,
    /// Jobs that finished and changed the catalog: the table should reload.
    pub catalog_changed: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct JobLogEntry {
    pub job: String,
    pub line: JobLogDto,
}

/// A job the UI may start.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum JobRequest {
    /// Change every price (or one brand's) by a percentage.
    Reprice { percent: f64, brand: Option<String> },
    /// Check the catalog for problems.
    Analyze,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum Language {
    #[default]
    Ru,
    En,
}

/// Non-secret settings and where things are.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct SettingsDto {
    pub language: Language,
    pub catalog_path: String,
    pub data_dir: String,
    pub log_dir: String,
    pub version: String,
}

/// Whether a secret is stored (OS keyring, kernel keyring or credentials file). Its value never
/// leaves the store.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct SecretStatus {
    pub name: String,
    pub set: bool,
    /// Where it is kept (one store per process, so the same for every secret).
    pub store: SecretStoreDto,
}

/// The store of secrets this process uses (`secrets::Backend`): chosen by environment variables.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum SecretStoreDto {
    OsKeyring,
    KernelKeyring,
    CredentialsFile { path: String },
    Memory,
}

/// The open catalog.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct CatalogInfo {
    pub path: String,
    #[ts(type = "number")]
    pub products: u64,
}

/// What the window shows first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum StartupState {
    /// A catalog is open (possibly empty: then the first-run screen shows).
    Ready { catalog: CatalogInfo },
    /// The catalog could not be opened: the recovery screen shows.
    Failed { path: String, error: AppError },
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum UpdateStatus {
    UpToDate,
    Available {
        version: String,
        notes: Option<String>,
    },
    /// Offline or the update server did not answer; nothing else happens.
    Unavailable {
        reason: String,
    },
}

/// The TypeScript declarations of every IPC type, as committed in `ui/src/lib/ipc/types.ts`.
pub fn typescript() -> String {
    let cfg = ts_rs::Config::new().with_large_int("number");
    let decls = [
        AppError::decl(&cfg),
        ErrorCode::decl(&cfg),
        TeamErrorDto::decl(&cfg),
        TeamStatusDto::decl(&cfg),
        TeamSyncDto::decl(&cfg),
        InvitationDto::decl(&cfg),
        MemberDto::decl(&cfg),
        ConflictDto::decl(&cfg),
        TeamInitDto::decl(&cfg),
        TeamUpgradeDto::decl(&cfg),
        TestServerDto::decl(&cfg),
        StatusDto::decl(&cfg),
        SortDto::decl(&cfg),
        MoneyDto::decl(&cfg),
        ProductRowDto::decl(&cfg),
        FilterDto::decl(&cfg),
        TableQuery::decl(&cfg),
        TableInfo::decl(&cfg),
        CorrectionDto::decl(&cfg),
        ChangeDto::decl(&cfg),
        ChangeKindDto::decl(&cfg),
        TableRows::decl(&cfg),
        ProductPageDto::decl(&cfg),
        ProductSearchDto::decl(&cfg),
        AttributeDto::decl(&cfg),
        LinkDto::decl(&cfg),
        FieldName::decl(&cfg),
        FieldText::decl(&cfg),
        ProductDto::decl(&cfg),
        HistoryEntryDto::decl(&cfg),
        UndoDto::decl(&cfg),
        CategoryDto::decl(&cfg),
        SupplierDto::decl(&cfg),
        CountDto::decl(&cfg),
        StatsDto::decl(&cfg),
        FacetsDto::decl(&cfg),
        BulkChange::decl(&cfg),
        BulkEditRequest::decl(&cfg),
        BulkFailure::decl(&cfg),
        BulkReport::decl(&cfg),
        JobStateDto::decl(&cfg),
        JobStage::decl(&cfg),
        JobEndDto::decl(&cfg),
        JobErrorCode::decl(&cfg),
        JobDto::decl(&cfg),
        JobLogDto::decl(&cfg),
        JobDetailDto::decl(&cfg),
        CancelOutcomeDto::decl(&cfg),
        JobCancelDto::decl(&cfg),
        JobKindDto::decl(&cfg),
        CadenceDto::decl(&cfg),
        ScheduleDto::decl(&cfg),
        WorkerEventDto::decl(&cfg),
        JobLogEntry::decl(&cfg),
        JobsPulse::decl(&cfg),
        JobRequest::decl(&cfg),
        Language::decl(&cfg),
        SettingsDto::decl(&cfg),
        SecretStatus::decl(&cfg),
        SecretStoreDto::decl(&cfg),
        CatalogInfo::decl(&cfg),
        StartupState::decl(&cfg),
        UpdateStatus::decl(&cfg),
        SupplierListItem::decl(&cfg),
        FeedAuthKind::decl(&cfg),
        ReadSettingsDto::decl(&cfg),
        FeedDto::decl(&cfg),
        FeedInput::decl(&cfg),
        NewSupplierRequest::decl(&cfg),
        TargetDto::decl(&cfg),
        TargetInfo::decl(&cfg),
        FieldMappingDto::decl(&cfg),
        MappingDto::decl(&cfg),
        PreviewItemDto::decl(&cfg),
        RowNoteDto::decl(&cfg),
        PreviewDto::decl(&cfg),
        PreviewRequest::decl(&cfg),
        RoundingDto::decl(&cfg),
        GoneDto::decl(&cfg),
        RateDto::decl(&cfg),
        SupplierSettingsDto::decl(&cfg),
        RunStateDto::decl(&cfg),
        RunDto::decl(&cfg),
        SupplierDetail::decl(&cfg),
        IssueKindDto::decl(&cfg),
        IssueDto::decl(&cfg),
        ImportReportDto::decl(&cfg),
        CategoryMappingDto::decl(&cfg),
        ImageFailureDto::decl(&cfg),
        ImageStatusDto::decl(&cfg),
        ImageDownloadDto::decl(&cfg),
        FeedProfileDto::decl(&cfg),
        FeedSelectionDto::decl(&cfg),
        FeedPricesDto::decl(&cfg),
        DeliveryTargetDto::decl(&cfg),
        FeedShopDto::decl(&cfg),
        YmlSettingsDto::decl(&cfg),
        DeliveryOptionDto::decl(&cfg),
        AvitoSettingsDto::decl(&cfg),
        GoogleSettingsDto::decl(&cfg),
        DeliverySecretInput::decl(&cfg),
        ExportResultDto::decl(&cfg),
        SkipCountDto::decl(&cfg),
        SkippedItemDto::decl(&cfg),
        ExportRunDto::decl(&cfg),
        FeedPreviewDto::decl(&cfg),
        DocumentDto::decl(&cfg),
        CycleScheduleDto::decl(&cfg),
        MarketAccountDto::decl(&cfg),
        NewMarketAccountDto::decl(&cfg),
        MarketRunDto::decl(&cfg),
        DictRefreshDto::decl(&cfg),
        MpCategoryDto::decl(&cfg),
        SuggestionDto::decl(&cfg),
        CategoryMapDto::decl(&cfg),
        AutoMapDto::decl(&cfg),
        AttrMapDto::decl(&cfg),
        MpValueDto::decl(&cfg),
        SellerValueDto::decl(&cfg),
        AttrValuesDto::decl(&cfg),
        MarketLinkDto::decl(&cfg),
        MarketErrorDto::decl(&cfg),
        MarketLinkCountDto::decl(&cfg),
        MarketLinksDto::decl(&cfg),
        ProductMarketDto::decl(&cfg),
        OutboxCountDto::decl(&cfg),
        OutboxRowDto::decl(&cfg),
        OutboxDto::decl(&cfg),
        PullCardsDto::decl(&cfg),
        FakeServerDto::decl(&cfg),
        ConnectionCheckDto::decl(&cfg),
        GroupCheckDto::decl(&cfg),
        CampaignDto::decl(&cfg),
        WarehouseDto::decl(&cfg),
        PrecheckDto::decl(&cfg),
        ProblemCountDto::decl(&cfg),
        ProductProblemsDto::decl(&cfg),
        ProblemDto::decl(&cfg),
        AiProviderDto::decl(&cfg),
        FakeLlmDto::decl(&cfg),
        NewAiProviderDto::decl(&cfg),
        AiPriceDto::decl(&cfg),
        AiCheckDto::decl(&cfg),
        RuleIssueDto::decl(&cfg),
        ProductRuleIssuesDto::decl(&cfg),
        RuleCountDto::decl(&cfg),
        RuleCheckDto::decl(&cfg),
        AiIssueDto::decl(&cfg),
        AiItemDto::decl(&cfg),
        AiRunDto::decl(&cfg),
        AiRunRequest::decl(&cfg),
        DiffPartDto::decl(&cfg),
        AiSuggestionDto::decl(&cfg),
        AiDecisionFailureDto::decl(&cfg),
        AiDecisionDto::decl(&cfg),
        AiPromptDto::decl(&cfg),
    ];
    let mut out = String::from(
        "// Generated from crates/vitrina-app/src/ipc by ts-rs. Do not edit by hand:\n\
         // VITRINA_WRITE_IPC=1 cargo test -p vitrina-app ipc rewrites it.\n\n",
    );
    for d in decls {
        out.push_str("export ");
        out.push_str(&d);
        out.push_str("\n\n");
    }
    out.truncate(out.trim_end().len());
    out.push('\n');
    out
}

#[cfg(test)]
mod tests {
    use std::path::PathBuf;

    #[test]
    fn ipc_typescript_matches_the_committed_file() {
        let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../ui/src/lib/ipc/types.ts");
        let fresh = super::typescript();
        if std::env::var_os("VITRINA_WRITE_IPC").is_some() {
            std::fs::write(&path, &fresh).unwrap();
            return;
        }
        let committed = std::fs::read_to_string(&path).unwrap_or_default();
        assert!(
            committed == fresh,
            "ui/src/lib/ipc/types.ts is out of date with the Rust DTOs; run `VITRINA_WRITE_IPC=1 cargo test -p vitrina-app ipc` and commit the file"
        );
    }

    #[test]
    fn every_failure_code_a_handler_gives_reaches_the_window_and_no_other() {
        use super::JobErrorCode;
        let given: Vec<&str> = vitrina_import::ImportError::CODES
            .into_iter()
            .chain([
                crate::imports::job::SECRET_UNREADABLE,
                crate::catalog_jobs::PERCENT_OUT_OF_RANGE,
                crate::feeds::job::EXPORT_FAILED,
                crate::feeds::job::NOTHING_TO_EXPORT,
                crate::feeds::cycle::CYCLE_STEP_FAILED,
                vitrina_jobs::JobError::HANDLER_CRASHED,
                vitrina_jobs::JobError::UNKNOWN_KIND,
            ])
            .chain(crate::market::publish::MARKET_CODES.map(|c| c.code()))
            .chain(crate::ai::job::AI_CODES.map(|c| c.code()))
            .collect();
        for code in &given {
            assert!(JobErrorCode::parse(code).is_some(), "{code} has no JobErrorCode");
        }
        for code in JobErrorCode::ALL {
            assert!(given.contains(&code.code()), "no handler gives {code:?}");
            let json = serde_json::to_value(code).unwrap();
            assert_eq!(json, serde_json::json!(code.code()), "the TypeScript spelling is the stored code");
        }
        assert_eq!(JobErrorCode::parse("made_up_by_a_newer_vitrina"), None);
    }
}
