//! HR: employees and their confidential fields, effective-dated employment
//! contracts, departments and positions, the reporting line (no cycles),
//! and leave: working days between two dates without weekends and public
//! holidays, monthly accrual of a yearly entitlement, pro rata for the
//! months employed.
//!
//! Leave is counted in half days (`half_days`), so a half day needs no
//! fractions: 25 days are 50 half days.

use std::collections::{BTreeSet, HashMap};
use std::str::FromStr;

use crate::FieldErrors;
use crate::ledger::{Date, parse_amount, parse_currency};
use crate::party::{normalize_email, normalize_phone};

/// Longest name, title, street or note, in characters.
pub const TEXT_MAX: usize = 200;
/// Longest leave note or decision note, in characters.
pub const NOTE_MAX: usize = 1_000;
/// The number series of employees (`EMP-000042`).
pub const NUMBER_SERIES: &str = "EMP";
/// The longest leave request, in calendar days: a longer absence is not a
/// leave request but a change of contract.
pub const LEAVE_SPAN_DAYS_MAX: i64 = 366;
/// The most hours a contract may state per week.
pub const HOURS_PER_WEEK_MAX_X100: i64 = 80_00;
/// A month counts towards accrual when the employee is employed on this day of it.
pub const ACCRUAL_DAY: i8 = 15;

/// `EMP-000042`: the employee number of the series' 42nd value.
pub fn employee_number(value: i64) -> String {
    format!("{NUMBER_SERIES}-{value:06}")
}

fn text(errors: &mut FieldErrors, field: &str, value: &str, required: bool, max: usize) -> String {
    let value = value.trim();
    if required && value.is_empty() {
        errors.add(field, "error-required");
    } else if value.chars().count() > max {
        errors.add(field, "error-too-long");
    }
    value.to_owned()
}

fn optional_date(errors: &mut FieldErrors, field: &str, value: &str) -> Option<Date> {
    match value.trim() {
        "" => None,
        v => {
            let date = Date::parse(v);
            if date.is_none() {
                errors.add(field, "error-date");
            }
            date
        }
    }
}

fn required_date(errors: &mut FieldErrors, field: &str, value: &str) -> Option<Date> {
    if value.trim().is_empty() {
        errors.add(field, "error-required");
        return None;
    }
    optional_date(errors, field, value)
}

/// Reads an IBAN in print (`DE44 5001 …`) or electronic form and returns
/// the electronic form; the country's length and format and the check
/// digits are verified by `iban_validate`.
///
/// Errors: `error-iban`.
pub fn normalize_iban(text: &str) -> Result<String, &'static str> {
    let compact: String = text
        .chars()
        .filter(|c| !c.is_whitespace())
        .flat_map(char::to_uppercase)
        .collect();
    use iban::IbanLike;
    iban::Iban::from_str(&compact)
        .map(|iban| iban.electronic_str().to_owned())
        .map_err(|_| "error-iban")
}

/// An IBAN as shown to those who may not see it whole: the last four characters.
pub fn masked_iban(iban: &str) -> String {
    let tail: String = iban
        .chars()
        .rev()
        .take(4)
        .collect::<Vec<_>>()
        .into_iter()
        .rev()
        .collect();
    format!("•••• {tail}")
}

/// Contact data the employee may edit themself.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ContactDraft {
    pub personal_email: String,
    pub personal_phone: String,
    pub street: String,
    pub postal_code: String,
    pub city: String,
    /// ISO 3166-1 alpha-2.
    pub country: String,
}

/// Contact data that passed [`validate_contact`].
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ValidContact {
    pub personal_email: Option<String>,
    pub personal_phone: Option<String>,
    pub street: String,
    pub postal_code: String,
    pub city: String,
    pub country: Option<String>,
}

