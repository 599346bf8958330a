//! Appointments on SQLite and (with `SEAM_TEST_PG_URL`) PostgreSQL: a room
//! or a person is never booked twice at once (touching bookings are fine,
//! concurrent ones too), refusals write nothing, rescheduling bumps the
//! invitation's SEQUENCE, cancelling frees the slot and sends METHOD:CANCEL,
//! feeds show only their owner's appointments, the e-mail carries the .ics
//! (read back with `calcard` and `mail-parser`, parsers Seam does not use to
//! write), and the visitor of an appointment checks in through reception.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use calcard::icalendar::{ICalendar, ICalendarComponentType, ICalendarEntry, ICalendarProperty};
use mail_parser::MimeHeaders;
use seam_app::appointments::{self, AppointmentFilter};
use seam_app::mail::{self, EmailJob, MailSettings};
use seam_app::{Actor, App, AppError, jobs, notifications, now_us, parties, reception};
use seam_domain::access::Role;
use seam_domain::appointment::{AppointmentDraft, ResourceDraft};
use seam_domain::party::PartyDraft;

use crate::smtp;

both_backends!(
    touching_bookings_share_a_room_and_an_overlap_is_refused_naming_the_clash,
    a_person_is_not_booked_into_two_meetings_at_once,
    past_reversed_and_empty_bookings_are_refused,
    rescheduling_keeps_the_uid_and_bumps_the_sequence,
    cancelling_frees_the_slot_and_sends_a_cancellation,
    concurrent_bookings_of_one_room_let_exactly_one_through,
    a_feed_shows_only_its_owners_appointments_and_a_wrong_token_opens_nothing,
    the_invitation_email_carries_the_ics_attachment,
    the_visitor_of_an_appointment_is_expected_today_and_checks_in_through_reception,
    booking_needs_reception_and_staff_see_only_their_own,
);

const H: i64 = 3_600_000_000;
const DAY: i64 = 24 * H;

fn desk() -> Actor {
    Actor::system("desk")
}

/// 10:00 UTC thirty days from now: safely in the future.
fn ten_am() -> i64 {
    (now_us() / DAY + 30) * DAY + 10 * H
}

use crate::common::staff;

fn id_of(actor: &Actor) -> i64 {
    actor.user_id.unwrap().0
}

async fn room(app: &App, name: &str) -> i64 {
    appointments::add_resource(
        app,
        &desk(),
        &ResourceDraft {
            name: name.into(),
            kind: "room".into(),
            capacity: Some(8),
            active: true,
        },
    )
    .await
    .unwrap()
}

fn meeting(title: &str, start: i64, end: i64, organiser: &Actor) -> AppointmentDraft {
    AppointmentDraft {
        title: title.into(),
        start_us: Some(start),
        end_us: Some(end),
        organiser_user_id: Some(id_of(organiser)),
        ..AppointmentDraft::default()
    }
}

/// What a refusal must leave untouched: appointments, queued jobs, audit events.
async fn footprint(app: &App) -> (i64, usize, usize) {
    (
        seam_store::appointments::count(&app.db).await.unwrap(),
        seam_store::jobs::list(&app.db, None, None, 10_000)
            .await
            .unwrap()
            .len(),
        seam_app::audit::events_after(app, &desk(), 0, 10_000)
            .await
            .unwrap()
            .len(),
    )
}

fn invalid(result: Result<i64, AppError>) -> seam_domain::FieldErrors {
    match result {
        Err(AppError::Invalid(errors)) => errors,
        other => panic!("expected field errors, got {other:?}"),
    }
}

fn arg<'a>(errors: &'a seam_domain::FieldErrors, field: &str, name: &str) -> &'a str {
    let error = errors.iter().find(|e| e.field == field).unwrap();
    &error.args.iter().find(|(n, _)| *n == name).unwrap().1
}

