//! The seller's mapping: their categories onto a marketplace's leaves, and how each attribute
//! of a marketplace category is filled.

use std::collections::HashMap;

use rusqlite::params;
use vitrina_domain::CategoryId;

use super::{MarketStore, Result};
use crate::account::MarketAccountId;
use crate::dict::{AttrRule, Source};
use crate::error::{ErrorKind, MarketError};

impl MarketStore {
    /// Maps the seller's `category` to the marketplace category `ext_id` (which must be a
    /// cached leaf); `None` removes the mapping.
    pub fn set_category_map(
        &mut self,
        account: MarketAccountId,
        category: CategoryId,
        ext_id: Option<&str>,
    ) -> Result<()> {
        let id = account.as_bytes().as_slice();
        let Some(ext_id) = ext_id else {
            self.conn.execute(
                "DELETE FROM category_map WHERE account_id = ?1 AND category_id = ?2",
                params![id, category.as_bytes().as_slice()],
            )?;
            return Ok(());
        };
        match self.mp_category(account, ext_id)? {
            None => {
                return Err(MarketError::new(
                    ErrorKind::Invalid,
                    format!("no marketplace category {ext_id} in the cached tree: refresh the categories"),
                ));
            }
            Some(c) if !c.leaf => {
                return Err(MarketError::new(
                    ErrorKind::Invalid,
                    format!(
                        "{} is not a leaf: products go into the categories at the ends of the tree",
                        c.path
                    ),
                ));
            }
            Some(_) => {}
        }
        self.conn.execute(
            "INSERT INTO category_map (account_id, category_id, ext_id) VALUES (?1, ?2, ?3)
             ON CONFLICT (account_id, category_id) DO UPDATE SET ext_id = excluded.ext_id",
            params![id, category.as_bytes().as_slice(), ext_id],
        )?;
        Ok(())
    }

    /// The seller's category → the marketplace category, for the account.
    pub fn category_maps(&self, account: MarketAccountId) -> Result<HashMap<CategoryId, String>> {
        let mut stmt =
            self.conn.prepare_cached("SELECT category_id, ext_id FROM category_map WHERE account_id = ?1")?;
        let rows = stmt.query_map([account.as_bytes().as_slice()], |r| {
            Ok((CategoryId::from_bytes(r.get(0)?), r.get::<_, String>(1)?))
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// Sets (or, with `None`, removes) how `attr_id` of the marketplace category is filled.
    pub fn set_attr_rule(
        &mut self,
        account: MarketAccountId,
        ext_category: &str,
        attr_id: &str,
        rule: Option<&AttrRule>,
    ) -> Result<()> {
        let id = account.as_bytes().as_slice();
        let Some(rule) = rule else {
            self.conn.execute(
                "DELETE FROM attribute_map WHERE account_id = ?1 AND ext_category = ?2 AND attr_id = ?3",
                params![id, ext_category, attr_id],
            )?;
            return Ok(());
        };
        let value_map = serde_json::to_string(&rule.value_map)
            .map_err(|e| MarketError::new(ErrorKind::Storage, e.to_string()))?;
        self.conn.execute(
            "INSERT INTO attribute_map (account_id, ext_category, attr_id, source, unit_factor, value_map)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)
             ON CONFLICT (account_id, ext_category, attr_id) DO UPDATE SET source = excluded.source,
                 unit_factor = excluded.unit_factor, value_map = excluded.value_map",
            params![id, ext_category, attr_id, rule.source.code(), rule.unit_factor, value_map],
        )?;
        Ok(())
    }

    /// The rules of one marketplace category, by attribute id.
    pub fn attr_rules(&self, account: MarketAccountId, ext_category: &str) -> Result<Vec<AttrRule>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT attr_id, source, unit_factor, value_map FROM attribute_map
             WHERE account_id = ?1 AND ext_category = ?2 ORDER BY attr_id",
        )?;
        let rows = stmt.query_map(params![account.as_bytes().as_slice(), ext_category], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, Option<f64>>(2)?,
                r.get::<_, String>(3)?,
            ))
        })?;
        let mut rules = Vec::new();
        for row in rows {
            let (attr_id, source, unit_factor, value_map) = row?;
            let damaged = |what: &str| {
                MarketError::new(ErrorKind::Storage, format!("the rule of attribute {attr_id}: {what}"))
            };
            rules.push(AttrRule {
                source: Source::parse(&source)
                    .ok_or_else(|| damaged(&format!("unknown source {source:?}")))?,
                unit_factor,
                value_map: serde_json::from_str(&value_map).map_err(|e| damaged(&e.to_string()))?,
                attr_id,
            });
        }
        Ok(rules)
    }
}
