//! The catalog store through its public API, on real SQLite files. One test binary: the
//! modules under `store/` are the rest of it, and `common` holds the helpers they share.

use std::collections::HashSet;
use std::path::Path;

use sha2::{Digest, Sha256};
use vitrina_domain::{
    Attribute, Barcode, CategoryPath, FieldValue, LinkKind, Money, Product, ProductField, ProductStatus,
    StockPolicy,
};
use vitrina_store::{Catalog, Filter, ListQuery, MIGRATIONS, OfferInput, SortKey, StoreError};

use common::{product, sku, temp_catalog};

#[path = "store/common.rs"]
mod common;
#[path = "store/concurrent.rs"]
mod concurrent;
#[path = "store/export.rs"]
mod export;
#[path = "store/imports.rs"]
mod imports;
#[path = "store/search.rs"]
mod search;
#[path = "store/sync.rs"]
mod sync;
#[path = "store/sync_rows.rs"]
mod sync_rows;

#[test]
fn shipped_migrations_never_change() {
    // Append a new migration instead of editing a shipped one; then add its checksum here.
    let pinned = [
        "69c203fd5aca04472a75de3425110d25ef0289c29e9b53cc177d6df88d6e66fe",
        "5a946387cd176804e9989f7e00b7e2b4754a8389c8b3df0907bb55ae27d1f7d0",
        "a0fee1699a47e30043d967f5a3154c14f413dc6abb59a723c8976afb379210b9",
        "749c08fdfb3e0d3b18fd150bbef656c5ec58dec3464451e914e503b8b5864a43",
        "1ec4b455fb71b65cc60c94f2b7e2af6b3dff5f8ba6f2d7b72e35094cc0cd4540",
        "fb2e1c0e72b664acf0fdc10ab76ce2c634e36a9d636471919440f83075b5cf98",
        "a0fdd804a5696fd62c61c0f7c99a433ab4e7147ad48ebed75e3b7954e79e8da6",
        "5d7a468f85f4e7a09ca3acd75409fc82a20542a8bb73a5ae70b13ed959f38d51",
        "b5e41ebcd57789606a5d3846e245fed5757834f53e99aee8b9d795b319f26cd0",
        "0e54b8ad7f3bb00ce36355ac25bd005d0976d253ababa2b8782654bfbcd1d56b",
        "3684a34bc52b774deb76e04b676acc227526a91997d2cbcaed28c839bff06b5b",
    ];
    assert_eq!(MIGRATIONS.len(), pinned.len(), "pin the checksum of every shipped migration");
    for ((name, sql), want) in MIGRATIONS.iter().zip(pinned) {
        let got = format!("{:x}", Sha256::digest(sql.as_bytes()));
        assert_eq!(got, want, "migration {name} was edited after it shipped");
        let on_disk = std::fs::read_to_string(Path::new("../../migrations/sqlite").join(name)).unwrap();
        assert_eq!(&on_disk, sql, "{name} on disk differs from the embedded copy");
    }
}

#[test]
fn opens_with_wal_and_foreign_keys_and_reopens() {
    let (dir, mut c) = temp_catalog();
    c.create_product(&product("A-1", "Чайник", 1000)).unwrap();
    let device = c.device();
    drop(c);
    let c = Catalog::open(dir.path().join("catalog.db")).unwrap();
    assert_eq!(c.device(), device, "the device id is kept in the catalog");
    assert_eq!(c.product_count().unwrap(), 1);
}

fn assert_refused_untouched(bytes: &[u8], expect: impl Fn(&StoreError) -> bool) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("x.db");
    std::fs::write(&path, bytes).unwrap();
    let err = Catalog::open(&path).unwrap_err();
    assert!(expect(&err), "unexpected error: {err}");
    assert!(err.to_string().contains("x.db"), "the message names the file: {err}");
    assert_eq!(std::fs::read(&path).unwrap(), bytes, "the file must be left untouched");
}

