use std::io::Cursor;

use rstest::rstest;
use vitrina_domain::{Attribute, Currency, Dimensions};
use vitrina_formats::{FileReader, ReadOptions, Record, RecordSource, stock_hint};
use vitrina_store::imports::IssueCode;

use super::*;
use crate::mapping::{FieldMapping, suggest};
use crate::normalize::Rate;

const YML: &[u8] = include_bytes!("../../../tests/fixtures/supplier.yml");
const CSV: &[u8] = include_bytes!("../../../tests/fixtures/supplier.csv");
const CSV_1251: &[u8] = include_bytes!("../../../tests/fixtures/supplier_cp1251.csv");

fn open(bytes: &'static [u8], name: &str) -> FileReader<Cursor<&'static [u8]>> {
    vitrina_formats::open(Cursor::new(bytes), Some(name), &ReadOptions::default()).unwrap()
}

/// Reads a fixture the way the pipeline does: the YML mapping for feeds, a suggested one for
/// price lists.
fn import(bytes: &'static [u8], name: &str) -> Vec<Result<SupplierItem, RowRejection>> {
    let mut reader = open(bytes, name);
    let mut ctx = NormalizeContext::default();
    if let Some(shop) = reader.shop() {
        ctx = ctx.with_shop(shop);
    }
    let header: Vec<&str> = reader.settings().header.iter().map(String::as_str).collect();
    let profile = if reader.shop().is_some() { MappingProfile::yml() } else { suggest(&header) };
    let mapping = CompiledMapping::compile(&profile, &header).unwrap();
    let mut record = Record::new();
    let mut out = Vec::new();
    while let Some(r) = reader.read_into(&mut record) {
        r.unwrap();
        out.push(mapping.map(&record, &ctx));
    }
    out
}

fn attr<'a>(item: &'a SupplierItem, name: &str) -> Option<&'a Attribute> {
    item.attributes.iter().find(|a| a.name == name)
}

#[test]
fn a_yml_feed_maps_completely() {
    let items: Vec<SupplierItem> = import(YML, "feed.yml").into_iter().map(Result::unwrap).collect();
    assert_eq!(items.len(), 20);
    let jacket = &items[0];
    assert_eq!(jacket.supplier_sku, "100000");
    assert_eq!(jacket.name, "Куртка мужская Outventure Alaska, размер 50");
    assert_eq!((jacket.brand.as_str(), jacket.model.as_str()), ("Outventure", "OU-1234567-04"));
    assert_eq!((jacket.retail_price, jacket.cost, jacket.old_price), (Some(3_674_000), None, None));
    assert_eq!(jacket.category_path, ["Одежда и обувь", "Одежда", "Куртки мужские"]);
    assert_eq!(jacket.barcodes.iter().map(|b| b.as_str()).collect::<Vec<_>>(), ["4600012345678"]);
    assert_eq!(jacket.images.len(), 5);
    assert_eq!(jacket.weight_g, Some(7_444));
    assert_eq!(jacket.dimensions, Some(Dimensions { length_mm: 318, width_mm: 315, height_mm: 302 }));
    assert_eq!(jacket.stock, 48);
    assert_eq!(attr(jacket, "Страна производства").map(|a| a.value.as_str()), Some("Италия"));
    let warranty = attr(jacket, "Гарантия").unwrap();
    assert_eq!((warranty.value.as_str(), warranty.unit.as_deref()), ("24", Some("мес")));
    assert!(jacket.warnings.is_empty(), "{:?}", jacket.warnings);
    let sole = attr(&items[1], "Высота подошвы").unwrap();
    assert_eq!((sole.value.as_str(), sole.unit.as_deref()), ("40", Some("mm")));
    let laptop = &items[7];
    assert_eq!((laptop.retail_price, laptop.old_price), (Some(18_786_990), Some(21_475_900)));
    assert_eq!(laptop.stock, 0, "available=false");
    let weight = attr(laptop, "Вес").unwrap();
    assert_eq!((weight.value.as_str(), weight.unit.as_deref()), ("3933", Some("g")));
    assert_eq!(items[3].variant_group.as_deref(), Some("100003"));
    assert!(items.iter().all(|i| !i.description.contains("<script")));
}

