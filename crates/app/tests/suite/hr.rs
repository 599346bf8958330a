//! HR on SQLite and (with `SEAM_TEST_PG_URL`) PostgreSQL: salary, bank
//! account and national id reach HR and the employee themself only (not IT,
//! not a manager); bad input names its field and writes nothing (dates,
//! negative salary, unknown manager, a manager loop, a bad IBAN); leave
//! counts working days without weekends and holidays, accrues monthly (pro
//! rata for a mid-year start), refuses overlaps and overdrafts, and is
//! decided by the manager or HR only; the team calendar and the absence
//! feed show approved leave.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use seam_app::hr::{self, NewEmployee, leave};
use seam_app::users;
use seam_app::{Actor, App, AppError};
use seam_domain::access::Role;
use seam_domain::hr::{ContractDraft, EmployeeDraft, LeaveRequestDraft};
use seam_domain::ledger::Date;

both_backends!(
    confidential_fields_reach_hr_and_the_employee_only,
    bad_employee_and_contract_input_names_the_field_and_writes_nothing,
    a_new_contract_ends_the_open_one_and_an_overlap_is_refused,
    leave_counts_working_days_without_weekends_and_holidays,
    overlapping_requests_are_refused,
    annual_leave_accrues_monthly_and_pro_rata_for_a_mid_year_start,
    only_the_manager_or_hr_decides_and_nobody_their_own,
    approved_leave_shows_on_the_team_calendar_and_in_the_feed,
    the_employee_edits_their_contact_data_and_the_timeline_records_it,
    the_demo_has_employees_with_managers_leave_and_a_self_service_login,
);

use crate::common::staff;

async fn employee(app: &App, hr_user: &Actor, name: &str, username: &str) -> i64 {
    let input = NewEmployee {
        employee: EmployeeDraft {
            name: name.into(),
            national_id: format!("NI-{name}"),
            iban: "DE44 5001 0517 5407 3249 31".into(),
            ..EmployeeDraft::default()
        },
        username: username.into(),
    };
    hr::create_employee(app, hr_user, &input).await.unwrap().0
}

fn contract(start: &str, manager: Option<i64>) -> ContractDraft {
    ContractDraft {
        start_date: start.into(),
        manager_id: manager,
        working_time_pct: "100".into(),
        hours_per_week: "40".into(),
        salary: "4200".into(),
        currency: "EUR".into(),
        salary_period: "month".into(),
        ..ContractDraft::default()
    }
}

fn leave_of(type_id: i64, start: &str, end: &str) -> LeaveRequestDraft {
    LeaveRequestDraft {
        leave_type_id: Some(type_id),
        start_date: start.into(),
        end_date: end.into(),
        ..LeaveRequestDraft::default()
    }
}

async fn type_id(app: &App, code: &str) -> i64 {
    leave::leave_types(app, &Actor::system("t"))
        .await
        .unwrap()
        .into_iter()
        .find(|t| t.code == code)
        .unwrap()
        .id
}

fn field(err: AppError, name: &str) -> &'static str {
    match err {
        AppError::Invalid(errors) => errors
            .for_field(name)
            .unwrap_or_else(|| panic!("no error for {name}: {errors:?}")),
        other => panic!("expected field errors, got {other:?}"),
    }
}

/// A boss (with a login), a report of the boss (with a login) and HR.
struct Team {
    hr: Actor,
    boss: Actor,
    boss_id: i64,
    worker: Actor,
    worker_id: i64,
}

async fn team(app: &App) -> Team {
    let hr_user = staff(app, "hrofficer", &[Role::Hr]).await;
    let boss = staff(app, "boss", &[Role::Employee]).await;
    let worker = staff(app, "worker", &[Role::Employee]).await;
    let boss_id = employee(app, &hr_user, "Bea Boss", "boss").await;
    let worker_id = employee(app, &hr_user, "Will Worker", "worker").await;
    hr::add_contract(app, &hr_user, boss_id, &contract("2020-01-01", None))
        .await
        .unwrap();
    hr::add_contract(
        app,
        &hr_user,
        worker_id,
        &contract("2020-01-01", Some(boss_id)),
    )
    .await
    .unwrap();
    Team {
        hr: hr_user,
        boss,
        boss_id,
        worker,
        worker_id,
    }
}

