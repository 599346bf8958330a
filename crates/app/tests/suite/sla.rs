//! Service levels on SQLite and (with `SEAM_TEST_PG_URL`) PostgreSQL: a
//! ticket's clocks start when it opens, the first public reply meets the
//! first response, waiting on the customer pauses the resolution clock and
//! their reply resumes it; the breached and at-risk lists at later instants;
//! the assignee is told once at risk and once breached; each team sees its
//! own queues; bad settings write nothing.
//!
//! Time: the calendar is set to round-the-clock hours, so business time is
//! wall time whenever the test runs, and the lists and the job's body are
//! asked about later instants instead of waiting for them.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use seam_app::service::{self, TicketInput};
use seam_app::sla::{self, ClockStatus, SlaFilter};
use seam_app::users::{self, UserDraft};
use seam_app::{Actor, App, AppError, auth, jobs, notifications, now_us, parties};
use seam_domain::access::Role;
use seam_domain::ids::PartyId;
use seam_domain::party::PartyDraft;
use seam_domain::service::{Queue, TicketDraft};
use seam_domain::sla::{CalendarDraft, MINUTE_US, PolicyDraft};

both_backends!(
    the_clocks_start_pause_resume_and_the_lists_follow_them,
    the_assignee_is_told_once_at_risk_and_once_breached,
    each_team_sees_the_breaches_of_its_own_queues,
    bad_hours_and_targets_write_nothing,
);

fn admin() -> Actor {
    Actor::system("tester")
}

async fn login(app: &App, username: &str, roles: &[Role], party: Option<PartyId>) -> Actor {
    let draft = UserDraft {
        username: username.into(),
        display_name: username.into(),
        password: "velvet orchard 77 kite".into(),
        roles: roles.to_vec(),
        party_id: party.map(|p| p.0),
        ..UserDraft::default()
    };
    let id = users::add_user(app, &admin(), &draft).await.unwrap();
    let row = users::user(app, &admin(), id).await.unwrap();
    auth::actor_from_user(&row, None)
}

async fn customer(app: &App, name: &str) -> PartyId {
    let draft = PartyDraft {
        kind: "company".into(),
        name: name.into(),
        is_customer: true,
        email: "desk@example.com".into(),
        ..PartyDraft::default()
    };
    parties::create_party(app, &admin(), &draft).await.unwrap()
}

/// Round-the-clock hours in UTC: business time is wall time.
async fn always_open(app: &App) {
    let draft = CalendarDraft {
        zone: "UTC".into(),
        hours: std::array::from_fn(|_| ("00:00".to_owned(), "24:00".to_owned())),
        holidays: String::new(),
    };
    sla::update_calendar(app, &admin(), &draft).await.unwrap();
}

async fn open(app: &App, by: &Actor, party: PartyId, priority: &str) -> i64 {
    let input = TicketInput {
        party_id: Some(party.0),
        ticket: TicketDraft {
            subject: "The scanner stopped".into(),
            body: "Nothing scans since this morning.".into(),
            priority: priority.into(),
            channel: "phone".into(),
        },
        invoice: String::new(),
        order: String::new(),
    };
    service::open_ticket(app, by, &input).await.unwrap()
}

fn later(minutes: i64) -> SlaFilter {
    SlaFilter {
        queue: None,
        at_us: Some(now_us() + minutes * MINUTE_US),
    }
}

async fn ids_breached(app: &App, actor: &Actor, filter: &SlaFilter) -> Vec<i64> {
    sla::breached(app, actor, filter)
        .await
        .unwrap()
        .iter()
        .map(|r| r.id)
        .collect()
}

async fn ids_at_risk(app: &App, actor: &Actor, filter: &SlaFilter) -> Vec<i64> {
    sla::at_risk(app, actor, filter)
        .await
        .unwrap()
        .iter()
        .map(|r| r.id)
        .collect()
}

