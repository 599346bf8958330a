//! Appointments and the resources they book: reception books rooms and
//! equipment for staff and their visitors, reschedules and cancels; every
//! change tells the attendees in Seam and by e-mail with an iCalendar
//! invitation, in the same transaction as the change and its audit event.
//! A booking that would double-book a resource or a person is refused,
//! naming what clashes, and writes nothing.
//!
//! Managing needs `reception.use`. Any member of staff may read the
//! appointments they attend and subscribe to their own calendar feed.

pub mod ics;

use jiff::civil::Date;
use jiff::tz::TimeZone;
use seam_domain::FieldErrors;
use seam_domain::access::Permission;
use seam_domain::appointment::{
    self as rules, AppointmentDraft, Interval, ResourceDraft, ValidAppointment,
};
use seam_domain::ids::UserId;
use seam_domain::reception::VisitDraft;
use seam_store::Tx;
use seam_store::appointments as store;
pub use seam_store::appointments::{
    AppointmentFilter, AppointmentRow, AttendeeRow, BookingRow, Clash, FeedOwner, ResourceRow,
};
use serde_json::json;
use sha2::{Digest, Sha256};

use self::ics::{EventData, Method, Person};
use crate::mail::{self, CalendarAttachment, EmailJob};
use crate::notifications::{self, Notice};
use crate::{
    Actor, App, AppError, AppResult, Change, UserKind, company, now_us, reception, record,
};

/// Most appointments one list or feed holds.
pub const LIST_MAX: i64 = 500;
/// How far back a feed reaches.
pub const FEED_PAST_US: i64 = 31 * DAY_US;
/// How far ahead a feed reaches.
pub const FEED_FUTURE_US: i64 = 366 * DAY_US;
const DAY_US: i64 = 86_400_000_000;
/// The prefix of a feed token, so a leaked one is recognisable.
pub const FEED_TOKEN_PREFIX: &str = "seamcal_";

/// An appointment with who attends and what it books.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Appointment {
    pub row: AppointmentRow,
    /// The organiser first.
    pub attendees: Vec<AttendeeRow>,
    pub resources: Vec<BookingRow>,
}

impl Appointment {
    pub fn is_booked(&self) -> bool {
        self.row.state == "booked"
    }
}

fn appointment_json(a: &Appointment) -> serde_json::Value {
    json!({
        "uid": a.row.uid,
        "title": a.row.title,
        "start_us": a.row.start_us,
        "end_us": a.row.end_us,
        "organiser_user_id": a.row.organiser_user_id,
        "attendee_user_ids": a.attendees.iter().map(|p| p.user_id).collect::<Vec<_>>(),
        "resource_ids": a.resources.iter().map(|r| r.resource_id).collect::<Vec<_>>(),
        "visitor_name": a.row.visitor_name,
        "visitor_company": a.row.visitor_company,
        "visitor_email": a.row.visitor_email,
        "party_id": a.row.party_id,
        "location": a.row.location,
        "notes": a.row.notes,
        "state": a.row.state,
        "sequence": a.row.sequence,
        "visit_id": a.row.visit_id,
    })
}

fn resource_json(r: &ResourceRow) -> serde_json::Value {
    json!({ "name": r.name, "kind": r.kind, "capacity": r.capacity, "active": r.active })
}

// ---------------------------------------------------------------- resources

fn name_taken(e: seam_store::StoreError) -> AppError {
    match e {
        seam_store::StoreError::Duplicate => {
            AppError::Invalid(FieldErrors::one("name", "error-resource-name-taken"))
        }
        other => other.into(),
    }
}

