//! A catalog row made into what one profile publishes: its prices, its title and description,
//! its link. One [`ItemMaker`] per profile, reusing one [`FeedItem`] from row to row.

use vitrina_formats::write::{FeedHeader, FeedItem, FeedParam};
use vitrina_store::export::ExportRow;

use crate::profile::{DescriptionSource, FeedFormat, FeedProfile};

#[derive(Debug)]
pub(crate) struct ItemMaker {
    profile: FeedProfile,
    item: FeedItem,
    /// Strings the last rows did not need (fewer pictures, parameters, units), for the next.
    spare: Vec<String>,
}

impl ItemMaker {
    pub(crate) fn new(profile: &FeedProfile) -> ItemMaker {
        ItemMaker { profile: profile.clone(), item: FeedItem::default(), spare: Vec::new() }
    }

    /// The item `row` becomes under this profile.
    pub(crate) fn make(&mut self, row: &ExportRow, header: &FeedHeader) -> &FeedItem {
        let s = &self.profile.settings;
        let item = &mut self.item;
        let (price, old_price) = s.prices.apply(row.price, row.old_price);
        item.sku.clone_from(&row.sku);
        item.brand.clone_from(&row.brand);
        item.model.clone_from(&row.model);
        // A YML header ends with the fallback category (`header::fallback_category`).
        let fallback =
            || header.categories.last().map(|c| c.id).filter(|_| self.profile.format == FeedFormat::Yml);
        item.category_id = row.category.or_else(fallback);
        item.group_id = row.group;
        item.price_minor = price;
        item.old_price_minor = old_price;
        item.stock = row.stock;
        item.weight_g = row.weight_g;
        item.dimensions_mm = row.dimensions_mm;
        // The item's strings are refilled, and those a row does not need are kept for the next
        // that does: no allocation per row once they have grown.
        let spare = &mut self.spare;
        copy_list(&mut item.pictures, &row.images, spare);
        copy_list(&mut item.barcodes, &row.barcodes, spare);
        if item.params.len() > row.attributes.len() {
            for p in item.params.drain(row.attributes.len()..) {
                spare.extend([p.name, p.value]);
                spare.extend(p.unit);
            }
        }
        for (i, a) in row.attributes.iter().enumerate() {
            if i == item.params.len() {
                let (name, value) = (spare.pop().unwrap_or_default(), spare.pop().unwrap_or_default());
                item.params.push(FeedParam { name, value, unit: None });
            }
            let p = &mut item.params[i];
            p.name.clone_from(&a.name);
            p.value.clone_from(&a.value);
            match (&a.unit, &mut p.unit) {
                (Some(unit), Some(kept)) => kept.clone_from(unit),
                (Some(unit), kept @ None) => {
                    let mut s = spare.pop().unwrap_or_default();
                    s.clone_from(unit);
                    *kept = Some(s);
                }
                (None, kept) => spare.extend(kept.take()),
            }
        }
        if s.fields.name_template.trim().is_empty() {
            item.name.clone_from(&row.name);
        } else {
            item.name = fill_template(&s.fields.name_template, row, header);
        }
        match s.fields.description {
            DescriptionSource::Catalog => item.description.clone_from(&row.description),
            DescriptionSource::CatalogOrCharacteristics if !row.description.trim().is_empty() => {
                item.description.clone_from(&row.description)
            }
            DescriptionSource::Characteristics | DescriptionSource::CatalogOrCharacteristics => {
                item.description = characteristics_html(&item.params)
            }
            DescriptionSource::None => item.description.clear(),
        }
        item.url = (!s.fields.url_template.trim().is_empty())
            .then(|| fill_template(&s.fields.url_template, row, header));
        item
    }
}

/// `out` made a copy of `from`, reusing its strings and `spare` ones; strings left over go to
/// `spare`.
fn copy_list(out: &mut Vec<String>, from: &[String], spare: &mut Vec<String>) {
    if out.len() > from.len() {
        spare.extend(out.drain(from.len()..));
    }
    for (i, s) in from.iter().enumerate() {
        match out.get_mut(i) {
            Some(kept) => kept.clone_from(s),
            None => {
                let mut fresh = spare.pop().unwrap_or_default();
                fresh.clone_from(s);
                out.push(fresh);
            }
        }
    }
}

