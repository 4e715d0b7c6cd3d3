//! Team sync's DTOs: what `vitrina team …` prints and Settings → Team and the status bar show.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// Why the last sync failed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct TeamErrorDto {
    /// unreachable, sign_in, no_team, schema_too_new, server_too_old, clock_skew, not_allowed,
    /// read_only, server_full, lease_lost, not_in_team, local, server, bad_url.
    pub kind: String,
    /// The back end's sentence (English), shown as details.
    pub message: String,
}

/// Where this catalog stands in its team (read from the catalog alone: no network).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct TeamStatusDto {
    pub joined: bool,
    /// The team's server, without the password.
    pub url: Option<String>,
    /// The member's name as history shows it.
    pub member: Option<String>,
    /// viewer, editor or admin.
    pub role: Option<String>,
    /// Whether this member may change the catalog (a viewer may not).
    pub may_edit: bool,
    /// Whether this member may manage members (an admin).
    pub may_manage: bool,
    pub device: String,
    /// When a sync last completed (UTC ms).
    #[ts(type = "number | null")]
    pub last_sync: Option<u64>,
    #[ts(type = "number | null")]
    pub last_attempt: Option<u64>,
    /// This device's changes not yet on the server.
    #[ts(type = "number")]
    pub pending: u64,
    pub error: Option<TeamErrorDto>,
    /// Products shown under another SKU because another product of the team has theirs.
    #[ts(type = "number")]
    pub sku_clashes: u64,
}

/// What `team sync` did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct TeamSyncDto {
    #[ts(type = "number")]
    pub pushed: u64,
    #[ts(type = "number")]
    pub pulled: u64,
    #[ts(type = "number")]
    pub conflicts: u64,
    #[ts(type = "number")]
    pub restamped: u64,
    pub merged_state: bool,
    pub status: TeamStatusDto,
}

/// A member's sign-in as an admin hands it over: the code to paste into `team join` (it
/// carries the rest).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct InvitationDto {
    pub code: String,
    /// viewer, editor or admin.
    pub role: String,
    /// The member's login role on the server.
    pub login: String,
    /// The member's own password (never the admin's).
    pub password: String,
    /// The server's address with this member's credentials.
    pub url: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct MemberDto {
    pub login: String,
    pub name: String,
    /// viewer, editor or admin.
    pub role: String,
    /// When one of their devices last synced (UTC ms).
    #[ts(type = "number | null")]
    pub last_seen: Option<i64>,
    #[ts(type = "number")]
    pub devices: i64,
}

impl From<vitrina_sync::pg::admin::Member> for MemberDto {
    fn from(m: vitrina_sync::pg::admin::Member) -> Self {
        MemberDto {
            login: m.role,
            name: m.name,
            role: m.kind.code().into(),
            last_seen: m.last_seen,
            devices: m.devices,
        }
    }
}

/// A value of a product's field that lost a conflict: another device changed the field
/// without seeing it. Shown in the product's history; restoring it is a new edit.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct ConflictDto {
    pub field: String,
    /// The lost value as the editor shows it (`null`: empty).
    pub value: Option<String>,
    /// Its canonical text, to restore it with.
    pub raw: Option<String>,
    pub who: String,
    #[ts(type = "number")]
    pub at: u64,
    pub winner_value: Option<String>,
    pub winner_who: Option<String>,
    #[ts(type = "number")]
    pub winner_at: u64,
}

/// What `team init` did: where the catalog stands now and the first admin's own sign-in.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct TeamInitDto {
    pub status: TeamStatusDto,
    pub admin: InvitationDto,
}

/// `team test-server`: the throwaway PostgreSQL's superuser URL (its database `team`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct TestServerDto {
    pub url: String,
}

/// What `team upgrade` did: the team database's schema version before and after.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct TeamUpgradeDto {
    pub from: i32,
    pub to: i32,
}
