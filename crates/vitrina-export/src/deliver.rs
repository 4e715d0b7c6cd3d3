//! Delivery of written feed files to where marketplaces fetch them. A desktop has no public
//! address, so a feed profile can put its file somewhere that has one: a folder (synced, or
//! served by a web server), S3-compatible object storage (Yandex Object Storage, AWS S3, MinIO)
//! or an FTP/FTPS server. The resulting public link is shown to the seller.
//!
//! Every upload replaces the remote file atomically: the bytes go under a temporary name next
//! to the final one (`.{name}.part-<random>`), and only a complete copy takes the final name,
//! by a rename (folder, FTP) or a server-side copy (S3). An upload that fails leaves the
//! previous file in place, so a marketplace never fetches half a feed. [`check`] connects,
//! signs in and proves it can write, so an unreachable target is known before an export spends
//! minutes writing a feed.
//!
//! Secrets come from the caller (the app reads them from the OS keyring); they never reach a
//! log, a `Debug` output or an error message. Nothing here knows about profiles or jobs.

mod folder;
mod ftp;
mod s3;
#[cfg(test)]
mod test_servers;

use std::fmt;
use std::fs::File;
use std::io;
use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::{Deserialize, Serialize};

/// Where a feed file goes. Stored as JSON in the feed profile, tagged by `kind`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Target {
    /// A folder on this computer: synced by a cloud drive, or served by a web server.
    Folder {
        path: PathBuf,
        /// The address the folder is served at, e.g. `https://shop.example/feeds`.
        public_url_base: Option<String>,
    },
    /// An S3-compatible bucket.
    S3 {
        /// e.g. `https://storage.yandexcloud.net`; without a scheme, https is meant.
        endpoint: String,
        /// e.g. `ru-central1`.
        region: String,
        bucket: String,
        /// Put before the file's name, e.g. `feeds/`; may be empty. A prefix without a final
        /// slash is taken as a folder all the same (`feeds` → `feeds/`).
        prefix: String,
        /// `endpoint/bucket/key` instead of `bucket.endpoint/key` (MinIO, local servers).
        path_style: bool,
        /// Upload with `x-amz-acl: public-read`, so marketplaces can fetch the file.
        public_read: bool,
        /// A CDN or site address in front of the bucket: the link becomes `{base}/{key}`.
        public_url_base: Option<String>,
    },
    /// An FTP server, with explicit TLS (`AUTH TLS`) when `secure`.
    Ftp {
        host: String,
        port: u16,
        secure: bool,
        user: String,
        /// The folder to upload into, as the server names it; empty is the sign-in folder.
        dir: String,
        /// The address the folder is served at, e.g. `https://shop.example/feeds`.
        public_url_base: Option<String>,
    },
}

/// The credentials of a [`Target`], read by the caller from the OS keyring. `Debug` hides the
/// values, so a secret never reaches a log. Deliberately not serializable: it is never stored
/// with the profile.
#[derive(Clone, PartialEq, Eq)]
pub enum Secret {
    /// No credentials: a folder, or an anonymous FTP server.
    None,
    /// An S3 access key.
    S3 { access_key_id: String, secret_access_key: String },
    /// An FTP password.
    Password(String),
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        const HIDDEN: &str = "<redacted>";
        match self {
            Secret::None => f.write_str("None"),
            Secret::S3 { .. } => f
                .debug_struct("S3")
                .field("access_key_id", &HIDDEN)
                .field("secret_access_key", &HIDDEN)
                .finish(),
            Secret::Password(_) => f.debug_tuple("Password").field(&HIDDEN).finish(),
        }
    }
}

/// How patient delivery is, and which certificates it trusts besides the system's.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeliverOptions {
    /// How long to wait for a connection (10 s).
    pub connect_timeout: Duration,
    /// How long a server may stay silent (60 s). S3 requests have a single time limit for the
    /// whole request, so an upload gets this plus a second per 32 KiB of the file.
    pub io_timeout: Duration,
    /// A PEM file of certificates to trust in addition to the system's roots: the CA or the
    /// self-signed certificate of a hosting that has no publicly trusted one. Certificates are
    /// always verified (chain and name); this widens what is trusted for one profile instead of
    /// switching verification off, so a wrong server is still refused.
    pub extra_root_cert: Option<PathBuf>,
}

