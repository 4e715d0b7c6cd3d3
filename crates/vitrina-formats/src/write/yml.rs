//! The YML (Yandex Market Language) feed: `<yml_catalog>` with the shop, its currencies,
//! categories and delivery options, then one `<offer>` per item, written as it comes.
//!
//! The rules followed are the current ones from Yandex's help pages as collected in
//! `shared/reference/yml.md` (§9 is the checklist), not the historical `shops.dtd`, which knows
//! neither `oldprice` nor `weight`, `dimensions`, `count` or `group_id`. `schemas/yml.xsd` states
//! the same rules as an XML Schema and the tests check every kind of file against it.
//!
//! Each offer is built in one reused `String` and then written (and, for windows-1251, encoded)
//! at once, so a catalog of a million items costs no more memory than one item.

use std::borrow::Cow;
use std::collections::{HashMap, HashSet};
use std::fmt::{self, Write as _};
use std::io::{self, BufWriter, Write};

use encoding_rs::WINDOWS_1251;

use super::text::{push_cdata, push_escaped, sanitize_feed_html};
use super::{DeliveryOption, FeedHeader, FeedItem, FeedWriter, Output, Skip, WriteError, WriteSummary};

/// The text encoding of the file. Market accepts both; many 1C-era consumers still expect
/// windows-1251.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum YmlEncoding {
    #[default]
    Utf8,
    Windows1251,
}

/// How the feed is written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct YmlOptions {
    pub encoding: YmlEncoding,
    /// Write `type="vendor.model"` offers (title from `typePrefix`, `vendor`, `model`) instead of
    /// simplified ones (title in `name`, `vendor` added).
    pub vendor_model: bool,
    /// Longest title in characters (Yandex Products: 150; the Market API allows 256).
    pub name_limit: usize,
    /// Longest description in characters, markup included: Yandex counts the whole CDATA text.
    pub description_limit: usize,
    /// Pictures per offer; the old limit of 10 is the one every consumer accepts.
    pub max_pictures: usize,
}

impl Default for YmlOptions {
    fn default() -> Self {
        YmlOptions {
            encoding: YmlEncoding::Utf8,
            vendor_model: false,
            name_limit: 150,
            description_limit: 3000,
            max_pictures: 10,
        }
    }
}

/// The tags a YML description may hold (yml.md §5); everything else is reduced to its text.
const DESCRIPTION_TAGS: [&str; 11] = ["p", "br", "h1", "h2", "h3", "h4", "h5", "h6", "ul", "ol", "li"];

/// `name` as one of [`DESCRIPTION_TAGS`] other than `br` (the elements that take an end tag).
fn description_element(name: &[u8]) -> Option<&'static str> {
    Some(match name {
        b"p" => "p",
        b"ul" => "ul",
        b"ol" => "ol",
        b"li" => "li",
        b"h1" => "h1",
        b"h2" => "h2",
        b"h3" => "h3",
        b"h4" => "h4",
        b"h5" => "h5",
        b"h6" => "h6",
        _ => return None,
    })
}

/// Market's SKU rule for `offer@id` (yml.md §4, the current one, not the DTD's 20 characters).
const OFFER_ID_MAX: usize = 80;
/// `group_id` is digits, at most nine of them.
const GROUP_ID_MAX: u64 = 999_999_999;
/// Longest URL consumers accept (yml.md §5, `url` and `picture`).
const URL_MAX: usize = 512;
/// Shop-wide delivery options beyond the fifth are refused by Yandex Products.
const DELIVERY_OPTIONS_MAX: usize = 5;
/// Large writes: a feed is hundreds of megabytes and the output may be a network stream.
const OUTPUT_BUFFER: usize = 256 * 1024;
/// Bytes encoded into windows-1251 per step (an offer longer than this takes several).
const ENCODE_CHUNK: usize = 16 * 1024;

/// Param names whose value goes into `country_of_origin` instead, the first one found wins.
const COUNTRY_PARAMS: [&str; 2] = ["Страна производства", "Страна"];
/// The param that names the product type (`typePrefix` in vendor.model offers).
const TYPE_PARAM: &str = "Тип";

/// A streaming YML writer; see the module documentation.
pub struct YmlWriter {
    out: BufWriter<Output>,
    options: YmlOptions,
    /// The `currencyId` of every price.
    currency: &'static str,
    /// Category names by id: an offer's category must be in the tree, and vendor.model offers
    /// take their `typePrefix` from it.
    categories: HashMap<u64, String>,
    /// The offer being built, reused from one offer to the next.
    buf: String,
    /// The description after cutting and replacing, reused likewise.
    description: String,
    /// Elements left open where a description is cut, reused likewise.
    open_tags: Vec<&'static str>,
    /// `Some` when writing windows-1251.
    cp1251: Option<Cp1251>,
    summary: WriteSummary,
}

impl fmt::Debug for YmlWriter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("YmlWriter").field("options", &self.options).field("summary", &self.summary).finish()
    }
}

impl YmlWriter {
    /// Writes the declaration and the shop block up to `<offers>`.
    ///
    /// Fails with [`WriteError::Format`] when the header cannot make a valid feed (an empty
    /// shop name, a currency YML does not know, a category whose parent is not in the tree, a
    /// delivery option whose term is not `N` or `N-M` days): the seller has to fix the
    /// profile, and no item would be accepted anyway.
    pub fn new(out: Output, header: &FeedHeader, options: YmlOptions) -> Result<Self, WriteError> {
        let currency = currency_id(&header.currency)?;
        let categories = category_names(header)?;
        let date = feed_date(header.generated_at_ms, header.utc_offset_minutes)?;
        let cp1251 = match options.encoding {
            YmlEncoding::Utf8 => None,
            YmlEncoding::Windows1251 => Some(Cp1251::new()),
        };
        let mut writer = YmlWriter {
            out: BufWriter::with_capacity(OUTPUT_BUFFER, out),
            options,
            currency,
            categories,
            buf: String::with_capacity(4096),
            description: String::new(),
            open_tags: Vec::new(),
            cp1251,
            summary: WriteSummary::default(),
        };
        writer.push_head(header, &date)?;
        writer.write_buf()?;
        writer.buf.clear();
        Ok(writer)
    }

    /// The declaration, the root and the shop block in the order of yml.md §1.
    fn push_head(&mut self, header: &FeedHeader, date: &str) -> Result<(), WriteError> {
        let encoding = match self.options.encoding {
            YmlEncoding::Utf8 => "UTF-8",
            YmlEncoding::Windows1251 => "windows-1251",
        };
        let cleaned = &mut self.summary.cleaned_chars;
        let buf = &mut self.buf;
        buf.clear();
        let _ = write!(
            buf,
            "<?xml version=\"1.0\" encoding=\"{encoding}\"?>\n<yml_catalog date=\"{date}\">\n<shop>\n"
        );
        for (element, value) in [("name", &header.shop_name), ("company", &header.company)] {
            if value.trim().is_empty() {
                return Err(WriteError::Format(format!("the shop's {element} is empty; YML requires it")));
            }
            push_element(buf, 1, element, value, cleaned);
        }
        if header.url.trim().is_empty() {
            return Err(WriteError::Format(
                "the shop's address (url) is empty; YML requires the shop's home page".to_string(),
            ));
        }
        if !push_url_element(buf, 1, "url", &header.url) {
            return Err(WriteError::Format(format!(
                "the shop's address \"{}\" is not an absolute http(s) URL of at most {URL_MAX} characters",
                header.url
            )));
        }
        for (element, value) in
            [("platform", &header.platform), ("version", &header.version), ("email", &header.email)]
        {
            if !value.trim().is_empty() {
                push_element(buf, 1, element, value, cleaned);
            }
        }
        push_currencies(buf, self.currency);
        push_categories(buf, header, cleaned);
        push_delivery_options(buf, &header.delivery_options)?;
        buf.push_str("  <offers>\n");
        Ok(())
    }

    /// Writes what `buf` holds, encoded when the file is windows-1251.
    fn write_buf(&mut self) -> io::Result<()> {
        match &mut self.cp1251 {
            None => self.out.write_all(self.buf.as_bytes()),
            Some(cp1251) => cp1251.write(&self.buf, &mut self.out, &mut self.summary.replaced_chars),
        }
    }

    /// Why `item` cannot be an offer, if it cannot.
    fn check(&self, item: &FeedItem) -> Result<(), Skip> {
        if item.price_minor <= 0 {
            return Err(Skip::NoPrice);
        }
        let (field, title) = self.title(item);
        // Measured as written: trimmed.
        let title = title.trim();
        if title.is_empty() {
            return Err(Skip::MissingField { field });
        }
        let length = title.chars().count();
        if length > self.options.name_limit {
            return Err(Skip::TitleTooLong { limit: self.options.name_limit, length });
        }
        if let Some(reason) = offer_id_problem(&item.sku) {
            return Err(Skip::BadId { reason });
        }
        // Market requires a category, and one that the file's tree declares.
        if !item.category_id.is_some_and(|id| self.categories.contains_key(&id)) {
            return Err(Skip::MissingField { field: "categoryId" });
        }
        if self.options.vendor_model && item.brand.trim().is_empty() {
            return Err(Skip::MissingField { field: "vendor" });
        }
        Ok(())
    }

