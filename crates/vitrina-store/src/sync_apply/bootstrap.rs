//! A new device's catalog, built from the server's state (one doc per entity) instead of by
//! replaying the team's whole log: staged like any new catalog (a staging file, no journal,
//! secondary indexes built at the end, then renamed into place), with the clash rule applied
//! as the docs stream in, and no history beyond one clock marker.

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};

use serde::Serialize;
use uuid::Uuid;
use vitrina_domain::sync::{CATEGORY_NAME, CATEGORY_PARENT, product_from_values};
use vitrina_domain::{DeviceId, Doc, EntityKind, Hlc, Product, ProductId, Stamp};

use super::apply::insert_category;
use super::stamps::{self, Known, Values};
use super::{clash, keep_clock_after, set_meta};
use crate::catalog::Catalog;
use crate::error::Result;
use crate::rows;
use crate::search::{SearchText, Stems, index};

/// What a bootstrap built.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct BootstrapReport {
    pub products: u64,
    pub categories: u64,
    /// Rows of the settings tables written.
    pub rows: u64,
    /// Entities without a row (deleted, or not complete).
    pub held: u64,
    /// Products shown under another SKU (an earlier product has theirs).
    pub clashes: u64,
}

/// A product doc read for [`Bootstrap::insert`].
#[derive(Debug)]
pub struct PreparedProduct {
    id: Uuid,
    product: Option<Product>,
    search: Option<SearchText>,
    held: Option<Values>,
    sku_stamp: Stamp,
    latest: Option<Stamp>,
    stamps: String,
}

/// A catalog being built from state docs: categories first ([`Bootstrap::category`]), then
/// products ([`Bootstrap::product`]), then [`Bootstrap::finish`].
pub struct Bootstrap {
    catalog: Catalog,
    path: PathBuf,
    categories: Vec<(Uuid, Doc)>,
    /// Rows of the settings tables, written after every product (they name products).
    rows: Vec<(EntityKind, Uuid, Doc)>,
    placed: bool,
    category_rids: HashMap<Uuid, (i64, String)>,
    skus: HashMap<String, ((Stamp, Uuid), i64)>,
    to_index: Vec<(i64, SearchText)>,
    known: KnownRows,
    stems: Stems,
    latest: Option<Stamp>,
    report: BootstrapReport,
    now: u64,
}

impl std::fmt::Debug for Bootstrap {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Bootstrap").field("path", &self.path).field("report", &self.report).finish()
    }
}

const INDEX_BLOCK: usize = 4096;

impl Catalog {
    /// Starts building a new catalog for `path` from the team's state (`path` is replaced only
    /// by [`Bootstrap::finish`]). The new catalog is a new device.
    pub fn sync_bootstrap(path: impl AsRef<Path>) -> Result<Bootstrap> {
        let catalog = Catalog::build_new(path.as_ref())?;
        catalog.conn.execute_batch("BEGIN")?;
        let now = catalog.now_ms();
        Ok(Bootstrap {
            catalog,
            path: path.as_ref().to_path_buf(),
            categories: Vec::new(),
            rows: Vec::new(),
            placed: false,
            category_rids: HashMap::new(),
            skus: HashMap::new(),
            to_index: Vec::with_capacity(INDEX_BLOCK),
            known: KnownRows::default(),
            stems: Stems::new(),
            latest: None,
            report: BootstrapReport::default(),
            now,
        })
    }
}

impl Bootstrap {
    /// The new catalog's device id.
    pub fn device(&self) -> DeviceId {
        self.catalog.device()
    }

    pub fn category(&mut self, id: Uuid, doc: Doc) {
        self.categories.push((id, doc));
    }

    /// Adds the doc of a settings table's row (`EntityKind::is_row`).
    pub fn row(&mut self, kind: EntityKind, id: Uuid, doc: Doc) {
        self.saw(&doc);
        self.rows.push((kind, id, doc));
    }

    /// Adds a product's doc (read and written on this thread; see [`Bootstrap::prepare`]).
    pub fn product(&mut self, id: Uuid, doc: &Doc) -> Result<()> {
        let prepared = Self::prepare(id, doc, &mut self.stems);
        self.insert(prepared)
    }

