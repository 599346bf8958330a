//! HR's pages: the directory and a new employee, one employee (record,
//! contracts, emergency contacts, documents, entitlements, timeline),
//! departments and positions, the org chart, leave administration
//! (requests to decide, holidays, types), the team calendar with its feed,
//! and self-service: "My profile" and the requests awaiting my decision.
//!
//! Salary, bank account and national id arrive from `seam_app::hr` as
//! `None` for readers who may not see them; the templates show what they get.

use askama::Template;
use axum::extract::{Multipart, Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use seam_app::hr::leave::{self, Balance, LeaveRequestRow, RequestFilter, TeamCalendar};
use seam_app::hr::{self, Contract, EmployeeDetail, EmployeeRow, NewEmployee, OrgNode, Upload};
use seam_app::{Actor, AppError};
use seam_domain::access::Permission;
use seam_domain::hr::{
    ContactDraft, ContractDraft, DepartmentDraft, EmergencyContactDraft, EmployeeDraft,
    LeaveRequestDraft, LeaveTypeDraft, SalaryPeriod, format_days,
};
use seam_domain::ledger::{Date, format_amount};
use serde::Deserialize;

use super::parties::{TimelineEntry, timeline};
use super::{FormData, IdPath};
use crate::AppState;
use crate::html::{Errors, Page, fail, ok, redirect_with_flash, render};
use crate::i18n::I18n;
use crate::who::{CurrentActor, Requester, Who};

fn form_errors(i18n: &I18n, e: &AppError) -> Option<(StatusCode, Errors)> {
    match e {
        AppError::Invalid(fields) => {
            Some((StatusCode::UNPROCESSABLE_ENTITY, Errors::new(i18n, fields)))
        }
        AppError::Conflict(code) => Some((StatusCode::CONFLICT, Errors::one(i18n, "form", code))),
        _ => None,
    }
}

fn opt_id(text: &str) -> Option<i64> {
    text.trim().parse::<i64>().ok().filter(|id| *id > 0)
}

/// An employee in a list.
pub struct EmployeeListView {
    pub id: i64,
    pub number: String,
    pub name: String,
    pub position: String,
    pub department: String,
    pub manager: String,
    pub manager_id: Option<i64>,
    pub work_email: String,
    pub login: String,
}

impl EmployeeListView {
    fn new(r: &EmployeeRow) -> EmployeeListView {
        EmployeeListView {
            id: r.id,
            number: r.number.clone(),
            name: r.name.clone(),
            position: r.position_title.clone().unwrap_or_default(),
            department: r.department_name.clone().unwrap_or_default(),
            manager: r.manager_name.clone().unwrap_or_default(),
            manager_id: r.manager_id,
            work_email: r.work_email.clone().unwrap_or_default(),
            login: r.username.clone().unwrap_or_default(),
        }
    }
}

/// `(value, label)` options of a select.
type Options = Vec<(String, String)>;

async fn choices(state: &AppState, actor: &Actor) -> Result<(Options, Options, Options), AppError> {
    let departments = hr::departments(&state.app, actor)
        .await?
        .into_iter()
        .map(|d| (d.id.to_string(), d.name))
        .collect();
    let positions = hr::positions(&state.app, actor)
        .await?
        .into_iter()
        .map(|p| (p.id.to_string(), p.title))
        .collect();
    let people = if actor.may(Permission::HrUse) || actor.may(Permission::ItUse) {
        hr::list_employees(&state.app, actor, &hr::EmployeeFilter::default())
            .await?
            .into_iter()
            .map(|e| (e.id.to_string(), format!("{} ({})", e.name, e.number)))
            .collect()
    } else {
        Vec::new()
    };
    Ok((departments, positions, people))
}

// ------------------------------------------------------------------ directory

#[derive(Template)]
#[template(path = "hr_employees.html")]
struct EmployeesPage {
    page: Page,
    employees: Vec<EmployeeListView>,
    text: String,
    department: String,
    departments: Options,
    may_manage: bool,
    form: EmployeeForm,
    errors: Errors,
}

/// The employee form's values as typed.
#[derive(Default)]
pub struct EmployeeForm {
    pub name: String,
    pub work_email: String,
    pub birth_date: String,
    pub personal_email: String,
    pub personal_phone: String,
    pub street: String,
    pub postal_code: String,
    pub city: String,
    pub country: String,
    pub national_id: String,
    pub iban: String,
    pub username: String,
}

impl EmployeeForm {
    fn from_form(form: &FormData) -> EmployeeForm {
        EmployeeForm {
            name: form.get("name").to_owned(),
            work_email: form.get("work_email").to_owned(),
            birth_date: form.get("birth_date").to_owned(),
            personal_email: form.get("personal_email").to_owned(),
            personal_phone: form.get("personal_phone").to_owned(),
            street: form.get("street").to_owned(),
            postal_code: form.get("postal_code").to_owned(),
            city: form.get("city").to_owned(),
            country: form.get("country").to_owned(),
            national_id: form.get("national_id").to_owned(),
            iban: form.get("iban").to_owned(),
            username: form.get("username").to_owned(),
        }
    }

    fn of_row(r: &EmployeeRow) -> EmployeeForm {
        EmployeeForm {
            name: r.name.clone(),
            work_email: r.work_email.clone().unwrap_or_default(),
            birth_date: r.birth_date.clone().unwrap_or_default(),
            personal_email: r.personal_email.clone().unwrap_or_default(),
            personal_phone: r.personal_phone.clone().unwrap_or_default(),
            street: r.street.clone(),
            postal_code: r.postal_code.clone(),
            city: r.city.clone(),
            country: r.country.clone().unwrap_or_default(),
            national_id: r.national_id.clone().unwrap_or_default(),
            iban: r.iban.clone().unwrap_or_default(),
            username: r.username.clone().unwrap_or_default(),
        }
    }

    fn contact(&self) -> ContactDraft {
        ContactDraft {
            personal_email: self.personal_email.clone(),
            personal_phone: self.personal_phone.clone(),
            street: self.street.clone(),
            postal_code: self.postal_code.clone(),
            city: self.city.clone(),
            country: self.country.clone(),
        }
    }

    fn draft(&self) -> EmployeeDraft {
        EmployeeDraft {
            name: self.name.clone(),
            work_email: self.work_email.clone(),
            birth_date: self.birth_date.clone(),
            contact: self.contact(),
            national_id: self.national_id.clone(),
            iban: self.iban.clone(),
        }
    }
}

#[derive(Debug, Default, Deserialize)]
pub struct ListQuery {
    #[serde(default)]
    pub q: String,
    #[serde(default)]
    pub department: String,
}

async fn employees_page(
    state: &AppState,
    who: &Who,
    actor: &Actor,
    query: &ListQuery,
    form: EmployeeForm,
    errors: Errors,
    status: StatusCode,
) -> Response {
    let filter = hr::EmployeeFilter {
        text: query.q.clone(),
        department_id: opt_id(&query.department),
        manager_id: None,
    };
    let rows = match hr::list_employees(&state.app, actor, &filter).await {
        Ok(rows) => rows,
        Err(e) => return fail(who, &e),
    };
    let (departments, _, _) = match choices(state, actor).await {
        Ok(c) => c,
        Err(e) => return fail(who, &e),
    };
    let page = Page::new(state, who, "hr-employees-title", "/hr").await;
    render(
        status,
        &EmployeesPage {
            employees: rows.iter().map(EmployeeListView::new).collect(),
            text: query.q.clone(),
            department: query.department.clone(),
            departments,
            may_manage: actor.may(Permission::HrManage),
            form,
            errors,
            page,
        },
    )
}

pub async fn employees(
    State(state): State<AppState>,
    Requester(who): Requester,
    CurrentActor(actor): CurrentActor,
    Query(query): Query<ListQuery>,
) -> Response {
    employees_page(
        &state,
        &who,
        &actor,
        &query,
        EmployeeForm::default(),
        Errors::default(),
        StatusCode::OK,
    )
    .await
}

pub async fn create_employee(
    State(state): State<AppState>,
    Requester(who): Requester,
    CurrentActor(actor): CurrentActor,
    form: FormData,
) -> Response {
    let typed = EmployeeForm::from_form(&form);
    let input = NewEmployee {
        employee: typed.draft(),
        username: typed.username.clone(),
    };
    match hr::create_employee(&state.app, &actor, &input).await {
        Ok((id, _)) => {
            redirect_with_flash(
                &state,
                &who,
                &format!("/hr/employees/{id}"),
                "flash-employee-added",
            )
            .await
        }
        Err(e) => match form_errors(&I18n::new(actor.locale), &e) {
            Some((status, errors)) => {
                let query = ListQuery::default();
                employees_page(&state, &who, &actor, &query, typed, errors, status).await
            }
            None => fail(&who, &e),
        },
    }
}

// --------------------------------------------------------------- one employee

/// A contract as shown.
pub struct ContractView {
    pub start: String,
    pub end: String,
    pub position: String,
    pub department: String,
    pub manager: String,
    pub manager_id: Option<i64>,
    pub working_time: String,
    pub hours: String,
    /// Empty when the reader may not see it.
    pub salary: String,
    pub current: bool,
}

impl ContractView {
    fn new(i18n: &I18n, c: &Contract, today: &str) -> ContractView {
        let r = &c.row;
        let salary = match (c.salary_minor, &c.currency, &c.salary_period) {
            (Some(minor), Some(currency), Some(period)) => format!(
                "{} / {}",
                i18n.money(minor, currency),
                i18n.t(&format!("salary-period-{period}"))
            ),
            _ => String::new(),
        };
        ContractView {
            start: i18n.date(&r.start_date),
            end: r
                .end_date
                .as_deref()
                .map(|d| i18n.date(d))
                .unwrap_or_default(),
            position: r.position_title.clone().unwrap_or_default(),
            department: r.department_name.clone().unwrap_or_default(),
            manager: r.manager_name.clone().unwrap_or_default(),
            manager_id: r.manager_id,
            working_time: format!("{} %", r.working_time_pct),
            hours: format_amount(r.hours_per_week_x100, "EUR"),
            salary,
            current: r.start_date.as_str() <= today
                && r.end_date.as_deref().is_none_or(|e| e >= today),
        }
    }
}

/// A balance as shown.
pub struct BalanceView {
    pub name: String,
    pub needs_entitlement: bool,
    pub entitlement: String,
    pub accrued: String,
    pub accrued_year_end: String,
    pub approved: String,
    pub pending: String,
    pub available: String,
}

impl BalanceView {
    fn new(b: &Balance) -> BalanceView {
        BalanceView {
            name: b.leave_type.name.clone(),
            needs_entitlement: b.leave_type.needs_entitlement,
            entitlement: format_days(b.entitlement),
            accrued: format_days(b.accrued),
            accrued_year_end: format_days(b.accrued_year_end),
            approved: format_days(b.approved),
            pending: format_days(b.pending),
            available: format_days(b.available),
        }
    }
}

/// A leave request as shown.
pub struct RequestView {
    pub id: i64,
    pub employee_id: i64,
    pub employee: String,
    pub leave_type: String,
    pub dates: String,
    pub days: String,
    pub state: String,
    pub state_label: String,
    pub note: String,
    pub decided_by: String,
    pub pending: bool,
}

impl RequestView {
    pub fn new(i18n: &I18n, r: &LeaveRequestRow) -> RequestView {
        let dates = if r.start_date == r.end_date {
            i18n.date(&r.start_date)
        } else {
            format!("{} – {}", i18n.date(&r.start_date), i18n.date(&r.end_date))
        };
        RequestView {
            id: r.id,
            employee_id: r.employee_id,
            employee: r.employee_name.clone(),
            leave_type: r.leave_type_name.clone(),
            dates,
            days: format_days(r.half_days),
            state: r.state.clone(),
            state_label: i18n.t(&format!("leave-state-{}", r.state)),
            note: r.note.clone(),
            decided_by: r.decided_by.clone().unwrap_or_default(),
            pending: r.state == "pending",
        }
    }
}

/// The contract form's values as typed.
#[derive(Default)]
pub struct ContractForm {
    pub start_date: String,
    pub end_date: String,
    pub position_id: String,
    pub department_id: String,
    pub manager_id: String,
    pub working_time_pct: String,
    pub hours_per_week: String,
    pub salary: String,
    pub currency: String,
    pub salary_period: String,
}

impl ContractForm {
    fn blank() -> ContractForm {
        ContractForm {
            working_time_pct: "100".into(),
            hours_per_week: "40".into(),
            currency: "EUR".into(),
            salary_period: "month".into(),
            ..ContractForm::default()
        }
    }

    fn from_form(form: &FormData) -> ContractForm {
        ContractForm {
            start_date: form.get("start_date").to_owned(),
            end_date: form.get("end_date").to_owned(),
            position_id: form.get("position_id").to_owned(),
            department_id: form.get("department_id").to_owned(),
            manager_id: form.get("manager_id").to_owned(),
            working_time_pct: form.get("working_time_pct").to_owned(),
            hours_per_week: form.get("hours_per_week").to_owned(),
            salary: form.get("salary").to_owned(),
            currency: form.get("currency").to_owned(),
            salary_period: form.get("salary_period").to_owned(),
        }
    }

    fn draft(&self) -> ContractDraft {
        ContractDraft {
            start_date: self.start_date.clone(),
            end_date: self.end_date.clone(),
            position_id: opt_id(&self.position_id),
            department_id: opt_id(&self.department_id),
            manager_id: opt_id(&self.manager_id),
            working_time_pct: self.working_time_pct.clone(),
            hours_per_week: self.hours_per_week.clone(),
            salary: self.salary.clone(),
            currency: self.currency.clone(),
            salary_period: self.salary_period.clone(),
        }
    }
}

#[derive(Template)]
#[template(path = "hr_employee.html")]
struct EmployeePage {
    page: Page,
    e: EmployeeListView,
    form: EmployeeForm,
    version: i64,
    confidential: bool,
    may_manage: bool,
    own: bool,
    iban: String,
    national_id: String,
    birth_date: String,
    contracts: Vec<ContractView>,
    contacts: Vec<seam_app::hr::EmergencyContactRow>,
    documents: Vec<DocumentView>,
    balances: Vec<BalanceView>,
    year: i64,
    requests: Vec<RequestView>,
    timeline: Vec<TimelineEntry>,
    departments: Options,
    positions: Options,
    people: Options,
    periods: Options,
    leave_types: Options,
    contract: ContractForm,
    /// The onboarding and offboarding checklists and how far they are.
    tasks: Vec<super::it::TaskView>,
    checklist_done: usize,
    checklist_total: usize,
    offboarded: bool,
    /// What the employee holds from IT.
    assets: Vec<super::it::AssetView>,
    seats: Vec<super::it::SeatView>,
    /// Which form the errors belong to: `edit`, `contract`, `login`, `contact`, `document`, `entitlement`, `offboard`.
    section: String,
    errors: Errors,
}

/// A document as listed.
pub struct DocumentView {
    pub id: i64,
    pub title: String,
    pub file_name: String,
    pub size: String,
    pub uploaded: String,
}

/// An employee's page shown again after a form: which form, what was typed, what is wrong.
struct Again {
    section: &'static str,
    typed: Option<(EmployeeForm, ContractForm)>,
    errors: Errors,
    status: StatusCode,
}

impl Again {
    fn none() -> Again {
        Again {
            section: "",
            typed: None,
            errors: Errors::default(),
            status: StatusCode::OK,
        }
    }
}

async fn employee_page(
    state: &AppState,
    who: &Who,
    actor: &Actor,
    id: i64,
    again: Again,
) -> Response {
    let Again {
        section,
        typed,
        errors,
        status,
    } = again;
    let detail: EmployeeDetail = match hr::employee(&state.app, actor, id).await {
        Ok(d) => d,
        Err(e) => return fail(who, &e),
    };
    let (departments, positions, people) = match choices(state, actor).await {
        Ok(c) => c,
        Err(e) => return fail(who, &e),
    };
    let year = i64::from(seam_app::today().year);
    let balances = leave::balances(&state.app, actor, id, year, seam_app::today())
        .await
        .unwrap_or_default();
    let requests = leave::list_requests(
        &state.app,
        actor,
        &RequestFilter {
            employee_id: Some(id),
            ..RequestFilter::default()
        },
    )
    .await
    .unwrap_or_default();
    let leave_types = leave::leave_types(&state.app, actor)
        .await
        .unwrap_or_default()
        .into_iter()
        .map(|t| (t.id.to_string(), t.name))
        .collect();
    let task_rows = seam_app::onboarding::tasks_of(&state.app, actor, id)
        .await
        .unwrap_or_default();
    let holdings = seam_app::it::holdings(&state.app, actor, id)
        .await
        .unwrap_or_default();
    let mut page = Page::new(state, who, "hr-employee-title", "/hr").await;
    page.title.clone_from(&detail.employee.name);
    let tasks: Vec<super::it::TaskView> = task_rows
        .iter()
        .map(|t| super::it::TaskView::new(&page, t))
        .collect();
    let (checklist_done, checklist_total) = super::it::progress(&tasks);
    let offboarded = task_rows.iter().any(|t| t.kind == "offboarding");
    let assets = holdings
        .assets
        .iter()
        .map(|a| super::it::AssetView::new(&page.i18n, a))
        .collect();
    let seats = holdings
        .seats
        .iter()
        .map(|s| super::it::SeatView::new(&page, s))
        .collect();
    let today = hr::today_iso();
    let e = &detail.employee;
    let (form, contract) =
        typed.unwrap_or_else(|| (EmployeeForm::of_row(e), ContractForm::blank()));
    let periods = SalaryPeriod::ALL
        .iter()
        .map(|p| {
            (
                p.name().to_owned(),
                page.i18n.t(&format!("salary-period-{}", p.name())),
            )
        })
        .collect();
    render(
        status,
        &EmployeePage {
            e: EmployeeListView::new(e),
            version: e.version,
            confidential: detail.sight.confidential,
            may_manage: detail.sight.may_manage,
            own: detail.sight.own,
            iban: e.iban.clone().unwrap_or_default(),
            national_id: e.national_id.clone().unwrap_or_default(),
            birth_date: e
                .birth_date
                .as_deref()
                .map(|d| page.i18n.date(d))
                .unwrap_or_default(),
            contracts: detail
                .contracts
                .iter()
                .map(|c| ContractView::new(&page.i18n, c, &today))
                .collect(),
            contacts: detail.emergency_contacts.clone(),
            documents: detail
                .documents
                .iter()
                .map(|d| DocumentView {
                    id: d.id,
                    title: d.title.clone(),
                    file_name: d.file_name.clone(),
                    size: format!("{} KiB", (d.size_bytes + 1023) / 1024),
                    uploaded: page.i18n.timestamp(&d.uploaded_at_us, &page.time_zone),
                })
                .collect(),
            balances: balances.iter().map(BalanceView::new).collect(),
            year,
            requests: requests
                .iter()
                .map(|r| RequestView::new(&page.i18n, r))
                .collect(),
            timeline: timeline(&page, &detail.timeline),
            departments,
            positions,
            people,
            periods,
            leave_types,
            form,
            contract,
            tasks,
            checklist_done,
            checklist_total,
            offboarded,
            assets,
            seats,
            section: section.to_owned(),
            errors,
            page,
        },
    )
}

#[derive(Template)]
#[template(path = "hr_hire.html")]
struct HirePage {
    page: Page,
    form: EmployeeForm,
    contract: ContractForm,
    departments: Options,
    positions: Options,
    people: Options,
    periods: Options,
    errors: Errors,
}

async fn hire_page(
    state: &AppState,
    who: &Who,
    actor: &Actor,
    typed: Option<(EmployeeForm, ContractForm)>,
    errors: Errors,
    status: StatusCode,
) -> Response {
    if !actor.may(Permission::HrManage) {
        return fail(who, &AppError::Forbidden);
    }
    let (departments, positions, people) = match choices(state, actor).await {
        Ok(c) => c,
        Err(e) => return fail(who, &e),
    };
    let page = Page::new(state, who, "hr-hire-title", "/hr").await;
    let periods = SalaryPeriod::ALL
        .iter()
        .map(|p| {
            (
                p.name().to_owned(),
                page.i18n.t(&format!("salary-period-{}", p.name())),
            )
        })
        .collect();
    let (form, contract) =
        typed.unwrap_or_else(|| (EmployeeForm::default(), ContractForm::blank()));
    render(
        status,
        &HirePage {
            form,
            contract,
            departments,
            positions,
            people,
            periods,
            errors,
            page,
        },
    )
}

/// The hire form: the person and their first contract.
pub async fn hire_form(
    State(state): State<AppState>,
    Requester(who): Requester,
    CurrentActor(actor): CurrentActor,
) -> Response {
    hire_page(
        &state,
        &who,
        &actor,
        None,
        Errors::default(),
        StatusCode::OK,
    )
    .await
}

/// Hires: the record, the contract and the onboarding checklist at once.
pub async fn hire(
    State(state): State<AppState>,
    Requester(who): Requester,
    CurrentActor(actor): CurrentActor,
    form: FormData,
) -> Response {
    let person = EmployeeForm::from_form(&form);
    let contract = ContractForm::from_form(&form);
    let input = seam_app::onboarding::Hire {
        employee: NewEmployee {
            employee: person.draft(),
            username: person.username.clone(),
        },
        contract: contract.draft(),
    };
    match seam_app::onboarding::hire(&state.app, &actor, &input).await {
        Ok((id, _)) => {
            redirect_with_flash(&state, &who, &format!("/hr/employees/{id}"), "flash-hired").await
        }
        Err(e) => match form_errors(&I18n::new(actor.locale), &e) {
            Some((status, errors)) => {
                hire_page(
                    &state,
                    &who,
                    &actor,
                    Some((person, contract)),
                    errors,
                    status,
                )
                .await
            }
            None => fail(&who, &e),
        },
    }
}

/// Offboards on the last day given.
pub async fn offboard(
    State(state): State<AppState>,
    Requester(who): Requester,
    CurrentActor(actor): CurrentActor,
    IdPath(id): IdPath,
    form: FormData,
) -> Response {
    let result = seam_app::onboarding::offboard(&state.app, &actor, id, form.get("end_date")).await;
    after_employee_form(
        &state,
        &who,
        &actor,
        id,
        Outcome {
            section: "offboard",
            typed: None,
            result,
            flash: "flash-offboarded",
        },
    )
    .await
}

pub async fn employee(
    State(state): State<AppState>,
    Requester(who): Requester,
    CurrentActor(actor): CurrentActor,
    IdPath(id): IdPath,
) -> Response {
    employee_page(&state, &who, &actor, id, Again::none()).await
}

/// What a form on an employee's page did.
struct Outcome {
    section: &'static str,
    typed: Option<(EmployeeForm, ContractForm)>,
    result: Result<(), AppError>,
    flash: &'static str,
}

/// After a form on an employee's page: back to the page with a flash, or the
/// page again with the form's errors and the typed values.
async fn after_employee_form(
    state: &AppState,
    who: &Who,
    actor: &Actor,
    id: i64,
    outcome: Outcome,
) -> Response {
    match outcome.result {
        Ok(()) => {
            redirect_with_flash(state, who, &format!("/hr/employees/{id}"), outcome.flash).await
        }
        Err(e) => match form_errors(&I18n::new(actor.locale), &e) {
            Some((status, errors)) => {
                let again = Again {
                    section: outcome.section,
                    typed: outcome.typed,
                    errors,
                    status,
                };
                employee_page(state, who, actor, id, again).await
            }
            None => fail(who, &e),
        },
    }
}

pub async fn update_employee(
    State(state): State<AppState>,
    Requester(who): Requester,
    CurrentActor(actor): CurrentActor,
    IdPath(id): IdPath,
    form: FormData,
) -> Response {
    let typed = EmployeeForm::from_form(&form);
    let version = form.get("version").parse().unwrap_or(0);
    let result = hr::update_employee(&state.app, &actor, id, version, &typed.draft()).await;
    let again = Some((typed, ContractForm::blank()));
    after_employee_form(
        &state,
        &who,
        &actor,
        id,
        Outcome {
            section: "edit",
            typed: again,
            result,
            flash: "flash-employee-saved",
        },
    )
    .await
}

pub async fn add_contract(
    State(state): State<AppState>,
    Requester(who): Requester,
    CurrentActor(actor): CurrentActor,
    IdPath(id): IdPath,
    form: FormData,
) -> Response {
    let typed = ContractForm::from_form(&form);
    let result = hr::add_contract(&state.app, &actor, id, &typed.draft())
        .await
        .map(|_| ());
    let again = match &result {
        Ok(()) => None,
        Err(_) => match hr::employee(&state.app, &actor, id).await {
            Ok(d) => Some((EmployeeForm::of_row(&d.employee), typed)),
            Err(e) => return fail(&who, &e),
        },
    };
    after_employee_form(
        &state,
        &who,
        &actor,
        id,
        Outcome {
            section: "contract",
            typed: again,
            result,
            flash: "flash-contract-added",
        },
    )
    .await
}

pub async fn link_login(
    State(state): State<AppState>,
    Requester(who): Requester,
    CurrentActor(actor): CurrentActor,
    IdPath(id): IdPath,
    form: FormData,
) -> Response {
    let result = hr::link_login(&state.app, &actor, id, form.get("username")).await;
    after_employee_form(
        &state,
        &who,
        &actor,
        id,
        Outcome {
            section: "login",
            typed: None,
            result,
            flash: "flash-employee-saved",
        },
    )
    .await
}

pub async fn add_emergency_contact(
    State(state): State<AppState>,
    Requester(who): Requester,
    CurrentActor(actor): CurrentActor,
    IdPath(id): IdPath,
    form: FormData,
) -> Response {
    let draft = EmergencyContactDraft {
        name: form.get("contact_name").to_owned(),
        relation: form.get("relation").to_owned(),
        phone: form.get("contact_phone").to_owned(),
    };
    let result = hr::add_emergency_contact(&state.app, &actor, id, &draft)
        .await
        .map(|_| ());
    if form.get("back") == "me" {
        return match result {
            Ok(()) => redirect_with_flash(&state, &who, "/me", "flash-employee-saved").await,
            Err(e) => match form_errors(&I18n::new(actor.locale), &e) {
                Some((status, errors)) => me_page(&state, &who, &actor, errors, status).await,
                None => fail(&who, &e),
            },
        };
    }
    after_employee_form(
        &state,
        &who,
        &actor,
        id,
        Outcome {
            section: "contact",
            typed: None,
            result,
            flash: "flash-employee-saved",
        },
    )
    .await
}

async fn read_upload(mut multipart: Multipart) -> Result<Upload, &'static str> {
    let mut upload = Upload::default();
    while let Some(field) = multipart.next_field().await.map_err(|_| "error-upload")? {
        match field.name() {
            Some("file") => {
                upload.file_name = field.file_name().unwrap_or("").to_owned();
                upload.content_type = field.content_type().unwrap_or("").to_owned();
                upload.bytes = field.bytes().await.map_err(|_| "error-upload")?.to_vec();
            }
            Some("title") => upload.title = field.text().await.map_err(|_| "error-upload")?,
            _ => {}
        }
    }
    Ok(upload)
}

