//! No skipped records: a push whose transaction stays open while later pushes commit is still
//! pulled, whatever the interleaving.

use std::time::Duration;

use vitrina_sync::MemberKind;

use crate::common::{Team, product, rounds, seeded_rng};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_push_held_open_while_others_push_and_pull_is_never_skipped() {
    let (seed, mut rng) = seeded_rng("cursor");
    let team = Team::new("cursor").await;
    let a = team.founder().await;
    let b = team.join(&team.invite("b", MemberKind::Editor).await).await;
    let c = team.join(&team.invite("c", MemberKind::Viewer).await).await;
    let mut made = 0;
    for round in 0..rounds(6) {
        let held = rng.u64(150..600);
        let a_count = rng.usize(1..20);
        let b_count = rng.usize(1..200);
        a.with(|cat| {
            for i in 0..a_count {
                cat.create_product(&product(&format!("A-{round}-{i}"), "от A", 100)).unwrap();
            }
        });
        b.with(|cat| {
            for i in 0..b_count {
                cat.create_product(&product(&format!("B-{round}-{i}"), "от B", 100)).unwrap();
            }
        });
        made += a_count + b_count;
        a.engine.remote().hold_pushes_open(Some(Duration::from_millis(held)));
        let b_delay = rng.u64(0..held);
        let pulls = rng.usize(1..6);
        let (ra, rb, _) = tokio::join!(
            a.engine.sync(),
            async {
                tokio::time::sleep(Duration::from_millis(b_delay)).await;
                b.engine.sync().await
            },
            async {
                for _ in 0..pulls {
                    c.sync().await;
                    tokio::time::sleep(Duration::from_millis(held / pulls as u64)).await;
                }
            }
        );
        ra.unwrap();
        rb.unwrap();
        a.engine.remote().hold_pushes_open(None);
    }
    c.sync().await;
    assert_eq!(c.with(|cat| cat.product_count().unwrap()), made as u64, "seed {seed}: C got every product");
    a.sync().await;
    b.sync().await;
    assert_eq!(a.digest(), c.digest(), "seed {seed}");
    assert_eq!(b.digest(), c.digest(), "seed {seed}");
}

/// A transaction left open in another database of the same server (a report, a backup,
/// another team) holds no pull back: the snapshot's xmin counts every database, the pull's
/// horizon only this one. One open in the team's own database still does (above).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_transaction_open_in_another_database_holds_no_pull_back() {
    let team = Team::new("elsewhere").await;
    let a = team.founder().await;
    let b = team.join(&team.invite("b", MemberKind::Editor).await).await;
    let other = team.cluster.create_database(&format!("{}_other", team.db));
    let (client, connection) = tokio_postgres::connect(&other, tokio_postgres::NoTls).await.unwrap();
    tokio::spawn(connection);
    client.batch_execute("BEGIN; SELECT pg_current_xact_id();").await.unwrap();
    a.with(|c| c.create_product(&product("ELSEWHERE-1", "после чужой транзакции", 100)).unwrap());
    a.sync().await;
    let started = std::time::Instant::now();
    let report = b.sync().await;
    assert!(!report.held_back, "nothing of this team is running");
    assert_eq!(b.with(|c| c.product_count().unwrap()), 1, "the product came at once");
    assert!(started.elapsed() < Duration::from_millis(1500), "no wait for the other database");
    client.batch_execute("COMMIT").await.unwrap();
}
