//! The per-row mapper: a [`MappingProfile`] compiled once per run into a hash of source keys,
//! so each row costs one lookup per field and the allocations of its output strings.

use rustc_hash::FxHashMap;
use vitrina_domain::{Currency, Dimensions};
use vitrina_formats::Record;
use vitrina_store::imports::IssueCode;

use super::{MappingError, MappingProfile, Target, field_unit};
use crate::item::{ItemWarning, RowRejection, SupplierItem};
use crate::normalize::{
    Axis, Decimal, DescriptionCleaner, NormalizeContext, ParsedDimensions, PriceError, Quantity, StockText,
    Unit, attribute, clean_text, header_axis_order, money::parse_price_fast, parse_available, parse_barcodes,
    parse_currency, parse_dimensions, parse_pack_units, parse_stock, split_category_path, split_header_unit,
    split_images, units::to_whole_u32,
};

const TARGETS: usize = Target::ALL.len();

#[derive(Debug)]
struct Binding {
    source: Box<str>,
    target: Target,
    /// Rank among the bindings of the same target: 0 wins over 1.
    priority: u16,
    unit: Option<Unit>,
    unit_text: Option<Box<str>>,
    /// The characteristic's name for [`Target::Attribute`].
    attr_name: Box<str>,
    /// Axis order announced by a size header ("(ШxВxГ)").
    axes: Option<[Axis; 3]>,
    /// The next binding of the same source key (a column feeding two targets).
    next: Option<u16>,
}

/// A [`MappingProfile`] ready to map rows fast. Build once per import with
/// [`MappingProfile::compile`]; it is immutable and can be shared between threads.
#[derive(Debug)]
pub struct CompiledMapping {
    index: FxHashMap<Box<str>, u16>,
    bindings: Vec<Binding>,
    first: [Option<u16>; TARGETS],
    default_currency: Option<Currency>,
    unmapped_as_attributes: bool,
    params_as_attributes: bool,
    /// Fields mapped to characteristics (capped): the usual number a row adds.
    attribute_fields: usize,
    cleaner: DescriptionCleaner,
}

#[derive(Clone, Copy)]
struct Hit<'r> {
    binding: u16,
    value: &'r str,
}

/// The single-valued fields of one row, borrowed from the record.
struct Row<'r> {
    best: [Option<Hit<'r>>; TARGETS],
    /// The sum of a repeated stock field (`outlets/outlet@instock` of several outlets).
    stock_sum: Option<i64>,
}

impl<'r> Row<'r> {
    fn get(&self, target: Target) -> Option<Hit<'r>> {
        self.best[target.index()]
    }
}

fn reject(code: IssueCode, field: &str, value: &str, reason: impl Into<String>) -> RowRejection {
    RowRejection { code, field: field.to_owned(), value: value.trim().to_owned(), reason: reason.into() }
}

fn price_code(e: &PriceError) -> IssueCode {
    match e {
        PriceError::Empty => IssueCode::PriceEmpty,
        PriceError::NotAnAmount => IssueCode::PriceInvalid,
        PriceError::Negative => IssueCode::PriceNegative,
        PriceError::TooLarge => IssueCode::PriceTooLarge,
        PriceError::NoRate(_) => IssueCode::NoExchangeRate,
    }
}

fn warning(code: IssueCode, field: &str, value: &str, reason: impl Into<String>) -> ItemWarning {
    ItemWarning { code, field: field.to_owned(), value: value.trim().to_owned(), reason: reason.into() }
}

impl CompiledMapping {
    /// Compiles `profile`; see [`MappingProfile::compile`].
    pub fn new(profile: &MappingProfile) -> Result<Self, MappingError> {
        let mut index: FxHashMap<Box<str>, u16> = FxHashMap::default();
        let mut bindings: Vec<Binding> = Vec::with_capacity(profile.fields.len());
        let mut first = [None; TARGETS];
        let mut counts = [0u16; TARGETS];
        for f in &profile.fields {
            let (unit, unit_text) = field_unit(f)?;
            let at = u16::try_from(bindings.len()).unwrap_or(u16::MAX);
            let name = f.name.clone().unwrap_or_else(|| split_header_unit(&f.source).0.to_owned());
            bindings.push(Binding {
                source: f.source.as_str().into(),
                target: f.target,
                priority: counts[f.target.index()],
                unit,
                unit_text: unit_text.map(Into::into),
                attr_name: name.into(),
                axes: (f.target == Target::Dimensions).then(|| header_axis_order(&f.source)).flatten(),
                next: None,
            });
            counts[f.target.index()] = counts[f.target.index()].saturating_add(1);
            first[f.target.index()].get_or_insert(at);
            match index.get(f.source.as_str()) {
                Some(&head) => {
                    let mut i = head as usize;
                    while let Some(n) = bindings[i].next {
                        i = n as usize;
                    }
                    bindings[i].next = Some(at);
                }
                None => {
                    index.insert(f.source.as_str().into(), at);
                }
            }
        }
        Ok(Self {
            index,
            bindings,
            first,
            default_currency: profile.default_currency()?,
            unmapped_as_attributes: profile.unmapped_as_attributes,
            params_as_attributes: profile.params_as_attributes,
            attribute_fields: counts[Target::Attribute.index()].min(16) as usize,
            cleaner: DescriptionCleaner::new(),
        })
    }

