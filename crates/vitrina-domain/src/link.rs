//! Links between products: kits built from components, packs of N units, related items.
//!
//! Kit and pack values are derived: kit stock is the number of whole kits the component stock
//! allows; a pack's price and stock follow its base product.

use serde::{Deserialize, Serialize};

use crate::ids::ProductId;

#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum LinkKind {
    /// `from` is a kit containing `quantity` units of `to`.
    KitComponent { quantity: u32 },
    /// `from` is a pack of `units` of the base product `to`, optionally discounted.
    Pack { units: u32, discount_bp: u32 },
    /// `from` and `to` are shown together (accessories, alternatives).
    Related,
}

impl LinkKind {
    pub fn code(&self) -> &'static str {
        match self {
            LinkKind::KitComponent { .. } => "kit",
            LinkKind::Pack { .. } => "pack",
            LinkKind::Related => "related",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ProductLink {
    pub from: ProductId,
    pub to: ProductId,
    pub kind: LinkKind,
}

/// Stock of a kit: min over components of floor(component stock / quantity); no components → 0.
pub fn kit_stock(components: impl IntoIterator<Item = (i64, u32)>) -> i64 {
    components
        .into_iter()
        .map(|(stock, qty)| if qty == 0 { 0 } else { stock.max(0) / i64::from(qty) })
        .min()
        .unwrap_or(0)
}

/// Price of a pack of `units`: base × units, less `discount_bp` basis points (1% = 100 bp),
/// rounded half up to the minor unit.
pub fn pack_price(base_minor: i64, units: u32, discount_bp: u32) -> i64 {
    let gross = i128::from(base_minor) * i128::from(units);
    let discount = i128::from(discount_bp.min(10_000));
    let net = (gross * (10_000 - discount) + 5_000) / 10_000;
    net.clamp(i128::from(i64::MIN), i128::from(i64::MAX)) as i64
}

/// Stock of a pack: whole packs the base stock allows.
pub fn pack_stock(base_stock: i64, units: u32) -> i64 {
    if units == 0 { 0 } else { base_stock.max(0) / i64::from(units) }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kit_stock_is_the_scarcest_component() {
        assert_eq!(kit_stock([(10, 2), (7, 1), (100, 30)]), 3);
        assert_eq!(kit_stock([(10, 3)]), 3);
        assert_eq!(kit_stock([(-4, 1), (10, 1)]), 0);
        assert_eq!(kit_stock(std::iter::empty()), 0);
    }

    #[test]
    fn pack_price_and_stock_follow_the_base() {
        assert_eq!(pack_price(12_990, 6, 0), 77_940);
        assert_eq!(pack_price(12_990, 6, 500), 74_043); // 5% off 779.40 = 740.43
        assert_eq!(pack_stock(17, 6), 2);
        assert_eq!(pack_stock(5, 6), 0);
    }
}
