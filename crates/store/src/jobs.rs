//! The job queue and outbox: work that happens after a command commits (an
//! e-mail to send), done by whichever app node claims it first.
//!
//! A use case calls [`enqueue`] inside its own transaction, so the job is
//! committed with the business change or not at all. Nodes [`claim`] due
//! jobs under a lease: on PostgreSQL the claim locks the rows it takes with
//! `FOR UPDATE SKIP LOCKED`, so two nodes claiming at once never take the same
//! job and never wait on each other; on SQLite the single writer does the
//! same. A claim also takes back jobs whose lease ran out (their node stopped
//! or crashed), so a job is run at least once; handlers are written to be
//! safe to run again. A node records the outcome with [`complete`] or
//! [`fail`], and only while it still holds the job.
//!
//! Invariant: `attempts` counts claims; a job is `dead` once an attempt fails
//! (or its lease runs out) with `attempts >= max_attempts`.

use crate::{Db, Result, StoreError, Tx, on_read, on_tx};

/// How many times a job is tried before it is dead.
pub const MAX_ATTEMPTS: i64 = 5;
/// The wait before the first retry; each further retry waits twice as long.
pub const BACKOFF_BASE_US: i64 = 10 * 1_000_000;
/// The longest wait between two attempts.
pub const BACKOFF_MAX_US: i64 = 60 * 60 * 1_000_000;
/// The longest error text kept on a job.
pub const ERROR_CHARS_MAX: usize = 2000;

/// Where a job is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JobState {
    Queued,
    Running,
    Done,
    Failed,
    Dead,
}

impl JobState {
    pub const ALL: [JobState; 5] = [
        JobState::Queued,
        JobState::Running,
        JobState::Done,
        JobState::Failed,
        JobState::Dead,
    ];

    pub fn name(self) -> &'static str {
        match self {
            JobState::Queued => "queued",
            JobState::Running => "running",
            JobState::Done => "done",
            JobState::Failed => "failed",
            JobState::Dead => "dead",
        }
    }

    pub fn parse(name: &str) -> Option<JobState> {
        JobState::ALL.into_iter().find(|s| s.name() == name.trim())
    }
}

/// A job as stored.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct JobRow {
    pub id: i64,
    pub kind: String,
    /// JSON text; what it holds depends on the kind.
    pub payload: String,
    pub state: String,
    pub attempts: i64,
    pub max_attempts: i64,
    /// When the job is due (queued, failed) or was last due.
    pub run_at_us: i64,
    /// The node that claimed it last.
    pub locked_by: Option<String>,
    /// Until when that node's claim holds (running jobs only).
    pub locked_until_us: Option<i64>,
    pub last_error: Option<String>,
    pub created_at_us: i64,
    pub done_at_us: Option<i64>,
}

const COLUMNS: &str = "id, kind, payload, state, attempts, max_attempts, run_at_us, locked_by, \
     locked_until_us, last_error, created_at_us, done_at_us";

/// The wait before retrying a job that has failed `attempts` times:
/// 10 s, 20 s, 40 s, … up to an hour.
pub fn backoff_us(attempts: i64) -> i64 {
    let doublings = u32::try_from(attempts.saturating_sub(1).clamp(0, 30)).unwrap_or(30);
    BACKOFF_BASE_US
        .saturating_mul(1_i64 << doublings)
        .min(BACKOFF_MAX_US)
}

/// Adds a job in the caller's transaction: it exists once that commits, and
/// never if it rolls back. Returns the job's id.
pub async fn enqueue(tx: &mut Tx, kind: &str, payload: &str, run_at_us: i64) -> Result<i64> {
    const SQL: &str = "INSERT INTO jobs (kind, payload, state, attempts, max_attempts, run_at_us, created_at_us) \
         VALUES ($1, $2, 'queued', 0, $3, $4, $5) RETURNING id";
    let now = crate::now_us();
    Ok(on_tx!(tx, c => sqlx::query_scalar::<_, i64>(SQL)
        .bind(kind)
        .bind(payload)
        .bind(MAX_ATTEMPTS)
        .bind(run_at_us)
        .bind(now)
        .fetch_one(c)
        .await?))
}

