//! Feed profiles, exports and documents as the front ends see them. A profile travels as one
//! [`FeedProfileDto`]: the window's editor changes it and sends it back whole, the CLI's flags
//! change fields of the same DTO, and [`crate::feeds`] turns it into the export's profile.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// One feed profile: what to export, in which format, with which prices, delivered where.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, TS)]
#[serde(default)]
pub struct FeedProfileDto {
    /// Empty for a new profile.
    pub id: String,
    pub name: String,
    /// `yml`, `avito`, `google`, `csv`, `xlsx` or `pdf`.
    pub format: String,
    pub enabled: bool,
    /// The file written; `.gz` is added when `gzip` is on.
    pub output_path: String,
    pub gzip: bool,
    pub selection: FeedSelectionDto,
    pub prices: FeedPricesDto,
    /// `{brand} {name} {param:Цвет}`; empty keeps the product's name.
    pub name_template: String,
    /// `catalog_or_characteristics`, `catalog`, `characteristics` or `none`.
    pub description_source: String,
    /// `https://shop.example/p/{sku}`; empty writes no link.
    pub url_template: String,
    pub target: Option<DeliveryTargetDto>,
    pub shop: FeedShopDto,
    pub yml: YmlSettingsDto,
    pub avito: AvitoSettingsDto,
    pub google: GoogleSettingsDto,
    /// Price list columns in order (codes: `sku`, `name`, `brand`, `price`, …); empty is the
    /// default set.
    pub columns: Vec<String>,
    /// `ru` or `en`: the labels of price lists and documents.
    pub lang: String,
    /// A cron expression (`0 6 * * *`) that exports this profile on its own; none for no schedule.
    pub schedule: Option<String>,
    /// Read only: the file this profile writes (with `.gz` when compressed).
    pub file: String,
    /// Read only: the latest run.
    pub last_result: Option<ExportResultDto>,
    /// Read only: where marketplaces fetch the feed, once it has been uploaded (or from the
    /// target's public address).
    pub public_url: Option<String>,
}

/// Which products; empty lists keep everything. Categories are paths (`Обувь / Кроссовки`),
/// suppliers names, statuses `draft|active|archived`; prices in minor units.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, TS)]
#[serde(default)]
pub struct FeedSelectionDto {
    pub categories: Vec<String>,
    pub brands: Vec<String>,
    pub suppliers: Vec<String>,
    pub statuses: Vec<String>,
    pub in_stock_only: bool,
    pub price_min: Option<i64>,
    pub price_max: Option<i64>,
    /// Exactly these products (ids or SKUs): the rows selected in the catalog's table.
    pub products: Vec<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, TS)]
#[serde(default)]
pub struct FeedPricesDto {
    /// Markup in basis points: 1 000 = +10 %, −500 = −5 %.
    pub markup_bp: i64,
    /// `none`, `whole`, `tens`, `hundreds`, `ends_in9`, `ends_in99`.
    pub rounding: String,
    /// `keep`, `drop` or `above`.
    pub old_price: String,
    /// With `above`: the old price is the price plus this many basis points.
    pub old_price_above_bp: i64,
}

/// Where a written file is uploaded.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, TS)]
#[serde(default)]
pub struct DeliveryTargetDto {
    /// `folder`, `s3` or `ftp`.
    pub kind: String,
    /// folder
    pub path: String,
    /// s3: `https://storage.yandexcloud.net`
    pub endpoint: String,
    pub region: String,
    pub bucket: String,
    /// s3: a key prefix such as `feeds/`.
    pub prefix: String,
    pub path_style: bool,
    pub public_read: bool,
    /// ftp
    pub host: String,
    pub port: u16,
    pub secure: bool,
    pub user: String,
    pub dir: String,
    /// The address the uploaded file is reachable at, when it differs from the storage's own
    /// (a CDN, a web server serving the FTP folder).
    pub public_url_base: String,
    /// Read only: whether the keys or password are saved in the OS keyring.
    pub secret_set: bool,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, TS)]
