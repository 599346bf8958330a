//! Payroll on SQLite and (with `SEAM_TEST_PG_URL`) PostgreSQL: a month is
//! computed from HR's contracts with the worked example structure (brackets,
//! rounding, a mid-month start prorated), approved, posted as one balanced
//! entry and paid; a posted month is never computed again and a correction
//! pays only the difference; an employee reads only their own posted
//! payslips; bad input names its field and writes nothing.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use seam_app::hr::{self, NewEmployee};
use seam_app::payroll;
use seam_app::{Actor, App, AppError};
use seam_domain::access::Role;
use seam_domain::hr::{ContractDraft, EmployeeDraft};
use seam_domain::payroll::RuleDraft;

both_backends!(
    a_month_is_computed_approved_posted_and_paid_and_the_ledger_balances,
    a_posted_month_is_corrected_by_the_difference_only,
    the_last_month_pays_the_days_employed_on_a_final_payslip,
    an_employee_reads_only_their_own_posted_payslips,
    bad_input_names_the_field_and_writes_nothing,
);

use crate::common::staff;

/// The worked example of the user guide (and the demo): salary, a prorated
/// meal allowance of 100.00, 8 % and 12 % social contributions on gross, a
/// yearly tax of 0 % to 10,000, 20 % to 40,000 and 40 % above on gross less
/// the employee's contribution, rounded down to the cent.
fn example() -> Vec<RuleDraft> {
    payroll::worked_example()
}

fn contract(start: &str, salary: &str) -> ContractDraft {
    ContractDraft {
        start_date: start.into(),
        working_time_pct: "100".into(),
        hours_per_week: "40".into(),
        salary: salary.into(),
        currency: "EUR".into(),
        salary_period: "month".into(),
        ..ContractDraft::default()
    }
}

/// Payroll (an HR officer), the structure, and two employees on payroll:
/// Ana from before the year (3,000.00) and Ben from 16 March (3,100.00),
/// Ben with a login.
struct Office {
    hr: Actor,
    structure_id: i64,
    ana: i64,
    ben: i64,
    ben_login: Actor,
}

async fn office(app: &App) -> Office {
    let hr_user = staff(app, "payroller", &[Role::Hr]).await;
    let ben_login = staff(app, "ben", &[Role::Employee]).await;
    let structure_id =
        payroll::create_structure(app, &hr_user, "Salaried staff", "2026-01-01", &example())
            .await
            .unwrap();
    let mut ids = Vec::new();
    for (name, username, start, salary) in [
        ("Ana Alves", "", "2025-06-01", "3000"),
        ("Ben Berg", "ben", "2026-03-16", "3100"),
    ] {
        let input = NewEmployee {
            employee: EmployeeDraft {
                name: name.into(),
                ..EmployeeDraft::default()
            },
            username: username.into(),
        };
        let id = hr::create_employee(app, &hr_user, &input).await.unwrap().0;
        hr::add_contract(app, &hr_user, id, &contract(start, salary))
            .await
            .unwrap();
        payroll::set_record(app, &hr_user, id, structure_id, start, "")
            .await
            .unwrap();
        ids.push(id);
    }
    Office {
        hr: hr_user,
        structure_id,
        ana: ids[0],
        ben: ids[1],
        ben_login,
    }
}

fn conflict(err: AppError) -> &'static str {
    match err {
        AppError::Conflict(code) => code,
        other => panic!("expected a conflict, got {other:?}"),
    }
}

fn field(err: AppError, name: &str) -> &'static str {
    match err {
        AppError::Invalid(errors) => errors
            .for_field(name)
            .unwrap_or_else(|| panic!("no error for {name}: {errors:?}")),
        other => panic!("expected field errors, got {other:?}"),
    }
}

/// The balance of an account at the end of `at`, on its normal side.
async fn balance(app: &App, code: &str, at: &str) -> i64 {
    let tb = seam_app::ledger::trial_balance(app, &Actor::system("t"), at)
        .await
        .unwrap();
    tb.lines
        .iter()
        .filter(|l| l.code == code)
        .map(|l| l.normal_minor())
        .sum()
}

