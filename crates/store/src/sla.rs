//! Service levels: the SLA policies, each ticket's clocks, the breached and
//! at-risk lists (comparisons of stored instants with "now", so they are
//! index reads on both backends), and the customers' rating links.

use crate::{Db, Result, StoreError, Tx, on_read, on_tx};

/// A policy as stored; `queue` is "" for every queue.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct PolicyRow {
    pub id: i64,
    pub priority: String,
    pub queue: String,
    pub first_response_min: i64,
    pub resolution_min: i64,
    pub updated_at_us: i64,
}

/// Every policy, by priority and queue.
pub async fn policies(db: &Db) -> Result<Vec<PolicyRow>> {
    const SQL: &str = "SELECT id, priority, queue, first_response_min, resolution_min, updated_at_us \
         FROM sla_policies ORDER BY priority, queue";
    Ok(on_read!(db, p => sqlx::query_as::<_, PolicyRow>(SQL).fetch_all(p).await?))
}

/// The policy with this id, in the transaction.
pub async fn policy_in_tx(tx: &mut Tx, id: i64) -> Result<Option<PolicyRow>> {
    const SQL: &str = "SELECT id, priority, queue, first_response_min, resolution_min, updated_at_us \
         FROM sla_policies WHERE id = $1";
    Ok(on_tx!(tx, c => sqlx::query_as::<_, PolicyRow>(SQL).bind(id).fetch_optional(c).await?))
}

/// Writes the targets of `(priority, queue)`, replacing any there were.
/// Returns the policy's id.
pub async fn upsert_policy(
    tx: &mut Tx,
    priority: &str,
    queue: &str,
    first_response_min: i64,
    resolution_min: i64,
    now_us: i64,
) -> Result<i64> {
    const SQL: &str = "INSERT INTO sla_policies (priority, queue, first_response_min, resolution_min, updated_at_us) \
         VALUES ($1, $2, $3, $4, $5) ON CONFLICT (priority, queue) DO UPDATE SET \
         first_response_min = excluded.first_response_min, resolution_min = excluded.resolution_min, \
         updated_at_us = excluded.updated_at_us RETURNING id";
    Ok(on_tx!(tx, c => sqlx::query_scalar::<_, i64>(SQL)
        .bind(priority)
        .bind(queue)
        .bind(first_response_min)
        .bind(resolution_min)
        .bind(now_us)
        .fetch_one(c)
        .await?))
}

/// Errors: [`StoreError::NotFound`] when there is no such policy.
pub async fn delete_policy(tx: &mut Tx, id: i64) -> Result<()> {
    const SQL: &str = "DELETE FROM sla_policies WHERE id = $1";
    let n = on_tx!(tx, c => sqlx::query(SQL).bind(id).execute(c).await?.rows_affected());
    if n == 1 {
        Ok(())
    } else {
        Err(StoreError::NotFound)
    }
}

/// A ticket's two clocks (see `seam_domain::sla::Clock`) and its pause.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct SlaRow {
    pub ticket_id: i64,
    pub first_response_target_min: i64,
    pub first_response_used_us: i64,
    pub first_response_since_us: Option<i64>,
    pub first_response_due_at_us: Option<i64>,
    pub first_response_warn_at_us: Option<i64>,
    pub resolution_target_min: i64,
    pub resolution_used_us: i64,
    pub resolution_since_us: Option<i64>,
    pub resolution_due_at_us: Option<i64>,
    pub resolution_warn_at_us: Option<i64>,
    /// Since when the ticket waits on the customer.
    pub paused_at_us: Option<i64>,
    /// Business time it waited on the customer before that.
    pub paused_us: i64,
    pub at_risk_notified_at_us: Option<i64>,
    pub breach_notified_at_us: Option<i64>,
    pub updated_at_us: i64,
}

const SLA_COLUMNS: &str = "ticket_id, first_response_target_min, first_response_used_us, \
     first_response_since_us, first_response_due_at_us, first_response_warn_at_us, \
     resolution_target_min, resolution_used_us, resolution_since_us, resolution_due_at_us, \
     resolution_warn_at_us, paused_at_us, paused_us, at_risk_notified_at_us, \
     breach_notified_at_us, updated_at_us";

/// A ticket's clocks, if it is measured against a policy.
pub async fn sla_of(db: &Db, ticket_id: i64) -> Result<Option<SlaRow>> {
    let sql = sqlx::AssertSqlSafe(format!(
        "SELECT {SLA_COLUMNS} FROM ticket_slas WHERE ticket_id = $1"
    ));
    Ok(on_read!(db, p => sqlx::query_as::<_, SlaRow>(sql).bind(ticket_id).fetch_optional(p).await?))
}

/// The same in the transaction (the ticket row is locked by the caller).
pub async fn sla_in_tx(tx: &mut Tx, ticket_id: i64) -> Result<Option<SlaRow>> {
    let sql = sqlx::AssertSqlSafe(format!(
        "SELECT {SLA_COLUMNS} FROM ticket_slas WHERE ticket_id = $1"
    ));
    Ok(on_tx!(tx, c => sqlx::query_as::<_, SlaRow>(sql).bind(ticket_id).fetch_optional(c).await?))
}

