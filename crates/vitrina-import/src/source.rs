//! Where a supplier's feed comes from, and how it becomes one local file the readers can stream.
//!
//! A source is a local file or an HTTP(S) link ([`SourceSpec`], stored per supplier as JSON).
//! [`fetch`] turns it into a [`Fetched`] file: downloads stream to a temporary file in the cache
//! folder (never into memory), conditional requests skip unchanged feeds, and `.gz` and `.zip`
//! archives are unpacked to the price list inside. Everything written goes through a temporary
//! `.part` file that is renamed into place when complete and removed on any error or
//! cancellation, so a file found under its final name is always whole.
//!
//! Passwords and tokens are not part of the spec: they come from the OS keyring and are passed
//! to [`fetch`] as `secret`. They are never logged and never appear in errors, and every link
//! shown to people goes through [`url_display`].
//!
//! Workbooks are zip files too: an `.xlsx` or `.ods` is returned as it is, not unpacked.
//! Format detection itself stays in `vitrina_formats::detect_format`.

mod error;
mod http;
mod local;
mod redact;
mod spool;
mod unpack;

use std::fs;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

pub use error::SourceError;
pub use redact::url_display;

/// How long a server may stay silent before a download gives up, unless a supplier says otherwise.
pub const DEFAULT_TIMEOUT_SECS: u64 = 60;

/// The largest download or unpacked file accepted unless a supplier says otherwise: 2 GiB.
pub const DEFAULT_MAX_BYTES: u64 = 2 * 1024 * 1024 * 1024;

/// How many redirects a download follows before giving up.
pub const MAX_REDIRECTS: usize = 10;

/// Where a supplier's feed comes from. Stored per supplier as JSON; holds no secrets.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum SourceSpec {
    /// A file on this computer (or a mounted network folder).
    File {
        /// The file to read; a `.gz` or `.zip` is unpacked to the cache folder first.
        path: PathBuf,
    },
    /// A link the feed is downloaded from.
    Url {
        /// `http://` or `https://` link.
        url: String,
        /// How the server wants us to sign in; the secret itself is passed to [`fetch`].
        #[serde(default)]
        auth: Auth,
        /// How long the server may stay silent (connecting, answering, or mid-download), in seconds.
        #[serde(default = "default_timeout_secs")]
        timeout_secs: u64,
        /// The largest file accepted, downloaded or unpacked, in bytes.
        #[serde(default = "default_max_bytes")]
        max_bytes: u64,
    },
}

fn default_timeout_secs() -> u64 {
    DEFAULT_TIMEOUT_SECS
}

fn default_max_bytes() -> u64 {
    DEFAULT_MAX_BYTES
}

impl SourceSpec {
    /// A link with no sign-in and the default timeout and size limit.
    pub fn url(url: impl Into<String>) -> SourceSpec {
        SourceSpec::Url {
            url: url.into(),
            auth: Auth::None,
            timeout_secs: DEFAULT_TIMEOUT_SECS,
            max_bytes: DEFAULT_MAX_BYTES,
        }
    }

    /// The path or the link as it may be shown to people: credentials and secret-looking
    /// query values hidden (see [`url_display`]).
    pub fn location(&self) -> String {
        match self {
            SourceSpec::File { path } => path.display().to_string(),
            SourceSpec::Url { url, .. } => url_display(url),
        }
    }

    /// Whether [`fetch`] needs a secret from the keyring for this source.
    pub fn needs_secret(&self) -> bool {
        matches!(self, SourceSpec::Url { auth: Auth::Basic { .. } | Auth::Header { .. }, .. })
    }
}

/// How a download signs in. The password or token comes from the keyring, not from here.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Auth {
    /// No sign-in.
    #[default]
    None,
    /// HTTP Basic: this user name, and the secret as the password (none if no secret is set).
    Basic {
        /// The login.
        user: String,
    },
    /// The secret sent in a header. `name` is either a header name (`X-Api-Key`: the header's
    /// value is the secret) or a header name and a scheme (`Authorization: Bearer`: the value is
    /// `Bearer <secret>`).
    Header {
        /// `X-Api-Key`, `Authorization: Bearer`, ...
        name: String,
    },
}

