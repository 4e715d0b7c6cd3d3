//! One error type for the crate: what went wrong, in a sentence for the seller, with a kind the
//! application maps to its codes. A message never holds a key: answers that echo one are
//! scrubbed before they become an error ([`crate::http`]).

use std::fmt;
use std::time::Duration;

/// What kind of failure this is; the application words each one and decides what to retry.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ErrorKind {
    /// No key is stored for a provider that needs one.
    KeyMissing,
    /// The provider refused the key (401).
    Unauthorized,
    /// The key works, but not for this model or method (403).
    Forbidden,
    /// The provider kept answering 429.
    RateLimited,
    /// The provider failed (5xx).
    Server,
    /// No answer in time.
    Timeout,
    /// The provider could not be reached.
    Connection,
    /// The provider refused the request itself (another 4xx): the model's name, the request.
    Rejected,
    /// An HTTP answer that is not the API's shape.
    BadResponse,
    /// The model's answer is not the JSON asked for (prose, broken or incomplete JSON), twice.
    Malformed,
    /// The product is too large to send (a description of megabytes).
    TooLarge,
    /// Bad input: settings, a template, a name.
    Invalid,
    /// No such provider, prompt or suggestion.
    NotFound,
    /// A name already in use.
    Conflict,
    Cancelled,
    /// The AI file could not be read or written.
    Storage,
}

impl ErrorKind {
    /// The stable code (`key_missing`, `malformed`…) stored with a failed product.
    pub fn code(self) -> &'static str {
        match self {
            ErrorKind::KeyMissing => "key_missing",
            ErrorKind::Unauthorized => "unauthorized",
            ErrorKind::Forbidden => "forbidden",
            ErrorKind::RateLimited => "rate_limited",
            ErrorKind::Server => "server_error",
            ErrorKind::Timeout => "timeout",
            ErrorKind::Connection => "unreachable",
            ErrorKind::Rejected => "rejected",
            ErrorKind::BadResponse => "bad_response",
            ErrorKind::Malformed => "malformed",
            ErrorKind::TooLarge => "too_large",
            ErrorKind::Invalid => "invalid",
            ErrorKind::NotFound => "not_found",
            ErrorKind::Conflict => "conflict",
            ErrorKind::Cancelled => "cancelled",
            ErrorKind::Storage => "storage",
        }
    }

    /// Whether trying again later may work.
    pub fn is_transient(self) -> bool {
        matches!(
            self,
            ErrorKind::RateLimited | ErrorKind::Server | ErrorKind::Timeout | ErrorKind::Connection
        )
    }

    /// Whether every other product would fail the same way (a wrong key, a provider that is
    /// down): a batch stops early instead of sending the rest to fail.
    pub fn stops_a_batch(self) -> bool {
        matches!(
            self,
            ErrorKind::KeyMissing | ErrorKind::Unauthorized | ErrorKind::Forbidden | ErrorKind::Cancelled
        )
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub struct AiError {
    pub kind: ErrorKind,
    pub message: String,
    /// The HTTP status, when the provider answered.
    pub status: Option<u16>,
    /// The wait the provider asked for (429, 503).
    pub retry_after: Option<Duration>,
    /// The model's own text when it was not the JSON asked for, for inspection.
    pub raw: Option<String>,
}

impl AiError {
    pub fn new(kind: ErrorKind, message: impl Into<String>) -> Self {
        AiError { kind, message: message.into(), status: None, retry_after: None, raw: None }
    }

    pub fn invalid(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::Invalid, message)
    }

    pub fn with_raw(mut self, raw: impl Into<String>) -> Self {
        self.raw = Some(raw.into());
        self
    }

    pub fn code(&self) -> &'static str {
        self.kind.code()
    }
}

impl fmt::Display for AiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl From<rusqlite::Error> for AiError {
    fn from(e: rusqlite::Error) -> Self {
        AiError::new(ErrorKind::Storage, format!("the AI file: {e}"))
    }
}

impl From<vitrina_store::StoreError> for AiError {
    fn from(e: vitrina_store::StoreError) -> Self {
        AiError::new(ErrorKind::Storage, format!("the catalog: {e}"))
    }
}

pub type Result<T> = std::result::Result<T, AiError>;
