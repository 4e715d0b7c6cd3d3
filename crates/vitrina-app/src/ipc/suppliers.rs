//! The Suppliers section's DTOs: suppliers with their feeds, the mapping screen's preview, the
//! price rules as the form shows them, import runs and their reports. Conversions from the
//! import crate's types live here too, so `mod.rs` stays the catalog's contract.

use serde::{Deserialize, Serialize};
use ts_rs::TS;
use vitrina_domain::{Currency, Money};
use vitrina_import::mapping::{FieldMapping, MappingProfile, Target};
use vitrina_import::pricing::{Markup, Rounding, Scope};
use vitrina_import::{ImportReport, ReadSettings, SupplierSettings};
use vitrina_store::imports::{GonePolicy, ImportIssue, IssueCode, IssueKind, RunRecord, RunState};

use super::MoneyDto;
use crate::error::AppError;
use crate::imports::{FeedPreview, PreviewItem, SupplierSummary};

/// A supplier in the list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct SupplierListItem {
    pub id: String,
    pub name: String,
    #[ts(type = "number")]
    pub offers: u64,
    pub feeds: u32,
    /// The main feed's file or link (credentials hidden), when there is one.
    pub main_feed: Option<String>,
    pub last_run: Option<RunDto>,
}

/// How a feed's server wants us to sign in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum FeedAuthKind {
    #[default]
    None,
    /// HTTP Basic: a user name, and the password from the keyring.
    Basic,
    /// A header (`X-Api-Key`, `Authorization: Bearer`) carrying the token from the keyring.
    Header,
}

/// How a feed file is read; empty fields are detected.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct ReadSettingsDto {
    /// `yml`, `xml`, `csv`, `xlsx`, `xls`, `ods`, `json`.
    pub format: Option<String>,
    /// `utf-8`, `windows-1251`…
    pub encoding: Option<String>,
    /// One character: `;`, `,`, a tab.
    pub delimiter: Option<String>,
    /// 1-based header line; 0 = the file has no header.
    #[ts(type = "number | null")]
    pub header_line: Option<u64>,
    pub sheet: Option<String>,
    /// The XML element path or JSON array path of the records (set from the CLI; kept when
    /// absent).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub record_path: Option<String>,
}

/// One feed of a supplier: where it comes from and how it is read. Never its secret.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct FeedDto {
    /// 0 is the main feed; the others add prices or stock joined by SKU.
    pub position: u32,
    /// The path, or the link with credentials hidden.
    pub location: String,
    pub is_url: bool,
    pub auth: FeedAuthKind,
    /// The Basic user name or the header name.
    pub auth_name: String,
    /// Whether a password or token is stored in the OS keyring for this feed.
    pub secret_set: bool,
    pub read: ReadSettingsDto,
    pub has_mapping: bool,
}

/// A feed to save. `secret`: `None` keeps the stored one, `""` removes it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct FeedInput {
    pub position: u32,
    pub location: String,
    pub auth: FeedAuthKind,
    pub auth_name: String,
    pub secret: Option<String>,
    pub read: ReadSettingsDto,
}

/// A new supplier: a name (taken from the file when empty) and the main feed's path or link.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct NewSupplierRequest {
    pub name: String,
    pub source: Option<String>,
}

/// Where a source field goes. The same names as the import crate's `Target`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum TargetDto {
    Sku,
    Name,
    TypePrefix,
    ModelName,
    Description,
    Brand,
    Model,
    Category,
    CategoryId,
    Price,
    Cost,
    OldPrice,
    Currency,
    Stock,
    Available,
    Barcode,
    Images,
    Weight,
    Dimensions,
    Length,
    Width,
    Height,
    VariantGroup,
    PackUnits,
    Attribute,
    Ignore,
}

impl TargetDto {
    /// In the order of `Target::ALL`, so conversions are by position.
    pub const ALL: [TargetDto; 26] = [
        TargetDto::Sku,
        TargetDto::Name,
        TargetDto::TypePrefix,
        TargetDto::ModelName,
        TargetDto::Description,
        TargetDto::Brand,
        TargetDto::Model,
        TargetDto::Category,
        TargetDto::CategoryId,
        TargetDto::Price,
        TargetDto::Cost,
        TargetDto::OldPrice,
        TargetDto::Currency,
        TargetDto::Stock,
        TargetDto::Available,
        TargetDto::Barcode,
        TargetDto::Images,
        TargetDto::Weight,
        TargetDto::Dimensions,
        TargetDto::Length,
        TargetDto::Width,
        TargetDto::Height,
        TargetDto::VariantGroup,
        TargetDto::PackUnits,
        TargetDto::Attribute,
        TargetDto::Ignore,
    ];
}

