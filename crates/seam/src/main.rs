//! The `seam` binary: serves the web application, loads the demo, and gives
//! the operator at the server's console the administrative commands (users,
//! API tokens, backup and restore, audit verification, party import and export,
//! the product catalogue and tax rates, the ledger's accounts, journal,
//! periods, reports and export, sales orders, invoices, payments, exchange
//! rates, the company profile, leads, the sales pipeline and its forecast).
//!
//! Every command acts as `system:cli` and goes through the same `seam_app`
//! use cases as the web pages, so it is checked and audited the same way.
//!
//! Invariant: a failing command prints a readable reason on stderr and exits
//! non-zero; nothing here panics on bad input or a closed pipe.
//! Invariant: secrets (generated passwords, API tokens, setup links) are printed
//! once on stdout and never logged.
#![deny(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::todo,
    clippy::await_holding_lock
)]

mod access_request;
mod admin;
mod appointment;
mod bench;
mod bench_http;
mod company;
mod crm;
mod data;
mod generate;
mod hr;
mod invoice;
mod it;
mod jobs;
mod kb;
mod ledger;
mod marketing;
mod messages;
mod order;
mod output;
mod party;
mod payment;
mod payroll;
mod price_list;
mod product;
mod quote;
mod report;
mod server;
mod sla;
mod stock;
mod ticket;
mod visit;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};
use seam_app::{App, Db};
use seam_domain::access::{Permission, Role};

const DEFAULT_DATABASE_URL: &str = "sqlite://seam.sqlite";
const DEMO_DATABASE_URL: &str = "sqlite://seam-demo.sqlite";
const DEFAULT_LISTEN: &str = "127.0.0.1:8080";

