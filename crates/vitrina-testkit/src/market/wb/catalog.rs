//! The fake's seeded dictionaries: parent categories, subjects matching Vitrina's demo
//! catalogue (plus enough filler subjects that the subject list takes two pages of 1000), each
//! subject's characteristics, and the directories (colours, kinds, countries, seasons, VAT,
//! TNVED) in `02-items.yaml`'s shapes.

use serde_json::{Value, json};

/// One characteristic of a subject (`GET /content/v2/object/charcs/{subjectId}`).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Charc {
    pub id: i64,
    pub name: &'static str,
    /// 1 = array of strings, 4 = number.
    pub kind: i64,
    pub unit: &'static str,
    /// 0 = no limit.
    pub max: i64,
    pub variable: bool,
    /// `existNamedField`: sent in a card field, not in `characteristics`.
    pub named: bool,
}

const fn text(id: i64, name: &'static str, max: i64) -> Charc {
    Charc { id, name, kind: 1, unit: "", max, variable: false, named: false }
}

const fn number(id: i64, name: &'static str, unit: &'static str) -> Charc {
    Charc { id, name, kind: 4, unit, max: 0, variable: false, named: false }
}

const fn named(mut c: Charc) -> Charc {
    c.named = true;
    c
}

const fn variable(mut c: Charc) -> Charc {
    c.variable = true;
    c
}

pub(crate) const COLOR: i64 = 14_177_449;
pub(crate) const SIZE: i64 = 54_337;
const TITLE: Charc = named(text(90_001, "Наименование", 1));
const BRAND: Charc = named(text(90_002, "Бренд", 1));
const DESCRIPTION: Charc = named(text(90_003, "Описание", 1));
const LENGTH: Charc = named(number(90_004, "Длина упаковки", "см"));
const WIDTH: Charc = named(number(90_005, "Ширина упаковки", "см"));
const HEIGHT: Charc = named(number(90_006, "Высота упаковки", "см"));
const WEIGHT: Charc = named(number(88_953, "Вес товара с упаковкой (кг)", "кг"));
const COUNTRY: Charc = text(14_177_451, "Страна производства", 1);
const VAT: Charc = text(15_001_405, "Ставка НДС", 1);
const TNVED: Charc = text(15_000_001, "ТНВЭД", 1);
const COLOUR: Charc = variable(text(COLOR, "Цвет", 5));
const KIND: Charc = text(7919, "Пол", 3);
const SEASON: Charc = text(14_177_441, "Сезон", 1);
const TECH_SIZE: Charc = named(variable(text(SIZE, "Размер", 1)));
const RU_SIZE: Charc = named(variable(text(54_338, "Рос. размер", 1)));

/// Every subject has these.
const COMMON: [Charc; 10] = [TITLE, BRAND, DESCRIPTION, LENGTH, WIDTH, HEIGHT, WEIGHT, COUNTRY, VAT, TNVED];

/// A subject: its id, parent, name, own characteristics, and which of them are required.
#[derive(Debug)]
pub(crate) struct Subject {
    pub id: i64,
    pub parent: i64,
    pub name: &'static str,
    pub charcs: &'static [Charc],
    pub required: &'static [i64],
}

pub(crate) const PARENTS: &[(i64, &str)] = &[
    (8, "Обувь"),
    (306, "Одежда"),
    (479, "Электроника"),
    (6119, "Бытовая техника"),
    (3, "Дом"),
    (5059, "Строительство и ремонт"),
    (2, "Красота"),
    (6994, "Автотовары"),
    (9000, "Разное"),
];

