//! Invoices, credit notes and payments on SQLite and (with
//! `SEAM_TEST_PG_URL`) PostgreSQL: invoicing what shipped, each posting's
//! journal entry line by line, partial and over-payments, several invoices in
//! one payment, foreign currency with the realised difference, credit notes,
//! aging and statements, refusals that write nothing, and gapless numbers
//! under concurrent posting.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use seam_app::fulfilment::{self, ShipInput, ShipLines};
use seam_app::invoicing::{self, CreditInput, CreditLines, InvoiceInput, PaymentInput};
use seam_app::sales::{self, LineInput, OrderInput};
use seam_app::stock::{self, MoveInput};
use seam_app::{Actor, App, AppError, ledger, parties, products};
use seam_domain::ids::{PartyId, SalesOrderId};
use seam_domain::party::PartyDraft;
use seam_domain::product::ProductDraft;
use seam_domain::stock::MoveDraft;

both_backends!(
    an_order_is_invoiced_as_it_ships_and_paid_in_parts,
    one_payment_settles_several_invoices_and_keeps_the_rest_as_credit,
    a_credit_note_posts_the_reverse_and_settles_its_invoice,
    a_foreign_invoice_is_booked_at_its_rate_and_its_payment_realises_the_difference,
    refusals_write_nothing,
    aging_buckets_and_statement,
    concurrent_postings_get_unique_gapless_numbers,
    concurrent_orders_payments_and_edits_of_one_customer_never_deadlock,
);

fn admin() -> Actor {
    Actor::system("tester")
}

async fn product(app: &App, sku: &str, kind: &str, price: &str, rate: &str, currency: &str) {
    let draft = ProductDraft {
        sku: sku.into(),
        name: format!("{sku} name"),
        kind: kind.into(),
        unit: if kind == "goods" { "C62" } else { "HUR" }.into(),
        currency: currency.into(),
        list_price: price.into(),
        standard_cost: if kind == "goods" { "30.00" } else { "0" }.into(),
        tax_rate: rate.into(),
        revenue_account: String::new(),
    };
    products::create_product(app, &admin(), &draft)
        .await
        .unwrap();
}

async fn customer(app: &App, name: &str) -> PartyId {
    let draft = PartyDraft {
        kind: "company".into(),
        name: name.into(),
        is_customer: true,
        ..PartyDraft::default()
    };
    parties::create_party(app, &admin(), &draft).await.unwrap()
}

async fn receive(app: &App, sku: &str, qty: &str) {
    let input = MoveInput {
        product: sku.into(),
        warehouse: String::new(),
        draft: MoveDraft {
            qty: qty.into(),
            date: "2026-03-01".into(),
            text: String::new(),
        },
    };
    stock::receive(app, &admin(), &input).await.unwrap();
}

fn line(sku: &str, qty: &str) -> LineInput {
    LineInput {
        product: sku.into(),
        qty: qty.into(),
        unit_price: String::new(),
    }
}

async fn order(app: &App, party: PartyId, currency: &str, lines: Vec<LineInput>) -> SalesOrderId {
    let input = OrderInput {
        customer: Some(party),
        order_date: "2026-03-02".into(),
        currency: currency.into(),
        lines,
    };
    let id = sales::create_order(app, &admin(), &input).await.unwrap();
    sales::confirm_order(app, &admin(), id, None).await.unwrap();
    id
}

async fn ship(app: &App, order: SalesOrderId, lines: ShipLines) {
    let input = ShipInput {
        lines,
        ship_date: "2026-03-05".into(),
        tracking_reference: String::new(),
    };
    fulfilment::ship_order(app, &admin(), order, &input)
        .await
        .unwrap();
}

fn dated(issue: &str) -> InvoiceInput {
    InvoiceInput {
        issue_date: issue.into(),
        terms_days: "30".into(),
        note: String::new(),
    }
}

