//! Supplier imports through the real binary: a YML feed with a broken offer, a windows-1251 CSV
//! price list with a negative price, a re-import that changes nothing, a supplement joined by
//! SKU, a truncated feed that leaves the catalog exactly as it was, and a worker killed in the
//! middle of a first import.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures").join(name)
}

fn vitrina(db: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_vitrina"))
        .arg("--db")
        .arg(db)
        .args(args)
        .env_remove("VITRINA_DB")
        .env("VITRINA_KEYRING", "keyutils")
        .output()
        .expect("the vitrina binary runs")
}

fn ok_json(db: &Path, args: &[&str]) -> Value {
    let mut all = args.to_vec();
    all.push("--json");
    let out = vitrina(db, &all);
    assert!(out.status.success(), "{args:?} failed: {}", String::from_utf8_lossy(&out.stderr));
    serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("{args:?}: not JSON ({e}): {}", String::from_utf8_lossy(&out.stdout)))
}

fn product_count(db: &Path) -> u64 {
    ok_json(db, &["stats"])["products"].as_u64().unwrap()
}

#[test]
fn a_yml_feed_imports_reports_its_broken_offer_and_skips_unchanged_offers_next_time() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("shop.db");
    let feed = fixture("supplier.yml");
    ok_json(&db, &["suppliers", "add", "ТехноМаркет", "--source", feed.to_str().unwrap()]);

    let report = ok_json(&db, &["import", "ТехноМаркет"]);
    let run = &report["run"];
    assert_eq!(run["state"], "succeeded");
    assert_eq!(run["rows_read"], 40);
    assert_eq!(run["counts"]["created"], 39, "{report:#}");
    assert_eq!(run["counts"]["rejected"], 1);
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
    assert_eq!(again["run"]["counts"]["unchanged"], 39, "{again:#}");
    assert_eq!(again["run"]["counts"]["created"], 0);
    // From the saved source, an unchanged file is not even read.
    let skipped = ok_json(&db, &["import", "ТехноМаркет"]);
    assert_eq!(skipped["run"]["rows_read"], 0);
    assert!(skipped["run"]["notices"][0].as_str().unwrap().contains("not changed"));

    // Category mapping: shown, and changed (which makes the next run re-read every row).
    let mapped = ok_json(&db, &["suppliers", "categories", "ТехноМаркет"]);
    let (theirs, ours) = (mapped[0][0].as_str().unwrap(), mapped[0][1].as_str().unwrap());
    assert_eq!(theirs, ours, "created under the same names: {mapped}");
    let pair = format!("{theirs}=");
    let unmapped = ok_json(&db, &["suppliers", "categories", "ТехноМаркет", &pair]);
    assert!(unmapped[0][1].is_null(), "{unmapped}");
    let remapped = ok_json(&db, &["import", "ТехноМаркет", feed.to_str().unwrap()]);
    assert_eq!(remapped["run"]["counts"]["unchanged"], 39, "re-processed, nothing changed: {remapped:#}");

    // The report is there later, and exports to CSV.
    let csv = dir.path().join("rejected.csv");
    let out = vitrina(&db, &["import", "report", "ТехноМаркет", "--csv", csv.to_str().unwrap()]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let runs = ok_json(&db, &["import", "runs"]);
    assert_eq!(runs.as_array().unwrap().len(), 4);
    let first = runs.as_array().unwrap().last().unwrap()["id"].as_str().unwrap().to_string();
    let out = vitrina(&db, &["import", "report", &first, "--csv", csv.to_str().unwrap()]);
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

    let out = vitrina(&db, &["import", "Опт", fixture("truncated.yml").to_str().unwrap()]);
    assert!(!out.status.success(), "a cut-off feed must fail");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("cut off") || err.contains("ends") || err.contains("truncated"), "{err}");
    let after = ok_json(&db, &["products", "list", "--limit", "100"]);
    assert_eq!(before.unwrap(), after, "nothing changed, nothing disappeared");
    let runs = ok_json(&db, &["import", "runs", "Опт"]);
    assert_eq!(runs[0]["state"], "failed");
    assert!(runs[0]["error"].as_str().unwrap().len() > 10);

    let missing = vitrina(&db, &["import", "Опт", dir.path().join("nope.yml").to_str().unwrap()]);
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
    let run = &report["run"];
    assert_eq!(run["counts"]["created"], 29, "{report:#}");
    assert_eq!(run["counts"]["rejected"], 1);
    assert_eq!(report["issues"][0]["line"], 8, "the broken row's line");
    assert_eq!(report["issues"][0]["value"], "-500");

    let list = ok_json(&db, &["products", "list", "--limit", "50"]);
    for row in list["rows"].as_array().unwrap().iter().take(8) {
        let shown = ok_json(&db, &["products", "show", row["sku"].as_str().unwrap()]);
        let row = &shown["product"];
        let price = row["price"]["minor"].as_i64().unwrap();
        let cost = row["cost"]["minor"].as_i64().unwrap();
        assert!(price >= cost * 13 / 10, "30 % markup: {row}");
        assert_eq!((price / 100) % 10, 9, "ends in 9: {row}");
        assert_eq!(price % 100, 0, "whole roubles: {row}");
    }
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

