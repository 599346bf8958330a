//! The customer service desk: tickets opened by customers in the portal or by
//! staff for a call or a visit, answered with public replies or internal
//! notes, escalated to the team that can fix the problem (a billing dispute
//! to accounting, a delivery problem to the warehouse, an access problem to
//! IT) without leaving the customer's thread, and resolved from the ticket
//! through the order-to-cash use cases (a credit note for the disputed
//! invoice).
//!
//! Who sees a ticket: the service desk (`service.use`) sees every ticket; a
//! back-office team sees the tickets waiting in its own queue. The requester
//! sees their own party's tickets and only their public messages: a portal
//! customer (the party of their login) or an employee asking IT for help in
//! self-service (the party of their employee record, see
//! [`crate::helpdesk`]). Both sides run the same code below, told apart by
//! [`Side`].

use seam_domain::FieldErrors;
use seam_domain::access::Permission;
use seam_domain::ids::{PartyId, UserId};
use seam_domain::service::{
    self as rules, Channel, IllegalTicketTransition, Priority, Queue, TicketDraft, TicketState,
};
use seam_store::invoices as invoice_store;
use seam_store::parties as party_store;
use seam_store::sales as order_store;
use seam_store::tickets::{self as store, NewMessage, NewTicket, TicketFilter, TicketUpdate};
pub use seam_store::tickets::{MessageRow, TicketRow};
use seam_store::{Tx, users as user_store};
use serde_json::json;

use crate::invoicing::{self, CreditInput, CreditLines, InvoiceRow};
use crate::mail;
use crate::notifications::{self, Notice};
use crate::{Actor, App, AppError, AppResult, Change, UserKind, now_us, record, today};
pub use seam_domain::service_mail::Upload;

/// Tickets per page of a list.
pub const PAGE_SIZE: i64 = 50;

/// What opening a ticket takes. Staff name the customer; a portal customer's
/// own party is used and `party_id` is ignored.
#[derive(Debug, Clone, Default)]
pub struct TicketInput {
    pub party_id: Option<i64>,
    pub ticket: TicketDraft,
    /// The invoice the ticket is about, by number (`INV-2026-000042`) or "".
    pub invoice: String,
    /// The order it is about, by number (`SO-2026-000080`) or "".
    pub order: String,
}

/// A ticket with its thread and what it points at.
#[derive(Debug, Clone)]
pub struct TicketDetail {
    pub ticket: TicketRow,
    /// Internal notes are left out for a portal customer.
    pub messages: Vec<MessageRow>,
    pub invoice: Option<InvoiceRow>,
    /// Credit notes issued against that invoice.
    pub credit_notes: Vec<InvoiceRow>,
    pub order_number: Option<String>,
    /// The customer's rating, once they gave one.
    pub rating: Option<seam_store::knowledge::RatingRow>,
    /// Files on the messages shown (a portal customer's: public messages only).
    pub attachments: Vec<crate::ticket_mail::AttachmentRow>,
    /// Replacement shipments sent from this ticket.
    pub replacements: Vec<seam_store::shipments::ShipmentRow>,
    /// The e-mails of the thread (staff only; empty for a portal customer).
    pub mail: Vec<seam_store::ticket_mail::MailRow>,
    /// The service level it is measured against; staff only.
    pub sla: Option<crate::sla::TicketSla>,
}

pub(crate) fn illegal(_: IllegalTicketTransition) -> AppError {
    AppError::Conflict(IllegalTicketTransition::CODE)
}

pub fn state_of(row: &TicketRow) -> TicketState {
    TicketState::parse(&row.state).unwrap_or(TicketState::Open)
}

pub fn queue_of(row: &TicketRow) -> Queue {
    Queue::parse(&row.queue).unwrap_or(Queue::Service)
}

/// The queues a member of staff works.
pub fn queues_of(actor: &Actor) -> Vec<Queue> {
    Queue::ALL
        .into_iter()
        .filter(|q| actor.may(q.permission()))
        .collect()
}

/// Whose side of a ticket the actor is on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Side {
    /// Staff at the desk: the queues they work (all of them for the service
    /// desk), internal notes included.
    Desk,
    /// The one who asked, for this party: a portal customer, or an employee
    /// in self-service. Sees only the party's tickets and their public
    /// messages; what they write is the requester's message.
    Requester(PartyId),
}

impl Side {
    fn is_requester(self) -> bool {
        matches!(self, Side::Requester(_))
    }
}

