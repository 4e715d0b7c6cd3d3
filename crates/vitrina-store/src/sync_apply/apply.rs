//! The pull side: other devices' change sets (or the server's state docs) applied to this
//! catalog by per-field last-writer-wins, in the same transaction as the pull cursor.
//!
//! For each incoming field the device compares the incoming stamp with the stamp it knows
//! (what it pulled or pushed, `sync_entities`, and its own edits not pushed yet, from history).
//! A later stamp wins and is written to the product as an edit by its author (history with the
//! remote stamp and who, search index, derived kit and pack values); an earlier one loses and,
//! when its value differs, is kept as a lost conflict (`sync_conflicts`) shown in the product's
//! history. `alive` decides whether the entity has a row: a product that loses its row keeps
//! its values in `held`, so a later creation or un-delete brings them back.

use std::collections::BTreeMap;

use rusqlite::{Connection, OptionalExtension, params};
use uuid::Uuid;
use vitrina_domain::sync::{ALIVE, CATEGORY_NAME, CATEGORY_PARENT, product_from_values};
use vitrina_domain::{
    ChangeId, ChangeOp, ChangeSet, DeviceId, Doc, EntityKind, Hlc, Product, ProductField, ProductId, Stamp,
};

use super::stamps::{self, Known, Values, fields_of};
use super::{PUSH_RID, clash, meta_i64};
use crate::catalog::Stamp as LocalStamp;
use crate::error::Result;
use crate::links;
use crate::products::{SEARCHABLE, load};
use crate::rows::{self, uuid_of};
use crate::search::{SearchText, Stems, index};

/// What applying did.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct ApplyReport {
    /// Change sets (or docs) applied.
    pub sets: u64,
    /// This device's own change sets, already applied here.
    pub own: u64,
    /// Fields whose incoming value won.
    pub won: u64,
    /// Fields whose incoming value lost to a later one.
    pub lost: u64,
    /// Lost values kept as conflicts (a value that differed from the winner's).
    pub conflicts: u64,
    /// Products that got a row, lost it, or changed.
    pub products_changed: u64,
}

/// One incoming assignment.
#[derive(Debug, Clone)]
pub(crate) struct Assign {
    pub field: String,
    pub value: Option<String>,
    pub stamp: Stamp,
    pub old: Option<String>,
}

/// The incoming assignments to one entity.
#[derive(Debug, Clone)]
pub(crate) struct Incoming {
    pub kind: EntityKind,
    pub id: Uuid,
    pub batch: Uuid,
    pub who: String,
    pub changes: Vec<Assign>,
}

impl Incoming {
    pub fn from_set(set: &ChangeSet) -> Self {
        Incoming {
            kind: set.entity,
            id: set.entity_id,
            batch: set.batch,
            who: set.who.clone(),
            changes: set
                .fields
                .iter()
                .map(|f| Assign {
                    field: f.field.clone(),
                    value: f.value.clone(),
                    stamp: set.stamp(f),
                    old: f.old.clone(),
                })
                .collect(),
        }
    }

    pub fn from_doc(kind: EntityKind, id: Uuid, doc: &Doc) -> Self {
        Incoming {
            kind,
            id,
            batch: Uuid::nil(),
            who: String::new(),
            changes: doc
                .0
                .iter()
                .map(|(field, (value, stamp))| Assign {
                    field: field.clone(),
                    value: value.clone(),
                    stamp: *stamp,
                    old: None,
                })
                .collect(),
        }
    }
}

/// How one apply runs.
pub(crate) struct Ctx {
    pub device: DeviceId,
    pub push_rid: i64,
    pub now: u64,
    /// Pulled change sets keep lost values and write history; a re-bootstrap's docs do neither
    /// (they are a state, not edits someone made).
    pub as_edits: bool,
    pub stems: Stems,
    /// The latest stamp applied, so the device's clock goes on after it.
    pub latest: Option<Stamp>,
}

impl Ctx {
    pub fn new(conn: &Connection, device: DeviceId, now: u64, as_edits: bool) -> Result<Self> {
        Ok(Ctx {
            device,
            push_rid: meta_i64(conn, PUSH_RID)?,
            now,
            as_edits,
            stems: Stems::new(),
            latest: None,
        })
    }

    fn saw(&mut self, stamp: Stamp) {
        if self.latest.is_none_or(|l| l < stamp) {
            self.latest = Some(stamp);
        }
    }
}

