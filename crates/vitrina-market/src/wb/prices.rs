//! Prices: `POST /api/v2/upload/task` takes up to 1000 `{nmID, price, discount}` and answers
//! with an upload id; the task's fate is read from `history/tasks` (3 done, 4 cancelled, 5 some
//! items failed, 6 all failed) and the failed items' `errorText` from `history/goods/task`.
//!
//! A task not finished when the send returns comes back [`Outcome::Pending`] with the task
//! `price:<uploadID>`; [`super::WbApi`]'s `follow_up` sends such items here (card items carry
//! their send time as the task, with no prefix).

use std::collections::BTreeMap;
use std::time::Duration;

use serde::Deserialize;
use serde_json::{Value, json};
use vitrina_store::export::ExportRow;

use super::Envelope;
use crate::api::{AwaitItem, Cancel, ExtIds, ItemResult, Link, MarketProblem, OutItem, Outcome};
use crate::error::MarketError;
use crate::http::{Client, Endpoint, Method};
use crate::market::Group;
use crate::precheck::{Problem, ProblemCode};

/// The prefix of a price item's task.
pub(super) const TASK_PREFIX: &str = "price:";

/// How long WB usually takes over a price task.
const POLL_AFTER: Duration = Duration::from_secs(5);

/// WB's `(price, discount)` for `row`: the price before the discount in whole roubles, and the
/// discount in whole percent, from the catalog's old price (kopecks).
pub(super) fn wb_price(row: &ExportRow) -> (i64, i64) {
    let roubles = |kopecks: i64| (kopecks + 50).div_euclid(100);
    match row.old_price {
        Some(old) if old > row.price && row.price > 0 => {
            let discount = (((old - row.price) * 100 + old / 2) / old).min(99);
            if discount == 0 { (roubles(row.price), 0) } else { (roubles(old), discount) }
        }
        _ => (roubles(row.price), 0),
    }
}

/// The price item for `row`: it needs the card's `nmID`.
pub(super) fn item(row: &ExportRow, link: &Link) -> Result<Value, Problem> {
    let Some(nm_id) = nm_id(link) else {
        return Err(Problem::new(
            ProblemCode::NotPublished,
            "price",
            "the card has no nmID on Wildberries yet",
        ));
    };
    if row.price <= 0 {
        return Err(Problem::new(ProblemCode::NoPrice, "price", String::new()));
    }
    let (price, discount) = wb_price(row);
    Ok(json!({"nmID": nm_id, "price": price, "discount": discount}))
}

