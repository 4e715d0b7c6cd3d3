//! A feed profile: what to export, in which format, with which prices and field overrides, to
//! which file, delivered where. Stored by vitrina-store as a name, a format code, a flag and
//! one JSON settings document ([`ProfileSettings`]); every field has a default, so a settings
//! document from an older version still reads.

use std::path::PathBuf;

use serde::{Deserialize, Serialize};
use vitrina_domain::FeedProfileId;
use vitrina_formats::write::PriceColumn;
use vitrina_store::FeedProfileRecord;
use vitrina_store::export::Selection;

use crate::deliver::Target;
use crate::prices::PriceRules;

/// The file a profile writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FeedFormat {
    /// Yandex Market Language: Yandex Market, Ozon, VK, Yandex Direct and most CMSs.
    Yml,
    /// Avito Autoload XML.
    Avito,
    /// Google Merchant Center RSS 2.0.
    Google,
    /// Price list as CSV.
    Csv,
    /// Price list as an Excel workbook.
    Xlsx,
    /// Price list as PDF.
    Pdf,
}

impl FeedFormat {
    pub const ALL: [FeedFormat; 6] = [
        FeedFormat::Yml,
        FeedFormat::Avito,
        FeedFormat::Google,
        FeedFormat::Csv,
        FeedFormat::Xlsx,
        FeedFormat::Pdf,
    ];

    pub fn code(self) -> &'static str {
        match self {
            FeedFormat::Yml => "yml",
            FeedFormat::Avito => "avito",
            FeedFormat::Google => "google",
            FeedFormat::Csv => "csv",
            FeedFormat::Xlsx => "xlsx",
            FeedFormat::Pdf => "pdf",
        }
    }

    pub fn from_code(code: &str) -> Option<FeedFormat> {
        FeedFormat::ALL.into_iter().find(|f| f.code() == code.trim().to_ascii_lowercase())
    }

    /// The file name extension, without the dot.
    pub fn extension(self) -> &'static str {
        match self {
            FeedFormat::Yml | FeedFormat::Avito | FeedFormat::Google => "xml",
            FeedFormat::Csv => "csv",
            FeedFormat::Xlsx => "xlsx",
            FeedFormat::Pdf => "pdf",
        }
    }

    /// XML feeds marketplaces fetch (as opposed to price lists people read).
    pub fn is_feed(self) -> bool {
        matches!(self, FeedFormat::Yml | FeedFormat::Avito | FeedFormat::Google)
    }
}

/// Everything a profile says beyond its name and format.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct ProfileSettings {
    /// Which products.
    pub selection: Selection,
    pub prices: PriceRules,
    pub fields: FieldOverrides,
    pub output: OutputSettings,
    /// Where the written file is uploaded; none keeps it on this computer.
    pub target: Option<Target>,
    pub shop: ShopSettings,
    pub yml: YmlSettings,
    pub avito: AvitoSettings,
    pub google: GoogleSettings,
    /// Price list columns (CSV, XLSX), in order; empty takes the default set.
    pub columns: Vec<PriceColumn>,
    /// Language of a price list's labels: `ru` or `en`.
    pub lang: String,
}

/// How names and descriptions are made from the catalog's fields.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct FieldOverrides {
    /// The title, e.g. `{brand} {name} {param:Цвет}`; empty keeps the product's name.
    /// Placeholders: `{name}`, `{brand}`, `{model}`, `{sku}`, `{category}`, `{param:NAME}`.
    pub name_template: String,
    pub description: DescriptionSource,
    /// The product page, e.g. `https://shop.example/p/{sku}`; empty writes no link.
    pub url_template: String,
}

/// Where a feed's description comes from.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DescriptionSource {
    /// The catalog's description, or a list of the characteristics when it is empty.
    #[default]
    CatalogOrCharacteristics,
    /// The catalog's description only.
    Catalog,
    /// A list of the characteristics.
    Characteristics,
    /// No description.
    None,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct OutputSettings {
    /// The file written (`.gz` is added when `gzip` is on and the name lacks it).
    pub path: PathBuf,
    pub gzip: bool,
}

