//! Working as a team (issue 17): the use cases behind `vitrina team …` and Settings → Team, and
//! the background sync that keeps a catalog in step with its team.
//!
//! The catalog knows its team by the server's address without the password (`team_url` in its
//! sync settings) and its member (role, name); the member's password is in the store of secrets
//! as `team.<device id>.password`, never in the catalog, the settings or a log. Everything
//! networked is `vitrina_sync`; every failure leaves the catalog working offline.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use vitrina_store::Catalog;
use vitrina_sync::pg::PgRemote;
use vitrina_sync::pg::admin::{Invitation, init_team, seed_team, upgrade};
use vitrina_sync::{Engine, MemberKind, Remote, SyncError, SyncErrorKind, TeamUrl};

use crate::error::{AppError, AppResult, ErrorCode};
use crate::ipc::{InvitationDto, MemberDto, TeamErrorDto, TeamStatusDto, TeamSyncDto};
use crate::secrets::SecretStore;

/// The catalog's sync setting with the team's address (no password).
pub const TEAM_URL: &str = "team_url";

/// The secret holding this device's member password.
pub fn password_secret(catalog: &Catalog) -> String {
    format!("team.{}.password", catalog.device())
}

impl From<SyncError> for AppError {
    fn from(e: SyncError) -> Self {
        let code = match e.kind {
            SyncErrorKind::BadUrl => ErrorCode::Invalid,
            SyncErrorKind::Unreachable => ErrorCode::TeamUnreachable,
            SyncErrorKind::SignIn => ErrorCode::TeamSignIn,
            SyncErrorKind::SchemaTooNew | SyncErrorKind::ServerTooOld => ErrorCode::TeamVersion,
            SyncErrorKind::NotAllowed | SyncErrorKind::LeaseLost => ErrorCode::TeamNotAllowed,
            SyncErrorKind::NoTeam
            | SyncErrorKind::ClockSkew
            | SyncErrorKind::ReadOnly
            | SyncErrorKind::ServerFull
            | SyncErrorKind::Server => ErrorCode::TeamRefused,
            SyncErrorKind::NotInTeam => ErrorCode::NotFound,
            SyncErrorKind::Local => ErrorCode::Io,
        };
        AppError::new(code, e.message)
    }
}

fn runtime() -> AppResult<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .thread_name("vitrina-team")
        .enable_all()
        .build()
        .map_err(|e| AppError::new(ErrorCode::Internal, format!("cannot start the team runtime: {e}")))
}

fn secret_error(e: crate::secrets::SecretError) -> AppError {
    crate::secrets::store_error(e)
}

/// The team this catalog is in, with its member's password: an error when it is in none.
fn team_url(catalog: &Catalog, secrets: &dyn SecretStore) -> AppResult<TeamUrl> {
    let url = catalog.sync_meta(TEAM_URL)?.ok_or_else(|| {
        AppError::new(
            ErrorCode::NotFound,
            "this catalog is not in a team: `vitrina team init` or `team join`",
        )
    })?;
    let url = TeamUrl::parse(&url)?;
    let password = secrets.get(&password_secret(catalog)).map_err(secret_error)?.ok_or_else(|| {
        AppError::new(
            ErrorCode::TeamSignIn,
            "this device's team password is not in the store of secrets: join the team again with a code from an admin",
        )
    })?;
    Ok(url.with_credentials(&url.user.clone(), Some(&password)))
}

/// In a team, only its admins change what `what` names (a marketplace account's settings: the
/// server refuses anyone else's change, so an editor's would stay on their PC, unlike the
/// team's). Outside a team, anyone.
pub fn require_admin(catalog: &Catalog, what: &str) -> AppResult<()> {
    match catalog.sync_meta(vitrina_sync::engine::keys::ROLE)? {
        Some(role) if role != MemberKind::Admin.code() => Err(AppError::new(
            ErrorCode::TeamNotAllowed,
            format!("only the team's admins change {what} (you are a team's {role})"),
        )),
        _ => Ok(()),
    }
}