impl Default for DeliverOptions {
    fn default() -> Self {
        DeliverOptions {
            connect_timeout: Duration::from_secs(10),
            io_timeout: Duration::from_secs(60),
            extra_root_cert: None,
        }
    }
}

/// A finished upload.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Delivered {
    /// The link marketplaces fetch, when the target has one.
    pub public_url: Option<String>,
    /// The size of the uploaded file.
    pub bytes: u64,
    /// Where the file went, for the summary: `s3://bucket/key`, `ftp://host/dir/name` or the
    /// folder's file path.
    pub location: String,
}

/// Why delivery failed, in words for the seller. Messages name the server, bucket or folder,
/// never a password or key. The front ends word [`code`](DeliverError::code) in the seller's
/// language and show the sentence as details.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum DeliverError {
    /// The name did not resolve, the connection was refused, or nothing answered in time.
    #[error(
        "Could not reach {place}: {reason}. Check the address and the port, and that this computer is online."
    )]
    Unreachable { place: String, reason: String },
    /// The key or the user name and password were not accepted.
    #[error("{place} did not accept the sign-in: {reason}. Check the sign-in details saved for this feed.")]
    SignIn { place: String, reason: String },
    /// Signed in (or on this computer), but not allowed to write there.
    #[error("Not allowed to write to {place}: {reason}.")]
    Denied { place: String, reason: String },
    /// The bucket or the folder does not exist.
    #[error("{what} does not exist. Check its name in the feed's upload settings.")]
    NotFound { what: String },
    /// The secure connection could not be set up or its certificate is not trusted.
    #[error("The secure connection to {place} failed: {reason}.")]
    Tls { place: String, reason: String },
    /// Reading the feed file or writing into the target folder failed.
    #[error("Could not {what}: {reason}.")]
    Io { what: String, reason: String },
    /// The server answered something delivery cannot go on from.
    #[error("{0}")]
    Protocol(String),
    /// The upload settings cannot work as they are (no key saved, an endpoint that is not a
    /// web address, a file name with a slash).
    #[error("The upload settings are not valid: {0}.")]
    Settings(String),
}

impl DeliverError {
    /// A stable code for the reason: `unreachable`, `sign_in`, `denied`, `not_found`, `tls`,
    /// `io`, `protocol`, `settings`.
    pub fn code(&self) -> &'static str {
        match self {
            DeliverError::Unreachable { .. } => "unreachable",
            DeliverError::SignIn { .. } => "sign_in",
            DeliverError::Denied { .. } => "denied",
            DeliverError::NotFound { .. } => "not_found",
            DeliverError::Tls { .. } => "tls",
            DeliverError::Io { .. } => "io",
            DeliverError::Protocol(_) => "protocol",
            DeliverError::Settings(_) => "settings",
        }
    }
}

/// Connects to `target`, signs in and proves it can write there (a probe file is written and
/// deleted), with the default [`DeliverOptions`].
pub fn check(target: &Target, secret: &Secret) -> Result<(), DeliverError> {
    check_with(target, secret, &DeliverOptions::default())
}

/// [`check`] with explicit options.
#[tracing::instrument(skip(secret, options), err(Display))]
pub fn check_with(target: &Target, secret: &Secret, options: &DeliverOptions) -> Result<(), DeliverError> {
    match target {
        Target::Folder { path, .. } => folder::check(path),
        Target::S3 { .. } => s3::Bucket::new(target, secret, options)?.check(),
        Target::Ftp { .. } => ftp::check(target, secret, options),
    }
}

/// Uploads `file` to `target` as `remote_name`, replacing the previous file atomically, with
/// the default [`DeliverOptions`].
pub fn upload(
    target: &Target,
    secret: &Secret,
    file: &Path,
    remote_name: &str,
) -> Result<Delivered, DeliverError> {
    upload_with(target, secret, file, remote_name, &DeliverOptions::default())
}

