//! `/api/v1/hr` and `/api/v1/me/employee`: employees, contracts,
//! departments, positions, the org chart, holidays, leave types, leave
//! requests and balances, for integrators and self-service clients.
//!
//! `salary_minor`, `salary`, `currency`, `salary_period`, `iban` and
//! `national_id` are `null` unless the caller holds `hr.manage` or reads
//! their own record: `seam_app::hr` leaves them out, so no handler here can
//! leak them.

use axum::Json;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use seam_app::AppError;
use seam_app::hr::leave::{self, Balance, LeaveRequestRow, RequestFilter};
use seam_app::hr::{self, Contract, EmployeeDetail, EmployeeRow, NewEmployee, OrgNode};
use seam_domain::FieldErrors;
use seam_domain::hr::{
    ContactDraft, ContractDraft, DepartmentDraft, EmployeeDraft, LeaveRequestDraft, format_days,
};
use seam_domain::ledger::{Date, format_amount};
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

/// An employee in the directory: never a confidential field.
#[derive(Debug, Serialize, ToSchema)]
pub struct EmployeeSummary {
    pub id: i64,
    /// `EMP-000042`.
    pub number: String,
    pub name: String,
    pub work_email: Option<String>,
    /// The person party that stands for the employee.
    pub party_id: i64,
    /// The linked login, if any.
    pub username: Option<String>,
    pub position: Option<String>,
    pub department_id: Option<i64>,
    pub department: Option<String>,
    pub manager_id: Option<i64>,
    pub manager: Option<String>,
}

impl EmployeeSummary {
    fn new(r: &EmployeeRow) -> EmployeeSummary {
        EmployeeSummary {
            id: r.id,
            number: r.number.clone(),
            name: r.name.clone(),
            work_email: r.work_email.clone(),
            party_id: r.party_id,
            username: r.username.clone(),
            position: r.position_title.clone(),
            department_id: r.department_id,
            department: r.department_name.clone(),
            manager_id: r.manager_id,
            manager: r.manager_name.clone(),
        }
    }
}

/// An employment contract. The salary fields are `null` for readers who may not see them.
#[derive(Debug, Serialize, ToSchema)]
pub struct ContractOut {
    pub id: i64,
    pub start_date: String,
    pub end_date: Option<String>,
    pub position_id: Option<i64>,
    pub position: Option<String>,
    pub department_id: Option<i64>,
    pub department: Option<String>,
    pub manager_id: Option<i64>,
    pub manager: Option<String>,
    pub working_time_pct: i64,
    /// Decimal hours (`37.50`).
    pub hours_per_week: String,
    pub salary_minor: Option<i64>,
    /// Decimal amount (`4200.00`).
    pub salary: Option<String>,
    pub currency: Option<String>,
    /// `month`, `year` or `hour`.
    pub salary_period: Option<String>,
}

impl ContractOut {
    fn new(c: &Contract) -> ContractOut {
        let r = &c.row;
        ContractOut {
            id: r.id,
            start_date: r.start_date.clone(),
            end_date: r.end_date.clone(),
            position_id: r.position_id,
            position: r.position_title.clone(),
            department_id: r.department_id,
            department: r.department_name.clone(),
            manager_id: r.manager_id,
            manager: r.manager_name.clone(),
            working_time_pct: r.working_time_pct,
            hours_per_week: format_amount(r.hours_per_week_x100, "EUR"),
            salary_minor: c.salary_minor,
            salary: match (c.salary_minor, &c.currency) {
                (Some(m), Some(cur)) => Some(format_amount(m, cur)),
                _ => None,
            },
            currency: c.currency.clone(),
            salary_period: c.salary_period.clone(),
        }
    }
}

/// An emergency contact.
#[derive(Debug, Serialize, ToSchema)]
pub struct EmergencyContactOut {
    pub id: i64,
    pub name: String,
    pub relation: String,
    pub phone: String,
}

/// One employee's record as the caller may see it.
#[derive(Debug, Serialize, ToSchema)]
pub struct Employee {
    #[serde(flatten)]
    pub summary: EmployeeSummary,
    pub birth_date: Option<String>,
    pub personal_email: Option<String>,
    pub personal_phone: Option<String>,
    pub street: String,
    pub postal_code: String,
    pub city: String,
    pub country: Option<String>,
    /// `null` unless the caller is HR or the employee.
    pub national_id: Option<String>,
    /// `null` unless the caller is HR or the employee.
    pub iban: Option<String>,
    /// True when the confidential fields were included.
    pub confidential: bool,
    pub contracts: Vec<ContractOut>,
    /// Empty unless the caller is HR or the employee.
    pub emergency_contacts: Vec<EmergencyContactOut>,
    /// Send it back with an update; an older one is refused with 409.
    pub version: i64,
    pub created_at: String,
    pub updated_at: String,
}

