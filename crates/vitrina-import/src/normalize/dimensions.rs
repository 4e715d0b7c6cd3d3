//! Sizes written as text: "10.5/8/3", "10×8×3 см", "10х8х3" (Cyrillic х), "10*8*3 cm",
//! "88,5x65,7x92,8" under a "см" header, "длина 15 см, диаметр 3–4 см".
//!
//! Numbers without a label take the axes in the order the header names them ("(ШxВxГ)") or
//! length, width, height. A unit after a number applies to it and to the unlabelled numbers
//! before it that have none ("10x8x3 см"); numbers with no unit at all take the default unit
//! (the mapping's, the header's, or centimetres for YML `dimensions`).

use std::fmt;

use vitrina_domain::Dimensions;

use super::number::Decimal;
use super::units::{Quantity, Unit, to_whole_u32};

/// One side of an item, in millimetres; a range ("3–4 см") keeps both ends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Measure {
    pub min_mm: u32,
    pub max_mm: u32,
}

impl Measure {
    /// A single value.
    pub const fn exact(mm: u32) -> Self {
        Self { min_mm: mm, max_mm: mm }
    }
}

/// Which side a number describes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Axis {
    Length,
    Width,
    Height,
    Depth,
    Diameter,
}

/// Every side found in a size text.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ParsedDimensions {
    pub length: Option<Measure>,
    pub width: Option<Measure>,
    pub height: Option<Measure>,
    pub depth: Option<Measure>,
    pub diameter: Option<Measure>,
}

impl ParsedDimensions {
    fn slot(&mut self, axis: Axis) -> &mut Option<Measure> {
        match axis {
            Axis::Length => &mut self.length,
            Axis::Width => &mut self.width,
            Axis::Height => &mut self.height,
            Axis::Depth => &mut self.depth,
            Axis::Diameter => &mut self.diameter,
        }
    }

    /// The outer box (the larger end of ranges): depth stands in for a missing length, a
    /// diameter for a missing width and height (a cylinder's box). `None` unless all three
    /// sides are known.
    pub fn to_box(&self) -> Option<Dimensions> {
        let length = self.length.or(self.depth)?.max_mm;
        let width = self.width.or(self.diameter)?.max_mm;
        let height = self.height.or(self.diameter).or(self.depth.filter(|_| self.length.is_some()))?.max_mm;
        Some(Dimensions { length_mm: length, width_mm: width, height_mm: height })
    }
}

/// Why a size text could not be read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DimensionError {
    NoNumbers,
    NoUnit,
    NotALength,
    TooManyNumbers,
    OutOfRange,
}

impl fmt::Display for DimensionError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            DimensionError::NoNumbers => "no sizes found (expected e.g. 30x20x10 см)",
            DimensionError::NoUnit => {
                "the sizes have no unit (write e.g. «30x20x10 см» or put the unit in the header)"
            }
            DimensionError::NotALength => "the unit is not a length (expected мм, см or м)",
            DimensionError::TooManyNumbers => {
                "more than three sizes without names (expected length x width x height)"
            }
            DimensionError::OutOfRange => "a size is negative or too large",
        })
    }
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Tok<'a> {
    Num(Decimal),
    Word(&'a str),
    Sep,
    Dash,
    Punct,
}

fn tokenize<'a>(text: &'a str, mut each: impl FnMut(Tok<'a>)) {
    let mut rest = text;
    while let Some(c) = rest.chars().next() {
        if c.is_ascii_digit() {
            match Decimal::parse_prefix(rest) {
                Some((n, after)) => {
                    each(Tok::Num(n));
                    rest = after;
                }
                None => rest = &rest[1..],
            }
            continue;
        }
        let len = c.len_utf8();
        if c.is_alphabetic() || c == '⌀' {
            let end =
                rest.find(|ch: char| !(ch.is_alphabetic() || ch == '⌀' || ch == '³')).unwrap_or(rest.len());
            let word = &rest[..end.max(len)];
            // "10x8" and "10х8": a lone x between numbers separates them.
            if matches!(word, "x" | "X" | "х" | "Х") {
                each(Tok::Sep);
            } else {
                each(Tok::Word(word));
            }
            rest = &rest[word.len()..];
            continue;
        }
        match c {
            '/' | '*' | '×' | '✕' | '⨯' | '\\' => each(Tok::Sep),
            '-' | '–' | '—' | '‒' | '−' => each(Tok::Dash),
            ',' | ';' | ':' | '|' => each(Tok::Punct),
            _ => {}
        }
        rest = &rest[len..];
    }
}

