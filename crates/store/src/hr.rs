//! HR's tables: departments, positions, employees with their emergency
//! contacts, documents and contracts; leave types, entitlements, public
//! holidays, leave requests and absence feeds. Rules live in
//! `seam_domain::hr`; who may see what is decided in the app; this module
//! only reads and writes.
//!
//! Dates are `YYYY-MM-DD` text, which sorts as dates do on both backends.

use crate::{Db, Result, StoreError, Tx, on_read, on_tx};

// --------------------------------------------------------- departments, positions

/// A department.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct DepartmentRow {
    pub id: i64,
    pub name: String,
    pub parent_id: Option<i64>,
}

/// Adds a department. Errors: [`StoreError::Duplicate`] for a name in use.
pub async fn insert_department(
    tx: &mut Tx,
    name: &str,
    parent_id: Option<i64>,
    now_us: i64,
) -> Result<i64> {
    const SQL: &str = "INSERT INTO hr_departments (name, parent_id, created_at_us, updated_at_us) \
         VALUES ($1, $2, $3, $3) RETURNING id";
    on_tx!(tx, c => sqlx::query_scalar::<_, i64>(SQL)
        .bind(name)
        .bind(parent_id)
        .bind(now_us)
        .fetch_one(c)
        .await
        .map_err(StoreError::from_insert))
}

/// Renames or moves a department. Errors: [`StoreError::NotFound`], [`StoreError::Duplicate`].
pub async fn update_department(
    tx: &mut Tx,
    id: i64,
    name: &str,
    parent_id: Option<i64>,
    now_us: i64,
) -> Result<()> {
    const SQL: &str =
        "UPDATE hr_departments SET name = $2, parent_id = $3, updated_at_us = $4 WHERE id = $1";
    let done = on_tx!(tx, c => sqlx::query(SQL)
        .bind(id)
        .bind(name)
        .bind(parent_id)
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

/// Every department, by name.
pub async fn departments(db: &Db) -> Result<Vec<DepartmentRow>> {
    const SQL: &str = "SELECT id, name, parent_id FROM hr_departments ORDER BY name, id";
    Ok(on_read!(db, p => sqlx::query_as::<_, DepartmentRow>(SQL).fetch_all(p).await?))
}

/// Every department inside a write transaction (for the parent-loop check).
pub async fn departments_in_tx(tx: &mut Tx) -> Result<Vec<DepartmentRow>> {
    const SQL: &str = "SELECT id, name, parent_id FROM hr_departments ORDER BY name, id";
    Ok(on_tx!(tx, c => sqlx::query_as::<_, DepartmentRow>(SQL).fetch_all(c).await?))
}

/// A position (job title), optionally in a department.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct PositionRow {
    pub id: i64,
    pub title: String,
    pub department_id: Option<i64>,
    pub department_name: Option<String>,
}

/// Adds a position. Errors: [`StoreError::Duplicate`] for a title in use.
pub async fn insert_position(
    tx: &mut Tx,
    title: &str,
    department_id: Option<i64>,
    now_us: i64,
) -> Result<i64> {
    const SQL: &str = "INSERT INTO hr_positions (title, department_id, created_at_us) \
         VALUES ($1, $2, $3) RETURNING id";
    on_tx!(tx, c => sqlx::query_scalar::<_, i64>(SQL)
        .bind(title)
        .bind(department_id)
        .bind(now_us)
        .fetch_one(c)
        .await
        .map_err(StoreError::from_insert))
}

/// Every position, by title.
pub async fn positions(db: &Db) -> Result<Vec<PositionRow>> {
    const SQL: &str = "SELECT p.id, p.title, p.department_id, d.name AS department_name \
         FROM hr_positions p LEFT JOIN hr_departments d ON d.id = p.department_id ORDER BY p.title, p.id";
    Ok(on_read!(db, p => sqlx::query_as::<_, PositionRow>(SQL).fetch_all(p).await?))
}

/// True when a row with this id exists in `table` (one of HR's own tables).
pub async fn exists(tx: &mut Tx, table: HrTable, id: i64) -> Result<bool> {
    let sql = sqlx::AssertSqlSafe(format!(
        "SELECT COUNT(*) FROM {} WHERE id = $1",
        table.name()
    ));
    Ok(on_tx!(tx, c => sqlx::query_scalar::<_, i64>(sql).bind(id).fetch_one(c).await?) > 0)
}

/// The HR tables a reference may point into.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HrTable {
    Departments,
    Positions,
    Employees,
    LeaveTypes,
}

impl HrTable {
    fn name(self) -> &'static str {
        match self {
            HrTable::Departments => "hr_departments",
            HrTable::Positions => "hr_positions",
            HrTable::Employees => "employees",
            HrTable::LeaveTypes => "hr_leave_types",
        }
    }
}

/// Serialises changes of the reporting lines: on PostgreSQL an advisory
/// transaction lock, so two contracts that would each close half of a
/// manager loop cannot both pass the check; SQLite's single writer needs none.
pub async fn lock_org(tx: &mut Tx) -> Result<()> {
    if let Tx::Pg(t) = tx {
        sqlx::query("SELECT pg_advisory_xact_lock(hashtext('seam-hr-org'))::text")
            .fetch_one(&mut **t)
            .await?;
    }
    Ok(())
}

// ------------------------------------------------------------------ employees

