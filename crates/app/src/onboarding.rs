//! Hire to retire, the seam between HR, IT and payroll. Hiring writes the
//! employee, their first contract and an onboarding checklist in one
//! transaction; each task waits in its team's list (HR: contract signed,
//! documents; IT: the Seam login with the position's roles, a laptop from
//! stock, licence seats; payroll: the payroll record from the start date)
//! and completing it does the work. Offboarding ends the contract and the
//! payroll record on the last day, and opens the leaver's checklist: the
//! login (its sessions and API tokens) and the licence seats go at once
//! when the last day has come, or by a job at the end of that day; IT
//! takes the assets back; payroll proves the final payslip.
//! Every step is an event on the employee's timeline.

use seam_domain::FieldErrors;
use seam_domain::access::{Permission, Role};
use seam_domain::hr::{self as hr_rules, ContractDraft};
use seam_domain::ids::UserId;
use seam_domain::it::{ChecklistKind, Task, Team, add_days, parse_position_roles};
use seam_domain::ledger::Date;
use seam_store::hr as hr_store;
use seam_store::it as store;
pub use seam_store::it::TaskRow;
use seam_store::jobs as job_store;
use seam_store::{StoreError, Tx};
use serde_json::json;

use crate::hr::{self, NewEmployee};
use crate::it::{self, AssetMove};
use crate::jobs::JobError;
use crate::users::{self, UserDraft};
use crate::{Actor, App, AppError, AppResult, now_us};

/// The job that revokes a leaver's access at the end of their last day.
pub const REVOKE_JOB: &str = "offboarding-revoke";

/// Who completes a team's tasks.
pub fn permission_of(team: Team) -> Permission {
    match team {
        Team::Hr => Permission::HrManage,
        Team::It => Permission::ItUse,
        Team::Payroll => Permission::PayrollUse,
    }
}

/// The teams whose tasks the actor completes.
pub fn teams_of(actor: &Actor) -> Vec<Team> {
    Team::ALL
        .into_iter()
        .filter(|t| actor.may(permission_of(*t)))
        .collect()
}

/// A hire: the employee's record and their first contract.
#[derive(Debug, Clone, Default)]
pub struct Hire {
    pub employee: NewEmployee,
    pub contract: ContractDraft,
}

async fn open_checklist(
    tx: &mut Tx,
    actor: &Actor,
    employee_id: i64,
    kind: ChecklistKind,
    date: Date,
) -> AppResult<i64> {
    let id = store::insert_checklist(
        tx,
        employee_id,
        kind.name(),
        &date.iso(),
        &actor.username,
        now_us(),
    )
    .await
    .map_err(|e| match e {
        StoreError::Duplicate => AppError::Conflict("error-checklist-exists"),
        other => other.into(),
    })?;
    let tasks: Vec<(&str, &str, String)> = Task::of(kind)
        .iter()
        .map(|t| (t.code(), t.team().name(), t.due(date).iso()))
        .collect();
    store::insert_tasks(tx, id, &tasks).await?;
    hr::audit(
        tx,
        actor,
        employee_id,
        kind.name(),
        None,
        json!({ "date": date.iso(), "tasks": tasks.iter().map(|t| t.0).collect::<Vec<_>>() }),
    )
    .await?;
    Ok(id)
}

/// Hires someone: the employee record (with its person party), the first
/// contract and the onboarding checklist, in one transaction. Needs
/// `hr.manage`. Returns the employee's id and number.
///
/// Errors: [`AppError::Invalid`] naming any field of the record or the
/// contract (end date before start, negative salary, unknown manager);
/// nothing is written then.
pub async fn hire(app: &App, actor: &Actor, input: &Hire) -> AppResult<(i64, String)> {
    actor.require(Permission::HrManage)?;
    let mut errors = FieldErrors::new();
    let prepared = match hr::prepare_employee(app, &input.employee).await {
        Ok(p) => Some(p),
        Err(AppError::Invalid(e)) => {
            errors.extend(e);
            None
        }
        Err(other) => return Err(other),
    };
    let contract = match hr_rules::validate_contract(&input.contract, None) {
        Ok(c) => Some(c),
        Err(e) => {
            errors.extend(e);
            None
        }
    };
    let (Some((valid, party, user_id)), Some(contract)) = (prepared, contract) else {
        return Err(AppError::Invalid(errors));
    };
    let mut tx = app.db.begin().await?;
    let (id, number) = hr::create_employee_in(&mut tx, actor, &valid, &party, user_id).await?;
    hr::add_contract_in(&mut tx, actor, id, &contract).await?;
    open_checklist(
        &mut tx,
        actor,
        id,
        ChecklistKind::Onboarding,
        contract.start,
    )
    .await?;
    tx.commit().await?;
    Ok((id, number))
}