impl TargetDto {
    /// The English words the import and the CLI use for it ("SKU", "cost price").
    pub fn label(self) -> &'static str {
        Target::from(self).label()
    }
}

impl From<Target> for TargetDto {
    fn from(t: Target) -> Self {
        TargetDto::ALL[t.index()]
    }
}

impl From<TargetDto> for Target {
    fn from(t: TargetDto) -> Self {
        Target::ALL[t as usize]
    }
}

/// A target the mapping screen offers, with the English words the import uses for it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct TargetInfo {
    pub target: TargetDto,
    pub label: String,
    /// Barcodes, images and characteristics collect every column mapped to them.
    pub multi: bool,
}

/// One source field and where it goes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct FieldMappingDto {
    pub source: String,
    pub target: TargetDto,
    pub unit: Option<String>,
    /// A characteristic's name, when not the header's.
    pub name: Option<String>,
}

/// A feed's mapping as a whole.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct MappingDto {
    pub fields: Vec<FieldMappingDto>,
    /// The currency of prices when a row names none.
    pub currency: Option<String>,
    /// Columns the mapping does not mention become characteristics.
    pub unmapped_as_attributes: bool,
    /// YML `<param>`s become characteristics.
    pub params_as_attributes: bool,
}

/// One row as it would be imported, or why it would be rejected.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct PreviewItemDto {
    #[ts(type = "number")]
    pub line: u64,
    pub sku: String,
    pub name: String,
    pub brand: String,
    pub category: String,
    pub cost: Option<MoneyDto>,
    /// After the price rules.
    pub price: Option<MoneyDto>,
    #[ts(type = "number")]
    pub stock: i64,
    pub barcodes: Vec<String>,
    pub attributes: u32,
    pub images: u32,
    /// Why the row would be rejected.
    pub problem: Option<RowNoteDto>,
    pub warnings: Vec<RowNoteDto>,
}

/// A problem with one field of a previewed row. `code` names the kind of problem (the UI words
/// it in the person's language: `issue.<code>` in its dictionary); `reason` is the English text.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct RowNoteDto {
    pub code: String,
    pub field: String,
    pub value: String,
    pub reason: String,
}

/// The first rows of a feed, read and mapped, for the mapping screen.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct PreviewDto {
    /// `CSV`, `YML`, `XLSX`…
    pub format: String,
    pub encoding: Option<String>,
    pub delimiter: Option<String>,
    pub sheet: Option<String>,
    pub sheets: Vec<String>,
    pub columns: Vec<String>,
    /// Raw values of the first rows, by column.
    pub rows: Vec<Vec<String>>,
    pub mapping: MappingDto,
    /// False when the mapping is a suggestion from the headers, not yet saved.
    pub mapping_is_saved: bool,
    /// Why the mapping cannot be used as it is (no SKU column…).
    pub mapping_problems: Vec<String>,
    pub items: Vec<PreviewItemDto>,
    pub notices: Vec<String>,
    /// A read error after the rows shown.
    pub error: Option<String>,
}

/// Which feed to preview: the saved one, or an explicitly chosen file read with its settings.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct PreviewRequest {
    pub position: u32,
    pub file: Option<String>,
    /// With this mapping instead of the saved one (a live preview of unsaved changes).
    pub mapping: Option<MappingDto>,
    pub rows: u32,
}

/// How the final price is rounded.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum RoundingDto {
    #[default]
    None,
    To1,
    To10,
    To100,
    EndIn9,
    EndIn90,
    EndIn99,
}

/// What happens to offers that are no longer in the feed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum GoneDto {
    Keep,
    #[default]
    Zero,
    Archive,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct RateDto {
    pub currency: String,
    /// Decimal text: `92,50`.
    pub rate: String,
}