/// An employee as stored, with the current contract's position,
/// department and manager as of the date the query was asked for.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct EmployeeRow {
    pub id: i64,
    pub number: String,
    pub party_id: i64,
    pub user_id: Option<i64>,
    pub username: Option<String>,
    pub name: String,
    pub work_email: Option<String>,
    pub birth_date: Option<String>,
    pub personal_email: Option<String>,
    pub personal_phone: Option<String>,
    pub street: String,
    pub postal_code: String,
    pub city: String,
    pub country: Option<String>,
    pub national_id: Option<String>,
    pub iban: Option<String>,
    pub version: i64,
    pub created_at_us: i64,
    pub updated_at_us: i64,
    pub position_title: Option<String>,
    pub department_id: Option<i64>,
    pub department_name: Option<String>,
    pub manager_id: Option<i64>,
    pub manager_name: Option<String>,
}

/// `$1` is the date the current contract is taken at.
const EMPLOYEE_SELECT: &str = "SELECT e.id, e.number, e.party_id, e.user_id, u.username, e.name, \
     e.work_email, e.birth_date, e.personal_email, e.personal_phone, e.street, e.postal_code, e.city, \
     e.country, e.national_id, e.iban, e.version, e.created_at_us, e.updated_at_us, \
     p.title AS position_title, c.department_id, d.name AS department_name, c.manager_id, \
     m.name AS manager_name \
     FROM employees e LEFT JOIN users u ON u.id = e.user_id \
     LEFT JOIN hr_contracts c ON c.employee_id = e.id AND c.start_date <= $1 \
       AND (c.end_date IS NULL OR c.end_date >= $1) \
     LEFT JOIN hr_positions p ON p.id = c.position_id \
     LEFT JOIN hr_departments d ON d.id = c.department_id \
     LEFT JOIN employees m ON m.id = c.manager_id";

/// An employee's own fields, as the app validated them.
#[derive(Debug, Clone)]
pub struct EmployeeFields<'a> {
    pub name: &'a str,
    pub work_email: Option<&'a str>,
    pub birth_date: Option<&'a str>,
    pub contact: ContactFields<'a>,
    pub national_id: Option<&'a str>,
    pub iban: Option<&'a str>,
}

/// The contact data an employee may edit themself.
#[derive(Debug, Clone)]
pub struct ContactFields<'a> {
    pub personal_email: Option<&'a str>,
    pub personal_phone: Option<&'a str>,
    pub street: &'a str,
    pub postal_code: &'a str,
    pub city: &'a str,
    pub country: Option<&'a str>,
}

/// Adds an employee. Errors: [`StoreError::Duplicate`] when the party or
/// the login already belongs to an employee.
pub async fn insert_employee(
    tx: &mut Tx,
    number: &str,
    party_id: i64,
    user_id: Option<i64>,
    f: &EmployeeFields<'_>,
    created_by: &str,
    now_us: i64,
) -> Result<i64> {
    const SQL: &str = "INSERT INTO employees (number, party_id, user_id, name, work_email, birth_date, \
         personal_email, personal_phone, street, postal_code, city, country, national_id, iban, version, \
         created_by, created_at_us, updated_at_us) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, 1, $15, $16, $16) RETURNING id";
    on_tx!(tx, c => sqlx::query_scalar::<_, i64>(SQL)
        .bind(number)
        .bind(party_id)
        .bind(user_id)
        .bind(f.name)
        .bind(f.work_email)
        .bind(f.birth_date)
        .bind(f.contact.personal_email)
        .bind(f.contact.personal_phone)
        .bind(f.contact.street)
        .bind(f.contact.postal_code)
        .bind(f.contact.city)
        .bind(f.contact.country)
        .bind(f.national_id)
        .bind(f.iban)
        .bind(created_by)
        .bind(now_us)
        .fetch_one(c)
        .await
        .map_err(StoreError::from_insert))
}

/// Rewrites an employee's fields if the row still has `version`.
/// Errors: [`StoreError::Stale`].
pub async fn update_employee(
    tx: &mut Tx,
    id: i64,
    version: i64,
    f: &EmployeeFields<'_>,
    now_us: i64,
) -> Result<()> {
    const SQL: &str = "UPDATE employees SET name = $3, work_email = $4, birth_date = $5, \
         personal_email = $6, personal_phone = $7, street = $8, postal_code = $9, city = $10, country = $11, \
         national_id = $12, iban = $13, version = version + 1, updated_at_us = $14 \
         WHERE id = $1 AND version = $2";
    let done = on_tx!(tx, c => sqlx::query(SQL)
        .bind(id)
        .bind(version)
        .bind(f.name)
        .bind(f.work_email)
        .bind(f.birth_date)
        .bind(f.contact.personal_email)
        .bind(f.contact.personal_phone)
        .bind(f.contact.street)
        .bind(f.contact.postal_code)
        .bind(f.contact.city)
        .bind(f.contact.country)
        .bind(f.national_id)
        .bind(f.iban)
        .bind(now_us)
        .execute(c)
        .await?
        .rows_affected());
    if done == 0 {
        return Err(StoreError::Stale);
    }
    Ok(())
}

/// Rewrites only the contact data (self-service). Errors: [`StoreError::Stale`].
pub async fn update_contact(
    tx: &mut Tx,
    id: i64,
    version: i64,
    f: &ContactFields<'_>,
    now_us: i64,
) -> Result<()> {
    const SQL: &str = "UPDATE employees SET personal_email = $3, personal_phone = $4, street = $5, \
         postal_code = $6, city = $7, country = $8, version = version + 1, updated_at_us = $9 \
         WHERE id = $1 AND version = $2";
    let done = on_tx!(tx, c => sqlx::query(SQL)
        .bind(id)
        .bind(version)
        .bind(f.personal_email)
        .bind(f.personal_phone)
        .bind(f.street)
        .bind(f.postal_code)
        .bind(f.city)
        .bind(f.country)
        .bind(now_us)
        .execute(c)
        .await?
        .rows_affected());
    if done == 0 {
        return Err(StoreError::Stale);
    }
    Ok(())
}

