//! A list's text as a set of rids, read from the search index once and kept until the catalog
//! changes.
//!
//! A list with a text and other filters is read through some index (the sort key's, a brand's,
//! a category's) and each entry tested against the text. Written as
//! `rid IN (SELECT rowid FROM products_fts WHERE … MATCH ?)`, SQLite reads every match into a
//! temporary b-tree for each statement: 40–100 ms for a broad word on a million products, again
//! for the next page, and again for the walk's count of what it read. Here the matches are read
//! once into a bitmap of rids (a bit a product, 125 KB for a million), kept in the connection's
//! memo for the pages, sorts and filters that follow, and tested by the SQL function
//! `vitrina_text(expression, rid)`: a few nanoseconds an entry. The set comes from the index's
//! pages (`search::postings`, 2–3 ms for 300 000 products) when the expression is quoted terms
//! joined by `AND` and `OR`, as `search::query` writes them, else from FTS5's `MATCH`.
//!
//! A one-letter text is one such term, its initial's (`§к`), in a catalog indexed since
//! migration 0011. In one indexed before, the letter is tested on the lower-cased name
//! (`vitrina_initial(letter, name_key)`) that the name, brand and category indexes carry: FTS5
//! answers a one-letter prefix by merging the lists of every term starting with it (80 ms for
//! "к"), while the name is at hand in the entry a walk reads; only a walk that finds the letter
//! too rarely reads the prefix's set (the title's words, narrowed to the name's; `read.rs`).

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use rusqlite::Connection;
use rusqlite::functions::{Aggregate, Context, FunctionFlags};

use crate::catalog::Catalog;
use crate::error::Result;
use crate::search::letter::name_has_initial;
pub(crate) use crate::search::postings::RidSet;
use crate::search::postings::matching as read_pages;

/// Sets kept at most (a person types a few texts between two changes of the catalog).
const KEPT: usize = 16;

/// The sets read so far, by match expression (shared with the SQL functions).
pub(crate) type TextSets = Arc<Mutex<HashMap<String, Arc<RidSet>>>>;

fn keep(sets: &TextSets, expr: &str, set: Arc<RidSet>) {
    if let Ok(mut sets) = sets.lock() {
        if sets.len() >= KEPT {
            sets.clear();
        }
        sets.insert(expr.to_string(), set);
    }
}

/// `vitrina_rids(expression, rowid)`, the aggregate that reads a text's matches into its set
/// (kept under the expression) inside SQLite's own loop: 35–40 % faster than stepping through
/// the rows one by one from here (306 000 matches: 30 → 19 ms).
struct ReadRids(TextSets);

impl Aggregate<(Option<String>, RidSet), i64> for ReadRids {
    fn init(&self, _: &mut Context<'_>) -> rusqlite::Result<(Option<String>, RidSet)> {
        Ok((None, RidSet::default()))
    }

    fn step(
        &self,
        ctx: &mut Context<'_>,
        (expr, set): &mut (Option<String>, RidSet),
    ) -> rusqlite::Result<()> {
        if expr.is_none() {
            *expr = Some(ctx.get::<String>(0)?);
        }
        set.insert(ctx.get_raw(1).as_i64().map_err(|e| rusqlite::Error::UserFunctionError(e.into()))?);
        Ok(())
    }

    fn finalize(&self, _: &mut Context<'_>, read: Option<(Option<String>, RidSet)>) -> rusqlite::Result<i64> {
        let Some((Some(expr), set)) = read else { return Ok(0) };
        let len = set.len() as i64;
        keep(&self.0, &expr, Arc::new(set));
        Ok(len)
    }
}