#[test]
fn the_same_feed_as_a_price_list_gives_the_same_items() {
    let yml: Vec<SupplierItem> = import(YML, "feed.yml").into_iter().map(Result::unwrap).collect();
    let csv: Vec<SupplierItem> = import(CSV, "price.csv").into_iter().map(Result::unwrap).collect();
    assert_eq!(csv.len(), yml.len());
    for (c, y) in csv.iter().zip(&yml) {
        assert_eq!(c.supplier_sku, y.model, "the price list's «Артикул» is the feed's vendorCode");
        assert_eq!(c.name, y.name);
        assert_eq!(c.brand, y.brand);
        assert_eq!((c.retail_price, c.old_price), (y.retail_price, y.old_price), "{}", c.name);
        assert_eq!(c.stock, y.stock, "{}", c.name);
        assert_eq!(c.weight_g, y.weight_g);
        assert_eq!(c.dimensions, y.dimensions);
        assert_eq!(c.barcodes, y.barcodes);
        assert_eq!(c.images, y.images);
        assert_eq!(c.variant_group, y.variant_group);
        assert!(!c.category_path.is_empty());
        assert_eq!(c.category_path.last(), y.category_path.last());
        assert!(c.warnings.is_empty(), "{:?}", c.warnings);
        // Characteristics that both formats carry agree after unit conversion.
        for a in &y.attributes {
            if let Some(b) = attr(c, &a.name).filter(|b| b.unit.is_some() && a.unit.is_some()) {
                assert_eq!((&b.value, &b.unit), (&a.value, &a.unit), "{}", a.name);
            }
        }
    }
    let weight_g = attr(&csv[7], "Вес").unwrap();
    assert_eq!((weight_g.value.as_str(), weight_g.unit.as_deref()), ("3933", Some("g")));
}

#[test]
fn windows_1251_price_lists_read_the_same() {
    assert_eq!(import(CSV_1251, "price.csv"), import(CSV, "price.csv"));
}

fn record(fields: &[(&str, &str)]) -> Record {
    let mut r = Record::new();
    r.set_location(7, None);
    for (k, v) in fields {
        r.push_field(k, v);
    }
    r
}

fn csv_mapping() -> CompiledMapping {
    suggest(&[
        "Артикул",
        "Наименование",
        "Цена",
        "Закупка",
        "Старая цена",
        "Валюта",
        "Остаток",
        "В наличии",
        "Штрихкод",
        "Вес, кг",
        "Габариты",
        "Кратность",
        "Производитель",
        "Категория",
        "Фото",
    ])
    .compile()
    .unwrap()
}

fn base<'a>() -> Vec<(&'a str, &'a str)> {
    vec![("Артикул", "A-1"), ("Наименование", "Кеды"), ("Цена", "1 299,50")]
}

fn map_with(extra: &[(&str, &str)]) -> Result<SupplierItem, RowRejection> {
    let mut fields = base();
    for (k, v) in extra {
        fields.retain(|(f, _)| f != k);
        fields.push((k, v));
    }
    let mut ctx = NormalizeContext::default();
    ctx.rates.push((Currency::USD, Rate(90_000_000)));
    csv_mapping().map(&record(&fields), &ctx)
}

#[rstest]
#[case(&[("Артикул", "  ")], "Артикул", "", "the SKU is empty", IssueCode::SkuEmpty)]
#[case(&[("Наименование", "")], "Наименование", "", "the name is empty", IssueCode::NameEmpty)]
#[case(&[("Цена", "12,3,4")], "Цена", "12,3,4", "is not an amount of money", IssueCode::PriceInvalid)]
#[case(&[("Цена", "-5")], "Цена", "-5", "cannot be negative", IssueCode::PriceNegative)]
#[case(&[("Цена", "99999999999999999999")], "Цена", "99999999999999999999", "too large", IssueCode::PriceTooLarge)]
#[case(&[("Цена", "")], "Цена", "", "the price is empty", IssueCode::PriceEmpty)]
#[case(&[("Валюта", "тугрики")], "Валюта", "тугрики", "is not a currency code", IssueCode::CurrencyInvalid)]
#[case(&[("Валюта", "EUR")], "Цена", "1 299,50", "no exchange rate for EUR", IssueCode::NoExchangeRate)]
#[case(&[("Закупка", "дорого")], "Закупка", "дорого", "is not an amount of money", IssueCode::PriceInvalid)]
fn rejections_name_the_field_and_the_value(
    #[case] extra: &[(&str, &str)],
    #[case] field: &str,
    #[case] value: &str,
    #[case] reason: &str,
    #[case] code: IssueCode,
) {
    let r = map_with(extra).unwrap_err();
    assert_eq!((r.field.as_str(), r.value.as_str(), r.code), (field, value, code));
    assert!(r.reason.contains(reason), "{r}");
}

