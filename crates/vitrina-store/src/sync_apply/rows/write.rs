//! Writing a row entity's doc into its table: the fields that won, the whole row when it
//! appears, its removal when it is deleted; or leaving it waiting for what it names.

use rusqlite::types::Value;
use rusqlite::{Connection, OptionalExtension, params_from_iter};
use uuid::Uuid;
use vitrina_domain::EntityKind;
use vitrina_domain::sync::ALIVE;

use super::tables::{self, Col, Table};
use super::{INCOMPLETE, Known};
use crate::error::Result;

/// A field's text as its column stores it.
enum Resolved {
    Value(Value),
    /// Names an entity this device does not have (yet).
    Missing(Uuid),
    /// Not a value of this column (a damaged or incomplete doc).
    Bad,
}

fn resolve(conn: &Connection, col: Col, text: Option<&str>) -> Result<Resolved> {
    let Some(text) = text else { return Ok(Resolved::Value(Value::Null)) };
    Ok(match col {
        Col::Text => Resolved::Value(Value::Text(text.to_string())),
        Col::Int => match text.parse::<i64>() {
            Ok(n) => Resolved::Value(Value::Integer(n)),
            Err(_) => Resolved::Bad,
        },
        Col::Real => match text.parse::<f64>() {
            Ok(n) => Resolved::Value(Value::Real(n)),
            Err(_) => Resolved::Bad,
        },
        Col::Uuid => match text.parse::<Uuid>() {
            Ok(id) => Resolved::Value(Value::Blob(id.as_bytes().to_vec())),
            Err(_) => Resolved::Bad,
        },
        Col::RefId(table) => match text.parse::<Uuid>() {
            Err(_) => Resolved::Bad,
            Ok(id) => {
                let found: Option<i64> = conn
                    .prepare_cached(&format!("SELECT 1 FROM {table} WHERE id = ?1"))?
                    .query_row([id.as_bytes()], |r| r.get(0))
                    .optional()?;
                match found {
                    Some(_) => Resolved::Value(Value::Blob(id.as_bytes().to_vec())),
                    None => Resolved::Missing(id),
                }
            }
        },
        Col::Ref(table) => match text.parse::<Uuid>() {
            Err(_) => Resolved::Bad,
            Ok(id) => {
                let rid: Option<i64> = conn
                    .prepare_cached(&format!("SELECT rid FROM {table} WHERE id = ?1"))?
                    .query_row([id.as_bytes()], |r| r.get(0))
                    .optional()?;
                match rid {
                    Some(rid) => Resolved::Value(Value::Integer(rid)),
                    None => Resolved::Missing(id),
                }
            }
        },
    })
}

/// Why a row cannot be written now.
enum Wait {
    For(Uuid),
}

