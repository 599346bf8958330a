//! A quote's PDF over HTTP, on SQLite and (with `SEAM_TEST_PG_URL`)
//! PostgreSQL: the page's download link, the download itself, and the API.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

// The harness is shared with the other web tests; not every helper is used here.
#[allow(dead_code)]
use crate::common;
use axum::http::{StatusCode, header};
use common::{Backend, Env, env};
use seam_app::quotes::{self, LineInput, QuoteInput};
use seam_app::{Actor, parties, products, tokens};
use seam_domain::access::{Permission, Role};
use seam_domain::ids::{PartyId, SalesQuoteId, UserId};
use seam_domain::party::PartyDraft;
use seam_domain::product::ProductDraft;

both_backends!(a_sent_quote_downloads_as_a_pdf_and_a_draft_does_not,);

/// A product and a customer to quote it to.
async fn customer(env: &Env) -> PartyId {
    let actor = Actor::system("test");
    let product = ProductDraft {
        sku: "CHAIR".into(),
        name: "Oak chair".into(),
        kind: "goods".into(),
        unit: "C62".into(),
        currency: "EUR".into(),
        list_price: "80.00".into(),
        standard_cost: String::new(),
        tax_rate: "S25".into(),
        revenue_account: String::new(),
    };
    products::create_product(&env.app, &actor, &product)
        .await
        .unwrap();
    let party = PartyDraft {
        kind: "company".into(),
        name: "Acme Ltd".into(),
        is_customer: true,
        ..PartyDraft::default()
    };
    parties::create_party(&env.app, &actor, &party)
        .await
        .unwrap()
}

/// A draft quote of two chairs.
async fn draft_quote(env: &Env, customer: PartyId) -> SalesQuoteId {
    let input = QuoteInput {
        customer: Some(customer),
        lines: vec![LineInput {
            product: "CHAIR".into(),
            qty: "2".into(),
            unit_price: String::new(),
        }],
        ..QuoteInput::default()
    };
    quotes::create_quote(&env.app, &Actor::system("test"), &input)
        .await
        .unwrap()
}

async fn a_sent_quote_downloads_as_a_pdf_and_a_draft_does_not(backend: Backend) {
    let Some(env) = env(backend).await else {
        return;
    };
    let acme = customer(&env).await;
    let sent = draft_quote(&env, acme).await;
    quotes::send_quote(&env.app, &Actor::system("test"), sent, None)
        .await
        .unwrap();
    let number = quotes::quote_detail(&env.app, &Actor::system("test"), sent)
        .await
        .unwrap()
        .quote
        .number
        .unwrap();
    let draft = draft_quote(&env, acme).await;

    env.user("sam", &[Role::Sales], None).await;
    let mut client = env.logged_in("sam").await;
    let page = client.get(&format!("/sales/quotes/{sent}")).await;
    assert!(
        page.body
            .contains(&format!("href=\"/sales/quotes/{sent}/pdf\"")),
        "{}",
        page.body
    );
    assert!(page.body.contains("Download PDF"));
    let pdf = client.get(&format!("/sales/quotes/{sent}/pdf")).await;
    assert_eq!(pdf.status, StatusCode::OK, "{}", pdf.body);
    assert_eq!(pdf.content_type(), "application/pdf");
    assert!(pdf.body.starts_with("%PDF"));
    let disposition = pdf.headers[header::CONTENT_DISPOSITION].to_str().unwrap();
    assert_eq!(
        disposition,
        format!("attachment; filename=\"{number}.pdf\"")
    );

    let page = client.get(&format!("/sales/quotes/{draft}")).await;
    assert!(!page.body.contains(&format!("/sales/quotes/{draft}/pdf")));
    let refused = client.get(&format!("/sales/quotes/{draft}/pdf")).await;
    assert_eq!(refused.status, StatusCode::CONFLICT, "{}", refused.body);
    assert_eq!(
        client.get("/sales/quotes/999999/pdf").await.status,
        StatusCode::NOT_FOUND
    );

    let user = env.user("shop", &[Role::Sales], None).await;
    let (_, secret) = tokens::create_token(
        &env.app,
        &Actor::system("test"),
        UserId(user),
        "shop",
        &[Permission::SalesOrderRead],
    )
    .await
    .unwrap();
    let mut api = env.client();
    api.bearer = Some(secret);
    let pdf = api.get(&format!("/api/v1/quotes/{sent}/pdf")).await;
    assert_eq!(pdf.status, StatusCode::OK, "{}", pdf.body);
    assert_eq!(pdf.content_type(), "application/pdf");
    assert!(pdf.body.starts_with("%PDF"));
    let refused = api.get(&format!("/api/v1/quotes/{draft}/pdf")).await;
    assert_eq!(refused.status, StatusCode::CONFLICT);
    assert!(refused.body.contains("quote-state"), "{}", refused.body);
    assert_eq!(
        api.get("/api/v1/quotes/424242/pdf").await.status,
        StatusCode::NOT_FOUND
    );
}
