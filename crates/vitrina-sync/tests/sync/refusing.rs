//! A server that refuses changes — read-only (a standby, a database set read-only) or out of
//! space — is named in the error, the device keeps its changes, and the next sync resumes.
//! The refusal is the server's own: a trigger the superuser puts on the log raises the SQLSTATE
//! such a server gives.

use vitrina_sync::SyncErrorKind;

use crate::common::{Team, product};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_read_only_or_full_server_is_named_the_device_keeps_its_changes_and_the_next_sync_resumes() {
    let team = Team::new("refusing").await;
    let a = team.founder().await;
    for (state, kind, words) in [
        ("read_only_sql_transaction", SyncErrorKind::ReadOnly, "read-only"),
        ("disk_full", SyncErrorKind::ServerFull, "out of space"),
    ] {
        let sku = format!("R-{state}");
        a.with(|c| c.create_product(&product(&sku, "Товар", 1000)).unwrap());
        let pending = a.with(|c| c.sync_pending().unwrap());
        assert!(pending > 0);
        team.psql(&format!(
            "CREATE FUNCTION refuse() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN \
             RAISE EXCEPTION 'refused' USING ERRCODE = '{state}'; END $$; \
             CREATE TRIGGER refuse BEFORE INSERT ON log FOR EACH STATEMENT EXECUTE FUNCTION refuse()"
        ));
        let e = a.engine.sync().await.unwrap_err();
        assert_eq!(e.kind, kind, "{}", e.message);
        assert!(e.message.contains(words) && e.message.contains("wait on this device"), "{}", e.message);
        assert_eq!(a.with(|c| c.sync_pending().unwrap()), pending, "the changes wait on the device");
        assert_eq!(
            team.psql(&format!("SELECT count(*) FROM log WHERE fields::text LIKE '%{sku}%'")).trim(),
            "0"
        );

        team.psql("DROP TRIGGER refuse ON log; DROP FUNCTION refuse()");
        a.sync().await;
        assert_eq!(a.with(|c| c.sync_pending().unwrap()), 0, "the next sync sends them");
        assert_ne!(
            team.psql(&format!("SELECT count(*) FROM log WHERE fields::text LIKE '%{sku}%'")).trim(),
            "0"
        );
    }
}
