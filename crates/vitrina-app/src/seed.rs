//! Building the demo catalog: in a staging file, moved into place only when complete.

use std::path::Path;
use std::time::Instant;

use serde::Serialize;
use vitrina_domain::{CategoryPath, LinkKind, Money, StockPolicy};
use vitrina_store::{Catalog, OfferInput, ProductKey};

use crate::demo::{DemoProducts, category_paths};
use crate::error::{AppError, AppResult, ErrorCode};

#[derive(Debug, Clone, Serialize)]
pub struct DemoReport {
    pub products: u64,
    pub categories: u64,
    pub seconds: f64,
    pub products_per_second: f64,
}

/// Creates a demo catalog of `count` products at `path`. An existing catalog with products is
/// kept unless `replace`; the new one is built aside and swapped in atomically when complete.
/// `progress` is called with the number of products written so far.
pub fn build_demo(
    path: &Path,
    count: u64,
    seed: u64,
    replace: bool,
    progress: &mut dyn FnMut(u64),
) -> AppResult<DemoReport> {
    if !replace && path.exists() {
        let existing = Catalog::open(path)?.product_count()?;
        if existing > 0 {
            return Err(AppError::new(
                ErrorCode::Conflict,
                format!(
                    "{} already holds a catalog with {existing} products; pass --replace to overwrite it with the demo, or choose another --db",
                    path.display()
                ),
            ));
        }
    }
    let started = Instant::now();
    let mut catalog = Catalog::build_new(path)?;
    catalog.set_author("demo");
    let mut categories = Vec::new();
    for [root, leaf] in category_paths() {
        categories.push(catalog.ensure_category_path(&CategoryPath(vec![root.into(), leaf.into()]))?);
    }
    catalog.bulk_upsert_with_progress(DemoProducts::new(seed, count, categories), progress)?;
    progress(count);
    catalog.finish_build(path)?;
    // The finished catalog has its indexes again: links and offers are a handful of writes.
    let mut catalog = Catalog::open(path)?;
    catalog.set_author("demo");
    add_links_and_suppliers(&mut catalog, count)?;
    let categories = catalog.category_tree()?.len() as u64;
    let seconds = started.elapsed().as_secs_f64();
    Ok(DemoReport {
        products: count,
        categories,
        seconds,
        products_per_second: count as f64 / seconds.max(1e-9),
    })
}

/// A few kits and packs and two suppliers selling the first products, so every part of the
/// catalog has something to show.
fn add_links_and_suppliers(catalog: &mut Catalog, count: u64) -> AppResult<()> {
    let skus: Vec<String> = catalog
        .list(&vitrina_store::ListQuery {
            limit: 60,
            sort: vitrina_store::SortKey::Updated,
            ..Default::default()
        })?
        .rows
        .into_iter()
        .map(|r| r.sku)
        .collect();
    if skus.len() < 12 || count < 12 {
        return Ok(());
    }
    let key = |i: usize| ProductKey::Sku(skus[i].clone());
    for k in 0..3 {
        let kit = key(k * 3);
        catalog.link(&kit, &key(k * 3 + 1), LinkKind::KitComponent { quantity: 1 })?;
        catalog.link(&kit, &key(k * 3 + 2), LinkKind::KitComponent { quantity: 2 })?;
    }
    for k in 0..2 {
        catalog.link(&key(9 + k), &key(11), LinkKind::Pack { units: 2 + 4 * k as u32, discount_bp: 500 })?;
    }
    let opt = catalog.add_supplier("Оптовик Москва", 1)?;
    let fast = catalog.add_supplier("Склад Экспресс", 2)?;
    let offers = |from: usize, markup: i64| -> Vec<OfferInput> {
        (from..skus.len())
            .map(|i| OfferInput {
                product: key(i),
                supplier_sku: format!("S{markup}-{i:05}"),
                cost: Some(Money::rub(50_000 + (i as i64 * 37 % 100) * 1000 + markup)),
                stock: (i as i64 * 13) % 40,
            })
            .collect()
    };
    catalog.upsert_offers(opt, &offers(12, 0), StockPolicy::CheapestInStock)?;
    catalog.upsert_offers(fast, &offers(30, 500), StockPolicy::CheapestInStock)?;
    Ok(())
}