/// A supplier's import settings as the form shows them. The general price rule (for every
/// item) is `markup` + `rounding` + `min_margin`; rules for a brand or a category are kept.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct SupplierSettingsDto {
    /// Percent over cost, as typed (`30`, `12,5`); empty for none.
    pub markup_percent: String,
    pub rounding: RoundingDto,
    /// The least margin over cost, percent; empty for none.
    pub min_margin_percent: String,
    pub gone: GoneDto,
    pub create_categories: bool,
    pub rates: Vec<RateDto>,
    /// Cron (`0 6 * * *`): import on a schedule; empty for by hand only.
    pub schedule: String,
    /// Rules for brands or categories (set from the CLI) that this form does not show.
    pub other_rules: u32,
    /// The general rule has a markup this form cannot show (fixed or by cost range).
    pub custom_markup: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum RunStateDto {
    Running,
    Succeeded,
    Failed,
    Cancelled,
}

/// One import run.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct RunDto {
    pub id: String,
    pub supplier_id: String,
    pub supplier_name: String,
    pub job_id: Option<String>,
    pub state: RunStateDto,
    pub source: String,
    #[ts(type = "number")]
    pub started_at: u64,
    #[ts(type = "number | null")]
    pub finished_at: Option<u64>,
    #[ts(type = "number")]
    pub rows_read: u64,
    #[ts(type = "number")]
    pub created: u64,
    #[ts(type = "number")]
    pub updated: u64,
    #[ts(type = "number")]
    pub unchanged: u64,
    /// Offers no longer in the feed.
    #[ts(type = "number")]
    pub gone: u64,
    #[ts(type = "number")]
    pub rejected: u64,
    #[ts(type = "number")]
    pub warnings: u64,
    #[ts(type = "number | null")]
    pub total_ms: Option<u64>,
    pub notices: Vec<String>,
    pub error: Option<String>,
}

/// A supplier's page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct SupplierDetail {
    pub id: String,
    pub name: String,
    #[ts(type = "number")]
    pub offers: u64,
    /// Lower wins when several suppliers sell a product and the policy is by priority.
    /// (Optional in TypeScript only so that objects written before it still type-check.)
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub priority: Option<i32>,
    /// How a product sold by several suppliers gets its cost and stock: `cheapest_in_stock`,
    /// `priority` or `sum_of_stock`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub policy: Option<String>,
    pub feeds: Vec<FeedDto>,
    /// The main feed's saved mapping, if any.
    pub mapping: Option<MappingDto>,
    pub settings: SupplierSettingsDto,
    /// The whole settings document (price rules of every scope, brand aliases, rates…) as
    /// `vitrina suppliers set --settings-json` takes it back.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional, type = "unknown")]
    pub settings_document: Option<serde_json::Value>,
    /// The latest runs, newest first.
    pub runs: Vec<RunDto>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum IssueKindDto {
    Rejected,
    Warning,
}

/// A row a run rejected, or kept with a warning.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct IssueDto {
    pub kind: IssueKindDto,
    #[ts(type = "number | null")]
    pub line: Option<u64>,
    pub record_id: Option<String>,
    pub field: String,
    pub value: String,
    pub reason: String,
    /// The kind of problem, e.g. `price_negative`: the UI words it as `issue.<code>`.
    pub code: String,
}

/// A run with its issues; at most `REPORT_CAP` of them (the CSV export has all).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct ImportReportDto {
    pub run: RunDto,
    pub issues: Vec<IssueDto>,
    /// More issues than shown: export the CSV for all of them.
    pub capped: bool,
}

/// How many issues a report shows in the window.
pub const REPORT_CAP: u32 = 1000;

/// A category path of a supplier's feed and the seller's category it maps to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct CategoryMappingDto {
    /// As the feed names it: `Электроника / Смартфоны`.
    pub supplier_category: String,
    /// The seller's category path; `null`: products get no category.
    pub category: Option<String>,
}

// ---- conversions ----

/// Minor units of the catalog currency as the UI shows them.
pub(crate) fn rub(minor: i64) -> MoneyDto {
    Money::new(minor, Currency::RUB).into()
}

impl From<&ReadSettings> for ReadSettingsDto {
    fn from(r: &ReadSettings) -> Self {
        ReadSettingsDto {
            format: r.format.clone(),
            encoding: r.encoding.clone(),
            delimiter: r.delimiter.map(|c| c.to_string()),
            header_line: r.header_line,
            sheet: r.sheet.clone(),
            record_path: r.record_path.clone(),
        }
    }
}

