//! The catalog table: any window of a filtered, sorted list of up to a million rows.
//!
//! The table asks for blocks of [`BLOCK`] rows at positions a scrollbar can reach in one drag.
//! The first block is the list's first keyset page; for any other block one walk of the sort
//! index ([`vitrina_store::Anchors`]) has kept the cursor that ends the block before it, so
//! every block is one keyset page, never an OFFSET. The walk happens once per filter and sort,
//! on the first jump past the first block, and is kept until the query changes.

use std::sync::{Arc, Mutex};

use vitrina_store::{Anchors, COUNT_CAP, ListQuery};

use crate::catalog::App;
use crate::error::{AppError, AppResult, ErrorCode};
use crate::ipc::{ProductRowDto, TableInfo, TableQuery, TableRows};

/// Rows per block; anchors are kept this far apart.
pub const BLOCK: u32 = 100;

/// The anchors of the list the table shows.
#[derive(Debug, Default)]
pub struct Table {
    anchors: Mutex<Option<(TableQuery, Arc<Anchors>)>>,
}

impl Table {
    fn cached(&self) -> AppResult<std::sync::MutexGuard<'_, Option<(TableQuery, Arc<Anchors>)>>> {
        self.anchors.lock().map_err(|_| AppError::new(ErrorCode::Internal, "the table cache failed"))
    }

    /// How many rows `query` has; forgets the anchors of any earlier list. A search counts to
    /// [`COUNT_CAP`] (the table then shows "10 000+" rows and asks to narrow it down).
    pub fn open(&self, app: &App, query: &TableQuery) -> AppResult<TableInfo> {
        let filter = query.filter.to_filter()?;
        *self.cached()? = None;
        let (total, exact) = if filter.text.is_some() {
            app.catalog()?.count_capped(&filter, COUNT_CAP)?
        } else {
            (app.count(&filter)?, true)
        };
        Ok(TableInfo { total: total.min(u64::from(u32::MAX)) as u32, exact })
    }

    /// `count` rows (at most 1000) starting at `position`.
    pub fn rows(&self, app: &App, query: &TableQuery, position: u32, count: u32) -> AppResult<TableRows> {
        let filter = query.filter.to_filter()?;
        let count = count.clamp(1, 1000);
        let (after, skip) = if position < BLOCK {
            (None, u64::from(position))
        } else {
            self.anchors(app, query)?.locate(u64::from(position))
        };
        let page = app.list(&ListQuery {
            filter,
            sort: query.sort.into(),
            descending: query.descending,
            after,
            limit: (skip as u32).saturating_add(count).min(1000),
        })?;
        let rows = page.rows.into_iter().skip(skip as usize).take(count as usize).map(ProductRowDto::from);
        Ok(TableRows { position, rows: rows.collect() })
    }

    fn anchors(&self, app: &App, query: &TableQuery) -> AppResult<Arc<Anchors>> {
        let mut cached = self.cached()?;
        if let Some((q, a)) = cached.as_ref()
            && q == query
        {
            return Ok(a.clone());
        }
        let filter = query.filter.to_filter()?;
        let cap = if filter.text.is_some() { COUNT_CAP } else { u64::MAX };
        let started = std::time::Instant::now();
        let anchors =
            Arc::new(app.catalog()?.anchors(&filter, query.sort.into(), query.descending, BLOCK, cap)?);
        tracing::debug!(rows = anchors.total, ms = started.elapsed().as_millis() as u64, "table anchors");
        *cached = Some((query.clone(), anchors.clone()));
        Ok(anchors)
    }
}
