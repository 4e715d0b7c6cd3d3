//! Search that forgives (issue 18): the other keyboard layout, names in the other alphabet,
//! one letter wrong, a single first letter; and what must never be corrected.

use rstest::rstest;
use vitrina_domain::{Barcode, Product};
use vitrina_store::{Catalog, ChangeKind, SearchResult};

use crate::common::{product, temp_catalog};

/// A small catalog with the demo's kinds of goods and brands, Latin and Cyrillic.
fn shop() -> (tempfile::TempDir, Catalog) {
    let (d, mut c) = temp_catalog();
    let mut all: Vec<Product> = Vec::new();
    let items: &[(&str, &str, &str)] = &[
        ("Кроссовки мужские", "Nike", "Air Max 90"),
        ("Кроссовки женские", "Adidas", "Ultraboost"),
        ("Кроссовки детские", "Puma", "Suede Classic"),
        ("Смартфон", "Samsung", "Galaxy S24"),
        ("Смартфон", "Apple", "iPhone 15"),
        ("Смартфон", "Xiaomi", "Redmi Note 13"),
        ("Холодильник двухкамерный", "Bosch", "KGN39VI25R"),
        ("Холодильник однокамерный", "Атлант", "ХМ 4621"),
        ("Холодильник", "Haier", "C2F636"),
        ("Телевизор", "Samsung", "Crystal UHD"),
        ("Дрель-шуруповерт аккумуляторная", "Интерскол", "ДА-12ЭР"),
        ("Шины зимние", "Michelin", "X-Ice North 4"),
        ("Шампунь", "L'Oreal Paris", "Elseve"),
        ("Ноутбук", "Lenovo", "ThinkPad E14"),
    ];
    for (i, (name, brand, model)) in items.iter().enumerate() {
        for v in 0..3 {
            let mut p = product(
                &format!("SH-{i:02}{v}"),
                &format!("{name} {brand} {model}, вариант {v}"),
                1000 + i as i64,
            );
            p.brand = (*brand).into();
            p.model = (*model).into();
            p.description = "<p>Гарантия производителя</p>".into();
            all.push(p);
        }
    }
    all[0].barcodes = vec![Barcode::parse("4006381333931").unwrap()];
    c.bulk_upsert(all).unwrap();
    (d, c)
}

fn names(r: &SearchResult) -> Vec<String> {
    r.rows.iter().map(|r| r.name.clone()).collect()
}

/// The corrected query, and that every row shown matches it.
fn read_as(c: &Catalog, typed: &str) -> (String, Vec<ChangeKind>, SearchResult) {
    let r = c.search(typed, 50).unwrap();
    let corr = r.correction.clone().unwrap_or_else(|| panic!("{typed:?} was not corrected: {:?}", names(&r)));
    assert!(corr.instead, "{typed:?}: the typed query matched nothing, so its reading replaces it");
    assert!(!r.rows.is_empty(), "{typed:?} → {:?} found nothing", corr.query);
    let exact = c.search_as_typed(&corr.query, 50).unwrap();
    assert_eq!(names(&r), names(&exact), "{typed:?}: the rows are those of {:?}", corr.query);
    assert!(c.search_as_typed(typed, 50).unwrap().rows.is_empty(), "as typed, {typed:?} matches nothing");
    (corr.query.to_lowercase(), corr.changes.iter().map(|ch| ch.kind).collect(), r)
}

#[rstest]
#[case::russian_typed_in_english("rhjccjdrb nike", "кроссовки nike")]
#[case::one_word("rhjccjdrb", "кроссовки")]
#[case::comma_key_is_be("yjen,er", "ноутбук")]
#[case::bracket_key_is_kha("[jkjlbkmybr", "холодильник")]
#[case::english_typed_in_russian("тшлу", "nike")]
#[case::brand_typed_in_russian("ыфьыгтп", "samsung")]
#[case::only_the_wrong_word("кроссовки тшлу", "кроссовки nike")]
#[case::while_typing("rhjc", "крос")]
fn reads_the_other_keyboard_layout(#[case] typed: &str, #[case] meant: &str) {
    let (_d, c) = shop();
    let (query, kinds, _) = read_as(&c, typed);
    assert_eq!(query, meant);
    assert!(kinds.iter().all(|k| *k == ChangeKind::Layout), "{kinds:?}");
}