/// One team's open tasks, soonest due first: HR's, IT's and payroll's
/// lists. The actor sees the tasks of the teams they work in.
pub async fn open_tasks(app: &App, actor: &Actor) -> AppResult<Vec<TaskRow>> {
    let teams: Vec<&str> = teams_of(actor).into_iter().map(Team::name).collect();
    if teams.is_empty() {
        return Err(AppError::Forbidden);
    }
    Ok(store::open_tasks(&app.db, &teams).await?)
}

/// An employee's checklists, in task order. Anyone who may see the
/// employee (HR, IT, their manager, themself).
pub async fn tasks_of(app: &App, actor: &Actor, employee_id: i64) -> AppResult<Vec<TaskRow>> {
    hr::employee(app, actor, employee_id).await?;
    Ok(store::tasks_of_employee(&app.db, employee_id).await?)
}

/// One task, to complete it. Its team's members only.
pub async fn task(app: &App, actor: &Actor, id: i64) -> AppResult<TaskRow> {
    let row = store::task(&app.db, id).await?.ok_or(AppError::NotFound)?;
    let team = Team::parse(&row.team).ok_or(AppError::NotFound)?;
    actor.require(permission_of(team))?;
    Ok(row)
}

/// What completing a task takes; each task reads the fields it needs.
#[derive(Debug, Clone, Default)]
pub struct Completion {
    pub note: String,
    /// The login task: the new login's name and first password.
    pub username: String,
    pub password: String,
    /// The laptop task: an asset in stock.
    pub asset_id: Option<i64>,
    /// The licences task: one seat of each.
    pub licence_ids: Vec<i64>,
    /// The payroll record task: the structure that pays them.
    pub structure_id: Option<i64>,
    /// The assets task: where the returned assets are kept.
    pub location: String,
}

/// Completes a task and does its work in the same transaction: the login
/// created with the position's roles (and linked), the laptop handed over,
/// the seats assigned, the payroll record opened, the assets taken back,
/// the final payslip checked. Needs the task's team's permission.
///
/// Errors: [`AppError::Invalid`] naming the field the task needs
/// (`username`, `password`, `asset_id`, `licence_ids`, `structure_id`,
/// `task` with `error-final-payslip-missing`); [`AppError::Conflict`]
/// (`error-task-done`) for a task done already. Nothing is written then.
pub async fn complete(app: &App, actor: &Actor, id: i64, input: &Completion) -> AppResult<()> {
    let row = task(app, actor, id).await?;
    let note = input.note.trim();
    if note.chars().count() > hr_rules::NOTE_MAX {
        return Err(FieldErrors::one("note", "error-too-long").into());
    }
    let code = Task::parse(&row.code).ok_or(AppError::NotFound)?;
    let mut tx = app.db.begin().await?;
    let row = store::task_in_tx(&mut tx, id).await?;
    if row.done_at_us.is_some() {
        return Err(AppError::Conflict("error-task-done"));
    }
    let did = work(app, &mut tx, actor, &row, code, input).await?;
    let note = match (did.is_empty(), note.is_empty()) {
        (true, _) => note.to_owned(),
        (false, true) => did,
        (false, false) => format!("{did} — {note}"),
    };
    finish(&mut tx, actor, &row, &note).await?;
    tx.commit().await?;
    Ok(())
}

async fn finish(tx: &mut Tx, actor: &Actor, row: &TaskRow, note: &str) -> AppResult<()> {
    store::complete_task(tx, row.id, &actor.username, note, now_us())
        .await
        .map_err(|e| match e {
            StoreError::Stale => AppError::Conflict("error-task-done"),
            other => other.into(),
        })?;
    hr::audit(
        tx,
        actor,
        row.employee_id,
        "task-done",
        None,
        json!({ "checklist": row.kind, "task": row.code, "note": note }),
    )
    .await
}

/// The contract a checklist is about: the one starting on the hire date,
/// or the latest.
async fn contract_of(
    tx: &mut Tx,
    employee_id: i64,
) -> AppResult<Option<seam_store::hr::ContractRow>> {
    Ok(hr_store::contracts_in_tx(tx, employee_id)
        .await?
        .into_iter()
        .max_by(|a, b| a.start_date.cmp(&b.start_date)))
}