/// The side a login takes in the front office's ticketing: a portal
/// customer asks for their own party, staff work at the desk.
///
/// Errors: [`AppError::Forbidden`] without `portal.use` or a queue to work;
/// [`AppError::NotFound`] for a portal login without a party.
pub(crate) fn side_of(actor: &Actor) -> AppResult<Side> {
    match actor.kind {
        UserKind::Portal => {
            actor.require(Permission::PortalUse)?;
            Ok(Side::Requester(actor.party_id.ok_or(AppError::NotFound)?))
        }
        UserKind::Staff => {
            require_staff_desk(actor)?;
            Ok(Side::Desk)
        }
    }
}

/// Whether the actor, on `side`, may see the ticket: the service desk sees
/// all of them, other teams the ones in their queue, a requester their own
/// party's.
fn sees(actor: &Actor, side: Side, row: &TicketRow) -> bool {
    match side {
        Side::Requester(party) => PartyId(row.party_id) == party,
        Side::Desk => {
            actor.kind == UserKind::Staff
                && (actor.may(Permission::ServiceUse) || actor.may(queue_of(row).permission()))
        }
    }
}

/// Whether the actor may see the ticket from the side their login takes.
pub(crate) fn may_see(actor: &Actor, row: &TicketRow) -> bool {
    match actor.kind {
        UserKind::Portal => {
            actor.may(Permission::PortalUse)
                && actor
                    .party_id
                    .is_some_and(|p| sees(actor, Side::Requester(p), row))
        }
        UserKind::Staff => sees(actor, Side::Desk, row),
    }
}

/// The ticket if the actor may see it. A ticket they may not see is "not
/// found", so its id reveals nothing.
pub(crate) async fn visible(app: &App, actor: &Actor, id: i64) -> AppResult<TicketRow> {
    let row = store::ticket(&app.db, id)
        .await?
        .ok_or(AppError::NotFound)?;
    if may_see(actor, &row) {
        Ok(row)
    } else {
        Err(AppError::NotFound)
    }
}

/// The ticket if the actor may see it from `side`; "not found" otherwise.
pub(crate) async fn visible_as(
    app: &App,
    actor: &Actor,
    side: Side,
    id: i64,
) -> AppResult<TicketRow> {
    let row = store::ticket(&app.db, id)
        .await?
        .ok_or(AppError::NotFound)?;
    if sees(actor, side, &row) {
        Ok(row)
    } else {
        Err(AppError::NotFound)
    }
}

/// The same, locked in the command's transaction.
pub(crate) async fn visible_in_tx(tx: &mut Tx, actor: &Actor, id: i64) -> AppResult<TicketRow> {
    let row = store::ticket_in_tx(tx, id).await?;
    if may_see(actor, &row) {
        Ok(row)
    } else {
        Err(AppError::NotFound)
    }
}

/// [`visible_as`], locked in the command's transaction.
async fn visible_in_tx_as(tx: &mut Tx, actor: &Actor, side: Side, id: i64) -> AppResult<TicketRow> {
    let row = store::ticket_in_tx(tx, id).await?;
    if sees(actor, side, &row) {
        Ok(row)
    } else {
        Err(AppError::NotFound)
    }
}

pub(crate) fn require_staff_desk(actor: &Actor) -> AppResult<()> {
    if actor.kind == UserKind::Staff && !queues_of(actor).is_empty() {
        Ok(())
    } else {
        Err(AppError::Forbidden)
    }
}

pub(crate) fn ticket_json(row: &TicketRow) -> serde_json::Value {
    json!({
        "number": row.number,
        "party_id": row.party_id,
        "subject": row.subject,
        "queue": row.queue,
        "priority": row.priority,
        "channel": row.channel,
        "state": row.state,
        "assignee_user_id": row.assignee_user_id,
        "invoice_id": row.invoice_id,
        "order_id": row.order_id,
    })
}

/// Resolves the invoice and order a ticket points at; each must be the
/// customer's own. Errors name `invoice` or `order` (`error-ticket-link`).
async fn links(
    app: &App,
    party_id: i64,
    input: &TicketInput,
    errors: &mut FieldErrors,
) -> AppResult<(Option<i64>, Option<i64>)> {
    let mut invoice_id = None;
    let invoice = input.invoice.trim();
    if !invoice.is_empty() {
        match invoice_store::invoice_by_number(&app.db, invoice).await? {
            Some(row) if row.party_id == party_id => invoice_id = Some(row.id),
            _ => errors.add("invoice", "error-ticket-link"),
        }
    }
    let mut order_id = None;
    let order = input.order.trim();
    if !order.is_empty() {
        match order_store::order_by_number(&app.db, order).await? {
            Some(row) if row.party_id == party_id => order_id = Some(row.id),
            _ => errors.add("order", "error-ticket-link"),
        }
    }
    Ok((invoice_id, order_id))
}