/// Links an employee to a login, or unlinks it. Errors:
/// [`StoreError::Duplicate`] when the login belongs to another employee.
pub async fn set_employee_user(
    tx: &mut Tx,
    id: i64,
    user_id: Option<i64>,
    now_us: i64,
) -> Result<()> {
    const SQL: &str = "UPDATE employees SET user_id = $2, version = version + 1, updated_at_us = $3 \
         WHERE id = $1";
    on_tx!(tx, c => sqlx::query(SQL)
        .bind(id)
        .bind(user_id)
        .bind(now_us)
        .execute(c)
        .await
        .map(|_| ())
        .map_err(StoreError::from_insert)?);
    Ok(())
}

/// One employee as of `on_date`, or `None`.
pub async fn employee(db: &Db, id: i64, on_date: &str) -> Result<Option<EmployeeRow>> {
    let sql = sqlx::AssertSqlSafe(format!("{EMPLOYEE_SELECT} WHERE e.id = $2"));
    Ok(on_read!(db, p => sqlx::query_as::<_, EmployeeRow>(sql)
        .bind(on_date)
        .bind(id)
        .fetch_optional(p)
        .await?))
}

/// One employee inside a write transaction, locked on PostgreSQL until commit.
pub async fn employee_in_tx(tx: &mut Tx, id: i64, on_date: &str) -> Result<EmployeeRow> {
    let sql = match tx {
        Tx::Sqlite(_) => format!("{EMPLOYEE_SELECT} WHERE e.id = $2"),
        Tx::Pg(_) => format!("{EMPLOYEE_SELECT} WHERE e.id = $2 FOR NO KEY UPDATE OF e"),
    };
    let sql = sqlx::AssertSqlSafe(sql);
    let row = on_tx!(tx, c => sqlx::query_as::<_, EmployeeRow>(sql)
        .bind(on_date)
        .bind(id)
        .fetch_optional(c)
        .await?);
    row.ok_or(StoreError::NotFound)
}

/// The employee a login belongs to, or `None`.
pub async fn employee_of_user(db: &Db, user_id: i64) -> Result<Option<i64>> {
    const SQL: &str = "SELECT id FROM employees WHERE user_id = $1";
    Ok(on_read!(db, p => sqlx::query_scalar::<_, i64>(SQL)
        .bind(user_id)
        .fetch_optional(p)
        .await?))
}

/// The employee a login belongs to, inside a write transaction.
pub async fn employee_of_user_in_tx(tx: &mut Tx, user_id: i64) -> Result<Option<i64>> {
    const SQL: &str = "SELECT id FROM employees WHERE user_id = $1";
    Ok(on_tx!(tx, c => sqlx::query_scalar::<_, i64>(SQL)
        .bind(user_id)
        .fetch_optional(c)
        .await?))
}

/// The login of the employee a party stands for, or `None` (a customer's
/// party, or an employee without a login).
pub async fn login_of_party(db: &Db, party_id: i64) -> Result<Option<i64>> {
    const SQL: &str = "SELECT user_id FROM employees WHERE party_id = $1 AND user_id IS NOT NULL";
    Ok(on_read!(db, p => sqlx::query_scalar::<_, i64>(SQL)
        .bind(party_id)
        .fetch_optional(p)
        .await?))
}

/// What narrows the employee list.
#[derive(Debug, Clone, Default)]
pub struct EmployeeFilter {
    /// Part of the name, number or work e-mail.
    pub text: String,
    pub department_id: Option<i64>,
    /// Only those reporting to this employee.
    pub manager_id: Option<i64>,
}

/// Employees by name as of `on_date`, at most `limit`.
pub async fn list_employees(
    db: &Db,
    filter: &EmployeeFilter,
    on_date: &str,
    limit: i64,
) -> Result<Vec<EmployeeRow>> {
    let pattern = format!("%{}%", filter.text.trim().to_lowercase());
    let sql = sqlx::AssertSqlSafe(format!(
        "{EMPLOYEE_SELECT} WHERE ($2 = '%%' OR LOWER(e.name) LIKE $2 OR LOWER(e.number) LIKE $2 \
           OR LOWER(COALESCE(e.work_email, '')) LIKE $2) \
         AND ($3 = 0 OR c.department_id = $3) AND ($4 = 0 OR c.manager_id = $4) \
         ORDER BY e.name, e.id LIMIT $5"
    ));
    Ok(on_read!(db, p => sqlx::query_as::<_, EmployeeRow>(sql)
        .bind(on_date)
        .bind(&pattern)
        .bind(filter.department_id.unwrap_or(0))
        .bind(filter.manager_id.unwrap_or(0))
        .bind(limit)
        .fetch_all(p)
        .await?))
}

/// How many employees there are.
pub async fn employee_count(db: &Db) -> Result<i64> {
    const SQL: &str = "SELECT COUNT(*) FROM employees";
    Ok(on_read!(db, p => sqlx::query_scalar::<_, i64>(SQL).fetch_one(p).await?))
}

// ----------------------------------------------------- contacts and documents

/// Someone to call in an emergency.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct EmergencyContactRow {
    pub id: i64,
    pub employee_id: i64,
    pub name: String,
    pub relation: String,
    pub phone: String,
}

