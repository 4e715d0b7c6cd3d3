//! Suggests a mapping from column headers, Russian or English, ignoring case, spaces and
//! punctuation. The most specific match wins ("Вес брутто, кг" over "Вес, г" for the weight),
//! each catalog field is used once, and whatever is left becomes a characteristic.

use super::{FieldMapping, MappingProfile, Target};
use crate::normalize::{Unit, parse_currency, split_header_unit};

/// One suggested mapping with how sure we are (0–100).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Suggestion {
    pub mapping: FieldMapping,
    /// 95: the header is a known name for the field; 70: it contains one; 50: a weak guess
    /// ("ID" as the SKU); 40: left over, kept as a characteristic.
    pub confidence: u8,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Mode {
    /// The whole header (without its unit) is the phrase.
    Exact,
    /// The header is the phrase, but a weak hint ("ID").
    Weak,
    /// The phrase appears as whole words; a pattern word of four letters or more also matches
    /// a longer word it starts ("закупочн" → "закупочная").
    Words,
}

use Mode::{Exact, Weak, Words};
use Target as T;

const PATTERNS: &[(&str, Target, Mode)] = &[
    // SKU
    ("артикул", T::Sku, Exact),
    ("артикул товара", T::Sku, Exact),
    ("артикул поставщика", T::Sku, Exact),
    ("арт", T::Sku, Exact),
    ("код товара", T::Sku, Exact),
    ("код", T::Sku, Exact),
    ("код поставщика", T::Sku, Exact),
    ("sku", T::Sku, Exact),
    ("vendor code", T::Sku, Exact),
    ("vendorcode", T::Sku, Exact),
    ("article", T::Sku, Exact),
    ("art", T::Sku, Exact),
    ("product code", T::Sku, Exact),
    ("item code", T::Sku, Exact),
    ("offer id", T::Sku, Exact),
    ("id", T::Sku, Weak),
    ("артикул", T::Sku, Words),
    ("sku", T::Sku, Words),
    // Name
    ("наименование", T::Name, Exact),
    ("наименование товара", T::Name, Exact),
    ("название", T::Name, Exact),
    ("название товара", T::Name, Exact),
    ("номенклатура", T::Name, Exact),
    ("товар", T::Name, Exact),
    ("name", T::Name, Exact),
    ("title", T::Name, Exact),
    ("product", T::Name, Exact),
    ("product name", T::Name, Exact),
    ("item name", T::Name, Exact),
    ("наименование", T::Name, Words),
    ("название", T::Name, Words),
    ("typeprefix", T::TypePrefix, Exact),
    ("type prefix", T::TypePrefix, Exact),
    // Description
    ("описание", T::Description, Exact),
    ("описание товара", T::Description, Exact),
    ("подробное описание", T::Description, Exact),
    ("description", T::Description, Exact),
    ("desc", T::Description, Exact),
    ("описание", T::Description, Words),
    ("description", T::Description, Words),
    // Brand
    ("бренд", T::Brand, Exact),
    ("производитель", T::Brand, Exact),
    ("изготовитель", T::Brand, Exact),
    ("марка", T::Brand, Exact),
    ("торговая марка", T::Brand, Exact),
    ("brand", T::Brand, Exact),
    ("vendor", T::Brand, Exact),
    ("manufacturer", T::Brand, Exact),
    ("бренд", T::Brand, Words),
    ("brand", T::Brand, Words),
    ("производитель", T::Brand, Words),
    // Model
    ("модель", T::Model, Exact),
    ("model", T::Model, Exact),
    ("артикул производителя", T::Model, Exact),
    ("код производителя", T::Model, Exact),
    ("партномер", T::Model, Exact),
    ("part number", T::Model, Exact),
    ("mpn", T::Model, Exact),
    // Category
    ("категория", T::Category, Exact),
    ("категория товара", T::Category, Exact),
    ("раздел", T::Category, Exact),
    ("группа товаров", T::Category, Exact),
    ("путь категории", T::Category, Exact),
    ("каталог", T::Category, Exact),
    ("category", T::Category, Exact),
    ("section", T::Category, Exact),
    ("категория", T::Category, Words),
    ("category", T::Category, Words),
    ("id категории", T::CategoryId, Exact),
    ("категория id", T::CategoryId, Exact),
    ("код категории", T::CategoryId, Exact),
    ("номер категории", T::CategoryId, Exact),
    ("category id", T::CategoryId, Exact),
    ("categoryid", T::CategoryId, Exact),
    // Prices
    ("цена", T::Price, Exact),
    ("розница", T::Price, Exact),
    ("розничная цена", T::Price, Exact),
    ("цена розничная", T::Price, Exact),
    ("цена розница", T::Price, Exact),
    ("цена продажи", T::Price, Exact),
    ("рекомендованная розничная цена", T::Price, Exact),
    ("ррц", T::Price, Exact),
    ("мрц", T::Price, Exact),
    ("стоимость", T::Price, Exact),
    ("price", T::Price, Exact),
    ("retail price", T::Price, Exact),
    ("retail", T::Price, Exact),
    ("цена", T::Price, Words),
    ("розничн", T::Price, Words),
    ("ррц", T::Price, Words),
    ("price", T::Price, Words),
    ("закупка", T::Cost, Exact),
    ("закупочная цена", T::Cost, Exact),
    ("цена закупки", T::Cost, Exact),
    ("цена закупочная", T::Cost, Exact),
    ("опт", T::Cost, Exact),
    ("оптовая цена", T::Cost, Exact),
    ("цена опт", T::Cost, Exact),
    ("цена оптовая", T::Cost, Exact),
    ("себестоимость", T::Cost, Exact),
    ("входная цена", T::Cost, Exact),
    ("цена поставщика", T::Cost, Exact),
    ("дилерская цена", T::Cost, Exact),
    ("cost", T::Cost, Exact),
    ("purchase", T::Cost, Exact),
    ("purchase price", T::Cost, Exact),
    ("wholesale", T::Cost, Exact),
    ("wholesale price", T::Cost, Exact),
    ("закупочн", T::Cost, Words),
    ("закупк", T::Cost, Words),
    ("оптов", T::Cost, Words),
    ("опт", T::Cost, Words),
    ("дилер", T::Cost, Words),
    ("cost", T::Cost, Words),
    ("purchase", T::Cost, Words),
    ("wholesale", T::Cost, Words),
    ("старая цена", T::OldPrice, Exact),
    ("цена до скидки", T::OldPrice, Exact),
    ("цена без скидки", T::OldPrice, Exact),
    ("зачеркнутая цена", T::OldPrice, Exact),
    ("прежняя цена", T::OldPrice, Exact),
    ("oldprice", T::OldPrice, Exact),
    ("old price", T::OldPrice, Exact),
    ("compare at price", T::OldPrice, Exact),
    ("старая цена", T::OldPrice, Words),
    ("old price", T::OldPrice, Words),
    ("валюта", T::Currency, Exact),
    ("код валюты", T::Currency, Exact),
    ("currency", T::Currency, Exact),
    ("currency id", T::Currency, Exact),
    ("currencyid", T::Currency, Exact),
    ("валюта", T::Currency, Words),
    // Stock
    ("остаток", T::Stock, Exact),
    ("остатки", T::Stock, Exact),
    ("остаток на складе", T::Stock, Exact),
    ("свободный остаток", T::Stock, Exact),
    ("количество", T::Stock, Exact),
    ("количество на складе", T::Stock, Exact),
    ("кол во", T::Stock, Exact),
    ("на складе", T::Stock, Exact),
    ("склад", T::Stock, Exact),
    ("наличие шт", T::Stock, Exact),
    ("доступно", T::Stock, Exact),
    ("stock", T::Stock, Exact),
    ("qty", T::Stock, Exact),
    ("quantity", T::Stock, Exact),
    ("count", T::Stock, Exact),
    ("amount", T::Stock, Exact),
    ("остат", T::Stock, Words),
    ("stock", T::Stock, Words),
    ("qty", T::Stock, Words),
    ("quantity", T::Stock, Words),
    ("в наличии", T::Available, Exact),
    ("есть в наличии", T::Available, Exact),
    ("наличие", T::Available, Exact),
    ("статус наличия", T::Available, Exact),
    ("доступность", T::Available, Exact),
    ("available", T::Available, Exact),
    ("availability", T::Available, Exact),
    ("in stock", T::Available, Exact),
    ("наличи", T::Available, Words),
    // Barcode
    ("штрихкод", T::Barcode, Exact),
    ("штрихкоды", T::Barcode, Exact),
    ("штрих код", T::Barcode, Exact),
    ("штрих коды", T::Barcode, Exact),
    ("ean", T::Barcode, Exact),
    ("ean13", T::Barcode, Exact),
    ("ean 13", T::Barcode, Exact),
    ("gtin", T::Barcode, Exact),
    ("upc", T::Barcode, Exact),
    ("barcode", T::Barcode, Exact),
    ("штрихкод", T::Barcode, Words),
    ("штрих код", T::Barcode, Words),
    ("barcode", T::Barcode, Words),
    ("ean", T::Barcode, Words),
    ("gtin", T::Barcode, Words),
    // Images
    ("изображения", T::Images, Exact),
    ("изображение", T::Images, Exact),
    ("фото", T::Images, Exact),
    ("фотографии", T::Images, Exact),
    ("фотография", T::Images, Exact),
    ("картинки", T::Images, Exact),
    ("картинка", T::Images, Exact),
    ("ссылки на фото", T::Images, Exact),
    ("ссылка на фото", T::Images, Exact),
    ("ссылки на изображения", T::Images, Exact),
    ("images", T::Images, Exact),
    ("image", T::Images, Exact),
    ("image url", T::Images, Exact),
    ("picture", T::Images, Exact),
    ("pictures", T::Images, Exact),
    ("photo", T::Images, Exact),
    ("photos", T::Images, Exact),
    ("изображени", T::Images, Words),
    ("фото", T::Images, Words),
    ("картинк", T::Images, Words),
    ("image", T::Images, Words),
    ("picture", T::Images, Words),
    ("photo", T::Images, Words),
    // Weight and sizes
    ("вес", T::Weight, Exact),
    ("вес брутто", T::Weight, Exact),
    ("вес нетто", T::Weight, Exact),
    ("вес товара", T::Weight, Exact),
    ("вес упаковки", T::Weight, Exact),
    ("вес с упаковкой", T::Weight, Exact),
    ("масса", T::Weight, Exact),
    ("weight", T::Weight, Exact),
    ("gross weight", T::Weight, Exact),
    ("net weight", T::Weight, Exact),
    ("вес", T::Weight, Words),
    ("масса", T::Weight, Words),
    ("weight", T::Weight, Words),
    ("габариты", T::Dimensions, Exact),
    ("габариты упаковки", T::Dimensions, Exact),
    ("габариты товара", T::Dimensions, Exact),
    ("габаритные размеры", T::Dimensions, Exact),
    ("размеры", T::Dimensions, Exact),
    ("размеры упаковки", T::Dimensions, Exact),
    ("dimensions", T::Dimensions, Exact),
    ("габарит", T::Dimensions, Words),
    ("dimensions", T::Dimensions, Words),
    ("длина", T::Length, Exact),
    ("длина упаковки", T::Length, Exact),
    ("length", T::Length, Exact),
    ("ширина", T::Width, Exact),
    ("ширина упаковки", T::Width, Exact),
    ("width", T::Width, Exact),
    ("высота", T::Height, Exact),
    ("высота упаковки", T::Height, Exact),
    ("height", T::Height, Exact),
    // Variants and packs
    ("id группы", T::VariantGroup, Exact),
    ("код группы", T::VariantGroup, Exact),
    ("группа вариантов", T::VariantGroup, Exact),
    ("артикул группы", T::VariantGroup, Exact),
    ("родительский артикул", T::VariantGroup, Exact),
    ("group id", T::VariantGroup, Exact),
    ("groupid", T::VariantGroup, Exact),
    ("parent sku", T::VariantGroup, Exact),
    ("parent id", T::VariantGroup, Exact),
    ("group id", T::VariantGroup, Words),
    ("кратность", T::PackUnits, Exact),
    ("кратность отгрузки", T::PackUnits, Exact),
    ("в упаковке", T::PackUnits, Exact),
    ("штук в упаковке", T::PackUnits, Exact),
    ("шт в упаковке", T::PackUnits, Exact),
    ("количество в упаковке", T::PackUnits, Exact),
    ("кол во в упаковке", T::PackUnits, Exact),
    ("pack size", T::PackUnits, Exact),
    ("sold by", T::PackUnits, Exact),
    ("units per pack", T::PackUnits, Exact),
    ("кратност", T::PackUnits, Words),
    ("в упаковке", T::PackUnits, Words),
    // Characteristics whose names contain a field word ("Страна-производитель").
    ("страна производитель", T::Attribute, Exact),
    ("страна производства", T::Attribute, Exact),
    ("страна изготовитель", T::Attribute, Exact),
    ("цена за единицу", T::Attribute, Exact),
    // Never imported.
    ("ссылка", T::Ignore, Exact),
    ("ссылка на товар", T::Ignore, Exact),
    ("url", T::Ignore, Exact),
    ("link", T::Ignore, Exact),
    ("product url", T::Ignore, Exact),
];

