//! A profile's price rules: a markup, rounding, and what to show as the old price. Integer
//! arithmetic on minor units only; a percentage is in basis points (1 250 = 12.5 %).

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct PriceRules {
    /// Added to the catalog price, in basis points (−9 999 … 100 000); 0 keeps it.
    pub markup_bp: i64,
    pub rounding: Rounding,
    pub old_price: OldPriceRule,
}

/// How a marked-up price is rounded (in major units: roubles).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Rounding {
    /// Kept to the kopeck.
    #[default]
    None,
    /// To whole roubles (half up).
    Whole,
    /// Up to the next 10 roubles.
    Tens,
    /// Up to the next 100 roubles.
    Hundreds,
    /// Up to the next price ending in 9 roubles (1 234 → 1 239).
    EndsIn9,
    /// Up to the next price ending in 99 roubles (1 234 → 1 299).
    EndsIn99,
}

/// What the old (crossed-out) price is.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "kind", content = "bp")]
pub enum OldPriceRule {
    /// The catalog's old price, with the same markup and rounding as the price.
    #[default]
    Keep,
    /// No old price.
    Drop,
    /// The new price plus this many basis points ("was 20 % more").
    Above(i64),
}

impl PriceRules {
    /// The price and old price to publish for a catalog `price` and `old_price` (minor units).
    /// An old price not above the new price is dropped: every format rejects it.
    pub fn apply(&self, price: i64, old_price: Option<i64>) -> (i64, Option<i64>) {
        let new = self.round(self.mark_up(price));
        let old = match self.old_price {
            OldPriceRule::Keep => old_price.map(|o| self.round(self.mark_up(o))),
            OldPriceRule::Drop => None,
            OldPriceRule::Above(bp) => Some(self.round(percent(new, bp))),
        };
        (new, old.filter(|o| *o > new))
    }

    fn mark_up(&self, minor: i64) -> i64 {
        percent(minor, self.markup_bp.clamp(-9_999, 100_000))
    }

    fn round(&self, minor: i64) -> i64 {
        if minor <= 0 {
            return minor.max(0);
        }
        let up_to = |step: i64| (minor + step - 1) / step * step;
        match self.rounding {
            Rounding::None => minor,
            Rounding::Whole => (minor + 50) / 100 * 100,
            Rounding::Tens => up_to(1_000),
            Rounding::Hundreds => up_to(10_000),
            // The smallest price ≥ minor whose roubles end in 9 (…9.00) or 99 (…99.00).
            Rounding::EndsIn9 => ends_in(minor, 1_000, 900),
            Rounding::EndsIn99 => ends_in(minor, 10_000, 9_900),
        }
    }
}

/// `minor` plus `bp` basis points, half up.
fn percent(minor: i64, bp: i64) -> i64 {
    let scaled = i128::from(minor) * i128::from(10_000 + bp);
    ((scaled + 5_000) / 10_000) as i64
}

/// The smallest value ≥ `minor` that is `k * step + tail`.
fn ends_in(minor: i64, step: i64, tail: i64) -> i64 {
    let base = (minor - tail).max(0);
    let k = (base + step - 1) / step;
    let candidate = k * step + tail;
    if candidate >= minor { candidate } else { candidate + step }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rules(markup_bp: i64, rounding: Rounding, old_price: OldPriceRule) -> PriceRules {
        PriceRules { markup_bp, rounding, old_price }
    }

    #[test]
    fn markup_then_rounding() {
        let r = |rounding| rules(1_000, rounding, OldPriceRule::Keep).apply(123_456, None).0;
        assert_eq!(r(Rounding::None), 135_802, "1234.56 + 10 % = 1358.016 → 1358.02");
        assert_eq!(r(Rounding::Whole), 135_800);
        assert_eq!(r(Rounding::Tens), 136_000);
        assert_eq!(r(Rounding::Hundreds), 140_000);
        assert_eq!(r(Rounding::EndsIn9), 135_900);
        assert_eq!(r(Rounding::EndsIn99), 139_900);
        assert_eq!(
            rules(0, Rounding::EndsIn99, OldPriceRule::Keep).apply(9_900, None).0,
            9_900,
            "already ends in 99"
        );
        assert_eq!(rules(0, Rounding::EndsIn99, OldPriceRule::Keep).apply(5_000, None).0, 9_900);
        assert_eq!(
            rules(-1_000, Rounding::None, OldPriceRule::Keep).apply(10_000, None).0,
            9_000,
            "a discount"
        );
    }

    #[test]
    fn old_price_rules() {
        assert_eq!(
            rules(1_000, Rounding::Whole, OldPriceRule::Keep).apply(100_000, Some(120_000)),
            (110_000, Some(132_000))
        );
        assert_eq!(
            rules(0, Rounding::None, OldPriceRule::Keep).apply(100_000, Some(90_000)),
            (100_000, None),
            "not above"
        );
        assert_eq!(
            rules(0, Rounding::None, OldPriceRule::Drop).apply(100_000, Some(120_000)),
            (100_000, None)
        );
        assert_eq!(
            rules(0, Rounding::EndsIn99, OldPriceRule::Above(2_000)).apply(99_900, None),
            (99_900, Some(119_900))
        );
    }
}
