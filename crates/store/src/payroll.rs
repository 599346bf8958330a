//! Payroll: salary structures and their versions, the employees' payroll
//! records, runs and payslips. Every list is one query (employee names come
//! by join), so a run of any size reads in a fixed number of round trips.

use crate::{Db, Result, StoreError, Tx, locked_row, on_read, on_tx};

#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct StructureRow {
    pub id: i64,
    pub name: String,
    pub currency: String,
    pub created_at_us: i64,
    /// The latest version's first day, if any.
    pub latest_from: Option<String>,
    pub employee_count: i64,
}

const STRUCTURE_SELECT: &str = "SELECT s.id, s.name, s.currency, s.created_at_us, \
     (SELECT MAX(v.effective_from) FROM payroll_structure_versions v WHERE v.structure_id = s.id) AS latest_from, \
     (SELECT COUNT(*) FROM payroll_employees e WHERE e.structure_id = s.id) AS employee_count \
     FROM payroll_structures s";

/// Errors: [`StoreError::Duplicate`] when the name is taken.
pub async fn insert_structure(tx: &mut Tx, name: &str, currency: &str, now_us: i64) -> Result<i64> {
    const SQL: &str = "INSERT INTO payroll_structures (name, currency, created_at_us) \
         VALUES ($1, $2, $3) RETURNING id";
    on_tx!(tx, c => sqlx::query_scalar::<_, i64>(SQL)
        .bind(name)
        .bind(currency)
        .bind(now_us)
        .fetch_one(c)
        .await
        .map_err(StoreError::from_insert))
}

pub async fn structures(db: &Db) -> Result<Vec<StructureRow>> {
    let sql = sqlx::AssertSqlSafe(format!("{STRUCTURE_SELECT} ORDER BY s.name"));
    Ok(on_read!(db, p => sqlx::query_as::<_, StructureRow>(sql).fetch_all(p).await?))
}

pub async fn structure(db: &Db, id: i64) -> Result<Option<StructureRow>> {
    let sql = sqlx::AssertSqlSafe(format!("{STRUCTURE_SELECT} WHERE s.id = $1"));
    Ok(on_read!(db, p => sqlx::query_as::<_, StructureRow>(sql)
        .bind(id)
        .fetch_optional(p)
        .await?))
}

pub async fn structure_in_tx(tx: &mut Tx, id: i64) -> Result<StructureRow> {
    locked_row(tx, STRUCTURE_SELECT, "s", id).await
}

#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct VersionRow {
    pub id: i64,
    pub structure_id: i64,
    pub effective_from: String,
    /// The rules as JSON, written by the app.
    pub rules: String,
    pub created_by: String,
    pub created_at_us: i64,
}

const VERSION_COLUMNS: &str = "id, structure_id, effective_from, rules, created_by, created_at_us";

/// Errors: [`StoreError::Duplicate`] when the structure has a version from that day.
pub async fn insert_version(
    tx: &mut Tx,
    structure_id: i64,
    effective_from: &str,
    rules_json: &str,
    created_by: &str,
    now_us: i64,
) -> Result<i64> {
    const SQL: &str = "INSERT INTO payroll_structure_versions \
         (structure_id, effective_from, rules, created_by, created_at_us) \
         VALUES ($1, $2, $3, $4, $5) RETURNING id";
    on_tx!(tx, c => sqlx::query_scalar::<_, i64>(SQL)
        .bind(structure_id)
        .bind(effective_from)
        .bind(rules_json)
        .bind(created_by)
        .bind(now_us)
        .fetch_one(c)
        .await
        .map_err(StoreError::from_insert))
}

/// A structure's versions, latest first.
pub async fn versions(db: &Db, structure_id: i64) -> Result<Vec<VersionRow>> {
    let sql = sqlx::AssertSqlSafe(format!(
        "SELECT {VERSION_COLUMNS} FROM payroll_structure_versions WHERE structure_id = $1 \
         ORDER BY effective_from DESC"
    ));
    Ok(on_read!(db, p => sqlx::query_as::<_, VersionRow>(sql)
        .bind(structure_id)
        .fetch_all(p)
        .await?))
}

