//! Payroll: salary structures, each employee's payroll record, and monthly
//! runs that go draft → computed → approved → posted → paid.
//!
//! Computing reads HR's contracts and the structure version in effect and
//! writes one payslip per employee; posting writes one balanced journal
//! entry for the whole run (salary and employer expense against net pay,
//! tax and contribution liabilities); paying clears net pay against the
//! bank. A posted period is never computed again: a correction run pays
//! the difference to what the period already paid.
//!
//! Everything needs `payroll.use`, except that an employee with a login
//! reads their own posted payslips.

use seam_domain::FieldErrors;
use seam_domain::access::Permission;
use seam_domain::ledger::{BalancedEntry, Date, ValidLine, format_amount, parse_period};
use seam_domain::payroll::{
    self as rules, Bracket, Computation, LineKind, PayInput, PayLine, Payslip, PostingRole,
    Rounding, Rule, RuleDraft, RunAction, RunState, Structure, Term,
};
use seam_store::payroll::{self as store, LineRow, NewPayslip, RunUpdate};
pub use seam_store::payroll::{PayslipRow, RecordRow, RunRow, StructureRow, VersionRow, YearRow};
use seam_store::{StoreError, Tx};
use serde::{Deserialize, Serialize};
use serde_json::json;

use crate::{Actor, App, AppError, AppResult, Change, company, now_us, record, today};

/// Where each part of a payroll posting goes in the default chart.
pub fn account_of(role: PostingRole) -> &'static str {
    match role {
        PostingRole::SalaryExpense => "6100",
        PostingRole::EmployerExpense => "6150",
        PostingRole::NetPayable => "2200",
        PostingRole::TaxLiability => "2210",
        PostingRole::ContributionLiability => "2220",
    }
}

/// Where net pay leaves from.
pub const BANK_ACCOUNT: &str = crate::invoicing::BANK_ACCOUNT;

/// Runs per page of the list.
pub const PAGE_SIZE: i64 = 25;

// ---------------------------------------------------------------- rules as JSON

/// A rule as stored in a version's JSON: amounts in minor units, rates in
/// millionths, so reading it back is exact.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
struct StoredRule {
    code: String,
    name: String,
    kind: String,
    method: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    amount_minor: Option<i64>,
    #[serde(default)]
    prorate: bool,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    of: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    rate: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    ceiling_minor: Option<i64>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    brackets: Vec<(i64, i64)>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    periods_per_year: Option<i64>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    terms: Vec<(String, i64)>,
    #[serde(default)]
    constant_minor: i64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    min_minor: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    max_minor: Option<i64>,
    rounding: String,
    step_minor: i64,
}

fn stored(rule: &Rule) -> StoredRule {
    let mut s = StoredRule {
        code: rule.code.clone(),
        name: rule.name.clone(),
        kind: rule.kind.name().to_owned(),
        method: rule.computation.method().to_owned(),
        amount_minor: None,
        prorate: false,
        of: Vec::new(),
        rate: None,
        ceiling_minor: None,
        brackets: Vec::new(),
        periods_per_year: None,
        terms: Vec::new(),
        constant_minor: 0,
        min_minor: None,
        max_minor: None,
        rounding: rule.rounding.name().to_owned(),
        step_minor: rule.step_minor,
    };
    match &rule.computation {
        Computation::Salary => {}
        Computation::Fixed {
            amount_minor,
            prorate,
        } => {
            s.amount_minor = Some(*amount_minor);
            s.prorate = *prorate;
        }
        Computation::Percentage {
            of,
            rate,
            ceiling_minor,
        } => {
            s.of = of.clone();
            s.rate = Some(*rate);
            s.ceiling_minor = *ceiling_minor;
        }
        Computation::Brackets {
            of,
            brackets,
            periods_per_year,
        } => {
            s.of = of.clone();
            s.brackets = brackets.iter().map(|b| (b.from_minor, b.rate)).collect();
            s.periods_per_year = *periods_per_year;
        }
        Computation::Formula {
            terms,
            constant_minor,
            min_minor,
            max_minor,
        } => {
            s.terms = terms.iter().map(|t| (t.code.clone(), t.factor)).collect();
            s.constant_minor = *constant_minor;
            s.min_minor = *min_minor;
            s.max_minor = *max_minor;
        }
    }
    s
}

fn corrupt(what: &str) -> AppError {
    AppError::Internal(anyhow::anyhow!("payroll data is corrupt: {what}"))
}

