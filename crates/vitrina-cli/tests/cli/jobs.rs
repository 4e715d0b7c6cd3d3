//! Jobs through the real `vitrina` binary: commands end to end, and crash recovery with a
//! worker killed (SIGKILL) in the middle of a job.

use std::path::Path;
use std::process::Stdio;
use std::time::{Duration, Instant};

use vitrina_domain::{Currency, Money, Product, ProductDraft, ProductField};
use vitrina_store::{Catalog, ProductKey};

use crate::support::{Reaped, fails, job, ok_json, run, vitrina};

/// `n` plain products priced 10.00 ₽ (no packs or kits, whose prices are derived).
fn catalog(db: &Path, n: u32) {
    let mut c = Catalog::open(db).unwrap();
    c.bulk_upsert((0..n).map(|i| {
        Product::new(ProductDraft {
            sku: format!("P-{i:04}"),
            name: format!("Товар {i}"),
            price: Money::new(1000, Currency::RUB),
        })
        .unwrap()
    }))
    .unwrap();
}

fn prices(db: &Path, n: u32) -> Vec<i64> {
    let c = Catalog::open(db).unwrap();
    (0..n).map(|i| c.product(&ProductKey::Sku(format!("P-{i:04}"))).unwrap().price.minor).collect()
}

#[test]
fn a_worker_killed_mid_job_resumes_and_applies_every_batch_exactly_once() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("shop.db");
    // Five batches with a pause of 0.6 s after each: once the first batch shows, the job has at
    // least four pauses (2.4 s) to go, against the few milliseconds the test takes to kill it.
    let n = 100;
    catalog(&db, n);
    let queued = ok_json(
        &db,
        &["jobs", "run", "catalog.reprice", "percent=10", "batch_size=20", "pause_ms=600", "--detach"],
    );
    let id = queued["id"].as_str().unwrap().to_string();
    assert_eq!(queued["state"], "queued");

    let mut worker =
        Reaped(vitrina(&db).args(["worker", "--no-schedules"]).stdout(Stdio::null()).spawn().unwrap());
    // Waits for the event (a committed batch, as `jobs show` reports it), not for a time.
    let deadline = Instant::now() + Duration::from_secs(300);
    loop {
        let j = job(&db, &id);
        if j["done"].as_u64().unwrap() >= 20 {
            break;
        }
        assert!(matches!(j["state"].as_str(), Some("queued" | "running")), "the job ended: {j}");
        assert!(Instant::now() < deadline, "the worker made no progress: {j}");
        std::thread::sleep(Duration::from_millis(10));
    }
    worker.0.kill().unwrap(); // SIGKILL: no chance to clean up
    worker.0.wait().unwrap();

    let killed = job(&db, &id);
    assert_eq!(killed["state"], "running", "left running by the dead process");
    let done_before = prices(&db, n).iter().filter(|p| **p == 1100).count();
    assert!((20..n as usize).contains(&done_before), "killed mid-job: {done_before} of {n} repriced");
    assert_eq!(done_before % 20, 0, "a batch is applied whole or not at all: {done_before}");

    let out = run(&db, &["worker", "--no-schedules", "--until-idle"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("1 job(s) left running by a stopped process were queued again"), "{stdout}");

    let done = ok_json(&db, &["jobs", "show", &id]);
    assert_eq!(done["job"]["state"], "succeeded", "{done}");
    assert_eq!(done["job"]["attempts"], 2, "one interrupted run, one that finished");
    assert_eq!(done["result"]["products"], n, "{done}");
    assert_eq!(done["result"]["changed"], n);
    assert_eq!(done["result"]["batches"], n / 20, "no batch was done twice");
    assert_eq!(prices(&db, n), vec![1100; n as usize], "+10 % once, never 1210");
    let c = Catalog::open(&db).unwrap();
    for i in [0, n / 2, n - 1] {
        let history = c.history(&ProductKey::Sku(format!("P-{i:04}"))).unwrap();
        let changes = history.iter().filter(|r| r.field == ProductField::Price.code()).count();
        assert_eq!(changes, 1, "P-{i:04} was repriced once: {history:?}");
    }
    let logs = ok_json(&db, &["jobs", "logs", &id]);
    let lines: Vec<&str> = logs.as_array().unwrap().iter().map(|l| l["message"].as_str().unwrap()).collect();
    assert_eq!(
        lines.iter().filter(|l| l.contains("Vitrina stopped while this job ran")).count(),
        1,
        "{lines:?}"
    );
    assert_eq!(lines.iter().filter(|l| l.starts_with("resuming after")).count(), 1, "{lines:?}");
    assert_eq!(lines.iter().filter(|l| **l == "finished").count(), 1, "completed once: {lines:?}");
}

