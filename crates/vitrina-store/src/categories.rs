//! The seller's category tree.

use std::collections::HashMap;

use rusqlite::{Connection, OptionalExtension, params};
use serde::Serialize;
use vitrina_domain::{CategoryId, CategoryPath};

use crate::catalog::Catalog;
use crate::error::{Result, StoreError};
use crate::rows::{opt_uuid_of, uuid_of};

/// One node of the tree in display order (depth-first, children by name).
#[derive(Debug, Clone, Serialize)]
pub struct CategoryNode {
    pub id: CategoryId,
    pub parent: Option<CategoryId>,
    pub name: String,
    pub depth: usize,
    /// `Обувь / Кроссовки`
    pub path: String,
    /// Products in this category itself.
    pub own_products: u64,
    /// Products in this category and everything below it.
    pub products: u64,
}

impl Catalog {
    /// The category at `path` (`Обувь / Кроссовки`), creating missing levels.
    pub fn ensure_category_path(&mut self, path: &CategoryPath) -> Result<CategoryId> {
        let tx = self.conn.transaction()?;
        let (_, id) = ensure_path(&tx, &path.0)?;
        tx.commit()?;
        Ok(id)
    }

    /// Finds a category by id, by full path (`Обувь / Кроссовки`) or by a name that is unique.
    pub fn find_category(&self, text: &str) -> Result<CategoryId> {
        if let Ok(id) = text.trim().parse::<CategoryId>() {
            let exists: bool = self.db().query_row(
                "SELECT EXISTS (SELECT 1 FROM categories WHERE id = ?1)",
                [id.as_bytes()],
                |r| r.get(0),
            )?;
            return if exists { Ok(id) } else { Err(StoreError::UnknownCategory(text.trim().to_string())) };
        }
        let wanted = CategoryPath::parse(text).display().to_lowercase();
        let tree = self.category_tree()?;
        let by_path = tree.iter().find(|n| n.path.to_lowercase() == wanted);
        let by_name: Vec<_> = tree.iter().filter(|n| n.name.to_lowercase() == wanted).collect();
        match (by_path, by_name.as_slice()) {
            (Some(n), _) => Ok(n.id),
            (None, [n]) => Ok(n.id),
            (None, []) => Err(StoreError::UnknownCategory(text.trim().to_string())),
            (None, many) => Err(StoreError::UnknownCategory(format!(
                "{} — several categories have this name, give the full path: {}",
                text.trim(),
                many.iter().map(|n| n.path.as_str()).collect::<Vec<_>>().join("; ")
            ))),
        }
    }

    /// The whole tree with product counts, depth-first, children sorted by name.
    pub fn category_tree(&self) -> Result<Vec<CategoryNode>> {
        let mut stmt = self.db().prepare_cached(
            "SELECT c.rid, c.id, p.id, c.name, c.parent_rid,
                    (SELECT count(*) FROM products WHERE category_rid = c.rid)
             FROM categories c LEFT JOIN categories p ON p.rid = c.parent_rid",
        )?;
        struct Raw {
            rid: i64,
            id: CategoryId,
            parent: Option<CategoryId>,
            name: String,
            parent_rid: Option<i64>,
            own: u64,
        }
        let raw: Vec<Raw> = stmt
            .query_map([], |r| {
                Ok(Raw {
                    rid: r.get(0)?,
                    id: CategoryId(uuid_of(r, 1)?),
                    parent: opt_uuid_of(r, 2)?.map(CategoryId),
                    name: r.get(3)?,
                    parent_rid: r.get(4)?,
                    own: r.get::<_, i64>(5)? as u64,
                })
            })?
            .collect::<rusqlite::Result<_>>()?;
        let mut children: HashMap<Option<i64>, Vec<usize>> = HashMap::new();
        for (i, c) in raw.iter().enumerate() {
            children.entry(c.parent_rid).or_default().push(i);
        }
        for list in children.values_mut() {
            list.sort_by(|a, b| raw[*a].name.to_lowercase().cmp(&raw[*b].name.to_lowercase()));
        }
        fn subtree_total(i: usize, raw: &[Raw], children: &HashMap<Option<i64>, Vec<usize>>) -> u64 {
            raw[i].own
                + children
                    .get(&Some(raw[i].rid))
                    .map_or(0, |c| c.iter().map(|j| subtree_total(*j, raw, children)).sum())
        }
        let mut out = Vec::with_capacity(raw.len());
        let mut stack: Vec<(usize, usize, String)> = children
            .get(&None)
            .map_or(Vec::new(), |r| r.iter().rev().map(|i| (*i, 0, String::new())).collect());
        while let Some((i, depth, prefix)) = stack.pop() {
            let c = &raw[i];
            let path = if prefix.is_empty() { c.name.clone() } else { format!("{prefix} / {}", c.name) };
            if let Some(kids) = children.get(&Some(c.rid)) {
                stack.extend(kids.iter().rev().map(|k| (*k, depth + 1, path.clone())));
            }
            out.push(CategoryNode {
                id: c.id,
                parent: c.parent,
                name: c.name.clone(),
                depth,
                path,
                own_products: c.own,
                products: subtree_total(i, &raw, &children),
            });
        }
        Ok(out)
    }