/// Opens a ticket with its first message, numbered TK-YYYY-NNNNNN. Staff
/// need a queue to work in and name the customer; a portal customer opens
/// one for their own party (channel `portal`). Every ticket starts in the
/// service queue. Staff need `service.use`. Returns the ticket's id.
///
/// Errors: [`AppError::Invalid`] naming `party_id` (`error-required`,
/// `error-unknown-customer`), `subject`, `body`, `priority`, `channel`,
/// `invoice` or `order` (`error-ticket-link`: not this customer's). Nothing
/// is written on any error.
pub async fn open_ticket(app: &App, actor: &Actor, input: &TicketInput) -> AppResult<i64> {
    let (party_id, default_channel, by_customer) = match actor.kind {
        UserKind::Portal => {
            actor.require(Permission::PortalUse)?;
            let party = actor.party_id.ok_or(AppError::Forbidden)?;
            (Some(party.0), Channel::Portal, true)
        }
        UserKind::Staff => {
            // The service desk takes customers' requests; other teams work
            // the tickets escalated to them.
            actor.require(Permission::ServiceUse)?;
            (input.party_id, Channel::Phone, false)
        }
    };
    let mut errors = FieldErrors::new();
    let mut draft = input.ticket.clone();
    if by_customer {
        draft.channel = Channel::Portal.name().to_owned();
    }
    let valid = match rules::validate_ticket(&draft, default_channel) {
        Ok(v) => Some(v),
        Err(e) => {
            errors.extend(e);
            None
        }
    };
    let party = match party_id {
        None => {
            errors.add("party_id", "error-required");
            None
        }
        Some(id) => match party_store::party(&app.db, id).await? {
            Some(p) if p.is_customer && !p.archived => Some(p),
            _ => {
                errors.add("party_id", "error-unknown-customer");
                None
            }
        },
    };
    let (invoice_id, order_id) = match &party {
        Some(p) => links(app, p.id, input, &mut errors).await?,
        None => (None, None),
    };
    let (Some(valid), Some(party)) = (valid, party) else {
        return Err(AppError::Invalid(errors));
    };
    errors.into_result(())?;
    let mut tx = app.db.begin().await?;
    let id = open_in(
        app,
        &mut tx,
        actor,
        &Opening {
            party_id: party.id,
            queue: Queue::Service,
            channel: valid.channel,
            priority: valid.priority,
            subject: &valid.subject,
            body: &valid.body,
            by_requester: by_customer,
            invoice_id,
            order_id,
        },
    )
    .await?;
    tx.commit().await?;
    Ok(id)
}

/// A ticket about to be opened, checked by the caller.
#[derive(Debug, Clone)]
pub(crate) struct Opening<'a> {
    pub party_id: i64,
    pub queue: Queue,
    pub channel: Channel,
    pub priority: Priority,
    pub subject: &'a str,
    pub body: &'a str,
    /// The first message is the requester's (a customer's or an
    /// employee's), not a member of staff's.
    pub by_requester: bool,
    pub invoice_id: Option<i64>,
    pub order_id: Option<i64>,
}

/// Opens a ticket in the caller's transaction: numbered TK-YYYY-NNNNNN,
/// its first (public) message, the SLA clocks started and the audit event
/// written. Every way of opening a ticket ends here: the desk, the portal,
/// an employee's IT request and an approved access request. Returns its id.
pub(crate) async fn open_in(
    app: &App,
    tx: &mut Tx,
    actor: &Actor,
    opening: &Opening<'_>,
) -> AppResult<i64> {
    let year = today().year;
    let seq = seam_store::ledger::next_number(tx, &rules::series(year)).await?;
    let number = rules::ticket_number(year, seq);
    let now = now_us();
    let id = store::insert(
        tx,
        &NewTicket {
            number: &number,
            party_id: opening.party_id,
            subject: opening.subject,
            queue: opening.queue.name(),
            priority: opening.priority.name(),
            channel: opening.channel.name(),
            invoice_id: opening.invoice_id,
            order_id: opening.order_id,
            opened_by: &actor.username,
        },
        now,
    )
    .await?;
    store::insert_message(
        tx,
        &NewMessage {
            ticket_id: id,
            author_user_id: actor.user_id.map(|u| u.0),
            author_name: &actor.display_name,
            by_customer: opening.by_requester,
            public: true,
            body: opening.body,
        },
        now,
    )
    .await?;
    let row = store::ticket_in_tx(tx, id).await?;
    crate::sla::start(app, tx, &row, now).await?;
    record(
        tx,
        actor,
        Change {
            entity_type: "ticket",
            entity_id: id.to_string(),
            action: "open",
            before: None,
            after: Some(ticket_json(&row)),
        },
    )
    .await?;
    Ok(id)
}

