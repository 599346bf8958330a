//! IT support's rules: the hardware asset register and its status
//! lifecycle, software licences and their seats, and the checklists that
//! carry a hire or a leaver through HR, IT and payroll.

use crate::FieldErrors;
use crate::ledger::{Date, parse_amount, parse_currency};

/// Longest model, serial number, location, product or note, in characters.
pub const TEXT_MAX: usize = 200;
/// The number series of asset tags (`IT-000042`).
pub const TAG_SERIES: &str = "IT";
/// A licence expiring within this many days is flagged.
pub const EXPIRY_WARNING_DAYS: i64 = 30;
/// The most seats one licence may have.
pub const SEATS_MAX: i64 = 1_000_000;

/// `IT-000042`: the asset tag of the series' 42nd value.
pub fn asset_tag(value: i64) -> String {
    format!("{TAG_SERIES}-{value:06}")
}

/// Where an asset is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AssetStatus {
    InStock,
    Assigned,
    InRepair,
    Retired,
}

impl AssetStatus {
    pub const ALL: [AssetStatus; 4] = [
        AssetStatus::InStock,
        AssetStatus::Assigned,
        AssetStatus::InRepair,
        AssetStatus::Retired,
    ];

    pub fn name(self) -> &'static str {
        match self {
            AssetStatus::InStock => "in-stock",
            AssetStatus::Assigned => "assigned",
            AssetStatus::InRepair => "in-repair",
            AssetStatus::Retired => "retired",
        }
    }

    pub fn parse(name: &str) -> Option<AssetStatus> {
        AssetStatus::ALL
            .into_iter()
            .find(|s| s.name() == name.trim())
    }

    /// Whether an asset may move from this status to `next`. A retired
    /// asset stays retired; an assigned one goes back to stock (returned)
    /// or to repair before it is handed to someone else.
    pub fn may_become(self, next: AssetStatus) -> bool {
        use AssetStatus::*;
        matches!(
            (self, next),
            (InStock, Assigned)
                | (InStock, InRepair)
                | (InStock, Retired)
                | (Assigned, InStock)
                | (Assigned, InRepair)
                | (InRepair, InStock)
                | (InRepair, Retired)
        )
    }
}

/// The kinds of hardware the register knows.
pub const ASSET_KINDS: [&str; 6] = ["laptop", "desktop", "monitor", "phone", "tablet", "other"];

/// An asset as typed into a form.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AssetDraft {
    pub kind: String,
    pub model: String,
    pub serial_number: String,
    pub purchase_date: String,
    pub cost: String,
    pub currency: String,
    pub location: String,
}

/// An asset that passed [`validate_asset`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidAsset {
    pub kind: String,
    pub model: String,
    pub serial_number: String,
    pub purchase_date: Option<Date>,
    pub cost_minor: i64,
    pub currency: String,
    pub location: String,
}

fn text(errors: &mut FieldErrors, field: &str, value: &str, required: bool) -> String {
    let value = value.trim();
    if required && value.is_empty() {
        errors.add(field, "error-required");
    } else if value.chars().count() > TEXT_MAX {
        errors.add(field, "error-too-long");
    }
    value.to_owned()
}

fn money(errors: &mut FieldErrors, text: &str, currency: &str) -> i64 {
    let text = text.trim();
    if text.is_empty() {
        return 0;
    }
    if text.starts_with('-') {
        errors.add("cost", "error-cost-negative");
        return 0;
    }
    if currency.is_empty() {
        return 0;
    }
    parse_amount(text, currency).unwrap_or_else(|code| {
        errors.add("cost", code);
        0
    })
}

fn currency(errors: &mut FieldErrors, text: &str) -> String {
    parse_currency(text).unwrap_or_else(|| {
        errors.add("currency", "error-currency");
        String::new()
    })
}

fn optional_date(errors: &mut FieldErrors, field: &str, value: &str) -> Option<Date> {
    match value.trim() {
        "" => None,
        v => Date::parse(v).or_else(|| {
            errors.add(field, "error-date");
            None
        }),
    }
}

