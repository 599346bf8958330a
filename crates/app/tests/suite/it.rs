//! IT support and hire to retire on SQLite and (with `SEAM_TEST_PG_URL`)
//! PostgreSQL: the asset lifecycle with its history, licence seats never
//! beyond those bought, hiring in one transaction with a checklist whose
//! tasks do their work, and offboarding that leaves no session or token.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use seam_app::hr::{self, NewEmployee};
use seam_app::it::{self, AssetMove};
use seam_app::onboarding::{self, Completion, Hire};
use seam_app::{App, AppError, auth, payroll};
use seam_domain::access::Role;
use seam_domain::hr::{ContractDraft, EmployeeDraft};
use seam_domain::it::{AssetDraft, LicenceDraft};

use crate::common::staff;

both_backends!(
    an_asset_moves_through_its_lifecycle_and_keeps_its_history,
    a_seat_beyond_those_bought_is_refused_and_a_lowered_count_is_flagged,
    hiring_opens_a_checklist_whose_tasks_do_their_work,
    offboarding_leaves_no_session_or_token_and_recovers_everything,
    bad_input_names_the_field_and_writes_nothing,
    an_it_user_cannot_read_salaries_nor_hire,
);

fn laptop(serial: &str) -> AssetDraft {
    AssetDraft {
        kind: "laptop".into(),
        model: "ThinkPad T14".into(),
        serial_number: serial.into(),
        purchase_date: "2026-01-15".into(),
        cost: "1249.90".into(),
        currency: "EUR".into(),
        location: "HQ store room".into(),
    }
}

fn licence(product: &str, seats: &str) -> LicenceDraft {
    LicenceDraft {
        product: product.into(),
        vendor: "Vendor".into(),
        seats: seats.into(),
        expires_on: "2030-01-01".into(),
        cost: "100".into(),
        currency: "EUR".into(),
    }
}

fn contract(start: &str, position: Option<i64>) -> ContractDraft {
    ContractDraft {
        start_date: start.into(),
        position_id: position,
        working_time_pct: "100".into(),
        hours_per_week: "40".into(),
        salary: "3000".into(),
        currency: "EUR".into(),
        salary_period: "month".into(),
        ..ContractDraft::default()
    }
}

fn hire_of(name: &str, start: &str, position: Option<i64>) -> Hire {
    Hire {
        employee: NewEmployee {
            employee: EmployeeDraft {
                name: name.into(),
                work_email: format!("{}@example.com", name.to_lowercase().replace(' ', ".")),
                national_id: "NI-1".into(),
                ..EmployeeDraft::default()
            },
            username: String::new(),
        },
        contract: contract(start, position),
    }
}

async fn an_asset_moves_through_its_lifecycle_and_keeps_its_history(app: App) {
    let it_user = staff(&app, "tech", &[Role::It]).await;
    let hr_user = staff(&app, "people", &[Role::Hr]).await;
    let (who, _) = onboarding::hire(&app, &hr_user, &hire_of("Ada Byte", "2026-01-05", None))
        .await
        .unwrap();
    let (id, tag) = it::create_asset(&app, &it_user, &laptop("SN-1"))
        .await
        .unwrap();
    assert_eq!(tag, "IT-000001");
    let to = |status: &str, employee: Option<i64>| AssetMove {
        status: status.into(),
        employee_id: employee,
        location: String::new(),
    };
    it::move_asset(&app, &it_user, id, &to("assigned", Some(who)))
        .await
        .unwrap();
    // An assigned laptop is returned before it is retired.
    let refused = it::move_asset(&app, &it_user, id, &to("retired", None)).await;
    match refused {
        Err(AppError::Invalid(e)) => assert_eq!(e.for_field("status"), Some("error-asset-move")),
        other => panic!("{other:?}"),
    }
    it::move_asset(&app, &it_user, id, &to("in-repair", None))
        .await
        .unwrap();
    it::move_asset(&app, &it_user, id, &to("retired", None))
        .await
        .unwrap();
    let detail = it::asset(&app, &it_user, id).await.unwrap();
    assert_eq!(detail.asset.status, "retired");
    assert_eq!(detail.asset.employee_id, None);
    let actions: Vec<&str> = detail.history.iter().map(|e| e.action.as_str()).collect();
    assert_eq!(actions, ["retire", "repair", "assign", "create"]);
    // The hand-over and its end are on the employee's timeline.
    let employee = hr::employee(&app, &hr_user, who).await.unwrap();
    let timeline: Vec<&str> = employee
        .timeline
        .iter()
        .map(|e| e.action.as_str())
        .collect();
    assert!(timeline.contains(&"asset-assigned") && timeline.contains(&"asset-returned"));
    let csv = it::assets_csv(&app, &it_user).await.unwrap();
    assert!(
        csv.lines()
            .nth(1)
            .unwrap()
            .starts_with("IT-000001,laptop,ThinkPad T14,SN-1,2026-01-15,1249.90")
    );
}