/// A ticket with its thread. A portal customer gets only their own tickets
/// and only the public messages.
///
/// Errors: [`AppError::NotFound`] for a ticket the actor may not see.
pub async fn ticket(app: &App, actor: &Actor, id: i64) -> AppResult<TicketDetail> {
    let side = side_of(actor)?;
    ticket_as(app, actor, side, id).await
}

/// A ticket with its thread as `side` sees it: a requester gets only their
/// party's tickets and only the public messages.
///
/// Errors: [`AppError::NotFound`] for a ticket the actor may not see.
pub(crate) async fn ticket_as(
    app: &App,
    actor: &Actor,
    side: Side,
    id: i64,
) -> AppResult<TicketDetail> {
    let row = visible_as(app, actor, side, id).await?;
    let public_only = side.is_requester();
    let messages = store::messages(&app.db, id, public_only).await?;
    let (invoice, credit_notes) = match row.invoice_id {
        Some(invoice_id) => (
            invoice_store::invoice(&app.db, invoice_id).await?,
            invoice_store::credit_notes_of(&app.db, invoice_id)
                .await?
                .into_iter()
                .filter(|c| !public_only || c.number.is_some())
                .collect(),
        ),
        None => (None, Vec::new()),
    };
    let order_number = match row.order_id {
        Some(order_id) => order_store::order(&app.db, order_id)
            .await?
            .and_then(|o| o.number),
        None => None,
    };
    let rating = seam_store::knowledge::rating_of(&app.db, id).await?;
    let attachments = seam_store::ticket_mail::attachments_of(&app.db, id, public_only).await?;
    let replacements = match row.order_id {
        Some(order_id) => seam_store::shipments::shipments(&app.db, order_id)
            .await?
            .into_iter()
            .filter(|s| s.replacement_ticket_id == Some(id))
            .collect(),
        None => Vec::new(),
    };
    let mail = if public_only {
        Vec::new()
    } else {
        seam_store::ticket_mail::mail_of(&app.db, id).await?
    };
    let sla = if public_only {
        None
    } else {
        crate::sla::of_ticket(app, id).await?
    };
    Ok(TicketDetail {
        ticket: row,
        messages,
        invoice,
        credit_notes,
        order_number,
        rating,
        attachments,
        replacements,
        mail,
        sla,
    })
}

/// A ticket's id from its number (`TK-2026-000001`) or its id as text.
///
/// Errors: [`AppError::NotFound`], also for a ticket the actor may not see.
pub async fn find_ticket(app: &App, actor: &Actor, text: &str) -> AppResult<i64> {
    let text = text.trim();
    let id = match text.parse::<i64>() {
        Ok(id) => id,
        Err(_) => store::id_by_number(&app.db, text)
            .await?
            .ok_or(AppError::NotFound)?,
    };
    Ok(visible(app, actor, id).await?.id)
}

/// Which tickets a list shows.
#[derive(Debug, Clone, Default)]
pub struct ListFilter {
    /// One queue, or all the actor works.
    pub queue: Option<Queue>,
    pub party_id: Option<i64>,
    pub active_only: bool,
}

/// Tickets newest first, below `before`. Staff see the queues they work
/// (all of them for the service desk); a portal customer their own party's.
pub async fn list(
    app: &App,
    actor: &Actor,
    filter: &ListFilter,
    before: Option<i64>,
) -> AppResult<Vec<TicketRow>> {
    let side = match actor.kind {
        UserKind::Portal => {
            actor.require(Permission::PortalUse)?;
            Side::Requester(actor.party_id.ok_or(AppError::Forbidden)?)
        }
        UserKind::Staff => side_of(actor)?,
    };
    list_as(app, actor, side, filter, before).await
}

/// Tickets newest first, below `before`, as `side` sees them: the desk the
/// queues the actor works, a requester their party's in every queue.
pub(crate) async fn list_as(
    app: &App,
    actor: &Actor,
    side: Side,
    filter: &ListFilter,
    before: Option<i64>,
) -> AppResult<Vec<TicketRow>> {
    let store_filter = match side {
        Side::Requester(party) => TicketFilter {
            queues: Vec::new(),
            party_id: Some(party.0),
            active_only: filter.active_only,
        },
        Side::Desk => {
            let mine: Vec<Queue> = if actor.may(Permission::ServiceUse) {
                Queue::ALL.to_vec()
            } else {
                queues_of(actor)
            };
            let queues = mine
                .into_iter()
                .filter(|q| filter.queue.is_none_or(|f| f == *q))
                .map(|q| q.name().to_owned())
                .collect();
            TicketFilter {
                queues,
                party_id: filter.party_id,
                active_only: filter.active_only,
            }
        }
    };
    Ok(store::list(&app.db, &store_filter, before, PAGE_SIZE).await?)
}

