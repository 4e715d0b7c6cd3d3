//! What one catalog connection remembers between queries, until the catalog changes: the
//! brands that corrections read (`search/vocab.rs`) and how each list was last read
//! (`list/plan.rs`), and the products a list's text matches (`list/text_set.rs`). Any commit,
//! on this connection or another (SQLite's `data_version` and this connection's change count),
//! forgets the plans; the brands and the texts' sets are kept until the search index changes.

use std::cell::{Cell, RefCell};
use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use rusqlite::{Connection, OptionalExtension};

use crate::error::Result;
use crate::list::{Access, TextSets};
use crate::search::vocab::Brands;

#[derive(Debug, Default)]
pub struct Memo {
    generation: Cell<Option<(i64, u64)>>,
    pub(crate) brands: RefCell<Option<Arc<Brands>>>,
    /// By filter and sort: the index that read the list last.
    pub(crate) plans: RefCell<HashMap<String, Access>>,
    /// By match expression: the rids a list's text matches (`list/text_set.rs`; shared with
    /// the connection's `vitrina_text` function).
    pub(crate) texts: TextSets,
    /// Lists (by filter and sort) whose letter is tested by the set of its matches.
    pub(crate) letters_by_set: RefCell<HashSet<String>>,
    /// Index entries the last step of a walk read (counted by the connection's `vitrina_tick`).
    pub(crate) ticks: Arc<std::sync::atomic::AtomicU64>,
    /// The search index's structure record when the texts' sets and the brands were read.
    /// FTS5 rewrites it with every change of the index (a product added or removed, a
    /// searchable field changed) and only then, so a change of prices and stocks (a supplier's
    /// daily update, a marketplace's stocks) keeps them.
    index_stamp: RefCell<Option<Vec<u8>>>,
    /// The copy of the list columns that lists with a text read (`list/columns.rs`), kept for
    /// the generation it was read for.
    pub(crate) columns: crate::list::ColumnsMemo,
}

impl Memo {
    /// The connection's generation as last refreshed: (`data_version`, its own change count).
    pub(crate) fn generation(&self) -> Option<(i64, u64)> {
        self.generation.get()
    }

    /// Forgets everything, as a change of the search index would.
    pub(crate) fn forget(&self) {
        self.generation.set(None);
        *self.index_stamp.borrow_mut() = None;
    }

    /// Forgets what the catalog's changes since the last call may have made wrong: the plans
    /// after any change, the texts' sets and the brands after a change of the search index.
    pub(crate) fn refresh(&self, conn: &Connection) -> Result<()> {
        let now = (conn.query_row("PRAGMA data_version", [], |r| r.get::<_, i64>(0))?, conn.total_changes());
        if self.generation.get() != Some(now) {
            self.generation.set(Some(now));
            self.plans.borrow_mut().clear();
            self.letters_by_set.borrow_mut().clear();
            let stamp: Option<Vec<u8>> = conn
                .prepare_cached("SELECT block FROM products_fts_data WHERE id = 10")?
                .query_row([], |r| r.get(0))
                .optional()?;
            let mut kept = self.index_stamp.borrow_mut();
            if stamp.is_none() || *kept != stamp {
                *kept = stamp;
                *self.brands.borrow_mut() = None;
                if let Ok(mut texts) = self.texts.lock() {
                    texts.clear();
                }
            }
        }
        Ok(())
    }
}