/// Adds an emergency contact.
pub async fn insert_emergency_contact(
    tx: &mut Tx,
    employee_id: i64,
    name: &str,
    relation: &str,
    phone: &str,
    now_us: i64,
) -> Result<i64> {
    const SQL: &str = "INSERT INTO hr_emergency_contacts (employee_id, name, relation, phone, created_at_us) \
         VALUES ($1, $2, $3, $4, $5) RETURNING id";
    Ok(on_tx!(tx, c => sqlx::query_scalar::<_, i64>(SQL)
        .bind(employee_id)
        .bind(name)
        .bind(relation)
        .bind(phone)
        .bind(now_us)
        .fetch_one(c)
        .await?))
}

/// Removes an emergency contact of this employee. Errors: [`StoreError::NotFound`].
pub async fn delete_emergency_contact(tx: &mut Tx, employee_id: i64, id: i64) -> Result<()> {
    const SQL: &str = "DELETE FROM hr_emergency_contacts WHERE id = $1 AND employee_id = $2";
    let done = on_tx!(tx, c => sqlx::query(SQL)
        .bind(id)
        .bind(employee_id)
        .execute(c)
        .await?
        .rows_affected());
    if done == 0 {
        return Err(StoreError::NotFound);
    }
    Ok(())
}

/// An employee's emergency contacts, oldest first.
pub async fn emergency_contacts(db: &Db, employee_id: i64) -> Result<Vec<EmergencyContactRow>> {
    const SQL: &str = "SELECT id, employee_id, name, relation, phone FROM hr_emergency_contacts \
         WHERE employee_id = $1 ORDER BY id";
    Ok(
        on_read!(db, p => sqlx::query_as::<_, EmergencyContactRow>(SQL)
        .bind(employee_id)
        .fetch_all(p)
        .await?),
    )
}

/// A document's description (its content is read on its own).
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct DocumentRow {
    pub id: i64,
    pub employee_id: i64,
    pub title: String,
    pub file_name: String,
    pub content_type: String,
    pub size_bytes: i64,
    pub uploaded_by: String,
    pub uploaded_at_us: i64,
}

/// A new document's description and content.
#[derive(Debug, Clone)]
pub struct NewDocument<'a> {
    pub title: &'a str,
    pub file_name: &'a str,
    pub content_type: &'a str,
    pub size_bytes: i64,
    pub content_b64: &'a str,
}

/// Stores a document.
pub async fn insert_document(
    tx: &mut Tx,
    employee_id: i64,
    doc: &NewDocument<'_>,
    uploaded_by: &str,
    now_us: i64,
) -> Result<i64> {
    const SQL: &str = "INSERT INTO hr_documents (employee_id, title, file_name, content_type, size_bytes, \
         content_b64, uploaded_by, uploaded_at_us) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id";
    Ok(on_tx!(tx, c => sqlx::query_scalar::<_, i64>(SQL)
        .bind(employee_id)
        .bind(doc.title)
        .bind(doc.file_name)
        .bind(doc.content_type)
        .bind(doc.size_bytes)
        .bind(doc.content_b64)
        .bind(uploaded_by)
        .bind(now_us)
        .fetch_one(c)
        .await?))
}

/// An employee's documents, newest first.
pub async fn documents(db: &Db, employee_id: i64) -> Result<Vec<DocumentRow>> {
    const SQL: &str = "SELECT id, employee_id, title, file_name, content_type, size_bytes, uploaded_by, \
         uploaded_at_us FROM hr_documents WHERE employee_id = $1 ORDER BY id DESC";
    Ok(on_read!(db, p => sqlx::query_as::<_, DocumentRow>(SQL)
        .bind(employee_id)
        .fetch_all(p)
        .await?))
}

/// A document with its base64 content, or `None`.
pub async fn document_content(db: &Db, id: i64) -> Result<Option<(DocumentRow, String)>> {
    const SQL: &str = "SELECT id, employee_id, title, file_name, content_type, size_bytes, uploaded_by, \
         uploaded_at_us FROM hr_documents WHERE id = $1";
    const CONTENT: &str = "SELECT content_b64 FROM hr_documents WHERE id = $1";
    let row = on_read!(db, p => sqlx::query_as::<_, DocumentRow>(SQL)
        .bind(id)
        .fetch_optional(p)
        .await?);
    let Some(row) = row else { return Ok(None) };
    let content = on_read!(db, p => sqlx::query_scalar::<_, String>(CONTENT)
        .bind(id)
        .fetch_one(p)
        .await?);
    Ok(Some((row, content)))
}

// ------------------------------------------------------------------ contracts

/// An employment contract, with the names it refers to.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct ContractRow {
    pub id: i64,
    pub employee_id: i64,
    pub start_date: String,
    pub end_date: Option<String>,
    pub position_id: Option<i64>,
    pub position_title: Option<String>,
    pub department_id: Option<i64>,
    pub department_name: Option<String>,
    pub manager_id: Option<i64>,
    pub manager_name: Option<String>,
    pub working_time_pct: i64,
    pub hours_per_week_x100: i64,
    pub salary_minor: i64,
    pub currency: String,
    pub salary_period: String,
    pub created_at_us: i64,
}