fn label(word: &str) -> Option<Axis> {
    let lower = word.to_lowercase();
    Some(match lower.as_str() {
        "длина" | "длинна" | "дл" | "д" | "length" | "len" | "l" => Axis::Length,
        "ширина" | "шир" | "ш" | "width" | "w" => Axis::Width,
        "высота" | "выс" | "в" | "height" | "h" => Axis::Height,
        "глубина" | "гл" | "г" | "depth" => Axis::Depth,
        "диаметр" | "диам" | "d" | "ø" | "⌀" | "diameter" => Axis::Diameter,
        _ => return None,
    })
}

/// The axis order a header announces: "Габариты (ДxШxВ), см", "ШхВхГ", "Length x Width x Height".
pub fn header_axis_order(header: &str) -> Option<[Axis; 3]> {
    let segment = match (header.find('('), header.rfind(')')) {
        (Some(open), Some(close)) if open < close => &header[open + 1..close],
        _ => header.split(',').next().unwrap_or(header),
    };
    let mut axes = [Axis::Length; 3];
    let mut n = 0;
    for part in segment.split(['x', 'X', 'х', 'Х', '×', '*', '/', '✕']) {
        let part = part.trim();
        let axis = label(part.rsplit(' ').next().unwrap_or(part))?;
        if n == 3 || axes[..n].contains(&axis) {
            return None;
        }
        axes[n] = axis;
        n += 1;
    }
    (n == 3).then_some(axes)
}

struct Pending {
    axis: Option<Axis>,
    min: Decimal,
    max: Decimal,
    unit: Option<Unit>,
}