#[rstest]
#[case("найк", "nike")]
#[case("кроссовки найк", "кроссовки nike")]
#[case("самсунг", "samsung")]
#[case("адидас", "adidas")]
#[case("пума", "puma")]
#[case("сяоми", "xiaomi")]
#[case("бош", "bosch")]
#[case("хайер", "haier")]
#[case("мишлен", "michelin")]
#[case("леново", "lenovo")]
#[case("лореаль", "l'oreal")]
#[case("atlant", "атлант")]
#[case("interskol", "интерскол")]
#[case::model("айфон", "iphone")]
#[case::model("гэлакси", "galaxy")]
#[case::model("редми", "redmi")]
#[case::model("тинкпад", "thinkpad")]
fn reads_names_in_the_other_alphabet(#[case] typed: &str, #[case] meant: &str) {
    let (_d, c) = shop();
    let (query, kinds, _) = read_as(&c, typed);
    assert_eq!(query, meant);
    assert!(kinds.iter().all(|k| *k == ChangeKind::Alphabet), "{kinds:?}");
}

#[rstest]
#[case::missing("кросовки", "кроссовки")]
#[case::swapped("кроссвоки", "кроссовки")]
#[case::wrong("телевезор", "телевизор")]
#[case::extra("холодилльник", "холодильник")]
#[case::missing_soft_sign("холодилник", "холодильник")]
#[case::latin("samsnug", "samsung")]
#[case::with_a_right_word("кросовки nike", "кроссовки nike")]
#[case::inside_a_hyphenated_token("дрель-шуруповерд", "дрель-шуруповерт")]
fn reads_one_wrong_letter(#[case] typed: &str, #[case] meant: &str) {
    let (_d, c) = shop();
    let (query, kinds, _) = read_as(&c, typed);
    assert_eq!(query, meant);
    assert!(kinds.iter().all(|k| *k == ChangeKind::Typo), "{kinds:?}");
}

#[rstest]
#[case("rhjccjdrb найк", "кроссовки nike")]
#[case("кросовки найк", "кроссовки nike")]
#[case("ыфьыгтп cvfhnajy", "samsung смартфон")]
fn reads_mixed_queries(#[case] typed: &str, #[case] meant: &str) {
    let (_d, c) = shop();
    assert_eq!(read_as(&c, typed).0, meant);
}

#[rstest]
#[case::matches_as_typed("кроссовки nike")]
#[case::a_prefix("крос")]
#[case::sku_that_does_not_exist("SH-991")]
#[case::barcode_one_digit_off("4006381333932")]
#[case::number("123456")]
#[case::model_code("KGN39VI26R")]
#[case::short_word_one_letter_off("шини")]
#[case::two_wrong_letters("кросавкы")]
#[case::nothing_like_it("зубочистка")]
#[case::an_empty_combination("кроссовки bosch")]
fn never_corrects(#[case] typed: &str) {
    let (_d, c) = shop();
    let r = c.search(typed, 50).unwrap();
    assert_eq!(r.correction, None, "{typed:?} → {:?}", names(&r));
    assert_eq!(names(&r), names(&c.search_as_typed(typed, 50).unwrap()));
}

