//! Money as integer minor units (kopecks, cents) plus an ISO 4217 currency. Never floats.
//!
//! [`parse_minor_units`] reads the amounts found in real price lists: `1 299,50`, `1299.5`,
//! `1 299` with NBSP thousands, `1,299.50`, `1.299,50`, `12 990 руб.`, `₽ 990`.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::text::is_digit_group_separator;

/// An ISO 4217 currency code such as `RUB`.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Currency([u8; 3]);

impl Currency {
    pub const RUB: Currency = Currency(*b"RUB");
    pub const USD: Currency = Currency(*b"USD");
    pub const EUR: Currency = Currency(*b"EUR");

    pub fn as_str(&self) -> &str {
        // Constructed only from ASCII uppercase letters.
        std::str::from_utf8(&self.0).unwrap_or("???")
    }

    /// Digits after the decimal point; every currency Vitrina's sellers meet uses two.
    pub fn exponent(&self) -> u32 {
        match &self.0 {
            b"JPY" | b"KRW" | b"VND" => 0,
            _ => 2,
        }
    }
}

impl FromStr for Currency {
    type Err = MoneyError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let code = s.trim().to_ascii_uppercase();
        let code = match code.as_str() {
            // YML and Russian price lists write the rouble as RUR, "руб" or the sign.
            "RUR" | "₽" | "РУБ" | "РУБ." => "RUB".to_string(),
            _ => code,
        };
        let bytes = code.as_bytes();
        if bytes.len() == 3 && bytes.iter().all(u8::is_ascii_uppercase) {
            Ok(Currency([bytes[0], bytes[1], bytes[2]]))
        } else {
            Err(MoneyError::UnknownCurrency(s.trim().to_string()))
        }
    }
}

impl fmt::Display for Currency {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl fmt::Debug for Currency {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for Currency {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for Currency {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

/// An amount in minor units of a currency.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Money {
    pub minor: i64,
    pub currency: Currency,
}

impl Money {
    pub fn new(minor: i64, currency: Currency) -> Self {
        Self { minor, currency }
    }

    pub fn rub(minor: i64) -> Self {
        Self::new(minor, Currency::RUB)
    }

    /// Parses an amount written by a person or a supplier's system, in the given currency.
    pub fn parse(s: &str, currency: Currency) -> Result<Self, MoneyError> {
        Ok(Self::new(parse_minor_units(s, currency.exponent())?, currency))
    }
}

impl fmt::Display for Money {
    /// `1 299,50 RUB` — grouped with thin spaces the way Russian sellers read prices.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&format_minor(self.minor, self.currency.exponent()))?;
        write!(f, " {}", self.currency)
    }
}

impl fmt::Debug for Money {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Money({} {})", self.minor, self.currency)
    }
}

/// Formats minor units as `1 299,50` (space-grouped, decimal comma); whole amounts keep `,00`.
pub fn format_minor(minor: i64, exponent: u32) -> String {
    let scale = 10i64.pow(exponent);
    let sign = if minor < 0 { "-" } else { "" };
    let abs = minor.unsigned_abs();
    let units = (abs / scale as u64).to_string();
    let mut grouped = String::with_capacity(units.len() + units.len() / 3);
    for (i, c) in units.chars().enumerate() {
        if i > 0 && (units.len() - i).is_multiple_of(3) {
            grouped.push(' ');
        }
        grouped.push(c);
    }
    if exponent == 0 {
        format!("{sign}{grouped}")
    } else {
        let frac = abs % scale as u64;
        format!("{sign}{grouped},{frac:0width$}", width = exponent as usize)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MoneyError {
    #[error("\"{0}\" is not an amount of money")]
    NotAnAmount(String),
    #[error("\"{0}\" is too large an amount")]
    Overflow(String),
    #[error("\"{0}\" is not a currency code (expected e.g. RUB, USD, EUR)")]
    UnknownCurrency(String),
}

/// Parses a real-world amount into minor units with `exponent` decimal digits.
///
/// Separators: spaces/NBSP always group thousands. With both `.` and `,`, the last one is the
/// decimal point. A lone separator followed by exactly three digits groups thousands (`1.299`,
/// `12,990`) unless the whole part is `0`; otherwise it is the decimal point (`1299,5`).
/// Extra decimal digits are rounded half away from zero. Currency words and signs around the
/// number (`руб.`, `₽`, `RUB`, `$`) are ignored.
pub fn parse_minor_units(input: &str, exponent: u32) -> Result<i64, MoneyError> {
    let bad = || MoneyError::NotAnAmount(input.trim().to_string());
    let trimmed = strip_currency_marks(input.trim());
    let (negative, body) = match trimmed.strip_prefix(['-', '−']) {
        Some(rest) => (true, rest.trim_start()),
        None => (false, trimmed),
    };
    let compact: String = body.chars().filter(|c| !is_digit_group_separator(*c)).collect();
    if compact.is_empty() || !compact.chars().all(|c| c.is_ascii_digit() || c == '.' || c == ',') {
        return Err(bad());
    }
    let (whole, frac) = split_decimal(&compact).ok_or_else(bad)?;
    if whole.is_empty() && frac.is_empty() {
        return Err(bad());
    }
    let overflow = || MoneyError::Overflow(input.trim().to_string());
    let scale = 10i64.pow(exponent);
    let mut minor: i64 = 0;
    for d in whole.bytes() {
        minor =
            minor.checked_mul(10).and_then(|m| m.checked_add(i64::from(d - b'0'))).ok_or_else(overflow)?;
    }
    minor = minor.checked_mul(scale).ok_or_else(overflow)?;
    let frac_bytes = frac.as_bytes();
    let mut frac_minor: i64 = 0;
    for i in 0..exponent as usize {
        let d = frac_bytes.get(i).map_or(0, |b| i64::from(b - b'0'));
        frac_minor = frac_minor * 10 + d;
    }
    if frac_bytes.get(exponent as usize).is_some_and(|b| *b >= b'5') {
        frac_minor += 1;
    }
    minor = minor.checked_add(frac_minor).ok_or_else(overflow)?;
    Ok(if negative { -minor } else { minor })
}

/// Splits digits-and-separators into (whole digits, fraction digits), removing thousands marks.
fn split_decimal(s: &str) -> Option<(String, &str)> {
    let last_dot = s.rfind('.');
    let last_comma = s.rfind(',');
    let decimal_at = match (last_dot, last_comma) {
        (Some(d), Some(c)) => Some(d.max(c)),
        (Some(p), None) | (None, Some(p)) => {
            let sep = s.as_bytes()[p];
            let count = s.bytes().filter(|b| *b == sep).count();
            let after = &s[p + 1..];
            let before = &s[..p];
            // "1.299.000" (several marks) and "12,990" (one mark, three digits after a short
            // whole part) group thousands; anything else is the decimal point.
            let thousands = count > 1
                || (after.len() == 3 && (1..=3).contains(&before.len()) && !before.starts_with('0'));
            (!thousands).then_some(p)
        }
        (None, None) => None,
    };
    let (whole_part, frac) = match decimal_at {
        Some(p) => (&s[..p], &s[p + 1..]),
        None => (s, ""),
    };
    if frac.contains(['.', ',']) {
        return None;
    }
    // Thousands marks inside the whole part must group exactly three digits.
    let groups: Vec<&str> = whole_part.split(['.', ',']).collect();
    if groups.len() > 1
        && (groups[0].is_empty() || groups[0].len() > 3 || groups[1..].iter().any(|g| g.len() != 3))
    {
        return None;
    }
    Some((groups.concat(), frac))
}

fn strip_currency_marks(s: &str) -> &str {
    const MARKS: [&str; 12] = ["руб.", "руб", "р.", "₽", "rub", "rur", "usd", "eur", "$", "€", "₸", "р"];
    let mut s = s.trim();
    loop {
        let before = s;
        for mark in MARKS {
            if let Some(rest) = strip_suffix_ci(s, mark) {
                s = rest.trim_end();
            }
            if let Some(rest) = strip_prefix_ci(s, mark) {
                s = rest.trim_start();
            }
        }
        if s == before {
            return s;
        }
    }
}

fn strip_suffix_ci<'a>(s: &'a str, suffix: &str) -> Option<&'a str> {
    let cut = s.len().checked_sub(suffix.len())?;
    (s.is_char_boundary(cut) && s[cut..].to_lowercase() == suffix).then(|| &s[..cut])
}

fn strip_prefix_ci<'a>(s: &'a str, prefix: &str) -> Option<&'a str> {
    let cut = prefix.len();
    (s.len() >= cut && s.is_char_boundary(cut) && s[..cut].to_lowercase() == prefix).then(|| &s[cut..])
}

