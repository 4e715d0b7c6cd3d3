use std::path::PathBuf;

use vitrina_domain::ValidationError;

/// What can go wrong with the catalog database, worded for the person who will read it.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("{} is not a Vitrina catalog (not an SQLite database); the file was left untouched", path.display())]
    NotADatabase { path: PathBuf },
    #[error("{} is damaged and cannot be read ({reason}); the file was left untouched", path.display())]
    Corrupt { path: PathBuf, reason: String },
    #[error(
        "{} was written by a newer version of Vitrina (catalog schema {found}, this version knows up to {known}); update Vitrina to open it. The file was left untouched",
        path.display()
    )]
    TooNew { path: PathBuf, found: i64, known: usize },
    #[error("cannot open {}: {source}", path.display())]
    Open { path: PathBuf, source: rusqlite::Error },
    #[error("upgrading the catalog schema failed: {0}")]
    Migration(String),
    #[error("{0}")]
    Invalid(#[from] ValidationError),
    #[error("a product with SKU \"{0}\" already exists")]
    DuplicateSku(String),
    #[error("category \"{0}\" does not exist")]
    UnknownCategory(String),
    #[error("product \"{0}\" does not exist")]
    ProductNotFound(String),
    #[error("supplier \"{0}\" does not exist")]
    SupplierNotFound(String),
    #[error("{0}")]
    Link(String),
    #[error("the page cursor \"{0}\" is not valid; start from the first page")]
    InvalidCursor(String),
    #[error("nothing to undo for product \"{0}\"")]
    NothingToUndo(String),
    #[error("feed profile \"{0}\" does not exist")]
    FeedProfileNotFound(String),
    #[error("a feed profile named \"{0}\" already exists")]
    DuplicateFeedProfile(String),
    #[error("import run \"{0}\" does not exist")]
    ImportRunNotFound(String),
    #[error("cancelled; the catalog was left as it was")]
    Cancelled,
    #[error("the catalog database failed: {0}")]
    Sql(#[from] rusqlite::Error),
}

pub type Result<T, E = StoreError> = std::result::Result<T, E>;

impl StoreError {
    /// The database was busy or locked by another writer past the busy timeout: worth another
    /// try later (a job classifies this as transient).
    pub fn is_busy(&self) -> bool {
        matches!(
            self,
            StoreError::Sql(e) if matches!(
                e.sqlite_error_code(),
                Some(rusqlite::ErrorCode::DatabaseBusy | rusqlite::ErrorCode::DatabaseLocked)
            )
        )
    }
}
