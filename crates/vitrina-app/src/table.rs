//! The catalog table: any window of a filtered, sorted list of up to a million rows.
//!
//! The table asks for blocks of [`BLOCK`] rows at positions a scrollbar can reach in one drag.
//! The first block is the list's first keyset page; for any other block one walk of the sort
//! index ([`vitrina_store::Anchors`]) has kept the cursor that ends the block before it, so
//! every block is one keyset page, never an OFFSET. The walk happens once per filter and sort,
//! on the first jump past the first block, and is kept until the query changes.

use std::sync::{Arc, Mutex};

use vitrina_store::{Anchors, COUNT_CAP, Filter, ListQuery};

use crate::catalog::App;
use crate::error::{AppError, AppResult, ErrorCode};
use crate::ipc::{CorrectionDto, ProductRowDto, SortDto, TableInfo, TableQuery, TableRows};

/// Rows per block; anchors are kept this far apart.
pub const BLOCK: u32 = 100;

/// Searches fetch this many best matches at once (the store's ranked search), then the table
/// pages through them in memory.
pub const SEARCH_ROWS: u32 = 1000;
/// A search of one letter (the first key pressed) shows this many of the newest products with a
/// word starting with it, and asks to go on typing: it answers within a keystroke.
pub const LETTER_ROWS: u32 = 200;

type Cached<T> = Mutex<Option<(TableQuery, Arc<T>)>>;
type Guard<'a, T> = std::sync::MutexGuard<'a, Option<(TableQuery, Arc<T>)>>;

/// The best matches of a plain search and how its text was read.
#[derive(Debug)]
struct Matches {
    rows: Vec<ProductRowDto>,
    correction: Option<CorrectionDto>,
}

/// What the table remembers about the list it shows: the anchors of a filtered list, the
/// matches of a search, and how a filtered list's text was read.
#[derive(Debug, Default)]
pub struct Table {
    anchors: Cached<Anchors>,
    search: Cached<Matches>,
    /// A text filter as typed → the text searched instead, when it differs.
    read_as: Mutex<Option<(String, Option<vitrina_store::Correction>)>>,
}

/// A search with no other filter: answered by the store's ranked search (tens of
/// milliseconds), which a filtered list walk cannot match while a person types.
fn plain_search(query: &TableQuery) -> Option<&str> {
    let f = &query.filter;
    let text = f.text.as_deref().map(str::trim).filter(|t| !t.is_empty())?;
    let others = f.category.is_some()
        || f.brand.as_deref().is_some_and(|b| !b.trim().is_empty())
        || f.supplier.is_some()
        || f.price_min.as_deref().is_some_and(|p| !p.trim().is_empty())
        || f.price_max.as_deref().is_some_and(|p| !p.trim().is_empty())
        || f.in_stock.is_some()
        || f.status.is_some();
    (!others).then_some(text)
}

fn lock<T>(m: &Cached<T>) -> AppResult<Guard<'_, T>> {
    m.lock().map_err(|_| AppError::new(ErrorCode::Internal, "the table cache failed"))
}