pub(crate) const SUBJECTS: &[Subject] = &[
    Subject {
        id: 105,
        parent: 8,
        name: "Кроссовки",
        charcs: &[TECH_SIZE, RU_SIZE, COLOUR, text(88_952, "Материал верха", 3), SEASON, KIND],
        required: &[SIZE, COLOR, 7919],
    },
    Subject {
        id: 192,
        parent: 306,
        name: "Футболки",
        charcs: &[TECH_SIZE, RU_SIZE, COLOUR, text(14_177_450, "Состав", 5), KIND],
        required: &[SIZE, COLOR, 14_177_450],
    },
    Subject {
        id: 515,
        parent: 479,
        name: "Смартфоны",
        charcs: &[
            COLOUR,
            number(15_001_706, "Оперативная память", "ГБ"),
            variable(number(15_001_707, "Встроенная память", "ГБ")),
            text(15_001_708, "Операционная система", 1),
        ],
        required: &[COLOR, 15_001_707],
    },
    Subject {
        id: 1379,
        parent: 479,
        name: "Ноутбуки",
        charcs: &[
            number(15_001_706, "Оперативная память", "ГБ"),
            text(15_001_709, "Процессор", 1),
            number(15_001_710, "Диагональ экрана", "дюйм"),
        ],
        required: &[15_001_706],
    },
    Subject {
        id: 3226,
        parent: 6119,
        name: "Холодильники",
        charcs: &[
            COLOUR,
            text(15_001_711, "Класс энергопотребления", 1),
            text(15_001_712, "No Frost", 1),
            number(15_001_713, "Общий объем", "л"),
        ],
        required: &[15_001_713],
    },
    Subject {
        id: 2870,
        parent: 3,
        name: "Сковороды",
        charcs: &[
            number(15_001_714, "Диаметр", "см"),
            text(15_001_715, "Материал", 3),
            text(15_001_716, "Индукция", 1),
        ],
        required: &[15_001_714],
    },
    Subject {
        id: 2197,
        parent: 5059,
        name: "Дрели-шуруповерты",
        charcs: &[
            number(15_001_717, "Напряжение аккумулятора", "В"),
            number(15_001_718, "Крутящий момент", "Н·м"),
            text(15_001_719, "Патрон", 1),
        ],
        required: &[15_001_717],
    },
    Subject {
        id: 1527,
        parent: 2,
        name: "Шампуни",
        charcs: &[
            number(15_001_720, "Объем флакона", "мл"),
            text(15_001_721, "Тип волос", 3),
            text(15_001_722, "Эффект", 3),
        ],
        required: &[15_001_720],
    },
    Subject {
        id: 5067,
        parent: 6994,
        name: "Шины автомобильные",
        charcs: &[
            SEASON,
            text(15_001_723, "Типоразмер", 1),
            text(15_001_724, "Индекс скорости", 1),
            text(15_001_725, "Шипы", 1),
        ],
        required: &[14_177_441],
    },
];

/// Filler subjects under "Разное", ids from here on, so the list takes two pages.
const FILLER_FROM: i64 = 100_000;
const FILLER: i64 = 1050;

/// A subject by id: a seeded one, or a filler with only the common characteristics.
pub(crate) fn subject(id: i64) -> Option<(i64, String, &'static [Charc], &'static [i64])> {
    if let Some(s) = SUBJECTS.iter().find(|s| s.id == id) {
        return Some((s.parent, s.name.to_owned(), s.charcs, s.required));
    }
    (FILLER_FROM..FILLER_FROM + FILLER).contains(&id).then(|| (9000, filler_name(id), &[][..], &[][..]))
}

fn filler_name(id: i64) -> String {
    format!("Предмет {:04}", id - FILLER_FROM + 1)
}

/// Every characteristic of subject `id`: the common ones and its own.
pub(crate) fn charcs(id: i64) -> Vec<Charc> {
    subject(id).map(|(_, _, own, _)| COMMON.iter().chain(own).copied().collect()).unwrap_or_default()
}

fn parent_name(id: i64) -> &'static str {
    PARENTS.iter().find(|(p, _)| *p == id).map_or("", |(_, n)| n)
}

/// Every subject as `GET /content/v2/object/all` lists it.
pub(crate) fn subjects() -> Vec<Value> {
    let seeded = SUBJECTS.iter().map(|s| (s.id, s.parent, s.name.to_owned()));
    let filler = (FILLER_FROM..FILLER_FROM + FILLER).map(|id| (id, 9000, filler_name(id)));
    seeded
        .chain(filler)
        .map(|(id, parent, name)| {
            json!({"subjectID": id, "parentID": parent, "subjectName": name, "parentName": parent_name(parent)})
        })
        .collect()
}

