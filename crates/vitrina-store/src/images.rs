//! The image cache's records (DESIGN §3): which product image URLs already have their picture in
//! the local content-addressed cache, which failed and when to try them again.
//!
//! Products keep their image URLs, one per line, in `product_details.images`. The files
//! themselves are written by `vitrina-import::images`; this module only knows rows: the URLs
//! still to download (walked by product in keyset batches), the outcome of each download, and
//! where a URL's picture is. A failed URL backs off (see [`retry_delay_ms`]) and is given up
//! after a few failures in a row, so a dead link is not fetched forever.

use std::collections::HashSet;

use rusqlite::{OptionalExtension, TransactionBehavior, params};
use serde::Serialize;

use crate::catalog::Catalog;
use crate::error::Result;

/// A downloaded picture as the cache keeps it: `<sha256[..2]>/<sha256>.<ext>`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ImageFile {
    /// SHA-256 of the content, lowercase hex.
    pub sha256: String,
    pub bytes: u64,
    /// As the server sent it, or the sniffed type when it sent none.
    pub content_type: String,
    /// `jpg`, `png`, `webp` or `gif`.
    pub ext: String,
    pub width: Option<u32>,
    pub height: Option<u32>,
}

/// Why a download failed, in the seller's words, and whether trying again soon may help.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImageFailure {
    pub reason: String,
    /// A timeout, a server error, a broken connection: worth another try soon. A missing page,
    /// something that is not an image, a picture over the size limit: worth one much later.
    pub retryable: bool,
}

/// The outcome of one URL's download, to record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImageResult {
    pub url: String,
    pub outcome: std::result::Result<ImageFile, ImageFailure>,
}

/// A URL whose picture is in the cache.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CachedImage {
    pub url: String,
    #[serde(flatten)]
    pub file: ImageFile,
    pub fetched_at: u64,
}

/// A URL whose last download failed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FailedImage {
    pub url: String,
    pub reason: String,
    /// Failures in a row.
    pub attempts: u32,
    pub last_try_at: u64,
    /// When it is tried again; `None`: given up.
    pub retry_at: Option<u64>,
}

/// Where a walk over the products' image URLs goes on: after this product.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ImageCursor(i64);

/// One batch of URLs to download.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PendingImages {
    /// Distinct within the batch, in product order.
    pub urls: Vec<String>,
    /// Where the next batch starts; `None` when the walk reached the last product.
    pub next: Option<ImageCursor>,
}

/// The state of the cache over the products' image URLs.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct ImageCounts {
    /// Distinct image URLs of products.
    pub urls: u64,
    /// … whose picture is in the cache.
    pub cached: u64,
    /// … never tried yet.
    pub pending: u64,
    /// … whose last download failed (waiting for a retry, or given up).
    pub failed: u64,
    /// … of those, due for a retry now.
    pub retry_due: u64,
    /// Files in the cache (a picture under several URLs counts once) and their size.
    pub files: u64,
    pub bytes: u64,
}

impl ImageCounts {
    /// What a download run would try now.
    pub fn to_download(&self) -> u64 {
        self.pending + self.retry_due
    }
}

/// Failures in a row after which a URL is no longer tried (until a person asks again).
pub const GIVE_UP_AFTER: u32 = 6;
/// The same for a URL that answered "not found", "not an image" or "too large".
pub const GIVE_UP_AFTER_PERMANENT: u32 = 3;

const MINUTE: u64 = 60_000;
const DAY: u64 = 24 * 60 * MINUTE;

/// How long to wait before trying a URL again after its `attempts`-th failure in a row
/// (1 = the first); `None` = give up. Retryable failures start at 15 minutes, the others at a
/// day; each further failure waits four times longer, at most 30 days.
pub fn retry_delay_ms(attempts: u32, retryable: bool) -> Option<u64> {
    let (base, limit) = if retryable { (15 * MINUTE, GIVE_UP_AFTER) } else { (DAY, GIVE_UP_AFTER_PERMANENT) };
    if attempts == 0 || attempts >= limit {
        return None;
    }
    Some(base.saturating_mul(4u64.saturating_pow(attempts - 1)).min(30 * DAY))
}

