//! Appointments, the resources (rooms, equipment) they book, who attends
//! them, and the secret tokens of their calendar feeds.
//!
//! Booking is race-safe: [`lock_resources`] and [`lock_people`] take the rows
//! of everything a booking is about to hold (on PostgreSQL `FOR NO KEY
//! UPDATE`, in id order, resources before people, so two bookings never wait
//! on each other in a circle); the overlap queries that follow in the same
//! transaction then see every booking that committed before the lock was
//! granted. SQLite's single writer serialises bookings on its own.

use crate::{Db, Result, StoreError, Tx, on_read, on_tx};

/// A resource as stored.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct ResourceRow {
    pub id: i64,
    pub name: String,
    pub kind: String,
    pub capacity: Option<i64>,
    pub active: bool,
    pub created_at_us: i64,
    pub updated_at_us: i64,
}

const RESOURCE_COLUMNS: &str = "id, name, kind, capacity, active, created_at_us, updated_at_us";

/// What writing a resource needs.
#[derive(Debug, Clone)]
pub struct NewResource<'a> {
    pub name: &'a str,
    pub kind: &'a str,
    pub capacity: Option<i64>,
    pub active: bool,
}

/// Adds a resource. Returns its id.
///
/// Errors: [`StoreError::Duplicate`] when the name is taken (`uq_resources_name`).
pub async fn insert_resource(tx: &mut Tx, new: &NewResource<'_>, now_us: i64) -> Result<i64> {
    const SQL: &str = "INSERT INTO resources (name, kind, capacity, active, created_at_us, updated_at_us) \
         VALUES ($1, $2, $3, $4, $5, $5) RETURNING id";
    on_tx!(tx, c => sqlx::query_scalar::<_, i64>(SQL)
        .bind(new.name)
        .bind(new.kind)
        .bind(new.capacity)
        .bind(new.active)
        .bind(now_us)
        .fetch_one(c)
        .await
        .map_err(StoreError::from_insert))
}

/// Changes a resource.
///
/// Errors: [`StoreError::Duplicate`] when the name is taken, [`StoreError::NotFound`].
pub async fn update_resource(
    tx: &mut Tx,
    id: i64,
    new: &NewResource<'_>,
    now_us: i64,
) -> Result<()> {
    const SQL: &str = "UPDATE resources SET name = $2, kind = $3, capacity = $4, active = $5, \
         updated_at_us = $6 WHERE id = $1";
    let done = on_tx!(tx, c => sqlx::query(SQL)
        .bind(id)
        .bind(new.name)
        .bind(new.kind)
        .bind(new.capacity)
        .bind(new.active)
        .bind(now_us)
        .execute(c)
        .await
        .map_err(StoreError::from_insert)?
        .rows_affected());
    if done == 0 {
        return Err(StoreError::NotFound);
    }
    Ok(())
}

/// One resource, or `None`.
pub async fn resource(db: &Db, id: i64) -> Result<Option<ResourceRow>> {
    let sql = sqlx::AssertSqlSafe(format!(
        "SELECT {RESOURCE_COLUMNS} FROM resources WHERE id = $1"
    ));
    Ok(on_read!(db, p => sqlx::query_as::<_, ResourceRow>(sql)
        .bind(id)
        .fetch_optional(p)
        .await?))
}

/// One resource inside a write transaction, locked on PostgreSQL.
pub async fn resource_in_tx(tx: &mut Tx, id: i64) -> Result<ResourceRow> {
    let select = format!("SELECT {RESOURCE_COLUMNS} FROM resources r");
    crate::locked_row(tx, &select, "r", id).await
}

/// Resources by kind and name; the retired ones too when `with_inactive`.
pub async fn resources(db: &Db, with_inactive: bool) -> Result<Vec<ResourceRow>> {
    let sql = sqlx::AssertSqlSafe(format!(
        "SELECT {RESOURCE_COLUMNS} FROM resources WHERE active = TRUE OR $1 \
         ORDER BY kind DESC, name, id"
    ));
    Ok(on_read!(db, p => sqlx::query_as::<_, ResourceRow>(sql)
        .bind(with_inactive)
        .fetch_all(p)
        .await?))
}

