//! Vitrina's marketplaces: Wildberries, Ozon and Yandex Market (DESIGN §6).
//!
//! - [`account`]: a seller's accounts and their credentials (kept in the store of secrets as
//!   `market.<id>.credentials`, never in a file or a log);
//! - [`store`]: the market file `<catalog>.market`, this crate's own SQLite file, so publishing
//!   never waits for an import that holds the catalog;
//! - [`http`]: the client every call goes through: token buckets per account and method group
//!   ([`limits`], [`bucket`]), retries with back-off and jitter that honour the marketplaces'
//!   wait hints, errors that keep the marketplace's words ([`error`]);
//! - [`check`]: "check connection", the cheapest read-only calls of each marketplace;
//! - [`wb`], [`ozon`], [`ym`]: typed answers and endpoint functions per marketplace.
//!
//! The API facts (hosts, paths, shapes, limits) come from the saved official specs; see
//! `docs/plans/market-plan.md` part B.

pub mod account;
pub mod api;
pub mod bucket;
pub mod check;
pub mod dict;
pub mod error;
pub mod http;
mod in_flight;
pub mod limits;
pub mod mapping;
pub mod market;
pub mod ozon;
pub mod plan;
pub mod precheck;
pub mod publish;
pub mod resolve;
pub mod store;
pub mod values;
pub mod wb;
pub mod ym;

pub use account::{Account, AccountSettings, Credentials, MarketAccountId, secret_name};
pub use api::{
    AwaitItem, BatchLimit, CardContext, ExtIds, Guard, ItemResult, Link, LinkStatus, MarketApi,
    MarketProblem, OutItem, Outcome, RemoteCard, api,
};
pub use bucket::TokenBucket;
pub use check::{Campaign, CheckOutcome, ConnectionCheck, GroupCheck, Warehouse, check_connection};
pub use dict::{
    AttrKind, AttrRule, CategoryDict, CategorySpec, MpAttribute, MpCategory, MpValue, ResolvedAttr,
    ResolvedValue, Source, value_key,
};
pub use error::{ErrorKind, MarketError, parse_error_body};
pub use http::{Client, Clock, Endpoint, ManualClock, Method, RealClock, Response, RetryPolicy, retry_hint};
pub use limits::{Cost, GroupLimit, LIMITS};
pub use market::{Group, Market};
pub use precheck::{CardLimits, Problem, ProblemCode, precheck};
pub use store::{MarketStore, market_path};