#[test]
fn a_cost_alone_is_enough() {
    let item = map_with(&[("Цена", ""), ("Закупка", "800")]).unwrap();
    assert_eq!((item.retail_price, item.cost), (None, Some(80_000)));
}

#[test]
fn foreign_prices_are_converted() {
    let item = map_with(&[("Валюта", "usd"), ("Цена", "10.50"), ("Старая цена", "12")]).unwrap();
    assert_eq!((item.retail_price, item.old_price), (Some(94_500), Some(108_000)));
}

#[rstest]
#[case(&[("Штрихкод", "4600012345679; 4600165432096")], "Штрихкод", "4600012345679", "wrong check digit", IssueCode::BarcodeSkipped)]
#[case(&[("Вес, кг", "тяжёлый")], "Вес, кг", "тяжёлый", "is not a weight", IssueCode::WeightSkipped)]
#[case(&[("Вес, кг", "2 фунта")], "Вес, кг", "2 фунта", "not a unit we know", IssueCode::WeightSkipped)]
#[case(&[("Вес, кг", "2 см")], "Вес, кг", "2 см", "not a unit of weight", IssueCode::WeightSkipped)]
#[case(&[("Габариты", "большие")], "Габариты", "большие", "no sizes found", IssueCode::SizeSkipped)]
#[case(&[("Остаток", "скоро будет")], "Остаток", "скоро будет", "not a stock quantity", IssueCode::StockInvalid)]
#[case(&[("В наличии", "наверное")], "В наличии", "наверное", "neither yes nor no", IssueCode::AvailabilityInvalid)]
#[case(&[("Кратность", "по 2 и 3")], "Кратность", "по 2 и 3", "not a pack size", IssueCode::PackUnitsInvalid)]
#[case(&[("Старая цена", "дорого")], "Старая цена", "дорого", "the old price was skipped", IssueCode::OldPriceSkipped)]
fn small_problems_are_warnings(
    #[case] extra: &[(&str, &str)],
    #[case] field: &str,
    #[case] value: &str,
    #[case] reason: &str,
    #[case] code: IssueCode,
) {
    let item = map_with(extra).unwrap();
    assert_eq!(item.warnings.len(), 1, "{:?}", item.warnings);
    let w = &item.warnings[0];
    assert_eq!((w.field.as_str(), w.value.as_str(), w.code), (field, value, code));
    assert!(w.reason.contains(reason), "{}", w.reason);
}

#[test]
fn values_are_normalized() {
    let item = map_with(&[
        ("Наименование", "  Кеды\u{a0} Converse  "),
        ("Штрихкод", "4600012345678 4600165432096"),
        ("Вес, кг", "1,5"),
        ("Габариты", "30x20x10"),
        ("Кратность", "в упаковке 6 шт"),
        ("Остаток", "> 10"),
        ("Производитель", "lg electronics"),
        ("Категория", "Обувь > Кеды"),
        ("Фото", "https://a/1.jpg, https://a/2.jpg"),
    ])
    .unwrap();
    assert_eq!(item.line, 7);
    assert_eq!(item.name, "Кеды Converse");
    assert_eq!(item.retail_price, Some(129_950));
    assert_eq!(item.barcodes.len(), 2);
    assert_eq!(item.weight_g, Some(1_500));
    assert_eq!(item.dimensions, Some(Dimensions { length_mm: 300, width_mm: 200, height_mm: 100 }));
    assert_eq!(item.pack_units, Some(6));
    assert_eq!(item.stock, 10);
    assert_eq!(item.brand, "lg electronics");
    assert_eq!(item.category_path, ["Обувь", "Кеды"]);
    assert_eq!(item.images, ["https://a/1.jpg", "https://a/2.jpg"]);
    assert!(item.warnings.is_empty());
}

#[rstest]
#[case(None, None, 0)]
#[case(Some("15"), None, 15)]
#[case(Some("15"), Some("нет"), 0)]
#[case(Some("много"), None, 10)]
#[case(None, Some("да"), 10)]
#[case(Some("0"), Some("да"), 0)]
#[case(Some("нет"), Some("да"), 0)]
fn stock_and_availability(#[case] stock: Option<&str>, #[case] available: Option<&str>, #[case] out: i64) {
    let mut extra = Vec::new();
    if let Some(s) = stock {
        extra.push(("Остаток", s));
    }
    if let Some(a) = available {
        extra.push(("В наличии", a));
    }
    assert_eq!(map_with(&extra).unwrap().stock, out);
}

