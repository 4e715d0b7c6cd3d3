//! Job commands: `vitrina jobs …`, `vitrina schedules …`, `vitrina worker`, `vitrina bench jobs`.
//! Long commands wait with a progress bar (rate and ETA) unless `--detach`.

use std::path::Path;
use std::time::Duration;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use vitrina_app::AppError;
use vitrina_app::jobs::{
    EnqueueRequest, FireOutcome, JobEvent, JobFilter, JobRecord, JobState, Jobs, LogLevel, LogLine,
    ScheduleInput, ScheduleView, WorkerExit, WorkerOptions, payload_from_args,
};

use crate::args::{Cli, JobsCmd, SchedulesCmd, TopCommand, WorkerArgs};
use crate::output::{json, print, table};

type Outcome = Result<(), String>;

fn e(err: AppError) -> String {
    err.to_string()
}

pub fn run(command: &TopCommand, db: &Path, cli: &Cli) -> Outcome {
    let jobs = Jobs::open(db).map_err(e)?;
    match command {
        TopCommand::Jobs(cmd) => jobs_cmd(&jobs, cmd, cli.json),
        TopCommand::Schedules(cmd) => schedules_cmd(&jobs, cmd, cli.json),
        TopCommand::Worker(args) => worker(&jobs, args, cli.json),
        TopCommand::Catalog(_) | TopCommand::Suppliers(_) | TopCommand::Import(_) | TopCommand::Images(_) => {
            unreachable!("dispatched in main")
        }
    }
}

/// UTC milliseconds → `2026-11-22 14:05:03`.
fn when(ms: u64) -> String {
    let t = time::OffsetDateTime::from_unix_timestamp_nanos(i128::from(ms) * 1_000_000)
        .unwrap_or(time::OffsetDateTime::UNIX_EPOCH);
    let f = time::macros::format_description!("[year]-[month]-[day] [hour]:[minute]:[second]");
    t.format(&f).unwrap_or_default()
}

fn opt_when(ms: Option<u64>) -> String {
    ms.map(when).unwrap_or_default()
}

fn progress_text(job: &JobRecord) -> String {
    let p = &job.progress;
    let numbers = match p.total {
        Some(total) if total > 0 => {
            format!("{}/{} ({:.0}%)", p.done, total, p.done as f64 * 100.0 / total as f64)
        }
        Some(_) => String::new(),
        None if p.done > 0 => p.done.to_string(),
        None => String::new(),
    };
    [numbers, stage_text(job)].into_iter().filter(|t| !t.is_empty()).collect::<Vec<_>>().join(" ")
}

/// The stage in words and the details: "importing Acme".
fn stage_text(job: &JobRecord) -> String {
    let p = &job.progress;
    let stage = p.stage.as_deref().map(|s| vitrina_app::ipc::JobStage::parse(s).map_or(s, |s| s.words()));
    [stage, p.message.as_deref()].into_iter().flatten().collect::<Vec<_>>().join(" ")
}

fn duration(job: &JobRecord) -> String {
    match (job.started_at, job.finished_at) {
        (Some(s), Some(f)) => format!("{:.1} s", f.saturating_sub(s) as f64 / 1000.0),
        _ => String::new(),
    }
}

