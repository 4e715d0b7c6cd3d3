//! Identifiers: UUIDv7 newtypes, unique across devices and sortable by creation time.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};
use uuid::Uuid;

macro_rules! uuid_id {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(pub Uuid);

        impl $name {
            /// A fresh UUIDv7 identifier.
            pub fn new() -> Self {
                Self(Uuid::now_v7())
            }

            pub fn from_bytes(bytes: [u8; 16]) -> Self {
                Self(Uuid::from_bytes(bytes))
            }

            pub fn as_bytes(&self) -> &[u8; 16] {
                self.0.as_bytes()
            }
        }

        impl Default for $name {
            fn default() -> Self {
                Self::new()
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                fmt::Display::fmt(&self.0, f)
            }
        }

        impl fmt::Debug for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, "{}({})", stringify!($name), self.0)
            }
        }

        impl FromStr for $name {
            type Err = uuid::Error;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                Uuid::parse_str(s.trim()).map(Self)
            }
        }
    };
}

uuid_id!(
    /// A product (one sellable SKU).
    ProductId
);

uuid_id!(
    /// A feed profile (what to export, in which format, delivered where).
    FeedProfileId
);
uuid_id!(
    /// A node of the seller's category tree.
    CategoryId
);
uuid_id!(
    /// A supplier (wholesaler) the seller buys from.
    SupplierId
);
uuid_id!(
    /// One supplier's offer of a product.
    OfferId
);
uuid_id!(
    /// Variants (sizes, colours) of one model share a group.
    VariantGroupId
);
uuid_id!(
    /// One change record in the history.
    ChangeId
);
uuid_id!(
    /// A background job. Its queue lives in its own file (`vitrina-jobs`); the catalog keys the
    /// batches a job committed by it.
    JobId
);
uuid_id!(
    /// A seller's account on a marketplace (Wildberries, Ozon, Yandex Market). It lives in the
    /// marketplace file (`vitrina-market`); its secret is in the store of secrets.
    MarketAccountId
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_v7_and_sort_by_creation() {
        let a = ProductId::new();
        let b = ProductId::new();
        assert_eq!(a.0.get_version_num(), 7);
        assert!(a < b, "UUIDv7 must sort by creation time");
        assert_eq!(a.to_string().parse::<ProductId>().unwrap(), a);
    }
}
