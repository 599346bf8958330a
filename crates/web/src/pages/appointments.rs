//! Appointments and resources at reception: book, reschedule, cancel, check
//! a visitor in from an appointment; the rooms and equipment; the day's
//! room schedule. And for every member of staff: their own appointments and
//! the secret address of their calendar feed. The feed itself is served by
//! [`feed`], a public route whose token is the credential.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use seam_app::appointments::{self, Appointment, AppointmentFilter, FeedOwner, ResourceRow};
use seam_app::reception::{self as desk, HostRow};
use seam_app::{Actor, AppError, now_us};
use seam_domain::access::Permission;
use seam_domain::appointment::{AppointmentDraft, ResourceDraft};
use serde::Deserialize;

use super::parties::{CompanyOption, company_options};
use super::{FormData, IdPath};
use crate::AppState;
use crate::html::{Errors, Page, fail, ok, redirect_with_flash, render};
use crate::i18n::I18n;
use crate::who::{CurrentActor, Requester, Who};

/// How far ahead the reception list looks.
const UPCOMING_DAYS: i64 = 14;
const DAY_US: i64 = 86_400_000_000;

/// An appointment ready to show.
pub struct AppointmentView {
    pub id: i64,
    pub title: String,
    pub when: String,
    pub start: String,
    pub end: String,
    pub time_span: String,
    pub organiser: String,
    pub attendees: Vec<String>,
    pub resources: Vec<String>,
    /// The visitor with their company, or "".
    pub visitor: String,
    pub visitor_name: String,
    pub company: String,
    pub party_id: Option<i64>,
    pub visitor_email: String,
    pub location: String,
    pub notes: String,
    pub cancelled: bool,
    pub visit_id: Option<i64>,
    pub sequence: i64,
    /// For `datetime-local` inputs: `YYYY-MM-DDTHH:MM` in the viewer's zone.
    pub start_local: String,
    pub end_local: String,
}

fn local(us: i64, time_zone: &str) -> Option<jiff::civil::DateTime> {
    let zone = jiff::tz::TimeZone::get(time_zone).unwrap_or(jiff::tz::TimeZone::UTC);
    jiff::Timestamp::from_microsecond(us)
        .ok()
        .map(|t| t.to_zoned(zone).datetime())
}

fn input_value(us: i64, time_zone: &str) -> String {
    local(us, time_zone)
        .map(|d| d.strftime("%Y-%m-%dT%H:%M").to_string())
        .unwrap_or_default()
}

fn clock(us: i64, time_zone: &str) -> String {
    local(us, time_zone)
        .map(|d| format!("{:02}:{:02}", d.hour(), d.minute()))
        .unwrap_or_default()
}

/// `start – end`, with what the end shares with the start (the date, in
/// whichever format the language writes it) left off the end.
fn span(start: &str, end: &str) -> String {
    let shared = start
        .char_indices()
        .zip(end.chars())
        .take_while(|((_, a), b)| a == b)
        .map(|((i, a), _)| i + a.len_utf8())
        .last()
        .unwrap_or(0);
    let cut = start
        .get(..shared)
        .and_then(|prefix| prefix.rfind(' '))
        .map_or(0, |i| i + 1);
    format!("{start} – {}", end.get(cut..).unwrap_or(end))
}

impl AppointmentView {
    pub fn new(i18n: &I18n, time_zone: &str, a: &Appointment) -> AppointmentView {
        let row = &a.row;
        let visitor = match (row.visitor_company.is_empty(), &row.party_name) {
            (_, _) if row.visitor_name.is_empty() => String::new(),
            (false, _) => format!("{} ({})", row.visitor_name, row.visitor_company),
            (true, Some(party)) => format!("{} ({party})", row.visitor_name),
            (true, None) => row.visitor_name.clone(),
        };
        AppointmentView {
            id: row.id,
            title: row.title.clone(),
            when: span(
                &i18n.timestamp(&row.start_us, time_zone),
                &i18n.timestamp(&row.end_us, time_zone),
            ),
            start: i18n.timestamp(&row.start_us, time_zone),
            end: i18n.timestamp(&row.end_us, time_zone),
            time_span: format!(
                "{}–{}",
                clock(row.start_us, time_zone),
                clock(row.end_us, time_zone)
            ),
            organiser: row.organiser_name.clone(),
            attendees: a
                .attendees
                .iter()
                .filter(|p| !p.is_organiser)
                .map(|p| p.display_name.clone())
                .collect(),
            resources: a.resources.iter().map(|r| r.name.clone()).collect(),
            visitor,
            visitor_name: row.visitor_name.clone(),
            company: if row.visitor_company.is_empty() {
                row.party_name.clone().unwrap_or_default()
            } else {
                row.visitor_company.clone()
            },
            party_id: row.party_id,
            visitor_email: row.visitor_email.clone(),
            location: row.location.clone(),
            notes: row.notes.clone(),
            cancelled: row.state == "cancelled",
            visit_id: row.visit_id,
            sequence: row.sequence,
            start_local: input_value(row.start_us, time_zone),
            end_local: input_value(row.end_us, time_zone),
        }
    }
}

