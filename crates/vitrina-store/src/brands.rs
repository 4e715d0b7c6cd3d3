//! The brands of the catalog, for filter pickers.

use crate::catalog::Catalog;
use crate::error::Result;

impl Catalog {
    /// Up to `limit` brands, the ones with most products first (a walk of the brand index).
    pub fn brands(&self, limit: u32) -> Result<Vec<String>> {
        let mut stmt = self.db().prepare_cached(
            "SELECT brand FROM products WHERE brand <> '' GROUP BY brand ORDER BY count(*) DESC, brand LIMIT ?1",
        )?;
        Ok(stmt.query_map([limit], |r| r.get(0))?.collect::<rusqlite::Result<_>>()?)
    }
}
