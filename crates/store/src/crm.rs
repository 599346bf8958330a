//! The CRM's tables: leads, opportunities with their product lines, and
//! activities. Rules live in `seam_domain::crm`; this module only reads and writes.

use crate::{Db, Result, StoreError, Tx, on_read, on_tx};

/// A lead as stored, with its owner's and party's names.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct LeadRow {
    pub id: i64,
    pub name: String,
    pub company: String,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub source: String,
    pub state: String,
    pub campaign: String,
    pub notes: String,
    pub owner_user_id: Option<i64>,
    pub owner_name: Option<String>,
    pub party_id: Option<i64>,
    pub party_name: Option<String>,
    pub merged_into_id: Option<i64>,
    pub version: i64,
    pub created_by: String,
    pub created_at_us: i64,
    pub updated_at_us: i64,
}

const LEAD_SELECT: &str = "SELECT l.id, l.name, l.company, l.email, l.phone, l.source, l.state, \
     l.campaign, l.notes, l.owner_user_id, u.display_name AS owner_name, l.party_id, \
     p.name AS party_name, l.merged_into_id, l.version, l.created_by, l.created_at_us, \
     l.updated_at_us \
     FROM leads l LEFT JOIN users u ON u.id = l.owner_user_id LEFT JOIN parties p ON p.id = l.party_id";

/// A lead's fields with the keys duplicate detection looks up.
#[derive(Debug, Clone)]
pub struct LeadFields<'a> {
    pub name: &'a str,
    pub company: &'a str,
    pub email: Option<&'a str>,
    pub phone: Option<&'a str>,
    pub email_key: Option<&'a str>,
    pub phone_key: Option<&'a str>,
    pub name_key: &'a str,
    pub name_block: &'a str,
    pub campaign: &'a str,
    pub notes: &'a str,
}

/// Adds an open lead. Returns its id.
pub async fn insert_lead(
    tx: &mut Tx,
    fields: &LeadFields<'_>,
    source: &str,
    owner_user_id: Option<i64>,
    form_ip_hash: Option<&str>,
    created_by: &str,
    now_us: i64,
) -> Result<i64> {
    const SQL: &str = "INSERT INTO leads (name, company, email, phone, email_key, phone_key, name_key, \
         name_block, source, state, campaign, notes, owner_user_id, form_ip_hash, version, created_by, \
         created_at_us, updated_at_us) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 'open', $10, $11, $12, $13, 1, $14, $15, $15) \
         RETURNING id";
    Ok(on_tx!(tx, c => sqlx::query_scalar::<_, i64>(SQL)
        .bind(fields.name)
        .bind(fields.company)
        .bind(fields.email)
        .bind(fields.phone)
        .bind(fields.email_key)
        .bind(fields.phone_key)
        .bind(fields.name_key)
        .bind(fields.name_block)
        .bind(source)
        .bind(fields.campaign)
        .bind(fields.notes)
        .bind(owner_user_id)
        .bind(form_ip_hash)
        .bind(created_by)
        .bind(now_us)
        .fetch_one(c)
        .await?))
}

/// Rewrites an open lead's fields if it still has `version`.
pub async fn update_lead(
    tx: &mut Tx,
    id: i64,
    version: i64,
    fields: &LeadFields<'_>,
    owner_user_id: Option<i64>,
    now_us: i64,
) -> Result<()> {
    const SQL: &str = "UPDATE leads SET name = $3, company = $4, email = $5, phone = $6, email_key = $7, \
         phone_key = $8, name_key = $9, name_block = $10, campaign = $11, notes = $12, owner_user_id = $13, \
         version = version + 1, updated_at_us = $14 \
         WHERE id = $1 AND version = $2 AND state = 'open'";
    let done = on_tx!(tx, c => sqlx::query(SQL)
        .bind(id)
        .bind(version)
        .bind(fields.name)
        .bind(fields.company)
        .bind(fields.email)
        .bind(fields.phone)
        .bind(fields.email_key)
        .bind(fields.phone_key)
        .bind(fields.name_key)
        .bind(fields.name_block)
        .bind(fields.campaign)
        .bind(fields.notes)
        .bind(owner_user_id)
        .bind(now_us)
        .execute(c)
        .await?
        .rows_affected());
    if done == 0 {
        return Err(StoreError::Stale);
    }
    Ok(())
}

