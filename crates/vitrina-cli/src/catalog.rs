//! Catalog commands: init, demo, products, categories, stats.

use std::path::Path;

use vitrina_app::{App, FieldEdit, Filter, ListQuery, SortKey, build_demo};
use vitrina_domain::{Currency, Money, ProductField, ProductStatus};

use crate::args::{CategoriesCmd, Cli, Command, ListArgs, ProductsCmd, SortArg, StatusArg};
use crate::output::{self, json, money, opt_money, print, table, utc};

type Outcome = Result<(), String>;

pub fn run(command: &Command, db: &Path, cli: &Cli) -> Outcome {
    match command {
        Command::Demo { products, seed, replace } => return demo(db, *products, *seed, *replace, cli.json),
        Command::Bench(_) => unreachable!("dispatched in main"),
        _ => {}
    }
    let app = App::open(db).map_err(|e| e.to_string())?;
    match command {
        Command::Init => {
            let n = app.count(&Filter::default()).map_err(|e| e.to_string())?;
            if cli.json {
                json(&serde_json::json!({ "catalog": db, "products": n }))
            } else {
                print(format!("Catalog ready at {} ({n} products).", db.display()));
                Ok(())
            }
        }
        Command::Products(cmd) => products(&app, cmd, cli.json),
        Command::Categories(CategoriesCmd::Tree) => categories(&app, cli.json),
        Command::Stats => stats(&app, cli.json),
        Command::Demo { .. } | Command::Bench(_) => Ok(()),
    }
}

