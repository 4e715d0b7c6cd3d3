//! Word-by-word diffs for the review of a suggestion: what stays, what goes, what comes.

use crate::ipc::DiffPartDto;

/// The most words either side is compared word by word; longer texts show as replaced whole.
const MAX_WORDS: usize = 3_000;

/// Splits into words keeping the spaces after them, so the parts join back into the text.
fn tokens(s: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut start = 0;
    let mut in_space = false;
    for (i, c) in s.char_indices() {
        let space = c.is_whitespace();
        if in_space && !space {
            out.push(&s[start..i]);
            start = i;
        }
        in_space = space;
    }
    if start < s.len() {
        out.push(&s[start..]);
    }
    out
}

pub fn diff(old: &str, new: &str) -> Vec<DiffPartDto> {
    let (a, b) = (tokens(old), tokens(new));
    let mut parts: Vec<DiffPartDto> = Vec::new();
    let mut push = |op: &str, text: &str| match parts.last_mut() {
        Some(last) if last.op == op => last.text.push_str(text),
        _ => parts.push(DiffPartDto { op: op.into(), text: text.into() }),
    };
    if a.len() > MAX_WORDS || b.len() > MAX_WORDS {
        push("removed", old);
        push("added", new);
        return parts;
    }
    // Longest common subsequence over words (trailing spaces ignored when comparing).
    let key = |t: &str| t.trim_end().to_owned();
    let (ka, kb): (Vec<String>, Vec<String>) =
        (a.iter().map(|t| key(t)).collect(), b.iter().map(|t| key(t)).collect());
    let (n, m) = (a.len(), b.len());
    let mut lcs = vec![0u16; (n + 1) * (m + 1)];
    for i in (0..n).rev() {
        for j in (0..m).rev() {
            lcs[i * (m + 1) + j] = if ka[i] == kb[j] {
                lcs[(i + 1) * (m + 1) + j + 1] + 1
            } else {
                lcs[(i + 1) * (m + 1) + j].max(lcs[i * (m + 1) + j + 1])
            };
        }
    }
    let (mut i, mut j) = (0, 0);
    while i < n || j < m {
        if i < n && j < m && ka[i] == kb[j] {
            push("same", b[j]);
            i += 1;
            j += 1;
        } else if j < m && (i == n || lcs[i * (m + 1) + j + 1] >= lcs[(i + 1) * (m + 1) + j]) {
            push("added", b[j]);
            j += 1;
        } else {
            push("removed", a[i]);
            i += 1;
        }
    }
    parts
}

#[cfg(test)]
mod tests {
    use super::*;

    fn show(parts: &[DiffPartDto]) -> String {
        parts
            .iter()
            .map(|p| match p.op.as_str() {
                "same" => p.text.clone(),
                "added" => format!("[+{}]", p.text),
                _ => format!("[-{}]", p.text),
            })
            .collect()
    }

    #[test]
    fn words_are_compared_and_runs_merged() {
        assert_eq!(
            show(&diff("КРОССОВКИ беговые Nordic", "Кроссовки беговые Nordic")),
            "[+Кроссовки ][-КРОССОВКИ ]беговые Nordic"
        );
        assert_eq!(show(&diff("", "Новое описание")), "[+Новое описание]");
        assert_eq!(show(&diff("Лёгкие кеды", "Лёгкие белые кеды")), "Лёгкие [+белые ]кеды");
        assert_eq!(show(&diff("a b c", "a b c")), "a b c");
    }
}
