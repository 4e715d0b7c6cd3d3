//! Google Merchant Center product feed as RSS 2.0 with the `g:` namespace: the shop as the
//! `<channel>`, one `<item>` per product variant.
//!
//! Google is the strictest reader of this format (Yandex Direct and other ad systems import the
//! same files), so the items follow Google's rules: ids of at most 50 characters, unique whatever
//! their case; plain-text descriptions; ASCII links (Cyrillic percent-encoded, Cyrillic domains
//! in punycode); a `gtin` only when it passes the GS1 check and is not a store-internal or coupon
//! code, else `mpn`, else `identifier_exists` `no`.
//!
//! The URL and number helpers here are shared with the Avito writer.

use std::borrow::Cow;
use std::collections::{HashMap, HashSet};
use std::fmt;
use std::hash::{DefaultHasher, Hash, Hasher};
use std::io::{BufWriter, Write};

use super::text::{clean_xml_text, html_to_text, push_escaped};
use super::{FeedHeader, FeedItem, FeedWriter, Output, Skip, WriteError, WriteSummary};

/// The `g:` namespace URI, exactly as Google spells it.
const G_NAMESPACE: &str = "http://base.google.com/ns/1.0";
/// Google's ceilings for the title and description; the options may only be stricter.
const TITLE_MAX: usize = 150;
const DESCRIPTION_MAX: usize = 5000;
const ID_MAX: usize = 50;
/// `brand` and `mpn` hold at most 70 characters.
const BRAND_MAX: usize = 70;
const ADDITIONAL_IMAGES_MAX: usize = 10;
/// `product_type` holds at most 750 characters.
const PRODUCT_TYPE_MAX: usize = 750;
/// Output buffer: items are small, a large buffer keeps the number of writes low.
pub(super) const OUTPUT_BUFFER: usize = 256 * 1024;

/// The profile's choices for a Google Merchant feed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GoogleOptions {
    /// `new`, `refurbished` or `used`, for every item.
    pub condition: String,
    /// Google's taxonomy id (`187`) or full English path, for every item; `None` lets Google
    /// choose.
    pub google_product_category: Option<String>,
    /// The product page for items without a URL of their own: `{sku}` is replaced by the SKU,
    /// percent-encoded (`https://shop.example/p/{sku}`).
    pub link_template: Option<String>,
    /// Longer titles are left out (`Skip::TitleTooLong`); at most Google's 150.
    pub title_limit: usize,
    /// Longer descriptions are cut at a word; at most Google's 5000.
    pub description_limit: usize,
}

impl Default for GoogleOptions {
    fn default() -> Self {
        GoogleOptions {
            condition: "new".to_string(),
            google_product_category: None,
            link_template: None,
            title_limit: TITLE_MAX,
            description_limit: DESCRIPTION_MAX,
        }
    }
}

impl GoogleOptions {
    /// Why these options cannot make a feed Google accepts, worded for the seller.
    fn check(&self) -> Result<(), String> {
        if !matches!(self.condition.as_str(), "new" | "refurbished" | "used") {
            return Err(format!(
                "the Google condition \"{}\" is not one of new, refurbished, used",
                self.condition
            ));
        }
        if !(1..=TITLE_MAX).contains(&self.title_limit) {
            return Err(format!("the title limit {} is outside Google's 1–{TITLE_MAX}", self.title_limit));
        }
        if !(1..=DESCRIPTION_MAX).contains(&self.description_limit) {
            return Err(format!(
                "the description limit {} is outside Google's 1–{DESCRIPTION_MAX}",
                self.description_limit
            ));
        }
        if let Some(template) = &self.link_template
            && (!template.contains("{sku}") || !is_http_url(template))
        {
            return Err(format!(
                "the product link template \"{template}\" must be an http(s) address with {{sku}} in it"
            ));
        }
        Ok(())
    }
}

/// Writes a Google Merchant RSS 2.0 feed, one `<item>` at a time.
pub struct GoogleWriter {
    out: BufWriter<Output>,
    options: GoogleOptions,
    /// The ISO 4217 code after every price (`RUB`).
    currency: String,
    /// `g:product_type` of each category, made once.
    product_types: HashMap<u64, String>,
    /// Reused for every item.
    buf: String,
    ids: SeenIds,
    summary: WriteSummary,
}

impl fmt::Debug for GoogleWriter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("GoogleWriter")
            .field("options", &self.options)
            .field("currency", &self.currency)
            .field("summary", &self.summary)
            .finish_non_exhaustive()
    }
}

