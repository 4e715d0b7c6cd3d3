//! The import writer through the public API, on real SQLite files: create, skip unchanged,
//! update with history, offers that leave the feed, several suppliers of one product, packs,
//! rejected rows, and cancellation that leaves the catalog as it was.

use vitrina_domain::{Barcode, Money, Product, ProductDraft, ProductStatus, StockPolicy, SupplierId};
use vitrina_store::imports::{GonePolicy, ImportCounts, ImportOptions, OfferInput, OfferRow};
use vitrina_store::{Catalog, ProductKey, StoreError};

use crate::common::{get, temp_catalog};

/// An offer whose hash follows its content, as the import pipeline computes it.
fn offer(line: u64, sku: &str, name: &str, cost: i64, price: i64, stock: i64) -> OfferRow {
    let mut product =
        Product::new(ProductDraft { sku: sku.into(), name: name.into(), price: Money::rub(price) }).unwrap();
    product.cost = Some(Money::rub(cost));
    product.stock = stock;
    product.status = ProductStatus::Active;
    let hash = product.content_hash();
    OfferRow {
        line,
        record_id: Some(sku.into()),
        supplier_sku: sku.into(),
        hash,
        product,
        category_path: vec!["Обувь".into(), "Кроссовки".into()],
        group_key: None,
        pack_units: None,
        search: None,
    }
}

fn with_barcode(mut row: OfferRow, code: &str) -> OfferRow {
    row.product.barcodes = vec![Barcode::parse(code).unwrap()];
    row.hash = row.product.content_hash();
    row
}

fn branded(mut row: OfferRow, brand: &str) -> OfferRow {
    row.product.brand = brand.into();
    row.hash = row.product.content_hash();
    row
}

fn run(c: &mut Catalog, s: SupplierId, options: &ImportOptions, rows: Vec<OfferRow>) -> ImportCounts {
    c.import_offers(s, options, std::iter::once(inputs(rows)), &mut |_| true).unwrap().0
}

fn inputs(rows: Vec<OfferRow>) -> Vec<OfferInput> {
    rows.into_iter().map(OfferInput::from).collect()
}

fn options() -> ImportOptions {
    ImportOptions { create_categories: true, gone: GonePolicy::Zero, policy: StockPolicy::CheapestInStock }
}

#[test]
fn first_run_creates_then_unchanged_rows_are_skipped_and_changes_recorded() {
    let (_dir, mut c) = temp_catalog();
    let s = c.add_supplier("Опт-Трейд", 0).unwrap();
    let rows =
        vec![offer(2, "A-1", "Кроссовки Nike", 5000, 7990, 3), offer(3, "A-2", "Кеды Vans", 3000, 4990, 0)];
    let counts = run(&mut c, s, &options(), rows.clone());
    assert_eq!((counts.created, counts.updated, counts.unchanged), (2, 0, 0));
    let a1 = get(&c, "A-1");
    assert_eq!((a1.price.minor, a1.cost.unwrap().minor, a1.stock), (7990, 5000, 3));
    let tree = c.category_tree().unwrap();
    assert!(tree.iter().any(|n| n.path == "Обувь / Кроссовки" && n.own_products == 2), "{tree:?}");
    assert_eq!(c.search("кроссовок", 10).unwrap().rows.len(), 1, "new products are searchable");

    let counts = run(&mut c, s, &options(), rows);
    assert_eq!((counts.created, counts.updated, counts.unchanged), (0, 0, 2));

    let changed = vec![
        offer(2, "A-1", "Кроссовки Nike Air", 5500, 8490, 1),
        offer(3, "A-2", "Кеды Vans", 3000, 4990, 0),
    ];
    let counts = run(&mut c, s, &options(), changed);
    assert_eq!((counts.created, counts.updated, counts.unchanged), (0, 1, 1));
    let a1 = get(&c, "A-1");
    assert_eq!((a1.name.as_str(), a1.price.minor, a1.stock), ("Кроссовки Nike Air", 8490, 1));
    let history = c.history(&ProductKey::Sku("A-1".into())).unwrap();
    let fields: Vec<&str> = history.iter().map(|h| h.field.as_str()).collect();
    assert!(fields.contains(&"name") && fields.contains(&"price") && fields.contains(&"stock"), "{fields:?}");
    assert_eq!(c.search("air", 10).unwrap().rows.len(), 1, "the changed name is searchable");
}