    /// Compiles `profile` for a file with these `headers` (empty for formats without a header
    /// row, such as YML). Refuses what would reject every row: no SKU field (unless records
    /// carry their own id, as YML offers do), an SKU column the file does not have, a bad
    /// currency or unit.
    pub fn compile(profile: &MappingProfile, headers: &[&str]) -> Result<Self, MappingError> {
        let compiled = Self::new(profile)?;
        match compiled.source_of(Target::Sku) {
            None if !headers.is_empty() => return Err(MappingError::NoSku),
            Some(sku) if !headers.is_empty() && !headers.contains(&sku) && !sku.starts_with('@') => {
                return Err(MappingError::MissingColumn(sku.to_owned()));
            }
            _ => {}
        }
        Ok(compiled)
    }

    /// The source key of the first field mapped to `target`.
    pub fn source_of(&self, target: Target) -> Option<&str> {
        self.first[target.index()].map(|i| &*self.bindings[i as usize].source)
    }

    /// Maps and normalizes one record. A row without SKU, without name (when a name field is
    /// mapped), or with a price that cannot be read is rejected; smaller problems (a bad
    /// barcode, an unreadable weight) drop the value and leave a warning on the item.
    ///
    /// A required field that the profile does not map at all (no name or price column in a
    /// stock-only feed) is left empty for the pipeline to decide.
    pub fn map(&self, record: &Record, ctx: &NormalizeContext) -> Result<SupplierItem, RowRejection> {
        let mut item = SupplierItem { line: record.line(), ..SupplierItem::default() };
        let mut row = Row { best: [None; TARGETS], stock_sum: None };
        // One allocation for the characteristics instead of a few regrowths.
        let params = if self.params_as_attributes { record.params().len() } else { 0 };
        item.attributes.reserve_exact(params + self.attribute_fields);
        for (key, value) in record.fields() {
            if is_blank(value) {
                continue;
            }
            let Some(&head) = self.index.get(key) else {
                if self.unmapped_as_attributes {
                    let (name, unit) = split_header_unit(key);
                    item.attributes.push(attribute(name, unit, value));
                }
                continue;
            };
            let mut next = Some(head);
            while let Some(at) = next {
                let b = &self.bindings[at as usize];
                next = b.next;
                self.take(at, b, value, &mut row, &mut item);
            }
        }
        if self.params_as_attributes {
            item.attributes.extend(
                record
                    .params()
                    .filter(|p| !p.value.trim().is_empty())
                    .map(|p| attribute(p.name, p.unit, p.value)),
            );
        }
        self.finish(record, ctx, &row, &mut item)?;
        Ok(item)
    }

