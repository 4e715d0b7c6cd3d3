//! Avito Autoload XML: `<Ads formatVersion="3" target="Avito.ru">` with one `<Ad>` per product.
//!
//! The catalog has no Avito fields, so what every ad needs (address, category, condition,
//! contacts) comes from the profile's [`AvitoOptions`]; a product characteristic named like an
//! Avito tag (`GoodsType`, `ApparelType`, `Size`) or, for size and colour, its Russian name
//! (`Размер`, `Цвет`) overrides it for that ad. Avito checks dictionary fields by exact spelling,
//! so sizes get Avito's decimal comma (`42,5`) and colours its spelling (`Чёрный`).
//!
//! Avito matches ads between uploads by `Id` and takes off the site every ad missing from the
//! next file: an SKU that cannot be an `Id` leaves its item out rather than being rewritten
//! into a different id.

use std::borrow::Cow;
use std::fmt;
use std::io::{BufWriter, Write};

use super::google::{OUTPUT_BUFFER, SeenIds, decimal, http_urls, param_value};
use super::text::{
    clean_xml_text, find_whitespace, has_visible_text, push_cdata, push_escaped, sanitize_feed_html,
};
use super::{FeedHeader, FeedItem, FeedWriter, Output, Skip, WriteError, WriteSummary};

/// The only tags Avito shows in a description (and only inside CDATA).
const DESCRIPTION_TAGS: &[&str] = &["p", "br", "strong", "em", "ul", "ol", "li"];
/// Tags that start a line anyway, so a line break next to them is only layout.
const BLOCK_TAGS: &[&str] = &["<p>", "</p>", "<ul>", "</ul>", "<ol>", "</ol>", "<li>", "</li>", "<br/>"];
const ID_MAX: usize = 100;
const TITLE_MAX: usize = 50;
const DESCRIPTION_MAX: usize = 7500;
const IMAGES_MAX: usize = 10;
const ADDRESS_MAX: usize = 256;
const MANAGER_NAME_MAX: usize = 40;
/// Characteristics that name Avito fields: they fill those fields and are not listed in a
/// description made from the characteristics.
const AVITO_TAGS: &[&str] = &[
    "Category",
    "GoodsType",
    "GoodsSubType",
    "Apparel",
    "ApparelType",
    "AdType",
    "Condition",
    "Brand",
    "Color",
    "ColorName",
    "Size",
    "MultiName",
];
/// Avito's clothing and shoe colours (template 100368), spelled with `ё` as Avito checks them.
const COLORS: &[&str] = &[
    "Красный",
    "Белый",
    "Розовый",
    "Бордовый",
    "Синий",
    "Жёлтый",
    "Голубой",
    "Фиолетовый",
    "Оранжевый",
    "Разноцветный",
    "Серый",
    "Бежевый",
    "Чёрный",
    "Коричневый",
    "Зелёный",
    "Серебряный",
    "Золотой",
];
/// `MultiName` groups variants only for ads in this condition.
const MULTI_ITEM_CONDITION: &str = "Новое с биркой";

/// The profile's values for every ad: the catalog has no Avito fields.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AvitoOptions {
    /// Where the goods are, at most 256 characters. Avito requires it: while it is empty every
    /// item is left out (`MissingField { field: "Address" }`).
    pub address: String,
    /// One Russian number with its code (`+7 916 683-78-22`: 10 digits, or 11 starting with 7
    /// or 8); empty: not written.
    pub contact_phone: String,
    /// The contact person, at most 40 characters; empty: not written.
    pub manager_name: String,
    /// `По телефону и в сообщениях`, `По телефону` or `В сообщениях`; empty: Avito's default
    /// (the first).
    pub contact_method: String,
    /// Avito's category name (`Одежда, обувь, аксессуары`); a product's `Category`
    /// characteristic overrides it. An ad with neither is left out.
    pub category: String,
    /// Avito's `GoodsType` (`Мужская обувь`); empty: not written unless a product names one.
    pub goods_type: String,
    /// `Condition`. The default `Новое` is the value of the goods categories outside clothing
    /// (electronics, appliances, furniture: `Новое`/`Б/у`). Clothing and shoes reject it and
    /// take `Новое с биркой`, which a clothing profile sets along with its category; no single
    /// default serves both, and the wider set of categories wins.
    pub condition: String,
    /// `AdType`: `Товар приобретен на продажу` (default) or `Товар от производителя`.
    pub ad_type: String,
    /// `ListingFee`: `Package`, `PackageSingle` or `Single`; `None`: Avito's default (Package).
    pub listing_fee: Option<String>,
}

impl Default for AvitoOptions {
    fn default() -> Self {
        AvitoOptions {
            address: String::new(),
            contact_phone: String::new(),
            manager_name: String::new(),
            contact_method: String::new(),
            category: String::new(),
            goods_type: String::new(),
            condition: "Новое".to_string(),
            ad_type: "Товар приобретен на продажу".to_string(),
            listing_fee: None,
        }
    }
}