async fn confidential_fields_reach_hr_and_the_employee_only(app: App) {
    let t = team(&app).await;
    let it = staff(&app, "itsupport", &[Role::It]).await;
    let manager_role = staff(&app, "manager1", &[Role::Manager]).await;
    for (who, actor, shown) in [
        ("hr", &t.hr, true),
        ("the employee", &t.worker, true),
        ("it", &it, false),
        ("a manager (role)", &manager_role, false),
        ("the line manager", &t.boss, false),
    ] {
        let detail = hr::employee(&app, actor, t.worker_id).await.unwrap();
        let e = &detail.employee;
        assert_eq!(e.iban.is_some(), shown, "{who} iban");
        assert_eq!(e.national_id.is_some(), shown, "{who} national id");
        let c = &detail.contracts[0];
        assert_eq!(c.salary_minor.is_some(), shown, "{who} salary");
        assert_eq!(c.currency.is_some(), shown, "{who} currency");
        assert_eq!(detail.sight.confidential, shown, "{who}");
        assert_eq!(e.manager_id, Some(t.boss_id));
    }
    assert_eq!(
        hr::employee(&app, &t.worker, t.worker_id)
            .await
            .unwrap()
            .contracts[0]
            .salary_minor,
        Some(420_000),
        "the employee sees their own salary"
    );
    // The directory never carries them, even for HR.
    for actor in [&t.hr, &it] {
        let rows = hr::list_employees(&app, actor, &hr::EmployeeFilter::default())
            .await
            .unwrap();
        assert_eq!(rows.len(), 2);
        assert!(
            rows.iter()
                .all(|r| r.iban.is_none() && r.national_id.is_none())
        );
    }
    // Someone with no HR role and no relation to the record finds nothing.
    let sales = staff(&app, "sales", &[Role::Sales]).await;
    assert!(matches!(
        hr::employee(&app, &sales, t.worker_id).await,
        Err(AppError::NotFound)
    ));
    assert!(matches!(
        hr::employee(&app, &t.worker, t.boss_id).await,
        Err(AppError::NotFound)
    ));
    // The audit journal (read by managers) holds no confidential value.
    let events = seam_app::audit::recent_events(&app, &Actor::system("t"), None, 100)
        .await
        .unwrap();
    for e in &events {
        assert!(!e.after_json.contains("5407324931"), "{}", e.after_json);
        assert!(!e.after_json.contains("NI-Will"), "{}", e.after_json);
        assert!(!e.after_json.contains("420000"), "{}", e.after_json);
    }
}

async fn bad_employee_and_contract_input_names_the_field_and_writes_nothing(app: App) {
    let t = team(&app).await;
    let before = seam_store::hr::employee_count(&app.db).await.unwrap();
    let bad_iban = NewEmployee {
        employee: EmployeeDraft {
            name: "Ivan Iban".into(),
            iban: "DE45 5001 0517 5407 3249 31".into(),
            ..EmployeeDraft::default()
        },
        username: String::new(),
    };
    let err = hr::create_employee(&app, &t.hr, &bad_iban)
        .await
        .unwrap_err();
    assert_eq!(field(err, "iban"), "error-iban");
    let unknown_login = NewEmployee {
        employee: EmployeeDraft {
            name: "Nora Nologin".into(),
            ..EmployeeDraft::default()
        },
        username: "nobody".into(),
    };
    let err = hr::create_employee(&app, &t.hr, &unknown_login)
        .await
        .unwrap_err();
    assert_eq!(field(err, "username"), "error-unknown-user");
    assert_eq!(
        seam_store::hr::employee_count(&app.db).await.unwrap(),
        before
    );

    let contracts = |app: App, id: i64| async move {
        seam_store::hr::contracts_of(&app.db, id)
            .await
            .unwrap()
            .len()
    };
    let n = contracts(app.clone(), t.worker_id).await;
    let mut reversed = contract("2030-05-01", None);
    reversed.end_date = "2030-04-30".into();
    let err = hr::add_contract(&app, &t.hr, t.worker_id, &reversed)
        .await
        .unwrap_err();
    assert_eq!(field(err, "end_date"), "error-end-before-start");
    let mut negative = contract("2030-05-01", None);
    negative.salary = "-100".into();
    let err = hr::add_contract(&app, &t.hr, t.worker_id, &negative)
        .await
        .unwrap_err();
    assert_eq!(field(err, "salary"), "error-salary-negative");
    let err = hr::add_contract(
        &app,
        &t.hr,
        t.worker_id,
        &contract("2030-05-01", Some(999_999)),
    )
    .await
    .unwrap_err();
    assert_eq!(field(err, "manager_id"), "error-unknown-manager");
    // The boss under the worker, who reports to the boss: a loop.
    let err = hr::add_contract(
        &app,
        &t.hr,
        t.boss_id,
        &contract("2030-05-01", Some(t.worker_id)),
    )
    .await
    .unwrap_err();
    assert_eq!(field(err, "manager_id"), "error-manager-cycle");
    assert_eq!(contracts(app.clone(), t.worker_id).await, n);
    assert_eq!(contracts(app.clone(), t.boss_id).await, 1);
    // Only HR writes.
    assert!(matches!(
        hr::add_contract(&app, &t.boss, t.worker_id, &contract("2030-05-01", None)).await,
        Err(AppError::Forbidden)
    ));
}

