//! The catalog read for an export: every product a selection keeps, whole (details, barcodes,
//! variant group), streamed row by row from one read transaction, never the whole catalog in
//! memory. Feeds, price lists and documents all read through [`Catalog::export_each`].

use std::collections::HashSet;
use std::ops::ControlFlow;

use rusqlite::types::Value;
use serde::{Deserialize, Serialize};
use vitrina_domain::{Attribute, CategoryId, ProductId, ProductStatus, SupplierId};

mod read;

use crate::catalog::Catalog;
use crate::error::Result;
use crate::list::where_clause;

/// Which products an export takes; empty lists and `None` keep everything.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Selection {
    /// Categories, each with everything below it.
    pub categories: Vec<CategoryId>,
    pub brands: Vec<String>,
    /// Products at least one of these suppliers offers.
    pub suppliers: Vec<SupplierId>,
    pub statuses: Vec<ProductStatus>,
    /// Only products with stock > 0.
    pub in_stock_only: bool,
    /// Minor units, inclusive.
    pub price_min: Option<i64>,
    pub price_max: Option<i64>,
    /// Exactly these SKUs (a selection in the table, one product's document).
    pub skus: Vec<String>,
    /// Only products changed at or after this UTC ms (incremental price and stock pushes; the
    /// `products_by_updated` index serves it).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub updated_since: Option<i64>,
}

/// The order rows arrive in.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum ExportOrder {
    /// Storage order: the fastest walk, for feeds.
    #[default]
    Storage,
    /// By category (products without one last), then by name: for price lists people read.
    Category,
    /// The variants of one product together, the first created first: for cards that hold a
    /// whole variant group (a Wildberries card with its sizes).
    Group,
}

/// One category of the tree as feeds number it: `id` is the local row id (a positive integer,
/// stable for the life of the catalog, as YML wants).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExportCategory {
    pub id: u64,
    /// The category's UUID, what outlives the local row id (marketplace category maps key on it).
    pub uuid: CategoryId,
    pub parent: Option<u64>,
    pub name: String,
}

/// One product as an export reads it. Buffers are reused from row to row.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ExportRow {
    pub rid: i64,
    /// The product's UUID: what marketplace links key on.
    pub id: ProductId,
    /// UTC ms of the last change (incremental pushes start from it).
    pub updated_at: i64,
    pub sku: String,
    pub name: String,
    /// Sanitized HTML.
    pub description: String,
    pub brand: String,
    pub model: String,
    /// [`ExportCategory::id`] of the product's category.
    pub category: Option<u64>,
    /// The same number for every variant of one product (the smallest row id of its variant
    /// group): positive, at most 9 digits for any catalog under a billion rows, stable while
    /// that product stays.
    pub group: Option<u64>,
    pub currency: String,
    pub price: i64,
    pub old_price: Option<i64>,
    pub stock: i64,
    pub status: String,
    pub weight_g: Option<u32>,
    pub dimensions_mm: Option<[u32; 3]>,
    pub attributes: Vec<Attribute>,
    pub images: Vec<String>,
    pub barcodes: Vec<String>,
}

