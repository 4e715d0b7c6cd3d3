//! A person's query → an FTS5 match expression over stems.

use super::stem::{Stems, without_fleeting_vowel, words};

/// An FTS5 MATCH expression built only from quoted stems, so user input can never inject
/// query syntax.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MatchExpr(pub String);

/// Every word must match (AND); each word matches its stem as a prefix, plus the form with a
/// fleeting vowel dropped ("кроссовок" → "кроссовк", "носок" → "носк"), since Snowball leaves
/// the genitive plural with its vowel. Returns `None` for a query with no words.
pub fn match_expression(query: &str, stems: &mut Stems) -> Option<MatchExpr> {
    let all: Vec<String> = words(query).collect();
    let terms = word_terms(&all, stems);
    (!terms.is_empty()).then(|| MatchExpr(terms.join(" AND ")))
}

/// The term each word of a query contributes to its match expression, in order.
pub(crate) fn word_terms(all: &[String], stems: &mut Stems) -> Vec<String> {
    let mut terms = Vec::with_capacity(all.len());
    for (i, word) in all.iter().enumerate() {
        let last = i + 1 == all.len();
        let stem = stems.stem(word);
        let mut alternatives = vec![stem.clone()];
        if let Some(v) = without_fleeting_vowel(&stem) {
            alternatives.push(v);
        }
        // A number matches whole unless still being typed ("15" would find 150, 1500, 15.6),
        // and so does a one-letter word among others ("класс a++", "l'oreal") unless it is the
        // last, being typed ("кроссовки n"). A query of one letter lists the products with a
        // word starting with it.
        let number = stem.chars().all(|c| c.is_ascii_digit());
        let typing = last && !number;
        let prefix = if (stem.chars().count() > 1 || typing) && (!number || last) { "*" } else { "" };
        let alts: Vec<String> = alternatives.iter().map(|a| format!("\"{a}\"{prefix}")).collect();
        terms.push(if alts.len() == 1 { alts[0].clone() } else { format!("({})", alts.join(" OR ")) });
    }
    terms
}

/// One term of a match expression: its token, and whether any term starting with it matches.
pub(crate) type Term = (String, bool);

/// A match expression as this module writes it — groups joined by `AND`, each one quoted term
/// or several joined by `OR` in parentheses — read back into its terms; `None` for anything
/// else (a column filter, a phrase of several tokens, FTS5 syntax), which only FTS5 answers.
pub(crate) fn conjunction(expr: &str) -> Option<Vec<Vec<Term>>> {
    expr.split(" AND ")
        .map(|group| match group.strip_prefix('(').and_then(|g| g.strip_suffix(')')) {
            Some(inner) => inner.split(" OR ").map(quoted_term).collect(),
            None => quoted_term(group).map(|t| vec![t]),
        })
        .collect()
}

/// `"token"` or `"token"*`, where the token is one token of the index's `ascii` tokenizer: ASCII
/// letters and digits (folded to lower case, as the tokenizer does) and any other character.
fn quoted_term(s: &str) -> Option<Term> {
    let (inner, prefix) = match s.strip_suffix('*') {
        Some(rest) => (rest, true),
        None => (s, false),
    };
    let token = inner.strip_prefix('"')?.strip_suffix('"')?;
    let one_token = !token.is_empty() && token.chars().all(|c| !c.is_ascii() || c.is_ascii_alphanumeric());
    one_token.then(|| (token.to_ascii_lowercase(), prefix))
}

/// The letter of a query that is one letter and nothing else ("к", "N"), lower-cased.
pub fn single_letter(query: &str) -> Option<char> {
    let mut all = words(query);
    let word = all.next()?;
    let mut chars = word.chars();
    let letter = chars.next()?;
    (chars.next().is_none() && all.next().is_none() && letter.is_alphabetic()).then_some(letter)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builds_prefix_terms_with_fleeting_vowel_alternatives() {
        let mut s = Stems::new();
        let e = match_expression("Кроссовок NIKE", &mut s).unwrap();
        assert_eq!(e.0, "(\"кроссовок\"* OR \"кроссовк\"*) AND \"nike\"*");
        assert_eq!(match_expression("  \"*) - (", &mut s), None);
        assert_eq!(match_expression("OR", &mut s).unwrap().0, "\"or\"*");
        assert_eq!(match_expression("a", &mut s).unwrap().0, "\"a\"*");
        assert_eq!(match_expression("5", &mut s).unwrap().0, "\"5\"");
        assert_eq!(match_expression("кроссовки n", &mut s).unwrap().0, "\"кроссовк\"* AND \"n\"*");
        assert_eq!(match_expression("класс a++", &mut s).unwrap().0, "\"класс\"* AND \"a\"*");
        assert_eq!(match_expression("l oreal", &mut s).unwrap().0, "\"l\" AND \"oreal\"*");
        assert_eq!(
            match_expression("iphone 15 pro 256", &mut s).unwrap().0,
            "\"iphon\"* AND \"15\" AND \"pro\"* AND \"256\"*"
        );
    }

    #[test]
    fn a_conjunction_is_read_back_into_its_terms() {
        let mut s = Stems::new();
        let e = match_expression("Кроссовок 42 NIKE", &mut s).unwrap();
        let t = |x: &str, p: bool| (x.to_string(), p);
        assert_eq!(
            conjunction(&e.0).unwrap(),
            vec![
                vec![t("кроссовок", true), t("кроссовк", true)],
                vec![t("42", false)],
                vec![t("nike", true)]
            ]
        );
        assert_eq!(conjunction("\"§к\"").unwrap(), vec![vec![t("§к", false)]]);
        assert_eq!(conjunction("\"ABC\"*").unwrap(), vec![vec![t("abc", true)]]);
        for other in
            ["{title} : \"к\"*", "\"a b\"", "\"a-b\"", "\"\"", "a", "\"a\" OR \"b\"", "NEAR(\"a\")", "(\"a\""]
        {
            assert_eq!(conjunction(other), None, "{other}");
        }
    }

    #[test]
    fn a_query_of_one_letter_is_told_apart() {
        assert_eq!(single_letter(" К "), Some('к'));
        assert_eq!(single_letter("n"), Some('n'));
        assert_eq!(single_letter("Ё"), Some('е'));
        assert_eq!(single_letter("5"), None);
        assert_eq!(single_letter("кр"), None);
        assert_eq!(single_letter("к n"), None);
        assert_eq!(single_letter("*"), None);
    }
}
