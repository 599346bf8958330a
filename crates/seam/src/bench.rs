//! `seam bench`: throughput of the write path, measured in-process through the
//! real use cases, at several concurrency levels (tokio tasks sharing one
//! `App`), printed as a table and written as JSON.
//!
//! - `o2c`: complete order-to-cash flows, six commands each: create the order,
//!   confirm it (reserving stock), ship it, invoice it, post the invoice, record
//!   the payment.
//! - `ledger`: journal entries posted through `ledger::post_entry`.
//!
//! The benchmark writes thousands of records, so it runs on a fresh temporary
//! SQLite file unless `--database-url` names another database, and it refuses
//! a database that already holds users, journal entries or invoices: it never
//! mixes its records into real data. After the run it checks the invariants
//! (the trial balance balances, the maintained balances equal the posted
//! lines, the numbers are gapless) and fails when one is broken.

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use clap::Subcommand;
use seam_app::fulfilment::{self, ShipInput, ShipLines};
use seam_app::invoicing::{self, InvoiceInput, PaymentInput};
use seam_app::sales::{self, LineInput, OrderInput};
use seam_app::stock::{self, MoveInput};
use seam_app::{Actor, App, AppError, Db, company, ledger, parties, products, users};
use seam_domain::ids::PartyId;
use seam_domain::ledger::{EntryDraft, LineDraft, format_amount};
use seam_domain::party::PartyDraft;
use seam_domain::product::ProductDraft;
use seam_domain::stock::MoveDraft;
use seam_store::invoices::InvoiceFilter;
use serde_json::{Value, json};

use crate::output;

mod import;
mod latency;
mod reports;
mod search;
mod sizes;

/// The commands one order-to-cash flow runs.
const COMMANDS_PER_FLOW: usize = 6;
/// Goods in the benchmark's catalogue; flows spread over them.
const GOODS: usize = 20;
/// Customers the flows are spread over.
const CUSTOMERS: usize = 50;
/// The most units of one good a flow orders.
const QTY_MAX: usize = 3;

#[derive(Debug, Subcommand)]
pub enum BenchCommand {
    /// Complete order-to-cash flows per second, in-process through the real use cases.
    ///
    /// One flow is six commands, each its own transaction: create an order
    /// (one good, one service), confirm it (reserving the good), ship it,
    /// invoice it, post the invoice, record the payment. Runs on a fresh
    /// temporary SQLite file unless --database-url names an empty database.
    O2c {
        /// Flows to run at each concurrency level.
        #[arg(long, default_value_t = 1_000, value_parser = clap::value_parser!(u64).range(1..=10_000_000), value_name = "N")]
        flows: u64,
        /// Concurrency levels (tokio tasks sharing one App), separated by commas.
        #[arg(long, value_delimiter = ',', default_value = "1,8,64", value_parser = clap::value_parser!(u64).range(1..=4_096), value_name = "LIST")]
        concurrency: Vec<u64>,
        /// Also write the figures as JSON to FILE.
        #[arg(long, value_name = "FILE")]
        json: Option<PathBuf>,
    },
    /// Journal entries posted per second through the ledger's use case.
    ///
    /// Each entry has two lines (bank against sales of services). Runs on a
    /// fresh temporary SQLite file unless --database-url names an empty database.
    Ledger {
        /// Entries to post at each concurrency level.
        #[arg(long, default_value_t = 10_000, value_parser = clap::value_parser!(u64).range(1..=100_000_000), value_name = "N")]
        entries: u64,
        /// Concurrency levels (tokio tasks sharing one App), separated by commas.
        #[arg(long, value_delimiter = ',', default_value = "1,8,64", value_parser = clap::value_parser!(u64).range(1..=4_096), value_name = "LIST")]
        concurrency: Vec<u64>,
        /// Also write the figures as JSON to FILE.
        #[arg(long, value_name = "FILE")]
        json: Option<PathBuf>,
    },
    /// Latency of the financial reports on a generated ledger of about N posting lines.
    ///
    /// Generates a data set (as `seam generate`) sized to the posting lines,
    /// then reads the trial balance, profit and loss, balance sheet and
    /// receivables aging through their use cases, p50/p99/mean of each.
    Reports(reports::ReportsArgs),
    /// Latency of the global party search over N generated parties.
    ///
    /// Queries are prefixes of names, whole name words, e-mail addresses,
    /// tax ids and phone numbers of sampled parties, and a word that matches nothing.
    Search(search::SearchArgs),
    /// Time to import N parties from a generated CSV file through the party import.
    Import(import::ImportArgs),
    /// The sizes where users of other business systems report pain, each
    /// set up in bulk and timed through its use case against a target.
    ///
    /// A customer with 40,000 invoices (360° page, 50 ms), the journal over
    /// 20M ledger lines (first page, 50 ms), a 5,000-line stock count (1 s),
    /// posting 1,000 invoices at concurrency 64 (0.5 s), 300,000 products
    /// (list and search, 30 ms), stock levels over 250,000 moves (200 ms).
    Sizes(sizes::SizesArgs),
    /// Latency and throughput of pages served by `seam serve`, under wrk.
    ///
    /// Starts this binary's `seam serve` on a free port against a data set
    /// (`seam generate --customers N`, on a fresh temporary SQLite file
    /// unless --database-url names an empty database), logs in, and runs
    /// wrk (`apt-get install wrk`) against a customer's 360° page, the
    /// parties list and the API's parties list, one after the other.
    /// Also reports the server's resident memory before and after the load.
    Http(crate::bench_http::HttpArgs),
    /// Resident memory (VmRSS, peak VmHWM) of `seam serve` on the data set,
    /// before and after the same page loads as `http`.
    Memory(crate::bench_http::HttpArgs),
}

