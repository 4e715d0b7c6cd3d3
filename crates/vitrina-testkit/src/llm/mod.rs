//! A fake LLM server on the local [`Server`], answering in both API shapes Vitrina speaks:
//! OpenAI's Chat Completions (`POST /v1/chat/completions`, `GET /v1/models`) and Gemini's
//! `generateContent` (`POST /v1beta/models/{model}:generateContent`, `GET /v1beta/models/{model}`),
//! with the real auth headers and error bodies.
//!
//! Valid answers are worked out from the prompt, so they are deterministic: a moderation
//! verdict flags a title in capitals and a missing description (with suggestions), a generated
//! description is built from the title and characteristics. Faults are scripted for the next
//! requests ([`FakeLlm::script`]) or for every prompt holding a marker ([`FakeLlm::when`]):
//! malformed JSON, an answer cut at the token limit, prose instead of JSON, a slow answer,
//! 429 with `Retry-After`, a 5xx. A fixed latency per request stands in for a model's thinking
//! time in benchmarks.
//!
//! ```no_run
//! use vitrina_testkit::llm::{Behavior, FakeLlm, FakeLlmConfig};
//!
//! let fake = FakeLlm::start(FakeLlmConfig::with_key("sk-test"));
//! fake.when("PROSE", Behavior::Prose);
//! // … a provider with base URL fake.openai_url() and key "sk-test" …
//! assert_eq!(fake.completions(), 0);
//! ```

use std::collections::VecDeque;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use serde_json::{Value, json};

use crate::http::{Reply, Request, Server};

/// How the fake answers one generation request.
#[derive(Debug, Clone, PartialEq)]
pub enum Behavior {
    /// The JSON asked for, worked out from the prompt.
    Valid,
    /// The valid JSON inside a Markdown code fence.
    Fenced,
    /// Broken JSON.
    Malformed,
    /// The valid JSON cut in half, with the token-limit finish reason.
    Partial,
    /// A paragraph of Russian prose instead of JSON.
    Prose,
    /// JSON of the wrong shape (`{"result": "ok"}`).
    WrongShape,
    /// The valid answer after this long.
    Slow(Duration),
    /// 429 in the provider's shape, with `Retry-After: <value>`.
    RateLimited(String),
    /// This HTTP status (500, 503) in the provider's shape.
    ServerError(u16),
}

#[derive(Debug, Clone)]
pub struct FakeLlmConfig {
    /// The key requests must carry (`Authorization: Bearer …` or `x-goog-api-key`); none: any.
    pub key: Option<String>,
    /// Models the server has.
    pub models: Vec<String>,
    /// Every request waits this long before its answer (a model thinking).
    pub latency: Duration,
}

impl FakeLlmConfig {
    pub fn open() -> Self {
        FakeLlmConfig { key: None, models: vec!["fake-model".into()], latency: Duration::ZERO }
    }

    pub fn with_key(key: &str) -> Self {
        FakeLlmConfig { key: Some(key.to_owned()), ..Self::open() }
    }
}

#[derive(Debug, Default)]
struct State {
    script: Mutex<VecDeque<Behavior>>,
    rules: Mutex<Vec<(String, Behavior)>>,
    completions: AtomicUsize,
    in_flight: AtomicUsize,
    max_in_flight: AtomicUsize,
}

/// The running fake; dropping it stops it.
#[derive(Debug)]
pub struct FakeLlm {
    server: Server,
    state: Arc<State>,
}

impl FakeLlm {
    pub fn start(config: FakeLlmConfig) -> FakeLlm {
        FakeLlm::start_at("127.0.0.1:0", config).expect("bind a local port")
    }

    /// On `address` (`127.0.0.1:18090`), for a person trying Vitrina's AI by hand.
    pub fn start_at(address: &str, config: FakeLlmConfig) -> std::io::Result<FakeLlm> {
        let state = Arc::new(State::default());
        let s = Arc::clone(&state);
        let server = Server::start_at(address, move |r| answer(&config, &s, r))?;
        Ok(FakeLlm { server, state })
    }

    /// `http://127.0.0.1:PORT`.
    pub fn url(&self) -> String {
        self.server.url("")
    }

    /// The base URL of the OpenAI-compatible API (`…/v1`).
    pub fn openai_url(&self) -> String {
        self.server.url("/v1")
    }

    /// The base URL of the Gemini API (`…/v1beta`).
    pub fn gemini_url(&self) -> String {
        self.server.url("/v1beta")
    }

