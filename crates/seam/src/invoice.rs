//! `seam invoice …`: invoices from what an order shipped, posting them to
//! the ledger (numbered, booked), cancelling drafts, credit notes, and the
//! documents that go out: EN 16931 UBL and PDF. Amounts are exact decimals.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Context;
use clap::{Subcommand, ValueEnum};
use seam_app::invoicing::{
    self, CreditInput, CreditLines, InvoiceDetail, InvoiceFilter, InvoiceInput, InvoiceRow,
};
use seam_app::sales;
use seam_app::{Actor, App, AppError};
use seam_domain::invoice::InvoiceState;
use seam_domain::ledger::format_amount;

use crate::order::percent;
use crate::output::{out, out_raw, table_aligned};

#[derive(Debug, Subcommand)]
pub enum InvoiceCommand {
    /// List invoices and credit notes, newest first.
    List {
        /// Only documents in this state.
        #[arg(long, value_enum, value_name = "STATE")]
        state: Option<StateArg>,
        /// Only invoices or only credit notes.
        #[arg(long, value_enum, value_name = "KIND")]
        kind: Option<KindArg>,
        /// Only this party's documents (its id).
        #[arg(long, value_name = "PARTY_ID")]
        party: Option<i64>,
        /// Only posted invoices with something still due.
        #[arg(long)]
        open: bool,
        /// How many to show (1 to 500).
        #[arg(long, default_value_t = 50, value_parser = clap::value_parser!(i64).range(1..=500), value_name = "N")]
        limit: i64,
    },
    /// Show a document: its lines, totals, what settled it and its credit notes.
    Show {
        /// The number (INV-2026-000001, CN-2026-000001) or, for a draft, its id.
        invoice: String,
    },
    /// Draft an invoice for what an order has shipped (goods) or ordered
    /// (services) and not yet invoiced; prints the draft's id.
    Create {
        /// The order's number (SO-2026-000001) or id.
        order: String,
        /// The issue date, YYYY-MM-DD. [default: today]
        #[arg(long, value_name = "DATE")]
        date: Option<String>,
        /// Days until the invoice is due, 0 to 365. [default: 30]
        #[arg(long, value_name = "DAYS")]
        terms_days: Option<String>,
        /// A note printed on the invoice.
        #[arg(long)]
        note: Option<String>,
    },
    /// Post drafts: each takes the next number of its series and is booked
    /// in the ledger, one transaction each, in the order given.
    ///
    /// Stops at the first that fails; the ones before it stay posted.
    Post {
        /// The drafts' ids (or numbers).
        #[arg(required = true)]
        invoices: Vec<String>,
    },
    /// Cancel a draft invoice or credit note. Posted documents are corrected by a credit note.
    Cancel {
        /// The draft's id.
        invoice: String,
    },
    /// Draft a credit note against a posted invoice; prints the draft's id.
    ///
    /// Without --line, everything not credited yet is credited.
    Credit {
        /// The invoice's number (or id).
        invoice: String,
        /// A line to credit: LINE:QTY, the invoice's line number and the
        /// quantity, e.g. 1:2; repeat for more lines.
        #[arg(long = "line", value_parser = parse_credit_line, value_name = "LINE:QTY")]
        lines: Vec<(i64, i64)>,
        /// Why the invoice is corrected; printed on the credit note.
        #[arg(long)]
        reason: Option<String>,
        /// The issue date, YYYY-MM-DD. [default: today]
        #[arg(long, value_name = "DATE")]
        date: Option<String>,
    },
    /// Write a posted document as EN 16931 UBL 2.1 XML.
    Ubl {
        /// The number (or id).
        invoice: String,
        /// Write to FILE instead of standard output.
        #[arg(short, long, value_name = "FILE")]
        output: Option<PathBuf>,
    },
    /// Queue an e-mail of a posted document to its customer, with its PDF and UBL XML attached.
    ///
    /// A running `seam serve` (or `seam jobs work`) sends it through the
    /// SMTP server `seam mail set` names; prints the job's id.
    Email {
        /// The number (or id).
        invoice: String,
        /// Send it here instead of the customer's e-mail.
        #[arg(long, value_name = "ADDRESS")]
        to: Option<String>,
    },
    /// Write a posted document as an A4 PDF.
    Pdf {
        /// The number (or id).
        invoice: String,
        /// Where to write the PDF.
        #[arg(short, long, value_name = "FILE")]
        output: PathBuf,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum StateArg {
    Draft,
    Posted,
    Paid,
    Cancelled,
}

impl StateArg {
    fn state(self) -> InvoiceState {
        match self {
            StateArg::Draft => InvoiceState::Draft,
            StateArg::Posted => InvoiceState::Posted,
            StateArg::Paid => InvoiceState::Paid,
            StateArg::Cancelled => InvoiceState::Cancelled,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum KindArg {
    Invoice,
    CreditNote,
}

impl KindArg {
    fn name(self) -> &'static str {
        match self {
            KindArg::Invoice => "invoice",
            KindArg::CreditNote => "credit_note",
        }
    }
}

/// `LINE:QTY` as two whole numbers.
fn parse_credit_line(text: &str) -> Result<(i64, i64), String> {
    let bad =
        || format!("`{text}` is not LINE:QTY, e.g. 1:2 (the invoice's line number and a quantity)");
    let (line, qty) = text.split_once(':').ok_or_else(bad)?;
    let line = line.trim().parse::<i64>().map_err(|_| bad())?;
    let qty = qty.trim().parse::<i64>().map_err(|_| bad())?;
    Ok((line, qty))
}

fn cli() -> Actor {
    Actor::system("cli")
}

/// A document named by its number (`INV-2026-000001`), or by its id (`12`,
/// `#12`, as lists show drafts).
pub(crate) async fn find(app: &App, text: &str) -> anyhow::Result<InvoiceDetail> {
    let text = text.trim();
    let found = match text.trim_start_matches('#').parse::<i64>() {
        Ok(id) => invoicing::invoice(app, &cli(), id).await,
        Err(_) => invoicing::invoice_by_number(app, &cli(), text).await,
    };
    match found {
        Ok(detail) => Ok(detail),
        Err(AppError::NotFound) => Err(anyhow::anyhow!("no invoice or credit note {text}")),
        Err(e) => Err(e.into()),
    }
}

pub async fn invoice(app: &App, command: InvoiceCommand) -> anyhow::Result<ExitCode> {
    match command {
        InvoiceCommand::List {
            state,
            kind,
            party,
            open,
            limit,
        } => {
            let filter = InvoiceFilter {
                kind: kind.map(|k| k.name().to_owned()),
                state: state.map(|s| s.state().name().to_owned()),
                party_id: party,
                order_id: None,
                open,
                ..InvoiceFilter::default()
            };
            list(app, &filter, limit).await
        }
        InvoiceCommand::Show { invoice } => show(app, &invoice).await,
        InvoiceCommand::Create {
            order,
            date,
            terms_days,
            note,
        } => {
            let order = sales::find_order(app, &cli(), &order).await?;
            let input = InvoiceInput {
                issue_date: date.unwrap_or_default(),
                terms_days: terms_days.unwrap_or_default(),
                note: note.unwrap_or_default(),
            };
            let id = invoicing::invoice_order(app, &cli(), order, &input).await?;
            out(id.to_string())?;
            Ok(ExitCode::SUCCESS)
        }
        InvoiceCommand::Post { invoices } => {
            for text in &invoices {
                let detail = find(app, text).await?;
                let posted = invoicing::post_invoice(app, &cli(), detail.invoice.id)
                    .await
                    .with_context(|| format!("cannot post {text}"))?;
                out(format!(
                    "posted {} (journal entry {}, {})",
                    posted.number,
                    posted.entry_number,
                    posted.state.name()
                ))?;
            }
            Ok(ExitCode::SUCCESS)
        }
        InvoiceCommand::Cancel { invoice } => {
            let detail = find(app, &invoice).await?;
            invoicing::cancel_invoice(app, &cli(), detail.invoice.id).await?;
            out(format!(
                "cancelled {}",
                invoicing::display_number(&detail.invoice)
            ))?;
            Ok(ExitCode::SUCCESS)
        }
        InvoiceCommand::Credit {
            invoice,
            lines,
            reason,
            date,
        } => {
            let detail = find(app, &invoice).await?;
            let input = CreditInput {
                lines: if lines.is_empty() {
                    CreditLines::Remaining
                } else {
                    CreditLines::These(lines)
                },
                issue_date: date.unwrap_or_default(),
                reason: reason.unwrap_or_default(),
            };
            let id = invoicing::credit_invoice(app, &cli(), detail.invoice.id, &input).await?;
            out(id.to_string())?;
            Ok(ExitCode::SUCCESS)
        }
        InvoiceCommand::Ubl { invoice, output } => {
            let detail = find(app, &invoice).await?;
            let xml = invoicing::ubl(app, &cli(), detail.invoice.id).await?;
            match output {
                Some(path) => write_file(&path, xml.as_bytes())?,
                None => out_raw(&xml)?,
            }
            Ok(ExitCode::SUCCESS)
        }
        InvoiceCommand::Email { invoice, to } => {
            let detail = find(app, &invoice).await?;
            let job =
                invoicing::email_invoice(app, &cli(), detail.invoice.id, to.as_deref()).await?;
            out(format!(
                "queued e-mail of {} as job {job}",
                invoicing::display_number(&detail.invoice)
            ))?;
            Ok(ExitCode::SUCCESS)
        }
        InvoiceCommand::Pdf { invoice, output } => {
            let detail = find(app, &invoice).await?;
            let pdf = invoicing::pdf(app, &cli(), detail.invoice.id).await?;
            write_file(&output, &pdf)?;
            Ok(ExitCode::SUCCESS)
        }
    }
}

/// Writes `bytes` beside `path` first and renames it, so `path` is never half written.
pub(crate) fn write_file(path: &Path, bytes: &[u8]) -> anyhow::Result<()> {
    let mut partial = path.as_os_str().to_owned();
    partial.push(".partial");
    let partial = PathBuf::from(partial);
    std::fs::write(&partial, bytes)
        .and_then(|()| std::fs::rename(&partial, path))
        .with_context(|| format!("cannot write {}", path.display()))
}

fn summary(r: &InvoiceRow) -> Vec<String> {
    let due = if r.state == InvoiceState::Posted.name() {
        r.due_minor()
    } else {
        0
    };
    vec![
        r.id.to_string(),
        invoicing::display_number(r),
        r.kind.replace('_', " "),
        r.state.clone(),
        r.issue_date.clone(),
        r.due_date.clone(),
        r.party_name.clone(),
        format_amount(r.total_minor, &r.currency),
        format_amount(due, &r.currency),
        r.currency.clone(),
    ]
}

async fn list(app: &App, filter: &InvoiceFilter, limit: i64) -> anyhow::Result<ExitCode> {
    let (rows, _) = invoicing::list_invoices(app, &cli(), filter, None, limit).await?;
    let rows: Vec<Vec<String>> = rows.iter().map(summary).collect();
    out(table_aligned(
        &[
            "id", "number", "kind", "state", "issued", "due date", "party", "total", "due",
            "currency",
        ],
        &[0, 7, 8],
        &rows,
    ))?;
    Ok(ExitCode::SUCCESS)
}

async fn show(app: &App, text: &str) -> anyhow::Result<ExitCode> {
    let detail = find(app, text).await?;
    let r = &detail.invoice;
    let cur = r.currency.as_str();
    let mut text = format!(
        "{}: {}\nstate:    {}\nparty:    {} (party {})\nissued:   {}\ndue date: {}\ncurrency: {}\n",
        r.kind.replace('_', " "),
        invoicing::display_number(r),
        r.state,
        r.party_name,
        r.party_id,
        r.issue_date,
        r.due_date,
        cur
    );
    if let Some(order) = &r.order_number {
        text.push_str(&format!("order:    {order}\n"));
    }
    if let Some(credited) = &r.credited_invoice_number {
        text.push_str(&format!("credits:  {credited}\n"));
    }
    if let Some(entry) = &detail.journal_entry_number {
        text.push_str(&format!("journal:  {entry}\n"));
    }
    if !r.note.is_empty() {
        text.push_str(&format!("note:     {}\n", r.note));
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
    let due = if r.state == InvoiceState::Posted.name() {
        r.due_minor()
    } else {
        0
    };
    text.push_str(&format!(
        "\n\nnet:     {}\nvat:     {}\ntotal:   {} {cur}\nsettled: {}\ndue:     {}",
        format_amount(r.net_minor, cur),
        format_amount(r.vat_minor, cur),
        format_amount(r.total_minor, cur),
        format_amount(r.settled_minor, cur),
        format_amount(due, cur),
    ));
    if !detail.payments.is_empty() {
        let rows: Vec<Vec<String>> = detail
            .payments
            .iter()
            .map(|a| {
                vec![
                    a.payment_number.clone(),
                    a.payment_date.clone(),
                    format_amount(a.amount_minor, cur),
                ]
            })
            .collect();
        text.push_str("\n\n");
        text.push_str(&table_aligned(&["payment", "date", "amount"], &[2], &rows));
    }
    if !detail.credit_notes.is_empty() {
        let rows: Vec<Vec<String>> = detail
            .credit_notes
            .iter()
            .map(|c| {
                vec![
                    invoicing::display_number(c),
                    c.state.clone(),
                    c.issue_date.clone(),
                    format_amount(c.total_minor, cur),
                ]
            })
            .collect();
        text.push_str("\n\n");
        text.push_str(&table_aligned(
            &["credit note", "state", "issued", "total"],
            &[3],
            &rows,
        ));
    }
    out(text)?;
    Ok(ExitCode::SUCCESS)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn a_credit_line_is_a_line_number_and_a_quantity() {
        assert_eq!(parse_credit_line("1:2"), Ok((1, 2)));
        assert_eq!(parse_credit_line(" 3 : 10 "), Ok((3, 10)));
        assert!(parse_credit_line("1").unwrap_err().contains("LINE:QTY"));
        assert!(parse_credit_line("a:2").is_err());
    }
}
