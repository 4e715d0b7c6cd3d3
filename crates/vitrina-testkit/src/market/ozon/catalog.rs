//! The fake's description-category tree, each type's attributes and their dictionaries
//! (`/v1/description-category/tree`, `…/attribute`, `…/attribute/values`).
//!
//! The types are the kinds of goods of Vitrina's demo catalog, under Ozon-like description
//! categories; the attribute ids are the ones Ozon's examples use (85 brand, 9048 model name,
//! 4191 annotation, 10096 colour…). The brand dictionary holds the demo's brands and enough
//! made-up ones to take three pages of values, as Ozon's (far larger) one takes many.

use std::collections::BTreeMap;
use std::sync::OnceLock;

use serde_json::{Value, json};

/// One attribute of one type.
#[derive(Debug, Clone, Copy)]
pub(super) struct Attr {
    pub id: i64,
    pub name: &'static str,
    /// Ozon's `type`: `String`, `multiline`, `Integer`, `Decimal`, `Boolean`.
    pub kind: &'static str,
    pub required: bool,
    pub collection: bool,
    pub aspect: bool,
    /// 0: free input.
    pub dictionary: i64,
    /// 0: a plain attribute; else the complex attribute it belongs to (videos).
    pub complex: i64,
}

const fn a(id: i64, name: &'static str, kind: &'static str, dictionary: i64) -> Attr {
    Attr { id, name, kind, required: false, collection: false, aspect: false, dictionary, complex: 0 }
}

impl Attr {
    const fn required(mut self) -> Attr {
        self.required = true;
        self
    }
    const fn collection(mut self) -> Attr {
        self.collection = true;
        self
    }
    const fn aspect(mut self) -> Attr {
        self.aspect = true;
        self
    }
    const fn complex(mut self, complex: i64) -> Attr {
        self.complex = complex;
        self
    }
}

pub(super) const BRANDS: i64 = 28_732_849;
const COLOURS: i64 = 1447;
const COUNTRIES: i64 = 1935;
const SHOE_SIZES: i64 = 4295;
const CLOTHES_SIZES: i64 = 4298;

const BRAND: Attr = a(85, "Бренд", "String", BRANDS).required();
const MODEL: Attr = a(9048, "Название модели", "String", 0).required();
const ANNOTATION: Attr = a(4191, "Аннотация", "multiline", 0);
const COUNTRY: Attr = a(4389, "Страна-изготовитель", "String", COUNTRIES).collection();
const COLOUR: Attr = a(10096, "Цвет товара", "String", COLOURS).collection();
const MATERIAL: Attr = a(4496, "Материал", "String", 0).collection();
const VIDEO: Attr = a(21841, "Озон.Видео: ссылка", "URL", 0).complex(100_001);

