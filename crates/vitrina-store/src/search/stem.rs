//! Words → stems, the same way at index and at query time.

use std::collections::HashMap;

use rust_stemmers::{Algorithm, Stemmer};
use vitrina_domain::Product;

/// Stemmers for Russian and English with a memo of recent words (catalog vocabularies repeat).
/// The memo keeps, per word, what indexing writes for it: the stem, and after a space its form
/// without the fleeting vowel when it has one ("кроссовок" → "кроссовок кроссовк").
pub struct Stems {
    russian: Stemmer,
    english: Stemmer,
    memo: HashMap<Box<str>, Box<str>>,
    word: String,
}

impl std::fmt::Debug for Stems {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Stems").field("memo", &self.memo.len()).finish()
    }
}

const MEMO_LIMIT: usize = 500_000;

impl Default for Stems {
    fn default() -> Self {
        Self::new()
    }
}

impl Stems {
    pub fn new() -> Self {
        Self {
            russian: Stemmer::create(Algorithm::Russian),
            english: Stemmer::create(Algorithm::English),
            memo: HashMap::new(),
            word: String::with_capacity(32),
        }
    }

    /// The stem of one lower-case word (letters and digits only).
    pub fn stem(&mut self, word: &str) -> String {
        let fragment = self.fragment(word);
        fragment.split(' ').next().unwrap_or(fragment).to_string()
    }

    /// The indexed form of a word: its stem, plus its form without the fleeting vowel.
    fn fragment(&mut self, word: &str) -> &str {
        if !self.memo.contains_key(word) {
            let stem = self.stem_uncached(word);
            let fragment = match without_fleeting_vowel(&stem) {
                Some(short) => format!("{stem} {short}"),
                None => stem,
            };
            if self.memo.len() >= MEMO_LIMIT {
                self.memo.clear();
            }
            self.memo.insert(word.into(), fragment.into_boxed_str());
        }
        &self.memo[word]
    }

    fn stem_uncached(&self, word: &str) -> String {
        if word.chars().any(|c| c.is_ascii_digit()) || word.chars().count() < 3 {
            return word.to_string();
        }
        if word.chars().any(is_cyrillic) {
            self.russian.stem(word).into_owned()
        } else if word.chars().all(|c| c.is_ascii_alphabetic()) {
            self.english.stem(word).into_owned()
        } else {
            word.to_string()
        }
    }

    /// Appends the stems of `text`'s words to `out`, space-separated. HTML tags are skipped.
    /// A stem with a fleeting vowel ("чехол") is followed by its form without it ("чехл"),
    /// which the other cases of the word stem to ("чехлы", "чехла").
    pub fn append_stems(&mut self, text: &str, out: &mut String) {
        self.each_fragment(text, |_, fragment| {
            if !out.is_empty() {
                out.push(' ');
            }
            out.push_str(fragment);
        });
    }

    /// Calls `f` with each word of `text` and its indexed form (see [`Stems::append_stems`]).
    fn each_fragment(&mut self, text: &str, mut f: impl FnMut(&str, &str)) {
        let mut word = std::mem::take(&mut self.word);
        each_word(text, &mut word, |w| f(w, self.fragment(w)));
        self.word = word;
    }
}

pub(crate) fn is_cyrillic(c: char) -> bool {
    matches!(c, '\u{0400}'..='\u{04FF}')
}

/// The stem without the fleeting vowel of its last syllable: "кроссовок" -> "кроссовк".
pub(crate) fn without_fleeting_vowel(stem: &str) -> Option<String> {
    let chars: Vec<char> = stem.chars().collect();
    let n = chars.len();
    if n < 4 || !chars.iter().all(|c| is_cyrillic(*c)) {
        return None;
    }
    let consonant = |c: char| !"аеёиоуыэюяьъй".contains(c);
    let (before, vowel, last) = (chars[n - 3], chars[n - 2], chars[n - 1]);
    (matches!(vowel, 'о' | 'е') && consonant(before) && consonant(last))
        .then(|| chars[..n - 2].iter().chain(std::iter::once(&last)).collect())
}

/// Lower-cased words of `text` (runs of letters and digits; `ё` read as `е`), skipping HTML tags
/// and entities such as `&amp;`.
pub(crate) fn words(text: &str) -> impl Iterator<Item = String> + '_ {
    let mut all = Vec::new();
    each_word(text, &mut String::new(), |w| all.push(w.to_string()));
    all.into_iter()
}

