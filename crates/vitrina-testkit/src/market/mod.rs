//! Stateful fakes of the marketplaces' seller APIs (Wildberries, Ozon, Yandex Market) on the
//! local [`Server`]: the real auth headers (checked before anything else, as the gateways do),
//! the request and answer shapes of the saved official specs, each marketplace's error bodies,
//! rate limits with the real throttle answers and headers, and faults injected for N requests
//! or at a seeded random rate.
//!
//! Routing ignores the host, so one URL serves every WB group (as an account's base URL does).
//! Slice 1 answers the connection-check endpoints; later slices add cards, prices and stocks.
//!
//! ```no_run
//! use vitrina_testkit::market::{Fake, FakeConfig, FakeMarket, FakeToken};
//!
//! let fake = FakeMarket::start(Fake::Wb, FakeConfig::new(vec![FakeToken::wb("tok")]));
//! // … an account with base URL `fake.url()` and token "tok" …
//! assert_eq!(fake.count("GET", "/api/v3/warehouses"), 0);
//! ```

mod limiter;
mod ozon;
mod wb;
mod ym;

use std::collections::VecDeque;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use limiter::Limiter;
pub use limiter::{FakeLimits, Limit};
use serde_json::{Value, json};

use crate::http::{Reply, Request, Server};

/// Which marketplace a fake plays.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fake {
    Wb,
    Ozon,
    Ym,
}

/// What state a credential is in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenState {
    Valid,
    /// WB: 401 "token expired"; Ozon: the key is deactivated.
    Expired,
    /// Ozon: the key is restricted to other IP addresses.
    IpRestricted,
    /// WB: a plain base token, refused outside the content group (403 "base token is not allowed").
    Base,
    /// WB: a paid service token without balance (402).
    Unpaid,
}

/// A Yandex Market campaign (shop) a key sees.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FakeCampaign {
    pub id: i64,
    pub business_id: i64,
    pub api_availability: String,
}

impl FakeCampaign {
    pub fn available(id: i64, business_id: i64) -> FakeCampaign {
        FakeCampaign { id, business_id, api_availability: "AVAILABLE".into() }
    }
}

/// A credential the fake accepts, and what it allows.
#[derive(Debug, Clone)]
pub struct FakeToken {
    /// WB token, Ozon Api-Key, YM Api-Key.
    pub secret: String,
    /// Ozon Client-Id.
    pub client_id: Option<String>,
    pub state: TokenState,
    /// WB token categories: `content`, `prices`, `marketplace`.
    pub wb_categories: Vec<String>,
    /// Ozon roles: (name, method paths).
    pub ozon_roles: Vec<(String, Vec<String>)>,
    /// YM `authScopes`.
    pub ym_scopes: Vec<String>,
    pub ym_campaigns: Vec<FakeCampaign>,
}

impl FakeToken {
    fn with_secret(secret: &str) -> FakeToken {
        FakeToken {
            secret: secret.to_owned(),
            client_id: None,
            state: TokenState::Valid,
            wb_categories: Vec::new(),
            ozon_roles: Vec::new(),
            ym_scopes: Vec::new(),
            ym_campaigns: Vec::new(),
        }
    }

    /// A personal WB token with the content, prices and marketplace categories.
    pub fn wb(token: &str) -> FakeToken {
        FakeToken::with_secret(token).wb_categories(&["content", "prices", "marketplace"])
    }

    /// An Ozon key whose one role ("Admin") allows every method publishing needs.
    pub fn ozon(client_id: &str, api_key: &str) -> FakeToken {
        FakeToken { client_id: Some(client_id.to_owned()), ..FakeToken::with_secret(api_key) }
            .ozon_methods(ozon::ADMIN_METHODS)
    }

    /// A YM key with `ALL_METHODS` seeing campaign 21000001 of business 11000001.
    pub fn ym(api_key: &str) -> FakeToken {
        FakeToken::with_secret(api_key)
            .ym_scopes(&["ALL_METHODS"])
            .ym_campaigns(vec![FakeCampaign::available(21_000_001, 11_000_001)])
    }

    pub fn state(mut self, state: TokenState) -> FakeToken {
        self.state = state;
        self
    }

    pub fn wb_categories(mut self, categories: &[&str]) -> FakeToken {
        self.wb_categories = categories.iter().map(|c| (*c).to_owned()).collect();
        self
    }

