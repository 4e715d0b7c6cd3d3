//! Conversions between the store and domain types and the IPC DTOs.

use vitrina_domain::money::format_minor;
use vitrina_domain::{
    ChangeRecord, Currency, FieldValue, LinkKind, Money, Product, ProductField, ProductStatus,
};
use vitrina_store::{
    CatalogStats, CategoryNode, Count, Filter, LinkView, Page, ProductRow, SearchResult, SortKey, UndoReport,
};

use super::*;
use crate::catalog::ProductView;
use crate::error::AppError;
use crate::jobs::{JobEnd, JobRecord, JobState, LogLevel, LogLine};

/// `1 299,50` — how the UI shows an amount.
pub fn format_money(m: Money) -> String {
    format_minor(m.minor, m.currency.exponent())
}

impl From<Money> for MoneyDto {
    fn from(m: Money) -> Self {
        MoneyDto { minor: m.minor, currency: m.currency.to_string(), text: format_money(m) }
    }
}

impl From<ProductStatus> for StatusDto {
    fn from(s: ProductStatus) -> Self {
        match s {
            ProductStatus::Draft => StatusDto::Draft,
            ProductStatus::Active => StatusDto::Active,
            ProductStatus::Archived => StatusDto::Archived,
        }
    }
}

impl From<StatusDto> for ProductStatus {
    fn from(s: StatusDto) -> Self {
        match s {
            StatusDto::Draft => ProductStatus::Draft,
            StatusDto::Active => ProductStatus::Active,
            StatusDto::Archived => ProductStatus::Archived,
        }
    }
}

impl From<SortDto> for SortKey {
    fn from(s: SortDto) -> Self {
        match s {
            SortDto::Name => SortKey::Name,
            SortDto::Price => SortKey::Price,
            SortDto::Stock => SortKey::Stock,
            SortDto::Updated => SortKey::Updated,
        }
    }
}

impl From<ProductRow> for ProductRowDto {
    fn from(r: ProductRow) -> Self {
        ProductRowDto {
            id: r.id.to_string(),
            sku: r.sku,
            name: r.name,
            brand: r.brand,
            category: r.category,
            price: r.price.into(),
            old_price: r.old_price.map(Into::into),
            stock: r.stock,
            status: r.status.into(),
            updated_at: r.updated_at,
            image: r.image,
        }
    }
}

impl From<Page> for ProductPageDto {
    fn from(p: Page) -> Self {
        ProductPageDto {
            rows: p.rows.into_iter().map(Into::into).collect(),
            next: p.next.map(|c| c.0),
            correction: None,
        }
    }
}

impl ProductSearchDto {
    /// The best matches for `typed`, with how it was read when not as typed.
    pub fn of(typed: &str, r: SearchResult) -> Self {
        ProductSearchDto {
            rows: r.rows.into_iter().map(Into::into).collect(),
            total: r.total,
            total_is_exact: r.total_is_exact,
            correction: r.correction.map(|c| CorrectionDto::of(typed, c)),
        }
    }
}

impl CorrectionDto {
    /// `typed` as it was read (`correction`).
    pub fn of(typed: &str, correction: vitrina_store::Correction) -> Self {
        CorrectionDto {
            typed: typed.to_string(),
            query: correction.query,
            instead: correction.instead,
            changes: correction
                .changes
                .into_iter()
                .map(|c| ChangeDto {
                    typed: c.typed,
                    meant: c.meant,
                    kind: match c.kind {
                        vitrina_store::ChangeKind::Layout => ChangeKindDto::Layout,
                        vitrina_store::ChangeKind::Alphabet => ChangeKindDto::Alphabet,
                        vitrina_store::ChangeKind::Typo => ChangeKindDto::Typo,
                    },
                })
                .collect(),
        }
    }
}

impl From<&Count> for CountDto {
    fn from(c: &Count) -> Self {
        CountDto { key: c.key.clone(), products: c.products }
    }
}

impl From<&CatalogStats> for StatsDto {
    fn from(s: &CatalogStats) -> Self {
        let counts = |c: &[Count]| c.iter().map(CountDto::from).collect();
        StatsDto {
            products: s.products,
            in_stock: s.in_stock,
            out_of_stock: s.out_of_stock,
            stock_units: s.stock_units,
            stock_value: Money::new(s.stock_value, Currency::RUB).into(),
            by_status: counts(&s.by_status),
            by_category: counts(&s.by_category),
            top_brands: counts(&s.top_brands),
            brands: s.brands,
            categories: s.categories,
            suppliers: s.suppliers,
        }
    }
}

impl From<&UndoReport> for UndoDto {
    fn from(u: &UndoReport) -> Self {
        UndoDto { fields: u.fields.iter().map(|f| f.code().to_string()).collect() }
    }
}

