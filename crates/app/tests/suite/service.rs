//! The service desk on SQLite and (with `SEAM_TEST_PG_URL`) PostgreSQL: a
//! customer opens a ticket about an invoice in the portal, the agent answers
//! and escalates it to accounting, the accountant issues the credit note from
//! the ticket, and the customer sees it; who sees which ticket; refusals that
//! write nothing.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use seam_app::invoicing::{self, InvoiceInput};
use seam_app::sales::{self, LineInput, OrderInput};
use seam_app::service::{self, ListFilter, TicketInput};
use seam_app::users::{self, UserDraft};
use seam_app::{Actor, App, AppError, auth, parties, products};
use seam_domain::access::Role;
use seam_domain::ids::PartyId;
use seam_domain::party::PartyDraft;
use seam_domain::product::ProductDraft;
use seam_domain::service::{Queue, TicketDraft};

both_backends!(
    a_portal_ticket_is_escalated_to_accounting_and_resolved_with_a_credit_note,
    each_team_sees_its_queue_and_a_customer_only_their_own_public_thread,
    bad_tickets_and_illegal_moves_write_nothing,
);

fn admin() -> Actor {
    Actor::system("tester")
}

async fn login(app: &App, username: &str, roles: &[Role], party: Option<PartyId>) -> Actor {
    let draft = UserDraft {
        username: username.into(),
        display_name: username.into(),
        password: "velvet orchard 77 kite".into(),
        roles: roles.to_vec(),
        party_id: party.map(|p| p.0),
        ..UserDraft::default()
    };
    let id = users::add_user(app, &admin(), &draft).await.unwrap();
    let row = users::user(app, &admin(), id).await.unwrap();
    auth::actor_from_user(&row, None)
}

async fn customer(app: &App, name: &str) -> PartyId {
    let draft = PartyDraft {
        kind: "company".into(),
        name: name.into(),
        is_customer: true,
        email: format!("{}@example.com", name.to_lowercase().replace(' ', "")),
        ..PartyDraft::default()
    };
    parties::create_party(app, &admin(), &draft).await.unwrap()
}

/// A posted invoice of three hours' consulting for `party`; its number.
async fn posted_invoice(app: &App, party: PartyId) -> String {
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
    // The second customer's invoice finds the product already there.
    let _ = products::create_product(app, &admin(), &draft).await;
    let order = sales::create_order(
        app,
        &admin(),
        &OrderInput {
            customer: Some(party),
            order_date: "2026-03-01".into(),
            currency: String::new(),
            lines: vec![LineInput {
                product: "SVC-1".into(),
                qty: "3".into(),
                unit_price: String::new(),
            }],
        },
    )
    .await
    .unwrap();
    sales::confirm_order(app, &admin(), order, None)
        .await
        .unwrap();
    let id = invoicing::invoice_order(
        app,
        &admin(),
        order,
        &InvoiceInput {
            issue_date: "2026-03-02".into(),
            terms_days: "30".into(),
            note: String::new(),
        },
    )
    .await
    .unwrap();
    invoicing::post_invoice(app, &admin(), id)
        .await
        .unwrap()
        .number
}

fn about(subject: &str, invoice: &str) -> TicketInput {
    TicketInput {
        party_id: None,
        ticket: TicketDraft {
            subject: subject.into(),
            body: "We were billed three hours but the visit took two.".into(),
            ..TicketDraft::default()
        },
        invoice: invoice.into(),
        order: String::new(),
    }
}

async fn ticket_count(app: &App) -> usize {
    service::list(app, &admin(), &ListFilter::default(), None)
        .await
        .unwrap()
        .len()
}

