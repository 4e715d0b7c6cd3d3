//! `source::fetch` against real local HTTP servers and real files.

use std::fs;
use std::io::{Cursor, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::Duration;

use flate2::Compression;
use vitrina_import::source::{Auth, Fetched, SourceError, SourceSpec, Validators, fetch};
use vitrina_testkit::http::{Gate, Reply, Server};
use zip::write::SimpleFileOptions;

const CSV: &[u8] = "Артикул;Название;Цена\nA-1;Чайник;1990\nA-2;Кружка;250\n".as_bytes();

fn spec(url: String, auth: Auth, timeout_secs: u64, max_bytes: u64) -> SourceSpec {
    SourceSpec::Url { url, auth, timeout_secs, max_bytes }
}

fn get(
    spec: &SourceSpec,
    secret: Option<&str>,
    previous: &Validators,
    dir: &Path,
) -> Result<Fetched, SourceError> {
    fetch(spec, secret, previous, dir, &|| false, &mut |_, _| {})
}

fn get_url(url: String, dir: &Path) -> Result<Fetched, SourceError> {
    get(&SourceSpec::url(url), None, &Validators::default(), dir)
}

/// Every file in the cache folder, `.part` files included.
fn files_in(dir: &Path) -> Vec<PathBuf> {
    match fs::read_dir(dir) {
        Ok(entries) => entries.flatten().map(|e| e.path()).collect(),
        Err(_) => Vec::new(),
    }
}

fn gzip(data: &[u8], name: Option<&str>) -> Vec<u8> {
    let mut builder = flate2::GzBuilder::new();
    if let Some(name) = name {
        builder = builder.filename(name);
    }
    let mut encoder = builder.write(Vec::new(), Compression::default());
    encoder.write_all(data).unwrap();
    encoder.finish().unwrap()
}

fn zip(files: &[(&str, &[u8])]) -> Vec<u8> {
    let mut writer = zip::ZipWriter::new(Cursor::new(Vec::new()));
    for (name, data) in files {
        writer.start_file(*name, SimpleFileOptions::default()).unwrap();
        writer.write_all(data).unwrap();
    }
    writer.finish().unwrap().into_inner()
}

fn expect_err(result: Result<Fetched, SourceError>) -> SourceError {
    match result {
        Ok(fetched) => panic!("expected an error, got {fetched:?}"),
        Err(e) => e,
    }
}

#[test]
fn a_body_becomes_a_file_in_the_cache() {
    let server = Server::start(|_| Reply::ok(CSV).header("Content-Type", "text/csv; charset=utf-8"));
    let dir = tempfile::tempdir().unwrap();
    let mut seen = Vec::new();
    let fetched = fetch(
        &SourceSpec::url(server.url("/export/price.csv")),
        None,
        &Validators::default(),
        dir.path(),
        &|| false,
        &mut |done, total| seen.push((done, total)),
    )
    .unwrap();
    assert_eq!(fs::read(&fetched.path).unwrap(), CSV);
    assert!(fetched.path.starts_with(dir.path()));
    assert_eq!(fetched.file_name.as_deref(), Some("price.csv"));
    assert_eq!(fetched.bytes, CSV.len() as u64);
    assert_eq!(fetched.content_type.as_deref(), Some("text/csv; charset=utf-8"));
    assert!(fetched.temporary && !fetched.not_modified);
    assert_eq!(seen.last(), Some(&(CSV.len() as u64, Some(CSV.len() as u64))));
    assert_eq!(files_in(dir.path()), vec![fetched.path.clone()], "no .part file is left behind");
    fetched.discard().unwrap();
    assert!(files_in(dir.path()).is_empty());
}

#[test]
fn the_content_disposition_name_wins_and_redirects_are_followed() {
    let server = Server::start(|request| match request.path.as_str() {
        "/old" => Reply::status(302).header("Location", "/export.php?type=yml"),
        _ => Reply::ok(CSV).header("Content-Disposition", "attachment; filename=\"Прайс 2024.csv\""),
    });
    let dir = tempfile::tempdir().unwrap();
    let fetched = get_url(server.url("/old"), dir.path()).unwrap();
    assert_eq!(fetched.file_name.as_deref(), Some("Прайс 2024.csv"));
    assert_eq!(fs::read(&fetched.path).unwrap(), CSV);
    assert_eq!(server.requests().len(), 2);
}

#[test]
fn validators_round_trip_to_a_304_without_download() {
    let server = Server::start(|request| {
        if request.header("If-None-Match") == Some("\"v1\"") {
            Reply::status(304).header("ETag", "\"v1\"")
        } else {
            Reply::ok(CSV).header("ETag", "\"v1\"").header("Last-Modified", "Tue, 02 Jan 2024 10:00:00 GMT")
        }
    });
    let dir = tempfile::tempdir().unwrap();
    let spec = SourceSpec::url(server.url("/p.csv"));
    let first = get(&spec, None, &Validators::default(), dir.path()).unwrap();
    assert_eq!(first.etag.as_deref(), Some("\"v1\""));
    assert_eq!(first.last_modified.as_deref(), Some("Tue, 02 Jan 2024 10:00:00 GMT"));
    first.discard().unwrap();

    let second = get(&spec, None, &first.validators(), dir.path()).unwrap();
    assert!(second.not_modified);
    assert_eq!(second.bytes, 0);
    assert_eq!(second.validators(), first.validators(), "validators carry over to the next run");
    assert!(files_in(dir.path()).is_empty(), "nothing was written for a 304");
    let requests = server.requests();
    assert_eq!(requests[1].header("If-None-Match"), Some("\"v1\""));
    assert_eq!(requests[1].header("If-Modified-Since"), Some("Tue, 02 Jan 2024 10:00:00 GMT"));
    assert_eq!(requests[0].header("If-None-Match"), None);
}

#[test]
fn basic_auth_is_sent_and_a_wrong_password_is_access_denied() {
    let server = Server::start(|request| match request.header("Authorization") {
        Some("Basic Ym9iOnMzY3JldA==") => Reply::ok(CSV),
        _ => Reply::status(401).header("WWW-Authenticate", "Basic realm=\"x\""),
    });
    let dir = tempfile::tempdir().unwrap();
    let spec = spec(server.url("/p.csv"), Auth::Basic { user: "bob".into() }, 5, 1 << 20);
    let fetched = get(&spec, Some("s3cret"), &Validators::default(), dir.path()).unwrap();
    assert_eq!(fs::read(&fetched.path).unwrap(), CSV);

    let e = expect_err(get(&spec, Some("wrong-pw-123"), &Validators::default(), dir.path()));
    assert!(matches!(e, SourceError::AccessDenied { status: 401, .. }), "{e:?}");
    assert!(e.to_string().contains("check the login or token"), "{e}");
    assert!(!e.is_retryable());
    assert!(!e.to_string().contains("wrong-pw-123") && !format!("{e:?}").contains("wrong-pw-123"));
}

#[test]
fn header_tokens_are_sent_and_never_shown() {
    let server = Server::start(|request| {
        let bearer = request.header("Authorization") == Some("Bearer tok-GOOD");
        let key = request.header("X-Api-Key") == Some("tok-GOOD");
        if bearer || key { Reply::ok(CSV) } else { Reply::status(403) }
    });
    let dir = tempfile::tempdir().unwrap();
    for name in ["Authorization: Bearer", "X-Api-Key"] {
        let spec =
            spec(server.url("/p.csv?token=tok-IN-URL"), Auth::Header { name: name.into() }, 5, 1 << 20);
        // A token pasted with a trailing line break still works.
        let fetched = get(&spec, Some("tok-GOOD\n"), &Validators::default(), dir.path()).unwrap();
        assert_eq!(fs::read(&fetched.path).unwrap(), CSV, "{name}");

        let e = expect_err(get(&spec, Some("tok-SECRET-BAD"), &Validators::default(), dir.path()));
        assert!(matches!(e, SourceError::AccessDenied { status: 403, .. }), "{e:?}");
        let shown = format!("{e} {e:?}");
        assert!(!shown.contains("tok-SECRET-BAD"), "{shown}");
        assert!(!shown.contains("tok-IN-URL") && shown.contains("token=***"), "{shown}");

        let e = expect_err(get(&spec, None, &Validators::default(), dir.path()));
        assert!(matches!(e, SourceError::Secret { .. }), "{e:?}");
        let e = expect_err(get(&spec, Some("tok\r\nEvil: 1"), &Validators::default(), dir.path()));
        assert!(matches!(e, SourceError::Secret { .. }) && !e.to_string().contains("Evil"), "{e}");
    }
}

#[test]
fn a_token_header_does_not_follow_a_redirect_to_another_site() {
    let other = Server::start(|_| Reply::ok(CSV));
    let target = other.url("/p.csv");
    let server = Server::start(move |_| Reply::status(302).header("Location", &target));
    let dir = tempfile::tempdir().unwrap();
    let spec = spec(server.url("/p.csv"), Auth::Header { name: "X-Api-Key".into() }, 5, 1 << 20);
    let e = expect_err(get(&spec, Some("tok"), &Validators::default(), dir.path()));
    assert!(matches!(e, SourceError::Redirect { .. }), "{e:?}");
    assert!(e.to_string().contains("another site"), "{e}");
    assert!(other.requests().is_empty(), "the other site never saw the token");

    // Without a token, the same redirect is simply followed.
    let fetched = get_url(server.url("/p.csv"), dir.path()).unwrap();
    assert_eq!(fs::read(&fetched.path).unwrap(), CSV);
}

#[test]
fn a_redirect_loop_is_an_error() {
    let server = Server::start(|_| Reply::status(302).header("Location", "/again"));
    let dir = tempfile::tempdir().unwrap();
    let e = expect_err(get_url(server.url("/start"), dir.path()));
    assert!(matches!(e, SourceError::Redirect { .. }), "{e:?}");
    assert!(e.to_string().contains("too many times"), "{e}");
}

#[test]
fn not_found_names_the_link_without_secrets() {
    let server = Server::start(|_| Reply::status(404));
    let dir = tempfile::tempdir().unwrap();
    let e = expect_err(get_url(server.url("/gone.xml?apikey=abc123&page=1"), dir.path()));
    assert!(matches!(e, SourceError::NotFound { status: 404, .. }), "{e:?}");
    assert!(!e.is_retryable());
    let text = e.to_string();
    assert!(text.contains(&server.url("/gone.xml?apikey=***&page=1")), "{text}");
    assert!(!text.contains("abc123"), "{text}");
}

#[test]
fn server_errors_are_retryable() {
    let server = Server::start(|_| Reply::status(503));
    let dir = tempfile::tempdir().unwrap();
    let e = expect_err(get_url(server.url("/p.csv"), dir.path()));
    assert!(matches!(e, SourceError::ServerError { status: 503, .. }), "{e:?}");
    assert!(e.is_retryable());
    assert!(e.to_string().contains("HTTP 503"), "{e}");
}

#[test]
fn a_silent_server_times_out() {
    // The server answers only when the test is over: the 1 s limit is what ends the wait.
    let never = Gate::new();
    let server = Server::start(move |_| Reply::ok(CSV).hold(&never));
    let dir = tempfile::tempdir().unwrap();
    let e = expect_err(get(
        &spec(server.url("/p.csv"), Auth::None, 1, 1 << 20),
        None,
        &Validators::default(),
        dir.path(),
    ));
    assert!(matches!(e, SourceError::Timeout { secs: 1, .. }), "{e:?}");
    assert!(e.to_string().contains("did not answer within 1 s"), "{e}");
    assert!(e.is_retryable());
}

#[test]
fn a_server_that_stalls_mid_download_times_out_and_leaves_nothing() {
    // Half of the announced body, then silence until the test is over.
    let never = Gate::new();
    let server = Server::start(move |_| Reply::ok(vec![b'x'; 1000]).length(2000).then_hold(&never));
    let dir = tempfile::tempdir().unwrap();
    let e = expect_err(get(
        &spec(server.url("/p.csv"), Auth::None, 1, 1 << 20),
        None,
        &Validators::default(),
        dir.path(),
    ));
    assert!(matches!(e, SourceError::Timeout { .. }), "{e:?}");
    assert!(files_in(dir.path()).is_empty());
}

#[test]
fn a_refused_connection_is_retryable() {
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let dir = tempfile::tempdir().unwrap();
    let e = expect_err(get_url(format!("http://127.0.0.1:{port}/p.csv"), dir.path()));
    assert!(matches!(e, SourceError::Connection { .. }), "{e:?}");
    assert!(e.is_retryable());
    assert!(e.to_string().contains("refused the connection"), "{e}");
}

#[test]
fn an_announced_size_over_the_limit_is_refused_before_downloading() {
    // The body never comes: waiting for it would end in the 5 s timeout, not in TooLarge.
    let never = Gate::new();
    let server = Server::start(move |_| Reply::ok(vec![b'x'; 1000]).length(10_000_000).then_hold(&never));
    let dir = tempfile::tempdir().unwrap();
    let mut progressed = false;
    let e = expect_err(fetch(
        &spec(server.url("/p.csv"), Auth::None, 5, 1_000_000),
        None,
        &Validators::default(),
        dir.path(),
        &|| false,
        &mut |_, _| progressed = true,
    ));
    assert!(
        matches!(e, SourceError::TooLarge { announced: Some(10_000_000), limit: 1_000_000, .. }),
        "{e:?}"
    );
    assert!(e.to_string().contains("9.5 MiB, more than the 976.6 KiB limit"), "{e}");
    assert!(!progressed);
    assert!(files_in(dir.path()).is_empty());
}

#[test]
fn a_chunked_body_over_the_limit_is_cut_off() {
    let server = Server::start(|_| Reply::status(200).trickle(vec![b'x'; 1024], 64, Duration::ZERO, None));
    let dir = tempfile::tempdir().unwrap();
    let e = expect_err(get(
        &spec(server.url("/p.csv"), Auth::None, 5, 10 * 1024),
        None,
        &Validators::default(),
        dir.path(),
    ));
    assert!(matches!(e, SourceError::TooLarge { announced: None, limit: 10240, .. }), "{e:?}");
    assert!(!e.is_retryable());
    assert!(files_in(dir.path()).is_empty(), "the partial download is removed");
}

#[test]
fn gzip_content_encoding_is_decoded_on_the_fly() {
    let server = Server::start(|request| {
        if request.header("Accept-Encoding").is_some_and(|v| v.contains("gzip")) {
            Reply::ok(gzip(CSV, None)).header("Content-Encoding", "gzip")
        } else {
            Reply::status(406)
        }
    });
    let dir = tempfile::tempdir().unwrap();
    let fetched = get_url(server.url("/p.csv"), dir.path()).unwrap();
    assert_eq!(fs::read(&fetched.path).unwrap(), CSV);
    assert_eq!(fetched.bytes, CSV.len() as u64);
}

#[test]
fn a_gz_file_is_unpacked_by_its_content() {
    let server = Server::start(|request| match request.path.as_str() {
        "/feed.xml.gz" => Reply::ok(gzip(CSV, None)).header("Content-Type", "application/gzip"),
        // No telling name at all: the magic bytes say gzip, the gzip header names the file.
        _ => Reply::ok(gzip(CSV, Some("price.csv"))).header("Content-Type", "application/octet-stream"),
    });
    let dir = tempfile::tempdir().unwrap();
    let fetched = get_url(server.url("/feed.xml.gz"), dir.path()).unwrap();
    assert_eq!(fs::read(&fetched.path).unwrap(), CSV);
    assert_eq!(fetched.file_name.as_deref(), Some("feed.xml"));
    assert_eq!(fetched.bytes, CSV.len() as u64);
    assert_eq!(files_in(dir.path()), vec![fetched.path.clone()], "the downloaded .gz is removed");

    let fetched = get_url(server.url("/download"), dir.path()).unwrap();
    assert_eq!(fs::read(&fetched.path).unwrap(), CSV);
    assert_eq!(fetched.file_name.as_deref(), Some("price.csv"));
}

#[test]
fn a_zip_with_one_csv_is_unpacked() {
    let archive = zip(&[("export/price.csv", CSV)]);
    let server = Server::start(move |_| Reply::ok(archive.clone()));
    let dir = tempfile::tempdir().unwrap();
    let fetched = get_url(server.url("/price.zip"), dir.path()).unwrap();
    assert_eq!(fs::read(&fetched.path).unwrap(), CSV);
    assert_eq!(fetched.file_name.as_deref(), Some("price.csv"));
    assert_eq!(files_in(dir.path()), vec![fetched.path.clone()], "the downloaded .zip is removed");
}

#[test]
fn a_zip_with_several_files_gives_the_largest_price_list() {
    let big_xml = format!("<yml_catalog>{}</yml_catalog>", "<offer/>".repeat(100));
    let archive = zip(&[
        ("readme.pdf", &[b'%'; 5000]),
        ("small.csv", CSV),
        ("__MACOSX/._feed.xml", &[0; 9000]),
        ("feed.xml", big_xml.as_bytes()),
        ("logo.png", &[0x89; 8000]),
    ]);
    let dir = tempfile::tempdir().unwrap();
    let local = dir.path().join("supplier.zip");
    fs::write(&local, archive).unwrap();
    let cache = dir.path().join("cache");
    let fetched =
        get(&SourceSpec::File { path: local.clone() }, None, &Validators::default(), &cache).unwrap();
    assert_eq!(fetched.file_name.as_deref(), Some("feed.xml"));
    assert_eq!(fs::read_to_string(&fetched.path).unwrap(), big_xml);
    assert!(fetched.temporary && fetched.path.starts_with(&cache));
    fetched.discard().unwrap();
    assert!(local.exists(), "the supplier's own archive stays");
}

#[test]
fn a_zip_without_a_price_list_lists_what_it_holds() {
    let dir = tempfile::tempdir().unwrap();
    let local = dir.path().join("photos.zip");
    fs::write(&local, zip(&[("a.pdf", b"%PDF"), ("b.png", b"\x89PNG")])).unwrap();
    let cache = dir.path().join("cache");
    let e = expect_err(get(&SourceSpec::File { path: local }, None, &Validators::default(), &cache));
    assert!(matches!(e, SourceError::NoSupplierFile { .. }), "{e:?}");
    assert!(e.to_string().contains("(it holds a.pdf, b.png)"), "{e}");
    assert!(files_in(&cache).is_empty());
}

#[test]
fn a_workbook_is_a_zip_that_stays_packed() {
    let dir = tempfile::tempdir().unwrap();
    let local = dir.path().join("price.xlsx");
    let workbook = zip(&[("[Content_Types].xml", b"<Types/>"), ("xl/workbook.xml", b"<workbook/>")]);
    fs::write(&local, &workbook).unwrap();
    let cache = dir.path().join("cache");
    let fetched =
        get(&SourceSpec::File { path: local.clone() }, None, &Validators::default(), &cache).unwrap();
    assert_eq!(fetched.path, local);
    assert!(!fetched.temporary);
    assert_eq!(fetched.file_name.as_deref(), Some("price.xlsx"));
    assert!(files_in(&cache).is_empty(), "no copy of a local file that needs no unpacking");
}

#[test]
fn zip_and_gzip_bombs_stop_at_the_limit() {
    let zeros = vec![0u8; 4 << 20];
    let bomb_zip = zip(&[("huge.csv", &zeros)]);
    let bomb_gz = gzip(&zeros, Some("huge.csv"));
    assert!(bomb_zip.len() < 64 * 1024 && bomb_gz.len() < 64 * 1024);
    let server = Server::start(move |request| match request.path.as_str() {
        "/bomb.zip" => Reply::ok(bomb_zip.clone()),
        _ => Reply::ok(bomb_gz.clone()),
    });
    let dir = tempfile::tempdir().unwrap();
    for path in ["/bomb.zip", "/bomb.gz"] {
        let spec = spec(server.url(path), Auth::None, 5, 1 << 20);
        let e = expect_err(get(&spec, None, &Validators::default(), dir.path()));
        assert!(matches!(e, SourceError::TooLarge { limit: 1_048_576, .. }), "{path}: {e:?}");
        assert!(e.to_string().contains("huge.csv inside"), "{e}");
        assert!(files_in(dir.path()).is_empty(), "{path}: nothing is left behind");
    }
}

#[test]
fn a_truncated_gzip_is_damaged() {
    let dir = tempfile::tempdir().unwrap();
    let whole = gzip(&CSV.repeat(200), Some("p.csv"));
    let local = dir.path().join("p.csv.gz");
    fs::write(&local, &whole[..whole.len() / 2]).unwrap();
    let cache = dir.path().join("cache");
    let e = expect_err(get(&SourceSpec::File { path: local.clone() }, None, &Validators::default(), &cache));
    assert!(matches!(e, SourceError::Damaged { kind: "gzip", .. }), "{e:?}");
    assert!(e.to_string().contains("the gzip archive is damaged or cut off"), "{e}");
    assert!(e.to_string().contains(&local.display().to_string()), "{e}");
    assert!(files_in(&cache).is_empty());
}

#[test]
fn a_truncated_zip_is_damaged() {
    let dir = tempfile::tempdir().unwrap();
    let whole = zip(&[("p.csv", &CSV.repeat(200))]);
    let local = dir.path().join("p.zip");
    fs::write(&local, &whole[..whole.len() - 30]).unwrap();
    let cache = dir.path().join("cache");
    let e = expect_err(get(&SourceSpec::File { path: local }, None, &Validators::default(), &cache));
    assert!(matches!(e, SourceError::Damaged { kind: "zip", .. }), "{e:?}");
    assert!(files_in(&cache).is_empty());
}

#[test]
fn an_empty_body_is_an_error() {
    let server = Server::start(|_| Reply::ok(Vec::new()));
    let dir = tempfile::tempdir().unwrap();
    let e = expect_err(get_url(server.url("/p.csv"), dir.path()));
    assert!(matches!(e, SourceError::Empty { .. }), "{e:?}");
    assert!(e.to_string().contains("is empty (0 bytes)"), "{e}");
    assert!(files_in(dir.path()).is_empty());
}

#[test]
fn cancelling_mid_download_leaves_no_temporary_file() {
    let server = Server::start(|_| {
        Reply::status(200).trickle(vec![b'x'; 16 * 1024], 64, Duration::from_millis(20), Some(64 * 16 * 1024))
    });
    let dir = tempfile::tempdir().unwrap();
    let cancelled = Arc::new(AtomicBool::new(false));
    let chunks = AtomicUsize::new(0);
    let flag = Arc::clone(&cancelled);
    let e = expect_err(fetch(
        &SourceSpec::url(server.url("/p.csv")),
        None,
        &Validators::default(),
        dir.path(),
        &|| cancelled.load(Ordering::SeqCst),
        &mut |done, total| {
            assert_eq!(total, Some(64 * 16 * 1024));
            if chunks.fetch_add(1, Ordering::SeqCst) == 2 {
                flag.store(true, Ordering::SeqCst);
            }
            assert!(done < 64 * 16 * 1024, "cancelled before the end");
        },
    ));
    assert!(matches!(e, SourceError::Cancelled { .. }), "{e:?}");
    assert!(!e.is_retryable());
    assert!(files_in(dir.path()).is_empty(), "the .part file is removed: {:?}", files_in(dir.path()));
}

#[test]
fn local_files_are_read_in_place_and_fingerprinted() {
    let dir = tempfile::tempdir().unwrap();
    let local = dir.path().join("price.csv");
    fs::write(&local, CSV).unwrap();
    let cache = dir.path().join("cache");
    let spec = SourceSpec::File { path: local.clone() };
    let fetched = get(&spec, None, &Validators::default(), &cache).unwrap();
    assert_eq!(fetched.path, local);
    assert!(!fetched.temporary && !fetched.not_modified);
    assert_eq!(fetched.bytes, CSV.len() as u64);
    assert!(files_in(&cache).is_empty(), "no copy");
    fetched.discard().unwrap();
    assert!(local.exists(), "discard never removes the supplier's file");

    let again = get(&spec, None, &fetched.validators(), &cache).unwrap();
    assert!(again.not_modified);

    fs::write(&local, [CSV, "A-3;Ложка;90\n".as_bytes()].concat()).unwrap();
    let changed = get(&spec, None, &fetched.validators(), &cache).unwrap();
    assert!(!changed.not_modified);
}

#[test]
fn a_missing_or_empty_local_file_is_explained() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("нет такого.csv");
    let e = expect_err(get(
        &SourceSpec::File { path: missing.clone() },
        None,
        &Validators::default(),
        dir.path(),
    ));
    assert!(matches!(e, SourceError::FileMissing { .. }), "{e:?}");
    assert!(e.to_string().contains(&missing.display().to_string()), "{e}");
    assert!(!e.is_retryable());

    let e = expect_err(get(
        &SourceSpec::File { path: dir.path().to_owned() },
        None,
        &Validators::default(),
        dir.path(),
    ));
    assert!(matches!(e, SourceError::FileUnreadable { .. }), "{e:?}");

    let empty = dir.path().join("empty.csv");
    fs::write(&empty, b"").unwrap();
    let e = expect_err(get(&SourceSpec::File { path: empty }, None, &Validators::default(), dir.path()));
    assert!(matches!(e, SourceError::Empty { .. }), "{e:?}");
}

#[test]
fn links_that_cannot_be_downloaded_are_settings_errors() {
    let dir = tempfile::tempdir().unwrap();
    for url in ["ftp://supplier.test/p.csv", "not a link", "https://"] {
        let e = expect_err(get_url(url.into(), dir.path()));
        assert!(matches!(e, SourceError::Settings { .. }), "{url}: {e:?}");
    }
}
