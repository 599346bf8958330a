//! `seam payroll …`: payroll from the console. Open a month's run and take
//! it through its steps, list runs and payslips, put an employee on a
//! salary structure, and print the year to date or the journal as CSV.

use std::process::ExitCode;

use clap::Subcommand;
use seam_app::payroll::{self, PayslipRow, RunRow};
use seam_app::{Actor, App};
use seam_domain::ledger::format_amount;

use crate::output::{out, out_raw, table_aligned};

#[derive(Debug, Subcommand)]
pub enum PayrollCommand {
    /// List the runs, newest first.
    Runs,
    /// Open a month's run (or a correction of a posted month) and print its id.
    Open {
        /// The month, `YYYY-MM`.
        period: String,
        /// A correction run for a posted month: it pays only the differences.
        #[arg(long)]
        correction: bool,
    },
    /// Compute (or recompute) a run's payslips and list them.
    Compute { id: i64 },
    /// Approve a computed run.
    Approve { id: i64 },
    /// Post an approved run to the ledger and print the entry's number.
    Post { id: i64 },
    /// Pay a posted run's net salaries and print the entry's number.
    Pay {
        id: i64,
        /// The payment date, `YYYY-MM-DD` (default today).
        #[arg(long, default_value = "")]
        date: String,
    },
    /// Show a run's payslips.
    Show { id: i64 },
    /// List the salary structures.
    Structures,
    /// Put an employee on a salary structure from a date (or change it, or set their last day).
    Assign {
        /// The employee's id.
        employee: i64,
        /// The structure's id.
        #[arg(long)]
        structure: i64,
        /// The first paid day, `YYYY-MM-DD`.
        #[arg(long)]
        start: String,
        /// The last paid day, `YYYY-MM-DD`.
        #[arg(long, default_value = "")]
        end: String,
    },
    /// The year to date per employee, as CSV.
    Ytd { year: i32 },
    /// Every payslip line of the year's posted runs, as CSV.
    Journal { year: i32 },
}

pub async fn payroll(app: &App, command: PayrollCommand) -> anyhow::Result<ExitCode> {
    let actor = Actor::system("cli");
    match command {
        PayrollCommand::Runs => {
            let rows = payroll::runs(app, &actor, None).await?;
            out(table_aligned(
                &[
                    "id", "number", "period", "state", "payslips", "gross", "net",
                ],
                &[4, 5, 6],
                &rows.iter().map(run_row).collect::<Vec<_>>(),
            ))?;
        }
        PayrollCommand::Open { period, correction } => {
            let id = payroll::create_run(app, &actor, &period, correction).await?;
            out(id.to_string())?;
        }
        PayrollCommand::Compute { id } => {
            let detail = payroll::compute_run(app, &actor, id).await?;
            out(payslips(&detail.payslips))?;
        }
        PayrollCommand::Approve { id } => {
            payroll::approve_run(app, &actor, id).await?;
        }
        PayrollCommand::Post { id } => {
            out(payroll::post_run(app, &actor, id).await?)?;
        }
        PayrollCommand::Pay { id, date } => {
            out(payroll::pay_run(app, &actor, id, &date).await?)?;
        }
        PayrollCommand::Show { id } => {
            let detail = payroll::run_detail(app, &actor, id).await?;
            out(format!(
                "{} {} ({}), {}\n\n{}",
                detail.run.number,
                detail.run.period,
                detail.run.kind,
                detail.run.state,
                payslips(&detail.payslips)
            ))?;
        }
        PayrollCommand::Structures => {
            let rows = payroll::structures(app, &actor).await?;
            out(table_aligned(
                &["id", "name", "currency", "latest version", "employees"],
                &[4],
                &rows
                    .iter()
                    .map(|s| {
                        vec![
                            s.id.to_string(),
                            s.name.clone(),
                            s.currency.clone(),
                            s.latest_from.clone().unwrap_or_default(),
                            s.employee_count.to_string(),
                        ]
                    })
                    .collect::<Vec<_>>(),
            ))?;
        }
        PayrollCommand::Assign {
            employee,
            structure,
            start,
            end,
        } => {
            payroll::set_record(app, &actor, employee, structure, &start, &end).await?;
        }
        PayrollCommand::Ytd { year } => {
            out_raw(&payroll::year_to_date_csv(app, &actor, year).await?)?;
        }
        PayrollCommand::Journal { year } => {
            out_raw(&payroll::journal_csv(app, &actor, year).await?)?;
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn run_row(r: &RunRow) -> Vec<String> {
    vec![
        r.id.to_string(),
        r.number.clone(),
        r.period.clone(),
        r.state.clone(),
        r.payslip_count.to_string(),
        format_amount(r.gross_minor, &r.currency),
        format_amount(r.net_minor, &r.currency),
    ]
}

fn payslips(rows: &[PayslipRow]) -> String {
    table_aligned(
        &[
            "id",
            "employee",
            "days",
            "gross",
            "deductions",
            "tax",
            "net",
            "employer",
        ],
        &[3, 4, 5, 6, 7],
        &rows
            .iter()
            .map(|p| {
                let money = |m: i64| format_amount(m, &p.currency);
                vec![
                    p.id.to_string(),
                    format!("{} {}", p.employee_number, p.employee_name),
                    format!("{}/{}", p.days_paid, p.days_in_period),
                    money(p.gross_minor),
                    money(p.deductions_minor),
                    money(p.tax_minor),
                    money(p.net_minor),
                    money(p.employer_minor),
                ]
            })
            .collect::<Vec<_>>(),
    )
}
