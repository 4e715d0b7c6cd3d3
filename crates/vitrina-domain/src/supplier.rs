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
        let (chosen, stock) = self.pick(offers);
        (chosen.and_then(|i| offers[i].cost), stock)
    }

    /// The offer that supplies the product's cost (and its price), and the product's stock.
    pub fn pick(&self, offers: &[SupplierOffer]) -> (Option<usize>, i64) {
        let total: i64 = offers.iter().map(|o| o.stock.max(0)).sum();
        let all = || offers.iter().enumerate();
        let in_stock = || all().filter(|(_, o)| o.stock > 0);
        let with_cost = |(_, o): &(usize, &SupplierOffer)| o.cost.is_some();
        let cost_of = |(_, o): &(usize, &SupplierOffer)| o.cost.map_or(i64::MAX, |m| m.minor);
        let priority_of = |(_, o): &(usize, &SupplierOffer)| o.priority;
        match self {
            StockPolicy::CheapestInStock => {
                let cheapest = in_stock()
                    .filter(with_cost)
                    .min_by_key(cost_of)
                    .or_else(|| all().filter(with_cost).min_by_key(cost_of));
                (cheapest.map(|(i, _)| i), total)
            }
            StockPolicy::Priority => match in_stock().min_by_key(priority_of) {
                Some((i, o)) => (Some(i), o.stock),
                None => (all().min_by_key(priority_of).map(|(i, _)| i), 0),
            },
            StockPolicy::SumOfStock => (all().min_by_key(priority_of).map(|(i, _)| i), total),
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
