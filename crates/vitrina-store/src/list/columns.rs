//! A list's columns kept in memory, for lists with a text.
//!
//! A text's products cluster in the name order (a catalog's names start with what the product
//! is), so a walk of the name index that tests each entry against the text's set may pass most
//! of the index before its page fills: 57–65 ns an entry, 60 ms for a million, whatever it tests
//! (docs/benchmarks.md); and a large category or brand with a text, sorted by stock or date, is
//! collected from its index, 0.1 µs an entry. The same columns in memory — each product's rid,
//! price, stock, date, status, category and brand, in name order, 37 bytes a product — test an
//! entry in a few nanoseconds: a page anywhere in a list of any text with any filter but a
//! supplier, in any order, costs a pass over them at most, a few milliseconds for a million.
//!
//! The copy is read on a connection of its own, on a thread of its own (0.3–0.5 s for a million
//! products), when a list first asks for it after the catalog changed; until it is ready, and
//! whenever the catalog changed since it was read, lists read the indexes as before. It is kept
//! for the connection's generation it was asked in (`memo.rs`): a commit anywhere after that
//! makes it stale, so a copy read before a change is never used after it.

use std::collections::{BinaryHeap, HashMap};
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use rusqlite::types::Value;
use rusqlite::{Connection, OpenFlags};
use vitrina_domain::ProductStatus;

use super::plan::{Conds, Term};
use super::text_set::RidSet;
use super::{ListQuery, SortKey};
use crate::catalog::Catalog;
use crate::error::Result;

/// Catalogs smaller than this read their indexes: a few milliseconds at most.
const FEW: u64 = 100_000;

/// The statuses in the order their codes are kept.
const STATUSES: [ProductStatus; 3] = [ProductStatus::Draft, ProductStatus::Active, ProductStatus::Archived];

/// No category, or a brand or status not known here.
const NONE: u32 = u32::MAX;

/// The products' list columns, by position in the name order.
#[derive(Debug, Default)]
pub(crate) struct Columns {
    rids: Vec<u32>,
    price: Vec<i64>,
    stock: Vec<i64>,
    updated: Vec<i64>,
    /// An index into [`STATUSES`].
    status: Vec<u8>,
    category: Vec<u32>,
    /// An index into `brands`.
    brand: Vec<u32>,
    brands: HashMap<String, u32>,
    /// By rid: its position plus one (0: no such product).
    at: Vec<u32>,
}

/// A connection's generation (`memo.rs`) and the copy read for it (`None` if it could not be).
type Read = ((i64, u64), Option<Arc<Columns>>);

/// Where the thread reading a copy leaves it.
pub(crate) type Slot = Arc<Mutex<Option<Read>>>;

/// What a list's filter keeps, as tests on a copy's entry.
struct Keep<'a> {
    price: (i64, i64),
    stock: Option<bool>,
    status: Option<u8>,
    /// The categories kept (sorted), if the list has a category.
    categories: Option<Vec<u32>>,
    brand: Option<u32>,
    text: &'a RidSet,
}

