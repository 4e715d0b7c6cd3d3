//! Text typed with the other keyboard layout on: "rhjccjdrb" is "кроссовки" typed on the
//! Russian ЙЦУКЕН keys with the English layout active, "тшлу" is "nike" the other way round.
//!
//! The mapping is of keys, so it covers the keys that carry a Russian letter but a punctuation
//! mark in English (`,` is "б", `;` is "ж", `[` is "х"…): a query is switched per
//! whitespace-separated token, before it is split into words.

/// (English key, Russian key) for every key whose meaning differs, lower and upper case.
const KEYS: &[(char, char)] = &[
    ('q', 'й'),
    ('w', 'ц'),
    ('e', 'у'),
    ('r', 'к'),
    ('t', 'е'),
    ('y', 'н'),
    ('u', 'г'),
    ('i', 'ш'),
    ('o', 'щ'),
    ('p', 'з'),
    ('[', 'х'),
    (']', 'ъ'),
    ('a', 'ф'),
    ('s', 'ы'),
    ('d', 'в'),
    ('f', 'а'),
    ('g', 'п'),
    ('h', 'р'),
    ('j', 'о'),
    ('k', 'л'),
    ('l', 'д'),
    (';', 'ж'),
    ('\'', 'э'),
    ('z', 'я'),
    ('x', 'ч'),
    ('c', 'с'),
    ('v', 'м'),
    ('b', 'и'),
    ('n', 'т'),
    ('m', 'ь'),
    (',', 'б'),
    ('.', 'ю'),
    ('`', 'ё'),
    ('{', 'Х'),
    ('}', 'Ъ'),
    (':', 'Ж'),
    ('"', 'Э'),
    ('<', 'Б'),
    ('>', 'Ю'),
    ('~', 'Ё'),
];

fn to_russian(c: char) -> Option<char> {
    let lower = c.to_ascii_lowercase();
    let (_, ru) = KEYS.iter().find(|(en, _)| *en == lower)?;
    Some(if c.is_ascii_uppercase() { ru.to_uppercase().next().unwrap_or(*ru) } else { *ru })
}

fn to_english(c: char) -> Option<char> {
    let lower = c.to_lowercase().next().unwrap_or(c);
    let (en, _) = KEYS.iter().find(|(_, ru)| *ru == lower || *ru == c)?;
    Some(if c != lower && en.is_ascii_alphabetic() { en.to_ascii_uppercase() } else { *en })
}

/// The token as it would have come out with the other layout on, when it was typed entirely
/// in one of them: Latin letters and the punctuation of Russian keys become Russian, Russian
/// letters become Latin. Digits and other characters stay. `None` for a token that mixes
/// scripts, has no letter, or has no letter the switch would change.
pub fn switch(token: &str) -> Option<String> {
    let latin = token.chars().any(|c| c.is_ascii_alphabetic());
    let cyrillic = token.chars().any(super::stem::is_cyrillic);
    match (latin, cyrillic) {
        (true, false) => Some(token.chars().map(|c| to_russian(c).unwrap_or(c)).collect()),
        (false, true) => {
            // A Russian letter with no English letter on its key ("ё" is "`") still switches,
            // but a token must gain at least one Latin letter to be worth searching.
            let switched: String = token.chars().map(|c| to_english(c).unwrap_or(c)).collect();
            switched.chars().any(|c| c.is_ascii_alphabetic()).then_some(switched)
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use rstest::rstest;

    use super::*;

    #[rstest]
    #[case::russian_typed_as_english("rhjccjdrb", "кроссовки")]
    #[case::with_comma_for_be("yjen,er", "ноутбук")]
    #[case::with_semicolon_and_backtick(";`knsq", "жёлтый")]
    #[case::brackets_and_quote("[jkjlbkmybr", "холодильник")]
    #[case::upper_case("RHJCCJDRB", "КРОССОВКИ")]
    #[case::digits_stay("ctqa123", "сейф123")]
    #[case::english_typed_as_russian("тшлу", "nike")]
    #[case::brand("ыфьыгтп", "samsung")]
    #[case::russian_punctuation_keys("ифдфтсу", "balance")]
    #[case::model_with_digits("шзрщту15", "iphone15")]
    fn switches_layout(#[case] typed: &str, #[case] meant: &str) {
        assert_eq!(switch(typed).as_deref(), Some(meant));
    }

    #[rstest]
    #[case::mixed_scripts("nikeкроссовки")]
    #[case::no_letters("12345")]
    #[case::punctuation_only(",.;")]
    #[case::empty("")]
    fn leaves_alone(#[case] typed: &str) {
        assert_eq!(switch(typed), None);
    }

    #[test]
    fn switching_twice_gives_the_token_back() {
        for word in ["кроссовки", "холодильник", "объём", "жёлтый", "эспрессо"]
        {
            let english = switch(word).unwrap();
            assert_eq!(switch(&english).as_deref(), Some(word), "{word} → {english}");
        }
    }
}
