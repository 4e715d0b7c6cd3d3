//! Whole import runs on a real catalog: a feed from a local HTTP server (conditional GET, a
//! 404 that changes nothing), a stock file joined to the main feed by SKU, currency rates and
//! brand aliases from the supplier's settings.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use vitrina_domain::SupplierId;
use vitrina_import::source::SourceSpec;
use vitrina_import::{ImportError, ImportReport, ImportRequest, ReadSettings, SupplierSettings, run_import};
use vitrina_store::imports::{RunState, SourceRow};
use vitrina_store::{Catalog, ProductKey};
use vitrina_testkit::http::{Reply, Server};

const MAIN: &str = "Артикул;Наименование;Бренд;Цена закупки;Цена, $;Остаток;Категория\n\
A-1;Чайник электрический;LG Electronics;10;20;5;Техника / Кухня\n\
A-2;Утюг паровой;Philips;15,5;31;0;Техника / Дом\n\
A-3;Фен;Philips;8;;3;Техника / Дом\n\
A-4;Миксер;Bosch;9;18;6;Техника / Кухня\n";

const STOCK: &str = "sku,qty\nA-1,42\nA-2,7\nA-3,0\nZZ-9,100\n";

fn source(spec: &SourceSpec, position: u32) -> SourceRow {
    SourceRow {
        position,
        spec: serde_json::to_string(spec).unwrap(),
        read_options: ReadSettings::default().to_json(),
        mapping: None,
        etag: None,
        last_modified: None,
    }
}

fn run(c: &mut Catalog, supplier: SupplierId, dir: &std::path::Path) -> Result<ImportReport, ImportError> {
    let request =
        ImportRequest { supplier, main_override: None, job_id: None, cache_dir: dir.join("downloads") };
    run_import(c, &request, &|_, _| None, &|| false, &mut |_| {})
}

#[test]
fn a_feed_from_a_link_with_a_stock_file_joined_by_sku() {
    let dir = tempfile::tempdir().unwrap();
    let gets = Arc::new(AtomicUsize::new(0));
    let counter = gets.clone();
    let server = Server::start(move |req| {
        counter.fetch_add(1, Ordering::SeqCst);
        match req.path.as_str() {
            "/price.csv" if req.header("If-None-Match") == Some("\"v1\"") => Reply::status(304),
            "/price.csv" => Reply::ok(MAIN).header("ETag", "\"v1\"").header("Content-Type", "text/csv"),
            "/stock.csv" if req.header("If-None-Match") == Some("\"s1\"") => Reply::status(304),
            "/stock.csv" => Reply::ok(STOCK).header("ETag", "\"s1\""),
            _ => Reply::status(404),
        }
    });
    let mut c = Catalog::open(dir.path().join("catalog.db")).unwrap();
    let s = c.add_supplier("Импортёр", 0).unwrap();
    c.save_source(s, &source(&SourceSpec::url(server.url("/price.csv")), 0)).unwrap();
    c.save_source(s, &source(&SourceSpec::url(server.url("/stock.csv")), 1)).unwrap();
    let settings = SupplierSettings {
        rates: vec![("USD".into(), "90".into())],
        brand_aliases: vec![("LG Electronics".into(), "LG".into())],
        ..SupplierSettings::default()
    };
    c.save_supplier_settings(s, 0, "cheapest_in_stock", &settings.to_json()).unwrap();
    // The price column is in dollars: map it with its currency, purchase price too.
    let mut mapping = vitrina_import::mapping::suggest(&[
        "Артикул",
        "Наименование",
        "Бренд",
        "Цена закупки",
        "Цена, $",
        "Остаток",
        "Категория",
    ]);
    mapping.currency = Some("USD".into());
    let row = SourceRow {
        mapping: Some(serde_json::to_string(&mapping).unwrap()),
        ..source(&SourceSpec::url(server.url("/price.csv")), 0)
    };
    c.save_source(s, &row).unwrap();

    let report = run(&mut c, s, dir.path()).unwrap();
    assert_eq!(report.run.state, RunState::Succeeded);
    assert_eq!(report.run.counts.created, 4, "{report:#?}");
    let a1 = c.product(&ProductKey::Sku("A-1".into())).unwrap();
    assert_eq!(a1.brand, "LG", "brand alias");
    assert_eq!(a1.stock, 42, "stock from the joined stock file");
    assert_eq!(a1.cost.unwrap().minor, 90_000, "10 USD at 90");
    assert_eq!(a1.price.minor, 180_000, "20 USD at 90, no markup rule");
    assert_eq!(c.product(&ProductKey::Sku("A-2".into())).unwrap().stock, 7);
    assert_eq!(c.product(&ProductKey::Sku("A-3".into())).unwrap().stock, 0, "the stock file says none");
    assert_eq!(c.product(&ProductKey::Sku("A-4".into())).unwrap().stock, 6, "not in the stock file: kept");
    assert!(!c.category_tree().unwrap().iter().any(|n| n.name.is_empty()));
    assert!(
        std::fs::read_dir(dir.path().join("downloads")).map(|d| d.count()).unwrap_or(0) == 0,
        "downloads removed"
    );

    // Next time the server says 304 for both files: nothing is read.
    let before = gets.load(Ordering::SeqCst);
    let second = run(&mut c, s, dir.path()).unwrap();
    assert_eq!(gets.load(Ordering::SeqCst), before + 2);
    assert_eq!(second.run.rows_read, 0);
    assert!(second.run.notices[0].contains("not changed"), "{:?}", second.run.notices);
}

