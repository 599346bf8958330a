//! IT support over JSON: the asset register and its moves, licences and
//! their seats, the checklist tasks of hires and leavers, hiring and
//! offboarding. The rules are the app's; errors are problem+json naming
//! the field.

use axum::Json;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use seam_app::AppError;
use seam_app::it::{self, AssetFilter, AssetMove, AssetRow, Licence};
use seam_app::onboarding::{self, Completion, Hire, TaskRow};
use seam_domain::it::{AssetDraft, LicenceDraft};
use seam_domain::ledger::format_amount;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::hr::{ContractInput, EmployeeInput};
use super::json::{ApiJson, KnownFields};
use super::problem::Problem;
use crate::AppState;
use crate::pages::IdPath;
use crate::who::CurrentActor;

fn problem(err: &AppError) -> Response {
    Problem::from_app_error(err, &crate::current_request_id()).into_response()
}

/// A hardware asset.
#[derive(Debug, Serialize, ToSchema)]
pub struct Asset {
    pub id: i64,
    /// `IT-000042`.
    pub tag: String,
    pub kind: String,
    pub model: String,
    pub serial_number: String,
    pub purchase_date: Option<String>,
    /// Decimal (`1249.90`).
    pub cost: String,
    pub currency: String,
    pub location: String,
    /// `in-stock`, `assigned`, `in-repair` or `retired`.
    pub status: String,
    pub employee_id: Option<i64>,
    pub version: i64,
}

impl Asset {
    fn new(a: &AssetRow) -> Asset {
        Asset {
            id: a.id,
            tag: a.tag.clone(),
            kind: a.kind.clone(),
            model: a.model.clone(),
            serial_number: a.serial_number.clone(),
            purchase_date: a.purchase_date.clone(),
            cost: format_amount(a.cost_minor, &a.currency),
            currency: a.currency.clone(),
            location: a.location.clone(),
            status: a.status.clone(),
            employee_id: a.employee_id,
            version: a.version,
        }
    }
}

#[derive(Debug, Default, Deserialize, IntoParams)]
pub struct AssetQuery {
    /// Tag, model or serial number contains this.
    #[serde(default)]
    pub q: String,
    /// One status.
    #[serde(default)]
    pub status: String,
    /// The last id of the previous page.
    pub after: Option<i64>,
}

/// The asset register, newest first, 50 a page (keyset: pass the last id
/// as `after`). Needs `it.use`.
#[utoipa::path(get, path = "/api/v1/it/assets", tag = "it", params(AssetQuery),
    responses((status = 200, body = Vec<Asset>), (status = 403, body = Problem)), security(("bearer" = [])))]
pub async fn assets(
    State(state): State<AppState>,
    CurrentActor(actor): CurrentActor,
    Query(query): Query<AssetQuery>,
) -> Response {
    let filter = AssetFilter {
        text: query.q,
        status: query.status,
    };
    match it::assets(&state.app, &actor, &filter, query.after).await {
        Ok(rows) => Json(rows.iter().map(Asset::new).collect::<Vec<_>>()).into_response(),
        Err(e) => problem(&e),
    }
}

/// An asset to register or edit.
#[derive(Debug, Deserialize, ToSchema)]
pub struct AssetInput {
    /// `laptop`, `desktop`, `monitor`, `phone`, `tablet` or `other`.
    pub kind: String,
    pub model: String,
    pub serial_number: String,
    /// `YYYY-MM-DD`, not in the future.
    pub purchase_date: Option<String>,
    /// Decimal, not negative.
    pub cost: Option<String>,
    pub currency: String,
    pub location: Option<String>,
    /// Required to edit: the version read.
    pub version: Option<i64>,
}

impl KnownFields for AssetInput {
    const FIELDS: &'static [&'static str] = &[
        "kind",
        "model",
        "serial_number",
        "purchase_date",
        "cost",
        "currency",
        "location",
        "version",
    ];
}