/// A scratch directory for the default database, removed on drop.
pub(crate) struct Scratch(pub(crate) PathBuf);

impl Scratch {
    pub(crate) fn new() -> anyhow::Result<Scratch> {
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.subsec_nanos());
        let path = std::env::temp_dir().join(format!(
            "seam-bench-{}-{nanos}-{}",
            std::process::id(),
            rand::random::<u32>()
        ));
        std::fs::create_dir_all(&path)
            .map_err(|e| anyhow::anyhow!("cannot create {}: {e}", path.display()))?;
        Ok(Scratch(path))
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// Runs a benchmark on `url`, or on a fresh temporary SQLite file when `None`.
pub async fn bench(url: Option<&str>, command: BenchCommand) -> anyhow::Result<ExitCode> {
    use crate::bench_http::{self, Scenario};
    let command = match command {
        BenchCommand::Http(args) => return bench_http::bench(url, Scenario::Http, args).await,
        BenchCommand::Memory(args) => return bench_http::bench(url, Scenario::Memory, args).await,
        other => other,
    };
    let scratch = match url {
        Some(_) => None,
        None => Some(Scratch::new()?),
    };
    let url = match (&scratch, url) {
        (Some(dir), _) => format!("sqlite://{}", dir.0.join("bench.sqlite").display()),
        (None, Some(url)) => url.to_owned(),
        (None, None) => anyhow::bail!("no database to run on"),
    };
    let db = Db::connect(&url)
        .await
        .map_err(|e| anyhow::anyhow!("cannot open the database: {e}"))?;
    db.migrate()
        .await
        .map_err(|e| anyhow::anyhow!("cannot bring the database schema up to date: {e}"))?;
    let app = App::new(db);
    let result = run(&app, scratch.is_some(), command).await;
    app.db.close().await;
    drop(scratch);
    result
}

async fn run(app: &App, temporary: bool, command: BenchCommand) -> anyhow::Result<ExitCode> {
    let actor = Actor::system("bench");
    refuse_unless_empty(app, &actor).await?;
    let settings = settings(&app.db).await?;
    let (report, json_file) = match command {
        BenchCommand::O2c {
            flows,
            concurrency,
            json,
        } => (o2c(app, &actor, to_usize(flows), &concurrency).await?, json),
        BenchCommand::Ledger {
            entries,
            concurrency,
            json,
        } => (
            ledger_entries(app, &actor, to_usize(entries), &concurrency).await?,
            json,
        ),
        BenchCommand::Reports(args) => (reports::run(app, &args).await?, args.json),
        BenchCommand::Search(args) => (search::run(app, &args).await?, args.json),
        BenchCommand::Import(args) => (import::run(app, &args).await?, args.json),
        BenchCommand::Sizes(args) => (sizes::run(app, &args).await?, args.json),
        BenchCommand::Http(_) | BenchCommand::Memory(_) => {
            anyhow::bail!("seam bench http and memory start a server of their own")
        }
    };
    let mut report = report;
    if let Some(map) = report.as_object_mut() {
        map.insert("database".into(), settings);
        map.insert("temporary_database".into(), json!(temporary));
        map.insert(
            "available_parallelism".into(),
            json!(std::thread::available_parallelism().map_or(0, |n| n.get())),
        );
        map.insert("seam_version".into(), json!(env!("CARGO_PKG_VERSION")));
    }
    print_table(&report)?;
    if let Some(file) = json_file {
        write_json(&file, &report)?;
    }
    Ok(ExitCode::SUCCESS)
}

fn to_usize(n: u64) -> usize {
    usize::try_from(n).unwrap_or(usize::MAX)
}

pub(crate) fn app_err(what: &str, err: AppError) -> anyhow::Error {
    match err {
        AppError::Invalid(errors) => anyhow::anyhow!("{what}: invalid input: {errors:?}"),
        AppError::Internal(e) => anyhow::anyhow!("{what}: {e:#}"),
        other => anyhow::anyhow!("{what}: {other}"),
    }
}

/// Refuses a database with users, journal entries or invoices in it.
async fn refuse_unless_empty(app: &App, actor: &Actor) -> anyhow::Result<()> {
    let no_users = users::needs_setup(app)
        .await
        .map_err(|e| app_err("checking for users", e))?;
    let no_entries = ledger::entries(app, actor, None, 1)
        .await
        .map_err(|e| app_err("checking for journal entries", e))?
        .is_empty();
    let no_invoices = invoicing::list_invoices(app, actor, &InvoiceFilter::default(), None, 1)
        .await
        .map_err(|e| app_err("checking for invoices", e))?
        .0
        .is_empty();
    if no_users && no_entries && no_invoices {
        Ok(())
    } else {
        anyhow::bail!(
            "the database already holds users, journal entries or invoices; \
             the benchmark writes thousands of records and runs only on an empty database \
             (leave out --database-url for a temporary SQLite file)"
        )
    }
}

/// The backend and the durability settings the run used, as the database reports them.
pub(crate) async fn settings(db: &Db) -> anyhow::Result<Value> {
    Ok(match db {
        Db::Sqlite { writer, .. } => {
            let mut c = writer.idle().await?;
            let synchronous: i64 = sqlx::query_scalar("PRAGMA synchronous")
                .fetch_one(&mut *c)
                .await?;
            let journal_mode: String = sqlx::query_scalar("PRAGMA journal_mode")
                .fetch_one(&mut *c)
                .await?;
            let version: String = sqlx::query_scalar("SELECT sqlite_version()")
                .fetch_one(&mut *c)
                .await?;
            let synchronous = match synchronous {
                0 => "OFF".to_owned(),
                1 => "NORMAL".to_owned(),
                2 => "FULL".to_owned(),
                3 => "EXTRA".to_owned(),
                n => n.to_string(),
            };
            json!({
                "backend": "sqlite",
                "version": version,
                "synchronous": synchronous,
                "journal_mode": journal_mode,
            })
        }
        Db::Pg(pool) => {
            let show = |name: &'static str| async move {
                sqlx::query_scalar::<_, String>(sqlx::AssertSqlSafe(format!("SHOW {name}")))
                    .fetch_one(pool)
                    .await
            };
            json!({
                "backend": "postgres",
                "version": show("server_version").await?,
                "synchronous_commit": show("synchronous_commit").await?,
                "fsync": show("fsync").await?,
                "wal_sync_method": show("wal_sync_method").await?,
            })
        }
    })
}

