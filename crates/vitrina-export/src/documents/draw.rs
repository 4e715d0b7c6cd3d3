//! A document as pages of drawing operations (text at a point, filled rectangles, pictures),
//! laid out in full before anything is drawn, then drawn into a PDF with krilla in one go.
//!
//! Coordinates are PDF points from the page's top left corner, y growing down; text is placed
//! by its baseline. Lines and bars are thin filled rectangles: one kind of shape to draw.

use krilla::color::rgb;
use krilla::geom::{PathBuilder, Point, Rect, Size, Transform};
use krilla::metadata::{DateTime, Metadata};
use krilla::page::PageSettings;
use krilla::paint::Fill;
use krilla::{Document, SerializeSettings};
use time::OffsetDateTime;
use vitrina_formats::write::WriteError;

use super::fonts::{Fonts, Weight};
use super::pictures::Picture;

/// A4 portrait, in points.
pub(crate) const PAGE_WIDTH: f32 = 595.28;
pub(crate) const PAGE_HEIGHT: f32 = 841.89;
/// Around the text on every side (12.7 mm).
pub(crate) const MARGIN: f32 = 36.0;
pub(crate) const CONTENT_WIDTH: f32 = PAGE_WIDTH - 2.0 * MARGIN;
pub(crate) const RIGHT: f32 = PAGE_WIDTH - MARGIN;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Rgb(pub(crate) u8, pub(crate) u8, pub(crate) u8);

impl Rgb {
    pub(crate) const BLACK: Rgb = Rgb(0, 0, 0);
    /// Secondary text: dates, labels, the old price.
    pub(crate) const MUTED: Rgb = Rgb(96, 96, 96);
    pub(crate) const RULE: Rgb = Rgb(160, 160, 160);
    /// Every other row of a table.
    pub(crate) const STRIPE: Rgb = Rgb(245, 245, 245);
    /// Column headings.
    pub(crate) const HEAD: Rgb = Rgb(225, 225, 225);
    /// Category headings of a price list.
    pub(crate) const GROUP: Rgb = Rgb(220, 230, 242);
}

/// How a piece of text is set.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Style {
    pub(crate) weight: Weight,
    pub(crate) size: f32,
    pub(crate) color: Rgb,
}

impl Style {
    pub(crate) const fn new(weight: Weight, size: f32, color: Rgb) -> Style {
        Style { weight, size, color }
    }

    /// The width of `text` in this style.
    pub(crate) fn width(&self, fonts: &Fonts, text: &str) -> f32 {
        fonts.face(self.weight).width(text, self.size)
    }

    /// From the top of a line to its baseline.
    pub(crate) fn ascent(&self, fonts: &Fonts) -> f32 {
        fonts.face(self.weight).ascent * self.size
    }
}

#[derive(Debug)]
pub(crate) enum Op {
    Text { x: f32, baseline: f32, style: Style, text: Box<str> },
    Rect { x: f32, y: f32, width: f32, height: f32, color: Rgb },
    Picture { index: usize, x: f32, y: f32, width: f32, height: f32 },
}

/// What the PDF says about itself (its title bar, language, date).
#[derive(Debug)]
pub(crate) struct DocInfo {
    pub(crate) title: String,
    pub(crate) lang: &'static str,
    pub(crate) created: OffsetDateTime,
}

/// The pages of a document, and the pictures they show.
#[derive(Debug, Default)]
pub(crate) struct Drawing {
    pages: Vec<Vec<Op>>,
    pictures: Vec<Picture>,
}

impl Drawing {
    pub(crate) fn new_page(&mut self) {
        self.pages.push(Vec::new());
    }

    pub(crate) fn page_count(&self) -> usize {
        self.pages.len()
    }

    /// Adds `op` to page `page` (0-based), for what is known only at the end (page numbers).
    pub(crate) fn push_to(&mut self, page: usize, op: Op) {
        if let Some(ops) = self.pages.get_mut(page) {
            ops.push(op);
        }
    }

    #[cfg(test)]
    pub(crate) fn ops(&self, page: usize) -> &[Op] {
        &self.pages[page]
    }

    fn push(&mut self, op: Op) {
        if self.pages.is_empty() {
            self.new_page();
        }
        if let Some(ops) = self.pages.last_mut() {
            ops.push(op);
        }
    }

    /// `text` from `x` on the current page.
    pub(crate) fn text(&mut self, x: f32, baseline: f32, style: Style, text: impl Into<Box<str>>) {
        let text = text.into();
        if !text.is_empty() {
            self.push(Op::Text { x, baseline, style, text });
        }
    }

    /// `text` ending at `right`.
    pub(crate) fn text_right(&mut self, fonts: &Fonts, right: f32, baseline: f32, style: Style, text: &str) {
        self.text(right - style.width(fonts, text), baseline, style, text);
    }