/// Checks personal contact data: a reachable e-mail and phone when given, a
/// two-letter country.
pub fn validate_contact(draft: &ContactDraft) -> Result<ValidContact, FieldErrors> {
    let mut errors = FieldErrors::new();
    let contact = contact_fields(&mut errors, draft);
    errors.into_result(contact)
}

fn contact_fields(errors: &mut FieldErrors, draft: &ContactDraft) -> ValidContact {
    let personal_email = match draft.personal_email.trim() {
        "" => None,
        e => {
            let normal = normalize_email(e);
            if normal.is_none() {
                errors.add("personal_email", "error-email");
            }
            normal
        }
    };
    let personal_phone = match draft.personal_phone.trim() {
        "" => None,
        p => {
            let normal = normalize_phone(p);
            if normal.is_none() {
                errors.add("personal_phone", "error-phone");
            }
            normal
        }
    };
    let country = match draft.country.trim() {
        "" => None,
        c => {
            let c = c.to_ascii_uppercase();
            if c.len() == 2 && c.bytes().all(|b| b.is_ascii_uppercase()) {
                Some(c)
            } else {
                errors.add("country", "error-country");
                None
            }
        }
    };
    ValidContact {
        personal_email,
        personal_phone,
        street: text(errors, "street", &draft.street, false, TEXT_MAX),
        postal_code: text(errors, "postal_code", &draft.postal_code, false, 20),
        city: text(errors, "city", &draft.city, false, TEXT_MAX),
        country,
    }
}

/// An employee's record as typed (HR's form, the API, the CLI).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct EmployeeDraft {
    pub name: String,
    pub work_email: String,
    /// `YYYY-MM-DD`, may be empty.
    pub birth_date: String,
    pub contact: ContactDraft,
    /// Confidential.
    pub national_id: String,
    /// Confidential; print or electronic form.
    pub iban: String,
}

/// An employee's record that passed [`validate_employee`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidEmployee {
    pub name: String,
    pub work_email: Option<String>,
    pub birth_date: Option<Date>,
    pub contact: ValidContact,
    pub national_id: Option<String>,
    /// Electronic form, checked.
    pub iban: Option<String>,
}

/// Checks an employee: a name, e-mail addresses and phone that can be
/// reached, a birth date in the past (`today`), a valid IBAN.
pub fn validate_employee(draft: &EmployeeDraft, today: Date) -> Result<ValidEmployee, FieldErrors> {
    let mut errors = FieldErrors::new();
    let name = text(&mut errors, "name", &draft.name, true, TEXT_MAX);
    let work_email = match draft.work_email.trim() {
        "" => None,
        e => {
            let normal = normalize_email(e);
            if normal.is_none() {
                errors.add("work_email", "error-email");
            }
            normal
        }
    };
    let birth_date = optional_date(&mut errors, "birth_date", &draft.birth_date);
    if birth_date.is_some_and(|b| b >= today) {
        errors.add("birth_date", "error-birth-date-future");
    }
    let contact = contact_fields(&mut errors, &draft.contact);
    let national_id = match text(&mut errors, "national_id", &draft.national_id, false, 40) {
        id if id.is_empty() => None,
        id => Some(id),
    };
    let iban = match draft.iban.trim() {
        "" => None,
        i => match normalize_iban(i) {
            Ok(iban) => Some(iban),
            Err(code) => {
                errors.add("iban", code);
                None
            }
        },
    };
    errors.into_result(ValidEmployee {
        name,
        work_email,
        birth_date,
        contact,
        national_id,
        iban,
    })
}

/// Someone to call when something happens to the employee.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct EmergencyContactDraft {
    pub name: String,
    pub relation: String,
    pub phone: String,
}

/// An emergency contact that passed [`validate_emergency_contact`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidEmergencyContact {
    pub name: String,
    pub relation: String,
    pub phone: String,
}

