//! The customer portal through the router, on both backends: every route
//! under `/portal` and `/api/v1/portal` shows a customer only their own
//! records, answers another customer's ids with 404, never shows a draft,
//! and lets a customer edit only their own details.

use axum::http::{Method, StatusCode};
use seam_app::fulfilment::{self, ShipInput, ShipLines};
use seam_app::invoicing::{self, InvoiceInput, PaymentInput};
use seam_app::sales::{self, LineInput, OrderInput};
use seam_app::stock::{self, MoveInput};
use seam_app::{Actor, App, parties, products};
use seam_domain::access::Role;
use seam_domain::ids::{PartyId, SalesOrderId};
use seam_domain::party::PartyDraft;
use seam_domain::product::ProductDraft;
use seam_domain::stock::MoveDraft;
use seam_web::routes::routes;

use crate::common::{Backend, Client, Env, env};

crate::both_backends!(
    every_portal_route_shows_a_customer_only_their_own_records,
    a_portal_login_starts_at_its_portal_and_is_refused_staff_pages,
);

fn admin() -> Actor {
    Actor::system("tester")
}

async fn products_in_stock(app: &App) {
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
        products::create_product(app, &admin(), &draft)
            .await
            .unwrap();
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
}

async fn confirmed_order(app: &App, party: PartyId) -> SalesOrderId {
    let input = OrderInput {
        customer: Some(party),
        order_date: "2026-03-01".into(),
        currency: String::new(),
        lines: vec![LineInput {
            product: "CHAIR".into(),
            qty: "4".into(),
            unit_price: String::new(),
        }],
    };
    let id = sales::create_order(app, &admin(), &input).await.unwrap();
    sales::confirm_order(app, &admin(), id, None).await.unwrap();
    id
}

/// One customer's records, with the numbers their pages show.
struct Customer {
    party: i64,
    name: String,
    order: i64,
    order_number: String,
    invoice: i64,
    invoice_number: String,
    draft_invoice: i64,
    payment_number: String,
    /// A request about the invoice, with an internal note the customer must not see.
    ticket: i64,
    ticket_number: String,
    client: Client,
}

/// A customer with a shipped order, a posted invoice, a draft invoice, a
/// payment and a portal login.
async fn customer(env: &Env, name: &str) -> Customer {
    let app = &env.app;
    let draft = PartyDraft {
        kind: "company".into(),
        name: name.into(),
        email: format!("office@{}.example", name.to_lowercase()),
        is_customer: true,
        ..PartyDraft::default()
    };
    let party = parties::create_party(app, &admin(), &draft).await.unwrap();
    let order = confirmed_order(app, party).await;
    let ship = ShipInput {
        lines: ShipLines::These(vec![(1, 1)]),
        ship_date: "2026-03-02".into(),
        tracking_reference: format!("TRACK-{name}"),
    };
    fulfilment::ship_order(app, &admin(), order, &ship)
        .await
        .unwrap();
    let terms = InvoiceInput {
        issue_date: "2026-03-02".into(),
        terms_days: "10".into(),
        note: String::new(),
    };
    let invoice = invoicing::invoice_order(app, &admin(), order, &terms)
        .await
        .unwrap();
    invoicing::post_invoice(app, &admin(), invoice)
        .await
        .unwrap();
    let second = confirmed_order(app, party).await;
    fulfilment::ship_order(app, &admin(), second, &ship)
        .await
        .unwrap();
    let draft_invoice = invoicing::invoice_order(app, &admin(), second, &terms)
        .await
        .unwrap();
    let payment = PaymentInput {
        party_id: party.0,
        payment_date: "2026-03-05".into(),
        amount: "50".into(),
        ..PaymentInput::default()
    };
    let paid = invoicing::record_payment(app, &admin(), &payment)
        .await
        .unwrap();
    let order_number = sales::order_detail(app, &admin(), order)
        .await
        .unwrap()
        .order
        .number
        .unwrap();
    let invoice_number = invoicing::invoice(app, &admin(), invoice)
        .await
        .unwrap()
        .invoice
        .number
        .unwrap();
    let request = seam_app::service::TicketInput {
        party_id: Some(party.0),
        ticket: seam_domain::service::TicketDraft {
            subject: format!("Question from {name}"),
            body: "Is the invoice right?".into(),
            ..Default::default()
        },
        invoice: invoice_number.clone(),
        order: String::new(),
    };
    let ticket = seam_app::service::open_ticket(app, &admin(), &request)
        .await
        .unwrap();
    seam_app::service::reply(app, &admin(), ticket, &format!("NOTE-{name}"), false)
        .await
        .unwrap();
    let ticket_number = seam_app::service::ticket(app, &admin(), ticket)
        .await
        .unwrap()
        .ticket
        .number;
    let login = format!("portal-{}", name.to_lowercase());
    env.user(&login, &[Role::Portal], Some(party.0)).await;
    Customer {
        ticket,
        ticket_number,
        party: party.0,
        name: name.to_owned(),
        order: order.0,
        order_number,
        invoice,
        invoice_number,
        draft_invoice,
        payment_number: paid.number,
        client: env.logged_in(&login).await,
    }
}

