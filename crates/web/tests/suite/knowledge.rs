//! The knowledge base, canned replies and ratings through the router, on
//! both backends: the agent writes articles (bad input is shown at its field
//! with the text kept, a stale edit is refused), finds them by search, sees
//! the fitting ones suggested on a ticket and inserts one and a canned reply
//! into the reply box; a customer's API token reads only published public
//! articles; the desk sees the customer's rating and its average.

use axum::http::StatusCode;
use seam_app::Actor;
use seam_app::service::{self, TicketInput};
use seam_domain::access::Role;
use seam_domain::service::TicketDraft;

use crate::common::{Backend, env};

crate::both_backends!(
    an_agent_writes_searches_and_edits_articles_on_the_pages,
    the_ticket_page_suggests_articles_and_inserts_them_and_canned_replies,
    the_api_gives_customers_only_published_public_articles,
);

fn admin() -> Actor {
    Actor::system("tester")
}

async fn category(env: &crate::common::Env, name: &str) -> i64 {
    seam_app::knowledge::create_category(&env.app, &admin(), name)
        .await
        .unwrap()
}

async fn an_agent_writes_searches_and_edits_articles_on_the_pages(backend: Backend) {
    let Some(env) = env(backend).await else {
        return;
    };
    env.user("agent", &[Role::Service], None).await;
    let mut agent = env.logged_in("agent").await;
    let made = agent
        .post_form("/kb/categories", &[("name", "Accounts")])
        .await;
    assert_eq!(made.status, StatusCode::SEE_OTHER, "{}", made.body);
    let cat = made.location().rsplit('=').next().unwrap().to_owned();
    let bad = agent
        .post_form(
            "/kb/articles",
            &[
                ("title", ""),
                ("body", "kept <b>text</b>"),
                ("category_id", &cat),
            ],
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad.body.contains("f-title-error"), "{}", bad.body);
    assert!(
        bad.body.contains("kept &#60;b&#62;text"),
        "kept, escaped: {}",
        bad.body
    );
    assert!(!bad.body.contains("<b>text"), "never markup");
    let long = "x".repeat(seam_domain::knowledge::ARTICLE_BODY_MAX + 1);
    let too_long = agent
        .post_form(
            "/kb/articles",
            &[("title", "Long"), ("body", &long), ("category_id", &cat)],
        )
        .await;
    assert_eq!(too_long.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(too_long.body.contains("f-body-error"));
    let created = agent
        .post_form(
            "/kb/articles",
            &[
                ("title", "Reset your password"),
                ("body", "# Steps\n- Open <login>\n- Type it\n\nDone."),
                ("category_id", &cat),
                ("state", "published"),
                ("audience", "public"),
            ],
        )
        .await;
    assert_eq!(created.status, StatusCode::SEE_OTHER, "{}", created.body);
    let path = created.location().to_owned();
    let page = agent.get(&path).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("<h2>Steps</h2>"), "{}", page.body);
    assert!(
        page.body.contains("<li>Open &#60;login&#62;</li>"),
        "escaped"
    );
    let found = agent.get("/kb?q=passw").await;
    assert!(found.body.contains("Reset your password"));
    let none = agent.get("/kb?q=parcel").await;
    assert!(!none.body.contains("Reset your password"));
    let filtered = agent.get(&format!("/kb?category={cat}")).await;
    assert!(filtered.body.contains("Reset your password"));

    let edit = |title: &'static str, version: &'static str| {
        vec![
            ("title", title),
            ("body", "Done."),
            ("state", "published"),
            ("audience", "public"),
            ("version", version),
        ]
    };
    let mut saved_fields = edit("Reset a password", "1");
    saved_fields.push(("category_id", &cat));
    let saved = agent.post_form(&path, &saved_fields).await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    let mut stale_fields = edit("Someone else's title", "1");
    stale_fields.push(("category_id", &cat));
    let stale = agent.post_form(&path, &stale_fields).await;
    assert_eq!(stale.status, StatusCode::CONFLICT, "{}", stale.body);
    assert!(
        stale.body.contains("Someone else&#39;s title")
            || stale.body.contains("Someone else&#x27;s title")
    );
    assert!(agent.get(&path).await.body.contains("Reset a password"));

    env.user("seller", &[Role::Sales], None).await;
    let mut seller = env.logged_in("seller").await;
    assert_eq!(seller.get("/kb").await.status, StatusCode::FORBIDDEN);
}

