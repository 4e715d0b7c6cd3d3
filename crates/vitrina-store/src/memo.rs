//! What one catalog connection remembers between queries, until the catalog changes: the
//! brands that corrections read (`search/vocab.rs`) and how each list was last read
//! (`list/plan.rs`), and the products a list's text matches (`list/text_set.rs`). Any commit, on this connection or another (SQLite's `data_version` and
//! this connection's change count), forgets it all.

use std::cell::{Cell, RefCell};
use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use rusqlite::Connection;

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
}

impl Memo {
    /// Forgets everything, as a change of the catalog would.
    pub(crate) fn forget(&self) {
        self.generation.set(None);
    }

    /// Forgets everything if the catalog changed since the last call.
    pub(crate) fn refresh(&self, conn: &Connection) -> Result<()> {
        let now = (conn.query_row("PRAGMA data_version", [], |r| r.get::<_, i64>(0))?, conn.total_changes());
        if self.generation.get() != Some(now) {
            self.generation.set(Some(now));
            *self.brands.borrow_mut() = None;
            self.plans.borrow_mut().clear();
            self.letters_by_set.borrow_mut().clear();
            if let Ok(mut texts) = self.texts.lock() {
                texts.clear();
            }
        }
        Ok(())
    }
}
