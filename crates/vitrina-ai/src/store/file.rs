//! The AI file (`<catalog>.ai`): where it is, its pragmas and its append-only migrations.
//! Opened as every side file of a catalog is (`vitrina_store::side_file`): an up-to-date file
//! opens without a lock, a new one is created once, a newer or foreign file is refused untouched.

use std::path::{Path, PathBuf};

use rusqlite::Connection;
use vitrina_store::side_file::{self, SideFile};

use crate::error::{AiError, ErrorKind, Result};

/// The shipped migrations of the AI file, oldest first. Shipped files never change (a test pins
/// their checksums).
pub const MIGRATIONS: &[(&str, &str)] =
    &[("0001_ai.sql", include_str!("../../../../migrations/ai/0001_ai.sql"))];

const AI: SideFile = SideFile {
    migrations: MIGRATIONS,
    schema: "ai",
    foreign: "it is not Vitrina's AI file (damaged, or another file under its name); it holds the AI \
              providers, prompts and suggestions, not the catalog: move it aside and Vitrina starts a new one",
};

/// `catalog.db` → `catalog.db.ai`, next to the catalog.
pub fn ai_path(catalog: &Path) -> PathBuf {
    side_file::side_path(catalog, "ai")
}

pub(super) fn open(path: &Path) -> Result<Connection> {
    side_file::open(path, &AI)
        .map_err(|reason| AiError::new(ErrorKind::Storage, format!("{}: {reason}", path.display())))
}

#[cfg(test)]
mod tests {
    use rusqlite_migration::{M, Migrations};

    use super::*;

    #[test]
    fn the_ai_file_sits_next_to_its_catalog() {
        assert_eq!(ai_path(Path::new("/data/catalog.db")), PathBuf::from("/data/catalog.db.ai"));
    }

    #[test]
    fn migrations_are_valid_and_numbered_in_order() {
        Migrations::new(MIGRATIONS.iter().map(|(_, sql)| M::up(sql)).collect()).validate().unwrap();
        for (i, (name, _)) in MIGRATIONS.iter().enumerate() {
            assert!(name.starts_with(&format!("{:04}_", i + 1)), "{name} is out of order");
        }
    }

    #[test]
    fn shipped_ai_migrations_never_change() {
        use sha2::Digest;
        // Append a new migration instead of editing a shipped one; then add its checksum here.
        let pinned = ["7dd8cd1dd63e7030e5616ebdc1615a176caf7f7b731e5e9d2f5a214e31aef544"];
        assert_eq!(MIGRATIONS.len(), pinned.len(), "pin the checksum of every shipped migration");
        for ((name, sql), want) in MIGRATIONS.iter().zip(pinned) {
            let got = format!("{:x}", sha2::Sha256::digest(sql.as_bytes()));
            assert_eq!(got, want, "migration {name} was edited after it shipped");
            let on_disk = std::fs::read_to_string(Path::new("../../migrations/ai").join(name)).unwrap();
            assert_eq!(&on_disk, sql, "{name} on disk differs from the embedded copy");
        }
    }

    #[test]
    fn a_file_that_is_not_an_ai_file_is_refused_untouched() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("c.db.ai");
        std::fs::write(&path, "garbage that is no database, long enough to have a header ".repeat(4))
            .unwrap();
        let before = std::fs::read(&path).unwrap();
        let err = open(&path).unwrap_err().to_string();
        assert!(err.contains("not Vitrina's AI file") && err.contains("move it aside"), "{err}");
        assert_eq!(std::fs::read(&path).unwrap(), before);
    }

    #[test]
    fn four_threads_create_a_new_file_once() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("c.db.ai");
        std::thread::scope(|s| {
            for _ in 0..4 {
                s.spawn(|| open(&path).unwrap());
            }
        });
        let conn = open(&path).unwrap();
        let v: i64 = conn.query_row("PRAGMA user_version", [], |r| r.get(0)).unwrap();
        assert_eq!(v, MIGRATIONS.len() as i64);
    }
}
