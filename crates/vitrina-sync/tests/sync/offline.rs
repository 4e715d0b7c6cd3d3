//! Long absences: a week offline with ten thousand edits; a device behind the pruned log.

use vitrina_domain::{FieldValue, Money};
use vitrina_store::ProductKey;
use vitrina_sync::MemberKind;

use crate::common::{Team, product, seeded_rng};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_device_offline_for_a_week_with_10000_edits_reconnects_and_converges() {
    let (seed, mut rng) = seeded_rng("offline week");
    let team = Team::new("week").await;
    let founder = team.founder().await;
    founder.with(|c| {
        for i in 0..500 {
            c.create_product(&product(&format!("W-{i}"), "Неделя", 1_000)).unwrap();
        }
    });
    founder.sync().await;
    let away = team.join(&team.invite("away", MemberKind::Editor).await).await;
    let started = std::time::Instant::now();
    away.with(|c| {
        for _ in 0..10_000 {
            let key = ProductKey::Sku(format!("W-{}", rng.usize(0..500)));
            let value = if rng.bool() {
                FieldValue::Price(Money::rub(rng.i64(1..1_000_000)))
            } else {
                FieldValue::Stock(rng.i64(0..1_000))
            };
            c.update_product(&key, &[value]).unwrap();
        }
    });
    founder.with(|c| {
        for i in 0..1_000 {
            let key = ProductKey::Sku(format!("W-{}", i % 500));
            c.update_product(&key, &[FieldValue::Name(format!("Изменён {i}"))]).unwrap();
        }
    });
    founder.sync().await;
    // An edit that sets the value a field has already writes no record.
    let pending = away.with(|c| c.sync_pending().unwrap());
    assert!(pending > 9_900, "{pending}");
    let report = away.sync().await;
    eprintln!(
        "seed {seed}: 10 000 edits made and pushed, 1 000 pulled in {:?}: {report:?}",
        started.elapsed()
    );
    assert_eq!(report.pushed_changes, pending);
    assert_eq!(report.applied.sets, 1_000, "the founder's edits (its own come back and are skipped)");
    founder.sync().await;
    assert_eq!(away.digest(), founder.digest(), "seed {seed}");
    assert_eq!(away.with(|c| c.sync_pending().unwrap()), 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_device_behind_the_pruned_log_merges_the_state_and_keeps_its_own_edits() {
    let team = Team::new("horizon").await;
    let founder = team.founder().await;
    founder.with(|c| {
        for i in 0..20 {
            c.create_product(&product(&format!("H-{i}"), "Горизонт", 100)).unwrap();
        }
    });
    founder.sync().await;
    let away = team.join(&team.invite("longaway", MemberKind::Editor).await).await;
    away.with(|c| {
        c.update_product(&ProductKey::Sku("H-1".into()), &[FieldValue::Stock(77)]).unwrap();
        c.create_product(&product("MINE", "Сделан в отъезде", 5)).unwrap();
    });
    founder.with(|c| {
        c.delete_product(&ProductKey::Sku("H-2".into())).unwrap();
        c.update_product(&ProductKey::Sku("H-3".into()), &[FieldValue::Stock(33)]).unwrap();
    });
    founder.sync().await;
    // The retention horizon passes this device: the log it has not read is pruned.
    let gone: i64 = team.psql("SELECT prune_log('0 seconds')").trim().parse().unwrap();
    assert!(gone > 0);
    let report = away.sync().await;
    assert!(report.merged_state, "it merged the state instead of reading a log it lost");
    assert_eq!(report.pushed_sets, 2, "its own edits were pushed first, not dropped");
    founder.sync().await;
    for d in [&away, &founder] {
        d.with(|c| {
            assert_eq!(c.product(&ProductKey::Sku("H-1".into())).unwrap().stock, 77);
            assert_eq!(c.product(&ProductKey::Sku("H-3".into())).unwrap().stock, 33);
            assert!(
                c.product(&ProductKey::Sku("H-2".into())).is_err(),
                "the deleted product does not come back"
            );
            assert!(c.product(&ProductKey::Sku("MINE".into())).is_ok());
        });
    }
    assert_eq!(away.digest(), founder.digest());
    // After the merge it reads the log again as usual.
    founder.with(|c| c.update_product(&ProductKey::Sku("H-4".into()), &[FieldValue::Stock(44)]).unwrap());
    founder.sync().await;
    let report = away.sync().await;
    assert!(!report.merged_state);
    assert_eq!(away.with(|c| c.product(&ProductKey::Sku("H-4".into())).unwrap().stock), 44);
}
