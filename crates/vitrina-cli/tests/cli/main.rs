//! The `vitrina` binary end to end, on real catalog files, in one test binary (one link instead
//! of one per file): catalog commands (`catalog`), supplier imports (`import`), jobs (`jobs`)
//! and the `--json` contract with the window's DTOs (`contract`). Every `vitrina` process runs
//! with secrets in a credentials file next to its test's catalog (`support::vitrina`), never in
//! the machine's keyring.

mod ai;
mod catalog;
mod contract;
mod feeds;
mod import;
mod jobs;
mod market;
mod support;
mod team;
