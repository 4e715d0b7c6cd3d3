-- The marketplaces' dictionaries as fetched (the category tree, a category's attributes and the
-- values of their dictionaries), and the seller's mapping onto them. External ids are text:
-- WB subjectID "105"; Ozon "<description_category_id>:<type_id>"; YM category id "7811901".
CREATE TABLE mp_categories (
    account_id  BLOB NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    ext_id      TEXT NOT NULL,
    parent_id   TEXT,
    name        TEXT NOT NULL,
    path        TEXT NOT NULL,                  -- "Обувь / Кроссовки", for search and suggestions
    leaf        INTEGER NOT NULL CHECK (leaf IN (0, 1)),
    fetched_at  INTEGER NOT NULL,
    attrs_fetched_at INTEGER,                   -- NULL until the category's attributes are cached
    PRIMARY KEY (account_id, ext_id)
) WITHOUT ROWID;

CREATE TABLE mp_attributes (
    account_id  BLOB NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    category_id TEXT NOT NULL,
    attr_id     TEXT NOT NULL,
    ord         INTEGER NOT NULL,               -- the marketplace's order
    body        TEXT NOT NULL,                  -- JSON MpAttribute
    PRIMARY KEY (account_id, category_id, attr_id)
) WITHOUT ROWID;

CREATE TABLE mp_values (
    account_id  BLOB NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    dictionary  TEXT NOT NULL,
    value_id    TEXT NOT NULL,
    value       TEXT NOT NULL,
    value_key   TEXT NOT NULL,                  -- dict::value_key(value), computed in Rust (Cyrillic)
    PRIMARY KEY (account_id, dictionary, value_id)
) WITHOUT ROWID;
CREATE INDEX mp_values_by_key ON mp_values(account_id, dictionary, value_key);

-- The seller's category (a catalog UUID: another file, so no foreign key) → a marketplace leaf.
CREATE TABLE category_map (
    account_id  BLOB NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    category_id BLOB NOT NULL,
    ext_id      TEXT NOT NULL,
    PRIMARY KEY (account_id, category_id)
) WITHOUT ROWID;

-- How a marketplace attribute of a marketplace category is filled.
CREATE TABLE attribute_map (
    account_id   BLOB NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    ext_category TEXT NOT NULL,
    attr_id      TEXT NOT NULL,
    source       TEXT NOT NULL,                 -- "field:brand" | "attr:Цвет" | "const:Россия"
    unit_factor  REAL,
    value_map    TEXT NOT NULL DEFAULT '{}',    -- JSON {"красн.": "<value_id>"}
    PRIMARY KEY (account_id, ext_category, attr_id)
) WITHOUT ROWID;