/// The stamps of an entity's fields as this device knows them: `sync_entities`, raised by this
/// device's own records not pushed yet.
pub(crate) fn effective_stamps(
    conn: &Connection,
    device: DeviceId,
    push_rid: i64,
    id: Uuid,
    kind: EntityKind,
    known: Option<&Known>,
) -> Result<BTreeMap<String, Stamp>> {
    let mut out = known.map(|k| k.stamps.clone()).unwrap_or_default();
    // By the entity's index: the planner's statistics, taken when the catalog was small (a new
    // device's holds one record), would scan every record after `push_rid` for each entity.
    let mut stmt = conn.prepare_cached(
        "SELECT op, field, hlc FROM history INDEXED BY history_by_entity
         WHERE entity_id = ?1 AND rid > ?2 AND device = ?3",
    )?;
    let mut rows = stmt.query(params![id.as_bytes(), push_rid, device.0.as_bytes()])?;
    let mut raise = |field: &str, stamp: Stamp| match out.get_mut(field) {
        Some(s) if *s >= stamp => {}
        Some(s) => *s = stamp,
        None => {
            out.insert(field.to_string(), stamp);
        }
    };
    while let Some(r) = rows.next()? {
        let op: String = r.get(0)?;
        let field: String = r.get(1)?;
        let stamp = Stamp { hlc: Hlc::unpack(r.get::<_, i64>(2)? as u64), device };
        match ChangeOp::from_code(&op) {
            Some(ChangeOp::Create) => fields_of(kind).into_iter().for_each(|f| raise(f, stamp)),
            Some(ChangeOp::Delete) => raise(ALIVE, stamp),
            Some(ChangeOp::Update) => raise(&field, stamp),
            None => {}
        }
    }
    Ok(out)
}

pub(crate) fn apply(
    tx: &Connection,
    local: &mut LocalStamp<'_>,
    ctx: &mut Ctx,
    incoming: &Incoming,
    report: &mut ApplyReport,
) -> Result<()> {
    match incoming.kind {
        EntityKind::Product => {
            report.sets += 1;
            apply_product(tx, local, ctx, incoming, report)
        }
        EntityKind::Category => {
            report.sets += 1;
            apply_category(tx, local, ctx, incoming)
        }
        _ => super::rows::apply(tx, ctx, incoming, report),
    }
}

fn product_rid(conn: &Connection, id: Uuid) -> Result<Option<i64>> {
    Ok(conn
        .prepare_cached("SELECT rid FROM products WHERE id = ?1")?
        .query_row([id.as_bytes()], |r| r.get(0))
        .optional()?)
}

fn category_rid(conn: &Connection, id: Uuid) -> Result<Option<i64>> {
    Ok(conn
        .prepare_cached("SELECT rid FROM categories WHERE id = ?1")?
        .query_row([id.as_bytes()], |r| r.get(0))
        .optional()?)
}

/// A product's values as its doc has them: what changed in this apply, over its row (read
/// field by field, as asked: the SKU it wants, the category it waits for) or the values held
/// for it when it has no row.
struct Current<'a> {
    row: Option<&'a Product>,
    wanted: Option<String>,
    waits: Option<Uuid>,
    set: Values,
}

impl Current<'_> {
    fn get(&self, field: &str) -> Option<String> {
        if let Some(v) = self.set.get(field) {
            return v.clone();
        }
        let row = self.row?;
        match field {
            "sku" => self.wanted.clone().or_else(|| Some(row.sku.clone())),
            "category" if row.category.is_none() => self.waits.map(|w| w.to_string()),
            ALIVE => Some("1".into()),
            f => f.parse::<ProductField>().ok().and_then(|f| row.field_value(f)),
        }
    }

    fn full(&self) -> Values {
        let mut all: Values = match self.row {
            Some(_) => ProductField::ALL
                .iter()
                .map(|f| (f.code().to_string(), self.get(f.code())))
                .chain([(ALIVE.to_string(), Some("1".to_string()))])
                .collect(),
            None => Values::new(),
        };
        all.extend(self.set.iter().map(|(k, v)| (k.clone(), v.clone())));
        all
    }
}