async fn touching_bookings_share_a_room_and_an_overlap_is_refused_naming_the_clash(app: App) {
    let hanna = staff(&app, "hanna", &[Role::Sales]).await;
    let otto = staff(&app, "otto", &[Role::Sales]).await;
    let room1 = room(&app, "Room 1").await;
    let t = ten_am();
    let mut first = meeting("Board meeting", t, t + H, &hanna);
    first.resource_ids = vec![room1];
    appointments::book(&app, &desk(), &first).await.unwrap();
    // Ends where the other starts: no clash.
    let mut after = meeting("Next one", t + H, t + 2 * H, &otto);
    after.resource_ids = vec![room1];
    appointments::book(&app, &desk(), &after).await.unwrap();
    let mut before = meeting("Early one", t - H, t, &otto);
    before.resource_ids = vec![room1];
    appointments::book(&app, &desk(), &before).await.unwrap();

    let free = staff(&app, "free", &[Role::Sales]).await;
    let kept = footprint(&app).await;
    let mut clash = meeting("Overlap", t + H / 2, t + H / 2 + 1, &free);
    clash.resource_ids = vec![room1];
    let errors = invalid(appointments::book(&app, &desk(), &clash).await);
    assert_eq!(
        errors.for_field("resource_ids"),
        Some("error-resource-booked")
    );
    assert_eq!(arg(&errors, "resource_ids", "resource"), "Room 1");
    assert_eq!(arg(&errors, "resource_ids", "appointment"), "Board meeting");
    assert!(arg(&errors, "resource_ids", "when").contains("10:00–11:00"));
    assert_eq!(footprint(&app).await, kept, "a refusal writes nothing");

    // An unknown or retired room is refused too.
    clash.resource_ids = vec![room1 + 1000];
    let errors = invalid(appointments::book(&app, &desk(), &clash).await);
    assert_eq!(
        errors.for_field("resource_ids"),
        Some("error-unknown-resource")
    );
}

async fn a_person_is_not_booked_into_two_meetings_at_once(app: App) {
    let hanna = staff(&app, "hanna", &[Role::Sales]).await;
    let otto = staff(&app, "otto", &[Role::Sales]).await;
    let t = ten_am();
    let mut first = meeting("Review", t, t + H, &hanna);
    first.attendee_user_ids = vec![id_of(&otto)];
    appointments::book(&app, &desk(), &first).await.unwrap();

    let kept = footprint(&app).await;
    // Otto organises another meeting half an hour in: he is busy.
    let second = meeting("Lunch", t + H / 2, t + 2 * H, &otto);
    let errors = invalid(appointments::book(&app, &desk(), &second).await);
    assert_eq!(
        errors.for_field("organiser_user_id"),
        Some("error-person-booked")
    );
    assert_eq!(arg(&errors, "organiser_user_id", "person"), "otto Person");
    assert_eq!(arg(&errors, "organiser_user_id", "appointment"), "Review");
    // Hanna as an attendee of someone else's meeting: busy too.
    let mut third = meeting("Call", t + H / 2, t + 2 * H, &otto);
    third.start_us = Some(t + H);
    third.attendee_user_ids = vec![id_of(&hanna)];
    appointments::book(&app, &desk(), &third)
        .await
        .expect("from 11:00 both are free");
    let mut fourth = meeting(
        "Clash",
        t,
        t + H / 4,
        &staff(&app, "xavier", &[Role::Sales]).await,
    );
    fourth.attendee_user_ids = vec![id_of(&hanna)];
    let errors = invalid(appointments::book(&app, &desk(), &fourth).await);
    assert_eq!(
        errors.for_field("attendee_user_ids"),
        Some("error-person-booked")
    );
    assert_eq!(arg(&errors, "attendee_user_ids", "person"), "hanna Person");
    let (n, _, _) = footprint(&app).await;
    assert_eq!(n, kept.0 + 1, "only the free booking was written");
}

