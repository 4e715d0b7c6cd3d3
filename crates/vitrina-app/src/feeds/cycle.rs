//! The catalog cycle (`catalog.cycle`): every supplier's refresh import, then "Export all", as
//! chained jobs — each step is a child job the cycle queues and waits for, so every step has
//! its own progress, log and result. A failed step stops the chain and the cycle fails saying
//! which step and why. (Marketplace publishing becomes a later step.)

use serde::{Deserialize, Serialize};
use vitrina_jobs::{JobCtx, JobError, JobPayload, JobState, KindOptions, NewJob, Registry};

use crate::error::AppResult;
use crate::feeds::job::ExportPayload;
use crate::imports::job::ImportPayload;
use crate::ipc::{CycleScheduleDto, JobStage};
use crate::jobs::{JobRecord, Jobs, JobsContext, QueueOptions, ScheduleInput, classify};

/// The name of the cycle's schedule.
pub const SCHEDULE: &str = "catalog cycle";

/// The code of a cycle stopped by a failed step.
pub(crate) const CYCLE_STEP_FAILED: &str = "cycle_step_failed";

pub fn register(r: &mut Registry<JobsContext>) {
    r.register_kind(
        KindOptions::new("The catalog cycle: every supplier's import, then export all feeds")
            .concurrency(1)
            .attempts(1),
        cycle,
    );
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CyclePayload {}

impl JobPayload for CyclePayload {
    const KIND: &'static str = "catalog.cycle";
}

/// One step's outcome.
#[derive(Debug, Clone, Serialize)]
pub struct StepResult {
    pub step: String,
    pub job: String,
    pub state: String,
}

/// Queues one cycle now.
pub fn queue_cycle(jobs: &Jobs) -> AppResult<JobRecord> {
    jobs.queue_job(
        &CyclePayload {},
        &QueueOptions { concurrency_key: Some(CyclePayload::KIND.into()), max_attempts: Some(1) },
    )
}

/// Runs the cycle on `cron` (none or empty removes the schedule); returns the schedule now.
pub fn schedule_cycle(jobs: &Jobs, cron: Option<&str>) -> AppResult<CycleScheduleDto> {
    if jobs.schedules()?.iter().any(|s| s.schedule.name == SCHEDULE) {
        jobs.remove_schedule(SCHEDULE)?;
    }
    if let Some(cron) = cron.map(str::trim).filter(|c| !c.is_empty()) {
        let payload =
            ScheduleInput::of(SCHEDULE.into(), &CyclePayload {}, cron, Some(CyclePayload::KIND.into()))?;
        jobs.add_schedule(&payload)?;
    }
    cycle_schedule(jobs)
}

/// The cycle's schedule: its name and cron expression (none when it is not scheduled).
pub fn cycle_schedule(jobs: &Jobs) -> AppResult<CycleScheduleDto> {
    let cron = jobs.schedules()?.into_iter().find(|s| s.schedule.name == SCHEDULE).and_then(|s| {
        match s.schedule.cadence {
            vitrina_jobs::Cadence::Cron(c) => Some(c),
            vitrina_jobs::Cadence::Every(_) => None,
        }
    });
    Ok(CycleScheduleDto { name: SCHEDULE.into(), cron })
}

async fn cycle(ctx: JobCtx<JobsContext>, _: CyclePayload) -> Result<Vec<StepResult>, JobError> {
    let app = ctx.app().clone();
    let suppliers = app
        .with_catalog(|c| {
            let mut out = Vec::new();
            for s in c.suppliers()? {
                if !c.supplier_config(s.id)?.sources.is_empty() {
                    out.push((s.id, s.name));
                }
            }
            Ok(out)
        })
        .await?;
    let mut steps: Vec<(String, NewJob, JobStage)> = suppliers
        .into_iter()
        .map(|(id, name)| {
            let payload = ImportPayload { supplier: id.to_string(), file: None };
            (
                format!("import: {name}"),
                NewJob::of(&payload).key(format!("import:{id}")).attempts(1),
                JobStage::Importing,
            )
        })
        .collect();
    steps.push((
        "export all feeds".into(),
        NewJob::of(&ExportPayload::all()).key(crate::feeds::job::CONCURRENCY_KEY).attempts(1),
        JobStage::Exporting,
    ));
    let total = steps.len();
    let mut done = Vec::new();
    for (n, (name, job, stage)) in steps.into_iter().enumerate() {
        ctx.check_cancelled()?;
        ctx.stage(stage.code());
        ctx.message(format!("{}/{total} · {name}", n + 1));
        ctx.progress(n as u64, Some(total as u64));
        let id = ctx.enqueue_child(job).await?;
        ctx.log().info(format!("step {}/{total}: {name} (job {id})", n + 1));
        let record = ctx.wait_for(id).await?;
        done.push(StepResult { step: name.clone(), job: id.to_string(), state: record.state.code().into() });
        match record.state {
            JobState::Succeeded => {}
            JobState::Cancelled => return Err(JobError::cancelled()),
            _ => {
                let why = record.error.unwrap_or_else(|| record.state.code().to_string());
                return Err(JobError::permanent(format!("step {}/{total} ({name}) failed: {why}", n + 1))
                    .with_code(CYCLE_STEP_FAILED));
            }
        }
    }
    ctx.progress(total as u64, Some(total as u64));
    let _ = classify;
    Ok(done)
}
