//! Team sync inside the catalog (DESIGN §8): the store-level half of `vitrina-sync`.
//!
//! The catalog's history is the outbox: a device pushes its own records after `push_rid`
//! ([`Catalog::sync_outbox`], then [`Catalog::sync_mark_pushed`] once the server has them).
//! Other devices' change sets are applied by per-field last-writer-wins
//! ([`Catalog::sync_apply`]) in one transaction with the pull cursor, so a crash leaves both
//! or neither. A new device is built from the server's state ([`Bootstrap`]); a device that
//! fell behind the server's log merges that state into its catalog
//! ([`Catalog::sync_apply_docs`]). What the device knows of each entity beyond its rows lives
//! in `sync_entities` (migration 0008).
//!
//! What syncs: products (every field of `ProductField`, and `alive`), categories (name and
//! parent), and the rows of the settings tables ([`rows`]: suppliers, their sources and category
//! mapping, feed profiles, kit, pack and related links; in the marketplace file, accounts'
//! settings, category and attribute maps, product links with external ids — [`side`]). Kit and
//! pack values are recomputed on every device from their components, never pushed.

mod apply;
mod bootstrap;
pub(crate) mod capture;
mod clash;
mod inspect;
mod outbox;
mod rows;
pub(crate) mod side;
mod stamps;

use rusqlite::{Connection, OptionalExtension, params};
use uuid::Uuid;
use vitrina_domain::{ChangeSet, Doc, EntityKind, Hlc, Stamp};

pub use apply::ApplyReport;
pub use bootstrap::{Bootstrap, BootstrapReport, PreparedProduct};
pub use capture::register_side;
pub use inspect::LostValue;
pub use outbox::Outbox;

use crate::catalog::Catalog;
use crate::error::Result;

/// The last history record pushed.
pub(crate) const PUSH_RID: &str = "push_rid";
/// The last category pushed.
pub(crate) const PUSH_CATEGORY_RID: &str = "push_category_rid";
/// Where the next pull starts (the `Remote`'s cursor, opaque here).
pub const PULL_CURSOR: &str = "pull_cursor";
/// The team server's clock minus this device's, in ms, as last measured on connect.
pub const CLOCK_OFFSET: &str = "clock_offset_ms";
/// SQLite's page cache while a page of change sets is applied (the connection's own budget
/// again after it): each change set reads and rewrites leaves of a dozen b-trees at random
/// places of a large catalog, and a page's worth of them does not fit the usual cache.
const APPLY_CACHE_KIB: i64 = 256 * 1024;

/// The wall clock a catalog's writes stamp with: the system's, plus the team server's offset
/// when the catalog is in a team.
pub(crate) fn team_clock(conn: &Connection) -> Result<crate::Clock> {
    let offset: i64 = meta(conn, CLOCK_OFFSET)?.and_then(|v| v.parse().ok()).unwrap_or(0);
    Ok(std::sync::Arc::new(move || {
        (crate::catalog::system_clock() as i64).saturating_add(offset).max(0) as u64
    }))
}

pub(crate) fn meta(conn: &Connection, key: &str) -> Result<Option<String>> {
    Ok(conn
        .prepare_cached("SELECT value FROM sync_meta WHERE key = ?1")?
        .query_row([key], |r| r.get(0))
        .optional()?)
}

pub(crate) fn meta_i64(conn: &Connection, key: &str) -> Result<i64> {
    Ok(meta(conn, key)?.and_then(|v| v.parse().ok()).unwrap_or(0))
}

pub(crate) fn set_meta(conn: &Connection, key: &str, value: &str) -> Result<()> {
    conn.prepare_cached(
        "INSERT INTO sync_meta (key, value) VALUES (?1, ?2) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
    )?
    .execute(params![key, value])?;
    Ok(())
}

/// Keeps the device's clock after `stamp`: history's latest stamp is where every write's clock
/// resumes, so a stamp applied without a history record of its own (a bootstrap, a deleted
/// product's edit) leaves one marker record (entity `team`, another device's id: never pushed).
pub(crate) fn keep_clock_after(conn: &Connection, stamp: Option<Stamp>) -> Result<()> {
    let Some(stamp) = stamp else { return Ok(()) };
    let last: Option<i64> = conn.query_row("SELECT max(hlc) FROM history", [], |r| r.get(0))?;
    if last.is_some_and(|l| l as u64 >= stamp.hlc.pack()) {
        return Ok(());
    }
    conn.prepare_cached(
        "INSERT INTO history (id, entity, entity_id, op, field, who, hlc, device, batch)
         VALUES (?1, 'team', ?2, 'update', 'clock', '', ?3, ?4, ?2)",
    )?
    .execute(params![
        vitrina_domain::ChangeId::new().as_bytes(),
        Uuid::nil().as_bytes(),
        stamp.hlc.pack() as i64,
        stamp.device.0.as_bytes(),
    ])?;
    Ok(())
}

