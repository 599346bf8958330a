//! A generated data set for measuring Seam at size (`seam generate`): `N`
//! customers (companies and persons), a catalogue of about `N / 10` products
//! (at least 20), and per customer a history of posted invoices with their
//! journal entries and the payments that settled them, spread over the two
//! years up to today. Most invoices are paid in full, some in part, some not
//! at all, so the receivables hold current and overdue items.
//!
//! The data follows from the seed alone (and the date it is generated on):
//! the same seed on the same day gives the same rows.
//!
//! Speed over ceremony: rows are written with multi-row INSERTs in large
//! transactions ([`seam_store::generate`]), not through the per-record use
//! cases, and the audit journal gets **one** event summarising the
//! generation instead of one per record. What the use cases guarantee still
//! holds afterwards: every journal entry balances, the maintained account
//! balances equal the posted lines, invoice, payment and entry numbers are
//! gapless per series and year (and follow the dates), each invoice's
//! settled amount equals the payments allocated to it, and the party search
//! index is filled (by the database's own triggers or generated column).
//! Every transaction commits a consistent state, so an interrupted run
//! leaves fewer records, never broken ones.
//!
//! Invariant: runs only on a database without parties, products, journal
//! entries, invoices or payments.

use std::collections::BTreeMap;

use jiff::civil::Date as CivilDate;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use seam_domain::access::Permission;
use seam_domain::sales::totals;
use seam_store::generate::{self as store, Rows, Val};
use seam_store::parties::{PARTY_FIELDS, sort_name};
use serde_json::json;

use crate::invoicing::{BANK_ACCOUNT, PAYMENT_PREFIX, RECEIVABLE_ACCOUNT, VAT_ACCOUNT};
use crate::{Actor, App, AppError, AppResult, Change, company, record};

/// How many days back the history reaches.
pub const HISTORY_DAYS: i64 = 730;
/// Customers per catalogue product.
const CUSTOMERS_PER_PRODUCT: u64 = 10;
/// The smallest catalogue.
const PRODUCTS_MIN: u64 = 20;
/// Days from issue to due date.
const PAYMENT_TERMS_DAYS: i64 = 30;
/// Journal lines gathered before they are written in one transaction.
const LINES_PER_TRANSACTION: usize = 60_000;
/// Parties or products written per transaction.
const RECORDS_PER_TRANSACTION: usize = 20_000;
/// One unit of the exchange rate: the company currency to itself.
const RATE_ONE: i64 = 1_000_000_000;

/// What to generate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GenerateOptions {
    pub customers: u64,
    pub seed: u64,
    /// Invoices per customer over the history (0: parties and products only).
    pub orders_per_customer: u32,
    /// The last day of the history (today when `None`).
    pub today: Option<CivilDate>,
}

/// What was generated, counted as it was written.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Generated {
    pub seed: u64,
    pub first_date: String,
    pub last_date: String,
    pub customers: u64,
    pub products: u64,
    pub invoices: u64,
    pub invoice_lines: u64,
    pub open_invoices: u64,
    pub payments: u64,
    pub journal_entries: u64,
    pub journal_lines: u64,
    /// Sum of every invoice total, in minor units of the company currency.
    pub invoiced_minor: i64,
    /// What the open invoices still owe.
    pub receivables_open_minor: i64,
    pub currency: String,
}

impl Generated {
    pub fn to_json(&self) -> serde_json::Value {
        json!({
            "seed": self.seed,
            "first_date": self.first_date,
            "last_date": self.last_date,
            "customers": self.customers,
            "products": self.products,
            "invoices": self.invoices,
            "invoice_lines": self.invoice_lines,
            "open_invoices": self.open_invoices,
            "payments": self.payments,
            "journal_entries": self.journal_entries,
            "journal_lines": self.journal_lines,
            "invoiced_minor": self.invoiced_minor,
            "receivables_open_minor": self.receivables_open_minor,
            "currency": self.currency,
        })
    }
}

/// How far the generation is: `done` of `total` units (a party, a product or an invoice each).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Progress {
    pub done: u64,
    pub total: u64,
}