/// Seam: one system for a business's front office and back office.
///
/// Every command first brings the database schema up to date.
#[derive(Debug, Parser)]
#[command(name = "seam", version, propagate_version = true)]
struct Cli {
    /// Database to use: sqlite://PATH or postgres://USER@HOST/DATABASE.
    /// [default: sqlite://seam.sqlite, for `demo` sqlite://seam-demo.sqlite]
    #[arg(
        long,
        global = true,
        env = "SEAM_DATABASE_URL",
        hide_env_values = true,
        value_name = "URL"
    )]
    database_url: Option<String>,

    /// How log lines on stderr look. Which lines are shown follows RUST_LOG (default: info).
    #[arg(long, global = true, value_enum, default_value_t = LogFormat::Text)]
    log_format: LogFormat,

    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum LogFormat {
    Text,
    Json,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Serve the web application and the JSON API until Ctrl-C or SIGTERM.
    ///
    /// On a database without users, prints a one-time link for creating the first admin.
    Serve {
        /// Address and port to listen on.
        #[arg(long, default_value = DEFAULT_LISTEN, value_name = "ADDR")]
        listen: SocketAddr,
        /// Mark cookies Secure: set this when Seam is reached over HTTPS (behind a proxy).
        #[arg(long)]
        secure_cookies: bool,
    },
    /// Fill a fresh database with a demo company and serve it.
    ///
    /// Creates about 60 customers, vendors and contacts, a catalogue of about
    /// 30 products and services, about a year of bookkeeping up to today
    /// (invoices, payments, purchases, rent, salaries, VAT returns, older
    /// months closed), opening stock, a handful of sales orders (confirmed
    /// ones reserving their goods, two drafts, one cancelled) and one login
    /// per role, all with the same password, and
    /// prints the logins. Started again on the same
    /// database, it creates nothing and serves what is there.
    Demo {
        /// Address and port to listen on.
        #[arg(long, default_value = DEFAULT_LISTEN, value_name = "ADDR")]
        listen: SocketAddr,
    },
    /// Bring the database schema up to date, then exit.
    Migrate,
    /// Manage logins: add, list, disable, enable, reset passwords, set roles.
    #[command(subcommand)]
    User(UserCommand),
    /// Manage API tokens of users: create, list, revoke.
    #[command(subcommand)]
    Token(TokenCommand),
    /// Write a portable backup of every business table to FILE.
    ///
    /// The file is written beside FILE first and renamed when complete, so FILE
    /// is never a half-written backup. A backup restores into SQLite or PostgreSQL.
    Backup {
        /// Where to write the backup (gzip'd JSON lines).
        file: PathBuf,
    },
    /// Load a backup into an empty database, then verify its audit chain.
    ///
    /// All or nothing: the backup's checksum is checked before anything is
    /// committed. Exits 1 when the restored audit chain does not verify.
    Restore {
        /// A file written by `seam backup`.
        file: PathBuf,
    },
    /// Check the tamper-evident audit journal.
    #[command(subcommand)]
    Audit(AuditCommand),
    /// List, export and import parties (companies and persons).
    #[command(subcommand)]
    Party(PartyCommand),
    /// The catalogue of goods and services: list, add, export and import products.
    #[command(subcommand)]
    Product(product::ProductCommand),
    /// VAT rates products are sold under: list and add.
    #[command(subcommand)]
    TaxRate(product::TaxRateCommand),
    /// Price lists per customer group: list, show, create, set prices, assign, import and export.
    #[command(subcommand)]
    PriceList(price_list::PriceListCommand),
    /// Stock by product and warehouse: levels, receipts, count adjustments and moves.
    #[command(subcommand)]
    Stock(stock::StockCommand),
    /// Sales orders: list, show, create drafts, confirm (reserving stock) and cancel.
    #[command(subcommand)]
    Order(order::OrderCommand),
    /// Sales quotes: list, show, create drafts, send, accept (into a sales order) and decline.
    #[command(subcommand)]
    Quote(quote::QuoteCommand),
    /// Invoices and credit notes: list, show, create from an order, post, cancel, credit, UBL, PDF and e-mail.
    #[command(subcommand)]
    Invoice(invoice::InvoiceCommand),
    /// Customers' payments: record (settling invoices) and list.
    #[command(subcommand)]
    Payment(payment::PaymentCommand),
    /// Service desk tickets: list a queue, open, show, reply, escalate, credit the invoice, resolve and close.
    #[command(subcommand)]
    Ticket(ticket::TicketCommand),
    /// Service levels: breached and at-risk tickets, the targets and the working hours.
    #[command(subcommand)]
    Sla(sla::SlaCommand),
    /// The knowledge base: list and search articles, show one, add one.
    #[command(subcommand)]
    Kb(kb::KbCommand),
    /// Payroll: open a month's run, compute, approve, post and pay it; assign salary structures; the year to date.
    #[command(subcommand)]
    Payroll(payroll::PayrollCommand),
    /// Exchange rates of foreign currencies: set and list.
    #[command(subcommand)]
    Rate(payment::RateCommand),
    /// The company profile printed on every invoice: show and set.
    #[command(subcommand)]
    Company(company::CompanyCommand),
    /// Leads: add, list, show, merge duplicates, qualify into a customer and an opportunity, disqualify, import.
    #[command(subcommand)]
    Lead(crm::LeadCommand),
    /// Employees: add, list, show, contracts, login links, leave entitlements, departments, positions.
    #[command(subcommand)]
    Employee(hr::EmployeeCommand),
    /// Leave: request, approve, reject, list, balances, public holidays.
    #[command(subcommand)]
    Leave(hr::LeaveCommand),
    /// IT assets: add, list, move through in stock, assigned, in repair and retired, export CSV.
    #[command(subcommand)]
    Asset(it::AssetCommand),
    /// Software licences: add, list with warnings, assign and free seats.
    #[command(subcommand)]
    Licence(it::LicenceCommand),
    /// Checklist tasks of hires and leavers: list the open ones, complete one.
    #[command(subcommand)]
    Task(it::TaskCommand),
    /// Access requests: list them, approve (opening the IT ticket for the grant) or reject.
    #[command(subcommand)]
    AccessRequest(access_request::AccessRequestCommand),
    /// The sales pipeline: list and show opportunities, move them between stages, win (into a quote) and lose.
    #[command(subcommand)]
    Opportunity(crm::OpportunityCommand),
    /// Marketing segments: saved filters over parties; list, create, show with their members.
    #[command(subcommand)]
    Segment(marketing::SegmentCommand),
    /// E-mail campaigns: create, send, follow recipients, bounces, attribution, suppression and consent.
    #[command(subcommand)]
    Campaign(marketing::CampaignCommand),
    /// The weighted forecast of the open opportunities per month of expected close, salesperson and currency.
    Forecast {
        /// How to write it.
        #[arg(long, value_enum, default_value_t = report::ReportFormat::Table)]
        format: report::ReportFormat,
    },
    /// Reception's visitor log: check visitors in and out, list them.
    #[command(subcommand)]
    Visit(visit::VisitCommand),
    /// Appointments: book rooms and people, list, cancel.
    #[command(subcommand)]
    Appointment(appointment::AppointmentCommand),
    /// Rooms and equipment appointments book: add and list.
    #[command(subcommand)]
    Resource(appointment::ResourceCommand),
    /// The job queue every node works through (e-mail to send): list, show, retry dead jobs, run what is due.
    #[command(subcommand)]
    Jobs(jobs::JobsCommand),
    /// The SMTP server and sender e-mail goes out with: show, set, queue a test message.
    #[command(subcommand)]
    Mail(jobs::MailCommand),
    /// The chart of accounts: list and add accounts.
    #[command(subcommand)]
    Account(ledger::AccountCommand),
    /// Journal entries: post, list, reverse.
    #[command(subcommand)]
    Journal(ledger::JournalCommand),
    /// Accounting periods (months): close one, list the closed ones.
    #[command(subcommand)]
    Period(ledger::PeriodCommand),
    /// Financial reports: trial balance, profit and loss, balance sheet, receivables aging.
    #[command(subcommand)]
    Report(report::ReportCommand),
    /// Export the books for other tools (hledger, Beancount).
    #[command(subcommand)]
    Export(ledger::ExportCommand),
    /// Measure throughput: order-to-cash flows and journal entries per second.
    ///
    /// Runs on a fresh temporary SQLite file unless --database-url names an
    /// empty database, and refuses a database that holds users, entries or
    /// invoices. Prints a table, writes JSON with --json, and fails when the
    /// books do not balance or numbers have gaps afterwards.
    #[command(subcommand)]
    Bench(bench::BenchCommand),
    /// Fill an empty database with a generated data set for measuring Seam at size.
    ///
    /// N customers, about N/10 products, and per customer two years of
    /// posted invoices with their journal entries and payments (most paid,
    /// some open or overdue), deterministic from the seed and today's date.
    /// Written in large batches, with one audit event for the whole set.
    Generate(generate::GenerateArgs),
}

