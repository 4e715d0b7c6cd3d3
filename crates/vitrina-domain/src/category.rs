//! The seller's own category tree.

use serde::{Deserialize, Serialize};

use crate::ids::CategoryId;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Category {
    pub id: CategoryId,
    pub parent: Option<CategoryId>,
    pub name: String,
}

/// A category path such as `Обувь / Кроссовки / Мужские`, root first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CategoryPath(pub Vec<String>);

impl CategoryPath {
    /// Splits `A / B / C`, `A > B > C` or `A\B\C`; empty segments are dropped.
    pub fn parse(s: &str) -> Self {
        let sep = if s.contains('>') {
            '>'
        } else if s.contains('/') {
            '/'
        } else {
            '\\'
        };
        CategoryPath(s.split(sep).map(crate::text::squash_spaces).filter(|p| !p.is_empty()).collect())
    }

    pub fn display(&self) -> String {
        self.0.join(" / ")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_paths_with_any_separator() {
        assert_eq!(CategoryPath::parse("Обувь > Кроссовки >  Мужские ").0, ["Обувь", "Кроссовки", "Мужские"]);
        assert_eq!(CategoryPath::parse("Дом/Кухня").display(), "Дом / Кухня");
        assert!(CategoryPath::parse(" / ").0.is_empty());
    }
}