async fn invoice_and_post(app: &App, order: SalesOrderId, issue: &str) -> (i64, String) {
    let id = invoicing::invoice_order(app, &admin(), order, &dated(issue))
        .await
        .unwrap();
    let posted = invoicing::post_invoice(app, &admin(), id).await.unwrap();
    (id, posted.number)
}

fn pay(party: PartyId, date: &str, amount: &str, allocations: Vec<(i64, &str)>) -> PaymentInput {
    PaymentInput {
        party_id: party.0,
        payment_date: date.into(),
        currency: String::new(),
        amount: amount.into(),
        reference: "bank transfer".into(),
        allocations: allocations
            .into_iter()
            .map(|(id, a)| (id, a.to_owned()))
            .collect(),
    }
}

/// The lines of a journal entry by number as `(account, debit, credit)`, sorted.
async fn entry_lines(app: &App, number: &str) -> Vec<(String, i64, i64)> {
    let entries = ledger::entries(app, &admin(), None, 500).await.unwrap();
    let entry = entries.iter().find(|e| e.number == number).unwrap();
    let detail = ledger::entry(app, &admin(), entry.id).await.unwrap();
    let mut lines: Vec<(String, i64, i64)> = detail
        .lines
        .iter()
        .map(|l| (l.account_code.clone(), l.debit_minor, l.credit_minor))
        .collect();
    lines.sort();
    lines
}

fn l(account: &str, debit: i64, credit: i64) -> (String, i64, i64) {
    (account.to_owned(), debit, credit)
}

async fn books_agree(app: &App) {
    let tb = ledger::trial_balance(app, &admin(), "2027-12-31")
        .await
        .unwrap();
    assert_eq!(tb.debit_totals, tb.credit_totals);
    assert!(
        ledger::balances_agree_with_lines(app, &admin())
            .await
            .unwrap()
    );
}

async fn invoice(app: &App, id: i64) -> invoicing::InvoiceRow {
    invoicing::invoice(app, &admin(), id).await.unwrap().invoice
}

async fn entry_count(app: &App) -> usize {
    ledger::entries(app, &admin(), None, 500)
        .await
        .unwrap()
        .len()
}

async fn an_order_is_invoiced_as_it_ships_and_paid_in_parts(app: App) {
    product(&app, "CHAIR", "goods", "80.00", "S25", "EUR").await;
    product(&app, "FIT", "service", "100.00", "S12", "EUR").await;
    receive(&app, "CHAIR", "10").await;
    let acme = customer(&app, "Acme").await;
    let o = order(&app, acme, "", vec![line("CHAIR", "3"), line("FIT", "2")]).await;
    ship(&app, o, ShipLines::These(vec![(1, 2)])).await;

    // Two chairs shipped and both hours of service: 160 at 25%, 200 at 12%.
    let first = invoicing::invoice_order(&app, &admin(), o, &dated("2026-03-06"))
        .await
        .unwrap();
    let draft = invoicing::invoice(&app, &admin(), first).await.unwrap();
    assert_eq!(draft.invoice.state, "draft");
    assert_eq!(draft.invoice.number, None);
    let qty: Vec<(Option<i64>, i64)> = draft
        .lines
        .iter()
        .map(|l| (l.order_line_no, l.qty))
        .collect();
    assert_eq!(qty, vec![(Some(1), 2), (Some(2), 2)]);
    assert_eq!(draft.invoice.net_minor, 36_000);
    assert_eq!(draft.invoice.vat_minor, 4_000 + 2_400);
    assert_eq!(draft.invoice.due_date, "2026-04-05");
    // Nothing more to invoice until more ships.
    let again = invoicing::invoice_order(&app, &admin(), o, &dated("2026-03-06")).await;
    assert!(
        matches!(again, Err(AppError::Invalid(e)) if e.for_field("lines") == Some("error-invoice-nothing"))
    );

    let posted = invoicing::post_invoice(&app, &admin(), first)
        .await
        .unwrap();
    assert_eq!(posted.number, "INV-2026-000001");
    assert_eq!(
        entry_lines(&app, &posted.entry_number).await,
        vec![
            l("1200", 42_400, 0),
            l("2100", 0, 2_400),
            l("2100", 0, 4_000),
            l("4000", 0, 16_000),
            l("4100", 0, 20_000),
        ]
    );

    ship(&app, o, ShipLines::Remaining).await;
    let (second, number) = invoice_and_post(&app, o, "2026-03-07").await;
    assert_eq!(number, "INV-2026-000002");
    assert_eq!(invoice(&app, second).await.total_minor, 10_000);

    // A part payment leaves the invoice posted with the rest due.
    let paid = invoicing::record_payment(
        &app,
        &admin(),
        &pay(acme, "2026-03-20", "100.00", vec![(first, "100.00")]),
    )
    .await
    .unwrap();
    assert_eq!(paid.number, "PAY-2026-000001");
    assert_eq!(
        entry_lines(&app, &paid.entry_number).await,
        vec![l("1100", 10_000, 0), l("1200", 0, 10_000)]
    );
    let row = invoice(&app, first).await;
    assert_eq!((row.state.as_str(), row.due_minor()), ("posted", 32_400));
    // The rest settles it.
    invoicing::record_payment(
        &app,
        &admin(),
        &pay(acme, "2026-03-25", "324.00", vec![(first, "324")]),
    )
    .await
    .unwrap();
    let row = invoice(&app, first).await;
    assert_eq!((row.state.as_str(), row.due_minor()), ("paid", 0));
    let detail = invoicing::invoice(&app, &admin(), first).await.unwrap();
    assert_eq!(detail.payments.len(), 2);
    let balances = invoicing::party_balances(&app, &admin(), acme.0)
        .await
        .unwrap();
    assert_eq!(balances.len(), 1);
    assert_eq!(
        (balances[0].due_minor, balances[0].credit_minor),
        (10_000, 0)
    );
    books_agree(&app).await;
}

