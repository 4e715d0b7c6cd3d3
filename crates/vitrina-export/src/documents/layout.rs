//! Fitting text into a width: one line cut with "…", or lines broken between words. Widths are
//! the face's own advances, the same the PDF is drawn with.

use std::borrow::Cow;

use super::fonts::Face;

const ELLIPSIS: char = '…';

/// `text` on one line: every run of white space or control characters (line breaks, tabs) becomes
/// one space, and the ends are trimmed. No-break spaces stay: they keep "10 кг" together.
pub(crate) fn one_line(text: &str) -> Cow<'_, str> {
    let blank = |c: char| c.is_control() || (c.is_whitespace() && !matches!(c, '\u{a0}' | '\u{202f}'));
    let trimmed = text.trim_matches(blank);
    let mut prev_blank = false;
    let clean = trimmed.chars().all(|c| {
        let ok = !blank(c) || (c == ' ' && !prev_blank);
        prev_blank = blank(c);
        ok
    });
    if clean {
        return Cow::Borrowed(trimmed);
    }
    let mut out = String::with_capacity(trimmed.len());
    for c in trimmed.chars() {
        if blank(c) {
            if !out.ends_with(' ') {
                out.push(' ');
            }
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// `text` (one line) as is if it fits in `width` points at `size`, else its longest beginning
/// that fits followed by "…".
pub(crate) fn ellipsize<'a>(face: &Face, text: &'a str, size: f32, width: f32) -> Cow<'a, str> {
    if face.width(text, size) <= width {
        return Cow::Borrowed(text);
    }
    let room = width - face.glyph(ELLIPSIS).1 * size;
    let mut used = 0.0;
    let mut end = 0;
    for (at, c) in text.char_indices() {
        used += face.glyph(c).1 * size;
        if used > room {
            break;
        }
        end = at + c.len_utf8();
    }
    let mut out = text[..end].trim_end().to_string();
    out.push(ELLIPSIS);
    Cow::Owned(out)
}

/// `text` (one paragraph) broken into lines of at most `width` points at `size`, between words
/// where it can, inside a word longer than a line where it must. With more than `max_lines`
/// lines, the last one kept ends with "…".
pub(crate) fn wrap(face: &Face, text: &str, size: f32, width: f32, max_lines: usize) -> Vec<String> {
    let mut lines = Vec::new();
    let mut rest = text.trim();
    while !rest.is_empty() && max_lines > 0 {
        if lines.len() + 1 == max_lines {
            lines.push(ellipsize(face, rest, size, width).into_owned());
            break;
        }
        let end = line_end(face, rest, size, width);
        lines.push(rest[..end].trim_end().to_string());
        rest = rest[end..].trim_start();
    }
    lines
}

/// Where the first line of `text` ends: all of it if it fits, else after the last space (or
/// hyphen, slash) that keeps it within `width`, else at the last character that does (at least
/// one character, so a line always moves on).
fn line_end(face: &Face, text: &str, size: f32, width: f32) -> usize {
    let mut used = 0.0;
    let mut last_break = None;
    for (at, c) in text.char_indices() {
        used += face.glyph(c).1 * size;
        if used > width && c != ' ' {
            return match last_break {
                Some(end) => end,
                None if at == 0 => c.len_utf8(),
                None => at,
            };
        }
        if matches!(c, ' ' | '-' | '/' | '\u{2010}') {
            last_break = Some(at + c.len_utf8());
        }
    }
    text.len()
}

#[cfg(test)]
mod tests {
    use super::super::fonts::{Fonts, Weight};
    use super::*;

    #[test]
    fn one_line_squeezes_white_space_and_control_characters() {
        assert!(matches!(one_line("Кроссовки «Ветер»"), Cow::Borrowed("Кроссовки «Ветер»")));
        assert_eq!(one_line("  Кроссовки\n\tбеговые \r\n «Ветер» \u{7}"), "Кроссовки беговые «Ветер»");
        assert_eq!(one_line("a  b"), "a b");
        assert!(matches!(one_line("10\u{a0}кг"), Cow::Borrowed("10\u{a0}кг")));
        assert_eq!(one_line("\n\n"), "");
    }

    #[test]
    fn ellipsize_keeps_what_fits_and_cuts_the_rest() {
        let fonts = Fonts::load().unwrap();
        let face = fonts.face(Weight::Regular);
        let text = "Кроссовки беговые «Ветер» для бега по пересечённой местности";
        assert_eq!(ellipsize(face, "Ветер", 9.0, 100.0), "Ветер");
        let cut = ellipsize(face, text, 9.0, 100.0);
        assert!(cut.ends_with('…') && cut.len() < text.len(), "{cut}");
        assert!(face.width(&cut, 9.0) <= 100.0);
        // One more character would not have fitted.
        let kept = cut.trim_end_matches('…');
        let next = text[kept.len()..].chars().find(|c| *c != ' ').unwrap();
        assert!(face.width(&format!("{kept}{next}…"), 9.0) > 100.0, "{cut}");
    }

    #[test]
    fn wrap_breaks_between_words_and_inside_a_word_only_when_it_must() {
        let fonts = Fonts::load().unwrap();
        let face = fonts.face(Weight::Regular);
        let text = "Кроссовки беговые «Ветер» для бега по пересечённой местности";
        let width = face.width("Кроссовки беговые", 10.0) + 1.0;
        let lines = wrap(face, text, 10.0, width, 10);
        assert_eq!(lines[0], "Кроссовки беговые");
        assert_eq!(lines.join(" "), text);
        assert!(lines.iter().all(|l| face.width(l, 10.0) <= width), "{lines:?}");

        let long = wrap(face, "Сверхдлинноесловобезпробелов", 10.0, 40.0, 10);
        assert!(long.len() > 1 && long.concat() == "Сверхдлинноесловобезпробелов", "{long:?}");
        assert!(long.iter().all(|l| face.width(l, 10.0) <= 40.0), "{long:?}");

        let two = wrap(face, text, 10.0, width, 2);
        assert_eq!(two.len(), 2);
        assert!(two[1].ends_with('…') && face.width(&two[1], 10.0) <= width, "{two:?}");

        assert!(wrap(face, "   ", 10.0, width, 2).is_empty());
        // A column narrower than one character still moves on, a character a line.
        assert_eq!(wrap(face, "Жук", 10.0, 1.0, 5), ["Ж", "у", "к"]);
    }
}
