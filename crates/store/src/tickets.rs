//! Service desk tickets and their messages.

use crate::{Db, Result, StoreError, Tx, locked_row, on_read, on_tx};

/// A ticket as stored, with its customer's name.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct TicketRow {
    pub id: i64,
    pub number: String,
    pub party_id: i64,
    pub party_name: String,
    pub subject: String,
    pub queue: String,
    pub priority: String,
    pub channel: String,
    pub state: String,
    pub assignee_user_id: Option<i64>,
    pub invoice_id: Option<i64>,
    pub order_id: Option<i64>,
    pub opened_by: String,
    pub first_response_at_us: Option<i64>,
    pub resolved_at_us: Option<i64>,
    pub version: i64,
    pub created_at_us: i64,
    pub updated_at_us: i64,
}

const SELECT: &str = "SELECT t.id, t.number, t.party_id, p.name AS party_name, t.subject, t.queue, \
     t.priority, t.channel, t.state, t.assignee_user_id, t.invoice_id, t.order_id, t.opened_by, \
     t.first_response_at_us, t.resolved_at_us, t.version, t.created_at_us, t.updated_at_us \
     FROM tickets t JOIN parties p ON p.id = t.party_id";

/// A message on a ticket.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct MessageRow {
    pub id: i64,
    pub ticket_id: i64,
    pub author_user_id: Option<i64>,
    pub author_name: String,
    pub by_customer: bool,
    pub public: bool,
    pub body: String,
    pub created_at_us: i64,
}

const MESSAGE_COLUMNS: &str =
    "id, ticket_id, author_user_id, author_name, by_customer, public, body, created_at_us";

/// What opening a ticket writes.
#[derive(Debug, Clone)]
pub struct NewTicket<'a> {
    pub number: &'a str,
    pub party_id: i64,
    pub subject: &'a str,
    pub queue: &'a str,
    pub priority: &'a str,
    pub channel: &'a str,
    pub invoice_id: Option<i64>,
    pub order_id: Option<i64>,
    pub opened_by: &'a str,
}

pub async fn insert(tx: &mut Tx, t: &NewTicket<'_>, now_us: i64) -> Result<i64> {
    const SQL: &str = "INSERT INTO tickets (number, party_id, subject, queue, priority, channel, state, \
         invoice_id, order_id, opened_by, version, created_at_us, updated_at_us) \
         VALUES ($1, $2, $3, $4, $5, $6, 'open', $7, $8, $9, 1, $10, $10) RETURNING id";
    on_tx!(tx, c => sqlx::query_scalar::<_, i64>(SQL)
        .bind(t.number)
        .bind(t.party_id)
        .bind(t.subject)
        .bind(t.queue)
        .bind(t.priority)
        .bind(t.channel)
        .bind(t.invoice_id)
        .bind(t.order_id)
        .bind(t.opened_by)
        .bind(now_us)
        .fetch_one(c)
        .await
        .map_err(StoreError::from_insert))
}

/// What a message writes.
#[derive(Debug, Clone)]
pub struct NewMessage<'a> {
    pub ticket_id: i64,
    pub author_user_id: Option<i64>,
    pub author_name: &'a str,
    pub by_customer: bool,
    pub public: bool,
    pub body: &'a str,
}

pub async fn insert_message(tx: &mut Tx, m: &NewMessage<'_>, now_us: i64) -> Result<i64> {
    const SQL: &str = "INSERT INTO ticket_messages (ticket_id, author_user_id, author_name, by_customer, \
         public, body, created_at_us) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id";
    Ok(on_tx!(tx, c => sqlx::query_scalar::<_, i64>(SQL)
        .bind(m.ticket_id)
        .bind(m.author_user_id)
        .bind(m.author_name)
        .bind(m.by_customer)
        .bind(m.public)
        .bind(m.body)
        .bind(now_us)
        .fetch_one(c)
        .await?))
}

/// The ticket, locked until commit on PostgreSQL.
pub async fn ticket_in_tx(tx: &mut Tx, id: i64) -> Result<TicketRow> {
    locked_row(tx, SELECT, "t", id).await
}

pub async fn ticket(db: &Db, id: i64) -> Result<Option<TicketRow>> {
    let sql = sqlx::AssertSqlSafe(format!("{SELECT} WHERE t.id = $1"));
    Ok(on_read!(db, p => sqlx::query_as::<_, TicketRow>(sql)
        .bind(id)
        .fetch_optional(p)
        .await?))
}

