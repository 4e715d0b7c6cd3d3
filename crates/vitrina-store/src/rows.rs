//! Products to rows and back.

use rusqlite::{Connection, OptionalExtension, Row, params};
use uuid::Uuid;
use vitrina_domain::{
    Barcode, CategoryId, Currency, Dimensions, Image, Money, Product, ProductField, ProductId, ProductStatus,
    VariantGroupId,
};

use crate::error::{Result, StoreError};

pub(crate) const PRODUCT_COLUMNS: &str = "p.rid, p.id, p.sku, p.name, d.description, p.brand, p.model, c.id, \
     p.variant_group, p.weight_g, p.length_mm, p.width_mm, p.height_mm, p.currency, p.price, p.old_price, \
     p.cost, p.stock, p.status, d.images, d.attributes";

pub(crate) fn uuid_of(row: &Row<'_>, idx: usize) -> rusqlite::Result<Uuid> {
    let bytes: [u8; 16] = row.get(idx)?;
    Ok(Uuid::from_bytes(bytes))
}

pub(crate) fn opt_uuid_of(row: &Row<'_>, idx: usize) -> rusqlite::Result<Option<Uuid>> {
    let bytes: Option<[u8; 16]> = row.get(idx)?;
    Ok(bytes.map(Uuid::from_bytes))
}

pub(crate) fn currency_of(code: &str) -> Currency {
    code.parse().unwrap_or(Currency::RUB)
}

pub(crate) fn status_of(code: &str) -> ProductStatus {
    code.parse().unwrap_or_default()
}

/// A product row without barcodes (see [`load_product`]).
pub(crate) fn product_from_row(row: &Row<'_>) -> rusqlite::Result<(i64, Product)> {
    let currency = currency_of(&row.get::<_, String>(13)?);
    let money = |v: Option<i64>| v.map(|m| Money::new(m, currency));
    let dims = match (
        row.get::<_, Option<u32>>(10)?,
        row.get::<_, Option<u32>>(11)?,
        row.get::<_, Option<u32>>(12)?,
    ) {
        (Some(length_mm), Some(width_mm), Some(height_mm)) => {
            Some(Dimensions { length_mm, width_mm, height_mm })
        }
        _ => None,
    };
    let images: String = row.get(19)?;
    Ok((
        row.get(0)?,
        Product {
            id: ProductId(uuid_of(row, 1)?),
            sku: row.get(2)?,
            name: row.get(3)?,
            description: row.get(4)?,
            brand: row.get(5)?,
            model: row.get(6)?,
            category: opt_uuid_of(row, 7)?.map(CategoryId),
            variant_group: opt_uuid_of(row, 8)?.map(VariantGroupId),
            barcodes: Vec::new(),
            weight_g: row.get(9)?,
            dimensions: dims,
            price: Money::new(row.get(14)?, currency),
            old_price: money(row.get(15)?),
            cost: money(row.get(16)?),
            stock: row.get(17)?,
            status: status_of(&row.get::<_, String>(18)?),
            attributes: serde_json::from_str(&row.get::<_, String>(20)?).unwrap_or_default(),
            images: images.lines().filter(|l| !l.is_empty()).map(|u| Image { url: u.to_string() }).collect(),
        },
    ))
}

/// Loads a whole product by its local rowid.
pub(crate) fn load_product(conn: &Connection, rid: i64) -> Result<Option<Product>> {
    let sql = format!(
        "SELECT {PRODUCT_COLUMNS} FROM products p JOIN product_details d ON d.rid = p.rid \
         LEFT JOIN categories c ON c.rid = p.category_rid WHERE p.rid = ?1"
    );
    let Some((_, mut product)) = conn.prepare_cached(&sql)?.query_row([rid], product_from_row).optional()?
    else {
        return Ok(None);
    };
    let mut stmt =
        conn.prepare_cached("SELECT code FROM product_barcodes WHERE product_rid = ?1 ORDER BY position")?;
    product.barcodes = stmt
        .query_map([rid], |r| r.get::<_, String>(0))?
        .filter_map(|c| c.ok().and_then(|c| Barcode::parse(&c).ok()))
        .collect();
    Ok(Some(product))
}

pub(crate) fn category_rid(conn: &Connection, id: Option<CategoryId>) -> Result<Option<i64>> {
    let Some(id) = id else { return Ok(None) };
    conn.prepare_cached("SELECT rid FROM categories WHERE id = ?1")?
        .query_row([id.as_bytes()], |r| r.get(0))
        .optional()?
        .map(Some)
        .ok_or_else(|| StoreError::UnknownCategory(id.to_string()))
}