/// Timing of one concurrency level.
struct Level {
    concurrency: usize,
    count: usize,
    elapsed: Duration,
    latencies: Vec<Duration>,
    /// On SQLite: commands the writer committed per COMMIT (group commit).
    commands_per_commit: Option<f64>,
}

/// The SQLite writer's counts of commands and COMMITs; `None` on PostgreSQL.
fn group_stats(app: &App) -> Option<seam_store::writer::GroupStats> {
    match &app.db {
        Db::Sqlite { writer, .. } => Some(writer.stats()),
        Db::Pg(_) => None,
    }
}

impl Level {
    fn seconds(&self) -> f64 {
        self.elapsed.as_secs_f64()
    }

    fn per_second(&self, units: usize) -> f64 {
        let s = self.seconds();
        if s > 0.0 { units as f64 / s } else { 0.0 }
    }

    /// Nearest-rank percentile of the latencies, in milliseconds.
    fn percentile_ms(&self, q: f64) -> f64 {
        let mut sorted = self.latencies.clone();
        sorted.sort_unstable();
        let rank = ((q * sorted.len() as f64).ceil() as usize).max(1);
        sorted
            .get(rank - 1)
            .map_or(0.0, |d| d.as_secs_f64() * 1_000.0)
    }
}

/// Runs `count` jobs (`job(app, index)`) on `concurrency` tasks sharing `app`;
/// `first` is the index of the first job, so indexes stay unique across levels.
async fn run_level<F, Fut>(
    app: &App,
    concurrency: usize,
    first: usize,
    count: usize,
    job: F,
) -> anyhow::Result<Level>
where
    F: Fn(App, usize) -> Fut + Send + Sync + 'static,
    Fut: std::future::Future<Output = anyhow::Result<()>> + Send + 'static,
{
    let job = Arc::new(job);
    let next = Arc::new(AtomicUsize::new(0));
    let groups_before = group_stats(app);
    let started = Instant::now();
    let mut tasks = Vec::with_capacity(concurrency);
    for _ in 0..concurrency {
        let (app, job, next) = (app.clone(), job.clone(), next.clone());
        tasks.push(tokio::spawn(async move {
            let mut latencies = Vec::new();
            loop {
                let n = next.fetch_add(1, Ordering::Relaxed);
                if n >= count {
                    return Ok::<_, anyhow::Error>(latencies);
                }
                let t = Instant::now();
                job(app.clone(), first + n).await?;
                latencies.push(t.elapsed());
            }
        }));
    }
    let mut latencies = Vec::with_capacity(count);
    let mut failure = None;
    for task in tasks {
        match task.await {
            Ok(Ok(mut l)) => latencies.append(&mut l),
            Ok(Err(e)) => {
                // Stop the other tasks at their next job.
                next.store(count, Ordering::Relaxed);
                failure.get_or_insert(e);
            }
            Err(e) => {
                next.store(count, Ordering::Relaxed);
                failure.get_or_insert(anyhow::anyhow!("a benchmark task failed: {e}"));
            }
        }
    }
    let elapsed = started.elapsed();
    if let Some(e) = failure {
        return Err(e);
    }
    let commands_per_commit = match (groups_before, group_stats(app)) {
        (Some(before), Some(after)) if after.commits > before.commits => Some(
            (after.commands - before.commands) as f64 / (after.commits - before.commits) as f64,
        ),
        _ => None,
    };
    Ok(Level {
        concurrency,
        count,
        elapsed,
        latencies,
        commands_per_commit,
    })
}

