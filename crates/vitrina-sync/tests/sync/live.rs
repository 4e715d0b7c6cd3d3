//! Live: devices running their background loops see each other's edits within 2 s (woken by
//! LISTEN/NOTIFY), and a device whose listening connection is killed catches up.

use std::time::{Duration, Instant};

use vitrina_domain::FieldValue;
use vitrina_store::ProductKey;
use vitrina_sync::MemberKind;

use crate::common::{Device, Team, product};

/// Waits until `d` shows stock `stock` on `sku`; how long that took.
async fn until_stock(d: &Device, sku: &str, stock: i64, limit: Duration) -> Option<Duration> {
    let started = Instant::now();
    while started.elapsed() < limit {
        if d.with(|c| c.product(&ProductKey::Sku(sku.into())).map(|p| p.stock).ok()) == Some(stock) {
            return Some(started.elapsed());
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    None
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_edit_shows_on_another_running_device_within_2_s_and_a_killed_listener_recovers() {
    let team = Team::new("live").await;
    let a = team.founder().await;
    a.with(|c| c.create_product(&product("L", "Живой", 100)).unwrap());
    a.sync().await;
    let b = team.join(&team.invite("watcher", MemberKind::Editor).await).await;
    let (stop_send, stop) = tokio::sync::watch::channel(false);
    let test = async {
        // Both loops are up and listening.
        tokio::time::sleep(Duration::from_millis(500)).await;
        let mut took = Vec::new();
        for i in 1..=20 {
            a.with(|c| c.update_product(&ProductKey::Sku("L".into()), &[FieldValue::Stock(i)]).unwrap());
            a.engine.nudge();
            took.push(until_stock(&b, "L", i, Duration::from_secs(10)).await.expect("B sees A's edit"));
        }
        took.sort();
        let p95 = took[took.len() * 95 / 100 - 1];
        eprintln!("A→B: median {:?}, p95 {:?}", took[took.len() / 2], p95);
        assert!(p95 <= Duration::from_secs(2), "p95 {p95:?}");
        // B's connections are killed by the server: it reconnects and catches up within seconds
        // (its next sync fails, it retries after 1 s, and listens again).
        team.cluster.psql(
            &team.db,
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'vitrina' AND query LIKE 'LISTEN%'",
        );
        a.with(|c| c.update_product(&ProductKey::Sku("L".into()), &[FieldValue::Stock(500)]).unwrap());
        a.engine.nudge();
        let caught_up = until_stock(&b, "L", 500, Duration::from_secs(35)).await;
        assert!(caught_up.is_some(), "B caught up after losing its listener");
        stop_send.send(true).unwrap();
    };
    tokio::join!(a.engine.run(stop.clone()), b.engine.run(stop.clone()), test);
}
