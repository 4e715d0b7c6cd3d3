//! The catalog benchmark: build a large catalog, then time search, list pages and opening.
//! Run it from the CLI (`vitrina bench catalog`), never as a test.

use std::path::Path;
use std::time::{Duration, Instant};

use serde::Serialize;
use vitrina_domain::ProductStatus;
use vitrina_store::{Catalog, Cursor, Filter, ListQuery, SortKey};

use crate::demo::Rng;
use crate::error::AppResult;
use crate::seed::build_demo;

#[derive(Debug, Clone, Serialize)]
pub struct Latency {
    pub samples: usize,
    pub p50_ms: f64,
    pub p95_ms: f64,
    pub max_ms: f64,
}

impl Latency {
    fn of(mut samples: Vec<Duration>) -> Self {
        samples.sort();
        let at = |q: f64| samples[((samples.len() - 1) as f64 * q).round() as usize].as_secs_f64() * 1000.0;
        Latency { samples: samples.len(), p50_ms: at(0.5), p95_ms: at(0.95), max_ms: at(1.0) }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct CatalogBench {
    pub products: u64,
    pub build_seconds: f64,
    pub upsert_per_second: f64,
    pub open_ms: f64,
    pub search: Latency,
    /// Sort and filter combinations an index serves.
    pub list_pages: Latency,
    pub deep_list_pages: Latency,
    /// Brand or category sorted by price, stock or date: rows are collected, then sorted.
    pub other_list_pages: Latency,
    pub other_deep_list_pages: Latency,
    pub database_bytes: u64,
    pub peak_rss_bytes: Option<u64>,
    /// The slowest searches and indexed deep pages, slowest first: what to work on next.
    pub slowest: Vec<(f64, String)>,
}

const QUERIES: &[&str] = &[
    "кроссовки",
    "кроссовок",
    "кроссовки nike",
    "крос",
    "кроссовки мужские 42",
    "nike air max",
    "adidas",
    "ultraboost",
    "футболка",
    "футболки женские",
    "футболка oversize",
    "uniqlo",
    "смартфон",
    "смартфоны samsung",
    "iphone 15",
    "iphone 15 pro 256",
    "galaxy",
    "redmi note",
    "honor 200",
    "ноутбук",
    "ноутбуки lenovo",
    "thinkpad",
    "macbook air",
    "vivobook",
    "холодильник",
    "холодильники bosch",
    "атлант",
    "no frost",
    "двухкамерный",
    "сковорода",
    "сковороды tefal",
    "чугунная сковорода",
    "гриль 26",
    "дрель",
    "шуруповерт",
    "дрель-шуруповерт makita",
    "dewalt",
    "интерскол",
    "шампунь",
    "шампуни для сухих волос",
    "head shoulders",
    "natura siberica",
    "шины",
    "шины зимние",
    "michelin",
    "hakkapeliitta",
    "205/55 r16",
    "cordiant comfort",
    "летние шины",
    "черный",
    "белый холодильник",
    "красные кроссовки",
    "size 42",
    "размер 44",
    "ГБ",
    "256",
    "512 гб",
    "13.3",
    "гарантия",
    "подарок",
    "упаковке",
    "инструкция",
    "россия",
    "китай",
    "вьетнам",
    "натуральная кожа",
    "замша",
    "хлопок",
    "эластан",
    "полиэстер",
    "android",
    "ios",
    "intel core",
    "apple m2",
    "ryzen",
    "класс a++",
    "индукция",
    "алюминий",
    "нержавеющая сталь",
    "быстрозажимной",
    "увлажнение",
    "объем",
    "восстановление",
    "шипы",
    "runflat",
    "pegasus",
    "superstar",
    "suede",
    "gel-kayano",
    "airism",
    "essentials",
    "mocco",
    "гранит",
    "gsr",
    "df333",
    "elseve",
    "x-ice",
    "pilot sport",
    "смартфон apple",
    "nike",
    "ноутбук apple",
    "кроссовки puma",
];

/// Builds a `products`-product demo catalog at `path` (replacing it), then measures. With
/// `reuse`, a catalog already at `path` is measured as it is (build figures are then zero).
pub fn run(
    path: &Path,
    products: u64,
    reuse: bool,
    progress: &mut dyn FnMut(u64),
) -> AppResult<CatalogBench> {
    let report = if reuse && path.exists() {
        let products = Catalog::open(path)?.product_count()?;
        crate::DemoReport { products, categories: 0, seconds: 0.0, products_per_second: 0.0 }
    } else {
        build_demo(path, products, 42, true, progress)?
    };
    let started = Instant::now();
    let catalog = Catalog::open(path)?;
    let open_ms = started.elapsed().as_secs_f64() * 1000.0;

    // Warm the page cache the way a running app would be warm, then measure.
    catalog.search("кроссовки", 50)?;
    let mut samples = Vec::new();
    let mut slowest = Slowest::default();
    for q in QUERIES.iter().take(100) {
        let t = Instant::now();
        catalog.search(q, 50)?;
        samples.push(t.elapsed());
        slowest.note(t.elapsed(), || format!("search {q:?}"));
    }
    let search = Latency::of(samples);

    let mut rng = Rng::new(7);
    let sorts = [SortKey::Name, SortKey::Price, SortKey::Stock, SortKey::Updated];
    let leaves: Vec<_> = catalog.category_tree()?.into_iter().filter(|n| n.depth > 0).collect();
    let brands = ["Nike", "Bosch", "Apple", "Tefal", "Michelin"];
    // Combinations an index serves: the sort index alone (walking past rows an independent
    // filter drops), a price range on the price index, or a (brand|category, name) index.
    let indexed = |rng: &mut Rng| -> (Filter, SortKey) {
        match rng.range(0, 5) {
            0 => (Filter::default(), *rng.pick(&sorts)),
            1 => (Filter { in_stock: Some(true), ..Filter::default() }, *rng.pick(&sorts)),
            2 => (Filter { status: Some(ProductStatus::Active), ..Filter::default() }, *rng.pick(&sorts)),
            3 => (
                Filter { price_min: Some(100_000), price_max: Some(500_000), ..Filter::default() },
                SortKey::Price,
            ),
            4 => (Filter { brand: Some((*rng.pick(&brands)).into()), ..Filter::default() }, SortKey::Name),
            _ => (Filter { category: Some(rng.pick(&leaves).id), ..Filter::default() }, SortKey::Name),
        }
    };
    // Everything else: a brand or category sorted by price, stock or date is collected and sorted.
    let other = |rng: &mut Rng| -> (Filter, SortKey) {
        let sort = *rng.pick(&sorts[1..]);
        if rng.chance(50) {
            (Filter { brand: Some((*rng.pick(&brands)).into()), ..Filter::default() }, sort)
        } else {
            (Filter { category: Some(rng.pick(&leaves).id), ..Filter::default() }, sort)
        }
    };
    let mut measure = |pick: &dyn Fn(&mut Rng) -> (Filter, SortKey),
                       rng: &mut Rng,
                       note: bool|
     -> AppResult<(Latency, Latency)> {
        let (mut first, mut deep) = (Vec::new(), Vec::new());
        for _ in 0..100 {
            let (filter, sort) = pick(rng);
            let q = ListQuery { filter, sort, descending: rng.chance(50), after: None, limit: 50 };
            let t = Instant::now();
            catalog.list(&q)?;
            first.push(t.elapsed());
            // A deep page: start after a random row of the whole sort order (what a jump down
            // the scrollbar asks for), then follow the cursor for two more pages.
            let mut q = ListQuery { after: Some(random_cursor(&catalog, rng, q.sort)?), ..q };
            for _ in 0..3 {
                let t = Instant::now();
                let page = catalog.list(&q)?;
                deep.push(t.elapsed());
                if note {
                    slowest.note(t.elapsed(), || {
                        format!("deep page {:?} by {:?} desc={}", q.filter, q.sort, q.descending)
                    });
                }
                match page.next {
                    Some(next) => q.after = Some(next),
                    None => break,
                }
            }
        }
        Ok((Latency::of(first), Latency::of(deep)))
    };
    let (list_pages, deep_list_pages) = measure(&indexed, &mut rng, true)?;
    let (other_list_pages, other_deep_list_pages) = measure(&other, &mut rng, false)?;
    let database_bytes = std::fs::metadata(path).map(|m| m.len()).unwrap_or(0);
    Ok(CatalogBench {
        products: report.products,
        build_seconds: report.seconds,
        upsert_per_second: report.products_per_second,
        open_ms,
        search,
        list_pages,
        deep_list_pages,
        other_list_pages,
        other_deep_list_pages,
        database_bytes,
        peak_rss_bytes: peak_rss(),
        slowest: slowest.0,
    })
}

/// The ten slowest samples seen, with what they were.
#[derive(Default)]
struct Slowest(Vec<(f64, String)>);

impl Slowest {
    fn note(&mut self, took: Duration, what: impl FnOnce() -> String) {
        let ms = took.as_secs_f64() * 1000.0;
        if self.0.len() == 10 && self.0.last().is_some_and(|(last, _)| *last >= ms) {
            return;
        }
        self.0.push((ms, what()));
        self.0.sort_by(|a, b| b.0.total_cmp(&a.0));
        self.0.truncate(10);
    }
}

fn random_cursor(catalog: &Catalog, rng: &mut Rng, sort: SortKey) -> AppResult<Cursor> {
    let max = catalog.product_count()? as i64;
    let rid = rng.range(1, max.max(1));
    Ok(catalog.cursor_at(rid, sort)?)
}

/// Peak resident memory of this process (Linux; `None` elsewhere).
pub fn peak_rss() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kb: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb * 1024)
}
