//! `/api/v1/payroll`: salary structures, payroll records, runs and payslips
//! for payroll (`payroll.use`), and `/api/v1/me/payslips` for an employee's
//! own. Amounts are decimal strings beside their minor units.

use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use seam_app::payroll::{self, PayslipDetail, PayslipRow, RunDetail, RunRow, StructureDetail};
use seam_app::{Actor, AppError};
use seam_domain::ledger::format_amount;
use seam_domain::payroll::{RuleDraft, draft_of};
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

/// One rule of a salary structure, every value as text (see the user guide
/// for the forms each method takes).
#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
#[serde(default)]
pub struct RuleInput {
    /// Capitals, digits and `_`; later rules name this line by it.
    pub code: String,
    pub name: String,
    /// `earning`, `allowance`, `deduction`, `income_tax`, `employer_contribution` or `subtotal`.
    pub kind: String,
    /// `salary`, `fixed`, `percentage`, `brackets` or `formula`.
    pub method: String,
    pub amount: String,
    pub prorate: bool,
    /// Percent (`7.65`).
    pub rate: String,
    /// Codes summed into the base (`GROSS`, `SALARY` or rules above).
    pub base: String,
    pub ceiling: String,
    /// `from:percent` pairs (`0:0, 10000:20`).
    pub brackets: String,
    pub periods_per_year: String,
    /// `CODE:percent` terms (`GROSS:100, EE_SOC:-100`).
    pub terms: String,
    pub constant: String,
    pub min: String,
    pub max: String,
    /// `half_up` (default), `half_even` or `down`.
    pub rounding: String,
    /// Round to multiples of this amount (`1` for whole units).
    pub step: String,
}

impl RuleInput {
    fn draft(&self) -> RuleDraft {
        RuleDraft {
            code: self.code.clone(),
            name: self.name.clone(),
            kind: self.kind.clone(),
            method: self.method.clone(),
            amount: self.amount.clone(),
            prorate: self.prorate,
            rate: self.rate.clone(),
            base: self.base.clone(),
            ceiling: self.ceiling.clone(),
            brackets: self.brackets.clone(),
            periods_per_year: self.periods_per_year.clone(),
            terms: self.terms.clone(),
            constant: self.constant.clone(),
            min: self.min.clone(),
            max: self.max.clone(),
            rounding: self.rounding.clone(),
            step: self.step.clone(),
        }
    }

