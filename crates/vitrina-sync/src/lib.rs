//! Team sync (DESIGN §8): every device keeps its own SQLite catalog and works offline; when
//! online, change sets flow through the team's shared PostgreSQL and every device converges.
//!
//! - [`Remote`]: what the engine asks of the shared store; [`pg::PgRemote`] is PostgreSQL
//!   (plain tables, grants and row-level security, no logical replication), with the shared
//!   schema's append-only migrations ([`pg::schema::MIGRATIONS`]) and team management
//!   ([`pg::admin`]).
//! - [`Engine`]: push, pull, the bounded clock, the background loop; [`join`] builds a new
//!   device from the team's state. The catalog side (applying by per-field last-writer-wins,
//!   the outbox, SKU clashes, bootstrap) is `vitrina_store::sync_apply`.
//! - [`LeaseKeeper`]: the single device that owns the marketplaces, with a fenced epoch.
//! - [`TeamUrl`]: the server's address and the join code.
//!
//! Secrets never pass through here: a team's password is the app's to keep in the keyring, and
//! what syncs is catalog data only (products and categories).

pub mod engine;
pub mod error;
pub mod lease;
pub mod pg;
pub mod remote;
mod tls;
pub mod url;

pub use engine::{Engine, JoinReport, SyncReport, SyncStatus, join, read_status, saved_offset, team_clock};
pub use error::{Result, SyncError, SyncErrorKind};
pub use lease::{LeaseKeeper, MARKETPLACES};
pub use remote::{Cursor, LeaseHolder, MemberKind, PullPage, Remote, ServerInfo, StateDoc};
pub use url::{SslMode, TeamUrl};