/// Checks an emergency contact: a name and a phone number.
pub fn validate_emergency_contact(
    draft: &EmergencyContactDraft,
) -> Result<ValidEmergencyContact, FieldErrors> {
    let mut errors = FieldErrors::new();
    let name = text(&mut errors, "contact_name", &draft.name, true, TEXT_MAX);
    let relation = text(&mut errors, "relation", &draft.relation, false, TEXT_MAX);
    let phone = match draft.phone.trim() {
        "" => {
            errors.add("contact_phone", "error-required");
            String::new()
        }
        p => normalize_phone(p).unwrap_or_else(|| {
            errors.add("contact_phone", "error-phone");
            String::new()
        }),
    };
    errors.into_result(ValidEmergencyContact {
        name,
        relation,
        phone,
    })
}

/// What a salary amount is per.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SalaryPeriod {
    Hour,
    Month,
    Year,
}

impl SalaryPeriod {
    pub const ALL: [SalaryPeriod; 3] =
        [SalaryPeriod::Month, SalaryPeriod::Year, SalaryPeriod::Hour];

    pub fn name(self) -> &'static str {
        match self {
            SalaryPeriod::Hour => "hour",
            SalaryPeriod::Month => "month",
            SalaryPeriod::Year => "year",
        }
    }

    pub fn parse(s: &str) -> Option<SalaryPeriod> {
        SalaryPeriod::ALL.into_iter().find(|p| p.name() == s.trim())
    }
}

/// An employment contract as typed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ContractDraft {
    /// `YYYY-MM-DD`, the first day of the contract.
    pub start_date: String,
    /// `YYYY-MM-DD`, the last day; empty for an open-ended contract.
    pub end_date: String,
    pub position_id: Option<i64>,
    pub department_id: Option<i64>,
    /// Another employee.
    pub manager_id: Option<i64>,
    /// Percent of full time, `1`–`100`.
    pub working_time_pct: String,
    /// `40`, `37.5`.
    pub hours_per_week: String,
    /// The gross salary as typed (`4200`, `4 200,50`).
    pub salary: String,
    pub currency: String,
    /// `month`, `year` or `hour`.
    pub salary_period: String,
}

/// A contract that passed [`validate_contract`]. The references (position,
/// department, manager) are checked to exist by the app, which alone sees them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidContract {
    pub start: Date,
    pub end: Option<Date>,
    pub position_id: Option<i64>,
    pub department_id: Option<i64>,
    pub manager_id: Option<i64>,
    pub working_time_pct: i64,
    pub hours_per_week_x100: i64,
    pub salary_minor: i64,
    pub currency: String,
    pub salary_period: SalaryPeriod,
}

/// Reads `37.5` or `37,5` as hundredths (`3750`); at most two decimals.
fn parse_hundredths(text: &str) -> Option<i64> {
    let text = text.trim();
    let (whole, fraction) = text.split_once(['.', ',']).unwrap_or((text, ""));
    let ok = !whole.is_empty()
        && whole.len() <= 6
        && fraction.len() <= 2
        && whole
            .chars()
            .chain(fraction.chars())
            .all(|c| c.is_ascii_digit());
    if !ok {
        return None;
    }
    let whole: i64 = whole.parse().ok()?;
    let fraction: i64 = if fraction.is_empty() {
        0
    } else {
        format!("{fraction:0<2}").parse().ok()?
    };
    Some(whole * 100 + fraction)
}

