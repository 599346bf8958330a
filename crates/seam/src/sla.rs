//! `seam sla …`: service levels from the console. The breached and at-risk
//! tickets (now, or as of a later instant), the targets, and the working
//! hours they count.

use std::process::ExitCode;

use clap::Subcommand;
use seam_app::sla::{self, SlaFilter, SlaListRow};
use seam_app::{Actor, App, AppError};
use seam_domain::FieldErrors;
use seam_domain::sla::{PolicyDraft, WEEKDAYS};

use crate::output::{out, table, timestamp};
use crate::ticket::QueueArg;

#[derive(Debug, Subcommand)]
pub enum SlaCommand {
    /// Active tickets past a deadline, oldest first.
    Breached {
        #[arg(long, value_enum, value_name = "QUEUE")]
        queue: Option<QueueArg>,
        /// Judge at this instant (RFC 3339, or 2026-12-01T17:00 in UTC): what
        /// will have breached by then if nothing changes.
        #[arg(long, value_name = "WHEN")]
        at: Option<String>,
    },
    /// Active tickets past their warning and not yet breached.
    AtRisk {
        #[arg(long, value_enum, value_name = "QUEUE")]
        queue: Option<QueueArg>,
        #[arg(long, value_name = "WHEN")]
        at: Option<String>,
    },
    /// The targets per priority and queue, in business minutes.
    Policies,
    /// Set a priority's targets, for one queue or (without --queue) every queue.
    SetPolicy {
        /// low, normal, high or urgent.
        #[arg(long)]
        priority: String,
        #[arg(long, value_enum, value_name = "QUEUE")]
        queue: Option<QueueArg>,
        /// Business minutes to the first public reply.
        #[arg(long, value_name = "MINUTES")]
        first_response: String,
        /// Business minutes to resolution.
        #[arg(long, value_name = "MINUTES")]
        resolution: String,
    },
    /// The working hours, zone and holidays.
    Hours,
    /// Change the working hours; days not named keep theirs.
    SetHours {
        /// An IANA zone: Europe/Stockholm.
        #[arg(long)]
        zone: Option<String>,
        /// Each as 08:00-17:00, or - for a day off.
        #[arg(long)]
        mon: Option<String>,
        #[arg(long)]
        tue: Option<String>,
        #[arg(long)]
        wed: Option<String>,
        #[arg(long)]
        thu: Option<String>,
        #[arg(long)]
        fri: Option<String>,
        #[arg(long)]
        sat: Option<String>,
        #[arg(long)]
        sun: Option<String>,
        /// Dates (2026-12-24), separated by commas; replaces the list.
        #[arg(long)]
        holidays: Option<String>,
    },
}

fn rows(list: &[SlaListRow]) -> String {
    table(
        &[
            "number",
            "queue",
            "priority",
            "first response due",
            "resolution due",
            "subject",
        ],
        &list
            .iter()
            .map(|r| {
                vec![
                    r.number.clone(),
                    r.queue.clone(),
                    r.priority.clone(),
                    r.first_response_due_at_us
                        .filter(|_| r.first_response_at_us.is_none())
                        .map(|d| timestamp(Some(d)))
                        .unwrap_or_default(),
                    r.resolution_due_at_us
                        .map(|d| timestamp(Some(d)))
                        .unwrap_or_else(|| "paused".to_owned()),
                    r.subject.clone(),
                ]
            })
            .collect::<Vec<_>>(),
    )
}

fn filter(actor: &Actor, queue: Option<QueueArg>, at: Option<&str>) -> Result<SlaFilter, AppError> {
    Ok(SlaFilter {
        queue: queue.map(QueueArg::queue),
        at_us: sla::parse_at(actor, at.unwrap_or_default())?,
    })
}

fn day(text: Option<String>, slot: &mut (String, String), name: &str) -> Result<(), AppError> {
    match text.as_deref().map(str::trim) {
        None => Ok(()),
        Some("-") | Some("") => {
            *slot = (String::new(), String::new());
            Ok(())
        }
        Some(t) => match t.split_once('-') {
            Some((a, b)) => {
                *slot = (a.to_owned(), b.to_owned());
                Ok(())
            }
            None => Err(AppError::Invalid(FieldErrors::one(
                &format!("{name}_start"),
                "error-sla-time",
            ))),
        },
    }
}

pub async fn sla(app: &App, command: SlaCommand) -> anyhow::Result<ExitCode> {
    let actor = Actor::system("cli");
    match command {
        SlaCommand::Breached { queue, at } => {
            let f = filter(&actor, queue, at.as_deref())?;
            out(rows(&sla::breached(app, &actor, &f).await?))?;
        }
        SlaCommand::AtRisk { queue, at } => {
            let f = filter(&actor, queue, at.as_deref())?;
            out(rows(&sla::at_risk(app, &actor, &f).await?))?;
        }
        SlaCommand::Policies => {
            let list = sla::policies(app, &actor).await?;
            out(table(
                &["priority", "queue", "first response min", "resolution min"],
                &list
                    .iter()
                    .map(|p| {
                        vec![
                            p.priority.clone(),
                            if p.queue.is_empty() {
                                "every".to_owned()
                            } else {
                                p.queue.clone()
                            },
                            p.first_response_min.to_string(),
                            p.resolution_min.to_string(),
                        ]
                    })
                    .collect::<Vec<_>>(),
            ))?;
        }
        SlaCommand::SetPolicy {
            priority,
            queue,
            first_response,
            resolution,
        } => {
            let draft = PolicyDraft {
                priority,
                queue: queue
                    .map(|q| q.queue().name().to_owned())
                    .unwrap_or_default(),
                first_response_min: first_response,
                resolution_min: resolution,
            };
            sla::set_policy(app, &actor, &draft).await?;
            out("saved")?;
        }
        SlaCommand::Hours => {
            let draft = sla::working_hours(app, &actor).await?.to_draft();
            let mut text = format!("zone      {}\n", draft.zone);
            for (name, (start, end)) in WEEKDAYS.iter().zip(&draft.hours) {
                let hours = if start.is_empty() {
                    "-".to_owned()
                } else {
                    format!("{start}-{end}")
                };
                text.push_str(&format!("{name}       {hours}\n"));
            }
            text.push_str(&format!("holidays  {}", draft.holidays));
            out(text)?;
        }
        SlaCommand::SetHours {
            zone,
            mon,
            tue,
            wed,
            thu,
            fri,
            sat,
            sun,
            holidays,
        } => {
            let mut draft = sla::working_hours(app, &actor).await?.to_draft();
            if let Some(zone) = zone {
                draft.zone = zone;
            }
            for ((text, slot), name) in [mon, tue, wed, thu, fri, sat, sun]
                .into_iter()
                .zip(draft.hours.iter_mut())
                .zip(WEEKDAYS)
            {
                day(text, slot, name)?;
            }
            if let Some(holidays) = holidays {
                draft.holidays = holidays;
            }
            sla::update_calendar(app, &actor, &draft).await?;
            out("saved")?;
        }
    }
    Ok(ExitCode::SUCCESS)
}