/// Left-over headers that are bookkeeping, not characteristics.
const IGNORED_LEFTOVERS: [&str; 8] = ["", "id", "n", "no", "номер", "п п", "nn", "ид"];

/// Lowercases, folds ё, splits camelCase and turns punctuation into single spaces:
/// "Кол-во, шт" → ("кол во", Some("шт")), "vendorCode" → "vendor code".
fn normalize_header(header: &str) -> (String, Option<&str>) {
    let (name, unit) = split_header_unit(header);
    let mut out = String::with_capacity(name.len());
    let mut prev_lower = false;
    for c in name.chars() {
        if c.is_alphanumeric() {
            if c.is_uppercase() && prev_lower {
                out.push(' ');
            }
            prev_lower = c.is_lowercase();
            for l in c.to_lowercase() {
                out.push(if l == 'ё' { 'е' } else { l });
            }
        } else {
            prev_lower = false;
            if !out.is_empty() && !out.ends_with(' ') {
                out.push(' ');
            }
        }
    }
    let trimmed = out.trim_end().len();
    out.truncate(trimmed);
    (out, unit)
}

fn words_match(header: &str, phrase: &str) -> bool {
    let hw: Vec<&str> = header.split(' ').collect();
    let pw: Vec<&str> = phrase.split(' ').collect();
    if pw.len() > hw.len() {
        return false;
    }
    hw.windows(pw.len())
        .any(|win| win.iter().zip(&pw).all(|(h, p)| h == p || (p.chars().count() >= 4 && h.starts_with(p))))
}