impl Catalog {
    /// The category tree with feed ids, parents before children.
    pub fn export_categories(&self) -> Result<Vec<ExportCategory>> {
        let mut stmt = self
            .db()
            .prepare_cached("SELECT rid, parent_rid, name, id FROM categories ORDER BY tree_path")?;
        let rows = stmt.query_map([], |r| {
            Ok(ExportCategory {
                id: r.get::<_, i64>(0)? as u64,
                parent: r.get::<_, Option<i64>>(1)?.map(|p| p as u64),
                name: r.get(2)?,
                uuid: CategoryId::from_bytes(r.get(3)?),
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// How many products `selection` keeps.
    pub fn export_count(&self, selection: &Selection) -> Result<u64> {
        let (conds, args) = self.selection_sql(selection)?;
        let sql = format!("SELECT count(*) FROM products p {}", where_clause(&conds));
        let n: i64 = self.db().prepare(&sql)?.query_row(rusqlite::params_from_iter(args), |r| r.get(0))?;
        Ok(n as u64)
    }

    /// Calls `f` with every product `selection` keeps, in `order`, until it breaks. All rows come
    /// from one read transaction: a consistent snapshot even while other connections write. The
    /// row is lent mutably so a caller that keeps it can take its buffers instead of copying.
    pub fn export_each<E>(
        &self,
        selection: &Selection,
        order: ExportOrder,
        f: impl FnMut(&mut ExportRow) -> std::result::Result<ControlFlow<()>, E>,
    ) -> std::result::Result<(), E>
    where
        E: From<crate::StoreError>,
    {
        // By category: one walk of the (category, name) index per category, in the tree's
        // order, then the products without one; sorting a million rows first would keep the
        // first row waiting for seconds.
        let passes: Vec<Pass> = match order {
            ExportOrder::Storage => vec![Pass::default()],
            ExportOrder::Group => {
                vec![Pass { order_by: "coalesce(p.variant_group, p.id), p.rid", ..Pass::default() }]
            }
            ExportOrder::Category => {
                let mut passes: Vec<_> = self
                    .categories_by_name()
                    .map_err(E::from)?
                    .into_iter()
                    .map(|rid| Pass::by_name("p.category_rid = ?", vec![Value::Integer(rid)]))
                    .collect();
                passes.push(Pass::by_name("p.category_rid IS NULL", Vec::new()));
                passes
            }
        };
        self.export_passes(selection, passes, f)
    }

    fn export_passes<E>(
        &self,
        selection: &Selection,
        passes: Vec<Pass>,
        mut f: impl FnMut(&mut ExportRow) -> std::result::Result<ControlFlow<()>, E>,
    ) -> std::result::Result<(), E>
    where
        E: From<crate::StoreError>,
    {
        let (conds, args) = self.selection_sql(selection).map_err(E::from)?;
        // A read transaction (the connection's own begin is IMMEDIATE, which would take the write
        // lock): an export never waits for an import or an edit, nor makes them wait.
        let tx = rusqlite::Transaction::new_unchecked(self.db(), rusqlite::TransactionBehavior::Deferred)
            .map_err(crate::StoreError::from)?;
        let mut row = ExportRow::default();
        for pass in passes {
            let mut conds = conds.clone();
            let mut args = args.clone();
            conds.extend(pass.conds);
            args.extend(pass.args);
            let sql = format!(
                "SELECT p.rid, p.sku, p.name, d.description, p.brand, p.model, p.category_rid,
                        CASE WHEN p.variant_group IS NULL THEN NULL
                             ELSE (SELECT min(g.rid) FROM products g WHERE g.variant_group = p.variant_group) END,
                        p.currency, p.price, p.old_price, p.stock, p.status, p.weight_g,
                        p.length_mm, p.width_mm, p.height_mm, d.attributes, d.images,
                        (SELECT group_concat(b.code, ',') FROM product_barcodes b WHERE b.product_rid = p.rid),
                        p.id, p.updated_at
                 FROM products p JOIN product_details d ON d.rid = p.rid
                 {} ORDER BY {}",
                where_clause(&conds),
                pass.order_by
            );
            let mut stmt = tx.prepare_cached(&sql).map_err(crate::StoreError::from)?;
            let mut rows = stmt.query(rusqlite::params_from_iter(args)).map_err(crate::StoreError::from)?;
            while let Some(r) = rows.next().map_err(crate::StoreError::from)? {
                read::read_row(r, &mut row).map_err(crate::StoreError::from)?;
                if f(&mut row)?.is_break() {
                    return Ok(());
                }
            }
        }
        Ok(())
    }

    /// Category row ids depth-first, parents before children, siblings by name.
    fn categories_by_name(&self) -> Result<Vec<i64>> {
        let all = self.export_categories()?;
        let mut children: std::collections::HashMap<Option<u64>, Vec<&ExportCategory>> = Default::default();
        for c in &all {
            children.entry(c.parent).or_default().push(c);
        }
        for list in children.values_mut() {
            list.sort_by_cached_key(|c| c.name.to_lowercase());
        }
        let mut out = Vec::with_capacity(all.len());
        let mut stack: Vec<&ExportCategory> =
            children.get(&None).map(|l| l.iter().rev().copied().collect()).unwrap_or_default();
        while let Some(c) = stack.pop() {
            out.push(c.id as i64);
            if let Some(kids) = children.get(&Some(c.id)) {
                stack.extend(kids.iter().rev().copied());
            }
        }
        Ok(out)
    }

    /// A test of rows against `selection` in memory, for a pass over the catalog that feeds
    /// several profiles at once (each keeps the rows its own selection would have read).
    pub fn export_matcher(&self, selection: &Selection) -> Result<RowMatcher> {
        let mut categories = None;
        if !selection.categories.is_empty() {
            let mut rids = HashSet::new();
            for id in &selection.categories {
                let (lo, hi) = self.subtree_range(*id)?;
                let mut stmt = self
                    .db()
                    .prepare_cached("SELECT rid FROM categories WHERE tree_path >= ?1 AND tree_path < ?2")?;
                for rid in stmt.query_map([lo, hi], |r| r.get::<_, i64>(0))? {
                    rids.insert(rid? as u64);
                }
            }
            categories = Some(rids);
        }
        let mut offered_by = None;
        if !selection.suppliers.is_empty() {
            let mut rids = HashSet::new();
            let mut stmt = self.db().prepare_cached(
                "SELECT o.product_rid FROM supplier_offers o JOIN suppliers s ON s.rid = o.supplier_rid WHERE s.id = ?1",
            )?;
            for id in &selection.suppliers {
                for rid in stmt.query_map([id.as_bytes()], |r| r.get::<_, i64>(0))? {
                    rids.insert(rid?);
                }
            }
            offered_by = Some(rids);
        }
        Ok(RowMatcher { selection: selection.clone(), categories, offered_by })
    }

    /// WHERE terms and their values for `s`.
    fn selection_sql(&self, s: &Selection) -> Result<(Vec<String>, Vec<Value>)> {
        let mut conds = Vec::new();
        let mut args = Vec::new();
        if !s.categories.is_empty() {
            let mut ranges = Vec::new();
            for id in &s.categories {
                let (lo, hi) = self.subtree_range(*id)?;
                ranges.push("(tree_path >= ? AND tree_path < ?)".to_string());
                args.push(Value::Text(lo));
                args.push(Value::Text(hi));
            }
            conds.push(format!(
                "p.category_rid IN (SELECT rid FROM categories WHERE {})",
                ranges.join(" OR ")
            ));
        }
        let any_of = |conds: &mut Vec<String>, args: &mut Vec<Value>, column: &str, values: Vec<Value>| {
            if !values.is_empty() {
                conds.push(format!("{column} IN ({})", vec!["?"; values.len()].join(", ")));
                args.extend(values);
            }
        };
        let brands = s.brands.iter().map(|b| b.trim()).filter(|b| !b.is_empty());
        any_of(&mut conds, &mut args, "p.brand", brands.map(|b| Value::Text(b.into())).collect());
        any_of(
            &mut conds,
            &mut args,
            "p.status",
            s.statuses.iter().map(|st| Value::Text(st.code().into())).collect(),
        );
        any_of(&mut conds, &mut args, "p.sku", s.skus.iter().map(|k| Value::Text(k.trim().into())).collect());
        if !s.suppliers.is_empty() {
            conds.push(format!(
                "EXISTS (SELECT 1 FROM supplier_offers o JOIN suppliers sp ON sp.rid = o.supplier_rid \
                 WHERE o.product_rid = p.rid AND sp.id IN ({}))",
                vec!["?"; s.suppliers.len()].join(", ")
            ));
            args.extend(s.suppliers.iter().map(|id| Value::Blob(id.as_bytes().to_vec())));
        }
        if s.in_stock_only {
            conds.push("p.stock > 0".into());
        }
        if let Some(min) = s.price_min {
            conds.push("p.price >= ?".into());
            args.push(Value::Integer(min));
        }
        if let Some(max) = s.price_max {
            conds.push("p.price <= ?".into());
            args.push(Value::Integer(max));
        }
        if let Some(since) = s.updated_since {
            conds.push("p.updated_at >= ?".into());
            args.push(Value::Integer(since));
        }
        Ok((conds, args))
    }
}

/// One query of an export: terms added to the selection's, and the order.
struct Pass {
    conds: Vec<String>,
    args: Vec<Value>,
    order_by: &'static str,
}

impl Default for Pass {
    fn default() -> Self {
        Pass { conds: Vec::new(), args: Vec::new(), order_by: "p.rid" }
    }
}

impl Pass {
    fn by_name(cond: &str, args: Vec<Value>) -> Pass {
        Pass { conds: vec![cond.to_string()], args, order_by: "p.name_key, p.rid" }
    }
}

/// [`Selection`] as a test of rows already read (see [`Catalog::export_matcher`]).
#[derive(Debug, Clone)]
pub struct RowMatcher {
    selection: Selection,
    /// Feed ids of the chosen categories and everything below them.
    categories: Option<HashSet<u64>>,
    /// Rows of the products the chosen suppliers offer.
    offered_by: Option<HashSet<i64>>,
}

impl RowMatcher {
    pub fn matches(&self, row: &ExportRow) -> bool {
        let s = &self.selection;
        if let Some(cats) = &self.categories
            && !row.category.is_some_and(|c| cats.contains(&c))
        {
            return false;
        }
        if let Some(rids) = &self.offered_by
            && !rids.contains(&row.rid)
        {
            return false;
        }
        (s.brands.is_empty() || s.brands.iter().any(|b| b.trim() == row.brand))
            && (s.statuses.is_empty() || s.statuses.iter().any(|st| st.code() == row.status))
            && (s.skus.is_empty() || s.skus.iter().any(|k| k.trim() == row.sku))
            && (!s.in_stock_only || row.stock > 0)
            && s.price_min.is_none_or(|min| row.price >= min)
            && s.price_max.is_none_or(|max| row.price <= max)
            && s.updated_since.is_none_or(|since| row.updated_at >= since)
    }
}