pub async fn add_document(
    State(state): State<AppState>,
    Requester(who): Requester,
    CurrentActor(actor): CurrentActor,
    IdPath(id): IdPath,
    multipart: Multipart,
) -> Response {
    let result = match read_upload(multipart).await {
        Ok(upload) => hr::add_document(&state.app, &actor, id, &upload)
            .await
            .map(|_| ()),
        Err(code) => Err(AppError::Invalid(seam_domain::FieldErrors::one(
            "file", code,
        ))),
    };
    after_employee_form(
        &state,
        &who,
        &actor,
        id,
        Outcome {
            section: "document",
            typed: None,
            result,
            flash: "flash-document-added",
        },
    )
    .await
}

pub async fn document(
    State(state): State<AppState>,
    Requester(who): Requester,
    CurrentActor(actor): CurrentActor,
    IdPath(id): IdPath,
) -> Response {
    match hr::document(&state.app, &actor, id).await {
        Ok((row, bytes)) => {
            let disposition = format!(
                "attachment; filename=\"{}\"",
                row.file_name
                    .replace(|c: char| !c.is_ascii_graphic() && c != ' ', "_")
            );
            (
                [
                    (header::CONTENT_TYPE, "application/octet-stream".to_owned()),
                    (header::CONTENT_DISPOSITION, disposition),
                ],
                bytes,
            )
                .into_response()
        }
        Err(e) => fail(&who, &e),
    }
}

