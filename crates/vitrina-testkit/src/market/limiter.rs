//! The fakes' own rate limiter: token buckets per (credential, bucket) with the documented
//! numbers, written from the specs independently of `vitrina-market::limits` (so a wrong
//! number on either side shows up as a throttle in the tests).

use std::collections::HashMap;
use std::time::{Duration, Instant};

/// One documented limit: `amount` per `per`, `burst` at once.
#[derive(Debug, Clone, Copy)]
pub struct Limit {
    pub amount: u32,
    pub per: Duration,
    pub burst: u32,
    /// Tokens a 4xx answer takes in all (WB stocks and warehouses: "counts as 10 requests").
    pub cost_4xx: u32,
}

impl Limit {
    pub const fn new(amount: u32, per_secs: u64, burst: u32) -> Limit {
        Limit { amount, per: Duration::from_secs(per_secs), burst, cost_4xx: 1 }
    }

    pub const fn costing_4xx(mut self, cost: u32) -> Limit {
        self.cost_4xx = cost;
        self
    }
}

/// How the fake limits requests.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum FakeLimits {
    /// The documented numbers.
    Real,
    /// The documented numbers, with time running this many times faster.
    Scaled(f64),
    /// No limits (tests of other things that send many requests).
    Off,
}

#[derive(Debug)]
struct Bucket {
    tokens: f64,
    last: Instant,
}

/// A request arriving this much of a token early is let through: the client spaces its sends,
/// and sockets and thread scheduling can deliver two sends closer together than they left.
const SLACK: f64 = 0.5;

#[derive(Debug)]
pub struct Limiter {
    mode: FakeLimits,
    buckets: HashMap<(String, &'static str), Bucket>,
}

impl Limiter {
    pub fn new(mode: FakeLimits) -> Limiter {
        Limiter { mode, buckets: HashMap::new() }
    }

    pub fn scale(&self) -> f64 {
        match self.mode {
            FakeLimits::Scaled(f) => f,
            _ => 1.0,
        }
    }

    fn interval(&self, limit: &Limit) -> Duration {
        (limit.per / limit.amount).div_f64(self.scale())
    }

    fn bucket(&mut self, who: &str, key: &'static str, limit: &Limit, now: Instant) -> &mut Bucket {
        let interval = self.interval(limit).as_secs_f64();
        let bucket = self
            .buckets
            .entry((who.to_owned(), key))
            .or_insert_with(|| Bucket { tokens: f64::from(limit.burst), last: now });
        let earned = now.saturating_duration_since(bucket.last).as_secs_f64() / interval;
        bucket.tokens = (bucket.tokens + earned).min(f64::from(limit.burst));
        bucket.last = now;
        bucket
    }

    /// Takes a token; `Err(wait)` when there is none (the answer is a throttle).
    pub fn take(
        &mut self,
        who: &str,
        key: &'static str,
        limit: &Limit,
        now: Instant,
    ) -> Result<(), Duration> {
        if self.mode == FakeLimits::Off {
            return Ok(());
        }
        let interval = self.interval(limit);
        let bucket = self.bucket(who, key, limit, now);
        if bucket.tokens >= 1.0 - SLACK {
            bucket.tokens -= 1.0;
            Ok(())
        } else {
            Err(interval.mul_f64(1.0 - bucket.tokens))
        }
    }

    /// Charges what a 4xx answer costs beyond the token it already took.
    pub fn charge_4xx(&mut self, who: &str, key: &'static str, limit: &Limit, now: Instant) {
        if self.mode != FakeLimits::Off && limit.cost_4xx > 1 {
            self.bucket(who, key, limit, now).tokens -= f64::from(limit.cost_4xx - 1);
        }
    }
}
