//! Product images into the local content-addressed cache (DESIGN §3).
//!
//! [`ImageDownloader`] fetches image URLs with at most `parallel` downloads at once, each on its
//! own thread with a fixed buffer: the body streams to a temporary file in the cache folder
//! while it is hashed, so memory stays flat however large the pictures are. Only JPEG, PNG,
//! WebP and GIF are kept (recognized by their first bytes, whatever the server calls them);
//! a finished file moves atomically to `<cache>/<first 2 hex>/<sha256>.<ext>`, so one picture
//! published under several URLs is stored once. Each URL ends as an [`ImageFile`] or an
//! [`ImageError`] saying why, in the seller's words; `vitrina-store` records which is which.

use std::error::Error as StdError;
use std::fmt;
use std::fs;
use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc;
use std::time::{Duration, SystemTime};

use reqwest::blocking::Client;
use reqwest::header::{CONTENT_TYPE, HeaderValue};
use reqwest::{StatusCode, Url};
use sha2::{Digest, Sha256};
pub use vitrina_store::images::{ImageFailure, ImageFile, ImageResult};

use crate::source::url_display;

/// How downloads run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DownloadOptions {
    /// Downloads at once (at least 1).
    pub parallel: usize,
    /// For one whole download, connection included.
    pub timeout: Duration,
    /// A larger picture is refused.
    pub max_bytes: u64,
}

pub const DEFAULT_PARALLEL: usize = 4;
pub const MAX_PARALLEL: usize = 16;
pub const DEFAULT_MAX_BYTES: u64 = 20 * 1024 * 1024;

impl Default for DownloadOptions {
    fn default() -> Self {
        DownloadOptions {
            parallel: DEFAULT_PARALLEL,
            timeout: Duration::from_secs(30),
            max_bytes: DEFAULT_MAX_BYTES,
        }
    }
}

/// Why one image was not stored. Messages name the link with any secrets in it hidden.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ImageError {
    #[error("{url} is not a link that can be downloaded ({reason})")]
    BadLink { url: String, reason: String },
    #[error("{url} was not found (HTTP {status}): the supplier removed or moved the picture")]
    NotFound { url: String, status: u16 },
    #[error("{url} answered with an error (HTTP {status})")]
    Status { url: String, status: u16 },
    #[error("{url} is not an image (the server sent {})", .content_type.as_deref().unwrap_or("something without a type"))]
    NotAnImage { url: String, content_type: Option<String> },
    #[error("{url} is too large: {} (the limit is {})", size(*.bytes), size(*.limit))]
    TooLarge { url: String, limit: u64, bytes: Option<u64> },
    #[error("{url} did not finish within {secs} s")]
    Timeout { url: String, secs: u64 },
    #[error("could not download {url}: {reason}")]
    Connection { url: String, reason: String },
    #[error("{url} answered with an empty file")]
    Empty { url: String },
    #[error("the image cache folder {} cannot be written: {reason}", .dir.display())]
    Cache { dir: PathBuf, reason: String },
    #[error("cancelled")]
    Cancelled,
}

fn size(bytes: impl Into<Option<u64>>) -> String {
    match bytes.into() {
        Some(b) if b >= 1024 * 1024 => format!("{:.1} MB", b as f64 / (1024.0 * 1024.0)),
        Some(b) if b >= 1024 => format!("{} KB", b / 1024),
        Some(b) => format!("{b} bytes"),
        None => "more".into(),
    }
}

impl ImageError {
    /// Whether trying again soon may help: timeouts, server errors, broken connections, a
    /// cache folder that could not be written. A missing page or a wrong file will not mend soon.
    pub fn is_retryable(&self) -> bool {
        match self {
            ImageError::Timeout { .. } | ImageError::Connection { .. } | ImageError::Cache { .. } => true,
            ImageError::Status { status, .. } => *status >= 500 || matches!(status, 408 | 429),
            _ => false,
        }
    }

    /// What the catalog records about this failure.
    pub fn failure(&self) -> ImageFailure {
        ImageFailure { reason: self.to_string(), retryable: self.is_retryable() }
    }
}

/// One URL's outcome.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fetched {
    pub url: String,
    pub outcome: Result<ImageFile, ImageError>,
}

