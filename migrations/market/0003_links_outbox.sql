-- What each account knows of each product's card, the outbox of writes to send, and the last
-- price and stock pushed. Products are catalog UUIDs (another file, so no foreign key).
CREATE TABLE links (
    account_id  BLOB NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    product_id  BLOB NOT NULL,
    offer_id    TEXT NOT NULL,                  -- WB vendorCode / Ozon offer_id / YM offerId (the SKU)
    ext_id      TEXT,                           -- WB nmID | Ozon product_id | YM marketSku
    ext_group   TEXT,                           -- WB imtID | Ozon model_id | YM groupId
    ext_sku     TEXT,                           -- Ozon sku
    sizes       TEXT,                           -- WB JSON sizes with chrtID
    status      TEXT NOT NULL DEFAULT 'queued'
        CHECK (status IN ('queued', 'sent', 'processing', 'live', 'rejected', 'precheck_failed')),
    problems    TEXT NOT NULL DEFAULT '[]',     -- JSON [Problem]: Vitrina's own check
    errors      TEXT NOT NULL DEFAULT '[]',     -- JSON [MarketProblem]: the marketplace's words, verbatim
    ext_status  TEXT,
    sent_hash   INTEGER,                        -- hash of the card payload last sent
    live_hash   INTEGER,                        -- … last accepted
    updated_at  INTEGER NOT NULL,
    PRIMARY KEY (account_id, product_id)
) WITHOUT ROWID;
CREATE UNIQUE INDEX links_by_offer ON links(account_id, offer_id);
CREATE INDEX links_by_status ON links(account_id, status, updated_at);

CREATE TABLE outbox (
    seq         INTEGER PRIMARY KEY,            -- send order
    account_id  BLOB NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    product_id  BLOB NOT NULL,
    offer_id    TEXT NOT NULL,
    op          TEXT NOT NULL CHECK (op IN ('card', 'price', 'stock')),
    warehouse   TEXT NOT NULL DEFAULT '',       -- stock: the marketplace's warehouse id
    payload     TEXT NOT NULL,                  -- the item's JSON exactly as it goes into a batch
    hash        INTEGER NOT NULL,
    state       TEXT NOT NULL DEFAULT 'pending'
        CHECK (state IN ('pending', 'sending', 'awaiting', 'done', 'failed')),
    task        TEXT,                           -- async handle (Ozon task_id, WB uploadID…)
    poll_after  INTEGER,                        -- next follow-up, UTC ms
    not_before  INTEGER NOT NULL DEFAULT 0,     -- frequency guards and retries, UTC ms
    attempts    INTEGER NOT NULL DEFAULT 0,
    error       TEXT,
    created_at  INTEGER NOT NULL,
    sent_at     INTEGER,
    done_at     INTEGER
);
-- At most one pending row per item: a newer payload replaces the older (coalescing).
CREATE UNIQUE INDEX outbox_pending ON outbox(account_id, product_id, op, warehouse) WHERE state = 'pending';
CREATE INDEX outbox_next ON outbox(account_id, op, state, not_before, seq);
CREATE INDEX outbox_awaits ON outbox(account_id, state, poll_after) WHERE state = 'awaiting';

CREATE TABLE pushed (
    account_id  BLOB NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    product_id  BLOB NOT NULL,
    op          TEXT NOT NULL CHECK (op IN ('price', 'stock')),
    warehouse   TEXT NOT NULL DEFAULT '',
    hash        INTEGER NOT NULL,               -- of the value last applied
    recent      TEXT NOT NULL DEFAULT '[]',     -- JSON send times (UTC ms) inside the guard's window
    sent_at     INTEGER NOT NULL,
    PRIMARY KEY (account_id, product_id, op, warehouse)
) WITHOUT ROWID;
