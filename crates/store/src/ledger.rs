//! The ledger's storage: accounts, posted entries and their lines, balances
//! maintained per account and day as entries post, closed periods, and the
//! gapless number series.

use std::collections::HashMap;

use seam_domain::ledger::{BalancedEntry, ValidAccount};

use crate::{Db, Result, StoreError, Tx, on_read, on_tx};

#[derive(Debug, Clone, sqlx::FromRow, PartialEq, Eq)]
pub struct AccountRow {
    pub id: i64,
    pub code: String,
    pub name: String,
    pub kind: String,
    pub archived: bool,
    pub created_at_us: i64,
}

const ACCOUNT_COLUMNS: &str = "id, code, name, kind, archived, created_at_us";

/// Errors: [`StoreError::Duplicate`] when the code is taken.
pub async fn insert_account(tx: &mut Tx, account: &ValidAccount, now_us: i64) -> Result<i64> {
    const SQL: &str = "INSERT INTO accounts (code, name, kind, archived, created_at_us) VALUES ($1, $2, $3, FALSE, $4) RETURNING id";
    on_tx!(tx, c => sqlx::query_scalar::<_, i64>(SQL)
        .bind(&account.code)
        .bind(&account.name)
        .bind(account.kind.name())
        .bind(now_us)
        .fetch_one(c)
        .await
        .map_err(StoreError::from_insert))
}

/// Renames or archives an account. Its code and kind stay: postings already refer to them.
pub async fn update_account(tx: &mut Tx, id: i64, name: &str, archived: bool) -> Result<()> {
    const SQL: &str = "UPDATE accounts SET name = $2, archived = $3 WHERE id = $1";
    let done = on_tx!(tx, c => sqlx::query(SQL).bind(id).bind(name).bind(archived).execute(c).await?.rows_affected());
    if done == 0 {
        return Err(StoreError::NotFound);
    }
    Ok(())
}

/// The chart of accounts, by code.
pub async fn accounts(db: &Db) -> Result<Vec<AccountRow>> {
    let sql = sqlx::AssertSqlSafe(format!(
        "SELECT {ACCOUNT_COLUMNS} FROM accounts ORDER BY code"
    ));
    Ok(on_read!(db, p => sqlx::query_as::<_, AccountRow>(sql).fetch_all(p).await?))
}

pub async fn account_in_tx(tx: &mut Tx, id: i64) -> Result<AccountRow> {
    let sql = sqlx::AssertSqlSafe(format!(
        "SELECT {ACCOUNT_COLUMNS} FROM accounts WHERE id = $1"
    ));
    on_tx!(tx, c => sqlx::query_as::<_, AccountRow>(sql).bind(id).fetch_optional(c).await?)
        .ok_or(StoreError::NotFound)
}

/// The accounts with these codes, by code.
pub async fn accounts_by_code(
    tx: &mut Tx,
    codes: &[String],
) -> Result<HashMap<String, AccountRow>> {
    let mut found = HashMap::new();
    for chunk in codes.chunks(500) {
        let sql = sqlx::AssertSqlSafe(format!(
            "SELECT {ACCOUNT_COLUMNS} FROM accounts WHERE code IN ({})",
            crate::parties::placeholders(chunk.len())
        ));
        let rows: Vec<AccountRow> = on_tx!(tx, c => {
            let mut q = sqlx::query_as::<_, AccountRow>(sql);
            for code in chunk {
                q = q.bind(code.as_str());
            }
            q.fetch_all(c).await?
        });
        found.extend(rows.into_iter().map(|r| (r.code.clone(), r)));
    }
    Ok(found)
}

/// The next number of a series, gapless: the increment is part of the
/// caller's transaction, so a rollback gives the number back. Concurrent
/// callers queue on the series row.
pub async fn next_number(tx: &mut Tx, series: &str) -> Result<i64> {
    const SQL: &str = "INSERT INTO number_series (series, last_value) VALUES ($1, 1) \
         ON CONFLICT (series) DO UPDATE SET last_value = number_series.last_value + 1 RETURNING last_value";
    Ok(on_tx!(tx, c => sqlx::query_scalar::<_, i64>(SQL).bind(series).fetch_one(c).await?))
}

