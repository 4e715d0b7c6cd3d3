//! Downloads over HTTP(S): sign-in, conditional requests, limits, and errors in the seller's words.

use std::error::Error as StdError;
use std::fmt;
use std::io;
use std::path::Path;
use std::time::Duration;

use percent_encoding::percent_decode_str;
use reqwest::blocking::{Client, Response};
use reqwest::header::{self, HeaderMap, HeaderName, HeaderValue};
use reqwest::redirect::Policy;
use reqwest::{StatusCode, Url};

use super::spool::{CopyError, Spool, clean_file_name};
use super::{Auth, Got, MAX_REDIRECTS, SourceError, Validators, url_display};

/// One download, as the spec and the caller describe it.
#[derive(Debug)]
pub(super) struct Request<'a> {
    pub url: &'a str,
    pub auth: &'a Auth,
    pub secret: Option<&'a str>,
    pub timeout_secs: u64,
    pub max_bytes: u64,
    pub previous: &'a Validators,
}

/// What the server gave.
#[derive(Debug)]
pub(super) enum Outcome {
    /// 304: the previous download is still current.
    NotModified { etag: Option<String>, last_modified: Option<String> },
    /// The body, saved in the cache folder.
    Downloaded(Got),
}

pub(super) fn download(
    request: &Request<'_>,
    cache_dir: &Path,
    cancel: &dyn Fn() -> bool,
    progress: &mut dyn FnMut(u64, Option<u64>),
) -> Result<Outcome, SourceError> {
    let shown = url_display(request.url);
    let settings = |reason: String| SourceError::Settings { location: shown.clone(), reason };
    let url =
        Url::parse(request.url.trim()).map_err(|e| settings(format!("this is not a valid link ({e})")))?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(settings("only http:// and https:// links can be downloaded".into()));
    }
    if cancel() {
        return Err(SourceError::Cancelled { location: shown });
    }
    let secs = request.timeout_secs.max(1);
    let sign_in = sign_in_header(request, &shown)?;
    // reqwest drops `Authorization` when a redirect leaves the site, but not other headers: a
    // token in `X-Api-Key` must not follow a redirect to somebody else's server.
    let token_header = sign_in.as_ref().is_some_and(|(name, _)| *name != header::AUTHORIZATION);
    let origin = url.origin();
    let policy = Policy::custom(move |attempt| {
        if attempt.previous().len() > MAX_REDIRECTS {
            attempt.error(RedirectRefused::TooMany)
        } else if token_header && attempt.url().origin() != origin {
            attempt.error(RedirectRefused::OtherSite)
        } else {
            attempt.follow()
        }
    });
    let client = Client::builder()
        .timeout(Duration::from_secs(secs))
        .connect_timeout(Duration::from_secs(secs))
        .redirect(policy)
        .gzip(true)
        .user_agent(concat!("Vitrina/", env!("CARGO_PKG_VERSION")))
        .build()
        .map_err(|e| SourceError::Connection { url: shown.clone(), reason: reason_of(&e) })?;

    let mut builder = client.get(url);
    match (request.auth, sign_in) {
        (Auth::Basic { user }, _) => builder = builder.basic_auth(user, request.secret.map(str::trim)),
        (_, Some((name, value))) => builder = builder.header(name, value),
        _ => {}
    }
    let previous = request.previous;
    let validators =
        [(header::IF_NONE_MATCH, &previous.etag), (header::IF_MODIFIED_SINCE, &previous.last_modified)];
    for (name, value) in validators {
        if let Some(value) = value.as_deref().and_then(|v| HeaderValue::from_str(v).ok()) {
            builder = builder.header(name, value);
        }
    }

    tracing::debug!(url = %shown, "downloading");
    let mut response = builder.send().map_err(|e| request_error(&e, &shown, secs))?;
    let status = response.status();
    let etag = header_text(response.headers(), &header::ETAG);
    let last_modified = header_text(response.headers(), &header::LAST_MODIFIED);
    if status == StatusCode::NOT_MODIFIED {
        return Ok(Outcome::NotModified {
            etag: etag.or_else(|| previous.etag.clone()),
            last_modified: last_modified.or_else(|| previous.last_modified.clone()),
        });
    }
    if !status.is_success() {
        return Err(status_error(status, shown));
    }
    let content_type = header_text(response.headers(), &header::CONTENT_TYPE);
    let file_name = file_name(&response);
    let total = response.content_length();
    if let Some(announced) = total.filter(|n| *n > request.max_bytes) {
        return Err(SourceError::TooLarge {
            location: shown,
            limit: request.max_bytes,
            announced: Some(announced),
        });
    }

    let mut spool = Spool::create(cache_dir, &shown)?;
    spool.copy_from(&mut response, request.max_bytes, total, cancel, progress).map_err(|e| match e {
        CopyError::Read(e) => read_error(&e, &shown, secs),
        CopyError::Source(e) => e,
    })?;
    let bytes = spool.written();
    if bytes == 0 {
        return Err(SourceError::Empty { location: shown });
    }
    let path = spool.finish(file_name.as_deref())?;
    tracing::debug!(url = %shown, bytes, "downloaded");
    Ok(Outcome::Downloaded(Got {
        location: shown,
        path,
        temporary: true,
        file_name,
        etag,
        last_modified,
        content_type,
        bytes,
    }))
}