// ---------------------------------------------------------------- o2c

/// What the flows draw on.
#[derive(Clone)]
struct Catalogue {
    customers: Arc<Vec<PartyId>>,
    currency: String,
}

fn good_sku(n: usize) -> String {
    format!("BENCH-GOOD-{:02}", n % GOODS)
}

const SERVICE_SKU: &str = "BENCH-SERVICE";

async fn set_up_o2c(app: &App, actor: &Actor, flows_total: usize) -> anyhow::Result<Catalogue> {
    let currency = company::currency(app)
        .await
        .map_err(|e| app_err("company currency", e))?;
    let product = |sku: String, kind: &str, price: i64, cost: i64, rate: &str| ProductDraft {
        name: format!("Benchmark {sku}"),
        sku,
        kind: kind.to_owned(),
        unit: if kind == "goods" { "C62" } else { "HUR" }.to_owned(),
        currency: currency.clone(),
        list_price: format_amount(price, &currency),
        standard_cost: format_amount(cost, &currency),
        tax_rate: rate.to_owned(),
        revenue_account: String::new(),
    };
    let per_good = (flows_total / GOODS + 1) * QTY_MAX;
    for g in 0..GOODS {
        let sku = good_sku(g);
        let price = 1_000 + 250 * i64::try_from(g).unwrap_or(0);
        products::create_product(
            app,
            actor,
            &product(sku.clone(), "goods", price, price / 2, "S25"),
        )
        .await
        .map_err(|e| app_err("creating a product", e))?;
        let input = MoveInput {
            product: sku,
            warehouse: String::new(),
            draft: MoveDraft {
                qty: per_good.to_string(),
                date: seam_app::today().iso(),
                text: "Benchmark stock".to_owned(),
            },
        };
        stock::receive(app, actor, &input)
            .await
            .map_err(|e| app_err("receiving stock", e))?;
    }
    products::create_product(
        app,
        actor,
        &product(SERVICE_SKU.to_owned(), "service", 4_500, 0, "S25"),
    )
    .await
    .map_err(|e| app_err("creating a product", e))?;
    let mut customers = Vec::with_capacity(CUSTOMERS);
    for c in 0..CUSTOMERS {
        let draft = PartyDraft {
            kind: "company".into(),
            name: format!("Benchmark Customer {c:03}"),
            is_customer: true,
            country: "DE".into(),
            ..PartyDraft::default()
        };
        customers.push(
            parties::create_party(app, actor, &draft)
                .await
                .map_err(|e| app_err("creating a customer", e))?,
        );
    }
    Ok(Catalogue {
        customers: Arc::new(customers),
        currency,
    })
}