async fn a_seat_beyond_those_bought_is_refused_and_a_lowered_count_is_flagged(app: App) {
    let it_user = staff(&app, "tech", &[Role::It]).await;
    let hr_user = staff(&app, "people", &[Role::Hr]).await;
    let mut people = Vec::new();
    for name in ["Ann One", "Bob Two", "Cy Three"] {
        people.push(
            onboarding::hire(&app, &hr_user, &hire_of(name, "2026-01-05", None))
                .await
                .unwrap()
                .0,
        );
    }
    let office = it::create_licence(&app, &it_user, &licence("Office suite", "2"))
        .await
        .unwrap();
    it::assign_seat(&app, &it_user, office, people[0])
        .await
        .unwrap();
    match it::assign_seat(&app, &it_user, office, people[0]).await {
        Err(AppError::Invalid(e)) => {
            assert_eq!(e.for_field("employee_id"), Some("error-seat-held"))
        }
        other => panic!("{other:?}"),
    }
    it::assign_seat(&app, &it_user, office, people[1])
        .await
        .unwrap();
    match it::assign_seat(&app, &it_user, office, people[2]).await {
        Err(AppError::Invalid(e)) => {
            assert_eq!(e.for_field("licence_id"), Some("error-seats-full"))
        }
        other => panic!("{other:?}"),
    }
    let detail = it::licence(&app, &it_user, office).await.unwrap();
    assert_eq!(detail.seats.len(), 2);
    assert!(!detail.licence.warnings.over_allocated);
    // A renewal with one seat: allowed, and flagged.
    let version = detail.licence.row.version;
    it::update_licence(
        &app,
        &it_user,
        office,
        version,
        &licence("Office suite", "1"),
    )
    .await
    .unwrap();
    let listed = it::licences(&app, &it_user).await.unwrap();
    assert!(listed[0].warnings.over_allocated);
    // Freeing a seat makes room again only once held seats fit.
    it::release_seat(&app, &it_user, office, people[0])
        .await
        .unwrap();
    let listed = it::licences(&app, &it_user).await.unwrap();
    assert!(!listed[0].warnings.over_allocated);
    assert_eq!(listed[0].row.assigned, 1);
    // Expiring within 30 days is flagged.
    let soon = seam_domain::it::add_days(seam_app::today(), 10)
        .unwrap()
        .iso();
    let mut draft = licence("Design tool", "5");
    draft.expires_on = soon;
    it::create_licence(&app, &it_user, &draft).await.unwrap();
    let listed = it::licences(&app, &it_user).await.unwrap();
    let design = listed
        .iter()
        .find(|l| l.row.product == "Design tool")
        .unwrap();
    assert!(design.warnings.expiring);
}

