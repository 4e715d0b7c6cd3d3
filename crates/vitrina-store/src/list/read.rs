//! Reading the keys (rid, sort value) of one page through the index `plan.rs` chose.
//!
//! A walk reads an index in sort order and keeps the rows that pass the filter, so its cost
//! depends on how soon the page fills, which statistics cannot tell: a price range in name
//! order fills at once if its products' names are spread over the alphabet, and only after
//! most of the catalog if they all start with "Холодильник". So a walk reads at most a budget
//! of index entries; when the page is not full by then, the rows are collected through the
//! filter's own index instead (same rows, same order). Conditions on columns the walked index
//! carries are tested on its entries, about a tenth of a microsecond each, so a walk that needs
//! nothing else has no budget: reading the whole index costs less than collecting a broad
//! filter's rows one lookup each. The others need the product's row.

use rusqlite::types::Value;

use super::plan::{Access, Conds, Term};
use super::{SortKey, where_clause};
use crate::catalog::Catalog;
use crate::error::Result;

/// A page's keys, the way they were read, and whether a letter went by its set.
pub(crate) type Keys = (Vec<(i64, Value)>, Access, bool);

/// Index entries a walk reads before it gives up when some conditions need the product's row
/// (about a microsecond each).
const BUDGET_LOOKUPS: u64 = 12_000;

/// Index entries a walk reads before it gives up when a letter is tested on the names they
/// carry (a tenth of a microsecond each): a letter no name in a long stretch of the sort order
/// has (a wholesaler's catalog lists 300 000 drills and sneakers before the first "с" word)
/// goes by the set of its matches instead.
const BUDGET_NAMES: u64 = 100_000;

/// Rows a walk's first stage reads before a collection through another index is weighed
/// against reading on: rows that pass one time in twenty fill a page within it.
const FIRST_LOOKUPS: u64 = 1_000;

/// How far a walk reads before it gives up.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Stage {
    /// A first look, after which a cheaper collection may read the list instead.
    First,
    /// The whole budget.
    Full,
}

/// What a walk read: its page, or that it gave up, with what reading on in a full stage would
/// cost at most (in index entries, `plan::ROW_COST` a row), if it was a first stage.
enum Walked {
    Page(Vec<(i64, Value)>),
    GaveUp(Option<u64>),
}

#[cfg(test)]
thread_local! {
    /// Tests set a walk's budget, to take the way a long walk takes on a small catalog.
    pub(crate) static TEST_BUDGET: std::cell::Cell<Option<u64>> = const { std::cell::Cell::new(None) };
}

/// Entries a walk may read in `stage`: all of them when the walked index answers every
/// condition but a letter (a tenth of a microsecond an entry: reading the whole index costs
/// less than collecting a broad filter's rows one lookup each).
fn budget(rows: bool, names: bool, stage: Stage) -> u64 {
    #[cfg(test)]
    if let Some(b) = TEST_BUDGET.with(std::cell::Cell::get) {
        return b;
    }
    match (rows, names, stage) {
        (true, _, Stage::First) => FIRST_LOOKUPS,
        (true, _, Stage::Full) => BUDGET_LOOKUPS,
        (false, true, _) => BUDGET_NAMES,
        (false, false, _) => i64::MAX as u64,
    }
}

/// The index a walk in `sort` order reads, and the columns it carries besides the sort key
/// (migration 0009).
fn sort_index(sort: SortKey) -> (&'static str, &'static [&'static str]) {
    match sort {
        SortKey::Name => ("products_by_name", &["name_key", "price", "stock", "status"]),
        // (Their one column is the sort key itself, read as `k`: the price, stock and status
        // filters of these walks read the product's row, a few thousand at most in a budget.)
        SortKey::Price => ("products_by_price", &[]),
        SortKey::Stock => ("products_by_stock", &[]),
        SortKey::Updated => ("products_by_updated", &[]),
    }
}

/// The columns the brand and category indexes carry (migration 0009).
const GROUP_COLUMNS: &[&str] =
    &["name_key", "price", "stock", "updated_at", "status", "brand", "category_rid"];

/// The column a term tests (`rid` for the text and supplier terms, which test the rid; the
/// supplier's test reads the offers' index for each entry, so it counts as a lookup; a
/// letter's test reads the title's columns).
fn column(term: Term) -> &'static str {
    match term {
        Term::Category => "category_rid",
        Term::Brand => "brand",
        Term::Supplier | Term::Text => "rid",
        // The name's words.
        Term::Letter => "name_key",
        Term::Price => "price",
        Term::Stock => "stock",
        Term::Status => "status",
    }
}

