//! Login sessions, stored in the database so any app node can serve any request.

use crate::{Db, Result, Tx, on_read, on_tx, secret_hash};

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct SessionRow {
    pub user_id: i64,
    pub mfa_pending: bool,
    pub flash: Option<String>,
    pub expires_at_us: i64,
}

/// Stores a session under the hash of `secret` (the cookie value).
pub async fn insert_session(
    tx: &mut Tx,
    secret: &str,
    user_id: i64,
    mfa_pending: bool,
    now_us: i64,
    expires_at_us: i64,
) -> Result<()> {
    const SQL: &str = "INSERT INTO sessions (id_hash, user_id, mfa_pending, flash, created_at_us, expires_at_us) \
         VALUES ($1, $2, $3, NULL, $4, $5)";
    on_tx!(tx, c => sqlx::query(SQL)
        .bind(secret_hash(secret))
        .bind(user_id)
        .bind(mfa_pending)
        .bind(now_us)
        .bind(expires_at_us)
        .execute(c)
        .await?
        .rows_affected());
    Ok(())
}

/// The live session for a cookie value; expired sessions are not returned.
pub async fn session(db: &Db, secret: &str, now_us: i64) -> Result<Option<SessionRow>> {
    const SQL: &str = "SELECT user_id, mfa_pending, flash, expires_at_us FROM sessions WHERE id_hash = $1 AND expires_at_us > $2";
    Ok(
        on_read!(db, p => sqlx::query_as::<_, SessionRow>(SQL).bind(secret_hash(secret)).bind(now_us).fetch_optional(p).await?),
    )
}

pub async fn delete_session(tx: &mut Tx, secret: &str) -> Result<()> {
    on_tx!(tx, c => sqlx::query("DELETE FROM sessions WHERE id_hash = $1").bind(secret_hash(secret)).execute(c).await?.rows_affected());
    Ok(())
}

/// Ends every session of a user (disabled, password reset).
pub async fn delete_sessions_of_user(tx: &mut Tx, user_id: i64) -> Result<u64> {
    let done = on_tx!(tx, c => sqlx::query("DELETE FROM sessions WHERE user_id = $1").bind(user_id).execute(c).await?.rows_affected());
    Ok(done)
}

/// Sets (or clears, with `None`) the one-shot message shown on the next page.
pub async fn set_flash(tx: &mut Tx, secret: &str, flash: Option<&str>) -> Result<()> {
    on_tx!(tx, c => sqlx::query("UPDATE sessions SET flash = $2 WHERE id_hash = $1")
        .bind(secret_hash(secret))
        .bind(flash)
        .execute(c)
        .await?
        .rows_affected());
    Ok(())
}

/// Removes sessions that have expired; returns how many.
pub async fn purge_expired_sessions(tx: &mut Tx, now_us: i64) -> Result<u64> {
    let done = on_tx!(tx, c => sqlx::query("DELETE FROM sessions WHERE expires_at_us <= $1").bind(now_us).execute(c).await?.rows_affected());
    Ok(done)
}

pub async fn count_sessions_of_user(db: &Db, user_id: i64) -> Result<i64> {
    const SQL: &str = "SELECT COUNT(*) FROM sessions WHERE user_id = $1";
    Ok(on_read!(db, p => sqlx::query_scalar::<_, i64>(SQL).bind(user_id).fetch_one(p).await?))
}
