//! Getting goods out of the catalog: feed profiles (what to export, in which format, with
//! which prices, delivered where), the export run that reads the catalog once and feeds every
//! profile's writer, documents for buyers (PDF price lists, spec sheets) and delivery of the
//! written files to where marketplaces fetch them (a folder, S3-compatible storage, FTP/FTPS).
//!
//! The writers themselves live in `vitrina_formats::write`; the catalog's cursor in
//! `vitrina_store::export`. Nothing here knows about jobs or front ends.

pub mod deliver;
pub mod documents;
mod header;
mod item;
pub mod output;
pub mod prices;
pub mod profile;
pub mod run;
pub mod summary;
mod writers;

pub use profile::{FeedFormat, FeedProfile, ProfileSettings};
pub use run::{ExportError, ExportJob, RunOptions, export, preflight};
pub use summary::ExportSummary;
