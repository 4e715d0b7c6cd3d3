//! S3-compatible object storage (Yandex Object Storage, AWS S3, MinIO): plain HTTP requests
//! signed with AWS Signature Version 4 ([`sigv4`], checked against AWS's published examples).
//!
//! An upload puts the file under a temporary key, copies it on the server to the final key
//! (CopyObject), then deletes the temporary key. Readers of the final key see the old object
//! until the copy is done and the whole new one after it; a failed put or copy leaves the old
//! object as it was. The payload's SHA-256 is signed (the file is read twice: once to hash it,
//! once to send it, from disk both times), so the storage refuses a body that differs from
//! what was signed, even over plain http to a MinIO on the local network.

use std::io::{self, Read, Seek, SeekFrom};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use reqwest::blocking::{Body, Client};
use reqwest::{Method, StatusCode, Url};
use sha2::{Digest, Sha256};
use time::OffsetDateTime;

use super::{
    DeliverError, DeliverOptions, FeedFile, FeedReader, Secret, Target, content_type, encode, encode_path,
    extra_roots, innermost, network_reason, probe_name, temp_name, tls_reason,
};

/// SHA-256 of no bytes, the payload hash of requests without a body.
const EMPTY_SHA256: &str = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
/// The slowest an upload may go before its time limit runs out (reqwest's blocking client has
/// one limit for the whole request, not one for silence): 32 KiB/s on top of the io timeout.
const MIN_BYTES_PER_SEC: u64 = 32 * 1024;

/// The key of `name` under `prefix`; a prefix is a folder (`feeds` → `feeds/{name}`).
pub(super) fn object_key(prefix: &str, name: &str) -> String {
    let prefix = prefix.trim().trim_start_matches('/');
    if prefix.is_empty() {
        name.to_owned()
    } else if prefix.ends_with('/') {
        format!("{prefix}{name}")
    } else {
        format!("{prefix}/{name}")
    }
}

/// The bucket's own link to the object: virtual-hosted (`{scheme}://{bucket}.{host}/{key}`)
/// or path-style (`{scheme}://{host}/{bucket}/{key}`), with the endpoint's scheme and port.
pub(super) fn default_public_url(target: &Target, name: &str) -> Option<String> {
    let Target::S3 { endpoint, bucket, prefix, path_style, .. } = target else { return None };
    let endpoint = Endpoint::parse(endpoint).ok()?;
    let key = object_key(prefix, name);
    Some(endpoint.url(bucket, *path_style, &endpoint.path(bucket, *path_style, Some(&key)), ""))
}

/// Scheme, host and port of the storage, from the settings' endpoint.
#[derive(Debug)]
struct Endpoint {
    scheme: String,
    /// As in a URL: an IPv6 address is in brackets.
    host: String,
    /// `None` when it is the scheme's default.
    port: Option<u16>,
}

impl Endpoint {
    fn parse(endpoint: &str) -> Result<Endpoint, DeliverError> {
        // The text may hold a mistyped secret, so messages never repeat it.
        let example = "e.g. https://storage.yandexcloud.net";
        let text = endpoint.trim();
        let with_scheme = if text.contains("://") { text.to_owned() } else { format!("https://{text}") };
        let url = Url::parse(&with_scheme).map_err(|_| {
            DeliverError::Settings(format!("the storage address is not a web address ({example})"))
        })?;
        if !matches!(url.scheme(), "http" | "https") {
            return Err(DeliverError::Settings(format!(
                "the storage address must start with https:// ({example})"
            )));
        }
        if !url.username().is_empty() || url.password().is_some() {
            return Err(DeliverError::Settings(
                "the storage address must not hold a user name or password: the keys are saved separately"
                    .into(),
            ));
        }
        if url.path() != "/" || url.query().is_some() {
            return Err(DeliverError::Settings(format!(
                "the storage address must be the server's address only, without a path ({example})"
            )));
        }
        let host = url.host_str().filter(|h| !h.is_empty()).ok_or_else(|| {
            DeliverError::Settings(format!("the storage address has no server name ({example})"))
        })?;
        Ok(Endpoint { scheme: url.scheme().to_owned(), host: host.to_owned(), port: url.port() })
    }

    /// `host[:port]`, with the bucket in front for virtual-hosted requests: also the `Host`
    /// header reqwest sends (it leaves out a default port too), which is signed.
    fn authority(&self, bucket: Option<&str>) -> String {
        let bucket = bucket.map(|b| format!("{b}.")).unwrap_or_default();
        match self.port {
            Some(port) => format!("{bucket}{}:{port}", self.host),
            None => format!("{bucket}{}", self.host),
        }
    }