pub async fn set_entitlement(
    State(state): State<AppState>,
    Requester(who): Requester,
    CurrentActor(actor): CurrentActor,
    IdPath(id): IdPath,
    form: FormData,
) -> Response {
    let year = form.get("year").trim().parse::<i64>().unwrap_or(0);
    let result = match opt_id(form.get("leave_type_id")) {
        Some(t) => leave::set_entitlement(&state.app, &actor, id, t, year, form.get("days")).await,
        None => Err(AppError::Invalid(seam_domain::FieldErrors::one(
            "leave_type_id",
            "error-required",
        ))),
    };
    after_employee_form(
        &state,
        &who,
        &actor,
        id,
        Outcome {
            section: "entitlement",
            typed: None,
            result,
            flash: "flash-employee-saved",
        },
    )
    .await
}

// ------------------------------------------------- departments and positions

pub struct DepartmentView {
    pub id: i64,
    pub name: String,
    pub parent: String,
}

#[derive(Template)]
#[template(path = "hr_departments.html")]
struct DepartmentsPage {
    page: Page,
    departments: Vec<DepartmentView>,
    positions: Vec<(String, String)>,
    options: Options,
    may_manage: bool,
    errors: Errors,
}

async fn departments_page(
    state: &AppState,
    who: &Who,
    actor: &Actor,
    errors: Errors,
    status: StatusCode,
) -> Response {
    let rows = match hr::departments(&state.app, actor).await {
        Ok(r) => r,
        Err(e) => return fail(who, &e),
    };
    let positions = match hr::positions(&state.app, actor).await {
        Ok(r) => r,
        Err(e) => return fail(who, &e),
    };
    let name_of = |id: Option<i64>| {
        id.and_then(|id| rows.iter().find(|r| r.id == id))
            .map(|r| r.name.clone())
            .unwrap_or_default()
    };
    let page = Page::new(state, who, "hr-departments-title", "/hr").await;
    render(
        status,
        &DepartmentsPage {
            departments: rows
                .iter()
                .map(|d| DepartmentView {
                    id: d.id,
                    name: d.name.clone(),
                    parent: name_of(d.parent_id),
                })
                .collect(),
            positions: positions
                .into_iter()
                .map(|p| (p.title, p.department_name.unwrap_or_default()))
                .collect(),
            options: rows
                .iter()
                .map(|d| (d.id.to_string(), d.name.clone()))
                .collect(),
            may_manage: actor.may(Permission::HrManage),
            errors,
            page,
        },
    )
}