/// HR hires into a position whose login gets the sales role; IT completes
/// its tasks; payroll opens the record.
async fn hiring_opens_a_checklist_whose_tasks_do_their_work(app: App) {
    let it_user = staff(&app, "tech", &[Role::It]).await;
    let hr_user = staff(&app, "people", &[Role::Hr]).await;
    let position = hr::create_position(&app, &hr_user, "Account manager", None)
        .await
        .unwrap();
    it::set_position_roles(&app, &it_user, position, "sales")
        .await
        .unwrap();
    let (who, number) = onboarding::hire(
        &app,
        &hr_user,
        &hire_of("Nia Novak", "2027-02-01", Some(position)),
    )
    .await
    .unwrap();
    assert!(number.starts_with("EMP-"));
    let tasks = onboarding::tasks_of(&app, &hr_user, who).await.unwrap();
    let codes: Vec<(&str, &str, &str)> = tasks
        .iter()
        .map(|t| (t.code.as_str(), t.team.as_str(), t.due_date.as_str()))
        .collect();
    assert_eq!(
        codes,
        [
            ("contract-signed", "hr", "2027-02-01"),
            ("documents", "hr", "2027-02-01"),
            ("login", "it", "2027-01-31"),
            ("laptop", "it", "2027-01-31"),
            ("licences", "it", "2027-01-31"),
            ("payroll-record", "payroll", "2027-02-01"),
        ]
    );
    // Each team sees its own tasks.
    let it_open = onboarding::open_tasks(&app, &it_user).await.unwrap();
    assert_eq!(it_open.len(), 3);
    assert!(it_open.iter().all(|t| t.team == "it"));
    let task = |code: &str| tasks.iter().find(|t| t.code == code).unwrap().id;
    // IT may not tick off HR's tasks.
    assert!(matches!(
        onboarding::complete(&app, &it_user, task("documents"), &Completion::default()).await,
        Err(AppError::Forbidden)
    ));
    onboarding::complete(
        &app,
        &it_user,
        task("login"),
        &Completion {
            username: "nia".into(),
            password: "copper meadow 58 lantern".into(),
            ..Completion::default()
        },
    )
    .await
    .unwrap();
    let (laptop_id, _) = it::create_asset(&app, &it_user, &laptop("SN-9"))
        .await
        .unwrap();
    let office = it::create_licence(&app, &it_user, &licence("Office suite", "3"))
        .await
        .unwrap();
    let mut screen = laptop("MON-1");
    screen.kind = "monitor".into();
    let (monitor, _) = it::create_asset(&app, &it_user, &screen).await.unwrap();
    let wrong = Completion {
        asset_id: Some(monitor),
        ..Completion::default()
    };
    match onboarding::complete(&app, &it_user, task("laptop"), &wrong).await {
        Err(AppError::Invalid(e)) => {
            assert_eq!(e.for_field("asset_id"), Some("error-asset-not-laptop"))
        }
        other => panic!("{other:?}"),
    }
    onboarding::complete(
        &app,
        &it_user,
        task("laptop"),
        &Completion {
            asset_id: Some(laptop_id),
            ..Completion::default()
        },
    )
    .await
    .unwrap();
    onboarding::complete(
        &app,
        &it_user,
        task("licences"),
        &Completion {
            licence_ids: vec![office],
            ..Completion::default()
        },
    )
    .await
    .unwrap();
    let structure = payroll::create_structure(
        &app,
        &hr_user,
        "Standard",
        "2026-01-01",
        &payroll::worked_example(),
    )
    .await
    .unwrap();
    onboarding::complete(
        &app,
        &hr_user,
        task("payroll-record"),
        &Completion {
            structure_id: Some(structure),
            ..Completion::default()
        },
    )
    .await
    .unwrap();
    // Done twice is refused.
    assert!(matches!(
        onboarding::complete(&app, &it_user, task("login"), &Completion::default()).await,
        Err(AppError::Conflict("error-task-done"))
    ));
    let tasks = onboarding::tasks_of(&app, &hr_user, who).await.unwrap();
    let login = tasks.iter().find(|t| t.code == "login").unwrap();
    assert_eq!(login.done_by.as_deref(), Some("tech"));
    assert_eq!(login.note, "nia (sales, employee)");
    // The login works, with the position's roles, and is the employee's.
    let outcome = auth::login(&app, "nia", "copper meadow 58 lantern")
        .await
        .unwrap();
    assert!(matches!(outcome, auth::LoginOutcome::LoggedIn { .. }));
    let row = seam_store::users::user_by_username(&app.db, "nia")
        .await
        .unwrap()
        .unwrap();
    let nia = auth::actor_from_user(&row, None);
    assert!(nia.roles.contains(&Role::Sales) && nia.roles.contains(&Role::Employee));
    assert_eq!(hr::own_employee_id(&app, &nia).await.unwrap(), Some(who));
    let held = it::holdings(&app, &nia, who).await.unwrap();
    assert_eq!(held.assets.len(), 1);
    assert_eq!(held.seats.len(), 1);
    let record = payroll::employee_record(&app, &hr_user, who)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(record.start_date, "2027-02-01");
}

