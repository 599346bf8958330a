//! Price lists, their item prices and which customer is assigned which list.

use seam_domain::price_list::{ItemPrice, ValidPriceList};

use crate::{Db, Result, StoreError, Tx, on_read, on_tx};

/// A price list as stored.
#[derive(Debug, Clone, sqlx::FromRow, PartialEq, Eq)]
pub struct PriceListRow {
    pub id: i64,
    pub code: String,
    pub name: String,
    pub currency: String,
    pub discount_bp: i64,
    pub version: i64,
    pub created_at_us: i64,
    pub updated_at_us: i64,
}

const COLUMNS: &str =
    "id, code, name, currency, discount_bp, version, created_at_us, updated_at_us";

/// A price list with how many items and customers it has.
#[derive(Debug, Clone, sqlx::FromRow, PartialEq, Eq)]
pub struct PriceListSummary {
    pub id: i64,
    pub code: String,
    pub name: String,
    pub currency: String,
    pub discount_bp: i64,
    pub items: i64,
    pub customers: i64,
}

/// An item price with the product it prices.
#[derive(Debug, Clone, sqlx::FromRow, PartialEq, Eq)]
pub struct ItemRow {
    pub product_id: i64,
    pub sku: String,
    pub product_name: String,
    /// The product's own currency and list price, for comparison.
    pub product_currency: String,
    pub product_list_price_minor: i64,
    pub unit_price_minor: i64,
    pub discount_bp: Option<i64>,
}

/// A customer assigned a list.
#[derive(Debug, Clone, sqlx::FromRow, PartialEq, Eq)]
pub struct CustomerRow {
    pub party_id: i64,
    pub name: String,
}

/// Errors: [`StoreError::Duplicate`] when the code is taken.
pub async fn insert(tx: &mut Tx, list: &ValidPriceList, now_us: i64) -> Result<i64> {
    const SQL: &str = "INSERT INTO price_lists (code, name, currency, discount_bp, version, created_at_us, updated_at_us) \
         VALUES ($1, $2, $3, $4, 1, $5, $5) RETURNING id";
    on_tx!(tx, c => sqlx::query_scalar::<_, i64>(SQL)
        .bind(&list.code)
        .bind(&list.name)
        .bind(&list.currency)
        .bind(list.discount_bp)
        .bind(now_us)
        .fetch_one(c)
        .await
        .map_err(StoreError::from_insert))
}

/// Changes a list's name and default discount; its code and currency stay.
/// Errors: [`StoreError::NotFound`].
pub async fn update(tx: &mut Tx, id: i64, name: &str, discount_bp: i64, now_us: i64) -> Result<()> {
    const SQL: &str = "UPDATE price_lists SET name = $2, discount_bp = $3, version = version + 1, \
         updated_at_us = $4 WHERE id = $1";
    let done = on_tx!(tx, c => sqlx::query(SQL)
        .bind(id)
        .bind(name)
        .bind(discount_bp)
        .bind(now_us)
        .execute(c)
        .await?
        .rows_affected());
    if done == 0 {
        return Err(StoreError::NotFound);
    }
    Ok(())
}

/// Every price list by code, with its counts.
pub async fn summaries(db: &Db) -> Result<Vec<PriceListSummary>> {
    const SQL: &str = "SELECT l.id, l.code, l.name, l.currency, l.discount_bp, \
         (SELECT COUNT(*) FROM price_list_items i WHERE i.price_list_id = l.id) AS items, \
         (SELECT COUNT(*) FROM party_price_lists a WHERE a.price_list_id = l.id) AS customers \
         FROM price_lists l ORDER BY l.code";
    Ok(on_read!(db, p => sqlx::query_as::<_, PriceListSummary>(SQL).fetch_all(p).await?))
}

/// One price list by id.
pub async fn get(db: &Db, id: i64) -> Result<Option<PriceListRow>> {
    let sql = sqlx::AssertSqlSafe(format!("SELECT {COLUMNS} FROM price_lists WHERE id = $1"));
    Ok(on_read!(db, p => sqlx::query_as::<_, PriceListRow>(sql).bind(id).fetch_optional(p).await?))
}

/// One price list by its (upper-case) code.
pub async fn by_code(db: &Db, code: &str) -> Result<Option<PriceListRow>> {
    let sql = sqlx::AssertSqlSafe(format!("SELECT {COLUMNS} FROM price_lists WHERE code = $1"));
    Ok(
        on_read!(db, p => sqlx::query_as::<_, PriceListRow>(sql).bind(code).fetch_optional(p).await?),
    )
}

/// One price list inside a write transaction. Errors: [`StoreError::NotFound`].
pub async fn get_in_tx(tx: &mut Tx, id: i64) -> Result<PriceListRow> {
    let sql = sqlx::AssertSqlSafe(format!("SELECT {COLUMNS} FROM price_lists WHERE id = $1"));
    on_tx!(tx, c => sqlx::query_as::<_, PriceListRow>(sql).bind(id).fetch_optional(c).await?)
        .ok_or(StoreError::NotFound)
}

const ITEM_SELECT: &str = "SELECT i.product_id, p.sku, p.name AS product_name, p.currency AS product_currency, \
     p.list_price_minor AS product_list_price_minor, i.unit_price_minor, i.discount_bp \
     FROM price_list_items i JOIN products p ON p.id = i.product_id";

/// A list's item prices by SKU.
pub async fn items(db: &Db, list_id: i64) -> Result<Vec<ItemRow>> {
    let sql = sqlx::AssertSqlSafe(format!(
        "{ITEM_SELECT} WHERE i.price_list_id = $1 ORDER BY p.sku"
    ));
    Ok(on_read!(db, p => sqlx::query_as::<_, ItemRow>(sql).bind(list_id).fetch_all(p).await?))
}

