//! `/api/v1/tickets`: the service desk for integrators and for customers'
//! own systems. Staff tokens see the queues their user works; a portal
//! customer's token sees only their own party's tickets and public messages.

use axum::Json;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use seam_app::AppError;
use seam_app::service::{self, ListFilter, TicketDetail, TicketInput, TicketRow};
use seam_domain::service::{Queue, TicketDraft};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::json::{ApiJson, KnownFields};
use super::problem::Problem;
use super::rfc3339;
use crate::AppState;
use crate::pages::IdPath;
use crate::who::CurrentActor;

fn problem(err: &AppError) -> Response {
    Problem::from_app_error(err, &crate::current_request_id()).into_response()
}

/// A ticket's header.
#[derive(Debug, Serialize, ToSchema)]
pub struct Ticket {
    pub id: i64,
    /// `TK-2026-000001`.
    pub number: String,
    pub customer_id: i64,
    pub customer_name: String,
    pub subject: String,
    /// `service`, `accounting`, `warehouse` or `it`.
    pub queue: String,
    /// `low`, `normal`, `high` or `urgent`.
    pub priority: String,
    /// `portal`, `email`, `phone` or `front-desk`.
    pub channel: String,
    /// `open`, `pending` (waiting on the customer), `resolved` or `closed`.
    pub state: String,
    pub assignee_user_id: Option<i64>,
    pub invoice_id: Option<i64>,
    pub order_id: Option<i64>,
    pub opened_at: String,
    pub updated_at: String,
}

impl Ticket {
    pub(crate) fn new(r: &TicketRow) -> Ticket {
        Ticket {
            id: r.id,
            number: r.number.clone(),
            customer_id: r.party_id,
            customer_name: r.party_name.clone(),
            subject: r.subject.clone(),
            queue: r.queue.clone(),
            priority: r.priority.clone(),
            channel: r.channel.clone(),
            state: r.state.clone(),
            assignee_user_id: r.assignee_user_id,
            invoice_id: r.invoice_id,
            order_id: r.order_id,
            opened_at: rfc3339(r.created_at_us),
            updated_at: rfc3339(r.updated_at_us),
        }
    }
}

