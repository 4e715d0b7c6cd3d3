//! The spec sheet: one product on A4 for a buyer or a shop window. The name as the title, up to
//! four pictures side by side, the price (the old one struck through), SKU, brand and category
//! with the barcode drawn beside them, the characteristics as a table, the description as plain
//! text. What does not fit runs onto further pages.

use std::io::Write;
use std::path::PathBuf;

use vitrina_formats::write::{FeedHeader, FeedItem, WriteError, html_to_text};

use super::barcode::Ean;
use super::draw::{CONTENT_WIDTH, DocInfo, Drawing, MARGIN, Op, PAGE_HEIGHT, RIGHT, Rgb, Style};
use super::fonts::{Fonts, Weight};
use super::layout::{ellipsize, one_line, wrap};
use super::money::{MoneyFormat, count};
use super::pictures::Picture;
use super::{DocLang, Labels, local_time};

const HEADER: Style = Style::new(Weight::Regular, 8.5, Rgb::MUTED);
const TITLE: Style = Style::new(Weight::Bold, 18.0, Rgb::BLACK);
const PRICE: Style = Style::new(Weight::Bold, 20.0, Rgb::BLACK);
const OLD_PRICE: Style = Style::new(Weight::Regular, 12.0, Rgb::MUTED);
const LABEL: Style = Style::new(Weight::Regular, 10.0, Rgb::MUTED);
const VALUE: Style = Style::new(Weight::Regular, 10.0, Rgb::BLACK);
const SECTION: Style = Style::new(Weight::Bold, 12.0, Rgb::BLACK);
const CELL: Style = Style::new(Weight::Regular, 9.5, Rgb::BLACK);
const CELL_LABEL: Style = Style::new(Weight::Regular, 9.5, Rgb::MUTED);
const BODY: Style = Style::new(Weight::Regular, 10.0, Rgb::BLACK);
const FOOTER: Style = Style::new(Weight::Regular, 8.0, Rgb::MUTED);

const HEADER_BASELINE: f32 = MARGIN + 8.0;
const HEADER_RULE_Y: f32 = MARGIN + 13.0;
const BODY_TOP: f32 = MARGIN + 24.0;
const BODY_BOTTOM: f32 = PAGE_HEIGHT - MARGIN - 10.0;
const FOOTER_BASELINE: f32 = PAGE_HEIGHT - MARGIN + 6.0;

const TITLE_LINE: f32 = 22.0;
const TITLE_LINES: usize = 4;
const MAX_PICTURES: usize = 4;
const PICTURE_GAP: f32 = 10.0;
const PICTURE_MAX_HEIGHT: f32 = 240.0;
const FACT_LINE: f32 = 14.0;
const FACT_LABEL_WIDTH: f32 = 72.0;
/// A barcode module is 1 pt (0.35 mm): EAN-13 at about 106 % of its nominal size.
const BARCODE_MODULE: f32 = 1.0;
const TABLE_LINE: f32 = 12.5;
const TABLE_PAD: f32 = 3.0;
const TABLE_NAME_WIDTH: f32 = CONTENT_WIDTH * 0.4;
const BODY_LINE: f32 = 13.5;
const SECTION_GAP: f32 = 14.0;

/// Writes the spec sheet of `item` to `out` as a PDF: its words in `lang`, pictures from the
/// local files `images` (the first four that are PNG or JPEG and decode; the others are left
/// out with a warning in the log, never an error).
pub fn spec_sheet_pdf(
    item: &FeedItem,
    header: &FeedHeader,
    images: &[PathBuf],
    lang: DocLang,
    out: &mut dyn Write,
) -> Result<(), WriteError> {
    let fonts = Fonts::load()?;
    let labels = lang.labels();
    let created = local_time(header.generated_at_ms, header.utc_offset_minutes);
    let name = one_line(&item.name);
    let title = if name.is_empty() { one_line(&item.sku) } else { name };
    let mut sheet = Sheet {
        fonts: &fonts,
        labels,
        drawing: Drawing::default(),
        y: BODY_TOP,
        shop_name: one_line(&header.shop_name).into_owned(),
        date: lang.date(created),
    };
    sheet.start_page();
    sheet.title(&title);
    sheet.pictures(images);
    sheet.facts(item, header);
    sheet.characteristics(item);
    sheet.description(item);

    let Sheet { mut drawing, .. } = sheet;
    let total = drawing.page_count();
    for page in 0..total {
        let text = lang.page_of(page + 1, total);
        let x = RIGHT - FOOTER.width(&fonts, &text);
        drawing.push_to(page, Op::Text { x, baseline: FOOTER_BASELINE, style: FOOTER, text: text.into() });
    }
    let info = DocInfo { title: title.into_owned(), lang: labels.lang_tag, created };
    let pdf = drawing.render(&fonts, &info)?;
    out.write_all(&pdf)?;
    out.flush()?;
    Ok(())
}