impl AvitoOptions {
    /// The options trimmed, or why Avito would refuse every ad made with them, worded for the
    /// seller.
    fn checked(&self) -> Result<AvitoOptions, String> {
        let trimmed = |s: &str| s.trim().to_string();
        let options = AvitoOptions {
            address: trimmed(&self.address),
            contact_phone: trimmed(&self.contact_phone),
            manager_name: trimmed(&self.manager_name),
            contact_method: trimmed(&self.contact_method),
            category: trimmed(&self.category),
            goods_type: trimmed(&self.goods_type),
            condition: trimmed(&self.condition),
            ad_type: trimmed(&self.ad_type),
            listing_fee: self
                .listing_fee
                .as_deref()
                .map(str::trim)
                .filter(|f| !f.is_empty())
                .map(String::from),
        };
        let length = options.address.chars().count();
        if length > ADDRESS_MAX {
            return Err(format!(
                "the Avito address has {length} characters, Avito allows at most {ADDRESS_MAX}"
            ));
        }
        let length = options.manager_name.chars().count();
        if length > MANAGER_NAME_MAX {
            return Err(format!(
                "the Avito manager name has {length} characters, Avito allows at most {MANAGER_NAME_MAX}"
            ));
        }
        if !options.contact_phone.is_empty() {
            let digits: Vec<u8> = options.contact_phone.bytes().filter(u8::is_ascii_digit).collect();
            let russian = digits.len() == 10 || (digits.len() == 11 && matches!(digits[0], b'7' | b'8'));
            let characters_ok =
                options.contact_phone.chars().all(|c| c.is_ascii_digit() || " +-()".contains(c));
            if !russian || !characters_ok {
                return Err(format!(
                    "the Avito contact phone \"{}\" is not one Russian number such as +7 916 683-78-22",
                    options.contact_phone
                ));
            }
        }
        let methods = ["По телефону и в сообщениях", "По телефону", "В сообщениях"];
        if !options.contact_method.is_empty() && !methods.contains(&options.contact_method.as_str()) {
            return Err(format!(
                "the Avito contact method \"{}\" is not one of: {}",
                options.contact_method,
                methods.join(", ")
            ));
        }
        if let Some(fee) = &options.listing_fee
            && !["Package", "PackageSingle", "Single"].contains(&fee.as_str())
        {
            return Err(format!(
                "the Avito listing fee \"{fee}\" is not one of Package, PackageSingle, Single"
            ));
        }
        Ok(options)
    }
}

/// Writes an Avito Autoload XML file, one `<Ad>` at a time.
pub struct AvitoWriter {
    out: BufWriter<Output>,
    options: AvitoOptions,
    /// Reused for every item.
    buf: String,
    ids: SeenIds,
    summary: WriteSummary,
}

impl fmt::Debug for AvitoWriter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AvitoWriter")
            .field("category", &self.options.category)
            .field("summary", &self.summary)
            .finish_non_exhaustive()
    }
}

impl AvitoWriter {
    /// Checks the options, and writes the file's start. Avito's prices are rubles: a header
    /// in another currency is refused.
    pub fn new(out: Output, header: &FeedHeader, options: AvitoOptions) -> Result<Self, WriteError> {
        let options = options.checked().map_err(WriteError::Format)?;
        let currency = header.currency.trim();
        if !currency.eq_ignore_ascii_case("RUB") && !currency.eq_ignore_ascii_case("RUR") {
            return Err(WriteError::Format(format!(
                "Avito takes prices in rubles, and the prices are in \"{currency}\""
            )));
        }
        let mut out = BufWriter::with_capacity(OUTPUT_BUFFER, out);
        out.write_all(
            b"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Ads formatVersion=\"3\" target=\"Avito.ru\">\n",
        )?;
        Ok(AvitoWriter {
            out,
            options,
            buf: String::with_capacity(8192),
            ids: SeenIds::default(),
            summary: WriteSummary::default(),
        })
    }

