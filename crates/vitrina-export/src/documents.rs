//! Documents for buyers, as PDF: a price list of the whole selection ([`PdfPriceList`], a
//! [`FeedWriter`](vitrina_formats::write::FeedWriter) like the feeds) and a spec sheet of one
//! product ([`spec_sheet_pdf`]).
//!
//! Both are laid out here, line by line, with the advance widths of the embedded DejaVu Sans
//! (Cyrillic, `₽` and the typographic spaces are in it), into a list of drawing operations per
//! page; `draw` turns that list into a PDF with krilla, which embeds only the glyphs used.
//! Laying out first is what lets every page say "Стр. 3 из 12": the count is known before the
//! first page is drawn. No shaping engine: Cyrillic and Latin need none, and measuring and
//! drawing then use the same widths, so a cut line never overflows its column.

mod barcode;
mod draw;
mod fonts;
mod layout;
mod money;
mod pictures;
mod price_list;
mod spec_sheet;
#[cfg(test)]
mod test_support;

pub use price_list::PdfPriceList;
pub use spec_sheet::spec_sheet_pdf;

use time::{OffsetDateTime, UtcOffset};

/// The language of a document's own words (headings, labels, page numbers); the catalog's text
/// is printed as it is.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub enum DocLang {
    #[default]
    Ru,
    En,
}

/// The words a document prints around the catalog's text.
#[derive(Debug)]
struct Labels {
    lang_tag: &'static str,
    price_list: &'static str,
    prices_as_of: &'static str,
    sku: &'static str,
    name: &'static str,
    brand: &'static str,
    model: &'static str,
    price: &'static str,
    stock: &'static str,
    category: &'static str,
    uncategorized: &'static str,
    continued: &'static str,
    no_items: &'static str,
    characteristics: &'static str,
    description: &'static str,
    barcode: &'static str,
    weight: &'static str,
    dimensions: &'static str,
    grams: &'static str,
    kilograms: &'static str,
    millimetres: &'static str,
}

const RU: Labels = Labels {
    lang_tag: "ru",
    price_list: "Прайс-лист",
    prices_as_of: "Цены на",
    sku: "Артикул",
    name: "Наименование",
    brand: "Бренд",
    model: "Модель",
    price: "Цена",
    stock: "Остаток",
    category: "Категория",
    uncategorized: "Без категории",
    continued: "продолжение",
    no_items: "Нет товаров с ценой.",
    characteristics: "Характеристики",
    description: "Описание",
    barcode: "Штрихкод",
    weight: "Вес",
    dimensions: "Габариты (Д × Ш × В)",
    grams: "г",
    kilograms: "кг",
    millimetres: "мм",
};

const EN: Labels = Labels {
    lang_tag: "en",
    price_list: "Price list",
    prices_as_of: "Prices as of",
    sku: "SKU",
    name: "Name",
    brand: "Brand",
    model: "Model",
    price: "Price",
    stock: "Stock",
    category: "Category",
    uncategorized: "Uncategorized",
    continued: "continued",
    no_items: "No items with a price.",
    characteristics: "Characteristics",
    description: "Description",
    barcode: "Barcode",
    weight: "Weight",
    dimensions: "Dimensions (L × W × H)",
    grams: "g",
    kilograms: "kg",
    millimetres: "mm",
};

impl DocLang {
    fn labels(self) -> &'static Labels {
        match self {
            DocLang::Ru => &RU,
            DocLang::En => &EN,
        }
    }

    /// "Стр. 3 из 12" / "Page 3 of 12".
    fn page_of(self, page: usize, total: usize) -> String {
        match self {
            DocLang::Ru => format!("Стр. {page} из {total}"),
            DocLang::En => format!("Page {page} of {total}"),
        }
    }

    /// The day the document was made, in the seller's time zone: "24.06.2025" / "24 Jun 2025".
    fn date(self, local: OffsetDateTime) -> String {
        match self {
            DocLang::Ru => format!("{:02}.{:02}.{}", local.day(), u8::from(local.month()), local.year()),
            DocLang::En => {
                let month = local.month().to_string();
                format!("{} {} {}", local.day(), &month[..3], local.year())
            }
        }
    }
}

/// When the header says the file was made, at the seller's offset from UTC (UTC if either is
/// out of range).
fn local_time(generated_at_ms: i64, utc_offset_minutes: i32) -> OffsetDateTime {
    let utc = OffsetDateTime::from_unix_timestamp_nanos(i128::from(generated_at_ms) * 1_000_000)
        .unwrap_or(OffsetDateTime::UNIX_EPOCH);
    let offset =
        UtcOffset::from_whole_seconds(utc_offset_minutes.saturating_mul(60)).unwrap_or(UtcOffset::UTC);
    utc.checked_to_offset(offset).unwrap_or(utc)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_date_is_the_sellers_local_day() {
        // 2025-06-23 22:30 UTC is already the 24th in Moscow (UTC+3).
        let ms = 1_750_717_800_000;
        assert_eq!(DocLang::Ru.date(local_time(ms, 180)), "24.06.2025");
        assert_eq!(DocLang::En.date(local_time(ms, 180)), "24 Jun 2025");
        assert_eq!(DocLang::Ru.date(local_time(ms, 0)), "23.06.2025");
        // An offset no time zone has falls back to UTC rather than failing.
        assert_eq!(DocLang::Ru.date(local_time(ms, 100_000)), "23.06.2025");
    }

    #[test]
    fn page_numbers_in_both_languages() {
        assert_eq!(DocLang::Ru.page_of(3, 12), "Стр. 3 из 12");
        assert_eq!(DocLang::En.page_of(3, 12), "Page 3 of 12");
    }
}
