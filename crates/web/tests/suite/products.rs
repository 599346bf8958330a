//! The product and tax-rate pages and their JSON API end to end, in-process,
//! on both backends: the form cycle with a stale edit, live search and keyset
//! pages, the VAT category rules on the tax-rate form, CSV import all or
//! nothing, prices in the user's language, ids that name nothing, the API with
//! an idempotency key, and what each role may do.
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
use seam_app::products::{self, ArchiveFilter, ProductFilter, ProductSort};
use seam_app::{Actor, tokens};
use seam_domain::access::{Permission, Role};
use seam_domain::ids::{ProductId, UserId};
use seam_domain::product::ProductDraft;

both_backends!(
    a_product_is_created_edited_archived_and_restored_through_the_pages,
    a_bad_product_form_names_the_field_keeps_the_input_and_writes_nothing,
    a_stale_product_edit_is_refused_and_keeps_the_users_input,
    the_list_filters_live_and_pages_by_keyset,
    the_tax_rate_form_keeps_the_vat_category_rules,
    a_csv_import_previews_and_commits_all_or_nothing,
    prices_and_rates_are_written_the_users_way,
    product_ids_that_name_nothing_are_not_found,
    the_api_creates_a_product_once_per_idempotency_key_and_updates_it,
    bad_product_api_bodies_are_problem_json_naming_each_field,
    roles_see_and_change_the_catalogue_as_their_permissions_say,
);

fn draft(sku: &str, name: &str) -> ProductDraft {
    ProductDraft {
        sku: sku.into(),
        name: name.into(),
        kind: "goods".into(),
        unit: "C62".into(),
        currency: "EUR".into(),
        list_price: "24.90".into(),
        standard_cost: String::new(),
        tax_rate: "S12".into(),
        revenue_account: String::new(),
    }
}

async fn product(env: &Env, sku: &str, name: &str) -> i64 {
    products::create_product(&env.app, &Actor::system("test"), &draft(sku, name))
        .await
        .unwrap()
        .0
}

async fn count(env: &Env) -> i64 {
    let filter = ProductFilter {
        archive: ArchiveFilter::All,
        ..ProductFilter::default()
    };
    products::list_products(
        &env.app,
        &Actor::system("t"),
        &filter,
        ProductSort::NameAsc,
        None,
        1,
    )
    .await
    .unwrap()
    .total
}

fn form<'a>(fields: &[(&'a str, &'a str)]) -> Vec<(&'a str, &'a str)> {
    let mut all = vec![
        ("version", "0"),
        ("kind", "goods"),
        ("sku", "ESP-1KG"),
        ("name", "Espresso beans, 1 kg"),
        ("unit", "C62"),
        ("list_price", "24,90"),
        ("currency", "EUR"),
        ("standard_cost", "11.20"),
        ("tax_rate", "S12"),
        ("revenue_account", ""),
    ];
    for (name, value) in fields {
        if let Some(slot) = all.iter_mut().find(|(n, _)| n == name) {
            slot.1 = value;
        }
    }
    all
}

