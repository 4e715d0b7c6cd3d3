-- Team sync (crates/vitrina-sync, applied through vitrina-store's sync_apply.rs): what this
-- device knows of the team's shared catalog beyond its own rows. Local history stays the
-- outbox: a device pushes its own records after `push_rid` (in sync_meta).

-- Cursors and settings of sync, by key: the pull cursor, the last pushed history rid, the
-- server clock's offset, the team this catalog belongs to.
CREATE TABLE sync_meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
) WITHOUT ROWID;

-- One row per synced entity (a product, a category) known from a push, a pull or the
-- bootstrap: the stamp (HLC, device) of the value that won for each field, as JSON
-- {"*": [hlc, device], field: [hlc, device]…} where "*" stands for every field not named.
-- `held` keeps the values (JSON {field: text}) of an entity that has no row here: deleted
-- (its `alive` field lost to a delete), or not complete yet; an un-delete brings them back.
-- `waits_for`: the category a product names that this device has not received yet (the
-- product is shown without it until then).
CREATE TABLE sync_entities (
    id        BLOB PRIMARY KEY,
    entity    TEXT NOT NULL,
    stamps    TEXT NOT NULL,
    held      TEXT,
    waits_for BLOB
) WITHOUT ROWID;
CREATE INDEX sync_entities_waiting ON sync_entities(waits_for) WHERE waits_for IS NOT NULL;

-- Values that lost a conflict: two devices changed the same field without seeing each other's
-- change, and the later stamp won. Shown in the product's history; a person may restore one.
CREATE TABLE sync_conflicts (
    rid           INTEGER PRIMARY KEY,
    entity_id     BLOB NOT NULL,
    field         TEXT NOT NULL,
    value         TEXT,
    who           TEXT NOT NULL,
    hlc           INTEGER NOT NULL,
    device        BLOB NOT NULL,
    winner_value  TEXT,
    winner_who    TEXT,
    winner_hlc    INTEGER NOT NULL,
    winner_device BLOB NOT NULL,
    at            INTEGER NOT NULL
);
CREATE INDEX sync_conflicts_by_entity ON sync_conflicts(entity_id, rid);

-- Products shown under another SKU because a product with an earlier stamp holds the SKU they
-- were given (two devices created the same SKU apart): the SKU each wants. Flagged to the
-- seller; the product gets its SKU back once it is free.
CREATE TABLE sync_sku_clashes (
    id  BLOB PRIMARY KEY,
    sku TEXT NOT NULL
) WITHOUT ROWID;
CREATE INDEX sync_sku_clashes_by_sku ON sync_sku_clashes(sku);
