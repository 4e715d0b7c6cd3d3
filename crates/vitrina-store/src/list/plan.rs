//! How one filtered, sorted list is read: which index drives it.
//!
//! SQLite's planner picks from sampled statistics and cannot know that a brand clusters in
//! price (every Apple product is expensive: walking the price index from the cheapest end
//! passes most of the catalog before the first one). So the list decides, from capped counts:
//!
//! - a filter that keeps few rows (a text, a supplier, a status, a price range, out of stock:
//!   at most [`SMALL`]) is **collected** through its own index and the page kept in sort order
//!   (a lookup of each row);
//! - a brand or category is read from its index, which carries every sort key and the status
//!   (migration 0009): **in order** when sorted by name, else **collected** from the index
//!   alone, a few milliseconds for a hundred thousand entries;
//! - anything else: the sort index is **walked** and rows failing the filter skipped. The name
//!   index carries price, stock and status, so a walk in name order reads no row for those
//!   filters nor for a text (tested by rid against the set of its matches, `text_set.rs`): a tenth of a microsecond an entry, against a few
//!   microseconds a lookup, so walking past a hundred thousand entries costs less than
//!   collecting a few thousand rows. Walks of the price, stock and date indexes read the rows
//!   they test, within a budget (`read.rs`).
//!
//! Each filter is written two ways: plainly, so that its index can drive the query, and as
//! `+column`, which keeps SQLite off that index when another one drives.

use rusqlite::types::Value;

use super::{Filter, SortKey};
use crate::catalog::Catalog;
use crate::error::Result;
use crate::search::{INITIAL_MARK, MatchExpr, Stems, index, match_expression, single_letter};

/// A filter keeping at most this many rows is collected through its own index: a lookup of
/// each row in the table costs a few milliseconds in all. (A walk to fill a page of a filter
/// keeping a thousand rows of a million reads some fifty thousand index entries: about as
/// much.)
pub(crate) const SMALL: u64 = 1_000;

/// A category with at most this many subcategories (itself included) is read in name order by
/// merging theirs; one with more is collected from its index and sorted.
const MERGED: usize = 12;

/// With a text, a filter is collected when reading its index entries (35 ns each, the text
/// tested by rid before any row is read) and the rows expected to match the text too (about a
/// microsecond each, read to sort the page: [`COLLECTED_ROW`] entries) costs at most this many
/// entries, some 7 ms; it is counted no further. A walk in another order may meet the text's
/// products only in one stretch of it: on the 1M catalog, a price range of 106 000 products
/// with "bosch 12" (5 536 of them) collects in 8.4 ms in name order, where the walk of the name
/// index met them past 500 000 names, in 60–70 ms.
const TEXT_COLLECT: u64 = 200_000;

/// What a collected row costs against an entry of its filter's index tested by rid (1 µs
/// against 35 ns).
const COLLECTED_ROW: u64 = 25;

/// With one letter, a filter keeping at most this many rows is collected and the letter tested
/// on each row (a microsecond a row): a walk in another order reads rows until fifty have the
/// letter, all of the filter's when few of them do, past a million index entries.
const LETTER_ROWS: u64 = 20_000;

/// What reading a product's row costs, in index entries read: 4–5 µs on the 1M catalog (its
/// page found in the cache, its record decoded) against a tenth of a microsecond.
pub(crate) const ROW_COST: u64 = 40;

/// The index a list is read through.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Access {
    /// The sort key's own index, rows failing the filter skipped, for at most a budget of
    /// entries (`read.rs`).
    Walk,
    /// The same without a budget: nothing narrower can read the list.
    WalkAll,
    /// Brand or one category sorted by name: its index is in that order.
    Ordered(Term),
    /// Every row the term keeps, through its index; the page kept in sort order.
    Collect(Term),
    /// A category with a few subcategories sorted by name: each one's index range is read in
    /// name order, and the pages merged (`read.rs`).
    Merged,
    /// A brand or category sorted by stock or date: the sort index walked, each row read to
    /// test the group, for a first look; the group collected if its rows are few or cluster
    /// elsewhere in that order.
    Spread(Term),
}

/// The kinds of condition a filter is made of.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Term {
    Category,
    Brand,
    Supplier,
    Price,
    Stock,
    Status,
    /// Words, tested by rid against the set of their matches (`text_set.rs`).
    Text,
    /// One letter, tested on the words of the product's name (`name_key`, which the name,
    /// brand and category indexes carry).
    Letter,
}

