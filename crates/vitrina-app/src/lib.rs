//! Vitrina's application API: every use case the desktop shell and the `vitrina` CLI offer,
//! over the catalog store, with serializable DTOs and errors carrying a stable [`ErrorCode`].
//!
//! Front ends stay thin: they parse input, call one function here, and show the result.

pub mod ai;
pub mod bench;
pub mod bench_export;
pub mod bench_import;
pub mod bench_publish;
pub mod bench_sync;
pub mod bulk;
mod catalog;
pub mod catalog_jobs;
pub mod demo;
mod error;
pub mod feeds;
pub mod held_edits;
pub mod images;
pub mod imports;
pub mod ipc;
pub mod jobs;
pub mod kinds;
pub mod market;
pub mod paths;
pub mod pulse;
pub mod secrets;
mod seed;
pub mod session;
pub mod settings;
pub mod supplier_edit;
pub mod table;
pub mod team;
pub mod views;
pub mod worker;

pub use catalog::{App, FieldEdit, ProductView, ReindexReport};
pub use error::{AppError, AppResult, ErrorCode};
pub use seed::{DemoReport, build_demo};
pub use vitrina_store::{
    CatalogStats, CategoryNode, Cursor, Filter, ListQuery, MemoryBudget, Page, ProductKey, ProductRow,
    SearchResult, SortKey, UndoReport, set_memory_budget,
};