#[test]
fn refuses_files_that_are_not_catalogs_without_touching_them() {
    assert_refused_untouched(b"name;price\nchair;100\n", |e| matches!(e, StoreError::NotADatabase { .. }));
    let mut garbage = b"SQLite format 3\0".to_vec();
    garbage.extend(std::iter::repeat_n(0xA5u8, 8192));
    assert_refused_untouched(&garbage, |e| {
        matches!(e, StoreError::Corrupt { .. } | StoreError::NotADatabase { .. })
    });
}

#[test]
fn refuses_a_catalog_from_a_newer_version_without_touching_it() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("new.db");
    {
        let c = Catalog::open(&path).unwrap();
        drop(c);
        let conn = rusqlite::Connection::open(&path).unwrap();
        conn.execute_batch("PRAGMA journal_mode = DELETE; PRAGMA user_version = 99;").unwrap();
    }
    let before = std::fs::read(&path).unwrap();
    let err = Catalog::open(&path).unwrap_err();
    assert!(matches!(err, StoreError::TooNew { found: 99, .. }), "{err}");
    assert!(err.to_string().contains("newer version of Vitrina"));
    assert_eq!(std::fs::read(&path).unwrap(), before);
}

#[test]
fn bad_input_names_the_field_and_value_and_writes_nothing() {
    let (_d, mut c) = temp_catalog();
    c.create_product(&product("A-1", "Чайник", 1000)).unwrap();
    let history_before = c.history(&sku("A-1")).unwrap().len();

    let err = c.create_product(&product("A-1", "Другой", 5)).unwrap_err();
    assert_eq!(err.to_string(), "a product with SKU \"A-1\" already exists");

    let err = c
        .update_product(
            &sku("A-1"),
            &[FieldValue::Name("Новый".into()), FieldValue::Price(Money::rub(-1000))],
        )
        .unwrap_err();
    assert!(err.to_string().starts_with("price \"-1000 RUB\": must not be negative"), "{err}");
    let err = c.update_product(&sku("A-1"), &[FieldValue::Sku(" ".into())]).unwrap_err();
    assert!(err.to_string().contains("the SKU must not be empty"), "{err}");

    let mut orphan = product("A-2", "Без категории", 100);
    orphan.category = Some(vitrina_domain::CategoryId::new());
    assert!(matches!(c.create_product(&orphan), Err(StoreError::UnknownCategory(_))));

    let p = c.product(&sku("A-1")).unwrap();
    assert_eq!((p.name.as_str(), p.price.minor), ("Чайник", 1000));
    assert_eq!(c.history(&sku("A-1")).unwrap().len(), history_before, "no history for refused edits");
    assert_eq!(c.product_count().unwrap(), 1);
}

#[test]
fn an_edit_worked_out_from_the_product_returns_its_own_error_and_writes_nothing() {
    #[derive(Debug)]
    struct Refused(String);
    impl From<StoreError> for Refused {
        fn from(e: StoreError) -> Self {
            Refused(e.to_string())
        }
    }
    let (_d, mut c) = temp_catalog();
    c.create_product(&product("A-1", "Чайник", 1000)).unwrap();
    let err = c
        .update_product_with(&sku("A-1"), |p| Err::<Vec<FieldValue>, _>(Refused(format!("{} stays", p.sku))))
        .unwrap_err();
    assert_eq!(err.0, "A-1 stays");
    let err = c.update_product_with(&sku("B-1"), |_| Ok::<_, Refused>(Vec::new())).unwrap_err();
    assert_eq!(err.0, "product \"B-1\" does not exist", "the store's errors come through From");
    let same = c.update_product_with(&sku("A-1"), |_| Ok::<_, Refused>(Vec::new())).unwrap();
    assert_eq!(same, c.product(&sku("A-1")).unwrap());
    assert_eq!(c.history(&sku("A-1")).unwrap().len(), 1, "only the creation");
}

