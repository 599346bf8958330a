//! IT support's tables: the asset register, licences and their seats, the
//! Seam roles a position's login gets, and the hire and leaver checklists.

use crate::{Db, Result, StoreError, Tx, on_read, on_tx};

// ------------------------------------------------------------------- assets

/// An asset as stored, with the name of the employee holding it.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct AssetRow {
    pub id: i64,
    pub tag: String,
    pub kind: String,
    pub model: String,
    pub serial_number: String,
    pub purchase_date: Option<String>,
    pub cost_minor: i64,
    pub currency: String,
    pub location: String,
    pub status: String,
    pub employee_id: Option<i64>,
    pub employee_name: Option<String>,
    pub version: i64,
    pub created_at_us: i64,
    pub updated_at_us: i64,
}

const ASSET_SELECT: &str = "SELECT a.id, a.tag, a.kind, a.model, a.serial_number, a.purchase_date, \
     a.cost_minor, a.currency, a.location, a.status, a.employee_id, e.name AS employee_name, a.version, \
     a.created_at_us, a.updated_at_us FROM it_assets a LEFT JOIN employees e ON e.id = a.employee_id";

/// An asset's own fields, as the app validated them.
#[derive(Debug, Clone)]
pub struct AssetFields<'a> {
    pub kind: &'a str,
    pub model: &'a str,
    pub serial_number: &'a str,
    pub purchase_date: Option<&'a str>,
    pub cost_minor: i64,
    pub currency: &'a str,
    pub location: &'a str,
}

/// Adds an asset, in stock. Errors: [`StoreError::Duplicate`] for a tag or
/// serial number in use.
pub async fn insert_asset(
    tx: &mut Tx,
    tag: &str,
    f: &AssetFields<'_>,
    created_by: &str,
    now_us: i64,
) -> Result<i64> {
    const SQL: &str = "INSERT INTO it_assets (tag, kind, model, serial_number, purchase_date, cost_minor, \
         currency, location, status, employee_id, version, created_by, created_at_us, updated_at_us) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 'in-stock', NULL, 1, $9, $10, $10) RETURNING id";
    on_tx!(tx, c => sqlx::query_scalar::<_, i64>(SQL)
        .bind(tag)
        .bind(f.kind)
        .bind(f.model)
        .bind(f.serial_number)
        .bind(f.purchase_date)
        .bind(f.cost_minor)
        .bind(f.currency)
        .bind(f.location)
        .bind(created_by)
        .bind(now_us)
        .fetch_one(c)
        .await
        .map_err(StoreError::from_insert))
}