fn jobs_cmd(jobs: &Jobs, cmd: &JobsCmd, as_json: bool) -> Outcome {
    match cmd {
        JobsCmd::Run { kind, fields, payload, key, attempts, detach } => {
            let payload = payload_from_args(payload.as_deref(), fields).map_err(e)?;
            let req = EnqueueRequest {
                kind: kind.clone(),
                payload,
                concurrency_key: key.clone(),
                max_attempts: *attempts,
            };
            let job = jobs.enqueue(&req).map_err(e)?;
            if *detach {
                return queued(&job, as_json);
            }
            wait(jobs, &job.id.to_string(), as_json)
        }
        JobsCmd::Wait { job } => wait(jobs, job, as_json),
        JobsCmd::List { kind, state, since, until, limit } => {
            let filter = JobFilter {
                kind: kind.clone(),
                state: state.clone(),
                since: since.clone(),
                until: until.clone(),
                limit: Some(*limit),
            };
            let list = jobs.list(&filter).map_err(e)?;
            if as_json {
                return json(&list);
            }
            if list.is_empty() {
                print("No jobs.");
                return Ok(());
            }
            let mut t =
                table(&["Id", "Kind", "State", "Progress", "Tries", "Created (UTC)", "Took", "Error"]);
            for j in &list {
                t.add_row(vec![
                    j.id.to_string(),
                    j.kind.clone(),
                    j.state.to_string(),
                    progress_text(j),
                    format!("{}/{}", j.attempts, j.max_attempts),
                    when(j.created_at),
                    duration(j),
                    j.error.clone().unwrap_or_default(),
                ]);
            }
            print(t);
            Ok(())
        }
        JobsCmd::Show { job } => {
            let detail = jobs.show(job).map_err(e)?;
            if as_json {
                return json(&detail);
            }
            let j = &detail.job;
            let mut t = table(&["Field", "Value"]);
            let mut row = |k: &str, v: String| {
                t.add_row(vec![k.to_string(), v]);
            };
            row("id", j.id.to_string());
            row("kind", j.kind.clone());
            row("state", j.state.to_string() + if j.cancel_requested { " (cancel requested)" } else { "" });
            row("progress", progress_text(j));
            row("attempts", format!("{} of {}", j.attempts, j.max_attempts));
            row("payload", j.payload.to_string());
            row("created", when(j.created_at));
            if j.state == JobState::Queued && j.run_after > j.created_at {
                row("runs after", when(j.run_after));
            }
            row("started", opt_when(j.started_at));
            row("finished", opt_when(j.finished_at));
            if let Some(r) = &j.result {
                row("result", r.to_string());
            }
            if let Some(err) = &j.error {
                let mut text = err.clone();
                for cause in &j.error_chain {
                    text.push_str(&format!("\ncaused by: {cause}"));
                }
                row("error", text);
            }
            if let Some(key) = &j.concurrency_key {
                row("concurrency key", key.clone());
            }
            if let Some(parent) = j.parent {
                row("parent", parent.to_string());
            }
            for c in &detail.children {
                row("child", format!("{} {} {}", c.id, c.kind, c.state));
            }
            print(t);
            if !detail.logs.is_empty() {
                print("Log (latest lines; `vitrina jobs logs ID` for all):");
                print_logs(&detail.logs);
            }
            Ok(())
        }
        JobsCmd::Cancel { job } => {
            let v = jobs.cancel(job).map_err(e)?;
            if as_json {
                return json(&v);
            }
            print(format!("Job {}: {}.", v.id, v.message));
            Ok(())
        }
        JobsCmd::Retry { job, detach } => {
            let j = jobs.retry(job).map_err(e)?;
            if *detach {
                return queued(&j, as_json);
            }
            wait(jobs, &j.id.to_string(), as_json)
        }
        JobsCmd::Logs { job, tail } => {
            let lines = jobs.logs(job, *tail).map_err(e)?;
            if as_json {
                return json(&lines);
            }
            print_logs(&lines);
            Ok(())
        }
        JobsCmd::Kinds => {
            let kinds = jobs.kinds().map_err(e)?;
            if as_json {
                return json(&kinds);
            }
            let mut t = table(&["Kind", "What it does", "At once", "Attempts"]);
            for k in kinds {
                t.add_row(vec![k.kind, k.description, k.concurrency.to_string(), k.max_attempts.to_string()]);
            }
            print(t);
            Ok(())
        }
    }
}

pub fn queued(job: &JobRecord, as_json: bool) -> Outcome {
    if as_json {
        return json(job);
    }
    print(format!(
        "Queued {} job {}. `vitrina worker` runs it; follow it with `vitrina jobs wait {}`.",
        job.kind, job.id, job.id
    ));
    Ok(())
}

fn print_logs(lines: &[LogLine]) {
    for l in lines {
        let level = match l.level {
            LogLevel::Info => "info ",
            LogLevel::Warn => "WARN ",
            LogLevel::Error => "ERROR",
        };
        print(format!("{} {level} {}", when(l.at), l.message));
    }
}

/// Follows a job with a progress bar to its end; a job that did not succeed is an error.
pub fn wait(jobs: &Jobs, id: &str, as_json: bool) -> Outcome {
    follow(jobs, id, as_json, true)
}