async fn a_product_is_created_edited_archived_and_restored_through_the_pages(backend: Backend) {
    let Some(env) = env(backend).await else {
        return;
    };
    env.user("lukas", &[Role::Sales], None).await;
    let mut client = env.logged_in("lukas").await;
    let sales = client.get("/sales").await;
    assert!(
        sales.body.contains("href=\"/products\""),
        "Sales links to the catalogue"
    );
    let new = client.get("/products/new").await;
    assert_eq!(new.status, StatusCode::OK);
    assert!(
        new.body.contains("S25 · Standard 25%"),
        "the tax rates are offered"
    );
    assert!(
        new.body.contains("4100 · Sales of services"),
        "and the revenue accounts"
    );

    let created = client.post_form("/products", &form(&[])).await;
    assert_eq!(created.status, StatusCode::SEE_OTHER, "{}", created.body);
    let path = created.location().to_owned();
    assert!(path.starts_with("/products/"), "{path}");
    let page = client.get(&path).await;
    assert!(page.body.contains("The product was created."));
    assert!(page.body.contains("ESP-1KG"));
    assert!(page.body.contains("€24.90"), "the price in the user's way");
    assert!(page.body.contains("4000 · Sales of goods"));
    assert!(
        page.body.contains("<strong>Created</strong> · lukas"),
        "the timeline"
    );

    let edit = client.get(&format!("{path}/edit")).await;
    assert!(
        edit.body.contains("value=\"24.90\""),
        "the stored price refills the form"
    );
    let saved = client
        .post_form(
            &path,
            &form(&[
                ("version", "1"),
                ("name", "Espresso beans, dark roast"),
                ("list_price", "26"),
            ]),
        )
        .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    let archived = client.post_form(&format!("{path}/archive"), &[]).await;
    assert_eq!(archived.status, StatusCode::SEE_OTHER);
    let list = client.get("/products").await;
    assert!(
        !list.body.contains("ESP-1KG"),
        "archived products leave the list"
    );
    let all = client.get("/products?status=all").await;
    assert!(all.body.contains("ESP-1KG") && all.body.contains("Archived"));
    client.post_form(&format!("{path}/restore"), &[]).await;
    let page = client.get(&path).await;
    assert!(page.body.contains("Espresso beans, dark roast"));
    assert!(page.body.contains("€26.00"));
    for event in ["Created", "Edited", "Archived", "Restored"] {
        assert!(
            page.body.contains(&format!("<strong>{event}</strong>")),
            "{event}"
        );
    }
    let found = client.get("/search?q=espresso").await;
    assert!(
        found.body.contains(&format!("href=\"{path}\"")),
        "the global search links the product"
    );
}

async fn a_bad_product_form_names_the_field_keeps_the_input_and_writes_nothing(backend: Backend) {
    let Some(env) = env(backend).await else {
        return;
    };
    product(&env, "CUP-8OZ", "Paper cups").await;
    env.user("lukas", &[Role::Sales], None).await;
    let mut client = env.logged_in("lukas").await;
    let refused = client
        .post_form(
            "/products",
            &form(&[
                ("sku", "cup-8oz"),
                ("list_price", "24.999"),
                ("name", "Cups, again"),
            ]),
        )
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        refused.body.contains("This currency has fewer decimals."),
        "{}",
        refused.body
    );
    assert!(
        refused.body.contains("value=\"24.999\""),
        "the input is kept"
    );
    let taken = client
        .post_form(
            "/products",
            &form(&[("sku", "cup-8oz"), ("name", "Cups, again")]),
        )
        .await;
    assert_eq!(taken.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(taken.body.contains("Another product has this SKU."));
    assert!(taken.body.contains("value=\"Cups, again\""));
    let bank = client
        .post_form("/products", &form(&[("revenue_account", "1100")]))
        .await;
    assert!(
        bank.body.contains("Choose a revenue account."),
        "{}",
        bank.body
    );
    assert!(
        bank.body
            .contains("<option value=\"1100\" selected>1100</option>"),
        "a refused choice stays selected"
    );
    assert_eq!(count(&env).await, 1);
    let empty = client.post_form("/products", &[]).await;
    assert_eq!(empty.status, StatusCode::UNPROCESSABLE_ENTITY);
}

async fn a_stale_product_edit_is_refused_and_keeps_the_users_input(backend: Backend) {
    let Some(env) = env(backend).await else {
        return;
    };
    let id = product(&env, "TAMP-58", "Tamper").await;
    products::update_product(
        &env.app,
        &Actor::system("colleague"),
        ProductId(id),
        1,
        &draft("TAMP-58", "Tamper 58 mm"),
    )
    .await
    .unwrap();
    env.user("lukas", &[Role::Sales], None).await;
    let mut client = env.logged_in("lukas").await;
    let stale = client
        .post_form(
            &format!("/products/{id}"),
            &form(&[("version", "1"), ("sku", "TAMP-58"), ("name", "My tamper")]),
        )
        .await;
    assert_eq!(stale.status, StatusCode::CONFLICT);
    assert!(stale.body.contains("Someone else saved this record"));
    assert!(
        stale.body.contains("value=\"My tamper\""),
        "the user's input is kept"
    );
    assert!(
        stale.body.contains("name=\"version\" value=\"2\""),
        "the form now holds the current version"
    );
    let row = products::product(&env.app, &Actor::system("t"), ProductId(id))
        .await
        .unwrap();
    assert_eq!(row.name, "Tamper 58 mm");
}

