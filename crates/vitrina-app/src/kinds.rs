//! The job kinds this version of Vitrina runs: each module registers its own handlers next to
//! their payloads and typed starters; this is the one place that lists the modules.

use std::path::Path;
use std::sync::Arc;

use vitrina_jobs::Registry;

use crate::error::AppResult;
use crate::jobs::{Jobs, JobsContext};

/// Every kind, with its module's recovery steps.
pub fn registry() -> Registry<JobsContext> {
    let mut r = Registry::new();
    crate::imports::job::register(&mut r);
    crate::images::register(&mut r);
    crate::catalog_jobs::register(&mut r);
    crate::feeds::job::register(&mut r);
    crate::feeds::cycle::register(&mut r);
    crate::market::publish::register(&mut r);
    crate::market::pull::register(&mut r);
    crate::ai::job::register(&mut r);
    crate::held_edits::register(&mut r);
    r
}

impl Jobs {
    /// Opens the job queue of the catalog at `path` (creating the catalog if needed) with every
    /// kind this version runs.
    pub fn open(path: impl AsRef<Path>) -> AppResult<Self> {
        Jobs::with_registry(path, Arc::new(registry()))
    }
}
