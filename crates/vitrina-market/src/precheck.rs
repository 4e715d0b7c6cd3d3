//! The local pre-check: what each marketplace's documented limits say about a product, before
//! anything is sent, so the seller fixes it here rather than reading a rejection later.
//!
//! This is the part that needs no marketplace data: the SKU, the title, the description, the
//! pictures, the brand, the barcodes, the dimensions and the weight, against the limits of
//! `docs/plans/market-plan.md` §D.7 (from the official specs). A category's required
//! attributes and dictionary values need that category's cached attributes and come with
//! them.

use std::borrow::Cow;

use serde::{Deserialize, Serialize};
use vitrina_domain::Barcode;
use vitrina_store::export::ExportRow;

use crate::market::Market;

/// One thing a marketplace would refuse or a buyer would miss.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Problem {
    pub code: ProblemCode,
    /// The product field at fault: `sku`, `name`, `description`, `images`, `brand`,
    /// `barcodes`, `dimensions`, `weight`, `price`.
    pub field: Cow<'static, str>,
    /// What exactly, for people: the length, the limit, the picture.
    pub detail: String,
    /// The marketplace attribute at fault (its id), for the problems of a category's
    /// attributes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub attr_id: Option<String>,
}

impl Problem {
    pub fn new(code: ProblemCode, field: &'static str, detail: impl Into<String>) -> Problem {
        Problem { code, field: Cow::Borrowed(field), detail: detail.into(), attr_id: None }
    }

    /// A problem with the marketplace attribute `attr_id` (field `attributes`).
    pub fn attr(code: ProblemCode, attr_id: &str, detail: impl Into<String>) -> Problem {
        Problem {
            code,
            field: Cow::Borrowed("attributes"),
            detail: detail.into(),
            attr_id: Some(attr_id.to_owned()),
        }
    }
}

/// What a problem is, as a stable code the front ends word.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ProblemCode {
    NoSku,
    SkuTooLong,
    NoName,
    NameTooLong,
    NoDescription,
    DescriptionTooLong,
    NoImages,
    TooManyImages,
    BadImage,
    NoBrand,
    BadBarcode,
    NoDimensions,
    NoWeight,
    TooHeavy,
    NoPrice,
    /// The product's category is not mapped to a category of this marketplace.
    NoCategoryMapping,
    /// The mapped category's attributes are not in the cache yet (refresh the dictionaries).
    CategoryNotLoaded,
    /// Mapped to a category that is not a leaf (products go into leaves only).
    CategoryNotLeaf,
    /// A required attribute has no value.
    MissingRequired,
    /// A value is not in the attribute's dictionary.
    NotInDictionary,
    /// A value is longer than the attribute allows.
    ValueTooLong,
    /// More values than the attribute allows.
    TooManyValues,
    /// A numeric attribute got something that is not a number.
    NotANumber,
    /// A number outside the attribute's range.
    OutOfRange,
    /// The old price is not far enough above the price for the marketplace to show a discount.
    BadDiscount,
    /// Prices and stocks need the card on the marketplace first.
    NotPublished,
    /// No marketplace warehouse is mapped for the stock.
    NoWarehouse,
    /// A variant has no size value where the marketplace needs one.
    NoSize,
}

impl ProblemCode {
    pub fn code(self) -> &'static str {
        match self {
            ProblemCode::NoSku => "no_sku",
            ProblemCode::SkuTooLong => "sku_too_long",
            ProblemCode::NoName => "no_name",
            ProblemCode::NameTooLong => "name_too_long",
            ProblemCode::NoDescription => "no_description",
            ProblemCode::DescriptionTooLong => "description_too_long",
            ProblemCode::NoImages => "no_images",
            ProblemCode::TooManyImages => "too_many_images",
            ProblemCode::BadImage => "bad_image",
            ProblemCode::NoBrand => "no_brand",
            ProblemCode::BadBarcode => "bad_barcode",
            ProblemCode::NoDimensions => "no_dimensions",
            ProblemCode::NoWeight => "no_weight",
            ProblemCode::TooHeavy => "too_heavy",
            ProblemCode::NoPrice => "no_price",
            ProblemCode::NoCategoryMapping => "no_category_mapping",
            ProblemCode::CategoryNotLoaded => "category_not_loaded",
            ProblemCode::CategoryNotLeaf => "category_not_leaf",
            ProblemCode::MissingRequired => "missing_required",
            ProblemCode::NotInDictionary => "not_in_dictionary",
            ProblemCode::ValueTooLong => "value_too_long",
            ProblemCode::TooManyValues => "too_many_values",
            ProblemCode::NotANumber => "not_a_number",
            ProblemCode::OutOfRange => "out_of_range",
            ProblemCode::BadDiscount => "bad_discount",
            ProblemCode::NotPublished => "not_published",
            ProblemCode::NoWarehouse => "no_warehouse",
            ProblemCode::NoSize => "no_size",
        }
    }
}

