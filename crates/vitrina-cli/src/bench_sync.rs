//! `vitrina bench sync`: the team-sync figures (docs/benchmarks.md, "Team sync").

use std::path::Path;

use crate::output::{Outcome, json, print, table};

pub fn run(out: &Path, products: u64, changes: u64, url: Option<&str>, as_json: bool) -> Outcome {
    let r = vitrina_app::bench_sync::run(out, products, changes, url, &mut |phase| {
        if !as_json {
            eprintln!("… {phase}");
        }
    })?;
    if as_json {
        return json(&r);
    }
    let ms = |l: &vitrina_app::bench::Latency| {
        format!(
            "p50 {:.1} ms, p95 {:.1} ms, max {:.1} ms ({} samples)",
            l.p50_ms, l.p95_ms, l.max_ms, l.samples
        )
    };
    let mut t = table(&["Measure", "Result", "Target"]);
    t.add_row(vec!["team catalog".into(), format!("{} products on {}", r.products, r.server), String::new()]);
    t.add_row(vec!["seeding the team (team init)".into(), format!("{:.1} s", r.seed_seconds), String::new()]);
    t.add_row(vec![
        "bootstrap of a new device".into(),
        format!(
            "{:.1} s, {:.0} products/s, peak {}",
            r.bootstrap_seconds,
            r.bootstrap_products_per_second,
            r.bootstrap_peak_rss_bytes.map(|b| format!("{:.0} MB", b as f64 / 1e6)).unwrap_or("n/a".into())
        ),
        "≤ 60 s for 1M".into(),
    ]);
    t.add_row(vec![
        "push".into(),
        format!("{} changes in {:.2} s: {:.0}/s", r.push_changes, r.push_seconds, r.push_per_second),
        "≥ 20 000/s".into(),
    ]);
    t.add_row(vec![
        "pull and apply".into(),
        format!("{} changes in {:.2} s: {:.0}/s", r.pull_changes, r.pull_seconds, r.pull_per_second),
        "≥ 20 000/s".into(),
    ]);
    t.add_row(vec!["edit on A visible on B".into(), ms(&r.a_to_b), "p95 ≤ 2 s".into()]);
    t.add_row(vec!["local edit, sync off".into(), ms(&r.edit_sync_off), String::new()]);
    t.add_row(vec!["local edit, sync on".into(), ms(&r.edit_sync_on), "no noticeable delay".into()]);
    print(t);
    Ok(())
}
