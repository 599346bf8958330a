//! The web layer end to end, in-process, on both backends: every route for
//! every role, login and sessions, forms, the JSON API and its errors.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]
use crate::common;
use axum::body::Body;
use axum::http::{Method, Request, StatusCode, header};
use common::{Backend, Client, Env, env};
use seam_app::{Actor, parties, tokens};
use seam_domain::access::{Grants, Permission, Role};
use seam_domain::ids::UserId;
use seam_domain::party::PartyDraft;
use seam_web::routes::{Access, routes};

both_backends!(
    every_route_allows_exactly_the_roles_that_hold_its_permission,
    anonymous_visitors_are_sent_to_login_and_api_clients_get_problem_json,
    login_starts_a_fresh_session_and_logout_ends_it,
    five_wrong_passwords_lock_the_account,
    a_second_factor_is_required_when_enabled_and_a_code_works_once,
    cross_site_form_posts_are_refused,
    every_response_carries_security_headers,
    a_bad_party_form_names_the_field_keeps_the_input_and_writes_nothing,
    a_stale_edit_is_refused_and_keeps_the_users_input,
    parties_can_be_created_found_archived_and_restored_through_the_pages,
    the_api_lists_creates_and_updates_parties_with_a_token,
    an_idempotency_key_replays_the_first_response_and_creates_once,
    api_errors_are_problem_json_naming_each_field,
    token_scopes_revocation_and_disabled_users_are_enforced,
    oversized_bodies_are_refused,
    csv_import_previews_commits_all_or_nothing,
    pages_speak_the_users_language,
    a_user_sees_opens_and_clears_only_their_own_notifications,
);