async fn the_list_filters_live_and_pages_by_keyset(backend: Backend) {
    let Some(env) = env(backend).await else {
        return;
    };
    for n in 0..55 {
        product(
            &env,
            &format!("CUP-{n:02}"),
            &format!("Paper cup model {n:02}"),
        )
        .await;
    }
    let actor = Actor::system("test");
    let mut install = draft("SVC-INSTALL", "Espresso machine installation");
    install.kind = "service".into();
    install.unit = "HUR".into();
    products::create_product(&env.app, &actor, &install)
        .await
        .unwrap();
    env.user("piotr", &[Role::Warehouse], None).await;
    let mut client = env.logged_in("piotr").await;
    let first = client.get("/products?sort=sku").await;
    assert!(first.body.contains("56 found"));
    assert!(first.body.contains("CUP-00") && !first.body.contains("CUP-50"));
    let next = first
        .body
        .split("href=\"")
        .find_map(|rest| {
            let link = rest.split('"').next().unwrap();
            link.contains("cursor=").then(|| link.replace("&#38;", "&"))
        })
        .expect("a next-page link");
    let second = client.get(&next).await;
    assert!(second.body.contains("CUP-50") && second.body.contains("SVC-INSTALL"));
    assert!(!second.body.contains(">CUP-49<"), "no row twice");
    assert!(second.body.contains("First page"));
    let services = client.get("/products?kind=service").await;
    assert!(services.body.contains("1 found") && services.body.contains("SVC-INSTALL"));
    // What htmx asks for while typing: the same page, of which it keeps the results.
    let live = client
        .send(
            Request::get("/products?q=instal")
                .header("hx-request", "true")
                .body(Body::empty())
                .unwrap(),
        )
        .await;
    assert!(live.body.contains("id=\"product-results\""));
    assert!(live.body.contains("1 found") && live.body.contains("SVC-INSTALL"));
    let none = client.get("/products?q=zebra").await;
    assert!(none.body.contains("No products match."));
    let warehouse_page = client.get("/products/new").await;
    assert_eq!(
        warehouse_page.status,
        StatusCode::FORBIDDEN,
        "the warehouse reads only"
    );
    let inventory = client.get("/inventory").await;
    assert!(inventory.body.contains("href=\"/products?kind=goods\""));
}

async fn the_tax_rate_form_keeps_the_vat_category_rules(backend: Backend) {
    let Some(env) = env(backend).await else {
        return;
    };
    env.user("ingrid", &[Role::Accountant], None).await;
    let mut client = env.logged_in("ingrid").await;
    let list = client.get("/tax-rates").await;
    assert!(list.body.contains("Exempt under Article 132"));
    assert!(list.body.contains("AE · Reverse charge"));
    let rate =
        |code: &'static str, category: &'static str, rate: &'static str, reason: &'static str| {
            vec![
                ("code", code),
                ("name", "A rate"),
                ("category", category),
                ("rate", rate),
                ("exemption_reason", reason),
            ]
        };
    let zero_standard = client
        .post_form("/tax-rates", &rate("S0", "S", "0", ""))
        .await;
    assert_eq!(zero_standard.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        zero_standard
            .body
            .contains("A standard rate is more than 0%.")
    );
    let no_reason = client
        .post_form("/tax-rates", &rate("K-GOODS", "K", "", ""))
        .await;
    assert!(
        no_reason
            .body
            .contains("Say why no VAT is charged; invoices print it.")
    );
    assert!(
        no_reason.body.contains("<option value=\"K\" selected>"),
        "the category is kept"
    );
    let taken = client
        .post_form("/tax-rates", &rate("s25", "S", "25", ""))
        .await;
    assert!(taken.body.contains("Another tax rate has this code."));
    let added = client
        .post_form(
            "/tax-rates",
            &rate("K-GOODS", "K", "", "Intra-community supply"),
        )
        .await;
    assert_eq!(added.status, StatusCode::SEE_OTHER, "{}", added.body);
    let list = client.get("/tax-rates").await;
    assert!(list.body.contains("The tax rate was added."));
    assert!(list.body.contains("K-GOODS"));
    let rates = products::tax_rates(&env.app, &Actor::system("t"))
        .await
        .unwrap();
    assert_eq!(rates.len(), 10);
}