async fn a_new_contract_ends_the_open_one_and_an_overlap_is_refused(app: App) {
    let t = team(&app).await;
    let mut raise = contract("2030-01-01", Some(t.boss_id));
    raise.salary = "4500".into();
    hr::add_contract(&app, &t.hr, t.worker_id, &raise)
        .await
        .unwrap();
    let rows = seam_store::hr::contracts_of(&app.db, t.worker_id)
        .await
        .unwrap();
    assert_eq!(rows.len(), 2);
    assert_eq!(rows[0].end_date.as_deref(), Some("2029-12-31"));
    assert_eq!(rows[1].salary_minor, 450_000);
    // A contract inside the closed one overlaps it.
    let mut inside = contract("2025-01-01", None);
    inside.end_date = "2025-06-30".into();
    let err = hr::add_contract(&app, &t.hr, t.worker_id, &inside)
        .await
        .unwrap_err();
    assert_eq!(field(err, "start_date"), "error-contract-overlap");
}

async fn leave_counts_working_days_without_weekends_and_holidays(app: App) {
    let t = team(&app).await;
    let unpaid = type_id(&app, "unpaid").await;
    // Thursday 9 May 2030 is Ascension Day.
    leave::add_holiday(&app, &t.hr, "2030-05-30", "Ascension Day")
        .await
        .unwrap();
    // Monday 27 May to Sunday 2 June 2030: five weekdays, one a holiday.
    let id = leave::request_leave(
        &app,
        &t.worker,
        None,
        &leave_of(unpaid, "2030-05-27", "2030-06-02"),
    )
    .await
    .unwrap();
    let row = leave::request(&app, &t.worker, id).await.unwrap();
    assert_eq!(row.half_days, 8, "four working days");
    assert_eq!(row.state, "pending");
    // A weekend alone has no working day.
    let err = leave::request_leave(
        &app,
        &t.worker,
        None,
        &leave_of(unpaid, "2030-06-08", "2030-06-09"),
    )
    .await
    .unwrap_err();
    assert_eq!(field(err, "end_date"), "error-leave-no-working-days");
    // A half day counts one half.
    let mut half = leave_of(unpaid, "2030-06-10", "2030-06-10");
    half.half_day = true;
    let id = leave::request_leave(&app, &t.worker, None, &half)
        .await
        .unwrap();
    assert_eq!(
        leave::request(&app, &t.worker, id).await.unwrap().half_days,
        1
    );
    // End before start names the end.
    let err = leave::request_leave(
        &app,
        &t.worker,
        None,
        &leave_of(unpaid, "2030-06-20", "2030-06-18"),
    )
    .await
    .unwrap_err();
    assert_eq!(field(err, "end_date"), "error-end-before-start");
}

