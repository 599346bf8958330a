//! The knowledge base, canned replies and ticket ratings on SQLite and (with
//! `SEAM_TEST_PG_URL`) PostgreSQL: search by any word with title matches
//! first and a keyset through the pages; customers read only published
//! public articles; a stale edit is refused; canned replies merge the
//! ticket's fields; suggestions fit the ticket; a resolved ticket is rated
//! once; every refusal writes nothing.

use seam_app::knowledge::{self, ArticleQuery};
use seam_app::service::{self, TicketInput};
use seam_app::users::{self, UserDraft};
use seam_app::{Actor, App, AppError, audit, auth, csat, parties};
use seam_domain::access::Role;
use seam_domain::ids::PartyId;
use seam_domain::knowledge::{ARTICLE_BODY_MAX, ArticleDraft};
use seam_domain::party::PartyDraft;
use seam_domain::service::TicketDraft;

both_backends!(
    search_finds_by_body_words_and_ranks_title_matches_first,
    customers_read_only_published_public_articles,
    a_stale_edit_is_refused_and_bad_articles_write_nothing,
    canned_replies_fill_the_tickets_merge_fields,
    a_ticket_suggests_the_published_articles_that_fit_it,
    a_resolved_ticket_is_rated_once_by_its_customer,
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
        ..PartyDraft::default()
    };
    parties::create_party(app, &admin(), &draft).await.unwrap()
}

async fn event_count(app: &App) -> usize {
    audit::events_after(app, &admin(), 0, 10_000)
        .await
        .unwrap()
        .len()
}

fn draft(category: i64, title: &str, body: &str, state: &str, audience: &str) -> ArticleDraft {
    ArticleDraft {
        title: title.into(),
        body: body.into(),
        category_id: category.to_string(),
        state: state.into(),
        audience: audience.into(),
    }
}

async fn write(app: &App, actor: &Actor, d: ArticleDraft) -> i64 {
    knowledge::create_article(app, actor, &d).await.unwrap()
}

async fn titles(app: &App, actor: &Actor, text: &str) -> Vec<String> {
    let query = ArticleQuery {
        text: text.into(),
        ..ArticleQuery::default()
    };
    knowledge::list_articles(app, actor, &query, None)
        .await
        .unwrap()
        .rows
        .into_iter()
        .map(|r| r.title)
        .collect()
}

async fn search_finds_by_body_words_and_ranks_title_matches_first(app: App) {
    let agent = login(&app, "agent", &[Role::Service], None).await;
    let cat = knowledge::create_category(&app, &agent, "Accounts")
        .await
        .unwrap();
    write(
        &app,
        &agent,
        draft(
            cat,
            "Reset your password",
            "Open the login page.",
            "published",
            "public",
        ),
    )
    .await;
    // Newer than the title match, so only the ranking puts it second.
    write(
        &app,
        &agent,
        draft(
            cat,
            "Portal access",
            "If the portal refuses your password, ask us for a reset link.",
            "published",
            "public",
        ),
    )
    .await;
    write(
        &app,
        &agent,
        draft(
            cat,
            "Delivery times",
            "Parcels travel two days.",
            "draft",
            "internal",
        ),
    )
    .await;
    assert_eq!(
        titles(&app, &agent, "password").await,
        ["Reset your password", "Portal access"],
        "title matches first"
    );
    assert_eq!(titles(&app, &agent, "parcels").await, ["Delivery times"]);
    assert_eq!(
        titles(&app, &agent, "pass res").await,
        ["Reset your password", "Portal access"],
        "every word, as prefixes"
    );
    assert!(titles(&app, &agent, "password parcels").await.is_empty());
    assert!(
        titles(&app, &agent, "\"* -: ()").await.len() == 3,
        "search syntax is no search"
    );

    // Keyset pages through a search: 30 title matches and 30 body matches.
    for n in 0..30 {
        write(
            &app,
            &agent,
            draft(cat, &format!("Lantern {n}"), "x", "published", "public"),
        )
        .await;
        write(
            &app,
            &agent,
            draft(
                cat,
                &format!("Note {n}"),
                "a lantern",
                "published",
                "public",
            ),
        )
        .await;
    }
    let query = ArticleQuery {
        text: "lantern".into(),
        ..ArticleQuery::default()
    };
    let mut seen = Vec::new();
    let mut cursor = None;
    loop {
        let page = knowledge::list_articles(&app, &agent, &query, cursor)
            .await
            .unwrap();
        seen.extend(page.rows.into_iter().map(|r| r.title));
        match page.next {
            Some(next) => cursor = Some(next),
            None => break,
        }
    }
    assert_eq!(seen.len(), 60);
    assert!(
        seen[..30].iter().all(|t| t.starts_with("Lantern")),
        "{seen:?}"
    );
    assert!(seen[30..].iter().all(|t| t.starts_with("Note")), "{seen:?}");
    assert_eq!(seen[0], "Lantern 29", "newest first within a tier");
    let unique: std::collections::HashSet<_> = seen.iter().collect();
    assert_eq!(unique.len(), 60, "no row twice across pages");
}