    fn of(d: RuleDraft) -> RuleInput {
        RuleInput {
            code: d.code,
            name: d.name,
            kind: d.kind,
            method: d.method,
            amount: d.amount,
            prorate: d.prorate,
            rate: d.rate,
            base: d.base,
            ceiling: d.ceiling,
            brackets: d.brackets,
            periods_per_year: d.periods_per_year,
            terms: d.terms,
            constant: d.constant,
            min: d.min,
            max: d.max,
            rounding: d.rounding,
            step: d.step,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Version {
    pub id: i64,
    pub effective_from: String,
    pub created_by: String,
    pub rules: Vec<RuleInput>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct SalaryStructure {
    pub id: i64,
    pub name: String,
    pub currency: String,
    pub employee_count: i64,
    /// Latest first.
    pub versions: Vec<Version>,
}

fn structure_json(d: &StructureDetail) -> SalaryStructure {
    SalaryStructure {
        id: d.structure.id,
        name: d.structure.name.clone(),
        currency: d.structure.currency.clone(),
        employee_count: d.structure.employee_count,
        versions: d
            .versions
            .iter()
            .map(|(v, s)| Version {
                id: v.id,
                effective_from: v.effective_from.clone(),
                created_by: v.created_by.clone(),
                rules: s
                    .rules
                    .iter()
                    .map(|r| RuleInput::of(draft_of(r, &d.structure.currency)))
                    .collect(),
            })
            .collect(),
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct StructureSummary {
    pub id: i64,
    pub name: String,
    pub currency: String,
    pub latest_from: Option<String>,
    pub employee_count: i64,
}

/// The salary structures, by name.
#[utoipa::path(get, path = "/api/v1/payroll/structures", tag = "payroll",
    responses((status = 200, body = Vec<StructureSummary>), (status = 403, body = Problem)), security(("bearer" = [])))]
pub async fn structures(
    State(state): State<AppState>,
    CurrentActor(actor): CurrentActor,
) -> Response {
    match payroll::structures(&state.app, &actor).await {
        Ok(rows) => Json(
            rows.into_iter()
                .map(|r| StructureSummary {
                    id: r.id,
                    name: r.name,
                    currency: r.currency,
                    latest_from: r.latest_from,
                    employee_count: r.employee_count,
                })
                .collect::<Vec<_>>(),
        )
        .into_response(),
        Err(e) => problem(&e),
    }
}

async fn structure_response(
    state: &AppState,
    actor: &Actor,
    id: i64,
    status: StatusCode,
) -> Response {
    match payroll::structure(&state.app, actor, id).await {
        Ok(d) => (status, Json(structure_json(&d))).into_response(),
        Err(e) => problem(&e),
    }
}

/// One structure with its versions and rules.
#[utoipa::path(get, path = "/api/v1/payroll/structures/{id}", tag = "payroll", params(("id" = i64, Path)),
    responses((status = 200, body = SalaryStructure), (status = 404, body = Problem)), security(("bearer" = [])))]
pub async fn structure(
    State(state): State<AppState>,
    CurrentActor(actor): CurrentActor,
    IdPath(id): IdPath,
) -> Response {
    structure_response(&state, &actor, id, StatusCode::OK).await
}

/// A structure to add, or a version to add to one.
#[derive(Debug, Deserialize, ToSchema)]
pub struct StructureInput {
    /// Only when adding a structure.
    #[serde(default)]
    pub name: String,
    /// The first day the rules apply (`2026-01-01`).
    pub effective_from: String,
    pub rules: Vec<RuleInput>,
}

impl KnownFields for StructureInput {
    const FIELDS: &'static [&'static str] = &["name", "effective_from", "rules"];
}

fn drafts(input: &StructureInput) -> Vec<RuleDraft> {
    input.rules.iter().map(RuleInput::draft).collect()
}

/// Add a salary structure with its first version (201).
#[utoipa::path(post, path = "/api/v1/payroll/structures", tag = "payroll", request_body = StructureInput,
    responses((status = 201, body = SalaryStructure), (status = 403, body = Problem), (status = 422, body = Problem)), security(("bearer" = [])))]
pub async fn create_structure(
    State(state): State<AppState>,
    CurrentActor(actor): CurrentActor,
    ApiJson(input): ApiJson<StructureInput>,
) -> Response {
    match payroll::create_structure(
        &state.app,
        &actor,
        &input.name,
        &input.effective_from,
        &drafts(&input),
    )
    .await
    {
        Ok(id) => structure_response(&state, &actor, id, StatusCode::CREATED).await,
        Err(e) => problem(&e),
    }
}

/// Add a version: its rules apply to periods ending on or after `effective_from` (201).
#[utoipa::path(post, path = "/api/v1/payroll/structures/{id}/versions", tag = "payroll", params(("id" = i64, Path)), request_body = StructureInput,
    responses((status = 201, body = SalaryStructure), (status = 404, body = Problem), (status = 422, body = Problem)), security(("bearer" = [])))]
pub async fn add_version(
    State(state): State<AppState>,
    CurrentActor(actor): CurrentActor,
    IdPath(id): IdPath,
    ApiJson(input): ApiJson<StructureInput>,
) -> Response {
    match payroll::add_version(
        &state.app,
        &actor,
        id,
        &input.effective_from,
        &drafts(&input),
    )
    .await
    {
        Ok(_) => structure_response(&state, &actor, id, StatusCode::CREATED).await,
        Err(e) => problem(&e),
    }
}

