//! `seam order …`: sales orders for customers. Create a draft, confirm it
//! (numbered, its goods reserved all or nothing) or cancel it (reservations
//! given back), ship it (stock out, cost of goods booked), list and show
//! them. Amounts are exact decimals.

use std::process::ExitCode;

use clap::{Subcommand, ValueEnum};
use seam_app::fulfilment;
use seam_app::sales::{self, LineInput, OrderFilter, OrderInput, OrderRow};
use seam_app::{Actor, App};
use seam_domain::ids::PartyId;
use seam_domain::ledger::format_amount;

use crate::output::{out, table_aligned};

#[derive(Debug, Subcommand)]
pub enum OrderCommand {
    /// List orders, newest first.
    List {
        /// Only orders in this state.
        #[arg(long, value_enum, value_name = "STATE")]
        state: Option<StateArg>,
        /// How many to show (1 to 500).
        #[arg(long, default_value_t = 50, value_parser = clap::value_parser!(i64).range(1..=500), value_name = "N")]
        limit: i64,
    },
    /// Show an order: its lines, the VAT per rate and the totals.
    Show {
        /// The order's number (SO-2026-000001) or its id (as `order list` shows drafts).
        order: String,
    },
    /// Create a draft order for a customer and print its id.
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
        /// The order's date, YYYY-MM-DD. [default: today]
        #[arg(long, value_name = "DATE")]
        date: Option<String>,
    },
    /// Confirm a draft: number it and reserve its goods, all or nothing.
    ///
    /// Exits 1 and names every line without enough stock; nothing is reserved then.
    Confirm {
        /// The draft's id (or number).
        order: String,
    },
    /// Cancel a draft or a confirmed order; a confirmed order's reservations are released.
    Cancel {
        /// The order's number or id.
        order: String,
    },
    /// Ship everything a confirmed order has left: reservations released,
    /// goods issued from stock, their cost booked; prints the shipment's number.
    Ship {
        /// The order's number or id.
        order: String,
        /// The ship date, YYYY-MM-DD. [default: today]
        #[arg(long, value_name = "DATE")]
        date: Option<String>,
        /// The carrier's tracking reference.
        #[arg(long, value_name = "REFERENCE")]
        tracking: Option<String>,
    },
    /// Take goods back from the customer: the quantities return to stock and
    /// their cost comes back out of cost of goods sold; prints the return's number.
    Return {
        /// The order's number or id.
        order: String,
        /// An order line and the quantity that came back, as LINE:QTY; repeat for more lines.
        #[arg(long = "line", value_name = "LINE:QTY", required = true)]
        lines: Vec<String>,
        /// The return date, YYYY-MM-DD. [default: today]
        #[arg(long, value_name = "DATE")]
        date: Option<String>,
        /// Why the goods came back.
        #[arg(long, value_name = "TEXT")]
        reason: Option<String>,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum StateArg {
    Draft,
    Confirmed,
    Shipped,
    Cancelled,
}

impl StateArg {
    fn name(self) -> &'static str {
        match self {
            StateArg::Draft => "draft",
            StateArg::Confirmed => "confirmed",
            StateArg::Shipped => "shipped",
            StateArg::Cancelled => "cancelled",
        }
    }
}

fn cli() -> Actor {
    Actor::system("cli")
}

/// `SKU:QTY[:PRICE]` as a line; missing parts stay empty and are reported
/// by the order's validation under the line's field names.
pub(crate) fn parse_line(text: &str) -> LineInput {
    let mut parts = text.splitn(3, ':');
    LineInput {
        product: parts.next().unwrap_or_default().trim().to_owned(),
        qty: parts.next().unwrap_or_default().trim().to_owned(),
        unit_price: parts.next().unwrap_or_default().trim().to_owned(),
    }
}

/// A VAT rate in basis points as a percentage: 1900 → `19%`, 750 → `7.5%`.
pub(crate) fn percent(bp: i64) -> String {
    let whole = bp / 100;
    let frac = (bp % 100).abs();
    if frac == 0 {
        format!("{whole}%")
    } else {
        let text = format!("{whole}.{frac:02}");
        format!("{}%", text.trim_end_matches('0'))
    }
}

