//! Ranked search, forgiving of how the query was typed.

use rusqlite::types::Value;

use super::{COUNT_CAP, ProductRow, RANKED_MATCHES, ROW_COLUMNS, SearchResult, row};
use crate::catalog::Catalog;
use crate::error::Result;
use crate::search::{Correction, MatchExpr, Stems, correct, letter, match_expression, single_letter};

/// A query with fewer matches than this is also read as it may have been meant, and the
/// matches of that reading follow its own when they are [`FAR_MORE`] times as many.
const FEW: u64 = 5;
const FAR_MORE: u64 = 20;

impl Catalog {
    /// The best `limit` matches for a typed query. Up to [`RANKED_MATCHES`] matches are ranked
    /// (name, brand, SKU and barcodes weigh ten times the description and characteristics);
    /// beyond that every match contains the words anyway and ranking them all would cost
    /// hundreds of milliseconds, so title matches come first, newest first, then the rest.
    ///
    /// A query that matches nothing is read as it was most likely meant (the other keyboard
    /// layout, a name in the other alphabet, one letter wrong: `search/correct.rs`), and the
    /// result says so in [`SearchResult::correction`]. A query that matches is never replaced;
    /// when it matches very few products and a reading of it matches far more, those follow its
    /// own matches. [`Catalog::search_as_typed`] never corrects.
    pub fn search(&self, text: &str, limit: u32) -> Result<SearchResult> {
        self.search_with(text, limit, true)
    }

    /// [`Catalog::search`] exactly as typed.
    pub fn search_as_typed(&self, text: &str, limit: u32) -> Result<SearchResult> {
        self.search_with(text, limit, false)
    }

    /// What `text` most likely means when, as typed, it matches nothing (for a list's text
    /// filter, read once by the caller). `None` when it matches, or no reading of it does.
    pub fn correct_query(&self, text: &str) -> Result<Option<Correction>> {
        let mut stems = Stems::new();
        let Some(MatchExpr(expr)) = match_expression(text, &mut stems) else { return Ok(None) };
        if single_letter(text).is_some() || crate::search::vocab::any(self.db(), &expr)? {
            return Ok(None);
        }
        correct(self.db(), &self.memo, text, &mut stems)
    }

    fn search_with(&self, text: &str, limit: u32, forgive: bool) -> Result<SearchResult> {
        let limit = limit.clamp(1, 1000);
        let mut stems = Stems::new();
        if let Some(letter) = single_letter(text)
            && let Some(found) = self.search_initial(letter, limit)?
        {
            return Ok(found);
        }
        let Some(MatchExpr(expr)) = match_expression(text, &mut stems) else {
            return Ok(SearchResult { rows: Vec::new(), total: 0, total_is_exact: true, correction: None });
        };
        let exact = self.ranked(&expr, limit)?;
        if !forgive || exact.total >= FEW {
            return Ok(exact);
        }
        let Some(correction) = correct(self.db(), &self.memo, text, &mut stems)? else {
            return Ok(exact);
        };
        let Some(MatchExpr(meant)) = match_expression(&correction.query, &mut stems) else {
            return Ok(exact);
        };
        let found = self.ranked(&meant, limit)?;
        if exact.total == 0 {
            return Ok(SearchResult { correction: Some(correction), ..found });
        }
        if found.total < FAR_MORE * exact.total {
            return Ok(exact);
        }
        // The query's own matches first, then the others.
        let mut rows = exact.rows;
        let seen: std::collections::HashSet<_> = rows.iter().map(|r| r.id).collect();
        rows.extend(found.rows.into_iter().filter(|r| !seen.contains(&r.id)));
        rows.truncate(limit as usize);
        let all = exact.total + found.total;
        let (total, total_is_exact) =
            if (rows.len() as u32) < limit && exact.total_is_exact && found.total_is_exact {
                (rows.len() as u64, true)
            } else {
                (all.min(COUNT_CAP), all <= COUNT_CAP)
            };
        Ok(SearchResult {
            rows,
            total,
            total_is_exact,
            correction: Some(Correction { instead: false, ..correction }),
        })
    }

    /// A search of one letter on a big catalog: the newest `limit` products with a title word
    /// starting with it (`search/letter.rs`), counted as "more than `limit`"; `None` when the
    /// search index answers it better (a rare letter, a small catalog).
    fn search_initial(&self, letter: char, limit: u32) -> Result<Option<SearchResult>> {
        let Some(rids) = letter::newest_with_initial(self.db(), letter, limit as usize + 1)? else {
            return Ok(None);
        };
        let shown = &rids[..rids.len().min(limit as usize)];
        let mut by_rid = self.rows_by_rid(shown)?;
        let rows: Vec<ProductRow> = shown.iter().filter_map(|rid| by_rid.remove(rid)).collect();
        Ok(Some(SearchResult { total: rows.len() as u64, total_is_exact: false, rows, correction: None }))
    }

    /// The best `limit` matches of a match expression (see [`Catalog::search`]).
    fn ranked(&self, expr: &str, limit: u32) -> Result<SearchResult> {
        let total = self.count_matches(expr)?;
        let ranked = total <= RANKED_MATCHES;
        let fts = if ranked {
            "SELECT rowid, rank AS score FROM products_fts WHERE products_fts MATCH ?1 ORDER BY rank LIMIT ?2"
        } else {
            // Title matches first (score 0), then body-only matches (score 1), newest first.
            "SELECT rowid, 0 AS score FROM products_fts WHERE products_fts MATCH '{title} : (' || ?1 || ')' \
             ORDER BY rowid DESC LIMIT ?2"
        };
        let sql = format!(
            "SELECT {ROW_COLUMNS} f.score FROM ({fts}) f JOIN products p ON p.rid = f.rowid \
             LEFT JOIN categories c ON c.rid = p.category_rid ORDER BY f.score, p.rid DESC"
        );
        let mut rows: Vec<(i64, ProductRow, Value)> = self
            .db()
            .prepare_cached(&sql)?
            .query_map(rusqlite::params![expr, limit], row)?
            .collect::<rusqlite::Result<_>>()?;
        if !ranked && rows.len() < limit as usize {
            let sql = format!(
                "SELECT {ROW_COLUMNS} 1 FROM (SELECT rowid FROM products_fts WHERE products_fts MATCH ?1 \
                 ORDER BY rowid DESC LIMIT ?2) f JOIN products p ON p.rid = f.rowid \
                 LEFT JOIN categories c ON c.rid = p.category_rid ORDER BY p.rid DESC"
            );
            let seen: std::collections::HashSet<i64> = rows.iter().map(|(rid, _, _)| *rid).collect();
            let more: Vec<(i64, ProductRow, Value)> = self
                .db()
                .prepare_cached(&sql)?
                .query_map(rusqlite::params![expr, limit], row)?
                .collect::<rusqlite::Result<_>>()?;
            rows.extend(
                more.into_iter().filter(|(rid, _, _)| !seen.contains(rid)).take(limit as usize - rows.len()),
            );
        }
        Ok(SearchResult {
            rows: rows.into_iter().map(|(_, r, _)| r).collect(),
            total: total.min(COUNT_CAP),
            total_is_exact: total <= COUNT_CAP,
            correction: None,
        })
    }

    /// Matches of a match expression, counted up to [`COUNT_CAP`] + 1.
    fn count_matches(&self, expr: &str) -> Result<u64> {
        crate::search::vocab::count(self.db(), expr, COUNT_CAP + 1)
    }
}