/// Checks an asset; a purchase date after `today` is refused.
///
/// Errors name `kind` (`error-asset-kind`), `model`, `serial_number`,
/// `purchase_date` (`error-date`, `error-date-future`), `cost`
/// (`error-cost-negative`, amount errors), `currency` or `location`.
pub fn validate_asset(draft: &AssetDraft, today: Date) -> Result<ValidAsset, FieldErrors> {
    let mut errors = FieldErrors::new();
    let kind = draft.kind.trim().to_ascii_lowercase();
    if !ASSET_KINDS.contains(&kind.as_str()) {
        errors.add("kind", "error-asset-kind");
    }
    let model = text(&mut errors, "model", &draft.model, true);
    let serial_number = text(&mut errors, "serial_number", &draft.serial_number, true);
    let purchase_date = optional_date(&mut errors, "purchase_date", &draft.purchase_date);
    if purchase_date.is_some_and(|d| d > today) {
        errors.add("purchase_date", "error-date-future");
    }
    let currency = currency(&mut errors, &draft.currency);
    let cost_minor = money(&mut errors, &draft.cost, &currency);
    let location = text(&mut errors, "location", &draft.location, false);
    errors.into_result(ValidAsset {
        kind,
        model,
        serial_number,
        purchase_date,
        cost_minor,
        currency,
        location,
    })
}

/// A licence as typed into a form.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LicenceDraft {
    pub product: String,
    pub vendor: String,
    pub seats: String,
    pub expires_on: String,
    pub cost: String,
    pub currency: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidLicence {
    pub product: String,
    pub vendor: String,
    pub seats: i64,
    pub expires_on: Option<Date>,
    pub cost_minor: i64,
    pub currency: String,
}

/// Checks a licence.
///
/// Errors name `product`, `vendor`, `seats` (`error-seats`), `expires_on`,
/// `cost` or `currency`.
pub fn validate_licence(draft: &LicenceDraft) -> Result<ValidLicence, FieldErrors> {
    let mut errors = FieldErrors::new();
    let product = text(&mut errors, "product", &draft.product, true);
    let vendor = text(&mut errors, "vendor", &draft.vendor, false);
    let seats = match draft.seats.trim().parse::<i64>() {
        Ok(n) if (0..=SEATS_MAX).contains(&n) => n,
        _ => {
            errors.add("seats", "error-seats");
            0
        }
    };
    let expires_on = optional_date(&mut errors, "expires_on", &draft.expires_on);
    let currency = currency(&mut errors, &draft.currency);
    let cost_minor = money(&mut errors, &draft.cost, &currency);
    errors.into_result(ValidLicence {
        product,
        vendor,
        seats,
        expires_on,
        cost_minor,
        currency,
    })
}

/// What a licence needs attention for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct LicenceWarnings {
    /// More seats are assigned than bought (the seat count was lowered).
    pub over_allocated: bool,
    /// It expires within [`EXPIRY_WARNING_DAYS`] of today (or has expired).
    pub expiring: bool,
    pub expired: bool,
}

/// Days from `from` to `to` (negative when `to` is earlier).
pub fn days_between(from: Date, to: Date) -> Option<i64> {
    let a = jiff::civil::Date::new(from.year, from.month, from.day).ok()?;
    let b = jiff::civil::Date::new(to.year, to.month, to.day).ok()?;
    let span = a.until((jiff::Unit::Day, b)).ok()?;
    Some(i64::from(span.get_days()))
}

/// `date` moved by `days` (negative for earlier).
pub fn add_days(date: Date, days: i64) -> Option<Date> {
    let d = jiff::civil::Date::new(date.year, date.month, date.day).ok()?;
    let moved = d.checked_add(jiff::Span::new().try_days(days).ok()?).ok()?;
    Some(Date {
        year: moved.year(),
        month: moved.month(),
        day: moved.day(),
    })
}

pub fn licence_warnings(
    seats: i64,
    assigned: i64,
    expires_on: Option<Date>,
    today: Date,
) -> LicenceWarnings {
    let left = expires_on.and_then(|e| days_between(today, e));
    LicenceWarnings {
        over_allocated: assigned > seats,
        expiring: left.is_some_and(|d| (0..=EXPIRY_WARNING_DAYS).contains(&d)),
        expired: left.is_some_and(|d| d < 0),
    }
}

/// Whether one more seat may be assigned: never beyond the seats bought.
pub fn seat_available(seats: i64, assigned: i64) -> bool {
    assigned < seats
}

/// The team a checklist task waits with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Team {
    Hr,
    It,
    Payroll,
}

impl Team {
    pub const ALL: [Team; 3] = [Team::Hr, Team::It, Team::Payroll];

    pub fn name(self) -> &'static str {
        match self {
            Team::Hr => "hr",
            Team::It => "it",
            Team::Payroll => "payroll",
        }
    }

    pub fn parse(name: &str) -> Option<Team> {
        Team::ALL.into_iter().find(|t| t.name() == name.trim())
    }
}

/// Onboarding when someone is hired, offboarding when they leave.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChecklistKind {
    Onboarding,
    Offboarding,
}