/// The sheet being laid out, top to bottom, page after page.
struct Sheet<'a> {
    fonts: &'a Fonts,
    labels: &'static Labels,
    drawing: Drawing,
    y: f32,
    shop_name: String,
    date: String,
}

impl Sheet<'_> {
    fn start_page(&mut self) {
        let (fonts, d) = (self.fonts, &mut self.drawing);
        d.new_page();
        let date_width = HEADER.width(fonts, &self.date);
        d.text_right(fonts, RIGHT, HEADER_BASELINE, HEADER, &self.date);
        let shop = ellipsize(
            fonts.face(HEADER.weight),
            &self.shop_name,
            HEADER.size,
            CONTENT_WIDTH - date_width - 12.0,
        );
        d.text(MARGIN, HEADER_BASELINE, HEADER, shop);
        d.rect(MARGIN, HEADER_RULE_Y, CONTENT_WIDTH, 0.5, Rgb::RULE);
        self.y = BODY_TOP;
    }

    /// Room for `height` more points on this page, or a new page.
    fn ensure(&mut self, height: f32) {
        if self.y + height > BODY_BOTTOM && self.y > BODY_TOP {
            self.start_page();
        }
    }

    fn wrap(&self, style: Style, text: &str, width: f32, max_lines: usize) -> Vec<String> {
        wrap(self.fonts.face(style.weight), text, style.size, width, max_lines)
    }

    fn title(&mut self, title: &str) {
        let lines = self.wrap(TITLE, title, CONTENT_WIDTH, TITLE_LINES);
        let top = self.y;
        for (i, line) in lines.into_iter().enumerate() {
            self.drawing.text(MARGIN, top + TITLE.ascent(self.fonts) + i as f32 * TITLE_LINE, TITLE, line);
            self.y += TITLE_LINE;
        }
        self.y += 8.0;
    }

    /// The first pictures that load, side by side, each scaled to fit its share of the width.
    fn pictures(&mut self, paths: &[PathBuf]) {
        let pictures: Vec<Picture> =
            paths.iter().filter_map(|p| Picture::load(p)).take(MAX_PICTURES).collect();
        if pictures.is_empty() {
            return;
        }
        let n = pictures.len() as f32;
        let cell_width = (CONTENT_WIDTH - PICTURE_GAP * (n - 1.0)) / n;
        let cell_height = cell_width.min(PICTURE_MAX_HEIGHT);
        let sizes: Vec<(f32, f32)> = pictures
            .iter()
            .map(|p| {
                let scale = (cell_width / p.width as f32).min(cell_height / p.height as f32);
                (p.width as f32 * scale, p.height as f32 * scale)
            })
            .collect();
        let row_height = sizes.iter().map(|s| s.1).fold(0.0, f32::max);
        self.ensure(row_height);
        for (i, (picture, (width, height))) in pictures.into_iter().zip(sizes).enumerate() {
            let x = MARGIN + i as f32 * (cell_width + PICTURE_GAP) + (cell_width - width) / 2.0;
            let y = self.y + (row_height - height) / 2.0;
            self.drawing.picture(picture, x, y, width, height);
        }
        self.y += row_height + SECTION_GAP;
    }

    /// The price, SKU, brand, model and category on the left; the barcode on the right.
    fn facts(&mut self, item: &FeedItem, header: &FeedHeader) {
        let l = self.labels;
        let money = MoneyFormat::new(&header.currency);
        let ean = item.barcodes.first().and_then(|code| Ean::parse(code));
        let barcode_size = ean.as_ref().map(|e| e.size(BARCODE_MODULE));
        let left_width = CONTENT_WIDTH - barcode_size.map_or(0.0, |s| s.0 + 20.0);

        let category = item.category_id.map(|id| header.category_path(id).join(" / ")).unwrap_or_default();
        let mut facts: Vec<(&str, String)> = vec![(l.sku, item.sku.clone()), (l.brand, item.brand.clone())];
        facts.push((l.model, item.model.clone()));
        facts.push((l.category, category));
        if let (None, Some(code)) = (&ean, item.barcodes.first()) {
            facts.push((l.barcode, code.clone()));
        }
        let value_width = left_width - FACT_LABEL_WIDTH;
        let facts: Vec<(&str, Vec<String>)> = facts
            .into_iter()
            .map(|(label, value)| (label, self.wrap(VALUE, &one_line(&value), value_width, 3)))
            .filter(|(_, lines)| !lines.is_empty())
            .collect();
        let price_height = 30.0;
        let facts_height: f32 = facts.iter().map(|(_, lines)| lines.len() as f32 * FACT_LINE).sum();
        let height = (price_height + facts_height).max(barcode_size.map_or(0.0, |s| s.1));
        self.ensure(height);
        let top = self.y;

        let price = money.amount(item.price_minor);
        let baseline = top + PRICE.ascent(self.fonts);
        self.drawing.text(MARGIN, baseline, PRICE, price.as_str());
        if let Some(old) = item.old_price_minor.filter(|old| *old > item.price_minor) {
            let old = money.amount(old);
            let x = MARGIN + PRICE.width(self.fonts, &price) + 12.0;
            let width = OLD_PRICE.width(self.fonts, &old);
            self.drawing.text(x, baseline, OLD_PRICE, old);
            // Struck through at the middle of the digits.
            self.drawing.rect(x, baseline - OLD_PRICE.size * 0.33, width, 0.9, OLD_PRICE.color);
        }

        let mut y = top + price_height;
        for (label, lines) in facts {
            let label = format!("{label}:");
            self.drawing.text(MARGIN, y + LABEL.ascent(self.fonts), LABEL, label);
            for line in lines {
                self.drawing.text(MARGIN + FACT_LABEL_WIDTH, y + VALUE.ascent(self.fonts), VALUE, line);
                y += FACT_LINE;
            }
        }
        if let (Some(ean), Some((width, _))) = (&ean, barcode_size) {
            ean.draw(&mut self.drawing, self.fonts, RIGHT - width, top, BARCODE_MODULE);
        }
        self.y = top + height + SECTION_GAP;
    }

    fn section(&mut self, title: &str, first_height: f32) {
        self.ensure(SECTION.size + 8.0 + first_height);
        self.drawing.text(MARGIN, self.y + SECTION.ascent(self.fonts), SECTION, title);
        self.y += SECTION.size + 8.0;
    }

    /// The characteristics, weight and dimensions as a two-column table.
    fn characteristics(&mut self, item: &FeedItem) {
        let l = self.labels;
        let mut rows: Vec<(String, String)> = item
            .params
            .iter()
            .map(|p| {
                let value = one_line(&p.value);
                let unit = p.unit.as_deref().map(one_line).unwrap_or_default();
                let value = if unit.is_empty() || value.is_empty() {
                    value
                } else {
                    format!("{value} {unit}").into()
                };
                (one_line(&p.name).into_owned(), value.into_owned())
            })
            .filter(|(name, value)| !name.is_empty() && !value.is_empty())
            .collect();
        if let Some(grams) = item.weight_g.filter(|g| *g > 0) {
            rows.push((l.weight.to_string(), weight(grams, l)));
        }
        if let Some([length, width, height]) = item.dimensions_mm {
            let text = format!(
                "{} × {} × {} {}",
                count(length.into()),
                count(width.into()),
                count(height.into()),
                l.millimetres
            );
            rows.push((l.dimensions.to_string(), text));
        }
        if rows.is_empty() {
            return;
        }
        let value_width = CONTENT_WIDTH - TABLE_NAME_WIDTH;
        let mut first = true;
        for (i, (name, value)) in rows.iter().enumerate() {
            let names = self.wrap(CELL_LABEL, name, TABLE_NAME_WIDTH - 2.0 * TABLE_PAD, 3);
            let values = self.wrap(CELL, value, value_width - 2.0 * TABLE_PAD, 8);
            let height = 2.0 * TABLE_PAD + names.len().max(values.len()) as f32 * TABLE_LINE;
            if first {
                self.section(l.characteristics, height);
                first = false;
            } else {
                self.ensure(height);
            }
            if i % 2 == 0 {
                self.drawing.rect(MARGIN, self.y, CONTENT_WIDTH, height, Rgb::STRIPE);
            }
            let baseline = self.y + TABLE_PAD + CELL.ascent(self.fonts);
            for (j, line) in names.into_iter().enumerate() {
                self.drawing.text(MARGIN + TABLE_PAD, baseline + j as f32 * TABLE_LINE, CELL_LABEL, line);
            }
            for (j, line) in values.into_iter().enumerate() {
                let x = MARGIN + TABLE_NAME_WIDTH + TABLE_PAD;
                self.drawing.text(x, baseline + j as f32 * TABLE_LINE, CELL, line);
            }
            self.y += height;
        }
        self.y += SECTION_GAP;
    }

    /// The description as plain text, paragraph by paragraph, line by line across pages.
    fn description(&mut self, item: &FeedItem) {
        let text = html_to_text(&item.description);
        let paragraphs: Vec<&str> = text.split('\n').map(str::trim).collect();
        if paragraphs.iter().all(|p| p.is_empty()) {
            return;
        }
        self.section(self.labels.description, BODY_LINE);
        let mut gap = false;
        for paragraph in paragraphs {
            if paragraph.is_empty() {
                gap = true;
                continue;
            }
            if gap && self.y > BODY_TOP {
                self.y += BODY_LINE / 2.0;
            }
            gap = false;
            for line in self.wrap(BODY, &one_line(paragraph), CONTENT_WIDTH, usize::MAX) {
                self.ensure(BODY_LINE);
                self.drawing.text(MARGIN, self.y + BODY.ascent(self.fonts), BODY, line);
                self.y += BODY_LINE;
            }
        }
    }
}