/// What the previous run learned about the feed, sent back to skip an unchanged download.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Validators {
    /// The `ETag` the server sent (for local files, a fingerprint of size and modification time).
    pub etag: Option<String>,
    /// The `Last-Modified` date the server sent.
    pub last_modified: Option<String>,
}

/// The local file [`fetch`] produced.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fetched {
    /// The file to read: the source file itself, the download, or the member unpacked from an
    /// archive. Empty when `not_modified`.
    pub path: PathBuf,
    /// The name the file had at the source (from `Content-Disposition`, the link, or the
    /// archive member), for detection by extension. Never contains a path separator.
    pub file_name: Option<String>,
    /// True when the source has not changed since `previous`: nothing was downloaded.
    pub not_modified: bool,
    /// Validators to keep for the next run.
    pub etag: Option<String>,
    /// Validators to keep for the next run.
    pub last_modified: Option<String>,
    /// Size of `path` in bytes (0 when `not_modified`).
    pub bytes: u64,
    /// The `Content-Type` the server sent, if any.
    pub content_type: Option<String>,
    /// True when `path` was written into the cache folder and belongs to the caller, who removes
    /// it after the import ([`Fetched::discard`]); false when it is the supplier's own file.
    pub temporary: bool,
}

impl Fetched {
    /// The validators to store for the next run.
    pub fn validators(&self) -> Validators {
        Validators { etag: self.etag.clone(), last_modified: self.last_modified.clone() }
    }

    /// Removes the file if it is a temporary one in the cache folder; leaves supplier files alone.
    pub fn discard(&self) -> std::io::Result<()> {
        if !self.temporary || self.path.as_os_str().is_empty() {
            return Ok(());
        }
        match fs::remove_file(&self.path) {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(e),
            _ => Ok(()),
        }
    }

    fn not_modified(etag: Option<String>, last_modified: Option<String>) -> Fetched {
        Fetched {
            path: PathBuf::new(),
            file_name: None,
            not_modified: true,
            etag,
            last_modified,
            bytes: 0,
            content_type: None,
            temporary: false,
        }
    }
}

/// Obtains the source as a local, decompressed file.
///
/// - `secret`: the password (Basic) or token (header) from the keyring; ignored without auth.
/// - `previous`: validators from the last run; an unchanged source gives `not_modified`.
/// - `cache_dir`: where downloads and unpacked files go (created if missing). Leftover `.part`
///   files older than a day are swept from it.
/// - `cancel`: polled between chunks; when it returns true the work stops, the partial file is
///   removed and [`SourceError::Cancelled`] comes back.
/// - `progress`: bytes done and, when known, the total, for the current step (the download,
///   then unpacking, which starts again from 0).
///
/// This blocks; call it from a worker thread (`spawn_blocking` in async code).
pub fn fetch(
    spec: &SourceSpec,
    secret: Option<&str>,
    previous: &Validators,
    cache_dir: &Path,
    cancel: &dyn Fn() -> bool,
    progress: &mut dyn FnMut(u64, Option<u64>),
) -> Result<Fetched, SourceError> {
    spool::sweep(cache_dir);
    let (got, max_bytes) = match spec {
        SourceSpec::File { path } => {
            let found = local::open(path, previous)?;
            if found.unchanged {
                tracing::debug!(path = %path.display(), "local source unchanged");
                return Ok(Fetched::not_modified(found.etag, None));
            }
            let got = Got {
                location: path.display().to_string(),
                path: path.clone(),
                temporary: false,
                file_name: found.file_name,
                etag: found.etag,
                last_modified: None,
                content_type: None,
                bytes: found.bytes,
            };
            (got, DEFAULT_MAX_BYTES)
        }
        SourceSpec::Url { url, auth, timeout_secs, max_bytes } => {
            let request = http::Request {
                url,
                auth,
                secret,
                timeout_secs: *timeout_secs,
                max_bytes: *max_bytes,
                previous,
            };
            match http::download(&request, cache_dir, cancel, progress)? {
                http::Outcome::NotModified { etag, last_modified } => {
                    tracing::debug!(url = %url_display(url), "source not modified");
                    return Ok(Fetched::not_modified(etag, last_modified));
                }
                http::Outcome::Downloaded(got) => (got, *max_bytes),
            }
        }
    };
    let fetched = unpack_all(got, max_bytes, cache_dir, cancel, progress)?;
    tracing::info!(
        source = %spec.location(),
        bytes = fetched.bytes,
        file_name = fetched.file_name.as_deref().unwrap_or(""),
        "source fetched"
    );
    Ok(fetched)
}

