//! Raw supplier text → clean, typed values: money in the catalog currency, weights in grams,
//! sizes in millimetres, volumes in millilitres, valid barcodes, sanitized descriptions,
//! whole-number stock and canonical brands.
//!
//! Everything here is pure and allocation-light; [`NormalizeContext`] holds what one import run
//! knows besides the row itself (currency rates, brand aliases, the feed's category tree).

pub mod dimensions;
pub mod html;
pub mod money;
pub mod number;
pub mod units;
pub mod values;

use std::collections::{HashMap, HashSet};

use vitrina_domain::Currency;

pub use dimensions::{Axis, DimensionError, Measure, ParsedDimensions, header_axis_order, parse_dimensions};
pub use html::DescriptionCleaner;
pub use money::{PriceError, Rate, convert, parse_currency, parse_price};
pub use number::Decimal;
pub use units::{Quantity, Unit, attribute, split_header_unit};
pub use values::{
    StockText, clean_text, parse_available, parse_barcodes, parse_pack_units, parse_stock,
    split_category_path, split_images,
};

/// Stock assumed when a supplier says "in stock" without a number ("много", "есть",
/// `available="true"` with no count). Ten is enough to keep the product listed on marketplaces
/// and small enough that a burst of orders does not oversell much; change it per supplier.
pub const DEFAULT_IN_STOCK_QUANTITY: i64 = 10;

/// What one import run knows besides the rows: the catalog currency and exchange rates, brand
/// aliases and the supplier's category tree.
#[derive(Debug, Clone)]
pub struct NormalizeContext {
    /// The catalog's currency; every price is converted into it.
    pub currency: Currency,
    /// Rates set by the seller (units of the catalog currency per unit of the foreign one).
    /// They win over the feed's own rates.
    pub rates: Vec<(Currency, Rate)>,
    /// Rates declared by the feed (YML `<currencies>`), see [`NormalizeContext::with_shop`].
    pub feed_rates: Vec<(Currency, Rate)>,
    /// Lowercased, trimmed alias → canonical brand ("lg electronics" → "LG").
    pub brand_aliases: HashMap<String, String>,
    /// Supplier category id → path of names, root first (from YML `<categories>`).
    pub categories: HashMap<String, Vec<String>>,
    /// Stock for "in stock" without a number; see [`DEFAULT_IN_STOCK_QUANTITY`].
    pub in_stock_quantity: i64,
}

impl Default for NormalizeContext {
    fn default() -> Self {
        Self::new(Currency::RUB)
    }
}

impl NormalizeContext {
    /// A context for a catalog kept in `currency`, with no rates, aliases or categories.
    pub fn new(currency: Currency) -> Self {
        Self {
            currency,
            rates: Vec::new(),
            feed_rates: Vec::new(),
            brand_aliases: HashMap::new(),
            categories: HashMap::new(),
            in_stock_quantity: DEFAULT_IN_STOCK_QUANTITY,
        }
    }

    /// Takes the feed's currencies and category tree from a YML `<shop>`.
    ///
    /// The feed's rates are relative to its base currency (the one with `rate="1"`). When that
    /// base is the catalog currency they are used as they are; otherwise they are chained
    /// through a rate the seller set for the base. Bank-rate words (`CBRF`, `NBU`…) carry no
    /// number, so those currencies need a rate set by the seller.
    pub fn with_shop(mut self, shop: &vitrina_formats::Shop) -> Self {
        self.categories = category_paths(&shop.categories);
        let parsed: Vec<(Currency, Rate)> = shop
            .currencies
            .iter()
            .filter_map(|c| {
                let currency = c.id.parse::<Currency>().ok()?;
                let mut rate = Rate::parse(c.rate.as_deref()?)?;
                if let Some(plus) = c.plus.as_deref().filter(|p| !p.trim().is_empty()) {
                    rate = rate.plus_percent(plus)?;
                }
                Some((currency, rate))
            })
            .collect();
        let base = parsed.iter().find(|(_, r)| *r == Rate::ONE).map(|(c, _)| *c).unwrap_or(self.currency);
        let base_rate = if base == self.currency { Some(Rate::ONE) } else { self.rate(base) };
        self.feed_rates = match base_rate {
            Some(base_rate) => parsed
                .into_iter()
                .filter_map(|(c, r)| {
                    let chained = i128::from(r.0) * i128::from(base_rate.0) / 1_000_000;
                    Some((c, Rate(i64::try_from(chained).ok().filter(|v| *v > 0)?)))
                })
                .collect(),
            None => Vec::new(),
        };
        self
    }

    /// Adds a brand alias (matched ignoring case and surrounding spaces).
    pub fn add_brand_alias(&mut self, alias: &str, canonical: &str) {
        self.brand_aliases.insert(clean_text(alias).to_lowercase(), clean_text(canonical));
    }

    /// The rate from `from` to the catalog currency: one for the catalog currency itself, then
    /// the seller's, then the feed's.
    pub fn rate(&self, from: Currency) -> Option<Rate> {
        if from == self.currency {
            return Some(Rate::ONE);
        }
        self.rates.iter().chain(&self.feed_rates).find(|(c, _)| *c == from).map(|(_, r)| *r)
    }

    /// Converts `minor` units of `from` into the catalog currency.
    pub fn to_catalog(&self, minor: i64, from: Currency) -> Result<i64, PriceError> {
        if from == self.currency {
            return Ok(minor);
        }
        let rate = self.rate(from).ok_or(PriceError::NoRate(from))?;
        convert(minor, from, self.currency, rate).ok_or(PriceError::TooLarge)
    }

