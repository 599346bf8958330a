//! `seam payment …` and `seam rate …`: customers' payments and what they
//! settle, and the exchange rates foreign-currency documents are booked at.

use std::process::ExitCode;

use clap::Subcommand;
use seam_app::invoicing::{self, PaymentInput};
use seam_app::{Actor, App, AppError};
use seam_domain::FieldErrors;
use seam_domain::invoice::{format_rate, parse_rate};
use seam_domain::ledger::{format_amount, parse_amount, parse_currency};

use crate::output::{out, table_aligned};

#[derive(Debug, Subcommand)]
pub enum PaymentCommand {
    /// Record a customer's payment and print its number.
    ///
    /// It is booked at the rate of its date. Without --invoice it settles the
    /// party's open invoices in its currency, oldest due first; what it does
    /// not settle is the customer's credit balance.
    Record {
        /// The paying party's id.
        #[arg(long, value_name = "PARTY_ID")]
        party: i64,
        /// The amount received, e.g. 125.00.
        #[arg(long, value_name = "AMOUNT")]
        amount: String,
        /// ISO 4217 code. [default: the company currency]
        #[arg(long, value_name = "CODE")]
        currency: Option<String>,
        /// The date the money arrived, YYYY-MM-DD. [default: today]
        #[arg(long, value_name = "DATE")]
        date: Option<String>,
        /// The bank's reference or the remittance text.
        #[arg(long)]
        reference: Option<String>,
        /// An invoice it settles: NUMBER or NUMBER:AMOUNT (without an amount,
        /// what is due on it, as far as the payment reaches); repeat for more
        /// invoices.
        #[arg(long = "invoice", value_name = "NUMBER[:AMOUNT]")]
        invoices: Vec<String>,
    },
    /// List payments, newest first.
    List {
        /// Only this party's payments.
        #[arg(long, value_name = "PARTY_ID")]
        party: Option<i64>,
        /// How many to show (1 to 500).
        #[arg(long, default_value_t = 50, value_parser = clap::value_parser!(i64).range(1..=500), value_name = "N")]
        limit: i64,
    },
}

#[derive(Debug, Subcommand)]
pub enum RateCommand {
    /// Set what one unit of a foreign currency buys in the company currency
    /// from a date on (replacing a rate set for the same day).
    Set {
        /// ISO 4217 code, e.g. USD.
        currency: String,
        /// Company currency per unit, e.g. 0.9215 (up to nine decimals).
        rate: String,
        /// The first day it applies, YYYY-MM-DD. [default: today]
        #[arg(long, value_name = "DATE")]
        date: Option<String>,
    },
    /// List the latest rates, newest first.
    List,
}

fn cli() -> Actor {
    Actor::system("cli")
}

/// The use case's field names as the options that carry them.
fn option_names(errors: &FieldErrors, invoices: &[String]) -> FieldErrors {
    let mut renamed = FieldErrors::new();
    for e in errors.iter() {
        let field = match e.field.as_str() {
            "party" => "--party".to_owned(),
            "amount" => "--amount".to_owned(),
            "currency" => "--currency".to_owned(),
            "payment_date" => "--date".to_owned(),
            "reference" => "--reference".to_owned(),
            "allocations" => "--invoice".to_owned(),
            other => allocation_index(other)
                .and_then(|i| invoices.get(i))
                .map(|text| format!("--invoice {text}"))
                .unwrap_or_else(|| other.to_owned()),
        };
        renamed.add(&field, e.code);
    }
    renamed
}

/// `allocations[3].amount` → 2 (from 0).
fn allocation_index(field: &str) -> Option<usize> {
    let rest = field.strip_prefix("allocations[")?;
    let (n, _) = rest.split_once(']')?;
    n.parse::<usize>().ok()?.checked_sub(1)
}

pub async fn payment(app: &App, command: PaymentCommand) -> anyhow::Result<ExitCode> {
    match command {
        PaymentCommand::Record {
            party,
            amount,
            currency,
            date,
            reference,
            invoices,
        } => record(app, party, amount, currency, date, reference, invoices).await,
        PaymentCommand::List { party, limit } => list(app, party, limit).await,
    }
}