/// Rewrites an asset's fields if it still has `version`.
/// Errors: [`StoreError::Stale`], [`StoreError::Duplicate`] (serial number).
pub async fn update_asset(
    tx: &mut Tx,
    id: i64,
    version: i64,
    f: &AssetFields<'_>,
    now_us: i64,
) -> Result<()> {
    const SQL: &str = "UPDATE it_assets SET kind = $3, model = $4, serial_number = $5, purchase_date = $6, \
         cost_minor = $7, currency = $8, location = $9, version = version + 1, updated_at_us = $10 \
         WHERE id = $1 AND version = $2";
    let done = on_tx!(tx, c => sqlx::query(SQL)
        .bind(id)
        .bind(version)
        .bind(f.kind)
        .bind(f.model)
        .bind(f.serial_number)
        .bind(f.purchase_date)
        .bind(f.cost_minor)
        .bind(f.currency)
        .bind(f.location)
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

/// Moves an asset to `status`, held by `employee_id` (only when assigned),
/// optionally at a new location, if it still has `version`.
/// Errors: [`StoreError::Stale`].
pub async fn set_status(
    tx: &mut Tx,
    id: i64,
    version: i64,
    status: &str,
    employee_id: Option<i64>,
    location: Option<&str>,
    now_us: i64,
) -> Result<()> {
    const SQL: &str = "UPDATE it_assets SET status = $3, employee_id = $4, \
         location = COALESCE($5, location), version = version + 1, updated_at_us = $6 \
         WHERE id = $1 AND version = $2";
    let done = on_tx!(tx, c => sqlx::query(SQL)
        .bind(id)
        .bind(version)
        .bind(status)
        .bind(employee_id)
        .bind(location)
        .bind(now_us)
        .execute(c)
        .await?
        .rows_affected());
    if done == 0 {
        return Err(StoreError::Stale);
    }
    Ok(())
}

/// One asset inside a write transaction, locked on PostgreSQL until commit.
pub async fn asset_in_tx(tx: &mut Tx, id: i64) -> Result<AssetRow> {
    crate::locked_row(tx, ASSET_SELECT, "a", id).await
}

/// One asset, or `None`.
pub async fn asset(db: &Db, id: i64) -> Result<Option<AssetRow>> {
    let sql = sqlx::AssertSqlSafe(format!("{ASSET_SELECT} WHERE a.id = $1"));
    Ok(on_read!(db, p => sqlx::query_as::<_, AssetRow>(sql).bind(id).fetch_optional(p).await?))
}

/// Which assets a list shows.
#[derive(Debug, Clone, Default)]
pub struct AssetFilter {
    /// Matches tag, model or serial number (case-insensitive), or "".
    pub text: String,
    /// One status, or "".
    pub status: String,
}

/// Assets by tag (newest first): up to `limit` with an id below `before`.
pub async fn assets(
    db: &Db,
    filter: &AssetFilter,
    before: Option<i64>,
    limit: i64,
) -> Result<Vec<AssetRow>> {
    let sql = sqlx::AssertSqlSafe(format!(
        "{ASSET_SELECT} WHERE a.id < $1 AND ($2 = '' OR a.status = $2) \
         AND ($3 = '' OR LOWER(a.tag) LIKE $3 OR LOWER(a.model) LIKE $3 OR LOWER(a.serial_number) LIKE $3) \
         ORDER BY a.id DESC LIMIT $4"
    ));
    let text = filter.text.trim().to_lowercase();
    let pattern = if text.is_empty() {
        String::new()
    } else {
        format!("%{}%", text.replace(['%', '_'], ""))
    };
    Ok(on_read!(db, p => sqlx::query_as::<_, AssetRow>(sql)
        .bind(before.unwrap_or(i64::MAX))
        .bind(filter.status.trim())
        .bind(&pattern)
        .bind(limit)
        .fetch_all(p)
        .await?))
}

fn assets_of_employee_sql() -> sqlx::AssertSqlSafe<String> {
    sqlx::AssertSqlSafe(format!(
        "{ASSET_SELECT} WHERE a.employee_id = $1 ORDER BY a.tag"
    ))
}

/// The assets an employee holds, by tag.
pub async fn assets_of_employee(db: &Db, employee_id: i64) -> Result<Vec<AssetRow>> {
    let sql = assets_of_employee_sql();
    Ok(on_read!(db, p => sqlx::query_as::<_, AssetRow>(sql).bind(employee_id).fetch_all(p).await?))
}

/// The same inside a write transaction.
pub async fn assets_of_employee_in_tx(tx: &mut Tx, employee_id: i64) -> Result<Vec<AssetRow>> {
    let sql = assets_of_employee_sql();
    Ok(on_tx!(tx, c => sqlx::query_as::<_, AssetRow>(sql).bind(employee_id).fetch_all(c).await?))
}

/// How many assets there are in each status.
pub async fn asset_counts(db: &Db) -> Result<Vec<(String, i64)>> {
    const SQL: &str = "SELECT status, COUNT(*) FROM it_assets GROUP BY status ORDER BY status";
    Ok(on_read!(db, p => sqlx::query_as::<_, (String, i64)>(SQL).fetch_all(p).await?))
}

// ----------------------------------------------------------------- licences

/// A licence as stored, with how many seats are held now.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct LicenceRow {
    pub id: i64,
    pub product: String,
    pub vendor: String,
    pub seats: i64,
    pub assigned: i64,
    pub expires_on: Option<String>,
    pub cost_minor: i64,
    pub currency: String,
    pub version: i64,
    pub created_at_us: i64,
    pub updated_at_us: i64,
}

const LICENCE_SELECT: &str = "SELECT l.id, l.product, l.vendor, l.seats, \
     (SELECT COUNT(*) FROM it_seats s WHERE s.licence_id = l.id AND s.released_at_us IS NULL) AS assigned, \
     l.expires_on, l.cost_minor, l.currency, l.version, l.created_at_us, l.updated_at_us \
     FROM it_licences l";

#[derive(Debug, Clone)]
pub struct LicenceFields<'a> {
    pub product: &'a str,
    pub vendor: &'a str,
    pub seats: i64,
    pub expires_on: Option<&'a str>,
    pub cost_minor: i64,
    pub currency: &'a str,
}

