//! Cards: `/v3/product/import` gives a task; `/v1/product/import/info` tells each item's fate
//! (`pending`, `imported`, `failed`, `skipped`); for an imported one, `/v3/product/info/list`
//! gives its sku and moderation, which decide whether it is on sale.

use std::collections::HashMap;
use std::time::Duration;

use serde::Deserialize;
use serde_json::{Value, json};

use super::wire::{Envelope, InfoItem, InfoList, call, id, int, some, text};
use crate::api::{AwaitItem, ExtIds, ItemResult, MarketProblem, OutItem, Outcome};
use crate::error::{ErrorKind, MarketError};
use crate::http::Client;
use crate::in_flight::map_in_flight;

/// Items per import (documented).
pub(super) const IMPORT_MAX: usize = 100;
/// Ids per `/v3/product/info/list` (documented).
pub(super) const INFO_MAX: usize = 1000;
/// An import usually settles within seconds.
const IMPORT_POLL: Duration = Duration::from_secs(2);
/// Moderation takes hours, usually under a day.
const MODERATION_POLL: Duration = Duration::from_secs(600);
/// Import tasks asked about at once: one per call, so one at a time would leave the bucket
/// idle for each round trip.
const TASKS_IN_FLIGHT: usize = 4;
/// A lost task: the items go again (an import is keyed by offer_id, so that is safe).
const RESEND: Duration = Duration::from_secs(60);

#[derive(Debug, Deserialize)]
struct Task {
    #[serde(deserialize_with = "id")]
    task_id: Option<String>,
}

pub(super) fn send(
    client: &Client,
    items: &[OutItem],
    cancel: &dyn Fn() -> bool,
) -> Result<Vec<ItemResult>, MarketError> {
    if items.len() > IMPORT_MAX {
        return Err(MarketError::new(
            ErrorKind::Invalid,
            format!("{} cards in one import; Ozon takes at most {IMPORT_MAX}", items.len()),
        ));
    }
    let payloads: Vec<&Value> = items.iter().map(|i| &i.payload).collect();
    let answer: Envelope<Task> = call(client, "/v3/product/import", &json!({ "items": payloads }), cancel)?;
    let Some(task) = answer.result.task_id else {
        return Err(MarketError::new(ErrorKind::BadResponse, "Ozon gave no task_id for the import"));
    };
    Ok(items
        .iter()
        .map(|i| ItemResult {
            offer_id: i.offer_id.clone(),
            outcome: Outcome::Pending {
                ext: i.link.ext.clone(),
                task: Some(task.clone()),
                poll_after: IMPORT_POLL,
            },
        })
        .collect())
}

#[derive(Debug, Deserialize)]
struct ImportInfo {
    #[serde(default)]
    items: Vec<ImportItem>,
}

#[derive(Debug, Deserialize)]
struct ImportItem {
    #[serde(default, deserialize_with = "text")]
    offer_id: String,
    #[serde(default, deserialize_with = "id")]
    product_id: Option<String>,
    #[serde(default, deserialize_with = "text")]
    status: String,
    #[serde(default)]
    errors: Vec<ImportError>,
}

/// An error of `/v1/product/import/info`, kept verbatim.
#[derive(Debug, Deserialize)]
struct ImportError {
    #[serde(default, deserialize_with = "text")]
    code: String,
    #[serde(default, deserialize_with = "text")]
    message: String,
    #[serde(default, deserialize_with = "text")]
    description: String,
    #[serde(default, deserialize_with = "text")]
    field: String,
    #[serde(default, deserialize_with = "id")]
    attribute_id: Option<String>,
    #[serde(default, deserialize_with = "text")]
    attribute_name: String,
    #[serde(default, deserialize_with = "text")]
    level: String,
}

impl ImportError {
    fn problem(&self) -> MarketProblem {
        let message = match (some(&self.message), some(&self.description)) {
            (Some(m), Some(d)) if m != d => format!("{m}: {d}"),
            (Some(m), _) => m,
            (None, Some(d)) => d,
            (None, None) => self.code.clone(),
        };
        MarketProblem {
            code: some(&self.code),
            field: self.attribute_id.clone().or_else(|| some(&self.field)),
            attr_name: some(&self.attribute_name),
            message,
        }
    }
}