/// Products read per call of [`Catalog::pending_images`] at most, so a walk over a catalog
/// whose images are all cached still returns (and can be cancelled) often.
const SCAN_PRODUCTS: i64 = 2_000;

/// Splits `product_details.images` the way products read it: one URL per line.
fn image_lines(text: &str) -> impl Iterator<Item = &str> {
    text.lines().filter(|l| !l.is_empty())
}

impl Catalog {
    /// The next batch of image URLs to download: not in the cache, never tried or due for a
    /// retry. About `limit` URLs (a product's URLs are never split across batches), walking
    /// products in `rid` order after `after`. A batch may come back empty with `next` set when
    /// a long run of products had nothing to download: call again with `next`.
    pub fn pending_images(&self, after: Option<ImageCursor>, limit: usize) -> Result<PendingImages> {
        let now = self.now_ms() as i64;
        let db = self.db();
        let mut products = db.prepare_cached(
            "SELECT rid, images FROM product_details WHERE rid > ?1 AND images <> '' ORDER BY rid LIMIT ?2",
        )?;
        let mut state =
            db.prepare_cached("SELECT sha256 IS NOT NULL, retry_at FROM image_cache WHERE url = ?1")?;
        let mut cursor = after.map_or(i64::MIN, |c| c.0);
        let mut seen = HashSet::new();
        let mut urls = Vec::new();
        let mut rows = products.query(params![cursor, SCAN_PRODUCTS])?;
        let mut read = 0;
        while let Some(row) = rows.next()? {
            read += 1;
            cursor = row.get(0)?;
            let text: String = row.get(1)?;
            for url in image_lines(&text) {
                if seen.contains(url) {
                    continue;
                }
                let due = match state
                    .query_row([url], |r| Ok((r.get::<_, bool>(0)?, r.get::<_, Option<i64>>(1)?)))
                    .optional()?
                {
                    None => true,
                    Some((cached, retry_at)) => !cached && retry_at.is_some_and(|at| at <= now),
                };
                seen.insert(url.to_string());
                if due {
                    urls.push(url.to_string());
                }
            }
            if urls.len() >= limit.max(1) {
                return Ok(PendingImages { urls, next: Some(ImageCursor(cursor)) });
            }
        }
        let next = (read == SCAN_PRODUCTS).then_some(ImageCursor(cursor));
        Ok(PendingImages { urls, next })
    }

