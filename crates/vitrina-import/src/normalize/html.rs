//! Product descriptions: sanitized HTML with basic formatting only.
//!
//! Most supplier descriptions are plain text or already-tidy `<p>`/`<ul>` markup, and running
//! a full HTML parser over a million of them costs more than the rest of the import. So a
//! description made only of allowed bare tags, properly nested, with known entities, is
//! escaped in one pass; anything else (attributes, scripts, comments, unknown entities,
//! unbalanced tags) goes through `ammonia`. Tests check that both ways agree.

use std::collections::HashSet;

/// The formatting a description may keep.
pub const ALLOWED_TAGS: [&str; 9] = ["p", "br", "ul", "ol", "li", "b", "strong", "i", "em"];

/// Removed together with their content.
const CLEAN_CONTENT_TAGS: [&str; 8] =
    ["script", "style", "iframe", "object", "embed", "noscript", "template", "svg"];

/// Turns a supplier's description into safe HTML. Build once per import.
#[derive(Debug)]
pub struct DescriptionCleaner {
    builder: ammonia::Builder<'static>,
}

impl Default for DescriptionCleaner {
    fn default() -> Self {
        Self::new()
    }
}

impl DescriptionCleaner {
    /// The sanitizer with [`ALLOWED_TAGS`] and no attributes at all (so no `on*` handlers,
    /// links or inline styles).
    pub fn new() -> Self {
        let mut builder = ammonia::Builder::empty();
        builder
            .tags(ALLOWED_TAGS.into_iter().collect())
            .clean_content_tags(CLEAN_CONTENT_TAGS.into_iter().collect())
            .generic_attributes(HashSet::new())
            .tag_attributes(Default::default())
            .link_rel(None)
            .strip_comments(true);
        Self { builder }
    }

    /// Sanitized HTML for `raw`. Plain text keeps its line breaks as `<br>`; text that is
    /// escaped HTML ("&lt;p&gt;…", seen in YML without CDATA) is unescaped once first.
    pub fn clean(&self, raw: &str) -> String {
        let text = raw.trim();
        if !text.contains(['<', '>', '&', '\n', '\r']) {
            return text.to_owned();
        }
        let unescaped;
        let text = if !text.contains('<') && text.contains("&lt;") {
            unescaped = unescape_markup(text);
            unescaped.as_str()
        } else {
            text
        };
        let plain = !text.contains('<');
        if let Some(out) = fast_clean(text, plain) {
            return out;
        }
        if plain {
            let with_breaks = text.replace("\r\n", "<br>").replace(['\n', '\r'], "<br>");
            self.builder.clean(&with_breaks).to_string()
        } else {
            self.builder.clean(text).to_string()
        }
    }

    /// The full sanitizer, for tests comparing it with the fast path.
    #[cfg(test)]
    fn ammonia(&self, text: &str) -> String {
        self.builder.clean(text).to_string()
    }
}

/// Undoes one level of escaping of `&lt; &gt; &amp; &quot; &#39;`.
fn unescape_markup(text: &str) -> String {
    text.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&apos;", "'")
        .replace("&amp;", "&")
}