    /// One role, "Admin", allowing exactly `methods`.
    pub fn ozon_methods(mut self, methods: &[&str]) -> FakeToken {
        self.ozon_roles = vec![("Admin".into(), methods.iter().map(|m| (*m).to_owned()).collect())];
        self
    }

    pub fn ym_scopes(mut self, scopes: &[&str]) -> FakeToken {
        self.ym_scopes = scopes.iter().map(|s| (*s).to_owned()).collect();
        self
    }

    pub fn ym_campaigns(mut self, campaigns: Vec<FakeCampaign>) -> FakeToken {
        self.ym_campaigns = campaigns;
        self
    }
}

/// Random faults: each request (after auth) fails with probability `rate`, half of them
/// rate-limited and half 503, from a seeded generator so a run can be repeated.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Faults {
    pub rate: f64,
    pub seed: u64,
}

#[derive(Debug, Clone)]
pub struct FakeConfig {
    pub tokens: Vec<FakeToken>,
    pub limits: FakeLimits,
    pub faults: Faults,
}

impl FakeConfig {
    /// `tokens`, the real limits, no random faults.
    pub fn new(tokens: Vec<FakeToken>) -> FakeConfig {
        FakeConfig { tokens, limits: FakeLimits::Real, faults: Faults { rate: 0.0, seed: 1 } }
    }

    pub fn limits(mut self, limits: FakeLimits) -> FakeConfig {
        self.limits = limits;
        self
    }

    pub fn faults(mut self, rate: f64, seed: u64) -> FakeConfig {
        self.faults = Faults { rate, seed };
        self
    }
}

/// A failure to answer with instead of the real answer (after auth, before the limiter).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Fault {
    /// WB and Ozon 429, YM 420, with the marketplace's wait header set to this many seconds.
    RateLimited { retry_secs: u64 },
    /// This status with the marketplace's error body.
    Status(u16),
    /// A 302 to this address.
    Redirect(String),
}

/// A matched route: which method, which bucket.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Route {
    pub name: &'static str,
    pub bucket: &'static str,
    pub limit: Limit,
    /// WB: the token category the route's host needs.
    pub category: Option<&'static str>,
}

#[derive(Debug)]
pub(crate) struct State {
    pub kind: Fake,
    pub tokens: Vec<FakeToken>,
    limiter: Limiter,
    injected: VecDeque<Fault>,
    rng: fastrand::Rng,
    fault_rate: f64,
    throttled: u64,
    faulted: u64,
    pub wb_warehouses: Vec<Value>,
    /// Each marketplace's catalogue: categories, cards, prices, stocks, tasks.
    pub wb: wb::WbState,
    pub ozon: ozon::OzonState,
    pub ym: ym::YmState,
}

/// A running fake; dropping it stops the server.
#[derive(Debug)]
pub struct FakeMarket {
    kind: Fake,
    server: Server,
    state: Arc<Mutex<State>>,
}

impl FakeMarket {
    pub fn start(kind: Fake, config: FakeConfig) -> FakeMarket {
        FakeMarket::start_at(kind, config, "127.0.0.1:0").expect("bind a local port")
    }

    /// [`FakeMarket::start`] on `address` (`127.0.0.1:18080`): `vitrina mp fake-server`.
    pub fn start_at(kind: Fake, config: FakeConfig, address: &str) -> std::io::Result<FakeMarket> {
        let state = Arc::new(Mutex::new(State {
            kind,
            tokens: config.tokens,
            limiter: Limiter::new(config.limits),
            injected: VecDeque::new(),
            rng: fastrand::Rng::with_seed(config.faults.seed),
            fault_rate: config.faults.rate,
            throttled: 0,
            faulted: 0,
            wb_warehouses: wb::default_warehouses(),
            wb: wb::WbState::default(),
            ozon: ozon::OzonState::default(),
            ym: ym::YmState::default(),
        }));
        let shared = Arc::clone(&state);
        let server = Server::start_at(address, move |request| {
            let mut state = shared.lock().unwrap_or_else(PoisonError::into_inner);
            answer(&mut state, request)
        })?;
        Ok(FakeMarket { kind, server, state })
    }

    pub fn kind(&self) -> Fake {
        self.kind
    }

    /// The base URL for an account: `http://127.0.0.1:PORT`.
    pub fn url(&self) -> String {
        self.server.url("")
    }

    /// Every request so far, in arrival order.
    pub fn requests(&self) -> Vec<Request> {
        self.server.requests()
    }