impl Fetched {
    /// What to record in the catalog; `None` for a download cut short by a cancel (it is
    /// simply tried again next time).
    pub fn to_result(&self) -> Option<ImageResult> {
        match &self.outcome {
            Err(ImageError::Cancelled) => None,
            Ok(file) => Some(ImageResult { url: self.url.clone(), outcome: Ok(file.clone()) }),
            Err(e) => Some(ImageResult { url: self.url.clone(), outcome: Err(e.failure()) }),
        }
    }
}

/// Where the cache keeps the picture with this hash.
pub fn cache_path(cache_dir: &Path, sha256: &str, ext: &str) -> PathBuf {
    cache_dir.join(sha256.get(..2).unwrap_or("00")).join(format!("{sha256}.{ext}"))
}

/// A temporary file in the cache folder starts with this; leftovers of a crash are swept.
const PART_PREFIX: &str = ".part-";
/// Bytes kept from the start of a body to recognize the format and read the size.
const HEAD: usize = 128 * 1024;
const CHUNK: usize = 64 * 1024;

/// Downloads images into one cache folder.
#[derive(Debug, Clone)]
pub struct ImageDownloader {
    client: Client,
    dir: PathBuf,
    opts: DownloadOptions,
}

impl ImageDownloader {
    /// Creates the cache folder if needed and removes temporary files older than an hour
    /// (left by a crash; younger ones may belong to another process downloading right now).
    pub fn new(cache_dir: impl Into<PathBuf>, opts: DownloadOptions) -> Result<Self, ImageError> {
        let dir = cache_dir.into();
        let cache_err = |e: &dyn fmt::Display| ImageError::Cache { dir: dir.clone(), reason: e.to_string() };
        fs::create_dir_all(&dir).map_err(|e| cache_err(&e))?;
        sweep(&dir, Duration::from_secs(3600));
        let client = Client::builder()
            .timeout(opts.timeout)
            .connect_timeout(opts.timeout)
            .user_agent(concat!("Vitrina/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| cache_err(&e))?;
        let opts = DownloadOptions { parallel: opts.parallel.clamp(1, MAX_PARALLEL), ..opts };
        Ok(ImageDownloader { client, dir, opts })
    }

    pub fn cache_dir(&self) -> &Path {
        &self.dir
    }

    /// Downloads every URL, at most `parallel` at once, calling `on_done` on this thread as
    /// each one ends (in the order they end). After `cancel` says so, no new download starts
    /// and running ones stop at their next chunk (ending as [`ImageError::Cancelled`]).
    pub fn download_all(
        &self,
        urls: &[String],
        cancel: &(dyn Fn() -> bool + Sync),
        on_done: &mut dyn FnMut(Fetched),
    ) {
        let next = AtomicUsize::new(0);
        let workers = self.opts.parallel.min(urls.len());
        let (tx, rx) = mpsc::channel::<Fetched>();
        std::thread::scope(|scope| {
            for _ in 0..workers {
                let tx = tx.clone();
                let next = &next;
                scope.spawn(move || {
                    while !cancel() {
                        let Some(url) = urls.get(next.fetch_add(1, Ordering::Relaxed)) else { break };
                        let outcome = self.download(url, cancel);
                        if tx.send(Fetched { url: url.clone(), outcome }).is_err() {
                            break;
                        }
                    }
                });
            }
            drop(tx);
            for fetched in rx {
                on_done(fetched);
            }
        });
    }

    /// Downloads one URL into the cache.
    pub fn download(&self, url: &str, cancel: &dyn Fn() -> bool) -> Result<ImageFile, ImageError> {
        let shown = url_display(url);
        let parsed = Url::parse(url.trim())
            .map_err(|e| ImageError::BadLink { url: shown.clone(), reason: e.to_string() })?;
        if !matches!(parsed.scheme(), "http" | "https") {
            return Err(ImageError::BadLink {
                url: shown,
                reason: "only http:// and https:// links can be downloaded".into(),
            });
        }
        if cancel() {
            return Err(ImageError::Cancelled);
        }
        let secs = self.opts.timeout.as_secs().max(1);
        let mut response = self.client.get(parsed).send().map_err(|e| request_error(&e, &shown, secs))?;
        let status = response.status();
        if !status.is_success() {
            let code = status.as_u16();
            return Err(if matches!(status, StatusCode::NOT_FOUND | StatusCode::GONE) {
                ImageError::NotFound { url: shown, status: code }
            } else {
                ImageError::Status { url: shown, status: code }
            });
        }
        let limit = self.opts.max_bytes;
        if let Some(announced) = response.content_length().filter(|n| *n > limit) {
            return Err(ImageError::TooLarge { url: shown, limit, bytes: Some(announced) });
        }
        let content_type = response
            .headers()
            .get(CONTENT_TYPE)
            .map(HeaderValue::as_bytes)
            .map(|v| String::from_utf8_lossy(v).split(';').next().unwrap_or("").trim().to_ascii_lowercase())
            .filter(|t| !t.is_empty());

        let cache_err = |e: &io::Error| ImageError::Cache { dir: self.dir.clone(), reason: e.to_string() };
        let mut part =
            tempfile::Builder::new().prefix(PART_PREFIX).tempfile_in(&self.dir).map_err(|e| cache_err(&e))?;
        let mut hasher = Sha256::new();
        let mut head: Vec<u8> = Vec::new();
        let mut format = None;
        let mut total: u64 = 0;
        let mut buf = vec![0u8; CHUNK];
        loop {
            if cancel() {
                return Err(ImageError::Cancelled);
            }
            let n = match response.read(&mut buf) {
                Ok(0) => break,
                Ok(n) => n,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(read_error(&e, &shown, secs)),
            };
            let chunk = &buf[..n];
            total += n as u64;
            if total > limit {
                return Err(ImageError::TooLarge { url: shown, limit, bytes: None });
            }
            if head.len() < HEAD {
                head.extend_from_slice(&chunk[..n.min(HEAD - head.len())]);
            }
            if format.is_none() && head.len() >= SNIFF_BYTES {
                format = Some(sniff(&head).ok_or_else(|| ImageError::NotAnImage {
                    url: shown.clone(),
                    content_type: content_type.clone(),
                })?);
            }
            hasher.update(chunk);
            part.write_all(chunk).map_err(|e| cache_err(&e))?;
        }
        if total == 0 {
            return Err(ImageError::Empty { url: shown });
        }
        let format = match format {
            Some(f) => f,
            None => sniff(&head)
                .ok_or(ImageError::NotAnImage { url: shown.clone(), content_type: content_type.clone() })?,
        };
        part.flush().map_err(|e| cache_err(&e))?;
        let sha256 = format!("{:x}", hasher.finalize());
        let path = cache_path(&self.dir, &sha256, format.ext());
        if !path.exists() {
            if let Some(parent) = path.parent() {
                fs::create_dir_all(parent).map_err(|e| cache_err(&e))?;
            }
            // A rename within the folder: readers see the whole file or none. Another download
            // of the same picture may have won the race; its file has the same bytes.
            if let Err(e) = part.persist(&path)
                && !path.exists()
            {
                return Err(cache_err(&e.error));
            }
        }
        let (width, height) = dimensions(format, &head).unzip();
        let content_type =
            content_type.filter(|t| t.starts_with("image/")).unwrap_or_else(|| format.mime().into());
        tracing::debug!(url = %shown, bytes = total, sha256 = %sha256, "image cached");
        Ok(ImageFile { sha256, bytes: total, content_type, ext: format.ext().into(), width, height })
    }
}

/// Removes `.part-*` files older than `age` from the cache folder.
fn sweep(dir: &Path, age: Duration) {
    let Ok(entries) = fs::read_dir(dir) else { return };
    let now = SystemTime::now();
    for entry in entries.flatten() {
        let old = entry
            .metadata()
            .and_then(|m| m.modified())
            .is_ok_and(|t| now.duration_since(t).is_ok_and(|d| d > age));
        if old && entry.file_name().to_string_lossy().starts_with(PART_PREFIX) {
            let _ = fs::remove_file(entry.path());
        }
    }
}

fn request_error(e: &reqwest::Error, url: &str, secs: u64) -> ImageError {
    if e.is_timeout() {
        return ImageError::Timeout { url: url.to_owned(), secs };
    }
    ImageError::Connection { url: url.to_owned(), reason: reason_of(e) }
}

fn read_error(e: &io::Error, url: &str, secs: u64) -> ImageError {
    let inner = e.get_ref().and_then(|i| i.downcast_ref::<reqwest::Error>());
    if e.kind() == io::ErrorKind::TimedOut || inner.is_some_and(reqwest::Error::is_timeout) {
        return ImageError::Timeout { url: url.to_owned(), secs };
    }
    let reason = inner.map_or_else(|| e.to_string(), reason_of);
    ImageError::Connection { url: url.to_owned(), reason: format!("the connection broke ({reason})") }
}

/// The innermost cause that does not repeat the link (reqwest puts the full URL in its own text).
fn reason_of(e: &reqwest::Error) -> String {
    let causes = std::iter::successors(e.source(), |&c| c.source());
    let refused = causes
        .clone()
        .filter_map(|c| c.downcast_ref::<io::Error>())
        .any(|io| io.kind() == io::ErrorKind::ConnectionRefused);
    if refused {
        return "the server refused the connection".into();
    }
    causes
        .map(|c| c.to_string())
        .filter(|t| !t.contains("://"))
        .last()
        .unwrap_or_else(|| "the connection failed".into())
}

/// The picture formats the cache keeps: the ones marketplaces take.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ImageFormat {
    Jpeg,
    Png,
    WebP,
    Gif,
}

impl ImageFormat {
    pub fn ext(self) -> &'static str {
        match self {
            ImageFormat::Jpeg => "jpg",
            ImageFormat::Png => "png",
            ImageFormat::WebP => "webp",
            ImageFormat::Gif => "gif",
        }
    }

