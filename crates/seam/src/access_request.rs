//! `seam access-request …`: the access requests from the console. List them
//! (all, or one state) and approve or reject one; an approval opens the IT
//! ticket for the grant and prints its number. The console acts as `cli`
//! with every permission, so it decides like HR.

use std::process::ExitCode;

use clap::Subcommand;
use seam_app::access_requests;
use seam_app::{Actor, App};

use crate::output::{out, table};

#[derive(Debug, Subcommand)]
pub enum AccessRequestCommand {
    /// List access requests, newest first.
    List {
        /// requested, approved or rejected.
        #[arg(long)]
        state: Option<String>,
    },
    /// Approve or reject a request; approval prints the IT ticket's number.
    Decide {
        id: i64,
        /// Approve (opens the IT ticket for the grant).
        #[arg(long, conflicts_with = "reject", required_unless_present = "reject")]
        approve: bool,
        #[arg(long)]
        reject: bool,
        #[arg(long)]
        note: Option<String>,
    },
}

pub async fn run(app: &App, command: AccessRequestCommand) -> anyhow::Result<ExitCode> {
    let actor = Actor::system("cli");
    match command {
        AccessRequestCommand::List { state } => {
            let rows = access_requests::list(app, &actor, state.as_deref()).await?;
            let lines: Vec<Vec<String>> = rows
                .iter()
                .map(|r| {
                    vec![
                        r.id.to_string(),
                        r.employee_name.clone(),
                        r.kind.clone(),
                        r.what.clone(),
                        r.state.clone(),
                        r.ticket_number.clone().unwrap_or_default(),
                    ]
                })
                .collect();
            out(table(
                &["id", "employee", "kind", "what", "state", "ticket"],
                &lines,
            ))?;
        }
        AccessRequestCommand::Decide {
            id,
            approve,
            reject: _,
            note,
        } => {
            access_requests::decide(app, &actor, id, approve, note.as_deref().unwrap_or(""))
                .await?;
            let row = access_requests::request(app, &actor, id).await?;
            out(format!(
                "{id} {}{}",
                row.state,
                row.ticket_number
                    .map(|n| format!(" {n}"))
                    .unwrap_or_default()
            ))?;
        }
    }
    Ok(ExitCode::SUCCESS)
}