/// Adds a licence. Errors: [`StoreError::Duplicate`] for a product in use.
pub async fn insert_licence(
    tx: &mut Tx,
    f: &LicenceFields<'_>,
    created_by: &str,
    now_us: i64,
) -> Result<i64> {
    const SQL: &str = "INSERT INTO it_licences (product, vendor, seats, expires_on, cost_minor, currency, \
         version, created_by, created_at_us, updated_at_us) \
         VALUES ($1, $2, $3, $4, $5, $6, 1, $7, $8, $8) RETURNING id";
    on_tx!(tx, c => sqlx::query_scalar::<_, i64>(SQL)
        .bind(f.product)
        .bind(f.vendor)
        .bind(f.seats)
        .bind(f.expires_on)
        .bind(f.cost_minor)
        .bind(f.currency)
        .bind(created_by)
        .bind(now_us)
        .fetch_one(c)
        .await
        .map_err(StoreError::from_insert))
}

/// Rewrites a licence if it still has `version`.
/// Errors: [`StoreError::Stale`], [`StoreError::Duplicate`].
pub async fn update_licence(
    tx: &mut Tx,
    id: i64,
    version: i64,
    f: &LicenceFields<'_>,
    now_us: i64,
) -> Result<()> {
    const SQL: &str = "UPDATE it_licences SET product = $3, vendor = $4, seats = $5, expires_on = $6, \
         cost_minor = $7, currency = $8, version = version + 1, updated_at_us = $9 \
         WHERE id = $1 AND version = $2";
    let done = on_tx!(tx, c => sqlx::query(SQL)
        .bind(id)
        .bind(version)
        .bind(f.product)
        .bind(f.vendor)
        .bind(f.seats)
        .bind(f.expires_on)
        .bind(f.cost_minor)
        .bind(f.currency)
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

/// One licence inside a write transaction, locked on PostgreSQL until
/// commit, so two seats assigned at once cannot both take the last one.
pub async fn licence_in_tx(tx: &mut Tx, id: i64) -> Result<LicenceRow> {
    crate::locked_row(tx, LICENCE_SELECT, "l", id).await
}

pub async fn licence(db: &Db, id: i64) -> Result<Option<LicenceRow>> {
    let sql = sqlx::AssertSqlSafe(format!("{LICENCE_SELECT} WHERE l.id = $1"));
    Ok(on_read!(db, p => sqlx::query_as::<_, LicenceRow>(sql).bind(id).fetch_optional(p).await?))
}

/// Every licence, by product.
pub async fn licences(db: &Db) -> Result<Vec<LicenceRow>> {
    let sql = sqlx::AssertSqlSafe(format!("{LICENCE_SELECT} ORDER BY l.product, l.id"));
    Ok(on_read!(db, p => sqlx::query_as::<_, LicenceRow>(sql).fetch_all(p).await?))
}

/// A seat held, with its licence and holder.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct SeatRow {
    pub id: i64,
    pub licence_id: i64,
    pub product: String,
    pub employee_id: i64,
    pub employee_name: String,
    pub assigned_by: String,
    pub assigned_at_us: i64,
    pub released_at_us: Option<i64>,
}

const SEAT_SELECT: &str = "SELECT s.id, s.licence_id, l.product, s.employee_id, e.name AS employee_name, \
     s.assigned_by, s.assigned_at_us, s.released_at_us \
     FROM it_seats s JOIN it_licences l ON l.id = s.licence_id JOIN employees e ON e.id = s.employee_id";

/// The seats of a licence held now, by holder.
pub async fn seats_of_licence(db: &Db, licence_id: i64) -> Result<Vec<SeatRow>> {
    let sql = sqlx::AssertSqlSafe(format!(
        "{SEAT_SELECT} WHERE s.licence_id = $1 AND s.released_at_us IS NULL ORDER BY e.name, s.id"
    ));
    Ok(on_read!(db, p => sqlx::query_as::<_, SeatRow>(sql).bind(licence_id).fetch_all(p).await?))
}

fn seats_of_employee_sql() -> sqlx::AssertSqlSafe<String> {
    sqlx::AssertSqlSafe(format!(
        "{SEAT_SELECT} WHERE s.employee_id = $1 AND s.released_at_us IS NULL ORDER BY l.product, s.id"
    ))
}

/// The seats an employee holds now, by product.
pub async fn seats_of_employee(db: &Db, employee_id: i64) -> Result<Vec<SeatRow>> {
    let sql = seats_of_employee_sql();
    Ok(on_read!(db, p => sqlx::query_as::<_, SeatRow>(sql).bind(employee_id).fetch_all(p).await?))
}

/// The same inside a write transaction.
pub async fn seats_of_employee_in_tx(tx: &mut Tx, employee_id: i64) -> Result<Vec<SeatRow>> {
    let sql = seats_of_employee_sql();
    Ok(on_tx!(tx, c => sqlx::query_as::<_, SeatRow>(sql).bind(employee_id).fetch_all(c).await?))
}

/// Gives an employee a seat. Errors: [`StoreError::Duplicate`] when they
/// hold one of this licence already.
pub async fn insert_seat(
    tx: &mut Tx,
    licence_id: i64,
    employee_id: i64,
    assigned_by: &str,
    now_us: i64,
) -> Result<i64> {
    const SQL: &str = "INSERT INTO it_seats (licence_id, employee_id, assigned_by, assigned_at_us) \
         VALUES ($1, $2, $3, $4) RETURNING id";
    on_tx!(tx, c => sqlx::query_scalar::<_, i64>(SQL)
        .bind(licence_id)
        .bind(employee_id)
        .bind(assigned_by)
        .bind(now_us)
        .fetch_one(c)
        .await
        .map_err(StoreError::from_insert))
}

/// Frees a held seat. Errors: [`StoreError::Stale`] when it is already free.
pub async fn release_seat(tx: &mut Tx, seat_id: i64, now_us: i64) -> Result<()> {
    const SQL: &str =
        "UPDATE it_seats SET released_at_us = $2 WHERE id = $1 AND released_at_us IS NULL";
    let done = on_tx!(tx, c => sqlx::query(SQL).bind(seat_id).bind(now_us).execute(c).await?.rows_affected());
    if done == 0 {
        return Err(StoreError::Stale);
    }
    Ok(())
}

/// The seat held now by this employee of this licence, inside a transaction.
pub async fn open_seat(tx: &mut Tx, licence_id: i64, employee_id: i64) -> Result<Option<i64>> {
    const SQL: &str = "SELECT id FROM it_seats WHERE licence_id = $1 AND employee_id = $2 \
         AND released_at_us IS NULL";
    Ok(on_tx!(tx, c => sqlx::query_scalar::<_, i64>(SQL)
        .bind(licence_id)
        .bind(employee_id)
        .fetch_optional(c)
        .await?))
}

// ---------------------------------------------------------- position roles

/// The roles a position's login gets (comma-separated), or `None` for no
/// such position.
pub async fn position_login_roles(tx: &mut Tx, position_id: i64) -> Result<Option<String>> {
    const SQL: &str = "SELECT login_roles FROM hr_positions WHERE id = $1";
    Ok(on_tx!(tx, c => sqlx::query_scalar::<_, String>(SQL)
        .bind(position_id)
        .fetch_optional(c)
        .await?))
}

/// Every position with the roles its login gets.
pub async fn positions_with_roles(db: &Db) -> Result<Vec<(i64, String, String)>> {
    const SQL: &str = "SELECT id, title, login_roles FROM hr_positions ORDER BY title, id";
    Ok(on_read!(db, p => sqlx::query_as::<_, (i64, String, String)>(SQL).fetch_all(p).await?))
}

/// Errors: [`StoreError::NotFound`].
pub async fn set_position_login_roles(tx: &mut Tx, position_id: i64, roles: &str) -> Result<()> {
    const SQL: &str = "UPDATE hr_positions SET login_roles = $2 WHERE id = $1";
    let done = on_tx!(tx, c => sqlx::query(SQL).bind(position_id).bind(roles).execute(c).await?.rows_affected());
    if done == 0 {
        return Err(StoreError::NotFound);
    }
    Ok(())
}

// ---------------------------------------------------------------- checklists

/// A checklist task as stored, with its checklist and employee.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct TaskRow {
    pub id: i64,
    pub checklist_id: i64,
    pub kind: String,
    pub employee_id: i64,
    pub employee_name: String,
    pub code: String,
    pub team: String,
    pub due_date: String,
    pub done_by: Option<String>,
    pub done_at_us: Option<i64>,
    pub note: String,
}

