//! `seam employee …` and `seam leave …`: HR from the console. Add, list and
//! show employees, add contracts, link logins, set entitlements, add
//! departments and positions; request, approve, reject and list leave, show
//! balances, keep the public holidays. The console acts as `cli` with every
//! permission, so it sees the confidential fields.

use std::process::ExitCode;

use clap::Subcommand;
use seam_app::hr::leave::{self, RequestFilter};
use seam_app::hr::{self, NewEmployee};
use seam_app::{Actor, App, AppError};
use seam_domain::FieldErrors;
use seam_domain::hr::{
    ContactDraft, ContractDraft, DepartmentDraft, EmployeeDraft, LeaveRequestDraft, format_days,
};
use seam_domain::ledger::{Date, format_amount};

use crate::output::{out, table, with_option_names};

#[derive(Debug, Subcommand)]
pub enum EmployeeCommand {
    /// Add an employee and print their number (EMP-000001).
    Add {
        #[command(flatten)]
        person: PersonArgs,
    },
    /// List employees with their current position, department and manager.
    List {
        /// Text to find in the name, number or work e-mail.
        #[arg(long, value_name = "TEXT")]
        search: Option<String>,
        #[arg(long, value_name = "DEPARTMENT_ID")]
        department: Option<i64>,
    },
    /// Show an employee: record, contracts (with salary) and balances.
    Show { id: i64 },
    /// Add an employment contract. An open-ended contract that started
    /// earlier ends the day before this one starts.
    Contract {
        id: i64,
        #[command(flatten)]
        terms: ContractArgs,
    },
    /// Hire: the employee, their first contract and the onboarding
    /// checklist (HR, IT and payroll tasks) at once; prints id and number.
    Hire {
        // Boxed: a hire carries a person and a contract, the largest variant by far.
        #[command(flatten)]
        person: Box<PersonArgs>,
        #[command(flatten)]
        terms: Box<ContractArgs>,
    },
    /// Offboard on the last working day: contract and payroll end that day;
    /// when it has come the login, its sessions and tokens, and the licence
    /// seats go at once. Prints the checklist.
    Offboard {
        id: i64,
        /// YYYY-MM-DD.
        #[arg(long, value_name = "DATE")]
        last_day: String,
    },
    /// Link an employee to a staff login (empty to unlink), for self-service.
    Link {
        id: i64,
        #[arg(long, value_name = "USERNAME")]
        login: String,
    },
    /// Set a yearly leave entitlement (whole or half days for a full year).
    Entitlement {
        id: i64,
        /// The leave type's code, e.g. annual.
        #[arg(long = "type", value_name = "CODE")]
        leave_type: String,
        #[arg(long)]
        year: i64,
        #[arg(long)]
        days: String,
    },
    /// Add a department.
    Department {
        #[arg(long)]
        name: String,
        #[arg(long, value_name = "DEPARTMENT_ID")]
        parent: Option<i64>,
    },
    /// Add a position (job title).
    Position {
        #[arg(long)]
        title: String,
        #[arg(long, value_name = "DEPARTMENT_ID")]
        department: Option<i64>,
    },
}

/// Who an employee is (adding or hiring them).
#[derive(Debug, clap::Args)]
pub struct PersonArgs {
    #[arg(long)]
    name: String,
    #[arg(long, value_name = "EMAIL")]
    work_email: Option<String>,
    /// YYYY-MM-DD.
    #[arg(long, value_name = "DATE")]
    birth_date: Option<String>,
    #[arg(long, value_name = "EMAIL")]
    personal_email: Option<String>,
    #[arg(long, value_name = "PHONE")]
    personal_phone: Option<String>,
    #[arg(long)]
    street: Option<String>,
    #[arg(long, value_name = "CODE")]
    postal_code: Option<String>,
    #[arg(long)]
    city: Option<String>,
    /// Two letters, e.g. DE.
    #[arg(long)]
    country: Option<String>,
    #[arg(long, value_name = "ID")]
    national_id: Option<String>,
    /// The bank account, checked (print or electronic form).
    #[arg(long)]
    iban: Option<String>,
    /// An existing staff login to link (username).
    #[arg(long, value_name = "USERNAME")]
    login: Option<String>,
}