impl AssetInput {
    fn draft(&self) -> AssetDraft {
        AssetDraft {
            kind: self.kind.clone(),
            model: self.model.clone(),
            serial_number: self.serial_number.clone(),
            purchase_date: self.purchase_date.clone().unwrap_or_default(),
            cost: self.cost.clone().unwrap_or_default(),
            currency: self.currency.clone(),
            location: self.location.clone().unwrap_or_default(),
        }
    }
}

async fn one_asset(
    state: &AppState,
    actor: &seam_app::Actor,
    id: i64,
    status: StatusCode,
) -> Response {
    match it::asset(&state.app, actor, id).await {
        Ok(d) => (status, Json(Asset::new(&d.asset))).into_response(),
        Err(e) => problem(&e),
    }
}

/// Register an asset, in stock, with the next tag (201). Needs `it.use`.
#[utoipa::path(post, path = "/api/v1/it/assets", tag = "it", request_body = AssetInput,
    responses((status = 201, body = Asset), (status = 403, body = Problem), (status = 422, body = Problem)), security(("bearer" = [])))]
pub async fn create_asset(
    State(state): State<AppState>,
    CurrentActor(actor): CurrentActor,
    ApiJson(input): ApiJson<AssetInput>,
) -> Response {
    match it::create_asset(&state.app, &actor, &input.draft()).await {
        Ok((id, _)) => one_asset(&state, &actor, id, StatusCode::CREATED).await,
        Err(e) => problem(&e),
    }
}

/// One asset. Needs `it.use`.
#[utoipa::path(get, path = "/api/v1/it/assets/{id}", tag = "it", params(("id" = i64, Path)),
    responses((status = 200, body = Asset), (status = 404, body = Problem)), security(("bearer" = [])))]
pub async fn asset(
    State(state): State<AppState>,
    CurrentActor(actor): CurrentActor,
    IdPath(id): IdPath,
) -> Response {
    one_asset(&state, &actor, id, StatusCode::OK).await
}

/// Edit an asset's details (`version` required; 409 when stale).
#[utoipa::path(put, path = "/api/v1/it/assets/{id}", tag = "it", params(("id" = i64, Path)), request_body = AssetInput,
    responses((status = 200, body = Asset), (status = 409, body = Problem), (status = 422, body = Problem)), security(("bearer" = [])))]
pub async fn update_asset(
    State(state): State<AppState>,
    CurrentActor(actor): CurrentActor,
    IdPath(id): IdPath,
    ApiJson(input): ApiJson<AssetInput>,
) -> Response {
    let version = input.version.unwrap_or(0);
    match it::update_asset(&state.app, &actor, id, version, &input.draft()).await {
        Ok(()) => one_asset(&state, &actor, id, StatusCode::OK).await,
        Err(e) => problem(&e),
    }
}

/// Where an asset goes next.
#[derive(Debug, Deserialize, ToSchema)]
pub struct MoveInput {
    /// `assigned` (with `employee_id`), `in-stock`, `in-repair` or `retired`.
    pub status: String,
    pub employee_id: Option<i64>,
    pub location: Option<String>,
}

impl KnownFields for MoveInput {
    const FIELDS: &'static [&'static str] = &["status", "employee_id", "location"];
}

/// Move an asset through its lifecycle; a move its status does not allow
/// is 422 naming `status`. Needs `it.use`.
#[utoipa::path(post, path = "/api/v1/it/assets/{id}/move", tag = "it", params(("id" = i64, Path)), request_body = MoveInput,
    responses((status = 200, body = Asset), (status = 422, body = Problem)), security(("bearer" = [])))]
pub async fn move_asset(
    State(state): State<AppState>,
    CurrentActor(actor): CurrentActor,
    IdPath(id): IdPath,
    ApiJson(input): ApiJson<MoveInput>,
) -> Response {
    let to = AssetMove {
        status: input.status,
        employee_id: input.employee_id,
        location: input.location.unwrap_or_default(),
    };
    match it::move_asset(&state.app, &actor, id, &to).await {
        Ok(()) => one_asset(&state, &actor, id, StatusCode::OK).await,
        Err(e) => problem(&e),
    }
}

