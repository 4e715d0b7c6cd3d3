//! `vitrina bench …`: prints the figures the issues ask for.

use crate::args::{BenchCmd, Cli};
use crate::output::{Outcome, json, print, table};

pub fn run(cmd: &BenchCmd, cli: &Cli) -> Outcome {
    match cmd {
        BenchCmd::Jobs { jobs, rounds, out } => crate::jobs::bench(out, *jobs, *rounds, cli.json),
        BenchCmd::Import { file, out, reuse, big_cache } => {
            let budget =
                if *big_cache { vitrina_app::MemoryBudget::BULK } else { vitrina_app::MemoryBudget::IMPORT };
            vitrina_app::set_memory_budget(budget);
            import(file, out, *reuse, cli.json)
        }
        BenchCmd::Export { catalog, out, case } => {
            // Exports run as jobs, with the small SQLite caches every job-running process uses.
            vitrina_app::set_memory_budget(vitrina_app::MemoryBudget::IMPORT);
            export(catalog, out, case.as_deref(), cli.json)
        }
        BenchCmd::Publish { market, products, faults, case, out } => {
            publish(market, *products, *faults, case, out, cli.json)
        }
        BenchCmd::Sync { products, changes, url, out } => {
            crate::bench_sync::run(out, *products, *changes, url.as_deref(), cli.json)
        }
        BenchCmd::Catalog { products, out, reuse } => {
            if let Some(dir) = out.parent().filter(|d| !d.as_os_str().is_empty()) {
                std::fs::create_dir_all(dir).map_err(|e| cannot_create(dir, e))?;
            }
            let bar = indicatif::ProgressBar::new(*products);
            let r = vitrina_app::bench::run(out, *products, *reuse, &mut |n| bar.set_position(n))?;
            bar.finish_and_clear();
            if cli.json {
                return json(&r);
            }
            let mut t = table(&["Measure", "Result"]);
            let ms = |l: &vitrina_app::bench::Latency| {
                format!(
                    "p50 {:.2} ms, p95 {:.2} ms, max {:.2} ms ({} samples)",
                    l.p50_ms, l.p95_ms, l.max_ms, l.samples
                )
            };
            t.add_row(vec!["products".into(), r.products.to_string()]);
            t.add_row(vec![
                "bulk upsert".into(),
                format!("{:.1} s, {:.0} products/s", r.build_seconds, r.upsert_per_second),
            ]);
            t.add_row(vec!["open".into(), format!("{:.1} ms", r.open_ms)]);
            t.add_row(vec!["search (100 queries, top 50)".into(), ms(&r.search)]);
            t.add_row(vec!["  of them, those that match as typed".into(), ms(&r.search_matching)]);
            t.add_row(vec![
                format!(
                    "corrected search ({} queries, top 50; {} read as meant)",
                    vitrina_app::bench::CORRECTED.len(),
                    r.corrected_as_meant
                ),
                ms(&r.corrected_search),
            ]);
            t.add_row(vec![
                "the first corrected search after opening".into(),
                format!("{:.1} ms", r.first_corrected_ms),
            ]);
            t.add_row(vec!["one letter (55 letters, the newest 200)".into(), ms(&r.single_letter)]);
            t.add_row(vec!["list page, first (50 rows)".into(), ms(&r.list_pages)]);
            t.add_row(vec!["list page, deep (50 rows)".into(), ms(&r.deep_list_pages)]);
            t.add_row(vec!["other combinations, first page".into(), ms(&r.other_list_pages)]);
            t.add_row(vec!["other combinations, deep page".into(), ms(&r.other_deep_list_pages)]);
            t.add_row(vec!["window's filters × sorts, first page".into(), ms(&r.window_list_pages)]);
            t.add_row(vec!["window's filters × sorts, deep page".into(), ms(&r.window_deep_list_pages)]);
            t.add_row(vec!["the same with a text, first page".into(), ms(&r.window_text_list_pages)]);
            t.add_row(vec!["the same with a text, deep page".into(), ms(&r.window_text_deep_list_pages)]);
            t.add_row(vec!["the same with one letter, first page".into(), ms(&r.window_letter_list_pages)]);
            t.add_row(vec![
                "the same with one letter, deep page".into(),
                ms(&r.window_letter_deep_list_pages),
            ]);
            t.add_row(vec!["the window's count with a text (≤ 1 000)".into(), ms(&r.window_text_counts)]);
            t.add_row(vec![
                "the window's count with one letter (≤ 1 000)".into(),
                ms(&r.window_letter_counts),
            ]);
            t.add_row(vec!["database size".into(), format!("{:.0} MB", r.database_bytes as f64 / 1e6)]);
            t.add_row(vec![
                "peak memory".into(),
                r.peak_rss_bytes.map(|b| format!("{:.0} MB", b as f64 / 1e6)).unwrap_or("n/a".into()),
            ]);
            print(t);
            print("slowest samples:");
            for (ms, what) in &r.slowest {
                print(format!("  {ms:>8.2} ms  {what}"));
            }
            Ok(())
        }
    }
}

