//! Identifiers: UUIDv7 newtypes, unique across devices and sortable by creation time.
//!
//! Two kinds of entity that team sync must keep unique by a natural key get ids derived from
//! that key instead (UUIDv5, the same on every device): a category from its parent and name,
//! and a product an import creates from its SKU. Two devices that import the same feed apart
//! then create the same products and categories, not two of each (ARCHITECTURE, "Team sync").

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

/// The namespace of ids derived from natural keys (a fixed random UUID of Vitrina's).
const NATURAL_KEYS: Uuid = Uuid::from_u128(0x6a1f_3c2e_9b4d_4e71_8a55_2f0c_7d13_e9b8);

impl ProductId {
    /// The id every device gives the product an import creates with this SKU.
    pub fn for_sku(sku: &str) -> Self {
        let mut key = b"product-sku:".to_vec();
        key.extend_from_slice(sku.as_bytes());
        Self(Uuid::new_v5(&NATURAL_KEYS, &key))
    }
}

impl SupplierId {
    /// The id every device gives a supplier named `name` (case and surrounding spaces aside), so
    /// two devices of a team that add the same supplier apart make one.
    pub fn for_name(name: &str) -> Self {
        let mut key = b"supplier:".to_vec();
        key.extend_from_slice(name.trim().to_lowercase().as_bytes());
        Self(Uuid::new_v5(&NATURAL_KEYS, &key))
    }
}

impl CategoryId {
    /// The id every device gives the category `name` under `parent` (a root when `None`).
    pub fn for_path(parent: Option<CategoryId>, name: &str) -> Self {
        let mut key = b"category:".to_vec();
        key.extend_from_slice(parent.map_or(Uuid::nil(), |p| p.0).as_bytes());
        key.extend_from_slice(name.as_bytes());
        Self(Uuid::new_v5(&NATURAL_KEYS, &key))
    }
}

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

    #[test]
    fn natural_key_ids_are_the_same_for_the_same_key_only() {
        assert_eq!(ProductId::for_sku("A-1"), ProductId::for_sku("A-1"));
        assert_ne!(ProductId::for_sku("A-1"), ProductId::for_sku("A-2"));
        let shoes = CategoryId::for_path(None, "Обувь");
        assert_eq!(shoes, CategoryId::for_path(None, "Обувь"));
        assert_ne!(CategoryId::for_path(Some(shoes), "Кеды"), CategoryId::for_path(None, "Кеды"));
        assert_eq!(shoes.0.get_version_num(), 5);
    }
}
