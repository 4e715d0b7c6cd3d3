-- The AI file (<catalog>.ai), owned by vitrina-ai: providers (never their keys), prompt
-- versions, prices per model, the answer cache, runs, per-product results and suggestions.
-- Ids are UUIDv7 (16-byte blobs); times are UTC milliseconds; money is integer minor units.

CREATE TABLE providers (
    id          BLOB PRIMARY KEY,
    name        TEXT NOT NULL UNIQUE,
    kind        TEXT NOT NULL CHECK (kind IN ('openai', 'gemini')),
    base_url    TEXT NOT NULL,
    model       TEXT NOT NULL,
    -- JSON: concurrency, requests per minute, timeout, JSON mode.
    settings    TEXT NOT NULL DEFAULT '{}',
    -- JSON of the last connection check.
    last_check  TEXT,
    created_at  INTEGER NOT NULL,
    updated_at  INTEGER NOT NULL
);

-- Prices per model: minor units per million tokens.
CREATE TABLE model_prices (
    model            TEXT PRIMARY KEY,
    input_per_mtok   INTEGER NOT NULL CHECK (input_per_mtok >= 0),
    output_per_mtok  INTEGER NOT NULL CHECK (output_per_mtok >= 0),
    currency         TEXT NOT NULL
);

-- Every saved version of a prompt template; the newest of a (task, target) is in use.
CREATE TABLE prompts (
    id          BLOB PRIMARY KEY,
    task        TEXT NOT NULL CHECK (task IN ('moderate', 'generate')),
    target      TEXT NOT NULL,
    version     INTEGER NOT NULL,
    body        TEXT NOT NULL,
    created_at  INTEGER NOT NULL,
    UNIQUE (task, target, version)
);

-- A model's parsed answer for a product's content under a prompt: an unchanged product is
-- never sent again. The key's hashes are XXH3-64 (stable across builds).
CREATE TABLE cache (
    task           TEXT NOT NULL,
    content_hash   INTEGER NOT NULL,
    prompt_hash    INTEGER NOT NULL,
    model          TEXT NOT NULL,
    answer         TEXT NOT NULL,
    input_tokens   INTEGER NOT NULL,
    output_tokens  INTEGER NOT NULL,
    created_at     INTEGER NOT NULL,
    PRIMARY KEY (task, content_hash, prompt_hash, model)
) WITHOUT ROWID;

CREATE TABLE runs (
    id             BLOB PRIMARY KEY,
    task           TEXT NOT NULL,
    provider       TEXT NOT NULL,
    model          TEXT NOT NULL,
    target         TEXT NOT NULL,
    started_at     INTEGER NOT NULL,
    finished_at    INTEGER,
    products       INTEGER NOT NULL DEFAULT 0,
    requests       INTEGER NOT NULL DEFAULT 0,
    cached         INTEGER NOT NULL DEFAULT 0,
    failed         INTEGER NOT NULL DEFAULT 0,
    input_tokens   INTEGER NOT NULL DEFAULT 0,
    output_tokens  INTEGER NOT NULL DEFAULT 0,
    cost_minor     INTEGER,
    currency       TEXT
);

-- What a run found for each product; a failure keeps the model's raw answer for inspection.
CREATE TABLE results (
    run_id      BLOB NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
    product_id  BLOB NOT NULL,
    sku         TEXT NOT NULL,
    state       TEXT NOT NULL CHECK (state IN ('ok', 'issues', 'failed')),
    cached      INTEGER NOT NULL DEFAULT 0,
    verdict     TEXT,
    error_code  TEXT,
    error       TEXT,
    raw         TEXT,
    PRIMARY KEY (run_id, product_id)
);
CREATE INDEX results_by_product ON results (product_id);

-- One proposed change of one field, until the seller accepts or rejects it.
CREATE TABLE suggestions (
    id          BLOB PRIMARY KEY,
    product_id  BLOB NOT NULL,
    sku         TEXT NOT NULL,
    field       TEXT NOT NULL,
    old_value   TEXT NOT NULL,
    new_value   TEXT NOT NULL,
    task        TEXT NOT NULL,
    reason      TEXT,
    run_id      BLOB,
    model       TEXT NOT NULL,
    status      TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'accepted', 'rejected', 'superseded')),
    created_at  INTEGER NOT NULL,
    decided_at  INTEGER
);
CREATE INDEX suggestions_pending ON suggestions (status, sku);
CREATE INDEX suggestions_by_product ON suggestions (product_id, field, status);