async fn past_reversed_and_empty_bookings_are_refused(app: App) {
    let hanna = staff(&app, "hanna", &[Role::Sales]).await;
    let now = now_us();
    let kept = footprint(&app).await;
    let cases = [
        (
            now - 2 * H,
            now - H,
            "start_at",
            "error-appointment-in-past",
        ),
        (
            now + 2 * H,
            now + H,
            "end_at",
            "error-appointment-end-before-start",
        ),
        (now + H, now + H, "end_at", "error-appointment-zero-length"),
    ];
    for (start, end, field, code) in cases {
        let errors =
            invalid(appointments::book(&app, &desk(), &meeting("x", start, end, &hanna)).await);
        assert_eq!(errors.for_field(field), Some(code));
    }
    let errors = invalid(
        appointments::book(
            &app,
            &desk(),
            &AppointmentDraft {
                visitor_email: "not an address".into(),
                visitor_name: "Ada".into(),
                ..meeting("x", now + H, now + 2 * H, &hanna)
            },
        )
        .await,
    );
    assert_eq!(errors.for_field("visitor_email"), Some("error-email"));
    assert_eq!(footprint(&app).await, kept);
    // Rescheduling into the past is refused the same way.
    let id = appointments::book(&app, &desk(), &meeting("ok", now + H, now + 2 * H, &hanna))
        .await
        .unwrap();
    let Err(AppError::Invalid(errors)) =
        appointments::reschedule(&app, &desk(), id, Some(now - 2 * H), Some(now - H)).await
    else {
        panic!("past reschedule accepted")
    };
    assert_eq!(
        errors.for_field("start_at"),
        Some("error-appointment-in-past")
    );
}

/// The calendar attachments queued so far, in order.
async fn invitations(app: &App) -> Vec<(String, EmailJob)> {
    let mut jobs = seam_store::jobs::list(&app.db, None, None, 10_000)
        .await
        .unwrap();
    jobs.sort_by_key(|j| j.id);
    jobs.into_iter()
        .filter(|j| j.kind == mail::JOB_KIND)
        .map(|j| serde_json::from_str::<EmailJob>(&j.payload).unwrap())
        .filter(|e| e.calendar.is_some())
        .map(|e| (e.to.clone(), e))
        .collect()
}

/// One parsed VEVENT and the calendar's METHOD.
#[derive(Debug)]
struct Parsed {
    method: Option<String>,
    uid: String,
    sequence: i64,
    summary: String,
    status: String,
    start_s: i64,
    end_s: i64,
    attendees: Vec<String>,
    location: String,
    description: String,
}

fn text(entry: Option<&ICalendarEntry>) -> String {
    entry
        .and_then(|e| e.values.first())
        .and_then(|v| v.as_text())
        .unwrap_or_default()
        .to_owned()
}

fn time_s(entry: Option<&ICalendarEntry>) -> i64 {
    entry
        .and_then(|e| e.values.first())
        .and_then(|v| v.as_partial_date_time())
        .and_then(|t| t.to_timestamp())
        .unwrap()
}

fn parse(ics: &str) -> Vec<Parsed> {
    let calendar = ICalendar::parse(ics).unwrap_or_else(|e| panic!("{e:?} in {ics}"));
    let root = &calendar.components[0];
    assert_eq!(root.component_type, ICalendarComponentType::VCalendar);
    assert_eq!(text(root.property(&ICalendarProperty::Version)), "2.0");
    let method = root
        .property(&ICalendarProperty::Method)
        .map(|e| text(Some(e)));
    calendar
        .components
        .iter()
        .filter(|c| c.component_type == ICalendarComponentType::VEvent)
        .map(|c| Parsed {
            method: method.clone(),
            uid: c.uid().unwrap().to_owned(),
            sequence: c
                .property(&ICalendarProperty::Sequence)
                .and_then(|e| e.values.first())
                .and_then(|v| v.as_integer())
                .unwrap(),
            summary: text(c.property(&ICalendarProperty::Summary)),
            status: text(c.property(&ICalendarProperty::Status)),
            start_s: time_s(c.property(&ICalendarProperty::Dtstart)),
            end_s: time_s(c.property(&ICalendarProperty::Dtend)),
            attendees: c
                .entries
                .iter()
                .filter(|e| e.name == ICalendarProperty::Attendee)
                .map(|e| text(Some(e)).to_lowercase())
                .collect(),
            location: text(c.property(&ICalendarProperty::Location)),
            description: text(c.property(&ICalendarProperty::Description)),
        })
        .collect()
}

fn only(ics: &str) -> Parsed {
    let mut events = parse(ics);
    assert_eq!(events.len(), 1, "{ics}");
    events.pop().unwrap()
}

