//! `seam invoice email` end to end on SQLite: the command queues the
//! e-mail, `seam jobs work` sends it, and the SMTP server receives the
//! invoice with its PDF and UBL XML attached. Without an SMTP server the
//! job fails with a clear error and stays retryable.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use crate::smtp;
use std::process::Command;

use seam_app::invoicing::{self, InvoiceInput};
use seam_app::sales::{self, LineInput, OrderInput};
use seam_app::{Actor, App, company, parties, products};
use seam_domain::party::PartyDraft;
use seam_domain::product::ProductDraft;
use seam_store::testing::{self, TestDb};

#[derive(Debug)]
struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

fn seam(db: &TestDb, args: &[&str]) -> Run {
    let output = Command::new(env!("CARGO_BIN_EXE_seam"))
        .arg("--database-url")
        .arg(&db.url)
        .args(args)
        .env_remove("SEAM_DATABASE_URL")
        .env("RUST_LOG", "error")
        .output()
        .expect("the seam binary starts");
    Run {
        code: output.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    }
}

/// A posted invoice of a customer without an e-mail; returns its number.
async fn posted_invoice(app: &App) -> String {
    let admin = Actor::system("tester");
    company::update_profile(
        app,
        &admin,
        &company::CompanyProfile {
            name: "Seam Test AB".into(),
            vat_id: "SE556677889901".into(),
            legal_id: "556677-8899".into(),
            street: "Hamngatan 12".into(),
            postcode: "111 47".into(),
            city: "Stockholm".into(),
            country: "SE".into(),
            email: "invoices@seam-test.example".into(),
            iban: "SE4550000000058398257466".into(),
            currency: "EUR".into(),
        },
    )
    .await
    .unwrap();
    let draft = ProductDraft {
        sku: "SVC-1".into(),
        name: "Consulting".into(),
        kind: "service".into(),
        unit: "HUR".into(),
        currency: "EUR".into(),
        list_price: "100.00".into(),
        standard_cost: "0".into(),
        tax_rate: "S25".into(),
        revenue_account: String::new(),
    };
    products::create_product(app, &admin, &draft).await.unwrap();
    let party = parties::create_party(
        app,
        &admin,
        &PartyDraft {
            kind: "company".into(),
            name: "Åbo Kaffe Oy".into(),
            is_customer: true,
            tax_id: "FI12345678".into(),
            street: "Aurakatu 1".into(),
            postal_code: "20100".into(),
            city: "Turku".into(),
            country: "FI".into(),
            ..PartyDraft::default()
        },
    )
    .await
    .unwrap();
    let order = sales::create_order(
        app,
        &admin,
        &OrderInput {
            customer: Some(party),
            order_date: "2026-03-01".into(),
            currency: String::new(),
            lines: vec![LineInput {
                product: "SVC-1".into(),
                qty: "2".into(),
                unit_price: String::new(),
            }],
        },
    )
    .await
    .unwrap();
    sales::confirm_order(app, &admin, order, None)
        .await
        .unwrap();
    let input = InvoiceInput {
        issue_date: "2026-03-02".into(),
        terms_days: "30".into(),
        note: String::new(),
    };
    let id = invoicing::invoice_order(app, &admin, order, &input)
        .await
        .unwrap();
    invoicing::post_invoice(app, &admin, id)
        .await
        .unwrap()
        .number
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn seam_invoice_email_sends_the_pdf_and_the_ubl_to_the_smtp_server() {
    let db = testing::sqlite().await.unwrap();
    let app = App::new(db.db.clone());
    let number = posted_invoice(&app).await;
    let sink = smtp::SmtpSink::start().await;

    // The customer has no e-mail: the command says which field to give.
    let refused = seam(&db, &["invoice", "email", &number]);
    assert_eq!(refused.code, 1, "{refused:?}");
    assert!(refused.stderr.contains("to: "), "{refused:?}");
    let refused = seam(
        &db,
        &["invoice", "email", &number, "--to", "not-an-address"],
    );
    assert_eq!(refused.code, 1, "{refused:?}");
    assert!(refused.stderr.contains("to: "), "{refused:?}");

    let queued = seam(
        &db,
        &["invoice", "email", &number, "--to", "ap@abo.example"],
    );
    assert_eq!(queued.code, 0, "{queued:?}");
    let job = queued.stdout.trim().rsplit(' ').next().unwrap().to_owned();
    assert!(queued.stdout.contains(&number), "{queued:?}");

    // No SMTP server yet: the job fails, says why, and stays retryable.
    let work = seam(&db, &["jobs", "work"]);
    assert_eq!(work.code, 1, "{work:?}");
    let listed = seam(&db, &["jobs", "list", "--state", "failed"]);
    assert!(listed.stdout.contains("mail.smtp_url"), "{listed:?}");
    assert!(
        seam(&db, &["jobs", "list", "--state", "dead"])
            .stdout
            .lines()
            .count()
            <= 2
    );

    let set = seam(&db, &["mail", "set", "--smtp-url", "ftp://nope"]);
    assert_eq!(set.code, 1, "{set:?}");
    assert!(set.stderr.contains("smtp_url: "), "{set:?}");
    let set = seam(
        &db,
        &[
            "mail",
            "set",
            "--smtp-url",
            &sink.url(),
            "--from",
            "Billing <billing@seam-test.example>",
        ],
    );
    assert_eq!(set.code, 0, "{set:?}");
    assert!(seam(&db, &["mail", "show"]).stdout.contains(&sink.url()));
    let retried = seam(&db, &["jobs", "retry", &job]);
    assert_eq!(retried.code, 0, "{retried:?}");
    let work = seam(&db, &["jobs", "work"]);
    assert_eq!(work.code, 0, "{work:?}");
    assert!(work.stdout.contains("1 done"), "{work:?}");

    let got = sink.messages();
    assert_eq!(got.len(), 1);
    let m = &got[0];
    assert_eq!(m.to, ["ap@abo.example"]);
    assert_eq!(m.from, "billing@seam-test.example");
    assert_eq!(m.header("X-Seam-Job"), Some(job.clone()));
    assert!(m.header("Subject").unwrap().contains(&number));
    assert!(
        m.data.contains("Content-Type: application/pdf"),
        "{}",
        m.data.get(..2000).unwrap_or(&m.data)
    );
    assert!(m.data.contains("Content-Type: application/xml"));
    assert!(m.data.contains(&format!("filename=\"{number}.pdf\"")));
    assert!(m.data.contains(&format!("filename=\"{number}.xml\"")));
    let shown = seam(&db, &["jobs", "show", &job]);
    assert!(shown.stdout.contains("state:      done"), "{shown:?}");
    let counts = seam(&db, &["jobs", "counts"]).stdout;
    assert!(counts.contains("done"), "{counts}");
}