#[test]
fn every_edit_is_recorded_and_undo_walks_back() {
    let (_d, mut c) = temp_catalog();
    c.set_author("anna");
    c.create_product(&product("K-1", "Кружка", 30000)).unwrap();
    c.update_product(&sku("K-1"), &[FieldValue::Price(Money::rub(35_000)), FieldValue::Stock(12)]).unwrap();
    c.update_product(&sku("K-1"), &[FieldValue::Name("Кружка керамическая".into())]).unwrap();

    let h = c.history(&sku("K-1")).unwrap();
    let fields: Vec<_> = h.iter().map(|r| r.field.as_str()).collect();
    assert_eq!(fields, ["name", "stock", "price", "*"]);
    assert_eq!(h[2].old.as_deref(), Some("30000 RUB"));
    assert_eq!(h[2].new.as_deref(), Some("35000 RUB"));
    assert!(h.iter().all(|r| r.who == "anna" && r.device == c.device()));
    assert!(h.windows(2).all(|w| w[0].hlc > w[1].hlc), "HLC stamps order the history");
    assert_eq!(h[1].batch, h[2].batch, "one edit is one batch");

    let undo = c.undo_last(&sku("K-1")).unwrap();
    assert_eq!(undo.fields, [ProductField::Name]);
    assert_eq!(c.product(&sku("K-1")).unwrap().name, "Кружка");
    let undo = c.undo_last(&sku("K-1")).unwrap();
    assert_eq!(undo.fields.len(), 2);
    let p = c.product(&sku("K-1")).unwrap();
    assert_eq!((p.price.minor, p.stock), (30000, 0));
    assert!(matches!(c.undo_last(&sku("K-1")), Err(StoreError::NothingToUndo(_))));
    assert_eq!(c.search("кружка", 10).unwrap().total, 1, "search follows undo");
    assert_eq!(c.search("керамическая", 10).unwrap().total, 0);
}

fn shoes() -> Vec<Product> {
    let mut v = Vec::new();
    for (i, (name, brand)) in [
        ("Кроссовки мужские Nike Air Max 90", "Nike"),
        ("Кроссовки женские Adidas Ultraboost", "Adidas"),
        ("Носки спортивные, 3 пары", "Puma"),
        ("Running shoes Asics Gel", "Asics"),
        ("Чайник электрический Bosch", "Bosch"),
    ]
    .into_iter()
    .enumerate()
    {
        let mut p = product(&format!("SH-{i}"), name, 1000 * (i as i64 + 1));
        p.brand = brand.into();
        p.description = "<p>Удобная &amp; лёгкая модель</p>".into();
        p.attributes = vec![Attribute { name: "Цвет".into(), value: "черный".into(), unit: None }];
        v.push(p);
    }
    v[0].barcodes = vec![Barcode::parse("4006381333931").unwrap()];
    v
}

#[test]
fn search_matches_russian_word_forms_prefixes_skus_and_barcodes() {
    let (_d, mut c) = temp_catalog();
    c.bulk_upsert(shoes()).unwrap();
    fn found(c: &Catalog, q: &str) -> Vec<String> {
        let mut skus: Vec<String> = c.search(q, 10).unwrap().rows.into_iter().map(|r| r.sku).collect();
        skus.sort();
        skus
    }
    let names = |q: &str| found(&c, q);
    assert_eq!(names("кроссовок"), ["SH-0", "SH-1"]);
    assert_eq!(names("Кроссовками"), ["SH-0", "SH-1"]);
    assert_eq!(names("крос"), ["SH-0", "SH-1"]);
    assert_eq!(names("кроссовки nike"), ["SH-0"]);
    assert_eq!(names("носок"), ["SH-2"]);
    assert_eq!(names("shoe"), ["SH-3"]);
    assert_eq!(names("4006381333931"), ["SH-0"]);
    assert_eq!(names("sh-4"), ["SH-4"]);
    assert_eq!(names("легкая").len(), 5, "ё and е match, HTML is skipped");
    assert!(names("amp").is_empty(), "entities are not words");
    assert!(names("\"*) OR (").is_empty());
    assert!(names("самокат").is_empty());
    c.update_product(&sku("SH-4"), &[FieldValue::Name("Самокат городской".into())]).unwrap();
    assert_eq!(found(&c, "самокаты"), ["SH-4"]);
    assert!(found(&c, "чайник").is_empty());
    c.delete_product(&sku("SH-4")).unwrap();
    assert!(found(&c, "самокат").is_empty());
}