/// Every portal route: pages and API, as the route table declares them.
fn portal_routes() -> Vec<(Method, &'static str)> {
    routes()
        .into_iter()
        .filter(|r| r.path.starts_with("/portal") || r.path.starts_with("/api/v1/portal"))
        .map(|r| (r.method, r.path))
        .collect()
}

async fn every_portal_route_shows_a_customer_only_their_own_records(backend: Backend) {
    let Some(env) = env(backend).await else {
        return;
    };
    products_in_stock(&env.app).await;
    let mut a = customer(&env, "Alpha").await;
    let b = customer(&env, "Beta").await;
    let kb = help_articles(&env.app).await;
    let table = portal_routes();
    assert!(table.len() >= 19, "{table:?}");
    for (method, path) in table {
        let is_api = path.starts_with("/api/");
        match (method.as_str(), path) {
            ("GET", "/portal/tickets") => {
                let page = a.client.get(path).await;
                assert_eq!(page.status, StatusCode::OK, "{path}: {}", page.body);
                assert!(page.body.contains(&a.ticket_number), "{path}");
                assert!(!page.body.contains(&b.ticket_number), "{path} hides B's");
            }
            ("GET", "/portal/tickets/{id}") => {
                let own = a
                    .client
                    .get(&path.replace("{id}", &a.ticket.to_string()))
                    .await;
                assert_eq!(own.status, StatusCode::OK, "{path}: {}", own.body);
                assert!(own.body.contains(&a.ticket_number), "{path}");
                assert!(
                    !own.body.contains("NOTE-Alpha"),
                    "{path}: an internal note leaked"
                );
                let other = a
                    .client
                    .get(&path.replace("{id}", &b.ticket.to_string()))
                    .await;
                assert_eq!(other.status, StatusCode::NOT_FOUND, "{path} of B");
                assert!(!other.body.contains(&b.ticket_number));
            }
            ("POST", "/portal/tickets") => {
                let bad = a
                    .client
                    .post_form(path, &[("subject", ""), ("body", "kept text")])
                    .await;
                assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
                assert!(bad.body.contains("kept text") && bad.body.contains("f-subject-error"));
                let smuggled = a
                    .client
                    .post_form(
                        path,
                        &[
                            ("subject", "Peek"),
                            ("body", "x"),
                            ("invoice", &b.invoice_number),
                        ],
                    )
                    .await;
                assert_eq!(
                    smuggled.status,
                    StatusCode::UNPROCESSABLE_ENTITY,
                    "B's invoice"
                );
                let opened = a
                    .client
                    .post_form(
                        path,
                        &[
                            ("subject", "Another"),
                            ("body", "x"),
                            ("party_id", &b.party.to_string()),
                        ],
                    )
                    .await;
                assert_eq!(opened.status, StatusCode::SEE_OTHER);
                let id: i64 = opened
                    .location()
                    .rsplit('/')
                    .next()
                    .unwrap()
                    .parse()
                    .unwrap();
                let row = seam_app::service::ticket(&env.app, &admin(), id)
                    .await
                    .unwrap();
                assert_eq!(
                    row.ticket.party_id, a.party,
                    "opened for the login's own party"
                );
            }
            ("POST", "/portal/tickets/{id}/reply" | "/portal/tickets/{id}/close") => {
                let other = a
                    .client
                    .post_form(
                        &path.replace("{id}", &b.ticket.to_string()),
                        &[("body", "hi")],
                    )
                    .await;
                assert_eq!(other.status, StatusCode::NOT_FOUND, "{path} of B");
                let own = a
                    .client
                    .post_form(
                        &path.replace("{id}", &a.ticket.to_string()),
                        &[("body", "hi")],
                    )
                    .await;
                assert_eq!(own.status, StatusCode::SEE_OTHER, "{path}: {}", own.body);
            }
            ("GET", "/portal/kb") => {
                for query in ["", "?q=paying", "?q=cheque", "?q=refunds"] {
                    let page = a.client.get(&format!("{path}{query}")).await;
                    assert_eq!(page.status, StatusCode::OK, "{path}{query}: {}", page.body);
                    assert_eq!(
                        page.body.contains("Paying by card"),
                        query != "?q=cheque" && query != "?q=refunds",
                        "{path}{query}"
                    );
                    assert!(
                        !page.body.contains("Paying by cheque"),
                        "{path}{query}: a draft"
                    );
                    assert!(
                        !page.body.contains("Paying refunds"),
                        "{path}{query}: internal"
                    );
                }
            }
            ("GET", "/portal/kb/{id}") => {
                let public = a
                    .client
                    .get(&path.replace("{id}", &kb.public.to_string()))
                    .await;
                assert_eq!(public.status, StatusCode::OK, "{path}: {}", public.body);
                assert!(public.body.contains("We take cards."), "{path}");
                for hidden in [kb.draft, kb.internal] {
                    let page = a
                        .client
                        .get(&path.replace("{id}", &hidden.to_string()))
                        .await;
                    assert_eq!(page.status, StatusCode::NOT_FOUND, "{path} of {hidden}");
                    assert!(!page.body.contains("Paying"), "{path}");
                }
            }
            ("POST", "/portal/tickets/{id}/rating") => {
                let mine = seam_app::service::open_ticket(
                    &env.app,
                    &admin(),
                    &seam_app::service::TicketInput {
                        party_id: Some(a.party),
                        ticket: seam_domain::service::TicketDraft {
                            subject: "To rate".into(),
                            body: "Please help.".into(),
                            ..Default::default()
                        },
                        invoice: String::new(),
                        order: String::new(),
                    },
                )
                .await
                .unwrap();
                let rate = |id: i64| path.replace("{id}", &id.to_string());
                let open = a.client.post_form(&rate(mine), &[("rating", "5")]).await;
                assert_eq!(open.status, StatusCode::UNPROCESSABLE_ENTITY, "open");
                assert!(open.body.contains("f-rating-error"), "{}", open.body);
                seam_app::service::resolve(&env.app, &admin(), mine)
                    .await
                    .unwrap();
                let other = a
                    .client
                    .post_form(&rate(b.ticket), &[("rating", "1")])
                    .await;
                assert_eq!(other.status, StatusCode::NOT_FOUND, "{path} of B");
                let bad = a
                    .client
                    .post_form(&rate(mine), &[("rating", "6"), ("comment", "kept words")])
                    .await;
                assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
                assert!(bad.body.contains("kept words") && bad.body.contains("f-rating-error"));
                let rated = a
                    .client
                    .post_form(&rate(mine), &[("rating", "4"), ("comment", "Quick")])
                    .await;
                assert_eq!(rated.status, StatusCode::SEE_OTHER, "{}", rated.body);
                let twice = a.client.post_form(&rate(mine), &[("rating", "5")]).await;
                assert_eq!(twice.status, StatusCode::UNPROCESSABLE_ENTITY, "twice");
                let page = a.client.get(&format!("/portal/tickets/{mine}")).await;
                assert!(page.body.contains("You rated this request 4 out of 5."));
                let row = seam_app::service::ticket(&env.app, &admin(), mine)
                    .await
                    .unwrap();
                assert_eq!(row.rating.unwrap().rating, 4, "rated once, as first sent");
            }
            ("GET", "/portal/attachments/{id}") => {
                let file = |name: &str, text: &str| seam_app::service::Upload {
                    file_name: name.into(),
                    content: text.as_bytes().to_vec(),
                };
                let attach = |ticket: i64, public: bool, name: &'static str, text: &'static str| {
                    let app = env.app.clone();
                    let upload = file(name, text);
                    async move {
                        seam_app::service::reply_with(
                            &app,
                            &admin(),
                            ticket,
                            "See the file.",
                            public,
                            &[upload],
                        )
                        .await
                        .unwrap();
                        let detail = seam_app::service::ticket(&app, &admin(), ticket)
                            .await
                            .unwrap();
                        detail
                            .attachments
                            .iter()
                            .find(|f| f.file_name == name)
                            .unwrap()
                            .id
                    }
                };
                // Fresh tickets: the walk may have closed the first ones.
                let fresh = |party: i64| {
                    let app = env.app.clone();
                    async move {
                        let input = seam_app::service::TicketInput {
                            party_id: Some(party),
                            ticket: seam_domain::service::TicketDraft {
                                subject: "Files".into(),
                                body: "With files.".into(),
                                ..Default::default()
                            },
                            ..Default::default()
                        };
                        seam_app::service::open_ticket(&app, &admin(), &input)
                            .await
                            .unwrap()
                    }
                };
                let (mine, other_ticket) = (fresh(a.party).await, fresh(b.party).await);
                let own = attach(mine, true, "alpha-photo.txt", "FILE-Alpha").await;
                let note = attach(mine, false, "alpha-note.txt", "NOTE-FILE-Alpha").await;
                let theirs = attach(other_ticket, true, "beta-photo.txt", "FILE-Beta").await;
                let page = a.client.get(&path.replace("{id}", &own.to_string())).await;
                assert_eq!(page.status, StatusCode::OK, "{path}: {}", page.body);
                assert_eq!(page.body, "FILE-Alpha");
                assert!(
                    page.headers
                        .get("content-disposition")
                        .unwrap()
                        .to_str()
                        .unwrap()
                        .starts_with("attachment;")
                );
                for hidden in [note, theirs] {
                    let other = a
                        .client
                        .get(&path.replace("{id}", &hidden.to_string()))
                        .await;
                    assert_eq!(other.status, StatusCode::NOT_FOUND, "{path} of {hidden}");
                    assert!(!other.body.contains("FILE-"), "{path}");
                }
                let thread = a.client.get(&format!("/portal/tickets/{mine}")).await;
                assert!(
                    thread.body.contains("alpha-photo.txt"),
                    "the file is listed"
                );
                assert!(
                    !thread.body.contains("alpha-note.txt"),
                    "a note's file is not"
                );
            }
            ("GET", _) if path.ends_with("/orders/{id}") => {
                let own = a
                    .client
                    .get(&path.replace("{id}", &a.order.to_string()))
                    .await;
                assert_eq!(own.status, StatusCode::OK, "{path}: {}", own.body);
                assert!(own.body.contains(&a.order_number), "{path}");
                assert!(own.body.contains("TRACK-Alpha"), "{path}: tracking shown");
                let other = a
                    .client
                    .get(&path.replace("{id}", &b.order.to_string()))
                    .await;
                assert_eq!(other.status, StatusCode::NOT_FOUND, "{path} of B");
                assert!(!other.body.contains(&b.order_number));
            }
            ("GET", _) if path.contains("/invoices/{id}") => {
                let own = a
                    .client
                    .get(&path.replace("{id}", &a.invoice.to_string()))
                    .await;
                if path.ends_with("/ubl") {
                    // The demo-less company profile may lack what an e-invoice needs.
                    assert!(
                        matches!(own.status.as_u16(), 200 | 422),
                        "{path}: {} {}",
                        own.status,
                        own.body
                    );
                } else {
                    assert_eq!(own.status, StatusCode::OK, "{path}: {}", own.body);
                }
                if path.ends_with("/pdf") {
                    assert!(own.body.starts_with("%PDF"), "{path}");
                } else if !path.ends_with("/ubl") {
                    assert!(own.body.contains(&a.invoice_number), "{path}");
                }
                for id in [b.invoice, a.draft_invoice, b.draft_invoice] {
                    let hidden = a.client.get(&path.replace("{id}", &id.to_string())).await;
                    assert_eq!(hidden.status, StatusCode::NOT_FOUND, "{path} of {id}");
                    assert!(!hidden.body.contains(&b.invoice_number), "{path}");
                    if is_api {
                        assert!(hidden.content_type().contains("problem+json"), "{path}");
                    }
                }
            }
            ("GET", _) => {
                let page = a.client.get(path).await;
                assert_eq!(page.status, StatusCode::OK, "{path}: {}", page.body);
                let own: Vec<&str> = if path.ends_with("/orders") {
                    vec![&a.order_number]
                } else if path.ends_with("/invoices") {
                    vec![&a.invoice_number]
                } else if path.ends_with("/payments") {
                    vec![&a.payment_number]
                } else if path.ends_with("/details") {
                    vec!["office@alpha.example"]
                } else {
                    // The overview: the party, its open invoice and recent order.
                    vec![&a.name, &a.invoice_number, &a.order_number]
                };
                for text in own {
                    assert!(page.body.contains(text), "{path} shows {text}");
                }
                for text in [
                    b.name.as_str(),
                    &b.order_number,
                    &b.invoice_number,
                    &b.payment_number,
                    "office@beta.example",
                ] {
                    assert!(!page.body.contains(text), "{path} hides B's {text}");
                }
                assert!(!page.body.contains("Draft #"), "{path} shows no draft");
            }
            ("POST", "/portal/details") => {
                let version = party_version(&env, a.party).await.to_string();
                let saved = a
                    .client
                    .post_form(
                        path,
                        &[
                            ("version", version.as_str()),
                            ("email", "page@alpha.example"),
                            ("country", "DE"),
                        ],
                    )
                    .await;
                assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
                let bad = a
                    .client
                    .post_form(
                        path,
                        &[
                            ("version", "0"),
                            ("email", "not an address"),
                            ("city", "Kiel"),
                        ],
                    )
                    .await;
                assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
                assert!(bad.body.contains("Kiel"), "input kept");
                assert!(bad.body.contains("f-email-error"), "error at the field");
                assert_email(&env, a.party, "page@alpha.example").await;
                assert_email(&env, b.party, "office@beta.example").await;
            }
            ("PUT", "/api/v1/portal/details") => {
                let version = party_version(&env, a.party).await;
                let body =
                    format!(r#"{{"version":{version},"email":"api@alpha.example","city":"Kiel"}}"#);
                let saved = a.client.put_json(path, &body).await;
                assert_eq!(saved.status, StatusCode::OK, "{}", saved.body);
                assert_eq!(saved.json()["id"], a.party);
                let stale = a.client.put_json(path, &body).await;
                assert_eq!(stale.status, StatusCode::CONFLICT, "{}", stale.body);
                let smuggled = format!(r#"{{"version":{version},"party_id":{}}}"#, b.party);
                let refused = a.client.put_json(path, &smuggled).await;
                assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
                assert_email(&env, a.party, "api@alpha.example").await;
                assert_email(&env, b.party, "office@beta.example").await;
            }
            _ => panic!("{method} {path}: a portal route without an isolation check"),
        }
    }
}

/// Three help articles: published and public, a public draft, and an internal one.
struct HelpArticles {
    public: i64,
    draft: i64,
    internal: i64,
}

async fn help_articles(app: &App) -> HelpArticles {
    use seam_app::knowledge;
    use seam_domain::knowledge::ArticleDraft;
    let category = knowledge::create_category(app, &admin(), "Payments")
        .await
        .unwrap();
    let write =
        |title: &'static str, body: &'static str, state: &'static str, audience: &'static str| {
            let draft = ArticleDraft {
                title: title.into(),
                body: body.into(),
                category_id: category.to_string(),
                state: state.into(),
                audience: audience.into(),
            };
            async move {
                knowledge::create_article(app, &admin(), &draft)
                    .await
                    .unwrap()
            }
        };
    HelpArticles {
        public: write("Paying by card", "We take cards.", "published", "public").await,
        draft: write("Paying by cheque", "Soon.", "draft", "public").await,
        internal: write("Paying refunds", "Ask accounting.", "published", "internal").await,
    }
}

async fn party_version(env: &Env, party: i64) -> i64 {
    parties::party(&env.app, &admin(), PartyId(party))
        .await
        .unwrap()
        .version
}

async fn assert_email(env: &Env, party: i64, email: &str) {
    let row = parties::party(&env.app, &admin(), PartyId(party))
        .await
        .unwrap();
    assert_eq!(row.email.as_deref(), Some(email), "party {party}");
}

async fn a_portal_login_starts_at_its_portal_and_is_refused_staff_pages(backend: Backend) {
    let Some(env) = env(backend).await else {
        return;
    };
    products_in_stock(&env.app).await;
    let mut a = customer(&env, "Alpha").await;
    let home = a.client.get("/").await;
    assert_eq!(home.status, StatusCode::SEE_OTHER);
    assert_eq!(home.location(), "/portal");
    let portal = a.client.get("/portal").await;
    for href in [
        "/portal/orders",
        "/portal/invoices",
        "/portal/payments",
        "/portal/details",
    ] {
        assert!(
            portal.body.contains(&format!("href=\"{href}\"")),
            "nav {href}"
        );
    }
    for staff in [
        format!("/invoices/{}", a.invoice),
        format!("/invoices/{}/pdf", a.invoice),
        format!("/api/v1/invoices/{}", a.invoice),
        format!("/sales/orders/{}", a.order),
        "/payments".to_owned(),
    ] {
        assert_eq!(
            a.client.get(&staff).await.status,
            StatusCode::FORBIDDEN,
            "{staff}"
        );
    }
}