    /// The encoded path of the bucket (`key` = `None`) or of an object.
    fn path(&self, bucket: &str, path_style: bool, key: Option<&str>) -> String {
        match (path_style, key) {
            (true, Some(key)) => format!("/{}/{}", encode(bucket, false), encode_path(key)),
            (true, None) => format!("/{}", encode(bucket, false)),
            (false, Some(key)) => format!("/{}", encode_path(key)),
            (false, None) => "/".into(),
        }
    }

    fn url(&self, bucket: &str, path_style: bool, path: &str, query: &str) -> String {
        let authority = self.authority((!path_style).then_some(bucket));
        let query = if query.is_empty() { String::new() } else { format!("?{query}") };
        format!("{}://{authority}{path}{query}", self.scheme)
    }
}

/// A request's body.
enum Payload {
    /// GET, HEAD, DELETE.
    None,
    /// A PUT of no bytes (with `Content-Length: 0`, which S3 requires).
    Empty,
    /// The feed, streamed from disk with its announced length and signed hash.
    Feed { reader: FeedReader, len: u64, sha256: String },
    /// Small request documents (creating a bucket in tests).
    #[cfg(test)]
    Bytes(Vec<u8>),
}

/// A response: its status and its (small) body.
#[derive(Debug)]
struct Reply {
    status: StatusCode,
    body: String,
}

/// A signed-in view of one bucket.
pub(super) struct Bucket<'a> {
    http: Client,
    endpoint: Endpoint,
    region: &'a str,
    name: &'a str,
    prefix: &'a str,
    path_style: bool,
    public_read: bool,
    access_key_id: &'a str,
    secret_access_key: &'a str,
    options: &'a DeliverOptions,
}

impl std::fmt::Debug for Bucket<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Bucket")
            .field("endpoint", &self.endpoint)
            .field("name", &self.name)
            .finish_non_exhaustive()
    }
}

