//! Sales quotes over HTTP, on SQLite and (with `SEAM_TEST_PG_URL`)
//! PostgreSQL: the list, form and detail pages with the actions each state
//! allows, accepting into an order that links back, the party page, and the
//! JSON API with idempotent POSTs.
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
use seam_app::quotes::{self, QuoteFilter};
use seam_app::{Actor, parties, products, tokens};
use seam_domain::access::{Permission, Role};
use seam_domain::ids::UserId;
use seam_domain::party::PartyDraft;
use seam_domain::product::ProductDraft;

both_backends!(
    a_quote_is_drafted_sent_and_accepted_into_an_order_from_its_pages,
    readers_see_quotes_without_their_actions,
    the_api_creates_once_per_idempotency_key_sends_accepts_and_declines,
);

async fn product(env: &Env, sku: &str, price: &str) {
    let draft = ProductDraft {
        sku: sku.into(),
        name: format!("{sku} name"),
        kind: "goods".into(),
        unit: "C62".into(),
        currency: "EUR".into(),
        list_price: price.into(),
        standard_cost: String::new(),
        tax_rate: "S25".into(),
        revenue_account: String::new(),
    };
    products::create_product(&env.app, &Actor::system("test"), &draft)
        .await
        .unwrap();
}

async fn customer(env: &Env, name: &str) -> i64 {
    let draft = PartyDraft {
        kind: "company".into(),
        name: name.into(),
        is_customer: true,
        ..PartyDraft::default()
    };
    parties::create_party(&env.app, &Actor::system("test"), &draft)
        .await
        .unwrap()
        .0
}

async fn quote_count(env: &Env) -> usize {
    quotes::list_quotes(
        &env.app,
        &Actor::system("t"),
        &QuoteFilter::default(),
        None,
        500,
    )
    .await
    .unwrap()
    .0
    .len()
}