/// Closes an open lead: `qualified` with its party, `disqualified`, or
/// `merged` into another lead.
pub async fn close_lead(
    tx: &mut Tx,
    id: i64,
    state: &str,
    party_id: Option<i64>,
    merged_into_id: Option<i64>,
    now_us: i64,
) -> Result<()> {
    const SQL: &str = "UPDATE leads SET state = $2, party_id = $3, merged_into_id = $4, \
         version = version + 1, updated_at_us = $5 WHERE id = $1 AND state = 'open'";
    let done = on_tx!(tx, c => sqlx::query(SQL)
        .bind(id)
        .bind(state)
        .bind(party_id)
        .bind(merged_into_id)
        .bind(now_us)
        .execute(c)
        .await?
        .rows_affected());
    if done == 0 {
        return Err(StoreError::Stale);
    }
    Ok(())
}

/// One lead inside a write transaction, locked on PostgreSQL until commit.
pub async fn lead_in_tx(tx: &mut Tx, id: i64) -> Result<LeadRow> {
    crate::locked_row(tx, LEAD_SELECT, "l", id).await
}

/// One lead, or `None`.
pub async fn lead(db: &Db, id: i64) -> Result<Option<LeadRow>> {
    let sql = sqlx::AssertSqlSafe(format!("{LEAD_SELECT} WHERE l.id = $1"));
    Ok(on_read!(db, p => sqlx::query_as::<_, LeadRow>(sql)
        .bind(id)
        .fetch_optional(p)
        .await?))
}

/// Leads newest first, up to `limit` with an id below `before`; `state`
/// narrows, and `text` finds a name, company or e-mail containing it.
pub async fn list_leads(
    db: &Db,
    state: Option<&str>,
    text: &str,
    before: Option<i64>,
    limit: i64,
) -> Result<Vec<LeadRow>> {
    let pattern = format!("%{}%", text.trim().to_lowercase());
    let sql = sqlx::AssertSqlSafe(format!(
        "{LEAD_SELECT} WHERE l.id < $1 AND ($3 = '' OR l.state = $3) \
         AND ($4 = '%%' OR LOWER(l.name) LIKE $4 OR LOWER(l.company) LIKE $4 OR l.email_key LIKE $4) \
         ORDER BY l.id DESC LIMIT $2"
    ));
    Ok(on_read!(db, p => sqlx::query_as::<_, LeadRow>(sql)
        .bind(before.unwrap_or(i64::MAX))
        .bind(limit)
        .bind(state.unwrap_or(""))
        .bind(&pattern)
        .fetch_all(p)
        .await?))
}

/// Leads that are not merged away and share an e-mail key, a phone key or
/// a name block with the given ones; the caller judges them with the
/// domain's rule. At most `limit`, never `except`.
pub async fn lead_candidates(
    tx: &mut Tx,
    email_key: Option<&str>,
    phone_key: Option<&str>,
    name_block: &str,
    except: i64,
    limit: i64,
) -> Result<Vec<LeadRow>> {
    let sql = sqlx::AssertSqlSafe(format!(
        "{LEAD_SELECT} WHERE l.state <> 'merged' AND l.id <> $4 \
         AND (l.email_key = $1 OR l.phone_key = $2 OR l.name_block = $3) \
         ORDER BY l.id LIMIT $5"
    ));
    Ok(on_tx!(tx, c => sqlx::query_as::<_, LeadRow>(sql)
        .bind(email_key)
        .bind(phone_key)
        .bind(name_block)
        .bind(except)
        .bind(limit)
        .fetch_all(c)
        .await?))
}