/// "850 г", "1,2 кг".
fn weight(grams: u32, l: &Labels) -> String {
    if grams < 1000 {
        return format!("{grams} {}", l.grams);
    }
    let kilos = format!("{},{:03}", count((grams / 1000).into()), grams % 1000);
    let kilos = kilos.trim_end_matches('0').trim_end_matches(',');
    format!("{kilos} {}", l.kilograms)
}

#[cfg(test)]
mod tests {
    use vitrina_formats::write::FeedParam;

    use super::super::test_support::{header, pdf_images, pdf_text, png_bytes};
    use super::super::{EN, RU};
    use super::*;

    const JPEG: &[u8] = include_bytes!("testdata/product-24x16.jpg");

    fn item() -> FeedItem {
        let param = |name: &str, value: &str, unit: Option<&str>| FeedParam {
            name: name.to_string(),
            value: value.to_string(),
            unit: unit.map(str::to_string),
        };
        FeedItem {
            sku: "KR-0001".to_string(),
            name: "Кроссовки беговые «Ветер»".to_string(),
            description:
                "<p>Лёгкие кроссовки для бега по асфальту.</p><p>Подошва из <b>EVA</b> &amp; сетка.</p>"
                    .to_string(),
            brand: "Лось".to_string(),
            model: "Ветер-2".to_string(),
            category_id: Some(2),
            price_minor: 129_950,
            old_price_minor: Some(159_900),
            barcodes: vec!["4006381333931".to_string(), "96385074".to_string()],
            params: vec![
                param("Цвет", "красный", None),
                param("Размер", "42", Some("EU")),
                param("Пусто", " ", None),
            ],
            weight_g: Some(1200),
            dimensions_mm: Some([320, 210, 120]),
            ..FeedItem::default()
        }
    }