fn nm_id(link: &Link) -> Option<i64> {
    link.ext.ext_id.as_deref().and_then(|id| id.trim().parse().ok())
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct UploadTask {
    id: i64,
    #[serde(default)]
    already_exists: bool,
}

#[derive(Debug, Deserialize)]
struct HistoryTask {
    status: i64,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct HistoryGoods {
    #[serde(default)]
    history_goods: Vec<HistoryGood>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct HistoryGood {
    #[serde(rename = "nmID")]
    nm_id: i64,
    status: i64,
    #[serde(default)]
    error_text: String,
}

/// One item of a price task, whichever way it came.
struct Priced<'a> {
    offer_id: &'a str,
    nm_id: Option<i64>,
    ext: &'a ExtIds,
}

fn all(items: &[Priced], outcome: impl Fn(&Priced) -> Outcome) -> Vec<ItemResult> {
    items.iter().map(|i| ItemResult { offer_id: i.offer_id.to_owned(), outcome: outcome(i) }).collect()
}

pub(super) fn send(
    client: &Client,
    items: &[OutItem],
    cancel: Cancel,
) -> Result<Vec<ItemResult>, MarketError> {
    let priced: Vec<Priced> = items
        .iter()
        .map(|i| Priced {
            offer_id: &i.offer_id,
            nm_id: i.payload.get("nmID").and_then(Value::as_i64),
            ext: &i.link.ext,
        })
        .collect();
    let body = json!({"data": items.iter().map(|i| &i.payload).collect::<Vec<_>>()});
    let ep = Endpoint::new(Group::WbPrices, "wb.prices", Method::POST, "/api/v2/upload/task");
    let answer = match client.json::<Envelope<UploadTask>>(&ep, Some(&body), 1, cancel) {
        Ok(answer) => answer,
        Err(e) => return refused(e, &priced),
    };
    match answer.data {
        _ if answer.error => {
            Ok(all(&priced, |_| Outcome::Rejected(vec![MarketProblem::text(&answer.error_text)])))
        }
        // 208: the same upload was taken before.
        Some(task) if task.already_exists => Ok(all(&priced, |i| Outcome::Done(i.ext.clone()))),
        Some(task) => resolve(client, task.id, &priced, cancel),
        None => Err(MarketError::new(
            crate::error::ErrorKind::BadResponse,
            "/api/v2/upload/task answered without an upload id",
        )),
    }
}

/// What a refused upload means for its items: WB refuses the whole request.
fn refused(e: MarketError, items: &[Priced]) -> Result<Vec<ItemResult>, MarketError> {
    match e.status {
        Some(400) if e.message.contains("already set") && !e.message.starts_with("All item") => {
            Ok(all(items, |i| Outcome::Unchanged(i.ext.clone())))
        }
        Some(400) => Ok(all(items, |_| Outcome::Rejected(vec![MarketProblem::text(&e.message)]))),
        // A currency switch is under way: it passes.
        Some(409) => Ok(all(items, |_| Outcome::Retry {
            after: Duration::from_secs(600),
            reason: MarketProblem::text(&e.message),
        })),
        _ => Err(e),
    }
}

/// Follows price items sent earlier (tasks `price:<uploadID>`).
pub(super) fn follow(
    client: &Client,
    items: &[&AwaitItem],
    cancel: Cancel,
) -> Result<Vec<ItemResult>, MarketError> {
    let mut by_task: BTreeMap<i64, Vec<Priced>> = BTreeMap::new();
    let mut out = Vec::new();
    for item in items {
        let priced = Priced {
            offer_id: &item.offer_id,
            nm_id: item.payload.get("nmID").and_then(Value::as_i64),
            ext: &item.link.ext,
        };
        match item.task.as_deref().and_then(|t| t.strip_prefix(TASK_PREFIX)).and_then(|t| t.parse().ok()) {
            Some(id) => by_task.entry(id).or_default().push(priced),
            None => out.push(ItemResult {
                offer_id: item.offer_id.clone(),
                outcome: Outcome::Retry {
                    after: Duration::ZERO,
                    reason: MarketProblem::text("the price upload id was lost; sending again"),
                },
            }),
        }
    }
    for (id, priced) in by_task {
        out.extend(resolve(client, id, &priced, cancel)?);
    }
    Ok(out)
}

/// Where upload `id` stands, per item.
fn resolve(
    client: &Client,
    id: i64,
    items: &[Priced],
    cancel: Cancel,
) -> Result<Vec<ItemResult>, MarketError> {
    let pending = |i: &Priced| Outcome::Pending {
        ext: i.ext.clone(),
        task: Some(format!("{TASK_PREFIX}{id}")),
        poll_after: POLL_AFTER,
    };
    let ep = Endpoint::new(
        Group::WbPrices,
        "wb.prices",
        Method::GET,
        format!("/api/v2/history/tasks?uploadID={id}"),
    );
    let task = match client.json::<Envelope<HistoryTask>>(&ep, None::<&()>, 1, cancel) {
        Ok(answer) => answer.data,
        // Not in the history yet.
        Err(e) if matches!(e.status, Some(400 | 404)) => None,
        Err(e) => return Err(e),
    };
    let Some(task) = task else { return Ok(all(items, pending)) };
    match task.status {
        3 => Ok(all(items, |i| Outcome::Done(i.ext.clone()))),
        4 => Ok(all(items, |_| Outcome::Retry {
            after: Duration::ZERO,
            reason: MarketProblem::text(format!("price upload {id} was cancelled")),
        })),
        5 | 6 => {
            let failed = failures(client, id, cancel)?;
            Ok(all(items, |i| match i.nm_id.and_then(|n| failed.get(&n)) {
                Some(texts) => Outcome::Rejected(texts.iter().map(MarketProblem::text).collect()),
                None => Outcome::Done(i.ext.clone()),
            }))
        }
        _ => Ok(all(items, pending)),
    }
}

/// The `errorText`s of the failed items of upload `id`, by `nmID` (a card's sizes may repeat one).
fn failures(client: &Client, id: i64, cancel: Cancel) -> Result<BTreeMap<i64, Vec<String>>, MarketError> {
    const PAGE: usize = 1000;
    let mut failed: BTreeMap<i64, Vec<String>> = BTreeMap::new();
    let mut offset = 0;
    loop {
        let path = format!("/api/v2/history/goods/task?uploadID={id}&limit={PAGE}&offset={offset}");
        let ep = Endpoint::new(Group::WbPrices, "wb.prices", Method::GET, path);
        let page = client.json::<Envelope<HistoryGoods>>(&ep, None::<&()>, 1, cancel)?;
        let goods = page.data.map(|d| d.history_goods).unwrap_or_default();
        for good in goods.iter().filter(|g| g.status == 3) {
            let texts = failed.entry(good.nm_id).or_default();
            if !texts.contains(&good.error_text) {
                texts.push(good.error_text.clone());
            }
        }
        if goods.len() < PAGE {
            return Ok(failed);
        }
        offset += PAGE;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(price: i64, old: Option<i64>) -> ExportRow {
        ExportRow { price, old_price: old, ..Default::default() }
    }

    #[test]
    fn prices_are_whole_roubles_and_the_discount_comes_from_the_old_price() {
        assert_eq!(wb_price(&row(449_050, None)), (4491, 0));
        assert_eq!(wb_price(&row(449_000, Some(599_000))), (5990, 25));
        assert_eq!(wb_price(&row(599_000, Some(599_000))), (5990, 0), "no discount");
        assert_eq!(wb_price(&row(599_000, Some(500_000))), (5990, 0), "an old price below is ignored");
        assert_eq!(wb_price(&row(100_000, Some(100_400))), (1000, 0), "under half a percent");
        assert_eq!(wb_price(&row(100, Some(1_000_000))), (10000, 99), "at most 99 %");
    }

    #[test]
    fn a_price_needs_the_cards_nm_id() {
        let link = Link::default();
        assert_eq!(item(&row(100, None), &link).unwrap_err().code, ProblemCode::NotPublished);
        let link = Link { ext: ExtIds { ext_id: Some("300000001".into()), ..ExtIds::default() }, ..link };
        assert_eq!(item(&row(0, None), &link).unwrap_err().code, ProblemCode::NoPrice);
        assert_eq!(
            item(&row(449_000, Some(599_000)), &link).unwrap(),
            json!({"nmID": 300000001, "price": 5990, "discount": 25})
        );
    }
}
