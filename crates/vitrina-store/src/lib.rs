//! The catalog database: the only crate that speaks SQLite.
//!
//! A [`Catalog`] is one open catalog file with the pragmas of DESIGN §4 and its migrations
//! applied. Through it: products (create, edit, bulk upsert in one transaction), their history
//! (every change, field by field, with undo), full-text search with Russian word forms,
//! filtered and sorted lists with keyset pagination, the category tree, kits and packs whose
//! stock and price are derived in the same transaction, suppliers and catalog statistics.
//!
//! Team sync's store half (applying other devices' changes, the outbox, bootstrap) is
//! [`sync_apply`].
//!
//! This crate knows nothing about IPC, JSON DTOs, the network or the UI.

mod anchors;
mod brands;
mod catalog;
mod categories;
mod error;
pub mod export;
mod feeds;
mod history;
pub mod images;
pub mod imports;
pub mod job_batches;
mod legacy_queue;
mod links;
mod list;
mod memo;
mod migrate;
mod open;
mod products;
mod rows;
pub mod search;
pub mod side_file;
mod stats;
mod suppliers;
pub mod sync_apply;

pub use anchors::Anchors;
pub use catalog::{Catalog, Clock};
pub use categories::CategoryNode;
pub use error::{Result, StoreError};
pub use feeds::FeedProfileRecord;
pub use history::UndoReport;
pub use legacy_queue::LegacyTable;
pub use links::LinkView;
pub use list::{
    COUNT_CAP, Cursor, Filter, ListQuery, Page, ProductRow, RANKED_MATCHES, SearchResult, SortKey,
};
pub use migrate::{MIGRATIONS, latest_version};
pub use open::{MemoryBudget, set_memory_budget};
pub use products::{ProductKey, UpsertReport};
pub use search::{Change, ChangeKind, Correction};
pub use stats::{CatalogStats, Count};
pub use suppliers::{OfferInput, SupplierView};
