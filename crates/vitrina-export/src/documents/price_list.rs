//! The price list: every item with a price as a table row (SKU, name, brand, price, stock),
//! grouped under a heading per category, with the shop and the date on top of every page and
//! "Стр. 3 из 12" at the bottom.
//!
//! Items come sorted by category; a heading is printed whenever the category changes, and
//! repeated "(продолжение)" at the top of a page a category runs onto. Each row is laid out when
//! it is written (a name takes up to two lines, then "…"); the PDF itself is drawn at
//! [`finish`](FeedWriter::finish), when the number of pages is known.

use std::fmt;

use vitrina_formats::write::{FeedHeader, FeedItem, FeedWriter, Output, Skip, WriteError, WriteSummary};

use super::draw::{CONTENT_WIDTH, DocInfo, Drawing, MARGIN, Op, PAGE_HEIGHT, RIGHT, Rgb, Style};
use super::fonts::{Fonts, Weight};
use super::layout::{ellipsize, one_line, wrap};
use super::money::{MoneyFormat, count};
use super::{DocLang, Labels, local_time};

const SHOP: Style = Style::new(Weight::Bold, 13.0, Rgb::BLACK);
const SUBTITLE: Style = Style::new(Weight::Regular, 9.5, Rgb::MUTED);
const COLUMN_HEAD: Style = Style::new(Weight::Bold, 8.0, Rgb::BLACK);
const GROUP: Style = Style::new(Weight::Bold, 9.0, Rgb::BLACK);
const CELL: Style = Style::new(Weight::Regular, 8.5, Rgb::BLACK);
const PRICE: Style = Style::new(Weight::Bold, 8.5, Rgb::BLACK);
const FOOTER: Style = Style::new(Weight::Regular, 8.0, Rgb::MUTED);

/// Top of the page: the shop's line, the title's line, a rule, the column headings.
const SHOP_BASELINE: f32 = MARGIN + 12.0;
const TITLE_BASELINE: f32 = MARGIN + 26.0;
const RULE_Y: f32 = MARGIN + 32.0;
const COLUMN_HEAD_Y: f32 = MARGIN + 37.0;
const COLUMN_HEAD_HEIGHT: f32 = 16.0;
const BODY_TOP: f32 = COLUMN_HEAD_Y + COLUMN_HEAD_HEIGHT + 2.0;
const BODY_BOTTOM: f32 = PAGE_HEIGHT - MARGIN - 10.0;
const FOOTER_BASELINE: f32 = PAGE_HEIGHT - MARGIN + 6.0;

/// A row: padding above and below its lines.
const ROW_PAD: f32 = 2.5;
const LINE_HEIGHT: f32 = 10.5;
const NAME_LINES: usize = 2;
const GROUP_HEIGHT: f32 = 17.0;
/// Text starts this far inside its column.
const CELL_PAD: f32 = 3.0;

/// Column widths in points; the name takes what is left.
const SKU_WIDTH: f32 = 78.0;
const BRAND_WIDTH: f32 = 88.0;
const PRICE_WIDTH: f32 = 80.0;
const STOCK_WIDTH: f32 = 48.0;
const NAME_WIDTH: f32 = CONTENT_WIDTH - SKU_WIDTH - BRAND_WIDTH - PRICE_WIDTH - STOCK_WIDTH;
const SKU_X: f32 = MARGIN;
const NAME_X: f32 = SKU_X + SKU_WIDTH;
const BRAND_X: f32 = NAME_X + NAME_WIDTH;
const PRICE_RIGHT: f32 = BRAND_X + BRAND_WIDTH + PRICE_WIDTH;
const STOCK_RIGHT: f32 = RIGHT;

/// A PDF price list, written as a [`FeedWriter`]. Items without a price (zero or less) are left
/// out as [`Skip::NoPrice`].
pub struct PdfPriceList {
    out: Output,
    fonts: Fonts,
    lang: DocLang,
    labels: &'static Labels,
    money: MoneyFormat,
    /// The header with only its category tree, for the headings' paths.
    categories: FeedHeader,
    shop_name: String,
    title: String,
    date_line: String,
    info: DocInfo,
    drawing: Drawing,
    /// Where the next row goes on the current page.
    y: f32,
    /// The category of the rows so far (`Some(None)`: items without one) and its heading.
    category: Option<Option<u64>>,
    category_title: String,
    /// Rows since the last heading, for the stripes.
    rows_in_group: usize,
    written: u64,
}

