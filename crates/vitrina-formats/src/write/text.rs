//! Text on its way into a file: characters XML forbids are dropped (and counted), markup is
//! escaped, HTML is cut down to the tags a format allows.
//!
//! These run over every description of a million-product feed, so each first scans its text
//! for the few bytes that need work, a block at a time (a loop the compiler vectorizes), and
//! copies the runs between them whole.

use std::borrow::Cow;

/// True for characters XML 1.0 forbids: controls other than tab, line feed and carriage
/// return, the surrogate range (never in a Rust `str`) and U+FFFE/U+FFFF.
fn forbidden(c: char) -> bool {
    matches!(c, '\u{0}'..='\u{8}' | '\u{B}' | '\u{C}' | '\u{E}'..='\u{1F}' | '\u{FFFE}' | '\u{FFFF}')
}

/// A control byte XML forbids (tab, line feed and carriage return are allowed).
fn forbidden_control(b: u8) -> bool {
    b < 0x20 && b != b'\t' && b != b'\n' && b != b'\r'
}

/// Could `b` start something to clean: a forbidden control byte, or 0xEF, the lead byte of
/// U+FFFE and U+FFFF (and of the rest of U+F000–U+FFFF, which the careful check lets through).
fn suspect(b: u8) -> bool {
    forbidden_control(b) | (b == 0xEF)
}

/// Bytes looked at per block of the fast scans.
const BLOCK: usize = 32;

/// The offset of the first block of `bytes` holding a byte `hit` is true for (blocks of
/// [`BLOCK`] bytes from the start; the tail is one short block), or `bytes.len()`.
fn first_block(bytes: &[u8], hit: impl Fn(u8) -> bool) -> usize {
    let mut at = 0;
    for block in bytes.chunks(BLOCK) {
        // No early exit inside a block: the fold compiles to vector compares.
        if block.iter().fold(false, |any, &b| any | hit(b)) {
            return at;
        }
        at += block.len();
    }
    bytes.len()
}

/// True if `s` holds a character XML forbids.
fn needs_cleaning(s: &str) -> bool {
    let bytes = s.as_bytes();
    let from = first_block(bytes, suspect);
    (from..bytes.len()).any(|i| {
        forbidden_control(bytes[i])
            || (bytes[i] == 0xEF
                && bytes.get(i + 1) == Some(&0xBF)
                && matches!(bytes.get(i + 2), Some(0xBE | 0xBF)))
    })
}