/// A customer's newest tickets in every queue, for the 360° view. Needs
/// `service.use` (the desk that owns the customer relationship).
pub async fn party_tickets(
    app: &App,
    actor: &Actor,
    party: PartyId,
    limit: i64,
) -> AppResult<Vec<TicketRow>> {
    actor.require(Permission::ServiceUse)?;
    let filter = TicketFilter {
        queues: Queue::ALL.iter().map(|q| q.name().to_owned()).collect(),
        party_id: Some(party.0),
        active_only: false,
    };
    Ok(store::list(&app.db, &filter, None, limit).await?)
}

/// How many active tickets wait in each queue the actor may see.
pub async fn queue_counts(app: &App, actor: &Actor) -> AppResult<Vec<(Queue, i64)>> {
    require_staff_desk(actor)?;
    let counts = store::active_counts(&app.db).await?;
    Ok(Queue::ALL
        .into_iter()
        .filter(|q| actor.may(Permission::ServiceUse) || actor.may(q.permission()))
        .map(|q| {
            let n = counts
                .iter()
                .find(|(name, _)| name == q.name())
                .map_or(0, |(_, n)| *n);
            (q, n)
        })
        .collect())
}

/// Saves the ticket's new state, moves its SLA clocks along and records the
/// event, in the caller's transaction.
pub(crate) async fn save(
    app: &App,
    tx: &mut Tx,
    actor: &Actor,
    before: &TicketRow,
    update: &TicketUpdate<'_>,
    action: &str,
) -> AppResult<TicketRow> {
    let now = now_us();
    store::update(tx, before.id, before.version, update, now).await?;
    let after = store::ticket_in_tx(tx, before.id).await?;
    crate::sla::follow(app, tx, before, &after, now).await?;
    record(
        tx,
        actor,
        Change {
            entity_type: "ticket",
            entity_id: before.id.to_string(),
            action,
            before: Some(ticket_json(before)),
            after: Some(ticket_json(&after)),
        },
    )
    .await?;
    Ok(after)
}

pub(crate) fn unchanged(row: &TicketRow) -> TicketUpdate<'_> {
    TicketUpdate {
        queue: &row.queue,
        state: &row.state,
        priority: &row.priority,
        assignee_user_id: row.assignee_user_id,
        first_response_at_us: row.first_response_at_us,
        resolved_at_us: row.resolved_at_us,
    }
}

/// Adds a message. A customer's message is always public and reopens the
/// ticket (its assignee is notified); a staff reply is public (the customer
/// is e-mailed, and the ticket waits on them) or an internal note the
/// customer never sees. Returns the message's id.
///
/// Errors: [`AppError::Invalid`] naming `body`; [`AppError::Conflict`] with
/// `error-ticket-state` on a closed ticket; [`AppError::NotFound`].
pub async fn reply(app: &App, actor: &Actor, id: i64, body: &str, public: bool) -> AppResult<i64> {
    reply_with(app, actor, id, body, public, &[]).await
}

/// As [`reply`], with files attached to the message (an internal note's
/// files are as internal as the note). The files are checked before
/// anything is written: too many, too large or of a refused type is a
/// field error naming `attachments`, and neither the message nor any file
/// is written.
pub async fn reply_with(
    app: &App,
    actor: &Actor,
    id: i64,
    body: &str,
    public: bool,
    uploads: &[Upload],
) -> AppResult<i64> {
    let side = side_of(actor)?;
    reply_as(app, actor, side, id, body, public, uploads).await
}