/// An employee's payroll record.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct PayrollRecord {
    #[serde(default)]
    pub employee_id: i64,
    #[serde(default)]
    pub employee_name: String,
    pub structure_id: i64,
    /// The first day paid (ignored when the record exists).
    pub start_date: String,
    /// The last day paid; empty or absent while employed.
    #[serde(default)]
    pub end_date: Option<String>,
}

impl KnownFields for PayrollRecord {
    const FIELDS: &'static [&'static str] = &[
        "employee_id",
        "employee_name",
        "structure_id",
        "start_date",
        "end_date",
    ];
}

/// Every payroll record, by employee name.
#[utoipa::path(get, path = "/api/v1/payroll/employees", tag = "payroll",
    responses((status = 200, body = Vec<PayrollRecord>), (status = 403, body = Problem)), security(("bearer" = [])))]
pub async fn records(State(state): State<AppState>, CurrentActor(actor): CurrentActor) -> Response {
    match payroll::records(&state.app, &actor).await {
        Ok(rows) => Json(
            rows.into_iter()
                .map(|r| PayrollRecord {
                    employee_id: r.employee_id,
                    employee_name: r.employee_name,
                    structure_id: r.structure_id,
                    start_date: r.start_date,
                    end_date: r.end_date,
                })
                .collect::<Vec<_>>(),
        )
        .into_response(),
        Err(e) => problem(&e),
    }
}

/// Open or change an employee's payroll record.
#[utoipa::path(put, path = "/api/v1/payroll/employees/{id}", tag = "payroll", params(("id" = i64, Path, description = "The employee's id")),
    request_body = PayrollRecord,
    responses((status = 204), (status = 403, body = Problem), (status = 422, body = Problem)), security(("bearer" = [])))]
pub async fn set_record(
    State(state): State<AppState>,
    CurrentActor(actor): CurrentActor,
    IdPath(id): IdPath,
    ApiJson(input): ApiJson<PayrollRecord>,
) -> Response {
    let end = input.end_date.unwrap_or_default();
    match payroll::set_record(
        &state.app,
        &actor,
        id,
        input.structure_id,
        &input.start_date,
        &end,
    )
    .await
    {
        Ok(()) => StatusCode::NO_CONTENT.into_response(),
        Err(e) => problem(&e),
    }
}

/// A payroll run.
#[derive(Debug, Serialize, ToSchema)]
pub struct Run {
    pub id: i64,
    /// `PR-2026-03`, or `PR-2026-03-C1` for a correction.
    pub number: String,
    pub period: String,
    /// `regular` or `correction`.
    pub kind: String,
    /// `draft`, `computed`, `approved`, `posted` or `paid`.
    pub state: String,
    pub currency: String,
    pub gross: String,
    pub net: String,
    pub employer: String,
    pub gross_minor: i64,
    pub net_minor: i64,
    pub employer_minor: i64,
    pub payslip_count: i64,
    pub entry_id: Option<i64>,
    pub payment_entry_id: Option<i64>,
    pub approved_by: Option<String>,
    pub created_at: String,
    /// Only on a single run.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub payslips: Option<Vec<PayslipSummary>>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct PayslipSummary {
    pub id: i64,
    pub run_number: String,
    pub period: String,
    pub employee_id: i64,
    pub employee_number: String,
    pub employee_name: String,
    pub currency: String,
    pub gross: String,
    pub deductions: String,
    pub tax: String,
    pub net: String,
    pub employer: String,
    pub net_minor: i64,
    pub days_paid: i64,
    pub days_in_period: i64,
    pub is_final: bool,
}

