//! Sales order pages and API end to end, in-process, on both backends: the
//! form, confirmation that reserves stock, the order on the customer's page,
//! errors next to their lines, role denials, and the API with an
//! idempotency key.
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
use seam_app::sales::{self, OrderFilter};
use seam_app::stock::{self, MoveInput};
use seam_app::{Actor, parties, products, tokens};
use seam_domain::access::{Permission, Role};
use seam_domain::ids::{ProductId, UserId};
use seam_domain::party::PartyDraft;
use seam_domain::product::ProductDraft;
use seam_domain::stock::MoveDraft;

both_backends!(
    an_order_is_created_through_the_form_confirmed_and_reserves_stock,
    a_bad_order_form_names_the_line_and_writes_nothing,
    roles_see_create_and_confirm_orders_as_their_permissions_say,
    the_api_creates_once_per_idempotency_key_confirms_and_cancels,
    the_warehouse_ships_an_order_from_its_page_and_the_api_ships_in_part,
);

async fn product(env: &Env, sku: &str, kind: &str, price: &str) -> i64 {
    let draft = ProductDraft {
        sku: sku.into(),
        name: format!("{sku} name"),
        kind: kind.into(),
        unit: if kind == "goods" { "C62" } else { "HUR" }.into(),
        currency: "EUR".into(),
        list_price: price.into(),
        standard_cost: String::new(),
        tax_rate: "S25".into(),
        revenue_account: String::new(),
    };
    products::create_product(&env.app, &Actor::system("test"), &draft)
        .await
        .unwrap()
        .0
}