async fn the_clocks_start_pause_resume_and_the_lists_follow_them(app: App) {
    always_open(&app).await;
    let party = customer(&app, "Scan AB").await;
    let agent = login(&app, "agent", &[Role::Service], None).await;
    let portal = login(&app, "scanab", &[Role::Portal], Some(party)).await;
    // Urgent: 30 minutes to answer, 240 to resolve (the default policy).
    let started = now_us();
    let id = open(&app, &agent, party, "urgent").await;
    let sla = service::ticket(&app, &agent, id)
        .await
        .unwrap()
        .sla
        .unwrap();
    assert_eq!(sla.first_response.target_min, 30);
    assert_eq!(sla.resolution.target_min, 240);
    assert_eq!(sla.first_response.status, ClockStatus::Running);
    let due = sla.first_response.due_at_us.unwrap();
    assert!(due >= started + 30 * MINUTE_US && due <= now_us() + 30 * MINUTE_US);
    // Checks are queued for the warning and the deadline.
    let queued = jobs::list(&app, &admin(), None, None, 50).await.unwrap();
    assert!(
        queued
            .iter()
            .any(|j| j.kind == sla::CHECK_JOB && j.run_at_us == due)
    );

    // Nothing is late now; 25 minutes on the first response is at risk
    // (warning at 24), 31 minutes later it has breached.
    assert!(
        ids_breached(&app, &agent, &SlaFilter::default())
            .await
            .is_empty()
    );
    assert!(
        ids_at_risk(&app, &agent, &SlaFilter::default())
            .await
            .is_empty()
    );
    assert_eq!(ids_at_risk(&app, &agent, &later(25)).await, vec![id]);
    assert_eq!(ids_breached(&app, &agent, &later(31)).await, vec![id]);
    assert!(ids_at_risk(&app, &agent, &later(31)).await.is_empty());

    // The first public reply meets the first response and waits on the
    // customer: the resolution clock stands still, so nothing breaches even
    // five hours on.
    service::reply(&app, &agent, id, "We are on our way.", true)
        .await
        .unwrap();
    let sla = service::ticket(&app, &agent, id)
        .await
        .unwrap()
        .sla
        .unwrap();
    assert_eq!(sla.first_response.status, ClockStatus::Met);
    assert_eq!(sla.resolution.status, ClockStatus::Paused);
    assert_eq!(sla.resolution.due_at_us, None);
    assert!(sla.paused_at_us.is_some());
    assert!(ids_breached(&app, &agent, &later(300)).await.is_empty());
    assert!(ids_at_risk(&app, &agent, &later(300)).await.is_empty());
    // The badge on the desk's list says so too.
    let rows = service::list(&app, &agent, &service::ListFilter::default(), None)
        .await
        .unwrap();
    let badges = sla::badges(&app, &agent, &rows).await.unwrap();
    assert_eq!(badges.get(&id), Some(&ClockStatus::Paused));

    // The customer answers: the clock runs again with what was left.
    service::reply(&app, &portal, id, "It still does not scan.", true)
        .await
        .unwrap();
    let sla = service::ticket(&app, &agent, id)
        .await
        .unwrap()
        .sla
        .unwrap();
    assert_eq!(sla.resolution.status, ClockStatus::Running);
    assert_eq!(sla.paused_at_us, None);
    let resumed_due = sla.resolution.due_at_us.unwrap();
    assert!(resumed_due >= started + 240 * MINUTE_US);
    assert_eq!(ids_breached(&app, &agent, &later(241)).await, vec![id]);

    // Resolving stops it in time: off both lists, and met.
    service::resolve(&app, &agent, id).await.unwrap();
    let sla = service::ticket(&app, &agent, id)
        .await
        .unwrap()
        .sla
        .unwrap();
    assert_eq!(sla.resolution.status, ClockStatus::Met);
    assert!(ids_breached(&app, &agent, &later(600)).await.is_empty());
    // The customer sees no service levels.
    let theirs = service::ticket(&app, &portal, id).await.unwrap();
    assert!(theirs.sla.is_none());
}

