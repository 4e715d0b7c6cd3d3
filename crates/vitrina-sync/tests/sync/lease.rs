//! One device owns the marketplaces: failover after a crash and after a lost network, fencing
//! of the old owner, never two owners.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use vitrina_sync::pg::PgRemote;
use vitrina_sync::{LeaseKeeper, MARKETPLACES, MemberKind, Remote, SyncErrorKind};
use vitrina_testkit::proxy::Fault;

use crate::child;
use crate::common::Team;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn when_the_owner_is_killed_another_device_takes_over_within_15_s() {
    let team = Team::new("leasekill").await;
    let _founder = team.founder().await;
    let a_member = team.invite("owner", MemberKind::Editor).await;
    let a = team.join(&a_member).await;
    let a_path = a.path.clone();
    drop(a.engine);
    let b = team.join(&team.invite("heir", MemberKind::Editor).await).await;
    b.sync().await;

    let mut owner = child::spawn("lease", &a_member.url, &a_path, 1, 0);
    let first: i64 =
        child::wait_for_line(&mut owner, "OWNER", Duration::from_secs(30)).unwrap().parse().unwrap();
    let keeper = LeaseKeeper::new(b.engine_remote(), b.engine.device(), MARKETPLACES);
    keeper.tick().await;
    assert_eq!(keeper.epoch(), None, "the child owns it");
    child::kill9(&mut owner);
    let killed = Instant::now();
    while keeper.epoch().is_none() {
        assert!(killed.elapsed() < Duration::from_secs(15), "no takeover within 15 s");
        tokio::time::sleep(vitrina_sync::lease::RENEW_EVERY).await;
        keeper.tick().await;
    }
    let took = killed.elapsed();
    eprintln!("takeover after the owner was killed: {took:?}");
    assert!(keeper.epoch().unwrap() > first, "a new epoch");
    assert!(keeper.guard().await.is_ok());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_owner_cut_off_is_fenced_another_takes_over_within_45_s_and_never_two_owners() {
    let team = Team::new("leasecut").await;
    let _founder = team.founder().await;
    let (a, proxy) = team.join_behind_proxy(&team.invite("cut", MemberKind::Editor).await).await;
    a.sync().await;
    a.engine.remote().set_call_limit(Duration::from_secs(5));
    let b = team.join(&team.invite("heir", MemberKind::Editor).await).await;
    b.sync().await;
    let keeper_a = Arc::new(LeaseKeeper::new(a.engine_remote(), a.engine.device(), MARKETPLACES));
    let keeper_b = Arc::new(LeaseKeeper::new(b.engine_remote(), b.engine.device(), MARKETPLACES));
    keeper_a.tick().await;
    let epoch_a = keeper_a.epoch().expect("A takes the free lease");
    // The fake marketplace: every action with the epoch it was done under.
    let market: Arc<Mutex<Vec<(char, i64)>>> = Arc::default();
    let (stop_send, stop) = tokio::sync::watch::channel(false);
    let mut tasks = Vec::new();
    for (name, keeper) in [('A', keeper_a.clone()), ('B', keeper_b.clone())] {
        let market = market.clone();
        let mut stop = stop.clone();
        tasks.push(tokio::spawn(async move {
            let mut last_tick = Instant::now() - Duration::from_secs(60);
            loop {
                if last_tick.elapsed() >= vitrina_sync::lease::RENEW_EVERY {
                    keeper.tick().await;
                    last_tick = Instant::now();
                }
                if let Ok(epoch) = keeper.guard().await {
                    market.lock().unwrap().push((name, epoch));
                }
                tokio::select! {
                    _ = stop.changed() => return,
                    _ = tokio::time::sleep(Duration::from_millis(300)) => {}
                }
            }
        }));
    }
    tokio::time::sleep(Duration::from_secs(2)).await;
    proxy.set(Fault::Blackhole);
    let cut = Instant::now();
    let mut both = 0;
    while keeper_b.epoch().is_none() {
        assert!(cut.elapsed() < Duration::from_secs(45), "no takeover within 45 s");
        if keeper_a.epoch().is_some() && keeper_b.epoch().is_some() {
            both += 1;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    eprintln!("takeover after the owner was cut off: {:?}", cut.elapsed());
    assert_eq!(keeper_a.epoch(), None, "the cut-off owner stepped down by its own clock first");
    assert_eq!(both, 0, "never two owners");
    tokio::time::sleep(Duration::from_secs(2)).await;
    proxy.set(Fault::None);
    // The old owner's late action under its old epoch is refused by the server.
    let late = a.engine_remote().lease_valid(MARKETPLACES, epoch_a).await.unwrap();
    assert!(!late, "the old epoch is stale");
    let e = keeper_a.guard().await.unwrap_err();
    assert_eq!(e.kind, SyncErrorKind::LeaseLost);
    tokio::time::sleep(Duration::from_secs(4)).await;
    stop_send.send(true).unwrap();
    for t in tasks {
        t.await.unwrap();
    }
    let actions = market.lock().unwrap().clone();
    assert!(actions.iter().any(|(n, _)| *n == 'A') && actions.iter().any(|(n, _)| *n == 'B'), "{actions:?}");
    assert!(actions.windows(2).all(|w| w[0].1 <= w[1].1), "epochs never interleave: {actions:?}");
    let b_epoch = keeper_b.epoch().unwrap();
    assert!(actions.iter().all(|(n, e)| (*n == 'A') == (*e == epoch_a) || *e == b_epoch), "{actions:?}");
    let holder = PgRemote::new(team.admin.url.clone()).unwrap().lease_holder(MARKETPLACES).await.unwrap();
    assert_eq!(holder.device, Some(b.engine.device()));
}
