//! The HTTP client of one provider: its limits ([`crate::limits`]), timeouts, and retries with
//! exponential back-off and jitter on 429, 5xx, timeouts and broken connections, honouring
//! `Retry-After`. No other 4xx is retried.
//!
//! Blocking reqwest, as the rest of Vitrina uses (callers run it on blocking threads).
//! Redirects are not followed, so a key never follows one to another host; the key's header is
//! marked sensitive; the provider's error text is scrubbed of the key before it becomes an error.

use std::fmt;
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime};

use reqwest::header::{AUTHORIZATION, CONTENT_TYPE, HeaderMap, HeaderName, HeaderValue};

use crate::error::{AiError, ErrorKind, Result};
use crate::limits::{Limiter, sleep};
use crate::provider::{self, ChatRequest, Completion, ProviderCheck, ProviderConfig, ProviderKind};

/// A key, redacted in `Debug`.
#[derive(Clone, PartialEq, Eq)]
pub struct Key(String);

impl Key {
    pub fn new(value: impl Into<String>) -> Option<Key> {
        let v = value.into().trim().to_owned();
        (!v.is_empty()).then_some(Key(v))
    }
}

impl fmt::Debug for Key {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Key(***)")
    }
}

/// How hard a request tries.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryPolicy {
    pub max_attempts: u32,
    /// The first back-off; it doubles per attempt up to `cap`, with equal jitter.
    pub base: Duration,
    pub cap: Duration,
    /// A provider asking for a longer wait than this is not waited for: the error goes back.
    pub max_hint: Duration,
}

impl RetryPolicy {
    pub fn new(max_attempts: u32) -> Self {
        RetryPolicy {
            max_attempts: max_attempts.max(1),
            base: Duration::from_secs(1),
            cap: Duration::from_secs(30),
            max_hint: Duration::from_secs(120),
        }
    }
}

/// `min(cap, base · 2^(attempt−1))` with equal jitter (half fixed, half random).
pub fn backoff(attempt: u32, base: Duration, cap: Duration) -> Duration {
    let factor = 2u32.saturating_pow(attempt.saturating_sub(1).min(30));
    let full = base.saturating_mul(factor).min(cap);
    full / 2 + full.mul_f64(fastrand::f64() / 2.0)
}

/// `Retry-After` in seconds (fractions too) or as an HTTP date.
pub fn retry_hint(headers: &HeaderMap, now: SystemTime) -> Option<Duration> {
    let v = headers.get("retry-after")?.to_str().ok()?.trim();
    if let Ok(secs) = v.parse::<f64>() {
        return (secs.is_finite() && secs >= 0.0).then(|| Duration::from_secs_f64(secs.min(1e6)));
    }
    let at = chrono::DateTime::parse_from_rfc2822(v).ok()?;
    let at = SystemTime::UNIX_EPOCH + Duration::from_millis(u64::try_from(at.timestamp_millis()).ok()?);
    Some(at.duration_since(now).unwrap_or(Duration::ZERO))
}

/// A client for one provider.
pub struct Client {
    http: reqwest::blocking::Client,
    config: ProviderConfig,
    key: Option<Key>,
    limiter: Arc<Limiter>,
    policy: RetryPolicy,
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Client")
            .field("provider", &self.config.name)
            .field("kind", &self.config.kind)
            .field("base_url", &self.config.base_url)
            .field("model", &self.config.model)
            .field("key", &self.key)
            .finish_non_exhaustive()
    }
}

const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

impl Client {
    /// A client for `config` signing with `key`; a provider that needs a key and has none is
    /// refused here, with what to do.
    pub fn new(config: &ProviderConfig, key: Option<Key>) -> Result<Client> {
        config.validate()?;
        if key.is_none() && config.key_required() {
            return Err(AiError::new(
                ErrorKind::KeyMissing,
                format!(
                    "no API key is saved for the provider \"{}\": add it again with its key (vitrina ai providers add, or Settings → AI)",
                    config.name
                ),
            ));
        }
        let timeout = Duration::from_secs(u64::from(config.settings.timeout_secs));
        Ok(Client {
            http: build_http(timeout)?,
            limiter: Limiter::shared(config.id, &config.settings),
            policy: RetryPolicy::new(config.settings.max_attempts),
            config: config.clone(),
            key,
        })
    }

