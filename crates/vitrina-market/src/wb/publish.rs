//! Sending cards: creates go to `POST /content/v2/cards/upload` (the variants of one product
//! group become one entry, a merged card, at most 30 per entry and 100 entries per request),
//! updates to `POST /content/v2/cards/update`.
//!
//! WB checks most things later: a 200 only means "accepted", so every item comes back pending
//! with the send time as its task (the error list is read from then on). A 400 refuses the
//! whole request: items it names (by vendorCode in `additionalErrors`, or by subject) are
//! rejected, the others were not looked at and go again. A 400 for a vendorCode already in
//! use means an earlier send got through: the card is looked up and linked, never created
//! twice.

use std::collections::BTreeMap;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde_json::{Value, json};

use super::{Envelope, pull};
use crate::api::{Cancel, ItemResult, MarketProblem, OutItem, Outcome};
use crate::error::MarketError;
use crate::http::{Client, Endpoint, Method};
use crate::market::Group;

/// Variants per upload entry (a merged card holds at most 30).
const VARIANTS: usize = 30;
/// Entries per upload request.
const ENTRIES: usize = 100;
/// When to ask about a sent card: the error list allows a request per 6 s.
pub(super) const POLL_AFTER: Duration = Duration::from_secs(6);
/// When to send again items a refused request held but did not refuse.
const AGAIN_AFTER: Duration = Duration::from_secs(6);

pub(super) fn now_ms() -> i64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_millis() as i64)
}

/// The vendorCode an item's payload carries (a create's variant or an update).
pub(super) fn vendor_code(payload: &Value) -> Option<&str> {
    payload.get("variant").unwrap_or(payload).get("vendorCode").and_then(Value::as_str)
}

pub(super) fn send(
    client: &Client,
    items: &[OutItem],
    cancel: Cancel,
) -> Result<Vec<ItemResult>, MarketError> {
    let sent = now_ms();
    let (creates, updates): (Vec<&OutItem>, Vec<&OutItem>) =
        items.iter().partition(|i| i.payload.get("variant").is_some());
    let mut requests: Vec<(bool, Vec<Vec<&OutItem>>)> =
        entries(&creates).chunks(ENTRIES).map(|c| (true, c.to_vec())).collect();
    if !updates.is_empty() {
        requests.push((false, updates.iter().map(|u| vec![*u]).collect()));
    }
    let mut out = Vec::with_capacity(items.len());
    for (create, entries) in requests {
        let held: Vec<&OutItem> = entries.iter().flatten().copied().collect();
        match send_one(client, create, &entries, sent, cancel) {
            Ok(results) => out.extend(results),
            // What was sent before stands; this part goes again.
            Err(e) if !out.is_empty() && e.is_transient() => out.extend(held.iter().map(|i| ItemResult {
                offer_id: i.offer_id.clone(),
                outcome: Outcome::Retry {
                    after: e.retry_after.unwrap_or(AGAIN_AFTER),
                    reason: MarketProblem::text(&e.message),
                },
            })),
            Err(e) => return Err(e),
        }
    }
    Ok(out)
}

/// An upload entry's key: the product group and the subject.
type EntryKey = (Option<u64>, Option<i64>);

/// The creates in upload entries: one per product group and subject, in the order they come.
fn entries<'a>(creates: &[&'a OutItem]) -> Vec<Vec<&'a OutItem>> {
    let mut groups: Vec<(EntryKey, Vec<&'a OutItem>)> = Vec::new();
    for item in creates {
        let group = item.payload.get("group").and_then(Value::as_u64);
        let subject = item.payload.get("subjectID").and_then(Value::as_i64);
        match groups.iter_mut().find(|(key, _)| group.is_some() && *key == (group, subject)) {
            Some((_, members)) => members.push(item),
            None => groups.push(((group, subject), vec![item])),
        }
    }
    groups
        .into_iter()
        .flat_map(|(_, members)| members.chunks(VARIANTS).map(<[_]>::to_vec).collect::<Vec<_>>())
        .collect()
}

