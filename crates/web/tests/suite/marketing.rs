//! Marketing over HTTP on SQLite and (with `SEAM_TEST_PG_URL`) PostgreSQL:
//! a marketer previews and saves a segment and writes a campaign through the
//! pages (bad input comes back with field errors and nothing saved), sends
//! it, and the recipient unsubscribes with the one-click POST of RFC 8058,
//! with no session and twice; the JSON API names bad fields, sends, records
//! bounces and exports the suppression list; other roles are refused.

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use seam_app::{Actor, marketing, parties, tokens};
use seam_domain::access::{Permission, Role};
use seam_domain::ids::UserId;
use seam_domain::party::PartyDraft;

use crate::common::{Backend, Client, Env, env};

both_backends!(
    a_marketer_sends_a_campaign_from_the_pages_and_one_click_unsubscribe_needs_no_login,
    the_marketing_api_names_bad_fields_sends_and_exports_the_suppression_list,
);

async fn customers(env: &Env) {
    for (name, email) in [("Acme AB", "info@acme.se"), ("Bolt Oy", "hello@bolt.fi")] {
        let draft = PartyDraft {
            kind: "company".into(),
            name: name.into(),
            email: email.into(),
            is_customer: true,
            ..PartyDraft::default()
        };
        parties::create_party(&env.app, &Actor::system("test"), &draft)
            .await
            .unwrap();
    }
}

async fn one_click(client: &mut Client, token: &str) -> crate::common::Response {
    let request = Request::post(format!("/u/{token}"))
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(Body::from("List-Unsubscribe=One-Click"))
        .unwrap();
    client.send(request).await
}

