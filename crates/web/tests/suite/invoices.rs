//! Invoice, payment and receivables pages end to end, in-process, on both
//! backends: an invoice from a shipped order, posting, the PDF and UBL
//! downloads, a credit note, a payment with its allocation, the aging report
//! and its CSV, a customer statement, exchange rates, the company profile,
//! and what a receptionist may see and do.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

// The harness is shared with the other web tests; not every helper is used here.
#[allow(dead_code)]
use crate::common;
use axum::http::StatusCode;
use common::{Backend, Env, env};
use seam_app::fulfilment::{self, ShipInput, ShipLines};
use seam_app::invoicing::{self, InvoiceInput};
use seam_app::sales::{self, LineInput, OrderInput};
use seam_app::stock::{self, MoveInput};
use seam_app::{Actor, parties, products};
use seam_domain::access::Role;
use seam_domain::ids::{PartyId, SalesOrderId};
use seam_domain::party::PartyDraft;
use seam_domain::product::ProductDraft;
use seam_domain::stock::MoveDraft;

both_backends!(
    an_accountant_invoices_a_shipped_order_credits_it_and_records_a_payment,
    a_receptionist_sees_invoices_but_no_actions_and_may_not_post,
    the_customer_page_shows_fulfilment_invoices_payments_and_balance,
    the_warehouse_takes_goods_back_on_the_order_page_and_through_the_api,
    the_warehouse_queue_lists_confirmed_orders_left_to_ship_oldest_first,
    a_billing_ticket_from_the_portal_is_escalated_and_credited_from_the_ticket,
);

fn admin() -> Actor {
    Actor::system("test")
}

/// A customer with what an e-invoice needs of a buyer, an order for two
/// chairs (80.00 + 25 % VAT each) confirmed and shipped.
async fn shipped_order(env: &Env) -> (PartyId, SalesOrderId) {
    let draft = ProductDraft {
        sku: "CHAIR".into(),
        name: "Oak chair".into(),
        kind: "goods".into(),
        unit: "C62".into(),
        currency: "EUR".into(),
        list_price: "80.00".into(),
        standard_cost: "30.00".into(),
        tax_rate: "S25".into(),
        revenue_account: String::new(),
    };
    products::create_product(&env.app, &admin(), &draft)
        .await
        .unwrap();
    let receipt = MoveInput {
        product: "CHAIR".into(),
        warehouse: String::new(),
        draft: MoveDraft {
            qty: "10".into(),
            date: "2026-03-01".into(),
            text: String::new(),
        },
    };
    stock::receive(&env.app, &admin(), &receipt).await.unwrap();
    let customer = PartyDraft {
        kind: "company".into(),
        name: "Acme AB".into(),
        is_customer: true,
        country: "SE".into(),
        tax_id: "SE556677889901".into(),
        street: "Storgatan 1".into(),
        city: "Malmö".into(),
        postal_code: "211 22".into(),
        ..PartyDraft::default()
    };
    let party = parties::create_party(&env.app, &admin(), &customer)
        .await
        .unwrap();
    let input = OrderInput {
        customer: Some(party),
        order_date: "2026-03-02".into(),
        currency: "EUR".into(),
        lines: vec![LineInput {
            product: "CHAIR".into(),
            qty: "2".into(),
            unit_price: String::new(),
        }],
    };
    let order = sales::create_order(&env.app, &admin(), &input)
        .await
        .unwrap();
    sales::confirm_order(&env.app, &admin(), order, None)
        .await
        .unwrap();
    let ship = ShipInput {
        lines: ShipLines::Remaining,
        ship_date: "2026-03-05".into(),
        tracking_reference: String::new(),
    };
    fulfilment::ship_order(&env.app, &admin(), order, &ship)
        .await
        .unwrap();
    (party, order)
}

fn id_after(location: &str, prefix: &str) -> i64 {
    location
        .strip_prefix(prefix)
        .and_then(|rest| rest.parse().ok())
        .unwrap_or_else(|| panic!("{location} is not under {prefix}"))
}

