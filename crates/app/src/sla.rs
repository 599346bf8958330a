//! Service levels on the desk: the working-hours calendar and the SLA
//! policies (set with `service.admin`), the clocks every ticket runs against
//! them, the breached and at-risk lists, and the job that tells a ticket's
//! assignee once when it turns at risk and once when it breaches.
//!
//! The clocks follow the ticket's own commands, in their transactions
//! ([`start`] when it opens, [`follow`] after every change): the first
//! response is met by the first public staff reply, the resolution by
//! resolving; the resolution clock stands still while the ticket waits on
//! the customer (`pending`) and runs again when they reply. Each change
//! stores the instants the clock will turn at risk and breach, so the lists
//! are comparisons with "now" in SQL, and queues an `sla-check` job for each
//! of those instants.
//!
//! A change to the calendar or a policy applies to clocks started or resumed
//! after it; running clocks keep the deadlines they were given.

use std::collections::HashMap;

use seam_domain::FieldErrors;
use seam_domain::access::Permission;
use seam_domain::ids::UserId;
use seam_domain::service::{Priority, Queue, TicketState};
use seam_domain::sla::{
    self as rules, Calendar, CalendarDraft, Clock, MINUTE_US, Policy, PolicyDraft, WEEKDAYS,
};
use seam_store::jobs as job_store;
use seam_store::settings;
use seam_store::sla::{self as store, SlaList, SlaRow};
pub use seam_store::sla::{PolicyRow, SlaListRow};
use seam_store::tickets::TicketRow;
use seam_store::{Tx, tickets as ticket_store};
use serde_json::json;

use crate::jobs::JobError;
use crate::notifications::{self, Notice};
use crate::{Actor, App, AppError, AppResult, Change, UserKind, now_us, record, service};

/// The job that checks one ticket's clocks at an instant it was due to turn.
pub const CHECK_JOB: &str = "sla-check";
/// The most tickets one list shows.
pub const LIST_MAX: i64 = 200;
/// The calendar's zone, weekly hours and holidays.
pub const ZONE_SETTING: &str = "sla.zone";
pub const HOURS_SETTING: &str = "sla.hours";
pub const HOLIDAYS_SETTING: &str = "sla.holidays";

fn require_admin(actor: &Actor) -> AppResult<()> {
    actor.require(Permission::ServiceAdmin)
}

/// Staff who work a queue, or set the service levels.
fn require_reader(actor: &Actor) -> AppResult<()> {
    if actor.kind == UserKind::Staff
        && (actor.may(Permission::ServiceAdmin) || !service::queues_of(actor).is_empty())
    {
        Ok(())
    } else {
        Err(AppError::Forbidden)
    }
}

/// The queues whose tickets the actor sees: every one for the service desk.
fn visible_queues(actor: &Actor) -> Vec<Queue> {
    if actor.may(Permission::ServiceUse) {
        Queue::ALL.to_vec()
    } else {
        service::queues_of(actor)
    }
}

/// The week as stored: seven `HH:MM-HH:MM` or `-` words, Monday first.
fn hours_text(draft: &CalendarDraft) -> String {
    let words: Vec<String> = draft
        .hours
        .iter()
        .map(|(start, end)| {
            if start.is_empty() {
                "-".to_owned()
            } else {
                format!("{start}-{end}")
            }
        })
        .collect();
    words.join(" ")
}

fn draft_from_text(zone: &str, hours: &str, holidays: &str) -> CalendarDraft {
    let mut draft = CalendarDraft {
        zone: zone.to_owned(),
        holidays: holidays.to_owned(),
        ..CalendarDraft::default()
    };
    for (slot, word) in draft.hours.iter_mut().zip(hours.split_whitespace()) {
        if let Some((start, end)) = word.split_once('-')
            && !start.is_empty()
        {
            *slot = (start.to_owned(), end.to_owned());
        }
    }
    draft
}