const FIRST_WORDS: &[&str] = &[
    "Nordic", "Baltic", "Alpine", "Coastal", "Northern", "Silver", "Golden", "Green", "Blue",
    "Oak", "Pine", "Birch", "Granite", "Harbor", "River", "Lake", "Summit", "Valley", "Meadow",
    "Iron", "Copper", "Crystal", "Royal", "United", "Global", "Metro", "Urban", "Rapid", "Bright",
    "Polar",
];
const SECOND_WORDS: &[&str] = &[
    "Timber",
    "Logistics",
    "Foods",
    "Systems",
    "Design",
    "Textiles",
    "Motors",
    "Electric",
    "Bakery",
    "Consulting",
    "Print",
    "Media",
    "Builders",
    "Pharma",
    "Tools",
    "Furniture",
    "Marine",
    "Energy",
    "Optics",
    "Software",
    "Trading",
    "Garden",
    "Coffee",
    "Steel",
    "Labs",
    "Health",
    "Travel",
    "Sports",
    "Paper",
    "Works",
];
const LEGAL_FORMS: &[&str] = &["AB", "GmbH", "Ltd", "Oy", "AS", "BV", "SARL", "ApS", "Inc"];
const GIVEN_NAMES: &[&str] = &[
    "Anna", "Erik", "Maria", "Lars", "Karin", "Johan", "Eva", "Anders", "Sofia", "Peter", "Laura",
    "Jonas", "Emma", "Mikael", "Sara", "Thomas", "Julia", "Daniel", "Lena", "Martin", "Nora",
    "Felix", "Clara", "Oskar", "Ida", "Hugo", "Elsa", "Paul", "Greta", "Noah",
];
const FAMILY_NAMES: &[&str] = &[
    "Andersson",
    "Berg",
    "Lindqvist",
    "Nilsson",
    "Svensson",
    "Holm",
    "Dahl",
    "Ek",
    "Lund",
    "Strand",
    "Müller",
    "Schmidt",
    "Weber",
    "Fischer",
    "Becker",
    "Hansen",
    "Jensen",
    "Larsen",
    "Virtanen",
    "Korhonen",
    "de Vries",
    "Jansen",
    "Bakker",
    "Dubois",
    "Moreau",
    "Laurent",
    "Rossi",
    "Bianchi",
    "Novak",
    "Kowalski",
];
const CITIES: &[(&str, &str, &str)] = &[
    ("Stockholm", "SE", "+46 8"),
    ("Göteborg", "SE", "+46 31"),
    ("Malmö", "SE", "+46 40"),
    ("Uppsala", "SE", "+46 18"),
    ("Berlin", "DE", "+49 30"),
    ("Hamburg", "DE", "+49 40"),
    ("München", "DE", "+49 89"),
    ("Köln", "DE", "+49 221"),
    ("Oslo", "NO", "+47 22"),
    ("Bergen", "NO", "+47 55"),
    ("København", "DK", "+45 33"),
    ("Aarhus", "DK", "+45 86"),
    ("Helsinki", "FI", "+358 9"),
    ("Tampere", "FI", "+358 3"),
    ("Amsterdam", "NL", "+31 20"),
    ("Rotterdam", "NL", "+31 10"),
    ("Paris", "FR", "+33 1"),
    ("Lyon", "FR", "+33 4"),
    ("Wien", "AT", "+43 1"),
    ("Graz", "AT", "+43 316"),
];
const STREETS: &[&str] = &[
    "Storgatan",
    "Hauptstraße",
    "Kungsgatan",
    "Bahnhofstraße",
    "Drottninggatan",
    "Rue de la Paix",
    "Havnegade",
    "Keizersgracht",
    "Mannerheimintie",
    "Karl Johans gate",
];
const TAGS: &[&str] = &[
    "wholesale",
    "retail",
    "key-account",
    "export",
    "new",
    "public-sector",
];
const GOODS_WORDS: &[&str] = &[
    "Desk", "Chair", "Lamp", "Cable", "Monitor", "Shelf", "Printer", "Router", "Drill", "Kettle",
    "Jacket", "Boots", "Tent", "Bicycle", "Helmet", "Paper", "Toner", "Battery", "Sensor", "Valve",
];
const SERVICE_WORDS: &[&str] = &[
    "Installation",
    "Consulting",
    "Support",
    "Training",
    "Maintenance",
    "Repair",
    "Design",
    "Audit",
];
const PRODUCT_ADJECTIVES: &[&str] = &[
    "Basic",
    "Pro",
    "Compact",
    "Deluxe",
    "Eco",
    "Heavy-duty",
    "Mini",
    "Classic",
    "Smart",
    "Ultra",
];
/// VAT rates the catalogue uses, with their basis points (seeded in every database).
const RATES: &[(&str, i64)] = &[("S25", 2500), ("S25", 2500), ("S12", 1200), ("S6", 600)];