fn apply_product(
    tx: &Connection,
    local: &mut LocalStamp<'_>,
    ctx: &mut Ctx,
    incoming: &Incoming,
    report: &mut ApplyReport,
) -> Result<()> {
    let id = incoming.id;
    let mut known = stamps::load(tx, id)?.unwrap_or_else(|| Known::new(EntityKind::Product));
    let mut effective =
        effective_stamps(tx, ctx.device, ctx.push_rid, id, EntityKind::Product, Some(&known))?;
    let rid = product_rid(tx, id)?;
    let before = rid.map(|rid| load(tx, rid)).transpose()?;
    let mut values = Current {
        row: before.as_ref(),
        wanted: match &before {
            Some(_) => clash::wanted_sku(tx, id)?,
            None => None,
        },
        waits: known.waits_for,
        set: if before.is_some() { Values::new() } else { known.held.clone().unwrap_or_default() },
    };
    let mut won: Vec<(String, Option<String>, Option<String>, Stamp)> = Vec::new();
    for a in &incoming.changes {
        let current = effective.get(&a.field).copied();
        known.raise(&a.field, a.stamp);
        ctx.saw(a.stamp);
        let held = values.get(&a.field);
        match current.map(|c| a.stamp.cmp(&c)) {
            Some(std::cmp::Ordering::Equal) => {}
            Some(std::cmp::Ordering::Less) => {
                report.lost += 1;
                if ctx.as_edits && held != a.value {
                    let winner = current.unwrap_or(a.stamp);
                    conflict(
                        tx,
                        ctx,
                        id,
                        &a.field,
                        (&a.value, &incoming.who, a.stamp),
                        (&held, None, winner),
                    )?;
                    report.conflicts += 1;
                }
            }
            None | Some(std::cmp::Ordering::Greater) => {
                report.won += 1;
                // The incoming change was made without seeing the value it replaces here.
                if ctx.as_edits
                    && let Some(loser) = current
                    && a.old != held
                    && held != a.value
                {
                    let who = who_of(tx, id, loser)?;
                    conflict(
                        tx,
                        ctx,
                        id,
                        &a.field,
                        (&held, &who, loser),
                        (&a.value, Some(&incoming.who), a.stamp),
                    )?;
                    report.conflicts += 1;
                }
                if held != a.value {
                    won.push((a.field.clone(), held, a.value.clone(), a.stamp));
                }
                values.set.insert(a.field.clone(), a.value.clone());
                effective.insert(a.field.clone(), a.stamp);
            }
        }
    }
    let alive = values.get(ALIVE).as_deref() == Some("1");
    let sku_stamp = effective.get("sku").copied().unwrap_or(incoming.changes[0].stamp);
    let changed = !won.is_empty();
    let wanted = values.get("sku");
    match (rid, before.as_ref(), alive) {
        (Some(rid), Some(before), true) => {
            if changed {
                match changed_product(before, &values, &won) {
                    Ok(after) => {
                        let flagged = values.wanted.is_some();
                        update(tx, local, ctx, &mut known, rid, before, after, sku_stamp, flagged)?;
                        if ctx.as_edits {
                            for (field, old, new, stamp) in &won {
                                if field.parse::<ProductField>().is_ok() {
                                    record(
                                        tx,
                                        id,
                                        ChangeOp::Update,
                                        field,
                                        old,
                                        new,
                                        &incoming.who,
                                        *stamp,
                                        incoming.batch,
                                    )?;
                                }
                            }
                        }
                    }
                    Err(_) => {
                        let full = values.full();
                        remove(tx, local, ctx, &mut known, rid, before, &full, incoming, &effective)?
                    }
                }
                report.products_changed += 1;
            }
            known.held = None;
        }
        (Some(rid), Some(before), false) => {
            let full = values.full();
            remove(tx, local, ctx, &mut known, rid, before, &full, incoming, &effective)?;
            report.products_changed += 1;
        }
        (_, _, true) => {
            let full = values.full();
            match product_from_values(ProductId(id), |f| full.get(f).and_then(|v| v.as_deref())) {
                Ok(product) => {
                    insert(tx, ctx, &mut known, product, sku_stamp)?;
                    if ctx.as_edits {
                        let stamp = effective.get(ALIVE).copied().unwrap_or(sku_stamp);
                        let name = full.get("name").cloned().flatten();
                        record(
                            tx,
                            id,
                            ChangeOp::Create,
                            "*",
                            &None,
                            &name,
                            &incoming.who,
                            stamp,
                            incoming.batch,
                        )?;
                    }
                    known.held = None;
                    report.products_changed += 1;
                }
                // Not complete yet (its creation has not arrived): kept until it is.
                Err(_) => known.held = Some(full),
            }
        }
        (_, _, false) => known.held = Some(values.full()),
    }
    stamps::save(tx, id, &known)?;
    // A later stamp on the SKU (even with the same value) can change who should show it.
    if incoming.changes.iter().any(|a| a.field == "sku" || a.field == ALIVE)
        && let Some(wanted) = wanted
    {
        clash::settle(tx, ctx.device, &wanted)?;
    }
    Ok(())
}

