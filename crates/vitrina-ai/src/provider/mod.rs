//! Providers: where a model runs and how to talk to it. Two API shapes cover what sellers use —
//! OpenAI's Chat Completions (OpenAI itself and the local servers that speak it: Ollama,
//! LM Studio, llama.cpp's server) and Google's Gemini `generateContent`. A provider's settings
//! live in the AI file; its key lives in the store of secrets and reaches this crate only as a
//! value handed to [`crate::http::Client`].

pub mod gemini;
pub mod openai;

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::error::{AiError, ErrorKind, Result};

/// A provider's identity: a UUIDv7, which also names its key (`ai.<id>.key`).
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct ProviderId(pub Uuid);

impl ProviderId {
    pub fn new() -> Self {
        ProviderId(Uuid::now_v7())
    }

    pub fn from_bytes(bytes: [u8; 16]) -> Self {
        ProviderId(Uuid::from_bytes(bytes))
    }

    pub fn as_bytes(&self) -> &[u8; 16] {
        self.0.as_bytes()
    }
}

impl Default for ProviderId {
    fn default() -> Self {
        Self::new()
    }
}

impl fmt::Display for ProviderId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.0, f)
    }
}

impl fmt::Debug for ProviderId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "ProviderId({})", self.0)
    }
}

impl FromStr for ProviderId {
    type Err = uuid::Error;
    fn from_str(s: &str) -> std::result::Result<Self, Self::Err> {
        Uuid::parse_str(s.trim()).map(ProviderId)
    }
}

/// The name of a provider's key in the store of secrets.
pub fn secret_name(id: ProviderId) -> String {
    format!("ai.{id}.key")
}

/// Which API a provider speaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ProviderKind {
    /// Chat Completions: OpenAI, Ollama, LM Studio, llama.cpp's server, and others.
    #[serde(rename = "openai")]
    OpenAi,
    Gemini,
}

impl ProviderKind {
    pub fn code(self) -> &'static str {
        match self {
            ProviderKind::OpenAi => "openai",
            ProviderKind::Gemini => "gemini",
        }
    }

    /// The public service's base URL, used when none is given.
    pub fn default_base_url(self) -> &'static str {
        match self {
            ProviderKind::OpenAi => "https://api.openai.com/v1",
            ProviderKind::Gemini => "https://generativelanguage.googleapis.com/v1beta",
        }
    }
}

impl FromStr for ProviderKind {
    type Err = AiError;
    fn from_str(s: &str) -> Result<Self> {
        match s.trim().to_ascii_lowercase().as_str() {
            "openai" | "openai-compatible" | "ollama" | "lmstudio" | "llama.cpp" => Ok(ProviderKind::OpenAi),
            "gemini" | "google" => Ok(ProviderKind::Gemini),
            other => Err(AiError::invalid(format!(
                "\"{other}\" is not a kind of provider: openai (OpenAI and compatible local servers) or gemini"
            ))),
        }
    }
}

impl fmt::Display for ProviderKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

/// How a provider is asked for JSON. Local servers differ in what they support, so it is a
/// setting: the schema where it works, plain JSON mode where only that does, and the prompt
/// alone for the rest (the answer is validated strictly either way).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum JsonMode {
    /// OpenAI `response_format: json_schema` (strict); Gemini `responseSchema`.
    #[default]
    Schema,
    /// OpenAI `response_format: json_object`; Gemini `responseMimeType` only.
    Object,
    /// Nothing but the prompt's instructions.
    Prompt,
}

impl FromStr for JsonMode {
    type Err = AiError;
    fn from_str(s: &str) -> Result<Self> {
        match s.trim() {
            "schema" => Ok(JsonMode::Schema),
            "object" => Ok(JsonMode::Object),
            "prompt" => Ok(JsonMode::Prompt),
            other => {
                Err(AiError::invalid(format!("\"{other}\" is not a JSON mode: schema, object or prompt")))
            }
        }
    }
}

/// A provider's limits and manners.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct ProviderSettings {
    /// Requests in flight at once, across every job of this process.
    pub concurrency: u32,
    /// Requests per minute; 0 = no limit (a local server).
    pub rpm: u32,
    /// How long one request may take, in seconds (a local model on a CPU is slow).
    pub timeout_secs: u32,
    /// Attempts per request, the first included (429, 5xx, timeouts, broken connections).
    pub max_attempts: u32,
    pub json_mode: JsonMode,
}

impl Default for ProviderSettings {
    fn default() -> Self {
        ProviderSettings {
            concurrency: 4,
            rpm: 60,
            timeout_secs: 120,
            max_attempts: 4,
            json_mode: JsonMode::Schema,
        }
    }
}