impl<'a> Bucket<'a> {
    pub(super) fn new(
        target: &'a Target,
        secret: &'a Secret,
        options: &'a DeliverOptions,
    ) -> Result<Bucket<'a>, DeliverError> {
        let Target::S3 { endpoint, region, bucket, prefix, path_style, public_read, .. } = target else {
            return Err(DeliverError::Settings("the target is not S3 storage".into()));
        };
        let endpoint = Endpoint::parse(endpoint)?;
        let (region, name) = (region.trim(), bucket.trim());
        if region.is_empty() {
            return Err(DeliverError::Settings(
                "the storage's region is empty (for Yandex Object Storage it is ru-central1)".into(),
            ));
        }
        if name.is_empty() {
            return Err(DeliverError::Settings("the bucket's name is empty".into()));
        }
        if prefix.split('/').any(|s| s == "." || s == "..") || prefix.chars().any(char::is_control) {
            return Err(DeliverError::Settings(format!(
                "the folder in the bucket \"{}\" cannot be used (no \".\" or \"..\" parts)",
                prefix.escape_debug()
            )));
        }
        let (access_key_id, secret_access_key) = match secret {
            Secret::S3 { access_key_id, secret_access_key }
                if !access_key_id.trim().is_empty() && !secret_access_key.is_empty() =>
            {
                (access_key_id.trim(), secret_access_key.as_str())
            }
            _ => {
                return Err(DeliverError::SignIn {
                    place: format!("the bucket \"{name}\" at {}", endpoint.authority(None)),
                    reason: "no access key is saved for it".into(),
                });
            }
        };
        let mut builder = Client::builder()
            .connect_timeout(options.connect_timeout)
            .timeout(options.io_timeout)
            // A signed request must not be re-sent elsewhere; S3 redirects mean a wrong region.
            .redirect(reqwest::redirect::Policy::none())
            .user_agent(concat!("Vitrina/", env!("CARGO_PKG_VERSION")));
        let roots = extra_roots(options)?;
        if !roots.is_empty() {
            let certs =
                roots.iter().map(|der| reqwest::Certificate::from_der(der)).collect::<Result<Vec<_>, _>>();
            let certs = certs
                .map_err(|e| DeliverError::Settings(format!("a trusted certificate cannot be used: {e}")))?;
            builder = builder.tls_certs_merge(certs);
        }
        let http = builder.build().map_err(|e| DeliverError::Tls {
            place: endpoint.authority(None),
            reason: innermost(&e).to_string(),
        })?;
        Ok(Bucket {
            http,
            endpoint,
            region,
            name,
            prefix,
            path_style: *path_style,
            public_read: *public_read,
            access_key_id,
            secret_access_key,
            options,
        })
    }

    /// Puts a probe object (public, when uploads are) and deletes it: proves the key signs in,
    /// the bucket exists, and both writing and deleting (of temporary copies) are allowed.
    pub(super) fn check(&self) -> Result<(), DeliverError> {
        let probe = object_key(self.prefix, &probe_name());
        let mut headers = vec![("content-type", "text/plain".to_owned())];
        if self.public_read {
            headers.push(("x-amz-acl", "public-read".to_owned()));
        }
        let reply = self.send(Method::PUT, Some(&probe), &[], &headers, Payload::Empty)?;
        self.expect_success(reply, "upload files")?;
        self.delete(&probe)
    }

    /// Uploads the feed as `name`: temporary key, server-side copy, temporary key deleted.
    pub(super) fn upload(&self, mut feed: FeedFile, name: &str) -> Result<(u64, String), DeliverError> {
        let len = feed.len;
        let sha256 = hash_feed(&mut feed)?;
        let key = object_key(self.prefix, name);
        let temp = object_key(self.prefix, &temp_name(name));
        let headers = [("content-type", content_type(name).to_owned())];
        let payload = Payload::Feed { reader: feed.reader(), len, sha256 };
        let result = self
            .send(Method::PUT, Some(&temp), &[], &headers, payload)
            .and_then(|reply| self.expect_success(reply, "upload files"))
            .and_then(|_| self.copy(&temp, &key, len));
        match result {
            Ok(()) => {
                if let Err(e) = self.delete(&temp) {
                    tracing::warn!(bucket = self.name, key = temp, error = %e, "temporary copy not deleted");
                }
                Ok((len, format!("s3://{}/{key}", self.name)))
            }
            Err(e) => {
                // Nothing may be left over from a failed put; a failed copy left the temporary
                // object behind. Either way the final key was not touched.
                if let Err(cleanup) = self.delete(&temp) {
                    tracing::debug!(key = temp, error = %cleanup, "temporary copy not deleted");
                }
                Err(e)
            }
        }
    }

    /// CopyObject: the final key becomes the temporary object, whole, in one step. The ACL is
    /// not copied, so it is set here; the Content-Type is.
    fn copy(&self, from: &str, to: &str, len: u64) -> Result<(), DeliverError> {
        let mut headers =
            vec![("x-amz-copy-source", format!("/{}/{}", encode(self.name, false), encode_path(from)))];
        if self.public_read {
            headers.push(("x-amz-acl", "public-read".to_owned()));
        }
        let reply =
            self.send_timed(Method::PUT, Some(to), &[], &headers, Payload::None, self.timeout_for(len))?;
        self.expect_success(reply, "copy files").map(drop)
    }

    fn delete(&self, key: &str) -> Result<(), DeliverError> {
        let reply = self.send(Method::DELETE, Some(key), &[], &[], Payload::None)?;
        self.expect_success(reply, "delete files (uploads delete their temporary copies)").map(drop)
    }

    fn timeout_for(&self, bytes: u64) -> Duration {
        self.options.io_timeout + Duration::from_secs(bytes / MIN_BYTES_PER_SEC)
    }

    fn send(
        &self,
        method: Method,
        key: Option<&str>,
        query: &[(&str, &str)],
        headers: &[(&str, String)],
        payload: Payload,
    ) -> Result<Reply, DeliverError> {
        let timeout = match &payload {
            Payload::Feed { len, .. } => self.timeout_for(*len),
            _ => self.options.io_timeout,
        };
        self.send_timed(method, key, query, headers, payload, timeout)
    }

    /// Signs and sends one request; a failure to get any answer is an error, an answer of any
    /// status is the caller's to judge.
    fn send_timed(
        &self,
        method: Method,
        key: Option<&str>,
        query: &[(&str, &str)],
        headers: &[(&str, String)],
        payload: Payload,
        timeout: Duration,
    ) -> Result<Reply, DeliverError> {
        let path = self.endpoint.path(self.name, self.path_style, key);
        let query = canonical_query(query);
        let url = self.endpoint.url(self.name, self.path_style, &path, &query);
        let payload_hash = match &payload {
            Payload::Feed { sha256, .. } => sha256.clone(),
            #[cfg(test)]
            Payload::Bytes(bytes) => hex(&Sha256::digest(bytes)),
            Payload::None | Payload::Empty => EMPTY_SHA256.to_owned(),
        };
        let now = OffsetDateTime::now_utc();
        let mut signed: Vec<(String, String)> =
            headers.iter().map(|(name, value)| (name.to_ascii_lowercase(), value.clone())).collect();
        signed.push(("host".into(), self.endpoint.authority((!self.path_style).then_some(self.name))));
        signed.push(("x-amz-content-sha256".into(), payload_hash.clone()));
        signed.push(("x-amz-date".into(), sigv4::amz_date(now)));
        signed.sort();
        let authorization = sigv4::authorization(
            &sigv4::Request {
                method: method.as_str(),
                path: &path,
                query: &query,
                headers: &signed,
                payload_hash: &payload_hash,
            },
            self.access_key_id,
            self.secret_access_key,
            self.region,
            now,
        );
        let mut request =
            self.http.request(method, &url).timeout(timeout).header("authorization", authorization);
        for (name, value) in signed.iter().filter(|(name, _)| name != "host") {
            request = request.header(name, value);
        }
        let local_failure = Arc::new(Mutex::new(None));
        request = match payload {
            Payload::None => request,
            Payload::Empty => request.body(Vec::new()),
            Payload::Feed { reader, len, .. } => {
                let reader = WatchedReader { reader, failure: Arc::clone(&local_failure) };
                request.body(Body::sized(reader, len))
            }
            #[cfg(test)]
            Payload::Bytes(bytes) => request.body(bytes),
        };
        let failed = |e: reqwest::Error| {
            let local = local_failure.lock().unwrap_or_else(PoisonError::into_inner).take();
            self.transport_error(&e, local, timeout)
        };
        let response = request.send().map_err(failed)?;
        let status = response.status();
        let body = response.text().map_err(failed)?;
        Ok(Reply { status, body })
    }

    fn transport_error(
        &self,
        e: &reqwest::Error,
        local: Option<(String, String)>,
        timeout: Duration,
    ) -> DeliverError {
        if let Some((what, reason)) = local {
            return DeliverError::Io { what, reason };
        }
        let place = self.endpoint.authority(None);
        if let Some(reason) = tls_reason(e) {
            return DeliverError::Tls { place, reason };
        }
        if e.is_timeout() {
            return DeliverError::Unreachable {
                place,
                reason: format!("no answer within {} s", timeout.as_secs()),
            };
        }
        let inner = innermost(e);
        let reason = match inner.downcast_ref::<io::Error>() {
            Some(io) => network_reason(io, timeout),
            None => inner.to_string(),
        };
        DeliverError::Unreachable { place, reason }
    }

    /// The body of a successful reply, or the error the storage reported. CopyObject may fail
    /// after answering 200, with the error in the body, so the body is looked at too.
    fn expect_success(&self, reply: Reply, action: &str) -> Result<String, DeliverError> {
        if reply.status.is_success() && !reply.body.contains("<Error>") {
            return Ok(reply.body);
        }
        Err(self.storage_error(&reply, action))
    }

    fn place(&self) -> String {
        format!("the bucket \"{}\" at {}", self.name, self.endpoint.authority(None))
    }

    /// The storage's refusal in words: S3 error codes are stable across AWS, Yandex and MinIO.
    fn storage_error(&self, reply: &Reply, action: &str) -> DeliverError {
        let code = xml_text(&reply.body, "Code");
        let message = xml_text(&reply.body, "Message").map(unescape_xml);
        let status = reply.status.as_u16();
        let sign_in = |reason: &str| DeliverError::SignIn { place: self.place(), reason: reason.to_owned() };
        let denied = |reason: String| DeliverError::Denied { place: self.place(), reason };
        match code.as_deref() {
            Some("InvalidAccessKeyId") => sign_in("the storage does not know the access key ID"),
            Some("SignatureDoesNotMatch") => sign_in("the secret key does not match the access key ID"),
            Some("InvalidToken" | "ExpiredToken" | "TokenRefreshRequired") => {
                sign_in("the access key is not valid or has expired")
            }
            Some("AccessDenied" | "AllAccessDisabled" | "AccountProblem") => {
                denied(format!("the key has no permission to {action}"))
            }
            Some("AccessControlListNotSupported") => denied(
                "the bucket does not take per-file permissions (ACLs), so files cannot be made public one \
                 by one: turn off \"public read\" and make the bucket public with its policy instead"
                    .into(),
            ),
            Some("NoSuchBucket") => DeliverError::NotFound {
                what: format!("The bucket \"{}\" at {}", self.name, self.endpoint.authority(None)),
            },
            Some(
                "AuthorizationHeaderMalformed"
                | "PermanentRedirect"
                | "IllegalLocationConstraintException"
                | "InvalidRegion",
            ) => DeliverError::Settings(format!(
                "{} is not in the region \"{}\" or not served at this address ({})",
                self.place(),
                self.region,
                code.as_deref().unwrap_or_default()
            )),
            None if status == 403 => denied(format!("the key has no permission to {action} (HTTP 403)")),
            None if status == 404 => DeliverError::NotFound {
                what: format!("The bucket \"{}\" at {}", self.name, self.endpoint.authority(None)),
            },
            None if matches!(status, 301 | 307) => DeliverError::Settings(format!(
                "{} is not in the region \"{}\" or not served at this address (HTTP {status})",
                self.place(),
                self.region
            )),
            _ if status >= 500
                || matches!(code.as_deref(), Some("SlowDown" | "ServiceUnavailable" | "InternalError")) =>
            {
                DeliverError::Protocol(format!(
                    "The storage failed to {action} in {} (HTTP {status}{}). This is usually temporary; \
                     try again later.",
                    self.place(),
                    code.map(|c| format!(", {c}")).unwrap_or_default()
                ))
            }
            _ => DeliverError::Protocol(format!(
                "The storage refused to {action} in {}: {}{} (HTTP {status}).",
                self.place(),
                code.unwrap_or_else(|| "no reason given".into()),
                message.map(|m| format!(" — {m}")).unwrap_or_default()
            )),
        }
    }
}