    /// Records downloads in one transaction: a success points the URL at its file and clears
    /// its failures; a failure counts one more and sets when to try again.
    pub fn record_images(&mut self, results: &[ImageResult]) -> Result<()> {
        let now = self.now_ms() as i64;
        let tx = self.conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        {
            let mut stored = tx.prepare_cached(
                "INSERT INTO image_cache (url, sha256, bytes, content_type, ext, width, height, fetched_at,
                                          attempts, last_error, last_try_at, retry_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, 0, NULL, ?8, NULL)
                 ON CONFLICT (url) DO UPDATE SET
                    sha256 = excluded.sha256, bytes = excluded.bytes, content_type = excluded.content_type,
                    ext = excluded.ext, width = excluded.width, height = excluded.height,
                    fetched_at = excluded.fetched_at, attempts = 0, last_error = NULL,
                    last_try_at = excluded.last_try_at, retry_at = NULL",
            )?;
            let mut attempts = tx.prepare_cached("SELECT attempts FROM image_cache WHERE url = ?1")?;
            let mut failed = tx.prepare_cached(
                "INSERT INTO image_cache (url, attempts, last_error, last_try_at, retry_at)
                 VALUES (?1, ?2, ?3, ?4, ?5)
                 ON CONFLICT (url) DO UPDATE SET
                    attempts = excluded.attempts, last_error = excluded.last_error,
                    last_try_at = excluded.last_try_at, retry_at = excluded.retry_at",
            )?;
            for r in results {
                match &r.outcome {
                    Ok(f) => {
                        stored.execute(params![
                            r.url,
                            f.sha256,
                            f.bytes as i64,
                            f.content_type,
                            f.ext,
                            f.width,
                            f.height,
                            now
                        ])?;
                    }
                    Err(e) => {
                        let before: u32 =
                            attempts.query_row([&r.url], |row| row.get(0)).optional()?.unwrap_or(0);
                        let n = before.saturating_add(1);
                        let retry_at = retry_delay_ms(n, e.retryable).map(|d| now.saturating_add(d as i64));
                        failed.execute(params![r.url, n, e.reason, now, retry_at])?;
                    }
                }
            }
        }
        tx.commit()?;
        Ok(())
    }

    /// The cached picture of `url`, if it has one.
    pub fn cached_image(&self, url: &str) -> Result<Option<CachedImage>> {
        let mut stmt = self.db().prepare_cached(
            "SELECT sha256, bytes, content_type, ext, width, height, fetched_at
             FROM image_cache WHERE url = ?1 AND sha256 IS NOT NULL",
        )?;
        Ok(stmt
            .query_row([url], |r| {
                Ok(CachedImage {
                    url: url.to_string(),
                    file: ImageFile {
                        sha256: r.get(0)?,
                        bytes: r.get::<_, i64>(1)? as u64,
                        content_type: r.get::<_, Option<String>>(2)?.unwrap_or_default(),
                        ext: r.get::<_, Option<String>>(3)?.unwrap_or_default(),
                        width: r.get(4)?,
                        height: r.get(5)?,
                    },
                    fetched_at: r.get::<_, Option<i64>>(6)?.unwrap_or(0) as u64,
                })
            })
            .optional()?)
    }

    /// The most recent failures, newest first.
    pub fn image_failures(&self, limit: u32) -> Result<Vec<FailedImage>> {
        let mut stmt = self.db().prepare_cached(
            "SELECT url, last_error, attempts, last_try_at, retry_at FROM image_cache
             WHERE sha256 IS NULL AND attempts > 0 ORDER BY last_try_at DESC, url LIMIT ?1",
        )?;
        let rows = stmt.query_map([limit], |r| {
            Ok(FailedImage {
                url: r.get(0)?,
                reason: r.get::<_, Option<String>>(1)?.unwrap_or_default(),
                attempts: r.get(2)?,
                last_try_at: r.get::<_, Option<i64>>(3)?.unwrap_or(0) as u64,
                retry_at: r.get::<_, Option<i64>>(4)?.map(|v| v as u64),
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// Makes every failed URL (given up ones too) due for a download now; returns how many.
    pub fn retry_failed_images(&mut self) -> Result<u64> {
        let now = self.now_ms() as i64;
        let n = self
            .conn
            .execute("UPDATE image_cache SET retry_at = ?1 WHERE sha256 IS NULL AND attempts > 0", [now])?;
        Ok(n as u64)
    }

    /// Counts over every product's image URLs: one pass over the products' image lists and one
    /// over the cache, with URLs known by their 64-bit hash (a million products have ~3M links;
    /// splitting and de-duplicating them in SQL took 15–19 s, this takes a few seconds).
    pub fn image_counts(&self) -> Result<ImageCounts> {
        let now = self.now_ms() as i64;
        let db = self.db();
        let key = |url: &str| vitrina_domain::stable_hash(url.as_bytes());
        let mut links = HashSet::new();
        let mut products = db.prepare("SELECT images FROM product_details WHERE images <> ''")?;
        let mut rows = products.query([])?;
        while let Some(row) = rows.next()? {
            let text = row.get_ref(0)?.as_str().map_err(rusqlite::Error::from)?;
            links.extend(image_lines(text).map(key)); // the split `pending_images` uses
        }
        let (mut cached, mut failed, mut retry_due, mut known) = (0i64, 0i64, 0i64, 0i64);
        let mut cache = db.prepare("SELECT url, sha256 IS NOT NULL, attempts, retry_at FROM image_cache")?;
        let mut rows = cache.query([])?;
        while let Some(row) = rows.next()? {
            let url = row.get_ref(0)?.as_str().map_err(rusqlite::Error::from)?;
            if !links.contains(&key(url)) {
                continue; // a picture no product links to any more
            }
            known += 1;
            let (is_cached, attempts, retry_at): (bool, i64, Option<i64>) =
                (row.get(1)?, row.get(2)?, row.get(3)?);
            if is_cached {
                cached += 1;
            } else if attempts > 0 {
                failed += 1;
                retry_due += i64::from(retry_at.is_some_and(|at| at <= now));
            }
        }
        let urls = links.len() as i64;
        let pending = urls - known;
        let (files, bytes): (i64, i64) = db.query_row(
            "SELECT count(*), coalesce(sum(bytes), 0) FROM
                 (SELECT max(bytes) AS bytes FROM image_cache WHERE sha256 IS NOT NULL GROUP BY sha256)",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )?;
        Ok(ImageCounts {
            urls: urls as u64,
            cached: cached as u64,
            pending: pending as u64,
            failed: failed as u64,
            retry_due: retry_due as u64,
            files: files as u64,
            bytes: bytes as u64,
        })
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicU64, Ordering};

    use vitrina_domain::{Image, Money, Product, ProductDraft};

    use super::*;

    const T0: u64 = 1_800_000_000_000;

    fn catalog(products: &[(&str, &[&str])]) -> (tempfile::TempDir, Catalog, Arc<AtomicU64>) {
        let dir = tempfile::tempdir().unwrap();
        let mut c = Catalog::open(dir.path().join("catalog.db")).unwrap();
        let now = Arc::new(AtomicU64::new(T0));
        let clock = now.clone();
        c.set_clock(Arc::new(move || clock.load(Ordering::SeqCst)));
        for (sku, urls) in products {
            let mut p = Product::new(ProductDraft {
                sku: (*sku).into(),
                name: "Кружка".into(),
                price: Money::rub(100),
            })
            .unwrap();
            p.images = urls.iter().map(|u| Image { url: (*u).to_string() }).collect();
            c.create_product(&p).unwrap();
        }
        (dir, c, now)
    }

    fn file(sha: char) -> ImageFile {
        ImageFile {
            sha256: sha.to_string().repeat(64),
            bytes: 10,
            content_type: "image/png".into(),
            ext: "png".into(),
            width: Some(1),
            height: Some(1),
        }
    }

    fn ok(url: &str, sha: char) -> ImageResult {
        ImageResult { url: url.into(), outcome: Ok(file(sha)) }
    }

    fn failed(url: &str, retryable: bool) -> ImageResult {
        ImageResult { url: url.into(), outcome: Err(ImageFailure { reason: "404".into(), retryable }) }
    }

    /// Every pending URL, walking in batches of `limit`.
    fn walk(c: &Catalog, limit: usize) -> (Vec<Vec<String>>, usize) {
        let (mut batches, mut calls, mut at) = (Vec::new(), 0, None);
        loop {
            calls += 1;
            let b = c.pending_images(at, limit).unwrap();
            if !b.urls.is_empty() {
                batches.push(b.urls);
            }
            match b.next {
                Some(n) => at = Some(n),
                None => return (batches, calls),
            }
        }
    }

    #[test]
    fn pending_urls_come_in_keyset_batches_without_duplicates_or_cached_ones() {
        let (_d, mut c, _) = catalog(&[
            ("A", &["http://x/1.png", "http://x/2.png"]),
            ("B", &[]),
            ("C", &["http://x/2.png", "http://x/3.png"]),
            ("D", &["http://x/4.png"]),
        ]);
        let (batches, _) = walk(&c, 2);
        assert_eq!(
            batches,
            vec![
                vec!["http://x/1.png", "http://x/2.png"],
                vec!["http://x/2.png", "http://x/3.png"],
                vec!["http://x/4.png"]
            ],
            "a product's URLs stay together; a URL comes again in a later batch until it is recorded"
        );
        c.record_images(&[ok("http://x/1.png", 'a'), ok("http://x/2.png", 'a')]).unwrap();
        let (batches, _) = walk(&c, 100);
        assert_eq!(batches, vec![vec!["http://x/3.png", "http://x/4.png"]]);
        let counts = c.image_counts().unwrap();
        assert_eq!(
            counts,
            ImageCounts { urls: 4, cached: 2, pending: 2, failed: 0, retry_due: 0, files: 1, bytes: 10 },
            "two URLs of one picture make one file"
        );
        c.record_images(&[ok("http://x/gone.png", 'a')]).unwrap();
        let counts = c.image_counts().unwrap();
        assert_eq!((counts.urls, counts.cached), (4, 2), "a cached link no product has is not counted");
        let got = c.cached_image("http://x/2.png").unwrap().unwrap();
        assert_eq!((got.file.sha256, got.fetched_at), ("a".repeat(64), T0));
        assert!(c.cached_image("http://x/3.png").unwrap().is_none());
    }

    #[test]
    fn a_long_run_of_cached_products_still_returns_between_scans() {
        let many: Vec<String> = (0..(SCAN_PRODUCTS as usize + 10)).map(|i| format!("S{i}")).collect();
        let list: Vec<(&str, &[&str])> =
            many.iter().map(|s| (s.as_str(), &["http://x/same.png"][..])).collect();
        let (_d, mut c, _) = catalog(&list);
        c.record_images(&[ok("http://x/same.png", 'b')]).unwrap();
        let (batches, calls) = walk(&c, 10);
        assert!(batches.is_empty());
        assert_eq!(calls, 2, "one scan's worth per call");
    }

    #[test]
    fn failures_back_off_and_are_given_up() {
        let (_d, mut c, now) = catalog(&[("A", &["http://x/dead.png", "http://x/slow.png"])]);
        c.record_images(&[failed("http://x/dead.png", false), failed("http://x/slow.png", true)]).unwrap();
        assert!(walk(&c, 10).0.is_empty(), "neither is due right after failing");
        let counts = c.image_counts().unwrap();
        assert_eq!((counts.failed, counts.pending, counts.retry_due), (2, 0, 0));

        now.fetch_add(15 * MINUTE, Ordering::SeqCst);
        assert_eq!(walk(&c, 10).0, vec![vec!["http://x/slow.png"]], "a timeout is retried soon");
        c.record_images(&[failed("http://x/slow.png", true)]).unwrap();
        assert!(walk(&c, 10).0.is_empty(), "the second wait is longer");
        now.fetch_add(60 * MINUTE, Ordering::SeqCst);
        assert_eq!(walk(&c, 10).0, vec![vec!["http://x/slow.png"]]);

        now.fetch_add(DAY, Ordering::SeqCst);
        assert_eq!(c.image_counts().unwrap().retry_due, 2);
        c.record_images(&[failed("http://x/dead.png", false)]).unwrap();
        now.fetch_add(4 * DAY, Ordering::SeqCst);
        c.record_images(&[failed("http://x/dead.png", false)]).unwrap();
        let dead = c.image_failures(10).unwrap().into_iter().find(|f| f.url.ends_with("dead.png")).unwrap();
        assert_eq!((dead.attempts, dead.retry_at), (3, None), "given up after three permanent failures");
        now.fetch_add(365 * DAY, Ordering::SeqCst);
        assert_eq!(walk(&c, 10).0, vec![vec!["http://x/slow.png"]], "never again, until asked");

        assert_eq!(c.retry_failed_images().unwrap(), 2);
        assert_eq!(walk(&c, 10).0, vec![vec!["http://x/dead.png", "http://x/slow.png"]]);
        c.record_images(&[ok("http://x/dead.png", 'c')]).unwrap();
        let counts = c.image_counts().unwrap();
        assert_eq!((counts.cached, counts.failed), (1, 1), "a success clears the failures");
        assert!(c.image_failures(10).unwrap().iter().all(|f| f.url.ends_with("slow.png")));
    }

    #[test]
    fn retry_delays_grow_and_stop() {
        assert_eq!(retry_delay_ms(1, true), Some(15 * MINUTE));
        assert_eq!(retry_delay_ms(2, true), Some(60 * MINUTE));
        assert_eq!(retry_delay_ms(GIVE_UP_AFTER, true), None);
        assert_eq!(retry_delay_ms(1, false), Some(DAY));
        assert_eq!(retry_delay_ms(2, false), Some(4 * DAY));
        assert_eq!(retry_delay_ms(GIVE_UP_AFTER_PERMANENT, false), None);
        assert!((1..GIVE_UP_AFTER).all(|n| retry_delay_ms(n, true).unwrap() <= 30 * DAY));
    }
}