const CONTRACT_SELECT: &str = "SELECT c.id, c.employee_id, c.start_date, c.end_date, c.position_id, \
     p.title AS position_title, c.department_id, d.name AS department_name, c.manager_id, \
     m.name AS manager_name, c.working_time_pct, c.hours_per_week_x100, c.salary_minor, c.currency, \
     c.salary_period, c.created_at_us \
     FROM hr_contracts c LEFT JOIN hr_positions p ON p.id = c.position_id \
     LEFT JOIN hr_departments d ON d.id = c.department_id LEFT JOIN employees m ON m.id = c.manager_id";

/// A contract's fields, as the app validated them.
#[derive(Debug, Clone)]
pub struct ContractFields<'a> {
    pub start_date: &'a str,
    pub end_date: Option<&'a str>,
    pub position_id: Option<i64>,
    pub department_id: Option<i64>,
    pub manager_id: Option<i64>,
    pub working_time_pct: i64,
    pub hours_per_week_x100: i64,
    pub salary_minor: i64,
    pub currency: &'a str,
    pub salary_period: &'a str,
}

/// Adds a contract.
pub async fn insert_contract(
    tx: &mut Tx,
    employee_id: i64,
    f: &ContractFields<'_>,
    created_by: &str,
    now_us: i64,
) -> Result<i64> {
    const SQL: &str = "INSERT INTO hr_contracts (employee_id, start_date, end_date, position_id, \
         department_id, manager_id, working_time_pct, hours_per_week_x100, salary_minor, currency, \
         salary_period, created_by, created_at_us) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13) RETURNING id";
    Ok(on_tx!(tx, c => sqlx::query_scalar::<_, i64>(SQL)
        .bind(employee_id)
        .bind(f.start_date)
        .bind(f.end_date)
        .bind(f.position_id)
        .bind(f.department_id)
        .bind(f.manager_id)
        .bind(f.working_time_pct)
        .bind(f.hours_per_week_x100)
        .bind(f.salary_minor)
        .bind(f.currency)
        .bind(f.salary_period)
        .bind(created_by)
        .bind(now_us)
        .fetch_one(c)
        .await?))
}

/// Sets the last day of a contract (ending it, or closing an open one
/// before a new one starts). Errors: [`StoreError::NotFound`].
pub async fn end_contract(tx: &mut Tx, id: i64, end_date: &str) -> Result<()> {
    const SQL: &str = "UPDATE hr_contracts SET end_date = $2 WHERE id = $1";
    let done = on_tx!(tx, c => sqlx::query(SQL)
        .bind(id)
        .bind(end_date)
        .execute(c)
        .await?
        .rows_affected());
    if done == 0 {
        return Err(StoreError::NotFound);
    }
    Ok(())
}

/// An employee's contracts, earliest first.
pub async fn contracts_of(db: &Db, employee_id: i64) -> Result<Vec<ContractRow>> {
    let sql = sqlx::AssertSqlSafe(format!(
        "{CONTRACT_SELECT} WHERE c.employee_id = $1 ORDER BY c.start_date, c.id"
    ));
    Ok(on_read!(db, p => sqlx::query_as::<_, ContractRow>(sql)
        .bind(employee_id)
        .fetch_all(p)
        .await?))
}

/// An employee's contracts inside a write transaction, earliest first.
pub async fn contracts_in_tx(tx: &mut Tx, employee_id: i64) -> Result<Vec<ContractRow>> {
    let sql = sqlx::AssertSqlSafe(format!(
        "{CONTRACT_SELECT} WHERE c.employee_id = $1 ORDER BY c.start_date, c.id"
    ));
    Ok(on_tx!(tx, c => sqlx::query_as::<_, ContractRow>(sql)
        .bind(employee_id)
        .fetch_all(c)
        .await?))
}

/// Every `(employee, manager)` pair of the contracts in force on `on_date`.
pub async fn reporting_lines(tx: &mut Tx, on_date: &str) -> Result<Vec<(i64, i64)>> {
    const SQL: &str = "SELECT employee_id, manager_id FROM hr_contracts WHERE manager_id IS NOT NULL \
         AND start_date <= $1 AND (end_date IS NULL OR end_date >= $1)";
    let rows: Vec<(i64, Option<i64>)> = on_tx!(tx, c => sqlx::query_as(SQL)
        .bind(on_date)
        .fetch_all(c)
        .await?);
    Ok(rows
        .into_iter()
        .filter_map(|(e, m)| m.map(|m| (e, m)))
        .collect())
}

/// Every manager any contract has named from `from_date` on, per employee:
/// the lines a new contract must not close into a loop at any time.
pub async fn reporting_lines_from(tx: &mut Tx, from_date: &str) -> Result<Vec<(i64, i64)>> {
    const SQL: &str = "SELECT employee_id, manager_id FROM hr_contracts WHERE manager_id IS NOT NULL \
         AND (end_date IS NULL OR end_date >= $1)";
    let rows: Vec<(i64, Option<i64>)> = on_tx!(tx, c => sqlx::query_as(SQL)
        .bind(from_date)
        .fetch_all(c)
        .await?);
    Ok(rows
        .into_iter()
        .filter_map(|(e, m)| m.map(|m| (e, m)))
        .collect())
}

/// The employee ids whose contract in force on `on_date` names `manager_id`.
pub async fn reports_of(tx: &mut Tx, manager_id: i64, on_date: &str) -> Result<Vec<i64>> {
    const SQL: &str = "SELECT employee_id FROM hr_contracts WHERE manager_id = $1 \
         AND start_date <= $2 AND (end_date IS NULL OR end_date >= $2)";
    Ok(on_tx!(tx, c => sqlx::query_scalar::<_, i64>(SQL)
        .bind(manager_id)
        .bind(on_date)
        .fetch_all(c)
        .await?))
}

