//! `seam bench sizes`: the sizes at which users of other business systems
//! report pain, each set up in bulk and then timed through the use case the
//! page or command calls, against a target:
//!
//! | case | size | target |
//! |---|---|---|
//! | a customer's 360° page | 40,000 invoices of that customer | 50 ms |
//! | the journal list, first page | 20,000,000 ledger lines | 50 ms |
//! | a stock count | 5,000 lines in one transaction | 1 s |
//! | posting invoices to the ledger | 1,000 drafts at concurrency 64 | 0.5 s |
//! | the product list, search by name and by SKU | 300,000 products | 30 ms |
//! | the stock levels report | 250,000 moves | 200 ms |
//!
//! `--scale F` multiplies every size (`--ledger-lines` sets the ledger's
//! alone). Reads are timed `--runs` times (the case is met when the p99 is
//! within the target); a write is timed once. Set-up data is written with
//! the generator's multi-row inserts ([`seam_store::generate`]) and
//! `seam generate` itself (the customer and their invoice history), so it
//! keeps the invariants the use cases keep: entries balance, the maintained
//! balances and stock levels equal the lines and moves, numbers are gapless.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::time::Instant;

use clap::Args;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use seam_app::generate::{
    ENTRY_COLUMNS, GenerateOptions, INVOICE_COLUMNS, INVOICE_LINE_COLUMNS, LINE_COLUMNS,
    PRODUCT_COLUMNS,
};
use seam_app::invoicing::{RECEIVABLE_ACCOUNT, VAT_ACCOUNT};
use seam_app::stock::{CountInput, CountLine, LevelFilter};
use seam_app::{Actor, App, company, customer_view, invoicing, ledger, parties, products, stock};
use seam_domain::ids::PartyId;
use seam_domain::party::PartyDraft;
use seam_domain::sales::totals;
use seam_store::generate::{self as bulk, Rows, Val};
use seam_store::products::{ProductFilter, ProductSort};
use serde_json::{Value, json};

use super::latency::{figures, time_runs};
use super::{Level, app_err, check_books, field, round3, run_level, to_usize};
use crate::output;

/// Rows the lists ask for, as the web pages do (their page size).
const PAGE: i64 = 50;
/// Journal lines per bulk entry (receivable, two revenue accounts, VAT), as an invoice books.
const LINES_PER_ENTRY: u64 = 4;
/// Journal lines written per set-up transaction.
const LINES_PER_TRANSACTION: u64 = 200_000;
/// Products or moves written per set-up transaction.
const ROWS_PER_TRANSACTION: usize = 50_000;
/// Concurrent tasks posting invoices.
const POST_CONCURRENCY: usize = 64;
/// Lines per bulk draft invoice.
const DRAFT_LINES: usize = 3;
/// The year the bulk ledger and stock history is dated in (its own number series).
const HISTORY_YEAR: i16 = 2001;
/// One unit of the exchange rate: the company currency to itself.
const RATE_ONE: i64 = 1_000_000_000;

fn parse_scale(s: &str) -> Result<f64, String> {
    match s.trim().parse::<f64>() {
        Ok(f) if f > 0.0 && f <= 100.0 => Ok(f),
        _ => Err(format!(
            "{s:?} is not a scale: a number above 0 and at most 100"
        )),
    }
}

#[derive(Debug, Args)]
pub struct SizesArgs {
    /// Multiplies every size (0.01 for a quick check, 1 for the stated sizes).
    #[arg(long, default_value_t = 1.0, value_parser = parse_scale, value_name = "F")]
    pub scale: f64,
    /// Ledger lines to set up for the journal list (default 20,000,000 times the scale).
    #[arg(long, value_parser = clap::value_parser!(u64).range(4..=1_000_000_000), value_name = "N")]
    pub ledger_lines: Option<u64>,
    /// Times each read is run.
    #[arg(long, default_value_t = 20, value_parser = clap::value_parser!(u64).range(1..=10_000), value_name = "N")]
    pub runs: u64,
    /// Seed of the generated data.
    #[arg(long, default_value_t = 1, value_name = "S")]
    pub seed: u64,
    /// Also write the figures as JSON to FILE.
    #[arg(long, value_name = "FILE")]
    pub json: Option<PathBuf>,
}

