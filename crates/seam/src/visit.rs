//! `seam visit …`: reception's visitor log from the console.

use std::process::ExitCode;

use clap::Subcommand;
use seam_app::reception::{self, VisitFilter};
use seam_app::{Actor, App, AppError};
use seam_domain::FieldErrors;
use seam_domain::reception::VisitDraft;

use crate::output::{out, table, timestamp};

#[derive(Debug, Subcommand)]
pub enum VisitCommand {
    /// Check a visitor in: gives a badge and tells the host (in Seam and by e-mail).
    CheckIn {
        /// The visitor's name.
        #[arg(long)]
        name: String,
        /// The username of the staff member they come to see.
        #[arg(long, value_name = "USERNAME")]
        host: String,
        /// The company the visitor comes from.
        #[arg(long)]
        company: Option<String>,
        /// Why they come.
        #[arg(long)]
        purpose: Option<String>,
        /// The visitor has accepted the visitor agreement.
        #[arg(long)]
        agreement: bool,
    },
    /// Check a visitor out.
    CheckOut {
        /// The visit's id.
        id: i64,
    },
    /// List visits, newest first.
    List {
        /// Only visitors in the building now.
        #[arg(long)]
        in_building: bool,
    },
}

fn cli() -> Actor {
    Actor::system("cli")
}

/// The use case's field names as the options that carry them.
fn option_names(errors: &FieldErrors) -> FieldErrors {
    let mut renamed = FieldErrors::new();
    for e in errors.iter() {
        let field = match e.field.as_str() {
            "visitor_name" => "--name",
            "visitor_company" => "--company",
            "host_user_id" | "host" => "--host",
            "purpose" => "--purpose",
            other => other,
        };
        renamed.add(field, e.code);
    }
    renamed
}

pub async fn visit(app: &App, command: VisitCommand) -> anyhow::Result<ExitCode> {
    match command {
        VisitCommand::CheckIn {
            name,
            host,
            company,
            purpose,
            agreement,
        } => {
            let host = reception::host_by_username(app, &cli(), &host)
                .await
                .map_err(|e| match e {
                    AppError::Invalid(errors) => AppError::Invalid(option_names(&errors)),
                    other => other,
                })?;
            let draft = VisitDraft {
                visitor_name: name,
                visitor_company: company.unwrap_or_default(),
                host_user_id: Some(host.id),
                purpose: purpose.unwrap_or_default(),
                agreement_acknowledged: agreement,
                ..VisitDraft::default()
            };
            let id = match reception::check_in(app, &cli(), &draft).await {
                Ok(id) => id,
                Err(AppError::Invalid(errors)) => {
                    return Err(AppError::Invalid(option_names(&errors)).into());
                }
                Err(e) => return Err(e.into()),
            };
            let row = reception::visit(app, &cli(), id).await?;
            out(format!(
                "checked in visit {id}: {} for {}, badge {}",
                row.visitor_name,
                row.host_name,
                row.badge_number.unwrap_or_default()
            ))?;
        }
        VisitCommand::CheckOut { id } => {
            reception::check_out(app, &cli(), id).await?;
            out(format!("checked out visit {id}"))?;
        }
        VisitCommand::List { in_building } => {
            let filter = if in_building {
                VisitFilter::InBuilding
            } else {
                VisitFilter::All
            };
            let rows = reception::list(app, &cli(), filter, None).await?;
            let rows: Vec<Vec<String>> = rows
                .iter()
                .map(|v| {
                    vec![
                        v.id.to_string(),
                        v.visitor_name.clone(),
                        v.party_name
                            .clone()
                            .filter(|_| v.visitor_company.is_empty())
                            .unwrap_or_else(|| v.visitor_company.clone()),
                        v.host_name.clone(),
                        v.badge_number.clone().unwrap_or_else(|| "-".to_owned()),
                        timestamp(v.checked_in_at_us),
                        timestamp(v.checked_out_at_us),
                    ]
                })
                .collect();
            out(table(
                &["id", "visitor", "company", "host", "badge", "in", "out"],
                &rows,
            ))?;
        }
    }
    Ok(ExitCode::SUCCESS)
}