impl ProviderSettings {
    pub fn validate(&self) -> Result<()> {
        if !(1..=64).contains(&self.concurrency) {
            return Err(AiError::invalid(format!("concurrency {}: between 1 and 64", self.concurrency)));
        }
        if self.rpm > 100_000 {
            return Err(AiError::invalid(format!(
                "{} requests per minute: at most 100 000 (0 = no limit)",
                self.rpm
            )));
        }
        if !(1..=3600).contains(&self.timeout_secs) {
            return Err(AiError::invalid(format!("timeout {} s: between 1 and 3600", self.timeout_secs)));
        }
        if !(1..=10).contains(&self.max_attempts) {
            return Err(AiError::invalid(format!("{} attempts: between 1 and 10", self.max_attempts)));
        }
        Ok(())
    }
}

/// What the last "check connection" found.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProviderCheck {
    pub ok: bool,
    /// `ok`, `key_missing`, `unauthorized`, `model_not_found`, `unreachable`… (an
    /// [`ErrorKind::code`] or `model_not_found`).
    pub outcome: String,
    /// For people: the provider's own words, or what was found.
    pub detail: String,
    pub checked_at: i64,
    /// How long the provider took to answer, in milliseconds.
    pub millis: u64,
}

/// A provider as stored (no key).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProviderConfig {
    pub id: ProviderId,
    pub name: String,
    pub kind: ProviderKind,
    /// Up to the API version (`https://api.openai.com/v1`, `http://localhost:11434/v1`,
    /// `https://generativelanguage.googleapis.com/v1beta`), without a trailing slash.
    pub base_url: String,
    pub model: String,
    pub settings: ProviderSettings,
    pub last_check: Option<ProviderCheck>,
    pub created_at: i64,
    pub updated_at: i64,
}

impl ProviderConfig {
    pub fn new(name: &str, kind: ProviderKind, base_url: Option<&str>, model: &str, now: i64) -> Self {
        let base = base_url.map(str::trim).filter(|u| !u.is_empty()).unwrap_or(kind.default_base_url());
        ProviderConfig {
            id: ProviderId::new(),
            name: name.trim().to_owned(),
            kind,
            base_url: base.trim_end_matches('/').to_owned(),
            model: model.trim().to_owned(),
            settings: ProviderSettings::default(),
            last_check: None,
            created_at: now,
            updated_at: now,
        }
    }

    pub fn validate(&self) -> Result<()> {
        if self.name.is_empty() || self.name.chars().count() > 100 {
            return Err(AiError::invalid("a provider needs a name of 1–100 characters"));
        }
        if self.model.is_empty()
            || self.model.len() > 200
            || self.model.contains(['/', '?', '#']) && self.kind == ProviderKind::Gemini
        {
            return Err(AiError::invalid(format!("\"{}\" is not a model's name", self.model)));
        }
        let url = self.base_url.as_str();
        let scheme_ok = url.starts_with("https://") || url.starts_with("http://");
        if !scheme_ok || url.len() < 10 || url.contains(char::is_whitespace) {
            return Err(AiError::invalid(format!(
                "\"{url}\" is not a base URL: give it with http:// or https://, up to the API version (…/v1)"
            )));
        }
        if url.starts_with("http://") && !self.is_local() {
            return Err(AiError::invalid(format!(
                "\"{url}\" is plain http to another computer: the key would travel unencrypted; use https:// (plain http is for a server on this computer)"
            )));
        }
        self.settings.validate()
    }

    /// Whether the server runs on this computer (Ollama, LM Studio, llama.cpp): such servers
    /// need no key.
    pub fn is_local(&self) -> bool {
        let rest = self.base_url.split_once("://").map(|(_, r)| r).unwrap_or(&self.base_url);
        let host = rest.split('/').next().unwrap_or("");
        let host = if host.starts_with('[') {
            host.split(']').next().unwrap_or("").trim_start_matches('[')
        } else {
            host.split(':').next().unwrap_or("")
        };
        host.eq_ignore_ascii_case("localhost") || host.starts_with("127.") || host == "::1"
    }

    /// Whether requests need a key: every remote provider does; a local server does not.
    pub fn key_required(&self) -> bool {
        !self.is_local()
    }
}

/// One request to a model: instructions, the product's text, and the JSON shape wanted.
#[derive(Debug, Clone, PartialEq)]
pub struct ChatRequest {
    pub system: String,
    pub user: String,
    /// The answer's JSON schema and its name (`verdict`, `generated`).
    pub schema: Option<(&'static str, serde_json::Value)>,
    pub max_output_tokens: u32,
    pub temperature: f32,
}

/// Tokens a request used, as the provider counted them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Usage {
    pub input_tokens: u64,
    pub output_tokens: u64,
}