/// Reads a size text. `default_unit` applies to numbers written without one; `order` is the
/// axis order for unlabelled numbers (default length, width, height).
pub fn parse_dimensions(
    text: &str,
    default_unit: Option<Unit>,
    order: Option<[Axis; 3]>,
) -> Result<ParsedDimensions, DimensionError> {
    let mut measures: Vec<Pending> = Vec::with_capacity(3);
    let mut label_next: Option<Axis> = None;
    // A dash right after a number opens a range the next number closes ("3–4 см").
    let mut range_open = false;
    let mut after_num = false;
    let mut unit_from = 0usize;
    let mut bad_unit = false;
    let mut toks: Vec<Tok<'_>> = Vec::with_capacity(8);
    tokenize(text, |t| toks.push(t));
    for (i, tok) in toks.iter().enumerate() {
        match *tok {
            Tok::Num(n) => {
                match measures.last_mut() {
                    Some(last) if range_open => last.max = n,
                    _ => measures.push(Pending { axis: label_next.take(), min: n, max: n, unit: None }),
                }
                range_open = false;
                after_num = true;
            }
            Tok::Word(w) => {
                let next_is_num = match toks.get(i + 1) {
                    Some(Tok::Num(_)) => true,
                    Some(Tok::Punct) => matches!(toks.get(i + 2), Some(Tok::Num(_))),
                    _ => false,
                };
                range_open = false;
                if next_is_num && let Some(axis) = label(w) {
                    label_next = Some(axis);
                    after_num = false;
                } else if let Some(unit) = Unit::parse(w) {
                    bad_unit |= unit.quantity != Quantity::Length;
                    for m in &mut measures[unit_from..] {
                        m.unit.get_or_insert(unit);
                    }
                    unit_from = measures.len();
                } else {
                    // Other words ("примерно", "упаковка") are noise.
                    after_num = false;
                }
            }
            Tok::Dash => {
                range_open = after_num;
                after_num = false;
            }
            Tok::Sep | Tok::Punct => {
                range_open = false;
                after_num = false;
            }
        }
    }
    if measures.is_empty() {
        return Err(DimensionError::NoNumbers);
    }
    if bad_unit {
        return Err(DimensionError::NotALength);
    }
    let order = order.unwrap_or([Axis::Length, Axis::Width, Axis::Height]);
    let mut next_axis = order.iter();
    let mut out = ParsedDimensions::default();
    for m in measures {
        let unit = m.unit.or(default_unit).ok_or(DimensionError::NoUnit)?;
        if unit.quantity != Quantity::Length {
            return Err(DimensionError::NotALength);
        }
        let axis = match m.axis {
            Some(a) => a,
            None => *next_axis.next().ok_or(DimensionError::TooManyNumbers)?,
        };
        let to_mm =
            |d: Decimal| unit.to_canonical(d).and_then(to_whole_u32).ok_or(DimensionError::OutOfRange);
        let (a, b) = (to_mm(m.min)?, to_mm(m.max)?);
        *out.slot(axis) = Some(Measure { min_mm: a.min(b), max_mm: a.max(b) });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use rstest::rstest;

    const CM: Option<Unit> = Some(Unit::CENTIMETRE);

    fn boxed(l: u32, w: u32, h: u32) -> Option<Dimensions> {
        Some(Dimensions { length_mm: l, width_mm: w, height_mm: h })
    }

    #[rstest]
    #[case("10.5/8/3", CM, boxed(105, 80, 30))]
    #[case("10×8×3 см", None, boxed(100, 80, 30))]
    #[case("10x8x3", CM, boxed(100, 80, 30))]
    #[case("10х8х3 мм", CM, boxed(10, 8, 3))]
    #[case("10*8*3 cm", None, boxed(100, 80, 30))]
    #[case("10 x 8 x 3 см", None, boxed(100, 80, 30))]
    #[case("88,5x65,7x92,8", CM, boxed(885, 657, 928))]
    #[case("32/20/12", CM, boxed(320, 200, 120))]
    #[case("0.3x0.2x0.1 м", CM, boxed(300, 200, 100))]
    #[case("10 см x 80 мм x 3 см", None, boxed(100, 80, 30))]
    #[case("длина 15 см, диаметр 3–4 см", None, boxed(150, 40, 40))]
    #[case("Длина: 20 см; ширина: 10 см; высота: 5 см", None, boxed(200, 100, 50))]
    #[case("ширина 10, высота 5, длина 20", CM, boxed(200, 100, 50))]
    #[case("101,6x47,6x89,3", CM, boxed(1016, 476, 893))]
    #[case("30x20", CM, None)]
    fn reads_boxes(#[case] text: &str, #[case] unit: Option<Unit>, #[case] expected: Option<Dimensions>) {
        assert_eq!(parse_dimensions(text, unit, None).unwrap().to_box(), expected, "{text}");
    }

    #[test]
    fn ranges_keep_both_ends() {
        let d = parse_dimensions("длина 15 см, диаметр 3–4 см", None, None).unwrap();
        assert_eq!(d.length, Some(Measure::exact(150)));
        assert_eq!(d.diameter, Some(Measure { min_mm: 30, max_mm: 40 }));
        let d = parse_dimensions("высота 40 - 35 см", None, None).unwrap();
        assert_eq!(d.height, Some(Measure { min_mm: 350, max_mm: 400 }));
    }

    #[test]
    fn header_order_rearranges_unlabelled_numbers() {
        let order = header_axis_order("Размеры (ШxВxГ), см");
        assert_eq!(order, Some([Axis::Width, Axis::Height, Axis::Depth]));
        let d = parse_dimensions("60x85x50", CM, order).unwrap();
        assert_eq!(d.to_box(), boxed(500, 600, 850));
        assert_eq!(
            header_axis_order("Габариты (ДxШxВ), см"),
            Some([Axis::Length, Axis::Width, Axis::Height])
        );
        assert_eq!(
            header_axis_order("Length x Width x Height"),
            Some([Axis::Length, Axis::Width, Axis::Height])
        );
        assert_eq!(header_axis_order("Габариты, см"), None);
    }

    #[rstest]
    #[case("", CM, DimensionError::NoNumbers)]
    #[case("большой", CM, DimensionError::NoNumbers)]
    #[case("10x8x3", None, DimensionError::NoUnit)]
    #[case("10x8x3 кг", None, DimensionError::NotALength)]
    #[case("1x2x3x4", CM, DimensionError::TooManyNumbers)]
    #[case("99999999999x1x1 м", None, DimensionError::OutOfRange)]
    fn refuses_what_it_cannot_read(
        #[case] text: &str,
        #[case] unit: Option<Unit>,
        #[case] err: DimensionError,
    ) {
        assert_eq!(parse_dimensions(text, unit, None), Err(err));
    }
}