#[test]
fn a_missing_feed_fails_clearly_and_changes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(|_| Reply::status(404));
    let mut c = Catalog::open(dir.path().join("catalog.db")).unwrap();
    let s = c.add_supplier("Опт", 0).unwrap();
    c.save_source(s, &source(&SourceSpec::url(server.url("/gone.yml?token=SECRET123")), 0)).unwrap();
    let err = run(&mut c, s, dir.path()).unwrap_err();
    let text = err.to_string();
    assert!(text.contains("404") || text.contains("not found"), "{text}");
    assert!(!text.contains("SECRET123"), "the token never shows: {text}");
    assert!(!err.is_retryable());
    assert_eq!(c.product_count().unwrap(), 0);
    let runs = c.import_runs(Some(s), 5).unwrap();
    assert_eq!(runs[0].state, RunState::Failed);
    assert!(!runs[0].source.contains("SECRET123"), "{}", runs[0].source);
    assert_eq!(runs[0].error.as_deref(), Some(text.as_str()));

    let none = c.add_supplier("Пустой", 0).unwrap();
    let err = run(&mut c, none, dir.path()).unwrap_err();
    assert!(err.to_string().contains("no feed yet"), "{err}");
}

#[test]
fn unchanged_rows_are_skipped_before_mapping_until_the_mapping_or_a_category_changes() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("price.csv");
    std::fs::write(&file, "Артикул;Наименование;Цена;Штрихкод;Категория\nB-1;Кружка;250;123;Посуда\nB-2;Блюдце;150;4006381333931;Посуда\n")
        .unwrap();
    let mut c = Catalog::open(dir.path().join("catalog.db")).unwrap();
    let s = c.add_supplier("Посуда-опт", 0).unwrap();
    let request = ImportRequest {
        supplier: s,
        main_override: Some(file.display().to_string()),
        job_id: None,
        cache_dir: dir.path().join("downloads"),
    };
    let run = |c: &mut Catalog| run_import(c, &request, &|_, _| None, &|| false, &mut |_| {}).unwrap();
    let first = run(&mut c);
    assert_eq!(
        (first.run.counts.created, first.run.warnings),
        (2, 1),
        "the bad barcode is a warning: {first:#?}"
    );
    // Unchanged rows are not even mapped: the warning does not come back.
    let second = run(&mut c);
    assert_eq!((second.run.counts.unchanged, second.run.warnings), (2, 0), "{second:#?}");
    // A remapped category makes the next run look at every row again.
    c.map_category(s, "Посуда", None).unwrap();
    let third = run(&mut c);
    assert_eq!((third.run.counts.unchanged, third.run.warnings), (2, 1), "{third:#?}");
    let fourth = run(&mut c);
    assert_eq!(fourth.run.warnings, 0);
}