impl ChecklistKind {
    pub fn name(self) -> &'static str {
        match self {
            ChecklistKind::Onboarding => "onboarding",
            ChecklistKind::Offboarding => "offboarding",
        }
    }

    pub fn parse(name: &str) -> Option<ChecklistKind> {
        match name.trim() {
            "onboarding" => Some(ChecklistKind::Onboarding),
            "offboarding" => Some(ChecklistKind::Offboarding),
            _ => None,
        }
    }
}

/// One step of a checklist. Each is done by its team; completing some
/// does the work itself (a login created, a laptop assigned, seats freed).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Task {
    /// HR: the signed contract is on file.
    ContractSigned,
    /// HR: the new hire's documents (id, tax forms) are on file.
    Documents,
    /// IT: a Seam login with the position's roles.
    Login,
    /// IT: a laptop from stock handed over.
    Laptop,
    /// IT: licence seats assigned.
    Licences,
    /// Payroll: the payroll record from the start date.
    PayrollRecord,
    /// IT: the login disabled, its sessions ended and tokens revoked.
    AccessRevoked,
    /// IT: every asset the leaver held is back in stock.
    AssetsReturned,
    /// IT: the leaver's licence seats are free again.
    SeatsFreed,
    /// Payroll: the last period is paid with a final payslip.
    FinalPayslip,
    /// HR: exit interview and leaving documents.
    ExitInterview,
}

impl Task {
    pub const ONBOARDING: [Task; 6] = [
        Task::ContractSigned,
        Task::Documents,
        Task::Login,
        Task::Laptop,
        Task::Licences,
        Task::PayrollRecord,
    ];
    pub const OFFBOARDING: [Task; 5] = [
        Task::AccessRevoked,
        Task::AssetsReturned,
        Task::SeatsFreed,
        Task::FinalPayslip,
        Task::ExitInterview,
    ];

    pub fn of(kind: ChecklistKind) -> &'static [Task] {
        match kind {
            ChecklistKind::Onboarding => &Task::ONBOARDING,
            ChecklistKind::Offboarding => &Task::OFFBOARDING,
        }
    }

    pub fn code(self) -> &'static str {
        match self {
            Task::ContractSigned => "contract-signed",
            Task::Documents => "documents",
            Task::Login => "login",
            Task::Laptop => "laptop",
            Task::Licences => "licences",
            Task::PayrollRecord => "payroll-record",
            Task::AccessRevoked => "access-revoked",
            Task::AssetsReturned => "assets-returned",
            Task::SeatsFreed => "seats-freed",
            Task::FinalPayslip => "final-payslip",
            Task::ExitInterview => "exit-interview",
        }
    }

    pub fn parse(code: &str) -> Option<Task> {
        Task::ONBOARDING
            .into_iter()
            .chain(Task::OFFBOARDING)
            .find(|t| t.code() == code.trim())
    }

    pub fn team(self) -> Team {
        match self {
            Task::ContractSigned | Task::Documents | Task::ExitInterview => Team::Hr,
            Task::PayrollRecord | Task::FinalPayslip => Team::Payroll,
            _ => Team::It,
        }
    }

    /// When the task is due, from the checklist's date (the first working
    /// day for onboarding, the last for offboarding): IT prepares the
    /// login and the laptop the day before someone starts; a leaver's
    /// final payslip and returns may follow a few days after they go.
    pub fn due(self, date: Date) -> Date {
        let shift = match self {
            Task::Login | Task::Laptop | Task::Licences => -1,
            Task::FinalPayslip => 7,
            Task::AssetsReturned => 1,
            _ => 0,
        };
        add_days(date, shift).unwrap_or(date)
    }
}

