//! The fake's category tree and parameters: a small but realistic slice of Yandex Market's
//! catalogue whose leaves match Vitrina's demo catalog, so mapping and publishing tests work
//! against real-looking ids, names, units and closed lists.

use serde_json::{Value, json};

/// One category; `params` are (parameter id, required) and only leaves have them.
#[derive(Debug)]
pub(crate) struct Category {
    pub id: i64,
    pub name: &'static str,
    pub parent: Option<i64>,
    pub params: &'static [(i64, bool)],
}

/// One parameter, shared between the categories that list it (as on YM).
#[derive(Debug)]
pub(crate) struct Param {
    pub id: i64,
    pub name: &'static str,
    /// TEXT | ENUM | BOOLEAN | NUMERIC.
    pub kind: &'static str,
    /// (unit id, name, full name) of the one (default) unit.
    pub unit: Option<(i64, &'static str, &'static str)>,
    pub multivalue: bool,
    pub custom: bool,
    pub distinctive: bool,
    pub min: Option<f64>,
    pub max: Option<f64>,
    pub max_length: Option<u32>,
    pub values: &'static [(i64, &'static str)],
}

pub(crate) const ROOT: i64 = 90401;

pub(crate) const COLOR: i64 = 14871214;
pub(crate) const SIZE: i64 = 7351771;
pub(crate) const MATERIAL: i64 = 15341921;
pub(crate) const COUNTRY: i64 = 17029880;
pub(crate) const RAM: i64 = 23674510;
const STORAGE: i64 = 23674511;
const VOLUME_L: i64 = 37692410;
const DIAMETER_CM: i64 = 27142893;
const NON_STICK: i64 = 27142894;
const POWER: i64 = 16395390;
const VOLUME_ML: i64 = 16395391;
const HAIR: i64 = 16395392;
const SEASON: i64 = 16395393;
const RIM: i64 = 16395394;
pub(crate) const GENDER: i64 = 16395395;

pub(crate) const SNEAKERS: i64 = 7811901;
pub(crate) const PHONES: i64 = 91491;

pub(crate) const CATEGORIES: &[Category] = &[
    Category { id: ROOT, name: "Все товары", parent: None, params: &[] },
    Category { id: 198119, name: "Электроника", parent: Some(ROOT), params: &[] },
    Category {
        id: 91461, name: "Телефоны и аксессуары", parent: Some(198119), params: &[]
    },
    Category {
        id: PHONES,
        name: "Смартфоны",
        parent: Some(91461),
        params: &[(COLOR, true), (RAM, true), (STORAGE, true), (COUNTRY, false)],
    },
    Category {
        id: 91009, name: "Компьютерная техника", parent: Some(198119), params: &[]
    },
    Category {
        id: 91013,
        name: "Ноутбуки",
        parent: Some(91009),
        params: &[(COLOR, false), (RAM, true), (STORAGE, false), (COUNTRY, false)],
    },
    Category { id: 198118, name: "Бытовая техника", parent: Some(ROOT), params: &[] },
    Category {
        id: 90564, name: "Крупная бытовая техника", parent: Some(198118), params: &[]
    },
    Category {
        id: 71639,
        name: "Холодильники",
        parent: Some(90564),
        params: &[(COLOR, false), (VOLUME_L, true), (COUNTRY, false)],
    },
    Category {
        id: 7877999, name: "Одежда, обувь и аксессуары", parent: Some(ROOT), params: &[]
    },
    Category { id: 7811879, name: "Обувь", parent: Some(7877999), params: &[] },
    Category {
        id: SNEAKERS,
        name: "Кроссовки",
        parent: Some(7811879),
        params: &[(COLOR, true), (SIZE, true), (MATERIAL, false), (GENDER, true), (COUNTRY, false)],
    },
    Category { id: 7811873, name: "Одежда", parent: Some(7877999), params: &[] },
    Category {
        id: 7811918,
        name: "Футболки",
        parent: Some(7811873),
        params: &[(COLOR, true), (SIZE, true), (MATERIAL, false), (GENDER, false), (COUNTRY, false)],
    },
    Category { id: 90666, name: "Дом и сад", parent: Some(ROOT), params: &[] },
    Category { id: 90667, name: "Посуда", parent: Some(90666), params: &[] },
    Category {
        id: 12894127,
        name: "Сковороды",
        parent: Some(90667),
        params: &[(DIAMETER_CM, true), (MATERIAL, true), (NON_STICK, false), (COUNTRY, false)],
    },
    Category {
        id: 90719, name: "Строительство и ремонт", parent: Some(ROOT), params: &[]
    },
    Category { id: 90720, name: "Электроинструменты", parent: Some(90719), params: &[] },
    Category {
        id: 91658,
        name: "Дрели",
        parent: Some(90720),
        params: &[(POWER, true), (COLOR, false), (COUNTRY, false)],
    },
    Category { id: 90509, name: "Красота и гигиена", parent: Some(ROOT), params: &[] },
    Category { id: 90510, name: "Уход за волосами", parent: Some(90509), params: &[] },
    Category {
        id: 8476110,
        name: "Шампуни",
        parent: Some(90510),
        params: &[(VOLUME_ML, true), (HAIR, false), (COUNTRY, false)],
    },
    Category { id: 90402, name: "Авто", parent: Some(ROOT), params: &[] },
    Category { id: 90490, name: "Шины и диски", parent: Some(90402), params: &[] },
    Category {
        id: 90491,
        name: "Шины",
        parent: Some(90490),
        params: &[(SEASON, true), (RIM, true), (COUNTRY, false)],
    },
];