impl Term {
    /// The index this term drives a query through, when it has one of its own.
    pub fn index(self) -> Option<&'static str> {
        match self {
            Term::Category => Some("products_by_category"),
            Term::Brand => Some("products_by_brand"),
            Term::Price => Some("products_by_price"),
            Term::Stock => Some("products_by_stock"),
            Term::Status => Some("products_by_status"),
            Term::Supplier | Term::Text | Term::Letter => None,
        }
    }

    /// The sort key whose index this term's column is.
    pub fn sort(self) -> Option<SortKey> {
        match self {
            Term::Price => Some(SortKey::Price),
            Term::Stock => Some(SortKey::Stock),
            _ => None,
        }
    }
}

/// One condition of a filter, written to drive a query and written to stay out of its way.
#[derive(Debug, Clone)]
pub(crate) struct Cond {
    pub term: Term,
    pub driving: String,
    pub passive: String,
    /// The arguments of `driving`.
    pub args: Vec<Value>,
    /// The arguments of `passive` (the same but for a letter, tested in another way).
    pub passive_args: Vec<Value>,
}

/// A filter as conditions; `nothing` when it can match no row (a text of punctuation only).
#[derive(Debug, Clone, Default)]
pub(crate) struct Conds {
    pub conds: Vec<Cond>,
    pub nothing: bool,
    /// The categories of a category filter with subcategories (empty for one category).
    pub subtree: Vec<i64>,
    /// A letter is tested by the set of its matches ([`Conds::letter_as_set`]).
    pub letter_by_set: bool,
}

impl Conds {
    /// WHERE terms and their arguments, with `driver` (if any) written to drive the query.
    pub fn sql(&self, driver: Option<Term>, sort: Option<SortKey>) -> (Vec<String>, Vec<Value>) {
        let mut terms = Vec::new();
        let mut args = Vec::new();
        if self.nothing {
            terms.push("0".to_string());
        }
        for c in &self.conds {
            // The sort key's own column may stay plain: the walk is on its index anyway.
            let plain = Some(c.term) == driver
                || (driver.is_none() && c.term.sort().is_some() && c.term.sort() == sort);
            if plain {
                terms.push(c.driving.clone());
                args.extend(c.args.iter().cloned());
            } else {
                terms.push(c.passive.clone());
                args.extend(c.passive_args.iter().cloned());
            }
        }
        (terms, args)
    }

    /// WHERE terms with every condition written plainly (for counts: SQLite picks).
    pub fn sql_all_driving(&self) -> (Vec<String>, Vec<Value>) {
        let mut terms: Vec<String> = self.conds.iter().map(|c| c.driving.clone()).collect();
        if self.nothing {
            terms.push("0".to_string());
        }
        (terms, self.conds.iter().flat_map(|c| c.args.iter().cloned()).collect())
    }

    pub(crate) fn get(&self, term: Term) -> Option<&Cond> {
        self.conds.iter().find(|c| c.term == term)
    }

    /// The letter condition tested by the set of its matches instead of on each row: a list
    /// read otherwise than by a walk would test every row of a category or brand.
    pub fn letter_as_set(&self) -> Conds {
        let mut out = self.clone();
        out.letter_by_set = self.has_letter();
        for c in &mut out.conds {
            if c.term == Term::Letter {
                // The set of the letter's initial is exact; a title word's prefix also holds
                // brand, model and SKU words: the name is tested on those.
                c.term = Term::Text;
                c.passive = format!("vitrina_text(?, p.rid) AND {}", c.passive);
                c.passive_args = c.args.clone();
            }
        }
        out
    }

    /// The same conditions with the category filter narrowed to one of its subcategories.
    pub fn one_category(&self, rid: i64) -> Conds {
        let mut out = self.clone();
        for c in &mut out.conds {
            if c.term == Term::Category {
                c.driving = "p.category_rid = ?".into();
                c.passive = "+p.category_rid = ?".into();
                c.args = vec![Value::Integer(rid)];
                c.passive_args = c.args.clone();
            }
        }
        out.subtree.clear();
        out
    }

    /// Whether the list has words to match (not one letter, whichever way it is tested).
    pub fn has_words(&self) -> bool {
        self.text().is_some() && !self.letter_by_set
    }

    /// Whether a letter is among the conditions (in a catalog indexed before migration 0011; in
    /// others a letter is the text of its initial's term).
    pub fn has_letter(&self) -> bool {
        self.get(Term::Letter).is_some()
    }

    /// The match expression of the words filter, if there is one.
    pub fn text(&self) -> Option<&str> {
        match self.get(Term::Text)?.args.first() {
            Some(Value::Text(expr)) => Some(expr),
            _ => None,
        }
    }
}