    /// The `[lo, hi)` range of `tree_path` values in the subtree of `id`.
    pub(crate) fn subtree_range(&self, id: CategoryId) -> Result<(String, String)> {
        let path: String = self
            .db()
            .prepare_cached("SELECT tree_path FROM categories WHERE id = ?1")?
            .query_row([id.as_bytes()], |r| r.get(0))
            .optional()?
            .ok_or_else(|| StoreError::UnknownCategory(id.to_string()))?;
        // Paths end in '/', and '0' is the next character: '/1/5/' .. '/1/50'.
        let hi = format!("{}0", &path[..path.len() - 1]);
        Ok((path, hi))
    }
}

/// The category at the path of `names` (root first) inside the caller's transaction, creating
/// missing levels: (rid, id).
pub(crate) fn ensure_path(conn: &Connection, names: &[String]) -> Result<(i64, CategoryId)> {
    let mut parent: Option<(i64, String)> = None;
    let mut id = None;
    for name in names {
        let found: Option<(i64, [u8; 16], String)> = conn
            .prepare_cached("SELECT rid, id, tree_path FROM categories WHERE parent_rid IS ?1 AND name = ?2")?
            .query_row(params![parent.as_ref().map(|p| p.0), name], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
            .optional()?;
        let (rid, bytes, tree_path) = match found {
            Some(f) => f,
            None => {
                // Derived from the parent and the name: two devices that create the same path
                // apart (a team importing one feed) create one category.
                let new_id = CategoryId::for_path(id.map(|(_, id)| id), name);
                conn.prepare_cached("INSERT INTO categories (id, parent_rid, name) VALUES (?1, ?2, ?3)")?
                    .execute(params![new_id.as_bytes(), parent.as_ref().map(|p| p.0), name])?;
                let rid = conn.last_insert_rowid();
                let tree_path = format!("{}{rid}/", parent.as_ref().map_or("/", |p| p.1.as_str()));
                conn.prepare_cached("UPDATE categories SET tree_path = ?1 WHERE rid = ?2")?
                    .execute(params![tree_path, rid])?;
                (rid, *new_id.as_bytes(), tree_path)
            }
        };
        id = Some((rid, CategoryId::from_bytes(bytes)));
        parent = Some((rid, tree_path));
    }
    id.ok_or_else(|| StoreError::UnknownCategory(String::new()))
}

/// `Обувь / Кроссовки` for the category `rid`.
pub(crate) fn path_text(conn: &Connection, rid: i64) -> Result<String> {
    let tree_path: String = conn
        .prepare_cached("SELECT tree_path FROM categories WHERE rid = ?1")?
        .query_row([rid], |r| r.get(0))?;
    let mut names = Vec::new();
    for part in tree_path.split('/').filter(|p| !p.is_empty()) {
        let rid: i64 = part.parse().map_err(|_| StoreError::UnknownCategory(tree_path.clone()))?;
        names.push(
            conn.prepare_cached("SELECT name FROM categories WHERE rid = ?1")?
                .query_row([rid], |r| r.get::<_, String>(0))?,
        );
    }
    Ok(names.join(" / "))
}
