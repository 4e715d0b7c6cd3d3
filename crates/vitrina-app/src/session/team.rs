//! The Team section of the session (Settings → Team, the status bar's sync indicator, the lost
//! values in a product's history) and the background sync of the open catalog.

use super::{Session, keyring_error};
use crate::error::{AppError, AppResult, ErrorCode};
use crate::ipc::*;
use crate::team;

impl Session {
    /// Where the open catalog stands in its team (no network).
    pub fn team_status(&self) -> AppResult<TeamStatusDto> {
        team::status(&*self.app()?.catalog()?)
    }

    /// Creates a team on the server at `url` with the open catalog and this person as its admin;
    /// the background sync starts.
    pub fn team_init(&self, url: &str, name: &str) -> AppResult<TeamStatusDto> {
        let (status, _) =
            team::init(self.catalog_path(), url, name, self.secrets.store()).map_err(keyring_error)?;
        self.start_team_sync();
        Ok(status)
    }

    /// Joins a team with a new catalog next to the data folder's, built from the team's; it is
    /// chosen, so the shell restarts into it.
    pub fn team_join(&self, code: &str) -> AppResult<TeamStatusDto> {
        let path = (1..)
            .map(|n| self.data_dir().join(format!("team-catalog-{n}.db")))
            .find(|p| !p.exists())
            .ok_or_else(|| AppError::new(ErrorCode::Internal, "no free file name for the team's catalog"))?;
        let status = team::join(&path, code, self.secrets.store()).map_err(keyring_error)?;
        self.choose_catalog(&path, false)?;
        Ok(status)
    }

    pub fn team_sync(&self) -> AppResult<TeamSyncDto> {
        team::sync_now(self.catalog_path(), self.secrets.store())
    }

    pub fn team_invite(&self, name: &str, role: &str) -> AppResult<InvitationDto> {
        team::invite(self.catalog_path(), self.secrets.store(), name, role)
    }

    pub fn team_members(&self) -> AppResult<Vec<MemberDto>> {
        team::members(self.catalog_path(), self.secrets.store())
    }

    pub fn team_set_role(&self, member: &str, role: &str) -> AppResult<Vec<MemberDto>> {
        team::set_role(self.catalog_path(), self.secrets.store(), member, role)
    }

    pub fn team_leave(&self) -> AppResult<TeamStatusDto> {
        self.stop_team_sync();
        team::leave(self.catalog_path(), self.secrets.store()).map_err(keyring_error)
    }

    /// The product's values that lost a conflict, newest first.
    pub fn conflicts(&self, id: &str) -> AppResult<Vec<ConflictDto>> {
        self.app()?.conflicts(id)
    }

    /// Starts the open catalog's background sync when it is in a team (the shell calls it
    /// from a thread that is not one of the runtime's).
    pub fn start_team_sync(&self) {
        let Some(runtime) = self.team_runtime.get().cloned() else { return };
        self.stop_team_sync();
        match team::TeamSync::start(&runtime, self.catalog_path(), self.secrets.store()) {
            Ok(sync) => *self.team.lock().unwrap_or_else(std::sync::PoisonError::into_inner) = sync,
            Err(e) => tracing::warn!(error = %e, "the team's sync does not run"),
        }
    }

    /// Runs the background sync on `runtime` from now on (the desktop passes Tauri's).
    pub fn run_team_sync_on(&self, runtime: tokio::runtime::Handle) {
        let _ = self.team_runtime.set(runtime);
        self.start_team_sync();
    }

    fn stop_team_sync(&self) {
        drop(self.team.lock().unwrap_or_else(std::sync::PoisonError::into_inner).take());
    }

    /// A local edit: the background sync pushes it now.
    pub(super) fn nudge_team(&self) {
        if let Some(sync) = self.team.lock().unwrap_or_else(std::sync::PoisonError::into_inner).as_ref() {
            sync.nudge();
        }
    }
}