/// Hashes the whole feed and rewinds it, so the same open file is hashed and sent.
fn hash_feed(feed: &mut FeedFile) -> Result<String, DeliverError> {
    let mut hasher = Sha256::new();
    let read_error = |e: &io::Error| super::feed_read_error(&feed.path, e);
    let copied = io::copy(&mut (&feed.file).take(feed.len), &mut hasher).map_err(|e| read_error(&e))?;
    if copied != feed.len {
        return Err(DeliverError::Io {
            what: format!("read the feed file {}", feed.path.display()),
            reason: "the file became shorter while it was being uploaded".into(),
        });
    }
    feed.file.seek(SeekFrom::Start(0)).map_err(|e| super::feed_read_error(&feed.path, &e))?;
    Ok(hex(&hasher.finalize()))
}

/// The feed's reader, keeping what went wrong with the file (a failure of the request then
/// is a failure of this computer's disk, not of the network).
struct WatchedReader {
    reader: FeedReader,
    failure: Arc<Mutex<Option<(String, String)>>>,
}

impl Read for WatchedReader {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        self.reader.read(buf).inspect_err(|e| {
            let what = format!("read the feed file {}", self.reader.path.display());
            let reason = match e.kind() {
                io::ErrorKind::UnexpectedEof => e.to_string(),
                _ => super::io_reason(e),
            };
            *self.failure.lock().unwrap_or_else(PoisonError::into_inner) = Some((what, reason));
        })
    }
}