/// How many leads the web form took from this address since `since_us`.
pub async fn form_leads_since(tx: &mut Tx, ip_hash: &str, since_us: i64) -> Result<i64> {
    const SQL: &str = "SELECT COUNT(*) FROM leads WHERE form_ip_hash = $1 AND created_at_us >= $2";
    Ok(on_tx!(tx, c => sqlx::query_scalar::<_, i64>(SQL)
        .bind(ip_hash)
        .bind(since_us)
        .fetch_one(c)
        .await?))
}

/// Moves one lead's activities and opportunities to another (a merge keeps
/// every linked record). Returns how many rows moved.
pub async fn relink_lead(tx: &mut Tx, from: i64, to: i64) -> Result<u64> {
    let mut moved = 0;
    for sql in [
        "UPDATE crm_activities SET lead_id = $2 WHERE lead_id = $1",
        "UPDATE opportunities SET lead_id = $2 WHERE lead_id = $1",
    ] {
        moved += on_tx!(tx, c => sqlx::query(sql)
            .bind(from)
            .bind(to)
            .execute(c)
            .await?
            .rows_affected());
    }
    Ok(moved)
}

/// An opportunity as stored, with its party's and owner's names.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct OpportunityRow {
    pub id: i64,
    pub party_id: i64,
    pub party_name: String,
    pub lead_id: Option<i64>,
    pub title: String,
    pub stage: String,
    pub amount_minor: i64,
    pub currency: String,
    pub expected_close: String,
    pub owner_user_id: i64,
    pub owner_name: String,
    pub owner_username: String,
    pub lost_reason: String,
    pub quote_id: Option<i64>,
    pub closed_at_us: Option<i64>,
    pub version: i64,
    pub created_by: String,
    pub created_at_us: i64,
    pub updated_at_us: i64,
}

const OPPORTUNITY_SELECT: &str = "SELECT o.id, o.party_id, p.name AS party_name, o.lead_id, o.title, \
     o.stage, o.amount_minor, o.currency, o.expected_close, o.owner_user_id, \
     u.display_name AS owner_name, u.username AS owner_username, o.lost_reason, o.quote_id, \
     o.closed_at_us, o.version, o.created_by, o.created_at_us, o.updated_at_us \
     FROM opportunities o JOIN parties p ON p.id = o.party_id JOIN users u ON u.id = o.owner_user_id";

/// What writing an opportunity needs.
#[derive(Debug, Clone)]
pub struct OpportunityFields<'a> {
    pub party_id: i64,
    pub title: &'a str,
    pub amount_minor: i64,
    pub currency: &'a str,
    pub expected_close: &'a str,
    pub owner_user_id: i64,
}

/// Adds an opportunity in `stage`. Returns its id.
pub async fn insert_opportunity(
    tx: &mut Tx,
    fields: &OpportunityFields<'_>,
    lead_id: Option<i64>,
    stage: &str,
    created_by: &str,
    now_us: i64,
) -> Result<i64> {
    const SQL: &str = "INSERT INTO opportunities (party_id, lead_id, title, stage, amount_minor, currency, \
         expected_close, owner_user_id, lost_reason, version, created_by, created_at_us, updated_at_us) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, '', 1, $9, $10, $10) RETURNING id";
    Ok(on_tx!(tx, c => sqlx::query_scalar::<_, i64>(SQL)
        .bind(fields.party_id)
        .bind(lead_id)
        .bind(fields.title)
        .bind(stage)
        .bind(fields.amount_minor)
        .bind(fields.currency)
        .bind(fields.expected_close)
        .bind(fields.owner_user_id)
        .bind(created_by)
        .bind(now_us)
        .fetch_one(c)
        .await?))
}

/// Rewrites an open opportunity's fields if it still has `version`.
pub async fn update_opportunity(
    tx: &mut Tx,
    id: i64,
    version: i64,
    fields: &OpportunityFields<'_>,
    now_us: i64,
) -> Result<()> {
    const SQL: &str = "UPDATE opportunities SET party_id = $3, title = $4, amount_minor = $5, currency = $6, \
         expected_close = $7, owner_user_id = $8, version = version + 1, updated_at_us = $9 \
         WHERE id = $1 AND version = $2 AND stage NOT IN ('won', 'lost')";
    let done = on_tx!(tx, c => sqlx::query(SQL)
        .bind(id)
        .bind(version)
        .bind(fields.party_id)
        .bind(fields.title)
        .bind(fields.amount_minor)
        .bind(fields.currency)
        .bind(fields.expected_close)
        .bind(fields.owner_user_id)
        .bind(now_us)
        .execute(c)
        .await?
        .rows_affected());
    if done == 0 {
        return Err(StoreError::Stale);
    }
    Ok(())
}

