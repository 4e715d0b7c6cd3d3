//! Feeds through the application API: profiles, one-pass "Export all", the round trip of a
//! YML feed back through a supplier import, documents and the catalog cycle.

use std::path::{Path, PathBuf};

use vitrina_domain::{
    Attribute, Barcode, CategoryPath, Dimensions, Image, Money, Product, ProductDraft, ProductStatus,
    VariantGroupId,
};

use crate::catalog::App;
use crate::imports::NewSupplier;
use crate::ipc::{DeliveryTargetDto, FeedProfileDto, FeedSelectionDto};
use crate::jobs::{JobState, Jobs};

fn product(sku: &str, name: &str, price: i64) -> Product {
    Product::new(ProductDraft { sku: sku.into(), name: name.into(), price: Money::rub(price) }).unwrap()
}

/// A small catalog: two variants of shoes with everything filled, a vase, and one product
/// without a price (which every feed skips).
fn catalog(dir: &Path) -> (App, Jobs, PathBuf) {
    let db = dir.join("catalog.db");
    let app = App::open(&db).unwrap();
    let jobs = Jobs::open(&db).unwrap();
    {
        let mut c = app.catalog().unwrap();
        let shoes = c.ensure_category_path(&CategoryPath::parse("Обувь / Кроссовки")).unwrap();
        let home = c.ensure_category_path(&CategoryPath::parse("Дом")).unwrap();
        let group = VariantGroupId::new();
        for (sku, size, barcode) in [("RUN-42", "42", "4601234567893"), ("RUN-43", "43", "4601234567909")] {
            let mut p = product(sku, &format!("Кроссовки «Ветер» & Co, р. {size}"), 599_000);
            p.brand = "Ветер".into();
            p.model = format!("V-{size}");
            p.category = Some(shoes);
            p.variant_group = Some(group);
            p.old_price = Some(Money::rub(699_000));
            p.stock = 5;
            p.status = ProductStatus::Active;
            p.description = "<p>Лёгкие беговые кроссовки.</p>".into();
            p.barcodes = vec![Barcode::parse(barcode).unwrap()];
            p.weight_g = Some(900);
            p.dimensions = Some(Dimensions { length_mm: 320, width_mm: 200, height_mm: 120 });
            p.attributes = vec![
                Attribute { name: "Цвет".into(), value: "красный".into(), unit: None },
                Attribute { name: "Размер".into(), value: size.into(), unit: Some("RU".into()) },
            ];
            p.images = vec![
                Image { url: format!("https://img.example.ru/{sku}-1.jpg") },
                Image { url: format!("https://img.example.ru/{sku}-2.jpg") },
            ];
            c.create_product(&p).unwrap();
        }
        let mut vase = product("VASE-1", "Ваза керамическая", 120_000);
        vase.category = Some(home);
        vase.brand = "Гжель".into();
        vase.stock = 2;
        vase.status = ProductStatus::Active;
        vase.images = vec![Image { url: "https://img.example.ru/vase.jpg".into() }];
        c.create_product(&vase).unwrap();
        let mut free = product("FREE-1", "Образец без цены", 0);
        free.category = Some(home);
        c.create_product(&free).unwrap();
    }
    (app, jobs, db)
}

fn profile(name: &str, format: &str, out: &Path) -> FeedProfileDto {
    FeedProfileDto {
        name: name.into(),
        format: format.into(),
        enabled: true,
        output_path: out.display().to_string(),
        shop: crate::ipc::FeedShopDto {
            name: "Ветер".into(),
            url: "https://shop.example.ru".into(),
            ..Default::default()
        },
        ..Default::default()
    }
}

fn export_all(app: &App, jobs: &Jobs) -> crate::jobs::JobRecord {
    let job = super::job::queue_export(app, jobs, &[], true).unwrap();
    jobs.wait(&job.id.to_string(), &mut |_| {}).unwrap()
}