/// As [`reply_with`], from `side`: a requester's message is always public,
/// reopens the ticket and notifies its assignee; the desk's public reply
/// is e-mailed to the customer (and, on an employee's ticket, notified to
/// the employee's login).
pub(crate) async fn reply_as(
    app: &App,
    actor: &Actor,
    side: Side,
    id: i64,
    body: &str,
    public: bool,
    uploads: &[Upload],
) -> AppResult<i64> {
    let by_customer = side.is_requester();
    let public = public || by_customer;
    let mut errors = FieldErrors::new();
    let body = match rules::validate_body(body) {
        Ok(b) => b,
        Err(e) => {
            errors.extend(e);
            String::new()
        }
    };
    let files = match crate::ticket_mail::prepare_uploads(uploads) {
        Ok(f) => f,
        Err(e) => {
            errors.extend(e);
            Vec::new()
        }
    };
    errors.into_result(())?;
    let mut tx = app.db.begin().await?;
    let before = visible_in_tx_as(&mut tx, actor, side, id).await?;
    let state = state_of(&before)
        .after_message(by_customer, public)
        .map_err(illegal)?;
    let now = now_us();
    let message = store::insert_message(
        &mut tx,
        &NewMessage {
            ticket_id: id,
            author_user_id: actor.user_id.map(|u| u.0),
            author_name: &actor.display_name,
            by_customer,
            public,
            body: &body,
        },
        now,
    )
    .await?;
    crate::ticket_mail::store_attachments(&mut tx, id, message, &files).await?;
    let first_response = match before.first_response_at_us {
        None if public && !by_customer => Some(now),
        other => other,
    };
    let resolved_at = if state == TicketState::Open {
        None
    } else {
        before.resolved_at_us
    };
    let update = TicketUpdate {
        state: state.name(),
        first_response_at_us: first_response,
        resolved_at_us: resolved_at,
        ..unchanged(&before)
    };
    let action = match (by_customer, public) {
        (true, _) => "customer-reply",
        (false, true) => "reply",
        (false, false) => "note",
    };
    let after = save(app, &mut tx, actor, &before, &update, action).await?;
    if by_customer {
        if let Some(assignee) = after.assignee_user_id {
            let subject = format!("{} {}", after.number, after.subject);
            notifications::notify(
                app,
                &mut tx,
                &Notice {
                    user_id: UserId(assignee),
                    kind: "ticket-customer-reply",
                    subject: &subject,
                    link: &format!("/service/tickets/{id}"),
                    email: None,
                },
            )
            .await?;
        }
    } else if public {
        email_customer(app, &mut tx, &after, message, &body).await?;
        crate::helpdesk::notify_employee(app, &mut tx, &after).await?;
    }
    tx.commit().await?;
    Ok(message)
}

/// Queues an e-mail of a public reply to the customer's address, if any,
/// with the ticket's number in the subject and a Message-ID recorded for
/// the ticket, so the customer's answer threads back onto it.
pub(crate) async fn email_customer(
    app: &App,
    tx: &mut Tx,
    ticket: &TicketRow,
    message_id: i64,
    body: &str,
) -> AppResult<()> {
    let Some(party) = party_store::party(&app.db, ticket.party_id).await? else {
        return Ok(());
    };
    let Some(to) = party.email.filter(|e| mail::parse_address("to", e).is_ok()) else {
        return Ok(());
    };
    crate::ticket_mail::enqueue_reply(app, tx, ticket, message_id, &to, body).await
}

/// Moves the ticket to another team's queue with an internal note saying
/// why; the customer's thread stays as it is. The ticket is open again.
///
/// Errors: [`AppError::Invalid`] naming `queue` (`error-ticket-queue`) or
/// `note`; [`AppError::Conflict`] with `error-ticket-state` (closed).
pub async fn escalate(app: &App, actor: &Actor, id: i64, queue: &str, note: &str) -> AppResult<()> {
    require_staff_desk(actor)?;
    let mut errors = FieldErrors::new();
    let queue = Queue::parse(queue);
    if queue.is_none() {
        errors.add("queue", "error-ticket-queue");
    }
    // The note is a message of its own form, so its errors name `note`.
    let note = match rules::validate_body(note) {
        Ok(n) => n,
        Err(e) => {
            for err in e.iter() {
                errors.add("note", err.code);
            }
            String::new()
        }
    };
    let Some(queue) = queue else {
        return Err(AppError::Invalid(errors));
    };
    errors.into_result(())?;
    let mut tx = app.db.begin().await?;
    let before = visible_in_tx(&mut tx, actor, id).await?;
    let state = state_of(&before).escalate().map_err(illegal)?;
    store::insert_message(
        &mut tx,
        &NewMessage {
            ticket_id: id,
            author_user_id: actor.user_id.map(|u| u.0),
            author_name: &actor.display_name,
            by_customer: false,
            public: false,
            body: &note,
        },
        now_us(),
    )
    .await?;
    let update = TicketUpdate {
        queue: queue.name(),
        state: state.name(),
        // The new team picks it up.
        assignee_user_id: None,
        ..unchanged(&before)
    };
    save(app, &mut tx, actor, &before, &update, "escalate").await?;
    tx.commit().await?;
    Ok(())
}

