//! Reception's visitor log through the pages and the API.

use axum::http::StatusCode;
use seam_domain::access::{Permission, Role};

use crate::common::{Backend, env};

both_backends!(
    a_visitor_checks_in_and_out_through_the_pages,
    the_visits_api_checks_in_lists_and_checks_out_with_a_token,
);

async fn a_visitor_checks_in_and_out_through_the_pages(backend: Backend) {
    let Some(env) = env(backend).await else {
        return;
    };
    env.user("rita", &[Role::Receptionist], None).await;
    let host = env.user("hanna", &[Role::Sales], None).await;
    let acme = crate::web::company(&env, "Acme AB").await;
    let mut desk = env.logged_in("rita").await;

    let page = desk.get("/reception").await;
    assert!(
        page.body.contains("/reception/visits"),
        "the area links the log"
    );
    let page = desk.get("/reception/visits").await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert!(page.body.contains("name=\"host_user_id\""));
    assert!(page.body.contains("Acme AB"), "the company picker");

    // A bad form names the field, keeps the input and writes nothing.
    let host_text = host.to_string();
    let bad = desk
        .post_form(
            "/reception/visits",
            &[
                ("visitor_name", ""),
                ("visitor_company", "Kept Company"),
                ("host_user_id", &host_text),
            ],
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad.body.contains("f-visitor_name-error"), "{}", bad.body);
    assert!(bad.body.contains("Kept Company"));
    assert_eq!(seam_store::reception::count(&env.app.db).await.unwrap(), 0);

    // The company has a request open at the service desk.
    let ticket = seam_app::service::TicketInput {
        party_id: Some(acme),
        ticket: seam_domain::service::TicketDraft {
            subject: "Chair leg broken".into(),
            body: "One chair arrived broken.".into(),
            ..Default::default()
        },
        ..Default::default()
    };
    seam_app::service::open_ticket(&env.app, &seam_app::Actor::system("test"), &ticket)
        .await
        .unwrap();

    let party = acme.to_string();
    let done = desk
        .post_form(
            "/reception/visits",
            &[
                ("visitor_name", "Ada Lovelace"),
                ("visitor_company", ""),
                ("party_id", &party),
                ("host_user_id", &host_text),
                ("purpose", "Contract"),
                ("agreement_acknowledged", "on"),
            ],
        )
        .await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);
    let link = done.location().to_owned();
    assert!(link.starts_with("/reception/visits/"));
    let visit = desk.get(&link).await;
    assert_eq!(visit.status, StatusCode::OK, "{}", visit.body);
    assert!(visit.body.contains("company-card"), "the company's card");
    assert!(
        visit.body.contains("card-tickets") && visit.body.contains("Chair leg broken"),
        "the card shows the open ticket"
    );
    assert!(visit.body.contains("check-out"));
    let badge = desk.get(&format!("{link}/badge")).await;
    assert_eq!(badge.status, StatusCode::OK);
    assert!(badge.body.contains("Ada Lovelace") && badge.body.contains("V-"));

    let list = desk.get("/reception/visits").await;
    assert!(list.body.contains("visits-inside") && list.body.contains("Ada Lovelace"));
    let out = desk.post_form(&format!("{link}/check-out"), &[]).await;
    assert_eq!(out.status, StatusCode::SEE_OTHER);
    let twice = desk.post_form(&format!("{link}/check-out"), &[]).await;
    assert_eq!(twice.status, StatusCode::CONFLICT);

    // The host sees who came for them.
    let mut hanna = env.logged_in("hanna").await;
    let notices = hanna.get("/notifications").await;
    assert!(
        notices
            .body
            .contains("Ada Lovelace has arrived at reception for you."),
        "{}",
        notices.body
    );
    assert_eq!(
        hanna.get("/reception/visits").await.status,
        StatusCode::FORBIDDEN
    );
}

async fn the_visits_api_checks_in_lists_and_checks_out_with_a_token(backend: Backend) {
    let Some(env) = env(backend).await else {
        return;
    };
    let host = env.user("hanna", &[Role::Sales], None).await;
    let (_, secret) = crate::web::token_for(
        &env,
        "desk",
        &[Role::Receptionist],
        &[Permission::ReceptionUse],
    )
    .await;
    let mut api = env.client();
    api.bearer = Some(secret);

    let bad = api
        .post_json(
            "/api/v1/visits",
            r#"{"visitor_name":"","host_user_id":999}"#,
            None,
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", bad.body);
    assert!(bad.content_type().starts_with("application/problem+json"));
    assert!(bad.body.contains("visitor_name"), "{}", bad.body);

    let created = api
        .post_json(
            "/api/v1/visits",
            &format!(r#"{{"visitor_name":"Ada","host_user_id":{host},"purpose":"Demo"}}"#),
            None,
        )
        .await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
    let visit = created.json();
    assert_eq!(visit["status"], "in");
    let id = visit["id"].as_i64().unwrap();
    let expected = api
        .post_json(
            "/api/v1/visits",
            &format!(
                r#"{{"visitor_name":"Eve","host_user_id":{host},"expected_at":"2030-01-01T09:00:00Z"}}"#
            ),
            None,
        )
        .await;
    assert_eq!(expected.status, StatusCode::CREATED, "{}", expected.body);
    assert_eq!(expected.json()["status"], "expected");

    let inside = api.get("/api/v1/visits?status=in-building").await.json();
    assert_eq!(inside["items"].as_array().unwrap().len(), 1);
    let all = api.get("/api/v1/visits").await.json();
    assert_eq!(all["items"].as_array().unwrap().len(), 2);
    let wrong = api.get("/api/v1/visits?status=maybe").await;
    assert_eq!(wrong.status, StatusCode::UNPROCESSABLE_ENTITY);

    let one = api.get(&format!("/api/v1/visits/{id}")).await;
    assert_eq!(one.json()["visitor_name"], "Ada");
    let out = api
        .post_json(&format!("/api/v1/visits/{id}/check-out"), "", None)
        .await;
    assert_eq!(out.status, StatusCode::OK, "{}", out.body);
    assert_eq!(out.json()["status"], "out");
    let twice = api
        .post_json(&format!("/api/v1/visits/{id}/check-out"), "", None)
        .await;
    assert_eq!(twice.status, StatusCode::CONFLICT);

    let doc = api.get("/api/v1/openapi.json").await;
    assert!(doc.body.contains("/api/v1/visits/{id}/check-out"));

    // A token without reception.use is refused.
    let (_, other) =
        crate::web::token_for(&env, "seller", &[Role::Sales], &[Permission::PartiesRead]).await;
    api.bearer = Some(other);
    assert_eq!(
        api.get("/api/v1/visits").await.status,
        StatusCode::FORBIDDEN
    );
}