    /// `text` centred on `center`.
    pub(crate) fn text_center(
        &mut self,
        fonts: &Fonts,
        center: f32,
        baseline: f32,
        style: Style,
        text: &str,
    ) {
        self.text(center - style.width(fonts, text) / 2.0, baseline, style, text);
    }

    pub(crate) fn rect(&mut self, x: f32, y: f32, width: f32, height: f32, color: Rgb) {
        if width > 0.0 && height > 0.0 {
            self.push(Op::Rect { x, y, width, height, color });
        }
    }

    /// `picture` scaled to `width` × `height` with its top left corner at (`x`, `y`).
    pub(crate) fn picture(&mut self, picture: Picture, x: f32, y: f32, width: f32, height: f32) {
        self.pictures.push(picture);
        self.push(Op::Picture { index: self.pictures.len() - 1, x, y, width, height });
    }

    /// The PDF.
    pub(crate) fn render(self, fonts: &Fonts, info: &DocInfo) -> Result<Vec<u8>, WriteError> {
        let regular = fonts.face(Weight::Regular).pdf_font()?;
        let bold = fonts.face(Weight::Bold).pdf_font()?;
        let images: Vec<_> = self
            .pictures
            .into_iter()
            .map(|p| {
                p.into_image()
                    .inspect_err(|reason| tracing::warn!(%reason, "picture left out of the document"))
                    .ok()
            })
            .collect();
        let page_settings = PageSettings::from_wh(PAGE_WIDTH, PAGE_HEIGHT)
            .ok_or_else(|| WriteError::Format("bad page size".to_string()))?;
        // No tagging: nothing would fill the tag tree, and untagged pages are quicker to write.
        let mut document =
            Document::new_with(SerializeSettings { enable_tagging: false, ..SerializeSettings::default() });
        document.set_metadata(metadata(info));

        let mut glyphs = Vec::new();
        for ops in &self.pages {
            let mut page = document.start_page_with(page_settings.clone());
            let mut surface = page.surface();
            let mut fill = None;
            let mut set_fill = |surface: &mut krilla::surface::Surface<'_>, color: Rgb| {
                if fill != Some(color) {
                    fill = Some(color);
                    let paint = rgb::Color::new(color.0, color.1, color.2).into();
                    surface.set_fill(Some(Fill { paint, ..Fill::default() }));
                }
            };
            let mut at = 0;
            while let Some(op) = ops.get(at) {
                at += 1;
                match op {
                    Op::Text { x, baseline, style, text } => {
                        let (face, font) = match style.weight {
                            Weight::Regular => (fonts.face(Weight::Regular), &regular),
                            Weight::Bold => (fonts.face(Weight::Bold), &bold),
                        };
                        face.glyphs(text, &mut glyphs);
                        set_fill(&mut surface, style.color);
                        let start = Point::from_xy(*x, *baseline);
                        surface.draw_glyphs(start, &glyphs, font.clone(), text, style.size, false);
                    }
                    Op::Rect { color, .. } => {
                        // Rectangles of one colour in a row (stripes, bars of a barcode) are one path.
                        let mut path = PathBuilder::new();
                        let mut next = at - 1;
                        while let Some(Op::Rect { x, y, width, height, color: c }) = ops.get(next)
                            && c == color
                        {
                            if let Some(rect) = Rect::from_xywh(*x, *y, *width, *height) {
                                path.push_rect(rect);
                            }
                            next += 1;
                        }
                        at = next;
                        if let Some(path) = path.finish() {
                            set_fill(&mut surface, *color);
                            surface.draw_path(&path);
                        }
                    }
                    Op::Picture { index, x, y, width, height } => {
                        let image = images.get(*index).cloned().flatten();
                        if let (Some(image), Some(size)) = (image, Size::from_wh(*width, *height)) {
                            surface.push_transform(&Transform::from_translate(*x, *y));
                            surface.draw_image(image, size);
                            surface.pop();
                        }
                    }
                }
            }
            surface.finish();
            page.finish();
        }
        document.finish().map_err(|e| WriteError::Format(format!("the PDF could not be made: {e}")))
    }
}

fn metadata(info: &DocInfo) -> Metadata {
    let created = info.created;
    let offset_minutes = created.offset().whole_minutes();
    let date = DateTime::new(u16::try_from(created.year()).unwrap_or(1970))
        .month(u8::from(created.month()))
        .day(created.day())
        .hour(created.hour())
        .minute(created.minute())
        .second(created.second())
        .utc_offset_hour((offset_minutes / 60) as i8)
        .utc_offset_minute((offset_minutes % 60).unsigned_abs() as u8);
    Metadata::new()
        .title(info.title.clone())
        .language(info.lang.to_string())
        .creator("Vitrina".to_string())
        .creation_date(date)
}
