//! The settings tables that sync (suppliers, their sources and category mapping, feed profiles,
//! kit and pack links; the marketplace file's accounts, maps and product links), one generic
//! mechanism for all: each row is an entity of its own kind
//! (`EntityKind::is_row`), its columns are fields merged by (HLC, device) like a product's, and
//! `alive` says whether the row exists.
//!
//! - Local changes are recorded by triggers (migration 0010, [`super::capture`]) as history
//!   records of the row: history stays the one outbox, pushed after `push_rid`. The
//!   marketplace file's triggers (its migration 0005) record into its own `sync_outbox`.
//! - What the device knows of a row entity is its `sync_entities` row: the stamps and, always,
//!   the doc's values (`held`), so a row can be written whole when it (re)appears.
//! - Applying another device's change writes the fields that won into the table; a row that
//!   names something not here yet (a link to a product not pulled yet, a source of a supplier
//!   not pulled yet) waits for it (`waits_for`) and is written once it comes, so a page never
//!   fails on it. Kit and pack values are then recomputed here, never taken from the team.

mod record;
mod tables;
mod write;

use std::collections::{BTreeMap, BTreeSet};
use std::hash::Hasher;

use rusqlite::{Connection, OptionalExtension, params};
use uuid::Uuid;
use vitrina_domain::sync::ALIVE;
use vitrina_domain::{ChangeOp, ChangeSet, Doc, EntityKind, FieldChange, Hlc, StableHasher, Stamp};

use super::apply::{ApplyReport, Ctx, Incoming};
use super::stamps::{self, Known, Values};
use crate::catalog::Stamp as LocalStamp;
use crate::error::Result;
use crate::links;
use crate::rows::uuid_of;

pub(crate) use tables::{MARKET, TABLES};

/// The fields of a row kind, `alive` included.
pub(crate) fn fields_of(kind: EntityKind) -> Vec<&'static str> {
    tables::table(kind)
        .map(|t| t.columns.iter().map(|c| c.field).chain([ALIVE]).collect())
        .unwrap_or_default()
}

/// The field changes of one history record of a row (made by the triggers): a creation sets
/// every field and `alive`, an update the fields whose text changed, a delete `alive` = "0".
pub(crate) fn changes_of(
    op: &str,
    old: Option<&str>,
    new: Option<&str>,
    hlc: Hlc,
) -> Result<Vec<FieldChange>> {
    let old = parse(old)?;
    let new = parse(new)?;
    let change = |field: &str, value: Option<String>, old: Option<String>| FieldChange {
        field: field.to_string(),
        value,
        hlc,
        old,
    };
    Ok(match ChangeOp::from_code(op) {
        Some(ChangeOp::Create) => std::iter::once(change(ALIVE, Some("1".into()), None))
            .chain(new.into_iter().map(|(f, v)| change(&f, v, None)))
            .collect(),
        Some(ChangeOp::Update) => new
            .into_iter()
            .filter(|(f, v)| old.get(f) != Some(v))
            .map(|(f, v)| {
                let was = old.get(&f).cloned().flatten();
                change(&f, v, was)
            })
            .collect(),
        Some(ChangeOp::Delete) => vec![change(ALIVE, Some("0".into()), Some("1".into()))],
        None => Vec::new(),
    })
}

fn parse(json: Option<&str>) -> Result<Values> {
    match json {
        None => Ok(Values::new()),
        Some(text) => {
            let raw: BTreeMap<String, Option<serde_json::Value>> = serde_json::from_str(text)
                .map_err(|e| damaged(&format!("a row's values in history: {e}")))?;
            Ok(raw
                .into_iter()
                .map(|(f, v)| {
                    let text = v.and_then(|v| match v {
                        serde_json::Value::Null => None,
                        serde_json::Value::String(s) => Some(s),
                        other => Some(other.to_string()),
                    });
                    (f, text)
                })
                .collect())
        }
    }
}

fn damaged(what: &str) -> crate::StoreError {
    crate::StoreError::Migration(format!("a damaged sync record in this catalog ({what})"))
}