impl GoogleWriter {
    /// Checks the options and the header's currency, and writes the channel's header.
    pub fn new(out: Output, header: &FeedHeader, options: GoogleOptions) -> Result<Self, WriteError> {
        options.check().map_err(WriteError::Format)?;
        let currency = feed_currency(&header.currency).map_err(WriteError::Format)?;
        let product_types = header
            .categories
            .iter()
            .map(|c| (c.id, product_type(&header.category_path(c.id))))
            .filter(|(_, path)| !path.is_empty())
            .collect();
        let mut writer = GoogleWriter {
            out: BufWriter::with_capacity(OUTPUT_BUFFER, out),
            options,
            currency,
            product_types,
            buf: String::with_capacity(4096),
            ids: SeenIds::ignoring_case(),
            summary: WriteSummary::default(),
        };
        let mut cleaned = 0;
        let buf = &mut writer.buf;
        buf.push_str("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
        buf.push_str("<rss version=\"2.0\" xmlns:g=\"");
        buf.push_str(G_NAMESPACE);
        buf.push_str("\">\n  <channel>\n");
        let title = if header.shop_name.trim().is_empty() { &header.company } else { &header.shop_name };
        // RSS requires a description of the channel; the header has none, so the legal name
        // (or the shop's name) stands in.
        let description = if header.company.trim().is_empty() { title } else { &header.company };
        element_at(buf, "    ", "title", title.trim(), &mut cleaned);
        element_at(buf, "    ", "link", &ascii_url(header.url.trim()), &mut cleaned);
        element_at(buf, "    ", "description", description.trim(), &mut cleaned);
        writer.out.write_all(writer.buf.as_bytes())?;
        writer.buf.clear();
        writer.summary.cleaned_chars += cleaned;
        Ok(writer)
    }

    /// Fills `self.buf` with the item's `<item>`, adding the characters dropped to `cleaned`.
    fn build(&mut self, item: &FeedItem, cleaned: &mut u64) -> Result<(), Skip> {
        let id = item.sku.trim();
        if id.is_empty() {
            return Err(Skip::BadId { reason: "it is empty" });
        }
        if id.chars().count() > ID_MAX {
            return Err(Skip::BadId { reason: "it is longer than Google's 50 characters" });
        }
        if self.ids.contains(id) {
            return Err(Skip::BadId {
                reason: "another item in the file has the same SKU (Google ignores case)",
            });
        }
        let title = item.name.trim();
        if title.is_empty() {
            return Err(Skip::MissingField { field: "title" });
        }
        let length = title.chars().count();
        if length > self.options.title_limit {
            return Err(Skip::TitleTooLong { limit: self.options.title_limit, length });
        }
        let link = match item.url.as_deref().map(str::trim).filter(|u| is_http_url(u)) {
            Some(url) => ascii_url(url).into_owned(),
            None => match &self.options.link_template {
                Some(template) => ascii_url(&template.replace("{sku}", &encode_component(id))).into_owned(),
                None => return Err(Skip::MissingField { field: "link" }),
            },
        };
        if item.price_minor <= 0 {
            return Err(Skip::NoPrice);
        }
        let images = http_urls(&item.pictures, 1 + ADDITIONAL_IMAGES_MAX);
        let Some((main_image, additional_images)) = images.split_first() else {
            return Err(Skip::NoPicture);
        };
        let brand = item.brand.trim();
        if brand.is_empty() {
            // Google requires a brand for every new product but films, books and music.
            return Err(Skip::MissingField { field: "brand" });
        }

        let buf = &mut self.buf;
        buf.push_str("    <item>\n");
        element(buf, "g:id", id, cleaned);
        element(buf, "g:title", title, cleaned);
        // Cleaned before it is measured, so the characters dropped do not count towards the limit.
        let text = html_to_text(&item.description);
        let mut description = clean_xml_text(&text, cleaned);
        if description.trim().is_empty() {
            description = Cow::Borrowed(title);
        }
        element(buf, "g:description", &cut_text(&description, self.options.description_limit), cleaned);
        element(buf, "g:link", &link, cleaned);
        element(buf, "g:image_link", main_image, cleaned);
        for image in additional_images {
            element(buf, "g:additional_image_link", image, cleaned);
        }
        element(buf, "g:availability", if item.stock > 0 { "in_stock" } else { "out_of_stock" }, cleaned);
        // Google's `price` is the regular price and `sale_price` the lower one a buyer pays now:
        // a discounted product sends its old price as `price`.
        match item.old_price_minor {
            Some(old) if old > item.price_minor => {
                element(buf, "g:price", &price(old, &self.currency), cleaned);
                element(buf, "g:sale_price", &price(item.price_minor, &self.currency), cleaned);
            }
            _ => element(buf, "g:price", &price(item.price_minor, &self.currency), cleaned),
        }
        element(buf, "g:brand", cut_chars(brand, BRAND_MAX), cleaned);
        let model = item.model.trim();
        if let Some(gtin) = item.barcodes.iter().find_map(|code| feed_gtin(code)) {
            element(buf, "g:gtin", gtin, cleaned);
        } else if !model.is_empty() && model.chars().count() <= BRAND_MAX {
            element(buf, "g:mpn", model, cleaned);
        } else if model.is_empty() {
            element(buf, "g:identifier_exists", "no", cleaned);
        }
        // A model longer than an MPN may be is not sent, and neither is `identifier_exists no`:
        // the product does have a part number, and claiming otherwise is a misuse Google flags.
        element(buf, "g:condition", &self.options.condition, cleaned);
        if let Some(category) = self.options.google_product_category.as_deref().map(str::trim)
            && !category.is_empty()
        {
            element(buf, "g:google_product_category", category, cleaned);
        }
        if let Some(id) = item.category_id
            && let Some(path) = self.product_types.get(&id)
        {
            element(buf, "g:product_type", path, cleaned);
        }
        if let Some(group) = item.group_id {
            element(buf, "g:item_group_id", &group.to_string(), cleaned);
        }
        if let Some(color) = param_value(item, "Color", "Цвет").and_then(google_color) {
            element(buf, "g:color", &color, cleaned);
        }
        if let Some(size) = param_value(item, "Size", "Размер").filter(|s| s.chars().count() <= 100) {
            element(buf, "g:size", size, cleaned);
        }
        if let Some(grams) = item.weight_g.filter(|g| (1..=1_000_000).contains(g)) {
            element(buf, "g:shipping_weight", &format!("{} kg", decimal(grams, 3, '.')), cleaned);
        }
        // Google takes product dimensions of 1–3000 cm; outside that range none are sent.
        if let Some(dims) = item.dimensions_mm.filter(|d| d.iter().all(|mm| (10..=30_000).contains(mm))) {
            for (name, mm) in
                ["g:product_length", "g:product_width", "g:product_height"].into_iter().zip(dims)
            {
                element(buf, name, &format!("{} cm", decimal(mm, 1, '.')), cleaned);
            }
        }
        buf.push_str("    </item>\n");
        Ok(())
    }
}

impl FeedWriter for GoogleWriter {
    fn write_item(&mut self, item: &FeedItem) -> Result<Result<(), Skip>, WriteError> {
        // Items gather in `buf` and go out a whole buffer at a time, which the `BufWriter`
        // passes straight to the file: the text is copied once on its way, not twice.
        let mark = self.buf.len();
        let mut cleaned = 0;
        if let Err(skip) = self.build(item, &mut cleaned) {
            self.buf.truncate(mark);
            return Ok(Err(skip));
        }
        if self.buf.len() >= OUTPUT_BUFFER {
            self.out.write_all(self.buf.as_bytes())?;
            self.buf.clear();
        }
        self.ids.insert(item.sku.trim());
        self.summary.written += 1;
        self.summary.cleaned_chars += cleaned;
        Ok(Ok(()))
    }