fn payslip_summary(p: &PayslipRow) -> PayslipSummary {
    let money = |m: i64| format_amount(m, &p.currency);
    PayslipSummary {
        id: p.id,
        run_number: p.run_number.clone(),
        period: p.period.clone(),
        employee_id: p.employee_id,
        employee_number: p.employee_number.clone(),
        employee_name: p.employee_name.clone(),
        currency: p.currency.clone(),
        gross: money(p.gross_minor),
        deductions: money(p.deductions_minor),
        tax: money(p.tax_minor),
        net: money(p.net_minor),
        employer: money(p.employer_minor),
        net_minor: p.net_minor,
        days_paid: p.days_paid,
        days_in_period: p.days_in_period,
        is_final: p.is_final,
    }
}

fn run_json(r: &RunRow, payslips: Option<&[PayslipRow]>) -> Run {
    let money = |m: i64| format_amount(m, &r.currency);
    Run {
        id: r.id,
        number: r.number.clone(),
        period: r.period.clone(),
        kind: r.kind.clone(),
        state: r.state.clone(),
        currency: r.currency.clone(),
        gross: money(r.gross_minor),
        net: money(r.net_minor),
        employer: money(r.employer_minor),
        gross_minor: r.gross_minor,
        net_minor: r.net_minor,
        employer_minor: r.employer_minor,
        payslip_count: r.payslip_count,
        entry_id: r.entry_id,
        payment_entry_id: r.payment_entry_id,
        approved_by: r.approved_by.clone(),
        created_at: rfc3339(r.created_at_us),
        payslips: payslips.map(|p| p.iter().map(payslip_summary).collect()),
    }
}

fn detail_json(d: &RunDetail) -> Run {
    run_json(&d.run, Some(&d.payslips))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct RunParams {
    /// Runs before this id (the last id of the previous page).
    pub before: Option<i64>,
}

/// Payroll runs, newest first, 25 a page.
#[utoipa::path(get, path = "/api/v1/payroll/runs", tag = "payroll", params(RunParams),
    responses((status = 200, body = Vec<Run>), (status = 403, body = Problem)), security(("bearer" = [])))]
pub async fn runs(
    State(state): State<AppState>,
    CurrentActor(actor): CurrentActor,
    Query(params): Query<RunParams>,
) -> Response {
    match payroll::runs(&state.app, &actor, params.before).await {
        Ok(rows) => {
            Json(rows.iter().map(|r| run_json(r, None)).collect::<Vec<_>>()).into_response()
        }
        Err(e) => problem(&e),
    }
}

async fn run_response(state: &AppState, actor: &Actor, id: i64, status: StatusCode) -> Response {
    match payroll::run_detail(&state.app, actor, id).await {
        Ok(d) => (status, Json(detail_json(&d))).into_response(),
        Err(e) => problem(&e),
    }
}

/// One run with its payslips.
#[utoipa::path(get, path = "/api/v1/payroll/runs/{id}", tag = "payroll", params(("id" = i64, Path)),
    responses((status = 200, body = Run), (status = 404, body = Problem)), security(("bearer" = [])))]
pub async fn run(
    State(state): State<AppState>,
    CurrentActor(actor): CurrentActor,
    IdPath(id): IdPath,
) -> Response {
    run_response(&state, &actor, id, StatusCode::OK).await
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct RunInput {
    /// `YYYY-MM`.
    pub period: String,
    /// A correction run for a posted period.
    #[serde(default)]
    pub correction: bool,
}

impl KnownFields for RunInput {
    const FIELDS: &'static [&'static str] = &["period", "correction"];
}

/// Open a run for a month (201). A second regular run of a period is a 409
/// `error-payroll-period-taken`; correct a posted period with `correction`.
#[utoipa::path(post, path = "/api/v1/payroll/runs", tag = "payroll", request_body = RunInput,
    responses((status = 201, body = Run), (status = 409, body = Problem), (status = 422, body = Problem)), security(("bearer" = [])))]
pub async fn create_run(
    State(state): State<AppState>,
    CurrentActor(actor): CurrentActor,
    ApiJson(input): ApiJson<RunInput>,
) -> Response {
    match payroll::create_run(&state.app, &actor, &input.period, input.correction).await {
        Ok(id) => run_response(&state, &actor, id, StatusCode::CREATED).await,
        Err(e) => problem(&e),
    }
}

