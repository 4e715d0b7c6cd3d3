//! What the sync engine asks of the team's shared store. PostgreSQL is the one implementation
//! ([`crate::pg::PgRemote`]); a service could be placed in front of it later without the engine
//! changing (DESIGN §8).

use std::fmt;
use std::future::Future;
use std::str::FromStr;
use std::time::Duration;

use serde::Serialize;
use uuid::Uuid;
use vitrina_domain::{ChangeSet, DeviceId, Doc, EntityKind};

use crate::error::Result;

/// A position in the team's log: every change set before it has been applied here. Ordered by
/// the pushing transaction's id, then the row's sequence within it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Cursor {
    pub xid: u64,
    pub seq: i64,
}

impl Cursor {
    /// Before everything.
    pub const START: Cursor = Cursor { xid: 0, seq: -1 };
}

impl fmt::Display for Cursor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.xid, self.seq)
    }
}

impl FromStr for Cursor {
    type Err = ();
    fn from_str(s: &str) -> std::result::Result<Self, ()> {
        let (xid, seq) = s.split_once(':').ok_or(())?;
        Ok(Cursor { xid: xid.parse().map_err(|_| ())?, seq: seq.parse().map_err(|_| ())? })
    }
}

/// A member's role in the team.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum MemberKind {
    Viewer,
    Editor,
    Admin,
}

impl MemberKind {
    pub fn code(self) -> &'static str {
        match self {
            MemberKind::Viewer => "viewer",
            MemberKind::Editor => "editor",
            MemberKind::Admin => "admin",
        }
    }

    /// Editors and admins change the catalog; viewers only read it.
    pub fn may_edit(self) -> bool {
        self != MemberKind::Viewer
    }
}

impl FromStr for MemberKind {
    type Err = String;
    fn from_str(s: &str) -> std::result::Result<Self, String> {
        match s.trim() {
            "viewer" => Ok(MemberKind::Viewer),
            "editor" => Ok(MemberKind::Editor),
            "admin" => Ok(MemberKind::Admin),
            other => Err(format!("\"{other}\" is not a role: viewer, editor or admin")),
        }
    }
}

/// What the server says when a device connects.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ServerInfo {
    pub schema_version: i32,
    /// The server's clock (UTC ms) when it answered.
    pub server_ms: i64,
    /// The server's clock minus this device's, in ms, measured over the round trip (the engine
    /// fills it in with its own clock; 0 from the remote).
    pub clock_offset_ms: i64,
    /// The login role this device signs in as.
    pub role: String,
    /// The member's name as history shows it.
    pub member_name: String,
    pub kind: MemberKind,
}

/// A page of change sets after a cursor.
#[derive(Debug, Clone, Default)]
pub struct PullPage {
    pub sets: Vec<ChangeSet>,
    /// Where the next page starts.
    pub next: Option<Cursor>,
    /// The cursor is below the pruned part of the log: this device must merge the state instead.
    pub behind: bool,
    /// Change sets after the page are committed but not served yet: a transaction older than
    /// theirs is still running on the server (anywhere on it: transaction ids are the
    /// server's). Pull again shortly.
    pub held_back: bool,
}

/// One entity of the team's current state.
#[derive(Debug, Clone)]
pub struct StateDoc {
    pub kind: EntityKind,
    pub id: Uuid,
    pub doc: Doc,
}

/// Who holds a lease, as anyone may read it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LeaseHolder {
    pub device: Option<DeviceId>,
    pub role: Option<String>,
    pub epoch: i64,
    pub live: bool,
}

/// The team's shared store.
pub trait Remote: Send + Sync + 'static {
    /// Checks the shared schema's version against this app's, registers the device (editors
    /// and admins) and measures the server's clock.
    fn hello(&self, device: DeviceId, label: &str) -> impl Future<Output = Result<ServerInfo>> + Send;

    /// Appends change sets to the log and folds them into the state, all or none. A set the
    /// log has already (by id) is skipped: pushing twice is harmless.
    fn push(&self, sets: &[ChangeSet]) -> impl Future<Output = Result<()>> + Send;

    /// Up to `limit` change sets after `after`, in log order. Never skips a set that commits
    /// later with an earlier position.
    fn pull(&self, after: Cursor, limit: usize) -> impl Future<Output = Result<PullPage>> + Send;

    /// Tells the server how far this device has pulled (so the log is pruned only below it).
    fn pulled(&self, device: DeviceId, cursor: Cursor) -> impl Future<Output = Result<()>> + Send;

    /// Deletes the log's change sets older than `keep` that every device active within `keep`
    /// has pulled; returns how many. A device behind that point merges the state instead.
    fn prune(&self, keep: Duration) -> impl Future<Output = Result<u64>> + Send;

    /// The whole current state from one snapshot, categories first, in batches to `sink`;
    /// returns the cursor to pull from afterwards.
    fn state<F>(&self, sink: F) -> impl Future<Output = Result<Cursor>> + Send
    where
        F: FnMut(Vec<StateDoc>) -> Result<()> + Send;

    /// Takes the lease `name` for `device` for `ttl` if free, expired or this device's: the
    /// epoch, or None while another device holds it.
    fn take_lease(
        &self,
        name: &str,
        device: DeviceId,
        ttl: Duration,
    ) -> impl Future<Output = Result<Option<i64>>> + Send;

    /// Extends the lease while `device` holds it with `epoch`; false: fenced out.
    fn renew_lease(
        &self,
        name: &str,
        device: DeviceId,
        epoch: i64,
        ttl: Duration,
    ) -> impl Future<Output = Result<bool>> + Send;

    fn release_lease(
        &self,
        name: &str,
        device: DeviceId,
        epoch: i64,
    ) -> impl Future<Output = Result<()>> + Send;

    /// Whether `epoch` is the lease's current, unexpired epoch.
    fn lease_valid(&self, name: &str, epoch: i64) -> impl Future<Output = Result<bool>> + Send;

    fn lease_holder(&self, name: &str) -> impl Future<Output = Result<LeaseHolder>> + Send;

    /// Wake-ups when another device pushes. The receiver closes when the listening connection
    /// is lost; the engine then listens again (and polls meanwhile).
    fn listen(&self) -> impl Future<Output = Result<tokio::sync::mpsc::Receiver<()>>> + Send;
}
