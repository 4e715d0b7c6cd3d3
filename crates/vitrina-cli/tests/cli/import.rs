//! Supplier imports through the real binary: a YML feed with a broken offer, a windows-1251 CSV
//! price list with a markup rule, a re-import that changes nothing, a truncated feed that leaves
//! the catalog exactly as it was, a feed behind a token kept in the store of secrets (and a
//! store that cannot be read), a worker killed in the middle of a first import, and a cancel
//! from another process.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::{Duration, Instant};

use serde_json::Value;
use vitrina_testkit::http::{Reply, Server};

use crate::support::{Reaped, credentials, fixture, job, ok_json, parse, product_count, run, vitrina};

#[test]
fn a_yml_feed_imports_reports_its_broken_offer_and_skips_unchanged_offers_next_time() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("shop.db");
    let feed = fixture("supplier.yml");
    ok_json(&db, &["suppliers", "add", "ТехноМаркет", "--source", feed.to_str().unwrap()]);

    let report = ok_json(&db, &["import", "ТехноМаркет"]);
    let imported = &report["run"];
    assert_eq!(imported["state"], "succeeded");
    assert_eq!(imported["rows_read"], 40);
    assert_eq!(imported["created"], 39, "{report:#}");
    assert_eq!(imported["rejected"], 1);
    let issue = &report["issues"][0];
    assert_eq!(issue["kind"], "rejected");
    assert_eq!(issue["record_id"], "100004");
    assert!(issue["line"].as_u64().unwrap() > 100, "the offer's line in the file: {issue}");
    assert!(issue["value"].as_str().unwrap().contains("двенадцать"), "{issue}");
    assert_eq!(product_count(&db), 39);
    let tree = ok_json(&db, &["categories", "tree"]);
    assert!(tree.as_array().unwrap().len() > 3, "the supplier's categories were created: {tree}");

    // The same file given by hand is read again; every offer is unchanged.
    let again = ok_json(&db, &["import", "ТехноМаркет", feed.to_str().unwrap()]);
    assert_eq!(again["run"]["unchanged"], 39, "{again:#}");
    assert_eq!(again["run"]["created"], 0);
    // From the saved source, an unchanged file is not even read.
    let skipped = ok_json(&db, &["import", "ТехноМаркет"]);
    assert_eq!(skipped["run"]["rows_read"], 0);
    assert!(skipped["run"]["notices"][0].as_str().unwrap().contains("not changed"));

    // Category mapping: shown, and changed (which makes the next run re-read every row).
    let mapped = ok_json(&db, &["suppliers", "categories", "ТехноМаркет"]);
    let (theirs, ours) =
        (mapped[0]["supplier_category"].as_str().unwrap(), mapped[0]["category"].as_str().unwrap());
    assert_eq!(theirs, ours, "created under the same names: {mapped}");
    let pair = format!("{theirs}=");
    let unmapped = ok_json(&db, &["suppliers", "categories", "ТехноМаркет", &pair]);
    assert!(unmapped[0]["category"].is_null(), "{unmapped}");
    let remapped = ok_json(&db, &["import", "ТехноМаркет", feed.to_str().unwrap()]);
    assert_eq!(remapped["run"]["unchanged"], 39, "re-processed, nothing changed: {remapped:#}");

    // The report is there later, and exports to CSV.
    let csv = dir.path().join("rejected.csv");
    let out = run(&db, &["import", "report", "ТехноМаркет", "--csv", csv.to_str().unwrap()]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let runs = ok_json(&db, &["import", "runs"]);
    assert_eq!(runs.as_array().unwrap().len(), 4);
    let first = runs.as_array().unwrap().last().unwrap()["id"].as_str().unwrap().to_string();
    let out = run(&db, &["import", "report", &first, "--csv", csv.to_str().unwrap()]);
    assert!(out.status.success());
    let text = std::fs::read_to_string(&csv).unwrap();
    assert!(text.starts_with('\u{feff}') && text.contains("100004") && text.contains("двенадцать"), "{text}");
}

