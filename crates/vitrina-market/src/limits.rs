//! The documented rate limits, one token bucket per (account, key). Numbers come from the
//! saved specs (docs/plans/market-plan.md §B.1.4, B.2, B.3): WB's per-method tables
//! (period, limit, interval, burst) for personal, service and base-with-secret tokens; Ozon's
//! 50 requests per second per Client-Id and the stock method's 80 per minute; Yandex Market's
//! `x-resource-limit-config` of the `none` tier, where the burst is the whole amount.

use std::time::Duration;

/// What one call takes from its bucket.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cost {
    /// One token per request.
    Request,
    /// One token per item in the request (YM counts offers, SKUs).
    Items,
}

/// One bucket's numbers: `amount` per `per`, at most `burst` at once.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct GroupLimit {
    pub key: &'static str,
    pub amount: u32,
    pub per: Duration,
    pub burst: u32,
    pub cost: Cost,
    /// Extra tokens a 4xx answer takes (WB: "one request answered with a 4XX counts as 10").
    pub penalty_4xx: u32,
}

impl GroupLimit {
    /// The time one token takes to come back.
    pub fn interval(&self) -> Duration {
        self.per / self.amount
    }
}

const fn l(
    key: &'static str,
    amount: u32,
    per_secs: u64,
    burst: u32,
    cost: Cost,
    penalty_4xx: u32,
) -> GroupLimit {
    GroupLimit { key, amount, per: Duration::from_secs(per_secs), burst, cost, penalty_4xx }
}

use Cost::{Items, Request};

/// Every bucket Vitrina keeps.
pub const LIMITS: &[GroupLimit] = &[
    // Wildberries (B.1.4). Upload, add and update have a table each, so three buckets.
    l("wb.ping", 3, 30, 3, Request, 0),
    l("wb.content", 100, 60, 5, Request, 0),
    l("wb.cards.upload", 10, 60, 5, Request, 0),
    l("wb.cards.add", 10, 60, 5, Request, 0),
    l("wb.cards.update", 10, 60, 5, Request, 0),
    l("wb.cards.errors", 10, 60, 5, Request, 0),
    l("wb.prices", 10, 6, 5, Request, 0),
    l("wb.stocks", 300, 60, 20, Request, 9),
    l("wb.stocks.delete", 10, 60, 2, Request, 0),
    l("wb.warehouses", 300, 60, 20, Request, 9),
    // Ozon (B.2): every call takes `ozon.global` as well as its own bucket, if it has one.
    l("ozon.global", 50, 1, 50, Request, 0),
    l("ozon.stocks", 80, 60, 80, Request, 0),
    // Yandex Market (B.3), tier `none`.
    l("ym.auth", 100, 3600, 100, Request, 0),
    l("ym.campaigns", 1000, 3600, 1000, Request, 0),
    l("ym.tree", 50, 3600, 50, Request, 0),
    l("ym.params", 100, 60, 100, Request, 0),
    l("ym.mappings.update", 5000, 60, 5000, Items, 0),
    l("ym.mappings.read", 100, 60, 100, Request, 0),
    l("ym.cards.read", 100, 60, 100, Request, 0),
    l("ym.cards.update", 5000, 60, 5000, Items, 0),
    l("ym.prices.business", 10_000, 60, 10_000, Items, 0),
    l("ym.stocks.update", 100_000, 60, 100_000, Items, 0),
    l("ym.stocks.read", 100_000, 60, 100_000, Items, 0),
    l("ym.warehouses", 100, 3600, 100, Request, 0),
];

/// The bucket `key`; `None` for a key not in [`LIMITS`].
pub fn limit(key: &str) -> Option<&'static GroupLimit> {
    LIMITS.iter().find(|l| l.key == key)
}

/// The bucket every Ozon call takes besides its own.
pub const OZON_GLOBAL: &str = "ozon.global";

#[cfg(test)]
mod tests {
    use rstest::rstest;

    use super::*;

    #[rstest]
    #[case("wb.ping", 3, 30, 3, 0)]
    #[case("wb.content", 100, 60, 5, 0)]
    #[case("wb.cards.upload", 10, 60, 5, 0)]
    #[case("wb.cards.add", 10, 60, 5, 0)]
    #[case("wb.cards.update", 10, 60, 5, 0)]
    #[case("wb.cards.errors", 10, 60, 5, 0)]
    #[case("wb.prices", 10, 6, 5, 0)]
    #[case("wb.stocks", 300, 60, 20, 9)]
    #[case("wb.stocks.delete", 10, 60, 2, 0)]
    #[case("wb.warehouses", 300, 60, 20, 9)]
    #[case("ozon.global", 50, 1, 50, 0)]
    #[case("ozon.stocks", 80, 60, 80, 0)]
    #[case("ym.auth", 100, 3600, 100, 0)]
    #[case("ym.campaigns", 1000, 3600, 1000, 0)]
    #[case("ym.tree", 50, 3600, 50, 0)]
    #[case("ym.params", 100, 60, 100, 0)]
    #[case("ym.mappings.update", 5000, 60, 5000, 0)]
    #[case("ym.mappings.read", 100, 60, 100, 0)]
    #[case("ym.cards.read", 100, 60, 100, 0)]
    #[case("ym.cards.update", 5000, 60, 5000, 0)]
    #[case("ym.prices.business", 10_000, 60, 10_000, 0)]
    #[case("ym.stocks.update", 100_000, 60, 100_000, 0)]
    #[case("ym.stocks.read", 100_000, 60, 100_000, 0)]
    #[case("ym.warehouses", 100, 3600, 100, 0)]
    fn limits_are_the_documented_numbers(
        #[case] key: &str,
        #[case] amount: u32,
        #[case] per_secs: u64,
        #[case] burst: u32,
        #[case] penalty: u32,
    ) {
        let got = limit(key).unwrap_or_else(|| panic!("no bucket {key}"));
        assert_eq!(
            (got.amount, got.per, got.burst, got.penalty_4xx),
            (amount, Duration::from_secs(per_secs), burst, penalty),
            "{key}"
        );
    }

    #[test]
    fn keys_are_unique_and_item_counted_buckets_are_yandex_writes() {
        for (i, a) in LIMITS.iter().enumerate() {
            assert!(LIMITS[i + 1..].iter().all(|b| b.key != a.key), "{} twice", a.key);
            assert!(a.burst <= a.amount && a.amount > 0, "{}", a.key);
            assert_eq!(a.cost == Cost::Items, a.key.starts_with("ym.") && a.burst >= 5000, "{}", a.key);
        }
        assert_eq!(limit("wb.content").unwrap().interval(), Duration::from_millis(600));
        assert_eq!(limit("wb.stocks").unwrap().interval(), Duration::from_millis(200));
        assert!(limit("wb.nothing").is_none());
    }
}