impl Employee {
    fn new(d: &EmployeeDetail) -> Employee {
        let e = &d.employee;
        Employee {
            summary: EmployeeSummary::new(e),
            birth_date: e.birth_date.clone(),
            personal_email: e.personal_email.clone(),
            personal_phone: e.personal_phone.clone(),
            street: e.street.clone(),
            postal_code: e.postal_code.clone(),
            city: e.city.clone(),
            country: e.country.clone(),
            national_id: e.national_id.clone(),
            iban: e.iban.clone(),
            confidential: d.sight.confidential,
            contracts: d.contracts.iter().map(ContractOut::new).collect(),
            emergency_contacts: d
                .emergency_contacts
                .iter()
                .map(|c| EmergencyContactOut {
                    id: c.id,
                    name: c.name.clone(),
                    relation: c.relation.clone(),
                    phone: c.phone.clone(),
                })
                .collect(),
            version: e.version,
            created_at: rfc3339(e.created_at_us),
            updated_at: rfc3339(e.updated_at_us),
        }
    }
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct EmployeeParams {
    /// Part of the name, number or work e-mail.
    pub q: Option<String>,
    pub department_id: Option<i64>,
    pub manager_id: Option<i64>,
}

/// The directory, by name (never the confidential fields).
#[utoipa::path(get, path = "/api/v1/hr/employees", tag = "hr", params(EmployeeParams),
    responses((status = 200, body = Vec<EmployeeSummary>), (status = 403, body = Problem)), security(("bearer" = [])))]
pub async fn list_employees(
    State(state): State<AppState>,
    CurrentActor(actor): CurrentActor,
    Query(params): Query<EmployeeParams>,
) -> Response {
    let filter = hr::EmployeeFilter {
        text: params.q.unwrap_or_default(),
        department_id: params.department_id,
        manager_id: params.manager_id,
    };
    match hr::list_employees(&state.app, &actor, &filter).await {
        Ok(rows) => Json(rows.iter().map(EmployeeSummary::new).collect::<Vec<_>>()).into_response(),
        Err(e) => problem(&e),
    }
}

pub(crate) async fn one(
    state: &AppState,
    actor: &seam_app::Actor,
    id: i64,
    status: StatusCode,
) -> Response {
    match hr::employee(&state.app, actor, id).await {
        Ok(d) => (status, Json(Employee::new(&d))).into_response(),
        Err(e) => problem(&e),
    }
}

/// One employee: HR, managers and IT see the record without the
/// confidential fields; the employee and HR see it whole; anyone else gets 404.
#[utoipa::path(get, path = "/api/v1/hr/employees/{id}", tag = "hr", params(("id" = i64, Path)),
    responses((status = 200, body = Employee), (status = 404, body = Problem)), security(("bearer" = [])))]
pub async fn employee(
    State(state): State<AppState>,
    CurrentActor(actor): CurrentActor,
    IdPath(id): IdPath,
) -> Response {
    one(&state, &actor, id, StatusCode::OK).await
}

/// An employee's record to write.
#[derive(Debug, Deserialize, ToSchema)]
pub struct EmployeeInput {
    pub name: String,
    pub work_email: Option<String>,
    /// `YYYY-MM-DD`.
    pub birth_date: Option<String>,
    pub personal_email: Option<String>,
    pub personal_phone: Option<String>,
    pub street: Option<String>,
    pub postal_code: Option<String>,
    pub city: Option<String>,
    /// ISO 3166-1 alpha-2.
    pub country: Option<String>,
    pub national_id: Option<String>,
    /// Print or electronic form; checked.
    pub iban: Option<String>,
    /// On create: an existing staff login to link.
    pub username: Option<String>,
    /// Required for an update: the version read.
    pub version: Option<i64>,
}

impl KnownFields for EmployeeInput {
    const FIELDS: &'static [&'static str] = &[
        "name",
        "work_email",
        "birth_date",
        "personal_email",
        "personal_phone",
        "street",
        "postal_code",
        "city",
        "country",
        "national_id",
        "iban",
        "username",
        "version",
    ];
}

