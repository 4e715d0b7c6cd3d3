//! How a supplier's fields map onto the catalog: a [`MappingProfile`] (stored as JSON per
//! supplier, suggested from the headers by [`suggest`], or [`MappingProfile::yml`] for YML
//! feeds) and its [`CompiledMapping`], built once per run, that turns each
//! [`Record`](vitrina_formats::Record) into a normalized [`SupplierItem`](crate::item::SupplierItem).

pub mod compiled;
pub mod suggest;

use serde::{Deserialize, Serialize};
use vitrina_domain::Currency;

pub use compiled::CompiledMapping;
pub use suggest::{Suggestion, suggest, suggest_with_confidence};

use crate::normalize::{Quantity, Unit, split_header_unit};

/// A catalog field a source field can feed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Target {
    /// The supplier's article / SKU. Required.
    Sku,
    /// The product title.
    Name,
    /// The product type word of YML `vendor.model` offers ("Кроссовки"); with the brand and
    /// [`Target::ModelName`] it builds a title when the row has none.
    TypePrefix,
    /// The model as part of the title (YML `model`); also fills the model when there is no
    /// vendor code.
    ModelName,
    /// Description, HTML or plain text; sanitized.
    Description,
    /// Brand / manufacturer; brand aliases apply.
    Brand,
    /// Vendor code / model number.
    Model,
    /// A category path: "A / B / C", "A > B", "A/B".
    Category,
    /// A supplier category id, resolved through the feed's category tree.
    CategoryId,
    /// The recommended retail price.
    Price,
    /// The purchase price (what the seller pays the supplier).
    Cost,
    /// The crossed-out "old" price.
    OldPrice,
    /// The currency of the row's prices (RUB, RUR, USD…).
    Currency,
    /// Units in stock: numbers, "> 10", "10+", "много", "нет".
    Stock,
    /// In stock yes/no: да/нет, true/false, в наличии, +/-.
    Available,
    /// One or several barcodes (separated by `,` `;` or spaces).
    Barcode,
    /// One or several image URLs (separated by `,` `;` or whitespace, or a repeated field).
    Images,
    /// Weight; kilograms unless the mapping, the header or the value says otherwise.
    Weight,
    /// Length × width × height in one text field; centimetres unless told otherwise.
    Dimensions,
    /// Length alone (centimetres unless told otherwise).
    Length,
    /// Width alone.
    Width,
    /// Height alone.
    Height,
    /// Variants (sizes, colours) of one product share this value (YML `group_id`).
    VariantGroup,
    /// "Sold by N": the supplier sells packs of this many units.
    PackUnits,
    /// A characteristic named after the field (or the mapping's `name`).
    Attribute,
    /// Not imported.
    Ignore,
}

impl Target {
    /// Every target, in the order used by the compiled mapping.
    pub const ALL: [Target; 26] = [
        Target::Sku,
        Target::Name,
        Target::TypePrefix,
        Target::ModelName,
        Target::Description,
        Target::Brand,
        Target::Model,
        Target::Category,
        Target::CategoryId,
        Target::Price,
        Target::Cost,
        Target::OldPrice,
        Target::Currency,
        Target::Stock,
        Target::Available,
        Target::Barcode,
        Target::Images,
        Target::Weight,
        Target::Dimensions,
        Target::Length,
        Target::Width,
        Target::Height,
        Target::VariantGroup,
        Target::PackUnits,
        Target::Attribute,
        Target::Ignore,
    ];

    /// Position in [`Target::ALL`].
    pub fn index(self) -> usize {
        self as usize
    }

    /// Targets that collect every value instead of taking the first non-empty one.
    pub fn is_multi(self) -> bool {
        matches!(self, Target::Barcode | Target::Images | Target::Attribute | Target::Ignore)
    }

    /// What a measured target expects its unit to measure.
    pub fn quantity(self) -> Option<Quantity> {
        match self {
            Target::Weight => Some(Quantity::Mass),
            Target::Dimensions | Target::Length | Target::Width | Target::Height => Some(Quantity::Length),
            _ => None,
        }
    }

    /// How the seller reads this target in a message ("the SKU", "the price").
    pub fn label(self) -> &'static str {
        match self {
            Target::Sku => "the SKU",
            Target::Name => "the name",
            Target::TypePrefix => "the product type",
            Target::ModelName => "the model name",
            Target::Description => "the description",
            Target::Brand => "the brand",
            Target::Model => "the vendor code",
            Target::Category => "the category",
            Target::CategoryId => "the category id",
            Target::Price => "the retail price",
            Target::Cost => "the purchase price",
            Target::OldPrice => "the old price",
            Target::Currency => "the currency",
            Target::Stock => "the stock",
            Target::Available => "the availability",
            Target::Barcode => "the barcode",
            Target::Images => "the images",
            Target::Weight => "the weight",
            Target::Dimensions => "the dimensions",
            Target::Length => "the length",
            Target::Width => "the width",
            Target::Height => "the height",
            Target::VariantGroup => "the variant group",
            Target::PackUnits => "the pack size",
            Target::Attribute => "a characteristic",
            Target::Ignore => "nothing",
        }
    }
}

