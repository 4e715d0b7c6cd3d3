//! The clock bound: a causally later edit wins whatever the skew; a device dated far ahead is
//! corrected before its records reach the server, and the server refuses stamps far ahead.

use std::sync::Arc;
use std::time::Duration;

use vitrina_domain::{FieldValue, Hlc, Money};
use vitrina_store::ProductKey;
use vitrina_sync::{MemberKind, Remote, SyncErrorKind};

use crate::common::{Team, product};

fn skewed(ms: i64) -> vitrina_store::Clock {
    Arc::new(move || {
        let now =
            std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_millis() as i64;
        (now + ms) as u64
    })
}

fn price(p: i64) -> [FieldValue; 1] {
    [FieldValue::Price(Money::rub(p))]
}

const HOUR: i64 = 3_600_000;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_later_edit_wins_whatever_the_clocks_say() {
    let team = Team::new("skew").await;
    let founder = team.founder().await;
    founder.with(|c| c.create_product(&product("P", "Часы", 100)).unwrap());
    founder.sync().await;
    let mut a = team.join(&team.invite("ahead", MemberKind::Editor).await).await;
    let mut b = team.join(&team.invite("behind", MemberKind::Editor).await).await;
    // Neither has measured the server's clock with its wrong clock yet.
    a.set_clock(skewed(HOUR));
    b.set_clock(skewed(-HOUR));
    a.with(|c| c.update_product(&ProductKey::Sku("P".into()), &price(200)).unwrap());
    a.sync().await;
    b.sync().await;
    b.with(|c| c.update_product(&ProductKey::Sku("P".into()), &price(300)).unwrap());
    b.sync().await;
    a.sync().await;
    for d in [&a, &b] {
        assert_eq!(d.with(|c| c.product(&ProductKey::Sku("P".into())).unwrap().price), Money::rub(300));
    }
    // Now both know the server's clock: edits a second apart in its time, the later wins.
    a.with(|c| c.update_product(&ProductKey::Sku("P".into()), &price(400)).unwrap());
    tokio::time::sleep(Duration::from_millis(1_000)).await;
    b.with(|c| c.update_product(&ProductKey::Sku("P".into()), &price(500)).unwrap());
    a.sync().await;
    b.sync().await;
    a.sync().await;
    assert_eq!(a.with(|c| c.product(&ProductKey::Sku("P".into())).unwrap().price), Money::rub(500));
    assert_eq!(a.digest(), b.digest());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_device_dated_days_ahead_is_corrected_and_never_pushes_the_future() {
    let team = Team::new("future").await;
    let _founder = team.founder().await;
    let member = team.invite("future", MemberKind::Editor).await;
    let mut d = team.join(&member).await;
    d.set_clock(skewed(48 * HOUR));
    d.with(|c| {
        c.create_product(&product("F", "Из будущего", 100)).unwrap();
        c.update_product(&ProductKey::Sku("F".into()), &price(150)).unwrap();
    });
    let ahead = d.with(|c| c.sync_last_hlc().unwrap());
    let report = d.sync().await;
    assert_eq!(report.restamped, 2, "its records made two days ahead got present stamps");
    let now_ms =
        std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_millis() as u64;
    let latest = team.psql("SELECT max((f.value->>1)::bigint) FROM log, jsonb_each(fields) f");
    let latest = Hlc::unpack(latest.trim().parse().unwrap());
    assert!(latest.wall_ms < now_ms + 300_000, "no stamp in the log is past the server's clock + 5 min");
    assert!(d.with(|c| c.sync_last_hlc().unwrap()) < ahead, "its clock is back with the server's");
    // New edits are stamped with the server's time, not the device's.
    d.with(|c| c.update_product(&ProductKey::Sku("F".into()), &price(175)).unwrap());
    d.sync().await;
    let latest = Hlc::unpack(
        team.psql("SELECT max((f.value->>1)::bigint) FROM log, jsonb_each(fields) f").trim().parse().unwrap(),
    );
    assert!(latest.wall_ms < now_ms + 60_000);

    // The server itself refuses a change stamped far ahead, whoever sends it.
    let remote = d.engine_remote();
    let mut set = d.with(|c| {
        c.update_product(&ProductKey::Sku("F".into()), &price(190)).unwrap();
        c.sync_outbox(10).unwrap()
    });
    set.sets[0].fields[0].hlc = Hlc { wall_ms: now_ms + 48 * HOUR as u64, counter: 0 };
    let rows = team.psql("SELECT count(*) FROM log");
    let e = remote.push(&set.sets).await.unwrap_err();
    assert_eq!(e.kind, SyncErrorKind::ClockSkew, "{}", e.message);
    assert_eq!(team.psql("SELECT count(*) FROM log"), rows, "the log is unchanged");
}