/// The calendar in force: the stored one, or office hours (Monday to
/// Friday 08:00–17:00, UTC) until one is set. For use inside the desk's
/// commands; readers go through [`working_hours`].
pub(crate) async fn calendar_in_force(app: &App) -> AppResult<Calendar> {
    let stored = settings::settings_with_prefix(&app.db, "sla.").await?;
    let value = |name: &str| {
        stored
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    };
    let (Some(zone), Some(hours)) = (value(ZONE_SETTING), value(HOURS_SETTING)) else {
        return Ok(Calendar::office_hours("UTC"));
    };
    let draft = draft_from_text(zone, hours, value(HOLIDAYS_SETTING).unwrap_or_default());
    // The stored text passed these rules when it was saved.
    Ok(rules::validate_calendar(&draft).unwrap_or_else(|_| Calendar::office_hours("UTC")))
}

/// The working-hours calendar, for the desk and its administrators.
pub async fn working_hours(app: &App, actor: &Actor) -> AppResult<Calendar> {
    require_reader(actor)?;
    calendar_in_force(app).await
}

fn calendar_json(calendar: &Calendar) -> serde_json::Value {
    let draft = calendar.to_draft();
    let week: serde_json::Map<String, serde_json::Value> = WEEKDAYS
        .iter()
        .zip(&draft.hours)
        .map(|(day, (start, end))| {
            let value = if start.is_empty() {
                serde_json::Value::Null
            } else {
                json!(format!("{start}-{end}"))
            };
            ((*day).to_owned(), value)
        })
        .collect();
    json!({ "zone": draft.zone, "hours": week, "holidays": draft.holidays })
}

