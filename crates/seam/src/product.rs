//! `seam product …` and `seam tax-rate …`: the catalogue of goods and
//! services, and the VAT rates they are sold under.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::Subcommand;
use seam_app::products::{self, ArchiveFilter, ProductFilter, ProductSort};
use seam_app::{Actor, App};
use seam_domain::ledger::format_amount;
use seam_domain::product::{ProductDraft, TaxRateDraft};

use crate::output::{out, table_aligned, yes_no};
use crate::party::{read_import_file, report_import_errors, write_export};

#[derive(Debug, Subcommand)]
pub enum ProductCommand {
    /// List products by SKU: active ones, or all with --all.
    List {
        /// Words to find at the start of words of the SKU or the name.
        #[arg(long, value_name = "TEXT")]
        search: Option<String>,
        /// Only goods or only services.
        #[arg(long, value_name = "KIND", value_parser = ["goods", "service"])]
        kind: Option<String>,
        /// Archived products too.
        #[arg(long)]
        all: bool,
        /// How many to show (1 to 500).
        #[arg(long, default_value_t = 50, value_parser = clap::value_parser!(i64).range(1..=500), value_name = "N")]
        limit: i64,
    },
    /// Add a product or service to the catalogue.
    Add {
        /// Up to 40 letters, digits, dots, dashes or underscores; unique. Stored in upper case.
        sku: String,
        /// What the product is called, e.g. "Espresso beans, 1 kg".
        name: String,
        /// goods or service: decides the default revenue account (4000 or 4100).
        #[arg(long, value_name = "KIND")]
        kind: String,
        /// UN/ECE Rec 20 unit: C62 (piece), HUR, MIN, DAY, MON, KGM, MTR, MTK or LTR.
        #[arg(long, default_value = "C62", value_name = "CODE")]
        unit: String,
        /// The list price, e.g. 24.90; no more decimals than the currency has.
        #[arg(long, value_name = "AMOUNT")]
        price: String,
        /// Three-letter currency code of both prices.
        #[arg(long, default_value = "EUR", value_name = "CODE")]
        currency: String,
        /// What one unit costs the business (default: none).
        #[arg(long, value_name = "AMOUNT")]
        cost: Option<String>,
        /// The tax rate's code, as `tax-rate list` shows them, e.g. S25.
        #[arg(long, value_name = "CODE")]
        tax_rate: String,
        /// The revenue account's code (default: 4000 for goods, 4100 for services).
        #[arg(long, value_name = "CODE")]
        revenue_account: Option<String>,
    },
    /// Export products as CSV (the import format), by SKU.
    Export {
        /// Archived products too.
        #[arg(long)]
        all: bool,
        /// Write to FILE instead of standard output.
        #[arg(short, long, value_name = "FILE")]
        output: Option<PathBuf>,
    },
    /// Import products from a CSV file: all rows or none.
    ///
    /// The header names the columns sku, name, kind, unit, list_price,
    /// currency and tax_rate, and optionally standard_cost and
    /// revenue_account (see `product export`). A SKU that is in the file
    /// twice or in the catalogue already, an unknown tax rate or any other bad
    /// value is reported as `line N: field: problem`, nothing is written, and
    /// the exit code is 1.
    Import {
        file: PathBuf,
        /// Check the file and report what would be created, without writing.
        #[arg(long)]
        dry_run: bool,
    },
}

#[derive(Debug, Subcommand)]
pub enum TaxRateCommand {
    /// List the tax rates: code, name, VAT category, rate and exemption reason.
    List,
    /// Add a tax rate.
    ///
    /// Only the standard category S charges a rate; every other category has
    /// rate 0, and E, AE, K, G and O need the exemption reason invoices print.
    Add {
        /// 1 to 10 letters, digits, dots, dashes or underscores, e.g. S21. Never changes.
        code: String,
        /// What the rate is called, e.g. "Standard 21%".
        name: String,
        /// EN 16931 VAT category: S, Z, E, AE, K, G or O.
        #[arg(long, value_name = "CODE")]
        category: String,
        /// The rate in percent, e.g. 21 or 12.5 (only for S).
        #[arg(long, value_name = "PERCENT")]
        rate: Option<String>,
        /// Why no VAT is charged (for E, AE, K, G and O).
        #[arg(long, value_name = "TEXT")]
        reason: Option<String>,
    },
}

fn cli() -> Actor {
    Actor::system("cli")
}

fn archive_filter(all: bool) -> ArchiveFilter {
    if all {
        ArchiveFilter::All
    } else {
        ArchiveFilter::Active
    }
}

