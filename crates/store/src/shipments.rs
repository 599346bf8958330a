//! Shipments of sales orders and their lines, and customer returns against
//! them. Shipped and returned quantities are not kept on the order lines:
//! they are the sums of the shipment and return lines.

use crate::{Db, Result, StoreError, Tx, on_read, on_tx};

/// A shipment as stored.
#[derive(Debug, Clone, sqlx::FromRow, PartialEq, Eq)]
pub struct ShipmentRow {
    pub id: i64,
    pub number: String,
    pub order_id: i64,
    pub ship_date: String,
    pub tracking_reference: String,
    /// `None` when the goods cost nothing and no entry was posted.
    pub journal_entry_id: Option<i64>,
    pub posted_by: String,
    pub posted_at_us: i64,
    /// The ticket a no-charge replacement was sent from; `None` for the
    /// order's own shipments.
    pub replacement_ticket_id: Option<i64>,
}

const SHIPMENT_SELECT: &str = "SELECT s.id, s.number, s.order_id, s.ship_date, s.tracking_reference, \
     s.journal_entry_id, s.posted_by, s.posted_at_us, r.ticket_id AS replacement_ticket_id \
     FROM shipments s LEFT JOIN replacement_shipments r ON r.shipment_id = s.id";

/// A shipment line as stored.
#[derive(Debug, Clone, sqlx::FromRow, PartialEq, Eq)]
pub struct ShipmentLineRow {
    pub shipment_id: i64,
    pub order_line_no: i64,
    pub product_id: i64,
    pub qty: i64,
}

/// A new shipment's header.
pub struct NewShipment<'a> {
    pub number: &'a str,
    pub order_id: i64,
    pub ship_date: &'a str,
    pub tracking_reference: &'a str,
    pub journal_entry_id: Option<i64>,
    pub posted_by: &'a str,
    pub now_us: i64,
}

/// Writes a shipment and its lines (`(order_line_no, product_id, qty)`).
pub async fn insert_shipment(
    tx: &mut Tx,
    new: &NewShipment<'_>,
    lines: &[(i64, i64, i64)],
) -> Result<i64> {
    const SQL: &str = "INSERT INTO shipments (number, order_id, ship_date, tracking_reference, \
         journal_entry_id, posted_by, posted_at_us) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id";
    const LINE: &str = "INSERT INTO shipment_lines (shipment_id, order_line_no, product_id, qty) \
         VALUES ($1, $2, $3, $4)";
    let id = on_tx!(tx, c => sqlx::query_scalar::<_, i64>(SQL)
        .bind(new.number)
        .bind(new.order_id)
        .bind(new.ship_date)
        .bind(new.tracking_reference)
        .bind(new.journal_entry_id)
        .bind(new.posted_by)
        .bind(new.now_us)
        .fetch_one(c)
        .await
        .map_err(StoreError::from_insert)?);
    for (line_no, product_id, qty) in lines {
        on_tx!(tx, c => sqlx::query(LINE)
            .bind(id)
            .bind(line_no)
            .bind(product_id)
            .bind(qty)
            .execute(c)
            .await
            .map_err(StoreError::from_insert)?
            .rows_affected());
    }
    Ok(id)
}

// Replacements sent from a ticket are left out: they are not the order's
// own deliveries, so they neither complete the order nor get invoiced.
const SHIPPED_SQL: &str = "SELECT sl.order_line_no, CAST(SUM(sl.qty) AS BIGINT) FROM shipment_lines sl \
     JOIN shipments s ON s.id = sl.shipment_id WHERE s.order_id = $1 \
     AND NOT EXISTS (SELECT 1 FROM replacement_shipments r WHERE r.shipment_id = s.id) \
     GROUP BY sl.order_line_no ORDER BY sl.order_line_no";

/// How much of each line of an order has shipped: `(line_no, qty)`, lines
/// with nothing shipped left out, replacements not counted.
pub async fn shipped_qty_in_tx(tx: &mut Tx, order_id: i64) -> Result<Vec<(i64, i64)>> {
    Ok(
        on_tx!(tx, c => sqlx::query_as::<_, (i64, i64)>(SHIPPED_SQL).bind(order_id).fetch_all(c).await?),
    )
}