#[test]
fn bulk_upsert_creates_updates_skips_and_rolls_back_on_bad_input() {
    let (_d, mut c) = temp_catalog();
    let r = c.bulk_upsert(shoes()).unwrap();
    assert_eq!((r.created, r.updated, r.unchanged), (5, 0, 0));
    let mut again = shoes();
    again[1].price = Money::rub(4444);
    again[2].attributes.push(Attribute { name: "Размер".into(), value: "42".into(), unit: None });
    let r = c.bulk_upsert(again).unwrap();
    assert_eq!((r.created, r.updated, r.unchanged), (0, 2, 3));
    let h = c.history(&sku("SH-1")).unwrap();
    assert_eq!((h[0].field.as_str(), h[0].new.as_deref()), ("price", Some("4444 RUB")));
    assert_eq!(c.product(&sku("SH-2")).unwrap().attributes.len(), 2);

    let mut bad = shoes();
    bad[0].price = Money::rub(1);
    bad.push(product("SH-1", "Повтор", 1));
    let err = c.bulk_upsert(bad).unwrap_err();
    assert_eq!(err.to_string(), "a product with SKU \"SH-1\" already exists");
    assert_eq!(c.product(&sku("SH-0")).unwrap().price.minor, 1000, "the whole batch rolled back");
}

#[test]
fn kits_and_packs_follow_their_components_in_the_same_transaction() {
    let (_d, mut c) = temp_catalog();
    for (s, price, stock) in [("CUP", 30000, 10), ("SAUCER", 15000, 7), ("SET", 50000, 0), ("CUP-6", 1, 0)] {
        let mut p = product(s, s, price);
        p.stock = stock;
        c.create_product(&p).unwrap();
    }
    c.link(&sku("SET"), &sku("CUP"), LinkKind::KitComponent { quantity: 2 }).unwrap();
    c.link(&sku("SET"), &sku("SAUCER"), LinkKind::KitComponent { quantity: 1 }).unwrap();
    c.link(&sku("CUP-6"), &sku("CUP"), LinkKind::Pack { units: 6, discount_bp: 500 }).unwrap();
    assert_eq!(c.product(&sku("SET")).unwrap().stock, 5);
    let pack = c.product(&sku("CUP-6")).unwrap();
    assert_eq!((pack.price.minor, pack.stock), (171_000, 1));

    c.update_product(&sku("CUP"), &[FieldValue::Stock(3), FieldValue::Price(Money::rub(31_000))]).unwrap();
    assert_eq!(c.product(&sku("SET")).unwrap().stock, 1);
    let pack = c.product(&sku("CUP-6")).unwrap();
    assert_eq!((pack.price.minor, pack.stock), (176_700, 0));
    assert_eq!(c.history(&sku("SET")).unwrap()[0].field, "stock", "derived changes are recorded");

    let err = c.update_product(&sku("SET"), &[FieldValue::Stock(100)]).unwrap_err();
    assert!(err.to_string().contains("derived from the kit's components"), "{err}");
    let err = c.link(&sku("CUP"), &sku("SET"), LinkKind::KitComponent { quantity: 1 }).unwrap_err();
    assert!(err.to_string().contains("cycle"), "{err}");

    c.bulk_upsert([{
        let mut cup = c.product(&sku("CUP")).unwrap();
        cup.stock = 40;
        cup
    }])
    .unwrap();
    assert_eq!(c.product(&sku("SET")).unwrap().stock, 7, "bulk upserts recompute too");
    c.undo_last(&sku("CUP")).unwrap();
    assert_eq!(c.product(&sku("SET")).unwrap().stock, 1, "undo recomputes too");
    c.delete_product(&sku("SAUCER")).unwrap();
    assert_eq!(c.product(&sku("SET")).unwrap().stock, 1, "a kit keeps its remaining components");

    // Unlinking the last component or base: the values shown stay, now the product's own (an
    // edit of this device, for a team to get) and editable again.
    assert!(c.unlink(&sku("SET"), &sku("CUP"), "kit").unwrap());
    assert!(c.unlink(&sku("CUP-6"), &sku("CUP"), "pack").unwrap());
    let pack = c.product(&sku("CUP-6")).unwrap();
    assert_eq!((c.product(&sku("SET")).unwrap().stock, pack.price.minor, pack.stock), (1, 176_700, 0));
    let kept: Vec<(String, bool)> = c
        .history(&sku("CUP-6"))
        .unwrap()
        .into_iter()
        .take(2)
        .map(|r| (format!("{} {:?} -> {:?}", r.field, r.old, r.new), r.derived))
        .collect();
    assert_eq!(kept.len(), 2);
    assert!(kept.iter().all(|(_, derived)| !derived), "{kept:?}");
    assert!(kept.iter().any(|(r, _)| r == "price Some(\"176700 RUB\") -> Some(\"176700 RUB\")"), "{kept:?}");
    c.update_product(&sku("SET"), &[FieldValue::Stock(9)]).unwrap();
    assert!(!c.unlink(&sku("SET"), &sku("CUP"), "kit").unwrap(), "nothing left to unlink");
    assert_eq!(c.history(&sku("SET")).unwrap()[0].new.as_deref(), Some("9"), "kept once, not again");
}