/// Every version of every structure, for a run to pick from (structures are few).
pub async fn all_versions(tx: &mut Tx) -> Result<Vec<VersionRow>> {
    let sql = sqlx::AssertSqlSafe(format!(
        "SELECT {VERSION_COLUMNS} FROM payroll_structure_versions ORDER BY structure_id, effective_from"
    ));
    Ok(on_tx!(tx, c => sqlx::query_as::<_, VersionRow>(sql).fetch_all(c).await?))
}

pub async fn version(db: &Db, id: i64) -> Result<Option<VersionRow>> {
    let sql = sqlx::AssertSqlSafe(format!(
        "SELECT {VERSION_COLUMNS} FROM payroll_structure_versions WHERE id = $1"
    ));
    Ok(on_read!(db, p => sqlx::query_as::<_, VersionRow>(sql)
        .bind(id)
        .fetch_optional(p)
        .await?))
}

/// An employee's payroll record, with names for lists.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct RecordRow {
    pub employee_id: i64,
    pub employee_number: String,
    pub employee_name: String,
    pub structure_id: i64,
    pub structure_name: String,
    pub start_date: String,
    pub end_date: Option<String>,
    pub version: i64,
}

const RECORD_SELECT: &str = "SELECT r.employee_id, e.number AS employee_number, e.name AS employee_name, \
     r.structure_id, s.name AS structure_name, r.start_date, r.end_date, r.version \
     FROM payroll_employees r JOIN employees e ON e.id = r.employee_id \
     JOIN payroll_structures s ON s.id = r.structure_id";

/// Errors: [`StoreError::Duplicate`] when the employee has a record already.
pub async fn insert_record(
    tx: &mut Tx,
    employee_id: i64,
    structure_id: i64,
    start_date: &str,
    end_date: Option<&str>,
    now_us: i64,
) -> Result<()> {
    const SQL: &str = "INSERT INTO payroll_employees \
         (employee_id, structure_id, start_date, end_date, version, created_at_us, updated_at_us) \
         VALUES ($1, $2, $3, $4, 1, $5, $5)";
    on_tx!(tx, c => sqlx::query(SQL)
        .bind(employee_id)
        .bind(structure_id)
        .bind(start_date)
        .bind(end_date)
        .bind(now_us)
        .execute(c)
        .await
        .map(|_| ())
        .map_err(StoreError::from_insert))
}