async fn a_marketer_sends_a_campaign_from_the_pages_and_one_click_unsubscribe_needs_no_login(
    backend: Backend,
) {
    let Some(env) = env(backend).await else {
        return;
    };
    customers(&env).await;
    env.user("mia", &[Role::Marketing], None).await;
    let mut mia = env.logged_in("mia").await;
    let admin = Actor::system("test");

    let area = mia.get("/marketing").await;
    assert_eq!(area.status, StatusCode::OK);
    assert!(area.body.contains("/marketing/campaigns"));
    let preview = mia
        .post_form(
            "/marketing/segments/preview",
            &[("name", "Everyone"), ("overdue", "any")],
        )
        .await;
    assert_eq!(preview.status, StatusCode::OK);
    assert!(
        preview
            .body
            .contains("2 parties, 2 with an e-mail address."),
        "{}",
        preview.body
    );
    assert!(
        marketing::segments(&env.app, &admin)
            .await
            .unwrap()
            .is_empty()
    );
    let bad = mia
        .post_form(
            "/marketing/segments",
            &[("name", "Old"), ("created_days", "0")],
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad.body.contains("Give a whole number of days"));
    let saved = mia
        .post_form(
            "/marketing/segments",
            &[("name", "Everyone"), ("overdue", "any")],
        )
        .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER);
    let segment_path = saved.location().to_owned();
    let segment_id = segment_path.rsplit('/').next().unwrap().to_owned();
    let page = mia.get(&segment_path).await;
    assert!(page.body.contains("Acme AB") && page.body.contains("Bolt Oy"));

    let wrong = mia
        .post_form(
            "/marketing/campaigns",
            &[
                ("name", "Spring fair"),
                ("code", "spring-fair"),
                ("from_address", "nope"),
                ("segment_id", &segment_id),
                ("subject", ""),
                ("body", "Hello {{zip}}"),
            ],
        )
        .await;
    assert_eq!(wrong.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        wrong.body.contains("There is no merge field {{zip}}."),
        "{}",
        wrong.body
    );
    assert!(wrong.body.contains("This is not a valid e-mail address."));
    assert!(
        wrong.body.contains("Hello {{zip}}"),
        "the body is kept as typed"
    );
    assert!(
        marketing::campaigns(&env.app, &admin, None)
            .await
            .unwrap()
            .is_empty()
    );
    let created = mia
        .post_form(
            "/marketing/campaigns",
            &[
                ("name", "Spring fair"),
                ("code", "spring-fair"),
                ("from_address", "news@seam.example.com"),
                ("segment_id", &segment_id),
                ("subject", "Hello {{first_name}}"),
                ("body", "See you at the fair.\n{{unsubscribe_url}}"),
            ],
        )
        .await;
    assert_eq!(created.status, StatusCode::SEE_OTHER, "{}", created.body);
    let campaign_path = created.location().to_owned();
    let sent = mia
        .post_form(&format!("{campaign_path}/send"), &[("at", "")])
        .await;
    assert_eq!(sent.status, StatusCode::SEE_OTHER, "{}", sent.body);
    let page = mia.get(&campaign_path).await;
    assert!(page.body.contains("Sending"));
    assert!(
        page.body.contains("Queued: <strong>2</strong>"),
        "{}",
        page.body
    );
    assert!(
        mia.get(&format!("{campaign_path}/attribution.csv"))
            .await
            .body
            .starts_with("campaign,lead_id")
    );

    // The recipient's mail client posts the one-click body: no session, no form token.
    let id: i64 = campaign_path.rsplit('/').next().unwrap().parse().unwrap();
    let detail = marketing::campaign(&env.app, &admin, id).await.unwrap();
    let token = detail.recipients[0].token.clone();
    let mut stranger = env.client();
    let confirm = stranger.get(&format!("/u/{token}")).await;
    assert_eq!(confirm.status, StatusCode::OK);
    assert!(confirm.body.contains("i…@acme.se") && confirm.body.contains("id=\"unsubscribe\""));
    for _ in 0..2 {
        let done = one_click(&mut stranger, &token).await;
        assert_eq!(done.status, StatusCode::OK, "{}", done.body);
        assert!(done.body.contains("is unsubscribed"));
        assert!(stranger.cookie.is_none());
    }
    let list = marketing::suppressions(&env.app, &admin, "", "")
        .await
        .unwrap();
    assert_eq!(list.len(), 1);
    assert_eq!(list[0].reason, "unsubscribe");
    let history = marketing::consents(&env.app, &admin, "info@acme.se", None)
        .await
        .unwrap();
    assert_eq!(history.len(), 1, "the second click adds nothing");
    assert_eq!(
        one_click(&mut stranger, &"ab".repeat(32)).await.status,
        StatusCode::NOT_FOUND
    );
    // The suppression page shows it, and its CSV has it.
    let page = mia.get("/marketing/suppressions").await;
    assert!(page.body.contains("info@acme.se") && page.body.contains("Unsubscribed"));
    let csv = mia.get("/marketing/suppressions.csv").await;
    assert!(csv.content_type().starts_with("text/csv"));
    assert!(
        csv.body
            .contains("info@acme.se,unsubscribe,campaign spring-fair")
    );

    // Sales staff do not reach marketing's pages.
    env.user("sam", &[Role::Sales], None).await;
    let mut sam = env.logged_in("sam").await;
    assert_eq!(
        sam.get("/marketing/segments").await.status,
        StatusCode::FORBIDDEN
    );
}

async fn api(env: &Env, username: &str, roles: &[Role], scopes: &[Permission]) -> Client {
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
    client
}