async fn a_month_is_computed_approved_posted_and_paid_and_the_ledger_balances(app: App) {
    let o = office(&app).await;
    let run = payroll::create_run(&app, &o.hr, "2026-03", false)
        .await
        .unwrap();
    let detail = payroll::compute_run(&app, &o.hr, run).await.unwrap();
    assert_eq!(detail.run.state, "computed");
    assert_eq!(detail.payslips.len(), 2);
    let ana = detail
        .payslips
        .iter()
        .find(|p| p.employee_id == o.ana)
        .unwrap();
    // 3,000.00 + 100.00 = 3,100.00 gross; 8 % = 248.00; taxable 2,852.00 a
    // month, 34,224.00 a year: 20 % of 24,224.00 = 4,844.80, a twelfth 403.73.
    assert_eq!(ana.gross_minor, 310_000);
    assert_eq!(ana.deductions_minor, 24_800);
    assert_eq!(ana.tax_minor, 40_373);
    assert_eq!(ana.employer_minor, 37_200);
    assert_eq!(ana.net_minor, 310_000 - 24_800 - 40_373);
    // Ben from the 16th: 16 of 31 days of 3,100.00 = 1,600.00, meal 51.61.
    let ben = detail
        .payslips
        .iter()
        .find(|p| p.employee_id == o.ben)
        .unwrap();
    assert_eq!((ben.days_paid, ben.days_in_period), (16, 31));
    let ben_lines = payroll::payslip(&app, &o.hr, ben.id).await.unwrap().lines;
    let amount = |code: &str| {
        ben_lines
            .iter()
            .find(|l| l.code == code)
            .unwrap()
            .amount_minor
    };
    assert_eq!(amount("BASIC"), 160_000);
    assert_eq!(amount("MEAL"), 5_161);

    // Computing again replaces the payslips; a second regular run is refused.
    let again = payroll::compute_run(&app, &o.hr, run).await.unwrap();
    assert_eq!(again.payslips.len(), 2);
    let err = payroll::create_run(&app, &o.hr, "2026-03", false)
        .await
        .unwrap_err();
    assert_eq!(conflict(err), "error-payroll-period-taken");
    // Steps out of order are refused.
    let err = payroll::post_run(&app, &o.hr, run).await.unwrap_err();
    assert_eq!(conflict(err), "error-payroll-run-state");

    payroll::approve_run(&app, &o.hr, run).await.unwrap();
    let err = payroll::compute_run(&app, &o.hr, run).await.unwrap_err();
    assert_eq!(conflict(err), "error-payroll-run-state");
    let number = payroll::post_run(&app, &o.hr, run).await.unwrap();
    assert!(number.starts_with("JE-2026-"));
    let err = payroll::compute_run(&app, &o.hr, run).await.unwrap_err();
    assert_eq!(conflict(err), "error-payroll-run-state");

    let run_row = payroll::run_detail(&app, &o.hr, run).await.unwrap().run;
    let net = run_row.net_minor;
    let gross = run_row.gross_minor;
    let employer = run_row.employer_minor;
    let tb = seam_app::ledger::trial_balance(&app, &Actor::system("t"), "2026-03-31")
        .await
        .unwrap();
    assert_eq!(tb.debit_totals, tb.credit_totals);
    assert_eq!(balance(&app, "6100", "2026-03-31").await, gross);
    assert_eq!(balance(&app, "6150", "2026-03-31").await, employer);
    assert_eq!(balance(&app, "2200", "2026-03-31").await, net);
    let tax = ana.tax_minor + ben.tax_minor;
    assert_eq!(balance(&app, "2210", "2026-03-31").await, tax);
    assert_eq!(
        balance(&app, "2220", "2026-03-31").await,
        ana.deductions_minor + ben.deductions_minor + employer
    );

    payroll::pay_run(&app, &o.hr, run, "2026-04-01")
        .await
        .unwrap();
    assert_eq!(balance(&app, "2200", "2026-04-01").await, 0);
    assert_eq!(
        payroll::run_detail(&app, &o.hr, run)
            .await
            .unwrap()
            .run
            .state,
        "paid"
    );
    // The year to date and the journal read what was posted.
    let ytd = payroll::year_to_date(&app, &o.hr, 2026).await.unwrap();
    assert_eq!(ytd.iter().map(|r| r.net_minor).sum::<i64>(), net);
    let csv = payroll::journal_csv(&app, &o.hr, 2026).await.unwrap();
    assert!(
        csv.lines()
            .next()
            .unwrap()
            .starts_with("run,period,employee_number")
    );
    assert!(csv.contains("PR-2026-03,2026-03,"));
    assert!(csv.contains(",TAX,tax,income_tax,2852.00,403.73,EUR"));
    // Each payslip is on its employee's timeline.
    let timeline = hr::employee(&app, &o.hr, o.ana).await.unwrap().timeline;
    assert!(timeline.iter().any(|e| e.action == "payslip"));
    assert!(timeline.iter().any(|e| e.action == "payroll-record"));
}

