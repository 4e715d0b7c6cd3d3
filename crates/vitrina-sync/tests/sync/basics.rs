//! A team from init to a second device: push, pull, conflicts, versions, bad input.

use vitrina_domain::{FieldValue, Money};
use vitrina_store::ProductKey;
use vitrina_sync::pg::PgRemote;
use vitrina_sync::{MemberKind, Remote, SyncErrorKind, TeamUrl};

use crate::common::{Team, product, server_digest};

fn sku(s: &str) -> ProductKey {
    ProductKey::Sku(s.into())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_founders_catalog_reaches_a_new_device_and_edits_flow_both_ways() {
    let team = Team::new("basic").await;
    let a = team.founder().await;
    let editor = team.invite("Борис", MemberKind::Editor).await;
    a.with(|c| {
        let shoes = c.ensure_category_path(&vitrina_domain::CategoryPath::parse("Обувь / Кеды")).unwrap();
        let mut p = product("K-1", "Кеды", 250_000);
        p.category = Some(shoes);
        c.create_product(&p).unwrap();
    });
    a.sync().await;
    let b = team.join(&editor).await;
    assert_eq!(b.with(|c| c.product(&sku("K-1")).unwrap().name), "Кеды");
    assert_eq!(a.digest(), b.digest());

    b.with(|c| c.update_product(&sku("K-1"), &[FieldValue::Stock(12)]).unwrap());
    let pushed = b.sync().await;
    assert_eq!(pushed.pushed_sets, 1);
    let pulled = a.sync().await;
    assert_eq!(pulled.applied.won, 1);
    assert_eq!(a.with(|c| c.product(&sku("K-1")).unwrap().stock), 12);
    let history = a.with(|c| c.history(&sku("K-1")).unwrap());
    assert_eq!(history[0].who, "Борис", "the editor's name is in the founder's history");
    assert_eq!(a.digest(), b.digest());
    assert_eq!(a.digest(), server_digest(&team).await);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_conflict_converges_and_the_losing_value_stays_restorable() {
    let team = Team::new("conflict").await;
    let a = team.founder().await;
    let b = team.join(&team.invite("bob", MemberKind::Editor).await).await;
    a.with(|c| c.create_product(&product("P", "Чайник", 1000)).unwrap());
    a.sync().await;
    b.sync().await;
    a.with(|c| c.update_product(&sku("P"), &[FieldValue::Price(Money::rub(1100))]).unwrap());
    tokio::time::sleep(std::time::Duration::from_millis(5)).await;
    b.with(|c| c.update_product(&sku("P"), &[FieldValue::Price(Money::rub(1200))]).unwrap());
    for d in [&a, &b, &a] {
        d.sync().await;
    }
    assert_eq!(a.with(|c| c.product(&sku("P")).unwrap().price), Money::rub(1200));
    assert_eq!(a.digest(), b.digest());
    let id = a.with(|c| c.product(&sku("P")).unwrap().id);
    let lost = a.with(|c| c.sync_conflicts(id).unwrap());
    assert_eq!(lost.len(), 1, "{lost:?}");
    assert_eq!(lost[0].value.as_deref(), Some("1100 RUB"));
    // Restoring is a new edit: it wins everywhere.
    a.with(|c| c.update_product(&sku("P"), &[FieldValue::Price(Money::rub(1100))]).unwrap());
    a.sync().await;
    b.sync().await;
    assert_eq!(b.with(|c| c.product(&sku("P")).unwrap().price), Money::rub(1100));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_mismatched_schema_version_is_refused_with_a_message_and_the_catalog_is_untouched() {
    let team = Team::new("version").await;
    let a = team.founder().await;
    a.with(|c| c.create_product(&product("V", "Версия", 1000)).unwrap());
    let before = a.digest();
    let log_rows = team.psql("SELECT count(*) FROM log");
    team.psql("UPDATE meta SET value = '99' WHERE key = 'schema_version'");
    let e = a.engine.sync().await.unwrap_err();
    assert_eq!(e.kind, SyncErrorKind::SchemaTooNew);
    assert!(e.message.contains("version 99") && e.message.contains("Update Vitrina"), "{}", e.message);
    assert_eq!(a.digest(), before);
    assert_eq!(a.with(|c| c.sync_pending().unwrap()), 1, "the outbox is kept");
    assert_eq!(team.psql("SELECT count(*) FROM log"), log_rows);
    // A hand-made push with a stale version is refused by the server itself.
    team.psql("UPDATE meta SET value = '2' WHERE key = 'schema_version'");
    let raw = team.cluster.psql(
        &team.db,
        &format!(
            "SET search_path TO {}; INSERT INTO devices (id, member) VALUES ('00000000-0000-0000-0000-000000000001', 'x');
             DO $$ BEGIN INSERT INTO log (id, entity, entity_id, batch, device, who, schema_version, fields)
             VALUES (gen_random_uuid(), 'product', gen_random_uuid(), gen_random_uuid(),
                     '00000000-0000-0000-0000-000000000001', 'x', 0, '{{}}'); RAISE EXCEPTION 'accepted';
             EXCEPTION WHEN SQLSTATE 'VS001' THEN RAISE NOTICE 'refused'; END $$; SELECT 'ok'",
            team.schema
        ),
    );
    assert!(raw.contains("ok"));
    team.psql("UPDATE meta SET value = '0' WHERE key = 'schema_version'");
    let e = a.engine.sync().await.unwrap_err();
    assert_eq!(e.kind, SyncErrorKind::ServerTooOld);
    assert!(e.message.contains("vitrina team upgrade"), "{}", e.message);
    team.psql("UPDATE meta SET value = '2' WHERE key = 'schema_version'");
    a.sync().await;
    assert_eq!(a.with(|c| c.sync_pending().unwrap()), 0, "after the upgrade the outbox drains");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_addresses_and_passwords_give_clear_messages() {
    let team = Team::new("bad").await;
    let mut wrong = team.admin.url.clone();
    wrong = wrong.with_credentials(&wrong.user.clone(), Some("not-the-password"));
    let e = PgRemote::new(wrong).unwrap().hello(vitrina_domain::DeviceId::new(), "x").await.unwrap_err();
    assert_eq!(e.kind, SyncErrorKind::SignIn, "{}", e.message);
    assert!(!e.message.contains("not-the-password"));

    let mut nowhere = team.admin.url.clone();
    nowhere.port = 1;
    let e = PgRemote::new(nowhere).unwrap().hello(vitrina_domain::DeviceId::new(), "x").await.unwrap_err();
    assert_eq!(e.kind, SyncErrorKind::Unreachable, "{}", e.message);

    let mut no_team = team.admin.url.clone();
    no_team.schema = "nothing_here".into();
    let e = PgRemote::new(no_team).unwrap().hello(vitrina_domain::DeviceId::new(), "x").await.unwrap_err();
    assert_eq!(e.kind, SyncErrorKind::NoTeam, "{}", e.message);

    let e = TeamUrl::parse("https://example.com").unwrap_err();
    assert_eq!(e.kind, SyncErrorKind::BadUrl);
}
