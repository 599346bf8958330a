//! Use cases against a real database, on SQLite and (with `SEAM_TEST_PG_URL`)
//! PostgreSQL: concurrency, pagination, search, the audit chain, the schema.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use crate::common;
use seam_app::parties::{self, ArchiveFilter, PartyCursor, PartyFilter, PartySort};
use seam_app::{Actor, App, audit};
use seam_domain::party::PartyDraft;

both_backends!(
    concurrent_commands_keep_the_audit_chain_gapless,
    keyset_pages_visit_every_party_once_in_every_sort,
    search_finds_by_prefix_in_any_field_and_filters_combine,
    every_change_lands_on_the_timeline_with_before_and_after,
);

fn company(name: &str) -> PartyDraft {
    PartyDraft {
        kind: "company".into(),
        name: name.into(),
        ..PartyDraft::default()
    }
}

async fn concurrent_commands_keep_the_audit_chain_gapless(app: App) {
    let actor = Actor::system("test");
    let mut tasks = Vec::new();
    for n in 0..40 {
        let (app, actor) = (app.clone(), actor.clone());
        tasks.push(tokio::spawn(async move {
            parties::create_party(&app, &actor, &company(&format!("Parallel {n:02}"))).await
        }));
    }
    for task in tasks {
        task.await.unwrap().unwrap();
    }
    let report = audit::verify(&app, &actor).await.unwrap();
    assert_eq!(report.first_break, None);
    assert_eq!(
        report.events, 40,
        "one event per command, numbered without gaps"
    );
}

async fn keyset_pages_visit_every_party_once_in_every_sort(app: App) {
    let actor = Actor::system("test");
    // Duplicate names make the id the tie-breaker.
    for n in 0..23 {
        parties::create_party(&app, &actor, &company(&format!("Firm {}", n % 7)))
            .await
            .unwrap();
    }
    for sort in [
        PartySort::NameAsc,
        PartySort::NameDesc,
        PartySort::NewestFirst,
        PartySort::OldestFirst,
    ] {
        let mut seen = Vec::new();
        let mut cursor: Option<PartyCursor> = None;
        loop {
            let page = parties::list_parties(
                &app,
                &actor,
                &PartyFilter::default(),
                sort,
                cursor.as_ref(),
                5,
            )
            .await
            .unwrap();
            assert_eq!(page.total, 23);
            seen.extend(page.rows.iter().map(|r| (r.sort_name.clone(), r.id)));
            match page.next {
                Some(next) => cursor = Some(PartyCursor::decode(&next.encode()).unwrap()),
                None => break,
            }
        }
        let mut ids: Vec<i64> = seen.iter().map(|(_, id)| *id).collect();
        ids.sort();
        ids.dedup();
        assert_eq!(ids.len(), 23, "{sort:?}: every party exactly once");
        if sort == PartySort::NameAsc {
            assert!(
                seen.windows(2).all(|w| w[0] <= w[1]),
                "ascending by name, then id"
            );
        }
    }
}

async fn search_finds_by_prefix_in_any_field_and_filters_combine(app: App) {
    let actor = Actor::system("test");
    let mut acme = company("Acme Tools AB");
    acme.email = "sales@acme-tools.example".into();
    acme.city = "Göteborg".into();
    acme.tags = "wholesale, vip".into();
    acme.is_customer = true;
    let acme = parties::create_party(&app, &actor, &acme).await.unwrap();
    let mut bolt = company("Bolt & Nut Oy");
    bolt.is_vendor = true;
    bolt.tags = "wholesale".into();
    let bolt = parties::create_party(&app, &actor, &bolt).await.unwrap();
    let names =
        |hits: Vec<parties::SearchHit>| hits.into_iter().map(|h| h.title).collect::<Vec<_>>();
    assert_eq!(
        names(parties::search(&app, &actor, "acm", 10).await.unwrap()),
        ["Acme Tools AB"]
    );
    assert_eq!(
        names(
            parties::search(&app, &actor, "acme tools", 10)
                .await
                .unwrap()
        ),
        ["Acme Tools AB"]
    );
    assert_eq!(
        names(
            parties::search(&app, &actor, "wholesale", 10)
                .await
                .unwrap()
        ),
        ["Acme Tools AB", "Bolt & Nut Oy"]
    );
    assert_eq!(
        names(parties::search(&app, &actor, "sales", 10).await.unwrap()),
        ["Acme Tools AB"],
        "e-mail words are searched"
    );
    assert!(
        parties::search(&app, &actor, "\"' OR 1=1 --", 10)
            .await
            .unwrap()
            .is_empty(),
        "search syntax cannot be injected"
    );
    let vendors = PartyFilter {
        vendors_only: true,
        tag: Some("wholesale".into()),
        ..PartyFilter::default()
    };
    let page = parties::list_parties(&app, &actor, &vendors, PartySort::NameAsc, None, 10)
        .await
        .unwrap();
    assert_eq!(page.rows.iter().map(|r| r.id).collect::<Vec<_>>(), [bolt.0]);
    parties::set_archived(&app, &actor, acme, true)
        .await
        .unwrap();
    let active = parties::list_parties(
        &app,
        &actor,
        &PartyFilter {
            text: Some("acme".into()),
            ..PartyFilter::default()
        },
        PartySort::NameAsc,
        None,
        10,
    )
    .await
    .unwrap();
    assert_eq!(
        active.total, 0,
        "archived parties are not in the default list"
    );
    let archived = PartyFilter {
        text: Some("acme".into()),
        archive: ArchiveFilter::Archived,
        ..PartyFilter::default()
    };
    assert_eq!(
        parties::list_parties(&app, &actor, &archived, PartySort::NameAsc, None, 10)
            .await
            .unwrap()
            .total,
        1
    );
}

