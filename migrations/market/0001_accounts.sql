-- The marketplace file (`<catalog>.market`, owned by vitrina-market; DESIGN §6): the seller's
-- accounts on Wildberries, Ozon and Yandex Market. Ids are UUIDv7 blobs, times UTC ms. No
-- secrets: credentials are in the store of secrets under `market.<id>.credentials`.
CREATE TABLE accounts (
    id          BLOB PRIMARY KEY,
    name        TEXT NOT NULL UNIQUE CHECK (length(trim(name)) > 0),
    market      TEXT NOT NULL CHECK (market IN ('wb', 'ozon', 'ym')),
    -- One URL for every API group of the marketplace (sandbox, fake, demo); NULL = production hosts.
    base_url    TEXT,
    business_id INTEGER CHECK (business_id > 0),   -- Yandex Market cabinet
    campaign_id INTEGER CHECK (campaign_id > 0),   -- Yandex Market shop
    settings    TEXT NOT NULL DEFAULT '{}',        -- JSON AccountSettings: auto_push, warehouses, …
    last_check  TEXT,                              -- JSON ConnectionCheck
    created_at  INTEGER NOT NULL,
    updated_at  INTEGER NOT NULL
) WITHOUT ROWID;