async fn an_accountant_invoices_a_shipped_order_credits_it_and_records_a_payment(backend: Backend) {
    let Some(env) = env(backend).await else {
        return;
    };
    let (party, order) = shipped_order(&env).await;
    env.user("aino", &[Role::Accountant], None).await;
    let mut client = env.logged_in("aino").await;

    // The navigation leads to the new screens.
    let area = client.get("/accounting").await;
    for href in [
        "/invoices",
        "/payments",
        "/accounting/rates",
        "/reports/aging",
        "/accounting/company",
    ] {
        assert!(area.body.contains(&format!("href=\"{href}\"")), "{href}");
    }

    // The order offers "Create invoice"; bad terms are named and kept.
    let page = client.get(&format!("/sales/orders/{}", order.0)).await;
    assert!(
        page.body
            .contains(&format!("action=\"/sales/orders/{}/invoice\"", order.0)),
        "{}",
        page.body
    );
    assert!(page.body.contains("Not invoiced"));
    let refused = client
        .post_form(
            &format!("/sales/orders/{}/invoice", order.0),
            &[("issue_date", "2026-03-06"), ("terms_days", "soon")],
        )
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(refused.body.contains("whole days"), "{}", refused.body);
    assert!(refused.body.contains("value=\"soon\""));
    let created = client
        .post_form(
            &format!("/sales/orders/{}/invoice", order.0),
            &[("issue_date", "2026-03-06"), ("terms_days", "30")],
        )
        .await;
    assert_eq!(created.status, StatusCode::SEE_OTHER, "{}", created.body);
    let invoice = id_after(created.location(), "/invoices/");

    // The draft: post and cancel, no documents yet.
    let draft = client.get(&format!("/invoices/{invoice}")).await;
    assert_eq!(draft.status, StatusCode::OK);
    assert!(draft.body.contains("Draft invoice created."));
    assert!(
        draft
            .body
            .contains(&format!("action=\"/invoices/{invoice}/post\""))
    );
    assert!(
        draft
            .body
            .contains(&format!("action=\"/invoices/{invoice}/cancel\""))
    );
    assert!(!draft.body.contains(&format!("/invoices/{invoice}/pdf")));
    assert!(draft.body.contains("200.00"), "{}", draft.body);

    let posted = client
        .post_form(&format!("/invoices/{invoice}/post"), &[])
        .await;
    assert_eq!(posted.status, StatusCode::SEE_OTHER, "{}", posted.body);
    let view = client.get(&format!("/invoices/{invoice}")).await;
    assert!(view.body.contains("INV-2026-"), "{}", view.body);
    assert!(view.body.contains("/accounting/journal/"));
    assert!(view.body.contains(&format!("/invoices/{invoice}/pdf")));
    assert!(view.body.contains(&format!(
        "/payments/new?party={}&amp;invoice={invoice}",
        party.0
    )));
    assert!(
        view.body
            .contains(&format!("action=\"/invoices/{invoice}/credit\""))
    );
    assert!(!view.body.contains(&format!("/invoices/{invoice}/post\"")));

    // The order lists its invoice and is invoiced.
    let page = client.get(&format!("/sales/orders/{}", order.0)).await;
    assert!(page.body.contains(&format!("href=\"/invoices/{invoice}\"")));
    assert!(page.body.contains("Invoiced"));
    assert!(
        !page
            .body
            .contains(&format!("action=\"/sales/orders/{}/invoice\"", order.0))
    );

    // The PDF.
    let pdf = client.get(&format!("/invoices/{invoice}/pdf")).await;
    assert_eq!(pdf.status, StatusCode::OK);
    assert_eq!(pdf.content_type(), "application/pdf");
    assert!(pdf.body.starts_with("%PDF"));

    // UBL needs the company's VAT number: the page says so instead of failing.
    let ubl = client.get(&format!("/invoices/{invoice}/ubl")).await;
    assert_eq!(ubl.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", ubl.body);
    assert!(ubl.body.contains("e-invoice"), "{}", ubl.body);

    // The company profile: errors next to the fields, input kept, then saved.
    let form = client.get("/accounting/company").await;
    assert_eq!(form.status, StatusCode::OK);
    let bad = client
        .post_form(
            "/accounting/company",
            &[
                ("name", ""),
                ("vat_id", "SE556000111201"),
                ("country", "Sweden"),
                ("currency", "EUR"),
            ],
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad.body.contains("id=\"f-name-error\""), "{}", bad.body);
    assert!(bad.body.contains("id=\"f-country-error\""));
    assert!(bad.body.contains("value=\"SE556000111201\""));
    let saved = client
        .post_form(
            "/accounting/company",
            &[
                ("name", "Seam Trading AB"),
                ("vat_id", "SE556000111201"),
                ("legal_id", "556000-1112"),
                ("street", "Hamngatan 2"),
                ("postcode", "111 47"),
                ("city", "Stockholm"),
                ("country", "se"),
                ("email", "billing@seam.test"),
                ("iban", "SE45 5000 0000 0583 9825 7466"),
                ("currency", "EUR"),
            ],
        )
        .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    let form = client.get("/accounting/company").await;
    assert!(form.body.contains("Company profile saved."));
    assert!(form.body.contains("value=\"SE\""));
    let ubl = client.get(&format!("/invoices/{invoice}/ubl")).await;
    assert_eq!(ubl.status, StatusCode::OK, "{}", ubl.body);
    assert_eq!(ubl.content_type(), "application/xml");
    assert!(ubl.body.contains("<Invoice"));

    // A credit note for one chair: too much is named on its line first.
    let too_much = client
        .post_form(
            &format!("/invoices/{invoice}/credit"),
            &[
                ("qty_1", "5"),
                ("issue_date", "2026-03-10"),
                ("reason", "Damaged"),
            ],
        )
        .await;
    assert_eq!(too_much.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(too_much.body.contains("more than is left to credit"));
    assert!(too_much.body.contains("value=\"Damaged\""));
    let credited = client
        .post_form(
            &format!("/invoices/{invoice}/credit"),
            &[
                ("qty_1", "1"),
                ("issue_date", "2026-03-10"),
                ("reason", "Damaged"),
            ],
        )
        .await;
    assert_eq!(credited.status, StatusCode::SEE_OTHER, "{}", credited.body);
    let note = id_after(credited.location(), "/invoices/");
    let posted = client
        .post_form(&format!("/invoices/{note}/post"), &[])
        .await;
    assert_eq!(posted.status, StatusCode::SEE_OTHER, "{}", posted.body);
    let note_page = client.get(&format!("/invoices/{note}")).await;
    assert!(note_page.body.contains("CN-2026-"), "{}", note_page.body);
    assert!(
        note_page
            .body
            .contains(&format!("href=\"/invoices/{invoice}\""))
    );
    let view = client.get(&format!("/invoices/{invoice}")).await;
    assert!(view.body.contains(&format!("href=\"/invoices/{note}\"")));

    // A payment of 60.00 against the 100.00 still due.
    let form = client
        .get(&format!(
            "/payments/new?party={}&invoice={invoice}",
            party.0
        ))
        .await;
    assert_eq!(form.status, StatusCode::OK, "{}", form.body);
    assert!(
        form.body
            .contains(&format!("name=\"alloc_{invoice}\" value=\"100.00\""))
    );
    let refused = client
        .post_form(
            "/payments",
            &[
                ("party", &party.0.to_string()),
                ("payment_date", "2026-03-20"),
                ("currency", "EUR"),
                ("amount", "60.00"),
                ("reference", "Bank 1234"),
                (&format!("alloc_{invoice}"), "150.00"),
            ],
        )
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        refused.body.contains("more than is due"),
        "{}",
        refused.body
    );
    assert!(refused.body.contains("value=\"Bank 1234\""));
    let recorded = client
        .post_form(
            "/payments",
            &[
                ("party", &party.0.to_string()),
                ("payment_date", "2026-03-20"),
                ("currency", "EUR"),
                ("amount", "60.00"),
                ("reference", "Bank 1234"),
                (&format!("alloc_{invoice}"), "60.00"),
            ],
        )
        .await;
    assert_eq!(recorded.status, StatusCode::SEE_OTHER, "{}", recorded.body);
    let payment = id_after(recorded.location(), "/payments/");
    let page = client.get(&format!("/payments/{payment}")).await;
    assert!(page.body.contains("Payment recorded."));
    assert!(page.body.contains("PAY-2026-"));
    assert!(page.body.contains(&format!("href=\"/invoices/{invoice}\"")));
    assert!(page.body.contains("/accounting/journal/"));
    let list = client.get("/payments").await;
    assert!(list.body.contains(&format!("href=\"/payments/{payment}\"")));
    let view = client.get(&format!("/invoices/{invoice}")).await;
    assert!(view.body.contains(&format!("href=\"/payments/{payment}\"")));
    assert!(view.body.contains("40.00"));

    // The list: open invoices of the customer, overdue at today's date.
    let list = client
        .get(&format!("/invoices?open=1&party={}", party.0))
        .await;
    assert_eq!(list.status, StatusCode::OK);
    assert!(list.body.contains(&format!("href=\"/invoices/{invoice}\"")));
    assert!(!list.body.contains(&format!("href=\"/invoices/{note}\"")));
    let notes = client.get("/invoices?kind=credit_note").await;
    assert!(notes.body.contains(&format!("href=\"/invoices/{note}\"")));
    assert!(
        !notes
            .body
            .contains(&format!("href=\"/invoices/{invoice}\""))
    );

    // Aging on 1 May: 40.00 is 26 days past its 5 April due date.
    let aging = client.get("/reports/aging?at=2026-05-01").await;
    assert_eq!(aging.status, StatusCode::OK);
    assert!(aging.body.contains("Acme AB"));
    assert!(aging.body.contains("40.00"));
    let csv = client.get("/reports/aging?at=2026-05-01&format=csv").await;
    assert_eq!(csv.status, StatusCode::OK);
    assert!(csv.content_type().starts_with("text/csv"));
    let mut lines = csv.body.lines();
    assert_eq!(
        lines.next().unwrap(),
        "party_id,customer,current,1_30,31_60,61_90,over_90,total,currency"
    );
    assert_eq!(
        lines.next().unwrap(),
        format!("{},Acme AB,0.00,40.00,0.00,0.00,0.00,40.00,EUR", party.0)
    );
    let bad = client.get("/reports/aging?at=someday").await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad.body.contains("value=\"someday\""));

    // The statement: invoice, credit note and payment with running balance.
    let statement = client
        .get(&format!(
            "/parties/{}/statement?from=2026-01-01&to=2026-12-31",
            party.0
        ))
        .await;
    assert_eq!(statement.status, StatusCode::OK, "{}", statement.body);
    assert!(statement.body.contains("INV-2026-"));
    assert!(statement.body.contains("CN-2026-"));
    assert!(statement.body.contains("PAY-2026-"));
    assert!(statement.body.contains("Closing balance"));
    assert!(statement.body.contains("40.00"));

    // Exchange rates: a bad rate is named and kept, then saved.
    let bad = client
        .post_form(
            "/accounting/rates",
            &[
                ("currency", "USD"),
                ("date", "2026-03-01"),
                ("rate", "lots"),
            ],
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad.body.contains("id=\"f-rate-error\""));
    assert!(bad.body.contains("value=\"lots\""));
    let set = client
        .post_form(
            "/accounting/rates",
            &[
                ("currency", "USD"),
                ("date", "2026-03-01"),
                ("rate", "0.92"),
            ],
        )
        .await;
    assert_eq!(set.status, StatusCode::SEE_OTHER, "{}", set.body);
    let rates = client.get("/accounting/rates").await;
    assert!(rates.body.contains("Exchange rate saved."));
    assert!(rates.body.contains("USD"));
    assert!(rates.body.contains("0.92"));
}

