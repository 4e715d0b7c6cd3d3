//! The HTTP layer every marketplace call goes through: one client per account, token buckets
//! per method group (shared by every client of the account in this process), and retries with
//! exponential back-off and jitter that honour the marketplace's wait hints.
//!
//! Blocking reqwest, as imports and exports use (callers run it on a blocking thread). Redirects
//! are not followed, so a key never follows one to another host; auth header values are marked
//! sensitive; errors carry the marketplace's text, never a header.

use std::collections::HashMap;
use std::fmt;
use std::sync::{Arc, Mutex, OnceLock, PoisonError};
use std::time::{Duration, Instant, SystemTime};

pub use reqwest::Method;
use reqwest::header::{AUTHORIZATION, CONTENT_TYPE, HeaderMap, HeaderName, HeaderValue, LOCATION};
use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::account::{Account, Credentials, MarketAccountId};
use crate::bucket::TokenBucket;
use crate::error::{ErrorKind, MarketError, parse_error_body};
use crate::limits::{Cost, OZON_GLOBAL, limit};
use crate::market::{Group, Market};

/// Time as the client sees it: tests pass a [`ManualClock`] so that waits take no real time.
pub trait Clock: Send + Sync + fmt::Debug {
    fn now(&self) -> Instant;
    /// Sleeps `d` unless `cancel` says stop first; `false` when cancelled.
    fn sleep(&self, d: Duration, cancel: &dyn Fn() -> bool) -> bool;
}

/// The real clock; sleeps in slices of 100 ms so that a cancel is seen promptly.
#[derive(Debug, Clone, Copy, Default)]
pub struct RealClock;

impl Clock for RealClock {
    fn now(&self) -> Instant {
        Instant::now()
    }

    fn sleep(&self, d: Duration, cancel: &dyn Fn() -> bool) -> bool {
        let end = Instant::now() + d;
        loop {
            if cancel() {
                return false;
            }
            let left = end.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return true;
            }
            std::thread::sleep(left.min(Duration::from_millis(100)));
        }
    }
}

/// A clock for tests: `sleep` returns at once, moves the time on and remembers how long it was.
#[derive(Debug)]
pub struct ManualClock {
    start: Instant,
    state: Mutex<(Duration, Vec<Duration>)>,
}

impl ManualClock {
    pub fn new() -> Arc<ManualClock> {
        Arc::new(ManualClock { start: Instant::now(), state: Mutex::new((Duration::ZERO, Vec::new())) })
    }

    /// Every sleep so far, in order.
    pub fn sleeps(&self) -> Vec<Duration> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner).1.clone()
    }

    pub fn advance(&self, d: Duration) {
        self.state.lock().unwrap_or_else(PoisonError::into_inner).0 += d;
    }
}

impl Clock for ManualClock {
    fn now(&self) -> Instant {
        self.start + self.state.lock().unwrap_or_else(PoisonError::into_inner).0
    }

    fn sleep(&self, d: Duration, cancel: &dyn Fn() -> bool) -> bool {
        if cancel() {
            return false;
        }
        let mut state = self.state.lock().unwrap_or_else(PoisonError::into_inner);
        state.0 += d;
        state.1.push(d);
        true
    }
}

/// How hard a call tries.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Attempts in all, the first included.
    pub max_attempts: u32,
    /// The first back-off; it doubles per attempt up to `cap`, with equal jitter.
    pub base: Duration,
    pub cap: Duration,
    /// A marketplace asking for a longer wait than this is not waited for here: the error goes
    /// back (transient, with `retry_after`) for the job runner to retry later.
    pub max_hint: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            max_attempts: 5,
            base: Duration::from_secs(1),
            cap: Duration::from_secs(60),
            max_hint: Duration::from_secs(300),
        }
    }
}

impl RetryPolicy {
    /// For a person waiting on the answer (check connection): three attempts, short back-off,
    /// and a marketplace asking for more than 10 s gets its answer reported instead of waited for.
    pub fn interactive() -> Self {
        RetryPolicy {
            max_attempts: 3,
            base: Duration::from_millis(500),
            cap: Duration::from_secs(5),
            max_hint: Duration::from_secs(10),
        }
    }
}

