//! EAN-13 and EAN-8 as bars: the GS1 symbol built module by module (start, middle and end
//! guards; the left half in sets A and B with the parity pattern the first digit selects, the
//! right half in set C) and drawn as filled rectangles with the digits below.
//!
//! A UPC-A code is an EAN-13 whose first digit is 0, and is drawn as one.

use vitrina_domain::barcode::gtin_check_digit;

use super::draw::{Drawing, Rgb, Style};
use super::fonts::{Fonts, Weight};

/// Set A (odd parity) patterns of the digits 0–9, 1 = a dark module. Set C is A inverted, set B
/// is C reversed.
const SET_A: [&str; 10] = [
    "0001101", "0011001", "0010011", "0111101", "0100011", "0110001", "0101111", "0111011", "0110111",
    "0001011",
];

/// Which set (A or B) encodes each of the six left digits of an EAN-13, by the first digit.
const PARITY: [&str; 10] =
    ["AAAAAA", "AABABB", "AABBAB", "AABBBA", "ABAABB", "ABBAAB", "ABBBAA", "ABABAB", "ABABBA", "ABBABA"];

const SIDE_GUARD: &str = "101";
const MIDDLE_GUARD: &str = "01010";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Symbology {
    Ean13,
    Ean8,
}

/// A valid EAN code and its modules.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Ean {
    symbology: Symbology,
    digits: String,
    /// One per module, left to right: 95 for EAN-13, 67 for EAN-8.
    modules: Vec<bool>,
}

impl Ean {
    /// `code` (13, 12 or 8 digits; spaces and dashes ignored) if its check digit is right.
    pub(crate) fn parse(code: &str) -> Option<Ean> {
        let mut digits: String = code.chars().filter(|c| !matches!(c, ' ' | '-' | '\u{a0}')).collect();
        if !digits.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        if digits.len() == 12 {
            digits.insert(0, '0');
        }
        let values: Vec<u8> = digits.bytes().map(|b| b - b'0').collect();
        let (symbology, modules) = match values.len() {
            13 => (Symbology::Ean13, ean13_modules(&values)),
            8 => (Symbology::Ean8, ean8_modules(&values)),
            _ => return None,
        };
        let (body, check) = values.split_at(values.len() - 1);
        (gtin_check_digit(body) == check[0]).then_some(Ean { symbology, digits, modules })
    }

    #[cfg(test)]
    fn digits(&self) -> &str {
        &self.digits
    }

    /// The modules as "10100…", for tests and logs.
    #[cfg(test)]
    fn module_string(&self) -> String {
        self.modules.iter().map(|dark| if *dark { '1' } else { '0' }).collect()
    }

    /// True for the modules of the three guards, whose bars reach down between the digits.
    fn is_guard(&self, module: usize) -> bool {
        let middle = self.modules.len() / 2 - 2;
        module < 3 || module >= self.modules.len() - 3 || (middle..middle + 5).contains(&module)
    }

    /// Where the digits are printed: a quiet zone of 11 modules before an EAN-13 (its first digit
    /// stands there) and 7 after; 7 on both sides of an EAN-8.
    fn quiet_zones(&self) -> (usize, usize) {
        match self.symbology {
            Symbology::Ean13 => (11, 7),
            Symbology::Ean8 => (7, 7),
        }
    }

    /// Width and height in points of the symbol drawn with modules `module` points wide,
    /// quiet zones and digits included.
    pub(crate) fn size(&self, module: f32) -> (f32, f32) {
        let (before, after) = self.quiet_zones();
        ((before + self.modules.len() + after) as f32 * module, (BAR_HEIGHT + DIGITS_HEIGHT) * module)
    }

    /// Draws the symbol with its top left corner (quiet zone included) at (`x`, `y`).
    pub(crate) fn draw(&self, drawing: &mut Drawing, fonts: &Fonts, x: f32, y: f32, module: f32) {
        let (before, _) = self.quiet_zones();
        let left = x + before as f32 * module;
        let mut start = 0;
        while start < self.modules.len() {
            let dark = self.modules[start];
            let guard = self.is_guard(start);
            let mut end = start + 1;
            while end < self.modules.len() && self.modules[end] == dark && self.is_guard(end) == guard {
                end += 1;
            }
            if dark {
                let height = if guard { BAR_HEIGHT + GUARD_EXTRA } else { BAR_HEIGHT } * module;
                let bar_x = left + start as f32 * module;
                drawing.rect(bar_x, y, (end - start) as f32 * module, height, Rgb::BLACK);
            }
            start = end;
        }

        let style = Style::new(Weight::Regular, DIGIT_SIZE * module, Rgb::BLACK);
        let baseline = y + (BAR_HEIGHT + DIGITS_HEIGHT - 1.5) * module;
        let half = (self.modules.len() - 11) / 2;
        let (lead, left_digits, right_digits) = match self.symbology {
            Symbology::Ean13 => (Some(&self.digits[..1]), &self.digits[1..7], &self.digits[7..]),
            Symbology::Ean8 => (None, &self.digits[..4], &self.digits[4..]),
        };
        if let Some(lead) = lead {
            drawing.text_right(fonts, left - 2.0 * module, baseline, style, lead);
        }
        let left_center = left + (3.0 + half as f32 / 2.0) * module;
        let right_center = left + (8.0 + half as f32 * 1.5) * module;
        drawing.text_center(fonts, left_center, baseline, style, left_digits);
        drawing.text_center(fonts, right_center, baseline, style, right_digits);
    }
}