async fn customers_read_only_published_public_articles(app: App) {
    let agent = login(&app, "agent", &[Role::Service], None).await;
    let party = customer(&app, "Nordlicht").await;
    let klaus = login(&app, "klaus", &[Role::Portal], Some(party)).await;
    let cat = knowledge::create_category(&app, &agent, "Help")
        .await
        .unwrap();
    let public = write(
        &app,
        &agent,
        draft(
            cat,
            "Paying by card",
            "We take cards.",
            "published",
            "public",
        ),
    )
    .await;
    let draft_id = write(
        &app,
        &agent,
        draft(cat, "Paying by cheque", "Soon.", "draft", "public"),
    )
    .await;
    let internal = write(
        &app,
        &agent,
        draft(
            cat,
            "Paying refunds",
            "Ask accounting.",
            "published",
            "internal",
        ),
    )
    .await;
    assert_eq!(titles(&app, &klaus, "paying").await, ["Paying by card"]);
    assert_eq!(titles(&app, &klaus, "").await, ["Paying by card"]);
    assert_eq!(titles(&app, &agent, "paying").await.len(), 3);
    assert_eq!(
        knowledge::article(&app, &klaus, public)
            .await
            .unwrap()
            .title,
        "Paying by card"
    );
    for hidden in [draft_id, internal] {
        assert!(matches!(
            knowledge::article(&app, &klaus, hidden).await,
            Err(AppError::NotFound)
        ));
    }
    let counts = knowledge::categories(&app, &klaus).await.unwrap();
    assert_eq!(
        counts[0].article_count, 1,
        "the customer counts theirs only"
    );
    assert!(matches!(
        knowledge::create_category(&app, &klaus, "Mine").await,
        Err(AppError::Forbidden)
    ));
    let sales = login(&app, "seller", &[Role::Sales], None).await;
    assert!(matches!(
        knowledge::list_articles(&app, &sales, &ArticleQuery::default(), None).await,
        Err(AppError::Forbidden)
    ));
}

