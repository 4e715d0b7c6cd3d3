//! Catalog use cases: browse, search, inspect, edit, history and undo, categories, statistics.

use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard};

use serde::Serialize;
use vitrina_domain::{ChangeRecord, Product, ProductField};
use vitrina_store::{Catalog, LinkView};

use crate::error::{AppError, AppResult, ErrorCode};
use crate::{CatalogStats, CategoryNode, Filter, ListQuery, Page, ProductKey, SearchResult, UndoReport};

/// The open application: one catalog, shared by every front-end call.
#[derive(Debug)]
pub struct App {
    catalog: Mutex<Catalog>,
    path: PathBuf,
}

/// A product with what its page shows around it.
#[derive(Debug, Clone, Serialize)]
pub struct ProductView {
    pub product: Product,
    pub category_path: Option<String>,
    pub links: Vec<LinkView>,
}

/// One field edit as a person gives it: `price` = `1 299,50`; an empty value clears the field.
#[derive(Debug, Clone, PartialEq, Eq, serde::Deserialize)]
pub struct FieldEdit {
    pub field: String,
    pub value: String,
}

impl FieldEdit {
    /// Parses `field=value`.
    pub fn parse(s: &str) -> AppResult<Self> {
        let (field, value) = s.split_once('=').ok_or_else(|| {
            AppError::invalid(format!("\"{s}\" is not field=value (for example price=1299,50)"))
        })?;
        Ok(FieldEdit { field: field.trim().to_string(), value: value.trim().to_string() })
    }
}

impl App {
    /// Opens (or creates) the catalog at `path`.
    pub fn open(path: impl AsRef<Path>) -> AppResult<Self> {
        let path = path.as_ref().to_path_buf();
        let catalog = Catalog::open(&path)?;
        Ok(App { catalog: Mutex::new(catalog), path })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    pub(crate) fn catalog(&self) -> AppResult<MutexGuard<'_, Catalog>> {
        self.catalog.lock().map_err(|_| {
            AppError::new(
                ErrorCode::Internal,
                "the catalog is unavailable after an earlier failure; restart Vitrina",
            )
        })
    }

    pub fn set_author(&self, who: &str) -> AppResult<()> {
        self.catalog()?.set_author(who);
        Ok(())
    }

    /// See [`Catalog::set_busy_wait`].
    pub fn set_busy_wait(&self, wait: std::time::Duration) -> AppResult<()> {
        Ok(self.catalog()?.set_busy_wait(wait)?)
    }

    pub fn list(&self, query: &ListQuery) -> AppResult<Page> {
        Ok(self.catalog()?.list(query)?)
    }

    pub fn count(&self, filter: &Filter) -> AppResult<u64> {
        Ok(self.catalog()?.count(filter)?)
    }

    pub fn search(&self, text: &str, limit: u32) -> AppResult<SearchResult> {
        Ok(self.catalog()?.search(text, limit)?)
    }

    pub fn product(&self, key: &str) -> AppResult<ProductView> {
        let catalog = self.catalog()?;
        let key = ProductKey::parse(key);
        let product = catalog.product(&key)?;
        let category_path = match product.category {
            Some(id) => catalog.category_tree()?.into_iter().find(|n| n.id == id).map(|n| n.path),
            None => None,
        };
        Ok(ProductView { links: catalog.links(&key)?, product, category_path })
    }

    /// Applies edits in one transaction: all of them or none. `category` takes a path or name.
    pub fn edit(&self, key: &str, edits: &[FieldEdit]) -> AppResult<Product> {
        if edits.is_empty() {
            return Err(AppError::invalid("nothing to change: give at least one field=value"));
        }
        let mut catalog = self.catalog()?;
        let mut changes = Vec::with_capacity(edits.len());
        for edit in edits {
            let field: ProductField = edit.field.parse().map_err(AppError::invalid)?;
            let value = match field {
                ProductField::Category if !edit.value.is_empty() => {
                    Some(catalog.find_category(&edit.value)?.to_string())
                }
                _ => Some(edit.value.clone()).filter(|v| !v.is_empty()),
            };
            changes.push((field, value));
        }
        Ok(catalog.update_product(&ProductKey::parse(key), &changes)?)
    }

    pub fn history(&self, key: &str) -> AppResult<Vec<ChangeRecord>> {
        Ok(self.catalog()?.history(&ProductKey::parse(key))?)
    }

    pub fn undo(&self, key: &str) -> AppResult<UndoReport> {
        Ok(self.catalog()?.undo_last(&ProductKey::parse(key))?)
    }

    pub fn category_tree(&self) -> AppResult<Vec<CategoryNode>> {
        Ok(self.catalog()?.category_tree()?)
    }

    /// A category id from a path (`Обувь / Кроссовки`), a unique name or an id.
    pub fn find_category(&self, text: &str) -> AppResult<vitrina_domain::CategoryId> {
        Ok(self.catalog()?.find_category(text)?)
    }

    pub fn find_supplier(&self, text: &str) -> AppResult<vitrina_domain::SupplierId> {
        Ok(self.catalog()?.find_supplier(text)?)
    }

    pub fn stats(&self) -> AppResult<CatalogStats> {
        Ok(self.catalog()?.stats()?)
    }
}
