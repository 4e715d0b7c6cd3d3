//! Catalog commands: init, demo, products, categories, stats.

use std::path::Path;

use vitrina_app::ipc::{
    CategoryDto, CorrectionDto, FilterDto, HistoryEntryDto, LinkDto, ProductDto, ProductRowDto,
    ProductSearchDto, SortDto, StatsDto, StatusDto, TableQuery, UndoDto,
};
use vitrina_app::{App, FieldEdit, build_demo, views};

use crate::args::{CategoriesCmd, Cli, Command, ListArgs, ProductsCmd, SortArg, StatusArg};
use crate::output::{Outcome, code, internal, json, money, opt_money, print, table, utc};

pub fn run(command: &Command, db: &Path, cli: &Cli) -> Outcome {
    match command {
        Command::Demo { products, seed, replace } => return demo(db, *products, *seed, *replace, cli.json),
        Command::Bench(_) => unreachable!("dispatched in main"),
        _ => {}
    }
    let app = App::open(db)?;
    match command {
        Command::Init => {
            let n = app.count(&Default::default())?;
            if cli.json {
                json(&vitrina_app::ipc::CatalogInfo { path: db.display().to_string(), products: n })
            } else {
                print(format!("Catalog ready at {} ({n} products).", db.display()));
                Ok(())
            }
        }
        Command::Products(cmd) => products(&app, cmd, db, cli.json),
        Command::Categories(CategoriesCmd::Tree) => categories(&app, cli.json),
        Command::Stats => stats(&app, cli.json),
        Command::Reindex => reindex(&app, cli.json),
        Command::Demo { .. } | Command::Bench(_) => Ok(()),
    }
}

/// A bar of products done out of `total` (hidden when the output is JSON).
fn products_bar(total: u64, as_json: bool) -> Result<indicatif::ProgressBar, vitrina_app::AppError> {
    let bar = indicatif::ProgressBar::new(total);
    bar.set_style(
        indicatif::ProgressStyle::with_template("{bar:40} {pos}/{len} products  {per_sec}  ETA {eta}")
            .map_err(internal)?,
    );
    if as_json {
        bar.set_draw_target(indicatif::ProgressDrawTarget::hidden());
    }
    Ok(bar)
}

fn demo(db: &Path, count: u64, seed: u64, replace: bool, as_json: bool) -> Outcome {
    let bar = products_bar(count, as_json)?;
    let report = build_demo(db, count, seed, replace, &mut |n| bar.set_position(n))?;
    bar.finish_and_clear();
    if as_json {
        return json(&report);
    }
    print(format!(
        "Demo catalog with {} products in {} categories written to {} in {:.1} s ({:.0} products/s).",
        report.products,
        report.categories,
        db.display(),
        report.seconds,
        report.products_per_second
    ));
    Ok(())
}

fn products(app: &App, cmd: &ProductsCmd, db: &Path, as_json: bool) -> Outcome {
    match cmd {
        ProductsCmd::List(args) => {
            let page = views::product_page(app, &table_query(app, args)?, args.after.as_deref(), args.limit)?;
            if as_json {
                return json(&page);
            }
            if let Some(c) = &page.correction {
                print_correction(c, "--exact");
            }
            print_rows(&page.rows);
            if let Some(next) = page.next {
                print(format!("More: --after '{next}'"));
            }
            Ok(())
        }
        ProductsCmd::Search { query, limit, exact } => {
            let text = query.join(" ");
            let found = if *exact { app.search_as_typed(&text, *limit)? } else { app.search(&text, *limit)? };
            let result = ProductSearchDto::of(&text, found);
            if as_json {
                return json(&result);
            }
            if let Some(c) = &result.correction {
                print_correction(c, "--exact");
            }
            print_rows(&result.rows);
            let total =
                if result.total_is_exact { result.total.to_string() } else { format!("{}+", result.total) };
            print(format!("{} of {total} matches", result.rows.len()));
            Ok(())
        }
        ProductsCmd::Show { product } => {
            let p = ProductDto::from(app.product(product)?);
            if as_json {
                return json(&p);
            }
            print_product(&p);
            Ok(())
        }
        ProductsCmd::Set { product, edits } => {
            let edits = edits.iter().map(|s| FieldEdit::parse(s)).collect::<Result<Vec<_>, _>>()?;
            let jobs = vitrina_app::jobs::Jobs::open(db).ok();
            let p = views::edit_product(app, product, &edits, jobs.as_ref())?;
            if as_json {
                return json(&p);
            }
            print(format!(
                "Saved {} «{}»: price {}, stock {}, {}.",
                p.sku,
                p.name,
                money(&p.price),
                p.stock,
                code(&p.status)
            ));
            Ok(())
        }
        ProductsCmd::History { product } => {
            let records: Vec<HistoryEntryDto> =
                app.history(product)?.into_iter().map(HistoryEntryDto::from).collect();
            if as_json {
                return json(&records);
            }
            let mut t = table(&["When", "Who", "Field", "Old", "New"]);
            for r in &records {
                let field = if r.field == "*" { r.op.clone() } else { r.field.clone() };
                t.add_row(vec![
                    utc(r.at),
                    r.who.clone(),
                    field,
                    shorten(r.old.as_deref()),
                    shorten(r.new.as_deref()),
                ]);
            }
            print(t);
            Ok(())
        }
        ProductsCmd::Undo { product } => {
            let undone = UndoDto::from(&app.undo(product)?);
            if as_json {
                return json(&undone);
            }
            print(format!("Reverted {}: {}.", product, undone.fields.join(", ")));
            Ok(())
        }
    }
}