/// Errors: [`StoreError::Stale`] when the record changed since `version`.
pub async fn update_record(
    tx: &mut Tx,
    employee_id: i64,
    version: i64,
    structure_id: i64,
    end_date: Option<&str>,
    now_us: i64,
) -> Result<()> {
    const SQL: &str = "UPDATE payroll_employees SET structure_id = $1, end_date = $2, \
         version = version + 1, updated_at_us = $3 WHERE employee_id = $4 AND version = $5";
    let n = on_tx!(tx, c => sqlx::query(SQL)
        .bind(structure_id)
        .bind(end_date)
        .bind(now_us)
        .bind(employee_id)
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

pub async fn record(db: &Db, employee_id: i64) -> Result<Option<RecordRow>> {
    let sql = sqlx::AssertSqlSafe(format!("{RECORD_SELECT} WHERE r.employee_id = $1"));
    Ok(on_read!(db, p => sqlx::query_as::<_, RecordRow>(sql)
        .bind(employee_id)
        .fetch_optional(p)
        .await?))
}

pub async fn record_in_tx(tx: &mut Tx, employee_id: i64) -> Result<Option<RecordRow>> {
    let sql = sqlx::AssertSqlSafe(format!("{RECORD_SELECT} WHERE r.employee_id = $1"));
    Ok(on_tx!(tx, c => sqlx::query_as::<_, RecordRow>(sql)
        .bind(employee_id)
        .fetch_optional(c)
        .await?))
}

/// Every payroll record, by employee name.
pub async fn records(db: &Db) -> Result<Vec<RecordRow>> {
    let sql = sqlx::AssertSqlSafe(format!("{RECORD_SELECT} ORDER BY e.name, r.employee_id"));
    Ok(on_read!(db, p => sqlx::query_as::<_, RecordRow>(sql).fetch_all(p).await?))
}

/// Whether the employee exists (payroll records hang off HR's employees).
pub async fn employee_exists(tx: &mut Tx, employee_id: i64) -> Result<bool> {
    const SQL: &str = "SELECT COUNT(*) FROM employees WHERE id = $1";
    let n = on_tx!(tx, c => sqlx::query_scalar::<_, i64>(SQL)
        .bind(employee_id)
        .fetch_one(c)
        .await?);
    Ok(n > 0)
}

/// An employee a run pays, with the contract in effect on their last paid
/// day of the period.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct ScopeRow {
    pub employee_id: i64,
    pub employee_name: String,
    pub structure_id: i64,
    pub start_date: String,
    pub end_date: Option<String>,
    pub salary_minor: Option<i64>,
    pub salary_period: Option<String>,
    pub currency: Option<String>,
    pub hours_per_week_x100: Option<i64>,
}

/// The employees whose payroll record overlaps `[first, last]`, by name,
/// each with the latest HR contract that started by the end of the period
/// (or by their last day).
pub async fn scope(tx: &mut Tx, first: &str, last: &str) -> Result<Vec<ScopeRow>> {
    const SQL: &str = "SELECT r.employee_id, e.name AS employee_name, r.structure_id, r.start_date, r.end_date, \
         c.salary_minor, c.salary_period, c.currency, c.hours_per_week_x100 \
         FROM payroll_employees r JOIN employees e ON e.id = r.employee_id \
         LEFT JOIN hr_contracts c ON c.id = ( \
             SELECT c2.id FROM hr_contracts c2 WHERE c2.employee_id = r.employee_id \
             AND c2.start_date <= (CASE WHEN r.end_date IS NOT NULL AND r.end_date < $2 THEN r.end_date ELSE $2 END) \
             ORDER BY c2.start_date DESC, c2.id DESC LIMIT 1) \
         WHERE r.start_date <= $2 AND (r.end_date IS NULL OR r.end_date >= $1) \
         ORDER BY e.name, r.employee_id";
    Ok(on_tx!(tx, c => sqlx::query_as::<_, ScopeRow>(SQL)
        .bind(first)
        .bind(last)
        .fetch_all(c)
        .await?))
}

#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct RunRow {
    pub id: i64,
    pub number: String,
    pub period: String,
    pub kind: String,
    pub state: String,
    pub currency: String,
    pub gross_minor: i64,
    pub net_minor: i64,
    pub employer_minor: i64,
    pub payslip_count: i64,
    pub entry_id: Option<i64>,
    pub payment_entry_id: Option<i64>,
    pub created_by: String,
    pub approved_by: Option<String>,
    pub version: i64,
    pub created_at_us: i64,
    pub updated_at_us: i64,
}

const RUN_SELECT: &str = "SELECT r.id, r.number, r.period, r.kind, r.state, r.currency, r.gross_minor, \
     r.net_minor, r.employer_minor, r.payslip_count, r.entry_id, r.payment_entry_id, r.created_by, \
     r.approved_by, r.version, r.created_at_us, r.updated_at_us FROM payroll_runs r";

