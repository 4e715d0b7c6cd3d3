//! Barcodes: EAN-13, EAN-8 and UPC-A with check-digit validation.

use std::fmt;

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum BarcodeKind {
    Ean13,
    Ean8,
    UpcA,
}

/// A validated retail barcode (digits only).
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Barcode(String);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BarcodeError {
    #[error("barcode \"{0}\" must contain only digits")]
    NotDigits(String),
    #[error("barcode \"{0}\" has {1} digits; EAN-13 has 13, UPC-A 12, EAN-8 8")]
    WrongLength(String, usize),
    #[error("barcode \"{code}\" has a wrong check digit (expected {expected})")]
    CheckDigit { code: String, expected: u8 },
}

impl Barcode {
    /// Validates a barcode; spaces and dashes some suppliers put in are ignored.
    pub fn parse(input: &str) -> Result<Self, BarcodeError> {
        let code: String = input.chars().filter(|c| !matches!(c, ' ' | '-' | '\u{a0}')).collect();
        if code.is_empty() || !code.bytes().all(|b| b.is_ascii_digit()) {
            return Err(BarcodeError::NotDigits(input.trim().to_string()));
        }
        if !matches!(code.len(), 8 | 12 | 13) {
            return Err(BarcodeError::WrongLength(input.trim().to_string(), code.len()));
        }
        let digits: Vec<u8> = code.bytes().map(|b| b - b'0').collect();
        let (body, check) = digits.split_at(digits.len() - 1);
        let expected = gtin_check_digit(body);
        if check[0] != expected {
            return Err(BarcodeError::CheckDigit { code, expected });
        }
        Ok(Barcode(code))
    }

    pub fn kind(&self) -> BarcodeKind {
        match self.0.len() {
            13 => BarcodeKind::Ean13,
            12 => BarcodeKind::UpcA,
            _ => BarcodeKind::Ean8,
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// GS1 check digit: weights 3 and 1 alternate from the rightmost body digit.
pub fn gtin_check_digit(body: &[u8]) -> u8 {
    let sum: u32 =
        body.iter().rev().enumerate().map(|(i, d)| u32::from(*d) * if i % 2 == 0 { 3 } else { 1 }).sum();
    ((10 - sum % 10) % 10) as u8
}

impl fmt::Display for Barcode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl fmt::Debug for Barcode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Barcode({})", self.0)
    }
}

impl TryFrom<String> for Barcode {
    type Error = BarcodeError;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        Barcode::parse(&s)
    }
}

impl From<Barcode> for String {
    fn from(b: Barcode) -> String {
        b.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rstest::rstest;

    #[rstest]
    #[case("4006381333931", BarcodeKind::Ean13)]
    #[case("4600702009149", BarcodeKind::Ean13)]
    #[case("96385074", BarcodeKind::Ean8)]
    #[case("036000291452", BarcodeKind::UpcA)]
    #[case("4006-3813 33931", BarcodeKind::Ean13)]
    fn accepts_valid(#[case] code: &str, #[case] kind: BarcodeKind) {
        assert_eq!(Barcode::parse(code).unwrap().kind(), kind);
    }

    #[rstest]
    #[case("4006381333932", "check digit (expected 1)")]
    #[case("96385075", "check digit (expected 4)")]
    #[case("12345", "has 5 digits")]
    #[case("40063813339a1", "only digits")]
    #[case("", "only digits")]
    fn rejects_invalid_naming_the_value(#[case] code: &str, #[case] reason: &str) {
        let err = Barcode::parse(code).unwrap_err().to_string();
        assert!(err.contains(reason), "{err}");
        assert!(err.contains(code.trim()), "{err}");
    }
}