/// The server has `set` (this device's change to a row): the device knows its stamps and
/// values.
pub(crate) fn mark_pushed(conn: &Connection, set: &ChangeSet) -> Result<()> {
    let mut known = stamps::load(conn, set.entity_id)?.unwrap_or_else(|| Known::new(set.entity));
    let mut values = known.held.take().unwrap_or_default();
    for change in &set.fields {
        let stamp = set.stamp(change);
        if known.stamps.get(&change.field).is_none_or(|s| *s < stamp) {
            values.insert(change.field.clone(), change.value.clone());
        }
        known.raise(&change.field, stamp);
    }
    known.held = Some(values);
    stamps::save(conn, set.entity_id, &known)
}

/// The stamps of a row entity's fields as this device knows them: `sync_entities`, raised by
/// this device's own records not pushed yet.
fn effective(conn: &Connection, ctx: &Ctx, id: Uuid, known: &Known) -> Result<BTreeMap<String, Stamp>> {
    let mut out = known.stamps.clone();
    // The marketplace file's own outbox holds only what is not pushed yet.
    let market = known.kind.is_market();
    if market && !super::side::attached(conn)? {
        return Ok(out);
    }
    let mut stmt = conn.prepare_cached(if market {
        "SELECT op, old, new, hlc FROM market.sync_outbox WHERE entity_id = ?1 AND ?2 = ?2 AND ?3 = ?3"
    } else {
        "SELECT op, old, new, hlc FROM history INDEXED BY history_by_entity
         WHERE entity_id = ?1 AND rid > ?2 AND device = ?3"
    })?;
    let mut rows = stmt.query(params![id.as_bytes(), ctx.push_rid, ctx.device.0.as_bytes()])?;
    while let Some(r) = rows.next()? {
        let (op, old, new): (String, Option<String>, Option<String>) = (r.get(0)?, r.get(1)?, r.get(2)?);
        let stamp = Stamp { hlc: Hlc::unpack(r.get::<_, i64>(3)? as u64), device: ctx.device };
        for change in changes_of(&op, old.as_deref(), new.as_deref(), stamp.hlc)? {
            match out.get_mut(&change.field) {
                Some(s) if *s >= stamp => {}
                Some(s) => *s = stamp,
                None => {
                    out.insert(change.field, stamp);
                }
            }
        }
    }
    Ok(out)
}

/// Applies another device's change to a row entity (or the server's doc of one).
pub(crate) fn apply(
    tx: &Connection,
    ctx: &mut Ctx,
    incoming: &Incoming,
    report: &mut ApplyReport,
) -> Result<()> {
    report.sets += 1;
    let id = incoming.id;
    let mut known = stamps::load(tx, id)?.unwrap_or_else(|| Known::new(incoming.kind));
    let mut effective = effective(tx, ctx, id, &known)?;
    let mut values = known.held.take().unwrap_or_default();
    let mut won = Vec::new();
    for a in &incoming.changes {
        if ctx.latest.is_none_or(|l| l < a.stamp) {
            ctx.latest = Some(a.stamp);
        }
        // What the device knows of the team's doc takes every later stamp…
        if known.stamps.get(&a.field).is_none_or(|s| *s < a.stamp) {
            values.insert(a.field.clone(), a.value.clone());
        }
        known.raise(&a.field, a.stamp);
        // …and the row takes it unless this device changed the field later, not pushed yet.
        match effective.get(&a.field) {
            Some(s) if *s >= a.stamp => report.lost += u64::from(*s > a.stamp),
            _ => {
                effective.insert(a.field.clone(), a.stamp);
                won.push(a.field.clone());
                report.won += 1;
            }
        }
    }
    known.held = Some(values);
    if !won.is_empty() {
        write::settle(tx, ctx.now, id, &mut known, Some(&won))?;
    }
    stamps::save(tx, id, &known)
}