pub(crate) async fn company(env: &Env, name: &str) -> i64 {
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

/// How the server may answer a request it lets through: anything but a refusal.
fn let_through(status: StatusCode, location: &str) -> bool {
    status != StatusCode::UNAUTHORIZED
        && status != StatusCode::FORBIDDEN
        && !location.starts_with("/login?next=")
}

#[derive(Debug, PartialEq, Eq, Clone, Copy)]
enum Verdict {
    Allowed,
    Forbidden,
    Unauthenticated,
}

fn expected(access: Access, roles: Option<&[Role]>) -> Verdict {
    let Some(roles) = roles else {
        return if access == Access::Public {
            Verdict::Allowed
        } else {
            Verdict::Unauthenticated
        };
    };
    let grants = Grants::for_roles(roles);
    match access {
        Access::Public | Access::Authenticated => Verdict::Allowed,
        Access::SecondFactorPending => Verdict::Unauthenticated,
        Access::Staff if roles.contains(&Role::Portal) => Verdict::Forbidden,
        Access::Staff => Verdict::Allowed,
        Access::Permission(p) if grants.allows(p) => Verdict::Allowed,
        Access::Permission(_) => Verdict::Forbidden,
        Access::AnyOf(ps) if ps.iter().any(|p| grants.allows(*p)) => Verdict::Allowed,
        Access::AnyOf(_) => Verdict::Forbidden,
    }
}

fn verdict_of(path: &str, response: &common::Response) -> Verdict {
    if response.status == StatusCode::FORBIDDEN {
        Verdict::Forbidden
    } else if response.status == StatusCode::UNAUTHORIZED
        || response.location().starts_with("/login?next=")
    {
        assert!(
            !path.starts_with("/api/") || response.content_type() == "application/problem+json",
            "{path}"
        );
        Verdict::Unauthenticated
    } else {
        assert!(let_through(response.status, response.location()));
        Verdict::Allowed
    }
}

async fn every_route_allows_exactly_the_roles_that_hold_its_permission(backend: Backend) {
    let Some(env) = env(backend).await else {
        return;
    };
    let party = company(&env, "Matrix AB").await;
    let target = env.user("target", &[Role::Sales], None).await;
    let mut clients: Vec<(String, Option<Vec<Role>>, Client)> =
        vec![("anonymous".into(), None, env.client())];
    for role in Role::ALL {
        let party_id = (role == Role::Portal).then_some(party);
        let name = format!("u-{}", role.name());
        env.user(&name, &[role], party_id).await;
        clients.push((name.clone(), Some(vec![role]), env.logged_in(&name).await));
    }
    let table = routes();
    let mut seen = std::collections::HashSet::new();
    for route in &table {
        assert!(
            seen.insert((route.method.clone(), route.path)),
            "{} {} is declared twice",
            route.method,
            route.path
        );
    }
    let mut cells = 0;
    for route in table.iter().filter(|r| r.path != "/logout") {
        let path = route
            .path
            .replace("{file}", "seam.css")
            .replace("/admin/users/{id}", &format!("/admin/users/{target}"))
            .replace("{id}", &party.to_string());
        for (who, roles, client) in clients.iter_mut() {
            let request = Request::builder().method(route.method.clone()).uri(&path);
            let request = if route.method == Method::GET {
                request.body(Body::empty()).unwrap()
            } else {
                request
                    .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
                    .body(Body::from(""))
                    .unwrap()
            };
            let response = client.send(request).await;
            let want = expected(route.access, roles.as_deref());
            assert_eq!(
                verdict_of(&path, &response),
                want,
                "{who} {} {path}: {} {}",
                route.method,
                response.status,
                response.body.chars().take(200).collect::<String>()
            );
            cells += 1;
        }
    }
    assert_eq!(cells, (table.len() - 1) * clients.len());
    // The cells the business cares about most, stated plainly.
    let accountant = &mut clients
        .iter_mut()
        .find(|c| c.0 == "u-accountant")
        .unwrap()
        .2;
    assert_eq!(accountant.get("/hr").await.status, StatusCode::FORBIDDEN);
    let receptionist = &mut clients
        .iter_mut()
        .find(|c| c.0 == "u-receptionist")
        .unwrap()
        .2;
    assert_eq!(receptionist.get("/reception").await.status, StatusCode::OK);
    let portal = &mut clients.iter_mut().find(|c| c.0 == "u-portal").unwrap().2;
    assert_eq!(portal.get("/parties").await.status, StatusCode::FORBIDDEN);
    // The internal helpdesk is self-service: any member of staff, never a customer.
    assert_eq!(portal.get("/me/it").await.status, StatusCode::FORBIDDEN);
    assert_eq!(
        portal.get("/api/v1/me/it-requests").await.status,
        StatusCode::FORBIDDEN
    );
    let employee = &mut clients.iter_mut().find(|c| c.0 == "u-employee").unwrap().2;
    assert_eq!(employee.get("/me/it").await.status, StatusCode::OK);
    assert_eq!(
        employee.get("/api/v1/me/it-requests").await.status,
        StatusCode::NOT_FOUND,
        "a login without an employee record has no requests to list"
    );
}

async fn anonymous_visitors_are_sent_to_login_and_api_clients_get_problem_json(backend: Backend) {
    let Some(env) = env(backend).await else {
        return;
    };
    let mut anonymous = env.client();
    let page = anonymous.get("/parties?q=acme").await;
    assert_eq!(page.status, StatusCode::SEE_OTHER);
    assert_eq!(page.location(), "/login?next=%2Fparties%3Fq%3Dacme");
    let api = anonymous.get("/api/v1/parties").await;
    assert_eq!(api.status, StatusCode::UNAUTHORIZED);
    assert_eq!(api.content_type(), "application/problem+json");
    assert_eq!(api.json()["status"], 401);
    let id = api.headers.get("x-request-id").unwrap().to_str().unwrap();
    assert_eq!(
        api.json()["request_id"],
        id,
        "the problem names the request id the logs carry"
    );
    assert_eq!(anonymous.get("/healthz").await.status, StatusCode::OK);
    assert_eq!(anonymous.get("/readyz").await.status, StatusCode::OK);
    assert_eq!(
        anonymous.get("/nowhere").await.status,
        StatusCode::NOT_FOUND
    );
    let spec = anonymous.get("/api/v1/openapi.json").await.json();
    assert!(spec["openapi"].as_str().unwrap().starts_with("3.1"));
    for route in routes()
        .iter()
        .filter(|r| r.path.starts_with("/api/v1/") && r.path != "/api/v1/openapi.json")
    {
        let method = route.method.as_str().to_lowercase();
        assert!(
            spec["paths"][route.path][&method].is_object(),
            "the OpenAPI document lacks {} {}",
            route.method,
            route.path
        );
    }
    assert!(
        anonymous
            .get("/api/docs")
            .await
            .body
            .contains("/api/v1/parties")
    );
}

async fn login_starts_a_fresh_session_and_logout_ends_it(backend: Backend) {
    let Some(env) = env(backend).await else {
        return;
    };
    env.user("anna", &[Role::Sales], None).await;
    let first = env.logged_in("anna").await;
    let first_cookie = first.cookie.clone().unwrap();
    let mut second = env.logged_in("anna").await;
    assert_ne!(
        Some(first_cookie.clone()),
        second.cookie,
        "each login gets its own session id"
    );
    assert_eq!(second.get("/").await.status, StatusCode::OK);
    let logout = second.post_form("/logout", &[]).await;
    assert_eq!(logout.status, StatusCode::SEE_OTHER);
    assert!(
        logout
            .headers
            .get(header::SET_COOKIE)
            .unwrap()
            .to_str()
            .unwrap()
            .contains("Max-Age=0")
    );
    let mut replay = env.client();
    replay.cookie = Some(first_cookie);
    assert_eq!(
        replay.get("/").await.status,
        StatusCode::OK,
        "the other session lives on"
    );
    let set_cookie = env
        .client()
        .post_form(
            "/login",
            &[("username", "anna"), ("password", common::PASSWORD)],
        )
        .await;
    let cookie = set_cookie
        .headers
        .get(header::SET_COOKIE)
        .unwrap()
        .to_str()
        .unwrap()
        .to_owned();
    assert!(
        cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax"),
        "{cookie}"
    );
    assert_eq!(
        second.get("/").await.location(),
        "/login?next=%2F",
        "the logged-out session is gone"
    );
}

async fn five_wrong_passwords_lock_the_account(backend: Backend) {
    let Some(env) = env(backend).await else {
        return;
    };
    env.user("bruno", &[Role::Sales], None).await;
    let mut client = env.client();
    for attempt in 1..=4 {
        let response = client
            .post_form(
                "/login",
                &[("username", "bruno"), ("password", "wrong password!")],
            )
            .await;
        assert_eq!(
            response.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "attempt {attempt}"
        );
        assert!(response.body.contains("Wrong username or password"));
    }
    let fifth = client
        .post_form(
            "/login",
            &[("username", "bruno"), ("password", "wrong password!")],
        )
        .await;
    assert_eq!(fifth.status, StatusCode::TOO_MANY_REQUESTS);
    let right = client
        .post_form(
            "/login",
            &[("username", "bruno"), ("password", common::PASSWORD)],
        )
        .await;
    assert_eq!(
        right.status,
        StatusCode::TOO_MANY_REQUESTS,
        "locked even with the right password"
    );
    assert!(right.body.contains("Too many failed attempts"));
    let unknown = client
        .post_form(
            "/login",
            &[("username", "nobody"), ("password", "whatever it is")],
        )
        .await;
    assert_eq!(
        unknown.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "unknown users look like wrong passwords"
    );
}

async fn a_second_factor_is_required_when_enabled_and_a_code_works_once(backend: Backend) {
    let Some(env) = env(backend).await else {
        return;
    };
    let id = env.user("carla", &[Role::Sales], None).await;
    let user = seam_store::users::user_by_id(&env.app.db, id)
        .await
        .unwrap()
        .unwrap();
    let actor = seam_app::auth::actor_from_user(&user, None);
    let (secret, url) = seam_app::users::new_second_factor(&actor);
    assert!(url.starts_with("otpauth://totp/Seam:carla?secret="));
    let code = seam_app::auth::totp_code(&secret, seam_app::now_us()).unwrap();
    seam_app::users::enable_second_factor(&env.app, &actor, &secret, &code)
        .await
        .unwrap();

    let mut client = env.client();
    let login = client
        .post_form(
            "/login",
            &[("username", "carla"), ("password", common::PASSWORD)],
        )
        .await;
    assert_eq!(login.location(), "/login/second-factor");
    assert_eq!(
        client.get("/").await.location(),
        "/login?next=%2F",
        "no page opens before the code"
    );
    let reused = client
        .post_form("/login/second-factor", &[("code", &code)])
        .await;
    assert_eq!(
        reused.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "the code used to enable cannot be replayed"
    );
    let wrong = client
        .post_form("/login/second-factor", &[("code", "000000")])
        .await;
    assert_eq!(wrong.status, StatusCode::UNPROCESSABLE_ENTITY);
    // A fresh code from the next time step completes the login.
    let next = seam_app::auth::totp_code(&secret, seam_app::now_us() + 30_000_000).unwrap();
    let done = client
        .post_form("/login/second-factor", &[("code", &next)])
        .await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);
    assert_eq!(client.get("/").await.status, StatusCode::OK);
}