    /// The element that carries the title and its text: `name` in simplified offers, `model`
    /// (the item's model, or its name when it has none) in vendor.model ones. The title limit
    /// applies to that text, so a long catalog name does not refuse an offer that never
    /// writes it.
    fn title<'a>(&self, item: &'a FeedItem) -> (&'static str, &'a str) {
        if !self.options.vendor_model {
            ("name", &item.name)
        } else if item.model.trim().is_empty() {
            ("model", &item.name)
        } else {
            ("model", &item.model)
        }
    }

    /// Builds the offer for a checked `item` in `buf`, elements in the order of yml.md §5.
    fn push_offer(&mut self, item: &FeedItem) {
        let buf = &mut self.buf;
        buf.push_str("    <offer id=\"");
        // The id holds only characters that need no escaping (checked by `offer_id_problem`).
        buf.push_str(&item.sku);
        buf.push('"');
        if self.options.vendor_model {
            buf.push_str(" type=\"vendor.model\"");
        }
        buf.push_str(if item.stock > 0 { " available=\"true\"" } else { " available=\"false\"" });
        // A longer group number is not written: the offer stays valid, only ungrouped.
        if let Some(group) = item.group_id.filter(|g| *g <= GROUP_ID_MAX) {
            buf.push_str(" group_id=\"");
            push_number(buf, group);
            buf.push('"');
        }
        buf.push_str(">\n");
        if let Some(url) = &item.url {
            push_url_element(buf, 3, "url", url);
        }
        push_money_element(buf, "price", item.price_minor);
        if let Some(old) = item.old_price_minor.filter(|old| *old > item.price_minor) {
            push_money_element(buf, "oldprice", old);
        }
        push_open(buf, 3, "currencyId");
        buf.push_str(self.currency);
        push_close(buf, "currencyId");
        push_number_element(buf, "categoryId", item.category_id.unwrap_or_default());
        let mut pictures = 0;
        for picture in &item.pictures {
            if pictures == self.options.max_pictures {
                break;
            }
            pictures += usize::from(push_url_element(buf, 3, "picture", picture));
        }
        self.push_title(item);
        self.push_description(&item.description);
        self.push_characteristics(item);
        self.buf.push_str("    </offer>\n");
    }

    /// `name`, `vendor`, `vendorCode` (simplified) or `typePrefix`, `vendor`, `vendorCode`,
    /// `model` (vendor.model, the order of the old DTD).
    fn push_title(&mut self, item: &FeedItem) {
        let cleaned = &mut self.summary.cleaned_chars;
        let buf = &mut self.buf;
        if !self.options.vendor_model {
            push_element(buf, 3, "name", &item.name, cleaned);
            push_element_if_any(buf, "vendor", &item.brand, cleaned);
            push_element_if_any(buf, "vendorCode", &item.model, cleaned);
            return;
        }
        let type_prefix = item
            .params
            .iter()
            .find(|p| same_name(&p.name, TYPE_PARAM) && !p.value.trim().is_empty())
            .map(|p| p.value.as_str())
            .or_else(|| item.category_id.and_then(|id| self.categories.get(&id)).map(String::as_str));
        push_element_if_any(buf, "typePrefix", type_prefix.unwrap_or_default(), cleaned);
        push_element(buf, 3, "vendor", &item.brand, cleaned);
        push_element_if_any(buf, "vendorCode", &item.model, cleaned);
        let model = if item.model.trim().is_empty() { &item.name } else { &item.model };
        push_element(buf, 3, "model", model, cleaned);
    }

    /// `description` in CDATA: the HTML cut down to the tags YML allows, then to the length
    /// limit; for windows-1251, characters it cannot hold become `?` (a character reference
    /// would be read literally inside CDATA).
    fn push_description(&mut self, html: &str) {
        if html.trim().is_empty() {
            return;
        }
        // What the sanitizer would leave unchanged is not copied for nothing (it allocates per
        // tag and would cost more than the rest of the offer).
        let html = if is_feed_html(html) {
            Cow::Borrowed(html)
        } else {
            Cow::Owned(sanitize_feed_html(html, &DESCRIPTION_TAGS))
        };
        let kept = if html.chars().count() > self.options.description_limit {
            cut_html(&html, self.options.description_limit, &mut self.open_tags)
        } else {
            self.open_tags.clear();
            &html
        };
        if kept.trim().is_empty() {
            return;
        }
        let text = &mut self.description;
        text.clear();
        match &self.cp1251 {
            None => text.push_str(kept),
            Some(cp1251) if cp1251.has_all(kept) => text.push_str(kept),
            Some(cp1251) => {
                for c in kept.chars() {
                    if cp1251.has(c) {
                        text.push(c);
                    } else {
                        text.push('?');
                        self.summary.replaced_chars += 1;
                    }
                }
            }
        }
        for tag in self.open_tags.iter().rev() {
            let _ = write!(text, "</{tag}>");
        }
        self.buf.push_str("      <description>");
        push_cdata(&mut self.buf, text, &mut self.summary.cleaned_chars);
        self.buf.push_str("</description>\n");
    }

    /// `country_of_origin`, `barcode`s, `param`s, `weight`, `dimensions`, `count`.
    fn push_characteristics(&mut self, item: &FeedItem) {
        let cleaned = &mut self.summary.cleaned_chars;
        let buf = &mut self.buf;
        let country = COUNTRY_PARAMS.iter().find_map(|name| {
            item.params.iter().position(|p| same_name(&p.name, name) && !p.value.trim().is_empty())
        });
        if let Some(at) = country {
            push_element(buf, 3, "country_of_origin", &item.params[at].value, cleaned);
        }
        // Codes are validated upstream; anything else would make the file invalid.
        for barcode in item.barcodes.iter().filter(|b| is_barcode(b)) {
            push_open(buf, 3, "barcode");
            buf.push_str(barcode);
            push_close(buf, "barcode");
        }
        for (at, param) in item.params.iter().enumerate() {
            if Some(at) == country || param.name.trim().is_empty() || param.value.trim().is_empty() {
                continue;
            }
            buf.push_str("      <param name=\"");
            push_text(buf, &param.name, cleaned);
            if let Some(unit) = param.unit.as_deref().filter(|u| !u.trim().is_empty()) {
                buf.push_str("\" unit=\"");
                push_text(buf, unit, cleaned);
            }
            buf.push_str("\">");
            push_text(buf, &param.value, cleaned);
            buf.push_str("</param>\n");
        }
        if let Some(grams) = item.weight_g.filter(|g| *g > 0) {
            push_open(buf, 3, "weight");
            push_decimal(buf, u64::from(grams), 3);
            push_close(buf, "weight");
        }
        if let Some(mm) = item.dimensions_mm.filter(|d| d.iter().all(|x| *x > 0)) {
            push_open(buf, 3, "dimensions");
            for (at, side) in mm.iter().enumerate() {
                if at > 0 {
                    buf.push('/');
                }
                push_decimal(buf, u64::from(*side), 1);
            }
            push_close(buf, "dimensions");
        }
        // A negative stock (oversold) is still none left.
        push_number_element(buf, "count", item.stock.max(0).unsigned_abs());
    }
}

impl FeedWriter for YmlWriter {
    fn write_item(&mut self, item: &FeedItem) -> Result<Result<(), Skip>, WriteError> {
        if let Err(skip) = self.check(item) {
            return Ok(Err(skip));
        }
        // Offers gather in `buf` and go out a whole buffer at a time, which the `BufWriter`
        // passes straight to the file: the text is copied once on its way, not twice.
        self.push_offer(item);
        if self.buf.len() >= OUTPUT_BUFFER {
            self.write_buf()?;
            self.buf.clear();
        }
        self.summary.written += 1;
        Ok(Ok(()))
    }

    fn finish(mut self: Box<Self>) -> Result<WriteSummary, WriteError> {
        self.buf.push_str("  </offers>\n</shop>\n</yml_catalog>\n");
        self.write_buf()?;
        self.out.flush()?;
        Ok(self.summary)
    }
}

/// windows-1251 output: the characters it can hold and a reused byte buffer.
///
/// Encoded by hand rather than with `encoding_rs`'s general single-byte encoder, which looked
/// every character up and took a third of a cp1251 feed's time: ASCII is copied as it is and
/// the Russian alphabet is mapped by arithmetic on its UTF-8 bytes.
struct Cp1251 {
    /// The non-ASCII characters of windows-1251 with their bytes, sorted by character.
    upper_half: Vec<(char, u8)>,
    bytes: Vec<u8>,
}

impl Cp1251 {
    fn new() -> Self {
        let high: Vec<u8> = (0x80..=0xFF).collect();
        let (decoded, _) = WINDOWS_1251.decode_without_bom_handling(&high);
        // As WHATWG's index (which encoding_rs follows), every byte has a character; 0x98, which
        // the code page leaves undefined, stands for U+0098.
        let mut upper_half: Vec<(char, u8)> = decoded.chars().zip(high.iter().copied()).collect();
        upper_half.sort_unstable();
        Cp1251 { upper_half, bytes: Vec::with_capacity(ENCODE_CHUNK) }
    }