/// A marketplace's documented limits for a card.
#[derive(Debug, Clone, Copy)]
pub struct CardLimits {
    pub sku_max: usize,
    pub name_max: usize,
    /// In characters of the text a buyer reads.
    pub description_max: usize,
    pub description_required: bool,
    pub images_min: usize,
    pub images_max: usize,
    /// Picture formats by extension (lower case).
    pub image_formats: &'static [&'static str],
    pub image_url_max: usize,
    pub brand_required: bool,
    pub weight_max_g: Option<u32>,
}

impl CardLimits {
    pub fn of(market: Market) -> CardLimits {
        match market {
            // wildberries.md §5.1: vendorCode ≤ 72, title ≤ 60, description up to 5000 in the
            // roomiest categories (2000 by default); photos ≤ 30; packed dimensions and gross
            // weight, zeros when missing.
            Market::Wb => CardLimits {
                sku_max: 72,
                name_max: 60,
                description_max: 5000,
                description_required: false,
                images_min: 0,
                images_max: 30,
                image_formats: &["jpg", "jpeg", "png", "bmp", "gif", "webp"],
                image_url_max: 2000,
                brand_required: false,
                weight_max_g: None,
            },
            // ozon.md §4.1: offer_id ≤ 50, name ≤ 500, images JPG/PNG 1–15, real packed size
            // (never 0), weight ≤ 1000 kg.
            Market::Ozon => CardLimits {
                sku_max: 50,
                name_max: 500,
                description_max: 6000,
                description_required: false,
                images_min: 1,
                images_max: 15,
                image_formats: &["jpg", "jpeg", "png"],
                image_url_max: 2000,
                brand_required: false,
                weight_max_g: Some(1_000_000),
            },
            // yandex-market.md §3: offerId 1–255, name ≤ 256, pictures 1–30 absolute URLs,
            // description ≤ 6000; a new offer needs vendor, description and pictures.
            Market::Ym => CardLimits {
                sku_max: 255,
                name_max: 256,
                description_max: 6000,
                description_required: true,
                images_min: 1,
                images_max: 30,
                image_formats: &["jpg", "jpeg", "png", "webp", "gif", "bmp"],
                image_url_max: 2000,
                brand_required: true,
                weight_max_g: None,
            },
        }
    }
}