fn fields(response: &crate::common::Response) -> Vec<(String, String)> {
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

async fn the_marketing_api_names_bad_fields_sends_and_exports_the_suppression_list(
    backend: Backend,
) {
    let Some(env) = env(backend).await else {
        return;
    };
    customers(&env).await;
    let mut client = api(&env, "mia", &[Role::Marketing], &[Permission::MarketingUse]).await;

    let bad = client
        .post_json(
            "/api/v1/segments",
            r#"{"name": "", "filter": {"kind": "robot", "bought_days": 30}}"#,
            None,
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(bad.content_type(), "application/problem+json");
    assert_eq!(
        fields(&bad),
        [
            ("name".to_owned(), "error-required".to_owned()),
            ("filter.kind".to_owned(), "error-party-kind".to_owned()),
            ("filter.bought_sku".to_owned(), "error-required".to_owned()),
        ]
    );
    let preview = client
        .post_json(
            "/api/v1/segments/preview",
            r#"{"name": "x", "filter": {"kind": "company"}}"#,
            None,
        )
        .await;
    assert_eq!(preview.json()["count"], 2);
    let segment = client
        .post_json(
            "/api/v1/segments",
            r#"{"name": "Companies", "filter": {"kind": "company"}}"#,
            None,
        )
        .await;
    assert_eq!(segment.status, StatusCode::CREATED, "{}", segment.body);
    let segment = segment.json();
    assert_eq!(segment["filter"]["kind"], "company");
    assert_eq!(segment["preview"]["members"].as_array().unwrap().len(), 2);
    let segment_id = segment["id"].as_i64().unwrap();

    let campaign = |subject: &str| {
        format!(
            r#"{{"code": "news", "name": "News", "subject": "{subject}", "body": "Hi {{{{name}}}}", "from_address": "news@seam.example.com", "segment_id": {segment_id}}}"#
        )
    };
    let bad = client
        .post_json("/api/v1/campaigns", &campaign("Hi {{frist_name}}"), None)
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        fields(&bad),
        [("subject".to_owned(), "error-merge-field".to_owned())]
    );
    assert_eq!(
        bad.json()["errors"][0]["message"],
        "There is no merge field {{frist_name}}."
    );
    let created = client
        .post_json("/api/v1/campaigns", &campaign("Hi {{first_name}}"), None)
        .await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
    let id = created.json()["id"].as_i64().unwrap();
    assert_eq!(created.json()["state"], "draft");
    let sent = client
        .post_json(&format!("/api/v1/campaigns/{id}/send"), "{}", None)
        .await;
    assert_eq!(sent.status, StatusCode::OK, "{}", sent.body);
    assert_eq!(sent.json()["state"], "sending");
    assert_eq!(sent.json()["counts"][0]["status"], "queued");
    assert_eq!(sent.json()["counts"][0]["count"], 2);
    let again = client
        .post_json(&format!("/api/v1/campaigns/{id}/send"), "{}", None)
        .await;
    assert_eq!(again.status, StatusCode::CONFLICT);
    let queued = client
        .get(&format!("/api/v1/campaigns/{id}/recipients?status=queued"))
        .await;
    assert_eq!(queued.json()["items"].as_array().unwrap().len(), 2);

    let bad = client
        .post_json("/api/v1/bounces", r#"{"email": "not-an-address"}"#, None)
        .await;
    assert_eq!(
        fields(&bad),
        [("email".to_owned(), "error-email".to_owned())]
    );
    let bounce = client
        .post_json(
            "/api/v1/bounces",
            r#"{"email": "hello@bolt.fi", "hard": true}"#,
            None,
        )
        .await;
    assert_eq!(bounce.status, StatusCode::OK);
    assert_eq!(bounce.json()["messages"], 0, "nothing was sent yet");
    let added = client
        .post_json(
            "/api/v1/suppressions",
            r#"{"email": "info@acme.se", "note": "asked"}"#,
            None,
        )
        .await;
    assert_eq!(added.json()["added"], true);
    let list = client.get("/api/v1/suppressions").await.json();
    assert_eq!(list["items"].as_array().unwrap().len(), 2);
    let csv = client.get("/api/v1/suppressions?format=csv").await;
    assert!(csv.content_type().starts_with("text/csv"));
    assert!(csv.body.contains("hello@bolt.fi,bounce,"));
    let removed = client
        .post_json(
            "/api/v1/suppressions/remove",
            r#"{"email": "info@acme.se"}"#,
            None,
        )
        .await;
    assert_eq!(removed.json()["reason"], "manual");
    let consent = client
        .post_json(
            "/api/v1/consents",
            r#"{"email": "info@acme.se", "state": "granted", "source": "fair"}"#,
            None,
        )
        .await;
    assert_eq!(consent.status, StatusCode::CREATED);
    let history = client
        .get("/api/v1/consents?email=info@acme.se")
        .await
        .json();
    assert_eq!(history["items"][0]["state"], "granted");
    let attribution = client
        .get(&format!("/api/v1/campaigns/{id}/attribution"))
        .await;
    assert_eq!(attribution.json()["code"], "news");
    assert_eq!(attribution.json()["leads"], 0);

    // A token without marketing.use is refused.
    let mut sales = api(&env, "sam", &[Role::Sales], &[Permission::CrmUse]).await;
    assert_eq!(
        sales.get("/api/v1/segments").await.status,
        StatusCode::FORBIDDEN
    );
}