/// A software licence with its seats held and warnings.
#[derive(Debug, Serialize, ToSchema)]
pub struct LicenceOut {
    pub id: i64,
    pub product: String,
    pub vendor: String,
    pub seats: i64,
    pub assigned: i64,
    pub expires_on: Option<String>,
    pub cost: String,
    pub currency: String,
    pub over_allocated: bool,
    /// Expires within 30 days.
    pub expiring: bool,
    pub expired: bool,
    pub version: i64,
}

impl LicenceOut {
    fn new(l: &Licence) -> LicenceOut {
        LicenceOut {
            id: l.row.id,
            product: l.row.product.clone(),
            vendor: l.row.vendor.clone(),
            seats: l.row.seats,
            assigned: l.row.assigned,
            expires_on: l.row.expires_on.clone(),
            cost: format_amount(l.row.cost_minor, &l.row.currency),
            currency: l.row.currency.clone(),
            over_allocated: l.warnings.over_allocated,
            expiring: l.warnings.expiring,
            expired: l.warnings.expired,
            version: l.row.version,
        }
    }
}

/// Every licence with its warnings. Needs `it.use`.
#[utoipa::path(get, path = "/api/v1/it/licences", tag = "it",
    responses((status = 200, body = Vec<LicenceOut>), (status = 403, body = Problem)), security(("bearer" = [])))]
pub async fn licences(
    State(state): State<AppState>,
    CurrentActor(actor): CurrentActor,
) -> Response {
    match it::licences(&state.app, &actor).await {
        Ok(rows) => Json(rows.iter().map(LicenceOut::new).collect::<Vec<_>>()).into_response(),
        Err(e) => problem(&e),
    }
}

/// A licence to add.
#[derive(Debug, Deserialize, ToSchema)]
pub struct LicenceInput {
    pub product: String,
    pub vendor: Option<String>,
    pub seats: i64,
    /// `YYYY-MM-DD`.
    pub expires_on: Option<String>,
    pub cost: Option<String>,
    pub currency: String,
}

impl KnownFields for LicenceInput {
    const FIELDS: &'static [&'static str] = &[
        "product",
        "vendor",
        "seats",
        "expires_on",
        "cost",
        "currency",
    ];
}

/// Add a licence (201). Needs `it.use`.
#[utoipa::path(post, path = "/api/v1/it/licences", tag = "it", request_body = LicenceInput,
    responses((status = 201, body = LicenceOut), (status = 422, body = Problem)), security(("bearer" = [])))]
pub async fn create_licence(
    State(state): State<AppState>,
    CurrentActor(actor): CurrentActor,
    ApiJson(input): ApiJson<LicenceInput>,
) -> Response {
    let draft = LicenceDraft {
        product: input.product,
        vendor: input.vendor.unwrap_or_default(),
        seats: input.seats.to_string(),
        expires_on: input.expires_on.unwrap_or_default(),
        cost: input.cost.unwrap_or_default(),
        currency: input.currency,
    };
    let created = match it::create_licence(&state.app, &actor, &draft).await {
        Ok(id) => it::licence(&state.app, &actor, id).await,
        Err(e) => Err(e),
    };
    match created {
        Ok(d) => (StatusCode::CREATED, Json(LicenceOut::new(&d.licence))).into_response(),
        Err(e) => problem(&e),
    }
}

/// Whose seat.
#[derive(Debug, Deserialize, ToSchema)]
pub struct SeatInput {
    pub employee_id: i64,
}

impl KnownFields for SeatInput {
    const FIELDS: &'static [&'static str] = &["employee_id"];
}