    fn finish(mut self: Box<Self>) -> Result<WriteSummary, WriteError> {
        self.out.write_all(self.buf.as_bytes())?;
        self.out.write_all(b"  </channel>\n</rss>\n")?;
        self.out.flush()?;
        Ok(self.summary)
    }
}

/// An item's `<name>text</name>` on a line of its own, the text cleaned and escaped.
fn element(buf: &mut String, name: &str, text: &str, cleaned: &mut u64) {
    element_at(buf, "      ", name, text, cleaned);
}

/// `<name>text</name>` on a line of its own after `indent`, the text cleaned and escaped.
fn element_at(buf: &mut String, indent: &str, name: &str, text: &str, cleaned: &mut u64) {
    buf.push_str(indent);
    buf.push('<');
    buf.push_str(name);
    buf.push('>');
    push_escaped(buf, text, cleaned);
    buf.push_str("</");
    buf.push_str(name);
    buf.push_str(">\n");
}

/// The header's currency as Google wants it: upper-case ISO 4217, `RUB` for YML's old `RUR`.
fn feed_currency(code: &str) -> Result<String, String> {
    let code = code.trim().to_ascii_uppercase();
    if code.len() != 3 || !code.bytes().all(|b| b.is_ascii_uppercase()) {
        return Err(format!("the currency \"{code}\" is not an ISO 4217 code such as RUB"));
    }
    Ok(if code == "RUR" { "RUB".to_string() } else { code })
}

/// `1299.00 RUB`: a dot before two decimals, no grouping, one space before the code.
fn price(minor: i64, currency: &str) -> String {
    format!("{}.{:02} {currency}", minor / 100, minor % 100)
}

/// `Обувь > Кроссовки`; when longer than Google's 750 characters the deepest levels are
/// dropped, so what is sent is still a path from the root.
fn product_type(path: &[&str]) -> String {
    let mut levels: Vec<&str> = path.iter().map(|s| s.trim()).filter(|s| !s.is_empty()).collect();
    loop {
        let joined = levels.join(" > ");
        if joined.chars().count() <= PRODUCT_TYPE_MAX || levels.len() <= 1 {
            return cut_chars(&joined, PRODUCT_TYPE_MAX).to_string();
        }
        levels.pop();
    }
}

/// The value of the characteristic called `tag` (exactly) or `russian` (any case), trimmed,
/// if not empty.
pub(super) fn param_value<'a>(item: &'a FeedItem, tag: &str, russian: &str) -> Option<&'a str> {
    let exact = item.params.iter().find(|p| p.name.trim() == tag);
    exact.or_else(|| item.param(russian)).map(|p| p.value.trim()).filter(|v| !v.is_empty())
}

/// Google's colour: up to three colours joined by `/` (a list written with commas or
/// semicolons is rejoined), at most 40 characters each and 100 in all; otherwise none.
fn google_color(value: &str) -> Option<String> {
    let colors: Vec<&str> = value.split([',', ';', '/']).map(str::trim).filter(|c| !c.is_empty()).collect();
    if colors.is_empty() || colors.len() > 3 || colors.iter().any(|c| c.chars().count() > 40) {
        return None;
    }
    let joined = colors.join("/");
    (joined.chars().count() <= 100).then_some(joined)
}

/// `code` if Google takes it as a `gtin`: 8, 12, 13 or 14 digits with a valid GS1 check digit,
/// not a restricted-circulation (store-internal) number and not a coupon or a case (bulk) code.
fn feed_gtin(code: &str) -> Option<&str> {
    let code = code.trim();
    if !matches!(code.len(), 8 | 12 | 13 | 14) || !code.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let digits: Vec<u8> = code.bytes().map(|b| b - b'0').collect();
    let (body, check) = digits.split_at(digits.len() - 1);
    if check[0] != gs1_check_digit(body) {
        return None;
    }
    let restricted = match code.len() {
        // RCN-8 (restricted circulation) starts with 0 or 2 (GS1 General Specifications).
        8 => code.starts_with(['0', '2']),
        len => {
            // Seen as a GTIN-13: a UPC-A gains a leading zero, a GTIN-14 must have the
            // indicator 0 (others mark cases and pallets, Google's `bulk_gtin`).
            let gtin13: Cow<'_, str> = match len {
                12 => Cow::Owned(format!("0{code}")),
                14 if code.starts_with('0') => Cow::Borrowed(&code[1..]),
                14 => return None,
                _ => Cow::Borrowed(code),
            };
            // 2…: in-store numbers; 02, 04: UPC's variable-weight and in-store ranges;
            // 05, 98, 99: coupons.
            gtin13.starts_with('2') || ["02", "04", "05", "98", "99"].iter().any(|p| gtin13.starts_with(p))
        }
    };
    (!restricted).then_some(code)
}

/// GS1 check digit: weights 3 and 1 alternate from the rightmost body digit.
fn gs1_check_digit(body: &[u8]) -> u8 {
    let sum: u32 =
        body.iter().rev().enumerate().map(|(i, d)| u32::from(*d) * if i % 2 == 0 { 3 } else { 1 }).sum();
    ((10 - sum % 10) % 10) as u8
}

/// `s` cut to at most `limit` characters; a cut text ends at a word with `…`.
fn cut_text(s: &str, limit: usize) -> Cow<'_, str> {
    let s = s.trim();
    if s.chars().count() <= limit {
        return Cow::Borrowed(s);
    }
    let head = cut_chars(s, limit.saturating_sub(1));
    // Back to the last space unless that loses more than a tenth of the text.
    let end = match head.rfind(char::is_whitespace) {
        Some(at) if head[..at].chars().count() >= limit * 9 / 10 => at,
        _ => head.len(),
    };
    let mut out = head[..end].trim_end().to_string();
    out.push('…');
    Cow::Owned(out)
}

/// The first `limit` characters of `s`.
fn cut_chars(s: &str, limit: usize) -> &str {
    s.char_indices().nth(limit).map_or(s, |(at, _)| &s[..at])
}