const TASK_SELECT: &str = "SELECT t.id, t.checklist_id, k.kind, k.employee_id, e.name AS employee_name, \
     t.code, t.team, t.due_date, t.done_by, t.done_at_us, t.note \
     FROM hr_checklist_tasks t JOIN hr_checklists k ON k.id = t.checklist_id \
     JOIN employees e ON e.id = k.employee_id";

/// Opens a checklist. Errors: [`StoreError::Duplicate`] when the employee
/// has one of this kind already.
pub async fn insert_checklist(
    tx: &mut Tx,
    employee_id: i64,
    kind: &str,
    date: &str,
    created_by: &str,
    now_us: i64,
) -> Result<i64> {
    const SQL: &str = "INSERT INTO hr_checklists (employee_id, kind, date, created_by, created_at_us) \
         VALUES ($1, $2, $3, $4, $5) RETURNING id";
    on_tx!(tx, c => sqlx::query_scalar::<_, i64>(SQL)
        .bind(employee_id)
        .bind(kind)
        .bind(date)
        .bind(created_by)
        .bind(now_us)
        .fetch_one(c)
        .await
        .map_err(StoreError::from_insert))
}

/// Adds the tasks of a checklist: `(code, team, due date)` each, in one statement.
pub async fn insert_tasks(
    tx: &mut Tx,
    checklist_id: i64,
    tasks: &[(&str, &str, String)],
) -> Result<()> {
    if tasks.is_empty() {
        return Ok(());
    }
    let mut sql = String::from(
        "INSERT INTO hr_checklist_tasks (checklist_id, code, team, due_date, note) VALUES ",
    );
    for i in 0..tasks.len() {
        let b = i * 3 + 2;
        if i > 0 {
            sql.push_str(", ");
        }
        sql.push_str(&format!("($1, ${b}, ${}, ${}, '')", b + 1, b + 2));
    }
    let sql = sqlx::AssertSqlSafe(sql);
    on_tx!(tx, c => {
        let mut q = sqlx::query(sql).bind(checklist_id);
        for (code, team, due) in tasks {
            q = q.bind(*code).bind(*team).bind(due.as_str());
        }
        q.execute(c).await?.rows_affected()
    });
    Ok(())
}