pub async fn departments(
    State(state): State<AppState>,
    Requester(who): Requester,
    CurrentActor(actor): CurrentActor,
) -> Response {
    departments_page(&state, &who, &actor, Errors::default(), StatusCode::OK).await
}

async fn after_departments_form(
    state: &AppState,
    who: &Who,
    actor: &Actor,
    result: Result<(), AppError>,
) -> Response {
    match result {
        Ok(()) => redirect_with_flash(state, who, "/hr/departments", "flash-employee-saved").await,
        Err(e) => match form_errors(&I18n::new(actor.locale), &e) {
            Some((status, errors)) => departments_page(state, who, actor, errors, status).await,
            None => fail(who, &e),
        },
    }
}

pub async fn create_department(
    State(state): State<AppState>,
    Requester(who): Requester,
    CurrentActor(actor): CurrentActor,
    form: FormData,
) -> Response {
    let draft = DepartmentDraft {
        name: form.get("name").to_owned(),
        parent_id: opt_id(form.get("parent_id")),
    };
    let result = hr::create_department(&state.app, &actor, &draft)
        .await
        .map(|_| ());
    after_departments_form(&state, &who, &actor, result).await
}

pub async fn create_position(
    State(state): State<AppState>,
    Requester(who): Requester,
    CurrentActor(actor): CurrentActor,
    form: FormData,
) -> Response {
    let result = hr::create_position(
        &state.app,
        &actor,
        form.get("title"),
        opt_id(form.get("department_id")),
    )
    .await
    .map(|_| ());
    after_departments_form(&state, &who, &actor, result).await
}