impl fmt::Debug for PdfPriceList {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PdfPriceList")
            .field("shop_name", &self.shop_name)
            .field("title", &self.title)
            .field("lang", &self.lang)
            .field("pages", &self.drawing.page_count())
            .field("written", &self.written)
            .finish_non_exhaustive()
    }
}

impl PdfPriceList {
    /// A price list of `header`'s shop, titled `title` ("Прайс-лист" / "Price list" if `None`),
    /// with its words in `lang`, to be written to `out` when finished.
    pub fn new(
        out: Output,
        header: &FeedHeader,
        title: Option<String>,
        lang: DocLang,
    ) -> Result<Self, WriteError> {
        let labels = lang.labels();
        let created = local_time(header.generated_at_ms, header.utc_offset_minutes);
        let title = title.map(|t| one_line(&t).into_owned()).filter(|t| !t.is_empty());
        let title = title.unwrap_or_else(|| labels.price_list.to_string());
        let shop_name = one_line(&header.shop_name).into_owned();
        let doc_title = if shop_name.is_empty() { title.clone() } else { format!("{title} — {shop_name}") };
        let mut list = PdfPriceList {
            out,
            fonts: Fonts::load()?,
            lang,
            labels,
            money: MoneyFormat::new(&header.currency),
            categories: FeedHeader { categories: header.categories.clone(), ..FeedHeader::default() },
            date_line: format!("{} {}", labels.prices_as_of, lang.date(created)),
            info: DocInfo { title: doc_title, lang: labels.lang_tag, created },
            shop_name,
            title,
            drawing: Drawing::default(),
            y: BODY_TOP,
            category: None,
            category_title: String::new(),
            rows_in_group: 0,
            written: 0,
        };
        list.start_page();
        Ok(list)
    }

    /// A new page with the shop, the date, the title and the column headings on top.
    fn start_page(&mut self) {
        let fonts = &self.fonts;
        let d = &mut self.drawing;
        d.new_page();
        let date_width = SUBTITLE.width(fonts, &self.date_line);
        d.text_right(fonts, RIGHT, SHOP_BASELINE, SUBTITLE, &self.date_line);
        let shop =
            ellipsize(fonts.face(SHOP.weight), &self.shop_name, SHOP.size, CONTENT_WIDTH - date_width - 12.0);
        d.text(MARGIN, SHOP_BASELINE, SHOP, shop);
        let title = ellipsize(fonts.face(SUBTITLE.weight), &self.title, SUBTITLE.size, CONTENT_WIDTH);
        d.text(MARGIN, TITLE_BASELINE, SUBTITLE, title);
        d.rect(MARGIN, RULE_Y, CONTENT_WIDTH, 0.75, Rgb::RULE);

        d.rect(MARGIN, COLUMN_HEAD_Y, CONTENT_WIDTH, COLUMN_HEAD_HEIGHT, Rgb::HEAD);
        let baseline = COLUMN_HEAD_Y + 11.0;
        let l = self.labels;
        d.text(SKU_X + CELL_PAD, baseline, COLUMN_HEAD, l.sku);
        d.text(NAME_X + CELL_PAD, baseline, COLUMN_HEAD, l.name);
        d.text(BRAND_X + CELL_PAD, baseline, COLUMN_HEAD, l.brand);
        d.text_right(fonts, PRICE_RIGHT - CELL_PAD, baseline, COLUMN_HEAD, l.price);
        d.text_right(fonts, STOCK_RIGHT - CELL_PAD, baseline, COLUMN_HEAD, l.stock);

        self.y = BODY_TOP;
        self.rows_in_group = 0;
    }

    /// "Обувь / Кроссовки" for the item's category.
    fn category_title(&self, category: Option<u64>) -> String {
        let path = category.map(|id| self.categories.category_path(id)).unwrap_or_default();
        let path: Vec<_> = path.iter().map(|name| one_line(name)).filter(|name| !name.is_empty()).collect();
        if path.is_empty() { self.labels.uncategorized.to_string() } else { path.join(" / ") }
    }