/// Every field in the form `products set` takes, then the id and the links.
fn print_product(p: &ProductDto) {
    let mut t = table(&["Field", "Value"]);
    for f in &p.fields {
        let code = f.field.code();
        let text = match code {
            "price" => money(&p.price),
            "old_price" => opt_money(p.old_price.as_ref()),
            "cost" => opt_money(p.cost.as_ref()),
            "attributes" => p
                .attributes
                .iter()
                .map(|a| {
                    format!(
                        "{}: {}{}",
                        a.name,
                        a.value,
                        a.unit.as_ref().map(|u| format!(" {u}")).unwrap_or_default()
                    )
                })
                .collect::<Vec<_>>()
                .join("\n"),
            "weight" if !f.text.is_empty() => format!("{} g", f.text),
            "dimensions" if !f.text.is_empty() => format!("{} mm", f.text.replace('x', "×")),
            _ => f.text.clone(),
        };
        let text = match &f.derived {
            Some(from) => format!("{text} (from the {from})"),
            None => text,
        };
        t.add_row(vec![code.to_string(), text]);
    }
    t.add_row(vec!["id".to_string(), p.id.clone()]);
    for link in &p.links {
        t.add_row(vec![link_words(link), format!("{} {}", link.other_sku, link.other_name)]);
    }
    print(t);
}

fn link_words(link: &LinkDto) -> String {
    let n = link.quantity.unwrap_or(1);
    match (link.kind.as_str(), link.outgoing) {
        ("kit", true) => format!("kit component ×{n}"),
        ("kit", false) => "part of kit".into(),
        ("pack", true) => format!("pack of {n} ×"),
        ("pack", false) => format!("sold in a pack of {n} as"),
        (kind, _) => kind.to_string(),
    }
}

fn shorten(s: Option<&str>) -> String {
    let s = s.unwrap_or("—").replace('\n', " ");
    if s.chars().count() > 40 { format!("{}…", s.chars().take(39).collect::<String>()) } else { s }
}

/// The list's filters as the window holds them: a category or supplier given by name is looked
/// up here, prices stay as typed.
fn table_query(app: &App, a: &ListArgs) -> Result<TableQuery, vitrina_app::AppError> {
    let filter = FilterDto {
        category: a.category.as_deref().map(|c| app.find_category(c)).transpose()?.map(|id| id.to_string()),
        brand: a.brand.clone(),
        supplier: a.supplier.as_deref().map(|s| app.find_supplier(s)).transpose()?.map(|id| id.to_string()),
        price_min: a.min_price.clone(),
        price_max: a.max_price.clone(),
        in_stock: if a.in_stock {
            Some(true)
        } else if a.out_of_stock {
            Some(false)
        } else {
            None
        },
        status: a.status.map(|s| match s {
            StatusArg::Draft => StatusDto::Draft,
            StatusArg::Active => StatusDto::Active,
            StatusArg::Archived => StatusDto::Archived,
        }),
        text: a.text.clone(),
    };
    let sort = match a.sort {
        SortArg::Name => SortDto::Name,
        SortArg::Price => SortDto::Price,
        SortArg::Stock => SortDto::Stock,
        SortArg::Updated => SortDto::Updated,
    };
    Ok(TableQuery { filter, sort, descending: a.desc, as_typed: a.exact.then_some(true) })
}

/// Says what was searched when it was not the words as typed, and how to search those.
fn print_correction(c: &CorrectionDto, flag: &str) {
    if c.instead {
        print(format!(
            "Nothing matches «{}»; showing results for «{}». To search exactly as typed: {flag}",
            c.typed, c.query
        ));
    } else {
        print(format!(
            "Few products match «{}»; results for «{}» follow them. To search exactly as typed: {flag}",
            c.typed, c.query
        ));
    }
}

fn print_rows(rows: &[ProductRowDto]) {
    let mut t = table(&["SKU", "Name", "Brand", "Category", "Price", "Stock", "Status"]);
    for r in rows {
        t.add_row(vec![
            r.sku.clone(),
            r.name.clone(),
            r.brand.clone(),
            r.category.clone().unwrap_or_default(),
            money(&r.price),
            r.stock.to_string(),
            code(&r.status),
        ]);
    }
    print(t);
}

fn categories(app: &App, as_json: bool) -> Outcome {
    let tree: Vec<CategoryDto> = app.category_tree()?.iter().map(CategoryDto::from).collect();
    if as_json {
        return json(&tree);
    }
    for n in &tree {
        print(format!("{}{} ({})", "  ".repeat(n.depth as usize), n.name, n.products));
    }
    Ok(())
}

fn reindex(app: &App, as_json: bool) -> Outcome {
    let total = app.count(&Default::default())?;
    let bar = products_bar(total, as_json)?;
    let report = app.rebuild_search_index(&mut |n| bar.set_position(n))?;
    bar.finish_and_clear();
    if as_json {
        return json(&report);
    }
    print(format!("Search index rebuilt: {} products in {:.1} s.", report.products, report.seconds));
    Ok(())
}

fn stats(app: &App, as_json: bool) -> Outcome {
    let s = StatsDto::from(&app.stats()?);
    if as_json {
        return json(&s);
    }
    print(format!(
        "{} products: {} in stock, {} out of stock; {} units worth {}; {} categories, {} brands, {} suppliers.",
        s.products,
        s.in_stock,
        s.out_of_stock,
        s.stock_units,
        money(&s.stock_value),
        s.categories,
        s.brands,
        s.suppliers
    ));
    for (title, counts) in [("Status", &s.by_status), ("Category", &s.by_category), ("Brand", &s.top_brands)]
    {
        let mut t = table(&[title, "Products"]);
        for c in counts {
            t.add_row(vec![c.key.clone(), c.products.to_string()]);
        }
        print(t);
    }
    Ok(())
}
