//! Times deep pages of one list with one letter (scratch).
use std::time::Instant;
use vitrina_store::{Catalog, Filter, ListQuery, SortKey};
#[allow(clippy::print_stdout)]
fn main() {
    let path = std::env::args().nth(1).unwrap();
    let cat: uuid::Uuid = std::env::args().nth(2).unwrap().parse().unwrap();
    let text = std::env::args().nth(3).unwrap();
    let c = Catalog::open(&path).unwrap();
    let f = Filter { category: Some(vitrina_domain::CategoryId(cat)), text: Some(text), ..Filter::default() };
    for rid in [100_000i64, 400_000, 700_000, 900_000] {
        let after = c.cursor_at(rid, SortKey::Updated).unwrap();
        let q = ListQuery {
            filter: f.clone(),
            sort: SortKey::Updated,
            descending: true,
            after: Some(after),
            limit: 50,
        };
        for _ in 0..2 {
            let t = Instant::now();
            let p = c.list(&q).unwrap();
            println!(
                "after rid {rid}: {:.1} ms {} rows {}",
                t.elapsed().as_secs_f64() * 1000.0,
                p.rows.len(),
                c.list_access(&f, SortKey::Updated).unwrap()
            );
        }
    }
}