/// The tasks of an employee's checklists, onboarding first, in task order.
pub async fn tasks_of_employee(db: &Db, employee_id: i64) -> Result<Vec<TaskRow>> {
    let sql = sqlx::AssertSqlSafe(format!(
        "{TASK_SELECT} WHERE k.employee_id = $1 ORDER BY k.id, t.id"
    ));
    Ok(on_read!(db, p => sqlx::query_as::<_, TaskRow>(sql).bind(employee_id).fetch_all(p).await?))
}

/// The open tasks of these teams, soonest due first.
pub async fn open_tasks(db: &Db, teams: &[&str]) -> Result<Vec<TaskRow>> {
    if teams.is_empty() {
        return Ok(Vec::new());
    }
    let marks: Vec<String> = (1..=teams.len()).map(|i| format!("${i}")).collect();
    let sql = sqlx::AssertSqlSafe(format!(
        "{TASK_SELECT} WHERE t.done_at_us IS NULL AND t.team IN ({}) ORDER BY t.due_date, t.id LIMIT 500",
        marks.join(", ")
    ));
    Ok(on_read!(db, p => {
        let mut q = sqlx::query_as::<_, TaskRow>(sql);
        for team in teams {
            q = q.bind(*team);
        }
        q.fetch_all(p).await?
    }))
}

/// One task inside a write transaction, locked on PostgreSQL until commit.
pub async fn task_in_tx(tx: &mut Tx, id: i64) -> Result<TaskRow> {
    crate::locked_row(tx, TASK_SELECT, "t", id).await
}

pub async fn task(db: &Db, id: i64) -> Result<Option<TaskRow>> {
    let sql = sqlx::AssertSqlSafe(format!("{TASK_SELECT} WHERE t.id = $1"));
    Ok(on_read!(db, p => sqlx::query_as::<_, TaskRow>(sql).bind(id).fetch_optional(p).await?))
}

/// The task `code` of the employee's checklist `kind`, inside a transaction.
pub async fn task_by_code(
    tx: &mut Tx,
    employee_id: i64,
    kind: &str,
    code: &str,
) -> Result<Option<TaskRow>> {
    let sql = sqlx::AssertSqlSafe(format!(
        "{TASK_SELECT} WHERE k.employee_id = $1 AND k.kind = $2 AND t.code = $3"
    ));
    Ok(on_tx!(tx, c => sqlx::query_as::<_, TaskRow>(sql)
        .bind(employee_id)
        .bind(kind)
        .bind(code)
        .fetch_optional(c)
        .await?))
}

/// Marks a task done. Errors: [`StoreError::Stale`] when it was done already.
pub async fn complete_task(
    tx: &mut Tx,
    id: i64,
    done_by: &str,
    note: &str,
    now_us: i64,
) -> Result<()> {
    const SQL: &str = "UPDATE hr_checklist_tasks SET done_by = $2, done_at_us = $3, note = $4 \
         WHERE id = $1 AND done_at_us IS NULL";
    let done = on_tx!(tx, c => sqlx::query(SQL)
        .bind(id)
        .bind(done_by)
        .bind(now_us)
        .bind(note)
        .execute(c)
        .await?
        .rows_affected());
    if done == 0 {
        return Err(StoreError::Stale);
    }
    Ok(())
}
