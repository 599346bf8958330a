//! The internal helpdesk: an employee asks IT for help from self-service.
//!
//! An IT request is an ordinary ticket of the front office's ticketing
//! ([`crate::service`]), not a copy: its party is the employee's own party
//! (`employees.party_id`), it waits in the `it` queue, and its channel is
//! `portal`, which for an employee means "self-service". IT (`it.use`)
//! answers it at the service desk like any ticket of its queue; the SLA
//! clocks, the audit events and the states are the ticketing's.
//!
//! The employee is the ticket's requester: they see their own party's
//! tickets and only the public messages, exactly as a portal customer sees
//! theirs. Anyone with an employee record may ask, whatever their role
//! (even `employee`, which grants no permission); a login without one finds
//! nothing ([`AppError::NotFound`]).

use seam_domain::ids::{PartyId, UserId};
use seam_domain::service::{self as rules, Channel, Queue, TicketDraft};
use seam_store::Tx;
use seam_store::tickets::TicketRow;

use crate::notifications::{self, Notice};
use crate::service::{self, ListFilter, Opening, Side, TicketDetail, Upload};
use crate::{Actor, App, AppError, AppResult, UserKind};

/// What an employee types to ask IT for help.
#[derive(Debug, Clone, Default)]
pub struct ItRequestDraft {
    pub subject: String,
    pub body: String,
    /// `low`, `normal` (the default), `high` or `urgent`.
    pub priority: String,
}

/// The requester's side for the actor's employee record.
///
/// Errors: [`AppError::NotFound`] for a portal login or a member of staff
/// without an employee record.
async fn employee_side(app: &App, actor: &Actor) -> AppResult<Side> {
    if actor.kind != UserKind::Staff {
        return Err(AppError::NotFound);
    }
    let own = crate::hr::own_employee_id(app, actor)
        .await?
        .ok_or(AppError::NotFound)?;
    let row = seam_store::hr::employee(&app.db, own, &crate::hr::today_iso())
        .await?
        .ok_or(AppError::NotFound)?;
    Ok(Side::Requester(PartyId(row.party_id)))
}

/// Opens an IT request for the actor's own employee record: a ticket in
/// the `it` queue for their party, channel `portal` (self-service), with
/// the SLA clocks started and the audit event written. Returns its id.
///
/// Errors: [`AppError::Invalid`] naming `subject`, `body` or `priority`;
/// [`AppError::NotFound`] without an employee record. Nothing is written
/// on any error.
pub async fn open_request(app: &App, actor: &Actor, draft: &ItRequestDraft) -> AppResult<i64> {
    let Side::Requester(party) = employee_side(app, actor).await? else {
        return Err(AppError::NotFound);
    };
    let valid = rules::validate_ticket(
        &TicketDraft {
            subject: draft.subject.clone(),
            body: draft.body.clone(),
            priority: draft.priority.clone(),
            channel: Channel::Portal.name().to_owned(),
        },
        Channel::Portal,
    )?;
    let mut tx = app.db.begin().await?;
    let id = open_for_party_in(
        app,
        &mut tx,
        actor,
        party,
        &valid.subject,
        &valid.body,
        valid.priority,
        true,
    )
    .await?;
    tx.commit().await?;
    Ok(id)
}

/// Opens a ticket in the IT queue for an employee's party, in the caller's
/// transaction (an approved access request opens its grant this way).
/// `by_employee` says whether the first message is the employee's own.
#[allow(clippy::too_many_arguments)]
pub(crate) async fn open_for_party_in(
    app: &App,
    tx: &mut Tx,
    actor: &Actor,
    party: PartyId,
    subject: &str,
    body: &str,
    priority: rules::Priority,
    by_employee: bool,
) -> AppResult<i64> {
    service::open_in(
        app,
        tx,
        actor,
        &Opening {
            party_id: party.0,
            queue: Queue::It,
            channel: Channel::Portal,
            priority,
            subject,
            body,
            by_requester: by_employee,
            invoice_id: None,
            order_id: None,
        },
    )
    .await
}

/// The actor's own requests, newest first, below `before`: every ticket of
/// their employee party. Errors: [`AppError::NotFound`] without a record.
pub async fn my_requests(
    app: &App,
    actor: &Actor,
    before: Option<i64>,
) -> AppResult<Vec<TicketRow>> {
    let side = employee_side(app, actor).await?;
    service::list_as(app, actor, side, &ListFilter::default(), before).await
}

/// One of the actor's own requests with its public messages.
///
/// Errors: [`AppError::NotFound`], also for anyone else's ticket.
pub async fn request(app: &App, actor: &Actor, id: i64) -> AppResult<TicketDetail> {
    let side = employee_side(app, actor).await?;
    service::ticket_as(app, actor, side, id).await
}

/// The employee answers on their own request (always public; it reopens
/// the ticket and notifies its assignee). Returns the message's id.
///
/// Errors: [`AppError::Invalid`] naming `body` or `attachments`;
/// [`AppError::Conflict`] (`error-ticket-state`) once closed;
/// [`AppError::NotFound`] for anyone else's ticket.
pub async fn reply(
    app: &App,
    actor: &Actor,
    id: i64,
    body: &str,
    uploads: &[Upload],
) -> AppResult<i64> {
    let side = employee_side(app, actor).await?;
    service::reply_as(app, actor, side, id, body, true, uploads).await
}

/// The employee closes their own request.
///
/// Errors: [`AppError::NotFound`]; [`AppError::Conflict`] once closed.
pub async fn close(app: &App, actor: &Actor, id: i64) -> AppResult<()> {
    let side = employee_side(app, actor).await?;
    service::close_as(app, actor, side, id).await
}

/// A file on one of the employee's own requests (public messages only).
///
/// Errors: [`AppError::NotFound`].
pub async fn attachment(
    app: &App,
    actor: &Actor,
    id: i64,
) -> AppResult<(crate::ticket_mail::AttachmentRow, Vec<u8>)> {
    let side = employee_side(app, actor).await?;
    crate::ticket_mail::attachment_as(app, actor, side, id).await
}

/// Tells the employee behind a ticket's party, if it has a login, that the
/// desk answered: a notification linking their own page of the request.
/// Does nothing for a customer's ticket.
pub(crate) async fn notify_employee(app: &App, tx: &mut Tx, ticket: &TicketRow) -> AppResult<()> {
    let Some(user) = seam_store::hr::login_of_party(&app.db, ticket.party_id).await? else {
        return Ok(());
    };
    let subject = format!("{} {}", ticket.number, ticket.subject);
    notifications::notify(
        app,
        tx,
        &Notice {
            user_id: UserId(user),
            kind: "it-request-replied",
            subject: &subject,
            link: &format!("/me/it/{}", ticket.id),
            email: None,
        },
    )
    .await?;
    Ok(())
}