/// Errors: [`StoreError::Duplicate`] when the period has a regular run already.
pub async fn insert_run(
    tx: &mut Tx,
    number: &str,
    period: &str,
    kind: &str,
    currency: &str,
    created_by: &str,
    now_us: i64,
) -> Result<i64> {
    const SQL: &str = "INSERT INTO payroll_runs (number, period, kind, state, currency, gross_minor, \
         net_minor, employer_minor, payslip_count, created_by, version, created_at_us, updated_at_us) \
         VALUES ($1, $2, $3, 'draft', $4, 0, 0, 0, 0, $5, 1, $6, $6) RETURNING id";
    on_tx!(tx, c => sqlx::query_scalar::<_, i64>(SQL)
        .bind(number)
        .bind(period)
        .bind(kind)
        .bind(currency)
        .bind(created_by)
        .bind(now_us)
        .fetch_one(c)
        .await
        .map_err(StoreError::from_insert))
}

/// The run, locked until commit on PostgreSQL.
pub async fn run_in_tx(tx: &mut Tx, id: i64) -> Result<RunRow> {
    locked_row(tx, RUN_SELECT, "r", id).await
}

pub async fn run(db: &Db, id: i64) -> Result<Option<RunRow>> {
    let sql = sqlx::AssertSqlSafe(format!("{RUN_SELECT} WHERE r.id = $1"));
    Ok(on_read!(db, p => sqlx::query_as::<_, RunRow>(sql)
        .bind(id)
        .fetch_optional(p)
        .await?))
}

/// The runs of a period, oldest first.
pub async fn runs_of_period(tx: &mut Tx, period: &str) -> Result<Vec<RunRow>> {
    let sql = sqlx::AssertSqlSafe(format!("{RUN_SELECT} WHERE r.period = $1 ORDER BY r.id"));
    Ok(on_tx!(tx, c => sqlx::query_as::<_, RunRow>(sql)
        .bind(period)
        .fetch_all(c)
        .await?))
}

/// Runs newest first, before the run `before` (a keyset page).
pub async fn runs(db: &Db, before: Option<i64>, limit: i64) -> Result<Vec<RunRow>> {
    let sql = sqlx::AssertSqlSafe(format!(
        "{RUN_SELECT} WHERE r.id < $1 ORDER BY r.id DESC LIMIT $2"
    ));
    Ok(on_read!(db, p => sqlx::query_as::<_, RunRow>(sql)
        .bind(before.unwrap_or(i64::MAX))
        .bind(limit.clamp(1, 200))
        .fetch_all(p)
        .await?))
}

/// What a step of a run writes.
#[derive(Debug, Clone, Copy)]
pub struct RunUpdate<'a> {
    pub state: &'a str,
    pub gross_minor: i64,
    pub net_minor: i64,
    pub employer_minor: i64,
    pub payslip_count: i64,
    pub entry_id: Option<i64>,
    pub payment_entry_id: Option<i64>,
    pub approved_by: Option<&'a str>,
}