fn text(v: &Option<String>) -> String {
    v.clone().unwrap_or_default()
}

impl EmployeeInput {
    pub(crate) fn draft(&self) -> EmployeeDraft {
        EmployeeDraft {
            name: self.name.clone(),
            work_email: text(&self.work_email),
            birth_date: text(&self.birth_date),
            contact: ContactDraft {
                personal_email: text(&self.personal_email),
                personal_phone: text(&self.personal_phone),
                street: text(&self.street),
                postal_code: text(&self.postal_code),
                city: text(&self.city),
                country: text(&self.country),
            },
            national_id: text(&self.national_id),
            iban: text(&self.iban),
        }
    }
}

/// Add an employee (201) with the next `EMP-` number. Needs `hr.manage`.
#[utoipa::path(post, path = "/api/v1/hr/employees", tag = "hr", request_body = EmployeeInput,
    params(("Idempotency-Key" = Option<String>, Header, description = "Repeat a request safely: the same key returns the first response")),
    responses((status = 201, body = Employee), (status = 403, body = Problem), (status = 422, body = Problem)),
    security(("bearer" = [])))]
pub async fn create_employee(
    State(state): State<AppState>,
    CurrentActor(actor): CurrentActor,
    ApiJson(input): ApiJson<EmployeeInput>,
) -> Response {
    let new = NewEmployee {
        employee: input.draft(),
        username: text(&input.username),
    };
    match hr::create_employee(&state.app, &actor, &new).await {
        Ok((id, _)) => one(&state, &actor, id, StatusCode::CREATED).await,
        Err(e) => problem(&e),
    }
}

/// Replace an employee's record. `version` must be the one read; otherwise 409. Needs `hr.manage`.
#[utoipa::path(put, path = "/api/v1/hr/employees/{id}", tag = "hr", params(("id" = i64, Path)), request_body = EmployeeInput,
    responses((status = 200, body = Employee), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)),
    security(("bearer" = [])))]
pub async fn update_employee(
    State(state): State<AppState>,
    CurrentActor(actor): CurrentActor,
    IdPath(id): IdPath,
    ApiJson(input): ApiJson<EmployeeInput>,
) -> Response {
    let Some(version) = input.version else {
        return problem(&AppError::Invalid(FieldErrors::one(
            "version",
            "error-required",
        )));
    };
    match hr::update_employee(&state.app, &actor, id, version, &input.draft()).await {
        Ok(()) => one(&state, &actor, id, StatusCode::OK).await,
        Err(e) => problem(&e),
    }
}

/// A contract to add.
#[derive(Debug, Deserialize, ToSchema)]
pub struct ContractInput {
    /// `YYYY-MM-DD`.
    pub start_date: String,
    /// `YYYY-MM-DD`; absent for an open-ended contract.
    pub end_date: Option<String>,
    pub position_id: Option<i64>,
    pub department_id: Option<i64>,
    /// Another employee.
    pub manager_id: Option<i64>,
    /// 1–100, default 100.
    pub working_time_pct: Option<i64>,
    /// Decimal hours (`40`, `37.5`).
    pub hours_per_week: String,
    /// Decimal amount, not negative (`4200.00`).
    pub salary: String,
    pub currency: String,
    /// `month`, `year` or `hour`.
    pub salary_period: String,
}

impl KnownFields for ContractInput {
    const FIELDS: &'static [&'static str] = &[
        "start_date",
        "end_date",
        "position_id",
        "department_id",
        "manager_id",
        "working_time_pct",
        "hours_per_week",
        "salary",
        "currency",
        "salary_period",
    ];
}

impl ContractInput {
    pub(crate) fn draft(self) -> ContractDraft {
        ContractDraft {
            start_date: self.start_date,
            end_date: self.end_date.unwrap_or_default(),
            position_id: self.position_id,
            department_id: self.department_id,
            manager_id: self.manager_id,
            working_time_pct: self
                .working_time_pct
                .map(|p| p.to_string())
                .unwrap_or_default(),
            hours_per_week: self.hours_per_week,
            salary: self.salary,
            currency: self.currency,
            salary_period: self.salary_period,
        }
    }
}

/// Add a contract (201): an open-ended one that started earlier ends the
/// day before; other overlaps, a manager loop and unknown references are
/// 422 naming the field. Needs `hr.manage`.
#[utoipa::path(post, path = "/api/v1/hr/employees/{id}/contracts", tag = "hr", params(("id" = i64, Path)), request_body = ContractInput,
    responses((status = 201, body = Employee), (status = 404, body = Problem), (status = 422, body = Problem)),
    security(("bearer" = [])))]
