//! Supplier imports: where a feed comes from ([`source`]), how its fields map onto the catalog
//! ([`mapping`]), how raw text becomes clean values ([`normalize`]) and how cost becomes the
//! seller's price ([`pricing`]). The pipeline that ties them to the store lives in the app layer.

pub mod item;
pub mod mapping;
pub mod normalize;
pub mod pricing;
pub mod source;