    fn heading(&mut self, continued: bool) {
        let text = if continued {
            format!("{} ({})", self.category_title, self.labels.continued)
        } else {
            self.category_title.clone()
        };
        let face = self.fonts.face(GROUP.weight);
        let text = ellipsize(face, &text, GROUP.size, CONTENT_WIDTH - 2.0 * CELL_PAD).into_owned();
        self.drawing.rect(MARGIN, self.y + 1.0, CONTENT_WIDTH, GROUP_HEIGHT - 2.0, Rgb::GROUP);
        self.drawing.text(MARGIN + CELL_PAD, self.y + 12.5, GROUP, text);
        self.y += GROUP_HEIGHT;
        self.rows_in_group = 0;
    }

    fn row(&mut self, item: &FeedItem, name: Vec<String>, height: f32) {
        let fonts = &self.fonts;
        let d = &mut self.drawing;
        if self.rows_in_group % 2 == 1 {
            d.rect(MARGIN, self.y, CONTENT_WIDTH, height, Rgb::STRIPE);
        }
        let baseline = self.y + ROW_PAD + 8.2;
        let cell = |text: &str, width: f32| {
            ellipsize(fonts.face(CELL.weight), &one_line(text), CELL.size, width - 2.0 * CELL_PAD)
                .into_owned()
        };
        d.text(SKU_X + CELL_PAD, baseline, CELL, cell(&item.sku, SKU_WIDTH));
        for (i, line) in name.into_iter().enumerate() {
            d.text(NAME_X + CELL_PAD, baseline + i as f32 * LINE_HEIGHT, CELL, line);
        }
        d.text(BRAND_X + CELL_PAD, baseline, CELL, cell(&item.brand, BRAND_WIDTH));
        d.text_right(fonts, PRICE_RIGHT - CELL_PAD, baseline, PRICE, &self.money.amount(item.price_minor));
        d.text_right(fonts, STOCK_RIGHT - CELL_PAD, baseline, CELL, &count(item.stock));
        self.y += height;
        self.rows_in_group += 1;
    }
}

impl FeedWriter for PdfPriceList {
    fn write_item(&mut self, item: &FeedItem) -> Result<Result<(), Skip>, WriteError> {
        if item.price_minor <= 0 {
            return Ok(Err(Skip::NoPrice));
        }
        let name = wrap(
            self.fonts.face(CELL.weight),
            &one_line(&item.name),
            CELL.size,
            NAME_WIDTH - 2.0 * CELL_PAD,
            NAME_LINES,
        );
        let height = 2.0 * ROW_PAD + LINE_HEIGHT * name.len().max(1) as f32;
        let new_category = self.category != Some(item.category_id);
        // A heading never ends a page: it moves to the next one with its first row.
        let needed = height + if new_category { GROUP_HEIGHT } else { 0.0 };
        if self.y + needed > BODY_BOTTOM && self.y > BODY_TOP {
            self.start_page();
            if !new_category {
                self.heading(true);
            }
        }
        if new_category {
            self.category = Some(item.category_id);
            self.category_title = self.category_title(item.category_id);
            self.heading(false);
        }
        self.row(item, name, height);
        self.written += 1;
        Ok(Ok(()))
    }

    fn finish(mut self: Box<Self>) -> Result<WriteSummary, WriteError> {
        if self.written == 0 {
            let baseline = self.y + 14.0;
            self.drawing.text(MARGIN + CELL_PAD, baseline, CELL, self.labels.no_items);
        }
        let total = self.drawing.page_count();
        for page in 0..total {
            let text = self.lang.page_of(page + 1, total);
            let x = RIGHT - FOOTER.width(&self.fonts, &text);
            self.drawing
                .push_to(page, Op::Text { x, baseline: FOOTER_BASELINE, style: FOOTER, text: text.into() });
        }
        let PdfPriceList { mut out, fonts, drawing, info, written, .. } = *self;
        let pdf = drawing.render(&fonts, &info)?;
        out.write_all(&pdf)?;
        out.flush()?;
        Ok(WriteSummary { written, ..WriteSummary::default() })
    }
}

#[cfg(test)]
mod tests {
    use std::time::Instant;

    use super::super::test_support::{SharedBuf, header, pdf_text};
    use super::*;

