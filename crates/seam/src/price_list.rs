//! `seam price-list …`: what groups of customers pay. A list has a code, a
//! currency, a default discount and item prices; a customer is assigned at
//! most one list, and order and quote lines left without a price take it.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::Subcommand;
use seam_app::price_lists::{self, discount_text};
use seam_app::{Actor, App};
use seam_domain::ids::{PartyId, PriceListId};
use seam_domain::ledger::format_amount;
use seam_domain::price_list::{ItemDraft, PriceListDraft, discounted};

use crate::output::{out, table_aligned};
use crate::party::{read_import_file, report_import_errors, write_export};

#[derive(Debug, Subcommand)]
pub enum PriceListCommand {
    /// List the price lists: code, name, currency, discount, items and customers.
    List,
    /// Show a list with its item prices and customers.
    Show {
        /// The list's code, e.g. WHOLESALE.
        code: String,
    },
    /// Create a price list.
    Create {
        /// 1 to 20 letters, digits, dots, dashes or underscores; unique, stored in upper case.
        code: String,
        /// What the list is called, e.g. "Wholesale".
        name: String,
        /// Three-letter currency code of every price on the list; never changes.
        #[arg(long, default_value = "EUR", value_name = "CODE")]
        currency: String,
        /// The default discount in percent, e.g. 10 or 12.5 (default: none).
        #[arg(long, value_name = "PERCENT")]
        discount: Option<String>,
    },
    /// Set a product's price on a list, adding it or replacing its price.
    SetPrice {
        /// The list's code.
        code: String,
        /// The product's SKU.
        sku: String,
        /// The unit price in the list's currency, e.g. 9.70.
        #[arg(allow_hyphen_values = true)]
        price: String,
        /// This item's discount in percent (default: the list's).
        #[arg(long, value_name = "PERCENT")]
        discount: Option<String>,
    },
    /// Assign a list to a customer (replacing any it had), or take it away with --none.
    Assign {
        /// The customer's party id, as `party list` shows it.
        party: i64,
        /// The list's code.
        #[arg(required_unless_present = "none")]
        code: Option<String>,
        /// Take the customer's list away.
        #[arg(long, conflicts_with = "code")]
        none: bool,
    },
    /// Export a list's item prices as CSV: sku, unit_price, discount_percent.
    Export {
        /// The list's code.
        code: String,
        /// Write to FILE instead of standard output.
        #[arg(short, long, value_name = "FILE")]
        output: Option<PathBuf>,
    },
    /// Import item prices into a list from a CSV file: all lines or none.
    ///
    /// The header names the columns sku and unit_price, and optionally
    /// discount_percent (see `price-list export`). Prices are in the list's
    /// currency and replace the products' prices on the list; other items
    /// stay. An unknown SKU, a SKU twice, a negative price or a discount over
    /// 100 % is reported as `line N: field: problem`, nothing is written,
    /// and the exit code is 1.
    Import {
        /// The list's code.
        code: String,
        file: PathBuf,
        /// Check the file and report what would be set, without writing.
        #[arg(long)]
        dry_run: bool,
    },
}

fn cli() -> Actor {
    Actor::system("cli")
}

async fn list_id(app: &App, code: &str) -> anyhow::Result<PriceListId> {
    match price_lists::price_list_by_code(app, &cli(), code).await {
        Ok(row) => Ok(PriceListId(row.id)),
        Err(seam_app::AppError::NotFound) => {
            anyhow::bail!("no price list has the code {}", code.trim())
        }
        Err(e) => Err(e.into()),
    }
}

