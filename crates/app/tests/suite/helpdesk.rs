//! The internal helpdesk on SQLite and (with `SEAM_TEST_PG_URL`) PostgreSQL:
//! an employee (any role, even `employee` without permissions) opens an IT
//! request that is an ordinary ticket of their party in the `it` queue;
//! IT sees it at the desk and answers; the employee sees the public reply
//! but never an internal note, and nobody else's request (404). Access
//! requests are decided by the employee's manager or HR, never by a
//! colleague or the employee; approval opens the IT ticket for the grant;
//! bad input names its field and writes nothing.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use seam_app::access_requests::{self, AccessRequestDraft};
use seam_app::helpdesk::{self, ItRequestDraft};
use seam_app::hr::{self, NewEmployee};
use seam_app::service::{self, ListFilter};
use seam_app::users::{self, UserDraft};
use seam_app::{Actor, App, AppError, notifications};
use seam_domain::access::Role;
use seam_domain::hr::{ContractDraft, EmployeeDraft};
use seam_domain::service::Queue;

both_backends!(
    an_employee_opens_an_it_request_and_it_answers_at_the_desk,
    nobody_reads_or_answers_another_employees_request,
    bad_it_requests_name_the_field_and_write_nothing,
    the_manager_approves_access_and_it_gets_a_ticket,
    a_colleague_or_the_employee_cannot_decide_and_hr_can,
    bad_access_requests_name_the_field_and_write_nothing,
    the_demo_has_an_access_request_waiting_for_sofias_manager,
);

async fn staff(app: &App, username: &str, roles: &[Role]) -> Actor {
    let draft = UserDraft {
        username: username.into(),
        display_name: format!("{username} Person"),
        email: format!("{username}@example.com"),
        password: "velvet orchard 77 kite".into(),
        roles: roles.to_vec(),
        ..UserDraft::default()
    };
    let id = users::add_user(app, &Actor::system("t"), &draft)
        .await
        .unwrap();
    let row = users::user(app, &Actor::system("t"), id).await.unwrap();
    seam_app::auth::actor_from_user(&row, None)
}

async fn employee(
    app: &App,
    hr_user: &Actor,
    name: &str,
    username: &str,
    manager: Option<i64>,
) -> i64 {
    let input = NewEmployee {
        employee: EmployeeDraft {
            name: name.into(),
            ..EmployeeDraft::default()
        },
        username: username.into(),
    };
    let id = hr::create_employee(app, hr_user, &input).await.unwrap().0;
    let contract = ContractDraft {
        start_date: "2020-01-01".into(),
        manager_id: manager,
        working_time_pct: "100".into(),
        hours_per_week: "40".into(),
        salary: "4200".into(),
        currency: "EUR".into(),
        salary_period: "month".into(),
        ..ContractDraft::default()
    };
    hr::add_contract(app, hr_user, id, &contract).await.unwrap();
    id
}

/// HR, a boss, two reports of the boss (all with logins) and IT.
struct Office {
    hr: Actor,
    boss: Actor,
    anna: Actor,
    anna_id: i64,
    ben: Actor,
    it: Actor,
}

async fn office(app: &App) -> Office {
    let hr_user = staff(app, "hrofficer", &[Role::Hr]).await;
    let boss = staff(app, "boss", &[Role::Employee]).await;
    let anna = staff(app, "anna", &[Role::Employee]).await;
    let ben = staff(app, "ben", &[Role::Sales]).await;
    let it = staff(app, "itsupport", &[Role::It]).await;
    let boss_id = employee(app, &hr_user, "Bea Boss", "boss", None).await;
    let anna_id = employee(app, &hr_user, "Anna Berg", "anna", Some(boss_id)).await;
    employee(app, &hr_user, "Ben Olsen", "ben", Some(boss_id)).await;
    Office {
        hr: hr_user,
        boss,
        anna,
        anna_id,
        ben,
        it,
    }
}

fn it_request(subject: &str) -> ItRequestDraft {
    ItRequestDraft {
        subject: subject.into(),
        body: "The docking station flickers every few minutes.".into(),
        priority: "high".into(),
    }
}

fn field(err: AppError, name: &str) -> &'static str {
    match err {
        AppError::Invalid(errors) => errors
            .for_field(name)
            .unwrap_or_else(|| panic!("no error for {name}: {errors:?}")),
        other => panic!("expected field errors, got {other:?}"),
    }
}

