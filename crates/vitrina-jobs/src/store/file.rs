//! The queue's SQLite file: where it is, its pragmas and its append-only migrations.

use std::path::{Path, PathBuf};

use rusqlite::Connection;
use vitrina_store::side_file::{self, SideFile};

use crate::error::{JobsError, Result};

/// The shipped migrations of the queue file, oldest first: (file name, SQL). Shipped files
/// never change (a test pins their checksums); the version is SQLite's `user_version`.
pub const MIGRATIONS: &[(&str, &str)] =
    &[("0001_queue.sql", include_str!("../../../../migrations/jobs/0001_queue.sql"))];

/// What the queue file is, for opening it (`vitrina_store::side_file`).
const QUEUE: SideFile = SideFile {
    migrations: MIGRATIONS,
    schema: "queue",
    // Refused untouched. It holds only the job history and schedules, not the catalog.
    foreign: "it is not a job queue (damaged, or another file under its name); it holds only the job \
              history and schedules, not the catalog: move it aside and Vitrina starts a new one",
};

/// `catalog.db` → `catalog.db.jobs`, next to the catalog.
pub fn queue_path(catalog: &Path) -> PathBuf {
    side_file::side_path(catalog, "jobs")
}

/// Opens (creating if needed) and migrates; a file written by a newer Vitrina is refused
/// before anything is written to it.
pub(super) fn open(path: &Path) -> Result<Connection> {
    side_file::open(path, &QUEUE).map_err(|reason| JobsError::QueueFile { path: path.to_path_buf(), reason })
}

#[cfg(test)]
mod tests {
    use rusqlite_migration::{M, Migrations};

    use super::*;

    #[test]
    fn the_queue_sits_next_to_its_catalog() {
        assert_eq!(queue_path(Path::new("/data/catalog.db")), PathBuf::from("/data/catalog.db.jobs"));
        assert_eq!(queue_path(Path::new("shop")), PathBuf::from("shop.jobs"));
    }

    #[test]
    fn migrations_are_valid_and_numbered_in_order() {
        Migrations::new(MIGRATIONS.iter().map(|(_, sql)| M::up(sql)).collect()).validate().unwrap();
        for (i, (name, _)) in MIGRATIONS.iter().enumerate() {
            assert!(name.starts_with(&format!("{:04}_", i + 1)), "{name} is out of order");
        }
    }

    #[test]
    fn a_file_that_is_not_a_queue_is_refused_untouched_with_what_to_do() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("c.db.jobs");
        std::fs::write(&path, "garbage that is no database, long enough to have a header ".repeat(4))
            .unwrap();
        let before = std::fs::read(&path).unwrap();
        let err = open(&path).unwrap_err().to_string();
        assert!(err.contains("not a job queue") && err.contains("move it aside"), "{err}");
        assert_eq!(std::fs::read(&path).unwrap(), before);
    }
}
