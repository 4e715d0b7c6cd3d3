//! The two faces documents are set in, DejaVu Sans and DejaVu Sans Bold, built into the binary
//! (the seller's machine may have neither them nor any font with Cyrillic), and how wide a
//! character is in them.

use krilla::text::{GlyphId, KrillaGlyph};
use skrifa::instance::{LocationRef, Size};
use skrifa::metrics::{GlyphMetrics, Metrics};
use skrifa::{FontRef, MetadataProvider};
use vitrina_formats::write::WriteError;

const REGULAR: &[u8] = include_bytes!("../../assets/fonts/DejaVuSans.ttf");
const BOLD: &[u8] = include_bytes!("../../assets/fonts/DejaVuSans-Bold.ttf");

/// Characters below this are looked up in a table made once (Latin, Cyrillic and what lies
/// between); the rest (`₽`, `…`, spaces of U+2000) go through the font's character map.
const TABLE_END: u32 = 0x0530;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Weight {
    Regular,
    Bold,
}

/// One face: its glyph for a character and the glyph's advance, in ems.
pub(crate) struct Face {
    data: &'static [u8],
    charmap: skrifa::charmap::Charmap<'static>,
    advances: GlyphMetrics<'static>,
    units_per_em: f32,
    /// Height above the baseline, in ems.
    pub(crate) ascent: f32,
    table: Box<[(u32, f32)]>,
}

impl std::fmt::Debug for Face {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Face").field("bytes", &self.data.len()).finish_non_exhaustive()
    }
}

impl Face {
    fn load(data: &'static [u8]) -> Result<Face, WriteError> {
        let font = FontRef::new(data).map_err(|e| WriteError::Format(format!("the built-in font: {e}")))?;
        let location = LocationRef::default();
        let metrics = Metrics::new(&font, Size::unscaled(), location);
        let mut face = Face {
            data,
            charmap: font.charmap(),
            advances: font.glyph_metrics(Size::unscaled(), location),
            units_per_em: f32::from(metrics.units_per_em.max(1)),
            ascent: 0.0,
            table: Box::new([]),
        };
        face.ascent = metrics.ascent / face.units_per_em;
        face.table = (0..TABLE_END).map(|c| face.lookup(c)).collect();
        Ok(face)
    }

    fn lookup(&self, c: u32) -> (u32, f32) {
        // A character the font lacks is drawn as its .notdef box, with that box's width.
        let glyph = self.charmap.map(c).unwrap_or_default();
        let advance = self.advances.advance_width(glyph).unwrap_or(0.0) / self.units_per_em;
        (glyph.to_u32(), advance)
    }

    /// The glyph for `c` and its advance in ems.
    pub(crate) fn glyph(&self, c: char) -> (u32, f32) {
        match self.table.get(c as usize) {
            Some(entry) => *entry,
            None => self.lookup(u32::from(c)),
        }
    }

    /// The width of `text` in points at `size`.
    pub(crate) fn width(&self, text: &str, size: f32) -> f32 {
        text.chars().map(|c| self.glyph(c).1).sum::<f32>() * size
    }

    /// `text` as glyphs, one per character, into `out` (cleared first).
    pub(crate) fn glyphs(&self, text: &str, out: &mut Vec<KrillaGlyph>) {
        out.clear();
        for (at, c) in text.char_indices() {
            let (glyph, advance) = self.glyph(c);
            out.push(KrillaGlyph::new(
                GlyphId::new(glyph),
                advance,
                0.0,
                0.0,
                0.0,
                at..at + c.len_utf8(),
                None,
            ));
        }
    }

    /// The face as krilla embeds it (a subset of the glyphs used).
    pub(crate) fn pdf_font(&self) -> Result<krilla::text::Font, WriteError> {
        krilla::text::Font::new(self.data.into(), 0)
            .ok_or_else(|| WriteError::Format("the built-in font could not be read".to_string()))
    }
}

/// The regular and the bold face.
#[derive(Debug)]
pub(crate) struct Fonts {
    regular: Face,
    bold: Face,
}

impl Fonts {
    pub(crate) fn load() -> Result<Fonts, WriteError> {
        Ok(Fonts { regular: Face::load(REGULAR)?, bold: Face::load(BOLD)? })
    }

    pub(crate) fn face(&self, weight: Weight) -> &Face {
        match weight {
            Weight::Regular => &self.regular,
            Weight::Bold => &self.bold,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_faces_have_cyrillic_the_rouble_sign_and_the_spaces_prices_use() {
        let fonts = Fonts::load().unwrap();
        for weight in [Weight::Regular, Weight::Bold] {
            let face = fonts.face(weight);
            for c in ['Ж', 'ё', 'Ю', '₽', '…', '«', '»', '×', '\u{a0}', '\u{202f}'] {
                assert_ne!(face.glyph(c).0, 0, "{c:?} is missing from the {weight:?} face");
            }
        }
    }

    #[test]
    fn widths_are_the_fonts_advances() {
        let fonts = Fonts::load().unwrap();
        let face = fonts.face(Weight::Regular);
        // DejaVu Sans has 2048 units per em; "W" advances 2025 of them, "0" 1303 (read from its hmtx).
        assert!((face.width("W", 10.0) - 10.0 * 2025.0 / 2048.0).abs() < 0.01, "{}", face.width("W", 10.0));
        assert!((face.width("00", 10.0) - 2.0 * 10.0 * 1303.0 / 2048.0).abs() < 0.01);
        assert!(fonts.face(Weight::Bold).width("Ветер", 10.0) > face.width("Ветер", 10.0));
        // Past the table the character map is read directly.
        assert_eq!(face.glyph('₽'), face.lookup(0x20bd));
    }
}