/// One item price inside a write transaction, `None` when the list has none for the product.
pub async fn item_in_tx(tx: &mut Tx, list_id: i64, product_id: i64) -> Result<Option<ItemRow>> {
    let sql = sqlx::AssertSqlSafe(format!(
        "{ITEM_SELECT} WHERE i.price_list_id = $1 AND i.product_id = $2"
    ));
    Ok(on_tx!(tx, c => sqlx::query_as::<_, ItemRow>(sql)
        .bind(list_id)
        .bind(product_id)
        .fetch_optional(c)
        .await?))
}

/// Sets (adds or replaces) a product's price on a list.
pub async fn put_item(
    tx: &mut Tx,
    list_id: i64,
    product_id: i64,
    item: &ItemPrice,
    now_us: i64,
) -> Result<()> {
    const SQL: &str = "INSERT INTO price_list_items (price_list_id, product_id, unit_price_minor, discount_bp, updated_at_us) \
         VALUES ($1, $2, $3, $4, $5) \
         ON CONFLICT (price_list_id, product_id) DO UPDATE SET unit_price_minor = excluded.unit_price_minor, \
         discount_bp = excluded.discount_bp, updated_at_us = excluded.updated_at_us";
    on_tx!(tx, c => sqlx::query(SQL)
        .bind(list_id)
        .bind(product_id)
        .bind(item.unit_price_minor)
        .bind(item.discount_bp)
        .bind(now_us)
        .execute(c)
        .await?
        .rows_affected());
    Ok(())
}

/// Takes a product off a list; whether it was on it.
pub async fn delete_item(tx: &mut Tx, list_id: i64, product_id: i64) -> Result<bool> {
    const SQL: &str = "DELETE FROM price_list_items WHERE price_list_id = $1 AND product_id = $2";
    let n = on_tx!(tx, c => sqlx::query(SQL)
        .bind(list_id)
        .bind(product_id)
        .execute(c)
        .await?
        .rows_affected());
    Ok(n > 0)
}

/// The customers assigned a list, by name.
pub async fn customers(db: &Db, list_id: i64) -> Result<Vec<CustomerRow>> {
    const SQL: &str = "SELECT a.party_id, p.name FROM party_price_lists a JOIN parties p ON p.id = a.party_id \
         WHERE a.price_list_id = $1 ORDER BY p.sort_name, p.id";
    Ok(on_read!(db, p => sqlx::query_as::<_, CustomerRow>(SQL).bind(list_id).fetch_all(p).await?))
}

/// The list a party is assigned, if any.
pub async fn list_of_party(db: &Db, party_id: i64) -> Result<Option<PriceListRow>> {
    let sql = sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM price_lists WHERE id = (SELECT price_list_id FROM party_price_lists WHERE party_id = $1)"
    ));
    Ok(
        on_read!(db, p => sqlx::query_as::<_, PriceListRow>(sql).bind(party_id).fetch_optional(p).await?),
    )
}

/// The list a party is assigned, inside a write transaction.
pub async fn list_of_party_in_tx(tx: &mut Tx, party_id: i64) -> Result<Option<PriceListRow>> {
    let sql = sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM price_lists WHERE id = (SELECT price_list_id FROM party_price_lists WHERE party_id = $1)"
    ));
    Ok(
        on_tx!(tx, c => sqlx::query_as::<_, PriceListRow>(sql).bind(party_id).fetch_optional(c).await?),
    )
}

/// Assigns a party a list, replacing any it had.
pub async fn assign(tx: &mut Tx, party_id: i64, list_id: i64) -> Result<()> {
    const SQL: &str = "INSERT INTO party_price_lists (party_id, price_list_id) VALUES ($1, $2) \
         ON CONFLICT (party_id) DO UPDATE SET price_list_id = excluded.price_list_id";
    on_tx!(tx, c => sqlx::query(SQL).bind(party_id).bind(list_id).execute(c).await?.rows_affected());
    Ok(())
}

/// Takes a party's list away; whether it had one.
pub async fn unassign(tx: &mut Tx, party_id: i64) -> Result<bool> {
    const SQL: &str = "DELETE FROM party_price_lists WHERE party_id = $1";
    let n = on_tx!(tx, c => sqlx::query(SQL).bind(party_id).execute(c).await?.rows_affected());
    Ok(n > 0)
}

/// The item prices of a list for these products, in one query per 500 ids.
pub async fn item_prices(
    tx: &mut Tx,
    list_id: i64,
    product_ids: &[i64],
) -> Result<Vec<(i64, ItemPrice)>> {
    let mut found = Vec::new();
    for chunk in product_ids.chunks(500) {
        let sql = sqlx::AssertSqlSafe(format!(
            "SELECT product_id, unit_price_minor, discount_bp FROM price_list_items \
             WHERE price_list_id = $1 AND product_id IN ({})",
            (2..chunk.len() + 2)
                .map(|i| format!("${i}"))
                .collect::<Vec<_>>()
                .join(", ")
        ));
        type Item = (i64, i64, Option<i64>);
        let rows: Vec<Item> = on_tx!(tx, c => {
            let mut q = sqlx::query_as::<_, Item>(sql).bind(list_id);
            for id in chunk {
                q = q.bind(*id);
            }
            q.fetch_all(c).await?
        });
        found.extend(rows.into_iter().map(|(id, price, discount)| {
            (
                id,
                ItemPrice {
                    unit_price_minor: price,
                    discount_bp: discount,
                },
            )
        }));
    }
    Ok(found)
}
