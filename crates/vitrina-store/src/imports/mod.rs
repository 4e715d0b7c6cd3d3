//! Supplier imports as the store sees them: each supplier's settings and sources (kept as JSON
//! that `vitrina-import` writes and reads), the writer that applies a run's offers to the
//! catalog in one transaction ([`writer`]), and the record of every run with the rows it
//! rejected ([`runs`]).

mod config;
mod matching;
mod runs;
mod writer;

pub use config::{SourceRow, SupplierConfig};
pub use runs::{ImportIssue, IssueCode, IssueKind, RunOutcome, RunRecord, RunState};
pub use writer::{GonePolicy, ImportCounts, ImportOptions, OfferInput, OfferRow, WriteRejection, sku_key};
