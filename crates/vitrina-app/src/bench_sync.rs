//! The team-sync benchmark (`vitrina bench sync`): on a local PostgreSQL (a throwaway cluster,
//! fsync on, unless `--url` names one), a demo catalog of N products seeds a team; then
//!
//! - a new device joins (bootstrap from the state: wall time, peak memory);
//! - the founder reprices 100 000 products and pushes (change sets per second);
//! - the new device pulls and applies them (change sets per second);
//! - both run their background loops: an edit on one, until it shows on the other (p50, p95);
//! - the time of a local edit with sync off, and with both loops running and the other device
//!   pushing meanwhile.
//!
//! Run it from the CLI, never as a test.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use serde::Serialize;
use vitrina_domain::{FieldValue, JobId, Money};
use vitrina_store::job_batches::RepriceScope;
use vitrina_store::{Catalog, ProductKey};
use vitrina_sync::pg::PgRemote;
use vitrina_sync::pg::admin::{init_team, seed_team};
use vitrina_sync::{Engine, MemberKind, Remote, TeamUrl};

use crate::bench::{Latency, peak_rss};
use crate::error::{AppError, AppResult, ErrorCode};

#[derive(Debug, Clone, Serialize)]
pub struct SyncBench {
    pub products: u64,
    pub server: String,
    pub seed_seconds: f64,
    pub bootstrap_seconds: f64,
    pub bootstrap_products_per_second: f64,
    pub bootstrap_peak_rss_bytes: Option<u64>,
    pub push_changes: u64,
    pub push_seconds: f64,
    pub push_per_second: f64,
    pub pull_changes: u64,
    pub pull_seconds: f64,
    pub pull_per_second: f64,
    pub a_to_b: Latency,
    pub edit_sync_off: Latency,
    pub edit_sync_on: Latency,
}

fn fail(e: impl std::fmt::Display) -> AppError {
    AppError::new(ErrorCode::Internal, e.to_string())
}

fn latency(mut samples: Vec<f64>) -> Latency {
    samples.sort_by(|a, b| a.total_cmp(b));
    let at = |q: f64| samples[((samples.len() as f64 * q).ceil() as usize).clamp(1, samples.len()) - 1];
    Latency { p50_ms: at(0.5), p95_ms: at(0.95), max_ms: at(1.0), samples: samples.len() }
}

/// Runs the benchmark in `dir` (its catalogs; replaced), with `products` in the team's catalog,
/// `changes` field changes pushed and pulled, and `url` a server admin's address (a throwaway
/// cluster when None). `say` reports the phase.
pub fn run(
    dir: &Path,
    products: u64,
    changes: u64,
    url: Option<&str>,
    say: &mut dyn FnMut(&str),
) -> AppResult<SyncBench> {
    std::fs::create_dir_all(dir).map_err(fail)?;
    let cluster;
    let server = match url {
        Some(url) => TeamUrl::parse(url).map_err(fail)?,
        None => {
            say("starting a local PostgreSQL (fsync on)");
            cluster = vitrina_testkit::pg::Cluster::start_with(vitrina_testkit::pg::Options {
                fsync: true,
                tls: false,
            })
            .map_err(fail)?;
            let url = cluster.create_database("vitrina_bench");
            TeamUrl::parse(&format!("{url}?sslmode=disable&schema=bench")).map_err(fail)?
        }
    };
    let seed = dir.join("founder.db");
    say(&format!("building a demo catalog of {products} products"));
    crate::seed::build_demo(&seed, products, 7, true, &mut |_| {})?;
    let rt =
        tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().map_err(fail)?;
    rt.block_on(measure(dir, &seed, &server, changes, say))
}

