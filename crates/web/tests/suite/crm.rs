//! The CRM's pages through the router, on both backends: the public lead
//! form (honeypot, rate limit, field errors), a lead qualified from its page,
//! the board's htmx move answering the board itself, winning into the quote,
//! and the party page listing the customer's opportunities.

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use seam_domain::access::Role;

use crate::common::{Backend, env};

both_backends!(
    the_public_lead_form_takes_people_ignores_bots_and_limits_each_address,
    a_lead_is_qualified_moved_and_won_through_the_pages,
);

async fn leads(env: &crate::common::Env) -> usize {
    seam_app::crm::list_leads(&env.app, &seam_app::Actor::system("t"), None, "", None)
        .await
        .unwrap()
        .len()
}

async fn the_public_lead_form_takes_people_ignores_bots_and_limits_each_address(backend: Backend) {
    let Some(env) = env(backend).await else {
        return;
    };
    let mut visitor = env.client();
    let page = visitor.get("/forms/lead?utm_campaign=fair").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(
        page.body.contains("name=\"website\""),
        "the honeypot is there"
    );
    assert!(
        page.body.contains("value=\"fair\""),
        "the campaign is carried"
    );

    let bad = visitor
        .post_form(
            "/forms/lead",
            &[("name", "Anna"), ("email", "anna@"), ("company", "Kept AB")],
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad.body.contains("f-email-error"), "{}", bad.body);
    assert!(bad.body.contains("Kept AB"), "the input is kept");
    assert_eq!(leads(&env).await, 0);

    let bot = visitor
        .post_form(
            "/forms/lead",
            &[("name", "Bot"), ("website", "http://spam.example")],
        )
        .await;
    assert_eq!(bot.status, StatusCode::OK);
    assert!(bot.body.contains("lead-thanks"), "a bot is thanked too");
    assert_eq!(leads(&env).await, 0);

    // The in-process router has no peer address: every post here shares one sender.
    for n in 0..seam_app::crm::FORM_LIMIT {
        let name = format!("Person {n}");
        let sent = visitor.post_form("/forms/lead", &[("name", &name)]).await;
        assert_eq!(sent.status, StatusCode::OK, "{}", sent.body);
    }
    let limited = visitor
        .post_form("/forms/lead", &[("name", "One too many")])
        .await;
    assert_eq!(limited.status, StatusCode::TOO_MANY_REQUESTS);
    assert!(
        limited.body.contains("try again in an hour"),
        "{}",
        limited.body
    );
    // Another address (through a proxy on loopback) may still write.
    let request = Request::post("/forms/lead")
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .header("x-forwarded-for", "198.51.100.9")
        .body(Body::from("name=Elsewhere"))
        .unwrap();
    assert_eq!(visitor.send(request).await.status, StatusCode::OK);
    assert_eq!(leads(&env).await, seam_app::crm::FORM_LIMIT as usize + 1);
}

async fn a_lead_is_qualified_moved_and_won_through_the_pages(backend: Backend) {
    let Some(env) = env(backend).await else {
        return;
    };
    let product = seam_domain::product::ProductDraft {
        sku: "FORK-1".into(),
        name: "Electric forklift".into(),
        kind: "goods".into(),
        unit: "C62".into(),
        currency: "EUR".into(),
        list_price: "6000.00".into(),
        standard_cost: "4000".into(),
        tax_rate: "S25".into(),
        revenue_account: String::new(),
    };
    seam_app::products::create_product(&env.app, &seam_app::Actor::system("t"), &product)
        .await
        .unwrap();
    let sara = env.user("sara", &[Role::Sales], None).await;
    let mut sales = env.logged_in("sara").await;
    let added = sales
        .post_form(
            "/crm/leads",
            &[
                ("name", "Anna Berg"),
                ("company", "Berg Logistik AB"),
                ("email", "anna@berg.se"),
            ],
        )
        .await;
    assert_eq!(added.status, StatusCode::SEE_OTHER, "{}", added.body);
    let lead = added.location().to_owned();
    let page = sales.get(&lead).await;
    assert!(page.body.contains("action=\"/crm/leads/"), "{}", page.body);

    // A wrong SKU comes back on its field, and no customer is made.
    let owner = sara.to_string();
    let qualify = format!("{lead}/qualify");
    let fields = |sku: &'static str| {
        vec![
            ("title", "Two forklifts"),
            ("amount", "12000"),
            ("currency", "EUR"),
            ("expected_close", "2026-12-31"),
            ("product", sku),
            ("qty", "2"),
        ]
    };
    let mut bad = fields("NOPE");
    bad.push(("owner_user_id", &owner));
    let refused = sales.post_form(&qualify, &bad).await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        refused.body.contains("No product has this SKU"),
        "{}",
        refused.body
    );
    let actor = seam_app::Actor::system("t");
    assert!(
        seam_app::parties::search(&env.app, &actor, "Berg", 10)
            .await
            .unwrap()
            .is_empty()
    );

    let mut good = fields("FORK-1");
    good.push(("owner_user_id", &owner));
    let qualified = sales.post_form(&qualify, &good).await;
    assert_eq!(
        qualified.status,
        StatusCode::SEE_OTHER,
        "{}",
        qualified.body
    );
    let opportunity = qualified.location().to_owned();
    let id = opportunity.rsplit('/').next().unwrap().to_owned();

    // With htmx the move answers the board, the card now under Qualification.
    let request = Request::post(format!("/crm/opportunities/{id}/stage"))
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .header("hx-request", "true")
        .body(Body::from("stage=qualification"))
        .unwrap();
    let board = sales.send(request).await;
    assert_eq!(board.status, StatusCode::OK);
    assert!(
        board.body.starts_with("<div id=\"board\""),
        "{}",
        &board.body[..200.min(board.body.len())]
    );
    let column = board
        .body
        .split("data-stage=\"qualification\"")
        .nth(1)
        .unwrap();
    let column = column.split("data-stage=\"proposal\"").next().unwrap();
    assert!(column.contains(&format!("data-opportunity=\"{id}\"")));

    let won = sales
        .post_form(&format!("/crm/opportunities/{id}/win"), &[])
        .await;
    assert_eq!(won.status, StatusCode::SEE_OTHER);
    assert!(
        won.location().starts_with("/sales/quotes/"),
        "{}",
        won.location()
    );
    let quote = sales.get(won.location()).await;
    assert!(quote.body.contains("FORK-1") && quote.body.contains("Berg Logistik AB"));

    // The customer's page lists the opportunity; the forecast is empty now it is won.
    let customer = seam_store::parties::search_parties(&env.app.db, "Berg Logistik", 10)
        .await
        .unwrap()
        .into_iter()
        .find(|p| p.kind == "company")
        .unwrap();
    let party = sales.get(&format!("/parties/{}", customer.id)).await;
    assert!(
        party.body.contains(&format!("/crm/opportunities/{id}")),
        "the 360° page lists it"
    );
    let forecast = sales.get("/crm/forecast").await;
    assert!(forecast.body.contains("No open opportunities."));
}
