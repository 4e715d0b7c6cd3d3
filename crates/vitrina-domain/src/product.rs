//! Products: one sellable item (SKU) with its attributes, images, barcodes and prices.
//!
//! Editing goes through [`ProductField`]: a new value is a typed [`FieldValue`] (read from a
//! person's text once, by [`ProductField::parse_value`]) applied by [`Product::set`]. Every
//! editable field also has one canonical text form, used by history records (old → new) and by
//! undo, so a value written to history can always be read back and applied.
//!
//! [`FieldValue`]: crate::FieldValue

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::barcode::Barcode;
use crate::ids::{CategoryId, ProductId, VariantGroupId};
use crate::money::Money;
use crate::text::squash_spaces;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ProductStatus {
    #[default]
    Draft,
    Active,
    Archived,
}

impl ProductStatus {
    pub const ALL: [ProductStatus; 3] =
        [ProductStatus::Draft, ProductStatus::Active, ProductStatus::Archived];

    pub fn code(&self) -> &'static str {
        match self {
            ProductStatus::Draft => "draft",
            ProductStatus::Active => "active",
            ProductStatus::Archived => "archived",
        }
    }
}

impl FromStr for ProductStatus {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_lowercase().as_str() {
            "draft" | "черновик" => Ok(ProductStatus::Draft),
            "active" | "активен" | "активный" => Ok(ProductStatus::Active),
            "archived" | "архив" | "в архиве" => Ok(ProductStatus::Archived),
            _ => Err("expected draft, active or archived".into()),
        }
    }
}

/// Outer dimensions in millimetres.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Dimensions {
    pub length_mm: u32,
    pub width_mm: u32,
    pub height_mm: u32,
}

/// A characteristic: `Цвет = черный`, `Вес = 350 g`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Attribute {
    pub name: String,
    pub value: String,
    pub unit: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Image {
    pub url: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Product {
    pub id: ProductId,
    pub sku: String,
    pub name: String,
    /// Sanitized HTML.
    pub description: String,
    pub brand: String,
    pub model: String,
    pub category: Option<CategoryId>,
    pub variant_group: Option<VariantGroupId>,
    pub barcodes: Vec<Barcode>,
    pub weight_g: Option<u32>,
    pub dimensions: Option<Dimensions>,
    pub price: Money,
    pub old_price: Option<Money>,
    pub cost: Option<Money>,
    pub stock: i64,
    pub status: ProductStatus,
    pub attributes: Vec<Attribute>,
    pub images: Vec<Image>,
}

/// The minimum to create a product; everything else starts empty.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ProductDraft {
    pub sku: String,
    pub name: String,
    pub price: Money,
}

impl Product {
    pub fn new(draft: ProductDraft) -> Result<Self, ValidationError> {
        let p = Product {
            id: ProductId::new(),
            sku: draft.sku.trim().to_string(),
            name: squash_spaces(&draft.name),
            description: String::new(),
            brand: String::new(),
            model: String::new(),
            category: None,
            variant_group: None,
            barcodes: Vec::new(),
            weight_g: None,
            dimensions: None,
            price: draft.price,
            old_price: None,
            cost: None,
            stock: 0,
            status: ProductStatus::Draft,
            attributes: Vec::new(),
            images: Vec::new(),
        };
        p.validate()?;
        Ok(p)
    }

    /// Checks the rules a stored product always satisfies.
    pub fn validate(&self) -> Result<(), ValidationError> {
        let fail = |field, value: &str, reason: &str| Err(ValidationError::new(field, value, reason));
        if self.sku.is_empty() {
            return fail(ProductField::Sku, "", "the SKU must not be empty");
        }
        if self.sku.chars().count() > 80 || self.sku.chars().any(char::is_control) {
            return fail(ProductField::Sku, &self.sku, "the SKU must be at most 80 printable characters");
        }
        if self.name.is_empty() {
            return fail(ProductField::Name, "", "the name must not be empty");
        }
        for (field, money) in [
            (ProductField::Price, Some(self.price)),
            (ProductField::OldPrice, self.old_price),
            (ProductField::Cost, self.cost),
        ] {
            if let Some(m) = money
                && m.minor < 0
            {
                return fail(field, &self.field_value(field).unwrap_or_default(), "must not be negative");
            }
        }
        if self.stock < 0 {
            return fail(ProductField::Stock, &self.stock.to_string(), "must not be negative");
        }
        Ok(())
    }