/// Assign a seat (204); a full licence is 422 naming `licence_id`.
#[utoipa::path(post, path = "/api/v1/it/licences/{id}/seats", tag = "it", params(("id" = i64, Path)), request_body = SeatInput,
    responses((status = 204), (status = 422, body = Problem)), security(("bearer" = [])))]
pub async fn assign_seat(
    State(state): State<AppState>,
    CurrentActor(actor): CurrentActor,
    IdPath(id): IdPath,
    ApiJson(input): ApiJson<SeatInput>,
) -> Response {
    match it::assign_seat(&state.app, &actor, id, input.employee_id).await {
        Ok(()) => StatusCode::NO_CONTENT.into_response(),
        Err(e) => problem(&e),
    }
}

/// Free a seat (204); 404 when the employee holds none.
#[utoipa::path(post, path = "/api/v1/it/licences/{id}/release", tag = "it", params(("id" = i64, Path)), request_body = SeatInput,
    responses((status = 204), (status = 404, body = Problem)), security(("bearer" = [])))]
pub async fn release_seat(
    State(state): State<AppState>,
    CurrentActor(actor): CurrentActor,
    IdPath(id): IdPath,
    ApiJson(input): ApiJson<SeatInput>,
) -> Response {
    match it::release_seat(&state.app, &actor, id, input.employee_id).await {
        Ok(()) => StatusCode::NO_CONTENT.into_response(),
        Err(e) => problem(&e),
    }
}

/// A checklist task of a hire or a leaver.
#[derive(Debug, Serialize, ToSchema)]
pub struct TaskOut {
    pub id: i64,
    /// `onboarding` or `offboarding`.
    pub checklist: String,
    pub employee_id: i64,
    pub employee: String,
    /// `login`, `laptop`, `licences`, `payroll-record`, `access-revoked`, …
    pub code: String,
    /// `hr`, `it` or `payroll`.
    pub team: String,
    pub due_date: String,
    pub done_by: Option<String>,
    pub done: bool,
    pub note: String,
}

fn task_out(t: &TaskRow) -> TaskOut {
    TaskOut {
        id: t.id,
        checklist: t.kind.clone(),
        employee_id: t.employee_id,
        employee: t.employee_name.clone(),
        code: t.code.clone(),
        team: t.team.clone(),
        due_date: t.due_date.clone(),
        done_by: t.done_by.clone(),
        done: t.done_at_us.is_some(),
        note: t.note.clone(),
    }
}

/// The open tasks of the caller's teams (HR: `hr.manage`, IT: `it.use`,
/// payroll: `payroll.use`), soonest due first.
#[utoipa::path(get, path = "/api/v1/tasks", tag = "it",
    responses((status = 200, body = Vec<TaskOut>), (status = 403, body = Problem)), security(("bearer" = [])))]
pub async fn tasks(State(state): State<AppState>, CurrentActor(actor): CurrentActor) -> Response {
    match onboarding::open_tasks(&state.app, &actor).await {
        Ok(rows) => Json(rows.iter().map(task_out).collect::<Vec<_>>()).into_response(),
        Err(e) => problem(&e),
    }
}

/// What completing a task takes; each task reads the fields it needs.
#[derive(Debug, Default, Deserialize, ToSchema)]
pub struct CompleteInput {
    pub note: Option<String>,
    /// The login task.
    pub username: Option<String>,
    pub password: Option<String>,
    /// The laptop task: an asset in stock.
    pub asset_id: Option<i64>,
    /// The licences task.
    pub licence_ids: Option<Vec<i64>>,
    /// The payroll record task.
    pub structure_id: Option<i64>,
    /// The assets task: where returned assets are kept.
    pub location: Option<String>,
}

impl KnownFields for CompleteInput {
    const FIELDS: &'static [&'static str] = &[
        "note",
        "username",
        "password",
        "asset_id",
        "licence_ids",
        "structure_id",
        "location",
    ];
}

