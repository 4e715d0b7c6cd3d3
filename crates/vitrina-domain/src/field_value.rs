//! Typed field values: what an edit carries from the editor, the CLI, bulk edit and undo down to
//! the store, one type per editable [`ProductField`].
//!
//! A person's text is read once, by [`ProductField::parse_value`]; from there on a price is a
//! [`Money`], a status a [`ProductStatus`], a category a [`CategoryId`], and [`Product::set`]
//! applies the value. Text comes back only as the canonical form history records
//! ([`Product::field_value`]), which `parse_value` reads back for undo.

use crate::barcode::Barcode;
use crate::ids::{CategoryId, VariantGroupId};
use crate::money::{Currency, Money, MoneyError};
use crate::product::{Attribute, Dimensions, Image, Product, ProductField, ProductStatus, ValidationError};
use crate::text::squash_spaces;

/// A new value for one field. An optional field is cleared with `None`, a list with an empty
/// list, a text with an empty string; the price cannot be cleared.
#[derive(Debug, Clone, PartialEq)]
pub enum FieldValue {
    Sku(String),
    Name(String),
    /// Sanitized HTML.
    Description(String),
    Brand(String),
    Model(String),
    Category(Option<CategoryId>),
    VariantGroup(Option<VariantGroupId>),
    Barcodes(Vec<Barcode>),
    /// Grams.
    Weight(Option<u32>),
    Dimensions(Option<Dimensions>),
    Price(Money),
    OldPrice(Option<Money>),
    Cost(Option<Money>),
    Stock(i64),
    Status(ProductStatus),
    Attributes(Vec<Attribute>),
    Images(Vec<Image>),
}

impl FieldValue {
    /// The field this value is for.
    pub fn field(&self) -> ProductField {
        match self {
            FieldValue::Sku(_) => ProductField::Sku,
            FieldValue::Name(_) => ProductField::Name,
            FieldValue::Description(_) => ProductField::Description,
            FieldValue::Brand(_) => ProductField::Brand,
            FieldValue::Model(_) => ProductField::Model,
            FieldValue::Category(_) => ProductField::Category,
            FieldValue::VariantGroup(_) => ProductField::VariantGroup,
            FieldValue::Barcodes(_) => ProductField::Barcodes,
            FieldValue::Weight(_) => ProductField::Weight,
            FieldValue::Dimensions(_) => ProductField::Dimensions,
            FieldValue::Price(_) => ProductField::Price,
            FieldValue::OldPrice(_) => ProductField::OldPrice,
            FieldValue::Cost(_) => ProductField::Cost,
            FieldValue::Stock(_) => ProductField::Stock,
            FieldValue::Status(_) => ProductField::Status,
            FieldValue::Attributes(_) => ProductField::Attributes,
            FieldValue::Images(_) => ProductField::Images,
        }
    }
}

impl ProductField {
    /// Reads a value of this field from text: the canonical form history stores, or what a
    /// person types (`1 299,50`, `активен`, `300×200×100`). Blank text clears the field (a
    /// blank stock is 0, a blank status draft; a blank price is refused). Money without a
    /// currency is in `currency` (the product's price currency). The error names the field
    /// and the text.
    pub fn parse_value(self, text: &str, currency: Currency) -> Result<FieldValue, ValidationError> {
        let raw = Some(text.trim()).filter(|v| !v.is_empty());
        let err = |reason: String| ValidationError::new(self, raw.unwrap_or(""), &reason);
        let text = || raw.unwrap_or("").to_string();
        Ok(match self {
            ProductField::Sku => FieldValue::Sku(text()),
            ProductField::Name => FieldValue::Name(text()),
            ProductField::Description => FieldValue::Description(text()),
            ProductField::Brand => FieldValue::Brand(text()),
            ProductField::Model => FieldValue::Model(text()),
            ProductField::Category => FieldValue::Category(
                raw.map(|v| v.parse().map_err(|_| err("not a category id".into()))).transpose()?,
            ),
            ProductField::VariantGroup => FieldValue::VariantGroup(
                raw.map(|v| v.parse().map_err(|_| err("not a variant group id".into()))).transpose()?,
            ),
            ProductField::Barcodes => FieldValue::Barcodes(
                raw.unwrap_or("")
                    .split([',', ';', '\n'])
                    .map(str::trim)
                    .filter(|c| !c.is_empty())
                    .map(|c| Barcode::parse(c).map_err(|e| err(e.to_string())))
                    .collect::<Result<_, _>>()?,
            ),
            ProductField::Weight => FieldValue::Weight(
                raw.map(|v| v.parse::<u32>().map_err(|_| err("expected whole grams".into()))).transpose()?,
            ),
            ProductField::Dimensions => FieldValue::Dimensions(
                raw.map(|v| {
                    parse_dimensions(v).ok_or_else(|| {
                        err("expected length×width×height in millimetres, e.g. 300x200x100".into())
                    })
                })
                .transpose()?,
            ),
            ProductField::Price => FieldValue::Price(
                parse_money(raw.ok_or_else(|| err("a price is required".into()))?, currency).map_err(err)?,
            ),
            ProductField::OldPrice => {
                FieldValue::OldPrice(raw.map(|v| parse_money(v, currency)).transpose().map_err(err)?)
            }
            ProductField::Cost => {
                FieldValue::Cost(raw.map(|v| parse_money(v, currency)).transpose().map_err(err)?)
            }
            ProductField::Stock => FieldValue::Stock(
                raw.unwrap_or("0")
                    .replace([' ', '\u{a0}'], "")
                    .parse()
                    .map_err(|_| err("expected a whole number".into()))?,
            ),
            ProductField::Status => FieldValue::Status(raw.unwrap_or("draft").parse().map_err(err)?),
            ProductField::Attributes => FieldValue::Attributes(match raw {
                Some(v) => serde_json::from_str(v).map_err(|e| err(format!("not an attribute list: {e}")))?,
                None => Vec::new(),
            }),
            ProductField::Images => FieldValue::Images(
                raw.unwrap_or("")
                    .split(['\n', ' ', ','])
                    .filter(|u| !u.is_empty())
                    .map(|u| Image { url: u.to_string() })
                    .collect(),
            ),
        })
    }
}

