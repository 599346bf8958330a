//! The invoicing JSON API end to end, on SQLite and (with
//! `SEAM_TEST_PG_URL`) PostgreSQL: order → ship → invoice → post → pay,
//! credit notes, UBL and PDF, exchange rates, aging, statements and the
//! company profile; field errors as problem+json, idempotent payments and
//! token scopes.
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
use common::{Backend, Client, Env, env};
use seam_app::{Actor, parties, products, tokens};
use seam_domain::access::{Permission, Role};
use seam_domain::ids::UserId;
use seam_domain::party::PartyDraft;
use seam_domain::product::ProductDraft;
use serde_json::Value;

both_backends!(
    an_order_is_shipped_invoiced_posted_and_paid_through_the_api,
    bad_payments_are_field_errors_and_write_nothing,
    a_replayed_payment_returns_the_first_payment_and_records_one,
    credit_notes_rates_and_unknown_ids,
    token_scopes_limit_the_invoicing_api,
);

async fn token(env: &Env, username: &str, roles: &[Role], scopes: &[Permission]) -> Client {
    let id = env.user(username, roles, None).await;
    let (_, secret) = tokens::create_token(
        &env.app,
        &Actor::system("test"),
        UserId(id),
        "integration",
        scopes,
    )
    .await
    .unwrap();
    let mut client = env.client();
    client.bearer = Some(secret);
    client
}

async fn admin(env: &Env) -> Client {
    token(env, "boss", &[Role::Admin], &Permission::ALL).await
}

async fn customer(env: &Env, name: &str) -> i64 {
    let draft = PartyDraft {
        kind: "company".into(),
        name: name.into(),
        tax_id: "SE556000000101".into(),
        street: "Kungsgatan 2".into(),
        postal_code: "111 43".into(),
        city: "Stockholm".into(),
        country: "SE".into(),
        email: "ap@kund.example".into(),
        is_customer: true,
        ..PartyDraft::default()
    };
    parties::create_party(&env.app, &Actor::system("test"), &draft)
        .await
        .unwrap()
        .0
}

async fn product(env: &Env, sku: &str, price: &str) {
    let draft = ProductDraft {
        sku: sku.into(),
        name: format!("{sku} name"),
        kind: "goods".into(),
        unit: "C62".into(),
        currency: "EUR".into(),
        list_price: price.into(),
        standard_cost: "30.00".into(),
        tax_rate: "S25".into(),
        revenue_account: String::new(),
    };
    products::create_product(&env.app, &Actor::system("test"), &draft)
        .await
        .unwrap();
}

fn field_codes(body: &Value) -> Vec<(String, String)> {
    body["errors"]
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

async fn set_company(api: &mut Client) {
    let company = api
        .put_json(
            "/api/v1/company",
            r#"{"name":"Seam Test AB","vat_id":"SE556677889901","legal_id":"556677-8899",
                "street":"Storgatan 1","postcode":"211 22","city":"Malmö","country":"se",
                "email":"billing@seam.example","iban":"SE45 5000 0000 0583 9825 7466","currency":"EUR"}"#,
        )
        .await;
    assert_eq!(company.status, StatusCode::OK, "{}", company.body);
    assert_eq!(company.json()["country"], "SE", "normalised");
    assert_eq!(company.json()["iban"], "SE4550000000058398257466");
}