async fn one_payment_settles_several_invoices_and_keeps_the_rest_as_credit(app: App) {
    product(&app, "FIT", "service", "100.00", "S25", "EUR").await;
    let acme = customer(&app, "Acme").await;
    let a = order(&app, acme, "", vec![line("FIT", "1")]).await;
    let b = order(&app, acme, "", vec![line("FIT", "2")]).await;
    let (ia, _) = invoice_and_post(&app, a, "2026-03-01").await;
    let (ib, _) = invoice_and_post(&app, b, "2026-03-02").await;
    // 125 + 250 owed; 400 paid with no allocation named: oldest first, 25 left over.
    let paid = invoicing::record_payment(&app, &admin(), &pay(acme, "2026-03-10", "400", vec![]))
        .await
        .unwrap();
    assert_eq!(paid.unallocated_minor, 2_500);
    assert_eq!(
        entry_lines(&app, &paid.entry_number).await,
        vec![
            l("1100", 40_000, 0),
            l("1200", 0, 37_500),
            l("2300", 0, 2_500)
        ]
    );
    assert_eq!(invoice(&app, ia).await.state, "paid");
    assert_eq!(invoice(&app, ib).await.state, "paid");
    let balances = invoicing::party_balances(&app, &admin(), acme.0)
        .await
        .unwrap();
    assert_eq!(
        (balances[0].due_minor, balances[0].credit_minor),
        (0, 2_500)
    );
    let (payment, allocations) = invoicing::payment(&app, &admin(), paid.id).await.unwrap();
    assert_eq!(payment.amount_minor, 40_000);
    assert_eq!(allocations.len(), 2);
    books_agree(&app).await;
}