impl Product {
    /// The field's current value.
    pub fn value(&self, field: ProductField) -> FieldValue {
        match field {
            ProductField::Sku => FieldValue::Sku(self.sku.clone()),
            ProductField::Name => FieldValue::Name(self.name.clone()),
            ProductField::Description => FieldValue::Description(self.description.clone()),
            ProductField::Brand => FieldValue::Brand(self.brand.clone()),
            ProductField::Model => FieldValue::Model(self.model.clone()),
            ProductField::Category => FieldValue::Category(self.category),
            ProductField::VariantGroup => FieldValue::VariantGroup(self.variant_group),
            ProductField::Barcodes => FieldValue::Barcodes(self.barcodes.clone()),
            ProductField::Weight => FieldValue::Weight(self.weight_g),
            ProductField::Dimensions => FieldValue::Dimensions(self.dimensions),
            ProductField::Price => FieldValue::Price(self.price),
            ProductField::OldPrice => FieldValue::OldPrice(self.old_price),
            ProductField::Cost => FieldValue::Cost(self.cost),
            ProductField::Stock => FieldValue::Stock(self.stock),
            ProductField::Status => FieldValue::Status(self.status),
            ProductField::Attributes => FieldValue::Attributes(self.attributes.clone()),
            ProductField::Images => FieldValue::Images(self.images.clone()),
        }
    }

    /// Sets a field. Texts are stored trimmed (a name, brand or model with single spaces),
    /// then the product is checked ([`Product::validate`]); it is unchanged when the value is
    /// refused.
    pub fn set(&mut self, value: FieldValue) -> Result<(), ValidationError> {
        let mut next = self.clone();
        match value {
            FieldValue::Sku(v) => next.sku = v.trim().to_string(),
            FieldValue::Name(v) => next.name = squash_spaces(&v),
            FieldValue::Description(v) => next.description = v.trim().to_string(),
            FieldValue::Brand(v) => next.brand = squash_spaces(&v),
            FieldValue::Model(v) => next.model = squash_spaces(&v),
            FieldValue::Category(v) => next.category = v,
            FieldValue::VariantGroup(v) => next.variant_group = v,
            FieldValue::Barcodes(v) => next.barcodes = v,
            FieldValue::Weight(v) => next.weight_g = v,
            FieldValue::Dimensions(v) => next.dimensions = v,
            FieldValue::Price(v) => next.price = v,
            FieldValue::OldPrice(v) => next.old_price = v,
            FieldValue::Cost(v) => next.cost = v,
            FieldValue::Stock(v) => next.stock = v,
            FieldValue::Status(v) => next.status = v,
            FieldValue::Attributes(v) => next.attributes = v,
            FieldValue::Images(v) => next.images = v,
        }
        next.validate()?;
        *self = next;
        Ok(())
    }
}

/// `"129950 RUB"` (canonical) or anything `Money::parse` reads, in `currency`.
fn parse_money(v: &str, currency: Currency) -> Result<Money, String> {
    if let Some((amount, code)) = v.rsplit_once(' ')
        && code.len() == 3
        && code.bytes().all(|b| b.is_ascii_uppercase())
        && let Ok(minor) = amount.parse::<i64>()
    {
        return Ok(Money::new(minor, code.parse().map_err(|e: MoneyError| e.to_string())?));
    }
    Money::parse(v, currency).map_err(|e| e.to_string())
}

