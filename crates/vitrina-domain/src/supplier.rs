//! Suppliers and their offers; a product may be sold by several suppliers.

use serde::{Deserialize, Serialize};

use crate::ids::{OfferId, ProductId, SupplierId};
use crate::money::Money;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Supplier {
    pub id: SupplierId,
    pub name: String,
    /// Lower wins when the policy is [`StockPolicy::Priority`].
    pub priority: i32,
}

/// One supplier's offer of a product, as last seen in the supplier's feed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SupplierOffer {
    pub id: OfferId,
    pub supplier: SupplierId,
    pub product: ProductId,
    pub supplier_sku: String,
    pub cost: Option<Money>,
    pub stock: i64,
    pub priority: i32,
}

/// How a product's cost and stock are chosen from its supplier offers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StockPolicy {
    /// Cost of the cheapest offer in stock; stock of all offers summed.
    #[default]
    CheapestInStock,
    /// The highest-priority offer in stock supplies cost and stock.
    Priority,
    /// Stock summed over offers, cost of the highest-priority offer.
    SumOfStock,
}

impl StockPolicy {
    /// Chooses (cost, stock) for a product from its offers; `None` cost when no offer has one.
    pub fn choose(&self, offers: &[SupplierOffer]) -> (Option<Money>, i64) {
        let total: i64 = offers.iter().map(|o| o.stock.max(0)).sum();
        let in_stock = || offers.iter().filter(|o| o.stock > 0);
        let by_priority = |a: &&SupplierOffer, b: &&SupplierOffer| a.priority.cmp(&b.priority);
        match self {
            StockPolicy::CheapestInStock => {
                let cheapest = in_stock()
                    .filter_map(|o| o.cost)
                    .min_by_key(|m| m.minor)
                    .or_else(|| offers.iter().filter_map(|o| o.cost).min_by_key(|m| m.minor));
                (cheapest, total)
            }
            StockPolicy::Priority => match in_stock().min_by(by_priority) {
                Some(o) => (o.cost, o.stock),
                None => (offers.iter().min_by(by_priority).and_then(|o| o.cost), 0),
            },
            StockPolicy::SumOfStock => (offers.iter().min_by(by_priority).and_then(|o| o.cost), total),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn offer(cost: i64, stock: i64, priority: i32) -> SupplierOffer {
        SupplierOffer {
            id: OfferId::new(),
            supplier: SupplierId::new(),
            product: ProductId::new(),
            supplier_sku: format!("S{cost}"),
            cost: Some(Money::rub(cost)),
            stock,
            priority,
        }
    }

    #[test]
    fn policies_choose_cost_and_stock() {
        let offers = [offer(900, 0, 1), offer(1000, 5, 2), offer(1100, 7, 0)];
        assert_eq!(StockPolicy::CheapestInStock.choose(&offers), (Some(Money::rub(1000)), 12));
        assert_eq!(StockPolicy::Priority.choose(&offers), (Some(Money::rub(1100)), 7));
        assert_eq!(StockPolicy::SumOfStock.choose(&offers), (Some(Money::rub(1100)), 12));
        assert_eq!(StockPolicy::Priority.choose(&[offer(900, 0, 1)]), (Some(Money::rub(900)), 0));
    }
}