async fn a_credit_note_posts_the_reverse_and_settles_its_invoice(app: App) {
    product(&app, "FIT", "service", "100.00", "S25", "EUR").await;
    let acme = customer(&app, "Acme").await;
    let o = order(&app, acme, "", vec![line("FIT", "4")]).await;
    let (inv, number) = invoice_and_post(&app, o, "2026-03-01").await;
    // One hour credited of four: 125.00 back, the invoice has 375.00 due.
    let input = CreditInput {
        lines: CreditLines::These(vec![(1, 1)]),
        issue_date: "2026-03-03".into(),
        reason: "One hour not delivered".into(),
    };
    let cn = invoicing::credit_invoice(&app, &admin(), inv, &input)
        .await
        .unwrap();
    let posted = invoicing::post_invoice(&app, &admin(), cn).await.unwrap();
    assert_eq!(posted.number, "CN-2026-000001");
    assert_eq!(
        entry_lines(&app, &posted.entry_number).await,
        vec![
            l("1200", 0, 12_500),
            l("2100", 2_500, 0),
            l("4100", 10_000, 0)
        ]
    );
    let row = invoice(&app, cn).await;
    assert_eq!(
        row.credited_invoice_number.as_deref(),
        Some(number.as_str())
    );
    assert_eq!(invoice(&app, inv).await.due_minor(), 37_500);
    // Crediting more than is left is refused, naming the line.
    let too_much = CreditInput {
        lines: CreditLines::These(vec![(1, 4)]),
        ..input.clone()
    };
    let refused = invoicing::credit_invoice(&app, &admin(), inv, &too_much).await;
    assert!(
        matches!(refused, Err(AppError::Invalid(e)) if e.for_field("lines[1].qty") == Some("error-credit-too-much"))
    );
    // Pay it all, then credit the rest: what was paid becomes customer credit.
    invoicing::record_payment(&app, &admin(), &pay(acme, "2026-03-05", "375", vec![]))
        .await
        .unwrap();
    let rest = CreditInput {
        lines: CreditLines::Remaining,
        ..input
    };
    let cn2 = invoicing::credit_invoice(&app, &admin(), inv, &rest)
        .await
        .unwrap();
    let posted = invoicing::post_invoice(&app, &admin(), cn2).await.unwrap();
    assert_eq!(
        entry_lines(&app, &posted.entry_number).await,
        vec![
            l("2100", 7_500, 0),
            l("2300", 0, 37_500),
            l("4100", 30_000, 0)
        ]
    );
    let balances = invoicing::party_balances(&app, &admin(), acme.0)
        .await
        .unwrap();
    assert_eq!(
        (balances[0].due_minor, balances[0].credit_minor),
        (0, 37_500)
    );
    books_agree(&app).await;
}

async fn a_foreign_invoice_is_booked_at_its_rate_and_its_payment_realises_the_difference(app: App) {
    product(&app, "WATCH", "service", "1000.00", "S25", "CHF").await;
    let zurich = customer(&app, "Zürcher AG").await;
    let o = order(&app, zurich, "CHF", vec![line("WATCH", "1")]).await;
    let id = invoicing::invoice_order(&app, &admin(), o, &dated("2026-03-05"))
        .await
        .unwrap();
    // No rate yet: posting names the currency and writes nothing.
    let before = entry_count(&app).await;
    let refused = invoicing::post_invoice(&app, &admin(), id).await;
    assert!(
        matches!(refused, Err(AppError::Invalid(e)) if e.for_field("currency") == Some("error-rate-missing"))
    );
    assert_eq!(entry_count(&app).await, before);
    assert_eq!(invoice(&app, id).await.state, "draft");

    invoicing::set_rate(&app, &admin(), "CHF", "2026-03-01", "1.05")
        .await
        .unwrap();
    invoicing::set_rate(&app, &admin(), "CHF", "2026-04-01", "1.10")
        .await
        .unwrap();
    // CHF 1,250.00 at 1.05 = EUR 1,312.50: 1,050.00 revenue, 262.50 VAT.
    let posted = invoicing::post_invoice(&app, &admin(), id).await.unwrap();
    assert_eq!(
        entry_lines(&app, &posted.entry_number).await,
        vec![
            l("1200", 131_250, 0),
            l("2100", 0, 26_250),
            l("4100", 0, 105_000)
        ]
    );
    // Paid in April at 1.10: the bank gets EUR 1,375.00, receivables clear
    // 1,312.50, and 62.50 is a realised exchange gain.
    let mut input = pay(zurich, "2026-04-02", "1250.00", vec![(id, "1250.00")]);
    input.currency = "CHF".into();
    let paid = invoicing::record_payment(&app, &admin(), &input)
        .await
        .unwrap();
    assert_eq!(paid.exchange_difference_minor, 6_250);
    assert_eq!(
        entry_lines(&app, &paid.entry_number).await,
        vec![
            l("1100", 137_500, 0),
            l("1200", 0, 131_250),
            l("4900", 0, 6_250)
        ]
    );
    assert_eq!(invoice(&app, id).await.state, "paid");
    // Paying a CHF invoice in EUR is a currency mismatch.
    let o2 = order(&app, zurich, "CHF", vec![line("WATCH", "1")]).await;
    let (id2, _) = invoice_and_post(&app, o2, "2026-04-03").await;
    let eur = pay(zurich, "2026-04-04", "10", vec![(id2, "10")]);
    let refused = invoicing::record_payment(&app, &admin(), &eur).await;
    assert!(
        matches!(refused, Err(AppError::Invalid(e)) if e.for_field("allocations[1].invoice") == Some("error-currency-mismatch"))
    );
    books_agree(&app).await;
}