async fn a_portal_ticket_is_escalated_to_accounting_and_resolved_with_a_credit_note(app: App) {
    let nordlicht = customer(&app, "Nordlicht").await;
    let invoice_number = posted_invoice(&app, nordlicht).await;
    let klaus = login(&app, "klaus", &[Role::Portal], Some(nordlicht)).await;
    let agent = login(&app, "agent", &[Role::Service], None).await;
    let accountant = login(&app, "accountant", &[Role::Accountant], None).await;

    let id = service::open_ticket(&app, &klaus, &about("Wrong hours", &invoice_number))
        .await
        .unwrap();
    let opened = service::ticket(&app, &agent, id).await.unwrap();
    assert_eq!(opened.ticket.queue, "service");
    assert_eq!(opened.ticket.channel, "portal");
    assert_eq!(opened.ticket.state, "open");
    assert!(opened.ticket.number.starts_with("TK-"));
    assert_eq!(
        opened.invoice.as_ref().unwrap().number.as_deref(),
        Some(invoice_number.as_str())
    );
    // Accounting does not see it while it waits at the service desk.
    assert!(matches!(
        service::ticket(&app, &accountant, id).await,
        Err(AppError::NotFound)
    ));

    service::reply(&app, &agent, id, "Checking with billing.", true)
        .await
        .unwrap();
    service::escalate(
        &app,
        &agent,
        id,
        "accounting",
        "Timesheet says 2 h; please credit.",
    )
    .await
    .unwrap();
    let escalated = service::ticket(&app, &accountant, id).await.unwrap();
    assert_eq!(escalated.ticket.queue, "accounting");
    assert_eq!(escalated.messages.len(), 3, "the thread is kept");
    let mine = service::list(
        &app,
        &accountant,
        &ListFilter {
            queue: Some(Queue::Accounting),
            ..ListFilter::default()
        },
        None,
    )
    .await
    .unwrap();
    assert_eq!(mine.iter().map(|t| t.id).collect::<Vec<_>>(), vec![id]);

    // The agent may not issue credit notes; the accountant may.
    assert!(matches!(
        service::credit_invoice_from_ticket(&app, &agent, id, "").await,
        Err(AppError::Forbidden)
    ));
    let credit = service::credit_invoice_from_ticket(&app, &accountant, id, "2 h not 3 h")
        .await
        .unwrap();
    let credit_row = invoicing::invoice(&app, &admin(), credit)
        .await
        .unwrap()
        .invoice;
    assert_eq!(credit_row.kind, "credit_note");
    // Posted, and at once settled against the invoice it credits.
    assert!(
        credit_row.number.is_some() && credit_row.state != "draft",
        "{credit_row:?}"
    );
    assert!(credit_row.note.contains("TK-"), "{}", credit_row.note);

    // The customer sees the credit note and the public thread, never the note to accounting.
    let seen = service::ticket(&app, &klaus, id).await.unwrap();
    assert_eq!(seen.ticket.state, "resolved");
    assert_eq!(seen.credit_notes.len(), 1);
    assert_eq!(seen.credit_notes[0].id, credit);
    assert!(seen.messages.iter().all(|m| m.public));
    assert!(!seen.messages.iter().any(|m| m.body.contains("Timesheet")));
    assert!(
        seen.messages
            .last()
            .unwrap()
            .body
            .contains(credit_row.number.as_deref().unwrap())
    );
    // The customer's reply reopens it; closing ends it for good.
    service::reply(&app, &klaus, id, "Thank you!", false)
        .await
        .unwrap();
    assert_eq!(
        service::ticket(&app, &agent, id)
            .await
            .unwrap()
            .ticket
            .state,
        "open"
    );
    service::close(&app, &klaus, id).await.unwrap();
    assert!(matches!(
        service::reply(&app, &agent, id, "One more thing", true).await,
        Err(AppError::Conflict("error-ticket-state"))
    ));
}

