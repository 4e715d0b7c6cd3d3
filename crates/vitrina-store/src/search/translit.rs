//! Names typed in the other alphabet: "найк" for Nike, "самсунг" for Samsung, "adidas" for
//! "Адидас", "айфон" for iPhone.
//!
//! A letter-by-letter table is not enough: Russians write brands as they sound in English
//! ("найк" is not "naik"), so a Latin name has several Russian readings. Two tools here:
//!
//! - **Sounds**: a word becomes a string of sounds in one small alphabet. A Russian word has
//!   one; a Latin word has several (English and letter-by-letter readings: "nike" sounds "naik"
//!   or "nike", "michelin" "miSlin" or "miCelin"). Two words are close when their consonants
//!   agree and the vowels differ by at most one sound. The catalog's brands are matched this
//!   way (`vocab.rs`).
//! - **Spellings**: the plausible spellings of a word in the other alphabet ("гэлакси" →
//!   "galaxy", "galaksi", …; "krossovki" → "кроссовки"), most likely first, which the search
//!   index then confirms or not (model and other words that are not brands).

use std::cmp::Reverse;
use std::collections::{BinaryHeap, HashSet};

use super::stem::is_cyrillic;

/// Alternatives for one piece of a word, most likely first.
type Piece = Vec<&'static str>;
/// How many characters at a position make a piece, and its alternatives.
type Table<'a> = &'a dyn Fn(&[char], usize) -> Option<(usize, Piece)>;

/// Every combination of one alternative per piece, cheapest first (the cost of a combination is
/// the sum of its alternatives' positions), without repeats, at most `cap`.
fn combine(pieces: &[Piece], cap: usize) -> Vec<String> {
    let mut out = Vec::new();
    let mut seen_out = HashSet::new();
    let mut seen = HashSet::new();
    let mut heap = BinaryHeap::new();
    let start = vec![0usize; pieces.len()];
    heap.push(Reverse((0usize, start.clone())));
    seen.insert(start);
    while let Some(Reverse((cost, choice))) = heap.pop() {
        let word: String = pieces.iter().zip(&choice).map(|(p, &i)| p[i]).collect();
        if seen_out.insert(word.clone()) {
            out.push(word);
            if out.len() >= cap {
                break;
            }
        }
        for k in 0..pieces.len() {
            if choice[k] + 1 < pieces[k].len() {
                let mut next = choice.clone();
                next[k] += 1;
                if seen.insert(next.clone()) {
                    heap.push(Reverse((cost + 1, next)));
                }
            }
        }
        // A long word with many alternatives: enough is explored once the queue is this big.
        if seen.len() > cap * 64 {
            break;
        }
    }
    out
}

fn is_vowel(c: char) -> bool {
    matches!(c, 'a' | 'e' | 'i' | 'o' | 'u' | 'y' | 'а' | 'е' | 'ё' | 'и' | 'о' | 'у' | 'ы' | 'э' | 'ю' | 'я')
}

/// Splits `word` into pieces by the longest pattern `table` knows at each position; a character
/// it does not know is kept as it is.
fn pieces(word: &str, table: Table<'_>) -> Vec<Piece> {
    let chars: Vec<char> = word.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        match table(&chars, i) {
            Some((len, alts)) => {
                out.push(alts);
                i += len.max(1);
            }
            None => {
                // Digits stay as they are; anything else the table does not know is dropped.
                const DIGITS: [&str; 10] = ["0", "1", "2", "3", "4", "5", "6", "7", "8", "9"];
                if let Some(d) = chars[i].to_digit(10) {
                    out.push(vec![DIGITS[d as usize]]);
                }
                i += 1;
            }
        }
    }
    out
}

fn starts(chars: &[char], i: usize, pattern: &str) -> bool {
    pattern.chars().enumerate().all(|(k, p)| chars.get(i + k) == Some(&p))
}