/// The sizes of one run.
struct Sizes {
    customer_invoices: u64,
    ledger_lines: u64,
    count_lines: u64,
    post_invoices: u64,
    products: u64,
    stock_moves: u64,
}

fn scaled(base: u64, scale: f64, min: u64) -> u64 {
    ((base as f64 * scale).round() as u64).max(min)
}

impl Sizes {
    fn of(args: &SizesArgs) -> Sizes {
        let s = args.scale;
        let products = scaled(300_000, s, 200);
        Sizes {
            customer_invoices: scaled(40_000, s, 10),
            ledger_lines: args
                .ledger_lines
                .unwrap_or_else(|| scaled(20_000_000, s, 100)),
            // A count names each product once: never more lines than goods.
            count_lines: scaled(5_000, s, 5).min(products / 2),
            post_invoices: scaled(1_000, s, 5),
            products,
            stock_moves: scaled(250_000, s, 100),
        }
    }
}

/// One case: what was timed, its size, the target and whether it was met.
fn case(name: &str, size: &str, target_ms: f64, level: &Level, single: bool) -> Value {
    let mut row = figures(name, level);
    let measured = if single {
        level.seconds() * 1_000.0
    } else {
        level.percentile_ms(0.99)
    };
    if let Some(map) = row.as_object_mut() {
        map.insert("case".into(), json!(name));
        map.insert("size".into(), json!(size));
        map.insert("target_ms".into(), json!(target_ms));
        map.insert(
            "measured".into(),
            json!(if single { "total" } else { "p99" }),
        );
        map.insert("measured_ms".into(), json!(round3(measured)));
        map.insert("met".into(), json!(measured <= target_ms));
    }
    row
}

fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

