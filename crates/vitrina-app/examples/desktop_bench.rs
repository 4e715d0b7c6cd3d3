//! The desktop catalog's figures on a big catalog, through the same `Session` calls the
//! window makes: open, first page, page fetches anywhere in the table, search as you type.
//!
//!     cargo run --release -p vitrina-app --example desktop_bench -- bench-data/catalog-1m.db

use std::time::Instant;

use vitrina_app::ipc::{FilterDto, SortDto, TableQuery};
use vitrina_app::secrets::MemoryStore;
use vitrina_app::session::Session;

fn ms(t: Instant) -> f64 {
    t.elapsed().as_secs_f64() * 1000.0
}

fn pct(v: &mut [f64], p: f64) -> f64 {
    v.sort_by(|a, b| a.total_cmp(b));
    v[((v.len() - 1) as f64 * p).round() as usize]
}

#[allow(clippy::print_stdout)]
fn main() {
    let path = std::env::args().nth(1).expect("usage: desktop_bench CATALOG.db");
    let dir = tempfile_dir();
    // The window's SQLite memory budget (src-tauri sets the same).
    vitrina_app::set_memory_budget(vitrina_app::MemoryBudget::WINDOW);
    let t = Instant::now();
    let s = Session::start(dir.clone(), Some(path.into()), Box::<MemoryStore>::default());
    let open = ms(t);
    let q = TableQuery::default();
    let t = Instant::now();
    let _ = s.startup();
    let info = s.table_info(&q).expect("table");
    let first = s.table_rows(&q, 0, 100).expect("rows");
    let first_page = ms(t);
    println!("rows                      {}", info.total);
    println!("open catalog              {open:.1} ms");
    println!("startup + count + page 1  {first_page:.1} ms ({} rows)", first.rows.len());

    for (sort, desc) in [(SortDto::Name, false), (SortDto::Price, true)] {
        let q = TableQuery { sort, descending: desc, ..Default::default() };
        s.table_info(&q).expect("info");
        let t = Instant::now();
        s.table_rows(&q, info.total / 2, 100).expect("rows");
        println!("{sort:?} desc={desc}: first jump (walks the sort index once) {:.0} ms", ms(t));
        let mut times = Vec::new();
        let mut x: u64 = 0x9e37_79b9_7f4a_7c15;
        for _ in 0..300 {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            let block = (x % u64::from(info.total / 100)) as u32;
            let t = Instant::now();
            let r = s.table_rows(&q, block * 100, 100).expect("rows");
            times.push(ms(t));
            assert!(!r.rows.is_empty());
        }
        println!(
            "  random block of 100 rows: p50 {:.2} ms, p95 {:.2} ms, max {:.2} ms",
            pct(&mut times, 0.5),
            pct(&mut times, 0.95),
            pct(&mut times, 1.0)
        );
        let mut times = Vec::new();
        for b in 0..300u32 {
            let t = Instant::now();
            s.table_rows(&q, 400_000 + b * 100, 100).expect("rows");
            times.push(ms(t));
        }
        println!(
            "  sequential blocks (scrolling): p50 {:.2} ms, p95 {:.2} ms, max {:.2} ms",
            pct(&mut times, 0.5),
            pct(&mut times, 0.95),
            pct(&mut times, 1.0)
        );
    }

    println!("search as you type (count + first 100 rows per keystroke):");
    for typed in [
        "к",
        "кр",
        "кро",
        "крос",
        "кросс",
        "кроссо",
        "кроссовки",
        "кроссовки n",
        "кроссовки ni",
        "кроссовки nike",
        "дрель",
        "bosch дрель 12",
        "s",
        "sa",
        "sam",
        "samsung",
        "b",
        "bo",
        "bosch",
        "bosch 1",
        "bosch 12",
        "n",
        "nike a",
        "nike air",
        "h",
        "haier",
    ] {
        let q = TableQuery {
            filter: FilterDto { text: Some(typed.into()), ..Default::default() },
            ..Default::default()
        };
        let t = Instant::now();
        let info = s.table_info(&q).expect("info");
        let rows = s.table_rows(&q, 0, 100).expect("rows");
        println!(
            "  {typed:<16} {:>7.1} ms  {}{} matches, {} rows",
            ms(t),
            info.total,
            if info.exact { "" } else { "+" },
            rows.rows.len()
        );
    }
    // The first keystroke into an empty box: each letter alone (the rare ones are the slow ones).
    let mut times = Vec::new();
    let mut slowest = Vec::new();
    for letter in "абвгдежзийклмнопрстуфхцчшщэюяabcdefghijklmnopqrstuvwxyz".chars()
    {
        let q = TableQuery {
            filter: FilterDto { text: Some(letter.to_string()), ..Default::default() },
            ..Default::default()
        };
        let t = Instant::now();
        s.table_info(&q).expect("info");
        s.table_rows(&q, 0, 100).expect("rows");
        times.push(ms(t));
        slowest.push((ms(t), letter));
    }
    slowest.sort_by(|a, b| b.0.total_cmp(&a.0));
    println!(
        "one letter (count + first 100 rows), {} letters: p50 {:.1} ms, p95 {:.1} ms, max {:.1} ms; slowest {:?}",
        times.len(),
        pct(&mut times, 0.5),
        pct(&mut times, 0.95),
        pct(&mut times, 1.0),
        &slowest[..5]
    );
    // Words typed with a filter on ("in stock"), in each order: the window's count and first
    // 100 rows. The first list asks for the copy of the list columns (read apart, about half a
    // second on a million products) and is read from the indexes; the rest once it is ready.
    let mut times = Vec::new();
    for (round, typed) in
        ["bosch", "к", "гарантия", "смартфон apple", "п", "черный", "nike", "42"].into_iter().enumerate()
    {
        for (sort, descending) in
            [(SortDto::Name, false), (SortDto::Name, true), (SortDto::Price, false), (SortDto::Updated, true)]
        {
            let q = TableQuery {
                filter: FilterDto { text: Some(typed.into()), in_stock: Some(true), ..Default::default() },
                sort,
                descending,
                ..Default::default()
            };
            let t = Instant::now();
            let info = s.table_info(&q).expect("info");
            s.table_rows(&q, 0, 100).expect("rows");
            if round == 0 {
                println!(
                    "  {typed:<16} in stock, {sort:?} desc={descending}: {:.1} ms, {} rows (the first lists)",
                    ms(t),
                    info.total
                );
                std::thread::sleep(std::time::Duration::from_millis(800));
            } else {
                times.push(ms(t));
            }
        }
    }
    println!(
        "words with a filter (count + first 100 rows), {} lists: p50 {:.1} ms, p95 {:.1} ms, max {:.1} ms",
        times.len(),
        pct(&mut times, 0.5),
        pct(&mut times, 0.95),
        pct(&mut times, 1.0)
    );
    let t = Instant::now();
    let f = s.facets().expect("facets");
    println!(
        "facets (categories, brands, suppliers)  {:.0} ms ({} categories, {} brands)",
        ms(t),
        f.categories.len(),
        f.brands.len()
    );
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    for line in status.lines().filter(|l| l.starts_with("VmRSS") || l.starts_with("VmHWM")) {
        println!("{line}");
    }
    let _ = std::fs::remove_dir_all(dir);
}

fn tempfile_dir() -> std::path::PathBuf {
    let d = std::env::temp_dir().join(format!("vitrina-desktop-bench-{}", std::process::id()));
    std::fs::create_dir_all(&d).expect("temp dir");
    d
}