    pub fn with_policy(mut self, policy: RetryPolicy) -> Self {
        self.policy = policy;
        self
    }

    /// A limiter of its own (tests, benchmarks), not the one shared in the process.
    pub fn with_limiter(mut self, limiter: Arc<Limiter>) -> Self {
        self.limiter = limiter;
        self
    }

    pub fn config(&self) -> &ProviderConfig {
        &self.config
    }

    /// Sends one request to the model, waiting for the provider's limits and retrying what a
    /// retry can fix. `cancel` is checked before each attempt and during every wait.
    pub fn complete(&self, req: &ChatRequest, cancel: &dyn Fn() -> bool) -> Result<Completion> {
        let (path, body) = provider::build(&self.config, req)?;
        let answer = self.send(reqwest::Method::POST, &path, Some(body), cancel)?;
        provider::parse(self.config.kind, &answer)
    }

    /// Checks the connection with the provider's cheapest read (the model list, or the model),
    /// which costs no tokens. Never an error: what went wrong is the check's outcome.
    pub fn check(&self, now_ms: i64) -> ProviderCheck {
        let started = Instant::now();
        let path = provider::check_path(&self.config);
        let result = self.send(reqwest::Method::GET, &path, None, &|| false);
        let millis = started.elapsed().as_millis() as u64;
        let check = |ok: bool, outcome: &str, detail: String| ProviderCheck {
            ok,
            outcome: outcome.to_owned(),
            detail,
            checked_at: now_ms,
            millis,
        };
        match result {
            Ok(body) => match self.config.kind {
                ProviderKind::OpenAi => {
                    let models = model_ids(&body);
                    if models.is_empty() || models.contains(&self.config.model) {
                        check(
                            true,
                            "ok",
                            format!("{} answers; model {}", self.config.name, self.config.model),
                        )
                    } else {
                        let shown: Vec<_> = models.iter().take(10).map(String::as_str).collect();
                        check(
                            false,
                            "model_not_found",
                            format!(
                                "the server has no model \"{}\"; it has: {}",
                                self.config.model,
                                shown.join(", ")
                            ),
                        )
                    }
                }
                ProviderKind::Gemini => {
                    check(true, "ok", format!("{} answers; model {}", self.config.name, self.config.model))
                }
            },
            Err(e) if e.status == Some(404) => check(
                false,
                "model_not_found",
                format!("the provider has no model \"{}\": {}", self.config.model, e.message),
            ),
            Err(e) => check(false, e.code(), e.message),
        }
    }

    fn headers(&self, has_body: bool) -> Result<HeaderMap> {
        let mut h = HeaderMap::new();
        if let Some(Key(key)) = &self.key {
            let (name, text) = match self.config.kind {
                ProviderKind::OpenAi => (AUTHORIZATION, format!("Bearer {key}")),
                ProviderKind::Gemini => (HeaderName::from_static("x-goog-api-key"), key.clone()),
            };
            let mut value = HeaderValue::from_str(&text).map_err(|_| {
                AiError::invalid("the saved key holds characters a header cannot carry: save it again")
            })?;
            value.set_sensitive(true);
            h.insert(name, value);
        }
        if has_body {
            h.insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
        }
        Ok(h)
    }

    fn send(
        &self,
        method: reqwest::Method,
        path: &str,
        body: Option<Vec<u8>>,
        cancel: &dyn Fn() -> bool,
    ) -> Result<Vec<u8>> {
        let url = format!("{}{path}", self.config.base_url);
        let cancelled = || AiError::new(ErrorKind::Cancelled, "cancelled");
        let mut attempt = 0;
        loop {
            attempt += 1;
            let Some(permit) = self.limiter.acquire(cancel) else { return Err(cancelled()) };
            let headers = self.headers(body.is_some())?;
            let mut request = self.http.request(method.clone(), &url).headers(headers);
            if let Some(b) = &body {
                request = request.body(b.clone());
            }
            let outcome = request.send().and_then(|r| {
                let status = r.status().as_u16();
                let headers = r.headers().clone();
                r.bytes().map(|b| (status, headers, b.to_vec()))
            });
            drop(permit);
            let (error, retry) = match outcome {
                Ok((status, _, bytes)) if (200..300).contains(&status) => return Ok(bytes),
                Ok((status, headers, bytes)) => self.failure(status, &headers, &bytes),
                Err(e) => self.transport(&e, path),
            };
            tracing::warn!(provider = %self.config.name, path, status = ?error.status, attempt, code = error.code(), message = %error.message, "AI request failed");
            if !retry || attempt >= self.policy.max_attempts {
                return Err(error);
            }
            if error.retry_after.is_some_and(|h| h > self.policy.max_hint) {
                return Err(error);
            }
            let wait = error.retry_after.unwrap_or_default().max(backoff(
                attempt,
                self.policy.base,
                self.policy.cap,
            ));
            if error.kind == ErrorKind::RateLimited {
                self.limiter.pause(wait);
            }
            if !sleep(wait, cancel) {
                return Err(cancelled());
            }
        }
    }