// ------------------------------------------------------------------ org chart

#[derive(Template)]
#[template(path = "hr_org.html")]
struct OrgPage {
    page: Page,
    /// Shows HR's tabs to those who may open them.
    hr_reader: bool,
    by: String,
    /// The chart as nested lists, built here because templates do not recurse.
    tree_html: String,
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

fn manager_tree(nodes: &[OrgNode], out: &mut String) {
    out.push_str("<ul class=\"org\">");
    for n in nodes {
        out.push_str(&format!(
            "<li><a href=\"/hr/employees/{}\">{}</a> <span class=\"muted\">{}</span>",
            n.id,
            escape(&n.name),
            escape(
                &[n.position.as_str(), n.department.as_str()]
                    .iter()
                    .filter(|s| !s.is_empty())
                    .copied()
                    .collect::<Vec<_>>()
                    .join(" · ")
            )
        ));
        if !n.reports.is_empty() {
            manager_tree(&n.reports, out);
        }
        out.push_str("</li>");
    }
    out.push_str("</ul>");
}

fn department_tree(nodes: &[hr::DepartmentNode], none_label: &str, out: &mut String) {
    out.push_str("<ul class=\"org\">");
    for d in nodes {
        let name = if d.id == 0 {
            none_label
        } else {
            d.name.as_str()
        };
        out.push_str(&format!("<li><strong>{}</strong>", escape(name)));
        if !d.people.is_empty() {
            out.push_str("<ul class=\"people\">");
            for (id, name, position) in &d.people {
                out.push_str(&format!(
                    "<li><a href=\"/hr/employees/{id}\">{}</a> <span class=\"muted\">{}</span></li>",
                    escape(name),
                    escape(position)
                ));
            }
            out.push_str("</ul>");
        }
        if !d.children.is_empty() {
            department_tree(&d.children, none_label, out);
        }
        out.push_str("</li>");
    }
    out.push_str("</ul>");
}

#[derive(Debug, Default, Deserialize)]
pub struct OrgQuery {
    #[serde(default)]
    pub by: String,
}

pub async fn org_chart(
    State(state): State<AppState>,
    Requester(who): Requester,
    CurrentActor(actor): CurrentActor,
    Query(query): Query<OrgQuery>,
) -> Response {
    let (managers, departments) = match hr::org_chart(&state.app, &actor).await {
        Ok(c) => c,
        Err(e) => return fail(&who, &e),
    };
    let page = Page::new(&state, &who, "hr-org-title", "/hr").await;
    let by = if query.by == "department" {
        "department"
    } else {
        "manager"
    };
    let mut tree_html = String::new();
    if by == "department" {
        department_tree(
            &departments,
            &page.i18n.t("hr-no-department"),
            &mut tree_html,
        );
    } else {
        manager_tree(&managers, &mut tree_html);
    }
    ok(&OrgPage {
        page,
        hr_reader: actor.may(Permission::HrUse) || actor.may(Permission::ItUse),
        by: by.to_owned(),
        tree_html,
    })
}

// -------------------------------------------------------------- leave admin

#[derive(Template)]
#[template(path = "hr_leave.html")]
struct LeavePage {
    page: Page,
    pending: Vec<RequestView>,
    upcoming: Vec<RequestView>,
    holidays: Vec<seam_app::hr::leave::HolidayRow>,
    types: Vec<seam_app::hr::leave::LeaveTypeRow>,
    year: i64,
    may_manage: bool,
    errors: Errors,
}

async fn leave_page(
    state: &AppState,
    who: &Who,
    actor: &Actor,
    errors: Errors,
    status: StatusCode,
) -> Response {
    let today = seam_app::today();
    let year = i64::from(today.year);
    let pending = leave::awaiting_decision(&state.app, actor).await;
    let upcoming = leave::list_requests(
        &state.app,
        actor,
        &RequestFilter {
            state: Some("approved".into()),
            from: Some(today.iso()),
            ..RequestFilter::default()
        },
    )
    .await;
    let holidays = leave::holidays(&state.app, actor, year).await;
    let types = leave::leave_types(&state.app, actor).await;
    let (pending, upcoming, holidays, types) = match (pending, upcoming, holidays, types) {
        (Ok(a), Ok(b), Ok(c), Ok(d)) => (a, b, c, d),
        (Err(e), ..) | (_, Err(e), ..) | (_, _, Err(e), _) | (.., Err(e)) => return fail(who, &e),
    };
    let page = Page::new(state, who, "hr-leave-title", "/hr").await;
    render(
        status,
        &LeavePage {
            pending: pending
                .iter()
                .map(|r| RequestView::new(&page.i18n, r))
                .collect(),
            upcoming: upcoming
                .iter()
                .map(|r| RequestView::new(&page.i18n, r))
                .collect(),
            holidays,
            types,
            year,
            may_manage: actor.may(Permission::HrManage),
            errors,
            page,
        },
    )
}

pub async fn leave_admin(
    State(state): State<AppState>,
    Requester(who): Requester,
    CurrentActor(actor): CurrentActor,
) -> Response {
    leave_page(&state, &who, &actor, Errors::default(), StatusCode::OK).await
}

async fn after_leave_form(
    state: &AppState,
    who: &Who,
    actor: &Actor,
    result: Result<(), AppError>,
    flash: &str,
) -> Response {
    match result {
        Ok(()) => redirect_with_flash(state, who, "/hr/leave", flash).await,
        Err(e) => match form_errors(&I18n::new(actor.locale), &e) {
            Some((status, errors)) => leave_page(state, who, actor, errors, status).await,
            None => fail(who, &e),
        },
    }
}

pub async fn add_holiday(
    State(state): State<AppState>,
    Requester(who): Requester,
    CurrentActor(actor): CurrentActor,
    form: FormData,
) -> Response {
    let result = leave::add_holiday(&state.app, &actor, form.get("date"), form.get("name"))
        .await
        .map(|_| ());
    after_leave_form(&state, &who, &actor, result, "flash-holiday-added").await
}

pub async fn remove_holiday(
    State(state): State<AppState>,
    Requester(who): Requester,
    CurrentActor(actor): CurrentActor,
    IdPath(id): IdPath,
) -> Response {
    let result = leave::remove_holiday(&state.app, &actor, id).await;
    after_leave_form(&state, &who, &actor, result, "flash-holiday-removed").await
}

pub async fn create_leave_type(
    State(state): State<AppState>,
    Requester(who): Requester,
    CurrentActor(actor): CurrentActor,
    form: FormData,
) -> Response {
    let draft = LeaveTypeDraft {
        code: form.get("code").to_owned(),
        name: form.get("name").to_owned(),
        needs_entitlement: form.checked("needs_entitlement"),
    };
    let result = leave::create_leave_type(&state.app, &actor, &draft)
        .await
        .map(|_| ());
    after_leave_form(&state, &who, &actor, result, "flash-employee-saved").await
}

/// Where a decision sends the decider back to: their approvals, or HR's leave page.
fn back_of(form: &FormData) -> &'static str {
    match form.get("back") {
        "hr" => "/hr/leave",
        _ => "/me/approvals",
    }
}