/// Whether a product with this id exists.
pub(crate) fn product_id_taken(conn: &Connection, id: ProductId) -> Result<bool> {
    Ok(conn
        .prepare_cached("SELECT EXISTS (SELECT 1 FROM products WHERE id = ?1)")?
        .query_row([id.as_bytes()], |r| r.get(0))?)
}

fn first_image(p: &Product) -> Option<&str> {
    p.images.first().map(|i| i.url.as_str())
}

fn images_text(p: &Product) -> String {
    p.images.iter().map(|i| i.url.as_str()).collect::<Vec<_>>().join("\n")
}

fn dims(p: &Product) -> (Option<u32>, Option<u32>, Option<u32>) {
    match p.dimensions {
        Some(d) => (Some(d.length_mm), Some(d.width_mm), Some(d.height_mm)),
        None => (None, None, None),
    }
}

pub(crate) fn insert_row(
    conn: &Connection,
    p: &Product,
    category_rid: Option<i64>,
    content_hash: u64,
    now: u64,
) -> Result<i64> {
    let (l, w, h) = dims(p);
    let mut stmt = conn.prepare_cached(
        "INSERT INTO products (id, sku, name, name_key, brand, model, category_rid, variant_group,
             weight_g, length_mm, width_mm, height_mm, currency, price, old_price, cost, stock, status, image,
             content_hash, created_at, updated_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20, ?21, ?21)",
    )?;
    stmt.execute(params![
        p.id.as_bytes(),
        p.sku,
        p.name,
        p.name.to_lowercase(),
        p.brand,
        p.model,
        category_rid,
        p.variant_group.map(|g| *g.as_bytes()),
        p.weight_g,
        l,
        w,
        h,
        p.price.currency.as_str(),
        p.price.minor,
        p.old_price.map(|m| m.minor),
        p.cost.map(|m| m.minor),
        p.stock,
        p.status.code(),
        first_image(p),
        content_hash as i64,
        now as i64,
    ])
    .map_err(|e| unique_sku(e, &p.sku))?;
    let rid = conn.last_insert_rowid();
    write_details(conn, rid, p, false)?;
    write_barcodes(conn, rid, p, false)?;
    Ok(rid)
}

pub(crate) fn update_row(
    conn: &Connection,
    rid: i64,
    p: &Product,
    category_rid: Option<i64>,
    now: u64,
) -> Result<()> {
    let (l, w, h) = dims(p);
    let mut stmt = conn.prepare_cached(
        "UPDATE products SET sku = ?2, name = ?3, name_key = ?4, brand = ?5, model = ?6,
             category_rid = ?7, variant_group = ?8, weight_g = ?9, length_mm = ?10, width_mm = ?11,
             height_mm = ?12, currency = ?13, price = ?14, old_price = ?15, cost = ?16, stock = ?17, status = ?18,
             image = ?19, content_hash = ?20, updated_at = ?21
         WHERE rid = ?1",
    )?;
    stmt.execute(params![
        rid,
        p.sku,
        p.name,
        p.name.to_lowercase(),
        p.brand,
        p.model,
        category_rid,
        p.variant_group.map(|g| *g.as_bytes()),
        p.weight_g,
        l,
        w,
        h,
        p.price.currency.as_str(),
        p.price.minor,
        p.old_price.map(|m| m.minor),
        p.cost.map(|m| m.minor),
        p.stock,
        p.status.code(),
        first_image(p),
        p.content_hash() as i64,
        now as i64,
    ])
    .map_err(|e| unique_sku(e, &p.sku))?;
    write_details(conn, rid, p, true)
}

