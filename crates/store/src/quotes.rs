//! Sales quotes and their lines. A quote's row carries its totals and a
//! version; every change is a guarded `UPDATE … WHERE version = $n AND state = …`,
//! so two changes of the same quote never both succeed. The order an accepted
//! quote becomes is written by the sales store; the app layer calls both in
//! one transaction.

use crate::parties::{Arg, PAGE_SIZE_MAX, Where, bind_args};
use crate::{Db, Result, StoreError, Tx, on_read, on_tx};

/// A quote with its customer's name and, once accepted, its order's number.
#[derive(Debug, Clone, sqlx::FromRow, PartialEq, Eq)]
pub struct QuoteRow {
    pub id: i64,
    /// `None` while a draft.
    pub number: Option<String>,
    pub party_id: i64,
    pub party_name: String,
    /// `draft`, `sent`, `accepted` or `declined` as stored; a sent quote
    /// past `valid_until` reads as expired.
    pub state: String,
    pub quote_date: String,
    pub valid_until: String,
    pub currency: String,
    pub net_minor: i64,
    pub vat_minor: i64,
    pub total_minor: i64,
    /// The order an accepted quote became.
    pub order_id: Option<i64>,
    pub order_number: Option<String>,
    /// Empty unless declined with a reason.
    pub decline_reason: String,
    pub created_by: String,
    pub version: i64,
    pub created_at_us: i64,
    pub updated_at_us: i64,
}

const QUOTE_SELECT: &str = "SELECT q.id, q.number, q.party_id, p.name AS party_name, q.state, \
     q.quote_date, q.valid_until, q.currency, q.net_minor, q.vat_minor, q.total_minor, q.order_id, \
     o.number AS order_number, q.decline_reason, q.created_by, q.version, q.created_at_us, q.updated_at_us \
     FROM sales_quotes q JOIN parties p ON p.id = q.party_id LEFT JOIN sales_orders o ON o.id = q.order_id";

/// A line with its product's SKU.
#[derive(Debug, Clone, sqlx::FromRow, PartialEq, Eq)]
pub struct QuoteLineRow {
    pub quote_id: i64,
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

const LINE_SELECT: &str = "SELECT l.quote_id, l.line_no, l.product_id, pr.sku, pr.kind, l.description, l.qty, \
     l.unit_price_minor, l.tax_rate_code, l.vat_basis_points, l.line_net_minor \
     FROM sales_quote_lines l JOIN products pr ON pr.id = l.product_id";

/// A quote's header as written: new, or a draft's replacement.
pub struct QuoteHeader<'a> {
    pub party_id: i64,
    pub quote_date: &'a str,
    pub valid_until: &'a str,
    pub currency: &'a str,
    pub net_minor: i64,
    pub vat_minor: i64,
}

/// Writes a draft (no number, version 1).
pub async fn insert_quote(
    tx: &mut Tx,
    header: &QuoteHeader<'_>,
    created_by: &str,
    now_us: i64,
) -> Result<i64> {
    const SQL: &str = "INSERT INTO sales_quotes (number, party_id, state, quote_date, valid_until, currency, \
         net_minor, vat_minor, total_minor, order_id, decline_reason, created_by, version, created_at_us, updated_at_us) \
         VALUES (NULL, $1, 'draft', $2, $3, $4, $5, $6, $7, NULL, '', $8, 1, $9, $9) RETURNING id";
    on_tx!(tx, c => sqlx::query_scalar::<_, i64>(SQL)
        .bind(header.party_id)
        .bind(header.quote_date)
        .bind(header.valid_until)
        .bind(header.currency)
        .bind(header.net_minor)
        .bind(header.vat_minor)
        .bind(header.net_minor + header.vat_minor)
        .bind(created_by)
        .bind(now_us)
        .fetch_one(c)
        .await
        .map_err(StoreError::from_insert))
}