/// Where the catalog stands in its team, from the catalog alone (no network): the status bar's
/// indicator and `team status`.
pub fn status(catalog: &Catalog) -> AppResult<TeamStatusDto> {
    let meta = |k: &str| catalog.sync_meta(k);
    let url = meta(TEAM_URL)?;
    let state = vitrina_sync::read_status(catalog);
    let role = meta(vitrina_sync::engine::keys::ROLE)?;
    Ok(TeamStatusDto {
        joined: url.is_some(),
        url,
        member: meta(vitrina_sync::engine::keys::MEMBER_NAME)?,
        role: role.clone(),
        may_edit: role.as_deref().is_none_or(|r| r.parse::<MemberKind>().is_ok_and(MemberKind::may_edit)),
        may_manage: role.as_deref() == Some("admin"),
        device: catalog.device().to_string(),
        last_sync: state.last_sync,
        last_attempt: state.last_attempt,
        pending: catalog.sync_pending()?,
        error: state.error.map(|e| TeamErrorDto { kind: e.kind, message: e.message }),
        sku_clashes: catalog.sync_sku_clash_count()?,
    })
}

/// [`status`] of the catalog at `path`.
pub fn status_at(path: &Path) -> AppResult<TeamStatusDto> {
    status(&Catalog::open(path)?)
}

/// `team init`: creates the team on the server `url` (a server user that may create roles)
/// with this device's person as its first admin, seeds the team with this catalog, and keeps
/// the admin's password in the store of secrets. Returns the admin's own sign-in (its password
/// included, once: it is what another device of this admin joins with).
pub fn init(
    path: &Path,
    url: &str,
    name: &str,
    secrets: &dyn SecretStore,
) -> AppResult<(TeamStatusDto, InvitationDto)> {
    let server = TeamUrl::parse(url)?;
    let mut catalog = Catalog::open(path)?;
    if catalog.sync_meta(TEAM_URL)?.is_some() {
        return Err(AppError::new(
            ErrorCode::Conflict,
            "this catalog is in a team already: `vitrina team leave` first",
        ));
    }
    let rt = runtime()?;
    let admin = rt.block_on(init_team(&server, name))?;
    secrets.set(&password_secret(&catalog), admin.password()).map_err(secret_error)?;
    catalog.set_sync_meta(TEAM_URL, Some(&admin.url.redacted()))?;
    let remote = PgRemote::new(admin.url.clone())?;
    let device = catalog.device();
    let catalog = rt.block_on(async {
        remote.hello(device, &label()).await?;
        let (catalog, _) = seed_team(&remote, catalog).await?;
        Ok::<_, SyncError>(catalog)
    })?;
    let engine = Engine::new(Arc::new(remote), catalog, &label());
    rt.block_on(engine.connect())?;
    let catalog = engine.catalog();
    let c = catalog.lock().map_err(|_| AppError::new(ErrorCode::Internal, "the catalog is unavailable"))?;
    Ok((status(&c)?, invitation_dto(&admin)))
}

/// `team join`: builds this device's catalog at `path` from the team's state (a catalog there
/// with products is refused: a device joins with a new catalog) and keeps the member's
/// password in the store of secrets.
pub fn join(path: &Path, code: &str, secrets: &dyn SecretStore) -> AppResult<TeamStatusDto> {
    let url = TeamUrl::parse(code)?;
    if path.exists() {
        let existing = Catalog::open(path)?;
        if existing.product_count()? > 0 || existing.sync_meta(TEAM_URL)?.is_some() {
            return Err(AppError::new(
                ErrorCode::Conflict,
                format!(
                    "{} holds a catalog already: a device joins a team with a new catalog (choose another --db)",
                    path.display()
                ),
            ));
        }
    }
    let remote = PgRemote::new(url.clone())?;
    let rt = runtime()?;
    let meta = vec![(TEAM_URL.to_string(), url.redacted())];
    rt.block_on(vitrina_sync::join(&remote, path, &label(), meta))?;
    let catalog = Catalog::open(path)?;
    secrets.set(&password_secret(&catalog), url.password().unwrap_or_default()).map_err(secret_error)?;
    status(&catalog)
}

