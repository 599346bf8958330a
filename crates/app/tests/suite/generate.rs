//! The generated data set on both backends: the counts it reports are the
//! rows written, the books balance, the maintained balances equal the posted
//! lines, numbers are gapless, the aging report reads exactly the open
//! invoices, search finds generated parties, the same seed gives the same
//! data, and the use cases carry on after it (ids and numbers continue).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use crate::common;
use seam_app::generate::{self, GenerateOptions, Generated};
use seam_app::invoicing::{self, InvoiceFilter};
use seam_app::{Actor, App, AppError, ledger, parties};
use seam_domain::ledger::{EntryDraft, LineDraft};
use seam_domain::party::PartyDraft;
use seam_store::generate::count;

both_backends!(
    a_generated_data_set_is_consistent,
    the_same_seed_gives_the_same_data
);

const CUSTOMERS: u64 = 200;

fn options(seed: u64) -> GenerateOptions {
    GenerateOptions {
        customers: CUSTOMERS,
        seed,
        orders_per_customer: 3,
        today: Some(jiff::civil::date(2026, 6, 15)),
    }
}

async fn run(app: &App, seed: u64) -> Generated {
    generate::generate(app, &Actor::system("cli"), &options(seed), &|_| {})
        .await
        .unwrap()
}

async fn rows(app: &App, table: &str) -> i64 {
    let mut tx = app.db.begin().await.unwrap();
    count(&mut tx, table).await.unwrap()
}

async fn a_generated_data_set_is_consistent(app: App) {
    let actor = Actor::system("cli");
    let out = run(&app, 42).await;
    assert_eq!(out.customers, CUSTOMERS);
    assert_eq!(out.products, 20);
    assert_eq!(out.invoices, CUSTOMERS * 3);
    assert!(out.payments > 0 && out.payments <= out.invoices);
    assert!(out.open_invoices > 0 && out.open_invoices < out.invoices);
    assert_eq!(out.journal_entries, out.invoices + out.payments);
    for (table, expected) in [
        ("parties", out.customers),
        ("products", out.products),
        ("invoices", out.invoices),
        ("invoice_lines", out.invoice_lines),
        ("payments", out.payments),
        ("payment_allocations", out.payments),
        ("journal_entries", out.journal_entries),
        ("journal_lines", out.journal_lines),
        ("events", 1),
    ] {
        assert_eq!(rows(&app, table).await, expected as i64, "{table}");
    }

    // The books.
    let tb = ledger::trial_balance(&app, &actor, "2026-06-15")
        .await
        .unwrap();
    assert_eq!(tb.debit_totals, tb.credit_totals);
    assert!(
        ledger::balances_agree_with_lines(&app, &actor)
            .await
            .unwrap()
    );
    assert!(
        seam_app::audit::verify(&app, &actor)
            .await
            .unwrap()
            .first_break
            .is_none()
    );

    // Receivables: the aging reads exactly what the open invoices still owe.
    let aging = invoicing::aging(&app, &actor, "2026-06-15").await.unwrap();
    assert_eq!(aging.total, out.receivables_open_minor);
    assert!(aging.totals[4] > 0, "some invoices are long overdue");
    let receivable = tb.lines.iter().find(|l| l.code == "1200").unwrap();
    assert_eq!(
        receivable.debit_minor - receivable.credit_minor,
        out.receivables_open_minor
    );

    // Invoice numbers are gapless per series and follow the dates.
    let mut all = Vec::new();
    let mut before = None;
    loop {
        let filter = InvoiceFilter::default();
        let (page, next) = invoicing::list_invoices(&app, &actor, &filter, before, 500)
            .await
            .unwrap();
        all.extend(page);
        match next {
            Some(id) => before = Some(id),
            None => break,
        }
    }
    assert_eq!(all.len() as u64, out.invoices);
    all.sort_by_key(|r| r.id);
    let mut last: std::collections::BTreeMap<String, (u64, String)> = Default::default();
    for row in &all {
        let number = row.number.clone().unwrap();
        let (series, seq) = number.rsplit_once('-').unwrap();
        let seq: u64 = seq.parse().unwrap();
        let (prev, prev_date) = last.get(series).cloned().unwrap_or((0, String::new()));
        assert_eq!(seq, prev + 1, "{number} follows {prev}");
        assert!(row.issue_date >= prev_date, "{number} is in date order");
        assert!(
            row.issue_date.starts_with(&series[4..]),
            "{number} in its year"
        );
        last.insert(series.to_owned(), (seq, row.issue_date.clone()));
        let state = row.state.as_str();
        assert!(state == "paid" || state == "posted", "{state}");
    }

    // Search finds generated parties by the first word of a name.
    let first = parties::party(&app, &actor, seam_domain::ids::PartyId(1))
        .await
        .unwrap();
    let word = first.name.split(' ').next().unwrap().to_owned();
    let hits = parties::search(&app, &actor, &word, 10).await.unwrap();
    assert!(!hits.is_empty(), "search for {word} found nothing");

    // The use cases carry on: new ids and the next numbers.
    let id = parties::create_party(
        &app,
        &actor,
        &PartyDraft {
            kind: "company".into(),
            name: "After Generation Ltd".into(),
            is_customer: true,
            ..PartyDraft::default()
        },
    )
    .await
    .unwrap();
    assert_eq!(id.0, CUSTOMERS as i64 + 1);
    let (_, number) = ledger::post_entry(
        &app,
        &actor,
        &EntryDraft {
            date: "2026-06-15".into(),
            memo: "After generation".into(),
            currency: out.currency.clone(),
            lines: vec![
                LineDraft {
                    account: "1100".into(),
                    debit: "10.00".into(),
                    credit: String::new(),
                },
                LineDraft {
                    account: "4100".into(),
                    debit: String::new(),
                    credit: "10.00".into(),
                },
            ],
        },
    )
    .await
    .unwrap();
    assert_ne!(number, "JE-2026-000001");
    assert!(
        ledger::balances_agree_with_lines(&app, &actor)
            .await
            .unwrap()
    );

    // And a second run is refused.
    let again = generate::generate(&app, &actor, &options(42), &|_| {}).await;
    assert!(matches!(
        again,
        Err(AppError::Conflict("error-generate-not-empty"))
    ));
}

async fn the_same_seed_gives_the_same_data(app: App) {
    let out = run(&app, 7).await;
    let other = if app.db.backend() == seam_app::Backend::Sqlite {
        common::sqlite().await
    } else {
        common::postgres().await.unwrap()
    };
    let again = run(&other.0, 7).await;
    assert_eq!(out, again);
    let third = common::sqlite().await;
    let different = run(&third.0, 8).await;
    assert_ne!(out.invoiced_minor, different.invoiced_minor);
}
