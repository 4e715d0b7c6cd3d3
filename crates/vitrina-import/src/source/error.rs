//! Why a source could not be fetched, in words for the seller.

use std::path::PathBuf;

/// Why [`fetch`](super::fetch) failed. Every message names the link (through
/// [`url_display`](super::url_display), so without credentials or tokens) or the path, and
/// never contains the secret passed to `fetch`.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SourceError {
    /// HTTP 404 or 410.
    #[error(
        "Nothing was found at {url} (HTTP {status}). Check the link: the supplier may have moved the file."
    )]
    NotFound {
        /// The link, for display.
        url: String,
        /// 404 or 410.
        status: u16,
    },
    /// HTTP 401 or 403.
    #[error("{url} refused access (HTTP {status}): check the login or token saved for this supplier.")]
    AccessDenied {
        /// The link, for display.
        url: String,
        /// 401 or 403.
        status: u16,
    },
    /// HTTP 5xx: the supplier's server failed.
    #[error(
        "The supplier's server failed at {url} (HTTP {status}). This is usually temporary; try again later."
    )]
    ServerError {
        /// The link, for display.
        url: String,
        /// 500–599.
        status: u16,
    },
    /// Any other status that is not a success.
    #[error("{url} answered with an error (HTTP {status}{}).", reason_suffix(.reason))]
    UnexpectedStatus {
        /// The link, for display.
        url: String,
        /// The status code.
        status: u16,
        /// Its standard reason phrase, when there is one.
        reason: Option<&'static str>,
    },
    /// The server stayed silent for longer than the timeout.
    #[error(
        "{url} did not answer within {secs} s. The server may be busy; try again later or raise the timeout."
    )]
    Timeout {
        /// The link, for display.
        url: String,
        /// The timeout that ran out.
        secs: u64,
    },
    /// The server could not be reached: unknown name, refused connection, TLS failure.
    #[error("Could not connect to {url}: {reason}.")]
    Connection {
        /// The link, for display.
        url: String,
        /// What went wrong, without the link.
        reason: String,
    },
    /// The connection broke off in the middle of the download.
    #[error("The download from {url} broke off: {reason}. Try again.")]
    Interrupted {
        /// The link, for display.
        url: String,
        /// What went wrong, without the link.
        reason: String,
    },
    /// Too many redirects, or a redirect that would carry the token to another site.
    #[error("{url} {reason}.")]
    Redirect {
        /// The link, for display.
        url: String,
        /// What the redirect did wrong, as the end of a sentence.
        reason: String,
    },
    /// The spec itself is unusable: not an http(s) link, an invalid header name.
    #[error("The source settings are not valid ({location}): {reason}.")]
    Settings {
        /// The link or path, for display.
        location: String,
        /// What to fix.
        reason: String,
    },
    /// The password or token is missing or cannot be sent.
    #[error("{url} needs a sign-in, but {problem}.")]
    Secret {
        /// The link, for display.
        url: String,
        /// What is wrong with the secret (never the secret itself).
        problem: &'static str,
    },
    /// The file, downloaded or unpacked, is bigger than the limit.
    #[error("{}", too_large(.location, *.limit, *.announced))]
    TooLarge {
        /// The link or path, for display.
        location: String,
        /// The supplier's size limit in bytes.
        limit: u64,
        /// The size the server announced, when the refusal came before downloading.
        announced: Option<u64>,
    },
    /// The file has no content.
    #[error("{location} is empty (0 bytes). The supplier may not have published the price list yet.")]
    Empty {
        /// The link or path, for display.
        location: String,
    },
    /// A gzip or zip archive that cannot be read to its end.
    #[error(
        "{location}: the {kind} archive is damaged or cut off. Download it again or ask the supplier to resend it."
    )]
    Damaged {
        /// The link or path, for display.
        location: String,
        /// `gzip` or `zip`.
        kind: &'static str,
    },
    /// A zip archive with no file that looks like a price list.
    #[error("{location} is an archive without a price list inside (it holds {}). Vitrina reads YML, XML, CSV, TXT, XLSX, XLS, ODS and JSON files.", list_names(.names))]
    NoSupplierFile {
        /// The link or path, for display.
        location: String,
        /// Names of the files in the archive.
        names: Vec<String>,
    },
    /// An archive Vitrina cannot unpack (encrypted, unusual compression, tar).
    #[error("{location}: {reason}")]
    UnsupportedArchive {
        /// The link or path, for display.
        location: String,
        /// What is unsupported and what to ask for instead.
        reason: String,
    },
    /// The local file does not exist.
    #[error("The file {} does not exist. Check the path in the supplier's settings, or whether the folder is connected.", .path.display())]
    FileMissing {
        /// The path from the spec.
        path: PathBuf,
    },
    /// The local file exists but cannot be read.
    #[error("The file {} cannot be read: {reason}.", .path.display())]
    FileUnreadable {
        /// The path from the spec.
        path: PathBuf,
        /// Why (permission denied, a folder, ...).
        reason: String,
    },
    /// Writing to the cache folder failed (disk full, no permission).
    #[error("Could not save {location} in {}: {reason}. Check the free disk space.", .dir.display())]
    Cache {
        /// What was being saved, for display.
        location: String,
        /// The cache folder.
        dir: PathBuf,
        /// The operating system's reason.
        reason: String,
    },
    /// The caller cancelled the work.
    #[error("Fetching {location} was cancelled.")]
    Cancelled {
        /// The link or path, for display.
        location: String,
    },
}

