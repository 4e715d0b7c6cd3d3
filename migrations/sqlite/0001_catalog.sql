-- The local catalog. Ids are UUIDv7 as 16-byte blobs; `rid` is the local rowid that child
-- tables and the search index point at (never leaves this database). Money is integer minor
-- units; times are UTC milliseconds since the Unix epoch.

CREATE TABLE meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
) WITHOUT ROWID;

CREATE TABLE categories (
    rid        INTEGER PRIMARY KEY,
    id         BLOB NOT NULL UNIQUE,
    parent_rid INTEGER REFERENCES categories(rid) ON DELETE RESTRICT,
    name       TEXT NOT NULL CHECK (length(trim(name)) > 0),
    -- Materialized path of rids, '/1/5/12/': a subtree is a prefix range.
    tree_path  TEXT NOT NULL DEFAULT '',
    UNIQUE (parent_rid, name)
);
CREATE INDEX categories_tree_path ON categories(tree_path);

CREATE TABLE products (
    rid           INTEGER PRIMARY KEY,
    id            BLOB NOT NULL,
    sku           TEXT NOT NULL CHECK (length(sku) > 0),
    name          TEXT NOT NULL CHECK (length(name) > 0),
    -- lower(name) for case-insensitive sorting that SQLite's NOCASE can't do for Cyrillic
    name_key      TEXT NOT NULL,
    brand         TEXT NOT NULL DEFAULT '',
    model         TEXT NOT NULL DEFAULT '',
    category_rid  INTEGER REFERENCES categories(rid) ON DELETE SET NULL,
    variant_group BLOB,
    weight_g      INTEGER CHECK (weight_g >= 0),
    length_mm     INTEGER,
    width_mm      INTEGER,
    height_mm     INTEGER,
    currency      TEXT NOT NULL,
    price         INTEGER NOT NULL CHECK (price >= 0),
    old_price     INTEGER CHECK (old_price >= 0),
    cost          INTEGER CHECK (cost >= 0),
    stock         INTEGER NOT NULL DEFAULT 0 CHECK (stock >= 0),
    status        TEXT NOT NULL DEFAULT 'draft' CHECK (status IN ('draft', 'active', 'archived')),
    -- The first image, for lists; all of them are in product_details.
    image         TEXT,
    content_hash  INTEGER NOT NULL,
    created_at    INTEGER NOT NULL,
    updated_at    INTEGER NOT NULL
);
-- The long texts, kept out of `products` so lists, filters and index builds read narrow rows.
CREATE TABLE product_details (
    rid         INTEGER PRIMARY KEY REFERENCES products(rid) ON DELETE CASCADE,
    -- Sanitized HTML.
    description TEXT NOT NULL DEFAULT '',
    -- Characteristics as a JSON array of {name, value, unit}, in the seller's order: always
    -- read and written with the product, at a fraction of the cost of one row each.
    attributes  TEXT NOT NULL DEFAULT '[]',
    -- Image URLs in order, one per line.
    images      TEXT NOT NULL DEFAULT ''
);

CREATE UNIQUE INDEX products_id  ON products(id);
CREATE UNIQUE INDEX products_sku ON products(sku);
-- Keyset pagination: every sortable column ends with rid so each page is an index range.
CREATE INDEX products_by_name     ON products(name_key, rid);
CREATE INDEX products_by_price    ON products(price, rid);
CREATE INDEX products_by_stock    ON products(stock, rid);
CREATE INDEX products_by_updated  ON products(updated_at, rid);
CREATE INDEX products_by_category ON products(category_rid, name_key, rid);
CREATE INDEX products_by_brand    ON products(brand, name_key, rid);
CREATE INDEX products_by_status   ON products(status, name_key, rid);
CREATE INDEX products_by_group    ON products(variant_group) WHERE variant_group IS NOT NULL;

CREATE TABLE product_barcodes (
    product_rid INTEGER NOT NULL REFERENCES products(rid) ON DELETE CASCADE,
    position    INTEGER NOT NULL,
    code        TEXT NOT NULL,
    PRIMARY KEY (product_rid, position)
) WITHOUT ROWID;
CREATE INDEX product_barcodes_by_code ON product_barcodes(code);