/// Asks about every task the items wait on (once per task), then about the imported ones'
/// moderation. Items the task does not mention (yet) stay pending.
pub(super) fn follow_up(
    client: &Client,
    items: &[AwaitItem],
    cancel: &dyn Fn() -> bool,
) -> Result<Vec<ItemResult>, MarketError> {
    let mut tasks: Vec<&str> = items.iter().filter_map(|i| i.task.as_deref()).collect();
    tasks.sort_unstable();
    tasks.dedup();
    let mut answers: HashMap<(&str, String), ImportItem> = HashMap::new();
    let mut lost: HashMap<&str, MarketError> = HashMap::new();
    // `None`: not a task id at all.
    let infos = map_in_flight(&tasks, TASKS_IN_FLIGHT, cancel, |task, cancel| {
        int(task).map(|task_id| {
            call::<Envelope<ImportInfo>>(
                client,
                "/v1/product/import/info",
                &json!({"task_id": task_id}),
                cancel,
            )
        })
    });
    for (task, info) in tasks.into_iter().zip(infos) {
        let Some(info) = info else {
            lost.insert(task, MarketError::new(ErrorKind::Invalid, format!("{task} is not an Ozon task id")));
            continue;
        };
        match info {
            Ok(info) => {
                for item in info.result.items {
                    answers.insert((task, item.offer_id.clone()), item);
                }
            }
            // Ozon forgets old tasks: what they held goes again.
            Err(e) if e.kind == ErrorKind::NotFound => {
                lost.insert(task, e);
            }
            Err(e) => return Err(e),
        }
    }
    let mut results = Vec::with_capacity(items.len());
    let mut imported = Vec::new();
    for item in items {
        let ext = item.link.ext.clone();
        let task = item.task.as_deref().unwrap_or_default();
        let pending = |ext: ExtIds, poll_after| Outcome::Pending { ext, task: item.task.clone(), poll_after };
        let outcome = if item.task.is_none() {
            Outcome::Retry { after: RESEND, reason: MarketProblem::text("no import task to ask about") }
        } else if let Some(e) = lost.get(task) {
            Outcome::Retry {
                after: RESEND,
                reason: MarketProblem::text(format!("import task {task}: {}", e.message)),
            }
        } else if let Some(answer) = answers.get(&(task, item.offer_id.clone())) {
            let ext = ext.merged(&ExtIds { ext_id: answer.product_id.clone(), ..ExtIds::default() });
            match answer.status.as_str() {
                "imported" => {
                    imported.push(results.len());
                    pending(ext, MODERATION_POLL)
                }
                "failed" => Outcome::Rejected(rejection(&answer.errors)),
                "skipped" => Outcome::Unchanged(ext),
                _ => pending(ext, IMPORT_POLL),
            }
        } else {
            pending(ext, IMPORT_POLL)
        };
        results.push(ItemResult { offer_id: item.offer_id.clone(), outcome });
    }
    moderation(client, &mut results, &imported, cancel)?;
    Ok(results)
}

/// The errors of a failed item; warnings are kept only when there is nothing else to show.
fn rejection(errors: &[ImportError]) -> Vec<MarketProblem> {
    let hard: Vec<_> = errors.iter().filter(|e| !e.level.to_ascii_lowercase().contains("warning")).collect();
    let shown = if hard.is_empty() { errors.iter().collect() } else { hard };
    let mut problems: Vec<_> = shown.into_iter().map(ImportError::problem).collect();
    if problems.is_empty() {
        problems.push(MarketProblem::text("Ozon refused the card without saying why"));
    }
    problems
}

