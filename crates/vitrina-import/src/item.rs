//! What one supplier row becomes after mapping and normalization: clean, typed values ready to
//! be matched against the catalog. Nothing here touches the database.

use vitrina_domain::{Attribute, Barcode, Dimensions};
use vitrina_store::imports::IssueCode;

/// A supplier's offer, normalized. Money is in minor units of the catalog currency (already
/// converted at the configured rate); weights in grams, sizes in millimetres.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SupplierItem {
    /// Where the row was in the file: 1-based line (or sheet row), and the record's own id.
    pub line: u64,
    /// The supplier's SKU (YML `offer@id` or `vendorCode`, a CSV "Артикул" column...). Never empty.
    pub supplier_sku: String,
    pub name: String,
    /// Sanitized HTML.
    pub description: String,
    /// After brand aliases ("LG Electronics" → "LG").
    pub brand: String,
    /// Vendor code / model (YML `vendorCode`, `model`).
    pub model: String,
    /// The supplier's category as a path of names, root first (`["Одежда", "Обувь"]`).
    pub category_path: Vec<String>,
    /// Valid barcodes; invalid ones are dropped and reported as warnings.
    pub barcodes: Vec<Barcode>,
    /// What the seller pays the supplier: a column mapped to `cost` (YML `purchase_price`).
    pub cost: Option<i64>,
    /// The price the feed gives for selling (YML `price`, a column mapped to `price`). Price
    /// rules mark up the cost, or this price when there is no cost.
    pub retail_price: Option<i64>,
    /// The supplier's "old" (crossed-out) price.
    pub old_price: Option<i64>,
    /// Units in stock at the supplier (0 when the feed only says "not available").
    pub stock: i64,
    pub weight_g: Option<u32>,
    pub dimensions: Option<Dimensions>,
    /// Image URLs in order.
    pub images: Vec<String>,
    /// Characteristics with canonical units.
    pub attributes: Vec<Attribute>,
    /// YML `group_id` or a mapped variant-group column.
    pub variant_group: Option<String>,
    /// "Sold by N": the supplier sells packs of this many units (> 1 creates a pack product).
    pub pack_units: Option<u32>,
    /// Problems that did not reject the row (an invalid barcode dropped, an unknown unit kept).
    pub warnings: Vec<ItemWarning>,
}

/// A problem with one field of a row that was kept.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct ItemWarning {
    pub code: IssueCode,
    pub field: String,
    pub value: String,
    pub reason: String,
}

impl std::fmt::Display for ItemWarning {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: «{}» — {}", self.field, self.value, self.reason)
    }
}

/// Why a row was rejected: the field, its value as written and the reason, in words a seller
/// understands ("price: «12,3,4» is not an amount of money").
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, serde::Serialize)]
#[error("{field}: «{value}» — {reason}")]
pub struct RowRejection {
    pub code: IssueCode,
    pub field: String,
    pub value: String,
    pub reason: String,
}
