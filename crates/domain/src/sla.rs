//! Service levels: the working-hours calendar, the targets of each priority
//! (first response and resolution, in business minutes), and the clocks that
//! measure a ticket against them.
//!
//! Business time is real time inside the calendar's working windows: a day's
//! window is its opening and closing time on that civil date in the
//! calendar's zone, so a DST change inside a window makes it an hour longer
//! or shorter, exactly as the clock on the wall does. Holidays and days
//! without hours have no window.
//!
//! All instants are microseconds since the Unix epoch (UTC), as stored.

use std::collections::BTreeSet;

use jiff::Timestamp;
use jiff::civil::{Date, Time};
use jiff::tz::TimeZone;

use crate::FieldErrors;
use crate::service::{Priority, Queue};

/// One minute in microseconds.
pub const MINUTE_US: i64 = 60_000_000;
/// Minutes in a civil day; a window may end at 24:00.
pub const DAY_MINUTES: u16 = 24 * 60;
/// The most holidays a calendar holds.
pub const HOLIDAYS_MAX: usize = 366;
/// The longest target, in business minutes (a year of round-the-clock work).
pub const TARGET_MINUTES_MAX: i64 = 525_600;
/// How far a deadline is searched for, in civil days; a calendar that opens
/// less often than this has no deadlines.
const SEARCH_DAYS_MAX: i64 = 3_660;
/// The weekdays as the forms name them, Monday first.
pub const WEEKDAYS: [&str; 7] = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];

/// A day's working window, in minutes after local midnight.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DayHours {
    /// Invariant: `start_min < end_min <= DAY_MINUTES`.
    start_min: u16,
    end_min: u16,
}

impl DayHours {
    /// `None` unless `start_min < end_min <= 24:00`.
    pub fn new(start_min: u16, end_min: u16) -> Option<DayHours> {
        (start_min < end_min && end_min <= DAY_MINUTES).then_some(DayHours { start_min, end_min })
    }

    pub fn start_min(self) -> u16 {
        self.start_min
    }

    pub fn end_min(self) -> u16 {
        self.end_min
    }
}

/// `08:00` for 480 minutes.
pub fn clock_text(minutes: u16) -> String {
    format!("{:02}:{:02}", minutes / 60, minutes % 60)
}

/// When the business works: weekly hours in one time zone, minus holidays.
#[derive(Debug, Clone)]
pub struct Calendar {
    zone_name: String,
    zone: TimeZone,
    /// Monday first; `None` is a day off.
    week: [Option<DayHours>; 7],
    holidays: BTreeSet<Date>,
}

/// A calendar as typed into the settings form.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CalendarDraft {
    /// An IANA zone name: `Europe/Stockholm`.
    pub zone: String,
    /// Opening and closing time per weekday, Monday first (`08:00`, `17:00`);
    /// both empty is a day off.
    pub hours: [(String, String); 7],
    /// Dates (`2026-12-24`), separated by spaces, commas or lines.
    pub holidays: String,
}

impl Calendar {
    /// Monday to Friday 08:00–17:00 in `zone` (UTC when unknown), no holidays.
    pub fn office_hours(zone: &str) -> Calendar {
        let (zone_name, zone) = match TimeZone::get(zone.trim()) {
            Ok(tz) => (zone.trim().to_owned(), tz),
            Err(_) => ("UTC".to_owned(), TimeZone::UTC),
        };
        let day = DayHours::new(8 * 60, 17 * 60);
        Calendar {
            zone_name,
            zone,
            week: [day, day, day, day, day, None, None],
            holidays: BTreeSet::new(),
        }
    }

    pub fn zone_name(&self) -> &str {
        &self.zone_name
    }

    pub fn week(&self) -> &[Option<DayHours>; 7] {
        &self.week
    }

    pub fn holidays(&self) -> &BTreeSet<Date> {
        &self.holidays
    }

    /// The calendar as the form shows it (and as it is stored).
    pub fn to_draft(&self) -> CalendarDraft {
        let hours = self.week.map(|d| match d {
            Some(d) => (clock_text(d.start_min), clock_text(d.end_min)),
            None => (String::new(), String::new()),
        });
        let holidays: Vec<String> = self.holidays.iter().map(ToString::to_string).collect();
        CalendarDraft {
            zone: self.zone_name.clone(),
            hours,
            holidays: holidays.join(" "),
        }
    }