    /// The requests from the `start`-th on, in arrival order.
    pub fn requests_from(&self, start: usize) -> Vec<Request> {
        self.server.requests_from(start)
    }

    /// How many requests were `method path` (the path without its query).
    pub fn count(&self, method: &str, path: &str) -> usize {
        self.requests()
            .iter()
            .filter(|r| r.method == method && r.path.split('?').next() == Some(path))
            .count()
    }

    /// Throttle answers the fake's limiter gave (self-inflicted by the client), apart from faults.
    pub fn throttled(&self) -> u64 {
        self.lock().throttled
    }

    /// Faults answered (injected or random).
    pub fn faulted(&self) -> u64 {
        self.lock().faulted
    }

    /// The next `n` requests that pass auth get `fault` instead of their answer.
    pub fn inject(&self, fault: Fault, n: usize) {
        let mut state = self.lock();
        state.injected.extend(std::iter::repeat_n(fault, n));
    }

    /// WB: the seller warehouses `GET /api/v3/warehouses` lists, as (id, name).
    pub fn set_wb_warehouses(&self, warehouses: &[(i64, &str)]) {
        self.lock().wb_warehouses = warehouses.iter().map(|(id, name)| wb::warehouse(*id, name)).collect();
    }

    pub(crate) fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

fn answer(state: &mut State, request: &Request) -> Reply {
    let path = request.path.split('?').next().unwrap_or("/");
    let kind = state.kind;
    let route = match kind {
        Fake::Wb => wb::route(&request.method, path),
        Fake::Ozon => ozon::route(&request.method, path),
        Fake::Ym => ym::route(&request.method, path),
    };
    let token = match kind {
        Fake::Wb => wb::auth(state, request, route.as_ref()),
        Fake::Ozon => ozon::auth(state, request, route.as_ref()),
        Fake::Ym => ym::auth(state, request),
    };
    let token = match token {
        Ok(t) => t,
        Err(reply) => return *reply,
    };
    let Some(route) = route else {
        return not_found(kind);
    };
    if let Some(fault) = state.injected.pop_front() {
        state.faulted += 1;
        return fault_reply(kind, &fault);
    }
    if state.fault_rate > 0.0 && state.rng.f64() < state.fault_rate {
        state.faulted += 1;
        let fault = if state.rng.bool() { Fault::RateLimited { retry_secs: 1 } } else { Fault::Status(503) };
        return fault_reply(kind, &fault);
    }
    let who = state.tokens[token].secret.clone();
    let now = Instant::now();
    if let Err(wait) = state.limiter.take(&who, route.bucket, &route.limit, now) {
        state.throttled += 1;
        return throttle_reply(kind, wait, &route.limit, state.limiter.scale());
    }
    let reply = match kind {
        Fake::Wb => wb::handle(state, route, request, token),
        Fake::Ozon => ozon::handle(state, route, request, token),
        Fake::Ym => ym::handle(state, route, request, token),
    };
    if (400..500).contains(&reply_status(&reply)) {
        state.limiter.charge_4xx(&who, route.bucket, &route.limit, now);
    }
    reply
}

/// A refusal by the auth check.
pub(crate) fn deny(reply: Reply) -> Result<usize, Box<Reply>> {
    Err(Box::new(reply))
}

fn reply_status(reply: &Reply) -> u16 {
    reply.status_code()
}

fn not_found(kind: Fake) -> Reply {
    match kind {
        Fake::Wb => wb::problem(404, "path not found", "Please consult the documentation"),
        Fake::Ozon => json_reply(404, &json!({"code": 5, "message": "Not Found", "details": []})),
        Fake::Ym => ym::error(404, "NOT_FOUND", "Resource not found"),
    }
}

/// An error answer in the marketplace's own shape.
pub(crate) fn error_reply(kind: Fake, status: u16, message: &str) -> Reply {
    match kind {
        Fake::Wb if status >= 500 => wb::problem(status, "internal server error", message),
        Fake::Wb => json_reply(
            status,
            &json!({"data": null, "error": true, "errorText": message, "additionalErrors": null}),
        ),
        Fake::Ozon => {
            let code = match status {
                400 => 3,
                401 => 16,
                403 => 7,
                404 => 5,
                409 => 6,
                429 => 8,
                _ => 13,
            };
            json_reply(status, &json!({"code": code, "message": message, "details": []}))
        }
        Fake::Ym => {
            let code = match status {
                400 => "BAD_REQUEST",
                403 => "FORBIDDEN",
                404 => "NOT_FOUND",
                423 => "LOCKED",
                _ => "INTERNAL_ERROR",
            };
            ym::error(status, code, message)
        }
    }
}

fn fault_reply(kind: Fake, fault: &Fault) -> Reply {
    match fault {
        Fault::RateLimited { retry_secs } => {
            let wait = Duration::from_secs(*retry_secs);
            match kind {
                Fake::Wb => wb::too_many(wait, 5),
                // The spec lists no 429; the body is the one clients see. Retry-After is reported
                // by some (unverified), so an injected fault sends it.
                Fake::Ozon => ozon::too_many().header("Retry-After", &retry_secs.to_string()),
                Fake::Ym => ym::limited(wait, 1),
            }
        }
        Fault::Status(status) => {
            let message = if *status >= 500 { "Internal error" } else { "injected fault" };
            error_reply(kind, *status, message)
        }
        Fault::Redirect(to) => Reply::status(302).header("Location", to),
    }
}

fn throttle_reply(kind: Fake, wait: Duration, limit: &Limit, scale: f64) -> Reply {
    match kind {
        Fake::Wb => wb::too_many_scaled(wait, limit.burst, scale),
        Fake::Ozon => ozon::too_many(),
        Fake::Ym => ym::limited(wait, limit.amount),
    }
}

pub(crate) fn json_reply(status: u16, value: &Value) -> Reply {
    Reply::status(status).header("Content-Type", "application/json").body(value.to_string())
}

/// `Sun, 06 Dec 2026 05:00:09 GMT` (RFC 822 / HTTP date).
pub(crate) fn http_date(t: SystemTime) -> String {
    let secs = t.duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs());
    let (days, rest) = (secs / 86_400, secs % 86_400);
    let (y, m, d) = civil(days as i64);
    const DAYS: [&str; 7] = ["Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"];
    const MONTHS: [&str; 12] =
        ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
    format!(
        "{}, {d:02} {} {y} {:02}:{:02}:{:02} GMT",
        DAYS[(days % 7) as usize],
        MONTHS[(m - 1) as usize],
        rest / 3600,
        rest / 60 % 60,
        rest % 60
    )
}