/// Holds the period against a concurrent close (PostgreSQL: a transaction-scoped
/// advisory lock, shared for posting, exclusive for closing; SQLite's single
/// writer needs none), so a posting and a close of its period never both succeed.
pub async fn lock_period(tx: &mut Tx, period: &str, exclusive: bool) -> Result<()> {
    if let Tx::Pg(t) = tx {
        let sql = if exclusive {
            "SELECT pg_advisory_xact_lock(hashtext('seam-period:' || $1))::text"
        } else {
            "SELECT pg_advisory_xact_lock_shared(hashtext('seam-period:' || $1))::text"
        };
        sqlx::query(sql).bind(period).execute(&mut **t).await?;
    }
    Ok(())
}

pub async fn is_period_closed(tx: &mut Tx, period: &str) -> Result<bool> {
    const SQL: &str = "SELECT COUNT(*) FROM closed_periods WHERE period = $1";
    Ok(on_tx!(tx, c => sqlx::query_scalar::<_, i64>(SQL).bind(period).fetch_one(c).await?) > 0)
}

/// Errors: [`StoreError::Duplicate`] when the period is closed already.
pub async fn close_period(tx: &mut Tx, period: &str, by: &str, now_us: i64) -> Result<()> {
    const SQL: &str =
        "INSERT INTO closed_periods (period, closed_at_us, closed_by) VALUES ($1, $2, $3)";
    on_tx!(tx, c => sqlx::query(SQL).bind(period).bind(now_us).bind(by).execute(c).await.map_err(StoreError::from_insert)?.rows_affected());
    Ok(())
}

pub async fn closed_periods(db: &Db) -> Result<Vec<String>> {
    Ok(
        on_read!(db, p => sqlx::query_scalar::<_, String>("SELECT period FROM closed_periods ORDER BY period").fetch_all(p).await?),
    )
}

/// What posting an entry needs besides the entry itself.
pub struct Posting<'a> {
    pub number: &'a str,
    /// Account id per code, for every code on the entry's lines.
    pub account_ids: &'a HashMap<String, i64>,
    pub reverses_id: Option<i64>,
    pub posted_by: &'a str,
    pub now_us: i64,
}

/// Writes a balanced entry, its lines and the balance deltas, then reads the
/// lines back and checks they balance (the second half of a paired assertion).
pub async fn insert_entry(
    tx: &mut Tx,
    entry: &BalancedEntry,
    posting: &Posting<'_>,
) -> Result<i64> {
    const ENTRY: &str = "INSERT INTO journal_entries (number, entry_date, memo, currency, total_minor, reverses_id, posted_at_us, posted_by) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id";
    const LINE: &str = "INSERT INTO journal_lines (entry_id, line_no, account_id, debit_minor, credit_minor) VALUES ($1, $2, $3, $4, $5)";
    const BALANCE: &str = "INSERT INTO account_balances (account_id, balance_date, currency, debit_minor, credit_minor) \
         VALUES ($1, $2, $3, $4, $5) ON CONFLICT (account_id, balance_date, currency) DO UPDATE SET \
         debit_minor = account_balances.debit_minor + excluded.debit_minor, \
         credit_minor = account_balances.credit_minor + excluded.credit_minor";
    const CHECK: &str = "SELECT CAST(COALESCE(SUM(debit_minor), 0) - COALESCE(SUM(credit_minor), 0) AS BIGINT) FROM journal_lines WHERE entry_id = $1";
    let date = entry.date().iso();
    let id = on_tx!(tx, c => sqlx::query_scalar::<_, i64>(ENTRY)
        .bind(posting.number)
        .bind(&date)
        .bind(entry.memo())
        .bind(entry.currency())
        .bind(entry.total_minor())
        .bind(posting.reverses_id)
        .bind(posting.now_us)
        .bind(posting.posted_by)
        .fetch_one(c)
        .await
        .map_err(StoreError::from_insert)?);
    for (n, line) in entry.lines().iter().enumerate() {
        let account_id = *posting.account_ids.get(&line.account).ok_or_else(|| {
            StoreError::Corrupt(format!("account {} was not resolved", line.account))
        })?;
        let line_no = i64::try_from(n).unwrap_or(i64::MAX) + 1;
        on_tx!(tx, c => {
            sqlx::query(LINE).bind(id).bind(line_no).bind(account_id).bind(line.debit_minor).bind(line.credit_minor).execute(&mut *c).await?;
            sqlx::query(BALANCE).bind(account_id).bind(&date).bind(entry.currency()).bind(line.debit_minor).bind(line.credit_minor).execute(c).await?;
        });
    }
    let imbalance =
        on_tx!(tx, c => sqlx::query_scalar::<_, i64>(CHECK).bind(id).fetch_one(c).await?);
    if imbalance != 0 {
        return Err(StoreError::Corrupt(format!(
            "entry {} does not balance after writing ({imbalance})",
            posting.number
        )));
    }
    Ok(id)
}