async fn rescheduling_keeps_the_uid_and_bumps_the_sequence(app: App) {
    let hanna = staff(&app, "hanna", &[Role::Sales]).await;
    let otto = staff(&app, "otto", &[Role::Sales]).await;
    let room1 = room(&app, "Room 1").await;
    let blocker = room(&app, "Room 2").await;
    let t = ten_am();
    let mut draft = meeting("Plan; review, and more", t, t + H, &hanna);
    draft.attendee_user_ids = vec![id_of(&otto)];
    draft.resource_ids = vec![room1];
    draft.notes = "Bring the numbers".into();
    draft.location = "Floor 2".into();
    let id = appointments::book(&app, &desk(), &draft).await.unwrap();
    let sent = invitations(&app).await;
    assert_eq!(sent.len(), 2, "one invitation per attendee with an address");
    let first = only(&sent[0].1.calendar.as_ref().unwrap().ics);
    assert_eq!(first.method.as_deref(), Some("REQUEST"));
    assert_eq!(first.sequence, 0);
    assert_eq!(
        first.summary, "Plan; review, and more",
        "escaped and read back"
    );
    assert_eq!(first.status, "CONFIRMED");
    assert_eq!(
        (first.start_s, first.end_s),
        (t / 1_000_000, (t + H) / 1_000_000)
    );
    assert!(
        first
            .attendees
            .contains(&"mailto:otto@example.com".to_owned()),
        "{first:?}"
    );
    assert_eq!(first.location, "Floor 2 (Room 1)");
    assert_eq!(first.description, "Bring the numbers");

    // Another meeting in Room 2 at 14:00 blocks a move that would need it... but
    // this one books only Room 1, so moving to 14:00 is fine; into Room 1's
    // other booking is not.
    let mut other = meeting(
        "Other",
        t + 4 * H,
        t + 5 * H,
        &staff(&app, "xavier", &[Role::Sales]).await,
    );
    other.resource_ids = vec![room1, blocker];
    appointments::book(&app, &desk(), &other).await.unwrap();
    let kept = footprint(&app).await;
    let Err(AppError::Invalid(errors)) =
        appointments::reschedule(&app, &desk(), id, Some(t + 4 * H), Some(t + 5 * H)).await
    else {
        panic!("moved onto a booked room")
    };
    assert_eq!(
        errors.for_field("resource_ids"),
        Some("error-resource-booked")
    );
    assert_eq!(footprint(&app).await, kept);
    // Moving by half an hour overlaps only itself.
    appointments::reschedule(&app, &desk(), id, Some(t + H / 2), Some(t + 3 * H / 2))
        .await
        .unwrap();
    let row = appointments::appointment(&app, &desk(), id).await.unwrap();
    assert_eq!(row.row.sequence, 1);
    let sent = invitations(&app).await;
    let moved = only(&sent.last().unwrap().1.calendar.as_ref().unwrap().ics);
    assert_eq!(moved.uid, first.uid, "the same event, updated");
    assert_eq!(moved.sequence, 1);
    assert_eq!(moved.method.as_deref(), Some("REQUEST"));
    assert_eq!(moved.start_s, (t + H / 2) / 1_000_000);
    let events = seam_app::audit::events_after(&app, &desk(), 0, 10_000)
        .await
        .unwrap();
    let actions: Vec<&str> = events
        .iter()
        .filter(|e| e.entity_type == "appointment" && e.entity_id == id.to_string())
        .map(|e| e.action.as_str())
        .collect();
    assert_eq!(actions, ["book", "reschedule"]);
    // Otto was told in Seam; the desk (the system) needs no notice.
    let notices = notifications::mine(&app, &otto, None).await.unwrap();
    let kinds: Vec<&str> = notices.iter().map(|n| n.kind.as_str()).collect();
    assert_eq!(kinds, ["appointment-rescheduled", "appointment-booked"]);
}

