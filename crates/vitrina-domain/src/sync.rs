//! Team sync's vocabulary and its one merge rule.
//!
//! Devices exchange [`ChangeSet`]s: the field changes one edit (one history batch) made to one
//! entity, each field with its own [`Hlc`]. Every device and the server fold them into a
//! [`Doc`] per entity: for each field, the value whose [`Stamp`] (HLC, then device id) is the
//! greatest. That rule is commutative, associative and idempotent, so replicas that have seen
//! the same change sets agree whatever the order of delivery, and a change set delivered twice
//! changes nothing.
//!
//! Deletes are a field too: [`ALIVE`] is `"1"` or `"0"` and merges like any other, so an edit
//! made concurrently with a delete never brings the row back (it changes another field), a
//! later creation of the same id (an import of the same SKU) does, and so does an un-delete
//! stamped after the delete. The values of a deleted entity stay in its doc.

pub mod rows;

use std::collections::BTreeMap;
use std::fmt;

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::field_value::FieldValue;
use crate::history::{DeviceId, Hlc};
use crate::ids::{CategoryId, ProductId};
use crate::money::Currency;
use crate::product::{Product, ProductDraft, ProductField, ValidationError};

/// The field that says whether an entity exists: `"1"` alive, `"0"` deleted.
pub const ALIVE: &str = "alive";
/// A category's name and parent id (text; absent for a root).
pub const CATEGORY_NAME: &str = "name";
pub const CATEGORY_PARENT: &str = "parent";

/// What kind of entity a change set is about. Categories sort first: a batch applies them
/// before the products that name them. The kinds after `Product` are rows of settings tables
/// synced by one generic mechanism ([`rows`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EntityKind {
    Category,
    Product,
    Supplier,
    SupplierSource,
    SupplierCategory,
    FeedProfile,
    ProductLink,
    MarketAccount,
    MarketCategory,
    MarketAttribute,
    MarketLink,
}

impl EntityKind {
    /// Every kind, in the order a new device writes them (what a row names comes before it;
    /// within a page, a row naming what has not come yet waits for it).
    pub const ALL: [EntityKind; 11] = [
        EntityKind::Category,
        EntityKind::Product,
        EntityKind::Supplier,
        EntityKind::SupplierSource,
        EntityKind::SupplierCategory,
        EntityKind::FeedProfile,
        EntityKind::ProductLink,
        EntityKind::MarketAccount,
        EntityKind::MarketCategory,
        EntityKind::MarketAttribute,
        EntityKind::MarketLink,
    ];

    pub fn code(self) -> &'static str {
        match self {
            EntityKind::Category => "category",
            EntityKind::Product => "product",
            EntityKind::Supplier => "supplier",
            EntityKind::SupplierSource => "supplier_source",
            EntityKind::SupplierCategory => "supplier_category",
            EntityKind::FeedProfile => "feed_profile",
            EntityKind::ProductLink => "product_link",
            EntityKind::MarketAccount => "market_account",
            EntityKind::MarketCategory => "market_category",
            EntityKind::MarketAttribute => "market_attribute",
            EntityKind::MarketLink => "market_link",
        }
    }

    pub fn from_code(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.code() == code)
    }

    /// A row of a settings table (synced by [`rows`]), not a product or a category.
    pub fn is_row(self) -> bool {
        !matches!(self, EntityKind::Category | EntityKind::Product)
    }

    /// A row of the marketplace file (`<catalog>.market`), not of the catalog.
    pub fn is_market(self) -> bool {
        matches!(
            self,
            EntityKind::MarketAccount
                | EntityKind::MarketCategory
                | EntityKind::MarketAttribute
                | EntityKind::MarketLink
        )
    }

    /// Only a team's admins change it (the server refuses anyone else's change, see the
    /// shared schema's `admin_entities`): a marketplace account's settings decide what the
    /// team's marketplaces receive.
    pub fn admin_only(self) -> bool {
        self == EntityKind::MarketAccount
    }
}

impl fmt::Display for EntityKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

/// Who set a value, when: the order of last-writer-wins. The HLC decides; equal HLCs (two
/// devices in the same millisecond and counter) fall to the greater device id.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Stamp {
    pub hlc: Hlc,
    pub device: DeviceId,
}

