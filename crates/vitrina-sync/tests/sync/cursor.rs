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