/// A file obtained from the source, before unpacking.
#[derive(Debug)]
struct Got {
    /// The source as shown in errors.
    location: String,
    path: PathBuf,
    /// The file is ours (in the cache folder) and is removed once unpacked or on error.
    temporary: bool,
    file_name: Option<String>,
    etag: Option<String>,
    last_modified: Option<String>,
    content_type: Option<String>,
    bytes: u64,
}

/// Archives inside archives (`price.zip.gz`) are unpacked up to this depth.
const MAX_NESTING: usize = 3;

fn unpack_all(
    mut got: Got,
    max_bytes: u64,
    cache_dir: &Path,
    cancel: &dyn Fn() -> bool,
    progress: &mut dyn FnMut(u64, Option<u64>),
) -> Result<Fetched, SourceError> {
    for _ in 0..MAX_NESTING {
        let limits = unpack::Limits { max_bytes, cache_dir, cancel };
        let step = unpack::step(&got.path, got.file_name.as_deref(), &got.location, &limits, progress);
        let inner = match step {
            Ok(Some(inner)) => inner,
            Ok(None) => break,
            Err(e) => {
                remove_if_temporary(&got);
                return Err(e);
            }
        };
        remove_if_temporary(&got);
        got.path = inner.path;
        got.temporary = true;
        got.bytes = inner.bytes;
        got.location = match &inner.file_name {
            Some(name) => format!("{} ({name} inside)", got.location),
            None => got.location,
        };
        got.file_name = inner.file_name;
        if got.bytes == 0 {
            remove_if_temporary(&got);
            return Err(SourceError::Empty { location: got.location });
        }
    }
    Ok(Fetched {
        path: got.path,
        file_name: got.file_name,
        not_modified: false,
        etag: got.etag,
        last_modified: got.last_modified,
        bytes: got.bytes,
        content_type: got.content_type,
        temporary: got.temporary,
    })
}

fn remove_if_temporary(got: &Got) {
    if got.temporary
        && let Err(e) = fs::remove_file(&got.path)
    {
        tracing::warn!(path = %got.path.display(), error = %e, "could not remove a temporary file");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spec_json_has_defaults_and_no_secret_fields() {
        let spec: SourceSpec =
            serde_json::from_str(r#"{"kind":"url","url":"https://example.com/feed.xml"}"#).unwrap();
        assert_eq!(spec, SourceSpec::url("https://example.com/feed.xml"));

        let spec = SourceSpec::Url {
            url: "https://example.com/p.csv".into(),
            auth: Auth::Header { name: "Authorization: Bearer".into() },
            timeout_secs: 5,
            max_bytes: 100,
        };
        let json = serde_json::to_string(&spec).unwrap();
        assert_eq!(
            json,
            r#"{"kind":"url","url":"https://example.com/p.csv","auth":{"kind":"header","name":"Authorization: Bearer"},"timeout_secs":5,"max_bytes":100}"#
        );
        assert_eq!(serde_json::from_str::<SourceSpec>(&json).unwrap(), spec);
        assert!(spec.needs_secret());

        let file: SourceSpec = serde_json::from_str(r#"{"kind":"file","path":"/tmp/a.csv"}"#).unwrap();
        assert_eq!(file, SourceSpec::File { path: "/tmp/a.csv".into() });
        assert!(!file.needs_secret());
    }
}