pub async fn add_contract(
    State(state): State<AppState>,
    CurrentActor(actor): CurrentActor,
    IdPath(id): IdPath,
    ApiJson(input): ApiJson<ContractInput>,
) -> Response {
    let draft = input.draft();
    match hr::add_contract(&state.app, &actor, id, &draft).await {
        Ok(_) => one(&state, &actor, id, StatusCode::CREATED).await,
        Err(e) => problem(&e),
    }
}

/// A leave type's balance, in days (`12.5`).
#[derive(Debug, Serialize, ToSchema)]
pub struct BalanceOut {
    pub leave_type_id: i64,
    pub leave_type: String,
    pub needs_entitlement: bool,
    pub year: i64,
    pub entitlement_days: String,
    pub accrued_days: String,
    pub accrued_year_end_days: String,
    pub approved_days: String,
    pub pending_days: String,
    pub available_days: String,
}

impl BalanceOut {
    fn new(b: &Balance) -> BalanceOut {
        BalanceOut {
            leave_type_id: b.leave_type.id,
            leave_type: b.leave_type.code.clone(),
            needs_entitlement: b.leave_type.needs_entitlement,
            year: b.year,
            entitlement_days: format_days(b.entitlement),
            accrued_days: format_days(b.accrued),
            accrued_year_end_days: format_days(b.accrued_year_end),
            approved_days: format_days(b.approved),
            pending_days: format_days(b.pending),
            available_days: format_days(b.available),
        }
    }
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct BalanceParams {
    /// Default: this year.
    pub year: Option<i64>,
    /// `YYYY-MM-DD`: accrued by this day. Default: today.
    pub as_of: Option<String>,
}

/// An employee's leave balances (HR, managers, the employee, their line manager).
#[utoipa::path(get, path = "/api/v1/hr/employees/{id}/balances", tag = "hr", params(("id" = i64, Path), BalanceParams),
    responses((status = 200, body = Vec<BalanceOut>), (status = 404, body = Problem), (status = 422, body = Problem)), security(("bearer" = [])))]
pub async fn balances(
    State(state): State<AppState>,
    CurrentActor(actor): CurrentActor,
    IdPath(id): IdPath,
    Query(params): Query<BalanceParams>,
) -> Response {
    let as_of = match params.as_of.as_deref().map(str::trim) {
        None | Some("") => seam_app::today(),
        Some(text) => match Date::parse(text) {
            Some(d) => d,
            None => return problem(&AppError::Invalid(FieldErrors::one("as_of", "error-date"))),
        },
    };
    let year = params.year.unwrap_or(i64::from(as_of.year));
    match leave::balances(&state.app, &actor, id, year, as_of).await {
        Ok(rows) => Json(rows.iter().map(BalanceOut::new).collect::<Vec<_>>()).into_response(),
        Err(e) => problem(&e),
    }
}

/// A yearly entitlement to set.
#[derive(Debug, Deserialize, ToSchema)]
pub struct EntitlementInput {
    pub leave_type_id: i64,
    pub year: i64,
    /// Whole or half days for the full year (`25`, `12.5`); accrues monthly.
    pub days: String,
}

impl KnownFields for EntitlementInput {
    const FIELDS: &'static [&'static str] = &["leave_type_id", "year", "days"];
}

/// Set a yearly entitlement. Needs `hr.manage`.
#[utoipa::path(put, path = "/api/v1/hr/employees/{id}/entitlements", tag = "hr", params(("id" = i64, Path)), request_body = EntitlementInput,
    responses((status = 200, body = Vec<BalanceOut>), (status = 404, body = Problem), (status = 422, body = Problem)), security(("bearer" = [])))]
pub async fn set_entitlement(
    State(state): State<AppState>,
    CurrentActor(actor): CurrentActor,
    IdPath(id): IdPath,
    ApiJson(input): ApiJson<EntitlementInput>,
) -> Response {
    if let Err(e) = leave::set_entitlement(
        &state.app,
        &actor,
        id,
        input.leave_type_id,
        input.year,
        &input.days,
    )
    .await
    {
        return problem(&e);
    }
    match leave::balances(&state.app, &actor, id, input.year, seam_app::today()).await {
        Ok(rows) => Json(rows.iter().map(BalanceOut::new).collect::<Vec<_>>()).into_response(),
        Err(e) => problem(&e),
    }
}