async fn the_assignee_is_told_once_at_risk_and_once_breached(app: App) {
    always_open(&app).await;
    let party = customer(&app, "Tell AB").await;
    let agent = login(&app, "agent", &[Role::Service], None).await;
    let id = open(&app, &agent, party, "high").await;
    service::assign(&app, &agent, id, agent.user_id)
        .await
        .unwrap();
    let at = |m: i64| now_us() + m * MINUTE_US;
    // High: 60 minutes to answer, at risk from 48.
    assert_eq!(sla::notify_due(&app, id, at(10)).await.unwrap(), None);
    assert_eq!(
        sla::notify_due(&app, id, at(50)).await.unwrap(),
        Some(ClockStatus::AtRisk)
    );
    assert_eq!(sla::notify_due(&app, id, at(55)).await.unwrap(), None);
    assert_eq!(
        sla::notify_due(&app, id, at(61)).await.unwrap(),
        Some(ClockStatus::Breached)
    );
    assert_eq!(sla::notify_due(&app, id, at(90)).await.unwrap(), None);
    let mine = notifications::mine(&app, &agent, None).await.unwrap();
    let kinds: Vec<&str> = mine.iter().map(|n| n.kind.as_str()).collect();
    assert_eq!(
        kinds.iter().filter(|k| **k == "sla-at-risk").count(),
        1,
        "{kinds:?}"
    );
    assert_eq!(kinds.iter().filter(|k| **k == "sla-breached").count(), 1);
    let breach = mine.iter().find(|n| n.kind == "sla-breached").unwrap();
    assert_eq!(breach.link, format!("/service/tickets/{id}"));
    // The breach is on the ticket's timeline.
    let events = seam_store::events::events_of(&app.db, "ticket", &id.to_string(), 100)
        .await
        .unwrap();
    assert!(events.iter().any(|e| e.action == "sla-breached"));
    // An unknown ticket is nothing to tell.
    assert_eq!(
        sla::notify_due(&app, id + 1000, at(90)).await.unwrap(),
        None
    );
}

async fn each_team_sees_the_breaches_of_its_own_queues(app: App) {
    always_open(&app).await;
    let party = customer(&app, "Queue AB").await;
    let agent = login(&app, "agent", &[Role::Service], None).await;
    let keeper = login(&app, "keeper", &[Role::Warehouse], None).await;
    let portal = login(&app, "queueab", &[Role::Portal], Some(party)).await;
    let stays = open(&app, &agent, party, "urgent").await;
    let moved = open(&app, &agent, party, "urgent").await;
    service::escalate(&app, &agent, moved, "warehouse", "Replace the scanner.")
        .await
        .unwrap();
    let filter = later(31);
    assert_eq!(
        ids_breached(&app, &agent, &filter).await,
        vec![stays, moved]
    );
    assert_eq!(ids_breached(&app, &keeper, &filter).await, vec![moved]);
    let only_service = SlaFilter {
        queue: Some(Queue::Service),
        ..filter
    };
    assert_eq!(ids_breached(&app, &agent, &only_service).await, vec![stays]);
    assert!(matches!(
        sla::breached(&app, &portal, &filter).await,
        Err(AppError::Forbidden)
    ));
    // A queue's own policy wins over the general one, for tickets escalated to it.
    let it_policy = PolicyDraft {
        priority: "normal".into(),
        queue: "it".into(),
        first_response_min: "15".into(),
        resolution_min: "120".into(),
    };
    sla::set_policy(&app, &admin(), &it_policy).await.unwrap();
    let login_issue = open(&app, &agent, party, "normal").await;
    service::escalate(&app, &agent, login_issue, "it", "Portal login.")
        .await
        .unwrap();
    let sla = service::ticket(&app, &agent, login_issue)
        .await
        .unwrap()
        .sla
        .unwrap();
    assert_eq!(sla.first_response.target_min, 15);
    assert_eq!(sla.resolution.target_min, 120);
}

