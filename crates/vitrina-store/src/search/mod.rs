//! Full-text search with Russian and English word forms, forgiving of how people type.
//!
//! SQLite's `unicode61` tokenizer knows no Russian morphology, so words are stemmed here, in
//! Rust, both when a product is indexed and when a query is parsed (Snowball stemmers): the
//! index holds stems, and "кроссовок", "кроссовки" and "кроссовкам" meet at "кроссовк".
//! Queries match stems as prefixes, which also serves type-ahead ("крос" finds "кроссовки");
//! a query of one letter is answered from the newest titles (`letter.rs`).
//!
//! A query that finds nothing is read again as typed with the other keyboard layout on
//! (`layout.rs`), with names in the other alphabet (`translit.rs`, the catalog's brands in
//! `vocab.rs`) and with one letter wrong (`typo.rs`), each checked against the index's own
//! terms (`correct.rs`). Nothing beside the index is stored for it.

mod correct;
pub(crate) mod index;
pub(crate) mod layout;
pub(crate) mod letter;
pub(crate) mod postings;
pub(crate) mod query;
mod stem;
pub(crate) mod translit;
pub(crate) mod typo;
pub(crate) mod vocab;

pub(crate) use correct::correct;
pub use correct::{Change, ChangeKind, Correction};
pub use query::{MatchExpr, match_expression, single_letter};
pub use stem::{INITIAL_MARK, SearchText, Stems};