async fn a_receptionist_sees_invoices_but_no_actions_and_may_not_post(backend: Backend) {
    let Some(env) = env(backend).await else {
        return;
    };
    let (party, order) = shipped_order(&env).await;
    let input = InvoiceInput {
        issue_date: "2026-03-06".into(),
        terms_days: "30".into(),
        note: String::new(),
    };
    let draft = invoicing::invoice_order(&env.app, &admin(), order, &input)
        .await
        .unwrap();
    let posted = invoicing::invoice_order(&env.app, &admin(), order, &input).await;
    assert!(posted.is_err(), "nothing is left to invoice");
    invoicing::post_invoice(&env.app, &admin(), draft)
        .await
        .unwrap();
    env.user("rita", &[Role::Receptionist], None).await;
    let mut client = env.logged_in("rita").await;

    let page = client.get(&format!("/invoices/{draft}")).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert!(page.body.contains("INV-2026-"));
    assert!(!page.body.contains(&format!("/invoices/{draft}/post")));
    assert!(!page.body.contains(&format!("/invoices/{draft}/credit")));
    assert!(!page.body.contains("/payments/new"));
    assert!(page.body.contains(&format!("/invoices/{draft}/pdf")));
    let list = client.get("/invoices").await;
    assert_eq!(list.status, StatusCode::OK);
    assert!(list.body.contains(&format!("href=\"/invoices/{draft}\"")));
    let order_page = client.get(&format!("/sales/orders/{}", order.0)).await;
    assert!(
        order_page
            .body
            .contains(&format!("href=\"/invoices/{draft}\""))
    );
    assert!(!order_page.body.contains("/invoice\""));
    let payments = client.get("/payments").await;
    assert_eq!(payments.status, StatusCode::OK);
    assert!(!payments.body.contains("href=\"/payments/new\""));

    for path in [
        format!("/invoices/{draft}/post"),
        format!("/invoices/{draft}/cancel"),
        format!("/invoices/{draft}/credit"),
        format!("/sales/orders/{}/invoice", order.0),
        "/payments".to_owned(),
        "/accounting/rates".to_owned(),
        "/accounting/company".to_owned(),
    ] {
        let refused = client
            .post_form(
                &path,
                &[("party", &party.0.to_string()), ("amount", "10.00")],
            )
            .await;
        assert_eq!(refused.status, StatusCode::FORBIDDEN, "{path}");
    }
    assert_eq!(
        client.get("/payments/new").await.status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        client.get("/accounting/company").await.status,
        StatusCode::FORBIDDEN
    );
    let after = invoicing::list_payments(&env.app, &admin(), None, None, 10)
        .await
        .unwrap();
    assert!(after.0.is_empty(), "the refused payment wrote nothing");
}