/// `$first, $first+1, …`, `n` of them, for an `IN (…)` list.
fn params_from(first: usize, n: usize) -> String {
    (first..first + n)
        .map(|i| format!("${i}"))
        .collect::<Vec<_>>()
        .join(", ")
}

fn sorted(ids: &[i64]) -> Vec<i64> {
    let mut ids = ids.to_vec();
    ids.sort_unstable();
    ids.dedup();
    ids
}

/// The resources with these ids that exist, locked until commit on
/// PostgreSQL (in id order). Missing ids are simply absent.
pub async fn lock_resources(tx: &mut Tx, ids: &[i64]) -> Result<Vec<ResourceRow>> {
    let ids = sorted(ids);
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let base = format!(
        "SELECT {RESOURCE_COLUMNS} FROM resources WHERE id IN ({}) ORDER BY id",
        params_from(1, ids.len())
    );
    let rows = match tx {
        Tx::Sqlite(t) => {
            let mut q = sqlx::query_as::<_, ResourceRow>(sqlx::AssertSqlSafe(base));
            for id in &ids {
                q = q.bind(*id);
            }
            q.fetch_all(&mut **t).await?
        }
        Tx::Pg(t) => {
            let sql = sqlx::AssertSqlSafe(format!("{base} FOR NO KEY UPDATE"));
            let mut q = sqlx::query_as::<_, ResourceRow>(sql);
            for id in &ids {
                q = q.bind(*id);
            }
            q.fetch_all(&mut **t).await?
        }
    };
    Ok(rows)
}

/// A member of staff who can be booked.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct PersonRow {
    pub id: i64,
    pub username: String,
    pub display_name: String,
    pub email: Option<String>,
}

/// The enabled staff users with these ids, locked until commit on
/// PostgreSQL (in id order, `FOR NO KEY UPDATE`, which leaves other
/// transactions' foreign-key checks on those users alone). Unknown,
/// disabled or portal users are absent.
pub async fn lock_people(tx: &mut Tx, ids: &[i64]) -> Result<Vec<PersonRow>> {
    let ids = sorted(ids);
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let base = format!(
        "SELECT id, username, display_name, email FROM users \
         WHERE kind = 'staff' AND disabled = FALSE AND id IN ({}) ORDER BY id",
        params_from(1, ids.len())
    );
    let rows = match tx {
        Tx::Sqlite(t) => {
            let mut q = sqlx::query_as::<_, PersonRow>(sqlx::AssertSqlSafe(base));
            for id in &ids {
                q = q.bind(*id);
            }
            q.fetch_all(&mut **t).await?
        }
        Tx::Pg(t) => {
            let sql = sqlx::AssertSqlSafe(format!("{base} FOR NO KEY UPDATE"));
            let mut q = sqlx::query_as::<_, PersonRow>(sql);
            for id in &ids {
                q = q.bind(*id);
            }
            q.fetch_all(&mut **t).await?
        }
    };
    Ok(rows)
}

/// A booked appointment that overlaps the one being written, and what of
/// it clashes (a resource or a person).
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct Clash {
    /// The resource's or the user's id.
    pub holder_id: i64,
    pub holder_name: String,
    pub appointment_id: i64,
    pub title: String,
    pub start_us: i64,
    pub end_us: i64,
}

/// Which bookings are looked at.
#[derive(Debug, Clone, Copy)]
pub struct Window {
    pub start_us: i64,
    pub end_us: i64,
    /// The appointment being rescheduled, which never clashes with itself.
    pub except_id: Option<i64>,
}