async fn every_change_lands_on_the_timeline_with_before_and_after(app: App) {
    let actor = Actor::system("clerk");
    let id = parties::create_party(&app, &actor, &company("Timeline AB"))
        .await
        .unwrap();
    parties::update_party(&app, &actor, id, 1, &company("Timeline Ab (renamed)"))
        .await
        .unwrap();
    parties::set_archived(&app, &actor, id, true).await.unwrap();
    let detail = parties::party_detail(&app, &actor, id).await.unwrap();
    let actions: Vec<&str> = detail.timeline.iter().map(|e| e.action.as_str()).collect();
    assert_eq!(actions, ["archive", "update", "create"], "newest first");
    let update = &detail.timeline[1];
    assert!(update.before_json.contains("\"name\":\"Timeline AB\""));
    assert!(
        update
            .after_json
            .contains("\"name\":\"Timeline Ab (renamed)\"")
    );
    assert_eq!(update.actor_name, "clerk");
    let outbox = audit::events_after(&app, &actor, 1, 10).await.unwrap();
    assert_eq!(
        outbox.iter().map(|e| e.seq).collect::<Vec<_>>(),
        [2, 3],
        "the outbox reads on from a cursor"
    );
}

#[tokio::test]
async fn the_schema_is_the_same_on_both_backends_and_every_table_is_backed_up_or_ephemeral() {
    let (_, sqlite_db) = common::sqlite().await;
    let sqlite_columns = seam_store::backup::schema_columns(&sqlite_db.db)
        .await
        .unwrap();
    let mut tables: Vec<&str> = sqlite_columns.iter().map(|(t, _)| t.as_str()).collect();
    tables.dedup();
    for table in &tables {
        let covered = seam_store::backup::TABLES.iter().any(|t| t.name == *table)
            || seam_store::backup::NOT_BACKED_UP.contains(table);
        assert!(
            covered,
            "table {table} is neither backed up nor declared ephemeral"
        );
    }
    for table in seam_store::backup::TABLES {
        let columns: Vec<&str> = sqlite_columns
            .iter()
            .filter(|(t, _)| t == table.name)
            .map(|(_, c)| c.as_str())
            .collect();
        let mut declared: Vec<&str> = table.columns.iter().map(|(c, _)| *c).collect();
        declared.sort();
        assert_eq!(columns, declared, "backup columns of {}", table.name);
    }
    let Some((_, pg_db)) = common::postgres().await else {
        return;
    };
    let pg_columns = seam_store::backup::schema_columns(&pg_db.db).await.unwrap();
    assert_eq!(
        sqlite_columns, pg_columns,
        "the two migration sets define the same tables and columns"
    );
    let names = |dir: &str| {
        let mut names: Vec<String> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().into_string().unwrap())
            .collect();
        names.sort();
        names
    };
    let root = concat!(env!("CARGO_MANIFEST_DIR"), "/../store/migrations");
    assert_eq!(
        names(&format!("{root}/sqlite")),
        names(&format!("{root}/postgres"))
    );
}

both_backends!(
    a_notification_is_seen_and_cleared_only_by_its_user_and_its_email_is_queued,
    an_admin_password_reset_also_clears_a_lost_second_factor,
    idempotency_keys_expire_and_abandoned_claims_can_be_retaken
);

async fn an_admin_password_reset_also_clears_a_lost_second_factor(app: App) {
    use seam_app::users::{self, UserDraft};
    let admin = Actor::system("admin");
    let draft = UserDraft {
        username: "lena".into(),
        password: "velvet orchard 77 kite".into(),
        roles: vec![seam_domain::access::Role::Sales],
        ..UserDraft::default()
    };
    let id = users::add_user(&app, &admin, &draft).await.unwrap();
    let row = users::user(&app, &admin, id).await.unwrap();
    let lena = seam_app::auth::actor_from_user(&row, None);
    let (secret, _) = users::new_second_factor(&lena);
    let code = seam_app::auth::totp_code(&secret, seam_app::now_us()).unwrap();
    users::enable_second_factor(&app, &lena, &secret, &code)
        .await
        .unwrap();
    assert!(
        users::user(&app, &admin, id)
            .await
            .unwrap()
            .totp_secret
            .is_some()
    );
    users::reset_password(&app, &admin, id, "new harbour lantern 5")
        .await
        .unwrap();
    assert!(
        users::user(&app, &admin, id)
            .await
            .unwrap()
            .totp_secret
            .is_none(),
        "the user can log in and enrol a new device"
    );
    let outcome = seam_app::auth::login(&app, "lena", "new harbour lantern 5")
        .await
        .unwrap();
    assert!(matches!(
        outcome,
        seam_app::auth::LoginOutcome::LoggedIn { .. }
    ));
}