    fn item(i: usize, category: Option<u64>) -> FeedItem {
        FeedItem {
            sku: format!("SKU-{i:05}"),
            name: format!("Товар номер {i}"),
            brand: "Лось".to_string(),
            category_id: category,
            price_minor: 10_000 + i as i64,
            stock: i as i64,
            ..FeedItem::default()
        }
    }

    /// 300 rows: 120 trainers, 100 boots, 60 jackets, 20 without a category; the first is the
    /// one the tests look for, the second has a name too long for its column.
    fn catalog() -> Vec<FeedItem> {
        let mut items: Vec<FeedItem> = (0..300)
            .map(|i| {
                let category = match i {
                    0..120 => Some(2),
                    120..220 => Some(3),
                    220..280 => Some(5),
                    _ => None,
                };
                item(i, category)
            })
            .collect();
        items[0].name = "Кроссовки беговые «Ветер»".to_string();
        items[0].brand = "Nike".to_string();
        items[0].price_minor = 129_950;
        items[0].stock = 12_500;
        items[1].name = "Кроссовки для бега по пересечённой местности с усиленным протектором, \
                         мембраной и светоотражающими вставками, размерный ряд 36–47"
            .to_string();
        items
    }

    fn write(items: &[FeedItem], lang: DocLang, title: Option<String>) -> (Vec<u8>, WriteSummary, Vec<Skip>) {
        let buf = SharedBuf::default();
        let mut writer: Box<dyn FeedWriter> =
            Box::new(PdfPriceList::new(Box::new(buf.clone()), &header(), title, lang).unwrap());
        let mut skips = Vec::new();
        for item in items {
            if let Err(skip) = writer.write_item(item).unwrap() {
                skips.push(skip);
            }
        }
        let summary = writer.finish().unwrap();
        (buf.bytes(), summary, skips)
    }

    /// The text of each page: pdftotext ends every page with a form feed.
    fn pages(text: &str) -> Vec<&str> {
        let mut pages: Vec<&str> = text.split('\u{c}').collect();
        assert_eq!(pages.pop(), Some(""), "the text should end with a form feed");
        pages
    }

    #[test]
    fn a_price_list_reads_back_with_its_rows_headings_and_page_numbers() {
        let mut items = catalog();
        items.insert(5, FeedItem { price_minor: 0, ..item(900, Some(2)) });
        items.insert(6, FeedItem { price_minor: -100, ..item(901, Some(2)) });
        let (pdf, summary, skips) = write(&items, DocLang::Ru, None);
        assert_eq!(summary.written, 300);
        assert_eq!(skips, [Skip::NoPrice, Skip::NoPrice]);

        let text = pdf_text(&pdf);
        let pages = pages(&text);
        let total = pages.len();
        assert!((5..=12).contains(&total), "300 rows should take several pages, not {total}");
        for (i, page) in pages.iter().enumerate() {
            assert!(page.contains("ИП Соколова «Бегущий лось»"), "page {}: {page}", i + 1);
            assert!(page.contains("Цены на 24.06.2025"), "page {}", i + 1);
            assert!(page.contains("Прайс-лист"), "page {}", i + 1);
            assert!(page.contains("Артикул") && page.contains("Наименование") && page.contains("Остаток"));
            assert!(page.contains(&format!("Стр. {} из {total}", i + 1)), "page {}: {page}", i + 1);
        }

        // The first row, its cells in order on one line.
        let row = text.lines().find(|l| l.contains("SKU-00000")).unwrap();
        let at = |s: &str| row.find(s).unwrap_or_else(|| panic!("{s:?} not in {row:?}"));
        assert!(at("SKU-00000") < at("Кроссовки беговые «Ветер»"));
        assert!(at("Кроссовки беговые «Ветер»") < at("Nike"));
        assert!(at("Nike") < at("1 299,50 ₽"));
        assert!(at("1 299,50 ₽") < at("12 500"));
        // The long name takes two lines and ends cut.
        let long = text.lines().position(|l| l.contains("SKU-00001")).unwrap();
        let second_line = text.lines().nth(long + 1).unwrap();
        assert!(second_line.trim_end().ends_with('…'), "{second_line:?}");
        assert!(!text.contains("размерный ряд 36–47"));

        // Headings in the order of the items, each category once, then again on later pages.
        let headings = ["Обувь / Кроссовки", "Обувь / Сапоги", "Одежда / Куртки", "Без категории"];
        let first_seen: Vec<usize> = headings.iter().map(|h| text.find(h).expect(h)).collect();
        assert!(first_seen.is_sorted(), "{first_seen:?}");
        for heading in headings {
            let fresh = text.lines().filter(|l| l.trim() == heading).count();
            assert_eq!(fresh, 1, "{heading}");
        }
        assert!(text.contains("Обувь / Кроссовки (продолжение)"), "120 trainers run onto a second page");
        // Every row is there once.
        for i in 0..300 {
            assert_eq!(text.matches(&format!("SKU-{i:05} ")).count(), 1, "SKU-{i:05}");
        }
        assert!(!text.contains("SKU-00900") && !text.contains("SKU-00901"));
    }