/// A department.
#[derive(Debug, Serialize, ToSchema)]
pub struct DepartmentOut {
    pub id: i64,
    pub name: String,
    pub parent_id: Option<i64>,
}

/// Every department.
#[utoipa::path(get, path = "/api/v1/hr/departments", tag = "hr",
    responses((status = 200, body = Vec<DepartmentOut>), (status = 403, body = Problem)), security(("bearer" = [])))]
pub async fn departments(
    State(state): State<AppState>,
    CurrentActor(actor): CurrentActor,
) -> Response {
    match hr::departments(&state.app, &actor).await {
        Ok(rows) => Json(
            rows.into_iter()
                .map(|d| DepartmentOut {
                    id: d.id,
                    name: d.name,
                    parent_id: d.parent_id,
                })
                .collect::<Vec<_>>(),
        )
        .into_response(),
        Err(e) => problem(&e),
    }
}

/// A department to add.
#[derive(Debug, Deserialize, ToSchema)]
pub struct DepartmentInput {
    pub name: String,
    pub parent_id: Option<i64>,
}

impl KnownFields for DepartmentInput {
    const FIELDS: &'static [&'static str] = &["name", "parent_id"];
}

/// Add a department (201). Needs `hr.manage`.
#[utoipa::path(post, path = "/api/v1/hr/departments", tag = "hr", request_body = DepartmentInput,
    responses((status = 201, body = DepartmentOut), (status = 403, body = Problem), (status = 422, body = Problem)), security(("bearer" = [])))]
pub async fn create_department(
    State(state): State<AppState>,
    CurrentActor(actor): CurrentActor,
    ApiJson(input): ApiJson<DepartmentInput>,
) -> Response {
    let draft = DepartmentDraft {
        name: input.name,
        parent_id: input.parent_id,
    };
    match hr::create_department(&state.app, &actor, &draft).await {
        Ok(id) => (
            StatusCode::CREATED,
            Json(DepartmentOut {
                id,
                name: draft.name.trim().to_owned(),
                parent_id: draft.parent_id,
            }),
        )
            .into_response(),
        Err(e) => problem(&e),
    }
}

/// A position (job title).
#[derive(Debug, Serialize, ToSchema)]
pub struct PositionOut {
    pub id: i64,
    pub title: String,
    pub department_id: Option<i64>,
}

/// Every position.
#[utoipa::path(get, path = "/api/v1/hr/positions", tag = "hr",
    responses((status = 200, body = Vec<PositionOut>), (status = 403, body = Problem)), security(("bearer" = [])))]
pub async fn positions(
    State(state): State<AppState>,
    CurrentActor(actor): CurrentActor,
) -> Response {
    match hr::positions(&state.app, &actor).await {
        Ok(rows) => Json(
            rows.into_iter()
                .map(|p| PositionOut {
                    id: p.id,
                    title: p.title,
                    department_id: p.department_id,
                })
                .collect::<Vec<_>>(),
        )
        .into_response(),
        Err(e) => problem(&e),
    }
}

/// A position to add.
#[derive(Debug, Deserialize, ToSchema)]
pub struct PositionInput {
    pub title: String,
    pub department_id: Option<i64>,
}

impl KnownFields for PositionInput {
    const FIELDS: &'static [&'static str] = &["title", "department_id"];
}

/// Add a position (201). Needs `hr.manage`.
#[utoipa::path(post, path = "/api/v1/hr/positions", tag = "hr", request_body = PositionInput,
    responses((status = 201, body = PositionOut), (status = 403, body = Problem), (status = 422, body = Problem)), security(("bearer" = [])))]
pub async fn create_position(
    State(state): State<AppState>,
    CurrentActor(actor): CurrentActor,
    ApiJson(input): ApiJson<PositionInput>,
) -> Response {
    match hr::create_position(&state.app, &actor, &input.title, input.department_id).await {
        Ok(id) => (
            StatusCode::CREATED,
            Json(PositionOut {
                id,
                title: input.title.trim().to_owned(),
                department_id: input.department_id,
            }),
        )
            .into_response(),
        Err(e) => problem(&e),
    }
}

/// One person in the org chart, with their reports.
#[derive(Debug, Serialize, ToSchema)]
pub struct OrgNodeOut {
    pub id: i64,
    pub name: String,
    pub position: String,
    pub department: String,
    #[schema(no_recursion)]
    pub reports: Vec<OrgNodeOut>,
}