#[derive(Debug, Clone, sqlx::FromRow, PartialEq, Eq)]
pub struct EntryRow {
    pub id: i64,
    pub number: String,
    pub entry_date: String,
    pub memo: String,
    pub currency: String,
    pub total_minor: i64,
    pub reverses_id: Option<i64>,
    pub posted_at_us: i64,
    pub posted_by: String,
}

const ENTRY_COLUMNS: &str =
    "id, number, entry_date, memo, currency, total_minor, reverses_id, posted_at_us, posted_by";

#[derive(Debug, Clone, sqlx::FromRow, PartialEq, Eq)]
pub struct LineRow {
    pub entry_id: i64,
    pub line_no: i64,
    pub account_code: String,
    pub account_name: String,
    pub account_kind: String,
    pub debit_minor: i64,
    pub credit_minor: i64,
}

const LINE_SELECT: &str = "SELECT l.entry_id, l.line_no, a.code AS account_code, a.name AS account_name, a.kind AS account_kind, \
     l.debit_minor, l.credit_minor FROM journal_lines l JOIN accounts a ON a.id = l.account_id";

pub async fn entry(db: &Db, id: i64) -> Result<Option<(EntryRow, Vec<LineRow>)>> {
    let sql = sqlx::AssertSqlSafe(format!(
        "SELECT {ENTRY_COLUMNS} FROM journal_entries WHERE id = $1"
    ));
    let Some(row) =
        on_read!(db, p => sqlx::query_as::<_, EntryRow>(sql).bind(id).fetch_optional(p).await?)
    else {
        return Ok(None);
    };
    let lines_sql = sqlx::AssertSqlSafe(format!(
        "{LINE_SELECT} WHERE l.entry_id = $1 ORDER BY l.line_no"
    ));
    let lines =
        on_read!(db, p => sqlx::query_as::<_, LineRow>(lines_sql).bind(id).fetch_all(p).await?);
    Ok(Some((row, lines)))
}

/// The entry that reversed this one, if any.
pub async fn reversal_of(db: &Db, id: i64) -> Result<Option<EntryRow>> {
    let sql = sqlx::AssertSqlSafe(format!(
        "SELECT {ENTRY_COLUMNS} FROM journal_entries WHERE reverses_id = $1"
    ));
    Ok(on_read!(db, p => sqlx::query_as::<_, EntryRow>(sql).bind(id).fetch_optional(p).await?))
}

/// Entries newest first, before the id `before` (keyset pages).
pub async fn entries(db: &Db, before: Option<i64>, limit: i64) -> Result<Vec<EntryRow>> {
    let sql = sqlx::AssertSqlSafe(format!(
        "SELECT {ENTRY_COLUMNS} FROM journal_entries WHERE id < $1 ORDER BY id DESC LIMIT $2"
    ));
    Ok(
        on_read!(db, p => sqlx::query_as::<_, EntryRow>(sql).bind(before.unwrap_or(i64::MAX)).bind(limit.clamp(1, crate::parties::PAGE_SIZE_MAX)).fetch_all(p).await?),
    )
}

