//! `images::ImageDownloader` against a real local HTTP server: content addressing, refusals
//! with their reasons, time and size limits, bounded parallelism and cancellation. Slow servers
//! are held by gates the test opens, so nothing here depends on how fast the machine is.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::Duration;

use vitrina_import::images::{DownloadOptions, Fetched, ImageDownloader, ImageError, cache_path};
use vitrina_testkit::http::{Gate, Reply, Server};

/// How long a gate in these tests waits at most before giving up, so that a broken downloader
/// fails the test instead of hanging it.
const FAIL_SAFE: Duration = Duration::from_secs(20);

/// A 3×2 PNG's header and some bytes after it (only the header is ever looked at).
fn png(fill: u8, len: usize) -> Vec<u8> {
    let mut b = b"\x89PNG\r\n\x1a\n\0\0\0\x0dIHDR\0\0\0\x03\0\0\0\x02\x08\x06\0\0\0".to_vec();
    b.resize(len, fill);
    b
}

fn options(parallel: usize, timeout_ms: u64) -> DownloadOptions {
    DownloadOptions { parallel, timeout: Duration::from_millis(timeout_ms), ..DownloadOptions::default() }
}

fn download(d: &ImageDownloader, urls: &[String]) -> HashMap<String, Fetched> {
    let mut got = HashMap::new();
    d.download_all(urls, &|| false, &mut |f| {
        got.insert(f.url.clone(), f);
    });
    got
}

fn err(got: &HashMap<String, Fetched>, url: &str) -> ImageError {
    got[url].outcome.clone().unwrap_err()
}

/// Every file under the cache folder, temporary ones included.
fn files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap().flatten() {
            if e.path().is_dir() {
                stack.push(e.path());
            } else {
                out.push(e.path());
            }
        }
    }
    out.sort();
    out
}

#[test]
fn images_are_stored_once_by_content_and_refusals_say_why() {
    // The slow picture answers only once every other download has ended: a downloader that let
    // it hold the others up would never get there, and would report it as timed out.
    let others_done = Gate::new();
    let slow_gate = others_done.clone();
    let server = Server::start(move |r| match r.path.as_str() {
        "/a.png" => Reply::ok(png(1, 5000)).header("Content-Type", "image/png"),
        // The same picture elsewhere, with a generic type: recognized by its bytes.
        "/copy" => Reply::ok(png(1, 5000)).header("Content-Type", "application/octet-stream"),
        "/page" => {
            Reply::ok("<!doctype html><p>Товар снят с продажи</p>").header("Content-Type", "text/html")
        }
        "/liar.jpg" => Reply::ok("<html>error</html>").header("Content-Type", "image/jpeg"),
        "/slow.png" => Reply::ok(png(2, 100)).header("Content-Type", "image/png").hold(&slow_gate),
        "/big.png" => Reply::ok(png(3, 50_000)).header("Content-Type", "image/png"),
        "/empty.png" => Reply::ok(Vec::new()),
        "/broken" => Reply::status(503),
        _ => Reply::status(404),
    });
    let cache = tempfile::tempdir().unwrap();
    let opts = DownloadOptions { max_bytes: 20_000, ..options(4, FAIL_SAFE.as_millis() as u64) };
    let d = ImageDownloader::new(cache.path(), opts).unwrap();
    let urls: Vec<String> = [
        "/a.png",
        "/copy",
        "/gone.jpg",
        "/page",
        "/liar.jpg",
        "/slow.png",
        "/big.png",
        "/empty.png",
        "/broken",
    ]
    .iter()
    .map(|p| server.url(p))
    .collect();
    let mut got = HashMap::new();
    let mut order = Vec::new();
    d.download_all(&urls, &|| false, &mut |f| {
        order.push(f.url.clone());
        got.insert(f.url.clone(), f);
        if got.len() == urls.len() - 1 {
            others_done.open();
        }
    });
    assert_eq!(got.len(), urls.len());
    assert_eq!(order.last(), Some(&server.url("/slow.png")), "the slow one did not hold the others up");
    assert!(got[&server.url("/slow.png")].outcome.is_ok(), "{:?}", got[&server.url("/slow.png")].outcome);

    let a = got[&server.url("/a.png")].outcome.clone().unwrap();
    let copy = got[&server.url("/copy")].outcome.clone().unwrap();
    assert_eq!(a, copy, "same bytes, same file");
    assert_eq!((a.ext.as_str(), a.content_type.as_str(), a.bytes), ("png", "image/png", 5000));
    assert_eq!((a.width, a.height), (Some(3), Some(2)));
    let path = cache_path(cache.path(), &a.sha256, "png");
    assert_eq!(std::fs::read(&path).unwrap(), png(1, 5000));
    let slow = got[&server.url("/slow.png")].outcome.clone().unwrap();
    let slow_path = cache_path(cache.path(), &slow.sha256, "png");
    let mut expected = vec![path, slow_path];
    expected.sort();
    assert_eq!(files(cache.path()), expected, "one file per picture, no temporary leftovers");

    let err = |p: &str| err(&got, &server.url(p));
    assert!(matches!(err("/gone.jpg"), ImageError::NotFound { status: 404, .. }), "{:?}", err("/gone.jpg"));
    let page = err("/page");
    assert!(page.to_string().ends_with("is not an image (the server sent text/html)"), "{page}");
    assert!(!page.is_retryable());
    assert!(matches!(err("/liar.jpg"), ImageError::NotAnImage { .. }), "the bytes decide, not the header");
    assert!(matches!(err("/big.png"), ImageError::TooLarge { limit: 20_000, bytes: Some(50_000), .. }));
    assert!(matches!(err("/empty.png"), ImageError::Empty { .. }));
    assert!(err("/broken").is_retryable());
}