// ---------------------------------------------------------------------- leave

/// A kind of leave.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct LeaveTypeRow {
    pub id: i64,
    pub code: String,
    pub name: String,
    pub needs_entitlement: bool,
}

/// Every leave type, by name.
pub async fn leave_types(db: &Db) -> Result<Vec<LeaveTypeRow>> {
    const SQL: &str = "SELECT id, code, name, needs_entitlement FROM hr_leave_types ORDER BY id";
    Ok(on_read!(db, p => sqlx::query_as::<_, LeaveTypeRow>(SQL).fetch_all(p).await?))
}

/// One leave type inside a write transaction.
pub async fn leave_type_in_tx(tx: &mut Tx, id: i64) -> Result<Option<LeaveTypeRow>> {
    const SQL: &str = "SELECT id, code, name, needs_entitlement FROM hr_leave_types WHERE id = $1";
    Ok(on_tx!(tx, c => sqlx::query_as::<_, LeaveTypeRow>(SQL)
        .bind(id)
        .fetch_optional(c)
        .await?))
}

/// Adds a leave type. Errors: [`StoreError::Duplicate`] for a code in use.
pub async fn insert_leave_type(
    tx: &mut Tx,
    code: &str,
    name: &str,
    needs_entitlement: bool,
    now_us: i64,
) -> Result<i64> {
    const SQL: &str = "INSERT INTO hr_leave_types (code, name, needs_entitlement, created_at_us) \
         VALUES ($1, $2, $3, $4) RETURNING id";
    on_tx!(tx, c => sqlx::query_scalar::<_, i64>(SQL)
        .bind(code)
        .bind(name)
        .bind(needs_entitlement)
        .bind(now_us)
        .fetch_one(c)
        .await
        .map_err(StoreError::from_insert))
}

/// A yearly entitlement.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct EntitlementRow {
    pub leave_type_id: i64,
    pub year: i64,
    pub half_days: i64,
}

/// Sets an employee's yearly entitlement of one leave type. Returns the
/// previous value, if any.
pub async fn set_entitlement(
    tx: &mut Tx,
    employee_id: i64,
    leave_type_id: i64,
    year: i64,
    half_days: i64,
    now_us: i64,
) -> Result<Option<i64>> {
    const OLD: &str = "SELECT half_days FROM hr_entitlements \
         WHERE employee_id = $1 AND leave_type_id = $2 AND year = $3";
    let old = on_tx!(tx, c => sqlx::query_scalar::<_, i64>(OLD)
        .bind(employee_id)
        .bind(leave_type_id)
        .bind(year)
        .fetch_optional(c)
        .await?);
    const SQL: &str = "INSERT INTO hr_entitlements (employee_id, leave_type_id, year, half_days, updated_at_us) \
         VALUES ($1, $2, $3, $4, $5) ON CONFLICT (employee_id, leave_type_id, year) \
         DO UPDATE SET half_days = $4, updated_at_us = $5";
    on_tx!(tx, c => sqlx::query(SQL)
        .bind(employee_id)
        .bind(leave_type_id)
        .bind(year)
        .bind(half_days)
        .bind(now_us)
        .execute(c)
        .await
        .map(|_| ())?);
    Ok(old)
}

/// An employee's entitlements of one year.
pub async fn entitlements(db: &Db, employee_id: i64, year: i64) -> Result<Vec<EntitlementRow>> {
    const SQL: &str = "SELECT leave_type_id, year, half_days FROM hr_entitlements \
         WHERE employee_id = $1 AND year = $2 ORDER BY leave_type_id";
    Ok(on_read!(db, p => sqlx::query_as::<_, EntitlementRow>(SQL)
        .bind(employee_id)
        .bind(year)
        .fetch_all(p)
        .await?))
}

/// One entitlement inside a write transaction (zero when none is set).
pub async fn entitlement_in_tx(
    tx: &mut Tx,
    employee_id: i64,
    leave_type_id: i64,
    year: i64,
) -> Result<i64> {
    const SQL: &str = "SELECT half_days FROM hr_entitlements \
         WHERE employee_id = $1 AND leave_type_id = $2 AND year = $3";
    Ok(on_tx!(tx, c => sqlx::query_scalar::<_, i64>(SQL)
        .bind(employee_id)
        .bind(leave_type_id)
        .bind(year)
        .fetch_optional(c)
        .await?)
    .unwrap_or(0))
}

/// A public holiday.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct HolidayRow {
    pub id: i64,
    pub date: String,
    pub name: String,
}

/// Adds a public holiday. Errors: [`StoreError::Duplicate`] for a date already in the calendar.
pub async fn insert_holiday(tx: &mut Tx, date: &str, name: &str, now_us: i64) -> Result<i64> {
    const SQL: &str =
        "INSERT INTO hr_holidays (date, name, created_at_us) VALUES ($1, $2, $3) RETURNING id";
    on_tx!(tx, c => sqlx::query_scalar::<_, i64>(SQL)
        .bind(date)
        .bind(name)
        .bind(now_us)
        .fetch_one(c)
        .await
        .map_err(StoreError::from_insert))
}

/// Removes a public holiday; returns it. Errors: [`StoreError::NotFound`].
pub async fn delete_holiday(tx: &mut Tx, id: i64) -> Result<HolidayRow> {
    const SQL: &str = "DELETE FROM hr_holidays WHERE id = $1 RETURNING id, date, name";
    let row = on_tx!(tx, c => sqlx::query_as::<_, HolidayRow>(SQL)
        .bind(id)
        .fetch_optional(c)
        .await?);
    row.ok_or(StoreError::NotFound)
}