/// Checks and stores the calendar. Needs `service.admin`. Clocks started or
/// resumed afterwards use it.
///
/// Errors: [`AppError::Invalid`] with the fields of
/// [`seam_domain::sla::validate_calendar`]; nothing is written on any error.
pub async fn update_calendar(app: &App, actor: &Actor, draft: &CalendarDraft) -> AppResult<()> {
    require_admin(actor)?;
    let calendar = rules::validate_calendar(draft)?;
    let before = calendar_in_force(app).await?;
    let clean = calendar.to_draft();
    let mut tx = app.db.begin().await?;
    settings::set_setting(&mut tx, ZONE_SETTING, &clean.zone).await?;
    settings::set_setting(&mut tx, HOURS_SETTING, &hours_text(&clean)).await?;
    settings::set_setting(&mut tx, HOLIDAYS_SETTING, &clean.holidays).await?;
    record(
        &mut tx,
        actor,
        Change {
            entity_type: "settings",
            entity_id: "sla-calendar".to_owned(),
            action: "update",
            before: Some(calendar_json(&before)),
            after: Some(calendar_json(&calendar)),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

fn policy_of(row: &PolicyRow) -> Option<Policy> {
    Some(Policy {
        priority: Priority::parse(&row.priority)?,
        queue: if row.queue.is_empty() {
            None
        } else {
            Some(Queue::parse(&row.queue)?)
        },
        first_response_min: row.first_response_min,
        resolution_min: row.resolution_min,
    })
}

fn policy_json(row: &PolicyRow) -> serde_json::Value {
    json!({
        "priority": row.priority,
        "queue": row.queue,
        "first_response_min": row.first_response_min,
        "resolution_min": row.resolution_min,
    })
}

/// Every policy, by priority and queue.
pub async fn policies(app: &App, actor: &Actor) -> AppResult<Vec<PolicyRow>> {
    require_reader(actor)?;
    Ok(store::policies(&app.db).await?)
}

/// Sets the targets of a priority (for one queue, or every queue without its
/// own), replacing any there were. Needs `service.admin`. New tickets, and
/// tickets whose priority or queue changes, are measured against it.
/// Returns the policy's id.
///
/// Errors: [`AppError::Invalid`] naming `priority`, `queue`,
/// `first_response_min` or `resolution_min` (see
/// [`seam_domain::sla::validate_policy`]); nothing is written on any error.
pub async fn set_policy(app: &App, actor: &Actor, draft: &PolicyDraft) -> AppResult<i64> {
    require_admin(actor)?;
    let policy = rules::validate_policy(draft)?;
    let queue = policy.queue.map(Queue::name).unwrap_or_default();
    let before = store::policies(&app.db)
        .await?
        .into_iter()
        .find(|p| p.priority == policy.priority.name() && p.queue == queue);
    let mut tx = app.db.begin().await?;
    let id = store::upsert_policy(
        &mut tx,
        policy.priority.name(),
        queue,
        policy.first_response_min,
        policy.resolution_min,
        now_us(),
    )
    .await?;
    let after = store::policy_in_tx(&mut tx, id)
        .await?
        .ok_or(AppError::NotFound)?;
    record(
        &mut tx,
        actor,
        Change {
            entity_type: "sla_policy",
            entity_id: id.to_string(),
            action: if before.is_some() { "update" } else { "create" },
            before: before.as_ref().map(policy_json),
            after: Some(policy_json(&after)),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(id)
}

/// Removes a policy: tickets of its priority (and queue) are no longer
/// measured, unless a policy for every queue covers them. Needs `service.admin`.
///
/// Errors: [`AppError::NotFound`].
pub async fn delete_policy(app: &App, actor: &Actor, id: i64) -> AppResult<()> {
    require_admin(actor)?;
    let mut tx = app.db.begin().await?;
    let before = store::policy_in_tx(&mut tx, id)
        .await?
        .ok_or(AppError::NotFound)?;
    store::delete_policy(&mut tx, id).await?;
    record(
        &mut tx,
        actor,
        Change {
            entity_type: "sla_policy",
            entity_id: id.to_string(),
            action: "delete",
            before: Some(policy_json(&before)),
            after: None,
        },
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

async fn policy_for(app: &App, ticket: &TicketRow) -> AppResult<Option<Policy>> {
    let (Some(priority), Some(queue)) = (
        Priority::parse(&ticket.priority),
        Queue::parse(&ticket.queue),
    ) else {
        return Ok(None);
    };
    let policies: Vec<Policy> = store::policies(&app.db)
        .await?
        .iter()
        .filter_map(policy_of)
        .collect();
    Ok(rules::pick_policy(&policies, priority, queue))
}

fn first_response(row: &SlaRow) -> Clock {
    Clock {
        target_min: row.first_response_target_min,
        used_us: row.first_response_used_us,
        running_since_us: row.first_response_since_us,
        due_at_us: row.first_response_due_at_us,
        warn_at_us: row.first_response_warn_at_us,
    }
}

fn resolution(row: &SlaRow) -> Clock {
    Clock {
        target_min: row.resolution_target_min,
        used_us: row.resolution_used_us,
        running_since_us: row.resolution_since_us,
        due_at_us: row.resolution_due_at_us,
        warn_at_us: row.resolution_warn_at_us,
    }
}

fn with_clocks(row: SlaRow, first: Clock, res: Clock, now: i64) -> SlaRow {
    SlaRow {
        first_response_target_min: first.target_min,
        first_response_used_us: first.used_us,
        first_response_since_us: first.running_since_us,
        first_response_due_at_us: first.due_at_us,
        first_response_warn_at_us: first.warn_at_us,
        resolution_target_min: res.target_min,
        resolution_used_us: res.used_us,
        resolution_since_us: res.running_since_us,
        resolution_due_at_us: res.due_at_us,
        resolution_warn_at_us: res.warn_at_us,
        updated_at_us: now,
        ..row
    }
}

/// Saves the clocks and queues a check for every instant that is new.
async fn save(tx: &mut Tx, before: Option<&SlaRow>, after: &SlaRow) -> AppResult<()> {
    store::save_sla(tx, after).await?;
    let instants = |r: &SlaRow| {
        [
            r.first_response_warn_at_us,
            r.first_response_due_at_us,
            r.resolution_warn_at_us,
            r.resolution_due_at_us,
        ]
    };
    let old = before.map(instants).unwrap_or_default();
    let payload = json!({ "ticket_id": after.ticket_id }).to_string();
    for at in instants(after).into_iter().flatten() {
        if !old.contains(&Some(at)) {
            job_store::enqueue(tx, CHECK_JOB, &payload, at).await?;
        }
    }
    Ok(())
}

fn fresh(ticket_id: i64, policy: &Policy, calendar: &Calendar, now: i64) -> SlaRow {
    let first = Clock::start(calendar, policy.first_response_min, now);
    let res = Clock::start(calendar, policy.resolution_min, now);
    let row = SlaRow {
        ticket_id,
        first_response_target_min: 0,
        first_response_used_us: 0,
        first_response_since_us: None,
        first_response_due_at_us: None,
        first_response_warn_at_us: None,
        resolution_target_min: 0,
        resolution_used_us: 0,
        resolution_since_us: None,
        resolution_due_at_us: None,
        resolution_warn_at_us: None,
        paused_at_us: None,
        paused_us: 0,
        at_risk_notified_at_us: None,
        breach_notified_at_us: None,
        updated_at_us: now,
    };
    with_clocks(row, first, res, now)
}

/// Starts the clocks of a ticket just opened, in its transaction, when a
/// policy covers its priority and queue.
pub(crate) async fn start(app: &App, tx: &mut Tx, ticket: &TicketRow, now: i64) -> AppResult<()> {
    let Some(policy) = policy_for(app, ticket).await? else {
        return Ok(());
    };
    let calendar = calendar_in_force(app).await?;
    save(tx, None, &fresh(ticket.id, &policy, &calendar, now)).await
}

/// Moves the ticket's clocks along with a change to it, in its transaction:
/// a first public reply meets the first response; waiting on the customer
/// stops the resolution clock and their reply runs it again; resolving or
/// closing stops both; a new priority or queue measures both against its
/// policy, keeping the time used.
pub(crate) async fn follow(
    app: &App,
    tx: &mut Tx,
    before: &TicketRow,
    after: &TicketRow,
    now: i64,
) -> AppResult<()> {
    let retarget = before.priority != after.priority || before.queue != after.queue;
    let stored = store::sla_in_tx(tx, after.id).await?;
    let Some(old) = stored else {
        // A ticket no policy covered may be covered after its change.
        if retarget && service::state_of(after).is_active() {
            return start(app, tx, after, now).await;
        }
        return Ok(());
    };
    let calendar = calendar_in_force(app).await?;
    let mut first = first_response(&old);
    let mut res = resolution(&old);
    if retarget && let Some(policy) = policy_for(app, after).await? {
        first = first.retarget(&calendar, policy.first_response_min, now);
        res = res.retarget(&calendar, policy.resolution_min, now);
    }
    let mut row = old.clone();
    let state = service::state_of(after);
    if after.first_response_at_us.is_some() {
        first = first.stop(&calendar, now);
    } else if state.is_active() {
        // Reopened before anyone answered: the first response is still owed.
        first = first.resume(&calendar, now);
    }
    let was_pending = row.paused_at_us.is_some();
    if was_pending && state != TicketState::Pending {
        let since = row.paused_at_us.unwrap_or(now);
        row.paused_us = row
            .paused_us
            .saturating_add(calendar.business_us(since, now));
        row.paused_at_us = None;
    }
    match state {
        TicketState::Open => res = res.resume(&calendar, now),
        TicketState::Pending => {
            res = res.stop(&calendar, now);
            if !was_pending {
                row.paused_at_us = Some(now);
            }
        }
        TicketState::Resolved | TicketState::Closed => {
            first = first.stop(&calendar, now);
            res = res.stop(&calendar, now);
        }
    }
    let row = with_clocks(row, first, res, now);
    if row != old {
        save(tx, Some(&old), &row).await?;
    }
    Ok(())
}

/// Where one clock stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum ClockStatus {
    /// Stopped within its target.
    Met,
    /// Running, with time to spare.
    Running,
    /// Standing still while the ticket waits on the customer.
    Paused,
    /// Running, past its warning.
    AtRisk,
    /// Stopped after its target.
    Missed,
    /// Running past its deadline.
    Breached,
}

impl ClockStatus {
    /// The catalogue suffix: `sla-status-at-risk`.
    pub fn name(self) -> &'static str {
        match self {
            ClockStatus::Met => "met",
            ClockStatus::Running => "running",
            ClockStatus::Paused => "paused",
            ClockStatus::AtRisk => "at-risk",
            ClockStatus::Missed => "missed",
            ClockStatus::Breached => "breached",
        }
    }
}

/// One clock of a ticket, for display.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ClockView {
    pub target_min: i64,
    pub status: ClockStatus,
    /// The deadline while it runs, or when it was breached.
    pub due_at_us: Option<i64>,
    /// Business minutes left; negative once over.
    pub remaining_min: i64,
    pub used_min: i64,
}

/// A ticket's service level, for its page.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TicketSla {
    pub first_response: ClockView,
    pub resolution: ClockView,
    /// Since when it waits on the customer.
    pub paused_at_us: Option<i64>,
    /// Business minutes it waited on the customer, this wait included.
    pub paused_min: i64,
}

impl TicketSla {
    /// The worse of the two clocks that still matter (an answered first
    /// response no longer does), for the badge on a list.
    pub fn badge(&self) -> ClockStatus {
        let first = match self.first_response.status {
            ClockStatus::Met | ClockStatus::Missed => ClockStatus::Met,
            other => other,
        };
        first.max(self.resolution.status)
    }
}

fn view(clock: &Clock, calendar: &Calendar, now: i64, paused: bool) -> ClockView {
    // A running clock is measured against its stored deadline, the instant
    // the lists compare with, so the page and the lists always agree.
    let remaining_us = match (clock.is_running(), clock.due_at_us) {
        (true, Some(due)) if due <= now => -calendar.business_us(due, now),
        (true, Some(due)) => calendar.business_us(now, due),
        _ => clock.remaining_us(calendar, now),
    };
    let status = match (clock.is_running(), clock.is_breached(now)) {
        (true, true) => ClockStatus::Breached,
        (true, false) if clock.warn_at_us.is_some_and(|w| w <= now) => ClockStatus::AtRisk,
        (true, false) => ClockStatus::Running,
        (false, true) if paused => ClockStatus::Breached,
        (false, true) => ClockStatus::Missed,
        (false, false) if paused => ClockStatus::Paused,
        (false, false) => ClockStatus::Met,
    };
    ClockView {
        target_min: clock.target_min,
        status,
        due_at_us: clock.due_at_us,
        remaining_min: remaining_us.div_euclid(MINUTE_US),
        used_min: clock.used_at(calendar, now) / MINUTE_US,
    }
}

fn ticket_sla(row: &SlaRow, calendar: &Calendar, now: i64) -> TicketSla {
    let paused = row.paused_at_us.is_some();
    let waiting = row
        .paused_at_us
        .map_or(0, |since| calendar.business_us(since, now));
    TicketSla {
        first_response: view(&first_response(row), calendar, now, false),
        resolution: view(&resolution(row), calendar, now, paused),
        paused_at_us: row.paused_at_us,
        paused_min: row.paused_us.saturating_add(waiting) / MINUTE_US,
    }
}

/// The service level of a ticket the caller has already been allowed to see
/// (see `service::ticket`); `None` when no policy measures it.
pub(crate) async fn of_ticket(app: &App, ticket_id: i64) -> AppResult<Option<TicketSla>> {
    let Some(row) = store::sla_of(&app.db, ticket_id).await? else {
        return Ok(None);
    };
    let calendar = calendar_in_force(app).await?;
    Ok(Some(ticket_sla(&row, &calendar, now_us())))
}

/// The badges of a page of the desk's list: each measured ticket's worst
/// clock. The rows come from `service::list`, which checked who may see them.
pub async fn badges(
    app: &App,
    actor: &Actor,
    rows: &[TicketRow],
) -> AppResult<HashMap<i64, ClockStatus>> {
    require_reader(actor)?;
    let ids: Vec<i64> = rows.iter().map(|r| r.id).collect();
    let calendar = calendar_in_force(app).await?;
    let now = now_us();
    Ok(store::slas_of(&app.db, &ids)
        .await?
        .iter()
        .map(|row| (row.ticket_id, ticket_sla(row, &calendar, now).badge()))
        .collect())
}

/// Which tickets a list shows.
#[derive(Debug, Clone, Copy, Default)]
pub struct SlaFilter {
    /// One of the actor's queues, or all of them.
    pub queue: Option<Queue>,
    /// The instant to judge at: now when `None`; a later one shows what
    /// will have breached by then if nothing changes.
    pub at_us: Option<i64>,
}

async fn list(
    app: &App,
    actor: &Actor,
    which: SlaList,
    filter: &SlaFilter,
) -> AppResult<Vec<SlaListRow>> {
    require_reader(actor)?;
    let queues: Vec<String> = visible_queues(actor)
        .into_iter()
        .filter(|q| filter.queue.is_none_or(|f| f == *q))
        .map(|q| q.name().to_owned())
        .collect();
    let at = filter.at_us.unwrap_or_else(now_us);
    Ok(store::list(&app.db, which, at, &queues, LIST_MAX).await?)
}

/// Active tickets of the actor's queues past a deadline, oldest first.
pub async fn breached(app: &App, actor: &Actor, filter: &SlaFilter) -> AppResult<Vec<SlaListRow>> {
    list(app, actor, SlaList::Breached, filter).await
}

/// Active tickets of the actor's queues past a warning and not yet breached.
pub async fn at_risk(app: &App, actor: &Actor, filter: &SlaFilter) -> AppResult<Vec<SlaListRow>> {
    list(app, actor, SlaList::AtRisk, filter).await
}

/// The `sla-check` job: see [`notify_due`].
pub(crate) async fn check_job(app: &App, payload: &str) -> Result<(), JobError> {
    let id = serde_json::from_str::<serde_json::Value>(payload)
        .ok()
        .and_then(|v| v.get("ticket_id").and_then(serde_json::Value::as_i64))
        .ok_or_else(|| JobError::Permanent(format!("bad sla-check payload `{payload}`")))?;
    notify_due(app, id, now_us())
        .await
        .map(|_| ())
        .map_err(|e| JobError::Retry(e.to_string()))
}

/// Tells the ticket's assignee (in the app) that it breached or turned at
/// risk by `now_us`, once for each; records it on the ticket's timeline.
/// Safe to repeat: a ticket already told, or no longer on the list, is left
/// alone. A ticket without an assignee is marked told all the same: it is
/// on the desk's lists for whoever picks it up. Returns what it told.
pub async fn notify_due(app: &App, ticket_id: i64, now_us: i64) -> AppResult<Option<ClockStatus>> {
    let mut tx = app.db.begin().await?;
    let ticket = match ticket_store::ticket_in_tx(&mut tx, ticket_id).await {
        Ok(t) => t,
        Err(seam_store::StoreError::NotFound) => return Ok(None),
        Err(e) => return Err(e.into()),
    };
    let told = if store::mark_breach_notified(&mut tx, ticket_id, now_us).await? {
        ClockStatus::Breached
    } else if store::mark_at_risk_notified(&mut tx, ticket_id, now_us).await? {
        ClockStatus::AtRisk
    } else {
        return Ok(None);
    };
    if let Some(assignee) = ticket.assignee_user_id {
        let subject = format!("{} {}", ticket.number, ticket.subject);
        notifications::notify(
            app,
            &mut tx,
            &Notice {
                user_id: UserId(assignee),
                kind: if told == ClockStatus::Breached {
                    "sla-breached"
                } else {
                    "sla-at-risk"
                },
                subject: &subject,
                link: &format!("/service/tickets/{ticket_id}"),
                email: None,
            },
        )
        .await?;
    }
    record(
        &mut tx,
        &Actor::system("sla"),
        Change {
            entity_type: "ticket",
            entity_id: ticket_id.to_string(),
            action: if told == ClockStatus::Breached {
                "sla-breached"
            } else {
                "sla-at-risk"
            },
            before: None,
            after: Some(json!({ "at_us": now_us, "assignee_user_id": ticket.assignee_user_id })),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(Some(told))
}

/// Field errors for an instant typed as RFC 3339 or `YYYY-MM-DDTHH:MM` in
/// the actor's zone, for `--at` and `?at=`: errors name `at` (`error-sla-at`).
pub fn parse_at(actor: &Actor, text: &str) -> Result<Option<i64>, FieldErrors> {
    let text = text.trim();
    if text.is_empty() {
        return Ok(None);
    }
    if let Ok(ts) = text.parse::<jiff::Timestamp>() {
        return Ok(Some(ts.as_microsecond()));
    }
    let zone = jiff::tz::TimeZone::get(&actor.time_zone).unwrap_or(jiff::tz::TimeZone::UTC);
    text.parse::<jiff::civil::DateTime>()
        .ok()
        .and_then(|dt| dt.to_zoned(zone).ok())
        .map(|z| Some(z.timestamp().as_microsecond()))
        .ok_or_else(|| FieldErrors::one("at", "error-sla-at"))
}
