//! A realistic demo catalog, generated deterministically and fast: the shape of a Russian
//! marketplace seller's assortment (shoes, clothes, phones, appliances, cookware, tools,
//! cosmetics, tyres) with variants, characteristics, barcodes, prices, stock, kits and packs.

use vitrina_domain::{
    Attribute, Barcode, CategoryId, Dimensions, Image, Money, Product, ProductId, ProductStatus,
    VariantGroupId, barcode::gtin_check_digit,
};

/// A small, fast, deterministic PRNG (SplitMix64): the same seed gives the same catalog.
#[derive(Debug, Clone)]
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Self {
        Rng(seed)
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// Uniform in `lo..=hi`.
    pub fn range(&mut self, lo: i64, hi: i64) -> i64 {
        lo + (self.next_u64() % (hi - lo + 1) as u64) as i64
    }

    pub fn chance(&mut self, percent: u64) -> bool {
        self.next_u64() % 100 < percent
    }

    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[(self.next_u64() % items.len() as u64) as usize]
    }
}

/// One kind of goods: where it lives, how it is named, its variants and characteristics.
struct Kind {
    path: [&'static str; 2],
    item: &'static str,
    forms: &'static [&'static str],
    vendors: &'static [(&'static str, &'static [&'static str])],
    variant: (&'static str, &'static str, &'static [&'static str]),
    price_rub: (i64, i64),
    params: &'static [(&'static str, Option<&'static str>, &'static [&'static str])],
}

const COLORS: &[&str] = &["черный", "белый", "серый", "синий", "красный", "зеленый", "бежевый"];
const COUNTRIES: &[&str] = &["Китай", "Россия", "Вьетнам", "Турция", "Германия", "Беларусь"];
const SEASONS: &[&str] = &["лето", "зима", "демисезон", "всесезон"];

const KINDS: &[Kind] = &[
    Kind {
        path: ["Одежда и обувь", "Кроссовки"],
        item: "Кроссовки",
        forms: &["мужские", "женские", "детские"],
        vendors: &[
            ("Nike", &["Air Max 90", "Air Zoom Pegasus 40"]),
            ("Adidas", &["Ultraboost", "Superstar"]),
            ("Puma", &["Suede Classic"]),
            ("Asics", &["Gel-Kayano 30"]),
        ],
        variant: ("Размер", "размер", &["36", "37", "38", "39", "40", "41", "42", "43", "44", "45"]),
        price_rub: (2990, 18990),
        params: &[
            ("Материал верха", None, &["натуральная кожа", "текстиль", "замша", "сетка"]),
            ("Сезон", None, SEASONS),
            ("Цвет", None, COLORS),
        ],
    },
    Kind {
        path: ["Одежда и обувь", "Футболки"],
        item: "Футболка",
        forms: &["мужская", "женская", "детская"],
        vendors: &[
            ("Uniqlo", &["U Crew Neck", "AIRism"]),
            ("Befree", &["Oversize"]),
            ("Adidas", &["Essentials"]),
        ],
        variant: ("Размер", "размер", &["XS", "S", "M", "L", "XL", "XXL"]),
        price_rub: (590, 3490),
        params: &[
            ("Состав", None, &["100% хлопок", "95% хлопок, 5% эластан", "полиэстер"]),
            ("Цвет", None, COLORS),
        ],
    },
    Kind {
        path: ["Электроника", "Смартфоны"],
        item: "Смартфон",
        forms: &[""],
        vendors: &[
            ("Apple", &["iPhone 15", "iPhone 15 Pro"]),
            ("Samsung", &["Galaxy S24", "Galaxy A55"]),
            ("Xiaomi", &["Redmi Note 13 Pro"]),
            ("HONOR", &["200"]),
        ],
        variant: ("Встроенная память", "ГБ", &["128", "256", "512"]),
        price_rub: (12990, 149990),
        params: &[
            ("Оперативная память", Some("ГБ"), &["6", "8", "12", "16"]),
            ("Операционная система", None, &["Android 14", "iOS 17"]),
            ("Цвет", None, COLORS),
        ],
    },
    Kind {
        path: ["Электроника", "Ноутбуки"],
        item: "Ноутбук",
        forms: &[""],
        vendors: &[
            ("Lenovo", &["IdeaPad Slim 5", "ThinkPad E14"]),
            ("ASUS", &["VivoBook 15"]),
            ("HP", &["Pavilion 15"]),
            ("Apple", &["MacBook Air 13"]),
        ],
        variant: ("Оперативная память", "ГБ RAM", &["8", "16", "32"]),
        price_rub: (39990, 189990),
        params: &[
            ("Процессор", None, &["Intel Core i5-1335U", "Apple M2", "AMD Ryzen 5 7530U"]),
            ("Диагональ экрана", Some("дюйм"), &["13.3", "14", "15.6"]),
        ],
    },
    Kind {
        path: ["Бытовая техника", "Холодильники"],
        item: "Холодильник",
        forms: &["двухкамерный", "однокамерный"],
        vendors: &[("Bosch", &["KGN39VI25R"]), ("Атлант", &["ХМ 4621-101"]), ("Haier", &["C2F636CWRG"])],
        variant: ("Цвет", "", &["белый", "серебристый", "черный"]),
        price_rub: (24990, 159990),
        params: &[
            ("Класс энергопотребления", None, &["A", "A+", "A++"]),
            ("No Frost", None, &["да", "нет"]),
            ("Общий объем", Some("л"), &["250", "320", "364", "420"]),
        ],
    },
    Kind {
        path: ["Дом и сад", "Посуда"],
        item: "Сковорода",
        forms: &["с антипригарным покрытием", "чугунная", "гриль"],
        vendors: &[
            ("Tefal", &["Excellence"]),
            ("Rondell", &["Mocco & Latte"]),
            ("Нева Металл Посуда", &["Гранит"]),
        ],
        variant: ("Диаметр", "см", &["20", "22", "24", "26", "28"]),
        price_rub: (890, 6990),
        params: &[
            ("Материал", None, &["алюминий", "чугун", "нержавеющая сталь"]),
            ("Индукция", None, &["да", "нет"]),
        ],
    },
    Kind {
        path: ["Дом и сад", "Инструменты"],
        item: "Дрель-шуруповерт",
        forms: &["аккумуляторная", "ударная"],
        vendors: &[
            ("Bosch", &["GSR 120-LI"]),
            ("Makita", &["DF333DWYE"]),
            ("DeWalt", &["DCD791D2"]),
            ("Интерскол", &["ДА-12ЭР"]),
        ],
        variant: ("Напряжение аккумулятора", "В", &["12", "18", "20"]),
        price_rub: (2990, 34990),
        params: &[
            ("Крутящий момент", Some("Н·м"), &["30", "45", "70", "140"]),
            ("Патрон", None, &["быстрозажимной 10 мм", "шестигранник 1/4\""]),
        ],
    },
    Kind {
        path: ["Красота и здоровье", "Шампуни"],
        item: "Шампунь",
        forms: &[""],
        vendors: &[
            ("L'Oreal Paris", &["Elseve Гиалурон"]),
            ("Head & Shoulders", &["Основной уход", "Ментол"]),
            ("Natura Siberica", &["Объем и баланс"]),
        ],
        variant: ("Объем флакона", "мл", &["250", "400", "1000"]),
        price_rub: (199, 1290),
        params: &[
            ("Тип волос", None, &["для всех типов", "для сухих", "для окрашенных"]),
            ("Эффект", None, &["увлажнение", "объем", "восстановление"]),
        ],
    },
    Kind {
        path: ["Автотовары", "Шины"],
        item: "Шины",
        forms: &["летние", "зимние", "всесезонные"],
        vendors: &[
            ("Michelin", &["Pilot Sport 4", "X-Ice North 4"]),
            ("Nokian Tyres", &["Hakkapeliitta 10"]),
            ("Cordiant", &["Comfort 2"]),
        ],
        variant: ("Типоразмер", "", &["185/65 R15", "205/55 R16", "225/45 R17"]),
        price_rub: (3490, 24990),
        params: &[("Индекс скорости", None, &["H", "V", "W", "T"]), ("Шипы", None, &["да", "нет"])],
    },
];

