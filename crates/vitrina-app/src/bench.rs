//! The catalog benchmark: build a large catalog, then time search (as typed, corrected, one
//! letter), list pages (every filter and sort the window offers) and opening. Run it from the
//! CLI (`vitrina bench catalog`), never as a test.

use std::path::Path;
use std::time::{Duration, Instant};

use serde::Serialize;
use vitrina_domain::{ProductStatus, SupplierId};
use vitrina_store::{Catalog, Cursor, Filter, ListQuery, SortKey};

use crate::demo::Rng;
use crate::error::{AppError, AppResult, ErrorCode};
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
    /// Of the 100, those that match as typed (the others now also try the readings below).
    pub search_matching: Latency,
    /// Queries typed with the other layout on, names in the other alphabet, one letter wrong.
    pub corrected_search: Latency,
    /// Of [`CORRECTED`], how many were read as meant (the expected query's first word found).
    pub corrected_as_meant: usize,
    /// The first one after opening: it reads the catalog's brands.
    pub first_corrected_ms: f64,
    /// Each Russian and Latin letter alone, the newest 200 with a word starting with it (what
    /// the window asks on the first keystroke).
    pub single_letter: Latency,
    /// Sort and filter combinations an index serves.
    pub list_pages: Latency,
    pub deep_list_pages: Latency,
    /// Brand or category sorted by price, stock or date: rows are collected, then sorted.
    pub other_list_pages: Latency,
    pub other_deep_list_pages: Latency,
    /// Random combinations of every filter the window offers (category or its subtree, brand,
    /// supplier, stock, status, price range) with every sort, both directions…
    pub window_list_pages: Latency,
    pub window_deep_list_pages: Latency,
    /// …and the same with a text as well (with at least one other filter: a text alone is the
    /// window's ranked search). The search index's own cost comes on top.
    pub window_text_list_pages: Latency,
    pub window_text_deep_list_pages: Latency,
    /// …and with the first letter of a text typed (a letter alone is the one-letter search).
    pub window_letter_list_pages: Latency,
    pub window_letter_deep_list_pages: Latency,
    /// The window's count of a list with a text or a letter, as it opens (capped at 1 000,
    /// nothing remembered): the window asks it before the first page.
    pub window_text_counts: Latency,
    pub window_letter_counts: Latency,
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