/// A type under its description category under a root.
#[derive(Debug)]
pub(super) struct Type {
    pub root: (i64, &'static str),
    pub category: (i64, &'static str),
    pub type_id: i64,
    pub name: &'static str,
    pub disabled: bool,
    pub attrs: Vec<Attr>,
}

fn types() -> Vec<Type> {
    let common = [BRAND, MODEL, ANNOTATION, COUNTRY];
    let t = |root, category, type_id, name, extra: &[Attr]| Type {
        root,
        category,
        type_id,
        name,
        disabled: false,
        attrs: common.iter().chain(extra).copied().collect(),
    };
    let shoes = (17_027_949, "Обувь");
    let electronics = (17_027_484, "Электроника");
    let home = (17_027_497, "Дом и сад");
    vec![
        t(
            shoes,
            (17_028_973, "Кроссовки и кеды"),
            91_248,
            "Кроссовки",
            &[
                COLOUR.required().aspect(),
                a(4295, "Российский размер", "String", SHOE_SIZES).required().aspect(),
                MATERIAL,
                VIDEO,
            ],
        ),
        Type {
            disabled: true, ..t(shoes, (17_028_973, "Кроссовки и кеды"), 91_250, "Бутсы", &[])
        },
        t(
            (15_621_048, "Одежда"),
            (17_028_922, "Футболки и топы"),
            93_244,
            "Футболки",
            &[
                COLOUR.required().aspect(),
                a(4295, "Российский размер", "String", CLOTHES_SIZES).required().aspect(),
                MATERIAL,
            ],
        ),
        t(
            electronics,
            (15_621_031, "Смартфоны и телефоны"),
            7,
            "Смартфоны",
            &[COLOUR.required().aspect(), a(4384, "Встроенная память, ГБ", "Integer", 0).aspect()],
        ),
        t(
            electronics,
            (15_621_049, "Ноутбуки и планшеты"),
            93_080,
            "Ноутбуки",
            &[
                a(5598, "Диагональ экрана, дюймы", "Decimal", 0),
                a(4385, "Оперативная память, ГБ", "Integer", 0).aspect(),
            ],
        ),
        t(
            (17_027_495, "Бытовая техника"),
            (17_028_650, "Крупная бытовая техника"),
            94_658,
            "Холодильники",
            &[COLOUR.aspect(), a(7171, "Общий объем, л", "Integer", 0)],
        ),
        t(
            home,
            (17_028_749, "Посуда для приготовления"),
            92_345,
            "Сковороды",
            &[
                MATERIAL,
                a(6317, "Диаметр, см", "Decimal", 0).aspect(),
                a(6320, "Подходит для индукционных плит", "Boolean", 0),
            ],
        ),
        t(
            (17_027_487, "Строительство и ремонт"),
            (17_028_631, "Электроинструменты"),
            95_120,
            "Дрели",
            &[a(7235, "Напряжение аккумулятора, В", "Decimal", 0).aspect()],
        ),
        t(
            (17_027_493, "Красота и гигиена"),
            (17_028_804, "Уход за волосами"),
            93_500,
            "Шампуни",
            &[a(6383, "Объем, мл", "Integer", 0).aspect()],
        ),
        t(
            (17_027_494, "Автотовары"),
            (17_028_857, "Шины и диски"),
            97_170,
            "Шины",
            &[a(7394, "Индекс скорости", "String", 0)],
        ),
        // A category Ozon switched off: in the tree, marked disabled, not for new products.
        Type {
            disabled: true, ..t(home, (17_028_999, "Товары для дачи (архив)"), 91_999, "Галоши", &[])
        },
    ]
}

/// The demo's brands first, then made-up ones: 4 500 values.
const NAMED_BRANDS: &[&str] = &[
    "Нет бренда",
    "Nike",
    "Adidas",
    "Puma",
    "Asics",
    "Uniqlo",
    "Befree",
    "Apple",
    "Samsung",
    "Xiaomi",
    "HONOR",
    "Lenovo",
    "ASUS",
    "HP",
    "Bosch",
    "Атлант",
    "Haier",
    "Tefal",
    "Rondell",
    "Нева Металл Посуда",
    "Makita",
    "DeWalt",
    "Интерскол",
    "L'Oreal Paris",
    "Head & Shoulders",
    "Natura Siberica",
    "Michelin",
    "Nokian Tyres",
    "Cordiant",
];
const BRAND_VALUES: usize = 4500;

fn dictionaries() -> BTreeMap<i64, Vec<(i64, String)>> {
    let list = |first: i64, names: &[&str]| -> Vec<(i64, String)> {
        names.iter().enumerate().map(|(i, n)| (first + i as i64, (*n).to_owned())).collect()
    };
    let mut brands = list(5_045_000, NAMED_BRANDS);
    brands.extend((brands.len()..BRAND_VALUES).map(|i| (5_045_000 + i as i64, format!("Бренд {i:04}"))));
    BTreeMap::from([
        (BRANDS, brands),
        (
            COLOURS,
            list(
                61_570,
                &["черный", "белый", "серый", "синий", "красный", "зеленый", "бежевый", "серебристый"],
            ),
        ),
        (
            COUNTRIES,
            list(
                90_295,
                &["Китай", "Россия", "Вьетнам", "Турция", "Германия", "Беларусь", "Италия", "Япония"],
            ),
        ),
        (SHOE_SIZES, list(970_000, &["36", "37", "38", "39", "40", "41", "42", "43", "44", "45"])),
        (CLOTHES_SIZES, list(971_000, &["XS", "S", "M", "L", "XL", "XXL"])),
    ])
}

/// Everything above, built once.
#[derive(Debug)]
pub(super) struct Catalog {
    pub types: Vec<Type>,
    pub dictionaries: BTreeMap<i64, Vec<(i64, String)>>,
}

pub(super) fn catalog() -> &'static Catalog {
    static CATALOG: OnceLock<Catalog> = OnceLock::new();
    CATALOG.get_or_init(|| Catalog { types: types(), dictionaries: dictionaries() })
}

impl Catalog {
    /// The type `(category, type_id)` takes new products in, if any.
    pub fn live_type(&self, category: i64, type_id: i64) -> Option<&Type> {
        self.types.iter().find(|t| t.category.0 == category && t.type_id == type_id && !t.disabled)
    }

