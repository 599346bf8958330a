//! The price list pages and their JSON API end to end, in-process, on both
//! backends: create a list, set and remove item prices, assign a customer,
//! import prices all or nothing and export them; the API's lists, items and
//! assignments; and ids that name nothing.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

// The harness is shared with the other web tests; not every helper is used here.
#[allow(dead_code)]
use crate::common;
use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use common::{Backend, Env, env};
use seam_app::{Actor, parties, products, tokens};
use seam_domain::access::{Permission, Role};
use seam_domain::ids::UserId;
use seam_domain::party::PartyDraft;
use seam_domain::product::ProductDraft;

both_backends!(
    a_list_is_created_priced_assigned_imported_and_exported_through_the_pages,
    the_api_creates_prices_assigns_and_reads_a_list,
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

fn multipart(path: &str, csv: &str) -> Request<Body> {
    let boundary = "seamtestboundary";
    let body = format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"mode\"\r\n\r\ncommit\r\n\
         --{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"prices.csv\"\r\n\r\n{csv}\r\n\
         --{boundary}--\r\n"
    );
    Request::post(path)
        .header(
            header::CONTENT_TYPE,
            format!("multipart/form-data; boundary={boundary}"),
        )
        .body(Body::from(body))
        .unwrap()
}

async fn a_list_is_created_priced_assigned_imported_and_exported_through_the_pages(
    backend: Backend,
) {
    let Some(env) = env(backend).await else {
        return;
    };
    product(&env, "GEAR", "10.00").await;
    product(&env, "BOLT", "0.25").await;
    let acme = customer(&env, "Acme Trading").await;
    env.user("sara", &[Role::Sales], None).await;
    let mut client = env.logged_in("sara").await;

    let refused = client
        .post_form(
            "/price-lists",
            &[
                ("code", "bad code"),
                ("name", ""),
                ("currency", "EUR"),
                ("discount", "150"),
            ],
        )
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        refused.body.contains("A discount is at most 100 %."),
        "{}",
        refused.body
    );
    assert!(
        refused.body.contains("value=\"bad code\""),
        "the input is kept"
    );

    let created = client
        .post_form(
            "/price-lists",
            &[
                ("code", "wholesale"),
                ("name", "Wholesale"),
                ("currency", "EUR"),
                ("discount", "10"),
            ],
        )
        .await;
    assert_eq!(created.status, StatusCode::SEE_OTHER, "{}", created.body);
    let page_path = created.location().to_owned();
    assert!(page_path.starts_with("/price-lists/"));

    let list = client.get("/price-lists").await;
    assert_eq!(list.status, StatusCode::OK);
    assert!(list.body.contains("WHOLESALE"));

    let bad_item = client
        .post_form(
            &format!("{page_path}/items"),
            &[("product", "GEAR"), ("unit_price", "-2"), ("discount", "")],
        )
        .await;
    assert_eq!(bad_item.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        bad_item.body.contains("f-unit_price-error"),
        "{}",
        bad_item.body
    );
    let set = client
        .post_form(
            &format!("{page_path}/items"),
            &[
                ("product", "gear"),
                ("unit_price", "9.00"),
                ("discount", ""),
            ],
        )
        .await;
    assert_eq!(set.status, StatusCode::SEE_OTHER, "{}", set.body);
    let assigned = client
        .post_form(
            &format!("{page_path}/customers"),
            &[("party", &acme.to_string())],
        )
        .await;
    assert_eq!(assigned.status, StatusCode::SEE_OTHER, "{}", assigned.body);

    let page = client.get(&page_path).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(
        page.body
            .contains(&format!("href=\"/parties/{acme}\">Acme Trading")),
        "{}",
        page.body
    );
    // 9.00 less the list's 10 %.
    assert!(page.body.contains("€8.10"), "{}", page.body);

    // An import with a bad line saves nothing and names the line.
    let bad = "sku,unit_price,discount_percent\nBOLT,0.20,\nNOPE,1.00,\n";
    let refused = client
        .send(multipart(&format!("{page_path}/import"), bad))
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(refused.body.contains("line 3: sku"), "{}", refused.body);
    let good = "sku,unit_price,discount_percent\nBOLT,0.20,5\n";
    let done = client
        .send(multipart(&format!("{page_path}/import"), good))
        .await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);
    let csv = client.get(&format!("{page_path}/export.csv")).await;
    assert_eq!(csv.status, StatusCode::OK);
    assert_eq!(
        csv.body,
        "sku,unit_price,discount_percent\nBOLT,0.20,5\nGEAR,9.00,\n"
    );

    let unassigned = client
        .post_form(
            &format!("{page_path}/customers/remove"),
            &[("party", &acme.to_string())],
        )
        .await;
    assert_eq!(unassigned.status, StatusCode::SEE_OTHER);
    let link = format!("href=\"/parties/{acme}\"");
    assert!(!client.get(&page_path).await.body.contains(&link));

    // Ids that name nothing.
    assert_eq!(
        client.get("/price-lists/999999").await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        client.get("/price-lists/abc").await.status,
        StatusCode::NOT_FOUND
    );
    let missing = client
        .post_form(
            "/price-lists/999999/items",
            &[("product", "GEAR"), ("unit_price", "1")],
        )
        .await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);

    // Who may only read sees the list but no forms.
    env.user("rita", &[Role::Receptionist], None).await;
    let mut reader = env.logged_in("rita").await;
    let seen = reader.get(&page_path).await;
    assert_eq!(seen.status, StatusCode::OK);
    assert!(
        !seen.body.contains("action=\"/price-lists/"),
        "{}",
        seen.body
    );
    let forbidden = reader
        .post_form(
            &format!("{page_path}/items"),
            &[("product", "GEAR"), ("unit_price", "1")],
        )
        .await;
    assert_eq!(forbidden.status, StatusCode::FORBIDDEN);
}