fn rule_of(s: StoredRule) -> AppResult<Rule> {
    let computation = match s.method.as_str() {
        "salary" => Computation::Salary,
        "fixed" => Computation::Fixed {
            amount_minor: s.amount_minor.unwrap_or(0),
            prorate: s.prorate,
        },
        "percentage" => Computation::Percentage {
            of: s.of,
            rate: s.rate.unwrap_or(0),
            ceiling_minor: s.ceiling_minor,
        },
        "brackets" => Computation::Brackets {
            of: s.of,
            brackets: s
                .brackets
                .into_iter()
                .map(|(from_minor, rate)| Bracket { from_minor, rate })
                .collect(),
            periods_per_year: s.periods_per_year,
        },
        "formula" => Computation::Formula {
            terms: s
                .terms
                .into_iter()
                .map(|(code, factor)| Term { code, factor })
                .collect(),
            constant_minor: s.constant_minor,
            min_minor: s.min_minor,
            max_minor: s.max_minor,
        },
        other => return Err(corrupt(&format!("method {other}"))),
    };
    Ok(Rule {
        kind: LineKind::parse(&s.kind).ok_or_else(|| corrupt("kind"))?,
        rounding: Rounding::parse(&s.rounding).ok_or_else(|| corrupt("rounding"))?,
        code: s.code,
        name: s.name,
        computation,
        step_minor: s.step_minor,
    })
}

/// The structure a version's JSON holds.
pub fn structure_of(version: &VersionRow) -> AppResult<Structure> {
    let stored: Vec<StoredRule> =
        serde_json::from_str(&version.rules).map_err(|e| corrupt(&e.to_string()))?;
    Ok(Structure {
        rules: stored.into_iter().map(rule_of).collect::<AppResult<_>>()?,
    })
}

fn rules_json(structure: &Structure) -> AppResult<String> {
    let stored: Vec<StoredRule> = structure.rules.iter().map(stored).collect();
    serde_json::to_string(&stored).map_err(|e| AppError::Internal(e.into()))
}

// ---------------------------------------------------------------- structures

fn draft_rule(code: &str, kind: &str, method: &str) -> RuleDraft {
    RuleDraft {
        code: code.into(),
        name: code.to_lowercase(),
        kind: kind.into(),
        method: method.into(),
        ..RuleDraft::default()
    }
}

/// The structure the user guide works through and the demo pays with: salary, a prorated meal allowance
/// of 100.00, 8 % and 12 % social contributions on gross, a yearly tax of
/// 0 % to 10,000, 20 % to 40,000 and 40 % above on gross less the
/// employee's contribution, rounded down to the cent.
pub fn worked_example() -> Vec<RuleDraft> {
    vec![
        draft_rule("BASIC", "earning", "salary"),
        RuleDraft {
            amount: "100.00".into(),
            prorate: true,
            ..draft_rule("MEAL", "allowance", "fixed")
        },
        RuleDraft {
            rate: "8".into(),
            base: "GROSS".into(),
            ..draft_rule("EE_SOC", "deduction", "percentage")
        },
        RuleDraft {
            rate: "12".into(),
            base: "GROSS".into(),
            ..draft_rule("ER_SOC", "employer_contribution", "percentage")
        },
        RuleDraft {
            terms: "GROSS:100, EE_SOC:-100".into(),
            min: "0".into(),
            ..draft_rule("TAXABLE", "subtotal", "formula")
        },
        RuleDraft {
            base: "TAXABLE".into(),
            brackets: "0:0, 10000:20, 40000:40".into(),
            periods_per_year: "12".into(),
            rounding: "down".into(),
            ..draft_rule("TAX", "income_tax", "brackets")
        },
    ]
}

/// A structure with its versions (latest first) and their rules.
#[derive(Debug, Clone)]
pub struct StructureDetail {
    pub structure: StructureRow,
    pub versions: Vec<(VersionRow, Structure)>,
}