    /// The next generation requests answer with these, in order; then [`Behavior::Valid`].
    pub fn script(&self, behaviors: impl IntoIterator<Item = Behavior>) {
        self.state.script.lock().unwrap_or_else(PoisonError::into_inner).extend(behaviors);
    }

    /// Every generation request whose prompt contains `marker` answers with `behavior`.
    pub fn when(&self, marker: &str, behavior: Behavior) {
        self.state.rules.lock().unwrap_or_else(PoisonError::into_inner).push((marker.to_owned(), behavior));
    }

    /// Generation requests so far (connection checks not counted).
    pub fn completions(&self) -> usize {
        self.state.completions.load(Ordering::SeqCst)
    }

    /// The most generation requests that were in flight at once.
    pub fn max_in_flight(&self) -> usize {
        self.state.max_in_flight.load(Ordering::SeqCst)
    }

    /// Every request, in order of arrival (the auth headers included, for tests that look).
    pub fn requests(&self) -> Vec<Request> {
        self.server.requests()
    }
}

#[derive(Clone, Copy, PartialEq)]
enum Shape {
    OpenAi,
    Gemini,
}

fn json_reply(status: u16, v: &Value) -> Reply {
    Reply::status(status).header("Content-Type", "application/json").body(v.to_string())
}

fn error(shape: Shape, status: u16, message: &str, code: &str) -> Reply {
    let body = match shape {
        Shape::OpenAi => json!({"error": {"message": message, "type": code, "code": code, "param": null}}),
        Shape::Gemini => json!({"error": {"code": status, "message": message, "status": code}}),
    };
    json_reply(status, &body)
}

fn answer(config: &FakeLlmConfig, state: &State, r: &Request) -> Reply {
    let path = r.path.split('?').next().unwrap_or("");
    let shape = if path.starts_with("/v1beta/") { Shape::Gemini } else { Shape::OpenAi };
    // The key first, as the real gateways check it.
    if let Some(key) = &config.key {
        let given = match shape {
            Shape::OpenAi => {
                r.header("authorization").and_then(|v| v.strip_prefix("Bearer ")).map(str::to_owned)
            }
            Shape::Gemini => r.header("x-goog-api-key").map(str::to_owned),
        };
        if given.as_deref() != Some(key.as_str()) {
            return match shape {
                // OpenAI quotes the key it was given (partly); echoing it whole tests scrubbing.
                Shape::OpenAi => error(
                    shape,
                    401,
                    &format!(
                        "Incorrect API key provided: {}. You can find your API key at https://platform.openai.com/account/api-keys.",
                        given.unwrap_or_default()
                    ),
                    "invalid_api_key",
                ),
                Shape::Gemini => {
                    error(shape, 400, "API key not valid. Please pass a valid API key.", "INVALID_ARGUMENT")
                }
            };
        }
    }
    match (r.method.as_str(), shape, path) {
        ("GET", Shape::OpenAi, "/v1/models") => {
            let data: Vec<Value> = config
                .models
                .iter()
                .map(|m| json!({"id": m, "object": "model", "owned_by": "vitrina-fake"}))
                .collect();
            json_reply(200, &json!({"object": "list", "data": data}))
        }
        ("GET", Shape::Gemini, p) if p.starts_with("/v1beta/models/") => {
            let model = &p["/v1beta/models/".len()..];
            if config.models.iter().any(|m| m == model) {
                json_reply(
                    200,
                    &json!({"name": format!("models/{model}"), "displayName": model, "supportedGenerationMethods": ["generateContent"]}),
                )
            } else {
                error(shape, 404, &format!("models/{model} is not found for API version v1beta"), "NOT_FOUND")
            }
        }
        ("POST", Shape::OpenAi, "/v1/chat/completions") => generate(config, state, r, shape),
        ("POST", Shape::Gemini, p) if p.starts_with("/v1beta/models/") && p.ends_with(":generateContent") => {
            let model = &p["/v1beta/models/".len()..p.len() - ":generateContent".len()];
            if !config.models.iter().any(|m| m == model) {
                return error(
                    shape,
                    404,
                    &format!("models/{model} is not found for API version v1beta"),
                    "NOT_FOUND",
                );
            }
            generate(config, state, r, shape)
        }
        _ => error(shape, 404, &format!("no route {} {path}", r.method), "not_found"),
    }
}

struct InFlight<'a>(&'a State);

