//! The demo's IT: the roles each position's login gets, a register of
//! laptops, monitors and phones (most handed out, some in stock, one in
//! repair, one retired), licences (one close to expiry, one renewed with
//! fewer seats than are held, so both warnings show), and a hire starting
//! next month whose onboarding tasks wait with IT and payroll. Everything
//! goes through the IT and onboarding use cases.

use jiff::ToSpan;
use jiff::civil::Date;
use seam_domain::hr::{ContractDraft, EmployeeDraft};
use seam_domain::it::{AssetDraft, LicenceDraft};

use crate::hr::{self, NewEmployee};
use crate::it::{self, AssetMove};
use crate::onboarding::{self, Completion, Hire};
use crate::{Actor, App, AppResult};

/// Position title, the roles its login gets.
const POSITION_ROLES: &[(&str, &str)] = &[
    ("Managing Director", "manager"),
    ("Sales Manager", "sales,manager"),
    ("Account Executive", "sales"),
    ("Accountant", "accountant"),
    ("HR Officer", "hr"),
    ("IT Support Specialist", "it"),
    ("Warehouse Lead", "warehouse"),
    ("Office Assistant", "receptionist"),
];

/// kind, model, serial, months since purchase, cost, holder (employee name) or status.
#[rustfmt::skip]
const ASSETS: &[(&str, &str, &str, i64, &str, &str)] = &[
    ("laptop", "Lenovo ThinkPad T14 Gen 5", "PF-4K2X9A", 20, "1349.00", "Thomas Keller"),
    ("laptop", "Lenovo ThinkPad T14 Gen 5", "PF-4K2X9B", 20, "1349.00", "Lukas Novak"),
    ("laptop", "Dell Latitude 7450", "DL-7450-118", 14, "1289.00", "Sofia Romano"),
    ("laptop", "Dell Latitude 7450", "DL-7450-119", 14, "1289.00", "Ingrid Larsen"),
    ("laptop", "Apple MacBook Air 13", "C02ZK1MBA", 10, "1199.00", "Paula Fischer"),
    ("laptop", "Lenovo ThinkPad X1 Carbon", "PF-X1C-771", 8, "1799.00", "Mikael Virtanen"),
    ("laptop", "Dell Latitude 7450", "DL-7450-120", 3, "1289.00", "in-stock"),
    ("laptop", "Dell Latitude 7450", "DL-7450-121", 3, "1289.00", "in-stock"),
    ("laptop", "Lenovo ThinkPad T480", "PF-T480-002", 60, "1099.00", "retired"),
    ("monitor", "Dell P2723QE 27\"", "CN-0P27-5521", 12, "429.00", "Sofia Romano"),
    ("monitor", "Dell P2723QE 27\"", "CN-0P27-5522", 12, "429.00", "in-stock"),
    ("phone", "Fairphone 5", "FP5-88213", 9, "699.00", "Lukas Novak"),
    ("phone", "Fairphone 5", "FP5-88214", 9, "699.00", "in-repair"),
];

/// A demo licence: bought with `seats`, renewed with `renewed`.
struct DemoLicence {
    product: &'static str,
    vendor: &'static str,
    seats: i64,
    renewed: i64,
    days_to_expiry: i64,
    yearly_cost: &'static str,
    holders: &'static [&'static str],
}

#[rustfmt::skip]
const LICENCES: &[DemoLicence] = &[
    DemoLicence { product: "Office suite", vendor: "Microsoft", seats: 10, renewed: 10, days_to_expiry: 240, yearly_cost: "1320.00", holders: &["Thomas Keller", "Lukas Novak", "Sofia Romano", "Ingrid Larsen", "Paula Fischer", "Mikael Virtanen"] },
    DemoLicence { product: "Design studio", vendor: "Adobe", seats: 2, renewed: 2, days_to_expiry: 20, yearly_cost: "720.00", holders: &["Sofia Romano"] },
    DemoLicence { product: "VPN client", vendor: "WireGuard Pro", seats: 3, renewed: 2, days_to_expiry: 400, yearly_cost: "90.00", holders: &["Lukas Novak", "Sofia Romano", "Mikael Virtanen"] },
];

fn iso(d: Date) -> String {
    format!("{:04}-{:02}-{:02}", d.year(), d.month(), d.day())
}