/// Latin spellings of a Russian word, most likely first: "найк" → "naik", …, "nike".
pub fn latin_spellings(word: &str, cap: usize) -> Vec<String> {
    let table = |c: &[char], i: usize| -> Option<(usize, Piece)> {
        let at_end = |len: usize| i + len == c.len();
        // An English long vowel before a last consonant is written with a silent e: "найк" is
        // "nike", "байт" "bite", "оверсайз" "oversize".
        if starts(c, i, "ай") && c.len() == i + 3 && !is_vowel(c[i + 2]) {
            let cons = latin_consonant(c[i + 2]);
            let alts: Piece = match cons {
                "k" => vec!["ike", "aik", "ayk", "yk", "ik", "ique"],
                "t" => vec!["ite", "ight", "ait", "ayt", "it"],
                "z" => vec!["ize", "ise", "aiz", "ayz", "iz"],
                "s" => vec!["ice", "ise", "ais", "ays", "is"],
                "d" => vec!["ide", "aid", "ayd", "yd"],
                "n" => vec!["ine", "ain", "ayn", "yn"],
                "l" => vec!["ile", "ail", "ayl", "yl"],
                "m" => vec!["ime", "aim", "aym", "ym"],
                "f" => vec!["ife", "aif", "ayf", "yf"],
                "p" => vec!["ipe", "aip", "ayp", "yp"],
                "v" => vec!["ive", "aiv", "ayv"],
                "b" => vec!["ibe", "aib", "ayb"],
                _ => return None,
            };
            return Some((3, alts));
        }
        let two: Option<Piece> = match (c[i], c.get(i + 1).copied()) {
            ('к', Some('с')) => Some(vec!["x", "ks", "cs", "cks", "kc"]),
            ('д', Some('ж')) => Some(vec!["j", "g", "dj", "dzh"]),
            ('а', Some('й')) => Some(vec!["ai", "ay", "i", "y", "igh"]),
            ('е', Some('й')) => Some(vec!["ey", "ei", "ay", "ai"]),
            ('э', Some('й')) => Some(vec!["ay", "ei", "ey", "ai", "a"]),
            ('о', Some('й')) => Some(vec!["oy", "oi"]),
            ('у', Some('й')) => Some(vec!["ui", "uy", "wi"]),
            ('и', Some('й')) => Some(vec!["iy", "y", "ii"]),
            ('ь', Some('ю')) => Some(vec!["u", "yu", "ew", "iu"]),
            ('о', Some('у')) => Some(vec!["ou", "ow", "o"]),
            _ => None,
        };
        if let Some(alts) = two {
            return Some((2, alts));
        }
        let last_consonant = at_end(1) && !is_vowel(c[i]) && i > 0;
        let alts: Piece = match c[i] {
            'а' => vec!["a", "u", "e", "o"],
            'б' => vec!["b", "bb"],
            'в' => vec!["v", "w"],
            'г' => vec!["g", "gh", "h"],
            'д' => vec!["d", "dd"],
            'е' => vec!["e", "ea", "ee", "i", "ye", "ie"],
            'ё' => vec!["yo", "e", "o"],
            'ж' => vec!["zh", "j", "g", "ge"],
            'з' => vec!["z", "s", "zz"],
            'и' => vec!["i", "ee", "y", "e", "ea", "ie"],
            'й' => vec!["y", "i", "j"],
            'к' => vec!["k", "c", "ck", "ch", "q"],
            'л' if last_consonant => vec!["l", "ll", "le"],
            'л' => vec!["l", "ll"],
            'м' => vec!["m", "mm"],
            'н' if last_consonant => vec!["n", "ne", "nn"],
            'н' => vec!["n", "nn"],
            'о' => vec!["o", "oo", "a", "ou", "au"],
            'п' => vec!["p", "pp"],
            'р' => vec!["r", "rr"],
            'с' if last_consonant => vec!["s", "ss", "ce", "se", "c"],
            'с' => vec!["s", "c", "ss", "sc"],
            'т' if last_consonant => vec!["t", "te", "tt", "th"],
            'т' => vec!["t", "tt", "th"],
            'у' => vec!["u", "oo", "ou", "w"],
            'ф' => vec!["f", "ph", "ff"],
            'х' => vec!["h", "kh", "ch"],
            'ц' => vec!["ts", "c", "tz", "z"],
            'ч' => vec!["ch", "tch", "c"],
            'ш' => vec!["sh", "sch", "ch"],
            'щ' => vec!["sch", "shch", "sh"],
            'ъ' => vec![""],
            'ы' => vec!["y", "i"],
            'ь' => vec!["", "e"],
            'э' => vec!["e", "a", "ai"],
            'ю' => vec!["yu", "u", "iu", "eu", "ew"],
            'я' => vec!["ya", "ia", "a"],
            _ => return None,
        };
        Some((1, alts))
    };
    if !word.chars().any(is_cyrillic) {
        return Vec::new();
    }
    combine(&pieces(word, &table), cap)
}