impl Catalog {
    /// (rid, sort value) of up to `limit` rows of the list after `after`, in order; the way
    /// they were read; and whether a letter went by the set of its matches (see below).
    pub(crate) fn keys(
        &self,
        conds: &Conds,
        access: Access,
        sort: SortKey,
        descending: bool,
        after: Option<(Value, i64)>,
        limit: u64,
    ) -> Result<Keys> {
        let limit = limit.min(i64::MAX as u64);
        let walked = match access {
            Access::Collect(term) => {
                return Ok((self.collect(conds, term, sort, descending, after, limit)?, access, false));
            }
            Access::WalkAll => {
                return Ok((self.walk_unbounded(conds, sort, descending, after, limit)?, access, false));
            }
            Access::Merged => {
                if let Some(keys) = self.merged(conds, sort, descending, after.clone(), limit)? {
                    return Ok((keys, access, false));
                }
                let keys = self.collect(conds, Term::Category, sort, descending, after, limit)?;
                return Ok((keys, Access::Collect(Term::Category), false));
            }
            Access::Spread(group) => {
                // A large group in another order: its rows looked for in the sort index, else
                // the group collected (a letter tested on the names its index carries).
                if let Walked::Page(keys) =
                    self.walk(conds, None, sort, descending, after.clone(), limit, Stage::First)?
                {
                    return Ok((keys, access, false));
                }
                let keys = self.collect(conds, group, sort, descending, after, limit)?;
                return Ok((keys, Access::Collect(group), false));
            }
            Access::Walk | Access::Ordered(_) => {
                let group = match access {
                    Access::Ordered(term) => Some(term),
                    _ => None,
                };
                // A walk of the sort index with words to match looks first, then weighs the
                // cheapest collection against reading on: the words' set makes collecting
                // through a filter's index cheap (the rows that match are read, not the others).
                // Without words the weighing's counts cost more than they save, and a group's
                // index is narrow already. A letter (in a catalog indexed before migration 0011)
                // has its set for other way, taken after a first look in price order, whose rows
                // are read from all over the file (4–5 µs each); the prefix's set, 25–50 ms, is
                // not worth it in date or stock order (rid order within a value: rows lie
                // together, 1 µs each).
                let letter_first = conds.has_letter() && sort == SortKey::Price;
                let stage = if group.is_none() && (conds.has_words() || letter_first) {
                    Stage::First
                } else {
                    Stage::Full
                };
                match self.walk(conds, group, sort, descending, after.clone(), limit, stage)? {
                    Walked::Page(keys) => Some(keys),
                    Walked::GaveUp(Some(_)) if conds.has_letter() => None,
                    Walked::GaveUp(Some(rest)) => {
                        if let Some((term, cost)) = self.fallback_costed(conds, access)?
                            && cost < rest
                        {
                            let keys = self.collect(conds, term, sort, descending, after, limit)?;
                            return Ok((keys, Access::Collect(term), false));
                        }
                        match self.walk(conds, group, sort, descending, after.clone(), limit, Stage::Full)? {
                            Walked::Page(keys) => Some(keys),
                            Walked::GaveUp(_) => None,
                        }
                    }
                    Walked::GaveUp(None) => None,
                }
            }
        };
        if let Some(keys) = walked {
            return Ok((keys, access, false));
        }
        if conds.has_letter() {
            // A letter the walk found too rarely here: by the set of its matches from now on.
            // Many (it is common elsewhere in the sort order): walk on, testing each entry's
            // rid; few: collect them.
            let by_set = conds.letter_as_set();
            let matches = match by_set.text() {
                Some(expr) => self.text_set(expr)?.len(),
                None => 0,
            };
            let (keys, used) = if matches > 2 * super::plan::SMALL {
                let (keys, used, _) = self.keys(&by_set, access, sort, descending, after, limit)?;
                (keys, used)
            } else {
                self.fall_back(&by_set, access, sort, descending, after, limit)?
            };
            return Ok((keys, used, true));
        }
        let (keys, used) = self.fall_back(conds, access, sort, descending, after, limit)?;
        Ok((keys, used, false))
    }