#[test]
fn export_all_writes_every_enabled_profile_and_keeps_each_result() {
    let dir = tempfile::tempdir().unwrap();
    let (app, jobs, _) = catalog(dir.path());
    let out = dir.path().join("out");
    std::fs::create_dir(&out).unwrap();
    for (name, format, file) in [
        ("Яндекс", "yml", "yandex.xml"),
        ("Google", "google", "google.xml"),
        ("Прайс", "xlsx", "price.xlsx"),
        ("CSV", "csv", "price.csv"),
    ] {
        let mut p = profile(name, format, &out.join(file));
        p.shop.name = "Ветер".into();
        p.url_template = "https://shop.example.ru/p/{sku}".into();
        app.save_feed_profile(&p, Some(&jobs)).unwrap();
    }
    let mut off = profile("Выключен", "yml", &out.join("off.xml"));
    off.enabled = false;
    app.save_feed_profile(&off, Some(&jobs)).unwrap();

    let done = export_all(&app, &jobs);
    assert_eq!(done.state, JobState::Succeeded, "{:?}", done.error);
    let run: crate::ipc::ExportRunDto = serde_json::from_value(done.result.unwrap()).unwrap();
    assert_eq!(run.results.len(), 4, "the disabled profile is left out");
    assert!(!out.join("off.xml").exists());
    for r in &run.results {
        assert!(r.ok, "{r:?}");
        assert_eq!(r.matched, 4, "{}", r.profile);
        assert_eq!(
            r.skipped_by_reason.iter().find(|s| s.code == "no_price").map(|s| s.count),
            Some(1),
            "{}",
            r.profile
        );
        assert_eq!(r.written, 3, "{}", r.profile);
        assert!(std::fs::metadata(&r.file).unwrap().len() > 0);
    }
    let yml = std::fs::read_to_string(out.join("yandex.xml")).unwrap();
    assert!(yml.contains("<offer id=\"RUN-42\""), "{yml}");
    assert!(yml.contains("Кроссовки «Ветер» &amp; Co, р. 42"));
    let listed = app.feed_profiles(None, Some(&jobs)).unwrap();
    let yandex = listed.iter().find(|p| p.name == "Яндекс").unwrap();
    let last = yandex.last_result.as_ref().expect("each profile keeps its last result");
    assert_eq!((last.written, last.skipped), (3, 1));
    assert_eq!(last.skipped_items[0].sku, "FREE-1");
}

#[test]
fn an_exported_yml_imported_into_an_empty_catalog_gives_the_same_products() {
    let dir = tempfile::tempdir().unwrap();
    let (app, jobs, _) = catalog(dir.path());
    let feed = dir.path().join("feed.xml");
    app.save_feed_profile(&profile("Яндекс", "yml", &feed), Some(&jobs)).unwrap();
    assert_eq!(export_all(&app, &jobs).state, JobState::Succeeded);

    let copy = tempfile::tempdir().unwrap();
    let other = App::open(copy.path().join("catalog.db")).unwrap();
    let other_jobs = Jobs::open(copy.path().join("catalog.db")).unwrap();
    let input =
        NewSupplier { name: "Мой фид".into(), source: Some(feed.display().to_string()), priority: 0 };
    other.add_supplier(&input).unwrap();
    let job = crate::imports::job::queue_import(&other, &other_jobs, "Мой фид", None, Some(1)).unwrap();
    let done = other_jobs.wait(&job.id.to_string(), &mut |_| {}).unwrap();
    assert_eq!(done.state, JobState::Succeeded, "{:?}", done.error);

    let original = app.catalog().unwrap();
    let imported = other.catalog().unwrap();
    for sku in ["RUN-42", "RUN-43", "VASE-1"] {
        let key = vitrina_store::ProductKey::Sku(sku.into());
        let (a, b) = (original.product(&key).unwrap(), imported.product(&key).unwrap());
        assert_eq!(b.name, a.name, "{sku}");
        assert_eq!(b.price, a.price, "{sku}");
        assert_eq!(b.old_price, a.old_price, "{sku}");
        assert_eq!(b.stock, a.stock, "{sku}");
        assert_eq!(b.brand, a.brand, "{sku}");
        assert_eq!(b.model, a.model, "{sku}");
        assert_eq!(b.barcodes, a.barcodes, "{sku}");
        assert_eq!(b.images, a.images, "{sku}");
        assert_eq!(b.weight_g, a.weight_g, "{sku}");
        assert_eq!(b.dimensions, a.dimensions, "{sku}");
        assert_eq!(b.description, a.description, "{sku}");
        let names =
            |p: &Product| p.attributes.iter().map(|a| (a.name.clone(), a.value.clone())).collect::<Vec<_>>();
        assert_eq!(names(&b), names(&a), "{sku}");
        let path = |c: &vitrina_store::Catalog, p: &Product| {
            c.category_tree().unwrap().into_iter().find(|n| Some(n.id) == p.category).map(|n| n.path)
        };
        assert_eq!(path(&imported, &b), path(&original, &a), "{sku}");
    }
    let group =
        |sku: &str| imported.product(&vitrina_store::ProductKey::Sku(sku.into())).unwrap().variant_group;
    assert!(group("RUN-42").is_some() && group("RUN-42") == group("RUN-43"), "variants stay one group");
    assert!(imported.product(&vitrina_store::ProductKey::Sku("FREE-1".into())).is_err(), "skipped: no price");
}