impl Catalog {
    /// The conditions of `f`.
    pub(crate) fn conds(&self, f: &Filter) -> Result<Conds> {
        let mut out = Conds::default();
        let mut subtree = Vec::new();
        let mut push = |term: Term, driving: String, passive: String, args: Vec<Value>| {
            out.conds.push(Cond { term, driving, passive, passive_args: args.clone(), args });
        };
        if let Some(id) = f.category {
            let (lo, hi) = self.subtree_range(id)?;
            let rids: Vec<i64> = self
                .db()
                .prepare_cached("SELECT rid FROM categories WHERE tree_path >= ?1 AND tree_path < ?2")?
                .query_map([lo, hi], |r| r.get(0))?
                .collect::<rusqlite::Result<_>>()?;
            // One category: an equality, so (category, name) serves pages in name order.
            match rids.as_slice() {
                [one] => push(
                    Term::Category,
                    "p.category_rid = ?".into(),
                    "+p.category_rid = ?".into(),
                    vec![Value::Integer(*one)],
                ),
                many => {
                    subtree = many.to_vec();
                    let list: Vec<String> = many.iter().map(i64::to_string).collect();
                    let list = list.join(", ");
                    push(
                        Term::Category,
                        format!("p.category_rid IN ({list})"),
                        format!("+p.category_rid IN ({list})"),
                        Vec::new(),
                    );
                }
            }
        }
        if let Some(brand) = f.brand.as_ref().filter(|b| !b.trim().is_empty()) {
            push(
                Term::Brand,
                "p.brand = ?".into(),
                "+p.brand = ?".into(),
                vec![Value::Text(brand.trim().into())],
            );
        }
        if let Some(s) = f.supplier {
            push(
                Term::Supplier,
                "p.rid IN (SELECT o.product_rid FROM supplier_offers o \
                 WHERE o.supplier_rid = (SELECT rid FROM suppliers WHERE id = ?))"
                    .into(),
                "EXISTS (SELECT 1 FROM supplier_offers o JOIN suppliers s ON s.rid = o.supplier_rid \
                 WHERE o.product_rid = p.rid AND s.id = ?)"
                    .into(),
                vec![Value::Blob(s.as_bytes().to_vec())],
            );
        }
        let range = match (f.price_min, f.price_max) {
            (Some(lo), Some(hi)) => {
                Some(("p.price BETWEEN ? AND ?", vec![Value::Integer(lo), Value::Integer(hi)]))
            }
            (Some(lo), None) => Some(("p.price >= ?", vec![Value::Integer(lo)])),
            (None, Some(hi)) => Some(("p.price <= ?", vec![Value::Integer(hi)])),
            (None, None) => None,
        };
        if let Some((sql, args)) = range {
            push(Term::Price, sql.into(), sql.replacen("p.price", "+p.price", 1), args);
        }
        match f.in_stock {
            Some(true) => push(Term::Stock, "p.stock > 0".into(), "+p.stock > 0".into(), Vec::new()),
            Some(false) => push(Term::Stock, "p.stock = 0".into(), "+p.stock = 0".into(), Vec::new()),
            None => {}
        }
        if let Some(status) = f.status {
            push(
                Term::Status,
                "p.status = ?".into(),
                "+p.status = ?".into(),
                vec![Value::Text(status.code().into())],
            );
        }
        if let Some(text) = f.text.as_deref() {
            let matches = "p.rid IN (SELECT rowid FROM products_fts WHERE products_fts MATCH ?)";
            // One letter: the products with a word of their name starting with it, tested on
            // the name the walked index carries. (A prefix of one letter over the index would
            // merge the lists of most of its terms; it drives a count, narrowed to the title.)
            if let Some(ch) = single_letter(text) {
                // Its set: the term of the letter's initial (migration 0011), a list of the
                // index like a word's, read as one (`text_set.rs`, `search::postings`).
                if index::has_initials(self.db())? {
                    let set = format!("\"{INITIAL_MARK}{ch}\"");
                    push(Term::Text, matches.into(), "vitrina_text(?, p.rid)".into(), vec![Value::Text(set)]);
                } else {
                    // An index without initials: the title's words starting with it, narrowed to
                    // the name's, or the name each entry read carries.
                    let letter = Value::Text(ch.to_string());
                    out.conds.push(Cond {
                        term: Term::Letter,
                        driving: format!("{matches} AND vitrina_initial(?, p.name_key)"),
                        passive: "vitrina_initial(?, p.name_key)".into(),
                        args: vec![Value::Text(format!("{{title}} : \"{ch}\"*")), letter.clone()],
                        passive_args: vec![letter],
                    });
                }
            } else {
                match match_expression(text, &mut Stems::new()) {
                    Some(MatchExpr(expr)) => push(
                        Term::Text,
                        matches.into(),
                        "vitrina_text(?, p.rid)".into(),
                        vec![Value::Text(expr)],
                    ),
                    None if !text.trim().is_empty() => out.nothing = true, // only punctuation
                    None => {}
                }
            }
        }
        out.subtree = subtree;
        Ok(out)
    }

