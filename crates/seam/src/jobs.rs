//! `seam jobs …` and `seam mail …`: the job queue every node works through
//! (list, retry dead jobs, run what is due without a server), and the SMTP
//! settings e-mail goes out with.

use std::process::ExitCode;

use clap::{Subcommand, ValueEnum};
use seam_app::jobs::{self, JobState};
use seam_app::mail::{self, MailSettings};
use seam_app::ticket_mail;
use seam_app::{Actor, App};

use crate::output::{err_line, out, table_aligned, timestamp};

#[derive(Debug, Subcommand)]
pub enum JobsCommand {
    /// List jobs, newest first, with their state, attempts and last error.
    List {
        /// Only jobs in this state.
        #[arg(long, value_enum, value_name = "STATE")]
        state: Option<StateArg>,
        /// How many to show (1 to 500).
        #[arg(long, default_value_t = 50, value_parser = clap::value_parser!(i64).range(1..=500), value_name = "N")]
        limit: i64,
    },
    /// How many jobs are in each state.
    Counts,
    /// Show one job with its payload.
    Show { id: i64 },
    /// Put a dead or failed job back in the queue, due now, with all its attempts again.
    Retry { id: i64 },
    /// Run every due job on this machine until none is left, then exit.
    ///
    /// `seam serve` runs jobs by itself; this is for a node without a
    /// server, or a one-off run after fixing the cause of failures.
    Work,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum StateArg {
    Queued,
    Running,
    Done,
    Failed,
    Dead,
}

impl StateArg {
    fn state(self) -> JobState {
        match self {
            StateArg::Queued => JobState::Queued,
            StateArg::Running => JobState::Running,
            StateArg::Done => JobState::Done,
            StateArg::Failed => JobState::Failed,
            StateArg::Dead => JobState::Dead,
        }
    }
}

#[derive(Debug, Subcommand)]
pub enum MailCommand {
    /// Show the SMTP server and sender (a password in the URL is masked).
    Show,
    /// Set the SMTP server and the sender; options not given keep their value, "" clears one.
    Set {
        /// smtp://HOST:PORT (plain, trusted network), smtp://HOST:PORT?tls=required
        /// (STARTTLS) or smtps://USER:PASSWORD@HOST:465 (TLS).
        #[arg(long, value_name = "URL")]
        smtp_url: Option<String>,
        /// The sender, e.g. "Invoices <billing@example.com>" [default: the company's e-mail].
        #[arg(long, value_name = "ADDRESS")]
        from: Option<String>,
    },
    /// Queue a plain test message to ADDRESS; a running `seam serve` (or `seam jobs work`) sends it.
    Test {
        /// Where to send it.
        to: String,
    },
    /// Hand incoming e-mail to the service desk: one RFC 5322 message on
    /// stdin, or every message in a maildir's new/ (moved to cur/ when
    /// written; failures stay and are reported). A reply threads onto its
    /// ticket; anything else opens a ticket for the sender's customer.
    Ingest {
        /// A maildir (with new/ and cur/) instead of stdin.
        #[arg(long, value_name = "DIR")]
        maildir: Option<std::path::PathBuf>,
    },
}

fn cli() -> Actor {
    Actor::system("cli")
}

pub async fn jobs(app: &App, command: JobsCommand) -> anyhow::Result<ExitCode> {
    match command {
        JobsCommand::List { state, limit } => {
            let rows = jobs::list(app, &cli(), state.map(StateArg::state), None, limit).await?;
            let rows: Vec<Vec<String>> = rows
                .iter()
                .map(|j| {
                    vec![
                        j.id.to_string(),
                        j.kind.clone(),
                        j.state.clone(),
                        format!("{}/{}", j.attempts, j.max_attempts),
                        timestamp(Some(j.run_at_us)),
                        j.locked_by.clone().unwrap_or_default(),
                        one_line(j.last_error.as_deref().unwrap_or_default()),
                    ]
                })
                .collect();
            out(table_aligned(
                &[
                    "id",
                    "kind",
                    "state",
                    "attempts",
                    "run at",
                    "node",
                    "last error",
                ],
                &[0],
                &rows,
            ))?;
        }
        JobsCommand::Counts => {
            let counts = jobs::counts(app, &cli()).await?;
            let rows: Vec<Vec<String>> = JobState::ALL
                .iter()
                .map(|s| {
                    let n = counts
                        .iter()
                        .find(|(name, _)| name == s.name())
                        .map_or(0, |(_, n)| *n);
                    vec![s.name().to_owned(), n.to_string()]
                })
                .collect();
            out(table_aligned(&["state", "jobs"], &[1], &rows))?;
        }
        JobsCommand::Show { id } => {
            let j = jobs::job(app, &cli(), id).await?;
            out(format!(
                "job:        {}\nkind:       {}\nstate:      {}\nattempts:   {}/{}\nrun at:     {}\ncreated:    {}\ndone:       {}\nnode:       {}\nlast error: {}\npayload:    {}",
                j.id,
                j.kind,
                j.state,
                j.attempts,
                j.max_attempts,
                timestamp(Some(j.run_at_us)),
                timestamp(Some(j.created_at_us)),
                timestamp(j.done_at_us),
                j.locked_by.unwrap_or_default(),
                j.last_error.unwrap_or_default(),
                j.payload
            ))?;
        }
        JobsCommand::Retry { id } => {
            let j = jobs::retry(app, &cli(), id).await?;
            out(format!("job {} is queued again ({})", j.id, j.kind))?;
        }
        JobsCommand::Work => {
            let node = jobs::node_id();
            let pass = jobs::work_until_idle(app, &cli(), &node).await?;
            out(format!(
                "ran {} job(s): {} done, {} failed",
                pass.done + pass.failed,
                pass.done,
                pass.failed
            ))?;
            if pass.failed > 0 {
                return Ok(ExitCode::FAILURE);
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn one_line(text: &str) -> String {
    let line: String = text.replace(['\n', '\r'], " ").chars().take(80).collect();
    line
}

pub async fn mail(app: &App, command: MailCommand) -> anyhow::Result<ExitCode> {
    match command {
        MailCommand::Show => {
            let s = mail::mail_settings(app, &cli()).await?;
            out(format!(
                "smtp url: {}\nfrom:     {}",
                if s.smtp_url.is_empty() {
                    "(none: e-mail stays queued)".to_owned()
                } else {
                    s.smtp_url_masked()
                },
                if s.from.is_empty() {
                    "(the company's e-mail)"
                } else {
                    &s.from
                }
            ))?;
        }
        MailCommand::Set { smtp_url, from } => {
            let current = mail::mail_settings(app, &cli()).await?;
            let draft = MailSettings {
                smtp_url: smtp_url.unwrap_or(current.smtp_url),
                from: from.unwrap_or(current.from),
            };
            mail::update_settings(app, &cli(), &draft).await?;
            out("mail settings saved")?;
        }
        MailCommand::Test { to } => {
            let id = mail::queue_message(
                app,
                &cli(),
                &to,
                "Seam test message",
                "This message shows that Seam can send e-mail.\n",
            )
            .await?;
            out(format!("queued as job {id}"))?;
        }
        MailCommand::Ingest { maildir: None } => {
            let mut raw = Vec::new();
            std::io::Read::read_to_end(&mut std::io::stdin(), &mut raw)?;
            let done = ticket_mail::ingest(app, &cli(), &raw).await?;
            out(format!(
                "{} {} <{}>",
                done.outcome.name(),
                done.ticket_number,
                done.message_id
            ))?;
        }
        MailCommand::Ingest { maildir: Some(dir) } => {
            let report = ticket_mail::ingest_maildir(app, &cli(), &dir).await?;
            for (name, done) in &report.ingested {
                out(format!(
                    "{name}: {} {}",
                    done.outcome.name(),
                    done.ticket_number
                ))?;
            }
            for (name, err) in &report.failed {
                err_line(format!(
                    "{name}: left in new/: {}",
                    crate::messages::app_error_text(err)
                ));
            }
            out(format!(
                "{} ingested, {} left in new/",
                report.ingested.len(),
                report.failed.len()
            ))?;
            if !report.failed.is_empty() {
                return Ok(ExitCode::FAILURE);
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}