    fn failure(&self, status: u16, headers: &HeaderMap, body: &[u8]) -> (AiError, bool) {
        let text = self.scrub(provider::error_text(body));
        let name = &self.config.name;
        let (kind, retry, message) = match status {
            429 => (ErrorKind::RateLimited, true, format!("{name} asks to slow down (429): {text}")),
            500..=599 => (ErrorKind::Server, true, format!("{name} failed ({status}): {text}")),
            401 => {
                (ErrorKind::Unauthorized, false, format!("{name} does not accept the API key (401): {text}"))
            }
            403 => (ErrorKind::Forbidden, false, format!("{name} refuses access (403): {text}")),
            // Gemini answers a wrong key with 400 API_KEY_INVALID.
            400 if self.config.kind == ProviderKind::Gemini && text.contains("API key") => {
                (ErrorKind::Unauthorized, false, format!("{name} does not accept the API key: {text}"))
            }
            404 => (
                ErrorKind::Rejected,
                false,
                format!(
                    "{name}: not found (404) — check the base URL and the model \"{}\": {text}",
                    self.config.model
                ),
            ),
            300..=399 => (
                ErrorKind::Rejected,
                false,
                format!("{name} redirects ({status}); redirects are not followed, so check the base URL"),
            ),
            413 => (ErrorKind::TooLarge, false, format!("{name}: the request is too large (413): {text}")),
            _ => (ErrorKind::Rejected, false, format!("{name} refused the request ({status}): {text}")),
        };
        let mut e = AiError::new(kind, message);
        e.status = Some(status);
        if retry {
            e.retry_after = retry_hint(headers, SystemTime::now());
        }
        (e, retry)
    }

    fn transport(&self, e: &reqwest::Error, path: &str) -> (AiError, bool) {
        let (kind, what) = if e.is_timeout() {
            (
                ErrorKind::Timeout,
                format!("{} did not answer within {} s", self.config.name, self.config.settings.timeout_secs),
            )
        } else if e.is_builder() {
            (ErrorKind::Invalid, format!("the request to {} could not be built", self.config.name))
        } else {
            (
                ErrorKind::Connection,
                format!("{} could not be reached at {}", self.config.name, self.config.base_url),
            )
        };
        let mut reason = String::new();
        let mut source = std::error::Error::source(e);
        while let Some(s) = source {
            reason.push_str(&format!(": {s}"));
            source = s.source();
        }
        let message = self.scrub(format!("{what} ({path}{reason})"));
        (AiError::new(kind, message), kind != ErrorKind::Invalid)
    }

    /// The provider's text with the key blanked (a server may echo a header).
    fn scrub(&self, text: String) -> String {
        match &self.key {
            Some(Key(k)) if k.chars().count() >= 8 && text.contains(k.as_str()) => {
                text.replace(k.as_str(), "***")
            }
            _ => text,
        }
    }
}

fn build_http(timeout: Duration) -> Result<reqwest::blocking::Client> {
    reqwest::blocking::Client::builder()
        .timeout(timeout)
        .connect_timeout(CONNECT_TIMEOUT.min(timeout))
        .redirect(reqwest::redirect::Policy::none())
        .gzip(true)
        .user_agent(concat!("Vitrina/", env!("CARGO_PKG_VERSION")))
        .build()
        .map_err(|e| AiError::invalid(format!("the HTTP client could not start: {e}")))
}