#[test]
fn a_truncated_feed_fails_clearly_and_leaves_the_catalog_as_it_was() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("shop.db");
    ok_json(&db, &["suppliers", "add", "Опт", "--source", fixture("supplier.yml").to_str().unwrap()]);
    ok_json(&db, &["import", "Опт"]);
    let before = std::fs::read(&db).ok().map(|_| ok_json(&db, &["products", "list", "--limit", "100"]));

    let out = run(&db, &["import", "Опт", fixture("truncated.yml").to_str().unwrap()]);
    assert!(!out.status.success(), "a cut-off feed must fail");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("cut off") || err.contains("ends") || err.contains("truncated"), "{err}");
    let after = ok_json(&db, &["products", "list", "--limit", "100"]);
    assert_eq!(before.unwrap(), after, "nothing changed, nothing disappeared");
    let runs = ok_json(&db, &["import", "runs", "Опт"]);
    assert_eq!(runs[0]["state"], "failed");
    assert!(runs[0]["error"].as_str().unwrap().len() > 10);

    let missing = run(&db, &["import", "Опт", dir.path().join("nope.yml").to_str().unwrap()]);
    assert!(!missing.status.success());
    assert!(String::from_utf8_lossy(&missing.stderr).contains("does not exist"));
}

#[test]
fn a_windows_1251_price_list_maps_by_its_russian_headers_with_markup_and_rounding() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("shop.db");
    let csv = fixture("price-1251.csv");
    ok_json(&db, &["suppliers", "add", "Прайс", "--source", csv.to_str().unwrap()]);
    let preview = ok_json(&db, &["suppliers", "map", "Прайс", "--rows", "3"]);
    assert_eq!(preview["encoding"], "windows-1251");
    assert!(preview["mapping_problems"].as_array().unwrap().is_empty(), "{preview:#}");
    assert_eq!(preview["items"].as_array().unwrap().len(), 3);

    // Treat the price column as cost and sell at +30 %, rounded up to end in 9.
    ok_json(&db, &["suppliers", "map", "Прайс", "Цена, руб.=cost"]);
    ok_json(&db, &["suppliers", "set", "Прайс", "--markup", "30", "--round", "9"]);
    let report = ok_json(&db, &["import", "Прайс"]);
    let imported = &report["run"];
    assert_eq!(imported["created"], 29, "{report:#}");
    assert_eq!(imported["rejected"], 1);
    assert_eq!(report["issues"][0]["line"], 8, "the broken row's line");
    assert_eq!(report["issues"][0]["value"], "-500");

    // Known rows of the fixture, worked out by hand: cost × 1.30 (half a kopeck up), then up to
    // the next whole price ending in 9. The supplier's old price stays only above the new price.
    // (No markup would give 1 279, 1 349, 19 869, …; 300 % would give 5 089, 5 359, 79 449, ….)
    let expected: [(&str, i64, i64, Option<i64>); 5] = [
        // 1 270,18 → 1 651,23 → 1 659
        ("RO-1234567-01", 127_018, 165_900, None),
        // 1 339 → 1 740,70 → 1 749
        ("RO-1234567-02", 133_900, 174_900, None),
        // 19 859,99 → 25 817,99 → 25 819
        ("DE-1377109-01", 1_985_999, 2_581_900, None),
        // 152 330,24 → 198 029,31: past 198 029, so 198 039
        ("BO-1400866-02", 15_233_024, 19_803_900, None),
        // 14 699 → 19 108,70 → 19 109, under the supplier's old price of 19 119, which stays
        ("AD-1266243-04", 1_469_900, 1_910_900, Some(1_911_900)),
    ];
    for (sku, cost, price, old_price) in expected {
        let product = &ok_json(&db, &["products", "show", sku]);
        assert_eq!(product["cost"]["minor"], cost, "{sku}: {product}");
        assert_eq!(product["price"]["minor"], price, "{sku}: {product}");
        assert_eq!(product["old_price"]["minor"].as_i64(), old_price, "{sku}: {product}");
    }
    // 2 849,90 → 3 704,87 → 3 709: the supplier's old price of 3 599 is below it and is dropped.
    let product = &ok_json(&db, &["products", "show", "AD-1448380-02"]);
    assert_eq!((&product["price"]["minor"], &product["old_price"]), (&Value::from(370_900), &Value::Null));
}

