//! Reception's visitor log on SQLite and (with `SEAM_TEST_PG_URL`)
//! PostgreSQL: check-in notifies the host and queues one e-mail, bad input
//! writes nothing, a visit leaves once, and who is in the building.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use seam_app::reception::{self, VisitFilter};
use seam_app::users::{self, UserDraft};
use seam_app::{Actor, App, AppError, notifications, parties};
use seam_domain::access::{Grants, Role};
use seam_domain::party::PartyDraft;
use seam_domain::reception::VisitDraft;

both_backends!(
    check_in_gives_a_badge_and_notifies_the_host_once,
    bad_input_writes_nothing,
    a_visit_checks_out_once,
    expected_visitors_check_in_and_the_building_list_follows,
    reception_needs_its_permission,
);

fn desk() -> Actor {
    Actor::system("desk")
}

async fn host(app: &App, username: &str, email: &str) -> Actor {
    let draft = UserDraft {
        username: username.into(),
        display_name: format!("{username} Host"),
        email: email.into(),
        password: "velvet orchard 77 kite".into(),
        roles: vec![Role::Sales],
        ..UserDraft::default()
    };
    let id = users::add_user(app, &desk(), &draft).await.unwrap();
    let row = users::user(app, &desk(), id).await.unwrap();
    seam_app::auth::actor_from_user(&row, None)
}

fn walk_in(name: &str, host: &Actor) -> VisitDraft {
    VisitDraft {
        visitor_name: name.into(),
        visitor_company: "Acme".into(),
        host_user_id: host.user_id.map(|id| id.0),
        purpose: "Contract talk".into(),
        agreement_acknowledged: true,
        ..VisitDraft::default()
    }
}

async fn jobs(app: &App) -> usize {
    seam_store::jobs::list(&app.db, None, None, 1000)
        .await
        .unwrap()
        .len()
}

async fn check_in_gives_a_badge_and_notifies_the_host_once(app: App) {
    let hanna = host(&app, "hanna", "hanna@example.com").await;
    let acme = parties::create_party(
        &app,
        &desk(),
        &PartyDraft {
            kind: "company".into(),
            name: "Acme AB".into(),
            is_customer: true,
            ..PartyDraft::default()
        },
    )
    .await
    .unwrap();
    let before = jobs(&app).await;
    let draft = VisitDraft {
        party_id: Some(acme.0),
        ..walk_in("Ada Lovelace", &hanna)
    };
    let id = reception::check_in(&app, &desk(), &draft).await.unwrap();
    let row = reception::visit(&app, &desk(), id).await.unwrap();
    let badge = row.badge_number.clone().unwrap();
    assert!(
        badge.starts_with("V-") && badge.ends_with("-001"),
        "{badge}"
    );
    assert!(row.checked_in_at_us.is_some() && row.checked_out_at_us.is_none());
    assert_eq!(row.party_name.as_deref(), Some("Acme AB"));
    assert_eq!(row.host_name, "hanna Host");

    assert_eq!(jobs(&app).await, before + 1, "one e-mail to the host");
    let mine = notifications::mine(&app, &hanna, None).await.unwrap();
    assert_eq!(mine.len(), 1);
    assert_eq!(mine[0].kind, "visitor-arrived");
    assert!(mine[0].subject.contains("Ada Lovelace"));
    assert_eq!(mine[0].link, format!("/reception/visits/{id}"));

    let second = reception::check_in(&app, &desk(), &walk_in("Bo", &hanna))
        .await
        .unwrap();
    let second = reception::visit(&app, &desk(), second).await.unwrap();
    assert!(second.badge_number.unwrap().ends_with("-002"));

    let (_, card) = reception::visit_with_card(&app, &desk(), id).await.unwrap();
    let card = card.expect("the company's card");
    assert_eq!(card.detail.party.name, "Acme AB");
    assert!(card.receivables.is_some());
}

async fn bad_input_writes_nothing(app: App) {
    let hanna = host(&app, "hanna", "hanna@example.com").await;
    let jobs_before = jobs(&app).await;
    let Err(AppError::Invalid(errors)) =
        reception::check_in(&app, &desk(), &walk_in("  ", &hanna)).await
    else {
        panic!("an empty name is refused");
    };
    assert_eq!(errors.for_field("visitor_name"), Some("error-required"));
    let unknown = VisitDraft {
        host_user_id: Some(9999),
        ..walk_in("Ada", &hanna)
    };
    let Err(AppError::Invalid(errors)) = reception::check_in(&app, &desk(), &unknown).await else {
        panic!("an unknown host is refused");
    };
    assert_eq!(errors.for_field("host_user_id"), Some("error-unknown-host"));
    let unknown_company = VisitDraft {
        party_id: Some(9999),
        ..walk_in("Ada", &hanna)
    };
    assert!(matches!(
        reception::check_in(&app, &desk(), &unknown_company).await,
        Err(AppError::Invalid(_))
    ));
    assert_eq!(seam_store::reception::count(&app.db).await.unwrap(), 0);
    assert_eq!(jobs(&app).await, jobs_before);
    assert!(
        notifications::mine(&app, &hanna, None)
            .await
            .unwrap()
            .is_empty()
    );
}

