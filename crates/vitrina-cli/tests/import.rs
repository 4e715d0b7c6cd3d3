//! Supplier imports through the real binary: a YML feed with a broken offer, a windows-1251 CSV
//! price list with a negative price, a re-import that changes nothing, a supplement joined by
//! SKU, and a truncated feed that leaves the catalog exactly as it was.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

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