/// The seller as feeds name them.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct ShopSettings {
    pub name: String,
    pub company: String,
    pub url: String,
    pub email: String,
    /// ISO code of the prices (RUB when empty).
    pub currency: String,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct YmlSettings {
    /// Write windows-1251 instead of UTF-8 (old consumers).
    pub windows_1251: bool,
    /// `type="vendor.model"` offers instead of simplified ones.
    pub vendor_model: bool,
    pub delivery: Vec<DeliverySettings>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct DeliverySettings {
    /// Minor units; 0 is free.
    pub cost: i64,
    /// `1-3`, `2` or empty (on order).
    pub days: String,
    pub order_before: Option<u8>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct AvitoSettings {
    pub address: String,
    pub contact_phone: String,
    pub manager_name: String,
    pub category: String,
    pub goods_type: String,
    pub condition: String,
    pub ad_type: String,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct GoogleSettings {
    /// `new`, `refurbished` or `used` (`new` when empty).
    pub condition: String,
    pub google_product_category: String,
}

/// A profile as the export reads it.
#[derive(Debug, Clone, PartialEq)]
pub struct FeedProfile {
    pub id: FeedProfileId,
    pub name: String,
    pub format: FeedFormat,
    pub enabled: bool,
    pub settings: ProfileSettings,
}

/// A stored profile that cannot be read back.
#[derive(Debug, thiserror::Error)]
pub enum ProfileError {
    #[error("feed profile \"{name}\" has an unknown format \"{format}\"")]
    UnknownFormat { name: String, format: String },
    #[error("feed profile \"{name}\" has damaged settings: {reason}")]
    Settings { name: String, reason: String },
}

impl FeedProfile {
    /// A new profile writing `format` to `path`, everything else at its defaults.
    pub fn new(name: &str, format: FeedFormat, path: PathBuf) -> FeedProfile {
        let mut settings = ProfileSettings::default();
        settings.output.path = path;
        FeedProfile {
            id: FeedProfileId::new(),
            name: name.trim().to_string(),
            format,
            enabled: true,
            settings,
        }
    }

    pub fn from_record(r: &FeedProfileRecord) -> Result<FeedProfile, ProfileError> {
        let format = FeedFormat::from_code(&r.format)
            .ok_or_else(|| ProfileError::UnknownFormat { name: r.name.clone(), format: r.format.clone() })?;
        let settings = serde_json::from_str(&r.settings)
            .map_err(|e| ProfileError::Settings { name: r.name.clone(), reason: e.to_string() })?;
        Ok(FeedProfile { id: r.id, name: r.name.clone(), format, enabled: r.enabled, settings })
    }

    /// The record to store; `now` stamps it, `last_result` is kept by the store.
    pub fn to_record(&self, created_at: i64, now: i64) -> FeedProfileRecord {
        FeedProfileRecord {
            id: self.id,
            name: self.name.clone(),
            format: self.format.code().to_string(),
            enabled: self.enabled,
            settings: serde_json::to_string(&self.settings).unwrap_or_else(|_| "{}".into()),
            last_result: None,
            created_at,
            updated_at: now,
        }
    }

    /// The file this profile writes: its output path, with `.gz` when compressed.
    pub fn output_path(&self) -> PathBuf {
        let path = &self.settings.output.path;
        let gz = self.settings.output.gzip && self.format.is_feed();
        match path.extension() {
            Some(ext) if gz && ext != "gz" => {
                let mut name = path.file_name().unwrap_or_default().to_os_string();
                name.push(".gz");
                path.with_file_name(name)
            }
            _ => path.clone(),
        }
    }

    /// The price list's columns.
    pub fn columns(&self) -> Vec<PriceColumn> {
        if self.settings.columns.is_empty() {
            PriceColumn::DEFAULT.to_vec()
        } else {
            self.settings.columns.clone()
        }
    }
}