/// Queries that match nothing as typed, and the word the corrected query must contain.
pub const CORRECTED: &[(&str, &str)] = &[
    // Typed with the English layout on.
    ("rhjccjdrb nike", "кроссовки"),
    ("rhjccjdrb", "кроссовки"),
    ("ajen,jkrf", "футболка"),
    ("cvfhnajy", "смартфон"),
    ("yjen,er", "ноутбук"),
    ("[jkjlbkmybr", "холодильник"),
    ("crjdjhjlf", "сковорода"),
    ("lhtkm", "дрель"),
    ("ifvgeym", "шампунь"),
    ("ibys pbvybt", "шины"),
    ("ajen,jkrf uniqlo", "футболка"),
    ("[jkjlbkmybr bosch", "холодильник"),
    ("yjen,er lenovo", "ноутбук"),
    // Typed with the Russian layout on.
    ("тшлу", "nike"),
    ("ыфьыгтп", "samsung"),
    ("ьшсрудшт", "michelin"),
    ("ьфлшеф", "makita"),
    ("кроссовки тшлу", "nike"),
    ("фвшвфы", "adidas"),
    // Brands and models in the other alphabet.
    ("кроссовки найк", "nike"),
    ("найк", "nike"),
    ("самсунг", "samsung"),
    ("адидас", "adidas"),
    ("смартфон самсунг", "samsung"),
    ("пума", "puma"),
    ("асикс", "asics"),
    ("юникло", "uniqlo"),
    ("леново", "lenovo"),
    ("бош", "bosch"),
    ("холодильник бош", "bosch"),
    ("хайер", "haier"),
    ("тефаль", "tefal"),
    ("макита", "makita"),
    ("мишлен", "michelin"),
    ("кордиант", "cordiant"),
    ("айфон", "iphone"),
    ("гэлакси", "galaxy"),
    ("редми", "redmi"),
    ("макбук", "macbook"),
    ("atlant", "атлант"),
    ("interskol", "интерскол"),
    // One letter wrong, missing, extra or swapped.
    ("кросовки nike", "кроссовки"),
    ("кроссвоки", "кроссовки"),
    ("кроссовкии", "кроссовки"),
    ("холодилник", "холодильник"),
    ("халодильник", "холодильник"),
    ("смартфно", "смартфон"),
    ("сковродка", "сковорода"),
    ("шампнь", "шампунь"),
    ("футбока", "футболка"),
    ("ноутбкук", "ноутбук"),
    ("samsnug", "samsung"),
    ("michelim", "michelin"),
    ("ultraboots", "ultraboost"),
    ("шуруповерд", "шуруповерт"),
    ("аккумуляторая дрель", "аккумуляторная"),
    // Mixed.
    ("rhjccjdrb найк", "кроссовки"),
    ("кросовки найк", "кроссовки"),
    ("ыфьыгтп смартфно", "samsung"),
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
    let mut matching = Vec::new();
    let mut slowest = Slowest::default();
    for q in QUERIES.iter().take(100) {
        let matches = catalog.search_as_typed(q, 1)?.total > 0;
        let t = Instant::now();
        catalog.search(q, 50)?;
        samples.push(t.elapsed());
        if matches {
            matching.push(t.elapsed());
        }
        slowest.note(t.elapsed(), || format!("search {q:?}"));
    }
    let search = Latency::of(samples);
    let search_matching = Latency::of(matching);

    // Corrected queries: the first reads the brands (as the first one after opening does).
    let t = Instant::now();
    catalog.search(CORRECTED[0].0, 50)?;
    let first_corrected_ms = t.elapsed().as_secs_f64() * 1000.0;
    let mut samples = Vec::new();
    let mut corrected_as_meant = 0;
    for (q, meant) in CORRECTED {
        let t = Instant::now();
        let found = catalog.search(q, 50)?;
        samples.push(t.elapsed());
        slowest.note(t.elapsed(), || format!("corrected search {q:?}"));
        let read = found.correction.as_ref().map(|c| c.query.to_lowercase()).unwrap_or_default();
        if !found.rows.is_empty() && read.contains(meant) {
            corrected_as_meant += 1;
        } else {
            tracing::warn!(query = q, read, "not read as meant");
        }
    }
    let corrected_search = Latency::of(samples);

    // One letter, as the window asks on the first keystroke.
    let mut samples = Vec::new();
    for letter in "абвгдежзийклмнопрстуфхцчшщэюяabcdefghijklmnopqrstuvwxyz".chars()
    {
        let t = Instant::now();
        catalog.search(&letter.to_string(), crate::table::LETTER_ROWS)?;
        samples.push(t.elapsed());
        slowest.note(t.elapsed(), || format!("one letter {letter:?}"));
    }
    let single_letter = Latency::of(samples);

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
    // VITRINA_BENCH_SAMPLES=FILE: every page's time, plan and list, a line each.
    let mut samples_out = match std::env::var_os("VITRINA_BENCH_SAMPLES") {
        Some(path) => {
            Some(std::fs::File::create(path).map_err(|e| AppError::new(ErrorCode::Io, e.to_string()))?)
        }
        None => None,
    };
    let mut measure = |pick: &dyn Fn(&mut Rng) -> (Filter, SortKey),
                       rng: &mut Rng,
                       note: bool,
                       mut counts: Option<&mut Vec<Duration>>|
     -> AppResult<(Latency, Latency)> {
        let (mut first, mut deep) = (Vec::new(), Vec::new());
        for _ in 0..200 {
            let (filter, sort) = pick(rng);
            if let Some(counts) = counts.as_mut() {
                catalog.forget_memo();
                let t = Instant::now();
                catalog.count_capped(&filter, vitrina_store::COUNT_CAP)?;
                counts.push(t.elapsed());
                slowest.note(t.elapsed(), || format!("count {filter:?}"));
            }
            let q = ListQuery { filter, sort, descending: rng.chance(50), after: None, limit: 50 };
            // A first page as typed just then: nothing remembered from the samples before.
            catalog.forget_memo();
            let t = Instant::now();
            catalog.list(&q)?;
            first.push(t.elapsed());
            write_sample(&mut samples_out, &catalog, "first", t.elapsed(), &q)?;
            if note {
                slowest.note(t.elapsed(), || {
                    format!("first page {:?} by {:?} desc={}", q.filter, q.sort, q.descending)
                });
            }
            // A deep page: start after a random row of the whole sort order (what a jump down
            // the scrollbar asks for), then follow the cursor for two more pages.
            let mut q = ListQuery { after: Some(random_cursor(&catalog, rng, q.sort)?), ..q };
            for _ in 0..3 {
                let t = Instant::now();
                let page = catalog.list(&q)?;
                deep.push(t.elapsed());
                write_sample(&mut samples_out, &catalog, "deep", t.elapsed(), &q)?;
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
    // Every filter the window offers, combined at random, with every sort.
    let roots: Vec<_> = catalog.category_tree()?.into_iter().filter(|n| n.depth == 0).collect();
    let suppliers: Vec<SupplierId> = catalog.suppliers()?.into_iter().map(|s| s.id).collect();
    let texts = ["кроссовки", "черный", "nike", "42", "смартфон apple", "зимние", "гарантия", "bosch 12"];
    let letters = ["к", "с", "п", "ч", "b", "s", "a"];
    let window = |rng: &mut Rng, text: Option<&[&str]>| -> (Filter, SortKey) {
        let mut f = Filter::default();
        if rng.chance(40) {
            f.category = Some(if rng.chance(30) { rng.pick(&roots).id } else { rng.pick(&leaves).id });
        }
        if rng.chance(35) {
            f.brand = Some((*rng.pick(&brands)).into());
        }
        if rng.chance(10) && !suppliers.is_empty() {
            f.supplier = Some(*rng.pick(&suppliers));
        }
        if rng.chance(30) {
            f.in_stock = Some(rng.chance(70));
        }
        if rng.chance(25) {
            f.status =
                Some(*rng.pick(&[ProductStatus::Active, ProductStatus::Draft, ProductStatus::Archived]));
        }
        if rng.chance(20) {
            let lo = rng.range(0, 50_000) * 100;
            f.price_min = Some(lo);
            f.price_max = Some(lo + rng.range(1_000, 50_000) * 100);
        }
        if let Some(texts) = text {
            f.text = Some((*rng.pick(texts)).into());
            // A text alone is the window's ranked search, not a list: another filter too.
            if f == (Filter { text: f.text.clone(), ..Filter::default() }) {
                f.in_stock = Some(true);
            }
        }
        (f, *rng.pick(&sorts))
    };
    let (list_pages, deep_list_pages) = measure(&indexed, &mut rng, true, None)?;
    let (other_list_pages, other_deep_list_pages) = measure(&other, &mut rng, true, None)?;
    let (window_list_pages, window_deep_list_pages) =
        measure(&|rng| window(rng, None), &mut rng, true, None)?;
    let (mut text_counts, mut letter_counts) = (Vec::new(), Vec::new());
    let (window_text_list_pages, window_text_deep_list_pages) =
        measure(&|rng| window(rng, Some(&texts)), &mut rng, true, Some(&mut text_counts))?;
    let (window_letter_list_pages, window_letter_deep_list_pages) =
        measure(&|rng| window(rng, Some(&letters)), &mut rng, true, Some(&mut letter_counts))?;
    let database_bytes = std::fs::metadata(path).map(|m| m.len()).unwrap_or(0);
    Ok(CatalogBench {
        products: report.products,
        build_seconds: report.seconds,
        upsert_per_second: report.products_per_second,
        open_ms,
        search,
        search_matching,
        corrected_search,
        corrected_as_meant,
        first_corrected_ms,
        single_letter,
        list_pages,
        deep_list_pages,
        other_list_pages,
        other_deep_list_pages,
        window_list_pages,
        window_deep_list_pages,
        window_text_list_pages,
        window_text_deep_list_pages,
        window_letter_list_pages,
        window_letter_deep_list_pages,
        window_text_counts: Latency::of(text_counts),
        window_letter_counts: Latency::of(letter_counts),
        database_bytes,
        peak_rss_bytes: peak_rss(),
        slowest: slowest.0,
    })
}

/// One page's time, the way it was read, and its list, as a line of `out` (if any).
fn write_sample(
    out: &mut Option<std::fs::File>,
    catalog: &Catalog,
    kind: &str,
    took: Duration,
    q: &ListQuery,
) -> AppResult<()> {
    let Some(out) = out.as_mut() else { return Ok(()) };
    let access = catalog.list_access(&q.filter, q.sort)?;
    let ms = took.as_secs_f64() * 1000.0;
    let line = format!("{kind}\t{ms:.2}\t{access}\t{:?}\t{:?} desc={}\n", q.filter, q.sort, q.descending);
    std::io::Write::write_all(out, line.as_bytes()).map_err(|e| AppError::new(ErrorCode::Io, e.to_string()))
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
