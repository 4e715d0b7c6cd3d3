-- The local image cache (DESIGN §3: ordered URLs plus a local content-addressed cache).
-- Products keep their image URLs (product_details.images); this table says, per URL, which file
-- of the cache holds its picture: `images/<first 2 hex>/<sha256>.<ext>` next to the catalog, so
-- one picture published under several URLs is stored once. A URL whose download failed keeps
-- the reason and the number of failures in a row, and is tried again only from `retry_at` on
-- (later and later; never again once `retry_at` is NULL), so a dead link is not fetched forever.
-- Times are UTC milliseconds.
CREATE TABLE image_cache (
    url          TEXT PRIMARY KEY,
    -- The content's SHA-256 in lowercase hex; NULL until a download succeeded.
    sha256       TEXT CHECK (sha256 IS NULL OR length(sha256) = 64),
    bytes        INTEGER CHECK (bytes >= 0),
    content_type TEXT,
    -- The file's extension in the cache: jpg, png, webp or gif.
    ext          TEXT,
    width        INTEGER,
    height       INTEGER,
    fetched_at   INTEGER,
    -- Failures since the last success, the last one's reason, and when to try again.
    attempts     INTEGER NOT NULL DEFAULT 0 CHECK (attempts >= 0),
    last_error   TEXT,
    last_try_at  INTEGER,
    retry_at     INTEGER
) WITHOUT ROWID;

-- Which URLs share a file (and whether a file is still used by any URL).
CREATE INDEX image_cache_by_sha ON image_cache(sha256) WHERE sha256 IS NOT NULL;
