//! The search index's postings read straight from its pages: which products hold a term, or any
//! term with a prefix.
//!
//! FTS5 answers `MATCH` through a virtual table, a row at a time: 25–45 ns a product for a broad
//! word (306 000 products hold "гарант" on the 1M benchmark: 14–19 ms), which is most of what a
//! list with that word costs. Its pages are plain records of the `products_fts_data` table in a
//! documented format (SQLite's `fts5_index.c`, "Details"), and their doclists decode here at a
//! few nanoseconds a product. Only what the lists' sets need is read: each segment's leaves for
//! the term, minus the rows the segment's tombstones delete (`contentless_delete`). Anything
//! else — a structure this reader does not know, an entry carrying FTS5's delete flag, a page
//! that does not parse — returns `None`, and the caller asks FTS5 instead.

use rusqlite::{Connection, OptionalExtension};

use crate::error::Result;
use crate::search::query::conjunction;

/// The leading byte of every term of the main index (prefix indexes use others).
const MAIN_INDEX: u8 = b'0';
/// The 4 bytes after the cookie of a structure record in FTS5's second format.
const STRUCTURE_V2: [u8; 4] = [0xFF, 0x00, 0x00, 0x01];
/// The `products_fts_data` row of the structure record.
const STRUCTURE_ROWID: i64 = 10;

/// The `products_fts_data` rowid of leaf `page` of segment `segid` (`FTS5_SEGMENT_ROWID`).
fn leaf_rowid(segid: i64, page: i64) -> i64 {
    (segid << 37) + page
}

/// The rowid of tombstone page `page` of segment `segid` (`FTS5_TOMBSTONE_ROWID`).
fn tombstone_rowid(segid: i64, page: i64) -> i64 {
    leaf_rowid(segid + (1 << 16), page)
}

/// One segment of the index: its leaves and the rows its tombstones delete.
#[derive(Debug)]
struct Segment {
    id: i64,
    first_page: i64,
    last_page: i64,
    tombstone_pages: i64,
    /// The rows its tombstones delete, sorted.
    deleted: Vec<u64>,
}

/// The segments of an FTS5 table's index as its structure record lists them.
#[derive(Debug)]
pub(crate) struct Postings<'c> {
    conn: &'c Connection,
    /// The FTS5 table (its pages are `<table>_data`, its leaves' first terms `<table>_idx`).
    table: &'static str,
    segments: Vec<Segment>,
}

/// An SQLite varint at `*at` in `buf` (big-endian groups of 7 bits; a ninth byte gives 8).
fn varint(buf: &[u8], at: &mut usize) -> Option<u64> {
    let mut v: u64 = 0;
    for i in 0..9 {
        let b = *buf.get(*at)?;
        *at += 1;
        if i == 8 {
            return Some((v << 8) | u64::from(b));
        }
        v = (v << 7) | u64::from(b & 0x7F);
        if b & 0x80 == 0 {
            return Some(v);
        }
    }
    Some(v)
}

fn varint_usize(buf: &[u8], at: &mut usize) -> Option<usize> {
    varint(buf, at).and_then(|v| usize::try_from(v).ok())
}

fn u16_at(buf: &[u8], at: usize) -> Option<usize> {
    Some(usize::from(u16::from_be_bytes([*buf.get(at)?, *buf.get(at + 1)?])))
}