/// One pass over text made of allowed bare tags; `None` when ammonia must decide.
fn fast_clean(text: &str, plain: bool) -> Option<String> {
    let mut out = String::with_capacity(text.len() + 16);
    let mut open: Vec<&'static str> = Vec::new();
    let bytes = text.as_bytes();
    let mut i = 0;
    let mut copied = 0;
    while i < bytes.len() {
        let b = bytes[i];
        let replacement: Option<(&str, usize)> = match b {
            b'<' => match read_tag(&bytes[i..]) {
                Tag::Open(name, len) => {
                    if name != "br" {
                        open.push(name);
                    }
                    Some((if name == "br" { "<br>" } else { open_tag(name) }, len))
                }
                Tag::Close(name, len) => {
                    if open.pop() != Some(name) {
                        return None;
                    }
                    Some((close_tag(name), len))
                }
                Tag::Text => Some(("&lt;", 1)),
                Tag::Other => return None,
            },
            b'>' => Some(("&gt;", 1)),
            b'&' => match entity_len(&bytes[i..]) {
                Entity::Known => None,
                Entity::Lone => Some(("&amp;", 1)),
                Entity::Unknown => return None,
            },
            b'\r' if plain => Some(("<br>", if bytes.get(i + 1) == Some(&b'\n') { 2 } else { 1 })),
            b'\n' if plain => Some(("<br>", 1)),
            _ => None,
        };
        match replacement {
            Some((with, len)) => {
                out.push_str(&text[copied..i]);
                out.push_str(with);
                i += len;
                copied = i;
            }
            None => i += 1,
        }
    }
    out.push_str(&text[copied..]);
    open.is_empty().then_some(out)
}

enum Tag {
    Open(&'static str, usize),
    Close(&'static str, usize),
    /// A `<` that HTML reads as text ("< 25 °C").
    Text,
    Other,
}

fn read_tag(b: &[u8]) -> Tag {
    let mut i = 1;
    let closing = b.get(i) == Some(&b'/');
    if closing {
        i += 1;
    }
    let start = i;
    while b.get(i).is_some_and(u8::is_ascii_alphanumeric) {
        i += 1;
    }
    if i == start {
        return if !closing && b.get(i).is_none_or(|c| !(c.is_ascii_alphabetic() || matches!(c, b'!' | b'?')))
        {
            Tag::Text
        } else {
            Tag::Other
        };
    }
    if !b[start].is_ascii_alphabetic() {
        return Tag::Other;
    }
    let Some(name) = allowed(&b[start..i]) else {
        return Tag::Other;
    };
    while b.get(i).is_some_and(|c| *c == b' ') {
        i += 1;
    }
    if !closing && name == "br" && b.get(i) == Some(&b'/') {
        i += 1;
    }
    if b.get(i) != Some(&b'>') {
        return Tag::Other;
    }
    match (closing, name) {
        (true, "br") => Tag::Other,
        (true, _) => Tag::Close(name, i + 1),
        (false, _) => Tag::Open(name, i + 1),
    }
}

fn allowed(name: &[u8]) -> Option<&'static str> {
    ALLOWED_TAGS.into_iter().find(|t| t.as_bytes().eq_ignore_ascii_case(name))
}

fn open_tag(name: &str) -> &'static str {
    match name {
        "p" => "<p>",
        "ul" => "<ul>",
        "ol" => "<ol>",
        "li" => "<li>",
        "b" => "<b>",
        "strong" => "<strong>",
        "i" => "<i>",
        _ => "<em>",
    }
}

fn close_tag(name: &str) -> &'static str {
    match name {
        "p" => "</p>",
        "ul" => "</ul>",
        "ol" => "</ol>",
        "li" => "</li>",
        "b" => "</b>",
        "strong" => "</strong>",
        "i" => "</i>",
        _ => "</em>",
    }
}

enum Entity {
    Known,
    /// An `&` that is just an ampersand ("Head & Shoulders").
    Lone,
    /// A named entity we do not list (`&laquo;`): ammonia decodes it.
    Unknown,
}

