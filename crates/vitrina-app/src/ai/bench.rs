//! `vitrina ai bench`: the figures issue 16 asks for (docs/benchmarks.md).
//!
//! - Moderating N products (the demo assortment) against the fake LLM server, which waits a
//!   fixed latency per request, with a given concurrency: Vitrina's own overhead is the wall
//!   time minus what the fake's latency alone costs at that concurrency (⌈N / c⌉ · latency).
//!   A second run with nothing changed must send no request.
//! - The rule checks over every product of a catalog (a million in the target).

use std::path::Path;
use std::time::{Duration, Instant};

use serde::Serialize;
use vitrina_ai::prompt::Task;
use vitrina_testkit::llm::{FakeLlm, FakeLlmConfig};

use super::job::RunPayload;
use crate::catalog::App;
use crate::error::{AppError, AppResult, ErrorCode};
use crate::ipc::NewAiProviderDto;
use crate::secrets::{MemoryStore, Secrets};

#[derive(Debug, Clone, Serialize)]
pub struct ModerationBench {
    pub products: u64,
    pub concurrency: u32,
    pub latency_ms: u64,
    /// The first run: wall time, requests, and the overhead over the fake's latency.
    pub first_secs: f64,
    pub first_requests: u64,
    pub latency_floor_secs: f64,
    pub overhead_secs: f64,
    /// The second run, nothing changed.
    pub second_secs: f64,
    pub second_requests: u64,
    pub second_cached: u64,
    /// The most requests the fake saw at once.
    pub max_in_flight: u64,
}

#[derive(Debug, Clone, Serialize)]
pub struct RulesBench {
    pub products: u64,
    pub with_issues: u64,
    pub secs: f64,
}

/// What `vitrina ai bench` measured: moderation, and the rule checks when a catalog was given.
#[derive(Debug, Clone, Serialize)]
pub struct AiBench {
    pub moderation: ModerationBench,
    pub rules: Option<RulesBench>,
}

/// Builds a demo catalog of `products` in `dir` and moderates it twice.
pub fn moderation(
    dir: &Path,
    products: u64,
    concurrency: u32,
    latency: Duration,
) -> AppResult<ModerationBench> {
    let path = dir.join("ai-bench.db");
    crate::build_demo(&path, products, 42, true, &mut |_| {})?;
    let _ = std::fs::remove_file(vitrina_ai::store::ai_path(&path));
    let app = App::open(&path)?;
    let fake = FakeLlm::start(FakeLlmConfig { latency, ..FakeLlmConfig::open() });
    let secrets = Secrets::new(Box::<MemoryStore>::default());
    let provider = app.add_ai_provider(
        &NewAiProviderDto {
            name: "bench".into(),
            kind: "openai".into(),
            base_url: Some(fake.openai_url()),
            model: "fake-model".into(),
            concurrency: Some(concurrency),
            rpm: Some(0),
            ..Default::default()
        },
        &secrets,
    )?;
    let payload = RunPayload {
        provider: provider.id,
        target: "wb".into(),
        concurrency: Some(concurrency),
        ..Default::default()
    };
    let run = |app: &App| {
        let started = Instant::now();
        let dto = app
            .run_ai_now(Task::Moderate, &payload, &secrets, &|| false, &|_, _| {})
            .map_err(|e| AppError::new(ErrorCode::Internal, e.message))?;
        Ok::<_, AppError>((started.elapsed().as_secs_f64(), dto))
    };
    let (first_secs, first) = run(&app)?;
    let (second_secs, second) = run(&app)?;
    let floor = (products.div_ceil(u64::from(concurrency.max(1)))) as f64 * latency.as_secs_f64();
    Ok(ModerationBench {
        products,
        concurrency,
        latency_ms: latency.as_millis() as u64,
        first_secs,
        first_requests: first.requests,
        latency_floor_secs: floor,
        overhead_secs: first_secs - floor,
        second_secs,
        second_requests: second.requests,
        second_cached: second.cached,
        max_in_flight: fake.max_in_flight() as u64,
    })
}

/// The rule checks over every product of the catalog at `path` (for Wildberries).
pub fn rules(path: &Path) -> AppResult<RulesBench> {
    let app = App::open(path)?;
    let started = Instant::now();
    let dto = app.ai_rule_check("wb", &[], None, &[])?;
    Ok(RulesBench {
        products: dto.checked,
        with_issues: dto.with_issues,
        secs: started.elapsed().as_secs_f64(),
    })
}
