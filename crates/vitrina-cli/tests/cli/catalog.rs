//! Catalog commands: the demo, search, edits, history and undo, and refusals.

use crate::support::{fails, ok_json, run};

#[test]
fn demo_search_edit_history_undo() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("shop.db");
    let report = ok_json(&db, &["demo", "--products", "400"]);
    assert_eq!(report["products"], 400);

    let found = ok_json(&db, &["products", "search", "кроссовок", "--limit", "5"]);
    let rows = found["rows"].as_array().unwrap();
    assert!(!rows.is_empty() && found["total"].as_u64().unwrap() >= rows.len() as u64);
    assert!(rows.iter().all(|r| r["name"].as_str().unwrap().starts_with("Кроссовки")), "{rows:?}");
    let sku = rows[0]["sku"].as_str().unwrap().to_string();

    let saved = ok_json(&db, &["products", "set", &sku, "price=1 299,50", "stock=7", "category=Шампуни"]);
    assert_eq!(saved["price"]["minor"], 129_950);
    let shown = ok_json(&db, &["products", "show", &sku]);
    assert_eq!(shown["stock"], 7);
    assert_eq!(shown["category_path"], "Красота и здоровье / Шампуни");

    let history = ok_json(&db, &["products", "history", &sku]);
    let mut fields: Vec<&str> =
        history.as_array().unwrap().iter().map(|r| r["field"].as_str().unwrap()).collect();
    fields[..3].sort();
    assert_eq!(&fields[..3], ["category", "price", "stock"]);

    ok_json(&db, &["products", "undo", &sku]);
    let shown = ok_json(&db, &["products", "show", &sku]);
    assert_ne!(shown["price"]["minor"], 129_950);
    assert_ne!(shown["category_path"], "Красота и здоровье / Шампуни");

    let table =
        run(&db, &["products", "list", "--category", "Одежда и обувь", "--sort", "price", "--limit", "3"]);
    let text = String::from_utf8_lossy(&table.stdout);
    assert!(table.status.success() && text.contains("SKU") && text.contains("More: --after"), "{text}");
    let page = ok_json(&db, &["products", "list", "--brand", "Nike", "--in-stock", "--limit", "2"]);
    let cursor = page["next"].as_str().unwrap().to_string();
    let next = ok_json(
        &db,
        &["products", "list", "--brand", "Nike", "--in-stock", "--limit", "2", "--after", &cursor],
    );
    assert_ne!(page["rows"][0]["sku"], next["rows"][0]["sku"]);

    let stats = ok_json(&db, &["stats"]);
    assert_eq!(stats["products"], 400);
    assert_eq!(ok_json(&db, &["reindex"])["products"], 400, "the search index is written anew");
    assert_eq!(ok_json(&db, &["stats"])["products"], 400);
    let tree = ok_json(&db, &["categories", "tree"]);
    assert!(tree.as_array().unwrap().len() >= 10);
}

#[test]
fn search_says_when_it_read_the_words_as_meant_and_searches_as_typed_on_request() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("shop.db");
    ok_json(&db, &["demo", "--products", "300"]);
    for (typed, meant, kind) in [
        ("rhjccjdrb nike", "кроссовки nike", "layout"),
        ("кроссовки найк", "кроссовки Nike", "alphabet"),
        ("кросовки nike", "кроссовки nike", "typo"),
    ] {
        let found = ok_json(&db, &["products", "search", typed]);
        assert!(!found["rows"].as_array().unwrap().is_empty(), "{typed}: {found}");
        assert_eq!(found["correction"]["query"], meant, "{typed}");
        assert_eq!(found["correction"]["typed"], typed);
        assert_eq!(found["correction"]["instead"], true);
        assert_eq!(found["correction"]["changes"][0]["kind"], kind);
        let exact = ok_json(&db, &["products", "search", typed, "--exact"]);
        assert!(exact["rows"].as_array().unwrap().is_empty() && exact.get("correction").is_none(), "{exact}");
    }
    let out = run(&db, &["products", "search", "rhjccjdrb", "nike", "--limit", "3"]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{text}");
    assert!(text.contains("showing results for «кроссовки nike»") && text.contains("--exact"), "{text}");
    let matching = ok_json(&db, &["products", "search", "кроссовки", "nike"]);
    assert!(matching.get("correction").is_none(), "a query that matches is never rewritten");
    let page = ok_json(&db, &["products", "list", "--text", "тшлу", "--limit", "3"]);
    assert_eq!(page["correction"]["query"], "nike");
    assert!(page["rows"].as_array().unwrap().iter().all(|r| r["brand"] == "Nike"), "{page}");
    let page = ok_json(&db, &["products", "list", "--text", "тшлу", "--exact"]);
    assert!(page["rows"].as_array().unwrap().is_empty());
}

#[test]
fn bad_input_is_one_clear_sentence_and_changes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("shop.db");
    ok_json(&db, &["demo", "--products", "50"]);
    let sku =
        ok_json(&db, &["products", "list", "--limit", "1"])["rows"][0]["sku"].as_str().unwrap().to_string();
    let before = ok_json(&db, &["products", "show", &sku]);

    let err = fails(&db, &["products", "set", &sku, "barcodes=4006381333932"]);
    assert!(err.contains("barcodes \"4006381333932\"") && err.contains("check digit"), "{err}");
    let err = fails(&db, &["products", "set", &sku, "price=-5"]);
    assert!(err.contains("price") && err.contains("must not be negative"), "{err}");
    let err = fails(&db, &["products", "set", &sku, "colour=red"]);
    assert!(err.contains("unknown product field \"colour\""), "{err}");
    let err = fails(&db, &["products", "set", &sku, "category=Космос"]);
    assert!(err.contains("category \"Космос\" does not exist"), "{err}");
    let err = fails(&db, &["products", "show", "NO-SUCH-SKU"]);
    assert!(err.contains("product \"NO-SUCH-SKU\" does not exist"), "{err}");
    let err = fails(&db, &["demo", "--products", "10"]);
    assert!(err.contains("--replace"), "{err}");
    assert_eq!(ok_json(&db, &["products", "show", &sku]), before, "nothing was half-written");
    assert_eq!(ok_json(&db, &["stats"])["products"], 50);
}

#[test]
fn refuses_a_file_that_is_not_a_catalog_and_leaves_it_untouched() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("prices.csv");
    std::fs::write(&file, "Артикул;Цена\nA-1;100\n").unwrap();
    let err = fails(&file, &["stats"]);
    assert!(err.contains("is not a Vitrina catalog"), "{err}");
    assert_eq!(std::fs::read_to_string(&file).unwrap(), "Артикул;Цена\nA-1;100\n");
}
