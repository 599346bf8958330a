//! Marketing's tables: segments (a typed filter, evaluated here as static
//! SQL fragments with bound values), campaigns and their per-recipient
//! snapshot, the consent history and the suppression list; and the reads
//! attribution sums. Rules live in `seam_domain::marketing`.

use crate::{Db, Result, StoreError, Tx, on_read, on_tx};

/// A segment as stored; `definition` is the filter as JSON.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct SegmentRow {
    pub id: i64,
    pub name: String,
    pub definition: String,
    pub version: i64,
    pub created_by: String,
    pub created_at_us: i64,
    pub updated_at_us: i64,
}

const SEGMENT_SELECT: &str = "SELECT s.id, s.name, s.definition, s.version, s.created_by, \
     s.created_at_us, s.updated_at_us FROM segments s";

/// Adds a segment. Returns its id.
pub async fn insert_segment(
    tx: &mut Tx,
    name: &str,
    definition: &str,
    created_by: &str,
    now_us: i64,
) -> Result<i64> {
    const SQL: &str = "INSERT INTO segments (name, definition, version, created_by, created_at_us, \
         updated_at_us) VALUES ($1, $2, 1, $3, $4, $4) RETURNING id";
    Ok(on_tx!(tx, c => sqlx::query_scalar::<_, i64>(SQL)
        .bind(name)
        .bind(definition)
        .bind(created_by)
        .bind(now_us)
        .fetch_one(c)
        .await?))
}

/// Rewrites a segment if it still has `version`.
///
/// Errors: [`StoreError::Stale`] when it changed or does not exist.
pub async fn update_segment(
    tx: &mut Tx,
    id: i64,
    version: i64,
    name: &str,
    definition: &str,
    now_us: i64,
) -> Result<()> {
    const SQL: &str = "UPDATE segments SET name = $3, definition = $4, version = version + 1, \
         updated_at_us = $5 WHERE id = $1 AND version = $2";
    let done = on_tx!(tx, c => sqlx::query(SQL)
        .bind(id)
        .bind(version)
        .bind(name)
        .bind(definition)
        .bind(now_us)
        .execute(c)
        .await?
        .rows_affected());
    if done == 0 {
        return Err(StoreError::Stale);
    }
    Ok(())
}

/// One segment, or `None`.
pub async fn segment(db: &Db, id: i64) -> Result<Option<SegmentRow>> {
    let sql = sqlx::AssertSqlSafe(format!("{SEGMENT_SELECT} WHERE s.id = $1"));
    Ok(on_read!(db, p => sqlx::query_as::<_, SegmentRow>(sql)
        .bind(id)
        .fetch_optional(p)
        .await?))
}

/// One segment inside a write transaction, locked on PostgreSQL until commit.
pub async fn segment_in_tx(tx: &mut Tx, id: i64) -> Result<SegmentRow> {
    crate::locked_row(tx, SEGMENT_SELECT, "s", id).await
}

/// Segments by name, at most `limit`.
pub async fn list_segments(db: &Db, limit: i64) -> Result<Vec<SegmentRow>> {
    let sql = sqlx::AssertSqlSafe(format!("{SEGMENT_SELECT} ORDER BY s.name, s.id LIMIT $1"));
    Ok(on_read!(db, p => sqlx::query_as::<_, SegmentRow>(sql)
        .bind(limit)
        .fetch_all(p)
        .await?))
}

/// A segment's filter as the store evaluates it: every condition that is
/// set must hold. Dates are `YYYY-MM-DD`, computed by the caller.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SegmentQuery {
    pub kind: Option<String>,
    pub country: Option<String>,
    pub tag: Option<String>,
    /// A product's exact SKU and the first invoice date that counts.
    pub bought: Option<(String, String)>,
    /// `Some(true)`: only parties with an overdue invoice; `Some(false)`: only those without.
    pub overdue: Option<bool>,
    /// Today, for what is overdue.
    pub today: String,
    pub created_since_us: Option<i64>,
    pub consent: bool,
    /// Only parties with an e-mail address (the ones a campaign can write to).
    pub with_email: bool,
}

enum Bind {
    Text(String),
    Int(i64),
}