fn send_one(
    client: &Client,
    create: bool,
    entries: &[Vec<&OutItem>],
    sent: i64,
    cancel: Cancel,
) -> Result<Vec<ItemResult>, MarketError> {
    let items: Vec<&OutItem> = entries.iter().flatten().copied().collect();
    let (bucket, path, body) = if create {
        let body: Vec<Value> = entries
            .iter()
            .map(|e| {
                json!({
                    "subjectID": e[0].payload.get("subjectID").cloned().unwrap_or(Value::Null),
                    "variants": e.iter().map(|i| i.payload.get("variant").cloned().unwrap_or(Value::Null)).collect::<Vec<_>>(),
                })
            })
            .collect();
        ("wb.cards.upload", "/content/v2/cards/upload", Value::Array(body))
    } else {
        (
            "wb.cards.update",
            "/content/v2/cards/update",
            Value::Array(items.iter().map(|i| i.payload.clone()).collect()),
        )
    };
    let ep = Endpoint::new(Group::WbContent, bucket, Method::POST, path);
    let refusal = match client.json::<Envelope<Value>>(&ep, Some(&body), 1, cancel) {
        Ok(answer) if !answer.error => {
            return Ok(items
                .iter()
                .map(|i| ItemResult {
                    offer_id: i.offer_id.clone(),
                    outcome: Outcome::Pending {
                        ext: i.link.ext.clone(),
                        task: Some(sent.to_string()),
                        poll_after: POLL_AFTER,
                    },
                })
                .collect());
        }
        Ok(answer) => Refusal::from_envelope(&answer),
        Err(e) if e.status == Some(400) => Refusal::from_error(&e, &items),
        Err(e) => return Err(e),
    };
    refusal.results(client, create, &items, cancel)
}

/// A refused request, as far as its answer tells.
#[derive(Debug, PartialEq)]
struct Refusal {
    text: String,
    /// vendorCode → WB's words for it.
    by_vendor: BTreeMap<String, String>,
    /// The subject WB does not know.
    subject: Option<i64>,
}

impl Refusal {
    fn from_envelope(answer: &Envelope<Value>) -> Refusal {
        let mut by_vendor = BTreeMap::new();
        let mut subject = None;
        if let Value::Object(extra) = &answer.additional_errors {
            for (key, value) in extra {
                let text = match value {
                    Value::String(s) => s.clone(),
                    Value::Array(texts) => {
                        texts.iter().filter_map(Value::as_str).collect::<Vec<_>>().join("; ")
                    }
                    other => other.to_string(),
                };
                match key.as_str() {
                    "id" => subject = text.trim().parse().ok(),
                    "error" => {}
                    _ => {
                        by_vendor.insert(key.clone(), text);
                    }
                }
            }
        }
        Refusal { text: answer.error_text.clone(), by_vendor, subject }
    }

    /// From the client's error, whose message is `errorText (key: text; key: text)` (the body
    /// itself is not kept): the keys looked for are the request's vendorCodes and `id`.
    fn from_error(e: &MarketError, items: &[&OutItem]) -> Refusal {
        let message = e.message.as_str();
        let mut starts: Vec<(usize, usize, &str)> = Vec::new();
        let keys = items.iter().filter_map(|i| vendor_code(&i.payload)).chain(["id"]);
        for key in keys {
            for lead in ["(", "; "] {
                let needle = format!("{lead}{key}: ");
                if let Some(at) = message.find(&needle) {
                    starts.push((at, at + needle.len(), key));
                }
            }
        }
        starts.sort();
        starts.dedup_by_key(|s| s.0);
        let text = match starts.first() {
            Some((at, ..)) => message[..*at].trim_end().to_owned(),
            None => message.to_owned(),
        };
        let mut by_vendor = BTreeMap::new();
        let mut subject = None;
        for (n, (_, from, key)) in starts.iter().enumerate() {
            let to = starts.get(n + 1).map_or_else(
                || message.trim_end().strip_suffix(')').map_or(message.len(), str::len),
                |s| s.0,
            );
            let value = message[*from..to.max(*from)].to_owned();
            if *key == "id" {
                subject = value.trim().parse().ok();
            } else {
                by_vendor.insert((*key).to_owned(), value);
            }
        }
        Refusal { text, by_vendor, subject }
    }