fn multipart(fields: &[(&str, &str)]) -> Request<Body> {
    let boundary = "seamtestboundary";
    let mut body = String::new();
    for (name, value) in fields {
        let filename = if *name == "file" {
            "; filename=\"products.csv\""
        } else {
            ""
        };
        body.push_str(&format!(
            "--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"{filename}\r\n\r\n{value}\r\n"
        ));
    }
    body.push_str(&format!("--{boundary}--\r\n"));
    Request::post("/products/import")
        .header(
            header::CONTENT_TYPE,
            format!("multipart/form-data; boundary={boundary}"),
        )
        .body(Body::from(body))
        .unwrap()
}

const HEADER: &str =
    "sku,name,kind,unit,list_price,currency,standard_cost,tax_rate,revenue_account\n";

async fn a_csv_import_previews_and_commits_all_or_nothing(backend: Backend) {
    let Some(env) = env(backend).await else {
        return;
    };
    env.user("elena", &[Role::Purchasing], None).await;
    let mut client = env.logged_in("elena").await;
    let bad = format!(
        "{HEADER}ESP-1KG,Espresso beans,goods,KGM,24.90,EUR,11.20,S12,\n\
         SVC-1,Installation,service,HUR,85,EUR,,S99,\n"
    );
    let refused = client
        .send(multipart(&[("mode", "commit"), ("file", &bad)]))
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        refused.body.contains("line 3: tax_rate"),
        "{}",
        refused.body
    );
    assert!(
        refused
            .body
            .contains("There is no tax rate with this code.")
    );
    assert_eq!(count(&env).await, 0, "nothing of a bad file is written");
    let good = format!(
        "{HEADER}ESP-1KG,Espresso beans,goods,KGM,24.90,EUR,11.20,S12,\n\
         SVC-1,Installation,service,HUR,85,EUR,,S25,\n"
    );
    let preview = client
        .send(multipart(&[("mode", "preview"), ("file", &good)]))
        .await;
    assert_eq!(preview.status, StatusCode::OK);
    assert!(
        preview.body.contains("Import 2 products"),
        "{}",
        preview.body
    );
    assert!(preview.body.contains("€85.00"));
    assert_eq!(count(&env).await, 0, "a preview writes nothing");
    let done = client
        .send(multipart(&[("mode", "commit"), ("csv", &good)]))
        .await;
    assert!(
        done.body.contains("2 products were imported."),
        "{}",
        done.body
    );
    assert_eq!(count(&env).await, 2);
    let again = client
        .send(multipart(&[("mode", "preview"), ("file", &good)]))
        .await;
    assert!(
        again.body.contains("line 2: sku") && again.body.contains("Another product has this SKU.")
    );
    let exported = client.get("/products/export.csv?sort=sku").await;
    assert_eq!(exported.content_type(), "text/csv; charset=utf-8");
    assert_eq!(
        exported.body,
        format!(
            "{HEADER}ESP-1KG,Espresso beans,goods,KGM,24.90,EUR,11.20,S12,4000\n\
             SVC-1,Installation,service,HUR,85.00,EUR,0.00,S25,4100\n"
        )
    );
    let empty = client.send(multipart(&[("mode", "preview")])).await;
    assert_eq!(empty.status, StatusCode::UNPROCESSABLE_ENTITY);
}