/// The product with the fields that won set on it (its wanted SKU and awaited category as its
/// doc has them); read whole from its values when a field does not take its text alone (a
/// price in another currency than the one the row holds, for one).
fn changed_product(
    before: &Product,
    values: &Current<'_>,
    won: &[(String, Option<String>, Option<String>, Stamp)],
) -> Result<Product, vitrina_domain::ValidationError> {
    let whole = || {
        let full = values.full();
        product_from_values(before.id, |f| full.get(f).and_then(|v| v.as_deref()))
    };
    let mut after = before.clone();
    if let Some(wanted) = values.get("sku") {
        after.sku = wanted;
    }
    if after.category.is_none() {
        after.category = values.waits.map(vitrina_domain::CategoryId);
    }
    for (field, _, new, _) in won {
        let Ok(field) = field.parse::<ProductField>() else { continue };
        let text = new.as_deref().unwrap_or("");
        let parsed = field.parse_value(text, after.price.currency).and_then(|v| after.set(v));
        if parsed.is_err() || after.field_value(field).as_deref() != new.as_deref() {
            return whole();
        }
    }
    Ok(after)
}

/// Writes `after` over the row (the SKU as the clash rule shows it, the category once it is
/// here), with search and derived values. `flagged`: the product waits to show another SKU.
#[allow(clippy::too_many_arguments)]
fn update(
    tx: &Connection,
    local: &mut LocalStamp<'_>,
    ctx: &mut Ctx,
    known: &mut Known,
    rid: i64,
    before: &Product,
    mut after: Product,
    sku_stamp: Stamp,
    flagged: bool,
) -> Result<()> {
    // A product that shows the SKU it wants holds it alone (the index is unique): nothing to
    // settle unless it changed or the product waits for another.
    if after.sku != before.sku || flagged {
        after.sku = clash::shown_sku(tx, ctx.device, after.id.0, &after.sku, sku_stamp)?;
    }
    let category = place_category(tx, known, &mut after)?;
    rows::update_changed(tx, rid, before, &after, category, ctx.now)?;
    if before.barcodes != after.barcodes {
        rows::write_barcodes(tx, rid, &after, true)?;
    }
    if SEARCHABLE.iter().any(|f| !same_value(*f, before, &after)) {
        index::replace(tx, rid, &SearchText::of(&after, &mut ctx.stems))?;
    }
    if before.sku != after.sku {
        clash::settle(tx, ctx.device, &before.sku)?;
    }
    if before.price != after.price || before.stock != after.stock {
        links::recompute_after(tx, local, vec![rid])?;
    }
    Ok(())
}

/// Whether `field` has the same value in both, compared without writing it as text (a
/// description copied, attributes as JSON) where the field is a plain part of the product.
fn same_value(field: ProductField, a: &Product, b: &Product) -> bool {
    match field {
        ProductField::Name => a.name == b.name,
        ProductField::Brand => a.brand == b.brand,
        ProductField::Model => a.model == b.model,
        ProductField::Sku => a.sku == b.sku,
        ProductField::Barcodes => a.barcodes == b.barcodes,
        ProductField::Description => a.description == b.description,
        ProductField::Attributes => a.attributes == b.attributes,
        other => a.field_value(other) == b.field_value(other),
    }
}

fn insert(
    tx: &Connection,
    ctx: &mut Ctx,
    known: &mut Known,
    mut product: Product,
    sku_stamp: Stamp,
) -> Result<()> {
    product.sku = clash::shown_sku(tx, ctx.device, product.id.0, &product.sku, sku_stamp)?;
    let category = place_category(tx, known, &mut product)?;
    let rid = rows::insert_row(tx, &product, category, product.content_hash(), ctx.now)?;
    index::insert(tx, rid, &SearchText::of(&product, &mut ctx.stems))
}