async fn cancelling_frees_the_slot_and_sends_a_cancellation(app: App) {
    let hanna = staff(&app, "hanna", &[Role::Sales]).await;
    let room1 = room(&app, "Room 1").await;
    let t = ten_am();
    let mut draft = meeting("Workshop", t, t + 2 * H, &hanna);
    draft.resource_ids = vec![room1];
    let id = appointments::book(&app, &desk(), &draft).await.unwrap();
    let mut again = meeting("Replacement", t + H, t + 3 * H, &hanna);
    again.resource_ids = vec![room1];
    assert!(appointments::book(&app, &desk(), &again).await.is_err());
    appointments::cancel(&app, &desk(), id).await.unwrap();
    assert!(matches!(
        appointments::cancel(&app, &desk(), id).await,
        Err(AppError::Conflict("error-appointment-state"))
    ));
    assert!(matches!(
        appointments::reschedule(&app, &desk(), id, Some(t), Some(t + H)).await,
        Err(AppError::Conflict("error-appointment-state"))
    ));
    let sent = invitations(&app).await;
    let (to, job) = sent.last().unwrap();
    assert_eq!(to, "hanna@example.com");
    assert_eq!(job.calendar.as_ref().unwrap().method, "CANCEL");
    let cancel = only(&job.calendar.as_ref().unwrap().ics);
    assert_eq!(cancel.method.as_deref(), Some("CANCEL"));
    assert_eq!(cancel.status, "CANCELLED");
    assert_eq!(cancel.sequence, 1);
    // The room and Hanna are free again.
    appointments::book(&app, &desk(), &again).await.unwrap();
}

async fn concurrent_bookings_of_one_room_let_exactly_one_through(app: App) {
    let room1 = room(&app, "Room 1").await;
    let mut people = Vec::new();
    for i in 0..8 {
        people.push(staff(&app, &format!("person{i}"), &[Role::Sales]).await);
    }
    let t = ten_am();
    let mut tasks = Vec::new();
    for (i, person) in people.iter().enumerate() {
        let app = app.clone();
        let mut draft = meeting(&format!("Race {i}"), t, t + H, person);
        draft.resource_ids = vec![room1];
        tasks.push(tokio::spawn(async move {
            appointments::book(&app, &desk(), &draft).await
        }));
    }
    let mut won = 0;
    for task in tasks {
        match task.await.unwrap() {
            Ok(_) => won += 1,
            Err(AppError::Invalid(e)) => {
                assert_eq!(e.for_field("resource_ids"), Some("error-resource-booked"));
            }
            Err(other) => panic!("{other:?}"),
        }
    }
    assert_eq!(won, 1, "the room is booked once");
    let booked = appointments::list(
        &app,
        &desk(),
        AppointmentFilter {
            from_us: t,
            to_us: t + H,
            resource_id: Some(room1),
            ..AppointmentFilter::default()
        },
    )
    .await
    .unwrap();
    assert_eq!(booked.len(), 1);
}

async fn a_feed_shows_only_its_owners_appointments_and_a_wrong_token_opens_nothing(app: App) {
    let hanna = staff(&app, "hanna", &[Role::Sales]).await;
    let otto = staff(&app, "otto", &[Role::Sales]).await;
    let room1 = room(&app, "Room 1").await;
    let room2 = room(&app, "Room 2").await;
    let t = ten_am();
    let mut hannas = meeting("Hanna's review", t, t + H, &hanna);
    hannas.resource_ids = vec![room1];
    hannas.notes = "secret notes".into();
    hannas.visitor_name = "Ada Visitor".into();
    hannas.visitor_email = "ada@visitor.example".into();
    appointments::book(&app, &desk(), &hannas).await.unwrap();
    let mut ottos = meeting("Otto's call", t, t + H, &otto);
    ottos.resource_ids = vec![room2];
    appointments::book(&app, &desk(), &ottos).await.unwrap();
    let cancelled = appointments::book(
        &app,
        &desk(),
        &meeting("Dropped", t + 2 * H, t + 3 * H, &hanna),
    )
    .await
    .unwrap();
    appointments::cancel(&app, &desk(), cancelled)
        .await
        .unwrap();

    let token = appointments::renew_my_feed(&app, &hanna).await.unwrap();
    assert!(token.starts_with("seamcal_"));
    let feed = appointments::feed(&app, &token).await.unwrap();
    let events = parse(&feed);
    let titles: Vec<&str> = events.iter().map(|e| e.summary.as_str()).collect();
    assert_eq!(titles, ["Hanna's review"]);
    assert_eq!(events[0].method, None, "a feed is not an invitation");
    for private in [
        "secret notes",
        "ada@visitor.example",
        "hanna@example.com",
        "Otto",
    ] {
        assert!(!feed.contains(private), "{private} leaked: {feed}");
    }
    let room_token = appointments::renew_resource_feed(&app, &desk(), room2)
        .await
        .unwrap();
    let room_feed = parse(&appointments::feed(&app, &room_token).await.unwrap());
    let titles: Vec<&str> = room_feed.iter().map(|e| e.summary.as_str()).collect();
    assert_eq!(titles, ["Otto's call"]);

    for wrong in [
        "",
        "seamcal_",
        "seamcal_00",
        &token.replace('a', "b"),
        &room_token[..20],
    ] {
        assert!(
            matches!(
                appointments::feed(&app, wrong).await,
                Err(AppError::NotFound)
            ),
            "{wrong}"
        );
    }
    // A renewed token replaces the old one.
    let renewed = appointments::renew_my_feed(&app, &hanna).await.unwrap();
    assert!(matches!(
        appointments::feed(&app, &token).await,
        Err(AppError::NotFound)
    ));
    assert!(appointments::feed(&app, &renewed).await.is_ok());
    // Only reception renews a room's feed.
    assert!(matches!(
        appointments::renew_resource_feed(&app, &hanna, room1).await,
        Err(AppError::Forbidden)
    ));
}

