//! The customer portal on SQLite and (with `SEAM_TEST_PG_URL`) PostgreSQL:
//! a customer sees their own orders, issued documents and payments, never
//! another customer's and never a draft, and edits only their own details.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use seam_app::fulfilment::{self, ShipInput, ShipLines};
use seam_app::invoicing::{self, InvoiceInput, PaymentInput};
use seam_app::portal::{self, DetailsInput};
use seam_app::sales::{self, LineInput, OrderInput};
use seam_app::stock::{self, MoveInput};
use seam_app::{Actor, App, AppError, UserKind, parties, products};
use seam_domain::access::{Grants, Role};
use seam_domain::ids::{PartyId, SalesOrderId};
use seam_domain::party::PartyDraft;
use seam_domain::product::ProductDraft;
use seam_domain::stock::MoveDraft;

both_backends!(
    a_customer_sees_only_their_own_records,
    drafts_are_never_shown_to_a_customer,
    a_customer_edits_only_their_own_contact_details,
    staff_and_portal_permissions_do_not_mix,
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

fn customer(party: PartyId) -> Actor {
    Actor {
        kind: UserKind::Portal,
        roles: vec![Role::Portal],
        grants: Grants::for_roles(&[Role::Portal]),
        party_id: Some(party),
        ..Actor::system(&format!("portal-{}", party.0))
    }
}

struct Records {
    party: PartyId,
    order: SalesOrderId,
    invoice: i64,
    payment: i64,
}

async fn customer_with_records(app: &App, name: &str) -> Records {
    let party = setup(app, name).await;
    let o = order(app, party, "CHAIR", "4").await;
    let ship = ShipInput {
        lines: ShipLines::These(vec![(1, 1)]),
        ship_date: "2026-03-02".into(),
        tracking_reference: format!("TRACK-{name}"),
    };
    fulfilment::ship_order(app, &admin(), o, &ship)
        .await
        .unwrap();
    let inv = invoice(app, o).await;
    let payment = PaymentInput {
        party_id: party.0,
        payment_date: "2026-03-05".into(),
        amount: "50".into(),
        ..PaymentInput::default()
    };
    let paid = invoicing::record_payment(app, &admin(), &payment)
        .await
        .unwrap();
    Records {
        party,
        order: o,
        invoice: inv,
        payment: paid.id,
    }
}

async fn a_customer_sees_only_their_own_records(app: App) {
    let a = customer_with_records(&app, "Alpha").await;
    let b = customer_with_records(&app, "Beta").await;
    let alice = customer(a.party);

    let overview = portal::overview(&app, &alice).await.unwrap();
    assert_eq!(overview.party.id, a.party.0);
    assert_eq!(overview.recent_orders.len(), 1);
    assert_eq!(overview.recent_orders[0].order.id, a.order.0);
    assert_eq!(overview.recent_orders[0].fulfilment(), "partly");
    assert_eq!(overview.open_invoices.len(), 1);
    assert_eq!(overview.open_invoices[0].invoice.id, a.invoice);
    assert_eq!(overview.balances[0].due_minor, 12_500 - 5_000);

    let (orders, _) = portal::my_orders(&app, &alice, None, 50).await.unwrap();
    assert_eq!(
        orders.iter().map(|o| o.order.id).collect::<Vec<_>>(),
        [a.order.0]
    );
    let mine = portal::my_order(&app, &alice, a.order.0).await.unwrap();
    assert_eq!(mine.lines[0].shipped_qty, 1);
    assert_eq!(mine.shipments[0].tracking_reference, "TRACK-Alpha");
    assert_eq!(mine.fulfilment(), "partly");
    let (invoices, _) = portal::my_invoices(&app, &alice, None, 50).await.unwrap();
    assert_eq!(
        invoices.iter().map(|i| i.id).collect::<Vec<_>>(),
        [a.invoice]
    );
    let detail = portal::my_invoice(&app, &alice, a.invoice).await.unwrap();
    assert_eq!(detail.invoice.party_id, a.party.0);
    assert!(detail.journal_entry_number.is_none());
    let pdf = portal::my_invoice_pdf(&app, &alice, a.invoice)
        .await
        .unwrap();
    assert!(pdf.starts_with(b"%PDF"));
    let (payments, _) = portal::my_payments(&app, &alice, None, 50).await.unwrap();
    assert_eq!(
        payments.iter().map(|p| p.id).collect::<Vec<_>>(),
        [a.payment]
    );

    // Another customer's ids answer as if they did not exist.
    let not_found =
        |r: Result<(), AppError>| assert!(matches!(r, Err(AppError::NotFound)), "{r:?}");
    not_found(portal::my_order(&app, &alice, b.order.0).await.map(|_| ()));
    not_found(
        portal::my_invoice(&app, &alice, b.invoice)
            .await
            .map(|_| ()),
    );
    not_found(
        portal::my_invoice_pdf(&app, &alice, b.invoice)
            .await
            .map(|_| ()),
    );
    not_found(
        portal::my_invoice_ubl(&app, &alice, b.invoice)
            .await
            .map(|_| ()),
    );
    not_found(portal::my_order(&app, &alice, 999_999).await.map(|_| ()));
}

async fn drafts_are_never_shown_to_a_customer(app: App) {
    let party = setup(&app, "Gamma").await;
    let input = OrderInput {
        customer: Some(party),
        order_date: "2026-03-01".into(),
        currency: String::new(),
        lines: vec![LineInput {
            product: "FIT".into(),
            qty: "1".into(),
            unit_price: String::new(),
        }],
    };
    let draft_order = sales::create_order(&app, &admin(), &input).await.unwrap();
    let confirmed = order(&app, party, "FIT", "1").await;
    let terms = InvoiceInput {
        issue_date: "2026-03-02".into(),
        terms_days: "10".into(),
        note: String::new(),
    };
    let draft_invoice = invoicing::invoice_order(&app, &admin(), confirmed, &terms)
        .await
        .unwrap();
    let me = customer(party);
    let (orders, _) = portal::my_orders(&app, &me, None, 50).await.unwrap();
    assert_eq!(
        orders.iter().map(|o| o.order.id).collect::<Vec<_>>(),
        [confirmed.0]
    );
    assert!(matches!(
        portal::my_order(&app, &me, draft_order.0).await,
        Err(AppError::NotFound)
    ));
    let (invoices, _) = portal::my_invoices(&app, &me, None, 50).await.unwrap();
    assert!(invoices.is_empty());
    assert!(matches!(
        portal::my_invoice(&app, &me, draft_invoice).await,
        Err(AppError::NotFound)
    ));
    assert!(
        portal::overview(&app, &me)
            .await
            .unwrap()
            .open_invoices
            .is_empty()
    );
}

async fn a_customer_edits_only_their_own_contact_details(app: App) {
    let a = setup(&app, "Alpha").await;
    let draft = PartyDraft {
        kind: "company".into(),
        name: "Beta".into(),
        email: "office@beta.example".into(),
        is_customer: true,
        ..PartyDraft::default()
    };
    let b = parties::create_party(&app, &admin(), &draft).await.unwrap();
    let alice = customer(a);
    let before = portal::overview(&app, &alice).await.unwrap().party;
    let input = DetailsInput {
        email: "billing@alpha.example".into(),
        phone: "+49 30 1234".into(),
        street: "Hauptstr. 1".into(),
        postal_code: "10115".into(),
        city: "Berlin".into(),
        country: "de".into(),
    };
    portal::update_my_details(&app, &alice, before.version, &input)
        .await
        .unwrap();
    let after = parties::party(&app, &admin(), a).await.unwrap();
    assert_eq!(after.email.as_deref(), Some("billing@alpha.example"));
    assert_eq!(after.country.as_deref(), Some("DE"));
    assert_eq!(after.name, "Alpha", "the name stays with the staff");
    let other = parties::party(&app, &admin(), b).await.unwrap();
    assert_eq!(other.email.as_deref(), Some("office@beta.example"));
    assert_eq!(other.version, 1);

    // A stale version and a bad e-mail change nothing.
    let stale = portal::update_my_details(&app, &alice, before.version, &input).await;
    assert!(
        matches!(stale, Err(AppError::Conflict("error-stale"))),
        "{stale:?}"
    );
    let bad = DetailsInput {
        email: "not an address".into(),
        ..input.clone()
    };
    match portal::update_my_details(&app, &alice, after.version, &bad).await {
        Err(AppError::Invalid(errors)) => {
            assert!(errors.for_field("email").is_some(), "{errors:?}")
        }
        other => panic!("{other:?}"),
    }
    let unchanged = parties::party(&app, &admin(), a).await.unwrap();
    assert_eq!(unchanged.version, after.version);
    let timeline = parties::party_detail(&app, &admin(), a)
        .await
        .unwrap()
        .timeline;
    assert!(
        timeline
            .iter()
            .any(|e| e.action == "update" && e.actor_name == format!("portal-{}", a.0)),
        "{timeline:?}"
    );
}

async fn staff_and_portal_permissions_do_not_mix(app: App) {
    let r = customer_with_records(&app, "Alpha").await;
    let me = customer(r.party);
    assert!(matches!(
        invoicing::invoice(&app, &me, r.invoice).await,
        Err(AppError::Forbidden)
    ));
    // Staff without a party of their own have no portal to see.
    assert!(portal::overview(&app, &admin()).await.is_err());
}
