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