fn latin_consonant(c: char) -> &'static str {
    match c {
        'к' => "k",
        'т' => "t",
        'з' => "z",
        'с' => "s",
        'д' => "d",
        'н' => "n",
        'л' => "l",
        'м' => "m",
        'ф' => "f",
        'п' => "p",
        'в' => "v",
        'б' => "b",
        _ => "",
    }
}

/// Russian spellings of a Latin word, most likely first: "krossovki" → "кроссовки", "atlant" →
/// "атлант".
pub fn cyrillic_spellings(word: &str, cap: usize) -> Vec<String> {
    let table = |c: &[char], i: usize| -> Option<(usize, Piece)> {
        const PATTERNS: &[(&str, &[&str])] = &[
            ("shch", &["щ"]),
            ("sch", &["щ", "ш"]),
            ("tch", &["ч"]),
            ("sh", &["ш"]),
            ("ch", &["ч", "х", "ш", "к"]),
            ("zh", &["ж"]),
            ("kh", &["х"]),
            ("ts", &["ц", "тс"]),
            ("tz", &["ц"]),
            ("th", &["т", "с", "з"]),
            ("ph", &["ф"]),
            ("ck", &["к"]),
            ("qu", &["кв", "к"]),
            ("ya", &["я", "ья", "ия"]),
            ("ia", &["ия", "я", "ья"]),
            ("yu", &["ю", "ью"]),
            ("iu", &["ю", "ию"]),
            ("yo", &["е", "ье", "йо"]),
            ("ye", &["е", "ье", "э"]),
            ("ee", &["и"]),
            ("oo", &["у"]),
            ("ou", &["у", "оу", "ау"]),
            ("ai", &["ай", "эй", "аи"]),
            ("ay", &["ай", "эй"]),
            ("ei", &["ей", "эй", "ай", "еи"]),
            ("ey", &["ей", "эй"]),
            ("oi", &["ой", "ои"]),
            ("oy", &["ой"]),
            ("ll", &["лл", "ль", "л"]),
            ("ss", &["сс", "с"]),
            ("tt", &["тт", "т"]),
            ("pp", &["пп", "п"]),
            ("mm", &["мм", "м"]),
            ("nn", &["нн", "н"]),
            ("rr", &["рр", "р"]),
            ("ff", &["фф", "ф"]),
            ("dd", &["дд", "д"]),
            ("bb", &["бб", "б"]),
            ("gg", &["гг", "г"]),
            ("zz", &["цц", "зз", "ц"]),
        ];
        for (pattern, alts) in PATTERNS {
            if starts(c, i, pattern) {
                return Some((pattern.chars().count(), alts.to_vec()));
            }
        }
        let last = i + 1 == c.len();
        let alts: Piece = match c[i] {
            'a' => vec!["а", "э", "ей", "я"],
            'b' => vec!["б"],
            'c' => match c.get(i + 1) {
                Some('e' | 'i' | 'y') => vec!["с", "ц", "к"],
                _ => vec!["к", "ц", "с"],
            },
            'd' => vec!["д"],
            'e' if last && i > 1 => vec!["", "е", "и", "э"],
            'e' => vec!["е", "э", "и"],
            'f' => vec!["ф"],
            'g' => match c.get(i + 1) {
                Some('e' | 'i' | 'y') => vec!["г", "дж", "ж"],
                _ => vec!["г"],
            },
            'h' => vec!["х", "г", ""],
            'i' => vec!["и", "ай", "ы", "ь"],
            'j' => vec!["дж", "й", "ж"],
            'k' => vec!["к"],
            'l' => vec!["л", "ль"],
            'm' => vec!["м"],
            'n' => vec!["н"],
            'o' => vec!["о", "а", "оу"],
            'p' => vec!["п"],
            'q' => vec!["к"],
            'r' => vec!["р"],
            's' => vec!["с", "з"],
            't' => vec!["т"],
            'u' => vec!["у", "ю", "а"],
            'v' => vec!["в"],
            'w' => vec!["в", "у"],
            'x' => vec!["кс", "х", "з"],
            'y' if i == 0 => vec!["й", "и", "ы"],
            'y' => vec!["ы", "и", "й", "ай"],
            'z' => vec!["з", "ц"],
            _ => return None,
        };
        Some((1, alts))
    };
    if !word.chars().any(|c| c.is_ascii_alphabetic()) || word.chars().any(is_cyrillic) {
        return Vec::new();
    }
    combine(&pieces(word, &table), cap)
}

