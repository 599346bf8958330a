//! The demo's HR: six departments, eight positions and eight employees
//! with contracts and managers (the managing director at the top), most
//! linked to their demo logins (the `employee` login is Sofia Romano, for
//! self-service), annual leave of 25 days (one newcomer pro rata), public
//! holidays, some leave (approved, pending and sick) and one access request
//! waiting for the manager. Everything goes through the HR use cases;
//! decisions are taken by the manager's login.

use jiff::ToSpan;
use jiff::civil::Date;
use seam_domain::hr::{ContractDraft, DepartmentDraft, EmployeeDraft, LeaveRequestDraft};

use crate::hr::{self, NewEmployee, leave};
use crate::{Actor, App, AppResult, auth, users};

/// name, department, parent department index.
const DEPARTMENTS: &[(&str, Option<usize>)] = &[
    ("Management", None),
    ("Sales", Some(0)),
    ("Finance", Some(0)),
    ("People", Some(0)),
    ("IT", Some(0)),
    ("Operations", Some(0)),
];

/// title, department index.
const POSITIONS: &[(&str, usize)] = &[
    ("Managing Director", 0),
    ("Sales Manager", 1),
    ("Account Executive", 1),
    ("Accountant", 2),
    ("HR Officer", 3),
    ("IT Support Specialist", 4),
    ("Warehouse Lead", 5),
    ("Office Assistant", 5),
];

struct DemoEmployee {
    name: &'static str,
    email_local: &'static str,
    login: &'static str,
    position: usize,
    /// Index into this table of the manager.
    manager: Option<usize>,
    /// Years before this one the contract started; `None` for this year's newcomer.
    since_years: Option<i16>,
    salary: &'static str,
    working_time: &'static str,
    hours: &'static str,
    iban: &'static str,
    city: &'static str,
}

#[rustfmt::skip]
const EMPLOYEES: &[DemoEmployee] = &[
    DemoEmployee { name: "Thomas Keller", email_local: "thomas.keller", login: "manager", position: 0, manager: None, since_years: Some(8), salary: "9200", working_time: "100", hours: "40", iban: "DE89 3704 0044 0532 0130 00", city: "Hamburg" },
    DemoEmployee { name: "Lukas Novak", email_local: "lukas.novak", login: "sales", position: 1, manager: Some(0), since_years: Some(5), salary: "6100", working_time: "100", hours: "40", iban: "DE02 1203 0000 0000 2020 51", city: "Hamburg" },
    DemoEmployee { name: "Sofia Romano", email_local: "sofia.romano", login: "employee", position: 2, manager: Some(0), since_years: Some(2), salary: "4300", working_time: "100", hours: "40", iban: "IT60 X054 2811 1010 0000 0123 456", city: "Hamburg" },
    DemoEmployee { name: "Ingrid Larsen", email_local: "ingrid.larsen", login: "accountant", position: 3, manager: Some(0), since_years: Some(6), salary: "5600", working_time: "80", hours: "32", iban: "NO93 8601 1117 947", city: "Lübeck" },
    DemoEmployee { name: "Paula Fischer", email_local: "paula.fischer", login: "hr-officer", position: 4, manager: Some(0), since_years: Some(4), salary: "5200", working_time: "100", hours: "40", iban: "DE75 5121 0800 1245 1261 99", city: "Hamburg" },
    DemoEmployee { name: "Mikael Virtanen", email_local: "mikael.virtanen", login: "it-support", position: 5, manager: Some(0), since_years: Some(3), salary: "5400", working_time: "100", hours: "40", iban: "FI21 1234 5600 0007 85", city: "Hamburg" },
    DemoEmployee { name: "Piotr Zieliński", email_local: "piotr.zielinski", login: "warehouse", position: 6, manager: Some(0), since_years: Some(7), salary: "4100", working_time: "100", hours: "40", iban: "PL61 1090 1014 0000 0712 1981 2874", city: "Norderstedt" },
    DemoEmployee { name: "Anna Schmidt", email_local: "anna.schmidt", login: "", position: 7, manager: Some(6), since_years: None, salary: "2900", working_time: "75", hours: "30", iban: "", city: "Hamburg" },
];

fn iso(d: Date) -> String {
    format!("{:04}-{:02}-{:02}", d.year(), d.month(), d.day())
}

/// The Monday on or after `d`.
fn monday_from(d: Date) -> Date {
    let offset = (8 - i64::from(d.weekday().to_monday_one_offset())) % 7;
    d.checked_add(offset.days()).unwrap_or(d)
}

fn contract(
    start: &str,
    manager: Option<i64>,
    department: i64,
    position: i64,
    e: &DemoEmployee,
) -> ContractDraft {
    ContractDraft {
        start_date: start.into(),
        end_date: String::new(),
        position_id: Some(position),
        department_id: Some(department),
        manager_id: manager,
        working_time_pct: e.working_time.into(),
        hours_per_week: e.hours.into(),
        salary: e.salary.into(),
        currency: "EUR".into(),
        salary_period: "month".into(),
    }
}

async fn login_actor(app: &App, actor: &Actor, username: &str) -> AppResult<Actor> {
    let row = users::user_by_username(app, actor, username).await?;
    Ok(auth::actor_from_user(&row, None))
}

