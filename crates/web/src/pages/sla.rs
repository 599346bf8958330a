//! Service levels in the desk: the breached and at-risk lists
//! (`/service/sla`), the working hours and targets (`/service/sla/settings`,
//! `service.admin`), and the SLA facts and badges the ticket pages show.

use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use seam_app::sla::{self, ClockStatus, ClockView, SlaFilter, SlaListRow, TicketSla};
use seam_app::{Actor, AppError};
use seam_domain::FieldErrors;
use seam_domain::access::Permission;
use seam_domain::service::Queue;
use seam_domain::sla::{CalendarDraft, PolicyDraft, WEEKDAYS};
use serde::Deserialize;

use super::ledger::{Choice, form_errors};
use super::{FormData, IdPath};
use crate::AppState;
use crate::html::{Errors, Page, fail, redirect_with_flash, render};
use crate::i18n::I18n;
use crate::who::{CurrentActor, Requester, Who};

const NAV_PATH: &str = "/service";

/// `2 h 05 min`, of business minutes.
pub fn duration(minutes: i64) -> String {
    let minutes = minutes.abs();
    if minutes >= 60 {
        format!("{} h {:02} min", minutes / 60, minutes % 60)
    } else {
        format!("{minutes} min")
    }
}

/// A badge's text and class for a clock's status.
pub struct BadgeView {
    pub class: &'static str,
    pub label: String,
}

impl BadgeView {
    pub fn new(i18n: &I18n, status: ClockStatus) -> BadgeView {
        BadgeView {
            class: status.name(),
            label: i18n.t(&format!("sla-status-{}", status.name())),
        }
    }
}

/// One clock on the ticket's page.
pub struct ClockLine {
    pub label: String,
    pub target: String,
    pub due: String,
    /// "1 h 10 min left", "25 min overdue", or "" once met.
    pub remaining: String,
    pub badge: BadgeView,
}

fn clock_line(i18n: &I18n, zone: &str, label: &str, c: &ClockView) -> ClockLine {
    let remaining = match c.status {
        ClockStatus::Met => String::new(),
        ClockStatus::Breached | ClockStatus::Missed => {
            i18n.t1("sla-overdue", "time", duration(c.remaining_min))
        }
        _ if c.remaining_min < 0 => i18n.t1("sla-overdue", "time", duration(c.remaining_min)),
        _ => i18n.t1("sla-left", "time", duration(c.remaining_min)),
    };
    ClockLine {
        label: i18n.t(label),
        target: duration(c.target_min),
        due: c
            .due_at_us
            .map(|d| i18n.timestamp(&d, zone))
            .unwrap_or_default(),
        remaining,
        badge: BadgeView::new(i18n, c.status),
    }
}

/// A ticket's service level on its page.
pub struct SlaView {
    pub clocks: Vec<ClockLine>,
    /// "Waiting on the customer since …", or "".
    pub paused: String,
    /// Business time it has waited on the customer, or "".
    pub paused_total: String,
}

impl SlaView {
    pub fn new(i18n: &I18n, zone: &str, s: &TicketSla) -> SlaView {
        SlaView {
            clocks: vec![
                clock_line(i18n, zone, "sla-first-response", &s.first_response),
                clock_line(i18n, zone, "sla-resolution", &s.resolution),
            ],
            paused: s
                .paused_at_us
                .map(|p| i18n.t1("sla-paused-since", "time", i18n.timestamp(&p, zone)))
                .unwrap_or_default(),
            paused_total: if s.paused_min > 0 {
                duration(s.paused_min)
            } else {
                String::new()
            },
        }
    }
}

/// A ticket on one of the two lists.
pub struct SlaRowView {
    pub id: i64,
    pub number: String,
    pub subject: String,
    pub customer: String,
    pub queue: String,
    pub priority: String,
    /// Which deadline, and when.
    pub due: String,
    pub paused: bool,
}