/// Writes the rows that waited for what they name and have it now (or were not complete and
/// are); the products whose kit or pack links were written.
pub(crate) fn settle_waiting(tx: &Connection, now: u64) -> Result<Vec<Uuid>> {
    let mut touched = Vec::new();
    loop {
        let waiting: Vec<(Uuid, String)> = tx
            .prepare_cached("SELECT id, entity FROM sync_entities WHERE waits_for IS NOT NULL")?
            .query_map([], |r| Ok((uuid_of(r, 0)?, r.get(1)?)))?
            .collect::<rusqlite::Result<_>>()?;
        let mut progress = false;
        for (id, kind) in waiting {
            if !EntityKind::from_code(&kind).is_some_and(EntityKind::is_row) {
                continue;
            }
            let Some(mut known) = stamps::load(tx, id)? else { continue };
            write::settle(tx, now, id, &mut known, None)?;
            if known.waits_for.is_none() {
                progress = true;
                if known.kind == EntityKind::ProductLink
                    && let Some(from) = known.held.as_ref().and_then(|h| h.get("from").cloned().flatten())
                    && let Ok(from) = from.parse()
                {
                    touched.push(from);
                }
            }
            stamps::save(tx, id, &known)?;
        }
        if !progress {
            return Ok(touched);
        }
    }
}

/// After a page: rows that waited are written when they can be, then the kit and pack values
/// that derive from what the page changed are recomputed here (the same on every device, from
/// the same components and links; recorded as derived, never pushed). The products of the
/// page's links and of links left waiting (a part not here, a cycle broken) are recomputed
/// whatever they derive from now: one that lost its last link keeps its values as its own.
pub(crate) fn after_page(
    tx: &Connection,
    local: &mut LocalStamp<'_>,
    now: u64,
    entities: &[(EntityKind, Uuid)],
) -> Result<()> {
    let mut linked: BTreeSet<Uuid> = settle_waiting(tx, now)?.into_iter().collect();
    let mut products = BTreeSet::new();
    for (kind, id) in entities {
        match kind {
            EntityKind::Product => {
                products.insert(*id);
            }
            EntityKind::ProductLink => linked.extend(link_from(tx, *id)?),
            _ => {}
        }
    }
    for id in waiting_links(tx)? {
        linked.extend(link_from(tx, id)?);
    }
    recompute_for(tx, local, products, linked)
}

/// The product a link entity makes a kit or pack (or related), as its doc names it.
fn link_from(tx: &Connection, id: Uuid) -> Result<Option<Uuid>> {
    let held = stamps::load(tx, id)?.and_then(|k| k.held);
    Ok(held.and_then(|h| h.get("from").cloned().flatten()).and_then(|from| from.parse().ok()))
}

fn waiting_links(tx: &Connection) -> Result<Vec<Uuid>> {
    Ok(tx
        .prepare_cached("SELECT id FROM sync_entities WHERE waits_for IS NOT NULL AND entity = ?1")?
        .query_map([EntityKind::ProductLink.code()], |r| uuid_of(r, 0))?
        .collect::<rusqlite::Result<_>>()?)
}

/// Recomputes the derived values of these products (those that are kits or packs) and of the
/// kits and packs made of them; `linked` products are recomputed whatever they derive from.
fn recompute_for(
    tx: &Connection,
    local: &mut LocalStamp<'_>,
    products: BTreeSet<Uuid>,
    linked: BTreeSet<Uuid>,
) -> Result<()> {
    if products.is_empty() && linked.is_empty() {
        return Ok(());
    }
    let mut targets = BTreeSet::new();
    for id in linked {
        if let Some(rid) = product_rid(tx, id)? {
            targets.insert(rid);
            targets.extend(links::dependents(tx, rid)?);
        }
    }
    if !products.is_empty() && links::any(tx)? {
        for id in products {
            let Some(rid) = product_rid(tx, id)? else { continue };
            let derived: bool = tx
                .prepare_cached(
                    "SELECT EXISTS (SELECT 1 FROM product_links WHERE from_rid = ?1 AND kind <> 'related')",
                )?
                .query_row([rid], |r| r.get(0))?;
            if derived {
                targets.insert(rid);
            }
            targets.extend(links::dependents(tx, rid)?);
        }
    }
    links::recompute(tx, local, targets.into_iter().collect())
}