/// `value` scaled down by 10^`digits` (grams to kilograms: 3) with `separator` before the
/// decimals and no trailing zeros: `decimal(900, 3, '.')` = `0.9`, `decimal(325, 1, ',')` = `32,5`.
pub(super) fn decimal(value: u32, digits: u32, separator: char) -> String {
    let scale = 10u32.pow(digits);
    let mut out = (value / scale).to_string();
    let fraction = value % scale;
    if fraction != 0 {
        let fraction = format!("{fraction:0width$}", width = digits as usize);
        out.push(separator);
        out.push_str(fraction.trim_end_matches('0'));
    }
    out
}

/// True for an absolute `http://` or `https://` address with a host.
pub(super) fn is_http_url(url: &str) -> bool {
    let lower = url.get(..8).unwrap_or(url).to_ascii_lowercase();
    let rest = if lower.starts_with("https://") {
        &url[8..]
    } else if lower.starts_with("http://") {
        &url[7..]
    } else {
        return false;
    };
    !rest.is_empty() && !rest.starts_with(['/', '?', '#'])
}

/// The absolute http(s) URLs of `urls`, made ASCII, without repeats, at most `limit`.
pub(super) fn http_urls(urls: &[String], limit: usize) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for url in urls.iter().map(|u| u.trim()).filter(|u| is_http_url(u)) {
        if out.len() == limit {
            break;
        }
        let url = ascii_url(url).into_owned();
        if !out.contains(&url) {
            out.push(url);
        }
    }
    out
}

/// ASCII characters that may stand in a URL as they are (RFC 3986 unreserved and reserved).
fn url_safe(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b"-._~:/?#[]@!$&'()*+,;=".contains(&b)
}

/// `%` that starts a `%XX` escape.
fn is_escape(s: &[u8], at: usize) -> bool {
    s.get(at + 1).is_some_and(u8::is_ascii_hexdigit) && s.get(at + 2).is_some_and(u8::is_ascii_hexdigit)
}

/// `url` in ASCII as Google requires: a non-ASCII host in punycode (`пример.рф` →
/// `xn--e1afmkfd.xn--p1ai`), other non-ASCII characters and spaces percent-encoded as UTF-8;
/// escapes already there (`%20`) are left alone.
pub(super) fn ascii_url(url: &str) -> Cow<'_, str> {
    let bytes = url.as_bytes();
    let clean = bytes.iter().enumerate().all(|(i, &b)| url_safe(b) || (b == b'%' && is_escape(bytes, i)));
    if clean {
        return Cow::Borrowed(url);
    }
    let mut out = String::with_capacity(url.len() + 32);
    let mut rest = url;
    if let Some(scheme_end) = url.find("://") {
        let authority_start = scheme_end + 3;
        let authority_end =
            url[authority_start..].find(['/', '?', '#']).map_or(url.len(), |at| authority_start + at);
        out.push_str(&url[..authority_start]);
        let authority = &url[authority_start..authority_end];
        let (userinfo, host_port) = match authority.rfind('@') {
            Some(at) => (Some(&authority[..at]), &authority[at + 1..]),
            None => (None, authority),
        };
        if let Some(userinfo) = userinfo {
            percent_encode_into(&mut out, userinfo);
            out.push('@');
        }
        let (host, port) = match host_port.rfind(':') {
            Some(at) if host_port[at + 1..].bytes().all(|b| b.is_ascii_digit()) => host_port.split_at(at),
            _ => (host_port, ""),
        };
        for (i, label) in host.split('.').enumerate() {
            if i > 0 {
                out.push('.');
            }
            match punycode(&label.to_lowercase()) {
                Some(encoded) if !label.is_ascii() => {
                    out.push_str("xn--");
                    out.push_str(&encoded);
                }
                _ => percent_encode_into(&mut out, label),
            }
        }
        out.push_str(port);
        rest = &url[authority_end..];
    }
    percent_encode_into(&mut out, rest);
    Cow::Owned(out)
}

/// Appends `s` with every character a URL cannot hold as it is percent-encoded.
fn percent_encode_into(out: &mut String, s: &str) {
    let bytes = s.as_bytes();
    for (i, &b) in bytes.iter().enumerate() {
        if url_safe(b) || (b == b'%' && is_escape(bytes, i)) {
            out.push(char::from(b));
        } else {
            push_percent(out, b);
        }
    }
}

fn push_percent(out: &mut String, b: u8) {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    out.push('%');
    out.push(char::from(HEX[usize::from(b >> 4)]));
    out.push(char::from(HEX[usize::from(b & 15)]));
}

/// `s` as one path segment or query value: everything but letters, digits and `-._~`
/// percent-encoded (a SKU with `/` or `?` must not change the link's shape).
pub(super) fn encode_component(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
            out.push(char::from(b));
        } else {
            push_percent(&mut out, b);
        }
    }
    out
}

/// Punycode (RFC 3492) of one domain label, without the `xn--` prefix; `None` on overflow.
fn punycode(label: &str) -> Option<String> {
    const BASE: u32 = 36;
    const T_MIN: u32 = 1;
    const T_MAX: u32 = 26;
    const SKEW: u32 = 38;
    const DAMP: u32 = 700;
    fn adapt(delta: u32, points: u32, first: bool) -> u32 {
        let mut delta = if first { delta / DAMP } else { delta / 2 };
        delta += delta / points;
        let mut k = 0;
        while delta > ((BASE - T_MIN) * T_MAX) / 2 {
            delta /= BASE - T_MIN;
            k += BASE;
        }
        k + (BASE - T_MIN + 1) * delta / (delta + SKEW)
    }
    fn digit(d: u32) -> char {
        // d < 36: a–z then 0–9.
        char::from(if d < 26 { b'a' + d as u8 } else { b'0' + (d - 26) as u8 })
    }
    let code_points: Vec<u32> = label.chars().map(u32::from).collect();
    let mut out: String = label.chars().filter(char::is_ascii).collect();
    let basic = out.len() as u32;
    let mut handled = basic;
    if basic > 0 {
        out.push('-');
    }
    let (mut n, mut delta, mut bias) = (128u32, 0u32, 72u32);
    while (handled as usize) < code_points.len() {
        let m = code_points.iter().copied().filter(|&c| c >= n).min()?;
        delta = delta.checked_add((m - n).checked_mul(handled + 1)?)?;
        n = m;
        for &c in &code_points {
            if c < n {
                delta = delta.checked_add(1)?;
            }
            if c == n {
                let mut q = delta;
                let mut k = BASE;
                loop {
                    let t = if k <= bias {
                        T_MIN
                    } else if k >= bias + T_MAX {
                        T_MAX
                    } else {
                        k - bias
                    };
                    if q < t {
                        break;
                    }
                    out.push(digit(t + (q - t) % (BASE - t)));
                    q = (q - t) / (BASE - t);
                    k += BASE;
                }
                out.push(digit(q));
                bias = adapt(delta, handled + 1, handled == basic);
                delta = 0;
                handled += 1;
            }
        }
        delta = delta.checked_add(1)?;
        n += 1;
    }
    Some(out)
}

