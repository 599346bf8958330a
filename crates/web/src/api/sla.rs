//! `/api/v1/sla`: the breached and at-risk tickets of the caller's queues,
//! a ticket's clocks, and the working hours and targets (`service.admin`
//! changes them).

use axum::Json;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use seam_app::sla::{self, ClockView, SlaFilter, SlaListRow};
use seam_app::{AppError, service};
use seam_domain::FieldErrors;
use seam_domain::service::Queue;
use seam_domain::sla::{CalendarDraft, PolicyDraft, WEEKDAYS};
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

/// A ticket on the breached or at-risk list.
#[derive(Debug, Serialize, ToSchema)]
pub struct SlaTicket {
    pub id: i64,
    /// `TK-2026-000001`.
    pub number: String,
    pub subject: String,
    pub customer_name: String,
    pub queue: String,
    pub priority: String,
    /// `open` or `pending`.
    pub state: String,
    pub assignee_user_id: Option<i64>,
    /// The first response's deadline while it is owed (RFC 3339, UTC).
    pub first_response_due_at: Option<String>,
    /// The resolution's deadline, or the instant it was breached.
    pub resolution_due_at: Option<String>,
    /// Whether the ticket waits on the customer (its resolution clock stands still).
    pub paused: bool,
}

impl SlaTicket {
    fn new(r: &SlaListRow) -> SlaTicket {
        SlaTicket {
            id: r.id,
            number: r.number.clone(),
            subject: r.subject.clone(),
            customer_name: r.party_name.clone(),
            queue: r.queue.clone(),
            priority: r.priority.clone(),
            state: r.state.clone(),
            assignee_user_id: r.assignee_user_id,
            first_response_due_at: r
                .first_response_due_at_us
                .filter(|_| r.first_response_at_us.is_none())
                .map(rfc3339),
            resolution_due_at: r.resolution_due_at_us.map(rfc3339),
            paused: r.paused_at_us.is_some(),
        }
    }
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SlaParams {
    /// Only this queue (one the caller works).
    pub queue: Option<String>,
    /// Judge at this instant (RFC 3339) instead of now: what will have
    /// breached by then if nothing changes.
    pub at: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct SlaTicketList {
    pub items: Vec<SlaTicket>,
}

fn filter(actor: &seam_app::Actor, params: &SlaParams) -> Result<SlaFilter, AppError> {
    let mut errors = FieldErrors::new();
    let queue = match params.queue.as_deref().map(str::trim) {
        None | Some("") => None,
        Some(name) => {
            let q = Queue::parse(name);
            if q.is_none() {
                errors.add("queue", "error-ticket-queue");
            }
            q
        }
    };
    let at_us = match sla::parse_at(actor, params.at.as_deref().unwrap_or_default()) {
        Ok(at) => at,
        Err(e) => {
            errors.extend(e);
            None
        }
    };
    errors.into_result(SlaFilter { queue, at_us })?;
    Ok(SlaFilter { queue, at_us })
}

/// Active tickets past a deadline, oldest first (at most 200).
#[utoipa::path(get, path = "/api/v1/sla/breached", tag = "service", params(SlaParams),
    responses((status = 200, body = SlaTicketList), (status = 403, body = Problem), (status = 422, body = Problem)),
    security(("bearer" = [])))]
pub async fn breached(
    State(state): State<AppState>,
    CurrentActor(actor): CurrentActor,
    Query(params): Query<SlaParams>,
) -> Response {
    let filter = match filter(&actor, &params) {
        Ok(f) => f,
        Err(e) => return problem(&e),
    };
    match sla::breached(&state.app, &actor, &filter).await {
        Ok(rows) => Json(SlaTicketList {
            items: rows.iter().map(SlaTicket::new).collect(),
        })
        .into_response(),
        Err(e) => problem(&e),
    }
}

/// Active tickets past their warning (an hour before the deadline, or 80 %
/// of a short target) and not yet breached, oldest first (at most 200).
#[utoipa::path(get, path = "/api/v1/sla/at-risk", tag = "service", params(SlaParams),
    responses((status = 200, body = SlaTicketList), (status = 403, body = Problem), (status = 422, body = Problem)),
    security(("bearer" = [])))]