    /// A category's subcategories, each walked in name order through the category index, the
    /// pages merged; `None` when a walk gave up (the caller collects instead).
    fn merged(
        &self,
        conds: &Conds,
        sort: SortKey,
        descending: bool,
        after: Option<(Value, i64)>,
        limit: u64,
    ) -> Result<Option<Vec<(i64, Value)>>> {
        let mut all = Vec::new();
        for &rid in &conds.subtree {
            let one = conds.one_category(rid);
            match self.walk(
                &one,
                Some(Term::Category),
                sort,
                descending,
                after.clone(),
                limit,
                Stage::Full,
            )? {
                Walked::Page(keys) => all.extend(keys),
                Walked::GaveUp(_) => return Ok(None),
            }
        }
        // The name index's order: the key's bytes (SQLite's BINARY), then the rid.
        let key = |v: &Value| match v {
            Value::Text(t) => t.clone(),
            _ => String::new(),
        };
        all.sort_by(|a: &(i64, Value), b: &(i64, Value)| {
            let o = key(&a.1).cmp(&key(&b.1)).then(a.0.cmp(&b.0));
            if descending { o.reverse() } else { o }
        });
        all.truncate(limit as usize);
        Ok(Some(all))
    }

    /// A walk gave up: the rows collected through the cheapest term instead.
    fn fall_back(
        &self,
        conds: &Conds,
        access: Access,
        sort: SortKey,
        descending: bool,
        after: Option<(Value, i64)>,
        limit: u64,
    ) -> Result<(Vec<(i64, Value)>, Access)> {
        match self.fallback(conds, access)? {
            Some(term) => {
                Ok((self.collect(conds, term, sort, descending, after, limit)?, Access::Collect(term)))
            }
            // Nothing narrower to read through: walk on, however long it takes.
            None => Ok((self.walk_unbounded(conds, sort, descending, after, limit)?, Access::WalkAll)),
        }
    }

    /// Every row `term` keeps, through its index, the page kept in sort order.
    fn collect(
        &self,
        conds: &Conds,
        term: Term,
        sort: SortKey,
        descending: bool,
        after: Option<(Value, i64)>,
        limit: u64,
    ) -> Result<Vec<(i64, Value)>> {
        let col = sort.column();
        let (dir, op) = if descending { ("DESC", "<") } else { ("ASC", ">") };
        let indexed = term.index().map(|i| format!("INDEXED BY {i}")).unwrap_or_default();
        let (mut sql_conds, mut args) = conds.sql(Some(term), None);
        // Collected rows are all read anyway: one condition past the cursor. With a letter it
        // is tested first (a comparison, where the letter's test reads the name's words); a
        // text's test by rid is cheaper than the comparison and drops most entries first.
        if let Some((value, rid)) = after {
            let cursor = format!("({col} {op} ? OR ({col} = ? AND p.rid {op} ?))");
            let cursor_args = [value.clone(), value, Value::Integer(rid)];
            if conds.has_letter() {
                sql_conds.insert(0, cursor);
                args.splice(0..0, cursor_args);
            } else {
                sql_conds.push(cursor);
                args.extend(cursor_args);
            }
        }
        let sql = format!(
            "SELECT p.rid, {col} FROM products p {indexed} {} ORDER BY {col} {dir}, p.rid {dir} LIMIT {limit}",
            where_clause(&sql_conds),
        );
        let mut stmt = self.db().prepare_cached(&sql)?;
        Ok(stmt
            .query_map(rusqlite::params_from_iter(args), |r| Ok((r.get(0)?, r.get(1)?)))?
            .collect::<rusqlite::Result<_>>()?)
    }