/// A customer, a product with stock, and a confirmed, shipped order of 3
/// chairs at 80.00 (+25% VAT): `(party id, order id)`.
async fn shipped_order(env: &Env, api: &mut Client) -> (i64, i64) {
    let party = customer(env, "Kund AB").await;
    product(env, "CHAIR", "80.00").await;
    let received = api
        .post_json(
            "/api/v1/stock/receipts",
            &format!(
                r#"{{"sku":"CHAIR","warehouse":"MAIN","qty":10,"date":"{}"}}"#,
                seam_app::today().iso()
            ),
            None,
        )
        .await;
    assert_eq!(received.status, StatusCode::CREATED, "{}", received.body);
    let order = api
        .post_json(
            "/api/v1/sales-orders",
            &format!(r#"{{"customer_id":{party},"lines":[{{"sku":"CHAIR","qty":3}}]}}"#),
            None,
        )
        .await;
    assert_eq!(order.status, StatusCode::CREATED, "{}", order.body);
    let order = order.json()["id"].as_i64().unwrap();
    let confirmed = api
        .post_json(&format!("/api/v1/sales-orders/{order}/confirm"), "", None)
        .await;
    assert_eq!(confirmed.status, StatusCode::OK, "{}", confirmed.body);
    let shipped = api
        .post_json(&format!("/api/v1/sales-orders/{order}/ship"), "{}", None)
        .await;
    assert_eq!(shipped.status, StatusCode::CREATED, "{}", shipped.body);
    (party, order)
}

/// Invoices the shipped order and posts it: the invoice's id.
async fn posted_invoice(api: &mut Client, order: i64) -> i64 {
    let draft = api
        .post_json(&format!("/api/v1/sales-orders/{order}/invoice"), "{}", None)
        .await;
    assert_eq!(draft.status, StatusCode::CREATED, "{}", draft.body);
    let id = draft.json()["id"].as_i64().unwrap();
    let posted = api
        .post_json(&format!("/api/v1/invoices/{id}/post"), "", None)
        .await;
    assert_eq!(posted.status, StatusCode::OK, "{}", posted.body);
    id
}

async fn an_order_is_shipped_invoiced_posted_and_paid_through_the_api(backend: Backend) {
    let Some(env) = env(backend).await else {
        return;
    };
    let mut api = admin(&env).await;
    set_company(&mut api).await;
    let (party, order) = shipped_order(&env, &mut api).await;

    let draft = api
        .post_json(
            &format!("/api/v1/sales-orders/{order}/invoice"),
            r#"{"terms_days":14,"note":"Thank you"}"#,
            Some("invoice-1"),
        )
        .await;
    assert_eq!(draft.status, StatusCode::CREATED, "{}", draft.body);
    let d = draft.json();
    let id = d["id"].as_i64().unwrap();
    assert_eq!(d["kind"], "invoice");
    assert_eq!(d["state"], "draft");
    assert!(d["number"].is_null());
    assert_eq!(d["party_id"], party);
    assert_eq!(d["order_id"], order);
    assert_eq!(d["net"], "240.00");
    assert_eq!(d["vat_minor"], 6000);
    assert_eq!(d["total"], "300.00");
    assert_eq!(d["total_minor"], 30000);
    assert_eq!(d["note"], "Thank you");
    assert_eq!(d["lines"][0]["sku"], "CHAIR");
    assert_eq!(d["lines"][0]["qty"], 3);
    assert_eq!(d["lines"][0]["unit_price"], "80.00");
    assert_eq!(d["lines"][0]["vat_category"], "S");
    let again = api
        .post_json(&format!("/api/v1/sales-orders/{order}/invoice"), "{}", None)
        .await;
    assert_eq!(again.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        field_codes(&again.json()),
        [("lines".to_owned(), "error-invoice-nothing".to_owned())]
    );

    let not_yet = api.get(&format!("/api/v1/invoices/{id}/ubl")).await;
    assert_eq!(not_yet.status, StatusCode::CONFLICT, "a draft has no UBL");
    assert_eq!(not_yet.content_type(), "application/problem+json");

    let posted = api
        .post_json(&format!("/api/v1/invoices/{id}/post"), "", Some("post-1"))
        .await;
    assert_eq!(posted.status, StatusCode::OK, "{}", posted.body);
    let p = posted.json();
    let number = p["number"].as_str().unwrap().to_owned();
    assert!(number.starts_with("INV-"), "{number}");
    assert_eq!(p["state"], "posted");
    assert_eq!(p["due"], "300.00");
    assert_eq!(p["exchange_rate"], "1");
    assert!(
        p["journal_entry_number"]
            .as_str()
            .unwrap()
            .starts_with("JE-")
    );
    let twice = api
        .post_json(&format!("/api/v1/invoices/{id}/post"), "", None)
        .await;
    assert_eq!(twice.status, StatusCode::CONFLICT);

    let open = api.get("/api/v1/invoices?open=true&kind=invoice").await;
    assert_eq!(open.status, StatusCode::OK, "{}", open.body);
    assert_eq!(open.json()["items"][0]["number"], number.as_str());
    let bad_filter = api.get("/api/v1/invoices?kind=receipt&state=lost").await;
    assert_eq!(bad_filter.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        field_codes(&bad_filter.json()),
        [
            ("kind".to_owned(), "error-invoice-kind-unknown".to_owned()),
            ("state".to_owned(), "error-invoice-state-unknown".to_owned())
        ]
    );

    let ubl = api.get(&format!("/api/v1/invoices/{id}/ubl")).await;
    assert_eq!(ubl.status, StatusCode::OK, "{}", ubl.body);
    assert!(ubl.content_type().starts_with("application/xml"));
    assert!(ubl.body.contains(&format!("<cbc:ID>{number}</cbc:ID>")));
    assert!(ubl.body.contains("Seam Test AB"));
    let pdf = api.get(&format!("/api/v1/invoices/{id}/pdf")).await;
    assert_eq!(pdf.status, StatusCode::OK);
    assert_eq!(pdf.content_type(), "application/pdf");
    assert!(pdf.body.starts_with("%PDF"));

    let aging = api.get("/api/v1/reports/aging").await;
    assert_eq!(aging.status, StatusCode::OK, "{}", aging.body);
    let a = aging.json();
    assert_eq!(a["currency"], "EUR");
    assert_eq!(a["rows"][0]["party_id"], party);
    assert_eq!(a["rows"][0]["current"], "300.00");
    assert_eq!(a["totals"]["total_minor"], 30000);
    assert_eq!(a["buckets"][4], "over-90");

    let paid = api
        .post_json(
            "/api/v1/payments",
            &format!(
                r#"{{"party_id":{party},"amount":"300.00","reference":"Bank 4711",
                    "allocations":[{{"invoice_id":{id},"amount":"300.00"}}]}}"#
            ),
            Some("pay-1"),
        )
        .await;
    assert_eq!(paid.status, StatusCode::CREATED, "{}", paid.body);
    let pay = paid.json();
    assert!(pay["number"].as_str().unwrap().starts_with("PAY-"));
    assert_eq!(pay["amount"], "300.00");
    assert_eq!(pay["amount_minor"], 30000);
    assert_eq!(pay["unallocated_minor"], 0);
    assert_eq!(pay["currency"], "EUR");
    assert_eq!(pay["allocations"][0]["invoice_number"], number.as_str());
    let pay_id = pay["id"].as_i64().unwrap();
    assert_eq!(
        api.get(&format!("/api/v1/payments/{pay_id}")).await.json()["reference"],
        "Bank 4711"
    );

    let after = api.get(&format!("/api/v1/invoices/{id}")).await.json();
    assert_eq!(after["state"], "paid");
    assert_eq!(after["due_minor"], 0);
    assert_eq!(after["settled"], "300.00");
    assert_eq!(after["payments"][0]["payment_id"], pay_id);
    assert_eq!(
        api.get("/api/v1/reports/aging").await.json()["totals"]["total_minor"],
        0
    );
    let statement = api.get(&format!("/api/v1/parties/{party}/statement")).await;
    assert_eq!(statement.status, StatusCode::OK, "{}", statement.body);
    let s = statement.json();
    assert_eq!(s["currencies"][0]["currency"], "EUR");
    let lines = s["currencies"][0]["lines"].as_array().unwrap();
    let mut kinds: Vec<&str> = lines.iter().map(|l| l["kind"].as_str().unwrap()).collect();
    kinds.sort_unstable();
    assert_eq!(kinds, ["invoice", "payment"]);
    let invoice_line = lines.iter().find(|l| l["kind"] == "invoice").unwrap();
    assert_eq!(invoice_line["debit"], "300.00");
    assert_eq!(invoice_line["number"], number.as_str());
    assert_eq!(s["currencies"][0]["opening_minor"], 0);
    assert_eq!(s["currencies"][0]["closing"], "0.00");
    let by_state = api.get("/api/v1/invoices?state=paid").await.json();
    assert_eq!(by_state["items"].as_array().unwrap().len(), 1);
    assert!(by_state["next_cursor"].is_null());
}

