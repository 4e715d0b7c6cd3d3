//! Prices: parsing with the domain's real-world parser and converting currencies with integer
//! arithmetic only.

use std::fmt;

use serde::{Deserialize, Serialize};
use vitrina_domain::{Currency, MoneyError, parse_minor_units};

use super::number::Decimal;

/// An exchange rate: how many units of the catalog currency one unit of a foreign currency
/// costs, in millionths (`92.5` → `92_500_000`). Never a float.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Rate(pub i64);

impl Rate {
    /// One to one.
    pub const ONE: Rate = Rate(MICRO);

    /// Reads "92.5", "92,50" or "1"; `None` for text that is not a positive number (YML's
    /// "CBRF" bank-rate words included: those need a configured rate).
    pub fn parse(text: &str) -> Option<Rate> {
        let d = Decimal::parse(text)?;
        let micro = d.shift(6)?;
        (micro.scale == 0 && micro.mantissa > 0).then_some(Rate(micro.mantissa))
    }

    /// This rate increased by `percent` ("3" for YML's `plus="3"`), rounded half up.
    pub fn plus_percent(self, percent: &str) -> Option<Rate> {
        let p = Decimal::parse(percent)?;
        // rate × (100 + p) / 100, with p's decimals kept exact.
        let scale = 10i128.pow(p.scale);
        let num = i128::from(self.0).checked_mul(100 * scale + i128::from(p.mantissa))?;
        let den = 100 * scale;
        let r = div_round_half_up(num, den)?;
        (r > 0).then(|| Rate(i64::try_from(r).unwrap_or(i64::MAX)))
    }
}

impl fmt::Display for Rate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", Decimal { mantissa: self.0, scale: 6 }.normalized())
    }
}

const MICRO: i64 = 1_000_000;

/// Why a price could not be read or converted, in words for the seller.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PriceError {
    Empty,
    NotAnAmount,
    Negative,
    TooLarge,
    NoRate(Currency),
}

impl fmt::Display for PriceError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PriceError::Empty => f.write_str("the price is empty"),
            PriceError::NotAnAmount => f.write_str("is not an amount of money (expected e.g. 1 299,50)"),
            PriceError::Negative => f.write_str("a price cannot be negative"),
            PriceError::TooLarge => f.write_str("the amount is too large"),
            PriceError::NoRate(c) => {
                write!(f, "there is no exchange rate for {c}; set one in the supplier's settings")
            }
        }
    }
}

/// Reads a currency as price lists write it: ISO codes in any case ("rub", "USD"), "RUR",
/// "руб.", "р.", "₽", "$", "€", "тг".
pub fn parse_currency(text: &str) -> Option<Currency> {
    let t = text.trim().trim_end_matches('.');
    let lower = t.to_lowercase();
    let code = match lower.as_str() {
        "руб" | "р" | "₽" | "рубль" | "рубли" | "рублей" | "rur" => "RUB",
        "$" | "долл" | "доллар" => "USD",
        "€" | "евро" => "EUR",
        "тг" | "тенге" | "₸" => "KZT",
        "бел. руб" | "бел.руб" | "byr" => "BYN",
        _ => t,
    };
    code.parse().ok()
}

/// Parses an amount written in `currency` into its minor units; negative amounts are refused.
pub fn parse_price(text: &str, currency: Currency) -> Result<i64, PriceError> {
    if text.trim().is_empty() {
        return Err(PriceError::Empty);
    }
    match parse_minor_units(text, currency.exponent()) {
        Ok(m) if m < 0 => Err(PriceError::Negative),
        Ok(m) => Ok(m),
        Err(MoneyError::Overflow(_)) => Err(PriceError::TooLarge),
        Err(_) => Err(PriceError::NotAnAmount),
    }
}

/// [`parse_price`] with a shortcut for the plain amounts most feeds use ("1299", "1299.5",
/// "1299.50", "1299,50"); anything else goes through the full parser.
pub fn parse_price_fast(text: &str, currency: Currency) -> Result<i64, PriceError> {
    let b = text.as_bytes();
    let exponent = currency.exponent() as usize;
    let sep = b.iter().position(|c| *c == b'.' || *c == b',');
    let (whole, frac) = match sep {
        Some(p) => (&b[..p], &b[p + 1..]),
        None => (b, &b[..0]),
    };
    let simple = !whole.is_empty()
        && whole.len() <= 15
        && whole.iter().all(u8::is_ascii_digit)
        && (sep.is_none() || (1..=exponent).contains(&frac.len()))
        && frac.iter().all(u8::is_ascii_digit);
    if !simple {
        return parse_price(text, currency);
    }
    let mut minor: i64 = 0;
    for d in whole {
        minor = minor * 10 + i64::from(d - b'0');
    }
    for i in 0..exponent {
        minor = minor * 10 + frac.get(i).map_or(0, |d| i64::from(d - b'0'));
    }
    Ok(minor)
}

/// Converts `minor` units of `from` to minor units of `to` at `rate` (units of `to` per unit of
/// `from`), rounding half up. `None` when the result does not fit.
pub fn convert(minor: i64, from: Currency, to: Currency, rate: Rate) -> Option<i64> {
    let from_scale = 10i128.pow(from.exponent());
    let to_scale = 10i128.pow(to.exponent());
    let num = i128::from(minor).checked_mul(i128::from(rate.0))?.checked_mul(to_scale)?;
    let den = from_scale * i128::from(MICRO);
    i64::try_from(div_round_half_up(num, den)?).ok()
}

