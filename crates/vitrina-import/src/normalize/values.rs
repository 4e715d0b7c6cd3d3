//! Small value parsers: text, barcodes, image lists, stock, availability, pack sizes and
//! category paths.

use vitrina_domain::Barcode;

use super::number::Decimal;

/// Trims and collapses every run of whitespace (spaces, NBSP, tabs, line breaks) to one space.
pub fn clean_text(text: &str) -> String {
    if is_tidy(text.as_bytes()) {
        return text.to_owned();
    }
    let mut out = String::with_capacity(text.len());
    for word in text.split(is_space).filter(|w| !w.is_empty()) {
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(word);
    }
    out
}

/// No whitespace at the ends, no runs of it, and none but plain spaces: checked on bytes, since
/// nearly every value is already tidy.
fn is_tidy(b: &[u8]) -> bool {
    if b.first() == Some(&b' ') || b.last() == Some(&b' ') {
        return false;
    }
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b' ' if b.get(i + 1) == Some(&b' ') => return false,
            b'\t' | b'\n' | 0x0b | 0x0c | b'\r' => return false,
            // U+0085, U+00A0
            0xc2 if matches!(b.get(i + 1), Some(0x85 | 0xa0)) => return false,
            // U+1680
            0xe1 if b.get(i + 1) == Some(&0x9a) => return false,
            // U+2000–U+200A, U+2028, U+2029, U+202F, U+205F
            0xe2 if matches!(
                (b.get(i + 1), b.get(i + 2)),
                (Some(0x80), Some(0x80..=0x8a | 0xa8 | 0xa9 | 0xaf)) | (Some(0x81), Some(0x9f))
            ) =>
            {
                return false;
            }
            // U+3000, U+FEFF
            0xe3 if b.get(i + 1) == Some(&0x80) && b.get(i + 2) == Some(&0x80) => return false,
            0xef if b.get(i + 1) == Some(&0xbb) && b.get(i + 2) == Some(&0xbf) => return false,
            _ => {}
        }
        i += 1;
    }
    true
}

fn is_space(c: char) -> bool {
    c.is_whitespace() || c == '\u{a0}' || c == '\u{feff}'
}

/// Case-insensitive equality with a lowercase literal, without allocating.
pub fn eq_lower(text: &str, lower: &str) -> bool {
    if text.is_ascii() {
        return text.eq_ignore_ascii_case(lower);
    }
    text.chars().flat_map(char::to_lowercase).eq(lower.chars())
}

/// Splits a barcode cell ("4600012345678, 4600165432096", "… ; …", "… …") and validates each
/// code. Valid codes are appended to `out` once; each invalid one is passed to `invalid` with
/// the reason.
pub fn parse_barcodes(text: &str, out: &mut Vec<Barcode>, mut invalid: impl FnMut(&str, String)) {
    let mut push = |code: Barcode| {
        if !out.contains(&code) {
            out.push(code);
        }
    };
    for part in text.split([',', ';', '|']).map(str::trim).filter(|p| !p.is_empty()) {
        match Barcode::parse(part) {
            Ok(code) => push(code),
            // "4600012345678 4600165432096": spaces separate codes, unless the whole part was
            // one code written with spaces (tried first above).
            Err(err) if part.contains(char::is_whitespace) => {
                let mut any = false;
                let codes: Vec<_> = part.split_whitespace().map(|p| (p, Barcode::parse(p))).collect();
                if codes.iter().all(|(_, r)| r.is_err()) {
                    invalid(part, err.to_string());
                    continue;
                }
                for (p, r) in codes {
                    match r {
                        Ok(code) => {
                            any = true;
                            push(code);
                        }
                        Err(e) => invalid(p, e.to_string()),
                    }
                }
                debug_assert!(any);
            }
            Err(err) => invalid(part, err.to_string()),
        }
    }
}

