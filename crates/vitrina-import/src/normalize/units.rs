//! Units of measure to the catalog's canonical ones: grams, millimetres, millilitres.
//!
//! Only units that are an exact power of ten of the canonical one are converted, so results stay
//! exact decimals; anything else (inches, months, °C, ГБ) is kept as the supplier wrote it.

use std::borrow::Cow;

use vitrina_domain::Attribute;

use super::number::Decimal;

/// What a canonical unit measures.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Quantity {
    /// Grams (`g`).
    Mass,
    /// Millimetres (`mm`).
    Length,
    /// Millilitres (`ml`).
    Volume,
}

impl Quantity {
    /// The canonical unit's symbol stored in the catalog.
    pub fn symbol(self) -> &'static str {
        match self {
            Quantity::Mass => "g",
            Quantity::Length => "mm",
            Quantity::Volume => "ml",
        }
    }
}

/// A recognised unit: the quantity and the power of ten that turns it into the canonical unit
/// (`кг` = Mass × 10³).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Unit {
    pub quantity: Quantity,
    pub power: i32,
}

impl Unit {
    pub const GRAM: Unit = Unit { quantity: Quantity::Mass, power: 0 };
    pub const KILOGRAM: Unit = Unit { quantity: Quantity::Mass, power: 3 };
    pub const MILLIMETRE: Unit = Unit { quantity: Quantity::Length, power: 0 };
    pub const CENTIMETRE: Unit = Unit { quantity: Quantity::Length, power: 1 };
    pub const MILLILITRE: Unit = Unit { quantity: Quantity::Volume, power: 0 };

    /// Recognises a unit as written in Russian or English price lists, ignoring case, spaces and
    /// a trailing dot ("кг", "Kg", "гр.", "см", "литров", "ml").
    pub fn parse(text: &str) -> Option<Unit> {
        let t = text.trim().trim_end_matches('.').trim();
        if t.is_empty() || t.len() > 24 {
            return None;
        }
        let lower: Cow<'_, str> = if t.is_ascii() {
            if t.bytes().any(|b| b.is_ascii_uppercase()) {
                Cow::Owned(t.to_ascii_lowercase())
            } else {
                Cow::Borrowed(t)
            }
        } else if t.chars().any(char::is_uppercase) {
            Cow::Owned(t.to_lowercase())
        } else {
            Cow::Borrowed(t)
        };
        let (quantity, power) = match lower.as_ref() {
            "мг" | "mg" | "миллиграмм" => (Quantity::Mass, -3),
            "г" | "гр" | "грамм" | "грамма" | "граммов" | "g" | "gr" | "gram" | "grams" => {
                (Quantity::Mass, 0)
            }
            "кг" | "kg" | "килограмм" | "килограмма" | "килограммов" | "kilogram" | "kilograms" => {
                (Quantity::Mass, 3)
            }
            "т" | "тонна" | "тонн" | "t" => (Quantity::Mass, 6),
            "мм" | "mm" | "миллиметр" | "миллиметров" => (Quantity::Length, 0),
            "см" | "cm" | "сантиметр" | "сантиметров" => (Quantity::Length, 1),
            "дм" | "dm" => (Quantity::Length, 2),
            "м" | "m" | "метр" | "метра" | "метров" => (Quantity::Length, 3),
            "мл" | "ml" | "миллилитр" | "миллилитров" => (Quantity::Volume, 0),
            "сл" | "cl" => (Quantity::Volume, 1),
            "дл" | "dl" => (Quantity::Volume, 2),
            "л" | "l" | "lt" | "ltr" | "литр" | "литра" | "литров" => (Quantity::Volume, 3),
            "м3" | "м³" | "m3" | "m³" | "куб.м" | "куб. м" => (Quantity::Volume, 6),
            _ => return None,
        };
        Some(Unit { quantity, power })
    }

    /// Converts `value` (in this unit) to the canonical unit, exactly.
    pub fn to_canonical(self, value: Decimal) -> Option<Decimal> {
        value.shift(self.power)
    }
}

/// Splits the unit off a column header: `"Вес брутто, кг"` → (`"Вес брутто"`, `Some("кг")`),
/// `"Объем (мл)"` → (`"Объем"`, `Some("мл")`). A trailing comma part counts as a unit when it is
/// short and has no digits ("Цена, руб." → "руб."); a part in parentheses only when it is a
/// recognised unit, so "Габариты (ДxШxВ), см" keeps its parentheses.
pub fn split_header_unit(header: &str) -> (&str, Option<&str>) {
    let h = header.trim();
    if let Some(pos) = h.rfind(',') {
        let unit = h[pos + 1..].trim();
        if !unit.is_empty() && unit.chars().count() <= 12 && !unit.chars().any(|c| c.is_ascii_digit()) {
            return (h[..pos].trim_end(), Some(unit));
        }
    }
    if let Some(body) = h.strip_suffix(')')
        && let Some(open) = body.rfind('(')
    {
        let unit = body[open + 1..].trim();
        if Unit::parse(unit).is_some() {
            return (body[..open].trim_end(), Some(unit));
        }
    }
    (h, None)
}

/// Builds a characteristic, converting a recognised unit to the canonical one.
///
/// The unit comes from `unit` (the param's `unit`, the mapping or the header) or, when none is
/// given, from the value itself ("1,5 кг"). A numeric value with a recognised unit becomes the
/// canonical unit and an exact decimal ("1,5 кг" → `1500` g); anything else is kept as written.
pub fn attribute(name: &str, unit: Option<&str>, value: &str) -> Attribute {
    let value = value.trim();
    let unit = unit.map(str::trim).filter(|u| !u.is_empty());
    if let Some((quantity, converted)) = convert(unit, value) {
        return Attribute {
            name: name.trim().to_owned(),
            value: converted.to_string(),
            unit: Some(quantity.symbol().to_owned()),
        };
    }
    Attribute { name: name.trim().to_owned(), value: value.to_owned(), unit: unit.map(str::to_owned) }
}

