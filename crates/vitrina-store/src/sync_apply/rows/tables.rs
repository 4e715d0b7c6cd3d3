//! Where each row entity lives in the catalog: its table, how a field maps onto a column, and
//! how a row is found (by its UUID, or by its key's columns). The triggers of migration 0010
//! write the same JSON that [`Table::select_sql`] reads (a test holds them to it).

use vitrina_domain::EntityKind;

/// How a field's text is stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Col {
    Text,
    Int,
    /// The UUID (as text) of a row of another table, stored as that row's `rid`.
    Ref(&'static str),
    /// The UUID (as text) of a row of another table of the same file, stored as that UUID.
    RefId(&'static str),
    /// A UUID (as text) stored as a blob: an entity of another file (a catalog's product or
    /// category named in the marketplace file), not checked.
    Uuid,
    Real,
}

#[derive(Debug)]
pub(crate) struct Column {
    pub field: &'static str,
    pub column: &'static str,
    pub col: Col,
}

const fn c(field: &'static str, column: &'static str, col: Col) -> Column {
    Column { field, column, col }
}

#[derive(Debug)]
pub(crate) struct Table {
    pub kind: EntityKind,
    pub table: &'static str,
    /// The table has a UUID `id` column: the entity id. Otherwise the key's columns find the row.
    pub has_id: bool,
    pub columns: &'static [Column],
    /// The key's columns (rows without an id of their own).
    pub key: &'static [&'static str],
    /// Columns a new row needs that are not fields (set to the time of the apply).
    pub stamped: &'static [&'static str],
    /// A column whose text must be unique (the name): two rows given one name apart both keep
    /// theirs, the one with the greater id shown with a suffix.
    pub unique: Option<&'static str>,
}

pub(crate) const TABLES: &[Table] = &[
    Table {
        kind: EntityKind::Supplier,
        table: "suppliers",
        has_id: true,
        columns: &[
            c("name", "name", Col::Text),
            c("priority", "priority", Col::Int),
            c("policy", "policy", Col::Text),
            c("settings", "settings", Col::Text),
        ],
        key: &[],
        stamped: &["created_at"],
        unique: Some("name"),
    },
    Table {
        kind: EntityKind::SupplierSource,
        table: "supplier_sources",
        has_id: false,
        columns: &[
            c("supplier", "supplier_rid", Col::Ref("suppliers")),
            c("position", "position", Col::Int),
            c("spec", "spec", Col::Text),
            c("read_options", "read_options", Col::Text),
            c("mapping", "mapping", Col::Text),
        ],
        key: &["supplier_rid", "position"],
        stamped: &[],
        unique: None,
    },
    Table {
        kind: EntityKind::SupplierCategory,
        table: "category_map",
        has_id: false,
        columns: &[
            c("supplier", "supplier_rid", Col::Ref("suppliers")),
            c("path", "supplier_path", Col::Text),
            c("category", "category_rid", Col::Ref("categories")),
        ],
        key: &["supplier_rid", "supplier_path"],
        stamped: &[],
        unique: None,
    },
    Table {
        kind: EntityKind::FeedProfile,
        table: "feed_profiles",
        has_id: true,
        columns: &[
            c("name", "name", Col::Text),
            c("format", "format", Col::Text),
            c("enabled", "enabled", Col::Int),
            c("settings", "settings", Col::Text),
        ],
        key: &[],
        stamped: &["created_at", "updated_at"],
        unique: Some("name"),
    },
    Table {
        kind: EntityKind::ProductLink,
        table: "product_links",
        has_id: false,
        columns: &[
            c("from", "from_rid", Col::Ref("products")),
            c("to", "to_rid", Col::Ref("products")),
            c("kind", "kind", Col::Text),
            c("quantity", "quantity", Col::Int),
            c("discount_bp", "discount_bp", Col::Int),
        ],
        key: &["from_rid", "to_rid", "kind"],
        stamped: &[],
        unique: None,
    },
];

/// The marketplace file's tables, as the catalog's connection sees the file attached under
/// this name during a sync (`super::super::side`).
pub(crate) const MARKET: &str = "market";