fn org_out(n: &OrgNode) -> OrgNodeOut {
    OrgNodeOut {
        id: n.id,
        name: n.name.clone(),
        position: n.position.clone(),
        department: n.department.clone(),
        reports: n.reports.iter().map(org_out).collect(),
    }
}

/// The org chart by manager, on today's contracts.
#[utoipa::path(get, path = "/api/v1/hr/org-chart", tag = "hr",
    responses((status = 200, body = Vec<OrgNodeOut>), (status = 403, body = Problem)), security(("bearer" = [])))]
pub async fn org_chart(
    State(state): State<AppState>,
    CurrentActor(actor): CurrentActor,
) -> Response {
    match hr::org_chart(&state.app, &actor).await {
        Ok((managers, _)) => Json(managers.iter().map(org_out).collect::<Vec<_>>()).into_response(),
        Err(e) => problem(&e),
    }
}

/// A public holiday.
#[derive(Debug, Serialize, ToSchema)]
pub struct HolidayOut {
    pub id: i64,
    pub date: String,
    pub name: String,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct YearParams {
    /// Default: this year.
    pub year: Option<i64>,
}

/// The public holidays of a year.
#[utoipa::path(get, path = "/api/v1/hr/holidays", tag = "hr", params(YearParams),
    responses((status = 200, body = Vec<HolidayOut>), (status = 403, body = Problem)), security(("bearer" = [])))]
pub async fn holidays(
    State(state): State<AppState>,
    CurrentActor(actor): CurrentActor,
    Query(params): Query<YearParams>,
) -> Response {
    let year = params.year.unwrap_or(i64::from(seam_app::today().year));
    match leave::holidays(&state.app, &actor, year).await {
        Ok(rows) => Json(
            rows.into_iter()
                .map(|h| HolidayOut {
                    id: h.id,
                    date: h.date,
                    name: h.name,
                })
                .collect::<Vec<_>>(),
        )
        .into_response(),
        Err(e) => problem(&e),
    }
}

/// A public holiday to add.
#[derive(Debug, Deserialize, ToSchema)]
pub struct HolidayInput {
    /// `YYYY-MM-DD`.
    pub date: String,
    pub name: String,
}

impl KnownFields for HolidayInput {
    const FIELDS: &'static [&'static str] = &["date", "name"];
}

/// Add a public holiday (201). Needs `hr.manage`.
#[utoipa::path(post, path = "/api/v1/hr/holidays", tag = "hr", request_body = HolidayInput,
    responses((status = 201, body = HolidayOut), (status = 403, body = Problem), (status = 422, body = Problem)), security(("bearer" = [])))]
pub async fn add_holiday(
    State(state): State<AppState>,
    CurrentActor(actor): CurrentActor,
    ApiJson(input): ApiJson<HolidayInput>,
) -> Response {
    match leave::add_holiday(&state.app, &actor, &input.date, &input.name).await {
        Ok(id) => (
            StatusCode::CREATED,
            Json(HolidayOut {
                id,
                date: input.date.trim().to_owned(),
                name: input.name.trim().to_owned(),
            }),
        )
            .into_response(),
        Err(e) => problem(&e),
    }
}

/// A leave type.
#[derive(Debug, Serialize, ToSchema)]
pub struct LeaveTypeOut {
    pub id: i64,
    pub code: String,
    pub name: String,
    /// Requests must fit the accrued entitlement.
    pub needs_entitlement: bool,
}

/// Every leave type.
#[utoipa::path(get, path = "/api/v1/hr/leave-types", tag = "hr",
    responses((status = 200, body = Vec<LeaveTypeOut>), (status = 403, body = Problem)), security(("bearer" = [])))]
pub async fn leave_types(
    State(state): State<AppState>,
    CurrentActor(actor): CurrentActor,
) -> Response {
    match leave::leave_types(&state.app, &actor).await {
        Ok(rows) => Json(
            rows.into_iter()
                .map(|t| LeaveTypeOut {
                    id: t.id,
                    code: t.code,
                    name: t.name,
                    needs_entitlement: t.needs_entitlement,
                })
                .collect::<Vec<_>>(),
        )
        .into_response(),
        Err(e) => problem(&e),
    }
}

