//! Payroll's pages: runs and their steps, payslips (with PDF), salary
//! structures and their versions, the payroll records, the year-to-date
//! summary with CSV, and an employee's own payslips under `/me/payslips`.

use askama::Template;
use axum::extract::{Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use seam_app::payroll::{self, PayslipRow, RunRow, StructureRow};
use seam_app::{Actor, AppError};
use seam_domain::ledger::format_amount;
use seam_domain::payroll::{LineKind, Rounding, RuleDraft, RunState, draft_of};
use serde::Deserialize;

use super::ledger::form_errors;
use super::{FormData, IdPath};
use crate::AppState;
use crate::html::{Errors, Page, fail, ok, redirect_with_flash, render};
use crate::i18n::I18n;
use crate::who::{CurrentActor, Requester, Who};

const NAV_PATH: &str = "/payroll";
/// Blank rule rows a structure form offers below the current rules.
const BLANK_RULES: usize = 3;

/// A run in a list or on its page.
pub struct RunView {
    pub id: i64,
    pub number: String,
    pub period: String,
    pub kind: String,
    pub state_name: String,
    pub state: String,
    pub gross: String,
    pub net: String,
    pub employer: String,
    pub payslips: i64,
    pub entry_id: Option<i64>,
    pub payment_entry_id: Option<i64>,
    pub approved_by: String,
}

impl RunView {
    fn new(i18n: &I18n, r: &RunRow) -> RunView {
        let money = |m: i64| format_amount(m, &r.currency);
        RunView {
            id: r.id,
            number: r.number.clone(),
            period: r.period.clone(),
            kind: i18n.t(&format!("payroll-kind-{}", r.kind)),
            state_name: r.state.clone(),
            state: i18n.t(&format!("payroll-state-{}", r.state)),
            gross: money(r.gross_minor),
            net: money(r.net_minor),
            employer: money(r.employer_minor),
            payslips: r.payslip_count,
            entry_id: r.entry_id,
            payment_entry_id: r.payment_entry_id,
            approved_by: r.approved_by.clone().unwrap_or_default(),
        }
    }
}

/// A payslip in a list.
pub struct PayslipView {
    pub id: i64,
    pub run_number: String,
    pub period: String,
    pub employee_id: i64,
    pub employee_number: String,
    pub employee: String,
    pub gross: String,
    pub deductions: String,
    pub net: String,
    pub employer: String,
    pub days: String,
    pub is_final: bool,
}

impl PayslipView {
    fn new(p: &PayslipRow) -> PayslipView {
        let money = |m: i64| format_amount(m, &p.currency);
        PayslipView {
            id: p.id,
            run_number: p.run_number.clone(),
            period: p.period.clone(),
            employee_id: p.employee_id,
            employee_number: p.employee_number.clone(),
            employee: p.employee_name.clone(),
            gross: money(p.gross_minor),
            deductions: money(p.deductions_minor + p.tax_minor),
            net: money(p.net_minor),
            employer: money(p.employer_minor),
            days: format!("{}/{}", p.days_paid, p.days_in_period),
            is_final: p.is_final,
        }
    }
}

fn csv_download(name: &str, body: String) -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_owned()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{name}\""),
            ),
        ],
        body,
    )
        .into_response()
}

// ---------------------------------------------------------------- runs

#[derive(Debug, Clone, Default, Deserialize)]
pub struct RunsQuery {
    #[serde(default)]
    pub before: Option<i64>,
}

#[derive(Template)]
#[template(path = "payroll_runs.html")]
struct RunsPage {
    page: Page,
    rows: Vec<RunView>,
    next_link: String,
    period: String,
    errors: Errors,
}