async fn clashes(tx: &mut Tx, select: &str, ids: &[i64], window: Window) -> Result<Vec<Clash>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    // Half-open intervals: [s1, e1) and [s2, e2) overlap when s1 < e2 and s2 < e1.
    let select = select.replace("{}", &params_from(4, ids.len()));
    let sql = sqlx::AssertSqlSafe(format!(
        "{select} AND a.state = 'booked' AND a.start_us < $1 AND a.end_us > $2 AND a.id <> $3 \
         ORDER BY a.start_us, a.id"
    ));
    Ok(on_tx!(tx, c => {
        let mut q = sqlx::query_as::<_, Clash>(sql)
            .bind(window.end_us)
            .bind(window.start_us)
            .bind(window.except_id.unwrap_or(0));
        for id in ids {
            q = q.bind(*id);
        }
        q.fetch_all(c).await?
    }))
}

/// Booked appointments in `window` that hold any of these resources.
pub async fn resource_clashes(tx: &mut Tx, ids: &[i64], window: Window) -> Result<Vec<Clash>> {
    let select = "SELECT r.id AS holder_id, r.name AS holder_name, a.id AS appointment_id, a.title, \
         a.start_us, a.end_us FROM appointment_resources ar \
         JOIN appointments a ON a.id = ar.appointment_id JOIN resources r ON r.id = ar.resource_id \
         WHERE ar.resource_id IN ({})";
    clashes(tx, select, ids, window).await
}

/// Booked appointments in `window` that any of these users attends.
pub async fn people_clashes(tx: &mut Tx, ids: &[i64], window: Window) -> Result<Vec<Clash>> {
    let select = "SELECT u.id AS holder_id, u.display_name AS holder_name, a.id AS appointment_id, \
         a.title, a.start_us, a.end_us FROM appointment_attendees aa \
         JOIN appointments a ON a.id = aa.appointment_id JOIN users u ON u.id = aa.user_id \
         WHERE aa.user_id IN ({})";
    clashes(tx, select, ids, window).await
}

/// An appointment as stored, with its organiser's and company's names.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct AppointmentRow {
    pub id: i64,
    pub uid: String,
    pub title: String,
    pub start_us: i64,
    pub end_us: i64,
    pub organiser_user_id: i64,
    pub organiser_name: String,
    pub visitor_name: String,
    pub visitor_company: String,
    pub visitor_email: String,
    pub party_id: Option<i64>,
    pub party_name: Option<String>,
    pub location: String,
    pub notes: String,
    pub state: String,
    pub sequence: i64,
    pub visit_id: Option<i64>,
    pub created_by: String,
    pub created_at_us: i64,
    pub updated_at_us: i64,
}

const SELECT: &str = "SELECT a.id, a.uid, a.title, a.start_us, a.end_us, a.organiser_user_id, \
     u.display_name AS organiser_name, a.visitor_name, a.visitor_company, a.visitor_email, \
     a.party_id, p.name AS party_name, a.location, a.notes, a.state, a.sequence, a.visit_id, \
     a.created_by, a.created_at_us, a.updated_at_us \
     FROM appointments a JOIN users u ON u.id = a.organiser_user_id \
     LEFT JOIN parties p ON p.id = a.party_id";

/// What writing an appointment needs.
#[derive(Debug, Clone)]
pub struct NewAppointment<'a> {
    pub uid: &'a str,
    pub title: &'a str,
    pub start_us: i64,
    pub end_us: i64,
    pub organiser_user_id: i64,
    /// Everyone booked, the organiser among them.
    pub people: &'a [i64],
    pub resource_ids: &'a [i64],
    pub visitor_name: &'a str,
    pub visitor_company: &'a str,
    pub visitor_email: &'a str,
    pub party_id: Option<i64>,
    pub location: &'a str,
    pub notes: &'a str,
    pub created_by: &'a str,
}

