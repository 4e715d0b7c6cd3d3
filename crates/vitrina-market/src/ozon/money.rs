//! Ozon prices: decimal strings in roubles with a `.` (`"1448"`, `"1448.5"`), from and to the
//! kopecks Vitrina keeps, and the old-price gaps without which Ozon shows no discount.

use crate::precheck::{Problem, ProblemCode};

/// Kopecks in a rouble.
const RUB: i64 = 100;

/// Kopecks as Ozon's price text: whole roubles, or up to two decimals with trailing zeros
/// trimmed.
pub(super) fn format_minor(kopecks: i64) -> String {
    let sign = if kopecks < 0 { "-" } else { "" };
    let (rub, kop) = (kopecks.unsigned_abs() / 100, kopecks.unsigned_abs() % 100);
    match kop {
        0 => format!("{sign}{rub}"),
        k if k % 10 == 0 => format!("{sign}{rub}.{}", k / 10),
        k => format!("{sign}{rub}.{k:02}"),
    }
}

/// Ozon's price text (`"1448.0000"`, `"99.9"`, `""`) as kopecks; `None` for an empty or
/// unreadable one. Digits past the second decimal are cut, as Ozon keeps two.
pub(super) fn parse_minor(text: &str) -> Option<i64> {
    let text = text.trim();
    let (rub, frac) = text.split_once('.').unwrap_or((text, ""));
    if rub.is_empty() || !rub.bytes().all(|b| b.is_ascii_digit()) || !frac.bytes().all(|b| b.is_ascii_digit())
    {
        return None;
    }
    let rub: i64 = rub.parse().ok()?;
    let kop: i64 = format!("{frac:0<2}")[..2].parse().ok()?;
    rub.checked_mul(100)?.checked_add(kop)
}

/// The old price to send: `"0"` (none) when the product has none, else its text, or why Ozon
/// would not show it as a discount: the old price must exceed the price by ≥ 20 ₽ under 400 ₽,
/// by ≥ 5 % from 400 to 10 000 ₽, by ≥ 500 ₽ above.
pub(super) fn old_price(price: i64, old: Option<i64>) -> Result<String, Problem> {
    let Some(old) = old.filter(|o| *o > 0) else {
        return Ok("0".into());
    };
    let gap = old - price;
    let (ok, need) = if price < 400 * RUB {
        (gap >= 20 * RUB, "20 ₽".to_owned())
    } else if price <= 10_000 * RUB {
        (gap * 100 >= price * 5, "5 %".to_owned())
    } else {
        (gap >= 500 * RUB, "500 ₽".to_owned())
    };
    if ok {
        Ok(format_minor(old))
    } else {
        Err(Problem::new(
            ProblemCode::BadDiscount,
            "price",
            format!(
                "the old price {} ₽ must exceed the price {} ₽ by at least {need}",
                format_minor(old),
                format_minor(price)
            ),
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prices_are_roubles_with_trailing_zeros_trimmed() {
        for (kopecks, text) in [
            (144_800, "1448"),
            (144_850, "1448.5"),
            (144_805, "1448.05"),
            (5, "0.05"),
            (0, "0"),
            (-150, "-1.5"),
        ] {
            assert_eq!(format_minor(kopecks), text);
        }
    }

    #[test]
    fn ozon_price_texts_are_read_back() {
        for (text, kopecks) in
            [("1448.0000", Some(144_800)), ("99.9", Some(9_990)), ("7", Some(700)), ("0.055", Some(5))]
        {
            assert_eq!(parse_minor(text), kopecks, "{text}");
        }
        for bad in ["", "1,5", "-3", "abc", ".5"] {
            assert_eq!(parse_minor(bad), None, "{bad}");
        }
    }

    #[test]
    fn old_price_gaps_follow_the_three_price_bands() {
        let ok = |price, old| old_price(price, Some(old)).is_ok();
        assert_eq!(old_price(10_000, None).unwrap(), "0");
        assert_eq!(old_price(10_000, Some(0)).unwrap(), "0");
        // Under 400 ₽: 20 ₽.
        assert!(ok(30_000, 32_000) && !ok(30_000, 31_999));
        // 400–10 000 ₽: 5 %.
        assert!(ok(100_000, 105_000) && !ok(100_000, 104_999));
        assert!(ok(1_000_000, 1_050_000) && !ok(1_000_000, 1_049_900));
        // Above 10 000 ₽: 500 ₽, however small a share of the price that is.
        assert!(ok(5_000_000, 5_050_000) && !ok(5_000_000, 5_049_900));
        assert!(!ok(50_000, 40_000), "an old price under the price is no discount");
        let p = old_price(100_000, Some(101_000)).unwrap_err();
        assert_eq!((p.code, &*p.field), (ProblemCode::BadDiscount, "price"));
        assert!(p.detail.contains("5 %"), "{}", p.detail);
        assert_eq!(old_price(100_000, Some(150_050)).unwrap(), "1500.5");
    }
}