    /// Fills `self.buf` with the item's `<Ad>`, adding the characters dropped to `cleaned`.
    fn build(&mut self, item: &FeedItem, cleaned: &mut u64) -> Result<(), Skip> {
        let id = item.sku.as_str();
        check_id(id)?;
        if self.ids.contains(id) {
            return Err(Skip::BadId { reason: "another item in the file has the same SKU" });
        }
        let options = &self.options;
        if options.address.is_empty() {
            return Err(Skip::MissingField { field: "Address" });
        }
        let missing = |field| Skip::MissingField { field };
        let category = avito_field(item, "Category", &options.category).ok_or(missing("Category"))?;
        let condition = avito_field(item, "Condition", &options.condition).ok_or(missing("Condition"))?;
        let ad_type = avito_field(item, "AdType", &options.ad_type).ok_or(missing("AdType"))?;
        let title = item.name.trim();
        if title.is_empty() {
            return Err(Skip::MissingField { field: "Title" });
        }
        let length = title.chars().count();
        if length > TITLE_MAX {
            return Err(Skip::TitleTooLong { limit: TITLE_MAX, length });
        }
        let price = rubles(item.price_minor).ok_or(Skip::NoPrice)?;
        let images = http_urls(&item.pictures, IMAGES_MAX);
        if images.is_empty() {
            return Err(Skip::NoPicture);
        }
        let description = description(item, cleaned);
        if description.is_empty() {
            return Err(Skip::MissingField { field: "Description" });
        }

        let buf = &mut self.buf;
        buf.push_str("  <Ad>\n");
        element(buf, "Id", id, cleaned);
        if let Some(fee) = &options.listing_fee {
            element(buf, "ListingFee", fee, cleaned);
        }
        for (tag, value) in [
            ("ContactMethod", options.contact_method.as_str()),
            ("ManagerName", &options.manager_name),
            ("ContactPhone", &options.contact_phone),
            ("Address", &options.address),
        ] {
            if !value.is_empty() {
                element(buf, tag, value, cleaned);
            }
        }
        element(buf, "Category", category, cleaned);
        let node = [
            ("GoodsType", options.goods_type.as_str()),
            ("GoodsSubType", ""),
            ("Apparel", ""),
            ("ApparelType", ""),
        ];
        for (tag, profile) in node {
            if let Some(value) = avito_field(item, tag, profile) {
                element(buf, tag, value, cleaned);
            }
        }
        // Avito's template spells the values with a no-break space before the last word; its
        // samples and every generator use a plain one, which is what is written.
        element(buf, "AdType", &ad_type.replace('\u{a0}', " "), cleaned);
        element(buf, "Condition", condition, cleaned);
        if let Some(brand) = avito_field(item, "Brand", item.brand.trim()) {
            element(buf, "Brand", brand, cleaned);
        }
        if let Some(color) = param_value(item, "Color", "Цвет") {
            element(buf, "Color", &avito_color(color), cleaned);
        }
        if let Some(name) = avito_field(item, "ColorName", "") {
            element(buf, "ColorName", name, cleaned);
        }
        if let Some(size) = param_value(item, "Size", "Размер") {
            element(buf, "Size", &avito_size(size), cleaned);
        }
        if condition == MULTI_ITEM_CONDITION
            && let Some(name) = multi_name(item)
        {
            element(buf, "MultiName", &name, cleaned);
        }
        element(buf, "Title", title, cleaned);
        buf.push_str("    <Description>");
        push_cdata(buf, &description, cleaned);
        buf.push_str("</Description>\n");
        element(buf, "Price", &price.to_string(), cleaned);
        buf.push_str("    <Images>\n");
        for image in &images {
            buf.push_str("      <Image url=\"");
            push_escaped(buf, image, cleaned);
            buf.push_str("\"/>\n");
        }
        buf.push_str("    </Images>\n");
        if let Some(grams) = item.weight_g.filter(|g| *g > 0) {
            element(buf, "WeightForDelivery", &decimal(grams, 3, ','), cleaned);
        }
        if let Some(dims) = item.dimensions_mm.filter(|d| d.iter().all(|mm| *mm > 0)) {
            for (tag, mm) in
                ["LengthForDelivery", "WidthForDelivery", "HeightForDelivery"].into_iter().zip(dims)
            {
                element(buf, tag, &decimal(mm, 1, ','), cleaned);
            }
        }
        buf.push_str("  </Ad>\n");
        Ok(())
    }
}

impl FeedWriter for AvitoWriter {
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
        self.ids.insert(&item.sku);
        self.summary.written += 1;
        self.summary.cleaned_chars += cleaned;
        Ok(Ok(()))
    }

    fn finish(mut self: Box<Self>) -> Result<WriteSummary, WriteError> {
        self.out.write_all(self.buf.as_bytes())?;
        self.out.write_all(b"</Ads>\n")?;
        self.out.flush()?;
        Ok(self.summary)
    }
}

/// `<Tag>text</Tag>` on a line of its own, the text cleaned and escaped.
fn element(buf: &mut String, tag: &str, text: &str, cleaned: &mut u64) {
    buf.push_str("    <");
    buf.push_str(tag);
    buf.push('>');
    push_escaped(buf, text, cleaned);
    buf.push_str("</");
    buf.push_str(tag);
    buf.push_str(">\n");
}

/// Whether `sku` can be Avito's `Id`: 1–100 characters of Latin and Russian letters, digits
/// and `, \ / ( ) [ ] - =` (the template's list; `_`, `.` and spaces are not in it).
fn check_id(sku: &str) -> Result<(), Skip> {
    if sku.is_empty() {
        return Err(Skip::BadId { reason: "it is empty" });
    }
    if sku.chars().count() > ID_MAX {
        return Err(Skip::BadId { reason: "it is longer than Avito's 100 characters" });
    }
    let allowed =
        |c: char| c.is_ascii_alphanumeric() || matches!(c, 'А'..='я' | 'Ё' | 'ё') || ",\\/()[]-=".contains(c);
    if !sku.chars().all(allowed) {
        return Err(Skip::BadId {
            reason: "Avito takes only letters, digits and , \\ / ( ) [ ] - = in an Id (no spaces, _ or .)",
        });
    }
    Ok(())
}

/// The value of the Avito field `tag` for `item`: its characteristic named exactly `tag`, else
/// the profile's value; `None` when both are empty.
fn avito_field<'a>(item: &'a FeedItem, tag: &str, profile: &'a str) -> Option<&'a str> {
    item.params
        .iter()
        .find(|p| p.name.trim() == tag)
        .map(|p| p.value.trim())
        .filter(|v| !v.is_empty())
        .or(Some(profile.trim()).filter(|v| !v.is_empty()))
}

/// Whole rubles, half a ruble rounded up (9990.50 → 9991); `None` for no price.
fn rubles(minor: i64) -> Option<i64> {
    let rubles = minor / 100 + i64::from(minor % 100 >= 50);
    (minor > 0 && rubles > 0).then_some(rubles)
}

