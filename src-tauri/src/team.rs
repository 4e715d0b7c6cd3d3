//! Settings → Team, the sync indicator and a product's lost values: commands over the
//! session's team calls, each one call on a blocking thread.

use tauri::AppHandle;
use vitrina_app::ipc::*;

use crate::commands::{Cmd, Shared, blocking};

#[tauri::command]
pub async fn team_status(s: Shared<'_>) -> Cmd<TeamStatusDto> {
    blocking(&s, |s| s.team_status()).await
}

#[tauri::command]
pub async fn team_init(s: Shared<'_>, url: String, name: String) -> Cmd<TeamStatusDto> {
    blocking(&s, move |s| s.team_init(&url, &name)).await
}

/// Joins with a new catalog built from the team's, then restarts into it.
#[tauri::command]
pub async fn team_join(app: AppHandle, s: Shared<'_>, code: String) -> Cmd<()> {
    blocking(&s, move |s| s.team_join(&code).map(drop)).await?;
    app.restart()
}

#[tauri::command]
pub async fn team_sync(s: Shared<'_>) -> Cmd<TeamSyncDto> {
    blocking(&s, |s| s.team_sync()).await
}

#[tauri::command]
pub async fn team_invite(s: Shared<'_>, name: String, role: String) -> Cmd<InvitationDto> {
    blocking(&s, move |s| s.team_invite(&name, &role)).await
}

#[tauri::command]
pub async fn team_members(s: Shared<'_>) -> Cmd<Vec<MemberDto>> {
    blocking(&s, |s| s.team_members()).await
}

#[tauri::command]
pub async fn team_set_role(s: Shared<'_>, member: String, role: String) -> Cmd<Vec<MemberDto>> {
    blocking(&s, move |s| s.team_set_role(&member, &role)).await
}

#[tauri::command]
pub async fn team_leave(s: Shared<'_>) -> Cmd<TeamStatusDto> {
    blocking(&s, |s| s.team_leave()).await
}

#[tauri::command]
pub async fn conflicts(s: Shared<'_>, id: String) -> Cmd<Vec<ConflictDto>> {
    blocking(&s, move |s| s.conflicts(&id)).await
}