/// Gives the ticket to a colleague (or to nobody), who is notified.
///
/// Errors: [`AppError::Invalid`] naming `assignee` (`error-unknown-user`)
/// for an unknown, disabled or portal login.
pub async fn assign(app: &App, actor: &Actor, id: i64, assignee: Option<UserId>) -> AppResult<()> {
    require_staff_desk(actor)?;
    if let Some(user) = assignee {
        match user_store::user_by_id(&app.db, user.0).await? {
            Some(u) if u.kind == "staff" && !u.disabled => {}
            _ => {
                return Err(AppError::Invalid(FieldErrors::one(
                    "assignee",
                    "error-unknown-user",
                )));
            }
        }
    }
    let mut tx = app.db.begin().await?;
    let before = visible_in_tx(&mut tx, actor, id).await?;
    if state_of(&before) == TicketState::Closed {
        return Err(AppError::Conflict(IllegalTicketTransition::CODE));
    }
    let update = TicketUpdate {
        assignee_user_id: assignee.map(|u| u.0),
        ..unchanged(&before)
    };
    let after = save(app, &mut tx, actor, &before, &update, "assign").await?;
    if let Some(user) = assignee
        && Some(user) != actor.user_id
    {
        let subject = format!("{} {}", after.number, after.subject);
        notifications::notify(
            app,
            &mut tx,
            &Notice {
                user_id: user,
                kind: "ticket-assigned",
                subject: &subject,
                link: &format!("/service/tickets/{id}"),
                email: None,
            },
        )
        .await?;
    }
    tx.commit().await?;
    Ok(())
}

/// Marks an open or pending ticket resolved (staff).
pub async fn resolve(app: &App, actor: &Actor, id: i64) -> AppResult<()> {
    require_staff_desk(actor)?;
    let mut tx = app.db.begin().await?;
    let before = visible_in_tx(&mut tx, actor, id).await?;
    let state = state_of(&before).resolve().map_err(illegal)?;
    let update = TicketUpdate {
        state: state.name(),
        resolved_at_us: Some(now_us()),
        ..unchanged(&before)
    };
    let after = save(app, &mut tx, actor, &before, &update, "resolve").await?;
    crate::csat::send_link_in(app, &mut tx, &after).await?;
    tx.commit().await?;
    Ok(())
}

/// Closes the ticket for good: staff, or the customer closing their own.
///
/// Errors: [`AppError::NotFound`]; [`AppError::Conflict`] with
/// `error-ticket-state` when it is closed already.
pub async fn close(app: &App, actor: &Actor, id: i64) -> AppResult<()> {
    let side = side_of(actor)?;
    close_as(app, actor, side, id).await
}

/// Closes the ticket from `side`: the desk, or the requester closing their own.
pub(crate) async fn close_as(app: &App, actor: &Actor, side: Side, id: i64) -> AppResult<()> {
    let mut tx = app.db.begin().await?;
    let before = visible_in_tx_as(&mut tx, actor, side, id).await?;
    let state = state_of(&before).close().map_err(illegal)?;
    let update = TicketUpdate {
        state: state.name(),
        resolved_at_us: before.resolved_at_us.or(Some(now_us())),
        ..unchanged(&before)
    };
    let after = save(app, &mut tx, actor, &before, &update, "close").await?;
    crate::csat::send_link_in(app, &mut tx, &after).await?;
    tx.commit().await?;
    Ok(())
}