/// Checks a contract: a start, an end not before it, a working time of
/// 1–100 % and 0–80 hours a week, a salary that is not negative, exact in
/// its currency's minor units, and a period. `employee_id` is the contract's
/// own employee, who cannot be their own manager.
pub fn validate_contract(
    draft: &ContractDraft,
    employee_id: Option<i64>,
) -> Result<ValidContract, FieldErrors> {
    let mut errors = FieldErrors::new();
    let start = required_date(&mut errors, "start_date", &draft.start_date);
    let end = optional_date(&mut errors, "end_date", &draft.end_date);
    if let (Some(s), Some(e)) = (start, end)
        && e < s
    {
        errors.add("end_date", "error-end-before-start");
    }
    if employee_id.is_some() && draft.manager_id == employee_id {
        errors.add("manager_id", "error-manager-self");
    }
    let working_time_pct = match draft.working_time_pct.trim() {
        "" => 100,
        t => match t.parse::<i64>() {
            Ok(p) if (1..=100).contains(&p) => p,
            _ => {
                errors.add("working_time_pct", "error-working-time");
                0
            }
        },
    };
    let hours_per_week_x100 = match parse_hundredths(&draft.hours_per_week) {
        Some(h) if h > 0 && h <= HOURS_PER_WEEK_MAX_X100 => h,
        _ => {
            errors.add("hours_per_week", "error-hours-per-week");
            0
        }
    };
    let currency = parse_currency(&draft.currency).unwrap_or_else(|| {
        errors.add("currency", "error-currency");
        String::new()
    });
    let salary_minor = salary_minor(&mut errors, &draft.salary, &currency);
    let salary_period = SalaryPeriod::parse(&draft.salary_period).unwrap_or_else(|| {
        errors.add("salary_period", "error-salary-period");
        SalaryPeriod::Month
    });
    match (start, errors.is_empty()) {
        (Some(start), true) => Ok(ValidContract {
            start,
            end,
            position_id: draft.position_id,
            department_id: draft.department_id,
            manager_id: draft.manager_id,
            working_time_pct,
            hours_per_week_x100,
            salary_minor,
            currency,
            salary_period,
        }),
        _ => Err(errors),
    }
}

fn salary_minor(errors: &mut FieldErrors, text: &str, currency: &str) -> i64 {
    let text = text.trim();
    if text.is_empty() {
        errors.add("salary", "error-required");
        return 0;
    }
    if text.starts_with('-') {
        errors.add("salary", "error-salary-negative");
        return 0;
    }
    if currency.is_empty() {
        return 0;
    }
    parse_amount(text, currency).unwrap_or_else(|code| {
        errors.add("salary", code);
        0
    })
}

/// True when the closed-or-open intervals `[a_start, a_end]` and
/// `[b_start, b_end]` share a day (`None` is open-ended).
pub fn periods_overlap(
    a_start: Date,
    a_end: Option<Date>,
    b_start: Date,
    b_end: Option<Date>,
) -> bool {
    let a_before_b_ends = b_end.is_none_or(|e| a_start <= e);
    let b_before_a_ends = a_end.is_none_or(|e| b_start <= e);
    a_before_b_ends && b_before_a_ends
}

/// True when making `manager_id` the manager of `employee_id` closes a
/// loop: walking up from the new manager through `managers` (employee →
/// their manager) reaches the employee. The walk stops after as many steps
/// as there are employees, so a loop already in the data cannot hang it.
pub fn closes_cycle(employee_id: i64, manager_id: i64, managers: &HashMap<i64, i64>) -> bool {
    let mut current = manager_id;
    for _ in 0..=managers.len() {
        if current == employee_id {
            return true;
        }
        match managers.get(&current) {
            Some(next) => current = *next,
            None => return false,
        }
    }
    true
}

/// A department as typed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DepartmentDraft {
    pub name: String,
    pub parent_id: Option<i64>,
}

/// Checks a department: a name.
pub fn validate_department(draft: &DepartmentDraft) -> Result<String, FieldErrors> {
    let mut errors = FieldErrors::new();
    let name = text(&mut errors, "name", &draft.name, true, TEXT_MAX);
    errors.into_result(name)
}

/// Checks a position's title.
pub fn validate_position(title: &str) -> Result<String, FieldErrors> {
    let mut errors = FieldErrors::new();
    let title = text(&mut errors, "title", title, true, TEXT_MAX);
    errors.into_result(title)
}

// --------------------------------------------------------------------- leave

/// Where a leave request stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum LeaveState {
    Pending,
    Approved,
    Rejected,
    Cancelled,
}