/// The `WHERE` clause of a segment over `parties p` and its bound values,
/// numbered from `$1`. Only static fragments go into the text.
fn segment_where(q: &SegmentQuery) -> (String, Vec<Bind>) {
    let mut sql = String::from("p.archived = FALSE");
    let mut binds: Vec<Bind> = Vec::new();
    let next = |binds: &mut Vec<Bind>, value: Bind| {
        binds.push(value);
        format!("${}", binds.len())
    };
    if let Some(kind) = &q.kind {
        let n = next(&mut binds, Bind::Text(kind.clone()));
        sql.push_str(&format!(" AND p.kind = {n}"));
    }
    if let Some(country) = &q.country {
        let n = next(&mut binds, Bind::Text(country.clone()));
        sql.push_str(&format!(" AND UPPER(COALESCE(p.country, '')) = {n}"));
    }
    if let Some(tag) = &q.tag {
        // Tags are stored joined by commas; the domain refuses commas and
        // LIKE's wildcards in a tag, so the pattern matches one whole tag.
        let n = next(&mut binds, Bind::Text(format!("%,{tag},%")));
        sql.push_str(&format!(" AND (',' || LOWER(p.tags) || ',') LIKE {n}"));
    }
    if let Some((sku, since)) = &q.bought {
        let a = next(&mut binds, Bind::Text(sku.clone()));
        let b = next(&mut binds, Bind::Text(since.clone()));
        sql.push_str(&format!(
            " AND EXISTS (SELECT 1 FROM invoices i JOIN invoice_lines il ON il.invoice_id = i.id \
             JOIN products pr ON pr.id = il.product_id WHERE i.party_id = p.id AND i.kind = 'invoice' \
             AND i.state IN ('posted', 'paid') AND pr.sku = {a} AND i.issue_date >= {b})"
        ));
    }
    if let Some(only) = q.overdue {
        let n = next(&mut binds, Bind::Text(q.today.clone()));
        let not = if only { "" } else { "NOT " };
        sql.push_str(&format!(
            " AND {not}EXISTS (SELECT 1 FROM invoices i WHERE i.party_id = p.id AND i.kind = 'invoice' \
             AND i.state = 'posted' AND i.due_date < {n} AND i.settled_minor < i.total_minor)"
        ));
    }
    if let Some(since) = q.created_since_us {
        let n = next(&mut binds, Bind::Int(since));
        sql.push_str(&format!(" AND p.created_at_us >= {n}"));
    }
    if q.consent {
        sql.push_str(
            " AND (SELECT c.state FROM marketing_consents c WHERE c.email_key = LOWER(TRIM(p.email)) \
             ORDER BY c.id DESC LIMIT 1) = 'granted'",
        );
    }
    if q.with_email {
        sql.push_str(" AND p.email IS NOT NULL AND TRIM(p.email) <> ''");
    }
    (sql, binds)
}

/// A party in a segment, with what a campaign's merge fields need.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct MemberRow {
    pub id: i64,
    pub kind: String,
    pub name: String,
    pub email: Option<String>,
    pub country: Option<String>,
    /// A person's company, or a company's own name.
    pub company: String,
    pub created_at_us: i64,
}

const MEMBER_SELECT: &str = "SELECT p.id, p.kind, p.name, p.email, p.country, \
     COALESCE(co.name, CASE WHEN p.kind = 'company' THEN p.name ELSE '' END) AS company, \
     p.created_at_us FROM parties p LEFT JOIN parties co ON co.id = p.company_id";

/// How many parties the segment holds.
pub async fn count_members(db: &Db, q: &SegmentQuery) -> Result<i64> {
    let (clause, binds) = segment_where(q);
    let sql = sqlx::AssertSqlSafe(format!("SELECT COUNT(*) FROM parties p WHERE {clause}"));
    Ok(on_read!(db, p => {
        let mut query = sqlx::query_scalar::<_, i64>(sql);
        for b in &binds {
            query = match b {
                Bind::Text(t) => query.bind(t.clone()),
                Bind::Int(i) => query.bind(*i),
            };
        }
        query.fetch_one(p).await?
    }))
}

fn members_sql(q: &SegmentQuery) -> (sqlx::AssertSqlSafe<String>, Vec<Bind>) {
    let (clause, mut binds) = segment_where(q);
    binds.push(Bind::Int(0));
    let after = binds.len();
    binds.push(Bind::Int(0));
    let limit = binds.len();
    (
        sqlx::AssertSqlSafe(format!(
            "{MEMBER_SELECT} WHERE {clause} AND p.id > ${after} ORDER BY p.id LIMIT ${limit}"
        )),
        binds,
    )
}