    /// The byte windows-1251 has for `c`, if it has one.
    fn byte(&self, c: char) -> Option<u8> {
        match c {
            '\0'..='\x7F' => Some(c as u8),
            // А..я are 0xC0..0xFF in order.
            '\u{410}'..='\u{44F}' => Some((c as u32 - 0x410 + 0xC0) as u8),
            _ => self.upper_half.binary_search_by_key(&c, |(c, _)| *c).ok().map(|i| self.upper_half[i].1),
        }
    }

    /// True when windows-1251 has a byte for `c`.
    fn has(&self, c: char) -> bool {
        self.byte(c).is_some()
    }

    /// True when every character of `text` has a byte (checked without decoding the ASCII and
    /// the Russian alphabet).
    fn has_all(&self, text: &str) -> bool {
        let b = text.as_bytes();
        let mut i = 0;
        while i < b.len() {
            match (b[i], b.get(i + 1)) {
                (0..=0x7F, _) => i += 1,
                (0xD0, Some(0x90..=0xBF)) | (0xD1, Some(0x80..=0x8F)) => i += 2,
                _ => {
                    let c = text[i..].chars().next().unwrap_or_default();
                    if !self.has(c) {
                        return false;
                    }
                    i += c.len_utf8();
                }
            }
        }
        true
    }

    /// Encodes `text` to `out`. A character windows-1251 lacks is written as a numeric
    /// character reference, which XML reads back as the character; the only CDATA written
    /// (the description) has had such characters replaced already, since a reference there
    /// would be literal text. Each reference adds one to `replaced`.
    fn write(&mut self, text: &str, out: &mut impl Write, replaced: &mut u64) -> io::Result<()> {
        let b = text.as_bytes();
        self.bytes.clear();
        let mut i = 0;
        while i < b.len() {
            match (b[i], b.get(i + 1)) {
                (0..=0x7F, _) => {
                    let run = b[i..].iter().position(|x| *x > 0x7F).unwrap_or(b.len() - i);
                    self.bytes.extend_from_slice(&b[i..i + run]);
                    i += run;
                }
                // U+0410..U+043F are D0 90..D0 BF, U+0440..U+044F are D1 80..D1 8F.
                (0xD0, Some(&x @ 0x90..=0xBF)) => {
                    self.bytes.push(x - 0x90 + 0xC0);
                    i += 2;
                }
                (0xD1, Some(&x @ 0x80..=0x8F)) => {
                    self.bytes.push(x - 0x80 + 0xF0);
                    i += 2;
                }
                _ => {
                    let c = text[i..].chars().next().unwrap_or_default();
                    match self.byte(c) {
                        Some(byte) => self.bytes.push(byte),
                        None => {
                            let _ = write!(self.bytes, "&#{};", u32::from(c));
                            *replaced += 1;
                        }
                    }
                    i += c.len_utf8();
                }
            }
            if self.bytes.len() >= ENCODE_CHUNK {
                out.write_all(&self.bytes)?;
                self.bytes.clear();
            }
        }
        out.write_all(&self.bytes)
    }
}

/// The `currencyId` for the header's ISO code; YML spells the rouble `RUR`.
fn currency_id(code: &str) -> Result<&'static str, WriteError> {
    match code.trim().to_ascii_uppercase().as_str() {
        "RUB" | "RUR" => Ok("RUR"),
        "BYN" => Ok("BYN"),
        "UAH" => Ok("UAH"),
        "KZT" => Ok("KZT"),
        "USD" => Ok("USD"),
        "EUR" => Ok("EUR"),
        _ => Err(WriteError::Format(format!(
            "the currency \"{code}\" cannot be used in YML: prices must be in RUB, BYN, UAH, KZT, USD or EUR"
        ))),
    }
}

/// `<currencies>`. Only RUR, BYN, UAH and KZT may be the base currency (`rate="1"`); dollar and
/// euro prices are declared at the central bank's rate against a rouble base.
fn push_currencies(buf: &mut String, currency: &'static str) {
    buf.push_str("  <currencies>\n");
    if matches!(currency, "USD" | "EUR") {
        buf.push_str("    <currency id=\"RUR\" rate=\"1\"/>\n");
        let _ = writeln!(buf, "    <currency id=\"{currency}\" rate=\"CBRF\"/>");
    } else {
        let _ = writeln!(buf, "    <currency id=\"{currency}\" rate=\"1\"/>");
    }
    buf.push_str("  </currencies>\n");
}

/// The category names by id, after checking the tree is one YML accepts: positive unique ids,
/// names, parents that are in the tree.
fn category_names(header: &FeedHeader) -> Result<HashMap<u64, String>, WriteError> {
    let mut names = HashMap::with_capacity(header.categories.len());
    for c in &header.categories {
        if c.id == 0 {
            return Err(WriteError::Format(format!(
                "the category \"{}\" has id 0; YML ids are positive",
                c.name
            )));
        }
        if c.name.trim().is_empty() {
            return Err(WriteError::Format(format!("the category {} has no name", c.id)));
        }
        if names.insert(c.id, c.name.clone()).is_some() {
            return Err(WriteError::Format(format!("two categories have the id {}", c.id)));
        }
    }
    let ids: HashSet<u64> = names.keys().copied().collect();
    if let Some(c) = header.categories.iter().find(|c| c.parent.is_some_and(|p| !ids.contains(&p))) {
        return Err(WriteError::Format(format!(
            "the parent of the category \"{}\" ({}) is not among the feed's categories",
            c.name,
            c.parent.unwrap_or_default()
        )));
    }
    Ok(names)
}

/// `<categories>`; a root has no `parentId` (the old DTD's `parentId="0"` is not written).
fn push_categories(buf: &mut String, header: &FeedHeader, cleaned: &mut u64) {
    buf.push_str("  <categories>\n");
    for c in &header.categories {
        let _ = write!(buf, "    <category id=\"{}\"", c.id);
        if let Some(parent) = c.parent {
            let _ = write!(buf, " parentId=\"{parent}\"");
        }
        buf.push('>');
        push_text(buf, &c.name, cleaned);
        buf.push_str("</category>\n");
    }
    buf.push_str("  </categories>\n");
}

/// `<delivery-options>` with the first five options, or nothing when there are none.
fn push_delivery_options(buf: &mut String, options: &[DeliveryOption]) -> Result<(), WriteError> {
    if options.is_empty() {
        return Ok(());
    }
    buf.push_str("  <delivery-options>\n");
    for option in options.iter().take(DELIVERY_OPTIONS_MAX) {
        if option.cost_minor < 0 {
            return Err(WriteError::Format(format!(
                "a delivery option costs {} (below zero)",
                option.cost_minor
            )));
        }
        if !is_delivery_days(&option.days) {
            return Err(WriteError::Format(format!(
                "the delivery term \"{}\" is not a number of days (\"2\"), a range (\"1-3\") or empty",
                option.days
            )));
        }
        // `cost` is a whole number; a fraction is rounded up so the feed never promises less
        // than the shop charges.
        let cost = option.cost_minor.unsigned_abs().div_ceil(100);
        let _ = write!(buf, "    <option cost=\"{cost}\" days=\"{}\"", option.days);
        match option.order_before {
            Some(hour) if hour <= 24 => {
                let _ = write!(buf, " order-before=\"{hour}\"");
            }
            Some(hour) => {
                return Err(WriteError::Format(format!("a delivery option's order-before hour is {hour}")));
            }
            None => {}
        }
        buf.push_str("/>\n");
    }
    buf.push_str("  </delivery-options>\n");
    Ok(())
}

/// `N`, `N-M` or empty (on order).
fn is_delivery_days(days: &str) -> bool {
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    match days.split_once('-') {
        None => days.is_empty() || digits(days),
        Some((from, to)) => digits(from) && digits(to),
    }
}

/// `yml_catalog@date`: the seller's local time to the minute with its offset, the RFC 3339
/// form Market asks for (`2026-07-15T14:37+03:00`).
fn feed_date(utc_ms: i64, offset_minutes: i32) -> Result<String, WriteError> {
    if offset_minutes.unsigned_abs() >= 24 * 60 {
        return Err(WriteError::Format(format!(
            "the time zone offset of {offset_minutes} minutes is not a real one"
        )));
    }
    let local_minutes = utc_ms.div_euclid(60_000) + i64::from(offset_minutes);
    let (year, month, day) = civil_from_days(local_minutes.div_euclid(24 * 60));
    if !(1..=9999).contains(&year) {
        return Err(WriteError::Format(format!("the feed's date falls in the year {year}")));
    }
    let minute_of_day = local_minutes.rem_euclid(24 * 60);
    let sign = if offset_minutes < 0 { '-' } else { '+' };
    let offset = offset_minutes.unsigned_abs();
    Ok(format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}{sign}{:02}:{:02}",
        minute_of_day / 60,
        minute_of_day % 60,
        offset / 60,
        offset % 60
    ))
}

