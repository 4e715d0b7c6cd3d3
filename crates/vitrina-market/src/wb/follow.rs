//! What became of sent cards. WB reports a refused card only in its error list (`POST
//! /content/v2/cards/error/list`, paged by `cursor.next`), where an entry stays until a
//! corrected send, so only entries changed since the item's send count. A card that made it
//! shows in `get/cards/list`: looked up by vendorCode for a few items, or read in one pass of
//! the cards changed since the earliest send for many.

use std::collections::BTreeMap;

use serde::Deserialize;
use serde_json::{Value, json};

use super::publish::{POLL_AFTER, vendor_code};
use super::{Envelope, pull};
use crate::api::{AwaitItem, Cancel, ItemResult, MarketProblem, Outcome};
use crate::error::MarketError;
use crate::http::{Client, Endpoint, Method};
use crate::market::Group;

/// Up to this many items are looked up one by one; more take a pass over the changed cards.
const ONE_BY_ONE: usize = 10;

#[derive(Debug, Deserialize)]
struct ErrorPage {
    #[serde(default)]
    items: Vec<Value>,
    #[serde(default)]
    cursor: ErrorCursor,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
struct ErrorCursor {
    #[serde(default)]
    next: bool,
    #[serde(default)]
    updated_at: Option<String>,
    #[serde(rename = "batchUUID", default)]
    batch_uuid: Option<String>,
}

/// When `item` was sent: its task (the send's time), else the engine's record.
fn sent_ms(item: &AwaitItem) -> i64 {
    item.task.as_deref().and_then(|t| t.parse().ok()).unwrap_or(item.sent_at_ms)
}

fn code(item: &AwaitItem) -> &str {
    vendor_code(&item.payload).unwrap_or(&item.offer_id)
}

pub(super) fn follow(
    client: &Client,
    items: &[&AwaitItem],
    cancel: Cancel,
) -> Result<Vec<ItemResult>, MarketError> {
    let Some(since) = items.iter().map(|i| sent_ms(i)).min() else { return Ok(Vec::new()) };
    let wanted: Vec<&str> = items.iter().map(|i| code(i)).collect();
    let errors = error_list(client, &wanted, since, cancel)?;
    let mut out = Vec::with_capacity(items.len());
    let mut open = Vec::new();
    for item in items {
        match errors.get(code(item)).filter(|(at, _)| *at >= sent_ms(item)) {
            Some((_, texts)) => out.push(ItemResult {
                offer_id: item.offer_id.clone(),
                outcome: Outcome::Rejected(texts.iter().map(MarketProblem::text).collect()),
            }),
            None => open.push(*item),
        }
    }
    let cards = cards(client, &open, since, cancel)?;
    for item in open {
        let card = cards.get(code(item));
        // An update shows as the card changed since the send; a create as the card itself.
        let applied = card.filter(|c| {
            item.payload.get("nmID").is_none() || pull::time_ms(c).is_some_and(|at| at >= sent_ms(item))
        });
        let outcome = match applied {
            Some(card) => Outcome::Done(item.link.ext.merged(&pull::ext_ids(card))),
            None => Outcome::Pending {
                ext: item.link.ext.clone(),
                task: item.task.clone(),
                poll_after: POLL_AFTER,
            },
        };
        out.push(ItemResult { offer_id: item.offer_id.clone(), outcome });
    }
    Ok(out)
}

/// The newest error-list words for each of `wanted` changed at or after `since`, with when.
fn error_list(
    client: &Client,
    wanted: &[&str],
    since: i64,
    cancel: Cancel,
) -> Result<BTreeMap<String, (i64, Vec<String>)>, MarketError> {
    let ep = Endpoint::new(
        Group::WbContent,
        "wb.cards.errors",
        Method::POST,
        "/content/v2/cards/error/list?locale=ru",
    );
    let mut found: BTreeMap<String, (i64, Vec<String>)> = BTreeMap::new();
    let mut cursor = json!({"limit": 100});
    loop {
        let body = json!({"cursor": cursor, "order": {"ascending": true}});
        let answer: Envelope<ErrorPage> = client.json(&ep, Some(&body), 1, cancel)?;
        if answer.error {
            return Err(MarketError::new(crate::error::ErrorKind::Rejected, answer.error_text));
        }
        let page = answer.data.unwrap_or(ErrorPage { items: Vec::new(), cursor: ErrorCursor::default() });
        for entry in &page.items {
            let Some(at) = pull::time_ms(entry).filter(|at| *at >= since) else { continue };
            let Some(errors) = entry.get("errors").and_then(Value::as_object) else { continue };
            for (vendor, texts) in errors.iter().filter(|(v, _)| wanted.contains(&v.as_str())) {
                let texts: Vec<String> = match texts {
                    Value::Array(t) => t.iter().filter_map(Value::as_str).map(str::to_owned).collect(),
                    Value::String(s) => vec![s.clone()],
                    _ => continue,
                };
                if found.get(vendor).is_none_or(|(seen, _)| *seen <= at) {
                    found.insert(vendor.clone(), (at, texts));
                }
            }
        }
        match (page.cursor.next, page.cursor.updated_at, page.cursor.batch_uuid) {
            (true, Some(updated_at), Some(batch)) if !page.items.is_empty() => {
                cursor = json!({"limit": 100, "updatedAt": updated_at, "batchUUID": batch});
            }
            _ => return Ok(found),
        }
    }
}

/// The cards of `items` WB lists, by vendorCode.
fn cards(
    client: &Client,
    items: &[&AwaitItem],
    since: i64,
    cancel: Cancel,
) -> Result<BTreeMap<String, Value>, MarketError> {
    let mut found = BTreeMap::new();
    if items.len() <= ONE_BY_ONE {
        for item in items {
            if let Some(card) = pull::find(client, code(item), cancel)? {
                found.insert(code(item).to_owned(), card);
            }
        }
        return Ok(found);
    }
    let wanted: Vec<&str> = items.iter().map(|i| code(i)).collect();
    let start = pull::rfc3339_ms(since);
    let mut after = (start, 0);
    loop {
        let page = pull::list(client, None, Some((&after.0, after.1)), cancel)?;
        for card in &page.cards {
            if let Some(v) = card.get("vendorCode").and_then(Value::as_str).filter(|v| wanted.contains(v)) {
                found.insert(v.to_owned(), card.clone());
            }
        }
        match page.next() {
            Some(next) if found.len() < wanted.len() => after = next,
            _ => return Ok(found),
        }
    }
}
