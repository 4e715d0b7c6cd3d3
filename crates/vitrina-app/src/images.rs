//! Product images in the local cache (DESIGN §3): the `images.download` job that fetches the
//! products' image URLs in the background (queued after every import that created or changed
//! products), the cache's state, and the local file of an image for the desktop to show.
//!
//! The cache is the folder `images/` next to the catalog; its files are named by content
//! (`images/ab/ab12….jpg`), and the catalog's `image_cache` table says which URL is which file.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};

use serde::{Deserialize, Serialize};
use vitrina_import::images::{DownloadOptions, ImageDownloader, cache_path};
use vitrina_jobs::{Classify, JobCtx, JobError, JobPayload, KindOptions, Registry};
use vitrina_store::images::{FailedImage, ImageCounts};

use crate::catalog::App;
use crate::error::AppResult;
use crate::jobs::{JobRecord, Jobs, JobsContext, QueueOptions};

/// The job kind that downloads pending images.
pub const DOWNLOAD_KIND: &str = <DownloadPayload as JobPayload>::KIND;

/// Registers `images.download`.
pub fn register(r: &mut Registry<JobsContext>) {
    r.register_kind(
        KindOptions::new(
            "Download products' images into the local cache (payload: limit, parallel, retry_failed)",
        )
        .concurrency(1),
        download,
    );
}

/// Queues a download of the images not in the cache yet.
pub fn queue_download(jobs: &Jobs, payload: &DownloadPayload, attempts: Option<u32>) -> AppResult<JobRecord> {
    jobs.queue_job(payload, &QueueOptions { concurrency_key: None, max_attempts: attempts })
}

/// URLs read from the catalog per walk step.
const BATCH: usize = 200;
/// Outcomes recorded per transaction.
const RECORD_EVERY: usize = 25;
/// Failures named in the job's log (the rest are counted).
const LOGGED_FAILURES: usize = 20;

/// The image cache of the catalog at `catalog`: `images/` next to it.
pub fn images_dir(catalog: &Path) -> PathBuf {
    catalog.parent().unwrap_or(Path::new(".")).join("images")
}

/// `images.download`: download the products' images that are not in the cache yet.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct DownloadPayload {
    /// At most this many URLs in this run (default: all).
    #[serde(default)]
    pub limit: Option<u64>,
    /// Downloads at once (default 4, at most 16).
    #[serde(default)]
    pub parallel: Option<usize>,
    /// Try the failed URLs again now, given-up ones included.
    #[serde(default)]
    pub retry_failed: bool,
}

impl JobPayload for DownloadPayload {
    const KIND: &'static str = "images.download";
}

/// What a download run did.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq, Eq)]
pub struct DownloadSummary {
    /// URLs whose picture is now in the cache.
    pub downloaded: u64,
    /// URLs that failed (recorded, tried again later).
    pub failed: u64,
    /// Bytes received for the downloaded ones.
    pub bytes: u64,
    /// Still to download after this run (more than `limit`, or new products meanwhile).
    pub remaining: u64,
    /// Files in the cache now.
    pub files: u64,
}

/// The cache's state and its recent failures.
#[derive(Debug, Clone, Serialize)]
pub struct ImageStatus {
    pub dir: PathBuf,
    #[serde(flatten)]
    pub counts: ImageCounts,
    pub failures: Vec<FailedImage>,
}

impl App {
    /// The local file of a product image, when it has been downloaded (and is still there).
    pub fn cached_image(&self, url: &str) -> Option<PathBuf> {
        let cached = self.catalog().ok()?.cached_image(url).ok()??;
        let path = cache_path(&images_dir(self.path()), &cached.file.sha256, &cached.file.ext);
        path.is_file().then_some(path)
    }

    /// How many image URLs are cached, pending and failed, with the latest `failures`.
    pub fn image_status(&self, failures: u32) -> AppResult<ImageStatus> {
        let c = self.catalog()?;
        Ok(ImageStatus {
            dir: images_dir(self.path()),
            counts: c.image_counts()?,
            failures: c.image_failures(failures)?,
        })
    }
}

