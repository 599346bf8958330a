//! `seam appointment …` and `seam resource …`: reception's bookings from the
//! console, through the same use cases as the desk (conflict checks,
//! invitations, audit events).

use std::process::ExitCode;

use clap::{Args, Subcommand};
use seam_app::appointments::{self, AppointmentFilter};
use seam_app::reception;
use seam_app::{Actor, App, AppError, now_us};
use seam_domain::FieldErrors;
use seam_domain::appointment::{AppointmentDraft, ResourceDraft};

use crate::output::{out, table, timestamp};

#[derive(Debug, Subcommand)]
pub enum AppointmentCommand {
    /// Book an appointment; everyone is invited by e-mail with an .ics file.
    Book(Box<BookArgs>),
    /// List appointments from now on (the next 30 days by default).
    List {
        #[arg(long, default_value_t = 30)]
        days: i64,
        /// Cancelled ones too.
        #[arg(long)]
        cancelled: bool,
    },
    /// Cancel an appointment; everyone gets a cancellation.
    Cancel {
        /// The appointment's id.
        id: i64,
    },
}

/// What `seam appointment book` takes.
#[derive(Debug, Args)]
pub struct BookArgs {
    #[arg(long)]
    pub title: String,
    /// RFC 3339 (`2026-05-04T09:00:00Z`) or `YYYY-MM-DDTHH:MM` in --time-zone.
    #[arg(long)]
    pub start: String,
    /// Like --start.
    #[arg(long)]
    pub end: String,
    /// The organiser's username.
    #[arg(long, value_name = "USERNAME")]
    pub organiser: String,
    /// An attendee's username; repeat for more.
    #[arg(long = "attendee", value_name = "USERNAME")]
    pub attendees: Vec<String>,
    /// A room's or equipment's name; repeat for more.
    #[arg(long = "resource", value_name = "NAME")]
    pub resources: Vec<String>,
    #[arg(long)]
    pub visitor: Option<String>,
    #[arg(long)]
    pub visitor_company: Option<String>,
    #[arg(long)]
    pub visitor_email: Option<String>,
    #[arg(long)]
    pub location: Option<String>,
    #[arg(long)]
    pub notes: Option<String>,
    /// The zone local times are in.
    #[arg(long, default_value = "UTC")]
    pub time_zone: String,
}

#[derive(Debug, Subcommand)]
pub enum ResourceCommand {
    /// Add a room or a piece of equipment.
    Add {
        #[arg(long)]
        name: String,
        /// `room` or `equipment`.
        #[arg(long, default_value = "room")]
        kind: String,
        #[arg(long)]
        capacity: Option<i64>,
    },
    /// List rooms and equipment.
    List,
}

fn cli() -> Actor {
    Actor::system("cli")
}

/// The use case's field names as the options that carry them.
fn option_names(errors: &FieldErrors) -> FieldErrors {
    let mut renamed = FieldErrors::new();
    for e in errors.iter() {
        let field = match e.field.as_str() {
            "title" => "--title",
            "start_at" => "--start",
            "end_at" => "--end",
            "organiser_user_id" | "host" => "--organiser",
            "attendee_user_ids" => "--attendee",
            "resource_ids" => "--resource",
            "visitor_name" => "--visitor",
            "visitor_company" => "--visitor-company",
            "visitor_email" => "--visitor-email",
            "name" => "--name",
            "kind" => "--kind",
            "capacity" => "--capacity",
            other => other,
        };
        renamed.add_with(field, e.code, e.args.clone());
    }
    renamed
}

fn renamed(e: AppError) -> anyhow::Error {
    match e {
        AppError::Invalid(errors) => AppError::Invalid(option_names(&errors)).into(),
        other => other.into(),
    }
}

async fn user_id(app: &App, username: &str, field: &'static str) -> anyhow::Result<i64> {
    match reception::host_by_username(app, &cli(), username).await {
        Ok(host) => Ok(host.id),
        Err(AppError::Invalid(_)) => {
            Err(AppError::Invalid(FieldErrors::one(field, "error-unknown-attendee")).into())
        }
        Err(e) => Err(e.into()),
    }
}