/// `min(cap, base · 2^(attempt−1))` with equal jitter (half fixed, half random), as the job
/// runner backs off.
pub fn backoff(attempt: u32, base: Duration, cap: Duration) -> Duration {
    let factor = 2u32.saturating_pow(attempt.saturating_sub(1).min(30));
    let full = base.saturating_mul(factor).min(cap);
    full / 2 + full.mul_f64(fastrand::f64() / 2.0)
}

/// The wait a marketplace asked for: `Retry-After` (seconds or an HTTP date), WB's
/// `X-Ratelimit-Retry` (seconds), YM's `X-RateLimit-Resource-Until` (an RFC 822 date). `None`
/// when none is present or readable.
pub fn retry_hint(headers: &HeaderMap, now: SystemTime) -> Option<Duration> {
    let get = |name: &str| headers.get(name).and_then(|v| v.to_str().ok()).map(str::trim);
    get("retry-after")
        .and_then(|v| seconds(v).or_else(|| until(v, now)))
        .or_else(|| get("x-ratelimit-retry").and_then(seconds))
        .or_else(|| get("x-ratelimit-resource-until").and_then(|v| until(v, now)))
}

fn seconds(v: &str) -> Option<Duration> {
    let secs: f64 = v.parse().ok()?;
    (secs.is_finite() && secs >= 0.0).then(|| Duration::from_secs_f64(secs.min(1e9)))
}

fn until(v: &str, now: SystemTime) -> Option<Duration> {
    let at = chrono::DateTime::parse_from_rfc2822(v).ok()?;
    let at = SystemTime::UNIX_EPOCH
        .checked_add(Duration::from_millis(u64::try_from(at.timestamp_millis()).ok()?))?;
    Some(at.duration_since(now).unwrap_or(Duration::ZERO))
}

/// One API method: where it goes and which bucket it takes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Endpoint {
    pub group: Group,
    /// A key of [`crate::limits::LIMITS`]. Ozon calls also take `ozon.global`.
    pub bucket: &'static str,
    pub method: Method,
    /// The path with its query, from `/`.
    pub path: String,
}

impl Endpoint {
    pub fn new(group: Group, bucket: &'static str, method: Method, path: impl Into<String>) -> Self {
        Endpoint { group, bucket, method, path: path.into() }
    }
}

/// An answer (2xx from [`Client::send`]).
#[derive(Debug, Clone)]
pub struct Response {
    pub status: u16,
    pub headers: HeaderMap,
    pub body: Vec<u8>,
}

type Buckets = Arc<Mutex<HashMap<&'static str, TokenBucket>>>;

/// The buckets of every account in this process, so that the window's check and a job share
/// them. Separate processes keep their own; the retries absorb the overlap.
fn shared_buckets(account: MarketAccountId) -> Buckets {
    static ALL: OnceLock<Mutex<HashMap<MarketAccountId, Buckets>>> = OnceLock::new();
    let mut all = ALL.get_or_init(Default::default).lock().unwrap_or_else(PoisonError::into_inner);
    Arc::clone(all.entry(account).or_default())
}

/// A client for one account.
pub struct Client {
    http: reqwest::blocking::Client,
    account: MarketAccountId,
    market: Market,
    base: Option<String>,
    creds: Credentials,
    buckets: Buckets,
    clock: Arc<dyn Clock>,
    policy: RetryPolicy,
    scale: f64,
    /// Yandex Market: the cabinet and the shop the paths name.
    business_id: Option<i64>,
    campaign_id: Option<i64>,
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Client")
            .field("account", &self.account)
            .field("market", &self.market)
            .field("base", &self.base)
            .field("creds", &self.creds)
            .field("policy", &self.policy)
            .finish_non_exhaustive()
    }
}

const TIMEOUT: Duration = Duration::from_secs(60);
const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

