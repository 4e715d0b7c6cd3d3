//! The fake's stocks (`PUT /v2/campaigns/{c}/offers/stocks`), one count per campaign and SKU.

use std::collections::HashSet;

use serde_json::{Value, json};

use super::{YmState, error};
use crate::http::{Reply, Request};
use crate::market::{FakeMarket, body_json, json_reply};

const MAX_SKUS: usize = 2000;
const MAX_COUNT: i64 = 2_000_000_000;

/// One stored stock.
#[derive(Debug, Clone)]
pub(crate) struct Stock {
    pub count: i64,
    pub updated_at: Option<String>,
}

pub(super) fn update(ym: &mut YmState, campaign: i64, request: &Request) -> Reply {
    let Some(skus) = body_json(request).and_then(|b| b.get("skus").and_then(Value::as_array).cloned()) else {
        return error(400, "BAD_REQUEST", "skus is required");
    };
    if skus.is_empty() || skus.len() > MAX_SKUS {
        return error(400, "BAD_REQUEST", &format!("skus must hold 1 to {MAX_SKUS} items"));
    }
    let mut seen = HashSet::new();
    let mut accepted = Vec::with_capacity(skus.len());
    for s in &skus {
        let sku = s.get("sku").and_then(Value::as_str).unwrap_or_default();
        if sku.is_empty() || !seen.insert(sku.to_owned()) {
            return error(400, "BAD_REQUEST", &format!("sku {sku:?} is missing or repeated"));
        }
        let items = s.get("items").and_then(Value::as_array).cloned().unwrap_or_default();
        let [item] = items.as_slice() else {
            return error(400, "BAD_REQUEST", &format!("{sku}: items must hold exactly one element"));
        };
        let Some(count) = item.get("count").and_then(Value::as_i64).filter(|c| (0..=MAX_COUNT).contains(c))
        else {
            return error(400, "BAD_REQUEST", &format!("{sku}: count must be 0 to {MAX_COUNT}"));
        };
        let updated_at = item.get("updatedAt").and_then(Value::as_str).map(str::to_owned);
        if updated_at.as_deref().is_some_and(|t| !looks_like_rfc3339(t)) {
            return error(400, "BAD_REQUEST", &format!("{sku}: updatedAt is not a date-time"));
        }
        accepted.push((sku.to_owned(), Stock { count, updated_at }));
    }
    for (sku, stock) in accepted {
        ym.stocks.insert((campaign, sku), stock);
    }
    json_reply(200, &json!({"status": "OK"}))
}

/// `2026-12-06T05:00:09Z` or with an offset: enough to catch a missing or local time.
fn looks_like_rfc3339(t: &str) -> bool {
    let b = t.as_bytes();
    b.len() >= 20
        && b[4] == b'-'
        && b[7] == b'-'
        && b[10] == b'T'
        && b[13] == b':'
        && (t.ends_with('Z') || b[19..].iter().any(|c| matches!(c, b'+' | b'-')))
}

impl FakeMarket {
    /// YM: the count of `sku` in `campaign`, as last set.
    pub fn ym_stock(&self, campaign: i64, sku: &str) -> Option<i64> {
        self.lock().ym.stocks.get(&(campaign, sku.to_owned())).map(|s| s.count)
    }

    /// YM: the `updatedAt` sent with the stock, if any.
    pub fn ym_stock_updated_at(&self, campaign: i64, sku: &str) -> Option<String> {
        self.lock().ym.stocks.get(&(campaign, sku.to_owned())).and_then(|s| s.updated_at.clone())
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn dates_must_carry_their_zone() {
        assert!(super::looks_like_rfc3339("2026-12-06T05:00:09Z"));
        assert!(super::looks_like_rfc3339("2026-12-06T08:00:09+03:00"));
        assert!(!super::looks_like_rfc3339("2026-12-06T05:00:09"));
        assert!(!super::looks_like_rfc3339("06.12.2026 05:00"));
    }
}