#[serde(default)]
pub struct FeedShopDto {
    pub name: String,
    pub company: String,
    pub url: String,
    pub email: String,
    pub currency: String,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, TS)]
#[serde(default)]
pub struct YmlSettingsDto {
    pub windows_1251: bool,
    pub vendor_model: bool,
    pub delivery: Vec<DeliveryOptionDto>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, TS)]
#[serde(default)]
pub struct DeliveryOptionDto {
    /// Minor units; 0 is free.
    pub cost: i64,
    pub days: String,
    pub order_before: Option<u8>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, TS)]
#[serde(default)]
pub struct AvitoSettingsDto {
    pub address: String,
    pub contact_phone: String,
    pub manager_name: String,
    pub category: String,
    pub goods_type: String,
    pub condition: String,
    pub ad_type: String,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, TS)]
#[serde(default)]
pub struct GoogleSettingsDto {
    pub condition: String,
    pub google_product_category: String,
}

/// The keys or password of a profile's upload target, sent once to be saved in the keyring.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, TS)]
#[serde(default)]
pub struct DeliverySecretInput {
    pub access_key_id: String,
    pub secret_access_key: String,
    pub password: String,
}

/// One profile's export, as it ended.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, TS)]
#[serde(default)]
pub struct ExportResultDto {
    pub profile: String,
    pub format: String,
    pub ok: bool,
    /// Why it failed: `output_unwritable`, `target_unreachable`, `target_sign_in`,
    /// `target_denied`, `target_not_found`, `write_failed`, `catalog`, `cancelled`, …
    pub error_code: Option<String>,
    pub error: Option<String>,
    #[ts(type = "number")]
    pub matched: u64,
    #[ts(type = "number")]
    pub written: u64,
    #[ts(type = "number")]
    pub skipped: u64,
    /// Skipped products by reason code (`no_price`, `no_picture`, `title_too_long`,
    /// `missing_field`, `bad_id`).
    pub skipped_by_reason: Vec<SkipCountDto>,
    /// The first skipped products.
    pub skipped_items: Vec<SkippedItemDto>,
    #[ts(type = "number")]
    pub cleaned_chars: u64,
    #[ts(type = "number")]
    pub replaced_chars: u64,
    pub file: String,
    #[ts(type = "number")]
    pub bytes: u64,
    #[ts(type = "number")]
    pub millis: u64,
    /// Where the file was uploaded (`s3://…`, `ftp://…`, a folder).
    pub uploaded_to: Option<String>,
    pub public_url: Option<String>,
    /// The selection kept nothing: a valid empty file was written (and not uploaded).
    pub empty: bool,
    /// UTC milliseconds.
    #[ts(type = "number")]
    pub finished_at: i64,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, TS)]
pub struct SkipCountDto {
    pub code: String,
    #[ts(type = "number")]
    pub count: u64,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, TS)]
pub struct SkippedItemDto {
    pub sku: String,
    pub code: String,
    pub reason: String,
}

/// What an export run did: one result per profile.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, TS)]
pub struct ExportRunDto {
    pub results: Vec<ExportResultDto>,
    #[ts(type = "number")]
    pub millis: u64,
}

/// The first offers a profile would write, and how many products it takes.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, TS)]
pub struct FeedPreviewDto {
    #[ts(type = "number")]
    pub matched: u64,
    /// The beginning of the file as text (XML or CSV; a PDF or workbook is previewed as CSV).
    pub text: String,
    pub skipped_items: Vec<SkippedItemDto>,
}

/// A document written for a buyer.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, TS)]
pub struct DocumentDto {
    pub file: String,
    #[ts(type = "number")]
    pub bytes: u64,
    #[ts(type = "number")]
    pub products: u64,
    #[ts(type = "number")]
    pub skipped: u64,
}

/// The catalog cycle's schedule.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, TS)]
pub struct CycleScheduleDto {
    /// The schedule's name in the job queue.
    pub name: String,
    /// The cron expression; none when the cycle is not scheduled.
    pub cron: Option<String>,
}