impl Drop for InFlight<'_> {
    fn drop(&mut self) {
        self.0.in_flight.fetch_sub(1, Ordering::SeqCst);
    }
}

fn generate(config: &FakeLlmConfig, state: &State, r: &Request, shape: Shape) -> Reply {
    state.completions.fetch_add(1, Ordering::SeqCst);
    let now = state.in_flight.fetch_add(1, Ordering::SeqCst) + 1;
    state.max_in_flight.fetch_max(now, Ordering::SeqCst);
    let _guard = InFlight(state);
    let Ok(body) = serde_json::from_slice::<Value>(&r.body) else {
        return error(
            shape,
            400,
            "We could not parse the JSON body of your request.",
            "invalid_request_error",
        );
    };
    let (system, user, moderate) = match shape {
        Shape::OpenAi => {
            let text = |role: &str| {
                body["messages"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .filter(|m| m["role"] == role)
                    .filter_map(|m| m["content"].as_str())
                    .collect::<Vec<_>>()
                    .join("\n")
            };
            let schema_name = body.pointer("/response_format/json_schema/name").and_then(Value::as_str);
            let system = text("system");
            let moderate =
                schema_name.map(|n| n == "verdict").unwrap_or_else(|| system.contains("модератор"));
            (system, text("user"), moderate)
        }
        Shape::Gemini => {
            let system = body
                .pointer("/systemInstruction/parts/0/text")
                .and_then(Value::as_str)
                .unwrap_or("")
                .to_owned();
            let user = body["contents"]
                .as_array()
                .into_iter()
                .flatten()
                .flat_map(|c| c["parts"].as_array().into_iter().flatten())
                .filter_map(|p| p["text"].as_str())
                .collect::<Vec<_>>()
                .join("\n");
            let has_ok = body.pointer("/generationConfig/responseSchema/properties/ok").is_some();
            let moderate = has_ok || system.contains("модератор");
            (system, user, moderate)
        }
    };
    if user.is_empty() {
        return error(shape, 400, "messages must contain a user message", "invalid_request_error");
    }
    let scripted = state.script.lock().unwrap_or_else(PoisonError::into_inner).pop_front();
    let ruled = || {
        state
            .rules
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .iter()
            .find(|(m, _)| user.contains(m.as_str()))
            .map(|(_, b)| b.clone())
    };
    let behavior = scripted.or_else(ruled).unwrap_or(Behavior::Valid);
    if !config.latency.is_zero() {
        std::thread::sleep(config.latency);
    }
    let valid = if moderate { verdict(&user) } else { generated(&user) };
    let (text, truncated) = match behavior {
        Behavior::Valid => (valid.to_string(), false),
        Behavior::Fenced => (format!("```json\n{valid}\n```"), false),
        Behavior::Malformed => ("{\"ok\": false, \"issues\": [{\"field\": \"name\",, }]".to_owned(), false),
        Behavior::Partial => {
            let s = valid.to_string();
            let cut: String = s.chars().take(s.chars().count() / 2).collect();
            (cut, true)
        }
        Behavior::Prose => {
            ("Карточка в целом хорошая, но название стоит сделать короче и убрать капс.".to_owned(), false)
        }
        Behavior::WrongShape => (json!({"result": "ok"}).to_string(), false),
        Behavior::Slow(d) => {
            std::thread::sleep(d);
            (valid.to_string(), false)
        }
        Behavior::RateLimited(after) => {
            let message = match shape {
                Shape::OpenAi => "Rate limit reached for requests per min (RPM). Please try again later.",
                Shape::Gemini => "Resource has been exhausted (e.g. check quota).",
            };
            let code = if shape == Shape::OpenAi { "rate_limit_exceeded" } else { "RESOURCE_EXHAUSTED" };
            return error(shape, 429, message, code).header("Retry-After", &after);
        }
        Behavior::ServerError(status) => {
            let code = if shape == Shape::OpenAi { "server_error" } else { "UNAVAILABLE" };
            return error(shape, status, "The server had an error while processing your request.", code);
        }
    };
    let prompt_tokens = (system.chars().count() + user.chars().count()) / 4 + 1;
    let completion_tokens = text.chars().count() / 4 + 1;
    let body = match shape {
        Shape::OpenAi => json!({
            "id": "chatcmpl-fake",
            "object": "chat.completion",
            "model": body["model"],
            "choices": [{"index": 0, "message": {"role": "assistant", "content": text, "refusal": null},
                         "finish_reason": if truncated { "length" } else { "stop" }}],
            "usage": {"prompt_tokens": prompt_tokens, "completion_tokens": completion_tokens, "total_tokens": prompt_tokens + completion_tokens},
        }),
        Shape::Gemini => json!({
            "candidates": [{"content": {"role": "model", "parts": [{"text": text}]},
                            "finishReason": if truncated { "MAX_TOKENS" } else { "STOP" }, "index": 0}],
            "usageMetadata": {"promptTokenCount": prompt_tokens, "candidatesTokenCount": completion_tokens, "totalTokenCount": prompt_tokens + completion_tokens},
            "modelVersion": "fake",
        }),
    };
    json_reply(200, &body)
}

/// The value after `label` on its line of the prompt (`Название: …`).
fn line_value<'a>(text: &'a str, label: &str) -> Option<&'a str> {
    text.lines().find_map(|l| l.strip_prefix(label)).map(str::trim)
}