/// The header carrying a token (`Auth::Header`), checked before anything is sent.
fn sign_in_header(
    request: &Request<'_>,
    shown: &str,
) -> Result<Option<(HeaderName, HeaderValue)>, SourceError> {
    let Auth::Header { name } = request.auth else { return Ok(None) };
    let (name, scheme) = match name.split_once(':') {
        Some((name, scheme)) => (name.trim(), scheme.trim()),
        None => (name.trim(), ""),
    };
    let header_name = HeaderName::from_bytes(name.as_bytes()).map_err(|_| SourceError::Settings {
        location: shown.to_owned(),
        reason: format!("\"{name}\" is not a valid header name"),
    })?;
    let secret = request.secret.map(str::trim).filter(|s| !s.is_empty()).ok_or_else(|| {
        SourceError::Secret { url: shown.to_owned(), problem: "no token is saved for this supplier" }
    })?;
    let value = if scheme.is_empty() { secret.to_owned() } else { format!("{scheme} {secret}") };
    let mut value = HeaderValue::from_str(&value).map_err(|_| SourceError::Secret {
        url: shown.to_owned(),
        problem: "the saved token contains characters that cannot be sent (a line break?); save it again",
    })?;
    value.set_sensitive(true);
    Ok(Some((header_name, value)))
}

#[derive(Debug)]
enum RedirectRefused {
    TooMany,
    OtherSite,
}

impl fmt::Display for RedirectRefused {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            RedirectRefused::TooMany => "redirected too many times (the link may loop)",
            RedirectRefused::OtherSite => {
                "redirected to another site; the token was not sent there. Use the final link instead"
            }
        })
    }
}

impl StdError for RedirectRefused {}

fn status_error(status: StatusCode, url: String) -> SourceError {
    let code = status.as_u16();
    match code {
        404 | 410 => SourceError::NotFound { url, status: code },
        401 | 403 => SourceError::AccessDenied { url, status: code },
        500..=599 => SourceError::ServerError { url, status: code },
        _ => SourceError::UnexpectedStatus { url, status: code, reason: status.canonical_reason() },
    }
}

fn request_error(e: &reqwest::Error, url: &str, secs: u64) -> SourceError {
    let url = url.to_owned();
    if e.is_timeout() {
        return SourceError::Timeout { url, secs };
    }
    if e.is_redirect() {
        let refused = causes(e).find_map(|c| c.downcast_ref::<RedirectRefused>());
        let reason = refused.unwrap_or(&RedirectRefused::TooMany).to_string();
        return SourceError::Redirect { url, reason };
    }
    if e.is_builder() {
        return SourceError::Settings { location: url, reason: reason_of(e) };
    }
    SourceError::Connection { url, reason: reason_of(e) }
}

/// A failed read of the body: a timeout, or a connection that broke.
fn read_error(e: &io::Error, url: &str, secs: u64) -> SourceError {
    let inner = e.get_ref().and_then(|i| i.downcast_ref::<reqwest::Error>());
    if e.kind() == io::ErrorKind::TimedOut || inner.is_some_and(reqwest::Error::is_timeout) {
        return SourceError::Timeout { url: url.to_owned(), secs };
    }
    let reason = match inner {
        Some(inner) => reason_of(inner),
        None => e.to_string(),
    };
    SourceError::Interrupted { url: url.to_owned(), reason }
}

