//! Job commands: `vitrina jobs …`, `vitrina schedules …`, `vitrina worker`, `vitrina bench jobs`.
//! Long commands wait with a progress bar (rate and ETA) unless `--detach`.

use std::path::Path;
use std::time::Duration;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use vitrina_app::ipc::{
    JobDetailDto, JobDto, JobKindDto, JobLogDto, JobStage, JobStateDto, ScheduleDto, WorkerEventDto,
};
use vitrina_app::jobs::{
    EnqueueRequest, JobFilter, Jobs, ScheduleInput, WorkerExit, WorkerOptions, payload_from_args,
};
use vitrina_app::{AppError, ErrorCode, views};

use crate::args::{Cli, JobsCmd, SchedulesCmd, TopCommand, WorkerArgs};
use crate::output::{Outcome, code, internal, json, print, table};

pub fn run(command: &TopCommand, db: &Path, cli: &Cli) -> Outcome {
    let jobs = Jobs::open(db)?;
    match command {
        TopCommand::Jobs(cmd) => jobs_cmd(&jobs, cmd, cli.json),
        TopCommand::Schedules(cmd) => schedules_cmd(&jobs, cmd, cli.json),
        TopCommand::Worker(args) => worker(&jobs, args, cli.json),
        TopCommand::Catalog(_)
        | TopCommand::Suppliers(_)
        | TopCommand::Import(_)
        | TopCommand::Images(_)
        | TopCommand::Feeds(_)
        | TopCommand::Docs(_)
        | TopCommand::Cycle(_)
        | TopCommand::Mp(_)
        | TopCommand::Ai(_)
        | TopCommand::Team(_) => {
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

fn progress_text(job: &JobDto) -> String {
    let numbers = match job.total {
        Some(total) if total > 0 => {
            format!("{}/{} ({:.0}%)", job.done, total, job.done as f64 * 100.0 / total as f64)
        }
        Some(_) => String::new(),
        None if job.done > 0 => job.done.to_string(),
        None => String::new(),
    };
    [numbers, stage_text(job)].into_iter().filter(|t| !t.is_empty()).collect::<Vec<_>>().join(" ")
}

/// The stage in words and the details: "importing Acme".
fn stage_text(job: &JobDto) -> String {
    [job.stage.map(JobStage::words), job.message.as_deref()]
        .into_iter()
        .flatten()
        .collect::<Vec<_>>()
        .join(" ")
}

fn duration(job: &JobDto) -> String {
    match (job.started_at, job.finished_at) {
        (Some(s), Some(f)) => format!("{:.1} s", f.saturating_sub(s) as f64 / 1000.0),
        _ => String::new(),
    }
}

fn jobs_cmd(jobs: &Jobs, cmd: &JobsCmd, as_json: bool) -> Outcome {
    match cmd {
        JobsCmd::Run { kind, fields, payload, key, attempts, detach } => {
            let payload = payload_from_args(payload.as_deref(), fields)?;
            let req = EnqueueRequest {
                kind: kind.clone(),
                payload,
                concurrency_key: key.clone(),
                max_attempts: *attempts,
            };
            let job = JobDto::from(&jobs.enqueue(&req)?);
            if *detach {
                return queued(&job, as_json);
            }
            wait(jobs, &job.id, as_json)
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
            let list: Vec<JobDto> = jobs.list(&filter)?.iter().map(JobDto::from).collect();
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
                    j.id.clone(),
                    j.kind.clone(),
                    code(&j.state),
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
            let detail = views::job_detail(jobs, job)?;
            if as_json {
                return json(&detail);
            }
            print_detail(&detail);
            Ok(())
        }
        JobsCmd::Cancel { job } => {
            let cancel = views::cancel_job(jobs, job)?;
            if as_json {
                return json(&cancel);
            }
            print(format!("Job {}: {}.", cancel.job.id, cancel.message));
            Ok(())
        }
        JobsCmd::Retry { job, detach } => {
            let j = JobDto::from(&jobs.retry(job)?);
            if *detach {
                return queued(&j, as_json);
            }
            wait(jobs, &j.id, as_json)
        }
        JobsCmd::Logs { job, tail } => {
            let lines: Vec<JobLogDto> = jobs.logs(job, *tail)?.iter().map(JobLogDto::from).collect();
            if as_json {
                return json(&lines);
            }
            print_logs(&lines);
            Ok(())
        }
        JobsCmd::Kinds => {
            let kinds: Vec<JobKindDto> = jobs.kinds()?.iter().map(JobKindDto::from).collect();
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

fn print_detail(detail: &JobDetailDto) {
    let j = &detail.job;
    let mut t = table(&["Field", "Value"]);
    let mut row = |k: &str, v: String| {
        t.add_row(vec![k.to_string(), v]);
    };
    row("id", j.id.clone());
    row("kind", j.kind.clone());
    row("state", code(&j.state) + if j.cancel_requested { " (cancel requested)" } else { "" });
    row("progress", progress_text(j));
    row("attempts", format!("{} of {}", j.attempts, j.max_attempts));
    row("payload", detail.payload.to_string());
    row("created", when(j.created_at));
    if j.state == JobStateDto::Queued && detail.run_after > j.created_at {
        row("runs after", when(detail.run_after));
    }
    row("started", opt_when(j.started_at));
    row("finished", opt_when(j.finished_at));
    if let Some(r) = &detail.result {
        row("result", r.to_string());
    }
    if let Some(err) = &j.error {
        let mut text = err.clone();
        for cause in &detail.error_chain {
            text.push_str(&format!("\ncaused by: {cause}"));
        }
        row("error", text);
    }
    if let Some(reason) = j.error_code {
        row("error code", reason.code().to_string());
    }
    if let Some(key) = &detail.concurrency_key {
        row("concurrency key", key.clone());
    }
    if let Some(parent) = &detail.parent {
        row("parent", parent.clone());
    }
    for c in &detail.children {
        row("child", format!("{} {} {}", c.id, c.kind, code(&c.state)));
    }
    print(t);
    if !detail.logs.is_empty() {
        print("Log (latest lines; `vitrina jobs logs ID` for all):");
        print_logs(&detail.logs);
    }
}

/// A job just queued, to be run by a worker (or the next command that waits for it).
pub fn queued(job: &JobDto, as_json: bool) -> Outcome {
    if as_json {
        return json(job);
    }
    print(format!(
        "Queued {} job {}. `vitrina worker` runs it; follow it with `vitrina jobs wait {}`.",
        job.kind, job.id, job.id
    ));
    Ok(())
}

fn print_logs(lines: &[JobLogDto]) {
    for l in lines {
        let level = match l.level.as_str() {
            "warn" => "WARN ",
            "error" => "ERROR",
            _ => "info ",
        };
        print(format!("{} {level} {}", when(l.at), l.message));
    }
}

/// Follows a job with a progress bar to its end and prints it (with `--json`, its
/// [`JobDetailDto`]); a job that did not succeed is an error.
pub fn wait(jobs: &Jobs, id: &str, as_json: bool) -> Outcome {
    let detail = follow(jobs, id, as_json)?;
    let job = &detail.job;
    if as_json {
        json(&detail)?;
    } else {
        let took = duration(job);
        let took = if took.is_empty() { String::new() } else { format!(" in {took}") };
        match job.state {
            JobStateDto::Succeeded => print(format!(
                "Job {} ({}) succeeded{took}: {}",
                job.id,
                job.kind,
                detail.result.as_ref().map(|r| r.to_string()).unwrap_or_default()
            )),
            JobStateDto::Queued | JobStateDto::Running => print(format!(
                "Job {} ({}) is back in the queue; `vitrina worker` resumes it.",
                job.id, job.kind
            )),
            JobStateDto::Failed | JobStateDto::Cancelled => {}
        }
    }
    ended(&detail)
}

/// How a job that was waited for ended, as the command's outcome: a failed job is `invalid` (a
/// job fails on what it was given: a feed, a payload), a cancelled one `conflict`.
pub fn ended(detail: &JobDetailDto) -> Outcome {
    let job = &detail.job;
    match job.state {
        JobStateDto::Failed => Err(AppError::new(
            ErrorCode::Invalid,
            format!(
                "job {} ({}) failed: {}",
                job.id,
                job.kind,
                std::iter::once(job.error.clone().unwrap_or_default())
                    .chain(detail.error_chain.iter().cloned())
                    .collect::<Vec<_>>()
                    .join(": ")
            ),
        )),
        JobStateDto::Cancelled => {
            Err(AppError::new(ErrorCode::Conflict, format!("job {} ({}) was cancelled", job.id, job.kind)))
        }
        _ => Ok(()),
    }
}

/// Waits for a job with a progress bar (hidden for JSON; it runs here if no worker does) and
/// returns it as it ended, or as it went back to the queue.
pub fn follow(jobs: &Jobs, id: &str, as_json: bool) -> Result<JobDetailDto, AppError> {
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
    .map_err(internal)?
    .with_key("rate", rate)
    .progress_chars("=> ");
    let open_ended = ProgressStyle::with_template("{spinner} {prefix} {human_pos}  {rate}  {elapsed}  {msg}")
        .map_err(internal)?
        .with_key("rate", rate);
    bar.enable_steady_tick(Duration::from_millis(120));
    let mut has_total = None;
    let result = jobs.wait(id, &mut |record| {
        let job = JobDto::from(record);
        bar.set_prefix(format!("{} {}", job.kind, code(&job.state)));
        if has_total != Some(job.total.is_some()) {
            has_total = Some(job.total.is_some());
            bar.set_style(if job.total.is_some() { counting.clone() } else { open_ended.clone() });
        }
        if let Some(total) = job.total {
            bar.set_length(total);
        }
        bar.set_position(job.done);
        bar.set_message(stage_text(&job));
    });
    bar.finish_and_clear();
    let job = result?;
    views::job_detail(jobs, &job.id.to_string())
}

fn schedule_row(s: &ScheduleDto) -> Vec<String> {
    vec![
        s.name.clone(),
        s.kind.clone(),
        s.cadence_text.clone(),
        if s.enabled { "yes".into() } else { "no".into() },
        match (s.last_run_at, s.last_job_state) {
            (Some(at), Some(state)) => format!("{} ({})", when(at), code(&state)),
            (Some(at), None) => when(at),
            _ => "never".into(),
        },
        if s.enabled { opt_when(s.next_run_at) } else { String::new() },
    ]
}

const SCHEDULE_HEADER: [&str; 6] = ["Name", "Kind", "When", "Enabled", "Last run (UTC)", "Next run (UTC)"];

fn schedules_cmd(jobs: &Jobs, cmd: &SchedulesCmd, as_json: bool) -> Outcome {
    let show = |s: ScheduleDto, verb: &str| -> Outcome {
        if as_json {
            return json(&s);
        }
        let next = if s.enabled {
            format!("; next run {} UTC", opt_when(s.next_run_at))
        } else {
            " (disabled)".into()
        };
        print(format!("Schedule \"{}\" {verb}: {} {}{next}.", s.name, s.kind, s.cadence_text));
        Ok(())
    };
    match cmd {
        SchedulesCmd::List => {
            let list: Vec<ScheduleDto> = jobs.schedules()?.iter().map(ScheduleDto::from).collect();
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
                payload: payload_from_args(payload.as_deref(), fields)?,
                every: every.clone(),
                cron: cron.clone(),
                concurrency_key: key.clone(),
                enabled: !disabled,
            };
            show((&jobs.add_schedule(&input)?).into(), "added")
        }
        SchedulesCmd::Remove { name } => {
            // What is removed is printed: the schedule as it was.
            let removed = jobs.schedules()?.iter().find(|s| s.schedule.name == *name).map(ScheduleDto::from);
            jobs.remove_schedule(name)?;
            match removed {
                Some(s) if as_json => json(&s),
                _ => {
                    print(format!("Schedule \"{name}\" removed."));
                    Ok(())
                }
            }
        }
        SchedulesCmd::Enable { name } => show((&jobs.set_schedule_enabled(name, true)?).into(), "enabled"),
        SchedulesCmd::Disable { name } => show((&jobs.set_schedule_enabled(name, false)?).into(), "disabled"),
    }
}

fn event_line(event: &WorkerEventDto) -> Option<String> {
    let now = when(
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_millis() as u64)
            .unwrap_or(0),
    );
    let text = match event {
        WorkerEventDto::Started { id, kind, attempt } => format!("started   {kind} {id} (attempt {attempt})"),
        WorkerEventDto::Finished { id, kind, state, error, .. } => {
            let state = code(state);
            match error {
                Some(err) => format!("{state:<9} {kind} {id}: {err}"),
                None => format!("{state:<9} {kind} {id}"),
            }
        }
        WorkerEventDto::Retrying { id, kind, error, run_after, .. } => {
            format!("retrying  {kind} {id} at {}: {error}", when(*run_after))
        }
        WorkerEventDto::Requeued { id, kind } => format!("requeued  {kind} {id} (resumes on the next start)"),
        WorkerEventDto::ScheduleTick { schedule, job, still_running: false } => {
            format!("schedule  \"{schedule}\" queued {job}")
        }
        WorkerEventDto::ScheduleTick { schedule, job, still_running: true } => {
            format!("schedule  \"{schedule}\" skipped: its last job {job} is still running")
        }
        WorkerEventDto::Queued { .. } | WorkerEventDto::Progress { .. } | WorkerEventDto::Log { .. } => {
            return None;
        }
    };
    Some(format!("{now} {text}"))
}

/// Runs jobs until interrupted (or idle); with `--json`, every event but progress is one
/// [`WorkerEventDto`] per line.
fn worker(jobs: &Jobs, args: &WorkerArgs, as_json: bool) -> Outcome {
    let opts = WorkerOptions {
        schedules: !args.no_schedules,
        keep_days: args.keep_days,
        max_running: args.max_running,
        only: None,
    };
    let mut worker = jobs.start_worker(&opts)?;
    // A catalog in a team syncs while the worker runs (not for a run that stops when idle).
    let store = vitrina_app::secrets::KeyringStore::new();
    let _team = if args.until_idle {
        None
    } else {
        vitrina_app::team::OwnTeamSync::start(jobs.path(), &store).unwrap_or_else(|e| {
            print(format!("Team sync does not run: {e}"));
            None
        })
    };
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
    let exit = worker.run(args.until_idle, &mut |event| {
        let event = WorkerEventDto::from(event);
        if as_json {
            if !matches!(event, WorkerEventDto::Progress { .. }) {
                let _ = serde_json::to_string(&event).map(print);
            }
        } else if let Some(line) = event_line(&event) {
            print(line);
        }
    })?;
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
    let r = vitrina_app::jobs::bench(out, jobs, rounds)?;
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