async fn the_customer_page_shows_fulfilment_invoices_payments_and_balance(backend: Backend) {
    let Some(env) = env(backend).await else {
        return;
    };
    let (party, order) = shipped_order(&env).await;
    let input = InvoiceInput {
        issue_date: "2026-03-06".into(),
        terms_days: "30".into(),
        note: String::new(),
    };
    let invoice = invoicing::invoice_order(&env.app, &admin(), order, &input)
        .await
        .unwrap();
    let number = invoicing::post_invoice(&env.app, &admin(), invoice)
        .await
        .unwrap()
        .number;
    let payment = invoicing::PaymentInput {
        party_id: party.0,
        payment_date: "2026-03-10".into(),
        amount: "150.00".into(),
        ..invoicing::PaymentInput::default()
    };
    let paid = invoicing::record_payment(&env.app, &admin(), &payment)
        .await
        .unwrap();
    env.user("rita", &[Role::Receptionist], None).await;
    let mut client = env.logged_in("rita").await;
    let page = client.get(&format!("/parties/{}", party.0)).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    let body = &page.body;
    // The order, shipped in full; the invoice open with 50.00 still due; the payment.
    let orders = &body[body.find("id=\"party-orders\"").unwrap()..];
    assert!(orders.contains("SO-2026-000001"));
    assert!(orders.contains("All"), "fulfilment column");
    let open = &body[body.find("id=\"party-open-invoices\"").unwrap()..];
    assert!(open.contains(&number));
    assert!(open.contains("€50.00"), "due amount");
    assert!(body.contains(&paid.number));
    assert!(body.contains(&format!("/parties/{}/statement", party.0)));
    // The timeline names the invoice's posting and the payment.
    assert!(body.contains("id=\"timeline-h\""));
    // A receptionist records no payments.
    assert!(!body.contains(&format!("/payments/new?party={}", party.0)));
    // Marketing sees neither orders nor invoices.
    env.user("mark", &[Role::Marketing], None).await;
    let mut client = env.logged_in("mark").await;
    let page = client.get(&format!("/parties/{}", party.0)).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(!page.body.contains("party-open-invoices"));
    assert!(!page.body.contains("party-orders"));
}

