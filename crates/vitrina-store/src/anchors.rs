//! Anchors for a table that scrolls anywhere in a long list.
//!
//! A scrollbar asks for "the rows at position 734 512", and lists have no OFFSET. One walk of
//! the sort index (sort value and rid only, no row data) keeps a keyset cursor every `every`
//! rows; the rows at any position are then one keyset page after the nearest anchor.

use rusqlite::types::Value;

use crate::catalog::Catalog;
use crate::error::Result;
use crate::list::{Cursor, Filter, ListQuery, SortKey, encode_cursor, where_clause};

/// Keyset cursors every `every` rows of one filtered, sorted list.
#[derive(Debug, Clone, PartialEq)]
pub struct Anchors {
    pub every: u32,
    /// Rows walked: all matching rows, or `cap` when there were more (then `exact` is false).
    pub total: u64,
    pub exact: bool,
    /// `cursors[i]` starts the page at position `(i + 1) * every`.
    pub cursors: Vec<Cursor>,
}

impl Anchors {
    /// The cursor to start from for `position`, and how many rows to skip after it.
    pub fn locate(&self, position: u64) -> (Option<Cursor>, u64) {
        let every = u64::from(self.every.max(1));
        let block = position / every;
        let skip = position % every;
        match block.checked_sub(1).and_then(|i| self.cursors.get(i as usize)) {
            Some(c) => (Some(c.clone()), skip),
            None if block == 0 => (None, skip),
            // Past the anchors (the list grew since): start from the last one.
            None => match self.cursors.last() {
                Some(c) => (Some(c.clone()), position - every * self.cursors.len() as u64),
                None => (None, position),
            },
        }
    }
}

impl Catalog {
    /// Walks the rows matching `filter` in `sort` order, up to `cap` rows, keeping a cursor
    /// every `every` rows.
    pub fn anchors(
        &self,
        filter: &Filter,
        sort: SortKey,
        descending: bool,
        every: u32,
        cap: u64,
    ) -> Result<Anchors> {
        let every = every.max(1);
        if filter.text.is_some() {
            // Through the list's own reading (its text's set, its plan); a text's list is
            // anchored up to a cap of a thousand or so rows.
            let query = ListQuery { filter: filter.clone(), sort, descending, after: None, limit: 0 };
            let keys = self.list_keys(&query, cap.saturating_add(1))?;
            let exact = keys.len() as u64 <= cap;
            let total = (keys.len() as u64).min(cap);
            let cursors = keys
                .iter()
                .take(total as usize)
                .enumerate()
                .filter(|(i, _)| (*i as u64 + 1).is_multiple_of(u64::from(every)))
                .map(|(_, (rid, v))| encode_cursor(v, *rid))
                .collect();
            return Ok(Anchors { every, total, exact, cursors });
        }
        let col = sort.column();
        let (conds, args) = self.filter_sql(filter)?;
        let dir = if descending { "DESC" } else { "ASC" };
        let sql = format!(
            "SELECT {col}, p.rid FROM products p {} ORDER BY {col} {dir}, p.rid {dir} LIMIT {}",
            where_clause(&conds),
            cap.saturating_add(1).min(i64::MAX as u64)
        );
        let mut stmt = self.db().prepare_cached(&sql)?;
        let mut rows = stmt.query(rusqlite::params_from_iter(args))?;
        let mut cursors = Vec::new();
        let mut n: u64 = 0;
        while let Some(r) = rows.next()? {
            if n == cap {
                return Ok(Anchors { every, total: cap, exact: false, cursors });
            }
            n += 1;
            if n.is_multiple_of(u64::from(every)) {
                let value: Value = r.get(0)?;
                cursors.push(encode_cursor(&value, r.get(1)?));
            }
        }
        Ok(Anchors { every, total: n, exact: true, cursors })
    }

    /// How many products match `filter`, counting no further than `cap`; true when exact.
    pub fn count_capped(&self, filter: &Filter, cap: u64) -> Result<(u64, bool)> {
        if filter.text.is_some() {
            // Read as a list reads it (see `Catalog::list_keys`), in the order that reads the
            // fewest entries: by name when a price range or "out of stock" is tested (the name
            // index carries price and stock; the date index does not, and its walk reads rows),
            // else newest first (a catalog's names cluster by kind, a text's products in a few
            // stretches of the name order; dates cluster far less). Measured on the 1M bench
            // catalog: docs/benchmarks.md.
            let by_name =
                filter.price_min.is_some() || filter.price_max.is_some() || filter.in_stock == Some(false);
            let sort = if by_name { SortKey::Name } else { SortKey::Updated };
            let query =
                ListQuery { filter: filter.clone(), sort, descending: !by_name, after: None, limit: 0 };
            let n = self.list_keys(&query, cap.saturating_add(1))?.len() as u64;
            return Ok((n.min(cap), n <= cap));
        }
        let (conds, args) = self.filter_sql(filter)?;
        let sql = format!(
            "SELECT count(*) FROM (SELECT 1 FROM products p {} LIMIT {})",
            where_clause(&conds),
            cap.saturating_add(1).min(i64::MAX as u64)
        );
        let n: i64 =
            self.db().prepare_cached(&sql)?.query_row(rusqlite::params_from_iter(args), |r| r.get(0))?;
        let n = n as u64;
        Ok((n.min(cap), n <= cap))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::list::ListQuery;
    use vitrina_domain::{Money, Product, ProductDraft};

    #[test]
    fn a_page_after_an_anchor_holds_the_rows_at_that_position() {
        let dir = tempfile::tempdir().unwrap();
        let mut catalog = Catalog::open(dir.path().join("c.db")).unwrap();
        for i in 0..53 {
            let p = Product::new(ProductDraft {
                sku: format!("SKU-{i:03}"),
                name: format!("Товар {}", (i * 7) % 53),
                price: Money::rub(1000 + (i % 5) * 100),
            })
            .unwrap();
            catalog.create_product(&p).unwrap();
        }
        for (sort, desc) in [(SortKey::Name, false), (SortKey::Price, true)] {
            let all = catalog
                .list(&ListQuery { sort, descending: desc, limit: 1000, ..Default::default() })
                .unwrap()
                .rows;
            let anchors = catalog.anchors(&Filter::default(), sort, desc, 10, 1_000_000).unwrap();
            assert_eq!((anchors.total, anchors.exact, anchors.cursors.len()), (53, true, 5));
            for position in [0u64, 9, 10, 11, 37, 50, 52] {
                let (after, skip) = anchors.locate(position);
                let page = catalog
                    .list(&ListQuery {
                        sort,
                        descending: desc,
                        after,
                        limit: skip as u32 + 1,
                        ..Default::default()
                    })
                    .unwrap();
                let row = &page.rows[skip as usize];
                assert_eq!(row.sku, all[position as usize].sku, "{sort:?} {position}");
            }
        }
        let capped = catalog.anchors(&Filter::default(), SortKey::Name, false, 10, 20).unwrap();
        assert_eq!((capped.total, capped.exact, capped.cursors.len()), (20, false, 2));
        assert_eq!(catalog.count_capped(&Filter::default(), 20).unwrap(), (20, false));
        assert_eq!(catalog.count_capped(&Filter::default(), 100).unwrap(), (53, true));
    }
}