/// The clocks of these tickets (one page of a list), in any order.
pub async fn slas_of(db: &Db, ticket_ids: &[i64]) -> Result<Vec<SlaRow>> {
    if ticket_ids.is_empty() {
        return Ok(Vec::new());
    }
    let marks: Vec<String> = (1..=ticket_ids.len()).map(|i| format!("${i}")).collect();
    let sql = sqlx::AssertSqlSafe(format!(
        "SELECT {SLA_COLUMNS} FROM ticket_slas WHERE ticket_id IN ({})",
        marks.join(", ")
    ));
    Ok(on_read!(db, p => {
        let mut q = sqlx::query_as::<_, SlaRow>(sql);
        for id in ticket_ids {
            q = q.bind(*id);
        }
        q.fetch_all(p).await?
    }))
}

/// Writes a ticket's clocks, creating the row the first time.
pub async fn save_sla(tx: &mut Tx, s: &SlaRow) -> Result<()> {
    let sql = sqlx::AssertSqlSafe(format!(
        "INSERT INTO ticket_slas ({SLA_COLUMNS}) VALUES \
         ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16) \
         ON CONFLICT (ticket_id) DO UPDATE SET \
         first_response_target_min = excluded.first_response_target_min, \
         first_response_used_us = excluded.first_response_used_us, \
         first_response_since_us = excluded.first_response_since_us, \
         first_response_due_at_us = excluded.first_response_due_at_us, \
         first_response_warn_at_us = excluded.first_response_warn_at_us, \
         resolution_target_min = excluded.resolution_target_min, \
         resolution_used_us = excluded.resolution_used_us, \
         resolution_since_us = excluded.resolution_since_us, \
         resolution_due_at_us = excluded.resolution_due_at_us, \
         resolution_warn_at_us = excluded.resolution_warn_at_us, \
         paused_at_us = excluded.paused_at_us, paused_us = excluded.paused_us, \
         at_risk_notified_at_us = excluded.at_risk_notified_at_us, \
         breach_notified_at_us = excluded.breach_notified_at_us, \
         updated_at_us = excluded.updated_at_us"
    ));
    on_tx!(tx, c => sqlx::query(sql)
        .bind(s.ticket_id)
        .bind(s.first_response_target_min)
        .bind(s.first_response_used_us)
        .bind(s.first_response_since_us)
        .bind(s.first_response_due_at_us)
        .bind(s.first_response_warn_at_us)
        .bind(s.resolution_target_min)
        .bind(s.resolution_used_us)
        .bind(s.resolution_since_us)
        .bind(s.resolution_due_at_us)
        .bind(s.resolution_warn_at_us)
        .bind(s.paused_at_us)
        .bind(s.paused_us)
        .bind(s.at_risk_notified_at_us)
        .bind(s.breach_notified_at_us)
        .bind(s.updated_at_us)
        .execute(c)
        .await
        .map(|_| ())?);
    Ok(())
}

/// Breached at `$1`: an active ticket whose unanswered first response or
/// whose resolution is past its deadline (a stopped clock keeps the
/// instant it breached). Aliases: `t` tickets, `s` ticket_slas.
const BREACHED: &str = "t.state IN ('open', 'pending') AND \
     ((t.first_response_at_us IS NULL AND s.first_response_due_at_us <= $1) \
     OR s.resolution_due_at_us <= $1)";

/// At risk at `$1`: not breached, and a running clock past its warning.
const AT_RISK: &str = "t.state IN ('open', 'pending') AND \
     NOT ((t.first_response_at_us IS NULL AND COALESCE(s.first_response_due_at_us <= $1, FALSE)) \
     OR COALESCE(s.resolution_due_at_us <= $1, FALSE)) AND \
     ((t.first_response_at_us IS NULL AND s.first_response_warn_at_us <= $1) \
     OR s.resolution_warn_at_us <= $1)";

/// A ticket of the breached or at-risk list, with its clocks.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct SlaListRow {
    pub id: i64,
    pub number: String,
    pub subject: String,
    pub party_name: String,
    pub queue: String,
    pub priority: String,
    pub state: String,
    pub assignee_user_id: Option<i64>,
    pub first_response_at_us: Option<i64>,
    pub first_response_due_at_us: Option<i64>,
    pub resolution_due_at_us: Option<i64>,
    pub paused_at_us: Option<i64>,
}

/// Which of the two lists.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SlaList {
    Breached,
    AtRisk,
}