/// A YML feed of `n` plain offers: enough that importing it takes a while.
fn write_feed(path: &Path, n: u32) {
    let mut f = std::io::BufWriter::new(std::fs::File::create(path).unwrap());
    write!(
        f,
        r#"<?xml version="1.0" encoding="utf-8"?>
<yml_catalog date="2026-12-01T12:00:00+03:00"><shop><name>Опт</name>
<currencies><currency id="RUB" rate="1"/></currencies>
<categories><category id="1">Обувь</category></categories><offers>"#
    )
    .unwrap();
    for i in 0..n {
        writeln!(
            f,
            r#"<offer id="K-{i}" available="true"><price>{}</price><currencyId>RUB</currencyId><categoryId>1</categoryId><name>Кроссовки беговые, модель {i}</name><vendor>Бренд {}</vendor><description>Лёгкие кроссовки для бега, модель {i}.</description><param name="Размер">{}</param><count>{}</count></offer>"#,
            1000 + i % 5000,
            i % 50,
            36 + i % 10,
            1 + i % 20
        )
        .unwrap();
    }
    write!(f, "</offers></shop></yml_catalog>").unwrap();
}

/// The catalog's own view of itself, read with plain SQLite: is it intact, which indexes does it
/// have.
fn integrity_and_indexes(db: &Path) -> (String, Vec<String>) {
    let conn = rusqlite::Connection::open(db).unwrap();
    let check: String = conn.query_row("PRAGMA integrity_check", [], |r| r.get(0)).unwrap();
    let indexes = conn
        .prepare("SELECT name FROM sqlite_master WHERE type = 'index' ORDER BY name")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    (check, indexes)
}

/// How long a test waits at most for something that should happen, so that a broken build
/// fails instead of hanging; never a measurement.
const FAIL_SAFE: Duration = Duration::from_secs(300);

/// Starts `vitrina worker` on `db` and returns once `vitrina jobs show` says that the import job
/// `id` is a quarter of the way through writing its offers: inside its one transaction (which
/// by then has spilled pages into the write-ahead log: about 10 MB of it on this feed), with
/// three quarters of the feed still to write. The test acts on that event, not after a time:
/// the import cannot finish before it has passed this point.
fn worker_inside_an_import(db: &Path, id: &str) -> Reaped {
    let worker =
        Reaped(vitrina(db).args(["worker", "--no-schedules"]).stdout(Stdio::null()).spawn().unwrap());
    let deadline = Instant::now() + FAIL_SAFE;
    loop {
        let j = job(db, id);
        if j["state"] == "running"
            && j["stage"] == "importing"
            && j["done"].as_u64().unwrap_or(0) >= u64::from(BIG) / 4
        {
            return worker;
        }
        assert!(matches!(j["state"].as_str(), Some("queued" | "running")), "the import ended: {j:#}");
        assert!(Instant::now() < deadline, "the import did not get going: {j:#}");
        std::thread::sleep(Duration::from_millis(10));
    }
}

/// A catalog with one supplier whose feed has `n` offers, and its import queued.
fn queued_import(dir: &Path, n: u32) -> (PathBuf, String) {
    let db = dir.join("shop.db");
    let feed = dir.join("big.yml");
    write_feed(&feed, n);
    ok_json(&db, &["suppliers", "add", "Опт", "--source", feed.to_str().unwrap()]);
    let queued = ok_json(&db, &["import", "Опт", "--detach"]);
    (db, queued["id"].as_str().unwrap().to_string())
}

const BIG: u32 = 100_000;