/// [`upload`] with explicit options.
#[tracing::instrument(skip(secret, options), err(Display))]
pub fn upload_with(
    target: &Target,
    secret: &Secret,
    file: &Path,
    remote_name: &str,
    options: &DeliverOptions,
) -> Result<Delivered, DeliverError> {
    check_remote_name(remote_name)?;
    let feed = FeedFile::open(file)?;
    let (bytes, location) = match target {
        Target::Folder { path, .. } => folder::upload(path, feed, remote_name)?,
        Target::S3 { .. } => s3::Bucket::new(target, secret, options)?.upload(feed, remote_name)?,
        Target::Ftp { .. } => ftp::upload(target, secret, options, feed, remote_name)?,
    };
    tracing::info!(bytes, %location, "feed delivered");
    Ok(Delivered { public_url: target.public_url(remote_name), bytes, location })
}

impl Target {
    /// The link a file uploaded as `remote_name` is fetched at. S3 without a base gives the
    /// bucket's own address (`https://{bucket}.{host}/{key}`, or `https://{host}/{bucket}/{key}`
    /// path-style); folders and FTP have one only from `public_url_base` (`{base}/{name}`).
    pub fn public_url(&self, remote_name: &str) -> Option<String> {
        let base = match self {
            Target::Folder { public_url_base, .. }
            | Target::S3 { public_url_base, .. }
            | Target::Ftp { public_url_base, .. } => {
                public_url_base.as_deref().map(str::trim).filter(|b| !b.is_empty())
            }
        };
        match (self, base) {
            (Target::S3 { prefix, .. }, Some(base)) => {
                Some(join_url(base, &encode_path(&s3::object_key(prefix, remote_name))))
            }
            (Target::S3 { .. }, None) => s3::default_public_url(self, remote_name),
            (_, base) => base.map(|base| join_url(base, &encode_path(remote_name))),
        }
    }
}

/// A name that stays one file in the target folder: no slashes, no `..`, no control
/// characters (which would also end an FTP command).
fn check_remote_name(name: &str) -> Result<(), DeliverError> {
    let bad = name.is_empty()
        || name == "."
        || name == ".."
        || name.contains(['/', '\\'])
        || name.chars().any(char::is_control);
    if bad {
        return Err(DeliverError::Settings(format!(
            "\"{}\" cannot be the name of the uploaded file (it must be a plain file name, without slashes)",
            name.escape_debug()
        )));
    }
    Ok(())
}

/// The name a file is written under until it is complete: hidden, next to the final one, and
/// unique, so two uploads never write into the same temporary file.
fn temp_name(name: &str) -> String {
    format!(".{name}.part-{:016x}", fastrand::u64(..))
}

/// The name of a probe file [`check`] writes and deletes.
fn probe_name() -> String {
    format!(".vitrina-check-{:016x}", fastrand::u64(..))
}

/// The Content-Type of a feed file, from its extension.
fn content_type(name: &str) -> &'static str {
    let ext = name.rsplit_once('.').map(|(_, ext)| ext.to_ascii_lowercase()).unwrap_or_default();
    match ext.as_str() {
        "xml" | "yml" => "application/xml",
        "gz" => "application/gzip",
        "csv" => "text/csv",
        "xlsx" => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "pdf" => "application/pdf",
        "json" => "application/json",
        "zip" => "application/zip",
        _ => "application/octet-stream",
    }
}

/// Percent-encodes a path the way S3 signs it (RFC 3986 unreserved characters stay, so does
/// `/`); also makes names with spaces or Cyrillic safe in a link.
fn encode_path(path: &str) -> String {
    encode(path, true)
}

fn encode(text: &str, keep_slash: bool) -> String {
    let mut out = String::with_capacity(text.len());
    for byte in text.bytes() {
        match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => out.push(byte as char),
            b'/' if keep_slash => out.push('/'),
            _ => out.push_str(&format!("%{byte:02X}")),
        }
    }
    out
}

/// `base` and `path` joined by exactly one slash.
fn join_url(base: &str, path: &str) -> String {
    format!("{}/{}", base.trim_end_matches('/'), path.trim_start_matches('/'))
}

