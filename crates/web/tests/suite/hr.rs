//! HR through the router on both backends: an IT user and a manager reading
//! an employee get no salary, bank account or national id, in HTML and in
//! JSON, while HR and the employee themself do; the pages' forms name the
//! bad field and write nothing (invalid IBAN, negative salary, end before
//! start, unknown manager, manager loop); the employee requests leave from
//! "My profile", the manager approves it from "My approvals", and it
//! shows on the team calendar and in the absence feed.
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
    salary_bank_account_and_national_id_reach_only_hr_and_the_employee,
    bad_employee_and_contract_forms_name_the_field_and_write_nothing,
    leave_is_requested_approved_and_shown_on_the_team_calendar,
);

const IBAN: &str = "DE44500105175407324931";

/// HR, a boss and a worker (reporting to the boss), each with a login; the
/// worker's record with a contract. Returns the worker's and the boss's ids.
async fn setup(env: &Env) -> (Client, i64, i64) {
    env.user("hrofficer", &[Role::Hr], None).await;
    env.user("bossuser", &[Role::Employee], None).await;
    env.user("worker", &[Role::Employee], None).await;
    let mut hr = env.logged_in("hrofficer").await;
    let boss = create(&mut hr, "Bea Boss", "bossuser").await;
    let worker = create(&mut hr, "Will Worker", "worker").await;
    let contract = |manager: &str| {
        vec![
            ("start_date", "2020-01-01".to_owned()),
            ("manager_id", manager.to_owned()),
            ("working_time_pct", "100".to_owned()),
            ("hours_per_week", "40".to_owned()),
            ("salary", "4321.00".to_owned()),
            ("currency", "EUR".to_owned()),
            ("salary_period", "month".to_owned()),
        ]
    };
    for (id, manager) in [(boss, String::new()), (worker, boss.to_string())] {
        let fields = contract(&manager);
        let fields: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let r = hr
            .post_form(&format!("/hr/employees/{id}/contracts"), &fields)
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    }
    (hr, worker, boss)
}