impl Columns {
    /// The list columns as they are now; `None` when a rid does not fit the copy (past 4
    /// billion). One pass over the name index for the order, one over the category index (which
    /// carries every column) for the values, written in place: nothing beside the copy is held.
    /// The caller reads both in one transaction.
    pub(crate) fn read(conn: &Connection) -> Result<Option<Columns>> {
        let mut out = Columns::default();
        let mut stmt =
            conn.prepare("SELECT rid FROM products INDEXED BY products_by_name ORDER BY name_key, rid")?;
        let mut rows = stmt.query([])?;
        while let Some(r) = rows.next()? {
            let Ok(rid) = u32::try_from(r.get::<_, i64>(0)?) else { return Ok(None) };
            if rid == u32::MAX {
                return Ok(None);
            }
            out.rids.push(rid);
            if rid as usize >= out.at.len() {
                out.at.resize(rid as usize + 1, 0);
            }
            out.at[rid as usize] = out.rids.len() as u32;
        }
        let n = out.rids.len();
        out.rids.shrink_to_fit();
        out.at.shrink_to_fit();
        (out.price, out.stock, out.updated) = (vec![0; n], vec![0; n], vec![0; n]);
        (out.status, out.category, out.brand) = (vec![u8::MAX; n], vec![NONE; n], vec![NONE; n]);
        let mut stmt = conn.prepare(
            "SELECT rid, price, stock, updated_at, status, brand, category_rid \
             FROM products INDEXED BY products_by_category",
        )?;
        let mut rows = stmt.query([])?;
        while let Some(r) = rows.next()? {
            let Some(i) = out.position(r.get(0)?) else { return Ok(None) };
            let code = r.get_ref(4)?.as_str().unwrap_or_default();
            let brand = r.get_ref(5)?.as_str().unwrap_or_default();
            out.brand[i] = match out.brands.get(brand) {
                Some(&b) => b,
                None => {
                    let b = out.brands.len() as u32;
                    out.brands.insert(brand.to_string(), b);
                    b
                }
            };
            out.price[i] = r.get(1)?;
            out.stock[i] = r.get(2)?;
            out.updated[i] = r.get(3)?;
            out.status[i] = STATUSES.iter().position(|s| s.code() == code).map_or(u8::MAX, |s| s as u8);
            out.category[i] = r.get::<_, Option<i64>>(6)?.and_then(|c| u32::try_from(c).ok()).unwrap_or(NONE);
        }
        Ok(Some(out))
    }

    fn keeps(&self, keep: &Keep<'_>, i: usize) -> bool {
        let p = self.price[i];
        p >= keep.price.0
            && p <= keep.price.1
            && keep.stock.is_none_or(|in_stock| if in_stock { self.stock[i] > 0 } else { self.stock[i] == 0 })
            && keep.status.is_none_or(|s| self.status[i] == s)
            && keep.brand.is_none_or(|b| self.brand[i] == b)
            && keep.categories.as_ref().is_none_or(|c| c.binary_search(&self.category[i]).is_ok())
            && keep.text.contains(i64::from(self.rids[i]))
    }

    /// The rids of up to `limit` entries that `keep` keeps, after position `after` (from the
    /// start if `None`), in name order or its reverse.
    fn by_name(&self, keep: &Keep<'_>, after: Option<usize>, descending: bool, limit: usize) -> Vec<i64> {
        let n = self.rids.len();
        let mut out = Vec::with_capacity(limit.min(n));
        let mut take = |i: usize| {
            if self.keeps(keep, i) {
                out.push(i64::from(self.rids[i]));
            }
            out.len() < limit
        };
        if descending {
            let end = after.unwrap_or(n).min(n);
            for i in (0..end).rev() {
                if !take(i) {
                    break;
                }
            }
        } else {
            for i in after.map_or(0, |a| a + 1)..n {
                if !take(i) {
                    break;
                }
            }
        }
        out
    }

    /// (rid, value) of up to `limit` entries that `keep` keeps, in order of `values` then rid
    /// (or its reverse), after `after`: one pass, the page kept in a heap.
    fn by_value(
        &self,
        keep: &Keep<'_>,
        values: &[i64],
        after: Option<(i64, i64)>,
        descending: bool,
        limit: usize,
    ) -> Vec<(i64, i64)> {
        // Each entry's place in the list's order, ascending whichever way the list goes.
        let sign: i128 = if descending { -1 } else { 1 };
        let place = |v: i64, rid: i64| (sign * i128::from(v), sign * i128::from(rid));
        let cursor = after.map(|(v, rid)| place(v, rid));
        // The `limit` first places seen so far; the top is the last of them.
        let mut heap: BinaryHeap<(i128, i128)> = BinaryHeap::with_capacity(limit + 1);
        for (i, (&v, &rid)) in values.iter().zip(&self.rids).enumerate() {
            let p = place(v, i64::from(rid));
            if cursor.is_some_and(|c| p <= c)
                || (heap.len() == limit && heap.peek().is_some_and(|&top| p >= top))
            {
                continue;
            }
            if self.keeps(keep, i) {
                heap.push(p);
                if heap.len() > limit {
                    heap.pop();
                }
            }
        }
        let mut page = heap.into_vec();
        page.sort_unstable();
        page.into_iter().map(|(v, rid)| ((sign * rid) as i64, (sign * v) as i64)).collect()
    }