/// The tickets of `queues` on the list at `now_us`, oldest first, at most `limit`.
pub async fn list(
    db: &Db,
    which: SlaList,
    now_us: i64,
    queues: &[String],
    limit: i64,
) -> Result<Vec<SlaListRow>> {
    if queues.is_empty() {
        return Ok(Vec::new());
    }
    let marks: Vec<String> = (0..queues.len()).map(|i| format!("${}", i + 3)).collect();
    let predicate = match which {
        SlaList::Breached => BREACHED,
        SlaList::AtRisk => AT_RISK,
    };
    let sql = sqlx::AssertSqlSafe(format!(
        "SELECT t.id, t.number, t.subject, p.name AS party_name, t.queue, t.priority, t.state, \
         t.assignee_user_id, t.first_response_at_us, s.first_response_due_at_us, \
         s.resolution_due_at_us, s.paused_at_us \
         FROM ticket_slas s JOIN tickets t ON t.id = s.ticket_id JOIN parties p ON p.id = t.party_id \
         WHERE {predicate} AND t.queue IN ({}) ORDER BY t.id LIMIT $2",
        marks.join(", ")
    ));
    Ok(on_read!(db, p => {
        let mut q = sqlx::query_as::<_, SlaListRow>(sql).bind(now_us).bind(limit);
        for queue in queues {
            q = q.bind(queue.as_str());
        }
        q.fetch_all(p).await?
    }))
}

/// Marks the ticket's breach as told, if it is breached at `now_us` and was
/// not told before. True when this call marked it.
pub async fn mark_breach_notified(tx: &mut Tx, ticket_id: i64, now_us: i64) -> Result<bool> {
    mark(tx, "breach_notified_at_us", BREACHED, ticket_id, now_us).await
}

/// Marks the ticket's risk as told, if it is at risk at `now_us` and was not
/// told before. True when this call marked it.
pub async fn mark_at_risk_notified(tx: &mut Tx, ticket_id: i64, now_us: i64) -> Result<bool> {
    mark(tx, "at_risk_notified_at_us", AT_RISK, ticket_id, now_us).await
}

async fn mark(
    tx: &mut Tx,
    column: &str,
    predicate: &str,
    ticket_id: i64,
    now_us: i64,
) -> Result<bool> {
    let sql = sqlx::AssertSqlSafe(format!(
        "UPDATE ticket_slas SET {column} = $1 WHERE ticket_id = $2 AND {column} IS NULL \
         AND ticket_id IN (SELECT s.ticket_id FROM ticket_slas s JOIN tickets t ON t.id = s.ticket_id \
         WHERE s.ticket_id = $2 AND {predicate})"
    ));
    let n = on_tx!(tx, c => sqlx::query(sql)
        .bind(now_us)
        .bind(ticket_id)
        .execute(c)
        .await?
        .rows_affected());
    Ok(n == 1)
}

/// An e-mailed rating link.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct CsatLinkRow {
    pub id: i64,
    pub ticket_id: i64,
    pub expires_at_us: i64,
    pub used_at_us: Option<i64>,
    pub created_at_us: i64,
}

/// Stores a link by the SHA-256 of its token. Returns its id.
pub async fn insert_csat_link(
    tx: &mut Tx,
    ticket_id: i64,
    token_hash: &str,
    expires_at_us: i64,
    now_us: i64,
) -> Result<i64> {
    const SQL: &str = "INSERT INTO csat_links (ticket_id, token_hash, expires_at_us, created_at_us) \
         VALUES ($1, $2, $3, $4) RETURNING id";
    on_tx!(tx, c => sqlx::query_scalar::<_, i64>(SQL)
        .bind(ticket_id)
        .bind(token_hash)
        .bind(expires_at_us)
        .bind(now_us)
        .fetch_one(c)
        .await
        .map_err(StoreError::from_insert))
}

/// The link of this token hash, if any.
pub async fn csat_link(db: &Db, token_hash: &str) -> Result<Option<CsatLinkRow>> {
    const SQL: &str = "SELECT id, ticket_id, expires_at_us, used_at_us, created_at_us \
         FROM csat_links WHERE token_hash = $1";
    Ok(
        on_read!(db, p => sqlx::query_as::<_, CsatLinkRow>(SQL).bind(token_hash).fetch_optional(p).await?),
    )
}

/// Marks the link used, once. True when this call used it (a second
/// submission racing the first gets false).
pub async fn use_csat_link(tx: &mut Tx, id: i64, now_us: i64) -> Result<bool> {
    const SQL: &str = "UPDATE csat_links SET used_at_us = $1 WHERE id = $2 AND used_at_us IS NULL AND expires_at_us > $1";
    let n =
        on_tx!(tx, c => sqlx::query(SQL).bind(now_us).bind(id).execute(c).await?.rows_affected());
    Ok(n == 1)
}

/// Whether the ticket already has a rating link (one is sent per ticket).
pub async fn has_csat_link(tx: &mut Tx, ticket_id: i64) -> Result<bool> {
    const SQL: &str = "SELECT COUNT(*) FROM csat_links WHERE ticket_id = $1";
    let n = on_tx!(tx, c => sqlx::query_scalar::<_, i64>(SQL).bind(ticket_id).fetch_one(c).await?);
    Ok(n > 0)
}