async fn bad_payments_are_field_errors_and_write_nothing(backend: Backend) {
    let Some(env) = env(backend).await else {
        return;
    };
    let mut api = admin(&env).await;
    let (party, order) = shipped_order(&env, &mut api).await;
    let id = posted_invoice(&mut api, order).await;

    let bad = api
        .post_json(
            "/api/v1/payments",
            &format!(
                r#"{{"party_id":{party},"amount":"12,3,4","payment_date":"2026-13-45",
                    "allocations":[{{"invoice_id":{id},"amount":"500.00"}},{{"invoice_id":999999,"amount":"1.00"}}]}}"#
            ),
            None,
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", bad.body);
    assert_eq!(bad.content_type(), "application/problem+json");
    let body = bad.json();
    let codes = field_codes(&body);
    let fields: Vec<&str> = codes.iter().map(|(f, _)| f.as_str()).collect();
    assert!(fields.contains(&"payment_date"), "{codes:?}");
    assert!(fields.contains(&"amount"), "{codes:?}");
    assert!(
        codes.contains(&(
            "allocations[1].amount".to_owned(),
            "error-pay-too-much".to_owned()
        )),
        "{codes:?}"
    );
    assert!(
        codes.contains(&(
            "allocations[2].invoice_id".to_owned(),
            "error-unknown-invoice".to_owned()
        )),
        "{codes:?}"
    );
    assert!(
        body["errors"][0]["message"].as_str().unwrap().len() > 5,
        "each field error has words"
    );

    let number = api
        .post_json(
            "/api/v1/payments",
            &format!(r#"{{"party_id":{party},"amount":300}}"#),
            None,
        )
        .await;
    assert_eq!(
        field_codes(&number.json()),
        [("amount".to_owned(), "error-json-type".to_owned())],
        "amounts are decimal strings, never JSON numbers"
    );
    let unknown = api
        .post_json(
            "/api/v1/payments",
            r#"{"party_id":999999,"amount":"1.00","tip":"x"}"#,
            None,
        )
        .await;
    assert_eq!(
        field_codes(&unknown.json()),
        [("tip".to_owned(), "error-unknown-field".to_owned())]
    );
    let nobody = api
        .post_json(
            "/api/v1/payments",
            r#"{"party_id":999999,"amount":"1.00"}"#,
            None,
        )
        .await;
    assert_eq!(
        field_codes(&nobody.json()),
        [("party_id".to_owned(), "error-unknown-party".to_owned())]
    );
    let missing = api.post_json("/api/v1/payments", "{}", None).await;
    assert_eq!(
        field_codes(&missing.json()),
        [("party_id".to_owned(), "error-required".to_owned())]
    );

    let list = api.get("/api/v1/payments").await.json();
    assert_eq!(
        list["items"].as_array().unwrap().len(),
        0,
        "nothing written"
    );
    let invoice = api.get(&format!("/api/v1/invoices/{id}")).await.json();
    assert_eq!(invoice["state"], "posted");
    assert_eq!(invoice["settled_minor"], 0);
}