/// Ids already written, to leave out a second item with the same one. Kept as 64-bit hashes so
/// a catalog of a million items costs megabytes, not the ids themselves; two different ids
/// share a hash with odds of about one in 10^7 for a million items.
#[derive(Debug, Default)]
pub(super) struct SeenIds {
    hashes: HashSet<u64>,
    /// `A-1` and `a-1` are the same id.
    ignore_case: bool,
}

impl SeenIds {
    pub(super) fn ignoring_case() -> SeenIds {
        SeenIds { hashes: HashSet::new(), ignore_case: true }
    }

    fn hash(&self, id: &str) -> u64 {
        // `DefaultHasher::new()` has fixed keys: the same id hashes the same in every run.
        let mut hasher = DefaultHasher::new();
        if self.ignore_case {
            // Lower-cased a character at a time, without a lower-case copy of the id.
            for c in id.chars() {
                if c.is_ascii() {
                    hasher.write_u32(c.to_ascii_lowercase() as u32);
                } else {
                    c.to_lowercase().for_each(|l| hasher.write_u32(l as u32));
                }
            }
        } else {
            id.hash(&mut hasher);
        }
        hasher.finish()
    }

    pub(super) fn contains(&self, id: &str) -> bool {
        self.hashes.contains(&self.hash(id))
    }

    pub(super) fn insert(&mut self, id: &str) {
        self.hashes.insert(self.hash(id));
    }
}

/// What the writers' tests share: an in-memory output, a small XML tree read back with
/// quick-xml, and xmllint's verdict on well-formedness.
#[cfg(test)]
pub(super) mod testing {
    use std::io::{self, Write};
    use std::process::{Command, Stdio};
    use std::sync::{Arc, Mutex};

    use quick_xml::XmlVersion;
    use quick_xml::escape::resolve_predefined_entity;
    use quick_xml::events::Event;

    use crate::write::Output;

    /// An `Output` the test can read after the writer is done with it.
    #[derive(Debug, Clone, Default)]
    pub struct Memory(Arc<Mutex<Vec<u8>>>);

    impl Memory {
        pub fn output(&self) -> Output {
            Box::new(self.clone())
        }

        pub fn text(&self) -> String {
            String::from_utf8(self.0.lock().unwrap().clone()).expect("the output is UTF-8")
        }
    }

    impl Write for Memory {
        fn write(&mut self, bytes: &[u8]) -> io::Result<usize> {
            self.0.lock().unwrap().extend_from_slice(bytes);
            Ok(bytes.len())
        }

        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }

    /// An element read back: its attributes, its text (CDATA included) and its children.
    #[derive(Debug, Default)]
    pub struct Node {
        pub name: String,
        pub attributes: Vec<(String, String)>,
        pub text: String,
        pub children: Vec<Node>,
    }

    impl Node {
        pub fn all<'a>(&'a self, name: &str) -> impl Iterator<Item = &'a Node> + use<'a> {
            let name = name.to_string();
            self.children.iter().filter(move |c| c.name == name)
        }

        pub fn child(&self, name: &str) -> Option<&Node> {
            self.all(name).next()
        }

        /// The text of the only child called `name`; panics if there is none or several.
        pub fn text_of(&self, name: &str) -> &str {
            let mut found = self.all(name);
            let node = found.next().unwrap_or_else(|| panic!("no <{name}> in <{}>", self.name));
            assert!(found.next().is_none(), "several <{name}> in <{}>", self.name);
            &node.text
        }

        pub fn attribute(&self, name: &str) -> Option<&str> {
            self.attributes.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str())
        }
    }

    /// The document's root element, read with quick-xml.
    pub fn parse(xml: &str) -> Node {
        let mut reader = quick_xml::Reader::from_str(xml);
        let mut stack = vec![Node::default()];
        loop {
            match reader.read_event().expect("well-formed XML") {
                Event::Start(e) => stack.push(open(&e)),
                Event::Empty(e) => {
                    let node = open(&e);
                    stack.last_mut().unwrap().children.push(node);
                }
                Event::End(_) => {
                    let node = stack.pop().unwrap();
                    stack.last_mut().unwrap().children.push(node);
                }
                Event::Text(t) => stack.last_mut().unwrap().text.push_str(&t.xml10_content()),
                Event::CData(c) => stack.last_mut().unwrap().text.push_str(&c.xml10_content()),
                Event::GeneralRef(r) => {
                    let text = match r.resolve_char_ref().unwrap() {
                        Some(c) => c.to_string(),
                        None => resolve_predefined_entity(&r).expect("a predefined entity").to_string(),
                    };
                    stack.last_mut().unwrap().text.push_str(&text);
                }
                Event::Eof => break,
                _ => {}
            }
        }
        let mut document = stack.pop().unwrap();
        assert_eq!(document.children.len(), 1, "one root element");
        document.children.pop().unwrap()
    }

    fn open(e: &quick_xml::events::BytesStart<'_>) -> Node {
        let attributes = e
            .attributes()
            .map(|a| {
                let a = a.unwrap();
                (
                    a.key.as_ref().to_string(),
                    a.normalized_value(XmlVersion::Implicit1_0).unwrap().into_owned(),
                )
            })
            .collect();
        Node { name: e.name().as_ref().to_string(), attributes, ..Node::default() }
    }

    /// Fails unless `xmllint --noout` finds `xml` well-formed.
    pub fn xmllint(xml: &str) {
        let child = Command::new("xmllint")
            .args(["--noout", "-"])
            .stdin(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn();
        let mut child = match child {
            Ok(child) => child,
            Err(e) if e.kind() == io::ErrorKind::NotFound => {
                panic!("xmllint is missing: apt install libxml2-utils")
            }
            Err(e) => panic!("xmllint did not start: {e}"),
        };
        child.stdin.take().unwrap().write_all(xml.as_bytes()).unwrap();
        let output = child.wait_with_output().unwrap();
        assert!(output.status.success(), "xmllint: {}", String::from_utf8_lossy(&output.stderr));
    }
}