#[derive(Debug, Subcommand)]
enum UserCommand {
    /// Add a login. Without --password-stdin a strong password is generated and printed once.
    Add {
        /// 3 to 32 characters: lower-case letters, digits, '.', '_' or '-'.
        username: String,
        /// Role(s) to grant; repeat the option or separate with commas.
        #[arg(long = "role", required = true, value_delimiter = ',', value_parser = parse_role, value_name = "ROLE")]
        roles: Vec<Role>,
        /// Name shown in the application (default: the username).
        #[arg(long)]
        display_name: Option<String>,
        /// E-mail address of the login.
        #[arg(long)]
        email: Option<String>,
        /// For a portal login: the id of the customer party it belongs to.
        #[arg(long, value_name = "N")]
        party_id: Option<i64>,
        /// IANA time zone, e.g. Europe/Berlin (default: UTC).
        #[arg(long, value_name = "ZONE")]
        time_zone: Option<String>,
        /// Read the password from the first line of standard input.
        #[arg(long)]
        password_stdin: bool,
    },
    /// List every login with its roles, kind and state.
    List,
    /// Disable a login: its sessions end and its API tokens are revoked at once.
    Disable { username: String },
    /// Enable a disabled login again (its revoked tokens stay revoked).
    Enable { username: String },
    /// Set a new password, clear any lockout and end the user's sessions.
    ///
    /// Without --password-stdin a strong password is generated and printed once.
    ResetPassword {
        username: String,
        /// Read the password from the first line of standard input.
        #[arg(long)]
        password_stdin: bool,
    },
    /// Replace a login's roles.
    Roles {
        username: String,
        /// Role(s) to grant; repeat the option or separate with commas.
        #[arg(long = "role", required = true, value_delimiter = ',', value_parser = parse_role, value_name = "ROLE")]
        roles: Vec<Role>,
    },
}