impl PersonArgs {
    fn input(self) -> NewEmployee {
        NewEmployee {
            employee: EmployeeDraft {
                name: self.name,
                work_email: o(self.work_email),
                birth_date: o(self.birth_date),
                contact: ContactDraft {
                    personal_email: o(self.personal_email),
                    personal_phone: o(self.personal_phone),
                    street: o(self.street),
                    postal_code: o(self.postal_code),
                    city: o(self.city),
                    country: o(self.country),
                },
                national_id: o(self.national_id),
                iban: o(self.iban),
            },
            username: o(self.login),
        }
    }
}

/// The terms of a contract.
#[derive(Debug, clap::Args)]
pub struct ContractArgs {
    /// The first day, YYYY-MM-DD.
    #[arg(long, value_name = "DATE")]
    start: String,
    /// The last day, YYYY-MM-DD; leave out for an open-ended contract.
    #[arg(long, value_name = "DATE")]
    end: Option<String>,
    #[arg(long, value_name = "POSITION_ID")]
    position: Option<i64>,
    #[arg(long, value_name = "DEPARTMENT_ID")]
    department: Option<i64>,
    /// The manager's employee id.
    #[arg(long, value_name = "EMPLOYEE_ID")]
    manager: Option<i64>,
    /// Percent of full time, 1-100.
    #[arg(long, value_name = "PCT", default_value = "100")]
    working_time: String,
    /// Hours per week, e.g. 40 or 37.5.
    #[arg(long, value_name = "HOURS")]
    hours: String,
    /// Gross salary, e.g. 4200.00.
    // A negative amount reaches the use case, which names the option.
    #[arg(long, allow_hyphen_values = true)]
    salary: String,
    /// Three letters, e.g. EUR.
    #[arg(long)]
    currency: String,
    /// month, year or hour.
    #[arg(long, value_name = "PERIOD", default_value = "month")]
    per: String,
}

impl ContractArgs {
    fn draft(self) -> ContractDraft {
        ContractDraft {
            start_date: self.start,
            end_date: o(self.end),
            position_id: self.position,
            department_id: self.department,
            manager_id: self.manager,
            working_time_pct: self.working_time,
            hours_per_week: self.hours,
            salary: self.salary,
            currency: self.currency,
            salary_period: self.per,
        }
    }
}

#[derive(Debug, Subcommand)]
pub enum LeaveCommand {
    /// Request leave for an employee and print the request's id.
    Request {
        /// The employee's id.
        #[arg(long, value_name = "EMPLOYEE_ID")]
        employee: i64,
        /// The leave type's code, e.g. annual.
        #[arg(long = "type", value_name = "CODE")]
        leave_type: String,
        /// YYYY-MM-DD.
        #[arg(long, value_name = "DATE")]
        start: String,
        /// YYYY-MM-DD; default: the start day.
        #[arg(long, value_name = "DATE")]
        end: Option<String>,
        /// A half day (one-day requests only).
        #[arg(long)]
        half_day: bool,
        #[arg(long)]
        note: Option<String>,
    },
    /// Approve a pending request.
    Approve {
        id: i64,
        #[arg(long)]
        note: Option<String>,
    },
    /// Reject a pending request.
    Reject {
        id: i64,
        #[arg(long)]
        note: Option<String>,
    },
    /// List requests.
    List {
        #[arg(long, value_name = "EMPLOYEE_ID")]
        employee: Option<i64>,
        /// pending, approved, rejected or cancelled.
        #[arg(long)]
        state: Option<String>,
    },
    /// An employee's balances per leave type.
    Balance {
        #[arg(long, value_name = "EMPLOYEE_ID")]
        employee: i64,
        /// Default: this year.
        #[arg(long)]
        year: Option<i64>,
    },
    /// Add a public holiday (leave does not count it).
    Holiday {
        /// YYYY-MM-DD.
        #[arg(long, value_name = "DATE")]
        date: String,
        #[arg(long)]
        name: String,
    },
    /// List the public holidays of a year.
    Holidays {
        #[arg(long)]
        year: Option<i64>,
    },
}

fn cli() -> Actor {
    Actor::system("cli")
}

/// The use case's field names as the options that carry them.
fn option_names(err: AppError) -> AppError {
    with_option_names(
        err,
        &[
            ("start_date", "--start"),
            ("end_date", "--end"),
            ("manager_id", "--manager"),
            ("position_id", "--position"),
            ("department_id", "--department"),
            ("parent_id", "--parent"),
            ("leave_type_id", "--type"),
            ("working_time_pct", "--working-time"),
            ("hours_per_week", "--hours"),
            ("salary_period", "--per"),
            ("username", "--login"),
        ],
    )
}

