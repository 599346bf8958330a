//! Reading and checking the audit journal.

use seam_domain::access::Permission;
use seam_store::events;
pub use seam_store::events::{ChainBreak, ChainReport, EventRow};

use crate::{Actor, App, AppResult};

/// Page size limit for reading the journal.
pub const EVENTS_PAGE_MAX: i64 = 500;

/// Recomputes the whole hash chain. Needs `audit.read`.
pub async fn verify(app: &App, actor: &Actor) -> AppResult<ChainReport> {
    actor.require(Permission::AuditRead)?;
    Ok(events::verify_chain(&app.db).await?)
}

/// Events after a cursor, oldest first: the outbox for integrations. Needs `audit.read`.
pub async fn events_after(
    app: &App,
    actor: &Actor,
    after_seq: i64,
    limit: i64,
) -> AppResult<Vec<EventRow>> {
    actor.require(Permission::AuditRead)?;
    Ok(events::events_after(&app.db, after_seq, limit.clamp(1, EVENTS_PAGE_MAX)).await?)
}

/// The newest events before a cursor (or the newest of all), newest first. Needs `audit.read`.
pub async fn recent_events(
    app: &App,
    actor: &Actor,
    before_seq: Option<i64>,
    limit: i64,
) -> AppResult<Vec<EventRow>> {
    actor.require(Permission::AuditRead)?;
    Ok(events::events_before(
        &app.db,
        before_seq.unwrap_or(i64::MAX),
        limit.clamp(1, EVENTS_PAGE_MAX),
    )
    .await?)
}
