//! Streaming writers of outgoing files: marketplace feeds (YML, Avito Autoload, Google
//! Merchant RSS) and price lists (CSV, XLSX), next to the readers of incoming ones.
//!
//! A writer is given a [`FeedHeader`] (the shop, its category tree, delivery options) when it is
//! made, then one [`FeedItem`] at a time, and writes each item at once to its output: memory
//! stays flat whatever the size of the catalog. An item that cannot go into the format (no
//! price, no picture where one is required, a title over the limit) is not written and comes
//! back as a [`Skip`] with its reason; the rest goes on. Text is cleaned on the way out:
//! characters XML forbids (control characters) are dropped and counted in [`WriteSummary`].
//!
//! No database, no files of their own: the export layer above reads the catalog, chooses the
//! items, applies price rules and gives each writer a `Write`.

// Each format's writer is a module of its own below; `text` is what they share.
mod avito;
mod google;
mod price_list;
mod text;
mod yml;

use std::fmt;
use std::io::{self, Write};

pub use avito::{AvitoOptions, AvitoWriter};
pub use google::{GoogleOptions, GoogleWriter};
pub use price_list::{CsvPriceList, CsvPriceOptions, Lang, PriceColumn, XlsxPriceList};
pub use text::{clean_xml_text, html_to_text, sanitize_feed_html};
pub use yml::{YmlEncoding, YmlOptions, YmlWriter};

/// The seller's shop as feeds describe it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FeedHeader {
    /// Short shop name (YML `shop/name`, RSS `channel/title`).
    pub shop_name: String,
    /// Legal name of the owner (YML `company`).
    pub company: String,
    /// Shop home page, absolute.
    pub url: String,
    /// A contact e-mail (YML `email`), may be empty.
    pub email: String,
    /// The application's name and version (YML `platform`, `version`).
    pub platform: String,
    pub version: String,
    /// ISO 4217 code of every price in the file (`RUB`).
    pub currency: String,
    /// When the file was made: UTC milliseconds since the Unix epoch, and the seller's offset
    /// from UTC in minutes (YML wants the local time with its offset).
    pub generated_at_ms: i64,
    pub utc_offset_minutes: i32,
    /// The category tree, parents before children.
    pub categories: Vec<FeedCategory>,
    /// Shop-wide delivery options (YML `delivery-options`, at most five are written).
    pub delivery_options: Vec<DeliveryOption>,
}

impl FeedHeader {
    /// The category with this id.
    pub fn category(&self, id: u64) -> Option<&FeedCategory> {
        self.categories.iter().find(|c| c.id == id)
    }

    /// "Обувь > Кроссовки": the names from the root down to `id`.
    pub fn category_path(&self, id: u64) -> Vec<&str> {
        let mut path = Vec::new();
        let mut next = Some(id);
        while let Some(id) = next {
            let Some(c) = self.category(id) else { break };
            path.push(c.name.as_str());
            next = c.parent;
            if path.len() > 64 {
                break;
            }
        }
        path.reverse();
        path
    }
}

/// One category of the seller's tree; ids are positive integers, stable between exports.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FeedCategory {
    pub id: u64,
    pub parent: Option<u64>,
    pub name: String,
}

/// A delivery option: `cost` in minor units (0 = free), `days` "1-3" or "2" or "" (on order),
/// `order_before` the hour after which the term shifts by a day.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeliveryOption {
    pub cost_minor: i64,
    pub days: String,
    pub order_before: Option<u8>,
}

/// A characteristic: `Цвет = красный`, `Вес = 1.2 кг`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FeedParam {
    pub name: String,
    pub value: String,
    pub unit: Option<String>,
}

/// One product as feeds see it: the catalog's fields after the profile's price rules and
/// overrides. Money is in minor units of [`FeedHeader::currency`].
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FeedItem {
    /// The seller's SKU: the offer's stable id.
    pub sku: String,
    pub name: String,
    /// Sanitized HTML (may be plain text).
    pub description: String,
    /// Brand / manufacturer (YML `vendor`).
    pub brand: String,
    /// Vendor code / model (YML `vendorCode`).
    pub model: String,
    /// The product's category in [`FeedHeader::categories`].
    pub category_id: Option<u64>,
    /// Variants of one product share this number (YML `group_id`: digits, at most 9).
    pub group_id: Option<u64>,
    pub price_minor: i64,
    pub old_price_minor: Option<i64>,
    pub stock: i64,
    /// Absolute picture URLs, the main one first.
    pub pictures: Vec<String>,
    /// Validated EAN-13 / EAN-8 / UPC codes.
    pub barcodes: Vec<String>,
    pub params: Vec<FeedParam>,
    pub weight_g: Option<u32>,
    /// Length, width, height in millimetres.
    pub dimensions_mm: Option<[u32; 3]>,
    /// The product's page, absolute, if the seller has one.
    pub url: Option<String>,
}

