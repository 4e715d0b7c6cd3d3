-- The job queue's own file (`<catalog>.jobs`, owned by vitrina-jobs; DESIGN §5): the persistent
-- queue, each job's stored log lines, and schedules that enqueue jobs. The batches a job has
-- committed stay in the catalog, since they commit with the catalog's own changes.
-- Ids are UUIDv7 as 16-byte blobs; times are UTC milliseconds since the Unix epoch; payloads,
-- results and error cause chains are JSON text.

CREATE TABLE jobs (
    id               BLOB PRIMARY KEY,
    kind             TEXT NOT NULL CHECK (length(kind) > 0),
    payload          TEXT NOT NULL DEFAULT '{}',
    state            TEXT NOT NULL DEFAULT 'queued'
                     CHECK (state IN ('queued', 'running', 'succeeded', 'failed', 'cancelled')),
    progress_done    INTEGER NOT NULL DEFAULT 0,
    progress_total   INTEGER,
    progress_message TEXT,
    -- What the job is doing, as a code its handler defines (`importing`, `downloading`, …); the
    -- front ends word it in the person's language, the message carries the details.
    progress_stage   TEXT,
    attempts         INTEGER NOT NULL DEFAULT 0 CHECK (attempts >= 0),
    max_attempts     INTEGER NOT NULL DEFAULT 3 CHECK (max_attempts >= 1),
    -- Not before this time: set at enqueue and by the back-off between attempts.
    run_after        INTEGER NOT NULL,
    created_at       INTEGER NOT NULL,
    started_at       INTEGER,
    finished_at      INTEGER,
    -- What a finished run reports (JSON), and why the last attempt failed.
    result           TEXT,
    error            TEXT,
    error_chain      TEXT,
    -- Why the last attempt failed, as a code its handler chose (`file_missing`, `timeout`,
    -- `handler_crashed`, …) when it named one; the front ends word it, `error` has the details.
    error_code       TEXT,
    -- How a cancelled job ended, as a code (`cancelled_on_request`, `cancelled_by_handler`,
    -- `cancelled_before_start`); the English sentence is in `error`.
    end_code         TEXT,
    parent_id        BLOB REFERENCES jobs(id) ON DELETE SET NULL,
    -- At most one running job per key (one import per supplier, one publish per account).
    concurrency_key  TEXT,
    schedule_id      BLOB REFERENCES schedules(id) ON DELETE SET NULL,
    -- Set by a cancel while the job runs (possibly in another process); the runner reads it
    -- every time it wakes. This file is never held by a long transaction, so a cancel is a write.
    cancel_requested INTEGER NOT NULL DEFAULT 0
) WITHOUT ROWID;
CREATE INDEX jobs_ready        ON jobs(run_after) WHERE state = 'queued';
CREATE INDEX jobs_running_keys ON jobs(concurrency_key) WHERE state = 'running';
CREATE INDEX jobs_by_created   ON jobs(created_at);
CREATE INDEX jobs_by_kind      ON jobs(kind, created_at);
CREATE INDEX jobs_by_state     ON jobs(state, created_at);
CREATE INDEX jobs_finished     ON jobs(finished_at) WHERE finished_at IS NOT NULL;
CREATE INDEX jobs_by_parent    ON jobs(parent_id) WHERE parent_id IS NOT NULL;

CREATE TABLE job_logs (
    job_id  BLOB NOT NULL REFERENCES jobs(id) ON DELETE CASCADE,
    seq     INTEGER NOT NULL,
    at      INTEGER NOT NULL,
    level   TEXT NOT NULL CHECK (level IN ('info', 'warn', 'error')),
    message TEXT NOT NULL,
    PRIMARY KEY (job_id, seq)
) WITHOUT ROWID;

CREATE TABLE schedules (
    id              BLOB PRIMARY KEY,
    name            TEXT NOT NULL UNIQUE CHECK (length(trim(name)) > 0),
    kind            TEXT NOT NULL,
    payload         TEXT NOT NULL DEFAULT '{}',
    -- Exactly one of: a fixed interval, or a cron expression (evaluated in local time).
    every_ms        INTEGER CHECK (every_ms > 0),
    cron            TEXT,
    enabled         INTEGER NOT NULL DEFAULT 1,
    max_attempts    INTEGER NOT NULL DEFAULT 3 CHECK (max_attempts >= 1),
    concurrency_key TEXT,
    created_at      INTEGER NOT NULL,
    last_run_at     INTEGER,
    next_run_at     INTEGER,
    last_job_id     BLOB REFERENCES jobs(id) ON DELETE SET NULL,
    CHECK ((every_ms IS NULL) <> (cron IS NULL))
) WITHOUT ROWID;
CREATE INDEX schedules_due ON schedules(next_run_at) WHERE enabled = 1;

-- Facts about this file: `legacy` records the hand-over of a queue that an older Vitrina kept
-- inside the catalog ('copied', then 'dropped' once the catalog's old tables are gone).
CREATE TABLE queue_meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
) WITHOUT ROWID;
