//! The import crate's integration tests, in one test binary (one link instead of one per file):
//! downloads (`source`), product pictures (`images`) and whole runs on a real catalog
//! (`pipeline`), against real files and the shared local HTTP server of `vitrina-testkit`.

mod images;
mod pipeline;
mod source;