/// One message of the conversation.
#[derive(Debug, Serialize, ToSchema)]
pub struct TicketMessage {
    pub id: i64,
    pub author: String,
    pub by_customer: bool,
    /// `false` for an internal note (never sent to a portal customer).
    pub public: bool,
    pub body: String,
    pub at: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct TicketWithMessages {
    #[serde(flatten)]
    pub ticket: Ticket,
    pub messages: Vec<TicketMessage>,
    /// The ids of credit notes issued against the ticket's invoice.
    pub credit_note_ids: Vec<i64>,
    /// The customer's rating, once the ticket was resolved and rated.
    pub rating: Option<TicketRating>,
    /// Files on the messages shown (a portal customer's: public ones only).
    pub attachments: Vec<TicketAttachment>,
}

/// A file on one message of the conversation.
#[derive(Debug, Serialize, ToSchema)]
pub struct TicketAttachment {
    pub id: i64,
    pub message_id: i64,
    pub file_name: String,
    pub content_type: String,
    pub size_bytes: i64,
    /// Hex SHA-256 of the content.
    pub sha256: String,
    /// Where to download it (`GET`).
    pub download: String,
}

/// A customer's rating of a resolved or closed ticket.
#[derive(Debug, Serialize, ToSchema)]
pub struct TicketRating {
    /// 1 (poor) to 5 (excellent).
    pub rating: i64,
    pub comment: String,
    pub rated_at: String,
}

pub(crate) fn with_messages(d: &TicketDetail) -> TicketWithMessages {
    TicketWithMessages {
        ticket: Ticket::new(&d.ticket),
        messages: d
            .messages
            .iter()
            .map(|m| TicketMessage {
                id: m.id,
                author: m.author_name.clone(),
                by_customer: m.by_customer,
                public: m.public,
                body: m.body.clone(),
                at: rfc3339(m.created_at_us),
            })
            .collect(),
        credit_note_ids: d.credit_notes.iter().map(|c| c.id).collect(),
        rating: d.rating.as_ref().map(|r| TicketRating {
            rating: r.rating,
            comment: r.comment.clone(),
            rated_at: rfc3339(r.created_at_us),
        }),
        attachments: d
            .attachments
            .iter()
            .map(|a| TicketAttachment {
                id: a.id,
                message_id: a.ticket_message_id,
                file_name: a.file_name.clone(),
                content_type: a.content_type.clone(),
                size_bytes: a.size_bytes,
                sha256: a.sha256.clone(),
                download: format!("/api/v1/ticket-attachments/{}", a.id),
            })
            .collect(),
    }
}

async fn detail_response(
    state: &AppState,
    actor: &seam_app::Actor,
    id: i64,
    status: StatusCode,
) -> Response {
    match service::ticket(&state.app, actor, id).await {
        Ok(d) => (status, Json(with_messages(&d))).into_response(),
        Err(e) => problem(&e),
    }
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct TicketParams {
    /// Only this queue.
    pub queue: Option<String>,
    /// Only this customer's.
    pub customer_id: Option<i64>,
    /// `true` for open and pending tickets only.
    pub active: Option<bool>,
    /// The `next_cursor` of the previous page.
    pub cursor: Option<i64>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct TicketPage {
    pub items: Vec<Ticket>,
    pub next_cursor: Option<i64>,
}

/// Tickets newest first.
#[utoipa::path(get, path = "/api/v1/tickets", tag = "service", params(TicketParams),
    responses((status = 200, body = TicketPage), (status = 403, body = Problem)), security(("bearer" = [])))]
pub async fn list(
    State(state): State<AppState>,
    CurrentActor(actor): CurrentActor,
    Query(params): Query<TicketParams>,
) -> Response {
    let queue = match params.queue.as_deref().map(str::trim) {
        None | Some("") => None,
        Some(name) => match Queue::parse(name) {
            Some(q) => Some(q),
            None => {
                return problem(&AppError::Invalid(seam_domain::FieldErrors::one(
                    "queue",
                    "error-ticket-queue",
                )));
            }
        },
    };
    let filter = ListFilter {
        queue,
        party_id: params.customer_id,
        active_only: params.active.unwrap_or(false),
    };
    match service::list(&state.app, &actor, &filter, params.cursor).await {
        Ok(rows) => {
            let next_cursor = (rows.len() as i64 == service::PAGE_SIZE)
                .then(|| rows.last().map(|r| r.id))
                .flatten();
            Json(TicketPage {
                items: rows.iter().map(Ticket::new).collect(),
                next_cursor,
            })
            .into_response()
        }
        Err(e) => problem(&e),
    }
}

/// A new ticket. A portal customer's token opens it for their own party.
#[derive(Debug, Deserialize, ToSchema)]
pub struct TicketCreate {
    /// The customer (staff only; ignored for a portal customer).
    pub customer_id: Option<i64>,
    pub subject: String,
    /// The first message.
    pub body: String,
    /// `low`, `normal` (default), `high` or `urgent`.
    pub priority: Option<String>,
    /// `email`, `phone` (staff default) or `front-desk`; `portal` for customers.
    pub channel: Option<String>,
    /// The invoice it is about, by number.
    pub invoice_number: Option<String>,
    /// The order it is about, by number.
    pub order_number: Option<String>,
}

impl KnownFields for TicketCreate {
    const FIELDS: &'static [&'static str] = &[
        "customer_id",
        "subject",
        "body",
        "priority",
        "channel",
        "invoice_number",
        "order_number",
    ];
}

/// Open a ticket (201 with the ticket and its first message).
#[utoipa::path(post, path = "/api/v1/tickets", tag = "service", request_body = TicketCreate,
    params(("Idempotency-Key" = Option<String>, Header, description = "Repeat a request safely: the same key returns the first response")),
    responses((status = 201, body = TicketWithMessages), (status = 403, body = Problem), (status = 422, body = Problem)),
    security(("bearer" = [])))]
