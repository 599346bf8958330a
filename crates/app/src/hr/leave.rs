//! Leave: types, yearly entitlements that accrue monthly, the public-holiday
//! calendar, requests counted in working days, approval by the employee's
//! manager or HR, balances, the team's month calendar and the iCalendar
//! feed of approved absences.
//!
//! A request is written in one transaction that first locks the employee's
//! row (on PostgreSQL), so two requests of one employee are checked one
//! after the other: the overlap and the balance can never both pass for two
//! requests that together break them.

use std::collections::{BTreeSet, HashMap};

use seam_domain::FieldErrors;
use seam_domain::access::Permission;
use seam_domain::hr::{self, LeaveRequestDraft, LeaveState, LeaveTypeDraft};
use seam_domain::ids::UserId;
use seam_domain::ledger::Date;
use seam_store::Tx;
use seam_store::hr as store;
pub use seam_store::hr::{HolidayRow, LeaveRequestRow, LeaveTypeRow, RequestFilter};
use serde_json::json;
use sha2::{Digest, Sha256};

use super::{audit, own_employee_id, require_staff, today_iso};
use crate::notifications::{self, Notice};
use crate::{Actor, App, AppError, AppResult, Change, now_us, record};

/// The most requests a list shows.
pub const REQUESTS_MAX: i64 = 500;
/// Absence feed tokens start with this, so the feed route can tell them
/// from appointment feed tokens.
pub const FEED_TOKEN_PREFIX: &str = "seamhr_";
/// How far back and ahead a feed reaches, in days.
const FEED_PAST_DAYS: i64 = 31;
const FEED_FUTURE_DAYS: i64 = 366;

/// Every leave type. Any member of staff.
pub async fn leave_types(app: &App, actor: &Actor) -> AppResult<Vec<LeaveTypeRow>> {
    require_staff(actor)?;
    Ok(store::leave_types(&app.db).await?)
}