/// What [`Catalog::sync_seed`] sent, for [`Catalog::sync_seed_done`].
#[derive(Debug, Clone, Copy)]
pub struct SeedMark {
    pub stamp: Stamp,
    pub products: u64,
    pub categories: u64,
    /// Rows of the settings tables.
    pub rows: u64,
    last_rid: i64,
    last_category_rid: i64,
}

impl Catalog {
    /// A sync setting or cursor of this catalog.
    pub fn sync_meta(&self, key: &str) -> Result<Option<String>> {
        meta(self.db(), key)
    }

    pub fn set_sync_meta(&mut self, key: &str, value: Option<&str>) -> Result<()> {
        match value {
            Some(v) => set_meta(&self.conn, key, v),
            None => {
                self.conn.execute("DELETE FROM sync_meta WHERE key = ?1", [key])?;
                Ok(())
            }
        }
    }

    /// Applies other devices' change sets, in the order given (the server's), and moves the
    /// pull cursor to `cursor`, in one transaction. This device's own sets are skipped (they
    /// are applied here already). Applying the same sets again changes nothing.
    pub fn sync_apply(&mut self, sets: &[ChangeSet], cursor: &str) -> Result<ApplyReport> {
        self.with_side(|c| c.sync_apply_here(sets, cursor))
    }

    /// [`Catalog::sync_apply`] with the marketplace file attached: a bigger page cache for
    /// the page, the connection's own again after it.
    fn sync_apply_here(&mut self, sets: &[ChangeSet], cursor: &str) -> Result<ApplyReport> {
        let cache: i64 = self.conn.query_row("PRAGMA cache_size", [], |r| r.get(0))?;
        self.conn.execute_batch(&format!("PRAGMA cache_size = -{APPLY_CACHE_KIB}"))?;
        let applied = self.sync_apply_page(sets, cursor);
        self.conn.execute_batch(&format!("PRAGMA cache_size = {cache}"))?;
        applied
    }

    fn sync_apply_page(&mut self, sets: &[ChangeSet], cursor: &str) -> Result<ApplyReport> {
        let (device, now) = (self.device, self.now_ms());
        // Other devices' changes are not this device's to record (the sync triggers).
        let capture = self.capture.clone();
        let _paused = capture.pause();
        let (tx, mut local) = self.begin()?;
        let mut ctx = apply::Ctx::new(&tx, device, now, true)?;
        let mut report = ApplyReport::default();
        for set in sets {
            if set.device == device {
                report.own += 1;
                continue;
            }
            apply::apply(&tx, &mut local, &mut ctx, &apply::Incoming::from_set(set), &mut report)?;
        }
        let touched: Vec<_> =
            sets.iter().filter(|s| s.device != device).map(|s| (s.entity, s.entity_id)).collect();
        rows::after_page(&tx, &mut local, now, &touched)?;
        clash::settle_freed(&tx)?;
        keep_clock_after(&tx, ctx.latest)?;
        if let Some(latest) = ctx.latest {
            capture.raise_floor(latest.hlc.pack());
        }
        set_meta(&tx, PULL_CURSOR, cursor)?;
        tx.commit()?;
        Ok(report)
    }

    /// Merges the server's state docs into this catalog (a device that fell behind the server's
    /// log): each field takes the later stamp, as with change sets, but nothing is recorded as
    /// an edit or a conflict.
    pub fn sync_apply_docs(&mut self, docs: &[(EntityKind, Uuid, Doc)]) -> Result<ApplyReport> {
        self.with_side(|c| c.sync_apply_docs_here(docs))
    }

    fn sync_apply_docs_here(&mut self, docs: &[(EntityKind, Uuid, Doc)]) -> Result<ApplyReport> {
        let (device, now) = (self.device, self.now_ms());
        let capture = self.capture.clone();
        let _paused = capture.pause();
        let (tx, mut local) = self.begin()?;
        let mut ctx = apply::Ctx::new(&tx, device, now, false)?;
        let mut report = ApplyReport::default();
        for (kind, id, doc) in docs {
            apply::apply(
                &tx,
                &mut local,
                &mut ctx,
                &apply::Incoming::from_doc(*kind, *id, doc),
                &mut report,
            )?;
        }
        let touched: Vec<_> = docs.iter().map(|(kind, id, _)| (*kind, *id)).collect();
        rows::after_page(&tx, &mut local, now, &touched)?;
        clash::settle_freed(&tx)?;
        keep_clock_after(&tx, ctx.latest)?;
        if let Some(latest) = ctx.latest {
            capture.raise_floor(latest.hlc.pack());
        }
        tx.commit()?;
        Ok(report)
    }

