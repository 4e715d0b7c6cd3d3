//! `vitrina team …`: working as a team through a shared PostgreSQL (README, "Working as a
//! team"). The server's address may come from `VITRINA_TEAM_URL` and a join code from
//! `VITRINA_TEAM_CODE` instead of the command line (where other users of the machine could see
//! a password in the process list). Members' passwords go to the store of secrets.

use std::path::Path;

use clap::Subcommand;
use vitrina_app::ipc::{InvitationDto, MemberDto, TeamInitDto, TeamStatusDto, TeamUpgradeDto};
use vitrina_app::secrets::{KeyringStore, SecretStore};
use vitrina_app::team;

use crate::args::Cli;
use crate::output::{Outcome, json, print, table, utc};

#[derive(Debug, Subcommand)]
pub enum TeamCmd {
    /// Create the team in an empty database (or schema) with this catalog as its content and
    /// you as its first admin: `team init --url postgres://ADMIN:PASSWORD@HOST/DB[?schema=NAME]`.
    Init {
        /// A server user that may create roles and schemas (CREATEROLE).
        #[arg(long, env = "VITRINA_TEAM_URL", hide_env_values = true)]
        url: String,
        /// Your name, as the team's history shows it.
        #[arg(long, default_value = "Admin")]
        name: String,
    },
    /// Add a member (as an admin) and print the code they join with: `team invite NAME --role editor`.
    Invite {
        name: String,
        /// viewer, editor or admin.
        #[arg(long, default_value = "editor")]
        role: String,
    },
    /// Join a team with a new catalog built from the team's (the code from `team invite`).
    Join {
        #[arg(env = "VITRINA_TEAM_CODE", hide_env_values = true)]
        code: String,
    },
    /// Where this catalog stands: team, role, last sync, changes not yet sent, the last failure.
    Status,
    /// Sync now.
    Sync,
    /// The team's members and their roles.
    Members,
    /// Change a member's role (as an admin): `team set-role NAME editor`.
    SetRole { member: String, role: String },
    /// Upgrade the team's database to this Vitrina's version (as an admin).
    Upgrade,
    /// Stop syncing this catalog (it stays as it is) and forget its password.
    Leave,
    /// A throwaway PostgreSQL on this computer to try a team with (or to test against), until
    /// stopped; it is deleted then. Needs PostgreSQL's server programs (`apt install postgresql`).
    TestServer,
}

pub fn run(cmd: &TeamCmd, db: &Path, cli: &Cli) -> Outcome {
    let store = KeyringStore::new();
    let secrets: &dyn SecretStore = &store;
    match cmd {
        TeamCmd::Init { url, name } => {
            let (status, admin) = team::init(db, url, name, secrets)?;
            if cli.json {
                return json(&TeamInitDto { status, admin });
            }
            show_status(&status);
            print(format!(
                "You are the team's first admin ({}); your password is in the store of secrets.\n\
                 Invite others with `vitrina team invite NAME --role editor`.",
                admin.login
            ));
            Ok(())
        }
        TeamCmd::Invite { name, role } => {
            let invitation = team::invite(db, secrets, name, role)?;
            if cli.json {
                return json(&invitation);
            }
            show_invitation(&invitation);
            Ok(())
        }
        TeamCmd::Join { code } => {
            let status = team::join(db, code, secrets)?;
            if cli.json {
                return json(&status);
            }
            show_status(&status);
            Ok(())
        }
        TeamCmd::Status => {
            let status = team::status_at(db)?;
            if cli.json {
                return json(&status);
            }
            show_status(&status);
            Ok(())
        }
        TeamCmd::Sync => {
            let done = team::sync_now(db, secrets)?;
            if cli.json {
                return json(&done);
            }
            print(format!(
                "sent {} changes, received {}{}{}",
                done.pushed,
                done.pulled,
                if done.conflicts > 0 {
                    format!(", {} conflicts kept in the products' history", done.conflicts)
                } else {
                    String::new()
                },
                if done.merged_state { " (merged the team's state: this device was behind)" } else { "" },
            ));
            show_status(&done.status);
            Ok(())
        }
        TeamCmd::Members => {
            let members = team::members(db, secrets)?;
            if cli.json {
                return json(&members);
            }
            show_members(&members);
            Ok(())
        }
        TeamCmd::SetRole { member, role } => {
            let members = team::set_role(db, secrets, member, role)?;
            if cli.json {
                return json(&members);
            }
            show_members(&members);
            Ok(())
        }
        TeamCmd::Upgrade => {
            let (from, to) = team::upgrade_team(db, secrets)?;
            if cli.json {
                return json(&TeamUpgradeDto { from, to });
            }
            print(if from == to {
                format!("the team's database is at version {to} already")
            } else {
                format!("the team's database is upgraded from version {from} to {to}")
            });
            Ok(())
        }
        TeamCmd::TestServer => {
            let (_server, dto) = team::test_server()?;
            let url = &dto.url;
            if cli.json {
                json(&dto)?;
            } else {
                print(format!("A throwaway PostgreSQL listens at {url} (Ctrl-C stops and deletes it)."));
                print(format!("Try it:\n  vitrina team init --url '{url}?sslmode=disable' --name Анна"));
            }
            loop {
                std::thread::park();
            }
        }
        TeamCmd::Leave => {
            let status = team::leave(db, secrets)?;
            if cli.json {
                return json(&status);
            }
            print("this catalog no longer syncs with the team; it keeps everything it has");
            Ok(())
        }
    }
}

fn when(ms: Option<u64>) -> String {
    match ms {
        None => "never".into(),
        Some(ms) => utc(ms),
    }
}

fn show_status(s: &TeamStatusDto) {
    if !s.joined {
        print("this catalog is not in a team (`vitrina team init` or `vitrina team join CODE`)");
        return;
    }
    let mut t = table(&["", ""]);
    t.add_row(vec!["team".into(), s.url.clone().unwrap_or_default()]);
    t.add_row(vec![
        "member".into(),
        format!(
            "{} ({})",
            s.member.clone().unwrap_or_default(),
            s.role.clone().unwrap_or_else(|| "?".into())
        ),
    ]);
    t.add_row(vec!["last sync".into(), when(s.last_sync)]);
    t.add_row(vec!["changes not yet sent".into(), s.pending.to_string()]);
    if let Some(e) = &s.error {
        t.add_row(vec!["last failure".into(), format!("{} (at {})", e.message, when(s.last_attempt))]);
    }
    if s.sku_clashes > 0 {
        t.add_row(vec!["products with an SKU another product has".into(), s.sku_clashes.to_string()]);
    }
    if !s.may_edit {
        t.add_row(vec![String::new(), "a viewer: changes made here stay on this device".to_string()]);
    }
    print(t);
}

fn show_invitation(i: &InvitationDto) {
    print(format!(
        "{} joins as {} ({}) with this code (it carries their own password):\n\n{}\n",
        i.login, i.role, i.login, i.code
    ));
    print("On their computer: `vitrina team join CODE` (or Settings → Team → Join in the window).");
}

fn show_members(members: &[MemberDto]) {
    let mut t = table(&["Member", "Login", "Role", "Devices", "Last seen"]);
    for m in members {
        t.add_row(vec![
            m.name.clone(),
            m.login.clone(),
            m.role.clone(),
            m.devices.to_string(),
            when(m.last_seen.map(|v| v as u64)),
        ]);
    }
    print(t);
}