#[cfg(test)]
mod tests {
    use rstest::rstest;

    use super::testing::{Memory, Node, parse, xmllint};
    use super::*;
    use crate::write::{FeedCategory, FeedParam};

    fn header() -> FeedHeader {
        FeedHeader {
            shop_name: "BestSeller".to_string(),
            company: "ООО «Бест & Селлер»".to_string(),
            url: "https://bestseller.example".to_string(),
            currency: "RUR".to_string(),
            categories: vec![
                FeedCategory { id: 1, parent: None, name: "Обувь".to_string() },
                FeedCategory { id: 2, parent: Some(1), name: "Кроссовки".to_string() },
            ],
            ..FeedHeader::default()
        }
    }

    fn param(name: &str, value: &str) -> FeedParam {
        FeedParam { name: name.to_string(), value: value.to_string(), unit: None }
    }

    /// An item every rule accepts.
    fn item(sku: &str) -> FeedItem {
        FeedItem {
            sku: sku.to_string(),
            name: format!("Кроссовки Nike Air Force 1, {sku}"),
            description: "<p>Кожаные <b>кроссовки</b></p><p>Размер в размер</p>".to_string(),
            brand: "Nike".to_string(),
            model: "AF1-07".to_string(),
            category_id: Some(2),
            price_minor: 999_000,
            stock: 3,
            pictures: vec![format!("https://bestseller.example/img/{sku}-1.jpg")],
            url: Some(format!("https://bestseller.example/p/{sku}")),
            ..FeedItem::default()
        }
    }

    /// Writes `items` with `options`; the output (checked by xmllint), the skips and the summary.
    fn write(items: &[FeedItem], options: GoogleOptions) -> (String, Vec<Result<(), Skip>>, WriteSummary) {
        let memory = Memory::default();
        let mut writer: Box<dyn FeedWriter> =
            Box::new(GoogleWriter::new(memory.output(), &header(), options).unwrap());
        let results = items.iter().map(|i| writer.write_item(i).unwrap()).collect();
        let summary = writer.finish().unwrap();
        let xml = memory.text();
        xmllint(&xml);
        (xml, results, summary)
    }

    fn items_of(xml: &str) -> Vec<Node> {
        let rss = parse(xml);
        assert_eq!(rss.name, "rss");
        assert_eq!(rss.attribute("version"), Some("2.0"));
        assert_eq!(rss.attribute("xmlns:g"), Some("http://base.google.com/ns/1.0"));
        let mut channel = rss.children.into_iter().next().expect("a channel");
        assert_eq!(channel.name, "channel");
        channel.children.retain(|c| c.name == "item");
        channel.children
    }

    #[test]
    fn a_full_item_carries_every_field_googles_way() {
        let full = FeedItem {
            old_price_minor: Some(1_299_000),
            barcodes: vec!["4006381333932".to_string(), "4600702009149".to_string()],
            group_id: Some(1042),
            params: vec![param("Цвет", "белый, чёрный"), param("Размер", "42.5"), param("Материал", "кожа")],
            weight_g: Some(900),
            dimensions_mm: Some([325, 200, 120]),
            ..item("SKU-1042-42")
        };
        let options =
            GoogleOptions { google_product_category: Some("187".to_string()), ..Default::default() };
        let (xml, results, summary) = write(&[full], options);
        assert!(xml.starts_with("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<rss "), "{xml}");
        assert_eq!(results, [Ok(())]);
        assert_eq!(summary, WriteSummary { written: 1, cleaned_chars: 0, replaced_chars: 0 });

        let rss = parse(&xml);
        let channel = rss.child("channel").unwrap();
        assert_eq!(channel.text_of("title"), "BestSeller");
        assert_eq!(channel.text_of("link"), "https://bestseller.example");
        assert_eq!(channel.text_of("description"), "ООО «Бест & Селлер»");

        let items = items_of(&xml);
        let item = &items[0];
        let expected = [
            ("g:id", "SKU-1042-42"),
            ("g:title", "Кроссовки Nike Air Force 1, SKU-1042-42"),
            ("g:description", "Кожаные кроссовки\nРазмер в размер"),
            ("g:link", "https://bestseller.example/p/SKU-1042-42"),
            ("g:image_link", "https://bestseller.example/img/SKU-1042-42-1.jpg"),
            ("g:availability", "in_stock"),
            // The old price is the regular one; the current price is the sale price.
            ("g:price", "12990.00 RUB"),
            ("g:sale_price", "9990.00 RUB"),
            ("g:brand", "Nike"),
            // The first barcode fails its check digit; the second is taken.
            ("g:gtin", "4600702009149"),
            ("g:condition", "new"),
            ("g:google_product_category", "187"),
            ("g:product_type", "Обувь > Кроссовки"),
            ("g:item_group_id", "1042"),
            ("g:color", "белый/чёрный"),
            ("g:size", "42.5"),
            ("g:shipping_weight", "0.9 kg"),
            ("g:product_length", "32.5 cm"),
            ("g:product_width", "20 cm"),
            ("g:product_height", "12 cm"),
        ];
        let names: Vec<&str> = item.children.iter().map(|c| c.name.as_str()).collect();
        assert_eq!(names, expected.iter().map(|(n, _)| *n).collect::<Vec<_>>());
        for (name, value) in expected {
            assert_eq!(item.text_of(name), value, "{name}");
        }
    }