fn filled(s: &Option<String>) -> Option<String> {
    s.as_deref().map(str::trim).filter(|s| !s.is_empty()).map(str::to_string)
}

impl ReadSettingsDto {
    /// The import crate's settings; the record path of XML/JSON feeds is kept from `before`.
    pub fn to_settings(&self, before: &ReadSettings) -> Result<ReadSettings, String> {
        let delimiter = match self.delimiter.as_deref().filter(|d| !d.is_empty()) {
            None => None,
            Some("\\t") | Some("tab") => Some('\t'),
            Some(d) => {
                let mut chars = d.chars();
                match (chars.next(), chars.next()) {
                    (Some(c), None) => Some(c),
                    _ => return Err(format!("the delimiter \"{d}\" must be one character")),
                }
            }
        };
        let settings = ReadSettings {
            format: filled(&self.format).map(|f| f.to_lowercase()),
            encoding: filled(&self.encoding),
            delimiter,
            header_line: self.header_line,
            sheet: filled(&self.sheet),
            record_path: filled(&self.record_path).or_else(|| before.record_path.clone()),
        };
        settings.options()?;
        Ok(settings)
    }
}

impl From<&FieldMapping> for FieldMappingDto {
    fn from(f: &FieldMapping) -> Self {
        FieldMappingDto {
            source: f.source.clone(),
            target: f.target.into(),
            unit: f.unit.clone(),
            name: f.name.clone(),
        }
    }
}

impl From<&MappingProfile> for MappingDto {
    fn from(m: &MappingProfile) -> Self {
        MappingDto {
            fields: m.fields.iter().map(FieldMappingDto::from).collect(),
            currency: m.currency.clone(),
            unmapped_as_attributes: m.unmapped_as_attributes,
            params_as_attributes: m.params_as_attributes,
        }
    }
}

impl From<&MappingDto> for MappingProfile {
    fn from(m: &MappingDto) -> Self {
        MappingProfile {
            fields: m
                .fields
                .iter()
                .map(|f| FieldMapping {
                    source: f.source.clone(),
                    target: f.target.into(),
                    unit: filled(&f.unit),
                    name: filled(&f.name),
                })
                .collect(),
            currency: filled(&m.currency).map(|c| c.to_uppercase()),
            unmapped_as_attributes: m.unmapped_as_attributes,
            params_as_attributes: m.params_as_attributes,
        }
    }
}

impl From<&PreviewItem> for PreviewItemDto {
    fn from(i: &PreviewItem) -> Self {
        PreviewItemDto {
            line: i.line,
            sku: i.sku.clone(),
            name: i.name.clone(),
            brand: i.brand.clone(),
            category: i.category.clone(),
            cost: i.cost.map(rub),
            price: i.price.map(rub),
            stock: i.stock,
            barcodes: i.barcodes.clone(),
            attributes: i.attributes as u32,
            images: i.images as u32,
            problem: i.problem.as_ref().map(|r| RowNoteDto::new(r.code, &r.field, &r.value, &r.reason)),
            warnings: i
                .warnings
                .iter()
                .map(|w| RowNoteDto::new(w.code, &w.field, &w.value, &w.reason))
                .collect(),
        }
    }
}

impl From<&FeedPreview> for PreviewDto {
    fn from(p: &FeedPreview) -> Self {
        PreviewDto {
            format: p.format.clone(),
            encoding: p.encoding.clone(),
            delimiter: p.delimiter.map(|c| if c == '\t' { "\\t".into() } else { c.to_string() }),
            sheet: p.sheet.clone(),
            sheets: p.sheets.clone(),
            columns: p.columns.clone(),
            rows: p.rows.clone(),
            mapping: (&p.mapping).into(),
            mapping_is_saved: p.mapping_is_saved,
            mapping_problems: p.mapping_problems.clone(),
            items: p.items.iter().map(PreviewItemDto::from).collect(),
            notices: p.notices.clone(),
            error: p.error.clone(),
        }
    }
}

impl From<Rounding> for RoundingDto {
    fn from(r: Rounding) -> Self {
        match r {
            Rounding::None => RoundingDto::None,
            Rounding::To1 => RoundingDto::To1,
            Rounding::To10 => RoundingDto::To10,
            Rounding::To100 => RoundingDto::To100,
            Rounding::EndIn9 => RoundingDto::EndIn9,
            Rounding::EndIn90 => RoundingDto::EndIn90,
            Rounding::EndIn99 => RoundingDto::EndIn99,
        }
    }
}