/// `num / den` rounded half away from zero; `den` must be positive.
fn div_round_half_up(num: i128, den: i128) -> Option<i128> {
    if den <= 0 {
        return None;
    }
    let q = num / den;
    let r = num % den;
    Some(if r.abs() * 2 >= den { q + num.signum() } else { q })
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use rstest::rstest;

    #[rstest]
    #[case("1 299,50", 129_950)]
    #[case("1\u{a0}299.5", 129_950)]
    #[case("12 990 руб.", 1_299_000)]
    #[case("80279.00", 8_027_900)]
    #[case("0", 0)]
    #[case("929,99", 92_999)]
    fn parses_prices(#[case] text: &str, #[case] minor: i64) {
        assert_eq!(parse_price(text, Currency::RUB), Ok(minor));
    }

    #[rstest]
    #[case("", PriceError::Empty)]
    #[case("  ", PriceError::Empty)]
    #[case("-5", PriceError::Negative)]
    #[case("12,3,4", PriceError::NotAnAmount)]
    #[case("по запросу", PriceError::NotAnAmount)]
    #[case("99999999999999999999", PriceError::TooLarge)]
    fn refuses_bad_prices(#[case] text: &str, #[case] err: PriceError) {
        assert_eq!(parse_price(text, Currency::RUB), Err(err));
    }

    #[rstest]
    #[case("1", 1_000_000)]
    #[case("92.5", 92_500_000)]
    #[case("0,0123", 12_300)]
    fn reads_rates(#[case] text: &str, #[case] micro: i64) {
        assert_eq!(Rate::parse(text), Some(Rate(micro)));
    }

    #[rstest]
    #[case("RUB", Some(Currency::RUB))]
    #[case("rur", Some(Currency::RUB))]
    #[case("руб.", Some(Currency::RUB))]
    #[case("₽", Some(Currency::RUB))]
    #[case("usd", Some(Currency::USD))]
    #[case("€", Some(Currency::EUR))]
    #[case("рубли по курсу", None)]
    fn reads_currencies(#[case] text: &str, #[case] out: Option<Currency>) {
        assert_eq!(parse_currency(text), out);
    }

    #[test]
    fn bank_rate_words_are_not_rates() {
        assert_eq!(Rate::parse("CBRF"), None);
        assert_eq!(Rate::parse("0"), None);
        assert_eq!(Rate::parse("-1"), None);
    }

    #[test]
    fn plus_percent_raises_the_rate() {
        assert_eq!(Rate(90_000_000).plus_percent("3"), Some(Rate(92_700_000)));
        assert_eq!(Rate(90_000_000).plus_percent("2,5"), Some(Rate(92_250_000)));
        assert_eq!(Rate(1_000_000).plus_percent("x"), None);
    }

    #[rstest]
    #[case(1_000, Currency::USD, Rate(92_500_000), 92_500)] // $10.00 at 92.5 → 925,00 ₽
    #[case(1, Currency::USD, Rate(92_500_000), 93)] // 0.925 ₽ rounds half up to 93 kopecks
    #[case(1, Currency::USD, Rate(92_400_000), 92)]
    #[case(12_345, Currency::RUB, Rate::ONE, 12_345)]
    fn converts_half_up(#[case] minor: i64, #[case] from: Currency, #[case] rate: Rate, #[case] out: i64) {
        assert_eq!(convert(minor, from, Currency::RUB, rate), Some(out));
    }

    #[test]
    fn conversion_overflow_is_reported() {
        assert_eq!(convert(i64::MAX, Currency::USD, Currency::RUB, Rate(100_000_000)), None);
    }

    proptest! {
        #[test]
        fn the_shortcut_agrees_with_the_full_parser(text in "[0-9]{0,16}([.,][0-9]{0,4})?|[0-9 .,₽a-z-]{0,12}") {
            prop_assert_eq!(parse_price_fast(&text, Currency::RUB), parse_price(&text, Currency::RUB));
        }

        #[test]
        fn identity_rate_changes_nothing(minor in 0i64..i64::MAX / 2) {
            prop_assert_eq!(convert(minor, Currency::USD, Currency::EUR, Rate::ONE), Some(minor));
        }

        #[test]
        fn conversion_is_monotonic_and_within_half_a_kopeck(
            a in 0i64..10_000_000_000, b in 0i64..10_000_000_000, micro in 1i64..1_000_000_000,
        ) {
            let rate = Rate(micro);
            let (lo, hi) = (a.min(b), a.max(b));
            let clo = convert(lo, Currency::USD, Currency::RUB, rate).unwrap();
            let chi = convert(hi, Currency::USD, Currency::RUB, rate).unwrap();
            prop_assert!(clo <= chi);
            // |converted × 10⁶ − minor × rate| ≤ ½ × 10⁶
            let exact = i128::from(lo) * i128::from(micro);
            let diff = (i128::from(clo) * 1_000_000 - exact).abs();
            prop_assert!(diff * 2 <= 1_000_000, "diff {diff}");
        }

        #[test]
        fn parse_then_convert_never_panics(text in "\\PC{0,16}", micro in 1i64..i64::MAX) {
            if let Ok(m) = parse_price(&text, Currency::USD) {
                prop_assert!(m >= 0);
                let _ = convert(m, Currency::USD, Currency::RUB, Rate(micro));
            }
        }
    }
}
