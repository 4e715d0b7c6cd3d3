//! Fakes shared by Vitrina's tests; a dev-dependency only, never part of a shipped binary.
//!
//! - [`http`]: a local HTTP server whose answers the test decides (supplier feeds, product
//!   pictures, sign-in), with [`http::Gate`]s for servers that are slow or stall;
//! - [`market`]: stateful fakes of the Wildberries, Ozon and Yandex Market seller APIs on that
//!   server, with their real auth headers, answer and error shapes, rate limits and faults.

pub mod http;
pub mod llm;
pub mod market;