/// The written feed file, open for reading, with its size.
#[derive(Debug)]
struct FeedFile {
    path: PathBuf,
    file: File,
    len: u64,
}

impl FeedFile {
    fn open(path: &Path) -> Result<FeedFile, DeliverError> {
        let file = File::open(path).map_err(|e| feed_read_error(path, &e))?;
        let meta = file.metadata().map_err(|e| feed_read_error(path, &e))?;
        if !meta.is_file() {
            return Err(DeliverError::Io {
                what: format!("read the feed file {}", path.display()),
                reason: "it is not a file".into(),
            });
        }
        Ok(FeedFile { path: path.to_owned(), file, len: meta.len() })
    }

    /// Reads exactly `len` bytes: more are not sent (the size was announced), fewer fail with a
    /// reason instead of a remote file cut short.
    fn reader(self) -> FeedReader {
        FeedReader { path: self.path, file: self.file, remaining: self.len }
    }
}

/// The feed file's bytes, `len` of them and no other number.
#[derive(Debug)]
struct FeedReader {
    path: PathBuf,
    file: File,
    remaining: u64,
}

impl io::Read for FeedReader {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if self.remaining == 0 || buf.is_empty() {
            return Ok(0);
        }
        let want = buf.len().min(usize::try_from(self.remaining).unwrap_or(usize::MAX));
        let n = self.file.read(&mut buf[..want])?;
        if n == 0 {
            return Err(io::Error::new(
                io::ErrorKind::UnexpectedEof,
                "the file became shorter while it was being uploaded",
            ));
        }
        self.remaining -= n as u64;
        Ok(n)
    }
}

fn feed_read_error(path: &Path, e: &io::Error) -> DeliverError {
    DeliverError::Io { what: format!("read the feed file {}", path.display()), reason: io_reason(e) }
}

/// An operating system error in plain words.
fn io_reason(e: &io::Error) -> String {
    match e.kind() {
        io::ErrorKind::NotFound => "it does not exist".into(),
        io::ErrorKind::PermissionDenied => "permission denied".into(),
        io::ErrorKind::StorageFull => "the disk is full".into(),
        io::ErrorKind::ReadOnlyFilesystem => "the disk is read-only".into(),
        _ => e.to_string(),
    }
}

/// A network error in plain words: what the seller can act on, not the library's chain.
fn network_reason(e: &io::Error, timeout: Duration) -> String {
    match e.kind() {
        io::ErrorKind::TimedOut | io::ErrorKind::WouldBlock => {
            format!("no answer within {} s", timeout.as_secs())
        }
        io::ErrorKind::ConnectionRefused => {
            "the connection was refused (no server listens on that port)".into()
        }
        io::ErrorKind::ConnectionReset
        | io::ErrorKind::ConnectionAborted
        | io::ErrorKind::BrokenPipe
        | io::ErrorKind::UnexpectedEof => "the connection broke off".into(),
        io::ErrorKind::HostUnreachable | io::ErrorKind::NetworkUnreachable => {
            "the network cannot reach that address".into()
        }
        _ => e.to_string(),
    }
}