async fn runs_page(
    state: &AppState,
    who: &Who,
    actor: &Actor,
    before: Option<i64>,
    period: String,
    status: StatusCode,
    errors: Errors,
) -> Response {
    let rows = match payroll::runs(&state.app, actor, before).await {
        Ok(rows) => rows,
        Err(e) => return fail(who, &e),
    };
    let page = Page::new(state, who, "payroll-runs-title", NAV_PATH).await;
    let next_link = match rows.last() {
        Some(last) if rows.len() as i64 == payroll::PAGE_SIZE => {
            format!("/payroll/runs?before={}", last.id)
        }
        _ => String::new(),
    };
    let period = if period.is_empty() {
        seam_app::today().period()
    } else {
        period
    };
    render(
        status,
        &RunsPage {
            rows: rows.iter().map(|r| RunView::new(&page.i18n, r)).collect(),
            next_link,
            period,
            errors,
            page,
        },
    )
}

pub async fn runs(
    State(state): State<AppState>,
    Requester(who): Requester,
    CurrentActor(actor): CurrentActor,
    Query(query): Query<RunsQuery>,
) -> Response {
    runs_page(
        &state,
        &who,
        &actor,
        query.before,
        String::new(),
        StatusCode::OK,
        Errors::default(),
    )
    .await
}

pub async fn create_run(
    State(state): State<AppState>,
    Requester(who): Requester,
    CurrentActor(actor): CurrentActor,
    form: FormData,
) -> Response {
    let period = form.get("period").to_owned();
    match payroll::create_run(&state.app, &actor, &period, form.checked("correction")).await {
        Ok(id) => {
            redirect_with_flash(
                &state,
                &who,
                &format!("/payroll/runs/{id}"),
                "payroll-run-created",
            )
            .await
        }
        Err(e) => match form_errors(&I18n::new(actor.locale), &e, "period") {
            Some((status, errors)) => {
                runs_page(&state, &who, &actor, None, period, status, errors).await
            }
            None => fail(&who, &e),
        },
    }
}

#[derive(Template)]
#[template(path = "payroll_run.html")]
struct RunPage {
    page: Page,
    run: RunView,
    payslips: Vec<PayslipView>,
    may_compute: bool,
    may_approve: bool,
    may_post: bool,
    may_pay: bool,
    today: String,
    errors: Errors,
}

async fn run_page(
    state: &AppState,
    who: &Who,
    actor: &Actor,
    id: i64,
    status: StatusCode,
    errors: Errors,
) -> Response {
    let detail = match payroll::run_detail(&state.app, actor, id).await {
        Ok(d) => d,
        Err(e) => return fail(who, &e),
    };
    let mut page = Page::new(state, who, "payroll-run-title", NAV_PATH).await;
    page.title = format!("{} {}", page.title, detail.run.number);
    let run_state = payroll::state_of(&detail.run);
    render(
        status,
        &RunPage {
            run: RunView::new(&page.i18n, &detail.run),
            payslips: detail.payslips.iter().map(PayslipView::new).collect(),
            may_compute: run_state.may_compute(),
            may_approve: run_state == RunState::Computed,
            may_post: run_state == RunState::Approved,
            may_pay: run_state == RunState::Posted,
            today: seam_app::today().iso(),
            errors,
            page,
        },
    )
}

pub async fn run(
    State(state): State<AppState>,
    Requester(who): Requester,
    CurrentActor(actor): CurrentActor,
    IdPath(id): IdPath,
) -> Response {
    run_page(&state, &who, &actor, id, StatusCode::OK, Errors::default()).await
}

/// After a step: back to the run with a flash, or the run with the errors.
async fn after_step(
    state: &AppState,
    who: &Who,
    actor: &Actor,
    id: i64,
    done: Result<(), AppError>,
    flash: &str,
) -> Response {
    match done {
        Ok(()) => redirect_with_flash(state, who, &format!("/payroll/runs/{id}"), flash).await,
        Err(e) => match form_errors(&I18n::new(actor.locale), &e, "form") {
            Some((status, errors)) => run_page(state, who, actor, id, status, errors).await,
            None => fail(who, &e),
        },
    }
}