/// Suggestions for every header, in header order, with confidence.
pub fn suggest_with_confidence(headers: &[&str]) -> Vec<Suggestion> {
    let normalized: Vec<(String, Option<&str>)> = headers.iter().map(|h| normalize_header(h)).collect();
    // (score, header, target, confidence); exact names outrank contained words, longer
    // phrases outrank shorter ones.
    let mut candidates: Vec<(u32, usize, Target, u8)> = Vec::new();
    for (i, (name, _)) in normalized.iter().enumerate() {
        for &(phrase, target, mode) in PATTERNS {
            let len = phrase.chars().count() as u32;
            let hit = match mode {
                Exact => (name == phrase).then_some((1000 + len, 95)),
                Weak => (name == phrase).then_some((200 + len, 50)),
                Words => words_match(name, phrase).then_some((500 + len, 70)),
            };
            if let Some((score, confidence)) = hit {
                candidates.push((score, i, target, confidence));
            }
        }
    }
    candidates.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
    let mut chosen: Vec<Option<(Target, u8)>> = vec![None; headers.len()];
    let mut used = [false; Target::ALL.len()];
    for (_, i, target, confidence) in candidates {
        if chosen[i].is_some() || (!target.is_multi() && used[target.index()]) {
            continue;
        }
        chosen[i] = Some((target, confidence));
        used[target.index()] = true;
    }
    // A combined size column describes the package; separate "Высота, см" columns next to it
    // describe the product itself and stay characteristics.
    if used[Target::Dimensions.index()] {
        for c in chosen.iter_mut() {
            if matches!(c, Some((Target::Length | Target::Width | Target::Height, _))) {
                *c = None;
            }
        }
    }
    headers
        .iter()
        .zip(normalized)
        .zip(chosen)
        .map(|((header, (name, unit)), choice)| {
            let (target, confidence) = choice.unwrap_or_else(|| {
                if IGNORED_LEFTOVERS.contains(&name.as_str()) {
                    (Target::Ignore, 60)
                } else {
                    (Target::Attribute, 40)
                }
            });
            let mut mapping = FieldMapping::new(header, target);
            if let Some(q) = target.quantity()
                && let Some(u) = unit.filter(|u| Unit::parse(u).is_some_and(|p| p.quantity == q))
            {
                mapping.unit = Some(u.to_owned());
            }
            Suggestion { mapping, confidence }
        })
        .collect()
}

