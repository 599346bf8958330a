//! `seam stock …`: levels per product and warehouse, receipts, count
//! adjustments and the journal of moves. Quantities are whole units.

use std::process::ExitCode;

use clap::Subcommand;
use seam_app::stock::{self, LevelFilter, MoveFilter, MoveInput, MoveRow};
use seam_app::{Actor, App};
use seam_domain::stock::MoveDraft;

use crate::output::{out, table_aligned};

#[derive(Debug, Subcommand)]
pub enum StockCommand {
    /// Stock levels by product and warehouse: on hand, reserved, available.
    Levels {
        /// Words to find at the start of words of the SKU or the product name.
        #[arg(long, value_name = "TEXT")]
        search: Option<String>,
        /// Only this warehouse (its code, e.g. MAIN).
        #[arg(long, value_name = "CODE")]
        warehouse: Option<String>,
        /// How many to show (1 to 500).
        #[arg(long, default_value_t = 50, value_parser = clap::value_parser!(i64).range(1..=500), value_name = "N")]
        limit: i64,
    },
    /// Receive goods into a warehouse (a positive whole quantity).
    Receive {
        /// The product's SKU (goods only; services have no stock).
        sku: String,
        /// How many units arrived.
        qty: String,
        /// The warehouse's code.
        #[arg(long, default_value = "MAIN", value_name = "CODE")]
        warehouse: String,
        /// The day the goods arrived, YYYY-MM-DD. [default: today]
        #[arg(long, value_name = "DATE")]
        date: Option<String>,
        /// A delivery note or supplier invoice number.
        #[arg(long, value_name = "TEXT", default_value = "")]
        reference: String,
    },
    /// Correct a count by a signed delta (e.g. -3 after a stock count), with a reason.
    ///
    /// Refused when on hand would fall below zero or below what is reserved.
    Adjust {
        /// The product's SKU.
        sku: String,
        /// The change, e.g. 5 or -3.
        #[arg(allow_negative_numbers = true)]
        delta: String,
        /// Why the count changed.
        #[arg(long, value_name = "TEXT")]
        reason: String,
        /// The warehouse's code.
        #[arg(long, default_value = "MAIN", value_name = "CODE")]
        warehouse: String,
        /// The day of the count, YYYY-MM-DD. [default: today]
        #[arg(long, value_name = "DATE")]
        date: Option<String>,
    },
    /// The journal of moves, newest first.
    Moves {
        /// Only moves of this product (its SKU).
        #[arg(long, value_name = "SKU")]
        sku: Option<String>,
        /// How many to show (1 to 500).
        #[arg(long, default_value_t = 50, value_parser = clap::value_parser!(i64).range(1..=500), value_name = "N")]
        limit: i64,
    },
}

fn cli() -> Actor {
    Actor::system("cli")
}

fn today() -> String {
    jiff::Zoned::now().date().to_string()
}

fn moved(verb: &str, row: &MoveRow) -> String {
    format!(
        "{verb} {} {:+} {} in {} ({})",
        row.number, row.qty, row.sku, row.warehouse_code, row.move_date
    )
}

pub async fn stock(app: &App, command: StockCommand) -> anyhow::Result<ExitCode> {
    match command {
        StockCommand::Levels {
            search,
            warehouse,
            limit,
        } => levels(app, search, warehouse, limit).await,
        StockCommand::Receive {
            sku,
            qty,
            warehouse,
            date,
            reference,
        } => {
            let input = MoveInput {
                product: sku,
                warehouse,
                draft: MoveDraft {
                    qty,
                    date: date.unwrap_or_else(today),
                    text: reference,
                },
            };
            let row = stock::receive(app, &cli(), &input).await?;
            out(moved("received", &row))?;
            Ok(ExitCode::SUCCESS)
        }
        StockCommand::Adjust {
            sku,
            delta,
            reason,
            warehouse,
            date,
        } => {
            let input = MoveInput {
                product: sku,
                warehouse,
                draft: MoveDraft {
                    qty: delta,
                    date: date.unwrap_or_else(today),
                    text: reason,
                },
            };
            let row = stock::adjust(app, &cli(), &input).await?;
            out(moved("adjusted", &row))?;
            Ok(ExitCode::SUCCESS)
        }
        StockCommand::Moves { sku, limit } => moves(app, sku, limit).await,
    }
}

async fn levels(
    app: &App,
    search: Option<String>,
    warehouse: Option<String>,
    limit: i64,
) -> anyhow::Result<ExitCode> {
    let warehouse_id = match warehouse {
        None => None,
        Some(code) => {
            let all = stock::warehouses(app, &cli()).await?;
            let code = code.trim().to_ascii_uppercase();
            let found = all.iter().find(|w| w.code == code);
            Some(
                found
                    .ok_or_else(|| anyhow::anyhow!("warehouse: no warehouse has the code {code}"))?
                    .id,
            )
        }
    };
    let filter = LevelFilter {
        warehouse_id,
        text: search.filter(|s| !s.trim().is_empty()),
        ..LevelFilter::default()
    };
    let page = stock::stock_levels(app, &cli(), &filter, None, limit).await?;
    let rows: Vec<Vec<String>> = page
        .rows
        .iter()
        .map(|r| {
            vec![
                r.sku.clone(),
                r.product_name.clone(),
                r.warehouse_code.clone(),
                r.on_hand_qty.to_string(),
                r.reserved_qty.to_string(),
                r.level().available().to_string(),
                r.unit.clone(),
            ]
        })
        .collect();
    out(table_aligned(
        &[
            "sku",
            "name",
            "warehouse",
            "on hand",
            "reserved",
            "available",
            "unit",
        ],
        &[3, 4, 5],
        &rows,
    ))?;
    Ok(ExitCode::SUCCESS)
}

async fn moves(app: &App, sku: Option<String>, limit: i64) -> anyhow::Result<ExitCode> {
    let product_id = match sku {
        None => None,
        Some(sku) => {
            let filter = LevelFilter {
                text: Some(sku.clone()),
                ..LevelFilter::default()
            };
            let page = stock::stock_levels(app, &cli(), &filter, None, 500).await?;
            let sku = sku.trim().to_ascii_uppercase();
            let found = page.rows.iter().find(|r| r.sku == sku);
            match found {
                Some(r) => Some(r.product_id),
                None => {
                    out("no moves")?;
                    return Ok(ExitCode::SUCCESS);
                }
            }
        }
    };
    let filter = MoveFilter {
        product_id,
        ..MoveFilter::default()
    };
    let (rows, _) = stock::moves(app, &cli(), &filter, None, limit).await?;
    let rows: Vec<Vec<String>> = rows
        .iter()
        .map(|m| {
            vec![
                m.number.clone(),
                m.move_date.clone(),
                m.kind.clone(),
                m.sku.clone(),
                m.warehouse_code.clone(),
                format!("{:+}", m.qty),
                m.reference.clone(),
                m.posted_by.clone(),
            ]
        })
        .collect();
    out(table_aligned(
        &[
            "number",
            "date",
            "kind",
            "sku",
            "warehouse",
            "qty",
            "reference",
            "by",
        ],
        &[5],
        &rows,
    ))?;
    Ok(ExitCode::SUCCESS)
}
