//! TLS when the server offers it, as `sslmode` says.

use vitrina_domain::DeviceId;
use vitrina_sync::pg::PgRemote;
use vitrina_sync::pg::admin::init_team;
use vitrina_sync::{Remote, SyncErrorKind, TeamUrl};
use vitrina_testkit::pg::{Cluster, Options};

/// How many of the server's sessions from Vitrina are encrypted, and how many in all.
fn sessions(cluster: &Cluster) -> (i64, i64) {
    let out = cluster.psql(
        "postgres",
        "SELECT count(*) FILTER (WHERE s.ssl), count(*) FROM pg_stat_ssl s JOIN pg_stat_activity a USING (pid)
         WHERE a.application_name = 'vitrina'",
    );
    let (a, b) = out.trim().split_once('|').unwrap();
    (a.parse().unwrap(), b.parse().unwrap())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sslmode_is_respected_against_a_server_that_offers_tls() {
    let cluster = Cluster::start_with(Options { fsync: false, tls: true }).unwrap();
    let url = cluster.create_database("t_tls");
    let server = TeamUrl::parse(&format!("{url}?schema=tlsteam")).unwrap();
    // `prefer` (the default): encrypted, the self-signed certificate not checked.
    let admin = init_team(&server, "Админ").await.unwrap();
    let remote = PgRemote::new(admin.url.clone()).unwrap();
    remote.hello(DeviceId::new(), "tls").await.unwrap();
    assert_eq!(sessions(&cluster), (1, 1), "prefer: one encrypted session");
    drop(remote);

    let mut plain = admin.url.clone();
    plain.sslmode = vitrina_sync::SslMode::Disable;
    let remote = PgRemote::new(plain).unwrap();
    remote.hello(DeviceId::new(), "tls").await.unwrap();
    tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    let (encrypted, all) = sessions(&cluster);
    assert_eq!(all - encrypted, 1, "disable: a plain session");
    drop(remote);

    // verify-full: the test CA is not one the system trusts.
    let mut strict = admin.url.clone();
    strict.sslmode = vitrina_sync::SslMode::VerifyFull;
    let e = PgRemote::new(strict.clone()).unwrap().hello(DeviceId::new(), "tls").await.unwrap_err();
    assert_eq!(e.kind, SyncErrorKind::Unreachable, "{}", e.message);
    // …unless it is given as the root to trust (the certificate names localhost and 127.0.0.1).
    strict.sslrootcert = Some(cluster.ca_certificate().display().to_string());
    PgRemote::new(strict.clone()).unwrap().hello(DeviceId::new(), "tls").await.unwrap();
    strict.host = "localhost".into();
    PgRemote::new(strict).unwrap().hello(DeviceId::new(), "tls").await.unwrap();
}
