//! The export cursor and stored feed profiles.

use std::ops::ControlFlow;

use vitrina_domain::{
    Attribute, Barcode, CategoryPath, Dimensions, FeedProfileId, Image, Money, ProductStatus, StockPolicy,
    VariantGroupId,
};
use vitrina_store::export::{ExportOrder, ExportRow, Selection};
use vitrina_store::{Catalog, FeedProfileRecord, OfferInput, ProductKey, StoreError};

use crate::common::{product, temp_catalog};

fn rows(c: &Catalog, s: &Selection, order: ExportOrder) -> Vec<ExportRow> {
    let mut out = Vec::new();
    c.export_each::<StoreError>(s, order, |r| {
        out.push(r.clone());
        Ok(ControlFlow::Continue(()))
    })
    .unwrap();
    out
}

#[test]
fn export_reads_whole_products_and_filters_like_a_profile() {
    let (_dir, mut c) = temp_catalog();
    let shoes = c.ensure_category_path(&CategoryPath::parse("Обувь / Кроссовки")).unwrap();
    let home = c.ensure_category_path(&CategoryPath::parse("Дом")).unwrap();
    let group = VariantGroupId::new();
    for (sku, name, price, stock, cat, brand) in [
        ("A-42", "Кроссовки Ветер 42", 599_000, 3, Some(shoes), "Nike"),
        ("A-43", "Кроссовки Ветер 43", 599_000, 0, Some(shoes), "Nike"),
        ("B-1", "Ваза", 120_000, 7, Some(home), "Дом и сад"),
        ("C-1", "Без категории", 10_000, 1, None, ""),
    ] {
        let mut p = product(sku, name, price);
        p.stock = stock;
        p.category = cat;
        p.brand = brand.into();
        p.status = ProductStatus::Active;
        if let Some(size) = sku.strip_prefix("A-") {
            p.variant_group = Some(group);
            p.barcodes = vec![Barcode::parse("4006381333931").unwrap()];
            p.attributes =
                vec![Attribute { name: "Размер".into(), value: size.into(), unit: Some("RU".into()) }];
            p.images = vec![
                Image { url: "https://x.example/1.jpg".into() },
                Image { url: "https://x.example/2.jpg".into() },
            ];
            p.weight_g = Some(900);
            p.dimensions = Some(Dimensions { length_mm: 320, width_mm: 200, height_mm: 120 });
            p.old_price = Some(Money::rub(699_000));
            p.description = "<p>Лёгкие</p>".into();
        }
        c.create_product(&p).unwrap();
    }
    let supplier = c.add_supplier("Оптторг", 0).unwrap();
    let offer = OfferInput {
        product: ProductKey::Sku("B-1".into()),
        supplier_sku: "X-1".into(),
        cost: None,
        stock: 7,
    };
    c.upsert_offers(supplier, &[offer], StockPolicy::CheapestInStock).unwrap();
    let all = rows(&c, &Selection::default(), ExportOrder::Storage);
    assert_eq!(all.len(), 4);
    let a42 = &all[0];
    assert_eq!(a42.sku, "A-42");
    assert_eq!(a42.barcodes, ["4006381333931"]);
    assert_eq!(a42.images.len(), 2);
    assert_eq!(a42.attributes[0].value, "42");
    assert_eq!((a42.weight_g, a42.dimensions_mm), (Some(900), Some([320, 200, 120])));
    assert_eq!((a42.price, a42.old_price), (599_000, Some(699_000)));
    assert_eq!(a42.group, all[1].group, "variants share one group number");
    assert_eq!(a42.group, Some(a42.rid as u64));
    assert_eq!(all[2].group, None);
    assert!(all[2].barcodes.is_empty() && all[2].images.is_empty());

    let tree = c.export_categories().unwrap();
    assert_eq!(tree.iter().map(|c| c.name.as_str()).collect::<Vec<_>>(), ["Обувь", "Кроссовки", "Дом"]);
    assert_eq!(tree[1].parent, Some(tree[0].id));
    assert_eq!(a42.category, Some(tree[1].id));
    assert_eq!(tree[1].uuid, shoes, "the category's UUID comes with its row id");
    assert_eq!(a42.id, c.product(&ProductKey::Sku("A-42".into())).unwrap().id);
    assert!(all.iter().all(|r| r.updated_at > 1_700_000_000_000), "UTC ms");

    let only =
        |s: Selection| rows(&c, &s, ExportOrder::Storage).into_iter().map(|r| r.sku).collect::<Vec<_>>();
    let shoes_root = c.find_category("Обувь").unwrap();
    assert_eq!(only(Selection { categories: vec![shoes_root], ..Default::default() }), ["A-42", "A-43"]);
    assert_eq!(
        only(Selection { categories: vec![shoes_root, home], in_stock_only: true, ..Default::default() }),
        ["A-42", "B-1"]
    );
    assert_eq!(only(Selection { brands: vec!["Дом и сад".into()], ..Default::default() }), ["B-1"]);
    assert_eq!(only(Selection { suppliers: vec![supplier], ..Default::default() }), ["B-1"]);
    assert_eq!(
        only(Selection { price_min: Some(100_000), price_max: Some(200_000), ..Default::default() }),
        ["B-1"]
    );
    assert_eq!(
        only(Selection { skus: vec!["C-1".into(), "A-43".into()], ..Default::default() }),
        ["A-43", "C-1"]
    );
    assert_eq!(
        only(Selection { statuses: vec![ProductStatus::Draft], ..Default::default() }),
        Vec::<String>::new()
    );
    assert_eq!(c.export_count(&Selection { in_stock_only: true, ..Default::default() }).unwrap(), 3);
    let newest = all.iter().map(|r| r.updated_at).max().unwrap();
    let since = Selection { updated_since: Some(newest), ..Default::default() };
    let changed = only(since.clone());
    let expected: Vec<_> = all.iter().filter(|r| r.updated_at == newest).map(|r| r.sku.clone()).collect();
    assert_eq!(changed, expected);
    assert!(only(Selection { updated_since: Some(newest + 1), ..Default::default() }).is_empty());
    let matcher = c.export_matcher(&since).unwrap();
    assert_eq!(all.iter().filter(|r| matcher.matches(r)).count(), changed.len());

    let by_group: Vec<_> =
        rows(&c, &Selection::default(), ExportOrder::Group).into_iter().map(|r| r.sku).collect();
    let at = by_group.iter().position(|s| s == "A-42").unwrap();
    assert_eq!(
        by_group.get(at + 1).map(String::as_str),
        Some("A-43"),
        "a group's variants together: {by_group:?}"
    );
    assert_eq!(by_group.len(), 4);

    let by_category: Vec<_> =
        rows(&c, &Selection::default(), ExportOrder::Category).into_iter().map(|r| r.sku).collect();
    assert_eq!(
        by_category,
        ["B-1", "A-42", "A-43", "C-1"],
        "by category (Дом before Обувь), then name; none last"
    );
}