/// The text the editor shows for a field, in the form `edit_field` reads back.
fn field_text(p: &Product, category_path: &Option<String>, field: ProductField) -> String {
    let money = |m: Option<Money>| m.map(format_money).unwrap_or_default();
    match field {
        ProductField::Price => format_money(p.price),
        ProductField::OldPrice => money(p.old_price),
        ProductField::Cost => money(p.cost),
        ProductField::Category => category_path.clone().unwrap_or_default(),
        ProductField::Barcodes => p.barcodes.iter().map(|b| b.as_str()).collect::<Vec<_>>().join(", "),
        _ => p.field_value(field).unwrap_or_default(),
    }
}

/// A product as the editor shows it; both front ends build it here (the window's session,
/// `vitrina products show`).
impl From<ProductView> for ProductDto {
    fn from(view: ProductView) -> Self {
        let ProductView { product: p, category_path, links } = view;
        let mut derived: Vec<(ProductField, &str)> = Vec::new();
        for l in links.iter().filter(|l| l.outgoing) {
            match l.kind {
                LinkKind::KitComponent { .. } => derived.push((ProductField::Stock, "kit")),
                LinkKind::Pack { .. } => {
                    derived.push((ProductField::Stock, "pack"));
                    derived.push((ProductField::Price, "pack"));
                }
                LinkKind::Related => {}
            }
        }
        let fields = ProductField::ALL
            .into_iter()
            .map(|f| FieldText {
                field: f.into(),
                text: field_text(&p, &category_path, f),
                derived: derived.iter().find(|(d, _)| *d == f).map(|(_, why)| (*why).to_string()),
            })
            .collect();
        ProductDto {
            id: p.id.to_string(),
            sku: p.sku.clone(),
            name: p.name.clone(),
            category_path,
            price: p.price.into(),
            old_price: p.old_price.map(Into::into),
            cost: p.cost.map(Into::into),
            stock: p.stock,
            status: p.status.into(),
            attributes: p
                .attributes
                .iter()
                .map(|a| AttributeDto { name: a.name.clone(), value: a.value.clone(), unit: a.unit.clone() })
                .collect(),
            images: p.images.iter().map(|i| i.url.clone()).collect(),
            variant_group: p.variant_group.map(|g| g.to_string()),
            links: links.iter().map(LinkDto::from).collect(),
            fields,
        }
    }
}

fn blank(s: &Option<String>) -> Option<&str> {
    s.as_deref().map(str::trim).filter(|s| !s.is_empty())
}

impl FilterDto {
    /// The store filter; prices are read as people type them (in roubles).
    pub fn to_filter(&self) -> Result<Filter, AppError> {
        let price = |s: &Option<String>, which: &str| -> Result<Option<i64>, AppError> {
            blank(s)
                .map(|v| {
                    Money::parse(v, Currency::RUB)
                        .map(|m| m.minor)
                        .map_err(|e| AppError::invalid(format!("{which} price \"{v}\": {e}")))
                })
                .transpose()
        };
        Ok(Filter {
            category: blank(&self.category)
                .map(|c| c.parse().map_err(|_| AppError::invalid(format!("\"{c}\" is not a category id"))))
                .transpose()?,
            brand: blank(&self.brand).map(str::to_string),
            supplier: blank(&self.supplier)
                .map(|c| c.parse().map_err(|_| AppError::invalid(format!("\"{c}\" is not a supplier id"))))
                .transpose()?,
            price_min: price(&self.price_min, "minimum")?,
            price_max: price(&self.price_max, "maximum")?,
            in_stock: self.in_stock,
            status: self.status.map(Into::into),
            text: blank(&self.text).map(str::to_string),
        })
    }
}

impl From<ProductField> for FieldName {
    fn from(f: ProductField) -> Self {
        match f {
            ProductField::Sku => FieldName::Sku,
            ProductField::Name => FieldName::Name,
            ProductField::Description => FieldName::Description,
            ProductField::Brand => FieldName::Brand,
            ProductField::Model => FieldName::Model,
            ProductField::Category => FieldName::Category,
            ProductField::VariantGroup => FieldName::VariantGroup,
            ProductField::Barcodes => FieldName::Barcodes,
            ProductField::Weight => FieldName::Weight,
            ProductField::Dimensions => FieldName::Dimensions,
            ProductField::Price => FieldName::Price,
            ProductField::OldPrice => FieldName::OldPrice,
            ProductField::Cost => FieldName::Cost,
            ProductField::Stock => FieldName::Stock,
            ProductField::Status => FieldName::Status,
            ProductField::Attributes => FieldName::Attributes,
            ProductField::Images => FieldName::Images,
        }
    }
}