pub(super) async fn run(app: &App, args: &SizesArgs) -> anyhow::Result<Value> {
    let actor = Actor::system("bench");
    let sizes = Sizes::of(args);
    let mut rng = StdRng::seed_from_u64(args.seed);
    let mut setup = serde_json::Map::new();

    // The customer and their invoice history, as `seam generate` writes it.
    let started = Instant::now();
    let options = GenerateOptions {
        customers: 1,
        seed: args.seed,
        orders_per_customer: u32::try_from(sizes.customer_invoices).unwrap_or(u32::MAX),
        today: None,
    };
    let data = crate::generate::run(app, &options, false).await?;
    setup.insert(
        "customer_history_seconds".into(),
        json!(round3(started.elapsed().as_secs_f64())),
    );
    let customer = PartyId(1);

    let started = Instant::now();
    let bulk_lines = sizes.ledger_lines.saturating_sub(data.journal_lines);
    let written_lines = set_up_ledger(app, bulk_lines).await?;
    setup.insert(
        "ledger_seconds".into(),
        json!(round3(started.elapsed().as_secs_f64())),
    );

    let started = Instant::now();
    let catalogue = set_up_products(app, &mut rng, sizes.products).await?;
    let on_hand = set_up_stock(app, &mut rng, &catalogue, sizes.stock_moves).await?;
    setup.insert(
        "products_and_stock_seconds".into(),
        json!(round3(started.elapsed().as_secs_f64())),
    );

    let started = Instant::now();
    let drafts = set_up_drafts(app, &actor, sizes.post_invoices).await?;
    setup.insert(
        "draft_invoices_seconds".into(),
        json!(round3(started.elapsed().as_secs_f64())),
    );

    let runs = to_usize(args.runs);
    let mut out = Vec::new();
    let (app, actor_ref) = (&app.clone(), &actor);

    // 1. The 360° view of the customer with the long history.
    let level = time_runs(runs, |_| async move {
        customer_view::customer_view(app, actor_ref, customer)
            .await
            .map_err(|e| app_err("customer view", e))?;
        Ok(())
    })
    .await?;
    out.push(case(
        "customer 360° page",
        &format!("{} invoices", thousands(data.invoices)),
        50.0,
        &level,
        false,
    ));

    // 2. The journal list, first page, over the whole ledger.
    let ledger_lines = data.journal_lines + written_lines;
    let level = time_runs(runs, |_| async move {
        ledger::entries(app, actor_ref, None, PAGE + 1)
            .await
            .map_err(|e| app_err("journal list", e))?;
        Ok(())
    })
    .await?;
    let mut journal = case(
        "journal list, first page",
        &format!("{} ledger lines", thousands(ledger_lines)),
        50.0,
        &level,
        false,
    );
    if let Some(map) = journal.as_object_mut() {
        map.insert(
            "total_count".into(),
            json!(
                "none: the journal pages by keyset (newer/older links), so no page counts every row"
            ),
        );
    }
    out.push(journal);

    // 3. The product list: the first page with its count, then searches.
    let sample = catalogue
        .get(catalogue.len() / 3)
        .cloned()
        .ok_or_else(|| anyhow::anyhow!("no products were set up"))?;
    let two_words = sample.name.split(' ').take(2).collect::<Vec<_>>().join(" ");
    let mut product_total = 0;
    for (name, text) in [
        ("product list, first page", None),
        ("product list, search by name", Some(two_words.clone())),
        ("product list, search by SKU", Some(sample.sku.clone())),
    ] {
        let filter = ProductFilter {
            text,
            ..ProductFilter::default()
        };
        let (filter, found) = (&filter, &std::cell::Cell::new(0_i64));
        let level = time_runs(runs, |_| async move {
            let page =
                products::list_products(app, actor_ref, filter, ProductSort::NameAsc, None, PAGE)
                    .await
                    .map_err(|e| app_err("product list", e))?;
            found.set(page.total);
            Ok(())
        })
        .await?;
        let mut row = case(
            name,
            &format!("{} products", thousands(sizes.products)),
            30.0,
            &level,
            false,
        );
        if let Some(map) = row.as_object_mut() {
            map.insert("query".into(), json!(filter.text));
            map.insert("total".into(), json!(found.get()));
        }
        if filter.text.is_some() && found.get() == 0 {
            anyhow::bail!("the product search for {:?} found nothing", filter.text);
        }
        if filter.text.is_none() {
            product_total = found.get();
        }
        out.push(row);
    }

    // 4. The stock levels report, first page and a search.
    for (name, text) in [
        ("stock levels, first page", None),
        ("stock levels, search by name", Some(two_words.clone())),
    ] {
        let filter = LevelFilter {
            text,
            ..LevelFilter::default()
        };
        let filter = &filter;
        let level = time_runs(runs, |_| async move {
            stock::stock_levels(app, actor_ref, filter, None, PAGE)
                .await
                .map_err(|e| app_err("stock levels", e))?;
            Ok(())
        })
        .await?;
        out.push(case(
            name,
            &format!("{} moves", thousands(sizes.stock_moves)),
            200.0,
            &level,
            false,
        ));
    }

    // 5. A stock count of many lines, one transaction.
    let lines: Vec<CountLine> = on_hand
        .iter()
        .take(to_usize(sizes.count_lines))
        .map(|(sku, qty)| CountLine {
            product: sku.clone(),
            counted: (qty + 1).to_string(),
        })
        .collect();
    let input = CountInput {
        warehouse: String::new(),
        date: seam_app::today().iso(),
        reason: "Benchmark stock count".to_owned(),
        lines,
    };
    let input = &input;
    let counted = std::cell::Cell::new(0);
    let counted_ref = &counted;
    let level = time_runs(1, |_| async move {
        let done = stock::count(app, actor_ref, input)
            .await
            .map_err(|e| app_err("stock count", e))?;
        counted_ref.set(done.moves.len());
        Ok(())
    })
    .await?;
    if counted.get() != input.lines.len() {
        anyhow::bail!(
            "the stock count posted {} adjustments for {} changed lines",
            counted.get(),
            input.lines.len()
        );
    }
    out.push(case(
        "stock count",
        &format!("{} lines", thousands(input.lines.len() as u64)),
        1_000.0,
        &level,
        true,
    ));

    // 6. Posting the drafts, 64 at a time.
    let drafts = std::sync::Arc::new(drafts);
    let count = drafts.len();
    let level = run_level(app, POST_CONCURRENCY, 0, count, move |app, n| {
        let drafts = drafts.clone();
        async move {
            let id = drafts
                .get(n)
                .copied()
                .ok_or_else(|| anyhow::anyhow!("no draft {n}"))?;
            invoicing::post_invoice(&app, &Actor::system("bench"), id)
                .await
                .map_err(|e| app_err(&format!("posting draft {id}"), e))?;
            Ok(())
        }
    })
    .await?;
    let mut posting = case(
        "post invoices, concurrency 64",
        &format!("{} draft invoices", thousands(count as u64)),
        500.0,
        &level,
        true,
    );
    if let Some(map) = posting.as_object_mut() {
        map.insert(
            "invoices_per_second".into(),
            json!(round3(level.per_second(count))),
        );
    }
    out.push(posting);

    let mut invariants = check_books(app, actor_ref).await?;
    if !stock::verify(app)
        .await
        .map_err(|e| app_err("checking the stock levels", e))?
    {
        anyhow::bail!("invariant broken: the stock levels differ from the moves");
    }
    if product_total < i64::try_from(sizes.products).unwrap_or(i64::MAX) {
        anyhow::bail!(
            "the product list counts {product_total} products, fewer than the {} set up",
            sizes.products
        );
    }
    if let Some(map) = invariants.as_object_mut() {
        map.insert("stock_levels_agree_with_moves".into(), json!(true));
    }
    let met = out.iter().filter(|c| field(c, "met") == true).count();
    Ok(json!({
        "scenario": "sizes",
        "title": format!(
            "sizes where business systems hurt: {met} of {} cases within target (scale {})",
            out.len(),
            args.scale
        ),
        "scale": args.scale,
        "sizes": {
            "customer_invoices": data.invoices,
            "ledger_lines": ledger_lines,
            "stock_count_lines": input.lines.len(),
            "post_invoices": count,
            "products": sizes.products,
            "stock_moves": sizes.stock_moves,
        },
        "setup": setup,
        "runs": out,
        "cases_met": met,
        "invariants": invariants,
    }))
}