pub async fn create(
    State(state): State<AppState>,
    CurrentActor(actor): CurrentActor,
    ApiJson(body): ApiJson<TicketCreate>,
) -> Response {
    let input = TicketInput {
        party_id: body.customer_id,
        ticket: TicketDraft {
            subject: body.subject,
            body: body.body,
            priority: body.priority.unwrap_or_default(),
            channel: body.channel.unwrap_or_default(),
        },
        invoice: body.invoice_number.unwrap_or_default(),
        order: body.order_number.unwrap_or_default(),
    };
    match service::open_ticket(&state.app, &actor, &input).await {
        Ok(id) => detail_response(&state, &actor, id, StatusCode::CREATED).await,
        Err(e) => problem(&e),
    }
}

/// One ticket with its conversation (a portal customer gets no internal notes).
#[utoipa::path(get, path = "/api/v1/tickets/{id}", tag = "service", params(("id" = i64, Path)),
    responses((status = 200, body = TicketWithMessages), (status = 404, body = Problem)), security(("bearer" = [])))]
pub async fn detail(
    State(state): State<AppState>,
    CurrentActor(actor): CurrentActor,
    IdPath(id): IdPath,
) -> Response {
    detail_response(&state, &actor, id, StatusCode::OK).await
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct MessageInput {
    pub body: String,
    /// `false` for an internal note (staff only); default `true`.
    pub public: Option<bool>,
    /// Files to attach (at most 5, each at most 10 MiB).
    pub attachments: Option<Vec<AttachmentInput>>,
}

/// A file sent with a message.
#[derive(Debug, Deserialize, ToSchema)]
pub struct AttachmentInput {
    pub file_name: String,
    /// The file's bytes, base64 (standard alphabet, padded).
    pub content_base64: String,
}

impl KnownFields for MessageInput {
    const FIELDS: &'static [&'static str] = &["body", "public", "attachments"];
}

/// Decodes the files of a message. Errors name `attachments`
/// (`error-attachment-base64`).
fn uploads(files: &[AttachmentInput]) -> Result<Vec<service::Upload>, AppError> {
    use base64::Engine;
    files
        .iter()
        .map(|f| {
            base64::engine::general_purpose::STANDARD
                .decode(f.content_base64.trim())
                .map(|content| service::Upload {
                    file_name: f.file_name.clone(),
                    content,
                })
                .map_err(|_| {
                    seam_domain::FieldErrors::one("attachments", "error-attachment-base64").into()
                })
        })
        .collect()
}

/// Add a reply or an internal note.
#[utoipa::path(post, path = "/api/v1/tickets/{id}/messages", tag = "service", params(("id" = i64, Path)), request_body = MessageInput,
    responses((status = 201, body = TicketWithMessages), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)),
    security(("bearer" = [])))]
pub async fn add_message(
    State(state): State<AppState>,
    CurrentActor(actor): CurrentActor,
    IdPath(id): IdPath,
    ApiJson(body): ApiJson<MessageInput>,
) -> Response {
    let public = body.public.unwrap_or(true);
    let files = match uploads(body.attachments.as_deref().unwrap_or_default()) {
        Ok(f) => f,
        Err(e) => return problem(&e),
    };
    match service::reply_with(&state.app, &actor, id, &body.body, public, &files).await {
        Ok(_) => detail_response(&state, &actor, id, StatusCode::CREATED).await,
        Err(e) => problem(&e),
    }
}

/// Download a file of a ticket the caller may see (a portal customer: on
/// a public message of their own ticket). 404 otherwise.
#[utoipa::path(get, path = "/api/v1/ticket-attachments/{id}", tag = "service", params(("id" = i64, Path)),
    responses((status = 200, description = "The file's bytes"), (status = 404, body = Problem)), security(("bearer" = [])))]
pub async fn attachment(
    State(state): State<AppState>,
    CurrentActor(actor): CurrentActor,
    IdPath(id): IdPath,
) -> Response {
    match seam_app::ticket_mail::attachment(&state.app, &actor, id).await {
        Ok((row, bytes)) => (
            [
                (axum::http::header::CONTENT_TYPE, row.content_type),
                (
                    axum::http::header::CONTENT_DISPOSITION,
                    format!(
                        "attachment; filename=\"{}\"",
                        row.file_name.replace(['"', '\\'], "_")
                    ),
                ),
            ],
            bytes,
        )
            .into_response(),
        Err(e) => problem(&e),
    }
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct EscalateInput {
    /// `service`, `accounting`, `warehouse` or `it`.
    pub queue: String,
    /// Why; kept as an internal note.
    pub note: String,
}

impl KnownFields for EscalateInput {
    const FIELDS: &'static [&'static str] = &["queue", "note"];
}

