//! What the seller configures per supplier and per source, as stored (JSON) in the catalog.

use serde::{Deserialize, Serialize};
use vitrina_formats::{Encoding, Format, HeaderRow, ReadOptions, SheetSelector};
use vitrina_store::imports::GonePolicy;

use crate::pricing::PriceRules;

/// A supplier's import settings.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct SupplierSettings {
    /// Rates for the feed's currencies into the catalog currency, as decimal text
    /// (`{"USD": "92.50"}`); a YML feed's own `<currency rate>` is used when none is set here.
    pub rates: Vec<(String, String)>,
    pub price_rules: PriceRules,
    /// What happens to offers that are no longer in the feed.
    pub gone: GonePolicy,
    /// Create the supplier's categories in the seller's tree when they are not mapped.
    pub create_categories: bool,
    /// Brand spellings to unify: alias → brand (`"LG Electronics"` → `"LG"`).
    pub brand_aliases: Vec<(String, String)>,
    /// A cron expression (`"0 6 * * *"`) for scheduled imports, when set.
    pub schedule: Option<String>,
}

impl Default for SupplierSettings {
    fn default() -> Self {
        SupplierSettings {
            rates: Vec::new(),
            price_rules: PriceRules::default(),
            gone: GonePolicy::Zero,
            create_categories: true,
            brand_aliases: Vec::new(),
            schedule: None,
        }
    }
}

impl SupplierSettings {
    /// Reads stored settings; an empty or older document fills in defaults.
    pub fn from_json(text: &str) -> Result<Self, serde_json::Error> {
        if text.trim().is_empty() { Ok(Self::default()) } else { serde_json::from_str(text) }
    }

    pub fn to_json(&self) -> String {
        serde_json::to_string(self).expect("settings always serialize")
    }
}

/// How to read a source's file; everything left empty is detected.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct ReadSettings {
    /// "yml", "xml", "csv", "xlsx", "xls", "ods", "json".
    pub format: Option<String>,
    /// "utf-8", "windows-1251"...
    pub encoding: Option<String>,
    pub delimiter: Option<char>,
    /// 1-based header line; `Some(0)` = the file has no header.
    pub header_line: Option<u64>,
    /// Sheet name of a workbook.
    pub sheet: Option<String>,
    /// XML element path or JSON array path of the records.
    pub record_path: Option<String>,
}

impl ReadSettings {
    pub fn from_json(text: &str) -> Result<Self, serde_json::Error> {
        if text.trim().is_empty() { Ok(Self::default()) } else { serde_json::from_str(text) }
    }

    pub fn to_json(&self) -> String {
        serde_json::to_string(self).expect("read settings always serialize")
    }

    /// The reader options, or a message naming the setting that is not understood.
    pub fn options(&self) -> Result<ReadOptions, String> {
        let format = match self.format.as_deref().map(str::trim).filter(|f| !f.is_empty()) {
            None => None,
            Some(name) => Some(
                Format::from_extension(&format!("x.{}", name.to_ascii_lowercase()))
                    .ok_or_else(|| format!("the format \"{name}\" is not one Vitrina reads"))?,
            ),
        };
        let encoding = match self.encoding.as_deref().map(str::trim).filter(|e| !e.is_empty()) {
            None => None,
            Some(label) => Some(
                Encoding::for_label(label).ok_or_else(|| format!("the encoding \"{label}\" is not known"))?,
            ),
        };
        let delimiter = match self.delimiter {
            None => None,
            Some(c) if c.is_ascii() => Some(c as u8),
            Some(c) => return Err(format!("the delimiter \"{c}\" must be a single ASCII character")),
        };
        Ok(ReadOptions {
            format,
            encoding,
            delimiter,
            header: match self.header_line {
                None => HeaderRow::Auto,
                Some(0) => HeaderRow::Absent,
                Some(n) => HeaderRow::At(n),
            },
            sheet: match &self.sheet {
                Some(name) if !name.trim().is_empty() => SheetSelector::Name(name.clone()),
                _ => SheetSelector::default(),
            },
            record_path: self.record_path.clone(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn settings_round_trip_and_fill_defaults() {
        let s = SupplierSettings { rates: vec![("USD".into(), "92.5".into())], ..Default::default() };
        assert_eq!(SupplierSettings::from_json(&s.to_json()).unwrap(), s);
        let old = SupplierSettings::from_json(r#"{"gone": "keep"}"#).unwrap();
        assert_eq!(old.gone, GonePolicy::Keep);
        assert!(old.create_categories);
        assert_eq!(SupplierSettings::from_json("").unwrap(), SupplierSettings::default());
    }

    #[test]
    fn read_settings_become_reader_options_or_say_what_is_wrong() {
        let r = ReadSettings {
            format: Some("CSV".into()),
            encoding: Some("cp1251".into()),
            delimiter: Some(';'),
            header_line: Some(2),
            ..Default::default()
        };
        let o = r.options().unwrap();
        assert_eq!(o.format, Some(Format::Csv));
        assert_eq!(o.encoding, Some(Encoding::WINDOWS_1251));
        assert_eq!((o.delimiter, o.header), (Some(b';'), HeaderRow::At(2)));
        let bad = ReadSettings { encoding: Some("klingon".into()), ..Default::default() };
        assert!(bad.options().unwrap_err().contains("klingon"));
        let bad = ReadSettings { format: Some("pdf".into()), ..Default::default() };
        assert!(bad.options().unwrap_err().contains("pdf"));
    }
}
