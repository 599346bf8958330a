//! `seam ticket …`: the service desk from the console. List a queue, open a
//! ticket for a customer (a call, a visit), show its conversation, reply or
//! note, escalate to another team, credit its invoice, resolve and close.

use std::process::ExitCode;

use clap::{Subcommand, ValueEnum};
use seam_app::service::{self, ListFilter, TicketInput, TicketRow};
use seam_app::{Actor, App};
use seam_domain::service::{Queue, TicketDraft};

use crate::output::{out, table, timestamp};

#[derive(Debug, Subcommand)]
pub enum TicketCommand {
    /// List tickets, newest first: the open and pending ones unless --all.
    List {
        /// Only this team's queue.
        #[arg(long, value_enum, value_name = "QUEUE")]
        queue: Option<QueueArg>,
        /// Also resolved and closed tickets.
        #[arg(long)]
        all: bool,
    },
    /// Show a ticket with its whole conversation, internal notes included.
    Show {
        /// The ticket's number (TK-2026-000001) or id.
        ticket: String,
    },
    /// Open a ticket for a customer and print its number.
    Open {
        /// The customer's party id.
        #[arg(long, value_name = "PARTY_ID")]
        customer: i64,
        #[arg(long)]
        subject: String,
        /// The customer's request, as the first message.
        #[arg(long, value_name = "TEXT")]
        body: String,
        /// low, normal, high or urgent. [default: normal]
        #[arg(long)]
        priority: Option<String>,
        /// email, phone or front-desk. [default: phone]
        #[arg(long)]
        channel: Option<String>,
        /// The invoice it is about, by number.
        #[arg(long, value_name = "NUMBER")]
        invoice: Option<String>,
        /// The order it is about, by number.
        #[arg(long, value_name = "NUMBER")]
        order: Option<String>,
    },
    /// Reply to the customer (e-mailed to them), or add an internal note with --internal.
    Reply {
        ticket: String,
        #[arg(long, value_name = "TEXT")]
        body: String,
        #[arg(long)]
        internal: bool,
    },
    /// Move the ticket to another team's queue with an internal note.
    Escalate {
        ticket: String,
        #[arg(long, value_enum, value_name = "QUEUE")]
        queue: QueueArg,
        /// Why (kept as an internal note).
        #[arg(long, value_name = "TEXT")]
        note: String,
    },
    /// Credit what is left of the ticket's invoice, post the credit note and resolve the ticket.
    Credit {
        ticket: String,
        /// Printed on the credit note after the ticket's number.
        #[arg(long, value_name = "TEXT")]
        reason: Option<String>,
    },
    /// Mark the ticket resolved.
    Resolve { ticket: String },
    /// Close the ticket for good.
    Close { ticket: String },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum QueueArg {
    Service,
    Accounting,
    Warehouse,
    It,
}

impl QueueArg {
    pub fn queue(self) -> Queue {
        match self {
            QueueArg::Service => Queue::Service,
            QueueArg::Accounting => Queue::Accounting,
            QueueArg::Warehouse => Queue::Warehouse,
            QueueArg::It => Queue::It,
        }
    }
}

fn cli() -> Actor {
    Actor::system("cli")
}

pub async fn ticket(app: &App, command: TicketCommand) -> anyhow::Result<ExitCode> {
    let actor = cli();
    match command {
        TicketCommand::List { queue, all } => {
            let filter = ListFilter {
                queue: queue.map(QueueArg::queue),
                party_id: None,
                active_only: !all,
            };
            let rows = service::list(app, &actor, &filter, None).await?;
            out(table(
                &[
                    "number", "state", "queue", "priority", "customer", "subject",
                ],
                &rows.iter().map(summary).collect::<Vec<_>>(),
            ))?;
        }
        TicketCommand::Show { ticket } => {
            let id = service::find_ticket(app, &actor, &ticket).await?;
            let detail = service::ticket(app, &actor, id).await?;
            let t = &detail.ticket;
            let mut text = format!(
                "{} {}\ncustomer  {} ({})\nstate     {}\nqueue     {}\npriority  {}\nchannel   {}\n",
                t.number,
                t.subject,
                t.party_name,
                t.party_id,
                t.state,
                t.queue,
                t.priority,
                t.channel
            );
            if let Some(invoice) = &detail.invoice {
                text.push_str(&format!(
                    "invoice   {}\n",
                    invoice.number.clone().unwrap_or_default()
                ));
            }
            for c in &detail.credit_notes {
                text.push_str(&format!(
                    "credit    {}\n",
                    c.number.clone().unwrap_or_default()
                ));
            }
            for m in &detail.messages {
                let kind = if m.public { "" } else { " (internal note)" };
                text.push_str(&format!(
                    "\n{} {}{kind}:\n{}\n",
                    timestamp(Some(m.created_at_us)),
                    m.author_name,
                    m.body
                ));
            }
            out(text.trim_end())?;
        }
        TicketCommand::Open {
            customer,
            subject,
            body,
            priority,
            channel,
            invoice,
            order,
        } => {
            let input = TicketInput {
                party_id: Some(customer),
                ticket: TicketDraft {
                    subject,
                    body,
                    priority: priority.unwrap_or_default(),
                    channel: channel.unwrap_or_default(),
                },
                invoice: invoice.unwrap_or_default(),
                order: order.unwrap_or_default(),
            };
            let id = service::open_ticket(app, &actor, &input).await?;
            let detail = service::ticket(app, &actor, id).await?;
            out(&detail.ticket.number)?;
        }
        TicketCommand::Reply {
            ticket,
            body,
            internal,
        } => {
            let id = service::find_ticket(app, &actor, &ticket).await?;
            service::reply(app, &actor, id, &body, !internal).await?;
            out(if internal { "noted" } else { "replied" })?;
        }
        TicketCommand::Escalate {
            ticket,
            queue,
            note,
        } => {
            let id = service::find_ticket(app, &actor, &ticket).await?;
            service::escalate(app, &actor, id, queue.queue().name(), &note).await?;
            out(format!("escalated to {}", queue.queue().name()))?;
        }
        TicketCommand::Credit { ticket, reason } => {
            let id = service::find_ticket(app, &actor, &ticket).await?;
            let credit = service::credit_invoice_from_ticket(
                app,
                &actor,
                id,
                reason.as_deref().unwrap_or(""),
            )
            .await?;
            let detail = service::ticket(app, &actor, id).await?;
            let number = detail
                .credit_notes
                .iter()
                .find(|c| c.id == credit)
                .and_then(|c| c.number.clone())
                .unwrap_or_default();
            out(format!("credited: {number}"))?;
        }
        TicketCommand::Resolve { ticket } => {
            let id = service::find_ticket(app, &actor, &ticket).await?;
            service::resolve(app, &actor, id).await?;
            out("resolved")?;
        }
        TicketCommand::Close { ticket } => {
            let id = service::find_ticket(app, &actor, &ticket).await?;
            service::close(app, &actor, id).await?;
            out("closed")?;
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn summary(t: &TicketRow) -> Vec<String> {
    vec![
        t.number.clone(),
        t.state.clone(),
        t.queue.clone(),
        t.priority.clone(),
        t.party_name.clone(),
        t.subject.clone(),
    ]
}