pub async fn at_risk(
    State(state): State<AppState>,
    CurrentActor(actor): CurrentActor,
    Query(params): Query<SlaParams>,
) -> Response {
    let filter = match filter(&actor, &params) {
        Ok(f) => f,
        Err(e) => return problem(&e),
    };
    match sla::at_risk(&state.app, &actor, &filter).await {
        Ok(rows) => Json(SlaTicketList {
            items: rows.iter().map(SlaTicket::new).collect(),
        })
        .into_response(),
        Err(e) => problem(&e),
    }
}

/// One clock of a ticket.
#[derive(Debug, Serialize, ToSchema)]
pub struct SlaClock {
    /// Business minutes.
    pub target_min: i64,
    /// `met`, `running`, `paused`, `at-risk`, `missed` or `breached`.
    pub status: String,
    /// The deadline while it runs, or the instant it was breached.
    pub due_at: Option<String>,
    /// Business minutes left; negative once over.
    pub remaining_min: i64,
}

fn clock(c: &ClockView) -> SlaClock {
    SlaClock {
        target_min: c.target_min,
        status: c.status.name().to_owned(),
        due_at: c.due_at_us.map(rfc3339),
        remaining_min: c.remaining_min,
    }
}

/// A ticket's service level.
#[derive(Debug, Serialize, ToSchema)]
pub struct TicketSlaBody {
    pub first_response: SlaClock,
    pub resolution: SlaClock,
    /// Since when it waits on the customer, if it does.
    pub paused_since: Option<String>,
    /// Business minutes it has waited on the customer.
    pub paused_min: i64,
}

/// A ticket's clocks (404 when no target measures it, or for a ticket the caller may not see).
#[utoipa::path(get, path = "/api/v1/tickets/{id}/sla", tag = "service", params(("id" = i64, Path)),
    responses((status = 200, body = TicketSlaBody), (status = 404, body = Problem)),
    security(("bearer" = [])))]
pub async fn ticket(
    State(state): State<AppState>,
    CurrentActor(actor): CurrentActor,
    IdPath(id): IdPath,
) -> Response {
    match service::ticket(&state.app, &actor, id).await {
        Ok(d) => match d.sla {
            Some(s) => Json(TicketSlaBody {
                first_response: clock(&s.first_response),
                resolution: clock(&s.resolution),
                paused_since: s.paused_at_us.map(rfc3339),
                paused_min: s.paused_min,
            })
            .into_response(),
            None => problem(&AppError::NotFound),
        },
        Err(e) => problem(&e),
    }
}

/// The working-hours calendar.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct WorkingHours {
    /// An IANA zone: `Europe/Stockholm`.
    pub zone: String,
    /// Per weekday (`mon` … `sun`), `08:00-17:00`, or null for a day off.
    pub hours: std::collections::BTreeMap<String, Option<String>>,
    /// Dates (`2026-12-24`).
    pub holidays: Vec<String>,
}

impl KnownFields for WorkingHours {
    const FIELDS: &'static [&'static str] = &["zone", "hours", "holidays"];
}

fn hours_body(calendar: &seam_domain::sla::Calendar) -> WorkingHours {
    let draft = calendar.to_draft();
    WorkingHours {
        zone: draft.zone,
        hours: WEEKDAYS
            .iter()
            .zip(draft.hours)
            .map(|(d, (start, end))| {
                let value = (!start.is_empty()).then(|| format!("{start}-{end}"));
                ((*d).to_owned(), value)
            })
            .collect(),
        holidays: draft
            .holidays
            .split_whitespace()
            .map(str::to_owned)
            .collect(),
    }
}

/// The working hours SLA targets count.
#[utoipa::path(get, path = "/api/v1/sla/hours", tag = "service",
    responses((status = 200, body = WorkingHours), (status = 403, body = Problem)),
    security(("bearer" = [])))]
pub async fn hours(State(state): State<AppState>, CurrentActor(actor): CurrentActor) -> Response {
    match sla::working_hours(&state.app, &actor).await {
        Ok(c) => Json(hours_body(&c)).into_response(),
        Err(e) => problem(&e),
    }
}