#[test]
fn an_empty_selection_writes_a_valid_empty_feed_and_says_so() {
    let dir = tempfile::tempdir().unwrap();
    let (app, jobs, _) = catalog(dir.path());
    let mut p = profile("Пусто", "yml", &dir.path().join("empty.xml"));
    p.selection = FeedSelectionDto { brands: vec!["Нет такого".into()], ..Default::default() };
    app.save_feed_profile(&p, Some(&jobs)).unwrap();
    assert_eq!(export_all(&app, &jobs).state, JobState::Succeeded);
    let last = app.feed_profile("Пусто", None, None).unwrap().last_result.unwrap();
    assert!(last.empty && last.written == 0, "{last:?}");
    let xml = std::fs::read_to_string(dir.path().join("empty.xml")).unwrap();
    assert!(xml.contains("<offers>") && xml.trim_end().ends_with("</yml_catalog>"), "{xml}");
}

#[test]
fn an_unwritable_output_fails_that_profile_before_reading_and_the_others_go_on() {
    let dir = tempfile::tempdir().unwrap();
    let (app, jobs, _) = catalog(dir.path());
    app.save_feed_profile(&profile("Плохой", "yml", &dir.path().join("no/such/dir/feed.xml")), Some(&jobs))
        .unwrap();
    app.save_feed_profile(&profile("Хороший", "csv", &dir.path().join("ok.csv")), Some(&jobs)).unwrap();
    let done = export_all(&app, &jobs);
    assert_eq!(done.state, JobState::Failed);
    assert_eq!(done.error_code.as_deref(), Some("export_failed"));
    assert!(done.error.as_deref().unwrap_or("").contains("Плохой"), "{:?}", done.error);
    let bad = app.feed_profile("Плохой", None, None).unwrap().last_result.unwrap();
    assert_eq!(bad.error_code.as_deref(), Some("output_unwritable"));
    assert!(bad.error.unwrap().contains("does not exist"));
    assert!(app.feed_profile("Хороший", None, None).unwrap().last_result.unwrap().ok);
    assert!(dir.path().join("ok.csv").exists());
}

#[test]
fn a_folder_target_gets_the_file_and_its_public_link() {
    let dir = tempfile::tempdir().unwrap();
    let (app, jobs, _) = catalog(dir.path());
    let served = dir.path().join("www");
    std::fs::create_dir(&served).unwrap();
    let mut p = profile("Сайт", "yml", &dir.path().join("feed.xml"));
    p.target = Some(DeliveryTargetDto {
        kind: "folder".into(),
        path: served.display().to_string(),
        public_url_base: "https://shop.example.ru/feeds/".into(),
        ..Default::default()
    });
    let saved = app.save_feed_profile(&p, Some(&jobs)).unwrap();
    assert_eq!(saved.public_url.as_deref(), Some("https://shop.example.ru/feeds/feed.xml"));
    let done = export_all(&app, &jobs);
    assert_eq!(done.state, JobState::Succeeded, "{:?}", done.error);
    assert_eq!(
        std::fs::read(served.join("feed.xml")).unwrap(),
        std::fs::read(dir.path().join("feed.xml")).unwrap()
    );
    let last = app.feed_profile("Сайт", None, None).unwrap().last_result.unwrap();
    assert_eq!(last.public_url.as_deref(), Some("https://shop.example.ru/feeds/feed.xml"));
}

#[test]
fn the_preview_shows_the_first_offers_of_unsaved_settings() {
    let dir = tempfile::tempdir().unwrap();
    let (app, _jobs, _) = catalog(dir.path());
    let mut p = profile("Черновик", "yml", &dir.path().join("x.xml"));
    p.selection.categories = vec!["Обувь".into()];
    p.prices.markup_bp = 1_000;
    let preview = app.feed_preview(&p, 1).unwrap();
    assert_eq!(preview.matched, 2);
    assert_eq!(preview.text.matches("<offer ").count(), 1, "{}", preview.text);
    assert!(preview.text.contains("<price>6589</price>"), "599_000 + 10 %: {}", preview.text);
    assert!(!dir.path().join("x.xml").exists(), "a preview writes no file");
    p.selection.categories = vec!["Нет такой".into()];
    assert_eq!(app.feed_preview(&p, 1).unwrap_err().code, crate::ErrorCode::NotFound);
}

