//! Per-provider limits shared by every caller in this process: at most `concurrency` requests in
//! flight, and at most `rpm` started per minute (a token bucket holding ten seconds' worth, so a
//! batch starts briskly and then settles at the limit). Separate processes keep their own; the
//! retries on 429 absorb the overlap.

use std::collections::HashMap;
use std::sync::{Arc, Condvar, Mutex, OnceLock, PoisonError};
use std::time::{Duration, Instant};

use crate::provider::{ProviderId, ProviderSettings};

#[derive(Debug)]
pub struct Limiter {
    concurrency: u32,
    rpm: u32,
    in_flight: Mutex<u32>,
    freed: Condvar,
    bucket: Mutex<Bucket>,
}

#[derive(Debug)]
struct Bucket {
    capacity: f64,
    per_token: Duration,
    tokens: f64,
    last: Instant,
}

impl Bucket {
    /// Takes a token (the count may go below zero: callers queue) and says how long to wait.
    fn take(&mut self, now: Instant) -> Duration {
        if now > self.last {
            let earned = (now - self.last).as_secs_f64() / self.per_token.as_secs_f64();
            self.tokens = (self.tokens + earned).min(self.capacity);
            self.last = now;
        }
        self.tokens -= 1.0;
        let owed = (-self.tokens).max(0.0);
        (self.last + self.per_token.mul_f64(owed)).saturating_duration_since(now)
    }

    /// After a 429: nothing more before `until`.
    fn drain_until(&mut self, until: Instant) {
        self.tokens = self.tokens.min(0.0);
        self.last = self.last.max(until);
    }
}

/// A request slot; dropping it frees the slot.
#[derive(Debug)]
pub struct Permit<'a>(&'a Limiter);

impl Drop for Permit<'_> {
    fn drop(&mut self) {
        let mut n = self.0.in_flight.lock().unwrap_or_else(PoisonError::into_inner);
        *n = n.saturating_sub(1);
        self.0.freed.notify_one();
    }
}

impl Limiter {
    pub fn new(settings: &ProviderSettings) -> Limiter {
        let rpm = settings.rpm;
        let per_token = if rpm == 0 { Duration::from_nanos(1) } else { Duration::from_secs(60) / rpm };
        let capacity = if rpm == 0 { 1e12 } else { f64::from((rpm / 6).max(1)) };
        Limiter {
            concurrency: settings.concurrency.max(1),
            rpm,
            in_flight: Mutex::new(0),
            freed: Condvar::new(),
            bucket: Mutex::new(Bucket { capacity, per_token, tokens: capacity, last: Instant::now() }),
        }
    }

    /// The limiter of provider `id`, shared in this process; new settings start a new one.
    pub fn shared(id: ProviderId, settings: &ProviderSettings) -> Arc<Limiter> {
        static ALL: OnceLock<Mutex<HashMap<ProviderId, Arc<Limiter>>>> = OnceLock::new();
        let mut all = ALL.get_or_init(Default::default).lock().unwrap_or_else(PoisonError::into_inner);
        let current =
            all.get(&id).filter(|l| l.concurrency == settings.concurrency.max(1) && l.rpm == settings.rpm);
        match current {
            Some(l) => Arc::clone(l),
            None => {
                let l = Arc::new(Limiter::new(settings));
                all.insert(id, Arc::clone(&l));
                l
            }
        }
    }

    /// Waits for a slot and for the rate; `None` when `cancel` says stop first.
    pub fn acquire(&self, cancel: &dyn Fn() -> bool) -> Option<Permit<'_>> {
        {
            let mut n = self.in_flight.lock().unwrap_or_else(PoisonError::into_inner);
            while *n >= self.concurrency {
                if cancel() {
                    return None;
                }
                n = self
                    .freed
                    .wait_timeout(n, Duration::from_millis(100))
                    .unwrap_or_else(PoisonError::into_inner)
                    .0;
            }
            *n += 1;
        }
        let permit = Permit(self);
        if self.rpm > 0 {
            let wait = self.bucket.lock().unwrap_or_else(PoisonError::into_inner).take(Instant::now());
            if !sleep(wait, cancel) {
                return None;
            }
        }
        Some(permit)
    }

    /// A provider said "too many requests, come back in `wait`": every caller waits.
    pub fn pause(&self, wait: Duration) {
        self.bucket.lock().unwrap_or_else(PoisonError::into_inner).drain_until(Instant::now() + wait);
    }

    /// Requests in flight now (tests, logs).
    pub fn in_flight(&self) -> u32 {
        *self.in_flight.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// Sleeps `d` in slices of 50 ms so that a cancel is seen promptly; `false` when cancelled.
pub fn sleep(d: Duration, cancel: &dyn Fn() -> bool) -> bool {
    let end = Instant::now() + d;
    loop {
        if cancel() {
            return false;
        }
        let left = end.saturating_duration_since(Instant::now());
        if left.is_zero() {
            return true;
        }
        std::thread::sleep(left.min(Duration::from_millis(50)));
    }
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicU32, Ordering};

    use super::*;

    #[test]
    fn no_more_than_the_concurrency_run_at_once() {
        let settings = ProviderSettings { concurrency: 3, rpm: 0, ..Default::default() };
        let limiter = Limiter::new(&settings);
        let peak = AtomicU32::new(0);
        std::thread::scope(|s| {
            for _ in 0..12 {
                s.spawn(|| {
                    let _p = limiter.acquire(&|| false).unwrap();
                    peak.fetch_max(limiter.in_flight(), Ordering::SeqCst);
                    std::thread::sleep(Duration::from_millis(20));
                });
            }
        });
        assert_eq!(peak.load(Ordering::SeqCst), 3);
        assert_eq!(limiter.in_flight(), 0);
    }

    #[test]
    fn the_rate_spaces_requests_after_the_burst() {
        // 600 per minute: one per 100 ms after a burst of 100.
        let mut b = Bucket {
            capacity: 2.0,
            per_token: Duration::from_millis(100),
            tokens: 2.0,
            last: Instant::now(),
        };
        let now = b.last;
        assert_eq!(b.take(now), Duration::ZERO);
        assert_eq!(b.take(now), Duration::ZERO);
        assert_eq!(b.take(now), Duration::from_millis(100));
        assert_eq!(b.take(now), Duration::from_millis(200));
        b.drain_until(now + Duration::from_secs(5));
        assert!(b.take(now) >= Duration::from_secs(5));
    }

    #[test]
    fn a_cancel_stops_the_wait_for_a_slot() {
        let limiter = Limiter::new(&ProviderSettings { concurrency: 1, rpm: 0, ..Default::default() });
        let _held = limiter.acquire(&|| false).unwrap();
        assert!(limiter.acquire(&|| true).is_none());
    }
}