pub async fn price_list(app: &App, command: PriceListCommand) -> anyhow::Result<ExitCode> {
    match command {
        PriceListCommand::List => {
            let rows: Vec<Vec<String>> = price_lists::list_price_lists(app, &cli())
                .await?
                .into_iter()
                .map(|r| {
                    vec![
                        r.code,
                        r.name,
                        r.currency,
                        discount_text(Some(r.discount_bp)),
                        r.items.to_string(),
                        r.customers.to_string(),
                    ]
                })
                .collect();
            out(table_aligned(
                &[
                    "code",
                    "name",
                    "currency",
                    "discount %",
                    "items",
                    "customers",
                ],
                &[3, 4, 5],
                &rows,
            ))?;
        }
        PriceListCommand::Show { code } => {
            let id = list_id(app, &code).await?;
            let d = price_lists::price_list_detail(app, &cli(), id).await?;
            let l = &d.list;
            out(format!(
                "{} {}: {}, discount {} %",
                l.code,
                l.name,
                l.currency,
                discount_text(Some(l.discount_bp))
            ))?;
            let rows: Vec<Vec<String>> = d
                .items
                .iter()
                .map(|i| {
                    vec![
                        i.sku.clone(),
                        i.product_name.clone(),
                        format_amount(i.unit_price_minor, &l.currency),
                        discount_text(i.discount_bp),
                        format_amount(
                            discounted(i.unit_price_minor, i.discount_bp.unwrap_or(l.discount_bp)),
                            &l.currency,
                        ),
                    ]
                })
                .collect();
            out(table_aligned(
                &["sku", "name", "price", "discount %", "net"],
                &[2, 3, 4],
                &rows,
            ))?;
            for c in &d.customers {
                out(format!("customer {} {}", c.party_id, c.name))?;
            }
        }
        PriceListCommand::Create {
            code,
            name,
            currency,
            discount,
        } => {
            let draft = PriceListDraft {
                code,
                name,
                currency,
                discount: discount.unwrap_or_default(),
            };
            let id = price_lists::create_price_list(app, &cli(), &draft).await?;
            let d = price_lists::price_list_detail(app, &cli(), id).await?;
            out(format!(
                "created price list {} {} ({}, discount {} %)",
                d.list.code,
                d.list.name,
                d.list.currency,
                discount_text(Some(d.list.discount_bp))
            ))?;
        }
        PriceListCommand::SetPrice {
            code,
            sku,
            price,
            discount,
        } => {
            let id = list_id(app, &code).await?;
            let draft = ItemDraft {
                unit_price: price,
                discount: discount.unwrap_or_default(),
            };
            price_lists::set_item_price(app, &cli(), id, &sku, &draft).await?;
            out(format!(
                "set the price of {} on {}",
                sku.trim().to_uppercase(),
                code.trim().to_uppercase()
            ))?;
        }
        PriceListCommand::Assign { party, code, none } => {
            let list = match (code, none) {
                (Some(code), false) => Some(list_id(app, &code).await?),
                _ => None,
            };
            price_lists::assign(app, &cli(), PartyId(party), list).await?;
            match list {
                Some(_) => out(format!("party {party} now buys from this price list"))?,
                None => out(format!("party {party} has no price list"))?,
            }
        }
        PriceListCommand::Export { code, output } => {
            let id = list_id(app, &code).await?;
            let csv = price_lists::export_csv(app, &cli(), id).await?;
            write_export(output.as_deref(), &csv, "prices")?;
        }
        PriceListCommand::Import {
            code,
            file,
            dry_run,
        } => return import(app, &code, &file, dry_run).await,
    }
    Ok(ExitCode::SUCCESS)
}

async fn import(app: &App, code: &str, file: &Path, dry_run: bool) -> anyhow::Result<ExitCode> {
    let id = list_id(app, code).await?;
    let bytes = read_import_file(file)?;
    let report = price_lists::import_csv(app, &cli(), id, &bytes, !dry_run).await?;
    if !report.errors.is_empty() {
        report_import_errors(&report.errors, file);
        return Ok(ExitCode::FAILURE);
    }
    if dry_run {
        out(format!(
            "{} prices would be set (dry run: nothing was written)",
            report.rows.len()
        ))?;
    } else {
        out(format!("set {} prices", report.saved))?;
    }
    Ok(ExitCode::SUCCESS)
}