/// One complete flow: order, confirm, ship, invoice, post, pay.
async fn flow(app: App, catalogue: Catalogue, n: usize) -> anyhow::Result<()> {
    let actor = Actor::system("bench");
    let customer = catalogue
        .customers
        .get(n % CUSTOMERS)
        .copied()
        .ok_or_else(|| anyhow::anyhow!("no customers"))?;
    let step = |what: &'static str| move |e: AppError| app_err(&format!("flow {n}: {what}"), e);
    let order = OrderInput {
        customer: Some(customer),
        order_date: String::new(),
        currency: String::new(),
        lines: vec![
            LineInput {
                product: good_sku(n),
                qty: (1 + n % QTY_MAX).to_string(),
                unit_price: String::new(),
            },
            LineInput {
                product: SERVICE_SKU.to_owned(),
                qty: "1".to_owned(),
                unit_price: String::new(),
            },
        ],
    };
    let order = sales::create_order(&app, &actor, &order)
        .await
        .map_err(step("create order"))?;
    sales::confirm_order(&app, &actor, order, None)
        .await
        .map_err(step("confirm order"))?;
    let ship = ShipInput {
        lines: ShipLines::Remaining,
        ship_date: String::new(),
        tracking_reference: format!("BENCH {n}"),
    };
    fulfilment::ship_order(&app, &actor, order, &ship)
        .await
        .map_err(step("ship order"))?;
    let invoice = invoicing::invoice_order(&app, &actor, order, &InvoiceInput::default())
        .await
        .map_err(step("invoice order"))?;
    invoicing::post_invoice(&app, &actor, invoice)
        .await
        .map_err(step("post invoice"))?;
    // What the customer pays, read from the posted invoice (a read, not a command).
    let total = invoicing::invoice(&app, &actor, invoice)
        .await
        .map_err(step("read invoice"))?
        .invoice
        .total_minor;
    let amount = format_amount(total, &catalogue.currency);
    let payment = PaymentInput {
        party_id: customer.0,
        payment_date: String::new(),
        currency: String::new(),
        amount: amount.clone(),
        reference: format!("Bank transfer {n}"),
        allocations: vec![(invoice, amount)],
    };
    invoicing::record_payment(&app, &actor, &payment)
        .await
        .map_err(step("record payment"))?;
    Ok(())
}

