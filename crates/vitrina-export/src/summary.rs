//! What one profile's export did, as the Feeds screen and `vitrina feeds export` show it.

use std::collections::BTreeMap;
use std::path::PathBuf;

use serde::{Deserialize, Serialize};
use vitrina_formats::write::{Skip, WriteSummary};

/// At most this many skipped products are listed by SKU (all are counted).
pub const LISTED_SKIPS: usize = 200;

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct ExportSummary {
    pub profile: String,
    /// The format's code (`yml`, `avito`, …).
    pub format: String,
    /// Products the profile's selection kept.
    pub matched: u64,
    pub written: u64,
    pub skipped: u64,
    /// Skipped products by reason code (`no_price`, `no_picture`, `title_too_long`, …).
    pub skipped_by_reason: BTreeMap<String, u64>,
    /// The first [`LISTED_SKIPS`] skipped products with their reason.
    pub skipped_items: Vec<SkippedItem>,
    /// Characters XML forbids (control characters), dropped.
    pub cleaned_chars: u64,
    /// Characters the file's encoding cannot hold, replaced.
    pub replaced_chars: u64,
    pub file: PathBuf,
    pub bytes: u64,
    pub millis: u64,
    pub upload: Option<UploadResult>,
    /// The selection kept nothing: the file is a valid empty feed.
    pub empty: bool,
    /// UTC milliseconds.
    pub finished_at: i64,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SkippedItem {
    pub sku: String,
    pub code: String,
    pub reason: String,
}

/// Where the file went after it was written.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct UploadResult {
    /// `s3://bucket/key`, `ftp://host/dir/name` or a folder path.
    pub location: String,
    pub public_url: Option<String>,
    /// An empty feed is not uploaded: a marketplace takes a missing offer as withdrawn, and an
    /// empty file would close every listing.
    pub skipped_empty: bool,
}

impl ExportSummary {
    pub(crate) fn skip(&mut self, sku: &str, skip: &Skip) {
        self.skipped += 1;
        *self.skipped_by_reason.entry(skip.code().to_string()).or_default() += 1;
        if self.skipped_items.len() < LISTED_SKIPS {
            self.skipped_items.push(SkippedItem {
                sku: sku.to_string(),
                code: skip.code().into(),
                reason: skip.to_string(),
            });
        }
    }

    pub(crate) fn absorb(&mut self, w: &WriteSummary) {
        self.written = w.written;
        self.cleaned_chars = w.cleaned_chars;
        self.replaced_chars = w.replaced_chars;
    }
}