impl LeaveState {
    pub const ALL: [LeaveState; 4] = [
        LeaveState::Pending,
        LeaveState::Approved,
        LeaveState::Rejected,
        LeaveState::Cancelled,
    ];

    pub fn name(self) -> &'static str {
        match self {
            LeaveState::Pending => "pending",
            LeaveState::Approved => "approved",
            LeaveState::Rejected => "rejected",
            LeaveState::Cancelled => "cancelled",
        }
    }

    pub fn parse(s: &str) -> Option<LeaveState> {
        LeaveState::ALL.into_iter().find(|x| x.name() == s)
    }

    /// Pending and approved requests hold their days: they count against
    /// the balance and block an overlapping request.
    pub fn holds_days(self) -> bool {
        matches!(self, LeaveState::Pending | LeaveState::Approved)
    }
}

/// A decision on a pending request; anything else is `error-leave-state`.
pub fn check_decision(from: LeaveState) -> Result<(), &'static str> {
    if from == LeaveState::Pending {
        Ok(())
    } else {
        Err("error-leave-state")
    }
}

/// A leave request as typed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LeaveRequestDraft {
    pub leave_type_id: Option<i64>,
    pub start_date: String,
    pub end_date: String,
    /// A half day: only for a request of one day.
    pub half_day: bool,
    pub note: String,
}

/// A leave request that passed [`validate_leave_request`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidLeaveRequest {
    pub leave_type_id: i64,
    pub start: Date,
    pub end: Date,
    pub half_day: bool,
    pub note: String,
}

/// Checks a request: a type, a start and an end in the same calendar year
/// (entitlements are yearly), the end not before the start, a half day
/// only on a one-day request.
pub fn validate_leave_request(draft: &LeaveRequestDraft) -> Result<ValidLeaveRequest, FieldErrors> {
    let mut errors = FieldErrors::new();
    if draft.leave_type_id.is_none() {
        errors.add("leave_type_id", "error-required");
    }
    let start = required_date(&mut errors, "start_date", &draft.start_date);
    let end = match draft.end_date.trim() {
        "" => start,
        _ => required_date(&mut errors, "end_date", &draft.end_date),
    };
    if let (Some(s), Some(e)) = (start, end) {
        if e < s {
            errors.add("end_date", "error-end-before-start");
        } else if e.year != s.year {
            errors.add("end_date", "error-leave-year");
        } else if draft.half_day && e != s {
            errors.add("half_day", "error-half-day-one-day");
        }
    }
    let note = text(&mut errors, "note", &draft.note, false, NOTE_MAX);
    match (draft.leave_type_id, start, end, errors.is_empty()) {
        (Some(leave_type_id), Some(start), Some(end), true) => Ok(ValidLeaveRequest {
            leave_type_id,
            start,
            end,
            half_day: draft.half_day,
            note,
        }),
        _ => Err(errors),
    }
}

fn civil(date: Date) -> Option<jiff::civil::Date> {
    jiff::civil::Date::new(date.year, date.month, date.day).ok()
}

fn of_civil(date: jiff::civil::Date) -> Date {
    Date {
        year: date.year(),
        month: date.month(),
        day: date.day(),
    }
}

/// True on Saturdays and Sundays.
pub fn is_weekend(date: Date) -> bool {
    civil(date).is_some_and(|d| {
        matches!(
            d.weekday(),
            jiff::civil::Weekday::Saturday | jiff::civil::Weekday::Sunday
        )
    })
}

/// Every date from `start` to `end`, both included; empty when `end` is
/// before `start`. At most [`LEAVE_SPAN_DAYS_MAX`] + 31 dates.
pub fn days(start: Date, end: Date) -> Vec<Date> {
    let (Some(mut day), Some(last)) = (civil(start), civil(end)) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    while day <= last && out.len() < (LEAVE_SPAN_DAYS_MAX + 31) as usize {
        out.push(of_civil(day));
        match day.tomorrow() {
            Ok(next) => day = next,
            Err(_) => break,
        }
    }
    out
}