async fn o2c(app: &App, actor: &Actor, flows: usize, concurrency: &[u64]) -> anyhow::Result<Value> {
    let total = flows.saturating_mul(concurrency.len());
    let catalogue = set_up_o2c(app, actor, total).await?;
    let mut runs = Vec::new();
    for (i, c) in concurrency.iter().enumerate() {
        let catalogue = catalogue.clone();
        let level = run_level(app, to_usize(*c), i * flows, flows, move |app, n| {
            flow(app, catalogue.clone(), n)
        })
        .await?;
        runs.push(json!({
            "concurrency": level.concurrency,
            "flows": level.count,
            "seconds": round3(level.seconds()),
            "flows_per_second": round3(level.per_second(level.count)),
            "commands_per_second": round3(level.per_second(level.count * COMMANDS_PER_FLOW)),
            "p50_ms": round3(level.percentile_ms(0.50)),
            "p99_ms": round3(level.percentile_ms(0.99)),
            "commands_per_commit": level.commands_per_commit.map(round3),
        }));
    }
    let invariants = check_o2c(app, actor, total).await?;
    Ok(json!({
        "scenario": "o2c",
        "commands_per_flow": COMMANDS_PER_FLOW,
        "runs": runs,
        "invariants": invariants,
    }))
}

/// The books balance, the maintained balances equal the posted lines, and the
/// `expected` invoices are all paid and numbered without gaps.
async fn check_o2c(app: &App, actor: &Actor, expected: usize) -> anyhow::Result<Value> {
    let mut books = check_books(app, actor).await?;
    let mut numbers = Vec::with_capacity(expected);
    let mut unpaid = 0;
    let mut before = None;
    loop {
        let filter = InvoiceFilter {
            kind: Some("invoice".to_owned()),
            ..InvoiceFilter::default()
        };
        let (rows, next) = invoicing::list_invoices(app, actor, &filter, before, 500)
            .await
            .map_err(|e| app_err("listing invoices", e))?;
        for row in &rows {
            if row.state != "paid" {
                unpaid += 1;
            }
            numbers.push(row.number.clone().unwrap_or_default());
        }
        match next {
            Some(id) if !rows.is_empty() => before = Some(id),
            _ => break,
        }
    }
    if numbers.len() != expected {
        anyhow::bail!(
            "invariant broken: {} invoices for {expected} flows",
            numbers.len()
        );
    }
    if unpaid != 0 {
        anyhow::bail!("invariant broken: {unpaid} invoices are not paid");
    }
    gapless("invoice", &numbers)?;
    if let Some(map) = books.as_object_mut() {
        map.insert("invoices".into(), json!(numbers.len()));
        map.insert("invoice_numbers_gapless".into(), json!(true));
        map.insert("invoices_all_paid".into(), json!(true));
    }
    Ok(books)
}