async fn the_ticket_page_suggests_articles_and_inserts_them_and_canned_replies(backend: Backend) {
    let Some(env) = env(backend).await else {
        return;
    };
    env.user("agent", &[Role::Service], None).await;
    let mut agent = env.logged_in("agent").await;
    let party = crate::web::company(&env, "Nordlicht Handels GmbH").await;
    let cat = category(&env, "Portal").await;
    let write = |title: &str, state: &str, audience: &str| seam_domain::knowledge::ArticleDraft {
        title: title.into(),
        body: "Use the e-mail address we know.".into(),
        category_id: cat.to_string(),
        state: state.into(),
        audience: audience.into(),
    };
    let public = seam_app::knowledge::create_article(
        &env.app,
        &admin(),
        &write("Logging in to the portal", "published", "public"),
    )
    .await
    .unwrap();
    seam_app::knowledge::create_article(
        &env.app,
        &admin(),
        &write("Portal login draft", "draft", "public"),
    )
    .await
    .unwrap();
    let input = TicketInput {
        party_id: Some(party),
        ticket: TicketDraft {
            subject: "Cannot log in".into(),
            body: "The portal refuses my password.".into(),
            ..TicketDraft::default()
        },
        invoice: String::new(),
        order: String::new(),
    };
    let ticket = service::open_ticket(&env.app, &admin(), &input)
        .await
        .unwrap();
    let page = agent.get(&format!("/service/tickets/{ticket}")).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("Suggested articles"), "{}", page.body);
    assert!(page.body.contains("Logging in to the portal"));
    assert!(!page.body.contains("Portal login draft"), "no drafts");

    let compose = format!("/service/tickets/{ticket}/compose");
    let inserted = agent
        .post_form(
            &compose,
            &[("body", "Hello,"), ("insert_article", &public.to_string())],
        )
        .await;
    assert_eq!(inserted.status, StatusCode::OK, "{}", inserted.body);
    let link = format!(
        "Hello,\n\nLogging in to the portal: http://seam.test/portal/kb/{public}</textarea>"
    );
    assert!(inserted.body.contains(&link), "{}", inserted.body);

    let canned = agent
        .post_form(
            "/service/canned",
            &[
                ("title", "Greeting"),
                (
                    "body",
                    "Dear {customer_name}, re {ticket_number}. {agent_name}",
                ),
            ],
        )
        .await;
    assert_eq!(canned.status, StatusCode::SEE_OTHER, "{}", canned.body);
    let bad = agent
        .post_form(
            "/service/canned",
            &[("title", "Typo"), ("body", "Dear {customer}")],
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad.body.contains("f-body-error"));
    let id = seam_app::knowledge::canned_replies(&env.app, &admin())
        .await
        .unwrap()[0]
        .id;
    let number = service::ticket(&env.app, &admin(), ticket)
        .await
        .unwrap()
        .ticket
        .number;
    let merged = agent
        .post_form(
            &compose,
            &[
                ("body", ""),
                ("canned", &id.to_string()),
                ("insert", "canned"),
            ],
        )
        .await;
    assert_eq!(merged.status, StatusCode::OK);
    assert!(
        merged.body.contains(&format!(
            ">Dear Nordlicht Handels GmbH, re {number}. agent</textarea>"
        )),
        "{}",
        merged.body
    );
    let sent = agent
        .post_form(
            &format!("/service/tickets/{ticket}/reply"),
            &[("body", &format!("See http://seam.test/portal/kb/{public}"))],
        )
        .await;
    assert_eq!(sent.status, StatusCode::SEE_OTHER);

    // The customer rates it once resolved; the desk sees it and the average.
    service::resolve(&env.app, &admin(), ticket).await.unwrap();
    env.user("klaus", &[Role::Portal], Some(party)).await;
    let mut klaus = env.logged_in("klaus").await;
    let rated = klaus
        .post_json(
            &format!("/api/v1/tickets/{ticket}/rating"),
            r#"{"rating":6}"#,
            None,
        )
        .await;
    assert_eq!(
        rated.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        rated.body
    );
    let rated = klaus
        .post_json(
            &format!("/api/v1/tickets/{ticket}/rating"),
            r#"{"rating":5,"comment":"Fast"}"#,
            None,
        )
        .await;
    assert_eq!(rated.status, StatusCode::CREATED, "{}", rated.body);
    assert_eq!(rated.json()["rating"]["rating"], 5);
    let desk = agent.get(&format!("/service/tickets/{ticket}")).await;
    assert!(desk.body.contains("5 out of 5") && desk.body.contains("Fast"));
    let queue = agent.get("/service/tickets").await;
    assert!(
        queue.body.contains("<strong>5.0</strong> / 5"),
        "{}",
        queue.body
    );
}