    pub fn mime(self) -> &'static str {
        match self {
            ImageFormat::Jpeg => "image/jpeg",
            ImageFormat::Png => "image/png",
            ImageFormat::WebP => "image/webp",
            ImageFormat::Gif => "image/gif",
        }
    }
}

/// Enough of the start of a file to tell the formats apart.
const SNIFF_BYTES: usize = 12;

/// The format, from the first bytes (servers often call images `application/octet-stream`,
/// and sometimes call an error page `image/jpeg`).
pub fn sniff(head: &[u8]) -> Option<ImageFormat> {
    if head.starts_with(&[0xFF, 0xD8, 0xFF]) {
        Some(ImageFormat::Jpeg)
    } else if head.starts_with(b"\x89PNG\r\n\x1a\n") {
        Some(ImageFormat::Png)
    } else if head.starts_with(b"GIF87a") || head.starts_with(b"GIF89a") {
        Some(ImageFormat::Gif)
    } else if head.len() >= 12 && &head[..4] == b"RIFF" && &head[8..12] == b"WEBP" {
        Some(ImageFormat::WebP)
    } else {
        None
    }
}

/// Width and height from the file's header, when it is within `head`.
pub fn dimensions(format: ImageFormat, head: &[u8]) -> Option<(u32, u32)> {
    let be16 = |i: usize| head.get(i..i + 2).map(|b| u32::from(u16::from_be_bytes([b[0], b[1]])));
    let le16 = |i: usize| head.get(i..i + 2).map(|b| u32::from(u16::from_le_bytes([b[0], b[1]])));
    let be32 = |i: usize| head.get(i..i + 4).map(|b| u32::from_be_bytes([b[0], b[1], b[2], b[3]]));
    let le24 = |i: usize| head.get(i..i + 3).map(|b| u32::from_le_bytes([b[0], b[1], b[2], 0]));
    let size = match format {
        ImageFormat::Png if head.get(12..16) == Some(b"IHDR") => (be32(16)?, be32(20)?),
        ImageFormat::Png => return None,
        ImageFormat::Gif => (le16(6)?, le16(8)?),
        ImageFormat::WebP => match head.get(12..16)? {
            b"VP8 " => (le16(26)? & 0x3FFF, le16(28)? & 0x3FFF),
            b"VP8L" => {
                let b = head.get(21..25)?;
                let bits = u32::from_le_bytes([b[0], b[1], b[2], b[3]]);
                ((bits & 0x3FFF) + 1, ((bits >> 14) & 0x3FFF) + 1)
            }
            b"VP8X" => (le24(24)? + 1, le24(27)? + 1),
            _ => return None,
        },
        ImageFormat::Jpeg => {
            // Walk the segments to the frame header (SOFn), skipping EXIF and the like.
            let mut i = 2;
            loop {
                while head.get(i) == Some(&0xFF) && head.get(i + 1) == Some(&0xFF) {
                    i += 1;
                }
                if head.get(i) != Some(&0xFF) {
                    return None;
                }
                let marker = *head.get(i + 1)?;
                match marker {
                    0xD0..=0xD9 | 0x01 => i += 2,
                    0xC0..=0xCF if !matches!(marker, 0xC4 | 0xC8 | 0xCC) => {
                        break (be16(i + 7)?, be16(i + 5)?);
                    }
                    _ => i += 2 + be16(i + 2)? as usize,
                }
            }
        }
    };
    (size.0 > 0 && size.1 > 0).then_some(size)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_are_told_by_their_first_bytes() {
        assert_eq!(sniff(b"\xFF\xD8\xFF\xE0\0\x10JFIF\0"), Some(ImageFormat::Jpeg));
        assert_eq!(sniff(b"\x89PNG\r\n\x1a\n\0\0\0\x0d"), Some(ImageFormat::Png));
        assert_eq!(sniff(b"GIF89a\x02\0\x03\0\0\0"), Some(ImageFormat::Gif));
        assert_eq!(sniff(b"RIFF\x10\0\0\0WEBPVP8 "), Some(ImageFormat::WebP));
        assert_eq!(sniff(b"<!doctype html><html>"), None);
        assert_eq!(sniff(b"RIFF\x10\0\0\0WAVEfmt "), None);
    }

    #[test]
    fn sizes_come_from_the_headers() {
        let mut png = b"\x89PNG\r\n\x1a\n\0\0\0\x0dIHDR".to_vec();
        png.extend_from_slice(&[0, 0, 2, 0x80, 0, 0, 1, 0xE0, 8, 6, 0, 0, 0]);
        assert_eq!(dimensions(ImageFormat::Png, &png), Some((640, 480)));
        assert_eq!(dimensions(ImageFormat::Gif, b"GIF89a\x02\0\x03\0\0\0"), Some((2, 3)));
        // A JPEG with an APP0 segment before its baseline frame header.
        let jpeg =
            [0xFF, 0xD8, 0xFF, 0xE0, 0, 4, 0, 0, 0xFF, 0xC0, 0, 11, 8, 0, 0x78, 0, 0xA0, 3, 1, 0x22, 0];
        assert_eq!(dimensions(ImageFormat::Jpeg, &jpeg), Some((160, 120)));
        assert_eq!(dimensions(ImageFormat::Jpeg, &jpeg[..10]), None, "cut short: unknown, not wrong");
        let mut webp = b"RIFF\0\0\0\0WEBPVP8X\x0a\0\0\0\0\0\0\0".to_vec();
        webp.extend_from_slice(&[0x3F, 0x01, 0, 0xEF, 0, 0]);
        assert_eq!(dimensions(ImageFormat::WebP, &webp), Some((320, 240)));
    }

    #[test]
    fn errors_read_as_sentences_and_say_whether_to_retry_soon() {
        let nf = ImageError::NotFound { url: "https://x.ru/a.jpg".into(), status: 404 };
        assert!(nf.to_string().contains("not found (HTTP 404)"));
        assert!(!nf.is_retryable());
        let html = ImageError::NotAnImage {
            url: "https://x.ru/a.jpg".into(),
            content_type: Some("text/html".into()),
        };
        assert_eq!(html.to_string(), "https://x.ru/a.jpg is not an image (the server sent text/html)");
        let big = ImageError::TooLarge { url: "u".into(), limit: DEFAULT_MAX_BYTES, bytes: Some(31_457_280) };
        assert_eq!(big.to_string(), "u is too large: 30.0 MB (the limit is 20.0 MB)");
        assert!(ImageError::Status { url: "u".into(), status: 503 }.is_retryable());
        assert!(!ImageError::Status { url: "u".into(), status: 403 }.is_retryable());
        assert!(ImageError::Timeout { url: "u".into(), secs: 30 }.failure().retryable);
        let cancelled = Fetched { url: "u".into(), outcome: Err(ImageError::Cancelled) };
        assert_eq!(cancelled.to_result(), None, "a cancelled download is not a failure to remember");
    }
}