#[test]
fn exact_matches_rank_above_the_reading_that_matches_far_more() {
    let (_d, mut c) = shop();
    // One product has the Latin word "rhjc" (as typed, the query matches it only); "крос",
    // typed with the other layout on, matches thirty-four.
    let mut more: Vec<Product> =
        (0..25).map(|i| product(&format!("K-{i:02}"), &format!("Кроссовки беговые {i}"), 900)).collect();
    more.push(product("ODD-1", "Подставка rhjc", 500));
    c.bulk_upsert(more).unwrap();
    let r = c.search("rhjc", 50).unwrap();
    let corr = r.correction.clone().expect("read as крос too");
    assert!(!corr.instead, "the query's own match stays");
    assert_eq!(corr.query, "крос");
    assert_eq!(r.rows[0].sku, "ODD-1", "the exact match first");
    assert_eq!(r.rows.len(), 35);
    assert!(r.rows[1..].iter().all(|row| row.name.starts_with("Кроссовки")));
    assert_eq!((r.total, r.total_is_exact), (35, true));
    let typed = c.search_as_typed("rhjc", 50).unwrap();
    assert_eq!((typed.rows.len(), typed.correction), (1, None));
}

#[rstest]
#[case::punctuation("\"*) - ( ,;")]
#[case::fts_syntax("NEAR(кроссовки nike) OR \"a\"* AND -b")]
#[case::sql("'; DROP TABLE products; --")]
#[case::long_garbage(&"ыва ".repeat(2_500))]
#[case::one_long_word(&"щ".repeat(10_000))]
#[case::quote_inside_a_word("кросс\"овки")]
fn bad_input_is_answered_safely(#[case] typed: &str) {
    let (_d, c) = shop();
    let r = c.search(typed, 50).unwrap();
    assert!(r.correction.is_none() || !r.rows.is_empty());
    c.search_as_typed(typed, 50).unwrap();
    assert!(c.correct_query(typed).is_ok());
    assert_eq!(c.product_count().unwrap(), 42);
}

#[test]
fn a_text_filter_is_read_as_meant_only_when_it_matches_nothing() {
    let (_d, c) = shop();
    let read = c.correct_query("rhjccjdrb").unwrap().expect("read");
    assert_eq!(read.query, "кроссовки");
    assert_eq!(c.correct_query("кроссовки").unwrap(), None);
    assert_eq!(c.correct_query("к").unwrap(), None);
    assert_eq!(c.correct_query("SH-991").unwrap(), None);
}

#[test]
fn a_single_letter_lists_products_with_a_word_starting_with_it() {
    let (_d, c) = shop();
    for (letter, some) in [("к", "Кроссовки"), ("N", "Nike"), ("ш", "Шины"), ("а", "Атлант")]
    {
        let r = c.search(letter, 50).unwrap();
        assert!(names(&r).iter().any(|n| n.contains(some)), "{letter}: {:?}", names(&r));
        let first = letter.to_lowercase().chars().next().unwrap();
        for row in &r.rows {
            let words = format!("{} {} {}", row.name, row.brand, row.sku).to_lowercase();
            assert!(
                words.split(|ch: char| !ch.is_alphanumeric()).any(|w| w.starts_with(first)),
                "{letter}: {}",
                row.name
            );
        }
    }
    assert!(c.search("ъ", 50).unwrap().rows.is_empty());
}

#[test]
fn a_single_letter_on_a_big_catalog_is_read_from_the_newest_titles() {
    let (_d, mut c) = temp_catalog();
    let all: Vec<Product> = (0..3_300)
        .map(|i| {
            product(&format!("B-{i:05}"), &format!("{} товар {i}", ["Кружка", "Ложка", "Вилка"][i % 3]), 100)
        })
        .collect();
    c.bulk_upsert(all).unwrap();
    let r = c.search("к", 1000).unwrap();
    assert_eq!((r.total, r.total_is_exact), (1000, false), "more than 1 000 products start a word with к");
    assert_eq!(r.rows.len(), 1000);
    let r = c.search("к", 200).unwrap();
    assert_eq!((r.rows.len(), r.total, r.total_is_exact), (200, 200, false), "the newest 200, and more");
    assert!(r.rows.iter().all(|row| row.name.starts_with("Кружка")), "only mugs start a word with к");
    assert_eq!(r.rows[0].sku, "B-03297", "newest first");
    let few = c.search("л", 20).unwrap();
    assert_eq!((few.rows.len(), few.rows[0].sku.as_str()), (20, "B-03298"));
}