fn yml_offer(fields: &[(&str, &str)]) -> Record {
    let mut r = record(&[("@id", "X1"), ("price", "100")]);
    for (k, v) in fields {
        r.push_field(k, v);
    }
    r
}

#[rstest]
#[case(&[("count", "5")])]
#[case(&[("@available", "true")])]
#[case(&[("@available", "false"), ("count", "5")])]
#[case(&[("quantity", "7"), ("stock", "9")])]
#[case(&[("outlets/outlet@instock", "2"), ("outlets/outlet@instock", "5")])]
#[case(&[("amount", "3"), ("@available", "true")])]
#[case(&[])]
fn yml_stock_agrees_with_the_readers_hint(#[case] fields: &[(&str, &str)]) {
    let offer = yml_offer(&[&[("name", "Кеды")], fields].concat());
    let item = MappingProfile::yml().compile().unwrap().map(&offer, &NormalizeContext::default()).unwrap();
    let hint = stock_hint(&offer);
    let expected = match (hint.available, hint.quantity.as_deref()) {
        (Some(false), _) => 0,
        (_, Some(q)) => q.parse().unwrap(),
        (Some(true), None) => 10,
        (None, None) => 0,
    };
    assert_eq!(item.stock, expected, "{fields:?}");
}

#[test]
fn vendor_model_offers_get_a_composed_name() {
    let offer = yml_offer(&[("typePrefix", "Кроссовки"), ("vendor", "Nike"), ("model", "Air Max 90")]);
    let item = MappingProfile::yml().compile().unwrap().map(&offer, &NormalizeContext::default()).unwrap();
    assert_eq!(item.name, "Кроссовки Nike Air Max 90");
    assert_eq!(item.model, "Air Max 90");
    let unnamed = yml_offer(&[("vendor", "Nike")]);
    let r = MappingProfile::yml().compile().unwrap().map(&unnamed, &NormalizeContext::default()).unwrap_err();
    assert_eq!((r.field.as_str(), r.reason.as_str()), ("name", "the name is empty; a product needs a name"));
}

#[test]
fn yml_sku_falls_back_to_the_offer_id_and_params_become_characteristics() {
    let mut offer = Record::new();
    offer.set_location(3, Some("ID-9"));
    offer.push_field("name", "Шампунь");
    offer.push_field("price", "539.99");
    offer.push_param("Объем", Some("мл"), "250");
    offer.push_param("Вес", Some("кг"), "0,3");
    offer.push_param("Пустой", None, " ");
    let profile =
        MappingProfile { fields: MappingProfile::yml().fields[1..].to_vec(), ..MappingProfile::yml() };
    let item = profile.compile().unwrap().map(&offer, &NormalizeContext::default()).unwrap();
    assert_eq!(item.supplier_sku, "ID-9");
    assert_eq!(
        item.attributes,
        [
            Attribute { name: "Объем".into(), value: "250".into(), unit: Some("ml".into()) },
            Attribute { name: "Вес".into(), value: "300".into(), unit: Some("g".into()) },
        ]
    );
}

#[test]
fn unknown_category_ids_warn_when_the_feed_has_a_tree() {
    let mut ctx = NormalizeContext::default();
    ctx.categories.insert("10".into(), vec!["Обувь".into(), "Кеды".into()]);
    let m = MappingProfile::yml().compile().unwrap();
    let item = m.map(&yml_offer(&[("name", "x"), ("categoryId", "10")]), &ctx).unwrap();
    assert_eq!(item.category_path, ["Обувь", "Кеды"]);
    let item = m.map(&yml_offer(&[("name", "x"), ("categoryId", "404")]), &ctx).unwrap();
    assert!(item.category_path.is_empty());
    assert_eq!(item.warnings[0].field, "categoryId");
}