/// One field's new value in a change set, with the value the device had before (so a receiver
/// can tell a conflict — a change made without seeing its own value — from a plain edit).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldChange {
    pub field: String,
    pub value: Option<String>,
    pub hlc: Hlc,
    pub old: Option<String>,
}

/// The changes one batch made to one entity on one device: the unit of push and pull.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChangeSet {
    /// Unique per change set (the id of its first history record): pushes are idempotent by it.
    pub id: Uuid,
    pub entity: EntityKind,
    pub entity_id: Uuid,
    pub batch: Uuid,
    pub device: DeviceId,
    /// The person, as history shows them.
    pub who: String,
    pub fields: Vec<FieldChange>,
}

impl ChangeSet {
    pub fn stamp(&self, change: &FieldChange) -> Stamp {
        Stamp { hlc: change.hlc, device: self.device }
    }

    /// The latest HLC in the set.
    pub fn max_hlc(&self) -> Hlc {
        self.fields.iter().map(|f| f.hlc).max().unwrap_or_default()
    }
}

/// What merging one field did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Merge {
    /// The incoming value is the new winner.
    Won,
    /// The field already holds a value with a greater stamp.
    Lost,
    /// The field already holds this very assignment.
    Same,
}

/// One entity's state: each field's winning value (`None`: empty) and its stamp.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Doc(pub BTreeMap<String, (Option<String>, Stamp)>);

impl Doc {
    /// Merges one assignment by last-writer-wins.
    pub fn merge(&mut self, field: &str, value: Option<String>, stamp: Stamp) -> Merge {
        match self.0.get(field) {
            Some((_, held)) if *held == stamp => Merge::Same,
            Some((_, held)) if *held > stamp => Merge::Lost,
            _ => {
                self.0.insert(field.to_string(), (value, stamp));
                Merge::Won
            }
        }
    }

    /// Merges a change set's fields.
    pub fn apply(&mut self, set: &ChangeSet) {
        for change in &set.fields {
            self.merge(&change.field, change.value.clone(), set.stamp(change));
        }
    }

    /// Merges every field of another doc.
    pub fn merge_doc(&mut self, other: &Doc) {
        for (field, (value, stamp)) in &other.0 {
            self.merge(field, value.clone(), *stamp);
        }
    }

    pub fn value(&self, field: &str) -> Option<&str> {
        self.0.get(field).and_then(|(v, _)| v.as_deref())
    }

    pub fn stamp(&self, field: &str) -> Option<Stamp> {
        self.0.get(field).map(|(_, s)| *s)
    }

    /// Whether the entity exists: its `alive` field says "1".
    pub fn alive(&self) -> bool {
        self.value(ALIVE) == Some("1")
    }

    /// The greatest stamp of any field.
    pub fn max_stamp(&self) -> Option<Stamp> {
        self.0.values().map(|(_, s)| *s).max()
    }
}

/// Every field of a product as a doc's values (canonical text, see `Product::field_value`).
pub fn product_values(p: &Product) -> impl Iterator<Item = (&'static str, Option<String>)> + '_ {
    ProductField::ALL.into_iter().map(|f| (f.code(), p.field_value(f)))
}

/// The product a doc's values describe, or why there is none: a product needs at least a SKU,
/// a name and a price, and every value must read back into its field.
pub fn product_from_values<'a>(
    id: ProductId,
    value: impl Fn(&str) -> Option<&'a str>,
) -> Result<Product, ValidationError> {
    let text = |f: ProductField| value(f.code()).unwrap_or("");
    let FieldValue::Price(price) =
        ProductField::Price.parse_value(text(ProductField::Price), Currency::RUB)?
    else {
        return Err(ValidationError::new(ProductField::Price, "", "a price is required"));
    };
    let mut product = Product::new(ProductDraft {
        sku: text(ProductField::Sku).to_string(),
        name: text(ProductField::Name).to_string(),
        price,
    })?;
    product.id = id;
    for field in ProductField::ALL {
        if matches!(field, ProductField::Sku | ProductField::Name | ProductField::Price) {
            continue;
        }
        let currency = product.price.currency;
        product.set(field.parse_value(text(field), currency)?)?;
    }
    Ok(product)
}

