//! A device killed mid-push or mid-pull loses nothing and applies nothing twice.

use std::time::Duration;

use vitrina_store::Catalog;
use vitrina_sync::MemberKind;

use crate::child;
use crate::common::{Device, Team, product, seeded_rng};

/// Products `prefix-0..n` on a device's catalog file (no engine open on it meanwhile).
fn make_products(path: &std::path::Path, prefix: &str, n: usize) {
    let mut c = Catalog::open(path).unwrap();
    for i in 0..n {
        c.create_product(&product(&format!("{prefix}-{i}"), "Товар", 100 + i as i64)).unwrap();
    }
}

fn log_rows(team: &Team) -> (i64, i64) {
    let out = team.psql("SELECT count(*), count(DISTINCT id) FROM log");
    let (a, b) = out.trim().split_once('|').unwrap();
    (a.parse().unwrap(), b.parse().unwrap())
}

/// Products in the catalog at `path`.
fn product_records(path: &std::path::Path) -> i64 {
    let c = Catalog::open(path).unwrap();
    c.product_count().unwrap() as i64
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_device_killed_after_the_server_took_its_push_pushes_nothing_twice_and_loses_nothing() {
    let team = Team::new("pushcrash").await;
    let founder = team.founder().await;
    let editor = team.invite("killed", MemberKind::Editor).await;
    let d = team.join(&editor).await;
    let path = d.path.clone();
    let remote = d.engine_remote();
    drop(d.engine);
    make_products(&path, "K", 12);
    // Batches of 5: the child dies after the server committed its second batch.
    let mut child = child::spawn("push-crash", &editor.url, &path, 5, 1);
    assert!(child::wait_for_line(&mut child, "READY", Duration::from_secs(30)).is_some());
    let status = child.wait().unwrap();
    assert!(!status.success(), "the child died at the crash point");
    assert_eq!(log_rows(&team), (10, 10), "two batches reached the server");
    // Restarted: the unmarked batch goes again (the server skips it), then the rest.
    let d = Device::new(d.dir, path.clone(), remote, Catalog::open(&path).unwrap());
    let report = d.sync().await;
    assert_eq!(report.pushed_sets, 7, "the second batch again and the last two");
    assert_eq!(log_rows(&team), (12, 12), "each change set once");
    assert_eq!(d.with(|c| c.sync_pending().unwrap()), 0);
    founder.sync().await;
    assert_eq!(founder.with(|c| c.product_count().unwrap()), 12);
    assert_eq!(founder.digest(), d.digest());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_device_killed_mid_pull_applies_each_change_once() {
    let team = Team::new("pullcrash").await;
    let founder = team.founder().await;
    let editor = team.invite("puller", MemberKind::Editor).await;
    let d = team.join(&editor).await;
    let path = d.path.clone();
    let remote = d.engine_remote();
    drop(d.engine);
    founder.with(|c| {
        for i in 0..23 {
            c.create_product(&product(&format!("F-{i}"), "Товар", 100)).unwrap();
        }
    });
    founder.sync().await;
    // Pages of 5: the child applies two pages, then dies as the third arrives.
    let mut child = child::spawn("pull-crash", &editor.url, &path, 5, 2);
    assert!(child::wait_for_line(&mut child, "READY", Duration::from_secs(30)).is_some());
    assert!(!child.wait().unwrap().success());
    assert_eq!(product_records(&path), 10, "two whole pages, nothing of the third");
    let d = Device::new(d.dir, path.clone(), remote, Catalog::open(&path).unwrap());
    let report = d.sync().await;
    assert_eq!(report.pulled_sets, 13, "only what was not applied");
    assert_eq!(d.with(|c| c.product_count().unwrap()), 23);
    let creates: i64 =
        d.with(|c| c.history(&vitrina_store::ProductKey::Sku("F-3".into())).unwrap().len() as i64);
    assert_eq!(creates, 1, "one record of the creation, not two");
    assert_eq!(founder.digest(), d.digest());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_device_killed_at_random_moments_while_syncing_converges_without_duplicates() {
    let (seed, mut rng) = seeded_rng("killed at random");
    let team = Team::new("kill9").await;
    let founder = team.founder().await;
    let editor = team.invite("random", MemberKind::Editor).await;
    let d = team.join(&editor).await;
    let path = d.path.clone();
    let remote = d.engine_remote();
    drop(d.engine);
    make_products(&path, "R", 400);
    founder.with(|c| {
        for i in 0..300 {
            c.create_product(&product(&format!("S-{i}"), "С сервера", 100)).unwrap();
        }
    });
    founder.sync().await;
    for _ in 0..3 {
        let mut child = child::spawn("sync-loop", &editor.url, &path, 20, 0);
        assert!(child::wait_for_line(&mut child, "READY", Duration::from_secs(30)).is_some(), "seed {seed}");
        tokio::time::sleep(Duration::from_millis(rng.u64(20..400))).await;
        child::kill9(&mut child);
    }
    let d = Device::new(d.dir, path.clone(), remote, Catalog::open(&path).unwrap());
    d.sync().await;
    founder.sync().await;
    let (rows, distinct) = log_rows(&team);
    assert_eq!((rows, distinct), (400 + 300, 400 + 300), "seed {seed}: every change set once");
    assert_eq!(d.with(|c| c.product_count().unwrap()), 700, "seed {seed}");
    assert_eq!(founder.digest(), d.digest(), "seed {seed}");
    let history_rows: i64 = d.with(|c| {
        (0..300)
            .map(|i| c.history(&vitrina_store::ProductKey::Sku(format!("S-{i}"))).unwrap().len() as i64)
            .sum()
    });
    assert_eq!(history_rows, 300, "seed {seed}: no change applied twice");
}