impl<'c> Postings<'c> {
    /// The segments of `table`'s index, or `None` when its structure record is in a format not
    /// read here or a tombstone page does not parse.
    pub(crate) fn open(conn: &'c Connection, table: &'static str) -> Result<Option<Postings<'c>>> {
        let record: Option<Vec<u8>> = conn
            .prepare_cached(&format!("SELECT block FROM {table}_data WHERE id = ?1"))?
            .query_row([STRUCTURE_ROWID], |r| r.get(0))
            .optional()?;
        let segments = match record {
            Some(record) => match parse_structure(&record) {
                Some(segments) => segments,
                None => return Ok(None),
            },
            None => Vec::new(),
        };
        let mut out = Postings { conn, table, segments };
        for i in 0..out.segments.len() {
            match out.tombstones(&out.segments[i])? {
                Some(deleted) => out.segments[i].deleted = deleted,
                None => return Ok(None),
            }
        }
        Ok(Some(out))
    }

    /// Calls `found` with the rowid of each row holding `term` (any term starting with it, if
    /// `prefix`), once per term and segment; `None` when a page is not what this reader knows.
    pub(crate) fn each_row(
        &self,
        term: &str,
        prefix: bool,
        found: &mut dyn FnMut(i64),
    ) -> Result<Option<()>> {
        let mut key = Vec::with_capacity(term.len() + 1);
        key.push(MAIN_INDEX);
        key.extend_from_slice(term.as_bytes());
        for segment in &self.segments {
            let start = self.seek(segment, &key)?;
            let mut read = SegmentRead { key: &key, prefix, deleted: &segment.deleted, found: &mut *found };
            if read.pages(self.conn, self.table, segment, start)?.is_none() {
                return Ok(None);
            }
        }
        Ok(Some(()))
    }

    /// The leaf that holds `key` if the segment has it (FTS5's own lookup in `%_idx`).
    fn seek(&self, segment: &Segment, key: &[u8]) -> Result<i64> {
        let page: Option<i64> = self
            .conn
            .prepare_cached(&format!(
                "SELECT pgno FROM {}_idx WHERE segid = ?1 AND term <= ?2 ORDER BY term DESC LIMIT 1",
                self.table
            ))?
            .query_row(rusqlite::params![segment.id, key], |r| r.get(0))
            .optional()?;
        Ok(page.map(|p| p >> 1).unwrap_or(0).max(segment.first_page))
    }

    /// The rows the segment's tombstones delete, sorted; `None` if a page is malformed.
    fn tombstones(&self, segment: &Segment) -> Result<Option<Vec<u64>>> {
        let mut out = Vec::new();
        if segment.tombstone_pages == 0 {
            return Ok(Some(out));
        }
        let mut stmt = self.conn.prepare_cached(&format!(
            "SELECT block FROM {}_data WHERE id >= ?1 AND id < ?2 ORDER BY id",
            self.table
        ))?;
        let from = tombstone_rowid(segment.id, 0);
        let mut rows = stmt.query([from, from + segment.tombstone_pages])?;
        while let Some(row) = rows.next()? {
            let Ok(page) = row.get_ref(0)?.as_blob() else { return Ok(None) };
            let (Some(&size), Some(&zero)) = (page.first(), page.get(1)) else { return Ok(None) };
            if zero != 0 {
                out.push(0);
            }
            let size = usize::from(size);
            if size != 4 && size != 8 {
                return Ok(None);
            }
            for slot in page.get(8..).unwrap_or_default().chunks_exact(size) {
                let v = match size {
                    4 => u64::from(u32::from_be_bytes([slot[0], slot[1], slot[2], slot[3]])),
                    _ => u64::from_be_bytes(slot.try_into().unwrap_or([0; 8])),
                };
                if v != 0 {
                    out.push(v);
                }
            }
        }
        out.sort_unstable();
        Ok(Some(out))
    }
}

/// The segments of a structure record, oldest level last; `None` for a format not read here.
fn parse_structure(record: &[u8]) -> Option<Vec<Segment>> {
    let mut at = 4; // the configuration cookie
    let v2 = record.get(4..8) == Some(&STRUCTURE_V2[..]);
    if v2 {
        at += 4;
    }
    let levels = varint(record, &mut at)?;
    let total = varint(record, &mut at)?;
    varint(record, &mut at)?; // the write counter
    let mut segments = Vec::new();
    for _ in 0..levels {
        varint(record, &mut at)?; // segments in an ongoing merge: read whole like the others
        let n = varint(record, &mut at)?;
        for _ in 0..n {
            let id = varint(record, &mut at)? as i64;
            let first_page = varint(record, &mut at)? as i64;
            let last_page = varint(record, &mut at)? as i64;
            let mut tombstone_pages = 0;
            if v2 {
                varint(record, &mut at)?; // origins
                varint(record, &mut at)?;
                tombstone_pages = varint(record, &mut at)? as i64;
                varint(record, &mut at)?; // tombstone entries
                varint(record, &mut at)?; // entries
            }
            if last_page < first_page {
                return None;
            }
            segments.push(Segment { id, first_page, last_page, tombstone_pages, deleted: Vec::new() });
        }
    }
    (segments.len() as u64 == total).then_some(segments)
}

/// Where a term's doclist stands as the leaves are read.
enum Doclist {
    /// Not in one: looking for the next matching term.
    Outside,
    /// Inside a matching term's doclist: the last rowid, and the bytes of the current entry's
    /// position list still to skip (they run on into the next leaf).
    Inside { rowid: u64, skip: usize },
}

/// One segment's leaves read for one key.
struct SegmentRead<'a> {
    key: &'a [u8],
    prefix: bool,
    /// The rows this segment's tombstones delete, sorted.
    deleted: &'a [u64],
    found: &'a mut dyn FnMut(i64),
}