/// The product's row loses its row: deleted, or its values no longer make a product.
#[allow(clippy::too_many_arguments)]
fn remove(
    tx: &Connection,
    local: &mut LocalStamp<'_>,
    ctx: &mut Ctx,
    known: &mut Known,
    rid: i64,
    before: &Product,
    values: &Values,
    incoming: &Incoming,
    effective: &BTreeMap<String, Stamp>,
) -> Result<()> {
    let dependents = links::dependents(tx, rid)?;
    index::remove(tx, rid)?;
    tx.prepare_cached("DELETE FROM products WHERE rid = ?1")?.execute([rid])?;
    links::recompute(tx, local, dependents)?;
    clash::forget(tx, before.id.0)?;
    clash::settle(tx, ctx.device, &before.sku)?;
    known.held = Some(values.clone());
    if ctx.as_edits {
        let stamp = effective.get(ALIVE).copied().unwrap_or(incoming.changes[0].stamp);
        record(tx, before.id.0, ChangeOp::Delete, "*", &None, &None, &incoming.who, stamp, incoming.batch)?;
    }
    Ok(())
}

/// The category row a product names, or none while that category has not arrived (the product
/// waits for it).
fn place_category(tx: &Connection, known: &mut Known, product: &mut Product) -> Result<Option<i64>> {
    known.waits_for = None;
    let Some(category) = product.category else { return Ok(None) };
    match category_rid(tx, category.0)? {
        Some(rid) => Ok(Some(rid)),
        None => {
            known.waits_for = Some(category.0);
            product.category = None;
            Ok(None)
        }
    }
}

fn apply_category(
    tx: &Connection,
    local: &mut LocalStamp<'_>,
    ctx: &mut Ctx,
    incoming: &Incoming,
) -> Result<()> {
    let id = incoming.id;
    let mut known = stamps::load(tx, id)?.unwrap_or_else(|| Known::new(EntityKind::Category));
    let mut values = known.held.clone().unwrap_or_default();
    for a in &incoming.changes {
        ctx.saw(a.stamp);
        if known.stamps.get(&a.field).is_none_or(|s| *s < a.stamp) {
            values.insert(a.field.clone(), a.value.clone());
        }
        known.raise(&a.field, a.stamp);
    }
    if category_rid(tx, id)?.is_some() {
        known.held = None;
        return stamps::save(tx, id, &known);
    }
    known.held = Some(values);
    stamps::save(tx, id, &known)?;
    materialize_category(tx, local, ctx, id)
}

/// Gives a held category its row once it is alive and its parent is here, then wakes what
/// waited for it.
fn materialize_category(tx: &Connection, local: &mut LocalStamp<'_>, ctx: &mut Ctx, id: Uuid) -> Result<()> {
    let Some(mut known) = stamps::load(tx, id)? else { return Ok(()) };
    let values = known.held.clone().unwrap_or_default();
    let text = |f: &str| values.get(f).cloned().flatten();
    let Some(name) = text(CATEGORY_NAME).filter(|_| text(ALIVE).as_deref() == Some("1")) else {
        return Ok(());
    };
    let parent = text(CATEGORY_PARENT).and_then(|p| p.parse::<Uuid>().ok());
    let (parent_rid, parent_path) = match parent {
        None => (None, "/".to_string()),
        Some(parent) => match category_rid(tx, parent)? {
            Some(rid) => {
                let path: String =
                    tx.query_row("SELECT tree_path FROM categories WHERE rid = ?1", [rid], |r| r.get(0))?;
                (Some(rid), path)
            }
            None => {
                known.waits_for = Some(parent);
                return stamps::save(tx, id, &known);
            }
        },
    };
    let rid = insert_category(tx, id, parent_rid, &parent_path, name)?;
    known.held = None;
    known.waits_for = None;
    stamps::save(tx, id, &known)?;
    wake(tx, local, ctx, id, rid)
}