fn time(field: &str, text: &str, zone: &str) -> anyhow::Result<Option<i64>> {
    appointments::parse_time(field, text, zone)
        .map_err(|e| AppError::Invalid(option_names(&e)).into())
}

pub async fn appointment(app: &App, command: AppointmentCommand) -> anyhow::Result<ExitCode> {
    match command {
        AppointmentCommand::Book(args) => {
            let BookArgs {
                title,
                start,
                end,
                organiser,
                attendees,
                resources,
                visitor,
                visitor_company,
                visitor_email,
                location,
                notes,
                time_zone,
            } = *args;
            let mut attendee_ids = Vec::new();
            for username in &attendees {
                attendee_ids.push(user_id(app, username, "--attendee").await?);
            }
            let mut resource_ids = Vec::new();
            for name in &resources {
                let row = appointments::resource_by_name(app, &cli(), name)
                    .await
                    .map_err(renamed)?;
                resource_ids.push(row.id);
            }
            let draft = AppointmentDraft {
                title,
                start_us: time("start_at", &start, &time_zone)?,
                end_us: time("end_at", &end, &time_zone)?,
                organiser_user_id: Some(user_id(app, &organiser, "--organiser").await?),
                attendee_user_ids: attendee_ids,
                resource_ids,
                visitor_name: visitor.unwrap_or_default(),
                visitor_company: visitor_company.unwrap_or_default(),
                visitor_email: visitor_email.unwrap_or_default(),
                party_id: None,
                location: location.unwrap_or_default(),
                notes: notes.unwrap_or_default(),
            };
            let id = appointments::book(app, &cli(), &draft)
                .await
                .map_err(renamed)?;
            let a = appointments::appointment(app, &cli(), id).await?;
            out(format!(
                "booked appointment {id}: {} from {} to {}",
                a.row.title,
                timestamp(Some(a.row.start_us)),
                timestamp(Some(a.row.end_us))
            ))?;
        }
        AppointmentCommand::List { days, cancelled } => {
            let now = now_us();
            let filter = AppointmentFilter {
                from_us: now,
                to_us: now.saturating_add(days.clamp(1, 366) * 86_400_000_000),
                with_cancelled: cancelled,
                ..AppointmentFilter::default()
            };
            let rows: Vec<Vec<String>> = appointments::list(app, &cli(), filter)
                .await?
                .iter()
                .map(|a| {
                    vec![
                        a.row.id.to_string(),
                        timestamp(Some(a.row.start_us)),
                        timestamp(Some(a.row.end_us)),
                        a.row.title.clone(),
                        a.resources
                            .iter()
                            .map(|r| r.name.as_str())
                            .collect::<Vec<_>>()
                            .join(", "),
                        a.row.organiser_name.clone(),
                        a.row.visitor_name.clone(),
                        a.row.state.clone(),
                    ]
                })
                .collect();
            out(table(
                &[
                    "id",
                    "start",
                    "end",
                    "title",
                    "resources",
                    "organiser",
                    "visitor",
                    "state",
                ],
                &rows,
            ))?;
        }
        AppointmentCommand::Cancel { id } => {
            appointments::cancel(app, &cli(), id).await?;
            out(format!("cancelled appointment {id}"))?;
        }
    }
    Ok(ExitCode::SUCCESS)
}

pub async fn resource(app: &App, command: ResourceCommand) -> anyhow::Result<ExitCode> {
    match command {
        ResourceCommand::Add {
            name,
            kind,
            capacity,
        } => {
            let draft = ResourceDraft {
                name,
                kind,
                capacity,
                active: true,
            };
            let id = appointments::add_resource(app, &cli(), &draft)
                .await
                .map_err(renamed)?;
            out(format!("added resource {id}"))?;
        }
        ResourceCommand::List => {
            let rows: Vec<Vec<String>> = appointments::resources(app, &cli(), true)
                .await?
                .iter()
                .map(|r| {
                    vec![
                        r.id.to_string(),
                        r.name.clone(),
                        r.kind.clone(),
                        r.capacity.map(|c| c.to_string()).unwrap_or_default(),
                        if r.active { "yes" } else { "no" }.to_owned(),
                    ]
                })
                .collect();
            out(table(&["id", "name", "kind", "capacity", "active"], &rows))?;
        }
    }
    Ok(ExitCode::SUCCESS)
}
