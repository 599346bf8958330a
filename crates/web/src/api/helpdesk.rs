//! `/api/v1/me/it-requests` and the access requests: the internal helpdesk
//! for an employee's own systems and scripts. An IT request is an ordinary
//! ticket (the `it` queue, channel `portal` meaning self-service) of the
//! caller's employee party; IT answers it through `/api/v1/tickets`. Access
//! requests are decided by the employee's manager or HR; approval opens
//! the IT ticket for the grant.

use axum::Json;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use seam_app::access_requests::{self, AccessRequestDraft, AccessRequestRow};
use seam_app::helpdesk::{self, ItRequestDraft};
use seam_app::{Actor, AppError};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::json::{ApiJson, KnownFields};
use super::problem::Problem;
use super::rfc3339;
use super::tickets::{Ticket, TicketPage, TicketWithMessages, with_messages};
use crate::AppState;
use crate::pages::IdPath;
use crate::who::CurrentActor;

fn problem(err: &AppError) -> Response {
    Problem::from_app_error(err, &crate::current_request_id()).into_response()
}

async fn detail_response(state: &AppState, actor: &Actor, id: i64, status: StatusCode) -> Response {
    match helpdesk::request(&state.app, actor, id).await {
        Ok(d) => (status, Json(with_messages(&d))).into_response(),
        Err(e) => problem(&e),
    }
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ItRequestParams {
    /// The `next_cursor` of the previous page.
    pub cursor: Option<i64>,
}

/// The caller's own IT requests, newest first (404 without an employee record).
#[utoipa::path(get, path = "/api/v1/me/it-requests", tag = "helpdesk", params(ItRequestParams),
    responses((status = 200, body = TicketPage), (status = 404, body = Problem)), security(("bearer" = [])))]
pub async fn list(
    State(state): State<AppState>,
    CurrentActor(actor): CurrentActor,
    Query(params): Query<ItRequestParams>,
) -> Response {
    match helpdesk::my_requests(&state.app, &actor, params.cursor).await {
        Ok(rows) => {
            let next_cursor = (rows.len() as i64 == seam_app::service::PAGE_SIZE)
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

/// A new IT request.
#[derive(Debug, Deserialize, ToSchema)]
pub struct ItRequestInput {
    pub subject: String,
    pub body: String,
    /// `low`, `normal` (default), `high` or `urgent`.
    pub priority: Option<String>,
}

impl KnownFields for ItRequestInput {
    const FIELDS: &'static [&'static str] = &["subject", "body", "priority"];
}

/// Ask IT for help (201): a ticket in the `it` queue for the caller's own
/// employee party, channel `portal` (self-service). 422 names the field.
#[utoipa::path(post, path = "/api/v1/me/it-requests", tag = "helpdesk", request_body = ItRequestInput,
    params(("Idempotency-Key" = Option<String>, Header, description = "Repeat a request safely: the same key returns the first response")),
    responses((status = 201, body = TicketWithMessages), (status = 404, body = Problem), (status = 422, body = Problem)), security(("bearer" = [])))]
pub async fn create(
    State(state): State<AppState>,
    CurrentActor(actor): CurrentActor,
    ApiJson(input): ApiJson<ItRequestInput>,
) -> Response {
    let draft = ItRequestDraft {
        subject: input.subject,
        body: input.body,
        priority: input.priority.unwrap_or_default(),
    };
    match helpdesk::open_request(&state.app, &actor, &draft).await {
        Ok(id) => detail_response(&state, &actor, id, StatusCode::CREATED).await,
        Err(e) => problem(&e),
    }
}

/// One of the caller's IT requests with its public messages (404 for anyone else's).
#[utoipa::path(get, path = "/api/v1/me/it-requests/{id}", tag = "helpdesk", params(("id" = i64, Path)),
    responses((status = 200, body = TicketWithMessages), (status = 404, body = Problem)), security(("bearer" = [])))]
pub async fn detail(
    State(state): State<AppState>,
    CurrentActor(actor): CurrentActor,
    IdPath(id): IdPath,
) -> Response {
    detail_response(&state, &actor, id, StatusCode::OK).await
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct ReplyInput {
    pub body: String,
}

impl KnownFields for ReplyInput {
    const FIELDS: &'static [&'static str] = &["body"];
}