impl From<FieldName> for ProductField {
    fn from(f: FieldName) -> Self {
        ProductField::ALL.into_iter().find(|p| FieldName::from(*p) == f).unwrap_or(ProductField::Name)
    }
}

impl FieldName {
    pub fn code(self) -> &'static str {
        ProductField::from(self).code()
    }
}

impl From<&LinkView> for LinkDto {
    fn from(l: &LinkView) -> Self {
        let quantity = match l.kind {
            LinkKind::KitComponent { quantity } => Some(quantity),
            LinkKind::Pack { units, .. } => Some(units),
            LinkKind::Related => None,
        };
        LinkDto {
            kind: l.kind.code().to_string(),
            quantity,
            outgoing: l.outgoing,
            other_id: l.other_id.to_string(),
            other_sku: l.other_sku.clone(),
            other_name: l.other_name.clone(),
        }
    }
}

impl From<&CategoryNode> for CategoryDto {
    fn from(n: &CategoryNode) -> Self {
        CategoryDto {
            id: n.id.to_string(),
            parent: n.parent.map(|p| p.to_string()),
            name: n.name.clone(),
            depth: n.depth as u32,
            path: n.path.clone(),
            products: n.products,
        }
    }
}

/// A value from history as the editor shows it: amounts in the seller's notation (`199,00`),
/// anything else as stored.
pub fn shown_value(field: &str, stored: &str) -> String {
    shown(field, stored)
}

fn shown(field: &str, stored: &str) -> String {
    let money = field.parse::<ProductField>().ok().and_then(|f| f.parse_value(stored, Currency::RUB).ok());
    match money {
        Some(FieldValue::Price(m) | FieldValue::OldPrice(Some(m)) | FieldValue::Cost(Some(m))) => {
            format_money(m)
        }
        _ => stored.to_string(),
    }
}

impl From<ChangeRecord> for HistoryEntryDto {
    fn from(c: ChangeRecord) -> Self {
        HistoryEntryDto {
            id: c.id.to_string(),
            op: c.op.code().to_string(),
            field: c.field.clone(),
            old_text: c.old.as_deref().map(|t| shown(&c.field, t)),
            new_text: c.new.as_deref().map(|t| shown(&c.field, t)),
            old: c.old.clone(),
            new: c.new.clone(),
            who: c.who.clone(),
            at: c.hlc.wall_ms,
            batch: c.batch.to_string(),
        }
    }
}

impl From<JobState> for JobStateDto {
    fn from(s: JobState) -> Self {
        match s {
            JobState::Queued => JobStateDto::Queued,
            JobState::Running => JobStateDto::Running,
            JobState::Succeeded => JobStateDto::Succeeded,
            JobState::Failed => JobStateDto::Failed,
            JobState::Cancelled => JobStateDto::Cancelled,
        }
    }
}

impl From<&JobRecord> for JobDto {
    fn from(j: &JobRecord) -> Self {
        JobDto {
            id: j.id.to_string(),
            kind: j.kind.clone(),
            state: j.state.into(),
            done: j.progress.done,
            total: j.progress.total,
            message: j.progress.message.clone(),
            stage: j.progress.stage.as_deref().and_then(JobStage::parse),
            attempts: j.attempts,
            max_attempts: j.max_attempts,
            created_at: j.created_at,
            started_at: j.started_at,
            finished_at: j.finished_at,
            error: j.error.clone(),
            end: j.end.map(|e| match e {
                JobEnd::CancelledOnRequest => JobEndDto::CancelledOnRequest,
                JobEnd::CancelledByHandler => JobEndDto::CancelledByHandler,
                JobEnd::CancelledBeforeStart => JobEndDto::CancelledBeforeStart,
            }),
            error_code: j.error_code.as_deref().and_then(JobErrorCode::parse),
            cancel_requested: j.cancel_requested,
        }
    }
}

impl From<&LogLine> for JobLogDto {
    fn from(l: &LogLine) -> Self {
        JobLogDto {
            seq: l.seq,
            at: l.at,
            level: match l.level {
                LogLevel::Info => "info",
                LogLevel::Warn => "warn",
                LogLevel::Error => "error",
            }
            .to_string(),
            message: l.message.clone(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn history_shows_amounts_as_the_editor_does_and_other_values_as_stored() {
        assert_eq!(shown("price", "19900 RUB"), "199,00");
        assert_eq!(shown("old_price", "1234567 RUB"), "12 345,67");
        assert_eq!(shown("stock", "5"), "5");
        assert_eq!(shown("name", "Чайник 1 500 RUB"), "Чайник 1 500 RUB");
    }
}