async fn record(
    app: &App,
    party: i64,
    payment_amount: String,
    currency: Option<String>,
    date: Option<String>,
    reference: Option<String>,
    invoices: Vec<String>,
) -> anyhow::Result<ExitCode> {
    let mut allocations = Vec::new();
    let mut errors = FieldErrors::new();
    // What is left of the payment for invoices named without an amount.
    let mut left: Option<i64> = None;
    for text in &invoices {
        let (number, amount) = match text.split_once(':') {
            Some((n, a)) => (n.trim(), Some(a.trim().to_owned())),
            None => (text.trim(), None),
        };
        match invoicing::invoice_by_number(app, &cli(), number).await {
            Ok(d) => {
                let cur = d.invoice.currency.as_str();
                let paid = left.or_else(|| parse_amount(&payment_amount, cur).ok());
                let amount = match amount {
                    Some(amount) => {
                        let named = parse_amount(&amount, cur).unwrap_or(0);
                        left = paid.map(|p| (p - named).max(0));
                        amount
                    }
                    None => {
                        // What is due on it, as far as the payment reaches.
                        let due = d.invoice.due_minor();
                        let take = paid.map_or(due, |p| p.min(due));
                        left = paid.map(|p| p - take);
                        format_amount(take, cur)
                    }
                };
                allocations.push((d.invoice.id, amount));
            }
            Err(AppError::NotFound) => {
                errors.add(&format!("--invoice {text}"), "error-unknown-invoice");
            }
            Err(e) => return Err(e.into()),
        }
    }
    if !errors.is_empty() {
        return Err(AppError::Invalid(errors).into());
    }
    let input = PaymentInput {
        party_id: party,
        payment_date: date.unwrap_or_default(),
        currency: currency.unwrap_or_default(),
        amount: payment_amount,
        reference: reference.unwrap_or_default(),
        allocations,
    };
    let recorded = match invoicing::record_payment(app, &cli(), &input).await {
        Ok(r) => r,
        Err(AppError::Invalid(errors)) => {
            return Err(AppError::Invalid(option_names(&errors, &invoices)).into());
        }
        Err(e) => return Err(e.into()),
    };
    let (row, allocations) = invoicing::payment(app, &cli(), recorded.id).await?;
    let cur = row.currency.as_str();
    let mut text = format!(
        "recorded {} (journal entry {}): {} {cur}",
        recorded.number,
        recorded.entry_number,
        format_amount(row.amount_minor, cur)
    );
    for a in &allocations {
        text.push_str(&format!(
            "\n  settles {} {}",
            a.invoice_number.as_deref().unwrap_or("?"),
            format_amount(a.amount_minor, cur)
        ));
    }
    if recorded.unallocated_minor != 0 {
        text.push_str(&format!(
            "\n  customer credit {}",
            format_amount(recorded.unallocated_minor, cur)
        ));
    }
    if recorded.exchange_difference_minor != 0 {
        let company = seam_app::company::currency(app).await?;
        text.push_str(&format!(
            "\n  exchange {} {} {company}",
            if recorded.exchange_difference_minor > 0 {
                "gain"
            } else {
                "loss"
            },
            format_amount(recorded.exchange_difference_minor.abs(), &company)
        ));
    }
    out(text)?;
    Ok(ExitCode::SUCCESS)
}

async fn list(app: &App, party: Option<i64>, limit: i64) -> anyhow::Result<ExitCode> {
    let (rows, _) = invoicing::list_payments(app, &cli(), party, None, limit).await?;
    let rows: Vec<Vec<String>> = rows
        .iter()
        .map(|p| {
            vec![
                p.id.to_string(),
                p.number.clone(),
                p.payment_date.clone(),
                p.party_name.clone(),
                format_amount(p.amount_minor, &p.currency),
                format_amount(p.unallocated_minor, &p.currency),
                p.currency.clone(),
                p.reference.clone(),
            ]
        })
        .collect();
    out(table_aligned(
        &[
            "id",
            "number",
            "date",
            "party",
            "amount",
            "unallocated",
            "currency",
            "reference",
        ],
        &[0, 4, 5],
        &rows,
    ))?;
    Ok(ExitCode::SUCCESS)
}

pub async fn rate(app: &App, command: RateCommand) -> anyhow::Result<ExitCode> {
    match command {
        RateCommand::Set {
            currency,
            rate,
            date,
        } => {
            let date = date.unwrap_or_else(|| jiff::Zoned::now().date().to_string());
            invoicing::set_rate(app, &cli(), &currency, &date, &rate).await?;
            out(format!(
                "1 {} = {} {} from {date}",
                parse_currency(&currency).unwrap_or_else(|| currency.clone()),
                parse_rate(&rate)
                    .map(format_rate)
                    .unwrap_or_else(|_| rate.clone()),
                seam_app::company::currency(app).await?
            ))?;
            Ok(ExitCode::SUCCESS)
        }
        RateCommand::List => {
            let rows: Vec<Vec<String>> = invoicing::rates(app, &cli())
                .await?
                .into_iter()
                .map(|r| {
                    vec![
                        r.currency,
                        r.rate_date,
                        format_rate(r.rate_e9),
                        r.created_by,
                    ]
                })
                .collect();
            out(table_aligned(
                &["currency", "date", "rate", "set by"],
                &[2],
                &rows,
            ))?;
            Ok(ExitCode::SUCCESS)
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn errors_name_the_options_that_carry_them() {
        let mut errors = FieldErrors::one("amount", "error-amount");
        errors.add("allocations[2].amount", "error-pay-too-much");
        errors.add("payment_date", "error-date");
        let invoices = vec!["INV-1".to_owned(), "INV-2:5.00".to_owned()];
        let named: Vec<String> = option_names(&errors, &invoices)
            .iter()
            .map(|e| e.field.clone())
            .collect();
        assert_eq!(named, ["--amount", "--invoice INV-2:5.00", "--date"]);
    }
}
