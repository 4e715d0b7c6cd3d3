//! Roles enforced by the server: a member's own connection, with hand-written SQL, can do only
//! what their role allows.

use tokio_postgres::NoTls;
use vitrina_sync::pg::admin::Invitation;
use vitrina_sync::{MemberKind, Remote};

use crate::common::{Team, product};

/// A raw connection as `member`, the search path on the team's schema.
async fn connect_as(team: &Team, member: &Invitation) -> tokio_postgres::Client {
    let url = &member.url;
    let (client, connection) = tokio_postgres::connect(
        &format!(
            "host={} port={} user={} password={} dbname={}",
            url.host,
            url.port,
            url.user,
            url.password().unwrap(),
            url.database
        ),
        NoTls,
    )
    .await
    .unwrap();
    tokio::spawn(connection);
    client.batch_execute(&format!("SET search_path TO {}", team.schema)).await.unwrap();
    client
}

/// Every team table's contents, to see that nothing changed.
fn checksums(team: &Team) -> String {
    ["meta", "members", "devices", "log", "state", "state_fields", "leases", "admin_entities"]
        .iter()
        .map(|t| {
            team.psql(&format!(
                "SELECT md5(coalesce(string_agg(x::text, '|' ORDER BY x::text), '')) FROM {t} x"
            ))
        })
        .collect()
}