/// Fails unless `numbers` (`PREFIX-YEAR-000001`) are, per series, exactly 1..=count.
fn gapless(what: &str, numbers: &[String]) -> anyhow::Result<()> {
    let mut series: std::collections::BTreeMap<&str, Vec<u64>> = Default::default();
    for number in numbers {
        let (prefix, seq) = number
            .rsplit_once('-')
            .and_then(|(p, s)| Some((p, s.parse::<u64>().ok()?)))
            .ok_or_else(|| anyhow::anyhow!("invariant broken: {what} number {number:?}"))?;
        series.entry(prefix).or_default().push(seq);
    }
    for (prefix, mut seqs) in series {
        seqs.sort_unstable();
        let expected = 1..=(seqs.len() as u64);
        if !seqs.iter().copied().eq(expected) {
            anyhow::bail!("invariant broken: the {what} numbers of {prefix} have gaps or repeats");
        }
    }
    Ok(())
}

/// The trial balance balances (the app checks it itself) and the maintained
/// balances equal the sums of the posted lines.
async fn check_books(app: &App, actor: &Actor) -> anyhow::Result<Value> {
    let today = seam_app::today().iso();
    let tb = ledger::trial_balance(app, actor, &today)
        .await
        .map_err(|e| app_err("invariant: trial balance", e))?;
    if tb.debit_totals != tb.credit_totals {
        anyhow::bail!(
            "invariant broken: the trial balance does not balance: {:?} vs {:?}",
            tb.debit_totals,
            tb.credit_totals
        );
    }
    let agree = ledger::balances_agree_with_lines(app, actor)
        .await
        .map_err(|e| app_err("invariant: balances", e))?;
    if !agree {
        anyhow::bail!("invariant broken: the maintained balances differ from the posted lines");
    }
    Ok(json!({
        "trial_balance_balanced": true,
        "balances_agree_with_lines": true,
        "debit_totals_minor": tb.debit_totals,
    }))
}

// ---------------------------------------------------------------- ledger

async fn ledger_entries(
    app: &App,
    actor: &Actor,
    entries: usize,
    concurrency: &[u64],
) -> anyhow::Result<Value> {
    let currency = company::currency(app)
        .await
        .map_err(|e| app_err("company currency", e))?;
    let numbers = Arc::new(std::sync::Mutex::new(Vec::new()));
    let mut runs = Vec::new();
    for (i, c) in concurrency.iter().enumerate() {
        let (currency, numbers) = (currency.clone(), numbers.clone());
        let level = run_level(app, to_usize(*c), i * entries, entries, move |app, n| {
            let (currency, numbers) = (currency.clone(), numbers.clone());
            async move {
                let amount = format_amount(100 + i64::try_from(n % 10_000).unwrap_or(0), &currency);
                let draft = EntryDraft {
                    date: seam_app::today().iso(),
                    memo: format!("Benchmark entry {n}"),
                    currency,
                    lines: vec![
                        LineDraft {
                            account: "1100".into(),
                            debit: amount.clone(),
                            credit: String::new(),
                        },
                        LineDraft {
                            account: "4100".into(),
                            debit: String::new(),
                            credit: amount,
                        },
                    ],
                };
                let (_, number) = ledger::post_entry(&app, &Actor::system("bench"), &draft)
                    .await
                    .map_err(|e| app_err(&format!("entry {n}: post"), e))?;
                if let Ok(mut numbers) = numbers.lock() {
                    numbers.push(number);
                }
                Ok(())
            }
        })
        .await?;
        runs.push(json!({
            "concurrency": level.concurrency,
            "entries": level.count,
            "seconds": round3(level.seconds()),
            "entries_per_second": round3(level.per_second(level.count)),
            "p50_ms": round3(level.percentile_ms(0.50)),
            "p99_ms": round3(level.percentile_ms(0.99)),
            "commands_per_commit": level.commands_per_commit.map(round3),
        }));
    }
    let mut invariants = check_books(app, actor).await?;
    let numbers = numbers
        .lock()
        .map_err(|_| anyhow::anyhow!("the entry numbers were lost"))?
        .clone();
    let expected = entries.saturating_mul(concurrency.len());
    if numbers.len() != expected {
        anyhow::bail!(
            "invariant broken: {} entries posted of {expected}",
            numbers.len()
        );
    }
    gapless("journal entry", &numbers)?;
    if let Some(map) = invariants.as_object_mut() {
        map.insert("entries".into(), json!(numbers.len()));
        map.insert("entry_numbers_gapless".into(), json!(true));
    }
    Ok(json!({
        "scenario": "ledger",
        "runs": runs,
        "invariants": invariants,
    }))
}