const fn enumeration(
    id: i64,
    name: &'static str,
    multivalue: bool,
    custom: bool,
    values: &'static [(i64, &'static str)],
) -> Param {
    Param {
        id,
        name,
        kind: "ENUM",
        unit: None,
        multivalue,
        custom,
        distinctive: false,
        min: None,
        max: None,
        max_length: None,
        values,
    }
}

const fn numeric(
    id: i64,
    name: &'static str,
    unit: (i64, &'static str, &'static str),
    min: f64,
    max: f64,
) -> Param {
    Param {
        id,
        name,
        kind: "NUMERIC",
        unit: Some(unit),
        multivalue: false,
        custom: false,
        distinctive: false,
        min: Some(min),
        max: Some(max),
        max_length: None,
        values: &[],
    }
}

const GB: (i64, &str, &str) = (6, "ГБ", "гигабайты");

pub(crate) const PARAMS: &[Param] = &[
    Param {
        distinctive: true,
        ..enumeration(
            COLOR,
            "Цвет товара",
            true,
            false,
            &[
                (14871220, "черный"),
                (14871221, "белый"),
                (14871222, "серый"),
                (14871223, "синий"),
                (14871224, "красный"),
                (14871225, "зеленый"),
                (14871226, "бежевый"),
            ],
        )
    },
    Param {
        id: SIZE,
        name: "Размер",
        kind: "TEXT",
        unit: None,
        multivalue: false,
        custom: true,
        distinctive: true,
        min: None,
        max: None,
        max_length: Some(20),
        values: &[],
    },
    enumeration(
        MATERIAL,
        "Материал",
        true,
        true,
        &[
            (15341930, "хлопок"),
            (15341931, "полиэстер"),
            (15341932, "натуральная кожа"),
            (15341933, "текстиль"),
            (15341934, "нержавеющая сталь"),
            (15341935, "алюминий"),
            (15341936, "чугун"),
        ],
    ),
    enumeration(
        COUNTRY,
        "Страна производства",
        false,
        false,
        &[
            (17029881, "Россия"),
            (17029882, "Китай"),
            (17029883, "Вьетнам"),
            (17029884, "Германия"),
            (17029885, "Турция"),
            (17029886, "Беларусь"),
            (17029887, "Италия"),
            (17029888, "Южная Корея"),
            (17029889, "Япония"),
        ],
    ),
    enumeration(
        GENDER,
        "Пол",
        false,
        false,
        &[(16395400, "мужской"), (16395401, "женский"), (16395402, "унисекс")],
    ),
    numeric(RAM, "Оперативная память", GB, 1.0, 256.0),
    numeric(STORAGE, "Встроенная память", GB, 1.0, 8192.0),
    numeric(VOLUME_L, "Общий объем", (8, "л", "литры"), 10.0, 1500.0),
    numeric(DIAMETER_CM, "Диаметр", (9, "см", "сантиметры"), 10.0, 40.0),
    Param {
        kind: "BOOLEAN", ..enumeration(NON_STICK, "Антипригарное покрытие", false, false, &[])
    },
    numeric(POWER, "Мощность", (10, "Вт", "ватты"), 100.0, 3000.0),
    numeric(VOLUME_ML, "Объем", (11, "мл", "миллилитры"), 1.0, 5000.0),
    enumeration(
        HAIR,
        "Тип волос",
        true,
        true,
        &[
            (16395410, "для всех типов"),
            (16395411, "для сухих"),
            (16395412, "для жирных"),
            (16395413, "для окрашенных"),
        ],
    ),
    enumeration(
        SEASON,
        "Сезонность",
        false,
        false,
        &[(16395420, "летние"), (16395421, "зимние"), (16395422, "всесезонные")],
    ),
    numeric(RIM, "Посадочный диаметр", (12, "дюйм", "дюймы"), 12.0, 24.0),
];

