//! Keeping the FTS index in step with products, inside the caller's transaction.

use rusqlite::{Connection, params};

use super::stem::SearchText;
use crate::error::Result;

pub(crate) fn insert(conn: &Connection, rid: i64, text: &SearchText) -> Result<()> {
    conn.prepare_cached("INSERT INTO products_fts (rowid, title, body) VALUES (?1, ?2, ?3)")?
        .execute(params![rid, text.title, text.body])?;
    Ok(())
}

pub(crate) fn remove(conn: &Connection, rid: i64) -> Result<()> {
    conn.prepare_cached("DELETE FROM products_fts WHERE rowid = ?1")?.execute([rid])?;
    Ok(())
}

pub(crate) fn replace(conn: &Connection, rid: i64, text: &SearchText) -> Result<()> {
    remove(conn, rid)?;
    insert(conn, rid, text)
}

/// The mark of migration 0011: every product's title carries the initials of its name's words.
const INITIALS: &str = "search_initials";

/// Products re-indexed a transaction.
const REINDEX_CHUNK: i64 = 5_000;

/// Whether every product's title carries the initials of its name's words (`INITIAL_MARK`):
/// a catalog indexed before migration 0011 has none until [`Catalog::rebuild_search_index`].
pub(crate) fn has_initials(conn: &Connection) -> Result<bool> {
    Ok(conn
        .prepare_cached("SELECT EXISTS (SELECT 1 FROM meta WHERE key = ?1)")?
        .query_row([INITIALS], |r| r.get(0))?)
}

impl crate::catalog::Catalog {
    /// Whether the search index carries the initials of every product's name (else a
    /// [`Catalog::rebuild_search_index`] makes one-letter lists faster; they work either way).
    pub fn search_index_current(&self) -> Result<bool> {
        has_initials(self.db())
    }

    /// Writes the search index anew from the products, a few thousand a transaction (edits
    /// made meanwhile index themselves), then marks it as carrying the initials of every name;
    /// `progress` gets the count done. Returns the products indexed.
    pub fn rebuild_search_index(&mut self, progress: &mut dyn FnMut(u64)) -> Result<u64> {
        let mut stems = super::stem::Stems::new();
        let (mut after, mut done) = (0i64, 0u64);
        loop {
            let (tx, _stamp) = self.begin()?;
            let rids: Vec<i64> = tx
                .prepare_cached("SELECT rid FROM products WHERE rid > ?1 ORDER BY rid LIMIT ?2")?
                .query_map(params![after, REINDEX_CHUNK], |r| r.get(0))?
                .collect::<rusqlite::Result<_>>()?;
            let Some(&last) = rids.last() else { break };
            for rid in rids {
                if let Some(product) = crate::rows::load_product(&tx, rid)? {
                    replace(&tx, rid, &SearchText::of(&product, &mut stems))?;
                    done += 1;
                }
            }
            tx.commit()?;
            after = last;
            progress(done);
        }
        self.db().execute("INSERT OR IGNORE INTO meta (key, value) VALUES (?1, '1')", [INITIALS])?;
        self.forget_memo();
        Ok(done)
    }
}