async fn create(hr: &mut Client, name: &str, username: &str) -> i64 {
    let r = hr
        .post_form(
            "/hr/employees",
            &[
                ("name", name),
                ("national_id", "NI-778899"),
                ("iban", "DE44 5001 0517 5407 3249 31"),
                ("username", username),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    r.location().rsplit('/').next().unwrap().parse().unwrap()
}

async fn salary_bank_account_and_national_id_reach_only_hr_and_the_employee(backend: Backend) {
    let Some(env) = env(backend).await else {
        return;
    };
    let (mut hr, worker, _) = setup(&env).await;
    env.user("itsupport", &[Role::It], None).await;
    env.user("manager1", &[Role::Manager], None).await;
    let mut it = env.logged_in("itsupport").await;
    let mut manager = env.logged_in("manager1").await;
    let mut boss = env.logged_in("bossuser").await;
    let mut me = env.logged_in("worker").await;
    let page = format!("/hr/employees/{worker}");
    let api = format!("/api/v1/hr/employees/{worker}");
    for (who, client, shown) in [
        ("hr", &mut hr, true),
        ("the employee", &mut me, true),
        ("it", &mut it, false),
        ("a manager", &mut manager, false),
        ("the line manager", &mut boss, false),
    ] {
        let html = client.get(&page).await;
        assert_eq!(html.status, StatusCode::OK, "{who}");
        assert!(html.body.contains("Will Worker"), "{who}");
        assert_eq!(html.body.contains(IBAN), shown, "{who} sees the IBAN");
        assert_eq!(
            html.body.contains("NI-778899"),
            shown,
            "{who} sees the national id"
        );
        assert_eq!(
            html.body.contains("4,321.00"),
            shown,
            "{who} sees the salary"
        );
        let json = client.get(&api).await;
        assert_eq!(json.status, StatusCode::OK, "{who}");
        let body = json.json();
        assert_eq!(body["iban"].is_string(), shown, "{who}: {body}");
        assert_eq!(body["national_id"].is_string(), shown, "{who}");
        assert_eq!(
            body["contracts"][0]["salary_minor"].is_i64(),
            shown,
            "{who}"
        );
        assert_eq!(body["contracts"][0]["salary"].is_string(), shown, "{who}");
        assert_eq!(body["confidential"], shown, "{who}");
        assert!(!json.body.contains("432100") || shown, "{who}");
    }
    // The employee's own profile shows their salary.
    let mine = me.get("/me").await;
    assert!(mine.body.contains("4,321.00"), "{}", mine.body);
    let mine = me.get("/api/v1/me/employee").await.json();
    assert_eq!(mine["contracts"][0]["salary_minor"], 432_100);
    // The directory never carries the confidential fields.
    let list = hr.get("/api/v1/hr/employees").await;
    assert!(!list.body.contains(IBAN));
    assert!(!it.get("/hr").await.body.contains(IBAN));
    // Someone without HR, IT or a relation to the record finds nothing.
    env.user("salesuser", &[Role::Sales], None).await;
    let mut sales = env.logged_in("salesuser").await;
    assert_eq!(sales.get(&page).await.status, StatusCode::NOT_FOUND);
    assert_eq!(sales.get(&api).await.status, StatusCode::NOT_FOUND);
    assert_eq!(sales.get("/hr").await.status, StatusCode::FORBIDDEN);
}

async fn bad_employee_and_contract_forms_name_the_field_and_write_nothing(backend: Backend) {
    let Some(env) = env(backend).await else {
        return;
    };
    let (mut hr, worker, boss) = setup(&env).await;
    let before = seam_store::hr::employee_count(&env.app.db).await.unwrap();
    let r = hr
        .post_form(
            "/hr/employees",
            &[("name", "Ivan"), ("iban", "DE45 5001 0517 5407 3249 31")],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body.contains("f-iban-error"), "{}", r.body);
    assert!(r.body.contains("DE45 5001"), "the input is kept");
    assert_eq!(
        seam_store::hr::employee_count(&env.app.db).await.unwrap(),
        before
    );
    let contracts = seam_store::hr::contracts_of(&env.app.db, worker)
        .await
        .unwrap()
        .len();
    let path = format!("/hr/employees/{worker}/contracts");
    let base = [
        ("working_time_pct", "100"),
        ("hours_per_week", "40"),
        ("currency", "EUR"),
        ("salary_period", "month"),
    ];
    let cases: Vec<(Vec<(&str, &str)>, &str)> = vec![
        (
            vec![
                ("start_date", "2031-05-01"),
                ("end_date", "2031-04-01"),
                ("salary", "100"),
            ],
            "end_date",
        ),
        (
            vec![("start_date", "2031-05-01"), ("salary", "-100")],
            "salary",
        ),
        (
            vec![
                ("start_date", "2031-05-01"),
                ("salary", "100"),
                ("manager_id", "99999"),
            ],
            "manager_id",
        ),
    ];
    for (fields, field) in cases {
        let mut all: Vec<(&str, &str)> = base.to_vec();
        all.extend(fields);
        let r = hr.post_form(&path, &all).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{field}");
        assert!(
            r.body.contains(&format!("f-{field}-error")),
            "{field}: {}",
            r.body
        );
    }
    // The boss under the worker closes a loop.
    let worker_id = worker.to_string();
    let mut looped: Vec<(&str, &str)> = base.to_vec();
    looped.extend([
        ("start_date", "2031-05-01"),
        ("salary", "100"),
        ("manager_id", worker_id.as_str()),
    ]);
    let r = hr
        .post_form(&format!("/hr/employees/{boss}/contracts"), &looped)
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body.contains("f-manager_id-error"), "{}", r.body);
    assert_eq!(
        seam_store::hr::contracts_of(&env.app.db, worker)
            .await
            .unwrap()
            .len(),
        contracts
    );
    // The API names the same fields.
    let r = hr
        .post_json(
            &format!("/api/v1/hr/employees/{worker}/contracts"),
            r#"{"start_date":"2031-05-01","end_date":"2031-01-01","hours_per_week":"40","salary":"-5","currency":"EUR","salary_period":"month"}"#,
            None,
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        r.body.contains("end_date") && r.body.contains("salary"),
        "{}",
        r.body
    );
    // Only HR writes.
    let mut it = {
        env.user("itsupport", &[Role::It], None).await;
        env.logged_in("itsupport").await
    };
    assert_eq!(
        it.post_form(&path, &base).await.status,
        StatusCode::FORBIDDEN
    );
}

async fn leave_is_requested_approved_and_shown_on_the_team_calendar(backend: Backend) {
    let Some(env) = env(backend).await else {
        return;
    };
    let (mut hr, worker, _) = setup(&env).await;
    let types = hr.get("/api/v1/hr/leave-types").await.json();
    let unpaid = types
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["code"] == "unpaid")
        .unwrap()["id"]
        .as_i64()
        .unwrap()
        .to_string();
    let mut me = env.logged_in("worker").await;
    // Next year's first full week of March: always a future, working week.
    let year = seam_app::today().year + 1;
    let monday = (1..=7)
        .map(|d| format!("{year}-03-{d:02}"))
        .find(|d| {
            let date = seam_domain::ledger::Date::parse(d).unwrap();
            jiff::civil::Date::new(date.year, date.month, date.day)
                .unwrap()
                .weekday()
                == jiff::civil::Weekday::Monday
        })
        .unwrap();
    let friday = format!("{year}-03-{:02}", monday[8..].parse::<i32>().unwrap() + 4);
    let r = me
        .post_form(
            "/me/leave",
            &[
                ("leave_type_id", &unpaid),
                ("start_date", &friday),
                ("end_date", &monday),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body.contains("f-end_date-error"));
    let r = me
        .post_form(
            "/me/leave",
            &[
                ("leave_type_id", &unpaid),
                ("start_date", &monday),
                ("end_date", &friday),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let overlap = me
        .post_form(
            "/me/leave",
            &[
                ("leave_type_id", &unpaid),
                ("start_date", &friday),
                ("end_date", &friday),
            ],
        )
        .await;
    assert_eq!(overlap.status, StatusCode::UNPROCESSABLE_ENTITY);
    let requests = me.get("/api/v1/hr/leave-requests").await.json();
    let id = requests[0]["id"].as_i64().unwrap();
    assert_eq!(requests[0]["days"], "5");
    // The worker cannot approve their own; the boss can.
    let own = me.post_form(&format!("/hr/leave/{id}/approve"), &[]).await;
    assert_eq!(own.status, StatusCode::FORBIDDEN);
    let mut boss = env.logged_in("bossuser").await;
    let waiting = boss.get("/me/approvals").await;
    assert!(waiting.body.contains("Will Worker"), "{}", waiting.body);
    let r = boss
        .post_form(&format!("/hr/leave/{id}/approve"), &[])
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    let calendar = boss.get(&format!("/hr/calendar?month={year}-03")).await;
    assert_eq!(calendar.status, StatusCode::OK);
    assert!(
        calendar.body.contains("day leave-approved"),
        "{}",
        calendar.body
    );
    let _ = worker;
    // HR's absence feed carries it, by the appointment feeds' address.
    let r = hr
        .post_form("/hr/calendar/feed", &[("department", "")])
        .await;
    let body = r.body;
    let start = body.find("/calendar/seamhr_").unwrap();
    let end = body[start..].find(".ics").unwrap() + start + 4;
    let mut anonymous = env.client();
    let feed = anonymous.get(&body[start..end]).await;
    assert_eq!(feed.status, StatusCode::OK);
    assert!(feed.body.contains("Will Worker"), "{}", feed.body);
}