/// The id of the change set that announces `category` from `device`: one per device, so each
/// device's push of a category it created is its own (pushes are idempotent by this id).
pub fn category_set_id(category: Uuid, device: DeviceId) -> Uuid {
    let mut key = category.as_bytes().to_vec();
    key.extend_from_slice(device.0.as_bytes());
    Uuid::new_v5(&Uuid::from_u128(0x3d0c_81aa_54b7_4f0e_9a6e_c1d2_7b44_0f19), &key)
}

/// A category as a doc's values.
pub fn category_values(name: &str, parent: Option<CategoryId>) -> [(&'static str, Option<String>); 2] {
    [(CATEGORY_NAME, Some(name.to_string())), (CATEGORY_PARENT, parent.map(|p| p.to_string()))]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::money::Money;

    fn stamp(ms: u64, device: u128) -> Stamp {
        Stamp { hlc: Hlc { wall_ms: ms, counter: 0 }, device: DeviceId(Uuid::from_u128(device)) }
    }

    #[test]
    fn the_later_stamp_wins_and_equal_hlcs_fall_to_the_greater_device() {
        let mut doc = Doc::default();
        assert_eq!(doc.merge("price", Some("100 RUB".into()), stamp(10, 1)), Merge::Won);
        assert_eq!(doc.merge("price", Some("90 RUB".into()), stamp(9, 9)), Merge::Lost);
        assert_eq!(doc.merge("price", Some("100 RUB".into()), stamp(10, 1)), Merge::Same);
        assert_eq!(doc.merge("price", Some("80 RUB".into()), stamp(10, 2)), Merge::Won);
        assert_eq!(doc.value("price"), Some("80 RUB"));
    }

    #[test]
    fn merging_in_any_order_gives_the_same_doc() {
        let sets: Vec<(&str, Option<&str>, Stamp)> = vec![
            ("price", Some("1"), stamp(5, 1)),
            ("price", Some("2"), stamp(5, 2)),
            ("alive", Some("0"), stamp(6, 1)),
            ("name", None, stamp(3, 3)),
            ("alive", Some("1"), stamp(4, 2)),
            ("price", Some("3"), stamp(2, 9)),
        ];
        let fold = |order: &[usize]| {
            let mut d = Doc::default();
            for &i in order {
                let (f, v, s) = sets[i];
                d.merge(f, v.map(str::to_string), s);
            }
            d
        };
        let forward = fold(&[0, 1, 2, 3, 4, 5]);
        assert_eq!(forward, fold(&[5, 4, 3, 2, 1, 0]));
        assert_eq!(forward, fold(&[2, 0, 5, 1, 3, 4, 0, 2]), "a repeat changes nothing");
        assert_eq!(forward.value("price"), Some("2"));
        assert!(!forward.alive(), "the later delete wins over the earlier creation");
    }

    #[test]
    fn a_product_reads_back_from_its_values() {
        let mut p = Product::new(ProductDraft {
            sku: "A-1".into(),
            name: "Чайник".into(),
            price: Money::rub(129_950),
        })
        .unwrap();
        p.set_field(ProductField::OldPrice, Some("1 500")).unwrap();
        p.set_field(ProductField::Barcodes, Some("4006381333931")).unwrap();
        p.set_field(ProductField::Attributes, Some(r#"[{"name":"Цвет","value":"белый","unit":null}]"#))
            .unwrap();
        p.set_field(ProductField::Images, Some("https://e.x/1.jpg\nhttps://e.x/2.jpg")).unwrap();
        let values: BTreeMap<_, _> = product_values(&p).collect();
        let back = product_from_values(p.id, |f| values.get(f).and_then(|v| v.as_deref())).unwrap();
        assert_eq!(back, p);
    }

    #[test]
    fn a_product_without_a_sku_or_price_is_refused() {
        let values: BTreeMap<&str, &str> = [("name", "Чайник"), ("price", "100 RUB")].into();
        assert!(product_from_values(ProductId::new(), |f| values.get(f).copied()).is_err());
        let values: BTreeMap<&str, &str> = [("sku", "A"), ("name", "Чайник")].into();
        assert!(product_from_values(ProductId::new(), |f| values.get(f).copied()).is_err());
    }
}