async fn a_posted_month_is_corrected_by_the_difference_only(app: App) {
    let o = office(&app).await;
    let run = payroll::create_run(&app, &o.hr, "2026-03", false)
        .await
        .unwrap();
    let err = payroll::create_run(&app, &o.hr, "2026-03", true)
        .await
        .unwrap_err();
    assert_eq!(conflict(err), "error-payroll-not-posted");
    payroll::compute_run(&app, &o.hr, run).await.unwrap();
    payroll::approve_run(&app, &o.hr, run).await.unwrap();
    payroll::post_run(&app, &o.hr, run).await.unwrap();
    let before = balance(&app, "6100", "2026-03-31").await;

    // From 15 March the meal allowance is 150.00: the structure gets a version.
    let mut rules = example();
    rules[1].amount = "150.00".into();
    payroll::add_version(&app, &o.hr, o.structure_id, "2026-03-15", &rules)
        .await
        .unwrap();
    let correction = payroll::create_run(&app, &o.hr, "2026-03", true)
        .await
        .unwrap();
    let detail = payroll::compute_run(&app, &o.hr, correction).await.unwrap();
    assert_eq!(detail.run.number, "PR-2026-03-C1");
    let ana = detail
        .payslips
        .iter()
        .find(|p| p.employee_id == o.ana)
        .unwrap();
    let lines = payroll::payslip(&app, &o.hr, ana.id).await.unwrap().lines;
    let amount = |code: &str| lines.iter().find(|l| l.code == code).unwrap().amount_minor;
    assert_eq!(amount("BASIC"), 0);
    assert_eq!(amount("MEAL"), 5_000);
    assert_eq!(ana.gross_minor, 5_000);
    assert_eq!(amount("EE_SOC"), 400);
    payroll::approve_run(&app, &o.hr, correction).await.unwrap();
    payroll::post_run(&app, &o.hr, correction).await.unwrap();
    let ben_extra = detail
        .payslips
        .iter()
        .find(|p| p.employee_id == o.ben)
        .map_or(0, |p| p.gross_minor);
    assert_eq!(
        balance(&app, "6100", "2026-03-31").await,
        before + 5_000 + ben_extra
    );
    let tb = seam_app::ledger::trial_balance(&app, &Actor::system("t"), "2026-03-31")
        .await
        .unwrap();
    assert_eq!(tb.debit_totals, tb.credit_totals);
    // The year to date holds both runs.
    let ytd = payroll::year_to_date(&app, &o.hr, 2026).await.unwrap();
    let ana_ytd = ytd.iter().find(|r| r.employee_id == o.ana).unwrap();
    assert_eq!(ana_ytd.payslips, 2);
    assert_eq!(ana_ytd.gross_minor, 315_000);
}

async fn the_last_month_pays_the_days_employed_on_a_final_payslip(app: App) {
    let o = office(&app).await;
    payroll::set_record(
        &app,
        &o.hr,
        o.ana,
        o.structure_id,
        "2025-06-01",
        "2026-04-10",
    )
    .await
    .unwrap();
    let april = payroll::create_run(&app, &o.hr, "2026-04", false)
        .await
        .unwrap();
    let detail = payroll::compute_run(&app, &o.hr, april).await.unwrap();
    let ana = detail
        .payslips
        .iter()
        .find(|p| p.employee_id == o.ana)
        .unwrap();
    assert!(ana.is_final);
    assert_eq!((ana.days_paid, ana.days_in_period), (10, 30));
    // 3,000.00 × 10/30 = 1,000.00 and a third of the meal allowance.
    let lines = payroll::payslip(&app, &o.hr, ana.id).await.unwrap().lines;
    assert_eq!(lines[0].amount_minor, 100_000);
    assert_eq!(lines[1].amount_minor, 3_333);
    let may = payroll::create_run(&app, &o.hr, "2026-05", false)
        .await
        .unwrap();
    let detail = payroll::compute_run(&app, &o.hr, may).await.unwrap();
    assert!(detail.payslips.iter().all(|p| p.employee_id != o.ana));
    assert_eq!(detail.payslips.len(), 1);
}

