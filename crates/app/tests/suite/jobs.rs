//! The job queue and outbox on SQLite and (with `SEAM_TEST_PG_URL`)
//! PostgreSQL: concurrent claimers never share a job, an expired lease is
//! taken back, failures back off and end dead, an enqueue rolls back with
//! its transaction, and e-mail jobs (an invoice with its PDF and UBL) reach
//! an SMTP server, or wait with a clear error while there is none.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use crate::smtp;
use std::collections::HashSet;

use seam_app::invoicing::{self, InvoiceInput};
use seam_app::jobs::{self, JobState};
use seam_app::mail::{self, MailSettings};
use seam_app::sales::{self, LineInput, OrderInput};
use seam_app::{Actor, App, AppError, company, now_us, parties, products};
use seam_domain::ids::PartyId;
use seam_domain::party::PartyDraft;
use seam_domain::product::ProductDraft;
use seam_store::jobs as store;
both_backends!(
    two_concurrent_claimers_never_get_the_same_job,
    an_expired_lease_is_claimed_again_and_the_old_holder_cannot_finish_it,
    a_failing_job_backs_off_then_dies_and_an_operator_can_retry_it,
    an_enqueue_is_rolled_back_with_its_transaction,
    a_node_that_stops_gives_back_the_jobs_it_has_not_started,
    an_email_waits_for_an_smtp_server_then_is_sent_once,
    an_invoice_is_emailed_with_its_pdf_and_ubl,
);

const SECOND: i64 = 1_000_000;

fn admin() -> Actor {
    Actor::system("tester")
}

async fn enqueue_many(app: &App, kind: &str, n: usize) -> Vec<i64> {
    let mut tx = app.db.begin().await.unwrap();
    let mut ids = Vec::new();
    for i in 0..n {
        let payload = format!("{{\"n\":{i}}}");
        ids.push(
            store::enqueue(&mut tx, kind, &payload, now_us())
                .await
                .unwrap(),
        );
    }
    tx.commit().await.unwrap();
    ids
}

async fn two_concurrent_claimers_never_get_the_same_job(app: App) {
    let ids = enqueue_many(&app, "noop", 200).await;
    let claimer = |node: &'static str| {
        let app = app.clone();
        tokio::spawn(async move {
            let mut mine = Vec::new();
            loop {
                let claimed = store::claim(&app.db, node, 5, 60 * SECOND, now_us())
                    .await
                    .unwrap();
                if claimed.is_empty() {
                    return mine;
                }
                for job in claimed {
                    assert_eq!(job.locked_by.as_deref(), Some(node));
                    assert!(
                        store::complete(&app.db, job.id, node, now_us())
                            .await
                            .unwrap()
                    );
                    mine.push(job.id);
                }
                tokio::task::yield_now().await;
            }
        })
    };
    let (a, b) = (claimer("node-a"), claimer("node-b"));
    let (a, b) = (a.await.unwrap(), b.await.unwrap());
    let mut all: Vec<i64> = a.iter().chain(&b).copied().collect();
    assert_eq!(
        all.len(),
        200,
        "every job was claimed once: {} + {}",
        a.len(),
        b.len()
    );
    all.sort_unstable();
    assert_eq!(all, ids);
    let done = store::list(&app.db, Some(JobState::Done), None, 1000)
        .await
        .unwrap();
    assert_eq!(done.len(), 200);
    assert!(done.iter().all(|j| j.attempts == 1), "nothing ran twice");
    let nodes: HashSet<_> = done.iter().filter_map(|j| j.locked_by.clone()).collect();
    assert!(nodes.iter().all(|n| n == "node-a" || n == "node-b"));
}

async fn an_expired_lease_is_claimed_again_and_the_old_holder_cannot_finish_it(app: App) {
    let [id] = enqueue_many(&app, "noop", 1).await[..] else {
        panic!()
    };
    let t0 = now_us();
    let first = store::claim(&app.db, "crashed", 10, 30 * SECOND, t0)
        .await
        .unwrap();
    assert_eq!(first.len(), 1);
    assert_eq!(first[0].state, "running");
    assert!(
        store::claim(&app.db, "other", 10, 30 * SECOND, t0 + 29 * SECOND)
            .await
            .unwrap()
            .is_empty(),
        "a held lease is respected"
    );
    let again = store::claim(&app.db, "other", 10, 30 * SECOND, t0 + 31 * SECOND)
        .await
        .unwrap();
    assert_eq!(again.len(), 1);
    assert_eq!(again[0].id, id);
    assert_eq!(again[0].attempts, 2, "the lost run counts as an attempt");
    assert!(
        !store::complete(&app.db, id, "crashed", now_us())
            .await
            .unwrap()
    );
    assert!(matches!(
        store::fail(&app.db, id, "crashed", "late", now_us(), false).await,
        Err(seam_store::StoreError::Stale)
    ));
    assert!(
        store::complete(&app.db, id, "other", now_us())
            .await
            .unwrap()
    );
    let job = store::job(&app.db, id).await.unwrap().unwrap();
    assert_eq!(
        (job.state.as_str(), job.locked_by.as_deref()),
        ("done", Some("other"))
    );
}