/// Balanced four-line entries (as an invoice books them) up to `lines`
/// journal lines, dated in [`HISTORY_YEAR`] under its own number series,
/// with the maintained balances. Returns the lines written.
async fn set_up_ledger(app: &App, lines: u64) -> anyhow::Result<u64> {
    let entries = lines / LINES_PER_ENTRY;
    if entries == 0 {
        return Ok(0);
    }
    let currency = company::currency(app)
        .await
        .map_err(|e| app_err("company currency", e))?;
    let codes: Vec<String> = [RECEIVABLE_ACCOUNT, "4000", "4100", VAT_ACCOUNT]
        .iter()
        .map(|c| (*c).to_owned())
        .collect();
    let mut tx = app.db.begin().await?;
    let found = seam_store::ledger::accounts_by_code(&mut tx, &codes).await?;
    let mut accounts = Vec::new();
    for code in &codes {
        accounts.push(
            found
                .get(code)
                .map(|a| a.id)
                .ok_or_else(|| anyhow::anyhow!("account {code} is missing"))?,
        );
    }
    let mut entry_id = bulk::max_id(&mut tx, "journal_entries").await? + 1;
    let mut line_id = bulk::max_id(&mut tx, "journal_lines").await? + 1;
    drop(tx);
    let series = format!("JE-{HISTORY_YEAR:04}");
    let first_day = jiff::civil::date(HISTORY_YEAR, 1, 1);
    let at_us = 978_307_200_000_000_i64; // 2001-01-01T00:00:00Z
    let per_tx = LINES_PER_TRANSACTION / LINES_PER_ENTRY;
    let mut written = 0;
    let mut seq = 0_i64;
    let mut done = 0;
    while done < entries {
        let batch = per_tx.min(entries - done);
        let mut entry_rows = Rows::new("journal_entries", ENTRY_COLUMNS);
        let mut line_rows = Rows::new("journal_lines", LINE_COLUMNS);
        let mut balances: BTreeMap<(i64, String), (i64, i64)> = BTreeMap::new();
        for _ in 0..batch {
            seq += 1;
            let day = first_day
                .checked_add(jiff::Span::new().days(seq % 365))
                .map_err(|e| anyhow::anyhow!("a history date: {e}"))?
                .to_string();
            let goods = 1_000 + seq % 9_000;
            let services = 500 + seq % 4_000;
            let vat = (goods + services) / 4;
            let total = goods + services + vat;
            entry_rows.push(vec![
                Val::Int(entry_id),
                Val::Text(format!("{series}-{seq:06}")),
                Val::Text(day.clone()),
                Val::Text(format!("Invoice history {seq}")),
                Val::Text(currency.clone()),
                Val::Int(total),
                Val::NullInt,
                Val::Int(at_us + seq),
                Val::from("bench"),
            ]);
            let amounts = [(total, 0), (0, goods), (0, services), (0, vat)];
            for (n, (account, (debit, credit))) in accounts.iter().zip(amounts).enumerate() {
                line_rows.push(vec![
                    Val::Int(line_id),
                    Val::Int(entry_id),
                    Val::Int(i64::try_from(n).unwrap_or(0) + 1),
                    Val::Int(*account),
                    Val::Int(debit),
                    Val::Int(credit),
                ]);
                line_id += 1;
                let b = balances.entry((*account, day.clone())).or_insert((0, 0));
                b.0 += debit;
                b.1 += credit;
            }
            entry_id += 1;
        }
        let mut tx = app.db.begin().await?;
        bulk::insert_rows(&mut tx, &entry_rows).await?;
        written += bulk::insert_rows(&mut tx, &line_rows).await?;
        bulk::add_balances(&mut tx, &currency, &balances).await?;
        bulk::set_number_series(&mut tx, &BTreeMap::from([(series.clone(), seq)])).await?;
        bulk::reset_identities(&mut tx, &["journal_entries", "journal_lines"]).await?;
        tx.commit().await?;
        done += batch;
    }
    Ok(written)
}