fn build_http(timeout: Duration) -> Result<reqwest::blocking::Client, MarketError> {
    reqwest::blocking::Client::builder()
        .timeout(timeout)
        .connect_timeout(CONNECT_TIMEOUT.min(timeout))
        .redirect(reqwest::redirect::Policy::none())
        .gzip(true)
        .user_agent(concat!("Vitrina/", env!("CARGO_PKG_VERSION")))
        .build()
        .map_err(|e| MarketError::new(ErrorKind::Invalid, format!("the HTTP client could not start: {e}")))
}

/// What one failed attempt means for the next.
struct Failure {
    error: MarketError,
    retry: bool,
    /// At least this long before the next attempt (WB `StoreIsProcessing`, Ozon `Circle is open`).
    min_wait: Duration,
}

impl Client {
    /// A client for `account` signing with `creds` (which must be of the account's marketplace).
    pub fn new(account: &Account, creds: Credentials) -> Result<Self, MarketError> {
        account.validate()?;
        if creds.market() != account.market {
            return Err(MarketError::new(
                ErrorKind::Invalid,
                format!(
                    "{} credentials cannot sign in to {}",
                    creds.market().title(),
                    account.market.title()
                ),
            ));
        }
        Ok(Client {
            http: build_http(TIMEOUT)?,
            account: account.id,
            market: account.market,
            base: account.base_url.as_ref().map(|u| u.trim().trim_end_matches('/').to_owned()),
            creds: creds.validated()?,
            buckets: shared_buckets(account.id),
            clock: Arc::new(RealClock),
            policy: RetryPolicy::default(),
            scale: 1.0,
            business_id: account.business_id,
            campaign_id: account.campaign_id,
        })
    }

    /// Uses `clock` (and buckets of its own, since they hold the clock's instants).
    pub fn with_clock(mut self, clock: Arc<dyn Clock>) -> Self {
        self.clock = clock;
        self.buckets = Buckets::default();
        self
    }

    /// Every bucket runs `factor` times faster (tests, against a fake scaled the same way).
    pub fn with_time_scale(mut self, factor: f64) -> Self {
        self.scale = factor;
        self.buckets = Buckets::default();
        self
    }

    /// How many times faster than real time the buckets run (1 outside tests).
    pub fn time_scale(&self) -> f64 {
        self.scale
    }

    pub fn with_policy(mut self, policy: RetryPolicy) -> Self {
        self.policy = policy;
        self
    }

    /// A shorter time limit per request (the connection check uses 10 s).
    pub fn with_timeout(mut self, timeout: Duration) -> Result<Self, MarketError> {
        self.http = build_http(timeout)?;
        Ok(self)
    }

    pub fn market(&self) -> Market {
        self.market
    }

    pub fn account(&self) -> MarketAccountId {
        self.account
    }

    /// Yandex Market: the account's `businessId`, for the paths that name it.
    pub fn business_id(&self) -> Option<i64> {
        self.business_id
    }

    /// Yandex Market: the account's `campaignId` (stocks go per shop).
    pub fn campaign_id(&self) -> Option<i64> {
        self.campaign_id
    }

    pub fn clock(&self) -> &Arc<dyn Clock> {
        &self.clock
    }

    /// The full URL of `ep`: the account's base URL (or the group's host) and the path.
    pub fn url(&self, ep: &Endpoint) -> String {
        let base = self.base.as_deref().unwrap_or_else(|| ep.group.default_base());
        format!("{base}{}", ep.path)
    }

