//! In-app notifications: one row per message to one user, written by the
//! command that causes it, in that command's transaction.

use crate::{Db, Result, Tx, on_read, on_tx};

/// A notification as stored.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct NotificationRow {
    pub id: i64,
    pub user_id: i64,
    /// Names the message: the web shows the catalogue text `notice-<kind>`.
    pub kind: String,
    /// The message's argument: a visitor's name, a ticket's number and title.
    pub subject: String,
    /// A path inside Seam, or "".
    pub link: String,
    pub created_at_us: i64,
    pub read_at_us: Option<i64>,
}

const COLUMNS: &str = "id, user_id, kind, subject, link, created_at_us, read_at_us";

/// Adds a notification for `user_id` in the caller's transaction. Returns its id.
pub async fn insert(
    tx: &mut Tx,
    user_id: i64,
    kind: &str,
    subject: &str,
    link: &str,
    now_us: i64,
) -> Result<i64> {
    const SQL: &str = "INSERT INTO notifications (user_id, kind, subject, link, created_at_us) \
         VALUES ($1, $2, $3, $4, $5) RETURNING id";
    Ok(on_tx!(tx, c => sqlx::query_scalar::<_, i64>(SQL)
        .bind(user_id)
        .bind(kind)
        .bind(subject)
        .bind(link)
        .bind(now_us)
        .fetch_one(c)
        .await?))
}

/// A user's notifications, newest first: up to `limit` with an id below
/// `before` (keyset pagination; `None` for the newest).
pub async fn for_user(
    db: &Db,
    user_id: i64,
    before: Option<i64>,
    limit: i64,
) -> Result<Vec<NotificationRow>> {
    let sql = sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM notifications WHERE user_id = $1 AND id < $2 ORDER BY id DESC LIMIT $3"
    ));
    Ok(on_read!(db, p => sqlx::query_as::<_, NotificationRow>(sql)
        .bind(user_id)
        .bind(before.unwrap_or(i64::MAX))
        .bind(limit)
        .fetch_all(p)
        .await?))
}

/// How many of a user's notifications are unread.
pub async fn unread_count(db: &Db, user_id: i64) -> Result<i64> {
    const SQL: &str =
        "SELECT COUNT(*) FROM notifications WHERE user_id = $1 AND read_at_us IS NULL";
    Ok(on_read!(db, p => sqlx::query_scalar::<_, i64>(SQL)
        .bind(user_id)
        .fetch_one(p)
        .await?))
}

/// One notification of `user_id`'s, or `None` when it is not theirs.
pub async fn of_user(db: &Db, user_id: i64, id: i64) -> Result<Option<NotificationRow>> {
    let sql = sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM notifications WHERE user_id = $1 AND id = $2"
    ));
    Ok(on_read!(db, p => sqlx::query_as::<_, NotificationRow>(sql)
        .bind(user_id)
        .bind(id)
        .fetch_optional(p)
        .await?))
}

/// Marks one of `user_id`'s notifications read, or all of them when `id` is
/// `None`. Another user's notification is left alone. Returns how many changed.
pub async fn mark_read(tx: &mut Tx, user_id: i64, id: Option<i64>, now_us: i64) -> Result<u64> {
    const ONE: &str = "UPDATE notifications SET read_at_us = $1 \
         WHERE user_id = $2 AND id = $3 AND read_at_us IS NULL";
    const ALL: &str = "UPDATE notifications SET read_at_us = $1 \
         WHERE user_id = $2 AND read_at_us IS NULL";
    let done = match id {
        Some(id) => on_tx!(tx, c => sqlx::query(ONE)
            .bind(now_us)
            .bind(user_id)
            .bind(id)
            .execute(c)
            .await?
            .rows_affected()),
        None => on_tx!(tx, c => sqlx::query(ALL)
            .bind(now_us)
            .bind(user_id)
            .execute(c)
            .await?
            .rows_affected()),
    };
    Ok(done)
}