async fn decide(
    state: AppState,
    who: Who,
    actor: Actor,
    id: i64,
    form: FormData,
    approve: bool,
) -> Response {
    match leave::decide(&state.app, &actor, id, approve, form.get("note")).await {
        Ok(()) => {
            let flash = if approve {
                "flash-leave-approved"
            } else {
                "flash-leave-rejected"
            };
            redirect_with_flash(&state, &who, back_of(&form), flash).await
        }
        Err(AppError::Conflict(code)) => {
            redirect_with_flash(&state, &who, back_of(&form), code).await
        }
        Err(e) => fail(&who, &e),
    }
}

pub async fn approve(
    State(state): State<AppState>,
    Requester(who): Requester,
    CurrentActor(actor): CurrentActor,
    IdPath(id): IdPath,
    form: FormData,
) -> Response {
    decide(state, who, actor, id, form, true).await
}

pub async fn reject(
    State(state): State<AppState>,
    Requester(who): Requester,
    CurrentActor(actor): CurrentActor,
    IdPath(id): IdPath,
    form: FormData,
) -> Response {
    decide(state, who, actor, id, form, false).await
}

pub async fn cancel(
    State(state): State<AppState>,
    Requester(who): Requester,
    CurrentActor(actor): CurrentActor,
    IdPath(id): IdPath,
) -> Response {
    match leave::cancel(&state.app, &actor, id).await {
        Ok(()) => redirect_with_flash(&state, &who, "/me", "flash-leave-cancelled").await,
        Err(AppError::Conflict(code)) => redirect_with_flash(&state, &who, "/me", code).await,
        Err(e) => fail(&who, &e),
    }
}