async fn refusals_write_nothing(app: App) {
    product(&app, "FIT", "service", "100.00", "S25", "EUR").await;
    let acme = customer(&app, "Acme").await;
    let other = customer(&app, "Other").await;
    // A draft order cannot be invoiced.
    let input = OrderInput {
        customer: Some(acme),
        order_date: "2026-03-02".into(),
        currency: String::new(),
        lines: vec![line("FIT", "1")],
    };
    let draft_order = sales::create_order(&app, &admin(), &input).await.unwrap();
    let refused = invoicing::invoice_order(&app, &admin(), draft_order, &dated("")).await;
    assert!(matches!(
        refused,
        Err(AppError::Conflict("error-order-state"))
    ));

    let o = order(&app, acme, "", vec![line("FIT", "1")]).await;
    let bad = InvoiceInput {
        issue_date: "2026-02-30".into(),
        terms_days: "-1".into(),
        note: String::new(),
    };
    match invoicing::invoice_order(&app, &admin(), o, &bad).await {
        Err(AppError::Invalid(e)) => {
            assert_eq!(e.for_field("issue_date"), Some("error-date"));
            assert_eq!(e.for_field("terms_days"), Some("error-terms-days"));
        }
        other => panic!("expected invalid input, got {other:?}"),
    }
    // Posting into a closed period is refused; the draft stays a draft.
    ledger::close_period(&app, &admin(), "2026-01")
        .await
        .unwrap();
    let id = invoicing::invoice_order(&app, &admin(), o, &dated("2026-01-15"))
        .await
        .unwrap();
    let before = entry_count(&app).await;
    let refused = invoicing::post_invoice(&app, &admin(), id).await;
    assert!(
        matches!(refused, Err(AppError::Invalid(e)) if e.for_field("date") == Some("error-period-closed"))
    );
    assert_eq!(entry_count(&app).await, before);
    assert_eq!(invoice(&app, id).await.state, "draft");
    // A cancelled draft can be neither posted nor paid, and frees its quantities.
    invoicing::cancel_invoice(&app, &admin(), id).await.unwrap();
    assert!(matches!(
        invoicing::post_invoice(&app, &admin(), id).await,
        Err(AppError::Conflict("error-invoice-state"))
    ));
    let refused =
        invoicing::record_payment(&app, &admin(), &pay(acme, "", "10", vec![(id, "10")])).await;
    assert!(
        matches!(refused, Err(AppError::Invalid(e)) if e.for_field("allocations[1].invoice") == Some("error-invoice-not-open"))
    );
    let (posted, _) = invoice_and_post(&app, o, "2026-03-01").await;
    // Posting twice is an illegal transition.
    assert!(matches!(
        invoicing::post_invoice(&app, &admin(), posted).await,
        Err(AppError::Conflict("error-invoice-state"))
    ));
    // Bad payments name their field and write nothing.
    let before = entry_count(&app).await;
    let cases: Vec<(PaymentInput, &str, &str)> = vec![
        (
            pay(acme, "", "0", vec![]),
            "amount",
            "error-amount-positive",
        ),
        (pay(acme, "", "-5", vec![]), "amount", "error-amount"),
        (
            pay(acme, "yesterday", "5", vec![]),
            "payment_date",
            "error-date",
        ),
        (
            pay(PartyId(999_999), "", "5", vec![]),
            "party",
            "error-unknown-party",
        ),
        (
            pay(acme, "", "500", vec![(posted, "200")]),
            "allocations[1].amount",
            "error-pay-too-much",
        ),
        (
            pay(other, "", "5", vec![(posted, "5")]),
            "allocations[1].invoice",
            "error-invoice-other-party",
        ),
        (
            pay(acme, "", "5", vec![(424_242, "5")]),
            "allocations[1].invoice",
            "error-unknown-invoice",
        ),
        (
            pay(acme, "", "5", vec![(posted, "10")]),
            "allocations",
            "error-allocations-exceed",
        ),
    ];
    for (input, field, code) in cases {
        match invoicing::record_payment(&app, &admin(), &input).await {
            Err(AppError::Invalid(e)) => assert_eq!(e.for_field(field), Some(code), "{e:?}"),
            other => panic!("expected {field} {code}, got {other:?}"),
        }
    }
    assert_eq!(entry_count(&app).await, before);
    assert_eq!(invoice(&app, posted).await.settled_minor, 0);
    // A receptionist may read but not post or pay.
    let roles = [seam_domain::access::Role::Receptionist];
    let receptionist = Actor {
        roles: roles.to_vec(),
        grants: seam_domain::access::Grants::for_roles(&roles),
        ..Actor::system("reception")
    };
    assert!(
        invoicing::invoice(&app, &receptionist, posted)
            .await
            .is_ok()
    );
    assert!(matches!(
        invoicing::record_payment(&app, &receptionist, &pay(acme, "", "5", vec![])).await,
        Err(AppError::Forbidden)
    ));
    books_agree(&app).await;
}