/// Entries oldest first after the id `after`, with their lines: for exports.
pub async fn entries_with_lines_after(
    db: &Db,
    after: i64,
    limit: i64,
) -> Result<Vec<(EntryRow, Vec<LineRow>)>> {
    let sql = sqlx::AssertSqlSafe(format!(
        "SELECT {ENTRY_COLUMNS} FROM journal_entries WHERE id > $1 ORDER BY id LIMIT $2"
    ));
    let rows = on_read!(db, p => sqlx::query_as::<_, EntryRow>(sql).bind(after).bind(limit).fetch_all(p).await?);
    let (Some(first), Some(last)) = (rows.first(), rows.last()) else {
        return Ok(Vec::new());
    };
    let lines_sql = sqlx::AssertSqlSafe(format!(
        "{LINE_SELECT} WHERE l.entry_id BETWEEN $1 AND $2 ORDER BY l.entry_id, l.line_no"
    ));
    let lines = on_read!(db, p => sqlx::query_as::<_, LineRow>(lines_sql).bind(first.id).bind(last.id).fetch_all(p).await?);
    let mut by_entry: HashMap<i64, Vec<LineRow>> = HashMap::new();
    for line in lines {
        by_entry.entry(line.entry_id).or_default().push(line);
    }
    Ok(rows
        .into_iter()
        .map(|r| {
            let lines = by_entry.remove(&r.id).unwrap_or_default();
            (r, lines)
        })
        .collect())
}

/// Debit and credit totals of one account in one currency.
#[derive(Debug, Clone, sqlx::FromRow, PartialEq, Eq)]
pub struct BalanceRow {
    pub account_id: i64,
    pub code: String,
    pub name: String,
    pub kind: String,
    pub currency: String,
    pub debit_minor: i64,
    pub credit_minor: i64,
}

/// Totals per account and currency over the maintained balances for days in
/// `[from, to]` (`from` open when `None`). Reads the balances, never the lines.
pub async fn balances(db: &Db, from: Option<&str>, to: &str) -> Result<Vec<BalanceRow>> {
    const SQL: &str = "SELECT a.id AS account_id, a.code, a.name, a.kind, b.currency, \
         CAST(SUM(b.debit_minor) AS BIGINT) AS debit_minor, CAST(SUM(b.credit_minor) AS BIGINT) AS credit_minor \
         FROM account_balances b JOIN accounts a ON a.id = b.account_id \
         WHERE b.balance_date <= $1 AND b.balance_date >= $2 \
         GROUP BY a.id, a.code, a.name, a.kind, b.currency ORDER BY a.code, b.currency";
    Ok(
        on_read!(db, p => sqlx::query_as::<_, BalanceRow>(SQL).bind(to).bind(from.unwrap_or("0000-00-00")).fetch_all(p).await?),
    )
}

/// The same totals summed from the lines themselves: only for checking that
/// the maintained balances agree with the postings.
pub async fn balances_from_lines(db: &Db) -> Result<Vec<BalanceRow>> {
    const SQL: &str = "SELECT a.id AS account_id, a.code, a.name, a.kind, e.currency, \
         CAST(SUM(l.debit_minor) AS BIGINT) AS debit_minor, CAST(SUM(l.credit_minor) AS BIGINT) AS credit_minor \
         FROM journal_lines l JOIN journal_entries e ON e.id = l.entry_id JOIN accounts a ON a.id = l.account_id \
         GROUP BY a.id, a.code, a.name, a.kind, e.currency ORDER BY a.code, e.currency";
    Ok(on_read!(db, p => sqlx::query_as::<_, BalanceRow>(SQL).fetch_all(p).await?))
}