/// Fills IT once: nothing is added when the register has assets.
pub(super) async fn create_it(app: &App, actor: &Actor, today: Date) -> AppResult<()> {
    if !it::assets(app, actor, &Default::default(), None)
        .await?
        .is_empty()
    {
        return Ok(());
    }
    let positions = hr::positions(app, actor).await?;
    for (title, roles) in POSITION_ROLES {
        if let Some(p) = positions.iter().find(|p| p.title == *title) {
            it::set_position_roles(app, actor, p.id, roles).await?;
        }
    }
    let people = hr::list_employees(app, actor, &Default::default()).await?;
    let id_of = |name: &str| people.iter().find(|e| e.name == name).map(|e| e.id);
    for (kind, model, serial, months, cost, holder) in ASSETS {
        let bought = today.checked_sub(months.months()).unwrap_or(today);
        let draft = AssetDraft {
            kind: (*kind).into(),
            model: (*model).into(),
            serial_number: (*serial).into(),
            purchase_date: iso(bought),
            cost: (*cost).into(),
            currency: "EUR".into(),
            location: "Hamburg office".into(),
        };
        let (id, _) = it::create_asset(app, actor, &draft).await?;
        let moves: &[&str] = match *holder {
            "in-stock" => &[],
            "retired" => &["in-repair", "retired"],
            "in-repair" => &["in-repair"],
            _ => &["assigned"],
        };
        for status in moves {
            let to = AssetMove {
                status: (*status).into(),
                employee_id: id_of(holder),
                location: String::new(),
            };
            it::move_asset(app, actor, id, &to).await?;
        }
    }
    for l in LICENCES {
        let expires = today.checked_add(l.days_to_expiry.days()).unwrap_or(today);
        let mut draft = LicenceDraft {
            product: l.product.into(),
            vendor: l.vendor.into(),
            seats: l.seats.to_string(),
            expires_on: iso(expires),
            cost: l.yearly_cost.into(),
            currency: "EUR".into(),
        };
        let id = it::create_licence(app, actor, &draft).await?;
        for holder in l.holders {
            if let Some(employee) = id_of(holder) {
                it::assign_seat(app, actor, id, employee).await?;
            }
        }
        if l.renewed != l.seats {
            draft.seats = l.renewed.to_string();
            let version = it::licence(app, actor, id).await?.licence.row.version;
            it::update_licence(app, actor, id, version, &draft).await?;
        }
    }
    create_hire(app, actor, today, &positions).await
}

/// Jonas Weber starts on the first of next month as an account executive,
/// reporting to the sales manager: HR has the signed contract; IT and
/// payroll have their tasks open.
async fn create_hire(
    app: &App,
    actor: &Actor,
    today: Date,
    positions: &[seam_store::hr::PositionRow],
) -> AppResult<()> {
    let start = today
        .first_of_month()
        .checked_add(1.month())
        .unwrap_or(today);
    let people = hr::list_employees(app, actor, &Default::default()).await?;
    let hire = Hire {
        employee: NewEmployee {
            employee: EmployeeDraft {
                name: "Jonas Weber".into(),
                work_email: format!("jonas.weber@{}", super::STAFF_MAIL_DOMAIN),
                national_id: "WEB-0412".into(),
                iban: "DE91 1000 0000 0123 4567 89".into(),
                ..EmployeeDraft::default()
            },
            username: String::new(),
        },
        contract: ContractDraft {
            start_date: iso(start),
            position_id: positions
                .iter()
                .find(|p| p.title == "Account Executive")
                .map(|p| p.id),
            department_id: positions
                .iter()
                .find(|p| p.title == "Account Executive")
                .and_then(|p| p.department_id),
            manager_id: people
                .iter()
                .find(|e| e.name == "Lukas Novak")
                .map(|e| e.id),
            working_time_pct: "100".into(),
            hours_per_week: "40".into(),
            salary: "4200".into(),
            currency: "EUR".into(),
            salary_period: "month".into(),
            ..ContractDraft::default()
        },
    };
    let (id, _) = onboarding::hire(app, actor, &hire).await?;
    let tasks = onboarding::tasks_of(app, actor, id).await?;
    if let Some(signed) = tasks.iter().find(|t| t.code == "contract-signed") {
        let done = Completion {
            note: "Signed copy in the personnel file".into(),
            ..Completion::default()
        };
        onboarding::complete(app, actor, signed.id, &done).await?;
    }
    Ok(())
}