#[derive(Debug, Subcommand)]
enum TokenCommand {
    /// Create an API token for a user. The secret is printed once and stored only as a hash.
    Create {
        /// The user the token acts as.
        #[arg(long, value_name = "USERNAME")]
        user: String,
        /// What the token is for, e.g. "web shop sync".
        #[arg(long)]
        name: String,
        /// Permission(s) the token may use, e.g. parties.read,parties.write; never more than the user has.
        #[arg(long = "scope", required = true, value_delimiter = ',', value_parser = parse_permission, value_name = "SCOPE")]
        scopes: Vec<Permission>,
    },
    /// List a user's tokens, revoked ones included.
    List {
        #[arg(long, value_name = "USERNAME")]
        user: String,
    },
    /// Revoke a token at once.
    Revoke {
        /// The token's id, as `token list` shows it.
        id: i64,
    },
}

#[derive(Debug, Subcommand)]
enum AuditCommand {
    /// Recompute the whole hash chain. Exits 1 and names the first broken event when it does not verify.
    Verify,
}

#[derive(Debug, Subcommand)]
enum PartyCommand {
    /// List active parties by name.
    List {
        /// Words to find in name, e-mail, phone, tax id, tags or city.
        #[arg(long, value_name = "TEXT")]
        search: Option<String>,
        /// How many to show (1 to 500).
        #[arg(long, default_value_t = 50, value_parser = clap::value_parser!(i64).range(1..=500), value_name = "N")]
        limit: i64,
    },
    /// Export active parties as CSV (the import format).
    Export {
        /// Write to FILE instead of standard output.
        #[arg(short, long, value_name = "FILE")]
        output: Option<PathBuf>,
    },
    /// Import parties from a CSV file: all rows or none.
    ///
    /// The header names the columns (kind and name are required; see `party
    /// export` for the rest). Persons name their company in the `company`
    /// column. Any bad row is reported as `line N: field: problem`, nothing is
    /// written, and the exit code is 1.
    Import {
        file: PathBuf,
        /// Check the file and report what would be created, without writing.
        #[arg(long)]
        dry_run: bool,
    },
}

fn parse_role(name: &str) -> Result<Role, String> {
    Role::parse(name).ok_or_else(|| {
        let known: Vec<&str> = Role::ALL.iter().map(|r| r.name()).collect();
        format!("unknown role; known roles: {}", known.join(", "))
    })
}

fn parse_permission(name: &str) -> Result<Permission, String> {
    Permission::parse(name.trim()).ok_or_else(|| {
        let known: Vec<&str> = Permission::ALL.iter().map(|p| p.name()).collect();
        format!("unknown scope; known scopes: {}", known.join(", "))
    })
}

fn init_logging(format: LogFormat) {
    use tracing_subscriber::EnvFilter;
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info"));
    let ansi = std::io::IsTerminal::is_terminal(&std::io::stderr());
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(ansi);
    // A second subscriber (never the case here) is not worth failing a command over.
    let _ = match format {
        LogFormat::Text => builder.try_init(),
        LogFormat::Json => builder.json().try_init(),
    };
}

#[tokio::main]
async fn main() -> ExitCode {
    let cli = Cli::parse();
    init_logging(cli.log_format);
    match run(cli).await {
        Ok(code) => code,
        Err(err) => {
            messages::report(&err);
            ExitCode::FAILURE
        }
    }
}

async fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    if let Command::Bench(command) = cli.command {
        return bench::bench(cli.database_url.as_deref(), command).await;
    }
    let default_url = if matches!(cli.command, Command::Demo { .. }) {
        DEMO_DATABASE_URL
    } else {
        DEFAULT_DATABASE_URL
    };
    let url = cli.database_url.as_deref().unwrap_or(default_url);
    let db = Db::connect(url)
        .await
        .map_err(|e| anyhow::anyhow!("cannot open the database: {e}"))?;
    db.migrate()
        .await
        .map_err(|e| anyhow::anyhow!("cannot bring the database schema up to date: {e}"))?;
    let app = App::new(db);
    let result = dispatch(&app, cli.command).await;
    app.db.close().await;
    result
}

async fn dispatch(app: &App, command: Command) -> anyhow::Result<ExitCode> {
    match command {
        Command::Serve {
            listen,
            secure_cookies,
        } => server::serve(app, listen, secure_cookies).await,
        Command::Demo { listen } => server::demo(app, listen).await,
        Command::Migrate => {
            output::out("database schema is up to date")?;
            Ok(ExitCode::SUCCESS)
        }
        Command::User(command) => admin::user(app, command).await,
        Command::Token(command) => admin::token(app, command).await,
        Command::Backup { file } => data::backup(app, &file).await,
        Command::Restore { file } => data::restore(app, &file).await,
        Command::Audit(AuditCommand::Verify) => data::audit_verify(app).await,
        Command::Party(command) => party::party(app, command).await,
        Command::Product(command) => product::product(app, command).await,
        Command::TaxRate(command) => product::tax_rate(app, command).await,
        Command::PriceList(command) => price_list::price_list(app, command).await,
        Command::Stock(command) => stock::stock(app, command).await,
        Command::Order(command) => order::order(app, command).await,
        Command::Quote(command) => quote::quote(app, command).await,
        Command::Invoice(command) => invoice::invoice(app, command).await,
        Command::Payment(command) => payment::payment(app, command).await,
        Command::Ticket(command) => ticket::ticket(app, command).await,
        Command::Sla(command) => sla::sla(app, command).await,
        Command::Kb(command) => kb::kb(app, command).await,
        Command::Payroll(command) => payroll::payroll(app, command).await,
        Command::Rate(command) => payment::rate(app, command).await,
        Command::Company(command) => company::company(app, command).await,
        Command::Visit(command) => visit::visit(app, command).await,
        Command::Lead(command) => crm::lead(app, command).await,
        Command::Employee(command) => hr::employee(app, command).await,
        Command::Leave(command) => hr::leave(app, command).await,
        Command::Asset(command) => it::asset(app, command).await,
        Command::Licence(command) => it::licence(app, command).await,
        Command::Task(command) => it::task(app, command).await,
        Command::AccessRequest(command) => access_request::run(app, command).await,
        Command::Opportunity(command) => crm::opportunity(app, command).await,
        Command::Forecast { format } => crm::forecast(app, format).await,
        Command::Segment(command) => marketing::segment(app, command).await,
        Command::Campaign(command) => marketing::campaign(app, command).await,
        Command::Appointment(command) => appointment::appointment(app, command).await,
        Command::Resource(command) => appointment::resource(app, command).await,
        Command::Jobs(command) => jobs::jobs(app, command).await,
        Command::Mail(command) => jobs::mail(app, command).await,
        Command::Account(command) => ledger::account(app, command).await,
        Command::Journal(command) => ledger::journal(app, command).await,
        Command::Period(command) => ledger::period(app, command).await,
        Command::Report(command) => report::report(app, command).await,
        Command::Export(command) => ledger::export(app, command).await,
        Command::Bench(_) => anyhow::bail!("seam bench opens its own database"),
        Command::Generate(args) => generate::generate(app, &args).await,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_command_line_definition_is_consistent() {
        use clap::CommandFactory;
        Cli::command().debug_assert();
    }
}
