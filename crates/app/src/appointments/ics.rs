//! Appointments as iCalendar (RFC 5545): the invitation or cancellation an
//! e-mail carries (iTIP, RFC 5546: `METHOD:REQUEST` and `METHOD:CANCEL`) and
//! the feeds calendar clients subscribe to. Pure: data in, text out. The
//! `icalendar` crate escapes the texts and folds the lines.

use chrono::{DateTime, Utc};
use icalendar::{Attendee, CUType, Calendar, Component, Event, EventLike, EventStatus, PartStat};

/// The product that wrote the calendar (`PRODID`).
pub const PRODID: &str = "-//Seam//Appointments//EN";

/// What a calendar message asks of its recipient.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    /// A new or changed appointment: add or update it.
    Request,
    /// A cancelled appointment: remove it.
    Cancel,
}

impl Method {
    pub fn name(self) -> &'static str {
        match self {
            Method::Request => "REQUEST",
            Method::Cancel => "CANCEL",
        }
    }
}

/// Someone an invitation names, with an address when they have one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Person {
    pub name: String,
    pub email: Option<String>,
}

/// One appointment as a calendar event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EventData {
    /// Stable for the appointment's life.
    pub uid: String,
    /// Bumped by every reschedule and by the cancellation.
    pub sequence: i64,
    pub title: String,
    pub start_us: i64,
    pub end_us: i64,
    /// Where: the location text and the rooms booked.
    pub location: String,
    pub description: String,
    pub cancelled: bool,
    /// When the appointment last changed.
    pub stamp_us: i64,
    /// The organiser's address (`mailto:`), required by iTIP.
    pub organiser: Option<Person>,
    pub attendees: Vec<Person>,
    /// Names of the rooms and equipment booked (`RESOURCES`).
    pub resources: Vec<String>,
}

fn utc(us: i64) -> DateTime<Utc> {
    DateTime::<Utc>::from_timestamp_micros(us).unwrap_or_default()
}

fn event(data: &EventData) -> Event {
    let mut event = Event::new();
    event
        .uid(&data.uid)
        .sequence(u32::try_from(data.sequence).unwrap_or(0))
        .timestamp(utc(data.stamp_us))
        .last_modified(utc(data.stamp_us))
        .starts(utc(data.start_us))
        .ends(utc(data.end_us))
        .summary(&data.title)
        .status(if data.cancelled {
            EventStatus::Cancelled
        } else {
            EventStatus::Confirmed
        });
    if !data.location.is_empty() {
        event.location(&data.location);
    }
    if !data.description.is_empty() {
        event.description(&data.description);
    }
    if !data.resources.is_empty() {
        event.resources(data.resources.iter().map(String::as_str));
    }
    if let Some(organiser) = &data.organiser
        && let Some(email) = &organiser.email
    {
        let mut property = icalendar::Property::new("ORGANIZER", format!("mailto:{email}"));
        property.add_parameter("CN", &organiser.name);
        event.append_property(property);
    }
    for person in &data.attendees {
        let Some(email) = &person.email else { continue };
        event.attendee(
            Attendee::new(format!("mailto:{email}"))
                .cn(person.name.clone())
                .cutype(CUType::Individual)
                .role(icalendar::Role::ReqParticipant)
                .partstat(PartStat::NeedsAction),
        );
    }
    event.done()
}

fn calendar(method: Option<Method>, name: Option<&str>) -> Calendar {
    let mut calendar = Calendar::empty();
    calendar
        .append_property(("VERSION", "2.0"))
        .append_property(("PRODID", PRODID))
        .append_property(("CALSCALE", "GREGORIAN"));
    if let Some(method) = method {
        calendar.append_property(("METHOD", method.name()));
    }
    if let Some(name) = name {
        calendar.name(name);
    }
    calendar
}

/// The invitation (or cancellation) of one appointment, to attach to an e-mail.
pub fn message(method: Method, data: &EventData) -> String {
    let mut calendar = calendar(Some(method), None);
    calendar.push(event(data));
    calendar.done().to_string()
}

/// A feed: the calendar a client subscribes to, with these events and
/// nothing about them that is not in [`EventData`].
pub fn feed(name: &str, events: &[EventData]) -> String {
    let mut calendar = calendar(None, Some(name));
    for data in events {
        calendar.push(event(data));
    }
    calendar.done().to_string()
}