/// Replaces a draft's header, if it still has `version`.
///
/// Errors: [`StoreError::Stale`] when someone changed it since.
pub async fn update_draft(
    tx: &mut Tx,
    id: i64,
    version: i64,
    header: &QuoteHeader<'_>,
    now_us: i64,
) -> Result<()> {
    const SQL: &str = "UPDATE sales_quotes SET party_id = $3, quote_date = $4, valid_until = $5, currency = $6, \
         net_minor = $7, vat_minor = $8, total_minor = $9, version = version + 1, updated_at_us = $10 \
         WHERE id = $1 AND version = $2 AND state = 'draft'";
    let done = on_tx!(tx, c => sqlx::query(SQL)
        .bind(id)
        .bind(version)
        .bind(header.party_id)
        .bind(header.quote_date)
        .bind(header.valid_until)
        .bind(header.currency)
        .bind(header.net_minor)
        .bind(header.vat_minor)
        .bind(header.net_minor + header.vat_minor)
        .bind(now_us)
        .execute(c)
        .await?
        .rows_affected());
    if done != 1 {
        return Err(StoreError::Stale);
    }
    Ok(())
}

/// A line to store.
pub struct NewQuoteLine<'a> {
    pub product_id: i64,
    pub description: &'a str,
    pub qty: i64,
    pub unit_price_minor: i64,
    pub tax_rate_code: &'a str,
    pub vat_basis_points: i64,
    pub line_net_minor: i64,
}