/// One source field and where it goes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldMapping {
    /// The source key exactly as the file names it: a column header ("Вес брутто, кг"), a YML
    /// element or attribute ("price", "@id", "outlets/outlet@instock").
    pub source: String,
    pub target: Target,
    /// The unit of the values ("кг", "см", "мл"); when absent, the unit after a comma in the
    /// header is used ("Вес, г").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unit: Option<String>,
    /// For [`Target::Attribute`]: the characteristic's name (default: the header without its
    /// unit).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
}

impl FieldMapping {
    /// A mapping without unit or name.
    pub fn new(source: &str, target: Target) -> Self {
        Self { source: source.to_owned(), target, unit: None, name: None }
    }

    /// With a unit.
    pub fn with_unit(mut self, unit: &str) -> Self {
        self.unit = Some(unit.to_owned());
        self
    }

    /// With a characteristic name.
    pub fn named(mut self, name: &str) -> Self {
        self.name = Some(name.to_owned());
        self
    }
}

/// How one supplier's fields map onto the catalog. Stored as JSON per supplier.
///
/// Several fields may feed the same single-valued target: the first one listed that has a
/// value in the row wins (YML stock: `count`, then `quantity`, …). Multi-valued targets
/// (barcodes, images, characteristics) collect from all of them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct MappingProfile {
    pub fields: Vec<FieldMapping>,
    /// The currency of prices when the row names none (default: the catalog currency).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub currency: Option<String>,
    /// Fields the profile does not mention become characteristics (CSV columns added later).
    pub unmapped_as_attributes: bool,
    /// YML `<param>`s become characteristics.
    pub params_as_attributes: bool,
}

impl Default for MappingProfile {
    fn default() -> Self {
        Self { fields: Vec::new(), currency: None, unmapped_as_attributes: true, params_as_attributes: true }
    }
}

/// Why a profile cannot be used, in words for the seller.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MappingError {
    #[error("no column is mapped to the SKU: choose the column with the supplier's article (e.g. «Артикул»)")]
    NoSku,
    #[error("column «{0}» is mapped, but the file has no such column")]
    MissingColumn(String),
    #[error("«{0}» is not a currency code (expected e.g. RUB, USD, EUR)")]
    BadCurrency(String),
    #[error("column «{column}»: «{unit}» is not a unit of {expected} (expected e.g. {example})")]
    BadUnit { column: String, unit: String, expected: &'static str, example: &'static str },
}

impl MappingProfile {
    /// The standard mapping of YML offers: `offer@id` is the SKU, `vendorCode` the vendor code,
    /// `price` the retail price and `purchase_price` the cost, the first of `count`, `quantity`,
    /// `stock`, `amount` and the summed `outlets/outlet@instock` the stock, `weight` in
    /// kilograms, `dimensions` as L/W/H in centimetres, `<param>`s as characteristics. A
    /// `vendor.model` offer without `name` is titled "typePrefix vendor model".
    pub fn yml() -> Self {
        use Target as T;
        let mut fields: Vec<FieldMapping> = [
            ("@id", T::Sku),
            ("name", T::Name),
            ("typePrefix", T::TypePrefix),
            ("model", T::ModelName),
            ("vendor", T::Brand),
            ("vendorCode", T::Model),
            ("description", T::Description),
            ("categoryId", T::CategoryId),
            ("price", T::Price),
            ("purchase_price", T::Cost),
            ("oldprice", T::OldPrice),
            ("currencyId", T::Currency),
        ]
        .into_iter()
        .map(|(s, t)| FieldMapping::new(s, t))
        .collect();
        fields.extend(vitrina_formats::STOCK_FIELDS.iter().map(|s| FieldMapping::new(s, T::Stock)));
        fields.extend([
            FieldMapping::new("@available", T::Available),
            FieldMapping::new("barcode", T::Barcode),
            FieldMapping::new("picture", T::Images),
            FieldMapping::new("weight", T::Weight).with_unit("кг"),
            FieldMapping::new("dimensions", T::Dimensions).with_unit("см"),
            FieldMapping::new("@group_id", T::VariantGroup),
            FieldMapping::new("step-quantity", T::PackUnits),
            FieldMapping::new("country_of_origin", T::Attribute).named("Страна производства"),
        ]);
        Self { fields, currency: None, unmapped_as_attributes: false, params_as_attributes: true }
    }

    /// The fields feeding `target`, in priority order.
    pub fn sources(&self, target: Target) -> impl Iterator<Item = &FieldMapping> {
        self.fields.iter().filter(move |f| f.target == target)
    }

