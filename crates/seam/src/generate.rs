//! `seam generate`: fills an empty database with a generated data set of a
//! chosen size (customers, products, two years of invoices, journal entries
//! and payments), for measuring Seam at size. See [`seam_app::generate`] for
//! what is generated and what stays consistent.

use std::process::ExitCode;
use std::time::Instant;

use clap::Args;
use indicatif::{ProgressBar, ProgressStyle};
use seam_app::generate::{GenerateOptions, Generated, Progress};
use seam_app::{Actor, App, AppError, Db, users};
use seam_domain::ledger::format_amount;

use crate::output;

#[derive(Debug, Args)]
pub struct GenerateArgs {
    /// Customers to create; the catalogue gets one product per ten customers (at least 20).
    #[arg(long, value_parser = clap::value_parser!(u64).range(1..=100_000_000), value_name = "N")]
    pub customers: u64,
    /// Seed of the pseudo-random choices: the same seed on the same day gives the same data.
    #[arg(long, default_value_t = 1, value_name = "S")]
    pub seed: u64,
    /// Invoices per customer over the two years (0: customers and products only).
    #[arg(long, default_value_t = 3, value_parser = clap::value_parser!(u32).range(0..=1_000), value_name = "N")]
    pub orders_per_customer: u32,
}

impl GenerateArgs {
    pub fn options(&self) -> GenerateOptions {
        GenerateOptions {
            customers: self.customers,
            seed: self.seed,
            orders_per_customer: self.orders_per_customer,
            today: None,
        }
    }
}

/// Refuses a database that already holds users or business records.
pub async fn refuse_unless_empty(app: &App) -> anyhow::Result<()> {
    let no_users = users::needs_setup(app)
        .await
        .map_err(|e| anyhow::anyhow!("checking for users: {e}"))?;
    if !no_users {
        anyhow::bail!(
            "the database already holds users; seam generate fills only an empty database"
        );
    }
    Ok(())
}

/// Generates into `app`'s database with a progress bar on stderr; returns the counts.
pub async fn run(
    app: &App,
    options: &GenerateOptions,
    show_progress: bool,
) -> anyhow::Result<Generated> {
    refuse_unless_empty(app).await?;
    let bar = if show_progress {
        ProgressBar::new(0)
    } else {
        ProgressBar::hidden()
    };
    bar.set_style(
        ProgressStyle::with_template(
            "{spinner} generating [{elapsed_precise}] {wide_bar} {pos}/{len} records ({eta} left)",
        )
        .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    let tick = bar.clone();
    let progress = move |p: Progress| {
        tick.set_length(p.total);
        tick.set_position(p.done);
    };
    let actor = Actor::system("cli");
    let result = seam_app::generate::generate(app, &actor, options, &progress).await;
    bar.finish_and_clear();
    if result.is_ok() {
        analyze(&app.db).await?;
    }
    result.map_err(|e| match e {
        AppError::Conflict("error-generate-not-empty") => anyhow::anyhow!(
            "the database already holds parties, products, journal entries, invoices or payments; \
             seam generate fills only an empty database"
        ),
        AppError::Internal(e) => anyhow::anyhow!("generating the data set: {e:#}"),
        other => anyhow::anyhow!("generating the data set: {other}"),
    })
}

/// Gives PostgreSQL fresh planner statistics for the bulk-loaded tables:
/// its autovacuum would only get to them later, and until then the reports
/// (the aging's subqueries above all) run on plans made for empty tables.
async fn analyze(db: &Db) -> anyhow::Result<()> {
    if let Db::Pg(pool) = db {
        sqlx::query("ANALYZE")
            .execute(pool)
            .await
            .map_err(|e| anyhow::anyhow!("updating the planner statistics: {e}"))?;
    }
    Ok(())
}

pub async fn generate(app: &App, args: &GenerateArgs) -> anyhow::Result<ExitCode> {
    let started = Instant::now();
    let out = run(app, &args.options(), true).await?;
    let seconds = started.elapsed().as_secs_f64();
    let rows = vec![
        vec!["customers".to_owned(), out.customers.to_string()],
        vec!["products".to_owned(), out.products.to_string()],
        vec!["invoices".to_owned(), out.invoices.to_string()],
        vec!["  of which open".to_owned(), out.open_invoices.to_string()],
        vec!["invoice lines".to_owned(), out.invoice_lines.to_string()],
        vec!["payments".to_owned(), out.payments.to_string()],
        vec![
            "journal entries".to_owned(),
            out.journal_entries.to_string(),
        ],
        vec!["journal lines".to_owned(), out.journal_lines.to_string()],
        vec![
            "invoiced".to_owned(),
            format!(
                "{} {}",
                format_amount(out.invoiced_minor, &out.currency),
                out.currency
            ),
        ],
        vec![
            "receivables open".to_owned(),
            format!(
                "{} {}",
                format_amount(out.receivables_open_minor, &out.currency),
                out.currency
            ),
        ],
    ];
    output::out(format!(
        "generated seed {} from {} to {} in {seconds:.1} s",
        out.seed, out.first_date, out.last_date
    ))?;
    output::out(output::table_aligned(&["what", "count"], &[1], &rows))?;
    Ok(ExitCode::SUCCESS)
}