/// Year, month, day of the `days`-th day after 1970-01-01 in the proleptic Gregorian calendar
/// (Howard Hinnant's `civil_from_days`), to spare the crate a date library for one line.
fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let day_of_era = z.rem_euclid(146_097);
    let year_of_era = (day_of_era - day_of_era / 1460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let shifted_month = (5 * day_of_year + 2) / 153;
    let day = day_of_year - (153 * shifted_month + 2) / 5 + 1;
    let month = if shifted_month < 10 { shifted_month + 3 } else { shifted_month - 9 };
    let year = year_of_era + era * 400 + i64::from(month <= 2);
    (year, month as u32, day as u32)
}

/// Why `sku` cannot be an `offer@id`: Market's rule is at most 80 Latin or Cyrillic letters
/// (not «ё»), digits and `. , ? ( ) [ ] - =`; `_` and `/`, common in SKUs, are accepted too.
fn offer_id_problem(sku: &str) -> Option<&'static str> {
    if sku.is_empty() {
        return Some("it is empty");
    }
    if sku.chars().count() > OFFER_ID_MAX {
        return Some("it is longer than 80 characters");
    }
    let allowed = |c: char| {
        c.is_ascii_alphanumeric()
            || ('\u{410}'..='\u{44F}').contains(&c)
            || matches!(c, '.' | ',' | '?' | '(' | ')' | '[' | ']' | '-' | '=' | '_' | '/')
    };
    if !sku.chars().all(allowed) {
        return Some("only Latin and Cyrillic letters (not ё), digits and . , ? ( ) [ ] - = _ / are allowed");
    }
    None
}

/// EAN-8, UPC-A, EAN-13 or GTIN-14 digits.
fn is_barcode(code: &str) -> bool {
    matches!(code.len(), 8 | 12 | 13 | 14) && code.bytes().all(|b| b.is_ascii_digit())
}

/// Compares characteristic names as a seller means them: "страна" is "Страна". Names of
/// different lengths are different: upper and lower case take the same bytes in Latin and
/// Cyrillic, and the check runs for every param of every offer.
fn same_name(a: &str, b: &str) -> bool {
    let a = if a.len() > b.len() { a.trim() } else { a };
    a.len() == b.len() && a.chars().zip(b.chars()).all(|(x, y)| x == y || lower_case(x) == lower_case(y))
}

/// `c` in lower case: arithmetic for ASCII and the Russian alphabet, the Unicode tables (a
/// binary search) only for the rest.
fn lower_case(c: char) -> char {
    match c {
        'A'..='Z' => c.to_ascii_lowercase(),
        'А'..='Я' => char::from_u32(u32::from(c) + 0x20).unwrap_or(c),
        c if c.is_ascii() || ('а'..='я').contains(&c) => c,
        c => c.to_lowercase().next().unwrap_or(c),
    }
}

/// Appends `s` escaped, as [`push_escaped`] does, copying the runs between special bytes at
/// once instead of character by character (names and params are most of an offer).
fn push_text(buf: &mut String, s: &str, cleaned: &mut u64) {
    let bytes = s.as_bytes();
    let (mut plain_from, mut at) = (0, 0);
    while at < bytes.len() {
        let b = bytes[at];
        if BYTE_CLASS[usize::from(b)] & TEXT_SPECIAL == 0 {
            at += 1;
            continue;
        }
        // A special byte is ASCII or the lead byte 0xEF, so `at` is a character boundary.
        buf.push_str(&s[plain_from..at]);
        let entity = match b {
            b'&' => "&amp;",
            b'<' => "&lt;",
            b'>' => "&gt;",
            b'"' => "&quot;",
            b'\'' => "&apos;",
            _ => "",
        };
        if entity.is_empty() {
            // A control character or one of U+F000..U+FFFF (three bytes): `push_escaped`
            // knows which of them XML forbids.
            let len = if b < 0x80 { 1 } else { 3 };
            push_escaped(buf, &s[at..at + len], cleaned);
            at += len;
        } else {
            buf.push_str(entity);
            at += 1;
        }
        plain_from = at;
    }
    buf.push_str(&s[plain_from..]);
}

/// [`BYTE_CLASS`] bit: the byte may need escaping or dropping in text — markup, controls (tab,
/// line feed and carriage return too, to keep the table simple) and `0xEF`, which starts
/// U+FFFE and U+FFFF.
const TEXT_SPECIAL: u8 = 1;
/// [`BYTE_CLASS`] bit: the byte is percent-encoded in a URL (see [`needs_percent`]).
const URL_PERCENT: u8 = 2;
/// [`BYTE_CLASS`] bit: the byte is escaped for XML in a URL (`&`, `'`).
const URL_ESCAPE: u8 = 4;

/// What each byte needs, looked up once per byte: a `match` per byte compiles to jumps that
/// cost more than the copying, in the writer's hottest loops.
const BYTE_CLASS: [u8; 256] = {
    let mut table = [0u8; 256];
    let mut b = 0;
    while b < 256 {
        let byte = b as u8;
        if matches!(byte, b'&' | b'<' | b'>' | b'"' | b'\'' | 0..=0x1F | 0xEF) {
            table[b] |= TEXT_SPECIAL;
        }
        if needs_percent(byte) {
            table[b] |= URL_PERCENT;
        }
        if matches!(byte, b'&' | b'\'') {
            table[b] |= URL_ESCAPE;
        }
        b += 1;
    }
    table
};

/// `<element>` indented by `depth` pairs of spaces (`push_str` throughout: `write!` costs
/// more than the rest of an offer).
fn push_open(buf: &mut String, depth: usize, element: &str) {
    const INDENT: &str = "            ";
    buf.push_str(&INDENT[..(2 * depth).min(INDENT.len())]);
    buf.push('<');
    buf.push_str(element);
    buf.push('>');
}

/// `</element>` and the end of the line.
fn push_close(buf: &mut String, element: &str) {
    buf.push_str("</");
    buf.push_str(element);
    buf.push_str(">\n");
}

/// `<element>text</element>` on its own line, `text` trimmed.
fn push_element(buf: &mut String, depth: usize, element: &str, text: &str, cleaned: &mut u64) {
    push_open(buf, depth, element);
    push_text(buf, text.trim(), cleaned);
    push_close(buf, element);
}

/// An offer's optional element, left out when `text` is blank.
fn push_element_if_any(buf: &mut String, element: &str, text: &str, cleaned: &mut u64) {
    let text = text.trim();
    if !text.is_empty() {
        push_open(buf, 3, element);
        push_text(buf, text, cleaned);
        push_close(buf, element);
    }
}

/// An offer's element holding a whole number.
fn push_number_element(buf: &mut String, element: &str, value: u64) {
    push_open(buf, 3, element);
    push_number(buf, value);
    push_close(buf, element);
}

/// An offer's price element from minor units.
fn push_money_element(buf: &mut String, element: &str, minor: i64) {
    push_open(buf, 3, element);
    push_decimal(buf, minor.unsigned_abs(), 2);
    push_close(buf, element);
}

/// `value` in decimal digits, without the formatting machinery.
fn push_number(buf: &mut String, mut value: u64) {
    let mut digits = [0u8; 20];
    let mut at = digits.len();
    loop {
        at -= 1;
        digits[at] = b'0' + (value % 10) as u8;
        value /= 10;
        if value == 0 {
            break;
        }
    }
    buf.push_str(std::str::from_utf8(&digits[at..]).unwrap_or_default());
}

/// `value / 10^scale` with a dot and without trailing zeros: 599050 at scale 2 is `5990.5`,
/// 900 at scale 3 is `0.9`, 320 at scale 1 is `32`. Whole amounts have no fraction at all,
/// which every consumer reads and is how Yandex writes its examples.
fn push_decimal(buf: &mut String, value: u64, scale: u32) {
    let unit = 10u64.pow(scale);
    push_number(buf, value / unit);
    let mut fraction = value % unit;
    if fraction == 0 {
        return;
    }
    buf.push('.');
    let mut digits = scale;
    while fraction.is_multiple_of(10) {
        fraction /= 10;
        digits -= 1;
    }
    // Leading zeros of the fraction: 5 g is 0.005 kg.
    for _ in fraction.ilog10() + 1..digits {
        buf.push('0');
    }
    push_number(buf, fraction);
}

/// `<element>url</element>` when `url` is an absolute http(s) URL of at most [`URL_MAX`]
/// characters once encoded; returns whether it was written. A relative or oversized link is
/// useless to the consumer and would make the file invalid, so it is left out.
fn push_url_element(buf: &mut String, depth: usize, element: &str, url: &str) -> bool {
    let url = url.trim();
    let absolute = ["http://", "https://"].iter().any(|scheme| {
        url.get(..scheme.len()).is_some_and(|s| s.eq_ignore_ascii_case(scheme)) && url.len() > scheme.len()
    });
    if !absolute {
        return false;
    }
    // Written first and taken back if too long: the length is only known once encoded, and
    // one pass over the bytes is what a picture costs.
    let start = buf.len();
    push_open(buf, depth, element);
    if push_url(buf, url) > URL_MAX {
        buf.truncate(start);
        return false;
    }
    push_close(buf, element);
    true
}