    #[test]
    fn identifiers_fall_back_from_gtin_to_mpn_to_none() {
        let restricted = FeedItem { barcodes: vec!["2000000000015".to_string()], ..item("A-1") };
        let no_model = FeedItem { model: String::new(), ..item("A-2") };
        let long_model = FeedItem { model: "M".repeat(71), ..item("A-3") };
        let out_of_stock = FeedItem { stock: 0, old_price_minor: Some(999_000), ..item("A-4") };
        let (xml, _, summary) =
            write(&[restricted, no_model, long_model, out_of_stock], GoogleOptions::default());
        assert_eq!(summary.written, 4);
        let items = items_of(&xml);
        assert!(items[0].child("g:gtin").is_none());
        assert_eq!(items[0].text_of("g:mpn"), "AF1-07");
        assert!(items[0].child("g:identifier_exists").is_none());
        assert_eq!(items[1].text_of("g:identifier_exists"), "no");
        assert!(items[1].child("g:mpn").is_none());
        for name in ["g:gtin", "g:mpn", "g:identifier_exists"] {
            assert!(items[2].child(name).is_none(), "{name}");
        }
        // An old price that is not higher is no sale.
        assert_eq!(items[3].text_of("g:availability"), "out_of_stock");
        assert_eq!(items[3].text_of("g:price"), "9990.00 RUB");
        assert!(items[3].child("g:sale_price").is_none());
    }

    /// `check` says whether the check digit is right, so a code refused for its range is known
    /// to be refused for that alone.
    #[rstest]
    #[case::ean13("4006381333931", true, true)]
    #[case::ean13_russia("4600702009149", true, true)]
    #[case::ean13_leading_zero("0194500123458", true, true)]
    #[case::ean8("96385074", true, true)]
    #[case::upc_a("036000291452", true, true)]
    #[case::gtin14_indicator_0("04006381333931", true, true)]
    #[case::wrong_check_digit("4006381333932", false, false)]
    #[case::in_store_2("2000000000015", true, false)]
    #[case::restricted_02("0200000000004", true, false)]
    #[case::coupon_05("0500000000005", true, false)]
    #[case::coupon_98("9800000000007", true, false)]
    #[case::upc_in_store_4("400000000008", true, false)]
    #[case::rcn8("21234569", true, false)]
    #[case::bulk_gtin14("14006381333938", true, false)]
    #[case::eleven_digits("40063813339", false, false)]
    #[case::not_digits("400638133393a", false, false)]
    fn gtin_needs_a_check_digit_and_an_open_range(
        #[case] code: &str,
        #[case] check: bool,
        #[case] accepted: bool,
    ) {
        let digits: Vec<u8> = code.bytes().map(|b| b.wrapping_sub(b'0')).collect();
        let (body, last) = digits.split_at(digits.len() - 1);
        assert_eq!(
            digits.iter().all(|d| *d < 10)
                && matches!(code.len(), 8 | 12 | 13 | 14)
                && gs1_check_digit(body) == last[0],
            check
        );
        assert_eq!(feed_gtin(code), accepted.then_some(code));
    }

    #[test]
    fn each_skip_has_its_reason_and_the_rest_is_written() {
        let items = [
            item("OK-1"),
            FeedItem { sku: "  ".to_string(), ..item("x") },
            FeedItem { sku: "S".repeat(51), ..item("x") },
            FeedItem { sku: "ok-1".to_string(), ..item("x") },
            FeedItem { name: "Т".repeat(151), ..item("OK-2") },
            FeedItem { name: " ".to_string(), ..item("OK-2") },
            FeedItem { url: None, ..item("OK-2") },
            FeedItem { url: Some("/p/relative".to_string()), ..item("OK-2") },
            FeedItem { price_minor: 0, ..item("OK-2") },
            FeedItem { pictures: vec!["img/1.jpg".to_string()], ..item("OK-2") },
            FeedItem { brand: " ".to_string(), ..item("OK-2") },
            FeedItem { name: "Т".repeat(150), ..item("OK-2") },
        ];
        let (xml, results, summary) = write(&items, GoogleOptions::default());
        assert_eq!(
            results,
            [
                Ok(()),
                Err(Skip::BadId { reason: "it is empty" }),
                Err(Skip::BadId { reason: "it is longer than Google's 50 characters" }),
                Err(Skip::BadId {
                    reason: "another item in the file has the same SKU (Google ignores case)"
                }),
                Err(Skip::TitleTooLong { limit: 150, length: 151 }),
                Err(Skip::MissingField { field: "title" }),
                Err(Skip::MissingField { field: "link" }),
                Err(Skip::MissingField { field: "link" }),
                Err(Skip::NoPrice),
                Err(Skip::NoPicture),
                Err(Skip::MissingField { field: "brand" }),
                Ok(()),
            ]
        );
        assert_eq!(summary.written, 2);
        let ids: Vec<String> = items_of(&xml).iter().map(|i| i.text_of("g:id").to_string()).collect();
        assert_eq!(ids, ["OK-1", "OK-2"]);
    }

    #[test]
    fn a_stricter_title_limit_from_the_options_applies() {
        let options = GoogleOptions { title_limit: 20, ..Default::default() };
        let (_, results, summary) = write(&[item("A")], options);
        assert_eq!(results, [Err(Skip::TitleTooLong { limit: 20, length: 29 })]);
        assert_eq!(summary.written, 0);
    }

    #[test]
    fn urls_are_escaped_and_text_is_cleaned() {
        let tricky = FeedItem {
            description: "Скобки ]]> и <управляющие>\u{1}\u{8} символы & \u{B}прочее".to_string(),
            pictures: vec!["https://cdn.example/a.jpg?w=1&h=2".to_string()],
            name: "Кеды \u{7}Converse".to_string(),
            ..item("ESC-1")
        };
        let (xml, results, summary) = write(&[tricky], GoogleOptions::default());
        assert_eq!(results, [Ok(())]);
        assert!(xml.contains("<g:image_link>https://cdn.example/a.jpg?w=1&amp;h=2</g:image_link>"), "{xml}");
        assert_eq!(summary.cleaned_chars, 4);
        let items = items_of(&xml);
        assert_eq!(items[0].text_of("g:image_link"), "https://cdn.example/a.jpg?w=1&h=2");
        assert_eq!(items[0].text_of("g:title"), "Кеды Converse");
        // `<управляющие>` reads as a tag to the HTML-to-text step and goes with the tags.
        assert_eq!(items[0].text_of("g:description"), "Скобки ]]> и  символы & прочее");
    }

