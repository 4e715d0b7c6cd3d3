//! One error type for the crate. A marketplace's refusal keeps the marketplace's own text
//! (`message`), never a request header or a secret; `code()` is stable for front ends and jobs.

use std::fmt;
use std::time::Duration;

use serde_json::Value;

/// What went wrong, as the caller decides on it (retry, ask for a new token, fix the data).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ErrorKind {
    /// 401: the marketplace does not accept the credentials.
    Unauthorized,
    /// 403: accepted, but not for this method (token category, role, scope).
    Forbidden,
    /// 402 (WB): a paid token has no balance left.
    PaymentRequired,
    /// 429 (WB, Ozon) or 420 (YM) after every retry.
    RateLimited,
    /// 5xx (and WB `StoreIsProcessing`, Ozon `Circle is open`) after every retry.
    Server,
    Timeout,
    /// Connection refused, reset, DNS, TLS.
    Connection,
    /// Any other 4xx: the marketplace refused the request's content.
    Rejected,
    /// 404: a wrong path or id (often a wrong base URL).
    NotFound,
    /// A 2xx whose body is not what the spec describes.
    BadResponse,
    Cancelled,
    /// No secret is stored for the account.
    CredentialsMissing,
    /// Bad input before anything was sent (an account, a URL, stored credentials).
    Invalid,
    /// An account name already in use.
    Conflict,
    /// An account that does not exist.
    UnknownAccount,
    /// The market file could not be opened, read or written.
    Storage,
    /// In a team, another device owns the marketplaces (or the team could not say this one
    /// does): nothing was sent.
    OwnedElsewhere,
}

impl ErrorKind {
    /// A stable snake_case code.
    pub fn code(self) -> &'static str {
        match self {
            ErrorKind::Unauthorized => "unauthorized",
            ErrorKind::Forbidden => "forbidden",
            ErrorKind::PaymentRequired => "payment_required",
            ErrorKind::RateLimited => "rate_limited",
            ErrorKind::Server => "server_error",
            ErrorKind::Timeout => "timeout",
            ErrorKind::Connection => "unreachable",
            ErrorKind::Rejected => "rejected",
            ErrorKind::NotFound => "not_found",
            ErrorKind::BadResponse => "bad_response",
            ErrorKind::Cancelled => "cancelled",
            ErrorKind::CredentialsMissing => "credentials_missing",
            ErrorKind::Invalid => "invalid",
            ErrorKind::Conflict => "conflict",
            ErrorKind::UnknownAccount => "unknown_account",
            ErrorKind::Storage => "storage",
            ErrorKind::OwnedElsewhere => "owned_elsewhere",
        }
    }
}

/// An error of this crate.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub struct MarketError {
    pub kind: ErrorKind,
    /// The HTTP status, when there was an answer.
    pub status: Option<u16>,
    /// The marketplace's own error code (WB `code`, Ozon gRPC `code`, YM `errors[].code`).
    pub code: Option<String>,
    /// The marketplace's text as it sent it, or ours when nothing was answered.
    pub message: String,
    /// How long the marketplace asked to wait (rate limits).
    pub retry_after: Option<Duration>,
}

impl MarketError {
    pub fn new(kind: ErrorKind, message: impl Into<String>) -> Self {
        MarketError { kind, status: None, code: None, message: message.into(), retry_after: None }
    }

    /// An answer with a non-2xx `status`, its body already parsed by [`parse_error_body`].
    pub fn answered(kind: ErrorKind, status: u16, code: Option<String>, message: String) -> Self {
        MarketError { kind, status: Some(status), code, message, retry_after: None }
    }

    pub fn is_transient(&self) -> bool {
        matches!(
            self.kind,
            ErrorKind::RateLimited | ErrorKind::Server | ErrorKind::Timeout | ErrorKind::Connection
        )
    }

    pub fn code(&self) -> &'static str {
        self.kind.code()
    }
}

impl fmt::Display for MarketError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let what = match self.kind {
            ErrorKind::Unauthorized => "the marketplace did not accept the credentials",
            ErrorKind::Forbidden => "the credentials give no access to this method",
            ErrorKind::PaymentRequired => "the marketplace asks for payment",
            ErrorKind::RateLimited => "the marketplace's rate limit was hit",
            ErrorKind::Server => "the marketplace failed",
            ErrorKind::Timeout => "the marketplace did not answer in time",
            ErrorKind::Connection => "the marketplace could not be reached",
            ErrorKind::Rejected => "the marketplace refused the request",
            ErrorKind::NotFound => "the marketplace does not know this address",
            ErrorKind::BadResponse => "the marketplace's answer was not understood",
            ErrorKind::Cancelled => "cancelled",
            ErrorKind::CredentialsMissing => "no credentials are stored for this account",
            ErrorKind::Invalid => "invalid",
            ErrorKind::Conflict => "conflict",
            ErrorKind::UnknownAccount => "no such marketplace account",
            ErrorKind::Storage => "the marketplace file failed",
            ErrorKind::OwnedElsewhere => "another device of the team owns the marketplaces",
        };
        f.write_str(what)?;
        if let Some(status) = self.status {
            write!(f, " (HTTP {status})")?;
        }
        if !self.message.is_empty() && self.message != what {
            write!(f, ": {}", self.message)?;
        }
        if let Some(wait) = self.retry_after {
            write!(f, "; retry in {} s", wait.as_secs().max(1))?;
        }
        Ok(())
    }
}