    /// Sends `body` (JSON) to `ep`, waiting for the buckets (`cost` items for item-counted
    /// ones) and retrying rate limits, 5xx, timeouts and broken connections; any other answer
    /// outside 2xx is an error at once. `cancel` is checked before each attempt and during
    /// every wait.
    pub fn send(
        &self,
        ep: &Endpoint,
        body: Option<&[u8]>,
        cost: u32,
        cancel: &dyn Fn() -> bool,
    ) -> Result<Response, MarketError> {
        if ep.group.market() != self.market {
            return Err(MarketError::new(
                ErrorKind::Invalid,
                format!("{} is not a {} method", ep.path, self.market.title()),
            ));
        }
        let keys = self.bucket_keys(ep)?;
        let url = self.url(ep);
        let cancelled =
            || MarketError::new(ErrorKind::Cancelled, format!("{} {} was cancelled", ep.method, ep.path));
        let mut attempt = 0;
        loop {
            attempt += 1;
            if cancel() {
                return Err(cancelled());
            }
            let wait = self.reserve(&keys, cost);
            if !wait.is_zero() && !self.clock.sleep(wait, cancel) {
                return Err(cancelled());
            }
            let failure = match self.once(ep, &url, body) {
                Ok(response) if (200..300).contains(&response.status) => {
                    tracing::debug!(account = %self.account, path = %ep.path, status = response.status, "market call");
                    return Ok(response);
                }
                Ok(response) => self.failure(&response),
                Err(failure) => failure,
            };
            let status = failure.error.status;
            if let Some(s) = status.filter(|s| (400..500).contains(s) && *s != 429 && *s != 420) {
                self.penalize(&keys, s);
            }
            tracing::warn!(
                account = %self.account, path = %ep.path, status = ?status, attempt,
                code = failure.error.code(), message = %failure.error.message, "market call failed"
            );
            let mut error = failure.error;
            if !failure.retry || attempt >= self.policy.max_attempts {
                return Err(error);
            }
            if let Some(hint) = error.retry_after
                && hint > self.policy.max_hint
            {
                return Err(error);
            }
            let wait = error
                .retry_after
                .unwrap_or_default()
                .max(backoff(attempt, self.policy.base, self.policy.cap))
                .max(failure.min_wait);
            if error.kind == ErrorKind::RateLimited {
                // The next reserve waits until then, and refills from empty afterwards.
                self.drain(&keys, self.clock.now() + wait);
            } else if !self.clock.sleep(wait, cancel) {
                error = cancelled();
                return Err(error);
            }
        }
    }

    /// [`Client::send`] with a JSON body, reading a JSON answer.
    pub fn json<T: DeserializeOwned>(
        &self,
        ep: &Endpoint,
        body: Option<&impl Serialize>,
        cost: u32,
        cancel: &dyn Fn() -> bool,
    ) -> Result<T, MarketError> {
        let bytes = match body {
            Some(b) => {
                Some(serde_json::to_vec(b).map_err(|e| MarketError::new(ErrorKind::Invalid, e.to_string()))?)
            }
            None => None,
        };
        let response = self.send(ep, bytes.as_deref(), cost, cancel)?;
        serde_json::from_slice(&response.body).map_err(|e| {
            let mut err =
                MarketError::new(ErrorKind::BadResponse, format!("unexpected answer from {}: {e}", ep.path));
            err.status = Some(response.status);
            err
        })
    }