async fn overlapping_requests_are_refused(app: App) {
    let t = team(&app).await;
    let unpaid = type_id(&app, "unpaid").await;
    let sick = type_id(&app, "sick").await;
    leave::request_leave(
        &app,
        &t.worker,
        None,
        &leave_of(unpaid, "2030-03-04", "2030-03-08"),
    )
    .await
    .unwrap();
    let err = leave::request_leave(
        &app,
        &t.worker,
        None,
        &leave_of(sick, "2030-03-08", "2030-03-12"),
    )
    .await
    .unwrap_err();
    assert_eq!(field(err, "start_date"), "error-leave-overlap");
    // Touching is fine; someone else's leave does not block.
    leave::request_leave(
        &app,
        &t.worker,
        None,
        &leave_of(sick, "2030-03-11", "2030-03-12"),
    )
    .await
    .unwrap();
    leave::request_leave(
        &app,
        &t.boss,
        None,
        &leave_of(unpaid, "2030-03-04", "2030-03-08"),
    )
    .await
    .unwrap();
    // A rejected request frees its days.
    let id = leave::request_leave(
        &app,
        &t.worker,
        None,
        &leave_of(unpaid, "2030-04-01", "2030-04-02"),
    )
    .await
    .unwrap();
    leave::decide(&app, &t.boss, id, false, "busy week")
        .await
        .unwrap();
    leave::request_leave(
        &app,
        &t.worker,
        None,
        &leave_of(unpaid, "2030-04-02", "2030-04-03"),
    )
    .await
    .unwrap();
}

async fn annual_leave_accrues_monthly_and_pro_rata_for_a_mid_year_start(app: App) {
    let t = team(&app).await;
    let annual = type_id(&app, "annual").await;
    // A newcomer from 1 July 2030 with 25 days a year: 12.5 days by December.
    let newcomer_user = staff(&app, "newcomer", &[Role::Employee]).await;
    let newcomer = employee(&app, &t.hr, "Nina New", "newcomer").await;
    hr::add_contract(
        &app,
        &t.hr,
        newcomer,
        &contract("2030-07-01", Some(t.boss_id)),
    )
    .await
    .unwrap();
    leave::set_entitlement(&app, &t.hr, newcomer, annual, 2030, "25")
        .await
        .unwrap();
    let as_of = Date::parse("2030-08-15").unwrap();
    let balances = leave::balances(&app, &newcomer_user, newcomer, 2030, as_of)
        .await
        .unwrap();
    let b = balances.iter().find(|b| b.leave_type.id == annual).unwrap();
    assert_eq!(b.entitlement, 50);
    assert_eq!(
        b.accrued, 8,
        "July and August: 2 × 25/12 = 4.17, rounded down to 4 days"
    );
    assert_eq!(b.accrued_year_end, 25, "six months of 25 days is 12.5 days");
    // Three days in July are more than July accrued (2 days)…
    let err = leave::request_leave(
        &app,
        &newcomer_user,
        None,
        &leave_of(annual, "2030-07-22", "2030-07-24"),
    )
    .await
    .unwrap_err();
    assert_eq!(field(err, "leave_type_id"), "error-leave-balance");
    // …two days are not.
    leave::request_leave(
        &app,
        &newcomer_user,
        None,
        &leave_of(annual, "2030-07-22", "2030-07-23"),
    )
    .await
    .unwrap();
    // By December 12.5 days accrued, 2 are held: 10.5 remain, 11 do not fit.
    let err = leave::request_leave(
        &app,
        &newcomer_user,
        None,
        &leave_of(annual, "2030-12-02", "2030-12-16"),
    )
    .await
    .unwrap_err();
    assert_eq!(field(err, "leave_type_id"), "error-leave-balance");
    let mut ten_and_a_half = leave_of(annual, "2030-12-02", "2030-12-13");
    ten_and_a_half.end_date = "2030-12-13".into();
    leave::request_leave(&app, &newcomer_user, None, &ten_and_a_half)
        .await
        .unwrap();
    let mut half = leave_of(annual, "2030-12-16", "2030-12-16");
    half.half_day = true;
    leave::request_leave(&app, &newcomer_user, None, &half)
        .await
        .unwrap();
    let end = Date::parse("2030-12-31").unwrap();
    let b = leave::balances(&app, &t.hr, newcomer, 2030, end)
        .await
        .unwrap();
    let b = b.iter().find(|b| b.leave_type.id == annual).unwrap();
    assert_eq!(b.available, 0, "the balance is used up, never negative");
    let err = leave::request_leave(&app, &newcomer_user, None, &{
        let mut h = leave_of(annual, "2030-12-17", "2030-12-17");
        h.half_day = true;
        h
    })
    .await
    .unwrap_err();
    assert_eq!(field(err, "leave_type_id"), "error-leave-balance");
    // Sick leave needs no entitlement.
    let sick = type_id(&app, "sick").await;
    leave::request_leave(
        &app,
        &newcomer_user,
        None,
        &leave_of(sick, "2030-12-18", "2030-12-20"),
    )
    .await
    .unwrap();
}