/// The holidays from `from` to `to` (both included), by date.
pub async fn holidays(db: &Db, from: &str, to: &str) -> Result<Vec<HolidayRow>> {
    const SQL: &str =
        "SELECT id, date, name FROM hr_holidays WHERE date >= $1 AND date <= $2 ORDER BY date";
    Ok(on_read!(db, p => sqlx::query_as::<_, HolidayRow>(SQL)
        .bind(from)
        .bind(to)
        .fetch_all(p)
        .await?))
}

/// The holidays from `from` to `to`, inside a write transaction.
pub async fn holidays_in_tx(tx: &mut Tx, from: &str, to: &str) -> Result<Vec<HolidayRow>> {
    const SQL: &str =
        "SELECT id, date, name FROM hr_holidays WHERE date >= $1 AND date <= $2 ORDER BY date";
    Ok(on_tx!(tx, c => sqlx::query_as::<_, HolidayRow>(SQL)
        .bind(from)
        .bind(to)
        .fetch_all(c)
        .await?))
}

/// A leave request, with its employee and type.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct LeaveRequestRow {
    pub id: i64,
    pub employee_id: i64,
    pub employee_name: String,
    pub leave_type_id: i64,
    pub leave_type_code: String,
    pub leave_type_name: String,
    pub start_date: String,
    pub end_date: String,
    pub half_day: bool,
    pub half_days: i64,
    pub state: String,
    pub note: String,
    pub decided_by: Option<String>,
    pub decided_at_us: Option<i64>,
    pub decision_note: String,
    pub created_at_us: i64,
}

const REQUEST_SELECT: &str = "SELECT r.id, r.employee_id, e.name AS employee_name, r.leave_type_id, \
     t.code AS leave_type_code, t.name AS leave_type_name, r.start_date, r.end_date, r.half_day, \
     r.half_days, r.state, r.note, r.decided_by, r.decided_at_us, r.decision_note, r.created_at_us \
     FROM hr_leave_requests r JOIN employees e ON e.id = r.employee_id \
     JOIN hr_leave_types t ON t.id = r.leave_type_id";

/// A new request's fields.
#[derive(Debug, Clone)]
pub struct NewLeaveRequest<'a> {
    pub employee_id: i64,
    pub leave_type_id: i64,
    pub start_date: &'a str,
    pub end_date: &'a str,
    pub half_day: bool,
    pub half_days: i64,
    pub note: &'a str,
}

/// Adds a pending request.
pub async fn insert_leave_request(
    tx: &mut Tx,
    r: &NewLeaveRequest<'_>,
    created_by: &str,
    now_us: i64,
) -> Result<i64> {
    const SQL: &str = "INSERT INTO hr_leave_requests (employee_id, leave_type_id, start_date, end_date, \
         half_day, half_days, state, note, decision_note, created_by, created_at_us, updated_at_us) \
         VALUES ($1, $2, $3, $4, $5, $6, 'pending', $7, '', $8, $9, $9) RETURNING id";
    Ok(on_tx!(tx, c => sqlx::query_scalar::<_, i64>(SQL)
        .bind(r.employee_id)
        .bind(r.leave_type_id)
        .bind(r.start_date)
        .bind(r.end_date)
        .bind(r.half_day)
        .bind(r.half_days)
        .bind(r.note)
        .bind(created_by)
        .bind(now_us)
        .fetch_one(c)
        .await?))
}