async fn prices_and_rates_are_written_the_users_way(backend: Backend) {
    let Some(env) = env(backend).await else {
        return;
    };
    let mut beans = draft("ESP-1KG", "Kaffebönor");
    beans.list_price = "1234.50".into();
    beans.currency = "SEK".into();
    let id = products::create_product(&env.app, &Actor::system("t"), &beans)
        .await
        .unwrap();
    let user = env.user("jonas", &[Role::Sales], None).await;
    let row = seam_store::users::user_by_id(&env.app.db, user)
        .await
        .unwrap()
        .unwrap();
    let actor = seam_app::auth::actor_from_user(&row, None);
    seam_app::users::set_preferences(&env.app, &actor, "sv", "Europe/Stockholm")
        .await
        .unwrap();
    let mut client = env.logged_in("jonas").await;
    let page = client.get(&format!("/products/{id}")).await;
    assert!(page.body.contains("1\u{a0}234,50\u{a0}kr"), "{}", page.body);
    assert!(page.body.contains("12\u{a0}%"), "the rate, the Swedish way");
    assert!(page.body.contains("Styck (C62)"), "the unit in Swedish");
    let rates = client.get("/tax-rates").await;
    assert!(rates.body.contains("Omvänd betalningsskyldighet"));
}

async fn product_ids_that_name_nothing_are_not_found(backend: Backend) {
    let Some(env) = env(backend).await else {
        return;
    };
    env.user("lukas", &[Role::Sales], None).await;
    let mut client = env.logged_in("lukas").await;
    for path in [
        "/products/999999",
        "/products/abc",
        "/products/999999/edit",
        "/products/1e3/edit",
    ] {
        assert_eq!(
            client.get(path).await.status,
            StatusCode::NOT_FOUND,
            "{path}"
        );
    }
    for path in ["/products/999999/archive", "/products/abc/restore"] {
        assert_eq!(
            client.post_form(path, &[]).await.status,
            StatusCode::NOT_FOUND,
            "{path}"
        );
    }
    let (_, secret) = token(&env, "api", &[Role::Sales], &[Permission::ProductsRead]).await;
    let mut api = env.client();
    api.bearer = Some(secret);
    for path in ["/api/v1/products/999999", "/api/v1/products/abc"] {
        let missing = api.get(path).await;
        assert_eq!(missing.status, StatusCode::NOT_FOUND, "{path}");
        assert_eq!(missing.content_type(), "application/problem+json");
    }
}

async fn token(env: &Env, username: &str, roles: &[Role], scopes: &[Permission]) -> (i64, String) {
    let id = env.user(username, roles, None).await;
    let (token, secret) = tokens::create_token(
        &env.app,
        &Actor::system("test"),
        UserId(id),
        "catalogue sync",
        scopes,
    )
    .await
    .unwrap();
    (token.0, secret)
}

const PRODUCT_JSON: &str = r#"{"sku":"esp-1kg","name":"Espresso beans, 1 kg","kind":"goods","unit":"KGM",
    "currency":"EUR","list_price":"24.90","standard_cost":"11.20","tax_rate":"S12"}"#;

