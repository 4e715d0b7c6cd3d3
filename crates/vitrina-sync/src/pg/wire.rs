//! Change sets and state docs as the shared database stores them (jsonb):
//! a change set's fields `{field: [value or null, hlc, old or null]}`, a state doc
//! `{field: [value or null, hlc, device]}`. HLCs travel packed (48 bits of ms, 16 of counter).

use std::collections::{BTreeMap, HashMap};
use std::error::Error;

use tokio_postgres::types::{FromSql, Type};
use uuid::Uuid;
use vitrina_domain::{ChangeSet, DeviceId, Doc, FieldChange, Hlc, Stamp};

use crate::error::{Result, SyncError, SyncErrorKind};

/// A change set's fields as jsonb text.
pub(crate) fn fields_json(set: &ChangeSet) -> String {
    let map: serde_json::Map<String, serde_json::Value> = set
        .fields
        .iter()
        .map(|f| (f.field.clone(), serde_json::json!([f.value, f.hlc.pack(), f.old])))
        .collect();
    serde_json::Value::Object(map).to_string()
}

type WireFields = BTreeMap<String, (Option<String>, u64, Option<String>)>;
type WireDoc = BTreeMap<String, (Option<String>, u64, String)>;

pub(crate) fn fields_from_json(raw: &[u8]) -> Result<Vec<FieldChange>> {
    let map: WireFields = serde_json::from_slice(raw).map_err(damaged)?;
    Ok(map
        .into_iter()
        .map(|(field, (value, hlc, old))| FieldChange { field, value, hlc: Hlc::unpack(hlc), old })
        .collect())
}

pub(crate) fn doc_from_json(raw: &[u8]) -> Result<Doc> {
    let map: WireDoc = serde_json::from_slice(raw).map_err(damaged)?;
    let mut doc = Doc::default();
    for (field, (value, hlc, device)) in map {
        let device = DeviceId(device.parse().map_err(|_| damaged("a device id"))?);
        doc.0.insert(field, (value, Stamp { hlc: Hlc::unpack(hlc), device }));
    }
    Ok(doc)
}

/// A state doc as jsonb text (a team's first device seeds the state with these).
pub(crate) fn doc_json(doc: &Doc) -> String {
    let map: serde_json::Map<String, serde_json::Value> = doc
        .0
        .iter()
        .map(|(field, (value, stamp))| {
            (field.clone(), serde_json::json!([value, stamp.hlc.pack(), stamp.device.to_string()]))
        })
        .collect();
    serde_json::Value::Object(map).to_string()
}

/// The state's field rows (`state_fields`: fields that won since their entity's doc was last
/// folded), by entity, to lay over the docs.
#[derive(Debug, Default)]
pub(crate) struct FieldRows(HashMap<Uuid, Vec<(String, Option<String>, Stamp)>>);

impl FieldRows {
    pub fn add(&mut self, id: Uuid, field: String, value: Option<String>, hlc: i64, device: Uuid) {
        let stamp = Stamp { hlc: Hlc::unpack(hlc as u64), device: DeviceId(device) };
        self.0.entry(id).or_default().push((field, value, stamp));
    }

    /// An entity's doc with its field rows over it, field by field by the rule.
    pub fn lay_over(&mut self, id: Uuid, doc: &mut Doc) {
        for (field, value, stamp) in self.0.remove(&id).unwrap_or_default() {
            let _ = doc.merge(&field, value, stamp);
        }
    }
}

fn damaged(e: impl std::fmt::Display) -> SyncError {
    SyncError::new(
        SyncErrorKind::Server,
        format!("the team's server sent a record this app cannot read ({e})"),
    )
}

/// A json or jsonb value's text, as received (no parsing into a tree).
pub(crate) struct RawJson<'a>(pub &'a [u8]);

impl<'a> FromSql<'a> for RawJson<'a> {
    fn from_sql(ty: &Type, raw: &'a [u8]) -> std::result::Result<Self, Box<dyn Error + Sync + Send>> {
        if *ty == Type::JSONB {
            // jsonb's binary form: a version byte, then the text.
            match raw.split_first() {
                Some((1, text)) => Ok(RawJson(text)),
                _ => Err("unknown jsonb version".into()),
            }
        } else {
            Ok(RawJson(raw))
        }
    }

    fn accepts(ty: &Type) -> bool {
        *ty == Type::JSONB || *ty == Type::JSON
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use vitrina_domain::EntityKind;

    #[test]
    fn fields_and_docs_round_trip() {
        let set = ChangeSet {
            id: Uuid::now_v7(),
            entity: EntityKind::Product,
            entity_id: Uuid::now_v7(),
            batch: Uuid::now_v7(),
            device: DeviceId::new(),
            who: "ann".into(),
            fields: vec![
                FieldChange {
                    field: "name".into(),
                    value: Some("Чайник \"Б\"".into()),
                    hlc: Hlc { wall_ms: 5, counter: 1 },
                    old: None,
                },
                FieldChange {
                    field: "price".into(),
                    value: None,
                    hlc: Hlc { wall_ms: 1_700_000_000_000, counter: 9 },
                    old: Some("1 RUB".into()),
                },
            ],
        };
        let mut back = fields_from_json(fields_json(&set).as_bytes()).unwrap();
        back.sort_by(|a, b| a.field.cmp(&b.field));
        assert_eq!(back, set.fields);
        let mut doc = Doc::default();
        doc.apply(&set);
        assert_eq!(doc_from_json(doc_json(&doc).as_bytes()).unwrap(), doc);
    }
}