async fn a_failing_job_backs_off_then_dies_and_an_operator_can_retry_it(app: App) {
    let [id] = enqueue_many(&app, "noop", 1).await[..] else {
        panic!()
    };
    let mut t = now_us();
    for attempt in 1..=store::MAX_ATTEMPTS {
        let claimed = store::claim(&app.db, "n", 1, 30 * SECOND, t).await.unwrap();
        assert_eq!(claimed.len(), 1, "attempt {attempt} is due");
        assert_eq!(claimed[0].attempts, attempt);
        let retry_at = t + store::backoff_us(attempt);
        let state = store::fail(&app.db, id, "n", "boom", retry_at, false)
            .await
            .unwrap();
        let job = store::job(&app.db, id).await.unwrap().unwrap();
        assert_eq!(job.last_error.as_deref(), Some("boom"));
        if attempt < store::MAX_ATTEMPTS {
            assert_eq!(state, JobState::Failed);
            assert_eq!(job.run_at_us, retry_at);
            assert!(
                store::claim(&app.db, "n", 1, 30 * SECOND, retry_at - 1)
                    .await
                    .unwrap()
                    .is_empty(),
                "not before its backoff"
            );
            t = retry_at;
        } else {
            assert_eq!(state, JobState::Dead);
        }
    }
    assert!(
        store::claim(&app.db, "n", 1, 30 * SECOND, t + 100 * 3600 * SECOND)
            .await
            .unwrap()
            .is_empty(),
        "a dead job is never claimed"
    );
    assert_eq!(
        jobs::counts(&app, &admin()).await.unwrap(),
        vec![("dead".to_owned(), 1)]
    );
    let dead = jobs::list(&app, &admin(), Some(JobState::Dead), None, 10)
        .await
        .unwrap();
    assert_eq!(dead.len(), 1);
    // A clerk may not; the operator may, and the job starts over.
    let clerk = Actor {
        grants: seam_domain::access::Grants::for_roles(&[seam_domain::access::Role::Sales]),
        ..admin()
    };
    assert!(matches!(
        jobs::retry(&app, &clerk, id).await,
        Err(AppError::Forbidden)
    ));
    let retried = jobs::retry(&app, &admin(), id).await.unwrap();
    assert_eq!((retried.state.as_str(), retried.attempts), ("queued", 0));
    assert!(matches!(
        jobs::retry(&app, &admin(), id).await,
        Err(AppError::Conflict("error-job-state"))
    ));
    // A permanent failure is dead at once.
    let claimed = store::claim(&app.db, "n", 1, 30 * SECOND, now_us())
        .await
        .unwrap();
    assert_eq!(claimed.len(), 1);
    let state = store::fail(&app.db, id, "n", "bad payload", now_us(), true)
        .await
        .unwrap();
    assert_eq!(state, JobState::Dead);
    // A lease that runs out on the last attempt buries the job instead of running it again.
    let [other] = enqueue_many(&app, "noop", 1).await[..] else {
        panic!()
    };
    let mut t = now_us();
    for _ in 1..store::MAX_ATTEMPTS {
        store::claim(&app.db, "n", 1, SECOND, t).await.unwrap();
        t += 2 * SECOND;
    }
    let last = store::claim(&app.db, "n", 1, SECOND, t).await.unwrap();
    assert_eq!(last[0].attempts, store::MAX_ATTEMPTS);
    assert!(
        store::claim(&app.db, "n", 1, SECOND, t + 2 * SECOND)
            .await
            .unwrap()
            .is_empty()
    );
    let job = store::job(&app.db, other).await.unwrap().unwrap();
    assert_eq!(job.state, "dead");
    assert!(job.last_error.unwrap().contains("stopped"));
}