/// Adds a leave type. Needs `hr.manage`.
///
/// Errors: `code` (`error-code`, `error-duplicate`), `name`.
pub async fn create_leave_type(app: &App, actor: &Actor, draft: &LeaveTypeDraft) -> AppResult<i64> {
    actor.require(Permission::HrManage)?;
    let (code, name) = hr::validate_leave_type(draft)?;
    let mut tx = app.db.begin().await?;
    let id = store::insert_leave_type(&mut tx, &code, &name, draft.needs_entitlement, now_us())
        .await
        .map_err(|e| match e {
            seam_store::StoreError::Duplicate => {
                AppError::Invalid(FieldErrors::one("code", "error-duplicate"))
            }
            other => other.into(),
        })?;
    record(
        &mut tx,
        actor,
        Change {
            entity_type: "hr_leave_type",
            entity_id: id.to_string(),
            action: "create",
            before: None,
            after: Some(
                json!({ "code": code, "name": name, "needs_entitlement": draft.needs_entitlement }),
            ),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(id)
}

/// Sets an employee's yearly entitlement of a leave type (`days` as typed:
/// `25`, `12.5`), for a full year; it accrues monthly. Needs `hr.manage`.
///
/// Errors: `days` (`error-days`), `year` (`error-year`), `leave_type_id`
/// (`error-unknown-leave-type`); [`AppError::NotFound`] for the employee.
pub async fn set_entitlement(
    app: &App,
    actor: &Actor,
    employee_id: i64,
    leave_type_id: i64,
    year: i64,
    days: &str,
) -> AppResult<()> {
    actor.require(Permission::HrManage)?;
    let mut errors = FieldErrors::new();
    let half_days = hr::parse_days(days).unwrap_or_else(|code| {
        errors.add("days", code);
        0
    });
    if !(2000..=2100).contains(&year) {
        errors.add("year", "error-year");
    }
    errors.into_result(())?;
    let mut tx = app.db.begin().await?;
    store::employee_in_tx(&mut tx, employee_id, &today_iso()).await?;
    if store::leave_type_in_tx(&mut tx, leave_type_id)
        .await?
        .is_none()
    {
        return Err(FieldErrors::one("leave_type_id", "error-unknown-leave-type").into());
    }
    let old = store::set_entitlement(
        &mut tx,
        employee_id,
        leave_type_id,
        year,
        half_days,
        now_us(),
    )
    .await?;
    audit(
        &mut tx,
        actor,
        employee_id,
        "entitlement-set",
        old.map(
            |o| json!({ "leave_type_id": leave_type_id, "year": year, "days": hr::format_days(o) }),
        ),
        json!({ "leave_type_id": leave_type_id, "year": year, "days": hr::format_days(half_days) }),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// The public holidays of a year. Any member of staff.
pub async fn holidays(app: &App, actor: &Actor, year: i64) -> AppResult<Vec<HolidayRow>> {
    require_staff(actor)?;
    let (from, to) = year_bounds(year);
    Ok(store::holidays(&app.db, &from, &to).await?)
}

fn year_bounds(year: i64) -> (String, String) {
    (format!("{year:04}-01-01"), format!("{year:04}-12-31"))
}

/// Adds a public holiday (no one works; leave does not count it). Needs `hr.manage`.
///
/// Errors: `date` (`error-date`, `error-duplicate`), `name`.
pub async fn add_holiday(app: &App, actor: &Actor, date: &str, name: &str) -> AppResult<i64> {
    actor.require(Permission::HrManage)?;
    let (date, name) = hr::validate_holiday(date, name)?;
    let mut tx = app.db.begin().await?;
    let id = store::insert_holiday(&mut tx, &date.iso(), &name, now_us())
        .await
        .map_err(|e| match e {
            seam_store::StoreError::Duplicate => {
                AppError::Invalid(FieldErrors::one("date", "error-duplicate"))
            }
            other => other.into(),
        })?;
    record(
        &mut tx,
        actor,
        Change {
            entity_type: "hr_holiday",
            entity_id: id.to_string(),
            action: "create",
            before: None,
            after: Some(json!({ "date": date.iso(), "name": name })),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(id)
}

/// Removes a public holiday. Needs `hr.manage`.
pub async fn remove_holiday(app: &App, actor: &Actor, id: i64) -> AppResult<()> {
    actor.require(Permission::HrManage)?;
    let mut tx = app.db.begin().await?;
    let row = store::delete_holiday(&mut tx, id).await?;
    record(
        &mut tx,
        actor,
        Change {
            entity_type: "hr_holiday",
            entity_id: id.to_string(),
            action: "delete",
            before: Some(json!({ "date": row.date, "name": row.name })),
            after: None,
        },
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// The employment periods of an employee's contracts, for accrual.
fn employed(contracts: &[store::ContractRow]) -> Vec<(Date, Option<Date>)> {
    contracts
        .iter()
        .filter_map(|c| {
            Some((
                Date::parse(&c.start_date)?,
                c.end_date.as_deref().and_then(Date::parse),
            ))
        })
        .collect()
}

/// One leave type's balance in one year.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Balance {
    pub leave_type: LeaveTypeRow,
    pub year: i64,
    /// The full year's entitlement, in half days.
    pub entitlement: i64,
    /// What has accrued by the date asked for.
    pub accrued: i64,
    /// By the end of the year (what the employee can plan with).
    pub accrued_year_end: i64,
    pub approved: i64,
    pub pending: i64,
    /// `accrued - approved - pending`; only meaningful where the type needs entitlement.
    pub available: i64,
}

/// HR, the employee themself, or their current manager; anyone else finds
/// no such record. Leave and access requests are read by the same people.
pub(crate) async fn require_leave_reader(
    app: &App,
    actor: &Actor,
    employee_id: i64,
) -> AppResult<()> {
    require_staff(actor)?;
    if actor.may(Permission::HrUse) {
        return Ok(());
    }
    let own = own_employee_id(app, actor).await?;
    if own == Some(employee_id) {
        return Ok(());
    }
    let row = store::employee(&app.db, employee_id, &today_iso())
        .await?
        .ok_or(AppError::NotFound)?;
    if own.is_some() && row.manager_id == own {
        Ok(())
    } else {
        Err(AppError::NotFound)
    }
}

/// An employee's balances per leave type in `year`, accrued as of `as_of`.
/// HR and managers (`hr.use`), the employee, their line manager.
pub async fn balances(
    app: &App,
    actor: &Actor,
    employee_id: i64,
    year: i64,
    as_of: Date,
) -> AppResult<Vec<Balance>> {
    require_leave_reader(app, actor, employee_id).await?;
    let types = store::leave_types(&app.db).await?;
    let entitlements = store::entitlements(&app.db, employee_id, year).await?;
    let taken = store::taken_by_type(&app.db, employee_id, year).await?;
    let periods = employed(&store::contracts_of(&app.db, employee_id).await?);
    let year_end = Date {
        year: i16::try_from(year).unwrap_or(as_of.year),
        month: 12,
        day: 31,
    };
    let as_of = if i64::from(as_of.year) == year {
        as_of
    } else if i64::from(as_of.year) > year {
        year_end
    } else {
        Date {
            year: year_end.year,
            month: 1,
            day: 1,
        }
    };
    Ok(types
        .into_iter()
        .map(|t| {
            let entitlement = entitlements
                .iter()
                .find(|e| e.leave_type_id == t.id)
                .map(|e| e.half_days)
                .unwrap_or(0);
            let sum = |state: &str| {
                taken
                    .iter()
                    .filter(|(id, s, _)| *id == t.id && s == state)
                    .map(|(_, _, h)| *h)
                    .sum::<i64>()
            };
            let (approved, pending) = (sum("approved"), sum("pending"));
            let accrued = hr::accrued_half_days(entitlement, &periods, as_of);
            Balance {
                year,
                entitlement,
                accrued,
                accrued_year_end: hr::accrued_half_days(entitlement, &periods, year_end),
                approved,
                pending,
                available: accrued - approved - pending,
                leave_type: t,
            }
        })
        .collect())
}

/// Who the request is for: the actor's own record, or (HR only) anyone's.
async fn requester(app: &App, actor: &Actor, employee_id: Option<i64>) -> AppResult<i64> {
    let own = own_employee_id(app, actor).await?;
    match employee_id {
        None => own.ok_or(AppError::NotFound),
        Some(id) if Some(id) == own => Ok(id),
        Some(id) if actor.may(Permission::HrManage) => Ok(id),
        Some(_) => Err(AppError::NotFound),
    }
}

/// Checks a request against the data: the type exists, the employee is
/// employed then, it has working days, overlaps nothing they hold, and
/// fits their balance where the type needs entitlement. Returns its half days.
async fn check_request(
    tx: &mut Tx,
    employee_id: i64,
    request: &hr::ValidLeaveRequest,
) -> AppResult<i64> {
    let leave_type = store::leave_type_in_tx(tx, request.leave_type_id)
        .await?
        .ok_or_else(|| FieldErrors::one("leave_type_id", "error-unknown-leave-type"))?;
    let contracts = store::contracts_in_tx(tx, employee_id).await?;
    let periods = employed(&contracts);
    let covered = periods
        .iter()
        .any(|(s, e)| *s <= request.start && e.is_none_or(|e| request.end <= e));
    if !covered {
        return Err(FieldErrors::one("start_date", "error-not-employed").into());
    }
    let holidays: BTreeSet<Date> =
        store::holidays_in_tx(tx, &request.start.iso(), &request.end.iso())
            .await?
            .iter()
            .filter_map(|h| Date::parse(&h.date))
            .collect();
    let half_days = hr::working_half_days(request.start, request.end, request.half_day, &holidays);
    if half_days == 0 {
        return Err(FieldErrors::one("end_date", "error-leave-no-working-days").into());
    }
    let clashes =
        store::overlapping_requests(tx, employee_id, &request.start.iso(), &request.end.iso())
            .await?;
    if let Some(other) = clashes.first() {
        let mut errors = FieldErrors::new();
        errors.add_with(
            "start_date",
            "error-leave-overlap",
            vec![
                ("start", other.start_date.clone()),
                ("end", other.end_date.clone()),
            ],
        );
        return Err(errors.into());
    }
    if leave_type.needs_entitlement {
        let year = i64::from(request.start.year);
        let entitlement = store::entitlement_in_tx(tx, employee_id, leave_type.id, year).await?;
        let accrued = hr::accrued_half_days(entitlement, &periods, request.end);
        let held = store::held_half_days(tx, employee_id, leave_type.id, year).await?;
        let available = accrued - held;
        if half_days > available {
            let mut errors = FieldErrors::new();
            errors.add_with(
                "leave_type_id",
                "error-leave-balance",
                vec![
                    ("available", hr::format_days(available.max(0))),
                    ("asked", hr::format_days(half_days)),
                ],
            );
            return Err(errors.into());
        }
    }
    Ok(half_days)
}

/// The login of the employee's current manager, if they have one with a login.
pub(crate) async fn manager_login(app: &App, employee_id: i64) -> AppResult<Option<(i64, UserId)>> {
    let Some(row) = store::employee(&app.db, employee_id, &today_iso()).await? else {
        return Ok(None);
    };
    let Some(manager) = row.manager_id else {
        return Ok(None);
    };
    Ok(store::employee(&app.db, manager, &today_iso())
        .await?
        .and_then(|m| m.user_id.map(|u| (m.id, UserId(u)))))
}

/// Requests leave: for the actor's own record (`employee_id` `None` or
/// their own), or by HR for anyone. The request is pending until the
/// employee's manager or HR decides; the manager is notified.
///
/// Errors: [`AppError::Invalid`] naming the field: dates (`end_date` before
/// `start_date`, across a year), `leave_type_id` (unknown; not enough
/// balance, with what is available), `start_date` (overlaps another
/// request; not employed then), `end_date` (no working day in it). Nothing
/// is written then. [`AppError::NotFound`] without an employee record.
pub async fn request_leave(
    app: &App,
    actor: &Actor,
    employee_id: Option<i64>,
    draft: &LeaveRequestDraft,
) -> AppResult<i64> {
    require_staff(actor)?;
    let employee_id = requester(app, actor, employee_id).await?;
    let request = hr::validate_leave_request(draft)?;
    let manager = manager_login(app, employee_id).await?;
    let mut tx = app.db.begin().await?;
    let employee = store::employee_in_tx(&mut tx, employee_id, &today_iso()).await?;
    let half_days = check_request(&mut tx, employee_id, &request).await?;
    let (start, end) = (request.start.iso(), request.end.iso());
    let id = store::insert_leave_request(
        &mut tx,
        &store::NewLeaveRequest {
            employee_id,
            leave_type_id: request.leave_type_id,
            start_date: &start,
            end_date: &end,
            half_day: request.half_day,
            half_days,
            note: &request.note,
        },
        &actor.username,
        now_us(),
    )
    .await?;
    audit(
        &mut tx,
        actor,
        employee_id,
        "leave-request",
        None,
        json!({ "request_id": id, "leave_type_id": request.leave_type_id, "start_date": start,
                "end_date": end, "half_day": request.half_day, "days": hr::format_days(half_days) }),
    )
    .await?;
    if let Some((_, user)) = manager
        && Some(user) != actor.user_id
    {
        let subject = format!("{} ({start} – {end})", employee.name);
        notifications::notify(
            app,
            &mut tx,
            &Notice {
                user_id: user,
                kind: "leave-requested",
                subject: &subject,
                link: "/me/approvals",
                email: None,
            },
        )
        .await?;
    }
    tx.commit().await?;
    Ok(id)
}

/// May the actor decide on a request of `employee_id` (leave, access)? HR
/// may, and so may the employee's current manager; nobody decides their own
/// request.
pub(crate) async fn may_decide(app: &App, actor: &Actor, employee_id: i64) -> AppResult<bool> {
    let own = own_employee_id(app, actor).await?;
    if own == Some(employee_id) {
        return Ok(false);
    }
    if actor.may(Permission::HrManage) {
        return Ok(true);
    }
    let row = store::employee(&app.db, employee_id, &today_iso()).await?;
    Ok(own.is_some() && row.is_some_and(|r| r.manager_id == own))
}

/// Approves or rejects a pending request. The employee's manager or HR;
/// never the employee themself. The employee is notified.
///
/// Errors: [`AppError::NotFound`]; [`AppError::Forbidden`] for anyone else
/// (who sees the request, e.g. a manager of another team, but may not
/// decide it); [`AppError::Conflict`] (`error-leave-state`) when it is not
/// pending any more.
pub async fn decide(
    app: &App,
    actor: &Actor,
    request_id: i64,
    approve: bool,
    note: &str,
) -> AppResult<()> {
    require_staff(actor)?;
    let current = store::leave_request(&app.db, request_id)
        .await?
        .ok_or(AppError::NotFound)?;
    require_leave_reader(app, actor, current.employee_id).await?;
    if !may_decide(app, actor, current.employee_id).await? {
        return Err(AppError::Forbidden);
    }
    let note: String = note.trim().chars().take(hr::NOTE_MAX).collect();
    let employee = store::employee(&app.db, current.employee_id, &today_iso()).await?;
    let mut tx = app.db.begin().await?;
    let row = store::leave_request_in_tx(&mut tx, request_id).await?;
    let state = LeaveState::parse(&row.state).unwrap_or(LeaveState::Cancelled);
    hr::check_decision(state).map_err(AppError::Conflict)?;
    let to = if approve {
        LeaveState::Approved
    } else {
        LeaveState::Rejected
    };
    store::decide_leave_request(
        &mut tx,
        request_id,
        state.name(),
        to.name(),
        &actor.display_name,
        &note,
        now_us(),
    )
    .await
    .map_err(|e| match e {
        seam_store::StoreError::Stale => AppError::Conflict("error-leave-state"),
        other => other.into(),
    })?;
    let action = if approve {
        "leave-approve"
    } else {
        "leave-reject"
    };
    audit(
        &mut tx,
        actor,
        row.employee_id,
        action,
        Some(json!({ "request_id": request_id, "state": state.name() })),
        json!({ "request_id": request_id, "state": to.name(), "note": note }),
    )
    .await?;
    if let Some(user) = employee.and_then(|e| e.user_id).map(UserId)
        && Some(user) != actor.user_id
    {
        let subject = format!("{} – {}", row.start_date, row.end_date);
        let kind = if approve {
            "leave-approved"
        } else {
            "leave-rejected"
        };
        notifications::notify(
            app,
            &mut tx,
            &Notice {
                user_id: user,
                kind,
                subject: &subject,
                link: "/me",
                email: None,
            },
        )
        .await?;
    }
    tx.commit().await?;
    Ok(())
}

/// Withdraws a pending request, or cancels an approved one that has not
/// started. The employee themself, or HR.
///
/// Errors: [`AppError::NotFound`]; [`AppError::Conflict`] (`error-leave-state`).
pub async fn cancel(app: &App, actor: &Actor, request_id: i64) -> AppResult<()> {
    require_staff(actor)?;
    let current = store::leave_request(&app.db, request_id)
        .await?
        .ok_or(AppError::NotFound)?;
    let own = own_employee_id(app, actor).await? == Some(current.employee_id);
    if !(own || actor.may(Permission::HrManage)) {
        return Err(AppError::NotFound);
    }
    let mut tx = app.db.begin().await?;
    let row = store::leave_request_in_tx(&mut tx, request_id).await?;
    let state = LeaveState::parse(&row.state).unwrap_or(LeaveState::Cancelled);
    let started = row.start_date <= today_iso();
    let allowed = state == LeaveState::Pending || (state == LeaveState::Approved && !started);
    if !allowed {
        return Err(AppError::Conflict("error-leave-state"));
    }
    store::decide_leave_request(
        &mut tx,
        request_id,
        state.name(),
        LeaveState::Cancelled.name(),
        &actor.display_name,
        "",
        now_us(),
    )
    .await
    .map_err(|e| match e {
        seam_store::StoreError::Stale => AppError::Conflict("error-leave-state"),
        other => other.into(),
    })?;
    audit(
        &mut tx,
        actor,
        row.employee_id,
        "leave-cancel",
        Some(json!({ "request_id": request_id, "state": state.name() })),
        json!({ "request_id": request_id, "state": "cancelled" }),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// One request. HR and managers (`hr.use`), the employee, their line manager.
pub async fn request(app: &App, actor: &Actor, id: i64) -> AppResult<LeaveRequestRow> {
    let row = store::leave_request(&app.db, id)
        .await?
        .ok_or(AppError::NotFound)?;
    require_leave_reader(app, actor, row.employee_id).await?;
    Ok(row)
}

/// Requests as the actor may see them: `hr.use` sees every request the
/// filter finds; anyone else only their own and their reports'.
pub async fn list_requests(
    app: &App,
    actor: &Actor,
    filter: &RequestFilter,
) -> AppResult<Vec<LeaveRequestRow>> {
    require_staff(actor)?;
    let mut filter = filter.clone();
    if filter.on_date.is_empty() {
        filter.on_date = today_iso();
    }
    if actor.may(Permission::HrUse) {
        return Ok(store::list_requests(&app.db, &filter, REQUESTS_MAX).await?);
    }
    let Some(own) = own_employee_id(app, actor).await? else {
        return Ok(Vec::new());
    };
    let mine = RequestFilter {
        employee_id: Some(own),
        department_id: None,
        manager_id: None,
        ..filter.clone()
    };
    let team = RequestFilter {
        manager_id: Some(own),
        on_date: today_iso(),
        ..filter.clone()
    };
    let mut rows = store::list_requests(&app.db, &mine, REQUESTS_MAX).await?;
    if filter.employee_id.is_none_or(|e| e != own) {
        rows.extend(store::list_requests(&app.db, &team, REQUESTS_MAX).await?);
    }
    rows.sort_by(|a, b| (&a.start_date, a.id).cmp(&(&b.start_date, b.id)));
    rows.dedup_by_key(|r| r.id);
    Ok(rows)
}

/// The pending requests the actor may decide: all for HR (except their
/// own), their reports' for a manager.
pub async fn awaiting_decision(app: &App, actor: &Actor) -> AppResult<Vec<LeaveRequestRow>> {
    require_staff(actor)?;
    let own = own_employee_id(app, actor).await?;
    let mut filter = RequestFilter {
        state: Some("pending".into()),
        on_date: today_iso(),
        ..RequestFilter::default()
    };
    if !actor.may(Permission::HrManage) {
        let Some(own) = own else {
            return Ok(Vec::new());
        };
        filter.manager_id = Some(own);
    }
    let rows = store::list_requests(&app.db, &filter, REQUESTS_MAX).await?;
    Ok(rows
        .into_iter()
        .filter(|r| Some(r.employee_id) != own)
        .collect())
}

// ------------------------------------------------------------ team calendar

/// One day's column of the team calendar.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CalendarDay {
    pub date: Date,
    pub weekend: bool,
    /// The public holiday's name, if it is one.
    pub holiday: Option<String>,
}

/// One person's row: for each day of the month, the request covering it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CalendarRow {
    pub employee_id: i64,
    pub name: String,
    /// `(state, leave type code)`; the type is `None` for readers who may
    /// not see why someone is away (sick leave is health data).
    pub cells: Vec<Option<(String, Option<String>)>>,
}

/// The team calendar of one month.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TeamCalendar {
    pub year: i16,
    pub month: i8,
    pub department_id: Option<i64>,
    pub days: Vec<CalendarDay>,
    pub rows: Vec<CalendarRow>,
}

fn month_bounds(year: i16, month: i8) -> Option<(Date, Date)> {
    let first = jiff::civil::Date::new(year, month, 1).ok()?;
    let last = first.last_of_month();
    Some((
        Date {
            year,
            month,
            day: 1,
        },
        Date {
            year,
            month,
            day: last.day(),
        },
    ))
}

/// Who is away when, in one month: everyone with a contract that month in
/// `department_id` (or everybody), with approved and pending requests.
/// `hr.use` and `it.use` see any department; an employee with a record
/// sees the calendar too (for planning with colleagues), with the leave
/// type shown only to `hr.use`.
///
/// Errors: `month` with `error-month`; [`AppError::NotFound`] for a reader
/// with no record and no HR or IT role.
pub async fn team_calendar(
    app: &App,
    actor: &Actor,
    year: i16,
    month: i8,
    department_id: Option<i64>,
) -> AppResult<TeamCalendar> {
    require_staff(actor)?;
    let hr_reader = actor.may(Permission::HrUse) || actor.may(Permission::ItUse);
    if !hr_reader && own_employee_id(app, actor).await?.is_none() {
        return Err(AppError::NotFound);
    }
    let (first, last) =
        month_bounds(year, month).ok_or_else(|| FieldErrors::one("month", "error-month"))?;
    let holidays: HashMap<Date, String> = store::holidays(&app.db, &first.iso(), &last.iso())
        .await?
        .into_iter()
        .filter_map(|h| Some((Date::parse(&h.date)?, h.name)))
        .collect();
    let days: Vec<CalendarDay> = hr::days(first, last)
        .into_iter()
        .map(|date| CalendarDay {
            date,
            weekend: hr::is_weekend(date),
            holiday: holidays.get(&date).cloned(),
        })
        .collect();
    let people = store::list_employees(
        &app.db,
        &super::EmployeeFilter {
            department_id,
            ..super::EmployeeFilter::default()
        },
        &last.iso(),
        super::LIST_MAX,
    )
    .await?;
    let requests = store::list_requests(
        &app.db,
        &RequestFilter {
            from: Some(first.iso()),
            to: Some(last.iso()),
            department_id,
            on_date: last.iso(),
            ..RequestFilter::default()
        },
        REQUESTS_MAX,
    )
    .await?;
    let show_type = actor.may(Permission::HrUse);
    let rows = people
        .iter()
        .map(|p| CalendarRow {
            employee_id: p.id,
            name: p.name.clone(),
            cells: days
                .iter()
                .map(|d| {
                    let iso = d.date.iso();
                    requests
                        .iter()
                        .filter(|r| {
                            r.employee_id == p.id && r.state != "rejected" && r.state != "cancelled"
                        })
                        .find(|r| r.start_date <= iso && iso <= r.end_date)
                        .map(|r| {
                            (
                                r.state.clone(),
                                show_type.then(|| r.leave_type_code.clone()),
                            )
                        })
                })
                .collect(),
        })
        .collect();
    Ok(TeamCalendar {
        year,
        month,
        department_id,
        days,
        rows,
    })
}

// ---------------------------------------------------------------------- feeds

fn token_hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// A new secret address for the approved absences of a department (or,
/// with `None`, of everyone); the old one stops working. Needs `hr.use`.
/// The token is returned once; only its hash is kept.
pub async fn renew_absence_feed(
    app: &App,
    actor: &Actor,
    department_id: Option<i64>,
) -> AppResult<String> {
    actor.require(Permission::HrUse)?;
    use rand::RngCore;
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    let token = format!("{FEED_TOKEN_PREFIX}{}", hex::encode(bytes));
    let mut tx = app.db.begin().await?;
    if let Some(d) = department_id
        && !store::exists(&mut tx, store::HrTable::Departments, d).await?
    {
        return Err(FieldErrors::one("department_id", "error-unknown-department").into());
    }
    store::replace_feed(&mut tx, department_id, &token_hash(&token), now_us()).await?;
    record(
        &mut tx,
        actor,
        Change {
            entity_type: "hr_department",
            entity_id: department_id.unwrap_or(0).to_string(),
            action: "calendar_feed",
            before: None,
            after: Some(json!({ "feed": "replaced" })),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(token)
}

fn naive(date: Date) -> Option<chrono::NaiveDate> {
    chrono::NaiveDate::from_ymd_opt(
        i32::from(date.year),
        u32::try_from(date.month).ok()?,
        u32::try_from(date.day).ok()?,
    )
}

/// The approved absences a feed token opens, as iCalendar: one all-day
/// event per request, named "Name – away", with no leave type (a
/// subscribed calendar is shared beyond HR). Needs no login: the token is
/// the credential, as for appointment feeds.
///
/// Errors: [`AppError::NotFound`] for a token that opens nothing.
pub async fn absence_feed(app: &App, token: &str) -> AppResult<String> {
    use icalendar::{Calendar, Component, Event, EventLike};
    let token = token.trim();
    if !token.starts_with(FEED_TOKEN_PREFIX) || token.len() > 200 {
        return Err(AppError::NotFound);
    }
    let department_id = store::feed_department(&app.db, &token_hash(token))
        .await?
        .ok_or(AppError::NotFound)?;
    let today = jiff::Timestamp::now()
        .to_zoned(jiff::tz::TimeZone::UTC)
        .date();
    let span = |days: i64| {
        today
            .checked_add(jiff::Span::new().days(days))
            .map(|d| Date {
                year: d.year(),
                month: d.month(),
                day: d.day(),
            })
            .map_err(|e| AppError::Internal(anyhow::anyhow!("feed dates: {e}")))
    };
    let (from, to) = (span(-FEED_PAST_DAYS)?, span(FEED_FUTURE_DAYS)?);
    let rows = store::list_requests(
        &app.db,
        &RequestFilter {
            state: Some("approved".into()),
            from: Some(from.iso()),
            to: Some(to.iso()),
            department_id,
            on_date: today_iso(),
            ..RequestFilter::default()
        },
        REQUESTS_MAX,
    )
    .await?;
    let name = match department_id {
        Some(d) => store::departments(&app.db)
            .await?
            .into_iter()
            .find(|r| r.id == d)
            .map(|r| r.name)
            .unwrap_or_default(),
        None => String::from("Seam"),
    };
    let mut calendar = Calendar::empty();
    calendar
        .append_property(("VERSION", "2.0"))
        .append_property(("PRODID", "-//Seam//HR absences//EN"))
        .append_property(("CALSCALE", "GREGORIAN"));
    calendar.name(&format!("{name} – absences"));
    for r in &rows {
        let (Some(start), Some(end)) = (
            Date::parse(&r.start_date).and_then(naive),
            Date::parse(&r.end_date)
                .and_then(naive)
                .and_then(|d| d.succ_opt()),
        ) else {
            continue;
        };
        let stamp = chrono::DateTime::<chrono::Utc>::from_timestamp_micros(
            r.decided_at_us.unwrap_or(r.created_at_us),
        )
        .unwrap_or_default();
        let summary = if r.half_day {
            format!("{} – away (half day)", r.employee_name)
        } else {
            format!("{} – away", r.employee_name)
        };
        calendar.push(
            Event::new()
                .uid(&format!("leave-{}@seam", r.id))
                .timestamp(stamp)
                .starts(start)
                .ends(end)
                .summary(&summary)
                .done(),
        );
    }
    Ok(calendar.done().to_string())
}