async fn type_id(app: &App, actor: &Actor, code: &str) -> anyhow::Result<i64> {
    leave::leave_types(app, actor)
        .await?
        .into_iter()
        .find(|t| t.code == code.trim())
        .map(|t| t.id)
        .ok_or_else(|| {
            AppError::Invalid(FieldErrors::one("--type", "error-unknown-leave-type")).into()
        })
}

fn o(v: Option<String>) -> String {
    v.unwrap_or_default()
}

pub async fn employee(app: &App, command: EmployeeCommand) -> anyhow::Result<ExitCode> {
    let actor = cli();
    match command {
        EmployeeCommand::Add { person } => {
            let (id, number) = hr::create_employee(app, &actor, &person.input())
                .await
                .map_err(option_names)?;
            out(format!("{id} {number}"))?;
        }
        EmployeeCommand::Hire { person, terms } => {
            let hire = seam_app::onboarding::Hire {
                employee: person.input(),
                contract: terms.draft(),
            };
            let (id, number) = seam_app::onboarding::hire(app, &actor, &hire)
                .await
                .map_err(option_names)?;
            out(format!("{id} {number}"))?;
        }
        EmployeeCommand::Offboard { id, last_day } => {
            seam_app::onboarding::offboard(app, &actor, id, &last_day)
                .await
                .map_err(|e| with_option_names(e, &[("end_date", "--last-day")]))?;
            crate::it::print_tasks(&seam_app::onboarding::tasks_of(app, &actor, id).await?)?;
        }
        EmployeeCommand::List { search, department } => {
            let filter = hr::EmployeeFilter {
                text: o(search),
                department_id: department,
                manager_id: None,
            };
            let rows = hr::list_employees(app, &actor, &filter).await?;
            let lines: Vec<Vec<String>> = rows
                .iter()
                .map(|r| {
                    vec![
                        r.id.to_string(),
                        r.number.clone(),
                        r.name.clone(),
                        r.position_title.clone().unwrap_or_default(),
                        r.department_name.clone().unwrap_or_default(),
                        r.manager_name.clone().unwrap_or_default(),
                    ]
                })
                .collect();
            out(table(
                &["id", "number", "name", "position", "department", "manager"],
                &lines,
            ))?;
        }
        EmployeeCommand::Show { id } => show(app, &actor, id).await?,
        EmployeeCommand::Contract { id, terms } => {
            let contract = hr::add_contract(app, &actor, id, &terms.draft())
                .await
                .map_err(option_names)?;
            out(contract.to_string())?;
        }
        EmployeeCommand::Link { id, login } => {
            hr::link_login(app, &actor, id, &login)
                .await
                .map_err(option_names)?;
        }
        EmployeeCommand::Entitlement {
            id,
            leave_type,
            year,
            days,
        } => {
            let t = type_id(app, &actor, &leave_type).await?;
            leave::set_entitlement(app, &actor, id, t, year, &days)
                .await
                .map_err(option_names)?;
        }
        EmployeeCommand::Department { name, parent } => {
            let draft = DepartmentDraft {
                name,
                parent_id: parent,
            };
            let id = hr::create_department(app, &actor, &draft)
                .await
                .map_err(option_names)?;
            out(id.to_string())?;
        }
        EmployeeCommand::Position { title, department } => {
            let id = hr::create_position(app, &actor, &title, department)
                .await
                .map_err(option_names)?;
            out(id.to_string())?;
        }
    }
    Ok(ExitCode::SUCCESS)
}