fn set_page(binds: &mut [Bind], after: i64, limit: i64) {
    let n = binds.len();
    if let Some(Bind::Int(a)) = n.checked_sub(2).and_then(|i| binds.get_mut(i)) {
        *a = after;
    }
    if let Some(Bind::Int(l)) = n.checked_sub(1).and_then(|i| binds.get_mut(i)) {
        *l = limit;
    }
}

/// The segment's parties by id, after `after`, at most `limit`.
pub async fn members(db: &Db, q: &SegmentQuery, after: i64, limit: i64) -> Result<Vec<MemberRow>> {
    let (sql, mut binds) = members_sql(q);
    set_page(&mut binds, after, limit);
    Ok(on_read!(db, p => {
        let mut query = sqlx::query_as::<_, MemberRow>(sql);
        for b in &binds {
            query = match b {
                Bind::Text(t) => query.bind(t.clone()),
                Bind::Int(i) => query.bind(*i),
            };
        }
        query.fetch_all(p).await?
    }))
}

/// [`members`] inside a write transaction, for the snapshot a send takes.
pub async fn members_in_tx(
    tx: &mut Tx,
    q: &SegmentQuery,
    after: i64,
    limit: i64,
) -> Result<Vec<MemberRow>> {
    let (sql, mut binds) = members_sql(q);
    set_page(&mut binds, after, limit);
    Ok(on_tx!(tx, c => {
        let mut query = sqlx::query_as::<_, MemberRow>(sql);
        for b in &binds {
            query = match b {
                Bind::Text(t) => query.bind(t.clone()),
                Bind::Int(i) => query.bind(*i),
            };
        }
        query.fetch_all(c).await?
    }))
}

/// A campaign as stored, with its segment's name and its recipients counted.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct CampaignRow {
    pub id: i64,
    pub code: String,
    pub name: String,
    pub subject: String,
    pub body: String,
    pub from_address: String,
    pub segment_id: i64,
    pub segment_name: String,
    pub state: String,
    pub scheduled_at_us: Option<i64>,
    pub started_at_us: Option<i64>,
    pub finished_at_us: Option<i64>,
    pub version: i64,
    pub created_by: String,
    pub created_at_us: i64,
    pub updated_at_us: i64,
}

const CAMPAIGN_SELECT: &str = "SELECT c.id, c.code, c.name, c.subject, c.body, c.from_address, \
     c.segment_id, s.name AS segment_name, c.state, c.scheduled_at_us, c.started_at_us, \
     c.finished_at_us, c.version, c.created_by, c.created_at_us, c.updated_at_us \
     FROM campaigns c JOIN segments s ON s.id = c.segment_id";

/// A campaign's fields.
#[derive(Debug, Clone)]
pub struct CampaignFields<'a> {
    pub code: &'a str,
    pub name: &'a str,
    pub subject: &'a str,
    pub body: &'a str,
    pub from_address: &'a str,
    pub segment_id: i64,
}

/// Adds a draft campaign. Returns its id.
///
/// Errors: [`StoreError::Duplicate`] when the code is taken (`uq_campaigns_code`).
pub async fn insert_campaign(
    tx: &mut Tx,
    f: &CampaignFields<'_>,
    created_by: &str,
    now_us: i64,
) -> Result<i64> {
    const SQL: &str = "INSERT INTO campaigns (code, name, subject, body, from_address, segment_id, \
         state, version, created_by, created_at_us, updated_at_us) \
         VALUES ($1, $2, $3, $4, $5, $6, 'draft', 1, $7, $8, $8) RETURNING id";
    on_tx!(tx, c => sqlx::query_scalar::<_, i64>(SQL)
        .bind(f.code)
        .bind(f.name)
        .bind(f.subject)
        .bind(f.body)
        .bind(f.from_address)
        .bind(f.segment_id)
        .bind(created_by)
        .bind(now_us)
        .fetch_one(c)
        .await
        .map_err(StoreError::from_insert))
}

