//! The dictionaries cache: a marketplace's category tree and the attributes and values of the
//! categories products are mapped to, per account (two accounts of one marketplace may see
//! different trees: Ozon's depends on the seller's contract).

use std::collections::BTreeMap;

use rusqlite::{OptionalExtension, params};

use super::{MarketStore, Result};
use crate::account::MarketAccountId;
use crate::dict::{CategoryDict, CategorySpec, MpAttribute, MpCategory, MpValue, value_key};
use crate::error::{ErrorKind, MarketError};

/// How much of an account's dictionaries is cached.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct DictStats {
    pub categories: u64,
    pub leaves: u64,
    /// Categories whose attributes are cached.
    pub loaded: u64,
    /// When the tree was fetched (UTC ms).
    pub fetched_at: Option<i64>,
}

impl MarketStore {
    /// Replaces the account's tree with `tree`; cached attributes of categories that remain stay.
    pub fn replace_tree(&mut self, account: MarketAccountId, tree: &[MpCategory], now_ms: i64) -> Result<()> {
        let id = account.as_bytes().as_slice();
        let tx = self.conn.transaction()?;
        {
            tx.execute("CREATE TEMP TABLE IF NOT EXISTS fresh (ext_id TEXT PRIMARY KEY)", [])?;
            tx.execute("DELETE FROM temp.fresh", [])?;
            let mut fresh = tx.prepare_cached("INSERT OR IGNORE INTO temp.fresh VALUES (?1)")?;
            let mut put = tx.prepare_cached(
                "INSERT INTO mp_categories (account_id, ext_id, parent_id, name, path, leaf, fetched_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)
                 ON CONFLICT (account_id, ext_id) DO UPDATE SET parent_id = excluded.parent_id,
                     name = excluded.name, path = excluded.path, leaf = excluded.leaf,
                     fetched_at = excluded.fetched_at",
            )?;
            for c in tree {
                fresh.execute([&c.ext_id])?;
                put.execute(params![id, c.ext_id, c.parent_id, c.name, c.path, c.leaf, now_ms])?;
            }
            tx.execute(
                "DELETE FROM mp_categories WHERE account_id = ?1 AND ext_id NOT IN (SELECT ext_id FROM temp.fresh)",
                [id],
            )?;
            tx.execute(
                "DELETE FROM mp_attributes WHERE account_id = ?1
                   AND category_id NOT IN (SELECT ext_id FROM temp.fresh)",
                [id],
            )?;
            tx.execute("DELETE FROM temp.fresh", [])?;
        }
        tx.commit()?;
        Ok(())
    }

