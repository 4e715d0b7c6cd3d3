//! Catalog statistics: counts by category, brand, status and stock.

use serde::Serialize;

use crate::catalog::Catalog;
use crate::error::Result;

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Count {
    pub key: String,
    pub products: u64,
}

#[derive(Debug, Clone, Serialize)]
pub struct CatalogStats {
    pub products: u64,
    pub in_stock: u64,
    pub out_of_stock: u64,
    pub stock_units: i64,
    /// Σ price × stock, minor units of the catalog currency.
    pub stock_value: i64,
    pub by_status: Vec<Count>,
    /// Top-level categories with everything below them; `—` for products without a category.
    pub by_category: Vec<Count>,
    /// The 20 brands with most products.
    pub top_brands: Vec<Count>,
    pub brands: u64,
    pub categories: u64,
    pub suppliers: u64,
}

impl Catalog {
    pub fn stats(&self) -> Result<CatalogStats> {
        let db = self.db();
        let (products, in_stock, stock_units, stock_value): (i64, i64, i64, i64) = db.query_row(
            "SELECT count(*), coalesce(sum(stock > 0), 0), coalesce(sum(stock), 0), coalesce(sum(price * stock), 0) FROM products",
            [],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
        )?;
        let counts = |sql: &str| -> Result<Vec<Count>> {
            let mut stmt = db.prepare_cached(sql)?;
            let rows =
                stmt.query_map([], |r| Ok(Count { key: r.get(0)?, products: r.get::<_, i64>(1)? as u64 }))?;
            Ok(rows.collect::<rusqlite::Result<_>>()?)
        };
        let by_status = counts("SELECT status, count(*) FROM products GROUP BY status ORDER BY 2 DESC")?;
        let top_brands = counts(
            "SELECT brand, count(*) FROM products WHERE brand <> '' GROUP BY brand ORDER BY 2 DESC, 1 LIMIT 20",
        )?;
        let mut by_category: Vec<Count> = self
            .category_tree()?
            .into_iter()
            .filter(|n| n.depth == 0)
            .map(|n| Count { key: n.name, products: n.products })
            .collect();
        let uncategorized: i64 =
            db.query_row("SELECT count(*) FROM products WHERE category_rid IS NULL", [], |r| r.get(0))?;
        if uncategorized > 0 {
            by_category.push(Count { key: "—".into(), products: uncategorized as u64 });
        }
        by_category.sort_by(|a, b| b.products.cmp(&a.products).then_with(|| a.key.cmp(&b.key)));
        let scalar = |sql: &str| -> Result<u64> { Ok(db.query_row(sql, [], |r| r.get::<_, i64>(0))? as u64) };
        Ok(CatalogStats {
            products: products as u64,
            in_stock: in_stock as u64,
            out_of_stock: (products - in_stock) as u64,
            stock_units,
            stock_value,
            by_status,
            by_category,
            top_brands,
            brands: scalar("SELECT count(DISTINCT brand) FROM products WHERE brand <> ''")?,
            categories: scalar("SELECT count(*) FROM categories")?,
            suppliers: scalar("SELECT count(*) FROM suppliers")?,
        })
    }
}