/// Inserts a category row under `parent_rid` (whose tree path is `parent_path`); its rid.
/// Two categories of one parent and name with different ids (made before ids derived from the
/// path) cannot both show the name: the one with the greater id is shown with a suffix.
pub(crate) fn insert_category(
    tx: &Connection,
    id: Uuid,
    parent_rid: Option<i64>,
    parent_path: &str,
    name: String,
) -> Result<i64> {
    let clash: Option<Uuid> = tx
        .prepare_cached("SELECT id FROM categories WHERE parent_rid IS ?1 AND name = ?2")?
        .query_row(params![parent_rid, name], |r| uuid_of(r, 0))
        .optional()?;
    let shown = match clash {
        Some(other) if other < id => clash::suffixed(&name, id, false),
        Some(other) => {
            tx.execute(
                "UPDATE categories SET name = ?2 WHERE id = ?1",
                params![other.as_bytes(), clash::suffixed(&name, other, false)],
            )?;
            name
        }
        None => name,
    };
    tx.prepare_cached("INSERT INTO categories (id, parent_rid, name) VALUES (?1, ?2, ?3)")?
        .execute(params![id.as_bytes(), parent_rid, shown])?;
    let rid = tx.last_insert_rowid();
    tx.prepare_cached("UPDATE categories SET tree_path = ?1 WHERE rid = ?2")?
        .execute(params![format!("{parent_path}{rid}/"), rid])?;
    Ok(rid)
}

/// Products and categories that waited for category `id` (now row `rid`) get it.
fn wake(tx: &Connection, local: &mut LocalStamp<'_>, ctx: &mut Ctx, id: Uuid, rid: i64) -> Result<()> {
    let waiting: Vec<(Uuid, String)> = tx
        .prepare_cached("SELECT id, entity FROM sync_entities WHERE waits_for = ?1")?
        .query_map([id.as_bytes()], |r| Ok((uuid_of(r, 0)?, r.get(1)?)))?
        .collect::<rusqlite::Result<_>>()?;
    for (entity_id, kind) in waiting {
        match EntityKind::from_code(&kind) {
            Some(EntityKind::Category) => materialize_category(tx, local, ctx, entity_id)?,
            Some(EntityKind::Product) => {
                tx.prepare_cached("UPDATE products SET category_rid = ?2 WHERE id = ?1")?
                    .execute(params![entity_id.as_bytes(), rid])?;
                if let Some(mut known) = stamps::load(tx, entity_id)? {
                    known.waits_for = None;
                    stamps::save(tx, entity_id, &known)?;
                }
            }
            // Rows that wait are written after the page (rows::after_page).
            Some(_) | None => {}
        }
    }
    Ok(())
}

/// A history record of another device's change, with its stamp and author.
#[allow(clippy::too_many_arguments)]
fn record(
    tx: &Connection,
    entity_id: Uuid,
    op: ChangeOp,
    field: &str,
    old: &Option<String>,
    new: &Option<String>,
    who: &str,
    stamp: Stamp,
    batch: Uuid,
) -> Result<()> {
    tx.prepare_cached(
        "INSERT INTO history (id, entity, entity_id, op, field, old, new, who, hlc, device, batch)
         VALUES (?1, 'product', ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
    )?
    .execute(params![
        ChangeId::new().as_bytes(),
        entity_id.as_bytes(),
        op.code(),
        field,
        old,
        new,
        who,
        stamp.hlc.pack() as i64,
        stamp.device.0.as_bytes(),
        batch.as_bytes(),
    ])?;
    Ok(())
}

/// Who made the change stamped `stamp` to this entity, when history has it.
fn who_of(tx: &Connection, id: Uuid, stamp: Stamp) -> Result<String> {
    Ok(tx
        .prepare_cached("SELECT who FROM history WHERE entity_id = ?1 AND hlc = ?2 AND device = ?3 LIMIT 1")?
        .query_row(params![id.as_bytes(), stamp.hlc.pack() as i64, stamp.device.0.as_bytes()], |r| r.get(0))
        .optional()?
        .unwrap_or_default())
}

/// Keeps a value that lost: (value, who, stamp) of the loser and of the winner.
fn conflict(
    tx: &Connection,
    ctx: &Ctx,
    id: Uuid,
    field: &str,
    loser: (&Option<String>, &str, Stamp),
    winner: (&Option<String>, Option<&str>, Stamp),
) -> Result<()> {
    if field == ALIVE {
        return Ok(());
    }
    tx.prepare_cached(
        "INSERT INTO sync_conflicts (entity_id, field, value, who, hlc, device, winner_value, winner_who,
             winner_hlc, winner_device, at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
    )?
    .execute(params![
        id.as_bytes(),
        field,
        loser.0,
        loser.1,
        loser.2.hlc.pack() as i64,
        loser.2.device.0.as_bytes(),
        winner.0,
        winner.1,
        winner.2.hlc.pack() as i64,
        winner.2.device.0.as_bytes(),
        ctx.now as i64,
    ])?;
    Ok(())
}
