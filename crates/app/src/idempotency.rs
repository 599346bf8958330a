//! Idempotency keys for API requests: a retry gets the first answer back.

use seam_store::idempotency;
pub use seam_store::idempotency::Reservation;

use crate::{Actor, App, AppError, AppResult, now_us};

fn user_of(actor: &Actor) -> AppResult<i64> {
    actor.user_id.map(|u| u.0).ok_or(AppError::Unauthenticated)
}

/// Claims `key` for this actor and request (identified by `request_hash`).
pub async fn reserve(
    app: &App,
    actor: &Actor,
    key: &str,
    request_hash: &str,
) -> AppResult<Reservation> {
    Ok(idempotency::reserve(&app.db, user_of(actor)?, key, request_hash, now_us()).await?)
}

/// Stores the first request's response for replays.
pub async fn complete(
    app: &App,
    actor: &Actor,
    key: &str,
    status: u16,
    content_type: &str,
    body: &str,
) -> AppResult<()> {
    Ok(idempotency::complete(&app.db, user_of(actor)?, key, status, content_type, body).await?)
}

/// Frees the key after a server-side failure, so the client may retry.
pub async fn release(app: &App, actor: &Actor, key: &str) -> AppResult<()> {
    Ok(idempotency::release(&app.db, user_of(actor)?, key).await?)
}