/// Reads `value` with an optional unit (falling back to a unit written after the number) and
/// converts it to the canonical unit; `None` when the value is not a number with a known unit.
pub fn convert(unit: Option<&str>, value: &str) -> Option<(Quantity, Decimal)> {
    let first = value.as_bytes().first()?;
    if !(first.is_ascii_digit() || matches!(first, b'-' | b'+' | 0xE2)) {
        return None;
    }
    let (number, rest) = Decimal::parse_prefix(value)?;
    let rest = rest.trim();
    let unit = match (unit, rest.is_empty()) {
        (Some(u), true) => Unit::parse(u)?,
        (None, false) => Unit::parse(rest)?,
        // "5 кг" under a header that already says "кг": only when they agree.
        (Some(u), false) => {
            let written = Unit::parse(rest)?;
            (Unit::parse(u)? == written).then_some(written)?
        }
        (None, true) => return None,
    };
    Some((unit.quantity, unit.to_canonical(number)?))
}

/// Converts to a whole number of canonical units (grams, millimetres), rounding half up;
/// `None` for negative or absurdly large values.
pub fn to_whole_u32(value: Decimal) -> Option<u32> {
    if value.is_negative() {
        return None;
    }
    u32::try_from(value.round()).ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use rstest::rstest;

    #[rstest]
    #[case("г", Quantity::Mass, 0)]
    #[case("гр.", Quantity::Mass, 0)]
    #[case("Кг", Quantity::Mass, 3)]
    #[case("kg", Quantity::Mass, 3)]
    #[case(" грамм ", Quantity::Mass, 0)]
    #[case("мм", Quantity::Length, 0)]
    #[case("см", Quantity::Length, 1)]
    #[case("CM", Quantity::Length, 1)]
    #[case("м", Quantity::Length, 3)]
    #[case("мл", Quantity::Volume, 0)]
    #[case("л", Quantity::Volume, 3)]
    #[case("L", Quantity::Volume, 3)]
    fn recognises_units(#[case] text: &str, #[case] quantity: Quantity, #[case] power: i32) {
        assert_eq!(Unit::parse(text), Some(Unit { quantity, power }));
    }

    #[rstest]
    #[case("мес")]
    #[case("°C")]
    #[case("ГБ")]
    #[case("дюйм")]
    #[case("")]
    #[case("шт")]
    fn unknown_units(#[case] text: &str) {
        assert_eq!(Unit::parse(text), None);
    }

    #[rstest]
    #[case("Вес", Some("кг"), "1,5", "1500", Some("g"))]
    #[case("Вес", Some("г"), "4936", "4936", Some("g"))]
    #[case("Вес", None, "1,5 кг", "1500", Some("g"))]
    #[case("Вес", None, "350г", "350", Some("g"))]
    #[case("Объем флакона", Some("мл"), "250", "250", Some("ml"))]
    #[case("Общий объем", Some("л"), "1.5", "1500", Some("ml"))]
    #[case("Высота", Some("см"), "128", "1280", Some("mm"))]
    #[case("Диаметр", Some("см"), "22,5", "225", Some("mm"))]
    #[case("Толщина", Some("мм"), "0,15", "0.15", Some("mm"))]
    #[case("Гарантия", Some("мес"), "6", "6", Some("мес"))]
    #[case("Температурный режим", Some("°C"), "до -35", "до -35", Some("°C"))]
    #[case("Цвет", None, "черный", "черный", None)]
    #[case("Типоразмер", None, "185/65 R15", "185/65 R15", None)]
    #[case("Размер", None, "42", "42", None)]
    #[case("Вес", Some("кг"), "около 2", "около 2", Some("кг"))]
    #[case("Вес", Some("кг"), "3 г", "3 г", Some("кг"))]
    fn attributes_get_canonical_units(
        #[case] name: &str,
        #[case] unit: Option<&str>,
        #[case] value: &str,
        #[case] out_value: &str,
        #[case] out_unit: Option<&str>,
    ) {
        let a = attribute(name, unit, value);
        assert_eq!((a.name.as_str(), a.value.as_str(), a.unit.as_deref()), (name, out_value, out_unit));
    }

    #[rstest]
    #[case("Вес брутто, кг", "Вес брутто", Some("кг"))]
    #[case("Вес, г", "Вес", Some("г"))]
    #[case("Габариты (ДxШxВ), см", "Габариты (ДxШxВ)", Some("см"))]
    #[case("Объем (мл)", "Объем", Some("мл"))]
    #[case("Размер (RU)", "Размер (RU)", None)]
    #[case("Цена, руб.", "Цена", Some("руб."))]
    #[case("Наименование", "Наименование", None)]
    #[case("Размеры, 10x20", "Размеры, 10x20", None)]
    fn header_units(#[case] header: &str, #[case] name: &str, #[case] unit: Option<&str>) {
        assert_eq!(split_header_unit(header), (name, unit));
    }

    #[test]
    fn whole_units_round_half_up_and_refuse_negatives() {
        assert_eq!(to_whole_u32(Decimal::parse("7.4445").unwrap().shift(3).unwrap()), Some(7445));
        assert_eq!(to_whole_u32(Decimal::parse("0.4").unwrap()), Some(0));
        assert_eq!(to_whole_u32(Decimal::parse("-1").unwrap()), None);
        assert_eq!(to_whole_u32(Decimal::parse("5000000000").unwrap()), None);
    }
}
