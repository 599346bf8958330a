//! `/api/v1/appointments` and `/api/v1/resources`: book, list, read,
//! reschedule and cancel appointments, check their visitor in; list and add
//! resources. Times are RFC 3339. A clash is a 422 naming the field, the
//! resource or person, and the appointment it clashes with.

use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use seam_app::appointments::{self, Appointment, AppointmentFilter, ResourceRow};
use seam_domain::FieldErrors;
use seam_domain::appointment::{AppointmentDraft, ResourceDraft};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::json::{ApiJson, KnownFields};
use super::problem::Problem;
use super::rfc3339;
use crate::AppState;
use crate::who::CurrentActor;

/// A member of staff an appointment books.
#[derive(Debug, Serialize, ToSchema)]
pub struct Attendee {
    pub user_id: i64,
    pub username: String,
    pub display_name: String,
    pub organiser: bool,
}

/// A resource an appointment books.
#[derive(Debug, Serialize, ToSchema)]
pub struct BookedResource {
    pub id: i64,
    pub name: String,
    /// `room` or `equipment`.
    pub kind: String,
}

/// An appointment.
#[derive(Debug, Serialize, ToSchema)]
pub struct AppointmentOut {
    pub id: i64,
    /// The iCalendar UID, fixed for the appointment's life.
    pub uid: String,
    /// The iCalendar SEQUENCE: how often it was moved or cancelled.
    pub sequence: i64,
    pub title: String,
    pub start: String,
    pub end: String,
    pub organiser_user_id: i64,
    pub attendees: Vec<Attendee>,
    pub resources: Vec<BookedResource>,
    pub visitor_name: String,
    pub visitor_company: String,
    pub visitor_email: String,
    pub party_id: Option<i64>,
    pub location: String,
    pub notes: String,
    /// `booked` or `cancelled`.
    pub state: String,
    /// The visit a check-in from this appointment created.
    pub visit_id: Option<i64>,
}

impl From<Appointment> for AppointmentOut {
    fn from(a: Appointment) -> AppointmentOut {
        let row = a.row;
        AppointmentOut {
            id: row.id,
            uid: row.uid,
            sequence: row.sequence,
            title: row.title,
            start: rfc3339(row.start_us),
            end: rfc3339(row.end_us),
            organiser_user_id: row.organiser_user_id,
            attendees: a
                .attendees
                .into_iter()
                .map(|p| Attendee {
                    user_id: p.user_id,
                    username: p.username,
                    display_name: p.display_name,
                    organiser: p.is_organiser,
                })
                .collect(),
            resources: a
                .resources
                .into_iter()
                .map(|r| BookedResource {
                    id: r.resource_id,
                    name: r.name,
                    kind: r.kind,
                })
                .collect(),
            visitor_name: row.visitor_name,
            visitor_company: row.visitor_company,
            visitor_email: row.visitor_email,
            party_id: row.party_id,
            location: row.location,
            notes: row.notes,
            state: row.state,
            visit_id: row.visit_id,
        }
    }
}

/// Appointments by start time.
#[derive(Debug, Serialize, ToSchema)]
pub struct AppointmentList {
    pub items: Vec<AppointmentOut>,
}

#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AppointmentListParams {
    /// RFC 3339; default now.
    pub from: Option<String>,
    /// RFC 3339; default 30 days after `from`.
    pub to: Option<String>,
    /// Only this member of staff's (reception only; others always get their own).
    pub user_id: Option<i64>,
    /// Only those booking this resource.
    pub resource_id: Option<i64>,
    /// Include cancelled ones.
    pub cancelled: Option<bool>,
}

/// A booking.
#[derive(Debug, Default, Deserialize, ToSchema)]
pub struct AppointmentInput {
    pub title: Option<String>,
    /// RFC 3339.
    pub start: Option<String>,
    /// RFC 3339.
    pub end: Option<String>,
    pub organiser_user_id: Option<i64>,
    pub attendee_user_ids: Option<Vec<i64>>,
    pub resource_ids: Option<Vec<i64>>,
    pub visitor_name: Option<String>,
    pub visitor_company: Option<String>,
    /// Gets the invitation too.
    pub visitor_email: Option<String>,
    pub party_id: Option<i64>,
    pub location: Option<String>,
    pub notes: Option<String>,
}