/// `team sync`: one sync now.
pub fn sync_now(path: &Path, secrets: &dyn SecretStore) -> AppResult<TeamSyncDto> {
    let catalog = Catalog::open(path)?;
    let url = team_url(&catalog, secrets)?;
    let engine = Engine::new(Arc::new(PgRemote::new(url)?), catalog, &label());
    let rt = runtime()?;
    let outcome = rt.block_on(engine.sync());
    let catalog = engine.catalog();
    let c = catalog.lock().map_err(|_| AppError::new(ErrorCode::Internal, "the catalog is unavailable"))?;
    let report = outcome?;
    Ok(TeamSyncDto {
        pushed: report.pushed_changes,
        pulled: report.applied.sets,
        conflicts: report.applied.conflicts,
        restamped: report.restamped,
        merged_state: report.merged_state,
        status: status(&c)?,
    })
}

fn with_remote<T>(
    path: &Path,
    secrets: &dyn SecretStore,
    f: impl AsyncFnOnce(&PgRemote, &Catalog) -> vitrina_sync::Result<T>,
) -> AppResult<T> {
    let catalog = Catalog::open(path)?;
    let remote = PgRemote::new(team_url(&catalog, secrets)?)?;
    let rt = runtime()?;
    Ok(rt.block_on(f(&remote, &catalog))?)
}

/// `team invite`: a new member (as an admin) with their own password; the code carries it.
pub fn invite(path: &Path, secrets: &dyn SecretStore, name: &str, role: &str) -> AppResult<InvitationDto> {
    let kind: MemberKind = role.parse().map_err(AppError::invalid)?;
    let invitation = with_remote(path, secrets, async |remote, _| remote.invite(name, kind).await)?;
    Ok(invitation_dto(&invitation))
}

pub fn members(path: &Path, secrets: &dyn SecretStore) -> AppResult<Vec<MemberDto>> {
    let members = with_remote(path, secrets, async |remote, _| remote.members().await)?;
    Ok(members.into_iter().map(MemberDto::from).collect())
}

/// `team set-role MEMBER ROLE` (as an admin): by login role or name.
pub fn set_role(
    path: &Path,
    secrets: &dyn SecretStore,
    member: &str,
    role: &str,
) -> AppResult<Vec<MemberDto>> {
    let kind: MemberKind = role.parse().map_err(AppError::invalid)?;
    let members = with_remote(path, secrets, async |remote, _| {
        let role = remote.find_member(member).await?;
        remote.set_member_kind(&role, kind).await?;
        remote.members().await
    })?;
    Ok(members.into_iter().map(MemberDto::from).collect())
}

/// `team upgrade` (as an admin): the team's database to this app's version. (from, to)
pub fn upgrade_team(path: &Path, secrets: &dyn SecretStore) -> AppResult<(i32, i32)> {
    let catalog = Catalog::open(path)?;
    let url = team_url(&catalog, secrets)?;
    Ok(runtime()?.block_on(upgrade(&url))?)
}

/// `team leave`: this device stops syncing. Its registration on the server goes when the
/// server can be reached; the catalog stays as it is, and the password leaves the store.
pub fn leave(path: &Path, secrets: &dyn SecretStore) -> AppResult<TeamStatusDto> {
    let mut catalog = Catalog::open(path)?;
    if let Ok(url) = team_url(&catalog, secrets) {
        let device = catalog.device();
        let gone = runtime()?.block_on(async { PgRemote::new(url)?.forget_device(device).await });
        if let Err(e) = gone {
            tracing::warn!(error = %e, "the team's server did not hear that this device left");
        }
    }
    secrets.delete(&password_secret(&catalog)).map_err(secret_error)?;
    catalog.sync_forget()?;
    status(&catalog)
}

/// `team test-server`: a throwaway PostgreSQL cluster (the tests' own harness) with an empty
/// database `team`, and its superuser's URL; it is stopped and deleted when this process ends.
pub fn test_server() -> AppResult<(vitrina_testkit::pg::Cluster, crate::ipc::TestServerDto)> {
    let cluster =
        vitrina_testkit::pg::Cluster::for_this_process().map_err(|e| AppError::new(ErrorCode::Io, e))?;
    let url = cluster.create_database("team");
    Ok((cluster, crate::ipc::TestServerDto { url }))
}