    fn bucket_keys(&self, ep: &Endpoint) -> Result<Vec<&'static str>, MarketError> {
        let mut keys = vec![ep.bucket];
        if self.market == Market::Ozon && ep.bucket != OZON_GLOBAL {
            keys.push(OZON_GLOBAL);
        }
        match keys.iter().find(|k| limit(k).is_none()) {
            Some(unknown) => {
                Err(MarketError::new(ErrorKind::Invalid, format!("no rate limit is known as {unknown}")))
            }
            None => Ok(keys),
        }
    }

    fn with_buckets<T>(
        &self,
        keys: &[&'static str],
        mut f: impl FnMut(&mut TokenBucket, u32) -> T,
    ) -> Vec<T> {
        let now = self.clock.now();
        let mut buckets = self.buckets.lock().unwrap_or_else(PoisonError::into_inner);
        keys.iter()
            .filter_map(|k| limit(k).map(|l| (k, l)))
            .map(|(k, l)| {
                let b = buckets.entry(k).or_insert_with(|| TokenBucket::new(l, self.scale, now));
                f(b, l.penalty_4xx)
            })
            .collect()
    }

    fn reserve(&self, keys: &[&'static str], cost: u32) -> Duration {
        let now = self.clock.now();
        let costs: Vec<u32> = keys
            .iter()
            .map(|k| if limit(k).is_some_and(|l| l.cost == Cost::Items) { cost.max(1) } else { 1 })
            .collect();
        let mut i = 0;
        self.with_buckets(keys, |b, _| {
            let wait = b.take(costs[i], now);
            i += 1;
            wait
        })
        .into_iter()
        .max()
        .unwrap_or_default()
    }

    fn penalize(&self, keys: &[&'static str], _status: u16) {
        let now = self.clock.now();
        self.with_buckets(keys, |b, penalty| {
            if penalty > 0 {
                b.penalize(penalty, now);
            }
        });
    }

    fn drain(&self, keys: &[&'static str], until: Instant) {
        self.with_buckets(keys, |b, _| b.drain_until(until));
    }

    fn headers(&self, has_body: bool) -> Result<HeaderMap, MarketError> {
        let secret = |v: &str| {
            let mut value = HeaderValue::from_str(v).map_err(|_| {
                MarketError::new(
                    ErrorKind::Invalid,
                    "the stored credentials hold characters a header cannot carry",
                )
            })?;
            value.set_sensitive(true);
            Ok::<_, MarketError>(value)
        };
        let mut h = HeaderMap::new();
        match &self.creds {
            Credentials::Wb { token } => {
                h.insert(AUTHORIZATION, secret(token)?);
            }
            Credentials::Ozon { client_id, api_key } => {
                h.insert(HeaderName::from_static("client-id"), secret(client_id)?);
                h.insert(HeaderName::from_static("api-key"), secret(api_key)?);
            }
            Credentials::Ym { api_key } => {
                h.insert(HeaderName::from_static("api-key"), secret(api_key)?);
            }
        }
        if has_body {
            h.insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
        }
        Ok(h)
    }

    /// One request; an `Err` is a failure without an answer (timeout, connection).
    fn once(&self, ep: &Endpoint, url: &str, body: Option<&[u8]>) -> Result<Response, Failure> {
        let headers = self.headers(body.is_some()).map_err(|error| Failure {
            error,
            retry: false,
            min_wait: Duration::ZERO,
        })?;
        let mut request = self.http.request(ep.method.clone(), url).headers(headers);
        if let Some(body) = body {
            request = request.body(body.to_vec());
        }
        let read = request.send().and_then(|r| {
            let status = r.status().as_u16();
            let headers = r.headers().clone();
            r.bytes().map(|b| Response { status, headers, body: b.to_vec() })
        });
        read.map_err(|e| {
            let (kind, retry) = if e.is_timeout() {
                (ErrorKind::Timeout, true)
            } else if e.is_builder() {
                (ErrorKind::Invalid, false)
            } else {
                (ErrorKind::Connection, true)
            };
            let e = e.without_url();
            let mut reason = e.to_string();
            let mut source = std::error::Error::source(&e);
            while let Some(s) = source {
                reason.push_str(&format!(": {s}"));
                source = s.source();
            }
            let message = self.scrub(format!("{} {}: {reason}", ep.method, ep.path));
            Failure { error: MarketError::new(kind, message), retry, min_wait: Duration::ZERO }
        })
    }

    /// What an answer outside 2xx means (D.3's table).
    fn failure(&self, response: &Response) -> Failure {
        let status = response.status;
        let (code, message) = parse_error_body(status, &response.body);
        let mut message = self.scrub(message);
        let mut min_wait = Duration::ZERO;
        let (kind, retry) = match status {
            429 | 420 => (ErrorKind::RateLimited, true),
            500..=599 => (ErrorKind::Server, true),
            409 if self.market == Market::Wb && contains(&response.body, b"\"StoreIsProcessing\"") => {
                min_wait = Duration::from_secs(5);
                (ErrorKind::Server, true)
            }
            _ if self.market == Market::Ozon && message.contains("Circle is open") => {
                min_wait = Duration::from_secs(60);
                (ErrorKind::Server, true)
            }
            300..=399 => {
                let to = response.headers.get(LOCATION).and_then(|v| v.to_str().ok()).unwrap_or("?");
                message = format!("redirected to {to}; redirects are not followed, so check the base URL");
                (ErrorKind::Rejected, false)
            }
            401 => (ErrorKind::Unauthorized, false),
            402 => (ErrorKind::PaymentRequired, false),
            403 => (ErrorKind::Forbidden, false),
            404 => (ErrorKind::NotFound, false),
            _ => (ErrorKind::Rejected, false),
        };
        let mut error = MarketError::answered(kind, status, code, message);
        if retry {
            error.retry_after = retry_hint(&response.headers, SystemTime::now());
        }
        Failure { error, retry, min_wait }
    }

    /// The marketplace's text with any of our secrets blanked (a server may echo a header).
    /// Real tokens and keys are dozens of characters; a "secret" of a few letters would blank
    /// those letters all over the message and hide nothing, so it is left alone.
    fn scrub(&self, mut text: String) -> String {
        for secret in self.creds.secrets() {
            if secret.chars().count() >= SCRUB_MIN && text.contains(secret) {
                text = text.replace(secret, "***");
            }
        }
        text
    }
}

/// The shortest secret [`Client::scrub`] blanks.
const SCRUB_MIN: usize = 8;

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

#[cfg(test)]
mod tests {
    use rstest::rstest;

    use super::*;

    fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.insert(HeaderName::from_static(k), HeaderValue::from_str(v).unwrap());
        }
        h
    }

    /// 2026-12-06 05:00:00 UTC.
    fn now() -> SystemTime {
        SystemTime::UNIX_EPOCH + Duration::from_secs(1_796_533_200)
    }

    #[rstest]
    #[case::retry_after_seconds(&[("retry-after", "3")], Some(3_000))]
    #[case::retry_after_fraction(&[("retry-after", "0.5")], Some(500))]
    #[case::retry_after_http_date(&[("retry-after", "Sun, 06 Dec 2026 05:00:09 GMT")], Some(9_000))]
    #[case::wb(&[("x-ratelimit-retry", "2"), ("x-ratelimit-remaining", "0")], Some(2_000))]
    #[case::ym_until(&[("x-ratelimit-resource-until", "Sun, 06 Dec 2026 08:00:04 +0300")], Some(4_000))]
    #[case::until_in_the_past(&[("x-ratelimit-resource-until", "Sun, 06 Dec 2026 04:00:00 GMT")], Some(0))]
    #[case::retry_after_wins(&[("retry-after", "1"), ("x-ratelimit-retry", "7")], Some(1_000))]
    #[case::garbage(&[("retry-after", "soon"), ("x-ratelimit-retry", "-1")], None)]
    #[case::garbage_date(&[("x-ratelimit-resource-until", "06.12.2026")], None)]
    #[case::none(&[], None)]
    fn retry_hints_from_every_header(#[case] pairs: &[(&'static str, &str)], #[case] ms: Option<u64>) {
        assert_eq!(retry_hint(&headers(pairs), now()), ms.map(Duration::from_millis));
    }

    #[test]
    fn backoff_doubles_with_jitter_and_is_capped() {
        let (base, cap) = (Duration::from_secs(1), Duration::from_secs(60));
        for attempt in 1..=10 {
            let full = (base * 2u32.pow(attempt - 1)).min(cap);
            for _ in 0..20 {
                let d = backoff(attempt, base, cap);
                assert!(d >= full / 2 && d <= full, "attempt {attempt}: {d:?}");
            }
        }
    }

    fn client(market: Market) -> Client {
        let mut account = Account::new("t", market, 0);
        account.base_url = Some("http://127.0.0.1:9".into());
        let creds = match market {
            Market::Wb => Credentials::Wb { token: "s3cr3t-tok".into() },
            Market::Ozon => Credentials::Ozon { client_id: "1".into(), api_key: "s3cr3t-tok".into() },
            Market::Ym => Credentials::Ym { api_key: "s3cr3t-tok".into() },
        };
        Client::new(&account, creds).unwrap()
    }

    fn answer(status: u16, body: &str) -> Response {
        Response { status, headers: HeaderMap::new(), body: body.as_bytes().to_vec() }
    }

    #[rstest]
    #[case(Market::Wb, 429, "", ErrorKind::RateLimited, true, 0)]
    #[case(Market::Ym, 420, "", ErrorKind::RateLimited, true, 0)]
    #[case(Market::Ozon, 500, r#"{"code":13,"message":"Internal error"}"#, ErrorKind::Server, true, 0)]
    #[case(Market::Wb, 502, "", ErrorKind::Server, true, 0)]
    #[case(Market::Wb, 503, "", ErrorKind::Server, true, 0)]
    #[case(Market::Ym, 504, "", ErrorKind::Server, true, 0)]
    #[case(Market::Wb, 409, r#"[{"code":"StoreIsProcessing","message":"wait"}]"#, ErrorKind::Server, true, 5)]
    #[case(Market::Ozon, 403, r#"{"code":14,"message":"Circle is open"}"#, ErrorKind::Server, true, 60)]
    #[case(Market::Wb, 400, "", ErrorKind::Rejected, false, 0)]
    #[case(Market::Wb, 401, "", ErrorKind::Unauthorized, false, 0)]
    #[case(Market::Wb, 402, "", ErrorKind::PaymentRequired, false, 0)]
    #[case(Market::Ozon, 403, "", ErrorKind::Forbidden, false, 0)]
    #[case(Market::Ym, 404, "", ErrorKind::NotFound, false, 0)]
    #[case(Market::Wb, 409, r#"[{"code":"UploadDataLimit","message":"x"}]"#, ErrorKind::Rejected, false, 0)]
    #[case(Market::Wb, 413, "", ErrorKind::Rejected, false, 0)]
    #[case(Market::Wb, 422, "", ErrorKind::Rejected, false, 0)]
    #[case(Market::Ym, 423, "", ErrorKind::Rejected, false, 0)]
    #[case(Market::Ym, 302, "", ErrorKind::Rejected, false, 0)]
    fn answers_are_classified(
        #[case] market: Market,
        #[case] status: u16,
        #[case] body: &str,
        #[case] kind: ErrorKind,
        #[case] retry: bool,
        #[case] min_wait_secs: u64,
    ) {
        let f = client(market).failure(&answer(status, body));
        assert_eq!((f.error.kind, f.retry, f.min_wait), (kind, retry, Duration::from_secs(min_wait_secs)));
        assert_eq!(f.error.is_transient(), retry);
    }

    #[test]
    fn an_echoed_secret_is_blanked_from_the_marketplaces_text() {
        let f = client(Market::Wb)
            .failure(&answer(401, r#"{"title":"unauthorized","detail":"bad token s3cr3t-tok"}"#));
        assert_eq!(f.error.message, "unauthorized: bad token ***");
        // A one-letter "token" is not blanked all over the text.
        let mut account = Account::new("t", Market::Wb, 0);
        account.base_url = Some("http://127.0.0.1:9".into());
        let short = Client::new(&account, Credentials::Wb { token: "t".into() }).unwrap();
        let f = short.failure(&answer(401, r#"{"title":"unauthorized","detail":"token expired"}"#));
        assert_eq!(f.error.message, "unauthorized: token expired");
    }

    #[test]
    fn urls_use_the_base_url_for_every_group() {
        let c = client(Market::Wb);
        for g in [Group::WbContent, Group::WbPrices, Group::WbMarketplace] {
            assert_eq!(
                c.url(&Endpoint::new(g, "wb.content", Method::GET, "/x?y=1")),
                "http://127.0.0.1:9/x?y=1"
            );
        }
        let mut account = Account::new("t", Market::Wb, 0);
        account.base_url = None;
        let c = Client::new(&account, Credentials::Wb { token: "t".into() }).unwrap();
        assert_eq!(
            c.url(&Endpoint::new(Group::WbPrices, "wb.prices", Method::GET, "/api/v2/list/goods/filter")),
            "https://discounts-prices-api.wildberries.ru/api/v2/list/goods/filter"
        );
        assert!(format!("{c:?}").contains("***") && !format!("{c:?}").contains("token: \"t\""));
    }
}