impl From<vitrina_store::StoreError> for MarketError {
    /// The catalog (read for publishing) failed.
    fn from(e: vitrina_store::StoreError) -> Self {
        MarketError::new(ErrorKind::Storage, format!("the catalog could not be read: {e}"))
    }
}

impl From<rusqlite::Error> for MarketError {
    fn from(e: rusqlite::Error) -> Self {
        MarketError::new(ErrorKind::Storage, e.to_string())
    }
}

/// How much of a body that is not JSON is kept as the message.
const TEXT_KEEP: usize = 500;

/// The marketplace's (code, message) from an error body, whatever its shape: WB problem+json
/// (`title`, `detail`), the WB content and prices envelope (`errorText`, `additionalErrors` as
/// an object, a string or null), WB marketplace `{code, message}` and its 409 array, Ozon
/// `{code: int, message}`, YM `{status: "ERROR", errors: [{code, message}]}`; anything else is
/// kept as the start of its text.
pub fn parse_error_body(status: u16, body: &[u8]) -> (Option<String>, String) {
    let fallback = || {
        let text = String::from_utf8_lossy(body);
        let text = text.trim();
        let mut end = text.len().min(TEXT_KEEP);
        while !text.is_char_boundary(end) {
            end -= 1;
        }
        if text.is_empty() { format!("HTTP {status} with no body") } else { text[..end].to_owned() }
    };
    let Ok(value) = serde_json::from_slice::<Value>(body) else { return (None, fallback()) };
    match &value {
        Value::Array(items) if !items.is_empty() => {
            let parsed: Vec<_> = items.iter().filter_map(code_and_message).collect();
            if parsed.is_empty() {
                return (None, fallback());
            }
            let code = parsed[0].0.clone();
            let message = parsed.iter().map(|(_, m)| m.as_str()).collect::<Vec<_>>().join("; ");
            (code, message)
        }
        Value::Object(_) => code_and_message(&value).map_or_else(|| (None, fallback()), |(c, m)| (c, m)),
        _ => (None, fallback()),
    }
}

fn code_and_message(v: &Value) -> Option<(Option<String>, String)> {
    let text = |key: &str| v.get(key).and_then(Value::as_str).map(str::trim).filter(|s| !s.is_empty());
    // YM: {"status":"ERROR","errors":[{"code","message"}]}
    if let Some(errors) = v.get("errors").and_then(Value::as_array) {
        let parts: Vec<(Option<String>, String)> = errors
            .iter()
            .map(|e| {
                let code = e.get("code").and_then(Value::as_str).map(str::to_owned);
                let message = e.get("message").and_then(Value::as_str).unwrap_or_default().to_owned();
                (code, message)
            })
            .collect();
        if !parts.is_empty() {
            let code = parts[0].0.clone();
            let message = parts
                .iter()
                .map(|(c, m)| match (c, m.is_empty()) {
                    (Some(c), true) => c.clone(),
                    _ => m.clone(),
                })
                .collect::<Vec<_>>()
                .join("; ");
            return Some((code, message));
        }
    }
    // WB content and prices envelope.
    if let Some(error_text) = text("errorText") {
        let extra = flatten(v.get("additionalErrors").unwrap_or(&Value::Null));
        let message = match extra {
            Some(extra) if extra != error_text => format!("{error_text} ({extra})"),
            _ => error_text.to_owned(),
        };
        return Some((None, message));
    }
    // WB problem+json (gateway: 401, 402, 403, 413, 429).
    if let Some(title) = text("title") {
        let message = match text("detail") {
            Some(detail) => format!("{title}: {detail}"),
            None => title.to_owned(),
        };
        return Some((None, message));
    }
    // WB marketplace {code: "…", message} and Ozon {code: 16, message}.
    if let Some(message) = text("message") {
        let code = match v.get("code") {
            Some(Value::String(s)) => Some(s.clone()),
            Some(Value::Number(n)) => Some(n.to_string()),
            _ => None,
        };
        return Some((code, message.to_owned()));
    }
    None
}