async fn measure(
    dir: &Path,
    seed: &Path,
    server: &TeamUrl,
    changes: u64,
    say: &mut dyn FnMut(&str),
) -> AppResult<SyncBench> {
    say("team init and seeding the team with the catalog");
    let admin = init_team(server, "Founder").await.map_err(fail)?;
    let started = Instant::now();
    let founder_remote = Arc::new(PgRemote::new(admin.url.clone()).map_err(fail)?);
    let catalog = Catalog::open(seed)?;
    founder_remote.hello(catalog.device(), "founder").await.map_err(fail)?;
    let (catalog, _) = seed_team(&founder_remote, catalog).await.map_err(fail)?;
    let seed_seconds = started.elapsed().as_secs_f64();
    let founder = Engine::new(founder_remote, catalog, "founder");

    say("a new device joins (bootstrap)");
    let member = PgRemote::new(admin.url.clone())
        .map_err(fail)?
        .invite("Second", MemberKind::Editor)
        .await
        .map_err(fail)?;
    let joined_path: PathBuf = dir.join("joined.db");
    let _ = std::fs::remove_file(&joined_path);
    let _ = std::fs::write("/proc/self/clear_refs", "5");
    let remote = Arc::new(PgRemote::new(member.url.clone()).map_err(fail)?);
    let started = Instant::now();
    let report = vitrina_sync::join(&*remote, &joined_path, "joined", vec![]).await.map_err(fail)?;
    let bootstrap_seconds = started.elapsed().as_secs_f64();
    let bootstrap_peak_rss_bytes = peak_rss();
    let joined = Engine::new(remote, Catalog::open(&joined_path)?, "joined");

    say(&format!("the founder reprices {changes} products, then pushes"));
    {
        let catalog = founder.catalog();
        let mut c = catalog.lock().map_err(fail)?;
        let job = JobId::new();
        let mut left = changes;
        while left > 0 {
            let limit = left.min(10_000) as u32;
            if c.reprice_batch(job, &RepriceScope::default(), 700, limit)?.is_none() {
                break;
            }
            left -= u64::from(limit);
        }
    }
    let started = Instant::now();
    let pushed = founder.sync().await.map_err(fail)?;
    let push_seconds = started.elapsed().as_secs_f64();
    say("the new device pulls them");
    let started = Instant::now();
    let pulled = joined.sync().await.map_err(fail)?;
    let pull_seconds = started.elapsed().as_secs_f64();

    say("local edits with sync off");
    let skus = sample_skus(&founder, 400)?;
    let mut edits = Catalog::open(seed)?;
    let edit_sync_off = edit_latency(&mut edits, &skus[..200], 1)?;

    say("edits from one running device to the other, and local edits with sync on");
    let (stop_send, stop) = tokio::sync::watch::channel(false);
    let mut b_edits = Catalog::open(&joined_path)?;
    let bench = async {
        tokio::time::sleep(Duration::from_millis(500)).await;
        let mut a_to_b = Vec::new();
        for (n, sku) in skus[200..300].iter().enumerate() {
            let stock = 1_000_000 + n as i64;
            edits.update_product(&ProductKey::Sku(sku.clone()), &[FieldValue::Stock(stock)])?;
            let edited = Instant::now();
            founder.nudge();
            loop {
                let seen = b_edits.product(&ProductKey::Sku(sku.clone()))?.stock == stock;
                if seen {
                    break;
                }
                if edited.elapsed() > Duration::from_secs(30) {
                    return Err(fail(format!("{sku} did not reach the other device within 30 s")));
                }
                tokio::time::sleep(Duration::from_millis(5)).await;
            }
            a_to_b.push(edited.elapsed().as_secs_f64() * 1e3);
        }
        // Local edits on the founder while the other device keeps pushing edits of its own.
        let mut on = Vec::new();
        for (n, sku) in skus[300..400].iter().enumerate() {
            b_edits.update_product(
                &ProductKey::Sku(sku.clone()),
                &[FieldValue::Price(Money::rub(100 + n as i64))],
            )?;
            joined.nudge();
            on.extend(edit_latency(&mut edits, &skus[n..n + 2], 2 + n as i64)?.samples_ms);
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        stop_send.send(true).map_err(fail)?;
        Ok::<_, AppError>((latency(a_to_b), latency(on)))
    };
    let (_, _, measured) = tokio::join!(founder.run(stop.clone()), joined.run(stop.clone()), bench);
    let (a_to_b, edit_sync_on) = measured?;
    Ok(SyncBench {
        products: report.catalog.products,
        server: server.redacted(),
        seed_seconds,
        bootstrap_seconds,
        bootstrap_products_per_second: report.catalog.products as f64 / bootstrap_seconds,
        bootstrap_peak_rss_bytes,
        push_changes: pushed.pushed_changes,
        push_seconds,
        push_per_second: pushed.pushed_changes as f64 / push_seconds,
        pull_changes: pulled.applied.won,
        pull_seconds,
        pull_per_second: pulled.applied.won as f64 / pull_seconds,
        a_to_b,
        edit_sync_off: edit_sync_off.latency,
        edit_sync_on,
    })
}

/// SKUs spread over the catalog.
fn sample_skus(engine: &Engine<PgRemote>, n: usize) -> AppResult<Vec<String>> {
    let catalog = engine.catalog();
    let c = catalog.lock().map_err(fail)?;
    let page = c.list(&vitrina_store::ListQuery { limit: n as u32, ..Default::default() })?;
    Ok(page.rows.into_iter().map(|r| r.sku).collect())
}

struct Edits {
    latency: Latency,
    samples_ms: Vec<f64>,
}

/// Times one stock edit per SKU (each its own transaction, as a person's edits are).
fn edit_latency(catalog: &mut Catalog, skus: &[String], salt: i64) -> AppResult<Edits> {
    let mut samples = Vec::with_capacity(skus.len());
    for (i, sku) in skus.iter().enumerate() {
        let started = Instant::now();
        catalog
            .update_product(&ProductKey::Sku(sku.clone()), &[FieldValue::Stock(salt * 1_000 + i as i64)])?;
        samples.push(started.elapsed().as_secs_f64() * 1e3);
    }
    Ok(Edits { latency: latency(samples.clone()), samples_ms: samples })
}