/// Rewrites a draft campaign if it still has `version`.
///
/// Errors: [`StoreError::Stale`] when it changed or is no longer a draft;
/// [`StoreError::Duplicate`] when the new code is taken.
pub async fn update_campaign(
    tx: &mut Tx,
    id: i64,
    version: i64,
    f: &CampaignFields<'_>,
    now_us: i64,
) -> Result<()> {
    const SQL: &str = "UPDATE campaigns SET code = $3, name = $4, subject = $5, body = $6, \
         from_address = $7, segment_id = $8, version = version + 1, updated_at_us = $9 \
         WHERE id = $1 AND version = $2 AND state = 'draft'";
    let done = on_tx!(tx, c => sqlx::query(SQL)
        .bind(id)
        .bind(version)
        .bind(f.code)
        .bind(f.name)
        .bind(f.subject)
        .bind(f.body)
        .bind(f.from_address)
        .bind(f.segment_id)
        .bind(now_us)
        .execute(c)
        .await
        .map_err(StoreError::from_insert)?
        .rows_affected());
    if done == 0 {
        return Err(StoreError::Stale);
    }
    Ok(())
}

/// Moves a campaign from state `from` to `to`, setting the times given.
///
/// Errors: [`StoreError::Stale`] when it is not in `from`.
pub async fn move_campaign(
    tx: &mut Tx,
    id: i64,
    from: &str,
    to: &str,
    scheduled_at_us: Option<i64>,
    now_us: i64,
) -> Result<()> {
    const SQL: &str = "UPDATE campaigns SET state = $3, \
         scheduled_at_us = CASE WHEN $3 = 'scheduled' THEN $4 ELSE scheduled_at_us END, \
         started_at_us = CASE WHEN $3 = 'sending' THEN $5 ELSE started_at_us END, \
         finished_at_us = CASE WHEN $3 = 'sent' THEN $5 ELSE finished_at_us END, \
         version = version + 1, updated_at_us = $5 WHERE id = $1 AND state = $2";
    let done = on_tx!(tx, c => sqlx::query(SQL)
        .bind(id)
        .bind(from)
        .bind(to)
        .bind(scheduled_at_us)
        .bind(now_us)
        .execute(c)
        .await?
        .rows_affected());
    if done == 0 {
        return Err(StoreError::Stale);
    }
    Ok(())
}

/// One campaign, or `None`.
pub async fn campaign(db: &Db, id: i64) -> Result<Option<CampaignRow>> {
    let sql = sqlx::AssertSqlSafe(format!("{CAMPAIGN_SELECT} WHERE c.id = $1"));
    Ok(on_read!(db, p => sqlx::query_as::<_, CampaignRow>(sql)
        .bind(id)
        .fetch_optional(p)
        .await?))
}

/// One campaign inside a write transaction, locked on PostgreSQL until commit.
pub async fn campaign_in_tx(tx: &mut Tx, id: i64) -> Result<CampaignRow> {
    crate::locked_row(tx, CAMPAIGN_SELECT, "c", id).await
}

/// Campaigns newest first, with an id below `before`, at most `limit`.
pub async fn list_campaigns(db: &Db, before: Option<i64>, limit: i64) -> Result<Vec<CampaignRow>> {
    let sql = sqlx::AssertSqlSafe(format!(
        "{CAMPAIGN_SELECT} WHERE c.id < $1 ORDER BY c.id DESC LIMIT $2"
    ));
    Ok(on_read!(db, p => sqlx::query_as::<_, CampaignRow>(sql)
        .bind(before.unwrap_or(i64::MAX))
        .bind(limit)
        .fetch_all(p)
        .await?))
}

/// One address of a campaign's snapshot.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct RecipientRow {
    pub id: i64,
    pub campaign_id: i64,
    pub party_id: Option<i64>,
    pub email: String,
    pub email_key: String,
    pub name: String,
    pub first_name: String,
    pub company: String,
    pub token: String,
    pub status: String,
    pub error: String,
    pub sent_at_us: Option<i64>,
    pub updated_at_us: i64,
}

const RECIPIENT_SELECT: &str = "SELECT r.id, r.campaign_id, r.party_id, r.email, r.email_key, \
     r.name, r.first_name, r.company, r.token, r.status, r.error, r.sent_at_us, r.updated_at_us \
     FROM campaign_recipients r";

/// A recipient about to be written.
#[derive(Debug, Clone)]
pub struct NewRecipient {
    pub party_id: Option<i64>,
    pub email: String,
    pub email_key: String,
    pub name: String,
    pub first_name: String,
    pub company: String,
    pub token: String,
    pub status: &'static str,
}