    /// Sends every category and product of this catalog, as docs stamped now, to `sink` in
    /// batches (a team's first device seeds the server's state with its catalog). Nothing is
    /// marked until [`Catalog::sync_seed_done`].
    pub fn sync_seed<E>(
        &mut self,
        batch: usize,
        sink: impl FnMut(Vec<(EntityKind, Uuid, Doc)>) -> std::result::Result<(), E>,
    ) -> Result<std::result::Result<SeedMark, E>> {
        self.with_side(|c| c.sync_seed_here(batch, sink))
    }

    fn sync_seed_here<E>(
        &mut self,
        batch: usize,
        mut sink: impl FnMut(Vec<(EntityKind, Uuid, Doc)>) -> std::result::Result<(), E>,
    ) -> Result<std::result::Result<SeedMark, E>> {
        let device = self.device;
        let (tx, mut local) = self.begin()?;
        let stamp = Stamp { hlc: local.tick(), device };
        let mut mark = SeedMark {
            stamp,
            products: 0,
            categories: 0,
            rows: 0,
            last_rid: tx.query_row("SELECT coalesce(max(rid), 0) FROM history", [], |r| r.get(0))?,
            last_category_rid: tx
                .query_row("SELECT coalesce(max(rid), 0) FROM categories", [], |r| r.get(0))?,
        };
        let sent =
            inspect::seed_docs(&tx, stamp, batch, &mut mark.products, &mut mark.categories, &mut sink)?;
        // The settings tables' rows after the products and categories they name.
        let sent = match sent {
            Ok(()) => {
                let rows = rows::seed_docs(&tx, stamp)?;
                mark.rows = rows.len() as u64;
                match rows.is_empty() {
                    true => Ok(()),
                    false => sink(rows),
                }
            }
            Err(e) => Err(e),
        };
        drop(tx);
        Ok(sent.map(|()| mark))
    }

    /// The server has the seed: every entity is known with the seed's stamp, and history up to
    /// the seed counts as pushed.
    pub fn sync_seed_done(&mut self, mark: &SeedMark) -> Result<()> {
        self.with_side(|c| c.sync_seed_done_here(mark))
    }

    fn sync_seed_done_here(&mut self, mark: &SeedMark) -> Result<()> {
        let (tx, _) = self.begin()?;
        for kind in [EntityKind::Product, EntityKind::Category] {
            let all: std::collections::BTreeMap<String, Stamp> =
                stamps::fields_of(kind).into_iter().map(|f| (f.to_string(), mark.stamp)).collect();
            let table = if kind == EntityKind::Product { "products" } else { "categories" };
            tx.execute(
                &format!(
                    "INSERT INTO sync_entities (id, entity, stamps) SELECT id, ?1, ?2 FROM {table} WHERE true
                     ON CONFLICT (id) DO UPDATE SET stamps = excluded.stamps, held = NULL"
                ),
                params![kind.code(), stamps::encode(kind, &all)],
            )?;
        }
        rows::seed_done(&tx, mark.stamp)?;
        // The seed carried the marketplace file's rows as they are: nothing of its outbox is
        // left to push.
        if side::attached(&tx)? {
            tx.execute_batch("DELETE FROM market.sync_outbox; DELETE FROM market.sync_side;")?;
        }
        keep_clock_after(&tx, Some(mark.stamp))?;
        set_meta(&tx, PUSH_RID, &mark.last_rid.to_string())?;
        set_meta(&tx, PUSH_CATEGORY_RID, &mark.last_category_rid.to_string())?;
        tx.commit()?;
        Ok(())
    }

    /// Writes the rows that wait for what they name once it is here: the marketplace file
    /// created since, a product that came. A sync runs this after pulling, pages or not.
    pub fn sync_settle(&mut self) -> Result<()> {
        let waiting: bool = self.db().query_row(
            "SELECT EXISTS (SELECT 1 FROM sync_entities WHERE waits_for IS NOT NULL
                            AND entity NOT IN ('product', 'category'))",
            [],
            |r| r.get(0),
        )?;
        if !waiting {
            return Ok(());
        }
        self.with_side(|c| {
            let now = c.now_ms();
            let _paused = c.capture.pause();
            let (tx, mut local) = c.begin()?;
            rows::after_page(&tx, &mut local, now, &[])?;
            tx.commit()?;
            Ok(())
        })
    }

    /// Forgets the team: cursors, what is known of each entity and SKU flags (the catalog's
    /// rows and history stay). Lost conflicts stay in the products' history.
    pub fn sync_forget(&mut self) -> Result<()> {
        let (tx, _) = self.begin()?;
        tx.execute_batch("DELETE FROM sync_meta; DELETE FROM sync_entities; DELETE FROM sync_sku_clashes;")?;
        tx.commit()?;
        Ok(())
    }

    /// The latest stamp in this catalog's history (the device's clock resumes after it).
    pub fn sync_last_hlc(&self) -> Result<Hlc> {
        let last: Option<i64> = self.db().query_row("SELECT max(hlc) FROM history", [], |r| r.get(0))?;
        Ok(last.map(|v| Hlc::unpack(v as u64)).unwrap_or_default())
    }
}