/// `template` with `{name}`, `{brand}`, `{model}`, `{sku}`, `{category}` and `{param:NAME}`
/// filled from `row`; unknown placeholders stay as written, empty values leave no double
/// spaces behind.
pub(crate) fn fill_template(template: &str, row: &ExportRow, header: &FeedHeader) -> String {
    let mut out = String::with_capacity(template.len() + row.name.len());
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let Some(close) = rest[open..].find('}') else {
            out.push_str(&rest[open..]);
            rest = "";
            break;
        };
        let key = &rest[open + 1..open + close];
        match key {
            "name" => out.push_str(&row.name),
            "brand" => out.push_str(&row.brand),
            "model" => out.push_str(&row.model),
            "sku" => out.push_str(&row.sku),
            "category" => {
                if let Some(c) = row.category.and_then(|id| header.category(id)) {
                    out.push_str(&c.name);
                }
            }
            _ => match key.strip_prefix("param:") {
                Some(name) => {
                    let wanted = name.trim().to_lowercase();
                    if let Some(a) = row.attributes.iter().find(|a| a.name.to_lowercase() == wanted) {
                        out.push_str(&a.value);
                    }
                }
                None => out.push_str(&rest[open..=open + close]),
            },
        }
        rest = &rest[open + close + 1..];
    }
    out.push_str(rest);
    out.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The characteristics as an HTML list: `<ul><li>Цвет: красный</li>…</ul>`.
fn characteristics_html(params: &[FeedParam]) -> String {
    if params.is_empty() {
        return String::new();
    }
    let mut out = String::from("<ul>");
    for p in params {
        out.push_str("<li>");
        push_html_text(&mut out, &p.name);
        out.push_str(": ");
        push_html_text(&mut out, &p.value);
        if let Some(unit) = p.unit.as_deref().filter(|u| !u.is_empty()) {
            out.push(' ');
            push_html_text(&mut out, unit);
        }
        out.push_str("</li>");
    }
    out.push_str("</ul>");
    out
}

fn push_html_text(out: &mut String, s: &str) {
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            c => out.push(c),
        }
    }
}

#[cfg(test)]
mod tests {
    use vitrina_domain::Attribute;
    use vitrina_formats::write::FeedCategory;

    use super::*;
    use crate::profile::FeedFormat;

    fn row() -> ExportRow {
        ExportRow {
            sku: "A-1".into(),
            name: "Кроссовки Ветер".into(),
            brand: "Nike".into(),
            category: Some(7),
            price: 100_000,
            attributes: vec![Attribute {
                name: "Цвет".into(), value: "красный".into(), unit: None
            }],
            ..Default::default()
        }
    }

    #[test]
    fn templates_fill_names_and_links() {
        let header = FeedHeader {
            categories: vec![FeedCategory { id: 7, parent: None, name: "Обувь".into() }],
            ..Default::default()
        };
        assert_eq!(
            fill_template("{brand} {name}, {param:цвет}", &row(), &header),
            "Nike Кроссовки Ветер, красный"
        );
        assert_eq!(
            fill_template("{category} {model} {name} {unknown}", &row(), &header),
            "Обувь Кроссовки Ветер {unknown}"
        );
        assert_eq!(fill_template("https://s.example/p/{sku}", &row(), &header), "https://s.example/p/A-1");
    }

    #[test]
    fn description_falls_back_to_characteristics() {
        let mut profile = FeedProfile::new("x", FeedFormat::Yml, "feed.xml".into());
        profile.settings.prices.markup_bp = 1_000;
        let mut maker = ItemMaker::new(&profile);
        let item = maker.make(&row(), &FeedHeader::default());
        assert_eq!(item.description, "<ul><li>Цвет: красный</li></ul>");
        assert_eq!(item.price_minor, 110_000);
        assert_eq!(item.url, None);
    }
}