/// The working days from `start` to `end` (both included), in half days:
/// weekends and `holidays` do not count; a half-day request of one working
/// day counts one.
pub fn working_half_days(start: Date, end: Date, half_day: bool, holidays: &BTreeSet<Date>) -> i64 {
    let working = days(start, end)
        .into_iter()
        .filter(|d| !is_weekend(*d) && !holidays.contains(d))
        .count() as i64;
    if half_day && working > 0 {
        1
    } else {
        working * 2
    }
}

/// How much of a yearly entitlement (`yearly_half_days` for a full year)
/// has accrued by `as_of`: one twelfth for each month of `as_of`'s year up
/// to and including `as_of`'s month in which the employee is employed on
/// the [`ACCRUAL_DAY`] (by any of `employed`, each a contract's first and
/// last day), rounded down to a half day. A start on 1 July therefore
/// accrues six twelfths by December.
pub fn accrued_half_days(
    yearly_half_days: i64,
    employed: &[(Date, Option<Date>)],
    as_of: Date,
) -> i64 {
    let months = (1..=as_of.month)
        .filter(|month| {
            let day = Date {
                year: as_of.year,
                month: *month,
                day: ACCRUAL_DAY,
            };
            employed
                .iter()
                .any(|(start, end)| *start <= day && end.is_none_or(|e| day <= e))
        })
        .count() as i64;
    yearly_half_days.max(0) * months / 12
}

/// Reads a number of days (`25`, `12.5`, `12,5`) as half days; only whole
/// and half days.
///
/// Errors: `error-days`.
pub fn parse_days(text: &str) -> Result<i64, &'static str> {
    match parse_hundredths(text) {
        Some(h) if h % 50 == 0 && h <= 366 * 100 => Ok(h / 50),
        _ => Err("error-days"),
    }
}

/// Half days written as days: `12.5`, `25`, `-1.5`.
pub fn format_days(half_days: i64) -> String {
    let sign = if half_days < 0 { "-" } else { "" };
    let abs = half_days.abs();
    if abs % 2 == 0 {
        format!("{sign}{}", abs / 2)
    } else {
        format!("{sign}{}.5", abs / 2)
    }
}

/// A public holiday as typed.
pub fn validate_holiday(date: &str, name: &str) -> Result<(Date, String), FieldErrors> {
    let mut errors = FieldErrors::new();
    let date = required_date(&mut errors, "date", date);
    let name = text(&mut errors, "name", name, true, TEXT_MAX);
    match (date, errors.is_empty()) {
        (Some(date), true) => Ok((date, name)),
        _ => Err(errors),
    }
}

/// A leave type as typed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LeaveTypeDraft {
    /// `annual`, `sick`: lower-case letters, digits and `-`.
    pub code: String,
    pub name: String,
    /// Requests must fit in the yearly entitlement (annual leave); without,
    /// any number of days may be taken (sick leave, unpaid leave).
    pub needs_entitlement: bool,
}