async fn cross_site_form_posts_are_refused(backend: Backend) {
    let Some(env) = env(backend).await else {
        return;
    };
    env.user("dora", &[Role::Sales], None).await;
    let mut client = env.logged_in("dora").await;
    let request = Request::post("/parties")
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .header("sec-fetch-site", "cross-site")
        .header(header::ORIGIN, "https://evil.example")
        .body(Body::from("kind=company&name=Forged"))
        .unwrap();
    assert_eq!(client.send(request).await.status, StatusCode::FORBIDDEN);
    let page = parties::list_parties(
        &env.app,
        &Actor::system("t"),
        &Default::default(),
        Default::default(),
        None,
        10,
    )
    .await
    .unwrap();
    assert_eq!(page.total, 0, "nothing was written");
}

async fn every_response_carries_security_headers(backend: Backend) {
    let Some(env) = env(backend).await else {
        return;
    };
    let mut client = env.client();
    for path in ["/login", "/api/v1/parties", "/assets/seam.css", "/nowhere"] {
        let response = client.get(path).await;
        let csp = response
            .headers
            .get(header::CONTENT_SECURITY_POLICY)
            .unwrap()
            .to_str()
            .unwrap();
        assert!(
            csp.contains("script-src 'self'") && !csp.contains("unsafe-inline"),
            "{path}"
        );
        assert_eq!(
            response
                .headers
                .get(header::X_CONTENT_TYPE_OPTIONS)
                .unwrap(),
            "nosniff",
            "{path}"
        );
        assert!(
            !response.content_type().is_empty(),
            "{path} has a content type"
        );
        assert!(response.headers.get("x-request-id").is_some(), "{path}");
    }
    let login = client.get("/login").await;
    assert!(!login.body.contains("<script>"), "no inline script");
    assert!(
        login.body.contains("<label for=\"username\">"),
        "inputs are labelled"
    );
}

