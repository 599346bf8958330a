//! `seam asset …`, `seam licence …` and `seam task …`: IT support and the
//! checklists of hires and leavers from the console. The console acts as
//! `cli` with every permission.

use std::process::ExitCode;

use clap::Subcommand;
use seam_app::it::{self, AssetFilter, AssetMove};
use seam_app::onboarding::{self, Completion, TaskRow};
use seam_app::{Actor, App, AppError};
use seam_domain::it::{AssetDraft, LicenceDraft};
use seam_domain::ledger::format_amount;

use crate::output::{out, out_raw, table, with_option_names};

#[derive(Debug, Subcommand)]
pub enum AssetCommand {
    /// Register an asset, in stock; prints its id and tag (IT-000001).
    Add {
        /// laptop, desktop, monitor, phone, tablet or other.
        #[arg(long)]
        kind: String,
        #[arg(long)]
        model: String,
        #[arg(long)]
        serial: String,
        /// YYYY-MM-DD.
        #[arg(long, value_name = "DATE")]
        purchased: Option<String>,
        // A negative amount reaches the use case, which names the option.
        #[arg(long, allow_hyphen_values = true)]
        cost: Option<String>,
        #[arg(long, default_value = "EUR")]
        currency: String,
        #[arg(long)]
        location: Option<String>,
    },
    /// List the register, newest first.
    List {
        /// Text in the tag, model or serial number.
        #[arg(long)]
        search: Option<String>,
        /// in-stock, assigned, in-repair or retired.
        #[arg(long)]
        status: Option<String>,
    },
    /// Move an asset: assigned (with --employee), in-stock, in-repair, retired.
    Move {
        id: i64,
        #[arg(long, value_name = "STATUS")]
        to: String,
        #[arg(long, value_name = "EMPLOYEE_ID")]
        employee: Option<i64>,
        #[arg(long)]
        location: Option<String>,
    },
    /// The register as CSV on standard output.
    Export,
}

#[derive(Debug, Subcommand)]
pub enum LicenceCommand {
    /// Add a licence; prints its id.
    Add {
        #[arg(long)]
        product: String,
        #[arg(long)]
        vendor: Option<String>,
        #[arg(long, allow_hyphen_values = true)]
        seats: String,
        /// YYYY-MM-DD.
        #[arg(long, value_name = "DATE")]
        expires: Option<String>,
        #[arg(long, allow_hyphen_values = true)]
        cost: Option<String>,
        #[arg(long, default_value = "EUR")]
        currency: String,
    },
    /// List licences with seats used and warnings.
    List,
    /// Give an employee a seat (refused when every seat is taken).
    Seat {
        id: i64,
        #[arg(long, value_name = "EMPLOYEE_ID")]
        employee: i64,
    },
    /// Free an employee's seat.
    Release {
        id: i64,
        #[arg(long, value_name = "EMPLOYEE_ID")]
        employee: i64,
    },
}

#[derive(Debug, Subcommand)]
pub enum TaskCommand {
    /// The open tasks of hires and leavers, soonest due first.
    List,
    /// Complete a task, doing its work.
    Done {
        id: i64,
        /// The login task: the new login's name.
        #[arg(long)]
        username: Option<String>,
        /// The login task: its first password.
        #[arg(long)]
        password: Option<String>,
        /// The laptop task: an asset in stock.
        #[arg(long, value_name = "ASSET_ID")]
        asset: Option<i64>,
        /// The licences task: one seat of each (repeat the option).
        #[arg(long, value_name = "LICENCE_ID")]
        licence: Vec<i64>,
        /// The payroll record task: the salary structure.
        #[arg(long, value_name = "STRUCTURE_ID")]
        structure: Option<i64>,
        /// The assets task: where returned assets are kept.
        #[arg(long)]
        location: Option<String>,
        #[arg(long)]
        note: Option<String>,
    },
}

fn cli() -> Actor {
    Actor::system("cli")
}

fn o(v: Option<String>) -> String {
    v.unwrap_or_default()
}

/// The use case's field names as the options that carry them.
fn option_names(err: AppError) -> AppError {
    with_option_names(
        err,
        &[
            ("serial_number", "--serial"),
            ("purchase_date", "--purchased"),
            ("expires_on", "--expires"),
            ("status", "--to"),
            ("employee_id", "--employee"),
            ("asset_id", "--asset"),
            ("licence_ids", "--licence"),
            ("licence_id", "--licence"),
            ("structure_id", "--structure"),
        ],
    )
}

