//! `mp categories` (the marketplace's tree, refreshed on request) and `mp map` (the seller's
//! categories and a category's attributes onto the marketplace's, by hand or `--auto`).

use std::collections::BTreeMap;

use vitrina_app::ipc::{AttrMapDto, CategoryMapDto};
use vitrina_app::secrets::Secrets;
use vitrina_app::{App, AppError};

use crate::args::Cli;
use crate::output::{Outcome, json, print, table};

/// Categories listed in a table (all with `--json`).
const TABLE_ROWS: usize = 100;

pub fn categories(
    app: &App,
    secrets: &Secrets,
    account: &str,
    search: &str,
    refresh: bool,
    cli: &Cli,
) -> Outcome {
    if refresh {
        let r = app.refresh_market_dictionaries(account, secrets, None, &|| false)?;
        if !cli.json {
            print(format!(
                "{}: {} categories ({} leaves) fetched; attributes of {} mapped categories refreshed.",
                r.account, r.categories, r.leaves, r.refreshed
            ));
        }
    }
    let list = app.market_categories(account, search, !search.is_empty(), 0)?;
    if cli.json {
        return json(&list);
    }
    if list.is_empty() {
        print(if search.is_empty() {
            format!("No categories cached yet: vitrina mp categories {account:?} --refresh")
        } else {
            format!("No leaf category matches {search:?}.")
        });
        return Ok(());
    }
    let mut t = table(&["Id", "Category", "Leaf"]);
    for c in list.iter().take(TABLE_ROWS) {
        t.add_row(vec![c.ext_id.clone(), c.path.clone(), if c.leaf { "yes" } else { "" }.into()]);
    }
    print(t);
    if list.len() > TABLE_ROWS {
        print(format!("… and {} more: narrow with a search word, or --json.", list.len() - TABLE_ROWS));
    }
    Ok(())
}

/// What `mp map` was asked to do.
pub struct MapArgs<'a> {
    pub auto: bool,
    /// The seller's category (path or id) and the marketplace category id (`none` unmaps).
    pub category: Option<(&'a str, &'a str)>,
    /// A marketplace category whose attributes to show or set.
    pub attributes_of: Option<&'a str>,
    /// `attr_id=source` pairs (`85=field:brand`, `10096=attr:Цвет`, `4389=const:Россия`,
    /// `4389=` removes).
    pub set: &'a [String],
    /// `mine=theirs` dictionary value pairs for the one attribute set.
    pub values: &'a [String],
}

pub fn map(app: &App, secrets: &Secrets, account: &str, args: &MapArgs, cli: &Cli) -> Outcome {
    if args.auto {
        let r = app.auto_map_market(account, secrets, None)?;
        if cli.json {
            return json(&r);
        }
        print(format!(
            "{}: {} categories mapped ({} kept as they were), {} attributes mapped.",
            r.account, r.categories_mapped, r.categories_kept, r.attributes_mapped
        ));
        for c in &r.categories_unmapped {
            print(format!(
                "  no sure match for {c:?}: choose with vitrina mp map {account:?} --category {c:?} --to ID"
            ));
        }
        if r.required_unmapped > 0 {
            print(format!(
                "  {} required attributes have no source yet: vitrina mp map {account:?} --attributes CATEGORY_ID",
                r.required_unmapped
            ));
        }
        return Ok(());
    }
    if let Some((mine, theirs)) = args.category {
        let ext = (!matches!(theirs.trim(), "" | "none")).then_some(theirs.trim());
        let row = app.set_market_category(account, mine, ext, secrets, None)?;
        return category_rows(&[row], cli);
    }
    if let Some(ext) = args.attributes_of {
        let mut rows = app.market_attributes(account, ext)?;
        for pair in args.set {
            let (attr, source) = pair
                .split_once('=')
                .ok_or_else(|| AppError::invalid(format!("{pair:?}: write ATTRIBUTE_ID=SOURCE")))?;
            let values = pairs(args.values)?;
            let source = (!source.trim().is_empty()).then_some(source.trim());
            rows = app.set_market_attribute(account, ext, attr.trim(), source, None, &values)?;
        }
        return attribute_rows(&rows, cli);
    }
    category_rows(&app.market_category_map(account)?, cli)
}

fn pairs(list: &[String]) -> Result<BTreeMap<String, String>, AppError> {
    list.iter()
        .map(|p| {
            p.split_once('=')
                .map(|(a, b)| (a.trim().to_owned(), b.trim().to_owned()))
                .ok_or_else(|| AppError::invalid(format!("{p:?}: write YOUR_VALUE=DICTIONARY_VALUE")))
        })
        .collect()
}

fn category_rows(rows: &[CategoryMapDto], cli: &Cli) -> Outcome {
    if cli.json {
        return json(&rows);
    }
    let mut t = table(&["Your category", "Products", "Marketplace category", "Suggestion"]);
    for r in rows {
        t.add_row(vec![
            r.path.clone(),
            r.products.to_string(),
            match (&r.ext_id, &r.ext_path) {
                (Some(id), Some(path)) => format!("{path} ({id})"),
                _ => "—".into(),
            },
            r.suggestion
                .as_ref()
                .map(|s| format!("{} ({}){}", s.path, s.ext_id, if s.confident { "" } else { " ?" }))
                .unwrap_or_default(),
        ]);
    }
    print(t);
    Ok(())
}

fn attribute_rows(rows: &[AttrMapDto], cli: &Cli) -> Outcome {
    if cli.json {
        return json(&rows);
    }
    let mut t = table(&["Id", "Attribute", "Kind", "Required", "Filled from", "Suggestion"]);
    for a in rows {
        t.add_row(vec![
            a.attr_id.clone(),
            match &a.unit {
                Some(u) => format!("{}, {u}", a.name),
                None => a.name.clone(),
            },
            if a.closed {
                format!("{} (dictionary of {})", a.kind, a.dictionary_size)
            } else {
                a.kind.clone()
            },
            if a.required { "yes" } else { "" }.into(),
            a.source.clone().unwrap_or_else(|| "—".into()),
            a.suggestion
                .clone()
                .map(|s| if a.suggestion_confident { s } else { format!("{s} ?") })
                .unwrap_or_default(),
        ]);
    }
    print(t);
    Ok(())
}