/// Moves a request from `from` to `to`, with who decided. Errors:
/// [`StoreError::Stale`] when it is no longer in `from`.
pub async fn decide_leave_request(
    tx: &mut Tx,
    id: i64,
    from: &str,
    to: &str,
    decided_by: &str,
    note: &str,
    now_us: i64,
) -> Result<()> {
    const SQL: &str = "UPDATE hr_leave_requests SET state = $3, decided_by = $4, decided_at_us = $6, \
         decision_note = $5, updated_at_us = $6 WHERE id = $1 AND state = $2";
    let done = on_tx!(tx, c => sqlx::query(SQL)
        .bind(id)
        .bind(from)
        .bind(to)
        .bind(decided_by)
        .bind(note)
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
pub async fn leave_request(db: &Db, id: i64) -> Result<Option<LeaveRequestRow>> {
    let sql = sqlx::AssertSqlSafe(format!("{REQUEST_SELECT} WHERE r.id = $1"));
    Ok(on_read!(db, p => sqlx::query_as::<_, LeaveRequestRow>(sql)
        .bind(id)
        .fetch_optional(p)
        .await?))
}

/// One request inside a write transaction, locked on PostgreSQL until commit.
pub async fn leave_request_in_tx(tx: &mut Tx, id: i64) -> Result<LeaveRequestRow> {
    crate::locked_row(tx, REQUEST_SELECT, "r", id).await
}

/// The employee's pending or approved requests that share a day with
/// `start`–`end`.
pub async fn overlapping_requests(
    tx: &mut Tx,
    employee_id: i64,
    start: &str,
    end: &str,
) -> Result<Vec<LeaveRequestRow>> {
    let sql = sqlx::AssertSqlSafe(format!(
        "{REQUEST_SELECT} WHERE r.employee_id = $1 AND r.state IN ('pending', 'approved') \
         AND r.start_date <= $3 AND r.end_date >= $2 ORDER BY r.start_date"
    ));
    Ok(on_tx!(tx, c => sqlx::query_as::<_, LeaveRequestRow>(sql)
        .bind(employee_id)
        .bind(start)
        .bind(end)
        .fetch_all(c)
        .await?))
}

/// The half days held (pending or approved) of one type in one year.
pub async fn held_half_days(
    tx: &mut Tx,
    employee_id: i64,
    leave_type_id: i64,
    year: i64,
) -> Result<i64> {
    const SQL: &str = "SELECT CAST(COALESCE(SUM(half_days), 0) AS BIGINT) FROM hr_leave_requests \
         WHERE employee_id = $1 AND leave_type_id = $2 AND state IN ('pending', 'approved') \
         AND start_date >= $3 AND start_date <= $4";
    let (from, to) = (format!("{year:04}-01-01"), format!("{year:04}-12-31"));
    let sum: i64 = on_tx!(tx, c => sqlx::query_scalar::<_, i64>(SQL)
        .bind(employee_id)
        .bind(leave_type_id)
        .bind(&from)
        .bind(&to)
        .fetch_one(c)
        .await?);
    Ok(sum)
}

/// Used and pending half days per type of one employee in one year:
/// `(leave_type_id, state, half_days)`.
pub async fn taken_by_type(
    db: &Db,
    employee_id: i64,
    year: i64,
) -> Result<Vec<(i64, String, i64)>> {
    const SQL: &str = "SELECT leave_type_id, state, CAST(COALESCE(SUM(half_days), 0) AS BIGINT) FROM hr_leave_requests \
         WHERE employee_id = $1 AND state IN ('pending', 'approved') AND start_date >= $2 AND start_date <= $3 \
         GROUP BY leave_type_id, state";
    let (from, to) = (format!("{year:04}-01-01"), format!("{year:04}-12-31"));
    Ok(
        on_read!(db, p => sqlx::query_as::<_, (i64, String, i64)>(SQL)
        .bind(employee_id)
        .bind(&from)
        .bind(&to)
        .fetch_all(p)
        .await?),
    )
}

/// What narrows a list of requests.
#[derive(Debug, Clone, Default)]
pub struct RequestFilter {
    pub employee_id: Option<i64>,
    pub state: Option<String>,
    /// Requests that end on or after this date.
    pub from: Option<String>,
    /// Requests that start on or before this date.
    pub to: Option<String>,
    /// Employees whose contract in force on `from` (or today) is in this department.
    pub department_id: Option<i64>,
    /// Employees whose contract in force on `from` (or today) names this manager.
    pub manager_id: Option<i64>,
    /// The date contracts are taken at for the department and manager filters.
    pub on_date: String,
}

/// Requests by start date, at most `limit`.
pub async fn list_requests(db: &Db, f: &RequestFilter, limit: i64) -> Result<Vec<LeaveRequestRow>> {
    let sql = sqlx::AssertSqlSafe(format!(
        "{REQUEST_SELECT} WHERE ($1 = 0 OR r.employee_id = $1) AND ($2 = '' OR r.state = $2) \
         AND ($3 = '' OR r.end_date >= $3) AND ($4 = '' OR r.start_date <= $4) \
         AND ($5 = 0 AND $6 = 0 OR EXISTS (SELECT 1 FROM hr_contracts c WHERE c.employee_id = r.employee_id \
           AND c.start_date <= $7 AND (c.end_date IS NULL OR c.end_date >= $7) \
           AND ($5 = 0 OR c.department_id = $5) AND ($6 = 0 OR c.manager_id = $6))) \
         ORDER BY r.start_date, r.id LIMIT $8"
    ));
    Ok(on_read!(db, p => sqlx::query_as::<_, LeaveRequestRow>(sql)
        .bind(f.employee_id.unwrap_or(0))
        .bind(f.state.as_deref().unwrap_or(""))
        .bind(f.from.as_deref().unwrap_or(""))
        .bind(f.to.as_deref().unwrap_or(""))
        .bind(f.department_id.unwrap_or(0))
        .bind(f.manager_id.unwrap_or(0))
        .bind(&f.on_date)
        .bind(limit)
        .fetch_all(p)
        .await?))
}

// ---------------------------------------------------------------------- feeds

/// Replaces the absence feed token of a department (or, with `None`, of the
/// whole company) with one whose SHA-256 is `token_hash`.
pub async fn replace_feed(
    tx: &mut Tx,
    department_id: Option<i64>,
    token_hash: &str,
    now_us: i64,
) -> Result<()> {
    const DELETE: &str = "DELETE FROM hr_calendar_feeds WHERE COALESCE(department_id, 0) = $1";
    on_tx!(tx, c => sqlx::query(DELETE)
        .bind(department_id.unwrap_or(0))
        .execute(c)
        .await
        .map(|_| ())?);
    const INSERT: &str = "INSERT INTO hr_calendar_feeds (token_hash, department_id, created_at_us) VALUES ($1, $2, $3)";
    on_tx!(tx, c => sqlx::query(INSERT)
        .bind(token_hash)
        .bind(department_id)
        .bind(now_us)
        .execute(c)
        .await
        .map(|_| ())
        .map_err(StoreError::from_insert)?);
    Ok(())
}

/// The department a feed token opens: `Some(None)` for the whole company,
/// `None` for no feed.
pub async fn feed_department(db: &Db, token_hash: &str) -> Result<Option<Option<i64>>> {
    const SQL: &str = "SELECT department_id FROM hr_calendar_feeds WHERE token_hash = $1";
    Ok(on_read!(db, p => sqlx::query_scalar::<_, Option<i64>>(SQL)
        .bind(token_hash)
        .fetch_optional(p)
        .await?))
}