fn cannot_create(dir: &std::path::Path, e: std::io::Error) -> vitrina_app::AppError {
    vitrina_app::AppError::new(vitrina_app::ErrorCode::Io, format!("cannot create {}: {e}", dir.display()))
}

fn import(file: &std::path::Path, out: &std::path::Path, reuse: bool, as_json: bool) -> Outcome {
    if let Some(dir) = out.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).map_err(|e| cannot_create(dir, e))?;
    }
    let bar = indicatif::ProgressBar::new_spinner();
    if as_json {
        bar.set_draw_target(indicatif::ProgressDrawTarget::hidden());
    }
    let r = vitrina_app::bench_import::run(file, out, reuse, &mut |phase, n| {
        bar.set_message(format!("{phase}: {n}"));
        bar.tick();
    })?;
    bar.finish_and_clear();
    if as_json {
        return json(&r);
    }
    let mb = |b: Option<u64>| b.map_or_else(|| "?".to_string(), |b| format!("{:.0} MB", b as f64 / 1e6));
    let mut t = table(&[
        "Phase",
        "Seconds",
        "× parse",
        "Offers/s",
        "Created",
        "Updated",
        "Unchanged",
        "Rejected",
        "Peak RSS",
    ]);
    t.add_row(vec![
        "parse only".to_string(),
        format!("{:.2}", r.parse_seconds),
        "1.00".into(),
        format!("{:.0}", r.records as f64 / r.parse_seconds.max(1e-9)),
        String::new(),
        String::new(),
        String::new(),
        String::new(),
        mb(r.parse_peak_rss_bytes),
    ]);
    let phases = [("first import", r.first_import.as_ref()), ("re-import, unchanged", Some(&r.reimport))];
    for (name, p) in phases.into_iter().filter_map(|(name, p)| Some((name, p?))) {
        t.add_row(vec![
            name.to_string(),
            format!("{:.2}", p.seconds),
            format!("{:.2}", p.ratio_to_parse),
            format!("{:.0}", p.offers_per_second),
            p.created.to_string(),
            p.updated.to_string(),
            p.unchanged.to_string(),
            p.rejected.to_string(),
            mb(p.peak_rss_bytes),
        ]);
    }
    print(format!(
        "{} ({:.0} MB, {} records) → catalog {:.0} MB",
        r.file,
        r.file_bytes as f64 / 1e6,
        r.records,
        r.database_bytes as f64 / 1e6
    ));
    print(t);
    Ok(())
}

/// One case here (`--case`), or every case, each in a child process of this binary so its peak
/// memory is its own.
fn export(catalog: &std::path::Path, out: &std::path::Path, case: Option<&str>, as_json: bool) -> Outcome {
    if !catalog.is_file() {
        return Err(vitrina_app::AppError::new(
            vitrina_app::ErrorCode::NotFound,
            format!("no catalog at {}: build one with `vitrina bench import FEED`", catalog.display()),
        ));
    }
    if let Some(case) = case {
        let r = vitrina_app::bench_export::run_case(catalog, case, out)?;
        return if as_json { json(&r) } else { print_cases(&[r]) };
    }
    let exe = std::env::current_exe().map_err(crate::output::internal)?;
    let mut results = Vec::new();
    for case in vitrina_app::bench_export::CASES {
        let run = std::process::Command::new(&exe)
            .args(["--json", "bench", "export", "--case", case, "--catalog"])
            .arg(catalog)
            .arg("--out")
            .arg(out)
            .output()
            .map_err(crate::output::internal)?;
        if !run.status.success() {
            return Err(vitrina_app::AppError::new(
                vitrina_app::ErrorCode::Internal,
                format!("case {case} failed: {}", String::from_utf8_lossy(&run.stderr).trim()),
            ));
        }
        let r: vitrina_app::bench_export::ExportCase =
            serde_json::from_slice(&run.stdout).map_err(crate::output::internal)?;
        if !as_json {
            print_cases(std::slice::from_ref(&r))?;
        }
        results.push(r);
    }
    if as_json {
        return json(&results);
    }
    let slowest_single =
        results.iter().filter(|r| r.case.starts_with("one:")).map(|r| r.seconds).fold(0.0, f64::max);
    if let Some(all) = results.iter().find(|r| r.case == "all") {
        print(format!(
            "export all (5 profiles, one pass): {:.2} s = {:.2}× the slowest single profile ({:.2} s)",
            all.seconds,
            all.seconds / slowest_single.max(1e-9),
            slowest_single
        ));
    }
    Ok(())
}