/// `2026-12-06T05:00:09Z`.
pub(crate) fn rfc3339(t: SystemTime) -> String {
    let secs = t.duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs());
    let (y, m, d) = civil((secs / 86_400) as i64);
    let rest = secs % 86_400;
    format!("{y}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z", rest / 3600, rest / 60 % 60, rest % 60)
}

/// Days since 1970-01-01 → (year, month, day), Howard Hinnant's algorithm.
fn civil(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (yoe + era * 400 + i64::from(m <= 2), m, d)
}

/// The request's JSON body, or `None` when it is not JSON.
pub(crate) fn body_json(request: &Request) -> Option<Value> {
    serde_json::from_slice(&request.body).ok()
}

/// A query parameter's value.
pub(crate) fn query<'a>(request: &'a Request, name: &str) -> Option<&'a str> {
    let (_, query) = request.path.split_once('?')?;
    query.split('&').filter_map(|p| p.split_once('=')).find(|(k, _)| *k == name).map(|(_, v)| v)
}

#[cfg(test)]
mod tests {
    use std::io::{Read, Write};
    use std::net::TcpStream;

    use super::*;

    /// Sends a raw request; returns (status, head, body).
    fn send(
        fake: &FakeMarket,
        method: &str,
        path: &str,
        headers: &[(&str, &str)],
        body: &str,
    ) -> (u16, String, String) {
        let address = fake.url().trim_start_matches("http://").to_owned();
        let mut stream = TcpStream::connect(address).unwrap();
        let mut head = format!("{method} {path} HTTP/1.1\r\nHost: x\r\nContent-Length: {}\r\n", body.len());
        for (k, v) in headers {
            head.push_str(&format!("{k}: {v}\r\n"));
        }
        write!(stream, "{head}\r\n{body}").unwrap();
        let mut answer = String::new();
        stream.read_to_string(&mut answer).unwrap();
        let (head, body) = answer.split_once("\r\n\r\n").unwrap();
        (head[9..12].parse().unwrap(), head.to_owned(), body.to_owned())
    }