#[test]
fn offers_that_leave_the_feed_follow_the_gone_policy_and_come_back() {
    let (_dir, mut c) = temp_catalog();
    let s = c.add_supplier("Опт", 0).unwrap();
    let both = vec![offer(2, "A-1", "Чайник", 1000, 1500, 5), offer(3, "A-2", "Утюг", 2000, 2500, 7)];
    run(&mut c, s, &options(), both.clone());

    let counts = run(&mut c, s, &options(), vec![both[0].clone()]);
    assert_eq!(counts.disappeared, 1);
    assert_eq!(get(&c, "A-2").stock, 0, "zeroed");
    assert_eq!(get(&c, "A-2").status, ProductStatus::Active);
    let counts = run(&mut c, s, &options(), vec![both[0].clone()]);
    assert_eq!(counts.disappeared, 0, "an offer is counted as gone once");

    let archive = ImportOptions { gone: GonePolicy::Archive, ..options() };
    let counts = run(&mut c, s, &archive, vec![both[1].clone()]);
    assert_eq!((counts.updated, counts.disappeared), (1, 1), "A-2 is back, A-1 left");
    assert_eq!(get(&c, "A-2").stock, 7);
    assert_eq!(get(&c, "A-1").status, ProductStatus::Archived);

    let keep = ImportOptions { gone: GonePolicy::Keep, ..options() };
    run(&mut c, s, &keep, vec![both[0].clone()]);
    assert_eq!(get(&c, "A-2").stock, 7, "kept as it was");
}

#[test]
fn a_second_supplier_of_the_same_barcode_shares_the_product_by_policy() {
    let (_dir, mut c) = temp_catalog();
    let first = c.add_supplier("Первый", 1).unwrap();
    let second = c.add_supplier("Второй", 2).unwrap();
    run(
        &mut c,
        first,
        &options(),
        vec![with_barcode(offer(2, "F-1", "Чайник Bosch", 1000, 1500, 0), "4006381333931")],
    );
    let counts = run(
        &mut c,
        second,
        &options(),
        vec![with_barcode(offer(2, "S-9", "Чайник BOSCH TWK", 1200, 1800, 4), "4006381333931")],
    );
    assert_eq!((counts.created, counts.updated, counts.matched), (0, 1, 1));
    assert_eq!(c.product_count().unwrap(), 1, "one product, two offers");
    let p = get(&c, "F-1");
    assert_eq!(p.name, "Чайник Bosch", "descriptive fields follow the supplier that created it");
    assert_eq!((p.cost.unwrap().minor, p.price.minor, p.stock), (1200, 1800, 4), "the one in stock supplies");

    let row = branded(with_barcode(offer(2, "F-1", "Чайник Bosch", 900, 1400, 10), "4006381333931"), "Bosch");
    run(&mut c, first, &options(), vec![row]);
    let p = get(&c, "F-1");
    assert_eq!(
        (p.cost.unwrap().minor, p.price.minor, p.stock, p.brand.as_str()),
        (900, 1400, 14, "Bosch"),
        "cheapest in stock; stock summed"
    );

    // The same barcode under another brand is not taken for the same item.
    let third = c.add_supplier("Третий", 3).unwrap();
    let other = branded(with_barcode(offer(3, "T-1", "Утюг", 10, 20, 1), "4006381333931"), "Tefal");
    let counts = run(&mut c, third, &options(), vec![other]);
    assert_eq!((counts.created, counts.matched), (1, 0));
    assert_eq!(c.product_count().unwrap(), 2);
}

