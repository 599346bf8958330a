//! Access requests: what an employee asked for, why, and the decision of
//! their manager (or HR), with the IT ticket an approval opened.

use crate::{Db, Result, StoreError, Tx, on_read, on_tx};

/// A request with its employee's name and the number of its IT ticket.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct AccessRequestRow {
    pub id: i64,
    pub employee_id: i64,
    pub employee_name: String,
    /// `role` or `system`.
    pub kind: String,
    /// The role's name, or the system's name as typed.
    pub what: String,
    pub reason: String,
    /// `requested`, `approved` or `rejected`.
    pub state: String,
    pub ticket_id: Option<i64>,
    pub ticket_number: Option<String>,
    pub decided_by: Option<String>,
    pub decided_at_us: Option<i64>,
    pub decision_note: String,
    pub created_by: String,
    pub created_at_us: i64,
}

const SELECT: &str = "SELECT r.id, r.employee_id, e.name AS employee_name, r.kind, r.what, \
     r.reason, r.state, r.ticket_id, t.number AS ticket_number, r.decided_by, r.decided_at_us, \
     r.decision_note, r.created_by, r.created_at_us \
     FROM access_requests r JOIN employees e ON e.id = r.employee_id \
     LEFT JOIN tickets t ON t.id = r.ticket_id";

/// A new request's fields, as the app validated them.
#[derive(Debug, Clone)]
pub struct NewAccessRequest<'a> {
    pub employee_id: i64,
    pub kind: &'a str,
    pub what: &'a str,
    pub reason: &'a str,
}

/// Adds a request in state `requested`.
pub async fn insert(
    tx: &mut Tx,
    r: &NewAccessRequest<'_>,
    created_by: &str,
    now_us: i64,
) -> Result<i64> {
    const SQL: &str = "INSERT INTO access_requests (employee_id, kind, what, reason, state, \
         decision_note, created_by, created_at_us, updated_at_us) \
         VALUES ($1, $2, $3, $4, 'requested', '', $5, $6, $6) RETURNING id";
    Ok(on_tx!(tx, c => sqlx::query_scalar::<_, i64>(SQL)
        .bind(r.employee_id)
        .bind(r.kind)
        .bind(r.what)
        .bind(r.reason)
        .bind(created_by)
        .bind(now_us)
        .fetch_one(c)
        .await?))
}

/// A decision on a request still `requested`.
#[derive(Debug, Clone)]
pub struct Decision<'a> {
    /// `approved` or `rejected`.
    pub state: &'a str,
    pub ticket_id: Option<i64>,
    pub decided_by: &'a str,
    pub note: &'a str,
}

/// Decides a request. Errors: [`StoreError::Stale`] when it is no longer
/// `requested` (someone decided it in between).
pub async fn decide(tx: &mut Tx, id: i64, d: &Decision<'_>, now_us: i64) -> Result<()> {
    const SQL: &str = "UPDATE access_requests SET state = $2, ticket_id = $3, decided_by = $4, \
         decision_note = $5, decided_at_us = $6, updated_at_us = $6 \
         WHERE id = $1 AND state = 'requested'";
    let done = on_tx!(tx, c => sqlx::query(SQL)
        .bind(id)
        .bind(d.state)
        .bind(d.ticket_id)
        .bind(d.decided_by)
        .bind(d.note)
        .bind(now_us)
        .execute(c)
        .await?
        .rows_affected());
    if done == 0 {
        return Err(StoreError::Stale);
    }
    Ok(())
}

/// One request, or `None`.
pub async fn request(db: &Db, id: i64) -> Result<Option<AccessRequestRow>> {
    let sql = sqlx::AssertSqlSafe(format!("{SELECT} WHERE r.id = $1"));
    Ok(on_read!(db, p => sqlx::query_as::<_, AccessRequestRow>(sql)
        .bind(id)
        .fetch_optional(p)
        .await?))
}

/// One request inside a write transaction, locked on PostgreSQL until commit.
pub async fn request_in_tx(tx: &mut Tx, id: i64) -> Result<AccessRequestRow> {
    crate::locked_row(tx, SELECT, "r", id).await
}

/// What narrows a list of requests.
#[derive(Debug, Clone, Default)]
pub struct Filter {
    pub employee_id: Option<i64>,
    pub state: Option<String>,
    /// Only the requests of employees whose contract on `on_date` names
    /// this manager.
    pub manager_id: Option<i64>,
    /// `YYYY-MM-DD`, for `manager_id`.
    pub on_date: String,
}

/// Requests newest first, at most `limit`.
pub async fn list(db: &Db, f: &Filter, limit: i64) -> Result<Vec<AccessRequestRow>> {
    let sql = sqlx::AssertSqlSafe(format!(
        "{SELECT} WHERE ($1 = 0 OR r.employee_id = $1) AND ($2 = '' OR r.state = $2) \
         AND ($3 = 0 OR EXISTS (SELECT 1 FROM hr_contracts c WHERE c.employee_id = r.employee_id \
           AND c.manager_id = $3 AND c.start_date <= $4 AND (c.end_date IS NULL OR c.end_date >= $4))) \
         ORDER BY r.id DESC LIMIT $5"
    ));
    Ok(on_read!(db, p => sqlx::query_as::<_, AccessRequestRow>(sql)
        .bind(f.employee_id.unwrap_or(0))
        .bind(f.state.as_deref().unwrap_or(""))
        .bind(f.manager_id.unwrap_or(0))
        .bind(&f.on_date)
        .bind(limit)
        .fetch_all(p)
        .await?))
}