/// A leave request.
#[derive(Debug, Serialize, ToSchema)]
pub struct LeaveRequestOut {
    pub id: i64,
    pub employee_id: i64,
    pub employee: String,
    pub leave_type_id: i64,
    pub leave_type: String,
    pub start_date: String,
    pub end_date: String,
    pub half_day: bool,
    /// Working days, weekends and public holidays left out (`4`, `0.5`).
    pub days: String,
    /// `pending`, `approved`, `rejected` or `cancelled`.
    pub state: String,
    pub note: String,
    pub decided_by: Option<String>,
    pub decided_at: Option<String>,
    pub decision_note: String,
    pub created_at: String,
}

impl LeaveRequestOut {
    fn new(r: &LeaveRequestRow) -> LeaveRequestOut {
        LeaveRequestOut {
            id: r.id,
            employee_id: r.employee_id,
            employee: r.employee_name.clone(),
            leave_type_id: r.leave_type_id,
            leave_type: r.leave_type_code.clone(),
            start_date: r.start_date.clone(),
            end_date: r.end_date.clone(),
            half_day: r.half_day,
            days: format_days(r.half_days),
            state: r.state.clone(),
            note: r.note.clone(),
            decided_by: r.decided_by.clone(),
            decided_at: r.decided_at_us.map(rfc3339),
            decision_note: r.decision_note.clone(),
            created_at: rfc3339(r.created_at_us),
        }
    }
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct RequestParams {
    pub employee_id: Option<i64>,
    /// `pending`, `approved`, `rejected`, `cancelled`.
    pub state: Option<String>,
    /// Requests ending on or after this day.
    pub from: Option<String>,
    /// Requests starting on or before this day.
    pub to: Option<String>,
    pub department_id: Option<i64>,
}

/// Leave requests: all for HR and managers (`hr.use`), otherwise one's own and one's reports'.
#[utoipa::path(get, path = "/api/v1/hr/leave-requests", tag = "hr", params(RequestParams),
    responses((status = 200, body = Vec<LeaveRequestOut>), (status = 403, body = Problem)), security(("bearer" = [])))]
pub async fn list_requests(
    State(state): State<AppState>,
    CurrentActor(actor): CurrentActor,
    Query(params): Query<RequestParams>,
) -> Response {
    let filter = RequestFilter {
        employee_id: params.employee_id,
        state: params.state.filter(|s| !s.trim().is_empty()),
        from: params.from,
        to: params.to,
        department_id: params.department_id,
        ..RequestFilter::default()
    };
    match leave::list_requests(&state.app, &actor, &filter).await {
        Ok(rows) => Json(rows.iter().map(LeaveRequestOut::new).collect::<Vec<_>>()).into_response(),
        Err(e) => problem(&e),
    }
}

/// A leave request to file.
#[derive(Debug, Deserialize, ToSchema)]
pub struct LeaveRequestInput {
    /// Whose leave: absent for one's own; HR may name anyone.
    pub employee_id: Option<i64>,
    pub leave_type_id: i64,
    /// `YYYY-MM-DD`.
    pub start_date: String,
    /// `YYYY-MM-DD`; default: the start day.
    pub end_date: Option<String>,
    /// A half day (one-day requests only).
    pub half_day: Option<bool>,
    pub note: Option<String>,
}

impl KnownFields for LeaveRequestInput {
    const FIELDS: &'static [&'static str] = &[
        "employee_id",
        "leave_type_id",
        "start_date",
        "end_date",
        "half_day",
        "note",
    ];
}

/// File a leave request (201, pending): overlaps, overdrafts of an
/// entitlement and requests without a working day are 422 naming the field.
#[utoipa::path(post, path = "/api/v1/hr/leave-requests", tag = "hr", request_body = LeaveRequestInput,
    params(("Idempotency-Key" = Option<String>, Header, description = "Repeat a request safely: the same key returns the first response")),
    responses((status = 201, body = LeaveRequestOut), (status = 404, body = Problem), (status = 422, body = Problem)), security(("bearer" = [])))]
pub async fn request_leave(
    State(state): State<AppState>,
    CurrentActor(actor): CurrentActor,
    ApiJson(input): ApiJson<LeaveRequestInput>,
) -> Response {
    let draft = LeaveRequestDraft {
        leave_type_id: Some(input.leave_type_id),
        start_date: input.start_date,
        end_date: input.end_date.unwrap_or_default(),
        half_day: input.half_day.unwrap_or(false),
        note: input.note.unwrap_or_default(),
    };
    let id = match leave::request_leave(&state.app, &actor, input.employee_id, &draft).await {
        Ok(id) => id,
        Err(e) => return problem(&e),
    };
    match leave::request(&state.app, &actor, id).await {
        Ok(row) => (StatusCode::CREATED, Json(LeaveRequestOut::new(&row))).into_response(),
        Err(e) => problem(&e),
    }
}