/// Writes recipients in one multi-row statement per call (the caller
/// passes at most a few hundred).
pub async fn insert_recipients(
    tx: &mut Tx,
    campaign_id: i64,
    rows: &[NewRecipient],
    now_us: i64,
) -> Result<()> {
    if rows.is_empty() {
        return Ok(());
    }
    const COLUMNS: usize = 10;
    let values: Vec<String> = (0..rows.len())
        .map(|i| {
            let b = i * COLUMNS;
            format!(
                "(${}, ${}, ${}, ${}, ${}, ${}, ${}, ${}, ${}, '', ${})",
                b + 1,
                b + 2,
                b + 3,
                b + 4,
                b + 5,
                b + 6,
                b + 7,
                b + 8,
                b + 9,
                b + 10
            )
        })
        .collect();
    let sql = sqlx::AssertSqlSafe(format!(
        "INSERT INTO campaign_recipients (campaign_id, party_id, email, email_key, name, first_name, \
         company, token, status, error, updated_at_us) VALUES {}",
        values.join(", ")
    ));
    on_tx!(tx, c => {
        let mut query = sqlx::query(sql);
        for r in rows {
            query = query
                .bind(campaign_id)
                .bind(r.party_id)
                .bind(r.email.clone())
                .bind(r.email_key.clone())
                .bind(r.name.clone())
                .bind(r.first_name.clone())
                .bind(r.company.clone())
                .bind(r.token.clone())
                .bind(r.status)
                .bind(now_us);
        }
        query.execute(c).await?;
    });
    Ok(())
}

/// A campaign's recipients by id, after `after`, in one status if given, at most `limit`.
pub async fn recipients(
    db: &Db,
    campaign_id: i64,
    status: Option<&str>,
    after: i64,
    limit: i64,
) -> Result<Vec<RecipientRow>> {
    let sql = sqlx::AssertSqlSafe(format!(
        "{RECIPIENT_SELECT} WHERE r.campaign_id = $1 AND ($2 = '' OR r.status = $2) AND r.id > $3 \
         ORDER BY r.id LIMIT $4"
    ));
    Ok(on_read!(db, p => sqlx::query_as::<_, RecipientRow>(sql)
        .bind(campaign_id)
        .bind(status.unwrap_or(""))
        .bind(after)
        .bind(limit)
        .fetch_all(p)
        .await?))
}

/// The next queued recipients of a campaign, inside a write transaction.
pub async fn queued_in_tx(tx: &mut Tx, campaign_id: i64, limit: i64) -> Result<Vec<RecipientRow>> {
    let sql = sqlx::AssertSqlSafe(format!(
        "{RECIPIENT_SELECT} WHERE r.campaign_id = $1 AND r.status = 'queued' ORDER BY r.id LIMIT $2"
    ));
    Ok(on_tx!(tx, c => sqlx::query_as::<_, RecipientRow>(sql)
        .bind(campaign_id)
        .bind(limit)
        .fetch_all(c)
        .await?))
}

/// How many of a campaign's recipients are in each status.
pub async fn recipient_counts(db: &Db, campaign_id: i64) -> Result<Vec<(String, i64)>> {
    const SQL: &str = "SELECT status, COUNT(*) FROM campaign_recipients WHERE campaign_id = $1 \
         GROUP BY status ORDER BY status";
    Ok(on_read!(db, p => sqlx::query_as::<_, (String, i64)>(SQL)
        .bind(campaign_id)
        .fetch_all(p)
        .await?))
}

/// How many of a campaign's recipients are still queued, inside a write transaction.
pub async fn queued_count(tx: &mut Tx, campaign_id: i64) -> Result<i64> {
    const SQL: &str =
        "SELECT COUNT(*) FROM campaign_recipients WHERE campaign_id = $1 AND status = 'queued'";
    Ok(on_tx!(tx, c => sqlx::query_scalar::<_, i64>(SQL)
        .bind(campaign_id)
        .fetch_one(c)
        .await?))
}

/// One recipient, or `None`.
pub async fn recipient(db: &Db, id: i64) -> Result<Option<RecipientRow>> {
    let sql = sqlx::AssertSqlSafe(format!("{RECIPIENT_SELECT} WHERE r.id = $1"));
    Ok(on_read!(db, p => sqlx::query_as::<_, RecipientRow>(sql)
        .bind(id)
        .fetch_optional(p)
        .await?))
}