pub(crate) fn category(id: i64) -> Option<&'static Category> {
    CATEGORIES.iter().find(|c| c.id == id)
}

pub(crate) fn is_leaf(id: i64) -> bool {
    !CATEGORIES.iter().any(|c| c.parent == Some(id))
}

pub(crate) fn param(id: i64) -> Option<&'static Param> {
    PARAMS.iter().find(|p| p.id == id)
}

/// `result` of `POST /v2/categories/tree`: the root with its children, a leaf without any.
pub(crate) fn tree() -> Value {
    fn node(c: &Category) -> Value {
        let children: Vec<Value> = CATEGORIES.iter().filter(|x| x.parent == Some(c.id)).map(node).collect();
        if children.is_empty() {
            json!({"id": c.id, "name": c.name})
        } else {
            json!({"id": c.id, "name": c.name, "children": children})
        }
    }
    node(category(ROOT).expect("the root is seeded"))
}

/// `result` of `POST /v2/category/{id}/parameters` for a leaf.
pub(crate) fn parameters(c: &Category) -> Value {
    let parameters: Vec<Value> = c
        .params
        .iter()
        .filter_map(|(id, required)| param(*id).map(|p| (p, *required)))
        .map(|(p, required)| {
            let mut v = json!({
                "id": p.id, "name": p.name, "type": p.kind, "required": required, "filtering": true,
                "distinctive": p.distinctive, "multivalue": p.multivalue, "allowCustomValues": p.custom,
            });
            if let Some((id, name, full)) = p.unit {
                v["unit"] =
                    json!({"defaultUnitId": id, "units": [{"id": id, "name": name, "fullName": full}]});
            }
            if !p.values.is_empty() {
                v["values"] = p.values.iter().map(|(id, value)| json!({"id": id, "value": value})).collect();
            }
            let mut constraints = json!({});
            if let Some(min) = p.min {
                constraints["minValue"] = json!(min);
            }
            if let Some(max) = p.max {
                constraints["maxValue"] = json!(max);
            }
            if let Some(len) = p.max_length {
                constraints["maxLength"] = json!(len);
            }
            if constraints != json!({}) {
                v["constraints"] = constraints;
            }
            v
        })
        .collect();
    json!({"categoryId": c.id, "parameters": parameters})
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_leaf_is_a_demo_category_with_known_parameters() {
        let leaves: Vec<_> = CATEGORIES.iter().filter(|c| is_leaf(c.id)).map(|c| c.name).collect();
        assert_eq!(
            leaves,
            [
                "Смартфоны",
                "Ноутбуки",
                "Холодильники",
                "Кроссовки",
                "Футболки",
                "Сковороды",
                "Дрели",
                "Шампуни",
                "Шины"
            ]
        );
        for c in CATEGORIES {
            assert_eq!(is_leaf(c.id), !c.params.is_empty(), "{}", c.name);
            assert!(c.params.iter().all(|(id, _)| param(*id).is_some()), "{}", c.name);
            assert!(c.parent.is_none_or(|p| category(p).is_some()), "{}", c.name);
        }
        assert!(PARAMS.iter().all(|p| (p.kind == "ENUM") != p.values.is_empty() || p.kind == "BOOLEAN"));
    }

    #[test]
    fn the_tree_nests_from_the_root_and_parameters_have_the_spec_shape() {
        let t = tree();
        assert_eq!((t["id"].as_i64(), t["name"].as_str()), (Some(ROOT), Some("Все товары")));
        let clothes = &t["children"][2];
        assert_eq!(clothes["children"][0]["children"][0], json!({"id": SNEAKERS, "name": "Кроссовки"}));
        let p = parameters(category(PHONES).unwrap());
        let ram = &p["parameters"][1];
        assert_eq!(ram["unit"]["units"][0]["name"], "ГБ");
        assert_eq!(
            (ram["constraints"]["minValue"].as_f64(), ram["required"].as_bool()),
            (Some(1.0), Some(true))
        );
        assert_eq!(p["parameters"][0]["values"].as_array().unwrap().len(), 7);
    }
}