/// `GET /content/v2/object/charcs/{id}`'s `data`.
pub(crate) fn charcs_json(id: i64) -> Option<Vec<Value>> {
    let (_, name, _, required) = subject(id)?;
    Some(
        charcs(id)
            .iter()
            .map(|c| {
                json!({
                    "charcID": c.id, "subjectName": name, "subjectID": id, "name": c.name,
                    "required": required.contains(&c.id), "unitName": c.unit, "maxCount": c.max,
                    "popular": c.id == COLOR, "charcType": c.kind, "hasFilter": c.variable,
                    "isVariable": c.variable, "existNamedField": c.named,
                })
            })
            .collect(),
    )
}

pub(crate) const COLOURS: &[(&str, &str)] = &[
    ("черный", "черный"),
    ("белый", "белый"),
    ("серый", "серый"),
    ("серебристый", "серый"),
    ("синий", "синий"),
    ("темно-синий", "синий"),
    ("красный", "красный"),
    ("зеленый", "зеленый"),
    ("бежевый", "бежевый"),
    ("коричневый", "коричневый"),
    ("розовый", "розовый"),
    ("желтый", "желтый"),
    ("персиковый мелок", "оранжевый"),
];

/// A directory's `data`; `None` for an unknown one. TNVED needs the subject.
pub(crate) fn directory(name: &str, subject_id: Option<i64>) -> Option<Value> {
    Some(match name {
        "colors" => {
            json!(COLOURS.iter().map(|(n, p)| json!({"name": n, "parentName": p})).collect::<Vec<_>>())
        }
        "kinds" => json!(["Мужской", "Женский", "Детский", "Унисекс", "Девочки", "Мальчики"]),
        "countries" => json!([
            {"id": 15_000_170, "name": "Китай", "fullName": "Китайская Народная Республика"},
            {"id": 15_000_001, "name": "Россия", "fullName": "Российская Федерация"},
            {"id": 15_000_184, "name": "Вьетнам", "fullName": "Социалистическая Республика Вьетнам"},
            {"id": 15_000_215, "name": "Турция", "fullName": "Турецкая Республика"},
            {"id": 15_000_049, "name": "Германия", "fullName": "Федеративная Республика Германия"},
            {"id": 15_000_024, "name": "Беларусь", "fullName": "Республика Беларусь"},
        ]),
        "seasons" => json!(["демисезон", "зима", "лето", "всесезон"]),
        "vat" => json!(["0", "10", "20", "Без НДС", "13"]),
        "tnved" => {
            let code = match subject_id? {
                105 => ("6404110000", false),
                192 => ("6109100000", true),
                515 => ("8517130000", false),
                1379 => ("8471300000", false),
                1527 => ("3305100000", false),
                _ => ("9999999999", false),
            };
            json!([{"tnved": code.0, "isKiz": code.1}])
        }
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_demo_categories_are_subjects_with_their_characteristics() {
        for name in ["Кроссовки", "Футболки", "Смартфоны", "Ноутбуки", "Холодильники", "Сковороды", "Шампуни"]
        {
            assert!(SUBJECTS.iter().any(|s| s.name == name), "{name}");
        }
        assert!(
            SUBJECTS.iter().any(|s| s.name.starts_with("Дрели"))
                && SUBJECTS.iter().any(|s| s.name.starts_with("Шины"))
        );
        let shoes = charcs_json(105).unwrap();
        let colour = shoes.iter().find(|c| c["name"] == "Цвет").unwrap();
        assert_eq!((colour["required"].as_bool(), colour["charcType"].as_i64()), (Some(true), Some(1)));
        let size = shoes.iter().find(|c| c["name"] == "Размер").unwrap();
        assert_eq!(
            (size["existNamedField"].as_bool(), size["isVariable"].as_bool()),
            (Some(true), Some(true))
        );
        for s in SUBJECTS {
            for r in s.required {
                assert!(charcs(s.id).iter().any(|c| c.id == *r), "{}: {r}", s.name);
            }
        }
        assert!(subjects().len() > 1000, "two pages of subjects");
        assert!(charcs_json(1).is_none());
    }

    #[test]
    fn directories_have_the_demo_colours() {
        let colours = directory("colors", None).unwrap();
        for c in ["черный", "белый", "серый", "синий", "красный", "зеленый", "бежевый"]
        {
            assert!(colours.as_array().unwrap().iter().any(|v| v["name"] == c), "{c}");
        }
        assert!(directory("tnved", None).is_none(), "TNVED needs a subject");
        assert_eq!(directory("tnved", Some(105)).unwrap()[0]["tnved"], "6404110000");
    }
}