/// The sounds of a word in one alphabet shared by both scripts: vowels `a e i o u`, `Z` for
/// "ж", `C` for "ч", `S` for "ш"/"щ", `c` for "ц", the other consonants as Latin letters; a
/// doubled sound counts once. A Russian word has one reading; a Latin word up to `cap`, most
/// likely first.
pub fn sounds(word: &str, cap: usize) -> Vec<String> {
    if word.chars().any(is_cyrillic) {
        let mut s = String::new();
        let chars: Vec<char> = word.chars().collect();
        let mut i = 0;
        while i < chars.len() {
            let c = chars[i];
            if c == 'д' && chars.get(i + 1) == Some(&'ж') {
                s.push_str("dZ");
                i += 2;
                continue;
            }
            s.push_str(match c {
                'а' => "a",
                'б' => "b",
                'в' => "v",
                'г' => "g",
                'д' => "d",
                'е' | 'э' => "e",
                'ё' => "io",
                'ж' => "Z",
                'з' => "z",
                'и' | 'й' | 'ы' => "i",
                'к' => "k",
                'л' => "l",
                'м' => "m",
                'н' => "n",
                'о' => "o",
                'п' => "p",
                'р' => "r",
                'с' => "s",
                'т' => "t",
                'у' => "u",
                'ф' => "f",
                'х' => "h",
                'ц' => "c",
                'ч' => "C",
                'ш' | 'щ' => "S",
                'ю' => "iu",
                'я' => "ia",
                _ => "",
            });
            i += 1;
        }
        return vec![undouble(&s)];
    }
    let table = |c: &[char], i: usize| -> Option<(usize, Piece)> {
        const PATTERNS: &[(&str, &[&str])] = &[
            ("sch", &["S"]),
            ("tch", &["C"]),
            ("sh", &["S"]),
            ("ch", &["C", "S", "k", "h"]),
            ("zh", &["Z"]),
            ("kh", &["h"]),
            ("ph", &["f"]),
            ("th", &["t", "s", "z"]),
            ("ck", &["k"]),
            ("qu", &["kv", "k"]),
            ("ts", &["c", "ts"]),
            ("tz", &["c", "ts"]),
            ("gh", &["", "g"]),
            ("oo", &["u"]),
            ("ee", &["i"]),
            ("ea", &["i", "e", "ia"]),
            ("ou", &["u", "o", "au"]),
            ("ai", &["ei", "ai", "e"]),
            ("ay", &["ei", "ai", "e"]),
            ("ei", &["ei", "ai", "i"]),
            ("ey", &["ei", "ai", "i"]),
            ("ie", &["i", "ai", "ie"]),
            ("au", &["o", "au"]),
            ("aw", &["o"]),
            ("ow", &["ou", "o", "au"]),
            ("oa", &["o"]),
            ("ue", &["u", "iu"]),
        ];
        for (pattern, alts) in PATTERNS {
            if starts(c, i, pattern) {
                return Some((pattern.chars().count(), alts.to_vec()));
            }
        }
        let next = c.get(i + 1).copied();
        let last = i + 1 == c.len();
        let alts: Piece = match c[i] {
            'a' => vec!["a", "e", "ei", "o"],
            'b' => vec!["b"],
            'c' if matches!(next, Some('e' | 'i' | 'y')) => vec!["s", "c", "k"],
            'c' => vec!["k", "c", "s"],
            'd' => vec!["d"],
            'e' if last && i > 1 => vec!["", "e", "i"],
            'e' => vec!["e", "i", ""],
            'f' => vec!["f"],
            'g' if matches!(next, Some('e' | 'i' | 'y')) => vec!["g", "dZ", "Z"],
            'g' => vec!["g"],
            'h' => vec!["h", ""],
            'i' => vec!["i", "ai"],
            'j' => vec!["dZ", "i", "Z"],
            'k' => vec!["k"],
            'l' => vec!["l"],
            'm' => vec!["m"],
            'n' => vec!["n"],
            'o' => vec!["o", "a", "ou"],
            'p' => vec!["p"],
            'q' => vec!["k"],
            'r' => vec!["r"],
            's' => vec!["s", "z"],
            't' => vec!["t"],
            'u' => vec!["u", "a", "iu"],
            'v' => vec!["v"],
            'w' => vec!["v", "u"],
            'x' if i == 0 => vec!["s", "z", "ks"],
            'x' => vec!["ks"],
            'y' => vec!["i", "ai"],
            'z' => vec!["z", "c"],
            _ => return None,
        };
        Some((1, alts))
    };
    let mut out: Vec<String> = Vec::new();
    for s in combine(&pieces(word, &table), cap) {
        let s = undouble(&s);
        if !out.contains(&s) {
            out.push(s);
        }
    }
    out
}