/// Avito's size spelling: a decimal comma (`42.5` → `42,5`); other sizes as written.
fn avito_size(size: &str) -> Cow<'_, str> {
    match size.split_once('.') {
        Some((whole, part))
            if !whole.is_empty()
                && !part.is_empty()
                && whole.bytes().all(|b| b.is_ascii_digit())
                && part.bytes().all(|b| b.is_ascii_digit()) =>
        {
            Cow::Owned(format!("{whole},{part}"))
        }
        _ => Cow::Borrowed(size),
    }
}

/// Avito's colour spelling: a colour of its list in its exact form whatever the case or `е`/`ё`
/// (`черный` → `Чёрный`); any other colour with a capital first letter.
fn avito_color(color: &str) -> String {
    let fold = |s: &str| s.to_lowercase().replace('ё', "е");
    let folded = fold(color);
    if let Some(known) = COLORS.iter().find(|c| fold(c) == folded) {
        return (*known).to_string();
    }
    let mut chars = color.chars();
    chars.next().map(|first| first.to_uppercase().chain(chars).collect()).unwrap_or_default()
}

/// `MultiName` of a variant: the same for every variant of a group and only letters and digits.
/// Made from the group id (`Group1042`) rather than brand and model: the group id is what makes
/// the variants one product, while a model may differ between sizes and two products may share
/// a brand and model. A `MultiName` characteristic, cut to its letters and digits, overrides it.
fn multi_name(item: &FeedItem) -> Option<String> {
    let group = item.group_id?;
    let own = item
        .params
        .iter()
        .find(|p| p.name.trim() == "MultiName")
        .map(|p| p.value.chars().filter(|c| c.is_alphanumeric()).collect::<String>());
    Some(own.filter(|n| !n.is_empty()).unwrap_or_else(|| format!("Group{group}")))
}

/// The ad's description: the product's HTML cut down to Avito's tags, else one `Name: value`
/// line per characteristic; at most 7500 characters. Empty when there is nothing to say.
fn description(item: &FeedItem, cleaned: &mut u64) -> String {
    let source = clean_xml_text(&item.description, cleaned);
    let html = tidy_line_breaks(&sanitize_feed_html(&source, DESCRIPTION_TAGS));
    let html = if has_visible_text(&html) { html } else { characteristics(item, cleaned) };
    cut_html(&html, DESCRIPTION_MAX).into_owned()
}

/// `Name: value unit` per characteristic but the Avito fields, one a line, escaped as HTML.
fn characteristics(item: &FeedItem, cleaned: &mut u64) -> String {
    let mut out = String::new();
    for param in item.params.iter().filter(|p| !AVITO_TAGS.contains(&p.name.trim())) {
        let (name, value) = (param.name.trim(), param.value.trim());
        if name.is_empty() || value.is_empty() {
            continue;
        }
        let mut line = format!("{name}: {value}");
        if let Some(unit) = param.unit.as_deref().map(str::trim).filter(|u| !u.is_empty()) {
            line.push(' ');
            line.push_str(unit);
        }
        if !out.is_empty() {
            out.push('\n');
        }
        push_escaped(&mut out, &line, cleaned);
    }
    out
}

/// Avito shows every line break of a description as `<br>`: a break next to a block tag (which
/// starts a line anyway) or at either end is dropped, and a run of breaks becomes one, so HTML
/// laid out on several lines does not get wide gaps. Other spaces are kept.
fn tidy_line_breaks(html: &str) -> String {
    let html: Cow<'_, str> = if html.contains('\r') {
        Cow::Owned(html.replace("\r\n", "\n").replace('\r', "\n"))
    } else {
        Cow::Borrowed(html)
    };
    let mut out = String::with_capacity(html.len());
    let mut rest: &str = &html;
    while let Some(start) = find_whitespace(rest) {
        out.push_str(&rest[..start]);
        let after = &rest[start..];
        let end = after.find(|c: char| !c.is_whitespace()).unwrap_or(after.len());
        let (run, next) = after.split_at(end);
        let at_edge = out.is_empty() || next.is_empty();
        if run.contains('\n') {
            let by_block = BLOCK_TAGS.iter().any(|t| out.ends_with(t) || next.starts_with(t));
            if !at_edge && !by_block {
                out.push('\n');
            }
        } else if !at_edge {
            out.push_str(run);
        }
        rest = next;
    }
    out.push_str(rest);
    out
}

/// The length in bytes of the token `s` starts with: a tag, an entity (`&amp;`) or one
/// character. A cut may fall only between tokens.
fn token_len(s: &str) -> usize {
    if s.starts_with('<') {
        return s.find('>').map_or(s.len(), |gt| gt + 1);
    }
    if s.starts_with('&')
        && let Some(semi) = s[1..].find(';').filter(|&at| at <= 10)
        && s[1..1 + semi].bytes().all(|b| b.is_ascii_alphanumeric() || b == b'#')
    {
        return semi + 2;
    }
    s.chars().next().map_or(0, char::len_utf8)
}

/// Updates `open`, the elements open before `token`, for that token: a start tag opens one, an
/// end tag closes it and any left open inside it, `<br/>` and text change nothing.
fn track<'a>(open: &mut Vec<&'a str>, token: &'a str) {
    let Some(inner) = token.strip_prefix('<') else { return };
    let (inner, is_end) = match inner.strip_prefix('/') {
        Some(inner) => (inner, true),
        None => (inner, false),
    };
    let name = &inner[..inner.find(|c: char| !c.is_ascii_alphanumeric()).unwrap_or(inner.len())];
    if name.is_empty() || name == "br" {
        return;
    }
    if !is_end {
        open.push(name);
    } else if let Some(depth) = open.iter().rposition(|n| *n == name) {
        open.truncate(depth);
    }
}