/// Everything `market`'s documented limits find wrong with `row`, in field order.
pub fn precheck(row: &ExportRow, market: Market) -> Vec<Problem> {
    let limits = CardLimits::of(market);
    let mut problems = Vec::new();
    let mut add = |code: ProblemCode, field: &'static str, detail: String| {
        problems.push(Problem::new(code, field, detail));
    };
    let sku = row.sku.trim();
    let sku_len = sku.chars().count();
    if sku.is_empty() {
        add(ProblemCode::NoSku, "sku", String::new());
    } else if sku_len > limits.sku_max {
        add(ProblemCode::SkuTooLong, "sku", format!("{sku_len} characters, at most {}", limits.sku_max));
    }
    let name_len = row.name.trim().chars().count();
    if name_len == 0 {
        add(ProblemCode::NoName, "name", String::new());
    } else if name_len > limits.name_max {
        add(ProblemCode::NameTooLong, "name", format!("{name_len} characters, at most {}", limits.name_max));
    }
    let description_len = visible_length(&row.description);
    if is_blank(&row.description) && limits.description_required {
        add(ProblemCode::NoDescription, "description", String::new());
    } else if description_len > limits.description_max {
        add(
            ProblemCode::DescriptionTooLong,
            "description",
            format!("{description_len} characters, at most {}", limits.description_max),
        );
    }
    let images: Vec<&str> = row.images.iter().map(|i| i.trim()).filter(|i| !i.is_empty()).collect();
    if images.len() < limits.images_min {
        add(ProblemCode::NoImages, "images", format!("at least {} needed", limits.images_min));
    } else if images.len() > limits.images_max {
        add(ProblemCode::TooManyImages, "images", format!("{}, at most {}", images.len(), limits.images_max));
    }
    for image in images {
        if let Some(why) = image_problem(image, &limits) {
            add(ProblemCode::BadImage, "images", format!("{image}: {why}"));
        }
    }
    if limits.brand_required && row.brand.trim().is_empty() {
        add(ProblemCode::NoBrand, "brand", String::new());
    }
    for code in &row.barcodes {
        if let Err(e) = Barcode::parse(code) {
            add(ProblemCode::BadBarcode, "barcodes", e.to_string());
        }
    }
    if row.dimensions_mm.is_none_or(|d| d.contains(&0)) {
        add(ProblemCode::NoDimensions, "dimensions", "length, width and height of the package".into());
    }
    match (row.weight_g, limits.weight_max_g) {
        (None | Some(0), _) => add(ProblemCode::NoWeight, "weight", "the weight with the package".into()),
        (Some(g), Some(max)) if g > max => {
            add(ProblemCode::TooHeavy, "weight", format!("{} kg, at most {} kg", g / 1000, max / 1000))
        }
        _ => {}
    }
    if row.price <= 0 {
        add(ProblemCode::NoPrice, "price", String::new());
    }
    problems
}

/// Why `url` cannot be a card's picture, if it cannot.
fn image_problem(url: &str, limits: &CardLimits) -> Option<String> {
    let lower = url.to_ascii_lowercase();
    let Some(rest) = lower.strip_prefix("https://").or_else(|| lower.strip_prefix("http://")) else {
        return Some("not an http(s) address the marketplace can download".into());
    };
    if rest.is_empty() || rest.starts_with('/') {
        return Some("no host in the address".into());
    }
    if url.chars().count() > limits.image_url_max {
        return Some(format!("the address is longer than {} characters", limits.image_url_max));
    }
    let path = rest.split(['?', '#']).next().unwrap_or_default();
    let file = path.rsplit('/').next().unwrap_or_default();
    match file.rsplit_once('.') {
        Some((_, ext)) if !limits.image_formats.contains(&ext) => {
            Some(format!(".{ext} is not one of {}", limits.image_formats.join(", ")))
        }
        // No extension: the marketplace decides by the content; nothing to say here.
        _ => None,
    }
}

/// True when `html` shows nothing but white space (`&nbsp;` included).
fn is_blank(html: &str) -> bool {
    let mut in_tag = false;
    let text: String = html
        .chars()
        .filter(|c| match c {
            '<' => {
                in_tag = true;
                false
            }
            '>' if in_tag => {
                in_tag = false;
                false
            }
            _ => !in_tag,
        })
        .collect();
    text.replace("&nbsp;", " ").trim().is_empty()
}

/// The length of what a buyer reads: characters outside tags, entities counted as one.
fn visible_length(html: &str) -> usize {
    let mut n = 0;
    let mut in_tag = false;
    let mut in_entity = false;
    for c in html.chars() {
        match c {
            '<' => in_tag = true,
            '>' if in_tag => in_tag = false,
            _ if in_tag => {}
            '&' => {
                in_entity = true;
                n += 1;
            }
            ';' if in_entity => in_entity = false,
            c if in_entity && (c.is_ascii_alphanumeric() || c == '#') => {}
            _ => {
                in_entity = false;
                n += 1;
            }
        }
    }
    n
}

#[cfg(test)]
mod tests {
    use super::*;