async fn aging_buckets_and_statement(app: App) {
    product(&app, "FIT", "service", "100.00", "S25", "EUR").await;
    let acme = customer(&app, "Acme").await;
    // Issued with 30 days' terms: due 2026-02-01, 2026-03-01, 2026-04-10.
    let mut ids = Vec::new();
    for issue in ["2026-01-02", "2026-01-30", "2026-03-11"] {
        let o = order(&app, acme, "", vec![line("FIT", "1")]).await;
        ids.push(invoice_and_post(&app, o, issue).await.0);
    }
    let report = invoicing::aging(&app, &admin(), "2026-04-15")
        .await
        .unwrap();
    // 73 days, 45 days and 5 days past due.
    assert_eq!(report.rows.len(), 1);
    assert_eq!(report.rows[0].buckets, [0, 12_500, 12_500, 12_500, 0]);
    assert_eq!(report.total, 37_500);
    // Paid on 2026-04-20: today's aging drops it, the aging at 2026-04-15 still shows it.
    invoicing::record_payment(
        &app,
        &admin(),
        &pay(acme, "2026-04-20", "125", vec![(ids[0], "125")]),
    )
    .await
    .unwrap();
    // At 2026-05-31 the other two are 91 and 51 days past due.
    let later = invoicing::aging(&app, &admin(), "2026-05-31")
        .await
        .unwrap();
    assert_eq!(later.rows[0].buckets, [0, 0, 12_500, 0, 12_500]);
    let then = invoicing::aging(&app, &admin(), "2026-04-15")
        .await
        .unwrap();
    assert_eq!(then.total, 37_500);
    let before_any = invoicing::aging(&app, &admin(), "2025-12-31")
        .await
        .unwrap();
    assert!(before_any.rows.is_empty());

    let sections = invoicing::statement(&app, &admin(), acme.0, "2026-01-15", "2026-04-30")
        .await
        .unwrap();
    assert_eq!(sections.len(), 1);
    let s = &sections[0];
    assert_eq!(s.opening_minor, 12_500);
    let kinds: Vec<&str> = s.lines.iter().map(|l| l.row.kind.as_str()).collect();
    assert_eq!(kinds, vec!["invoice", "invoice", "payment"]);
    assert_eq!(s.closing_minor, 25_000);
    assert_eq!(s.lines.last().unwrap().balance_minor, 25_000);
}

