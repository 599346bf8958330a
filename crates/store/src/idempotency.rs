//! `Idempotency-Key` for API POSTs: the first request with a key does the
//! work and its response is kept; a retry with the same key gets that
//! response back and changes nothing.

use crate::{Db, Result, StoreError, on_read, on_tx};

/// What to do with a request that carries a key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Reservation {
    /// First time: run it, then [`complete`] the key.
    Fresh,
    /// Done before: answer with this.
    Replay {
        status: u16,
        content_type: String,
        body: String,
    },
    /// The key was used for a different request.
    Mismatch,
    /// The first request with this key has not finished yet.
    InProgress,
}

#[derive(sqlx::FromRow)]
struct KeyRow {
    request_hash: String,
    status: Option<i64>,
    content_type: Option<String>,
    body: Option<String>,
}

/// Keys are kept this long; a retry later than that is a new request.
pub const KEY_TTL_US: i64 = 24 * 60 * 60 * 1_000_000;
/// A first request that has not finished after this long is taken as lost
/// (the server stopped mid-way), and the key may be claimed again.
pub const IN_PROGRESS_TTL_US: i64 = 5 * 60 * 1_000_000;

/// Claims `key` for this user and request, or reports how it was used before.
pub async fn reserve(
    db: &Db,
    user_id: i64,
    key: &str,
    request_hash: &str,
    now_us: i64,
) -> Result<Reservation> {
    const INSERT: &str = "INSERT INTO idempotency_keys (user_id, idem_key, request_hash, created_at_us) VALUES ($1, $2, $3, $4)";
    // Forget this user's expired keys and abandoned claims first, in a
    // transaction of its own (a refused insert below aborts its transaction).
    const PURGE: &str = "DELETE FROM idempotency_keys WHERE user_id = $1 \
         AND (created_at_us < $2 OR (status IS NULL AND created_at_us < $3))";
    let mut purge = db.begin().await?;
    on_tx!(&mut purge, c => sqlx::query(PURGE)
        .bind(user_id)
        .bind(now_us - KEY_TTL_US)
        .bind(now_us - IN_PROGRESS_TTL_US)
        .execute(c)
        .await?
        .rows_affected());
    purge.commit().await?;
    let mut tx = db.begin().await?;
    let inserted = on_tx!(&mut tx, c => sqlx::query(INSERT).bind(user_id).bind(key).bind(request_hash).bind(now_us).execute(c).await.map(|r| r.rows_affected()));
    match inserted.map_err(StoreError::from_insert) {
        Ok(_) => {
            tx.commit().await?;
            return Ok(Reservation::Fresh);
        }
        Err(StoreError::Duplicate) => drop(tx),
        Err(e) => return Err(e),
    }
    const SELECT: &str = "SELECT request_hash, status, content_type, body FROM idempotency_keys WHERE user_id = $1 AND idem_key = $2";
    let row = on_read!(db, p => sqlx::query_as::<_, KeyRow>(SELECT).bind(user_id).bind(key).fetch_optional(p).await?)
        .ok_or(StoreError::NotFound)?;
    Ok(match row {
        KeyRow {
            request_hash: h, ..
        } if h != request_hash => Reservation::Mismatch,
        KeyRow {
            status: Some(status),
            content_type,
            body,
            ..
        } => Reservation::Replay {
            status: u16::try_from(status).unwrap_or(500),
            content_type: content_type.unwrap_or_default(),
            body: body.unwrap_or_default(),
        },
        KeyRow { status: None, .. } => Reservation::InProgress,
    })
}

/// Stores the response of the first request.
pub async fn complete(
    db: &Db,
    user_id: i64,
    key: &str,
    status: u16,
    content_type: &str,
    body: &str,
) -> Result<()> {
    const SQL: &str = "UPDATE idempotency_keys SET status = $3, content_type = $4, body = $5 WHERE user_id = $1 AND idem_key = $2";
    let mut tx = db.begin().await?;
    on_tx!(&mut tx, c => sqlx::query(SQL).bind(user_id).bind(key).bind(i64::from(status)).bind(content_type).bind(body).execute(c).await?.rows_affected());
    tx.commit().await
}

/// Frees a key whose request failed on the server's side, so the client may retry it.
pub async fn release(db: &Db, user_id: i64, key: &str) -> Result<()> {
    let mut tx = db.begin().await?;
    on_tx!(&mut tx, c => sqlx::query("DELETE FROM idempotency_keys WHERE user_id = $1 AND idem_key = $2").bind(user_id).bind(key).execute(c).await?.rows_affected());
    tx.commit().await
}
