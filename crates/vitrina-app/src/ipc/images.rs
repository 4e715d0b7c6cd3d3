//! The local image cache's DTOs: what `vitrina images status` and `vitrina images fetch` print.

use serde::{Deserialize, Serialize};
use serde_json::Value;
use ts_rs::TS;

use crate::images::{DownloadSummary, ImageStatus};

/// An image link whose last download failed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct ImageFailureDto {
    pub url: String,
    pub reason: String,
    /// Failures in a row.
    pub attempts: u32,
    #[ts(type = "number")]
    pub last_try_at: u64,
    /// When it is tried again; `null`: given up.
    #[ts(type = "number | null")]
    pub retry_at: Option<u64>,
}

/// The cache's state over the products' image links, and the latest failures.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct ImageStatusDto {
    /// The cache folder.
    pub dir: String,
    /// Distinct image links of products…
    #[ts(type = "number")]
    pub urls: u64,
    /// … whose picture is in the cache,
    #[ts(type = "number")]
    pub cached: u64,
    /// … never tried yet,
    #[ts(type = "number")]
    pub pending: u64,
    /// … whose last download failed,
    #[ts(type = "number")]
    pub failed: u64,
    /// … of those, due for a retry now.
    #[ts(type = "number")]
    pub retry_due: u64,
    /// What a download would try now (pending and due for a retry).
    #[ts(type = "number")]
    pub to_download: u64,
    /// Files in the cache (a picture under several links counts once) and their size.
    #[ts(type = "number")]
    pub files: u64,
    #[ts(type = "number")]
    pub bytes: u64,
    pub failures: Vec<ImageFailureDto>,
}

/// What one download of images did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct ImageDownloadDto {
    /// Links whose picture is now in the cache.
    #[ts(type = "number")]
    pub downloaded: u64,
    /// Links that failed (recorded, tried again later).
    #[ts(type = "number")]
    pub failed: u64,
    /// Bytes received.
    #[ts(type = "number")]
    pub bytes: u64,
    /// Still to download after this run.
    #[ts(type = "number")]
    pub remaining: u64,
    /// Files in the cache now.
    #[ts(type = "number")]
    pub files: u64,
}

impl From<&ImageStatus> for ImageStatusDto {
    fn from(s: &ImageStatus) -> Self {
        let c = &s.counts;
        ImageStatusDto {
            dir: s.dir.display().to_string(),
            urls: c.urls,
            cached: c.cached,
            pending: c.pending,
            failed: c.failed,
            retry_due: c.retry_due,
            to_download: c.to_download(),
            files: c.files,
            bytes: c.bytes,
            failures: s
                .failures
                .iter()
                .map(|f| ImageFailureDto {
                    url: f.url.clone(),
                    reason: f.reason.clone(),
                    attempts: f.attempts,
                    last_try_at: f.last_try_at,
                    retry_at: f.retry_at,
                })
                .collect(),
        }
    }
}

impl From<&DownloadSummary> for ImageDownloadDto {
    fn from(s: &DownloadSummary) -> Self {
        ImageDownloadDto {
            downloaded: s.downloaded,
            failed: s.failed,
            bytes: s.bytes,
            remaining: s.remaining,
            files: s.files,
        }
    }
}

impl ImageDownloadDto {
    /// The summary an `images.download` job reported as its result (zeros when it has none).
    pub fn from_job_result(result: Option<&Value>) -> Self {
        let summary: DownloadSummary =
            result.and_then(|r| serde_json::from_value(r.clone()).ok()).unwrap_or_default();
        (&summary).into()
    }
}