/// Checks a leave type: a code and a name.
pub fn validate_leave_type(draft: &LeaveTypeDraft) -> Result<(String, String), FieldErrors> {
    let mut errors = FieldErrors::new();
    let code = draft.code.trim().to_ascii_lowercase();
    let code_ok = !code.is_empty()
        && code.len() <= 40
        && code
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-');
    if !code_ok {
        errors.add("code", "error-code");
    }
    let name = text(&mut errors, "name", &draft.name, true, TEXT_MAX);
    errors.into_result((code, name))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(text: &str) -> Date {
        Date::parse(text).unwrap()
    }

    fn contract(start: &str, end: &str) -> ContractDraft {
        ContractDraft {
            start_date: start.into(),
            end_date: end.into(),
            working_time_pct: "100".into(),
            hours_per_week: "40".into(),
            salary: "4200".into(),
            currency: "EUR".into(),
            salary_period: "month".into(),
            ..ContractDraft::default()
        }
    }

    #[test]
    fn ibans_are_checked_by_country_format_and_check_digits() {
        assert_eq!(
            normalize_iban("de44 5001 0517 5407 3249 31"),
            Ok("DE44500105175407324931".to_owned())
        );
        assert_eq!(normalize_iban("DE45500105175407324931"), Err("error-iban"));
        assert_eq!(
            normalize_iban("SE35 5000 0000 0549 1000 0003"),
            Ok("SE3550000000054910000003".to_owned())
        );
        assert_eq!(normalize_iban("hello"), Err("error-iban"));
        assert_eq!(masked_iban("DE44500105175407324931"), "•••• 4931");
    }

    #[test]
    fn an_employee_needs_a_name_and_valid_contact_data() {
        let draft = EmployeeDraft {
            name: " ".into(),
            work_email: "nope".into(),
            birth_date: "2030-01-01".into(),
            iban: "DE00 1234".into(),
            ..EmployeeDraft::default()
        };
        let errors = validate_employee(&draft, d("2026-05-01")).unwrap_err();
        assert_eq!(errors.for_field("name"), Some("error-required"));
        assert_eq!(errors.for_field("work_email"), Some("error-email"));
        assert_eq!(
            errors.for_field("birth_date"),
            Some("error-birth-date-future")
        );
        assert_eq!(errors.for_field("iban"), Some("error-iban"));
    }

    #[test]
    fn a_contract_refuses_an_end_before_its_start_and_a_negative_salary() {
        let mut draft = contract("2026-05-01", "2026-04-30");
        draft.salary = "-10".into();
        let errors = validate_contract(&draft, Some(1)).unwrap_err();
        assert_eq!(errors.for_field("end_date"), Some("error-end-before-start"));
        assert_eq!(errors.for_field("salary"), Some("error-salary-negative"));
        let mut own = contract("2026-05-01", "");
        own.manager_id = Some(1);
        let errors = validate_contract(&own, Some(1)).unwrap_err();
        assert_eq!(errors.for_field("manager_id"), Some("error-manager-self"));
        let ok = validate_contract(&contract("2026-05-01", ""), Some(1)).unwrap();
        assert_eq!(ok.salary_minor, 420_000);
        assert_eq!(ok.hours_per_week_x100, 4_000);
    }

    #[test]
    fn a_contract_reads_part_time_hours_with_decimals() {
        let mut draft = contract("2026-01-01", "");
        draft.hours_per_week = "37,5".into();
        draft.working_time_pct = "80".into();
        let ok = validate_contract(&draft, None).unwrap();
        assert_eq!(ok.hours_per_week_x100, 3_750);
        assert_eq!(ok.working_time_pct, 80);
        draft.working_time_pct = "120".into();
        draft.hours_per_week = "81".into();
        let errors = validate_contract(&draft, None).unwrap_err();
        assert_eq!(
            errors.for_field("working_time_pct"),
            Some("error-working-time")
        );
        assert_eq!(
            errors.for_field("hours_per_week"),
            Some("error-hours-per-week")
        );
    }

    #[test]
    fn periods_overlap_when_they_share_a_day() {
        let a = (d("2026-01-01"), Some(d("2026-06-30")));
        assert!(periods_overlap(a.0, a.1, d("2026-06-30"), None));
        assert!(!periods_overlap(a.0, a.1, d("2026-07-01"), None));
        assert!(periods_overlap(
            d("2026-07-01"),
            None,
            d("2027-01-01"),
            None
        ));
    }

    #[test]
    fn a_manager_chain_that_leads_back_is_a_cycle() {
        // 3 reports to 2, 2 reports to 1.
        let managers = HashMap::from([(3, 2), (2, 1)]);
        assert!(closes_cycle(1, 3, &managers), "1 under 3 would loop");
        assert!(!closes_cycle(4, 3, &managers));
        let looped = HashMap::from([(1, 2), (2, 1)]);
        assert!(
            closes_cycle(9, 1, &looped),
            "a loop in the data stops the walk"
        );
    }

    #[test]
    fn working_days_skip_weekends_and_holidays() {
        let none = BTreeSet::new();
        // Monday 4 May to Sunday 10 May 2026: five working days.
        assert_eq!(
            working_half_days(d("2026-05-04"), d("2026-05-10"), false, &none),
            10
        );
        // Ascension Day, Thursday 14 May 2026, is a holiday.
        let holidays = BTreeSet::from([d("2026-05-14")]);
        assert_eq!(
            working_half_days(d("2026-05-11"), d("2026-05-15"), false, &holidays),
            8
        );
        // A half day on a Monday; nothing on a Saturday.
        assert_eq!(
            working_half_days(d("2026-05-04"), d("2026-05-04"), true, &none),
            1
        );
        assert_eq!(
            working_half_days(d("2026-05-09"), d("2026-05-09"), true, &none),
            0
        );
    }

    #[test]
    fn accrual_is_a_twelfth_per_month_rounded_down_to_a_half_day() {
        let full_year = [(d("2020-03-01"), None)];
        // 25 days a year: January gives 50/12 = 4 half days (2 days).
        assert_eq!(accrued_half_days(50, &full_year, d("2026-01-31")), 4);
        assert_eq!(accrued_half_days(50, &full_year, d("2026-06-01")), 25);
        assert_eq!(accrued_half_days(50, &full_year, d("2026-12-31")), 50);
    }

    #[test]
    fn a_mid_year_start_accrues_pro_rata() {
        // Started 1 July: six months of 25 days is 12.5 days by December.
        let july = [(d("2026-07-01"), None)];
        assert_eq!(accrued_half_days(50, &july, d("2026-06-30")), 0);
        assert_eq!(accrued_half_days(50, &july, d("2026-07-01")), 4);
        assert_eq!(accrued_half_days(50, &july, d("2026-12-31")), 25);
        // Started 16 March: March does not count (not employed on the 15th).
        let march = [(d("2026-03-16"), None)];
        assert_eq!(accrued_half_days(50, &march, d("2026-12-31")), 37);
        // Left on 30 April: four months.
        let left = [(d("2025-01-01"), Some(d("2026-04-30")))];
        assert_eq!(accrued_half_days(50, &left, d("2026-12-31")), 16);
    }

    #[test]
    fn leave_requests_are_checked() {
        let draft = LeaveRequestDraft {
            leave_type_id: Some(1),
            start_date: "2026-05-08".into(),
            end_date: "2026-05-04".into(),
            ..LeaveRequestDraft::default()
        };
        let errors = validate_leave_request(&draft).unwrap_err();
        assert_eq!(errors.for_field("end_date"), Some("error-end-before-start"));
        let across = LeaveRequestDraft {
            end_date: "2027-01-04".into(),
            ..draft.clone()
        };
        assert_eq!(
            validate_leave_request(&across)
                .unwrap_err()
                .for_field("end_date"),
            Some("error-leave-year")
        );
        let half = LeaveRequestDraft {
            start_date: "2026-05-04".into(),
            end_date: "2026-05-05".into(),
            half_day: true,
            ..draft
        };
        assert_eq!(
            validate_leave_request(&half)
                .unwrap_err()
                .for_field("half_day"),
            Some("error-half-day-one-day")
        );
    }

    #[test]
    fn days_are_read_and_written_in_halves() {
        assert_eq!(parse_days("25"), Ok(50));
        assert_eq!(parse_days("12,5"), Ok(25));
        assert_eq!(parse_days("1.25"), Err("error-days"));
        assert_eq!(format_days(25), "12.5");
        assert_eq!(format_days(-3), "-1.5");
        assert_eq!(employee_number(42), "EMP-000042");
    }
}
