//! Filtered, sorted product lists with keyset pagination, and ranked search.
//!
//! Every page starts after the previous page's last (sort value, rid), so page 20 000 costs
//! what page 1 costs; there is no OFFSET anywhere. Which index reads a list is decided in
//! `plan.rs`; searches (and their corrections) are in `search.rs`.

mod columns;
pub(crate) mod plan;
mod read;
mod search;
mod text_set;

use rusqlite::types::Value;
use serde::{Deserialize, Serialize};
use vitrina_domain::{CategoryId, Money, ProductId, ProductStatus, SupplierId};

use crate::catalog::Catalog;
use crate::error::{Result, StoreError};
use crate::rows::{currency_of, status_of, uuid_of};
use crate::search::Correction;

pub(crate) use columns::ColumnsMemo;
pub(crate) use plan::Access;
pub(crate) use text_set::{TextSets, register as register_functions};

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Filter {
    /// The category and everything below it.
    pub category: Option<CategoryId>,
    pub brand: Option<String>,
    pub supplier: Option<SupplierId>,
    /// Minor units, inclusive.
    pub price_min: Option<i64>,
    pub price_max: Option<i64>,
    /// `Some(true)`: stock > 0; `Some(false)`: out of stock.
    pub in_stock: Option<bool>,
    pub status: Option<ProductStatus>,
    /// Words that must all appear (word forms and prefixes match).
    pub text: Option<String>,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SortKey {
    #[default]
    Name,
    Price,
    Stock,
    Updated,
}

impl SortKey {
    pub(crate) fn column(&self) -> &'static str {
        match self {
            SortKey::Name => "p.name_key",
            SortKey::Price => "p.price",
            SortKey::Stock => "p.stock",
            SortKey::Updated => "p.updated_at",
        }
    }
}

/// Where the next page starts: the last row's sort value and rid, opaque to callers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Cursor(pub String);

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ListQuery {
    #[serde(default)]
    pub filter: Filter,
    #[serde(default)]
    pub sort: SortKey,
    #[serde(default)]
    pub descending: bool,
    pub after: Option<Cursor>,
    pub limit: u32,
}

/// One row of a product list: what a table shows.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ProductRow {
    pub id: ProductId,
    pub sku: String,
    pub name: String,
    pub brand: String,
    pub category: Option<String>,
    pub price: Money,
    pub old_price: Option<Money>,
    pub stock: i64,
    pub status: ProductStatus,
    /// UTC milliseconds since the Unix epoch.
    pub updated_at: i64,
    pub image: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Page {
    pub rows: Vec<ProductRow>,
    /// `None` on the last page.
    pub next: Option<Cursor>,
}

const ROW_COLUMNS: &str = "p.rid, p.id, p.sku, p.name, p.brand, c.name, p.currency, p.price, p.old_price, p.stock, \
     p.status, p.updated_at, p.image, ";

fn row(r: &rusqlite::Row<'_>) -> rusqlite::Result<(i64, ProductRow, Value)> {
    let currency = currency_of(&r.get::<_, String>(6)?);
    Ok((
        r.get(0)?,
        ProductRow {
            id: ProductId(uuid_of(r, 1)?),
            sku: r.get(2)?,
            name: r.get(3)?,
            brand: r.get(4)?,
            category: r.get(5)?,
            price: Money::new(r.get(7)?, currency),
            old_price: r.get::<_, Option<i64>>(8)?.map(|m| Money::new(m, currency)),
            stock: r.get(9)?,
            status: status_of(&r.get::<_, String>(10)?),
            updated_at: r.get(11)?,
            image: r.get(12)?,
        },
        r.get(13)?,
    ))
}

/// Ranked search results and how many products match in all.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SearchResult {
    pub rows: Vec<ProductRow>,
    /// Matches in all, counted up to [`COUNT_CAP`].
    pub total: u64,
    /// False when there are more than [`COUNT_CAP`] matches ("10 000+").
    pub total_is_exact: bool,
    /// What was searched besides or instead of the query as typed (see [`Correction`]).
    pub correction: Option<Correction>,
}