async fn receive(env: &Env, sku: &str, qty: &str) {
    let input = MoveInput {
        product: sku.into(),
        warehouse: String::new(),
        draft: MoveDraft {
            qty: qty.into(),
            date: "2026-03-01".into(),
            text: String::new(),
        },
    };
    stock::receive(&env.app, &Actor::system("test"), &input)
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

async fn reserved(env: &Env, product: i64) -> i64 {
    stock::product_levels(&env.app, &Actor::system("t"), ProductId(product))
        .await
        .unwrap()
        .first()
        .map_or(0, |r| r.reserved_qty)
}

async fn order_count(env: &Env) -> usize {
    sales::list_orders(
        &env.app,
        &Actor::system("t"),
        &OrderFilter::default(),
        None,
        500,
    )
    .await
    .unwrap()
    .0
    .len()
}

async fn an_order_is_created_through_the_form_confirmed_and_reserves_stock(backend: Backend) {
    let Some(env) = env(backend).await else {
        return;
    };
    let chair = product(&env, "CHAIR", "goods", "80.00").await;
    product(&env, "FIT", "service", "45.00").await;
    receive(&env, "CHAIR", "10").await;
    let acme = customer(&env, "Acme Ltd").await;
    env.user("sam", &[Role::Sales], None).await;
    let mut client = env.logged_in("sam").await;
    let area = client.get("/sales").await;
    assert!(
        area.body.contains("href=\"/sales/orders\""),
        "{}",
        area.body
    );
    assert!(area.body.contains("href=\"/sales/orders/new\""));
    let form = client.get("/sales/orders/new").await;
    assert_eq!(form.status, StatusCode::OK);
    assert!(form.body.contains("Acme Ltd"));
    assert!(form.body.contains("name=\"product_8\""));
    let acme_id = acme.to_string();
    let created = client
        .post_form(
            "/sales/orders",
            &[
                ("customer", &acme_id),
                ("order_date", "2026-03-02"),
                ("product_1", "CHAIR"),
                ("qty_1", "3"),
                ("price_1", ""),
                ("product_2", "FIT"),
                ("qty_2", "2"),
                ("price_2", "40"),
            ],
        )
        .await;
    assert_eq!(created.status, StatusCode::SEE_OTHER, "{}", created.body);
    let location = created.location().to_owned();
    assert!(location.starts_with("/sales/orders/"));
    let page = client.get(&location).await;
    assert!(page.body.contains("The draft order was saved."));
    assert!(page.body.contains("Draft #"), "{}", page.body);
    // 3 × 80 + 2 × 40 = 320 net, 80 VAT, 400 total.
    assert!(page.body.contains("€400.00"), "{}", page.body);
    assert!(page.body.contains("Confirm order"));
    let version = sales::order_detail(
        &env.app,
        &Actor::system("t"),
        seam_domain::ids::SalesOrderId(location.rsplit('/').next().unwrap().parse().unwrap()),
    )
    .await
    .unwrap()
    .order
    .version
    .to_string();
    let confirmed = client
        .post_form(
            &format!("{location}/confirm"),
            &[("version", version.as_str())],
        )
        .await;
    assert_eq!(
        confirmed.status,
        StatusCode::SEE_OTHER,
        "{}",
        confirmed.body
    );
    let page = client.get(&location).await;
    assert!(page.body.contains("SO-"), "{}", page.body);
    assert!(page.body.contains("-000001"));
    assert!(!page.body.contains("Confirm order"));
    assert!(page.body.contains("Cancel order"));
    assert_eq!(reserved(&env, chair).await, 3);
    let levels = client.get("/inventory/stock").await;
    assert!(levels.body.contains(">3<"), "{}", levels.body);
    let list = client.get("/sales/orders?state=confirmed").await;
    assert!(list.body.contains("-000001"));
    assert!(list.body.contains("Acme Ltd"));
    let none = client.get("/sales/orders?state=cancelled").await;
    assert!(none.body.contains("No orders yet."));
    let party = client.get(&format!("/parties/{acme}")).await;
    assert!(party.body.contains("-000001"), "{}", party.body);
    assert!(party.body.contains("€400.00"));
    let again = client.post_form(&format!("{location}/confirm"), &[]).await;
    assert_eq!(again.status, StatusCode::CONFLICT);
    assert!(
        again
            .body
            .contains("The order&#x27;s state does not allow this.")
            || again.body.contains("state does not allow")
    );
    let cancelled = client.post_form(&format!("{location}/cancel"), &[]).await;
    assert_eq!(cancelled.status, StatusCode::SEE_OTHER);
    assert_eq!(reserved(&env, chair).await, 0);
    assert_eq!(
        client.get("/sales/orders/999999").await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        client.get("/sales/orders/abc").await.status,
        StatusCode::NOT_FOUND
    );
}

async fn a_bad_order_form_names_the_line_and_writes_nothing(backend: Backend) {
    let Some(env) = env(backend).await else {
        return;
    };
    product(&env, "LAMP", "goods", "30.00").await;
    let acme = customer(&env, "Acme Ltd").await.to_string();
    env.user("sam", &[Role::Sales], None).await;
    let mut client = env.logged_in("sam").await;
    let bad = client
        .post_form(
            "/sales/orders",
            &[
                ("customer", &acme),
                ("product_1", "LAMP"),
                ("qty_1", "1"),
                ("product_3", "LAMP"),
                ("qty_3", "0"),
            ],
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", bad.body);
    assert!(bad.body.contains("aria-invalid=\"true\""));
    assert_eq!(order_count(&env).await, 0);
    let empty = client.post_form("/sales/orders", &[]).await;
    assert!(empty.status.is_client_error());
    assert_eq!(order_count(&env).await, 0);
    // Too little stock: the confirmation names the line and reserves nothing.
    let created = client
        .post_form(
            "/sales/orders",
            &[("customer", &acme), ("product_1", "LAMP"), ("qty_1", "2")],
        )
        .await;
    assert_eq!(created.status, StatusCode::SEE_OTHER);
    let location = created.location().to_owned();
    let refused = client.post_form(&format!("{location}/confirm"), &[]).await;
    assert_eq!(
        refused.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        refused.body
    );
    assert!(refused.body.contains("Draft #"));
}

async fn roles_see_create_and_confirm_orders_as_their_permissions_say(backend: Backend) {
    let Some(env) = env(backend).await else {
        return;
    };
    product(&env, "LAMP", "goods", "30.00").await;
    receive(&env, "LAMP", "5").await;
    let acme = customer(&env, "Acme Ltd").await;
    let id = sales::create_order(
        &env.app,
        &Actor::system("t"),
        &sales::OrderInput {
            customer: Some(seam_domain::ids::PartyId(acme)),
            lines: vec![sales::LineInput {
                product: "LAMP".into(),
                qty: "1".into(),
                unit_price: String::new(),
            }],
            ..sales::OrderInput::default()
        },
    )
    .await
    .unwrap();
    env.user("wanda", &[Role::Warehouse], None).await;
    env.user("mia", &[Role::Marketing], None).await;
    let mut warehouse = env.logged_in("wanda").await;
    assert_eq!(warehouse.get("/sales/orders").await.status, StatusCode::OK);
    let page = warehouse.get(&format!("/sales/orders/{id}")).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(!page.body.contains("Confirm order"));
    assert_eq!(
        warehouse.get("/sales/orders/new").await.status,
        StatusCode::FORBIDDEN
    );
    let refused = warehouse
        .post_form(&format!("/sales/orders/{id}/confirm"), &[])
        .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    let mut marketing = env.logged_in("mia").await;
    assert_eq!(
        marketing.get("/sales/orders").await.status,
        StatusCode::FORBIDDEN
    );
    let party = marketing.get(&format!("/parties/{acme}")).await;
    assert_eq!(party.status, StatusCode::OK);
    assert!(
        !party.body.contains("orders-h"),
        "no orders without sales.order.read"
    );
}

async fn token(env: &Env, username: &str, roles: &[Role], scopes: &[Permission]) -> String {
    let id = env.user(username, roles, None).await;
    let (_, secret) =
        tokens::create_token(&env.app, &Actor::system("test"), UserId(id), "shop", scopes)
            .await
            .unwrap();
    secret
}

async fn the_api_creates_once_per_idempotency_key_confirms_and_cancels(backend: Backend) {
    let Some(env) = env(backend).await else {
        return;
    };
    let lamp = product(&env, "LAMP", "goods", "30.00").await;
    receive(&env, "LAMP", "5").await;
    let acme = customer(&env, "Acme Ltd").await;
    let secret = token(
        &env,
        "shop",
        &[Role::Sales],
        &[
            Permission::SalesOrderRead,
            Permission::SalesOrderWrite,
            Permission::SalesOrderConfirm,
        ],
    )
    .await;
    let mut api = env.client();
    api.bearer = Some(secret);
    let body = format!(
        r#"{{"customer_id":{acme},"order_date":"2026-03-02","lines":[{{"sku":"LAMP","qty":2}},{{"sku":"LAMP","qty":1,"unit_price":"10.00"}}]}}"#
    );
    let first = api
        .post_json("/api/v1/sales-orders", &body, Some("web-1"))
        .await;
    assert_eq!(first.status, StatusCode::CREATED, "{}", first.body);
    let again = api
        .post_json("/api/v1/sales-orders", &body, Some("web-1"))
        .await;
    assert_eq!(first.body, again.body, "the retry gets the first answer");
    assert_eq!(order_count(&env).await, 1, "created once");
    let order = first.json();
    assert_eq!(order["state"], "draft");
    assert_eq!(order["net"], "70.00");
    assert_eq!(order["vat"], "17.50");
    assert_eq!(order["lines"].as_array().unwrap().len(), 2);
    let id = order["id"].as_i64().unwrap();
    let confirmed = api
        .post_json(&format!("/api/v1/sales-orders/{id}/confirm"), "", None)
        .await;
    assert_eq!(confirmed.status, StatusCode::OK, "{}", confirmed.body);
    assert!(
        confirmed.json()["number"]
            .as_str()
            .unwrap()
            .ends_with("-000001")
    );
    assert_eq!(reserved(&env, lamp).await, 3);
    let twice = api
        .post_json(&format!("/api/v1/sales-orders/{id}/confirm"), "", None)
        .await;
    assert_eq!(twice.status, StatusCode::CONFLICT);
    let list = api.get("/api/v1/sales-orders?state=confirmed").await;
    assert_eq!(list.json()["items"].as_array().unwrap().len(), 1);
    let bad_state = api.get("/api/v1/sales-orders?state=packed").await;
    assert_eq!(bad_state.status, StatusCode::UNPROCESSABLE_ENTITY);
    let cancelled = api
        .post_json(&format!("/api/v1/sales-orders/{id}/cancel"), "", None)
        .await;
    assert_eq!(cancelled.status, StatusCode::OK, "{}", cancelled.body);
    assert_eq!(reserved(&env, lamp).await, 0);
    let missing = api.get("/api/v1/sales-orders/424242").await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
    let empty = api.post_json("/api/v1/sales-orders", "", None).await;
    assert!(empty.status.is_client_error());
    let unknown = api
        .post_json("/api/v1/sales-orders", r#"{"colour":"red"}"#, None)
        .await;
    assert_eq!(unknown.status, StatusCode::UNPROCESSABLE_ENTITY);
    let reader = token(
        &env,
        "viewer",
        &[Role::Sales],
        &[Permission::SalesOrderRead],
    )
    .await;
    let mut read_only = env.client();
    read_only.bearer = Some(reader);
    let denied = read_only
        .post_json("/api/v1/sales-orders", &body, None)
        .await;
    assert_eq!(denied.status, StatusCode::FORBIDDEN);
    assert_eq!(order_count(&env).await, 1);
}

async fn confirmed_order(env: &Env, acme: i64, sku: &str, qty: &str) -> i64 {
    let id = sales::create_order(
        &env.app,
        &Actor::system("t"),
        &sales::OrderInput {
            customer: Some(seam_domain::ids::PartyId(acme)),
            lines: vec![sales::LineInput {
                product: sku.into(),
                qty: qty.into(),
                unit_price: String::new(),
            }],
            ..sales::OrderInput::default()
        },
    )
    .await
    .unwrap();
    sales::confirm_order(&env.app, &Actor::system("t"), id, None)
        .await
        .unwrap();
    id.0
}

async fn the_warehouse_ships_an_order_from_its_page_and_the_api_ships_in_part(backend: Backend) {
    let Some(env) = env(backend).await else {
        return;
    };
    let lamp = product(&env, "LAMP", "goods", "30.00").await;
    receive(&env, "LAMP", "10").await;
    let acme = customer(&env, "Acme Ltd").await;
    let id = confirmed_order(&env, acme, "LAMP", "3").await;
    assert_eq!(reserved(&env, lamp).await, 3);

    env.user("sam", &[Role::Sales], None).await;
    let mut sales_user = env.logged_in("sam").await;
    let page = sales_user.get(&format!("/sales/orders/{id}")).await;
    assert!(!page.body.contains("/ship\""), "sales may not ship");
    let refused = sales_user
        .post_form(&format!("/sales/orders/{id}/ship"), &[])
        .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);

    env.user("wanda", &[Role::Warehouse], None).await;
    let mut warehouse = env.logged_in("wanda").await;
    let page = warehouse.get(&format!("/sales/orders/{id}")).await;
    assert!(
        page.body
            .contains(&format!("action=\"/sales/orders/{id}/ship\"")),
        "{}",
        page.body
    );
    let bad = warehouse
        .post_form(
            &format!("/sales/orders/{id}/ship"),
            &[("ship_date", "2026-02-30"), ("tracking_reference", "")],
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", bad.body);
    assert!(bad.body.contains("YYYY-MM-DD"));
    assert_eq!(reserved(&env, lamp).await, 3, "nothing written");
    let shipped = warehouse
        .post_form(
            &format!("/sales/orders/{id}/ship"),
            &[
                ("ship_date", "2026-03-05"),
                ("tracking_reference", "TRK-42"),
            ],
        )
        .await;
    assert_eq!(shipped.status, StatusCode::SEE_OTHER, "{}", shipped.body);
    let page = warehouse.get(&format!("/sales/orders/{id}")).await;
    assert!(page.body.contains("SH-2026-000001"), "{}", page.body);
    assert!(page.body.contains("TRK-42"));
    assert!(page.body.contains("Shipped"));
    assert!(
        !page
            .body
            .contains(&format!("action=\"/sales/orders/{id}/ship\""))
    );
    assert_eq!(reserved(&env, lamp).await, 0);

    // The API ships part of another order, then refuses too much.
    let other = confirmed_order(&env, acme, "LAMP", "4").await;
    let secret = token(
        &env,
        "dock",
        &[Role::Warehouse],
        &[Permission::SalesOrderRead, Permission::SalesOrderShip],
    )
    .await;
    let mut api = env.client();
    api.bearer = Some(secret);
    let part = api
        .post_json(
            &format!("/api/v1/sales-orders/{other}/ship"),
            r#"{"ship_date":"2026-03-06","lines":[{"line_no":1,"qty":1}]}"#,
            None,
        )
        .await;
    assert_eq!(part.status, StatusCode::CREATED, "{}", part.body);
    assert_eq!(part.json()["number"], "SH-2026-000002");
    assert_eq!(part.json()["order_state"], "confirmed");
    let too_much = api
        .post_json(
            &format!("/api/v1/sales-orders/{other}/ship"),
            r#"{"lines":[{"line_no":1,"qty":9}]}"#,
            None,
        )
        .await;
    assert_eq!(too_much.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(too_much.body.contains("lines[1].qty"), "{}", too_much.body);
    assert_eq!(reserved(&env, lamp).await, 3);
}
