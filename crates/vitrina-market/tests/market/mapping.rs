//! Resolving attribute values and mapping suggestions against cached dictionaries: demo-like
//! products through WB-, Ozon- and YM-like categories, and the nine demo categories against a
//! small marketplace tree.

use std::collections::BTreeMap;

use vitrina_domain::Attribute;
use vitrina_market::mapping::{suggest_categories_with_names, suggest_rule, suggest_value};
use vitrina_market::resolve::resolve;
use vitrina_market::{
    AttrKind, AttrRule, CategoryDict, CategorySpec, MpAttribute, MpCategory, MpValue, Problem, ProblemCode,
    ResolvedAttr, Source,
};
use vitrina_store::export::ExportRow;

fn attr(id: &str, name: &str, kind: AttrKind) -> MpAttribute {
    MpAttribute {
        category_id: String::new(),
        attr_id: id.into(),
        name: name.into(),
        kind,
        required: false,
        multi: false,
        max_count: None,
        max_length: None,
        min_value: None,
        max_value: None,
        unit: None,
        dictionary: None,
        custom_ok: true,
        variant: false,
        named_field: None,
    }
}

/// An attribute whose values come from `dictionary` only.
fn closed(id: &str, name: &str, dictionary: &str) -> MpAttribute {
    MpAttribute { dictionary: Some(dictionary.into()), custom_ok: false, ..attr(id, name, AttrKind::Enum) }
}

fn number(id: &str, name: &str, unit: &str) -> MpAttribute {
    MpAttribute { unit: Some(unit.into()), ..attr(id, name, AttrKind::Number) }
}

fn dictionary(prefix: &str, values: &[&str]) -> Vec<MpValue> {
    values
        .iter()
        .enumerate()
        .map(|(i, v)| MpValue { value_id: format!("{prefix}{i}"), value: v.to_string() })
        .collect()
}

fn spec(
    ext_id: &str,
    path: &str,
    attributes: Vec<MpAttribute>,
    values: &[(&str, Vec<MpValue>)],
) -> CategorySpec {
    let name = path.rsplit(" / ").next().unwrap().to_owned();
    CategorySpec {
        category: MpCategory { ext_id: ext_id.into(), parent_id: None, name, path: path.into(), leaf: true },
        dict: CategoryDict {
            attributes: attributes
                .into_iter()
                .map(|a| MpAttribute { category_id: ext_id.into(), ..a })
                .collect(),
            values: values.iter().map(|(k, v)| (k.to_string(), v.clone())).collect(),
        },
    }
}

fn characteristics(list: &[(&str, &str, Option<&str>)]) -> Vec<Attribute> {
    list.iter()
        .map(|(n, v, u)| Attribute { name: n.to_string(), value: v.to_string(), unit: u.map(str::to_owned) })
        .collect()
}

/// Like the demo catalog's running shoes.
fn sneakers() -> ExportRow {
    ExportRow {
        sku: "RUN-42".into(),
        name: "Кроссовки беговые Ветер V-42".into(),
        description: "<p>Лёгкие и быстрые.</p>".into(),
        brand: "Ветер".into(),
        model: "V-42".into(),
        price: 599_000,
        weight_g: Some(900),
        dimensions_mm: Some([320, 200, 120]),
        barcodes: vec!["4601234567893".into()],
        attributes: characteristics(&[
            ("Цвет", "черный", None),
            ("Размер", "42", None),
            ("Материал верха", "текстиль", None),
            ("Сезон", "лето", None),
            ("Страна производства", "Россия", None),
            ("Состав", "текстиль; резина", None),
        ]),
        ..Default::default()
    }
}

/// Like the demo catalog's smartphones.
fn smartphone() -> ExportRow {
    ExportRow {
        sku: "PH-X1".into(),
        name: "Смартфон Гром X1 8/256 ГБ черный".into(),
        description: "<p>Быстрый смартфон.</p>".into(),
        brand: "Гром".into(),
        model: "X1".into(),
        price: 2_999_000,
        weight_g: Some(350),
        dimensions_mm: Some([165, 85, 55]),
        barcodes: vec!["4601234567800".into()],
        attributes: characteristics(&[
            ("Цвет", "Чёрный", None),
            ("Оперативная память", "8", Some("ГБ")),
            ("Встроенная память", "256 ГБ", None),
            ("Диагональ экрана", "6,7", Some("дюйм")),
            ("Страна производства", "Китай", None),
        ]),
        ..Default::default()
    }
}

