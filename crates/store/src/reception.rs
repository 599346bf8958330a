//! Reception's visitor log: visits, and the staff a visitor may come to see.

use crate::{Db, Result, Tx, on_read, on_tx};

/// A visit as stored, with its host's and company's names.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct VisitRow {
    pub id: i64,
    pub visitor_name: String,
    pub visitor_company: String,
    pub party_id: Option<i64>,
    pub party_name: Option<String>,
    pub host_user_id: i64,
    pub host_name: String,
    pub purpose: String,
    pub badge_number: Option<String>,
    pub expected_at_us: Option<i64>,
    pub checked_in_at_us: Option<i64>,
    pub checked_out_at_us: Option<i64>,
    pub agreement_acknowledged: bool,
    pub created_by: String,
    pub created_at_us: i64,
    pub updated_at_us: i64,
}

/// A staff user a visitor may come to see.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct HostRow {
    pub id: i64,
    pub username: String,
    pub display_name: String,
}

const SELECT: &str = "SELECT v.id, v.visitor_name, v.visitor_company, v.party_id, p.name AS party_name, \
     v.host_user_id, u.display_name AS host_name, v.purpose, v.badge_number, v.expected_at_us, \
     v.checked_in_at_us, v.checked_out_at_us, v.agreement_acknowledged, v.created_by, \
     v.created_at_us, v.updated_at_us \
     FROM visits v JOIN users u ON u.id = v.host_user_id LEFT JOIN parties p ON p.id = v.party_id";

/// What writing a visit needs.
#[derive(Debug, Clone)]
pub struct NewVisit<'a> {
    pub visitor_name: &'a str,
    pub visitor_company: &'a str,
    pub party_id: Option<i64>,
    pub host_user_id: i64,
    pub purpose: &'a str,
    pub expected_at_us: Option<i64>,
    pub agreement_acknowledged: bool,
    pub created_by: &'a str,
}

/// Adds a visit, not yet checked in. Returns its id.
pub async fn insert(tx: &mut Tx, visit: &NewVisit<'_>, now_us: i64) -> Result<i64> {
    const SQL: &str = "INSERT INTO visits (visitor_name, visitor_company, party_id, host_user_id, purpose, \
         expected_at_us, agreement_acknowledged, created_by, created_at_us, updated_at_us) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9) RETURNING id";
    Ok(on_tx!(tx, c => sqlx::query_scalar::<_, i64>(SQL)
        .bind(visit.visitor_name)
        .bind(visit.visitor_company)
        .bind(visit.party_id)
        .bind(visit.host_user_id)
        .bind(visit.purpose)
        .bind(visit.expected_at_us)
        .bind(visit.agreement_acknowledged)
        .bind(visit.created_by)
        .bind(now_us)
        .fetch_one(c)
        .await?))
}

/// One visit inside a write transaction, locked on PostgreSQL until commit.
pub async fn visit_in_tx(tx: &mut Tx, id: i64) -> Result<VisitRow> {
    crate::locked_row(tx, SELECT, "v", id).await
}

/// One visit, or `None`.
pub async fn visit(db: &Db, id: i64) -> Result<Option<VisitRow>> {
    let sql = sqlx::AssertSqlSafe(format!("{SELECT} WHERE v.id = $1"));
    Ok(on_read!(db, p => sqlx::query_as::<_, VisitRow>(sql)
        .bind(id)
        .fetch_optional(p)
        .await?))
}

/// How many badges start with `prefix` (the day's, `V-YYYYMMDD-`).
pub async fn badges_with_prefix(tx: &mut Tx, prefix: &str) -> Result<i64> {
    const SQL: &str = "SELECT COUNT(*) FROM visits WHERE badge_number LIKE $1";
    let pattern = format!("{prefix}%");
    Ok(on_tx!(tx, c => sqlx::query_scalar::<_, i64>(SQL)
        .bind(&pattern)
        .fetch_one(c)
        .await?))
}