async fn a_bad_party_form_names_the_field_keeps_the_input_and_writes_nothing(backend: Backend) {
    let Some(env) = env(backend).await else {
        return;
    };
    env.user("emil", &[Role::Sales], None).await;
    let mut client = env.logged_in("emil").await;
    let response = client
        .post_form(
            "/parties",
            &[
                ("kind", "company"),
                ("name", "Keep Me AB"),
                ("email", "not-an-address"),
                ("country", "Sweden"),
            ],
        )
        .await;
    assert_eq!(response.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        response.body.contains("id=\"f-email-error\""),
        "the message sits next to the e-mail field"
    );
    assert!(
        response
            .body
            .contains("This is not a valid e-mail address.")
    );
    assert!(response.body.contains("Use the two-letter country code"));
    assert!(
        response.body.contains("value=\"Keep Me AB\""),
        "the typed name is kept"
    );
    let page = parties::list_parties(
        &env.app,
        &Actor::system("t"),
        &Default::default(),
        Default::default(),
        None,
        10,
    )
    .await
    .unwrap();
    assert_eq!(page.total, 0);
    let bad_company = client
        .post_form(
            "/parties",
            &[("kind", "person"), ("name", "Pat"), ("company_id", "abc")],
        )
        .await;
    assert_eq!(bad_company.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad_company.body.contains("There is no such company."));
}