async fn offboarding_leaves_no_session_or_token_and_recovers_everything(app: App) {
    let it_user = staff(&app, "tech", &[Role::It]).await;
    let hr_user = staff(&app, "people", &[Role::Hr]).await;
    let position = hr::create_position(&app, &hr_user, "Seller", None)
        .await
        .unwrap();
    it::set_position_roles(&app, &it_user, position, "sales")
        .await
        .unwrap();
    let (who, _) = onboarding::hire(
        &app,
        &hr_user,
        &hire_of("Leo Leaves", "2026-01-05", Some(position)),
    )
    .await
    .unwrap();
    let tasks = onboarding::tasks_of(&app, &hr_user, who).await.unwrap();
    let login_task = tasks.iter().find(|t| t.code == "login").unwrap().id;
    onboarding::complete(
        &app,
        &it_user,
        login_task,
        &Completion {
            username: "leo".into(),
            password: "copper meadow 58 lantern".into(),
            ..Completion::default()
        },
    )
    .await
    .unwrap();
    let auth::LoginOutcome::LoggedIn { session } =
        auth::login(&app, "leo", "copper meadow 58 lantern")
            .await
            .unwrap()
    else {
        panic!("no second factor expected")
    };
    let row = seam_store::users::user_by_username(&app.db, "leo")
        .await
        .unwrap()
        .unwrap();
    let leo = auth::actor_from_user(&row, None);
    let owner = leo.user_id.unwrap();
    let (_, token) = seam_app::tokens::create_token(
        &app,
        &leo,
        owner,
        "laptop script",
        &[seam_domain::access::Permission::PartiesRead],
    )
    .await
    .unwrap();
    let (laptop_id, _) = it::create_asset(&app, &it_user, &laptop("SN-7"))
        .await
        .unwrap();
    it::move_asset(
        &app,
        &it_user,
        laptop_id,
        &AssetMove {
            status: "assigned".into(),
            employee_id: Some(who),
            location: String::new(),
        },
    )
    .await
    .unwrap();
    let office = it::create_licence(&app, &it_user, &licence("Office suite", "1"))
        .await
        .unwrap();
    it::assign_seat(&app, &it_user, office, who).await.unwrap();

    let today = seam_app::today().iso();
    onboarding::offboard(&app, &hr_user, who, &today)
        .await
        .unwrap();
    // At once: no login, no session, no token; the seat is free.
    assert!(
        auth::login(&app, "leo", "copper meadow 58 lantern")
            .await
            .is_err()
    );
    assert!(auth::session_actor(&app, &session).await.unwrap().is_none());
    assert!(auth::token_actor(&app, &token).await.unwrap().is_none());
    assert_eq!(
        it::licence(&app, &it_user, office)
            .await
            .unwrap()
            .seats
            .len(),
        0
    );
    let tasks = onboarding::tasks_of(&app, &hr_user, who).await.unwrap();
    let done: Vec<&str> = tasks
        .iter()
        .filter(|t| t.kind == "offboarding" && t.done_at_us.is_some())
        .map(|t| t.code.as_str())
        .collect();
    assert_eq!(done, ["access-revoked", "seats-freed"]);
    // IT takes the laptop back; payroll has no final payslip yet.
    let returned = tasks
        .iter()
        .find(|t| t.code == "assets-returned")
        .unwrap()
        .id;
    onboarding::complete(
        &app,
        &it_user,
        returned,
        &Completion {
            location: "Returns shelf".into(),
            ..Completion::default()
        },
    )
    .await
    .unwrap();
    let asset = it::asset(&app, &it_user, laptop_id).await.unwrap().asset;
    assert_eq!(
        (asset.status.as_str(), asset.location.as_str()),
        ("in-stock", "Returns shelf")
    );
    let final_slip = tasks.iter().find(|t| t.code == "final-payslip").unwrap().id;
    match onboarding::complete(&app, &hr_user, final_slip, &Completion::default()).await {
        Err(AppError::Invalid(e)) => {
            assert_eq!(e.for_field("task"), Some("error-final-payslip-missing"))
        }
        other => panic!("{other:?}"),
    }
    // Offboarded once only; the contract ends on the last day.
    assert!(matches!(
        onboarding::offboard(&app, &hr_user, who, &today).await,
        Err(AppError::Conflict("error-checklist-exists"))
    ));
    let detail = hr::employee(&app, &hr_user, who).await.unwrap();
    assert_eq!(
        detail.contracts[0].row.end_date.as_deref(),
        Some(today.as_str())
    );
}

