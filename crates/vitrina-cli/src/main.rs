//! `vitrina`: every capability of Vitrina from the command line, headless (automation, an
//! always-on worker, tests, benchmarks). Readable tables by default, `--json` for scripts: the
//! same DTOs the window receives (`vitrina_app::ipc`); errors are one sentence on stderr (with
//! `--json`, the error as `{code, message}`) and a non-zero exit code. It depends on
//! `vitrina-app` only.
//!
//! - `args.rs` — the command line as clap sees it;
//! - `catalog.rs` — init, demo, products, categories, stats;
//! - `suppliers.rs` — `vitrina suppliers …` and `vitrina import …`: suppliers, feeds, field
//!   mapping, price rules, imports (as jobs, with a progress bar) and their reports;
//! - `jobs.rs` — `vitrina jobs …`, `vitrina schedules …`, `vitrina worker`, `vitrina bench jobs`;
//! - `images.rs` — `vitrina images fetch|status`: the local image cache;
//! - `feeds.rs` — `vitrina feeds …`, `vitrina docs …`, `vitrina cycle …`: feed profiles, exports,
//!   documents and the import-then-export cycle;
//! - `mp.rs` — `vitrina mp accounts …`: marketplace accounts and their connection checks;
//! - `ai.rs` — `vitrina ai …`: AI providers, rule checks, moderation, descriptions, review;
//! - `bench.rs` — `vitrina bench …`, the figures in `docs/benchmarks.md`;
//! - `output.rs` — tables for people, JSON for scripts, errors.

mod ai;
mod args;
mod bench;
mod bench_sync;
mod catalog;
mod feeds;
mod images;
mod jobs;
mod mp;
mod output;
mod suppliers;
mod team;

use std::process::ExitCode;

use clap::Parser;

use crate::args::{Cli, Command, TopCommand};

/// mimalloc instead of glibc's malloc: imports allocate on the reader thread and free on the
/// writer, and glibc's arena locks made that hand-off a quarter of an import's time.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    let cli = Cli::parse();
    let db = cli.db.clone().unwrap_or_else(vitrina_app::paths::default_catalog);
    if matches!(
        cli.command,
        TopCommand::Import(_)
            | TopCommand::Worker(_)
            | TopCommand::Jobs(_)
            | TopCommand::Feeds(_)
            | TopCommand::Cycle(_)
    ) {
        // Imports run faster and in less memory with small SQLite caches (docs/benchmarks.md),
        // and any command that runs jobs may run one: the desktop app uses the same budget.
        vitrina_app::set_memory_budget(vitrina_app::MemoryBudget::IMPORT);
    }
    let result = match &cli.command {
        TopCommand::Catalog(Command::Bench(b)) => bench::run(b, &cli),
        TopCommand::Catalog(command) => catalog::run(command, &db, &cli),
        TopCommand::Suppliers(_) | TopCommand::Import(_) => suppliers::run(&cli.command, &db, &cli),
        TopCommand::Images(cmd) => images::run(cmd, &db, &cli),
        TopCommand::Feeds(cmd) => feeds::run_feeds(cmd, &db, &cli),
        TopCommand::Docs(cmd) => feeds::run_docs(cmd, &db, &cli),
        TopCommand::Cycle(cmd) => feeds::run_cycle(cmd, &db, &cli),
        TopCommand::Mp(cmd) => mp::run(cmd, &db, &cli),
        TopCommand::Ai(cmd) => ai::run(cmd, &db, &cli),
        TopCommand::Team(cmd) => team::run(cmd, &db, &cli),
        command => jobs::run(command, &db, &cli),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            output::error(&e, cli.json);
            ExitCode::FAILURE
        }
    }
}