async fn a_stale_edit_is_refused_and_bad_articles_write_nothing(app: App) {
    let agent = login(&app, "agent", &[Role::Service], None).await;
    let cat = knowledge::create_category(&app, &agent, "Help")
        .await
        .unwrap();
    let id = write(&app, &agent, draft(cat, "First", "Text.", "", "")).await;
    let row = knowledge::article(&app, &agent, id).await.unwrap();
    assert_eq!(
        (row.state.as_str(), row.audience.as_str()),
        ("draft", "internal")
    );
    assert_eq!(row.published_at_us, None);
    knowledge::update_article(
        &app,
        &agent,
        id,
        row.version,
        &draft(cat, "Second", "Text.", "published", "public"),
    )
    .await
    .unwrap();
    let saved = knowledge::article(&app, &agent, id).await.unwrap();
    assert!(saved.published_at_us.is_some());
    let before = event_count(&app).await;
    let stale = knowledge::update_article(
        &app,
        &agent,
        id,
        row.version,
        &draft(cat, "Third", "Text.", "published", "public"),
    )
    .await;
    assert!(
        matches!(stale, Err(AppError::Conflict("error-stale"))),
        "{stale:?}"
    );
    let bad = [
        (draft(cat, " ", "Text.", "", ""), "title", "error-required"),
        (
            draft(cat, "Long", &"x".repeat(ARTICLE_BODY_MAX + 1), "", ""),
            "body",
            "error-too-long",
        ),
        (
            draft(cat + 100, "Nowhere", "Text.", "", ""),
            "category_id",
            "error-kb-category-unknown",
        ),
        (
            draft(cat, "Odd", "Text.", "live", ""),
            "state",
            "error-kb-state",
        ),
    ];
    for (d, field, code) in bad {
        match knowledge::create_article(&app, &agent, &d).await {
            Err(AppError::Invalid(e)) => assert_eq!(e.for_field(field), Some(code), "{field}"),
            other => panic!("{field}: {other:?}"),
        }
        match knowledge::update_article(&app, &agent, id, saved.version, &d).await {
            Err(AppError::Invalid(e)) => assert_eq!(e.for_field(field), Some(code), "{field}"),
            other => panic!("{field}: {other:?}"),
        }
    }
    match knowledge::create_category(&app, &agent, " Help ").await {
        Err(AppError::Invalid(e)) => {
            assert_eq!(e.for_field("name"), Some("error-kb-category-taken"))
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(event_count(&app).await, before, "nothing was written");
    assert_eq!(knowledge::article(&app, &agent, id).await.unwrap(), saved);
    assert_eq!(titles(&app, &agent, "").await, ["Second"]);
}

async fn open_ticket(app: &App, party: PartyId, subject: &str, body: &str) -> i64 {
    let input = TicketInput {
        party_id: Some(party.0),
        ticket: TicketDraft {
            subject: subject.into(),
            body: body.into(),
            ..TicketDraft::default()
        },
        invoice: String::new(),
        order: String::new(),
    };
    service::open_ticket(app, &admin(), &input).await.unwrap()
}

async fn canned_replies_fill_the_tickets_merge_fields(app: App) {
    let agent = login(&app, "mia", &[Role::Service], None).await;
    let party = customer(&app, "Nordlicht Handels GmbH").await;
    let ticket = open_ticket(&app, party, "Where is my parcel", "It is late.").await;
    let number = service::ticket(&app, &agent, ticket)
        .await
        .unwrap()
        .ticket
        .number;
    let id = knowledge::create_canned(
        &app,
        &agent,
        "Thanks",
        "Dear {customer_name},\nwe are on {ticket_number}.\n{agent_name}",
    )
    .await
    .unwrap();
    assert_eq!(
        knowledge::merged_canned(&app, &agent, id, ticket)
            .await
            .unwrap(),
        format!("Dear Nordlicht Handels GmbH,\nwe are on {number}.\nmia")
    );
    let before = event_count(&app).await;
    for (title, body, field, code) in [
        ("Oops", "Dear {customer}", "body", "error-canned-field"),
        ("Thanks", "Again", "title", "error-canned-title-taken"),
        ("", "Text", "title", "error-required"),
    ] {
        match knowledge::create_canned(&app, &agent, title, body).await {
            Err(AppError::Invalid(e)) => assert_eq!(e.for_field(field), Some(code)),
            other => panic!("{title}: {other:?}"),
        }
    }
    assert!(matches!(
        knowledge::update_canned(&app, &agent, id, 99, "Thanks", "New").await,
        Err(AppError::Conflict("error-stale"))
    ));
    assert_eq!(event_count(&app).await, before, "nothing was written");
    knowledge::update_canned(&app, &agent, id, 1, "Thanks", "Hi {agent_name}")
        .await
        .unwrap();
    assert_eq!(
        knowledge::merged_canned(&app, &agent, id, ticket)
            .await
            .unwrap(),
        "Hi mia"
    );
    knowledge::delete_canned(&app, &agent, id).await.unwrap();
    assert!(
        knowledge::canned_replies(&app, &agent)
            .await
            .unwrap()
            .is_empty()
    );
}

async fn a_ticket_suggests_the_published_articles_that_fit_it(app: App) {
    let agent = login(&app, "agent", &[Role::Service], None).await;
    let accountant = login(&app, "accountant", &[Role::Accountant], None).await;
    let party = customer(&app, "Nordlicht").await;
    let cat = knowledge::create_category(&app, &agent, "Help")
        .await
        .unwrap();
    write(
        &app,
        &agent,
        draft(
            cat,
            "Logging in to the portal",
            "Use your e-mail address.",
            "published",
            "public",
        ),
    )
    .await;
    write(
        &app,
        &agent,
        draft(
            cat,
            "Locked portal logins",
            "IT unlocks them.",
            "published",
            "internal",
        ),
    )
    .await;
    write(
        &app,
        &agent,
        draft(cat, "Portal draft", "Not yet.", "draft", "public"),
    )
    .await;
    write(
        &app,
        &agent,
        draft(
            cat,
            "Delivery times",
            "Parcels travel two days.",
            "published",
            "public",
        ),
    )
    .await;
    let ticket = open_ticket(
        &app,
        party,
        "Cannot log in",
        "The portal says my password is wrong.",
    )
    .await;
    let detail = service::ticket(&app, &agent, ticket).await.unwrap();
    let suggested: Vec<String> = knowledge::suggestions(&app, &agent, &detail)
        .await
        .unwrap()
        .into_iter()
        .map(|r| r.title)
        .collect();
    assert_eq!(suggested.len(), 2, "{suggested:?}");
    assert!(suggested.contains(&"Logging in to the portal".to_owned()));
    assert!(suggested.contains(&"Locked portal logins".to_owned()));
    assert!(
        knowledge::suggestions(&app, &accountant, &detail)
            .await
            .unwrap()
            .is_empty(),
        "the knowledge base is the service desk's"
    );
}

async fn a_resolved_ticket_is_rated_once_by_its_customer(app: App) {
    let agent = login(&app, "agent", &[Role::Service], None).await;
    let party = customer(&app, "Nordlicht").await;
    let other = customer(&app, "Sudwind").await;
    let klaus = login(&app, "klaus", &[Role::Portal], Some(party)).await;
    let greta = login(&app, "greta", &[Role::Portal], Some(other)).await;
    let ticket = open_ticket(&app, party, "Parcel late", "Where is it?").await;
    let before = event_count(&app).await;
    let refused = |r: Result<(), AppError>, field: &str, code: &str| match r {
        Err(AppError::Invalid(e)) => assert_eq!(e.for_field(field), Some(code), "{code}"),
        other => panic!("{code}: {other:?}"),
    };
    refused(
        csat::rate_ticket(&app, &klaus, ticket, "5", "").await,
        "rating",
        "error-rating-open",
    );
    assert_eq!(event_count(&app).await, before, "nothing was written");
    service::resolve(&app, &agent, ticket).await.unwrap();
    let before = event_count(&app).await;
    for bad in ["0", "6", "", "x"] {
        refused(
            csat::rate_ticket(&app, &klaus, ticket, bad, "").await,
            "rating",
            "error-rating-range",
        );
    }
    refused(
        csat::rate_ticket(&app, &klaus, ticket, "4", &"x".repeat(2_001)).await,
        "comment",
        "error-too-long",
    );
    assert!(matches!(
        csat::rate_ticket(&app, &greta, ticket, "1", "").await,
        Err(AppError::NotFound)
    ));
    assert!(matches!(
        csat::rate_ticket(&app, &agent, ticket, "5", "").await,
        Err(AppError::Forbidden)
    ));
    assert_eq!(event_count(&app).await, before, "nothing was written");
    csat::rate_ticket(&app, &klaus, ticket, "4", " Quick and kind ")
        .await
        .unwrap();
    refused(
        csat::rate_ticket(&app, &klaus, ticket, "5", "").await,
        "rating",
        "error-rating-twice",
    );
    let detail = service::ticket(&app, &agent, ticket).await.unwrap();
    let rating = detail.rating.unwrap();
    assert_eq!(
        (rating.rating, rating.comment.as_str()),
        (4, "Quick and kind")
    );
    let second = open_ticket(&app, party, "Another", "Text").await;
    service::close(&app, &agent, second).await.unwrap();
    csat::rate_ticket(&app, &klaus, second, "5", "")
        .await
        .unwrap();
    let summary = csat::rating_summary(&app, &agent).await.unwrap();
    assert_eq!((summary.count, summary.average_centi), (2, 450));
    let events = audit::events_after(&app, &admin(), 0, 10_000)
        .await
        .unwrap();
    assert_eq!(
        events.iter().filter(|e| e.action == "rate").count(),
        2,
        "each rating is an audit event"
    );
}