/// Checks a visit in: its badge, the time, and the agreement when given now.
pub async fn set_checked_in(
    tx: &mut Tx,
    id: i64,
    badge: &str,
    agreement_acknowledged: bool,
    now_us: i64,
) -> Result<()> {
    const SQL: &str = "UPDATE visits SET badge_number = $2, checked_in_at_us = $3, \
         agreement_acknowledged = (agreement_acknowledged OR $4), updated_at_us = $3 \
         WHERE id = $1 AND checked_in_at_us IS NULL";
    let done = on_tx!(tx, c => sqlx::query(SQL)
        .bind(id)
        .bind(badge)
        .bind(now_us)
        .bind(agreement_acknowledged)
        .execute(c)
        .await?
        .rows_affected());
    if done == 0 {
        return Err(crate::StoreError::Stale);
    }
    Ok(())
}

/// Checks a visit out at `at_us`.
pub async fn set_checked_out(tx: &mut Tx, id: i64, at_us: i64) -> Result<()> {
    const SQL: &str = "UPDATE visits SET checked_out_at_us = $2, updated_at_us = $2 \
         WHERE id = $1 AND checked_in_at_us IS NOT NULL AND checked_out_at_us IS NULL";
    let done = on_tx!(tx, c => sqlx::query(SQL)
        .bind(id)
        .bind(at_us)
        .execute(c)
        .await?
        .rows_affected());
    if done == 0 {
        return Err(crate::StoreError::Stale);
    }
    Ok(())
}

/// Which visits a list shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum VisitFilter {
    /// Checked in and not out.
    InBuilding,
    /// Expected between the two times and not checked in yet.
    Expected {
        from_us: i64,
        to_us: i64,
    },
    All,
}

/// Visits newest first: up to `limit` with an id below `before` (keyset
/// pagination; `None` for the newest).
pub async fn list(
    db: &Db,
    filter: VisitFilter,
    before: Option<i64>,
    limit: i64,
) -> Result<Vec<VisitRow>> {
    let (condition, from, to) = match filter {
        VisitFilter::InBuilding => (
            "v.checked_in_at_us IS NOT NULL AND v.checked_out_at_us IS NULL",
            0,
            0,
        ),
        VisitFilter::Expected { from_us, to_us } => (
            "v.checked_in_at_us IS NULL AND v.expected_at_us >= $3 AND v.expected_at_us < $4",
            from_us,
            to_us,
        ),
        VisitFilter::All => ("$3 = $3 AND $4 = $4", 0, 0),
    };
    let condition = if matches!(filter, VisitFilter::InBuilding) {
        format!("{condition} AND $3 = $3 AND $4 = $4")
    } else {
        condition.to_owned()
    };
    let sql = sqlx::AssertSqlSafe(format!(
        "{SELECT} WHERE v.id < $1 AND {condition} ORDER BY v.id DESC LIMIT $2"
    ));
    Ok(on_read!(db, p => sqlx::query_as::<_, VisitRow>(sql)
        .bind(before.unwrap_or(i64::MAX))
        .bind(limit)
        .bind(from)
        .bind(to)
        .fetch_all(p)
        .await?))
}

/// Enabled staff users, by name: who a visitor may come to see.
pub async fn hosts(db: &Db) -> Result<Vec<HostRow>> {
    const SQL: &str = "SELECT id, username, display_name FROM users \
         WHERE kind = 'staff' AND disabled = FALSE ORDER BY display_name, id";
    Ok(on_read!(db, p => sqlx::query_as::<_, HostRow>(SQL)
        .fetch_all(p)
        .await?))
}

/// The enabled staff user with this id, or `None`.
pub async fn host(tx: &mut Tx, id: i64) -> Result<Option<HostRow>> {
    const SQL: &str = "SELECT id, username, display_name FROM users \
         WHERE id = $1 AND kind = 'staff' AND disabled = FALSE";
    Ok(on_tx!(tx, c => sqlx::query_as::<_, HostRow>(SQL)
        .bind(id)
        .fetch_optional(c)
        .await?))
}

/// How many visits there are (for tests and the backup's checks).
pub async fn count(db: &Db) -> Result<i64> {
    const SQL: &str = "SELECT COUNT(*) FROM visits";
    Ok(on_read!(db, p => sqlx::query_scalar::<_, i64>(SQL)
        .fetch_one(p)
        .await?))
}
