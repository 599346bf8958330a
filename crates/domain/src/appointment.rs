//! Appointments and the resources they book: what a booking needs before it
//! is written, and when two bookings clash.
//!
//! Times are microseconds since the Unix epoch, UTC. An appointment holds the
//! half-open interval `[start, end)`: one that ends at 10:00 and one that
//! starts at 10:00 do not overlap, so back-to-back meetings in one room are
//! fine.

use crate::FieldErrors;

/// Longest title, location, visitor name or company, in characters.
pub const TEXT_MAX: usize = 200;
/// Longest notes, in characters.
pub const NOTES_MAX: usize = 4_000;
/// Most staff attendees of one appointment (the organiser included).
pub const ATTENDEES_MAX: usize = 50;
/// Most resources one appointment books.
pub const RESOURCES_MAX: usize = 20;
/// Longest appointment: two weeks. Longer is a typo, or not an appointment.
pub const LENGTH_MAX_US: i64 = 14 * 86_400_000_000;
/// How far in the past a booking may start: a meeting typed at 10:02 for
/// 10:00 is not refused. Anything earlier is "in the past".
pub const PAST_GRACE_US: i64 = 5 * 60_000_000;
/// The largest capacity a resource may have.
pub const CAPACITY_MAX: i64 = 10_000;

/// A half-open interval of time `[start_us, end_us)`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Interval {
    pub start_us: i64,
    pub end_us: i64,
}

impl Interval {
    /// Whether the two intervals share any instant. Touching ends do not.
    pub fn overlaps(&self, other: &Interval) -> bool {
        self.start_us < other.end_us && other.start_us < self.end_us
    }
}

/// Checks a booking's times against `now_us`: an end after the start (not
/// equal), a start not in the past, at most [`LENGTH_MAX_US`] long.
///
/// Errors name `end_at` (`error-appointment-end-before-start`,
/// `error-appointment-zero-length`, `error-appointment-too-long`) or
/// `start_at` (`error-appointment-in-past`, `error-required`).
pub fn check_times(
    start_us: Option<i64>,
    end_us: Option<i64>,
    now_us: i64,
) -> Result<Interval, FieldErrors> {
    let mut errors = FieldErrors::new();
    let (Some(start_us), Some(end_us)) = (start_us, end_us) else {
        if start_us.is_none() {
            errors.add("start_at", "error-required");
        }
        if end_us.is_none() {
            errors.add("end_at", "error-required");
        }
        return Err(errors);
    };
    if end_us < start_us {
        errors.add("end_at", "error-appointment-end-before-start");
    } else if end_us == start_us {
        errors.add("end_at", "error-appointment-zero-length");
    } else if end_us.saturating_sub(start_us) > LENGTH_MAX_US {
        errors.add("end_at", "error-appointment-too-long");
    }
    if start_us < now_us.saturating_sub(PAST_GRACE_US) {
        errors.add("start_at", "error-appointment-in-past");
    }
    errors.into_result(Interval { start_us, end_us })
}

/// An appointment as typed at the desk or posted to the API.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AppointmentDraft {
    pub title: String,
    pub start_us: Option<i64>,
    pub end_us: Option<i64>,
    /// The staff user who holds the meeting; an attendee too.
    pub organiser_user_id: Option<i64>,
    /// Other staff users who attend.
    pub attendee_user_ids: Vec<i64>,
    /// Rooms and equipment it books.
    pub resource_ids: Vec<i64>,
    pub visitor_name: String,
    pub visitor_company: String,
    /// Where the invitation goes to the visitor, if anywhere.
    pub visitor_email: String,
    /// A known company the visitor comes from.
    pub party_id: Option<i64>,
    pub location: String,
    pub notes: String,
}

/// An appointment that passed [`validate`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidAppointment {
    pub title: String,
    pub interval: Interval,
    pub organiser_user_id: i64,
    /// Everyone booked, the organiser first, each once.
    pub people: Vec<i64>,
    /// Each resource once, in the order given.
    pub resource_ids: Vec<i64>,
    pub visitor_name: String,
    pub visitor_company: String,
    pub visitor_email: String,
    pub party_id: Option<i64>,
    pub location: String,
    pub notes: String,
}

fn text(errors: &mut FieldErrors, field: &str, value: &str, max: usize, required: bool) -> String {
    let value = value.trim();
    if required && value.is_empty() {
        errors.add(field, "error-required");
    } else if value.chars().count() > max {
        errors.add(field, "error-too-long");
    }
    value.to_owned()
}