/// Searches with at most this many matches are ranked by relevance.
pub const RANKED_MATCHES: u64 = 1_000;
/// Counting stops here: past it a person reads "1 000+", and counting on costs time.
pub const COUNT_CAP: u64 = 1_000;

impl Catalog {
    /// One page of products matching `query.filter`, in `query.sort` order.
    pub fn list(&self, query: &ListQuery) -> Result<Page> {
        let limit = query.limit.clamp(1, 1000);
        let keys = self.list_keys(query, u64::from(limit) + 1)?;
        let mut rows = self.rows_of(&keys)?;
        let next = if rows.len() > limit as usize {
            rows.truncate(limit as usize);
            keys.get(limit as usize - 1).map(|(rid, v)| encode_cursor(v, *rid))
        } else {
            None
        };
        Ok(Page { rows, next })
    }

    /// (rid, sort value) of up to `limit` rows of the list after `query.after`, read the way
    /// `plan.rs` chose (the page's rows are not read). Counts and anchors of a list with a text
    /// read its matches so too: through the text's set and the list's indexes, where SQLite's
    /// `IN (SELECT rowid … MATCH)` would read every match into a temporary b-tree first
    /// (1.5 s for "кроссовки" with a price range that none of them has).
    pub(crate) fn list_keys(&self, query: &ListQuery, limit: u64) -> Result<Vec<(i64, Value)>> {
        let conds = self.conds(&query.filter)?;
        // The index that read this list last time (a table asks for its pages one by one), or
        // a new plan; a walk that had to give up is remembered as the collection that followed.
        self.memo.refresh(self.db())?;
        let after = query.after.as_ref().map(|Cursor(c)| decode_cursor(c)).transpose()?;
        // A text: from the copy of the list columns in memory, when it is ready.
        if let Some(keys) = self.keys_in_memory(query, &conds, after.as_ref(), limit)? {
            return Ok(keys);
        }
        let key = format!("{:?}|{:?}|{}", query.filter, query.sort, query.descending);
        let known = self.memo.plans.borrow().get(&key).copied();
        let access = match known {
            Some(access) => access,
            None => self.plan(&conds, query.sort)?,
        };
        // A letter in a catalog indexed before migration 0011 is tested on the name each entry
        // read carries, and by the set of the title's words starting with it once a walk found
        // it too rarely (in other catalogs it is the text of its initial's term).
        let by_set = conds.has_letter() && self.memo.letters_by_set.borrow().contains(&key);
        let conds = if by_set { conds.letter_as_set() } else { conds };
        if let Some(expr) = conds.text() {
            self.text_set(expr)?;
        }
        let (keys, used, letter_by_set) =
            self.keys(&conds, access, query.sort, query.descending, after, limit)?;
        if letter_by_set {
            self.memo.letters_by_set.borrow_mut().insert(key.clone());
        }
        let mut plans = self.memo.plans.borrow_mut();
        if plans.len() > 256 {
            plans.clear();
            self.memo.letters_by_set.borrow_mut().clear();
        }
        plans.insert(key, used);
        Ok(keys)
    }

    /// Forgets what lists and searches remembered (plans, the sets of texts' matches, brands),
    /// as a change of the search index does: benchmarks time a first page as typed just then.
    /// The copy of the list columns (`list/columns.rs`) stays: it is the catalog's state, not
    /// what was typed, and goes when the catalog changes.
    pub fn forget_memo(&self) {
        self.memo.forget();
    }

    /// Which index reads the list of `filter` in `sort` order, in words (benchmarks print it
    /// beside their slowest pages).
    pub fn list_access(&self, filter: &Filter, sort: SortKey) -> Result<String> {
        self.memo.refresh(self.db())?;
        if self.answered_in_memory(&ListQuery { filter: filter.clone(), sort, ..ListQuery::default() })? {
            return Ok("InMemory".into());
        }
        let known = self
            .memo
            .plans
            .borrow()
            .iter()
            .find(|(k, _)| k.starts_with(&format!("{filter:?}|{sort:?}|")))
            .map(|(_, a)| *a);
        match known {
            Some(a) => Ok(format!("{a:?}")),
            None => Ok(format!("{:?}", self.plan(&self.conds(filter)?, sort)?)),
        }
    }

