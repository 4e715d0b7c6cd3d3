//! Filtered, sorted product lists with keyset pagination, and ranked search.
//!
//! Every page is an index range that starts after the previous page's last (sort value, rid),
//! so page 20 000 costs what page 1 costs; there is no OFFSET anywhere.

use rusqlite::types::Value;
use serde::{Deserialize, Serialize};
use vitrina_domain::{CategoryId, Money, ProductId, ProductStatus, SupplierId};

use crate::catalog::Catalog;
use crate::error::{Result, StoreError};
use crate::rows::{currency_of, status_of, uuid_of};
use crate::search::{MatchExpr, Stems, match_expression};

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
}

/// Searches with at most this many matches are ranked by relevance.
pub const RANKED_MATCHES: u64 = 1_000;
/// A filter passing at most this many products is served from its own index and sorted; a
/// broader one by walking the sort index.
pub const SELECTIVE_ROWS: u64 = 10_000;
/// Counting stops here: past it a person reads "1 000+", and counting on costs time.
pub const COUNT_CAP: u64 = 1_000;

impl Catalog {
    /// One page of products matching `query.filter`, in `query.sort` order.
    pub fn list(&self, query: &ListQuery) -> Result<Page> {
        let limit = query.limit.clamp(1, 1000);
        let col = query.sort.column();
        // A filter that keeps many rows is cheapest to serve by walking the sort index and
        // skipping rows that fail it; one that keeps few, by collecting those rows and sorting
        // them. SQLite's planner cannot know which from sampled statistics, so we count (up
        // to a cap) and tell it.
        // Only for filters that are independent of the sort order (stock, status, price): a
        // brand or category clusters in price and name, and walking would skip half the index.
        let f = &query.filter;
        let clustered = f.brand.is_some() || f.category.is_some() || f.supplier.is_some() || f.text.is_some();
        let walk_sort_index = !clustered && !self.is_selective(f)?;
        let (conds, args) = self.filter_sql_for(&query.filter, walk_sort_index.then_some(query.sort))?;
        let dir = if query.descending { "DESC" } else { "ASC" };
        let page = |extra: &[String],
                    extra_args: &[Value],
                    n: u32|
         -> Result<Vec<(i64, ProductRow, Value)>> {
            let all: Vec<String> = conds.iter().chain(extra).cloned().collect();
            let sql = format!(
                "SELECT {ROW_COLUMNS} {col} FROM products p LEFT JOIN categories c ON c.rid = p.category_rid {} \
                 ORDER BY {col} {dir}, p.rid {dir} LIMIT {n}",
                where_clause(&all),
            );
            let mut stmt = self.db().prepare_cached(&sql)?;
            let bound = args.iter().chain(extra_args).cloned();
            Ok(stmt.query_map(rusqlite::params_from_iter(bound), row)?.collect::<rusqlite::Result<_>>()?)
        };
        let mut rows = match &query.after {
            None => page(&[], &[], limit + 1)?,
            // After a cursor: first the rest of its sort value's rows, then the values past it.
            // (SQLite seeks a row value `(col, rid) > (?, ?)` by its first column only, so one
            // query would walk every row sharing the cursor's value: all of them when the
            // catalog was imported at one instant and sorted by date.)
            Some(Cursor(c)) => {
                let (value, rid): (Value, i64) = decode_cursor(c)?;
                let op = if query.descending { "<" } else { ">" };
                let mut rows = page(
                    &[format!("{col} = ?"), format!("p.rid {op} ?")],
                    &[value.clone(), Value::Integer(rid)],
                    limit + 1,
                )?;
                if rows.len() <= limit as usize {
                    let rest = limit + 1 - rows.len() as u32;
                    rows.extend(page(&[format!("{col} {op} ?")], &[value], rest)?);
                }
                rows
            }
        };
        let next = if rows.len() > limit as usize {
            rows.truncate(limit as usize);
            rows.last().map(|(rid, _, v)| encode_cursor(v, *rid))
        } else {
            None
        };
        Ok(Page { rows: rows.into_iter().map(|(_, r, _)| r).collect(), next })
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

    /// The best `limit` matches for a typed query. Up to [`RANKED_MATCHES`] matches are ranked
    /// (name, brand, SKU and barcodes weigh ten times the description and characteristics);
    /// beyond that every match contains the words anyway and ranking them all would cost
    /// hundreds of milliseconds, so title matches come first, newest first, then the rest.
    pub fn search(&self, text: &str, limit: u32) -> Result<SearchResult> {
        let Some(MatchExpr(expr)) = match_expression(text, &mut Stems::new()) else {
            return Ok(SearchResult { rows: Vec::new(), total: 0, total_is_exact: true });
        };
        let limit = limit.clamp(1, 1000);
        let total = self.count_matches(&expr)?;
        let ranked = total <= RANKED_MATCHES;
        let fts = if ranked {
            "SELECT rowid, rank AS score FROM products_fts WHERE products_fts MATCH ?1 ORDER BY rank LIMIT ?2"
                .to_string()
        } else {
            // Title matches first (score 0), then body-only matches (score 1), newest first.
            "SELECT rowid, 0 AS score FROM products_fts WHERE products_fts MATCH '{title} : (' || ?1 || ')' \
             ORDER BY rowid DESC LIMIT ?2"
                .to_string()
        };
        let sql = format!(
            "SELECT {ROW_COLUMNS} f.score FROM ({fts}) f JOIN products p ON p.rid = f.rowid \
             LEFT JOIN categories c ON c.rid = p.category_rid ORDER BY f.score, p.rid DESC"
        );
        let mut rows: Vec<(i64, ProductRow, Value)> = self
            .db()
            .prepare_cached(&sql)?
            .query_map(rusqlite::params![expr, limit], row)?
            .collect::<rusqlite::Result<_>>()?;
        if !ranked && rows.len() < limit as usize {
            let sql = format!(
                "SELECT {ROW_COLUMNS} 1 FROM (SELECT rowid FROM products_fts WHERE products_fts MATCH ?1 \
                 ORDER BY rowid DESC LIMIT ?2) f JOIN products p ON p.rid = f.rowid \
                 LEFT JOIN categories c ON c.rid = p.category_rid ORDER BY p.rid DESC"
            );
            let seen: std::collections::HashSet<i64> = rows.iter().map(|(rid, _, _)| *rid).collect();
            let more: Vec<(i64, ProductRow, Value)> = self
                .db()
                .prepare_cached(&sql)?
                .query_map(rusqlite::params![expr, limit], row)?
                .collect::<rusqlite::Result<_>>()?;
            rows.extend(
                more.into_iter().filter(|(rid, _, _)| !seen.contains(rid)).take(limit as usize - rows.len()),
            );
        }
        Ok(SearchResult {
            rows: rows.into_iter().map(|(_, r, _)| r).collect(),
            total: total.min(COUNT_CAP),
            total_is_exact: total <= COUNT_CAP,
        })
    }

    /// Matches of a match expression, counted up to [`COUNT_CAP`] + 1.
    fn count_matches(&self, expr: &str) -> Result<u64> {
        let n: i64 = self
            .db()
            .prepare_cached(
                "SELECT count(*) FROM (SELECT 1 FROM products_fts WHERE products_fts MATCH ?1 LIMIT ?2)",
            )?
            .query_row(rusqlite::params![expr, COUNT_CAP as i64 + 1], |r| r.get(0))?;
        Ok(n as u64)
    }

    /// Whether at most [`SELECTIVE_ROWS`] products pass `filter` (an empty filter passes all).
    fn is_selective(&self, f: &Filter) -> Result<bool> {
        if *f == Filter::default() {
            return Ok(false);
        }
        let (conds, args) = self.filter_sql(f)?;
        let sql = format!("SELECT count(*) FROM (SELECT 1 FROM products p {} LIMIT ?)", where_clause(&conds));
        let mut args = args;
        args.push(Value::Integer(SELECTIVE_ROWS as i64 + 1));
        let n: i64 =
            self.db().prepare_cached(&sql)?.query_row(rusqlite::params_from_iter(args), |r| r.get(0))?;
        Ok(n as u64 <= SELECTIVE_ROWS)
    }

    pub(crate) fn filter_sql(&self, f: &Filter) -> Result<(Vec<String>, Vec<Value>)> {
        self.filter_sql_for(f, None)
    }

    /// WHERE terms for `f`. With `walk` set, terms on other columns than the sort key are
    /// written `+column`, which keeps SQLite from driving the query by their indexes.
    fn filter_sql_for(&self, f: &Filter, walk: Option<SortKey>) -> Result<(Vec<String>, Vec<Value>)> {
        let on = |col: &str| -> String {
            match walk {
                Some(sort) if sort.column() != col => format!("+{col}"),
                _ => col.to_string(),
            }
        };
        let mut conds = Vec::new();
        let mut args = Vec::new();
        if let Some(id) = f.category {
            let (lo, hi) = self.subtree_range(id)?;
            let rids: Vec<i64> = self
                .db()
                .prepare_cached("SELECT rid FROM categories WHERE tree_path >= ?1 AND tree_path < ?2")?
                .query_map([lo, hi], |r| r.get(0))?
                .collect::<rusqlite::Result<_>>()?;
            // One category: an equality, so (category, name) serves pages in name order.
            match rids.as_slice() {
                [one] => {
                    conds.push(format!("{} = ?", on("p.category_rid")));
                    args.push(Value::Integer(*one));
                }
                many => {
                    let list: Vec<String> = many.iter().map(i64::to_string).collect();
                    conds.push(format!("{} IN ({})", on("p.category_rid"), list.join(", ")));
                }
            }
        }
        if let Some(brand) = f.brand.as_ref().filter(|b| !b.trim().is_empty()) {
            conds.push(format!("{} = ?", on("p.brand")));
            args.push(Value::Text(brand.trim().to_string()));
        }
        if let Some(s) = f.supplier {
            conds.push(
                "EXISTS (SELECT 1 FROM supplier_offers o JOIN suppliers s ON s.rid = o.supplier_rid \
                 WHERE o.product_rid = p.rid AND s.id = ?)"
                    .into(),
            );
            args.push(Value::Blob(s.as_bytes().to_vec()));
        }
        if let Some(min) = f.price_min {
            conds.push(format!("{} >= ?", on("p.price")));
            args.push(Value::Integer(min));
        }
        if let Some(max) = f.price_max {
            conds.push(format!("{} <= ?", on("p.price")));
            args.push(Value::Integer(max));
        }
        match f.in_stock {
            Some(true) => conds.push(format!("{} > 0", on("p.stock"))),
            Some(false) => conds.push(format!("{} = 0", on("p.stock"))),
            None => {}
        }
        if let Some(status) = f.status {
            conds.push(format!("{} = ?", on("p.status")));
            args.push(Value::Text(status.code().into()));
        }
        if let Some(text) = f.text.as_deref() {
            match match_expression(text, &mut Stems::new()) {
                Some(MatchExpr(expr)) => {
                    conds.push(format!(
                        "{} IN (SELECT rowid FROM products_fts WHERE products_fts MATCH ?)",
                        on("p.rid")
                    ));
                    args.push(Value::Text(expr));
                }
                None if !text.trim().is_empty() => conds.push("0".into()), // only punctuation: nothing matches
                None => {}
            }
        }
        Ok((conds, args))
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