/// The booking form as typed, kept when it comes back with errors.
#[derive(Debug, Clone, Default)]
pub struct BookingForm {
    pub title: String,
    pub start_at: String,
    pub end_at: String,
    pub organiser_user_id: String,
    pub attendee_user_ids: Vec<String>,
    pub resource_ids: Vec<String>,
    pub visitor_name: String,
    pub visitor_company: String,
    pub visitor_email: String,
    pub party_id: String,
    pub location: String,
    pub notes: String,
}

fn ids(values: &[String]) -> Vec<i64> {
    values
        .iter()
        .filter_map(|v| v.trim().parse().ok())
        .collect()
}

impl BookingForm {
    fn from_form(form: &FormData) -> BookingForm {
        let all = |name: &str| form.all(name).into_iter().map(str::to_owned).collect();
        BookingForm {
            title: form.get("title").to_owned(),
            start_at: form.get("start_at").to_owned(),
            end_at: form.get("end_at").to_owned(),
            organiser_user_id: form.get("organiser_user_id").to_owned(),
            attendee_user_ids: all("attendee_user_ids"),
            resource_ids: all("resource_ids"),
            visitor_name: form.get("visitor_name").to_owned(),
            visitor_company: form.get("visitor_company").to_owned(),
            visitor_email: form.get("visitor_email").to_owned(),
            party_id: form.get("party_id").to_owned(),
            location: form.get("location").to_owned(),
            notes: form.get("notes").to_owned(),
        }
    }

    fn draft(&self, time_zone: &str) -> Result<AppointmentDraft, AppError> {
        let mut errors = seam_domain::FieldErrors::new();
        let mut time =
            |field: &str, text: &str| match appointments::parse_time(field, text, time_zone) {
                Ok(at) => at,
                Err(e) => {
                    errors.extend(e);
                    None
                }
            };
        let start_us = time("start_at", &self.start_at);
        let end_us = time("end_at", &self.end_at);
        if !errors.is_empty() {
            return Err(AppError::Invalid(errors));
        }
        Ok(AppointmentDraft {
            title: self.title.clone(),
            start_us,
            end_us,
            organiser_user_id: self.organiser_user_id.trim().parse().ok(),
            attendee_user_ids: ids(&self.attendee_user_ids),
            resource_ids: ids(&self.resource_ids),
            visitor_name: self.visitor_name.clone(),
            visitor_company: self.visitor_company.clone(),
            visitor_email: self.visitor_email.clone(),
            party_id: self.party_id.trim().parse().ok(),
            location: self.location.clone(),
            notes: self.notes.clone(),
        })
    }

    pub fn has_attendee(&self, id: &i64) -> bool {
        self.attendee_user_ids.iter().any(|v| v == &id.to_string())
    }