/// Resolves a billing dispute from the ticket: credits what is left of the
/// ticket's invoice through the order-to-cash use cases (a credit note drafted
/// and posted: the receivable, revenue and VAT reversed), then tells the
/// customer in the thread and resolves the ticket. Needs `invoices.write`
/// and `invoices.post` beside a seat at the desk. Returns the credit note's id.
///
/// The credit note and the ticket's message are two commits: the credit note
/// is posted first, so a failure afterwards leaves a posted credit note that
/// the ticket still lists (it shows every credit note of its invoice).
///
/// Errors: [`AppError::Conflict`] with `error-ticket-no-invoice` when the
/// ticket points at no invoice, `error-ticket-state` when it is closed, and
/// every error of [`invoicing::credit_invoice`] and [`invoicing::post_invoice`].
pub async fn credit_invoice_from_ticket(
    app: &App,
    actor: &Actor,
    id: i64,
    reason: &str,
) -> AppResult<i64> {
    require_staff_desk(actor)?;
    actor.require(Permission::InvoicesWrite)?;
    actor.require(Permission::InvoicesPost)?;
    let row = visible(app, actor, id).await?;
    if state_of(&row) == TicketState::Closed {
        return Err(AppError::Conflict(IllegalTicketTransition::CODE));
    }
    let invoice_id = row
        .invoice_id
        .ok_or(AppError::Conflict("error-ticket-no-invoice"))?;
    let reason = reason.trim();
    let reason = if reason.is_empty() {
        format!("{}: {}", row.number, row.subject)
    } else {
        format!("{}: {reason}", row.number)
    };
    let credit = invoicing::credit_invoice(
        app,
        actor,
        invoice_id,
        &CreditInput {
            lines: CreditLines::Remaining,
            issue_date: String::new(),
            reason,
        },
    )
    .await?;
    let posted = invoicing::post_invoice(app, actor, credit).await?;
    let mut tx = app.db.begin().await?;
    let before = visible_in_tx(&mut tx, actor, id).await?;
    let body = format!(
        "Credit note {} has been issued for this request.",
        posted.number
    );
    let message = store::insert_message(
        &mut tx,
        &NewMessage {
            ticket_id: id,
            author_user_id: actor.user_id.map(|u| u.0),
            author_name: &actor.display_name,
            by_customer: false,
            public: true,
            body: &body,
        },
        now_us(),
    )
    .await?;
    let now = now_us();
    let update = TicketUpdate {
        state: TicketState::Resolved.name(),
        first_response_at_us: before.first_response_at_us.or(Some(now)),
        resolved_at_us: Some(now),
        ..unchanged(&before)
    };
    let after = save(app, &mut tx, actor, &before, &update, "credit").await?;
    email_customer(app, &mut tx, &after, message, &body).await?;
    crate::csat::send_link_in(app, &mut tx, &after).await?;
    tx.commit().await?;
    Ok(credit)
}

/// Resolves a delivery problem from the ticket: sends a no-charge
/// replacement of the chosen lines of the ticket's order through the
/// fulfilment use case (stock reserved and shipped, the cost of the goods
/// booked, nothing invoiced), tells the customer in the thread (and by
/// e-mail) and leaves the ticket waiting on them, all in one transaction.
/// Needs `sales.order.ship` beside a seat at the desk.
///
/// Errors: [`AppError::Conflict`] with `error-ticket-no-order` when the
/// ticket points at no order, `error-ticket-state` when it is closed; every
/// error of [`fulfilment::ship_replacement_in`](crate::fulfilment). Nothing
/// is written on any error.
pub async fn replace_from_ticket(
    app: &App,
    actor: &Actor,
    id: i64,
    input: &crate::fulfilment::ReplacementInput,
) -> AppResult<crate::fulfilment::Replacement> {
    require_staff_desk(actor)?;
    actor.require(Permission::SalesOrderShip)?;
    let mut tx = app.db.begin().await?;
    let before = visible_in_tx(&mut tx, actor, id).await?;
    let state = state_of(&before)
        .after_message(false, true)
        .map_err(illegal)?;
    let order_id = before
        .order_id
        .ok_or(AppError::Conflict("error-ticket-no-order"))?;
    let sent = crate::fulfilment::ship_replacement_in(
        &mut tx,
        actor,
        seam_domain::ids::SalesOrderId(order_id),
        id,
        input,
    )
    .await?;
    let lines = seam_store::shipments::shipment_lines_in_tx(&mut tx, sent.shipment.id).await?;
    let what: Vec<String> = lines
        .iter()
        .map(|l| format!("{} × {}", l.qty, l.sku))
        .collect();
    let mut body = format!(
        "Replacement shipment {} is on its way at no charge: {}.",
        sent.shipment.number,
        what.join(", ")
    );
    if !sent.shipment.tracking_reference.is_empty() {
        body.push_str(&format!(" Tracking: {}.", sent.shipment.tracking_reference));
    }
    let now = now_us();
    let message = store::insert_message(
        &mut tx,
        &NewMessage {
            ticket_id: id,
            author_user_id: actor.user_id.map(|u| u.0),
            author_name: &actor.display_name,
            by_customer: false,
            public: true,
            body: &body,
        },
        now,
    )
    .await?;
    let update = TicketUpdate {
        state: state.name(),
        first_response_at_us: before.first_response_at_us.or(Some(now)),
        ..unchanged(&before)
    };
    let after = save(app, &mut tx, actor, &before, &update, "replacement").await?;
    email_customer(app, &mut tx, &after, message, &body).await?;
    tx.commit().await?;
    Ok(sent)
}

/// Every priority, for forms.
pub fn priorities() -> [Priority; 4] {
    Priority::ALL
}