    /// Reads a product's doc into what the catalog writes: the work of a bootstrap that is not
    /// the catalog's, done on the thread that decodes the docs while the writer writes.
    pub fn prepare(id: Uuid, doc: &Doc, stems: &mut Stems) -> PreparedProduct {
        let known = known(EntityKind::Product, doc);
        let product =
            doc.alive().then(|| product_from_values(ProductId(id), |f| doc.value(f)).ok()).flatten();
        PreparedProduct {
            id,
            search: product.as_ref().map(|p| SearchText::of(p, stems)),
            held: product.is_none().then(|| values(doc)),
            sku_stamp: doc
                .stamp("sku")
                .unwrap_or(Stamp { hlc: Hlc::default(), device: DeviceId(Uuid::nil()) }),
            latest: doc.max_stamp(),
            stamps: stamps::encode(EntityKind::Product, &known.stamps),
            product,
        }
    }

    /// Writes a prepared product.
    pub fn insert(&mut self, p: PreparedProduct) -> Result<()> {
        self.place_categories()?;
        if let Some(s) = p.latest
            && self.latest.is_none_or(|l| l < s)
        {
            self.latest = Some(s);
        }
        let conn = &self.catalog.conn;
        let (Some(mut product), Some(mut search)) = (p.product, p.search) else {
            self.report.held += 1;
            return stamps::save_text(conn, p.id, EntityKind::Product, &p.stamps, p.held.as_ref(), None);
        };
        let mut waits_for = None;
        let category = match product.category {
            None => None,
            Some(c) => match self.category_rids.get(&c.0) {
                Some((rid, _)) => Some(*rid),
                None => {
                    waits_for = Some(c.0);
                    product.category = None;
                    None
                }
            },
        };
        let wanted = product.sku.clone();
        let mine = (p.sku_stamp, p.id);
        let mut shows_wanted = true;
        if let Some(&(theirs, their_rid)) = self.skus.get(&wanted) {
            self.report.clashes += 1;
            if mine < theirs {
                // The product shown under this SKU so far set it later: it moves aside.
                flush(conn, &mut self.to_index)?;
                clash::show(conn, their_rid, &clash::suffixed(&wanted, theirs.1, false))?;
                clash::flag(conn, theirs.1, &wanted)?;
            } else {
                product.sku = clash::suffixed(&wanted, p.id, false);
                clash::flag(conn, p.id, &wanted)?;
                search = SearchText::of(&product, &mut self.stems);
                shows_wanted = false;
            }
        }
        let rid = rows::insert_row(conn, &product, category, product.content_hash(), self.now)?;
        if shows_wanted {
            self.skus.insert(wanted, (mine, rid));
        }
        self.to_index.push((rid, search));
        if self.to_index.len() >= INDEX_BLOCK {
            flush(conn, &mut self.to_index)?;
        }
        self.report.products += 1;
        self.known.add(p.id, p.stamps, waits_for);
        Ok(())
    }

    /// Finishes the catalog: search index, the clock marker, the sync settings in `meta` (the
    /// pull cursor among them), secondary indexes, then moves it into place.
    pub fn finish(mut self, meta: &[(&str, &str)]) -> Result<BootstrapReport> {
        self.place_categories()?;
        let conn = &self.catalog.conn;
        flush(conn, &mut self.to_index)?;
        std::mem::take(&mut self.known).write(conn)?;
        self.report.rows = super::rows::finish_bootstrap(&mut self.catalog, std::mem::take(&mut self.rows))?;
        let conn = &self.catalog.conn;
        keep_clock_after(conn, self.latest)?;
        for (key, value) in meta {
            set_meta(conn, key, value)?;
        }
        // Nothing of the team's state is this device's to push.
        let last: i64 = conn.query_row("SELECT coalesce(max(rid), 0) FROM history", [], |r| r.get(0))?;
        set_meta(conn, super::PUSH_RID, &last.to_string())?;
        let last: i64 = conn.query_row("SELECT coalesce(max(rid), 0) FROM categories", [], |r| r.get(0))?;
        set_meta(conn, super::PUSH_CATEGORY_RID, &last.to_string())?;
        conn.execute_batch("COMMIT")?;
        let report = self.report.clone();
        self.catalog.finish_build(&self.path)?;
        Ok(report)
    }

