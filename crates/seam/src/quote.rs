//! `seam quote …`: sales quotes for customers. Create a draft, send it
//! (numbered), accept it (a draft sales order with the same lines and
//! prices) or decline it, list and show them, write a sent one as a PDF.
//! Amounts are exact decimals.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Subcommand, ValueEnum};
use seam_app::quotes::{self, QuoteFilter, QuoteInput, QuoteRow};
use seam_app::{Actor, App};
use seam_domain::ids::PartyId;
use seam_domain::ledger::format_amount;
use seam_domain::quote::QuoteState;

use crate::order::{parse_line, percent};
use crate::output::{out, table_aligned};

#[derive(Debug, Subcommand)]
pub enum QuoteCommand {
    /// List quotes, newest first.
    List {
        /// Only quotes in this state (`expired`: sent and past their date).
        #[arg(long, value_enum, value_name = "STATE")]
        state: Option<StateArg>,
        /// How many to show (1 to 500).
        #[arg(long, default_value_t = 50, value_parser = clap::value_parser!(i64).range(1..=500), value_name = "N")]
        limit: i64,
    },
    /// Show a quote: its lines, the VAT per rate and the totals.
    Show {
        /// The quote's number (QU-2026-000001) or its id (as `quote list` shows drafts).
        quote: String,
    },
    /// Create a draft quote for a customer and print its id.
    ///
    /// Each line is SKU:QTY or SKU:QTY:PRICE; without a price the product's
    /// list price is used. Any bad field is reported on its own line and
    /// nothing is written.
    Create {
        /// The customer's party id.
        #[arg(long, value_name = "PARTY_ID")]
        customer: i64,
        /// A line: SKU:QTY[:PRICE], e.g. CHAIR-01:3 or SETUP:1:120.00; repeat for more lines.
        #[arg(long = "line", required = true, value_name = "SKU:QTY[:PRICE]")]
        lines: Vec<String>,
        /// The quote's date, YYYY-MM-DD. [default: today]
        #[arg(long, value_name = "DATE")]
        date: Option<String>,
        /// The last day the quote may be accepted, YYYY-MM-DD. [default: 30 days after its date]
        #[arg(long, value_name = "DATE")]
        valid_until: Option<String>,
    },
    /// Send a draft: give it its number.
    Send {
        /// The draft's id (or number).
        quote: String,
    },
    /// Accept a sent quote that has not expired: a draft sales order is
    /// created with its lines and prices; prints the order's id.
    Accept {
        /// The quote's number or id.
        quote: String,
    },
    /// Decline a sent quote that has not expired.
    Decline {
        /// The quote's number or id.
        quote: String,
        /// Why the customer declined.
        #[arg(long, value_name = "TEXT")]
        reason: Option<String>,
    },
    /// Write a numbered quote (not a draft) as an A4 PDF to send.
    Pdf {
        /// The quote's number (or id).
        quote: String,
        /// Where to write the PDF.
        #[arg(short, long, value_name = "FILE")]
        output: PathBuf,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum StateArg {
    Draft,
    Sent,
    Accepted,
    Declined,
    Expired,
}

impl StateArg {
    fn state(self) -> QuoteState {
        match self {
            StateArg::Draft => QuoteState::Draft,
            StateArg::Sent => QuoteState::Sent,
            StateArg::Accepted => QuoteState::Accepted,
            StateArg::Declined => QuoteState::Declined,
            StateArg::Expired => QuoteState::Expired,
        }
    }
}

fn cli() -> Actor {
    Actor::system("cli")
}

pub async fn quote(app: &App, command: QuoteCommand) -> anyhow::Result<ExitCode> {
    match command {
        QuoteCommand::List { state, limit } => list(app, state, limit).await,
        QuoteCommand::Show { quote } => show(app, &quote).await,
        QuoteCommand::Create {
            customer,
            lines,
            date,
            valid_until,
        } => {
            let input = QuoteInput {
                customer: Some(PartyId(customer)),
                quote_date: date.unwrap_or_default(),
                valid_until: valid_until.unwrap_or_default(),
                currency: String::new(),
                lines: lines.iter().map(|l| parse_line(l)).collect(),
            };
            let id = quotes::create_quote(app, &cli(), &input).await?;
            out(id.0.to_string())?;
            Ok(ExitCode::SUCCESS)
        }
        QuoteCommand::Send { quote } => {
            let id = quotes::find_quote(app, &cli(), &quote).await?;
            let row = quotes::send_quote(app, &cli(), id, None).await?;
            out(format!("sent {}", quotes::display_number(&row)))?;
            Ok(ExitCode::SUCCESS)
        }
        QuoteCommand::Accept { quote } => {
            let id = quotes::find_quote(app, &cli(), &quote).await?;
            let (row, order) = quotes::accept_quote(app, &cli(), id, None).await?;
            out(format!(
                "accepted {}: order {order}",
                quotes::display_number(&row)
            ))?;
            Ok(ExitCode::SUCCESS)
        }
        QuoteCommand::Decline { quote, reason } => {
            let id = quotes::find_quote(app, &cli(), &quote).await?;
            let row = quotes::decline_quote(app, &cli(), id, None, reason.as_deref().unwrap_or(""))
                .await?;
            out(format!("declined {}", quotes::display_number(&row)))?;
            Ok(ExitCode::SUCCESS)
        }
        QuoteCommand::Pdf { quote, output } => {
            let id = quotes::find_quote(app, &cli(), &quote).await?;
            let pdf = quotes::pdf(app, &cli(), id).await?;
            crate::invoice::write_file(&output, &pdf)?;
            Ok(ExitCode::SUCCESS)
        }
    }
}

fn summary(q: &QuoteRow) -> Vec<String> {
    vec![
        q.id.to_string(),
        q.number.clone().unwrap_or_default(),
        quotes::state_of(q).name().to_owned(),
        q.quote_date.clone(),
        q.valid_until.clone(),
        q.party_name.clone(),
        format_amount(q.total_minor, &q.currency),
        q.currency.clone(),
        q.order_id.map(|o| o.to_string()).unwrap_or_default(),
    ]
}

async fn list(app: &App, state: Option<StateArg>, limit: i64) -> anyhow::Result<ExitCode> {
    let filter = QuoteFilter {
        state: state.map(StateArg::state),
        party: None,
    };
    let (rows, _) = quotes::list_quotes(app, &cli(), &filter, None, limit).await?;
    let rows: Vec<Vec<String>> = rows.iter().map(summary).collect();
    out(table_aligned(
        &[
            "id",
            "number",
            "state",
            "date",
            "valid until",
            "customer",
            "total",
            "currency",
            "order",
        ],
        &[0, 6, 8],
        &rows,
    ))?;
    Ok(ExitCode::SUCCESS)
}

async fn show(app: &App, text: &str) -> anyhow::Result<ExitCode> {
    let id = quotes::find_quote(app, &cli(), text).await?;
    let detail = quotes::quote_detail(app, &cli(), id).await?;
    let q = &detail.quote;
    let cur = q.currency.as_str();
    let mut text = format!(
        "quote:       {}\nstate:       {}\ncustomer:    {} (party {})\ndate:        {}\nvalid until: {}\ncurrency:    {}\n",
        quotes::display_number(q),
        detail.state.name(),
        q.party_name,
        q.party_id,
        q.quote_date,
        q.valid_until,
        cur
    );
    if let Some(order) = q.order_id {
        let name = q
            .order_number
            .clone()
            .unwrap_or_else(|| format!("Draft #{order}"));
        text.push_str(&format!("order:       {name} (id {order})\n"));
    }
    if !q.decline_reason.is_empty() {
        text.push_str(&format!("reason:      {}\n", q.decline_reason));
    }
    text.push('\n');
    let lines: Vec<Vec<String>> = detail
        .lines
        .iter()
        .map(|l| {
            vec![
                l.line_no.to_string(),
                l.sku.clone(),
                l.description.clone(),
                l.qty.to_string(),
                format_amount(l.unit_price_minor, cur),
                format!("{} {}", l.tax_rate_code, percent(l.vat_basis_points)),
                format_amount(l.line_net_minor, cur),
            ]
        })
        .collect();
    text.push_str(&table_aligned(
        &["line", "sku", "description", "qty", "price", "vat", "net"],
        &[0, 3, 4, 6],
        &lines,
    ));
    text.push_str("\n\n");
    let t = &detail.totals;
    text.push_str(&format!(
        "net:   {}\nvat:   {}\ntotal: {} {}",
        format_amount(t.net_minor, cur),
        format_amount(t.vat_minor, cur),
        format_amount(t.total_minor, cur),
        cur
    ));
    out(text)?;
    Ok(ExitCode::SUCCESS)
}