/// The TLS failure somewhere in an error's chain, in plain words. I/O errors are looked into
/// too: their `source()` skips the error they wrap.
fn tls_reason(err: &(dyn std::error::Error + 'static)) -> Option<String> {
    let mut current = Some(err);
    while let Some(e) = current {
        if let Some(tls) = e.downcast_ref::<rustls::Error>() {
            return Some(describe_tls(tls));
        }
        current = match e.downcast_ref::<io::Error>().and_then(io::Error::get_ref) {
            Some(inner) => Some(inner as &(dyn std::error::Error + 'static)),
            None => e.source(),
        };
    }
    None
}

fn describe_tls(e: &rustls::Error) -> String {
    use rustls::CertificateError as C;
    match e {
        rustls::Error::InvalidCertificate(C::UnknownIssuer) => {
            "the server's certificate is not issued by an \
             authority this computer trusts (a self-signed certificate needs to be added as trusted)"
                .into()
        }
        rustls::Error::InvalidCertificate(C::NotValidForName | C::NotValidForNameContext { .. }) => {
            "the server's certificate is for another name".into()
        }
        rustls::Error::InvalidCertificate(C::Expired | C::ExpiredContext { .. }) => {
            "the server's certificate has expired".into()
        }
        other => other.to_string(),
    }
}

/// The innermost error of a chain: the one that says what happened (the outer ones say what
/// was being done, often with a URL).
fn innermost<'e>(err: &'e (dyn std::error::Error + 'static)) -> &'e (dyn std::error::Error + 'static) {
    let mut current = err;
    loop {
        let next = match current.downcast_ref::<io::Error>().and_then(io::Error::get_ref) {
            Some(inner) => Some(inner as &(dyn std::error::Error + 'static)),
            None => current.source(),
        };
        match next {
            Some(next) => current = next,
            None => return current,
        }
    }
}

/// The certificates of [`DeliverOptions::extra_root_cert`], if any.
fn extra_roots(
    options: &DeliverOptions,
) -> Result<Vec<rustls::pki_types::CertificateDer<'static>>, DeliverError> {
    use rustls::pki_types::CertificateDer;
    use rustls::pki_types::pem::PemObject;
    let Some(path) = &options.extra_root_cert else { return Ok(Vec::new()) };
    let unreadable = |reason: String| {
        DeliverError::Settings(format!(
            "the trusted certificate file {} cannot be used: {reason}",
            path.display()
        ))
    };
    let certs = CertificateDer::pem_file_iter(path)
        .map_err(|e| unreadable(e.to_string()))?
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| unreadable(e.to_string()))?;
    if certs.is_empty() {
        return Err(unreadable("it holds no PEM certificate".into()));
    }
    Ok(certs)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s3(path_style: bool, base: Option<&str>) -> Target {
        Target::S3 {
            endpoint: "https://storage.yandexcloud.net".into(),
            region: "ru-central1".into(),
            bucket: "shop".into(),
            prefix: "feeds/".into(),
            path_style,
            public_read: true,
            public_url_base: base.map(Into::into),
        }
    }

    #[test]
    fn public_urls_follow_the_target() {
        assert_eq!(
            s3(false, None).public_url("yml.xml").as_deref(),
            Some("https://shop.storage.yandexcloud.net/feeds/yml.xml")
        );
        assert_eq!(
            s3(true, None).public_url("yml.xml").as_deref(),
            Some("https://storage.yandexcloud.net/shop/feeds/yml.xml")
        );
        assert_eq!(
            s3(false, Some("https://cdn.shop.example/")).public_url("прайс 1.xml").as_deref(),
            Some("https://cdn.shop.example/feeds/%D0%BF%D1%80%D0%B0%D0%B9%D1%81%201.xml")
        );
        let local = Target::S3 {
            endpoint: "http://127.0.0.1:9000/".into(),
            region: "us-east-1".into(),
            bucket: "b".into(),
            prefix: String::new(),
            path_style: true,
            public_read: false,
            public_url_base: Some("  ".into()),
        };
        assert_eq!(local.public_url("a.csv").as_deref(), Some("http://127.0.0.1:9000/b/a.csv"));
        let folder = |base: Option<&str>| Target::Folder {
            path: "/srv/www/feeds".into(),
            public_url_base: base.map(Into::into),
        };
        assert_eq!(folder(None).public_url("a.xml"), None);
        assert_eq!(
            folder(Some("https://shop.example/feeds/")).public_url("a.xml").unwrap(),
            "https://shop.example/feeds/a.xml"
        );
        let ftp = Target::Ftp {
            host: "ftp.shop.example".into(),
            port: 21,
            secure: true,
            user: "u".into(),
            dir: "www/feeds".into(),
            public_url_base: Some("https://shop.example/feeds".into()),
        };
        assert_eq!(ftp.public_url("a.xml").unwrap(), "https://shop.example/feeds/a.xml");
    }

    #[test]
    fn targets_are_stored_as_tagged_json() {
        let json = serde_json::to_value(s3(true, None)).unwrap();
        assert_eq!(json["kind"], "s3");
        assert_eq!(json["bucket"], "shop");
        let ftp: Target = serde_json::from_str(
            r#"{"kind":"ftp","host":"h","port":21,"secure":false,"user":"u","dir":"",
                "public_url_base":null}"#,
        )
        .unwrap();
        assert!(matches!(ftp, Target::Ftp { port: 21, .. }));
        let folder: Target =
            serde_json::from_str(r#"{"kind":"folder","path":"/x","public_url_base":null}"#).unwrap();
        assert_eq!(folder, Target::Folder { path: "/x".into(), public_url_base: None });
    }

    #[test]
    fn secrets_never_show_in_debug_output() {
        let key =
            Secret::S3 { access_key_id: "AKIAEXAMPLEID".into(), secret_access_key: "wJalrXUtnFEMI".into() };
        let password = Secret::Password("hunter2".into());
        let shown = format!("{key:?} {password:?} {:?}", Secret::None);
        assert!(
            !shown.contains("AKIAEXAMPLEID")
                && !shown.contains("wJalrXUtnFEMI")
                && !shown.contains("hunter2")
        );
        assert_eq!(
            shown,
            "S3 { access_key_id: \"<redacted>\", secret_access_key: \"<redacted>\" } \
             Password(\"<redacted>\") None"
        );
    }

    #[test]
    fn remote_names_must_be_plain_file_names() {
        for bad in ["", ".", "..", "a/b.xml", "a\\b.xml", "a\r\nDELE x", "\u{7f}"] {
            assert_eq!(check_remote_name(bad).unwrap_err().code(), "settings", "{bad:?}");
        }
        for good in ["yml.xml", "прайс.xlsx", ".hidden", "a b.csv"] {
            check_remote_name(good).unwrap();
        }
        let temp = temp_name("yml.xml");
        assert!(temp.starts_with(".yml.xml.part-") && temp.len() == ".yml.xml.part-".len() + 16, "{temp}");
    }

    #[test]
    fn content_types_come_from_the_extension() {
        assert_eq!(content_type("a.XML"), "application/xml");
        assert_eq!(content_type("a.xml.gz"), "application/gzip");
        assert_eq!(content_type("a.csv"), "text/csv");
        assert_eq!(
            content_type("a.xlsx"),
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        );
        assert_eq!(content_type("a.pdf"), "application/pdf");
        assert_eq!(content_type("noext"), "application/octet-stream");
    }

    #[test]
    fn a_feed_file_that_shrinks_during_the_upload_fails_instead_of_sending_less() {
        use std::io::Read;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.xml");
        std::fs::write(&path, vec![b'x'; 10_000]).unwrap();
        let mut reader = FeedFile::open(&path).unwrap().reader();
        let mut first = [0u8; 100];
        reader.read_exact(&mut first).unwrap();
        std::fs::OpenOptions::new().write(true).open(&path).unwrap().set_len(500).unwrap();
        let err = io::copy(&mut reader, &mut io::sink()).unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::UnexpectedEof);
        assert!(err.to_string().contains("shorter"), "{err}");
    }

    #[test]
    fn a_missing_feed_file_is_an_io_error_naming_it() {
        let err = FeedFile::open(Path::new("/nonexistent/vitrina/feed.xml")).unwrap_err();
        assert_eq!(err.code(), "io");
        assert_eq!(
            err.to_string(),
            "Could not read the feed file /nonexistent/vitrina/feed.xml: it does not exist."
        );
    }

    #[test]
    fn codes_are_stable() {
        let place = || "x".to_string();
        let cases = [
            (DeliverError::Unreachable { place: place(), reason: place() }, "unreachable"),
            (DeliverError::SignIn { place: place(), reason: place() }, "sign_in"),
            (DeliverError::Denied { place: place(), reason: place() }, "denied"),
            (DeliverError::NotFound { what: place() }, "not_found"),
            (DeliverError::Tls { place: place(), reason: place() }, "tls"),
            (DeliverError::Io { what: place(), reason: place() }, "io"),
            (DeliverError::Protocol(place()), "protocol"),
            (DeliverError::Settings(place()), "settings"),
        ];
        for (error, code) in cases {
            assert_eq!(error.code(), code);
        }
    }
}