async fn only_the_manager_or_hr_decides_and_nobody_their_own(app: App) {
    let t = team(&app).await;
    let unpaid = type_id(&app, "unpaid").await;
    let outsider_user = staff(&app, "outsider", &[Role::Employee]).await;
    let outsider = employee(&app, &t.hr, "Otto Outsider", "outsider").await;
    hr::add_contract(&app, &t.hr, outsider, &contract("2020-01-01", None))
        .await
        .unwrap();
    let manager_role = staff(&app, "manager1", &[Role::Manager]).await;
    let id = leave::request_leave(
        &app,
        &t.worker,
        None,
        &leave_of(unpaid, "2030-02-04", "2030-02-05"),
    )
    .await
    .unwrap();
    assert!(matches!(
        leave::decide(&app, &outsider_user, id, true, "").await,
        Err(AppError::NotFound)
    ));
    assert!(matches!(
        leave::decide(&app, &manager_role, id, true, "").await,
        Err(AppError::Forbidden)
    ));
    assert!(matches!(
        leave::decide(&app, &t.worker, id, true, "").await,
        Err(AppError::Forbidden)
    ));
    let waiting = leave::awaiting_decision(&app, &t.boss).await.unwrap();
    assert_eq!(waiting.iter().map(|r| r.id).collect::<Vec<_>>(), vec![id]);
    leave::decide(&app, &t.boss, id, true, "enjoy")
        .await
        .unwrap();
    assert_eq!(
        leave::request(&app, &t.worker, id).await.unwrap().state,
        "approved"
    );
    assert!(matches!(
        leave::decide(&app, &t.boss, id, false, "").await,
        Err(AppError::Conflict("error-leave-state"))
    ));
    // HR decides anyone's, but not its own.
    let id = leave::request_leave(
        &app,
        &t.hr,
        Some(t.worker_id),
        &leave_of(unpaid, "2030-02-11", "2030-02-11"),
    )
    .await
    .unwrap();
    leave::decide(&app, &t.hr, id, false, "").await.unwrap();
    // The manager was notified of the request.
    let notes = seam_app::notifications::mine(&app, &t.boss, None)
        .await
        .unwrap();
    assert!(
        notes.iter().any(|n| n.kind == "leave-requested"),
        "{notes:?}"
    );
}

async fn approved_leave_shows_on_the_team_calendar_and_in_the_feed(app: App) {
    let t = team(&app).await;
    let sick = type_id(&app, "sick").await;
    let id = leave::request_leave(
        &app,
        &t.worker,
        None,
        &leave_of(sick, "2030-09-02", "2030-09-03"),
    )
    .await
    .unwrap();
    leave::decide(&app, &t.boss, id, true, "").await.unwrap();
    let calendar = leave::team_calendar(&app, &t.hr, 2030, 9, None)
        .await
        .unwrap();
    assert_eq!(calendar.days.len(), 30);
    let row = calendar
        .rows
        .iter()
        .find(|r| r.employee_id == t.worker_id)
        .unwrap();
    assert_eq!(row.cells[1], Some(("approved".into(), Some("sick".into()))));
    assert_eq!(row.cells[3], None);
    // A colleague sees that the worker is away, not why.
    let calendar = leave::team_calendar(&app, &t.boss, 2030, 9, None)
        .await
        .unwrap();
    let row = calendar
        .rows
        .iter()
        .find(|r| r.employee_id == t.worker_id)
        .unwrap();
    assert_eq!(row.cells[1], Some(("approved".into(), None)));
    // The feed (within a year from now) carries only what it must.
    let today = seam_app::today();
    let start = format!("{:04}-{:02}-{:02}", today.year + 1, 1, 7);
    let end = format!("{:04}-{:02}-{:02}", today.year + 1, 1, 8);
    let id = leave::request_leave(&app, &t.worker, None, &leave_of(sick, &start, &end))
        .await
        .unwrap();
    leave::decide(&app, &t.hr, id, true, "").await.unwrap();
    let token = leave::renew_absence_feed(&app, &t.hr, None).await.unwrap();
    let ics = leave::absence_feed(&app, &token).await.unwrap();
    assert!(ics.contains("Will Worker – away"), "{ics}");
    assert!(!ics.to_lowercase().contains("sick"), "{ics}");
    assert!(ics.contains("DTSTART;VALUE=DATE:"), "{ics}");
    assert!(matches!(
        leave::absence_feed(&app, "seamhr_nothing").await,
        Err(AppError::NotFound)
    ));
    let renewed = leave::renew_absence_feed(&app, &t.hr, None).await.unwrap();
    assert!(
        leave::absence_feed(&app, &token).await.is_err(),
        "the old token stops working"
    );
    assert!(leave::absence_feed(&app, &renewed).await.is_ok());
}

