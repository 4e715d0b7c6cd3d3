//! `vitrina mp accounts …` end to end against a local fake of the Ozon seller API: the key
//! goes from the environment or standard input to the credentials store and never into
//! output, the check names what works and what does not.

use std::io::Write;
use std::process::Stdio;

use vitrina_app::ipc::{ConnectionCheckDto, MarketAccountDto};
use vitrina_testkit::market::{Fake, FakeConfig, FakeMarket, FakeToken};

use crate::support::{credentials, fails, ok_json, parse, run, vitrina};

#[test]
fn accounts_are_added_checked_and_removed_and_keys_never_printed() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("shop.db");
    let fake =
        FakeMarket::start(Fake::Ozon, FakeConfig::new(vec![FakeToken::ozon("12345", "ozon-api-key-1")]));
    let url = fake.url();

    // The key from the environment.
    let out = vitrina(&db)
        .env("VITRINA_MP_TOKEN", "ozon-api-key-1")
        .args([
            "mp",
            "accounts",
            "add",
            "Ozon shop",
            "--market",
            "ozon",
            "--client-id",
            "12345",
            "--base-url",
            &url,
            "--json",
        ])
        .output()
        .unwrap();
    let added: MarketAccountDto = serde_json::from_value(parse(&["mp", "accounts", "add"], &out)).unwrap();
    assert_eq!((added.market.as_str(), added.secret_set), ("ozon", true));
    let stored = std::fs::read_to_string(credentials(&db)).unwrap();
    assert!(stored.contains("ozon-api-key-1"), "the key is in the credentials store");

    let check: ConnectionCheckDto =
        serde_json::from_value(ok_json(&db, &["mp", "accounts", "check", "Ozon shop"])).unwrap();
    assert!(check.ok, "{check:?}");
    let table = run(&db, &["mp", "accounts", "list"]);
    let text = String::from_utf8_lossy(&table.stdout);
    assert!(text.contains("Ozon shop") && text.contains("works"), "{text}");
    assert!(!text.contains("ozon-api-key-1"));

    // A second account with a key the marketplace refuses, from standard input: the check
    // fails, says why, and exits 1 after printing what each group answered.
    let mut child = vitrina(&db)
        .args([
            "mp",
            "accounts",
            "add",
            "Wrong",
            "--market",
            "ozon",
            "--client-id",
            "12345",
            "--base-url",
            &url,
            "--token-stdin",
        ])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(b"revoked-key\n").unwrap();
    assert!(child.wait_with_output().unwrap().status.success());
    let out = run(&db, &["mp", "accounts", "check", "Wrong", "--json"]);
    assert_eq!(out.status.code(), Some(1));
    let check: ConnectionCheckDto = serde_json::from_slice(&out.stdout).unwrap();
    assert!(!check.ok && check.groups.iter().any(|g| g.outcome == "bad_token"), "{check:?}");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("bad_token") && !stderr.contains("revoked-key"), "{stderr}");

    let removed: MarketAccountDto =
        serde_json::from_value(ok_json(&db, &["mp", "accounts", "remove", "Wrong"])).unwrap();
    assert_eq!(removed.name, "Wrong");
    assert!(
        !std::fs::read_to_string(credentials(&db)).unwrap().contains("revoked-key"),
        "its key is removed"
    );
    let list: Vec<MarketAccountDto> =
        serde_json::from_value(ok_json(&db, &["mp", "accounts", "list"])).unwrap();
    assert_eq!(list.len(), 1);
}

#[test]
fn refusals_are_one_clear_sentence() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("shop.db");
    let err = fails(&db, &["mp", "accounts", "add", "x", "--market", "wb"]);
    assert!(err.contains("VITRINA_MP_TOKEN"), "{err}");
    let err = fails(&db, &["mp", "accounts", "show", "nobody"]);
    assert!(err.contains("nobody"), "{err}");
    let mut add = vitrina(&db);
    add.env("VITRINA_MP_TOKEN", "t").args(["mp", "accounts", "add", "x", "--market", "amazon"]);
    let out = add.output().unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("wb, ozon or ym"));
}