/// Registers `vitrina_text`, `vitrina_initial` and `vitrina_tick` on a catalog connection.
pub(crate) fn register(conn: &Connection, sets: TextSets, ticks: Arc<AtomicU64>) -> Result<()> {
    // `vitrina_tick(rid)`, true, counts the entries that reach it: the last condition of a
    // walk's step, it tells how many entries the step read without reading them again.
    // (Not deterministic: SQLite must call it for every entry.)
    conn.create_scalar_function(
        "vitrina_tick",
        1,
        FunctionFlags::SQLITE_UTF8 | FunctionFlags::SQLITE_DIRECTONLY,
        move |_| {
            ticks.fetch_add(1, Ordering::Relaxed);
            Ok(true)
        },
    )?;
    let flags =
        FunctionFlags::SQLITE_UTF8 | FunctionFlags::SQLITE_DETERMINISTIC | FunctionFlags::SQLITE_DIRECTONLY;
    conn.create_aggregate_function(
        "vitrina_rids",
        2,
        FunctionFlags::SQLITE_UTF8 | FunctionFlags::SQLITE_DIRECTONLY,
        ReadRids(sets.clone()),
    )?;
    conn.create_scalar_function("vitrina_text", 2, flags, move |ctx| {
        // The expression is the same for every row of a statement: SQLite keeps its set.
        let set = ctx.get_or_create_aux(0, |expr| -> std::result::Result<Arc<RidSet>, String> {
            let expr = expr.as_str().map_err(|e| e.to_string())?;
            let sets = sets.lock().map_err(|_| "the text sets' lock is poisoned".to_string())?;
            sets.get(expr).cloned().ok_or_else(|| format!("no rid set was read for {expr:?}"))
        })?;
        Ok(set.contains(ctx.get::<i64>(1)?))
    })?;
    conn.create_scalar_function("vitrina_initial", 2, flags, |ctx| {
        // (Read in place: the function runs for every entry a walk or collection reads.)
        let Some(letter) = ctx.get_raw(0).as_str().ok().and_then(|l| l.chars().next()) else {
            return Ok(false);
        };
        Ok(name_has_initial(ctx.get_raw(1).as_str().unwrap_or_default(), letter))
    })?;
    Ok(())
}