    /// The canonical text of a field (`None` when empty), as stored in history.
    pub fn field_value(&self, field: ProductField) -> Option<String> {
        let mut out = String::new();
        self.write_field(field, &mut out).then_some(out)
    }

    /// Appends the canonical text of a field to `out`; false (and nothing written) when the
    /// field is empty.
    fn write_field(&self, field: ProductField, out: &mut String) -> bool {
        use std::fmt::Write;
        let text = |out: &mut String, s: &str| {
            out.push_str(s);
            !s.is_empty()
        };
        let money = |out: &mut String, m: Option<Money>| match m {
            Some(m) => write!(out, "{} {}", m.minor, m.currency).is_ok(),
            None => false,
        };
        match field {
            ProductField::Sku => text(out, &self.sku),
            ProductField::Name => text(out, &self.name),
            ProductField::Description => text(out, &self.description),
            ProductField::Brand => text(out, &self.brand),
            ProductField::Model => text(out, &self.model),
            ProductField::Category => self.category.is_some_and(|c| write!(out, "{c}").is_ok()),
            ProductField::VariantGroup => self.variant_group.is_some_and(|g| write!(out, "{g}").is_ok()),
            ProductField::Barcodes => {
                for (i, b) in self.barcodes.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    out.push_str(b.as_str());
                }
                !self.barcodes.is_empty()
            }
            ProductField::Weight => self.weight_g.is_some_and(|w| write!(out, "{w}").is_ok()),
            ProductField::Dimensions => self
                .dimensions
                .is_some_and(|d| write!(out, "{}x{}x{}", d.length_mm, d.width_mm, d.height_mm).is_ok()),
            ProductField::Price => money(out, Some(self.price)),
            ProductField::OldPrice => money(out, self.old_price),
            ProductField::Cost => money(out, self.cost),
            ProductField::Stock => write!(out, "{}", self.stock).is_ok(),
            ProductField::Status => text(out, self.status.code()),
            ProductField::Attributes => {
                !self.attributes.is_empty() && {
                    out.push_str(&serde_json::to_string(&self.attributes).unwrap_or_default());
                    true
                }
            }
            ProductField::Images => {
                for (i, image) in self.images.iter().enumerate() {
                    if i > 0 {
                        out.push('\n');
                    }
                    out.push_str(&image.url);
                }
                !self.images.is_empty()
            }
        }
    }

    /// Sets a field from text: [`ProductField::parse_value`] (money without a currency is in
    /// the product's price currency), then [`Product::set`]. The product is unchanged when the
    /// value is refused.
    pub fn set_field(&mut self, field: ProductField, value: Option<&str>) -> Result<(), ValidationError> {
        self.set(field.parse_value(value.unwrap_or(""), self.price.currency)?)
    }
}

/// The editable fields of a product.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ProductField {
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

impl ProductField {
    pub const ALL: [ProductField; 17] = [
        ProductField::Sku,
        ProductField::Name,
        ProductField::Description,
        ProductField::Brand,
        ProductField::Model,
        ProductField::Category,
        ProductField::VariantGroup,
        ProductField::Barcodes,
        ProductField::Weight,
        ProductField::Dimensions,
        ProductField::Price,
        ProductField::OldPrice,
        ProductField::Cost,
        ProductField::Stock,
        ProductField::Status,
        ProductField::Attributes,
        ProductField::Images,
    ];

    pub fn code(&self) -> &'static str {
        match self {
            ProductField::Sku => "sku",
            ProductField::Name => "name",
            ProductField::Description => "description",
            ProductField::Brand => "brand",
            ProductField::Model => "model",
            ProductField::Category => "category",
            ProductField::VariantGroup => "variant_group",
            ProductField::Barcodes => "barcodes",
            ProductField::Weight => "weight",
            ProductField::Dimensions => "dimensions",
            ProductField::Price => "price",
            ProductField::OldPrice => "old_price",
            ProductField::Cost => "cost",
            ProductField::Stock => "stock",
            ProductField::Status => "status",
            ProductField::Attributes => "attributes",
            ProductField::Images => "images",
        }
    }
}