    /// The position of the product with `rid`.
    fn position(&self, rid: i64) -> Option<usize> {
        let at = *self.at.get(usize::try_from(rid).ok()?)?;
        (at > 0).then(|| at as usize - 1)
    }
}

/// Reads the copy on a connection and thread of its own and leaves it in `slot` for the
/// generation `generation`.
fn read_apart(path: PathBuf, generation: (i64, u64), slot: Slot) {
    let read = move || -> Result<Option<Columns>> {
        let conn = Connection::open_with_flags(
            &path,
            OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )?;
        conn.busy_timeout(std::time::Duration::from_secs(5))?;
        // Both passes in one read transaction: the same catalog.
        let started = std::time::Instant::now();
        conn.execute_batch("BEGIN")?;
        let columns = Columns::read(&conn);
        conn.execute_batch("COMMIT")?;
        if let Ok(Some(c)) = &columns {
            let ms = started.elapsed().as_millis() as u64;
            tracing::debug!(products = c.rids.len(), ms, "list columns read");
        }
        columns
    };
    let spawned = std::thread::Builder::new().name("vitrina-list-columns".into()).spawn(move || {
        // A copy that could not be read leaves the lists to the indexes, as before.
        let columns = read().ok().flatten().map(Arc::new);
        if let Ok(mut slot) = slot.lock() {
            *slot = Some((generation, columns));
        }
    });
    if let Err(e) = spawned {
        tracing::debug!(error = %e, "the list columns' thread did not start");
    }
}