async fn a_visit_checks_out_once(app: App) {
    let hanna = host(&app, "hanna", "").await;
    let id = reception::check_in(&app, &desk(), &walk_in("Ada", &hanna))
        .await
        .unwrap();
    reception::check_out(&app, &desk(), id).await.unwrap();
    let row = reception::visit(&app, &desk(), id).await.unwrap();
    assert!(row.checked_out_at_us.unwrap() >= row.checked_in_at_us.unwrap());
    assert!(matches!(
        reception::check_out(&app, &desk(), id).await,
        Err(AppError::Conflict("error-visit-state"))
    ));
    assert!(matches!(
        reception::check_in_expected(&app, &desk(), id, false).await,
        Err(AppError::Conflict("error-visit-state"))
    ));
    assert!(matches!(
        reception::check_out(&app, &desk(), 4242).await,
        Err(AppError::NotFound)
    ));
}

async fn expected_visitors_check_in_and_the_building_list_follows(app: App) {
    let hanna = host(&app, "hanna", "").await;
    let now = seam_app::now_us();
    let expected = VisitDraft {
        expected_at_us: Some(now),
        ..walk_in("Eve Expected", &hanna)
    };
    let no_time = VisitDraft {
        expected_at_us: None,
        ..expected.clone()
    };
    assert!(matches!(
        reception::register_expected_visit(&app, &desk(), &no_time).await,
        Err(AppError::Invalid(_))
    ));
    let eve = reception::register_expected_visit(&app, &desk(), &expected)
        .await
        .unwrap();
    let walk = reception::check_in(&app, &desk(), &walk_in("Walt", &hanna))
        .await
        .unwrap();
    let today = reception::expected_today(&app, &desk()).await.unwrap();
    assert_eq!(today.iter().map(|v| v.id).collect::<Vec<_>>(), vec![eve]);
    let inside = reception::in_building_now(&app, &desk()).await.unwrap();
    assert_eq!(inside.iter().map(|v| v.id).collect::<Vec<_>>(), vec![walk]);

    reception::check_in_expected(&app, &desk(), eve, true)
        .await
        .unwrap();
    assert!(
        reception::expected_today(&app, &desk())
            .await
            .unwrap()
            .is_empty()
    );
    let inside = reception::in_building_now(&app, &desk()).await.unwrap();
    assert_eq!(
        inside.iter().map(|v| v.id).collect::<Vec<_>>(),
        vec![walk, eve],
        "newest visit first"
    );
    assert!(matches!(
        reception::check_in_expected(&app, &desk(), eve, true).await,
        Err(AppError::Conflict("error-visit-state"))
    ));

    reception::check_out(&app, &desk(), walk).await.unwrap();
    let inside = reception::in_building_now(&app, &desk()).await.unwrap();
    assert_eq!(inside.iter().map(|v| v.id).collect::<Vec<_>>(), vec![eve]);

    // Keyset pagination: below the newest id comes the older one.
    let all = reception::list(&app, &desk(), VisitFilter::All, None)
        .await
        .unwrap();
    assert_eq!(all.len(), 2);
    let older = reception::list(&app, &desk(), VisitFilter::All, Some(all[0].id))
        .await
        .unwrap();
    assert_eq!(
        older.iter().map(|v| v.id).collect::<Vec<_>>(),
        vec![all[1].id]
    );
}

async fn reception_needs_its_permission(app: App) {
    let hanna = host(&app, "hanna", "").await;
    let marketing = Actor {
        roles: vec![Role::Marketing],
        grants: Grants::for_roles(&[Role::Marketing]),
        ..Actor::system("someone")
    };
    assert!(matches!(
        reception::check_in(&app, &marketing, &walk_in("Ada", &hanna)).await,
        Err(AppError::Forbidden)
    ));
    assert!(matches!(
        reception::in_building_now(&app, &marketing).await,
        Err(AppError::Forbidden)
    ));
    let receptionist = Actor {
        roles: vec![Role::Receptionist],
        grants: Grants::for_roles(&[Role::Receptionist]),
        ..Actor::system("rita")
    };
    reception::check_in(&app, &receptionist, &walk_in("Ada", &hanna))
        .await
        .unwrap();
}

#[test]
fn expected_times_are_read_in_the_users_zone() {
    use reception::parse_expected_at;
    assert_eq!(parse_expected_at("", "UTC"), Ok(None));
    let utc = parse_expected_at("2026-05-04T09:30:00Z", "UTC")
        .unwrap()
        .unwrap();
    assert_eq!(parse_expected_at("2026-05-04T09:30", "UTC"), Ok(Some(utc)));
    let stockholm = parse_expected_at("2026-05-04T11:30", "Europe/Stockholm").unwrap();
    assert_eq!(stockholm, Some(utc), "CEST is two hours ahead");
    assert!(parse_expected_at("tomorrow", "UTC").is_err());
}
