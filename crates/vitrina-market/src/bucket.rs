//! A token bucket, pure: every call is given the time, so tests need no clock.
//!
//! It starts full (`burst` tokens) and refills one token per `interval`. A take that finds too
//! few tokens still reserves them (the count goes below zero) and says how long to wait: the
//! caller sleeps that long and sends, and the next caller queues behind it. That keeps calls
//! from one process spaced by the documented interval without a second round trip to ask again.

use std::time::{Duration, Instant};

use crate::limits::GroupLimit;

#[derive(Debug, Clone)]
pub struct TokenBucket {
    capacity: f64,
    per_token: Duration,
    /// May go below zero (tokens reserved by callers still waiting).
    tokens: f64,
    /// When `tokens` was last brought up to date; after [`TokenBucket::drain_until`], a time
    /// in the future before which nothing refills.
    last: Instant,
}

impl TokenBucket {
    /// A full bucket for `limit`, its clock running `scale` times faster (1.0 for real use; tests
    /// speed both the client and the fake up by the same factor).
    pub fn new(limit: &GroupLimit, scale: f64, now: Instant) -> Self {
        let per_token = limit.interval().div_f64(scale.max(f64::MIN_POSITIVE));
        Self::with(limit.burst, per_token, now)
    }

    /// A full bucket of `capacity` tokens, one back every `per_token`.
    pub fn with(capacity: u32, per_token: Duration, now: Instant) -> Self {
        let capacity = f64::from(capacity.max(1));
        TokenBucket {
            capacity,
            per_token: per_token.max(Duration::from_nanos(1)),
            tokens: capacity,
            last: now,
        }
    }

    fn refill(&mut self, now: Instant) {
        if now > self.last {
            let earned = (now - self.last).as_secs_f64() / self.per_token.as_secs_f64();
            self.tokens = (self.tokens + earned).min(self.capacity);
            self.last = now;
        }
    }

    /// Takes `cost` tokens and returns how long to wait before sending (zero: go now).
    pub fn take(&mut self, cost: u32, now: Instant) -> Duration {
        self.refill(now);
        self.tokens -= f64::from(cost);
        self.ready_in(now)
    }

    /// How long until the reserved tokens are back (zero when none are owed).
    pub fn ready_in(&self, now: Instant) -> Duration {
        let owed = (-self.tokens).max(0.0);
        let ready = self.last + self.per_token.mul_f64(owed);
        ready.saturating_duration_since(now)
    }

    /// Takes `extra` tokens more, for an answer the marketplace counts as several requests.
    pub fn penalize(&mut self, extra: u32, now: Instant) {
        self.refill(now);
        self.tokens -= f64::from(extra);
    }

    /// After a 429/420: no token before `until`, then one, and the bucket refills from there
    /// (the marketplace's own bucket is about empty when it says when to come back).
    pub fn drain_until(&mut self, until: Instant) {
        self.tokens = self.tokens.min(1.0);
        self.last = self.last.max(until);
    }

    /// Tokens available now, for tests and logs.
    pub fn available(&mut self, now: Instant) -> f64 {
        self.refill(now);
        self.tokens
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::limits::limit;

    const MS: Duration = Duration::from_millis(1);

    #[test]
    fn a_full_burst_goes_at_once_then_calls_are_spaced_by_the_interval() {
        let t0 = Instant::now();
        let mut b = TokenBucket::new(limit("wb.content").unwrap(), 1.0, t0); // 5 burst, 600 ms
        for _ in 0..5 {
            assert_eq!(b.take(1, t0), Duration::ZERO);
        }
        assert_eq!(b.take(1, t0), 600 * MS);
        assert_eq!(b.take(1, t0), 1200 * MS, "the second waiter queues behind the first");
        // 1.2 s later both reservations are paid; the next call waits one interval.
        let t1 = t0 + 1200 * MS;
        assert_eq!(b.take(1, t1), 600 * MS);
        // A long pause refills to the burst and no further.
        let t2 = t1 + Duration::from_secs(3600);
        assert!((b.available(t2) - 5.0).abs() < 1e-9);
    }

    #[test]
    fn an_item_counted_bucket_takes_one_token_per_item() {
        let t0 = Instant::now();
        let mut b = TokenBucket::new(limit("ym.mappings.update").unwrap(), 1.0, t0); // 5000 per minute
        assert_eq!(b.take(100, t0), Duration::ZERO);
        assert!((b.available(t0) - 4900.0).abs() < 1e-9);
        assert_eq!(b.take(4900, t0), Duration::ZERO);
        // 100 offers more need 100 × 12 ms.
        assert_eq!(b.take(100, t0), 1200 * MS);
    }

    #[test]
    fn after_a_429_nothing_goes_before_the_hint_then_one_per_interval() {
        let t0 = Instant::now();
        let mut b = TokenBucket::new(limit("wb.prices").unwrap(), 1.0, t0); // 5 burst, 600 ms
        assert_eq!(b.take(1, t0), Duration::ZERO);
        b.drain_until(t0 + Duration::from_secs(7));
        assert_eq!(b.take(1, t0), Duration::from_secs(7));
        assert_eq!(b.take(1, t0), Duration::from_secs(7) + 600 * MS, "then one per interval");
        // Later than the hint, only what refilled since counts.
        let t1 = t0 + Duration::from_secs(7) + 1800 * MS;
        assert!((b.available(t1) - 2.0).abs() < 1e-9, "{}", b.available(t1));
    }

    #[test]
    fn a_penalty_for_a_4xx_takes_nine_tokens_more() {
        let t0 = Instant::now();
        let mut b = TokenBucket::new(limit("wb.warehouses").unwrap(), 1.0, t0); // 20 burst, 200 ms
        assert_eq!(b.take(1, t0), Duration::ZERO);
        b.penalize(9, t0);
        assert!((b.available(t0) - 10.0).abs() < 1e-9);
        for _ in 0..10 {
            assert_eq!(b.take(1, t0), Duration::ZERO);
        }
        assert_eq!(b.take(1, t0), 200 * MS);
    }

    #[test]
    fn a_scaled_bucket_runs_faster_by_its_factor() {
        let t0 = Instant::now();
        let mut b = TokenBucket::new(limit("wb.content").unwrap(), 100.0, t0);
        for _ in 0..5 {
            b.take(1, t0);
        }
        assert_eq!(b.take(1, t0), 6 * MS);
    }
}