#[cfg(test)]
thread_local! {
    /// Tests read the copy at once, on any catalog (`Some(true)`), or never (`Some(false)`).
    pub(crate) static TEST_NOW: std::cell::Cell<Option<bool>> = const { std::cell::Cell::new(None) };
    /// Tests read it apart on a catalog of any size.
    static TEST_ANY_SIZE: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// The size from which a catalog's lists read the copy.
fn few() -> u64 {
    #[cfg(test)]
    if TEST_ANY_SIZE.with(std::cell::Cell::get) {
        return 0;
    }
    FEW
}

impl Catalog {
    /// The copy of the list columns for the connection's current generation, if it is ready;
    /// else asks for it (once per generation) and returns `None`.
    fn columns(&self) -> Result<Option<Arc<Columns>>> {
        let Some(generation) = self.memo.generation() else { return Ok(None) };
        let memo = &self.memo.columns;
        if let Some((g, columns)) = memo.kept.borrow().as_ref()
            && *g == generation
        {
            return Ok(columns.clone());
        }
        // A stale copy is never used again: its memory goes before the next one is read.
        *memo.kept.borrow_mut() = None;
        // A copy read since, for this generation or (stale) for an earlier one.
        let done = memo.slot.lock().ok().and_then(|mut s| s.take());
        if let Some((g, columns)) = done {
            memo.asked.set(None);
            if g == generation {
                *memo.kept.borrow_mut() = Some((g, columns.clone()));
                return Ok(columns);
            }
        }
        #[cfg(test)]
        if let Some(now) = TEST_NOW.with(std::cell::Cell::get) {
            if !now {
                return Ok(None);
            }
            let columns = Columns::read(self.db())?.map(Arc::new);
            *memo.kept.borrow_mut() = Some((generation, columns.clone()));
            return Ok(columns);
        }
        if memo.asked.get().is_none() && self.rid_span()? >= few() {
            memo.asked.set(Some(generation));
            read_apart(self.path().to_path_buf(), generation, memo.slot.clone());
        }
        Ok(None)
    }

    /// The page of `query` read from the copy of the list columns, when the list is one it
    /// answers (with a text, without a supplier) and the copy is ready; `None` otherwise, for
    /// the indexes to answer.
    pub(crate) fn keys_in_memory(
        &self,
        query: &ListQuery,
        conds: &Conds,
        after: Option<&(Value, i64)>,
        limit: u64,
    ) -> Result<Option<Vec<(i64, Value)>>> {
        let Some(text) = answered(query, conds) else { return Ok(None) };
        let Some(columns) = self.columns()? else { return Ok(None) };
        let set = self.text_set(text)?;
        let Some(keep) = keep_of(query, conds, &columns, &set) else { return Ok(Some(Vec::new())) };
        let limit = usize::try_from(limit).unwrap_or(usize::MAX);
        let values = match query.sort {
            SortKey::Name => {
                let after = match after {
                    None => None,
                    // The cursor's row where the copy has it, with the name it was read with.
                    Some((value, rid)) => {
                        let Some(position) = columns.position(*rid) else { return Ok(None) };
                        let name: Option<Value> = rusqlite::OptionalExtension::optional(
                            self.db()
                                .prepare_cached("SELECT name_key FROM products WHERE rid = ?1")?
                                .query_row([rid], |r| r.get(0)),
                        )?;
                        if name.as_ref() != Some(value) {
                            return Ok(None);
                        }
                        Some(position)
                    }
                };
                let rids = columns.by_name(&keep, after, query.descending, limit);
                return Ok(Some(self.name_keys(&rids)?));
            }
            SortKey::Price => &columns.price,
            SortKey::Stock => &columns.stock,
            SortKey::Updated => &columns.updated,
        };
        let after = match after {
            None => None,
            Some((Value::Integer(v), rid)) => Some((*v, *rid)),
            Some(_) => return Ok(None),
        };
        let page = columns.by_value(&keep, values, after, query.descending, limit);
        Ok(Some(page.into_iter().map(|(rid, v)| (rid, Value::Integer(v))).collect()))
    }

    /// (rid, name key) of each of `rids`, in their order.
    fn name_keys(&self, rids: &[i64]) -> Result<Vec<(i64, Value)>> {
        let list = rids.iter().map(i64::to_string).collect::<Vec<_>>().join(",");
        let mut names: HashMap<i64, Value> = self
            .db()
            .prepare_cached(
                "SELECT rid, name_key FROM products WHERE rid IN (SELECT value FROM json_each(?1))",
            )?
            .query_map([format!("[{list}]")], |r| Ok((r.get(0)?, r.get(1)?)))?
            .collect::<rusqlite::Result<_>>()?;
        Ok(rids.iter().filter_map(|rid| names.remove(rid).map(|name| (*rid, name))).collect())
    }

    /// Whether the copy of the list columns answers this list now (benchmarks print it).
    pub(crate) fn answered_in_memory(&self, query: &ListQuery) -> Result<bool> {
        let conds = self.conds(&query.filter)?;
        Ok(answered(query, &conds).is_some()
            && self
                .memo
                .columns
                .kept
                .borrow()
                .as_ref()
                .is_some_and(|(g, c)| c.is_some() && Some(*g) == self.memo.generation()))
    }
}

/// The text of a list the copy answers: one with a text (a letter as its initial's term), and
/// no supplier (its offers are not in the copy).
fn answered<'c>(query: &ListQuery, conds: &'c Conds) -> Option<&'c str> {
    if conds.has_letter() || conds.nothing || query.filter.supplier.is_some() {
        return None;
    }
    conds.text()
}

/// The tests of `query`'s filter on the copy; `None` when it keeps nothing (a brand the
/// catalog does not have).
fn keep_of<'a>(query: &ListQuery, conds: &Conds, columns: &Columns, text: &'a RidSet) -> Option<Keep<'a>> {
    let f = &query.filter;
    let brand = match f.brand.as_deref().map(str::trim).filter(|b| !b.is_empty()) {
        Some(b) => Some(*columns.brands.get(b)?),
        None => None,
    };
    let categories = conds.get(Term::Category).map(|c| {
        let mut rids: Vec<u32> = match conds.subtree.as_slice() {
            [] => c
                .args
                .iter()
                .filter_map(|a| match a {
                    Value::Integer(rid) => u32::try_from(*rid).ok(),
                    _ => None,
                })
                .collect(),
            many => many.iter().filter_map(|rid| u32::try_from(*rid).ok()).collect(),
        };
        rids.sort_unstable();
        rids
    });
    Some(Keep {
        price: (f.price_min.unwrap_or(i64::MIN), f.price_max.unwrap_or(i64::MAX)),
        stock: f.in_stock,
        status: f.status.and_then(|s| STATUSES.iter().position(|x| *x == s)).map(|i| i as u8),
        categories,
        brand,
        text,
    })
}