#[cfg(test)]
mod tests {
    use super::*;
    use rstest::rstest;

    #[rstest]
    #[case("1 299,50", 129_950)]
    #[case("1299.5", 129_950)]
    #[case("1\u{a0}299", 129_900)]
    #[case("1\u{202f}299,00 ₽", 129_900)]
    #[case("12 990 руб.", 1_299_000)]
    #[case("₽ 990", 99_000)]
    #[case("1,299.50", 129_950)]
    #[case("1.299,50", 129_950)]
    #[case("12,990", 1_299_000)]
    #[case("1.299.000", 129_900_000)]
    #[case("0,5", 50)]
    #[case("0.125", 13)]
    #[case(",99", 99)]
    #[case("12,3456", 1235)]
    #[case("1299,995", 130_000)]
    #[case("-15,5", -1550)]
    #[case("42", 4200)]
    #[case("  7.05 RUB ", 705)]
    fn parses_real_world_amounts(#[case] input: &str, #[case] minor: i64) {
        assert_eq!(parse_minor_units(input, 2), Ok(minor), "{input}");
    }

    #[rstest]
    #[case("")]
    #[case("abc")]
    #[case("12a")]
    #[case("1,2,3")]
    #[case("1.2.3,4,5")]
    #[case("--5")]
    #[case("цена по запросу")]
    #[case("1 2 3 4x")]
    fn rejects_garbage_with_the_input_in_the_message(#[case] input: &str) {
        let err = parse_minor_units(input, 2).unwrap_err();
        assert!(err.to_string().contains(input.trim()), "{err}");
    }

    #[test]
    fn rejects_overflow() {
        assert!(matches!(parse_minor_units("999999999999999999999", 2), Err(MoneyError::Overflow(_))));
    }

    #[test]
    fn formats_grouped_with_decimal_comma() {
        assert_eq!(Money::rub(129_950).to_string(), "1 299,50 RUB");
        assert_eq!(format_minor(-5, 2), "-0,05");
        assert_eq!(format_minor(100_000_000, 2), "1 000 000,00");
    }

    #[test]
    fn currency_aliases() {
        assert_eq!("RUR".parse::<Currency>().unwrap(), Currency::RUB);
        assert_eq!("usd".parse::<Currency>().unwrap(), Currency::USD);
        assert!("rubles".parse::<Currency>().is_err());
    }

    proptest::proptest! {
        #[test]
        fn format_then_parse_round_trips(minor in -10_000_000_000i64..10_000_000_000i64) {
            proptest::prop_assert_eq!(parse_minor_units(&format_minor(minor, 2), 2), Ok(minor));
        }
    }
}
