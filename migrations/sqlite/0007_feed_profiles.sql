-- Feed profiles: what to export, in which format, with which prices, delivered where. The
-- profile's settings (selection, price rules, field overrides, format options, output, upload
-- target) are one JSON document owned by vitrina-export; only what lists and lookups need is a
-- column. `last_result` is the summary of the latest run (JSON), shown next to the profile.

CREATE TABLE feed_profiles (
    rid         INTEGER PRIMARY KEY,
    id          BLOB NOT NULL UNIQUE,
    name        TEXT NOT NULL UNIQUE CHECK (length(trim(name)) > 0),
    format      TEXT NOT NULL,
    enabled     INTEGER NOT NULL DEFAULT 1 CHECK (enabled IN (0, 1)),
    settings    TEXT NOT NULL DEFAULT '{}',
    last_result TEXT,
    created_at  INTEGER NOT NULL,
    updated_at  INTEGER NOT NULL
);
