//! The demo's payroll: the guide's worked structure, every demo employee on
//! it from their first contract's start, and last month's run computed,
//! approved, posted and paid on the first of this month, so My payslips and
//! the year to date have something to show.

use jiff::ToSpan;
use jiff::civil::Date;

use crate::hr;
use crate::payroll;
use crate::{Actor, App, AppError, AppResult};

pub(super) async fn create_payroll(app: &App, actor: &Actor, today: Date) -> AppResult<()> {
    let from = format!("{:04}-01-01", today.year() - 1);
    let structure = payroll::create_structure(
        app,
        actor,
        "Salaried staff",
        &from,
        &payroll::worked_example(),
    )
    .await?;
    let employees = hr::list_employees(app, actor, &Default::default()).await?;
    for e in &employees {
        let detail = hr::employee(app, actor, e.id).await?;
        let Some(start) = detail
            .contracts
            .iter()
            .map(|c| c.row.start_date.clone())
            .min()
        else {
            continue;
        };
        payroll::set_record(app, actor, e.id, structure, &start, "").await?;
    }
    let first_of_month = today.first_of_month();
    let last_month = first_of_month
        .checked_sub(1.day())
        .map_err(|e| AppError::Internal(e.into()))?;
    let period = format!("{:04}-{:02}", last_month.year(), last_month.month());
    let run = payroll::create_run(app, actor, &period, false).await?;
    payroll::compute_run(app, actor, run).await?;
    payroll::approve_run(app, actor, run).await?;
    payroll::post_run(app, actor, run).await?;
    payroll::pay_run(app, actor, run, &first_of_month.to_string()).await?;
    Ok(())
}