/// Walks the pending URLs in batches and downloads them, `parallel` at once; outcomes are
/// recorded every few downloads, each time in one transaction, so a cancel or a crash loses
/// at most the downloads in flight (a re-run fetches those again; their files, named by
/// content, are simply found in place). A URL that fails is recorded with its reason and
/// backs off; only a catalog that cannot be written fails the job.
pub(crate) async fn download(
    ctx: JobCtx<JobsContext>,
    p: DownloadPayload,
) -> Result<DownloadSummary, JobError> {
    let app = ctx.app().clone();
    let token = ctx.cancel_token();
    let reporter = ctx.reporter();
    ctx.stage(crate::ipc::JobStage::DownloadingImages.code());
    let (summary, failures, cancelled) = tokio::task::spawn_blocking(move || {
        if p.retry_failed {
            app.catalog_blocking(|c| c.retry_failed_images())?;
        }
        let limit = p.limit.unwrap_or(u64::MAX);
        let total = app.catalog_blocking(|c| c.image_counts())?.to_download().min(limit);
        reporter.progress(0, Some(total));
        let opts = DownloadOptions { parallel: p.parallel.unwrap_or(4), ..DownloadOptions::default() };
        let downloader = ImageDownloader::new(app.images_dir(), opts).permanent()?;
        // A catalog write that failed stops the downloads too.
        let broken = AtomicBool::new(false);
        let stop = || token.is_cancelled() || broken.load(Ordering::Relaxed);
        let mut summary = DownloadSummary::default();
        let mut failures = Vec::new();
        let mut store_error = None;
        let mut pending = Vec::new();
        let flush = |pending: &mut Vec<_>, store_error: &mut Option<JobError>| {
            if pending.is_empty() || store_error.is_some() {
                return;
            }
            let batch = std::mem::take(pending);
            if let Err(e) = app.catalog_blocking(move |c| c.record_images(&batch)) {
                *store_error = Some(e);
                broken.store(true, Ordering::Relaxed);
            }
        };
        let mut cursor = None;
        let mut tried = 0u64;
        while tried < limit && !stop() {
            let batch = app.catalog_blocking(|c| c.pending_images(cursor, BATCH))?;
            let mut urls = batch.urls;
            urls.truncate(usize::try_from(limit - tried).unwrap_or(usize::MAX));
            downloader.download_all(&urls, &stop, &mut |fetched| {
                let Some(result) = fetched.to_result() else { return };
                tried += 1;
                match &fetched.outcome {
                    Ok(file) => {
                        summary.downloaded += 1;
                        summary.bytes += file.bytes;
                    }
                    Err(e) => {
                        summary.failed += 1;
                        if failures.len() < LOGGED_FAILURES {
                            failures.push(e.to_string());
                        }
                    }
                }
                pending.push(result);
                if pending.len() >= RECORD_EVERY {
                    flush(&mut pending, &mut store_error);
                }
                reporter.progress(tried, Some(total.max(tried)));
            });
            flush(&mut pending, &mut store_error);
            if let Some(e) = store_error.take() {
                return Err(e);
            }
            match batch.next {
                Some(next) => cursor = Some(next),
                None => break,
            }
        }
        let counts = app.catalog_blocking(|c| c.image_counts())?;
        summary.remaining = counts.to_download();
        summary.files = counts.files;
        Ok::<_, JobError>((summary, failures, token.is_cancelled()))
    })
    .await
    .permanent()??;
    for f in &failures {
        ctx.log().warn(f.clone());
    }
    if summary.failed > failures.len() as u64 {
        ctx.log().warn(format!("… and {} more failed downloads", summary.failed - failures.len() as u64));
    }
    ctx.log().info(format!(
        "{} images downloaded ({} KB), {} failed, {} still to download; {} files in the cache",
        summary.downloaded,
        summary.bytes / 1024,
        summary.failed,
        summary.remaining,
        summary.files
    ));
    if cancelled {
        return Err(JobError::cancelled());
    }
    Ok(summary)
}