async fn the_invitation_email_carries_the_ics_attachment(app: App) {
    let sink = smtp::SmtpSink::start().await;
    mail::update_settings(
        &app,
        &desk(),
        &MailSettings {
            smtp_url: sink.url(),
            from: "Seam <seam@example.com>".into(),
        },
    )
    .await
    .unwrap();
    let hanna = staff(&app, "hanna", &[Role::Sales]).await;
    let t = ten_am();
    let mut draft = meeting("Contract talk", t, t + H, &hanna);
    draft.visitor_name = "Ada Visitor".into();
    draft.visitor_email = "ada@visitor.example".into();
    draft.notes = "internal: discount up to 5%".into();
    let id = appointments::book(&app, &desk(), &draft).await.unwrap();
    let pass = jobs::work_until_idle(&app, &desk(), "n1").await.unwrap();
    assert_eq!((pass.done, pass.failed), (2, 0));
    let got = sink.messages();
    assert_eq!(got.len(), 2);
    let uid = appointments::appointment(&app, &desk(), id)
        .await
        .unwrap()
        .row
        .uid;
    for m in &got {
        let message = mail_parser::MessageParser::default()
            .parse(m.data.as_bytes())
            .unwrap();
        assert_eq!(message.subject(), Some("Invitation: Contract talk"));
        let attachment = message
            .attachments()
            .find(|a| a.attachment_name() == Some("invite.ics"))
            .unwrap_or_else(|| panic!("no invite.ics in {}", m.data));
        let content_type = attachment.content_type().unwrap();
        assert_eq!(
            (content_type.ctype(), content_type.subtype()),
            ("text", Some("calendar"))
        );
        assert_eq!(content_type.attribute("method"), Some("REQUEST"));
        let ics = std::str::from_utf8(attachment.contents()).unwrap();
        let event = only(ics);
        assert_eq!(event.uid, uid);
        assert_eq!(event.summary, "Contract talk");
        assert_eq!(event.method.as_deref(), Some("REQUEST"));
        assert!(ics.contains("ORGANIZER;CN="), "{ics}");
        if m.to == ["ada@visitor.example"] {
            assert!(
                event.description.is_empty(),
                "the visitor sees no internal notes"
            );
            assert_eq!(
                event.attendees,
                ["mailto:ada@visitor.example"],
                "nor the staff attendees' addresses (the organiser's is the reply address)"
            );
        } else {
            assert_eq!(m.to, ["hanna@example.com"]);
            assert_eq!(event.description, "internal: discount up to 5%");
        }
    }
}