/// Does a task's work; returns what was done, for the task's note.
async fn work(
    app: &App,
    tx: &mut Tx,
    actor: &Actor,
    row: &TaskRow,
    task: Task,
    input: &Completion,
) -> AppResult<String> {
    let employee = row.employee_id;
    match task {
        Task::ContractSigned | Task::Documents | Task::ExitInterview => Ok(String::new()),
        Task::Login => create_login(app, tx, actor, employee, input).await,
        Task::Laptop => {
            let asset_id = input
                .asset_id
                .ok_or_else(|| FieldErrors::one("asset_id", "error-required"))?;
            let current = store::asset_in_tx(tx, asset_id)
                .await
                .map_err(|e| match e {
                    StoreError::NotFound => {
                        AppError::from(FieldErrors::one("asset_id", "error-unknown-asset"))
                    }
                    other => other.into(),
                })?;
            if current.status != "in-stock" {
                return Err(FieldErrors::one("asset_id", "error-asset-not-in-stock").into());
            }
            if current.kind != "laptop" {
                return Err(FieldErrors::one("asset_id", "error-asset-not-laptop").into());
            }
            let to = AssetMove {
                status: "assigned".into(),
                employee_id: Some(employee),
                location: String::new(),
            };
            let asset = it::move_asset_in(tx, actor, asset_id, &to).await?;
            Ok(format!("{} {}", asset.tag, asset.model))
        }
        Task::Licences => {
            let mut products = Vec::new();
            for licence in &input.licence_ids {
                products.push(
                    it::assign_seat_in(tx, actor, *licence, employee)
                        .await
                        .map_err(|e| match e {
                            AppError::Invalid(errors) => {
                                let code =
                                    errors.iter().next().map_or("error-seats-full", |e| e.code);
                                FieldErrors::one("licence_ids", code).into()
                            }
                            other => other,
                        })?,
                );
            }
            Ok(products.join(", "))
        }
        Task::PayrollRecord => {
            let structure = input
                .structure_id
                .ok_or_else(|| FieldErrors::one("structure_id", "error-required"))?;
            let contract = contract_of(tx, employee).await?;
            let start = contract
                .as_ref()
                .map(|c| c.start_date.clone())
                .unwrap_or_else(hr::today_iso);
            let end = contract.and_then(|c| c.end_date).unwrap_or_default();
            crate::payroll::set_record_in(tx, actor, employee, structure, &start, &end).await?;
            Ok(format!("from {start}"))
        }
        Task::AccessRevoked => revoke_in(tx, actor, employee).await,
        Task::SeatsFreed => Ok(it::release_all_seats_in(tx, actor, employee)
            .await?
            .join(", ")),
        Task::AssetsReturned => Ok(it::recover_assets_in(tx, actor, employee, &input.location)
            .await?
            .join(", ")),
        Task::FinalPayslip => {
            let slips = seam_store::payroll::payslips_of_employee(&app.db, employee).await?;
            let last = slips
                .iter()
                .find(|s| s.is_final)
                .ok_or_else(|| FieldErrors::one("task", "error-final-payslip-missing"))?;
            Ok(format!("{} {}", last.run_number, last.period))
        }
    }
}

/// Creates the new hire's Seam login with the roles HR set for their
/// position (plus self-service), and links it to the record.
async fn create_login(
    app: &App,
    tx: &mut Tx,
    actor: &Actor,
    employee_id: i64,
    input: &Completion,
) -> AppResult<String> {
    let employee = hr_store::employee_in_tx(tx, employee_id, &hr::today_iso()).await?;
    if employee.user_id.is_some() {
        return Err(FieldErrors::one("username", "error-user-linked").into());
    }
    let mut roles = match contract_of(tx, employee_id)
        .await?
        .and_then(|c| c.position_id)
    {
        Some(position) => {
            let text = store::position_login_roles(tx, position)
                .await?
                .unwrap_or_default();
            parse_position_roles(&text)?
        }
        None => Vec::new(),
    };
    roles.push(Role::Employee);
    let draft = UserDraft {
        username: input.username.clone(),
        display_name: employee.name.clone(),
        email: employee.work_email.clone().unwrap_or_default(),
        password: input.password.clone(),
        roles: roles.clone(),
        party_id: None,
        locale: String::new(),
        time_zone: String::new(),
    };
    let user = users::add_user_in(app, tx, actor, &draft)
        .await
        .map_err(|e| match e {
            AppError::Conflict("error-username-taken") => {
                FieldErrors::one("username", "error-username-taken").into()
            }
            other => other,
        })?;
    hr_store::set_employee_user(tx, employee_id, Some(user.0), now_us())
        .await
        .map_err(|e| match e {
            StoreError::Duplicate => {
                AppError::from(FieldErrors::one("username", "error-user-linked"))
            }
            other => other.into(),
        })?;
    hr::audit(
        tx,
        actor,
        employee_id,
        "link-login",
        Some(json!({ "user_id": null })),
        json!({ "user_id": user.0 }),
    )
    .await?;
    let names: Vec<&str> = roles.iter().map(|r| r.name()).collect();
    Ok(format!(
        "{} ({})",
        draft.username.trim().to_lowercase(),
        names.join(", ")
    ))
}

