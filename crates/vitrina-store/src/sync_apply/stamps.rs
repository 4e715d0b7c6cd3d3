//! What a device knows of each synced entity (`sync_entities`): the winning stamp of every
//! field, the values of an entity that has no row, and the category a product waits for.
//!
//! Stamps are kept as JSON `{"*": [hlc, device], field: [hlc, device]…}`: `"*"` stands for every
//! field of the entity's kind that is not named, so a product created once and never edited
//! (most of a bootstrapped catalog) costs one stamp, not eighteen.

use std::collections::BTreeMap;
use std::fmt::Write;

use rusqlite::{Connection, OptionalExtension, params};
use uuid::Uuid;
use vitrina_domain::sync::{ALIVE, CATEGORY_NAME, CATEGORY_PARENT};
use vitrina_domain::{DeviceId, EntityKind, Hlc, ProductField, Stamp};

use crate::error::{Result, StoreError};

/// Every field an entity of `kind` has, `alive` included.
pub(crate) fn fields_of(kind: EntityKind) -> Vec<&'static str> {
    match kind {
        EntityKind::Product => ProductField::ALL.iter().map(|f| f.code()).chain([ALIVE]).collect(),
        EntityKind::Category => vec![CATEGORY_NAME, CATEGORY_PARENT, ALIVE],
        row => super::rows::fields_of(row),
    }
}

/// Field values as text (`None`: empty).
pub(crate) type Values = BTreeMap<String, Option<String>>;

/// One `sync_entities` row.
#[derive(Debug, Clone)]
pub(crate) struct Known {
    pub kind: EntityKind,
    pub stamps: BTreeMap<String, Stamp>,
    pub held: Option<Values>,
    pub waits_for: Option<Uuid>,
}

impl Known {
    pub fn new(kind: EntityKind) -> Self {
        Known { kind, stamps: BTreeMap::new(), held: None, waits_for: None }
    }

    /// Raises a field's stamp to `stamp` when that is later.
    pub fn raise(&mut self, field: &str, stamp: Stamp) {
        match self.stamps.get_mut(field) {
            Some(s) if *s >= stamp => {}
            Some(s) => *s = stamp,
            None => {
                self.stamps.insert(field.to_string(), stamp);
            }
        }
    }
}

/// A `sync_entities` row as stored: entity, stamps, held, waits_for.
type Row = (String, String, Option<String>, Option<[u8; 16]>);

pub(crate) fn load(conn: &Connection, id: Uuid) -> Result<Option<Known>> {
    let row: Option<Row> = conn
        .prepare_cached("SELECT entity, stamps, held, waits_for FROM sync_entities WHERE id = ?1")?
        .query_row([id.as_bytes()], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))
        .optional()?;
    let Some((entity, stamps, held, waits_for)) = row else { return Ok(None) };
    let kind = EntityKind::from_code(&entity).ok_or_else(|| bad(&format!("entity kind {entity}")))?;
    Ok(Some(Known {
        kind,
        stamps: decode(kind, &stamps)?,
        held: held.map(|h| serde_json::from_str(&h)).transpose().map_err(|e| bad(&e.to_string()))?,
        waits_for: waits_for.map(Uuid::from_bytes),
    }))
}

pub(crate) fn save(conn: &Connection, id: Uuid, known: &Known) -> Result<()> {
    let held = known.held.as_ref().map(|h| serde_json::to_string(h).unwrap_or_default());
    conn.prepare_cached(
        "INSERT INTO sync_entities (id, entity, stamps, held, waits_for) VALUES (?1, ?2, ?3, ?4, ?5)
         ON CONFLICT (id) DO UPDATE SET entity = excluded.entity, stamps = excluded.stamps,
             held = excluded.held, waits_for = excluded.waits_for",
    )?
    .execute(params![
        id.as_bytes(),
        known.kind.code(),
        encode(known.kind, &known.stamps),
        held,
        known.waits_for.map(|w| *w.as_bytes()),
    ])?;
    Ok(())
}