fn print_cases(cases: &[vitrina_app::bench_export::ExportCase]) -> Outcome {
    let mut t = table(&["Case", "Written", "Skipped", "Seconds", "File size", "Peak RSS"]);
    for r in cases {
        t.add_row(vec![
            r.case.clone(),
            r.written.to_string(),
            r.skipped.to_string(),
            format!("{:.2}", r.seconds),
            format!("{:.0} MB", r.bytes as f64 / 1e6),
            r.peak_rss_bytes.map_or_else(|| "?".into(), |b| format!("{:.0} MB", b as f64 / 1e6)),
        ]);
    }
    print(t);
    Ok(())
}

/// `bench publish`: each marketplace in turn. The autopush case runs its push as a job, which
/// reads credentials from the store the environment names: without `VITRINA_CREDENTIALS_FILE`
/// it runs in a child process of this binary with one in `out`.
fn publish(
    market: &str,
    products: u64,
    faults: f64,
    case: &str,
    out: &std::path::Path,
    as_json: bool,
) -> Outcome {
    use vitrina_app::bench_publish::{self, PublishBench};
    let markets: Vec<&str> = if market == "all" { vec!["ozon", "ym", "wb"] } else { vec![market] };
    std::fs::create_dir_all(out).map_err(|e| cannot_create(out, e))?;
    let out = std::path::absolute(out).map_err(crate::output::internal)?;
    let needs_file = case == "autopush"
        && std::env::var_os(vitrina_app::secrets::CREDENTIALS_FILE_ENV).is_none_or(|v| v.is_empty());
    let mut results: Vec<PublishBench> = Vec::new();
    for m in markets {
        let r = if needs_file {
            let exe = std::env::current_exe().map_err(crate::output::internal)?;
            let run = std::process::Command::new(&exe)
                .args(["--json", "bench", "publish", "--market", m, "--case", case])
                .args(["--products", &products.to_string(), "--faults", &faults.to_string(), "--out"])
                .arg(&out)
                .env(vitrina_app::secrets::CREDENTIALS_FILE_ENV, out.join(format!("credentials-{m}.toml")))
                .output()
                .map_err(crate::output::internal)?;
            if !run.status.success() {
                return Err(vitrina_app::AppError::new(
                    vitrina_app::ErrorCode::Internal,
                    format!("{m}: {}", String::from_utf8_lossy(&run.stderr).trim()),
                ));
            }
            let mut list: Vec<PublishBench> =
                serde_json::from_slice(&run.stdout).map_err(crate::output::internal)?;
            list.remove(0)
        } else {
            bench_publish::run(m, products, faults, case, &out)?
        };
        if !as_json {
            print_publish(&r);
        }
        results.push(r);
    }
    if as_json {
        return json(&results);
    }
    Ok(())
}