/// A decision's note.
#[derive(Debug, Default, Deserialize, ToSchema)]
pub struct DecisionInput {
    pub note: Option<String>,
}

impl KnownFields for DecisionInput {
    const FIELDS: &'static [&'static str] = &["note"];
}

async fn decide(
    state: AppState,
    actor: seam_app::Actor,
    id: i64,
    note: &str,
    approve: bool,
) -> Response {
    if let Err(e) = leave::decide(&state.app, &actor, id, approve, note).await {
        return problem(&e);
    }
    match leave::request(&state.app, &actor, id).await {
        Ok(row) => Json(LeaveRequestOut::new(&row)).into_response(),
        Err(e) => problem(&e),
    }
}

/// Approve a pending request: the employee's manager or HR, never the employee (403).
#[utoipa::path(post, path = "/api/v1/hr/leave-requests/{id}/approve", tag = "hr", params(("id" = i64, Path)), request_body = DecisionInput,
    responses((status = 200, body = LeaveRequestOut), (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem)), security(("bearer" = [])))]
pub async fn approve(
    State(state): State<AppState>,
    CurrentActor(actor): CurrentActor,
    IdPath(id): IdPath,
    ApiJson(input): ApiJson<DecisionInput>,
) -> Response {
    let note = input.note.unwrap_or_default();
    decide(state, actor, id, &note, true).await
}

/// Reject a pending request: the employee's manager or HR.
#[utoipa::path(post, path = "/api/v1/hr/leave-requests/{id}/reject", tag = "hr", params(("id" = i64, Path)), request_body = DecisionInput,
    responses((status = 200, body = LeaveRequestOut), (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem)), security(("bearer" = [])))]
pub async fn reject(
    State(state): State<AppState>,
    CurrentActor(actor): CurrentActor,
    IdPath(id): IdPath,
    ApiJson(input): ApiJson<DecisionInput>,
) -> Response {
    let note = input.note.unwrap_or_default();
    decide(state, actor, id, &note, false).await
}

/// The caller's own employee record, salary included (404 when their login is linked to none).
#[utoipa::path(get, path = "/api/v1/me/employee", tag = "hr",
    responses((status = 200, body = Employee), (status = 404, body = Problem)), security(("bearer" = [])))]
pub async fn my_profile(
    State(state): State<AppState>,
    CurrentActor(actor): CurrentActor,
) -> Response {
    match hr::my_profile(&state.app, &actor).await {
        Ok(Some(d)) => Json(Employee::new(&d)).into_response(),
        Ok(None) => problem(&AppError::NotFound),
        Err(e) => problem(&e),
    }
}

/// The caller's own contact data to write.
#[derive(Debug, Deserialize, ToSchema)]
pub struct ContactInput {
    pub personal_email: Option<String>,
    pub personal_phone: Option<String>,
    pub street: Option<String>,
    pub postal_code: Option<String>,
    pub city: Option<String>,
    pub country: Option<String>,
    /// The version read.
    pub version: i64,
}

impl KnownFields for ContactInput {
    const FIELDS: &'static [&'static str] = &[
        "personal_email",
        "personal_phone",
        "street",
        "postal_code",
        "city",
        "country",
        "version",
    ];
}

/// Replace the caller's own contact data (self-service).
#[utoipa::path(put, path = "/api/v1/me/employee/contact", tag = "hr", request_body = ContactInput,
    responses((status = 200, body = Employee), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)), security(("bearer" = [])))]
pub async fn update_my_contact(
    State(state): State<AppState>,
    CurrentActor(actor): CurrentActor,
    ApiJson(input): ApiJson<ContactInput>,
) -> Response {
    let draft = ContactDraft {
        personal_email: text(&input.personal_email),
        personal_phone: text(&input.personal_phone),
        street: text(&input.street),
        postal_code: text(&input.postal_code),
        city: text(&input.city),
        country: text(&input.country),
    };
    if let Err(e) = hr::update_my_contact(&state.app, &actor, input.version, &draft).await {
        return problem(&e);
    }
    match hr::my_profile(&state.app, &actor).await {
        Ok(Some(d)) => Json(Employee::new(&d)).into_response(),
        Ok(None) => problem(&AppError::NotFound),
        Err(e) => problem(&e),
    }
}
