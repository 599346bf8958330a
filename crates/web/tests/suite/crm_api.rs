//! The CRM's JSON API with a token, on SQLite and (with `SEAM_TEST_PG_URL`)
//! PostgreSQL: leads posted twice are found as duplicates and merged,
//! qualified into a customer and an opportunity, moved, forecast and won
//! into a quote; bad input is problem+json naming the field with nothing
//! written; a token without `sales.use` is refused the pipeline; a CSV
//! import is all or nothing.

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use seam_app::{Actor, crm, parties, products, quotes, tokens};
use seam_domain::access::{Permission, Role};
use seam_domain::ids::{SalesQuoteId, UserId};
use seam_domain::product::ProductDraft;

use crate::common::{Backend, Client, Env, env};

both_backends!(
    a_token_user_takes_leads_through_merge_and_qualification_to_a_won_quote,
    bad_crm_input_is_a_problem_naming_the_field_and_writes_nothing,
    a_token_without_sales_permission_is_refused_the_pipeline,
    a_lead_import_is_all_or_nothing_with_line_named_errors,
);

const SALES_SCOPES: &[Permission] = &[
    Permission::CrmUse,
    Permission::SalesUse,
    Permission::PartiesRead,
    Permission::PartiesWrite,
    Permission::ProductsRead,
    Permission::SalesOrderRead,
    Permission::SalesOrderWrite,
];

async fn api(env: &Env, username: &str, roles: &[Role], scopes: &[Permission]) -> (i64, Client) {
    let user = env.user(username, roles, None).await;
    let (_, secret) = tokens::create_token(
        &env.app,
        &Actor::system("test"),
        UserId(user),
        "integration",
        scopes,
    )
    .await
    .unwrap();
    let mut client = env.client();
    client.bearer = Some(secret);
    (user, client)
}