#[test]
fn feed_profiles_are_stored_by_unique_name() {
    let (_dir, mut c) = temp_catalog();
    let p = FeedProfileRecord {
        id: FeedProfileId::new(),
        name: "Яндекс".into(),
        format: "yml".into(),
        enabled: true,
        settings: "{}".into(),
        last_result: None,
        created_at: 1,
        updated_at: 1,
    };
    c.add_feed_profile(&p).unwrap();
    let again = FeedProfileRecord { id: FeedProfileId::new(), name: "яндекс".into(), ..p.clone() };
    assert!(matches!(c.add_feed_profile(&again), Err(StoreError::DuplicateFeedProfile(_))));
    assert_eq!(c.feed_profile("ЯНДЕКС").unwrap().id, p.id);
    assert_eq!(c.feed_profile(&p.id.to_string()).unwrap().name, "Яндекс");
    c.set_feed_result(p.id, "{\"written\":3}").unwrap();
    c.update_feed_profile(&FeedProfileRecord { enabled: false, updated_at: 2, ..p.clone() }).unwrap();
    let stored = c.feed_profile("Яндекс").unwrap();
    assert!(!stored.enabled);
    assert_eq!(stored.last_result.as_deref(), Some("{\"written\":3}"));
    assert!(c.remove_feed_profile(p.id).unwrap());
    assert!(matches!(c.feed_profile("Яндекс"), Err(StoreError::FeedProfileNotFound(_))));
}

#[test]
fn an_export_reads_while_another_connection_holds_the_write_lock() {
    let (dir, mut c) = temp_catalog();
    for i in 0..3 {
        c.create_product(&product(&format!("S-{i}"), "Товар", 10_000)).unwrap();
    }
    // Another connection in the middle of a long write, as a supplier import is.
    let import = rusqlite::Connection::open(dir.path().join("catalog.db")).unwrap();
    import.execute_batch("BEGIN IMMEDIATE; INSERT INTO meta (key, value) VALUES ('x', 'y');").unwrap();
    let started = std::time::Instant::now();
    assert_eq!(rows(&c, &Selection::default(), ExportOrder::Storage).len(), 3);
    let other = Catalog::open(dir.path().join("catalog.db")).unwrap();
    assert_eq!(rows(&other, &Selection::default(), ExportOrder::Category).len(), 3, "two readers at once");
    assert!(started.elapsed() < std::time::Duration::from_secs(1), "waited {:?}", started.elapsed());
    import.execute_batch("ROLLBACK").unwrap();
}