    fn results(
        &self,
        client: &Client,
        create: bool,
        items: &[&OutItem],
        cancel: Cancel,
    ) -> Result<Vec<ItemResult>, MarketError> {
        let rejected = |text: &str| Outcome::Rejected(vec![MarketProblem::text(text)]);
        let again = || Outcome::Retry { after: AGAIN_AFTER, reason: MarketProblem::text(&self.text) };
        let subject_of = |i: &OutItem| i.payload.get("subjectID").and_then(Value::as_i64);
        let named = |i: &OutItem| vendor_code(&i.payload).and_then(|v| self.by_vendor.get(v));
        let mut out = Vec::with_capacity(items.len());
        let culprits = items
            .iter()
            .any(|i| named(i).is_some() || (self.subject.is_some() && subject_of(i) == self.subject));
        for item in items {
            let outcome = if let Some(text) = named(item) {
                rejected(text)
            } else if self.subject.is_some() && subject_of(item) == self.subject {
                rejected(&self.text)
            } else if culprits {
                again()
            } else if create && self.text.contains("vendor code is used in other cards") {
                match vendor_code(&item.payload).map(|v| pull::find(client, v, cancel)).transpose()?.flatten()
                {
                    Some(card) => Outcome::Done(item.link.ext.merged(&pull::ext_ids(&card))),
                    None => again(),
                }
            } else {
                rejected(&self.text)
            };
            out.push(ItemResult { offer_id: item.offer_id.clone(), outcome });
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::Link;
    use crate::error::ErrorKind;

    fn create(sku: &str, group: Option<u64>, subject: i64) -> OutItem {
        OutItem {
            offer_id: sku.into(),
            payload: json!({"subjectID": subject, "group": group, "variant": {"vendorCode": sku}}),
            link: Link::default(),
        }
    }

    #[test]
    fn one_groups_variants_share_an_entry_of_at_most_thirty() {
        let mut items = vec![create("a", Some(1), 105), create("b", None, 105), create("c", Some(1), 105)];
        items.push(create("d", Some(1), 192));
        items.extend((0..31).map(|n| create(&format!("g{n}"), Some(9), 105)));
        let refs: Vec<&OutItem> = items.iter().collect();
        let sizes: Vec<Vec<&str>> =
            entries(&refs).iter().map(|e| e.iter().take(2).map(|i| i.offer_id.as_str()).collect()).collect();
        assert_eq!(sizes, [vec!["a", "c"], vec!["b"], vec!["d"], vec!["g0", "g1"], vec!["g30"]]);
        assert_eq!(entries(&refs)[3].len(), 30);
    }

    #[test]
    fn a_refusal_is_read_from_the_clients_error_text() {
        let items = [create("vendor_code_1", None, 105), create("v2", None, 105), create("v3", None, 105)];
        let refs: Vec<&OutItem> = items.iter().collect();
        let e = MarketError::answered(
            ErrorKind::Rejected,
            400,
            None,
            "some items lacks required characteristics. please fill them and try again. (v2: missing required \
             characteristics with ids: {1}, {2}; vendor_code_1: missing required characteristics with ids: {3})"
                .into(),
        );
        let r = Refusal::from_error(&e, &refs);
        assert_eq!(r.text, "some items lacks required characteristics. please fill them and try again.");
        assert_eq!(r.by_vendor["v2"], "missing required characteristics with ids: {1}, {2}");
        assert_eq!(r.by_vendor["vendor_code_1"], "missing required characteristics with ids: {3}");
        assert!(!r.by_vendor.contains_key("v3"));
        let e = MarketError::answered(
            ErrorKind::Rejected,
            400,
            None,
            "This category does not exist (id: 342342)".into(),
        );
        let r = Refusal::from_error(&e, &refs);
        assert_eq!((r.text.as_str(), r.subject), ("This category does not exist", Some(342_342)));
    }

    #[test]
    fn a_refusing_envelope_names_its_items() {
        let answer: Envelope<Value> = serde_json::from_value(json!({
            "data": null, "error": true, "errorText": "non unique characteristics in one group",
            "additionalErrors": {"a": "non unique characteristics in group with ids: {1}, {2}"}
        }))
        .unwrap();
        let r = Refusal::from_envelope(&answer);
        assert_eq!(r.by_vendor.len(), 1);
        assert_eq!(r.subject, None);
    }
}