/// `html` cut to at most `limit` characters, tags included (whether Avito counts them is not
/// known, so they count): the cut falls between words where it can, never inside a tag or an
/// entity, and ends with `…` and the end tags of the elements left open.
fn cut_html(html: &str, limit: usize) -> Cow<'_, str> {
    if html.chars().count() <= limit {
        return Cow::Borrowed(html);
    }
    let end_tags = |open: &[&str]| open.iter().map(|n| n.len() + 3).sum::<usize>();
    // Walk the tokens while the text so far, the ellipsis and the end tags still fit; the text
    // only grows, so the first position that does not fit ends the walk.
    let mut open: Vec<&str> = Vec::new();
    let mut count = 0; // characters before `at`
    let mut cut = (0, 0);
    let mut word_cut = None;
    let mut at = 0;
    while at < html.len() && count + 1 + end_tags(&open) <= limit {
        let rest = &html[at..];
        cut = (at, count);
        if rest.starts_with(|c: char| c.is_whitespace() || c == '<') {
            word_cut = Some((at, count));
        }
        let token = &rest[..token_len(rest)];
        track(&mut open, token);
        count += token.chars().count();
        at += token.len();
    }
    // At a word boundary unless that loses more than a tenth of the limit.
    let end = match word_cut {
        Some((at, count)) if at > 0 && count + limit / 10 >= cut.1 => at,
        _ => cut.0,
    };
    let head = html[..end].trim_end();
    let mut open: Vec<&str> = Vec::new();
    let mut at = 0;
    while at < head.len() {
        let token = &head[at..at + token_len(&head[at..])];
        track(&mut open, token);
        at += token.len();
    }
    let mut out = String::with_capacity(head.len() + 64);
    out.push_str(head);
    out.push('…');
    for name in open.iter().rev() {
        out.push_str("</");
        out.push_str(name);
        out.push('>');
    }
    Cow::Owned(out)
}

#[cfg(test)]
mod tests {
    use rstest::rstest;

    use super::super::google::testing::{Memory, Node, parse, xmllint};
    use super::*;
    use crate::write::FeedParam;

    fn header() -> FeedHeader {
        FeedHeader {
            shop_name: "BestSeller".to_string(),
            currency: "RUB".to_string(),
            ..FeedHeader::default()
        }
    }

    fn clothing() -> AvitoOptions {
        AvitoOptions {
            address: "Москва, Лесная улица, 7".to_string(),
            contact_phone: "+7 916 683-78-22".to_string(),
            manager_name: "Ирина".to_string(),
            contact_method: "По телефону и в сообщениях".to_string(),
            category: "Одежда, обувь, аксессуары".to_string(),
            goods_type: "Мужская обувь".to_string(),
            condition: "Новое с биркой".to_string(),
            listing_fee: Some("Package".to_string()),
            ..AvitoOptions::default()
        }
    }

    fn param(name: &str, value: &str) -> FeedParam {
        FeedParam { name: name.to_string(), value: value.to_string(), unit: None }
    }

    /// An item every rule accepts.
    fn item(sku: &str) -> FeedItem {
        FeedItem {
            sku: sku.to_string(),
            name: "Кроссовки Nike Air Force 1".to_string(),
            description: "<p>Оригинал, полный комплект.</p>".to_string(),
            brand: "Nike".to_string(),
            price_minor: 999_000,
            stock: 1,
            pictures: vec![format!("https://cdn.example.ru/p/{sku}-1.jpg")],
            ..FeedItem::default()
        }
    }

    /// Writes `items`; the output (checked by xmllint), the skips and the summary.
    fn write(items: &[FeedItem], options: AvitoOptions) -> (String, Vec<Result<(), Skip>>, WriteSummary) {
        let memory = Memory::default();
        let mut writer: Box<dyn FeedWriter> =
            Box::new(AvitoWriter::new(memory.output(), &header(), options).unwrap());
        let results = items.iter().map(|i| writer.write_item(i).unwrap()).collect();
        let summary = writer.finish().unwrap();
        let xml = memory.text();
        xmllint(&xml);
        (xml, results, summary)
    }

    fn ads_of(xml: &str) -> Vec<Node> {
        let ads = parse(xml);
        assert_eq!(ads.name, "Ads");
        assert_eq!(
            ads.attributes,
            [("formatVersion".into(), "3".into()), ("target".into(), "Avito.ru".into())]
        );
        assert!(ads.children.iter().all(|c| c.name == "Ad"));
        ads.children
    }

    fn images_of(ad: &Node) -> Vec<&str> {
        ad.child("Images").unwrap().all("Image").map(|i| i.attribute("url").unwrap()).collect()
    }