impl Table {
    fn cached(&self) -> AppResult<Guard<'_, Anchors>> {
        lock(&self.anchors)
    }

    /// The filter of a table query, its text read as most likely meant when as typed it
    /// matches nothing (unless the query asks for the text as typed), and how it was read.
    fn filter(&self, app: &App, query: &TableQuery) -> AppResult<(Filter, Option<CorrectionDto>)> {
        let mut filter = query.filter.to_filter()?;
        let Some(text) = filter.text.clone() else { return Ok((filter, None)) };
        if query.as_typed == Some(true) {
            return Ok((filter, None));
        }
        let mut read_as =
            self.read_as.lock().map_err(|_| AppError::new(ErrorCode::Internal, "the table cache failed"))?;
        let correction = match read_as.as_ref() {
            Some((typed, c)) if *typed == text => c.clone(),
            _ => {
                let c = app.correct_query(&text)?;
                *read_as = Some((text.clone(), c.clone()));
                c
            }
        };
        Ok(match correction {
            Some(c) => {
                filter.text = Some(c.query.clone());
                (filter, Some(CorrectionDto::of(&text, c)))
            }
            None => (filter, None),
        })
    }

    /// The best matches of a plain search, in relevance order unless a column is chosen
    /// (the default name order keeps relevance: people expect the best match first).
    fn matches(&self, app: &App, query: &TableQuery, text: &str) -> AppResult<(Arc<Matches>, bool)> {
        let mut cached = lock(&self.search)?;
        if let Some((q, found)) = cached.as_ref()
            && q == query
        {
            return Ok((found.clone(), true));
        }
        let limit =
            if vitrina_store::search::single_letter(text).is_some() { LETTER_ROWS } else { SEARCH_ROWS };
        let found = if query.as_typed == Some(true) {
            app.search_as_typed(text, limit)?
        } else {
            app.search(text, limit)?
        };
        let exact = found.total_is_exact && found.total <= found.rows.len() as u64;
        let correction = found.correction.map(|c| CorrectionDto::of(text, c));
        let mut rows: Vec<ProductRowDto> = found.rows.into_iter().map(ProductRowDto::from).collect();
        let key = |r: &ProductRowDto| match query.sort {
            SortDto::Name => 0,
            SortDto::Price => r.price.minor,
            SortDto::Stock => r.stock,
            SortDto::Updated => r.updated_at,
        };
        if query.sort != SortDto::Name || query.descending {
            rows.sort_by(|a, b| {
                let o = if query.sort == SortDto::Name {
                    a.name.to_lowercase().cmp(&b.name.to_lowercase())
                } else {
                    key(a).cmp(&key(b))
                };
                if query.descending { o.reverse() } else { o }
            });
        }
        let found = Arc::new(Matches { rows, correction });
        *cached = Some((query.clone(), found.clone()));
        Ok((found, exact))
    }

    /// How many rows `query` has; forgets the anchors and matches of any earlier list. Text
    /// caps the list at 1 000 rows: a plain search holds its best [`SEARCH_ROWS`] matches, and
    /// text with other filters is counted (and later walked) up to [`COUNT_CAP`]. Past the cap
    /// `exact` is false and the window says it shows the best 1 000 and asks to refine the search.
    pub fn open(&self, app: &App, query: &TableQuery) -> AppResult<TableInfo> {
        *self.cached()? = None;
        *lock(&self.search)? = None;
        if let Some(text) = plain_search(query) {
            let (found, exact) = self.matches(app, query, text)?;
            return Ok(TableInfo {
                total: found.rows.len() as u32,
                exact,
                correction: found.correction.clone(),
            });
        }
        let (filter, correction) = self.filter(app, query)?;
        let (total, exact) = if filter.text.is_some() {
            app.catalog()?.count_capped(&filter, COUNT_CAP)?
        } else {
            (app.count(&filter)?, true)
        };
        Ok(TableInfo { total: total.min(u64::from(u32::MAX)) as u32, exact, correction })
    }

    /// Forgets the rows a plain search holds, after an edit from this window: the next rows are
    /// read again (the matches hold whole rows; the anchors of other lists hold only positions,
    /// and their rows are always read fresh).
    pub fn forget_rows(&self) -> AppResult<()> {
        *lock(&self.search)? = None;
        Ok(())
    }

    /// `count` rows (at most 1000) starting at `position`.
    pub fn rows(&self, app: &App, query: &TableQuery, position: u32, count: u32) -> AppResult<TableRows> {
        let count = count.clamp(1, 1000);
        if let Some(text) = plain_search(query) {
            let (found, _) = self.matches(app, query, text)?;
            let rows = found.rows.iter().skip(position as usize).take(count as usize).cloned().collect();
            return Ok(TableRows { position, rows });
        }
        let (filter, _) = self.filter(app, query)?;
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
        let (filter, _) = self.filter(app, query)?;
        let cap = if filter.text.is_some() { COUNT_CAP } else { u64::MAX };
        let started = std::time::Instant::now();
        let anchors =
            Arc::new(app.catalog()?.anchors(&filter, query.sort.into(), query.descending, BLOCK, cap)?);
        tracing::debug!(rows = anchors.total, ms = started.elapsed().as_millis() as u64, "table anchors");
        *cached = Some((query.clone(), anchors.clone()));
        Ok(anchors)
    }
}