async fn the_warehouse_takes_goods_back_on_the_order_page_and_through_the_api(backend: Backend) {
    let Some(env) = env(backend).await else {
        return;
    };
    let (_, order) = shipped_order(&env).await;
    env.user("wendy", &[Role::Warehouse], None).await;
    let mut client = env.logged_in("wendy").await;
    let path = format!("/sales/orders/{}", order.0);
    let page = client.get(&path).await;
    assert!(page.body.contains(&format!("action=\"{path}/return\"")));
    assert!(page.body.contains("name=\"return_1\""));
    // More than shipped: the error sits on line 1, nothing is written.
    let refused = client
        .post_form(
            &format!("{path}/return"),
            &[("return_1", "5"), ("reason", "Dented")],
        )
        .await;
    assert_eq!(
        refused.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        refused.body
    );
    assert!(refused.body.contains("more than has shipped"));
    let done = client
        .post_form(
            &format!("{path}/return"),
            &[("return_1", "1"), ("reason", "Dented")],
        )
        .await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);
    let page = client.get(&path).await;
    assert!(page.body.contains("RET-2026-000001"), "{}", page.body);
    assert!(page.body.contains("Dented"));
    // Through the API, the second unit.
    let id = env.user("api-wh", &[Role::Warehouse], None).await;
    let (_, secret) = seam_app::tokens::create_token(
        &env.app,
        &Actor::system("test"),
        seam_domain::ids::UserId(id),
        "returns",
        &[seam_domain::access::Permission::SalesOrderShip],
    )
    .await
    .unwrap();
    let mut api = env.client();
    api.bearer = Some(secret);
    let created = api
        .post_json(
            &format!("/api/v1/sales-orders/{}/returns", order.0),
            r#"{"reason":"Scratched","lines":[{"line_no":1,"qty":1}]}"#,
            None,
        )
        .await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
    assert_eq!(created.json()["number"], "RET-2026-000002");
    let again = api
        .post_json(
            &format!("/api/v1/sales-orders/{}/returns", order.0),
            r#"{"lines":[{"line_no":1,"qty":1}]}"#,
            None,
        )
        .await;
    assert_eq!(
        again.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        again.body
    );
    assert!(again.body.contains("lines[1].qty"));
    // A receptionist cannot take goods back.
    env.user("rita", &[Role::Receptionist], None).await;
    let mut reception = env.logged_in("rita").await;
    let page = reception.get(&path).await;
    assert!(!page.body.contains("name=\"return_1\""));
    let forbidden = reception
        .post_form(&format!("{path}/return"), &[("return_1", "1")])
        .await;
    assert_eq!(forbidden.status, StatusCode::FORBIDDEN);
}