/// Errors: [`StoreError::Stale`] when the run changed since `version`.
pub async fn update_run(
    tx: &mut Tx,
    id: i64,
    version: i64,
    u: &RunUpdate<'_>,
    now_us: i64,
) -> Result<()> {
    const SQL: &str = "UPDATE payroll_runs SET state = $1, gross_minor = $2, net_minor = $3, \
         employer_minor = $4, payslip_count = $5, entry_id = $6, payment_entry_id = $7, \
         approved_by = $8, version = version + 1, updated_at_us = $9 WHERE id = $10 AND version = $11";
    let n = on_tx!(tx, c => sqlx::query(SQL)
        .bind(u.state)
        .bind(u.gross_minor)
        .bind(u.net_minor)
        .bind(u.employer_minor)
        .bind(u.payslip_count)
        .bind(u.entry_id)
        .bind(u.payment_entry_id)
        .bind(u.approved_by)
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

/// Drops a run's payslips, before it is computed again (only before approval).
pub async fn delete_payslips(tx: &mut Tx, run_id: i64) -> Result<()> {
    const LINES: &str =
        "DELETE FROM payslip_lines WHERE payslip_id IN (SELECT id FROM payslips WHERE run_id = $1)";
    const SLIPS: &str = "DELETE FROM payslips WHERE run_id = $1";
    on_tx!(tx, c => sqlx::query(LINES).bind(run_id).execute(c).await.map(|_| ())?);
    on_tx!(tx, c => sqlx::query(SLIPS).bind(run_id).execute(c).await.map(|_| ())?);
    Ok(())
}

/// A payslip as stored, with its employee's name and its run's period.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct PayslipRow {
    pub id: i64,
    pub run_id: i64,
    pub run_number: String,
    pub run_kind: String,
    pub run_state: String,
    pub period: String,
    pub employee_id: i64,
    pub employee_number: String,
    pub employee_name: String,
    pub structure_version_id: i64,
    pub currency: String,
    pub gross_minor: i64,
    pub deductions_minor: i64,
    pub tax_minor: i64,
    pub employer_minor: i64,
    pub net_minor: i64,
    pub days_paid: i64,
    pub days_in_period: i64,
    pub is_final: bool,
}

const PAYSLIP_SELECT: &str = "SELECT p.id, p.run_id, r.number AS run_number, r.kind AS run_kind, \
     r.state AS run_state, r.period, p.employee_id, e.number AS employee_number, e.name AS employee_name, \
     p.structure_version_id, p.currency, p.gross_minor, p.deductions_minor, p.tax_minor, p.employer_minor, \
     p.net_minor, p.days_paid, p.days_in_period, p.is_final \
     FROM payslips p JOIN payroll_runs r ON r.id = p.run_id JOIN employees e ON e.id = p.employee_id";

/// What one payslip writes.
#[derive(Debug, Clone)]
pub struct NewPayslip<'a> {
    pub run_id: i64,
    pub employee_id: i64,
    pub structure_version_id: i64,
    pub currency: &'a str,
    pub gross_minor: i64,
    pub deductions_minor: i64,
    pub tax_minor: i64,
    pub employer_minor: i64,
    pub net_minor: i64,
    pub days_paid: i64,
    pub days_in_period: i64,
    pub is_final: bool,
}

/// One line of a payslip.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct LineRow {
    pub payslip_id: i64,
    pub position: i64,
    pub code: String,
    pub name: String,
    pub kind: String,
    pub base_minor: Option<i64>,
    pub amount_minor: i64,
}

pub async fn insert_payslip(tx: &mut Tx, p: &NewPayslip<'_>, lines: &[LineRow]) -> Result<i64> {
    const SQL: &str = "INSERT INTO payslips (run_id, employee_id, structure_version_id, currency, \
         gross_minor, deductions_minor, tax_minor, employer_minor, net_minor, days_paid, days_in_period, is_final) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) RETURNING id";
    let id = on_tx!(tx, c => sqlx::query_scalar::<_, i64>(SQL)
        .bind(p.run_id)
        .bind(p.employee_id)
        .bind(p.structure_version_id)
        .bind(p.currency)
        .bind(p.gross_minor)
        .bind(p.deductions_minor)
        .bind(p.tax_minor)
        .bind(p.employer_minor)
        .bind(p.net_minor)
        .bind(p.days_paid)
        .bind(p.days_in_period)
        .bind(p.is_final)
        .fetch_one(c)
        .await?);
    // One statement for all lines: a structure holds at most 100 rules.
    if !lines.is_empty() {
        let mut sql = String::from(
            "INSERT INTO payslip_lines (payslip_id, position, code, name, kind, base_minor, amount_minor) VALUES ",
        );
        for i in 0..lines.len() {
            let b = i * 7;
            if i > 0 {
                sql.push_str(", ");
            }
            sql.push_str(&format!(
                "(${}, ${}, ${}, ${}, ${}, ${}, ${})",
                b + 1,
                b + 2,
                b + 3,
                b + 4,
                b + 5,
                b + 6,
                b + 7
            ));
        }
        let sql = sqlx::AssertSqlSafe(sql);
        on_tx!(tx, c => {
            let mut q = sqlx::query(sql);
            for l in lines {
                q = q
                    .bind(id)
                    .bind(l.position)
                    .bind(l.code.as_str())
                    .bind(l.name.as_str())
                    .bind(l.kind.as_str())
                    .bind(l.base_minor)
                    .bind(l.amount_minor);
            }
            q.execute(c).await.map(|_| ())?
        });
    }
    Ok(id)
}