    /// The working window of one civil date, as instants; `None` on a day off.
    fn window(&self, date: Date) -> Option<(i64, i64)> {
        if self.holidays.contains(&date) {
            return None;
        }
        let index = usize::try_from(date.weekday().to_monday_zero_offset()).ok()?;
        let hours = (*self.week.get(index)?)?;
        let start = self.instant(date, hours.start_min)?;
        let end = self.instant(date, hours.end_min)?;
        (start < end).then_some((start, end))
    }

    /// The instant of `minutes` after local midnight of `date`; 24:00 is the
    /// next day's midnight. A time in a DST gap moves forward, as clocks do.
    fn instant(&self, date: Date, minutes: u16) -> Option<i64> {
        let (date, minutes) = if minutes >= DAY_MINUTES {
            (date.tomorrow().ok()?, 0)
        } else {
            (date, minutes)
        };
        let hour = i8::try_from(minutes / 60).ok()?;
        let minute = i8::try_from(minutes % 60).ok()?;
        let zoned = date
            .at(hour, minute, 0, 0)
            .to_zoned(self.zone.clone())
            .ok()?;
        Some(zoned.timestamp().as_microsecond())
    }

    fn date_of(&self, at_us: i64) -> Option<Date> {
        let ts = Timestamp::from_microsecond(at_us).ok()?;
        Some(ts.to_zoned(self.zone.clone()).date())
    }

    /// Business time between two instants, in microseconds; 0 when `to_us`
    /// is not after `from_us`.
    pub fn business_us(&self, from_us: i64, to_us: i64) -> i64 {
        if to_us <= from_us {
            return 0;
        }
        let (Some(mut date), Some(last)) = (self.date_of(from_us), self.date_of(to_us)) else {
            return 0;
        };
        let mut total = 0i64;
        // A window never crosses midnight, so the days from the first to the
        // last hold every window that overlaps the span.
        for _ in 0..SEARCH_DAYS_MAX * 10 {
            if let Some((start, end)) = self.window(date) {
                let overlap = end.min(to_us) - start.max(from_us);
                total = total.saturating_add(overlap.max(0));
            }
            if date >= last {
                break;
            }
            match date.tomorrow() {
                Ok(next) => date = next,
                Err(_) => break,
            }
        }
        total
    }

    /// Whole business minutes between two instants.
    pub fn business_minutes(&self, from_us: i64, to_us: i64) -> i64 {
        self.business_us(from_us, to_us) / MINUTE_US
    }

    /// The instant `amount_us` of business time after `start_us`: start plus
    /// that much time inside working windows, skipping nights, days off and
    /// holidays. `None` when the calendar does not open within ten years.
    pub fn add_business_us(&self, start_us: i64, amount_us: i64) -> Option<i64> {
        if amount_us <= 0 {
            return Some(start_us);
        }
        let mut date = self.date_of(start_us)?;
        let mut left = amount_us;
        for _ in 0..SEARCH_DAYS_MAX {
            if let Some((start, end)) = self.window(date) {
                let from = start.max(start_us);
                let available = end - from;
                if available > 0 {
                    if left <= available {
                        return Some(from + left);
                    }
                    left -= available;
                }
            }
            date = date.tomorrow().ok()?;
        }
        None
    }

    /// The deadline `minutes` business minutes after `start_us`.
    pub fn deadline(&self, start_us: i64, minutes: i64) -> Option<i64> {
        self.add_business_us(start_us, minutes.saturating_mul(MINUTE_US))
    }
}

fn parse_clock(text: &str) -> Option<u16> {
    let text = text.trim();
    if text == "24:00" {
        return Some(DAY_MINUTES);
    }
    let time: Time = text.parse().ok()?;
    if time.second() != 0 || time.subsec_nanosecond() != 0 {
        return None;
    }
    u16::try_from(i32::from(time.hour()) * 60 + i32::from(time.minute())).ok()
}