/// A mapping profile for these headers. The price columns' unit ("Цена, руб.") sets the
/// profile's currency when it names one.
pub fn suggest(headers: &[&str]) -> MappingProfile {
    let suggestions = suggest_with_confidence(headers);
    let currency = suggestions
        .iter()
        .filter(|s| matches!(s.mapping.target, Target::Price | Target::Cost))
        .filter_map(|s| split_header_unit(&s.mapping.source).1)
        .find_map(parse_currency)
        .map(|c| c.to_string());
    MappingProfile {
        fields: suggestions.into_iter().map(|s| s.mapping).collect(),
        currency,
        ..Default::default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rstest::rstest;

    fn target_of(headers: &[&str], header: &str) -> Target {
        suggest(headers).fields.iter().find(|f| f.source == header).map(|f| f.target).unwrap()
    }

    #[rstest]
    #[case("Артикул", Target::Sku)]
    #[case("артикул ", Target::Sku)]
    #[case("SKU", Target::Sku)]
    #[case("vendorCode", Target::Sku)]
    #[case("Код товара", Target::Sku)]
    #[case("Наименование", Target::Name)]
    #[case("Название товара", Target::Name)]
    #[case("Title", Target::Name)]
    #[case("Цена, руб.", Target::Price)]
    #[case("Розничная цена", Target::Price)]
    #[case("РРЦ", Target::Price)]
    #[case("Price", Target::Price)]
    #[case("Закупочная цена, руб", Target::Cost)]
    #[case("Цена опт.", Target::Cost)]
    #[case("Оптовая цена", Target::Cost)]
    #[case("purchase_price", Target::Cost)]
    #[case("Старая цена, руб.", Target::OldPrice)]
    #[case("oldprice", Target::OldPrice)]
    #[case("Остаток", Target::Stock)]
    #[case("Кол-во", Target::Stock)]
    #[case("Количество, шт", Target::Stock)]
    #[case("QTY", Target::Stock)]
    #[case("Штрихкод", Target::Barcode)]
    #[case("Штрих-код", Target::Barcode)]
    #[case("EAN-13", Target::Barcode)]
    #[case("GTIN", Target::Barcode)]
    #[case("Производитель", Target::Brand)]
    #[case("Бренд", Target::Brand)]
    #[case("Manufacturer", Target::Brand)]
    #[case("Категория", Target::Category)]
    #[case("Раздел", Target::Category)]
    #[case("ID категории", Target::CategoryId)]
    #[case("categoryId", Target::CategoryId)]
    #[case("Описание", Target::Description)]
    #[case("Изображения", Target::Images)]
    #[case("Фото", Target::Images)]
    #[case("Ссылки на фото", Target::Images)]
    #[case("Вес брутто, кг", Target::Weight)]
    #[case("Масса, г", Target::Weight)]
    #[case("Габариты (ДxШxВ), см", Target::Dimensions)]
    #[case("Длина, см", Target::Length)]
    #[case("Ширина", Target::Width)]
    #[case("Высота, мм", Target::Height)]
    #[case("Кратность", Target::PackUnits)]
    #[case("В упаковке, шт", Target::PackUnits)]
    #[case("ID группы", Target::VariantGroup)]
    #[case("group_id", Target::VariantGroup)]
    #[case("Валюта", Target::Currency)]
    #[case("В наличии", Target::Available)]
    #[case("Наличие", Target::Available)]
    #[case("Модель", Target::Model)]
    #[case("Цвет", Target::Attribute)]
    #[case("Страна-производитель", Target::Attribute)]
    #[case("Количество скоростей, шт", Target::Attribute)]
    #[case("Высота подошвы, мм", Target::Attribute)]
    #[case("Размер", Target::Attribute)]
    #[case("Ссылка", Target::Ignore)]
    #[case("№", Target::Ignore)]
    fn single_headers(#[case] header: &str, #[case] target: Target) {
        assert_eq!(target_of(&[header], header), target, "{header}");
    }

    const GENERATED_CSV: &str = "ID;Артикул;Наименование;Производитель;Штрихкод;ID категории;Категория;Цена, руб.;\
Старая цена, руб.;Валюта;Остаток;В наличии;ID группы;Ссылка;Изображения;Вес брутто, кг;Габариты (ДxШxВ), см;\
Описание;Размер;Материал верха;Сезон;Вес, г;Объем флакона, мл;Высота, см;Ширина, см;Глубина, см;Страна производства";

    #[test]
    fn the_generated_price_list_maps_completely() {
        let headers: Vec<&str> = GENERATED_CSV.split(';').collect();
        let profile = suggest(&headers);
        let t = |h: &str| target_of(&headers, h);
        assert_eq!(t("ID"), Target::Ignore, "«Артикул» is the better SKU");
        assert_eq!(t("Артикул"), Target::Sku);
        assert_eq!(t("Наименование"), Target::Name);
        assert_eq!(t("Производитель"), Target::Brand);
        assert_eq!(t("Штрихкод"), Target::Barcode);
        assert_eq!(t("ID категории"), Target::CategoryId);
        assert_eq!(t("Категория"), Target::Category);
        assert_eq!(t("Цена, руб."), Target::Price);
        assert_eq!(t("Старая цена, руб."), Target::OldPrice);
        assert_eq!(t("Валюта"), Target::Currency);
        assert_eq!(t("Остаток"), Target::Stock);
        assert_eq!(t("В наличии"), Target::Available);
        assert_eq!(t("ID группы"), Target::VariantGroup);
        assert_eq!(t("Ссылка"), Target::Ignore);
        assert_eq!(t("Изображения"), Target::Images);
        assert_eq!(t("Вес брутто, кг"), Target::Weight);
        assert_eq!(t("Вес, г"), Target::Attribute, "the gross weight already took the weight");
        assert_eq!(t("Габариты (ДxШxВ), см"), Target::Dimensions);
        assert_eq!(t("Высота, см"), Target::Attribute, "the package size is in «Габариты»");
        assert_eq!(t("Ширина, см"), Target::Attribute);
        assert_eq!(t("Описание"), Target::Description);
        assert_eq!(t("Размер"), Target::Attribute);
        assert_eq!(t("Объем флакона, мл"), Target::Attribute);
        assert_eq!(t("Страна производства"), Target::Attribute);
        assert_eq!(profile.currency.as_deref(), Some("RUB"));
        let weight = profile.fields.iter().find(|f| f.target == Target::Weight).unwrap();
        assert_eq!(weight.unit.as_deref(), Some("кг"));
        assert_eq!(profile.validate(&headers), Ok(()));
    }

    #[test]
    fn each_field_is_used_once_and_the_most_specific_wins() {
        let headers = ["Цена", "Цена закупки", "Розничная цена", "Вес", "Вес нетто", "Вес брутто"];
        let profile = suggest(&headers);
        let targets: Vec<Target> = profile.fields.iter().map(|f| f.target).collect();
        assert_eq!(
            targets,
            [
                Target::Attribute,
                Target::Cost,
                Target::Price,
                Target::Attribute,
                Target::Attribute,
                Target::Weight
            ]
        );
    }

    #[test]
    fn confidence_reflects_the_kind_of_match() {
        let s = suggest_with_confidence(&["Артикул", "Цена розничная, руб", "ID", "Цвет"]);
        assert_eq!(s.iter().map(|s| s.confidence).collect::<Vec<_>>(), [95, 95, 60, 40]);
        assert_eq!(suggest_with_confidence(&["ID", "Наименование"])[0].confidence, 50, "a weak SKU guess");
        let s = suggest_with_confidence(&["Цена со скидкой"]);
        assert_eq!((s[0].mapping.target, s[0].confidence), (Target::Price, 70));
    }

    #[rstest]
    #[case("Кол-во, шт", "кол во", Some("шт"))]
    #[case("vendorCode", "vendor code", None)]
    #[case("Штрих-код (EAN)", "штрих код ean", None)]
    #[case("Объём", "объем", None)]
    fn headers_are_normalized(#[case] header: &str, #[case] name: &str, #[case] unit: Option<&str>) {
        assert_eq!(normalize_header(header), (name.to_owned(), unit));
    }
}