async fn bad_input_names_the_field_and_writes_nothing(app: App) {
    let hr_user = staff(&app, "people", &[Role::Hr]).await;
    let it_user = staff(&app, "tech", &[Role::It]).await;
    let before = hr::list_employees(&app, &hr_user, &Default::default())
        .await
        .unwrap()
        .len();
    let mut bad = hire_of("Eve Early", "2026-03-01", None);
    bad.contract.end_date = "2026-02-01".into();
    bad.contract.salary = "-10".into();
    bad.contract.manager_id = Some(9_999);
    match onboarding::hire(&app, &hr_user, &bad).await {
        Err(AppError::Invalid(e)) => {
            assert_eq!(e.for_field("end_date"), Some("error-end-before-start"));
            assert_eq!(e.for_field("salary"), Some("error-salary-negative"));
        }
        other => panic!("{other:?}"),
    }
    let mut unknown_manager = hire_of("Eve Early", "2026-03-01", None);
    unknown_manager.contract.manager_id = Some(9_999);
    match onboarding::hire(&app, &hr_user, &unknown_manager).await {
        Err(AppError::Invalid(e)) => {
            assert_eq!(e.for_field("manager_id"), Some("error-unknown-manager"))
        }
        other => panic!("{other:?}"),
    }
    let after = hr::list_employees(&app, &hr_user, &Default::default())
        .await
        .unwrap()
        .len();
    assert_eq!(
        before, after,
        "no employee, party or checklist half-written"
    );
    let mut asset = laptop("");
    asset.cost = "-1".into();
    match it::create_asset(&app, &it_user, &asset).await {
        Err(AppError::Invalid(e)) => {
            assert_eq!(e.for_field("serial_number"), Some("error-required"));
            assert_eq!(e.for_field("cost"), Some("error-cost-negative"));
        }
        other => panic!("{other:?}"),
    }
    it::create_asset(&app, &it_user, &laptop("SN-1"))
        .await
        .unwrap();
    match it::create_asset(&app, &it_user, &laptop("SN-1")).await {
        Err(AppError::Invalid(e)) => {
            assert_eq!(e.for_field("serial_number"), Some("error-duplicate"))
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(
        it::assets(&app, &it_user, &Default::default(), None)
            .await
            .unwrap()
            .len(),
        1
    );
    // A login task with a weak password creates no login and stays open.
    let (who, _) = onboarding::hire(&app, &hr_user, &hire_of("Fay Fine", "2026-03-01", None))
        .await
        .unwrap();
    let tasks = onboarding::tasks_of(&app, &hr_user, who).await.unwrap();
    let login = tasks.iter().find(|t| t.code == "login").unwrap().id;
    let weak = Completion {
        username: "fay".into(),
        password: "short".into(),
        ..Completion::default()
    };
    match onboarding::complete(&app, &it_user, login, &weak).await {
        Err(AppError::Invalid(e)) => assert!(e.for_field("password").is_some()),
        other => panic!("{other:?}"),
    }
    assert!(
        seam_store::users::user_by_username(&app.db, "fay")
            .await
            .unwrap()
            .is_none()
    );
    let task = onboarding::task(&app, &it_user, login).await.unwrap();
    assert!(task.done_at_us.is_none());
    assert!(matches!(
        onboarding::offboard(&app, &hr_user, who, "2026-02-01").await,
        Err(AppError::Invalid(e)) if e.for_field("end_date") == Some("error-end-before-start")
    ));
}

async fn an_it_user_cannot_read_salaries_nor_hire(app: App) {
    let hr_user = staff(&app, "people", &[Role::Hr]).await;
    let it_user = staff(&app, "tech", &[Role::It]).await;
    let (who, _) = onboarding::hire(&app, &hr_user, &hire_of("Sal Ary", "2026-01-05", None))
        .await
        .unwrap();
    let seen = hr::employee(&app, &it_user, who).await.unwrap();
    assert!(seen.contracts.iter().all(|c| c.salary_minor.is_none()));
    assert!(seen.employee.national_id.is_none());
    assert!(matches!(
        onboarding::hire(&app, &it_user, &hire_of("No Body", "2026-01-05", None)).await,
        Err(AppError::Forbidden)
    ));
    assert!(matches!(
        onboarding::offboard(&app, &it_user, who, "2026-06-30").await,
        Err(AppError::Forbidden)
    ));
    let sales = staff(&app, "seller", &[Role::Sales]).await;
    assert!(matches!(
        it::assets(&app, &sales, &Default::default(), None).await,
        Err(AppError::Forbidden)
    ));
    assert!(onboarding::open_tasks(&app, &sales).await.is_err());
}

both_backends!(the_demo_has_a_register_warnings_and_a_hire_onboarding);

async fn the_demo_has_a_register_warnings_and_a_hire_onboarding(app: App) {
    seam_app::demo::load_demo(&app).await.unwrap();
    let system = seam_app::Actor::system("t");
    let assets = it::assets(&app, &system, &Default::default(), None)
        .await
        .unwrap();
    assert_eq!(assets.len(), 13);
    assert!(assets.iter().filter(|a| a.status == "assigned").count() >= 8);
    let licences = it::licences(&app, &system).await.unwrap();
    assert!(licences.iter().any(|l| l.warnings.expiring));
    assert!(licences.iter().any(|l| l.warnings.over_allocated));
    let open = onboarding::open_tasks(&app, &system).await.unwrap();
    assert!(open.iter().all(|t| t.employee_name == "Jonas Weber"));
    assert_eq!(open.len(), 5, "all but the signed contract");
    // The demo's IT login works the IT list.
    let row = seam_store::users::user_by_username(&app.db, "it-support")
        .await
        .unwrap()
        .unwrap();
    let it_login = auth::actor_from_user(&row, None);
    let its = onboarding::open_tasks(&app, &it_login).await.unwrap();
    assert_eq!(its.len(), 3);
}

both_backends!(a_later_last_day_keeps_the_login_until_a_job_at_the_end_of_that_day);

async fn a_later_last_day_keeps_the_login_until_a_job_at_the_end_of_that_day(app: App) {
    let hr_user = staff(&app, "people", &[Role::Hr]).await;
    let it_user = staff(&app, "tech", &[Role::It]).await;
    let (who, _) = onboarding::hire(&app, &hr_user, &hire_of("Lou Later", "2026-01-05", None))
        .await
        .unwrap();
    let tasks = onboarding::tasks_of(&app, &hr_user, who).await.unwrap();
    let login = tasks.iter().find(|t| t.code == "login").unwrap().id;
    let creds = Completion {
        username: "lou".into(),
        password: "copper meadow 58 lantern".into(),
        ..Completion::default()
    };
    onboarding::complete(&app, &it_user, login, &creds)
        .await
        .unwrap();
    let last_day = seam_domain::it::add_days(seam_app::today(), 3).unwrap();
    onboarding::offboard(&app, &hr_user, who, &last_day.iso())
        .await
        .unwrap();
    // Still working until then.
    assert!(matches!(
        auth::login(&app, "lou", "copper meadow 58 lantern")
            .await
            .unwrap(),
        auth::LoginOutcome::LoggedIn { .. }
    ));
    let open = onboarding::tasks_of(&app, &hr_user, who).await.unwrap();
    assert!(
        open.iter()
            .filter(|t| t.kind == "offboarding")
            .all(|t| t.done_at_us.is_none())
    );
    // The revocation waits for the end of the last day.
    let jobs = seam_store::jobs::list(&app.db, None, None, 100)
        .await
        .unwrap();
    let job = jobs
        .iter()
        .find(|j| j.kind == onboarding::REVOKE_JOB)
        .unwrap();
    let next_day = seam_domain::it::add_days(last_day, 1).unwrap();
    let midnight = jiff::civil::Date::new(next_day.year, next_day.month, next_day.day)
        .unwrap()
        .to_zoned(jiff::tz::TimeZone::UTC)
        .unwrap()
        .timestamp()
        .as_microsecond();
    assert_eq!(job.run_at_us, midnight);
    assert!(job.payload.contains(&who.to_string()));
}
