//! Errors as the front ends see them: a stable code for programs and a sentence for people.

use serde::{Deserialize, Serialize};
use ts_rs::TS;
use vitrina_store::StoreError;

/// A stable, machine-readable class of error: the one set of codes the CLI's `--json`, the
/// window (as `IpcErrorCode` in the generated TypeScript) and scripts all see.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(rename = "IpcErrorCode")]
pub enum ErrorCode {
    NotFound,
    Invalid,
    Conflict,
    NotACatalog,
    CatalogTooNew,
    CatalogDamaged,
    Io,
    /// Another write holds the catalog (a supplier import writes in one long transaction):
    /// worth trying again once it has finished.
    Busy,
    /// A price or stock edit the catalog could not take during an import: it was sent to the
    /// marketplaces at once and is written to the catalog when the import ends.
    Held,
    /// The store of secrets cannot be reached at all (no Secret Service on this Linux session,
    /// the kernel keyring blocked): nothing will be saved until it runs or another is chosen.
    KeyringUnavailable,
    /// The OS keyring refused (a locked keyring, a denied entry).
    Keyring,
    /// The app has no open catalog (the window's recovery screen is showing).
    NoCatalog,
    /// The team's server cannot be reached or did not answer: the device works offline.
    TeamUnreachable,
    /// The team's server refused the member's name or password.
    TeamSignIn,
    /// The team's database and this app are at different schema versions.
    TeamVersion,
    /// The member's role may not do this (a viewer editing, an editor managing members), or
    /// another device owns the marketplaces.
    TeamNotAllowed,
    /// The team's server refused otherwise (no team there, read-only, full, a clock far ahead).
    TeamRefused,
    Internal,
}

/// An error as every front end receives it: a stable code and a sentence for people.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS, thiserror::Error)]
#[error("{message}")]
#[ts(rename = "IpcError")]
pub struct AppError {
    pub code: ErrorCode,
    pub message: String,
}

impl AppError {
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        Self { code, message: message.into() }
    }

    pub fn invalid(message: impl Into<String>) -> Self {
        Self::new(ErrorCode::Invalid, message)
    }
}

impl From<StoreError> for AppError {
    fn from(e: StoreError) -> Self {
        if e.is_busy() {
            return AppError::new(
                ErrorCode::Busy,
                "the catalog is busy with a long change (usually a supplier import); try again when it has finished",
            );
        }
        let code = match &e {
            StoreError::NotADatabase { .. } => ErrorCode::NotACatalog,
            StoreError::Corrupt { .. } => ErrorCode::CatalogDamaged,
            StoreError::TooNew { .. } => ErrorCode::CatalogTooNew,
            StoreError::Open { .. } => ErrorCode::Io,
            StoreError::ProductNotFound(_)
            | StoreError::SupplierNotFound(_)
            | StoreError::UnknownCategory(_)
            | StoreError::ImportRunNotFound(_)
            | StoreError::FeedProfileNotFound(_) => ErrorCode::NotFound,
            StoreError::Invalid(_) | StoreError::InvalidCursor(_) | StoreError::Link(_) => ErrorCode::Invalid,
            StoreError::DuplicateSku(_)
            | StoreError::DuplicateFeedProfile(_)
            | StoreError::NothingToUndo(_)
            | StoreError::Cancelled => ErrorCode::Conflict,
            StoreError::Migration(_) | StoreError::Sql(_) => ErrorCode::Internal,
        };
        AppError::new(code, e.to_string())
    }
}

pub type AppResult<T> = Result<T, AppError>;
