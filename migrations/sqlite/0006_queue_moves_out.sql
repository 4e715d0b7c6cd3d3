-- The job queue moves to its own file next to the catalog, owned by vitrina-jobs, so that no job
-- operation waits for a long catalog transaction (a supplier import holds the write lock for its
-- whole run). The queue's tables are renamed here and handed over once: vitrina-jobs copies their
-- rows into its file on first open, then drops them (`Catalog::legacy_job_queue`).
-- Only the batches a job committed stay, since they must commit with the catalog's own changes;
-- they keep the job's id with no foreign key into the other file.

CREATE TABLE job_batches_new (
    job_id  BLOB NOT NULL,
    batch   INTEGER NOT NULL,
    cursor  INTEGER NOT NULL,
    items   INTEGER NOT NULL,
    changed INTEGER NOT NULL,
    done_at INTEGER NOT NULL,
    PRIMARY KEY (job_id, batch)
) WITHOUT ROWID;
INSERT INTO job_batches_new SELECT job_id, batch, cursor, items, changed, done_at FROM job_batches;
DROP TABLE job_batches;
ALTER TABLE job_batches_new RENAME TO job_batches;

ALTER TABLE jobs RENAME TO legacy_jobs;
ALTER TABLE job_logs RENAME TO legacy_job_logs;
ALTER TABLE schedules RENAME TO legacy_schedules;