async fn idempotency_keys_expire_and_abandoned_claims_can_be_retaken(app: App) {
    use seam_store::idempotency::{self, IN_PROGRESS_TTL_US, KEY_TTL_US, Reservation};
    let now = seam_app::now_us();
    assert_eq!(
        idempotency::reserve(&app.db, 1, "k", "h1", now)
            .await
            .unwrap(),
        Reservation::Fresh
    );
    assert_eq!(
        idempotency::reserve(&app.db, 1, "k", "h1", now + 1)
            .await
            .unwrap(),
        Reservation::InProgress
    );
    assert_eq!(
        idempotency::reserve(&app.db, 2, "k", "h1", now)
            .await
            .unwrap(),
        Reservation::Fresh,
        "keys are per user"
    );
    let later = now + IN_PROGRESS_TTL_US + 1;
    assert_eq!(
        idempotency::reserve(&app.db, 1, "k", "h1", later)
            .await
            .unwrap(),
        Reservation::Fresh,
        "a lost first request frees its key"
    );
    idempotency::complete(&app.db, 1, "k", 201, "application/json", "{}")
        .await
        .unwrap();
    assert!(matches!(
        idempotency::reserve(&app.db, 1, "k", "h1", later + 1)
            .await
            .unwrap(),
        Reservation::Replay { status: 201, .. }
    ));
    assert_eq!(
        idempotency::reserve(&app.db, 1, "k", "h1", later + KEY_TTL_US + 1)
            .await
            .unwrap(),
        Reservation::Fresh,
        "keys expire after a day"
    );
}

async fn a_notification_is_seen_and_cleared_only_by_its_user_and_its_email_is_queued(app: App) {
    use seam_app::notifications::{self, EmailText, Notice};
    use seam_app::users::{self, UserDraft};
    let admin = Actor::system("admin");
    let mut actors = Vec::new();
    for (name, email) in [("host", "host@example.com"), ("other", "")] {
        let draft = UserDraft {
            username: name.into(),
            email: email.into(),
            password: "velvet orchard 77 kite".into(),
            roles: vec![seam_domain::access::Role::Sales],
            ..UserDraft::default()
        };
        let id = users::add_user(&app, &admin, &draft).await.unwrap();
        let row = users::user(&app, &admin, id).await.unwrap();
        actors.push(seam_app::auth::actor_from_user(&row, None));
    }
    let (host, other) = (&actors[0], &actors[1]);
    let jobs_before = seam_store::jobs::list(&app.db, None, None, 100)
        .await
        .unwrap()
        .len();
    let mut tx = app.db.begin().await.unwrap();
    let id = notifications::notify(
        &app,
        &mut tx,
        &Notice {
            user_id: host.user_id.unwrap(),
            kind: "visitor-arrived",
            subject: "Ada Visitor",
            link: "/reception",
            email: Some(EmailText {
                subject: "Your visitor has arrived".into(),
                body: "Ada Visitor is at the front desk.".into(),
            }),
        },
    )
    .await
    .unwrap();
    // The recipient without an address gets the notification and no e-mail.
    notifications::notify(
        &app,
        &mut tx,
        &Notice {
            user_id: other.user_id.unwrap(),
            kind: "visitor-arrived",
            subject: "Bo Guest",
            link: "",
            email: Some(EmailText {
                subject: "s".into(),
                body: "b".into(),
            }),
        },
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    let jobs = seam_store::jobs::list(&app.db, None, None, 100)
        .await
        .unwrap();
    assert_eq!(
        jobs.len(),
        jobs_before + 1,
        "one e-mail, to the user with an address"
    );
    assert!(jobs.iter().any(|j| j.payload.contains("host@example.com")));

    assert_eq!(notifications::unread_count(&app, host).await.unwrap(), 1);
    let mine = notifications::mine(&app, host, None).await.unwrap();
    assert_eq!(mine.len(), 1);
    assert_eq!(mine[0].subject, "Ada Visitor");
    assert!(matches!(
        notifications::open(&app, other, id).await,
        Err(seam_app::AppError::NotFound)
    ));
    assert_eq!(notifications::mark_all_read(&app, other).await.unwrap(), 1);
    assert_eq!(
        notifications::unread_count(&app, host).await.unwrap(),
        1,
        "untouched by another user"
    );
    let opened = notifications::open(&app, host, id).await.unwrap();
    assert_eq!(opened.link, "/reception");
    assert_eq!(notifications::unread_count(&app, host).await.unwrap(), 0);
}