/// Waits for a job with a progress bar (hidden for JSON); `announce` prints how it ended.
pub fn follow(jobs: &Jobs, id: &str, as_json: bool, announce: bool) -> Outcome {
    let bar = ProgressBar::new_spinner();
    if as_json {
        bar.set_draw_target(ProgressDrawTarget::hidden());
    }
    let rate = |state: &indicatif::ProgressState, w: &mut dyn std::fmt::Write| {
        let _ = write!(w, "{:.0}/s", state.per_sec());
    };
    let counting = ProgressStyle::with_template(
        "{spinner} {prefix} [{bar:30}] {human_pos}/{human_len}  {rate}  ETA {eta}  {msg}",
    )
    .map_err(|e| e.to_string())?
    .with_key("rate", rate)
    .progress_chars("=> ");
    let open_ended = ProgressStyle::with_template("{spinner} {prefix} {human_pos}  {rate}  {elapsed}  {msg}")
        .map_err(|e| e.to_string())?
        .with_key("rate", rate);
    bar.enable_steady_tick(Duration::from_millis(120));
    let mut has_total = None;
    let result = jobs.wait(id, &mut |job| {
        bar.set_prefix(format!("{} {}", job.kind, job.state));
        if has_total != Some(job.progress.total.is_some()) {
            has_total = Some(job.progress.total.is_some());
            bar.set_style(if job.progress.total.is_some() { counting.clone() } else { open_ended.clone() });
        }
        if let Some(total) = job.progress.total {
            bar.set_length(total);
        }
        bar.set_position(job.progress.done);
        bar.set_message(stage_text(job));
    });
    bar.finish_and_clear();
    let job = result.map_err(e)?;
    if !announce {
    } else if as_json {
        json(&job)?;
    } else {
        let took = duration(&job);
        let took = if took.is_empty() { String::new() } else { format!(" in {took}") };
        match job.state {
            JobState::Succeeded => print(format!(
                "Job {} ({}) succeeded{took}: {}",
                job.id,
                job.kind,
                job.result.as_ref().map(|r| r.to_string()).unwrap_or_default()
            )),
            JobState::Queued | JobState::Running => print(format!(
                "Job {} ({}) is back in the queue; `vitrina worker` resumes it.",
                job.id, job.kind
            )),
            _ => {}
        }
    }
    match job.state {
        JobState::Failed => Err(format!(
            "job {} ({}) failed: {}",
            job.id,
            job.kind,
            std::iter::once(job.error.clone().unwrap_or_default())
                .chain(job.error_chain.iter().cloned())
                .collect::<Vec<_>>()
                .join(": ")
        )),
        JobState::Cancelled => Err(format!("job {} ({}) was cancelled", job.id, job.kind)),
        _ => Ok(()),
    }
}

fn schedule_row(s: &ScheduleView) -> Vec<String> {
    let r = &s.schedule;
    vec![
        r.name.clone(),
        r.kind.clone(),
        s.cadence_text.clone(),
        if r.enabled { "yes".into() } else { "no".into() },
        match (r.last_run_at, r.last_job_state) {
            (Some(at), Some(state)) => format!("{} ({state})", when(at)),
            (Some(at), None) => when(at),
            _ => "never".into(),
        },
        if r.enabled { opt_when(r.next_run_at) } else { String::new() },
    ]
}

const SCHEDULE_HEADER: [&str; 6] = ["Name", "Kind", "When", "Enabled", "Last run (UTC)", "Next run (UTC)"];

fn schedules_cmd(jobs: &Jobs, cmd: &SchedulesCmd, as_json: bool) -> Outcome {
    let show = |s: ScheduleView, verb: &str| -> Outcome {
        if as_json {
            return json(&s);
        }
        let next = if s.schedule.enabled {
            format!("; next run {} UTC", opt_when(s.schedule.next_run_at))
        } else {
            " (disabled)".into()
        };
        print(format!(
            "Schedule \"{}\" {verb}: {} {}{next}.",
            s.schedule.name, s.schedule.kind, s.cadence_text
        ));
        Ok(())
    };
    match cmd {
        SchedulesCmd::List => {
            let list = jobs.schedules().map_err(e)?;
            if as_json {
                return json(&list);
            }
            if list.is_empty() {
                print("No schedules. Add one with `vitrina schedules add NAME --kind KIND --every 1h`.");
                return Ok(());
            }
            let mut t = table(&SCHEDULE_HEADER);
            for s in &list {
                t.add_row(schedule_row(s));
            }
            print(t);
            Ok(())
        }
        SchedulesCmd::Add { name, kind, every, cron, fields, payload, key, disabled } => {
            let input = ScheduleInput {
                name: name.clone(),
                kind: kind.clone(),
                payload: payload_from_args(payload.as_deref(), fields).map_err(e)?,
                every: every.clone(),
                cron: cron.clone(),
                concurrency_key: key.clone(),
                enabled: !disabled,
            };
            show(jobs.add_schedule(&input).map_err(e)?, "added")
        }
        SchedulesCmd::Remove { name } => {
            jobs.remove_schedule(name).map_err(e)?;
            if as_json {
                return json(&serde_json::json!({ "removed": name }));
            }
            print(format!("Schedule \"{name}\" removed."));
            Ok(())
        }
        SchedulesCmd::Enable { name } => show(jobs.set_schedule_enabled(name, true).map_err(e)?, "enabled"),
        SchedulesCmd::Disable { name } => {
            show(jobs.set_schedule_enabled(name, false).map_err(e)?, "disabled")
        }
    }
}