/// Bytes a URL must carry percent-encoded (RFC 3986): non-ASCII (a Cyrillic path), controls,
/// the space and the characters that are never legal in a URI. `%` itself is left alone, as
/// links usually arrive encoded already.
const fn needs_percent(b: u8) -> bool {
    !b.is_ascii_graphic() || matches!(b, b'"' | b'<' | b'>' | b'\\' | b'^' | b'`' | b'{' | b'|' | b'}')
}

/// Appends `url` percent-encoded where it must be and escaped for XML (`&` and `'` remain);
/// runs of bytes that need neither are copied at once. Returns the encoded URL's length.
fn push_url(buf: &mut String, url: &str) -> usize {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    // Most links need nothing; finding that out without a branch per byte is twice as fast as
    // the loop below.
    let classes = url.bytes().fold(0, |all, b| all | BYTE_CLASS[usize::from(b)]);
    if classes & (URL_PERCENT | URL_ESCAPE) == 0 {
        buf.push_str(url);
        return url.len();
    }
    let mut plain_from = 0;
    let mut percent = 0;
    for (at, b) in url.bytes().enumerate() {
        let class = BYTE_CLASS[usize::from(b)];
        if class & (URL_PERCENT | URL_ESCAPE) == 0 {
            continue;
        }
        // A run of plain bytes is ASCII, so both of its ends are character boundaries.
        if plain_from < at {
            buf.push_str(&url[plain_from..at]);
        }
        plain_from = at + 1;
        if class & URL_PERCENT != 0 {
            percent += 1;
            buf.push('%');
            buf.push(char::from(HEX[usize::from(b >> 4)]));
            buf.push(char::from(HEX[usize::from(b & 0xF)]));
        } else if b == b'&' {
            buf.push_str("&amp;");
        } else {
            buf.push_str("&apos;");
        }
    }
    if plain_from < url.len() {
        buf.push_str(&url[plain_from..]);
    }
    url.len() + 2 * percent
}

/// True when `html` is already what [`sanitize_feed_html`] makes of it: every `<` opens one of
/// [`DESCRIPTION_TAGS`] written bare (`<p>`, `</li>`, `<br/>`). Plain text is, and so is a
/// description the catalog has cleaned to these tags.
fn is_feed_html(html: &str) -> bool {
    memchr::memchr_iter(b'<', html.as_bytes()).all(|at| {
        let rest = &html.as_bytes()[at + 1..];
        let Some(end) = rest.iter().take(4).position(|b| *b == b'>') else { return false };
        let tag = &rest[..end];
        tag == b"br/" || description_element(tag.strip_prefix(b"/").unwrap_or(tag)).is_some()
    })
}

/// The longest prefix of sanitized `html` that, followed by the end tags of the elements it
/// leaves open, is at most `limit` characters; `open` receives those elements, outermost first.
///
/// Cutting the markup itself would leave half a tag (`<u`) or an unclosed list, which some
/// consumers render badly and others refuse, so the cut moves whole tokens: a tag, an entity
/// (`&amp;`) or one character. The sanitizer guarantees that every `<` starts a tag of
/// [`DESCRIPTION_TAGS`] without attributes.
fn cut_html<'a>(html: &'a str, limit: usize, open: &mut Vec<&'static str>) -> &'a str {
    open.clear();
    let (mut kept, mut closing, mut at) = (0, 0, 0);
    while let Some(token) = html_token(&html[at..]) {
        let closing_after = match token.tag {
            Tag::Open(name) => closing + name.len() + 3,
            Tag::Close(name) if open.contains(&name) => closing - (name.len() + 3),
            _ => closing,
        };
        if kept + token.chars + closing_after > limit {
            break;
        }
        match token.tag {
            Tag::Open(name) => open.push(name),
            Tag::Close(name) => {
                if let Some(i) = open.iter().rposition(|t| *t == name) {
                    open.remove(i);
                }
            }
            Tag::None => {}
        }
        kept += token.chars;
        closing = closing_after;
        at += token.bytes;
    }
    &html[..at]
}

/// One indivisible piece of sanitized HTML.
struct Token {
    bytes: usize,
    chars: usize,
    tag: Tag,
}

