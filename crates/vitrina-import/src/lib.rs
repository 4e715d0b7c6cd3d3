//! Supplier imports: where a feed comes from ([`source`]), how its fields map onto the catalog
//! ([`mapping`]), how raw text becomes clean values ([`normalize`]), how cost becomes the
//! seller's price ([`pricing`]), and the run that ties them to the catalog ([`pipeline`]) with
//! its [`report`].

pub mod images;
pub mod item;
pub mod mapping;
pub mod normalize;
pub mod pipeline;
pub mod pricing;
pub mod report;
pub mod settings;
pub mod source;

pub use pipeline::{ImportError, ImportProgress, ImportRequest, Stage, run_import, spec_from_text};
pub use report::ImportReport;
pub use settings::{ReadSettings, SupplierSettings};