/// Answer on one's own IT request (201); it reopens the ticket for IT.
#[utoipa::path(post, path = "/api/v1/me/it-requests/{id}/replies", tag = "helpdesk", params(("id" = i64, Path)), request_body = ReplyInput,
    responses((status = 201, body = TicketWithMessages), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)),
    security(("bearer" = [])))]
pub async fn reply(
    State(state): State<AppState>,
    CurrentActor(actor): CurrentActor,
    IdPath(id): IdPath,
    ApiJson(input): ApiJson<ReplyInput>,
) -> Response {
    match helpdesk::reply(&state.app, &actor, id, &input.body, &[]).await {
        Ok(_) => detail_response(&state, &actor, id, StatusCode::CREATED).await,
        Err(e) => problem(&e),
    }
}

/// Close one's own IT request.
#[utoipa::path(post, path = "/api/v1/me/it-requests/{id}/close", tag = "helpdesk", params(("id" = i64, Path)),
    responses((status = 200, body = TicketWithMessages), (status = 404, body = Problem), (status = 409, body = Problem)), security(("bearer" = [])))]
pub async fn close(
    State(state): State<AppState>,
    CurrentActor(actor): CurrentActor,
    IdPath(id): IdPath,
) -> Response {
    match helpdesk::close(&state.app, &actor, id).await {
        Ok(()) => detail_response(&state, &actor, id, StatusCode::OK).await,
        Err(e) => problem(&e),
    }
}

/// An access request.
#[derive(Debug, Serialize, ToSchema)]
pub struct AccessRequestOut {
    pub id: i64,
    pub employee_id: i64,
    pub employee_name: String,
    /// `role` (a Seam staff role) or `system` (another system).
    pub kind: String,
    /// The role's name (`sales`) or the system's.
    pub what: String,
    pub reason: String,
    /// `requested`, `approved` or `rejected`.
    pub state: String,
    /// The IT ticket an approval opened.
    pub ticket_id: Option<i64>,
    pub ticket_number: Option<String>,
    pub decided_by: Option<String>,
    pub decided_at: Option<String>,
    pub decision_note: String,
    pub requested_at: String,
}

impl AccessRequestOut {
    fn new(r: &AccessRequestRow) -> AccessRequestOut {
        AccessRequestOut {
            id: r.id,
            employee_id: r.employee_id,
            employee_name: r.employee_name.clone(),
            kind: r.kind.clone(),
            what: r.what.clone(),
            reason: r.reason.clone(),
            state: r.state.clone(),
            ticket_id: r.ticket_id,
            ticket_number: r.ticket_number.clone(),
            decided_by: r.decided_by.clone(),
            decided_at: r.decided_at_us.map(rfc3339),
            decision_note: r.decision_note.clone(),
            requested_at: rfc3339(r.created_at_us),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AccessRequestList {
    pub items: Vec<AccessRequestOut>,
}

fn list_response(rows: AppResultRows) -> Response {
    match rows {
        Ok(rows) => Json(AccessRequestList {
            items: rows.iter().map(AccessRequestOut::new).collect(),
        })
        .into_response(),
        Err(e) => problem(&e),
    }
}

type AppResultRows = Result<Vec<AccessRequestRow>, AppError>;

/// The caller's own access requests, newest first.
#[utoipa::path(get, path = "/api/v1/me/access-requests", tag = "helpdesk",
    responses((status = 200, body = AccessRequestList)), security(("bearer" = [])))]
pub async fn my_access_requests(
    State(state): State<AppState>,
    CurrentActor(actor): CurrentActor,
) -> Response {
    list_response(access_requests::my_requests(&state.app, &actor).await)
}

/// A new access request: `role` (a staff role's name) or `system`, and a reason.
#[derive(Debug, Deserialize, ToSchema)]
pub struct AccessRequestInput {
    /// `role` or `system`; default: `role` when `role` is given, else `system`.
    pub kind: Option<String>,
    /// A staff role: `sales`, `accountant`, …
    pub role: Option<String>,
    /// Another system, by name.
    pub system: Option<String>,
    pub reason: String,
}

impl KnownFields for AccessRequestInput {
    const FIELDS: &'static [&'static str] = &["kind", "role", "system", "reason"];
}