impl std::ops::AddAssign for Usage {
    fn add_assign(&mut self, o: Usage) {
        self.input_tokens += o.input_tokens;
        self.output_tokens += o.output_tokens;
    }
}

/// A model's answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Completion {
    pub text: String,
    pub usage: Usage,
    /// The model stopped at its token limit: the JSON is likely cut off.
    pub truncated: bool,
}

/// The request's path under the base URL, and its body.
pub(crate) fn build(config: &ProviderConfig, req: &ChatRequest) -> Result<(String, Vec<u8>)> {
    let body = match config.kind {
        ProviderKind::OpenAi => openai::body(&config.model, config.settings.json_mode, req),
        ProviderKind::Gemini => gemini::body(config.settings.json_mode, req),
    };
    let path = match config.kind {
        ProviderKind::OpenAi => "/chat/completions".to_owned(),
        ProviderKind::Gemini => format!("/models/{}:generateContent", config.model),
    };
    let bytes = serde_json::to_vec(&body).map_err(|e| AiError::invalid(e.to_string()))?;
    Ok((path, bytes))
}

/// Reads a 2xx answer's body.
pub(crate) fn parse(kind: ProviderKind, body: &[u8]) -> Result<Completion> {
    let value: serde_json::Value = serde_json::from_slice(body).map_err(|e| {
        AiError::new(ErrorKind::BadResponse, format!("the provider's answer is not JSON: {e}"))
            .with_raw(String::from_utf8_lossy(&body[..body.len().min(4096)]).into_owned())
    })?;
    match kind {
        ProviderKind::OpenAi => openai::parse(&value),
        ProviderKind::Gemini => gemini::parse(&value),
    }
}

/// The path of the cheap read that checks a connection: the model list (OpenAI-compatible
/// servers all have it) or the model itself (Gemini).
pub(crate) fn check_path(config: &ProviderConfig) -> String {
    match config.kind {
        ProviderKind::OpenAi => "/models".to_owned(),
        ProviderKind::Gemini => format!("/models/{}", config.model),
    }
}

/// The provider's error text from an error answer's body (both shapes put it under
/// `error.message`); the body's start otherwise.
pub(crate) fn error_text(body: &[u8]) -> String {
    if let Ok(v) = serde_json::from_slice::<serde_json::Value>(body) {
        let message = v.pointer("/error/message").or_else(|| v.get("error")).or_else(|| v.get("message"));
        if let Some(m) = message.and_then(|m| m.as_str()) {
            return m.to_owned();
        }
    }
    let text = String::from_utf8_lossy(&body[..body.len().min(300)]).trim().to_owned();
    if text.is_empty() { "no details".to_owned() } else { text }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn local_servers_need_no_key_and_remote_ones_need_https() {
        let mut c = ProviderConfig::new(
            "Ollama",
            ProviderKind::OpenAi,
            Some("http://localhost:11434/v1/"),
            "qwen2.5",
            0,
        );
        assert_eq!(c.base_url, "http://localhost:11434/v1");
        assert!(c.is_local() && !c.key_required());
        c.validate().unwrap();
        for local in ["http://127.0.0.1:1234/v1", "http://[::1]:8080/v1"] {
            c.base_url = local.into();
            assert!(c.is_local(), "{local}");
        }
        c.base_url = "http://example.com/v1".into();
        assert!(c.validate().unwrap_err().message.contains("unencrypted"));
        let g = ProviderConfig::new("G", ProviderKind::Gemini, None, "gemini-2.5-flash", 0);
        assert_eq!(g.base_url, "https://generativelanguage.googleapis.com/v1beta");
        assert!(g.key_required());
        g.validate().unwrap();
    }

    #[test]
    fn kinds_and_modes_read_from_text() {
        assert_eq!("OpenAI".parse::<ProviderKind>().unwrap(), ProviderKind::OpenAi);
        assert_eq!("gemini".parse::<ProviderKind>().unwrap(), ProviderKind::Gemini);
        assert!("claude".parse::<ProviderKind>().unwrap_err().message.contains("openai"));
        assert_eq!("object".parse::<JsonMode>().unwrap(), JsonMode::Object);
        assert_eq!(serde_json::to_string(&ProviderKind::OpenAi).unwrap(), "\"openai\"");
    }

    #[test]
    fn error_texts_come_from_either_shape() {
        assert_eq!(
            error_text(br#"{"error":{"message":"Incorrect API key","type":"x"}}"#),
            "Incorrect API key"
        );
        assert_eq!(
            error_text(
                br#"{"error":{"code":400,"message":"API key not valid","status":"INVALID_ARGUMENT"}}"#
            ),
            "API key not valid"
        );
        assert_eq!(error_text(b"Bad Gateway"), "Bad Gateway");
        assert_eq!(error_text(b""), "no details");
    }
}
