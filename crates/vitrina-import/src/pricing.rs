//! From the supplier's cost to the seller's price: ordered [`PriceRules`] per supplier, stored
//! as JSON. Integer arithmetic only; every step rounds half up and saturates; a price is never
//! negative and never rounded below the minimum margin.
//!
//! **The first rule whose scope matches wins**, so list the specific rules (a brand, a deep
//! category) before the general ones (a category root, then "all").

use serde::{Deserialize, Serialize};

use crate::item::SupplierItem;
use crate::normalize::clean_text;

/// Minor units per whole unit of the catalog currency (kopecks per rouble). Rounding targets
/// ("to 10", "ending in 9") are in whole units.
pub const MINOR_PER_UNIT: i64 = 100;

/// One basis point is 1/100 of a percent: 2 500 bp = 25 %.
pub const BP_PER_ONE: i64 = 10_000;

/// A supplier's pricing: rules tried in order, the first match wins.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct PriceRules {
    pub rules: Vec<PriceRule>,
}

/// One rule: where it applies and how it turns cost into price.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct PriceRule {
    pub scope: Scope,
    pub markup: Markup,
    pub rounding: Rounding,
    /// The least margin over cost, in basis points of cost: the price is raised to
    /// `cost × (1 + margin)` before rounding, and rounding never goes below it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub min_margin_bp: Option<i64>,
    pub old_price: OldPrice,
}

/// Which items a rule applies to.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Scope {
    /// Every item.
    #[default]
    All,
    /// Items whose category path starts with this one (names compared ignoring case and
    /// extra spaces): `["Обувь"]` covers "Обувь / Кроссовки".
    Category { path: Vec<String> },
    /// Items of this brand (ignoring case and extra spaces).
    Brand { brand: String },
}

/// How much is added to the cost.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Markup {
    /// The price is the cost.
    #[default]
    None,
    /// `cost × (1 + bp / 10 000)`.
    Percent { bp: i64 },
    /// `cost + minor`.
    Fixed { minor: i64 },
    /// By cost range: the first tier whose `up_to_minor` is at least the cost (no bound = any
    /// cost); a cost above every bound takes the last tier. List tiers from cheap to dear.
    Tiers { tiers: Vec<Tier> },
}

/// A cost range of [`Markup::Tiers`].
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Tier {
    /// Inclusive upper bound of the cost, in minor units; `None` for "and above".
    pub up_to_minor: Option<i64>,
    pub percent_bp: i64,
    pub fixed_minor: i64,
}

/// How the final price is rounded (in whole units of the currency).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Rounding {
    /// Kept to the kopeck.
    #[default]
    None,
    /// To whole units, half up (1 234,50 → 1 235).
    To1,
    /// To tens, half up (1 234 → 1 230, 1 235 → 1 240).
    To10,
    /// To hundreds, half up (1 249 → 1 200, 1 250 → 1 300).
    To100,
    /// Up to the next whole price ending in 9 (1 234 → 1 239, 1 249 → 1 249).
    EndIn9,
    /// Up to the next price ending in 90 (1 234 → 1 290).
    EndIn90,
    /// Up to the next price ending in 99 (1 234 → 1 299).
    EndIn99,
}

/// What the crossed-out price becomes.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum OldPrice {
    /// No old price.
    None,
    /// The supplier's old price (converted), when it is above the new price.
    #[default]
    Keep,
    /// The price plus this many basis points, rounded like the price.
    Above { bp: i64 },
}

/// The seller's price for an item, in minor units of the catalog currency.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Priced {
    pub price: i64,
    /// Always above `price` when present.
    pub old_price: Option<i64>,
}

impl PriceRules {
    /// Prices an item. The base is the cost, or the retail price when there is no cost. The
    /// first rule matching `category_path` and the brand applies; with no rule, the price is
    /// the retail price if the supplier gives one, else the cost (0 when it has neither).
    pub fn price(&self, item: &SupplierItem, category_path: &[String]) -> Priced {
        let rule = self.rules.iter().find(|r| r.scope.matches(item, category_path));
        match (rule, item.cost.or(item.retail_price)) {
            (Some(rule), Some(base)) => rule.apply(base, item.cost, item.old_price),
            _ => {
                let price = item.retail_price.or(item.cost).unwrap_or(0).max(0);
                Priced { price, old_price: item.old_price.filter(|o| *o > price) }
            }
        }
    }
}

