//! A ticket's e-mail, files and replacement shipments, on SQLite and (with
//! `SEAM_TEST_PG_URL`) PostgreSQL: e-mails thread by subject and by
//! In-Reply-To, are written once, lose their quoted text but keep the raw
//! message; bad messages and files write nothing; a customer sees only their
//! own tickets' public files; a replacement takes stock out at no charge and
//! is refused beyond what shipped or what is in stock.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use seam_app::fulfilment::{self, ReplacementInput, ShipInput, ShipLines};
use seam_app::sales::{self, LineInput, OrderInput};
use seam_app::service::{self, ListFilter, TicketInput, Upload};
use seam_app::stock::{self, MoveInput};
use seam_app::ticket_mail::{self, Outcome};
use seam_app::users::{self, UserDraft};
use seam_app::{Actor, App, AppError, auth, parties, products};
use seam_domain::access::Role;
use seam_domain::ids::{PartyId, ProductId};
use seam_domain::party::PartyDraft;
use seam_domain::product::ProductDraft;
use seam_domain::service::TicketDraft;
use seam_domain::service_mail::ATTACHMENT_BYTES_MAX;
use seam_domain::stock::MoveDraft;

both_backends!(
    an_email_threads_by_subject_and_by_in_reply_to_and_is_written_once,
    a_new_email_opens_a_ticket_for_the_customer_of_its_sender,
    malformed_or_unknown_mail_writes_nothing,
    files_are_checked_and_a_customer_sees_only_their_own_public_files,
    a_replacement_ships_at_no_charge_and_refuses_too_much,
    a_maildir_moves_what_it_ingested_and_leaves_what_failed,
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

async fn customer(app: &App, name: &str, email: &str) -> PartyId {
    let draft = PartyDraft {
        kind: "company".into(),
        name: name.into(),
        is_customer: true,
        email: email.into(),
        ..PartyDraft::default()
    };
    parties::create_party(app, &admin(), &draft).await.unwrap()
}

async fn ticket(app: &App, actor: &Actor, party: Option<PartyId>, order: &str) -> i64 {
    let input = TicketInput {
        party_id: party.map(|p| p.0),
        ticket: TicketDraft {
            subject: "Broken lid".into(),
            body: "The lid of the kettle arrived cracked.".into(),
            ..TicketDraft::default()
        },
        invoice: String::new(),
        order: order.into(),
    };
    service::open_ticket(app, actor, &input).await.unwrap()
}

fn email(from: &str, message_id: &str, subject: &str, extra: &str, body: &str) -> Vec<u8> {
    format!(
        "From: Ada Lind <{from}>\r\nTo: desk@example.com\r\nSubject: {subject}\r\n\
         Message-ID: <{message_id}>\r\n{extra}Date: Mon, 2 Nov 2026 10:00:00 +0000\r\n\
         Content-Type: text/plain; charset=utf-8\r\n\r\n{body}"
    )
    .into_bytes()
}

async fn message_count(app: &App) -> usize {
    let tickets = service::list(app, &admin(), &ListFilter::default(), None)
        .await
        .unwrap();
    let mut n = 0;
    for t in tickets {
        n += service::ticket(app, &admin(), t.id)
            .await
            .unwrap()
            .messages
            .len();
    }
    n
}

async fn an_email_threads_by_subject_and_by_in_reply_to_and_is_written_once(app: App) {
    let lind = customer(&app, "Lind", "ada@lind.example").await;
    let id = ticket(&app, &admin(), Some(lind), "").await;
    let number = service::ticket(&app, &admin(), id)
        .await
        .unwrap()
        .ticket
        .number;
    let gateway = admin();

    // By subject: the customer writes about the ticket by its number.
    let by_subject = email(
        "Ada@Lind.example",
        "m1@lind.example",
        &format!("Re: [{number}] Broken lid"),
        "",
        "Here is a photo.\r\n\r\nOn Mon, 2 Nov 2026 at 09:00, Desk <desk@example.com> wrote:\r\n> Can you send a photo?\r\n",
    );
    let first = ticket_mail::ingest(&app, &gateway, &by_subject)
        .await
        .unwrap();
    assert_eq!(first.outcome, Outcome::Threaded);
    assert_eq!(first.ticket_id, id);
    let detail = service::ticket(&app, &admin(), id).await.unwrap();
    let last = detail.messages.last().unwrap();
    assert_eq!(last.body, "Here is a photo.", "the quoted text is stripped");
    assert!(last.by_customer);
    // The raw message is kept whole beside the thread.
    let mail = detail.mail.iter().find(|m| m.direction == "in").unwrap();
    let (_, raw) = ticket_mail::raw_mail(&app, &admin(), mail.id)
        .await
        .unwrap();
    assert_eq!(raw, by_subject);

    // The same message again writes nothing.
    let before = message_count(&app).await;
    let again = ticket_mail::ingest(&app, &gateway, &by_subject)
        .await
        .unwrap();
    assert_eq!(again.outcome, Outcome::Duplicate);
    assert_eq!(again.ticket_id, id);
    assert_eq!(message_count(&app).await, before);

    // The agent answers publicly: the e-mail carries the number and a recorded Message-ID.
    service::reply(&app, &admin(), id, "Thanks, a new lid is coming.", true)
        .await
        .unwrap();
    service::resolve(&app, &admin(), id).await.unwrap();
    let detail = service::ticket(&app, &admin(), id).await.unwrap();
    let sent = detail.mail.iter().find(|m| m.direction == "out").unwrap();
    assert_eq!(sent.address, "ada@lind.example");
    let job = seam_store::jobs::list(&app.db, None, None, 10)
        .await
        .unwrap();
    // The reply's e-mail, not the rating link that resolving also queues.
    let payload = &job
        .iter()
        .find(|j| j.kind == "email" && !j.payload.contains("/csat/"))
        .unwrap()
        .payload;
    assert!(
        payload.contains(&format!("[{number}] Broken lid")),
        "{payload}"
    );
    assert!(payload.contains(&sent.message_id), "{payload}");
    assert!(
        payload.contains("m1@lind.example"),
        "it answers the customer's e-mail"
    );

    // By In-Reply-To, with a subject that names no ticket, from another
    // address: it threads, and reopens the resolved ticket.
    let by_reply = email(
        "someone.else@elsewhere.example",
        "m2@elsewhere.example",
        "Re: your message",
        &format!("In-Reply-To: <{}>\r\n", sent.message_id),
        "It fits, thank you.\r\n> Thanks, a new lid is coming.\r\n",
    );
    let second = ticket_mail::ingest(&app, &gateway, &by_reply)
        .await
        .unwrap();
    assert_eq!(second.outcome, Outcome::Threaded);
    assert_eq!(second.ticket_id, id);
    let detail = service::ticket(&app, &admin(), id).await.unwrap();
    assert_eq!(detail.ticket.state, "open", "a resolved ticket reopens");
    assert_eq!(detail.messages.last().unwrap().body, "It fits, thank you.");
}

async fn a_new_email_opens_a_ticket_for_the_customer_of_its_sender(app: App) {
    let lind = customer(&app, "Lind", "orders@lind.example").await;
    // A contact person of the company writes: the ticket is the company's.
    let person = PartyDraft {
        kind: "person".into(),
        name: "Ada Lind".into(),
        company_id: Some(lind.0),
        email: "ada@lind.example".into(),
        ..PartyDraft::default()
    };
    parties::create_party(&app, &admin(), &person)
        .await
        .unwrap();
    let message = email(
        "ada@lind.example",
        "new-1@lind.example",
        "Kettle leaks",
        "",
        "The kettle leaks at the bottom.",
    );
    let opened = ticket_mail::ingest(&app, &admin(), &message).await.unwrap();
    assert_eq!(opened.outcome, Outcome::Opened);
    let detail = service::ticket(&app, &admin(), opened.ticket_id)
        .await
        .unwrap();
    assert_eq!(detail.ticket.party_id, lind.0);
    assert_eq!(detail.ticket.channel, "email");
    assert_eq!(detail.ticket.subject, "Kettle leaks");
    assert_eq!(detail.messages[0].author_name, "Ada Lind");

    // A subject naming another customer's ticket does not thread it.
    let other = customer(&app, "Other", "other@other.example").await;
    let theirs = ticket(&app, &admin(), Some(other), "").await;
    let number = service::ticket(&app, &admin(), theirs)
        .await
        .unwrap()
        .ticket
        .number;
    let guess = email(
        "ada@lind.example",
        "new-2@lind.example",
        &format!("[{number}] hello"),
        "",
        "Trying my luck.",
    );
    let result = ticket_mail::ingest(&app, &admin(), &guess).await.unwrap();
    assert_eq!(result.outcome, Outcome::Opened);
    assert_ne!(result.ticket_id, theirs);
}

async fn malformed_or_unknown_mail_writes_nothing(app: App) {
    customer(&app, "Lind", "ada@lind.example").await;
    let before = message_count(&app).await;
    let err = |r: Result<ticket_mail::Ingested, AppError>| match r {
        Err(AppError::Invalid(e)) => e
            .iter()
            .map(|e| format!("{}:{}", e.field, e.code))
            .collect::<Vec<_>>(),
        other => panic!("expected field errors, got {other:?}"),
    };
    let garbage = err(ticket_mail::ingest(&app, &admin(), b"\x00\x01 not a message at all").await);
    assert!(
        garbage == ["message:error-mail-malformed"] || garbage == ["from:error-mail-no-sender"],
        "{garbage:?}"
    );
    let no_sender = b"Subject: hello\r\nMessage-ID: <x@y>\r\n\r\nbody";
    assert_eq!(
        err(ticket_mail::ingest(&app, &admin(), no_sender).await),
        ["from:error-mail-no-sender"]
    );
    assert_eq!(message_count(&app).await, before);
    // A stranger becomes a new customer with the ticket; their next mail
    // finds the same customer.
    let stranger = email("nobody@nowhere.example", "s@n", "Help", "", "Who am I?");
    let opened = ticket_mail::ingest(&app, &admin(), &stranger)
        .await
        .unwrap();
    let ticket = seam_app::service::ticket(&app, &admin(), opened.ticket_id)
        .await
        .unwrap();
    let party = seam_store::parties::party(&app.db, ticket.ticket.party_id)
        .await
        .unwrap()
        .unwrap();
    assert!(party.is_customer);
    assert_eq!(party.email.as_deref(), Some("nobody@nowhere.example"));
    assert!(
        ticket.sla.is_some(),
        "an e-mailed ticket runs its service clock"
    );
    let again = email("nobody@nowhere.example", "s2@n", "Another", "", "Me again");
    let second = ticket_mail::ingest(&app, &admin(), &again).await.unwrap();
    let second = seam_app::service::ticket(&app, &admin(), second.ticket_id)
        .await
        .unwrap();
    assert_eq!(second.ticket.party_id, party.id);
    // Without the permission, nothing is read.
    let agent = login(&app, "agent", &[Role::Service], None).await;
    assert!(matches!(
        ticket_mail::ingest(&app, &agent, &stranger).await,
        Err(AppError::Forbidden)
    ));
}

fn file(name: &str, content: &[u8]) -> Upload {
    Upload {
        file_name: name.into(),
        content: content.to_vec(),
    }
}

async fn files_are_checked_and_a_customer_sees_only_their_own_public_files(app: App) {
    let lind = customer(&app, "Lind", "ada@lind.example").await;
    let other = customer(&app, "Other", "other@other.example").await;
    let ada = login(&app, "ada", &[Role::Portal], Some(lind)).await;
    let olle = login(&app, "olle", &[Role::Portal], Some(other)).await;
    let agent = login(&app, "agent", &[Role::Service], None).await;
    let id = ticket(&app, &ada, None, "").await;
    let before = message_count(&app).await;

    // Too large: a field error, and neither the reply nor the file is written.
    let huge = vec![b'a'; ATTACHMENT_BYTES_MAX + 1];
    match service::reply_with(
        &app,
        &ada,
        id,
        "See attached.",
        true,
        &[file("big.txt", &huge)],
    )
    .await
    {
        Err(AppError::Invalid(e)) => {
            assert_eq!(
                e.for_field("attachments"),
                Some("error-attachment-too-large")
            )
        }
        other => panic!("{other:?}"),
    }
    // A program is refused too.
    let mut elf = b"\x7fELF\x02\x01\x01".to_vec();
    elf.resize(64, 0);
    match service::reply_with(&app, &ada, id, "Run this.", true, &[file("run", &elf)]).await {
        Err(AppError::Invalid(e)) => {
            assert_eq!(e.for_field("attachments"), Some("error-attachment-type"))
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(message_count(&app).await, before);

    // A photo from the customer, typed by its bytes, not its name.
    let png =
        b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00";
    service::reply_with(&app, &ada, id, "A photo.", true, &[file("../lid.jpg", png)])
        .await
        .unwrap();
    // An internal note with a file the customer must never see.
    service::reply_with(
        &app,
        &agent,
        id,
        "Supplier's reply.",
        false,
        &[file("supplier.txt", b"cost 4 EUR")],
    )
    .await
    .unwrap();
    let staff_view = service::ticket(&app, &agent, id).await.unwrap();
    assert_eq!(staff_view.attachments.len(), 2);
    let photo = staff_view.attachments.iter().find(|a| a.public).unwrap();
    assert_eq!(photo.file_name, "lid.jpg");
    assert_eq!(photo.content_type, "image/png");
    assert_eq!(photo.size_bytes, png.len() as i64);
    let note_file = staff_view.attachments.iter().find(|a| !a.public).unwrap();

    let (row, content) = ticket_mail::attachment(&app, &agent, photo.id)
        .await
        .unwrap();
    assert_eq!(content, png);
    assert_eq!(row.sha256.len(), 64);
    let portal_view = service::ticket(&app, &ada, id).await.unwrap();
    assert_eq!(
        portal_view.attachments.len(),
        1,
        "the note's file is left out"
    );
    assert!(ticket_mail::attachment(&app, &ada, photo.id).await.is_ok());
    assert!(matches!(
        ticket_mail::attachment(&app, &ada, note_file.id).await,
        Err(AppError::NotFound)
    ));
    assert!(matches!(
        ticket_mail::attachment(&app, &olle, photo.id).await,
        Err(AppError::NotFound)
    ));

    // An e-mail's attachment lands on the ticket too.
    let number = portal_view.ticket.number;
    let mime = format!(
        "From: ada@lind.example\r\nSubject: Re: [{number}] Broken lid\r\nMessage-ID: <att@lind.example>\r\n\
         MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=\"b\"\r\n\r\n--b\r\n\
         Content-Type: text/plain\r\n\r\nThe receipt.\r\n--b\r\nContent-Type: application/pdf; name=\"receipt.pdf\"\r\n\
         Content-Disposition: attachment; filename=\"receipt.pdf\"\r\nContent-Transfer-Encoding: base64\r\n\r\n\
         JVBERi0xLjQKJcfsj6IK\r\n--b--\r\n"
    );
    ticket_mail::ingest(&app, &admin(), mime.as_bytes())
        .await
        .unwrap();
    let portal_view = service::ticket(&app, &ada, id).await.unwrap();
    let receipt = portal_view
        .attachments
        .iter()
        .find(|a| a.file_name == "receipt.pdf")
        .expect("the e-mail's file");
    assert_eq!(receipt.content_type, "application/pdf");
}

async fn product(app: &App, sku: &str, kind: &str, cost: &str) -> ProductId {
    let draft = ProductDraft {
        sku: sku.into(),
        name: format!("{sku} name"),
        kind: kind.into(),
        unit: if kind == "goods" { "C62" } else { "HUR" }.into(),
        currency: "EUR".into(),
        list_price: "50.00".into(),
        standard_cost: cost.into(),
        tax_rate: "S25".into(),
        revenue_account: String::new(),
    };
    products::create_product(app, &admin(), &draft)
        .await
        .unwrap()
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

async fn level(app: &App, product: ProductId) -> (i64, i64) {
    let rows = stock::product_levels(app, &admin(), product).await.unwrap();
    rows.first()
        .map_or((0, 0), |r| (r.on_hand_qty, r.reserved_qty))
}

fn replace(lines: &[(i64, i64)]) -> ReplacementInput {
    ReplacementInput {
        lines: lines.to_vec(),
        tracking_reference: "TRK-R1".into(),
    }
}

fn field_errors(r: Result<fulfilment::Replacement, AppError>) -> Vec<String> {
    match r {
        Err(AppError::Invalid(e)) => e
            .iter()
            .map(|e| format!("{}:{}", e.field, e.code))
            .collect(),
        other => panic!("expected field errors, got {other:?}"),
    }
}

async fn a_replacement_ships_at_no_charge_and_refuses_too_much(app: App) {
    let kettle = product(&app, "KETTLE", "goods", "20.00").await;
    product(&app, "SETUP", "service", "0").await;
    receive(&app, "KETTLE", "5").await;
    let lind = customer(&app, "Lind", "ada@lind.example").await;
    let input = OrderInput {
        customer: Some(lind),
        order_date: "2026-03-02".into(),
        currency: String::new(),
        lines: vec![
            LineInput {
                product: "KETTLE".into(),
                qty: "3".into(),
                unit_price: String::new(),
            },
            LineInput {
                product: "SETUP".into(),
                qty: "1".into(),
                unit_price: String::new(),
            },
        ],
    };
    let order = sales::create_order(&app, &admin(), &input).await.unwrap();
    sales::confirm_order(&app, &admin(), order, None)
        .await
        .unwrap();
    fulfilment::ship_order(
        &app,
        &admin(),
        order,
        &ShipInput {
            lines: ShipLines::These(vec![(1, 2)]),
            ship_date: "2026-03-03".into(),
            tracking_reference: String::new(),
        },
    )
    .await
    .unwrap();
    assert_eq!(level(&app, kettle).await, (3, 1));
    let order_number = sales::order_detail(&app, &admin(), order)
        .await
        .unwrap()
        .order
        .number
        .unwrap();
    let id = ticket(&app, &admin(), Some(lind), &order_number).await;
    let warehouse = login(&app, "wim", &[Role::Warehouse], None).await;
    service::escalate(&app, &admin(), id, "warehouse", "Two kettles broke.")
        .await
        .unwrap();
    let before = message_count(&app).await;

    // Beyond what shipped, a service line, nothing: field errors, nothing written.
    assert_eq!(
        field_errors(service::replace_from_ticket(&app, &warehouse, id, &replace(&[(1, 3)])).await),
        ["lines[1].qty:error-replace-too-much"]
    );
    assert_eq!(
        field_errors(
            service::replace_from_ticket(&app, &warehouse, id, &replace(&[(1, 1), (2, 1), (9, 1)]))
                .await
        ),
        [
            "lines[2].line_no:error-replace-not-goods",
            "lines[3].line_no:error-unknown-order-line"
        ]
    );
    assert_eq!(
        field_errors(service::replace_from_ticket(&app, &warehouse, id, &replace(&[])).await),
        ["lines:error-replace-nothing"]
    );
    // A service agent may not ship.
    let agent = login(&app, "agent", &[Role::Service], None).await;
    assert!(matches!(
        service::replace_from_ticket(&app, &agent, id, &replace(&[(1, 1)])).await,
        Err(AppError::Forbidden)
    ));

    // Two replaced: stock leaves, the order's own shipped quantity stays.
    let sent = service::replace_from_ticket(&app, &warehouse, id, &replace(&[(1, 2)]))
        .await
        .unwrap();
    assert!(sent.shipment.number.starts_with("SH-"));
    assert_eq!(sent.shipment.replacement_ticket_id, Some(id));
    assert!(sent.entry_number.is_some(), "the goods' cost is booked");
    assert_eq!(
        level(&app, kettle).await,
        (1, 1),
        "the order's own reservation stays"
    );
    let progress = fulfilment::progress(&app, &admin(), order).await.unwrap();
    assert_eq!(
        progress[0].shipped, 2,
        "a replacement is not the order's delivery"
    );
    let detail = service::ticket(&app, &admin(), id).await.unwrap();
    assert_eq!(detail.replacements.len(), 1);
    assert_eq!(detail.ticket.state, "pending");
    assert!(
        detail
            .messages
            .last()
            .unwrap()
            .body
            .contains(&sent.shipment.number)
    );
    assert_eq!(message_count(&app).await, before + 1);
    let timeline = seam_store::events::events_of(&app.db, "sales_order", &order.0.to_string(), 50)
        .await
        .unwrap();
    assert!(timeline.iter().any(|e| e.action == "replacement"));

    // Nothing more to replace of that line; and beyond stock.
    assert_eq!(
        field_errors(service::replace_from_ticket(&app, &warehouse, id, &replace(&[(1, 1)])).await),
        ["lines[1].qty:error-replace-too-much"]
    );
    fulfilment::ship_order(
        &app,
        &admin(),
        order,
        &ShipInput {
            lines: ShipLines::Remaining,
            ship_date: "2026-03-04".into(),
            tracking_reference: String::new(),
        },
    )
    .await
    .unwrap();
    assert_eq!(level(&app, kettle).await, (0, 0));
    assert_eq!(
        field_errors(service::replace_from_ticket(&app, &warehouse, id, &replace(&[(1, 1)])).await),
        ["lines[1].qty:error-stock-insufficient"]
    );
    assert_eq!(level(&app, kettle).await, (0, 0));
}

async fn a_maildir_moves_what_it_ingested_and_leaves_what_failed(app: App) {
    customer(&app, "Lind", "ada@lind.example").await;
    let dir = std::env::temp_dir().join(format!("seam-maildir-{}", rand_suffix()));
    for sub in ["new", "cur", "tmp"] {
        std::fs::create_dir_all(dir.join(sub)).unwrap();
    }
    std::fs::write(
        dir.join("new/1.good"),
        email(
            "ada@lind.example",
            "md-1@lind.example",
            "Hello",
            "",
            "First.",
        ),
    )
    .unwrap();
    // A message without a sender fails; the others go on.
    std::fs::write(
        dir.join("new/2.broken"),
        b"Subject: hello\r\nMessage-ID: <md-2@x>\r\n\r\nWho?",
    )
    .unwrap();
    let report = ticket_mail::ingest_maildir(&app, &admin(), &dir)
        .await
        .unwrap();
    assert_eq!(report.ingested.len(), 1);
    assert_eq!(report.failed.len(), 1);
    assert_eq!(report.failed[0].0, "2.broken");
    assert!(dir.join("cur/1.good:2,S").is_file());
    assert!(dir.join("new/2.broken").is_file());
    assert!(!dir.join("new/1.good").exists());
    std::fs::remove_dir_all(&dir).unwrap();
}

fn rand_suffix() -> String {
    format!(
        "{}-{}",
        std::process::id(),
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_nanos()
    )
}
