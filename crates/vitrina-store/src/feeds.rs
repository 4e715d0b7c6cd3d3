//! Feed profiles as stored: a name, a format, an enabled flag and the settings document that
//! vitrina-export reads and writes (the store keeps it as text), plus the latest run's summary.

use rusqlite::{Connection, params};
use vitrina_domain::FeedProfileId;

use crate::catalog::Catalog;
use crate::error::{Result, StoreError};
use crate::rows::uuid_of;

/// One stored feed profile.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FeedProfileRecord {
    pub id: FeedProfileId,
    pub name: String,
    /// The format's code (`yml`, `avito`, `google`, `csv`, `xlsx`, `pdf`).
    pub format: String,
    pub enabled: bool,
    /// JSON owned by vitrina-export.
    pub settings: String,
    /// JSON summary of the latest run.
    pub last_result: Option<String>,
    /// UTC milliseconds.
    pub created_at: i64,
    pub updated_at: i64,
}

const COLUMNS: &str = "id, name, format, enabled, settings, last_result, created_at, updated_at";

fn record(r: &rusqlite::Row<'_>) -> rusqlite::Result<FeedProfileRecord> {
    Ok(FeedProfileRecord {
        id: FeedProfileId(uuid_of(r, 0)?),
        name: r.get(1)?,
        format: r.get(2)?,
        enabled: r.get(3)?,
        settings: r.get(4)?,
        last_result: r.get(5)?,
        created_at: r.get(6)?,
        updated_at: r.get(7)?,
    })
}

impl Catalog {
    /// Every feed profile, by name.
    pub fn feed_profiles(&self) -> Result<Vec<FeedProfileRecord>> {
        let sql = format!("SELECT {COLUMNS} FROM feed_profiles ORDER BY name COLLATE NOCASE");
        let rows = self.db().prepare_cached(&sql)?.query_map([], record)?.collect::<rusqlite::Result<_>>()?;
        Ok(rows)
    }

    /// The profile named `text` (case-insensitive, Cyrillic too) or with that id.
    pub fn feed_profile(&self, text: &str) -> Result<FeedProfileRecord> {
        let text = text.trim();
        let id = text.parse::<FeedProfileId>().ok();
        let wanted = text.to_lowercase();
        self.feed_profiles()?
            .into_iter()
            .find(|p| Some(p.id) == id || p.name.to_lowercase() == wanted)
            .ok_or_else(|| StoreError::FeedProfileNotFound(text.to_string()))
    }

    /// Adds a profile; a name already taken is refused.
    pub fn add_feed_profile(&mut self, p: &FeedProfileRecord) -> Result<()> {
        let tx = self.conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        if name_taken(&tx, &p.name, None)? {
            return Err(StoreError::DuplicateFeedProfile(p.name.trim().to_string()));
        }
        tx.execute(
            &format!("INSERT INTO feed_profiles ({COLUMNS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)"),
            params![
                p.id.as_bytes(),
                p.name.trim(),
                p.format,
                p.enabled,
                p.settings,
                p.last_result,
                p.created_at,
                p.updated_at
            ],
        )?;
        tx.commit()?;
        Ok(())
    }

    /// Replaces a profile's name, format, flag and settings (its last result stays).
    pub fn update_feed_profile(&mut self, p: &FeedProfileRecord) -> Result<()> {
        let tx = self.conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        if name_taken(&tx, &p.name, Some(p.id))? {
            return Err(StoreError::DuplicateFeedProfile(p.name.trim().to_string()));
        }
        let n = tx.execute(
            "UPDATE feed_profiles SET name = ?2, format = ?3, enabled = ?4, settings = ?5, updated_at = ?6 \
             WHERE id = ?1",
            params![p.id.as_bytes(), p.name.trim(), p.format, p.enabled, p.settings, p.updated_at],
        )?;
        if n == 0 {
            return Err(StoreError::FeedProfileNotFound(p.id.to_string()));
        }
        tx.commit()?;
        Ok(())
    }

    /// Removes a profile; false when there was none.
    pub fn remove_feed_profile(&mut self, id: FeedProfileId) -> Result<bool> {
        Ok(self.conn.execute("DELETE FROM feed_profiles WHERE id = ?1", [id.as_bytes()])? > 0)
    }

    /// Keeps the summary of a profile's latest run.
    pub fn set_feed_result(&mut self, id: FeedProfileId, summary: &str) -> Result<()> {
        self.conn.execute(
            "UPDATE feed_profiles SET last_result = ?2 WHERE id = ?1",
            params![id.as_bytes(), summary],
        )?;
        Ok(())
    }
}

/// Whether another profile than `except` has this name, compared case-insensitively in Rust
/// (SQLite's `lower` leaves Cyrillic as it is).
fn name_taken(conn: &Connection, name: &str, except: Option<FeedProfileId>) -> Result<bool> {
    let wanted = name.trim().to_lowercase();
    let mut stmt = conn.prepare_cached("SELECT id, name FROM feed_profiles")?;
    let mut rows = stmt.query([])?;
    while let Some(r) = rows.next()? {
        let id = FeedProfileId(uuid_of(r, 0)?);
        if Some(id) != except && r.get::<_, String>(1)?.to_lowercase() == wanted {
            return Ok(true);
        }
    }
    Ok(false)
}
