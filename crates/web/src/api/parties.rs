//! `/api/v1/parties`: list, read, create, update, archive, restore.

use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use seam_app::parties::{self, PartyCursor, PartyFilter, PartyRow, PartySort};
use seam_domain::FieldErrors;
use seam_domain::ids::PartyId;
use seam_domain::party::PartyDraft;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::json::{ApiJson, KnownFields};
use super::problem::Problem;
use super::rfc3339;
use crate::AppState;
use crate::who::CurrentActor;

/// A company or person.
#[derive(Debug, Serialize, ToSchema)]
pub struct Party {
    pub id: i64,
    /// `company` or `person`.
    pub kind: String,
    pub name: String,
    /// For a person: the company they work for.
    pub company_id: Option<i64>,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub tax_id: Option<String>,
    pub street: Option<String>,
    pub postal_code: Option<String>,
    pub city: Option<String>,
    /// ISO 3166-1 alpha-2.
    pub country: Option<String>,
    pub is_customer: bool,
    pub is_vendor: bool,
    pub tags: Vec<String>,
    pub notes: Option<String>,
    pub archived: bool,
    /// Send this back with an update; a stale version is refused with 409.
    pub version: i64,
    pub created_at: String,
    pub updated_at: String,
}

impl From<PartyRow> for Party {
    fn from(row: PartyRow) -> Party {
        Party {
            id: row.id,
            kind: row.kind,
            name: row.name,
            company_id: row.company_id,
            email: row.email,
            phone: row.phone,
            tax_id: row.tax_id,
            street: row.street,
            postal_code: row.postal_code,
            city: row.city,
            country: row.country,
            is_customer: row.is_customer,
            is_vendor: row.is_vendor,
            tags: row
                .tags
                .split(',')
                .filter(|t| !t.is_empty())
                .map(str::to_owned)
                .collect(),
            notes: row.notes,
            archived: row.archived,
            version: row.version,
            created_at: rfc3339(row.created_at_us),
            updated_at: rfc3339(row.updated_at_us),
        }
    }
}

/// A page of parties.
#[derive(Debug, Serialize, ToSchema)]
pub struct PartyList {
    pub items: Vec<Party>,
    /// Pass as `cursor` for the next page; absent on the last page.
    pub next_cursor: Option<String>,
    /// How many parties match the filter in all.
    pub total: i64,
}

/// Filters for the list; all optional.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListParams {
    /// Words to find in name, e-mail, phone, tax id, tags or city.
    pub q: Option<String>,
    /// `company` or `person`.
    pub kind: Option<String>,
    /// `customer` or `vendor`.
    pub role: Option<String>,
    pub tag: Option<String>,
    /// `active` (default), `archived` or `all`.
    pub status: Option<String>,
    /// `name` (default), `-name`, `created`, `-created`.
    pub sort: Option<String>,
    /// From `next_cursor` of the previous page.
    pub cursor: Option<String>,
    /// 1 to 500; default 50.
    pub limit: Option<i64>,
}

/// A new party, or the new values of one. Omitted fields are empty.
#[derive(Debug, Default, Deserialize, ToSchema)]
pub struct PartyInput {
    pub kind: Option<String>,
    pub name: Option<String>,
    pub company_id: Option<i64>,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub tax_id: Option<String>,
    pub street: Option<String>,
    pub postal_code: Option<String>,
    pub city: Option<String>,
    pub country: Option<String>,
    pub is_customer: Option<bool>,
    pub is_vendor: Option<bool>,
    pub tags: Option<Vec<String>>,
    pub notes: Option<String>,
    /// Required on update: the `version` the change was based on.
    pub version: Option<i64>,
}

impl KnownFields for PartyInput {
    const FIELDS: &'static [&'static str] = &[
        "kind",
        "name",
        "company_id",
        "email",
        "phone",
        "tax_id",
        "street",
        "postal_code",
        "city",
        "country",
        "is_customer",
        "is_vendor",
        "tags",
        "notes",
        "version",
    ];
}

impl PartyInput {
    fn draft(self) -> PartyDraft {
        PartyDraft {
            kind: self.kind.unwrap_or_default(),
            name: self.name.unwrap_or_default(),
            company_id: self.company_id,
            email: self.email.unwrap_or_default(),
            phone: self.phone.unwrap_or_default(),
            tax_id: self.tax_id.unwrap_or_default(),
            street: self.street.unwrap_or_default(),
            postal_code: self.postal_code.unwrap_or_default(),
            city: self.city.unwrap_or_default(),
            country: self.country.unwrap_or_default(),
            is_customer: self.is_customer.unwrap_or(false),
            is_vendor: self.is_vendor.unwrap_or(false),
            tags: self.tags.unwrap_or_default().join(","),
            notes: self.notes.unwrap_or_default(),
        }
    }
}

fn problem(err: &seam_app::AppError) -> Response {
    Problem::from_app_error(err, &crate::current_request_id()).into_response()
}

async fn one(state: &AppState, actor: &seam_app::Actor, id: i64, status: StatusCode) -> Response {
    match parties::party(&state.app, actor, PartyId(id)).await {
        Ok(row) => (status, Json(Party::from(row))).into_response(),
        Err(e) => problem(&e),
    }
}

/// List parties, a page at a time.
#[utoipa::path(get, path = "/api/v1/parties", tag = "parties", params(ListParams),
    responses((status = 200, body = PartyList), (status = 401, body = Problem), (status = 403, body = Problem)),
    security(("bearer" = [])))]