async fn a_replayed_payment_returns_the_first_payment_and_records_one(backend: Backend) {
    let Some(env) = env(backend).await else {
        return;
    };
    let mut api = admin(&env).await;
    let (party, order) = shipped_order(&env, &mut api).await;
    let id = posted_invoice(&mut api, order).await;
    let body = format!(r#"{{"party_id":{party},"amount":"100.00","reference":"part 1"}}"#);
    let first = api
        .post_json("/api/v1/payments", &body, Some("pay-once"))
        .await;
    assert_eq!(first.status, StatusCode::CREATED, "{}", first.body);
    let replay = api
        .post_json("/api/v1/payments", &body, Some("pay-once"))
        .await;
    assert_eq!(replay.status, StatusCode::CREATED);
    assert_eq!(
        replay
            .headers
            .get("idempotent-replayed")
            .and_then(|v| v.to_str().ok()),
        Some("true")
    );
    assert_eq!(replay.json(), first.json(), "the same payment comes back");
    let other = api
        .post_json(
            "/api/v1/payments",
            &body.replace("part 1", "part 2"),
            Some("pay-once"),
        )
        .await;
    assert_eq!(other.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        other.json()["type"],
        "https://seam.invalid/problems/idempotency-key-reused"
    );
    let list = api
        .get(&format!("/api/v1/payments?party={party}"))
        .await
        .json();
    assert_eq!(list["items"].as_array().unwrap().len(), 1, "recorded once");
    let invoice = api.get(&format!("/api/v1/invoices/{id}")).await.json();
    assert_eq!(invoice["settled"], "100.00", "settled once, oldest first");
    assert_eq!(invoice["due"], "200.00");
    assert_eq!(invoice["state"], "posted");
}

async fn credit_notes_rates_and_unknown_ids(backend: Backend) {
    let Some(env) = env(backend).await else {
        return;
    };
    let mut api = admin(&env).await;
    let (party, order) = shipped_order(&env, &mut api).await;
    let id = posted_invoice(&mut api, order).await;

    let too_much = api
        .post_json(
            &format!("/api/v1/invoices/{id}/credit-notes"),
            r#"{"lines":[{"line_no":1,"qty":4}],"reason":"Damaged"}"#,
            None,
        )
        .await;
    assert_eq!(too_much.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        field_codes(&too_much.json()),
        [(
            "lines[1].qty".to_owned(),
            "error-credit-too-much".to_owned()
        )]
    );
    let note = api
        .post_json(
            &format!("/api/v1/invoices/{id}/credit-notes"),
            r#"{"lines":[{"line_no":1,"qty":1}],"reason":"Damaged"}"#,
            Some("credit-1"),
        )
        .await;
    assert_eq!(note.status, StatusCode::CREATED, "{}", note.body);
    let n = note.json();
    assert_eq!(n["kind"], "credit_note");
    assert_eq!(n["credited_invoice_id"], id);
    assert_eq!(n["total"], "100.00");
    assert_eq!(n["note"], "Damaged");
    let note_id = n["id"].as_i64().unwrap();
    let posted = api
        .post_json(&format!("/api/v1/invoices/{note_id}/post"), "", None)
        .await;
    assert_eq!(posted.status, StatusCode::OK, "{}", posted.body);
    assert!(posted.json()["number"].as_str().unwrap().starts_with("CN-"));
    let invoice = api.get(&format!("/api/v1/invoices/{id}")).await.json();
    assert_eq!(invoice["due"], "200.00");
    assert_eq!(invoice["credit_notes"][0]["id"], note_id);
    let notes = api.get("/api/v1/invoices?kind=credit_note").await.json();
    assert_eq!(notes["items"].as_array().unwrap().len(), 1);

    // A draft can be cancelled; a cancelled one not posted.
    let rest = api
        .post_json(&format!("/api/v1/invoices/{id}/credit-notes"), "{}", None)
        .await;
    assert_eq!(rest.status, StatusCode::CREATED, "{}", rest.body);
    let rest_id = rest.json()["id"].as_i64().unwrap();
    assert_eq!(rest.json()["total"], "200.00", "all that is left");
    let cancelled = api
        .post_json(&format!("/api/v1/invoices/{rest_id}/cancel"), "", None)
        .await;
    assert_eq!(cancelled.status, StatusCode::OK);
    assert_eq!(cancelled.json()["state"], "cancelled");
    assert_eq!(
        api.post_json(&format!("/api/v1/invoices/{rest_id}/post"), "", None)
            .await
            .status,
        StatusCode::CONFLICT
    );

    let rate = api
        .post_json(
            "/api/v1/exchange-rates",
            r#"{"currency":"usd","rate":"0.9215","date":"2026-01-02"}"#,
            Some("rate-1"),
        )
        .await;
    assert_eq!(rate.status, StatusCode::CREATED, "{}", rate.body);
    assert_eq!(rate.json()["currency"], "USD");
    assert_eq!(rate.json()["rate_e9"], 921_500_000);
    let rates = api.get("/api/v1/exchange-rates").await.json();
    assert_eq!(rates["items"][0]["currency"], "USD");
    assert_eq!(rates["items"][0]["date"], "2026-01-02");
    assert_eq!(rates["items"][0]["rate"], "0.9215");
    let own = api
        .post_json(
            "/api/v1/exchange-rates",
            r#"{"currency":"EUR","rate":"x"}"#,
            None,
        )
        .await;
    assert_eq!(
        field_codes(&own.json()),
        [
            ("currency".to_owned(), "error-rate-company".to_owned()),
            ("rate".to_owned(), "error-rate".to_owned())
        ]
    );

    let statement = api
        .get(&format!(
            "/api/v1/parties/{party}/statement?from=2026-99-01"
        ))
        .await;
    assert_eq!(statement.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        api.get("/api/v1/parties/999999/statement").await.status,
        StatusCode::NOT_FOUND
    );
    for path in [
        "/api/v1/invoices/999999",
        "/api/v1/invoices/999999/ubl",
        "/api/v1/invoices/999999/pdf",
        "/api/v1/payments/999999",
        "/api/v1/invoices/abc",
    ] {
        let r = api.get(path).await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "{path}");
        assert_eq!(r.content_type(), "application/problem+json", "{path}");
    }
    for path in [
        "/api/v1/invoices/999999/post",
        "/api/v1/invoices/999999/cancel",
    ] {
        assert_eq!(
            api.post_json(path, "", None).await.status,
            StatusCode::NOT_FOUND,
            "{path}"
        );
    }
    assert_eq!(
        api.post_json("/api/v1/invoices/999999/credit-notes", "{}", None)
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        api.post_json("/api/v1/sales-orders/999999/invoice", "{}", None)
            .await
            .status,
        StatusCode::NOT_FOUND
    );
}