/// Ask for access (201, `requested`); the caller's manager is notified.
/// 422 names the field: an unknown `role`, an empty `system`, a `reason` too long.
#[utoipa::path(post, path = "/api/v1/me/access-requests", tag = "helpdesk", request_body = AccessRequestInput,
    params(("Idempotency-Key" = Option<String>, Header, description = "Repeat a request safely: the same key returns the first response")),
    responses((status = 201, body = AccessRequestOut), (status = 404, body = Problem), (status = 422, body = Problem)), security(("bearer" = [])))]
pub async fn request_access(
    State(state): State<AppState>,
    CurrentActor(actor): CurrentActor,
    ApiJson(input): ApiJson<AccessRequestInput>,
) -> Response {
    let draft = AccessRequestDraft {
        kind: input.kind.unwrap_or_default(),
        role: input.role.unwrap_or_default(),
        system: input.system.unwrap_or_default(),
        reason: input.reason,
    };
    let id = match access_requests::request_access(&state.app, &actor, &draft).await {
        Ok(id) => id,
        Err(e) => return problem(&e),
    };
    match access_requests::request(&state.app, &actor, id).await {
        Ok(row) => (StatusCode::CREATED, Json(AccessRequestOut::new(&row))).into_response(),
        Err(e) => problem(&e),
    }
}

/// The access requests waiting for the caller's decision: their reports'
/// (a manager), everyone's but their own (HR).
#[utoipa::path(get, path = "/api/v1/access-requests", tag = "helpdesk",
    responses((status = 200, body = AccessRequestList)), security(("bearer" = [])))]
pub async fn awaiting(
    State(state): State<AppState>,
    CurrentActor(actor): CurrentActor,
) -> Response {
    list_response(access_requests::awaiting_decision(&state.app, &actor).await)
}

/// One access request: the employee, their manager or HR (404 for anyone else).
#[utoipa::path(get, path = "/api/v1/access-requests/{id}", tag = "helpdesk", params(("id" = i64, Path)),
    responses((status = 200, body = AccessRequestOut), (status = 404, body = Problem)), security(("bearer" = [])))]
pub async fn access_request(
    State(state): State<AppState>,
    CurrentActor(actor): CurrentActor,
    IdPath(id): IdPath,
) -> Response {
    match access_requests::request(&state.app, &actor, id).await {
        Ok(row) => Json(AccessRequestOut::new(&row)).into_response(),
        Err(e) => problem(&e),
    }
}

/// A decision's note.
#[derive(Debug, Default, Deserialize, ToSchema)]
pub struct AccessDecisionInput {
    pub note: Option<String>,
}

impl KnownFields for AccessDecisionInput {
    const FIELDS: &'static [&'static str] = &["note"];
}

async fn decide(state: AppState, actor: Actor, id: i64, note: &str, approve: bool) -> Response {
    if let Err(e) = access_requests::decide(&state.app, &actor, id, approve, note).await {
        return problem(&e);
    }
    match access_requests::request(&state.app, &actor, id).await {
        Ok(row) => Json(AccessRequestOut::new(&row)).into_response(),
        Err(e) => problem(&e),
    }
}

/// Approve: the employee's manager or HR, never the employee (403). Opens
/// the IT ticket for the grant (`ticket_id`).
#[utoipa::path(post, path = "/api/v1/access-requests/{id}/approve", tag = "helpdesk", params(("id" = i64, Path)), request_body = AccessDecisionInput,
    responses((status = 200, body = AccessRequestOut), (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem)), security(("bearer" = [])))]
pub async fn approve(
    State(state): State<AppState>,
    CurrentActor(actor): CurrentActor,
    IdPath(id): IdPath,
    ApiJson(input): ApiJson<AccessDecisionInput>,
) -> Response {
    let note = input.note.unwrap_or_default();
    decide(state, actor, id, &note, true).await
}

/// Reject: the employee's manager or HR.
#[utoipa::path(post, path = "/api/v1/access-requests/{id}/reject", tag = "helpdesk", params(("id" = i64, Path)), request_body = AccessDecisionInput,
    responses((status = 200, body = AccessRequestOut), (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem)), security(("bearer" = [])))]
pub async fn reject(
    State(state): State<AppState>,
    CurrentActor(actor): CurrentActor,
    IdPath(id): IdPath,
    ApiJson(input): ApiJson<AccessDecisionInput>,
) -> Response {
    let note = input.note.unwrap_or_default();
    decide(state, actor, id, &note, false).await
}