async fn the_api_creates_a_product_once_per_idempotency_key_and_updates_it(backend: Backend) {
    let Some(env) = env(backend).await else {
        return;
    };
    let (_, secret) = token(
        &env,
        "shop",
        &[Role::Sales],
        &[Permission::ProductsRead, Permission::ProductsWrite],
    )
    .await;
    let mut api = env.client();
    api.bearer = Some(secret);
    let first = api
        .post_json("/api/v1/products", PRODUCT_JSON, Some("esp-1kg-create"))
        .await;
    assert_eq!(first.status, StatusCode::CREATED, "{}", first.body);
    let again = api
        .post_json("/api/v1/products", PRODUCT_JSON, Some("esp-1kg-create"))
        .await;
    assert_eq!(again.status, StatusCode::CREATED);
    assert_eq!(first.body, again.body, "the retry gets the first answer");
    assert_eq!(again.headers.get("idempotent-replayed").unwrap(), "true");
    assert_eq!(count(&env).await, 1, "created once");
    let body = first.json();
    assert_eq!(body["sku"], "ESP-1KG");
    assert_eq!(body["list_price"], "24.90");
    assert_eq!(body["list_price_minor"], 2490);
    assert_eq!(body["standard_cost_minor"], 1120);
    assert_eq!(body["revenue_account"], "4000");
    assert_eq!(body["version"], 1);
    let other_key = api
        .post_json("/api/v1/products", PRODUCT_JSON, Some("esp-1kg-create-2"))
        .await;
    assert_eq!(other_key.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(other_key.json()["errors"][0]["code"], "error-sku-taken");

    let id = body["id"].as_i64().unwrap();
    let update = r#"{"sku":"ESP-1KG","name":"Espresso beans, dark roast","kind":"goods","unit":"KGM",
        "currency":"EUR","list_price":"26","tax_rate":"S12","version":1}"#;
    let updated = api
        .put_json(&format!("/api/v1/products/{id}"), update)
        .await;
    assert_eq!(updated.status, StatusCode::OK, "{}", updated.body);
    assert_eq!(updated.json()["list_price"], "26.00");
    assert_eq!(updated.json()["standard_cost"], "0.00");
    let stale = api
        .put_json(&format!("/api/v1/products/{id}"), update)
        .await;
    assert_eq!(stale.status, StatusCode::CONFLICT);
    let archived = api
        .post_json(&format!("/api/v1/products/{id}/archive"), "", None)
        .await;
    assert_eq!(archived.json()["archived"], true);
    let list = api
        .get("/api/v1/products?status=all&sort=-sku&limit=1")
        .await;
    assert_eq!(list.json()["total"], 1);
    assert_eq!(
        list.json()["items"][0]["name"],
        "Espresso beans, dark roast"
    );
    assert!(list.json()["next_cursor"].is_null());
    let rates = api.get("/api/v1/tax-rates").await.json();
    let s12 = rates["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["code"] == "S12")
        .unwrap()
        .clone();
    assert_eq!(
        (s12["rate"].as_str(), s12["rate_bp"].as_i64()),
        (Some("12"), Some(1200))
    );
    let rate = api
        .post_json(
            "/api/v1/tax-rates",
            r#"{"code":"O-SCOPE","name":"Outside scope","category":"O","exemption_reason":"Not subject to VAT"}"#,
            Some("rate-o"),
        )
        .await;
    assert_eq!(rate.status, StatusCode::CREATED, "{}", rate.body);
    assert_eq!(rate.json()["rate"], "0");
}

/// The fields a problem+json body names, with their codes, in order.
fn fields_of(response: &common::Response) -> Vec<(String, String)> {
    assert_eq!(
        response.content_type(),
        "application/problem+json",
        "{}",
        response.body
    );
    response.json()["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["field"].as_str().unwrap().to_owned(),
                e["code"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

fn pairs(expected: &[(&str, &str)]) -> Vec<(String, String)> {
    expected
        .iter()
        .map(|(f, c)| ((*f).to_owned(), (*c).to_owned()))
        .collect()
}

async fn bad_product_api_bodies_are_problem_json_naming_each_field(backend: Backend) {
    let Some(env) = env(backend).await else {
        return;
    };
    let (_, secret) = token(
        &env,
        "shop",
        &[Role::Sales],
        &[Permission::ProductsRead, Permission::ProductsWrite],
    )
    .await;
    let mut api = env.client();
    api.bearer = Some(secret);
    let bad = api
        .post_json(
            "/api/v1/products",
            r#"{"sku":"no spaces","name":"X","kind":"goods","unit":"bucket","currency":"EUR","list_price":24.9,"tax_rate":"S25"}"#,
            None,
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        fields_of(&bad),
        pairs(&[("list_price", "error-json-type")]),
        "prices are strings, never floats"
    );
    let bad = api
        .post_json(
            "/api/v1/products",
            r#"{"sku":"no spaces","name":"X","kind":"goods","unit":"bucket","currency":"EUR","list_price":"1","tax_rate":"S25","colour":"red"}"#,
            None,
        )
        .await;
    assert_eq!(fields_of(&bad), pairs(&[("colour", "error-unknown-field")]));
    let bad = api
        .post_json(
            "/api/v1/products",
            r#"{"sku":"no spaces","name":"X","kind":"goods","unit":"bucket","currency":"EUR","list_price":"1","tax_rate":"S25"}"#,
            None,
        )
        .await;
    assert_eq!(
        fields_of(&bad),
        pairs(&[("sku", "error-sku"), ("unit", "error-unit")])
    );
    let bad_list = api
        .get("/api/v1/products?sort=price&limit=0&kind=robot")
        .await;
    assert_eq!(
        fields_of(&bad_list),
        pairs(&[
            ("sort", "error-sort"),
            ("limit", "error-limit"),
            ("kind", "error-product-kind")
        ])
    );
    let bad_rate = api
        .post_json(
            "/api/v1/tax-rates",
            r#"{"code":"Z9","name":"Zero","category":"Z","rate":"9","exemption_reason":"why"}"#,
            None,
        )
        .await;
    assert_eq!(
        fields_of(&bad_rate),
        pairs(&[
            ("rate", "error-vat-rate-zero"),
            ("exemption_reason", "error-exemption-reason-not-allowed")
        ])
    );
    assert_eq!(count(&env).await, 0);
}

async fn roles_see_and_change_the_catalogue_as_their_permissions_say(backend: Backend) {
    let Some(env) = env(backend).await else {
        return;
    };
    let id = product(&env, "ESP-1KG", "Espresso beans").await;
    for (role, reads, writes) in [
        (Role::Receptionist, true, false),
        (Role::Service, true, false),
        (Role::Warehouse, true, false),
        (Role::Marketing, false, false),
        (Role::Hr, false, false),
        (Role::Accountant, true, true),
        (Role::Purchasing, true, true),
    ] {
        let name = format!("u-{}", role.name());
        env.user(&name, &[role], None).await;
        let mut client = env.logged_in(&name).await;
        let page = client.get(&format!("/products/{id}")).await;
        let want = if reads {
            StatusCode::OK
        } else {
            StatusCode::FORBIDDEN
        };
        assert_eq!(page.status, want, "{role:?} reads");
        if reads {
            assert_eq!(
                page.body.contains("/edit\""),
                writes,
                "{role:?} sees Edit only if it may write"
            );
            let nav = client.get("/").await;
            assert!(
                nav.body.contains("href=\"/products\""),
                "{role:?} finds the catalogue in the navigation"
            );
        }
        let archive = client
            .post_form(&format!("/products/{id}/archive"), &[])
            .await;
        if writes {
            assert_eq!(archive.status, StatusCode::SEE_OTHER, "{role:?}");
            client
                .post_form(&format!("/products/{id}/restore"), &[])
                .await;
        } else {
            assert_eq!(archive.status, StatusCode::FORBIDDEN, "{role:?} archives");
        }
        let rate = client
            .post_form(
                "/tax-rates",
                &[
                    ("code", "X1"),
                    ("name", "X"),
                    ("category", "S"),
                    ("rate", "1"),
                ],
            )
            .await;
        assert_eq!(
            rate.status == StatusCode::FORBIDDEN,
            !writes,
            "{role:?} adds tax rates"
        );
    }
    let (_, secret) = token(&env, "reader", &[Role::Sales], &[Permission::ProductsRead]).await;
    let mut api = env.client();
    api.bearer = Some(secret);
    assert_eq!(api.get("/api/v1/products").await.status, StatusCode::OK);
    let denied = api.post_json("/api/v1/products", PRODUCT_JSON, None).await;
    assert_eq!(
        denied.status,
        StatusCode::FORBIDDEN,
        "a read-only token cannot write"
    );
    assert_eq!(denied.content_type(), "application/problem+json");
    assert!(
        !products::product(&env.app, &Actor::system("t"), ProductId(id))
            .await
            .unwrap()
            .archived
    );
}