/// Splits an image cell into URLs: whitespace and `;` always separate, a comma only before
/// another URL (`, https://…`), so commas inside URLs (`/c_fill,w_300/`) survive.
pub fn split_images<'a>(text: &'a str, mut each: impl FnMut(&'a str)) {
    for chunk in text.split(|c: char| c.is_whitespace() || c == ';' || c == '|') {
        let mut rest = chunk.trim_matches(['"', '\'']);
        while !rest.is_empty() {
            let cut =
                rest.match_indices(',').map(|(i, _)| i).find(|&i| starts_url(rest[i + 1..].trim_start()));
            let (url, tail) = match cut {
                Some(i) => (&rest[..i], &rest[i + 1..]),
                None => (rest, ""),
            };
            let url = url.trim_matches([',', '"', '\'']);
            if !url.is_empty() {
                each(url);
            }
            rest = tail;
        }
    }
}

fn starts_url(s: &str) -> bool {
    s.is_empty()
        || s.starts_with("http://")
        || s.starts_with("https://")
        || s.starts_with("//")
        || s.starts_with("www.")
}

/// What a stock cell says.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StockText {
    /// A quantity ("15", "> 10" → 10, "10+" → 10, "<5" → 4, "5,000" → 5).
    Count(i64),
    /// In stock without a number ("много", "есть", "+", "да").
    InStock,
    /// Not in stock ("нет", "под заказ", "-").
    OutOfStock,
}

/// Reads a stock cell; `Ok(None)` for an empty one, `Err(())` when it means nothing.
#[allow(clippy::result_unit_err)]
pub fn parse_stock(text: &str) -> Result<Option<StockText>, ()> {
    let t = text.trim();
    if t.is_empty() {
        return Ok(None);
    }
    // Plain whole numbers, by far the most common.
    if t.len() <= 18 && t.bytes().all(|b| b.is_ascii_digit()) {
        return Ok(Some(StockText::Count(t.parse().unwrap_or(0))));
    }
    if let Some(yes) = parse_available(t) {
        // "1"/"0" are quantities, not yes/no.
        if t != "1" && t != "0" {
            return Ok(Some(if yes { StockText::InStock } else { StockText::OutOfStock }));
        }
    }
    const IN_STOCK: [&str; 6] = ["много", "достаточно", "в наличии много", "++", "+++", "plenty"];
    if IN_STOCK.iter().any(|w| eq_lower(t, w)) {
        return Ok(Some(StockText::InStock));
    }
    let lower_prefixes: [(&str, i64); 12] = [
        (">=", 0),
        ("≥", 0),
        (">", 0),
        ("более чем", 0),
        ("более", 0),
        ("больше", 0),
        ("свыше", 0),
        ("от", 0),
        ("<", -1),
        ("менее", -1),
        ("меньше", -1),
        ("до", 0),
    ];
    let mut body = t;
    let mut adjust = 0;
    for (prefix, adj) in lower_prefixes {
        if let Some(rest) = strip_prefix_ci(body, prefix) {
            body = rest;
            adjust = adj;
            break;
        }
    }
    let body = body.trim_start_matches(['~', '≈', ' ']);
    let Some((n, rest)) = Decimal::parse_prefix(body) else {
        return Err(());
    };
    let rest = rest.trim().trim_end_matches('.');
    let suffix_ok = rest.is_empty()
        || matches!(rest, "+" | "шт" | "pcs" | "ед" | "штук" | "шт+" | "+ шт")
        || eq_lower(rest, "шт")
        || eq_lower(rest, "pcs");
    if !suffix_ok {
        return Err(());
    }
    let whole = if n.scale == 0 { n.mantissa } else { n.mantissa / 10i64.pow(n.scale.min(18)) };
    Ok(Some(StockText::Count(whole.saturating_add(adjust).max(0))))
}

fn strip_prefix_ci<'a>(text: &'a str, lower_prefix: &str) -> Option<&'a str> {
    let mut chars = text.char_indices();
    for p in lower_prefix.chars() {
        let (_, c) = chars.next()?;
        if !c.to_lowercase().eq(std::iter::once(p)) {
            return None;
        }
    }
    let at = chars.next().map_or(text.len(), |(i, _)| i);
    let rest = &text[at..];
    // A word prefix ("от") must end at a space or a digit, so "отсутствует" is not "от …".
    let word = lower_prefix.chars().all(char::is_alphabetic);
    if word && rest.chars().next().is_some_and(char::is_alphabetic) {
        return None;
    }
    Some(rest.trim_start())
}