fn entity_len(b: &[u8]) -> Entity {
    const NAMED: [&[u8]; 6] = [b"amp", b"lt", b"gt", b"quot", b"apos", b"nbsp"];
    let end = b.iter().take(12).position(|c| *c == b';');
    let Some(end) = end else {
        return if b.get(1).is_some_and(u8::is_ascii_alphanumeric) || b.get(1) == Some(&b'#') {
            Entity::Unknown
        } else {
            Entity::Lone
        };
    };
    let body = &b[1..end];
    if NAMED.contains(&body) {
        return Entity::Known;
    }
    let numeric = match body {
        [b'#', b'x' | b'X', hex @ ..] => !hex.is_empty() && hex.iter().all(u8::is_ascii_hexdigit),
        [b'#', dec @ ..] => !dec.is_empty() && dec.iter().all(u8::is_ascii_digit),
        _ => false,
    };
    // Numeric and unlisted named references: ammonia decodes them.
    if numeric || (!body.is_empty() && body.iter().all(u8::is_ascii_alphanumeric)) {
        Entity::Unknown
    } else {
        Entity::Lone
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rstest::rstest;

    #[rstest]
    #[case("Просто текст", "Просто текст")]
    #[case("  с пробелами  ", "с пробелами")]
    #[case("Head & Shoulders", "Head &amp; Shoulders")]
    #[case("хранения < 25 °C, влажность > 40%", "хранения &lt; 25 °C, влажность &gt; 40%")]
    #[case("Строка 1\r\nстрока 2\nстрока 3", "Строка 1<br>строка 2<br>строка 3")]
    #[case(
        "<p>Лёгкие <b>кеды</b></p><ul><li>пух</li></ul>",
        "<p>Лёгкие <b>кеды</b></p><ul><li>пух</li></ul>"
    )]
    #[case("<P>Верх</P><BR/>низ<br />", "<p>Верх</p><br>низ<br>")]
    #[case("упаковке &quot;Haier&quot;", "упаковке \"Haier\"")]
    #[case("<p>a</p><script>alert(1)</script>", "<p>a</p>")]
    #[case("<p onclick=\"steal()\">a</p>", "<p>a</p>")]
    #[case("<style>p{}</style><iframe src=x></iframe>текст", "текст")]
    #[case("<a href=\"javascript:x\">ссылка</a>", "ссылка")]
    #[case("<div><p>блок</p></div>", "<p>блок</p>")]
    #[case("<p>не закрыт", "<p>не закрыт</p>")]
    #[case("&lt;p&gt;Экранированный&lt;/p&gt;", "<p>Экранированный</p>")]
    #[case("&laquo;Кавычки&raquo;", "«Кавычки»")]
    #[case("<!-- комментарий -->текст", "текст")]
    #[case("<img src=x onerror=alert(1)>", "")]
    fn sanitizes(#[case] raw: &str, #[case] expected: &str) {
        let c = DescriptionCleaner::new();
        let out = c.clean(raw);
        // Compare what a browser would show: entities of the same character are equal.
        assert_eq!(c.ammonia(&out), c.ammonia(expected), "{raw} → {out}");
        assert!(!out.contains("script") && !out.contains("onclick") && !out.contains("onerror"));
    }

    #[rstest]
    #[case("<p>Лёгкие <b>кеды</b> & «кроссовки»</p>")]
    #[case("<ul><li>Размер: 54</li><li>До -35 °C</li></ul><p>Упаковка &quot;Columbia&quot;</p>")]
    #[case("Температура < 25 °C, > 40% &amp; ещё")]
    #[case("<p>x</p>&#171;y&#xBB;")]
    #[case("a <b>b</i> c")]
    #[case("<li><p>вложено</li></p>")]
    #[case("&nbsp;пробел&nbsp;")]
    fn fast_path_agrees_with_ammonia(#[case] raw: &str) {
        let c = DescriptionCleaner::new();
        let out = c.clean(raw);
        assert_eq!(c.ammonia(&out), c.ammonia(raw), "{raw} → {out}");
        assert_eq!(c.clean(&out), out, "cleaning is idempotent");
    }

    #[test]
    fn fast_path_is_taken_for_tidy_markup() {
        assert!(fast_clean("<p>a</p><ul><li>b</li></ul>", false).is_some());
        assert!(fast_clean("<p>a</p><ul><li>b</li>", false).is_none(), "unbalanced");
        assert!(fast_clean("<p class=x>a</p>", false).is_none(), "attributes");
        assert!(fast_clean("&laquo;", true).is_none(), "unknown entity");
    }
}