fn event_line(event: &JobEvent) -> Option<String> {
    let now = when(
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_millis() as u64)
            .unwrap_or(0),
    );
    let text = match event {
        JobEvent::Started { id, kind, attempt } => format!("started   {kind} {id} (attempt {attempt})"),
        JobEvent::Finished { id, kind, state, error, .. } => match error {
            Some(err) => format!("{state:<9} {kind} {id}: {err}"),
            None => format!("{state:<9} {kind} {id}"),
        },
        JobEvent::Retrying { id, kind, error, run_after, .. } => {
            format!("retrying  {kind} {id} at {}: {error}", when(*run_after))
        }
        JobEvent::Requeued { id, kind } => format!("requeued  {kind} {id} (resumes on the next start)"),
        JobEvent::ScheduleTick { schedule, outcome } => match outcome {
            FireOutcome::Enqueued(id) => format!("schedule  \"{schedule}\" queued {id}"),
            FireOutcome::StillRunning(id) => {
                format!("schedule  \"{schedule}\" skipped: its last job {id} is still running")
            }
        },
        JobEvent::Queued { .. } | JobEvent::Progress { .. } | JobEvent::Log { .. } => return None,
    };
    Some(format!("{now} {text}"))
}

fn worker(jobs: &Jobs, args: &WorkerArgs, as_json: bool) -> Outcome {
    let opts = WorkerOptions {
        schedules: !args.no_schedules,
        keep_days: args.keep_days,
        max_running: args.max_running,
        only: None,
    };
    let mut worker = jobs.start_worker(&opts).map_err(e)?;
    if !as_json {
        print(format!(
            "Worker running the jobs{} of {} (Ctrl-C to stop).",
            if opts.schedules { " and schedules" } else { "" },
            jobs.path().display()
        ));
        let recovered = worker.recovered();
        if !recovered.is_empty() {
            print(format!("{} job(s) left running by a stopped process were queued again.", recovered.len()));
        }
    }
    let exit = worker
        .run(args.until_idle, &mut |event| {
            if as_json {
                if !matches!(event, JobEvent::Progress { .. }) {
                    let _ = serde_json::to_string(event).map(print);
                }
            } else if let Some(line) = event_line(event) {
                print(line);
            }
        })
        .map_err(e)?;
    if !as_json {
        print(match exit {
            WorkerExit::Idle => "Nothing left to run; worker stopped.",
            WorkerExit::Interrupted => {
                "Stopping: running jobs finish their batch and resume on the next start…"
            }
        });
    }
    worker.stop(Duration::from_secs(10));
    Ok(())
}

pub fn bench(out: &Path, jobs: u64, rounds: usize, as_json: bool) -> Outcome {
    let r = vitrina_app::jobs::bench(out, jobs, rounds).map_err(e)?;
    if as_json {
        return json(&r);
    }
    let mut t = table(&["Measure", "Result", "Target"]);
    t.add_row(vec![
        format!("enqueue, dispatch and complete {} no-op jobs", r.jobs),
        format!(
            "{:.2} s ({:.0} jobs/s; enqueue {:.0} ms)",
            r.total_ms / 1000.0,
            r.jobs_per_second,
            r.enqueue_ms
        ),
        "≤ 2 s".into(),
    ]);
    t.add_row(vec![
        format!("progress at {:.0} updates/s: cost to the job", r.progress_updates_per_second),
        format!(
            "{:+.2} % ({:.1} ms with vs {:.1} ms without; median of {})",
            r.progress_overhead_percent, r.work_with_progress_ms, r.work_without_progress_ms, r.rounds
        ),
        "≤ 5 %".into(),
    ]);
    t.add_row(vec![
        "one progress report, measured alone".into(),
        format!(
            "{:.1} ns: at 1,000 reports/s that is {:.4} % of the job's time",
            r.progress_call_ns, r.progress_call_share_percent
        ),
        "≤ 5 %".into(),
    ]);
    t.add_row(vec![
        "progress events a listener heard".into(),
        format!("{} over {} runs (coalesced to ≤ 10/s)", r.progress_events_heard, r.rounds),
        String::new(),
    ]);
    print(t);
    Ok(())
}