/// Writes an appointment with its attendees and resources. Returns its id.
pub async fn insert(tx: &mut Tx, new: &NewAppointment<'_>, now_us: i64) -> Result<i64> {
    const SQL: &str = "INSERT INTO appointments (uid, title, start_us, end_us, organiser_user_id, \
         visitor_name, visitor_company, visitor_email, party_id, location, notes, created_by, \
         created_at_us, updated_at_us) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $13) RETURNING id";
    let id = on_tx!(tx, c => sqlx::query_scalar::<_, i64>(SQL)
        .bind(new.uid)
        .bind(new.title)
        .bind(new.start_us)
        .bind(new.end_us)
        .bind(new.organiser_user_id)
        .bind(new.visitor_name)
        .bind(new.visitor_company)
        .bind(new.visitor_email)
        .bind(new.party_id)
        .bind(new.location)
        .bind(new.notes)
        .bind(new.created_by)
        .bind(now_us)
        .fetch_one(c)
        .await?);
    const PERSON: &str = "INSERT INTO appointment_attendees (appointment_id, user_id, is_organiser) VALUES ($1, $2, $3)";
    for user in sorted(new.people) {
        on_tx!(tx, c => sqlx::query(PERSON)
            .bind(id)
            .bind(user)
            .bind(user == new.organiser_user_id)
            .execute(c)
            .await
            .map(|_| ())?);
    }
    const RESOURCE: &str =
        "INSERT INTO appointment_resources (appointment_id, resource_id) VALUES ($1, $2)";
    for resource in sorted(new.resource_ids) {
        on_tx!(tx, c => sqlx::query(RESOURCE)
            .bind(id)
            .bind(resource)
            .execute(c)
            .await
            .map(|_| ())?);
    }
    Ok(id)
}

/// One appointment inside a write transaction, locked on PostgreSQL.
pub async fn appointment_in_tx(tx: &mut Tx, id: i64) -> Result<AppointmentRow> {
    crate::locked_row(tx, SELECT, "a", id).await
}

/// One appointment, or `None`.
pub async fn appointment(db: &Db, id: i64) -> Result<Option<AppointmentRow>> {
    let sql = sqlx::AssertSqlSafe(format!("{SELECT} WHERE a.id = $1"));
    Ok(on_read!(db, p => sqlx::query_as::<_, AppointmentRow>(sql)
        .bind(id)
        .fetch_optional(p)
        .await?))
}

/// Someone who attends an appointment.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct AttendeeRow {
    pub appointment_id: i64,
    pub user_id: i64,
    pub username: String,
    pub display_name: String,
    pub email: Option<String>,
    pub is_organiser: bool,
}

/// A resource an appointment books.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct BookingRow {
    pub appointment_id: i64,
    pub resource_id: i64,
    pub name: String,
    pub kind: String,
}

const ATTENDEES: &str = "SELECT aa.appointment_id, aa.user_id, u.username, u.display_name, \
     u.email, aa.is_organiser FROM appointment_attendees aa JOIN users u ON u.id = aa.user_id \
     WHERE aa.appointment_id IN ({}) ORDER BY aa.appointment_id, aa.is_organiser DESC, \
     u.display_name, u.id";
const BOOKINGS: &str = "SELECT ar.appointment_id, ar.resource_id, r.name, r.kind \
     FROM appointment_resources ar JOIN resources r ON r.id = ar.resource_id \
     WHERE ar.appointment_id IN ({}) ORDER BY ar.appointment_id, r.kind DESC, r.name, r.id";

fn in_list(template: &str, n: usize) -> sqlx::AssertSqlSafe<String> {
    sqlx::AssertSqlSafe(template.replace("{}", &params_from(1, n)))
}

/// The attendees of these appointments, the organiser first in each.
pub async fn attendees_of(db: &Db, ids: &[i64]) -> Result<Vec<AttendeeRow>> {
    let mut out = Vec::new();
    for chunk in ids.chunks(500) {
        let rows = on_read!(db, p => {
            let mut q = sqlx::query_as::<_, AttendeeRow>(in_list(ATTENDEES, chunk.len()));
            for id in chunk {
                q = q.bind(*id);
            }
            q.fetch_all(p).await?
        });
        out.extend(rows);
    }
    Ok(out)
}