async fn after_step(
    state: &AppState,
    actor: &Actor,
    id: i64,
    done: Result<(), AppError>,
) -> Response {
    match done {
        Ok(()) => run_response(state, actor, id, StatusCode::OK).await,
        Err(e) => problem(&e),
    }
}

/// Compute (or recompute) a draft or computed run's payslips. After
/// approval it is a 409 `error-payroll-run-state`; an employee without a
/// contract is a 422 naming `employees`.
#[utoipa::path(post, path = "/api/v1/payroll/runs/{id}/compute", tag = "payroll", params(("id" = i64, Path)),
    responses((status = 200, body = Run), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)),
    security(("bearer" = [])))]
pub async fn compute(
    State(state): State<AppState>,
    CurrentActor(actor): CurrentActor,
    IdPath(id): IdPath,
) -> Response {
    let done = payroll::compute_run(&state.app, &actor, id)
        .await
        .map(|_| ());
    after_step(&state, &actor, id, done).await
}

/// Approve a computed run.
#[utoipa::path(post, path = "/api/v1/payroll/runs/{id}/approve", tag = "payroll", params(("id" = i64, Path)),
    responses((status = 200, body = Run), (status = 404, body = Problem), (status = 409, body = Problem)), security(("bearer" = [])))]
pub async fn approve(
    State(state): State<AppState>,
    CurrentActor(actor): CurrentActor,
    IdPath(id): IdPath,
) -> Response {
    let done = payroll::approve_run(&state.app, &actor, id).await;
    after_step(&state, &actor, id, done).await
}

/// Post an approved run as one balanced journal entry on the period's last day.
#[utoipa::path(post, path = "/api/v1/payroll/runs/{id}/post", tag = "payroll", params(("id" = i64, Path)),
    responses((status = 200, body = Run), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)),
    security(("bearer" = [])))]
pub async fn post(
    State(state): State<AppState>,
    CurrentActor(actor): CurrentActor,
    IdPath(id): IdPath,
) -> Response {
    let done = payroll::post_run(&state.app, &actor, id).await.map(|_| ());
    after_step(&state, &actor, id, done).await
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PayParams {
    /// The day net pay leaves the bank (default today).
    pub pay_date: Option<String>,
}

/// Pay a posted run: net pay leaves the bank and the salaries payable clear.
#[utoipa::path(post, path = "/api/v1/payroll/runs/{id}/pay", tag = "payroll", params(("id" = i64, Path), PayParams),
    responses((status = 200, body = Run), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)),
    security(("bearer" = [])))]
pub async fn pay(
    State(state): State<AppState>,
    CurrentActor(actor): CurrentActor,
    IdPath(id): IdPath,
    Query(params): Query<PayParams>,
) -> Response {
    let date = params.pay_date.unwrap_or_default();
    let done = payroll::pay_run(&state.app, &actor, id, &date)
        .await
        .map(|_| ());
    after_step(&state, &actor, id, done).await
}

#[derive(Debug, Serialize, ToSchema)]
pub struct PayslipLine {
    pub code: String,
    pub name: String,
    pub kind: String,
    pub base: Option<String>,
    pub amount: String,
    pub amount_minor: i64,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Payslip {
    #[serde(flatten)]
    pub summary: PayslipSummary,
    pub lines: Vec<PayslipLine>,
}

fn payslip_json(d: &PayslipDetail) -> Payslip {
    let currency = &d.payslip.currency;
    Payslip {
        summary: payslip_summary(&d.payslip),
        lines: d
            .lines
            .iter()
            .map(|l| PayslipLine {
                code: l.code.clone(),
                name: l.name.clone(),
                kind: l.kind.clone(),
                base: l.base_minor.map(|b| format_amount(b, currency)),
                amount: format_amount(l.amount_minor, currency),
                amount_minor: l.amount_minor,
            })
            .collect(),
    }
}

/// One payslip with its lines: payroll reads any, an employee their own posted ones.
#[utoipa::path(get, path = "/api/v1/payroll/payslips/{id}", tag = "payroll", params(("id" = i64, Path)),
    responses((status = 200, body = Payslip), (status = 404, body = Problem)), security(("bearer" = [])))]