#[test]
fn the_cycle_imports_then_exports_and_stops_at_a_failed_step() {
    let dir = tempfile::tempdir().unwrap();
    let (app, jobs, _) = catalog(dir.path());
    let price = dir.path().join("price.csv");
    std::fs::write(&price, "Артикул;Наименование;Цена;Остаток\nNEW-1;Чайник;1 990;4\n").unwrap();
    let input = NewSupplier { name: "Опт".into(), source: Some(price.display().to_string()), priority: 0 };
    app.add_supplier(&input).unwrap();
    let feed = dir.path().join("price-out.csv");
    app.save_feed_profile(&profile("Прайс", "csv", &feed), Some(&jobs)).unwrap();
    let yml = dir.path().join("feed.xml");
    app.save_feed_profile(&profile("Яндекс", "yml", &yml), Some(&jobs)).unwrap();

    let job = super::cycle::queue_cycle(&jobs).unwrap();
    let done = jobs.wait(&job.id.to_string(), &mut |_| {}).unwrap();
    assert_eq!(done.state, JobState::Succeeded, "{:?}", done.error);
    assert!(std::fs::read_to_string(&feed).unwrap().contains("NEW-1"), "exported after the import");
    // The imported product has no category: YML, which requires one, files it under "Прочее".
    let xml = std::fs::read_to_string(&yml).unwrap();
    assert!(xml.contains("<offer id=\"NEW-1\""), "{xml}");
    assert!(xml.contains(">Прочее</category>"), "{xml}");

    std::fs::remove_file(&price).unwrap();
    std::fs::remove_file(&feed).unwrap();
    let job = super::cycle::queue_cycle(&jobs).unwrap();
    let done = jobs.wait(&job.id.to_string(), &mut |_| {}).unwrap();
    assert_eq!(done.state, JobState::Failed);
    assert_eq!(done.error_code.as_deref(), Some("cycle_step_failed"));
    let error = done.error.unwrap();
    assert!(error.contains("step 1/2") && error.contains("import: Опт"), "{error}");
    assert!(!feed.exists(), "the chain stopped before the export");
}

#[test]
fn documents_read_back_as_text() {
    let dir = tempfile::tempdir().unwrap();
    let (app, _jobs, _) = catalog(dir.path());
    let pdf = dir.path().join("price.pdf");
    let doc =
        app.write_price_list("pdf", &FeedSelectionDto::default(), &pdf, "ru", Some("Прайс «Ветер»")).unwrap();
    assert_eq!((doc.products, doc.skipped), (3, 1));
    let text = pdftotext(&pdf);
    for expected in ["Кроссовки «Ветер» & Co, р. 42", "Ваза керамическая", "Обувь", "RUN-43"]
    {
        assert!(text.contains(expected), "{expected} in {text}");
    }
    let chosen = FeedSelectionDto { products: vec!["VASE-1".into(), "RUN-43".into()], ..Default::default() };
    let doc = app.write_price_list("csv", &chosen, &dir.path().join("chosen.csv"), "ru", None).unwrap();
    assert_eq!(doc.products, 2, "only the selected products");
    let english = dir.path().join("price-en.pdf");
    app.write_price_list("pdf", &FeedSelectionDto::default(), &english, "en", None).unwrap();
    let text = pdftotext(&english);
    assert!(text.contains("Price list") && !text.contains("Прайс-лист"), "{text}");
    let sheet = dir.path().join("spec.pdf");
    app.write_spec_sheet("RUN-42", &sheet, "ru").unwrap();
    let text = pdftotext(&sheet);
    assert!(text.contains("Кроссовки «Ветер» & Co, р. 42") && text.contains("красный"), "{text}");
    assert!(text.contains("4601234567893") || text.contains("4 601234 567893"), "{text}");
    let err = app.write_spec_sheet("NOPE", &sheet, "ru").unwrap_err();
    assert_eq!(err.code, crate::ErrorCode::NotFound);
}

fn pdftotext(path: &Path) -> String {
    let out = std::process::Command::new("pdftotext")
        .args(["-layout", &path.display().to_string(), "-"])
        .output()
        .expect("pdftotext (apt install poppler-utils; scripts/test installs it)");
    assert!(out.status.success());
    String::from_utf8_lossy(&out.stdout).replace('\u{a0}', " ")
}

#[test]
fn an_export_while_an_import_holds_the_catalog_writes_its_files_and_succeeds() {
    let dir = tempfile::tempdir().unwrap();
    let (app, jobs, db) = catalog(dir.path());
    let file = dir.path().join("price.csv");
    app.save_feed_profile(&profile("Прайс", "csv", &file), Some(&jobs)).unwrap();
    // Another connection in the middle of a long write, as a supplier import is.
    let import = rusqlite::Connection::open(&db).unwrap();
    import.execute_batch("BEGIN IMMEDIATE; INSERT INTO meta (key, value) VALUES ('x', 'y');").unwrap();
    let done = export_all(&app, &jobs);
    import.execute_batch("ROLLBACK").unwrap();
    assert_eq!(done.state, JobState::Succeeded, "{:?}", done.error);
    assert!(std::fs::read_to_string(&file).unwrap().contains("RUN-42"));
    let run: crate::ipc::ExportRunDto = serde_json::from_value(done.result.unwrap()).unwrap();
    assert_eq!(run.results[0].written, 3, "the run's result is on the job");
}