pub async fn compute(
    State(state): State<AppState>,
    Requester(who): Requester,
    CurrentActor(actor): CurrentActor,
    IdPath(id): IdPath,
) -> Response {
    let done = payroll::compute_run(&state.app, &actor, id)
        .await
        .map(|_| ());
    after_step(&state, &who, &actor, id, done, "payroll-run-computed").await
}

pub async fn approve(
    State(state): State<AppState>,
    Requester(who): Requester,
    CurrentActor(actor): CurrentActor,
    IdPath(id): IdPath,
) -> Response {
    let done = payroll::approve_run(&state.app, &actor, id).await;
    after_step(&state, &who, &actor, id, done, "payroll-run-approved").await
}

pub async fn post_run(
    State(state): State<AppState>,
    Requester(who): Requester,
    CurrentActor(actor): CurrentActor,
    IdPath(id): IdPath,
) -> Response {
    let done = payroll::post_run(&state.app, &actor, id).await.map(|_| ());
    after_step(&state, &who, &actor, id, done, "payroll-run-posted").await
}

pub async fn pay(
    State(state): State<AppState>,
    Requester(who): Requester,
    CurrentActor(actor): CurrentActor,
    IdPath(id): IdPath,
    form: FormData,
) -> Response {
    let done = payroll::pay_run(&state.app, &actor, id, form.get("pay_date"))
        .await
        .map(|_| ());
    after_step(&state, &who, &actor, id, done, "payroll-run-paid").await
}

// ---------------------------------------------------------------- payslips

pub struct LineView {
    pub name: String,
    pub code: String,
    pub kind: String,
    pub base: String,
    pub amount: String,
}

#[derive(Template)]
#[template(path = "payroll_payslip.html")]
struct PayslipPage {
    page: Page,
    slip: PayslipView,
    lines: Vec<LineView>,
    pdf_link: String,
    back_link: String,
    correction: bool,
}

async fn payslip_page(state: &AppState, who: &Who, actor: &Actor, id: i64, own: bool) -> Response {
    let detail = match payroll::payslip(&state.app, actor, id).await {
        Ok(d) => d,
        Err(e) => return fail(who, &e),
    };
    let mut page = Page::new(state, who, "payroll-payslip-title", NAV_PATH).await;
    page.title = format!(
        "{} {} · {}",
        page.title, detail.payslip.period, detail.payslip.employee_name
    );
    let currency = detail.payslip.currency.clone();
    let lines = detail
        .lines
        .iter()
        .map(|l| LineView {
            name: l.name.clone(),
            code: l.code.clone(),
            kind: page.i18n.t(&format!("payroll-line-{}", l.kind)),
            base: l
                .base_minor
                .map(|b| format_amount(b, &currency))
                .unwrap_or_default(),
            amount: format_amount(l.amount_minor, &currency),
        })
        .collect();
    let (pdf_link, back_link) = if own {
        (format!("/me/payslips/{id}/pdf"), "/me/payslips".to_owned())
    } else {
        (
            format!("/payroll/payslips/{id}/pdf"),
            format!("/payroll/runs/{}", detail.payslip.run_id),
        )
    };
    ok(&PayslipPage {
        correction: detail.payslip.run_kind == "correction",
        slip: PayslipView::new(&detail.payslip),
        lines,
        pdf_link,
        back_link,
        page,
    })
}

pub async fn payslip(
    State(state): State<AppState>,
    Requester(who): Requester,
    CurrentActor(actor): CurrentActor,
    IdPath(id): IdPath,
) -> Response {
    payslip_page(&state, &who, &actor, id, false).await
}

async fn pdf(state: &AppState, who: &Who, actor: &Actor, id: i64) -> Response {
    match payroll::payslip_pdf(&state.app, actor, id).await {
        Ok(bytes) => crate::api::payroll::pdf_response(id, bytes),
        Err(e) => fail(who, &e),
    }
}

pub async fn payslip_pdf(
    State(state): State<AppState>,
    Requester(who): Requester,
    CurrentActor(actor): CurrentActor,
    IdPath(id): IdPath,
) -> Response {
    pdf(&state, &who, &actor, id).await
}