impl KnownFields for AppointmentInput {
    const FIELDS: &'static [&'static str] = &[
        "title",
        "start",
        "end",
        "organiser_user_id",
        "attendee_user_ids",
        "resource_ids",
        "visitor_name",
        "visitor_company",
        "visitor_email",
        "party_id",
        "location",
        "notes",
    ];
}

/// A new time for an appointment.
#[derive(Debug, Default, Deserialize, ToSchema)]
pub struct RescheduleInput {
    pub start: Option<String>,
    pub end: Option<String>,
}

impl KnownFields for RescheduleInput {
    const FIELDS: &'static [&'static str] = &["start", "end"];
}

/// For checking in an appointment's visitor.
#[derive(Debug, Default, Deserialize, ToSchema)]
pub struct AppointmentCheckInInput {
    pub agreement_acknowledged: Option<bool>,
}

impl KnownFields for AppointmentCheckInInput {
    const FIELDS: &'static [&'static str] = &["agreement_acknowledged"];
}

/// The visit a check-in created.
#[derive(Debug, Serialize, ToSchema)]
pub struct CheckedIn {
    pub visit_id: i64,
}

fn problem(err: &seam_app::AppError) -> Response {
    Problem::from_app_error(err, &crate::current_request_id()).into_response()
}

fn invalid(errors: &FieldErrors) -> Response {
    Problem::invalid(errors, &crate::current_request_id()).into_response()
}

/// An optional RFC 3339 time naming its field.
fn time(errors: &mut FieldErrors, field: &str, text: Option<&str>) -> Option<i64> {
    let text = text.unwrap_or("").trim();
    if text.is_empty() {
        return None;
    }
    match text.parse::<jiff::Timestamp>() {
        Ok(t) => Some(t.as_microsecond()),
        Err(_) => {
            errors.add(field, "error-datetime");
            None
        }
    }
}

async fn one(state: &AppState, actor: &seam_app::Actor, id: i64, status: StatusCode) -> Response {
    match appointments::appointment(&state.app, actor, id).await {
        Ok(a) => (status, Json(AppointmentOut::from(a))).into_response(),
        Err(e) => problem(&e),
    }
}

/// List appointments overlapping a window. Staff without `reception.use`
/// get only the ones they attend.
#[utoipa::path(get, path = "/api/v1/appointments", tag = "appointments", params(AppointmentListParams),
    responses((status = 200, body = AppointmentList), (status = 401, body = Problem), (status = 403, body = Problem), (status = 422, body = Problem)),
    security(("bearer" = [])))]
pub async fn list(
    State(state): State<AppState>,
    CurrentActor(actor): CurrentActor,
    Query(params): Query<AppointmentListParams>,
) -> Response {
    let mut errors = FieldErrors::new();
    let from_us =
        time(&mut errors, "from", params.from.as_deref()).unwrap_or_else(seam_app::now_us);
    let to_us = time(&mut errors, "to", params.to.as_deref())
        .unwrap_or(from_us.saturating_add(30 * 86_400_000_000));
    if to_us <= from_us {
        errors.add("to", "error-appointment-end-before-start");
    }
    if !errors.is_empty() {
        return invalid(&errors);
    }
    let filter = AppointmentFilter {
        from_us,
        to_us,
        user_id: params.user_id,
        resource_id: params.resource_id,
        with_cancelled: params.cancelled.unwrap_or(false),
        ..AppointmentFilter::default()
    };
    match appointments::list(&state.app, &actor, filter).await {
        Ok(rows) => Json(AppointmentList {
            items: rows.into_iter().map(AppointmentOut::from).collect(),
        })
        .into_response(),
        Err(e) => problem(&e),
    }
}

