//! Sales orders and their lines. An order's row carries its totals and a
//! version; every change is a guarded `UPDATE … WHERE version = $n`, so two
//! edits of the same order never both succeed. Stock reservations are the
//! stock module's; the app layer calls both inside one transaction.

use seam_domain::sales::ProductFacts;

use crate::parties::{Arg, PAGE_SIZE_MAX, Where, bind_args};
use crate::{Db, Result, StoreError, Tx, on_read, on_tx};

/// An order with its customer's name.
#[derive(Debug, Clone, sqlx::FromRow, PartialEq, Eq)]
pub struct OrderRow {
    pub id: i64,
    /// `None` while a draft (and for a draft that was cancelled).
    pub number: Option<String>,
    pub party_id: i64,
    pub party_name: String,
    pub warehouse_id: i64,
    /// `draft`, `confirmed` or `cancelled`.
    pub state: String,
    pub order_date: String,
    pub currency: String,
    pub net_minor: i64,
    pub vat_minor: i64,
    pub total_minor: i64,
    pub created_by: String,
    pub version: i64,
    pub created_at_us: i64,
    pub updated_at_us: i64,
}

const ORDER_SELECT: &str = "SELECT o.id, o.number, o.party_id, p.name AS party_name, o.warehouse_id, o.state, \
     o.order_date, o.currency, o.net_minor, o.vat_minor, o.total_minor, o.created_by, o.version, \
     o.created_at_us, o.updated_at_us FROM sales_orders o JOIN parties p ON p.id = o.party_id";

/// A line with its product's SKU.
#[derive(Debug, Clone, sqlx::FromRow, PartialEq, Eq)]
pub struct LineRow {
    pub order_id: i64,
    pub line_no: i64,
    pub product_id: i64,
    pub sku: String,
    /// `goods` or `service`.
    pub kind: String,
    pub description: String,
    pub qty: i64,
    pub unit_price_minor: i64,
    pub tax_rate_code: String,
    pub vat_basis_points: i64,
    pub line_net_minor: i64,
}

const LINE_SELECT: &str = "SELECT l.order_id, l.line_no, l.product_id, pr.sku, pr.kind, l.description, l.qty, \
     l.unit_price_minor, l.tax_rate_code, l.vat_basis_points, l.line_net_minor \
     FROM sales_order_lines l JOIN products pr ON pr.id = l.product_id";

/// A new draft order's header.
pub struct NewOrder<'a> {
    pub party_id: i64,
    pub warehouse_id: i64,
    pub order_date: &'a str,
    pub currency: &'a str,
    pub net_minor: i64,
    pub vat_minor: i64,
    pub created_by: &'a str,
    pub now_us: i64,
}

/// A line to store.
pub struct NewLine<'a> {
    pub product_id: i64,
    pub description: &'a str,
    pub qty: i64,
    pub unit_price_minor: i64,
    pub tax_rate_code: &'a str,
    pub vat_basis_points: i64,
    pub line_net_minor: i64,
}

/// Writes a draft (no number, version 1).
pub async fn insert_order(tx: &mut Tx, new: &NewOrder<'_>) -> Result<i64> {
    const SQL: &str = "INSERT INTO sales_orders (number, party_id, warehouse_id, state, order_date, currency, \
         net_minor, vat_minor, total_minor, created_by, version, created_at_us, updated_at_us) \
         VALUES (NULL, $1, $2, 'draft', $3, $4, $5, $6, $7, $8, 1, $9, $9) RETURNING id";
    on_tx!(tx, c => sqlx::query_scalar::<_, i64>(SQL)
        .bind(new.party_id)
        .bind(new.warehouse_id)
        .bind(new.order_date)
        .bind(new.currency)
        .bind(new.net_minor)
        .bind(new.vat_minor)
        .bind(new.net_minor + new.vat_minor)
        .bind(new.created_by)
        .bind(new.now_us)
        .fetch_one(c)
        .await
        .map_err(StoreError::from_insert))
}