    #[test]
    fn a_price_list_in_english_with_its_own_title() {
        let items = catalog();
        let (pdf, _, _) = write(&items[270..], DocLang::En, Some("Wholesale\nJune".to_string()));
        let text = pdf_text(&pdf);
        for expected in [
            "Wholesale June",
            "Prices as of 24 Jun 2025",
            "SKU",
            "Name",
            "Brand",
            "Price",
            "Stock",
            "Uncategorized",
        ] {
            assert!(text.contains(expected), "{expected:?} not in {text}");
        }
        assert!(text.contains("Page 1 of 1"), "{text}");
    }

    #[test]
    fn an_empty_price_list_is_one_page_that_says_so() {
        let (pdf, summary, _) = write(&[FeedItem { price_minor: 0, ..item(1, None) }], DocLang::Ru, None);
        assert_eq!(summary.written, 0);
        let text = pdf_text(&pdf);
        assert!(text.contains("Нет товаров с ценой.") && text.contains("Стр. 1 из 1"), "{text}");
    }

    #[test]
    fn characters_the_font_lacks_do_not_stop_the_document() {
        let items = [FeedItem {
            name: "Кружка 😀 茶 \u{0}\u{1b}[31m «Чай»".to_string(), ..item(1, Some(2))
        }];
        let (pdf, summary, _) = write(&items, DocLang::Ru, None);
        assert_eq!(summary.written, 1);
        let text = pdf_text(&pdf);
        assert!(text.contains("Кружка") && text.contains("«Чай»"), "{text}");
    }

    #[test]
    fn an_output_that_fails_is_an_error() {
        #[derive(Debug)]
        struct Full;
        impl std::io::Write for Full {
            fn write(&mut self, _: &[u8]) -> std::io::Result<usize> {
                Err(std::io::Error::other("disk full"))
            }
            fn flush(&mut self) -> std::io::Result<()> {
                Ok(())
            }
        }
        let mut writer = Box::new(PdfPriceList::new(Box::new(Full), &header(), None, DocLang::Ru).unwrap());
        writer.write_item(&item(1, Some(2))).unwrap().unwrap();
        assert!(matches!(writer.finish(), Err(WriteError::Io(_))));
    }

    /// By hand, in release: `cargo test --release -p vitrina-export --lib documents::price_list -- --ignored
    /// --nocapture`. 10,000 rows should take well under 10 s (the aim is 1–2 s).
    #[test]
    #[ignore = "a timing run, for release builds"]
    fn ten_thousand_rows_in_release() {
        let categories = [Some(2), Some(3), Some(5), None];
        let items: Vec<FeedItem> = (0..10_000)
            .map(|i| FeedItem {
                name: format!("Кроссовки беговые «Ветер» модель {i}, сетка, амортизация, размеры 36–47"),
                ..item(i, categories[i * categories.len() / 10_000])
            })
            .collect();
        let started = Instant::now();
        let (pdf, summary, _) = write(&items, DocLang::Ru, None);
        let elapsed = started.elapsed();
        eprintln!("10,000 rows: {elapsed:.2?}, {} KiB", pdf.len() / 1024);
        assert_eq!(summary.written, 10_000);
        assert!(elapsed.as_secs_f32() < 10.0, "{elapsed:?}");
        let text = pdf_text(&pdf);
        let total = text.matches('\u{c}').count();
        assert!(text.contains(&format!("Стр. {total} из {total}")));
    }
}