/// Move the ticket to another team's queue; the conversation stays.
#[utoipa::path(post, path = "/api/v1/tickets/{id}/escalate", tag = "service", params(("id" = i64, Path)), request_body = EscalateInput,
    responses((status = 200, body = TicketWithMessages), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)),
    security(("bearer" = [])))]
pub async fn escalate(
    State(state): State<AppState>,
    CurrentActor(actor): CurrentActor,
    IdPath(id): IdPath,
    ApiJson(body): ApiJson<EscalateInput>,
) -> Response {
    match service::escalate(&state.app, &actor, id, &body.queue, &body.note).await {
        Ok(()) => detail_response(&state, &actor, id, StatusCode::OK).await,
        Err(e) => problem(&e),
    }
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct CreditFromTicket {
    /// Printed on the credit note after the ticket's number.
    pub reason: Option<String>,
}

impl KnownFields for CreditFromTicket {
    const FIELDS: &'static [&'static str] = &["reason"];
}

/// Credit what is left of the ticket's invoice: the credit note is drafted
/// and posted, the customer is told in the conversation, the ticket is
/// resolved. Needs `invoices.write` and `invoices.post`.
#[utoipa::path(post, path = "/api/v1/tickets/{id}/credit-note", tag = "service", params(("id" = i64, Path)), request_body = CreditFromTicket,
    responses((status = 201, body = TicketWithMessages), (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem)),
    security(("bearer" = [])))]
pub async fn credit_note(
    State(state): State<AppState>,
    CurrentActor(actor): CurrentActor,
    IdPath(id): IdPath,
    ApiJson(body): ApiJson<CreditFromTicket>,
) -> Response {
    let reason = body.reason.unwrap_or_default();
    match service::credit_invoice_from_ticket(&state.app, &actor, id, &reason).await {
        Ok(_) => detail_response(&state, &actor, id, StatusCode::CREATED).await,
        Err(e) => problem(&e),
    }
}

/// Close a ticket for good (staff, or the customer closing their own).
#[utoipa::path(post, path = "/api/v1/tickets/{id}/close", tag = "service", params(("id" = i64, Path)),
    responses((status = 200, body = TicketWithMessages), (status = 404, body = Problem), (status = 409, body = Problem)),
    security(("bearer" = [])))]
pub async fn close(
    State(state): State<AppState>,
    CurrentActor(actor): CurrentActor,
    IdPath(id): IdPath,
) -> Response {
    match service::close(&state.app, &actor, id).await {
        Ok(()) => detail_response(&state, &actor, id, StatusCode::OK).await,
        Err(e) => problem(&e),
    }
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct RatingInput {
    /// 1 (poor) to 5 (excellent).
    pub rating: i64,
    pub comment: Option<String>,
}

impl KnownFields for RatingInput {
    const FIELDS: &'static [&'static str] = &["rating", "comment"];
}

/// The customer rates their resolved or closed ticket, once (portal tokens).
/// A second rating, a rating outside 1 to 5 and a rating of an open ticket
/// are 422 naming `rating`.
#[utoipa::path(post, path = "/api/v1/tickets/{id}/rating", tag = "service", params(("id" = i64, Path)), request_body = RatingInput,
    responses((status = 201, body = TicketWithMessages), (status = 404, body = Problem), (status = 422, body = Problem)),
    security(("bearer" = [])))]
pub async fn rate(
    State(state): State<AppState>,
    CurrentActor(actor): CurrentActor,
    IdPath(id): IdPath,
    ApiJson(body): ApiJson<RatingInput>,
) -> Response {
    let comment = body.comment.unwrap_or_default();
    match seam_app::csat::rate_ticket(&state.app, &actor, id, &body.rating.to_string(), &comment)
        .await
    {
        Ok(()) => detail_response(&state, &actor, id, StatusCode::CREATED).await,
        Err(e) => problem(&e),
    }
}