async fn each_team_sees_its_queue_and_a_customer_only_their_own_public_thread(app: App) {
    let a = customer(&app, "Alpha").await;
    let b = customer(&app, "Beta").await;
    let alice = login(&app, "alice", &[Role::Portal], Some(a)).await;
    let bob = login(&app, "bob", &[Role::Portal], Some(b)).await;
    let agent = login(&app, "agent", &[Role::Service], None).await;
    let clerk = login(&app, "clerk", &[Role::Warehouse], None).await;
    let hr = login(&app, "hr-officer", &[Role::Hr], None).await;

    let theirs = service::open_ticket(&app, &alice, &about("Parcel missing", ""))
        .await
        .unwrap();
    service::reply(
        &app,
        &agent,
        theirs,
        "Courier lost it, say nothing yet",
        false,
    )
    .await
    .unwrap();
    // Bob can neither read nor answer nor close Alice's ticket.
    assert!(matches!(
        service::ticket(&app, &bob, theirs).await,
        Err(AppError::NotFound)
    ));
    assert!(matches!(
        service::reply(&app, &bob, theirs, "hi", true).await,
        Err(AppError::NotFound)
    ));
    assert!(matches!(
        service::close(&app, &bob, theirs).await,
        Err(AppError::NotFound)
    ));
    assert!(
        service::list(&app, &bob, &ListFilter::default(), None)
            .await
            .unwrap()
            .is_empty()
    );
    // A customer cannot point a ticket at another customer's records.
    let b_invoice = posted_invoice(&app, b).await;
    match service::open_ticket(&app, &alice, &about("Peek", &b_invoice)).await {
        Err(AppError::Invalid(e)) => assert_eq!(e.for_field("invoice"), Some("error-ticket-link")),
        other => panic!("{other:?}"),
    }
    // Alice sees her public thread only.
    let hers = service::ticket(&app, &alice, theirs).await.unwrap();
    assert_eq!(hers.messages.len(), 1);
    // The warehouse sees it only once it is in the warehouse queue.
    assert!(matches!(
        service::ticket(&app, &clerk, theirs).await,
        Err(AppError::NotFound)
    ));
    service::escalate(&app, &agent, theirs, "warehouse", "Send a replacement")
        .await
        .unwrap();
    assert_eq!(
        service::ticket(&app, &clerk, theirs)
            .await
            .unwrap()
            .ticket
            .queue,
        "warehouse"
    );
    // A role with no queue has no desk at all.
    assert!(matches!(
        service::list(&app, &hr, &ListFilter::default(), None).await,
        Err(AppError::Forbidden)
    ));
}

async fn bad_tickets_and_illegal_moves_write_nothing(app: App) {
    let a = customer(&app, "Alpha").await;
    let agent = login(&app, "agent", &[Role::Service], None).await;
    let before = ticket_count(&app).await;
    let mut bad = about(" ", "INV-1999-000001");
    bad.ticket.body = String::new();
    bad.ticket.priority = "asap".into();
    match service::open_ticket(&app, &agent, &bad).await {
        Err(AppError::Invalid(e)) => {
            for field in ["party_id", "subject", "body", "priority"] {
                assert!(e.for_field(field).is_some(), "{field}: {e:?}");
            }
        }
        other => panic!("{other:?}"),
    }
    bad.party_id = Some(a.0);
    match service::open_ticket(&app, &agent, &bad).await {
        Err(AppError::Invalid(e)) => assert_eq!(e.for_field("invoice"), Some("error-ticket-link")),
        other => panic!("{other:?}"),
    }
    assert_eq!(ticket_count(&app).await, before, "nothing written");

    let mut good = about("Login broken", "");
    good.party_id = Some(a.0);
    let id = service::open_ticket(&app, &agent, &good).await.unwrap();
    match service::escalate(&app, &agent, id, "moon", "").await {
        Err(AppError::Invalid(e)) => {
            assert_eq!(e.for_field("queue"), Some("error-ticket-queue"));
            assert_eq!(e.for_field("note"), Some("error-required"));
        }
        other => panic!("{other:?}"),
    }
    assert!(matches!(
        service::reply(&app, &agent, id, "   ", true).await,
        Err(AppError::Invalid(_))
    ));
    assert!(matches!(
        service::credit_invoice_from_ticket(&app, &admin(), id, "").await,
        Err(AppError::Conflict("error-ticket-no-invoice"))
    ));
    let detail = service::ticket(&app, &agent, id).await.unwrap();
    assert_eq!(detail.messages.len(), 1);
    assert_eq!(detail.ticket.queue, "service");
    assert_eq!(detail.ticket.version, 1, "the refusals changed nothing");
}