async fn the_api_gives_customers_only_published_public_articles(backend: Backend) {
    let Some(env) = env(backend).await else {
        return;
    };
    let party = crate::web::company(&env, "Nordlicht").await;
    env.user("agent", &[Role::Service], None).await;
    env.user("klaus", &[Role::Portal], Some(party)).await;
    let mut agent = env.logged_in("agent").await;
    let mut klaus = env.logged_in("klaus").await;
    let cat = category(&env, "Help").await;
    let body = |title: &str, state: &str, audience: &str| {
        format!(
            r#"{{"title":"{title}","body":"Paying help.","category_id":{cat},"state":"{state}","audience":"{audience}"}}"#
        )
    };
    let mut ids = Vec::new();
    for (title, state, audience) in [
        ("Paying by card", "published", "public"),
        ("Paying by cheque", "draft", "public"),
        ("Paying refunds", "published", "internal"),
    ] {
        let made = agent
            .post_json("/api/v1/kb/articles", &body(title, state, audience), None)
            .await;
        assert_eq!(made.status, StatusCode::CREATED, "{}", made.body);
        ids.push(made.json()["id"].as_i64().unwrap());
    }
    let bad = agent
        .post_json("/api/v1/kb/articles", &body("", "draft", "public"), None)
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", bad.body);
    assert!(bad.body.contains("title"));
    let all = agent.get("/api/v1/kb/articles?q=paying").await.json();
    assert_eq!(all["items"].as_array().unwrap().len(), 3);
    let theirs = klaus.get("/api/v1/kb/articles?q=paying").await.json();
    let titles: Vec<&str> = theirs["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["title"].as_str().unwrap())
        .collect();
    assert_eq!(titles, ["Paying by card"]);
    assert_eq!(
        klaus
            .get(&format!("/api/v1/kb/articles/{}", ids[0]))
            .await
            .status,
        StatusCode::OK
    );
    for hidden in &ids[1..] {
        let answer = klaus.get(&format!("/api/v1/kb/articles/{hidden}")).await;
        assert_eq!(answer.status, StatusCode::NOT_FOUND, "{hidden}");
        assert!(answer.content_type().contains("problem+json"));
        assert!(!answer.body.contains("Paying"));
    }
    let written = klaus
        .post_json(
            "/api/v1/kb/articles",
            &body("Mine", "published", "public"),
            None,
        )
        .await;
    assert_eq!(written.status, StatusCode::FORBIDDEN);
    let update = format!(
        r#"{{"title":"Card payments","body":"Paying help.","category_id":{cat},"state":"published","audience":"public","version":1}}"#
    );
    let path = format!("/api/v1/kb/articles/{}", ids[0]);
    let saved = agent.put_json(&path, &update).await;
    assert_eq!(saved.status, StatusCode::OK, "{}", saved.body);
    assert_eq!(saved.json()["version"], 2);
    let stale = agent.put_json(&path, &update).await;
    assert_eq!(stale.status, StatusCode::CONFLICT, "{}", stale.body);
    let cats = klaus.get("/api/v1/kb/categories").await.json();
    assert_eq!(cats[0]["article_count"], 1);
}