/// The block after a line `label` up to the next empty line.
fn block_after<'a>(text: &'a str, label: &str) -> Vec<&'a str> {
    let mut lines = text.lines().skip_while(|l| l.trim() != label);
    lines.next();
    lines.take_while(|l| !l.trim().is_empty()).collect()
}

fn shouting(s: &str) -> bool {
    let letters: Vec<char> = s.chars().filter(|c| c.is_alphabetic()).collect();
    letters.len() >= 8 && letters.iter().filter(|c| c.is_uppercase()).count() * 10 >= letters.len() * 7
}

fn sentence_case(s: &str) -> String {
    let lower = s.to_lowercase();
    let mut chars = lower.chars();
    match chars.next() {
        Some(c) => c.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// A moderation verdict from the prompt: capitals in the title and a missing description are
/// flagged, with suggestions.
fn verdict(user: &str) -> Value {
    let name = line_value(user, "Название:").unwrap_or("");
    let description = block_after(user, "Описание:").join(" ");
    let mut issues = Vec::new();
    let mut suggestions = json!({"name": null, "description": null, "brand": null, "model": null});
    if shouting(name) {
        issues.push(json!({"field": "name", "severity": "warning", "message": "Название написано капсом"}));
        suggestions["name"] = json!(sentence_case(name));
    }
    if description.trim().is_empty() || description.trim() == "(нет)" {
        issues.push(json!({"field": "description", "severity": "error", "message": "Нет описания"}));
        suggestions["description"] =
            json!(format!("{} — описание от модели: назначение, материалы и уход.", sentence_case(name)));
    }
    json!({"ok": issues.is_empty(), "issues": issues, "suggestions": suggestions})
}

/// A description from the prompt's title and characteristics.
fn generated(user: &str) -> Value {
    let name = line_value(user, "Название:").unwrap_or("Товар");
    let attrs: Vec<&str> =
        block_after(user, "Характеристики:").into_iter().filter_map(|l| l.strip_prefix("- ")).collect();
    let mut description = format!("{name}. Написано моделью по характеристикам");
    if !attrs.is_empty() {
        description.push_str(": ");
        description.push_str(&attrs.join("; "));
    }
    description.push('.');
    let name_wanted = user.contains("Предложи и название");
    json!({"description": description, "name": if name_wanted { json!(format!("{name} — новое название")) } else { Value::Null }})
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_verdict_flags_capitals_and_a_missing_description() {
        let v = verdict("Товар:\nНазвание: КРОССОВКИ БЕГОВЫЕ\nОписание:\n(нет)\n\nЧто уже нашла");
        assert_eq!(v["ok"], false);
        assert_eq!(v["suggestions"]["name"], "Кроссовки беговые");
        assert!(v["suggestions"]["description"].as_str().unwrap().starts_with("Кроссовки беговые"));
        let ok = verdict("Название: Кроссовки беговые\nОписание:\nЛёгкие.\n");
        assert_eq!(ok["ok"], true);
        assert_eq!(ok["issues"], json!([]));
    }

    #[test]
    fn a_description_comes_from_the_characteristics() {
        let g =
            generated("Название: Кеды\nХарактеристики:\n- Цвет: белый\n- Размер: 42\n\nПредложи и название");
        assert_eq!(g["description"], "Кеды. Написано моделью по характеристикам: Цвет: белый; Размер: 42.");
        assert_eq!(g["name"], "Кеды — новое название");
    }
}