    #[test]
    fn links_are_made_ascii() {
        let cyrillic = FeedItem {
            url: Some("https://shop.example/каталог/кроссовки 42?цвет=белый".to_string()),
            ..item("L-1")
        };
        let templated = FeedItem { sku: "L/Б 2".to_string(), url: None, ..item("x") };
        let options = GoogleOptions {
            link_template: Some("https://магазин.рф/p/{sku}".to_string()),
            ..Default::default()
        };
        let (xml, results, _) = write(&[cyrillic, templated], options);
        assert_eq!(results, [Ok(()), Ok(())]);
        let items = items_of(&xml);
        assert_eq!(
            items[0].text_of("g:link"),
            "https://shop.example/%D0%BA%D0%B0%D1%82%D0%B0%D0%BB%D0%BE%D0%B3/\
             %D0%BA%D1%80%D0%BE%D1%81%D1%81%D0%BE%D0%B2%D0%BA%D0%B8%2042?\
             %D1%86%D0%B2%D0%B5%D1%82=%D0%B1%D0%B5%D0%BB%D1%8B%D0%B9"
        );
        assert_eq!(items[1].text_of("g:link"), "https://xn--80aairftm.xn--p1ai/p/L%2F%D0%91%202");
    }

    #[rstest]
    #[case::ascii_untouched("https://a.example/p/1?x=1&y=2#top", "https://a.example/p/1?x=1&y=2#top")]
    #[case::escapes_kept("https://a.example/a%20b/%D0%BA", "https://a.example/a%20b/%D0%BA")]
    #[case::lone_percent("https://a.example/100%", "https://a.example/100%25")]
    #[case::mixed("https://a.example/%D0%BAот", "https://a.example/%D0%BA%D0%BE%D1%82")]
    #[case::punycode_host_and_port("http://Пример.РФ:8080/", "http://xn--e1afmkfd.xn--p1ai:8080/")]
    #[case::punycode_mixed_label("https://bücher.example/", "https://xn--bcher-kva.example/")]
    #[case::quote_and_braces("https://a.example/\"{x}\"", "https://a.example/%22%7Bx%7D%22")]
    fn ascii_urls(#[case] url: &str, #[case] expected: &str) {
        assert_eq!(ascii_url(url), expected);
    }

    #[test]
    fn at_most_ten_additional_images_without_the_main_one() {
        let mut pictures: Vec<String> = (1..=13).map(|n| format!("https://cdn.example/{n}.jpg")).collect();
        pictures.insert(1, "https://cdn.example/1.jpg".to_string());
        pictures.insert(2, "ftp://cdn.example/x.jpg".to_string());
        let (xml, _, _) = write(&[FeedItem { pictures, ..item("IMG") }], GoogleOptions::default());
        let items = items_of(&xml);
        assert_eq!(items[0].text_of("g:image_link"), "https://cdn.example/1.jpg");
        let additional: Vec<&str> =
            items[0].all("g:additional_image_link").map(|n| n.text.as_str()).collect();
        let expected: Vec<String> = (2..=11).map(|n| format!("https://cdn.example/{n}.jpg")).collect();
        assert_eq!(additional, expected);
    }

    #[test]
    fn a_long_description_is_cut_at_a_word() {
        let long = "слово ".repeat(1000);
        let (xml, _, _) = write(&[FeedItem { description: long, ..item("D") }], GoogleOptions::default());
        let description = items_of(&xml)[0].text_of("g:description").to_string();
        assert!(description.chars().count() <= 5000);
        assert!(description.ends_with("слово…"), "{}", &description[description.len() - 40..]);
        assert_eq!(cut_text("abc", 3), "abc");
        assert_eq!(cut_text("abcdef", 4), "abc…");
    }

    #[test]
    fn an_empty_description_becomes_the_title() {
        let (xml, _, _) =
            write(&[FeedItem { description: "<p> </p>".to_string(), ..item("E") }], GoogleOptions::default());
        assert_eq!(items_of(&xml)[0].text_of("g:description"), "Кроссовки Nike Air Force 1, E");
    }

    #[test]
    fn an_empty_feed_is_a_valid_file() {
        let (xml, results, summary) = write(&[], GoogleOptions::default());
        assert!(results.is_empty());
        assert_eq!(summary, WriteSummary::default());
        assert!(items_of(&xml).is_empty());
    }

    #[test]
    fn options_and_currencies_google_cannot_take_are_refused() {
        let refused = |options: GoogleOptions, currency: &str| {
            let header = FeedHeader { currency: currency.to_string(), ..header() };
            GoogleWriter::new(Memory::default().output(), &header, options).unwrap_err().to_string()
        };
        let ok = GoogleOptions::default();
        assert!(
            refused(GoogleOptions { condition: "новый".to_string(), ..ok.clone() }, "RUB").contains("новый")
        );
        assert!(refused(GoogleOptions { title_limit: 151, ..ok.clone() }, "RUB").contains("151"));
        assert!(refused(GoogleOptions { description_limit: 0, ..ok.clone() }, "RUB").contains("1–5000"));
        let template =
            GoogleOptions { link_template: Some("https://shop.example/p/".to_string()), ..ok.clone() };
        assert!(refused(template, "RUB").contains("{sku}"));
        assert!(refused(ok, "руб").contains("ISO 4217"));
    }

    #[rstest]
    #[case(900, 3, "0.9")]
    #[case(1000, 3, "1")]
    #[case(1250, 3, "1.25")]
    #[case(5, 3, "0.005")]
    #[case(325, 1, "32.5")]
    #[case(320, 1, "32")]
    fn decimals_without_trailing_zeros(#[case] value: u32, #[case] digits: u32, #[case] expected: &str) {
        assert_eq!(decimal(value, digits, '.'), expected);
    }
}