/// Moves an open opportunity to `stage`; a closing stage also stamps
/// `closed_at_us` and keeps the lost reason and the quote.
pub async fn set_stage(
    tx: &mut Tx,
    id: i64,
    stage: &str,
    lost_reason: &str,
    quote_id: Option<i64>,
    now_us: i64,
) -> Result<()> {
    const SQL: &str = "UPDATE opportunities SET stage = $2, lost_reason = $3, quote_id = $4, \
         closed_at_us = CASE WHEN $2 IN ('won', 'lost') THEN $5 ELSE NULL END, \
         version = version + 1, updated_at_us = $5 \
         WHERE id = $1 AND stage NOT IN ('won', 'lost')";
    let done = on_tx!(tx, c => sqlx::query(SQL)
        .bind(id)
        .bind(stage)
        .bind(lost_reason)
        .bind(quote_id)
        .bind(now_us)
        .execute(c)
        .await?
        .rows_affected());
    if done == 0 {
        return Err(StoreError::Stale);
    }
    Ok(())
}

/// One opportunity inside a write transaction, locked on PostgreSQL until commit.
pub async fn opportunity_in_tx(tx: &mut Tx, id: i64) -> Result<OpportunityRow> {
    crate::locked_row(tx, OPPORTUNITY_SELECT, "o", id).await
}

/// One opportunity, or `None`.
pub async fn opportunity(db: &Db, id: i64) -> Result<Option<OpportunityRow>> {
    let sql = sqlx::AssertSqlSafe(format!("{OPPORTUNITY_SELECT} WHERE o.id = $1"));
    Ok(on_read!(db, p => sqlx::query_as::<_, OpportunityRow>(sql)
        .bind(id)
        .fetch_optional(p)
        .await?))
}

/// Which opportunities a list shows; every field narrows.
#[derive(Debug, Clone, Copy, Default)]
pub struct OpportunityFilter<'a> {
    pub stage: Option<&'a str>,
    /// Only the open stages.
    pub open: bool,
    pub party_id: Option<i64>,
    pub owner_user_id: Option<i64>,
    /// Only those opened from this lead.
    pub lead_id: Option<i64>,
}

/// Opportunities newest first, up to `limit` with an id below `before`.
pub async fn list_opportunities(
    db: &Db,
    filter: OpportunityFilter<'_>,
    before: Option<i64>,
    limit: i64,
) -> Result<Vec<OpportunityRow>> {
    let sql = sqlx::AssertSqlSafe(format!(
        "{OPPORTUNITY_SELECT} WHERE o.id < $1 AND ($3 = '' OR o.stage = $3) \
         AND ($4 = FALSE OR o.stage NOT IN ('won', 'lost')) \
         AND ($5 = 0 OR o.party_id = $5) AND ($6 = 0 OR o.owner_user_id = $6) \
         AND ($7 = 0 OR o.lead_id = $7) \
         ORDER BY o.id DESC LIMIT $2"
    ));
    Ok(on_read!(db, p => sqlx::query_as::<_, OpportunityRow>(sql)
        .bind(before.unwrap_or(i64::MAX))
        .bind(limit)
        .bind(filter.stage.unwrap_or(""))
        .bind(filter.open)
        .bind(filter.party_id.unwrap_or(0))
        .bind(filter.owner_user_id.unwrap_or(0))
        .bind(filter.lead_id.unwrap_or(0))
        .fetch_all(p)
        .await?))
}

/// A product line of an opportunity, with the product's SKU and name.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct OpportunityLineRow {
    pub position: i64,
    pub product_id: i64,
    pub sku: String,
    pub product_name: String,
    pub qty: i64,
}

