//! Bulk writes for generated data sets (`seam generate`): multi-row INSERTs
//! of rows whose ids the caller assigns, a few thousand rows per statement,
//! inside the caller's transaction. They bypass the per-record store
//! functions on purpose (those write one row per statement); the caller is
//! responsible for writing rows that keep the invariants the use cases keep
//! (balanced entries, maintained balances, gapless numbers). The party search
//! index follows on its own: FTS5 triggers on SQLite, a generated tsvector
//! column on PostgreSQL.

use std::collections::BTreeMap;

use crate::{Result, Tx, on_tx};

/// The most bound values one statement carries: under SQLite's default
/// limit (32,766) and PostgreSQL's (65,535).
const VALUES_PER_STATEMENT: usize = 30_000;

/// One bound value of a generated row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Val {
    Int(i64),
    Text(String),
    Bool(bool),
    NullInt,
    NullText,
}

impl From<i64> for Val {
    fn from(v: i64) -> Val {
        Val::Int(v)
    }
}

impl From<String> for Val {
    fn from(v: String) -> Val {
        Val::Text(v)
    }
}

impl From<&str> for Val {
    fn from(v: &str) -> Val {
        Val::Text(v.to_owned())
    }
}

impl From<bool> for Val {
    fn from(v: bool) -> Val {
        Val::Bool(v)
    }
}

impl From<Option<i64>> for Val {
    fn from(v: Option<i64>) -> Val {
        v.map_or(Val::NullInt, Val::Int)
    }
}

impl From<Option<String>> for Val {
    fn from(v: Option<String>) -> Val {
        v.map_or(Val::NullText, Val::Text)
    }
}

/// Rows of one table, each with one value per column, in column order.
#[derive(Debug, Clone)]
pub struct Rows {
    pub table: &'static str,
    pub columns: &'static [&'static str],
    pub rows: Vec<Vec<Val>>,
}

impl Rows {
    pub fn new(table: &'static str, columns: &'static [&'static str]) -> Rows {
        Rows {
            table,
            columns,
            rows: Vec::new(),
        }
    }

    pub fn push(&mut self, row: Vec<Val>) {
        self.rows.push(row);
    }

    pub fn len(&self) -> usize {
        self.rows.len()
    }

    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }
}

macro_rules! bind_vals {
    ($query:expr, $vals:expr) => {{
        let mut q = $query;
        for v in $vals {
            q = match v {
                Val::Int(i) => q.bind(*i),
                Val::Text(t) => q.bind(t.as_str()),
                Val::Bool(b) => q.bind(*b),
                Val::NullInt => q.bind(None::<i64>),
                Val::NullText => q.bind(None::<&str>),
            };
        }
        q
    }};
}

/// `INSERT INTO table (columns) VALUES (…), (…) … suffix` for `rows` rows.
/// SQLite gets anonymous `?` placeholders: it looks named ones (`$1`) up by
/// a linear scan, which makes a statement of thousands of values quadratic.
fn insert_sql(
    backend: crate::Backend,
    table: &str,
    columns: &[&str],
    rows: usize,
    suffix: &str,
) -> String {
    let width = columns.len();
    let mut sql = format!("INSERT INTO {table} ({}) VALUES ", columns.join(", "));
    let mut n = 0;
    for r in 0..rows {
        if r > 0 {
            sql.push_str(", ");
        }
        sql.push('(');
        for c in 0..width {
            if c > 0 {
                sql.push_str(", ");
            }
            n += 1;
            match backend {
                crate::Backend::Sqlite => sql.push('?'),
                crate::Backend::Postgres => {
                    sql.push('$');
                    sql.push_str(&n.to_string());
                }
            }
        }
        sql.push(')');
    }
    sql.push_str(suffix);
    sql
}

async fn insert_with(tx: &mut Tx, rows: &Rows, suffix: &str) -> Result<u64> {
    let width = rows.columns.len().max(1);
    let per_statement = (VALUES_PER_STATEMENT / width).max(1);
    let mut written = 0;
    for chunk in rows.rows.chunks(per_statement) {
        if let Some(bad) = chunk.iter().find(|r| r.len() != width) {
            return Err(crate::StoreError::Corrupt(format!(
                "a generated {} row has {} values for {width} columns",
                rows.table,
                bad.len()
            )));
        }
        let backend = match tx {
            Tx::Sqlite(_) => crate::Backend::Sqlite,
            Tx::Pg(_) => crate::Backend::Postgres,
        };
        let sql = sqlx::AssertSqlSafe(insert_sql(
            backend,
            rows.table,
            rows.columns,
            chunk.len(),
            suffix,
        ));
        let values = chunk.iter().flatten();
        written +=
            on_tx!(tx, c => bind_vals!(sqlx::query(sql), values).execute(c).await?.rows_affected());
    }
    Ok(written)
}