/// Replaces every line of an order with `lines`, numbered from 1.
pub async fn replace_lines(tx: &mut Tx, order_id: i64, lines: &[NewLine<'_>]) -> Result<()> {
    const DELETE: &str = "DELETE FROM sales_order_lines WHERE order_id = $1";
    const INSERT: &str = "INSERT INTO sales_order_lines (order_id, line_no, product_id, description, qty, \
         unit_price_minor, tax_rate_code, vat_basis_points, line_net_minor) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)";
    on_tx!(tx, c => sqlx::query(DELETE).bind(order_id).execute(c).await?.rows_affected());
    for (i, line) in lines.iter().enumerate() {
        let line_no = i64::try_from(i).unwrap_or(i64::MAX - 1) + 1;
        on_tx!(tx, c => sqlx::query(INSERT)
            .bind(order_id)
            .bind(line_no)
            .bind(line.product_id)
            .bind(line.description)
            .bind(line.qty)
            .bind(line.unit_price_minor)
            .bind(line.tax_rate_code)
            .bind(line.vat_basis_points)
            .bind(line.line_net_minor)
            .execute(c)
            .await?
            .rows_affected());
    }
    Ok(())
}

/// Sets a draft's totals, if it still has `version`.
///
/// Errors: [`StoreError::Stale`] when someone changed it since.
pub async fn update_totals(
    tx: &mut Tx,
    id: i64,
    version: i64,
    net_minor: i64,
    vat_minor: i64,
    now_us: i64,
) -> Result<()> {
    const SQL: &str = "UPDATE sales_orders SET net_minor = $3, vat_minor = $4, total_minor = $5, \
         version = version + 1, updated_at_us = $6 WHERE id = $1 AND version = $2 AND state = 'draft'";
    let done = on_tx!(tx, c => sqlx::query(SQL)
        .bind(id)
        .bind(version)
        .bind(net_minor)
        .bind(vat_minor)
        .bind(net_minor + vat_minor)
        .bind(now_us)
        .execute(c)
        .await?
        .rows_affected());
    if done != 1 {
        return Err(StoreError::Stale);
    }
    Ok(())
}

/// Moves an order from state `from` to `to` (giving it `number` when one is
/// passed), if it is still in `from` with `version`.
///
/// Errors: [`StoreError::Stale`] when it changed since it was read.
pub async fn set_state(
    tx: &mut Tx,
    id: i64,
    version: i64,
    from: &str,
    to: &str,
    number: Option<&str>,
    now_us: i64,
) -> Result<()> {
    const SQL: &str = "UPDATE sales_orders SET state = $4, number = COALESCE($5, number), \
         version = version + 1, updated_at_us = $6 WHERE id = $1 AND version = $2 AND state = $3";
    let done = on_tx!(tx, c => sqlx::query(SQL)
        .bind(id)
        .bind(version)
        .bind(from)
        .bind(to)
        .bind(number)
        .bind(now_us)
        .execute(c)
        .await
        .map_err(StoreError::from_insert)?
        .rows_affected());
    if done != 1 {
        return Err(StoreError::Stale);
    }
    Ok(())
}

/// An order inside a write transaction, locked on PostgreSQL until commit.
pub async fn order_in_tx(tx: &mut Tx, id: i64) -> Result<OrderRow> {
    crate::locked_row(tx, ORDER_SELECT, "o", id).await
}

pub async fn order(db: &Db, id: i64) -> Result<Option<OrderRow>> {
    let sql = sqlx::AssertSqlSafe(format!("{ORDER_SELECT} WHERE o.id = $1"));
    Ok(on_read!(db, p => sqlx::query_as::<_, OrderRow>(sql).bind(id).fetch_optional(p).await?))
}

/// The order with this number (`SO-2026-000001`), if any.
pub async fn order_by_number(db: &Db, number: &str) -> Result<Option<OrderRow>> {
    let sql = sqlx::AssertSqlSafe(format!("{ORDER_SELECT} WHERE o.number = $1"));
    Ok(on_read!(db, p => sqlx::query_as::<_, OrderRow>(sql).bind(number).fetch_optional(p).await?))
}

/// An order's lines by line number.
pub async fn lines(db: &Db, order_id: i64) -> Result<Vec<LineRow>> {
    let sql = sqlx::AssertSqlSafe(format!(
        "{LINE_SELECT} WHERE l.order_id = $1 ORDER BY l.line_no"
    ));
    Ok(on_read!(db, p => sqlx::query_as::<_, LineRow>(sql).bind(order_id).fetch_all(p).await?))
}

/// An order's lines inside a write transaction.
pub async fn lines_in_tx(tx: &mut Tx, order_id: i64) -> Result<Vec<LineRow>> {
    let sql = sqlx::AssertSqlSafe(format!(
        "{LINE_SELECT} WHERE l.order_id = $1 ORDER BY l.line_no"
    ));
    Ok(on_tx!(tx, c => sqlx::query_as::<_, LineRow>(sql).bind(order_id).fetch_all(c).await?))
}

/// What the order rules need of the products with these ids (with their VAT
/// rate's basis points), in one query; ids that name no product are absent.
pub async fn product_facts(tx: &mut Tx, ids: &[i64]) -> Result<Vec<ProductFacts>> {
    let mut found = Vec::new();
    for chunk in ids.chunks(500) {
        let sql = sqlx::AssertSqlSafe(format!(
            "SELECT p.id, p.name, p.kind, p.archived, p.currency, p.list_price_minor, p.tax_rate_code, t.rate_bp \
             FROM products p JOIN tax_rates t ON t.code = p.tax_rate_code WHERE p.id IN ({})",
            crate::parties::placeholders(chunk.len())
        ));
        type Facts = (i64, String, String, bool, String, i64, String, i64);
        let rows: Vec<Facts> = on_tx!(tx, c => {
            let mut q = sqlx::query_as::<_, Facts>(sql);
            for id in chunk {
                q = q.bind(*id);
            }
            q.fetch_all(c).await?
        });
        found.extend(rows.into_iter().map(
            |(id, name, kind, archived, currency, list_price_minor, tax_rate_code, bp)| {
                ProductFacts {
                    id,
                    name,
                    is_goods: kind == "goods",
                    archived,
                    currency,
                    list_price_minor,
                    tax_rate_code,
                    vat_basis_points: bp,
                }
            },
        ));
    }
    Ok(found)
}

/// The ids of products with these SKUs, in one query.
pub async fn product_ids_by_sku(tx: &mut Tx, skus: &[String]) -> Result<Vec<(String, i64)>> {
    let mut found = Vec::new();
    for chunk in skus.chunks(500) {
        let sql = sqlx::AssertSqlSafe(format!(
            "SELECT sku, id FROM products WHERE sku IN ({})",
            crate::parties::placeholders(chunk.len())
        ));
        let rows: Vec<(String, i64)> = on_tx!(tx, c => {
            let mut q = sqlx::query_as::<_, (String, i64)>(sql);
            for sku in chunk {
                q = q.bind(sku.as_str());
            }
            q.fetch_all(c).await?
        });
        found.extend(rows);
    }
    Ok(found)
}

/// What an order list shows; every field narrows.
#[derive(Debug, Clone, Default)]
pub struct OrderFilter {
    pub state: Option<String>,
    pub party_id: Option<i64>,
    /// Leaves out drafts: only orders the customer has been sent.
    pub placed_only: bool,
}

/// One page of orders, newest first, `limit` rows (at most [`PAGE_SIZE_MAX`])
/// after the order with id `before`; the second value is where the next page starts.
pub async fn list_orders(
    db: &Db,
    filter: &OrderFilter,
    before: Option<i64>,
    limit: i64,
) -> Result<(Vec<OrderRow>, Option<i64>)> {
    let limit = limit.clamp(1, PAGE_SIZE_MAX);
    let mut w = Where::new("TRUE");
    if let Some(state) = &filter.state {
        w.push("o.state = $?", Arg::Text(state.clone()));
    }
    if let Some(id) = filter.party_id {
        w.push("o.party_id = $?", Arg::Int(id));
    }
    if filter.placed_only {
        w.sql.push_str(" AND o.state <> 'draft'");
    }
    if let Some(id) = before {
        w.push("o.id < $?", Arg::Int(id));
    }
    let sql = sqlx::AssertSqlSafe(format!(
        "{ORDER_SELECT} WHERE {} ORDER BY o.id DESC LIMIT {}",
        w.sql,
        limit + 1
    ));
    let mut rows = on_read!(db, p => bind_args!(sqlx::query_as::<_, OrderRow>(sql), &w.args).fetch_all(p).await?);
    let more = rows.len() as i64 > limit;
    rows.truncate(usize::try_from(limit).unwrap_or(0));
    let next = if more {
        rows.last().map(|r| r.id)
    } else {
        None
    };
    Ok((rows, next))
}

/// Sets a draft's customer, date and currency (its version moves with [`update_totals`]).
pub async fn update_header(
    tx: &mut Tx,
    id: i64,
    party_id: i64,
    order_date: &str,
    currency: &str,
) -> Result<()> {
    const SQL: &str = "UPDATE sales_orders SET party_id = $2, order_date = $3, currency = $4 \
         WHERE id = $1 AND state = 'draft'";
    let done = on_tx!(tx, c => sqlx::query(SQL)
        .bind(id)
        .bind(party_id)
        .bind(order_date)
        .bind(currency)
        .execute(c)
        .await?
        .rows_affected());
    if done != 1 {
        return Err(StoreError::Stale);
    }
    Ok(())
}

/// Confirmed orders, oldest first (the order they should ship in), `limit`
/// rows after the order with id `after`.
pub async fn confirmed_oldest_first(
    db: &Db,
    after: Option<i64>,
    limit: i64,
) -> Result<Vec<OrderRow>> {
    let limit = limit.clamp(1, PAGE_SIZE_MAX);
    let sql = sqlx::AssertSqlSafe(format!(
        "{ORDER_SELECT} WHERE o.state = 'confirmed' AND o.id > $1 ORDER BY o.id LIMIT {limit}"
    ));
    Ok(
        on_read!(db, p => sqlx::query_as::<_, OrderRow>(sql).bind(after.unwrap_or(0)).fetch_all(p).await?),
    )
}