    /// The dictionary value `id`, or the one whose text is `text` (any case).
    pub fn value(&self, dictionary: i64, id: Option<i64>, text: &str) -> Option<&(i64, String)> {
        let values = self.dictionaries.get(&dictionary)?;
        match id.filter(|i| *i != 0) {
            Some(id) => values.iter().find(|(v, _)| *v == id),
            None => values.iter().find(|(_, t)| t.to_lowercase() == text.trim().to_lowercase()),
        }
    }
}

/// A tree node being gathered: (id, name, children).
type Branch<T> = (i64, &'static str, Vec<T>);

/// `{"result": [...]}`: roots, their categories, and the types as leaves.
pub(super) fn tree() -> Value {
    let mut roots: Vec<Branch<Branch<&Type>>> = Vec::new();
    for t in &catalog().types {
        let root = match roots.iter().position(|r| r.0 == t.root.0) {
            Some(i) => &mut roots[i],
            None => {
                roots.push((t.root.0, t.root.1, Vec::new()));
                roots.last_mut().expect("just pushed")
            }
        };
        match root.2.iter().position(|c| c.0 == t.category.0) {
            Some(i) => root.2[i].2.push(t),
            None => root.2.push((t.category.0, t.category.1, vec![t])),
        }
    }
    let node = |id: i64, name: &str, disabled: bool, children: Vec<Value>| json!({"description_category_id": id, "category_name": name, "disabled": disabled, "children": children});
    let result: Vec<Value> = roots
        .into_iter()
        .map(|(id, name, categories)| {
            let categories = categories
                .into_iter()
                .map(|(id, name, types)| {
                    let all_off = types.iter().all(|t| t.disabled);
                    let leaves = types
                        .iter()
                        .map(|t| json!({"type_id": t.type_id, "type_name": t.name, "disabled": t.disabled, "children": []}))
                        .collect();
                    node(id, name, all_off, leaves)
                })
                .collect();
            node(id, name, false, categories)
        })
        .collect();
    json!({ "result": result })
}

/// `/v1/description-category/attribute`; `None` for a pair that is not a type.
pub(super) fn attributes(body: &Value) -> Option<Value> {
    let t = find(body)?;
    let result: Vec<Value> = t
        .attrs
        .iter()
        .map(|a| {
            json!({
                "id": a.id,
                "attribute_complex_id": a.complex,
                "name": a.name,
                "description": format!("Укажите {}", a.name.to_lowercase()),
                "type": a.kind,
                "is_collection": a.collection,
                "is_required": a.required,
                "is_aspect": a.aspect,
                "max_value_count": if a.collection { 30 } else { 0 },
                "group_name": "",
                "group_id": 0,
                "dictionary_id": a.dictionary,
                "category_dependent": a.dictionary == BRANDS,
                "complex_is_collection": a.complex != 0,
            })
        })
        .collect();
    Some(json!({ "result": result }))
}

fn find(body: &Value) -> Option<&'static Type> {
    let category = body.get("description_category_id").and_then(super::int)?;
    let type_id = body.get("type_id").and_then(super::int)?;
    catalog().types.iter().find(|t| t.category.0 == category && t.type_id == type_id)
}

/// `/v1/description-category/attribute/values`: values after `last_value_id` by id, `limit`
/// (1–2000) at a time. `Err` is the 400 message.
pub(super) fn values(body: &Value) -> Result<Value, &'static str> {
    let t = find(body).ok_or("description category or type not found")?;
    let attr_id = body.get("attribute_id").and_then(super::int).ok_or("attribute_id is required")?;
    let attr = t.attrs.iter().find(|a| a.id == attr_id).ok_or("attribute not found")?;
    let limit = body
        .get("limit")
        .and_then(super::int)
        .filter(|l| (1..=2000).contains(l))
        .ok_or("invalid GetAttributeValuesRequest.Limit: value must be inside range [1, 2000]")?;
    let after = body.get("last_value_id").and_then(super::int).unwrap_or(0);
    let values = catalog().dictionaries.get(&attr.dictionary).ok_or("the attribute has no dictionary")?;
    let rest: Vec<&(i64, String)> = values.iter().filter(|(id, _)| *id > after).collect();
    let page: Vec<Value> = rest
        .iter()
        .take(limit as usize)
        .map(|(id, value)| json!({"id": id, "value": value, "info": "", "picture": ""}))
        .collect();
    Ok(json!({"result": page, "has_next": rest.len() > limit as usize}))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_tree_nests_types_under_categories_and_marks_the_disabled() {
        let tree = tree();
        let shoes = &tree["result"][0];
        assert_eq!(shoes["category_name"], "Обувь");
        let sneakers = &shoes["children"][0];
        assert_eq!(sneakers["description_category_id"], 17_028_973);
        assert_eq!(
            sneakers["children"][0],
            json!({"type_id": 91_248, "type_name": "Кроссовки", "disabled": false, "children": []})
        );
        assert_eq!(sneakers["children"][1]["disabled"], true);
        let archived = tree["result"]
            .as_array()
            .unwrap()
            .iter()
            .flat_map(|r| r["children"].as_array().unwrap())
            .find(|c| c["category_name"] == "Товары для дачи (архив)")
            .unwrap();
        assert_eq!(archived["disabled"], true);
        let names: Vec<_> = catalog().types.iter().filter(|t| !t.disabled).map(|t| t.name).collect();
        assert_eq!(
            names,
            [
                "Кроссовки",
                "Футболки",
                "Смартфоны",
                "Ноутбуки",
                "Холодильники",
                "Сковороды",
                "Дрели",
                "Шампуни",
                "Шины"
            ]
        );
    }

    #[test]
    fn values_page_by_last_value_id() {
        let ask = |last: i64, limit: i64| {
            values(
                &json!({"attribute_id": 85, "description_category_id": 17_028_973, "type_id": 91_248, "last_value_id": last, "limit": limit}),
            )
        };
        let first = ask(0, 2000).unwrap();
        assert_eq!(first["result"].as_array().unwrap().len(), 2000);
        assert_eq!(first["result"][1]["value"], "Nike");
        assert_eq!(first["has_next"], true);
        let last_id = first["result"][1999]["id"].as_i64().unwrap();
        let third = ask(last_id + 2000, 2000).unwrap();
        assert_eq!((third["result"].as_array().unwrap().len(), &third["has_next"]), (500, &json!(false)));
        assert!(ask(0, 2001).unwrap_err().contains("[1, 2000]"));
        let free = values(
            &json!({"attribute_id": 9048, "description_category_id": 17_028_973, "type_id": 91_248, "limit": 10}),
        );
        assert_eq!(free.unwrap_err(), "the attribute has no dictionary");
    }
}