    /// A walk of the sort index (or of `group`'s index, in name order) reading at most the
    /// budget of `stage`; [`Walked::GaveUp`] when the page did not fill within it.
    #[allow(clippy::too_many_arguments)]
    fn walk(
        &self,
        conds: &Conds,
        group: Option<Term>,
        sort: SortKey,
        descending: bool,
        after: Option<(Value, i64)>,
        limit: u64,
        stage: Stage,
    ) -> Result<Walked> {
        let col = sort.column();
        let (dir, op) = if descending { ("DESC", "<") } else { ("ASC", ">") };
        let (index, carried) = match group {
            Some(g) => (g.index().unwrap_or("products_by_brand"), GROUP_COLUMNS),
            None => sort_index(sort),
        };
        // Conditions that seek the walked index (the group, or a range of the sort key), those
        // tested on its entries, and those that need the product's row.
        let mut seek: Vec<(String, Vec<Value>)> = Vec::new();
        let mut on_index: Vec<(String, Vec<Value>)> = Vec::new();
        let mut on_row: Vec<(String, Vec<Value>)> = Vec::new();
        // A letter, tested on the name the walked index carries, past the budget's count.
        let mut on_name: Vec<(String, Vec<Value>)> = Vec::new();
        if conds.nothing {
            seek.push(("0".into(), Vec::new()));
        }
        for c in &conds.conds {
            if Some(c.term) == group || (group.is_none() && c.term.sort() == Some(sort)) {
                seek.push((c.driving.clone(), c.args.clone()));
            } else if c.term == Term::Letter && carried.contains(&column(c.term)) {
                on_name.push((c.passive.replace("p.name_key", "w.name_key"), c.passive_args.clone()));
            } else if c.term == Term::Text || carried.contains(&column(c.term)) {
                on_index.push((c.passive.clone(), c.passive_args.clone()));
            } else {
                on_row.push((c.passive.clone(), c.passive_args.clone()));
            }
        }
        // The budget counts the entries that pass the conditions the index answers: the rows
        // read for the others, the names tested for a letter. (A text is tested on every
        // entry by rid, and skipping most of the index for it costs little.)
        let (rows, names) = (!on_row.is_empty(), !on_name.is_empty());
        let budget = budget(rows, names, stage);
        // What reading on would cost at most, after a first stage that gives up.
        let rest = match (rows, names, stage) {
            (true, _, Stage::First) => Some((BUDGET_LOOKUPS - FIRST_LOOKUPS) * super::plan::ROW_COST),
            _ => None,
        };
        // (The name only when a letter needs it: an index without it would read every row.)
        let name_col = if on_name.is_empty() { "" } else { ", p.name_key AS name_key" };
        let join = if on_row.is_empty() { "" } else { "CROSS JOIN products p ON p.rid = w.rid" };
        let on_row: Vec<(String, Vec<Value>)> = on_name.into_iter().chain(on_row).collect();
        let row_sql: Vec<String> = on_row.iter().map(|(s, _)| s.clone()).collect();
        let row_args: Vec<Value> = on_row.iter().flat_map(|(_, a)| a.iter().cloned()).collect();
        // The walked entries after `extra` (seek conditions) that pass the index's conditions,
        // counted by `vitrina_tick` when a budget bounds them.
        let counted = budget < i64::MAX as u64;
        let inner = |extra: &[String], extra_args: &[Value]| -> (String, Vec<Value>) {
            let conds: Vec<String> = seek
                .iter()
                .chain(&on_index)
                .map(|(s, _)| s.clone())
                .chain(extra.iter().cloned())
                .chain(counted.then(|| "vitrina_tick(p.rid)".to_string()))
                .collect();
            let args: Vec<Value> = seek
                .iter()
                .chain(&on_index)
                .flat_map(|(_, a)| a.iter().cloned())
                .chain(extra_args.iter().cloned())
                .collect();
            (where_clause(&conds), args)
        };
        // One step: at most `scan` such entries, and the first `n` that pass the rest. The
        // entries come from a co-routine in index order and are kept in it: an ORDER BY here
        // would make SQLite read and sort every one of the `scan` entries (and their rows)
        // before the first row, where the walk stops as soon as `n` passed. The table test
        // below checks the order of every way of reading.
        let step = |extra: &[String], extra_args: &[Value], scan: u64, n: u64| -> Result<Vec<(i64, Value)>> {
            let (inner_where, inner_args) = inner(extra, extra_args);
            let sql = format!(
                "SELECT w.rid, w.k FROM (SELECT p.rid AS rid, {col} AS k{name_col} \
                 FROM products p INDEXED BY {index} \
                 {inner_where} ORDER BY {col} {dir}, p.rid {dir} LIMIT {scan}) w {join} {} LIMIT {n}",
                where_clause(&row_sql),
            );
            let args = inner_args.into_iter().chain(row_args.iter().cloned());
            let mut stmt = self.db().prepare_cached(&sql)?;
            Ok(stmt
                .query_map(rusqlite::params_from_iter(args), |r| Ok((r.get(0)?, r.get(1)?)))?
                .collect::<rusqlite::Result<_>>()?)
        };
        // First the rest of the cursor's sort value, then the values past it. (SQLite seeks a
        // row value `(col, rid) > (?, ?)` by its first column only, so one step would read
        // every entry sharing the cursor's value: all of them when the catalog was imported at
        // one instant and sorted by date.)
        let mut parts: Vec<(Vec<String>, Vec<Value>)> = Vec::new();
        match after {
            None => parts.push((Vec::new(), Vec::new())),
            Some((value, rid)) => {
                parts.push((
                    vec![format!("{col} = ?"), format!("p.rid {op} ?")],
                    vec![value.clone(), Value::Integer(rid)],
                ));
                parts.push((vec![format!("{col} {op} ?")], vec![value]));
            }
        }
        let mut keys = Vec::new();
        let mut left = budget;
        for (extra, extra_args) in parts {
            let want = limit - keys.len() as u64;
            self.memo.ticks.store(0, std::sync::atomic::Ordering::Relaxed);
            let got = step(&extra, &extra_args, left, want)?;
            let full = got.len() as u64 == want;
            keys.extend(got);
            if full {
                return Ok(Walked::Page(keys));
            }
            if left >= i64::MAX as u64 {
                continue; // no budget: the walk read to the end of its range
            }
            // The page did not fill, so the step read every entry it was allowed.
            let read = self.memo.ticks.load(std::sync::atomic::Ordering::Relaxed);
            if read >= left {
                return Ok(Walked::GaveUp(rest)); // the budget ran out before the page filled
            }
            left -= read;
        }
        Ok(Walked::Page(keys))
    }