/// `s` without the characters XML forbids; adds how many were dropped to `cleaned`.
pub fn clean_xml_text<'a>(s: &'a str, cleaned: &mut u64) -> Cow<'a, str> {
    if !needs_cleaning(s) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if forbidden(c) {
            *cleaned += 1;
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// A byte [`push_escaped`] stops at: markup, a control byte, or the lead byte of U+FFFE/U+FFFF.
fn stops_escaping(b: u8) -> bool {
    (b < 0x20) | (b == b'&') | (b == b'<') | (b == b'>') | (b == b'"') | (b == b'\'') | (b == 0xEF)
}

/// Appends `s` to `out` cleaned and escaped for element text or an attribute value (all five
/// markup characters are escaped, so the same call serves both).
pub(crate) fn push_escaped(out: &mut String, s: &str, cleaned: &mut u64) {
    let bytes = s.as_bytes();
    let mut start = 0;
    let mut at = 0;
    while at < bytes.len() {
        // Whole blocks without a stop are skipped; only a block with one is walked a byte at
        // a time. Every stop is ASCII or a lead byte, so `start` is always a char boundary.
        let skip = first_block(&bytes[at..], stops_escaping);
        at += skip;
        let end = (at + BLOCK).min(bytes.len());
        while at < end {
            let b = bytes[at];
            let escaped = match b {
                b'&' => "&amp;",
                b'<' => "&lt;",
                b'>' => "&gt;",
                b'"' => "&quot;",
                b'\'' => "&apos;",
                0xEF if bytes.get(at + 1) == Some(&0xBF)
                    && matches!(bytes.get(at + 2), Some(0xBE | 0xBF)) =>
                {
                    // U+FFFE or U+FFFF: three bytes dropped as one character.
                    out.push_str(&s[start..at]);
                    *cleaned += 1;
                    at += 3;
                    start = at;
                    continue;
                }
                b if forbidden_control(b) => "",
                _ => {
                    at += 1;
                    continue;
                }
            };
            out.push_str(&s[start..at]);
            if escaped.is_empty() {
                *cleaned += 1;
            } else {
                out.push_str(escaped);
            }
            at += 1;
            start = at;
        }
    }
    out.push_str(&s[start..]);
}

/// Appends `s` to `out` as one CDATA section, cleaned; a `]]>` inside is split across two
/// sections so it cannot end the block early.
pub(crate) fn push_cdata(out: &mut String, s: &str, cleaned: &mut u64) {
    out.push_str("<![CDATA[");
    let s = clean_xml_text(s, cleaned);
    let mut rest: &str = &s;
    while let Some(at) = memchr::memmem::find(rest.as_bytes(), b"]]>") {
        out.push_str(&rest[..at]);
        out.push_str("]]]]><![CDATA[>");
        rest = &rest[at + 3..];
    }
    out.push_str(rest);
    out.push_str("]]>");
}

/// What [`walk_html`] meets: text between tags (entities as written), a tag by its name (ASCII
/// letters and digits, as written), or a `<` that opens no tag.
enum Piece<'a> {
    Text(&'a str),
    Tag { name: &'a str, closing: bool },
    LoneLt,
}

/// Walks `html` piece by piece: comments are dropped, and so are `<script>` and `<style>`
/// with their contents.
fn walk_html<'a>(html: &'a str, mut f: impl FnMut(Piece<'a>)) {
    let mut rest = html;
    let mut skip_until: Option<&str> = None;
    while let Some(lt) = memchr::memchr(b'<', rest.as_bytes()) {
        if skip_until.is_none() && lt > 0 {
            f(Piece::Text(&rest[..lt]));
        }
        rest = &rest[lt..];
        if let Some(body) = rest.strip_prefix("<!--") {
            rest = memchr::memmem::find(body.as_bytes(), b"-->").map_or("", |end| &body[end + 3..]);
            continue;
        }
        let Some(gt) = memchr::memchr(b'>', rest.as_bytes()) else {
            if skip_until.is_none() {
                f(Piece::LoneLt);
            }
            rest = &rest[1..];
            continue;
        };
        let tag = &rest[1..gt];
        rest = &rest[gt + 1..];
        let closing = tag.starts_with('/');
        let tag = tag.trim_start_matches('/');
        let name = &tag[..tag.bytes().position(|b| !b.is_ascii_alphanumeric()).unwrap_or(tag.len())];
        if let Some(until) = skip_until {
            if closing && name.eq_ignore_ascii_case(until) {
                skip_until = None;
            }
            continue;
        }
        if !closing && (name.eq_ignore_ascii_case("script") || name.eq_ignore_ascii_case("style")) {
            skip_until = Some(name);
            continue;
        }
        f(Piece::Tag { name, closing });
    }
    if skip_until.is_none() && !rest.is_empty() {
        f(Piece::Text(rest));
    }
}

/// A block element: where one ends, a line ends.
fn is_block(name: &str) -> bool {
    ["p", "div", "li", "tr", "h1", "h2", "h3", "h4", "h5", "h6"].iter().any(|b| name.eq_ignore_ascii_case(b))
}

/// `html` keeping only the `allowed` tags (lower-case names, written without attributes);
/// other tags are removed and their text kept, comments and `<script>`/`<style>` contents
/// dropped. The catalog stores sanitized HTML already; this narrows it to what a format
/// accepts (Avito: `p br strong em ul ol li`).
pub fn sanitize_feed_html(html: &str, allowed: &[&str]) -> String {
    let mut out = String::with_capacity(html.len());
    walk_html(html, |piece| match piece {
        Piece::Text(text) => out.push_str(text),
        Piece::LoneLt => out.push_str("&lt;"),
        Piece::Tag { name, closing } => {
            if allowed.iter().any(|a| a.eq_ignore_ascii_case(name)) {
                let lower =
                    |out: &mut String| out.extend(name.bytes().map(|b| b.to_ascii_lowercase() as char));
                match (closing, name.eq_ignore_ascii_case("br")) {
                    (_, true) => out.push_str("<br/>"),
                    (true, false) => {
                        out.push_str("</");
                        lower(&mut out);
                        out.push('>');
                    }
                    (false, false) => {
                        out.push('<');
                        lower(&mut out);
                        out.push('>');
                    }
                }
            } else if closing && is_block(name) {
                // A block that is not allowed still ends a line.
                out.push('\n');
            }
        }
    });
    out
}

/// Appends `text` with its character references decoded: the named ones HTML text commonly
/// holds (`&nbsp;` becomes a plain space) and numeric ones; anything else stays as written.
fn push_decoded(out: &mut String, text: &str) {
    let mut rest = text;
    while let Some(amp) = memchr::memchr(b'&', rest.as_bytes()) {
        out.push_str(&rest[..amp]);
        rest = &rest[amp..];
        let reference =
            memchr::memchr(b';', &rest.as_bytes()[..rest.len().min(12)]).map(|semi| &rest[1..semi]);
        let decoded = reference.and_then(|r| match r {
            "nbsp" => Some(' '),
            "lt" => Some('<'),
            "gt" => Some('>'),
            "quot" => Some('"'),
            "apos" => Some('\''),
            "amp" => Some('&'),
            _ => {
                let number = r.strip_prefix('#')?;
                let code = match number.strip_prefix(['x', 'X']) {
                    Some(hex) => u32::from_str_radix(hex, 16).ok()?,
                    None => number.parse().ok()?,
                };
                char::from_u32(code)
            }
        });
        match (decoded, reference) {
            (Some(c), Some(r)) => {
                out.push(c);
                rest = &rest[r.len() + 2..];
            }
            _ => {
                out.push('&');
                rest = &rest[1..];
            }
        }
    }
    out.push_str(rest);
}

/// True when `html` shows any text: something other than white space (`&nbsp;` included)
/// outside its tags. What [`html_to_text`] would say, without building the text.
pub fn has_visible_text(html: &str) -> bool {
    let mut visible = false;
    let mut decoded = String::new();
    walk_html(html, |piece| {
        let text = match piece {
            Piece::Text(text) if !visible => text,
            Piece::LoneLt => {
                visible = true;
                return;
            }
            _ => return,
        };
        let text = if text.contains('&') {
            decoded.clear();
            push_decoded(&mut decoded, text);
            decoded.as_str()
        } else {
            text
        };
        visible = !text.trim().is_empty();
    });
    visible
}

/// The byte offset of the first white-space character of `s` (as [`char::is_whitespace`]),
/// found without decoding letters: only ASCII and the lead bytes of the few non-ASCII spaces
/// (U+0085, U+00A0, U+1680, U+2000–U+205F, U+3000) are looked at closely.
pub fn find_whitespace(s: &str) -> Option<usize> {
    let b = s.as_bytes();
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b' ' | b'\t'..=b'\r' => return Some(i),
            0xC2 | 0xE1 | 0xE2 | 0xE3 => {
                let c = s[i..].chars().next()?;
                if c.is_whitespace() {
                    return Some(i);
                }
                i += c.len_utf8();
            }
            _ => i += 1,
        }
    }
    None
}