async fn the_visitor_of_an_appointment_is_expected_today_and_checks_in_through_reception(app: App) {
    let hanna = staff(&app, "hanna", &[Role::Sales]).await;
    let acme = parties::create_party(
        &app,
        &desk(),
        &PartyDraft {
            kind: "company".into(),
            name: "Acme AB".into(),
            is_customer: true,
            ..PartyDraft::default()
        },
    )
    .await
    .unwrap();
    let now = now_us();
    let mut draft = meeting("Product demo", now, now + H / 2, &hanna);
    draft.visitor_name = "Ada Visitor".into();
    draft.party_id = Some(acme.0);
    let id = appointments::book(&app, &desk(), &draft).await.unwrap();
    let mut later = meeting(
        "Internal",
        now,
        now + H / 2,
        &staff(&app, "otto", &[Role::Sales]).await,
    );
    later.title = "No visitor".into();
    appointments::book(&app, &desk(), &later).await.unwrap();

    let expected = appointments::expected_visitors_today(&app, &desk())
        .await
        .unwrap();
    let names: Vec<&str> = expected
        .iter()
        .map(|a| a.row.visitor_name.as_str())
        .collect();
    assert_eq!(names, ["Ada Visitor"]);

    let visit_id = appointments::check_in_visitor(&app, &desk(), id, true)
        .await
        .unwrap();
    let visit = reception::visit(&app, &desk(), visit_id).await.unwrap();
    assert_eq!(visit.visitor_name, "Ada Visitor");
    assert_eq!(visit.party_id, Some(acme.0));
    assert_eq!(visit.host_user_id, id_of(&hanna));
    assert!(
        visit.badge_number.is_some(),
        "a real check-in, with a badge"
    );
    assert!(visit.checked_in_at_us.is_some());
    let in_building = reception::in_building_now(&app, &desk()).await.unwrap();
    assert_eq!(in_building.len(), 1);
    let notices = notifications::mine(&app, &hanna, None).await.unwrap();
    assert!(notices.iter().any(|n| n.kind == "visitor-arrived"));
    assert_eq!(
        appointments::appointment(&app, &desk(), id)
            .await
            .unwrap()
            .row
            .visit_id,
        Some(visit_id)
    );
    assert!(
        appointments::expected_visitors_today(&app, &desk())
            .await
            .unwrap()
            .is_empty(),
        "no longer expected"
    );
    assert!(matches!(
        appointments::check_in_visitor(&app, &desk(), id, true).await,
        Err(AppError::Conflict("error-appointment-visit-state"))
    ));
    assert_eq!(
        reception::in_building_now(&app, &desk())
            .await
            .unwrap()
            .len(),
        1
    );
}

async fn booking_needs_reception_and_staff_see_only_their_own(app: App) {
    let hanna = staff(&app, "hanna", &[Role::Sales]).await;
    let otto = staff(&app, "otto", &[Role::Sales]).await;
    let desk_user = staff(&app, "rita", &[Role::Receptionist]).await;
    let t = ten_am();
    assert!(matches!(
        appointments::book(&app, &hanna, &meeting("Mine", t, t + H, &hanna)).await,
        Err(AppError::Forbidden)
    ));
    let hannas = appointments::book(&app, &desk_user, &meeting("Hanna's", t, t + H, &hanna))
        .await
        .unwrap();
    let ottos = appointments::book(&app, &desk_user, &meeting("Otto's", t, t + H, &otto))
        .await
        .unwrap();
    assert!(
        appointments::appointment(&app, &hanna, hannas)
            .await
            .is_ok()
    );
    assert!(matches!(
        appointments::appointment(&app, &hanna, ottos).await,
        Err(AppError::NotFound)
    ));
    let window = AppointmentFilter {
        from_us: t,
        to_us: t + H,
        ..AppointmentFilter::default()
    };
    let seen: Vec<i64> = appointments::list(&app, &hanna, window)
        .await
        .unwrap()
        .iter()
        .map(|a| a.row.id)
        .collect();
    assert_eq!(seen, [hannas], "a member of staff lists only their own");
    let all = appointments::list(&app, &desk_user, window).await.unwrap();
    assert_eq!(all.len(), 2);
    assert!(matches!(
        appointments::cancel(&app, &hanna, hannas).await,
        Err(AppError::Forbidden)
    ));
    assert!(matches!(
        appointments::add_resource(&app, &hanna, &ResourceDraft::default()).await,
        Err(AppError::Forbidden)
    ));
    let taken = appointments::add_resource(
        &app,
        &desk_user,
        &ResourceDraft {
            name: "Projector".into(),
            kind: "equipment".into(),
            capacity: None,
            active: true,
        },
    )
    .await;
    assert!(taken.is_ok());
    let again = appointments::add_resource(
        &app,
        &desk_user,
        &ResourceDraft {
            name: "Projector".into(),
            kind: "equipment".into(),
            capacity: None,
            active: true,
        },
    )
    .await;
    let Err(AppError::Invalid(errors)) = again else {
        panic!("a second Projector")
    };
    assert_eq!(errors.for_field("name"), Some("error-resource-name-taken"));
}