#[test]
fn repeated_skus_and_invalid_rows_are_rejected_while_the_rest_import() {
    let (_dir, mut c) = temp_catalog();
    let s = c.add_supplier("Опт", 0).unwrap();
    let mut bad = offer(4, "A-3", "Плохой", 100, 200, 1);
    bad.product.name = String::new();
    let rows =
        vec![offer(2, "A-1", "Чайник", 1000, 1500, 5), offer(3, "A-1", "Чайник 2", 1000, 1500, 5), bad];
    let (counts, rejected) =
        c.import_offers(s, &options(), std::iter::once(inputs(rows)), &mut |_| true).unwrap();
    assert_eq!((counts.created, counts.rejected), (1, 2));
    assert_eq!(rejected[0].line, 3);
    assert!(rejected[0].reason.contains("line 2"), "{}", rejected[0].reason);
    assert_eq!((rejected[1].line, rejected[1].field.as_str()), (4, "name"));
    use vitrina_store::imports::IssueCode;
    assert_eq!((rejected[0].code, rejected[1].code), (IssueCode::SkuRepeated, IssueCode::ValueInvalid));
    assert_eq!(get(&c, "A-1").name, "Чайник");
}

#[test]
fn a_cancelled_run_leaves_the_catalog_exactly_as_it_was() {
    let (_dir, mut c) = temp_catalog();
    let s = c.add_supplier("Опт", 0).unwrap();
    run(&mut c, s, &options(), vec![offer(2, "A-1", "Чайник", 1000, 1500, 5)]);
    let batches =
        vec![vec![offer(2, "A-1", "Чайник новый", 1, 2, 3)], vec![offer(3, "B-1", "Утюг", 1, 2, 3)]];
    let mut calls = 0;
    let result = c.import_offers(s, &options(), batches.into_iter().map(inputs), &mut |_| {
        calls += 1;
        calls < 2
    });
    assert!(matches!(result, Err(StoreError::Cancelled)));
    assert_eq!(c.product_count().unwrap(), 1);
    assert_eq!(get(&c, "A-1").name, "Чайник");
    assert_eq!(c.history(&ProductKey::Sku("A-1".into())).unwrap().len(), 1, "only the creation");

    // The same from an empty catalog, where the run drops and rebuilds indexes.
    let (_dir2, mut empty) = temp_catalog();
    let s = empty.add_supplier("Опт", 0).unwrap();
    let result = empty.import_offers(
        s,
        &options(),
        std::iter::once(inputs(vec![offer(2, "A-1", "x", 1, 2, 3)])),
        &mut |_| false,
    );
    assert!(matches!(result, Err(StoreError::Cancelled)));
    assert_eq!(empty.product_count().unwrap(), 0);
    run(&mut empty, s, &options(), vec![offer(2, "A-1", "Чайник", 1000, 1500, 5)]);
    assert_eq!(
        empty.search("чайник", 5).unwrap().rows.len(),
        1,
        "indexes are back after a cancelled first run"
    );
}

#[test]
fn sold_by_n_creates_a_pack_whose_price_and_stock_follow_the_base() {
    let (_dir, mut c) = temp_catalog();
    let s = c.add_supplier("Опт", 0).unwrap();
    let mut row = offer(2, "N-1", "Носки", 100, 150, 25);
    row.pack_units = Some(6);
    row.hash ^= 6;
    let counts = run(&mut c, s, &options(), vec![row.clone()]);
    assert_eq!((counts.created, counts.packs_created), (1, 1));
    let pack = get(&c, "N-1-x6");
    assert_eq!((pack.price.minor, pack.stock), (900, 4));

    let mut changed = offer(2, "N-1", "Носки", 100, 160, 13);
    changed.pack_units = Some(6);
    changed.hash ^= 7;
    let counts = run(&mut c, s, &options(), vec![changed]);
    assert_eq!((counts.updated, counts.packs_created), (1, 0));
    let pack = get(&c, "N-1-x6");
    assert_eq!((pack.price.minor, pack.stock), (960, 2), "derived from the base in the same transaction");
}