    fn saw(&mut self, doc: &Doc) {
        if let Some(s) = doc.max_stamp()
            && self.latest.is_none_or(|l| l < s)
        {
            self.latest = Some(s);
        }
    }

    /// Inserts the categories received, parents first; one whose parent never came is held
    /// and waits for it.
    fn place_categories(&mut self) -> Result<()> {
        if self.placed {
            return Ok(());
        }
        self.placed = true;
        let mut pending = std::mem::take(&mut self.categories);
        for (_, doc) in &pending {
            self.saw(doc);
        }
        let conn = &self.catalog.conn;
        loop {
            let before = pending.len();
            let mut later = Vec::new();
            for (id, doc) in pending {
                let parent = doc.value(CATEGORY_PARENT).and_then(|p| p.parse::<Uuid>().ok());
                let name = doc.value(CATEGORY_NAME).map(str::to_string);
                let mut known = known(EntityKind::Category, &doc);
                match (name.filter(|_| doc.alive()), parent) {
                    (None, _) => {
                        known.held = Some(values(&doc));
                        self.report.held += 1;
                    }
                    (Some(name), None) => {
                        let rid = insert_category(conn, id, None, "/", name)?;
                        self.category_rids.insert(id, (rid, format!("/{rid}/")));
                        self.report.categories += 1;
                    }
                    (Some(name), Some(parent)) => match self.category_rids.get(&parent).cloned() {
                        Some((parent_rid, parent_path)) => {
                            let rid = insert_category(conn, id, Some(parent_rid), &parent_path, name)?;
                            self.category_rids.insert(id, (rid, format!("{parent_path}{rid}/")));
                            self.report.categories += 1;
                        }
                        None => {
                            later.push((id, doc));
                            continue;
                        }
                    },
                }
                stamps::save(conn, id, &known)?;
            }
            pending = later;
            if pending.is_empty() || pending.len() == before {
                break;
            }
        }
        for (id, doc) in pending {
            let mut known = known(EntityKind::Category, &doc);
            known.held = Some(values(&doc));
            known.waits_for = doc.value(CATEGORY_PARENT).and_then(|p| p.parse().ok());
            self.report.held += 1;
            stamps::save(conn, id, &known)?;
        }
        Ok(())
    }
}

/// The products' `sync_entities` rows, written once every product is in, sorted by id: the
/// docs arrive in no order of id, and a million inserts at random places of that table cost
/// more than the sort. A stamps text the previous product had too (the team's seed stamps
/// most products alike) is kept once.
#[derive(Default)]
struct KnownRows {
    rows: Vec<(Uuid, u32, Option<Uuid>)>,
    texts: Vec<String>,
}

impl KnownRows {
    fn add(&mut self, id: Uuid, stamps: String, waits_for: Option<Uuid>) {
        if self.texts.last() != Some(&stamps) {
            self.texts.push(stamps);
        }
        self.rows.push((id, self.texts.len() as u32 - 1, waits_for));
    }

    fn write(mut self, conn: &rusqlite::Connection) -> Result<()> {
        self.rows.sort_unstable_by_key(|(id, _, _)| *id);
        for (id, at, waits_for) in self.rows {
            stamps::save_text(conn, id, EntityKind::Product, &self.texts[at as usize], None, waits_for)?;
        }
        Ok(())
    }
}

fn known(kind: EntityKind, doc: &Doc) -> Known {
    let mut known = Known::new(kind);
    known.stamps = doc.0.iter().map(|(f, (_, s))| (f.clone(), *s)).collect::<BTreeMap<_, _>>();
    known
}

fn values(doc: &Doc) -> Values {
    doc.0.iter().map(|(f, (v, _))| (f.clone(), v.clone())).collect()
}

fn flush(conn: &rusqlite::Connection, block: &mut Vec<(i64, SearchText)>) -> Result<()> {
    for (rid, text) in block.drain(..) {
        index::insert(conn, rid, &text)?;
    }
    Ok(())
}