pub async fn list(
    State(state): State<AppState>,
    CurrentActor(actor): CurrentActor,
    Query(params): Query<ListParams>,
) -> Response {
    let query = crate::pages::parties::ListQuery {
        q: params.q.unwrap_or_default(),
        kind: params.kind.unwrap_or_default(),
        role: params.role.unwrap_or_default(),
        tag: params.tag.unwrap_or_default(),
        status: params.status.unwrap_or_default(),
        sort: params.sort.clone().unwrap_or_default(),
        cursor: params.cursor.clone().unwrap_or_default(),
    };
    let mut errors = FieldErrors::new();
    if params
        .sort
        .as_deref()
        .is_some_and(|s| PartySort::parse(s).is_none())
    {
        errors.add("sort", "error-sort");
    }
    let cursor = match params.cursor.as_deref() {
        Some(c) => PartyCursor::decode(c).or_else(|| {
            errors.add("cursor", "error-cursor");
            None
        }),
        None => None,
    };
    let limit = super::page_limit(params.limit, &mut errors);
    if !errors.is_empty() {
        return Problem::invalid(&errors, &crate::current_request_id()).into_response();
    }
    let filter: PartyFilter = query.filter();
    match parties::list_parties(
        &state.app,
        &actor,
        &filter,
        query.sort(),
        cursor.as_ref(),
        limit,
    )
    .await
    {
        Ok(page) => Json(PartyList {
            items: page.rows.into_iter().map(Party::from).collect(),
            next_cursor: page.next.map(|c| c.encode()),
            total: page.total,
        })
        .into_response(),
        Err(e) => problem(&e),
    }
}

/// One party.
#[utoipa::path(get, path = "/api/v1/parties/{id}", tag = "parties", params(("id" = i64, Path)),
    responses((status = 200, body = Party), (status = 404, body = Problem)), security(("bearer" = [])))]
pub async fn get_one(
    State(state): State<AppState>,
    CurrentActor(actor): CurrentActor,
    Path(id): Path<i64>,
) -> Response {
    one(&state, &actor, id, StatusCode::OK).await
}

/// Create a party. Send `Idempotency-Key` to make retries safe.
#[utoipa::path(post, path = "/api/v1/parties", tag = "parties", request_body = PartyInput,
    params(("Idempotency-Key" = Option<String>, Header, description = "Repeat a request safely: the same key returns the first response")),
    responses((status = 201, body = Party), (status = 422, body = Problem)), security(("bearer" = [])))]
pub async fn create(
    State(state): State<AppState>,
    CurrentActor(actor): CurrentActor,
    ApiJson(input): ApiJson<PartyInput>,
) -> Response {
    if input.version.is_some() {
        return Problem::invalid(
            &FieldErrors::one("version", "error-unknown-field"),
            &crate::current_request_id(),
        )
        .into_response();
    }
    match parties::create_party(&state.app, &actor, &input.draft()).await {
        Ok(id) => one(&state, &actor, id.0, StatusCode::CREATED).await,
        Err(e) => problem(&e),
    }
}

/// Replace a party's fields. `version` must be the one read; otherwise 409.
#[utoipa::path(put, path = "/api/v1/parties/{id}", tag = "parties", request_body = PartyInput, params(("id" = i64, Path)),
    responses((status = 200, body = Party), (status = 409, body = Problem), (status = 422, body = Problem)), security(("bearer" = [])))]
pub async fn update(
    State(state): State<AppState>,
    CurrentActor(actor): CurrentActor,
    Path(id): Path<i64>,
    ApiJson(input): ApiJson<PartyInput>,
) -> Response {
    let Some(version) = input.version else {
        return Problem::invalid(
            &FieldErrors::one("version", "error-required"),
            &crate::current_request_id(),
        )
        .into_response();
    };
    match parties::update_party(&state.app, &actor, PartyId(id), version, &input.draft()).await {
        Ok(()) => one(&state, &actor, id, StatusCode::OK).await,
        Err(e) => problem(&e),
    }
}

async fn set_archived(
    state: AppState,
    actor: seam_app::Actor,
    id: i64,
    archived: bool,
) -> Response {
    match parties::set_archived(&state.app, &actor, PartyId(id), archived).await {
        Ok(()) => one(&state, &actor, id, StatusCode::OK).await,
        Err(e) => problem(&e),
    }
}

/// Archive a party: hidden from lists, never deleted.
#[utoipa::path(post, path = "/api/v1/parties/{id}/archive", tag = "parties", params(("id" = i64, Path)),
    responses((status = 200, body = Party), (status = 404, body = Problem)), security(("bearer" = [])))]
pub async fn archive(
    State(state): State<AppState>,
    CurrentActor(actor): CurrentActor,
    Path(id): Path<i64>,
) -> Response {
    set_archived(state, actor, id, true).await
}

/// Restore an archived party.
#[utoipa::path(post, path = "/api/v1/parties/{id}/restore", tag = "parties", params(("id" = i64, Path)),
    responses((status = 200, body = Party), (status = 404, body = Problem)), security(("bearer" = [])))]
pub async fn restore(
    State(state): State<AppState>,
    CurrentActor(actor): CurrentActor,
    Path(id): Path<i64>,
) -> Response {
    set_archived(state, actor, id, false).await
}