#[derive(Template)]
#[template(path = "my_payslips.html")]
struct MyPayslipsPage {
    page: Page,
    rows: Vec<PayslipView>,
}

/// The employee's own posted payslips.
pub async fn my_payslips(
    State(state): State<AppState>,
    Requester(who): Requester,
    CurrentActor(actor): CurrentActor,
) -> Response {
    let rows = match payroll::my_payslips(&state.app, &actor).await {
        Ok(rows) => rows,
        Err(e) => return fail(&who, &e),
    };
    let page = Page::new(&state, &who, "payroll-my-title", "/me/payslips").await;
    ok(&MyPayslipsPage {
        rows: rows.iter().map(PayslipView::new).collect(),
        page,
    })
}

pub async fn my_payslip_pdf(
    State(state): State<AppState>,
    Requester(who): Requester,
    CurrentActor(actor): CurrentActor,
    IdPath(id): IdPath,
) -> Response {
    pdf(&state, &who, &actor, id).await
}

// ---------------------------------------------------------------- structures

#[derive(Template)]
#[template(path = "payroll_structures.html")]
struct StructuresPage {
    page: Page,
    rows: Vec<StructureRow>,
}

pub async fn structures(
    State(state): State<AppState>,
    Requester(who): Requester,
    CurrentActor(actor): CurrentActor,
) -> Response {
    let rows = match payroll::structures(&state.app, &actor).await {
        Ok(rows) => rows,
        Err(e) => return fail(&who, &e),
    };
    let page = Page::new(&state, &who, "payroll-structures-title", NAV_PATH).await;
    ok(&StructuresPage { rows, page })
}

/// One rule row of a structure form, as typed, with its errors.
pub struct RuleRowView {
    pub index: usize,
    pub draft: RuleDraft,
    pub errors: Vec<String>,
}

/// One version of a structure, as read-only rows.
pub struct VersionView {
    pub effective_from: String,
    pub created_by: String,
    pub rules: Vec<RuleDraft>,
}