fn parse_dimensions(v: &str) -> Option<Dimensions> {
    let parts: Vec<u32> =
        v.split(['x', 'х', '×', '*', '/']).map(|p| p.trim().parse().ok()).collect::<Option<_>>()?;
    match parts[..] {
        [length_mm, width_mm, height_mm] => Some(Dimensions { length_mm, width_mm, height_mm }),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::product::tests::product;

    fn parse(field: ProductField, text: &str) -> Result<FieldValue, ValidationError> {
        field.parse_value(text, Currency::RUB)
    }

    #[test]
    fn text_is_read_into_the_fields_type_once() {
        assert_eq!(parse(ProductField::Price, " 1 299,50 ").unwrap(), FieldValue::Price(Money::rub(129_950)));
        assert_eq!(parse(ProductField::Price, "129950 RUB").unwrap(), FieldValue::Price(Money::rub(129_950)));
        assert_eq!(
            ProductField::Cost.parse_value("1 000", Currency::USD).unwrap(),
            FieldValue::Cost(Some(Money::new(100_000, Currency::USD))),
            "money without a currency is in the given one"
        );
        assert_eq!(parse(ProductField::OldPrice, "  ").unwrap(), FieldValue::OldPrice(None));
        assert_eq!(
            parse(ProductField::Status, "активен").unwrap(),
            FieldValue::Status(ProductStatus::Active)
        );
        assert_eq!(parse(ProductField::Status, "").unwrap(), FieldValue::Status(ProductStatus::Draft));
        assert_eq!(parse(ProductField::Stock, "1 200").unwrap(), FieldValue::Stock(1200));
        assert_eq!(parse(ProductField::Stock, "").unwrap(), FieldValue::Stock(0));
        assert_eq!(
            parse(ProductField::Dimensions, "300×200×100").unwrap(),
            FieldValue::Dimensions(Some(Dimensions { length_mm: 300, width_mm: 200, height_mm: 100 }))
        );
        let id = CategoryId::new();
        assert_eq!(parse(ProductField::Category, &id.to_string()).unwrap(), FieldValue::Category(Some(id)));
        for field in ProductField::ALL.into_iter().filter(|f| *f != ProductField::Price) {
            assert_eq!(parse(field, " ").unwrap().field(), field);
        }
    }

    #[test]
    fn unreadable_text_names_the_field_and_the_text() {
        let e = parse(ProductField::Price, " дорого ").unwrap_err();
        assert_eq!((e.field, e.value.as_str()), (ProductField::Price, "дорого"));
        assert!(e.to_string().contains("дорого"), "{e}");
        assert_eq!(parse(ProductField::Price, "").unwrap_err().reason, "a price is required");
        let e = parse(ProductField::Barcodes, "4006381333932").unwrap_err();
        assert!(e.to_string().contains("barcodes \"4006381333932\""), "{e}");
        assert_eq!(parse(ProductField::Stock, "много").unwrap_err().reason, "expected a whole number");
        assert_eq!(parse(ProductField::Weight, "1,5").unwrap_err().reason, "expected whole grams");
        assert_eq!(parse(ProductField::Category, "Обувь").unwrap_err().reason, "not a category id");
        assert_eq!(
            parse(ProductField::Status, "продан").unwrap_err().reason,
            "expected draft, active or archived"
        );
    }

    #[test]
    fn a_set_value_is_checked_and_a_refused_one_changes_nothing() {
        let mut p = product();
        p.set(FieldValue::Name("  Кроссовки   Nike Air ".into())).unwrap();
        assert_eq!(p.name, "Кроссовки Nike Air");
        p.set(FieldValue::Price(Money::rub(150_000))).unwrap();
        assert_eq!(p.value(ProductField::Price), FieldValue::Price(Money::rub(150_000)));
        let before = p.clone();
        let e = p.set(FieldValue::Price(Money::rub(-500))).unwrap_err();
        assert_eq!((e.field, e.value.as_str()), (ProductField::Price, "-500 RUB"));
        assert!(p.set(FieldValue::Stock(-1)).is_err());
        assert!(p.set(FieldValue::Sku(" ".into())).is_err());
        assert_eq!(p, before);
    }

    #[test]
    fn every_fields_value_is_set_back_as_it_was() {
        let mut p = product();
        p.set(parse(ProductField::Barcodes, "4006381333931, 96385074").unwrap()).unwrap();
        p.set(parse(ProductField::Images, "https://a/1.jpg\nhttps://a/2.jpg").unwrap()).unwrap();
        p.set(FieldValue::Category(Some(CategoryId::new()))).unwrap();
        for field in ProductField::ALL {
            let mut copy = product();
            copy.id = p.id;
            copy.set(p.value(field)).unwrap();
            assert_eq!(copy.value(field), p.value(field), "{field}");
            assert_eq!(copy.field_value(field), p.field_value(field), "{field}");
        }
    }
}
