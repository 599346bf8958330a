//! `/api/v1/visits`: the visitor log. List (in the building, expected today
//! or all), check in or register as expected, read, check in an expected
//! visitor, check out.

use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use seam_app::reception::{self, VisitFilter, VisitRow};
use seam_domain::FieldErrors;
use seam_domain::reception::VisitDraft;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::json::{ApiJson, KnownFields};
use super::problem::Problem;
use super::rfc3339;
use crate::AppState;
use crate::who::CurrentActor;

/// A visit to the building.
#[derive(Debug, Serialize, ToSchema)]
pub struct Visit {
    pub id: i64,
    pub visitor_name: String,
    /// The company as the visitor gave it.
    pub visitor_company: String,
    /// A known company party.
    pub party_id: Option<i64>,
    pub party_name: Option<String>,
    pub host_user_id: i64,
    pub host_name: String,
    pub purpose: String,
    /// `V-YYYYMMDD-NNN`, given at check-in.
    pub badge_number: Option<String>,
    pub expected_at: Option<String>,
    pub checked_in_at: Option<String>,
    pub checked_out_at: Option<String>,
    pub agreement_acknowledged: bool,
    /// `expected`, `in` or `out`.
    pub status: String,
    pub created_at: String,
}

impl From<VisitRow> for Visit {
    fn from(row: VisitRow) -> Visit {
        let status = match (row.checked_in_at_us, row.checked_out_at_us) {
            (None, _) => "expected",
            (Some(_), None) => "in",
            (Some(_), Some(_)) => "out",
        };
        Visit {
            id: row.id,
            visitor_name: row.visitor_name,
            visitor_company: row.visitor_company,
            party_id: row.party_id,
            party_name: row.party_name,
            host_user_id: row.host_user_id,
            host_name: row.host_name,
            purpose: row.purpose,
            badge_number: row.badge_number,
            expected_at: row.expected_at_us.map(rfc3339),
            checked_in_at: row.checked_in_at_us.map(rfc3339),
            checked_out_at: row.checked_out_at_us.map(rfc3339),
            agreement_acknowledged: row.agreement_acknowledged,
            status: status.to_owned(),
            created_at: rfc3339(row.created_at_us),
        }
    }
}

/// A page of visits, newest first.
#[derive(Debug, Serialize, ToSchema)]
pub struct VisitList {
    pub items: Vec<Visit>,
    /// Pass as `cursor` for the next page; absent on the last page.
    pub next_cursor: Option<String>,
}

#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct VisitListParams {
    /// `in-building`, `expected` (today, not yet in) or `all` (default).
    pub status: Option<String>,
    /// From `next_cursor` of the previous page.
    pub cursor: Option<String>,
}

/// A visitor at the desk now, or (with `expected_at`) one expected later.
#[derive(Debug, Default, Deserialize, ToSchema)]
pub struct VisitInput {
    pub visitor_name: Option<String>,
    pub visitor_company: Option<String>,
    /// A known company party.
    pub party_id: Option<i64>,
    /// The staff user the visitor comes to see.
    pub host_user_id: Option<i64>,
    pub purpose: Option<String>,
    /// RFC 3339. When given, the visit is registered as expected instead of checked in.
    pub expected_at: Option<String>,
    pub agreement_acknowledged: Option<bool>,
}

impl KnownFields for VisitInput {
    const FIELDS: &'static [&'static str] = &[
        "visitor_name",
        "visitor_company",
        "party_id",
        "host_user_id",
        "purpose",
        "expected_at",
        "agreement_acknowledged",
    ];
}

/// For checking in an expected visitor.
#[derive(Debug, Default, Deserialize, ToSchema)]
pub struct CheckInInput {
    pub agreement_acknowledged: Option<bool>,
}

impl KnownFields for CheckInInput {
    const FIELDS: &'static [&'static str] = &["agreement_acknowledged"];
}

fn problem(err: &seam_app::AppError) -> Response {
    Problem::from_app_error(err, &crate::current_request_id()).into_response()
}

async fn one(state: &AppState, actor: &seam_app::Actor, id: i64, status: StatusCode) -> Response {
    match reception::visit(&state.app, actor, id).await {
        Ok(row) => (status, Json(Visit::from(row))).into_response(),
        Err(e) => problem(&e),
    }
}

/// List visits, newest first, a page at a time.
#[utoipa::path(get, path = "/api/v1/visits", tag = "reception", params(VisitListParams),
    responses((status = 200, body = VisitList), (status = 401, body = Problem), (status = 403, body = Problem), (status = 422, body = Problem)),
    security(("bearer" = [])))]