#[test]
fn a_server_that_does_not_answer_times_out_and_may_be_tried_again() {
    // The server answers only when the test is over: the 1 s limit is what ends the wait.
    let never = Gate::new();
    let server =
        Server::start(move |_| Reply::ok(png(2, 100)).header("Content-Type", "image/png").hold(&never));
    let cache = tempfile::tempdir().unwrap();
    let d = ImageDownloader::new(cache.path(), options(1, 1000)).unwrap();
    let e = d.download(&server.url("/slow.png"), &|| false).unwrap_err();
    assert!(matches!(e, ImageError::Timeout { .. }), "{e:?}");
    assert!(e.is_retryable());
    assert!(files(cache.path()).is_empty());
}

#[test]
fn a_body_larger_than_announced_is_cut_off_at_the_limit() {
    let server = Server::start(|_| {
        // No Content-Length: the limit is only found while reading.
        Reply::status(200).trickle(png(4, 8192), 10, Duration::ZERO, None)
    });
    let cache = tempfile::tempdir().unwrap();
    let d = ImageDownloader::new(cache.path(), DownloadOptions { max_bytes: 30_000, ..options(1, 5000) })
        .unwrap();
    let err = d.download(&server.url("/x.png"), &|| false).unwrap_err();
    assert!(matches!(err, ImageError::TooLarge { bytes: None, .. }), "{err:?}");
    assert!(files(cache.path()).is_empty(), "the partial file is removed");
}

#[test]
fn no_more_than_n_downloads_run_at_once() {
    // Counted in the handler, before the reply is written: a client cannot start its next
    // download before this one's reply, so the count never runs ahead of the client.
    let in_flight = Arc::new(AtomicUsize::new(0));
    let most = Arc::new(AtomicUsize::new(0));
    // The first requests wait until three are in at once, so that three at once is seen
    // whatever the machine's speed (and a downloader that ran them one by one fails).
    let three_in = Gate::new();
    let (now, peak, gate) = (in_flight.clone(), most.clone(), three_in.clone());
    let server = Server::start(move |r| {
        let n = now.fetch_add(1, Ordering::SeqCst) + 1;
        peak.fetch_max(n, Ordering::SeqCst);
        if n >= 3 {
            gate.open();
        }
        if !gate.wait(FAIL_SAFE) {
            gate.open(); // fewer than three at once: the assertion below says so, without hanging
        }
        now.fetch_sub(1, Ordering::SeqCst);
        // Twelve different pictures.
        let fill = r.path.trim_start_matches("/p").parse::<u8>().unwrap_or(0);
        Reply::ok(png(fill, 2000)).header("Content-Type", "image/png")
    });
    let cache = tempfile::tempdir().unwrap();
    let d = ImageDownloader::new(cache.path(), options(3, FAIL_SAFE.as_millis() as u64)).unwrap();
    let urls: Vec<String> = (0..12).map(|i| server.url(&format!("/p{i}"))).collect();
    let got = download(&d, &urls);
    assert!(got.values().all(|f| f.outcome.is_ok()));
    assert_eq!(most.load(Ordering::SeqCst), 3, "three at once, never more (and not one by one)");
    assert_eq!(server.requests().len(), 12);
    assert_eq!(files(cache.path()).len(), 12);
}

#[test]
fn a_cancel_stops_new_downloads_and_cuts_running_ones_short() {
    // The other pictures answer once the trickle is under way, so the first of them to end
    // (which cancels) always finds it running.
    let trickling = Gate::new();
    let started = trickling.clone();
    let server = Server::start(move |r| {
        if r.path == "/trickle" {
            started.open();
            // A minute and a half of picture: only the cancel ends it before the time limit.
            return Reply::status(200).trickle(png(5, 1000), 1800, Duration::from_millis(50), None);
        }
        started.wait(FAIL_SAFE);
        Reply::ok(png(6, 1000)).header("Content-Type", "image/png")
    });
    let cache = tempfile::tempdir().unwrap();
    let d = ImageDownloader::new(cache.path(), options(2, FAIL_SAFE.as_millis() as u64)).unwrap();
    let mut urls = vec![server.url("/trickle")];
    urls.extend((0..10).map(|i| server.url(&format!("/q{i}"))));
    let stop = AtomicBool::new(false);
    let mut ended = Vec::new();
    d.download_all(&urls, &|| stop.load(Ordering::SeqCst), &mut |f| {
        stop.store(true, Ordering::SeqCst);
        ended.push(f);
    });
    let trickle = ended.iter().find(|f| f.url == urls[0]).expect("the trickle ended");
    assert!(matches!(trickle.outcome, Err(ImageError::Cancelled)), "cut short: {:?}", trickle.outcome);
    // The first download to end cancels; each of the two threads may be between picking its
    // next link and checking the cancel at that moment, so at most one more each ends.
    assert!(ended.len() <= 3, "nothing new started after the cancel: {}", ended.len());
    assert!(ended.iter().any(|f| matches!(f.outcome, Err(ImageError::Cancelled))));
    assert!(ended.iter().filter_map(Fetched::to_result).all(|r| r.outcome.is_ok()));
    assert!(server.requests().len() <= 4, "{} requests", server.requests().len());
    assert!(files(cache.path()).iter().all(|p| !p.to_string_lossy().contains(".part-")));
}