    pub fn has_resource(&self, id: &i64) -> bool {
        self.resource_ids.iter().any(|v| v == &id.to_string())
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_span_on_one_day_names_the_day_once() {
        assert_eq!(
            super::span("Dec 3, 2026, 9:03 AM", "Dec 3, 2026, 9:18 AM"),
            "Dec 3, 2026, 9:03 AM – 9:18 AM"
        );
        assert_eq!(
            super::span("2026-12-03 09:03", "2026-12-04 10:00"),
            "2026-12-03 09:03 – 2026-12-04 10:00"
        );
        assert_eq!(super::span("a", "a"), "a – a");
    }
}

#[derive(Template)]
#[template(path = "appointments_list.html")]
struct ListPage {
    page: Page,
    upcoming: Vec<AppointmentView>,
    form: BookingForm,
    hosts: Vec<HostRow>,
    resources: Vec<ResourceRow>,
    companies: Vec<CompanyOption>,
    errors: Errors,
}

async fn list_page(
    state: &AppState,
    who: &Who,
    actor: &Actor,
    form: BookingForm,
    errors: Errors,
    status: StatusCode,
) -> Response {
    let now = now_us();
    let filter = AppointmentFilter {
        from_us: now - now.rem_euclid(DAY_US),
        to_us: now + UPCOMING_DAYS * DAY_US,
        with_cancelled: true,
        ..AppointmentFilter::default()
    };
    let (upcoming, hosts, resources) = match tokio::try_join!(
        appointments::list(&state.app, actor, filter),
        desk::hosts(&state.app, actor),
        appointments::resources(&state.app, actor, false),
    ) {
        Ok(found) => found,
        Err(e) => return fail(who, &e),
    };
    let companies = if actor.may(Permission::PartiesRead) {
        company_options(state, actor).await
    } else {
        Vec::new()
    };
    let page = Page::new(state, who, "appointments-title", "/reception").await;
    let upcoming = upcoming
        .iter()
        .map(|a| AppointmentView::new(&page.i18n, &page.time_zone, a))
        .collect();
    render(
        status,
        &ListPage {
            upcoming,
            form,
            hosts,
            resources,
            companies,
            errors,
            page,
        },
    )
}

pub async fn list(
    State(state): State<AppState>,
    Requester(who): Requester,
    CurrentActor(actor): CurrentActor,
) -> Response {
    let form = BookingForm {
        organiser_user_id: actor.user_id.map(|u| u.0.to_string()).unwrap_or_default(),
        ..BookingForm::default()
    };
    list_page(
        &state,
        &who,
        &actor,
        form,
        Errors::default(),
        StatusCode::OK,
    )
    .await
}

fn form_errors(i18n: &I18n, e: &AppError) -> Option<(StatusCode, Errors)> {
    match e {
        AppError::Invalid(fields) => {
            Some((StatusCode::UNPROCESSABLE_ENTITY, Errors::new(i18n, fields)))
        }
        AppError::Conflict(code) => Some((StatusCode::CONFLICT, Errors::one(i18n, "form", code))),
        _ => None,
    }
}

/// Books an appointment from the form.
pub async fn create(
    State(state): State<AppState>,
    Requester(who): Requester,
    CurrentActor(actor): CurrentActor,
    form: FormData,
) -> Response {
    let input = BookingForm::from_form(&form);
    let result = match input.draft(&actor.time_zone) {
        Ok(draft) => appointments::book(&state.app, &actor, &draft).await,
        Err(e) => Err(e),
    };
    match result {
        Ok(id) => {
            let to = format!("/reception/appointments/{id}");
            redirect_with_flash(&state, &who, &to, "flash-appointment-booked").await
        }
        Err(e) => match form_errors(&I18n::new(actor.locale), &e) {
            Some((status, errors)) => list_page(&state, &who, &actor, input, errors, status).await,
            None => fail(&who, &e),
        },
    }
}

#[derive(Template)]
#[template(path = "appointment_detail.html")]
struct DetailPage {
    page: Page,
    a: AppointmentView,
    /// Reception may change it; others only read.
    manage: bool,
    errors: Errors,
    start_at: String,
    end_at: String,
}

async fn detail_page(
    state: &AppState,
    who: &Who,
    actor: &Actor,
    id: i64,
    errors: Errors,
    status: StatusCode,
    typed: Option<(String, String)>,
) -> Response {
    let found = match appointments::appointment(&state.app, actor, id).await {
        Ok(found) => found,
        Err(e) => return fail(who, &e),
    };
    let manage = actor.may(Permission::ReceptionUse);
    let area = if manage {
        "/reception"
    } else {
        "/appointments"
    };
    let mut page = Page::new(state, who, "appointment-title", area).await;
    page.title.clone_from(&found.row.title);
    let a = AppointmentView::new(&page.i18n, &page.time_zone, &found);
    let (start_at, end_at) = typed.unwrap_or_else(|| (a.start_local.clone(), a.end_local.clone()));
    render(
        status,
        &DetailPage {
            a,
            manage,
            errors,
            start_at,
            end_at,
            page,
        },
    )
}

pub async fn detail(
    State(state): State<AppState>,
    Requester(who): Requester,
    CurrentActor(actor): CurrentActor,
    IdPath(id): IdPath,
) -> Response {
    detail_page(
        &state,
        &who,
        &actor,
        id,
        Errors::default(),
        StatusCode::OK,
        None,
    )
    .await
}

async fn after_change(
    state: &AppState,
    who: &Who,
    actor: &Actor,
    id: i64,
    result: Result<String, AppError>,
    flash: &str,
    typed: Option<(String, String)>,
) -> Response {
    match result {
        Ok(to) => redirect_with_flash(state, who, &to, flash).await,
        Err(e) => match form_errors(&I18n::new(actor.locale), &e) {
            Some((status, errors)) => {
                detail_page(state, who, actor, id, errors, status, typed).await
            }
            None => fail(who, &e),
        },
    }
}

pub async fn reschedule(
    State(state): State<AppState>,
    Requester(who): Requester,
    CurrentActor(actor): CurrentActor,
    IdPath(id): IdPath,
    form: FormData,
) -> Response {
    let (start, end) = (form.get("start_at"), form.get("end_at"));
    let tz = &actor.time_zone;
    let result = match (
        appointments::parse_time("start_at", start, tz),
        appointments::parse_time("end_at", end, tz),
    ) {
        (Ok(s), Ok(e)) => appointments::reschedule(&state.app, &actor, id, s, e)
            .await
            .map(|()| format!("/reception/appointments/{id}")),
        (Err(mut a), Err(b)) => {
            a.extend(b);
            Err(AppError::Invalid(a))
        }
        (Err(a), _) | (_, Err(a)) => Err(AppError::Invalid(a)),
    };
    let typed = Some((start.to_owned(), end.to_owned()));
    after_change(
        &state,
        &who,
        &actor,
        id,
        result,
        "flash-appointment-rescheduled",
        typed,
    )
    .await
}

pub async fn cancel(
    State(state): State<AppState>,
    Requester(who): Requester,
    CurrentActor(actor): CurrentActor,
    IdPath(id): IdPath,
) -> Response {
    let result = appointments::cancel(&state.app, &actor, id)
        .await
        .map(|()| format!("/reception/appointments/{id}"));
    after_change(
        &state,
        &who,
        &actor,
        id,
        result,
        "flash-appointment-cancelled",
        None,
    )
    .await
}

/// Checks the appointment's visitor in through reception; opens the visit.
pub async fn check_in(
    State(state): State<AppState>,
    Requester(who): Requester,
    CurrentActor(actor): CurrentActor,
    IdPath(id): IdPath,
    form: FormData,
) -> Response {
    let agreed = form.checked("agreement_acknowledged");
    let result = appointments::check_in_visitor(&state.app, &actor, id, agreed)
        .await
        .map(|visit| format!("/reception/visits/{visit}"));
    after_change(
        &state,
        &who,
        &actor,
        id,
        result,
        "flash-visit-checked-in",
        None,
    )
    .await
}

// ------------------------------------------------------------------ resources

#[derive(Template)]
#[template(path = "resources.html")]
struct ResourcesPage {
    page: Page,
    resources: Vec<ResourceRow>,
    form: ResourceForm,
    errors: Errors,
    /// A feed address just made, shown once.
    feed_url: String,
    feed_for: String,
}

#[derive(Debug, Clone, Default)]
pub struct ResourceForm {
    pub name: String,
    pub kind: String,
    pub capacity: String,
}

async fn resources_page(
    state: &AppState,
    who: &Who,
    actor: &Actor,
    form: ResourceForm,
    errors: Errors,
    status: StatusCode,
    feed: (String, String),
) -> Response {
    let resources = match appointments::resources(&state.app, actor, true).await {
        Ok(rows) => rows,
        Err(e) => return fail(who, &e),
    };
    // Reading the list needs only staff; this page manages, so reception.
    if let Err(e) = actor.require(Permission::ReceptionUse) {
        return fail(who, &e);
    }
    let page = Page::new(state, who, "resources-title", "/reception").await;
    render(
        status,
        &ResourcesPage {
            resources,
            form,
            errors,
            feed_url: feed.0,
            feed_for: feed.1,
            page,
        },
    )
}

pub async fn resources(
    State(state): State<AppState>,
    Requester(who): Requester,
    CurrentActor(actor): CurrentActor,
) -> Response {
    let form = ResourceForm {
        kind: "room".into(),
        ..ResourceForm::default()
    };
    let none = (String::new(), String::new());
    resources_page(
        &state,
        &who,
        &actor,
        form,
        Errors::default(),
        StatusCode::OK,
        none,
    )
    .await
}

fn capacity(text: &str) -> Result<Option<i64>, AppError> {
    let text = text.trim();
    if text.is_empty() {
        return Ok(None);
    }
    text.parse().map(Some).map_err(|_| {
        AppError::Invalid(seam_domain::FieldErrors::one(
            "capacity",
            "error-resource-capacity",
        ))
    })
}

pub async fn create_resource(
    State(state): State<AppState>,
    Requester(who): Requester,
    CurrentActor(actor): CurrentActor,
    form: FormData,
) -> Response {
    let input = ResourceForm {
        name: form.get("name").to_owned(),
        kind: form.get("kind").to_owned(),
        capacity: form.get("capacity").to_owned(),
    };
    let result = match capacity(&input.capacity) {
        Ok(capacity) => {
            let draft = ResourceDraft {
                name: input.name.clone(),
                kind: input.kind.clone(),
                capacity,
                active: true,
            };
            appointments::add_resource(&state.app, &actor, &draft).await
        }
        Err(e) => Err(e),
    };
    match result {
        Ok(_) => {
            redirect_with_flash(&state, &who, "/reception/resources", "flash-resource-added").await
        }
        Err(e) => match form_errors(&I18n::new(actor.locale), &e) {
            Some((status, errors)) => {
                let none = (String::new(), String::new());
                resources_page(&state, &who, &actor, input, errors, status, none).await
            }
            None => fail(&who, &e),
        },
    }
}

/// Retires a resource, or brings it back.
pub async fn set_active(
    State(state): State<AppState>,
    Requester(who): Requester,
    CurrentActor(actor): CurrentActor,
    IdPath(id): IdPath,
    form: FormData,
) -> Response {
    let result = match appointments::resource(&state.app, &actor, id).await {
        Ok(row) => {
            let draft = ResourceDraft {
                name: row.name,
                kind: row.kind,
                capacity: row.capacity,
                active: form.checked("active"),
            };
            appointments::update_resource(&state.app, &actor, id, &draft).await
        }
        Err(e) => Err(e),
    };
    match result {
        Ok(()) => {
            redirect_with_flash(&state, &who, "/reception/resources", "flash-resource-saved").await
        }
        Err(e) => fail(&who, &e),
    }
}

/// The address a feed token opens, on the host the browser used.
pub fn feed_address(state: &AppState, headers: &HeaderMap, token: &str) -> String {
    let host = headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .filter(|h| {
            h.chars()
                .all(|c| c.is_ascii_alphanumeric() || ".-:[]".contains(c))
        })
        .unwrap_or("localhost");
    let scheme = if state.config.secure_cookies {
        "https"
    } else {
        "http"
    };
    format!("{scheme}://{host}/calendar/{token}.ics")
}

/// A new secret feed address for a resource, shown once.
pub async fn resource_feed(
    State(state): State<AppState>,
    Requester(who): Requester,
    CurrentActor(actor): CurrentActor,
    IdPath(id): IdPath,
    headers: HeaderMap,
) -> Response {
    let token = match appointments::renew_resource_feed(&state.app, &actor, id).await {
        Ok(token) => token,
        Err(e) => return fail(&who, &e),
    };
    let name = appointments::resource(&state.app, &actor, id)
        .await
        .map(|r| r.name)
        .unwrap_or_default();
    let feed = (feed_address(&state, &headers, &token), name);
    let form = ResourceForm {
        kind: "room".into(),
        ..ResourceForm::default()
    };
    resources_page(
        &state,
        &who,
        &actor,
        form,
        Errors::default(),
        StatusCode::OK,
        feed,
    )
    .await
}

// ------------------------------------------------------------ the day's rooms

#[derive(Template)]
#[template(path = "reception_calendar.html")]
struct CalendarPage {
    page: Page,
    day: String,
    day_title: String,
    previous: String,
    next: String,
    rows: Vec<(ResourceRow, Vec<AppointmentView>)>,
}

#[derive(Debug, Default, Deserialize)]
pub struct DayQuery {
    #[serde(default)]
    pub day: String,
}

/// The day view per resource, with the previous and next day.
pub async fn calendar(
    State(state): State<AppState>,
    Requester(who): Requester,
    CurrentActor(actor): CurrentActor,
    Query(query): Query<DayQuery>,
) -> Response {
    let day = query
        .day
        .trim()
        .parse::<jiff::civil::Date>()
        .unwrap_or_else(|_| appointments::today(&actor.time_zone));
    let schedule = match appointments::day_schedule(&state.app, &actor, day).await {
        Ok(schedule) => schedule,
        Err(e) => return fail(&who, &e),
    };
    let page = Page::new(&state, &who, "reception-calendar-title", "/reception").await;
    let rows = schedule
        .iter()
        .map(|d| {
            let views = d
                .appointments
                .iter()
                .map(|a| AppointmentView::new(&page.i18n, &page.time_zone, a))
                .collect();
            (d.resource.clone(), views)
        })
        .collect();
    let shift = |n: i64| {
        day.checked_add(jiff::Span::new().days(n))
            .map(|d| d.to_string())
            .unwrap_or_else(|_| day.to_string())
    };
    ok(&CalendarPage {
        day_title: page.i18n.date(&day.to_string()),
        day: day.to_string(),
        previous: shift(-1),
        next: shift(1),
        rows,
        page,
    })
}

// ------------------------------------------------------- a person's own view

#[derive(Template)]
#[template(path = "my_appointments.html")]
struct MinePage {
    page: Page,
    upcoming: Vec<AppointmentView>,
    feed_since: String,
    feed_url: String,
}

async fn mine_page(state: &AppState, who: &Who, actor: &Actor, feed_url: String) -> Response {
    let Some(user) = actor.user_id else {
        return fail(who, &AppError::Forbidden);
    };
    let (upcoming, since) = match tokio::try_join!(
        appointments::mine_upcoming(&state.app, actor),
        appointments::feed_created_at(&state.app, actor, FeedOwner::User(user.0)),
    ) {
        Ok(found) => found,
        Err(e) => return fail(who, &e),
    };
    let page = Page::new(state, who, "my-appointments-title", "/appointments").await;
    ok(&MinePage {
        upcoming: upcoming
            .iter()
            .map(|a| AppointmentView::new(&page.i18n, &page.time_zone, a))
            .collect(),
        feed_since: since
            .map(|us| page.i18n.timestamp(&us, &page.time_zone))
            .unwrap_or_default(),
        feed_url,
        page,
    })
}

pub async fn mine(
    State(state): State<AppState>,
    Requester(who): Requester,
    CurrentActor(actor): CurrentActor,
) -> Response {
    mine_page(&state, &who, &actor, String::new()).await
}

/// A new secret address for the actor's own feed, shown once.
pub async fn my_feed(
    State(state): State<AppState>,
    Requester(who): Requester,
    CurrentActor(actor): CurrentActor,
    headers: HeaderMap,
) -> Response {
    match appointments::renew_my_feed(&state.app, &actor).await {
        Ok(token) => {
            let url = feed_address(&state, &headers, &token);
            mine_page(&state, &who, &actor, url).await
        }
        Err(e) => fail(&who, &e),
    }
}

/// `GET /calendar/{token}.ics`: the feed, for calendar clients. Anything
/// but a live token is 404, whoever asks.
pub async fn feed(State(state): State<AppState>, Path(file): Path<String>) -> Response {
    let not_found = || (StatusCode::NOT_FOUND, "not found\n").into_response();
    let Some(token) = file.strip_suffix(".ics") else {
        return not_found();
    };
    // HR's absence feeds share the address and the token scheme, with their own prefix.
    let body = if token.starts_with(seam_app::hr::leave::FEED_TOKEN_PREFIX) {
        seam_app::hr::leave::absence_feed(&state.app, token).await
    } else {
        appointments::feed(&state.app, token).await
    };
    match body {
        Ok(body) => (
            [
                (header::CONTENT_TYPE, "text/calendar; charset=utf-8"),
                (header::CACHE_CONTROL, "private, max-age=300"),
            ],
            body,
        )
            .into_response(),
        Err(AppError::NotFound) => not_found(),
        Err(e) => fail(&Who::Anonymous, &e),
    }
}