async fn a_stale_edit_is_refused_and_keeps_the_users_input(backend: Backend) {
    let Some(env) = env(backend).await else {
        return;
    };
    env.user("fred", &[Role::Sales], None).await;
    let id = company(&env, "Stale Oy").await;
    let mut client = env.logged_in("fred").await;
    let first = client
        .post_form(
            &format!("/parties/{id}"),
            &[
                ("version", "1"),
                ("kind", "company"),
                ("name", "Stale Oy (first)"),
            ],
        )
        .await;
    assert_eq!(first.status, StatusCode::SEE_OTHER);
    let second = client
        .post_form(
            &format!("/parties/{id}"),
            &[
                ("version", "1"),
                ("kind", "company"),
                ("name", "Stale Oy (second)"),
            ],
        )
        .await;
    assert_eq!(second.status, StatusCode::CONFLICT);
    assert!(second.body.contains("Someone else saved this record"));
    assert!(second.body.contains("value=\"Stale Oy (second)\""));
    assert!(
        second.body.contains("name=\"version\" value=\"2\""),
        "saving again is based on the current version"
    );
    let row = parties::party(&env.app, &Actor::system("t"), seam_domain::ids::PartyId(id))
        .await
        .unwrap();
    assert_eq!(row.name, "Stale Oy (first)");
}

async fn parties_can_be_created_found_archived_and_restored_through_the_pages(backend: Backend) {
    let Some(env) = env(backend).await else {
        return;
    };
    env.user("gina", &[Role::Receptionist], None).await;
    let mut client = env.logged_in("gina").await;
    let created = client
        .post_form(
            "/parties",
            &[
                ("kind", "company"),
                ("name", "Zephyr Lighting GmbH"),
                ("email", "info@zephyr.example"),
                ("city", "Köln"),
                ("tags", "VIP, lighting"),
                ("is_customer", "on"),
            ],
        )
        .await;
    assert_eq!(created.status, StatusCode::SEE_OTHER);
    let detail = client.get(created.location()).await;
    assert!(
        detail.body.contains("The party was created."),
        "a flash message confirms"
    );
    assert!(
        detail.body.contains("Zephyr Lighting GmbH") && detail.body.contains("Created"),
        "the timeline shows the creation"
    );
    let found = client.get("/search?q=zeph").await;
    assert!(
        found.body.contains("Zephyr Lighting GmbH"),
        "prefix search finds it"
    );
    assert!(
        client
            .get("/search?q=lighting")
            .await
            .body
            .contains("Zephyr"),
        "tags are searched"
    );
    assert!(client.get("/parties?tag=vip").await.body.contains("Zephyr"));
    let id = created
        .location()
        .trim_start_matches("/parties/")
        .to_owned();
    assert_eq!(
        client
            .post_form(&format!("/parties/{id}/archive"), &[])
            .await
            .status,
        StatusCode::SEE_OTHER
    );
    assert!(
        !client.get("/parties").await.body.contains("Zephyr"),
        "archived parties leave the list"
    );
    assert!(
        client
            .get("/parties?status=archived")
            .await
            .body
            .contains("Zephyr")
    );
    assert_eq!(
        client
            .post_form(&format!("/parties/{id}/restore"), &[])
            .await
            .status,
        StatusCode::SEE_OTHER
    );
    assert!(client.get("/parties").await.body.contains("Zephyr"));
}

pub(crate) async fn token_for(
    env: &Env,
    username: &str,
    roles: &[Role],
    scopes: &[Permission],
) -> (i64, String) {
    let id = env.user(username, roles, None).await;
    let (token, secret) = tokens::create_token(
        &env.app,
        &Actor::system("test"),
        UserId(id),
        "integration",
        scopes,
    )
    .await
    .unwrap();
    (token.0, secret)
}

