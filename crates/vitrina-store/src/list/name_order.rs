//! The name order kept in memory, for lists with a text sorted by name.
//!
//! A text's products cluster in the name order (a catalog's names start with what the product
//! is), so a walk of the name index that tests each entry against the text's set may pass most
//! of the index before its page fills: 57–65 ns an entry, 60 ms for a million, whatever it tests
//! (docs/benchmarks.md). The same walk over a copy of the index in memory — each product's rid,
//! price, stock and status in name order, 21 bytes a product — tests an entry in a few
//! nanoseconds: a page anywhere in a list of any text, price range, stock and status in a few
//! milliseconds.
//!
//! The copy is read on a connection of its own, on a thread of its own (130–170 ms for a million
//! products), when a list first asks for it after the catalog changed; until it is ready, and
//! whenever the catalog changed since it was read, lists walk the index as before. It is kept
//! for the connection's generation it was asked in (`memo.rs`): a commit anywhere after that
//! makes it stale, so one read from before a change is never used after it.

use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use rusqlite::types::Value;
use rusqlite::{Connection, OpenFlags};
use vitrina_domain::ProductStatus;

use super::text_set::RidSet;
use super::{Filter, ListQuery, SortKey};
use crate::catalog::Catalog;
use crate::error::Result;

/// Catalogs smaller than this walk the name index: it takes a few milliseconds at most.
const FEW: u64 = 100_000;

/// The statuses in the order their codes are kept.
const STATUSES: [ProductStatus; 3] = [ProductStatus::Draft, ProductStatus::Active, ProductStatus::Archived];

/// The name index's entries, in its order.
#[derive(Debug, Default)]
pub(crate) struct NameOrder {
    rids: Vec<u32>,
    price: Vec<i64>,
    stock: Vec<i64>,
    /// An index into [`STATUSES`] (`u8::MAX` for a status not known here).
    status: Vec<u8>,
    /// By rid: its position plus one (0: no such product).
    at: Vec<u32>,
}

/// A connection's generation (`memo.rs`) and the copy read for it (`None` if it could not be).
type Read = ((i64, u64), Option<Arc<NameOrder>>);

/// Where the thread reading a copy leaves it.
pub(crate) type Slot = Arc<Mutex<Option<Read>>>;

/// What a list's filter keeps, as tests on a copy's entry.
struct Keep<'a> {
    price: (i64, i64),
    stock: Option<bool>,
    status: Option<u8>,
    text: &'a RidSet,
}

impl NameOrder {
    /// The name index as it is now; `None` when a rid does not fit the copy (past 4 billion).
    pub(crate) fn read(conn: &Connection) -> Result<Option<NameOrder>> {
        let mut out = NameOrder::default();
        let mut stmt = conn.prepare(
            "SELECT rid, price, stock, status FROM products INDEXED BY products_by_name ORDER BY name_key, rid",
        )?;
        let mut rows = stmt.query([])?;
        while let Some(r) = rows.next()? {
            let Ok(rid) = u32::try_from(r.get::<_, i64>(0)?) else { return Ok(None) };
            let Ok(position) = u32::try_from(out.rids.len() + 1) else { return Ok(None) };
            let code = r.get_ref(3)?.as_str().unwrap_or_default();
            let status = STATUSES.iter().position(|s| s.code() == code).map_or(u8::MAX, |i| i as u8);
            out.rids.push(rid);
            out.price.push(r.get(1)?);
            out.stock.push(r.get(2)?);
            out.status.push(status);
            let slot = rid as usize;
            if slot >= out.at.len() {
                out.at.resize(slot + 1, 0);
            }
            out.at[slot] = position;
        }
        Ok(Some(out))
    }