pub async fn order(app: &App, command: OrderCommand) -> anyhow::Result<ExitCode> {
    match command {
        OrderCommand::List { state, limit } => list(app, state, limit).await,
        OrderCommand::Show { order } => show(app, &order).await,
        OrderCommand::Create {
            customer,
            lines,
            date,
        } => {
            let input = OrderInput {
                customer: Some(PartyId(customer)),
                order_date: date.unwrap_or_default(),
                currency: String::new(),
                lines: lines.iter().map(|l| parse_line(l)).collect(),
            };
            let id = sales::create_order(app, &cli(), &input).await?;
            out(id.0.to_string())?;
            Ok(ExitCode::SUCCESS)
        }
        OrderCommand::Confirm { order } => {
            let id = sales::find_order(app, &cli(), &order).await?;
            let row = sales::confirm_order(app, &cli(), id, None).await?;
            out(format!("confirmed {}", sales::display_number(&row)))?;
            Ok(ExitCode::SUCCESS)
        }
        OrderCommand::Cancel { order } => {
            let id = sales::find_order(app, &cli(), &order).await?;
            let row = sales::cancel_order(app, &cli(), id, None).await?;
            out(format!("cancelled {}", sales::display_number(&row)))?;
            Ok(ExitCode::SUCCESS)
        }
        OrderCommand::Ship {
            order,
            date,
            tracking,
        } => {
            let id = sales::find_order(app, &cli(), &order).await?;
            let input = fulfilment::ShipInput {
                lines: fulfilment::ShipLines::Remaining,
                ship_date: date.unwrap_or_default(),
                tracking_reference: tracking.unwrap_or_default(),
            };
            let shipped = fulfilment::ship_order(app, &cli(), id, &input).await?;
            out(format!(
                "shipped {} (order {})",
                shipped.shipment.number,
                shipped.order_state.name()
            ))?;
            Ok(ExitCode::SUCCESS)
        }
        OrderCommand::Return {
            order,
            lines,
            date,
            reason,
        } => {
            let id = sales::find_order(app, &cli(), &order).await?;
            let mut parsed = Vec::with_capacity(lines.len());
            for text in &lines {
                let pair = text
                    .split_once(':')
                    .and_then(|(l, q)| Some((l.trim().parse().ok()?, q.trim().parse().ok()?)));
                match pair {
                    Some(p) => parsed.push(p),
                    None => {
                        eprintln!(
                            "--line {text}: write the order line and the quantity as LINE:QTY, like 1:2"
                        );
                        return Ok(ExitCode::FAILURE);
                    }
                }
            }
            let input = fulfilment::ReturnInput {
                lines: parsed,
                return_date: date.unwrap_or_default(),
                reason: reason.unwrap_or_default(),
            };
            let returned = fulfilment::return_goods(app, &cli(), id, &input).await?;
            out(format!("returned {}", returned.customer_return.number))?;
            Ok(ExitCode::SUCCESS)
        }
    }
}

fn summary(o: &OrderRow) -> Vec<String> {
    vec![
        o.id.to_string(),
        o.number.clone().unwrap_or_default(),
        o.state.clone(),
        o.order_date.clone(),
        o.party_name.clone(),
        format_amount(o.net_minor, &o.currency),
        format_amount(o.vat_minor, &o.currency),
        format_amount(o.total_minor, &o.currency),
        o.currency.clone(),
    ]
}

async fn list(app: &App, state: Option<StateArg>, limit: i64) -> anyhow::Result<ExitCode> {
    let filter = OrderFilter {
        state: state.map(|s| s.name().to_owned()),
        ..OrderFilter::default()
    };
    let (rows, _) = sales::list_orders(app, &cli(), &filter, None, limit).await?;
    let rows: Vec<Vec<String>> = rows.iter().map(summary).collect();
    out(table_aligned(
        &[
            "id", "number", "state", "date", "customer", "net", "vat", "total", "currency",
        ],
        &[0, 5, 6, 7],
        &rows,
    ))?;
    Ok(ExitCode::SUCCESS)
}

async fn show(app: &App, text: &str) -> anyhow::Result<ExitCode> {
    let id = sales::find_order(app, &cli(), text).await?;
    let detail = sales::order_detail(app, &cli(), id).await?;
    let o = &detail.order;
    let cur = o.currency.as_str();
    let mut text = format!(
        "order:    {}\nstate:    {}\ncustomer: {} (party {})\ndate:     {}\ncurrency: {}\n\n",
        sales::display_number(o),
        o.state,
        o.party_name,
        o.party_id,
        o.order_date,
        cur
    );
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
    let vat: Vec<Vec<String>> = detail
        .totals
        .breakdown
        .iter()
        .map(|b| {
            vec![
                b.tax_rate_code.clone(),
                percent(b.vat_basis_points),
                format_amount(b.base_minor, cur),
                format_amount(b.vat_minor, cur),
            ]
        })
        .collect();
    text.push_str(&table_aligned(
        &["vat rate", "%", "base", "vat"],
        &[1, 2, 3],
        &vat,
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

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn a_line_is_split_at_its_colons() {
        let l = parse_line("CHAIR-01:3:24.90");
        assert_eq!(
            (l.product.as_str(), l.qty.as_str(), l.unit_price.as_str()),
            ("CHAIR-01", "3", "24.90")
        );
        let l = parse_line("CHAIR-01");
        assert_eq!((l.qty.as_str(), l.unit_price.as_str()), ("", ""));
    }

    #[test]
    fn rates_read_as_percentages() {
        assert_eq!(percent(1900), "19%");
        assert_eq!(percent(750), "7.5%");
        assert_eq!(percent(0), "0%");
        assert_eq!(percent(1025), "10.25%");
    }
}