/// Heights in modules: bars, how much further the guards reach, the band of digits below.
const BAR_HEIGHT: f32 = 55.0;
const GUARD_EXTRA: f32 = 5.0;
const DIGITS_HEIGHT: f32 = 11.0;
const DIGIT_SIZE: f32 = 10.0;

fn push(modules: &mut Vec<bool>, pattern: &str) {
    modules.extend(pattern.bytes().map(|b| b == b'1'));
}

/// The pattern of `digit` in set A, B or C.
fn pattern(set: u8, digit: u8) -> String {
    let a = SET_A[usize::from(digit)];
    let c = a.bytes().map(|b| if b == b'1' { '0' } else { '1' });
    match set {
        b'A' => a.to_string(),
        b'B' => c.rev().collect(),
        _ => c.collect(),
    }
}

fn ean13_modules(digits: &[u8]) -> Vec<bool> {
    let mut modules = Vec::with_capacity(95);
    push(&mut modules, SIDE_GUARD);
    for (set, digit) in PARITY[usize::from(digits[0])].bytes().zip(&digits[1..7]) {
        push(&mut modules, &pattern(set, *digit));
    }
    push(&mut modules, MIDDLE_GUARD);
    for digit in &digits[7..] {
        push(&mut modules, &pattern(b'C', *digit));
    }
    push(&mut modules, SIDE_GUARD);
    modules
}

fn ean8_modules(digits: &[u8]) -> Vec<bool> {
    let mut modules = Vec::with_capacity(67);
    push(&mut modules, SIDE_GUARD);
    for digit in &digits[..4] {
        push(&mut modules, &pattern(b'A', *digit));
    }
    push(&mut modules, MIDDLE_GUARD);
    for digit in &digits[4..] {
        push(&mut modules, &pattern(b'C', *digit));
    }
    push(&mut modules, SIDE_GUARD);
    modules
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ean13_modules_follow_the_gs1_tables() {
        // 4006381333931: the first digit 4 selects sets A B A A B B for 006381; 333931 is in set C.
        let ean = Ean::parse("4006381333931").unwrap();
        assert_eq!(ean.symbology, Symbology::Ean13);
        assert_eq!(
            ean.module_string(),
            concat!(
                "101", "0001101", "0100111", "0101111", "0111101", "0001001", "0110011", "01010", "1000010",
                "1000010", "1000010", "1110100", "1000010", "1100110", "101"
            )
        );
        assert_eq!(ean.modules.len(), 95);
    }

    #[test]
    fn ean8_modules_follow_the_gs1_tables() {
        let ean = Ean::parse("96385074").unwrap();
        assert_eq!(ean.symbology, Symbology::Ean8);
        assert_eq!(
            ean.module_string(),
            "1010001011010111101111010110111010101001110111001010001001011100101"
        );
    }

    #[test]
    fn a_first_digit_of_zero_keeps_every_left_digit_in_set_a() {
        // UPC-A 036000291452 is the EAN-13 0036000291452.
        let upc = Ean::parse("036000291452").unwrap();
        assert_eq!(upc.digits(), "0036000291452");
        let left: String = upc.module_string()[3..45].to_string();
        let expected: String = "036000".bytes().map(|d| SET_A[usize::from(d - b'0')]).collect();
        assert_eq!(left, expected);
    }

    #[test]
    fn codes_that_are_not_ean_are_refused() {
        for code in ["4006381333932", "400638133393", "12345", "", "4006381333931x", "9638507"] {
            assert_eq!(Ean::parse(code), None, "{code}");
        }
        assert_eq!(Ean::parse("4006381 333931").map(|e| e.digits), Some("4006381333931".to_string()));
    }

    #[test]
    fn bars_are_the_dark_runs_and_guards_reach_lower() {
        let fonts = Fonts::load().unwrap();
        let ean = Ean::parse("4006381333931").unwrap();
        let mut drawing = Drawing::default();
        ean.draw(&mut drawing, &fonts, 0.0, 0.0, 1.0);
        let dark_runs = ean.module_string().split('0').filter(|run| !run.is_empty()).count();
        // Each guard bar is a run of its own; 30 bars in every EAN-13.
        let bars =
            drawing.ops(0).iter().filter(|op| matches!(op, super::super::draw::Op::Rect { .. })).count();
        assert_eq!((dark_runs, bars), (30, 30));
        assert_eq!(ean.size(1.0), (113.0, 66.0));
    }
}