#[test]
fn job_and_schedule_commands() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("shop.db");
    catalog(&db, 50);

    // Waits (here, no worker running) and prints the finished job.
    let done = ok_json(&db, &["jobs", "run", "catalog.reprice", "--payload", r#"{"percent": -10}"#]);
    assert_eq!(done["job"]["state"], "succeeded");
    assert_eq!(done["result"]["changed"], 50);
    assert_eq!(prices(&db, 50), vec![900; 50]);
    let id = done["job"]["id"].as_str().unwrap().to_string();
    let text = String::from_utf8_lossy(&run(&db, &["jobs", "list"]).stdout).to_string();
    assert!(text.contains(&id) && text.contains("succeeded") && text.contains("50/50"), "{text}");
    let listed =
        ok_json(&db, &["jobs", "list", "--kind", "catalog.reprice", "--state", "succeeded", "--since", "1h"]);
    assert_eq!(listed.as_array().unwrap().len(), 1);
    assert!(ok_json(&db, &["jobs", "list", "--state", "failed"]).as_array().unwrap().is_empty());
    assert!(ok_json(&db, &["jobs", "list", "--until", "2020-01-01"]).as_array().unwrap().is_empty());
    let shown = ok_json(&db, &["jobs", "show", &id[..13]]);
    assert_eq!(shown["job"]["id"], id.as_str(), "a unique beginning of the id is enough");
    assert!(!shown["logs"].as_array().unwrap().is_empty());
    let text = String::from_utf8_lossy(&run(&db, &["jobs", "logs", &id]).stdout).to_string();
    assert!(text.contains("50 of 50 prices changed in 1 batches"), "{text}");
    let cancelled = ok_json(&db, &["jobs", "cancel", &id]);
    assert!(cancelled["message"].as_str().unwrap().contains("already succeeded"), "{cancelled}");
    let err = fails(&db, &["jobs", "retry", &id]);
    assert!(err.contains("only failed or cancelled jobs can be retried"), "{err}");

    // Queued with --detach, cancelled before it runs, retried, run by a worker.
    let queued = ok_json(&db, &["jobs", "run", "catalog.analyze", "--detach"]);
    let qid = queued["id"].as_str().unwrap();
    assert_eq!(ok_json(&db, &["jobs", "cancel", qid])["outcome"], "cancelled");
    assert_eq!(job(&db, qid)["state"], "cancelled");
    assert_eq!(ok_json(&db, &["jobs", "retry", qid, "--detach"])["state"], "queued");
    let out = run(&db, &["worker", "--until-idle"]);
    assert!(out.status.success());
    assert!(String::from_utf8_lossy(&out.stdout).contains("succeeded catalog.analyze"));
    assert_eq!(job(&db, qid)["state"], "succeeded");

    // Bad input is refused with the reason.
    let err = fails(&db, &["jobs", "run", "catalog.teleport"]);
    assert!(err.contains("no job kind \"catalog.teleport\"") && err.contains("catalog.reprice"), "{err}");
    let err = fails(&db, &["jobs", "run", "catalog.reprice", "percent=ten"]);
    assert!(err.contains("payload of a catalog.reprice job is not valid"), "{err}");
    let err = fails(&db, &["jobs", "show", "ffffffff-0000"]);
    assert!(err.contains("no job matches"), "{err}");

    // A refusal inside the job: the English sentence, and its code under `jobs show`.
    let refused = ok_json(&db, &["jobs", "run", "catalog.reprice", "percent=-150", "--detach"]);
    let rid = refused["id"].as_str().unwrap().to_string();
    assert!(run(&db, &["worker", "--until-idle"]).status.success());
    let failed = job(&db, &rid);
    assert_eq!((&failed["state"], &failed["error_code"]), (&"failed".into(), &"percent_out_of_range".into()));
    let text = String::from_utf8_lossy(&run(&db, &["jobs", "show", &rid]).stdout).to_string();
    assert!(text.contains("percent must be above -100") && text.contains("percent_out_of_range"), "{text}");

    // Schedules.
    let added =
        ok_json(&db, &["schedules", "add", "nightly", "--kind", "catalog.analyze", "--cron", "30 2 * * *"]);
    assert!(added["cadence_text"].as_str().unwrap().starts_with("30 2 * * *"));
    assert!(added["next_run_at"].as_u64().is_some());
    ok_json(&db, &["schedules", "add", "reprice", "--kind", "catalog.reprice", "--every", "6h", "percent=1"]);
    let err = fails(&db, &["schedules", "add", "broken", "--kind", "catalog.analyze", "--cron", "0 3 * * 9"]);
    assert!(err.contains("day-of-week field \"9\"") && err.contains("0-7"), "{err}");
    let err = fails(&db, &["schedules", "add", "nightly", "--kind", "catalog.analyze", "--every", "1h"]);
    assert!(err.contains("already exists"), "{err}");
    let disabled = ok_json(&db, &["schedules", "disable", "nightly"]);
    assert_eq!(disabled["enabled"], false);
    let text = String::from_utf8_lossy(&run(&db, &["schedules", "list"]).stdout).to_string();
    assert!(text.contains("nightly") && text.contains("every 6h") && text.contains("never"), "{text}");
    assert_eq!(ok_json(&db, &["schedules", "enable", "nightly"])["enabled"], true);
    ok_json(&db, &["schedules", "remove", "nightly"]);
    let list = ok_json(&db, &["schedules", "list"]);
    assert_eq!(list.as_array().unwrap().len(), 1);
    let err = fails(&db, &["schedules", "remove", "nightly"]);
    assert!(err.contains("no schedule is named \"nightly\""), "{err}");
}