/// The recipient an unsubscribe token belongs to, or `None`.
pub async fn recipient_by_token(db: &Db, token: &str) -> Result<Option<RecipientRow>> {
    let sql = sqlx::AssertSqlSafe(format!("{RECIPIENT_SELECT} WHERE r.token = $1"));
    Ok(on_read!(db, p => sqlx::query_as::<_, RecipientRow>(sql)
        .bind(token)
        .fetch_optional(p)
        .await?))
}

/// Sets a recipient's status if it is still `from`. True when it changed.
pub async fn set_recipient_status(
    tx: &mut Tx,
    id: i64,
    from: &str,
    to: &str,
    error: &str,
    now_us: i64,
) -> Result<bool> {
    const SQL: &str = "UPDATE campaign_recipients SET status = $3, error = $4, \
         sent_at_us = CASE WHEN $3 = 'sent' THEN $5 ELSE sent_at_us END, updated_at_us = $5 \
         WHERE id = $1 AND status = $2";
    Ok(on_tx!(tx, c => sqlx::query(SQL)
        .bind(id)
        .bind(from)
        .bind(to)
        .bind(error)
        .bind(now_us)
        .execute(c)
        .await?
        .rows_affected())
        > 0)
}

/// Marks every message sent to an address as bounced; returns how many.
pub async fn bounce_address(tx: &mut Tx, email_key: &str, note: &str, now_us: i64) -> Result<u64> {
    const SQL: &str = "UPDATE campaign_recipients SET status = 'bounced', error = $2, updated_at_us = $3 \
         WHERE email_key = $1 AND status = 'sent'";
    Ok(on_tx!(tx, c => sqlx::query(SQL)
        .bind(email_key)
        .bind(note)
        .bind(now_us)
        .execute(c)
        .await?
        .rows_affected()))
}

/// One record of an address's consent history.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct ConsentRow {
    pub id: i64,
    pub email_key: String,
    pub email: String,
    pub party_id: Option<i64>,
    pub state: String,
    pub source: String,
    pub recorded_by: String,
    pub at_us: i64,
}

const CONSENT_SELECT: &str = "SELECT id, email_key, email, party_id, state, source, recorded_by, \
     at_us FROM marketing_consents";

/// Appends a consent record (the history is never rewritten). Returns its id.
#[allow(clippy::too_many_arguments)]
pub async fn insert_consent(
    tx: &mut Tx,
    email_key: &str,
    email: &str,
    party_id: Option<i64>,
    state: &str,
    source: &str,
    recorded_by: &str,
    now_us: i64,
) -> Result<i64> {
    const SQL: &str = "INSERT INTO marketing_consents (email_key, email, party_id, state, source, \
         recorded_by, at_us) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id";
    Ok(on_tx!(tx, c => sqlx::query_scalar::<_, i64>(SQL)
        .bind(email_key)
        .bind(email)
        .bind(party_id)
        .bind(state)
        .bind(source)
        .bind(recorded_by)
        .bind(now_us)
        .fetch_one(c)
        .await?))
}

/// The state of an address's newest consent record, inside a write transaction.
pub async fn consent_in_tx(tx: &mut Tx, email_key: &str) -> Result<Option<String>> {
    const SQL: &str =
        "SELECT state FROM marketing_consents WHERE email_key = $1 ORDER BY id DESC LIMIT 1";
    Ok(on_tx!(tx, c => sqlx::query_scalar::<_, String>(SQL)
        .bind(email_key)
        .fetch_optional(c)
        .await?))
}

/// Consent records newest first: of one address when `email_key` is not
/// empty, else of all; with an id below `before`, at most `limit`.
pub async fn consents(
    db: &Db,
    email_key: &str,
    before: Option<i64>,
    limit: i64,
) -> Result<Vec<ConsentRow>> {
    let sql = sqlx::AssertSqlSafe(format!(
        "{CONSENT_SELECT} WHERE ($1 = '' OR email_key = $1) AND id < $2 ORDER BY id DESC LIMIT $3"
    ));
    Ok(on_read!(db, p => sqlx::query_as::<_, ConsentRow>(sql)
        .bind(email_key)
        .bind(before.unwrap_or(i64::MAX))
        .bind(limit)
        .fetch_all(p)
        .await?))
}

/// An address on the suppression list.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct SuppressionRow {
    pub email_key: String,
    pub email: String,
    pub reason: String,
    pub note: String,
    pub created_by: String,
    pub created_at_us: i64,
}