fn rule(attr_id: &str, source: &str) -> AttrRule {
    AttrRule {
        attr_id: attr_id.into(),
        source: Source::parse(source).unwrap(),
        unit_factor: None,
        value_map: BTreeMap::new(),
    }
}

/// (attr_id, [(value_id, text)]) of what was resolved.
/// (attribute name, [(value id, text)]).
type Values<'a> = Vec<(&'a str, Vec<(Option<&'a str>, &'a str)>)>;

fn values(resolved: &[ResolvedAttr]) -> Values<'_> {
    resolved
        .iter()
        .map(|r| {
            let values = r.values.iter().map(|v| (v.value_id.as_deref(), v.text.as_str())).collect();
            (r.attr.attr_id.as_str(), values)
        })
        .collect()
}

fn codes(problems: &[Problem]) -> Vec<(&str, ProblemCode)> {
    problems.iter().map(|p| (p.attr_id.as_deref().unwrap_or_default(), p.code)).collect()
}

// ---- resolve -------------------------------------------------------------------------------

/// WB: characteristics in cm and kg, colours and seasons from directories, the brand a named
/// field; nothing mapped by hand.
fn wb_sneakers() -> CategorySpec {
    spec(
        "105",
        "Обувь / Кроссовки",
        vec![
            MpAttribute { named_field: Some("brand".into()), ..attr("0", "Бренд", AttrKind::Text) },
            MpAttribute { multi: true, max_count: Some(5), ..closed("14177449", "Цвет", "colors") },
            MpAttribute { required: true, ..closed("14177451", "Сезон", "seasons") },
            MpAttribute { required: true, ..closed("14177450", "Пол", "kinds") },
            attr("15000001", "Материал верха", AttrKind::Text),
            number("15000002", "Вес с упаковкой (кг)", "кг"),
            number("15000003", "Длина упаковки", "см"),
            number("15000004", "Высота упаковки", "см"),
            attr("15000005", "Комплектация", AttrKind::Text),
        ],
        &[
            ("colors", dictionary("c", &["черный", "белый", "красный"])),
            ("seasons", dictionary("s", &["лето", "зима", "демисезон"])),
            ("kinds", dictionary("k", &["Мужской", "Женский"])),
        ],
    )
}

#[test]
fn a_wb_like_category_fills_itself_from_names_and_converts_units() {
    let (resolved, problems) = resolve(&sneakers(), &wb_sneakers(), &[]);
    assert_eq!(
        values(&resolved),
        [
            ("0", vec![(None, "Ветер")]),
            ("14177449", vec![(Some("c0"), "черный")]),
            ("14177451", vec![(Some("s0"), "лето")]),
            ("15000001", vec![(None, "текстиль")]),
            ("15000002", vec![(None, "0.9")]),
            ("15000003", vec![(None, "32")]),
            ("15000004", vec![(None, "12")]),
        ]
    );
    assert_eq!(codes(&problems), [("14177450", ProblemCode::MissingRequired)]);
    assert_eq!(problems[0].detail, "Пол: required, no value");
    assert_eq!(problems[0].field, "attributes");
}

/// Ozon: closed dictionaries everywhere, names unlike the seller's, the brand dictionary too big
/// to cache.
fn ozon_sneakers() -> CategorySpec {
    spec(
        "17028922:91565",
        "Обувь / Кроссовки и кеды / Кроссовки",
        vec![
            MpAttribute { required: true, ..closed("85", "Бренд", "28732849") },
            MpAttribute { multi: true, ..closed("10096", "Цвет товара", "1495") },
            MpAttribute { multi: true, ..closed("4389", "Страна-изготовитель", "1935") },
            MpAttribute { required: true, ..closed("4495", "Сезон", "1777") },
            MpAttribute { multi: true, max_count: Some(1), ..closed("4604", "Материал", "1601") },
            attr("4191", "Аннотация", AttrKind::Text),
        ],
        &[
            ("1495", dictionary("", &["черный", "белый", "красный"])),
            ("1935", dictionary("90", &["Россия", "Китай", "Вьетнам"])),
            ("1777", dictionary("7", &["Лето", "Зима", "Демисезон", "Всесезон"])),
            ("1601", dictionary("16", &["Текстиль", "Натуральная кожа", "Искусственная кожа"])),
        ],
    )
}