    /// The account's whole tree, parents before children as fetched (by path).
    pub fn tree(&self, account: MarketAccountId) -> Result<Vec<MpCategory>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT ext_id, parent_id, name, path, leaf FROM mp_categories WHERE account_id = ?1 ORDER BY path",
        )?;
        let rows = stmt.query_map([account.as_bytes().as_slice()], category)?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// One category of the cached tree.
    pub fn mp_category(&self, account: MarketAccountId, ext_id: &str) -> Result<Option<MpCategory>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT ext_id, parent_id, name, path, leaf FROM mp_categories WHERE account_id = ?1 AND ext_id = ?2",
        )?;
        Ok(stmt.query_row(params![account.as_bytes().as_slice(), ext_id], category).optional()?)
    }

    /// Stores a category's attributes and values, replacing what was cached for it.
    pub fn save_category_dict(
        &mut self,
        account: MarketAccountId,
        ext_id: &str,
        dict: &CategoryDict,
        now_ms: i64,
    ) -> Result<()> {
        let id = account.as_bytes().as_slice();
        let tx = self.conn.transaction()?;
        {
            let known = tx.execute(
                "UPDATE mp_categories SET attrs_fetched_at = ?3 WHERE account_id = ?1 AND ext_id = ?2",
                params![id, ext_id, now_ms],
            )?;
            if known == 0 {
                return Err(MarketError::new(
                    ErrorKind::Invalid,
                    format!("category {ext_id} is not in the cached tree: refresh the categories first"),
                ));
            }
            tx.execute(
                "DELETE FROM mp_attributes WHERE account_id = ?1 AND category_id = ?2",
                params![id, ext_id],
            )?;
            let mut put = tx.prepare_cached(
                "INSERT INTO mp_attributes (account_id, category_id, attr_id, ord, body) VALUES (?1, ?2, ?3, ?4, ?5)",
            )?;
            for (i, a) in dict.attributes.iter().enumerate() {
                let body = serde_json::to_string(a)
                    .map_err(|e| MarketError::new(ErrorKind::Storage, e.to_string()))?;
                put.execute(params![id, ext_id, a.attr_id, i as i64, body])?;
            }
            // Values are shared between categories (a dictionary key names one dictionary): a
            // newer fetch replaces each dictionary it brings, whole.
            let mut clear =
                tx.prepare_cached("DELETE FROM mp_values WHERE account_id = ?1 AND dictionary = ?2")?;
            let mut value = tx.prepare_cached(
                "INSERT OR REPLACE INTO mp_values (account_id, dictionary, value_id, value, value_key)
                 VALUES (?1, ?2, ?3, ?4, ?5)",
            )?;
            for (dictionary, values) in &dict.values {
                clear.execute(params![id, dictionary])?;
                for v in values {
                    value.execute(params![id, dictionary, v.value_id, v.value, value_key(&v.value)])?;
                }
            }
        }
        tx.commit()?;
        Ok(())
    }

    /// The category with its cached attributes and their dictionaries; `None` when the
    /// category is unknown or its attributes were never fetched.
    pub fn category_spec(&self, account: MarketAccountId, ext_id: &str) -> Result<Option<CategorySpec>> {
        let id = account.as_bytes().as_slice();
        let loaded: Option<Option<i64>> = self
            .conn
            .prepare_cached(
                "SELECT attrs_fetched_at FROM mp_categories WHERE account_id = ?1 AND ext_id = ?2",
            )?
            .query_row(params![id, ext_id], |r| r.get(0))
            .optional()?;
        let (Some(Some(_)), Some(category)) = (loaded, self.mp_category(account, ext_id)?) else {
            return Ok(None);
        };
        let mut attributes = Vec::new();
        {
            let mut stmt = self.conn.prepare_cached(
                "SELECT body FROM mp_attributes WHERE account_id = ?1 AND category_id = ?2 ORDER BY ord",
            )?;
            for body in stmt.query_map(params![id, ext_id], |r| r.get::<_, String>(0))? {
                let a: MpAttribute = serde_json::from_str(&body?)
                    .map_err(|e| MarketError::new(ErrorKind::Storage, format!("a cached attribute: {e}")))?;
                attributes.push(a);
            }
        }
        let mut values = BTreeMap::new();
        let mut stmt = self.conn.prepare_cached(
            "SELECT value_id, value FROM mp_values WHERE account_id = ?1 AND dictionary = ?2 ORDER BY value_key",
        )?;
        for dictionary in attributes.iter().filter_map(|a| a.dictionary.clone()) {
            if values.contains_key(&dictionary) {
                continue;
            }
            let list = stmt
                .query_map(params![id, dictionary], |r| {
                    Ok(MpValue { value_id: r.get(0)?, value: r.get(1)? })
                })?
                .collect::<rusqlite::Result<Vec<_>>>()?;
            values.insert(dictionary, list);
        }
        Ok(Some(CategorySpec { category, dict: CategoryDict { attributes, values } }))
    }

    pub fn dict_stats(&self, account: MarketAccountId) -> Result<DictStats> {
        Ok(self
            .conn
            .prepare_cached(
                "SELECT count(*), coalesce(sum(leaf), 0), count(attrs_fetched_at), max(fetched_at)
             FROM mp_categories WHERE account_id = ?1",
            )?
            .query_row([account.as_bytes().as_slice()], |r| {
                Ok(DictStats {
                    categories: r.get::<_, i64>(0)? as u64,
                    leaves: r.get::<_, i64>(1)? as u64,
                    loaded: r.get::<_, i64>(2)? as u64,
                    fetched_at: r.get(3)?,
                })
            })?)
    }
}

fn category(r: &rusqlite::Row<'_>) -> rusqlite::Result<MpCategory> {
    Ok(MpCategory {
        ext_id: r.get(0)?,
        parent_id: r.get(1)?,
        name: r.get(2)?,
        path: r.get(3)?,
        leaf: r.get(4)?,
    })
}
