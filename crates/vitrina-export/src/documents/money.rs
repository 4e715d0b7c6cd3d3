//! Amounts as a buyer reads them on paper: "1 299,50 ₽", grouped with narrow no-break spaces so
//! a price never breaks across lines or columns.

use vitrina_domain::money::{Currency, format_minor};

/// Groups thousands (U+202F NARROW NO-BREAK SPACE, the Russian typographic thin space).
const GROUP: char = '\u{202f}';
/// Between the number and the currency (U+00A0 NO-BREAK SPACE).
const BEFORE_UNIT: char = '\u{a0}';

/// How one document writes amounts of its currency.
#[derive(Debug, Clone)]
pub(crate) struct MoneyFormat {
    exponent: u32,
    /// "₽" for roubles, else the code as the header gives it ("USD"); empty for none.
    unit: String,
}

impl MoneyFormat {
    /// For the header's ISO 4217 code (`RUB`, `RUR`, `USD`); an unknown code is printed as given,
    /// with two decimals.
    pub(crate) fn new(currency: &str) -> MoneyFormat {
        match currency.parse::<Currency>() {
            Ok(c) if c == Currency::RUB => MoneyFormat { exponent: c.exponent(), unit: "₽".to_string() },
            Ok(c) => MoneyFormat { exponent: c.exponent(), unit: c.as_str().to_string() },
            Err(_) => MoneyFormat { exponent: 2, unit: currency.trim().to_string() },
        }
    }

    /// `minor` units as "1 299,50 ₽".
    pub(crate) fn amount(&self, minor: i64) -> String {
        let mut out = group(&format_minor(minor, self.exponent));
        if !self.unit.is_empty() {
            out.push(BEFORE_UNIT);
            out.push_str(&self.unit);
        }
        out
    }
}

/// A whole number grouped like amounts: "12 500".
pub(crate) fn count(n: i64) -> String {
    group(&format_minor(n, 0))
}

fn group(formatted: &str) -> String {
    formatted.replace(' ', &GROUP.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amounts_in_roubles_and_other_currencies() {
        let cases = [
            ("RUB", 129_950, "1\u{202f}299,50\u{a0}₽"),
            ("RUR", 99_000, "990,00\u{a0}₽"),
            ("RUB", 12_345_678_900, "123\u{202f}456\u{202f}789,00\u{a0}₽"),
            ("RUB", 5, "0,05\u{a0}₽"),
            ("RUB", -129_950, "-1\u{202f}299,50\u{a0}₽"),
            ("USD", 129_950, "1\u{202f}299,50\u{a0}USD"),
            ("eur", 100, "1,00\u{a0}EUR"),
            ("JPY", 129_950, "129\u{202f}950\u{a0}JPY"),
            ("", 129_950, "1\u{202f}299,50"),
        ];
        for (currency, minor, expected) in cases {
            assert_eq!(MoneyFormat::new(currency).amount(minor), expected, "{currency} {minor}");
        }
    }

    #[test]
    fn counts_are_grouped_too() {
        assert_eq!(count(12_500), "12\u{202f}500");
        assert_eq!(count(7), "7");
        assert_eq!(count(-1_000), "-1\u{202f}000");
    }
}