async fn ticket_count(app: &App) -> usize {
    service::list(app, &Actor::system("t"), &ListFilter::default(), None)
        .await
        .unwrap()
        .len()
}

async fn an_employee_opens_an_it_request_and_it_answers_at_the_desk(app: App) {
    let o = office(&app).await;
    let id = helpdesk::open_request(&app, &o.anna, &it_request("Screen flickers"))
        .await
        .unwrap();
    let mine = helpdesk::request(&app, &o.anna, id).await.unwrap();
    let anna_party = hr::employee(&app, &o.hr, o.anna_id)
        .await
        .unwrap()
        .employee
        .party_id;
    let t = &mine.ticket;
    assert_eq!(t.party_id, anna_party, "the employee's own party");
    assert_eq!(t.queue, "it");
    assert_eq!(
        t.channel, "portal",
        "portal means self-service for an employee"
    );
    assert_eq!(t.priority, "high");
    assert_eq!(t.state, "open");
    assert!(t.number.starts_with("TK-"), "{}", t.number);
    assert!(
        mine.messages[0].by_customer,
        "the first message is the requester's"
    );
    // Opened through the one path every ticket takes: journaled like any.
    let events = seam_app::audit::recent_events(&app, &Actor::system("t"), None, 50)
        .await
        .unwrap();
    assert!(
        events.iter().any(|e| e.entity_type == "ticket"
            && e.entity_id == id.to_string()
            && e.action == "open")
    );
    // IT sees it in its queue and answers there.
    let queue = service::list(
        &app,
        &o.it,
        &ListFilter {
            queue: Some(Queue::It),
            ..ListFilter::default()
        },
        None,
    )
    .await
    .unwrap();
    assert!(queue.iter().any(|r| r.id == id), "{queue:?}");
    service::reply(&app, &o.it, id, "Try the other USB-C port, please.", true)
        .await
        .unwrap();
    service::reply(&app, &o.it, id, "Probably the cable; order one.", false)
        .await
        .unwrap();
    let mine = helpdesk::request(&app, &o.anna, id).await.unwrap();
    assert_eq!(mine.ticket.state, "pending", "waits on the employee");
    assert!(
        mine.messages
            .iter()
            .any(|m| m.body == "Try the other USB-C port, please.")
    );
    assert!(
        mine.messages.iter().all(|m| m.public),
        "the internal note stays with IT"
    );
    let notices = notifications::mine(&app, &o.anna, None).await.unwrap();
    assert!(
        notices
            .iter()
            .any(|n| n.kind == "it-request-replied" && n.link == format!("/me/it/{id}")),
        "{notices:?}"
    );
    // The employee answers (reopening it) and closes it.
    helpdesk::reply(&app, &o.anna, id, "That fixed it, thanks.", &[])
        .await
        .unwrap();
    assert_eq!(
        service::ticket(&app, &o.it, id).await.unwrap().ticket.state,
        "open"
    );
    let listed = helpdesk::my_requests(&app, &o.anna, None).await.unwrap();
    assert_eq!(listed.len(), 1);
    helpdesk::close(&app, &o.anna, id).await.unwrap();
    assert_eq!(
        helpdesk::request(&app, &o.anna, id)
            .await
            .unwrap()
            .ticket
            .state,
        "closed"
    );
    assert!(matches!(
        helpdesk::reply(&app, &o.anna, id, "One more thing", &[]).await,
        Err(AppError::Conflict(_))
    ));
}

async fn nobody_reads_or_answers_another_employees_request(app: App) {
    let o = office(&app).await;
    let id = helpdesk::open_request(&app, &o.anna, &it_request("VPN drops"))
        .await
        .unwrap();
    // Ben, a colleague, guesses the id.
    assert!(matches!(
        helpdesk::request(&app, &o.ben, id).await,
        Err(AppError::NotFound)
    ));
    assert!(matches!(
        helpdesk::reply(&app, &o.ben, id, "Me too", &[]).await,
        Err(AppError::NotFound)
    ));
    assert!(matches!(
        helpdesk::close(&app, &o.ben, id).await,
        Err(AppError::NotFound)
    ));
    assert!(
        helpdesk::my_requests(&app, &o.ben, None)
            .await
            .unwrap()
            .is_empty()
    );
    // A login without an employee record has no helpdesk at all.
    let outsider = staff(&app, "outsider", &[Role::Employee]).await;
    assert!(matches!(
        helpdesk::request(&app, &outsider, id).await,
        Err(AppError::NotFound)
    ));
    assert!(matches!(
        helpdesk::open_request(&app, &outsider, &it_request("Hello")).await,
        Err(AppError::NotFound)
    ));
    // Nor does a sales user see the IT queue at the desk.
    assert!(matches!(
        service::ticket(&app, &o.ben, id).await,
        Err(AppError::Forbidden | AppError::NotFound)
    ));
    // Ben's reply attempt wrote nothing.
    let detail = helpdesk::request(&app, &o.anna, id).await.unwrap();
    assert_eq!(detail.messages.len(), 1);
}