/// A child process that is killed if the test fails before it does so itself.
struct Reaped(std::process::Child);

impl Drop for Reaped {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
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

/// Starts `vitrina worker` on `db` and returns once it is inside a first import's transaction:
/// the run is recorded and the transaction has already spilled pages into the write-ahead log.
fn worker_inside_an_import(db: &Path) -> Reaped {
    let worker = Reaped(
        Command::new(env!("CARGO_BIN_EXE_vitrina"))
            .arg("--db")
            .arg(db)
            .args(["worker", "--no-schedules"])
            .env_remove("VITRINA_DB")
            .stdout(Stdio::null())
            .spawn()
            .unwrap(),
    );
    let wal = db.with_extension("db-wal");
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let runs = ok_json(db, &["import", "runs"]);
        let spilled = std::fs::metadata(&wal).map(|m| m.len()).unwrap_or(0);
        if runs[0]["state"] == "running" && spilled > 8 << 20 {
            return worker;
        }
        assert!(runs[0]["state"] != "succeeded", "the import finished before the test could step in");
        assert!(Instant::now() < deadline, "the import did not start: {runs}");
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
    let (db, _) = queued_import(dir.path(), BIG);
    let (_, indexes_before) = integrity_and_indexes(&db);

    // A first import drops the catalog's secondary indexes inside its transaction and builds them
    // again at the end: the kill comes while they are gone.
    let mut worker = worker_inside_an_import(&db);
    worker.0.kill().unwrap(); // SIGKILL: no chance to roll back or clean up
    worker.0.wait().unwrap();

    assert_eq!(ok_json(&db, &["import", "runs", "Опт"])[0]["state"], "running", "left by the dead process");
    assert_eq!(product_count(&db), 0, "nothing of the killed import is in the catalog");
    let (check, indexes_after) = integrity_and_indexes(&db);
    assert_eq!(check, "ok");
    assert_eq!(indexes_after, indexes_before, "the dropped indexes came back with the rollback");

    let out = vitrina(&db, &["worker", "--no-schedules", "--until-idle"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let runs = ok_json(&db, &["import", "runs", "Опт"]);
    let runs = runs.as_array().unwrap();
    assert_eq!(runs.len(), 2, "the killed run and the one after the restart: {runs:#?}");
    assert_eq!(runs[1]["state"], "failed");
    assert!(runs[1]["error"].as_str().unwrap().contains("interrupted"), "{:#}", runs[1]);
    assert_eq!(runs[0]["state"], "succeeded", "{:#}", runs[0]);
    assert_eq!(runs[0]["counts"]["created"], BIG);
    assert_eq!(product_count(&db), u64::from(BIG));
    assert_eq!(integrity_and_indexes(&db), ("ok".to_string(), indexes_before));
}

#[test]
fn a_running_import_shows_progress_and_can_be_cancelled_from_another_process() {
    let dir = tempfile::tempdir().unwrap();
    let (db, job) = queued_import(dir.path(), BIG);
    let _worker = worker_inside_an_import(&db);

    // Another process sees the import move, although the jobs table cannot take its progress.
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let j = ok_json(&db, &["jobs", "show", &job])["job"].clone();
        if j["progress"]["done"].as_u64().unwrap_or(0) > 0 {
            break;
        }
        assert!(j["state"] == "running" && Instant::now() < deadline, "no progress seen: {j}");
        std::thread::sleep(Duration::from_millis(20));
    }

    // The import holds the catalog's write lock: the request must not need it.
    let asked = Instant::now();
    let cancel = ok_json(&db, &["jobs", "cancel", &job]);
    assert!(asked.elapsed() < Duration::from_secs(2), "cancel waited {:?}", asked.elapsed());
    assert_eq!(cancel["outcome"]["outcome"], "requested", "{cancel:#}");

    let deadline = Instant::now() + Duration::from_secs(30);
    let ended = loop {
        let j = ok_json(&db, &["jobs", "show", &job])["job"].clone();
        if j["state"] != "running" {
            break j;
        }
        assert!(Instant::now() < deadline, "the import did not stop: {j}");
        std::thread::sleep(Duration::from_millis(50));
    };
    assert_eq!(ended["state"], "cancelled", "{ended:#}");
    let run = &ok_json(&db, &["import", "runs", "Опт"])[0];
    assert_eq!(run["state"], "cancelled", "{run:#}");
    assert_eq!(product_count(&db), 0, "a cancelled import changes nothing");
    assert_eq!(integrity_and_indexes(&db).0, "ok");
}