fn unique(ids: impl IntoIterator<Item = i64>) -> Vec<i64> {
    let mut out: Vec<i64> = Vec::new();
    for id in ids {
        if !out.contains(&id) {
            out.push(id);
        }
    }
    out
}

/// Checks an appointment at `now_us`: a title, an organiser, sound times
/// ([`check_times`]), bounded texts and lists, and a visitor name when a
/// visitor company or e-mail is given. Whether the people and resources
/// exist and are free is the store's question.
pub fn validate(draft: &AppointmentDraft, now_us: i64) -> Result<ValidAppointment, FieldErrors> {
    let mut errors = FieldErrors::new();
    let title = text(&mut errors, "title", &draft.title, TEXT_MAX, true);
    let interval = match check_times(draft.start_us, draft.end_us, now_us) {
        Ok(interval) => Some(interval),
        Err(e) => {
            errors.extend(e);
            None
        }
    };
    if draft.organiser_user_id.is_none() {
        errors.add("organiser_user_id", "error-required");
    }
    let people = unique(
        draft
            .organiser_user_id
            .into_iter()
            .chain(draft.attendee_user_ids.iter().copied()),
    );
    if people.len() > ATTENDEES_MAX {
        errors.add("attendee_user_ids", "error-too-many");
    }
    let resource_ids = unique(draft.resource_ids.iter().copied());
    if resource_ids.len() > RESOURCES_MAX {
        errors.add("resource_ids", "error-too-many");
    }
    let visitor_name = text(
        &mut errors,
        "visitor_name",
        &draft.visitor_name,
        TEXT_MAX,
        false,
    );
    let visitor_company = text(
        &mut errors,
        "visitor_company",
        &draft.visitor_company,
        TEXT_MAX,
        false,
    );
    let visitor_email = text(
        &mut errors,
        "visitor_email",
        &draft.visitor_email,
        TEXT_MAX,
        false,
    );
    let has_visitor_details =
        !visitor_company.is_empty() || !visitor_email.is_empty() || draft.party_id.is_some();
    if visitor_name.is_empty() && has_visitor_details {
        errors.add("visitor_name", "error-required");
    }
    let location = text(&mut errors, "location", &draft.location, TEXT_MAX, false);
    let notes = text(&mut errors, "notes", &draft.notes, NOTES_MAX, false);
    let Some(interval) = interval.filter(|_| errors.is_empty()) else {
        return Err(errors);
    };
    Ok(ValidAppointment {
        title,
        interval,
        organiser_user_id: draft.organiser_user_id.unwrap_or_default(),
        people,
        resource_ids,
        visitor_name,
        visitor_company,
        visitor_email,
        party_id: draft.party_id,
        location,
        notes,
    })
}

/// What a resource is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ResourceKind {
    Room,
    Equipment,
}

impl ResourceKind {
    pub const ALL: [ResourceKind; 2] = [ResourceKind::Room, ResourceKind::Equipment];

    /// The stored name.
    pub fn name(self) -> &'static str {
        match self {
            ResourceKind::Room => "room",
            ResourceKind::Equipment => "equipment",
        }
    }

    pub fn parse(text: &str) -> Option<ResourceKind> {
        ResourceKind::ALL
            .into_iter()
            .find(|k| k.name() == text.trim())
    }
}

/// A resource as typed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ResourceDraft {
    pub name: String,
    /// `room` or `equipment`.
    pub kind: String,
    /// How many people fit (rooms), or none.
    pub capacity: Option<i64>,
    pub active: bool,
}

/// A resource that passed [`validate_resource`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidResource {
    pub name: String,
    pub kind: ResourceKind,
    pub capacity: Option<i64>,
    pub active: bool,
}