async fn bad_it_requests_name_the_field_and_write_nothing(app: App) {
    let o = office(&app).await;
    let before = ticket_count(&app).await;
    let mut draft = it_request("");
    assert_eq!(
        field(
            helpdesk::open_request(&app, &o.anna, &draft)
                .await
                .unwrap_err(),
            "subject"
        ),
        "error-required"
    );
    draft = it_request("Printer");
    draft.priority = "asap".into();
    assert_eq!(
        field(
            helpdesk::open_request(&app, &o.anna, &draft)
                .await
                .unwrap_err(),
            "priority"
        ),
        "error-ticket-priority"
    );
    draft = it_request("Printer");
    draft.body = "   ".into();
    assert_eq!(
        field(
            helpdesk::open_request(&app, &o.anna, &draft)
                .await
                .unwrap_err(),
            "body"
        ),
        "error-required"
    );
    assert_eq!(ticket_count(&app).await, before);
}

fn sales_role() -> AccessRequestDraft {
    AccessRequestDraft {
        kind: String::new(),
        role: "sales".into(),
        system: String::new(),
        reason: "I cover the sales desk in August.".into(),
    }
}

async fn the_manager_approves_access_and_it_gets_a_ticket(app: App) {
    let o = office(&app).await;
    let id = access_requests::request_access(&app, &o.anna, &sales_role())
        .await
        .unwrap();
    let row = access_requests::request(&app, &o.anna, id).await.unwrap();
    assert_eq!((row.kind.as_str(), row.what.as_str()), ("role", "sales"));
    assert_eq!(row.state, "requested");
    // The manager is told and finds it waiting.
    let notices = notifications::mine(&app, &o.boss, None).await.unwrap();
    assert!(
        notices.iter().any(|n| n.kind == "access-requested"),
        "{notices:?}"
    );
    let waiting = access_requests::awaiting_decision(&app, &o.boss)
        .await
        .unwrap();
    assert_eq!(waiting.iter().map(|r| r.id).collect::<Vec<_>>(), vec![id]);
    assert!(
        access_requests::awaiting_decision(&app, &o.anna)
            .await
            .unwrap()
            .is_empty()
    );
    let tickets_before = ticket_count(&app).await;
    let ticket = access_requests::decide(&app, &o.boss, id, true, "Until September.")
        .await
        .unwrap()
        .expect("an approval opens a ticket");
    assert_eq!(ticket_count(&app).await, tickets_before + 1);
    let row = access_requests::request(&app, &o.anna, id).await.unwrap();
    assert_eq!(row.state, "approved");
    assert_eq!(row.ticket_id, Some(ticket));
    assert_eq!(row.decided_by.as_deref(), Some("boss Person"));
    // IT sees the grant in its queue.
    let at_desk = service::ticket(&app, &o.it, ticket).await.unwrap();
    assert_eq!(at_desk.ticket.queue, "it");
    assert_eq!(at_desk.ticket.subject, "Access: sales role for Anna Berg");
    assert!(at_desk.messages[0].body.contains("I cover the sales desk"));
    // The employee follows it among her own requests.
    let mine = helpdesk::my_requests(&app, &o.anna, None).await.unwrap();
    assert!(mine.iter().any(|t| t.id == ticket));
    let notices = notifications::mine(&app, &o.anna, None).await.unwrap();
    assert!(notices.iter().any(|n| n.kind == "access-approved"));
    // Decided once: a second decision is refused and changes nothing.
    assert!(matches!(
        access_requests::decide(&app, &o.boss, id, false, "").await,
        Err(AppError::Conflict("error-access-state"))
    ));
    assert_eq!(ticket_count(&app).await, tickets_before + 1);
    // A rejected request opens nothing.
    let system = AccessRequestDraft {
        kind: "system".into(),
        role: String::new(),
        system: "Payroll share".into(),
        reason: "Curious.".into(),
    };
    let second = access_requests::request_access(&app, &o.anna, &system)
        .await
        .unwrap();
    assert_eq!(
        access_requests::decide(&app, &o.boss, second, false, "No need.")
            .await
            .unwrap(),
        None
    );
    let row = access_requests::request(&app, &o.anna, second)
        .await
        .unwrap();
    assert_eq!((row.state.as_str(), row.ticket_id), ("rejected", None));
    assert_eq!(ticket_count(&app).await, tickets_before + 1);
}

