//! Access requests: an employee asks for access (a Seam staff role, or
//! another system by name) and says why; the request goes to their current
//! manager, who approves or rejects it (HR may decide too; nobody decides
//! their own). Approval opens, in the same transaction, an IT ticket in the
//! `it` queue for the grant ([`crate::helpdesk`]), and the request links to
//! it; IT then grants a Seam role through the users admin.
//!
//! States: `requested` → `approved` | `rejected`. Who sees a request: the
//! employee, their current manager and HR (`hr.use`); anyone else finds
//! nothing. It follows the approval pattern of leave
//! ([`crate::hr::leave`]) and reuses its helpers.

use seam_domain::FieldErrors;
use seam_domain::access::{Permission, Role};
use seam_domain::ids::{PartyId, UserId};
use seam_domain::service::Priority;
pub use seam_store::access_requests::AccessRequestRow;
use seam_store::access_requests::{self as store, Decision, Filter, NewAccessRequest};
use serde_json::json;

use crate::hr::leave::{manager_login, may_decide, require_leave_reader};
use crate::hr::{own_employee_id, require_staff, today_iso};
use crate::notifications::{self, Notice};
use crate::{Actor, App, AppError, AppResult, Change, now_us, record};

/// The longest reason.
pub const REASON_MAX: usize = 1000;
/// The longest system name.
pub const SYSTEM_MAX: usize = 200;
/// The longest decision note.
pub const NOTE_MAX: usize = 1000;
/// The most requests a list shows.
pub const LIST_MAX: i64 = 200;
/// Shown when a request is decided already.
pub const STATE_CODE: &str = "error-access-state";

/// What an employee asks for, as typed.
#[derive(Debug, Clone, Default)]
pub struct AccessRequestDraft {
    /// `role` or `system`; when empty, `role` if a role is named, else `system`.
    pub kind: String,
    /// A staff role's name (`sales`), for kind `role`.
    pub role: String,
    /// The system's name (`VPN`, `Payroll share`), for kind `system`.
    pub system: String,
    pub reason: String,
}

/// A request that passed the rules: its kind, what (role name or system) and reason.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidAccessRequest {
    pub kind: &'static str,
    pub what: String,
    pub reason: String,
}

/// The staff roles one may ask for: every role but the portal customer's.
pub fn requestable_roles() -> Vec<Role> {
    Role::ALL
        .into_iter()
        .filter(|r| *r != Role::Portal)
        .collect()
}

/// Checks a draft. Errors name `kind` (`error-access-kind`), `role`
/// (`error-required`, `error-unknown-role`), `system` (`error-required`,
/// `error-too-long`) and `reason` (`error-required`, `error-too-long`).
pub fn validate(draft: &AccessRequestDraft) -> Result<ValidAccessRequest, FieldErrors> {
    let mut errors = FieldErrors::new();
    let kind = match draft.kind.trim() {
        "" if draft.role.trim().is_empty() => Some("system"),
        "" | "role" => Some("role"),
        "system" => Some("system"),
        _ => {
            errors.add("kind", "error-access-kind");
            None
        }
    };
    let mut what = String::new();
    match kind {
        Some("role") => {
            let role = draft.role.trim();
            match Role::parse(role) {
                _ if role.is_empty() => errors.add("role", "error-required"),
                Some(r) if r != Role::Portal => what = r.name().to_owned(),
                _ => errors.add("role", "error-unknown-role"),
            }
        }
        Some(_) => {
            let system = draft.system.trim();
            if system.is_empty() {
                errors.add("system", "error-required");
            } else if system.chars().count() > SYSTEM_MAX {
                errors.add("system", "error-too-long");
            } else {
                what = system.to_owned();
            }
        }
        None => {}
    }
    let reason = draft.reason.trim();
    if reason.is_empty() {
        errors.add("reason", "error-required");
    } else if reason.chars().count() > REASON_MAX {
        errors.add("reason", "error-too-long");
    }
    let kind = kind.unwrap_or("role");
    errors.into_result(ValidAccessRequest {
        kind,
        what,
        reason: reason.to_owned(),
    })
}