impl From<RoundingDto> for Rounding {
    fn from(r: RoundingDto) -> Self {
        match r {
            RoundingDto::None => Rounding::None,
            RoundingDto::To1 => Rounding::To1,
            RoundingDto::To10 => Rounding::To10,
            RoundingDto::To100 => Rounding::To100,
            RoundingDto::EndIn9 => Rounding::EndIn9,
            RoundingDto::EndIn90 => Rounding::EndIn90,
            RoundingDto::EndIn99 => Rounding::EndIn99,
        }
    }
}

impl From<GonePolicy> for GoneDto {
    fn from(g: GonePolicy) -> Self {
        match g {
            GonePolicy::Keep => GoneDto::Keep,
            GonePolicy::Zero => GoneDto::Zero,
            GonePolicy::Archive => GoneDto::Archive,
        }
    }
}

impl From<GoneDto> for GonePolicy {
    fn from(g: GoneDto) -> Self {
        match g {
            GoneDto::Keep => GonePolicy::Keep,
            GoneDto::Zero => GonePolicy::Zero,
            GoneDto::Archive => GonePolicy::Archive,
        }
    }
}

/// `2500` basis points → `25`, `1250` → `12,5`.
fn percent_text(bp: i64) -> String {
    let whole = bp / 100;
    let frac = (bp % 100).abs();
    match frac {
        0 => whole.to_string(),
        f if f % 10 == 0 => format!("{whole},{}", f / 10),
        f => format!("{whole},{f:02}"),
    }
}

/// `30` → 3000 bp, `12,5` → 1250, `-5` → -500; empty → `None`.
pub fn parse_percent(text: &str, what: &str) -> Result<Option<i64>, String> {
    let t = text.trim().trim_end_matches('%').trim().replace(',', ".");
    if t.is_empty() {
        return Ok(None);
    }
    let bad = || format!("{what}: \"{}\" is not a percentage (e.g. 30 or 12,5)", text.trim());
    let (neg, digits) = match t.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, t.as_str()),
    };
    let (int, frac) = digits.split_once('.').unwrap_or((digits, ""));
    if int.is_empty() && frac.is_empty()
        || !int.chars().all(|c| c.is_ascii_digit())
        || !frac.chars().all(|c| c.is_ascii_digit())
        || frac.len() > 2
        || int.len() > 6
    {
        return Err(bad());
    }
    let int: i64 = if int.is_empty() { 0 } else { int.parse().map_err(|_| bad())? };
    let frac: i64 = format!("{frac:0<2}").parse().map_err(|_| bad())?;
    let bp = int * 100 + frac;
    Ok(Some(if neg { -bp } else { bp }))
}

impl From<&SupplierSettings> for SupplierSettingsDto {
    fn from(s: &SupplierSettings) -> Self {
        let general = s.price_rules.rules.iter().rposition(|r| r.scope == Scope::All);
        let other_rules = s.price_rules.rules.len() - usize::from(general.is_some());
        let rule = general.map(|i| &s.price_rules.rules[i]);
        let (markup_percent, custom_markup) = match rule.map(|r| &r.markup) {
            None | Some(Markup::None) => (String::new(), false),
            Some(Markup::Percent { bp }) => (percent_text(*bp), false),
            Some(_) => (String::new(), true),
        };
        SupplierSettingsDto {
            markup_percent,
            rounding: rule.map_or(RoundingDto::None, |r| r.rounding.into()),
            min_margin_percent: rule.and_then(|r| r.min_margin_bp).map(percent_text).unwrap_or_default(),
            gone: s.gone.into(),
            create_categories: s.create_categories,
            rates: s.rates.iter().map(|(c, r)| RateDto { currency: c.clone(), rate: r.clone() }).collect(),
            schedule: s.schedule.clone().unwrap_or_default(),
            other_rules: other_rules as u32,
            custom_markup,
        }
    }
}

