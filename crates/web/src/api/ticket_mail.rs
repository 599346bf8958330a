//! `/api/v1/mail/inbound`: a mail gateway hands each incoming e-mail to the
//! service desk as `message/rfc822` with a token holding `mail.ingest`; and
//! `/api/v1/tickets/{id}/replacement`: a no-charge replacement shipment
//! from a ticket.

use axum::Json;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use seam_app::AppError;
use seam_app::fulfilment::ReplacementInput;
use seam_app::service;
use seam_app::ticket_mail::{self, Outcome};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::json::{ApiJson, KnownFields};
use super::problem::Problem;
use crate::AppState;
use crate::pages::IdPath;
use crate::who::CurrentActor;

fn problem(err: &AppError) -> Response {
    Problem::from_app_error(err, &crate::current_request_id()).into_response()
}

/// What ingesting one e-mail did.
#[derive(Debug, Serialize, ToSchema)]
pub struct MailIngested {
    /// `opened` (a new ticket), `threaded` (added to a ticket) or
    /// `duplicate` (this Message-ID was ingested before; nothing written).
    pub outcome: String,
    pub ticket_id: i64,
    /// `TK-2026-000001`.
    pub ticket_number: String,
    /// The Message-ID it is recorded under, without angle brackets.
    pub message_id: String,
}

/// Ingest one raw e-mail (RFC 5322, `Content-Type: message/rfc822`, at most
/// 25 MiB). A reply threads onto its ticket by In-Reply-To/References or by
/// `[TK-…]` in the subject; anything else opens a ticket for the customer
/// whose e-mail is the sender's. The same Message-ID twice writes once (200
/// `duplicate`). A malformed message or an unknown sender is 422 naming
/// `message` or `from`, and nothing is written. Needs `mail.ingest`.
#[utoipa::path(post, path = "/api/v1/mail/inbound", tag = "service",
    request_body(content = String, content_type = "message/rfc822"),
    responses((status = 201, body = MailIngested), (status = 200, body = MailIngested),
        (status = 403, body = Problem), (status = 422, body = Problem)),
    security(("bearer" = [])))]
pub async fn inbound(
    State(state): State<AppState>,
    CurrentActor(actor): CurrentActor,
    body: Bytes,
) -> Response {
    match ticket_mail::ingest(&state.app, &actor, &body).await {
        Ok(done) => {
            let status = if done.outcome == Outcome::Duplicate {
                StatusCode::OK
            } else {
                StatusCode::CREATED
            };
            let out = MailIngested {
                outcome: done.outcome.name().to_owned(),
                ticket_id: done.ticket_id,
                ticket_number: done.ticket_number,
                message_id: done.message_id,
            };
            (status, Json(out)).into_response()
        }
        Err(e) => problem(&e),
    }
}

/// One line to send again.
#[derive(Debug, Deserialize, ToSchema)]
pub struct ReplacementLineInput {
    /// The order line's number (from 1).
    pub line_no: i64,
    pub qty: i64,
}

impl KnownFields for ReplacementLineInput {
    const FIELDS: &'static [&'static str] = &["line_no", "qty"];
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct ReplacementRequest {
    pub lines: Vec<ReplacementLineInput>,
    pub tracking_reference: Option<String>,
}

impl KnownFields for ReplacementRequest {
    const FIELDS: &'static [&'static str] = &["lines", "tracking_reference"];
}

/// The replacement shipment written.
#[derive(Debug, Serialize, ToSchema)]
pub struct ReplacementShipment {
    pub shipment_id: i64,
    /// `SH-2026-000001`.
    pub number: String,
    pub order_id: i64,
    pub ticket_id: i64,
    pub ship_date: String,
    pub tracking_reference: String,
    /// The cost-of-goods entry, when the goods cost anything.
    pub journal_entry: Option<String>,
}

/// Send goods of the ticket's order again at no charge: stock is reserved
/// and shipped, the cost of the goods booked, nothing invoiced; the customer
/// is told in the conversation. Quantities beyond what shipped (less what
/// was replaced) or beyond stock are 422 naming `lines[n].qty`, and nothing
/// is written. Needs `sales.order.ship`.
#[utoipa::path(post, path = "/api/v1/tickets/{id}/replacement", tag = "service", params(("id" = i64, Path)),
    request_body = ReplacementRequest,
    responses((status = 201, body = ReplacementShipment), (status = 403, body = Problem), (status = 404, body = Problem),
        (status = 409, body = Problem), (status = 422, body = Problem)),
    security(("bearer" = [])))]
pub async fn replacement(
    State(state): State<AppState>,
    CurrentActor(actor): CurrentActor,
    IdPath(id): IdPath,
    ApiJson(body): ApiJson<ReplacementRequest>,
) -> Response {
    let input = ReplacementInput {
        lines: body.lines.iter().map(|l| (l.line_no, l.qty)).collect(),
        tracking_reference: body.tracking_reference.unwrap_or_default(),
    };
    match service::replace_from_ticket(&state.app, &actor, id, &input).await {
        Ok(sent) => {
            let s = sent.shipment;
            let out = ReplacementShipment {
                shipment_id: s.id,
                number: s.number,
                order_id: s.order_id,
                ticket_id: id,
                ship_date: s.ship_date,
                tracking_reference: s.tracking_reference,
                journal_entry: sent.entry_number,
            };
            (StatusCode::CREATED, Json(out)).into_response()
        }
        Err(e) => problem(&e),
    }
}
