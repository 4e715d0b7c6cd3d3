//! Vitrina's AI (DESIGN §1 "moderate (AI, cached)"): products are checked against each
//! marketplace's content rules — first by rules that need no model, then by a model — and
//! descriptions are written from their characteristics; every result is a suggestion the seller
//! reviews, never a change applied silently.

pub mod ask;
pub mod batch;
pub mod error;
pub mod http;
pub mod limits;
pub mod prompt;
pub mod provider;
pub mod rules;
pub mod store;
pub mod verdict;

pub use error::{AiError, ErrorKind, Result};
pub use http::{Client, Key, RetryPolicy};
pub use provider::{
    ChatRequest, Completion, JsonMode, ProviderCheck, ProviderConfig, ProviderId, ProviderKind,
    ProviderSettings, Usage, secret_name,
};