// ---------------------------------------------------------------- output

pub(crate) fn round3(x: f64) -> f64 {
    (x * 1_000.0).round() / 1_000.0
}

/// `value.key`, or null.
pub(crate) fn field<'a>(value: &'a Value, key: &str) -> &'a Value {
    value.get(key).unwrap_or(&Value::Null)
}

/// The cells of a report's `runs` under `keys`: text as it is, fractions
/// with `decimals` places, and a dash where a figure was not measured
/// (commands per COMMIT on PostgreSQL).
pub(crate) fn run_rows(report: &Value, keys: &[&str], decimals: usize) -> Vec<Vec<String>> {
    let cell = |run: &Value, key: &str| match field(run, key) {
        Value::String(s) => s.clone(),
        Value::Number(n) if n.is_f64() => format!("{:.decimals$}", n.as_f64().unwrap_or(0.0)),
        Value::Null => "-".to_owned(),
        other => other.to_string(),
    };
    field(report, "runs")
        .as_array()
        .map(|runs| {
            runs.iter()
                .map(|run| keys.iter().map(|k| cell(run, k)).collect())
                .collect()
        })
        .unwrap_or_default()
}

fn print_table(report: &Value) -> anyhow::Result<()> {
    if field(report, "scenario") == "sizes" {
        return sizes::print_table(report);
    }
    if matches!(
        field(report, "scenario").as_str(),
        Some("reports" | "search" | "import")
    ) {
        return latency::print_table(report);
    }
    let o2c = field(report, "scenario") == "o2c";
    let db = field(report, "database");
    let settings = if field(db, "backend") == "sqlite" {
        format!(
            "SQLite {} (synchronous={}, journal_mode={})",
            field(db, "version").as_str().unwrap_or("?"),
            field(db, "synchronous").as_str().unwrap_or("?"),
            field(db, "journal_mode").as_str().unwrap_or("?")
        )
    } else {
        format!(
            "PostgreSQL {} (synchronous_commit={}, fsync={})",
            field(db, "version").as_str().unwrap_or("?"),
            field(db, "synchronous_commit").as_str().unwrap_or("?"),
            field(db, "fsync").as_str().unwrap_or("?")
        )
    };
    output::out(format!(
        "{} on {settings}",
        if o2c {
            "order-to-cash flows"
        } else {
            "journal entries"
        }
    ))?;
    let (headers, keys): (Vec<&str>, Vec<&str>) = if o2c {
        (
            vec![
                "concurrency",
                "flows",
                "seconds",
                "flows/s",
                "commands/s",
                "p50 ms",
                "p99 ms",
                "cmds/commit",
            ],
            vec![
                "concurrency",
                "flows",
                "seconds",
                "flows_per_second",
                "commands_per_second",
                "p50_ms",
                "p99_ms",
                "commands_per_commit",
            ],
        )
    } else {
        (
            vec![
                "concurrency",
                "entries",
                "seconds",
                "entries/s",
                "p50 ms",
                "p99 ms",
                "cmds/commit",
            ],
            vec![
                "concurrency",
                "entries",
                "seconds",
                "entries_per_second",
                "p50_ms",
                "p99_ms",
                "commands_per_commit",
            ],
        )
    };
    let rows = run_rows(report, &keys, 1);
    let right: Vec<usize> = (0..headers.len()).collect();
    output::out(output::table_aligned(&headers, &right, &rows))?;
    output::out("invariants hold: trial balance balanced, balances agree, numbers gapless")?;
    Ok(())
}

pub(crate) fn write_json(file: &Path, report: &Value) -> anyhow::Result<()> {
    let text = serde_json::to_string_pretty(report)?;
    std::fs::write(file, text + "\n")
        .map_err(|e| anyhow::anyhow!("cannot write {}: {e}", file.display()))
}