#[test]
fn the_precheck_reports_products_a_marketplace_would_refuse() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("shop.db");
    ok_json(&db, &["demo", "--products", "30"]);
    let report: vitrina_app::ipc::PrecheckDto =
        serde_json::from_value(ok_json(&db, &["mp", "check", "ozon"])).unwrap();
    assert_eq!((report.checked, report.with_problems), (30, 0), "the demo's products are complete");
    // One product loses its pictures and brand: Ozon needs pictures, Yandex Market both.
    let first: serde_json::Value = ok_json(&db, &["products", "list", "--limit", "1"]);
    let sku = first["rows"][0]["sku"].as_str().unwrap().to_string();
    ok_json(&db, &["products", "set", &sku, "images=", "brand="]);
    let report: vitrina_app::ipc::PrecheckDto =
        serde_json::from_value(ok_json(&db, &["mp", "check", "ym"])).unwrap();
    assert_eq!(report.with_problems, 1);
    assert_eq!(report.products[0].sku, sku);
    let codes: Vec<&str> = report.products[0].problems.iter().map(|p| p.code.as_str()).collect();
    assert_eq!(codes, ["no_images", "no_brand"]);
    let report: vitrina_app::ipc::PrecheckDto =
        serde_json::from_value(ok_json(&db, &["mp", "check", "ozon", &sku])).unwrap();
    assert_eq!((report.checked, report.counts.len()), (1, 1));
    let text = String::from_utf8_lossy(&run(&db, &["mp", "check", "wb"]).stdout).to_string();
    assert!(text.contains("30 products checked for wb") && text.contains("name_too_long"), "{text}");
    let err = fails(&db, &["mp", "check", "ym", "NO-SUCH-SKU"]);
    assert!(err.contains("NO-SUCH-SKU"), "{err}");
}