async fn the_warehouse_queue_lists_confirmed_orders_left_to_ship_oldest_first(backend: Backend) {
    let Some(env) = env(backend).await else {
        return;
    };
    let (party, _shipped) = shipped_order(&env).await;
    let mut waiting = Vec::new();
    for qty in ["1", "2"] {
        let input = OrderInput {
            customer: Some(party),
            order_date: "2026-03-07".into(),
            currency: String::new(),
            lines: vec![LineInput {
                product: "CHAIR".into(),
                qty: qty.into(),
                unit_price: String::new(),
            }],
        };
        let id = sales::create_order(&env.app, &admin(), &input)
            .await
            .unwrap();
        let row = sales::confirm_order(&env.app, &admin(), id, None)
            .await
            .unwrap();
        waiting.push(row.number.unwrap());
    }
    env.user("wendy", &[Role::Warehouse], None).await;
    let mut client = env.logged_in("wendy").await;
    let page = client.get("/inventory/to-ship").await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    let table = &page.body[page.body.find("id=\"shipping-queue\"").unwrap()..];
    let first = table.find(&waiting[0]).unwrap();
    let second = table.find(&waiting[1]).unwrap();
    assert!(first < second, "oldest first");
    assert!(
        !table.contains("SO-2026-000001"),
        "the shipped order is not waiting"
    );
    env.user("mark", &[Role::Marketing], None).await;
    let mut marketing = env.logged_in("mark").await;
    assert_eq!(
        marketing.get("/inventory/to-ship").await.status,
        StatusCode::FORBIDDEN
    );
}