impl SourceError {
    /// A stable code for the reason (`file_missing`, `timeout`, …): the front ends word it in
    /// the person's language, the sentence carries the details.
    pub fn code(&self) -> &'static str {
        match self {
            SourceError::NotFound { .. } => "not_found",
            SourceError::AccessDenied { .. } => "access_denied",
            SourceError::ServerError { .. } => "server_error",
            SourceError::UnexpectedStatus { .. } => "unexpected_status",
            SourceError::Timeout { .. } => "timeout",
            SourceError::Connection { .. } => "connection_failed",
            SourceError::Interrupted { .. } => "download_interrupted",
            SourceError::Redirect { .. } => "bad_redirect",
            SourceError::Settings { .. } => "source_settings_invalid",
            SourceError::Secret { .. } => "secret_missing",
            SourceError::TooLarge { .. } => "too_large",
            SourceError::Empty { .. } => "file_empty",
            SourceError::Damaged { .. } => "archive_damaged",
            SourceError::NoSupplierFile { .. } => "archive_without_feed",
            SourceError::UnsupportedArchive { .. } => "archive_unsupported",
            SourceError::FileMissing { .. } => "file_missing",
            SourceError::FileUnreadable { .. } => "file_unreadable",
            SourceError::Cache { .. } => "cache_write_failed",
            SourceError::Cancelled { .. } => "cancelled",
        }
    }

    /// Whether trying again later may succeed: timeouts, server errors (5xx, 408, 429) and
    /// connection problems. Wrong links, refused access, damaged or oversized files are not.
    pub fn is_retryable(&self) -> bool {
        match self {
            SourceError::Timeout { .. }
            | SourceError::ServerError { .. }
            | SourceError::Connection { .. }
            | SourceError::Interrupted { .. } => true,
            SourceError::UnexpectedStatus { status, .. } => matches!(status, 408 | 429),
            _ => false,
        }
    }
}

fn reason_suffix(reason: &Option<&'static str>) -> String {
    reason.map(|r| format!(" {r}")).unwrap_or_default()
}

fn too_large(location: &str, limit: u64, announced: Option<u64>) -> String {
    let limit = human_size(limit);
    match announced {
        Some(size) => format!(
            "{location} is {}, more than the {limit} limit set for this supplier. Raise the limit \
             in the supplier's settings if the file really is that big.",
            human_size(size)
        ),
        None => format!(
            "{location} is bigger than the {limit} limit set for this supplier, so it was not kept. \
             Raise the limit in the supplier's settings if the file really is that big."
        ),
    }
}

fn list_names(names: &[String]) -> String {
    const SHOWN: usize = 10;
    if names.is_empty() {
        return "no files".to_owned();
    }
    let mut text = names.iter().take(SHOWN).map(String::as_str).collect::<Vec<_>>().join(", ");
    if names.len() > SHOWN {
        text.push_str(&format!(" and {} more", names.len() - SHOWN));
    }
    text
}

/// `1.5 GiB`, `300 KiB`, `12 bytes`.
pub(crate) fn human_size(bytes: u64) -> String {
    const UNITS: [&str; 4] = ["KiB", "MiB", "GiB", "TiB"];
    if bytes < 1024 {
        return format!("{bytes} bytes");
    }
    let mut value = bytes as f64 / 1024.0;
    let mut unit = 0;
    while value >= 1024.0 && unit + 1 < UNITS.len() {
        value /= 1024.0;
        unit += 1;
    }
    let text = format!("{value:.1}");
    let text = text.strip_suffix(".0").unwrap_or(&text);
    format!("{text} {}", UNITS[unit])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_read_naturally() {
        assert_eq!(human_size(12), "12 bytes");
        assert_eq!(human_size(1024), "1 KiB");
        assert_eq!(human_size(1536 * 1024), "1.5 MiB");
        assert_eq!(human_size(2 * 1024 * 1024 * 1024), "2 GiB");
    }

    #[test]
    fn messages_read_as_sentences() {
        let e = SourceError::TooLarge {
            location: "https://x.test/a.xml".into(),
            limit: 1024,
            announced: Some(4096),
        };
        assert_eq!(
            e.to_string(),
            "https://x.test/a.xml is 4 KiB, more than the 1 KiB limit set for this supplier. Raise the \
             limit in the supplier's settings if the file really is that big."
        );
        let names: Vec<String> = (0..12).map(|i| format!("f{i}.pdf")).collect();
        let e = SourceError::NoSupplierFile { location: "a.zip".into(), names };
        assert!(e.to_string().contains("f9.pdf and 2 more"), "{e}");
        let e = SourceError::UnexpectedStatus { url: "u".into(), status: 418, reason: Some("I'm a teapot") };
        assert_eq!(e.to_string(), "u answered with an error (HTTP 418 I'm a teapot).");
    }
}