#[derive(Template)]
#[template(path = "payroll_structure.html")]
struct StructurePage {
    page: Page,
    /// 0 for a new structure.
    id: i64,
    name: String,
    currency: String,
    versions: Vec<VersionView>,
    effective_from: String,
    rows: Vec<RuleRowView>,
    kinds: Vec<(&'static str, String)>,
    methods: Vec<(&'static str, String)>,
    roundings: Vec<(&'static str, String)>,
    errors: Errors,
}

const METHODS: [&str; 5] = ["salary", "fixed", "percentage", "brackets", "formula"];

fn rule_rows(i18n: &I18n, drafts: Vec<RuleDraft>, errors: &Errors) -> Vec<RuleRowView> {
    let _ = i18n;
    drafts
        .into_iter()
        .chain(std::iter::repeat_with(RuleDraft::default).take(BLANK_RULES))
        .enumerate()
        .map(|(index, draft)| {
            let prefix = format!("rules[{index}].");
            RuleRowView {
                index,
                errors: errors
                    .items
                    .iter()
                    .filter_map(|(f, m)| {
                        f.strip_prefix(&prefix).map(|field| format!("{field}: {m}"))
                    })
                    .collect(),
                draft,
            }
        })
        .collect()
}

/// The rules of a posted form, in order, without the rows left blank.
fn drafts_of(form: &FormData) -> Vec<RuleDraft> {
    let col = |name: &str| form.all(name);
    let (codes, names) = (col("code"), col("name"));
    let at =
        |values: &Vec<&str>, i: usize| values.get(i).map(|v| (*v).to_owned()).unwrap_or_default();
    let cols: Vec<Vec<&str>> = [
        "kind",
        "method",
        "amount",
        "prorate",
        "rate",
        "base",
        "ceiling",
        "brackets",
        "periods_per_year",
        "terms",
        "constant",
        "min",
        "max",
        "rounding",
        "step",
    ]
    .iter()
    .map(|c| col(c))
    .collect();
    let get = |c: usize, i: usize| cols.get(c).map(|v| at(v, i)).unwrap_or_default();
    (0..codes.len().max(names.len()))
        .map(|i| RuleDraft {
            code: at(&codes, i),
            name: at(&names, i),
            kind: get(0, i),
            method: get(1, i),
            amount: get(2, i),
            prorate: get(3, i) == "yes",
            rate: get(4, i),
            base: get(5, i),
            ceiling: get(6, i),
            brackets: get(7, i),
            periods_per_year: get(8, i),
            terms: get(9, i),
            constant: get(10, i),
            min: get(11, i),
            max: get(12, i),
            rounding: get(13, i),
            step: get(14, i),
        })
        .filter(|d| !d.code.trim().is_empty() || !d.name.trim().is_empty())
        .collect()
}

#[allow(clippy::too_many_arguments)]
async fn structure_page(
    state: &AppState,
    who: &Who,
    actor: &Actor,
    id: i64,
    name: String,
    effective_from: String,
    typed: Option<Vec<RuleDraft>>,
    status: StatusCode,
    errors: Errors,
) -> Response {
    let (name, currency, versions) = if id == 0 {
        let currency = match seam_app::company::currency(&state.app).await {
            Ok(c) => c,
            Err(e) => return fail(who, &e),
        };
        (name, currency, Vec::new())
    } else {
        match payroll::structure(&state.app, actor, id).await {
            Ok(d) => {
                let currency = d.structure.currency.clone();
                let versions = d
                    .versions
                    .iter()
                    .map(|(v, s)| VersionView {
                        effective_from: v.effective_from.clone(),
                        created_by: v.created_by.clone(),
                        rules: s.rules.iter().map(|r| draft_of(r, &currency)).collect(),
                    })
                    .collect();
                (d.structure.name, currency, versions)
            }
            Err(e) => return fail(who, &e),
        }
    };
    let key = if id == 0 {
        "payroll-structure-new-title"
    } else {
        "payroll-structure-title"
    };
    let mut page = Page::new(state, who, key, NAV_PATH).await;
    if id != 0 {
        page.title = format!("{} {name}", page.title);
    }
    let i18n = &page.i18n;
    // The form starts from what was typed, else the latest version's rules.
    let drafts = typed.unwrap_or_else(|| {
        versions
            .first()
            .map(|v: &VersionView| v.rules.clone())
            .unwrap_or_default()
    });
    let rows = rule_rows(i18n, drafts, &errors);
    let kinds = LineKind::ALL
        .iter()
        .map(|k| (k.name(), i18n.t(&format!("payroll-line-{}", k.name()))))
        .collect();
    let methods = METHODS
        .iter()
        .map(|m| (*m, i18n.t(&format!("payroll-method-{m}"))))
        .collect();
    let roundings = Rounding::ALL
        .iter()
        .map(|r| (r.name(), i18n.t(&format!("payroll-rounding-{}", r.name()))))
        .collect();
    let effective_from = if effective_from.is_empty() {
        seam_app::today().iso()
    } else {
        effective_from
    };
    render(
        status,
        &StructurePage {
            id,
            name,
            currency,
            versions,
            effective_from,
            rows,
            kinds,
            methods,
            roundings,
            errors,
            page,
        },
    )
}

pub async fn new_structure(
    State(state): State<AppState>,
    Requester(who): Requester,
    CurrentActor(actor): CurrentActor,
) -> Response {
    if let Err(e) = payroll::structures(&state.app, &actor).await {
        return fail(&who, &e);
    }
    structure_page(
        &state,
        &who,
        &actor,
        0,
        String::new(),
        String::new(),
        None,
        StatusCode::OK,
        Errors::default(),
    )
    .await
}

pub async fn structure(
    State(state): State<AppState>,
    Requester(who): Requester,
    CurrentActor(actor): CurrentActor,
    IdPath(id): IdPath,
) -> Response {
    structure_page(
        &state,
        &who,
        &actor,
        id,
        String::new(),
        String::new(),
        None,
        StatusCode::OK,
        Errors::default(),
    )
    .await
}

pub async fn create_structure(
    State(state): State<AppState>,
    Requester(who): Requester,
    CurrentActor(actor): CurrentActor,
    form: FormData,
) -> Response {
    let drafts = drafts_of(&form);
    let (name, from) = (
        form.get("name").to_owned(),
        form.get("effective_from").to_owned(),
    );
    match payroll::create_structure(&state.app, &actor, &name, &from, &drafts).await {
        Ok(id) => {
            redirect_with_flash(
                &state,
                &who,
                &format!("/payroll/structures/{id}"),
                "payroll-structure-created",
            )
            .await
        }
        Err(e) => match form_errors(&I18n::new(actor.locale), &e, "form") {
            Some((status, errors)) => {
                structure_page(
                    &state,
                    &who,
                    &actor,
                    0,
                    name,
                    from,
                    Some(drafts),
                    status,
                    errors,
                )
                .await
            }
            None => fail(&who, &e),
        },
    }
}

pub async fn add_version(
    State(state): State<AppState>,
    Requester(who): Requester,
    CurrentActor(actor): CurrentActor,
    IdPath(id): IdPath,
    form: FormData,
) -> Response {
    let drafts = drafts_of(&form);
    let from = form.get("effective_from").to_owned();
    match payroll::add_version(&state.app, &actor, id, &from, &drafts).await {
        Ok(_) => {
            redirect_with_flash(
                &state,
                &who,
                &format!("/payroll/structures/{id}"),
                "payroll-version-created",
            )
            .await
        }
        Err(e) => match form_errors(&I18n::new(actor.locale), &e, "form") {
            Some((status, errors)) => {
                structure_page(
                    &state,
                    &who,
                    &actor,
                    id,
                    String::new(),
                    from,
                    Some(drafts),
                    status,
                    errors,
                )
                .await
            }
            None => fail(&who, &e),
        },
    }
}

// ---------------------------------------------------------------- records

pub struct RecordView {
    pub employee_id: i64,
    pub employee_number: String,
    pub employee: String,
    pub structure: String,
    pub start_date: String,
    pub end_date: String,
}

#[derive(Template)]
#[template(path = "payroll_records.html")]
struct RecordsPage {
    page: Page,
    rows: Vec<RecordView>,
    employees: Vec<(i64, String)>,
    structures: Vec<(i64, String)>,
    typed: FormTyped,
    errors: Errors,
}

#[derive(Default)]
pub struct FormTyped {
    pub employee_id: String,
    pub structure_id: String,
    pub start_date: String,
    pub end_date: String,
}

async fn records_page(
    state: &AppState,
    who: &Who,
    actor: &Actor,
    typed: FormTyped,
    status: StatusCode,
    errors: Errors,
) -> Response {
    let (rows, structures, employees) = match (
        payroll::records(&state.app, actor).await,
        payroll::structures(&state.app, actor).await,
        payroll::employee_choices(&state.app, actor).await,
    ) {
        (Ok(r), Ok(s), Ok(e)) => (r, s, e),
        (Err(e), _, _) | (_, Err(e), _) | (_, _, Err(e)) => return fail(who, &e),
    };
    let page = Page::new(state, who, "payroll-records-title", NAV_PATH).await;
    render(
        status,
        &RecordsPage {
            rows: rows
                .into_iter()
                .map(|r| RecordView {
                    employee_id: r.employee_id,
                    employee_number: r.employee_number,
                    employee: r.employee_name,
                    structure: r.structure_name,
                    start_date: r.start_date,
                    end_date: r.end_date.unwrap_or_default(),
                })
                .collect(),
            employees,
            structures: structures.into_iter().map(|s| (s.id, s.name)).collect(),
            typed,
            errors,
            page,
        },
    )
}

pub async fn records(
    State(state): State<AppState>,
    Requester(who): Requester,
    CurrentActor(actor): CurrentActor,
) -> Response {
    records_page(
        &state,
        &who,
        &actor,
        FormTyped::default(),
        StatusCode::OK,
        Errors::default(),
    )
    .await
}

pub async fn set_record(
    State(state): State<AppState>,
    Requester(who): Requester,
    CurrentActor(actor): CurrentActor,
    form: FormData,
) -> Response {
    let typed = FormTyped {
        employee_id: form.get("employee_id").to_owned(),
        structure_id: form.get("structure_id").to_owned(),
        start_date: form.get("start_date").to_owned(),
        end_date: form.get("end_date").to_owned(),
    };
    let employee: i64 = typed.employee_id.trim().parse().unwrap_or(0);
    let structure: i64 = typed.structure_id.trim().parse().unwrap_or(0);
    match payroll::set_record(
        &state.app,
        &actor,
        employee,
        structure,
        &typed.start_date,
        &typed.end_date,
    )
    .await
    {
        Ok(()) => {
            redirect_with_flash(&state, &who, "/payroll/employees", "payroll-record-saved").await
        }
        Err(e) => match form_errors(&I18n::new(actor.locale), &e, "form") {
            Some((status, errors)) => {
                records_page(&state, &who, &actor, typed, status, errors).await
            }
            None => fail(&who, &e),
        },
    }
}

// ---------------------------------------------------------------- year to date

#[derive(Debug, Clone, Default, Deserialize)]
pub struct YearQuery {
    #[serde(default)]
    pub year: Option<i32>,
}

pub struct YearView {
    pub employee_number: String,
    pub employee: String,
    pub payslips: i64,
    pub gross: String,
    pub deductions: String,
    pub tax: String,
    pub net: String,
    pub employer: String,
}

#[derive(Template)]
#[template(path = "payroll_year.html")]
struct YearPage {
    page: Page,
    year: i32,
    rows: Vec<YearView>,
}

fn year_of(query: &YearQuery) -> i32 {
    query
        .year
        .filter(|y| (1900..=9999).contains(y))
        .unwrap_or_else(|| i32::from(seam_app::today().year))
}

pub async fn year(
    State(state): State<AppState>,
    Requester(who): Requester,
    CurrentActor(actor): CurrentActor,
    Query(query): Query<YearQuery>,
) -> Response {
    let year = year_of(&query);
    let rows = match payroll::year_to_date(&state.app, &actor, year).await {
        Ok(rows) => rows,
        Err(e) => return fail(&who, &e),
    };
    let page = Page::new(&state, &who, "payroll-year-title", NAV_PATH).await;
    ok(&YearPage {
        year,
        rows: rows
            .iter()
            .map(|r| {
                let money = |m: i64| format_amount(m, &r.currency);
                YearView {
                    employee_number: r.employee_number.clone(),
                    employee: r.employee_name.clone(),
                    payslips: r.payslips,
                    gross: money(r.gross_minor),
                    deductions: money(r.deductions_minor),
                    tax: money(r.tax_minor),
                    net: money(r.net_minor),
                    employer: money(r.employer_minor),
                }
            })
            .collect(),
        page,
    })
}

pub async fn year_csv(
    State(state): State<AppState>,
    Requester(who): Requester,
    CurrentActor(actor): CurrentActor,
    Query(query): Query<YearQuery>,
) -> Response {
    let year = year_of(&query);
    match payroll::year_to_date_csv(&state.app, &actor, year).await {
        Ok(body) => csv_download(&format!("payroll-{year}-ytd.csv"), body),
        Err(e) => fail(&who, &e),
    }
}

pub async fn journal_csv(
    State(state): State<AppState>,
    Requester(who): Requester,
    CurrentActor(actor): CurrentActor,
    Query(query): Query<YearQuery>,
) -> Response {
    let year = year_of(&query);
    match payroll::journal_csv(&state.app, &actor, year).await {
        Ok(body) => csv_download(&format!("payroll-{year}-journal.csv"), body),
        Err(e) => fail(&who, &e),
    }
}