/// Checks a calendar. Errors name `zone` (`error-sla-zone`), `mon_start` …
/// `sun_end` (`error-sla-time`: not a time; `error-required`: one of the
/// pair empty; `error-sla-hours-order`: closing not after opening, on the
/// `_end` field), `hours` (`error-sla-no-hours`: no working day at all) or
/// `holidays` (`error-date`, `error-too-many`).
pub fn validate_calendar(draft: &CalendarDraft) -> Result<Calendar, FieldErrors> {
    let mut errors = FieldErrors::new();
    let zone_name = draft.zone.trim();
    let zone = match TimeZone::get(zone_name) {
        Ok(tz) if !zone_name.is_empty() => Some(tz),
        _ => {
            errors.add("zone", "error-sla-zone");
            None
        }
    };
    let mut week = [None; 7];
    for ((name, (start, end)), slot) in WEEKDAYS.iter().zip(&draft.hours).zip(week.iter_mut()) {
        *slot = day_hours(name, start, end, &mut errors);
    }
    if week.iter().all(Option::is_none) && errors.is_empty() {
        errors.add("hours", "error-sla-no-hours");
    }
    let mut holidays = BTreeSet::new();
    for word in draft
        .holidays
        .split(|c: char| c.is_whitespace() || c == ',' || c == ';')
        .filter(|w| !w.is_empty())
    {
        match word.parse::<Date>() {
            Ok(date) => {
                holidays.insert(date);
            }
            Err(_) => {
                errors.add("holidays", "error-date");
                break;
            }
        }
    }
    if holidays.len() > HOLIDAYS_MAX {
        errors.add("holidays", "error-too-many");
    }
    match zone {
        Some(zone) if errors.is_empty() => Ok(Calendar {
            zone_name: zone_name.to_owned(),
            zone,
            week,
            holidays,
        }),
        _ => Err(errors),
    }
}

fn day_hours(name: &str, start: &str, end: &str, errors: &mut FieldErrors) -> Option<DayHours> {
    let start_field = format!("{name}_start");
    let end_field = format!("{name}_end");
    match (start.trim().is_empty(), end.trim().is_empty()) {
        (true, true) => return None,
        (true, false) => errors.add(&start_field, "error-required"),
        (false, true) => errors.add(&end_field, "error-required"),
        (false, false) => {}
    }
    let opens = if start.trim().is_empty() {
        None
    } else {
        let parsed = parse_clock(start).filter(|m| *m < DAY_MINUTES);
        if parsed.is_none() {
            errors.add(&start_field, "error-sla-time");
        }
        parsed
    };
    let closes = if end.trim().is_empty() {
        None
    } else {
        let parsed = parse_clock(end);
        if parsed.is_none() {
            errors.add(&end_field, "error-sla-time");
        }
        parsed
    };
    let (opens, closes) = (opens?, closes?);
    let hours = DayHours::new(opens, closes);
    if hours.is_none() {
        errors.add(&end_field, "error-sla-hours-order");
    }
    hours
}

/// A policy as typed in: targets for one priority, optionally one queue.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PolicyDraft {
    pub priority: String,
    /// A queue's name, or empty for every queue.
    pub queue: String,
    pub first_response_min: String,
    pub resolution_min: String,
}

/// A policy that passed the rules.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Policy {
    pub priority: Priority,
    /// `None` applies to every queue without a policy of its own.
    pub queue: Option<Queue>,
    /// Invariant: `0 < first_response_min <= resolution_min <= TARGET_MINUTES_MAX`.
    pub first_response_min: i64,
    pub resolution_min: i64,
}

fn target(text: &str) -> Option<i64> {
    text.trim()
        .parse::<i64>()
        .ok()
        .filter(|m| *m > 0 && *m <= TARGET_MINUTES_MAX)
}