async fn an_enqueue_is_rolled_back_with_its_transaction(app: App) {
    let mut tx = app.db.begin().await.unwrap();
    store::enqueue(&mut tx, "noop", "{}", now_us())
        .await
        .unwrap();
    drop(tx);
    assert!(
        store::list(&app.db, None, None, 10)
            .await
            .unwrap()
            .is_empty()
    );
    // A refused command queues nothing: a bad address names its field.
    let err = mail::queue_message(&app, &admin(), "nobody", "Hi", "")
        .await
        .unwrap_err();
    let AppError::Invalid(errors) = err else {
        panic!("{err:?}")
    };
    assert_eq!(errors.for_field("to"), Some("error-email"));
    assert!(store::counts(&app.db).await.unwrap().is_empty());
}

async fn a_node_that_stops_gives_back_the_jobs_it_has_not_started(app: App) {
    let ids = enqueue_many(&app, "noop", 3).await;
    let (stop, stopped) = tokio::sync::watch::channel(false);
    stop.send(true).unwrap();
    // Claimed, then the node stops before running any of them.
    let pass = jobs::work_once(&app, "stopping", &jobs::WorkerConfig::default(), &stopped)
        .await
        .unwrap();
    assert_eq!((pass.claimed, pass.released, pass.done), (3, 3, 0));
    for id in ids {
        let job = store::job(&app.db, id).await.unwrap().unwrap();
        assert_eq!((job.state.as_str(), job.attempts), ("queued", 0));
    }
    // And the worker loop itself ends when told to.
    tokio::time::timeout(
        std::time::Duration::from_secs(5),
        jobs::run_worker(app.clone(), "stopped".into(), stopped),
    )
    .await
    .unwrap();
}

async fn an_email_waits_for_an_smtp_server_then_is_sent_once(app: App) {
    let sink = smtp::SmtpSink::start().await;
    let id = mail::queue_message(
        &app,
        &admin(),
        "ada@example.com",
        "Hello",
        "Body\n.dot line\n",
    )
    .await
    .unwrap();
    let pass = jobs::work_until_idle(&app, &admin(), "n1").await.unwrap();
    assert_eq!((pass.done, pass.failed), (0, 1));
    let job = store::job(&app.db, id).await.unwrap().unwrap();
    assert_eq!(job.state, "failed", "still retryable");
    let error = job.last_error.unwrap();
    assert!(error.contains("mail.smtp_url"), "{error}");
    // Configured: a bad URL or sender is refused naming the field.
    let bad = MailSettings {
        smtp_url: "http://x".into(),
        from: "nope".into(),
    };
    let AppError::Invalid(errors) = mail::update_settings(&app, &admin(), &bad)
        .await
        .unwrap_err()
    else {
        panic!()
    };
    assert_eq!(errors.for_field("smtp_url"), Some("error-smtp-url"));
    assert_eq!(errors.for_field("from"), Some("error-email"));
    let good = MailSettings {
        smtp_url: sink.url(),
        from: "Seam <seam@example.com>".into(),
    };
    mail::update_settings(&app, &admin(), &good).await.unwrap();
    jobs::retry(&app, &admin(), id).await.unwrap();
    let pass = jobs::work_until_idle(&app, &admin(), "n1").await.unwrap();
    assert_eq!((pass.done, pass.failed), (1, 0));
    let got = sink.messages();
    assert_eq!(got.len(), 1);
    assert_eq!(got[0].to, ["ada@example.com"]);
    assert_eq!(got[0].from, "seam@example.com");
    assert_eq!(got[0].header("X-Seam-Job"), Some(id.to_string()));
    assert_eq!(got[0].header("Subject").as_deref(), Some("Hello"));
    assert!(got[0].data.contains(".dot line"), "{}", got[0].data);
    assert_eq!(
        jobs::work_until_idle(&app, &admin(), "n2")
            .await
            .unwrap()
            .claimed,
        0
    );
    assert_eq!(sink.count(), 1, "sent once");
}