/// A run's payslips, by employee name.
pub async fn payslips_of_run(db: &Db, run_id: i64) -> Result<Vec<PayslipRow>> {
    let sql = sqlx::AssertSqlSafe(format!(
        "{PAYSLIP_SELECT} WHERE p.run_id = $1 ORDER BY e.name, p.id"
    ));
    Ok(on_read!(db, p => sqlx::query_as::<_, PayslipRow>(sql)
        .bind(run_id)
        .fetch_all(p)
        .await?))
}

pub async fn payslips_of_run_in_tx(tx: &mut Tx, run_id: i64) -> Result<Vec<PayslipRow>> {
    let sql = sqlx::AssertSqlSafe(format!(
        "{PAYSLIP_SELECT} WHERE p.run_id = $1 ORDER BY e.name, p.id"
    ));
    Ok(on_tx!(tx, c => sqlx::query_as::<_, PayslipRow>(sql)
        .bind(run_id)
        .fetch_all(c)
        .await?))
}

pub async fn payslip(db: &Db, id: i64) -> Result<Option<PayslipRow>> {
    let sql = sqlx::AssertSqlSafe(format!("{PAYSLIP_SELECT} WHERE p.id = $1"));
    Ok(on_read!(db, p => sqlx::query_as::<_, PayslipRow>(sql)
        .bind(id)
        .fetch_optional(p)
        .await?))
}

/// An employee's payslips of approved, posted and paid runs, newest first.
pub async fn payslips_of_employee(db: &Db, employee_id: i64) -> Result<Vec<PayslipRow>> {
    let sql = sqlx::AssertSqlSafe(format!(
        "{PAYSLIP_SELECT} WHERE p.employee_id = $1 AND r.state IN ('posted', 'paid') \
         ORDER BY r.period DESC, p.id DESC"
    ));
    Ok(on_read!(db, p => sqlx::query_as::<_, PayslipRow>(sql)
        .bind(employee_id)
        .fetch_all(p)
        .await?))
}

pub async fn lines(db: &Db, payslip_id: i64) -> Result<Vec<LineRow>> {
    const SQL: &str = "SELECT payslip_id, position, code, name, kind, base_minor, amount_minor \
         FROM payslip_lines WHERE payslip_id = $1 ORDER BY position";
    Ok(on_read!(db, p => sqlx::query_as::<_, LineRow>(SQL)
        .bind(payslip_id)
        .fetch_all(p)
        .await?))
}

/// The lines of every payslip of `runs`, grouped by payslip (for the
/// journal export and for corrections).
pub async fn lines_of_runs(tx: &mut Tx, run_ids: &[i64]) -> Result<Vec<(i64, LineRow)>> {
    if run_ids.is_empty() {
        return Ok(Vec::new());
    }
    let marks: Vec<String> = (1..=run_ids.len()).map(|i| format!("${i}")).collect();
    let sql = sqlx::AssertSqlSafe(format!(
        "SELECT p.employee_id, l.payslip_id, l.position, l.code, l.name, l.kind, l.base_minor, l.amount_minor \
         FROM payslip_lines l JOIN payslips p ON p.id = l.payslip_id \
         WHERE p.run_id IN ({}) ORDER BY p.employee_id, l.payslip_id, l.position",
        marks.join(", ")
    ));
    #[derive(sqlx::FromRow)]
    struct Row {
        employee_id: i64,
        #[sqlx(flatten)]
        line: LineRow,
    }
    let rows: Vec<Row> = on_tx!(tx, c => {
        let mut q = sqlx::query_as::<_, Row>(sql);
        for id in run_ids {
            q = q.bind(*id);
        }
        q.fetch_all(c).await?
    });
    Ok(rows.into_iter().map(|r| (r.employee_id, r.line)).collect())
}