impl SupplierSettingsDto {
    /// The stored settings with this form applied: the general rule is replaced (or added last,
    /// after the specific ones), everything the form does not show is kept.
    pub fn apply_to(&self, before: &SupplierSettings) -> Result<SupplierSettings, String> {
        let mut s = before.clone();
        let markup = parse_percent(&self.markup_percent, "the markup")?;
        let margin = parse_percent(&self.min_margin_percent, "the minimum margin")?;
        if margin.is_some_and(|m| m < 0) {
            return Err("the minimum margin must not be negative".into());
        }
        let general = s.price_rules.rules.iter().rposition(|r| r.scope == Scope::All);
        let mut rule = general.map(|i| s.price_rules.rules.remove(i)).unwrap_or_default();
        rule.markup = match (markup, &rule.markup) {
            (Some(bp), _) => Markup::Percent { bp },
            // A markup the form cannot show stays unless the seller typed one.
            (None, m @ (Markup::Fixed { .. } | Markup::Tiers { .. })) => m.clone(),
            (None, _) => Markup::None,
        };
        rule.rounding = self.rounding.into();
        rule.min_margin_bp = margin;
        let plain =
            rule.markup == Markup::None && rule.rounding == Rounding::None && rule.min_margin_bp.is_none();
        if !plain {
            s.price_rules.rules.push(rule);
        }
        s.gone = self.gone.into();
        s.create_categories = self.create_categories;
        let mut rates = Vec::new();
        for r in &self.rates {
            let code = r.currency.trim().to_uppercase();
            let rate = r.rate.trim().replace(',', ".");
            if code.is_empty() && rate.is_empty() {
                continue;
            }
            if code.parse::<Currency>().is_err() {
                return Err(format!("\"{}\" is not a currency code (e.g. USD, EUR, CNY)", r.currency.trim()));
            }
            if rate.parse::<f64>().ok().is_none_or(|v| v <= 0.0) {
                return Err(format!("the rate of {code}, \"{}\", is not a positive number", r.rate.trim()));
            }
            rates.push((code, rate));
        }
        s.rates = rates;
        s.schedule = Some(self.schedule.trim().to_string()).filter(|c| !c.is_empty());
        Ok(s)
    }
}

impl From<RunState> for RunStateDto {
    fn from(s: RunState) -> Self {
        match s {
            RunState::Running => RunStateDto::Running,
            RunState::Succeeded => RunStateDto::Succeeded,
            RunState::Failed => RunStateDto::Failed,
            RunState::Cancelled => RunStateDto::Cancelled,
        }
    }
}

impl From<&RunRecord> for RunDto {
    fn from(r: &RunRecord) -> Self {
        RunDto {
            id: r.id.to_string(),
            supplier_id: r.supplier.to_string(),
            supplier_name: r.supplier_name.clone(),
            job_id: r.job_id.map(|j| j.to_string()),
            state: r.state.into(),
            source: r.source.clone(),
            started_at: r.started_at,
            finished_at: r.finished_at,
            rows_read: r.rows_read,
            created: r.counts.created,
            updated: r.counts.updated,
            unchanged: r.counts.unchanged,
            gone: r.counts.disappeared,
            rejected: r.counts.rejected,
            warnings: r.warnings,
            total_ms: r.total_ms,
            notices: r.notices.clone(),
            error: r.error.clone(),
        }
    }
}

impl ImportReportDto {
    /// A run with at most `cap` of its issues; `report` may hold more (ask for `cap + 1` to
    /// know whether it is capped).
    pub fn new(report: &ImportReport, cap: u32) -> Self {
        let cap = cap as usize;
        ImportReportDto {
            run: (&report.run).into(),
            issues: report.issues.iter().take(cap).map(IssueDto::from).collect(),
            capped: report.issues.len() > cap,
        }
    }
}

impl From<&SupplierSummary> for SupplierListItem {
    fn from(s: &SupplierSummary) -> Self {
        SupplierListItem {
            id: s.id.to_string(),
            name: s.name.clone(),
            offers: s.offers,
            feeds: s.sources.len() as u32,
            main_feed: s.sources.iter().find(|f| f.position == 0).map(|f| f.location.clone()),
            last_run: s.last_run.as_ref().map(RunDto::from),
        }
    }
}

impl From<(String, Option<String>)> for CategoryMappingDto {
    fn from((supplier_category, category): (String, Option<String>)) -> Self {
        CategoryMappingDto { supplier_category, category }
    }
}

