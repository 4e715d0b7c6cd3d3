//! The market file (`<catalog>.market`): where it is, its pragmas and its append-only migrations.
//! Opened as every side file of a catalog is (`vitrina_store::side_file`): an up-to-date file
//! opens without a lock, a new one is created once, a newer or foreign file is refused untouched.

use std::path::{Path, PathBuf};

use rusqlite::Connection;
use vitrina_store::side_file::{self, SideFile};

use crate::error::{ErrorKind, MarketError};

type Result<T> = std::result::Result<T, MarketError>;

/// The shipped migrations of the market file, oldest first: (file name, SQL). Shipped files
/// never change (a test pins their checksums); the version is SQLite's `user_version`.
pub const MIGRATIONS: &[(&str, &str)] = &[
    ("0001_accounts.sql", include_str!("../../../../migrations/market/0001_accounts.sql")),
    ("0002_dictionaries.sql", include_str!("../../../../migrations/market/0002_dictionaries.sql")),
    ("0003_links_outbox.sql", include_str!("../../../../migrations/market/0003_links_outbox.sql")),
    ("0004_card_members.sql", include_str!("../../../../migrations/market/0004_card_members.sql")),
    ("0005_sync.sql", include_str!("../../../../migrations/market/0005_sync.sql")),
];

/// What the market file is, for opening it (`vitrina_store::side_file`).
const MARKET: SideFile = SideFile {
    migrations: MIGRATIONS,
    schema: "market",
    // Refused untouched: it holds the marketplace accounts and links, not the catalog.
    foreign: "it is not a marketplace file (damaged, or another file under its name); it holds the \
              marketplace accounts, not the catalog: move it aside and Vitrina starts a new one",
};

/// `catalog.db` → `catalog.db.market`, next to the catalog.
pub fn market_path(catalog: &Path) -> PathBuf {
    side_file::side_path(catalog, "market")
}

/// Opens (creating if needed) and migrates; a file written by a newer Vitrina is refused
/// before anything is written to it.
pub(super) fn open(path: &Path) -> Result<Connection> {
    let conn = side_file::open(path, &MARKET)
        .map_err(|reason| MarketError::new(ErrorKind::Storage, format!("{}: {reason}", path.display())))?;
    // What the team-sync triggers of migration 0005 call: every write to the synced tables is
    // recorded with the catalog's clock (a connection without them cannot write those tables).
    vitrina_store::sync_apply::register_side(&conn, &catalog_of(path)).map_err(|e| {
        MarketError::new(ErrorKind::Storage, format!("{}: cannot prepare team sync: {e}", path.display()))
    })?;
    Ok(conn)
}

/// `catalog.db.market` → `catalog.db` (the catalog whose clock its changes are stamped with).
fn catalog_of(market: &Path) -> PathBuf {
    let name = market.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    match name.strip_suffix(".market") {
        Some(catalog) => market.with_file_name(catalog),
        None => market.to_path_buf(),
    }
}

#[cfg(test)]
mod tests {
    use rusqlite_migration::{M, Migrations};

    use super::*;

    #[test]
    fn the_market_file_sits_next_to_its_catalog() {
        assert_eq!(market_path(Path::new("/data/catalog.db")), PathBuf::from("/data/catalog.db.market"));
        assert_eq!(market_path(Path::new("shop")), PathBuf::from("shop.market"));
    }

    #[test]
    fn migrations_are_valid_and_numbered_in_order() {
        Migrations::new(MIGRATIONS.iter().map(|(_, sql)| M::up(sql)).collect()).validate().unwrap();
        for (i, (name, _)) in MIGRATIONS.iter().enumerate() {
            assert!(name.starts_with(&format!("{:04}_", i + 1)), "{name} is out of order");
        }
    }

    #[test]
    fn shipped_market_migrations_never_change() {
        use sha2::Digest;
        // Append a new migration instead of editing a shipped one; then add its checksum here.
        let pinned = [
            "6b025617b48a733b3ddf48974c09008a8bc81175aef3b572a87ad2bdee7c675d",
            "a75396773db05aeb80de492eb0bba27603151d45dcaa52a2e1296181240bd1a6",
            "4be518bb04a3e3885150d7889e3b54df707499cd21cc47ddd768137ef8e4a121",
            "027ed8a8063a7d535169462e55960f1df48c561b9726bee8781d140b831abb2a",
            "599fd30b178bcb1087c1d05d8b6041787849a9ccbf8906c273b632dbb868b427",
        ];
        assert_eq!(MIGRATIONS.len(), pinned.len(), "pin the checksum of every shipped migration");
        for ((name, sql), want) in MIGRATIONS.iter().zip(pinned) {
            let got = format!("{:x}", sha2::Sha256::digest(sql.as_bytes()));
            assert_eq!(got, want, "migration {name} was edited after it shipped");
            let on_disk = std::fs::read_to_string(Path::new("../../migrations/market").join(name)).unwrap();
            assert_eq!(&on_disk, sql, "{name} on disk differs from the embedded copy");
        }
    }

    #[test]
    fn a_file_that_is_not_a_market_file_is_refused_untouched_with_what_to_do() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("c.db.market");
        std::fs::write(&path, "garbage that is no database, long enough to have a header ".repeat(4))
            .unwrap();
        let before = std::fs::read(&path).unwrap();
        let err = open(&path).unwrap_err().to_string();
        assert!(err.contains("not a marketplace file") && err.contains("move it aside"), "{err}");
        assert_eq!(std::fs::read(&path).unwrap(), before);
    }
}