/// As [`shipped_qty_in_tx`], outside a transaction.
pub async fn shipped_qty(db: &Db, order_id: i64) -> Result<Vec<(i64, i64)>> {
    Ok(
        on_read!(db, p => sqlx::query_as::<_, (i64, i64)>(SHIPPED_SQL).bind(order_id).fetch_all(p).await?),
    )
}

/// An order's shipments, oldest first.
pub async fn shipments(db: &Db, order_id: i64) -> Result<Vec<ShipmentRow>> {
    let sql = sqlx::AssertSqlSafe(format!(
        "{SHIPMENT_SELECT} WHERE s.order_id = $1 ORDER BY s.id"
    ));
    Ok(on_read!(db, p => sqlx::query_as::<_, ShipmentRow>(sql).bind(order_id).fetch_all(p).await?))
}

/// A shipment inside a write transaction.
pub async fn shipment_in_tx(tx: &mut Tx, id: i64) -> Result<ShipmentRow> {
    let sql = sqlx::AssertSqlSafe(format!("{SHIPMENT_SELECT} WHERE s.id = $1"));
    let row =
        on_tx!(tx, c => sqlx::query_as::<_, ShipmentRow>(sql).bind(id).fetch_optional(c).await?);
    row.ok_or(StoreError::NotFound)
}

/// A shipment's lines by order line number.
pub async fn shipment_lines(db: &Db, shipment_id: i64) -> Result<Vec<ShipmentLineRow>> {
    const SQL: &str = "SELECT shipment_id, order_line_no, product_id, qty FROM shipment_lines \
         WHERE shipment_id = $1 ORDER BY order_line_no";
    Ok(
        on_read!(db, p => sqlx::query_as::<_, ShipmentLineRow>(SQL).bind(shipment_id).fetch_all(p).await?),
    )
}

/// A shipment's lines with their SKU, in the caller's transaction.
pub async fn shipment_lines_in_tx(tx: &mut Tx, shipment_id: i64) -> Result<Vec<ShipmentLineSku>> {
    const SQL: &str = "SELECT sl.order_line_no, p.sku, sl.qty FROM shipment_lines sl \
         JOIN products p ON p.id = sl.product_id WHERE sl.shipment_id = $1 ORDER BY sl.order_line_no";
    Ok(on_tx!(tx, c => sqlx::query_as::<_, ShipmentLineSku>(SQL)
        .bind(shipment_id)
        .fetch_all(c)
        .await?))
}

/// A shipment line with its product's SKU.
#[derive(Debug, Clone, sqlx::FromRow, PartialEq, Eq)]
pub struct ShipmentLineSku {
    pub order_line_no: i64,
    pub sku: String,
    pub qty: i64,
}

/// The standard cost of each product with these ids: `(id, standard_cost_minor)`.
pub async fn standard_costs(tx: &mut Tx, ids: &[i64]) -> Result<Vec<(i64, i64)>> {
    const SQL: &str = "SELECT id, standard_cost_minor FROM products WHERE id = $1";
    let mut found = Vec::with_capacity(ids.len());
    for id in ids {
        let row =
            on_tx!(tx, c => sqlx::query_as::<_, (i64, i64)>(SQL).bind(id).fetch_optional(c).await?);
        found.extend(row);
    }
    Ok(found)
}

/// For each of these orders, the quantity ordered and shipped over all its
/// lines: `(order_id, ordered, shipped)`, in one query.
pub async fn order_progress(db: &Db, order_ids: &[i64]) -> Result<Vec<(i64, i64, i64)>> {
    if order_ids.is_empty() {
        return Ok(Vec::new());
    }
    let sql = sqlx::AssertSqlSafe(format!(
        "SELECT l.order_id, CAST(SUM(l.qty) AS BIGINT), \
         CAST(COALESCE(SUM((SELECT SUM(sl.qty) FROM shipment_lines sl JOIN shipments s ON s.id = sl.shipment_id \
             WHERE s.order_id = l.order_id AND sl.order_line_no = l.line_no \
             AND NOT EXISTS (SELECT 1 FROM replacement_shipments r WHERE r.shipment_id = s.id))), 0) AS BIGINT) \
         FROM sales_order_lines l WHERE l.order_id IN ({}) GROUP BY l.order_id",
        crate::parties::placeholders(order_ids.len())
    ));
    Ok(on_read!(db, p => {
        let mut q = sqlx::query_as::<_, (i64, i64, i64)>(sql);
        for id in order_ids {
            q = q.bind(*id);
        }
        q.fetch_all(p).await?
    }))
}

