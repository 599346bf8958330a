//! The 360° customer view on SQLite and (with `SEAM_TEST_PG_URL`)
//! PostgreSQL: what it shows after an order has shipped in part, been
//! invoiced and partly paid, and that it costs the same number of reads
//! for a customer with two invoices as for one with thirty.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use seam_app::customer_view::customer_view;
use seam_app::fulfilment::{self, ShipInput, ShipLines};
use seam_app::invoicing::{self, InvoiceInput, PaymentInput};
use seam_app::sales::{self, LineInput, OrderInput};
use seam_app::stock::{self, MoveInput};
use seam_app::{Actor, App, parties, products};
use seam_domain::access::{Grants, Role};
use seam_domain::ids::{PartyId, SalesOrderId};
use seam_domain::party::PartyDraft;
use seam_domain::product::ProductDraft;
use seam_domain::stock::MoveDraft;

both_backends!(
    the_view_shows_fulfilment_dues_payments_and_the_timeline,
    the_view_costs_the_same_reads_whatever_the_history,
);

fn admin() -> Actor {
    Actor::system("tester")
}

async fn setup(app: &App, name: &str) -> PartyId {
    for (sku, kind) in [("CHAIR", "goods"), ("FIT", "service")] {
        let draft = ProductDraft {
            sku: sku.into(),
            name: format!("{sku} name"),
            kind: kind.into(),
            unit: "C62".into(),
            currency: "EUR".into(),
            list_price: "100.00".into(),
            standard_cost: "10".into(),
            tax_rate: "S25".into(),
            revenue_account: String::new(),
        };
        let _ = products::create_product(app, &admin(), &draft).await;
    }
    let input = MoveInput {
        product: "CHAIR".into(),
        warehouse: String::new(),
        draft: MoveDraft {
            qty: "500".into(),
            date: "2026-01-01".into(),
            text: String::new(),
        },
    };
    stock::receive(app, &admin(), &input).await.unwrap();
    let draft = PartyDraft {
        kind: "company".into(),
        name: name.into(),
        is_customer: true,
        ..PartyDraft::default()
    };
    parties::create_party(app, &admin(), &draft).await.unwrap()
}

async fn order(app: &App, party: PartyId, sku: &str, qty: &str) -> SalesOrderId {
    let input = OrderInput {
        customer: Some(party),
        order_date: "2026-03-01".into(),
        currency: String::new(),
        lines: vec![LineInput {
            product: sku.into(),
            qty: qty.into(),
            unit_price: String::new(),
        }],
    };
    let id = sales::create_order(app, &admin(), &input).await.unwrap();
    sales::confirm_order(app, &admin(), id, None).await.unwrap();
    id
}

async fn invoice(app: &App, order: SalesOrderId) -> i64 {
    let input = InvoiceInput {
        issue_date: "2026-03-02".into(),
        terms_days: "10".into(),
        note: String::new(),
    };
    let id = invoicing::invoice_order(app, &admin(), order, &input)
        .await
        .unwrap();
    invoicing::post_invoice(app, &admin(), id).await.unwrap();
    id
}

async fn the_view_shows_fulfilment_dues_payments_and_the_timeline(app: App) {
    let acme = setup(&app, "Acme").await;
    let o = order(&app, acme, "CHAIR", "4").await;
    let ship = ShipInput {
        lines: ShipLines::These(vec![(1, 1)]),
        ship_date: "2026-03-02".into(),
        tracking_reference: "TRACK-1".into(),
    };
    fulfilment::ship_order(&app, &admin(), o, &ship)
        .await
        .unwrap();
    let inv = invoice(&app, o).await;
    let payment = PaymentInput {
        party_id: acme.0,
        payment_date: "2026-03-05".into(),
        amount: "50".into(),
        ..PaymentInput::default()
    };
    invoicing::record_payment(&app, &admin(), &payment)
        .await
        .unwrap();

    let view = customer_view(&app, &admin(), acme).await.unwrap();
    let orders = view.orders.unwrap();
    assert_eq!(orders.len(), 1);
    assert_eq!((orders[0].ordered_qty, orders[0].shipped_qty), (4, 1));
    assert_eq!(orders[0].fulfilment(), "partly");
    let money = view.receivables.unwrap();
    assert_eq!(money.open.len(), 1);
    assert_eq!(money.open[0].invoice.id, inv);
    assert_eq!(money.open[0].invoice.due_minor(), 12_500 - 5_000);
    assert!(money.open[0].days_overdue > 200, "due 2026-03-12");
    assert_eq!(money.payments.len(), 1);
    assert_eq!(money.balances[0].due_minor, 7_500);
    let actions: Vec<(&str, &str)> = view
        .detail
        .timeline
        .iter()
        .map(|e| (e.entity_type.as_str(), e.action.as_str()))
        .collect();
    for want in [
        ("party", "create"),
        ("sales_order", "confirm"),
        ("sales_order", "ship"),
        ("invoice", "post"),
        ("payment", "record"),
    ] {
        assert!(actions.contains(&want), "{want:?} in {actions:?}");
    }

    // A receptionist sees orders and invoices; a marketing user sees neither.
    let as_role = |role: Role| Actor {
        roles: vec![role],
        grants: Grants::for_roles(&[role]),
        ..Actor::system("someone")
    };
    let front = customer_view(&app, &as_role(Role::Receptionist), acme)
        .await
        .unwrap();
    assert!(front.orders.is_some() && front.receivables.is_some());
    let marketing = customer_view(&app, &as_role(Role::Marketing), acme)
        .await
        .unwrap();
    assert!(marketing.orders.is_none() && marketing.receivables.is_none());
}

async fn reads_for(app: &App, party: PartyId) -> u64 {
    let before = seam_store::reads();
    customer_view(app, &admin(), party).await.unwrap();
    seam_store::reads() - before
}

async fn the_view_costs_the_same_reads_whatever_the_history(app: App) {
    let small = setup(&app, "Small").await;
    for _ in 0..2 {
        let o = order(&app, small, "FIT", "1").await;
        invoice(&app, o).await;
    }
    let big = {
        let draft = PartyDraft {
            kind: "company".into(),
            name: "Big".into(),
            is_customer: true,
            ..PartyDraft::default()
        };
        parties::create_party(&app, &admin(), &draft).await.unwrap()
    };
    for _ in 0..30 {
        let o = order(&app, big, "FIT", "1").await;
        invoice(&app, o).await;
        let o = order(&app, big, "CHAIR", "2").await;
        let ship = ShipInput {
            lines: ShipLines::Remaining,
            ship_date: "2026-03-02".into(),
            tracking_reference: String::new(),
        };
        fulfilment::ship_order(&app, &admin(), o, &ship)
            .await
            .unwrap();
    }
    let payment = PaymentInput {
        party_id: big.0,
        payment_date: "2026-03-05".into(),
        amount: "1000".into(),
        ..PaymentInput::default()
    };
    invoicing::record_payment(&app, &admin(), &payment)
        .await
        .unwrap();
    let reads = reads_for(&app, small).await;
    assert!(reads >= 8, "every section is read: {reads}");
    assert_eq!(reads, reads_for(&app, big).await);
    let view = customer_view(&app, &admin(), big).await.unwrap();
    assert_eq!(
        view.receivables.unwrap().recent.len(),
        usize::try_from(seam_app::customer_view::SECTION_ROWS).unwrap()
    );
}