#[cfg(test)]
mod tests {
    use std::time::{Duration, Instant};

    use serde_json::json;
    use vitrina_domain::{Image, Money, Product, ProductDraft};
    use vitrina_store::Catalog;
    use vitrina_testkit::http::{Reply, Server};

    use super::*;
    use crate::jobs::{EnqueueRequest, JobState, Jobs};

    /// How long a test waits for a job at most.
    const TEST_WAIT: Duration = Duration::from_secs(30);

    fn png(fill: u8) -> Vec<u8> {
        let mut b = b"\x89PNG\r\n\x1a\n\0\0\0\x0dIHDR\0\0\0\x04\0\0\0\x03\x08\x06\0\0\0".to_vec();
        b.resize(3000, fill);
        b
    }

    /// Serves `/same-*` as one PNG, `/other` as another, `/page` as HTML and anything else as 404.
    fn server() -> Server {
        Server::start(|r| match r.path.as_str() {
            p if p.starts_with("/same-") => Reply::ok(png(1)).header("Content-Type", "image/png"),
            "/other" => Reply::ok(png(2)).header("Content-Type", "image/png"),
            "/page" => Reply::ok("<html>nope</html>").header("Content-Type", "text/html"),
            _ => Reply::status(404).body("no"),
        })
    }

    fn seed(path: &Path, products: &[(&str, Vec<String>)]) {
        let mut c = Catalog::open(path).unwrap();
        for (sku, urls) in products {
            let mut p = Product::new(ProductDraft {
                sku: (*sku).into(),
                name: "Чайник".into(),
                price: Money::rub(990),
            })
            .unwrap();
            p.images = urls.iter().map(|u| Image { url: u.clone() }).collect();
            c.create_product(&p).unwrap();
        }
    }

    fn run(jobs: &Jobs, payload: serde_json::Value) -> crate::jobs::JobRecord {
        let job = jobs
            .enqueue(&EnqueueRequest {
                kind: DOWNLOAD_KIND.into(),
                payload,
                concurrency_key: None,
                max_attempts: None,
            })
            .unwrap();
        let started = Instant::now();
        let done = jobs.wait(&job.id.to_string(), &mut |_| {}).unwrap();
        assert!(started.elapsed() < TEST_WAIT);
        done
    }

