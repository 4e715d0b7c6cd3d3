//! Rows of the settings tables that sync (suppliers and their sources and category mapping,
//! feed profiles, kit and pack links; marketplace accounts, their maps and product links): each row is an entity whose columns are fields, merged
//! by the same last-writer-wins rule as products ([`super::Doc`]).
//!
//! A row's entity id is the table's own UUID where it has one (suppliers, feed profiles), else
//! derived from the row's natural key ([`row_id`]), so two devices that make the same row apart
//! (the same source position of one supplier, the same link) make one entity. The fields of a
//! key are never changed in place: a row moved to another key is a delete and a creation.

use uuid::Uuid;

use super::EntityKind;

/// The fields of a row entity (`alive` apart), and which of them make its key (empty: the
/// table has a UUID of its own).
#[derive(Debug, Clone, Copy)]
pub struct RowFields {
    pub fields: &'static [&'static str],
    pub key: &'static [&'static str],
}

/// Fields naming another entity hold its UUID as text.
pub const SUPPLIER: &str = "supplier";
pub const CATEGORY: &str = "category";
pub const FROM: &str = "from";
pub const TO: &str = "to";
pub const ACCOUNT: &str = "account";
pub const PRODUCT: &str = "product";

/// The fields of `kind`, or `None` for products and categories (not rows).
pub fn row_fields(kind: EntityKind) -> Option<RowFields> {
    Some(match kind {
        EntityKind::Category | EntityKind::Product => return None,
        EntityKind::Supplier => RowFields { fields: &["name", "priority", "policy", "settings"], key: &[] },
        EntityKind::SupplierSource => RowFields {
            fields: &[SUPPLIER, "position", "spec", "read_options", "mapping"],
            key: &[SUPPLIER, "position"],
        },
        EntityKind::SupplierCategory => {
            RowFields { fields: &[SUPPLIER, "path", CATEGORY], key: &[SUPPLIER, "path"] }
        }
        EntityKind::FeedProfile => RowFields { fields: &["name", "format", "enabled", "settings"], key: &[] },
        EntityKind::ProductLink => {
            RowFields { fields: &[FROM, TO, "kind", "quantity", "discount_bp"], key: &[FROM, TO, "kind"] }
        }
        // A marketplace account's non-secret settings (its credentials are in the store of
        // secrets; its last connection check stays on the device that made it).
        EntityKind::MarketAccount => RowFields {
            fields: &["name", "market", "base_url", "business_id", "campaign_id", "settings"],
            key: &[],
        },
        EntityKind::MarketCategory => {
            RowFields { fields: &[ACCOUNT, CATEGORY, "ext_id"], key: &[ACCOUNT, CATEGORY] }
        }
        EntityKind::MarketAttribute => RowFields {
            fields: &[ACCOUNT, "ext_category", "attr_id", "source", "unit_factor", "value_map"],
            key: &[ACCOUNT, "ext_category", "attr_id"],
        },
        // A product's card on an account: which offer it is and the marketplace's ids (its
        // publishing state stays on the device that publishes).
        EntityKind::MarketLink => RowFields {
            fields: &[ACCOUNT, PRODUCT, "offer_id", "ext_id", "ext_group", "ext_sku", "sizes", "card_of"],
            key: &[ACCOUNT, PRODUCT],
        },
    })
}

const ROW_KEYS: Uuid = Uuid::from_u128(0x91c4_5e0a_7d2b_4f63_b8e1_0a6c_3f57_d214);

/// The entity id of a row of `kind` whose key fields have the texts `key`, in the order of
/// [`RowFields::key`]: the same on every device (UUIDv5).
pub fn row_id(kind: EntityKind, key: &[&str]) -> Uuid {
    let mut bytes = kind.code().as_bytes().to_vec();
    for part in key {
        bytes.push(0x1f);
        bytes.extend_from_slice(part.as_bytes());
    }
    Uuid::new_v5(&ROW_KEYS, &bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_row_kind_has_fields_and_its_key_among_them() {
        for kind in EntityKind::ALL.into_iter().filter(|k| k.is_row()) {
            let f = row_fields(kind).unwrap();
            assert!(f.key.iter().all(|k| f.fields.contains(k)), "{kind}");
            assert!(!f.fields.contains(&super::super::ALIVE), "{kind}");
        }
        assert!(row_fields(EntityKind::Product).is_none());
    }

    #[test]
    fn a_rows_id_follows_its_kind_and_key() {
        let a = row_id(EntityKind::SupplierSource, &["s", "0"]);
        assert_eq!(a, row_id(EntityKind::SupplierSource, &["s", "0"]));
        assert_ne!(a, row_id(EntityKind::SupplierSource, &["s", "1"]));
        assert_ne!(a, row_id(EntityKind::SupplierCategory, &["s", "0"]));
        assert_ne!(
            row_id(EntityKind::ProductLink, &["ab", "c"]),
            row_id(EntityKind::ProductLink, &["a", "bc"])
        );
    }
}