impl fmt::Display for ProductField {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

impl FromStr for ProductField {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let key = s.trim().to_lowercase().replace('-', "_");
        ProductField::ALL.into_iter().find(|f| f.code() == key).ok_or_else(|| {
            let known: Vec<_> = ProductField::ALL.iter().map(|f| f.code()).collect();
            format!("unknown product field \"{}\"; known fields: {}", s.trim(), known.join(", "))
        })
    }
}

/// A refused value, naming the field and the value.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{field} \"{value}\": {reason}")]
pub struct ValidationError {
    pub field: ProductField,
    pub value: String,
    pub reason: String,
}

impl ValidationError {
    pub fn new(field: ProductField, value: &str, reason: &str) -> Self {
        Self { field, value: value.to_string(), reason: reason.to_string() }
    }
}

impl Product {
    /// A stable 64-bit FNV-1a hash over every field's canonical text: equal hashes mean nothing
    /// changed, so imports can skip unchanged products without comparing field by field.
    pub fn content_hash(&self) -> u64 {
        let mut h: u64 = 0xcbf2_9ce4_8422_2325;
        let mut text = String::with_capacity(256);
        for field in ProductField::ALL {
            text.clear();
            let value = if self.write_field(field, &mut text) { text.as_str() } else { "\u{0}" };
            for b in value.bytes().chain([0xff]) {
                h ^= u64::from(b);
                h = h.wrapping_mul(0x0100_0000_01b3);
            }
        }
        h
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// A valid product for tests of this crate.
    pub(crate) fn product() -> Product {
        Product::new(ProductDraft {
            sku: "NK-1".into(),
            name: "Кроссовки  Nike".into(),
            price: Money::rub(99_900),
        })
        .unwrap()
    }

    #[test]
    fn every_field_round_trips_through_its_canonical_text() {
        let mut p = product();
        p.set_field(ProductField::Barcodes, Some("4006381333931, 96385074")).unwrap();
        p.set_field(ProductField::Dimensions, Some("300×200×100")).unwrap();
        p.set_field(ProductField::OldPrice, Some("1 299,50")).unwrap();
        p.set_field(ProductField::Attributes, Some(r#"[{"name":"Цвет","value":"черный","unit":null}]"#))
            .unwrap();
        p.set_field(ProductField::Images, Some("https://a/1.jpg\nhttps://a/2.jpg")).unwrap();
        p.set_field(ProductField::Status, Some("активен")).unwrap();
        for field in ProductField::ALL {
            let mut copy = product();
            copy.id = p.id;
            copy.set_field(field, p.field_value(field).as_deref()).unwrap();
            assert_eq!(copy.field_value(field), p.field_value(field), "{field}");
        }
        assert_eq!(p.name, "Кроссовки Nike");
        assert_eq!(p.old_price, Some(Money::rub(129_950)));
        assert_eq!(p.field_value(ProductField::Price).unwrap(), "99900 RUB");
    }

    #[test]
    fn refused_values_name_field_and_value_and_leave_the_product_unchanged() {
        let mut p = product();
        let before = p.clone();
        let e = p.set_field(ProductField::Price, Some("-5")).unwrap_err();
        assert_eq!((e.field, e.value.as_str()), (ProductField::Price, "-500 RUB"));
        let e = p.set_field(ProductField::Barcodes, Some("4006381333932")).unwrap_err();
        assert!(e.to_string().contains("barcodes \"4006381333932\""), "{e}");
        let e = p.set_field(ProductField::Price, Some("дорого")).unwrap_err();
        assert!(e.to_string().contains("дорого"), "{e}");
        assert!(p.set_field(ProductField::Name, Some("  ")).is_err());
        assert!(p.set_field(ProductField::Stock, Some("-1")).is_err());
        assert_eq!(p, before);
    }

    #[test]
    fn field_names_parse_with_a_helpful_error() {
        assert_eq!("old-price".parse::<ProductField>().unwrap(), ProductField::OldPrice);
        assert!("colour".parse::<ProductField>().unwrap_err().contains("known fields: sku"));
    }
}