    #[test]
    fn a_clothing_ad_carries_every_field_avitos_way() {
        let shoe = FeedItem {
            description: "<h2>Кроссовки</h2>\n<p>Оригинал, <b>полный</b> <strong>комплект</strong>.</p>\n\n\
                          <ul>\n  <li>Кожа</li>\n  <li><a href=\"https://x.example\">Сайт</a></li>\n</ul>\
                          <script>alert(1)</script><span style=\"x\">Конец</span>"
                .to_string(),
            price_minor: 999_050,
            group_id: Some(1042),
            pictures: vec![
                "https://cdn.example.ru/p/1042-1.jpg".to_string(),
                "https://cdn.example.ru/p/1042-2.jpg".to_string(),
            ],
            params: vec![
                param("Размер", "42.5"),
                param("Цвет", "черный"),
                param("ApparelType", "Кроссовки"),
                param("Материал", "кожа"),
            ],
            weight_g: Some(900),
            dimensions_mm: Some([325, 200, 120]),
            ..item("SKU-1042-42")
        };
        let (xml, results, summary) = write(&[shoe], clothing());
        assert!(xml.starts_with("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Ads "), "{xml}");
        assert_eq!(results, [Ok(())]);
        assert_eq!(summary, WriteSummary { written: 1, cleaned_chars: 0, replaced_chars: 0 });
        let ads = ads_of(&xml);
        let ad = &ads[0];
        let expected = [
            ("Id", "SKU-1042-42"),
            ("ListingFee", "Package"),
            ("ContactMethod", "По телефону и в сообщениях"),
            ("ManagerName", "Ирина"),
            ("ContactPhone", "+7 916 683-78-22"),
            ("Address", "Москва, Лесная улица, 7"),
            ("Category", "Одежда, обувь, аксессуары"),
            ("GoodsType", "Мужская обувь"),
            ("ApparelType", "Кроссовки"),
            ("AdType", "Товар приобретен на продажу"),
            ("Condition", "Новое с биркой"),
            ("Brand", "Nike"),
            ("Color", "Чёрный"),
            ("Size", "42,5"),
            ("MultiName", "Group1042"),
            ("Title", "Кроссовки Nike Air Force 1"),
            (
                "Description",
                "Кроссовки<p>Оригинал, полный <strong>комплект</strong>.</p><ul><li>Кожа</li><li>Сайт</li></ul>Конец",
            ),
            // 9990.50 rubles: half a ruble rounds up.
            ("Price", "9991"),
            ("Images", ""),
            ("WeightForDelivery", "0,9"),
            ("LengthForDelivery", "32,5"),
            ("WidthForDelivery", "20"),
            ("HeightForDelivery", "12"),
        ];
        let names: Vec<&str> = ad.children.iter().map(|c| c.name.as_str()).collect();
        assert_eq!(names, expected.iter().map(|(n, _)| *n).collect::<Vec<_>>());
        for (name, value) in expected {
            assert_eq!(ad.text_of(name).trim(), value, "{name}");
        }
        assert!(xml.contains("<Description><![CDATA[Кроссовки<p>"), "{xml}");
        assert_eq!(
            images_of(ad),
            ["https://cdn.example.ru/p/1042-1.jpg", "https://cdn.example.ru/p/1042-2.jpg"]
        );
    }

    #[test]
    fn characteristics_named_like_avito_fields_override_the_profile() {
        let phone = FeedItem {
            params: vec![
                param("Category", "Телефоны"),
                param("GoodsType", "Мобильные телефоны"),
                param("Condition", "Б/у"),
                param("Brand", "Apple"),
                param("Size", " "),
            ],
            group_id: Some(7),
            ..item("PHONE-1")
        };
        let (xml, results, _) = write(&[phone], clothing());
        assert_eq!(results, [Ok(())]);
        let ad = &ads_of(&xml)[0];
        assert_eq!(ad.text_of("Category"), "Телефоны");
        assert_eq!(ad.text_of("GoodsType"), "Мобильные телефоны");
        assert_eq!(ad.text_of("Condition"), "Б/у");
        assert_eq!(ad.text_of("Brand"), "Apple");
        // An empty characteristic is no value; `MultiName` goes only with `Новое с биркой`.
        for absent in ["Size", "MultiName", "Color", "WeightForDelivery"] {
            assert!(ad.child(absent).is_none(), "{absent}");
        }
    }

    #[test]
    fn each_skip_has_its_reason_and_the_rest_is_written() {
        let items = [
            item("OK-1"),
            FeedItem { sku: String::new(), ..item("x") },
            FeedItem { sku: "S".repeat(101), ..item("x") },
            FeedItem { sku: "SKU_1".to_string(), ..item("x") },
            FeedItem { sku: "SKU 1".to_string(), ..item("x") },
            FeedItem { sku: "OK-1".to_string(), ..item("x") },
            FeedItem { name: "Т".repeat(51), ..item("OK-2") },
            FeedItem { name: "  ".to_string(), ..item("OK-2") },
            FeedItem { price_minor: 0, ..item("OK-2") },
            FeedItem { price_minor: 49, ..item("OK-2") },
            FeedItem { pictures: vec!["/img/1.jpg".to_string()], ..item("OK-2") },
            FeedItem { description: "<p> </p>".to_string(), ..item("OK-2") },
            FeedItem { params: vec![param("Category", "")], ..item("OK-2") },
            FeedItem { name: "Т".repeat(50), ..item("OK-3") },
            FeedItem { sku: "Арт-1/2,(3)[4]=5\\6".to_string(), ..item("x") },
        ];
        let options = AvitoOptions { category: "Бытовая техника".to_string(), ..clothing() };
        let (xml, results, summary) = write(&items, options);
        let no_charset =
            "Avito takes only letters, digits and , \\ / ( ) [ ] - = in an Id (no spaces, _ or .)";
        assert_eq!(
            results,
            [
                Ok(()),
                Err(Skip::BadId { reason: "it is empty" }),
                Err(Skip::BadId { reason: "it is longer than Avito's 100 characters" }),
                Err(Skip::BadId { reason: no_charset }),
                Err(Skip::BadId { reason: no_charset }),
                Err(Skip::BadId { reason: "another item in the file has the same SKU" }),
                Err(Skip::TitleTooLong { limit: 50, length: 51 }),
                Err(Skip::MissingField { field: "Title" }),
                Err(Skip::NoPrice),
                Err(Skip::NoPrice),
                Err(Skip::NoPicture),
                Err(Skip::MissingField { field: "Description" }),
                Ok(()),
                Ok(()),
                Ok(()),
            ]
        );
        assert_eq!(summary.written, 4);
        let ids: Vec<String> = ads_of(&xml).iter().map(|a| a.text_of("Id").to_string()).collect();
        assert_eq!(ids, ["OK-1", "OK-2", "OK-3", "Арт-1/2,(3)[4]=5\\6"].map(String::from));
    }