/// Reads a yes/no availability cell: "да", "true", "в наличии", "+", "1", "yes" / "нет",
/// "false", "под заказ", "-", "0". `None` when it is neither.
pub fn parse_available(text: &str) -> Option<bool> {
    const YES: [&str; 12] = [
        "да",
        "true",
        "yes",
        "y",
        "1",
        "+",
        "в наличии",
        "есть",
        "есть в наличии",
        "available",
        "in stock",
        "instock",
    ];
    const NO: [&str; 15] = [
        "нет",
        "false",
        "no",
        "n",
        "0",
        "-",
        "нет в наличии",
        "под заказ",
        "на заказ",
        "отсутствует",
        "ожидается",
        "out of stock",
        "outofstock",
        "preorder",
        "—",
    ];
    let t = text.trim();
    if YES.iter().any(|w| eq_lower(t, w)) {
        Some(true)
    } else if NO.iter().any(|w| eq_lower(t, w)) {
        Some(false)
    } else {
        None
    }
}

/// Reads "sold by N": "6", "кратность 6", "в упаковке 6 шт", "sold by 6", "6 шт/уп".
/// `None` unless the text holds one whole number from 1 to 100 000.
pub fn parse_pack_units(text: &str) -> Option<u32> {
    let start = text.find(|c: char| c.is_ascii_digit())?;
    let (n, rest) = Decimal::parse_prefix(&text[start..])?;
    if rest.contains(|c: char| c.is_ascii_digit()) {
        return None;
    }
    let n = n.normalized();
    if n.scale != 0 || !(1..=100_000).contains(&n.mantissa) {
        return None;
    }
    u32::try_from(n.mantissa).ok()
}