impl FeedItem {
    /// The value of the characteristic called `name` (case-insensitive), if any.
    pub fn param(&self, name: &str) -> Option<&FeedParam> {
        // Compared letter by letter in lower case, without allocating: writers look several
        // names up in every item.
        let first = name.chars().next().map(fold);
        let same = |a: &str| {
            // Most names already differ in their first letter.
            a.chars().next().map(fold) == first
                && a.chars().flat_map(char::to_lowercase).eq(name.chars().flat_map(char::to_lowercase))
        };
        self.params.iter().find(|p| p.name.eq_ignore_ascii_case(name) || same(&p.name))
    }
}

/// The first letter of `c` in lower case: by arithmetic for ASCII and the Russian alphabet,
/// by Unicode's tables for the rest.
fn fold(c: char) -> Option<char> {
    match c {
        'A'..='Z' => Some(c.to_ascii_lowercase()),
        '\0'..='\x7F' | 'а'..='я' | 'ё' => Some(c),
        'А'..='Я' => char::from_u32(c as u32 + 0x20),
        'Ё' => Some('ё'),
        _ => c.to_lowercase().next(),
    }
}

/// Why an item was left out of a file. Each has a stable [`code`](Skip::code) the UI words.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Skip {
    /// The price is zero.
    NoPrice,
    /// The format requires a picture and the product has none.
    NoPicture,
    /// The title is longer than the format allows.
    TitleTooLong { limit: usize, length: usize },
    /// A field the format requires is empty (`field` names it as the format does).
    MissingField { field: &'static str },
    /// The product's SKU cannot be the format's id (`reason` says why).
    BadId { reason: &'static str },
}

impl Skip {
    /// A stable code: `no_price`, `no_picture`, `title_too_long`, `missing_field`, `bad_id`.
    pub fn code(&self) -> &'static str {
        match self {
            Skip::NoPrice => "no_price",
            Skip::NoPicture => "no_picture",
            Skip::TitleTooLong { .. } => "title_too_long",
            Skip::MissingField { .. } => "missing_field",
            Skip::BadId { .. } => "bad_id",
        }
    }
}

impl fmt::Display for Skip {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Skip::NoPrice => write!(f, "no price"),
            Skip::NoPicture => write!(f, "no picture"),
            Skip::TitleTooLong { limit, length } => {
                write!(f, "title too long: {length} characters, at most {limit}")
            }
            Skip::MissingField { field } => write!(f, "{field} is empty"),
            Skip::BadId { reason } => write!(f, "the SKU cannot be the id: {reason}"),
        }
    }
}

/// What a finished file holds beyond its items.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct WriteSummary {
    /// Items written.
    pub written: u64,
    /// Characters dropped because XML forbids them (control characters).
    pub cleaned_chars: u64,
    /// Characters the output encoding cannot hold, written as `?` (windows-1251 output).
    pub replaced_chars: u64,
}

/// The output failed (disk full, a closed pipe) or the writer's library refused the file.
#[derive(Debug, thiserror::Error)]
pub enum WriteError {
    #[error("could not write the file: {0}")]
    Io(#[from] io::Error),
    #[error("could not write the file: {0}")]
    Format(String),
}

/// A writer of one file format, fed one item at a time.
pub trait FeedWriter: Send {
    /// Writes `item`, or leaves it out with the reason.
    fn write_item(&mut self, item: &FeedItem) -> Result<Result<(), Skip>, WriteError>;

    /// Closes the file (end tags, the workbook's parts) and flushes the output.
    fn finish(self: Box<Self>) -> Result<WriteSummary, WriteError>;
}

/// The output every writer takes.
pub type Output = Box<dyn Write + Send>;