fn invitation_dto(i: &Invitation) -> InvitationDto {
    InvitationDto {
        code: i.code(),
        login: i.role.clone(),
        role: i.kind.code().to_string(),
        password: i.password().to_string(),
        url: i.url.to_url(true),
    }
}

fn label() -> String {
    std::env::var("HOSTNAME").ok().filter(|h| !h.is_empty()).unwrap_or_else(|| "Vitrina".into())
}

/// The background sync of one catalog: started by the desktop app and `vitrina worker` when
/// the catalog is in a team, stopped with them.
pub struct TeamSync {
    stop: tokio::sync::watch::Sender<bool>,
    nudge: Arc<tokio::sync::Notify>,
    task: Option<tokio::task::JoinHandle<()>>,
    path: PathBuf,
}

impl std::fmt::Debug for TeamSync {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TeamSync").field("path", &self.path).finish()
    }
}

impl TeamSync {
    /// Starts syncing `path` on `runtime` if its catalog is in a team (None when it is not).
    pub fn start(
        runtime: &tokio::runtime::Handle,
        path: &Path,
        secrets: &dyn SecretStore,
    ) -> AppResult<Option<TeamSync>> {
        let catalog = Catalog::open(path)?;
        if catalog.sync_meta(TEAM_URL)?.is_none() {
            return Ok(None);
        }
        let url = team_url(&catalog, secrets)?;
        let remote = Arc::new(PgRemote::new(url)?);
        let may_edit = catalog
            .sync_meta(vitrina_sync::engine::keys::ROLE)?
            .and_then(|r| r.parse::<MemberKind>().ok())
            .is_none_or(MemberKind::may_edit);
        let device = catalog.device();
        let engine = Engine::new(remote.clone(), catalog, &label());
        let nudge = engine.nudger();
        let (stop, stopped) = tokio::sync::watch::channel(false);
        // An editor's device keeps (or waits for) the marketplaces' lease while it syncs, and
        // while it holds it sends other devices' pulled changes on to the marketplaces.
        let mut helpers = Vec::new();
        if may_edit {
            let keeper = Arc::new(vitrina_sync::LeaseKeeper::new(remote, device, vitrina_sync::MARKETPLACES));
            owner::keep(path, keeper.clone());
            let (k, s) = (keeper.clone(), stopped.clone());
            helpers.push(runtime.spawn(async move { k.run(s).await }));
            helpers.push(runtime.spawn(owner::push_after_pulls(path.to_path_buf(), keeper, stopped.clone())));
        }
        let task = runtime.spawn(async move {
            engine.run(stopped).await;
            for h in helpers {
                let _ = h.await;
            }
        });
        Ok(Some(TeamSync { stop, nudge, task: Some(task), path: path.to_path_buf() }))
    }

    /// A local edit to push now.
    pub fn nudge(&self) {
        self.nudge.notify_one();
    }

    /// Stops the loop (after the sync in progress, if any).
    pub async fn stop(mut self) {
        owner::forget(&self.path);
        let _ = self.stop.send(true);
        if let Some(task) = self.task.take() {
            let _ = task.await;
        }
    }
}

/// A [`TeamSync`] on a runtime of its own (`vitrina worker`).
#[derive(Debug)]
pub struct OwnTeamSync {
    sync: Option<TeamSync>,
    runtime: tokio::runtime::Runtime,
}

impl OwnTeamSync {
    /// Starts syncing `path` in the background if its catalog is in a team.
    pub fn start(path: &Path, secrets: &dyn SecretStore) -> AppResult<Option<OwnTeamSync>> {
        let runtime = runtime()?;
        Ok(TeamSync::start(runtime.handle(), path, secrets)?
            .map(|sync| OwnTeamSync { sync: Some(sync), runtime }))
    }
}

impl Drop for OwnTeamSync {
    fn drop(&mut self) {
        if let Some(sync) = self.sync.take() {
            self.runtime.block_on(sync.stop());
        }
    }
}

impl Drop for TeamSync {
    fn drop(&mut self) {
        owner::forget(&self.path);
        let _ = self.stop.send(true);
    }
}

mod owner;
pub use owner::{MarketTurn, owns_marketplaces};

#[cfg(test)]
mod tests;