    /// Checks the profile against a file's headers (for YML: the keys seen in a preview).
    /// Every problem is reported, not just the first.
    pub fn validate(&self, headers: &[&str]) -> Result<(), Vec<MappingError>> {
        let mut problems = Vec::new();
        if self.sources(Target::Sku).next().is_none() {
            problems.push(MappingError::NoSku);
        }
        for f in &self.fields {
            if f.target != Target::Ignore && !headers.contains(&f.source.as_str()) && !is_optional_yml_key(f)
            {
                problems.push(MappingError::MissingColumn(f.source.clone()));
            }
        }
        if let Err(e) = self.default_currency() {
            problems.push(e);
        }
        for f in &self.fields {
            if let Err(e) = field_unit(f) {
                problems.push(e);
            }
        }
        if problems.is_empty() { Ok(()) } else { Err(problems) }
    }

    /// Builds the fast per-row form. Fails only on a bad currency code or unit.
    pub fn compile(&self) -> Result<CompiledMapping, MappingError> {
        CompiledMapping::new(self)
    }

    fn default_currency(&self) -> Result<Option<Currency>, MappingError> {
        match self.currency.as_deref().map(str::trim).filter(|c| !c.is_empty()) {
            None => Ok(None),
            Some(c) => c.parse().map(Some).map_err(|_| MappingError::BadCurrency(c.to_owned())),
        }
    }
}

/// The YML profile lists keys most feeds do not have; their absence is no problem.
fn is_optional_yml_key(f: &FieldMapping) -> bool {
    !matches!(f.target, Target::Sku) && MappingProfile::yml().fields.iter().any(|y| y.source == f.source)
}

/// The unit a field's values are in: the mapping's, else the header's. For measured targets the
/// unit must measure the right thing.
fn field_unit(f: &FieldMapping) -> Result<(Option<Unit>, Option<String>), MappingError> {
    let written =
        f.unit.as_deref().or_else(|| split_header_unit(&f.source).1).map(str::trim).filter(|u| !u.is_empty());
    let parsed = written.and_then(Unit::parse);
    if let (Some(q), Some(unit)) = (f.target.quantity(), written) {
        let (expected, example) = match q {
            Quantity::Mass => ("weight", "г or кг"),
            _ => ("length", "мм, см or м"),
        };
        if parsed.is_none_or(|p| p.quantity != q) {
            return Err(MappingError::BadUnit {
                column: f.source.clone(),
                unit: unit.to_owned(),
                expected,
                example,
            });
        }
    }
    Ok((parsed, written.map(str::to_owned)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn profiles_round_trip_as_snake_case_json() {
        let profile = MappingProfile {
            fields: vec![
                FieldMapping::new("Артикул", Target::Sku),
                FieldMapping::new("Вес брутто, кг", Target::Weight).with_unit("кг"),
                FieldMapping::new("ID группы", Target::VariantGroup),
            ],
            currency: Some("RUB".into()),
            ..Default::default()
        };
        let json = serde_json::to_string(&profile).unwrap();
        assert!(json.contains(r#""target":"variant_group""#), "{json}");
        assert!(json.contains(r#""unit":"кг""#));
        let back: MappingProfile = serde_json::from_str(&json).unwrap();
        assert_eq!(back, profile);
        let minimal: MappingProfile =
            serde_json::from_str(r#"{"fields":[{"source":"sku","target":"sku"}]}"#).unwrap();
        assert!(minimal.unmapped_as_attributes && minimal.params_as_attributes);
    }

    #[test]
    fn target_indices_match_all() {
        for (i, t) in Target::ALL.iter().enumerate() {
            assert_eq!(t.index(), i);
        }
    }

    #[test]
    fn validation_names_every_problem() {
        let profile = MappingProfile {
            fields: vec![
                FieldMapping::new("Наименование", Target::Name),
                FieldMapping::new("Цена", Target::Price),
                FieldMapping::new("Вес", Target::Weight).with_unit("см"),
            ],
            currency: Some("рубли".into()),
            ..Default::default()
        };
        let errors = profile.validate(&["Наименование", "Вес"]).unwrap_err();
        assert_eq!(errors[0], MappingError::NoSku);
        assert_eq!(errors[1], MappingError::MissingColumn("Цена".into()));
        assert_eq!(errors[2], MappingError::BadCurrency("рубли".into()));
        assert!(matches!(&errors[3], MappingError::BadUnit { unit, .. } if unit == "см"));
        assert_eq!(errors.len(), 4);
        assert_eq!(
            errors[0].to_string(),
            "no column is mapped to the SKU: choose the column with the supplier's article (e.g. «Артикул»)"
        );
    }

    #[test]
    fn yml_profile_validates_against_a_sparse_offer() {
        let profile = MappingProfile::yml();
        assert_eq!(profile.validate(&["@id", "name", "price"]), Ok(()));
        assert_eq!(profile.validate(&["name"]), Err(vec![MappingError::MissingColumn("@id".into())]));
    }
}