/// Book an appointment; everyone gets an invitation (.ics). A resource or
/// person already booked then is refused with 422 naming them.
#[utoipa::path(post, path = "/api/v1/appointments", tag = "appointments", request_body = AppointmentInput,
    params(("Idempotency-Key" = Option<String>, Header, description = "Repeat a request safely: the same key returns the first response")),
    responses((status = 201, body = AppointmentOut), (status = 422, body = Problem)), security(("bearer" = [])))]
pub async fn create(
    State(state): State<AppState>,
    CurrentActor(actor): CurrentActor,
    ApiJson(input): ApiJson<AppointmentInput>,
) -> Response {
    let mut errors = FieldErrors::new();
    let start_us = time(&mut errors, "start", input.start.as_deref());
    let end_us = time(&mut errors, "end", input.end.as_deref());
    if !errors.is_empty() {
        return invalid(&errors);
    }
    let draft = AppointmentDraft {
        title: input.title.unwrap_or_default(),
        start_us,
        end_us,
        organiser_user_id: input.organiser_user_id,
        attendee_user_ids: input.attendee_user_ids.unwrap_or_default(),
        resource_ids: input.resource_ids.unwrap_or_default(),
        visitor_name: input.visitor_name.unwrap_or_default(),
        visitor_company: input.visitor_company.unwrap_or_default(),
        visitor_email: input.visitor_email.unwrap_or_default(),
        party_id: input.party_id,
        location: input.location.unwrap_or_default(),
        notes: input.notes.unwrap_or_default(),
    };
    match appointments::book(&state.app, &actor, &draft).await {
        Ok(id) => one(&state, &actor, id, StatusCode::CREATED).await,
        Err(seam_app::AppError::Invalid(errors)) => invalid(&rename_times(errors)),
        Err(e) => problem(&e),
    }
}

/// The use case names times `start_at`/`end_at`; the API calls them `start`/`end`.
fn rename_times(errors: FieldErrors) -> FieldErrors {
    let mut out = FieldErrors::new();
    for e in errors.iter() {
        let field = match e.field.as_str() {
            "start_at" => "start",
            "end_at" => "end",
            other => other,
        };
        out.add_with(field, e.code, e.args.clone());
    }
    out
}

/// One appointment (staff without `reception.use`: one they attend).
#[utoipa::path(get, path = "/api/v1/appointments/{id}", tag = "appointments", params(("id" = i64, Path)),
    responses((status = 200, body = AppointmentOut), (status = 404, body = Problem)), security(("bearer" = [])))]
pub async fn appointment(
    State(state): State<AppState>,
    CurrentActor(actor): CurrentActor,
    Path(id): Path<i64>,
) -> Response {
    one(&state, &actor, id, StatusCode::OK).await
}

/// Move an appointment; its SEQUENCE goes up and everyone gets the update.
#[utoipa::path(post, path = "/api/v1/appointments/{id}/reschedule", tag = "appointments", request_body = RescheduleInput, params(("id" = i64, Path)),
    responses((status = 200, body = AppointmentOut), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)), security(("bearer" = [])))]
pub async fn reschedule(
    State(state): State<AppState>,
    CurrentActor(actor): CurrentActor,
    Path(id): Path<i64>,
    ApiJson(input): ApiJson<RescheduleInput>,
) -> Response {
    let mut errors = FieldErrors::new();
    let start_us = time(&mut errors, "start", input.start.as_deref());
    let end_us = time(&mut errors, "end", input.end.as_deref());
    if !errors.is_empty() {
        return invalid(&errors);
    }
    match appointments::reschedule(&state.app, &actor, id, start_us, end_us).await {
        Ok(()) => one(&state, &actor, id, StatusCode::OK).await,
        Err(seam_app::AppError::Invalid(errors)) => invalid(&rename_times(errors)),
        Err(e) => problem(&e),
    }
}

/// Cancel an appointment: it frees its slot and everyone gets METHOD:CANCEL.
#[utoipa::path(post, path = "/api/v1/appointments/{id}/cancel", tag = "appointments", params(("id" = i64, Path)),
    responses((status = 200, body = AppointmentOut), (status = 404, body = Problem), (status = 409, body = Problem)), security(("bearer" = [])))]