/// The issue-to-resolution journey through the pages and the API: a customer
/// opens a ticket about an invoice with their token, the agent notes and
/// escalates it to accounting on the ticket page, the accountant issues the
/// credit note from the ticket, and the customer sees it, never the note.
async fn a_billing_ticket_from_the_portal_is_escalated_and_credited_from_the_ticket(
    backend: Backend,
) {
    use seam_domain::access::Permission;
    use seam_domain::ids::UserId;
    let Some(env) = env(backend).await else {
        return;
    };
    let (party, order) = shipped_order(&env).await;
    let invoice = invoicing::invoice_order(
        &env.app,
        &admin(),
        order,
        &InvoiceInput {
            issue_date: "2026-03-06".into(),
            terms_days: "30".into(),
            note: String::new(),
        },
    )
    .await
    .unwrap();
    let number = invoicing::post_invoice(&env.app, &admin(), invoice)
        .await
        .unwrap()
        .number;
    let customer = env.user("acme-buyer", &[Role::Portal], Some(party.0)).await;
    let (_, secret) = seam_app::tokens::create_token(
        &env.app,
        &admin(),
        UserId(customer),
        "own system",
        &[Permission::PortalUse],
    )
    .await
    .unwrap();
    let mut portal = env.client();
    portal.bearer = Some(secret);
    let opened = portal
        .post_json(
            "/api/v1/tickets",
            &format!(
                r#"{{"subject":"Two chairs billed, one arrived broken","body":"Please credit the broken one.","invoice_number":"{number}"}}"#
            ),
            None,
        )
        .await;
    assert_eq!(opened.status, StatusCode::CREATED, "{}", opened.body);
    let ticket = opened.json()["id"].as_i64().unwrap();
    assert_eq!(opened.json()["channel"], "portal");

    env.user("sam", &[Role::Service], None).await;
    let mut agent = env.logged_in("sam").await;
    let list = agent.get("/service/tickets").await;
    assert!(list.body.contains("Two chairs billed"), "{}", list.body);
    let note = agent
        .post_form(
            &format!("/service/tickets/{ticket}/reply"),
            &[
                ("body", "Photo shows the broken leg."),
                ("visibility", "internal"),
            ],
        )
        .await;
    assert_eq!(note.status, StatusCode::SEE_OTHER);
    // A bad escalation names the field and keeps the ticket where it was.
    let bad = agent
        .post_form(
            &format!("/service/tickets/{ticket}/escalate"),
            &[("queue", "accounting"), ("note", "")],
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad.body.contains("f-note-error"), "{}", bad.body);
    let escalated = agent
        .post_form(
            &format!("/service/tickets/{ticket}/escalate"),
            &[("queue", "accounting"), ("note", "Credit one chair")],
        )
        .await;
    assert_eq!(escalated.status, StatusCode::SEE_OTHER);

    env.user("aino", &[Role::Accountant], None).await;
    let mut accountant = env.logged_in("aino").await;
    let page = accountant.get(&format!("/service/tickets/{ticket}")).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(
        page.body
            .contains(&format!("/service/tickets/{ticket}/credit"))
    );
    assert!(
        !agent
            .get(&format!("/service/tickets/{ticket}"))
            .await
            .body
            .contains(&format!("/service/tickets/{ticket}/credit")),
        "the agent may not credit"
    );
    let credited = accountant
        .post_form(
            &format!("/service/tickets/{ticket}/credit"),
            &[("reason", "one chair broken")],
        )
        .await;
    assert_eq!(credited.status, StatusCode::SEE_OTHER, "{}", credited.body);
    let page = accountant.get(&format!("/service/tickets/{ticket}")).await;
    assert!(page.body.contains("CN-"), "{}", page.body);

    let seen = portal.get(&format!("/api/v1/tickets/{ticket}")).await;
    assert_eq!(seen.status, StatusCode::OK);
    let seen = seen.json();
    assert_eq!(seen["state"], "resolved");
    assert_eq!(seen["credit_note_ids"].as_array().unwrap().len(), 1);
    let messages = seen["messages"].as_array().unwrap();
    assert!(messages.iter().all(|m| m["public"] == true));
    assert!(
        !seen.to_string().contains("broken leg"),
        "an internal note leaked"
    );

    // The same in the customer's portal pages: the credit note, never the note.
    let mut buyer = env.logged_in("acme-buyer").await;
    let mine = buyer.get("/portal/tickets").await;
    assert_eq!(mine.status, StatusCode::OK);
    assert!(mine.body.contains("Two chairs billed"), "{}", mine.body);
    let page = buyer.get(&format!("/portal/tickets/{ticket}")).await;
    assert!(page.body.contains("CN-"), "{}", page.body);
    assert!(!page.body.contains("broken leg"), "an internal note leaked");
    let empty = buyer
        .post_form(
            &format!("/portal/tickets/{ticket}/reply"),
            &[("body", "  ")],
        )
        .await;
    assert_eq!(empty.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(empty.body.contains("f-body-error"));
    let bad = buyer
        .post_form(
            "/portal/tickets",
            &[("subject", ""), ("body", "Where is my order?")],
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad.body.contains("f-subject-error") && bad.body.contains("Where is my order?"));
    let thanks = buyer
        .post_form(
            &format!("/portal/tickets/{ticket}/reply"),
            &[("body", "Thanks!")],
        )
        .await;
    assert_eq!(thanks.status, StatusCode::SEE_OTHER);

    // Another customer's token learns nothing about it.
    let other = parties::create_party(
        &env.app,
        &admin(),
        &PartyDraft {
            kind: "company".into(),
            name: "Other AB".into(),
            is_customer: true,
            ..PartyDraft::default()
        },
    )
    .await
    .unwrap();
    let stranger = env
        .user("other-buyer", &[Role::Portal], Some(other.0))
        .await;
    let (_, secret) = seam_app::tokens::create_token(
        &env.app,
        &admin(),
        UserId(stranger),
        "own system",
        &[Permission::PortalUse],
    )
    .await
    .unwrap();
    let mut stranger = env.client();
    stranger.bearer = Some(secret);
    assert_eq!(
        stranger
            .get(&format!("/api/v1/tickets/{ticket}"))
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    let listed = stranger.get("/api/v1/tickets").await;
    assert_eq!(listed.json()["items"].as_array().unwrap().len(), 0);
    env.user("other-login", &[Role::Portal], Some(other.0))
        .await;
    let mut other_buyer = env.logged_in("other-login").await;
    assert_eq!(
        other_buyer
            .get(&format!("/portal/tickets/{ticket}"))
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        other_buyer
            .post_form(&format!("/portal/tickets/{ticket}/close"), &[])
            .await
            .status,
        StatusCode::NOT_FOUND
    );
}