    fn good() -> ExportRow {
        ExportRow {
            sku: "RUN-42".into(),
            name: "Кроссовки беговые Ветер V-42".into(),
            description: "<p>Лёгкие &amp; быстрые.</p>".into(),
            brand: "Ветер".into(),
            price: 599_000,
            weight_g: Some(900),
            dimensions_mm: Some([320, 200, 120]),
            images: vec!["https://cdn.example.ru/img/run-42.jpg".into()],
            barcodes: vec!["4601234567893".into()],
            ..Default::default()
        }
    }

    fn codes(row: &ExportRow, market: Market) -> Vec<&'static str> {
        precheck(row, market).iter().map(|p| p.code.code()).collect()
    }

    #[test]
    fn a_complete_product_passes_everywhere() {
        for market in Market::ALL {
            assert!(precheck(&good(), market).is_empty(), "{market}: {:?}", precheck(&good(), market));
        }
    }

    #[test]
    fn each_marketplace_applies_its_own_limits() {
        let long_title = ExportRow { name: "Я".repeat(61), ..good() };
        assert_eq!(codes(&long_title, Market::Wb), ["name_too_long"]);
        assert!(codes(&long_title, Market::Ozon).is_empty() && codes(&long_title, Market::Ym).is_empty());
        let sku_51 = ExportRow { sku: "S".repeat(51), ..good() };
        assert_eq!(codes(&sku_51, Market::Ozon), ["sku_too_long"]);
        assert!(codes(&sku_51, Market::Wb).is_empty());
        let no_pictures = ExportRow { images: vec![], ..good() };
        assert_eq!(codes(&no_pictures, Market::Ozon), ["no_images"]);
        assert_eq!(codes(&no_pictures, Market::Ym), ["no_images"]);
        assert!(codes(&no_pictures, Market::Wb).is_empty(), "WB photos are uploaded apart from the card");
        let sixteen =
            ExportRow { images: (0..16).map(|i| format!("https://x.ru/{i}.png")).collect(), ..good() };
        assert_eq!(codes(&sixteen, Market::Ozon), ["too_many_images"]);
        assert!(codes(&sixteen, Market::Ym).is_empty());
        let webp = ExportRow { images: vec!["https://x.ru/a.webp?v=2".into()], ..good() };
        assert_eq!(codes(&webp, Market::Ozon), ["bad_image"]);
        assert!(codes(&webp, Market::Wb).is_empty());
        let bare = ExportRow { brand: " ".into(), description: "<p> </p>".into(), ..good() };
        assert_eq!(codes(&bare, Market::Ym), ["no_description", "no_brand"]);
        assert!(codes(&bare, Market::Wb).is_empty());
        let heavy = ExportRow { weight_g: Some(1_000_001), ..good() };
        assert_eq!(codes(&heavy, Market::Ozon), ["too_heavy"]);
    }

    #[test]
    fn what_every_marketplace_needs_is_checked_everywhere() {
        let row = ExportRow {
            sku: " ".into(),
            name: String::new(),
            price: 0,
            weight_g: None,
            dimensions_mm: Some([320, 0, 120]),
            barcodes: vec!["4601234567890".into(), "12-34".into()],
            images: vec!["ftp://x.ru/a.jpg".into(), "https:///a.jpg".into()],
            ..good()
        };
        for market in Market::ALL {
            let found = codes(&row, market);
            for code in
                ["no_sku", "no_name", "bad_barcode", "no_dimensions", "no_weight", "no_price", "bad_image"]
            {
                assert!(found.contains(&code), "{market}: {code} not in {found:?}");
            }
            assert_eq!(found.iter().filter(|c| **c == "bad_barcode").count(), 2, "{market}");
            assert_eq!(found.iter().filter(|c| **c == "bad_image").count(), 2, "{market}");
        }
    }

    #[test]
    fn descriptions_are_measured_as_read() {
        assert_eq!(visible_length("<p>Лёгкие &amp; быстрые.</p><br/>"), 17);
        assert_eq!(visible_length("a &#1071; b &nbsp;"), 7);
        let long = ExportRow { description: format!("<p>{}</p>", "я".repeat(5001)), ..good() };
        assert_eq!(codes(&long, Market::Wb), ["description_too_long"]);
        let tagged = ExportRow { description: format!("<p>{}</p>", "я".repeat(4990)), ..good() };
        assert!(codes(&tagged, Market::Wb).is_empty(), "tags do not count");
    }
}