#[test]
fn an_ozon_like_category_takes_the_sellers_rules_and_refuses_values_outside_its_dictionaries() {
    let mut season = rule("4495", "attr:Сезон");
    season.value_map.insert("лето".into(), "70".into());
    let rules = [rule("4604", "attr:Состав"), season];
    let (resolved, problems) = resolve(&sneakers(), &ozon_sneakers(), &rules);
    assert_eq!(
        values(&resolved),
        [
            ("85", vec![(None, "Ветер")]),
            ("10096", vec![(Some("0"), "черный")]),
            ("4389", vec![(Some("900"), "Россия")]),
            ("4495", vec![(Some("70"), "Лето")]),
            ("4604", vec![(Some("160"), "Текстиль")]),
            ("4191", vec![(None, "<p>Лёгкие и быстрые.</p>")]),
        ]
    );
    assert_eq!(
        codes(&problems),
        [("4604", ProblemCode::TooManyValues), ("4604", ProblemCode::NotInDictionary)]
    );
    assert_eq!(problems[0].detail, "Материал: 2 values, at most 1");
    assert_eq!(problems[1].detail, "Материал: \"резина\" is not in the dictionary; nothing close");
}

#[test]
fn an_abbreviated_value_is_refused_with_the_value_it_means() {
    let mut row = sneakers();
    row.attributes[0].value = "Черн.".into();
    let (_, problems) = resolve(&row, &ozon_sneakers(), &[]);
    let colour = problems.iter().find(|p| p.attr_id.as_deref() == Some("10096")).unwrap();
    assert_eq!(colour.code, ProblemCode::NotInDictionary);
    assert!(colour.detail.ends_with("nearest: \"черный\""), "{colour:?}");
    let dict = &ozon_sneakers().dict.values["1495"];
    let s = suggest_value("Черн.", dict).unwrap();
    assert!(s.confident() && s.item.value_id == "0", "{s:?}");
}

/// YM: numbers with ranges and units, open dictionaries, text limits.
fn ym_smartphones() -> CategorySpec {
    spec(
        "91491",
        "Электроника / Телефоны / Смартфоны",
        vec![
            MpAttribute {
                min_value: Some(1.0),
                max_value: Some(24.0),
                ..number("1", "Оперативная память", "ГБ")
            },
            number("2", "Объем встроенной памяти", "ГБ"),
            MpAttribute {
                min_value: Some(3.0),
                max_value: Some(8.0),
                ..number("3", "Диагональ экрана", "дюйм")
            },
            MpAttribute {
                dictionary: Some("param:4".into()), ..attr("4", "Цвет товара", AttrKind::Enum)
            },
            MpAttribute { max_length: Some(20), ..attr("5", "Описание", AttrKind::Text) },
            number("6", "Длина упаковки, см", "см"),
            MpAttribute { required: true, ..attr("7", "Гарантийный срок", AttrKind::Text) },
            attr("8", "Страна производства", AttrKind::Text),
        ],
        &[("param:4", dictionary("ym", &["черный", "синий"]))],
    )
}

#[test]
fn a_ym_like_category_checks_numbers_lengths_and_required_values() {
    let (resolved, problems) =
        resolve(&smartphone(), &ym_smartphones(), &[rule("2", "attr:Встроенная память")]);
    assert_eq!(
        values(&resolved),
        [
            ("1", vec![(None, "8")]),
            ("2", vec![(None, "256")]),
            ("3", vec![(None, "6.7")]),
            ("4", vec![(Some("ym0"), "черный")]),
            ("6", vec![(None, "16.5")]),
            ("8", vec![(None, "Китай")]),
        ]
    );
    assert_eq!(codes(&problems), [("5", ProblemCode::ValueTooLong), ("7", ProblemCode::MissingRequired)]);

    let mut big = smartphone();
    big.attributes[1].value = "32".into();
    big.attributes[3].value = "шесть".into();
    let (_, problems) = resolve(&big, &ym_smartphones(), &[]);
    let found: Vec<_> = problems.iter().map(|p| (p.code, p.detail.as_str())).collect();
    assert_eq!(found[0], (ProblemCode::OutOfRange, "Оперативная память: 32 is outside 1…24"));
    assert_eq!(found[1], (ProblemCode::NotANumber, "Диагональ экрана: \"шесть\" is not a number"));
}