pub async fn product(app: &App, command: ProductCommand) -> anyhow::Result<ExitCode> {
    match command {
        ProductCommand::List {
            search,
            kind,
            all,
            limit,
        } => {
            let filter = ProductFilter {
                text: search.filter(|s| !s.trim().is_empty()),
                kind,
                archive: archive_filter(all),
            };
            list(app, &filter, limit).await
        }
        ProductCommand::Add {
            sku,
            name,
            kind,
            unit,
            price,
            currency,
            cost,
            tax_rate,
            revenue_account,
        } => {
            let draft = ProductDraft {
                sku,
                name,
                kind,
                unit,
                currency,
                list_price: price,
                standard_cost: cost.unwrap_or_default(),
                tax_rate,
                revenue_account: revenue_account.unwrap_or_default(),
            };
            let id = products::create_product(app, &cli(), &draft).await?;
            let row = products::product(app, &cli(), id).await?;
            out(format!(
                "added product {} {} ({} {}, {})",
                row.sku,
                row.name,
                format_amount(row.list_price_minor, &row.currency),
                row.currency,
                row.tax_rate_code
            ))?;
            Ok(ExitCode::SUCCESS)
        }
        ProductCommand::Export { all, output } => {
            let filter = ProductFilter {
                archive: archive_filter(all),
                ..ProductFilter::default()
            };
            let csv = products::export_csv(app, &cli(), &filter).await?;
            write_export(output.as_deref(), &csv, "products")?;
            Ok(ExitCode::SUCCESS)
        }
        ProductCommand::Import { file, dry_run } => import(app, &file, dry_run).await,
    }
}

async fn list(app: &App, filter: &ProductFilter, limit: i64) -> anyhow::Result<ExitCode> {
    let page =
        products::list_products(app, &cli(), filter, ProductSort::SkuAsc, None, limit).await?;
    let rows: Vec<Vec<String>> = page
        .rows
        .iter()
        .map(|r| {
            vec![
                r.sku.clone(),
                r.name.clone(),
                r.kind.clone(),
                r.unit.clone(),
                format_amount(r.list_price_minor, &r.currency),
                r.currency.clone(),
                r.tax_rate_code.clone(),
                r.revenue_account_code.clone(),
                yes_no(r.archived),
            ]
        })
        .collect();
    out(table_aligned(
        &[
            "sku", "name", "kind", "unit", "price", "currency", "tax", "revenue", "archived",
        ],
        &[4],
        &rows,
    ))?;
    out(format!("{} of {} products", page.rows.len(), page.total))?;
    Ok(ExitCode::SUCCESS)
}

async fn import(app: &App, file: &Path, dry_run: bool) -> anyhow::Result<ExitCode> {
    let bytes = read_import_file(file)?;
    let report = products::import_csv(app, &cli(), &bytes, !dry_run).await?;
    if !report.errors.is_empty() {
        report_import_errors(&report.errors, file);
        return Ok(ExitCode::FAILURE);
    }
    if dry_run {
        out(format!(
            "{} products would be created (dry run: nothing was written)",
            report.rows.len()
        ))?;
    } else {
        out(format!("created {} products", report.created))?;
    }
    Ok(ExitCode::SUCCESS)
}

pub async fn tax_rate(app: &App, command: TaxRateCommand) -> anyhow::Result<ExitCode> {
    match command {
        TaxRateCommand::List => {
            let rows: Vec<Vec<String>> = products::tax_rates(app, &cli())
                .await?
                .iter()
                .map(|r| {
                    vec![
                        r.code.clone(),
                        r.name.clone(),
                        r.category.clone(),
                        products::rate_text(r),
                        r.exemption_reason.clone().unwrap_or_default(),
                    ]
                })
                .collect();
            out(table_aligned(
                &["code", "name", "category", "rate %", "exemption reason"],
                &[3],
                &rows,
            ))?;
        }
        TaxRateCommand::Add {
            code,
            name,
            category,
            rate,
            reason,
        } => {
            let draft = TaxRateDraft {
                code,
                name,
                category,
                rate: rate.unwrap_or_default(),
                exemption_reason: reason.unwrap_or_default(),
            };
            let id = products::create_tax_rate(app, &cli(), &draft).await?;
            let row = products::tax_rate(app, &cli(), id).await?;
            out(format!(
                "added tax rate {} {} ({} {}%)",
                row.code,
                row.name,
                row.category,
                products::rate_text(&row)
            ))?;
        }
    }
    Ok(ExitCode::SUCCESS)
}