    #[test]
    fn the_download_job_fills_the_cache_and_records_failures() {
        let server = server();
        let base = server.url("");
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("catalog.db");
        let url = |p: &str| format!("{base}{p}");
        seed(
            &db,
            &[
                ("A", vec![url("/same-1"), url("/other")]),
                ("B", vec![url("/same-2"), url("/gone")]),
                ("C", vec![url("/page"), url("/same-1")]),
                ("D", vec![]),
            ],
        );
        let jobs = Jobs::open(&db).unwrap();
        let bad = jobs.enqueue(&EnqueueRequest {
            kind: DOWNLOAD_KIND.into(),
            payload: json!({ "paralel": 2 }),
            concurrency_key: None,
            max_attempts: None,
        });
        assert!(bad.unwrap_err().message.contains("paralel"));

        let first = run(&jobs, json!({ "limit": 2, "parallel": 2 }));
        assert_eq!(first.state, JobState::Succeeded, "{:?}", first.error);
        let s: DownloadSummary = serde_json::from_value(first.result.unwrap()).unwrap();
        assert_eq!((s.downloaded + s.failed, s.remaining), (2, 3), "the limit holds: {s:?}");

        let done = run(&jobs, json!({ "parallel": 3 }));
        assert_eq!(done.state, JobState::Succeeded, "{:?}", done.error);
        assert_eq!(done.progress.done, 3);
        let s: DownloadSummary = serde_json::from_value(done.result.unwrap()).unwrap();
        assert_eq!((s.remaining, s.files), (0, 2), "{s:?}");

        let app = App::open(&db).unwrap();
        let status = app.image_status(10).unwrap();
        assert_eq!(
            (status.counts.urls, status.counts.cached, status.counts.failed, status.counts.pending),
            (5, 3, 2, 0)
        );
        let mut reasons: Vec<String> = status.failures.iter().map(|f| f.reason.clone()).collect();
        reasons.sort();
        assert!(reasons[0].contains("/gone was not found (HTTP 404)"), "{reasons:?}");
        assert!(reasons[1].contains("/page is not an image (the server sent text/html)"), "{reasons:?}");

        let same_1 = app.cached_image(&url("/same-1")).unwrap();
        assert_eq!(Some(same_1.clone()), app.cached_image(&url("/same-2")), "one picture, one file");
        assert_eq!(std::fs::read(&same_1).unwrap(), png(1));
        assert!(same_1.starts_with(dir.path().join("images")));
        assert_eq!(std::fs::read(app.cached_image(&url("/other")).unwrap()).unwrap(), png(2));
        assert_eq!(app.cached_image(&url("/gone")), None);

        // Nothing is due now: a third run downloads nothing.
        let idle = run(&jobs, json!({}));
        let s: DownloadSummary = serde_json::from_value(idle.result.unwrap()).unwrap();
        assert_eq!((s.downloaded, s.failed), (0, 0));
        // Asked to, it tries the failures again (and they fail again).
        let again = run(&jobs, json!({ "retry_failed": true }));
        let s: DownloadSummary = serde_json::from_value(again.result.unwrap()).unwrap();
        assert_eq!((s.downloaded, s.failed), (0, 2));
        assert!(app.image_status(10).unwrap().failures.iter().all(|f| f.attempts == 2));
    }

    #[test]
    fn an_import_that_changes_products_queues_the_image_download_after_it() {
        let server = server();
        let base = server.url("");
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("catalog.db");
        let feed = dir.path().join("price.csv");
        std::fs::write(
            &feed,
            format!(
                "Артикул;Название;Цена;Фото\nA-1;Чайник;1990;{base}/same-a\nA-2;Кружка;250;{base}/other\n"
            ),
        )
        .unwrap();
        let app = App::open(&db).unwrap();
        let input = crate::imports::NewSupplier {
            name: "Опт".into(),
            source: Some(feed.display().to_string()),
            priority: 0,
        };
        app.add_supplier(&input).unwrap();
        let jobs = Jobs::open(&db).unwrap();
        let import = |jobs: &Jobs| {
            let job = jobs
                .enqueue(&EnqueueRequest {
                    kind: "import.supplier".into(),
                    payload: json!({ "supplier": "Опт" }),
                    concurrency_key: None,
                    max_attempts: Some(1),
                })
                .unwrap();
            let mut worker = jobs
                .start_worker(&crate::jobs::WorkerOptions { schedules: false, ..Default::default() })
                .unwrap();
            worker.run(true, &mut |_| {}).unwrap();
            worker.stop(Duration::from_secs(1));
            jobs.show(&job.id.to_string()).unwrap()
        };
        let first = import(&jobs);
        assert_eq!(first.job.state, JobState::Succeeded, "{:?}", first.job.error);
        assert_eq!(first.children.len(), 1, "one image download queued by the import");
        let child = &first.children[0];
        assert_eq!(
            (child.kind.as_str(), child.state),
            (DOWNLOAD_KIND, JobState::Succeeded),
            "{:?}",
            child.error
        );
        assert!(app.cached_image(&format!("{base}/same-a")).is_some());
        assert!(app.cached_image(&format!("{base}/other")).is_some());

        let again = import(&jobs);
        assert_eq!(again.job.state, JobState::Succeeded, "{:?}", again.job.error);
        assert!(again.children.is_empty(), "nothing changed, nothing to download");
    }
}