async fn a_quote_is_drafted_sent_and_accepted_into_an_order_from_its_pages(backend: Backend) {
    let Some(env) = env(backend).await else {
        return;
    };
    product(&env, "CHAIR", "80.00").await;
    let acme = customer(&env, "Acme Ltd").await;
    env.user("sam", &[Role::Sales], None).await;
    let mut client = env.logged_in("sam").await;
    let area = client.get("/sales").await;
    assert!(
        area.body.contains("href=\"/sales/quotes\""),
        "{}",
        area.body
    );
    let form = client.get("/sales/quotes/new").await;
    assert_eq!(form.status, StatusCode::OK);
    assert!(form.body.contains("name=\"valid_until\""));
    let acme_id = acme.to_string();
    let bad = client
        .post_form(
            "/sales/quotes",
            &[
                ("customer", &acme_id),
                ("product_1", "CHAIR"),
                ("qty_1", "0"),
            ],
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", bad.body);
    assert!(bad.body.contains("aria-invalid=\"true\""));
    assert_eq!(quote_count(&env).await, 0);
    let created = client
        .post_form(
            "/sales/quotes",
            &[
                ("customer", &acme_id),
                ("product_1", "CHAIR"),
                ("qty_1", "3"),
                ("price_1", "70"),
            ],
        )
        .await;
    assert_eq!(created.status, StatusCode::SEE_OTHER, "{}", created.body);
    let location = created.location().to_owned();
    let page = client.get(&location).await;
    assert!(page.body.contains("The draft quote was saved."));
    // 3 × 70 = 210 net, 52.50 VAT, 262.50 total.
    assert!(page.body.contains("€262.50"), "{}", page.body);
    assert!(page.body.contains("Send quote"));
    assert!(!page.body.contains("Accept and create order"));
    let edit = client.get(&format!("{location}/edit")).await;
    assert_eq!(edit.status, StatusCode::OK);
    assert!(edit.body.contains("name=\"version\""));
    let sent = client.post_form(&format!("{location}/send"), &[]).await;
    assert_eq!(sent.status, StatusCode::SEE_OTHER, "{}", sent.body);
    let page = client.get(&location).await;
    assert!(page.body.contains("QU-"), "{}", page.body);
    assert!(page.body.contains("Accept and create order"));
    assert!(page.body.contains("name=\"reason\""));
    assert!(!page.body.contains("Send quote"));
    let list = client.get("/sales/quotes?state=sent").await;
    assert!(list.body.contains("Acme Ltd"));
    let none = client.get("/sales/quotes?state=declined").await;
    assert!(none.body.contains("No quotes yet."));
    let accepted = client.post_form(&format!("{location}/accept"), &[]).await;
    assert_eq!(accepted.status, StatusCode::SEE_OTHER, "{}", accepted.body);
    let order_location = accepted.location().to_owned();
    assert!(order_location.starts_with("/sales/orders/"));
    let order = client.get(&order_location).await;
    assert!(order.body.contains("From quote QU-"), "{}", order.body);
    assert!(order.body.contains("€262.50"));
    let page = client.get(&location).await;
    assert!(page.body.contains(&format!("href=\"{order_location}\"")));
    let again = client.post_form(&format!("{location}/accept"), &[]).await;
    assert_eq!(again.status, StatusCode::CONFLICT);
    assert!(
        again
            .body
            .contains("only a sent quote that has not expired")
    );
    let party = client.get(&format!("/parties/{acme}")).await;
    assert!(
        party.body.contains("href=\"/sales/quotes/"),
        "{}",
        party.body
    );
    assert!(party.body.contains("Quote accepted"), "the timeline");
    assert_eq!(
        client.get("/sales/quotes/999999").await.status,
        StatusCode::NOT_FOUND
    );
}

async fn readers_see_quotes_without_their_actions(backend: Backend) {
    let Some(env) = env(backend).await else {
        return;
    };
    product(&env, "CHAIR", "80.00").await;
    let acme = customer(&env, "Acme Ltd").await;
    let input = quotes::QuoteInput {
        customer: Some(seam_domain::ids::PartyId(acme)),
        lines: vec![quotes::LineInput {
            product: "CHAIR".into(),
            qty: "1".into(),
            unit_price: String::new(),
        }],
        ..quotes::QuoteInput::default()
    };
    let id = quotes::create_quote(&env.app, &Actor::system("t"), &input)
        .await
        .unwrap();
    quotes::send_quote(&env.app, &Actor::system("t"), id, None)
        .await
        .unwrap();
    env.user("wendy", &[Role::Warehouse], None).await;
    let mut client = env.logged_in("wendy").await;
    let page = client.get(&format!("/sales/quotes/{id}")).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(!page.body.contains("Accept and create order"));
    assert!(!page.body.contains("name=\"reason\""));
    let refused = client
        .post_form(&format!("/sales/quotes/{id}/accept"), &[])
        .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
}

async fn token(env: &Env, username: &str, scopes: &[Permission]) -> String {
    let id = env.user(username, &[Role::Sales], None).await;
    let (_, secret) =
        tokens::create_token(&env.app, &Actor::system("test"), UserId(id), "shop", scopes)
            .await
            .unwrap();
    secret
}

async fn the_api_creates_once_per_idempotency_key_sends_accepts_and_declines(backend: Backend) {
    let Some(env) = env(backend).await else {
        return;
    };
    product(&env, "LAMP", "30.00").await;
    let acme = customer(&env, "Acme Ltd").await;
    let secret = token(
        &env,
        "shop",
        &[Permission::SalesOrderRead, Permission::SalesOrderWrite],
    )
    .await;
    let mut api = env.client();
    api.bearer = Some(secret);
    let body = format!(
        r#"{{"customer_id":{acme},"valid_until":"2099-12-31","lines":[{{"sku":"LAMP","qty":2}},{{"sku":"LAMP","qty":1,"unit_price":"10.00"}}]}}"#
    );
    let first = api.post_json("/api/v1/quotes", &body, Some("q-1")).await;
    assert_eq!(first.status, StatusCode::CREATED, "{}", first.body);
    let again = api.post_json("/api/v1/quotes", &body, Some("q-1")).await;
    assert_eq!(first.body, again.body, "the retry gets the first answer");
    assert_eq!(quote_count(&env).await, 1, "created once");
    let quote = first.json();
    assert_eq!(quote["state"], "draft");
    assert_eq!(quote["net"], "70.00");
    assert_eq!(quote["vat"], "17.50");
    assert_eq!(quote["valid_until"], "2099-12-31");
    let id = quote["id"].as_i64().unwrap();
    let early = api
        .post_json(&format!("/api/v1/quotes/{id}/accept"), "", None)
        .await;
    assert_eq!(early.status, StatusCode::CONFLICT);
    assert!(early.body.contains("quote-state"), "{}", early.body);
    let sent = api
        .post_json(&format!("/api/v1/quotes/{id}/send"), "", Some("q-send"))
        .await;
    assert_eq!(sent.status, StatusCode::OK, "{}", sent.body);
    assert!(sent.json()["number"].as_str().unwrap().starts_with("QU-"));
    let accepted = api
        .post_json(&format!("/api/v1/quotes/{id}/accept"), "", Some("q-acc"))
        .await;
    assert_eq!(accepted.status, StatusCode::OK, "{}", accepted.body);
    assert_eq!(accepted.json()["state"], "accepted");
    let order_id = accepted.json()["order_id"].as_i64().unwrap();
    let replay = api
        .post_json(&format!("/api/v1/quotes/{id}/accept"), "", Some("q-acc"))
        .await;
    assert_eq!(replay.body, accepted.body, "replayed, not accepted twice");
    let order = api.get(&format!("/api/v1/sales-orders/{order_id}")).await;
    assert_eq!(order.json()["net"], "70.00");
    assert_eq!(order.json()["lines"].as_array().unwrap().len(), 2);
    let twice = api
        .post_json(&format!("/api/v1/quotes/{id}/accept"), "", None)
        .await;
    assert_eq!(twice.status, StatusCode::CONFLICT);

    let second = api.post_json("/api/v1/quotes", &body, None).await;
    let second = second.json()["id"].as_i64().unwrap();
    api.post_json(&format!("/api/v1/quotes/{second}/send"), "", None)
        .await;
    let declined = api
        .post_json(
            &format!("/api/v1/quotes/{second}/decline"),
            r#"{"reason":"Too dear"}"#,
            None,
        )
        .await;
    assert_eq!(declined.status, StatusCode::OK, "{}", declined.body);
    assert_eq!(declined.json()["decline_reason"], "Too dear");
    let list = api.get("/api/v1/quotes?state=declined").await;
    assert_eq!(list.json()["items"].as_array().unwrap().len(), 1);
    let bad_state = api.get("/api/v1/quotes?state=lost").await;
    assert_eq!(bad_state.status, StatusCode::UNPROCESSABLE_ENTITY);
    let bad = api
        .post_json(
            "/api/v1/quotes",
            &format!(r#"{{"customer_id":{acme},"lines":[{{"sku":"NOPE","qty":1}}]}}"#),
            None,
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad.body.contains("lines[1].product"), "{}", bad.body);
    assert_eq!(
        api.get("/api/v1/quotes/424242").await.status,
        StatusCode::NOT_FOUND
    );
    let empty = api.post_json("/api/v1/quotes", "", None).await;
    assert!(empty.status.is_client_error());
    let reader = token(&env, "viewer", &[Permission::SalesOrderRead]).await;
    let mut read_only = env.client();
    read_only.bearer = Some(reader);
    let denied = read_only.post_json("/api/v1/quotes", &body, None).await;
    assert_eq!(denied.status, StatusCode::FORBIDDEN);
}