/// What the request asks for, in words: "sales role" or the system's name.
pub fn what_label(row: &AccessRequestRow) -> String {
    if row.kind == "role" {
        format!("{} role", row.what)
    } else {
        row.what.clone()
    }
}

fn request_json(row: &AccessRequestRow) -> serde_json::Value {
    json!({
        "employee_id": row.employee_id,
        "kind": row.kind,
        "what": row.what,
        "reason": row.reason,
        "state": row.state,
        "ticket_id": row.ticket_id,
    })
}

/// Asks for access for the actor's own employee record. The request waits
/// for the employee's manager (notified) or HR. Returns its id.
///
/// Errors: [`AppError::Invalid`] naming the field (see [`validate`]);
/// [`AppError::NotFound`] without an employee record. Nothing is written
/// on any error.
pub async fn request_access(
    app: &App,
    actor: &Actor,
    draft: &AccessRequestDraft,
) -> AppResult<i64> {
    require_staff(actor)?;
    let employee_id = own_employee_id(app, actor)
        .await?
        .ok_or(AppError::NotFound)?;
    let valid = validate(draft)?;
    let manager = manager_login(app, employee_id).await?;
    let mut tx = app.db.begin().await?;
    let employee = seam_store::hr::employee_in_tx(&mut tx, employee_id, &today_iso()).await?;
    let id = store::insert(
        &mut tx,
        &NewAccessRequest {
            employee_id,
            kind: valid.kind,
            what: &valid.what,
            reason: &valid.reason,
        },
        &actor.username,
        now_us(),
    )
    .await?;
    let row = store::request_in_tx(&mut tx, id).await?;
    record(
        &mut tx,
        actor,
        Change {
            entity_type: "access_request",
            entity_id: id.to_string(),
            action: "request",
            before: None,
            after: Some(request_json(&row)),
        },
    )
    .await?;
    if let Some((_, user)) = manager
        && Some(user) != actor.user_id
    {
        let subject = format!("{}: {}", employee.name, what_label(&row));
        notifications::notify(
            app,
            &mut tx,
            &Notice {
                user_id: user,
                kind: "access-requested",
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

/// One request, for the employee, their manager or HR.
///
/// Errors: [`AppError::NotFound`], also for anyone else.
pub async fn request(app: &App, actor: &Actor, id: i64) -> AppResult<AccessRequestRow> {
    require_staff(actor)?;
    let row = store::request(&app.db, id)
        .await?
        .ok_or(AppError::NotFound)?;
    require_leave_reader(app, actor, row.employee_id).await?;
    Ok(row)
}

/// The actor's own requests, newest first; none without an employee record.
pub async fn my_requests(app: &App, actor: &Actor) -> AppResult<Vec<AccessRequestRow>> {
    require_staff(actor)?;
    let Some(own) = own_employee_id(app, actor).await? else {
        return Ok(Vec::new());
    };
    let filter = Filter {
        employee_id: Some(own),
        ..Filter::default()
    };
    Ok(store::list(&app.db, &filter, LIST_MAX).await?)
}

/// Every request, newest first, or those in one state (`requested`,
/// `approved`, `rejected`). Needs `hr.use`.
///
/// Errors: [`AppError::Invalid`] naming `state` (`error-access-state-name`).
pub async fn list(
    app: &App,
    actor: &Actor,
    state: Option<&str>,
) -> AppResult<Vec<AccessRequestRow>> {
    actor.require(Permission::HrUse)?;
    let state = state.map(str::trim).filter(|s| !s.is_empty());
    if let Some(s) = state
        && !["requested", "approved", "rejected"].contains(&s)
    {
        return Err(FieldErrors::one("state", "error-access-state-name").into());
    }
    let filter = Filter {
        state: state.map(str::to_owned),
        ..Filter::default()
    };
    Ok(store::list(&app.db, &filter, LIST_MAX).await?)
}

/// The requests waiting for the actor's decision: their reports' for a
/// manager, everyone's for HR (`hr.manage`); never their own.
pub async fn awaiting_decision(app: &App, actor: &Actor) -> AppResult<Vec<AccessRequestRow>> {
    require_staff(actor)?;
    let own = own_employee_id(app, actor).await?;
    let mut filter = Filter {
        state: Some("requested".into()),
        on_date: today_iso(),
        ..Filter::default()
    };
    if !actor.may(Permission::HrManage) {
        let Some(own) = own else {
            return Ok(Vec::new());
        };
        filter.manager_id = Some(own);
    }
    let rows = store::list(&app.db, &filter, LIST_MAX).await?;
    Ok(rows
        .into_iter()
        .filter(|r| Some(r.employee_id) != own)
        .collect())
}

/// Approves or rejects a request: the employee's current manager or HR,
/// never the employee themself. Approving opens the IT ticket for the
/// grant in the same transaction ("Access: sales role for Sofia Romano")
/// and links it; the employee is notified either way. Returns the IT
/// ticket's id on approval.
///
/// Errors: [`AppError::NotFound`] for a request the actor may not see;
/// [`AppError::Forbidden`] for one they see but may not decide (their own);
/// [`AppError::Invalid`] naming `note` (`error-too-long`);
/// [`AppError::Conflict`] (`error-access-state`) once decided. Nothing is
/// written on any error.
pub async fn decide(
    app: &App,
    actor: &Actor,
    id: i64,
    approve: bool,
    note: &str,
) -> AppResult<Option<i64>> {
    let current = request(app, actor, id).await?;
    if !may_decide(app, actor, current.employee_id).await? {
        return Err(AppError::Forbidden);
    }
    let note = note.trim();
    if note.chars().count() > NOTE_MAX {
        return Err(FieldErrors::one("note", "error-too-long").into());
    }
    let mut tx = app.db.begin().await?;
    let before = store::request_in_tx(&mut tx, id).await?;
    if before.state != "requested" {
        return Err(AppError::Conflict(STATE_CODE));
    }
    let employee =
        seam_store::hr::employee_in_tx(&mut tx, before.employee_id, &today_iso()).await?;
    let ticket_id = if approve {
        let subject = format!("Access: {} for {}", what_label(&before), employee.name);
        let mut body = format!(
            "{} approved access for {} ({}): {}.\n\nReason: {}",
            actor.display_name,
            employee.name,
            employee.number,
            what_label(&before),
            before.reason
        );
        if !note.is_empty() {
            body.push_str(&format!("\n\nNote: {note}"));
        }
        if before.kind == "role" {
            body.push_str(
                "\n\nGrant the role to their login under Users, then resolve this ticket.",
            );
        }
        Some(
            crate::helpdesk::open_for_party_in(
                app,
                &mut tx,
                actor,
                PartyId(employee.party_id),
                &subject,
                &body,
                Priority::Normal,
                false,
            )
            .await?,
        )
    } else {
        None
    };
    let state = if approve { "approved" } else { "rejected" };
    store::decide(
        &mut tx,
        id,
        &Decision {
            state,
            ticket_id,
            decided_by: &actor.display_name,
            note,
        },
        now_us(),
    )
    .await
    .map_err(|e| match e {
        seam_store::StoreError::Stale => AppError::Conflict(STATE_CODE),
        other => other.into(),
    })?;
    let after = store::request_in_tx(&mut tx, id).await?;
    record(
        &mut tx,
        actor,
        Change {
            entity_type: "access_request",
            entity_id: id.to_string(),
            action: if approve { "approve" } else { "reject" },
            before: Some(request_json(&before)),
            after: Some(request_json(&after)),
        },
    )
    .await?;
    if let Some(user) = employee.user_id.map(UserId)
        && Some(user) != actor.user_id
    {
        let link = match ticket_id {
            Some(t) => format!("/me/it/{t}"),
            None => "/me/it".to_owned(),
        };
        notifications::notify(
            app,
            &mut tx,
            &Notice {
                user_id: user,
                kind: if approve {
                    "access-approved"
                } else {
                    "access-rejected"
                },
                subject: &what_label(&after),
                link: &link,
                email: None,
            },
        )
        .await?;
    }
    tx.commit().await?;
    Ok(ticket_id)
}