    fn sheet(item: &FeedItem, images: &[PathBuf], lang: DocLang) -> Vec<u8> {
        let mut pdf = Vec::new();
        spec_sheet_pdf(item, &header(), images, lang, &mut pdf).unwrap();
        pdf
    }

    #[test]
    fn a_spec_sheet_reads_back_with_everything_about_the_product() {
        let dir = tempfile::tempdir().unwrap();
        let png = dir.path().join("фото.png");
        std::fs::write(&png, png_bytes(30, 20)).unwrap();
        let broken = dir.path().join("broken.jpg");
        std::fs::write(&broken, b"\xff\xd8\xff not really").unwrap();
        let images = [dir.path().join("missing.jpg"), broken, png];
        let pdf = sheet(&item(), &images, DocLang::Ru);

        let text = pdf_text(&pdf);
        for expected in [
            "ИП Соколова «Бегущий лось»",
            "24.06.2025",
            "Кроссовки беговые «Ветер»",
            "1 299,50 ₽",
            "1 599,00 ₽",
            "Артикул:",
            "KR-0001",
            "Бренд:",
            "Лось",
            "Ветер-2",
            "Обувь / Кроссовки",
            "Характеристики",
            "Вес",
            "1,2 кг",
            "320 × 210 × 120 мм",
            "Описание",
            "Лёгкие кроссовки для бега по асфальту.",
            "Подошва из EVA & сетка.",
            "Стр. 1 из 1",
        ] {
            assert!(text.contains(expected), "{expected:?} not in\n{text}");
        }
        let line_with =
            |s: &str| text.lines().find(|l| l.contains(s)).unwrap_or_else(|| panic!("{s:?} not in {text}"));
        assert!(line_with("Цвет").contains("красный"));
        assert!(line_with("Размер").contains("42 EU"));
        assert!(!text.contains("Пусто"), "a characteristic without a value is left out");
        // The first barcode is drawn, its digits in the three groups under the bars; the second is not printed.
        let digits = line_with("006381").split_whitespace().collect::<Vec<_>>().join(" ");
        assert!(digits.contains("4 006381 333931"), "{digits:?}");
        assert!(!text.contains("Штрихкод") && !text.contains("96385074"));
        assert!(text.find("Кроссовки беговые «Ветер»") < text.find("1 299,50 ₽"), "the name is the title");

        let pictures = pdf_images(&pdf);
        assert_eq!(pictures.len(), 1, "{pictures:?}");
        let columns: Vec<&str> = pictures[0].split_whitespace().collect();
        assert_eq!((columns[2], columns[3], columns[4]), ("image", "30", "20"), "{pictures:?}");
    }