fn row_view(i18n: &I18n, zone: &str, r: &SlaListRow, at: i64) -> SlaRowView {
    // The clock that put it on the list: the unanswered first response if
    // that one is due first, else the resolution.
    let first = r
        .first_response_due_at_us
        .filter(|_| r.first_response_at_us.is_none());
    let (key, due) = match (first, r.resolution_due_at_us) {
        (Some(f), Some(res)) if f <= res || f <= at => ("sla-first-response", Some(f)),
        (Some(f), None) => ("sla-first-response", Some(f)),
        (_, res) => ("sla-resolution", res),
    };
    SlaRowView {
        id: r.id,
        number: r.number.clone(),
        subject: r.subject.clone(),
        customer: r.party_name.clone(),
        queue: i18n.t(&format!("ticket-queue-{}", r.queue)),
        priority: i18n.t(&format!("ticket-priority-{}", r.priority)),
        due: format!(
            "{}: {}",
            i18n.t(key),
            due.map(|d| i18n.timestamp(&d, zone)).unwrap_or_default()
        ),
        paused: r.paused_at_us.is_some(),
    }
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct SlaQuery {
    #[serde(default)]
    pub queue: String,
    /// An instant in the reader's zone (`2026-12-01T17:00`): what will have
    /// breached by then if nothing changes.
    #[serde(default)]
    pub at: String,
}

pub struct QueueChoice {
    pub name: String,
    pub label: String,
    pub current: bool,
}

#[derive(Template)]
#[template(path = "service_sla.html")]
struct ListsPage {
    page: Page,
    queues: Vec<QueueChoice>,
    queue: String,
    at: String,
    at_error: String,
    breached: Vec<SlaRowView>,
    at_risk: Vec<SlaRowView>,
    may_admin: bool,
}

/// `/service/sla`: the breached and at-risk tickets of the reader's queues.
pub async fn lists(
    State(state): State<AppState>,
    Requester(who): Requester,
    CurrentActor(actor): CurrentActor,
    Query(query): Query<SlaQuery>,
) -> Response {
    let queue = Queue::parse(&query.queue);
    let (at_us, at_error) = match sla::parse_at(&actor, &query.at) {
        Ok(at) => (at, FieldErrors::new()),
        Err(e) => (None, e),
    };
    let filter = SlaFilter { queue, at_us };
    let breached = match sla::breached(&state.app, &actor, &filter).await {
        Ok(rows) => rows,
        Err(e) => return fail(&who, &e),
    };
    let at_risk = match sla::at_risk(&state.app, &actor, &filter).await {
        Ok(rows) => rows,
        Err(e) => return fail(&who, &e),
    };
    let page = Page::new(&state, &who, "sla-title", NAV_PATH).await;
    let i18n = &page.i18n;
    let zone = page.time_zone.clone();
    let at = at_us.unwrap_or_else(seam_app::now_us);
    let visible: Vec<Queue> = Queue::ALL
        .into_iter()
        .filter(|q| actor.may(Permission::ServiceUse) || actor.may(q.permission()))
        .collect();
    let status = if at_error.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    render(
        status,
        &ListsPage {
            queues: visible
                .into_iter()
                .map(|q| QueueChoice {
                    name: q.name().to_owned(),
                    label: i18n.t(&format!("ticket-queue-{}", q.name())),
                    current: Some(q) == queue,
                })
                .collect(),
            queue: queue.map(Queue::name).unwrap_or_default().to_owned(),
            at: query.at.clone(),
            at_error: Errors::new(i18n, &at_error).get("at").to_owned(),
            breached: breached
                .iter()
                .map(|r| row_view(i18n, &zone, r, at))
                .collect(),
            at_risk: at_risk
                .iter()
                .map(|r| row_view(i18n, &zone, r, at))
                .collect(),
            may_admin: actor.may(Permission::ServiceAdmin),
            page,
        },
    )
}

/// One weekday's row of the hours form.
pub struct DayRow {
    pub name: &'static str,
    pub label: String,
    pub start: String,
    pub end: String,
}

/// One policy's row.
pub struct PolicyLine {
    pub id: i64,
    pub priority: String,
    pub queue: String,
    pub first_response: String,
    pub resolution: String,
}

#[derive(Template)]
#[template(path = "service_sla_settings.html")]
struct SettingsPage {
    page: Page,
    zone: String,
    days: Vec<DayRow>,
    holidays: String,
    policies: Vec<PolicyLine>,
    priorities: Vec<Choice>,
    queues: Vec<Choice>,
    policy: PolicyDraft,
    public_url: String,
    errors: Errors,
}

async fn settings_page(
    state: &AppState,
    who: &Who,
    actor: &Actor,
    status: StatusCode,
    typed: Option<CalendarDraft>,
    policy: PolicyDraft,
    errors: Errors,
) -> Response {
    let calendar = match sla::working_hours(&state.app, actor).await {
        Ok(c) => c,
        Err(e) => return fail(who, &e),
    };
    let rows = match sla::policies(&state.app, actor).await {
        Ok(p) => p,
        Err(e) => return fail(who, &e),
    };
    let public_url = match seam_app::csat::public_url(&state.app).await {
        Ok(u) => u,
        Err(e) => return fail(who, &e),
    };
    let mut rows = rows;
    // Most urgent first, a priority's queue-wide targets before its queues'.
    rows.sort_by_key(|p| {
        let rank = seam_domain::service::Priority::parse(&p.priority).map(std::cmp::Reverse);
        (rank, p.queue.clone())
    });
    let draft = typed.unwrap_or_else(|| calendar.to_draft());
    let page = Page::new(state, who, "sla-settings-title", NAV_PATH).await;
    let i18n = &page.i18n;
    let mut queues = vec![Choice {
        value: String::new(),
        label: i18n.t("sla-every-queue"),
    }];
    queues.extend(Queue::ALL.into_iter().map(|q| Choice {
        value: q.name().to_owned(),
        label: i18n.t(&format!("ticket-queue-{}", q.name())),
    }));
    render(
        status,
        &SettingsPage {
            zone: draft.zone.clone(),
            days: WEEKDAYS
                .iter()
                .zip(&draft.hours)
                .map(|(name, (start, end))| DayRow {
                    name,
                    label: i18n.t(&format!("sla-day-{name}")),
                    start: start.clone(),
                    end: end.clone(),
                })
                .collect(),
            holidays: draft.holidays.clone(),
            policies: rows
                .iter()
                .map(|p| PolicyLine {
                    id: p.id,
                    priority: i18n.t(&format!("ticket-priority-{}", p.priority)),
                    queue: if p.queue.is_empty() {
                        i18n.t("sla-every-queue")
                    } else {
                        i18n.t(&format!("ticket-queue-{}", p.queue))
                    },
                    first_response: duration(p.first_response_min),
                    resolution: duration(p.resolution_min),
                })
                .collect(),
            priorities: super::service::priority_choices(i18n),
            queues,
            policy,
            public_url,
            errors,
            page,
        },
    )
}

fn new_policy() -> PolicyDraft {
    PolicyDraft {
        priority: "normal".to_owned(),
        ..PolicyDraft::default()
    }
}

/// `/service/sla/settings`: working hours and targets.
pub async fn settings(
    State(state): State<AppState>,
    Requester(who): Requester,
    CurrentActor(actor): CurrentActor,
) -> Response {
    settings_page(
        &state,
        &who,
        &actor,
        StatusCode::OK,
        None,
        new_policy(),
        Errors::default(),
    )
    .await
}

fn calendar_from_form(form: &FormData) -> CalendarDraft {
    let mut draft = CalendarDraft {
        zone: form.get("zone").to_owned(),
        holidays: form.get("holidays").to_owned(),
        ..CalendarDraft::default()
    };
    for (slot, name) in draft.hours.iter_mut().zip(WEEKDAYS) {
        *slot = (
            form.get(&format!("{name}_start")).to_owned(),
            form.get(&format!("{name}_end")).to_owned(),
        );
    }
    draft
}

fn failed(actor: &Actor, e: &AppError) -> Option<(StatusCode, Errors)> {
    form_errors(&I18n::new(actor.locale), e, "form")
}

pub async fn save_calendar(
    State(state): State<AppState>,
    Requester(who): Requester,
    CurrentActor(actor): CurrentActor,
    form: FormData,
) -> Response {
    let draft = calendar_from_form(&form);
    match sla::update_calendar(&state.app, &actor, &draft).await {
        Ok(()) => {
            redirect_with_flash(&state, &who, "/service/sla/settings", "sla-hours-saved").await
        }
        Err(e) => match failed(&actor, &e) {
            Some((status, errors)) => {
                settings_page(
                    &state,
                    &who,
                    &actor,
                    status,
                    Some(draft),
                    new_policy(),
                    errors,
                )
                .await
            }
            None => fail(&who, &e),
        },
    }
}

pub async fn save_policy(
    State(state): State<AppState>,
    Requester(who): Requester,
    CurrentActor(actor): CurrentActor,
    form: FormData,
) -> Response {
    let draft = PolicyDraft {
        priority: form.get("priority").to_owned(),
        queue: form.get("queue").to_owned(),
        first_response_min: form.get("first_response_min").to_owned(),
        resolution_min: form.get("resolution_min").to_owned(),
    };
    match sla::set_policy(&state.app, &actor, &draft).await {
        Ok(_) => {
            redirect_with_flash(&state, &who, "/service/sla/settings", "sla-policy-saved").await
        }
        Err(e) => match failed(&actor, &e) {
            Some((status, errors)) => {
                settings_page(&state, &who, &actor, status, None, draft, errors).await
            }
            None => fail(&who, &e),
        },
    }
}

pub async fn delete_policy(
    State(state): State<AppState>,
    Requester(who): Requester,
    CurrentActor(actor): CurrentActor,
    IdPath(id): IdPath,
) -> Response {
    match sla::delete_policy(&state.app, &actor, id).await {
        Ok(()) => {
            redirect_with_flash(&state, &who, "/service/sla/settings", "sla-policy-deleted").await
        }
        Err(e) => fail(&who, &e),
    }
}

pub async fn save_public_url(
    State(state): State<AppState>,
    Requester(who): Requester,
    CurrentActor(actor): CurrentActor,
    form: FormData,
) -> Response {
    match seam_app::csat::set_public_url(&state.app, &actor, form.get("public_url")).await {
        Ok(()) => {
            redirect_with_flash(
                &state,
                &who,
                "/service/sla/settings",
                "sla-public-url-saved",
            )
            .await
        }
        Err(e) => match failed(&actor, &e) {
            Some((status, errors)) => {
                settings_page(&state, &who, &actor, status, None, new_policy(), errors).await
            }
            None => fail(&who, &e),
        },
    }
}