fn catalog_for_lists() -> (tempfile::TempDir, Catalog, Vec<Product>) {
    let (d, mut c) = temp_catalog();
    let shoes_cat = c.ensure_category_path(&CategoryPath::parse("Обувь / Кроссовки")).unwrap();
    let boots = c.ensure_category_path(&CategoryPath::parse("Обувь / Ботинки")).unwrap();
    let home = c.ensure_category_path(&CategoryPath::parse("Дом")).unwrap();
    let brands = ["Nike", "Adidas", "Bosch"];
    let mut all = Vec::new();
    for i in 0..230 {
        let mut p = product(
            &format!("P{i:04}"),
            &format!("Товар {} {}", ["альфа", "Бета", "гамма"][i % 3], i),
            (i as i64 * 7919) % 100_000,
        );
        p.brand = brands[i % 3].into();
        p.category = Some([shoes_cat, boots, home][i % 3]);
        p.stock = (i as i64 * 31) % 7;
        p.status = if i % 5 == 0 { ProductStatus::Archived } else { ProductStatus::Active };
        all.push(p);
    }
    c.bulk_upsert(all.clone()).unwrap();
    (d, c, all)
}

fn collect_pages(c: &Catalog, mut q: ListQuery) -> Vec<String> {
    let mut out = Vec::new();
    loop {
        let page = c.list(&q).unwrap();
        out.extend(page.rows.into_iter().map(|r| r.sku));
        match page.next {
            Some(next) => q.after = Some(next),
            None => return out,
        }
    }
}