async fn concurrent_postings_get_unique_gapless_numbers(app: App) {
    product(&app, "FIT", "service", "100.00", "S25", "EUR").await;
    let acme = customer(&app, "Acme").await;
    let mut drafts = Vec::new();
    for _ in 0..200 {
        let o = order(&app, acme, "", vec![line("FIT", "1")]).await;
        drafts.push(
            invoicing::invoice_order(&app, &admin(), o, &dated("2026-03-01"))
                .await
                .unwrap(),
        );
    }
    let tasks: Vec<_> = drafts
        .iter()
        .map(|id| {
            let app = app.clone();
            let id = *id;
            tokio::spawn(async move { invoicing::post_invoice(&app, &admin(), id).await })
        })
        .collect();
    let mut numbers = Vec::new();
    for task in tasks {
        numbers.push(task.await.unwrap().unwrap().number);
    }
    numbers.sort();
    let expected: Vec<String> = (1..=200).map(|n| format!("INV-2026-{n:06}")).collect();
    assert_eq!(numbers, expected);
    books_agree(&app).await;
}

/// Orders (which read the customer), payments (which book and then refer to
/// the customer), edits of the customer, and confirmations whose lines name
/// the same goods in opposite orders, all at once: every one succeeds.
async fn concurrent_orders_payments_and_edits_of_one_customer_never_deadlock(app: App) {
    product(&app, "CHAIR", "goods", "80.00", "S25", "EUR").await;
    product(&app, "LAMP", "goods", "20.00", "S25", "EUR").await;
    receive(&app, "CHAIR", "500").await;
    receive(&app, "LAMP", "500").await;
    let acme = customer(&app, "Acme").await;
    let mut drafts = Vec::new();
    for i in 0..16 {
        let lines = if i % 2 == 0 {
            vec![line("CHAIR", "1"), line("LAMP", "1")]
        } else {
            vec![line("LAMP", "1"), line("CHAIR", "1")]
        };
        let input = OrderInput {
            customer: Some(acme),
            order_date: "2026-03-02".into(),
            currency: String::new(),
            lines,
        };
        drafts.push(sales::create_order(&app, &admin(), &input).await.unwrap());
    }
    let mut tasks = Vec::new();
    for (i, draft) in drafts.into_iter().enumerate() {
        let app = app.clone();
        tasks.push(tokio::spawn(async move {
            sales::confirm_order(&app, &admin(), draft, None)
                .await
                .map(|_| ())?;
            let input = OrderInput {
                customer: Some(acme),
                order_date: "2026-03-02".into(),
                currency: String::new(),
                lines: vec![line("LAMP", "1")],
            };
            sales::create_order(&app, &admin(), &input).await?;
            invoicing::record_payment(&app, &admin(), &pay(acme, "2026-03-03", "10", vec![]))
                .await
                .map(|_| ())?;
            if i % 4 == 0 {
                let detail = parties::party_detail(&app, &admin(), acme).await?;
                let draft = PartyDraft {
                    kind: "company".into(),
                    name: "Acme".into(),
                    is_customer: true,
                    notes: format!("edit {i}"),
                    ..PartyDraft::default()
                };
                // A stale version is a clean refusal, never a deadlock.
                match parties::update_party(&app, &admin(), acme, detail.party.version, &draft)
                    .await
                {
                    Ok(_) | Err(AppError::Conflict(_)) => {}
                    Err(e) => return Err(e),
                }
            }
            Ok::<(), AppError>(())
        }));
    }
    for task in tasks {
        task.await.unwrap().unwrap();
    }
    books_agree(&app).await;
}