impl FeedAuthKind {
    /// A sign-in as typed: `none`, `basic:USER` or `header:NAME` → the kind and the name.
    pub fn from_text(text: &str) -> Result<(FeedAuthKind, String), AppError> {
        let text = text.trim();
        let (kind, arg) = text.split_once(':').unwrap_or((text, ""));
        let arg = arg.trim().to_string();
        match kind.trim().to_lowercase().as_str() {
            "" | "none" => Ok((FeedAuthKind::None, String::new())),
            "basic" if !arg.is_empty() => Ok((FeedAuthKind::Basic, arg)),
            "header" if !arg.is_empty() => Ok((FeedAuthKind::Header, arg)),
            _ => Err(AppError::invalid(format!(
                "\"{text}\" is not a sign-in method; use none, basic:USER or header:NAME (e.g. header:Authorization)"
            ))),
        }
    }
}

impl From<&ImportIssue> for IssueDto {
    fn from(i: &ImportIssue) -> Self {
        IssueDto {
            kind: match i.kind {
                IssueKind::Rejected => IssueKindDto::Rejected,
                IssueKind::Warning => IssueKindDto::Warning,
            },
            line: i.line,
            record_id: i.record_id.clone(),
            field: i.field.clone(),
            value: i.value.clone(),
            reason: i.reason.clone(),
            code: i.code.code().to_string(),
        }
    }
}

impl RowNoteDto {
    fn new(code: IssueCode, field: &str, value: &str, reason: &str) -> Self {
        RowNoteDto {
            code: code.code().into(),
            field: field.into(),
            value: value.into(),
            reason: reason.into(),
        }
    }
}

#[cfg(test)]
mod tests {
    use vitrina_import::pricing::{PriceRule, PriceRules};

    use super::*;

    #[test]
    fn targets_convert_by_position_with_the_same_names() {
        for t in Target::ALL {
            let dto = TargetDto::from(t);
            assert_eq!(Target::from(dto), t);
            assert_eq!(serde_json::to_value(dto).unwrap(), serde_json::to_value(t).unwrap());
        }
    }

    #[test]
    fn percentages_read_as_typed_and_print_back() {
        assert_eq!(parse_percent("30", "m"), Ok(Some(3000)));
        assert_eq!(parse_percent(" 12,5 % ", "m"), Ok(Some(1250)));
        assert_eq!(parse_percent("-5", "m"), Ok(Some(-500)));
        assert_eq!(parse_percent("", "m"), Ok(None));
        assert!(parse_percent("ten", "the markup").unwrap_err().contains("the markup"));
        assert!(parse_percent("1.234", "m").is_err());
        assert_eq!(percent_text(1250), "12,5");
        assert_eq!(percent_text(3000), "30");
        assert_eq!(percent_text(1205), "12,05");
    }

    #[test]
    fn the_form_replaces_the_general_rule_and_keeps_the_specific_ones() {
        let brand = PriceRule {
            scope: Scope::Brand { brand: "Bosch".into() },
            markup: Markup::Percent { bp: 1000 },
            ..Default::default()
        };
        let before = SupplierSettings {
            price_rules: PriceRules { rules: vec![brand.clone(), PriceRule::default()] },
            ..Default::default()
        };
        let mut form = SupplierSettingsDto::from(&before);
        assert_eq!(form.other_rules, 1);
        form.markup_percent = "30".into();
        form.rounding = RoundingDto::EndIn9;
        form.min_margin_percent = "10".into();
        form.rates = vec![RateDto { currency: "usd".into(), rate: "92,5".into() }];
        form.schedule = " 0 6 * * * ".into();
        let after = form.apply_to(&before).unwrap();
        assert_eq!(after.price_rules.rules[0], brand);
        let general = &after.price_rules.rules[1];
        assert_eq!(general.markup, Markup::Percent { bp: 3000 });
        assert_eq!((general.rounding, general.min_margin_bp), (Rounding::EndIn9, Some(1000)));
        assert_eq!(after.rates, vec![("USD".into(), "92.5".into())]);
        assert_eq!(after.schedule.as_deref(), Some("0 6 * * *"));
        assert_eq!(SupplierSettingsDto::from(&after).markup_percent, "30");
        form.rates[0].currency = "гривны".into();
        assert!(form.apply_to(&before).unwrap_err().contains("гривны"));
    }
}