const SUPPRESSION_SELECT: &str =
    "SELECT email_key, email, reason, note, created_by, created_at_us FROM suppressions";

/// Puts an address on the suppression list. False when it already was
/// (the first reason is kept).
pub async fn suppress(
    tx: &mut Tx,
    email_key: &str,
    email: &str,
    reason: &str,
    note: &str,
    created_by: &str,
    now_us: i64,
) -> Result<bool> {
    const SQL: &str = "INSERT INTO suppressions (email_key, email, reason, note, created_by, \
         created_at_us) VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (email_key) DO NOTHING";
    Ok(on_tx!(tx, c => sqlx::query(SQL)
        .bind(email_key)
        .bind(email)
        .bind(reason)
        .bind(note)
        .bind(created_by)
        .bind(now_us)
        .execute(c)
        .await?
        .rows_affected())
        > 0)
}

/// Takes an address off the suppression list; returns what was there.
pub async fn unsuppress(tx: &mut Tx, email_key: &str) -> Result<Option<SuppressionRow>> {
    let sql = sqlx::AssertSqlSafe(format!("{SUPPRESSION_SELECT} WHERE email_key = $1"));
    let row = on_tx!(tx, c => sqlx::query_as::<_, SuppressionRow>(sql)
        .bind(email_key)
        .fetch_optional(&mut *c)
        .await?);
    if row.is_some() {
        on_tx!(tx, c => sqlx::query("DELETE FROM suppressions WHERE email_key = $1")
            .bind(email_key)
            .execute(c)
            .await?
            .rows_affected());
    }
    Ok(row)
}

/// One address's suppression, or `None`.
pub async fn suppression(db: &Db, email_key: &str) -> Result<Option<SuppressionRow>> {
    let sql = sqlx::AssertSqlSafe(format!("{SUPPRESSION_SELECT} WHERE email_key = $1"));
    Ok(on_read!(db, p => sqlx::query_as::<_, SuppressionRow>(sql)
        .bind(email_key)
        .fetch_optional(p)
        .await?))
}

/// The parties (at most two, enough to tell one from many) whose e-mail has this key.
pub async fn party_ids_by_email_key(tx: &mut Tx, email_key: &str) -> Result<Vec<i64>> {
    const SQL: &str = "SELECT id FROM parties WHERE LOWER(TRIM(email)) = $1 AND archived = FALSE \
         ORDER BY id LIMIT 2";
    Ok(on_tx!(tx, c => sqlx::query_scalar::<_, i64>(SQL)
        .bind(email_key)
        .fetch_all(c)
        .await?))
}

/// Whether an address is suppressed, inside a write transaction.
pub async fn is_suppressed(tx: &mut Tx, email_key: &str) -> Result<bool> {
    const SQL: &str = "SELECT COUNT(*) FROM suppressions WHERE email_key = $1";
    Ok(on_tx!(tx, c => sqlx::query_scalar::<_, i64>(SQL)
        .bind(email_key)
        .fetch_one(c)
        .await?)
        > 0)
}

/// Which of these addresses are suppressed, inside a write transaction.
pub async fn suppressed_among(tx: &mut Tx, keys: &[String]) -> Result<Vec<String>> {
    if keys.is_empty() {
        return Ok(Vec::new());
    }
    let marks: Vec<String> = (1..=keys.len()).map(|i| format!("${i}")).collect();
    let sql = sqlx::AssertSqlSafe(format!(
        "SELECT email_key FROM suppressions WHERE email_key IN ({})",
        marks.join(", ")
    ));
    Ok(on_tx!(tx, c => {
        let mut query = sqlx::query_scalar::<_, String>(sql);
        for k in keys {
            query = query.bind(k.clone());
        }
        query.fetch_all(c).await?
    }))
}

/// The suppression list by address, after `after`, at most `limit`;
/// `text` narrows to addresses containing it.
pub async fn suppressions(
    db: &Db,
    text: &str,
    after: &str,
    limit: i64,
) -> Result<Vec<SuppressionRow>> {
    let pattern = format!("%{}%", text.trim().to_lowercase());
    let sql = sqlx::AssertSqlSafe(format!(
        "{SUPPRESSION_SELECT} WHERE email_key > $1 AND email_key LIKE $2 ORDER BY email_key LIMIT $3"
    ));
    Ok(on_read!(db, p => sqlx::query_as::<_, SuppressionRow>(sql)
        .bind(after)
        .bind(&pattern)
        .bind(limit)
        .fetch_all(p)
        .await?))
}

