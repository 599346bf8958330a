//! In-app notifications, and the e-mail that may go with one. A command that
//! needs someone's attention (a visitor checked in for their host, a colleague
//! mentioned in a note, a ticket assigned) calls [`notify`] inside its own
//! transaction, so the notification exists exactly when the change does.
//! A user reads and clears only their own notifications.

use seam_domain::ids::UserId;
use seam_store::Tx;
use seam_store::notifications as store;
pub use seam_store::notifications::NotificationRow;
use seam_store::users as user_store;

use crate::mail::{self, EmailJob};
use crate::{Actor, App, AppError, AppResult, now_us};

/// Notifications shown per page.
pub const PAGE_SIZE: i64 = 50;

/// An e-mail to send with a notification, already written in the
/// recipient's words.
#[derive(Debug, Clone)]
pub struct EmailText {
    pub subject: String,
    pub body: String,
}

/// One notification for one user.
#[derive(Debug, Clone)]
pub struct Notice<'a> {
    pub user_id: UserId,
    /// Names the message; the web shows the catalogue text `notice-<kind>`.
    pub kind: &'a str,
    /// The message's argument (a visitor's name, a ticket's number).
    pub subject: &'a str,
    /// A path inside Seam the notification opens, or "".
    pub link: &'a str,
    /// Also e-mail the user, when they have an address.
    pub email: Option<EmailText>,
}

/// Writes `notice` in the caller's transaction (and queues its e-mail, sent
/// once that commits). The caller's command has checked its own permission;
/// notifying is part of that command. Returns the notification's id.
pub async fn notify(app: &App, tx: &mut Tx, notice: &Notice<'_>) -> AppResult<i64> {
    let id = store::insert(
        tx,
        notice.user_id.0,
        notice.kind,
        notice.subject,
        notice.link,
        now_us(),
    )
    .await?;
    if let Some(text) = &notice.email
        && let Some(user) = user_store::user_by_id(&app.db, notice.user_id.0).await?
        && let Some(to) = user.email.filter(|e| !e.trim().is_empty())
    {
        mail::enqueue(
            tx,
            &EmailJob {
                to,
                subject: text.subject.clone(),
                body: text.body.clone(),
                invoice_id: None,
                calendar: None,
            },
        )
        .await?;
    }
    Ok(id)
}

fn own_id(actor: &Actor) -> AppResult<i64> {
    actor
        .user_id
        .map(|id| id.0)
        .ok_or(AppError::Unauthenticated)
}

/// The actor's own notifications, newest first, below `before` (keyset).
pub async fn mine(
    app: &App,
    actor: &Actor,
    before: Option<i64>,
) -> AppResult<Vec<NotificationRow>> {
    let user = own_id(actor)?;
    Ok(store::for_user(&app.db, user, before, PAGE_SIZE).await?)
}

/// How many of the actor's notifications are unread (0 for the system).
pub async fn unread_count(app: &App, actor: &Actor) -> AppResult<i64> {
    match actor.user_id {
        Some(user) => Ok(store::unread_count(&app.db, user.0).await?),
        None => Ok(0),
    }
}

/// Marks one of the actor's notifications read and returns it (for its link).
///
/// Errors: [`AppError::NotFound`] when it is not the actor's.
pub async fn open(app: &App, actor: &Actor, id: i64) -> AppResult<NotificationRow> {
    let user = own_id(actor)?;
    let row = store::of_user(&app.db, user, id)
        .await?
        .ok_or(AppError::NotFound)?;
    if row.read_at_us.is_none() {
        let mut tx = app.db.begin().await?;
        store::mark_read(&mut tx, user, Some(id), now_us()).await?;
        tx.commit().await?;
    }
    Ok(row)
}

/// Marks all of the actor's notifications read. Returns how many were unread.
pub async fn mark_all_read(app: &App, actor: &Actor) -> AppResult<u64> {
    let user = own_id(actor)?;
    let mut tx = app.db.begin().await?;
    let n = store::mark_read(&mut tx, user, None, now_us()).await?;
    tx.commit().await?;
    Ok(n)
}