/// Reads the comma-separated roles a position gives its holders' logins.
/// Portal and admin are never given by a position.
///
/// Errors: `login_roles` with `error-position-role`.
pub fn parse_position_roles(text: &str) -> Result<Vec<crate::access::Role>, FieldErrors> {
    use crate::access::Role;
    let mut roles = Vec::new();
    for name in text.split(',').map(str::trim).filter(|n| !n.is_empty()) {
        match Role::parse(name) {
            Some(role) if role != Role::Portal && role != Role::Admin => {
                if !roles.contains(&role) {
                    roles.push(role);
                }
            }
            _ => return Err(FieldErrors::one("login_roles", "error-position-role")),
        }
    }
    Ok(roles)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(text: &str) -> Date {
        Date::parse(text).unwrap()
    }

    #[test]
    fn lifecycle_goes_through_stock_and_never_leaves_retirement() {
        use AssetStatus::*;
        assert!(InStock.may_become(Assigned));
        assert!(Assigned.may_become(InStock));
        assert!(Assigned.may_become(InRepair));
        assert!(InRepair.may_become(Retired));
        assert!(
            !Assigned.may_become(Retired),
            "returned before it is retired"
        );
        assert!(!Assigned.may_become(Assigned), "handed on through stock");
        for next in AssetStatus::ALL {
            assert!(!Retired.may_become(next));
        }
    }

    #[test]
    fn an_asset_needs_a_known_kind_a_model_a_serial_and_no_negative_cost() {
        let today = date("2026-12-04");
        let errors = validate_asset(
            &AssetDraft {
                kind: "toaster".into(),
                cost: "-5".into(),
                currency: "EUR".into(),
                purchase_date: "2027-01-01".into(),
                ..AssetDraft::default()
            },
            today,
        )
        .unwrap_err();
        assert_eq!(errors.for_field("kind"), Some("error-asset-kind"));
        assert_eq!(errors.for_field("model"), Some("error-required"));
        assert_eq!(errors.for_field("serial_number"), Some("error-required"));
        assert_eq!(errors.for_field("cost"), Some("error-cost-negative"));
        assert_eq!(errors.for_field("purchase_date"), Some("error-date-future"));
        let ok = validate_asset(
            &AssetDraft {
                kind: "Laptop".into(),
                model: "ThinkPad T14".into(),
                serial_number: " PF-123 ".into(),
                purchase_date: "2026-03-01".into(),
                cost: "1249.90".into(),
                currency: "eur".into(),
                location: "HQ".into(),
            },
            today,
        )
        .unwrap();
        assert_eq!(ok.kind, "laptop");
        assert_eq!(ok.serial_number, "PF-123");
        assert_eq!(ok.cost_minor, 124_990);
        assert_eq!(ok.currency, "EUR");
    }

    #[test]
    fn licences_warn_when_over_allocated_or_expiring_within_thirty_days() {
        let today = date("2026-12-04");
        let w = licence_warnings(5, 6, Some(date("2027-01-03")), today);
        assert!(w.over_allocated && w.expiring && !w.expired);
        let w = licence_warnings(5, 5, Some(date("2027-01-04")), today);
        assert_eq!(
            w,
            LicenceWarnings::default(),
            "31 days out is not yet flagged"
        );
        let w = licence_warnings(5, 0, Some(date("2026-12-03")), today);
        assert!(w.expired && !w.expiring);
        assert_eq!(days_between(today, date("2027-01-03")), Some(30));
        assert_eq!(days_between(today, date("2026-12-01")), Some(-3));
        assert!(seat_available(5, 4));
        assert!(!seat_available(5, 5));
        assert!(!seat_available(0, 0));
    }

    #[test]
    fn seats_are_a_whole_number_in_range() {
        for bad in ["", "-1", "2.5", "many", "1000001"] {
            let errors = validate_licence(&LicenceDraft {
                product: "Office".into(),
                seats: bad.into(),
                currency: "EUR".into(),
                ..LicenceDraft::default()
            })
            .unwrap_err();
            assert_eq!(errors.for_field("seats"), Some("error-seats"), "{bad}");
        }
    }

    #[test]
    fn tasks_belong_to_teams_and_fall_due_around_the_date() {
        let start = date("2027-01-04");
        assert_eq!(Task::Laptop.team(), Team::It);
        assert_eq!(Task::PayrollRecord.team(), Team::Payroll);
        assert_eq!(Task::Documents.team(), Team::Hr);
        assert_eq!(Task::Laptop.due(start), date("2027-01-03"));
        assert_eq!(Task::ContractSigned.due(start), start);
        assert_eq!(
            Task::FinalPayslip.due(date("2026-12-31")),
            date("2027-01-07")
        );
        for task in Task::ONBOARDING.into_iter().chain(Task::OFFBOARDING) {
            assert_eq!(Task::parse(task.code()), Some(task));
        }
    }

    #[test]
    fn a_position_gives_staff_roles_only() {
        use crate::access::Role;
        assert_eq!(
            parse_position_roles("sales, service,sales").unwrap(),
            vec![Role::Sales, Role::Service]
        );
        assert!(parse_position_roles("").unwrap().is_empty());
        for bad in ["admin", "portal", "wizard"] {
            assert_eq!(
                parse_position_roles(bad)
                    .unwrap_err()
                    .for_field("login_roles"),
                Some("error-position-role")
            );
        }
    }
}