/// Checks a resource: a name, a known kind, a capacity from 1 to
/// [`CAPACITY_MAX`] when given.
pub fn validate_resource(draft: &ResourceDraft) -> Result<ValidResource, FieldErrors> {
    let mut errors = FieldErrors::new();
    let name = text(&mut errors, "name", &draft.name, TEXT_MAX, true);
    let kind = ResourceKind::parse(&draft.kind);
    if kind.is_none() {
        errors.add("kind", "error-resource-kind");
    }
    if let Some(capacity) = draft.capacity
        && !(1..=CAPACITY_MAX).contains(&capacity)
    {
        errors.add("capacity", "error-resource-capacity");
    }
    match kind {
        Some(kind) if errors.is_empty() => Ok(ValidResource {
            name,
            kind,
            capacity: draft.capacity,
            active: draft.active,
        }),
        _ => Err(errors),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const H: i64 = 3_600_000_000;

    fn at(start: i64, end: i64) -> Interval {
        Interval {
            start_us: start,
            end_us: end,
        }
    }

    #[test]
    fn touching_intervals_do_not_overlap_and_nested_ones_do() {
        let ten_to_eleven = at(10 * H, 11 * H);
        assert!(
            !ten_to_eleven.overlaps(&at(11 * H, 12 * H)),
            "ends at start"
        );
        assert!(!ten_to_eleven.overlaps(&at(9 * H, 10 * H)), "starts at end");
        assert!(
            ten_to_eleven.overlaps(&at(10 * H + 1, 10 * H + 2)),
            "inside"
        );
        assert!(ten_to_eleven.overlaps(&at(9 * H, 12 * H)), "around");
        assert!(ten_to_eleven.overlaps(&at(10 * H, 11 * H)), "the same");
        assert!(ten_to_eleven.overlaps(&at(11 * H - 1, 12 * H)), "one µs");
        assert!(!ten_to_eleven.overlaps(&at(12 * H, 13 * H)), "apart");
    }

    #[test]
    fn times_must_be_ordered_in_the_future_and_not_too_long() {
        let now = 100 * H;
        let code = |s, e, field| {
            check_times(Some(s), Some(e), now)
                .unwrap_err()
                .for_field(field)
        };
        assert_eq!(
            code(now + H, now, "end_at"),
            Some("error-appointment-end-before-start")
        );
        assert_eq!(
            code(now + H, now + H, "end_at"),
            Some("error-appointment-zero-length")
        );
        assert_eq!(
            code(now - H, now, "start_at"),
            Some("error-appointment-in-past")
        );
        assert_eq!(
            code(now, now + LENGTH_MAX_US + 1, "end_at"),
            Some("error-appointment-too-long")
        );
        assert!(check_times(Some(now - PAST_GRACE_US), Some(now + H), now).is_ok());
        assert!(check_times(Some(now - PAST_GRACE_US - 1), Some(now + H), now).is_err());
        let missing = check_times(None, None, now).unwrap_err();
        assert_eq!(missing.for_field("start_at"), Some("error-required"));
        assert_eq!(missing.for_field("end_at"), Some("error-required"));
    }

    #[test]
    fn the_organiser_is_booked_first_and_everyone_once() {
        let draft = AppointmentDraft {
            title: "  Review ".into(),
            start_us: Some(2 * H),
            end_us: Some(3 * H),
            organiser_user_id: Some(7),
            attendee_user_ids: vec![3, 7, 3, 4],
            resource_ids: vec![1, 1, 2],
            ..AppointmentDraft::default()
        };
        let valid = validate(&draft, H).unwrap();
        assert_eq!(valid.title, "Review");
        assert_eq!(valid.people, vec![7, 3, 4]);
        assert_eq!(valid.resource_ids, vec![1, 2]);
    }

    #[test]
    fn a_visitor_company_needs_a_visitor_name() {
        let draft = AppointmentDraft {
            title: "Demo".into(),
            start_us: Some(2 * H),
            end_us: Some(3 * H),
            organiser_user_id: Some(1),
            visitor_company: "Acme".into(),
            ..AppointmentDraft::default()
        };
        let errors = validate(&draft, H).unwrap_err();
        assert_eq!(errors.for_field("visitor_name"), Some("error-required"));
        let errors = validate(&AppointmentDraft::default(), H).unwrap_err();
        assert_eq!(errors.for_field("title"), Some("error-required"));
        assert_eq!(
            errors.for_field("organiser_user_id"),
            Some("error-required")
        );
    }

    #[test]
    fn a_resource_has_a_name_a_kind_and_a_sane_capacity() {
        let errors = validate_resource(&ResourceDraft {
            kind: "spaceship".into(),
            capacity: Some(0),
            ..ResourceDraft::default()
        })
        .unwrap_err();
        assert_eq!(errors.for_field("name"), Some("error-required"));
        assert_eq!(errors.for_field("kind"), Some("error-resource-kind"));
        assert_eq!(
            errors.for_field("capacity"),
            Some("error-resource-capacity")
        );
        let ok = validate_resource(&ResourceDraft {
            name: " Room 1 ".into(),
            kind: "room".into(),
            capacity: Some(8),
            active: true,
        })
        .unwrap();
        assert_eq!((ok.name.as_str(), ok.kind), ("Room 1", ResourceKind::Room));
    }
}