async fn a_colleague_or_the_employee_cannot_decide_and_hr_can(app: App) {
    let o = office(&app).await;
    let id = access_requests::request_access(&app, &o.anna, &sales_role())
        .await
        .unwrap();
    // Ben is a colleague, not the manager: he does not even see it.
    assert!(matches!(
        access_requests::decide(&app, &o.ben, id, true, "").await,
        Err(AppError::NotFound)
    ));
    assert!(matches!(
        access_requests::request(&app, &o.ben, id).await,
        Err(AppError::NotFound)
    ));
    // IT may not approve access either.
    assert!(matches!(
        access_requests::decide(&app, &o.it, id, true, "").await,
        Err(AppError::NotFound)
    ));
    // Nobody decides their own.
    assert!(matches!(
        access_requests::decide(&app, &o.anna, id, true, "").await,
        Err(AppError::Forbidden)
    ));
    let before = ticket_count(&app).await;
    assert_eq!(
        access_requests::request(&app, &o.anna, id)
            .await
            .unwrap()
            .state,
        "requested"
    );
    assert_eq!(ticket_count(&app).await, before);
    // HR may decide.
    assert!(
        access_requests::decide(&app, &o.hr, id, true, "")
            .await
            .unwrap()
            .is_some()
    );
}

async fn bad_access_requests_name_the_field_and_write_nothing(app: App) {
    let o = office(&app).await;
    let cases: Vec<(AccessRequestDraft, &str, &str)> = vec![
        (
            AccessRequestDraft {
                role: "wizard".into(),
                ..sales_role()
            },
            "role",
            "error-unknown-role",
        ),
        (
            AccessRequestDraft {
                role: "portal".into(),
                ..sales_role()
            },
            "role",
            "error-unknown-role",
        ),
        (
            AccessRequestDraft {
                kind: "system".into(),
                role: String::new(),
                system: "  ".into(),
                reason: "Because.".into(),
            },
            "system",
            "error-required",
        ),
        (
            AccessRequestDraft {
                reason: "x".repeat(access_requests::REASON_MAX + 1),
                ..sales_role()
            },
            "reason",
            "error-too-long",
        ),
        (
            AccessRequestDraft {
                reason: String::new(),
                ..sales_role()
            },
            "reason",
            "error-required",
        ),
        (
            AccessRequestDraft {
                kind: "laptop".into(),
                ..sales_role()
            },
            "kind",
            "error-access-kind",
        ),
    ];
    for (draft, name, code) in cases {
        let err = access_requests::request_access(&app, &o.anna, &draft)
            .await
            .unwrap_err();
        assert_eq!(field(err, name), code, "{draft:?}");
    }
    assert!(
        access_requests::my_requests(&app, &o.anna)
            .await
            .unwrap()
            .is_empty()
    );
    assert!(
        notifications::mine(&app, &o.boss, None)
            .await
            .unwrap()
            .is_empty()
    );
    // Without an employee record there is no one to ask.
    let outsider = staff(&app, "outsider", &[Role::Employee]).await;
    assert!(matches!(
        access_requests::request_access(&app, &outsider, &sales_role()).await,
        Err(AppError::NotFound)
    ));
}

async fn the_demo_has_an_access_request_waiting_for_sofias_manager(app: App) {
    seam_app::demo::load_demo(&app).await.unwrap();
    let system = Actor::system("t");
    let login = |name: &'static str| {
        let app = app.clone();
        let system = system.clone();
        async move {
            let row = users::user_by_username(&app, &system, name).await.unwrap();
            seam_app::auth::actor_from_user(&row, None)
        }
    };
    let manager = login("manager").await;
    let waiting = access_requests::awaiting_decision(&app, &manager)
        .await
        .unwrap();
    assert_eq!(waiting.len(), 1, "{waiting:?}");
    assert_eq!(waiting[0].employee_name, "Sofia Romano");
    assert_eq!(waiting[0].what, "sales");
    // The IT login works the IT queue at the desk.
    let it = login("it-support").await;
    assert_eq!(service::queues_of(&it), vec![Queue::It]);
}