async fn token_scopes_limit_the_invoicing_api(backend: Backend) {
    let Some(env) = env(backend).await else {
        return;
    };
    let mut boss = admin(&env).await;
    let (party, order) = shipped_order(&env, &mut boss).await;
    let id = posted_invoice(&mut boss, order).await;

    let mut reader = token(
        &env,
        "reader",
        &[Role::Accountant],
        &[Permission::InvoicesRead],
    )
    .await;
    assert_eq!(reader.get("/api/v1/invoices").await.status, StatusCode::OK);
    assert_eq!(
        reader.get(&format!("/api/v1/invoices/{id}")).await.status,
        StatusCode::OK
    );
    assert_eq!(reader.get("/api/v1/company").await.status, StatusCode::OK);
    for (path, body) in [
        (
            "/api/v1/payments".to_owned(),
            format!(r#"{{"party_id":{party},"amount":"1.00"}}"#),
        ),
        (format!("/api/v1/invoices/{id}/cancel"), String::new()),
        (
            format!("/api/v1/invoices/{id}/credit-notes"),
            "{}".to_owned(),
        ),
        (
            format!("/api/v1/sales-orders/{order}/invoice"),
            "{}".to_owned(),
        ),
        (
            "/api/v1/exchange-rates".to_owned(),
            r#"{"currency":"USD","rate":"1"}"#.to_owned(),
        ),
    ] {
        let r = reader.post_json(&path, &body, None).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{path}: {}", r.body);
        assert_eq!(r.content_type(), "application/problem+json");
    }
    assert_eq!(
        reader.get("/api/v1/exchange-rates").await.status,
        StatusCode::FORBIDDEN,
        "rates need ledger.read"
    );
    assert_eq!(
        reader
            .put_json(
                "/api/v1/company",
                r#"{"name":"Taken over","currency":"EUR"}"#
            )
            .await
            .status,
        StatusCode::FORBIDDEN
    );

    // A sales user's token may read invoices but never record payments,
    // whatever scopes it asks for.
    let refused = tokens::create_token(
        &env.app,
        &Actor::system("test"),
        UserId(env.user("seller", &[Role::Sales], None).await),
        "x",
        &[Permission::PaymentsRecord],
    )
    .await;
    assert!(matches!(refused, Err(seam_app::AppError::Invalid(_))));

    let mut poster = token(
        &env,
        "poster",
        &[Role::Accountant],
        &[Permission::PaymentsRecord, Permission::InvoicesRead],
    )
    .await;
    let paid = poster
        .post_json(
            "/api/v1/payments",
            &format!(r#"{{"party_id":{party},"amount":"300.00"}}"#),
            None,
        )
        .await;
    assert_eq!(paid.status, StatusCode::CREATED, "{}", paid.body);
    assert_eq!(paid.json()["allocations"][0]["invoice_id"], id);

    let mut anonymous = env.client();
    let r = anonymous.get("/api/v1/invoices").await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    assert_eq!(
        anonymous.get("/api/v1/company").await.status,
        StatusCode::UNAUTHORIZED
    );
}
