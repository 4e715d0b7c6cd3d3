//! Price and stock edits made while a long supplier import holds the catalog's write lock.
//!
//! The catalog cannot take them until the import ends, but a marketplace must not keep selling
//! stock the seller no longer has for that long. So such an edit is *held*: it goes into the
//! job queue as a `catalog.edit` job (its own file: never lost if the app closes), which writes
//! it as a normal edit (history, undo) as soon as the catalog is free; and at the same time
//! every account with auto-push gets a push carrying the new value in place of the catalog's.

use std::time::Duration;

use serde::{Deserialize, Serialize};
use vitrina_domain::{FieldValue, ProductField};
use vitrina_jobs::{JobCtx, JobError, JobPayload, KindOptions, Registry};
use vitrina_market::plan::HeldValue;
use vitrina_store::ProductKey;

use crate::catalog::{App, FieldEdit};
use crate::error::{AppError, AppResult, ErrorCode};
use crate::jobs::{JobRecord, Jobs, JobsContext, QueueOptions};

/// The fields an edit may be held for: what marketplaces sell by.
const HELD_FIELDS: [ProductField; 3] = [ProductField::Price, ProductField::OldPrice, ProductField::Stock];
/// How long a price or stock edit waits for the catalog before it is held.
pub(crate) const HOLD_AFTER: Duration = Duration::from_millis(300);
/// How long a held edit waits for the catalog at most (an import of a million offers takes a
/// couple of minutes).
pub(crate) const WAIT_FOR_CATALOG: Duration = Duration::from_secs(60 * 60);

pub fn register(r: &mut Registry<JobsContext>) {
    r.register_kind(
        KindOptions::new(
            "Write an edit the catalog could not take during an import (payload: product, edits)",
        )
        .concurrency(1)
        .attempts(3),
        write_held,
    );
}

/// `catalog.edit`: one product's fields as typed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EditPayload {
    /// SKU or id.
    pub product: String,
    /// (field, text), as a person typed them.
    pub edits: Vec<(String, String)>,
}

impl JobPayload for EditPayload {
    const KIND: &'static str = "catalog.edit";
}

/// What became of an edit.
#[derive(Debug)]
pub enum EditOutcome {
    Saved(vitrina_domain::Product),
    /// The catalog was busy: queued as `job`, and pushed to `pushes` accounts now.
    Held {
        job: JobRecord,
        pushes: usize,
    },
}

impl App {
    /// [`App::edit`], or, when an import holds the catalog and only prices and stocks change,
    /// the edit held for later and sent to the marketplaces now.
    pub fn edit_or_hold(&self, key: &str, edits: &[FieldEdit], jobs: &Jobs) -> AppResult<EditOutcome> {
        let holdable = edits.iter().all(|e| HELD_FIELDS.contains(&e.field));
        // A held edit must reach the marketplaces within seconds: do not wait long for a lock an
        // import keeps for minutes.
        let usual = self.catalog()?.busy_wait();
        if holdable {
            self.set_busy_wait(usual.min(HOLD_AFTER))?;
        }
        let saved = self.edit(key, edits);
        if holdable {
            self.set_busy_wait(usual)?;
        }
        match saved {
            Err(e) if e.code == ErrorCode::Busy && holdable => {
                let held = self.held_value(key, edits)?;
                let payload = EditPayload {
                    product: held.sku.clone(),
                    edits: edits.iter().map(|e| (e.field.code().to_owned(), e.text.clone())).collect(),
                };
                let job = jobs.queue_job(
                    &payload,
                    &QueueOptions { concurrency_key: Some("catalog.edit".into()), max_attempts: None },
                )?;
                let pushes = crate::market::auto_push::queue_held_push(self, jobs, &held)?.len();
                tracing::info!(sku = %held.sku, pushes, "an edit during an import is held and pushed now");
                Ok(EditOutcome::Held { job, pushes })
            }
            other => other.map(EditOutcome::Saved),
        }
    }

    /// The edits as values, read against the product as it is (reading never waits).
    fn held_value(&self, key: &str, edits: &[FieldEdit]) -> AppResult<HeldValue> {
        let product = self.catalog()?.product(&ProductKey::parse(key))?;
        let mut held = HeldValue { sku: product.sku.clone(), ..HeldValue::default() };
        for e in edits {
            match e
                .field
                .parse_value(&e.text, product.price.currency)
                .map_err(|e| AppError::invalid(e.to_string()))?
            {
                FieldValue::Price(m) => held.price = Some(m.minor),
                FieldValue::OldPrice(m) => held.old_price = Some(m.map(|m| m.minor)),
                FieldValue::Stock(n) => held.stock = Some(n),
                other => return Err(AppError::invalid(format!("{:?} cannot be held", other.field()))),
            }
        }
        Ok(held)
    }
}

/// Writes the held edit once the catalog is free, on a connection of its own (the job runner's
/// is the one the import holds).
async fn write_held(ctx: JobCtx<JobsContext>, p: EditPayload) -> Result<serde_json::Value, JobError> {
    let path = ctx.app().catalog_path().to_path_buf();
    let token = ctx.cancel_token();
    ctx.message(p.product.clone());
    let edits = p
        .edits
        .iter()
        .map(|(field, text)| FieldEdit::parse(&format!("{field}={text}")))
        .collect::<AppResult<Vec<_>>>()
        .map_err(|e| JobError::permanent(e.message))?;
    let product = p.product.clone();
    tokio::task::spawn_blocking(move || {
        let app = App::open(&path).map_err(|e| JobError::transient(e.message))?;
        let started = std::time::Instant::now();
        loop {
            match app.edit(&product, &edits) {
                Ok(_) => return Ok(serde_json::json!({ "product": product })),
                Err(e) if e.code == ErrorCode::Busy && started.elapsed() < WAIT_FOR_CATALOG => {
                    if token.is_cancelled() {
                        return Err(JobError::permanent("cancelled").with_code("cancelled"));
                    }
                    std::thread::sleep(Duration::from_millis(500));
                }
                Err(e) => return Err(JobError::transient(e.message).with_code("catalog_error")),
            }
        }
    })
    .await
    .map_err(|e| JobError::permanent(e.to_string()))?
}