/// The id of the ticket with this number (`TK-2026-000001`), if any.
pub async fn id_by_number(db: &Db, number: &str) -> Result<Option<i64>> {
    const SQL: &str = "SELECT id FROM tickets WHERE number = $1";
    Ok(on_read!(db, p => sqlx::query_scalar::<_, i64>(SQL)
        .bind(number)
        .fetch_optional(p)
        .await?))
}

/// What changes on a ticket after an action; saved only at `version`.
#[derive(Debug, Clone)]
pub struct TicketUpdate<'a> {
    pub queue: &'a str,
    pub state: &'a str,
    pub priority: &'a str,
    pub assignee_user_id: Option<i64>,
    pub first_response_at_us: Option<i64>,
    pub resolved_at_us: Option<i64>,
}

/// Errors: [`StoreError::Stale`] when the ticket changed since `version`.
pub async fn update(
    tx: &mut Tx,
    id: i64,
    version: i64,
    u: &TicketUpdate<'_>,
    now_us: i64,
) -> Result<()> {
    const SQL: &str = "UPDATE tickets SET queue = $1, state = $2, priority = $3, assignee_user_id = $4, \
         first_response_at_us = $5, resolved_at_us = $6, version = version + 1, updated_at_us = $7 \
         WHERE id = $8 AND version = $9";
    let n = on_tx!(tx, c => sqlx::query(SQL)
        .bind(u.queue)
        .bind(u.state)
        .bind(u.priority)
        .bind(u.assignee_user_id)
        .bind(u.first_response_at_us)
        .bind(u.resolved_at_us)
        .bind(now_us)
        .bind(id)
        .bind(version)
        .execute(c)
        .await?
        .rows_affected());
    if n == 1 {
        Ok(())
    } else {
        Err(StoreError::Stale)
    }
}

/// Which tickets a list shows.
#[derive(Debug, Clone, Default)]
pub struct TicketFilter {
    /// Only these queues (the ones the reader works); empty means none.
    pub queues: Vec<String>,
    /// Only this customer's.
    pub party_id: Option<i64>,
    /// Only open and pending ones.
    pub active_only: bool,
}

/// Tickets newest first, below id `before` (keyset), at most `limit`.
pub async fn list(
    db: &Db,
    filter: &TicketFilter,
    before: Option<i64>,
    limit: i64,
) -> Result<Vec<TicketRow>> {
    if filter.queues.is_empty() && filter.party_id.is_none() {
        return Ok(Vec::new());
    }
    let mut clauses = vec!["t.id < $1".to_owned()];
    if !filter.queues.is_empty() {
        let marks: Vec<String> = (0..filter.queues.len())
            .map(|i| format!("${}", i + 4))
            .collect();
        clauses.push(format!("t.queue IN ({})", marks.join(", ")));
    }
    clauses.push("($2 = 0 OR t.party_id = $2)".to_owned());
    if filter.active_only {
        clauses.push("t.state IN ('open', 'pending')".to_owned());
    }
    let sql = sqlx::AssertSqlSafe(format!(
        "{SELECT} WHERE {} ORDER BY t.id DESC LIMIT $3",
        clauses.join(" AND ")
    ));
    Ok(on_read!(db, p => {
        let mut q = sqlx::query_as::<_, TicketRow>(sql)
            .bind(before.unwrap_or(i64::MAX))
            .bind(filter.party_id.unwrap_or(0))
            .bind(limit);
        for queue in &filter.queues {
            q = q.bind(queue.as_str());
        }
        q.fetch_all(p).await?
    }))
}

/// A ticket's messages, oldest first; only the public ones when `public_only`.
pub async fn messages(db: &Db, ticket_id: i64, public_only: bool) -> Result<Vec<MessageRow>> {
    let sql = sqlx::AssertSqlSafe(format!(
        "SELECT {MESSAGE_COLUMNS} FROM ticket_messages WHERE ticket_id = $1 AND ($2 = FALSE OR public) ORDER BY id"
    ));
    Ok(on_read!(db, p => sqlx::query_as::<_, MessageRow>(sql)
        .bind(ticket_id)
        .bind(public_only)
        .fetch_all(p)
        .await?))
}

/// How many active tickets wait in each queue.
pub async fn active_counts(db: &Db) -> Result<Vec<(String, i64)>> {
    const SQL: &str = "SELECT queue, COUNT(*) FROM tickets WHERE state IN ('open', 'pending') \
         GROUP BY queue ORDER BY queue";
    Ok(on_read!(db, p => sqlx::query_as::<_, (String, i64)>(SQL)
        .fetch_all(p)
        .await?))
}