    /// The rows of `keys`, in their order.
    fn rows_of(&self, keys: &[(i64, Value)]) -> Result<Vec<ProductRow>> {
        if keys.is_empty() {
            return Ok(Vec::new());
        }
        let rids: Vec<i64> = keys.iter().map(|(rid, _)| *rid).collect();
        let mut by_rid = self.rows_by_rid(&rids)?;
        Ok(rids.iter().filter_map(|rid| by_rid.remove(rid)).collect())
    }

    /// The rows with these rids, by rid.
    pub(crate) fn rows_by_rid(&self, rids: &[i64]) -> Result<std::collections::HashMap<i64, ProductRow>> {
        let list = serde_json::to_string(rids).map_err(|e| StoreError::InvalidCursor(e.to_string()))?;
        let sql = format!(
            "SELECT {ROW_COLUMNS} 0 FROM products p LEFT JOIN categories c ON c.rid = p.category_rid \
             WHERE p.rid IN (SELECT value FROM json_each(?1))"
        );
        let mut stmt = self.db().prepare_cached(&sql)?;
        let rows = stmt.query_map([list], row)?;
        let mut out = std::collections::HashMap::with_capacity(rids.len());
        for r in rows {
            let (rid, row, _) = r?;
            out.insert(rid, row);
        }
        Ok(out)
    }

    /// A cursor that starts a page right after the product with local row `rid` in `sort`
    /// order (benchmarks use it to jump deep into a list).
    pub fn cursor_at(&self, rid: i64, sort: SortKey) -> Result<Cursor> {
        let sql = format!("SELECT {} FROM products p WHERE p.rid = ?1", sort.column());
        let value: Value = self.db().query_row(&sql, [rid], |r| r.get(0))?;
        Ok(encode_cursor(&value, rid))
    }

    /// How many products match `filter` (for a table's scrollbar and the status line).
    pub fn count(&self, filter: &Filter) -> Result<u64> {
        let (conds, args) = self.filter_sql(filter)?;
        let sql = format!("SELECT count(*) FROM products p {}", where_clause(&conds));
        let n: i64 =
            self.db().prepare_cached(&sql)?.query_row(rusqlite::params_from_iter(args), |r| r.get(0))?;
        Ok(n as u64)
    }

    /// WHERE terms for `f`, each written so that SQLite may use its index.
    pub(crate) fn filter_sql(&self, f: &Filter) -> Result<(Vec<String>, Vec<Value>)> {
        // Every term plain: SQLite picks among their indexes, as suits a count.
        Ok(self.conds(f)?.sql_all_driving())
    }
}

/// The SKUs of every page of `q`, following the cursors (tests).
#[cfg(test)]
pub(crate) fn skus_of_all_pages(c: &Catalog, q: &ListQuery) -> Vec<String> {
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

pub(crate) fn where_clause(conds: &[String]) -> String {
    if conds.is_empty() { String::new() } else { format!("WHERE {}", conds.join(" AND ")) }
}

pub(crate) fn encode_cursor(value: &Value, rid: i64) -> Cursor {
    let v = match value {
        Value::Integer(i) => serde_json::json!(i),
        Value::Text(t) => serde_json::json!(t),
        Value::Real(r) => serde_json::json!(r),
        _ => serde_json::Value::Null,
    };
    Cursor(serde_json::json!([v, rid]).to_string())
}

fn decode_cursor(c: &str) -> Result<(Value, i64)> {
    let bad = || StoreError::InvalidCursor(c.to_string());
    let (v, rid): (serde_json::Value, i64) = serde_json::from_str(c).map_err(|_| bad())?;
    let value = match v {
        serde_json::Value::Number(n) if n.is_i64() => Value::Integer(n.as_i64().unwrap_or_default()),
        serde_json::Value::String(s) => Value::Text(s),
        _ => return Err(bad()),
    };
    Ok((value, rid))
}
