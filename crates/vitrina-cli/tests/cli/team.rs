//! `vitrina team …` against the test process's throwaway PostgreSQL: init, invite, join, sync,
//! members, set-role, upgrade, leave, each `--json` output the window's DTO.

use vitrina_app::ErrorCode;
use vitrina_app::ipc::{InvitationDto, MemberDto, TeamInitDto, TeamStatusDto, TeamSyncDto, TeamUpgradeDto};
use vitrina_testkit::pg::Cluster;

use crate::contract::{dto, error};
use crate::support::ok_json;

#[test]
fn a_team_from_init_to_leave_through_the_command_line() {
    let cluster = Cluster::shared();
    let url = format!("{}?sslmode=disable&schema=cli_team", cluster.create_database("cli_team"));
    let dir = tempfile::tempdir().unwrap();
    let first = dir.path().join("first.db");
    ok_json(&first, &["demo", "--products", "20"]);

    let init: TeamInitDto = dto(&first, &["team", "init", "--url", &url, "--name", "Анна"]);
    assert_eq!(init.status.role.as_deref(), Some("admin"));
    assert!(!init.status.url.as_deref().unwrap().contains(&init.admin.password));
    let credentials = std::fs::read_to_string(crate::support::credentials(&first)).unwrap();
    assert!(credentials.contains(&init.admin.password), "the admin's password is in the store of secrets");

    let invitation: InvitationDto = dto(&first, &["team", "invite", "Борис", "--role", "editor"]);
    assert_eq!(invitation.role, "editor");
    assert!(invitation.code.starts_with("vtj1-") && invitation.url.contains(&invitation.password));
    assert_ne!(invitation.password, init.admin.password);

    let second = dir.path().join("second.db");
    let joined: TeamStatusDto = dto(&second, &["team", "join", &invitation.code]);
    assert_eq!((joined.member.as_deref(), joined.role.as_deref()), (Some("Борис"), Some("editor")));
    let status: TeamStatusDto = dto(&second, &["team", "status"]);
    assert_eq!(status.pending, 0);

    let page: vitrina_app::ipc::ProductPageDto = dto(&second, &["products", "list", "--limit", "1"]);
    let sku = page.rows[0].sku.clone();
    ok_json(&second, &["products", "set", &sku, "stock=77"]);
    let synced: TeamSyncDto = dto(&second, &["team", "sync"]);
    assert_eq!((synced.pushed, synced.status.pending), (1, 0));
    let synced: TeamSyncDto = dto(&first, &["team", "sync"]);
    assert_eq!(synced.pulled, 1);

    let e = error(&second, &["team", "invite", "Чужой", "--role", "admin"]);
    assert_eq!(e.code, ErrorCode::TeamNotAllowed);
    let members: Vec<MemberDto> = dto(&first, &["team", "set-role", "Борис", "viewer"]);
    assert_eq!(members.iter().find(|m| m.name == "Борис").unwrap().role, "viewer");
    let upgraded: TeamUpgradeDto = dto(&first, &["team", "upgrade"]);
    assert_eq!(upgraded.from, upgraded.to);
    let left: TeamStatusDto = dto(&second, &["team", "leave"]);
    assert!(!left.joined);
    assert_eq!(error(&second, &["team", "sync"]).code, ErrorCode::NotFound);

    let e = error(&dir.path().join("third.db"), &["team", "join", "postgres://nobody:wrong@127.0.0.1:1/x"]);
    assert_eq!(e.code, ErrorCode::TeamUnreachable, "{}", e.message);
}
