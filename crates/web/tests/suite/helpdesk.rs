//! The internal helpdesk through the router on both backends: an employee
//! (role `employee`, no permissions) opens an IT request at `/me/it`, IT
//! answers it at the service desk, the employee reads the answer; a
//! colleague guessing its id finds nothing, in HTML and in JSON; bad forms
//! name the field; an access request goes to the manager at
//! `/me/approvals`, whose approval gives IT a ticket.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use axum::http::StatusCode;
use seam_domain::access::Role;

use crate::common::{Backend, Client, Env, env};

both_backends!(
    an_it_request_is_answered_at_the_desk_and_read_in_self_service,
    access_is_requested_approved_by_the_manager_and_lands_with_it,
);

async fn create(hr: &mut Client, name: &str, username: &str) -> i64 {
    let r = hr
        .post_form("/hr/employees", &[("name", name), ("username", username)])
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    r.location().rsplit('/').next().unwrap().parse().unwrap()
}

async fn contract(hr: &mut Client, id: i64, manager: &str) {
    let r = hr
        .post_form(
            &format!("/hr/employees/{id}/contracts"),
            &[
                ("start_date", "2020-01-01"),
                ("manager_id", manager),
                ("working_time_pct", "100"),
                ("hours_per_week", "40"),
                ("salary", "4000.00"),
                ("currency", "EUR"),
                ("salary_period", "month"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
}

/// HR, a boss and two reports (Anna, Ben), each with a login, and IT.
async fn setup(env: &Env) {
    env.user("hrofficer", &[Role::Hr], None).await;
    env.user("bossuser", &[Role::Employee], None).await;
    env.user("anna", &[Role::Employee], None).await;
    env.user("ben", &[Role::Employee], None).await;
    env.user("itsupport", &[Role::It], None).await;
    let mut hr = env.logged_in("hrofficer").await;
    let boss = create(&mut hr, "Bea Boss", "bossuser").await;
    let anna = create(&mut hr, "Anna Berg", "anna").await;
    let ben = create(&mut hr, "Ben Olsen", "ben").await;
    contract(&mut hr, boss, "").await;
    contract(&mut hr, anna, &boss.to_string()).await;
    contract(&mut hr, ben, &boss.to_string()).await;
}

async fn an_it_request_is_answered_at_the_desk_and_read_in_self_service(backend: Backend) {
    let Some(env) = env(backend).await else {
        return;
    };
    setup(&env).await;
    let mut anna = env.logged_in("anna").await;
    assert!(anna.get("/me").await.body.contains("href=\"/me/it\""));
    let bad = anna
        .post_form(
            "/me/it",
            &[("subject", ""), ("body", "Broken"), ("priority", "normal")],
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad.body.contains("f-subject-error"), "{}", bad.body);
    let r = anna
        .post_form(
            "/me/it",
            &[
                ("subject", "Screen flickers"),
                ("body", "Every few minutes."),
                ("priority", "high"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let path = r.location().to_owned();
    let id: i64 = path.rsplit('/').next().unwrap().parse().unwrap();
    let list = anna.get("/me/it").await;
    assert_eq!(list.status, StatusCode::OK);
    assert!(list.body.contains("Screen flickers"));
    // IT finds it in its queue and answers.
    let mut it = env.logged_in("itsupport").await;
    let queue = it.get("/service/tickets?queue=it").await;
    assert_eq!(queue.status, StatusCode::OK);
    assert!(queue.body.contains("Screen flickers"), "{}", queue.body);
    let r = it
        .post_form(
            &format!("/service/tickets/{id}/reply"),
            &[("body", "Swap the cable, please.")],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let r = it
        .post_form(
            &format!("/service/tickets/{id}/reply"),
            &[("body", "SECRET-NOTE"), ("visibility", "internal")],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let thread = anna.get(&path).await;
    assert_eq!(thread.status, StatusCode::OK);
    assert!(thread.body.contains("Swap the cable, please."));
    assert!(!thread.body.contains("SECRET-NOTE"));
    let json = anna.get(&format!("/api/v1/me/it-requests/{id}")).await;
    assert_eq!(json.status, StatusCode::OK);
    assert_eq!(json.json()["queue"], "it");
    assert_eq!(json.json()["channel"], "portal");
    assert!(!json.body.contains("SECRET-NOTE"));
    // Ben guesses the id: nothing, in HTML and in JSON.
    let mut ben = env.logged_in("ben").await;
    assert_eq!(ben.get(&path).await.status, StatusCode::NOT_FOUND);
    assert_eq!(
        ben.get(&format!("/api/v1/me/it-requests/{id}"))
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    let reply = ben
        .post_json(
            &format!("/api/v1/me/it-requests/{id}/replies"),
            r#"{"body":"me too"}"#,
            None,
        )
        .await;
    assert_eq!(reply.status, StatusCode::NOT_FOUND);
    assert_eq!(
        ben.post_form(&format!("/me/it/{id}/close"), &[])
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    // The API opens, lists and answers too.
    let created = anna
        .post_json(
            "/api/v1/me/it-requests",
            r#"{"subject":"VPN","body":"It drops.","priority":"low"}"#,
            None,
        )
        .await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
    let second = created.json()["id"].as_i64().unwrap();
    let bad = anna
        .post_json(
            "/api/v1/me/it-requests",
            r#"{"subject":"","body":"x"}"#,
            None,
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad.body.contains("subject"), "{}", bad.body);
    let answered = anna
        .post_json(
            &format!("/api/v1/me/it-requests/{second}/replies"),
            r#"{"body":"Still dropping."}"#,
            None,
        )
        .await;
    assert_eq!(answered.status, StatusCode::CREATED, "{}", answered.body);
    let mine = anna.get("/api/v1/me/it-requests").await.json();
    assert_eq!(mine["items"].as_array().unwrap().len(), 2);
    assert!(
        ben.get("/api/v1/me/it-requests").await.json()["items"]
            .as_array()
            .unwrap()
            .is_empty()
    );
    // The employee closes her own request.
    let r = anna.post_form(&format!("/me/it/{id}/close"), &[]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert_eq!(
        anna.get(&format!("/api/v1/me/it-requests/{id}"))
            .await
            .json()["state"],
        "closed"
    );
}

async fn access_is_requested_approved_by_the_manager_and_lands_with_it(backend: Backend) {
    let Some(env) = env(backend).await else {
        return;
    };
    setup(&env).await;
    let mut anna = env.logged_in("anna").await;
    let bad = anna
        .post_form("/me/access", &[("role", "wizard"), ("reason", "Why not")])
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad.body.contains("f-role-error"), "{}", bad.body);
    let bad = anna
        .post_form("/me/access", &[("system", ""), ("reason", "Why not")])
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad.body.contains("f-system-error"), "{}", bad.body);
    let r = anna
        .post_form(
            "/me/access",
            &[("role", "sales"), ("reason", "I cover the sales desk.")],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let mine = anna.get("/api/v1/me/access-requests").await.json();
    assert_eq!(mine["items"].as_array().unwrap().len(), 1, "{mine}");
    let id = mine["items"][0]["id"].as_i64().unwrap();
    assert_eq!(mine["items"][0]["state"], "requested");
    // Anna may not decide her own; Ben, a colleague, finds nothing.
    let own = anna
        .post_form(&format!("/me/access/{id}/approve"), &[])
        .await;
    assert_eq!(own.status, StatusCode::FORBIDDEN);
    let mut ben = env.logged_in("ben").await;
    let r = ben
        .post_json(&format!("/api/v1/access-requests/{id}/approve"), "{}", None)
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    // The manager approves from "My approvals".
    let mut boss = env.logged_in("bossuser").await;
    let waiting = boss.get("/me/approvals").await;
    assert!(waiting.body.contains("Anna Berg"), "{}", waiting.body);
    let listed = boss.get("/api/v1/access-requests").await.json();
    assert_eq!(listed["items"][0]["id"], id);
    let r = boss
        .post_form(&format!("/me/access/{id}/approve"), &[("note", "")])
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let row = anna
        .get(&format!("/api/v1/access-requests/{id}"))
        .await
        .json();
    assert_eq!(row["state"], "approved");
    let ticket = row["ticket_id"].as_i64().unwrap();
    // IT has the ticket for the grant.
    let mut it = env.logged_in("itsupport").await;
    let page = it.get(&format!("/service/tickets/{ticket}")).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(
        page.body.contains("Access: sales role for Anna Berg"),
        "{}",
        page.body
    );
    // Decided once.
    let again = boss
        .post_json(&format!("/api/v1/access-requests/{id}/reject"), "{}", None)
        .await;
    assert_eq!(again.status, StatusCode::CONFLICT);
}