fn demo(db: &Path, count: u64, seed: u64, replace: bool, as_json: bool) -> Outcome {
    let bar = indicatif::ProgressBar::new(count);
    bar.set_style(
        indicatif::ProgressStyle::with_template("{bar:40} {pos}/{len} products  {per_sec}  ETA {eta}")
            .map_err(|e| e.to_string())?,
    );
    if as_json {
        bar.set_draw_target(indicatif::ProgressDrawTarget::hidden());
    }
    let report =
        build_demo(db, count, seed, replace, &mut |n| bar.set_position(n)).map_err(|e| e.to_string())?;
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

fn products(app: &App, cmd: &ProductsCmd, as_json: bool) -> Outcome {
    let e = |e: vitrina_app::AppError| e.to_string();
    match cmd {
        ProductsCmd::List(args) => {
            let query = list_query(app, args)?;
            let page = app.list(&query).map_err(e)?;
            if as_json {
                return json(&page);
            }
            print_rows(&page.rows);
            if let Some(next) = page.next {
                print(format!("More: --after '{}'", next.0));
            }
            Ok(())
        }
        ProductsCmd::Search { query, limit } => {
            let result = app.search(&query.join(" "), *limit).map_err(e)?;
            if as_json {
                return json(&result);
            }
            print_rows(&result.rows);
            print(format!("{} of {} matches", result.rows.len(), result.total));
            Ok(())
        }
        ProductsCmd::Show { product } => {
            let view = app.product(product).map_err(e)?;
            if as_json {
                return json(&view);
            }
            let p = &view.product;
            let mut t = table(&["Field", "Value"]);
            for field in ProductField::ALL {
                let value = match field {
                    ProductField::Price => money(&p.price),
                    ProductField::OldPrice => opt_money(&p.old_price),
                    ProductField::Cost => opt_money(&p.cost),
                    ProductField::Category => view.category_path.clone().unwrap_or_default(),
                    ProductField::Attributes => p
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
                    ProductField::Weight => p.weight_g.map(|w| format!("{w} g")).unwrap_or_default(),
                    ProductField::Dimensions => p
                        .dimensions
                        .map(|d| format!("{}×{}×{} mm", d.length_mm, d.width_mm, d.height_mm))
                        .unwrap_or_default(),
                    f => p.field_value(f).unwrap_or_default(),
                };
                t.add_row(vec![field.code().to_string(), value]);
            }
            t.add_row(vec!["id".to_string(), p.id.to_string()]);
            for link in &view.links {
                let what = match (link.kind, link.outgoing) {
                    (vitrina_domain::LinkKind::KitComponent { quantity }, true) => {
                        format!("kit component ×{quantity}")
                    }
                    (vitrina_domain::LinkKind::KitComponent { .. }, false) => "part of kit".into(),
                    (vitrina_domain::LinkKind::Pack { units, .. }, true) => format!("pack of {units} ×"),
                    (vitrina_domain::LinkKind::Pack { units, .. }, false) => {
                        format!("sold in a pack of {units} as")
                    }
                    (vitrina_domain::LinkKind::Related, _) => "related".into(),
                };
                t.add_row(vec![what, format!("{} {}", link.other_sku, link.other_name)]);
            }
            print(t);
            Ok(())
        }
        ProductsCmd::Set { product, edits } => {
            let edits =
                edits.iter().map(|s| FieldEdit::parse(s)).collect::<Result<Vec<_>, _>>().map_err(e)?;
            let p = app.edit(product, &edits).map_err(e)?;
            if as_json {
                return json(&p);
            }
            print(format!(
                "Saved {} «{}»: price {}, stock {}, {}.",
                p.sku,
                p.name,
                money(&p.price),
                p.stock,
                p.status.code()
            ));
            Ok(())
        }
        ProductsCmd::History { product } => {
            let records = app.history(product).map_err(e)?;
            if as_json {
                return json(&records);
            }
            let mut t = table(&["When", "Who", "Field", "Old", "New"]);
            for r in &records {
                let field = if r.field == "*" { r.op.code().to_string() } else { r.field.clone() };
                t.add_row(vec![
                    utc(r.hlc.wall_ms as i64),
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
            let report = app.undo(product).map_err(e)?;
            if as_json {
                return json(&report);
            }
            let fields: Vec<_> = report.fields.iter().map(|f| f.code()).collect();
            print(format!("Reverted {}: {}.", product, fields.join(", ")));
            Ok(())
        }
    }
}

fn shorten(s: Option<&str>) -> String {
    let s = s.unwrap_or("—").replace('\n', " ");
    if s.chars().count() > 40 { format!("{}…", s.chars().take(39).collect::<String>()) } else { s }
}

fn list_query(app: &App, a: &ListArgs) -> Result<ListQuery, String> {
    let e = |e: vitrina_app::AppError| e.to_string();
    let price = |s: &Option<String>| -> Result<Option<i64>, String> {
        s.as_deref()
            .map(|v| Money::parse(v, Currency::RUB).map(|m| m.minor).map_err(|e| e.to_string()))
            .transpose()
    };
    let filter = Filter {
        category: a.category.as_deref().map(|c| app.find_category(c)).transpose().map_err(e)?,
        brand: a.brand.clone(),
        supplier: a.supplier.as_deref().map(|s| app.find_supplier(s)).transpose().map_err(e)?,
        price_min: price(&a.min_price)?,
        price_max: price(&a.max_price)?,
        in_stock: if a.in_stock {
            Some(true)
        } else if a.out_of_stock {
            Some(false)
        } else {
            None
        },
        status: a.status.map(|s| match s {
            StatusArg::Draft => ProductStatus::Draft,
            StatusArg::Active => ProductStatus::Active,
            StatusArg::Archived => ProductStatus::Archived,
        }),
        text: a.text.clone(),
    };
    let sort = match a.sort {
        SortArg::Name => SortKey::Name,
        SortArg::Price => SortKey::Price,
        SortArg::Stock => SortKey::Stock,
        SortArg::Updated => SortKey::Updated,
    };
    Ok(ListQuery {
        filter,
        sort,
        descending: a.desc,
        after: a.after.clone().map(vitrina_app::Cursor),
        limit: a.limit,
    })
}

fn print_rows(rows: &[vitrina_app::ProductRow]) {
    let mut t = table(&["SKU", "Name", "Brand", "Category", "Price", "Stock", "Status"]);
    for r in rows {
        t.add_row(vec![
            r.sku.clone(),
            r.name.clone(),
            r.brand.clone(),
            r.category.clone().unwrap_or_default(),
            money(&r.price),
            r.stock.to_string(),
            r.status.code().to_string(),
        ]);
    }
    print(t);
}

fn categories(app: &App, as_json: bool) -> Outcome {
    let tree = app.category_tree().map_err(|e| e.to_string())?;
    if as_json {
        return json(&tree);
    }
    for n in &tree {
        print(format!("{}{} ({})", "  ".repeat(n.depth), n.name, n.products));
    }
    Ok(())
}

fn stats(app: &App, as_json: bool) -> Outcome {
    let s = app.stats().map_err(|e| e.to_string())?;
    if as_json {
        return json(&s);
    }
    print(format!(
        "{} products: {} in stock, {} out of stock; {} units worth {}; {} categories, {} brands, {} suppliers.",
        s.products,
        s.in_stock,
        s.out_of_stock,
        s.stock_units,
        money(&Money::rub(s.stock_value)),
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
    let _ = output::utc;
    Ok(())
}