/// Saves a row whose stamps are encoded already (a bootstrap encodes them off the writer).
pub(crate) fn save_text(
    conn: &Connection,
    id: Uuid,
    kind: EntityKind,
    stamps: &str,
    held: Option<&Values>,
    waits_for: Option<Uuid>,
) -> Result<()> {
    let held = held.map(|h| serde_json::to_string(h).unwrap_or_default());
    conn.prepare_cached(
        "INSERT INTO sync_entities (id, entity, stamps, held, waits_for) VALUES (?1, ?2, ?3, ?4, ?5)
         ON CONFLICT (id) DO UPDATE SET entity = excluded.entity, stamps = excluded.stamps,
             held = excluded.held, waits_for = excluded.waits_for",
    )?
    .execute(params![id.as_bytes(), kind.code(), stamps, held, waits_for.map(|w| *w.as_bytes())])?;
    Ok(())
}

/// The JSON text of `stamps`, the most common stamp as `"*"` when it covers every field not named.
pub(crate) fn encode(kind: EntityKind, stamps: &BTreeMap<String, Stamp>) -> String {
    let all = fields_of(kind);
    let covers_all = all.iter().all(|f| stamps.contains_key(*f));
    let mut counts: BTreeMap<Stamp, usize> = BTreeMap::new();
    for s in stamps.values() {
        *counts.entry(*s).or_default() += 1;
    }
    let common = covers_all.then(|| counts.iter().max_by_key(|(s, n)| (**n, **s)).map(|(s, _)| *s)).flatten();
    let mut out = String::from("{");
    let push = |out: &mut String, key: &str, s: Stamp| {
        if out.len() > 1 {
            out.push(',');
        }
        let _ = write!(out, "{}:[{},\"{}\"]", serde_json::Value::from(key), s.hlc.pack(), s.device);
    };
    if let Some(common) = common {
        push(&mut out, "*", common);
    }
    for (field, s) in stamps {
        if Some(*s) != common || !all.contains(&field.as_str()) {
            push(&mut out, field, *s);
        }
    }
    out.push('}');
    out
}

pub(crate) fn decode(kind: EntityKind, text: &str) -> Result<BTreeMap<String, Stamp>> {
    let raw: BTreeMap<String, (u64, String)> = serde_json::from_str(text).map_err(|e| bad(&e.to_string()))?;
    let mut out = BTreeMap::new();
    let stamp = |(hlc, device): &(u64, String)| -> Result<Stamp> {
        Ok(Stamp {
            hlc: Hlc::unpack(*hlc),
            device: DeviceId(device.parse().map_err(|_| bad("a device id"))?),
        })
    };
    if let Some(common) = raw.get("*") {
        let common = stamp(common)?;
        for field in fields_of(kind) {
            out.insert(field.to_string(), common);
        }
    }
    for (field, s) in raw.iter().filter(|(f, _)| *f != "*") {
        out.insert(field.clone(), stamp(s)?);
    }
    Ok(out)
}

fn bad(what: &str) -> StoreError {
    StoreError::Migration(format!("a damaged sync record in this catalog ({what})"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(ms: u64, d: u128) -> Stamp {
        Stamp { hlc: Hlc { wall_ms: ms, counter: 3 }, device: DeviceId(Uuid::from_u128(d)) }
    }

    #[test]
    fn a_product_stamped_once_is_one_stamp_and_reads_back() {
        let mut stamps = BTreeMap::new();
        for f in fields_of(EntityKind::Product) {
            stamps.insert(f.to_string(), s(10, 1));
        }
        let text = encode(EntityKind::Product, &stamps);
        assert_eq!(text.matches('[').count(), 1, "{text}");
        assert_eq!(decode(EntityKind::Product, &text).unwrap(), stamps);
        stamps.insert("price".into(), s(20, 2));
        let text = encode(EntityKind::Product, &stamps);
        assert_eq!(text.matches('[').count(), 2, "{text}");
        assert_eq!(decode(EntityKind::Product, &text).unwrap(), stamps);
    }

    #[test]
    fn a_partial_doc_names_every_field() {
        let stamps: BTreeMap<String, Stamp> =
            [("price".to_string(), s(5, 1)), ("alive".to_string(), s(6, 2))].into();
        let text = encode(EntityKind::Product, &stamps);
        assert!(!text.contains('*'), "{text}");
        assert_eq!(decode(EntityKind::Product, &text).unwrap(), stamps);
    }
}