/// Disables the leaver's login (ending its sessions and revoking its
/// tokens). Returns the login's name, or "" when they had none.
async fn revoke_in(tx: &mut Tx, actor: &Actor, employee_id: i64) -> AppResult<String> {
    let employee = hr_store::employee_in_tx(tx, employee_id, &hr::today_iso()).await?;
    match employee.user_id {
        Some(user) => {
            users::disable_in(tx, actor, UserId(user)).await?;
            Ok(employee.username.unwrap_or_default())
        }
        None => Ok(String::new()),
    }
}

/// Offboards an employee whose last day is `end_date`: their open
/// contract and payroll record end that day, the offboarding checklist
/// opens, and — when that day has come — their login, sessions, API
/// tokens and licence seats go at once; a later last day queues that for
/// the end of the day. Needs `hr.manage`.
///
/// Errors: [`AppError::Invalid`] naming `end_date` (`error-date`,
/// `error-end-before-start`: before the current contract began, or
/// `error-no-contract`); [`AppError::Conflict`] (`error-checklist-exists`)
/// when they are offboarded already.
pub async fn offboard(app: &App, actor: &Actor, employee_id: i64, end_date: &str) -> AppResult<()> {
    actor.require(Permission::HrManage)?;
    let end = Date::parse(end_date).ok_or_else(|| FieldErrors::one("end_date", "error-date"))?;
    let mut tx = app.db.begin().await?;
    hr_store::employee_in_tx(&mut tx, employee_id, &hr::today_iso())
        .await
        .map_err(|e| match e {
            StoreError::NotFound => AppError::NotFound,
            other => other.into(),
        })?;
    let contract = contract_of(&mut tx, employee_id)
        .await?
        .ok_or_else(|| FieldErrors::one("end_date", "error-no-contract"))?;
    if end.iso() < contract.start_date {
        return Err(FieldErrors::one("end_date", "error-end-before-start").into());
    }
    if contract
        .end_date
        .as_deref()
        .is_none_or(|e| e > end.iso().as_str())
    {
        hr_store::end_contract(&mut tx, contract.id, &end.iso()).await?;
        hr::audit(
            &mut tx,
            actor,
            employee_id,
            "contract-end",
            Some(json!({ "contract_id": contract.id, "end_date": contract.end_date })),
            json!({ "contract_id": contract.id, "end_date": end.iso() }),
        )
        .await?;
    }
    if let Some(record) = seam_store::payroll::record_in_tx(&mut tx, employee_id).await? {
        crate::payroll::set_record_in(
            &mut tx,
            actor,
            employee_id,
            record.structure_id,
            &record.start_date,
            &end.iso(),
        )
        .await?;
    }
    open_checklist(&mut tx, actor, employee_id, ChecklistKind::Offboarding, end).await?;
    if end <= crate::today() {
        revoke_now(&mut tx, actor, employee_id).await?;
    } else {
        let next_day = add_days(end, 1).unwrap_or(end);
        let at = jiff::civil::Date::new(next_day.year, next_day.month, next_day.day)
            .ok()
            .and_then(|d| d.to_zoned(jiff::tz::TimeZone::UTC).ok())
            .map_or_else(now_us, |z| z.timestamp().as_microsecond());
        let payload = json!({ "employee_id": employee_id }).to_string();
        job_store::enqueue(&mut tx, REVOKE_JOB, &payload, at).await?;
    }
    tx.commit().await?;
    Ok(())
}

/// Completes the leaver's access and seat tasks now, if still open.
async fn revoke_now(tx: &mut Tx, actor: &Actor, employee_id: i64) -> AppResult<()> {
    let kind = ChecklistKind::Offboarding.name();
    if let Some(task) =
        store::task_by_code(tx, employee_id, kind, Task::AccessRevoked.code()).await?
        && task.done_at_us.is_none()
    {
        let login = revoke_in(tx, actor, employee_id).await?;
        finish(tx, actor, &task, &login).await?;
    }
    if let Some(task) = store::task_by_code(tx, employee_id, kind, Task::SeatsFreed.code()).await?
        && task.done_at_us.is_none()
    {
        let freed = it::release_all_seats_in(tx, actor, employee_id).await?;
        finish(tx, actor, &task, &freed.join(", ")).await?;
    }
    Ok(())
}

/// The job queued by [`offboard`] for a last day in the future.
pub(crate) async fn revoke_job(app: &App, payload: &str) -> Result<(), JobError> {
    let employee_id = serde_json::from_str::<serde_json::Value>(payload)
        .ok()
        .and_then(|v| v.get("employee_id").and_then(serde_json::Value::as_i64))
        .ok_or_else(|| JobError::Permanent(format!("bad payload `{payload}`")))?;
    let actor = Actor::system("offboarding");
    let run = async {
        let mut tx = app.db.begin().await?;
        revoke_now(&mut tx, &actor, employee_id).await?;
        tx.commit().await?;
        AppResult::Ok(())
    };
    run.await
        .map_err(|e| JobError::Retry(format!("offboarding employee {employee_id}: {e}")))
}