fn print_publish(r: &vitrina_app::bench_publish::PublishBench) {
    print(format!(
        "{} — {} products; card batch {}; mapping: {} categories automatic, {} by best suggestion, \
         {} attributes automatic, {} required set to a constant; setup {:.1} s",
        r.market,
        r.products,
        r.card_batch,
        r.categories_auto,
        r.categories_by_suggestion,
        r.attributes_auto,
        r.attributes_constant,
        r.setup_seconds
    ));
    let runs: Vec<&vitrina_app::bench_publish::PublishRun> =
        std::iter::once(&r.clean).chain(r.faults.as_ref()).collect();
    let mut t = table(&["Measure"]);
    let mut header = vec!["Measure".to_string()];
    header.extend(runs.iter().map(|x| format!("{} (faults {:.0} %)", x.label, x.fault_rate * 100.0)));
    t.set_header(header);
    let row = |t: &mut comfy_table::Table,
               name: &str,
               f: &dyn Fn(&vitrina_app::bench_publish::PublishRun) -> String| {
        let mut cells = vec![name.to_string()];
        cells.extend(runs.iter().map(|x| f(x)));
        t.add_row(cells);
    };
    row(&mut t, "publishable / not", &|x| format!("{} / {}", x.publishable, x.precheck_failed));
    row(&mut t, "write requests (ceil(n/batch))", &|x| format!("{} ({})", x.writes, x.expected_writes));
    row(&mut t, "poll requests", &|x| x.polls.to_string());
    row(&mut t, "other requests", &|x| x.other_requests.to_string());
    row(&mut t, "self-inflicted throttles", &|x| x.throttled.to_string());
    row(&mut t, "faults injected", &|x| x.faulted.to_string());
    row(&mut t, "publish run again (as a job retry)", &|x| x.job_retries.to_string());
    row(&mut t, "time to the last verdict", &|x| format!("{:.1} s", x.seconds));
    row(&mut t, "minimum (bucket)", &|x| format!("{:.1} s ({})", x.minimum_seconds, x.minimum_bucket));
    let percent = |ratio: f64, minimum: f64| {
        if minimum < 0.05 {
            "— (the limits allow it at once)".to_string()
        } else {
            format!("{:.1} %", ratio * 100.0)
        }
    };
    row(&mut t, "ratio", &|x| percent(x.ratio, x.minimum_seconds));
    row(&mut t, "time to the last write / minimum", &|x| {
        format!(
            "{:.1} s / {:.1} s = {}",
            x.send_seconds,
            x.minimum_send_seconds,
            percent(x.send_ratio, x.minimum_send_seconds)
        )
    });
    row(&mut t, "live / rejected (planned)", &|x| {
        format!("{} / {} ({})", x.live, x.rejected, x.rejects_planned)
    });
    row(&mut t, "unsettled / wrong state", &|x| format!("{} / {}", x.unsettled, x.wrong_state));
    row(&mut t, "cards on the fake (duplicates, lost)", &|x| {
        format!("{} ({}, {})", x.cards_on_fake, x.duplicate_cards, x.lost)
    });
    print(t);
    for x in &runs {
        let mut e = table(&["Endpoint", "Role", "Requests"]);
        for c in &x.endpoints {
            e.add_row(vec![c.endpoint.clone(), c.role.clone(), c.requests.to_string()]);
        }
        print(format!("{} run, requests by endpoint:", x.label));
        print(e);
        let mut b = table(&["Bucket", "Requests", "Units", "Burst", "Interval", "Minimum"]);
        for u in &x.buckets {
            b.add_row(vec![
                u.bucket.clone(),
                u.requests.to_string(),
                u.units.to_string(),
                u.burst.to_string(),
                format!("{:.0} ms", u.interval_ms),
                format!("{:.1} s", u.minimum_seconds),
            ]);
        }
        print(b);
        for n in &x.notes {
            print(format!("  note: {n}"));
        }
    }
    if let Some(e) = &r.faults_error {
        print(format!("the faulty run failed: {e}"));
    }
    if let Some(d) = r.differing_from_clean {
        print(format!("SKUs whose final status differs between the clean and the faulty run: {d}"));
    }
    if let Some(a) = &r.autopush {
        print(format!(
            "auto-push of a price edit ({}): {:.3} s idle, {:.3} s while an import holds the catalog (lock held at arrival: {})",
            a.sku, a.idle_seconds, a.during_import_seconds, a.import_held_lock
        ));
        for (name, t) in [("idle", &a.idle), ("during import", &a.during_import)] {
            print(format!(
                "  {name}: edited {:.0} ms, lock taken {:.0} ms, queued {:.0} ms, job started {}, price on the fake {:.0} ms",
                t.edited_ms,
                t.lock_taken_ms,
                t.queued_ms,
                t.job_started_ms.map_or("?".into(), |m| format!("{m:.0} ms")),
                t.arrived_ms
            ));
        }
    }
}
