//! IT support and hire to retire through the router on both backends: HR
//! hires through the form (a bad form names the field and writes nothing),
//! IT completes the login task from its task list, the asset and licence
//! API refuses what the rules refuse, and offboarding through the API
//! leaves the leaver's session and token dead.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use axum::http::StatusCode;
use seam_domain::access::Role;

use crate::common::{Backend, Client, env};

both_backends!(
    hr_hires_it_creates_the_login_and_offboarding_ends_every_way_in,
    the_asset_and_licence_api_refuses_what_the_rules_refuse,
);

fn hire_fields(start: &str, salary: &str) -> Vec<(&'static str, String)> {
    vec![
        ("name", "Nora Newhire".into()),
        ("work_email", "nora@example.com".into()),
        ("national_id", "NI-4455".into()),
        ("start_date", start.into()),
        ("working_time_pct", "100".into()),
        ("hours_per_week", "40".into()),
        ("salary", salary.into()),
        ("currency", "EUR".into()),
        ("salary_period", "month".into()),
    ]
}

async fn post(
    client: &mut Client,
    path: &str,
    fields: &[(&'static str, String)],
) -> crate::common::Response {
    let fields: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
    client.post_form(path, &fields).await
}

async fn hr_hires_it_creates_the_login_and_offboarding_ends_every_way_in(backend: Backend) {
    let Some(env) = env(backend).await else {
        return;
    };
    env.user("hrofficer", &[Role::Hr], None).await;
    env.user("itsupport", &[Role::It], None).await;
    let mut hr = env.logged_in("hrofficer").await;
    let mut it = env.logged_in("itsupport").await;

    // A negative salary is refused, the form keeps what was typed.
    let r = post(&mut hr, "/hr/hire", &hire_fields("2026-01-05", "-1")).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        r.body.contains("Nora Newhire") && r.body.contains("f-salary-error"),
        "{}",
        r.body
    );
    let list = hr.get("/api/v1/hr/employees").await.json();
    assert_eq!(list.as_array().unwrap().len(), 0, "nothing written");

    // The position's login gets the sales role, as IT set it.
    let r = hr
        .post_json(
            "/api/v1/hr/positions",
            r#"{"title":"Account manager"}"#,
            None,
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let position = r.json()["id"].as_i64().unwrap().to_string();
    let r = post(
        &mut it,
        &format!("/it/positions/{position}/roles"),
        &[("login_roles", "wizard".into())],
    )
    .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let r = post(
        &mut it,
        &format!("/it/positions/{position}/roles"),
        &[("login_roles", "sales".into())],
    )
    .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    let mut fields = hire_fields("2026-01-05", "3100");
    fields.push(("position_id", position));
    let r = post(&mut hr, "/hr/hire", &fields).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let employee = r.location().to_owned();
    let page = hr.get(&employee).await;
    assert!(
        page.body.contains("id=\"checklist-progress\">0 / 6"),
        "{}",
        page.body
    );

    // IT's list holds its three tasks; the login task creates the login.
    let tasks = it.get("/api/v1/tasks").await.json();
    let tasks = tasks.as_array().unwrap();
    assert_eq!(tasks.len(), 3);
    let login = tasks.iter().find(|t| t["code"] == "login").unwrap()["id"]
        .as_i64()
        .unwrap();
    let page = it.get(&format!("/tasks/{login}")).await;
    assert_eq!(page.status, StatusCode::OK);
    let weak = [
        ("username", "nora".to_owned()),
        ("password", "short".to_owned()),
    ];
    let r = post(&mut it, &format!("/tasks/{login}"), &weak).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body.contains("f-password-error"));
    let good = [
        ("username", "nora".to_owned()),
        ("password", crate::common::PASSWORD.to_owned()),
    ];
    let r = post(&mut it, &format!("/tasks/{login}"), &good).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let page = hr.get(&employee).await;
    assert!(page.body.contains("id=\"checklist-progress\">1 / 6"));
    // IT reads the record but never the salary.
    let seen = it.get(&employee).await;
    assert_eq!(seen.status, StatusCode::OK);
    assert!(!seen.body.contains("3,100") && !seen.body.contains("3100"));
    // HR's tasks are not IT's to complete.
    let hr_tasks = hr.get("/api/v1/tasks").await.json();
    let documents = hr_tasks
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["code"] == "documents")
        .unwrap()["id"]
        .as_i64()
        .unwrap();
    let r = it
        .post_json(&format!("/api/v1/tasks/{documents}/complete"), "{}", None)
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);

    // Nora logs in and makes a token; offboarding ends both at once.
    let mut nora = env.logged_in("nora").await;
    assert_eq!(nora.get("/me").await.status, StatusCode::OK);
    let nora_user = seam_store::users::user_by_username(&env.app.db, "nora")
        .await
        .unwrap()
        .unwrap();
    let nora_actor = seam_app::auth::actor_from_user(&nora_user, None);
    assert!(nora_actor.roles.contains(&Role::Sales));
    let id: i64 = employee.rsplit('/').next().unwrap().parse().unwrap();
    let scope = seam_domain::access::Permission::PartiesRead;
    let (_, token) = seam_app::tokens::create_token(
        &env.app,
        &nora_actor,
        nora_actor.user_id.unwrap(),
        "script",
        &[scope],
    )
    .await
    .unwrap();
    let mut api = env.client();
    api.bearer = Some(token);
    assert_eq!(api.get("/api/v1/parties").await.status, StatusCode::OK);
    let today = seam_app::today().iso();
    let r = hr
        .post_json(
            &format!("/api/v1/hr/employees/{id}/offboard"),
            &format!("{{\"end_date\":\"{today}\"}}"),
            None,
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let done: Vec<String> = r
        .json()
        .as_array()
        .unwrap()
        .iter()
        .filter(|t| t["checklist"] == "offboarding" && t["done"] == true)
        .map(|t| t["code"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(done, ["access-revoked", "seats-freed"]);
    let after = nora.get("/me").await;
    assert_ne!(after.status, StatusCode::OK, "the session is gone");
    let mut again = env.client();
    let r = again
        .post_form(
            "/login",
            &[("username", "nora"), ("password", crate::common::PASSWORD)],
        )
        .await;
    assert_ne!(
        r.status,
        StatusCode::SEE_OTHER,
        "no login after offboarding"
    );
    assert_eq!(
        api.get("/api/v1/parties").await.status,
        StatusCode::UNAUTHORIZED
    );
}

async fn the_asset_and_licence_api_refuses_what_the_rules_refuse(backend: Backend) {
    let Some(env) = env(backend).await else {
        return;
    };
    env.user("hrofficer", &[Role::Hr], None).await;
    env.user("itsupport", &[Role::It], None).await;
    env.user("seller", &[Role::Sales], None).await;
    let mut hr = env.logged_in("hrofficer").await;
    let mut it = env.logged_in("itsupport").await;
    let mut sales = env.logged_in("seller").await;
    let r = post(&mut hr, "/hr/hire", &hire_fields("2026-01-05", "3100")).await;
    let who: i64 = r.location().rsplit('/').next().unwrap().parse().unwrap();

    let laptop = r#"{"kind":"laptop","model":"ThinkPad T14","serial_number":"PF-1","purchase_date":"2026-02-01","cost":"1249.90","currency":"EUR"}"#;
    let r = it.post_json("/api/v1/it/assets", laptop, None).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let asset = r.json();
    assert_eq!(asset["tag"], "IT-000001");
    let id = asset["id"].as_i64().unwrap();
    let r = it.post_json("/api/v1/it/assets", laptop, None).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body.contains("serial_number"));
    let bad = r#"{"kind":"toaster","model":"","serial_number":"X","currency":"EUR","cost":"-3"}"#;
    let r = it.post_json("/api/v1/it/assets", bad, None).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    for field in ["kind", "model", "cost"] {
        assert!(
            r.body.contains(&format!("\"{field}\"")),
            "{field}: {}",
            r.body
        );
    }
    let r = it
        .post_json(
            &format!("/api/v1/it/assets/{id}/move"),
            &format!("{{\"status\":\"assigned\",\"employee_id\":{who}}}"),
            None,
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.json()["status"], "assigned");
    let r = it
        .post_json(
            &format!("/api/v1/it/assets/{id}/move"),
            r#"{"status":"retired"}"#,
            None,
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let page = it.get(&format!("/it/assets/{id}")).await;
    assert!(
        page.body.contains("Handed to an employee"),
        "history on the page"
    );
    let csv = it.get("/it/assets.csv").await;
    assert!(csv.content_type().starts_with("text/csv"));
    assert!(csv.body.contains("IT-000001,laptop,ThinkPad T14,PF-1"));

    let r = it
        .post_json(
            "/api/v1/it/licences",
            r#"{"product":"Office","seats":1,"currency":"EUR"}"#,
            None,
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let licence = r.json()["id"].as_i64().unwrap();
    let seat = format!("{{\"employee_id\":{who}}}");
    let r = it
        .post_json(&format!("/api/v1/it/licences/{licence}/seats"), &seat, None)
        .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.body);
    let r = post(&mut hr, "/hr/hire", &hire_fields("2026-01-05", "3100")).await;
    let other: i64 = r.location().rsplit('/').next().unwrap().parse().unwrap();
    let r = it
        .post_json(
            &format!("/api/v1/it/licences/{licence}/seats"),
            &format!("{{\"employee_id\":{other}}}"),
            None,
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body.contains("licence_id"), "{}", r.body);
    let page = it.get("/it/licences").await;
    assert!(page.body.contains("1 / 1"));

    // Sales has no business in the register; an unknown field is refused.
    assert_eq!(sales.get("/it").await.status, StatusCode::FORBIDDEN);
    assert_eq!(
        sales.get("/api/v1/it/assets").await.status,
        StatusCode::FORBIDDEN
    );
    let r = it
        .post_json(
            "/api/v1/it/licences",
            r#"{"product":"X","seats":1,"currency":"EUR","colour":"red"}"#,
            None,
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
}