/// The values of `columns` (by field), resolved; or what they wait for.
fn resolve_all(
    conn: &Connection,
    t: &Table,
    known: &Known,
    columns: &[&'static str],
) -> Result<std::result::Result<Vec<Value>, Wait>> {
    let held = known.held.as_ref();
    let mut out = Vec::with_capacity(columns.len());
    for column in columns {
        let Some(col) = t.columns.iter().find(|c| c.column == *column) else {
            return Ok(Err(Wait::For(INCOMPLETE)));
        };
        let text = held.and_then(|h| h.get(col.field).cloned().flatten());
        match resolve(conn, col.col, text.as_deref())? {
            Resolved::Value(v) => out.push(v),
            Resolved::Missing(id) => return Ok(Err(Wait::For(id))),
            Resolved::Bad => return Ok(Err(Wait::For(INCOMPLETE))),
        }
    }
    Ok(Ok(out))
}

/// The row's rid, when the table has it.
fn locate(conn: &Connection, t: &Table, id: Uuid, known: &Known) -> Result<Option<Vec<Value>>> {
    if t.has_id {
        let found: Option<i64> = conn
            .prepare_cached(&format!("SELECT 1 FROM {} WHERE id = ?1", t.table))?
            .query_row([id.as_bytes()], |r| r.get(0))
            .optional()?;
        return Ok(found.map(|_| vec![Value::Blob(id.as_bytes().to_vec())]));
    }
    let Ok(key) = resolve_all(conn, t, known, t.key)? else { return Ok(None) };
    let found: Option<i64> = conn
        .prepare_cached(&format!("SELECT 1 FROM {} WHERE {}", t.table, where_key(t)))?
        .query_row(params_from_iter(key.iter()), |r| r.get(0))
        .optional()?;
    Ok(found.map(|_| key))
}

fn where_key(t: &Table) -> String {
    let columns: Vec<&str> = if t.has_id { vec!["id"] } else { t.key.to_vec() };
    columns.iter().enumerate().map(|(i, c)| format!("{c} = ?{}", i + 1)).collect::<Vec<_>>().join(" AND ")
}

/// Makes the table show the entity's doc (`known.held`): updates the fields in `won` (or, with
/// `None`, writes the row whole if it is missing), deletes it once `alive` says so. A row that
/// cannot be written yet keeps waiting (`known.waits_for`); writing never fails on a row.
pub(super) fn settle(
    conn: &Connection,
    now: u64,
    id: Uuid,
    known: &mut Known,
    won: Option<&[String]>,
) -> Result<()> {
    let Some(t) = tables::table(known.kind) else { return Ok(()) };
    // The marketplace file is not here (not created yet on this device, or not attached):
    // the row waits for it.
    if known.kind.is_market() && !super::super::side::attached(conn)? {
        known.waits_for = Some(super::MARKET_FILE);
        return Ok(());
    }
    let held_alive =
        known.held.as_ref().and_then(|h| h.get(ALIVE).cloned().flatten()).as_deref() == Some("1");
    let at = locate(conn, t, id, known)?;
    let exists = at.is_some();
    // A change that leaves `alive` alone leaves the row's existence as it is here (this
    // device may have deleted it, not pushed yet), unless the row was waiting to be written.
    let alive = match won {
        Some(w) if !w.iter().any(|f| f == ALIVE) && known.waits_for.is_none() => exists,
        _ => held_alive,
    };
    known.waits_for = None;
    match (at, alive) {
        (Some(key), true) => {
            let Some(won) = won else { return Ok(()) };
            let columns: Vec<&'static str> = t
                .columns
                .iter()
                .filter(|c| won.iter().any(|f| f == c.field) && !t.key.contains(&c.column))
                .map(|c| c.column)
                .collect();
            if columns.is_empty() {
                return Ok(());
            }
            let values = match resolve_all(conn, t, known, &columns)? {
                Ok(v) => v,
                Err(Wait::For(w)) => {
                    known.waits_for = Some(w);
                    return Ok(());
                }
            };
            let values = unique_name(conn, t, id, &columns, values)?;
            let set: Vec<String> =
                columns.iter().enumerate().map(|(i, c)| format!("{c} = ?{}", i + 1 + key.len())).collect();
            let sql = format!("UPDATE {} SET {} WHERE {}", t.table, set.join(", "), where_key(t));
            let all: Vec<Value> = key.into_iter().chain(values).collect();
            if refused(conn.prepare_cached(&sql)?.execute(params_from_iter(all.iter())))? {
                known.waits_for = Some(INCOMPLETE);
            }
        }
        (Some(key), false) => {
            let sql = format!("DELETE FROM {} WHERE {}", t.table, where_key(t));
            conn.prepare_cached(&sql)?.execute(params_from_iter(key.iter()))?;
        }
        (None, true) => insert(conn, t, id, known, now)?,
        (None, false) => {}
    }
    Ok(())
}

fn insert(conn: &Connection, t: &Table, id: Uuid, known: &mut Known, now: u64) -> Result<()> {
    let columns: Vec<&'static str> = t.columns.iter().map(|c| c.column).collect();
    let values = match resolve_all(conn, t, known, &columns)? {
        Ok(v) => v,
        Err(Wait::For(w)) => {
            known.waits_for = Some(w);
            return Ok(());
        }
    };
    if t.kind == EntityKind::ProductLink && !break_cycle(conn, id, &values)? {
        known.waits_for = Some(INCOMPLETE);
        return Ok(());
    }
    let values = unique_name(conn, t, id, &columns, values)?;
    let mut names: Vec<&str> = columns.clone();
    let mut all = values;
    if t.has_id {
        names.push("id");
        all.push(Value::Blob(id.as_bytes().to_vec()));
    }
    for stamped in t.stamped {
        names.push(stamped);
        all.push(Value::Integer(now as i64));
    }
    let marks: Vec<String> = (1..=names.len()).map(|i| format!("?{i}")).collect();
    let sql = format!("INSERT INTO {} ({}) VALUES ({})", t.table, names.join(", "), marks.join(", "));
    if refused(conn.prepare_cached(&sql)?.execute(params_from_iter(all.iter())))? {
        known.waits_for = Some(INCOMPLETE);
    }
    Ok(())
}

/// A constraint refused the write (an incomplete or contradictory doc): the row waits.
fn refused(done: rusqlite::Result<usize>) -> Result<bool> {
    match done {
        Ok(_) => Ok(false),
        Err(rusqlite::Error::SqliteFailure(f, _)) if f.code == rusqlite::ErrorCode::ConstraintViolation => {
            Ok(true)
        }
        Err(e) => Err(e.into()),
    }
}

/// Two rows given one name apart (two devices named two profiles alike) both keep it: the one
/// with the greater id shows it with a suffix, on every device alike.
fn unique_name(
    conn: &Connection,
    t: &Table,
    id: Uuid,
    columns: &[&'static str],
    mut values: Vec<Value>,
) -> Result<Vec<Value>> {
    let Some(unique) = t.unique else { return Ok(values) };
    let Some(i) = columns.iter().position(|c| *c == unique) else { return Ok(values) };
    let Value::Text(name) = values[i].clone() else { return Ok(values) };
    let other: Option<(Vec<u8>, String)> = conn
        .prepare_cached(&format!("SELECT id, {unique} FROM {} WHERE {unique} = ?1 AND id <> ?2", t.table))?
        .query_row(rusqlite::params![name, id.as_bytes()], |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()?;
    let Some((other, taken)) = other else { return Ok(values) };
    let other = Uuid::from_slice(&other).unwrap_or_default();
    if other < id {
        values[i] = Value::Text(super::super::clash::suffixed(&name, id, false));
    } else {
        conn.execute(
            &format!("UPDATE {} SET {unique} = ?2 WHERE id = ?1", t.table),
            rusqlite::params![other.as_bytes(), super::super::clash::suffixed(&taken, other, false)],
        )?;
    }
    Ok(values)
}

/// Whether a kit or pack link (from, to, kind, …) would make a product derive from itself.
fn would_cycle(conn: &Connection, values: &[Value]) -> Result<bool> {
    let (Value::Integer(from), Value::Integer(to), Value::Text(kind)) = (&values[0], &values[1], &values[2])
    else {
        return Ok(true);
    };
    if from == to {
        return Ok(true);
    }
    if kind == "related" {
        return Ok(false);
    }
    Ok(conn.query_row(
        "WITH RECURSIVE up(rid) AS (
             SELECT ?1
             UNION SELECT l.to_rid FROM product_links l JOIN up ON l.from_rid = up.rid WHERE l.kind <> 'related'
         ) SELECT EXISTS (SELECT 1 FROM up WHERE rid = ?2)",
        rusqlite::params![to, from],
        |r| r.get(0),
    )?)
}

/// Two devices linked two products each to the other apart: of the links that would make a
/// product derive from itself, the one with the smaller id is kept, on every device alike. True
/// when the link `id` (from, to, kind, …) may be written: the links of greater ids in its way
/// are taken out (they wait, and come back if the cycle ever goes); false when a link of a
/// smaller id is in its way (it waits).
fn break_cycle(conn: &Connection, id: Uuid, values: &[Value]) -> Result<bool> {
    loop {
        if !would_cycle(conn, values)? {
            return Ok(true);
        }
        let (Value::Integer(from), Value::Integer(to)) = (&values[0], &values[1]) else { return Ok(false) };
        // The derived links on the paths from `to` back to `from`, with their entity ids.
        type InWay = (Uuid, i64, i64, String, Option<String>);
        let in_way: Vec<InWay> = conn
            .prepare_cached(
                "WITH RECURSIVE
                     down(rid) AS (SELECT ?1 UNION SELECT l.to_rid FROM product_links l JOIN down ON l.from_rid = down.rid
                                   WHERE l.kind <> 'related'),
                     up(rid) AS (SELECT ?2 UNION SELECT l.from_rid FROM product_links l JOIN up ON l.to_rid = up.rid
                                 WHERE l.kind <> 'related')
                 SELECT sync_row_id('product_link', sync_uuid(f.id), sync_uuid(t.id), l.kind), l.from_rid, l.to_rid, l.kind,
                        json_object('from', sync_uuid(f.id), 'to', sync_uuid(t.id), 'kind', l.kind,
                                    'quantity', CAST(l.quantity AS TEXT), 'discount_bp', CAST(l.discount_bp AS TEXT),
                                    'alive', '1')
                 FROM product_links l JOIN products f ON f.rid = l.from_rid JOIN products t ON t.rid = l.to_rid
                 WHERE l.kind <> 'related' AND l.from_rid IN (SELECT rid FROM down INTERSECT SELECT rid FROM up)
                   AND l.to_rid IN (SELECT rid FROM down INTERSECT SELECT rid FROM up)",
            )?
            .query_map(rusqlite::params![to, from], |r| {
                Ok((crate::rows::uuid_of(r, 0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?))
            })?
            .collect::<rusqlite::Result<_>>()?;
        let greater: Vec<_> = in_way.into_iter().filter(|(other, ..)| *other > id).collect();
        if greater.is_empty() {
            return Ok(false);
        }
        for (other, from_rid, to_rid, kind, row) in greater {
            conn.prepare_cached(
                "DELETE FROM product_links WHERE from_rid = ?1 AND to_rid = ?2 AND kind = ?3",
            )?
            .execute(rusqlite::params![from_rid, to_rid, kind])?;
            // Kept as it was (this device's own link, not pushed yet, has no entry so far).
            let mut known = match super::stamps::load(conn, other)? {
                Some(known) => known,
                None => {
                    let mut known = Known::new(EntityKind::ProductLink);
                    known.held = Some(super::parse(row.as_deref())?);
                    known
                }
            };
            known.waits_for = Some(INCOMPLETE);
            super::stamps::save(conn, other, &known)?;
        }
    }
}