-- Kits (components with quantities), packs (N units of a base product) and related items.
CREATE TABLE product_links (
    from_rid    INTEGER NOT NULL REFERENCES products(rid) ON DELETE CASCADE,
    to_rid      INTEGER NOT NULL REFERENCES products(rid) ON DELETE CASCADE,
    kind        TEXT NOT NULL CHECK (kind IN ('kit', 'pack', 'related')),
    quantity    INTEGER NOT NULL DEFAULT 1 CHECK (quantity > 0),
    discount_bp INTEGER NOT NULL DEFAULT 0 CHECK (discount_bp BETWEEN 0 AND 10000),
    PRIMARY KEY (from_rid, to_rid, kind),
    CHECK (from_rid <> to_rid)
) WITHOUT ROWID;
CREATE INDEX product_links_by_target ON product_links(to_rid, kind);

CREATE TABLE suppliers (
    rid      INTEGER PRIMARY KEY,
    id       BLOB NOT NULL UNIQUE,
    name     TEXT NOT NULL UNIQUE CHECK (length(trim(name)) > 0),
    priority INTEGER NOT NULL DEFAULT 0,
    policy   TEXT NOT NULL DEFAULT 'cheapest_in_stock',
    created_at INTEGER NOT NULL
);

CREATE TABLE supplier_offers (
    rid          INTEGER PRIMARY KEY,
    id           BLOB NOT NULL UNIQUE,
    supplier_rid INTEGER NOT NULL REFERENCES suppliers(rid) ON DELETE CASCADE,
    product_rid  INTEGER NOT NULL REFERENCES products(rid) ON DELETE CASCADE,
    supplier_sku TEXT NOT NULL,
    currency     TEXT NOT NULL,
    cost         INTEGER CHECK (cost >= 0),
    stock        INTEGER NOT NULL DEFAULT 0,
    content_hash INTEGER NOT NULL DEFAULT 0,
    last_seen    INTEGER NOT NULL,
    UNIQUE (supplier_rid, supplier_sku)
);
CREATE INDEX supplier_offers_by_product ON supplier_offers(product_rid);
CREATE INDEX supplier_offers_by_supplier ON supplier_offers(supplier_rid, product_rid);

-- Every change, field by field: old -> new as canonical text, stamped with a hybrid logical
-- clock (48 bits of ms, 16 of counter) and the device. Records of one edit share `batch`.
-- `undo_of` marks records that revert an earlier batch.
CREATE TABLE history (
    rid       INTEGER PRIMARY KEY,
    id        BLOB NOT NULL,
    entity    TEXT NOT NULL,
    entity_id BLOB NOT NULL,
    op        TEXT NOT NULL CHECK (op IN ('create', 'update', 'delete')),
    field     TEXT NOT NULL,
    old       TEXT,
    new       TEXT,
    who       TEXT NOT NULL,
    hlc       INTEGER NOT NULL,
    device    BLOB NOT NULL,
    batch     BLOB NOT NULL,
    undo_of   BLOB
);
CREATE INDEX history_by_entity ON history(entity_id, rid);
CREATE INDEX history_by_hlc ON history(hlc);
CREATE INDEX history_undone ON history(undo_of) WHERE undo_of IS NOT NULL;

-- Full-text search over stemmed tokens (see vitrina-store/src/search/). Contentless: the text
-- is rebuilt from products; `title` holds name, brand, model, SKU and barcodes, `body` the
-- description and attribute values. rowid = products.rid.
CREATE VIRTUAL TABLE products_fts USING fts5(
    title, body,
    content = '',
    contentless_delete = 1,
    -- Tokens arrive already lower-cased and stemmed; 'ascii' splits them on spaces only.
    tokenize = 'ascii'
);
-- Matches in the title weigh ten times matches in the body.
INSERT INTO products_fts (products_fts, rank) VALUES ('rank', 'bm25(10.0, 1.0)');
-- Keep up to 32 MB of new terms in memory before writing a segment: bulk loads write fewer,
-- larger segments and merge far less.
INSERT INTO products_fts (products_fts, rank) VALUES ('hashsize', 33554432);