impl SegmentRead<'_> {
    /// Reads the leaves from `start` until the terms pass the key. `None`: a page not understood.
    fn pages(&mut self, conn: &Connection, table: &str, segment: &Segment, start: i64) -> Result<Option<()>> {
        let mut stmt = conn.prepare_cached(&format!(
            "SELECT block FROM {table}_data WHERE id >= ?1 AND id <= ?2 ORDER BY id"
        ))?;
        let mut rows =
            stmt.query([leaf_rowid(segment.id, start), leaf_rowid(segment.id, segment.last_page)])?;
        let mut state = Doclist::Outside;
        let mut term = Vec::new();
        let mut first_page = true;
        while let Some(row) = rows.next()? {
            let Ok(page) = row.get_ref(0)?.as_blob() else { return Ok(None) };
            match self.page(page, &mut state, &mut term, first_page) {
                Some(true) => {}
                Some(false) => return Ok(Some(())),
                None => return Ok(None),
            }
            first_page = false;
        }
        Ok(Some(()))
    }

    /// One leaf. `Some(false)` once the terms passed the key (nothing more to read).
    fn page(
        &mut self,
        page: &[u8],
        state: &mut Doclist,
        term: &mut Vec<u8>,
        first_page: bool,
    ) -> Option<bool> {
        let first_rowid = u16_at(page, 0)?;
        let leaf_end = u16_at(page, 2)?;
        if leaf_end > page.len() || leaf_end < 4 {
            return None;
        }
        // The offsets of the terms that start on this leaf (its footer, delta-encoded).
        let mut term_starts = Vec::new();
        let mut at = leaf_end;
        let mut offset = 0;
        while at < page.len() {
            offset += varint_usize(page, &mut at)?;
            if offset < 4 || offset >= leaf_end {
                return None;
            }
            term_starts.push(offset);
        }
        // What runs on from the leaf before: the rest of a doclist, up to the first term.
        let first_term = term_starts.first().copied().unwrap_or(leaf_end);
        if let Doclist::Inside { rowid, skip } = *state {
            if first_page {
                return None;
            }
            // Where the position list that ran on from the leaf before ends.
            let tail_end = 4 + skip;
            if first_rowid != 0 {
                // The first entry that starts on this leaf holds its whole rowid.
                if first_rowid < tail_end || first_rowid > first_term {
                    return None;
                }
                let mut at = first_rowid;
                let rowid = varint(page, &mut at)?;
                let at = self.entry(page, at, rowid, first_term, state)?;
                self.entries(page, at, first_term, state)?;
            } else if tail_end > first_term {
                if !term_starts.is_empty() {
                    return None;
                }
                // A position list longer than this leaf.
                *state = Doclist::Inside { rowid, skip: tail_end - first_term };
            } else {
                *state = Doclist::Inside { rowid, skip: 0 };
            }
            if term_starts.is_empty() {
                return Some(true);
            }
            *state = Doclist::Outside;
        }
        // The terms of this leaf: the first whole, the others sharing a prefix with the one
        // before; each one's doclist runs to the next term (or on past the leaf, for the last).
        for (i, &start) in term_starts.iter().enumerate() {
            let mut at = start;
            let keep = if i == 0 { 0 } else { varint_usize(page, &mut at)? };
            let new = varint_usize(page, &mut at)?;
            if keep > term.len() || at + new > leaf_end {
                return None;
            }
            term.truncate(keep);
            term.extend_from_slice(&page[at..at + new]);
            at += new;
            let end = term_starts.get(i + 1).copied().unwrap_or(leaf_end);
            let matches = if self.prefix { term.starts_with(self.key) } else { term[..] == *self.key };
            if matches {
                let rowid = varint(page, &mut at)?;
                *state = Doclist::Inside { rowid: 0, skip: 0 };
                at = self.entry(page, at, rowid, end, state)?;
                self.entries(page, at, end, state)?;
                if i + 1 < term_starts.len() {
                    *state = Doclist::Outside;
                }
            } else if term[..] > *self.key {
                return Some(false);
            }
        }
        Some(true)
    }

    /// The entries of a doclist from `at` (a rowid delta) to `end`.
    fn entries(&mut self, page: &[u8], mut at: usize, end: usize, state: &mut Doclist) -> Option<()> {
        while at < end {
            let Doclist::Inside { rowid, .. } = *state else { return None };
            let delta = varint(page, &mut at)?;
            if delta == 0 {
                return None;
            }
            at = self.entry(page, at, rowid + delta, end, state)?;
        }
        Some(())
    }

    /// One entry whose rowid is read: its position list's size, skipped (on past `end` if it
    /// runs into the next leaf). Returns where the next entry starts.
    fn entry(
        &mut self,
        page: &[u8],
        mut at: usize,
        rowid: u64,
        end: usize,
        state: &mut Doclist,
    ) -> Option<usize> {
        let size = varint(page, &mut at)?;
        if size & 1 == 1 {
            return None; // FTS5's delete flag: not written by a contentless_delete index
        }
        let bytes = usize::try_from(size >> 1).ok()?;
        if self.deleted.binary_search(&rowid).is_err() {
            (self.found)(i64::try_from(rowid).ok()?);
        }
        let next = at + bytes;
        if next > end {
            *state = Doclist::Inside { rowid, skip: next - end };
            return Some(end);
        }
        *state = Doclist::Inside { rowid, skip: 0 };
        Some(next)
    }
}