/// WB's `additionalErrors`, which the spec gives as an object, a string or null, as one line.
fn flatten(v: &Value) -> Option<String> {
    match v {
        Value::Null => None,
        Value::String(s) => Some(s.trim().to_owned()).filter(|s| !s.is_empty()),
        Value::Object(map) if map.is_empty() => None,
        Value::Object(map) => Some(
            map.iter()
                .map(|(k, v)| match v {
                    Value::String(s) => format!("{k}: {s}"),
                    other => format!("{k}: {other}"),
                })
                .collect::<Vec<_>>()
                .join("; "),
        ),
        Value::Array(items) if items.is_empty() => None,
        other => Some(other.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use rstest::rstest;

    use super::*;

    #[rstest]
    #[case::wb_problem_401(401, r#"{"title":"unauthorized","detail":"token problem; token is malformed: could not base64 decode signature: illegal base64 data at input byte 84","code":"07e4668e--a53a3d31f8b0-[UK-oWaVDUqNrKG]; 03bce=277; 84bd353bf-75","requestId":"7b80742415072fe8b6b7f7761f1d1211","origin":"s2s-api-auth-catalog","status":401,"statusText":"Unauthorized","timestamp":"2024-09-30T06:52:38Z"}"#,
        None, "unauthorized: token problem; token is malformed: could not base64 decode signature: illegal base64 data at input byte 84")]
    #[case::wb_problem_403(403, r#"{"title":"forbidden","detail":"base token is not allowed","code":"base token is not allowed for this path","status":403}"#,
        None, "forbidden: base token is not allowed")]
    #[case::wb_problem_402(402, r#"{"title":"payment required","detail":"wb solution for business has insufficient funds on its balance"}"#,
        None, "payment required: wb solution for business has insufficient funds on its balance")]
    #[case::wb_problem_413(
        413,
        r#"{"title":"request body too long","detail":"max 10 MB","status":413}"#,
        None,
        "request body too long: max 10 MB"
    )]
    #[case::wb_envelope_object(400, r#"{"data":null,"error":true,"errorText":"This category does not exist","additionalErrors":{"id":"342342"}}"#,
        None, "This category does not exist (id: 342342)")]
    #[case::wb_envelope_string(
        403,
        r#"{"data":null,"error":true,"errorText":"Access denied","additionalErrors":"Access denied"}"#,
        None,
        "Access denied"
    )]
    #[case::wb_envelope_null(
        400,
        r#"{"data":null,"error":true,"errorText":"Invalid request format","additionalErrors":null}"#,
        None,
        "Invalid request format"
    )]
    #[case::wb_prices(
        422,
        r#"{"data":null,"error":true,"errorText":"Unexpected result"}"#,
        None,
        "Unexpected result"
    )]
    #[case::wb_marketplace(400, r#"{"code":"SKUUploadDisabled","message":"Uploading stock is not allowed by 'sku'. Please use the 'chrtId' key","data":null}"#,
        Some("SKUUploadDisabled"), "Uploading stock is not allowed by 'sku'. Please use the 'chrtId' key")]
    #[case::wb_409_array(409, r#"[{"code":"StoreIsProcessing","message":"store is processing","data":[{"sku":"1","chrtId":5,"amount":1}]},{"code":"UploadDataLimit","message":"too much"}]"#,
        Some("StoreIsProcessing"), "store is processing; too much")]
    #[case::ozon(
        403,
        r#"{"code":7,"message":"Api-Key is missing a required role for a method","details":[]}"#,
        Some("7"),
        "Api-Key is missing a required role for a method"
    )]
    #[case::ozon_429(
        429,
        r#"{"code":8,"message":"You have reached request rate limit per second","details":[]}"#,
        Some("8"),
        "You have reached request rate limit per second"
    )]
    #[case::ym(420, r#"{"status":"ERROR","errors":[{"code":"LIMIT_EXCEEDED","message":"Hit rate limit of 4 parallel requests"}]}"#,
        Some("LIMIT_EXCEEDED"), "Hit rate limit of 4 parallel requests")]
    #[case::ym_two(
        400,
        r#"{"status":"ERROR","errors":[{"code":"BAD_REQUEST","message":"a"},{"code":"OTHER"}]}"#,
        Some("BAD_REQUEST"),
        "a; OTHER"
    )]
    #[case::text_plain(400, "Request body can not be decoded\n", None, "Request body can not be decoded")]
    #[case::empty(502, "", None, "HTTP 502 with no body")]
    #[case::json_without_text(500, r#"{"foo":1}"#, None, r#"{"foo":1}"#)]
    fn error_bodies_of_every_documented_shape(
        #[case] status: u16,
        #[case] body: &str,
        #[case] code: Option<&str>,
        #[case] message: &str,
    ) {
        assert_eq!(parse_error_body(status, body.as_bytes()), (code.map(str::to_owned), message.to_owned()));
    }

    #[test]
    fn a_long_text_body_is_cut_on_a_character_boundary() {
        let body = "ж".repeat(600);
        let (_, message) = parse_error_body(500, body.as_bytes());
        assert!(message.len() <= TEXT_KEEP && message.chars().all(|c| c == 'ж'));
    }

    #[test]
    fn the_display_keeps_the_marketplaces_words_and_the_code_is_stable() {
        let e =
            MarketError::answered(ErrorKind::Unauthorized, 401, None, "unauthorized: token expired".into());
        assert_eq!(
            e.to_string(),
            "the marketplace did not accept the credentials (HTTP 401): unauthorized: token expired"
        );
        assert_eq!(e.code(), "unauthorized");
        assert!(!e.is_transient());
        let mut limited =
            MarketError::answered(ErrorKind::RateLimited, 429, None, "too many requests".into());
        limited.retry_after = Some(Duration::from_secs(600));
        assert!(limited.is_transient() && limited.to_string().ends_with("retry in 600 s"));
    }
}