/// The attendees of one appointment, read inside a write transaction.
pub async fn attendees_in_tx(tx: &mut Tx, id: i64) -> Result<Vec<AttendeeRow>> {
    Ok(
        on_tx!(tx, c => sqlx::query_as::<_, AttendeeRow>(in_list(ATTENDEES, 1))
        .bind(id)
        .fetch_all(c)
        .await?),
    )
}

/// The resources these appointments book.
pub async fn bookings_of(db: &Db, ids: &[i64]) -> Result<Vec<BookingRow>> {
    let mut out = Vec::new();
    for chunk in ids.chunks(500) {
        let rows = on_read!(db, p => {
            let mut q = sqlx::query_as::<_, BookingRow>(in_list(BOOKINGS, chunk.len()));
            for id in chunk {
                q = q.bind(*id);
            }
            q.fetch_all(p).await?
        });
        out.extend(rows);
    }
    Ok(out)
}

/// The resources one appointment books, read inside a write transaction.
pub async fn bookings_in_tx(tx: &mut Tx, id: i64) -> Result<Vec<BookingRow>> {
    Ok(
        on_tx!(tx, c => sqlx::query_as::<_, BookingRow>(in_list(BOOKINGS, 1))
        .bind(id)
        .fetch_all(c)
        .await?),
    )
}

/// Moves a booked appointment and bumps its sequence.
///
/// Errors: [`StoreError::Stale`] when it is not booked (any more).
pub async fn set_times(
    tx: &mut Tx,
    id: i64,
    start_us: i64,
    end_us: i64,
    now_us: i64,
) -> Result<()> {
    const SQL: &str = "UPDATE appointments SET start_us = $2, end_us = $3, sequence = sequence + 1, \
         updated_at_us = $4 WHERE id = $1 AND state = 'booked'";
    let done = on_tx!(tx, c => sqlx::query(SQL)
        .bind(id)
        .bind(start_us)
        .bind(end_us)
        .bind(now_us)
        .execute(c)
        .await?
        .rows_affected());
    if done == 0 {
        return Err(StoreError::Stale);
    }
    Ok(())
}

/// Cancels a booked appointment (it books nothing from now on) and bumps its sequence.
///
/// Errors: [`StoreError::Stale`] when it is already cancelled.
pub async fn set_cancelled(tx: &mut Tx, id: i64, now_us: i64) -> Result<()> {
    const SQL: &str = "UPDATE appointments SET state = 'cancelled', sequence = sequence + 1, \
         updated_at_us = $2 WHERE id = $1 AND state = 'booked'";
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

/// Links the visit a check-in from the appointment created.
///
/// Errors: [`StoreError::Stale`] when it already has one.
pub async fn set_visit(tx: &mut Tx, id: i64, visit_id: i64, now_us: i64) -> Result<()> {
    const SQL: &str = "UPDATE appointments SET visit_id = $2, updated_at_us = $3 \
         WHERE id = $1 AND visit_id IS NULL";
    let done = on_tx!(tx, c => sqlx::query(SQL)
        .bind(id)
        .bind(visit_id)
        .bind(now_us)
        .execute(c)
        .await?
        .rows_affected());
    if done == 0 {
        return Err(StoreError::Stale);
    }
    Ok(())
}

/// Which appointments a list shows: those overlapping `[from_us, to_us)`,
/// narrowed to one person's or one resource's, or to those with a visitor
/// who has not checked in.
#[derive(Debug, Clone, Copy, Default)]
pub struct AppointmentFilter {
    pub from_us: i64,
    pub to_us: i64,
    /// Only those this user attends (or organises).
    pub user_id: Option<i64>,
    /// Only those that book this resource.
    pub resource_id: Option<i64>,
    /// Only booked ones with a visitor who has no visit yet.
    pub visitor_expected: bool,
    /// Cancelled ones too.
    pub with_cancelled: bool,
}

/// Appointments by start time, up to `limit`.
pub async fn list(db: &Db, filter: AppointmentFilter, limit: i64) -> Result<Vec<AppointmentRow>> {
    let sql = sqlx::AssertSqlSafe(format!(
        "{SELECT} WHERE a.start_us < $1 AND a.end_us > $2 \
         AND ($3 OR a.state = 'booked') \
         AND ($4 = 0 OR EXISTS (SELECT 1 FROM appointment_attendees x \
              WHERE x.appointment_id = a.id AND x.user_id = $4)) \
         AND ($5 = 0 OR EXISTS (SELECT 1 FROM appointment_resources y \
              WHERE y.appointment_id = a.id AND y.resource_id = $5)) \
         AND ($6 = FALSE OR (a.visitor_name <> '' AND a.visit_id IS NULL AND a.state = 'booked')) \
         ORDER BY a.start_us, a.id LIMIT $7"
    ));
    Ok(on_read!(db, p => sqlx::query_as::<_, AppointmentRow>(sql)
        .bind(filter.to_us)
        .bind(filter.from_us)
        .bind(filter.with_cancelled)
        .bind(filter.user_id.unwrap_or(0))
        .bind(filter.resource_id.unwrap_or(0))
        .bind(filter.visitor_expected)
        .bind(limit)
        .fetch_all(p)
        .await?))
}

/// How many appointments there are, cancelled ones too (for tests).
pub async fn count(db: &Db) -> Result<i64> {
    const SQL: &str = "SELECT COUNT(*) FROM appointments";
    Ok(on_read!(db, p => sqlx::query_scalar::<_, i64>(SQL)
        .fetch_one(p)
        .await?))
}

/// Whose feed a token opens.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FeedOwner {
    User(i64),
    Resource(i64),
}