pub async fn list(
    State(state): State<AppState>,
    CurrentActor(actor): CurrentActor,
    Query(params): Query<VisitListParams>,
) -> Response {
    let mut errors = FieldErrors::new();
    let filter = match params.status.as_deref().unwrap_or("all") {
        "all" => VisitFilter::All,
        "in-building" => VisitFilter::InBuilding,
        "expected" => reception::today_filter(),
        _ => {
            errors.add("status", "error-visit-status");
            VisitFilter::All
        }
    };
    let before = match params.cursor.as_deref() {
        Some(c) => c.parse::<i64>().ok().or_else(|| {
            errors.add("cursor", "error-cursor");
            None
        }),
        None => None,
    };
    if !errors.is_empty() {
        return Problem::invalid(&errors, &crate::current_request_id()).into_response();
    }
    match reception::list(&state.app, &actor, filter, before).await {
        Ok(rows) => {
            let next_cursor = match rows.last() {
                Some(last) if rows.len() as i64 == reception::PAGE_SIZE => {
                    Some(last.id.to_string())
                }
                _ => None,
            };
            Json(VisitList {
                items: rows.into_iter().map(Visit::from).collect(),
                next_cursor,
            })
            .into_response()
        }
        Err(e) => problem(&e),
    }
}

/// Check a visitor in (the host is notified), or register one as expected
/// when `expected_at` is given. Send `Idempotency-Key` to make retries safe.
#[utoipa::path(post, path = "/api/v1/visits", tag = "reception", request_body = VisitInput,
    params(("Idempotency-Key" = Option<String>, Header, description = "Repeat a request safely: the same key returns the first response")),
    responses((status = 201, body = Visit), (status = 422, body = Problem)), security(("bearer" = [])))]
pub async fn create(
    State(state): State<AppState>,
    CurrentActor(actor): CurrentActor,
    ApiJson(input): ApiJson<VisitInput>,
) -> Response {
    let expected_at_us =
        match reception::parse_expected_at(input.expected_at.as_deref().unwrap_or(""), "UTC") {
            Ok(at) => at,
            Err(errors) => {
                return Problem::invalid(&errors, &crate::current_request_id()).into_response();
            }
        };
    let draft = VisitDraft {
        visitor_name: input.visitor_name.unwrap_or_default(),
        visitor_company: input.visitor_company.unwrap_or_default(),
        party_id: input.party_id,
        host_user_id: input.host_user_id,
        purpose: input.purpose.unwrap_or_default(),
        expected_at_us,
        agreement_acknowledged: input.agreement_acknowledged.unwrap_or(false),
    };
    let result = if expected_at_us.is_some() {
        reception::register_expected_visit(&state.app, &actor, &draft).await
    } else {
        reception::check_in(&state.app, &actor, &draft).await
    };
    match result {
        Ok(id) => one(&state, &actor, id, StatusCode::CREATED).await,
        Err(e) => problem(&e),
    }
}

/// One visit.
#[utoipa::path(get, path = "/api/v1/visits/{id}", tag = "reception", params(("id" = i64, Path)),
    responses((status = 200, body = Visit), (status = 404, body = Problem)), security(("bearer" = [])))]
pub async fn visit(
    State(state): State<AppState>,
    CurrentActor(actor): CurrentActor,
    Path(id): Path<i64>,
) -> Response {
    one(&state, &actor, id, StatusCode::OK).await
}

/// Check in a visitor who was registered as expected; 409 when already in.
#[utoipa::path(post, path = "/api/v1/visits/{id}/check-in", tag = "reception", request_body = CheckInInput, params(("id" = i64, Path)),
    responses((status = 200, body = Visit), (status = 404, body = Problem), (status = 409, body = Problem)), security(("bearer" = [])))]
pub async fn check_in(
    State(state): State<AppState>,
    CurrentActor(actor): CurrentActor,
    Path(id): Path<i64>,
    ApiJson(input): ApiJson<CheckInInput>,
) -> Response {
    let agreed = input.agreement_acknowledged.unwrap_or(false);
    match reception::check_in_expected(&state.app, &actor, id, agreed).await {
        Ok(()) => one(&state, &actor, id, StatusCode::OK).await,
        Err(e) => problem(&e),
    }
}

/// Check a visitor out; 409 when not in the building.
#[utoipa::path(post, path = "/api/v1/visits/{id}/check-out", tag = "reception", params(("id" = i64, Path)),
    responses((status = 200, body = Visit), (status = 404, body = Problem), (status = 409, body = Problem)), security(("bearer" = [])))]
pub async fn check_out(
    State(state): State<AppState>,
    CurrentActor(actor): CurrentActor,
    Path(id): Path<i64>,
) -> Response {
    match reception::check_out(&state.app, &actor, id).await {
        Ok(()) => one(&state, &actor, id, StatusCode::OK).await,
        Err(e) => problem(&e),
    }
}