/// Complete a task, doing its work (201 with the task). Needs the task's team.
#[utoipa::path(post, path = "/api/v1/tasks/{id}/complete", tag = "it", params(("id" = i64, Path)), request_body = CompleteInput,
    responses((status = 200, body = TaskOut), (status = 409, body = Problem), (status = 422, body = Problem)), security(("bearer" = [])))]
pub async fn complete_task(
    State(state): State<AppState>,
    CurrentActor(actor): CurrentActor,
    IdPath(id): IdPath,
    ApiJson(input): ApiJson<CompleteInput>,
) -> Response {
    let completion = Completion {
        note: input.note.unwrap_or_default(),
        username: input.username.unwrap_or_default(),
        password: input.password.unwrap_or_default(),
        asset_id: input.asset_id,
        licence_ids: input.licence_ids.unwrap_or_default(),
        structure_id: input.structure_id,
        location: input.location.unwrap_or_default(),
    };
    let done = match onboarding::complete(&state.app, &actor, id, &completion).await {
        Ok(()) => onboarding::task(&state.app, &actor, id).await,
        Err(e) => Err(e),
    };
    match done {
        Ok(t) => Json(task_out(&t)).into_response(),
        Err(e) => problem(&e),
    }
}

/// A hire: the person and their first contract.
#[derive(Debug, Deserialize, ToSchema)]
pub struct HireInput {
    pub employee: EmployeeInput,
    pub contract: ContractInput,
}

impl KnownFields for HireInput {
    const FIELDS: &'static [&'static str] = &["employee", "contract"];
}

/// Hire (201 with the employee): the record, the first contract and the
/// onboarding checklist in one transaction. Needs `hr.manage`.
#[utoipa::path(post, path = "/api/v1/hr/hire", tag = "hr", request_body = HireInput,
    responses((status = 201, body = super::hr::Employee), (status = 403, body = Problem), (status = 422, body = Problem)), security(("bearer" = [])))]
pub async fn hire(
    State(state): State<AppState>,
    CurrentActor(actor): CurrentActor,
    ApiJson(input): ApiJson<HireInput>,
) -> Response {
    let hire = Hire {
        employee: seam_app::hr::NewEmployee {
            employee: input.employee.draft(),
            username: input.employee.username.clone().unwrap_or_default(),
        },
        contract: input.contract.draft(),
    };
    match onboarding::hire(&state.app, &actor, &hire).await {
        Ok((id, _)) => super::hr::one(&state, &actor, id, StatusCode::CREATED).await,
        Err(e) => problem(&e),
    }
}

/// The last working day.
#[derive(Debug, Deserialize, ToSchema)]
pub struct OffboardInput {
    /// `YYYY-MM-DD`.
    pub end_date: String,
}

impl KnownFields for OffboardInput {
    const FIELDS: &'static [&'static str] = &["end_date"];
}

/// Offboard (200 with the open tasks of the employee): contract and payroll
/// end that day; the login, its sessions and tokens, and the seats go at
/// once when the day has come. Needs `hr.manage`.
#[utoipa::path(post, path = "/api/v1/hr/employees/{id}/offboard", tag = "hr", params(("id" = i64, Path)), request_body = OffboardInput,
    responses((status = 200, body = Vec<TaskOut>), (status = 409, body = Problem), (status = 422, body = Problem)), security(("bearer" = [])))]
pub async fn offboard(
    State(state): State<AppState>,
    CurrentActor(actor): CurrentActor,
    IdPath(id): IdPath,
    ApiJson(input): ApiJson<OffboardInput>,
) -> Response {
    let done = match onboarding::offboard(&state.app, &actor, id, &input.end_date).await {
        Ok(()) => onboarding::tasks_of(&state.app, &actor, id).await,
        Err(e) => Err(e),
    };
    match done {
        Ok(rows) => Json(rows.iter().map(task_out).collect::<Vec<_>>()).into_response(),
        Err(e) => problem(&e),
    }
}