#[test]
fn the_demo_catalog_is_mapped_published_priced_and_stocked_in_a_few_commands() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("shop.db");
    ok_json(&db, &["demo", "--products", "60"]);
    let fake = FakeMarket::start(Fake::Ozon, FakeConfig::new(vec![FakeToken::ozon("100500", "ozon-key-42")]));
    let url = fake.url();
    let out = vitrina(&db)
        .env("VITRINA_MP_TOKEN", "ozon-key-42")
        .args([
            "mp",
            "accounts",
            "add",
            "Озон",
            "--market",
            "ozon",
            "--client-id",
            "100500",
            "--base-url",
            &url,
        ])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));

    let auto = ok_json(&db, &["mp", "map", "Озон", "--auto"]);
    assert!(auto["categories_mapped"].as_u64().unwrap() >= 7, "{auto}");
    let categories = ok_json(&db, &["mp", "categories", "Озон", "кроссовки"]);
    assert!(categories.as_array().is_some_and(|c| !c.is_empty()), "{categories}");

    let run_dto: vitrina_app::ipc::MarketRunDto =
        serde_json::from_value(ok_json(&db, &["mp", "publish", "Озон", "--all"])).unwrap();
    assert_eq!(run_dto.read, 60);
    assert!(run_dto.done > 0, "{run_dto:?}");
    assert_eq!(run_dto.done + run_dto.rejected + run_dto.awaiting, run_dto.queued, "{run_dto:?}");
    assert_eq!(fake.ozon_products().len() as u64, run_dto.queued, "one product per sent card");

    let inbox: vitrina_app::ipc::MarketLinksDto =
        serde_json::from_value(ok_json(&db, &["mp", "errors", "Озон"])).unwrap();
    assert_eq!(inbox.items.len() as u64, run_dto.precheck_failed + run_dto.rejected);
    let text = String::from_utf8_lossy(&run(&db, &["mp", "errors", "Озон"]).stdout).to_string();
    assert!(text.contains("live"), "{text}");

    // Prices go at once; stocks need the Ozon warehouse.
    let prices: vitrina_app::ipc::MarketRunDto =
        serde_json::from_value(ok_json(&db, &["mp", "prices", "Озон"])).unwrap();
    assert_eq!(prices.done, run_dto.done, "{prices:?}");
    let err = fails(&db, &["mp", "stocks", "Озон"]);
    assert!(err.contains("warehouse"), "{err}");
    ok_json(&db, &["mp", "accounts", "set", "Озон", "--warehouse", "Основной=22142605386000"]);
    let stocks: vitrina_app::ipc::MarketRunDto =
        serde_json::from_value(ok_json(&db, &["mp", "stocks", "Озон"])).unwrap();
    assert_eq!(stocks.done, run_dto.done, "{stocks:?}");
    let live = inbox.counts.iter().find(|c| c.status == "live").map_or(0, |c| c.count);
    assert_eq!(live, run_dto.done);

    // Nothing changed: nothing is sent.
    let again: vitrina_app::ipc::MarketRunDto =
        serde_json::from_value(ok_json(&db, &["mp", "publish", "Озон", "--all"])).unwrap();
    assert_eq!((again.queued, again.requests), (0, 0), "{again:?}");
    let outbox = ok_json(&db, &["mp", "outbox", "Озон"]);
    assert!(
        outbox["counts"].as_array().unwrap().iter().any(|c| c["op"] == "stock" && c["state"] == "done"),
        "{outbox}"
    );

    // The value map of a dictionary attribute the demo's products fill: listed, one value mapped.
    let mapped = ok_json(&db, &["mp", "map", "Озон"]);
    let (ext, attr, theirs, listed) = mapped
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|c| c["ext_id"].as_str())
        .flat_map(|ext| {
            let attrs = ok_json(&db, &["mp", "map", "Озон", "--attributes", ext]);
            attrs
                .as_array()
                .unwrap()
                .iter()
                .filter(|a| a["dictionary_size"].as_u64() > Some(1))
                .map(|a| {
                    let id = a["attr_id"].as_str().unwrap().to_owned();
                    let theirs = a["sample_values"][0].as_str().unwrap_or_default().to_owned();
                    let listed = ok_json(&db, &["mp", "values", "Озон", "--category", ext, "--attr", &id]);
                    (ext.to_owned(), id, theirs, listed)
                })
                .collect::<Vec<_>>()
        })
        .find(|(.., l)| l["values"].as_array().is_some_and(|v| !v.is_empty()))
        .expect("a dictionary attribute with values");
    let mine = listed["values"][0]["text"].as_str().unwrap().to_owned();
    let pair = format!("{mine}={theirs}");
    let after = ok_json(&db, &["mp", "values", "Озон", "--category", &ext, "--attr", &attr, "--map", &pair]);
    let row = after["values"].as_array().unwrap().iter().find(|v| v["text"] == mine.as_str()).unwrap();
    assert_eq!(
        (row["state"].as_str(), row["value"]["value"].as_str()),
        (Some("mapped"), Some(theirs.as_str())),
        "{row}"
    );
    let table = String::from_utf8_lossy(
        &run(&db, &["mp", "values", "Озон", "--category", &ext, "--attr", &attr]).stdout,
    )
    .to_string();
    assert!(table.contains(&format!("{theirs} (yours)")), "{table}");

    // Cards already on the marketplace link back to their products.
    let pulled: vitrina_app::ipc::PullCardsDto =
        serde_json::from_value(ok_json(&db, &["mp", "pull-cards", "Озон"])).unwrap();
    assert_eq!(pulled.linked_by_sku, fake.ozon_products().len() as u64, "{pulled:?}");
    let all = run(&db, &["mp", "errors", "Озон", "--json"]);
    assert!(!String::from_utf8_lossy(&all.stdout).contains("ozon-key-42"));
}