/// Recomputes every kit and pack (a catalog built from the team's state).
pub(crate) fn recompute_all(tx: &Connection, local: &mut LocalStamp<'_>) -> Result<()> {
    let targets: Vec<i64> = tx
        .prepare("SELECT DISTINCT from_rid FROM product_links WHERE kind <> 'related' ORDER BY from_rid")?
        .query_map([], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    links::recompute(tx, local, targets)
}

fn product_rid(conn: &Connection, id: Uuid) -> Result<Option<i64>> {
    Ok(conn
        .prepare_cached("SELECT rid FROM products WHERE id = ?1")?
        .query_row([id.as_bytes()], |r| r.get(0))
        .optional()?)
}

/// Every row of every synced table, as (kind, entity id, values).
fn every_row(conn: &Connection, mut each: impl FnMut(EntityKind, Uuid, Values) -> Result<()>) -> Result<()> {
    let market = match super::side::attached(conn)? {
        true => tables::MARKET_TABLES,
        false => &[],
    };
    for table in TABLES.iter().chain(market) {
        let mut stmt = conn.prepare(&table.select_sql())?;
        let mut rows = stmt.query([])?;
        while let Some(r) = rows.next()? {
            let id = uuid_of(r, 0)?;
            let json: String = r.get(1)?;
            each(table.kind, id, parse(Some(&json))?)?;
        }
    }
    Ok(())
}

/// Feeds every row to the digest (kind, id, each field's text), in table then id order.
pub(crate) fn digest(conn: &Connection, h: &mut StableHasher) -> Result<()> {
    every_row(conn, |kind, id, values| {
        h.write(kind.code().as_bytes());
        h.write(id.as_bytes());
        for (field, value) in values {
            h.write(field.as_bytes());
            h.write_u8(value.is_some() as u8);
            h.write(value.unwrap_or_default().as_bytes());
            h.write_u8(0xff);
        }
        Ok(())
    })
}

/// Every row as a doc stamped `stamp` (a team's first device seeds the server with them).
pub(crate) fn seed_docs(conn: &Connection, stamp: Stamp) -> Result<Vec<(EntityKind, Uuid, Doc)>> {
    let mut out = Vec::new();
    every_row(conn, |kind, id, values| {
        let mut doc = Doc::default();
        for (field, value) in values {
            doc.0.insert(field, (value, stamp));
        }
        doc.0.insert(ALIVE.into(), (Some("1".into()), stamp));
        out.push((kind, id, doc));
        Ok(())
    })?;
    Ok(out)
}

/// The server has the seed: every row is known with its stamp and values.
pub(crate) fn seed_done(conn: &Connection, stamp: Stamp) -> Result<()> {
    for (kind, id, doc) in seed_docs(conn, stamp)? {
        stamps::save(conn, id, &known_of(kind, &doc))?;
    }
    Ok(())
}

fn known_of(kind: EntityKind, doc: &Doc) -> Known {
    let mut known = Known::new(kind);
    known.stamps = doc.0.iter().map(|(f, (_, s))| (f.clone(), *s)).collect();
    known.held = Some(doc.0.iter().map(|(f, (v, _))| (f.clone(), v.clone())).collect());
    known
}

/// A catalog being built from the team's state: the row docs, written in kind order (what a
/// row names first), those that name something missing left waiting.
pub(crate) fn bootstrap(conn: &Connection, now: u64, mut docs: Vec<(EntityKind, Uuid, Doc)>) -> Result<u64> {
    docs.sort_by_key(|(kind, _, _)| *kind);
    let mut written = 0;
    for (kind, id, doc) in docs {
        let mut known = known_of(kind, &doc);
        write::settle(conn, now, id, &mut known, None)?;
        written += u64::from(known.waits_for.is_none() && doc.alive());
        stamps::save(conn, id, &known)?;
    }
    settle_waiting(conn, now)?;
    Ok(written)
}

/// What a row kept but not written waits for when it is not a missing entity: incomplete
/// values or a link that would make a cycle (the nil id), the marketplace file (not here).
pub(crate) const INCOMPLETE: Uuid = Uuid::nil();
pub(crate) const MARKET_FILE: Uuid = Uuid::from_u128(1);

/// Writes the row docs of a catalog being built from the team's state (its transaction open),
/// then recomputes every kit and pack from what it now has. Returns the rows written.
pub(crate) fn finish_bootstrap(
    catalog: &mut crate::catalog::Catalog,
    docs: Vec<(EntityKind, Uuid, Doc)>,
) -> Result<u64> {
    let _paused = catalog.capture.pause();
    let now = catalog.now_ms();
    let written = bootstrap(&catalog.conn, now, docs)?;
    let mut local = LocalStamp {
        clock: &mut catalog.clock,
        device: catalog.device,
        who: &catalog.who,
        batch: Uuid::now_v7(),
        now,
        derived: true,
    };
    recompute_all(&catalog.conn, &mut local)?;
    Ok(written)
}

#[cfg(test)]
mod tests {
    use super::*;
    use vitrina_domain::{LinkKind, Money, Product, ProductDraft};

    use crate::catalog::Catalog;
    use crate::products::ProductKey;

    /// The triggers of migration 0010 record the very values the tables' reading (digest,
    /// seed) sees, for every synced table: the two are written apart and must not drift.
    #[test]
    fn the_triggers_record_what_the_tables_read_for_every_kind() {
        let dir = tempfile::tempdir().unwrap();
        let mut c = Catalog::open(dir.path().join("c.db")).unwrap();
        let supplier = c.add_supplier("Оптовик", 1).unwrap();
        c.save_source(
            supplier,
            &crate::imports::SourceRow {
                position: 0,
                spec: r#"{"file":{"path":"/x.xml"}}"#.into(),
                read_options: "{}".into(),
                mapping: Some("{}".into()),
                etag: None,
                last_modified: None,
            },
        )
        .unwrap();
        let shoes = c.ensure_category_path(&vitrina_domain::CategoryPath::parse("Обувь")).unwrap();
        c.map_category(supplier, "Shoes", Some(shoes)).unwrap();
        c.add_feed_profile(&crate::FeedProfileRecord {
            id: vitrina_domain::FeedProfileId::new(),
            name: "Яндекс".into(),
            format: "yml".into(),
            enabled: true,
            settings: "{}".into(),
            last_result: None,
            created_at: 1,
            updated_at: 1,
        })
        .unwrap();
        for sku in ["A", "B"] {
            let p = Product::new(ProductDraft { sku: sku.into(), name: sku.into(), price: Money::rub(100) })
                .unwrap();
            c.create_product(&p).unwrap();
        }
        c.link(
            &ProductKey::Sku("A".into()),
            &ProductKey::Sku("B".into()),
            LinkKind::KitComponent { quantity: 2 },
        )
        .unwrap();
        let mut read: BTreeMap<Uuid, (EntityKind, Values)> = BTreeMap::new();
        every_row(c.db(), |kind, id, values| {
            read.insert(id, (kind, values));
            Ok(())
        })
        .unwrap();
        let mut recorded: BTreeMap<Uuid, (EntityKind, Values)> = BTreeMap::new();
        let mut stmt = c.db().prepare("SELECT entity, entity_id, new FROM history WHERE field = '*' AND op = 'create' AND entity <> 'product'").unwrap();
        let mut rows = stmt.query([]).unwrap();
        while let Some(r) = rows.next().unwrap() {
            let kind = EntityKind::from_code(&r.get::<_, String>(0).unwrap()).unwrap();
            let new: String = r.get(2).unwrap();
            recorded.insert(uuid_of(r, 1).unwrap(), (kind, parse(Some(&new)).unwrap()));
        }
        assert_eq!(recorded, read);
        let kinds: BTreeSet<EntityKind> = read.values().map(|(k, _)| *k).collect();
        assert_eq!(kinds.len(), TABLES.len(), "every synced table has a row here");
    }
}