    #[test]
    fn without_an_address_or_a_category_every_item_is_left_out() {
        let (xml, results, summary) =
            write(&[item("A-1"), item("A-2")], AvitoOptions { address: " ".to_string(), ..clothing() });
        assert_eq!(
            results,
            [Err(Skip::MissingField { field: "Address" }), Err(Skip::MissingField { field: "Address" })]
        );
        assert_eq!(summary.written, 0);
        assert!(ads_of(&xml).is_empty());

        let with_category =
            FeedItem { params: vec![param("Category", "Бытовая техника")], ..item("A-2") };
        let (_, results, summary) =
            write(&[item("A-1"), with_category], AvitoOptions::default().with_address());
        assert_eq!(results, [Err(Skip::MissingField { field: "Category" }), Ok(())]);
        assert_eq!(summary.written, 1);
    }

    impl AvitoOptions {
        fn with_address(self) -> Self {
            AvitoOptions { address: "Казань, ул. Баумана, 1".to_string(), ..self }
        }
    }

    #[test]
    fn urls_are_escaped_and_text_is_cleaned() {
        let tricky = FeedItem {
            name: "Кеды\u{1} Converse".to_string(),
            description: "<p>Скобки ]]> внутри\u{2}\u{1F} и & амперсанд</p>".to_string(),
            pictures: vec![
                "https://cdn.example.ru/a.jpg?w=1&h=2".to_string(),
                "https://cdn.example.ru/a.jpg?w=1&h=2".to_string(),
                "https://cdn.example.ru/фото.jpg".to_string(),
            ],
            ..item("ESC-1")
        };
        let (xml, results, summary) = write(&[tricky], clothing());
        assert_eq!(results, [Ok(())]);
        assert!(xml.contains("<Image url=\"https://cdn.example.ru/a.jpg?w=1&amp;h=2\"/>"), "{xml}");
        assert!(xml.contains("]]]]><![CDATA[>"), "{xml}");
        assert_eq!(summary.cleaned_chars, 3);
        let ad = &ads_of(&xml)[0];
        assert_eq!(ad.text_of("Title"), "Кеды Converse");
        assert_eq!(ad.text_of("Description"), "<p>Скобки ]]> внутри и & амперсанд</p>");
        assert_eq!(
            images_of(ad),
            ["https://cdn.example.ru/a.jpg?w=1&h=2", "https://cdn.example.ru/%D1%84%D0%BE%D1%82%D0%BE.jpg"]
        );
    }

    #[test]
    fn at_most_ten_unique_images() {
        let mut pictures: Vec<String> = (1..=12).map(|n| format!("https://cdn.example.ru/{n}.jpg")).collect();
        pictures.insert(1, pictures[0].clone());
        let (xml, _, _) = write(&[FeedItem { pictures, ..item("IMG") }], clothing());
        let expected: Vec<String> = (1..=10).map(|n| format!("https://cdn.example.ru/{n}.jpg")).collect();
        assert_eq!(images_of(&ads_of(&xml)[0]), expected);
    }

    #[test]
    fn an_empty_description_is_made_from_the_characteristics() {
        let plain = FeedItem {
            description: String::new(),
            params: vec![
                param("Category", "Бытовая техника"),
                param("Мощность", "2000"),
                FeedParam { name: "Вес".into(), value: "1.2".into(), unit: Some("кг".into()) },
                param("Класс", "<A++>"),
            ],
            ..item("KETTLE-1")
        };
        let (xml, results, _) = write(&[plain], clothing());
        assert_eq!(results, [Ok(())]);
        assert_eq!(ads_of(&xml)[0].text_of("Description"), "Мощность: 2000\nВес: 1.2 кг\nКласс: &lt;A++&gt;");
    }

    #[rstest]
    #[case::layout_between_blocks("<p>a</p>\n\n<ul>\n <li>b</li>\n</ul>\n", "<p>a</p><ul><li>b</li></ul>")]
    #[case::plain_text_lines("Строка 1\n\n\nСтрока 2\r\nСтрока 3", "Строка 1\nСтрока 2\nСтрока 3")]
    #[case::spaces_kept("<p>a  <strong>b</strong> c</p>", "<p>a  <strong>b</strong> c</p>")]
    #[case::ends_trimmed("\n  text \n", "text")]
    fn line_breaks_that_are_only_layout_are_dropped(#[case] html: &str, #[case] expected: &str) {
        assert_eq!(tidy_line_breaks(html), expected);
    }