#[test]
fn unmapped_columns_and_shared_sources() {
    let profile = MappingProfile {
        fields: vec![
            FieldMapping::new("sku", Target::Sku),
            FieldMapping::new("sku", Target::Attribute).named("Артикул поставщика"),
            FieldMapping::new("title", Target::Name),
            FieldMapping::new("Ссылка", Target::Ignore),
        ],
        ..Default::default()
    };
    let m = profile.compile().unwrap();
    let r = record(&[("sku", "S1"), ("title", "T"), ("Ссылка", "http://x"), ("Объем флакона, мл", "250")]);
    let item = m.map(&r, &NormalizeContext::default()).unwrap();
    assert_eq!(item.supplier_sku, "S1");
    assert_eq!(item.retail_price, None, "no price column: left to the pipeline");
    let names: Vec<(&str, &str, Option<&str>)> =
        item.attributes.iter().map(|a| (a.name.as_str(), a.value.as_str(), a.unit.as_deref())).collect();
    assert_eq!(names, [("Артикул поставщика", "S1", None), ("Объем флакона", "250", Some("ml"))]);
}

#[test]
fn compile_refuses_what_would_reject_every_row() {
    let no_sku = MappingProfile {
        fields: vec![FieldMapping::new("Наименование", Target::Name)],
        ..Default::default()
    };
    assert_eq!(CompiledMapping::compile(&no_sku, &["Наименование"]).unwrap_err(), MappingError::NoSku);
    let gone = MappingProfile {
        fields: vec![FieldMapping::new("Артикул", Target::Sku)],
        ..Default::default()
    };
    assert_eq!(
        CompiledMapping::compile(&gone, &["Код"]).unwrap_err(),
        MappingError::MissingColumn("Артикул".into())
    );
    assert!(CompiledMapping::compile(&MappingProfile::yml(), &[]).is_ok());
}

/// Throughput of the mapper alone over generated YML-like offers (8 params each).
/// `cargo test -p vitrina-import --release -- --ignored --nocapture mapping_throughput`
#[test]
#[ignore = "a measurement, run in release mode"]
fn mapping_throughput() {
    let records: Vec<Record> = (0..100_000u32)
        .map(|i| {
            let mut r = Record::new();
            r.set_location(u64::from(i), Some(&i.to_string()));
            r.push_field("@id", &format!("{}", 100_000 + i));
            r.push_field("@available", "true");
            r.push_field("name", &format!("Куртка мужская Columbia Powder Lite, размер {}", 44 + i % 10));
            r.push_field("vendor", "Columbia");
            r.push_field("vendorCode", &format!("CO-{i}-06"));
            r.push_field("url", "https://shop.example.ru/catalog/19/100001/");
            r.push_field("price", &format!("{}.78", 1000 + i % 5000));
            r.push_field("currencyId", "RUB");
            r.push_field("categoryId", &format!("{}", 7 + i % 20));
            for k in 0..4 {
                r.push_field("picture", &format!("https://cdn.example.ru/img/{i}/{k}.jpg"));
            }
            r.push_field("description", "<p>Срок доставки — от 1 дня.</p><ul><li>Размер: 54</li><li>Цвет: черный</li></ul><p>Упаковка \"Columbia\" & подарок.</p>");
            r.push_field("barcode", "4600165432096");
            r.push_field("weight", "4.936");
            r.push_field("dimensions", "101.6/47.6/89.3");
            r.push_param("Размер", None, "54");
            r.push_param("Температурный режим", Some("°C"), "до -35");
            r.push_param("Сезон", None, "всесезон");
            r.push_param("Пол", None, "унисекс");
            r.push_param("Цвет", None, "черный");
            r.push_param("Гарантия", Some("мес"), "36");
            r.push_param("Вес", Some("г"), "4936");
            r.push_param("Срок службы", Some("лет"), "2");
            r.push_field("count", "149");
            r
        })
        .collect();
    let mut ctx = NormalizeContext::default();
    for id in 1..40 {
        ctx.categories
            .insert(id.to_string(), vec!["Одежда и обувь".into(), "Одежда".into(), format!("Куртки {id}")]);
    }
    let m = MappingProfile::yml().compile().unwrap();
    // The best of three passes, so the heap is warm as it is in a long import.
    let mut secs = f64::MAX;
    for _ in 0..3 {
        let started = std::time::Instant::now();
        let mut ok = 0usize;
        for r in &records {
            ok += usize::from(std::hint::black_box(m.map(r, &ctx)).is_ok());
        }
        secs = secs.min(started.elapsed().as_secs_f64());
        assert_eq!(ok, records.len());
    }
    eprintln!(
        "mapped {} records in {:.3} s: {:.0} records/s",
        records.len(),
        secs,
        records.len() as f64 / secs
    );
}