enum Tag {
    Open(&'static str),
    Close(&'static str),
    /// Text, an entity or a `<br/>`.
    None,
}

/// The token `rest` starts with, `None` at the end.
fn html_token(rest: &str) -> Option<Token> {
    let first = rest.chars().next()?;
    let ascii_run = |len: usize, tag| Some(Token { bytes: len, chars: len, tag });
    if first == '<'
        && let Some(end) = rest.find('>')
    {
        let inner = &rest.as_bytes()[1..end];
        let (closing, name) = match inner.strip_prefix(b"/") {
            Some(name) => (true, name),
            None => (false, inner),
        };
        let tag = match description_element(name) {
            Some(name) if closing => Tag::Close(name),
            Some(name) => Tag::Open(name),
            None => Tag::None,
        };
        return ascii_run(end + 1, tag);
    }
    if first == '&' {
        let body = rest[1..].bytes().take(12).take_while(|b| b.is_ascii_alphanumeric() || *b == b'#').count();
        if body > 0 && rest.as_bytes().get(1 + body) == Some(&b';') {
            return ascii_run(body + 2, Tag::None);
        }
    }
    Some(Token { bytes: first.len_utf8(), chars: 1, tag: Tag::None })
}

#[cfg(test)]
mod tests {
    use std::path::Path;
    use std::process::Command;
    use std::sync::{Arc, Mutex};

    use rstest::rstest;

    use super::*;
    use crate::write::{FeedCategory, FeedParam};
    use crate::{Record, YmlReader};

    /// An [`Output`] whose bytes the test can read after the writer is finished.
    #[derive(Clone, Default)]
    struct SharedBytes(Arc<Mutex<Vec<u8>>>);

    impl Write for SharedBytes {
        fn write(&mut self, data: &[u8]) -> io::Result<usize> {
            self.0.lock().unwrap().extend_from_slice(data);
            Ok(data.len())
        }

        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }

    /// What writing a feed gave: the file, the summary, each item's outcome.
    struct Written {
        bytes: Vec<u8>,
        summary: WriteSummary,
        outcomes: Vec<Result<(), Skip>>,
    }

    impl Written {
        fn text(&self) -> &str {
            std::str::from_utf8(&self.bytes).expect("UTF-8 feed")
        }
    }

    fn write_feed(header: &FeedHeader, options: YmlOptions, items: &[FeedItem]) -> Written {
        let bytes = SharedBytes::default();
        let mut writer: Box<dyn FeedWriter> =
            Box::new(YmlWriter::new(Box::new(bytes.clone()), header, options).expect("header"));
        let outcomes = items.iter().map(|item| writer.write_item(item).expect("write")).collect();
        let summary = writer.finish().expect("finish");
        let bytes = bytes.0.lock().unwrap().clone();
        Written { bytes, summary, outcomes }
    }

    /// `xmllint` against `schemas/yml.xsd`: `Err` with its complaints when the file is invalid.
    fn validate(bytes: &[u8]) -> Result<(), String> {
        let schema = Path::new(env!("CARGO_MANIFEST_DIR")).join("schemas/yml.xsd");
        let mut file = tempfile::Builder::new().suffix(".xml").tempfile().unwrap();
        file.write_all(bytes).unwrap();
        let output = Command::new("xmllint")
            .arg("--noout")
            .arg("--nonet")
            .arg("--schema")
            .arg(&schema)
            .arg(file.path())
            .output();
        let output = match output {
            Ok(output) => output,
            Err(e) if e.kind() == io::ErrorKind::NotFound => {
                panic!(
                    "xmllint is not on PATH; install it with `apt install libxml2-utils` (scripts/test does)"
                )
            }
            Err(e) => panic!("could not run xmllint: {e}"),
        };
        if output.status.success() {
            Ok(())
        } else {
            Err(String::from_utf8_lossy(&output.stderr).into_owned())
        }
    }

    fn assert_valid(bytes: &[u8]) {
        if let Err(complaints) = validate(bytes) {
            panic!("the feed does not validate:\n{complaints}\n{}", String::from_utf8_lossy(bytes));
        }
    }

    fn header() -> FeedHeader {
        FeedHeader {
            shop_name: "Best & <Seller>".into(),
            company: "ООО «Лучший продавец»".into(),
            url: "https://bestseller.example".into(),
            email: "shop@bestseller.example".into(),
            platform: "Vitrina".into(),
            version: "0.1.0".into(),
            currency: "RUB".into(),
            // 2026-07-15 11:37 UTC, Moscow time.
            generated_at_ms: 1_784_115_420_000,
            utc_offset_minutes: 180,
            categories: vec![
                FeedCategory { id: 1, parent: None, name: "Обувь".into() },
                FeedCategory { id: 10, parent: Some(1), name: "Кроссовки".into() },
                FeedCategory { id: 11, parent: Some(10), name: "Беговые \"трейл\"".into() },
            ],
            delivery_options: (1..=6)
                .map(|n| DeliveryOption {
                    cost_minor: 30_000 * n,
                    days: format!("{n}-{}", n + 2),
                    order_before: Some(18),
                })
                .collect(),
        }
    }

    fn param(name: &str, value: &str, unit: Option<&str>) -> FeedParam {
        FeedParam { name: name.into(), value: value.into(), unit: unit.map(Into::into) }
    }

    /// An item that uses every field.
    fn rich_item(sku: &str) -> FeedItem {
        FeedItem {
            sku: sku.into(),
            name: "Кроссовки Brand \"Runner\" & <Co> 'x'\u{1}".into(),
            description: "<h2 class=\"t\">Лёгкие</h2><p>Сетка ]]> верх<script>alert('x')</script></p>\
                          <ul><li>раз\u{7}</li><li>два</li></ul><a href=\"http://x\">ссылка</a>"
                .into(),
            brand: "Brand & Sons".into(),
            model: "RUN-42-RED".into(),
            category_id: Some(11),
            group_id: Some(123_456_789),
            price_minor: 599_050,
            old_price_minor: Some(699_000),
            stock: 15,
            pictures: (1..=12)
                .map(|n| format!("https://bestseller.example/img/{sku}-{n}.jpg?a=1&b=2"))
                .collect(),
            barcodes: vec!["4601234567890".into(), "46012345".into()],
            params: vec![
                param("Цвет", "красный", None),
                param("Размер", "42", Some("RU")),
                param("Страна производства", "Россия", None),
                param("Материал <верха>", "сетка & \"кожа\"", Some("'%'")),
            ],
            weight_g: Some(900),
            dimensions_mm: Some([325, 200, 120]),
            url: Some("https://bestseller.example/p/кроссовки 42".into()),
        }
    }

    fn plain_item(sku: &str) -> FeedItem {
        FeedItem {
            sku: sku.into(),
            name: format!("Товар {sku}"),
            brand: "Brand".into(),
            category_id: Some(10),
            price_minor: 100_000,
            stock: 1,
            ..FeedItem::default()
        }
    }

    fn offers(bytes: &[u8]) -> Vec<Record> {
        let reader = YmlReader::new(bytes).expect("the reader opens the feed");
        reader.map(|r| r.expect("an offer")).collect()
    }

    #[test]
    fn a_rich_feed_validates_and_holds_what_was_given() {
        let mut second = rich_item("SKU-2");
        second.stock = 0;
        second.old_price_minor = Some(100);
        let written = write_feed(&header(), YmlOptions::default(), &[rich_item("SKU-1"), second]);
        assert_valid(&written.bytes);
        assert_eq!(written.outcomes, [Ok(()), Ok(())]);
        assert_eq!(written.summary.written, 2);
        // One control character in the name and one in the description, per item.
        assert_eq!(written.summary.cleaned_chars, 4);
        assert_eq!(written.summary.replaced_chars, 0);

        let text = written.text();
        assert!(text.starts_with(
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<yml_catalog date=\"2026-07-15T14:37+03:00\">"
        ));
        assert!(text.contains("<name>Best &amp; &lt;Seller&gt;</name>"));
        assert!(text.contains("<currency id=\"RUR\" rate=\"1\"/>"));
        assert!(text.contains("<category id=\"11\" parentId=\"10\">Беговые &quot;трейл&quot;</category>"));
        assert_eq!(text.matches("<option ").count(), 5);
        assert!(text.contains("<option cost=\"300\" days=\"1-3\" order-before=\"18\"/>"));
        assert!(text.contains("<offer id=\"SKU-1\" available=\"true\" group_id=\"123456789\">"));
        assert!(text.contains("<offer id=\"SKU-2\" available=\"false\" group_id=\"123456789\">"));
        assert_eq!(
            text.matches("<oldprice>6990</oldprice>").count(),
            1,
            "an oldprice below the price is left out"
        );
        assert_eq!(text.matches("<picture>").count(), 20, "ten pictures per offer");
        assert!(text.contains("<picture>https://bestseller.example/img/SKU-1-1.jpg?a=1&amp;b=2</picture>"));
        assert!(text.contains(
            "<url>https://bestseller.example/p/%D0%BA%D1%80%D0%BE%D1%81%D1%81%D0%BE%D0%B2%D0%BA%D0%B8%2042</url>"
        ));
        assert!(
            text.contains("<name>Кроссовки Brand &quot;Runner&quot; &amp; &lt;Co&gt; &apos;x&apos;</name>")
        );
        assert!(text.contains(
            "<description><![CDATA[<h2>Лёгкие</h2><p>Сетка ]]]]><![CDATA[> верх</p><ul><li>раз</li><li>два</li></ul>ссылка]]></description>"
        ));
        assert!(!text.contains("alert"));
        assert!(text.contains("<country_of_origin>Россия</country_of_origin>"));
        assert!(!text.contains("name=\"Страна производства\""), "the country is not repeated as a param");
        assert!(text.contains(
            "<param name=\"Материал &lt;верха&gt;\" unit=\"&apos;%&apos;\">сетка &amp; &quot;кожа&quot;</param>"
        ));
        assert!(text.contains("<param name=\"Размер\" unit=\"RU\">42</param>"));
        assert!(text.contains("<weight>0.9</weight>"));
        assert!(text.contains("<dimensions>32.5/20/12</dimensions>"));
        assert!(text.contains("<count>15</count>"));
        assert!(text.contains("<count>0</count>"));
        assert!(text.ends_with("  </offers>\n</shop>\n</yml_catalog>\n"));
    }

    #[test]
    fn the_reader_gets_back_what_the_writer_wrote() {
        let item = rich_item("SKU-1");
        let written = write_feed(&header(), YmlOptions::default(), &[item.clone(), plain_item("B.2")]);
        let reader = YmlReader::new(&written.bytes[..]).unwrap();
        assert_eq!(reader.shop().name.as_deref(), Some("Best & <Seller>"));
        let categories: Vec<_> = reader
            .categories()
            .iter()
            .map(|c| (c.id.as_str(), c.parent_id.as_deref(), c.name.as_str()))
            .collect();
        assert_eq!(
            categories,
            [("1", None, "Обувь"), ("10", Some("1"), "Кроссовки"), ("11", Some("10"), "Беговые \"трейл\"")]
        );

        let offers: Vec<Record> = reader.map(Result::unwrap).collect();
        assert_eq!(offers.len(), 2);
        let offer = &offers[0];
        assert_eq!(offer.id(), Some("SKU-1"));
        assert_eq!(offer.get("price"), Some("5990.5"));
        assert_eq!(offer.get("currencyId"), Some("RUR"));
        assert_eq!(offer.get("categoryId"), Some("11"));
        assert_eq!(offer.get("@group_id"), Some("123456789"));
        assert_eq!(offer.get("vendor"), Some("Brand & Sons"));
        assert_eq!(offer.get("vendorCode"), Some("RUN-42-RED"));
        let pictures: Vec<&str> = offer.get_all("picture").collect();
        assert_eq!(pictures, item.pictures[..10].iter().map(String::as_str).collect::<Vec<_>>());
        let barcodes: Vec<&str> = offer.get_all("barcode").collect();
        assert_eq!(barcodes, ["4601234567890", "46012345"]);
        let params: Vec<_> = offer.params().map(|p| (p.name, p.unit, p.value)).collect();
        assert_eq!(
            params,
            [
                ("Цвет", None, "красный"),
                ("Размер", Some("RU"), "42"),
                ("Материал <верха>", Some("'%'"), "сетка & \"кожа\""),
            ]
        );
        assert_eq!(offers[1].id(), Some("B.2"));
        assert_eq!(offers[1].get("price"), Some("1000"));
    }

    #[test]
    fn an_empty_feed_is_a_valid_file() {
        let mut header = header();
        header.delivery_options.clear();
        header.email.clear();
        header.platform.clear();
        header.version.clear();
        let written = write_feed(&header, YmlOptions::default(), &[]);
        assert_valid(&written.bytes);
        assert_eq!(written.summary, WriteSummary::default());
        assert!(!written.text().contains("delivery-options"));
        assert!(!written.text().contains("<email>"));
        assert!(offers(&written.bytes).is_empty());
    }

    #[test]
    fn vendor_model_offers_take_their_title_from_type_vendor_and_model() {
        let options = YmlOptions { vendor_model: true, ..YmlOptions::default() };
        let typed = FeedItem { params: vec![param("тип", "Кеды", None)], ..plain_item("A-1") };
        let untyped = FeedItem { model: "Runner 42".into(), category_id: Some(11), ..plain_item("A-2") };
        let no_brand = FeedItem { brand: " ".into(), ..plain_item("A-3") };
        let long_name_short_model =
            FeedItem { name: "x".repeat(200), model: "M1".into(), ..plain_item("A-4") };
        let written = write_feed(&header(), options, &[typed, untyped, no_brand, long_name_short_model]);
        assert_valid(&written.bytes);
        assert_eq!(written.outcomes, [Ok(()), Ok(()), Err(Skip::MissingField { field: "vendor" }), Ok(())]);

        let text = written.text();
        assert_eq!(text.matches("type=\"vendor.model\"").count(), 3);
        assert_eq!(text.matches("<name>").count(), 1, "only the shop's name");
        assert!(text.contains(
            "<typePrefix>Кеды</typePrefix>\n      <vendor>Brand</vendor>\n      <model>Товар A-1</model>"
        ));
        assert!(text.contains(
            "<typePrefix>Беговые &quot;трейл&quot;</typePrefix>\n      <vendor>Brand</vendor>\n      \
             <vendorCode>Runner 42</vendorCode>\n      <model>Runner 42</model>"
        ));
        let offers = offers(&written.bytes);
        assert_eq!(offers[0].get("@type"), Some("vendor.model"));
        assert_eq!(offers[1].get("model"), Some("Runner 42"));
    }

    #[test]
    fn windows_1251_output_writes_references_outside_cdata_and_question_marks_inside() {
        let options = YmlOptions { encoding: YmlEncoding::Windows1251, ..YmlOptions::default() };
        let mut header = header();
        header.shop_name = "Витрина 😀".into();
        let item = FeedItem {
            name: "Кружка 😀 «Ёлка»".into(),
            description: "<p>Чай ☕ и 😀</p>".into(),
            params: vec![param("Объём", "0,3 ㎖", None)],
            ..plain_item("MUG-1")
        };
        let written = write_feed(&header, options, &[item]);
        assert_valid(&written.bytes);
        // The shop name and the item name each hold one emoji, the param one ㎖, the
        // description two characters.
        assert_eq!(written.summary.replaced_chars, 5);

        let text = WINDOWS_1251
            .decode_without_bom_handling_and_without_replacement(&written.bytes)
            .expect("every byte is windows-1251");
        assert!(text.starts_with("<?xml version=\"1.0\" encoding=\"windows-1251\"?>\n"));
        assert!(text.contains("<name>Витрина &#128512;</name>"));
        assert!(text.contains("<name>Кружка &#128512; «Ёлка»</name>"));
        assert!(text.contains("<param name=\"Объём\">0,3 &#13206;</param>"));
        assert!(text.contains("<description><![CDATA[<p>Чай ? и ?</p>]]></description>"));

        let offers = offers(&written.bytes);
        assert_eq!(offers[0].get("name"), Some("Кружка 😀 «Ёлка»"));
    }

    #[test]
    fn every_character_windows_1251_is_said_to_have_encodes_without_replacement() {
        let cp1251 = Cp1251::new();
        let all: String = cp1251.upper_half.iter().map(|(c, _)| c).collect();
        let (_, _, replaced) = WINDOWS_1251.encode(&all);
        assert!(!replaced);
        assert_eq!(cp1251.upper_half.len(), 128, "a character for every byte from 0x80");
        // The hand encoder writes exactly what encoding_rs does, for every character it has.
        let every: String =
            (0u32..0x80).filter_map(char::from_u32).chain(all.chars()).chain('А'..='я').collect();
        let mut out = Vec::new();
        let mut cp = Cp1251::new();
        cp.write(&every, &mut out, &mut 0).unwrap();
        assert_eq!(out, WINDOWS_1251.encode(&every).0.as_ref());
        assert!(cp.has_all(&every) && !cp.has_all("ёж☕"));
        let mut out = Vec::new();
        let mut n = 0;
        cp.write("a☕я😀", &mut out, &mut n).unwrap();
        assert_eq!((out.as_slice(), n), (&b"a&#9749;\xFF&#128512;"[..], 2));
        assert!(cp1251.has('ё') && cp1251.has('№') && cp1251.has('€') && cp1251.has('я'));
        assert!(!cp1251.has('😀') && !cp1251.has('☕') && !cp1251.has('ä'));
    }

    #[test]
    fn the_schema_refuses_broken_feeds() {
        let good =
            String::from_utf8(write_feed(&header(), YmlOptions::default(), &[rich_item("SKU-1")]).bytes)
                .unwrap();
        assert_valid(good.as_bytes());
        let broken = [
            ("an offer without id", good.replace("<offer id=\"SKU-1\"", "<offer")),
            (
                "a 9-digit barcode",
                good.replace("<barcode>46012345</barcode>", "<barcode>460123456</barcode>"),
            ),
            ("a capitalised boolean", good.replace("available=\"true\"", "available=\"True\"")),
            (
                "an undeclared category",
                good.replace("<categoryId>11</categoryId>", "<categoryId>12</categoryId>"),
            ),
            ("a price with a comma", good.replace("<price>5990.5</price>", "<price>5990,5</price>")),
            ("a date without offset", good.replace("2026-07-15T14:37+03:00", "2026-07-15 14:37")),
            ("a ten-digit group", good.replace("group_id=\"123456789\"", "group_id=\"1234567890\"")),
            (
                "a name of 151 characters",
                good.replace("<name>Кроссовки", &format!("<name>{}", "я".repeat(151))),
            ),
        ];
        for (what, feed) in broken {
            assert_ne!(feed, good, "{what}: the replacement did not apply");
            assert!(validate(feed.as_bytes()).is_err(), "the schema accepted {what}");
        }
    }

    #[test]
    fn items_that_cannot_be_offers_are_skipped_with_their_reason() {
        let items = [
            plain_item("OK-1"),
            FeedItem { price_minor: 0, ..plain_item("FREE") },
            FeedItem { price_minor: -5, ..plain_item("NEG") },
            FeedItem { name: " ".into(), ..plain_item("NONAME") },
            FeedItem { name: "я".repeat(151), ..plain_item("LONG") },
            FeedItem { name: "я".repeat(150), ..plain_item("JUST-FITS") },
            plain_item(""),
            plain_item(&"A".repeat(81)),
            plain_item("with space"),
            plain_item("ёлка"),
            plain_item("a&b"),
            FeedItem { category_id: None, ..plain_item("NOCAT") },
            FeedItem { category_id: Some(99), ..plain_item("BADCAT") },
            plain_item("Ёж,(a)[b]-c=d_e/f?g.h"),
            plain_item("Кириллица-1"),
        ];
        let written = write_feed(&header(), YmlOptions::default(), &items);
        assert_valid(&written.bytes);
        let bad_chars =
            "only Latin and Cyrillic letters (not ё), digits and . , ? ( ) [ ] - = _ / are allowed";
        let expected = [
            Ok(()),
            Err(Skip::NoPrice),
            Err(Skip::NoPrice),
            Err(Skip::MissingField { field: "name" }),
            Err(Skip::TitleTooLong { limit: 150, length: 151 }),
            Ok(()),
            Err(Skip::BadId { reason: "it is empty" }),
            Err(Skip::BadId { reason: "it is longer than 80 characters" }),
            Err(Skip::BadId { reason: bad_chars }),
            Err(Skip::BadId { reason: bad_chars }),
            Err(Skip::BadId { reason: bad_chars }),
            Err(Skip::MissingField { field: "categoryId" }),
            Err(Skip::MissingField { field: "categoryId" }),
            Err(Skip::BadId { reason: bad_chars }),
            Ok(()),
        ];
        assert_eq!(written.outcomes, expected);
        assert_eq!(written.summary.written, 3);
        let ids: Vec<_> = offers(&written.bytes).iter().map(|o| o.id().unwrap().to_owned()).collect();
        assert_eq!(ids, ["OK-1", "JUST-FITS", "Кириллица-1"]);
    }

    #[test]
    fn an_80_character_id_with_every_allowed_sign_is_accepted() {
        let sku = format!("{}.,?()[]-=_/", "Zя9".repeat(23));
        assert_eq!(sku.chars().count(), 80);
        let written = write_feed(&header(), YmlOptions::default(), &[plain_item(&sku)]);
        assert_eq!(written.outcomes, [Ok(())]);
        assert_valid(&written.bytes);
    }

    #[rstest]
    #[case("plain текст", "plain текст", 0)]
    #[case("a&b<c>\"d\"'e'", "a&amp;b&lt;c&gt;&quot;d&quot;&apos;e&apos;", 0)]
    #[case("таб\tперевод\nстроки\r", "таб\tперевод\nстроки\r", 0)]
    #[case("x\u{1}y\u{1F}&\u{7}", "xy&amp;", 3)]
    #[case("\u{FFFE}ok\u{FFFF}\u{F000}\u{FFFD}", "ok\u{F000}\u{FFFD}", 2)]
    fn text_is_escaped_like_the_shared_helper(
        #[case] text: &str,
        #[case] expected: &str,
        #[case] dropped: u64,
    ) {
        let (mut fast, mut cleaned) = (String::new(), 0);
        push_text(&mut fast, text, &mut cleaned);
        assert_eq!((fast.as_str(), cleaned), (expected, dropped));
        let (mut shared, mut shared_cleaned) = (String::new(), 0);
        push_escaped(&mut shared, text, &mut shared_cleaned);
        assert_eq!((fast, cleaned), (shared, shared_cleaned));
    }

    #[rstest]
    #[case("Страна", "Страна", true)]
    #[case("страна", "Страна", true)]
    #[case(" СТРАНА ", "Страна", true)]
    #[case("ЁЛКА", "ёлка", true)]
    #[case("TYPE", "type", true)]
    #[case("Страны", "Страна", false)]
    #[case("Страна производства", "Страна", false)]
    #[case("Стр", "Страна", false)]
    fn characteristic_names_match_whatever_their_case(#[case] a: &str, #[case] b: &str, #[case] same: bool) {
        assert_eq!(same_name(a, b), same);
    }

    #[rstest]
    #[case(599_050, 2, "5990.5")]
    #[case(599_000, 2, "5990")]
    #[case(599_005, 2, "5990.05")]
    #[case(1, 2, "0.01")]
    #[case(900, 3, "0.9")]
    #[case(1_500, 3, "1.5")]
    #[case(5, 3, "0.005")]
    #[case(12_345, 3, "12.345")]
    #[case(325, 1, "32.5")]
    #[case(320, 1, "32")]
    #[case(7, 1, "0.7")]
    fn numbers_are_written_with_a_dot_and_no_trailing_zeros(
        #[case] value: u64,
        #[case] scale: u32,
        #[case] expected: &str,
    ) {
        let mut buf = String::new();
        push_decimal(&mut buf, value, scale);
        assert_eq!(buf, expected);
    }

    #[test]
    fn prices_weights_and_dimensions_in_the_feed() {
        let item = FeedItem {
            price_minor: 599_050,
            old_price_minor: Some(600_001),
            weight_g: Some(12_345),
            dimensions_mm: Some([325, 200, 7]),
            ..plain_item("N-1")
        };
        let zero_sizes =
            FeedItem { weight_g: Some(0), dimensions_mm: Some([100, 0, 100]), ..plain_item("N-2") };
        let written = write_feed(&header(), YmlOptions::default(), &[item, zero_sizes]);
        assert_valid(&written.bytes);
        let text = written.text();
        assert!(text.contains("<price>5990.5</price>\n      <oldprice>6000.01</oldprice>"));
        assert!(text.contains("<weight>12.345</weight>"));
        assert!(text.contains("<dimensions>32.5/20/0.7</dimensions>"));
        assert_eq!(text.matches("<weight>").count(), 1, "no weight is written for zero grams");
        assert_eq!(text.matches("<dimensions>").count(), 1, "no dimensions with a zero side");
    }

    #[rstest]
    #[case(1_784_115_420_000, 180, "2026-07-15T14:37+03:00")]
    #[case(1_784_115_420_000, 0, "2026-07-15T11:37+00:00")]
    #[case(1_784_115_420_000, -300, "2026-07-15T06:37-05:00")]
    #[case(1_784_115_420_000, 720, "2026-07-15T23:37+12:00")]
    #[case(1_784_115_420_000, 780, "2026-07-16T00:37+13:00")]
    #[case(0, 0, "1970-01-01T00:00+00:00")]
    #[case(-60_000, 0, "1969-12-31T23:59+00:00")]
    #[case(951_825_599_999, 330, "2000-02-29T17:29+05:30")]
    fn the_date_is_local_time_with_its_offset(#[case] ms: i64, #[case] offset: i32, #[case] expected: &str) {
        assert_eq!(feed_date(ms, offset).unwrap(), expected);
    }

    #[rstest]
    #[case("Просто текст & > без тегов", true)]
    #[case("<p>Раз</p><ul><li>два</li><li>три<br/>четыре</li></ul><h6>x</h6>", true)]
    #[case("", true)]
    #[case("<br>", false)]
    #[case("<br />", false)]
    #[case("<P>раз</P>", false)]
    #[case("<p class=\"x\">раз</p>", false)]
    #[case("<b>раз</b>", false)]
    #[case("a < b", false)]
    #[case("<!-- x --><p>", false)]
    #[case("<p>cut<", false)]
    fn html_already_in_feed_form_is_recognised(#[case] html: &str, #[case] in_feed_form: bool) {
        assert_eq!(is_feed_html(html), in_feed_form);
        if in_feed_form {
            assert_eq!(sanitize_feed_html(html, &DESCRIPTION_TAGS), html, "the sanitizer would change it");
        } else {
            assert_ne!(
                sanitize_feed_html(html, &DESCRIPTION_TAGS),
                html,
                "the check is stricter than it needs"
            );
        }
    }

    #[test]
    fn a_long_description_is_cut_between_tags_and_closed() {
        let limit = 45;
        let html = format!("<ul><li>один &amp; два</li><li>{}</li></ul>", "я".repeat(40));
        let mut open = Vec::new();
        let kept = cut_html(&html, limit, &mut open);
        assert_eq!(kept, "<ul><li>один &amp; два</li><li>яяяя");
        assert_eq!(open, ["ul", "li"]);
        assert_eq!(kept.chars().count() + "</li></ul>".len(), limit);
        // An entity is never split: with room for "&am" only, it is left out whole.
        let kept = cut_html("<p>a &amp; b</p>", 12, &mut open);
        assert_eq!(kept, "<p>a ");
        assert_eq!(open, ["p"]);

        let options = YmlOptions { description_limit: limit, ..YmlOptions::default() };
        let item = FeedItem { description: html, ..plain_item("D-1") };
        let plain = FeedItem { description: "ы".repeat(100), ..plain_item("D-2") };
        let written = write_feed(&header(), options, &[item, plain]);
        assert_valid(&written.bytes);
        let offers = offers(&written.bytes);
        let description = offers[0].get("description").unwrap();
        assert!(description.ends_with("<li>яяяя</li></ul>"), "{description}");
        assert_eq!(description.chars().count(), limit);
        assert_eq!(offers[1].get("description"), Some("ы".repeat(limit).as_str()));
    }

    #[test]
    fn descriptions_over_3000_characters_validate_once_cut() {
        let html = format!("<p>{}</p>", "Описание & <b>жирно</b> ]]> ".repeat(200));
        let written = write_feed(
            &header(),
            YmlOptions::default(),
            &[FeedItem { description: html, ..plain_item("D-1") }],
        );
        assert_valid(&written.bytes);
        let description = offers(&written.bytes)[0].get("description").unwrap().to_owned();
        assert!(description.chars().count() <= 3000);
        assert!(description.starts_with("<p>Описание & жирно ]]> ") && description.ends_with("</p>"));
    }

    #[test]
    fn a_header_that_cannot_make_a_valid_feed_is_refused() {
        let refused = |change: fn(&mut FeedHeader)| {
            let mut header = header();
            change(&mut header);
            let result = YmlWriter::new(Box::new(io::sink()), &header, YmlOptions::default());
            result.err().map(|e| e.to_string()).unwrap_or_default()
        };
        assert!(refused(|h| h.shop_name = " ".into()).contains("name is empty"));
        assert!(refused(|h| h.url = "/shop".into()).contains("absolute"));
        assert!(refused(|h| h.url = " ".into()).contains("address (url) is empty"));
        assert!(refused(|h| h.currency = "GBP".into()).contains("GBP"));
        assert!(refused(|h| h.categories[2].parent = Some(77)).contains("Беговые"));
        assert!(refused(|h| h.categories[1].id = 1).contains("two categories"));
        assert!(refused(|h| h.categories[0].id = 0).contains("id 0"));
        assert!(refused(|h| h.delivery_options[0].days = "завтра".into()).contains("завтра"));
        assert!(refused(|h| h.utc_offset_minutes = 24 * 60).contains("offset"));
        assert_eq!(refused(|_| {}), "");
    }

    #[test]
    fn dollar_prices_are_declared_against_a_rouble_base() {
        let mut header = header();
        header.currency = "usd".into();
        let written = write_feed(&header, YmlOptions::default(), &[plain_item("U-1")]);
        assert_valid(&written.bytes);
        assert!(
            written
                .text()
                .contains("<currency id=\"RUR\" rate=\"1\"/>\n    <currency id=\"USD\" rate=\"CBRF\"/>")
        );
        assert!(written.text().contains("<currencyId>USD</currencyId>"));
    }

    /// The writer's speed budget: a million offers well under two seconds in a release build.
    #[test]
    #[ignore = "timing; run with cargo test --release -p vitrina-formats --lib write::yml -- --ignored"]
    fn a_million_offers_take_well_under_two_seconds() {
        let mut item = rich_item("SKU-1");
        // Product pictures on a CDN, without the query strings the rich item tests escaping with.
        item.pictures =
            (1..=12).map(|n| format!("https://cdn.bestseller.example/images/sku-1/{n}.jpg")).collect();
        item.description =
            "<p>Лёгкие беговые кроссовки с сетчатым верхом.</p><ul><li>Сетка</li><li>Пена</li></ul>".into();
        let mut writer = YmlWriter::new(Box::new(io::sink()), &header(), YmlOptions::default()).unwrap();
        let started = std::time::Instant::now();
        for n in 0..1_000_000 {
            item.sku.clear();
            let _ = write!(item.sku, "SKU-{n}");
            assert_eq!(writer.write_item(&item).unwrap(), Ok(()));
        }
        let summary = Box::new(writer).finish().unwrap();
        let took = started.elapsed();
        assert_eq!(summary.written, 1_000_000);
        assert!(took.as_secs_f64() < 1.5, "a million offers took {took:?}");
    }
}