async fn an_employee_reads_only_their_own_posted_payslips(app: App) {
    let o = office(&app).await;
    let run = payroll::create_run(&app, &o.hr, "2026-03", false)
        .await
        .unwrap();
    let detail = payroll::compute_run(&app, &o.hr, run).await.unwrap();
    let ben_slip = detail
        .payslips
        .iter()
        .find(|p| p.employee_id == o.ben)
        .unwrap()
        .id;
    let ana_slip = detail
        .payslips
        .iter()
        .find(|p| p.employee_id == o.ana)
        .unwrap()
        .id;
    // Before posting Ben sees nothing, not even his own.
    assert!(
        payroll::my_payslips(&app, &o.ben_login)
            .await
            .unwrap()
            .is_empty()
    );
    assert!(matches!(
        payroll::payslip(&app, &o.ben_login, ben_slip).await,
        Err(AppError::NotFound)
    ));
    payroll::approve_run(&app, &o.hr, run).await.unwrap();
    payroll::post_run(&app, &o.hr, run).await.unwrap();
    let mine = payroll::my_payslips(&app, &o.ben_login).await.unwrap();
    assert_eq!(mine.len(), 1);
    assert_eq!(mine[0].id, ben_slip);
    let pdf = payroll::payslip_pdf(&app, &o.ben_login, ben_slip)
        .await
        .unwrap();
    assert!(pdf.starts_with(b"%PDF-"));
    // Ana's payslip is "not found" to Ben, by id or as a PDF.
    assert!(matches!(
        payroll::payslip(&app, &o.ben_login, ana_slip).await,
        Err(AppError::NotFound)
    ));
    assert!(matches!(
        payroll::payslip_pdf(&app, &o.ben_login, ana_slip).await,
        Err(AppError::NotFound)
    ));
    // IT reads no payroll at all, and a login that is no employee's has no payslips.
    let it = staff(&app, "itdesk", &[Role::It]).await;
    assert!(matches!(
        payroll::run_detail(&app, &it, run).await,
        Err(AppError::Forbidden)
    ));
    assert!(matches!(
        payroll::payslip(&app, &it, ana_slip).await,
        Err(AppError::NotFound)
    ));
    assert!(payroll::my_payslips(&app, &it).await.unwrap().is_empty());
    assert!(matches!(
        payroll::year_to_date(&app, &it, 2026).await,
        Err(AppError::Forbidden)
    ));
}

async fn bad_input_names_the_field_and_writes_nothing(app: App) {
    let o = office(&app).await;
    let mut rules = example();
    rules[5].base = "NOWHERE".into();
    rules[2].rate = "-8".into();
    let err = payroll::create_structure(&app, &o.hr, "Broken", "2026-01-01", &rules)
        .await
        .unwrap_err();
    let AppError::Invalid(errors) = err else {
        panic!("expected field errors")
    };
    assert_eq!(
        errors.for_field("rules[5].base"),
        Some("error-payroll-unknown-base")
    );
    assert_eq!(
        errors.for_field("rules[2].rate"),
        Some("error-payroll-rate")
    );
    let err = payroll::create_structure(&app, &o.hr, "", "someday", &example())
        .await
        .unwrap_err();
    let AppError::Invalid(errors) = err else {
        panic!("expected field errors")
    };
    assert_eq!(errors.for_field("name"), Some("error-required"));
    assert_eq!(errors.for_field("effective_from"), Some("error-date"));
    assert_eq!(payroll::structures(&app, &o.hr).await.unwrap().len(), 1);
    let err = payroll::create_structure(&app, &o.hr, "Salaried staff", "2026-01-01", &example())
        .await
        .unwrap_err();
    assert_eq!(field(err, "name"), "error-duplicate");

    let err = payroll::set_record(
        &app,
        &o.hr,
        o.ana,
        o.structure_id,
        "2025-06-01",
        "2025-01-01",
    )
    .await
    .unwrap_err();
    assert_eq!(field(err, "end_date"), "error-end-before-start");
    let err = payroll::set_record(&app, &o.hr, 999_999, o.structure_id, "2025-06-01", "")
        .await
        .unwrap_err();
    assert_eq!(field(err, "employee_id"), "error-unknown-employee");
    let err = payroll::set_record(&app, &o.hr, o.ana, 999_999, "2025-06-01", "")
        .await
        .unwrap_err();
    assert_eq!(field(err, "structure_id"), "error-unknown-structure");
    assert!(
        payroll::employee_record(&app, &o.hr, o.ana)
            .await
            .unwrap()
            .unwrap()
            .end_date
            .is_none()
    );

    let err = payroll::create_run(&app, &o.hr, "2026-13", false)
        .await
        .unwrap_err();
    assert_eq!(field(err, "period"), "error-period");
    // An employee on payroll without a contract stops the computation, by name.
    let input = NewEmployee {
        employee: EmployeeDraft {
            name: "Cleo Contractless".into(),
            ..EmployeeDraft::default()
        },
        username: String::new(),
    };
    let cleo = hr::create_employee(&app, &o.hr, &input).await.unwrap().0;
    payroll::set_record(&app, &o.hr, cleo, o.structure_id, "2026-01-01", "")
        .await
        .unwrap();
    let run = payroll::create_run(&app, &o.hr, "2026-03", false)
        .await
        .unwrap();
    let err = payroll::compute_run(&app, &o.hr, run).await.unwrap_err();
    let AppError::Invalid(errors) = err else {
        panic!("expected field errors")
    };
    let e = errors.iter().next().unwrap();
    assert_eq!(
        (e.field.as_str(), e.code),
        ("employees", "error-payroll-no-contract")
    );
    assert_eq!(e.args, vec![("employee", "Cleo Contractless".to_owned())]);
    let detail = payroll::run_detail(&app, &o.hr, run).await.unwrap();
    assert_eq!(detail.run.state, "draft");
    assert!(detail.payslips.is_empty());
}