// -------------------------------------------------------------- team calendar

/// One cell of the month grid.
pub struct CellView {
    /// `approved`, `pending` or empty.
    pub state: String,
    /// What a reader may know: the leave type, or just "away".
    pub label: String,
    pub off: bool,
}

pub struct RowView {
    pub employee_id: i64,
    pub name: String,
    pub cells: Vec<CellView>,
}

pub struct DayView {
    pub day: i8,
    pub weekday: String,
    pub off: bool,
    pub holiday: String,
}

#[derive(Template)]
#[template(path = "hr_calendar.html")]
struct CalendarPage {
    page: Page,
    month: String,
    previous: String,
    next: String,
    department: String,
    departments: Options,
    days: Vec<DayView>,
    rows: Vec<RowView>,
    may_feed: bool,
    feed_url: String,
}

#[derive(Debug, Default, Deserialize)]
pub struct CalendarQuery {
    #[serde(default)]
    pub month: String,
    #[serde(default)]
    pub department: String,
}

fn shift_month(year: i16, month: i8, by: i8) -> (i16, i8) {
    let index = i32::from(year) * 12 + i32::from(month) - 1 + i32::from(by);
    (
        i16::try_from(index.div_euclid(12)).unwrap_or(year),
        i8::try_from(index.rem_euclid(12) + 1).unwrap_or(month),
    )
}

fn calendar_view(i18n: &I18n, calendar: &TeamCalendar) -> (Vec<DayView>, Vec<RowView>) {
    let days = calendar
        .days
        .iter()
        .map(|d| DayView {
            day: d.date.day,
            weekday: weekday_letter(i18n, d.date),
            off: d.weekend || d.holiday.is_some(),
            holiday: d.holiday.clone().unwrap_or_default(),
        })
        .collect();
    let rows = calendar
        .rows
        .iter()
        .map(|r| RowView {
            employee_id: r.employee_id,
            name: r.name.clone(),
            cells: r
                .cells
                .iter()
                .zip(&calendar.days)
                .map(|(c, d)| match c {
                    Some((state, kind)) => CellView {
                        state: state.clone(),
                        label: match kind {
                            Some(code) => {
                                // HR's own leave types have no catalogue entry: their code is shown.
                                let key = format!("leave-type-{code}");
                                let text = i18n.t(&key);
                                if text == key { code.clone() } else { text }
                            }
                            None => i18n.t("hr-away"),
                        },
                        off: d.weekend || d.holiday.is_some(),
                    },
                    None => CellView {
                        state: String::new(),
                        label: String::new(),
                        off: d.weekend || d.holiday.is_some(),
                    },
                })
                .collect(),
        })
        .collect();
    (days, rows)
}

fn weekday_letter(i18n: &I18n, date: Date) -> String {
    let day = jiff::civil::Date::new(date.year, date.month, date.day)
        .map(|d| d.weekday().to_monday_one_offset())
        .unwrap_or(1);
    i18n.t(&format!("weekday-short-{day}"))
}

async fn calendar_page(
    state: &AppState,
    who: &Who,
    actor: &Actor,
    query: &CalendarQuery,
    feed_url: String,
) -> Response {
    let today = seam_app::today();
    let (year, month) = Date::parse(&format!("{}-01", query.month.trim()))
        .map(|d| (d.year, d.month))
        .unwrap_or((today.year, today.month));
    let department = opt_id(&query.department);
    let calendar = match leave::team_calendar(&state.app, actor, year, month, department).await {
        Ok(c) => c,
        Err(e) => return fail(who, &e),
    };
    let departments = match hr::departments(&state.app, actor).await {
        Ok(rows) => rows
            .into_iter()
            .map(|d| (d.id.to_string(), d.name))
            .collect(),
        Err(e) => return fail(who, &e),
    };
    let page = Page::new(state, who, "hr-calendar-title", "/hr").await;
    let (days, rows) = calendar_view(&page.i18n, &calendar);
    let (py, pm) = shift_month(year, month, -1);
    let (ny, nm) = shift_month(year, month, 1);
    ok(&CalendarPage {
        month: format!("{year:04}-{month:02}"),
        previous: format!("{py:04}-{pm:02}"),
        next: format!("{ny:04}-{nm:02}"),
        department: query.department.clone(),
        departments,
        days,
        rows,
        may_feed: actor.may(Permission::HrUse),
        feed_url,
        page,
    })
}

pub async fn calendar(
    State(state): State<AppState>,
    Requester(who): Requester,
    CurrentActor(actor): CurrentActor,
    Query(query): Query<CalendarQuery>,
) -> Response {
    calendar_page(&state, &who, &actor, &query, String::new()).await
}

/// A new secret feed address of approved absences, shown once.
pub async fn calendar_feed(
    State(state): State<AppState>,
    Requester(who): Requester,
    CurrentActor(actor): CurrentActor,
    headers: HeaderMap,
    form: FormData,
) -> Response {
    let department = opt_id(form.get("department"));
    match leave::renew_absence_feed(&state.app, &actor, department).await {
        Ok(token) => {
            let url = super::appointments::feed_address(&state, &headers, &token);
            let query = CalendarQuery {
                month: String::new(),
                department: form.get("department").to_owned(),
            };
            calendar_page(&state, &who, &actor, &query, url).await
        }
        Err(e) => fail(&who, &e),
    }
}

// --------------------------------------------------------------- self-service

#[derive(Template)]
#[template(path = "hr_me.html")]
struct MePage {
    page: Page,
    /// `None` when the login is linked to no employee.
    me: Option<MeView>,
    errors: Errors,
    waiting: usize,
}

struct MeView {
    e: EmployeeListView,
    form: EmployeeForm,
    version: i64,
    iban: String,
    national_id: String,
    contracts: Vec<ContractView>,
    contacts: Vec<seam_app::hr::EmergencyContactRow>,
    balances: Vec<BalanceView>,
    year: i64,
    requests: Vec<RequestView>,
    leave_types: Options,
    leave: LeaveForm,
}

/// The leave form's values as typed.
#[derive(Default)]
pub struct LeaveForm {
    pub leave_type_id: String,
    pub start_date: String,
    pub end_date: String,
    pub half_day: bool,
    pub note: String,
}

