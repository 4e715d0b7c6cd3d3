//! Vitrina's domain: the vocabulary every other crate speaks.
//!
//! Pure types and rules with no I/O: UUIDv7 identifiers, [`Money`] in integer minor units,
//! validated [`Barcode`]s, products and their parts, the category tree, supplier offers, product
//! links (kits, packs) with their derived values, and the change records that power history,
//! undo and team sync, stamped with a hybrid logical clock ([`Hlc`]).

pub mod barcode;
pub mod category;
pub mod field_value;
pub mod hash;
pub mod history;
pub mod ids;
pub mod link;
pub mod money;
pub mod product;
pub mod supplier;
pub mod sync;
pub mod text;

pub use barcode::{Barcode, BarcodeError, BarcodeKind};
pub use category::{Category, CategoryPath};
pub use field_value::FieldValue;
pub use hash::{StableHasher, stable_hash};
pub use history::{ChangeOp, ChangeRecord, DeviceId, Hlc, HlcClock};
pub use ids::{
    CategoryId, ChangeId, FeedProfileId, JobId, MarketAccountId, OfferId, ProductId, SupplierId,
    VariantGroupId,
};
pub use link::{LinkKind, ProductLink, kit_stock, pack_price, pack_stock};
pub use money::{Currency, Money, MoneyError, parse_minor_units};
pub use product::{
    Attribute, Dimensions, Image, Product, ProductDraft, ProductField, ProductStatus, ValidationError,
};
pub use supplier::{StockPolicy, Supplier, SupplierOffer};
pub use sync::{ALIVE, ChangeSet, Doc, EntityKind, FieldChange, Merge, Stamp};
