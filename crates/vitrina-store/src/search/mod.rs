//! Full-text search with Russian and English word forms.
//!
//! SQLite's `unicode61` tokenizer knows no Russian morphology, so words are stemmed here, in
//! Rust, both when a product is indexed and when a query is parsed (Snowball stemmers): the
//! index holds stems, and "кроссовок", "кроссовки" and "кроссовкам" meet at "кроссовк".
//! Queries match stems as prefixes, which also serves type-ahead ("крос" finds "кроссовки").

pub(crate) mod index;
mod query;
mod stem;

pub use query::{MatchExpr, match_expression};
pub use stem::{SearchText, Stems};