const PHRASES: &[&str] = &[
    "надежный выбор для повседневного использования",
    "бренд известен качеством и вниманием к деталям",
    "модель остается среди лидеров продаж",
    "в комплекте инструкция на русском языке",
    "гарантия производителя, сервисные центры в 80 городах России",
    "поставляется в фирменной упаковке и подходит в качестве подарка",
];

/// The category paths the demo uses, root first: `[["Одежда и обувь", "Кроссовки"], …]`.
pub fn category_paths() -> Vec<[&'static str; 2]> {
    KINDS.iter().map(|k| k.path).collect()
}

/// Deterministic demo products. `categories[i]` is the id for `category_paths()[i]`.
#[derive(Debug)]
pub struct DemoProducts {
    rng: Rng,
    categories: Vec<CategoryId>,
    serial: u64,
    limit: u64,
    pending: Vec<Product>,
}

impl DemoProducts {
    pub fn new(seed: u64, count: u64, categories: Vec<CategoryId>) -> Self {
        DemoProducts { rng: Rng::new(seed), categories, serial: 0, limit: count, pending: Vec::new() }
    }

    /// One model with 1–5 variants sharing a variant group.
    fn model(&mut self) {
        let rng = &mut self.rng;
        let kind_idx = (rng.next_u64() % KINDS.len() as u64) as usize;
        let kind = &KINDS[kind_idx];
        let (vendor, models) = *rng.pick(kind.vendors);
        let model = *rng.pick(models);
        let form = *rng.pick(kind.forms);
        let base_rub = rng.range(kind.price_rub.0, kind.price_rub.1);
        let (variant_name, variant_unit, values) = kind.variant;
        let variants = if rng.chance(25) { rng.range(2, values.len().min(5) as i64) as usize } else { 1 };
        let first = rng.range(0, (values.len() - variants) as i64) as usize;
        let group = (variants > 1).then(VariantGroupId::new);
        let mut attributes: Vec<Attribute> = kind
            .params
            .iter()
            .map(|(name, unit, vals)| Attribute {
                name: (*name).into(),
                value: (*rng.pick(vals)).into(),
                unit: unit.map(Into::into),
            })
            .collect();
        attributes.push(Attribute {
            name: "Страна производства".into(),
            value: (*rng.pick(COUNTRIES)).into(),
            unit: None,
        });
        let description = {
            let a = rng.pick(PHRASES);
            let b = rng.pick(PHRASES);
            format!("<p>{} {vendor} {model} — {a}.</p><p>{}.</p>", kind.item, capitalize(b))
        };
        let weight = rng.range(80, 9000) as u32;
        let dims = Dimensions {
            length_mm: rng.range(50, 1200) as u32,
            width_mm: rng.range(50, 800) as u32,
            height_mm: rng.range(20, 600) as u32,
        };
        let status = if rng.chance(4) {
            ProductStatus::Draft
        } else if rng.chance(3) {
            ProductStatus::Archived
        } else {
            ProductStatus::Active
        };
        let prefix: String =
            vendor.chars().filter(|c| c.is_alphanumeric()).take(2).collect::<String>().to_uppercase();
        for (v, value) in values[first..first + variants].iter().enumerate() {
            if self.serial >= self.limit {
                break;
            }
            let serial = self.serial;
            self.serial += 1;
            let price_rub = base_rub + base_rub * v as i64 / 20;
            let kopecks = price_rub * 100 - *rng.pick(&[0, 100, 1000, 1]);
            let mut attrs = attributes.clone();
            attrs.insert(
                0,
                Attribute {
                    name: variant_name.into(),
                    value: (*value).into(),
                    unit: (!variant_unit.is_empty() && variant_unit != "размер").then(|| variant_unit.into()),
                },
            );
            let name = [kind.item, form, vendor, model]
                .iter()
                .filter(|s| !s.is_empty())
                .copied()
                .collect::<Vec<_>>()
                .join(" ");
            let suffix = if variant_unit == "размер" {
                format!("размер {value}")
            } else {
                format!("{value} {variant_unit}").trim().to_string()
            };
            let in_stock = rng.chance(85);
            self.pending.push(Product {
                id: ProductId::new(),
                sku: format!("{prefix}-{:07}-{:02}", (serial * 7919 + 1_234_567) % 10_000_000, v + 1),
                name: format!("{name}, {suffix}"),
                description: description.clone(),
                brand: vendor.into(),
                model: model.into(),
                category: self.categories.get(kind_idx).copied(),
                variant_group: group,
                barcodes: vec![ean13(serial)],
                weight_g: Some(weight),
                dimensions: Some(dims),
                price: Money::rub(kopecks),
                old_price: rng.chance(25).then(|| Money::rub((kopecks * 13 / 10) / 100 * 100)),
                cost: Some(Money::rub(kopecks * 6 / 10)),
                stock: if in_stock { rng.range(1, 250) } else { 0 },
                status,
                attributes: attrs,
                images: (0..rng.range(1, 4))
                    .map(|p| Image { url: format!("https://cdn.example.ru/img/{serial}/{p}.jpg") })
                    .collect(),
            });
        }
    }
}