#[test]
fn keyset_pages_cover_every_filtered_row_once_in_order() {
    let (_d, c, all) = catalog_for_lists();
    let shoes_root = c.find_category("Обувь").unwrap();
    type Case = (Filter, SortKey, bool, Box<dyn Fn(&Product) -> bool>);
    let cases: Vec<Case> = vec![
        (Filter::default(), SortKey::Name, false, Box::new(|_| true)),
        (
            Filter { category: Some(shoes_root), ..Filter::default() },
            SortKey::Price,
            true,
            Box::new(|p| p.brand != "Bosch"),
        ),
        (
            Filter { brand: Some("Nike".into()), in_stock: Some(true), ..Filter::default() },
            SortKey::Stock,
            false,
            Box::new(|p| p.brand == "Nike" && p.stock > 0),
        ),
        (
            Filter {
                price_min: Some(20_000),
                price_max: Some(60_000),
                status: Some(ProductStatus::Active),
                ..Filter::default()
            },
            SortKey::Price,
            false,
            Box::new(|p| (20_000..=60_000).contains(&p.price.minor) && p.status == ProductStatus::Active),
        ),
        // Every row shares one `updated_at` (one bulk upsert): pages must seek inside the tie.
        (Filter::default(), SortKey::Updated, true, Box::new(|_| true)),
        (
            Filter { in_stock: Some(true), ..Filter::default() },
            SortKey::Stock,
            true,
            Box::new(|p| p.stock > 0),
        ),
        (
            Filter { text: Some("бета".into()), in_stock: Some(false), ..Filter::default() },
            SortKey::Updated,
            true,
            Box::new(|p| p.name.contains("Бета") && p.stock == 0),
        ),
    ];
    for (filter, sort, descending, keep) in cases {
        let got =
            collect_pages(&c, ListQuery { filter: filter.clone(), sort, descending, after: None, limit: 17 });
        let mut want: Vec<&Product> = all.iter().filter(|p| keep(p)).collect();
        let key = |p: &Product| match sort {
            SortKey::Name => p.name.to_lowercase(),
            SortKey::Price => format!("{:020}", p.price.minor),
            SortKey::Stock => format!("{:020}", p.stock),
            SortKey::Updated => String::new(),
        };
        if sort != SortKey::Updated {
            let pos = |p: &Product| all.iter().position(|q| q.sku == p.sku).unwrap();
            want.sort_by(|a, b| key(a).cmp(&key(b)).then(pos(a).cmp(&pos(b))));
            if descending {
                want.reverse();
            }
            let want: Vec<_> = want.iter().map(|p| p.sku.clone()).collect();
            assert_eq!(got, want, "{filter:?} {sort:?}");
        } else {
            let got_set: HashSet<_> = got.iter().cloned().collect();
            assert_eq!(got_set.len(), got.len(), "no row twice");
            assert_eq!(got_set, want.iter().map(|p| p.sku.clone()).collect::<HashSet<_>>());
        }
        assert!(!got.is_empty());
        assert_eq!(c.count(&filter).unwrap(), got.len() as u64);
    }
}

#[test]
fn supplier_offers_set_cost_and_stock_by_policy_and_filter_lists() {
    let (_d, mut c, _) = catalog_for_lists();
    let a = c.add_supplier("Оптторг", 1).unwrap();
    let b = c.add_supplier("Поставщик-2", 0).unwrap();
    let offer = |s: &str, cost, stock| OfferInput {
        product: sku(s),
        supplier_sku: format!("X-{s}"),
        cost: Some(Money::rub(cost)),
        stock,
    };
    c.upsert_offers(a, &[offer("P0001", 500, 3), offer("P0002", 700, 0)], StockPolicy::CheapestInStock)
        .unwrap();
    c.upsert_offers(b, &[offer("P0001", 450, 0)], StockPolicy::CheapestInStock).unwrap();
    let p = c.product(&sku("P0001")).unwrap();
    assert_eq!((p.cost, p.stock), (Some(Money::rub(500)), 3), "cheapest offer that is in stock");
    let q = ListQuery {
        filter: Filter { supplier: Some(a), ..Filter::default() },
        limit: 50,
        ..ListQuery::default()
    };
    assert_eq!(collect_pages(&c, q), ["P0001", "P0002"]);
    assert!(c.add_supplier("Оптторг", 0).is_err());
    assert_eq!(c.find_supplier("оптторг").unwrap(), a);
}