async fn bad_hours_and_targets_write_nothing(app: App) {
    let agent = login(&app, "agent", &[Role::Service], None).await;
    let manager = login(&app, "boss", &[Role::Manager], None).await;
    let before = sla::working_hours(&app, &agent).await.unwrap().to_draft();
    // Office hours by default.
    assert_eq!(before.hours[0], ("08:00".to_owned(), "17:00".to_owned()));
    assert_eq!(before.hours[5], (String::new(), String::new()));
    let mut bad = before.clone();
    bad.hours[0] = ("17:00".into(), "08:00".into());
    bad.zone = "Nowhere/Town".into();
    let Err(AppError::Invalid(errors)) = sla::update_calendar(&app, &manager, &bad).await else {
        panic!("end before start was accepted");
    };
    assert_eq!(errors.for_field("mon_end"), Some("error-sla-hours-order"));
    assert_eq!(errors.for_field("zone"), Some("error-sla-zone"));
    assert_eq!(
        sla::working_hours(&app, &agent).await.unwrap().to_draft(),
        before
    );
    // Only service.admin sets them.
    let mut good = before.clone();
    good.zone = "Europe/Stockholm".into();
    good.holidays = "2026-12-24".into();
    assert!(matches!(
        sla::update_calendar(&app, &agent, &good).await,
        Err(AppError::Forbidden)
    ));
    sla::update_calendar(&app, &manager, &good).await.unwrap();
    assert_eq!(
        sla::working_hours(&app, &agent).await.unwrap().zone_name(),
        "Europe/Stockholm"
    );

    let policies = sla::policies(&app, &agent).await.unwrap();
    for (priority, first, resolution, field, code) in [
        (
            "urgent",
            "0",
            "60",
            "first_response_min",
            "error-sla-target",
        ),
        ("urgent", "30", "-1", "resolution_min", "error-sla-target"),
        ("urgent", "30", "ten", "resolution_min", "error-sla-target"),
        (
            "urgent",
            "60",
            "30",
            "resolution_min",
            "error-sla-target-order",
        ),
        ("whenever", "30", "60", "priority", "error-ticket-priority"),
    ] {
        let draft = PolicyDraft {
            priority: priority.into(),
            queue: String::new(),
            first_response_min: first.into(),
            resolution_min: resolution.into(),
        };
        let Err(AppError::Invalid(errors)) = sla::set_policy(&app, &manager, &draft).await else {
            panic!("{priority} {first} {resolution} was accepted");
        };
        assert_eq!(errors.for_field(field), Some(code), "{field}");
    }
    let draft = PolicyDraft {
        priority: "urgent".into(),
        queue: "kitchen".into(),
        first_response_min: "10".into(),
        resolution_min: "60".into(),
    };
    let Err(AppError::Invalid(errors)) = sla::set_policy(&app, &manager, &draft).await else {
        panic!("an unknown queue was accepted");
    };
    assert_eq!(errors.for_field("queue"), Some("error-ticket-queue"));
    assert!(matches!(
        sla::set_policy(
            &app,
            &agent,
            &PolicyDraft {
                queue: String::new(),
                ..draft.clone()
            }
        )
        .await,
        Err(AppError::Forbidden)
    ));
    assert_eq!(sla::policies(&app, &agent).await.unwrap(), policies);
    // A good one replaces the general urgent targets.
    let id = sla::set_policy(
        &app,
        &manager,
        &PolicyDraft {
            queue: String::new(),
            ..draft
        },
    )
    .await
    .unwrap();
    let after = sla::policies(&app, &agent).await.unwrap();
    assert_eq!(after.len(), policies.len());
    let urgent = after.iter().find(|p| p.id == id).unwrap();
    assert_eq!((urgent.first_response_min, urgent.resolution_min), (10, 60));
    assert!(matches!(
        sla::delete_policy(&app, &manager, id + 1000).await,
        Err(AppError::NotFound)
    ));
    sla::delete_policy(&app, &manager, id).await.unwrap();
    assert_eq!(
        sla::policies(&app, &agent).await.unwrap().len(),
        policies.len() - 1
    );
}