#[test]
fn a_worker_killed_mid_first_import_leaves_the_catalog_empty_and_intact_and_the_import_runs_again() {
    let dir = tempfile::tempdir().unwrap();
    let (db, id) = queued_import(dir.path(), BIG);
    let (_, indexes_before) = integrity_and_indexes(&db);

    // A first import drops the catalog's secondary indexes inside its transaction and builds them
    // again at the end: the kill comes while they are gone.
    let mut worker = worker_inside_an_import(&db, &id);
    worker.0.kill().unwrap(); // SIGKILL: no chance to roll back or clean up
    worker.0.wait().unwrap();

    assert_eq!(ok_json(&db, &["import", "runs", "Опт"])[0]["state"], "running", "left by the dead process");
    assert_eq!(product_count(&db), 0, "nothing of the killed import is in the catalog");
    let (check, indexes_after) = integrity_and_indexes(&db);
    assert_eq!(check, "ok");
    assert_eq!(indexes_after, indexes_before, "the dropped indexes came back with the rollback");

    let out = run(&db, &["worker", "--no-schedules", "--until-idle"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let runs = ok_json(&db, &["import", "runs", "Опт"]);
    let runs = runs.as_array().unwrap();
    assert_eq!(runs.len(), 2, "the killed run and the one after the restart: {runs:#?}");
    assert_eq!(runs[1]["state"], "failed");
    assert!(runs[1]["error"].as_str().unwrap().contains("interrupted"), "{:#}", runs[1]);
    assert_eq!(runs[0]["state"], "succeeded", "{:#}", runs[0]);
    assert_eq!(runs[0]["created"], BIG);
    assert_eq!(job(&db, &id)["state"], "succeeded");
    assert_eq!(product_count(&db), u64::from(BIG));
    assert_eq!(integrity_and_indexes(&db), ("ok".to_string(), indexes_before));
}

#[test]
fn a_running_import_shows_progress_and_can_be_cancelled_from_another_process() {
    let dir = tempfile::tempdir().unwrap();
    let (db, id) = queued_import(dir.path(), BIG);
    // Another process sees the import move (`jobs show`), with three quarters of it to go.
    let _worker = worker_inside_an_import(&db, &id);

    // The import holds the catalog's write lock; the request does not need it. The import then
    // stops at its next batch, long before its end.
    let cancel = ok_json(&db, &["jobs", "cancel", &id]);
    assert_eq!(cancel["outcome"], "requested", "{cancel:#}");

    let deadline = Instant::now() + FAIL_SAFE;
    let ended = loop {
        let j = job(&db, &id);
        if !matches!(j["state"].as_str(), Some("queued" | "running")) {
            break j;
        }
        assert!(Instant::now() < deadline, "the import did not stop: {j:#}");
        std::thread::sleep(Duration::from_millis(50));
    };
    assert_eq!(ended["state"], "cancelled", "{ended:#}");
    let last = &ok_json(&db, &["import", "runs", "Опт"])[0];
    assert_eq!(last["state"], "cancelled", "{last:#}");
    assert_eq!(product_count(&db), 0, "a cancelled import changes nothing");
    assert_eq!(integrity_and_indexes(&db).0, "ok");
}

/// A price list in the CSV the mapping suggestions understand.
const PRICE: &str = "Артикул;Наименование;Цена\nT-1;Термос;1490\nT-2;Кружка;390\n";

/// The only token the feed below accepts.
const TOKEN: &str = "tok-7f3a9c-SECRET";

/// A supplier's feed that answers only requests signed with `X-Api-Key: TOKEN`, like a
/// supplier's export behind an API key.
fn feed_behind_a_token() -> Server {
    Server::start(|request| match request.header("X-Api-Key") {
        Some(TOKEN) => Reply::ok(PRICE).header("Content-Type", "text/csv; charset=utf-8"),
        Some(_) => Reply::status(403),
        None => Reply::status(401).header("WWW-Authenticate", "ApiKey"),
    })
}

/// Adds the supplier "Склад" with the feed at `url` signed in with `TOKEN`, which the command
/// reads from `VITRINA_SOURCE_SECRET` and keeps in the store of secrets.
fn supplier_behind_a_token(db: &Path, url: &str) {
    ok_json(db, &["suppliers", "add", "Склад"]);
    let args = ["suppliers", "source", "Склад", url, "--auth", "header:X-Api-Key", "--json"];
    let out = vitrina(db).args(args).env("VITRINA_SOURCE_SECRET", TOKEN).output().unwrap();
    parse(&args, &out);
}

#[test]
fn a_feed_behind_a_token_is_downloaded_with_the_stored_token() {
    let server = feed_behind_a_token();
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("shop.db");
    let url = server.url("/export/price.csv");
    supplier_behind_a_token(&db, &url);
    let shown = ok_json(&db, &["suppliers", "show", "Склад"]);
    assert!(!shown.to_string().contains(TOKEN), "the source holds only the sign-in method: {shown}");

    let report = ok_json(&db, &["import", "Склад"]);
    assert_eq!(report["run"]["state"], "succeeded", "{report:#}");
    assert_eq!(report["run"]["created"], 2, "{report:#}");
    assert_eq!(ok_json(&db, &["products", "show", "T-1"])["price"]["minor"], 149_000);
    let requests = server.requests();
    assert_eq!(requests.len(), 1, "{requests:?}");
    assert_eq!(requests[0].header("X-Api-Key"), Some(TOKEN), "the token went with the request");

    // The token lives in the store of secrets, nowhere in the catalog or its queue of jobs.
    let stored = std::fs::read_to_string(credentials(&db)).unwrap();
    assert!(stored.contains(TOKEN), "kept in the credentials file the test chose");
    for entry in std::fs::read_dir(dir.path()).unwrap().flatten() {
        let path = entry.path();
        if path != credentials(&db) && path.is_file() {
            let bytes = std::fs::read(&path).unwrap();
            let found = bytes.windows(TOKEN.len()).any(|w| w == TOKEN.as_bytes());
            assert!(!found, "the token is in {}", path.display());
        }
    }

    // The same feed without the token is refused: the stub really checks it.
    let err = run(&db, &["import", "Склад", &url]);
    assert!(!err.status.success());
    let err = String::from_utf8_lossy(&err.stderr);
    assert!(err.contains("401"), "{err}");
}

/// A store of secrets that refuses to be read fails the import with its reason, before anything
/// is downloaded, instead of downloading without the token. Here the store is a credentials
/// file that other users can read, which Vitrina refuses (Unix only: Windows checks no mode).
#[cfg(unix)]
#[test]
fn a_store_of_secrets_that_cannot_be_read_fails_the_import_with_its_reason() {
    use std::os::unix::fs::PermissionsExt;

    let server = feed_behind_a_token();
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("shop.db");
    supplier_behind_a_token(&db, &server.url("/export/price.csv"));
    std::fs::set_permissions(credentials(&db), std::fs::Permissions::from_mode(0o644)).unwrap();

    let queued = ok_json(&db, &["import", "Склад", "--detach"]);
    let id = queued["id"].as_str().unwrap();
    let out = run(&db, &["worker", "--no-schedules", "--until-idle"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let failed = job(&db, id);
    assert_eq!(failed["state"], "failed", "{failed:#}");
    let reason = failed["error"].as_str().map_or_else(|| failed["error"].to_string(), str::to_owned);
    assert!(reason.contains("feed 1"), "which feed: {reason}");
    assert!(reason.contains(&credentials(&db).display().to_string()), "which store: {reason}");
    assert!(reason.contains("chmod 600"), "what to do: {reason}");
    assert!(!reason.contains("no token is saved"), "not mistaken for a missing token: {reason}");
    assert_eq!(failed["attempts"], 1, "not worth a retry: {failed:#}");
    assert!(server.requests().is_empty(), "nothing was downloaded without the token");
    assert_eq!(product_count(&db), 0);
}
