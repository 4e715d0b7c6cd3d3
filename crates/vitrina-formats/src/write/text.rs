//! Text on its way into a file: characters XML forbids are dropped (and counted), markup is
//! escaped, HTML is cut down to the tags a format allows.

use std::borrow::Cow;

/// True for characters XML 1.0 forbids: controls other than tab, line feed and carriage
/// return, the surrogate range (never in a Rust `str`) and U+FFFE/U+FFFF.
fn forbidden(c: char) -> bool {
    matches!(c, '\u{0}'..='\u{8}' | '\u{B}' | '\u{C}' | '\u{E}'..='\u{1F}' | '\u{FFFE}' | '\u{FFFF}')
}

/// `s` without the characters XML forbids; adds how many were dropped to `cleaned`.
pub fn clean_xml_text<'a>(s: &'a str, cleaned: &mut u64) -> Cow<'a, str> {
    if !s.chars().any(forbidden) {
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

/// Appends `s` to `out` cleaned and escaped for element text or an attribute value (all five
/// markup characters are escaped, so the same call serves both).
pub(crate) fn push_escaped(out: &mut String, s: &str, cleaned: &mut u64) {
    if s.contains(['\u{FFFE}', '\u{FFFF}']) {
        return push_escaped_slowly(out, s, cleaned);
    }
    // Runs of ordinary text are copied whole; only markup and control bytes stop the scan (all
    // are ASCII, so a stop is always on a character boundary).
    let bytes = s.as_bytes();
    let mut start = 0;
    for (i, &b) in bytes.iter().enumerate() {
        let escaped = match b {
            b'&' => "&amp;",
            b'<' => "&lt;",
            b'>' => "&gt;",
            b'"' => "&quot;",
            b'\'' => "&apos;",
            0..=8 | 0x0B | 0x0C | 0x0E..=0x1F => "",
            _ => continue,
        };
        out.push_str(&s[start..i]);
        if escaped.is_empty() {
            *cleaned += 1;
        } else {
            out.push_str(escaped);
        }
        start = i + 1;
    }
    out.push_str(&s[start..]);
}

/// [`push_escaped`] a character at a time, for text holding U+FFFE or U+FFFF.
fn push_escaped_slowly(out: &mut String, s: &str, cleaned: &mut u64) {
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            c if forbidden(c) => *cleaned += 1,
            c => out.push(c),
        }
    }
}

/// Appends `s` to `out` as one CDATA section, cleaned; a `]]>` inside is split across two
/// sections so it cannot end the block early.
pub(crate) fn push_cdata(out: &mut String, s: &str, cleaned: &mut u64) {
    out.push_str("<![CDATA[");
    let s = clean_xml_text(s, cleaned);
    let mut rest: &str = &s;
    while let Some(at) = rest.find("]]>") {
        out.push_str(&rest[..at]);
        out.push_str("]]]]><![CDATA[>");
        rest = &rest[at + 3..];
    }
    out.push_str(rest);
    out.push_str("]]>");
}

/// `html` keeping only the `allowed` tags (lower-case names, written without attributes);
/// other tags are removed and their text kept, comments and `<script>`/`<style>` contents
/// dropped. The catalog stores sanitized HTML already; this narrows it to what a format
/// accepts (Avito: `p br strong em ul ol li`).
pub fn sanitize_feed_html(html: &str, allowed: &[&str]) -> String {
    let mut out = String::with_capacity(html.len());
    let mut rest = html;
    let mut skip_until: Option<String> = None;
    while let Some(lt) = rest.find('<') {
        if skip_until.is_none() {
            out.push_str(&rest[..lt]);
        }
        rest = &rest[lt..];
        if let Some(body) = rest.strip_prefix("<!--") {
            rest = body.find("-->").map_or("", |end| &body[end + 3..]);
            continue;
        }
        let Some(gt) = rest.find('>') else {
            // A lone '<': text, not a tag.
            if skip_until.is_none() {
                out.push_str("&lt;");
            }
            rest = &rest[1..];
            continue;
        };
        let tag = &rest[1..gt];
        rest = &rest[gt + 1..];
        let closing = tag.starts_with('/');
        let name: String = tag
            .trim_start_matches('/')
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric())
            .collect::<String>()
            .to_ascii_lowercase();
        if let Some(until) = &skip_until {
            if closing && &name == until {
                skip_until = None;
            }
            continue;
        }
        if !closing && (name == "script" || name == "style") {
            skip_until = Some(name);
            continue;
        }
        if allowed.contains(&name.as_str()) {
            let self_closing = name == "br";
            match (closing, self_closing) {
                (_, true) => out.push_str("<br/>"),
                (true, false) => {
                    out.push_str("</");
                    out.push_str(&name);
                    out.push('>');
                }
                (false, false) => {
                    out.push('<');
                    out.push_str(&name);
                    out.push('>');
                }
            }
        } else if matches!(name.as_str(), "p" | "div" | "li" | "tr" | "h1" | "h2" | "h3" | "h4" | "h5" | "h6")
            && closing
        {
            // A block that is not allowed still ends a line.
            out.push('\n');
        }
    }
    if skip_until.is_none() {
        out.push_str(rest);
    }
    out
}

/// `html` as plain text: tags removed, block ends as line breaks, the common entities decoded,
/// runs of blank lines squeezed (Google Merchant and price lists want plain text).
pub fn html_to_text(html: &str) -> String {
    // Most descriptions need no work at all; the rest pay for the replacements once.
    let decoded = if html.contains(['<', '&']) {
        let text = if html.contains("<br") {
            sanitize_feed_html(
                &html.replace("<br>", "\n").replace("<br/>", "\n").replace("<br />", "\n"),
                &[],
            )
        } else {
            sanitize_feed_html(html, &[])
        };
        if text.contains('&') {
            text.replace("&nbsp;", " ")
                .replace("&lt;", "<")
                .replace("&gt;", ">")
                .replace("&quot;", "\"")
                .replace("&#39;", "'")
                .replace("&apos;", "'")
                .replace("&amp;", "&")
        } else {
            text
        }
    } else {
        html.to_string()
    };
    let mut out = String::with_capacity(decoded.len());
    let mut blank = 0;
    for line in decoded.lines().map(str::trim) {
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
}