    /// The canonical spelling of a brand: whitespace tidied, then the alias applied.
    pub fn brand(&self, raw: &str) -> String {
        let brand = clean_text(raw);
        if self.brand_aliases.is_empty() || brand.is_empty() {
            return brand;
        }
        match self.brand_aliases.get(&brand.to_lowercase()) {
            Some(canonical) => canonical.clone(),
            None => brand,
        }
    }

    /// The category path of a supplier category id, if the feed declared it.
    pub fn category(&self, id: &str) -> Option<&[String]> {
        self.categories.get(id.trim()).map(Vec::as_slice)
    }
}

/// Builds id → path (root first) from a YML category list. A `parentId` of "0", an empty one or
/// one naming a missing category starts a root; a cycle is cut where it closes, so every
/// category still gets a finite path.
pub fn category_paths(categories: &[vitrina_formats::Category]) -> HashMap<String, Vec<String>> {
    let by_id: HashMap<&str, &vitrina_formats::Category> =
        categories.iter().map(|c| (c.id.trim(), c)).collect();
    let mut out = HashMap::with_capacity(categories.len());
    let mut seen = HashSet::new();
    for c in categories {
        seen.clear();
        let mut path = Vec::new();
        let mut at = Some(c);
        while let Some(node) = at {
            if !seen.insert(node.id.trim()) {
                break;
            }
            let name = clean_text(&node.name);
            if !name.is_empty() {
                path.push(name);
            }
            at = node
                .parent_id
                .as_deref()
                .map(str::trim)
                .filter(|p| !p.is_empty() && *p != "0")
                .and_then(|p| by_id.get(p).copied());
        }
        path.reverse();
        out.insert(c.id.trim().to_owned(), path);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cat(id: &str, parent: Option<&str>, name: &str) -> vitrina_formats::Category {
        vitrina_formats::Category {
            id: id.into(),
            parent_id: parent.map(Into::into),
            name: name.into(),
            line: 1,
        }
    }

    fn currency(id: &str, rate: &str, plus: Option<&str>) -> vitrina_formats::Currency {
        vitrina_formats::Currency { id: id.into(), rate: Some(rate.into()), plus: plus.map(Into::into) }
    }

    #[test]
    fn category_paths_follow_parents_and_survive_cycles() {
        let paths = category_paths(&[
            cat("1", Some("0"), "Одежда и обувь"),
            cat("7", Some("1"), "Обувь"),
            cat("17", Some("7"), " Кроссовки  мужские "),
            cat("99", Some("404"), "Сирота"),
            cat("a", Some("b"), "А"),
            cat("b", Some("a"), "Б"),
            cat("self", Some("self"), "Сам"),
        ]);
        assert_eq!(paths["17"], ["Одежда и обувь", "Обувь", "Кроссовки мужские"]);
        assert_eq!(paths["1"], ["Одежда и обувь"]);
        assert_eq!(paths["99"], ["Сирота"]);
        assert_eq!(paths["a"], ["Б", "А"]);
        assert_eq!(paths["self"], ["Сам"]);
    }

    #[test]
    fn shop_rates_convert_to_the_catalog_currency() {
        let shop = vitrina_formats::Shop {
            currencies: vec![
                currency("RUR", "1", None),
                currency("USD", "90", Some("3")),
                currency("EUR", "CBRF", None),
            ],
            ..Default::default()
        };
        let ctx = NormalizeContext::new(Currency::RUB).with_shop(&shop);
        assert_eq!(ctx.to_catalog(1_000, Currency::USD), Ok(92_700));
        assert_eq!(ctx.to_catalog(1_000, Currency::EUR), Err(PriceError::NoRate(Currency::EUR)));
        let mut ctx = ctx;
        ctx.rates.push((Currency::EUR, Rate(100_000_000)));
        ctx.rates.push((Currency::USD, Rate(80_000_000)));
        assert_eq!(ctx.to_catalog(1_000, Currency::EUR), Ok(100_000));
        assert_eq!(ctx.to_catalog(1_000, Currency::USD), Ok(80_000), "the seller's rate wins");
        assert_eq!(ctx.to_catalog(1_000, Currency::RUB), Ok(1_000));
    }

    #[test]
    fn foreign_base_is_chained_through_the_sellers_rate() {
        let byn: Currency = "BYN".parse().unwrap();
        let shop = vitrina_formats::Shop {
            currencies: vec![currency("BYN", "1", None), currency("USD", "3.2", None)],
            ..Default::default()
        };
        let mut ctx = NormalizeContext::new(Currency::RUB);
        ctx.rates.push((byn, Rate(28_000_000)));
        let ctx = ctx.with_shop(&shop);
        assert_eq!(ctx.to_catalog(100, Currency::USD), Ok(8_960));
        assert_eq!(ctx.to_catalog(100, byn), Ok(2_800));
    }

    #[test]
    fn brand_aliases_ignore_case_and_spaces() {
        let mut ctx = NormalizeContext::default();
        ctx.add_brand_alias(" LG  Electronics ", "LG");
        assert_eq!(ctx.brand("lg electronics"), "LG");
        assert_eq!(ctx.brand(" LG\u{a0}ELECTRONICS"), "LG");
        assert_eq!(ctx.brand("Samsung "), "Samsung");
    }
}
