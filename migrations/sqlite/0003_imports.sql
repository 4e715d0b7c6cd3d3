-- Supplier imports (DESIGN §1, §3): where each supplier's feeds come from and how they map onto
-- the catalog, what supplier categories and brands mean in the seller's terms, and a record of
-- every import run with the rows it rejected. Settings, sources, mappings and price rules are
-- JSON written and read by vitrina-import; times are UTC milliseconds.

-- Per-supplier import settings (currency rates, price rules, what to do with offers that left
-- the feed, whether to create missing categories, brand aliases).
ALTER TABLE suppliers ADD COLUMN settings TEXT NOT NULL DEFAULT '{}';

-- A supplier's feeds. Position 0 is the main one; the others add fields joined by SKU (a price
-- list and a stock file published apart from the catalog).
CREATE TABLE supplier_sources (
    rid          INTEGER PRIMARY KEY,
    supplier_rid INTEGER NOT NULL REFERENCES suppliers(rid) ON DELETE CASCADE,
    position     INTEGER NOT NULL,
    -- {"file": {...}} or {"url": {...}}: never a secret (those live in the OS keyring).
    spec         TEXT NOT NULL,
    -- How to read it (format, encoding, delimiter, sheet, record path) and the mapping profile.
    read_options TEXT NOT NULL DEFAULT '{}',
    mapping      TEXT,
    -- Validators for the next conditional GET.
    etag          TEXT,
    last_modified TEXT,
    UNIQUE (supplier_rid, position)
);

-- The offer's own retail price as priced by the rules, so the stock policy can pick a
-- supplier's cost and price together; `primary_offer` marks the offer whose supplier created
-- the product (its descriptive fields follow that feed); `gone_at` is set when the offer left
-- the feed.
ALTER TABLE supplier_offers ADD COLUMN price INTEGER;
ALTER TABLE supplier_offers ADD COLUMN old_price INTEGER;
ALTER TABLE supplier_offers ADD COLUMN primary_offer INTEGER NOT NULL DEFAULT 0;
ALTER TABLE supplier_offers ADD COLUMN gone_at INTEGER;

-- Matching a new offer to a product sold by another supplier: by barcode (product_barcodes),
-- then by brand + vendor code.
CREATE INDEX products_by_brand_model ON products(brand, model) WHERE model <> '';

-- Supplier category path (names joined by ' / ') → the seller's category; NULL = leave unset.
CREATE TABLE category_map (
    supplier_rid  INTEGER NOT NULL REFERENCES suppliers(rid) ON DELETE CASCADE,
    supplier_path TEXT NOT NULL,
    category_rid  INTEGER REFERENCES categories(rid) ON DELETE SET NULL,
    PRIMARY KEY (supplier_rid, supplier_path)
) WITHOUT ROWID;

-- A supplier's variant-group key (YML group_id) → the catalog's variant group id.
CREATE TABLE supplier_groups (
    supplier_rid INTEGER NOT NULL REFERENCES suppliers(rid) ON DELETE CASCADE,
    group_key    TEXT NOT NULL,
    group_id     BLOB NOT NULL,
    PRIMARY KEY (supplier_rid, group_key)
) WITHOUT ROWID;

CREATE TABLE import_runs (
    rid          INTEGER PRIMARY KEY,
    id           BLOB NOT NULL UNIQUE,
    supplier_rid INTEGER NOT NULL REFERENCES suppliers(rid) ON DELETE CASCADE,
    job_id       BLOB,
    state        TEXT NOT NULL CHECK (state IN ('running', 'succeeded', 'failed', 'cancelled')),
    -- What was read: file names or URLs (without credentials), one per line.
    source       TEXT NOT NULL DEFAULT '',
    started_at   INTEGER NOT NULL,
    finished_at  INTEGER,
    rows_read    INTEGER NOT NULL DEFAULT 0,
    created      INTEGER NOT NULL DEFAULT 0,
    updated      INTEGER NOT NULL DEFAULT 0,
    unchanged    INTEGER NOT NULL DEFAULT 0,
    disappeared  INTEGER NOT NULL DEFAULT 0,
    rejected     INTEGER NOT NULL DEFAULT 0,
    warnings     INTEGER NOT NULL DEFAULT 0,
    -- Milliseconds spent reading and in total; notices about the file (JSON array of text).
    read_ms      INTEGER,
    total_ms     INTEGER,
    notices      TEXT NOT NULL DEFAULT '[]',
    error        TEXT
);
CREATE INDEX import_runs_by_supplier ON import_runs(supplier_rid, rid);

-- Rows a run rejected (kind 'rejected') or kept with a problem (kind 'warning').
CREATE TABLE import_issues (
    run_rid   INTEGER NOT NULL REFERENCES import_runs(rid) ON DELETE CASCADE,
    seq       INTEGER NOT NULL,
    kind      TEXT NOT NULL CHECK (kind IN ('rejected', 'warning')),
    line      INTEGER,
    record_id TEXT,
    field     TEXT NOT NULL,
    value     TEXT NOT NULL,
    reason    TEXT NOT NULL,
    PRIMARY KEY (run_rid, seq)
) WITHOUT ROWID;