pub async fn payslip(
    State(state): State<AppState>,
    CurrentActor(actor): CurrentActor,
    IdPath(id): IdPath,
) -> Response {
    match payroll::payslip(&state.app, &actor, id).await {
        Ok(d) => Json(payslip_json(&d)).into_response(),
        Err(e) => problem(&e),
    }
}

/// A payslip as an A4 PDF.
#[utoipa::path(get, path = "/api/v1/payroll/payslips/{id}/pdf", tag = "payroll", params(("id" = i64, Path)),
    responses((status = 200, content_type = "application/pdf", body = Vec<u8>), (status = 404, body = Problem)), security(("bearer" = [])))]
pub async fn payslip_pdf(
    State(state): State<AppState>,
    CurrentActor(actor): CurrentActor,
    IdPath(id): IdPath,
) -> Response {
    match payroll::payslip_pdf(&state.app, &actor, id).await {
        Ok(bytes) => pdf_response(id, bytes),
        Err(e) => problem(&e),
    }
}

/// A payslip PDF as a download.
pub fn pdf_response(id: i64, bytes: Vec<u8>) -> Response {
    (
        [
            (header::CONTENT_TYPE, "application/pdf".to_owned()),
            (
                header::CONTENT_DISPOSITION,
                format!("inline; filename=\"payslip-{id}.pdf\""),
            ),
        ],
        bytes,
    )
        .into_response()
}

/// The caller's own posted payslips, newest first (none for a login that is no employee's).
#[utoipa::path(get, path = "/api/v1/me/payslips", tag = "payroll",
    responses((status = 200, body = Vec<PayslipSummary>), (status = 403, body = Problem)), security(("bearer" = [])))]
pub async fn my_payslips(
    State(state): State<AppState>,
    CurrentActor(actor): CurrentActor,
) -> Response {
    match payroll::my_payslips(&state.app, &actor).await {
        Ok(rows) => Json(rows.iter().map(payslip_summary).collect::<Vec<_>>()).into_response(),
        Err(e) => problem(&e),
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct YearTotal {
    pub employee_id: i64,
    pub employee_number: String,
    pub employee_name: String,
    pub currency: String,
    pub payslips: i64,
    pub gross: String,
    pub deductions: String,
    pub tax: String,
    pub net: String,
    pub employer: String,
}

/// Year to date per employee: posted and paid runs, corrections included.
#[utoipa::path(get, path = "/api/v1/payroll/year/{year}", tag = "payroll", params(("year" = i32, Path)),
    responses((status = 200, body = Vec<YearTotal>), (status = 403, body = Problem)), security(("bearer" = [])))]
pub async fn year_to_date(
    State(state): State<AppState>,
    CurrentActor(actor): CurrentActor,
    Path(year): Path<i32>,
) -> Response {
    match payroll::year_to_date(&state.app, &actor, year).await {
        Ok(rows) => Json(
            rows.iter()
                .map(|r| {
                    let money = |m: i64| format_amount(m, &r.currency);
                    YearTotal {
                        employee_id: r.employee_id,
                        employee_number: r.employee_number.clone(),
                        employee_name: r.employee_name.clone(),
                        currency: r.currency.clone(),
                        payslips: r.payslips,
                        gross: money(r.gross_minor),
                        deductions: money(r.deductions_minor),
                        tax: money(r.tax_minor),
                        net: money(r.net_minor),
                        employer: money(r.employer_minor),
                    }
                })
                .collect::<Vec<_>>(),
        )
        .into_response(),
        Err(e) => problem(&e),
    }
}