    #[test]
    fn wb_throttles_past_the_burst_with_the_wait_headers() {
        let fake = FakeMarket::start(Fake::Wb, FakeConfig::new(vec![FakeToken::wb("t")]));
        let auth = [("Authorization", "t")];
        for _ in 0..5 {
            assert_eq!(send(&fake, "GET", "/api/v2/list/goods/filter?limit=1", &auth, "").0, 200);
        }
        let (status, head, body) = send(&fake, "GET", "/api/v2/list/goods/filter?limit=1", &auth, "");
        assert_eq!(status, 429);
        assert!(head.contains("X-Ratelimit-Retry: 1\r\n") && head.contains("X-Ratelimit-Limit: 5"), "{head}");
        assert!(body.contains("\"title\":\"too many requests\""), "{body}");
        assert_eq!(fake.throttled(), 1);
        // Another group has its own bucket; a wrong token is refused before any limiter.
        assert_eq!(send(&fake, "GET", "/api/v3/warehouses", &auth, "").0, 200);
        let (status, _, body) =
            send(&fake, "GET", "/api/v3/warehouses", &[("Authorization", "Bearer t")], "");
        assert!(status == 401 && body.contains("token is malformed"), "{body}");
        let (status, _, body) = send(&fake, "GET", "/nowhere", &auth, "");
        assert!(status == 404 && body.contains("path not found"), "{body}");
    }

    #[test]
    fn ozon_and_ym_answer_in_their_own_shapes() {
        let ozon = FakeMarket::start(Fake::Ozon, FakeConfig::new(vec![FakeToken::ozon("1", "k")]));
        let auth = [("Client-Id", "1"), ("Api-Key", "k")];
        assert_eq!(send(&ozon, "POST", "/v1/roles", &auth, "{}").0, 200);
        let (status, _, body) = send(&ozon, "POST", "/v1/roles", &auth, "not json");
        assert!(status == 400 && body.contains("\"code\":3"), "{body}");
        ozon.inject(Fault::RateLimited { retry_secs: 2 }, 1);
        let (status, head, body) = send(&ozon, "POST", "/v1/roles", &auth, "{}");
        assert!(
            status == 429 && head.contains("Retry-After: 2") && body.contains("\"code\":8"),
            "{head}{body}"
        );
        assert_eq!((ozon.throttled(), ozon.faulted()), (0, 1));

        let ym = FakeMarket::start(Fake::Ym, FakeConfig::new(vec![FakeToken::ym("k")]));
        ym.inject(Fault::RateLimited { retry_secs: 5 }, 1);
        let (status, head, body) = send(&ym, "POST", "/v2/auth/token", &[("Api-Key", "k")], "");
        assert!(
            status == 420 && head.contains("X-RateLimit-Resource-Until: ") && head.contains(" GMT"),
            "{head}"
        );
        assert!(body.contains("LIMIT_EXCEEDED"), "{body}");
        let (status, _, body) = send(&ym, "POST", "/v2/auth/token", &[("Api-Key", "k")], "");
        assert!(status == 200 && body.contains("ALL_METHODS"), "{body}");
        let (status, _, body) = send(&ym, "GET", "/v2/campaigns", &[("Api-Key", "x")], "");
        assert!(status == 401 && body.contains("\"status\":\"ERROR\""), "{body}");
    }

    #[test]
    fn random_faults_are_reproducible_from_their_seed() {
        let run = || {
            let fake = FakeMarket::start(Fake::Ym, FakeConfig::new(vec![FakeToken::ym("k")]).faults(0.3, 7));
            (0..40)
                .map(|_| send(&fake, "POST", "/v2/auth/token", &[("Api-Key", "k")], "").0)
                .collect::<Vec<_>>()
        };
        let first = run();
        assert_eq!(first, run());
        let failed = first.iter().filter(|s| **s != 200).count();
        assert!((4..=24).contains(&failed), "{first:?}");
        assert!(first.iter().all(|s| [200, 420, 503].contains(s)));
    }

    #[test]
    fn dates_are_formatted_as_http_wants_them() {
        let t = UNIX_EPOCH + Duration::from_secs(1_796_533_209);
        assert_eq!(http_date(t), "Sun, 06 Dec 2026 05:00:09 GMT");
        assert_eq!(rfc3339(t), "2026-12-06T05:00:09Z");
        assert_eq!(http_date(UNIX_EPOCH + Duration::from_secs(951_782_400)), "Tue, 29 Feb 2000 00:00:00 GMT");
    }
}