impl Catalog {
    /// The rids `expr` matches, read from the search index unless kept since the catalog last
    /// changed (the caller refreshed the memo).
    pub(crate) fn text_set(&self, expr: &str) -> Result<Arc<RidSet>> {
        if let Some(set) = self.memo.texts.lock().ok().and_then(|s| s.get(expr).cloned()) {
            return Ok(set);
        }
        if let Some(set) = read_pages(self.db(), expr)? {
            let set = Arc::new(set);
            keep(&self.memo.texts, expr, set.clone());
            return Ok(set);
        }
        let read: i64 = self
            .db()
            .prepare_cached("SELECT vitrina_rids(?1, rowid) FROM products_fts WHERE products_fts MATCH ?1")?
            .query_row([expr], |r| r.get(0))?;
        let kept = self.memo.texts.lock().ok().and_then(|s| s.get(expr).cloned());
        match kept {
            Some(set) => Ok(set),
            // No match: the aggregate saw no row, so no expression to keep the set under.
            None if read == 0 => {
                let set = Arc::new(RidSet::default());
                keep(&self.memo.texts, expr, set.clone());
                Ok(set)
            }
            None => Err(rusqlite::Error::UserFunctionError("the text sets' lock is poisoned".into()).into()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ProductKey;
    use crate::list::{Filter, ListQuery};
    use vitrina_domain::{FieldValue, Money, Product, ProductDraft};

    /// A text's set outlives a change of prices and stocks (the search index is untouched) and
    /// not a change of a name; a list after either is right.
    #[test]
    fn a_texts_set_is_kept_until_the_search_index_changes() {
        let dir = tempfile::tempdir().unwrap();
        let mut c = Catalog::open(dir.path().join("c.db")).unwrap();
        for (sku, name) in [("A", "Чайник электрический"), ("B", "Чайник заварочный"), ("C", "Утюг")]
        {
            c.create_product(
                &Product::new(ProductDraft { sku: sku.into(), name: name.into(), price: Money::rub(100) })
                    .unwrap(),
            )
            .unwrap();
        }
        let q = ListQuery {
            filter: Filter {
                text: Some("чайник".into()), price_max: Some(1_000_000), ..Filter::default()
            },
            limit: 50,
            ..ListQuery::default()
        };
        let skus =
            |c: &Catalog| -> Vec<String> { c.list(&q).unwrap().rows.into_iter().map(|r| r.sku).collect() };
        let kept = |c: &Catalog| c.memo.texts.lock().unwrap().len();
        assert_eq!(skus(&c), ["B", "A"]);
        assert_eq!(kept(&c), 1);
        c.update_product(&ProductKey::Sku("A".into()), &[FieldValue::Price(Money::rub(90))]).unwrap();
        assert_eq!(skus(&c), ["B", "A"]);
        assert_eq!(kept(&c), 1, "a price change leaves the index and the set as they were");
        c.update_product(&ProductKey::Sku("C".into()), &[FieldValue::Name("Чайник-утюг".into())]).unwrap();
        c.memo.refresh(c.db()).unwrap();
        assert_eq!(kept(&c), 0, "a name change forgets the set");
        assert_eq!(skus(&c), ["B", "A", "C"]);
        c.delete_product(&ProductKey::Sku("B".into())).unwrap();
        assert_eq!(skus(&c), ["A", "C"]);
    }

    /// A catalog's text sets come from the index's pages, the same rows as FTS5's `MATCH`
    /// after edits and deletes; inside a transaction (FTS5 writes its pages at commit) and for
    /// an expression of another form, FTS5 answers.
    #[test]
    fn a_texts_set_is_read_from_the_pages_as_fts5_would_match() {
        let dir = tempfile::tempdir().unwrap();
        let mut c = Catalog::open(dir.path().join("c.db")).unwrap();
        for i in 0..300 {
            let name = format!(
                "{} {} модель {}",
                ["Чайник", "Кроссовки", "Утюг"][i % 3],
                ["Bosch", "Nike"][i % 2],
                i
            );
            c.create_product(
                &Product::new(ProductDraft { sku: format!("S{i}"), name, price: Money::rub(100) }).unwrap(),
            )
            .unwrap();
        }
        for i in (0..300).step_by(7) {
            c.update_product(
                &ProductKey::Sku(format!("S{i}")),
                &[FieldValue::Name(format!("Утюг паровой {i}"))],
            )
            .unwrap();
        }
        for i in (0..300).step_by(11) {
            c.delete_product(&ProductKey::Sku(format!("S{i}"))).unwrap();
        }
        let fts = |expr: &str| -> Vec<i64> {
            c.db()
                .prepare("SELECT rowid FROM products_fts WHERE products_fts MATCH ?1 ORDER BY rowid")
                .unwrap()
                .query_map([expr], |r| r.get(0))
                .unwrap()
                .collect::<rusqlite::Result<_>>()
                .unwrap()
        };
        let rids = |set: &RidSet| (0..400).filter(|r| set.contains(*r)).collect::<Vec<i64>>();
        for expr in [
            "\"утюг\"*",
            "\"кроссовк\"* AND \"nike\"*",
            "(\"чайник\"* OR \"утюг\"*) AND \"1\"*",
            "\"§п\"",
            "\"нет\"*",
        ] {
            let set = read_pages(c.db(), expr).unwrap().expect("read from the pages");
            assert_eq!(rids(&set), fts(expr), "{expr}");
            assert_eq!(set.len() as usize, fts(expr).len(), "{expr}");
        }
        assert!(fts("\"утюг\"*").len() > 100);
        assert!(read_pages(c.db(), "{title} : \"у\"*").unwrap().is_none());
        c.db().execute_batch("BEGIN").unwrap();
        assert!(read_pages(c.db(), "\"утюг\"*").unwrap().is_none());
        c.db().execute_batch("ROLLBACK").unwrap();
    }
}