    #[test]
    fn jpeg_and_png_pictures_go_in_up_to_four() {
        let dir = tempfile::tempdir().unwrap();
        let mut images = Vec::new();
        for i in 0..3 {
            let jpeg = dir.path().join(format!("{i}.jpg"));
            std::fs::write(&jpeg, JPEG).unwrap();
            let png = dir.path().join(format!("{i}.png"));
            std::fs::write(&png, png_bytes(10 + i, 10)).unwrap();
            images.extend([jpeg, png]);
        }
        let pictures = pdf_images(&sheet(&item(), &images, DocLang::Ru));
        assert_eq!(pictures.len(), 4, "{pictures:?}");
        let encodings: Vec<&str> = pictures.iter().map(|l| l.split_whitespace().nth(8).unwrap()).collect();
        assert_eq!(encodings, ["jpeg", "image", "jpeg", "image"], "{pictures:?}");
    }

    #[test]
    fn without_pictures_or_a_valid_barcode_the_sheet_still_comes_out() {
        let item = FeedItem {
            barcodes: vec!["12345".to_string()],
            old_price_minor: Some(100),
            description: String::new(),
            params: Vec::new(),
            weight_g: None,
            dimensions_mm: None,
            category_id: None,
            ..item()
        };
        let pdf = sheet(&item, &[PathBuf::from("/nowhere/picture.png")], DocLang::Ru);
        assert!(pdf_images(&pdf).is_empty());
        let text = pdf_text(&pdf);
        let barcode = text.lines().find(|l| l.contains("Штрихкод:")).unwrap_or_else(|| panic!("{text}"));
        assert!(barcode.contains("12345"), "{barcode}");
        // An old price below the price is not an old price.
        assert!(!text.contains("1,00 ₽"), "{text}");
        assert!(
            !text.contains("Характеристики") && !text.contains("Описание") && !text.contains("Категория")
        );
    }

    #[test]
    fn a_long_description_runs_onto_more_pages_in_english() {
        let paragraphs: Vec<String> = (1..=120)
            .map(|i| format!("<p>Paragraph {i}: light running shoes for asphalt and trails.</p>"))
            .collect();
        let item = FeedItem { description: paragraphs.concat(), ..item() };
        let text = pdf_text(&sheet(&item, &[], DocLang::En));
        let pages = text.matches('\u{c}').count();
        assert!(pages >= 2, "{pages} pages");
        for expected in
            ["SKU:", "Brand:", "Characteristics", "Description", "Weight", "1,2 kg", "Paragraph 120:"]
        {
            assert!(text.contains(expected), "{expected:?} not in\n{text}");
        }
        assert!(text.contains(&format!("Page {pages} of {pages}")));
        // Every page starts with the shop and the date.
        for page in text.split('\u{c}').filter(|p| !p.trim().is_empty()) {
            assert!(page.contains("ИП Соколова «Бегущий лось»") && page.contains("24 Jun 2025"), "{page}");
        }
    }

    #[test]
    fn weights_in_grams_and_kilograms() {
        let cases = [
            (850, "850 г"),
            (1000, "1 кг"),
            (1200, "1,2 кг"),
            (12_345, "12,345 кг"),
            (2_500_000, "2\u{202f}500 кг"),
        ];
        for (grams, expected) in cases {
            assert_eq!(weight(grams, &RU), expected);
        }
        assert_eq!(weight(1500, &EN), "1,5 kg");
    }
}