#[test]
fn a_taken_seller_sku_gets_a_suffix_and_runs_are_recorded() {
    let (_dir, mut c) = temp_catalog();
    let s = c.add_supplier("Опт", 0).unwrap();
    let mut own =
        Product::new(ProductDraft { sku: "A-1".into(), name: "Своё".into(), price: Money::rub(1) }).unwrap();
    own.stock = 1;
    c.create_product(&own).unwrap();
    run(&mut c, s, &options(), vec![offer(2, "A-1", "Чайник", 1000, 1500, 5)]);
    assert_eq!(get(&c, "A-1-2").name, "Чайник");
    assert_eq!(get(&c, "A-1").name, "Своё");

    let id = c.start_import_run(s, None, "price.csv").unwrap();
    let outcome = vitrina_store::imports::RunOutcome {
        rows_read: 3,
        counts: ImportCounts { created: 1, rejected: 1, ..Default::default() },
        ..Default::default()
    };
    let issue = vitrina_store::imports::ImportIssue {
        kind: vitrina_store::imports::IssueKind::Rejected,
        code: vitrina_store::imports::IssueCode::PriceInvalid,
        line: Some(7),
        record_id: None,
        field: "Цена".into(),
        value: "abc".into(),
        reason: "not an amount of money".into(),
    };
    c.finish_import_run(
        id,
        vitrina_store::imports::RunState::Succeeded,
        &outcome,
        std::slice::from_ref(&issue),
    )
    .unwrap();
    let runs = c.import_runs(Some(s), 10).unwrap();
    assert_eq!(runs.len(), 1);
    assert_eq!((runs[0].counts.created, runs[0].counts.rejected, runs[0].rows_read), (1, 1, 3));
    assert_eq!(c.import_issues(id, 10).unwrap(), vec![issue]);
}

#[test]
fn rows_known_unchanged_by_their_hash_need_no_product() {
    let (_dir, mut c) = temp_catalog();
    let s = c.add_supplier("Опт", 0).unwrap();
    let both = vec![offer(2, "A-1", "Чайник", 1000, 1500, 5), offer(3, "A-2", "Утюг", 2000, 2500, 7)];
    run(&mut c, s, &options(), both.clone());
    let hints = c.offer_hashes(s).unwrap();
    assert_eq!(hints.get(&vitrina_store::imports::sku_key("A-1")), Some(&(both[0].hash as i64)));
    let unchanged = |row: &OfferRow, line| OfferInput::Unchanged {
        line,
        record_id: None,
        supplier_sku: row.supplier_sku.clone(),
        hash: row.hash,
    };
    let batch = vec![unchanged(&both[0], 2), unchanged(&both[1], 3), unchanged(&both[1], 4)];
    let (counts, rejected) = c.import_offers(s, &options(), std::iter::once(batch), &mut |_| true).unwrap();
    assert_eq!((counts.unchanged, counts.rejected, counts.disappeared), (2, 1, 0));
    assert!(rejected[0].reason.contains("line 3"), "{}", rejected[0].reason);

    // A stale hint (the hash no longer matches) is refused rather than guessed.
    let stale = OfferInput::Unchanged { line: 2, record_id: None, supplier_sku: "A-1".into(), hash: 1 };
    let (counts, rejected) =
        c.import_offers(s, &options(), std::iter::once(vec![stale]), &mut |_| true).unwrap();
    assert_eq!(counts.rejected, 1);
    assert!(rejected[0].reason.contains("import again"));
    assert_eq!(get(&c, "A-1").stock, 5, "nothing was written for it, and it is not gone");
    assert_eq!((counts.disappeared, get(&c, "A-2").stock), (1, 0), "A-2 was not in this feed");

    // A row the reader refused but whose SKU it read keeps its offer from counting as gone.
    let seen = OfferInput::Seen { line: 2, supplier_sku: "A-2".into() };
    let row = OfferInput::from(both[0].clone());
    let (counts, _) =
        c.import_offers(s, &options(), std::iter::once(vec![row, seen]), &mut |_| true).unwrap();
    assert_eq!((counts.unchanged, counts.disappeared), (1, 0));
}
