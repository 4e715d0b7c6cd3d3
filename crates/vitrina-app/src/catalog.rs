//! Catalog use cases: browse, search, inspect, edit, history and undo, categories, statistics.

use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard};

use serde::Serialize;
use vitrina_domain::{ChangeRecord, FieldValue, Product, ProductField};
use vitrina_store::{Catalog, LinkView, StoreError};

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

/// One field edit as a person gives it: `price` = `1 299,50`; an empty text clears the field.
/// The text is read into the field's type once, by [`App::edit`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldEdit {
    pub field: ProductField,
    pub text: String,
}

impl FieldEdit {
    /// Parses `field=value`.
    pub fn parse(s: &str) -> AppResult<Self> {
        let (field, text) = s.split_once('=').ok_or_else(|| {
            AppError::invalid(format!("\"{s}\" is not field=value (for example price=1299,50)"))
        })?;
        Ok(FieldEdit { field: field.parse().map_err(AppError::invalid)?, text: text.trim().to_string() })
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

    /// The best matches for `text`, read as most likely meant when it finds nothing as typed
    /// (the result says so); see [`vitrina_store::Catalog::search`].
    pub fn search(&self, text: &str, limit: u32) -> AppResult<SearchResult> {
        Ok(self.catalog()?.search(text, limit)?)
    }

    /// [`App::search`] exactly as typed.
    pub fn search_as_typed(&self, text: &str, limit: u32) -> AppResult<SearchResult> {
        Ok(self.catalog()?.search_as_typed(text, limit)?)
    }

    /// A list filter's text as most likely meant, when as typed it matches nothing.
    pub fn correct_query(&self, text: &str) -> AppResult<Option<vitrina_store::Correction>> {
        Ok(self.catalog()?.correct_query(text)?)
    }

    /// The SKUs of `products`, each given as a SKU or a product id (the window's table selects
    /// by id, the CLI by SKU); blanks are dropped. An unknown id is an error; a SKU is kept as
    /// given (the use case says what it does with one that is not in the catalog).
    pub fn skus_of(&self, products: &[String]) -> AppResult<Vec<String>> {
        let catalog = self.catalog()?;
        products
            .iter()
            .map(|p| p.trim())
            .filter(|p| !p.is_empty())
            .map(|p| match ProductKey::parse(p) {
                ProductKey::Sku(sku) => Ok(sku),
                id @ ProductKey::Id(_) => Ok(catalog.product(&id)?.sku),
            })
            .collect()
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

    /// Applies edits in one transaction: all of them or none. `category` takes a path or name,
    /// found before the write; every other text is read into its field's type inside the
    /// write, where money without a currency is in the product's price currency as it is then
    /// (or as an earlier edit of the same call sets it).
    pub fn edit(&self, key: &str, edits: &[FieldEdit]) -> AppResult<Product> {
        if edits.is_empty() {
            return Err(AppError::invalid("nothing to change: give at least one field=value"));
        }
        self.may_change()?;
        let mut catalog = self.catalog()?;
        let found = edits
            .iter()
            .map(|e| match e.field {
                ProductField::Category if !e.text.trim().is_empty() => {
                    Ok(Some(FieldValue::Category(Some(catalog.find_category(&e.text)?))))
                }
                _ => Ok(None),
            })
            .collect::<AppResult<Vec<_>>>()?;
        Ok(catalog.update_product_with(&ProductKey::parse(key), |current| {
            let mut currency = current.price.currency;
            let mut values = Vec::with_capacity(edits.len());
            for (edit, found) in edits.iter().zip(found) {
                let value = match found {
                    Some(value) => value,
                    None => edit.field.parse_value(&edit.text, currency)?,
                };
                if let FieldValue::Price(price) = &value {
                    currency = price.currency;
                }
                values.push(value);
            }
            Ok::<_, StoreError>(values)
        })?)
    }

    /// A viewer of a team reads the team's catalog and changes nothing of it (the server would
    /// refuse the change anyway): every change the app makes asks this first, so the viewer
    /// hears it at once rather than finding the change missing later.
    pub fn may_change(&self) -> AppResult<()> {
        let role = self.catalog()?.sync_meta(vitrina_sync::engine::keys::ROLE)?;
        match role.as_deref().map(str::parse::<vitrina_sync::MemberKind>) {
            Some(Ok(kind)) if !kind.may_edit() => Err(AppError::new(
                ErrorCode::TeamNotAllowed,
                "your role in the team is viewer: you can read the catalog but not change it — an admin can make you an editor",
            )),
            _ => Ok(()),
        }
    }

    pub fn history(&self, key: &str) -> AppResult<Vec<ChangeRecord>> {
        Ok(self.catalog()?.history(&ProductKey::parse(key))?)
    }

    /// The product's values that lost a conflict with another device of its team.
    pub fn conflicts(&self, key: &str) -> AppResult<Vec<crate::ipc::ConflictDto>> {
        let catalog = self.catalog()?;
        let product = catalog.product(&ProductKey::parse(key))?;
        Ok(catalog
            .sync_conflicts(product.id)?
            .into_iter()
            .map(|l| {
                let shown = |v: &Option<String>| v.as_deref().map(|t| crate::ipc::shown_value(&l.field, t));
                crate::ipc::ConflictDto {
                    value: shown(&l.value),
                    raw: l.value.clone(),
                    winner_value: shown(&l.winner_value),
                    field: l.field.clone(),
                    who: l.who.clone(),
                    at: l.at,
                    winner_who: l.winner_who.clone(),
                    winner_at: l.winner_at,
                }
            })
            .collect())
    }

    pub fn undo(&self, key: &str) -> AppResult<UndoReport> {
        self.may_change()?;
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

    /// Whether the search index carries the initials of every product's name (see
    /// [`App::rebuild_search_index`]).
    pub fn search_index_current(&self) -> AppResult<bool> {
        Ok(self.catalog()?.search_index_current()?)
    }

    /// Writes the search index anew from the products (a catalog indexed before the initials
    /// of names were, migration 0011, then reads one-letter lists as one term each); `progress`
    /// gets the count done.
    pub fn rebuild_search_index(&self, progress: &mut dyn FnMut(u64)) -> AppResult<ReindexReport> {
        self.may_change()?;
        let started = std::time::Instant::now();
        let products = self.catalog()?.rebuild_search_index(progress)?;
        Ok(ReindexReport { products, seconds: started.elapsed().as_secs_f64() })
    }
}

/// What a rebuild of the search index did.
#[derive(Debug, Clone, Serialize)]
pub struct ReindexReport {
    pub products: u64,
    pub seconds: f64,
}

#[cfg(test)]
mod tests {
    use vitrina_domain::{CategoryPath, Currency, Money, ProductDraft, ProductStatus};

    use super::*;

    fn edit(app: &App, id: &str, edits: &[&str]) -> AppResult<Product> {
        let edits = edits.iter().map(|e| FieldEdit::parse(e)).collect::<AppResult<Vec<_>>>()?;
        app.edit(id, &edits)
    }

    #[test]
    fn an_edit_reads_each_text_once_into_its_fields_type() {
        let dir = tempfile::tempdir().unwrap();
        let app = App::open(dir.path().join("c.db")).unwrap();
        let shoes =
            app.catalog().unwrap().ensure_category_path(&CategoryPath::parse("Обувь / Кроссовки")).unwrap();
        let p =
            Product::new(ProductDraft {
                sku: "A-1".into(), name: "Кеды".into(), price: Money::rub(100_000)
            })
            .unwrap();
        let id = app.catalog().unwrap().create_product(&p).unwrap().to_string();

        let p = edit(&app, &id, &["price=1 299,50", "status=активен", "category=кроссовки", "stock=1 200"])
            .unwrap();
        assert_eq!(
            (p.price, p.status, p.category, p.stock),
            (Money::rub(129_950), ProductStatus::Active, Some(shoes), 1200)
        );
        let p = edit(&app, &id, &["price=10 USD", "cost=5"]).unwrap();
        assert_eq!(p.cost, Some(Money::new(500, Currency::USD)), "in the currency the same edit set");
        let p = edit(&app, &id, &["category=", "old_price=20"]).unwrap();
        assert_eq!((p.category, p.old_price), (None, Some(Money::new(2000, Currency::USD))));

        let e = edit(&app, &id, &["stock=много"]).unwrap_err();
        assert_eq!(
            (e.code, e.message.as_str()),
            (ErrorCode::Invalid, "stock \"много\": expected a whole number")
        );
        let e = edit(&app, &id, &["name=Кроссовки", "price=-1"]).unwrap_err();
        assert_eq!(e.message, "price \"-100 USD\": must not be negative");
        assert_eq!(app.product(&id).unwrap().product.name, "Кеды", "all or nothing");
        assert!(edit(&app, &id, &["colour=red"]).unwrap_err().message.contains("known fields: sku"));
        assert_eq!(edit(&app, &id, &["category=Сумки"]).unwrap_err().code, ErrorCode::NotFound);
    }
}