/// What a connection's memo keeps of the list columns.
#[derive(Debug, Default)]
pub(crate) struct ColumnsMemo {
    /// The copy in use, and the generation it was read for.
    kept: std::cell::RefCell<Option<Read>>,
    /// Where the thread reading a copy leaves it.
    slot: Slot,
    /// The generation a copy was last asked for, while it is being read.
    asked: std::cell::Cell<Option<(i64, u64)>>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ProductKey;
    use crate::list::{Filter, skus_of_all_pages as skus};
    use vitrina_domain::{FieldValue, Money, Product, ProductDraft};

    /// Waits until the copy read apart answers `q` (it was asked for by the lists before).
    fn until_the_copy_answers(c: &Catalog, q: &ListQuery) {
        for _ in 0..500 {
            c.list(q).unwrap();
            if c.list_access(&q.filter, q.sort).unwrap() == "InMemory" {
                return;
            }
            std::thread::sleep(std::time::Duration::from_millis(10));
        }
        panic!("the copy of the list columns was not read");
    }

    /// The copy is read apart once a list asks for it, answers the lists with a text by name
    /// while the catalog is unchanged, and is never used after a change: the lists walk the
    /// index until the copy read after it is ready, and both give what the catalog holds.
    #[test]
    fn the_copy_of_the_list_columns_answers_only_the_catalog_it_was_read_from() {
        TEST_ANY_SIZE.with(|a| a.set(true));
        let dir = tempfile::tempdir().unwrap();
        let mut c = Catalog::open(dir.path().join("c.db")).unwrap();
        for i in 0..300 {
            let mut p = Product::new(ProductDraft {
                sku: format!("S{i:03}"),
                name: format!("{} {}", ["Чайник", "Утюг", "Чайник стеклянный"][i % 3], 300 - i),
                price: Money::rub(100 + i as i64),
            })
            .unwrap();
            p.stock = (i % 4) as i64;
            c.create_product(&p).unwrap();
        }
        let q = ListQuery {
            filter: Filter { text: Some("чайник".into()), in_stock: Some(true), ..Filter::default() },
            limit: 17,
            ..ListQuery::default()
        };
        TEST_NOW.with(|n| n.set(Some(false)));
        let walked = skus(&c, &q);
        assert_eq!(walked.len(), 150);
        TEST_NOW.with(|n| n.set(None));
        until_the_copy_answers(&c, &q);
        assert_eq!(skus(&c, &q), walked);
        let down = ListQuery { descending: true, ..q.clone() };
        let mut reversed = walked.clone();
        reversed.reverse();
        assert_eq!(skus(&c, &down), reversed);

        // Out of stock, and renamed to the front of the order.
        c.update_product(&ProductKey::Sku(walked[5].clone()), &[FieldValue::Stock(0)]).unwrap();
        c.update_product(&ProductKey::Sku(walked[100].clone()), &[FieldValue::Name("Чайник 0".into())])
            .unwrap();
        assert_ne!(c.list_access(&q.filter, q.sort).unwrap(), "InMemory", "stale after a change");
        let mut want: Vec<String> = walked.iter().filter(|s| **s != walked[5]).cloned().collect();
        want.retain(|s| *s != walked[100]);
        want.insert(0, walked[100].clone());
        assert_eq!(skus(&c, &q), want);
        until_the_copy_answers(&c, &q);
        assert_eq!(skus(&c, &q), want);
        // A cursor of a row renamed since is left to the index.
        let page = c.list(&ListQuery { limit: 3, ..q.clone() }).unwrap();
        let after = page.next.clone().unwrap();
        let third = page.rows[2].sku.clone();
        c.update_product(&ProductKey::Sku(third), &[FieldValue::Name("Чайник я".into())]).unwrap();
        until_the_copy_answers(&c, &q);
        let next = c.list(&ListQuery { after: Some(after), limit: 2, ..q.clone() }).unwrap();
        assert_eq!(next.rows.iter().map(|r| r.sku.clone()).collect::<Vec<_>>(), want[3..5]);
    }
}