/// A customer return as stored.
#[derive(Debug, Clone, sqlx::FromRow, PartialEq, Eq)]
pub struct ReturnRow {
    pub id: i64,
    pub number: String,
    pub order_id: i64,
    pub return_date: String,
    pub reason: String,
    pub journal_entry_id: Option<i64>,
    pub posted_by: String,
    pub posted_at_us: i64,
}

/// A new return's header.
pub struct NewReturn<'a> {
    pub number: &'a str,
    pub order_id: i64,
    pub return_date: &'a str,
    pub reason: &'a str,
    pub journal_entry_id: Option<i64>,
    pub posted_by: &'a str,
    pub now_us: i64,
}

/// Writes a return and its lines (`(order_line_no, product_id, qty)`).
pub async fn insert_return(
    tx: &mut Tx,
    new: &NewReturn<'_>,
    lines: &[(i64, i64, i64)],
) -> Result<i64> {
    const SQL: &str = "INSERT INTO customer_returns (number, order_id, return_date, reason, \
         journal_entry_id, posted_by, posted_at_us) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id";
    const LINE: &str = "INSERT INTO customer_return_lines (return_id, order_line_no, product_id, qty) \
         VALUES ($1, $2, $3, $4)";
    let id = on_tx!(tx, c => sqlx::query_scalar::<_, i64>(SQL)
        .bind(new.number)
        .bind(new.order_id)
        .bind(new.return_date)
        .bind(new.reason)
        .bind(new.journal_entry_id)
        .bind(new.posted_by)
        .bind(new.now_us)
        .fetch_one(c)
        .await
        .map_err(StoreError::from_insert)?);
    for (line_no, product_id, qty) in lines {
        on_tx!(tx, c => sqlx::query(LINE)
            .bind(id)
            .bind(line_no)
            .bind(product_id)
            .bind(qty)
            .execute(c)
            .await
            .map_err(StoreError::from_insert)?
            .rows_affected());
    }
    Ok(id)
}

const RETURNED_SQL: &str = "SELECT rl.order_line_no, CAST(SUM(rl.qty) AS BIGINT) FROM customer_return_lines rl \
     JOIN customer_returns r ON r.id = rl.return_id WHERE r.order_id = $1 \
     GROUP BY rl.order_line_no ORDER BY rl.order_line_no";

/// How much of each line of an order has come back: `(line_no, qty)`.
pub async fn returned_qty_in_tx(tx: &mut Tx, order_id: i64) -> Result<Vec<(i64, i64)>> {
    Ok(
        on_tx!(tx, c => sqlx::query_as::<_, (i64, i64)>(RETURNED_SQL).bind(order_id).fetch_all(c).await?),
    )
}

/// As [`returned_qty_in_tx`], outside a transaction.
pub async fn returned_qty(db: &Db, order_id: i64) -> Result<Vec<(i64, i64)>> {
    Ok(
        on_read!(db, p => sqlx::query_as::<_, (i64, i64)>(RETURNED_SQL).bind(order_id).fetch_all(p).await?),
    )
}

/// An order's returns, oldest first.
pub async fn returns(db: &Db, order_id: i64) -> Result<Vec<ReturnRow>> {
    const SQL: &str = "SELECT id, number, order_id, return_date, reason, journal_entry_id, posted_by, \
         posted_at_us FROM customer_returns WHERE order_id = $1 ORDER BY id";
    Ok(on_read!(db, p => sqlx::query_as::<_, ReturnRow>(SQL).bind(order_id).fetch_all(p).await?))
}