/// Splits a category cell into a path, root first: "A / B / C", "A > B", "A » B", "A/B",
/// "A | B", "A\B".
pub fn split_category_path(text: &str) -> Vec<String> {
    const STRONG: [char; 5] = ['>', '»', '→', '|', '\\'];
    let parts: Box<dyn Iterator<Item = &str>> =
        if text.contains(STRONG) { Box::new(text.split(STRONG)) } else { Box::new(text.split('/')) };
    parts.map(clean_text).filter(|p| !p.is_empty()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use rstest::rstest;

    #[rstest]
    #[case("  Кеды  Converse\u{a0}& Co ", "Кеды Converse & Co")]
    #[case("Кроссовки", "Кроссовки")]
    #[case("a\tb\nc", "a b c")]
    #[case("", "")]
    fn cleans_text(#[case] raw: &str, #[case] out: &str) {
        assert_eq!(clean_text(raw), out);
    }

    fn barcodes(text: &str) -> (Vec<String>, Vec<String>) {
        let mut out = Vec::new();
        let mut bad = Vec::new();
        parse_barcodes(text, &mut out, |v, _| bad.push(v.to_owned()));
        (out.iter().map(|b| b.as_str().to_owned()).collect(), bad)
    }

    #[rstest]
    #[case("4600012345678", &["4600012345678"], &[])]
    #[case("4600012345678, 4600165432096", &["4600012345678", "4600165432096"], &[])]
    #[case("4600012345678;4600165432096", &["4600012345678", "4600165432096"], &[])]
    #[case("4600012345678 4600165432096", &["4600012345678", "4600165432096"], &[])]
    #[case("4 600012 345678", &["4600012345678"], &[])]
    #[case("4600012345678, 4600012345678", &["4600012345678"], &[])]
    #[case("4600012345679, 4600165432096", &["4600165432096"], &["4600012345679"])]
    #[case("4600012345678 12345", &["4600012345678"], &["12345"])]
    #[case("нет", &[], &["нет"])]
    #[case("4.60001E+12", &[], &["4.60001E+12"])]
    fn splits_and_validates_barcodes(#[case] text: &str, #[case] ok: &[&str], #[case] bad: &[&str]) {
        let (good, wrong) = barcodes(text);
        assert_eq!(good, ok);
        assert_eq!(wrong, bad);
    }

    fn images(text: &str) -> Vec<&str> {
        let mut v = Vec::new();
        split_images(text, |u| v.push(u));
        v
    }

    #[rstest]
    #[case("https://a/1.jpg, https://a/2.jpg", &["https://a/1.jpg", "https://a/2.jpg"])]
    #[case("https://a/1.jpg;https://a/2.jpg", &["https://a/1.jpg", "https://a/2.jpg"])]
    #[case("https://a/1.jpg\nhttps://a/2.jpg", &["https://a/1.jpg", "https://a/2.jpg"])]
    #[case("https://a/1.jpg,https://a/2.jpg", &["https://a/1.jpg", "https://a/2.jpg"])]
    #[case("https://cdn/c_fill,w_300/1.jpg", &["https://cdn/c_fill,w_300/1.jpg"])]
    #[case(" ", &[])]
    fn splits_images(#[case] text: &str, #[case] out: &[&str]) {
        assert_eq!(images(text), out);
    }

    #[rstest]
    #[case("15", Some(StockText::Count(15)))]
    #[case(" 0 ", Some(StockText::Count(0)))]
    #[case("1", Some(StockText::Count(1)))]
    #[case("5,000", Some(StockText::Count(5)))]
    #[case("2.5", Some(StockText::Count(2)))]
    #[case("> 10", Some(StockText::Count(10)))]
    #[case(">10", Some(StockText::Count(10)))]
    #[case("10+", Some(StockText::Count(10)))]
    #[case("более 50", Some(StockText::Count(50)))]
    #[case("Больше 5 шт.", Some(StockText::Count(5)))]
    #[case("<5", Some(StockText::Count(4)))]
    #[case("менее 1", Some(StockText::Count(0)))]
    #[case("-3", Some(StockText::Count(0)))]
    #[case("много", Some(StockText::InStock))]
    #[case("Много", Some(StockText::InStock))]
    #[case("есть", Some(StockText::InStock))]
    #[case("+", Some(StockText::InStock))]
    #[case("нет", Some(StockText::OutOfStock))]
    #[case("под заказ", Some(StockText::OutOfStock))]
    #[case("отсутствует", Some(StockText::OutOfStock))]
    #[case("", None)]
    fn reads_stock(#[case] text: &str, #[case] out: Option<StockText>) {
        assert_eq!(parse_stock(text), Ok(out));
    }

    #[rstest]
    #[case("скоро")]
    #[case("10 коробок")]
    #[case("abc")]
    fn stock_nonsense_is_an_error(#[case] text: &str) {
        assert_eq!(parse_stock(text), Err(()));
    }

    #[rstest]
    #[case("да", Some(true))]
    #[case("Да", Some(true))]
    #[case("TRUE", Some(true))]
    #[case("в наличии", Some(true))]
    #[case("+", Some(true))]
    #[case("нет", Some(false))]
    #[case("false", Some(false))]
    #[case("Нет в наличии", Some(false))]
    #[case("-", Some(false))]
    #[case("может быть", None)]
    fn reads_availability(#[case] text: &str, #[case] out: Option<bool>) {
        assert_eq!(parse_available(text), out);
    }

    #[rstest]
    #[case("6", Some(6))]
    #[case("кратность 6", Some(6))]
    #[case("в упаковке 12 шт", Some(12))]
    #[case("sold by 4", Some(4))]
    #[case("6,0", Some(6))]
    #[case("1", Some(1))]
    #[case("0", None)]
    #[case("1,5", None)]
    #[case("2 по 3", None)]
    #[case("шт", None)]
    fn reads_pack_units(#[case] text: &str, #[case] out: Option<u32>) {
        assert_eq!(parse_pack_units(text), out);
    }

    #[rstest]
    #[case("Одежда и обувь / Одежда / Куртки мужские", &["Одежда и обувь", "Одежда", "Куртки мужские"])]
    #[case("Обувь > Кроссовки", &["Обувь", "Кроссовки"])]
    #[case("Обувь»Кеды", &["Обувь", "Кеды"])]
    #[case("Обувь/Кеды", &["Обувь", "Кеды"])]
    #[case("Шины 185/65 > Летние", &["Шины 185/65", "Летние"])]
    #[case("Обувь", &["Обувь"])]
    #[case(" / ", &[])]
    fn splits_category_paths(#[case] text: &str, #[case] out: &[&str]) {
        assert_eq!(split_category_path(text), out);
    }
}
