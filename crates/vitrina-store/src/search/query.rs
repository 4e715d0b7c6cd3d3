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
    let mut terms = Vec::new();
    let all: Vec<String> = words(query).collect();
    for (i, word) in all.iter().enumerate() {
        let last = i + 1 == all.len();
        let stem = stems.stem(word);
        let mut alternatives = vec![stem.clone()];
        if let Some(v) = without_fleeting_vowel(&stem) {
            alternatives.push(v);
        }
        // A one-letter prefix matches most of the catalog and says little, and so does a
        // number ("15" would find 150, 1500, 15.6): match them whole unless still being typed.
        let number = stem.chars().all(|c| c.is_ascii_digit());
        // A last letter after other words ("кроссовки n") is someone typing: a prefix then.
        let typing = last && all.len() > 1 && !number;
        let prefix = if (stem.chars().count() > 1 || typing) && (!number || last) { "*" } else { "" };
        let alts: Vec<String> = alternatives.iter().map(|a| format!("\"{a}\"{prefix}")).collect();
        terms.push(if alts.len() == 1 { alts[0].clone() } else { format!("({})", alts.join(" OR ")) });
    }
    (!terms.is_empty()).then(|| MatchExpr(terms.join(" AND ")))
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
        assert_eq!(match_expression("a", &mut s).unwrap().0, "\"a\"");
        assert_eq!(match_expression("кроссовки n", &mut s).unwrap().0, "\"кроссовк\"* AND \"n\"*");
        assert_eq!(
            match_expression("iphone 15 pro 256", &mut s).unwrap().0,
            "\"iphon\"* AND \"15\" AND \"pro\"* AND \"256\"*"
        );
    }
}