/// A product of the bulk catalogue.
#[derive(Debug, Clone)]
struct BulkProduct {
    id: i64,
    sku: String,
    name: String,
}

const ADJECTIVES: &[&str] = &[
    "Basic", "Pro", "Compact", "Deluxe", "Eco", "Rugged", "Mini", "Classic", "Smart", "Ultra",
    "Light", "Heavy", "Quiet", "Rapid", "Solid", "Slim", "Twin", "Giant", "Tiny", "Prime",
];
const NOUNS: &[&str] = &[
    "Desk", "Chair", "Lamp", "Cable", "Monitor", "Shelf", "Printer", "Router", "Drill", "Kettle",
    "Jacket", "Boots", "Tent", "Bicycle", "Helmet", "Paper", "Toner", "Battery", "Sensor", "Valve",
    "Hammer", "Ladder", "Bucket", "Glove", "Mirror", "Pillow", "Blanket", "Bottle", "Basket",
    "Scanner",
];
const MATERIALS: &[&str] = &[
    "Oak", "Steel", "Copper", "Linen", "Wool", "Glass", "Bamboo", "Granite", "Cotton", "Carbon",
];

fn word(rng: &mut StdRng, words: &[&'static str]) -> &'static str {
    words
        .get(rng.random_range(0..words.len().max(1)))
        .copied()
        .unwrap_or("")
}

/// `count` goods with names of three words and SKUs `B-0000001`.
async fn set_up_products(
    app: &App,
    rng: &mut StdRng,
    count: u64,
) -> anyhow::Result<Vec<BulkProduct>> {
    let currency = company::currency(app)
        .await
        .map_err(|e| app_err("company currency", e))?;
    let mut tx = app.db.begin().await?;
    let first = bulk::max_id(&mut tx, "products").await? + 1;
    drop(tx);
    let now = seam_app::now_us();
    let mut catalogue = Vec::with_capacity(to_usize(count));
    let mut rows = Rows::new("products", PRODUCT_COLUMNS);
    for i in 0..count {
        let id = first + i64::try_from(i)?;
        let sku = format!("B-{id:07}");
        let name = format!(
            "{} {} {}",
            word(rng, ADJECTIVES),
            word(rng, MATERIALS),
            word(rng, NOUNS)
        );
        let price = rng.random_range(5..=500_i64) * 100 + 99;
        rows.push(vec![
            Val::Int(id),
            Val::Text(sku.clone()),
            Val::Text(name.clone()),
            Val::Text(seam_store::parties::sort_name(&name)),
            Val::from("goods"),
            Val::from("C62"),
            Val::Text(currency.clone()),
            Val::Int(price),
            Val::Int(price / 2),
            Val::from("S25"),
            Val::from("4000"),
            Val::Bool(false),
            Val::Int(1),
            Val::Int(now),
            Val::Int(now),
        ]);
        catalogue.push(BulkProduct { id, sku, name });
        if rows.len() >= ROWS_PER_TRANSACTION || i + 1 == count {
            let mut tx = app.db.begin().await?;
            bulk::insert_rows(&mut tx, &rows).await?;
            bulk::reset_identities(&mut tx, &["products"]).await?;
            tx.commit().await?;
            rows.rows.clear();
        }
    }
    Ok(catalogue)
}

/// `moves` receipts into the main warehouse spread over the first half of
/// the catalogue (about five per product), with the levels they make.
/// Returns each stocked product's SKU and on-hand quantity.
async fn set_up_stock(
    app: &App,
    rng: &mut StdRng,
    catalogue: &[BulkProduct],
    moves: u64,
) -> anyhow::Result<Vec<(String, i64)>> {
    const MOVE_COLUMNS: &[&str] = &[
        "number",
        "product_id",
        "warehouse_id",
        "move_date",
        "kind",
        "qty",
        "reference",
        "posted_by",
        "posted_at_us",
    ];
    const LEVEL_COLUMNS: &[&str] = &["product_id", "warehouse_id", "on_hand_qty", "reserved_qty"];
    let warehouse = stock::warehouses(app, &Actor::system("bench"))
        .await
        .map_err(|e| app_err("warehouses", e))?
        .into_iter()
        .find(|w| w.code == seam_domain::stock::MAIN_WAREHOUSE)
        .ok_or_else(|| anyhow::anyhow!("the main warehouse is missing"))?;
    let stocked = catalogue
        .get(..(catalogue.len() / 2).max(1).min(catalogue.len()))
        .unwrap_or_default();
    if stocked.is_empty() {
        return Ok(Vec::new());
    }
    let series = format!("SM-{HISTORY_YEAR:04}");
    let mut on_hand = vec![0_i64; stocked.len()];
    let mut rows = Rows::new("stock_moves", MOVE_COLUMNS);
    for seq in 1..=moves {
        let k = to_usize(seq - 1) % stocked.len();
        let product = stocked
            .get(k)
            .ok_or_else(|| anyhow::anyhow!("no product {k}"))?;
        let qty = rng.random_range(1..=50_i64);
        if let Some(level) = on_hand.get_mut(k) {
            *level += qty;
        }
        let day = jiff::civil::date(HISTORY_YEAR, 1, 1)
            .checked_add(jiff::Span::new().days(i64::try_from(seq % 365)?))
            .map_err(|e| anyhow::anyhow!("a history date: {e}"))?;
        rows.push(vec![
            Val::Text(format!("{series}-{seq:06}")),
            Val::Int(product.id),
            Val::Int(warehouse.id),
            Val::Text(day.to_string()),
            Val::from("receipt"),
            Val::Int(qty),
            Val::Text(format!("DN-{seq}")),
            Val::from("bench"),
            Val::Int(978_307_200_000_000 + i64::try_from(seq)?),
        ]);
        if rows.len() >= ROWS_PER_TRANSACTION || seq == moves {
            let mut tx = app.db.begin().await?;
            bulk::insert_rows(&mut tx, &rows).await?;
            bulk::set_number_series(
                &mut tx,
                &BTreeMap::from([(series.clone(), i64::try_from(seq)?)]),
            )
            .await?;
            tx.commit().await?;
            rows.rows.clear();
        }
    }
    let mut levels = Rows::new("stock_levels", LEVEL_COLUMNS);
    let mut out = Vec::new();
    for (product, qty) in stocked.iter().zip(&on_hand) {
        if *qty > 0 {
            levels.push(vec![
                Val::Int(product.id),
                Val::Int(warehouse.id),
                Val::Int(*qty),
                Val::Int(0),
            ]);
            out.push((product.sku.clone(), *qty));
        }
    }
    let mut tx = app.db.begin().await?;
    bulk::insert_rows(&mut tx, &levels).await?;
    tx.commit().await?;
    Ok(out)
}

/// `count` draft invoices of three lines each, dated today, to a customer of
/// their own. Returns their ids.
async fn set_up_drafts(app: &App, actor: &Actor, count: u64) -> anyhow::Result<Vec<i64>> {
    let draft = PartyDraft {
        kind: "company".into(),
        name: "Benchmark Drafts Customer".into(),
        is_customer: true,
        country: "DE".into(),
        ..PartyDraft::default()
    };
    let party = parties::create_party(app, actor, &draft)
        .await
        .map_err(|e| app_err("creating the drafts' customer", e))?;
    let currency = company::currency(app)
        .await
        .map_err(|e| app_err("company currency", e))?;
    let today = seam_app::today().iso();
    let now = seam_app::now_us();
    let mut tx = app.db.begin().await?;
    let first = bulk::max_id(&mut tx, "invoices").await? + 1;
    drop(tx);
    // (product id, description, unit price, tax code, basis points, revenue account)
    let lines: [(i64, &str, i64, &str, i64, &str); DRAFT_LINES] = [
        (1, "Catalogue item", 12_900, "S25", 2_500, "4000"),
        (2, "Second item", 4_550, "S25", 2_500, "4000"),
        (3, "Third item", 990, "S12", 1_200, "4100"),
    ];
    let mut invoices = Rows::new("invoices", INVOICE_COLUMNS);
    let mut invoice_lines = Rows::new("invoice_lines", INVOICE_LINE_COLUMNS);
    let mut ids = Vec::with_capacity(to_usize(count));
    for i in 0..count {
        let id = first + i64::try_from(i)?;
        let qty = 1 + i64::try_from(i % 7)?;
        let sums = totals(
            lines
                .iter()
                .map(|(_, _, price, code, bp, _)| (price * qty, *code, *bp)),
        );
        for (n, (product, text, price, code, bp, account)) in lines.iter().enumerate() {
            invoice_lines.push(vec![
                Val::Int(id),
                Val::Int(i64::try_from(n)? + 1),
                Val::NullInt,
                Val::Int(*product),
                Val::from(*text),
                Val::Int(qty),
                Val::from("C62"),
                Val::Int(*price),
                Val::from(*code),
                Val::Int(*bp),
                Val::Int(price * qty),
                Val::from(*account),
            ]);
        }
        invoices.push(vec![
            Val::Int(id),
            Val::from("invoice"),
            Val::NullText,
            Val::Int(party.0),
            Val::NullInt,
            Val::NullInt,
            Val::from("draft"),
            Val::Text(today.clone()),
            Val::Text(today.clone()),
            Val::Text(currency.clone()),
            Val::Int(RATE_ONE),
            Val::Int(sums.net_minor),
            Val::Int(sums.vat_minor),
            Val::Int(sums.total_minor),
            Val::Int(0),
            Val::NullText,
            Val::Int(sums.total_minor),
            Val::NullInt,
            Val::Text(String::new()),
            Val::Text(actor.username.clone()),
            Val::Int(1),
            Val::Int(now),
            Val::Int(now),
        ]);
        ids.push(id);
    }
    let mut tx = app.db.begin().await?;
    bulk::insert_rows(&mut tx, &invoices).await?;
    bulk::insert_rows(&mut tx, &invoice_lines).await?;
    bulk::reset_identities(&mut tx, &["invoices"]).await?;
    tx.commit().await?;
    Ok(ids)
}

/// The table: one row per case with its size, target and whether it was met.
pub(super) fn print_table(report: &Value) -> anyhow::Result<()> {
    output::out(field(report, "title").as_str().unwrap_or("sizes"))?;
    let headers = [
        "case",
        "size",
        "p50 ms",
        "p99 ms",
        "measured ms",
        "target ms",
        "met",
    ];
    let num = |v: &Value| match v {
        Value::Number(n) => format!("{:.1}", n.as_f64().unwrap_or(0.0)),
        Value::Null => String::new(),
        other => other.to_string(),
    };
    let rows: Vec<Vec<String>> = field(report, "runs")
        .as_array()
        .map(|runs| {
            runs.iter()
                .map(|c| {
                    vec![
                        field(c, "case").as_str().unwrap_or("").to_owned(),
                        field(c, "size").as_str().unwrap_or("").to_owned(),
                        num(field(c, "p50_ms")),
                        num(field(c, "p99_ms")),
                        format!(
                            "{} ({})",
                            num(field(c, "measured_ms")),
                            field(c, "measured").as_str().unwrap_or("")
                        ),
                        num(field(c, "target_ms")),
                        if field(c, "met") == true { "yes" } else { "NO" }.to_owned(),
                    ]
                })
                .collect()
        })
        .unwrap_or_default();
    output::out(output::table_aligned(&headers, &[2, 3, 4, 5], &rows))?;
    Ok(())
}