/// Replace the working hours (`service.admin`). Errors name `zone`,
/// `mon_start` … `sun_end`, `hours` or `holidays`.
#[utoipa::path(put, path = "/api/v1/sla/hours", tag = "service", request_body = WorkingHours,
    responses((status = 200, body = WorkingHours), (status = 403, body = Problem), (status = 422, body = Problem)),
    security(("bearer" = [])))]
pub async fn set_hours(
    State(state): State<AppState>,
    CurrentActor(actor): CurrentActor,
    ApiJson(body): ApiJson<WorkingHours>,
) -> Response {
    let mut draft = CalendarDraft {
        zone: body.zone,
        holidays: body.holidays.join(" "),
        ..CalendarDraft::default()
    };
    let mut errors = FieldErrors::new();
    for (slot, day) in draft.hours.iter_mut().zip(WEEKDAYS) {
        match body.hours.get(day).cloned().flatten() {
            None => {}
            Some(text) => match text.split_once('-') {
                Some((start, end)) => *slot = (start.to_owned(), end.to_owned()),
                None => errors.add(&format!("{day}_start"), "error-sla-time"),
            },
        }
    }
    if !errors.is_empty() {
        return problem(&AppError::Invalid(errors));
    }
    if let Err(e) = sla::update_calendar(&state.app, &actor, &draft).await {
        return problem(&e);
    }
    match sla::working_hours(&state.app, &actor).await {
        Ok(c) => Json(hours_body(&c)).into_response(),
        Err(e) => problem(&e),
    }
}

/// A priority's targets, for one queue or every queue.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct SlaPolicy {
    #[serde(default)]
    pub id: i64,
    /// `low`, `normal`, `high` or `urgent`.
    pub priority: String,
    /// A queue, or "" for every queue without targets of its own.
    #[serde(default)]
    pub queue: String,
    /// Business minutes; at least 1.
    pub first_response_min: i64,
    /// Business minutes; at least the first response.
    pub resolution_min: i64,
}

impl KnownFields for SlaPolicy {
    const FIELDS: &'static [&'static str] = &[
        "id",
        "priority",
        "queue",
        "first_response_min",
        "resolution_min",
    ];
}

#[derive(Debug, Serialize, ToSchema)]
pub struct SlaPolicyList {
    pub items: Vec<SlaPolicy>,
}

fn policy_list(rows: &[sla::PolicyRow]) -> SlaPolicyList {
    SlaPolicyList {
        items: rows
            .iter()
            .map(|p| SlaPolicy {
                id: p.id,
                priority: p.priority.clone(),
                queue: p.queue.clone(),
                first_response_min: p.first_response_min,
                resolution_min: p.resolution_min,
            })
            .collect(),
    }
}

/// Every SLA policy.
#[utoipa::path(get, path = "/api/v1/sla/policies", tag = "service",
    responses((status = 200, body = SlaPolicyList), (status = 403, body = Problem)),
    security(("bearer" = [])))]
pub async fn policies(
    State(state): State<AppState>,
    CurrentActor(actor): CurrentActor,
) -> Response {
    match sla::policies(&state.app, &actor).await {
        Ok(rows) => Json(policy_list(&rows)).into_response(),
        Err(e) => problem(&e),
    }
}

/// Set a priority's targets (`service.admin`), replacing any for the same
/// priority and queue; answers with every policy.
#[utoipa::path(post, path = "/api/v1/sla/policies", tag = "service", request_body = SlaPolicy,
    params(("Idempotency-Key" = Option<String>, Header, description = "Repeat a request safely: the same key returns the first response")),
    responses((status = 200, body = SlaPolicyList), (status = 403, body = Problem), (status = 422, body = Problem)),
    security(("bearer" = [])))]
pub async fn set_policy(
    State(state): State<AppState>,
    CurrentActor(actor): CurrentActor,
    ApiJson(body): ApiJson<SlaPolicy>,
) -> Response {
    let draft = PolicyDraft {
        priority: body.priority,
        queue: body.queue,
        first_response_min: body.first_response_min.to_string(),
        resolution_min: body.resolution_min.to_string(),
    };
    if let Err(e) = sla::set_policy(&state.app, &actor, &draft).await {
        return problem(&e);
    }
    match sla::policies(&state.app, &actor).await {
        Ok(rows) => (StatusCode::OK, Json(policy_list(&rows))).into_response(),
        Err(e) => problem(&e),
    }
}