async fn the_api_lists_creates_and_updates_parties_with_a_token(backend: Backend) {
    let Some(env) = env(backend).await else {
        return;
    };
    let (_, secret) = token_for(
        &env,
        "api-user",
        &[Role::Sales],
        &[Permission::PartiesRead, Permission::PartiesWrite],
    )
    .await;
    let mut api = env.client();
    api.bearer = Some(secret);
    let created = api
        .post_json(
            "/api/v1/parties",
            r#"{"kind":"company","name":"Api Oy","tags":["b2b"],"is_customer":true}"#,
            None,
        )
        .await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
    let party = created.json();
    assert_eq!(party["name"], "Api Oy");
    assert_eq!(party["version"], 1);
    let id = party["id"].as_i64().unwrap();
    for n in 0..3 {
        api.post_json(
            "/api/v1/parties",
            &format!(r#"{{"kind":"person","name":"Person {n}","company_id":{id}}}"#),
            None,
        )
        .await;
    }
    let page = api.get("/api/v1/parties?limit=2&sort=name").await.json();
    assert_eq!(page["total"], 4);
    assert_eq!(page["items"].as_array().unwrap().len(), 2);
    let cursor = page["next_cursor"].as_str().unwrap().to_owned();
    let rest = api
        .get(&format!(
            "/api/v1/parties?limit=2&sort=name&cursor={cursor}"
        ))
        .await
        .json();
    assert_eq!(rest["items"].as_array().unwrap().len(), 2);
    assert!(rest["next_cursor"].is_null());
    let names: Vec<String> = [page, rest]
        .iter()
        .flat_map(|p| p["items"].as_array().unwrap().clone())
        .map(|i| i["name"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(names, ["Api Oy", "Person 0", "Person 1", "Person 2"]);
    let updated = api
        .put_json(
            &format!("/api/v1/parties/{id}"),
            r#"{"version":1,"kind":"company","name":"Api Oy Ab"}"#,
        )
        .await;
    assert_eq!(updated.status, StatusCode::OK, "{}", updated.body);
    let stale = api
        .put_json(
            &format!("/api/v1/parties/{id}"),
            r#"{"version":1,"kind":"company","name":"Lost"}"#,
        )
        .await;
    assert_eq!(stale.status, StatusCode::CONFLICT);
    assert_eq!(
        api.get(&format!("/api/v1/parties/{id}")).await.json()["name"],
        "Api Oy Ab"
    );
    assert_eq!(
        api.get("/api/v1/parties/999999").await.status,
        StatusCode::NOT_FOUND
    );
    let me = api.get("/api/v1/me").await.json();
    assert_eq!(
        me["permissions"],
        serde_json::json!(["parties.read", "parties.write"])
    );
}

async fn an_idempotency_key_replays_the_first_response_and_creates_once(backend: Backend) {
    let Some(env) = env(backend).await else {
        return;
    };
    let (_, secret) = token_for(
        &env,
        "retrier",
        &[Role::Sales],
        &[Permission::PartiesRead, Permission::PartiesWrite],
    )
    .await;
    let mut api = env.client();
    api.bearer = Some(secret);
    let body = r#"{"kind":"company","name":"Once Only AB"}"#;
    let first = api
        .post_json("/api/v1/parties", body, Some("key-123"))
        .await;
    let again = api
        .post_json("/api/v1/parties", body, Some("key-123"))
        .await;
    assert_eq!(first.status, StatusCode::CREATED);
    assert_eq!(again.status, StatusCode::CREATED);
    assert_eq!(first.body, again.body, "the retry gets the first answer");
    assert_eq!(again.headers.get("idempotent-replayed").unwrap(), "true");
    let other = api
        .post_json(
            "/api/v1/parties",
            r#"{"kind":"company","name":"Other"}"#,
            Some("key-123"),
        )
        .await;
    assert_eq!(
        other.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "a reused key with another body is refused"
    );
    assert_eq!(api.get("/api/v1/parties").await.json()["total"], 1);
}

async fn api_errors_are_problem_json_naming_each_field(backend: Backend) {
    let Some(env) = env(backend).await else {
        return;
    };
    let (_, secret) = token_for(
        &env,
        "careless",
        &[Role::Sales],
        &[Permission::PartiesRead, Permission::PartiesWrite],
    )
    .await;
    let mut api = env.client();
    api.bearer = Some(secret);
    let invalid = api
        .post_json(
            "/api/v1/parties",
            r#"{"kind":"robot","email":"nope"}"#,
            None,
        )
        .await;
    assert_eq!(invalid.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(invalid.content_type(), "application/problem+json");
    let fields: Vec<String> = invalid.json()["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(fields, ["kind", "name", "email"]);
    let unknown = api
        .post_json(
            "/api/v1/parties",
            r#"{"kind":"company","name":"X","colour":"red"}"#,
            None,
        )
        .await
        .json();
    assert_eq!(unknown["errors"][0]["field"], "colour");
    assert_eq!(unknown["errors"][0]["code"], "error-unknown-field");
    let wrong_type = api
        .post_json(
            "/api/v1/parties",
            r#"{"kind":"company","name":"X","is_customer":"yes"}"#,
            None,
        )
        .await
        .json();
    assert_eq!(wrong_type["errors"][0]["field"], "is_customer");
    let malformed = api.post_json("/api/v1/parties", r#"{"kind":"#, None).await;
    assert_eq!(malformed.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(malformed.json()["errors"][0]["field"], "body");
    let bad_limit = api.get("/api/v1/parties?limit=100000").await.json();
    assert_eq!(bad_limit["errors"][0]["field"], "limit");
    assert_eq!(
        api.get("/api/v1/parties").await.json()["total"],
        0,
        "nothing was written"
    );
}

async fn token_scopes_revocation_and_disabled_users_are_enforced(backend: Backend) {
    let Some(env) = env(backend).await else {
        return;
    };
    let (token_id, secret) =
        token_for(&env, "reader", &[Role::Sales], &[Permission::PartiesRead]).await;
    let mut api = env.client();
    api.bearer = Some(secret.clone());
    assert_eq!(api.get("/api/v1/parties").await.status, StatusCode::OK);
    let write = api
        .post_json("/api/v1/parties", r#"{"kind":"company","name":"No"}"#, None)
        .await;
    assert_eq!(
        write.status,
        StatusCode::FORBIDDEN,
        "a read-only token cannot write"
    );
    tokens::revoke_token(
        &env.app,
        &Actor::system("test"),
        seam_domain::ids::TokenId(token_id),
    )
    .await
    .unwrap();
    assert_eq!(
        api.get("/api/v1/parties").await.status,
        StatusCode::UNAUTHORIZED,
        "revoked at once"
    );
    let (_, secret) = token_for(&env, "leaver", &[Role::Sales], &[Permission::PartiesRead]).await;
    api.bearer = Some(secret);
    let leaver = seam_store::users::user_by_username(&env.app.db, "leaver")
        .await
        .unwrap()
        .unwrap();
    seam_app::users::set_disabled(&env.app, &Actor::system("test"), UserId(leaver.id), true)
        .await
        .unwrap();
    assert_eq!(
        api.get("/api/v1/parties").await.status,
        StatusCode::UNAUTHORIZED,
        "a disabled user's tokens stop working"
    );
    let bad = tokens::create_token(
        &env.app,
        &Actor::system("test"),
        UserId(leaver.id),
        "x",
        &[Permission::UsersAdmin],
    )
    .await;
    assert!(
        matches!(bad, Err(seam_app::AppError::Invalid(_))),
        "a token cannot hold more than its user"
    );
}

async fn oversized_bodies_are_refused(backend: Backend) {
    let Some(env) = env(backend).await else {
        return;
    };
    env.user("hugo", &[Role::Sales], None).await;
    let mut client = env.logged_in("hugo").await;
    let huge = "x".repeat(seam_web::REQUEST_BODY_BYTES_MAX + 1);
    let response = client
        .post_form("/parties", &[("kind", "company"), ("name", &huge)])
        .await;
    assert_eq!(response.status, StatusCode::PAYLOAD_TOO_LARGE);
}

fn multipart(fields: &[(&str, &str)]) -> Request<Body> {
    let boundary = "seamtestboundary";
    let mut body = String::new();
    for (name, value) in fields {
        let filename = if *name == "file" {
            "; filename=\"parties.csv\""
        } else {
            ""
        };
        body.push_str(&format!("--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"{filename}\r\n\r\n{value}\r\n"));
    }
    body.push_str(&format!("--{boundary}--\r\n"));
    Request::post("/parties/import")
        .header(
            header::CONTENT_TYPE,
            format!("multipart/form-data; boundary={boundary}"),
        )
        .body(Body::from(body))
        .unwrap()
}

async fn csv_import_previews_commits_all_or_nothing(backend: Backend) {
    let Some(env) = env(backend).await else {
        return;
    };
    env.user("ines", &[Role::Sales], None).await;
    let mut client = env.logged_in("ines").await;
    let bad = "kind,name,company,email\ncompany,Norrsken AB,,info@norrsken.example\nperson,Lena Ek,Norrsken AB,not-mail\n";
    let refused = client
        .send(multipart(&[("mode", "commit"), ("file", bad)]))
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        refused.body.contains("line 3: email"),
        "the error names line and field"
    );
    let count = |env: &Env| {
        let app = env.app.clone();
        async move {
            parties::list_parties(
                &app,
                &Actor::system("t"),
                &Default::default(),
                Default::default(),
                None,
                10,
            )
            .await
            .unwrap()
            .total
        }
    };
    assert_eq!(count(&env).await, 0, "nothing of a bad file is written");
    let good = "kind,name,company,email\ncompany,Norrsken AB,,info@norrsken.example\nperson,Lena Ek,Norrsken AB,lena@norrsken.example\n";
    let preview = client
        .send(multipart(&[("mode", "preview"), ("file", good)]))
        .await;
    assert_eq!(preview.status, StatusCode::OK);
    assert!(preview.body.contains("Import 2 parties"));
    assert_eq!(count(&env).await, 0, "a preview writes nothing");
    let done = client
        .send(multipart(&[("mode", "commit"), ("csv", good)]))
        .await;
    assert!(
        done.body.contains("2 parties were imported"),
        "{}",
        done.body
    );
    let lena = parties::search(&env.app, &Actor::system("t"), "lena", 5)
        .await
        .unwrap();
    let detail = parties::party_detail(
        &env.app,
        &Actor::system("t"),
        seam_domain::ids::PartyId(lena[0].id),
    )
    .await
    .unwrap();
    assert_eq!(
        detail.company.unwrap().name,
        "Norrsken AB",
        "the person is linked to the company from the same file"
    );
    let exported = client.get("/parties/export.csv").await;
    assert_eq!(exported.content_type(), "text/csv; charset=utf-8");
    assert!(exported.body.starts_with("id,kind,name,company"));
    assert!(
        exported
            .body
            .contains("person,Lena Ek,Norrsken AB,lena@norrsken.example")
    );
}

async fn pages_speak_the_users_language(backend: Backend) {
    let Some(env) = env(backend).await else {
        return;
    };
    let id = env.user("jonas", &[Role::Sales], None).await;
    let user = seam_store::users::user_by_id(&env.app.db, id)
        .await
        .unwrap()
        .unwrap();
    let actor = seam_app::auth::actor_from_user(&user, None);
    seam_app::users::set_preferences(&env.app, &actor, "sv", "Europe/Stockholm")
        .await
        .unwrap();
    let mut client = env.logged_in("jonas").await;
    let home = client.get("/").await;
    assert!(home.body.contains("lang=\"sv-SE\""));
    assert!(
        !home.body.contains(">Front office<"),
        "navigation is translated"
    );
    let bad = seam_app::users::set_preferences(&env.app, &actor, "sv", "Mars/Olympus").await;
    assert!(matches!(bad, Err(seam_app::AppError::Invalid(_))));
}

async fn a_user_sees_opens_and_clears_only_their_own_notifications(backend: Backend) {
    use seam_app::notifications::{Notice, notify};
    let Some(env) = env(backend).await else {
        return;
    };
    let host = env.user("host", &[Role::Sales], None).await;
    let (_, other_secret) =
        token_for(&env, "other", &[Role::Sales], &[Permission::PartiesRead]).await;
    let mut tx = env.app.db.begin().await.unwrap();
    let id = notify(
        &env.app,
        &mut tx,
        &Notice {
            user_id: UserId(host),
            kind: "test",
            subject: "Ada Visitor",
            link: "/parties",
            email: None,
        },
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();

    let mut client = env.logged_in("host").await;
    let home = client.get("/").await;
    assert!(
        home.body.contains(r#"<span class="badge">1</span>"#),
        "{}",
        home.body
    );
    let list = client.get("/notifications").await;
    assert_eq!(list.status, StatusCode::OK);
    assert!(list.body.contains("Ada Visitor"), "{}", list.body);

    // Another user's token neither lists nor opens it.
    let mut other = env.client();
    other.bearer = Some(other_secret);
    let theirs = other.get("/api/v1/notifications").await;
    assert_eq!(theirs.status, StatusCode::OK);
    assert_eq!(theirs.json()["items"].as_array().unwrap().len(), 0);
    let read = other
        .post_json(&format!("/api/v1/notifications/{id}/read"), "", None)
        .await;
    assert_eq!(read.status, StatusCode::NOT_FOUND);

    let opened = client
        .post_form(&format!("/notifications/{id}/open"), &[])
        .await;
    assert_eq!(opened.status, StatusCode::SEE_OTHER);
    assert_eq!(opened.location(), "/parties");
    assert!(
        !client
            .get("/")
            .await
            .body
            .contains(r#"<span class="badge">"#)
    );
}