pub async fn cancel(
    State(state): State<AppState>,
    CurrentActor(actor): CurrentActor,
    Path(id): Path<i64>,
) -> Response {
    match appointments::cancel(&state.app, &actor, id).await {
        Ok(()) => one(&state, &actor, id, StatusCode::OK).await,
        Err(e) => problem(&e),
    }
}

/// Check the appointment's visitor in through reception (a visit with a badge).
#[utoipa::path(post, path = "/api/v1/appointments/{id}/check-in", tag = "appointments", request_body = AppointmentCheckInInput, params(("id" = i64, Path)),
    responses((status = 201, body = CheckedIn), (status = 404, body = Problem), (status = 409, body = Problem)), security(("bearer" = [])))]
pub async fn check_in(
    State(state): State<AppState>,
    CurrentActor(actor): CurrentActor,
    Path(id): Path<i64>,
    ApiJson(input): ApiJson<AppointmentCheckInInput>,
) -> Response {
    let agreed = input.agreement_acknowledged.unwrap_or(false);
    match appointments::check_in_visitor(&state.app, &actor, id, agreed).await {
        Ok(visit_id) => (StatusCode::CREATED, Json(CheckedIn { visit_id })).into_response(),
        Err(e) => problem(&e),
    }
}

/// A room or a piece of equipment.
#[derive(Debug, Serialize, ToSchema)]
pub struct Resource {
    pub id: i64,
    pub name: String,
    /// `room` or `equipment`.
    pub kind: String,
    pub capacity: Option<i64>,
    pub active: bool,
}

impl From<ResourceRow> for Resource {
    fn from(r: ResourceRow) -> Resource {
        Resource {
            id: r.id,
            name: r.name,
            kind: r.kind,
            capacity: r.capacity,
            active: r.active,
        }
    }
}

/// All resources.
#[derive(Debug, Serialize, ToSchema)]
pub struct ResourceList {
    pub items: Vec<Resource>,
}

/// A new resource.
#[derive(Debug, Default, Deserialize, ToSchema)]
pub struct ResourceInput {
    pub name: Option<String>,
    /// `room` or `equipment`.
    pub kind: Option<String>,
    pub capacity: Option<i64>,
    /// Default true.
    pub active: Option<bool>,
}

impl KnownFields for ResourceInput {
    const FIELDS: &'static [&'static str] = &["name", "kind", "capacity", "active"];
}

/// List rooms and equipment, retired ones included.
#[utoipa::path(get, path = "/api/v1/resources", tag = "appointments",
    responses((status = 200, body = ResourceList), (status = 401, body = Problem), (status = 403, body = Problem)), security(("bearer" = [])))]
pub async fn resources(
    State(state): State<AppState>,
    CurrentActor(actor): CurrentActor,
) -> Response {
    match appointments::resources(&state.app, &actor, true).await {
        Ok(rows) => Json(ResourceList {
            items: rows.into_iter().map(Resource::from).collect(),
        })
        .into_response(),
        Err(e) => problem(&e),
    }
}

/// Add a room or a piece of equipment.
#[utoipa::path(post, path = "/api/v1/resources", tag = "appointments", request_body = ResourceInput,
    responses((status = 201, body = Resource), (status = 422, body = Problem)), security(("bearer" = [])))]
pub async fn create_resource(
    State(state): State<AppState>,
    CurrentActor(actor): CurrentActor,
    ApiJson(input): ApiJson<ResourceInput>,
) -> Response {
    let draft = ResourceDraft {
        name: input.name.unwrap_or_default(),
        kind: input.kind.unwrap_or_default(),
        capacity: input.capacity,
        active: input.active.unwrap_or(true),
    };
    let created = match appointments::add_resource(&state.app, &actor, &draft).await {
        Ok(id) => appointments::resource(&state.app, &actor, id).await,
        Err(e) => Err(e),
    };
    match created {
        Ok(row) => (StatusCode::CREATED, Json(Resource::from(row))).into_response(),
        Err(e) => problem(&e),
    }
}