    /// The walk without a budget, for a filter with no narrower index.
    fn walk_unbounded(
        &self,
        conds: &Conds,
        sort: SortKey,
        descending: bool,
        after: Option<(Value, i64)>,
        limit: u64,
    ) -> Result<Vec<(i64, Value)>> {
        let col = sort.column();
        let (dir, op) = if descending { ("DESC", "<") } else { ("ASC", ">") };
        let (sql_conds, args) = conds.sql(None, Some(sort));
        let query = |extra: &[String], extra_args: &[Value], n: u64| -> Result<Vec<(i64, Value)>> {
            let all: Vec<String> = sql_conds.iter().chain(extra).cloned().collect();
            let sql = format!(
                "SELECT p.rid, {col} FROM products p {} ORDER BY {col} {dir}, p.rid {dir} LIMIT {n}",
                where_clause(&all),
            );
            let mut stmt = self.db().prepare_cached(&sql)?;
            let bound = args.iter().chain(extra_args).cloned();
            Ok(stmt
                .query_map(rusqlite::params_from_iter(bound), |r| Ok((r.get(0)?, r.get(1)?)))?
                .collect::<rusqlite::Result<_>>()?)
        };
        match after {
            None => query(&[], &[], limit),
            Some((value, rid)) => {
                let mut keys = query(
                    &[format!("{col} = ?"), format!("p.rid {op} ?")],
                    &[value.clone(), Value::Integer(rid)],
                    limit,
                )?;
                if (keys.len() as u64) < limit {
                    keys.extend(query(&[format!("{col} {op} ?")], &[value], limit - keys.len() as u64)?);
                }
                Ok(keys)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashSet;

    use vitrina_domain::{CategoryPath, Money, Product, ProductDraft, ProductStatus, StockPolicy};

    use super::*;
    use crate::OfferInput;
    use crate::list::{Filter, ListQuery};

    /// Every way of reading a list (walks within and past their budget, ordered group
    /// indexes, collections through each filter's index) gives the same rows in the same order
    /// as filtering and sorting every product in memory.
    #[test]
    fn every_filter_in_every_sort_reads_the_same_rows_whichever_index_reads_them() {
        let dir = tempfile::tempdir().unwrap();
        let mut c = Catalog::open(dir.path().join("c.db")).unwrap();
        let shoes = c.ensure_category_path(&CategoryPath::parse("Обувь / Кроссовки")).unwrap();
        let boots = c.ensure_category_path(&CategoryPath::parse("Обувь / Ботинки")).unwrap();
        let home = c.ensure_category_path(&CategoryPath::parse("Дом")).unwrap();
        let root = c.find_category("Обувь").unwrap();
        let brands = ["Nike", "Adidas", "Bosch", "Apple"];
        let words = ["альфа", "бета", "гамма", "дельта"];
        let mut all: Vec<Product> = Vec::new();
        let mut tick = 0u64;
        for batch in 0..6 {
            tick += 1000;
            let t = 1_700_000_000_000 + tick;
            c.set_clock(std::sync::Arc::new(move || t));
            let mut products = Vec::new();
            for i in batch * 100..batch * 100 + 100 {
                let kind = i % 7;
                // Names cluster with price and brand, as real catalogs do.
                let mut p = Product::new(ProductDraft {
                    sku: format!("P{i:04}"),
                    name: format!(
                        "{} {} {}",
                        ["Чайник", "Кеды", "Утюг", "Тостер", "Ботинки", "Миксер", "Фен"][kind],
                        words[i % 4],
                        i % 37
                    ),
                    price: Money::rub(kind as i64 * 10_000 + (i as i64 * 7919) % 9_000),
                })
                .unwrap();
                p.brand = brands[(i / 3 + kind) % 4].into();
                p.category = Some([shoes, boots, home][(i + kind) % 3]);
                p.stock = if i % 6 == 0 { 0 } else { (i as i64 * 31) % 9 };
                p.status = [
                    ProductStatus::Active,
                    ProductStatus::Active,
                    ProductStatus::Draft,
                    ProductStatus::Archived,
                ][i % 4];
                products.push(p);
            }
            c.bulk_upsert(products.clone()).unwrap();
            all.extend(products);
        }
        let supplier = c.add_supplier("Оптовик", 1).unwrap();
        let offered: Vec<OfferInput> = (0..600)
            .filter(|i| i % 5 == 1)
            .map(|i| OfferInput {
                product: crate::ProductKey::Sku(format!("P{i:04}")),
                supplier_sku: format!("S{i}"),
                cost: None,
                stock: 3,
            })
            .collect();
        c.upsert_offers(supplier, &offered, StockPolicy::CheapestInStock).unwrap();
        let offered: HashSet<String> = offered
            .iter()
            .map(|o| match &o.product {
                crate::ProductKey::Sku(s) => s.clone(),
                _ => unreachable!(),
            })
            .collect();
        // The products as the catalog now holds them (offers changed stock), with their rids.
        let stored: Vec<(i64, Product, i64)> = all
            .iter()
            .map(|p| {
                let q = c.product(&crate::ProductKey::Sku(p.sku.clone())).unwrap();
                let (rid, updated): (i64, i64) = c
                    .db()
                    .query_row("SELECT rid, updated_at FROM products WHERE sku = ?1", [&p.sku], |r| {
                        Ok((r.get(0)?, r.get(1)?))
                    })
                    .unwrap();
                (rid, q, updated)
            })
            .collect();

        // Once with a letter read as its initial's term of the index, once as a catalog indexed
        // before migration 0011 reads it (each name tested), then rebuilt.
        for by_initials in [true, false] {
            if !by_initials {
                c.db().execute("DELETE FROM meta WHERE key = 'search_initials'", []).unwrap();
                c.forget_memo();
            }
            let letter = Filter { text: Some("к".into()), ..Filter::default() };
            assert_eq!(c.conds(&letter).unwrap().has_letter(), !by_initials);
            let mut seed = 11u64;
            let mut next = move |n: u64| {
                seed = seed.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
                (seed >> 33) % n
            };
            let mut cases = 0;
            let mut by_copy = 0;
            // 120 random filters and sorts, then a category with subcategories by name (its
            // subcategories' pages merged), alone and with filters tested on its index.
            let fixed: Vec<(Filter, SortKey, bool)> = [false, true]
                .into_iter()
                .flat_map(|descending| {
                    let root = Filter { category: Some(root), ..Filter::default() };
                    [
                        root.clone(),
                        Filter { in_stock: Some(true), ..root.clone() },
                        Filter { text: Some("к".into()), ..root.clone() },
                        Filter { text: Some("альфа".into()), ..root.clone() },
                        // A text by name with filters the copy of the name order tests.
                        Filter { text: Some("гамма".into()), in_stock: Some(true), ..Filter::default() },
                        Filter { text: Some("к".into()), in_stock: Some(false), ..Filter::default() },
                        Filter {
                            text: Some("т".into()),
                            price_min: Some(2_000_000),
                            price_max: Some(5_000_000),
                            ..Filter::default()
                        },
                        Filter {
                            text: Some("дельта".into()),
                            status: Some(ProductStatus::Active),
                            ..Filter::default()
                        },
                    ]
                    .into_iter()
                    .map(move |f| (f, SortKey::Name, descending))
                })
                .collect();
            for case in 0..120 + fixed.len() {
                let mut f = Filter::default();
                if next(3) == 0 {
                    f.category = Some([shoes, boots, home, root][next(4) as usize]);
                }
                if next(3) == 0 {
                    f.brand = Some(brands[next(4) as usize].into());
                }
                if next(5) == 0 {
                    f.supplier = Some(supplier);
                }
                if next(3) == 0 {
                    f.in_stock = Some(next(2) == 0);
                }
                if next(4) == 0 {
                    f.status = Some(
                        [ProductStatus::Active, ProductStatus::Draft, ProductStatus::Archived]
                            [next(3) as usize],
                    );
                }
                if next(4) == 0 {
                    let lo = next(60) as i64 * 1_000 * 100;
                    f.price_min = Some(lo);
                    f.price_max = Some(lo + next(30) as i64 * 1_000 * 100);
                }
                if next(5) == 0 {
                    f.text = Some(words[next(4) as usize].into());
                } else if next(6) == 0 {
                    // One letter: a word of the name starting with it.
                    f.text = Some(["к", "Б", "n", "p", "ц", "у", "а"][next(7) as usize].into());
                }
                let mut sort =
                    [SortKey::Name, SortKey::Price, SortKey::Stock, SortKey::Updated][next(4) as usize];
                let mut descending = next(2) == 0;
                if let Some((fixed_f, fixed_sort, fixed_desc)) =
                    case.checked_sub(120).map(|i| fixed[i].clone())
                {
                    (f, sort, descending) = (fixed_f, fixed_sort, fixed_desc);
                }
                let subtree = |id| if id == root { vec![shoes, boots] } else { vec![id] };
                let mut want: Vec<&(i64, Product, i64)> = stored
                    .iter()
                    .filter(|(_, p, _)| {
                        f.category.is_none_or(|id| p.category.is_some_and(|pc| subtree(id).contains(&pc)))
                            && f.brand.as_ref().is_none_or(|b| &p.brand == b)
                            && f.supplier.is_none_or(|_| offered.contains(&p.sku))
                            && f.in_stock.is_none_or(|s| (p.stock > 0) == s)
                            && f.status.is_none_or(|s| p.status == s)
                            && f.price_min.is_none_or(|m| p.price.minor >= m)
                            && f.price_max.is_none_or(|m| p.price.minor <= m)
                            && f.text.as_ref().is_none_or(|t| match t.chars().count() {
                                // One letter: a word of the name starting with it (not the brand's
                                // nor the SKU's: "p" starts every SKU here and no name word).
                                1 => {
                                    let letter = t.to_lowercase();
                                    p.name.to_lowercase().split(' ').any(|w| w.starts_with(&letter))
                                }
                                _ => p.name.contains(t.as_str()),
                            })
                    })
                    .collect();
                want.sort_by(|a, b| {
                    let o = match sort {
                        SortKey::Name => a.1.name.to_lowercase().cmp(&b.1.name.to_lowercase()),
                        SortKey::Price => a.1.price.minor.cmp(&b.1.price.minor),
                        SortKey::Stock => a.1.stock.cmp(&b.1.stock),
                        SortKey::Updated => a.2.cmp(&b.2),
                    }
                    .then(a.0.cmp(&b.0));
                    if descending { o.reverse() } else { o }
                });
                let want: Vec<&str> = want.iter().map(|(_, p, _)| p.sku.as_str()).collect();
                // Each budget a walk may have, then the copy of the name order (a text by name).
                for (budget, copy) in
                    [(None, false), (Some(0), false), (Some(5), false), (Some(40), false), (None, true)]
                {
                    TEST_BUDGET.with(|b| b.set(budget));
                    super::super::columns::TEST_NOW.with(|n| n.set(Some(copy)));
                    c.memo.plans.borrow_mut().clear();
                    if copy && c.list_access(&f, sort).unwrap() == "InMemory" {
                        by_copy += 1;
                    }
                    let q = ListQuery { filter: f.clone(), sort, descending, after: None, limit: 13 };
                    let got = super::super::skus_of_all_pages(&c, &q);
                    assert_eq!(got, want, "{f:?} by {sort:?} desc={descending}, budget {budget:?}");
                    assert_eq!(c.count(&f).unwrap(), want.len() as u64);
                    // The window's capped count and anchors (read as the list reads, for a text).
                    let n = want.len() as u64;
                    for cap in [7, 1000] {
                        assert_eq!(
                            c.count_capped(&f, cap).unwrap(),
                            (n.min(cap), n <= cap),
                            "{f:?} cap {cap}"
                        );
                    }
                    let anchors = c.anchors(&f, sort, descending, 5, 1000).unwrap();
                    assert_eq!(
                        (anchors.total, anchors.exact, anchors.cursors.len() as u64),
                        (n, true, n / 5)
                    );
                    if let Some(first) = anchors.cursors.first()
                        && n > 5
                    {
                        let q = ListQuery {
                            filter: f.clone(),
                            sort,
                            descending,
                            after: Some(first.clone()),
                            limit: 1,
                        };
                        assert_eq!(c.list(&q).unwrap().rows[0].sku, want[5], "{f:?} after the first anchor");
                    }
                }
                cases += usize::from(!want.is_empty());
            }
            TEST_BUDGET.with(|b| b.set(None));
            super::super::columns::TEST_NOW.with(|n| n.set(None));
            assert!(cases > 55, "most cases keep some rows ({cases})");
            // A text by name with price, stock and status only: read from the copy of the name
            // order (a letter too, where it is its initial's term).
            assert!(by_copy >= if by_initials { 40 } else { 20 }, "lists read from the copy: {by_copy}");
        }
        let q = ListQuery {
            filter: Filter { text: Some("б".into()), ..Filter::default() },
            limit: 1000,
            ..ListQuery::default()
        };
        let before: Vec<String> = c.list(&q).unwrap().rows.into_iter().map(|r| r.sku).collect();
        assert_eq!(c.rebuild_search_index(&mut |_| {}).unwrap(), 600);
        assert!(!c.conds(&q.filter).unwrap().has_letter(), "marked as carrying the initials");
        let after: Vec<String> = c.list(&q).unwrap().rows.into_iter().map(|r| r.sku).collect();
        assert!(!after.is_empty());
        assert_eq!(after, before);
    }
}