/// The sound string with every run of one sound counted once ("eppl" → "epl").
fn undouble(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut last = None;
    for c in s.chars() {
        if Some(c) != last {
            out.push(c);
        }
        last = Some(c);
    }
    out
}

/// The consonants of a sound string: what two readings of one name must share.
pub fn skeleton(sound: &str) -> String {
    sound.chars().filter(|c| !matches!(c, 'a' | 'e' | 'i' | 'o' | 'u')).collect()
}

/// Levenshtein distance of two short strings.
pub(crate) fn distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    let mut cur = vec![0; b.len() + 1];
    for i in 1..=a.len() {
        cur[0] = i;
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            cur[j] = (prev[j] + 1).min(cur[j - 1] + 1).min(prev[j - 1] + cost);
        }
        std::mem::swap(&mut prev, &mut cur);
    }
    prev[b.len()]
}

/// How far apart two sound strings are as readings of one name: `None` when their consonants
/// differ or their vowels differ by more than one sound (none at all for names of three
/// sounds or fewer, where one vowel is most of the word).
pub fn sound_distance(a: &str, b: &str) -> Option<usize> {
    let skel = skeleton(a);
    if skel.is_empty() || skel != skeleton(b) {
        return None;
    }
    let d = distance(a, b);
    let allowed = if a.chars().count().min(b.chars().count()) <= 3 { 0 } else { 1 };
    (d <= allowed).then_some(d)
}

#[cfg(test)]
mod tests {
    use rstest::rstest;

    use super::*;