/// Checks a policy. Errors name `priority` (`error-ticket-priority`),
/// `queue` (`error-ticket-queue`), `first_response_min` or `resolution_min`
/// (`error-sla-target`: not a whole number of minutes from 1 to a year's),
/// and `resolution_min` (`error-sla-target-order`) when it is shorter than
/// the first response.
pub fn validate_policy(draft: &PolicyDraft) -> Result<Policy, FieldErrors> {
    let mut errors = FieldErrors::new();
    let priority = Priority::parse(&draft.priority);
    if priority.is_none() {
        errors.add("priority", "error-ticket-priority");
    }
    let queue = if draft.queue.trim().is_empty() {
        Some(None)
    } else {
        Queue::parse(&draft.queue).map(Some)
    };
    if queue.is_none() {
        errors.add("queue", "error-ticket-queue");
    }
    let first = target(&draft.first_response_min);
    if first.is_none() {
        errors.add("first_response_min", "error-sla-target");
    }
    let resolution = target(&draft.resolution_min);
    if resolution.is_none() {
        errors.add("resolution_min", "error-sla-target");
    }
    if let (Some(f), Some(r)) = (first, resolution)
        && r < f
    {
        errors.add("resolution_min", "error-sla-target-order");
    }
    match (priority, queue, first, resolution) {
        (Some(priority), Some(queue), Some(first_response_min), Some(resolution_min))
            if errors.is_empty() =>
        {
            Ok(Policy {
                priority,
                queue,
                first_response_min,
                resolution_min,
            })
        }
        _ => Err(errors),
    }
}

/// The policy that applies to a ticket: its queue's own for its priority,
/// else the one for every queue.
pub fn pick_policy(policies: &[Policy], priority: Priority, queue: Queue) -> Option<Policy> {
    let of_priority = || policies.iter().filter(|p| p.priority == priority);
    of_priority()
        .find(|p| p.queue == Some(queue))
        .or_else(|| of_priority().find(|p| p.queue.is_none()))
        .copied()
}

/// The business minutes of a target after which a ticket is at risk: one
/// business hour before the deadline, but never before 80 % of the target
/// is used (a 30-minute target warns at 24 minutes).
pub fn warn_minutes(target_min: i64) -> i64 {
    (target_min - 60).max(target_min * 4 / 5)
}

/// One SLA clock of a ticket, as stored. It runs from `running_since_us`
/// and stands still while the ticket waits on the customer or is resolved.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Clock {
    pub target_min: i64,
    /// Business time used before the current run.
    pub used_us: i64,
    /// Since when it runs; `None` while it stands still.
    pub running_since_us: Option<i64>,
    /// While it runs, the deadline; once stopped, the instant it was
    /// breached, or `None` when it stopped in time.
    pub due_at_us: Option<i64>,
    /// While it runs and is not breached, when it turns at risk.
    pub warn_at_us: Option<i64>,
}

impl Clock {
    /// A clock started at `now_us` with nothing used.
    pub fn start(calendar: &Calendar, target_min: i64, now_us: i64) -> Clock {
        Clock {
            target_min,
            used_us: 0,
            running_since_us: None,
            due_at_us: None,
            warn_at_us: None,
        }
        .resume(calendar, now_us)
    }

    /// Business time used by `now_us`.
    pub fn used_at(&self, calendar: &Calendar, now_us: i64) -> i64 {
        let running = self
            .running_since_us
            .map_or(0, |since| calendar.business_us(since, now_us));
        self.used_us.saturating_add(running)
    }

    /// Business time left at `now_us`; negative once overdue.
    pub fn remaining_us(&self, calendar: &Calendar, now_us: i64) -> i64 {
        self.target_min
            .saturating_mul(MINUTE_US)
            .saturating_sub(self.used_at(calendar, now_us))
    }

    pub fn is_running(&self) -> bool {
        self.running_since_us.is_some()
    }

    /// Whether the target was missed by `now_us`.
    pub fn is_breached(&self, now_us: i64) -> bool {
        self.due_at_us.is_some_and(|due| due <= now_us)
    }

    /// Stops the clock at `now_us`, keeping what it used; a deadline already
    /// passed stays as the instant of the breach.
    pub fn stop(self, calendar: &Calendar, now_us: i64) -> Clock {
        if !self.is_running() {
            return self;
        }
        Clock {
            used_us: self.used_at(calendar, now_us),
            running_since_us: None,
            due_at_us: self.due_at_us.filter(|due| *due <= now_us),
            warn_at_us: None,
            ..self
        }
    }

    /// Runs the clock again from `now_us`, with what is left of the target.
    /// A breached clock keeps the instant it was breached.
    pub fn resume(self, calendar: &Calendar, now_us: i64) -> Clock {
        if self.is_running() {
            return self;
        }
        let used_min_us = |m: i64| m.saturating_mul(MINUTE_US).saturating_sub(self.used_us);
        let (due, warn) = match self.due_at_us {
            Some(breached) => (Some(breached), None),
            None => {
                let due = calendar.add_business_us(now_us, used_min_us(self.target_min));
                let warn_left = used_min_us(warn_minutes(self.target_min));
                let warn = calendar.add_business_us(now_us, warn_left.max(0));
                (due, warn)
            }
        };
        Clock {
            running_since_us: Some(now_us),
            due_at_us: due,
            warn_at_us: warn,
            ..self
        }
    }