impl Iterator for DemoProducts {
    type Item = Product;

    fn next(&mut self) -> Option<Product> {
        while self.pending.is_empty() {
            if self.serial >= self.limit {
                return None;
            }
            self.model();
            self.pending.reverse();
        }
        self.pending.pop()
    }
}

fn capitalize(s: &str) -> String {
    let mut c = s.chars();
    c.next().map(|f| f.to_uppercase().chain(c).collect()).unwrap_or_default()
}

/// A unique, valid EAN-13 with the Russian "46" prefix.
pub fn ean13(serial: u64) -> Barcode {
    let body = format!("46{:010}", (serial * 7_654_321 + 1_234_567) % 10_000_000_000);
    let digits: Vec<u8> = body.bytes().map(|b| b - b'0').collect();
    let code = format!("{body}{}", gtin_check_digit(&digits));
    Barcode::parse(&code).unwrap_or_else(|_| unreachable!("a computed check digit is always valid"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn demo_is_deterministic_valid_and_unique() {
        let a: Vec<Product> = DemoProducts::new(7, 500, vec![]).collect();
        let b: Vec<Product> = DemoProducts::new(7, 500, vec![]).collect();
        assert_eq!(a.len(), 500);
        assert_eq!(
            a.iter().map(|p| &p.sku).collect::<Vec<_>>(),
            b.iter().map(|p| &p.sku).collect::<Vec<_>>()
        );
        let skus: std::collections::HashSet<_> = a.iter().map(|p| &p.sku).collect();
        assert_eq!(skus.len(), 500);
        assert!(a.iter().all(|p| p.validate().is_ok()));
        assert!(a.iter().any(|p| p.variant_group.is_some()));
        assert!(a.iter().any(|p| p.name.starts_with("Кроссовки")));
    }
}