pub(crate) const MARKET_TABLES: &[Table] = &[
    Table {
        kind: EntityKind::MarketAccount,
        table: "market.accounts",
        has_id: true,
        columns: &[
            c("name", "name", Col::Text),
            c("market", "market", Col::Text),
            c("base_url", "base_url", Col::Text),
            c("business_id", "business_id", Col::Int),
            c("campaign_id", "campaign_id", Col::Int),
            c("settings", "settings", Col::Text),
        ],
        key: &[],
        stamped: &["created_at", "updated_at"],
        unique: Some("name"),
    },
    Table {
        kind: EntityKind::MarketCategory,
        table: "market.category_map",
        has_id: false,
        columns: &[
            c("account", "account_id", Col::RefId("market.accounts")),
            c("category", "category_id", Col::Uuid),
            c("ext_id", "ext_id", Col::Text),
        ],
        key: &["account_id", "category_id"],
        stamped: &[],
        unique: None,
    },
    Table {
        kind: EntityKind::MarketAttribute,
        table: "market.attribute_map",
        has_id: false,
        columns: &[
            c("account", "account_id", Col::RefId("market.accounts")),
            c("ext_category", "ext_category", Col::Text),
            c("attr_id", "attr_id", Col::Text),
            c("source", "source", Col::Text),
            c("unit_factor", "unit_factor", Col::Real),
            c("value_map", "value_map", Col::Text),
        ],
        key: &["account_id", "ext_category", "attr_id"],
        stamped: &[],
        unique: None,
    },
    Table {
        kind: EntityKind::MarketLink,
        table: "market.links",
        has_id: false,
        columns: &[
            c("account", "account_id", Col::RefId("market.accounts")),
            c("product", "product_id", Col::Uuid),
            c("offer_id", "offer_id", Col::Text),
            c("ext_id", "ext_id", Col::Text),
            c("ext_group", "ext_group", Col::Text),
            c("ext_sku", "ext_sku", Col::Text),
            c("sizes", "sizes", Col::Text),
            c("card_of", "card_of", Col::Uuid),
        ],
        key: &["account_id", "product_id"],
        stamped: &["updated_at"],
        unique: None,
    },
];

pub(crate) fn table(kind: EntityKind) -> Option<&'static Table> {
    if kind.is_market() {
        return MARKET_TABLES.iter().find(|t| t.kind == kind);
    }
    TABLES.iter().find(|t| t.kind == kind)
}

impl Table {
    /// A column's value as doc text, for the row aliased `r`.
    fn text_expr(&self, col: &Column) -> String {
        match col.col {
            Col::Text => format!("r.{}", col.column),
            Col::Int => format!("CAST(r.{} AS TEXT)", col.column),
            Col::Ref(table) => format!("sync_uuid((SELECT id FROM {table} WHERE rid = r.{}))", col.column),
            Col::RefId(_) | Col::Uuid => format!("sync_uuid(r.{})", col.column),
            Col::Real => format!("CAST(r.{} AS TEXT)", col.column),
        }
    }

    /// The entity id of the row aliased `r`.
    fn id_expr(&self) -> String {
        if self.has_id {
            return "r.id".into();
        }
        let fields = vitrina_domain::sync::rows::row_fields(self.kind).map(|f| f.key).unwrap_or_default();
        let parts: Vec<String> = fields
            .iter()
            .filter_map(|f| self.columns.iter().find(|c| c.field == *f))
            .map(|c| self.text_expr(c))
            .collect();
        format!("sync_row_id('{}', {})", self.kind.code(), parts.join(", "))
    }

    /// Every row of the table: (entity id, its fields as a JSON object of texts), in id order.
    pub fn select_sql(&self) -> String {
        let json: Vec<String> =
            self.columns.iter().map(|c| format!("'{}', {}", c.field, self.text_expr(c))).collect();
        format!(
            "SELECT e, v FROM (SELECT {} AS e, json_object({}) AS v FROM {} r) WHERE e IS NOT NULL ORDER BY e",
            self.id_expr(),
            json.join(", "),
            self.table
        )
    }
}