/// The causes below `e`, without `e` itself (reqwest puts the full link, query included, in
/// its own message).
fn causes<'a>(e: &'a (dyn StdError + 'static)) -> impl Iterator<Item = &'a (dyn StdError + 'static)> {
    std::iter::successors(e.source(), |&c| c.source())
}

/// A short reason for a connection problem, never containing the link.
fn reason_of(e: &reqwest::Error) -> String {
    let causes: Vec<&(dyn StdError + 'static)> = causes(e).collect();
    let refused = causes
        .iter()
        .filter_map(|c| c.downcast_ref::<io::Error>())
        .any(|io| io.kind() == io::ErrorKind::ConnectionRefused);
    if refused {
        return "the server refused the connection (check the address, or try again later)".into();
    }
    let texts: Vec<String> = causes.iter().map(|c| c.to_string()).filter(|t| !t.contains("://")).collect();
    let all = texts.join(" ").to_ascii_lowercase();
    if ["dns error", "failed to lookup", "name or service not known", "no such host", "nodename nor servname"]
        .iter()
        .any(|needle| all.contains(needle))
    {
        return "the server's name could not be found (check the link and the internet connection)".into();
    }
    let last = texts.last().cloned().unwrap_or_else(|| "the connection failed".to_owned());
    if all.contains("certificate") || all.contains("tls") || all.contains("handshake") {
        return format!("the secure (HTTPS) connection could not be set up: {last}");
    }
    last
}

fn header_text(headers: &HeaderMap, name: &HeaderName) -> Option<String> {
    let value = headers.get(name)?;
    let text = String::from_utf8_lossy(value.as_bytes()).trim().to_owned();
    (!text.is_empty()).then_some(text)
}

/// The name from `Content-Disposition`, else the last segment of the final link.
fn file_name(response: &Response) -> Option<String> {
    if let Some(name) = header_text(response.headers(), &header::CONTENT_DISPOSITION)
        .and_then(|value| disposition_name(&value))
        .and_then(|name| clean_file_name(&name))
    {
        return Some(name);
    }
    let segment = response.url().path_segments()?.next_back()?;
    clean_file_name(&percent_decode_str(segment).decode_utf8_lossy())
}

/// `attachment; filename="price.xml"` or `filename*=UTF-8''%D0%BF.xml` (preferred when both).
fn disposition_name(value: &str) -> Option<String> {
    let mut plain = None;
    for part in value.split(';') {
        let Some((key, val)) = part.split_once('=') else { continue };
        let key = key.trim().to_ascii_lowercase();
        let val = val.trim();
        if key == "filename*" {
            let encoded = val.splitn(3, '\'').nth(2).unwrap_or(val).trim_matches('"');
            return Some(percent_decode_str(encoded).decode_utf8_lossy().into_owned());
        }
        if key == "filename" {
            plain = Some(val.trim_matches('"').to_owned());
        }
    }
    plain
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn content_disposition_names() {
        assert_eq!(disposition_name("attachment; filename=\"price.xml\"").as_deref(), Some("price.xml"));
        assert_eq!(disposition_name("attachment; filename=p.csv").as_deref(), Some("p.csv"));
        assert_eq!(
            disposition_name(
                "attachment; filename=\"a.xlsx\"; filename*=UTF-8''%D0%BF%D1%80%D0%B0%D0%B9%D1%81.xlsx"
            )
            .as_deref(),
            Some("прайс.xlsx")
        );
        assert_eq!(disposition_name("inline"), None);
    }

    #[test]
    fn statuses_map_to_errors() {
        let url = || "https://s.test/p".to_owned();
        assert!(matches!(status_error(StatusCode::NOT_FOUND, url()), SourceError::NotFound { .. }));
        assert!(matches!(status_error(StatusCode::GONE, url()), SourceError::NotFound { .. }));
        assert!(matches!(status_error(StatusCode::FORBIDDEN, url()), SourceError::AccessDenied { .. }));
        let e = status_error(StatusCode::BAD_GATEWAY, url());
        assert!(e.is_retryable() && e.to_string().contains("HTTP 502"), "{e}");
        assert!(status_error(StatusCode::TOO_MANY_REQUESTS, url()).is_retryable());
        assert!(!status_error(StatusCode::BAD_REQUEST, url()).is_retryable());
    }
}
