//! The state of the settings tables' rows (suppliers, sources, category mapping, feed profiles,
//! links: every kind but products and categories), copied after the catalog in the same
//! snapshot. Rows of a kind this app does not know (a newer app's) are skipped.

use std::time::Duration;

use futures_util::{StreamExt, pin_mut};
use tokio_postgres::Client;
use tokio_postgres::binary_copy::BinaryCopyOutStream;
use tokio_postgres::types::Type;
use uuid::Uuid;
use vitrina_domain::EntityKind;

use super::wire::{self, RawJson};
use crate::error::{Result, SyncError};
use crate::remote::StateDoc;

/// Rows per batch handed to the sink.
const BATCH: usize = 2_000;

/// `fields`: the fields that won since their docs were last folded (`state_fields`), laid over
/// each doc as it comes, as the catalog's are.
pub(super) async fn copy_state<F>(
    client: &Client,
    limit: Duration,
    fields: &mut wire::FieldRows,
    sink: &mut F,
) -> Result<()>
where
    F: FnMut(Vec<StateDoc>) -> Result<()> + Send,
{
    let within = |_| SyncError::timeout("copying the team's settings", limit.as_secs());
    let stream = tokio::time::timeout(
        limit,
        client.copy_out(
            "COPY (SELECT entity_id, entity, doc FROM state WHERE entity NOT IN ('category', 'product'))
             TO STDOUT (FORMAT binary)",
        ),
    )
    .await
    .map_err(within)??;
    let rows = BinaryCopyOutStream::new(stream, &[Type::UUID, Type::TEXT, Type::JSONB]);
    pin_mut!(rows);
    let mut batch = Vec::with_capacity(BATCH);
    loop {
        let Some(row) = tokio::time::timeout(limit, rows.next()).await.map_err(within)? else { break };
        let row = row?;
        let id: Uuid = row.try_get(0)?;
        let Some(kind) = EntityKind::from_code(row.try_get::<&str>(1)?) else { continue };
        let mut doc = wire::doc_from_json(row.try_get::<RawJson>(2)?.0)?;
        fields.lay_over(id, &mut doc);
        batch.push(StateDoc { kind, id, doc });
        if batch.len() == BATCH {
            sink(std::mem::replace(&mut batch, Vec::with_capacity(BATCH)))?;
        }
    }
    if !batch.is_empty() {
        sink(batch)?;
    }
    Ok(())
}
