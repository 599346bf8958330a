//! The inventory pages and the stock API end to end, in-process, on both
//! backends: receipts and adjustments through the forms with errors next to
//! their fields, levels with search and a warehouse filter, the journal of
//! moves, warehouses, stock on the product page, the API with an idempotency
//! key, and what each role may do.
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
use seam_app::stock::{self, MoveFilter};
use seam_app::{Actor, products, tokens};
use seam_domain::access::{Permission, Role};
use seam_domain::ids::UserId;
use seam_domain::product::ProductDraft;

both_backends!(
    goods_are_received_and_adjusted_through_the_forms,
    a_bad_stock_form_names_the_field_keeps_the_input_and_writes_nothing,
    levels_filter_by_warehouse_and_search_and_warehouses_are_created,
    the_api_receives_once_per_idempotency_key_and_lists_levels_and_moves,
    roles_see_and_move_stock_as_their_permissions_say,
);

async fn product(env: &Env, sku: &str, name: &str, kind: &str) -> i64 {
    let draft = ProductDraft {
        sku: sku.into(),
        name: name.into(),
        kind: kind.into(),
        unit: if kind == "goods" { "C62" } else { "HUR" }.into(),
        currency: "EUR".into(),
        list_price: "24.90".into(),
        standard_cost: String::new(),
        tax_rate: "S25".into(),
        revenue_account: String::new(),
    };
    products::create_product(&env.app, &Actor::system("test"), &draft)
        .await
        .unwrap()
        .0
}

async fn move_count(env: &Env) -> usize {
    stock::moves(
        &env.app,
        &Actor::system("t"),
        &MoveFilter::default(),
        None,
        500,
    )
    .await
    .unwrap()
    .0
    .len()
}

async fn goods_are_received_and_adjusted_through_the_forms(backend: Backend) {
    let Some(env) = env(backend).await else {
        return;
    };
    let lamp = product(&env, "LAMP-1", "Desk lamp", "goods").await;
    env.user("wanda", &[Role::Warehouse], None).await;
    let mut client = env.logged_in("wanda").await;
    let area = client.get("/inventory").await;
    assert!(
        area.body.contains("href=\"/inventory/stock\""),
        "{}",
        area.body
    );
    assert!(area.body.contains("href=\"/inventory/receipts/new\""));
    let form = client.get("/inventory/receipts/new?sku=LAMP-1").await;
    assert_eq!(form.status, StatusCode::OK);
    assert!(form.body.contains("LAMP-1 · Desk lamp"));
    let received = client
        .post_form(
            "/inventory/receipts",
            &[
                ("product", "LAMP-1"),
                ("warehouse", "MAIN"),
                ("qty", "40"),
                ("date", "2026-03-02"),
                ("reference", "DN-881"),
            ],
        )
        .await;
    assert_eq!(received.status, StatusCode::SEE_OTHER, "{}", received.body);
    assert_eq!(received.location(), "/inventory/moves");
    let journal = client.get("/inventory/moves").await;
    assert!(journal.body.contains("The stock move was posted."));
    assert!(journal.body.contains("SM-2026-000001"));
    assert!(journal.body.contains("DN-881"));
    let adjusted = client
        .post_form(
            "/inventory/adjustments",
            &[
                ("product", "LAMP-1"),
                ("warehouse", "MAIN"),
                ("qty", "-3"),
                ("date", "2026-03-04"),
                ("reason", "Three broken in the count"),
            ],
        )
        .await;
    assert_eq!(adjusted.status, StatusCode::SEE_OTHER, "{}", adjusted.body);
    let levels = client.get("/inventory/stock").await;
    assert!(levels.body.contains("LAMP-1"));
    assert!(levels.body.contains(">37<"), "{}", levels.body);
    let page = client.get(&format!("/products/{lamp}")).await;
    assert!(page.body.contains("MAIN · Main warehouse"), "{}", page.body);
    assert!(page.body.contains(">37<"));
}