    /// The clock measured against a new target (the ticket's priority or
    /// queue changed), keeping the time already used.
    pub fn retarget(self, calendar: &Calendar, target_min: i64, now_us: i64) -> Clock {
        let running = self.is_running();
        let stopped = self.stop(calendar, now_us);
        let limit = target_min.saturating_mul(MINUTE_US);
        let breached = if stopped.used_us >= limit {
            // Already over the new target: breached when it was reached.
            stopped.due_at_us.or(Some(now_us))
        } else {
            None
        };
        let clock = Clock {
            target_min,
            due_at_us: breached,
            ..stopped
        };
        if running {
            clock.resume(calendar, now_us)
        } else {
            clock
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(zone: &str, text: &str) -> i64 {
        let dt: jiff::civil::DateTime = text.parse().unwrap();
        dt.to_zoned(TimeZone::get(zone).unwrap())
            .unwrap()
            .timestamp()
            .as_microsecond()
    }

    fn local(zone: &str, us: i64) -> String {
        Timestamp::from_microsecond(us)
            .unwrap()
            .to_zoned(TimeZone::get(zone).unwrap())
            .strftime("%Y-%m-%d %H:%M")
            .to_string()
    }

    fn office(zone: &str, holidays: &str) -> Calendar {
        let mut draft = Calendar::office_hours(zone).to_draft();
        draft.holidays = holidays.to_owned();
        validate_calendar(&draft).unwrap()
    }

    const STHLM: &str = "Europe/Stockholm";

    #[test]
    fn a_friday_evening_ticket_is_due_on_monday() {
        // Friday 2026-11-27 18:30, after closing; 4 business hours.
        let cal = office(STHLM, "");
        let start = at(STHLM, "2026-11-27T18:30");
        let due = cal.deadline(start, 240).unwrap();
        assert_eq!(local(STHLM, due), "2026-11-30 12:00");
        // Nothing of the weekend counts.
        assert_eq!(
            cal.business_minutes(start, at(STHLM, "2026-11-30T08:00")),
            0
        );
        assert_eq!(cal.business_minutes(start, due), 240);
    }

    #[test]
    fn a_deadline_spills_over_into_the_next_working_day() {
        let cal = office(STHLM, "");
        // Thursday 15:00 + 3 h: 2 h on Thursday, 1 h on Friday.
        let start = at(STHLM, "2026-11-26T15:00");
        assert_eq!(
            local(STHLM, cal.deadline(start, 180).unwrap()),
            "2026-11-27 09:00"
        );
        // Exactly the rest of the day ends at closing time, not next morning.
        assert_eq!(
            local(STHLM, cal.deadline(start, 120).unwrap()),
            "2026-11-26 17:00"
        );
        // Two full days (2 × 9 h) from Thursday morning end on Friday evening.
        let morning = at(STHLM, "2026-11-26T08:00");
        assert_eq!(
            local(STHLM, cal.deadline(morning, 18 * 60).unwrap()),
            "2026-11-27 17:00"
        );
    }

    #[test]
    fn a_holiday_in_between_is_skipped() {
        // Thursday 2026-12-24 and Friday 12-25 are holidays.
        let cal = office(STHLM, "2026-12-24, 2026-12-25");
        let start = at(STHLM, "2026-12-23T16:00");
        // 1 h on Wednesday, then Monday 12-28 from 08:00.
        assert_eq!(
            local(STHLM, cal.deadline(start, 120).unwrap()),
            "2026-12-28 09:00"
        );
        let end = at(STHLM, "2026-12-28T09:00");
        assert_eq!(cal.business_minutes(start, end), 120);
    }

    #[test]
    fn a_dst_change_counts_the_hours_on_the_wall() {
        // Round-the-clock hours: Sunday 2026-03-29 lasts 23 hours in
        // Stockholm (02:00 becomes 03:00), Sunday 2026-10-25 lasts 25.
        let mut draft = Calendar::office_hours(STHLM).to_draft();
        draft.hours = std::array::from_fn(|_| ("00:00".to_owned(), "24:00".to_owned()));
        let cal = validate_calendar(&draft).unwrap();
        let spring = at(STHLM, "2026-03-29T00:00");
        let next = at(STHLM, "2026-03-30T00:00");
        assert_eq!(cal.business_minutes(spring, next), 23 * 60);
        let autumn = at(STHLM, "2026-10-25T00:00");
        let after = at(STHLM, "2026-10-26T00:00");
        assert_eq!(cal.business_minutes(autumn, after), 25 * 60);
        // 3 business hours from 01:00 on the spring day end at 05:00 local.
        let start = at(STHLM, "2026-03-29T01:00");
        assert_eq!(
            local(STHLM, cal.deadline(start, 180).unwrap()),
            "2026-03-29 05:00"
        );
    }

    #[test]
    fn office_hours_keep_their_local_times_across_dst() {
        // Friday before the spring change and the Monday after: both
        // 08:00–17:00 local, though UTC offsets differ.
        let cal = office(STHLM, "");
        let start = at(STHLM, "2026-03-27T16:00");
        let due = cal.deadline(start, 120).unwrap();
        assert_eq!(local(STHLM, due), "2026-03-30 09:00");
        assert_eq!(cal.business_minutes(start, due), 120);
    }

    #[test]
    fn the_same_hours_in_another_zone_are_other_instants() {
        let utc = office("UTC", "");
        let ny = office("America/New_York", "");
        let start = at("UTC", "2026-11-30T12:00");
        // 12:00 UTC is 07:00 in New York, before opening.
        assert_eq!(
            local("UTC", utc.deadline(start, 60).unwrap()),
            "2026-11-30 13:00"
        );
        assert_eq!(
            local("America/New_York", ny.deadline(start, 60).unwrap()),
            "2026-11-30 09:00"
        );
    }

    #[test]
    fn business_time_backwards_or_empty_is_zero() {
        let cal = office("UTC", "");
        let a = at("UTC", "2026-11-30T10:00");
        assert_eq!(cal.business_us(a, a), 0);
        assert_eq!(cal.business_us(a, a - MINUTE_US), 0);
        assert_eq!(cal.add_business_us(a, 0), Some(a));
    }

    #[test]
    fn a_paused_clock_moves_its_deadline_by_the_time_it_stood_still() {
        let cal = office("UTC", "");
        let open = at("UTC", "2026-11-30T08:00"); // Monday
        let clock = Clock::start(&cal, 240, open);
        assert_eq!(local("UTC", clock.due_at_us.unwrap()), "2026-11-30 12:00");
        // At risk one business hour before the deadline (75 % < 80 %, so 80 %).
        assert_eq!(local("UTC", clock.warn_at_us.unwrap()), "2026-11-30 11:12");
        // Staff answer at 09:00 and wait on the customer until 14:00.
        let paused = clock.stop(&cal, at("UTC", "2026-11-30T09:00"));
        assert_eq!(paused.used_us, 60 * MINUTE_US);
        assert_eq!(paused.due_at_us, None);
        assert_eq!(paused.warn_at_us, None);
        let resumed = paused.resume(&cal, at("UTC", "2026-11-30T14:00"));
        assert_eq!(local("UTC", resumed.due_at_us.unwrap()), "2026-11-30 17:00");
        assert_eq!(
            resumed.remaining_us(&cal, at("UTC", "2026-11-30T16:00")),
            60 * MINUTE_US
        );
        assert!(!resumed.is_breached(at("UTC", "2026-11-30T16:59")));
        assert!(resumed.is_breached(at("UTC", "2026-11-30T17:00")));
    }

    #[test]
    fn a_breach_stays_a_breach_through_a_pause() {
        let cal = office("UTC", "");
        let open = at("UTC", "2026-11-30T08:00");
        let clock = Clock::start(&cal, 60, open);
        let stopped = clock.stop(&cal, at("UTC", "2026-11-30T10:00"));
        assert_eq!(local("UTC", stopped.due_at_us.unwrap()), "2026-11-30 09:00");
        let resumed = stopped.resume(&cal, at("UTC", "2026-12-01T10:00"));
        assert_eq!(resumed.due_at_us, stopped.due_at_us);
        assert_eq!(resumed.warn_at_us, None);
        assert!(resumed.remaining_us(&cal, at("UTC", "2026-12-01T10:00")) < 0);
    }

    #[test]
    fn a_new_target_keeps_the_time_used() {
        let cal = office("UTC", "");
        let open = at("UTC", "2026-11-30T08:00");
        let clock = Clock::start(&cal, 540, open);
        let urgent = clock.retarget(&cal, 120, at("UTC", "2026-11-30T09:00"));
        assert_eq!(local("UTC", urgent.due_at_us.unwrap()), "2026-11-30 10:00");
        let late = clock.retarget(&cal, 60, at("UTC", "2026-11-30T11:00"));
        assert!(late.is_breached(at("UTC", "2026-11-30T11:00")));
    }

    #[test]
    fn the_warning_comes_an_hour_before_or_at_80_percent() {
        assert_eq!(warn_minutes(480), 420);
        assert_eq!(warn_minutes(30), 24);
        assert_eq!(warn_minutes(60), 48);
    }

    #[test]
    fn bad_hours_name_their_field() {
        let mut draft = Calendar::office_hours("UTC").to_draft();
        draft.zone = "Mars/Olympus".into();
        draft.hours[0] = ("17:00".into(), "08:00".into());
        draft.hours[1] = ("8 o'clock".into(), "17:00".into());
        draft.hours[2] = ("08:00".into(), String::new());
        draft.holidays = "2026-12-24 christmas".into();
        let errors = validate_calendar(&draft).unwrap_err();
        assert_eq!(errors.for_field("zone"), Some("error-sla-zone"));
        assert_eq!(errors.for_field("mon_end"), Some("error-sla-hours-order"));
        assert_eq!(errors.for_field("tue_start"), Some("error-sla-time"));
        assert_eq!(errors.for_field("wed_end"), Some("error-required"));
        assert_eq!(errors.for_field("holidays"), Some("error-date"));
        let mut closed = Calendar::office_hours("UTC").to_draft();
        closed.hours = Default::default();
        let errors = validate_calendar(&closed).unwrap_err();
        assert_eq!(errors.for_field("hours"), Some("error-sla-no-hours"));
    }

    #[test]
    fn a_calendar_survives_its_own_text() {
        let cal = office(STHLM, "2026-12-25 2026-12-24");
        let again = validate_calendar(&cal.to_draft()).unwrap();
        assert_eq!(again.to_draft(), cal.to_draft());
        assert_eq!(again.to_draft().holidays, "2026-12-24 2026-12-25");
        assert_eq!(again.week()[0].unwrap().end_min(), 17 * 60);
    }

    #[test]
    fn targets_are_positive_minutes_and_the_names_known() {
        let bad = PolicyDraft {
            priority: "asap".into(),
            queue: "kitchen".into(),
            first_response_min: "0".into(),
            resolution_min: "-5".into(),
        };
        let errors = validate_policy(&bad).unwrap_err();
        assert_eq!(errors.for_field("priority"), Some("error-ticket-priority"));
        assert_eq!(errors.for_field("queue"), Some("error-ticket-queue"));
        assert_eq!(
            errors.for_field("first_response_min"),
            Some("error-sla-target")
        );
        assert_eq!(errors.for_field("resolution_min"), Some("error-sla-target"));
        let order = PolicyDraft {
            priority: "high".into(),
            queue: String::new(),
            first_response_min: "120".into(),
            resolution_min: "60".into(),
        };
        let errors = validate_policy(&order).unwrap_err();
        assert_eq!(
            errors.for_field("resolution_min"),
            Some("error-sla-target-order")
        );
    }

    #[test]
    fn a_queues_own_policy_wins_over_the_general_one() {
        let general = Policy {
            priority: Priority::High,
            queue: None,
            first_response_min: 60,
            resolution_min: 480,
        };
        let it = Policy {
            queue: Some(Queue::It),
            first_response_min: 30,
            ..general
        };
        let policies = [general, it];
        assert_eq!(pick_policy(&policies, Priority::High, Queue::It), Some(it));
        assert_eq!(
            pick_policy(&policies, Priority::High, Queue::Accounting),
            Some(general)
        );
        assert_eq!(pick_policy(&policies, Priority::Low, Queue::It), None);
    }
}