/// Query parameters sorted and encoded as SigV4 wants them; sent exactly so.
fn canonical_query(query: &[(&str, &str)]) -> String {
    let mut pairs: Vec<(String, String)> =
        query.iter().map(|(k, v)| (encode(k, false), encode(v, false))).collect();
    pairs.sort();
    pairs.iter().map(|(k, v)| format!("{k}={v}")).collect::<Vec<_>>().join("&")
}

/// The text of the first `<tag>…</tag>` in an S3 reply.
fn xml_text(body: &str, tag: &str) -> Option<String> {
    let open = format!("<{tag}>");
    let start = body.find(&open)? + open.len();
    let end = body[start..].find(&format!("</{tag}>"))? + start;
    Some(body[start..end].trim().to_owned()).filter(|t| !t.is_empty())
}

fn unescape_xml(text: String) -> String {
    text.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&apos;", "'")
        .replace("&amp;", "&")
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// AWS Signature Version 4 for S3 requests signed in the `Authorization` header.
mod sigv4 {
    use hmac::{Hmac, Mac};
    use sha2::{Digest, Sha256};
    use time::OffsetDateTime;
    use time::macros::format_description;

    use super::hex;

    /// What is signed of a request: the encoded path and query exactly as sent, the headers
    /// to sign (names in lower case, sorted) and the body's SHA-256.
    pub(super) struct Request<'a> {
        pub method: &'a str,
        pub path: &'a str,
        pub query: &'a str,
        pub headers: &'a [(String, String)],
        pub payload_hash: &'a str,
    }

    /// `20130524T000000Z`.
    pub(super) fn amz_date(at: OffsetDateTime) -> String {
        let format = format_description!("[year][month][day]T[hour][minute][second]Z");
        at.to_offset(time::UtcOffset::UTC).format(&format).unwrap_or_default()
    }

    /// The `Authorization` header's value.
    pub(super) fn authorization(
        request: &Request,
        access_key_id: &str,
        secret_access_key: &str,
        region: &str,
        at: OffsetDateTime,
    ) -> String {
        let date_time = amz_date(at);
        let date = &date_time[..8];
        let canonical_headers: String =
            request.headers.iter().map(|(name, value)| format!("{name}:{}\n", value.trim())).collect();
        let signed_headers =
            request.headers.iter().map(|(name, _)| name.as_str()).collect::<Vec<_>>().join(";");
        let canonical_request = format!(
            "{}\n{}\n{}\n{canonical_headers}\n{signed_headers}\n{}",
            request.method, request.path, request.query, request.payload_hash
        );
        let scope = format!("{date}/{region}/s3/aws4_request");
        let string_to_sign = format!(
            "AWS4-HMAC-SHA256\n{date_time}\n{scope}\n{}",
            hex(&Sha256::digest(canonical_request.as_bytes()))
        );
        let key = [date, region, "s3", "aws4_request"]
            .iter()
            .fold(format!("AWS4{secret_access_key}").into_bytes(), |key, part| hmac(&key, part.as_bytes()));
        let signature = hex(&hmac(&key, string_to_sign.as_bytes()));
        format!(
            "AWS4-HMAC-SHA256 Credential={access_key_id}/{scope}, SignedHeaders={signed_headers}, \
             Signature={signature}"
        )
    }

    fn hmac(key: &[u8], data: &[u8]) -> Vec<u8> {
        let mut mac = Hmac::<Sha256>::new_from_slice(key).expect("HMAC takes a key of any length");
        mac.update(data);
        mac.finalize().into_bytes().to_vec()
    }

    #[cfg(test)]
    mod tests {
        use super::*;

        const ID: &str = "AKIAIOSFODNN7EXAMPLE";
        const SECRET: &str = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";

        fn headers(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
            pairs.iter().map(|(n, v)| (n.to_string(), v.to_string())).collect()
        }

        fn at() -> OffsetDateTime {
            time::macros::datetime!(2013-05-24 00:00:00 UTC)
        }

        /// The examples of AWS's "Signature Calculations for the Authorization Header:
        /// Transferring Payload in a Single Chunk".
        #[test]
        fn signatures_match_the_aws_examples() {
            let empty = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
            let get = headers(&[
                ("host", "examplebucket.s3.amazonaws.com"),
                ("range", "bytes=0-9"),
                ("x-amz-content-sha256", empty),
                ("x-amz-date", "20130524T000000Z"),
            ]);
            let request =
                Request { method: "GET", path: "/test.txt", query: "", headers: &get, payload_hash: empty };
            assert_eq!(
                authorization(&request, ID, SECRET, "us-east-1", at()),
                "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request, \
                 SignedHeaders=host;range;x-amz-content-sha256;x-amz-date, \
                 Signature=f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41"
            );

            let body = "44ce7dd67c959e0d3524ffac1771dfbba87d2b6b4b4e99e42034a8b803f8b072";
            assert_eq!(hex(&Sha256::digest(b"Welcome to Amazon S3.")), body);
            let put = headers(&[
                ("date", "Fri, 24 May 2013 00:00:00 GMT"),
                ("host", "examplebucket.s3.amazonaws.com"),
                ("x-amz-content-sha256", body),
                ("x-amz-date", "20130524T000000Z"),
                ("x-amz-storage-class", "REDUCED_REDUNDANCY"),
            ]);
            let path = format!("/{}", crate::deliver::encode_path("test$file.text"));
            let request =
                Request { method: "PUT", path: &path, query: "", headers: &put, payload_hash: body };
            assert!(
                authorization(&request, ID, SECRET, "us-east-1", at())
                    .ends_with("Signature=98ad721746da40c64f1a55b78f14c238d841ea1380cd77a1b5971af0ece108bd")
            );

            let list = headers(&[
                ("host", "examplebucket.s3.amazonaws.com"),
                ("x-amz-content-sha256", empty),
                ("x-amz-date", "20130524T000000Z"),
            ]);
            let query = super::super::canonical_query(&[("prefix", "J"), ("max-keys", "2")]);
            assert_eq!(query, "max-keys=2&prefix=J");
            let request =
                Request { method: "GET", path: "/", query: &query, headers: &list, payload_hash: empty };
            assert!(
                authorization(&request, ID, SECRET, "us-east-1", at())
                    .ends_with("Signature=34b48302e7b5fa45bde8084f4b7868a86f0a534bc59db6670ed5711ef69dc6f7")
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use std::path::{Path, PathBuf};

    use super::super::test_servers::{Moto, MotoKeys, free_port};
    use super::super::{check as check_target, upload as upload_to};
    use super::*;

    const BUCKET: &str = "shop-feeds";

    fn target(endpoint: &str, bucket: &str, public_read: bool) -> Target {
        Target::S3 {
            endpoint: endpoint.to_owned(),
            region: "ru-central1".into(),
            bucket: bucket.into(),
            prefix: "feeds".into(),
            path_style: true,
            public_read,
            public_url_base: None,
        }
    }

    fn secret(keys: &MotoKeys) -> Secret {
        Secret::S3 { access_key_id: keys.id.clone(), secret_access_key: keys.secret.clone() }
    }

    fn feed(dir: &Path, name: &str, content: &[u8]) -> PathBuf {
        let path = dir.join(name);
        std::fs::write(&path, content).unwrap();
        path
    }

    /// A feed big enough to go in many pieces.
    fn big_feed(version: u32) -> Vec<u8> {
        let mut xml = String::from("<?xml version=\"1.0\"?><offers>");
        for i in 0..6000 {
            xml.push_str(&format!("<offer id=\"{i}\" v=\"{version}\"><name>Товар {i}</name></offer>"));
        }
        xml.push_str("</offers>");
        xml.into_bytes()
    }

    /// Creates the bucket with a signed PUT, as the storage's own console would.
    fn create_bucket(moto: &Moto, bucket: &str) {
        let target = target(&moto.endpoint(), bucket, false);
        let secret = secret(&moto.full);
        let options = DeliverOptions::default();
        let bucket = Bucket::new(&target, &secret, &options).unwrap();
        let config = "<CreateBucketConfiguration><LocationConstraint>ru-central1</LocationConstraint>\
                      </CreateBucketConfiguration>";
        let reply =
            bucket.send(Method::PUT, None, &[], &[], Payload::Bytes(config.as_bytes().to_vec())).unwrap();
        bucket.expect_success(reply, "create the bucket").unwrap();
    }

    /// Every key in the bucket (ListObjectsV2).
    fn keys(moto: &Moto, bucket: &str) -> Vec<String> {
        let target = target(&moto.endpoint(), bucket, false);
        let secret = secret(&moto.full);
        let options = DeliverOptions::default();
        let bucket = Bucket::new(&target, &secret, &options).unwrap();
        let reply = bucket.send(Method::GET, None, &[("list-type", "2")], &[], Payload::None).unwrap();
        let body = bucket.expect_success(reply, "list files").unwrap();
        let mut keys: Vec<String> =
            body.split("<Key>").skip(1).filter_map(|s| s.split("</Key>").next()).map(Into::into).collect();
        keys.sort();
        keys
    }

    /// What anybody (no key) gets at `url`: status, Content-Type and bytes.
    fn fetch_anonymously(moto: &Moto, url: &str) -> (u16, String, Vec<u8>) {
        moto.without_auth(|| {
            let response = reqwest::blocking::get(url).unwrap();
            let status = response.status().as_u16();
            let kind = response
                .headers()
                .get("content-type")
                .map(|v| v.to_str().unwrap().to_owned())
                .unwrap_or_default();
            (status, kind, response.bytes().unwrap().to_vec())
        })
    }

    #[test]
    fn s3_upload_replaces_the_object_atomically_and_serves_it_publicly() {
        let moto = Moto::start();
        let work = tempfile::tempdir().unwrap();
        create_bucket(&moto, BUCKET);
        let target = target(&moto.endpoint(), BUCKET, true);
        check_target(&target, &secret(&moto.full)).unwrap();
        assert_eq!(keys(&moto, BUCKET), Vec::<String>::new(), "the check's probe is gone");

        let v1 = big_feed(1);
        let done =
            upload_to(&target, &secret(&moto.full), &feed(work.path(), "out.xml", &v1), "yml.xml").unwrap();
        assert_eq!(done.bytes, v1.len() as u64);
        assert_eq!(done.location, "s3://shop-feeds/feeds/yml.xml");
        let url = done.public_url.unwrap();
        assert_eq!(url, format!("{}/shop-feeds/feeds/yml.xml", moto.endpoint()));
        let (status, kind, bytes) = fetch_anonymously(&moto, &url);
        assert_eq!((status, kind.as_str()), (200, "application/xml"));
        assert!(bytes == v1, "the public object differs from the file");

        let v2 = big_feed(2);
        upload_to(&target, &secret(&moto.full), &feed(work.path(), "out.xml", &v2), "yml.xml").unwrap();
        assert!(fetch_anonymously(&moto, &url).2 == v2, "the second upload did not replace the first");
        assert_eq!(keys(&moto, BUCKET), ["feeds/yml.xml"], "no temporary keys are left");

        // Without public read, the object is there but not for anybody.
        let private = self::target(&moto.endpoint(), BUCKET, false);
        let done =
            upload_to(&private, &secret(&moto.full), &feed(work.path(), "p.csv", b"sku;price\n"), "p.csv")
                .unwrap();
        assert_eq!(fetch_anonymously(&moto, &done.public_url.unwrap()).0, 403);
    }

    #[test]
    fn s3_check_tells_wrong_keys_missing_buckets_and_refusals_apart() {
        let moto = Moto::start();
        create_bucket(&moto, BUCKET);
        let target = target(&moto.endpoint(), BUCKET, true);

        let wrong_secret =
            Secret::S3 { access_key_id: moto.full.id.clone(), secret_access_key: "not-the-secret".into() };
        let err = check_target(&target, &wrong_secret).unwrap_err();
        assert_eq!(err.code(), "sign_in", "{err}");
        assert!(err.to_string().contains("the secret key does not match"), "{err}");
        assert!(!err.to_string().contains("not-the-secret"));

        let unknown_key =
            Secret::S3 { access_key_id: "AKIAUNKNOWNKEY000000".into(), secret_access_key: "x".into() };
        let err = check_target(&target, &unknown_key).unwrap_err();
        assert_eq!(err.code(), "sign_in", "{err}");
        assert!(err.to_string().contains("does not know the access key ID"), "{err}");

        let err = check_target(&target, &Secret::Password("p".into())).unwrap_err();
        assert_eq!(err.code(), "sign_in");

        let missing = self::target(&moto.endpoint(), "no-such-bucket", true);
        let err = check_target(&missing, &secret(&moto.full)).unwrap_err();
        assert_eq!(err.code(), "not_found", "{err}");
        assert!(err.to_string().starts_with("The bucket \"no-such-bucket\" at 127.0.0.1:"), "{err}");

        let err = check_target(&target, &secret(&moto.reader)).unwrap_err();
        assert_eq!(err.code(), "denied", "{err}");
        assert!(err.to_string().contains("no permission to upload files"), "{err}");

        check_target(&target, &secret(&moto.full)).unwrap();
    }

    #[test]
    fn s3_unreachable_server_is_found_by_check() {
        let endpoint = format!("http://127.0.0.1:{}", free_port());
        let secret = Secret::S3 { access_key_id: "AKIAEXAMPLE".into(), secret_access_key: "secret".into() };
        let err = check_target(&target(&endpoint, BUCKET, false), &secret).unwrap_err();
        assert_eq!(err.code(), "unreachable", "{err}");
        assert!(err.to_string().contains("refused"), "{err}");

        let err = check_target(&target("ftp://storage.example", BUCKET, false), &secret).unwrap_err();
        assert_eq!(err.code(), "settings", "{err}");
    }

    #[test]
    fn s3_failed_upload_leaves_the_previous_object() {
        let moto = Moto::start();
        let work = tempfile::tempdir().unwrap();
        create_bucket(&moto, BUCKET);
        let target = target(&moto.endpoint(), BUCKET, true);
        let url = target.public_url("locked.xml").unwrap();
        let v1 = feed(work.path(), "v1.xml", b"<v1/>");
        let v2 = feed(work.path(), "v2.xml", &big_feed(2));
        upload_to(&target, &secret(&moto.full), &v1, "locked.xml").unwrap();

        let wrong = Secret::S3 { access_key_id: moto.full.id.clone(), secret_access_key: "wrong".into() };
        assert_eq!(upload_to(&target, &wrong, &v2, "locked.xml").unwrap_err().code(), "sign_in");
        assert_eq!(fetch_anonymously(&moto, &url).2, b"<v1/>");

        // This key may put temporary objects but not write `feeds/locked.xml`: the whole file
        // is uploaded, then the copy into place is refused. The old object stays, the
        // temporary one is deleted.
        let err = upload_to(&target, &secret(&moto.limited), &v2, "locked.xml").unwrap_err();
        assert_eq!(err.code(), "denied", "{err}");
        assert!(err.to_string().contains("no permission to copy files"), "{err}");
        assert_eq!(fetch_anonymously(&moto, &url).2, b"<v1/>");
        assert_eq!(keys(&moto, BUCKET), ["feeds/locked.xml"]);

        let err =
            upload_to(&target, &secret(&moto.full), &work.path().join("gone.xml"), "locked.xml").unwrap_err();
        assert_eq!(err.code(), "io");
        assert_eq!(fetch_anonymously(&moto, &url).2, b"<v1/>");
    }
}