/// Claims up to `limit` due jobs for `node` until `now_us + lease_us`: queued
/// and failed jobs whose time has come, and running jobs whose lease has run
/// out. Each claim counts as an attempt. Jobs come back oldest due first.
///
/// On PostgreSQL the rows are picked with `FOR UPDATE SKIP LOCKED`: a job
/// another node is claiming at this moment is skipped, not waited for, and
/// never handed out twice.
pub async fn claim(
    db: &Db,
    node: &str,
    limit: i64,
    lease_us: i64,
    now_us: i64,
) -> Result<Vec<JobRow>> {
    // A job whose lease ran out on its last attempt is not run again.
    const BURIED: &str = "UPDATE jobs SET state = 'dead', locked_until_us = NULL, \
         last_error = COALESCE(last_error, 'the node running it stopped before it finished') \
         WHERE state = 'running' AND locked_until_us < $1 AND attempts >= max_attempts";
    const DUE: &str = "SELECT id FROM jobs \
         WHERE (state IN ('queued', 'failed') AND run_at_us <= $3) \
            OR (state = 'running' AND locked_until_us < $3) \
         ORDER BY run_at_us, id LIMIT $4";
    let update = |lock: &str| {
        format!(
            "UPDATE jobs SET state = 'running', locked_by = $1, locked_until_us = $2, attempts = attempts + 1 \
             WHERE id IN ({DUE}{lock}) RETURNING {COLUMNS}"
        )
    };
    // Idle nodes poll often: a read that finds nothing due costs no write
    // transaction (on SQLite, no turn of the single writer).
    const ANY_DUE: &str = "SELECT EXISTS (SELECT 1 FROM jobs \
         WHERE (state IN ('queued', 'failed') AND run_at_us <= $1) \
            OR (state = 'running' AND locked_until_us < $1))";
    let due: bool = on_read!(db, p => sqlx::query_scalar(ANY_DUE).bind(now_us).fetch_one(p).await?);
    if !due {
        return Ok(Vec::new());
    }
    let limit = limit.clamp(1, 1000);
    let until = now_us.saturating_add(lease_us.max(0));
    let mut tx = db.begin().await?;
    on_tx!(&mut tx, c => sqlx::query(BURIED).bind(now_us).execute(c).await?.rows_affected());
    let sql = match &tx {
        Tx::Sqlite(_) => update(""),
        Tx::Pg(_) => update(" FOR UPDATE SKIP LOCKED"),
    };
    let mut rows = on_tx!(&mut tx, c => sqlx::query_as::<_, JobRow>(sqlx::AssertSqlSafe(sql))
        .bind(node)
        .bind(until)
        .bind(now_us)
        .bind(limit)
        .fetch_all(c)
        .await?);
    tx.commit().await?;
    rows.sort_by_key(|r| (r.run_at_us, r.id));
    Ok(rows)
}

/// Marks a job `node` holds as done. False when the node no longer holds it
/// (its lease ran out and another node took it).
pub async fn complete(db: &Db, id: i64, node: &str, now_us: i64) -> Result<bool> {
    const SQL: &str = "UPDATE jobs SET state = 'done', done_at_us = $3, locked_until_us = NULL, last_error = NULL \
         WHERE id = $1 AND locked_by = $2 AND state = 'running'";
    let mut tx = db.begin().await?;
    let n = on_tx!(&mut tx, c => sqlx::query(SQL).bind(id).bind(node).bind(now_us).execute(c).await?.rows_affected());
    tx.commit().await?;
    Ok(n == 1)
}

/// Records a failed attempt of a job `node` holds: it is tried again at
/// `retry_at_us` (state `failed`), or is `dead` when it has had its attempts.
/// `permanent` makes it dead at once (retrying cannot help).
///
/// Errors: [`StoreError::Stale`] when the node no longer holds the job.
pub async fn fail(
    db: &Db,
    id: i64,
    node: &str,
    error: &str,
    retry_at_us: i64,
    permanent: bool,
) -> Result<JobState> {
    const SQL: &str = "UPDATE jobs SET \
         state = CASE WHEN $5 OR attempts >= max_attempts THEN 'dead' ELSE 'failed' END, \
         run_at_us = $3, last_error = $4, locked_until_us = NULL \
         WHERE id = $1 AND locked_by = $2 AND state = 'running' RETURNING state";
    let error: String = error.chars().take(ERROR_CHARS_MAX).collect();
    let mut tx = db.begin().await?;
    let state = on_tx!(&mut tx, c => sqlx::query_scalar::<_, String>(SQL)
        .bind(id)
        .bind(node)
        .bind(retry_at_us)
        .bind(&error)
        .bind(permanent)
        .fetch_optional(c)
        .await?);
    tx.commit().await?;
    let state = state.ok_or(StoreError::Stale)?;
    JobState::parse(&state).ok_or_else(|| StoreError::Corrupt(format!("job state {state}")))
}