    /// How many rows `term`'s own condition keeps, counted up to `cap`.
    fn count_term(&self, conds: &Conds, term: Term, cap: u64) -> Result<u64> {
        let Some(c) = conds.get(term) else { return Ok(u64::MAX) };
        if term == Term::Text
            && let Some(expr) = conds.text()
        {
            return Ok(self.text_set(expr)?.len().min(cap));
        }
        let indexed = term.index().map(|i| format!("INDEXED BY {i}")).unwrap_or_default();
        let sql = format!(
            "SELECT count(*) FROM (SELECT 1 FROM products p {indexed} WHERE {} LIMIT {cap})",
            c.driving
        );
        let n: i64 = self
            .db()
            .prepare_cached(&sql)?
            .query_row(rusqlite::params_from_iter(c.args.iter()), |r| r.get(0))?;
        Ok(n as u64)
    }

    /// Which index reads the list of `conds` in `sort` order. See the module documentation.
    pub(crate) fn plan(&self, conds: &Conds, sort: SortKey) -> Result<Access> {
        if conds.nothing {
            return Ok(Access::Walk);
        }
        // A small filter: collect it, the cheapest first. With a text, a filter is small when
        // few of its rows are expected to match the text too (its share of the catalog, as if
        // independent): its entries are tested against the text's set before any row is read,
        // so a few hundred thousand of them cost less than a walk that meets the text's
        // products only in one stretch of the sort order. With a letter, when the filter's rows
        // are few enough to test the letter on each.
        let share = self.text_share(conds)?;
        let letter = conds.has_letter();
        // (cost: index entries with a text, else rows; term)
        let mut best: Option<(u64, Term)> = None;
        for term in [Term::Text, Term::Supplier, Term::Status, Term::Price, Term::Stock] {
            let Some(c) = conds.get(term) else { continue };
            // In stock keeps most of a catalog, and a price range sorted by price is a walk.
            if c.driving == "p.stock > 0" || term.sort() == Some(sort) {
                continue;
            }
            let by_text = share.filter(|_| term != Term::Text);
            // (Counted no further than could still be cheap enough.)
            let (cap, most) = match by_text {
                Some(share) => {
                    ((TEXT_COLLECT as f64 / (1.0 + share * COLLECTED_ROW as f64)) as u64, u64::MAX)
                }
                // The text's own matches, a lookup each.
                None if term == Term::Text => (TEXT_COLLECT / COLLECTED_ROW, TEXT_COLLECT / COLLECTED_ROW),
                None if letter => (LETTER_ROWS, SMALL),
                None => (SMALL, SMALL),
            };
            let n = self.count_term(conds, term, cap + 1)?;
            let e = match by_text {
                Some(share) => (n as f64 * share).ceil() as u64,
                None if letter => n.min(SMALL),
                None => n,
            };
            // (With a text, in index entries: the text's own rows cost a lookup each.)
            let cost = match (by_text, share) {
                (Some(_), _) => n.saturating_add(e.saturating_mul(COLLECTED_ROW)),
                (None, Some(_)) => e.saturating_mul(COLLECTED_ROW),
                (None, None) => e,
            };
            if n <= cap && e <= most && best.is_none_or(|(b, _)| cost < b) {
                best = Some((cost, term));
            }
        }
        let group = match (conds.get(Term::Brand), conds.get(Term::Category)) {
            (Some(_), Some(_)) => {
                // Both: the smaller drives, counted on their indexes alone, each only as far as
                // it takes to tell which is smaller (a top category's 230 000 entries take 35 ms
                // to count whole; the brand beside it may have a few thousand).
                let mut cap = 10_000;
                loop {
                    let brand = self.count_term(conds, Term::Brand, cap)?;
                    let category = self.count_term(conds, Term::Category, cap)?;
                    if brand < cap || category < cap || cap >= 1_000_000 {
                        break Some(if brand <= category { Term::Brand } else { Term::Category });
                    }
                    cap *= 10;
                }
            }
            (Some(_), None) => Some(Term::Brand),
            (None, Some(_)) => Some(Term::Category),
            (None, None) => None,
        };
        if let Some((n, term)) = best {
            // A group that costs less than the small filter drives instead (its index needs no
            // lookups: an entry each).
            let group_smaller = match group {
                Some(g) => self.count_term(conds, g, n)? < n,
                None => false,
            };
            if !group_smaller {
                return Ok(Access::Collect(term));
            }
        }
        Ok(match group {
            Some(g) if sort == SortKey::Name && self.group_in_name_order(conds, g) => Access::Ordered(g),
            Some(Term::Category) if sort == SortKey::Name && conds.subtree.len() <= MERGED => Access::Merged,
            // A group in date or stock order: a large one's rows come soon in a walk of the sort
            // index (each read to test the group, 1 µs in those orders, `read.rs`), where
            // collecting reads every entry of the group (0.15 µs each, 35 ms for a top category
            // of 230 000). A small group, or one that clusters in that order, is collected after
            // the walk's first look (1–2 ms; counting the group first cost more). In price
            // order groups do cluster, and rows cost 4–5 µs: collected at once.
            Some(g) if matches!(sort, SortKey::Updated | SortKey::Stock) => Access::Spread(g),
            Some(g) => Access::Collect(g),
            None => Access::Walk,
        })
    }