impl Scope {
    /// Whether an item falls under this scope.
    pub fn matches(&self, item: &SupplierItem, category_path: &[String]) -> bool {
        match self {
            Scope::All => true,
            Scope::Category { path } => {
                !path.is_empty()
                    && path.len() <= category_path.len()
                    && path.iter().zip(category_path).all(|(a, b)| same_name(a, b))
            }
            Scope::Brand { brand } => !brand.trim().is_empty() && same_name(brand, &item.brand),
        }
    }
}

fn same_name(a: &str, b: &str) -> bool {
    let (a, b) = (clean_text(a), clean_text(b));
    a.chars().flat_map(char::to_lowercase).eq(b.chars().flat_map(char::to_lowercase))
}

impl PriceRule {
    /// Applies the markup, the margin floor and the rounding to `base`.
    pub fn apply(&self, base: i64, cost: Option<i64>, supplier_old: Option<i64>) -> Priced {
        let base = base.max(0);
        let marked = clamp(self.markup.apply(base));
        let floor = match (self.min_margin_bp, cost) {
            (Some(bp), Some(cost)) => clamp(ceil_div(
                i128::from(cost.max(0)) * i128::from(BP_PER_ONE + bp.max(0)),
                i128::from(BP_PER_ONE),
            )),
            _ => 0,
        };
        let price = self.rounding.apply(marked.max(floor), floor);
        let old_price = match self.old_price {
            OldPrice::None => None,
            OldPrice::Keep => supplier_old,
            OldPrice::Above { bp } => {
                Some(self.rounding.apply(clamp(percent(price, bp.max(0))), price.saturating_add(1)))
            }
        }
        .filter(|o| *o > price);
        Priced { price, old_price }
    }
}

impl Markup {
    /// `base` with the markup, before clamping.
    fn apply(&self, base: i64) -> i128 {
        match self {
            Markup::None => i128::from(base),
            Markup::Percent { bp } => percent(base, *bp),
            Markup::Fixed { minor } => i128::from(base) + i128::from(*minor),
            Markup::Tiers { tiers } => {
                let tier = tiers.iter().find(|t| t.up_to_minor.is_none_or(|up| base <= up)).or(tiers.last());
                match tier {
                    Some(t) => percent(base, t.percent_bp) + i128::from(t.fixed_minor),
                    None => i128::from(base),
                }
            }
        }
    }
}

impl Rounding {
    /// Rounds `price`, never below `floor`. Idempotent: a rounded price stays as it is.
    pub fn apply(self, price: i64, floor: i64) -> i64 {
        let price = price.max(floor).max(0);
        let step = |units: i64| -> i64 {
            let step = units * MINOR_PER_UNIT;
            let nearest = clamp(div_half_up(i128::from(price), i128::from(step)) * i128::from(step));
            if nearest >= floor {
                nearest
            } else {
                clamp(ceil_div(i128::from(floor), i128::from(step)) * i128::from(step))
            }
        };
        let ending = |modulus: i64, end: i64| -> i64 {
            // The smallest whole price ≥ price whose last digits are `end`.
            let units = ceil_div(i128::from(price), i128::from(MINOR_PER_UNIT));
            let m = i128::from(modulus);
            let candidate = (units - i128::from(end)).div_euclid(m) * m + i128::from(end);
            let candidate = if candidate < units { candidate + m } else { candidate };
            clamp(candidate * i128::from(MINOR_PER_UNIT))
        };
        match self {
            Rounding::None => price,
            Rounding::To1 => step(1),
            Rounding::To10 => step(10),
            Rounding::To100 => step(100),
            Rounding::EndIn9 => ending(10, 9),
            Rounding::EndIn90 => ending(100, 90),
            Rounding::EndIn99 => ending(100, 99),
        }
    }
}

/// `value × (1 + bp / 10 000)`, half up.
fn percent(value: i64, bp: i64) -> i128 {
    div_half_up(i128::from(value) * (i128::from(BP_PER_ONE) + i128::from(bp)), i128::from(BP_PER_ONE))
}

fn div_half_up(num: i128, den: i128) -> i128 {
    let q = num.div_euclid(den);
    let r = num.rem_euclid(den);
    if r * 2 >= den { q + 1 } else { q }
}

fn ceil_div(num: i128, den: i128) -> i128 {
    let q = num.div_euclid(den);
    if num.rem_euclid(den) > 0 { q + 1 } else { q }
}

fn clamp(v: i128) -> i64 {
    i64::try_from(v.clamp(0, i128::from(i64::MAX))).unwrap_or(i64::MAX)
}

#[cfg(test)]
mod tests;
