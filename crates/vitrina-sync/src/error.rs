//! Why a sync did not happen, in words for the seller, never holding a password.
//!
//! Every failure leaves the device working offline: nothing local is lost, and the next sync
//! resumes where this one stopped.

use vitrina_store::StoreError;

/// The kind of failure, for front ends to word and for the status indicator.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SyncErrorKind {
    /// The team's URL or join code cannot be read.
    BadUrl,
    /// The server cannot be reached, did not answer in time, or the connection broke.
    Unreachable,
    /// The server refused the name or password.
    SignIn,
    /// The database has no team schema (wrong database, or `team init` not run).
    NoTeam,
    /// The team's database is newer than this app.
    SchemaTooNew,
    /// The team's database is older than this app: an admin runs `vitrina team upgrade`.
    ServerTooOld,
    /// This device's clock is too far ahead of the server's.
    ClockSkew,
    /// The member's role may not do this (a viewer pushing, an editor managing members).
    NotAllowed,
    /// The server accepts no writes (a read-only server or replica).
    ReadOnly,
    /// The server is out of disk space.
    ServerFull,
    /// The marketplace lease is held by another device, or this device was fenced out.
    LeaseLost,
    /// This catalog is not in a team, or in another team.
    NotInTeam,
    /// The local catalog could not be read or written.
    Local,
    /// Anything else the server said.
    Server,
}

#[derive(Debug, thiserror::Error)]
#[error("{message}")]
pub struct SyncError {
    pub kind: SyncErrorKind,
    pub message: String,
}

pub type Result<T, E = SyncError> = std::result::Result<T, E>;

impl SyncError {
    pub fn new(kind: SyncErrorKind, message: impl Into<String>) -> Self {
        SyncError { kind, message: message.into() }
    }

    /// A failure the next sync may not meet again (the network, a busy server), as opposed to
    /// one a person has to act on (a password, a version).
    pub fn is_transient(&self) -> bool {
        matches!(self.kind, SyncErrorKind::Unreachable | SyncErrorKind::Server | SyncErrorKind::Local)
    }

    pub(crate) fn unreachable(what: impl std::fmt::Display) -> Self {
        SyncError::new(
            SyncErrorKind::Unreachable,
            format!("the team's server cannot be reached ({what}); this device keeps working offline"),
        )
    }

    pub(crate) fn timeout(what: &str, secs: u64) -> Self {
        SyncError::new(
            SyncErrorKind::Unreachable,
            format!(
                "the team's server did not answer within {secs} s ({what}); this device keeps working offline"
            ),
        )
    }

    pub(crate) fn schema_too_new(server: i32, app: i32) -> Self {
        SyncError::new(
            SyncErrorKind::SchemaTooNew,
            format!(
                "the team's database was upgraded to version {server} by a newer Vitrina; this app knows version \
                 {app}. Update Vitrina to sync again; until then this device works offline"
            ),
        )
    }

    pub(crate) fn server_too_old(server: i32, app: i32) -> Self {
        SyncError::new(
            SyncErrorKind::ServerTooOld,
            format!(
                "the team's database is at version {server} and this Vitrina needs version {app}: a team admin runs \
                 `vitrina team upgrade`; until then this device works offline"
            ),
        )
    }
}

impl From<StoreError> for SyncError {
    fn from(e: StoreError) -> Self {
        SyncError::new(SyncErrorKind::Local, format!("the local catalog: {e}"))
    }
}

impl From<tokio_postgres::Error> for SyncError {
    fn from(e: tokio_postgres::Error) -> Self {
        from_postgres(&e)
    }
}

/// A PostgreSQL error worded by its SQLSTATE.
pub(crate) fn from_postgres(e: &tokio_postgres::Error) -> SyncError {
    use tokio_postgres::error::SqlState;
    let Some(db) = e.as_db_error() else {
        return if e.is_closed() {
            SyncError::unreachable("the connection was closed")
        } else {
            SyncError::unreachable(plain(e))
        };
    };
    let code = db.code();
    let said = db.message();
    let (kind, message) = if *code == SqlState::INVALID_PASSWORD
        || *code == SqlState::INVALID_AUTHORIZATION_SPECIFICATION
    {
        (
            SyncErrorKind::SignIn,
            format!(
                "the team's server refused the sign-in: {said}. Check the join code or ask an admin for a new one"
            ),
        )
    } else if *code == SqlState::INSUFFICIENT_PRIVILEGE {
        (SyncErrorKind::NotAllowed, format!("your role in the team may not do this ({said})"))
    } else if *code == SqlState::READ_ONLY_SQL_TRANSACTION {
        (
            SyncErrorKind::ReadOnly,
            "the team's server accepts no changes now (it is read-only); your changes wait on this device"
                .to_string(),
        )
    } else if *code == SqlState::DISK_FULL
        || *code == SqlState::OUT_OF_MEMORY
        || *code == SqlState::INSUFFICIENT_RESOURCES
    {
        (
            SyncErrorKind::ServerFull,
            "the team's server is out of space; your changes wait on this device until an admin frees some"
                .to_string(),
        )
    } else if *code == SqlState::UNDEFINED_TABLE
        || *code == SqlState::INVALID_SCHEMA_NAME
        || *code == SqlState::UNDEFINED_FUNCTION
    {
        (
            SyncErrorKind::NoTeam,
            format!(
                "this database has no Vitrina team ({said}): check the URL, or run `vitrina team init` as its admin"
            ),
        )
    } else if code.code() == "VS001" {
        (SyncErrorKind::SchemaTooNew, format!("the team's server refused the change: {said}"))
    } else if code.code() == "VS002" {
        (SyncErrorKind::ClockSkew, "the team's server refused changes stamped more than 5 minutes ahead of its clock: check this computer's date and time".to_string())
    } else if *code == SqlState::ADMIN_SHUTDOWN
        || *code == SqlState::CANNOT_CONNECT_NOW
        || *code == SqlState::TOO_MANY_CONNECTIONS
    {
        (SyncErrorKind::Unreachable, format!("the team's server is not taking connections now ({said})"))
    } else {
        (SyncErrorKind::Server, format!("the team's server: {said}"))
    };
    SyncError::new(kind, message)
}

/// A client error's text without its source chain (which may name the host, never a password).
fn plain(e: &tokio_postgres::Error) -> String {
    let mut text = e.to_string();
    let mut source = std::error::Error::source(e);
    while let Some(s) = source {
        text.push_str(": ");
        text.push_str(&s.to_string());
        source = s.source();
    }
    text
}