/// Gives a claimed job back unrun (the node is stopping): it is due again at
/// once, and the claim does not count as an attempt. False when the node no
/// longer holds it.
pub async fn release(db: &Db, id: i64, node: &str) -> Result<bool> {
    const SQL: &str = "UPDATE jobs SET \
         state = CASE WHEN last_error IS NULL THEN 'queued' ELSE 'failed' END, \
         attempts = attempts - 1, locked_until_us = NULL \
         WHERE id = $1 AND locked_by = $2 AND state = 'running' AND attempts > 0";
    let mut tx = db.begin().await?;
    let n = on_tx!(&mut tx, c => sqlx::query(SQL).bind(id).bind(node).execute(c).await?.rows_affected());
    tx.commit().await?;
    Ok(n == 1)
}

/// Puts a dead or failed job back in the queue, due at `now_us`, with all
/// its attempts again. `None` when no such job is dead or failed.
pub async fn retry(tx: &mut Tx, id: i64, now_us: i64) -> Result<Option<JobRow>> {
    let sql = format!(
        "UPDATE jobs SET state = 'queued', attempts = 0, run_at_us = $2, locked_until_us = NULL \
         WHERE id = $1 AND state IN ('dead', 'failed') RETURNING {COLUMNS}"
    );
    Ok(
        on_tx!(tx, c => sqlx::query_as::<_, JobRow>(sqlx::AssertSqlSafe(sql))
            .bind(id)
            .bind(now_us)
            .fetch_optional(c)
            .await?),
    )
}

pub async fn job(db: &Db, id: i64) -> Result<Option<JobRow>> {
    let sql = format!("SELECT {COLUMNS} FROM jobs WHERE id = $1");
    Ok(
        on_read!(db, p => sqlx::query_as::<_, JobRow>(sqlx::AssertSqlSafe(sql)).bind(id).fetch_optional(p).await?),
    )
}

/// Jobs newest first, optionally only those in `state`, with ids below `before`.
pub async fn list(
    db: &Db,
    state: Option<JobState>,
    before: Option<i64>,
    limit: i64,
) -> Result<Vec<JobRow>> {
    let sql = format!(
        "SELECT {COLUMNS} FROM jobs WHERE ($1 = '' OR state = $1) AND id < $2 ORDER BY id DESC LIMIT $3"
    );
    let state = state.map(JobState::name).unwrap_or_default();
    Ok(
        on_read!(db, p => sqlx::query_as::<_, JobRow>(sqlx::AssertSqlSafe(sql))
            .bind(state)
            .bind(before.unwrap_or(i64::MAX))
            .bind(limit.clamp(1, 1000))
            .fetch_all(p)
            .await?),
    )
}

/// How many jobs are in each state (states with none are left out).
pub async fn counts(db: &Db) -> Result<Vec<(String, i64)>> {
    const SQL: &str = "SELECT state, COUNT(*) FROM jobs GROUP BY state ORDER BY state";
    Ok(on_read!(db, p => sqlx::query_as::<_, (String, i64)>(SQL).fetch_all(p).await?))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_from_ten_seconds_up_to_an_hour() {
        assert_eq!(backoff_us(1), 10_000_000);
        assert_eq!(backoff_us(2), 20_000_000);
        assert_eq!(backoff_us(3), 40_000_000);
        assert_eq!(backoff_us(0), 10_000_000);
        assert_eq!(backoff_us(40), BACKOFF_MAX_US);
        assert_eq!(backoff_us(i64::MAX), BACKOFF_MAX_US);
    }

    #[test]
    fn states_round_trip_by_name() {
        for s in JobState::ALL {
            assert_eq!(JobState::parse(s.name()), Some(s));
        }
        assert_eq!(JobState::parse("lost"), None);
    }
}
