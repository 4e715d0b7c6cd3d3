//! Small text rules shared by parsers: whitespace the way real-world files write it.

/// True for the spaces that appear inside numbers in price lists: ASCII space, NBSP, narrow NBSP,
/// thin space and the apostrophe used as a thousands mark in some locales.
pub fn is_digit_group_separator(c: char) -> bool {
    matches!(c, ' ' | '\u{a0}' | '\u{202f}' | '\u{2009}' | '\'')
}

/// Collapses runs of whitespace (including NBSP) into single spaces and trims the ends.
pub fn squash_spaces(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for word in s.split(|c: char| c.is_whitespace() || c == '\u{a0}').filter(|w| !w.is_empty()) {
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(word);
    }
    out
}