/// Calls `f` with each lower-cased word of `text` in turn, built in `word` (reused, so a long
/// description costs no allocation per word).
pub(crate) fn each_word(text: &str, word: &mut String, mut f: impl FnMut(&str)) {
    let mut chars = text.chars().peekable();
    word.clear();
    loop {
        // Markup ends a word like a space does; it is skipped, never indexed.
        let markup = match chars.peek() {
            None => break,
            Some('<') | Some('&') => {
                let mut ahead = chars.clone();
                let opener = ahead.next();
                let next = ahead.peek().copied().unwrap_or(' ');
                match opener {
                    Some('<') => (next.is_ascii_alphabetic() || next == '/' || next == '!').then_some('>'),
                    _ => (next.is_ascii_alphabetic() || next == '#').then_some(';'),
                }
            }
            Some(_) => None,
        };
        if let Some(close) = markup {
            if !word.is_empty() {
                f(word);
                word.clear();
            }
            chars.next();
            if close == '>' {
                chars.by_ref().find(|t| *t == '>');
            } else {
                while chars.next_if(|t| t.is_ascii_alphanumeric() || *t == '#').is_some() {}
                chars.next_if_eq(&';');
            }
            continue;
        }
        let Some(c) = chars.next() else { break };
        // Cyrillic and ASCII first: is_alphanumeric's table lookup is the slow path.
        if c.is_ascii_alphanumeric() {
            word.push(c.to_ascii_lowercase());
        } else if matches!(c, 'а'..='я' | 'А'..='Я' | 'ё' | 'Ё') || (!c.is_ascii() && c.is_alphanumeric())
        {
            for l in c.to_lowercase() {
                word.push(if l == 'ё' { 'е' } else { l });
            }
        } else if !word.is_empty() {
            f(word);
            word.clear();
        }
    }
    if !word.is_empty() {
        f(word);
        word.clear();
    }
}

/// Marks a title token that stands for the first letter of a word of the product's name: "§к"
/// for "Кроссовки". A list's one letter reads the products with a name word starting with it as
/// one term's list (5 ms for a letter of 120 000 products), where a one-letter prefix merges
/// the lists of every word starting with it (28–54 ms). No word holds it: `each_word` keeps
/// letters and digits only, at indexing and at query time.
pub const INITIAL_MARK: char = '§';

/// The two indexed columns of a product: `title` (name, brand, model, SKU, barcodes, and the
/// initials of the name's words) and `body` (description and attribute values). A word is
/// indexed once a column: a repeat adds nothing a query asks (no query is a phrase), and the
/// index is written a word at a time (the brand in the name and again as the brand, 13 % of a
/// product's words on the benchmark catalog).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct SearchText {
    pub title: String,
    pub body: String,
}

impl SearchText {
    pub fn of(product: &Product, stems: &mut Stems) -> Self {
        let mut title = Column::with_capacity(160);
        let mut initials: Vec<char> = Vec::with_capacity(8);
        stems.each_fragment(&product.name, |word, fragment| {
            if let Some(c) = word.chars().next()
                && c.is_alphabetic()
                && !initials.contains(&c)
            {
                initials.push(c);
            }
            title.push_all(fragment);
        });
        for part in [&product.brand, &product.model, &product.sku] {
            stems.each_fragment(part, |_, fragment| title.push_all(fragment));
        }
        for code in &product.barcodes {
            title.push(code.as_str());
        }
        let mut token = String::with_capacity(8);
        for c in initials {
            token.clear();
            token.push(INITIAL_MARK);
            token.push(c);
            title.push(&token);
        }
        let mut body = Column::with_capacity(256);
        stems.each_fragment(&product.description, |_, fragment| body.push_all(fragment));
        for a in &product.attributes {
            stems.each_fragment(&a.value, |_, fragment| body.push_all(fragment));
        }
        SearchText { title: title.text, body: body.text }
    }
}

/// One indexed column being written: space-separated words, each once.
struct Column {
    text: String,
    /// Hashes of the words written (a product has a few dozen: a scan beats a set).
    seen: Vec<u64>,
}

impl Column {
    fn with_capacity(bytes: usize) -> Self {
        Column { text: String::with_capacity(bytes), seen: Vec::with_capacity(32) }
    }

    /// Each space-separated word of `fragment`.
    fn push_all(&mut self, fragment: &str) {
        for word in fragment.split(' ') {
            self.push(word);
        }
    }

    fn push(&mut self, word: &str) {
        if word.is_empty() {
            return;
        }
        let hash = word
            .bytes()
            .fold(0xcbf2_9ce4_8422_2325u64, |h, b| (h ^ u64::from(b)).wrapping_mul(0x100_0000_01b3));
        // Equal hashes are checked against the words themselves (a collision keeps both).
        if self.seen.contains(&hash) && self.text.split(' ').any(|w| w == word) {
            return;
        }
        self.seen.push(hash);
        if !self.text.is_empty() {
            self.text.push(' ');
        }
        self.text.push_str(word);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_skip_markup_and_fold_case_and_yo() {
        let got: Vec<_> = words("<p>Ёлка &amp; <b>Кроссовки</b> NK-90, 42р</p>").collect();
        assert_eq!(got, ["елка", "кроссовки", "nk", "90", "42р"]);
    }

    #[test]
    fn russian_word_forms_share_a_stem() {
        let mut s = Stems::new();
        assert_eq!(s.stem("кроссовки"), s.stem("кроссовкам"));
        assert_eq!(s.stem("shoes"), "shoe");
        assert_eq!(s.stem("a16"), "a16");
    }

    #[test]
    fn a_title_holds_each_word_once_and_the_initials_of_the_names_words() {
        let mut p = Product::new(vitrina_domain::ProductDraft {
            sku: "NK-90".into(),
            name: "Кроссовки Nike Air, ёлочный узор 42".into(),
            price: vitrina_domain::Money::rub(100),
        })
        .unwrap();
        p.brand = "Nike".into();
        p.description = "Кроссовки. Кроссовки Nike!".into();
        let text = SearchText::of(&p, &mut Stems::new());
        assert_eq!(text.title, "кроссовк nike air елочн узор узр 42 nk 90 §к §n §a §е §у");
        assert_eq!(text.body, "кроссовк nike");
    }
}