/// A lead carrying a campaign's code.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct CampaignLeadRow {
    pub id: i64,
    pub name: String,
    pub company: String,
    pub state: String,
    pub party_id: Option<i64>,
    pub party_name: Option<String>,
    pub created_at_us: i64,
}

/// The leads carrying `code` (merged ones are counted in the lead they
/// were merged into), oldest first, at most `limit`.
pub async fn campaign_leads(db: &Db, code: &str, limit: i64) -> Result<Vec<CampaignLeadRow>> {
    const SQL: &str = "SELECT l.id, l.name, l.company, l.state, l.party_id, p.name AS party_name, \
         l.created_at_us FROM leads l LEFT JOIN parties p ON p.id = l.party_id \
         WHERE l.campaign = $1 AND l.state <> 'merged' ORDER BY l.id LIMIT $2";
    Ok(on_read!(db, p => sqlx::query_as::<_, CampaignLeadRow>(SQL)
        .bind(code)
        .bind(limit)
        .fetch_all(p)
        .await?))
}

/// An opportunity made from a lead.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct LeadOpportunityRow {
    pub id: i64,
    pub lead_id: i64,
    pub title: String,
    pub stage: String,
    pub amount_minor: i64,
    pub currency: String,
}

/// A posted invoice or credit note of a party.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct PartyInvoiceRow {
    pub id: i64,
    pub party_id: i64,
    pub kind: String,
    pub number: Option<String>,
    pub issue_date: String,
    pub net_minor: i64,
    pub currency: String,
}

/// How many ids one `IN (…)` list takes.
const IN_LIST_MAX: usize = 500;

fn marks(n: usize) -> String {
    (1..=n)
        .map(|i| format!("${i}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The opportunities made from these leads, read in batches.
pub async fn lead_opportunities(db: &Db, lead_ids: &[i64]) -> Result<Vec<LeadOpportunityRow>> {
    let mut out = Vec::new();
    for chunk in lead_ids.chunks(IN_LIST_MAX) {
        let sql = sqlx::AssertSqlSafe(format!(
            "SELECT id, lead_id, title, stage, amount_minor, currency FROM opportunities \
             WHERE lead_id IN ({}) ORDER BY id",
            marks(chunk.len())
        ));
        let rows = on_read!(db, p => {
            let mut query = sqlx::query_as::<_, LeadOpportunityRow>(sql);
            for id in chunk {
                query = query.bind(*id);
            }
            query.fetch_all(p).await?
        });
        out.extend(rows);
    }
    Ok(out)
}

/// The posted (or paid) invoices and credit notes of these parties dated
/// on or after `since`, read in batches.
pub async fn party_invoices(
    db: &Db,
    party_ids: &[i64],
    since: &str,
) -> Result<Vec<PartyInvoiceRow>> {
    let mut out = Vec::new();
    for chunk in party_ids.chunks(IN_LIST_MAX) {
        let sql = sqlx::AssertSqlSafe(format!(
            "SELECT id, party_id, kind, number, issue_date, net_minor, currency FROM invoices \
             WHERE state IN ('posted', 'paid') AND issue_date >= $1 AND party_id IN ({}) ORDER BY id",
            (2..=chunk.len() + 1)
                .map(|i| format!("${i}"))
                .collect::<Vec<_>>()
                .join(", ")
        ));
        let rows = on_read!(db, p => {
            let mut query = sqlx::query_as::<_, PartyInvoiceRow>(sql).bind(since);
            for id in chunk {
                query = query.bind(*id);
            }
            query.fetch_all(p).await?
        });
        out.extend(rows);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_segment_binds_every_value_and_formats_none() {
        let q = SegmentQuery {
            kind: Some("company".into()),
            tag: Some("vip'--".into()),
            bought: Some(("FORK-1".into(), "2026-01-01".into())),
            overdue: Some(false),
            today: "2026-04-01".into(),
            consent: true,
            ..SegmentQuery::default()
        };
        let (sql, binds) = segment_where(&q);
        assert!(!sql.contains("vip"));
        assert!(!sql.contains("FORK"));
        assert!(sql.contains("NOT EXISTS"));
        assert_eq!(binds.len(), 5);
        assert!(sql.contains("$5"));
    }
}