async fn the_api_creates_prices_assigns_and_reads_a_list(backend: Backend) {
    let Some(env) = env(backend).await else {
        return;
    };
    product(&env, "GEAR", "10.00").await;
    let zurich = customer(&env, "Zürcher Feinmechanik AG").await;
    let id = env.user("shop", &[Role::Sales], None).await;
    let (_, secret) = tokens::create_token(
        &env.app,
        &Actor::system("test"),
        UserId(id),
        "prices",
        &[Permission::ProductsRead, Permission::ProductsWrite],
    )
    .await
    .unwrap();
    let mut api = env.client();
    api.bearer = Some(secret);

    let created = api
        .post_json(
            "/api/v1/price-lists",
            r#"{"code":"ch","name":"Switzerland","currency":"CHF"}"#,
            Some("ch-create"),
        )
        .await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
    let list_id = created.json()["id"].as_i64().unwrap();
    let base = format!("/api/v1/price-lists/{list_id}");

    let bad = api
        .post_json(
            &format!("{base}/items"),
            r#"{"sku":"GEAR","unit_price":"-1","discount":"120"}"#,
            None,
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    let fields: Vec<String> = bad.json()["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(fields, vec!["unit_price", "discount"]);
    let unknown = api
        .post_json(
            &format!("{base}/items"),
            r#"{"sku":"NOPE","unit_price":"1"}"#,
            None,
        )
        .await;
    assert_eq!(unknown.json()["errors"][0]["field"], "sku");

    let set = api
        .post_json(
            &format!("{base}/items"),
            r#"{"sku":"gear","unit_price":"9.70","discount":"2.5"}"#,
            None,
        )
        .await;
    assert_eq!(set.status, StatusCode::OK, "{}", set.body);
    let body = set.json();
    assert_eq!(body["items"][0]["unit_price"], "9.70");
    // 9.70 less 2.5 % = 9.4575 → 9.46.
    assert_eq!(body["items"][0]["net_price_minor"], 946);

    let assigned = api
        .post_json(
            &format!("{base}/customers"),
            &format!(r#"{{"party_id":{zurich}}}"#),
            None,
        )
        .await;
    assert_eq!(assigned.status, StatusCode::OK, "{}", assigned.body);
    assert_eq!(assigned.json()["customers"][0]["party_id"], zurich);

    let updated = api
        .put_json(
            &base,
            r#"{"name":"Schweiz","discount":"5","currency":"EUR"}"#,
        )
        .await;
    assert_eq!(
        updated.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "the currency is fixed"
    );
    let updated = api
        .put_json(&base, r#"{"name":"Schweiz","discount":"5"}"#)
        .await;
    assert_eq!(updated.status, StatusCode::OK, "{}", updated.body);
    assert_eq!(updated.json()["discount_bp"], 500);

    let all = api.get("/api/v1/price-lists").await;
    assert_eq!(all.json()["items"][0]["customers"], 1);

    let removed = api
        .post_json(&format!("{base}/items/remove"), r#"{"sku":"GEAR"}"#, None)
        .await;
    assert_eq!(removed.status, StatusCode::OK);
    assert_eq!(removed.json()["items"].as_array().unwrap().len(), 0);
    let again = api
        .post_json(&format!("{base}/items/remove"), r#"{"sku":"GEAR"}"#, None)
        .await;
    assert_eq!(again.status, StatusCode::NOT_FOUND);
    let off = api
        .post_json(
            &format!("{base}/customers/remove"),
            &format!(r#"{{"party_id":{zurich}}}"#),
            None,
        )
        .await;
    assert_eq!(off.status, StatusCode::OK);
    assert_eq!(
        api.get("/api/v1/price-lists/999999").await.status,
        StatusCode::NOT_FOUND
    );
}
