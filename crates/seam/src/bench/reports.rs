//! `seam bench reports`: latency of the financial reports on a generated
//! data set whose ledger holds about N posting lines — trial balance, profit
//! and loss (the last twelve months), balance sheet and receivables aging,
//! each read through the same use case the web pages and the CLI call.

use std::path::PathBuf;
use std::time::Instant;

use clap::Args;
use seam_app::generate::GenerateOptions;
use seam_app::{Actor, App, invoicing, ledger};
use serde_json::{Value, json};

use super::latency::{figures, time_runs};
use super::{app_err, check_books, round3, to_usize};

/// Journal lines a generated customer brings with three invoices a year
/// and a half apart and the payments that settle them (measured: ≈ 17).
const LINES_PER_CUSTOMER: u64 = 17;

#[derive(Debug, Args)]
pub struct ReportsArgs {
    /// Posting lines the ledger should hold (the data set is sized to about this many).
    #[arg(long, default_value_t = 100_000, value_parser = clap::value_parser!(u64).range(100..=1_000_000_000), value_name = "N")]
    pub postings: u64,
    /// Times each report is read.
    #[arg(long, default_value_t = 50, value_parser = clap::value_parser!(u64).range(1..=100_000), value_name = "N")]
    pub runs: u64,
    /// Seed of the generated data set.
    #[arg(long, default_value_t = 1, value_name = "S")]
    pub seed: u64,
    /// Also write the figures as JSON to FILE.
    #[arg(long, value_name = "FILE")]
    pub json: Option<PathBuf>,
}

pub(super) async fn run(app: &App, args: &ReportsArgs) -> anyhow::Result<Value> {
    let actor = Actor::system("bench");
    let customers = args.postings.div_ceil(LINES_PER_CUSTOMER).max(20);
    let options = GenerateOptions {
        customers,
        seed: args.seed,
        orders_per_customer: 3,
        today: None,
    };
    let started = Instant::now();
    let data = crate::generate::run(app, &options, true).await?;
    let generate_seconds = started.elapsed().as_secs_f64();
    let today = seam_app::today().iso();
    let year_ago = today
        .parse::<jiff::civil::Date>()
        .ok()
        .and_then(|d| d.checked_sub(jiff::Span::new().days(364)).ok())
        .map(|d| d.to_string())
        .unwrap_or_else(|| today.clone());
    let runs = to_usize(args.runs);
    let mut out = Vec::new();
    let (app, actor, today, year_ago) = (&app.clone(), &actor, &today, &year_ago);
    let level = time_runs(runs, |_| async move {
        ledger::trial_balance(app, actor, today)
            .await
            .map_err(|e| app_err("trial balance", e))?;
        Ok(())
    })
    .await?;
    out.push(figures("trial balance", &level));
    let level = time_runs(runs, |_| async move {
        ledger::profit_and_loss(app, actor, year_ago, today)
            .await
            .map_err(|e| app_err("profit and loss", e))?;
        Ok(())
    })
    .await?;
    out.push(figures("profit and loss (12 months)", &level));
    let level = time_runs(runs, |_| async move {
        ledger::balance_sheet(app, actor, today)
            .await
            .map_err(|e| app_err("balance sheet", e))?;
        Ok(())
    })
    .await?;
    out.push(figures("balance sheet", &level));
    let level = time_runs(runs, |_| async move {
        invoicing::aging(app, actor, "")
            .await
            .map_err(|e| app_err("receivables aging", e))?;
        Ok(())
    })
    .await?;
    out.push(figures("receivables aging", &level));

    let mut invariants = check_books(app, actor).await?;
    let aging = invoicing::aging(app, actor, "")
        .await
        .map_err(|e| app_err("receivables aging", e))?;
    if aging.total != data.receivables_open_minor {
        anyhow::bail!(
            "invariant broken: the aging totals {} but the open invoices owe {}",
            aging.total,
            data.receivables_open_minor
        );
    }
    if let Some(map) = invariants.as_object_mut() {
        map.insert("aging_equals_open_invoices".into(), json!(true));
    }
    Ok(json!({
        "scenario": "reports",
        "title": format!(
            "report latency over {} posting lines ({} customers, {} invoices, {} open)",
            data.journal_lines, data.customers, data.invoices, data.open_invoices
        ),
        "postings_requested": args.postings,
        "postings": data.journal_lines,
        "data_set": data.to_json(),
        "generate_seconds": round3(generate_seconds),
        "runs": out,
        "invariants": invariants,
    }))
}