    #[test]
    fn a_long_description_is_cut_between_words_with_its_tags_closed() {
        let html = format!("<p>{}</p><ul><li>{}</li></ul>", "слово ".repeat(1000), "пункт ".repeat(500));
        let cut = cut_html(&html, DESCRIPTION_MAX);
        assert!(cut.chars().count() <= DESCRIPTION_MAX, "{}", cut.chars().count());
        assert!(cut.chars().count() > DESCRIPTION_MAX - 10, "{}", cut.chars().count());
        assert!(cut.ends_with("пункт…</li></ul>"), "{}", &cut[cut.len() - 60..]);
        assert!(cut.starts_with("<p>слово слово"));
        assert_eq!(cut_html("<p>abc</p>", 10), "<p>abc</p>");
        // Never inside a tag or an entity; what is left open is closed.
        assert_eq!(cut_html("<p>a &amp; b <strong>cd</strong></p>", 22), "<p>a &amp; b…</p>");
        assert_eq!(cut_html("<p>abcdefghij</p>", 12), "<p>abcd…</p>");
        assert_eq!(cut_html("<ol><li>один</li><li>два</li></ol>", 30), "<ol><li>один</li>…</ol>");

        let long = FeedItem { description: html, ..item("LONG") };
        let (xml, results, _) = write(&[long], clothing());
        assert_eq!(results, [Ok(())]);
        assert!(ads_of(&xml)[0].text_of("Description").chars().count() <= DESCRIPTION_MAX);
    }

    #[rstest]
    #[case("42.5", "42,5")]
    #[case("42", "42")]
    #[case("48+", "48+")]
    #[case("M", "M")]
    #[case("40 (XXS)", "40 (XXS)")]
    #[case("v1.2.3", "v1.2.3")]
    fn sizes_take_a_decimal_comma(#[case] size: &str, #[case] expected: &str) {
        assert_eq!(avito_size(size), expected);
    }

    #[rstest]
    #[case("Черный", "Чёрный")]
    #[case("ЖЕЛТЫЙ", "Жёлтый")]
    #[case("зеленый", "Зелёный")]
    #[case("чёрный", "Чёрный")]
    #[case("белый", "Белый")]
    #[case("тёмно-синий", "Тёмно-синий")]
    #[case("хаки", "Хаки")]
    fn colours_take_avitos_spelling(#[case] color: &str, #[case] expected: &str) {
        assert_eq!(avito_color(color), expected);
    }

    #[rstest]
    #[case(999_050, Some(9991))]
    #[case(999_049, Some(9990))]
    #[case(999_000, Some(9990))]
    #[case(50, Some(1))]
    #[case(49, None)]
    #[case(0, None)]
    #[case(-100, None)]
    fn rubles_round_half_up(#[case] minor: i64, #[case] expected: Option<i64>) {
        assert_eq!(rubles(minor), expected);
    }

    #[test]
    fn an_empty_feed_is_a_valid_file() {
        let (xml, results, summary) = write(&[], clothing());
        assert!(results.is_empty());
        assert_eq!(summary, WriteSummary::default());
        assert!(ads_of(&xml).is_empty());
    }

    #[test]
    fn options_avito_would_refuse_are_refused() {
        let refused = |options: AvitoOptions, currency: &str| {
            let header = FeedHeader { currency: currency.to_string(), ..header() };
            AvitoWriter::new(Memory::default().output(), &header, options).unwrap_err().to_string()
        };
        let ok = clothing();
        assert!(refused(AvitoOptions { manager_name: "И".repeat(41), ..ok.clone() }, "RUB").contains("41"));
        assert!(refused(AvitoOptions { address: "А".repeat(257), ..ok.clone() }, "RUB").contains("257"));
        for phone in ["+7 916 683-78-22, +7 916 683-78-23", "12345", "+1 (415) 555-0100 доб. 2"] {
            let options = AvitoOptions { contact_phone: phone.to_string(), ..ok.clone() };
            assert!(refused(options, "RUB").contains("one Russian number"), "{phone}");
        }
        let method = AvitoOptions { contact_method: "Звонки".to_string(), ..ok.clone() };
        assert!(refused(method, "RUB").contains("Звонки"));
        let fee = AvitoOptions { listing_fee: Some("Free".to_string()), ..ok.clone() };
        assert!(refused(fee, "RUB").contains("Free"));
        assert!(refused(ok.clone(), "USD").contains("rubles"));
        // YML's old RUR is rubles too; the no-break spaces of Avito's template become plain.
        let nbsp =
            AvitoOptions { ad_type: "Товар от\u{a0}производителя".to_string(), ..ok };
        let memory = Memory::default();
        let header = FeedHeader { currency: "RUR".to_string(), ..header() };
        let mut writer: Box<dyn FeedWriter> =
            Box::new(AvitoWriter::new(memory.output(), &header, nbsp).unwrap());
        assert_eq!(writer.write_item(&item("N-1")).unwrap(), Ok(()));
        let own = FeedItem {
            params: vec![param("AdType", "Товар приобретен на\u{a0}продажу")],
            ..item("N-2")
        };
        assert_eq!(writer.write_item(&own).unwrap(), Ok(()));
        writer.finish().unwrap();
        let ads = ads_of(&memory.text());
        assert_eq!(ads[0].text_of("AdType"), "Товар от производителя");
        assert_eq!(ads[1].text_of("AdType"), "Товар приобретен на продажу");
    }
}
