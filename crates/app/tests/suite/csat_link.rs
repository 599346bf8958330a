//! The rating link e-mailed when a ticket is resolved, on SQLite and (with
//! `SEAM_TEST_PG_URL`) PostgreSQL: the message is sent through the SMTP
//! sink, the link is read out of it and submitted; a bad rating, a used
//! link and an expired one are refused with nothing written; one link per
//! ticket.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use seam_app::mail::{self, MailSettings};
use seam_app::service::{self, TicketInput};
use seam_app::{Actor, App, AppError, csat, jobs, parties};
use seam_domain::ids::PartyId;
use seam_domain::party::PartyDraft;
use seam_domain::service::TicketDraft;

use crate::smtp::SmtpSink;

both_backends!(a_resolved_ticket_mails_a_link_that_rates_it_once);

fn admin() -> Actor {
    Actor::system("tester")
}

async fn customer(app: &App) -> PartyId {
    let draft = PartyDraft {
        kind: "company".into(),
        name: "Link AB".into(),
        is_customer: true,
        email: "buyer@link.example".into(),
        ..PartyDraft::default()
    };
    parties::create_party(app, &admin(), &draft).await.unwrap()
}

async fn resolved_ticket(app: &App, party: PartyId, subject: &str) -> i64 {
    let input = TicketInput {
        party_id: Some(party.0),
        ticket: TicketDraft {
            subject: subject.into(),
            body: "Please help.".into(),
            ..TicketDraft::default()
        },
        invoice: String::new(),
        order: String::new(),
    };
    let id = service::open_ticket(app, &admin(), &input).await.unwrap();
    service::resolve(app, &admin(), id).await.unwrap();
    id
}

/// The rating link in the text of the sink's message about `number`.
fn link_in(sink: &SmtpSink, number: &str) -> String {
    let message = sink
        .messages()
        .into_iter()
        .find(|m| m.header("Subject").is_some_and(|s| s.contains(number)))
        .expect("the rating e-mail");
    assert_eq!(message.to, vec!["buyer@link.example".to_owned()]);
    let parsed = mail_parser::MessageParser::default()
        .parse(message.data.as_bytes())
        .unwrap();
    let text = parsed.body_text(0).unwrap().into_owned();
    let start = text.find("https://desk.example/csat/").expect("a link");
    text[start..].split_whitespace().next().unwrap().to_owned()
}

async fn expire_links(app: &App, ticket: i64) {
    let sql = "UPDATE csat_links SET expires_at_us = 1 WHERE ticket_id = $1";
    match &app.db {
        seam_app::Db::Sqlite { writer, .. } => {
            let mut conn = writer.idle().await.unwrap();
            sqlx::query(sql)
                .bind(ticket)
                .execute(&mut *conn)
                .await
                .unwrap();
        }
        seam_app::Db::Pg(pool) => {
            sqlx::query(sql).bind(ticket).execute(pool).await.unwrap();
        }
    }
}

fn field_code(result: Result<(), AppError>, field: &str) -> &'static str {
    match result {
        Err(AppError::Invalid(errors)) => errors.for_field(field).expect(field),
        other => panic!("expected field errors, got {other:?}"),
    }
}

async fn a_resolved_ticket_mails_a_link_that_rates_it_once(app: App) {
    let sink = SmtpSink::start().await;
    mail::update_settings(
        &app,
        &admin(),
        &MailSettings {
            smtp_url: sink.url(),
            from: "desk@seam.example".into(),
        },
    )
    .await
    .unwrap();
    assert!(matches!(
        csat::set_public_url(&app, &admin(), "desk.example").await,
        Err(AppError::Invalid(_))
    ));
    csat::set_public_url(&app, &admin(), "https://desk.example/")
        .await
        .unwrap();
    // One public address serves every e-mailed link: marketing's too.
    let sending = seam_app::marketing::send_settings(&app, &admin())
        .await
        .unwrap();
    assert_eq!(sending.base_url, "https://desk.example");
    let party = customer(&app).await;
    let id = resolved_ticket(&app, party, "Broken lid").await;
    // Closing after resolving sends no second link.
    service::close(&app, &admin(), id).await.unwrap();
    jobs::work_until_idle(&app, &admin(), "n").await.unwrap();
    let number = service::ticket(&app, &admin(), id)
        .await
        .unwrap()
        .ticket
        .number;
    let subject_has = |n: &str| {
        sink.messages()
            .iter()
            .filter(|m| m.header("Subject").is_some_and(|s| s.contains(n)))
            .count()
    };
    assert_eq!(subject_has(&number), 1);
    let link = link_in(&sink, &number);
    let token = link.rsplit('/').next().unwrap().to_owned();
    let view = csat::link(&app, &token).await.unwrap();
    assert_eq!(view.number, number);
    assert_eq!(view.state, csat::LinkState::Usable);

    // A bad rating writes nothing and leaves the link usable.
    let result = csat::rate_by_link(&app, &token, "9", "").await;
    assert_eq!(field_code(result, "rating"), "error-rating-range");
    assert!(
        service::ticket(&app, &admin(), id)
            .await
            .unwrap()
            .rating
            .is_none()
    );
    csat::rate_by_link(&app, &token, "4", "Quick and kind")
        .await
        .unwrap();
    let rating = service::ticket(&app, &admin(), id)
        .await
        .unwrap()
        .rating
        .unwrap();
    assert_eq!(
        (rating.rating, rating.comment.as_str()),
        (4, "Quick and kind")
    );
    // Used once: the second try is refused, naming the token.
    let result = csat::rate_by_link(&app, &token, "1", "").await;
    assert_eq!(field_code(result, "token"), "error-csat-link-used");
    assert_eq!(
        csat::link(&app, &token).await.unwrap().state,
        csat::LinkState::Used
    );
    // A token that opens nothing is not found, whatever its shape.
    assert!(matches!(
        csat::link(&app, "csat_nope").await,
        Err(AppError::NotFound)
    ));
    assert!(matches!(
        csat::rate_by_link(&app, "anything", "5", "").await,
        Err(AppError::NotFound)
    ));

    // An expired link rates nothing.
    let late = resolved_ticket(&app, party, "Late reply").await;
    jobs::work_until_idle(&app, &admin(), "n").await.unwrap();
    let late_number = service::ticket(&app, &admin(), late)
        .await
        .unwrap()
        .ticket
        .number;
    let late_token = link_in(&sink, &late_number)
        .rsplit('/')
        .next()
        .unwrap()
        .to_owned();
    expire_links(&app, late).await;
    let result = csat::rate_by_link(&app, &late_token, "5", "").await;
    assert_eq!(field_code(result, "token"), "error-csat-link-expired");
    assert!(
        service::ticket(&app, &admin(), late)
            .await
            .unwrap()
            .rating
            .is_none()
    );
}
