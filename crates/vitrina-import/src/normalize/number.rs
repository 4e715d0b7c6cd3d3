//! Exact decimal numbers as suppliers write them ("1,5", "88.5", "1 500") — no floats, so a
//! converted value never picks up noise like `1499.9999`.

use std::fmt;

/// A decimal number: `mantissa × 10^-scale`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Decimal {
    /// The digits, with the sign.
    pub mantissa: i64,
    /// How many of the digits are after the decimal point.
    pub scale: u32,
}

/// At most this many digits after the point are kept; more are cut off (no supplier measures
/// weight in nanograms).
const MAX_SCALE: u32 = 9;

impl Decimal {
    /// A whole number.
    pub const fn whole(n: i64) -> Self {
        Self { mantissa: n, scale: 0 }
    }

    /// Parses a whole string as a number ("1,5", "-3", "1 500", "2.") ; `None` when anything
    /// but the number is there.
    pub fn parse(s: &str) -> Option<Self> {
        let (d, rest) = Self::parse_prefix(s)?;
        rest.trim().is_empty().then_some(d)
    }

    /// Reads a number at the start of `s` (after spaces) and returns it with the rest of the text.
    ///
    /// Either `.` or `,` is the decimal point; a space, NBSP or thin space between digits groups
    /// thousands when exactly three digits follow it ("1 500", but "10 8" stays two numbers).
    pub fn parse_prefix(s: &str) -> Option<(Self, &str)> {
        let s = s.trim_start();
        let (negative, body) = if let Some(rest) = s.strip_prefix('-') {
            (true, rest)
        } else if let Some(rest) = s.strip_prefix('−') {
            (true, rest)
        } else {
            (false, s.strip_prefix('+').unwrap_or(s))
        };
        let bytes = body.as_bytes();
        let mut mantissa: i64 = 0;
        let mut scale: u32 = 0;
        let mut digits = 0usize;
        let mut in_fraction = false;
        let mut i = 0;
        while i < bytes.len() {
            let b = bytes[i];
            if b.is_ascii_digit() {
                if !in_fraction || scale < MAX_SCALE {
                    mantissa = mantissa.checked_mul(10)?.checked_add(i64::from(b - b'0'))?;
                    if in_fraction {
                        scale += 1;
                    }
                }
                digits += 1;
                i += 1;
            } else if (b == b'.' || b == b',')
                && !in_fraction
                && digits > 0
                && bytes.get(i + 1).is_some_and(u8::is_ascii_digit)
            {
                in_fraction = true;
                i += 1;
            } else if !in_fraction && digits > 0 {
                match group_separator_len(&body[i..]) {
                    Some(len) if three_digits_follow(&bytes[i + len..]) => i += len,
                    _ => break,
                }
            } else {
                break;
            }
        }
        if digits == 0 {
            return None;
        }
        let mantissa = if negative { -mantissa } else { mantissa };
        Some((Self { mantissa, scale }.normalized(), &body[i..]))
    }

    /// Drops trailing zeros after the point (`1.500` → `1.5`).
    pub fn normalized(mut self) -> Self {
        while self.scale > 0 && self.mantissa % 10 == 0 {
            self.mantissa /= 10;
            self.scale -= 1;
        }
        self
    }

    /// Multiplies by `10^power` (negative powers divide exactly by moving the point).
    pub fn shift(self, power: i32) -> Option<Self> {
        let mut d = self;
        if power >= 0 {
            let mut p = power.unsigned_abs();
            let absorbed = p.min(d.scale);
            d.scale -= absorbed;
            p -= absorbed;
            d.mantissa = d.mantissa.checked_mul(10i64.checked_pow(p)?)?;
        } else {
            d.scale += power.unsigned_abs();
            if d.scale > 18 {
                return None;
            }
        }
        Some(d.normalized())
    }

    /// Rounds to a whole number, halves away from zero.
    pub fn round(self) -> i64 {
        if self.scale == 0 {
            return self.mantissa;
        }
        let Some(div) = 10i64.checked_pow(self.scale) else {
            return 0;
        };
        let q = self.mantissa / div;
        let r = (self.mantissa % div).unsigned_abs();
        if r * 2 >= div.unsigned_abs() { q + self.mantissa.signum() } else { q }
    }

    /// True for a value below zero.
    pub fn is_negative(self) -> bool {
        self.mantissa < 0
    }
}

impl fmt::Display for Decimal {
    /// `1500`, `1.5`, `-0.25`: a dot, no exponent, no trailing zeros after normalising.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.scale == 0 {
            return write!(f, "{}", self.mantissa);
        }
        let sign = if self.mantissa < 0 { "-" } else { "" };
        let abs = self.mantissa.unsigned_abs();
        let div = 10u64.pow(self.scale);
        write!(f, "{sign}{}.{:0width$}", abs / div, abs % div, width = self.scale as usize)
    }
}

fn group_separator_len(s: &str) -> Option<usize> {
    let c = s.chars().next()?;
    matches!(c, ' ' | '\u{a0}' | '\u{202f}' | '\u{2009}').then(|| c.len_utf8())
}

fn three_digits_follow(b: &[u8]) -> bool {
    b.len() >= 3 && b[..3].iter().all(u8::is_ascii_digit) && !b.get(3).is_some_and(u8::is_ascii_digit)
}

#[cfg(test)]
mod tests {
    use super::*;
    use rstest::rstest;

    #[rstest]
    #[case("1,5", 15, 1)]
    #[case("1.5", 15, 1)]
    #[case(" 88.50 ", 885, 1)]
    #[case("1 500", 1500, 0)]
    #[case("1\u{a0}500,25", 150025, 2)]
    #[case("-3", -3, 0)]
    #[case("−0,25", -25, 2)]
    #[case("+7", 7, 0)]
    #[case("2.000", 2, 0)]
    fn parses(#[case] input: &str, #[case] mantissa: i64, #[case] scale: u32) {
        assert_eq!(Decimal::parse(input), Some(Decimal { mantissa, scale }));
    }

    #[rstest]
    #[case("")]
    #[case("abc")]
    #[case("1,5 кг")]
    #[case("1.2.3")]
    #[case(",5")]
    #[case("99999999999999999999")]
    fn rejects(#[case] input: &str) {
        assert_eq!(Decimal::parse(input), None);
    }

    #[test]
    fn prefix_leaves_the_rest() {
        let (d, rest) = Decimal::parse_prefix("10 8").unwrap();
        assert_eq!((d, rest), (Decimal::whole(10), " 8"));
        let (d, rest) = Decimal::parse_prefix("1,5кг").unwrap();
        assert_eq!((d.to_string().as_str(), rest), ("1.5", "кг"));
        let (d, rest) = Decimal::parse_prefix("15, диаметр").unwrap();
        assert_eq!((d, rest), (Decimal::whole(15), ", диаметр"));
    }

    #[rstest]
    #[case("1.5", 3, "1500")]
    #[case("1,25", 1, "12.5")]
    #[case("250", -3, "0.25")]
    #[case("0.001", 3, "1")]
    #[case("7", 0, "7")]
    fn shifts_exactly(#[case] input: &str, #[case] power: i32, #[case] out: &str) {
        assert_eq!(Decimal::parse(input).unwrap().shift(power).unwrap().to_string(), out);
    }

    #[rstest]
    #[case("2.5", 3)]
    #[case("2.49", 2)]
    #[case("-2.5", -3)]
    #[case("0.5", 1)]
    #[case("12", 12)]
    fn rounds_half_away_from_zero(#[case] input: &str, #[case] out: i64) {
        assert_eq!(Decimal::parse(input).unwrap().round(), out);
    }
}