/// The rids of the products a text matches.
#[derive(Debug, Default)]
pub(crate) struct RidSet {
    bits: Vec<u64>,
    len: u64,
}

impl RidSet {
    pub(crate) fn insert(&mut self, rid: i64) {
        let Ok(rid) = usize::try_from(rid) else { return };
        let (word, bit) = (rid / 64, rid % 64);
        if word >= self.bits.len() {
            self.bits.resize(word + 1, 0);
        }
        if self.bits[word] & (1 << bit) == 0 {
            self.bits[word] |= 1 << bit;
            self.len += 1;
        }
    }

    pub(crate) fn contains(&self, rid: i64) -> bool {
        usize::try_from(rid)
            .ok()
            .and_then(|rid| self.bits.get(rid / 64).map(|w| w & (1 << (rid % 64)) != 0))
            .unwrap_or(false)
    }

    /// How many products match.
    pub(crate) fn len(&self) -> u64 {
        self.len
    }

    /// Keeps only the rids `other` holds too.
    pub(crate) fn retain_in(&mut self, other: &RidSet) {
        self.bits.truncate(other.bits.len());
        for (w, o) in self.bits.iter_mut().zip(&other.bits) {
            *w &= o;
        }
        self.len = self.bits.iter().map(|w| u64::from(w.count_ones())).sum();
    }
}