async fn show(app: &App, actor: &Actor, id: i64) -> anyhow::Result<()> {
    let d = hr::employee(app, actor, id).await?;
    let e = &d.employee;
    let field = |v: &Option<String>| v.clone().unwrap_or_default();
    out(format!("{} {}", e.number, e.name))?;
    out(format!("position: {}", field(&e.position_title)))?;
    out(format!("department: {}", field(&e.department_name)))?;
    out(format!("manager: {}", field(&e.manager_name)))?;
    out(format!("login: {}", field(&e.username)))?;
    out(format!("work e-mail: {}", field(&e.work_email)))?;
    out(format!("national id: {}", field(&e.national_id)))?;
    out(format!("iban: {}", field(&e.iban)))?;
    let rows: Vec<Vec<String>> = d
        .contracts
        .iter()
        .map(|c| {
            let salary = match (c.salary_minor, &c.currency, &c.salary_period) {
                (Some(m), Some(cur), Some(per)) => format!("{} {cur}/{per}", format_amount(m, cur)),
                _ => String::new(),
            };
            vec![
                c.row.id.to_string(),
                c.row.start_date.clone(),
                c.row.end_date.clone().unwrap_or_default(),
                c.row.position_title.clone().unwrap_or_default(),
                c.row.manager_name.clone().unwrap_or_default(),
                format!("{} %", c.row.working_time_pct),
                salary,
            ]
        })
        .collect();
    out(table(
        &[
            "contract", "from", "until", "position", "manager", "time", "salary",
        ],
        &rows,
    ))?;
    Ok(())
}

pub async fn leave(app: &App, command: LeaveCommand) -> anyhow::Result<ExitCode> {
    let actor = cli();
    match command {
        LeaveCommand::Request {
            employee,
            leave_type,
            start,
            end,
            half_day,
            note,
        } => {
            let t = type_id(app, &actor, &leave_type).await?;
            let draft = LeaveRequestDraft {
                leave_type_id: Some(t),
                start_date: start,
                end_date: o(end),
                half_day,
                note: o(note),
            };
            let id = leave::request_leave(app, &actor, Some(employee), &draft)
                .await
                .map_err(option_names)?;
            let row = leave::request(app, &actor, id).await?;
            out(format!("{id} {} days", format_days(row.half_days)))?;
        }
        LeaveCommand::Approve { id, note } => {
            leave::decide(app, &actor, id, true, &o(note)).await?;
        }
        LeaveCommand::Reject { id, note } => {
            leave::decide(app, &actor, id, false, &o(note)).await?;
        }
        LeaveCommand::List { employee, state } => {
            let filter = RequestFilter {
                employee_id: employee,
                state: state.filter(|s| !s.trim().is_empty()),
                ..RequestFilter::default()
            };
            let rows = leave::list_requests(app, &actor, &filter).await?;
            let lines: Vec<Vec<String>> = rows
                .iter()
                .map(|r| {
                    vec![
                        r.id.to_string(),
                        r.employee_name.clone(),
                        r.leave_type_code.clone(),
                        r.start_date.clone(),
                        r.end_date.clone(),
                        format_days(r.half_days),
                        r.state.clone(),
                    ]
                })
                .collect();
            out(table(
                &["id", "employee", "type", "from", "until", "days", "state"],
                &lines,
            ))?;
        }
        LeaveCommand::Balance { employee, year } => {
            let today = seam_app::today();
            let year = year.unwrap_or(i64::from(today.year));
            let as_of = if year == i64::from(today.year) {
                today
            } else {
                Date {
                    year: i16::try_from(year).unwrap_or(today.year),
                    month: 12,
                    day: 31,
                }
            };
            let rows = leave::balances(app, &actor, employee, year, as_of).await?;
            let lines: Vec<Vec<String>> = rows
                .iter()
                .map(|b| {
                    vec![
                        b.leave_type.code.clone(),
                        format_days(b.entitlement),
                        format_days(b.accrued),
                        format_days(b.approved),
                        format_days(b.pending),
                        if b.leave_type.needs_entitlement {
                            format_days(b.available)
                        } else {
                            "-".to_owned()
                        },
                    ]
                })
                .collect();
            out(table(
                &[
                    "type",
                    "per year",
                    "accrued",
                    "approved",
                    "pending",
                    "available",
                ],
                &lines,
            ))?;
        }
        LeaveCommand::Holiday { date, name } => {
            let id = leave::add_holiday(app, &actor, &date, &name)
                .await
                .map_err(option_names)?;
            out(id.to_string())?;
        }
        LeaveCommand::Holidays { year } => {
            let year = year.unwrap_or(i64::from(seam_app::today().year));
            let rows = leave::holidays(app, &actor, year).await?;
            let lines: Vec<Vec<String>> = rows
                .iter()
                .map(|h| vec![h.date.clone(), h.name.clone()])
                .collect();
            out(table(&["date", "name"], &lines))?;
        }
    }
    Ok(ExitCode::SUCCESS)
}