/// Replaces an opportunity's product lines.
pub async fn replace_lines(tx: &mut Tx, id: i64, lines: &[(i64, i64)]) -> Result<()> {
    on_tx!(tx, c => sqlx::query("DELETE FROM opportunity_lines WHERE opportunity_id = $1")
        .bind(id)
        .execute(c)
        .await?
        .rows_affected());
    for (position, (product_id, qty)) in (1_i64..).zip(lines) {
        const SQL: &str = "INSERT INTO opportunity_lines (opportunity_id, position, product_id, qty) \
             VALUES ($1, $2, $3, $4)";
        on_tx!(tx, c => sqlx::query(SQL)
            .bind(id)
            .bind(position)
            .bind(product_id)
            .bind(qty)
            .execute(c)
            .await?
            .rows_affected());
    }
    Ok(())
}

const LINES_SELECT: &str = "SELECT l.position, l.product_id, pr.sku, pr.name AS product_name, l.qty \
     FROM opportunity_lines l JOIN products pr ON pr.id = l.product_id \
     WHERE l.opportunity_id = $1 ORDER BY l.position";

/// An opportunity's product lines, in order.
pub async fn lines(db: &Db, id: i64) -> Result<Vec<OpportunityLineRow>> {
    Ok(
        on_read!(db, p => sqlx::query_as::<_, OpportunityLineRow>(LINES_SELECT)
        .bind(id)
        .fetch_all(p)
        .await?),
    )
}

/// An opportunity's product lines inside a write transaction.
pub async fn lines_in_tx(tx: &mut Tx, id: i64) -> Result<Vec<OpportunityLineRow>> {
    Ok(
        on_tx!(tx, c => sqlx::query_as::<_, OpportunityLineRow>(LINES_SELECT)
        .bind(id)
        .fetch_all(c)
        .await?),
    )
}

/// An activity as stored, with its owner's name.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct ActivityRow {
    pub id: i64,
    pub kind: String,
    pub subject: String,
    pub body: String,
    pub due_date: Option<String>,
    pub done_at_us: Option<i64>,
    pub reminded_at_us: Option<i64>,
    pub owner_user_id: i64,
    pub owner_name: String,
    pub lead_id: Option<i64>,
    pub opportunity_id: Option<i64>,
    pub party_id: Option<i64>,
    pub created_by: String,
    pub created_at_us: i64,
}

const ACTIVITY_SELECT: &str = "SELECT a.id, a.kind, a.subject, a.body, a.due_date, a.done_at_us, \
     a.reminded_at_us, a.owner_user_id, u.display_name AS owner_name, a.lead_id, a.opportunity_id, \
     a.party_id, a.created_by, a.created_at_us \
     FROM crm_activities a JOIN users u ON u.id = a.owner_user_id";

/// What writing an activity needs.
#[derive(Debug, Clone)]
pub struct NewActivity<'a> {
    pub kind: &'a str,
    pub subject: &'a str,
    pub body: &'a str,
    pub due_date: Option<&'a str>,
    pub owner_user_id: i64,
    pub lead_id: Option<i64>,
    pub opportunity_id: Option<i64>,
    pub party_id: Option<i64>,
    pub created_by: &'a str,
}

/// Adds an activity. Returns its id.
pub async fn insert_activity(tx: &mut Tx, a: &NewActivity<'_>, now_us: i64) -> Result<i64> {
    const SQL: &str = "INSERT INTO crm_activities (kind, subject, body, due_date, owner_user_id, lead_id, \
         opportunity_id, party_id, created_by, created_at_us) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id";
    Ok(on_tx!(tx, c => sqlx::query_scalar::<_, i64>(SQL)
        .bind(a.kind)
        .bind(a.subject)
        .bind(a.body)
        .bind(a.due_date)
        .bind(a.owner_user_id)
        .bind(a.lead_id)
        .bind(a.opportunity_id)
        .bind(a.party_id)
        .bind(a.created_by)
        .bind(now_us)
        .fetch_one(c)
        .await?))
}