    /// The rids of up to `limit` entries that `keep` keeps, after position `after` (from the
    /// start if `None`), in name order or its reverse.
    fn page(&self, keep: &Keep<'_>, after: Option<usize>, descending: bool, limit: usize) -> Vec<i64> {
        let test = |i: usize| {
            let p = self.price[i];
            p >= keep.price.0
                && p <= keep.price.1
                && keep
                    .stock
                    .is_none_or(|in_stock| if in_stock { self.stock[i] > 0 } else { self.stock[i] == 0 })
                && keep.status.is_none_or(|s| self.status[i] == s)
                && keep.text.contains(i64::from(self.rids[i]))
        };
        let n = self.rids.len();
        let mut out = Vec::with_capacity(limit.min(n));
        let mut take = |i: usize| {
            if test(i) {
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
            let start = after.map_or(0, |a| a + 1);
            for i in start..n {
                if !take(i) {
                    break;
                }
            }
        }
        out
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
    let read = move || -> Result<Option<NameOrder>> {
        let conn = Connection::open_with_flags(
            &path,
            OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )?;
        conn.busy_timeout(std::time::Duration::from_secs(5))?;
        NameOrder::read(&conn)
    };
    let spawned = std::thread::Builder::new().name("vitrina-name-order".into()).spawn(move || {
        // A copy that could not be read leaves the lists to the index, as before.
        let order = read().ok().flatten().map(Arc::new);
        if let Ok(mut slot) = slot.lock() {
            *slot = Some((generation, order));
        }
    });
    if let Err(e) = spawned {
        tracing::debug!(error = %e, "the name order's thread did not start");
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
    /// The copy of the name order for the connection's current generation, if it is ready;
    /// else asks for it (once per generation) and returns `None`.
    fn name_order(&self) -> Result<Option<Arc<NameOrder>>> {
        let Some(generation) = self.memo.generation() else { return Ok(None) };
        let memo = &self.memo.name_order;
        if let Some((g, order)) = memo.kept.borrow().as_ref()
            && *g == generation
        {
            return Ok(order.clone());
        }
        // A copy read since, for this generation or (stale) for an earlier one.
        let done = memo.slot.lock().ok().and_then(|mut s| s.take());
        if let Some((g, order)) = done {
            memo.asked.set(None);
            if g == generation {
                *memo.kept.borrow_mut() = Some((g, order.clone()));
                return Ok(order);
            }
        }
        #[cfg(test)]
        if let Some(now) = TEST_NOW.with(std::cell::Cell::get) {
            if !now {
                return Ok(None);
            }
            let order = NameOrder::read(self.db())?.map(Arc::new);
            *memo.kept.borrow_mut() = Some((generation, order.clone()));
            return Ok(order);
        }
        if memo.asked.get().is_none() && self.rid_span()? >= few() {
            memo.asked.set(Some(generation));
            read_apart(self.path().to_path_buf(), generation, memo.slot.clone());
        }
        Ok(None)
    }

    /// The page of `query` read from the copy of the name order, when the list is one it
    /// answers (sorted by name, with a text, filtered on nothing but price, stock and status)
    /// and the copy is ready; `None` otherwise, for the index to answer.
    pub(crate) fn keys_by_name_order(
        &self,
        query: &ListQuery,
        text: Option<&str>,
        after: Option<&(Value, i64)>,
        limit: u64,
    ) -> Result<Option<Vec<(i64, Value)>>> {
        let f = &query.filter;
        let answers = query.sort == SortKey::Name
            && f.category.is_none()
            && f.brand.as_ref().is_none_or(|b| b.trim().is_empty())
            && f.supplier.is_none();
        let Some(text) = text.filter(|_| answers) else { return Ok(None) };
        let Some(order) = self.name_order()? else { return Ok(None) };
        let set = self.text_set(text)?;
        let after = match after {
            None => None,
            // The cursor's row where the copy has it, and with the name it was read with.
            Some((value, rid)) => {
                let Some(position) = order.position(*rid) else { return Ok(None) };
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
        let keep = keep_of(f, &set);
        let rids = order.page(&keep, after, query.descending, usize::try_from(limit).unwrap_or(usize::MAX));
        Ok(Some(self.name_keys(&rids)?))
    }

    /// (rid, name key) of each of `rids`, in their order.
    fn name_keys(&self, rids: &[i64]) -> Result<Vec<(i64, Value)>> {
        let list = rids.iter().map(i64::to_string).collect::<Vec<_>>().join(",");
        let mut names: std::collections::HashMap<i64, Value> = self
            .db()
            .prepare_cached(
                "SELECT rid, name_key FROM products WHERE rid IN (SELECT value FROM json_each(?1))",
            )?
            .query_map([format!("[{list}]")], |r| Ok((r.get(0)?, r.get(1)?)))?
            .collect::<rusqlite::Result<_>>()?;
        Ok(rids.iter().filter_map(|rid| names.remove(rid).map(|name| (*rid, name))).collect())
    }

    /// Whether the copy of the name order answers this list now (benchmarks print it).
    pub(crate) fn name_order_answers(&self, filter: &Filter, sort: SortKey) -> Result<bool> {
        let query = ListQuery { filter: filter.clone(), sort, ..ListQuery::default() };
        let conds = self.conds(filter)?;
        let text = conds.text().filter(|_| !conds.has_letter() && !conds.nothing);
        Ok(text.is_some()
            && query.sort == SortKey::Name
            && filter.category.is_none()
            && filter.supplier.is_none()
            && filter.brand.as_ref().is_none_or(|b| b.trim().is_empty())
            && self
                .memo
                .name_order
                .kept
                .borrow()
                .as_ref()
                .is_some_and(|(g, o)| o.is_some() && Some(*g) == self.memo.generation()))
    }
}

fn keep_of<'a>(f: &Filter, text: &'a RidSet) -> Keep<'a> {
    Keep {
        price: (f.price_min.unwrap_or(i64::MIN), f.price_max.unwrap_or(i64::MAX)),
        stock: f.in_stock,
        status: f.status.and_then(|s| STATUSES.iter().position(|x| *x == s)).map(|i| i as u8),
        text,
    }
}

/// What a connection's memo keeps of the name order.
#[derive(Debug, Default)]
pub(crate) struct NameOrderMemo {
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
    use vitrina_domain::{FieldValue, Money, Product, ProductDraft};

    fn skus(c: &Catalog, q: &ListQuery) -> Vec<String> {
        let mut out = Vec::new();
        let mut q = q.clone();
        loop {
            let page = c.list(&q).unwrap();
            out.extend(page.rows.into_iter().map(|r| r.sku));
            match page.next {
                Some(next) => q.after = Some(next),
                None => return out,
            }
        }
    }

    /// Waits until the copy read apart answers `q` (it was asked for by the lists before).
    fn until_the_copy_answers(c: &Catalog, q: &ListQuery) {
        for _ in 0..500 {
            c.list(q).unwrap();
            if c.list_access(&q.filter, q.sort).unwrap() == "NameOrder" {
                return;
            }
            std::thread::sleep(std::time::Duration::from_millis(10));
        }
        panic!("the copy of the name order was not read");
    }

    /// The copy is read apart once a list asks for it, answers the lists with a text by name
    /// while the catalog is unchanged, and is never used after a change: the lists walk the
    /// index until the copy read after it is ready, and both give what the catalog holds.
    #[test]
    fn the_copy_of_the_name_order_answers_only_the_catalog_it_was_read_from() {
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
        assert_ne!(c.list_access(&q.filter, q.sort).unwrap(), "NameOrder", "stale after a change");
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
