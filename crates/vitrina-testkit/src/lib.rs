//! Fakes shared by Vitrina's tests; a dev-dependency only, never part of a shipped binary.
//!
//! - [`http`]: a local HTTP server whose answers the test decides (supplier feeds, product
//!   pictures, sign-in), with [`http::Gate`]s for servers that are slow or stall;
//! - [`market`]: stateful fakes of the Wildberries, Ozon and Yandex Market seller APIs on that
//!   server, with their real auth headers, answer and error shapes, rate limits and faults;
//! - [`pg`]: a throwaway PostgreSQL cluster (initdb + pg_ctl on a free port under the target
//!   folder) for the team-sync tests and benchmark;
//! - [`proxy`]: a TCP proxy that delays, blackholes, refuses or cuts a client's connections.

pub mod http;
pub mod llm;
pub mod market;
pub mod pg;
pub mod proxy;