/// Replaces every line of a quote with `lines`, numbered from 1.
pub async fn replace_lines(tx: &mut Tx, quote_id: i64, lines: &[NewQuoteLine<'_>]) -> Result<()> {
    const DELETE: &str = "DELETE FROM sales_quote_lines WHERE quote_id = $1";
    const INSERT: &str = "INSERT INTO sales_quote_lines (quote_id, line_no, product_id, description, qty, \
         unit_price_minor, tax_rate_code, vat_basis_points, line_net_minor) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)";
    on_tx!(tx, c => sqlx::query(DELETE).bind(quote_id).execute(c).await?.rows_affected());
    for (i, line) in lines.iter().enumerate() {
        let line_no = i64::try_from(i).unwrap_or(i64::MAX - 1) + 1;
        on_tx!(tx, c => sqlx::query(INSERT)
            .bind(quote_id)
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

/// What a state change writes besides the state.
#[derive(Debug, Clone, Copy, Default)]
pub struct StateChange<'a> {
    /// The number a quote gets when sent.
    pub number: Option<&'a str>,
    /// The order an accepted quote became.
    pub order_id: Option<i64>,
    /// Why it was declined.
    pub decline_reason: Option<&'a str>,
}

/// Moves a quote from state `from` to `to`, if it is still in `from` with
/// `version`, writing what `change` carries.
///
/// Errors: [`StoreError::Stale`] when it changed since it was read.
pub async fn set_state(
    tx: &mut Tx,
    id: i64,
    version: i64,
    from: &str,
    to: &str,
    change: StateChange<'_>,
    now_us: i64,
) -> Result<()> {
    const SQL: &str = "UPDATE sales_quotes SET state = $4, number = COALESCE($5, number), \
         order_id = COALESCE($6, order_id), decline_reason = COALESCE($7, decline_reason), \
         version = version + 1, updated_at_us = $8 WHERE id = $1 AND version = $2 AND state = $3";
    let done = on_tx!(tx, c => sqlx::query(SQL)
        .bind(id)
        .bind(version)
        .bind(from)
        .bind(to)
        .bind(change.number)
        .bind(change.order_id)
        .bind(change.decline_reason)
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

/// A quote inside a write transaction, locked on PostgreSQL until commit.
pub async fn quote_in_tx(tx: &mut Tx, id: i64) -> Result<QuoteRow> {
    crate::locked_row(tx, QUOTE_SELECT, "q", id).await
}

pub async fn quote(db: &Db, id: i64) -> Result<Option<QuoteRow>> {
    let sql = sqlx::AssertSqlSafe(format!("{QUOTE_SELECT} WHERE q.id = $1"));
    Ok(on_read!(db, p => sqlx::query_as::<_, QuoteRow>(sql).bind(id).fetch_optional(p).await?))
}

/// The quote with this number (`QU-2026-000001`), if any.
pub async fn quote_by_number(db: &Db, number: &str) -> Result<Option<QuoteRow>> {
    let sql = sqlx::AssertSqlSafe(format!("{QUOTE_SELECT} WHERE q.number = $1"));
    Ok(on_read!(db, p => sqlx::query_as::<_, QuoteRow>(sql).bind(number).fetch_optional(p).await?))
}

/// The quote an order came from, if it came from one.
pub async fn quote_of_order(db: &Db, order_id: i64) -> Result<Option<QuoteRow>> {
    let sql = sqlx::AssertSqlSafe(format!("{QUOTE_SELECT} WHERE q.order_id = $1"));
    Ok(
        on_read!(db, p => sqlx::query_as::<_, QuoteRow>(sql).bind(order_id).fetch_optional(p).await?),
    )
}

/// A quote's lines by line number.
pub async fn lines(db: &Db, quote_id: i64) -> Result<Vec<QuoteLineRow>> {
    let sql = sqlx::AssertSqlSafe(format!(
        "{LINE_SELECT} WHERE l.quote_id = $1 ORDER BY l.line_no"
    ));
    Ok(on_read!(db, p => sqlx::query_as::<_, QuoteLineRow>(sql).bind(quote_id).fetch_all(p).await?))
}

/// A quote's lines inside a write transaction.
pub async fn lines_in_tx(tx: &mut Tx, quote_id: i64) -> Result<Vec<QuoteLineRow>> {
    let sql = sqlx::AssertSqlSafe(format!(
        "{LINE_SELECT} WHERE l.quote_id = $1 ORDER BY l.line_no"
    ));
    Ok(on_tx!(tx, c => sqlx::query_as::<_, QuoteLineRow>(sql).bind(quote_id).fetch_all(c).await?))
}

/// What a quote list shows; every field narrows.
#[derive(Debug, Clone, Default)]
pub struct QuoteFilter {
    /// The stored state.
    pub state: Option<String>,
    pub party_id: Option<i64>,
    /// Only quotes valid until this date or later (`YYYY-MM-DD`).
    pub valid_on_or_after: Option<String>,
    /// Only quotes valid until a date before this one.
    pub valid_before: Option<String>,
}

/// One page of quotes, newest first, `limit` rows (at most [`PAGE_SIZE_MAX`])
/// after the quote with id `before`; the second value is where the next page starts.
pub async fn list_quotes(
    db: &Db,
    filter: &QuoteFilter,
    before: Option<i64>,
    limit: i64,
) -> Result<(Vec<QuoteRow>, Option<i64>)> {
    let limit = limit.clamp(1, PAGE_SIZE_MAX);
    let mut w = Where::new("TRUE");
    if let Some(state) = &filter.state {
        w.push("q.state = $?", Arg::Text(state.clone()));
    }
    if let Some(id) = filter.party_id {
        w.push("q.party_id = $?", Arg::Int(id));
    }
    if let Some(day) = &filter.valid_on_or_after {
        w.push("q.valid_until >= $?", Arg::Text(day.clone()));
    }
    if let Some(day) = &filter.valid_before {
        w.push("q.valid_until < $?", Arg::Text(day.clone()));
    }
    if let Some(id) = before {
        w.push("q.id < $?", Arg::Int(id));
    }
    let sql = sqlx::AssertSqlSafe(format!(
        "{QUOTE_SELECT} WHERE {} ORDER BY q.id DESC LIMIT {}",
        w.sql,
        limit + 1
    ));
    let mut rows = on_read!(db, p => bind_args!(sqlx::query_as::<_, QuoteRow>(sql), &w.args).fetch_all(p).await?);
    let more = rows.len() as i64 > limit;
    rows.truncate(usize::try_from(limit).unwrap_or(0));
    let next = if more {
        rows.last().map(|r| r.id)
    } else {
        None
    };
    Ok((rows, next))
}
