//! Times the first page of a few lists on a `vitrina bench catalog` file (its price ranges)
//! with nothing remembered, the plan alone, and the page again with the plan and the text's
//! set remembered: where a slow first page spends its time, while tuning `list/`.
//!
//!     cargo run --release -p vitrina-store --example list_probe -- bench-data/catalog-bench.db
use std::time::Instant;
use vitrina_store::{Catalog, Filter, ListQuery, SortKey};

#[allow(clippy::print_stdout)]
fn main() {
    let path = std::env::args().nth(1).expect("CATALOG.db");
    let c = Catalog::open(&path).unwrap();
    let texts = [
        "кроссовки",
        "черный",
        "nike",
        "42",
        "смартфон apple",
        "зимние",
        "гарантия",
        "bosch 12",
        "к",
        "с",
        "п",
        "ч",
        "b",
        "s",
        "a",
    ];
    for text in texts {
        for (name, f, sort) in [
            (
                "active/name",
                Filter { status: Some(vitrina_domain::ProductStatus::Active), ..Filter::default() },
                SortKey::Name,
            ),
            ("instock/updated", Filter { in_stock: Some(true), ..Filter::default() }, SortKey::Updated),
            (
                "price/updated",
                Filter { price_min: Some(2_674_200), price_max: Some(5_735_700), ..Filter::default() },
                SortKey::Updated,
            ),
            (
                "narrowprice/name",
                Filter {
                    price_min: Some(4_665_300),
                    price_max: Some(5_132_100),
                    in_stock: Some(true),
                    ..Filter::default()
                },
                SortKey::Name,
            ),
            ("outstock/price", Filter { in_stock: Some(false), ..Filter::default() }, SortKey::Price),
        ] {
            let f = Filter { text: Some(text.into()), ..f };
            let q = ListQuery { filter: f.clone(), sort, descending: false, after: None, limit: 50 };
            c.forget_memo();
            let t = Instant::now();
            c.list_access(&f, sort).unwrap();
            let plan = t.elapsed().as_secs_f64() * 1000.0;
            c.forget_memo();
            let t = Instant::now();
            let page = c.list(&q).unwrap();
            let first = t.elapsed().as_secs_f64() * 1000.0;
            let access = c.list_access(&f, sort).unwrap();
            let t = Instant::now();
            c.list(&q).unwrap();
            let again = t.elapsed().as_secs_f64() * 1000.0;
            // The window's count (up to 1 000) as the list opens.
            c.forget_memo();
            let t = Instant::now();
            let (n, exact) = c.count_capped(&f, 1000).unwrap();
            let count = t.elapsed().as_secs_f64() * 1000.0;
            println!(
                "{text:<16} {name:<18} {first:7.1} ms (plan {plan:6.1}, again {again:6.1}, count {count:6.1} = {n}{})  {:>3} rows  {access}",
                if exact { "" } else { "+" },
                page.rows.len()
            );
        }
    }
}