/// Replaces the pending outcomes at `which` (imported items) with what their moderation says.
fn moderation(
    client: &Client,
    results: &mut [ItemResult],
    which: &[usize],
    cancel: &dyn Fn() -> bool,
) -> Result<(), MarketError> {
    for chunk in which.chunks(INFO_MAX) {
        let offers: Vec<&str> = chunk.iter().map(|i| results[*i].offer_id.as_str()).collect();
        let list: InfoList = call(client, "/v3/product/info/list", &json!({ "offer_id": offers }), cancel)?;
        let by_offer: HashMap<&str, &InfoItem> =
            list.items.iter().map(|i| (i.offer_id.as_str(), i)).collect();
        for i in chunk {
            let result = &mut results[*i];
            let Some(info) = by_offer.get(result.offer_id.as_str()) else { continue };
            if let Outcome::Pending { ext, task, poll_after } = &result.outcome {
                let ext = ext.merged(&info.ext());
                result.outcome = match verdict(info) {
                    Verdict::Live => Outcome::Done(ext),
                    Verdict::Declined(problems) => Outcome::Rejected(problems),
                    Verdict::Moderating => {
                        Outcome::Pending { ext, task: task.clone(), poll_after: *poll_after }
                    }
                };
            }
        }
    }
    Ok(())
}

enum Verdict {
    Live,
    Declined(Vec<MarketProblem>),
    Moderating,
}

/// What a product's statuses say: declined or failed (with its errors, verbatim), approved, or
/// still being looked at.
fn verdict(info: &InfoItem) -> Verdict {
    let s = &info.statuses;
    let declined = ["declined", "rejected", "failed"]
        .iter()
        .any(|w| s.moderate_status.eq_ignore_ascii_case(w) || s.validation_status.eq_ignore_ascii_case(w))
        || !s.status_failed.trim().is_empty();
    if declined {
        let mut problems: Vec<_> =
            info.errors.iter().filter(|e| !e.is_warning()).map(|e| e.problem()).collect();
        if problems.is_empty() {
            let why = [&s.status_description, &s.status_failed, &s.status_name, &s.moderate_status]
                .into_iter()
                .find(|t| !t.trim().is_empty())
                .cloned()
                .unwrap_or_default();
            problems.push(MarketProblem {
                code: some(&s.status_failed),
                message: why,
                ..MarketProblem::default()
            });
        }
        Verdict::Declined(problems)
    } else if s.moderate_status.eq_ignore_ascii_case("approved") {
        Verdict::Live
    } else {
        Verdict::Moderating
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn info(value: Value) -> InfoItem {
        serde_json::from_value(value).unwrap()
    }

    #[test]
    fn moderation_verdicts() {
        assert!(matches!(
            verdict(&info(json!({"statuses": {"moderate_status": "approved", "status": "price_sent"}}))),
            Verdict::Live
        ));
        assert!(matches!(
            verdict(&info(json!({"statuses": {"moderate_status": "moderating"}}))),
            Verdict::Moderating
        ));
        let Verdict::Declined(p) = verdict(&info(json!({
            "statuses": {"moderate_status": "declined"},
            "errors": [
                {"code": "w", "level": "ERROR_LEVEL_WARNING", "texts": {"message": "a warning"}},
                {"code": "bad_photo", "attribute_id": 4194, "level": "ERROR_LEVEL_ERROR",
                 "texts": {"message": "Фото не соответствует товару", "attribute_name": "Фото"}}
            ]
        }))) else {
            panic!("declined")
        };
        assert_eq!(
            p,
            [MarketProblem {
                code: Some("bad_photo".into()),
                field: Some("4194".into()),
                attr_name: Some("Фото".into()),
                message: "Фото не соответствует товару".into()
            }]
        );
        let Verdict::Declined(p) = verdict(&info(
            json!({"statuses": {"status_failed": "failed_moderation", "status_description": "Не прошёл"}}),
        )) else {
            panic!("failed")
        };
        assert_eq!(p[0].message, "Не прошёл");
    }

    #[test]
    fn import_errors_keep_ozons_words() {
        let e: ImportError = serde_json::from_value(json!({
            "code": "required_attribute_missing", "message": "Не заполнен обязательный атрибут",
            "description": "Укажите Бренд", "field": "attribute", "attribute_id": 85, "attribute_name": "Бренд",
            "level": "error", "state": "declined"
        }))
        .unwrap();
        let p = e.problem();
        assert_eq!(p.message, "Не заполнен обязательный атрибут: Укажите Бренд");
        assert_eq!((p.field.as_deref(), p.attr_name.as_deref()), (Some("85"), Some("Бренд")));
        assert_eq!(rejection(&[])[0].message, "Ozon refused the card without saying why");
    }
}