/// One activity inside a write transaction, locked on PostgreSQL until commit.
pub async fn activity_in_tx(tx: &mut Tx, id: i64) -> Result<ActivityRow> {
    crate::locked_row(tx, ACTIVITY_SELECT, "a", id).await
}

/// Marks an open activity done.
pub async fn set_done(tx: &mut Tx, id: i64, now_us: i64) -> Result<()> {
    const SQL: &str =
        "UPDATE crm_activities SET done_at_us = $2 WHERE id = $1 AND done_at_us IS NULL";
    let done = on_tx!(tx, c => sqlx::query(SQL)
        .bind(id)
        .bind(now_us)
        .execute(c)
        .await?
        .rows_affected());
    if done == 0 {
        return Err(StoreError::Stale);
    }
    Ok(())
}

/// Marks an activity's reminder as sent; false when it already was or the
/// activity is done (a repeated reminder job sends nothing twice).
pub async fn mark_reminded(tx: &mut Tx, id: i64, now_us: i64) -> Result<bool> {
    const SQL: &str = "UPDATE crm_activities SET reminded_at_us = $2 \
         WHERE id = $1 AND reminded_at_us IS NULL AND done_at_us IS NULL";
    Ok(on_tx!(tx, c => sqlx::query(SQL)
        .bind(id)
        .bind(now_us)
        .execute(c)
        .await?
        .rows_affected())
        > 0)
}

/// Which activities a list shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ActivityFilter<'a> {
    /// About one lead, opportunity or party, all of them, newest first.
    Lead(i64),
    Opportunity(i64),
    Party(i64),
    /// Not done, owned by this user, due before this date (`YYYY-MM-DD`).
    OverdueFor(i64, &'a str),
    /// Not done, owned by this user, by due date.
    OpenFor(i64),
}

/// Activities as the filter says, at most `limit`.
pub async fn activities(
    db: &Db,
    filter: ActivityFilter<'_>,
    limit: i64,
) -> Result<Vec<ActivityRow>> {
    let (condition, order, id, date) = match filter {
        ActivityFilter::Lead(id) => ("a.lead_id = $1 AND $3 = $3", "a.id DESC", id, ""),
        ActivityFilter::Opportunity(id) => {
            ("a.opportunity_id = $1 AND $3 = $3", "a.id DESC", id, "")
        }
        ActivityFilter::Party(id) => ("a.party_id = $1 AND $3 = $3", "a.id DESC", id, ""),
        ActivityFilter::OverdueFor(user, today) => (
            "a.owner_user_id = $1 AND a.done_at_us IS NULL AND a.due_date < $3",
            "a.due_date, a.id",
            user,
            today,
        ),
        ActivityFilter::OpenFor(user) => (
            "a.owner_user_id = $1 AND a.done_at_us IS NULL AND $3 = $3",
            "a.due_date, a.id",
            user,
            "",
        ),
    };
    let sql = sqlx::AssertSqlSafe(format!(
        "{ACTIVITY_SELECT} WHERE {condition} ORDER BY {order} LIMIT $2"
    ));
    Ok(on_read!(db, p => sqlx::query_as::<_, ActivityRow>(sql)
        .bind(id)
        .bind(limit)
        .bind(date)
        .fetch_all(p)
        .await?))
}

/// The enabled staff users with these usernames, as (id, username).
pub async fn staff_by_username(tx: &mut Tx, usernames: &[String]) -> Result<Vec<(i64, String)>> {
    if usernames.is_empty() {
        return Ok(Vec::new());
    }
    let sql = sqlx::AssertSqlSafe(format!(
        "SELECT id, username FROM users WHERE kind = 'staff' AND disabled = FALSE \
         AND LOWER(username) IN ({}) ORDER BY id",
        crate::parties::placeholders(usernames.len())
    ));
    Ok(on_tx!(tx, c => {
        let mut q = sqlx::query_as::<_, (i64, String)>(sql);
        for u in usernames {
            q = q.bind(u);
        }
        q.fetch_all(c).await?
    }))
}