/// The rids `expr` matches, read from the index's pages (`search::postings`): several times
/// faster than through FTS5's `MATCH` for a broad word. `None` when only FTS5 can answer: an
/// expression not of quoted terms, a transaction open on this connection (FTS5 writes its
/// pages at commit), an index in a form not read there.
pub(crate) fn matching(conn: &Connection, expr: &str) -> Result<Option<RidSet>> {
    let Some(groups) = conjunction(expr) else { return Ok(None) };
    if !conn.is_autocommit() {
        return Ok(None);
    }
    let Some(postings) = Postings::open(conn, "products_fts")? else { return Ok(None) };
    let mut out: Option<RidSet> = None;
    // (A word typed twice is one condition: a pasted 10 000-character query reads each once.)
    let mut seen = std::collections::HashSet::new();
    for group in groups {
        if !seen.insert(group.clone()) {
            continue;
        }
        let mut set = RidSet::default();
        for (term, prefix) in group {
            if postings.each_row(&term, prefix, &mut |rid| set.insert(rid))?.is_none() {
                return Ok(None);
            }
        }
        match out.as_mut() {
            Some(all) => all.retain_in(&set),
            None => out = Some(set),
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    const WORDS: [&str; 12] =
        ["ab", "abc", "abd", "abdz", "b1", "b12", "b2", "§к", "§кр", "кроссовк", "кросс", "z"];

    /// The rowids FTS5 and this reader find for every word and prefix of the vocabulary.
    fn compare(conn: &Connection, when: &str) {
        let mut checked = 0;
        let mut terms: Vec<(String, bool)> = WORDS.iter().map(|w| (w.to_string(), false)).collect();
        for w in WORDS {
            for n in 1..=w.chars().count() {
                terms.push((w.chars().take(n).collect(), true));
            }
        }
        terms.push(("none".into(), false));
        terms.push(("zz".into(), true));
        for (term, prefix) in terms {
            let q = format!("\"{term}\"{}", if prefix { "*" } else { "" });
            let mut fts: Vec<i64> = conn
                .prepare_cached("SELECT rowid FROM t WHERE t MATCH ?1 ORDER BY rowid")
                .unwrap()
                .query_map([&q], |r| r.get(0))
                .unwrap()
                .collect::<rusqlite::Result<_>>()
                .unwrap();
            let postings = Postings::open(conn, "t").unwrap().expect("a structure read here");
            let mut mine = Vec::new();
            postings.each_row(&term, prefix, &mut |rid| mine.push(rid)).unwrap().expect("pages read here");
            mine.sort_unstable();
            mine.dedup();
            fts.dedup();
            assert_eq!(mine, fts, "{q} {when}");
            checked += fts.len();
        }
        assert!(checked > 1_000, "{when}: the vocabulary matched rows ({checked})");
    }

    /// Small pages (doclists and position lists run over many), small in-memory batches (many
    /// segments), deletes and rewrites (tombstones), rowids past 32 bits (8-byte tombstones), an
    /// incremental merge left half done, then one segment: the same rows as FTS5's MATCH.
    #[test]
    fn the_pages_hold_the_rows_fts5_matches() {
        let conn = Connection::open_in_memory().unwrap();
        conn.execute_batch(
            "CREATE VIRTUAL TABLE t USING fts5(title, body, content = '', contentless_delete = 1, \
             tokenize = 'ascii');
             INSERT INTO t (t, rank) VALUES ('pgsz', 64);
             INSERT INTO t (t, rank) VALUES ('hashsize', 2048);
             INSERT INTO t (t, rank) VALUES ('automerge', 0);",
        )
        .unwrap();
        let mut seed: u64 = 0x9E37_79B9_7F4A_7C15;
        let mut next = move || {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed
        };
        let mut rowids = Vec::new();
        for batch in 0..12 {
            conn.execute_batch("BEGIN").unwrap();
            for i in 0..300 {
                let rowid: i64 =
                    if i % 97 == 0 { 5_000_000_000 + batch * 1_000 + i } else { batch * 1_000 + i + 1 };
                let mut title = Vec::new();
                for _ in 0..(next() % 4 + 1) {
                    title.push(WORDS[(next() % WORDS.len() as u64) as usize]);
                }
                // Now and then a word many times over: a position list longer than a page.
                let body =
                    if i % 50 == 7 { vec!["abc"; 80].join(" ") } else { WORDS[i as usize % 5].to_string() };
                conn.execute(
                    "INSERT INTO t (rowid, title, body) VALUES (?1, ?2, ?3)",
                    rusqlite::params![rowid, title.join(" "), body],
                )
                .unwrap();
                rowids.push(rowid);
            }
            conn.execute_batch("COMMIT").unwrap();
            // Deletes and rewrites of rows written before.
            for _ in 0..40 {
                let rowid = rowids[(next() % rowids.len() as u64) as usize];
                conn.execute("DELETE FROM t WHERE rowid = ?1", [rowid]).unwrap();
                if next() % 2 == 0 {
                    conn.execute("INSERT INTO t (rowid, title, body) VALUES (?1, 'ab §к', 'b2')", [rowid])
                        .unwrap();
                }
            }
        }
        let segments = Postings::open(&conn, "t").unwrap().unwrap().segments.len();
        assert!(segments > 10, "{segments} segments");
        compare(&conn, "in many segments");
        conn.execute("INSERT INTO t (t, rank) VALUES ('merge', 40)", []).unwrap();
        compare(&conn, "during a merge");
        conn.execute("INSERT INTO t (t) VALUES ('optimize')", []).unwrap();
        assert_eq!(Postings::open(&conn, "t").unwrap().unwrap().segments.len(), 1);
        compare(&conn, "in one segment");
    }

    #[test]
    fn a_set_holds_what_was_inserted_once() {
        let mut set = RidSet::default();
        for rid in [1, 64, 65, 1_000_000, 64, -3] {
            set.insert(rid);
        }
        assert_eq!(set.len(), 4);
        for rid in [1, 64, 65, 1_000_000] {
            assert!(set.contains(rid), "{rid}");
        }
        for rid in [0, 2, 63, 66, 999_999, 2_000_000, -3] {
            assert!(!set.contains(rid), "{rid}");
        }
    }

    #[test]
    fn varints_read_as_sqlite_writes_them() {
        for (bytes, want) in [
            (&[0x00][..], 0u64),
            (&[0x7F][..], 127),
            (&[0x81, 0x00][..], 128),
            (&[0x82, 0x81, 0x01][..], (2 << 14) | (1 << 7) | 1),
            (&[0xFF; 9][..], u64::MAX),
        ] {
            let mut at = 0;
            assert_eq!(varint(bytes, &mut at), Some(want), "{bytes:?}");
            assert_eq!(at, bytes.len());
        }
        assert_eq!(varint(&[0x81], &mut 0), None, "cut short");
    }
}
