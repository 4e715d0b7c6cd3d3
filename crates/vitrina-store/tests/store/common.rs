//! Helpers shared by the store's tests.

use vitrina_domain::{Money, Product, ProductDraft};
use vitrina_store::{Catalog, ProductKey};

/// A new catalog in a temporary folder (kept while the folder lives).
pub fn temp_catalog() -> (tempfile::TempDir, Catalog) {
    let dir = tempfile::tempdir().unwrap();
    let catalog = Catalog::open(dir.path().join("catalog.db")).unwrap();
    (dir, catalog)
}

pub fn product(sku: &str, name: &str, price: i64) -> Product {
    Product::new(ProductDraft { sku: sku.into(), name: name.into(), price: Money::rub(price) }).unwrap()
}

pub fn sku(s: &str) -> ProductKey {
    ProductKey::Sku(s.into())
}

/// The product with this SKU, which must exist.
pub fn get(c: &Catalog, s: &str) -> Product {
    c.product(&sku(s)).unwrap()
}