/// Writes `rows` with multi-row INSERTs. Returns the rows written.
pub async fn insert_rows(tx: &mut Tx, rows: &Rows) -> Result<u64> {
    insert_with(tx, rows, "").await
}

/// Writes `rows` with multi-row INSERTs ending in `suffix` (an `ON CONFLICT`
/// clause of the caller's). Returns the rows written.
pub async fn insert_rows_with(tx: &mut Tx, rows: &Rows, suffix: &'static str) -> Result<u64> {
    insert_with(tx, rows, suffix).await
}

/// Adds debit and credit totals per (account id, date) to the maintained
/// balances in `currency`, as posting does one line at a time.
pub async fn add_balances(
    tx: &mut Tx,
    currency: &str,
    deltas: &BTreeMap<(i64, String), (i64, i64)>,
) -> Result<u64> {
    const COLUMNS: &[&str] = &[
        "account_id",
        "balance_date",
        "currency",
        "debit_minor",
        "credit_minor",
    ];
    const UPSERT: &str = " ON CONFLICT (account_id, balance_date, currency) DO UPDATE SET \
         debit_minor = account_balances.debit_minor + excluded.debit_minor, \
         credit_minor = account_balances.credit_minor + excluded.credit_minor";
    let mut rows = Rows::new("account_balances", COLUMNS);
    for ((account, date), (debit, credit)) in deltas {
        rows.push(vec![
            Val::Int(*account),
            Val::Text(date.clone()),
            Val::Text(currency.to_owned()),
            Val::Int(*debit),
            Val::Int(*credit),
        ]);
    }
    insert_with(tx, &rows, UPSERT).await
}

/// Sets the last number handed out of each series (never lowering one).
pub async fn set_number_series(tx: &mut Tx, series: &BTreeMap<String, i64>) -> Result<()> {
    const SQL: &str = "INSERT INTO number_series (series, last_value) VALUES ($1, $2) \
         ON CONFLICT (series) DO UPDATE SET last_value = \
         CASE WHEN excluded.last_value > number_series.last_value THEN excluded.last_value ELSE number_series.last_value END";
    for (name, last) in series {
        on_tx!(tx, c => sqlx::query(SQL).bind(name.as_str()).bind(*last).execute(c).await?.rows_affected());
    }
    Ok(())
}

/// The highest id of `table` (0 when empty): where assigned ids start after.
pub async fn max_id(tx: &mut Tx, table: &str) -> Result<i64> {
    let sql = sqlx::AssertSqlSafe(format!(
        "SELECT CAST(COALESCE(MAX(id), 0) AS BIGINT) FROM {table}"
    ));
    Ok(on_tx!(tx, c => sqlx::query_scalar::<_, i64>(sql).fetch_one(c).await?))
}

/// On PostgreSQL, moves the identity sequences of `tables` past the ids
/// written (SQLite's rowids need nothing).
pub async fn reset_identities(tx: &mut Tx, tables: &[&str]) -> Result<()> {
    let Tx::Pg(t) = tx else { return Ok(()) };
    for table in tables {
        let sql = sqlx::AssertSqlSafe(format!(
            "SELECT setval(pg_get_serial_sequence('{table}', 'id'), COALESCE(MAX(id), 0) + 1, false) FROM {table}"
        ));
        sqlx::query(sql).execute(&mut **t).await?;
    }
    Ok(())
}

/// Rows in `table`, for checks of a generated data set.
pub async fn count(tx: &mut Tx, table: &str) -> Result<i64> {
    let sql = sqlx::AssertSqlSafe(format!("SELECT COUNT(*) FROM {table}"));
    Ok(on_tx!(tx, c => sqlx::query_scalar::<_, i64>(sql).fetch_one(c).await?))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_statement_numbers_every_value() {
        assert_eq!(
            insert_sql(crate::Backend::Postgres, "t", &["a", "b"], 2, ""),
            "INSERT INTO t (a, b) VALUES ($1, $2), ($3, $4)"
        );
        assert_eq!(
            insert_sql(crate::Backend::Sqlite, "t", &["a", "b"], 2, " X"),
            "INSERT INTO t (a, b) VALUES (?, ?), (?, ?) X"
        );
    }
}
