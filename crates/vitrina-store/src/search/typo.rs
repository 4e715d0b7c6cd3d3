//! One wrong, missing, extra or swapped letter: "кросовки", "кроссвоки", "телевезор".
//!
//! The words a catalog has are the stems in its search index, so a misspelt word is corrected
//! by trying the stems one edit away from its stem and keeping those the index holds: a lookup
//! of a term the index lacks costs about ten microseconds, and a word of eight letters has
//! about 550 neighbours. Nothing has to be built or stored for it, so imports pay nothing.
//! The same edit applied to the typed word gives what to show ("кросовки" → "кроссовки").

/// Words shorter than this are not corrected: one letter is too much of a short word.
pub const MIN_LETTERS: usize = 5;
/// Longer words are not corrected either (a pasted text, not a word).
pub const MAX_LETTERS: usize = 30;

const RUSSIAN: &str = "абвгдежзийклмнопрстуфхцчшщъыьэюя";
const LATIN: &str = "abcdefghijklmnopqrstuvwxyz";

/// One edit, at a position counted in characters.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Edit {
    /// The letter at this position is extra.
    Delete(usize),
    /// These two neighbours were swapped.
    Swap(usize),
    /// The letter at this position is wrong.
    Replace(usize, char),
    /// A letter is missing before this position.
    Insert(usize, char),
}

impl Edit {
    /// `word` with this edit made, or `None` when it does not reach that far.
    pub fn apply(&self, word: &str) -> Option<String> {
        let mut c: Vec<char> = word.chars().collect();
        match *self {
            Edit::Delete(i) if i < c.len() => {
                c.remove(i);
            }
            Edit::Swap(i) if i + 1 < c.len() => c.swap(i, i + 1),
            Edit::Replace(i, l) if i < c.len() => c[i] = l,
            Edit::Insert(i, l) if i <= c.len() => c.insert(i, l),
            _ => return None,
        }
        Some(c.into_iter().collect())
    }
}

/// Whether a typed word may be corrected: letters of one alphabet only (SKUs, barcodes and
/// numbers never are), between [`MIN_LETTERS`] and [`MAX_LETTERS`] long.
pub fn correctable(word: &str) -> bool {
    let n = word.chars().count();
    (MIN_LETTERS..=MAX_LETTERS).contains(&n)
        && (word.chars().all(|c| RUSSIAN.contains(c)) || word.chars().all(|c| c.is_ascii_lowercase()))
}

/// Every string one edit away from `stem` (letters from the stem's own alphabet), each with
/// its edit; swaps and deletions first (the commonest slips), then replacements and insertions.
pub fn neighbours(stem: &str) -> Vec<(String, Edit)> {
    let chars: Vec<char> = stem.chars().collect();
    let alphabet: Vec<char> =
        if chars.iter().all(|c| c.is_ascii_lowercase()) { LATIN } else { RUSSIAN }.chars().collect();
    let mut out = Vec::with_capacity(chars.len() * (2 * alphabet.len() + 2));
    let mut push = |edit: Edit| {
        if let Some(s) = edit.apply(stem)
            && s != stem
            && !out.iter().any(|(t, _)| *t == s)
        {
            out.push((s, edit));
        }
    };
    for i in 0..chars.len().saturating_sub(1) {
        if chars[i] != chars[i + 1] {
            push(Edit::Swap(i));
        }
    }
    for i in 0..chars.len() {
        push(Edit::Delete(i));
    }
    for (i, &c) in chars.iter().enumerate() {
        for &l in &alphabet {
            if l != c {
                push(Edit::Replace(i, l));
            }
        }
    }
    for i in 0..=chars.len() {
        for &l in &alphabet {
            push(Edit::Insert(i, l));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use rstest::rstest;

    use super::*;

    #[rstest]
    #[case::missing("кросовк", "кроссовк", "кросовки", "кроссовки")]
    #[case::swapped("кроссвок", "кроссовк", "кроссвоки", "кроссовки")]
    #[case::wrong("телевезор", "телевизор", "телевезор", "телевизор")]
    #[case::extra("холодилльник", "холодильник", "холодилльник", "холодильник")]
    #[case::latin("samsumg", "samsung", "samsumg", "samsung")]
    fn finds_the_word_one_edit_away_and_fixes_the_typed_word_the_same_way(
        #[case] stem: &str,
        #[case] meant: &str,
        #[case] typed: &str,
        #[case] shown: &str,
    ) {
        let (_, edit) = neighbours(stem).into_iter().find(|(s, _)| s == meant).expect("a neighbour");
        assert_eq!(edit.apply(typed).as_deref(), Some(shown));
    }

    #[test]
    fn neighbours_are_unique_and_one_edit_away() {
        let all = neighbours("кроссовк");
        let unique: std::collections::HashSet<_> = all.iter().map(|(s, _)| s.clone()).collect();
        assert_eq!(unique.len(), all.len());
        assert!(all.iter().all(|(s, _)| crate::search::translit::distance(s, "кроссовк") <= 2));
        assert!(!unique.contains("кроссовк"));
        assert!(all.len() > 400 && all.len() < 600, "{}", all.len());
    }

    #[rstest]
    #[case("кросовки", true)]
    #[case("samsumg", true)]
    #[case("кросс", true)]
    #[case("крос", false)]
    #[case("df333", false)]
    #[case("4006381333931", false)]
    #[case("nikeкросс", false)]
    #[case("iphone15", false)]
    fn corrects_only_words_of_letters(#[case] word: &str, #[case] yes: bool) {
        assert_eq!(correctable(word), yes);
    }
}