/// Adds a room or a piece of equipment. Needs `reception.use`. Returns its id.
///
/// Errors: [`AppError::Invalid`] naming `name` (`error-required`,
/// `error-resource-name-taken`), `kind` or `capacity`.
pub async fn add_resource(app: &App, actor: &Actor, draft: &ResourceDraft) -> AppResult<i64> {
    actor.require(Permission::ReceptionUse)?;
    let valid = rules::validate_resource(draft)?;
    let mut tx = app.db.begin().await?;
    let new = store::NewResource {
        name: &valid.name,
        kind: valid.kind.name(),
        capacity: valid.capacity,
        active: valid.active,
    };
    let id = store::insert_resource(&mut tx, &new, now_us())
        .await
        .map_err(name_taken)?;
    let row = store::resource_in_tx(&mut tx, id).await?;
    record(
        &mut tx,
        actor,
        Change {
            entity_type: "resource",
            entity_id: id.to_string(),
            action: "create",
            before: None,
            after: Some(resource_json(&row)),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(id)
}

/// Changes a resource (retiring it with `active: false` keeps its past
/// bookings and refuses new ones). Needs `reception.use`.
pub async fn update_resource(
    app: &App,
    actor: &Actor,
    id: i64,
    draft: &ResourceDraft,
) -> AppResult<()> {
    actor.require(Permission::ReceptionUse)?;
    let valid = rules::validate_resource(draft)?;
    let mut tx = app.db.begin().await?;
    let before = store::resource_in_tx(&mut tx, id).await?;
    let new = store::NewResource {
        name: &valid.name,
        kind: valid.kind.name(),
        capacity: valid.capacity,
        active: valid.active,
    };
    store::update_resource(&mut tx, id, &new, now_us())
        .await
        .map_err(name_taken)?;
    let after = store::resource_in_tx(&mut tx, id).await?;
    record(
        &mut tx,
        actor,
        Change {
            entity_type: "resource",
            entity_id: id.to_string(),
            action: "update",
            before: Some(resource_json(&before)),
            after: Some(resource_json(&after)),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Resources by kind and name, retired ones too when `with_inactive`.
/// Any member of staff may see them (to read a room's schedule).
pub async fn resources(
    app: &App,
    actor: &Actor,
    with_inactive: bool,
) -> AppResult<Vec<ResourceRow>> {
    require_staff(actor)?;
    Ok(store::resources(&app.db, with_inactive).await?)
}

/// One resource. Needs `reception.use`.
pub async fn resource(app: &App, actor: &Actor, id: i64) -> AppResult<ResourceRow> {
    actor.require(Permission::ReceptionUse)?;
    store::resource(&app.db, id)
        .await?
        .ok_or(AppError::NotFound)
}

/// The resource with this name, for the CLI.
pub async fn resource_by_name(app: &App, actor: &Actor, name: &str) -> AppResult<ResourceRow> {
    resources(app, actor, false)
        .await?
        .into_iter()
        .find(|r| r.name.eq_ignore_ascii_case(name.trim()))
        .ok_or_else(|| {
            AppError::Invalid(FieldErrors::one("resource_ids", "error-unknown-resource"))
        })
}

fn require_staff(actor: &Actor) -> AppResult<()> {
    match actor.kind {
        UserKind::Staff => Ok(()),
        _ => Err(AppError::Forbidden),
    }
}

// ------------------------------------------------------------- booking rules

/// `2026-05-04 10:00–11:00` in `time_zone`, for a clash message.
pub fn span_text(start_us: i64, end_us: i64, time_zone: &str) -> String {
    let zone = TimeZone::get(time_zone).unwrap_or(TimeZone::UTC);
    let at = |us: i64| {
        jiff::Timestamp::from_microsecond(us)
            .map(|t| t.to_zoned(zone.clone()).datetime())
            .ok()
    };
    match (at(start_us), at(end_us)) {
        (Some(s), Some(e)) if s.date() == e.date() => format!(
            "{} {:02}:{:02}–{:02}:{:02}",
            s.date(),
            s.hour(),
            s.minute(),
            e.hour(),
            e.minute()
        ),
        (Some(s), Some(e)) => format!(
            "{} {:02}:{:02}–{} {:02}:{:02}",
            s.date(),
            s.hour(),
            s.minute(),
            e.date(),
            e.hour(),
            e.minute()
        ),
        _ => String::new(),
    }
}

fn clash_args(clash: &Clash, holder: &'static str, time_zone: &str) -> Vec<(&'static str, String)> {
    vec![
        (holder, clash.holder_name.clone()),
        ("appointment", clash.title.clone()),
        ("when", span_text(clash.start_us, clash.end_us, time_zone)),
    ]
}

/// Locks what a booking holds and checks that it exists and is free in
/// `interval`: every resource known and active, every person an enabled
/// member of staff, and none of them in another booked appointment then.
/// Returns the people as locked. The first clash of each resource and
/// person is reported, naming the appointment it clashes with.
async fn lock_and_check(
    tx: &mut Tx,
    actor: &Actor,
    organiser: i64,
    people: &[i64],
    resource_ids: &[i64],
    window: store::Window,
) -> AppResult<Vec<store::PersonRow>> {
    let mut errors = FieldErrors::new();
    // Resources before people, each in id order: the same order in every
    // booking, so concurrent bookings queue and never deadlock.
    let resources = store::lock_resources(tx, resource_ids).await?;
    let known = |id: &i64| resources.iter().any(|r| r.id == *id && r.active);
    if !resource_ids.iter().all(known) {
        errors.add("resource_ids", "error-unknown-resource");
    }
    let locked_people = store::lock_people(tx, people).await?;
    if !locked_people.iter().any(|p| p.id == organiser) {
        errors.add("organiser_user_id", "error-unknown-host");
    }
    if !people
        .iter()
        .all(|id| locked_people.iter().any(|p| p.id == *id))
    {
        errors.add("attendee_user_ids", "error-unknown-attendee");
    }
    if !errors.is_empty() {
        return Err(AppError::Invalid(errors));
    }
    let mut seen: Vec<(bool, i64)> = Vec::new();
    for clash in store::resource_clashes(tx, resource_ids, window).await? {
        if !seen.contains(&(true, clash.holder_id)) {
            seen.push((true, clash.holder_id));
            let args = clash_args(&clash, "resource", &actor.time_zone);
            errors.add_with("resource_ids", "error-resource-booked", args);
        }
    }
    for clash in store::people_clashes(tx, people, window).await? {
        if !seen.contains(&(false, clash.holder_id)) {
            seen.push((false, clash.holder_id));
            let field = if clash.holder_id == organiser {
                "organiser_user_id"
            } else {
                "attendee_user_ids"
            };
            let args = clash_args(&clash, "person", &actor.time_zone);
            errors.add_with(field, "error-person-booked", args);
        }
    }
    errors.into_result(locked_people).map_err(AppError::Invalid)
}

fn new_uid() -> String {
    use rand::RngCore;
    let mut bytes = [0u8; 16];
    rand::rng().fill_bytes(&mut bytes);
    format!("{}@seam", hex::encode(bytes))
}

async fn check_party(tx: &mut Tx, valid: &ValidAppointment) -> AppResult<()> {
    if let Some(party) = valid.party_id
        && seam_store::parties::existing_company_ids(tx, &[party])
            .await?
            .is_empty()
    {
        return Err(AppError::Invalid(FieldErrors::one(
            "party_id",
            "error-unknown-company",
        )));
    }
    Ok(())
}

fn visitor_email(valid: &ValidAppointment) -> AppResult<String> {
    if valid.visitor_email.is_empty() {
        return Ok(String::new());
    }
    Ok(mail::parse_address("visitor_email", &valid.visitor_email)?)
}

async fn detail_in_tx(tx: &mut Tx, id: i64) -> AppResult<Appointment> {
    let row = store::appointment_in_tx(tx, id).await?;
    let attendees = store::attendees_in_tx(tx, id).await?;
    let resources = store::bookings_in_tx(tx, id).await?;
    Ok(Appointment {
        row,
        attendees,
        resources,
    })
}

/// Books an appointment: checks it ([`rules::validate`]), locks and checks
/// every resource and person it holds, writes it, records the event and
/// invites everyone, in one transaction. Needs `reception.use`. Returns its id.
///
/// Errors: [`AppError::Invalid`] naming the field: bad times
/// (`error-appointment-in-past`, `…-end-before-start`, `…-zero-length`), an
/// unknown resource, person or company, or a clash (`error-resource-booked`,
/// `error-person-booked`, naming the resource or person and the appointment).
pub async fn book(app: &App, actor: &Actor, draft: &AppointmentDraft) -> AppResult<i64> {
    actor.require(Permission::ReceptionUse)?;
    let valid = rules::validate(draft, now_us())?;
    let email = visitor_email(&valid)?;
    let mut tx = app.db.begin().await?;
    check_party(&mut tx, &valid).await?;
    let window = store::Window {
        start_us: valid.interval.start_us,
        end_us: valid.interval.end_us,
        except_id: None,
    };
    lock_and_check(
        &mut tx,
        actor,
        valid.organiser_user_id,
        &valid.people,
        &valid.resource_ids,
        window,
    )
    .await?;
    let uid = new_uid();
    let new = store::NewAppointment {
        uid: &uid,
        title: &valid.title,
        start_us: valid.interval.start_us,
        end_us: valid.interval.end_us,
        organiser_user_id: valid.organiser_user_id,
        people: &valid.people,
        resource_ids: &valid.resource_ids,
        visitor_name: &valid.visitor_name,
        visitor_company: &valid.visitor_company,
        visitor_email: &email,
        party_id: valid.party_id,
        location: &valid.location,
        notes: &valid.notes,
        created_by: &actor.username,
    };
    let id = store::insert(&mut tx, &new, now_us()).await?;
    let after = detail_in_tx(&mut tx, id).await?;
    record(
        &mut tx,
        actor,
        Change {
            entity_type: "appointment",
            entity_id: id.to_string(),
            action: "book",
            before: None,
            after: Some(appointment_json(&after)),
        },
    )
    .await?;
    tell_everyone(app, &mut tx, actor, &after, Tell::Booked).await?;
    tx.commit().await?;
    Ok(id)
}

/// Moves an appointment to a new time, keeping who and what it books; the
/// same checks as [`book`] (it never clashes with itself). Its SEQUENCE
/// goes up by one and everyone gets the updated invitation. Needs
/// `reception.use`.
///
/// Errors: as [`book`]; [`AppError::Conflict`] (`error-appointment-state`)
/// when it is cancelled.
pub async fn reschedule(
    app: &App,
    actor: &Actor,
    id: i64,
    start_us: Option<i64>,
    end_us: Option<i64>,
) -> AppResult<()> {
    actor.require(Permission::ReceptionUse)?;
    let interval = rules::check_times(start_us, end_us, now_us())?;
    let mut tx = app.db.begin().await?;
    let before = detail_in_tx(&mut tx, id).await?;
    if !before.is_booked() {
        return Err(AppError::Conflict("error-appointment-state"));
    }
    let people: Vec<i64> = before.attendees.iter().map(|p| p.user_id).collect();
    let resource_ids: Vec<i64> = before.resources.iter().map(|r| r.resource_id).collect();
    let window = store::Window {
        start_us: interval.start_us,
        end_us: interval.end_us,
        except_id: Some(id),
    };
    lock_and_check(
        &mut tx,
        actor,
        before.row.organiser_user_id,
        &people,
        &resource_ids,
        window,
    )
    .await?;
    store::set_times(&mut tx, id, interval.start_us, interval.end_us, now_us())
        .await
        .map_err(state_conflict)?;
    let after = detail_in_tx(&mut tx, id).await?;
    record(
        &mut tx,
        actor,
        Change {
            entity_type: "appointment",
            entity_id: id.to_string(),
            action: "reschedule",
            before: Some(appointment_json(&before)),
            after: Some(appointment_json(&after)),
        },
    )
    .await?;
    tell_everyone(app, &mut tx, actor, &after, Tell::Rescheduled).await?;
    tx.commit().await?;
    Ok(())
}

fn state_conflict(e: seam_store::StoreError) -> AppError {
    match e {
        seam_store::StoreError::Stale => AppError::Conflict("error-appointment-state"),
        other => other.into(),
    }
}

/// Cancels an appointment: it frees its resources and people at once, its
/// SEQUENCE goes up by one and everyone gets a cancellation
/// (`METHOD:CANCEL`). Needs `reception.use`.
///
/// Errors: [`AppError::Conflict`] (`error-appointment-state`) when already cancelled.
pub async fn cancel(app: &App, actor: &Actor, id: i64) -> AppResult<()> {
    actor.require(Permission::ReceptionUse)?;
    let mut tx = app.db.begin().await?;
    let before = detail_in_tx(&mut tx, id).await?;
    if !before.is_booked() {
        return Err(AppError::Conflict("error-appointment-state"));
    }
    store::set_cancelled(&mut tx, id, now_us())
        .await
        .map_err(state_conflict)?;
    let after = detail_in_tx(&mut tx, id).await?;
    record(
        &mut tx,
        actor,
        Change {
            entity_type: "appointment",
            entity_id: id.to_string(),
            action: "cancel",
            before: Some(appointment_json(&before)),
            after: Some(appointment_json(&after)),
        },
    )
    .await?;
    tell_everyone(app, &mut tx, actor, &after, Tell::Cancelled).await?;
    tx.commit().await?;
    Ok(())
}

/// Checks in the visitor of an appointment through reception's own check-in
/// (a badge, the organiser told), and links the visit to the appointment,
/// in one transaction. Needs `reception.use`. Returns the visit's id.
///
/// Errors: [`AppError::Conflict`] (`error-appointment-visit-state`) when
/// the appointment is cancelled, has no visitor, or its visitor is already in.
pub async fn check_in_visitor(
    app: &App,
    actor: &Actor,
    id: i64,
    agreement_acknowledged: bool,
) -> AppResult<i64> {
    actor.require(Permission::ReceptionUse)?;
    let mut tx = app.db.begin().await?;
    let before = detail_in_tx(&mut tx, id).await?;
    if !before.is_booked() || before.row.visitor_name.is_empty() || before.row.visit_id.is_some() {
        return Err(AppError::Conflict("error-appointment-visit-state"));
    }
    let draft = VisitDraft {
        visitor_name: before.row.visitor_name.clone(),
        visitor_company: before.row.visitor_company.clone(),
        party_id: before.row.party_id,
        host_user_id: Some(before.row.organiser_user_id),
        purpose: before.row.title.clone(),
        expected_at_us: Some(before.row.start_us),
        agreement_acknowledged,
    };
    let visit = reception::check_in_in(app, &mut tx, actor, &draft).await?;
    store::set_visit(&mut tx, id, visit, now_us())
        .await
        .map_err(|e| match e {
            seam_store::StoreError::Stale => AppError::Conflict("error-appointment-visit-state"),
            other => other.into(),
        })?;
    let after = detail_in_tx(&mut tx, id).await?;
    record(
        &mut tx,
        actor,
        Change {
            entity_type: "appointment",
            entity_id: id.to_string(),
            action: "check_in",
            before: Some(appointment_json(&before)),
            after: Some(appointment_json(&after)),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(visit)
}

// ------------------------------------------------------------ telling people

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Tell {
    Booked,
    Rescheduled,
    Cancelled,
}

impl Tell {
    fn kind(self) -> &'static str {
        match self {
            Tell::Booked => "appointment-booked",
            Tell::Rescheduled => "appointment-rescheduled",
            Tell::Cancelled => "appointment-cancelled",
        }
    }

    fn method(self) -> Method {
        match self {
            Tell::Cancelled => Method::Cancel,
            _ => Method::Request,
        }
    }

    fn subject(self, title: &str) -> String {
        match self {
            Tell::Booked => format!("Invitation: {title}"),
            Tell::Rescheduled => format!("Moved: {title}"),
            Tell::Cancelled => format!("Cancelled: {title}"),
        }
    }
}

fn address(email: &Option<String>) -> Option<String> {
    email
        .as_deref()
        .and_then(|e| mail::parse_address("to", e).ok())
}

fn where_text(a: &Appointment) -> String {
    let rooms: Vec<&str> = a
        .resources
        .iter()
        .filter(|r| r.kind == "room")
        .map(|r| r.name.as_str())
        .collect();
    match (a.row.location.is_empty(), rooms.is_empty()) {
        (true, _) => rooms.join(", "),
        (false, true) => a.row.location.clone(),
        (false, false) => format!("{} ({})", a.row.location, rooms.join(", ")),
    }
}

/// The appointment as a calendar event. `inside` adds what only staff see:
/// the notes, and the staff attendees' addresses.
fn event_data(a: &Appointment, organiser_fallback: &str, inside: bool) -> EventData {
    let organiser = a.attendees.iter().find(|p| p.is_organiser);
    let organiser = Person {
        name: a.row.organiser_name.clone(),
        email: organiser
            .and_then(|p| address(&p.email))
            .or_else(|| Some(organiser_fallback.to_owned())),
    };
    let mut attendees: Vec<Person> = if inside {
        a.attendees
            .iter()
            .map(|p| Person {
                name: p.display_name.clone(),
                email: address(&p.email),
            })
            .collect()
    } else {
        Vec::new()
    };
    if !a.row.visitor_email.is_empty() {
        attendees.push(Person {
            name: a.row.visitor_name.clone(),
            email: Some(a.row.visitor_email.clone()),
        });
    }
    EventData {
        uid: a.row.uid.clone(),
        sequence: a.row.sequence,
        title: a.row.title.clone(),
        start_us: a.row.start_us,
        end_us: a.row.end_us,
        location: where_text(a),
        description: if inside {
            a.row.notes.clone()
        } else {
            String::new()
        },
        cancelled: !a.is_booked(),
        stamp_us: a.row.updated_at_us,
        organiser: Some(organiser),
        attendees,
        resources: a.resources.iter().map(|r| r.name.clone()).collect(),
    }
}

fn email_body(a: &Appointment, tell: Tell) -> String {
    let when = span_text(a.row.start_us, a.row.end_us, "UTC");
    let opening = match tell {
        Tell::Booked => "You are invited to",
        Tell::Rescheduled => "This appointment has moved:",
        Tell::Cancelled => "This appointment is cancelled:",
    };
    let mut body = format!("{opening} {}\n\nWhen: {when} (UTC)\n", a.row.title);
    let place = where_text(a);
    if !place.is_empty() {
        body.push_str(&format!("Where: {place}\n"));
    }
    body.push_str(&format!("Organiser: {}\n", a.row.organiser_name));
    body.push_str("\nThe attached invite.ics adds it to your calendar.\n");
    body
}

/// Notifies every attendee but the actor in Seam, and e-mails every
/// attendee with an address (and the visitor, when they gave one) the
/// invitation or cancellation, all in `tx`.
async fn tell_everyone(
    app: &App,
    tx: &mut Tx,
    actor: &Actor,
    a: &Appointment,
    tell: Tell,
) -> AppResult<()> {
    let profile = company::profile(app).await?;
    let fallback = if profile.email.trim().is_empty() {
        "calendar@seam.invalid".to_owned()
    } else {
        profile.email.trim().to_owned()
    };
    let method = tell.method();
    let inside = ics::message(method, &event_data(a, &fallback, true));
    let link = format!("/appointments/{}", a.row.id);
    for person in &a.attendees {
        if actor.user_id != Some(UserId(person.user_id)) {
            notifications::notify(
                app,
                tx,
                &Notice {
                    user_id: UserId(person.user_id),
                    kind: tell.kind(),
                    subject: &a.row.title,
                    link: &link,
                    email: None,
                },
            )
            .await?;
        }
        if let Some(to) = address(&person.email) {
            enqueue_invitation(tx, to, a, tell, &inside).await?;
        }
    }
    if !a.row.visitor_email.is_empty() {
        let outside = ics::message(method, &event_data(a, &fallback, false));
        enqueue_invitation(tx, a.row.visitor_email.clone(), a, tell, &outside).await?;
    }
    Ok(())
}

async fn enqueue_invitation(
    tx: &mut Tx,
    to: String,
    a: &Appointment,
    tell: Tell,
    ics_text: &str,
) -> AppResult<i64> {
    mail::enqueue(
        tx,
        &EmailJob {
            to,
            subject: tell.subject(&a.row.title),
            body: email_body(a, tell),
            invoice_id: None,
            calendar: Some(CalendarAttachment {
                method: tell.method().name().to_owned(),
                ics: ics_text.to_owned(),
            }),
        },
    )
    .await
}

// -------------------------------------------------------------------- reading

async fn with_details(app: &App, rows: Vec<AppointmentRow>) -> AppResult<Vec<Appointment>> {
    let ids: Vec<i64> = rows.iter().map(|r| r.id).collect();
    let (attendees, resources) = tokio::try_join!(
        store::attendees_of(&app.db, &ids),
        store::bookings_of(&app.db, &ids)
    )?;
    Ok(rows
        .into_iter()
        .map(|row| Appointment {
            attendees: attendees
                .iter()
                .filter(|p| p.appointment_id == row.id)
                .cloned()
                .collect(),
            resources: resources
                .iter()
                .filter(|r| r.appointment_id == row.id)
                .cloned()
                .collect(),
            row,
        })
        .collect())
}

/// One appointment: reception sees any, other staff only one they attend
/// (any other is not found, so guessing ids reveals nothing).
pub async fn appointment(app: &App, actor: &Actor, id: i64) -> AppResult<Appointment> {
    require_staff(actor)?;
    let row = store::appointment(&app.db, id)
        .await?
        .ok_or(AppError::NotFound)?;
    let found = with_details(app, vec![row])
        .await?
        .pop()
        .ok_or(AppError::NotFound)?;
    let attends = found
        .attendees
        .iter()
        .any(|p| Some(UserId(p.user_id)) == actor.user_id);
    if actor.may(Permission::ReceptionUse) || attends {
        Ok(found)
    } else {
        Err(AppError::NotFound)
    }
}

/// Appointments overlapping the filter's window, by start. Reception may
/// filter as it likes; other staff always get only their own.
pub async fn list(
    app: &App,
    actor: &Actor,
    mut filter: AppointmentFilter,
) -> AppResult<Vec<Appointment>> {
    require_staff(actor)?;
    if !actor.may(Permission::ReceptionUse) {
        filter.user_id = Some(actor.user_id.ok_or(AppError::Forbidden)?.0);
        filter.visitor_expected = false;
    }
    let rows = store::list(&app.db, filter, LIST_MAX).await?;
    with_details(app, rows).await
}

/// The actor's own appointments from now on, up to a year ahead.
pub async fn mine_upcoming(app: &App, actor: &Actor) -> AppResult<Vec<Appointment>> {
    let user = actor.user_id.ok_or(AppError::Forbidden)?;
    let now = now_us();
    let filter = AppointmentFilter {
        from_us: now,
        to_us: now + FEED_FUTURE_US,
        user_id: Some(user.0),
        ..AppointmentFilter::default()
    };
    list(app, actor, filter).await
}

/// `[start, end)` of `day` in `time_zone`, in microseconds.
pub fn day_bounds(day: Date, time_zone: &str) -> AppResult<(i64, i64)> {
    let zone = TimeZone::get(time_zone).unwrap_or(TimeZone::UTC);
    let bound = |d: Date| {
        d.to_zoned(zone.clone())
            .map(|z| z.timestamp().as_microsecond())
            .map_err(|e| AppError::Internal(anyhow::anyhow!("day {d}: {e}")))
    };
    let next = day
        .tomorrow()
        .map_err(|e| AppError::Internal(anyhow::anyhow!("day {day}: {e}")))?;
    Ok((bound(day)?, bound(next)?))
}

/// Today in `time_zone`.
pub fn today(time_zone: &str) -> Date {
    let zone = TimeZone::get(time_zone).unwrap_or(TimeZone::UTC);
    jiff::Timestamp::now().to_zoned(zone).date()
}

/// Booked appointments today (in the actor's time zone) with a visitor who
/// has not checked in: reception's expected visitors. Needs `reception.use`.
pub async fn expected_visitors_today(app: &App, actor: &Actor) -> AppResult<Vec<Appointment>> {
    actor.require(Permission::ReceptionUse)?;
    let (from_us, to_us) = day_bounds(today(&actor.time_zone), &actor.time_zone)?;
    let filter = AppointmentFilter {
        from_us,
        to_us,
        visitor_expected: true,
        ..AppointmentFilter::default()
    };
    list(app, actor, filter).await
}

/// One resource's bookings on a day.
#[derive(Debug, Clone)]
pub struct ResourceDay {
    pub resource: ResourceRow,
    pub appointments: Vec<Appointment>,
}

/// The day's schedule per active resource, in the actor's time zone. Needs
/// `reception.use`.
pub async fn day_schedule(app: &App, actor: &Actor, day: Date) -> AppResult<Vec<ResourceDay>> {
    actor.require(Permission::ReceptionUse)?;
    let (from_us, to_us) = day_bounds(day, &actor.time_zone)?;
    let filter = AppointmentFilter {
        from_us,
        to_us,
        ..AppointmentFilter::default()
    };
    let (resources, day) =
        tokio::try_join!(self::resources(app, actor, false), list(app, actor, filter))?;
    Ok(resources
        .into_iter()
        .map(|resource| ResourceDay {
            appointments: day
                .iter()
                .filter(|a| a.resources.iter().any(|r| r.resource_id == resource.id))
                .cloned()
                .collect(),
            resource,
        })
        .collect())
}

/// Reads a time typed into `field`: RFC 3339 (`2026-05-04T09:30:00Z`) or a
/// local `YYYY-MM-DDTHH:MM` (a browser's date-time field) in `time_zone`.
/// Empty is `None`.
///
/// Errors: `field` with `error-datetime`.
pub fn parse_time(field: &str, text: &str, time_zone: &str) -> Result<Option<i64>, FieldErrors> {
    reception::parse_expected_at(text, time_zone)
        .map_err(|_| FieldErrors::one(field, "error-datetime"))
}

// --------------------------------------------------------------------- feeds

fn token_hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

fn new_token() -> String {
    use rand::RngCore;
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    format!("{FEED_TOKEN_PREFIX}{}", hex::encode(bytes))
}

async fn replace_feed(app: &App, actor: &Actor, owner: FeedOwner) -> AppResult<String> {
    let token = new_token();
    let mut tx = app.db.begin().await?;
    store::replace_feed(&mut tx, owner, &token_hash(&token), now_us()).await?;
    let (entity_type, id) = match owner {
        FeedOwner::User(id) => ("user", id),
        FeedOwner::Resource(id) => ("resource", id),
    };
    record(
        &mut tx,
        actor,
        Change {
            entity_type,
            entity_id: id.to_string(),
            action: "calendar_feed",
            before: None,
            after: Some(json!({ "feed": "replaced" })),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(token)
}

/// A new secret token for the actor's own calendar feed; the old one stops
/// working. The token is returned once and only its hash is kept.
pub async fn renew_my_feed(app: &App, actor: &Actor) -> AppResult<String> {
    require_staff(actor)?;
    let user = actor.user_id.ok_or(AppError::Forbidden)?;
    replace_feed(app, actor, FeedOwner::User(user.0)).await
}

/// A new secret token for a resource's feed. Needs `reception.use`.
pub async fn renew_resource_feed(app: &App, actor: &Actor, id: i64) -> AppResult<String> {
    actor.require(Permission::ReceptionUse)?;
    resource(app, actor, id).await?;
    replace_feed(app, actor, FeedOwner::Resource(id)).await
}

/// When the actor's or a resource's feed was made, if it has one.
pub async fn feed_created_at(app: &App, actor: &Actor, owner: FeedOwner) -> AppResult<Option<i64>> {
    match owner {
        FeedOwner::User(id) if actor.user_id == Some(UserId(id)) => {}
        FeedOwner::Resource(_) if actor.may(Permission::ReceptionUse) => {}
        _ => return Err(AppError::Forbidden),
    }
    Ok(store::feed_created_at(&app.db, owner).await?)
}

/// The calendar a feed token opens: the booked appointments of its person
/// or resource from a month back to a year ahead, each with its title,
/// time, place and rooms only (no notes, no one's address). Needs no login:
/// the token is the credential.
///
/// Errors: [`AppError::NotFound`] for a token that opens nothing.
pub async fn feed(app: &App, token: &str) -> AppResult<String> {
    let token = token.trim();
    if !token.starts_with(FEED_TOKEN_PREFIX) || token.len() > 200 {
        return Err(AppError::NotFound);
    }
    let owner = store::feed_owner(&app.db, &token_hash(token))
        .await?
        .ok_or(AppError::NotFound)?;
    let now = now_us();
    let mut filter = AppointmentFilter {
        from_us: now - FEED_PAST_US,
        to_us: now + FEED_FUTURE_US,
        ..AppointmentFilter::default()
    };
    let name = match owner {
        FeedOwner::User(id) => {
            filter.user_id = Some(id);
            let user = seam_store::users::user_by_id(&app.db, id)
                .await?
                .filter(|u| !u.disabled)
                .ok_or(AppError::NotFound)?;
            user.display_name
        }
        FeedOwner::Resource(id) => {
            filter.resource_id = Some(id);
            let resource = store::resource(&app.db, id)
                .await?
                .ok_or(AppError::NotFound)?;
            resource.name
        }
    };
    let rows = store::list(&app.db, filter, LIST_MAX).await?;
    let events: Vec<EventData> = with_details(app, rows)
        .await?
        .iter()
        .map(|a| EventData {
            organiser: None,
            attendees: Vec::new(),
            description: String::new(),
            ..event_data(a, "", false)
        })
        .collect();
    Ok(ics::feed(&name, &events))
}

/// The interval of an appointment, for callers that compare times.
pub fn interval_of(row: &AppointmentRow) -> Interval {
    Interval {
        start_us: row.start_us,
        end_us: row.end_us,
    }
}