async fn forklift(env: &Env) {
    let draft = ProductDraft {
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
    products::create_product(&env.app, &Actor::system("test"), &draft)
        .await
        .unwrap();
}

async fn lead_count(env: &Env) -> usize {
    crm::list_leads(&env.app, &Actor::system("test"), None, "", None)
        .await
        .unwrap()
        .len()
}

async fn opportunity_count(env: &Env) -> usize {
    crm::list_opportunities(
        &env.app,
        &Actor::system("test"),
        crm::OpportunityFilter::default(),
        None,
    )
    .await
    .unwrap()
    .len()
}

async fn party_count(env: &Env, text: &str) -> usize {
    parties::search(&env.app, &Actor::system("test"), text, 50)
        .await
        .unwrap()
        .len()
}

/// The fields a problem+json names, in order.
fn fields(response: &crate::common::Response) -> Vec<String> {
    assert_eq!(
        response.content_type(),
        "application/problem+json",
        "{}",
        response.body
    );
    response.json()["errors"]
        .as_array()
        .unwrap_or_else(|| panic!("no errors in {}", response.body))
        .iter()
        .map(|e| e["field"].as_str().unwrap().to_owned())
        .collect()
}

async fn post_csv(
    client: &mut Client,
    path: &str,
    content_type: &str,
    body: &str,
) -> crate::common::Response {
    let request = Request::post(path)
        .header(header::CONTENT_TYPE, content_type)
        .body(Body::from(body.to_owned()))
        .unwrap();
    client.send(request).await
}

const ANNA: &str = r#"{"name":"Anna Berg","company":"Berg Logistik AB","email":"anna@berg-logistik.se","campaign":"spring-fair"}"#;

async fn a_token_user_takes_leads_through_merge_and_qualification_to_a_won_quote(backend: Backend) {
    let Some(env) = env(backend).await else {
        return;
    };
    forklift(&env).await;
    let (sara, mut api) = api(&env, "sara", &[Role::Sales], SALES_SCOPES).await;

    let first = api.post_json("/api/v1/leads", ANNA, None).await;
    assert_eq!(first.status, StatusCode::CREATED, "{}", first.body);
    let first = first.json();
    assert_eq!(first["source"], "api");
    assert_eq!(first["state"], "open");
    assert_eq!(first["owner_user_id"], sara);
    let first_id = first["id"].as_i64().unwrap();

    // The same person again: the answer names the first lead and why.
    let second = api
        .post_json(
            "/api/v1/leads",
            r#"{"name":"anna  berg","email":"ANNA@Berg-Logistik.se","phone":"+46 70 123 45 67","notes":"Called the switchboard"}"#,
            None,
        )
        .await;
    assert_eq!(second.status, StatusCode::CREATED, "{}", second.body);
    let second = second.json();
    let second_id = second["id"].as_i64().unwrap();
    let duplicate = &second["duplicates"][0];
    assert_eq!(duplicate["lead"]["id"], first_id, "{second}");
    assert_eq!(duplicate["reasons"], serde_json::json!(["email", "name"]));

    let list = api.get("/api/v1/leads?state=open&q=berg").await;
    assert_eq!(list.status, StatusCode::OK, "{}", list.body);
    let list = list.json();
    assert_eq!(list["items"].as_array().unwrap().len(), 2);
    assert_eq!(list["items"][0]["id"], second_id, "newest first");
    assert!(list["next_cursor"].is_null());
    let below = api
        .get(&format!("/api/v1/leads?cursor={second_id}"))
        .await
        .json();
    assert_eq!(below["items"][0]["id"], first_id, "the cursor pages on");

    // An activity on the second lead, due in the past: overdue for its owner.
    let activity = api
        .post_json(
            "/api/v1/activities",
            &format!(
                r#"{{"kind":"call","subject":"Call Anna back","due_date":"2020-01-15","lead_id":{second_id}}}"#
            ),
            None,
        )
        .await;
    assert_eq!(activity.status, StatusCode::CREATED, "{}", activity.body);
    let activity_id = activity.json()["id"].as_i64().unwrap();
    assert_eq!(activity.json()["owner_user_id"], sara);
    let mine = api.get("/api/v1/activities").await.json();
    assert_eq!(mine["overdue"][0]["id"], activity_id, "{mine}");
    assert_eq!(mine["open"][0]["id"], activity_id);

    // Merged: the first lead fills its blanks and takes the activity.
    let merged = api
        .post_json(
            &format!("/api/v1/leads/{first_id}/merge"),
            &format!(r#"{{"other":{second_id}}}"#),
            None,
        )
        .await;
    assert_eq!(merged.status, StatusCode::OK, "{}", merged.body);
    let merged = merged.json();
    assert_eq!(merged["phone"], "+46701234567");
    assert_eq!(merged["company"], "Berg Logistik AB");
    assert_eq!(merged["activities"][0]["id"], activity_id);
    assert!(merged["duplicates"].as_array().unwrap().is_empty());
    let gone = api.get(&format!("/api/v1/leads/{second_id}")).await.json();
    assert_eq!(gone["state"], "merged");
    assert_eq!(gone["merged_into_id"], first_id);
    let again = api
        .post_json(
            &format!("/api/v1/leads/{first_id}/merge"),
            &format!(r#"{{"other":{second_id}}}"#),
            None,
        )
        .await;
    assert_eq!(again.status, StatusCode::CONFLICT);
    assert_eq!(again.content_type(), "application/problem+json");

    // An edit at the version read.
    let version = merged["version"].as_i64().unwrap();
    let edited = api
        .put_json(
            &format!("/api/v1/leads/{first_id}"),
            &format!(
                r#"{{"name":"Anna Berg","company":"Berg Logistik AB","email":"anna@berg-logistik.se","phone":"+46701234567","notes":"Wants two","version":{version}}}"#
            ),
        )
        .await;
    assert_eq!(edited.status, StatusCode::OK, "{}", edited.body);
    assert_eq!(edited.json()["notes"], "Wants two");
    let stale = api
        .put_json(
            &format!("/api/v1/leads/{first_id}"),
            &format!(r#"{{"name":"Anna B","version":{version}}}"#),
        )
        .await;
    assert_eq!(stale.status, StatusCode::CONFLICT, "{}", stale.body);

    // Qualified: a customer company, Anna as its contact, and an opportunity.
    let qualified = api
        .post_json(
            &format!("/api/v1/leads/{first_id}/qualify"),
            r#"{"title":"Two forklifts","amount":"12000","currency":"EUR","expected_close":"2026-12-31","lines":[{"product":"fork-1","qty":"2"}]}"#,
            None,
        )
        .await;
    assert_eq!(qualified.status, StatusCode::CREATED, "{}", qualified.body);
    let qualified = qualified.json();
    let party = qualified["party_id"].as_i64().unwrap();
    assert!(qualified["contact_id"].is_i64(), "{qualified}");
    let opportunity = qualified["opportunity_id"].as_i64().unwrap();
    let lead = api.get(&format!("/api/v1/leads/{first_id}")).await.json();
    assert_eq!(lead["state"], "qualified");
    assert_eq!(lead["party_id"], party);
    assert_eq!(lead["opportunities"][0]["id"], opportunity);

    let listed = api
        .get(&format!("/api/v1/opportunities?party_id={party}&open=true"))
        .await;
    assert_eq!(listed.status, StatusCode::OK, "{}", listed.body);
    assert_eq!(listed.json()["items"][0]["id"], opportunity);
    let detail = api
        .get(&format!("/api/v1/opportunities/{opportunity}"))
        .await
        .json();
    assert_eq!(detail["stage"], "prospecting");
    assert_eq!(detail["amount"], "12000.00");
    assert_eq!(detail["amount_minor"], 1_200_000);
    assert_eq!(detail["owner_user_id"], sara);
    assert_eq!(detail["lines"][0]["sku"], "FORK-1");
    assert_eq!(detail["lines"][0]["qty"], 2);

    // Moved on the board, then forecast at the stage's 50 %.
    let moved = api
        .post_json(
            &format!("/api/v1/opportunities/{opportunity}/stage"),
            r#"{"stage":"proposal"}"#,
            None,
        )
        .await;
    assert_eq!(moved.status, StatusCode::OK, "{}", moved.body);
    assert_eq!(moved.json()["stage"], "proposal");
    assert_eq!(moved.json()["probability_bp"], 5_000);
    let board = api.get("/api/v1/crm/board").await.json();
    let columns = board["columns"].as_array().unwrap();
    assert_eq!(columns.len(), 4);
    let proposal = columns.iter().find(|c| c["stage"] == "proposal").unwrap();
    assert_eq!(proposal["cards"][0]["id"], opportunity);
    let forecast = api.get("/api/v1/crm/forecast").await;
    assert_eq!(forecast.status, StatusCode::OK, "{}", forecast.body);
    let row = &forecast.json()["rows"][0];
    assert_eq!(row["month"], "2026-12");
    assert_eq!(row["owner"], "sara");
    assert_eq!(row["currency"], "EUR");
    assert_eq!(row["count"], 1);
    assert_eq!(row["pipeline"], "12000.00");
    assert_eq!(row["pipeline_minor"], 1_200_000);
    assert_eq!(row["weighted"], "6000.00");
    assert_eq!(row["weighted_minor"], 600_000);

    // Won: a draft quote for the customer with the opportunity's products.
    let won = api
        .post_json(
            &format!("/api/v1/opportunities/{opportunity}/win"),
            "",
            None,
        )
        .await;
    assert_eq!(won.status, StatusCode::OK, "{}", won.body);
    let won = won.json();
    let quote = won["quote_id"].as_i64().expect("a quote id");
    assert_eq!(won["opportunity"]["stage"], "won");
    assert_eq!(won["opportunity"]["quote_id"], quote);
    let detail = quotes::quote_detail(&env.app, &Actor::system("test"), SalesQuoteId(quote))
        .await
        .unwrap();
    assert_eq!(detail.quote.party_id, party);
    assert_eq!(detail.quote.state, "draft");
    assert_eq!(detail.lines[0].qty, 2);
    let twice = api
        .post_json(
            &format!("/api/v1/opportunities/{opportunity}/win"),
            "",
            None,
        )
        .await;
    assert_eq!(twice.status, StatusCode::CONFLICT, "{}", twice.body);
    assert_eq!(twice.content_type(), "application/problem+json");
    let empty = api.get("/api/v1/crm/forecast").await.json();
    assert!(empty["rows"].as_array().unwrap().is_empty());

    // Done, once.
    let done = api
        .post_json(&format!("/api/v1/activities/{activity_id}/done"), "", None)
        .await;
    assert_eq!(done.status, StatusCode::OK, "{}", done.body);
    assert!(done.json()["done_at"].is_string());
    let done_again = api
        .post_json(&format!("/api/v1/activities/{activity_id}/done"), "", None)
        .await;
    assert_eq!(done_again.status, StatusCode::CONFLICT);
    assert!(
        api.get("/api/v1/activities").await.json()["open"]
            .as_array()
            .unwrap()
            .is_empty()
    );

    // Every CRM route is in the OpenAPI document.
    let doc = api.get("/api/v1/openapi.json").await.json();
    assert!(doc["paths"]["/api/v1/leads/{id}/qualify"]["post"].is_object());
    assert!(doc["paths"]["/api/v1/leads/import"]["post"].is_object());
}

async fn bad_crm_input_is_a_problem_naming_the_field_and_writes_nothing(backend: Backend) {
    let Some(env) = env(backend).await else {
        return;
    };
    forklift(&env).await;
    let (_, mut api) = api(&env, "sara", &[Role::Sales], SALES_SCOPES).await;

    let bad = api
        .post_json(
            "/api/v1/leads",
            r#"{"name":" ","email":"anna at berg"}"#,
            None,
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", bad.body);
    assert_eq!(fields(&bad), ["name", "email"]);
    let unknown = api
        .post_json("/api/v1/leads", r#"{"nmae":"Anna"}"#, None)
        .await;
    assert_eq!(fields(&unknown), ["nmae"]);
    let typed = api.post_json("/api/v1/leads", r#"{"name":42}"#, None).await;
    assert_eq!(fields(&typed), ["name"]);
    assert_eq!(lead_count(&env).await, 0);
    assert_eq!(
        fields(&api.get("/api/v1/leads?state=sleeping").await),
        ["state"]
    );
    assert_eq!(
        fields(&api.get("/api/v1/leads?cursor=abc").await),
        ["cursor"]
    );
    assert_eq!(
        fields(&api.get("/api/v1/opportunities?stage=won&open=maybe").await),
        ["open"]
    );
    assert_eq!(
        api.get("/api/v1/leads/999999").await.status,
        StatusCode::NOT_FOUND
    );

    let lead = api.post_json("/api/v1/leads", ANNA, None).await.json();
    let id = lead["id"].as_i64().unwrap();
    let no_version = api
        .put_json(&format!("/api/v1/leads/{id}"), r#"{"name":"Anna"}"#)
        .await;
    assert_eq!(fields(&no_version), ["version"]);

    // A bad qualification names every field and makes no party.
    let refused = api
        .post_json(
            &format!("/api/v1/leads/{id}/qualify"),
            r#"{"title":"","amount":"12000","currency":"EUR","expected_close":"2026-13-40","lines":[{"product":"NOPE-9","qty":"0"}]}"#,
            None,
        )
        .await;
    assert_eq!(
        refused.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        refused.body
    );
    let named = fields(&refused);
    for field in [
        "title",
        "expected_close",
        "lines[0].product",
        "lines[0].qty",
    ] {
        assert!(named.contains(&field.to_owned()), "{field} in {named:?}");
    }
    let unknown_party = api
        .post_json(
            &format!("/api/v1/leads/{id}/qualify"),
            r#"{"existing_party":999999,"title":"Forklifts","amount":"1","currency":"EUR","expected_close":"2026-12-31"}"#,
            None,
        )
        .await;
    assert_eq!(fields(&unknown_party), ["existing_party"]);
    assert_eq!(party_count(&env, "Berg").await, 0);
    assert_eq!(opportunity_count(&env).await, 0);
    assert_eq!(
        api.get(&format!("/api/v1/leads/{id}")).await.json()["state"],
        "open"
    );

    let no_reason = api
        .post_json(
            &format!("/api/v1/leads/{id}/disqualify"),
            r#"{"reason":" "}"#,
            None,
        )
        .await;
    assert_eq!(fields(&no_reason), ["reason"]);
    let no_party = api
        .post_json(
            "/api/v1/opportunities",
            r#"{"party_id":999999,"title":"Forklifts","amount":"12 000,50","currency":"EUR","expected_close":"2026-12-31"}"#,
            None,
        )
        .await;
    assert_eq!(fields(&no_party), ["party_id"]);
    let bad_amount = api
        .post_json(
            "/api/v1/opportunities",
            r#"{"title":"Forklifts","amount":"lots","currency":"EURO","expected_close":"2026-12-31"}"#,
            None,
        )
        .await;
    let named = fields(&bad_amount);
    assert!(named.contains(&"party_id".to_owned()), "{named:?}");
    assert!(named.contains(&"currency".to_owned()), "{named:?}");
    assert_eq!(opportunity_count(&env).await, 0);

    // Moves and losses need an opportunity: one, then the refusals.
    let party = crate::web::company(&env, "Kund AB").await;
    let created = api
        .post_json(
            "/api/v1/opportunities",
            &format!(
                r#"{{"party_id":{party},"title":"Service","amount":"3.33","currency":"EUR","expected_close":"2026-11-30"}}"#
            ),
            None,
        )
        .await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
    let opp = created.json()["id"].as_i64().unwrap();
    let stage = api
        .post_json(
            &format!("/api/v1/opportunities/{opp}/stage"),
            r#"{"stage":"sideways"}"#,
            None,
        )
        .await;
    assert_eq!(fields(&stage), ["stage"]);
    let to_won = api
        .post_json(
            &format!("/api/v1/opportunities/{opp}/stage"),
            r#"{"stage":"won"}"#,
            None,
        )
        .await;
    assert_eq!(to_won.status, StatusCode::CONFLICT, "{}", to_won.body);
    let no_reason = api
        .post_json(&format!("/api/v1/opportunities/{opp}/lose"), r#"{}"#, None)
        .await;
    assert_eq!(fields(&no_reason), ["reason"]);
    let lost = api
        .post_json(
            &format!("/api/v1/opportunities/{opp}/lose"),
            r#"{"reason":"Chose a local supplier"}"#,
            None,
        )
        .await;
    assert_eq!(lost.status, StatusCode::OK, "{}", lost.body);
    assert_eq!(lost.json()["stage"], "lost");
    assert_eq!(lost.json()["lost_reason"], "Chose a local supplier");
    // Won without product lines: no quote.
    let other = api
        .post_json(
            "/api/v1/opportunities",
            &format!(
                r#"{{"party_id":{party},"title":"Advice","amount":"100","currency":"EUR","expected_close":"2026-11-30"}}"#
            ),
            None,
        )
        .await
        .json();
    let won = api
        .post_json(
            &format!("/api/v1/opportunities/{}/win", other["id"]),
            "",
            None,
        )
        .await;
    assert_eq!(won.status, StatusCode::OK, "{}", won.body);
    assert!(won.json()["quote_id"].is_null());

    let no_record = api
        .post_json(
            "/api/v1/activities",
            r#"{"kind":"call","subject":"Call","lead_id":999999}"#,
            None,
        )
        .await;
    assert_eq!(fields(&no_record), ["record"]);
    let two_records = api
        .post_json(
            "/api/v1/activities",
            &format!(r#"{{"kind":"dance","subject":"Call","lead_id":{id},"party_id":{party}}}"#),
            None,
        )
        .await;
    assert_eq!(fields(&two_records), ["kind", "record"]);
}

async fn a_token_without_sales_permission_is_refused_the_pipeline(backend: Backend) {
    let Some(env) = env(backend).await else {
        return;
    };
    let (_, mut crm_only) = api(&env, "marta", &[Role::Sales], &[Permission::CrmUse]).await;
    let lead = crm_only.post_json("/api/v1/leads", ANNA, None).await;
    assert_eq!(lead.status, StatusCode::CREATED, "{}", lead.body);
    let id = lead.json()["id"].as_i64().unwrap();
    assert_eq!(crm_only.get("/api/v1/leads").await.status, StatusCode::OK);
    for path in [
        "/api/v1/opportunities",
        "/api/v1/opportunities/1",
        "/api/v1/crm/forecast",
        "/api/v1/crm/board",
    ] {
        let refused = crm_only.get(path).await;
        assert_eq!(refused.status, StatusCode::FORBIDDEN, "{path}");
        assert_eq!(refused.content_type(), "application/problem+json");
    }
    let qualify = crm_only
        .post_json(
            &format!("/api/v1/leads/{id}/qualify"),
            r#"{"title":"Forklifts","amount":"1","currency":"EUR","expected_close":"2026-12-31"}"#,
            None,
        )
        .await;
    assert_eq!(qualify.status, StatusCode::FORBIDDEN);
    let create = crm_only
        .post_json("/api/v1/opportunities", r#"{"title":"x"}"#, None)
        .await;
    assert_eq!(create.status, StatusCode::FORBIDDEN);

    // Marketing works leads but holds no sales.use.
    let (_, mut marketing) = api(
        &env,
        "mia",
        &[Role::Marketing],
        &[Permission::CrmUse, Permission::PartiesRead],
    )
    .await;
    assert_eq!(marketing.get("/api/v1/leads").await.status, StatusCode::OK);
    assert_eq!(
        marketing.get("/api/v1/opportunities").await.status,
        StatusCode::FORBIDDEN
    );

    // sales.use without parties.write may not qualify: the use case refuses, nothing is written.
    let (_, mut seller) = api(
        &env,
        "sven",
        &[Role::Sales],
        &[Permission::CrmUse, Permission::SalesUse],
    )
    .await;
    let refused = seller
        .post_json(
            &format!("/api/v1/leads/{id}/qualify"),
            r#"{"title":"Forklifts","amount":"1","currency":"EUR","expected_close":"2026-12-31"}"#,
            None,
        )
        .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN, "{}", refused.body);
    assert_eq!(party_count(&env, "Berg").await, 0);
    assert_eq!(opportunity_count(&env).await, 0);
    assert_eq!(
        seller.get("/api/v1/opportunities").await.status,
        StatusCode::OK
    );
}

async fn a_lead_import_is_all_or_nothing_with_line_named_errors(backend: Backend) {
    let Some(env) = env(backend).await else {
        return;
    };
    let (_, mut api) = api(&env, "sara", &[Role::Sales], SALES_SCOPES).await;
    api.post_json("/api/v1/leads", ANNA, None).await;

    let bad = "name,company,email,phone,notes,campaign\n\
        Bo Ek,Ek AB,bo@ek.example,,,fair\n\
        Cecilia Lund,,not-an-address,,,\n\
        ,Nameless AB,,,,\n";
    let refused = post_csv(&mut api, "/api/v1/leads/import", "text/csv", bad).await;
    assert_eq!(
        refused.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        refused.body
    );
    assert_eq!(fields(&refused), ["line 3: email", "line 4: name"]);
    assert_eq!(lead_count(&env).await, 1, "nothing of the file was written");

    let good = "name,company,email\n\
        Bo Ek,Ek AB,bo@ek.example\n\
        Anna Berg,Berg Logistik AB,ANNA@berg-logistik.se\n";
    let imported = post_csv(
        &mut api,
        "/api/v1/leads/import",
        "text/csv; charset=utf-8",
        good,
    )
    .await;
    assert_eq!(imported.status, StatusCode::CREATED, "{}", imported.body);
    let report = imported.json();
    assert_eq!(report["created"].as_array().unwrap().len(), 2);
    assert_eq!(report["possible_duplicates"], 1);
    assert_eq!(lead_count(&env).await, 3);
    let listed = api.get("/api/v1/leads?q=ek.example").await.json();
    assert_eq!(listed["items"][0]["source"], "import");

    let wrong_type = post_csv(&mut api, "/api/v1/leads/import", "application/json", good).await;
    assert_eq!(wrong_type.status, StatusCode::UNSUPPORTED_MEDIA_TYPE);
    let empty = post_csv(&mut api, "/api/v1/leads/import", "text/csv", "name\n").await;
    assert_eq!(fields(&empty), ["file"]);
    assert_eq!(lead_count(&env).await, 3);
}