/// Plain INSERT or UPDATE, never `INSERT OR REPLACE`: a statement that may delete rows opens a
/// savepoint, and every savepoint makes FTS5 flush its pending terms (see `write_barcodes`).
/// Writes over row `rid` only the columns of `after` that differ from `before` (its content
/// hash and time always), and its details only when one of them changed: SQLite rewrites every
/// index naming a column an UPDATE sets, even to the same value, and a products row is in a
/// dozen. `category_rid` is `after`'s category row.
pub(crate) fn update_changed(
    conn: &Connection,
    rid: i64,
    before: &Product,
    after: &Product,
    category_rid: Option<i64>,
    now: u64,
) -> Result<()> {
    use rusqlite::types::Value;
    let text = |s: &str| Value::Text(s.to_string());
    let int = |v: Option<i64>| v.map_or(Value::Null, Value::Integer);
    let mut set: Vec<(&str, Value)> = Vec::new();
    if before.sku != after.sku {
        set.push(("sku", text(&after.sku)));
    }
    if before.name != after.name {
        set.push(("name", text(&after.name)));
        set.push(("name_key", text(&after.name.to_lowercase())));
    }
    if before.brand != after.brand {
        set.push(("brand", text(&after.brand)));
    }
    if before.model != after.model {
        set.push(("model", text(&after.model)));
    }
    if before.category != after.category {
        set.push(("category_rid", int(category_rid)));
    }
    if before.variant_group != after.variant_group {
        set.push((
            "variant_group",
            after.variant_group.map_or(Value::Null, |g| Value::Blob(g.as_bytes().to_vec())),
        ));
    }
    if before.weight_g != after.weight_g {
        set.push(("weight_g", int(after.weight_g.map(i64::from))));
    }
    if before.dimensions != after.dimensions {
        let (l, w, h) = dims(after);
        set.push(("length_mm", int(l.map(i64::from))));
        set.push(("width_mm", int(w.map(i64::from))));
        set.push(("height_mm", int(h.map(i64::from))));
    }
    if before.price.currency != after.price.currency {
        set.push(("currency", text(after.price.currency.as_str())));
    }
    if before.price.minor != after.price.minor {
        set.push(("price", Value::Integer(after.price.minor)));
    }
    if before.old_price.map(|m| m.minor) != after.old_price.map(|m| m.minor) {
        set.push(("old_price", int(after.old_price.map(|m| m.minor))));
    }
    if before.cost.map(|m| m.minor) != after.cost.map(|m| m.minor) {
        set.push(("cost", int(after.cost.map(|m| m.minor))));
    }
    if before.stock != after.stock {
        set.push(("stock", Value::Integer(after.stock)));
    }
    if before.status != after.status {
        set.push(("status", text(after.status.code())));
    }
    if first_image(before) != first_image(after) {
        set.push(("image", first_image(after).map_or(Value::Null, text)));
    }
    set.push(("content_hash", Value::Integer(after.content_hash() as i64)));
    set.push(("updated_at", Value::Integer(now as i64)));
    let columns: Vec<String> =
        set.iter().enumerate().map(|(i, (c, _))| format!("{c} = ?{}", i + 2)).collect();
    let sql = format!("UPDATE products SET {} WHERE rid = ?1", columns.join(", "));
    let values = std::iter::once(Value::Integer(rid)).chain(set.into_iter().map(|(_, v)| v));
    conn.prepare_cached(&sql)?
        .execute(rusqlite::params_from_iter(values))
        .map_err(|e| unique_sku(e, &after.sku))?;
    if before.description != after.description
        || before.attributes != after.attributes
        || images_text(before) != images_text(after)
    {
        write_details(conn, rid, after, true)?;
    }
    Ok(())
}

fn write_details(conn: &Connection, rid: i64, p: &Product, existing: bool) -> Result<()> {
    let sql = if existing {
        "UPDATE product_details SET description = ?2, attributes = ?3, images = ?4 WHERE rid = ?1"
    } else {
        "INSERT INTO product_details (rid, description, attributes, images) VALUES (?1, ?2, ?3, ?4)"
    };
    conn.prepare_cached(sql)?.execute(params![rid, p.description, attributes_json(p), images_text(p)])?;
    Ok(())
}

/// Writes barcodes; `replace` clears the old ones first.
pub(crate) fn write_barcodes(conn: &Connection, rid: i64, p: &Product, replace: bool) -> Result<()> {
    if replace {
        conn.prepare_cached("DELETE FROM product_barcodes WHERE product_rid = ?1")?.execute([rid])?;
    }
    let mut stmt = conn
        .prepare_cached("INSERT INTO product_barcodes (product_rid, position, code) VALUES (?1, ?2, ?3)")?;
    for (i, code) in p.barcodes.iter().enumerate() {
        stmt.execute(params![rid, i as i64, code.as_str()])?;
    }
    Ok(())
}

fn attributes_json(p: &Product) -> String {
    p.field_value(ProductField::Attributes).unwrap_or_else(|| "[]".into())
}

fn unique_sku(e: rusqlite::Error, sku: &str) -> StoreError {
    match &e {
        rusqlite::Error::SqliteFailure(f, Some(msg))
            if f.code == rusqlite::ErrorCode::ConstraintViolation && msg.contains("products.sku") =>
        {
            StoreError::DuplicateSku(sku.to_string())
        }
        _ => StoreError::Sql(e),
    }
}