/// Runs `sql` and says whether the server refused it for lack of rights, or it changed nothing.
async fn refused_or_no_effect(client: &tokio_postgres::Client, sql: &str) -> Result<(), String> {
    match client.execute(sql, &[]).await {
        Err(e) => match e.code() {
            Some(code) if *code == tokio_postgres::error::SqlState::INSUFFICIENT_PRIVILEGE => Ok(()),
            _ => Err(format!("{sql}: failed otherwise: {e}")),
        },
        Ok(0) => Ok(()),
        Ok(n) if sql.trim_start().to_uppercase().starts_with("SELECT") => {
            let _ = n;
            Ok(())
        }
        Ok(n) => Err(format!("{sql}: changed {n} rows")),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_viewer_with_its_own_password_cannot_change_anything() {
    let team = Team::new("viewer").await;
    let founder = team.founder().await;
    founder.with(|c| c.create_product(&product("V-1", "Смотреть", 100)).unwrap());
    founder.sync().await;
    let viewer = team.invite("Вера", MemberKind::Viewer).await;
    let client = connect_as(&team, &viewer).await;
    let before = checksums(&team);
    let device = founder.engine.device().0;
    let attempts = [
        "INSERT INTO meta (key, value) VALUES ('x', 'y')".to_string(),
        "UPDATE meta SET value = '0'".into(),
        "DELETE FROM meta".into(),
        "TRUNCATE meta".into(),
        "INSERT INTO members (role, name, kind) VALUES ('x', 'x', 'admin')".into(),
        "UPDATE members SET kind = 'admin'".into(),
        "DELETE FROM members".into(),
        "TRUNCATE members".into(),
        "INSERT INTO devices (id, label) VALUES (gen_random_uuid(), 'mine')".into(),
        "UPDATE devices SET label = 'x'".into(),
        "DELETE FROM devices".into(),
        "TRUNCATE devices".into(),
        format!(
            "INSERT INTO log (id, entity, entity_id, batch, device, who, schema_version, fields)
             VALUES (gen_random_uuid(), 'product', gen_random_uuid(), gen_random_uuid(), '{device}', 'v', 1, '{{}}')"
        ),
        "UPDATE log SET who = 'x'".into(),
        "DELETE FROM log".into(),
        "TRUNCATE log".into(),
        "INSERT INTO state (entity_id, entity, doc) VALUES (gen_random_uuid(), 'product', '{}')".into(),
        "UPDATE state SET doc = '{}'".into(),
        "DELETE FROM state".into(),
        "TRUNCATE state".into(),
        "INSERT INTO state_fields (entity_id, field, hlc, device) VALUES (gen_random_uuid(), 'x', 1, gen_random_uuid())"
            .into(),
        "UPDATE state_fields SET value = 'x'".into(),
        "DELETE FROM state_fields".into(),
        "TRUNCATE state_fields".into(),
        "UPDATE leases SET epoch = epoch + 1, holder = gen_random_uuid()".into(),
        "DELETE FROM leases".into(),
        "TRUNCATE leases".into(),
        "INSERT INTO admin_entities (entity) VALUES ('product')".into(),
        "DELETE FROM admin_entities".into(),
        "TRUNCATE admin_entities".into(),
        format!("SELECT take_lease('marketplaces', '{device}', 10000)"),
        format!("SELECT renew_lease('marketplaces', '{device}', 1, 10000)"),
        format!("SELECT release_lease('marketplaces', '{device}', 1)"),
        "SELECT prune_log('0 seconds')".into(),
        "SELECT fold_state(1000)".into(),
        "SELECT add_member('x_m_y', 'y', 'admin', 'pw')".into(),
        "SELECT set_member_kind('x', 'admin')".into(),
        "SELECT set_member_password('x', 'pw')".into(),
        "SELECT remove_member('x')".into(),
        "SELECT merge_doc('{}', '{}')".into(),
        "SELECT log_doc('{}', gen_random_uuid())".into(),
        "SELECT group_of('admin')".into(),
        "SELECT lease_valid('marketplaces', 1)".into(),
    ];
    for sql in &attempts {
        refused_or_no_effect(&client, sql).await.unwrap();
    }
    // COPY FROM into every table.
    for table in ["meta", "members", "devices", "log", "state", "state_fields", "leases", "admin_entities"] {
        let client = connect_as(&team, &viewer).await;
        let e = client.copy_in::<_, bytes::Bytes>(&format!("COPY {table} FROM STDIN")).await.err();
        assert!(e.is_some(), "COPY into {table} was accepted");
    }
    // The viewer can read (and bootstrap a device from) everything.
    let client = connect_as(&team, &viewer).await;
    let rows = client.query("SELECT count(*) FROM state", &[]).await.unwrap();
    assert!(rows[0].get::<_, i64>(0) >= 1);
    assert_eq!(checksums(&team), before, "no table changed");

    // Its own device syncs without pushing: what it changes stays on it.
    let v = team.join(&viewer).await;
    v.with(|c| c.create_product(&product("V-2", "Локально", 1)).unwrap());
    let report = v.sync().await;
    assert_eq!(report.pushed_sets, 0);
    assert_eq!(v.with(|c| c.sync_pending().unwrap()), 1);
    assert_eq!(v.engine.server_info().unwrap().kind, MemberKind::Viewer);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_editor_cannot_manage_members_nor_push_as_another_device() {
    let team = Team::new("editor").await;
    let founder = team.founder().await;
    let editor = team.invite("Эдик", MemberKind::Editor).await;
    let client = connect_as(&team, &editor).await;
    for sql in [
        "SELECT add_member('x_m_z', 'z', 'viewer', 'pw')".to_string(),
        format!("SELECT set_member_kind('{}', 'admin')", editor.role),
        format!("SELECT set_member_kind('{}', 'viewer')", team.admin.role),
        format!("SELECT set_member_password('{}', 'pw')", team.admin.role),
        format!("SELECT remove_member('{}')", team.admin.role),
        "UPDATE members SET kind = 'admin'".into(),
    ] {
        let e = client.execute(sql.as_str(), &[]).await.unwrap_err();
        assert_eq!(e.code(), Some(&tokio_postgres::error::SqlState::INSUFFICIENT_PRIVILEGE), "{sql}: {e}");
    }
    let remote = vitrina_sync::pg::PgRemote::new(editor.url.clone()).unwrap();
    let e = remote.invite("Новый", MemberKind::Admin).await.unwrap_err();
    assert_eq!(e.kind, vitrina_sync::SyncErrorKind::NotAllowed, "{}", e.message);
    // The founder's device is not the editor's: pushing as it, or taking the lease for it, fails.
    let foreign = founder.engine.device().0;
    let e = client
        .execute(
            "INSERT INTO log (id, entity, entity_id, batch, device, who, schema_version, fields)
             VALUES (gen_random_uuid(), 'product', gen_random_uuid(), gen_random_uuid(), $1, 'x', 1, '{}')",
            &[&foreign],
        )
        .await
        .unwrap_err();
    assert_eq!(e.code(), Some(&tokio_postgres::error::SqlState::INSUFFICIENT_PRIVILEGE), "{e}");
    let e = client.execute("INSERT INTO log (id, entity, entity_id, batch, device, who, schema_version, fields, author) VALUES (gen_random_uuid(), 'product', gen_random_uuid(), gen_random_uuid(), $1, 'x', 1, '{}', 'postgres')", &[&foreign]).await.unwrap_err();
    assert_eq!(e.code(), Some(&tokio_postgres::error::SqlState::INSUFFICIENT_PRIVILEGE), "{e}");
    let e = remote
        .take_lease(vitrina_sync::MARKETPLACES, founder.engine.device(), std::time::Duration::from_secs(5))
        .await
        .unwrap_err();
    assert_eq!(e.kind, vitrina_sync::SyncErrorKind::NotAllowed, "{}", e.message);
    // A viewer may not take the lease at all.
    let viewer = team.invite("Вика", MemberKind::Viewer).await;
    let e = vitrina_sync::pg::PgRemote::new(viewer.url.clone())
        .unwrap()
        .take_lease(
            vitrina_sync::MARKETPLACES,
            vitrina_domain::DeviceId::new(),
            std::time::Duration::from_secs(5),
        )
        .await
        .unwrap_err();
    assert_eq!(e.kind, vitrina_sync::SyncErrorKind::NotAllowed, "{}", e.message);
    // The admin may change the editor's role, and the server then refuses the editor's pushes.
    let admin = vitrina_sync::pg::PgRemote::new(team.admin.url.clone()).unwrap();
    admin.set_member_kind(&editor.role, MemberKind::Viewer).await.unwrap();
    let members = admin.members().await.unwrap();
    assert_eq!(members.iter().find(|m| m.role == editor.role).unwrap().kind, MemberKind::Viewer);
    let e = admin.set_member_kind(&team.admin.role, MemberKind::Editor).await.unwrap_err();
    assert!(e.message.contains("no admin left"), "{}", e.message);
}

#[test]
fn every_team_table_forces_row_level_security_and_no_team_role_bypasses_it() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let team = rt.block_on(Team::new("rls"));
    let tables = team.cluster.psql(
        &team.db,
        &format!(
            "SELECT c.relname, c.relrowsecurity, c.relforcerowsecurity, r.rolcanlogin FROM pg_class c
             JOIN pg_namespace n ON n.oid = c.relnamespace JOIN pg_roles r ON r.oid = c.relowner
             WHERE n.nspname = '{}' AND c.relkind = 'r' ORDER BY 1",
            team.schema
        ),
    );
    let lines: Vec<&str> = tables.lines().collect();
    assert_eq!(lines.len(), 8, "{tables}");
    for line in lines {
        assert!(line.ends_with("|t|t|f"), "RLS forced and a NOLOGIN owner: {line}");
    }
    let bypass = team.cluster.psql(
        "postgres",
        &format!(
            "SELECT count(*) FROM pg_roles WHERE rolname LIKE '{}%' AND (rolbypassrls OR rolsuper)",
            team.schema
        ),
    );
    assert_eq!(bypass.trim(), "0");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn only_an_admin_may_change_a_marketplace_accounts_settings() {
    let team = Team::new("admset").await;
    let _founder = team.founder().await;
    let editor = team.invite("Эдик", MemberKind::Editor).await;
    let editors_device = team.join(&editor).await;
    let device = editors_device.engine.device().0;
    let client = connect_as(&team, &editor).await;
    let push = |entity: &'static str| {
        format!(
            "INSERT INTO log (id, entity, entity_id, batch, device, who, schema_version, fields)
             VALUES (gen_random_uuid(), '{entity}', gen_random_uuid(), gen_random_uuid(), $1, 'x', {}, '{{}}')",
            vitrina_sync::pg::schema::SCHEMA_VERSION
        )
    };
    let before = team.psql("SELECT count(*) FROM log");
    for sql in ["DELETE FROM admin_entities", "INSERT INTO admin_entities (entity) VALUES ('supplier')"] {
        let e = client.execute(sql, &[]).await.unwrap_err();
        assert_eq!(e.code(), Some(&tokio_postgres::error::SqlState::INSUFFICIENT_PRIVILEGE), "{sql}: {e}");
    }
    let e = client.execute(push("market_account").as_str(), &[&device]).await.unwrap_err();
    assert_eq!(e.code(), Some(&tokio_postgres::error::SqlState::INSUFFICIENT_PRIVILEGE), "{e}");
    assert_eq!(team.psql("SELECT count(*) FROM log"), before, "nothing was written");
    // The same editor changes the catalog's settings (a supplier), from its own device.
    assert_eq!(client.execute(push("supplier").as_str(), &[&device]).await.unwrap(), 1);
    // An admin changes the account's settings.
    let admins_device = team.join(&team.admin).await;
    let admin = connect_as(&team, &team.admin).await;
    let device = admins_device.engine.device().0;
    assert_eq!(admin.execute(push("market_account").as_str(), &[&device]).await.unwrap(), 1);
}
