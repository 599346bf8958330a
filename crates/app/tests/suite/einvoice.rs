//! Every e-invoice Seam posts passes the official EN 16931 rules: an invoice
//! per VAT category the product catalogue supports (S at two rates, Z, E,
//! AE, K, G, O), a mixed S + Z invoice, a partly paid invoice and a credit
//! note, all made by the real use cases on SQLite and (with
//! `SEAM_TEST_PG_URL`) PostgreSQL and run through
//! `../shared/standards/en16931/validate` in one call.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::path::{Path, PathBuf};
use std::process::Command;

use seam_app::company::{self, CompanyProfile};
use seam_app::invoicing::{self, CreditInput, CreditLines, InvoiceInput, PaymentInput};
use seam_app::sales::{self, LineInput, OrderInput};
use seam_app::{Actor, App, parties, products};
use seam_domain::ids::PartyId;
use seam_domain::party::PartyDraft;
use seam_domain::product::ProductDraft;

both_backends!(every_posted_document_passes_the_en16931_rules);

fn admin() -> Actor {
    Actor::system("tester")
}

fn validator() -> Option<PathBuf> {
    let path =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/standards/en16931/validate");
    if path.exists() {
        return Some(path);
    }
    assert_eq!(
        std::env::var("SEAM_SKIP_EN16931").as_deref(),
        Ok("1"),
        "the EN 16931 validator is missing at {}; set SEAM_SKIP_EN16931=1 to skip",
        path.display()
    );
    None
}

/// One service per tax rate code, named after it.
async fn catalogue(app: &App) {
    for rate in ["S25", "S12", "Z0", "E", "AE", "K", "G", "O"] {
        let draft = ProductDraft {
            sku: format!("SVC-{rate}"),
            name: format!("Service taxed {rate} & <checked>"),
            kind: "service".into(),
            unit: "HUR".into(),
            currency: "EUR".into(),
            list_price: "123.45".into(),
            standard_cost: "0".into(),
            tax_rate: rate.into(),
            revenue_account: String::new(),
        };
        products::create_product(app, &admin(), &draft)
            .await
            .unwrap();
    }
}

async fn buyer(app: &App) -> PartyId {
    let draft = PartyDraft {
        kind: "company".into(),
        name: "Åbo Kaffe Oy".into(),
        is_customer: true,
        tax_id: "FI12345678".into(),
        street: "Aurakatu 1".into(),
        postal_code: "20100".into(),
        city: "Turku".into(),
        country: "FI".into(),
        email: "ap@abo-kaffe.example".into(),
        ..PartyDraft::default()
    };
    parties::create_party(app, &admin(), &draft).await.unwrap()
}

async fn posted_invoice(app: &App, party: PartyId, lines: &[(&str, &str)]) -> i64 {
    let input = OrderInput {
        customer: Some(party),
        order_date: "2026-03-01".into(),
        currency: String::new(),
        lines: lines
            .iter()
            .map(|(rate, qty)| LineInput {
                product: format!("SVC-{rate}"),
                qty: (*qty).into(),
                unit_price: String::new(),
            })
            .collect(),
    };
    let order = sales::create_order(app, &admin(), &input).await.unwrap();
    sales::confirm_order(app, &admin(), order, None)
        .await
        .unwrap();
    let input = InvoiceInput {
        issue_date: "2026-03-02".into(),
        terms_days: "30".into(),
        note: "Thank you for your order.".into(),
    };
    let id = invoicing::invoice_order(app, &admin(), order, &input)
        .await
        .unwrap();
    invoicing::post_invoice(app, &admin(), id).await.unwrap();
    id
}

async fn every_posted_document_passes_the_en16931_rules(app: App) {
    let Some(validate) = validator() else {
        return;
    };
    company::update_profile(
        &app,
        &admin(),
        &CompanyProfile {
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
    catalogue(&app).await;
    let party = buyer(&app).await;
    let mut documents = Vec::new();
    documents.push(posted_invoice(&app, party, &[("S25", "2"), ("S12", "3")]).await);
    for rate in ["Z0", "E", "AE", "K", "G", "O"] {
        documents.push(posted_invoice(&app, party, &[(rate, "1")]).await);
    }
    documents.push(posted_invoice(&app, party, &[("S25", "1"), ("Z0", "4")]).await);
    let part_paid = posted_invoice(&app, party, &[("S25", "4")]).await;
    let payment = PaymentInput {
        party_id: party.0,
        payment_date: "2026-03-10".into(),
        amount: "100.00".into(),
        allocations: vec![(part_paid, "100.00".into())],
        ..PaymentInput::default()
    };
    invoicing::record_payment(&app, &admin(), &payment)
        .await
        .unwrap();
    documents.push(part_paid);
    let credit = CreditInput {
        lines: CreditLines::These(vec![(1, 1)]),
        issue_date: "2026-03-12".into(),
        reason: "One hour not delivered".into(),
    };
    let note = invoicing::credit_invoice(&app, &admin(), part_paid, &credit)
        .await
        .unwrap();
    invoicing::post_invoice(&app, &admin(), note).await.unwrap();
    documents.push(note);

    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!(
        "einvoice-{}-{}",
        std::process::id(),
        app.db.backend() as u8
    ));
    std::fs::create_dir_all(&dir).unwrap();
    let mut files = Vec::new();
    for id in documents {
        let xml = invoicing::ubl(&app, &admin(), id)
            .await
            .unwrap_or_else(|e| panic!("document {id}: {e:?}"));
        let number = invoicing::invoice(&app, &admin(), id)
            .await
            .unwrap()
            .invoice
            .number
            .unwrap();
        let file = dir.join(format!("{number}.xml"));
        std::fs::write(&file, xml).unwrap();
        files.push(file);
    }
    assert_eq!(files.len(), 10);
    let out = Command::new(&validate).args(&files).output().unwrap();
    let report = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        out.status.success(),
        "the EN 16931 validator rejected:\n{report}"
    );
    std::fs::remove_dir_all(&dir).ok();
}