/// One employee's totals over the posted and paid runs of a year.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct YearRow {
    pub employee_id: i64,
    pub employee_number: String,
    pub employee_name: String,
    pub currency: String,
    pub payslips: i64,
    pub gross_minor: i64,
    pub deductions_minor: i64,
    pub tax_minor: i64,
    pub employer_minor: i64,
    pub net_minor: i64,
}

/// Year to date per employee: the sums of posted and paid payslips whose
/// period lies in `year`, corrections included.
pub async fn year_to_date(db: &Db, year: i32, employee_id: Option<i64>) -> Result<Vec<YearRow>> {
    let sql = sqlx::AssertSqlSafe(
        "SELECT p.employee_id, e.number AS employee_number, e.name AS employee_name, p.currency, \
         CAST(COUNT(*) AS BIGINT) AS payslips, \
         CAST(SUM(p.gross_minor) AS BIGINT) AS gross_minor, CAST(SUM(p.deductions_minor) AS BIGINT) AS deductions_minor, \
         CAST(SUM(p.tax_minor) AS BIGINT) AS tax_minor, CAST(SUM(p.employer_minor) AS BIGINT) AS employer_minor, \
         CAST(SUM(p.net_minor) AS BIGINT) AS net_minor \
         FROM payslips p JOIN payroll_runs r ON r.id = p.run_id JOIN employees e ON e.id = p.employee_id \
         WHERE r.state IN ('posted', 'paid') AND r.period >= $1 AND r.period <= $2 \
         AND ($3 = 0 OR p.employee_id = $3) \
         GROUP BY p.employee_id, e.number, e.name, p.currency ORDER BY e.name, p.employee_id"
            .to_owned(),
    );
    Ok(on_read!(db, p => sqlx::query_as::<_, YearRow>(sql)
        .bind(format!("{year:04}-01"))
        .bind(format!("{year:04}-12"))
        .bind(employee_id.unwrap_or(0))
        .fetch_all(p)
        .await?))
}

/// One line of the payroll journal.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct JournalRow {
    pub run_number: String,
    pub period: String,
    pub employee_number: String,
    pub employee_name: String,
    pub code: String,
    pub name: String,
    pub kind: String,
    pub base_minor: Option<i64>,
    pub amount_minor: i64,
    pub currency: String,
}

/// Every payslip line of the posted and paid runs of `year`, in run,
/// employee and line order: one query however many runs there are.
pub async fn journal(db: &Db, year: i32) -> Result<Vec<JournalRow>> {
    const SQL: &str = "SELECT r.number AS run_number, r.period, e.number AS employee_number, \
         e.name AS employee_name, l.code, l.name, l.kind, l.base_minor, l.amount_minor, p.currency \
         FROM payslip_lines l JOIN payslips p ON p.id = l.payslip_id \
         JOIN payroll_runs r ON r.id = p.run_id JOIN employees e ON e.id = p.employee_id \
         WHERE r.state IN ('posted', 'paid') AND r.period >= $1 AND r.period <= $2 \
         ORDER BY r.period, r.id, e.name, p.id, l.position";
    Ok(on_read!(db, p => sqlx::query_as::<_, JournalRow>(SQL)
        .bind(format!("{year:04}-01"))
        .bind(format!("{year:04}-12"))
        .fetch_all(p)
        .await?))
}

/// Every employee as (id, "number name"), by name, for pickers.
pub async fn employee_choices(db: &Db) -> Result<Vec<(i64, String)>> {
    const SQL: &str = "SELECT id, number || ' ' || name FROM employees ORDER BY name, id";
    Ok(on_read!(db, p => sqlx::query_as::<_, (i64, String)>(SQL).fetch_all(p).await?))
}