#[test]
fn suggested_rules_for_the_demo_characteristics() {
    let product: Vec<(String, Option<String>)> =
        smartphone().attributes.iter().map(|a| (a.name.clone(), a.unit.clone())).collect();
    let wb = [
        ("Оперативная память, ГБ", None, "attr:Оперативная память", None, true),
        ("Цвет", None, "attr:Цвет", None, true),
        ("Страна-изготовитель", None, "attr:Страна производства", None, true),
        ("Вес товара с упаковкой (г)", None, "field:weight_g", None, true),
        ("Ширина упаковки", Some("см"), "field:width_mm", Some(0.1), true),
        ("Объем встроенной памяти", Some("ГБ"), "attr:Встроенная память", None, false),
    ];
    for (name, unit, source, factor, confident) in wb {
        let a = MpAttribute { unit: unit.map(Into::into), ..attr("1", name, AttrKind::Text) };
        let s = suggest_rule(&a, &product).unwrap_or_else(|| panic!("{name}"));
        assert_eq!((s.item.source.code(), s.item.unit_factor), (source.to_owned(), factor), "{name}");
        assert_eq!(s.confident(), confident, "{name}: {}", s.score);
    }
}

// ---- categories ----------------------------------------------------------------------------

fn tree() -> Vec<MpCategory> {
    let leaves = [
        "Обувь / Мужская обувь / Кроссовки",
        "Обувь / Мужская обувь / Кеды",
        "Одежда / Футболки",
        "Одежда / Футболки-поло",
        "Электроника / Смартфоны и телефоны / Смартфоны",
        "Электроника / Чехлы для смартфонов",
        "Компьютеры / Ноутбук",
        "Бытовая техника / Крупная бытовая техника / Холодильники",
        "Бытовая техника / Морозильные камеры",
        "Дом / Посуда / Сковороды",
        "Дом / Посуда / Кастрюли",
        "Строительство и ремонт / Электроинструменты / Дрели-шуруповерты",
        "Строительство и ремонт / Инструменты / Наборы инструментов",
        "Красота и здоровье / Уход за волосами / Шампунь",
        "Автотовары / Шины и диски / Шины",
        "Автотовары / Шины и диски / Диски колесные",
    ];
    let mut tree = vec![MpCategory {
        ext_id: "0".into(),
        parent_id: None,
        name: "Кроссовки".into(),
        path: "Кроссовки".into(),
        leaf: false,
    }];
    for (i, path) in leaves.iter().enumerate() {
        let name = path.rsplit(" / ").next().unwrap().to_owned();
        tree.push(MpCategory {
            ext_id: (i + 1).to_string(),
            parent_id: None,
            name,
            path: path.to_string(),
            leaf: true,
        });
    }
    tree
}

#[test]
fn the_nine_demo_categories_find_their_leaves() {
    let tree = tree();
    let cases: [(&str, &[&str], &str, bool); 9] = [
        ("Одежда и обувь / Кроссовки", &[], "Обувь / Мужская обувь / Кроссовки", true),
        ("Одежда и обувь / Футболки", &[], "Одежда / Футболки", true),
        ("Электроника / Смартфоны", &[], "Электроника / Смартфоны и телефоны / Смартфоны", true),
        ("Электроника / Ноутбуки", &[], "Компьютеры / Ноутбук", true),
        (
            "Бытовая техника / Холодильники",
            &[],
            "Бытовая техника / Крупная бытовая техника / Холодильники",
            true,
        ),
        (
            "Дом и сад / Посуда",
            &["Сковорода чугунная 26 см", "Сковорода-гриль"],
            "Дом / Посуда / Сковороды",
            true,
        ),
        (
            "Дом и сад / Инструменты",
            &["Дрель-шуруповерт аккумуляторная", "Дрель-шуруповерт 18 В"],
            "Строительство и ремонт / Электроинструменты / Дрели-шуруповерты",
            false,
        ),
        ("Красота и здоровье / Шампуни", &[], "Красота и здоровье / Уход за волосами / Шампунь", true),
        ("Автотовары / Шины", &[], "Автотовары / Шины и диски / Шины", true),
    ];
    for (seller, names, expected, confident) in cases {
        let found = suggest_categories_with_names(seller, names, &tree, 3);
        assert_eq!(found.first().map(|s| s.item.path.as_str()), Some(expected), "{seller}: {found:?}");
        assert_eq!(found[0].confident(), confident, "{seller}: {}", found[0].score);
        assert!(found.iter().skip(1).all(|s| !s.confident()), "{seller}: one confident answer: {found:?}");
        assert!(found.iter().all(|s| s.item.leaf && (0.0..=1.0).contains(&s.score)));
    }
}