/// The ids of an OpenAI-style model list (`{"data":[{"id":…}]}`; Ollama adds `models`).
fn model_ids(body: &[u8]) -> Vec<String> {
    let Ok(v) = serde_json::from_slice::<serde_json::Value>(body) else { return Vec::new() };
    let list = v.get("data").or_else(|| v.get("models")).and_then(|d| d.as_array());
    list.into_iter()
        .flatten()
        .filter_map(|m| m.get("id").or_else(|| m.get("name")).and_then(|i| i.as_str()).map(str::to_owned))
        .collect()
}

#[cfg(test)]
mod tests {
    use reqwest::header::HeaderValue;

    use super::*;

    #[test]
    fn retry_after_in_seconds_fractions_or_a_date() {
        let now = SystemTime::UNIX_EPOCH + Duration::from_secs(1_796_533_200);
        let h = |v: &str| {
            let mut h = HeaderMap::new();
            h.insert("retry-after", HeaderValue::from_str(v).unwrap());
            h
        };
        assert_eq!(retry_hint(&h("3"), now), Some(Duration::from_secs(3)));
        assert_eq!(retry_hint(&h("0.25"), now), Some(Duration::from_millis(250)));
        assert_eq!(retry_hint(&h("Sun, 06 Dec 2026 05:00:09 GMT"), now), Some(Duration::from_secs(9)));
        assert_eq!(retry_hint(&h("soon"), now), None);
        assert_eq!(retry_hint(&HeaderMap::new(), now), None);
    }

    #[test]
    fn backoff_doubles_with_jitter_and_is_capped() {
        let (base, cap) = (Duration::from_secs(1), Duration::from_secs(30));
        for attempt in 1..=8 {
            let full = (base * 2u32.pow(attempt - 1)).min(cap);
            for _ in 0..20 {
                let d = backoff(attempt, base, cap);
                assert!(d >= full / 2 && d <= full, "attempt {attempt}: {d:?}");
            }
        }
    }

    #[test]
    fn a_remote_provider_without_a_key_is_refused_and_the_key_never_shows() {
        let config = ProviderConfig::new("OpenAI", ProviderKind::OpenAi, None, "gpt-4o-mini", 0);
        let e = Client::new(&config, None).unwrap_err();
        assert_eq!(e.kind, ErrorKind::KeyMissing);
        assert!(e.message.contains("OpenAI"), "{e}");
        let c = Client::new(&config, Key::new("sk-very-secret-key-123")).unwrap();
        assert!(!format!("{c:?}").contains("very-secret"));
        assert_eq!(c.scrub("bad key sk-very-secret-key-123".into()), "bad key ***");
        let local =
            ProviderConfig::new("Ollama", ProviderKind::OpenAi, Some("http://127.0.0.1:11434/v1"), "qwen", 0);
        Client::new(&local, None).unwrap();
    }

    #[test]
    fn answers_are_classified() {
        let config = ProviderConfig::new("G", ProviderKind::Gemini, None, "gemini-2.5-flash", 0);
        let c = Client::new(&config, Key::new("AIza-secret-key")).unwrap();
        let cases = [
            (429, ErrorKind::RateLimited, true),
            (503, ErrorKind::Server, true),
            (401, ErrorKind::Unauthorized, false),
            (403, ErrorKind::Forbidden, false),
            (404, ErrorKind::Rejected, false),
            (422, ErrorKind::Rejected, false),
        ];
        for (status, kind, retry) in cases {
            let (e, r) = c.failure(status, &HeaderMap::new(), b"{}");
            assert_eq!((e.kind, r), (kind, retry), "{status}");
        }
        let (e, _) = c.failure(400, &HeaderMap::new(), br#"{"error":{"code":400,"message":"API key not valid. Please pass a valid API key.","status":"INVALID_ARGUMENT"}}"#);
        assert_eq!(e.kind, ErrorKind::Unauthorized);
    }

    #[test]
    fn model_lists_of_openai_and_ollama() {
        assert_eq!(model_ids(br#"{"object":"list","data":[{"id":"gpt-4o"},{"id":"o3"}]}"#), ["gpt-4o", "o3"]);
        assert_eq!(model_ids(br#"{"models":[{"name":"qwen2.5:7b"}]}"#), ["qwen2.5:7b"]);
        assert!(model_ids(b"nope").is_empty());
    }
}