fn pick<'a, T>(rng: &mut StdRng, items: &'a [T]) -> Option<&'a T> {
    items.get(rng.random_range(0..items.len().max(1)))
}

/// A word of a constant list (never empty).
fn word(rng: &mut StdRng, items: &[&'static str]) -> &'static str {
    pick(rng, items).copied().unwrap_or("")
}

fn slug(text: &str) -> String {
    text.chars()
        .filter(char::is_ascii_alphanumeric)
        .map(|c| c.to_ascii_lowercase())
        .collect()
}

fn internal(what: &str) -> AppError {
    AppError::Internal(anyhow::anyhow!("generate: {what}"))
}

fn day_us(date: CivilDate) -> AppResult<i64> {
    Ok(date
        .to_zoned(jiff::tz::TimeZone::UTC)
        .map_err(|e| AppError::Internal(e.into()))?
        .timestamp()
        .as_microsecond())
}

fn add_days(date: CivilDate, days: i64) -> AppResult<CivilDate> {
    date.checked_add(jiff::Span::new().days(days))
        .map_err(|e| AppError::Internal(e.into()))
}

/// One catalogue product, as invoices need it.
struct Product {
    id: i64,
    name: String,
    unit: &'static str,
    price_minor: i64,
    tax_code: &'static str,
    bp: i64,
    revenue_account: &'static str,
}

/// A payment that falls due later in the history.
struct PendingPayment {
    party: usize,
    invoice_id: i64,
    amount_minor: i64,
}

/// The columns the generator writes, in order; bulk set-ups elsewhere (benchmarks) reuse them.
pub const PRODUCT_COLUMNS: &[&str] = &[
    "id",
    "sku",
    "name",
    "sort_name",
    "kind",
    "unit",
    "currency",
    "list_price_minor",
    "standard_cost_minor",
    "tax_rate_code",
    "revenue_account_code",
    "archived",
    "version",
    "created_at_us",
    "updated_at_us",
];
/// The columns the generator writes, in order; bulk set-ups elsewhere (benchmarks) reuse them.
pub const ENTRY_COLUMNS: &[&str] = &[
    "id",
    "number",
    "entry_date",
    "memo",
    "currency",
    "total_minor",
    "reverses_id",
    "posted_at_us",
    "posted_by",
];
/// The columns the generator writes, in order; bulk set-ups elsewhere (benchmarks) reuse them.
pub const LINE_COLUMNS: &[&str] = &[
    "id",
    "entry_id",
    "line_no",
    "account_id",
    "debit_minor",
    "credit_minor",
];
/// The columns the generator writes, in order; bulk set-ups elsewhere (benchmarks) reuse them.
pub const INVOICE_COLUMNS: &[&str] = &[
    "id",
    "kind",
    "number",
    "party_id",
    "order_id",
    "credited_invoice_id",
    "state",
    "issue_date",
    "due_date",
    "currency",
    "rate_e9",
    "net_minor",
    "vat_minor",
    "total_minor",
    "settled_minor",
    "settled_date",
    "total_company_minor",
    "journal_entry_id",
    "note",
    "created_by",
    "version",
    "created_at_us",
    "updated_at_us",
];
/// The columns the generator writes, in order; bulk set-ups elsewhere (benchmarks) reuse them.
pub const INVOICE_LINE_COLUMNS: &[&str] = &[
    "invoice_id",
    "line_no",
    "order_line_no",
    "product_id",
    "description",
    "qty",
    "unit_code",
    "unit_price_minor",
    "tax_rate_code",
    "vat_basis_points",
    "line_net_minor",
    "revenue_account_code",
];
const PAYMENT_COLUMNS: &[&str] = &[
    "id",
    "number",
    "party_id",
    "payment_date",
    "currency",
    "rate_e9",
    "amount_minor",
    "unallocated_minor",
    "reference",
    "bank_account_code",
    "journal_entry_id",
    "posted_by",
    "posted_at_us",
];
const ALLOCATION_COLUMNS: &[&str] = &["payment_id", "invoice_id", "amount_minor"];

/// The tables the generator writes ids into.
const ID_TABLES: &[&str] = &[
    "parties",
    "products",
    "journal_entries",
    "journal_lines",
    "invoices",
    "payments",
];

/// Rows waiting for the next transaction, and the counters that number them.
struct Books {
    currency: String,
    posted_by: String,
    accounts: BTreeMap<&'static str, i64>,
    entries: Rows,
    lines: Rows,
    invoices: Rows,
    invoice_lines: Rows,
    payments: Rows,
    allocations: Rows,
    balances: BTreeMap<(i64, String), (i64, i64)>,
    series: BTreeMap<String, i64>,
    next_entry_id: i64,
    next_line_id: i64,
    next_invoice_id: i64,
    next_payment_id: i64,
    out: Generated,
}

impl Books {
    fn account(&self, code: &str) -> AppResult<i64> {
        self.accounts
            .get(code)
            .copied()
            .ok_or_else(|| internal(&format!("account {code} is missing")))
    }

    fn next_in(&mut self, series: String) -> i64 {
        let n = self.series.entry(series).or_insert(0);
        *n += 1;
        *n
    }

    /// Books a balanced entry of `(account code, debit, credit)` lines; returns its id.
    fn entry(
        &mut self,
        date: &str,
        year: i16,
        at_us: i64,
        memo: String,
        lines: &[(&str, i64, i64)],
    ) -> AppResult<i64> {
        let debits: i64 = lines.iter().map(|l| l.1).sum();
        let credits: i64 = lines.iter().map(|l| l.2).sum();
        if debits != credits {
            return Err(internal(&format!("entry {memo} does not balance")));
        }
        let id = self.next_entry_id;
        self.next_entry_id += 1;
        let seq = self.next_in(format!("JE-{year:04}"));
        self.entries.push(vec![
            Val::Int(id),
            Val::Text(format!("JE-{year:04}-{seq:06}")),
            Val::Text(date.to_owned()),
            Val::Text(memo),
            Val::Text(self.currency.clone()),
            Val::Int(debits),
            Val::NullInt,
            Val::Int(at_us),
            Val::Text(self.posted_by.clone()),
        ]);
        let mut line_no = 0;
        for (code, debit, credit) in lines {
            if *debit == 0 && *credit == 0 {
                continue;
            }
            line_no += 1;
            let account = self.account(code)?;
            self.lines.push(vec![
                Val::Int(self.next_line_id),
                Val::Int(id),
                Val::Int(line_no),
                Val::Int(account),
                Val::Int(*debit),
                Val::Int(*credit),
            ]);
            self.next_line_id += 1;
            let b = self
                .balances
                .entry((account, date.to_owned()))
                .or_insert((0, 0));
            b.0 += debit;
            b.1 += credit;
            self.out.journal_lines += 1;
        }
        self.out.journal_entries += 1;
        Ok(id)
    }

    /// Writes what is waiting in one transaction.
    async fn flush(&mut self, app: &App) -> AppResult<()> {
        let mut tx = app.db.begin().await?;
        for rows in [
            &self.entries,
            &self.lines,
            &self.invoices,
            &self.invoice_lines,
            &self.payments,
            &self.allocations,
        ] {
            store::insert_rows(&mut tx, rows).await?;
        }
        store::add_balances(&mut tx, &self.currency, &self.balances).await?;
        store::set_number_series(&mut tx, &self.series).await?;
        store::reset_identities(&mut tx, ID_TABLES).await?;
        tx.commit().await?;
        for rows in [
            &mut self.entries,
            &mut self.lines,
            &mut self.invoices,
            &mut self.invoice_lines,
            &mut self.payments,
            &mut self.allocations,
        ] {
            rows.rows.clear();
        }
        self.balances.clear();
        Ok(())
    }
}

/// One made-up party.
struct FakeParty {
    kind: &'static str,
    name: String,
    email: String,
    phone: String,
    tax_id: Option<String>,
    street: String,
    postal_code: String,
    city: &'static str,
    country: &'static str,
    is_vendor: bool,
    tags: String,
}

/// Party number `n`: a company (mostly) or a person, somewhere in Europe.
fn fake_party(rng: &mut StdRng, n: i64) -> FakeParty {
    let (city, country, dial) = pick(rng, CITIES)
        .copied()
        .unwrap_or(("Stockholm", "SE", "+46 8"));
    let person = rng.random_bool(0.15);
    let (kind, name, email, tax_id) = if person {
        let given = word(rng, GIVEN_NAMES);
        let family = word(rng, FAMILY_NAMES);
        let name = format!("{given} {family}");
        let email = format!("{}.{}{n}@mail.example", slug(given), slug(family));
        ("person", name, email, None)
    } else {
        let first = if rng.random_bool(0.4) {
            word(rng, FAMILY_NAMES)
        } else {
            word(rng, FIRST_WORDS)
        };
        let second = word(rng, SECOND_WORDS);
        let form = word(rng, LEGAL_FORMS);
        let name = format!("{first} {second} {form}");
        let mailbox = word(rng, &["info", "orders", "accounts", "office", "sales"]);
        let email = format!("{mailbox}@{}{}{n}.example", slug(first), slug(second));
        let tax_id = format!("{country}{:010}", rng.random_range(0..10_000_000_000_i64));
        ("company", name, email, Some(tax_id))
    };
    let phone = format!(
        "{dial} {:03} {:02} {:02}",
        rng.random_range(100..1000),
        rng.random_range(0..100),
        rng.random_range(0..100)
    );
    let street = format!("{} {}", word(rng, STREETS), rng.random_range(1..200));
    let postal_code = format!("{:05}", rng.random_range(10_000..99_999));
    let mut tags: Vec<&str> = Vec::new();
    for _ in 0..rng.random_range(0..3) {
        let t = word(rng, TAGS);
        if !tags.contains(&t) {
            tags.push(t);
        }
    }
    let is_vendor = kind == "company" && rng.random_bool(0.05);
    FakeParty {
        kind,
        name,
        email,
        phone,
        tax_id,
        street,
        postal_code,
        city,
        country,
        is_vendor,
        tags: tags.join(","),
    }
}

/// The generated customer with id `id`: (party row, name).
fn party_row(rng: &mut StdRng, id: i64, created_us: i64) -> (Vec<Val>, String) {
    let p = fake_party(rng, id);
    let row = vec![
        Val::Int(id),
        Val::from(p.kind),
        Val::Text(p.name.clone()),
        Val::Text(sort_name(&p.name)),
        Val::NullInt,
        Val::Text(p.email),
        Val::Text(p.phone),
        Val::from(p.tax_id),
        Val::Text(p.street),
        Val::Text(p.postal_code),
        Val::from(p.city),
        Val::from(p.country),
        Val::Bool(true),
        Val::Bool(p.is_vendor),
        Val::Text(p.tags),
        Val::NullText,
        Val::Bool(false),
        Val::Int(1),
        Val::Int(created_us),
        Val::Int(created_us),
    ];
    (row, p.name)
}

/// `count` made-up customers as a party import file (the columns of
/// [`crate::parties::CSV_COLUMNS`], ids empty), deterministic from `seed`.
pub fn party_csv(seed: u64, count: u64) -> AppResult<String> {
    let mut rng = StdRng::seed_from_u64(seed);
    let mut csv = crate::csv_file::CsvOut::new(&crate::parties::CSV_COLUMNS)?;
    for n in 1..=count {
        let p = fake_party(&mut rng, i64::try_from(n).unwrap_or(i64::MAX));
        let cell = |column: &str| -> String {
            match column {
                "kind" => p.kind.to_owned(),
                "name" => p.name.clone(),
                "email" => p.email.clone(),
                "phone" => p.phone.clone(),
                "tax_id" => p.tax_id.clone().unwrap_or_default(),
                "street" => p.street.clone(),
                "postal_code" => p.postal_code.clone(),
                "city" => p.city.to_owned(),
                "country" => p.country.to_owned(),
                "customer" => "yes".to_owned(),
                "vendor" => if p.is_vendor { "yes" } else { "no" }.to_owned(),
                "tags" => p.tags.clone(),
                _ => String::new(),
            }
        };
        csv.row(crate::parties::CSV_COLUMNS.iter().map(|c| cell(c)))?;
    }
    csv.finish()
}

fn product(rng: &mut StdRng, id: i64) -> (Product, String) {
    let goods = rng.random_bool(0.7);
    let (name, unit, revenue_account, price_minor) = if goods {
        let name = format!(
            "{} {}",
            word(rng, PRODUCT_ADJECTIVES),
            word(rng, GOODS_WORDS)
        );
        (name, "C62", "4000", rng.random_range(5..=500) * 100 + 99)
    } else {
        let name = format!(
            "{} {}",
            word(rng, SERVICE_WORDS),
            word(rng, PRODUCT_ADJECTIVES)
        );
        (name, "HUR", "4100", rng.random_range(40..=160) * 100)
    };
    let (tax_code, bp) = pick(rng, RATES).copied().unwrap_or(("S25", 2500));
    let sku = format!("{}-{id:06}", if goods { "G" } else { "S" });
    (
        Product {
            id,
            name: format!("{name} {sku}"),
            unit,
            price_minor,
            tax_code,
            bp,
            revenue_account,
        },
        sku,
    )
}

async fn refuse_unless_empty(app: &App) -> AppResult<()> {
    let mut tx = app.db.begin().await?;
    for table in [
        "parties",
        "products",
        "journal_entries",
        "invoices",
        "payments",
    ] {
        if store::count(&mut tx, table).await? > 0 {
            drop(tx);
            return Err(AppError::Conflict("error-generate-not-empty"));
        }
    }
    drop(tx);
    Ok(())
}

/// Generates the data set described in the module documentation. Needs
/// `ledger.admin`. `progress` is called as records are prepared.
///
/// Errors: [`AppError::Conflict`] (`error-generate-not-empty`) when the
/// database already holds parties, products, entries, invoices or payments.
pub async fn generate(
    app: &App,
    actor: &Actor,
    options: &GenerateOptions,
    progress: &(dyn Fn(Progress) + Send + Sync),
) -> AppResult<Generated> {
    actor.require(Permission::LedgerAdmin)?;
    refuse_unless_empty(app).await?;
    let currency = company::currency(app).await?;
    let today = match options.today {
        Some(day) => day,
        None => {
            let t = crate::today();
            CivilDate::new(t.year, t.month, t.day).map_err(|e| AppError::Internal(e.into()))?
        }
    };
    let first = add_days(today, 1 - HISTORY_DAYS)?;
    let customers = options.customers;
    let product_count = (customers / CUSTOMERS_PER_PRODUCT).max(PRODUCTS_MIN);
    let invoice_count = customers.saturating_mul(u64::from(options.orders_per_customer));
    let total_units = customers + product_count + invoice_count;
    let mut rng = StdRng::seed_from_u64(options.seed);
    let mut done = 0_u64;
    let first_us = day_us(first)?;

    // Accounts by code, and the starting ids.
    let mut accounts = BTreeMap::new();
    let mut tx = app.db.begin().await?;
    let codes: Vec<String> = [
        BANK_ACCOUNT,
        RECEIVABLE_ACCOUNT,
        VAT_ACCOUNT,
        "4000",
        "4100",
    ]
    .iter()
    .map(|c| (*c).to_owned())
    .collect();
    let found = seam_store::ledger::accounts_by_code(&mut tx, &codes).await?;
    for code in [
        BANK_ACCOUNT,
        RECEIVABLE_ACCOUNT,
        VAT_ACCOUNT,
        "4000",
        "4100",
    ] {
        let row = found
            .get(code)
            .ok_or_else(|| internal(&format!("account {code} is missing")))?;
        accounts.insert(code, row.id);
    }
    let next_line_id = store::max_id(&mut tx, "journal_lines").await? + 1;
    drop(tx);

    // Customers.
    let mut names: Vec<String> = Vec::with_capacity(usize::try_from(customers).unwrap_or(0));
    let mut rows = Rows::new("parties", PARTY_FIELDS);
    for i in 0..customers {
        let id = i64::try_from(i).map_err(|_| internal("too many customers"))? + 1;
        let created = first_us - rng.random_range(0..365 * 86_400_i64) * 1_000_000;
        let (row, name) = party_row(&mut rng, id, created);
        rows.push(row);
        names.push(name);
        done += 1;
        if rows.len() >= RECORDS_PER_TRANSACTION {
            let mut tx = app.db.begin().await?;
            store::insert_rows(&mut tx, &rows).await?;
            tx.commit().await?;
            rows.rows.clear();
            progress(Progress {
                done,
                total: total_units,
            });
        }
    }
    // Products.
    let mut catalogue = Vec::with_capacity(usize::try_from(product_count).unwrap_or(0));
    let mut product_rows = Rows::new("products", PRODUCT_COLUMNS);
    for i in 0..product_count {
        let id = i64::try_from(i).map_err(|_| internal("too many products"))? + 1;
        let (p, sku) = product(&mut rng, id);
        let kind = if p.unit == "HUR" { "service" } else { "goods" };
        product_rows.push(vec![
            Val::Int(id),
            Val::Text(sku),
            Val::Text(p.name.clone()),
            Val::Text(sort_name(&p.name)),
            Val::from(kind),
            Val::from(p.unit),
            Val::Text(currency.clone()),
            Val::Int(p.price_minor),
            Val::Int(p.price_minor / 2),
            Val::from(p.tax_code),
            Val::from(p.revenue_account),
            Val::Bool(false),
            Val::Int(1),
            Val::Int(first_us),
            Val::Int(first_us),
        ]);
        catalogue.push(p);
        done += 1;
    }
    let mut tx = app.db.begin().await?;
    store::insert_rows(&mut tx, &rows).await?;
    store::insert_rows(&mut tx, &product_rows).await?;
    store::reset_identities(&mut tx, &["parties", "products"]).await?;
    tx.commit().await?;
    drop(rows);
    drop(product_rows);
    progress(Progress {
        done,
        total: total_units,
    });

    let mut books = Books {
        currency: currency.clone(),
        posted_by: actor.username.clone(),
        accounts,
        entries: Rows::new("journal_entries", ENTRY_COLUMNS),
        lines: Rows::new("journal_lines", LINE_COLUMNS),
        invoices: Rows::new("invoices", INVOICE_COLUMNS),
        invoice_lines: Rows::new("invoice_lines", INVOICE_LINE_COLUMNS),
        payments: Rows::new("payments", PAYMENT_COLUMNS),
        allocations: Rows::new("payment_allocations", ALLOCATION_COLUMNS),
        balances: BTreeMap::new(),
        series: BTreeMap::new(),
        next_entry_id: 1,
        next_line_id,
        next_invoice_id: 1,
        next_payment_id: 1,
        out: Generated {
            seed: options.seed,
            first_date: first.to_string(),
            last_date: today.to_string(),
            customers,
            products: product_count,
            currency: currency.clone(),
            ..Generated::default()
        },
    };

    // The history, day by day, so every series numbers in date order.
    let mut pending: BTreeMap<i64, Vec<PendingPayment>> = BTreeMap::new();
    let mut k: u64 = 0;
    let days = u128::from(HISTORY_DAYS.unsigned_abs());
    let invoices_total = u128::from(invoice_count);
    for day in 0..HISTORY_DAYS {
        let date = add_days(first, day)?;
        let iso = date.to_string();
        let year = date.year();
        let base_us = day_us(date)?;
        // Invoice k is issued on day k * days / invoices.
        let until = ((u128::from(day.unsigned_abs()) + 1) * invoices_total).div_ceil(days);
        while u128::from(k) < until && k < invoice_count {
            let party = usize::try_from(k % customers.max(1)).unwrap_or(0);
            let party_id = i64::try_from(party).unwrap_or(0) + 1;
            let party_name = names.get(party).cloned().unwrap_or_default();
            let at_us = base_us + rng.random_range(8 * 3_600..17 * 3_600_i64) * 1_000_000;
            let invoice_id = books.next_invoice_id;
            books.next_invoice_id += 1;
            // Lines.
            let line_count = rng.random_range(1..=3);
            let mut lines: Vec<(&Product, i64)> = Vec::new();
            for _ in 0..line_count {
                let Some(p) = pick(&mut rng, &catalogue) else {
                    break;
                };
                let qty = if p.unit == "HUR" {
                    rng.random_range(1..=8)
                } else {
                    rng.random_range(1..=10)
                };
                lines.push((p, qty));
            }
            let sums = totals(
                lines
                    .iter()
                    .map(|(p, qty)| (p.price_minor * qty, p.tax_code, p.bp)),
            );
            let mut by_account: BTreeMap<&str, i64> = BTreeMap::new();
            for (n, (p, qty)) in lines.iter().enumerate() {
                let net = p.price_minor * qty;
                *by_account.entry(p.revenue_account).or_insert(0) += net;
                books.invoice_lines.push(vec![
                    Val::Int(invoice_id),
                    Val::Int(i64::try_from(n).unwrap_or(0) + 1),
                    Val::NullInt,
                    Val::Int(p.id),
                    Val::Text(p.name.clone()),
                    Val::Int(*qty),
                    Val::from(p.unit),
                    Val::Int(p.price_minor),
                    Val::from(p.tax_code),
                    Val::Int(p.bp),
                    Val::Int(net),
                    Val::from(p.revenue_account),
                ]);
                books.out.invoice_lines += 1;
            }
            let total = sums.total_minor;
            let seq = books.next_in(format!("INV-{year:04}"));
            let number = format!("INV-{year:04}-{seq:06}");
            let mut entry_lines: Vec<(&str, i64, i64)> = vec![(RECEIVABLE_ACCOUNT, total, 0)];
            entry_lines.extend(by_account.iter().map(|(a, net)| (*a, 0, *net)));
            entry_lines.extend(sums.breakdown.iter().map(|b| (VAT_ACCOUNT, 0, b.vat_minor)));
            let entry_id = books.entry(
                &iso,
                year,
                at_us,
                format!("Invoice {number} to {party_name}"),
                &entry_lines,
            )?;
            // Its fate: paid in full (mostly), in part, late or never.
            let fate = rng.random_range(0..100);
            let (paid, lag) = match fate {
                0..80 => (total, rng.random_range(5..=40)),
                80..88 => (total, rng.random_range(45..=120)),
                88..94 => (total / 2, rng.random_range(10..=40)),
                _ => (0, 0),
            };
            let pay_day = day + lag;
            let settled = if paid > 0 && pay_day < HISTORY_DAYS {
                pending.entry(pay_day).or_default().push(PendingPayment {
                    party,
                    invoice_id,
                    amount_minor: paid,
                });
                paid
            } else {
                0
            };
            let settled_date = if settled > 0 {
                Val::Text(add_days(first, pay_day)?.to_string())
            } else {
                Val::NullText
            };
            let state = if settled == total { "paid" } else { "posted" };
            if settled < total {
                books.out.open_invoices += 1;
                books.out.receivables_open_minor += total - settled;
            }
            books.out.invoiced_minor += total;
            books.invoices.push(vec![
                Val::Int(invoice_id),
                Val::from("invoice"),
                Val::Text(number),
                Val::Int(party_id),
                Val::NullInt,
                Val::NullInt,
                Val::from(state),
                Val::Text(iso.clone()),
                Val::Text(add_days(date, PAYMENT_TERMS_DAYS)?.to_string()),
                Val::Text(currency.clone()),
                Val::Int(RATE_ONE),
                Val::Int(sums.net_minor),
                Val::Int(sums.vat_minor),
                Val::Int(total),
                Val::Int(settled),
                settled_date,
                Val::Int(total),
                Val::Int(entry_id),
                Val::Text(String::new()),
                Val::Text(actor.username.clone()),
                Val::Int(if settled > 0 { 3 } else { 2 }),
                Val::Int(at_us),
                Val::Int(at_us),
            ]);
            books.out.invoices += 1;
            k += 1;
            done += 1;
        }
        // The payments that arrive today.
        for payment in pending.remove(&day).unwrap_or_default() {
            let id = books.next_payment_id;
            books.next_payment_id += 1;
            let seq = books.next_in(format!("{PAYMENT_PREFIX}-{year:04}"));
            let number = format!("{PAYMENT_PREFIX}-{year:04}-{seq:06}");
            let at_us = base_us + rng.random_range(8 * 3_600..17 * 3_600_i64) * 1_000_000;
            let party_name = names.get(payment.party).cloned().unwrap_or_default();
            let amount = payment.amount_minor;
            let entry_id = books.entry(
                &iso,
                year,
                at_us,
                format!("Payment {number} from {party_name}"),
                &[(BANK_ACCOUNT, amount, 0), (RECEIVABLE_ACCOUNT, 0, amount)],
            )?;
            books.payments.push(vec![
                Val::Int(id),
                Val::Text(number),
                Val::Int(i64::try_from(payment.party).unwrap_or(0) + 1),
                Val::Text(iso.clone()),
                Val::Text(currency.clone()),
                Val::Int(RATE_ONE),
                Val::Int(amount),
                Val::Int(0),
                Val::Text(format!("Bank transfer {}", payment.invoice_id)),
                Val::from(BANK_ACCOUNT),
                Val::Int(entry_id),
                Val::Text(actor.username.clone()),
                Val::Int(at_us),
            ]);
            books.allocations.push(vec![
                Val::Int(id),
                Val::Int(payment.invoice_id),
                Val::Int(amount),
            ]);
            books.out.payments += 1;
        }
        if books.lines.len() >= LINES_PER_TRANSACTION {
            books.flush(app).await?;
            progress(Progress {
                done,
                total: total_units,
            });
        }
    }
    if !pending.is_empty() {
        return Err(internal("payments were left past the last day"));
    }
    books.flush(app).await?;
    progress(Progress {
        done,
        total: total_units,
    });

    // One audit event for the whole data set.
    let out = books.out;
    let mut tx = app.db.begin().await?;
    record(
        &mut tx,
        actor,
        Change {
            entity_type: "data_set",
            entity_id: options.seed.to_string(),
            action: "generate",
            before: None,
            after: Some(json!({
                "seed": options.seed,
                "orders_per_customer": options.orders_per_customer,
                "generated": out.to_json(),
            })),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(out)
}