impl LeaveForm {
    fn from_form(form: &FormData) -> LeaveForm {
        LeaveForm {
            leave_type_id: form.get("leave_type_id").to_owned(),
            start_date: form.get("start_date").to_owned(),
            end_date: form.get("end_date").to_owned(),
            half_day: form.checked("half_day"),
            note: form.get("note").to_owned(),
        }
    }

    fn draft(&self) -> LeaveRequestDraft {
        LeaveRequestDraft {
            leave_type_id: opt_id(&self.leave_type_id),
            start_date: self.start_date.clone(),
            end_date: self.end_date.clone(),
            half_day: self.half_day,
            note: self.note.clone(),
        }
    }
}

async fn me_view(
    state: &AppState,
    actor: &Actor,
    i18n: &I18n,
    typed: Option<(EmployeeForm, LeaveForm)>,
) -> Result<Option<MeView>, AppError> {
    let Some(detail) = hr::my_profile(&state.app, actor).await? else {
        return Ok(None);
    };
    let id = detail.employee.id;
    let today = seam_app::today();
    let year = i64::from(today.year);
    let balances = leave::balances(&state.app, actor, id, year, today).await?;
    let requests = leave::list_requests(
        &state.app,
        actor,
        &RequestFilter {
            employee_id: Some(id),
            ..RequestFilter::default()
        },
    )
    .await?;
    let leave_types = leave::leave_types(&state.app, actor)
        .await?
        .into_iter()
        .map(|t| (t.id.to_string(), t.name))
        .collect();
    let e = &detail.employee;
    let (form, leave) = typed.unwrap_or_else(|| (EmployeeForm::of_row(e), LeaveForm::default()));
    let today_iso = today.iso();
    Ok(Some(MeView {
        e: EmployeeListView::new(e),
        form,
        version: e.version,
        iban: e.iban.clone().unwrap_or_default(),
        national_id: e.national_id.clone().unwrap_or_default(),
        contracts: detail
            .contracts
            .iter()
            .map(|c| ContractView::new(i18n, c, &today_iso))
            .collect(),
        contacts: detail.emergency_contacts.clone(),
        balances: balances.iter().map(BalanceView::new).collect(),
        year,
        requests: requests
            .iter()
            .filter(|r| r.employee_id == id)
            .map(|r| RequestView::new(i18n, r))
            .collect(),
        leave_types,
        leave,
    }))
}

async fn me_page_typed(
    state: &AppState,
    who: &Who,
    actor: &Actor,
    typed: Option<(EmployeeForm, LeaveForm)>,
    errors: Errors,
    status: StatusCode,
) -> Response {
    let page = Page::new(state, who, "hr-me-title", "/me").await;
    let me = match me_view(state, actor, &page.i18n, typed).await {
        Ok(me) => me,
        Err(e) => return fail(who, &e),
    };
    let waiting = leave::awaiting_decision(&state.app, actor)
        .await
        .map(|r| r.len())
        .unwrap_or(0)
        + seam_app::access_requests::awaiting_decision(&state.app, actor)
            .await
            .map(|r| r.len())
            .unwrap_or(0);
    render(
        status,
        &MePage {
            page,
            me,
            errors,
            waiting,
        },
    )
}

async fn me_page(
    state: &AppState,
    who: &Who,
    actor: &Actor,
    errors: Errors,
    status: StatusCode,
) -> Response {
    me_page_typed(state, who, actor, None, errors, status).await
}

pub async fn me(
    State(state): State<AppState>,
    Requester(who): Requester,
    CurrentActor(actor): CurrentActor,
) -> Response {
    me_page(&state, &who, &actor, Errors::default(), StatusCode::OK).await
}

pub async fn update_my_contact(
    State(state): State<AppState>,
    Requester(who): Requester,
    CurrentActor(actor): CurrentActor,
    form: FormData,
) -> Response {
    let typed = EmployeeForm::from_form(&form);
    let version = form.get("version").parse().unwrap_or(0);
    match hr::update_my_contact(&state.app, &actor, version, &typed.contact()).await {
        Ok(()) => redirect_with_flash(&state, &who, "/me", "flash-employee-saved").await,
        Err(e) => match form_errors(&I18n::new(actor.locale), &e) {
            Some((status, errors)) => {
                let typed = Some((typed, LeaveForm::default()));
                me_page_typed(&state, &who, &actor, typed, errors, status).await
            }
            None => fail(&who, &e),
        },
    }
}

pub async fn request_leave(
    State(state): State<AppState>,
    Requester(who): Requester,
    CurrentActor(actor): CurrentActor,
    form: FormData,
) -> Response {
    let typed = LeaveForm::from_form(&form);
    match leave::request_leave(&state.app, &actor, None, &typed.draft()).await {
        Ok(_) => redirect_with_flash(&state, &who, "/me", "flash-leave-requested").await,
        Err(e) => match form_errors(&I18n::new(actor.locale), &e) {
            Some((status, errors)) => {
                let profile = match hr::my_profile(&state.app, &actor).await {
                    Ok(Some(d)) => EmployeeForm::of_row(&d.employee),
                    Ok(None) => EmployeeForm::default(),
                    Err(e) => return fail(&who, &e),
                };
                me_page_typed(&state, &who, &actor, Some((profile, typed)), errors, status).await
            }
            None => fail(&who, &e),
        },
    }
}

#[derive(Template)]
#[template(path = "hr_approvals.html")]
struct ApprovalsPage {
    page: Page,
    pending: Vec<RequestView>,
    team: Vec<RequestView>,
    /// Access requests waiting for my decision.
    access: Vec<super::helpdesk::AccessView>,
}

pub async fn approvals(
    State(state): State<AppState>,
    Requester(who): Requester,
    CurrentActor(actor): CurrentActor,
) -> Response {
    let pending = match leave::awaiting_decision(&state.app, &actor).await {
        Ok(rows) => rows,
        Err(e) => return fail(&who, &e),
    };
    let own = hr::own_employee_id(&state.app, &actor).await.ok().flatten();
    let team = match own {
        Some(own) => leave::list_requests(
            &state.app,
            &actor,
            &RequestFilter {
                manager_id: Some(own),
                from: Some(seam_app::today().iso()),
                ..RequestFilter::default()
            },
        )
        .await
        .unwrap_or_default(),
        None => Vec::new(),
    };
    let access = match seam_app::access_requests::awaiting_decision(&state.app, &actor).await {
        Ok(rows) => rows,
        Err(e) => return fail(&who, &e),
    };
    let page = Page::new(&state, &who, "hr-approvals-title", "/me").await;
    ok(&ApprovalsPage {
        access: access
            .iter()
            .map(|r| super::helpdesk::AccessView::new(&page.i18n, &page.time_zone, r))
            .collect(),
        pending: pending
            .iter()
            .map(|r| RequestView::new(&page.i18n, r))
            .collect(),
        team: team
            .iter()
            .filter(|r| r.state != "pending")
            .map(|r| RequestView::new(&page.i18n, r))
            .collect(),
        page,
    })
}