async fn the_employee_edits_their_contact_data_and_the_timeline_records_it(app: App) {
    let t = team(&app).await;
    let mine = hr::my_profile(&app, &t.worker).await.unwrap().unwrap();
    let draft = seam_domain::hr::ContactDraft {
        personal_email: "will@home.example".into(),
        personal_phone: "+49 170 1234567".into(),
        city: "Hamburg".into(),
        country: "de".into(),
        ..Default::default()
    };
    hr::update_my_contact(&app, &t.worker, mine.employee.version, &draft)
        .await
        .unwrap();
    let err = hr::update_my_contact(&app, &t.worker, mine.employee.version, &draft)
        .await
        .unwrap_err();
    assert!(matches!(err, AppError::Conflict("error-stale")));
    let bad = seam_domain::hr::ContactDraft {
        personal_email: "not-an-address".into(),
        ..Default::default()
    };
    let err = hr::update_my_contact(&app, &t.worker, mine.employee.version + 1, &bad)
        .await
        .unwrap_err();
    assert_eq!(field(err, "personal_email"), "error-email");
    let detail = hr::employee(&app, &t.hr, t.worker_id).await.unwrap();
    assert_eq!(
        detail.employee.personal_email.as_deref(),
        Some("will@home.example")
    );
    assert_eq!(detail.employee.country.as_deref(), Some("DE"));
    let actions: Vec<&str> = detail.timeline.iter().map(|e| e.action.as_str()).collect();
    assert_eq!(actions, vec!["update-contact", "contract-add", "create"]);
    // Someone without a record has no profile.
    let it = staff(&app, "itsupport", &[Role::It]).await;
    assert!(hr::my_profile(&app, &it).await.unwrap().is_none());
}

async fn the_demo_has_employees_with_managers_leave_and_a_self_service_login(app: App) {
    seam_app::demo::load_demo(&app).await.unwrap();
    let system = Actor::system("t");
    let rows = hr::list_employees(&app, &system, &hr::EmployeeFilter::default())
        .await
        .unwrap();
    // Eight on staff and one hire starting next month, still onboarding.
    assert_eq!(rows.len(), 9);
    assert!(rows.iter().filter(|r| r.manager_id.is_some()).count() >= 7);
    let employee = users::user_by_username(&app, &system, "employee")
        .await
        .unwrap();
    let employee = seam_app::auth::actor_from_user(&employee, None);
    let mine = hr::my_profile(&app, &employee).await.unwrap().unwrap();
    assert_eq!(mine.employee.name, "Sofia Romano");
    assert!(
        mine.contracts[0].salary_minor.is_some(),
        "self-service shows the own salary"
    );
    let it = users::user_by_username(&app, &system, "it-support")
        .await
        .unwrap();
    let it = seam_app::auth::actor_from_user(&it, None);
    let seen = hr::employee(&app, &it, mine.employee.id).await.unwrap();
    assert!(seen.contracts[0].salary_minor.is_none());
    let requests = leave::list_requests(&app, &system, &leave::RequestFilter::default())
        .await
        .unwrap();
    assert!(
        requests.iter().any(|r| r.state == "approved"),
        "{requests:?}"
    );
    assert!(
        requests.iter().any(|r| r.state == "pending"),
        "{requests:?}"
    );
    let report = seam_app::audit::verify(&app, &system).await.unwrap();
    assert!(report.first_break.is_none(), "{report:?}");
}