async fn a_bad_stock_form_names_the_field_keeps_the_input_and_writes_nothing(backend: Backend) {
    let Some(env) = env(backend).await else {
        return;
    };
    product(&env, "LAMP-1", "Desk lamp", "goods").await;
    product(&env, "SETUP", "Setup", "service").await;
    env.user("wanda", &[Role::Warehouse], None).await;
    let mut client = env.logged_in("wanda").await;
    let bad = client
        .post_form(
            "/inventory/receipts",
            &[
                ("product", "LAMP-1"),
                ("warehouse", "MAIN"),
                ("qty", "1.5"),
                ("date", "2026-03-02"),
                ("reference", "kept reference"),
            ],
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        bad.body.contains("Write a whole number of units"),
        "{}",
        bad.body
    );
    assert!(bad.body.contains("value=\"kept reference\""));
    assert!(bad.body.contains("value=\"1.5\""));
    let service = client
        .post_form(
            "/inventory/receipts",
            &[("product", "SETUP"), ("qty", "1"), ("date", "2026-03-02")],
        )
        .await;
    assert_eq!(service.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(service.body.contains("Services have no stock"));
    let below = client
        .post_form(
            "/inventory/adjustments",
            &[
                ("product", "LAMP-1"),
                ("qty", "-1"),
                ("date", "2026-03-02"),
                ("reason", ""),
            ],
        )
        .await;
    assert_eq!(below.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        below.body.contains("This field is required."),
        "{}",
        below.body
    );
    assert_eq!(move_count(&env).await, 0);
}

async fn levels_filter_by_warehouse_and_search_and_warehouses_are_created(backend: Backend) {
    let Some(env) = env(backend).await else {
        return;
    };
    product(&env, "LAMP-1", "Desk lamp", "goods").await;
    product(&env, "RUG-2", "Wool rug", "goods").await;
    env.user("wanda", &[Role::Warehouse], None).await;
    let mut client = env.logged_in("wanda").await;
    let created = client
        .post_form(
            "/inventory/warehouses",
            &[("code", "north"), ("name", "North depot")],
        )
        .await;
    assert_eq!(created.status, StatusCode::SEE_OTHER, "{}", created.body);
    let again = client
        .post_form(
            "/inventory/warehouses",
            &[("code", "NORTH"), ("name", "Again")],
        )
        .await;
    assert_eq!(again.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(again.body.contains("Another warehouse has this code."));
    let list = client.get("/inventory/warehouses").await;
    assert!(list.body.contains("North depot"));
    for (sku, warehouse) in [("LAMP-1", "NORTH"), ("RUG-2", "MAIN")] {
        let posted = client
            .post_form(
                "/inventory/receipts",
                &[
                    ("product", sku),
                    ("warehouse", warehouse),
                    ("qty", "5"),
                    ("date", "2026-03-02"),
                ],
            )
            .await;
        assert_eq!(posted.status, StatusCode::SEE_OTHER, "{}", posted.body);
    }
    let north = client.get("/inventory/stock?warehouse=NORTH").await;
    assert!(north.body.contains("LAMP-1"));
    assert!(!north.body.contains("RUG-2"));
    let rug = client.get("/inventory/stock?q=wool").await;
    assert!(rug.body.contains("RUG-2"));
    assert!(!rug.body.contains("LAMP-1"));
}

async fn token(env: &Env, username: &str, roles: &[Role], scopes: &[Permission]) -> String {
    let id = env.user(username, roles, None).await;
    let (_, secret) = tokens::create_token(
        &env.app,
        &Actor::system("test"),
        UserId(id),
        "stock sync",
        scopes,
    )
    .await
    .unwrap();
    secret
}

async fn the_api_receives_once_per_idempotency_key_and_lists_levels_and_moves(backend: Backend) {
    let Some(env) = env(backend).await else {
        return;
    };
    product(&env, "LAMP-1", "Desk lamp", "goods").await;
    let secret = token(
        &env,
        "wms",
        &[Role::Warehouse],
        &[Permission::StockRead, Permission::StockWrite],
    )
    .await;
    let mut api = env.client();
    api.bearer = Some(secret);
    let body = r#"{"sku":"LAMP-1","qty":12,"date":"2026-03-02","reference":"DN-1"}"#;
    let first = api
        .post_json("/api/v1/stock/receipts", body, Some("dn-1"))
        .await;
    assert_eq!(first.status, StatusCode::CREATED, "{}", first.body);
    let again = api
        .post_json("/api/v1/stock/receipts", body, Some("dn-1"))
        .await;
    assert_eq!(first.body, again.body, "the retry gets the first answer");
    assert_eq!(move_count(&env).await, 1, "received once");
    assert_eq!(first.json()["number"], "SM-2026-000001");
    assert_eq!(first.json()["warehouse"], "MAIN");
    let too_many = api
        .post_json(
            "/api/v1/stock/adjustments",
            r#"{"sku":"LAMP-1","qty":-13,"date":"2026-03-03","reason":"Count"}"#,
            None,
        )
        .await;
    assert_eq!(too_many.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(too_many.json()["errors"][0]["code"], "error-stock-negative");
    let unknown = api
        .post_json(
            "/api/v1/stock/receipts",
            r#"{"sku":"LAMP-1","qty":1,"date":"2026-03-03","colour":"red"}"#,
            None,
        )
        .await;
    assert_eq!(unknown.status, StatusCode::UNPROCESSABLE_ENTITY);
    let levels = api.get("/api/v1/stock-levels?q=lamp").await;
    assert_eq!(levels.status, StatusCode::OK, "{}", levels.body);
    assert_eq!(levels.json()["items"][0]["on_hand_qty"], 12);
    assert_eq!(levels.json()["items"][0]["available_qty"], 12);
    let moves = api.get("/api/v1/stock-moves").await;
    assert_eq!(moves.json()["items"][0]["reference"], "DN-1");
    let warehouse = api
        .post_json(
            "/api/v1/warehouses",
            r#"{"code":"w2","name":"Second"}"#,
            None,
        )
        .await;
    assert_eq!(warehouse.status, StatusCode::CREATED, "{}", warehouse.body);
    assert_eq!(warehouse.json()["code"], "W2");
    let list = api.get("/api/v1/warehouses").await;
    assert_eq!(list.json()["items"].as_array().unwrap().len(), 2);
}

async fn roles_see_and_move_stock_as_their_permissions_say(backend: Backend) {
    let Some(env) = env(backend).await else {
        return;
    };
    let lamp = product(&env, "LAMP-1", "Desk lamp", "goods").await;
    env.user("sam", &[Role::Sales], None).await;
    env.user("mia", &[Role::Marketing], None).await;
    let mut sales = env.logged_in("sam").await;
    assert_eq!(sales.get("/inventory/stock").await.status, StatusCode::OK);
    assert_eq!(
        sales.get("/inventory/receipts/new").await.status,
        StatusCode::FORBIDDEN
    );
    let refused = sales
        .post_form(
            "/inventory/receipts",
            &[("product", "LAMP-1"), ("qty", "1"), ("date", "2026-03-02")],
        )
        .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    let page = sales.get(&format!("/products/{lamp}")).await;
    assert!(page.body.contains("None in stock."), "sales sees stock");
    assert!(!page.body.contains("/inventory/receipts/new"));
    let mut marketing = env.logged_in("mia").await;
    assert_eq!(
        marketing.get("/inventory/stock").await.status,
        StatusCode::FORBIDDEN
    );
    let secret = token(&env, "reader", &[Role::Sales], &[Permission::StockRead]).await;
    let mut api = env.client();
    api.bearer = Some(secret);
    let denied = api
        .post_json(
            "/api/v1/stock/receipts",
            r#"{"sku":"LAMP-1","qty":1,"date":"2026-03-02"}"#,
            None,
        )
        .await;
    assert_eq!(denied.status, StatusCode::FORBIDDEN);
    assert_eq!(move_count(&env).await, 0);
}
