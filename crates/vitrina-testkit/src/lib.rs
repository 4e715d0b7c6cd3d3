//! Fakes shared by Vitrina's tests; a dev-dependency only, never part of a shipped binary.
//!
//! - [`http`]: a local HTTP server whose answers the test decides (supplier feeds, product
//!   pictures, sign-in), with [`http::Gate`]s for servers that are slow or stall.

pub mod http;
