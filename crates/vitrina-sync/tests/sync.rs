//! Team sync against a real PostgreSQL: a throwaway cluster started by the test harness
//! (vitrina-testkit's `pg`), devices with their own SQLite catalogs, proxies that break their
//! connections. One test binary; the modules under `sync/` are the rest of it.

#[path = "sync/basics.rs"]
mod basics;
#[path = "sync/child.rs"]
mod child;
#[path = "sync/clock.rs"]
mod clock;
#[path = "sync/common.rs"]
mod common;
#[path = "sync/converge.rs"]
mod converge;
#[path = "sync/crash.rs"]
mod crash;
#[path = "sync/cursor.rs"]
mod cursor;
#[path = "sync/lease.rs"]
mod lease;
#[path = "sync/live.rs"]
mod live;
#[path = "sync/market.rs"]
mod market;
#[path = "sync/offline.rs"]
mod offline;
#[path = "sync/refusing.rs"]
mod refusing;
#[path = "sync/roles.rs"]
mod roles;
#[path = "sync/settings.rs"]
mod settings;
#[path = "sync/tls.rs"]
mod tls;

use sha2::{Digest, Sha256};

/// Not a test: the entry of the child processes that the crash and lease tests start and kill
/// (see `sync/child.rs`).
#[test]
#[ignore = "run by other tests as a child process"]
fn child_device() {
    if let Ok(role) = std::env::var("VITRINA_SYNC_CHILD") {
        child::run(&role);
    }
}

#[test]
fn shipped_postgres_migrations_never_change() {
    // Append a new migration instead of editing a shipped one; then add its checksum here.
    let pinned = [
        "8b4d5b62efab8819ca39d37345efe07419cf0159a2af2c0e09c9fa0979845701",
        "76eb794309c4298d460f42f20c65b3c81d9cfcf415bef32f7ac159a1792ded9d",
    ];
    let migrations = vitrina_sync::pg::schema::MIGRATIONS;
    assert_eq!(migrations.len(), pinned.len(), "pin the checksum of every shipped migration");
    assert_eq!(vitrina_sync::pg::schema::SCHEMA_VERSION as usize, migrations.len());
    for ((name, sql), want) in migrations.iter().zip(pinned) {
        let got = format!("{:x}", Sha256::digest(sql.as_bytes()));
        assert_eq!(got, want, "migration {name} was edited after it shipped");
        let on_disk =
            std::fs::read_to_string(std::path::Path::new("../../migrations/postgres").join(name)).unwrap();
        assert_eq!(&on_disk, sql, "{name} on disk differs from the embedded copy");
    }
}