/// Adds a salary structure in the company's currency, with its first
/// version. Needs `payroll.use`. Returns its id.
///
/// Errors: [`AppError::Invalid`] naming `name`, `effective_from` or a rule's field.
pub async fn create_structure(
    app: &App,
    actor: &Actor,
    name: &str,
    effective_from: &str,
    drafts: &[RuleDraft],
) -> AppResult<i64> {
    actor.require(Permission::PayrollUse)?;
    let currency = company::currency(app).await?;
    let name = name.trim();
    let mut errors = FieldErrors::new();
    if name.is_empty() {
        errors.add("name", "error-required");
    } else if name.chars().count() > 100 {
        errors.add("name", "error-too-long");
    }
    let from = Date::parse(effective_from);
    if from.is_none() {
        errors.add("effective_from", "error-date");
    }
    let structure = match rules::structure_from_drafts(drafts, &currency) {
        Ok(s) => Some(s),
        Err(more) => {
            errors.extend(more);
            None
        }
    };
    let (Some(from), Some(structure)) = (from, structure) else {
        return Err(AppError::Invalid(errors));
    };
    errors.into_result(())?;
    let json = rules_json(&structure)?;
    let mut tx = app.db.begin().await?;
    let id = match store::insert_structure(&mut tx, name, &currency, now_us()).await {
        Ok(id) => id,
        Err(StoreError::Duplicate) => {
            return Err(AppError::Invalid(FieldErrors::one(
                "name",
                "error-duplicate",
            )));
        }
        Err(e) => return Err(e.into()),
    };
    store::insert_version(&mut tx, id, &from.iso(), &json, &actor.username, now_us()).await?;
    record(
        &mut tx,
        actor,
        Change {
            entity_type: "payroll_structure",
            entity_id: id.to_string(),
            action: "create",
            before: None,
            after: Some(json!({ "name": name, "currency": currency, "effective_from": from.iso(), "rules": serde_json::from_str::<serde_json::Value>(&json).unwrap_or_default() })),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(id)
}

/// Adds a version of a structure from `effective_from`: the rules it lists
/// replace the earlier version's for periods ending on or after that day.
/// Needs `payroll.use`. Returns the version's id.
///
/// Errors: [`AppError::Invalid`] naming `effective_from` (`error-date`,
/// `error-duplicate` when a version starts that day) or a rule's field.
pub async fn add_version(
    app: &App,
    actor: &Actor,
    structure_id: i64,
    effective_from: &str,
    drafts: &[RuleDraft],
) -> AppResult<i64> {
    actor.require(Permission::PayrollUse)?;
    let mut tx = app.db.begin().await?;
    let row = store::structure_in_tx(&mut tx, structure_id).await?;
    let mut errors = FieldErrors::new();
    let from = Date::parse(effective_from);
    if from.is_none() {
        errors.add("effective_from", "error-date");
    }
    let structure = match rules::structure_from_drafts(drafts, &row.currency) {
        Ok(s) => Some(s),
        Err(more) => {
            errors.extend(more);
            None
        }
    };
    let (Some(from), Some(structure)) = (from, structure) else {
        return Err(AppError::Invalid(errors));
    };
    let json = rules_json(&structure)?;
    let id = match store::insert_version(
        &mut tx,
        structure_id,
        &from.iso(),
        &json,
        &actor.username,
        now_us(),
    )
    .await
    {
        Ok(id) => id,
        Err(StoreError::Duplicate) => {
            return Err(AppError::Invalid(FieldErrors::one(
                "effective_from",
                "error-duplicate",
            )));
        }
        Err(e) => return Err(e.into()),
    };
    record(
        &mut tx,
        actor,
        Change {
            entity_type: "payroll_structure",
            entity_id: structure_id.to_string(),
            action: "version",
            before: None,
            after: Some(json!({ "effective_from": from.iso(), "rules": serde_json::from_str::<serde_json::Value>(&json).unwrap_or_default() })),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(id)
}

pub async fn structures(app: &App, actor: &Actor) -> AppResult<Vec<StructureRow>> {
    actor.require(Permission::PayrollUse)?;
    Ok(store::structures(&app.db).await?)
}

pub async fn structure(app: &App, actor: &Actor, id: i64) -> AppResult<StructureDetail> {
    actor.require(Permission::PayrollUse)?;
    let structure = store::structure(&app.db, id)
        .await?
        .ok_or(AppError::NotFound)?;
    let versions = store::versions(&app.db, id)
        .await?
        .into_iter()
        .map(|v| {
            let s = structure_of(&v)?;
            Ok((v, s))
        })
        .collect::<AppResult<_>>()?;
    Ok(StructureDetail {
        structure,
        versions,
    })
}

// ---------------------------------------------------------------- payroll records

/// Opens or changes an employee's payroll record inside the caller's
/// transaction (hiring opens one; offboarding sets its end date).
///
/// Errors: [`AppError::Invalid`] naming `employee_id`, `structure_id`,
/// `start_date` or `end_date`.
pub async fn set_record_in(
    tx: &mut Tx,
    actor: &Actor,
    employee_id: i64,
    structure_id: i64,
    start_date: &str,
    end_date: &str,
) -> AppResult<()> {
    let mut errors = FieldErrors::new();
    if !store::employee_exists(tx, employee_id).await? {
        errors.add("employee_id", "error-unknown-employee");
    }
    if matches!(
        store::structure_in_tx(tx, structure_id).await,
        Err(StoreError::NotFound)
    ) {
        errors.add("structure_id", "error-unknown-structure");
    }
    let start = Date::parse(start_date);
    if start.is_none() {
        errors.add("start_date", "error-date");
    }
    let end = match end_date.trim() {
        "" => None,
        text => {
            let end = Date::parse(text);
            match (end, start) {
                (None, _) => errors.add("end_date", "error-date"),
                (Some(e), Some(s)) if e < s => errors.add("end_date", "error-end-before-start"),
                _ => {}
            }
            end
        }
    };
    errors.into_result(())?;
    let Some(start) = start else {
        return Err(AppError::Invalid(FieldErrors::one(
            "start_date",
            "error-date",
        )));
    };
    let end_iso = end.map(Date::iso);
    let before = store::record_in_tx(tx, employee_id).await?;
    match &before {
        None => {
            store::insert_record(
                tx,
                employee_id,
                structure_id,
                &start.iso(),
                end_iso.as_deref(),
                now_us(),
            )
            .await?
        }
        Some(r) => {
            store::update_record(
                tx,
                employee_id,
                r.version,
                structure_id,
                end_iso.as_deref(),
                now_us(),
            )
            .await?
        }
    }
    record(
        tx,
        actor,
        Change {
            entity_type: "employee",
            entity_id: employee_id.to_string(),
            action: "payroll-record",
            before: before.as_ref().map(|r| {
                json!({ "structure_id": r.structure_id, "start_date": r.start_date, "end_date": r.end_date })
            }),
            after: Some(json!({
                "structure_id": structure_id,
                "start_date": before.as_ref().map_or(start.iso(), |r| r.start_date.clone()),
                "end_date": end_iso,
            })),
        },
    )
    .await?;
    Ok(())
}

/// Opens or changes an employee's payroll record. Needs `payroll.use`.
pub async fn set_record(
    app: &App,
    actor: &Actor,
    employee_id: i64,
    structure_id: i64,
    start_date: &str,
    end_date: &str,
) -> AppResult<()> {
    actor.require(Permission::PayrollUse)?;
    let mut tx = app.db.begin().await?;
    set_record_in(
        &mut tx,
        actor,
        employee_id,
        structure_id,
        start_date,
        end_date,
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

pub async fn records(app: &App, actor: &Actor) -> AppResult<Vec<RecordRow>> {
    actor.require(Permission::PayrollUse)?;
    Ok(store::records(&app.db).await?)
}

pub async fn employee_record(
    app: &App,
    actor: &Actor,
    employee_id: i64,
) -> AppResult<Option<RecordRow>> {
    actor.require(Permission::PayrollUse)?;
    Ok(store::record(&app.db, employee_id).await?)
}

// ---------------------------------------------------------------- runs

/// A run with its payslips.
#[derive(Debug, Clone)]
pub struct RunDetail {
    pub run: RunRow,
    pub payslips: Vec<PayslipRow>,
}

pub fn state_of(run: &RunRow) -> RunState {
    RunState::parse(&run.state).unwrap_or(RunState::Draft)
}

/// Opens a run for `period` (`YYYY-MM`). A period has one regular run; once
/// that run is posted, later changes go in a correction run (`correction`),
/// which may open only when every earlier run of the period is posted.
/// Needs `payroll.use`. Returns the run's id.
///
/// Errors: [`AppError::Invalid`] naming `period`; [`AppError::Conflict`]
/// `error-payroll-period-taken` (a second regular run),
/// `error-payroll-not-posted` (a correction before the period is posted).
pub async fn create_run(
    app: &App,
    actor: &Actor,
    period: &str,
    correction: bool,
) -> AppResult<i64> {
    actor.require(Permission::PayrollUse)?;
    let period = parse_period(period)
        .ok_or_else(|| AppError::Invalid(FieldErrors::one("period", "error-period")))?;
    let currency = company::currency(app).await?;
    let mut tx = app.db.begin().await?;
    let earlier = store::runs_of_period(&mut tx, &period).await?;
    let posted = |r: &RunRow| matches!(state_of(r), RunState::Posted | RunState::Paid);
    let (kind, number) = if correction {
        if earlier.is_empty() || !earlier.iter().all(posted) {
            return Err(AppError::Conflict("error-payroll-not-posted"));
        }
        ("correction", format!("PR-{period}-C{}", earlier.len()))
    } else {
        if !earlier.is_empty() {
            return Err(AppError::Conflict("error-payroll-period-taken"));
        }
        ("regular", format!("PR-{period}"))
    };
    let id = match store::insert_run(
        &mut tx,
        &number,
        &period,
        kind,
        &currency,
        &actor.username,
        now_us(),
    )
    .await
    {
        Ok(id) => id,
        Err(StoreError::Duplicate) => return Err(AppError::Conflict("error-payroll-period-taken")),
        Err(e) => return Err(e.into()),
    };
    record(
        &mut tx,
        actor,
        Change {
            entity_type: "payroll_run",
            entity_id: id.to_string(),
            action: "create",
            before: None,
            after: Some(json!({ "number": number, "period": period, "kind": kind })),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(id)
}

fn illegal() -> AppError {
    AppError::Conflict("error-payroll-run-state")
}

/// The share of a contract's salary one month pays.
fn salary_scale(period: &str, hours_per_week_x100: i64) -> (i64, i64) {
    match period {
        "year" => (1, 12),
        // An hourly wage: the contract's weekly hours, 52 weeks a year, a twelfth a month.
        "hour" => (hours_per_week_x100 * 52, 100 * 12),
        _ => (1, 1),
    }
}

/// The payslip lines of earlier posted runs of the period, per employee.
async fn paid_before(tx: &mut Tx, earlier: &[RunRow]) -> AppResult<Vec<(i64, Payslip)>> {
    let ids: Vec<i64> = earlier.iter().map(|r| r.id).collect();
    let mut by_employee: Vec<(i64, Payslip)> = Vec::new();
    for (employee_id, line) in store::lines_of_runs(tx, &ids).await? {
        let kind = LineKind::parse(&line.kind).ok_or_else(|| corrupt("line kind"))?;
        let pay_line = PayLine {
            code: line.code,
            name: line.name,
            kind,
            base_minor: line.base_minor,
            amount_minor: line.amount_minor,
        };
        match by_employee.last_mut() {
            Some((id, slip)) if *id == employee_id => slip.lines.push(pay_line),
            _ => by_employee.push((
                employee_id,
                Payslip {
                    lines: vec![pay_line],
                    ..Payslip::default()
                },
            )),
        }
    }
    Ok(by_employee)
}

/// Computes (or recomputes) every payslip of a draft or computed run from
/// the payroll records, HR's contracts and the structure versions in
/// effect. Needs `payroll.use`.
///
/// Errors: [`AppError::Conflict`] `error-payroll-run-state` once approved;
/// [`AppError::Invalid`] naming `employees` when an employee has no
/// contract, one in another currency, or no structure version in effect.
pub async fn compute_run(app: &App, actor: &Actor, id: i64) -> AppResult<RunDetail> {
    actor.require(Permission::PayrollUse)?;
    let mut tx = app.db.begin().await?;
    let run = store::run_in_tx(&mut tx, id).await?;
    let to = state_of(&run)
        .next(RunAction::Compute)
        .ok_or_else(illegal)?;
    let first = Date::parse(&format!("{}-01", run.period)).ok_or_else(|| corrupt("period"))?;
    let (first, last) = rules::month_of(first);
    let scope = store::scope(&mut tx, &first.iso(), &last.iso()).await?;
    let versions = store::all_versions(&mut tx).await?;
    let earlier: Vec<RunRow> = if run.kind == "correction" {
        store::runs_of_period(&mut tx, &run.period)
            .await?
            .into_iter()
            .filter(|r| r.id != run.id)
            .collect()
    } else {
        Vec::new()
    };
    let paid = paid_before(&mut tx, &earlier).await?;

    let mut errors = FieldErrors::new();
    let mut slips: Vec<(i64, i64, Payslip, bool)> = Vec::new();
    for row in &scope {
        let who = vec![("employee", row.employee_name.clone())];
        let (Some(salary), Some(period), Some(currency)) =
            (row.salary_minor, &row.salary_period, &row.currency)
        else {
            errors.add_with("employees", "error-payroll-no-contract", who);
            continue;
        };
        if *currency != run.currency {
            errors.add_with("employees", "error-payroll-currency", who);
            continue;
        }
        let Some(version) = versions
            .iter()
            .rfind(|v| v.structure_id == row.structure_id && v.effective_from <= last.iso())
        else {
            errors.add_with("employees", "error-payroll-no-version", who);
            continue;
        };
        let structure = structure_of(version)?;
        let end = row.end_date.as_deref().and_then(Date::parse);
        let input = PayInput {
            period_start: first,
            period_end: last,
            salary_minor: salary,
            salary_scale: salary_scale(period, row.hours_per_week_x100.unwrap_or(0)),
            employed_from: Date::parse(&row.start_date).ok_or_else(|| corrupt("start date"))?,
            employed_to: end,
        };
        let slip = match rules::compute(&structure, &input) {
            Ok(slip) => slip,
            Err(rules::PayError::NotEmployed) => continue,
            Err(e) => {
                errors.add_with("employees", "error-payroll-compute", who);
                tracing::warn!(?e, employee = row.employee_id, "payslip not computed");
                continue;
            }
        };
        let slip = match paid.iter().find(|(e, _)| *e == row.employee_id) {
            Some((_, before)) => rules::difference(&slip, std::slice::from_ref(before))
                .map_err(|_| corrupt("difference"))?,
            None => slip,
        };
        let is_final = end.is_some_and(|e| e <= last);
        slips.push((row.employee_id, version.id, slip, is_final));
    }
    errors.into_result(())?;
    if run.kind == "correction" {
        // A correction pays only differences; an employee paid before but out
        // of scope now is paid back in full, and one with no change is left out.
        for (employee_id, before) in &paid {
            if !slips.iter().any(|(e, ..)| e == employee_id) {
                let nothing = Payslip {
                    days_paid: 0,
                    days_in_period: before.days_in_period,
                    ..Payslip::default()
                };
                let back = rules::difference(&nothing, std::slice::from_ref(before))
                    .map_err(|_| corrupt("difference"))?;
                let version_id = versions
                    .iter()
                    .rfind(|v| v.effective_from <= last.iso())
                    .map(|v| v.id)
                    .ok_or_else(|| corrupt("no version"))?;
                slips.push((*employee_id, version_id, back, false));
            }
        }
        slips.retain(|(_, _, s, _)| s.lines.iter().any(|l| l.amount_minor != 0));
    }

    store::delete_payslips(&mut tx, id).await?;
    let (mut gross, mut net, mut employer) = (0_i64, 0_i64, 0_i64);
    for (employee_id, version_id, slip, is_final) in &slips {
        let lines: Vec<LineRow> = slip
            .lines
            .iter()
            .enumerate()
            .map(|(i, l)| LineRow {
                payslip_id: 0,
                position: i as i64,
                code: l.code.clone(),
                name: l.name.clone(),
                kind: l.kind.name().to_owned(),
                base_minor: l.base_minor,
                amount_minor: l.amount_minor,
            })
            .collect();
        store::insert_payslip(
            &mut tx,
            &NewPayslip {
                run_id: id,
                employee_id: *employee_id,
                structure_version_id: *version_id,
                currency: &run.currency,
                gross_minor: slip.gross_minor,
                deductions_minor: slip.deductions_minor,
                tax_minor: slip.tax_minor,
                employer_minor: slip.employer_minor,
                net_minor: slip.net_minor,
                days_paid: slip.days_paid,
                days_in_period: slip.days_in_period,
                is_final: *is_final,
            },
            &lines,
        )
        .await?;
        gross += slip.gross_minor;
        net += slip.net_minor;
        employer += slip.employer_minor;
    }
    store::update_run(
        &mut tx,
        id,
        run.version,
        &RunUpdate {
            state: to.name(),
            gross_minor: gross,
            net_minor: net,
            employer_minor: employer,
            payslip_count: slips.len() as i64,
            entry_id: None,
            payment_entry_id: None,
            approved_by: None,
        },
        now_us(),
    )
    .await?;
    record(
        &mut tx,
        actor,
        Change {
            entity_type: "payroll_run",
            entity_id: id.to_string(),
            action: "compute",
            before: Some(json!({ "state": run.state })),
            after: Some(json!({ "state": to.name(), "payslips": slips.len() })),
        },
    )
    .await?;
    tx.commit().await?;
    run_detail(app, actor, id).await
}

/// Approves a computed run: its payslips are final from now on. Needs `payroll.use`.
pub async fn approve_run(app: &App, actor: &Actor, id: i64) -> AppResult<()> {
    actor.require(Permission::PayrollUse)?;
    let mut tx = app.db.begin().await?;
    let run = store::run_in_tx(&mut tx, id).await?;
    let to = state_of(&run)
        .next(RunAction::Approve)
        .ok_or_else(illegal)?;
    store::update_run(
        &mut tx,
        id,
        run.version,
        &RunUpdate {
            state: to.name(),
            gross_minor: run.gross_minor,
            net_minor: run.net_minor,
            employer_minor: run.employer_minor,
            payslip_count: run.payslip_count,
            entry_id: None,
            payment_entry_id: None,
            approved_by: Some(&actor.username),
        },
        now_us(),
    )
    .await?;
    record(
        &mut tx,
        actor,
        Change {
            entity_type: "payroll_run",
            entity_id: id.to_string(),
            action: "approve",
            before: Some(json!({ "state": run.state })),
            after: Some(json!({ "state": to.name() })),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Posts an approved run as one balanced journal entry dated the period's
/// last day, and puts each payslip on its employee's timeline. Needs
/// `payroll.use`. Returns the entry's number.
///
/// Errors: [`AppError::Conflict`] `error-payroll-run-state` unless approved;
/// [`AppError::Invalid`] naming `date` when the period is closed.
pub async fn post_run(app: &App, actor: &Actor, id: i64) -> AppResult<String> {
    actor.require(Permission::PayrollUse)?;
    let mut tx = app.db.begin().await?;
    let run = store::run_in_tx(&mut tx, id).await?;
    let to = state_of(&run).next(RunAction::Post).ok_or_else(illegal)?;
    let payslips = store::payslips_of_run_in_tx(&mut tx, id).await?;
    let totals: Vec<Payslip> = payslips
        .iter()
        .map(|p| Payslip {
            gross_minor: p.gross_minor,
            deductions_minor: p.deductions_minor,
            tax_minor: p.tax_minor,
            employer_minor: p.employer_minor,
            net_minor: p.net_minor,
            ..Payslip::default()
        })
        .collect();
    let lines: Vec<ValidLine> = rules::posting(&totals)
        .map_err(|_| corrupt("posting overflow"))?
        .into_iter()
        .map(|(role, debit_minor, credit_minor)| ValidLine {
            account: account_of(role).to_owned(),
            debit_minor,
            credit_minor,
        })
        .collect();
    let first = Date::parse(&format!("{}-01", run.period)).ok_or_else(|| corrupt("period"))?;
    let (_, last) = rules::month_of(first);
    let entry_id = if lines.is_empty() {
        None
    } else {
        let entry = BalancedEntry::from_stored(
            last,
            format!("Payroll {} ({} payslips)", run.number, payslips.len()),
            run.currency.clone(),
            lines,
        )
        .map_err(AppError::Invalid)?;
        Some(crate::ledger::post(&mut tx, actor, &entry, None).await?)
    };
    store::update_run(
        &mut tx,
        id,
        run.version,
        &RunUpdate {
            state: to.name(),
            gross_minor: run.gross_minor,
            net_minor: run.net_minor,
            employer_minor: run.employer_minor,
            payslip_count: run.payslip_count,
            entry_id: entry_id.as_ref().map(|(id, _)| *id),
            payment_entry_id: None,
            approved_by: run.approved_by.as_deref(),
        },
        now_us(),
    )
    .await?;
    record(
        &mut tx,
        actor,
        Change {
            entity_type: "payroll_run",
            entity_id: id.to_string(),
            action: "post",
            before: Some(json!({ "state": run.state })),
            after: Some(json!({ "state": to.name(), "entry": entry_id.as_ref().map(|(_, n)| n) })),
        },
    )
    .await?;
    for p in &payslips {
        record(
            &mut tx,
            actor,
            Change {
                entity_type: "employee",
                entity_id: p.employee_id.to_string(),
                action: "payslip",
                before: None,
                // Amounts stay out: managers read the journal, and pay is confidential.
                after: Some(json!({ "run": run.number, "payslip_id": p.id, "final": p.is_final })),
            },
        )
        .await?;
    }
    tx.commit().await?;
    Ok(entry_id.map(|(_, n)| n).unwrap_or_default())
}

/// Pays a posted run: net pay leaves the bank on `pay_date` (empty: today)
/// and the salaries payable are cleared. Needs `payroll.use`. Returns the
/// entry's number.
///
/// Errors: [`AppError::Conflict`] `error-payroll-run-state` unless posted;
/// [`AppError::Invalid`] naming `pay_date`.
pub async fn pay_run(app: &App, actor: &Actor, id: i64, pay_date: &str) -> AppResult<String> {
    actor.require(Permission::PayrollUse)?;
    let date = match pay_date.trim() {
        "" => today(),
        text => Date::parse(text)
            .ok_or_else(|| AppError::Invalid(FieldErrors::one("pay_date", "error-date")))?,
    };
    let mut tx = app.db.begin().await?;
    let run = store::run_in_tx(&mut tx, id).await?;
    let to = state_of(&run).next(RunAction::Pay).ok_or_else(illegal)?;
    let entry_id = if run.net_minor == 0 {
        None
    } else {
        // A correction that pays back (net below zero) brings money in: the
        // invoicing helpers put a negative amount on the other side.
        let payable = account_of(rules::PostingRole::NetPayable);
        let lines = vec![
            crate::invoicing::debit(payable, run.net_minor),
            crate::invoicing::credit(BANK_ACCOUNT, run.net_minor),
        ];
        let entry = BalancedEntry::from_stored(
            date,
            format!("Net pay of {}", run.number),
            run.currency.clone(),
            lines,
        )
        .map_err(|e| AppError::Invalid(rename(e, "date", "pay_date")))?;
        Some(
            crate::ledger::post(&mut tx, actor, &entry, None)
                .await
                .map_err(|e| match e {
                    AppError::Invalid(errors) => {
                        AppError::Invalid(rename(errors, "date", "pay_date"))
                    }
                    other => other,
                })?,
        )
    };
    store::update_run(
        &mut tx,
        id,
        run.version,
        &RunUpdate {
            state: to.name(),
            gross_minor: run.gross_minor,
            net_minor: run.net_minor,
            employer_minor: run.employer_minor,
            payslip_count: run.payslip_count,
            entry_id: run.entry_id,
            payment_entry_id: entry_id.as_ref().map(|(id, _)| *id),
            approved_by: run.approved_by.as_deref(),
        },
        now_us(),
    )
    .await?;
    record(
        &mut tx,
        actor,
        Change {
            entity_type: "payroll_run",
            entity_id: id.to_string(),
            action: "pay",
            before: Some(json!({ "state": run.state })),
            after: Some(json!({ "state": to.name(), "pay_date": date.iso(), "entry": entry_id.as_ref().map(|(_, n)| n) })),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(entry_id.map(|(_, n)| n).unwrap_or_default())
}

/// The same errors with `from` called `to` (the ledger's `date` is the run's `pay_date`).
fn rename(errors: FieldErrors, from: &str, to: &str) -> FieldErrors {
    let mut out = FieldErrors::new();
    for e in errors.iter() {
        let field = if e.field == from {
            to
        } else {
            e.field.as_str()
        };
        out.add_with(field, e.code, e.args.clone());
    }
    out
}

/// Runs, newest first, before the run `before`.
pub async fn runs(app: &App, actor: &Actor, before: Option<i64>) -> AppResult<Vec<RunRow>> {
    actor.require(Permission::PayrollUse)?;
    Ok(store::runs(&app.db, before, PAGE_SIZE).await?)
}

pub async fn run_detail(app: &App, actor: &Actor, id: i64) -> AppResult<RunDetail> {
    actor.require(Permission::PayrollUse)?;
    let run = store::run(&app.db, id).await?.ok_or(AppError::NotFound)?;
    let payslips = store::payslips_of_run(&app.db, id).await?;
    Ok(RunDetail { run, payslips })
}

// ---------------------------------------------------------------- payslips

/// A payslip with its lines.
#[derive(Debug, Clone)]
pub struct PayslipDetail {
    pub payslip: PayslipRow,
    pub lines: Vec<LineRow>,
}

/// The employee the actor's login belongs to, for their own payslips.
async fn own_employee(app: &App, actor: &Actor) -> AppResult<Option<i64>> {
    crate::hr::own_employee_id(app, actor).await
}

/// One payslip: payroll reads any; an employee reads their own once its
/// run is posted. Anything else is "not found", so an id reveals nothing.
pub async fn payslip(app: &App, actor: &Actor, id: i64) -> AppResult<PayslipDetail> {
    let row = store::payslip(&app.db, id).await?;
    let allowed = match &row {
        _ if actor.may(Permission::PayrollUse) => true,
        Some(p) => {
            matches!(p.run_state.as_str(), "posted" | "paid")
                && own_employee(app, actor).await? == Some(p.employee_id)
        }
        None => false,
    };
    let row = match row {
        Some(row) if allowed => row,
        _ => return Err(AppError::NotFound),
    };
    let lines = store::lines(&app.db, id).await?;
    Ok(PayslipDetail {
        payslip: row,
        lines,
    })
}

/// The actor's own posted payslips, newest first; none for a login that is
/// no employee's.
pub async fn my_payslips(app: &App, actor: &Actor) -> AppResult<Vec<PayslipRow>> {
    match own_employee(app, actor).await? {
        Some(employee) => Ok(store::payslips_of_employee(&app.db, employee).await?),
        None => Ok(Vec::new()),
    }
}

/// An employee's posted payslips. Needs `payroll.use`.
pub async fn employee_payslips(
    app: &App,
    actor: &Actor,
    employee_id: i64,
) -> AppResult<Vec<PayslipRow>> {
    actor.require(Permission::PayrollUse)?;
    Ok(store::payslips_of_employee(&app.db, employee_id).await?)
}

/// A payslip as a PDF, under the same rules as [`payslip`].
pub async fn payslip_pdf(app: &App, actor: &Actor, id: i64) -> AppResult<Vec<u8>> {
    let detail = payslip(app, actor, id).await?;
    let seller = company::profile(app).await?;
    let doc = seam_pdf::PayslipDocument {
        company: seller.name.clone(),
        number: format!(
            "{}/{}",
            detail.payslip.run_number, detail.payslip.employee_number
        ),
        period: detail.payslip.period.clone(),
        employee: detail.payslip.employee_name.clone(),
        employee_number: detail.payslip.employee_number.clone(),
        currency: detail.payslip.currency.clone(),
        correction: detail.payslip.run_kind == "correction",
        is_final: detail.payslip.is_final,
        days: (detail.payslip.days_paid, detail.payslip.days_in_period),
        lines: detail
            .lines
            .iter()
            .map(|l| (l.name.clone(), l.kind.clone(), l.base_minor, l.amount_minor))
            .collect(),
        gross_minor: detail.payslip.gross_minor,
        deductions_minor: detail.payslip.deductions_minor + detail.payslip.tax_minor,
        net_minor: detail.payslip.net_minor,
        employer_minor: detail.payslip.employer_minor,
    };
    seam_pdf::payslip_pdf(&doc).map_err(|e| AppError::Internal(anyhow::anyhow!("{e:?}")))
}

// ---------------------------------------------------------------- reports

/// Year to date per employee (posted and paid runs, corrections included).
/// Needs `payroll.use`.
pub async fn year_to_date(app: &App, actor: &Actor, year: i32) -> AppResult<Vec<YearRow>> {
    actor.require(Permission::PayrollUse)?;
    Ok(store::year_to_date(&app.db, year, None).await?)
}

/// The payroll journal of a year as CSV: one row per payslip line of every
/// posted or paid run, with the run, period and employee. Needs `payroll.use`.
pub async fn journal_csv(app: &App, actor: &Actor, year: i32) -> AppResult<String> {
    actor.require(Permission::PayrollUse)?;
    let rows = store::journal(&app.db, year).await?;
    let mut csv = crate::csv_file::CsvOut::new(&[
        "run",
        "period",
        "employee_number",
        "employee",
        "code",
        "name",
        "kind",
        "base",
        "amount",
        "currency",
    ])?;
    for r in &rows {
        let money = |m: i64| format_amount(m, &r.currency);
        csv.row([
            r.run_number.as_str(),
            &r.period,
            &r.employee_number,
            &r.employee_name,
            &r.code,
            &r.name,
            &r.kind,
            &r.base_minor.map(money).unwrap_or_default(),
            &money(r.amount_minor),
            &r.currency,
        ])?;
    }
    csv.finish()
}

/// Year to date as CSV.
pub async fn year_to_date_csv(app: &App, actor: &Actor, year: i32) -> AppResult<String> {
    let rows = year_to_date(app, actor, year).await?;
    let mut csv = crate::csv_file::CsvOut::new(&[
        "employee_number",
        "employee",
        "payslips",
        "gross",
        "deductions",
        "tax",
        "net",
        "employer",
        "currency",
    ])?;
    for r in &rows {
        let money = |m: i64| format_amount(m, &r.currency);
        csv.row([
            r.employee_number.as_str(),
            &r.employee_name,
            &r.payslips.to_string(),
            &money(r.gross_minor),
            &money(r.deductions_minor),
            &money(r.tax_minor),
            &money(r.net_minor),
            &money(r.employer_minor),
            &r.currency,
        ])?;
    }
    csv.finish()
}

/// Every employee as (id, "number name"), for the payroll record form. Needs `payroll.use`.
pub async fn employee_choices(app: &App, actor: &Actor) -> AppResult<Vec<(i64, String)>> {
    actor.require(Permission::PayrollUse)?;
    Ok(store::employee_choices(&app.db).await?)
}