    /// What to collect through when a walk's budget ran out before its page filled: the term
    /// that is cheapest to read whole (a brand's or category's index needs no lookups; other
    /// terms' rows do). `None` when no term narrows the list (in stock alone).
    pub(crate) fn fallback(&self, conds: &Conds, access: Access) -> Result<Option<Term>> {
        Ok(self.fallback_costed(conds, access)?.map(|(t, _)| t))
    }

    /// [`Catalog::fallback`] with its cost, in index entries read (a row read counts as
    /// [`ROW_COST`] of them; a term is counted no further than 300 000).
    pub(crate) fn fallback_costed(&self, conds: &Conds, access: Access) -> Result<Option<(Term, u64)>> {
        const CAP: u64 = 300_000;
        let share = self.text_share(conds)?;
        let mut best: Option<(u64, Term)> = None;
        // Counting a letter's matches costs merging the lists of every word starting with it:
        // only when nothing else narrows. (A text's are counted in its set.)
        let others = conds.conds.iter().any(|c| c.term != Term::Letter && c.driving != "p.stock > 0");
        for c in &conds.conds {
            if c.driving == "p.stock > 0" || (c.term == Term::Letter && others) {
                continue;
            }
            let n = self.count_term(conds, c.term, CAP + 1)?;
            // Reading a row costs some forty index entries; with a text, only the entries
            // that match it are read (expected as if independent).
            let cost = match c.term {
                Term::Brand | Term::Category => n,
                Term::Text | Term::Letter => n.saturating_mul(ROW_COST),
                _ => match share {
                    Some(share) => n.saturating_add((n as f64 * share * ROW_COST as f64) as u64),
                    None => n.saturating_mul(ROW_COST),
                },
            };
            if best.is_none_or(|(b, _)| cost < b) {
                best = Some((cost, c.term));
            }
        }
        if let Access::Ordered(g) = access
            && best.is_none()
        {
            return Ok(Some((g, u64::MAX)));
        }
        Ok(best.map(|(cost, t)| (t, cost)))
    }

    /// The share of the catalog the text matches, if the list has one (its set is read).
    fn text_share(&self, conds: &Conds) -> Result<Option<f64>> {
        match conds.text() {
            Some(expr) => Ok(Some(self.text_set(expr)?.len() as f64 / self.rid_span()? as f64)),
            None => Ok(None),
        }
    }

    /// The products' rid span (the count of a catalog with no gaps): one seek, where a count
    /// reads the whole table.
    pub(crate) fn rid_span(&self) -> Result<u64> {
        let max: Option<i64> =
            self.db().prepare_cached("SELECT max(rid) FROM products")?.query_row([], |r| r.get(0))?;
        Ok(max.unwrap_or(0).max(1) as u64)
    }

    /// Whether `g`'s index lists its rows in name order: one brand, or one category (a
    /// subtree's categories are several ranges of the index).
    fn group_in_name_order(&self, conds: &Conds, g: Term) -> bool {
        conds.get(g).is_some_and(|c| !c.driving.contains(" IN ("))
    }
}
