//! `vitrina feeds|docs|cycle` end to end: profiles from flags, preview, one-pass export with
//! per-profile summaries, a folder upload with its public link, documents, and refusals.

use std::path::Path;

use vitrina_app::ipc::{CycleScheduleDto, DocumentDto, ExportRunDto, FeedPreviewDto, FeedProfileDto};

use crate::support::{ok_json, run};

fn dto<T: serde::de::DeserializeOwned>(db: &Path, args: &[&str]) -> T {
    serde_json::from_value(ok_json(db, args)).unwrap_or_else(|e| panic!("{args:?}: {e}"))
}

fn xmllint_schema(file: &Path) {
    let schema = Path::new(env!("CARGO_MANIFEST_DIR")).join("../vitrina-formats/schemas/yml.xsd");
    let out = std::process::Command::new("xmllint")
        .args(["--noout", "--schema"])
        .arg(&schema)
        .arg(file)
        .output()
        .expect("xmllint (apt install libxml2-utils; scripts/test installs it)");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
}

#[test]
fn profiles_export_in_one_pass_upload_to_a_folder_and_write_documents() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("shop.db");
    ok_json(&db, &["demo", "--products", "80"]);
    let out = |name: &str| dir.path().join(name).display().to_string();

    let yandex: FeedProfileDto = dto(
        &db,
        &[
            "feeds",
            "add",
            "Яндекс",
            "--format",
            "yml",
            "--out",
            &out("yandex.xml"),
            "--shop-name",
            "Демо",
            "--shop-url",
            "https://demo.example.ru",
            "--in-stock",
            "--markup",
            "10",
            "--rounding",
            "ends_in99",
            "--delivery",
            "300:1-3:18",
        ],
    );
    assert!(yandex.selection.in_stock_only);
    assert_eq!((yandex.prices.markup_bp, yandex.prices.rounding.as_str()), (1_000, "ends_in99"));
    let _: FeedProfileDto = dto(
        &db,
        &[
            "feeds",
            "add",
            "Прайс",
            "--format",
            "xlsx",
            "--out",
            &out("price.xlsx"),
            "--columns",
            "sku,name,price",
        ],
    );
    let _: FeedProfileDto = dto(
        &db,
        &[
            "feeds",
            "add",
            "Google",
            "--format",
            "google",
            "--out",
            &out("google.xml"),
            "--url-template",
            "https://demo.example.ru/p/{sku}",
        ],
    );
    let list: Vec<FeedProfileDto> = dto(&db, &["feeds", "list"]);
    assert_eq!(list.iter().map(|p| p.name.as_str()).collect::<Vec<_>>(), ["Google", "Прайс", "Яндекс"]);

    let preview: FeedPreviewDto = dto(&db, &["feeds", "preview", "Яндекс", "--limit", "2"]);
    assert!(preview.matched > 0 && preview.matched <= 80, "{}", preview.matched);
    assert_eq!(preview.text.matches("<offer ").count(), 2, "{}", preview.text);
    assert!(preview.text.contains("99</price>"), "rounded to …99: {}", preview.text);

    let run_all: ExportRunDto = dto(&db, &["feeds", "export", "--all"]);
    assert_eq!(run_all.results.len(), 3);
    for r in &run_all.results {
        assert!(r.ok && r.written > 0, "{r:?}");
    }
    xmllint_schema(&dir.path().join("yandex.xml"));

    let www = dir.path().join("www");
    std::fs::create_dir(&www).unwrap();
    let folder = format!("folder:{}", www.display());
    let set: FeedProfileDto = dto(
        &db,
        &["feeds", "set", "Яндекс", "--upload", &folder, "--public-url", "https://demo.example.ru/feeds"],
    );
    assert_eq!(set.public_url.as_deref(), Some("https://demo.example.ru/feeds/yandex.xml"));
    let one: ExportRunDto = dto(&db, &["feeds", "export", "Яндекс"]);
    assert_eq!(one.results[0].public_url.as_deref(), Some("https://demo.example.ru/feeds/yandex.xml"));
    assert!(www.join("yandex.xml").is_file());

    let doc: DocumentDto = dto(&db, &["docs", "price-list", "--format", "csv", "--out", &out("list.csv")]);
    assert!(doc.products > 0 && doc.bytes > 0);
    let sku = std::fs::read_to_string(dir.path().join("list.csv"))
        .unwrap()
        .lines()
        .nth(1)
        .unwrap()
        .split(';')
        .next()
        .unwrap()
        .to_string();
    let sheet: DocumentDto = dto(&db, &["docs", "spec-sheet", &sku, "--out", &out("sheet.pdf")]);
    assert!(std::fs::read(&sheet.file).unwrap().starts_with(b"%PDF"));

    let text = String::from_utf8(run(&db, &["feeds", "export", "--all"]).stdout).unwrap();
    assert!(text.contains("Яндекс") && text.contains("https://demo.example.ru/feeds/yandex.xml"), "{text}");
    let removed: FeedProfileDto = dto(&db, &["feeds", "remove", "Google"]);
    assert_eq!((removed.name.as_str(), removed.format.as_str()), ("Google", "google"));
    let scheduled: CycleScheduleDto = dto(&db, &["cycle", "schedule", "0 5 * * *"]);
    assert_eq!(scheduled.cron.as_deref(), Some("0 5 * * *"));
    let unscheduled: CycleScheduleDto = dto(&db, &["cycle", "schedule", ""]);
    assert_eq!(unscheduled.cron, None);
    assert_eq!(dto::<Vec<FeedProfileDto>>(&db, &["feeds", "list"]).len(), 2);
}

#[test]
fn bad_profiles_and_targets_are_refused_with_the_reason() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("shop.db");
    ok_json(&db, &["demo", "--products", "20"]);
    let err = |args: &[&str]| {
        let out = run(&db, &[args, &["--json"]].concat());
        assert_eq!(out.status.code(), Some(1), "{args:?} should fail");
        serde_json::from_slice::<serde_json::Value>(&out.stderr).unwrap()
    };
    let e = err(&["feeds", "add", "X", "--format", "docx", "--out", "x.docx"]);
    assert_eq!(e["code"], "invalid");
    assert!(e["message"].as_str().unwrap().contains("docx"));
    let e = err(&["feeds", "add", "Y", "--format", "yml", "--out", "y.xml"]);
    assert!(e["message"].as_str().unwrap().contains("site address"), "{e}");
    assert_eq!(err(&["feeds", "export", "Нет такого"])["code"], "not_found");
    assert_eq!(
        err(&["feeds", "add", "Z", "--format", "csv", "--out", "z.csv", "--category", "Нет такой"])["code"],
        "not_found"
    );

    let missing = dir.path().join("no/such/folder/feed.csv").display().to_string();
    ok_json(&db, &["feeds", "add", "Плохой", "--format", "csv", "--out", &missing]);
    let out = run(&db, &["feeds", "export", "Плохой", "--json"]);
    assert_eq!(out.status.code(), Some(1));
    let printed: ExportRunDto = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(printed.results[0].error_code.as_deref(), Some("output_unwritable"));
    assert!(printed.results[0].error.as_deref().unwrap().contains("does not exist"));
}