/// Replaces the feed token of a user or a resource with one whose SHA-256
/// is `token_hash`; the old token stops working.
pub async fn replace_feed(
    tx: &mut Tx,
    owner: FeedOwner,
    token_hash: &str,
    now_us: i64,
) -> Result<()> {
    let (user, resource) = match owner {
        FeedOwner::User(id) => (Some(id), None),
        FeedOwner::Resource(id) => (None, Some(id)),
    };
    const DELETE: &str = "DELETE FROM calendar_feeds WHERE user_id = $1 OR resource_id = $2";
    on_tx!(tx, c => sqlx::query(DELETE)
        .bind(user.unwrap_or(0))
        .bind(resource.unwrap_or(0))
        .execute(c)
        .await
        .map(|_| ())?);
    const INSERT: &str = "INSERT INTO calendar_feeds (token_hash, user_id, resource_id, created_at_us) \
         VALUES ($1, $2, $3, $4)";
    on_tx!(tx, c => sqlx::query(INSERT)
        .bind(token_hash)
        .bind(user)
        .bind(resource)
        .bind(now_us)
        .execute(c)
        .await
        .map(|_| ())
        .map_err(StoreError::from_insert)?);
    Ok(())
}

/// Who owns the feed whose token hashes to `token_hash`, or `None`.
pub async fn feed_owner(db: &Db, token_hash: &str) -> Result<Option<FeedOwner>> {
    const SQL: &str = "SELECT user_id, resource_id FROM calendar_feeds WHERE token_hash = $1";
    let row: Option<(Option<i64>, Option<i64>)> = on_read!(db, p => sqlx::query_as(SQL)
        .bind(token_hash)
        .fetch_optional(p)
        .await?);
    Ok(match row {
        Some((Some(user), None)) => Some(FeedOwner::User(user)),
        Some((None, Some(resource))) => Some(FeedOwner::Resource(resource)),
        _ => None,
    })
}

/// When the feed of a user or a resource was made, or `None` if it has none.
pub async fn feed_created_at(db: &Db, owner: FeedOwner) -> Result<Option<i64>> {
    let (user, resource) = match owner {
        FeedOwner::User(id) => (id, 0),
        FeedOwner::Resource(id) => (0, id),
    };
    const SQL: &str =
        "SELECT created_at_us FROM calendar_feeds WHERE user_id = $1 OR resource_id = $2";
    Ok(on_read!(db, p => sqlx::query_scalar::<_, i64>(SQL)
        .bind(user)
        .bind(resource)
        .fetch_optional(p)
        .await?))
}