async fn posted_invoice(app: &App, email: &str) -> (i64, PartyId) {
    company::update_profile(
        app,
        &admin(),
        &company::CompanyProfile {
            name: "Seam Test AB".into(),
            vat_id: "SE556677889901".into(),
            legal_id: "556677-8899".into(),
            street: "Hamngatan 12".into(),
            postcode: "111 47".into(),
            city: "Stockholm".into(),
            country: "SE".into(),
            email: "invoices@seam-test.example".into(),
            iban: "SE4550000000058398257466".into(),
            currency: "EUR".into(),
        },
    )
    .await
    .unwrap();
    let draft = ProductDraft {
        sku: "SVC-1".into(),
        name: "Consulting".into(),
        kind: "service".into(),
        unit: "HUR".into(),
        currency: "EUR".into(),
        list_price: "100.00".into(),
        standard_cost: "0".into(),
        tax_rate: "S25".into(),
        revenue_account: String::new(),
    };
    products::create_product(app, &admin(), &draft)
        .await
        .unwrap();
    let party = parties::create_party(
        app,
        &admin(),
        &PartyDraft {
            kind: "company".into(),
            name: "Åbo Kaffe Oy".into(),
            is_customer: true,
            tax_id: "FI12345678".into(),
            street: "Aurakatu 1".into(),
            postal_code: "20100".into(),
            city: "Turku".into(),
            country: "FI".into(),
            email: email.into(),
            ..PartyDraft::default()
        },
    )
    .await
    .unwrap();
    let order = sales::create_order(
        app,
        &admin(),
        &OrderInput {
            customer: Some(party),
            order_date: "2026-03-01".into(),
            currency: String::new(),
            lines: vec![LineInput {
                product: "SVC-1".into(),
                qty: "3".into(),
                unit_price: String::new(),
            }],
        },
    )
    .await
    .unwrap();
    sales::confirm_order(app, &admin(), order, None)
        .await
        .unwrap();
    let id = invoicing::invoice_order(
        app,
        &admin(),
        order,
        &InvoiceInput {
            issue_date: "2026-03-02".into(),
            terms_days: "30".into(),
            note: String::new(),
        },
    )
    .await
    .unwrap();
    (id, party)
}

async fn an_invoice_is_emailed_with_its_pdf_and_ubl(app: App) {
    let sink = smtp::SmtpSink::start().await;
    let (id, _) = posted_invoice(&app, "").await;
    // A draft has no number to send.
    assert!(matches!(
        invoicing::email_invoice(&app, &admin(), id, None).await,
        Err(AppError::Conflict("error-invoice-state"))
    ));
    let number = invoicing::post_invoice(&app, &admin(), id)
        .await
        .unwrap()
        .number;
    // No e-mail on the customer and none given; then a malformed one.
    let AppError::Invalid(e) = invoicing::email_invoice(&app, &admin(), id, None)
        .await
        .unwrap_err()
    else {
        panic!()
    };
    assert_eq!(e.for_field("to"), Some("error-email-missing"));
    let AppError::Invalid(e) = invoicing::email_invoice(&app, &admin(), id, Some("ap at abo"))
        .await
        .unwrap_err()
    else {
        panic!()
    };
    assert_eq!(e.for_field("to"), Some("error-email"));
    // Only someone who may write invoices may send one.
    let clerk = Actor {
        grants: seam_domain::access::Grants::for_roles(&[seam_domain::access::Role::Sales]),
        ..admin()
    };
    assert!(matches!(
        invoicing::email_invoice(&app, &clerk, id, Some("ap@abo.example")).await,
        Err(AppError::Forbidden)
    ));
    assert!(
        store::counts(&app.db).await.unwrap().is_empty(),
        "refusals queue nothing"
    );
    let events_before = seam_app::audit::events_after(&app, &admin(), 0, 1000)
        .await
        .unwrap()
        .len();
    let job = invoicing::email_invoice(&app, &admin(), id, Some(" ap@abo.example "))
        .await
        .unwrap();
    let events = seam_app::audit::events_after(&app, &admin(), 0, 1000)
        .await
        .unwrap();
    assert_eq!(events.len(), events_before + 1);
    let event = events.last().unwrap();
    assert_eq!(
        (event.entity_type.as_str(), event.action.as_str()),
        ("invoice", "email")
    );
    mail::update_settings(
        &app,
        &admin(),
        &MailSettings {
            smtp_url: sink.url(),
            from: String::new(),
        },
    )
    .await
    .unwrap();
    let pass = jobs::work_until_idle(&app, &admin(), "n").await.unwrap();
    assert_eq!((pass.done, pass.failed), (1, 0));
    let got = sink.messages();
    assert_eq!(got.len(), 1);
    let m = &got[0];
    assert_eq!(m.to, ["ap@abo.example"]);
    assert_eq!(
        m.from, "invoices@seam-test.example",
        "the company's e-mail by default"
    );
    assert_eq!(m.header("X-Seam-Job"), Some(job.to_string()));
    assert!(m.header("Subject").unwrap().contains(&number));
    assert!(m.data.contains("multipart/mixed"));
    assert!(
        m.data.contains(&format!("filename=\"{number}.pdf\"")),
        "{}",
        m.header("Content-Type").unwrap_or_default()
    );
    assert!(m.data.contains(&format!("filename=\"{number}.xml\"")));
    assert!(m.data.contains("Content-Type: application/pdf"));
    assert!(m.data.contains("Content-Type: application/xml"));
}