/// `html` as plain text: tags removed, line breaks and block ends as line breaks, character
/// references decoded, each line trimmed and runs of blank lines squeezed to one (Google
/// Merchant and price lists want plain text).
pub fn html_to_text(html: &str) -> String {
    let mut flat = String::new();
    let text: &str = if memchr::memchr2(b'<', b'&', html.as_bytes()).is_some() {
        flat.reserve(html.len());
        walk_html(html, |piece| match piece {
            Piece::Text(text) => push_decoded(&mut flat, text),
            Piece::LoneLt => flat.push('<'),
            Piece::Tag { name, closing } => {
                if name.eq_ignore_ascii_case("br") || (closing && is_block(name)) {
                    flat.push('\n');
                }
            }
        });
        &flat
    } else {
        html
    };
    let mut out = String::with_capacity(text.len());
    let mut blank = 0;
    for line in text.lines().map(str::trim) {
        if line.is_empty() {
            blank += 1;
            continue;
        }
        if !out.is_empty() {
            out.push_str(if blank > 0 { "\n\n" } else { "\n" });
        }
        blank = 0;
        out.push_str(line);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn control_characters_are_dropped_and_counted() {
        let mut n = 0;
        assert_eq!(clean_xml_text("a\u{1}b\u{1F}c\td", &mut n), "abc\td");
        assert_eq!(n, 2);
        let mut out = String::new();
        push_escaped(&mut out, "<a href=\"x\">&'\u{7}", &mut n);
        assert_eq!(out, "&lt;a href=&quot;x&quot;&gt;&amp;&apos;");
        assert_eq!(n, 3);
    }

    #[test]
    fn escaping_copies_runs_and_stops_only_at_markup() {
        let mut n = 0;
        let mut out = String::new();
        push_escaped(&mut out, "Кроссовки «Ветер» & Co <42> \"x\" 'y'\u{1}!", &mut n);
        assert_eq!(out, "Кроссовки «Ветер» &amp; Co &lt;42&gt; &quot;x&quot; &apos;y&apos;!");
        assert_eq!(n, 1);
        let mut out = String::new();
        push_escaped(&mut out, "a\u{FFFE}b&\u{FFFF}", &mut n);
        assert_eq!((out.as_str(), n), ("ab&amp;", 3));
    }

    #[test]
    fn cdata_cannot_be_closed_by_the_text() {
        let mut out = String::new();
        push_cdata(&mut out, "a]]>b", &mut 0);
        assert_eq!(out, "<![CDATA[a]]]]><![CDATA[>b]]>");
    }

    #[test]
    fn html_is_cut_down_to_the_allowed_tags() {
        let html = "<h2 class=x>Title</h2><p>One <b>two</b> <a href=\"http://x\">link</a></p><script>alert(1)</script><ul><li>a</li></ul><br>";
        assert_eq!(
            sanitize_feed_html(html, &["p", "br", "ul", "li"]),
            "Title\n<p>One two link</p><ul><li>a</li></ul><br/>"
        );
        assert_eq!(html_to_text("<p>One&nbsp;&amp; two</p><p>three</p>"), "One & two\nthree");
    }

    #[test]
    fn html_becomes_plain_text() {
        assert_eq!(html_to_text("a<BR>b<br class=x/>c<br />d"), "a\nb\nc\nd");
        assert_eq!(
            html_to_text("<P>x &#1071; &#x42f; &amp;lt; &bogus; & a;b</P>\n\n\n<p>y</p>"),
            "x Я Я &lt; &bogus; & a;b\n\ny"
        );
        assert_eq!(html_to_text("1 &lt; 2 <!-- hidden --> <style>p{}</style>ok"), "1 < 2  ok");
        assert_eq!(html_to_text("a < b"), "a < b");
        assert_eq!(html_to_text("  plain\n\n  text  "), "plain\n\ntext");
    }

    #[test]
    fn visible_text_and_white_space_are_found_as_the_slow_way_finds_them() {
        for html in [
            "",
            "<p> </p>",
            "<p>&nbsp;\n</p><br>",
            "<p>a</p>",
            "<b></b>&amp;",
            "<script>x</script>",
            "a < b",
            " \u{A0}\u{3000}",
        ] {
            assert_eq!(has_visible_text(html), !html_to_text(html).trim().is_empty(), "{html:?}");
        }
        for s in [
            "",
            "abc",
            "жёлтый кот",
            "a\u{A0}b",
            "ж\u{2009}",
            "x\u{3000}",
            "ж\u{85}",
            "€→\u{205F}",
            "\u{1680}",
            "ё\r",
        ] {
            assert_eq!(find_whitespace(s), s.find(char::is_whitespace), "{s:?}");
        }
    }

    /// The character-by-character definition the fast scans must agree with.
    fn escaped_slowly(s: &str) -> (String, u64) {
        let (mut out, mut n) = (String::new(), 0);
        for c in s.chars() {
            match c {
                '&' => out.push_str("&amp;"),
                '<' => out.push_str("&lt;"),
                '>' => out.push_str("&gt;"),
                '"' => out.push_str("&quot;"),
                '\'' => out.push_str("&apos;"),
                c if forbidden(c) => n += 1,
                c => out.push(c),
            }
        }
        (out, n)
    }

    #[test]
    fn block_scans_agree_with_the_definition_everywhere_in_a_block() {
        let pieces = [
            "а",
            "b",
            "&",
            "<",
            "\u{1}",
            "\u{FFFE}",
            "\u{FFFF}",
            "\u{F8FF}",
            "\n",
            "\"",
            "ё",
            "'",
            "\u{1F600}",
        ];
        // Every piece at every offset around the block edges, in long runs of ordinary text.
        for piece in pieces {
            for before in [0, 1, 30, 31, 32, 33, 63, 64, 65] {
                for filler in ["x", "ж"] {
                    let s = format!("{}{piece}{}", filler.repeat(before), filler.repeat(40));
                    let mut out = String::new();
                    let mut n = 0;
                    push_escaped(&mut out, &s, &mut n);
                    assert_eq!((out, n), escaped_slowly(&s), "{s:?}");
                    let mut cleaned = 0;
                    let expected: String = s.chars().filter(|c| !forbidden(*c)).collect();
                    assert_eq!(clean_xml_text(&s, &mut cleaned), expected, "{s:?}");
                }
            }
        }
    }
}