    /// The brands of the demo catalog as Russians write them.
    #[rstest]
    #[case("найк", "nike")]
    #[case("самсунг", "samsung")]
    #[case("адидас", "adidas")]
    #[case("пума", "puma")]
    #[case("асикс", "asics")]
    #[case("юникло", "uniqlo")]
    #[case("бифри", "befree")]
    #[case("эппл", "apple")]
    #[case("сяоми", "xiaomi")]
    #[case("хонор", "honor")]
    #[case("леново", "lenovo")]
    #[case("асус", "asus")]
    #[case("бош", "bosch")]
    #[case("хайер", "haier")]
    #[case("тефаль", "tefal")]
    #[case("ронделл", "rondell")]
    #[case("макита", "makita")]
    #[case("девольт", "dewalt")]
    #[case("мишлен", "michelin")]
    #[case("нокиан", "nokian")]
    #[case("кордиант", "cordiant")]
    #[case("лореаль", "loreal")]
    #[case("хед", "head")]
    #[case("шолдерс", "shoulders")]
    #[case("натура", "natura")]
    #[case("сиберика", "siberica")]
    #[case("айфон", "iphone")]
    #[case("гэлакси", "galaxy")]
    #[case("макбук", "macbook")]
    fn russian_renderings_sound_like_the_brand(#[case] russian: &str, #[case] latin: &str) {
        let ru = &sounds(russian, 1)[0];
        let best = sounds(latin, 256).iter().filter_map(|s| sound_distance(ru, s)).min();
        assert!(best.is_some(), "{russian} ({ru}) vs {latin}: {:?}", sounds(latin, 12));
    }

    #[rstest]
    #[case("найк", "nokia")]
    #[case("бош", "bork")]
    #[case("пума", "puff")]
    #[case("асус", "amazon")]
    #[case("холодильник", "haier")]
    fn other_names_do_not(#[case] russian: &str, #[case] latin: &str) {
        let ru = &sounds(russian, 1)[0];
        assert!(sounds(latin, 256).iter().all(|s| sound_distance(ru, s).is_none()), "{russian} vs {latin}");
    }

    #[rstest]
    #[case("гэлакси", "galaxy")]
    #[case("айфон", "iphone")]
    #[case("найк", "nike")]
    #[case("редми", "redmi")]
    #[case("ультрабуст", "ultraboost")]
    #[case("пегасус", "pegasus")]
    #[case("суперстар", "superstar")]
    #[case("оверсайз", "oversize")]
    #[case("макбук", "macbook")]
    #[case("эйр", "air")]
    #[case("макс", "max")]
    fn latin_spellings_include_the_real_one(#[case] russian: &str, #[case] latin: &str) {
        let all = latin_spellings(russian, 400);
        assert!(all.iter().any(|s| s == latin), "{russian}: {:?}", &all[..all.len().min(20)]);
    }

    #[rstest]
    #[case("krossovki", "кроссовки")]
    #[case("atlant", "атлант")]
    #[case("interskol", "интерскол")]
    #[case("kholodilnik", "холодильник")]
    #[case("shampun", "шампун")]
    #[case("adidas", "адидас")]
    fn cyrillic_spellings_include_the_real_one(#[case] latin: &str, #[case] russian: &str) {
        let all = cyrillic_spellings(latin, 400);
        assert!(all.iter().any(|s| s == russian), "{latin}: {:?}", &all[..all.len().min(20)]);
    }

    #[test]
    fn spellings_are_bounded_and_most_likely_first() {
        assert_eq!(latin_spellings("макс", 1), ["max"]);
        assert_eq!(cyrillic_spellings("max", 1), ["макс"]);
        assert!(latin_spellings("аааааааааааааааааааааааааааааааааааааааааа", 50).len() <= 50);
        assert!(latin_spellings("nike", 10).is_empty(), "Latin has no Latin spelling to find");
        assert!(cyrillic_spellings("найк", 10).is_empty());
    }

    #[test]
    fn distance_counts_edits() {
        assert_eq!(distance("kitten", "sitting"), 3);
        assert_eq!(distance("", "abc"), 3);
        assert_eq!(distance("naik", "naik"), 0);
    }
}