#[test]
fn category_tree_and_stats_count_products() {
    let (_d, c, _) = catalog_for_lists();
    let tree = c.category_tree().unwrap();
    let lines: Vec<_> =
        tree.iter().map(|n| format!("{}{} {}", "  ".repeat(n.depth), n.name, n.products)).collect();
    assert_eq!(lines, ["Дом 76", "Обувь 154", "  Ботинки 77", "  Кроссовки 77"]);
    let s = c.stats().unwrap();
    assert_eq!(s.products, 230);
    assert_eq!(s.in_stock + s.out_of_stock, 230);
    assert_eq!(s.by_category[0].key, "Обувь");
    assert_eq!(s.top_brands.len(), 3);
    assert_eq!(s.by_status.iter().map(|c| c.products).sum::<u64>(), 230);
    assert!(c.find_category("Кроссовки").is_ok());
    assert!(c.find_category("Обувь / Сапоги").is_err());
}

#[test]
fn a_new_catalog_is_built_aside_and_swapped_in_only_when_complete() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("catalog.db");
    {
        let mut old = Catalog::open(&path).unwrap();
        old.create_product(&product("OLD-1", "Старый товар", 100)).unwrap();
    }
    // A build that fails (a SKU repeated in the input) leaves the existing catalog as it was.
    let mut building = Catalog::build_new(&path).unwrap();
    let mut twice = shoes();
    twice.push(product("SH-2", "Повтор", 1));
    building.bulk_upsert(twice).unwrap();
    let err = building.finish_build(&path).unwrap_err();
    assert_eq!(err.to_string(), "a product with SKU \"SH-2\" already exists");
    let kept = Catalog::open(&path).unwrap();
    assert_eq!(kept.product_count().unwrap(), 1);
    assert!(kept.product(&sku("OLD-1")).is_ok());
    drop(kept);

    let mut building = Catalog::build_new(&path).unwrap();
    building.bulk_upsert(shoes()).unwrap();
    building.finish_build(&path).unwrap();
    let c = Catalog::open(&path).unwrap();
    assert_eq!(c.product_count().unwrap(), 5);
    assert!(c.product(&sku("OLD-1")).is_err());
    assert_eq!(c.search("кроссовки", 10).unwrap().total, 2);
    assert_eq!(c.history(&sku("SH-0")).unwrap().len(), 1, "creation is recorded");
    let mode: String = rusqlite::Connection::open(&path)
        .unwrap()
        .query_row("PRAGMA journal_mode", [], |r| r.get(0))
        .unwrap();
    assert_eq!(mode, "wal");
}

#[test]
fn broad_searches_list_title_matches_first_and_cap_the_count() {
    let (_d, mut c) = temp_catalog();
    let mut many: Vec<Product> = (0..10_050)
        .map(|i| product(&format!("C-{i:05}"), &format!("Чехол для телефона {i}"), 100 + i))
        .collect();
    let mut bag = product("BAG", "Сумка дорожная", 5000);
    bag.description = "Чехол в комплекте".into();
    many.push(bag);
    c.bulk_upsert(many).unwrap();

    let r = c.search("чехлы", 50).unwrap();
    assert_eq!((r.total, r.total_is_exact), (vitrina_store::COUNT_CAP, false));
    assert_eq!(r.rows.len(), 50);
    assert_eq!(r.rows[0].sku, "C-10049", "newest title match first");
    assert!(r.rows.iter().all(|row| row.name.starts_with("Чехол")));

    let r = c.search("сумка", 50).unwrap();
    assert_eq!((r.total, r.total_is_exact, r.rows[0].sku.as_str()), (1, true, "BAG"));

    // A dense text filter (more matches than the cap) and a sparse one page the same way.
    let q = |text: &str, price_min: i64| ListQuery {
        filter: Filter { text: Some(text.into()), price_min: Some(price_min), ..Filter::default() },
        sort: SortKey::Price,
        limit: 40,
        ..ListQuery::default()
    };
    let dense = collect_pages(&c, q("чехол", 10_100));
    assert_eq!(dense.len(), 50, "C-10000..C-10049 cost 10 100 and more; the bag is cheaper");
    assert_eq!(dense.first().map(String::as_str), Some("C-10000"));
    assert_eq!(collect_pages(&c, q("дорожная", 0)), ["BAG"]);
}