pub async fn asset(app: &App, command: AssetCommand) -> anyhow::Result<ExitCode> {
    let actor = cli();
    match command {
        AssetCommand::Add {
            kind,
            model,
            serial,
            purchased,
            cost,
            currency,
            location,
        } => {
            let draft = AssetDraft {
                kind,
                model,
                serial_number: serial,
                purchase_date: o(purchased),
                cost: o(cost),
                currency,
                location: o(location),
            };
            let (id, tag) = it::create_asset(app, &actor, &draft)
                .await
                .map_err(option_names)?;
            out(format!("{id} {tag}"))?;
        }
        AssetCommand::List { search, status } => {
            let filter = AssetFilter {
                text: o(search),
                status: o(status),
            };
            let rows = it::assets(app, &actor, &filter, None).await?;
            let lines: Vec<Vec<String>> = rows
                .iter()
                .map(|a| {
                    vec![
                        a.id.to_string(),
                        a.tag.clone(),
                        a.kind.clone(),
                        a.model.clone(),
                        a.serial_number.clone(),
                        a.status.clone(),
                        a.employee_name.clone().unwrap_or_default(),
                    ]
                })
                .collect();
            out(table(
                &["id", "tag", "kind", "model", "serial", "status", "held by"],
                &lines,
            ))?;
        }
        AssetCommand::Move {
            id,
            to,
            employee,
            location,
        } => {
            let to = AssetMove {
                status: to,
                employee_id: employee,
                location: o(location),
            };
            it::move_asset(app, &actor, id, &to)
                .await
                .map_err(option_names)?;
            let asset = it::asset(app, &actor, id).await?.asset;
            out(format!("{} {}", asset.tag, asset.status))?;
        }
        AssetCommand::Export => out_raw(&it::assets_csv(app, &actor).await?)?,
    }
    Ok(ExitCode::SUCCESS)
}

pub async fn licence(app: &App, command: LicenceCommand) -> anyhow::Result<ExitCode> {
    let actor = cli();
    match command {
        LicenceCommand::Add {
            product,
            vendor,
            seats,
            expires,
            cost,
            currency,
        } => {
            let draft = LicenceDraft {
                product,
                vendor: o(vendor),
                seats,
                expires_on: o(expires),
                cost: o(cost),
                currency,
            };
            let id = it::create_licence(app, &actor, &draft)
                .await
                .map_err(option_names)?;
            out(id.to_string())?;
        }
        LicenceCommand::List => {
            let rows = it::licences(app, &actor).await?;
            let lines: Vec<Vec<String>> = rows
                .iter()
                .map(|l| {
                    let mut warnings = Vec::new();
                    if l.warnings.over_allocated {
                        warnings.push("over-allocated");
                    }
                    if l.warnings.expiring {
                        warnings.push("expires within 30 days");
                    }
                    if l.warnings.expired {
                        warnings.push("expired");
                    }
                    vec![
                        l.row.id.to_string(),
                        l.row.product.clone(),
                        format!("{}/{}", l.row.assigned, l.row.seats),
                        l.row.expires_on.clone().unwrap_or_default(),
                        format_amount(l.row.cost_minor, &l.row.currency),
                        warnings.join(", "),
                    ]
                })
                .collect();
            out(table(
                &["id", "product", "seats", "expires", "cost", "warnings"],
                &lines,
            ))?;
        }
        LicenceCommand::Seat { id, employee } => {
            it::assign_seat(app, &actor, id, employee)
                .await
                .map_err(option_names)?;
        }
        LicenceCommand::Release { id, employee } => {
            it::release_seat(app, &actor, id, employee).await?;
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// Prints checklist tasks as a table.
pub fn print_tasks(rows: &[TaskRow]) -> anyhow::Result<()> {
    let lines: Vec<Vec<String>> = rows
        .iter()
        .map(|t| {
            vec![
                t.id.to_string(),
                t.employee_name.clone(),
                t.kind.clone(),
                t.code.clone(),
                t.team.clone(),
                t.due_date.clone(),
                t.done_by.clone().unwrap_or_default(),
                t.note.clone(),
            ]
        })
        .collect();
    out(table(
        &[
            "id",
            "employee",
            "checklist",
            "task",
            "team",
            "due",
            "done by",
            "note",
        ],
        &lines,
    ))
}

pub async fn task(app: &App, command: TaskCommand) -> anyhow::Result<ExitCode> {
    let actor = cli();
    match command {
        TaskCommand::List => print_tasks(&onboarding::open_tasks(app, &actor).await?)?,
        TaskCommand::Done {
            id,
            username,
            password,
            asset,
            licence,
            structure,
            location,
            note,
        } => {
            let input = Completion {
                note: o(note),
                username: o(username),
                password: o(password),
                asset_id: asset,
                licence_ids: licence,
                structure_id: structure,
                location: o(location),
            };
            onboarding::complete(app, &actor, id, &input)
                .await
                .map_err(option_names)?;
            let done = onboarding::task(app, &actor, id).await?;
            out(format!("{} {}", done.code, done.note))?;
        }
    }
    Ok(ExitCode::SUCCESS)
}