    fn take<'r>(&self, at: u16, b: &Binding, value: &'r str, row: &mut Row<'r>, item: &mut SupplierItem) {
        match b.target {
            Target::Ignore => {}
            Target::Attribute => item.attributes.push(attribute(&b.attr_name, b.unit_text.as_deref(), value)),
            Target::Barcode => {
                let warnings = &mut item.warnings;
                parse_barcodes(value, &mut item.barcodes, |v, reason| {
                    warnings.push(warning(
                        IssueCode::BarcodeSkipped,
                        &b.source,
                        v,
                        format!("{reason}; the barcode was skipped"),
                    ));
                });
            }
            Target::Images => split_images(value, |url| {
                if !item.images.iter().any(|u| u == url) {
                    item.images.push(url.to_owned());
                }
            }),
            target => {
                let slot = &mut row.best[target.index()];
                match slot {
                    Some(hit) if hit.binding == at && target == Target::Stock => {
                        // Several outlets: add them up when all are plain numbers.
                        let int = |v: &str| v.trim().parse::<i64>().ok();
                        row.stock_sum = match (row.stock_sum.or_else(|| int(hit.value)), int(value)) {
                            (Some(a), Some(b)) => Some(a.saturating_add(b)),
                            (sum, _) => sum,
                        };
                    }
                    Some(hit) if self.bindings[hit.binding as usize].priority <= b.priority => {}
                    _ => {
                        *slot = Some(Hit { binding: at, value });
                        if target == Target::Stock {
                            row.stock_sum = None;
                        }
                    }
                }
            }
        }
    }

    fn src(&self, hit: Hit<'_>) -> &str {
        &self.bindings[hit.binding as usize].source
    }

    fn finish(
        &self,
        record: &Record,
        ctx: &NormalizeContext,
        row: &Row<'_>,
        item: &mut SupplierItem,
    ) -> Result<(), RowRejection> {
        // SKU: the mapped field, else the record's own id (YML offer@id).
        item.supplier_sku = match row.get(Target::Sku) {
            Some(h) => clean_text(h.value),
            None => record.id().map(clean_text).unwrap_or_default(),
        };
        if item.supplier_sku.is_empty() {
            let field = self.source_of(Target::Sku).unwrap_or("SKU");
            return Err(reject(
                IssueCode::SkuEmpty,
                field,
                "",
                "the SKU is empty; every row needs the supplier's article",
            ));
        }

        // Name, or "typePrefix vendor model" for YML vendor.model offers.
        item.name = row.get(Target::Name).map(|h| clean_text(h.value)).unwrap_or_default();
        if item.name.is_empty() {
            let parts = [Target::TypePrefix, Target::Brand, Target::ModelName];
            let composed: Vec<&str> =
                parts.iter().filter_map(|t| row.get(*t)).map(|h| h.value.trim()).collect();
            if row.get(Target::ModelName).is_some() || row.get(Target::TypePrefix).is_some() {
                item.name = clean_text(&composed.join(" "));
            }
        }
        if item.name.is_empty()
            && let Some(field) = [Target::Name, Target::ModelName, Target::TypePrefix]
                .into_iter()
                .find_map(|t| self.source_of(t))
        {
            return Err(reject(IssueCode::NameEmpty, field, "", "the name is empty; a product needs a name"));
        }

        // Prices, in the row's currency, converted to the catalog's.
        let currency = match row.get(Target::Currency) {
            Some(h) => parse_currency(h.value).ok_or_else(|| {
                reject(
                    IssueCode::CurrencyInvalid,
                    self.src(h),
                    h.value,
                    "is not a currency code (expected e.g. RUB, USD, EUR)",
                )
            })?,
            None => self.default_currency.unwrap_or(ctx.currency),
        };
        let price = |target: Target| -> Result<Option<i64>, RowRejection> {
            let Some(h) = row.get(target) else {
                return Ok(None);
            };
            parse_price_fast(h.value, currency)
                .and_then(|minor| ctx.to_catalog(minor, currency))
                .map(Some)
                .map_err(|e| reject(price_code(&e), self.src(h), h.value, e.to_string()))
        };
        item.retail_price = price(Target::Price)?;
        item.cost = price(Target::Cost)?;
        if item.retail_price.is_none()
            && item.cost.is_none()
            && let Some(field) = self.source_of(Target::Price).or_else(|| self.source_of(Target::Cost))
        {
            return Err(reject(IssueCode::PriceEmpty, field, "", "the price is empty"));
        }
        match price(Target::OldPrice) {
            Ok(old) => item.old_price = old.filter(|m| *m > 0),
            Err(r) => item.warnings.push(ItemWarning {
                code: IssueCode::OldPriceSkipped,
                field: r.field,
                value: r.value,
                reason: format!("{}; the old price was skipped", r.reason),
            }),
        }

        if let Some(h) = row.get(Target::Description) {
            item.description = self.cleaner.clean(h.value);
        }
        if let Some(h) = row.get(Target::Brand) {
            item.brand = ctx.brand(h.value);
        }
        if let Some(h) = row.get(Target::Model).or_else(|| row.get(Target::ModelName)) {
            item.model = clean_text(h.value);
        }
        self.category(row, ctx, item);
        self.stock(row, ctx, item);
        self.sizes(row, item);
        if let Some(h) = row.get(Target::VariantGroup) {
            item.variant_group = Some(clean_text(h.value)).filter(|g| !g.is_empty());
        }
        if let Some(h) = row.get(Target::PackUnits) {
            match parse_pack_units(h.value) {
                Some(n) => item.pack_units = Some(n),
                None => item.warnings.push(warning(
                    IssueCode::PackUnitsInvalid,
                    self.src(h),
                    h.value,
                    "is not a pack size (expected a whole number of units, e.g. 6); ignored",
                )),
            }
        }
        Ok(())
    }

    /// A category id the feed declared wins; otherwise the category text is split into a path.
    fn category(&self, row: &Row<'_>, ctx: &NormalizeContext, item: &mut SupplierItem) {
        let by_id = row.get(Target::CategoryId).map(|h| (h, ctx.category(h.value)));
        if let Some((_, Some(path))) = by_id {
            item.category_path = path.to_vec();
            return;
        }
        if let Some(h) = row.get(Target::Category) {
            item.category_path = split_category_path(h.value);
            if !item.category_path.is_empty() {
                return;
            }
        }
        if let Some((h, None)) = by_id
            && !ctx.categories.is_empty()
        {
            item.warnings.push(warning(
                IssueCode::CategoryUnknown,
                self.src(h),
                h.value,
                "the feed declares no category with this id; the product has no category",
            ));
        }
    }

    fn stock(&self, row: &Row<'_>, ctx: &NormalizeContext, item: &mut SupplierItem) {
        let available = row.get(Target::Available).and_then(|h| {
            let v = parse_available(h.value);
            if v.is_none() {
                item.warnings.push(warning(
                    IssueCode::AvailabilityInvalid,
                    self.src(h),
                    h.value,
                    "is neither yes nor no; availability ignored",
                ));
            }
            v
        });
        let stated = match (row.stock_sum, row.get(Target::Stock)) {
            (Some(sum), _) => Some(StockText::Count(sum.max(0))),
            (None, Some(h)) => match parse_stock(h.value) {
                Ok(s) => s,
                Err(()) => {
                    item.warnings.push(warning(
                        IssueCode::StockInvalid,
                        self.src(h),
                        h.value,
                        "is not a stock quantity (expected a number, «> 10», «много» or «нет»)",
                    ));
                    None
                }
            },
            (None, None) => None,
        };
        item.stock = match (available, stated) {
            (Some(false), _) | (_, Some(StockText::OutOfStock)) => 0,
            (_, Some(StockText::Count(n))) => n,
            (_, Some(StockText::InStock)) | (Some(true), None) => ctx.in_stock_quantity,
            (None, None) => 0,
        };
    }

    fn sizes(&self, row: &Row<'_>, item: &mut SupplierItem) {
        if let Some(h) = row.get(Target::Weight) {
            let b = &self.bindings[h.binding as usize];
            match measure(h.value, b.unit.unwrap_or(Unit::KILOGRAM), Quantity::Mass) {
                Ok(g) => item.weight_g = Some(g).filter(|g| *g > 0),
                Err(reason) => item.warnings.push(warning(
                    IssueCode::WeightSkipped,
                    &b.source,
                    h.value,
                    reason + "; the weight was skipped",
                )),
            }
        }
        let mut dims = ParsedDimensions::default();
        if let Some(h) = row.get(Target::Dimensions) {
            let b = &self.bindings[h.binding as usize];
            match parse_dimensions(h.value, Some(b.unit.unwrap_or(Unit::CENTIMETRE)), b.axes) {
                Ok(d) => dims = d,
                Err(e) => item.warnings.push(warning(
                    IssueCode::SizeSkipped,
                    &b.source,
                    h.value,
                    format!("{e}; the sizes were skipped"),
                )),
            }
        }
        for (target, slot) in [
            (Target::Length, &mut dims.length),
            (Target::Width, &mut dims.width),
            (Target::Height, &mut dims.height),
        ] {
            let Some(h) = row.get(target) else { continue };
            let b = &self.bindings[h.binding as usize];
            match measure(h.value, b.unit.unwrap_or(Unit::CENTIMETRE), Quantity::Length) {
                Ok(mm) => *slot = Some(crate::normalize::Measure::exact(mm)),
                Err(reason) => item.warnings.push(warning(
                    IssueCode::SizeSkipped,
                    &b.source,
                    h.value,
                    reason + "; the size was skipped",
                )),
            }
        }
        item.dimensions =
            dims.to_box().filter(|d: &Dimensions| d.length_mm > 0 && d.width_mm > 0 && d.height_mm > 0);
    }
}

/// Empty or only whitespace; a value starting with a visible ASCII character is decided by its
/// first byte.
fn is_blank(value: &str) -> bool {
    match value.as_bytes().first() {
        None => true,
        Some(b) if b.is_ascii_graphic() => false,
        Some(_) => value.trim().is_empty(),
    }
}

/// A weight or length with an optional unit after the number, in whole canonical units.
fn measure(value: &str, default: Unit, quantity: Quantity) -> Result<u32, String> {
    let what = if quantity == Quantity::Mass { "weight" } else { "length" };
    let Some((n, rest)) = Decimal::parse_prefix(value) else {
        return Err(format!("is not a {what}"));
    };
    let rest = rest.trim();
    let unit = if rest.is_empty() {
        default
    } else {
        Unit::parse(rest).ok_or_else(|| format!("«{rest}» is not a unit we know"))?
    };
    if unit.quantity != quantity {
        return Err(format!("«{rest}» is not a unit of {what}"));
    }
    if n.is_negative() {
        return Err(format!("a {what} cannot be negative"));
    }
    unit.to_canonical(n).and_then(to_whole_u32).ok_or_else(|| format!("the {what} is too large"))
}

#[cfg(test)]
mod tests;