/// Fills HR once: nothing is added when employees exist.
pub(super) async fn create_hr(app: &App, actor: &Actor, today: Date) -> AppResult<()> {
    if seam_store::hr::employee_count(&app.db).await? > 0 {
        return Ok(());
    }
    let mut departments = Vec::new();
    for (name, parent) in DEPARTMENTS {
        let draft = DepartmentDraft {
            name: (*name).into(),
            parent_id: parent.and_then(|p| departments.get(p).copied()),
        };
        departments.push(hr::create_department(app, actor, &draft).await?);
    }
    let mut positions = Vec::new();
    for (title, department) in POSITIONS {
        let id =
            hr::create_position(app, actor, title, departments.get(*department).copied()).await?;
        positions.push((id, departments.get(*department).copied().unwrap_or(0)));
    }
    let year = today.year();
    let newcomer_start = Date::new(year, today.month(), 1)
        .ok()
        .and_then(|d| d.checked_sub(3.months()).ok())
        .filter(|d| d.year() == year)
        .unwrap_or_else(|| Date::new(year, 1, 1).unwrap_or(today));
    let annual = leave::leave_types(app, actor)
        .await?
        .into_iter()
        .find(|t| t.code == "annual")
        .map(|t| t.id);
    let mut ids: Vec<i64> = Vec::new();
    for e in EMPLOYEES {
        let input = NewEmployee {
            employee: EmployeeDraft {
                name: e.name.into(),
                work_email: format!("{}@{}", e.email_local, super::STAFF_MAIL_DOMAIN),
                iban: e.iban.into(),
                national_id: format!(
                    "{}-{:04}",
                    e.email_local
                        .chars()
                        .take(2)
                        .collect::<String>()
                        .to_uppercase(),
                    ids.len() * 137 + 1001
                ),
                contact: seam_domain::hr::ContactDraft {
                    city: e.city.into(),
                    country: "DE".into(),
                    ..Default::default()
                },
                ..EmployeeDraft::default()
            },
            username: e.login.into(),
        };
        let (id, _) = hr::create_employee(app, actor, &input).await?;
        let start = match e.since_years {
            Some(y) => format!("{:04}-{:02}-01", year - y, (ids.len() % 9) + 1),
            None => iso(newcomer_start),
        };
        let (position, department) = positions.get(e.position).copied().unwrap_or((0, 0));
        let manager = e.manager.and_then(|m| ids.get(m).copied());
        hr::add_contract(
            app,
            actor,
            id,
            &contract(&start, manager, department, position, e),
        )
        .await?;
        if let Some(annual) = annual {
            for y in [year, year + 1] {
                leave::set_entitlement(app, actor, id, annual, i64::from(y), "25").await?;
            }
        }
        ids.push(id);
    }
    for y in [year, year + 1] {
        for (month, day, name) in [
            (1, 1, "New Year's Day"),
            (5, 1, "Labour Day"),
            (10, 3, "Day of German Unity"),
            (12, 25, "Christmas Day"),
            (12, 26, "Boxing Day"),
        ] {
            leave::add_holiday(app, actor, &format!("{y:04}-{month:02}-{day:02}"), name).await?;
        }
    }
    create_leave(app, actor, today, &ids).await?;
    create_access_request(app, actor).await
}

/// One access request waiting for a decision: Sofia Romano (the `employee`
/// login) asks her manager, Thomas Keller (the `manager` login), for the
/// sales role.
async fn create_access_request(app: &App, actor: &Actor) -> AppResult<()> {
    let sofia = login_actor(app, actor, "employee").await?;
    let draft = crate::access_requests::AccessRequestDraft {
        kind: "role".into(),
        role: "sales".into(),
        system: String::new(),
        reason: "I cover the sales desk's customer calls while Lukas is on leave.".into(),
    };
    crate::access_requests::request_access(app, &sofia, &draft).await?;
    Ok(())
}

async fn create_leave(app: &App, actor: &Actor, today: Date, ids: &[i64]) -> AppResult<()> {
    let types = leave::leave_types(app, actor).await?;
    let type_of = |code: &str| types.iter().find(|t| t.code == code).map(|t| t.id);
    let (Some(annual), Some(sick)) = (type_of("annual"), type_of("sick")) else {
        return Ok(());
    };
    let manager = login_actor(app, actor, "manager").await?;
    let at = |weeks: i64, days: i64| {
        monday_from(today)
            .checked_add((weeks * 7 + days).days())
            .map(iso)
            .unwrap_or_default()
    };
    let same_year = |a: &str, b: &str| a.get(..4) == b.get(..4);
    // employee index, type, start, end, decision (Some(true) approve, Some(false) reject).
    let plan: Vec<(usize, i64, String, String, Option<bool>)> = vec![
        (2, annual, at(2, 0), at(2, 4), Some(true)),
        (2, annual, at(6, 2), at(6, 2), None),
        (1, annual, at(3, 0), at(3, 2), None),
        (6, sick, at(-1, 0), at(-1, 1), Some(true)),
        (4, annual, at(4, 0), at(4, 4), Some(true)),
        (5, annual, at(2, 2), at(2, 3), Some(false)),
    ];
    for (who, leave_type, start, end, decision) in plan {
        let Some(employee) = ids.get(who).copied() else {
            continue;
        };
        if start.is_empty() || !same_year(&start, &end) {
            continue;
        }
        let draft = LeaveRequestDraft {
            leave_type_id: Some(leave_type),
            start_date: start,
            end_date: end,
            half_day: false,
            note: String::new(),
        };
        // A request the calendar refuses (a holiday week, not accrued yet) is left out.
        let Ok(id) = leave::request_leave(app, actor, Some(employee), &draft).await else {
            continue;
        };
        if let Some(approve) = decision {
            leave::decide(app, &manager, id, approve, "").await?;
        }
    }
    Ok(())
}
