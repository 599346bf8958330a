//! Sales quotes through their use cases, on SQLite and (with
//! `SEAM_TEST_PG_URL`) PostgreSQL: drafts, sending that numbers gaplessly,
//! accepting that creates an order with the same lines and prices and links
//! both ways, illegal transitions (twice accepted, expired, declined) that
//! write nothing, bad input that names its field, and the party timeline.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use seam_app::quotes::{self, LineInput, QuoteFilter, QuoteInput};
use seam_app::{Actor, App, AppError, audit, parties, products, sales};
use seam_domain::ids::{PartyId, SalesQuoteId};
use seam_domain::party::PartyDraft;
use seam_domain::product::ProductDraft;
use seam_domain::quote::QuoteState;

both_backends!(
    a_quote_is_created_sent_and_numbered_gaplessly,
    accepting_creates_an_order_with_the_same_lines_and_links_both_ways,
    illegal_transitions_are_typed_errors_and_write_nothing,
    an_expired_quote_cannot_be_accepted_or_declined,
    bad_quotes_name_their_fields,
    drafts_are_edited_with_their_version,
    the_party_timeline_shows_the_quotes_events,
);

async fn product(app: &App, sku: &str, kind: &str, price: &str, rate: &str) {
    let draft = ProductDraft {
        sku: sku.into(),
        name: format!("{sku} name"),
        kind: kind.into(),
        unit: if kind == "goods" { "C62" } else { "HUR" }.into(),
        currency: "EUR".into(),
        list_price: price.into(),
        standard_cost: "1.00".into(),
        tax_rate: rate.into(),
        revenue_account: String::new(),
    };
    products::create_product(app, &Actor::system("test"), &draft)
        .await
        .unwrap();
}

async fn customer(app: &App, name: &str, is_customer: bool) -> PartyId {
    let draft = PartyDraft {
        kind: "company".into(),
        name: name.into(),
        is_customer,
        ..PartyDraft::default()
    };
    parties::create_party(app, &Actor::system("test"), &draft)
        .await
        .unwrap()
}

fn line(sku: &str, qty: &str, price: &str) -> LineInput {
    LineInput {
        product: sku.into(),
        qty: qty.into(),
        unit_price: price.into(),
    }
}

fn quote(customer: PartyId, lines: Vec<LineInput>) -> QuoteInput {
    QuoteInput {
        customer: Some(customer),
        lines,
        ..QuoteInput::default()
    }
}

fn field_error<T: std::fmt::Debug>(result: Result<T, AppError>, field: &str) -> &'static str {
    match result {
        Err(AppError::Invalid(errors)) => errors
            .for_field(field)
            .unwrap_or_else(|| panic!("no error for {field} in {errors:?}")),
        other => panic!("expected invalid input, got {other:?}"),
    }
}

fn conflict<T: std::fmt::Debug>(result: Result<T, AppError>) -> &'static str {
    match result {
        Err(AppError::Conflict(code)) => code,
        other => panic!("expected a conflict, got {other:?}"),
    }
}

/// Moves a sent quote's dates into the past, as if time had passed.
async fn backdate(app: &App, id: SalesQuoteId) {
    let sql = "UPDATE sales_quotes SET quote_date = '2020-01-01', valid_until = '2020-01-31' WHERE id = $1";
    match &app.db {
        seam_app::Db::Sqlite { writer, .. } => {
            let mut conn = writer.idle().await.unwrap();
            sqlx::query(sql)
                .bind(id.0)
                .execute(&mut *conn)
                .await
                .unwrap();
        }
        seam_app::Db::Pg(pool) => {
            sqlx::query(sql).bind(id.0).execute(pool).await.unwrap();
        }
    }
}

async fn counts(app: &App) -> (usize, usize) {
    let admin = Actor::system("t");
    let orders = sales::list_orders(app, &admin, &Default::default(), None, 500)
        .await
        .unwrap()
        .0
        .len();
    let events = audit::recent_events(app, &admin, None, 500)
        .await
        .unwrap()
        .len();
    (orders, events)
}

async fn a_quote_is_created_sent_and_numbered_gaplessly(app: App) {
    let admin = Actor::system("tester");
    product(&app, "CHAIR", "goods", "80.00", "S25").await;
    product(&app, "BOOK", "goods", "20.00", "S12").await;
    let acme = customer(&app, "Acme", true).await;

    let id = quotes::create_quote(
        &app,
        &admin,
        &quote(
            acme,
            vec![line("chair", "2", ""), line("BOOK", "3", "19.50")],
        ),
    )
    .await
    .unwrap();
    let d = quotes::quote_detail(&app, &admin, id).await.unwrap();
    assert_eq!(d.state, QuoteState::Draft);
    assert_eq!(d.quote.number, None);
    assert_eq!(quotes::display_number(&d.quote), format!("Draft #{id}"));
    assert_eq!(d.lines[0].unit_price_minor, 8000, "the list price");
    assert_eq!(d.lines[1].unit_price_minor, 1950, "the price given");
    assert_eq!(d.quote.net_minor, 16000 + 5850);
    // VAT per rate: 160.00 × 25% + 58.50 × 12% = 40.00 + 7.02.
    assert_eq!(d.quote.vat_minor, 4000 + 702);
    assert_eq!(d.totals.breakdown.len(), 2);
    let today = quotes::today();
    assert_eq!(d.quote.quote_date, today.iso());
    assert_eq!(
        d.quote.valid_until,
        seam_domain::quote::days_after(today, 30).unwrap().iso()
    );

    let sent = quotes::send_quote(&app, &admin, id, Some(d.quote.version))
        .await
        .unwrap();
    let year = today.year;
    assert_eq!(sent.number.as_deref(), Some(&*format!("QU-{year}-000001")));
    assert_eq!(sent.state, "sent");
    let second = quotes::create_quote(&app, &admin, &quote(acme, vec![line("BOOK", "1", "")]))
        .await
        .unwrap();
    let sent = quotes::send_quote(&app, &admin, second, None)
        .await
        .unwrap();
    assert_eq!(sent.number.as_deref(), Some(&*format!("QU-{year}-000002")));
    assert_eq!(
        quotes::find_quote(&app, &admin, &format!("qu-{year}-000002"))
            .await
            .unwrap(),
        second
    );

    let filter = |state| QuoteFilter {
        state: Some(state),
        party: None,
    };
    let (sent_rows, _) = quotes::list_quotes(&app, &admin, &filter(QuoteState::Sent), None, 10)
        .await
        .unwrap();
    assert_eq!(sent_rows.len(), 2);
    let (page, next) = quotes::list_quotes(&app, &admin, &QuoteFilter::default(), None, 1)
        .await
        .unwrap();
    assert_eq!(page[0].id, second.0, "newest first");
    let (rest, _) = quotes::list_quotes(&app, &admin, &QuoteFilter::default(), next, 1)
        .await
        .unwrap();
    assert_eq!(rest[0].id, id.0);
}

async fn accepting_creates_an_order_with_the_same_lines_and_links_both_ways(app: App) {
    let admin = Actor::system("tester");
    product(&app, "CHAIR", "goods", "80.00", "S25").await;
    product(&app, "FITTING", "service", "45.00", "S12").await;
    let acme = customer(&app, "Acme", true).await;
    let id = quotes::create_quote(
        &app,
        &admin,
        &quote(
            acme,
            vec![line("CHAIR", "4", "75.10"), line("FITTING", "2", "")],
        ),
    )
    .await
    .unwrap();
    quotes::send_quote(&app, &admin, id, None).await.unwrap();
    let (accepted, order_id) = quotes::accept_quote(&app, &admin, id, None).await.unwrap();
    assert_eq!(accepted.state, "accepted");
    assert_eq!(accepted.order_id, Some(order_id.0));

    let q = quotes::quote_detail(&app, &admin, id).await.unwrap();
    let o = sales::order_detail(&app, &admin, order_id).await.unwrap();
    assert_eq!(o.order.state, "draft");
    assert_eq!(o.order.party_id, acme.0);
    assert_eq!(o.order.currency, q.quote.currency);
    assert_eq!(o.lines.len(), q.lines.len());
    for (ol, ql) in o.lines.iter().zip(&q.lines) {
        assert_eq!(
            (
                ol.product_id,
                ol.qty,
                ol.unit_price_minor,
                &ol.tax_rate_code
            ),
            (
                ql.product_id,
                ql.qty,
                ql.unit_price_minor,
                &ql.tax_rate_code
            )
        );
        assert_eq!(ol.line_net_minor, ql.line_net_minor);
    }
    assert_eq!(
        (o.order.net_minor, o.order.vat_minor, o.order.total_minor),
        (q.quote.net_minor, q.quote.vat_minor, q.quote.total_minor)
    );
    let from = quotes::quote_of_order(&app, &admin, order_id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(from.id, id.0);
    assert_eq!(q.quote.order_number, o.order.number);
    // The order goes on like any other: it confirms and is numbered.
    let confirmed = sales::confirm_order(&app, &admin, order_id, None).await;
    assert!(
        matches!(confirmed, Err(AppError::Invalid(_))),
        "no stock yet: {confirmed:?}"
    );
    let events = audit::recent_events(&app, &admin, None, 5).await.unwrap();
    assert_eq!(
        (events[0].entity_type.as_str(), events[0].action.as_str()),
        ("sales_quote", "accept")
    );
    assert_eq!(
        (events[1].entity_type.as_str(), events[1].action.as_str()),
        ("sales_order", "create")
    );
}

async fn illegal_transitions_are_typed_errors_and_write_nothing(app: App) {
    let admin = Actor::system("tester");
    product(&app, "TAPE", "goods", "1.00", "S25").await;
    let acme = customer(&app, "Acme", true).await;
    let id = quotes::create_quote(&app, &admin, &quote(acme, vec![line("TAPE", "1", "")]))
        .await
        .unwrap();
    // A draft is neither accepted nor declined.
    assert_eq!(
        conflict(quotes::accept_quote(&app, &admin, id, None).await),
        "error-quote-state"
    );
    assert_eq!(
        conflict(quotes::decline_quote(&app, &admin, id, None, "").await),
        "error-quote-state"
    );
    let sent = quotes::send_quote(&app, &admin, id, None).await.unwrap();
    assert_eq!(
        conflict(quotes::send_quote(&app, &admin, id, None).await),
        "error-quote-state"
    );
    assert_eq!(
        conflict(quotes::accept_quote(&app, &admin, id, Some(sent.version - 1)).await),
        "error-stale"
    );
    quotes::accept_quote(&app, &admin, id, None).await.unwrap();
    let before = counts(&app).await;
    assert_eq!(
        conflict(quotes::accept_quote(&app, &admin, id, None).await),
        "error-quote-state"
    );
    assert_eq!(
        conflict(quotes::decline_quote(&app, &admin, id, None, "late").await),
        "error-quote-state"
    );
    assert_eq!(
        conflict(
            quotes::update_quote(
                &app,
                &admin,
                id,
                3,
                &quote(acme, vec![line("TAPE", "2", "")])
            )
            .await
        ),
        "error-quote-state"
    );
    assert_eq!(counts(&app).await, before, "nothing written");

    let other = quotes::create_quote(&app, &admin, &quote(acme, vec![line("TAPE", "5", "")]))
        .await
        .unwrap();
    quotes::send_quote(&app, &admin, other, None).await.unwrap();
    let declined = quotes::decline_quote(&app, &admin, other, None, "  Too dear  ")
        .await
        .unwrap();
    assert_eq!(
        (declined.state.as_str(), declined.decline_reason.as_str()),
        ("declined", "Too dear")
    );
    let before = counts(&app).await;
    assert_eq!(
        conflict(quotes::accept_quote(&app, &admin, other, None).await),
        "error-quote-state"
    );
    assert_eq!(counts(&app).await, before, "nothing written");
    assert!(matches!(
        quotes::accept_quote(&app, &admin, SalesQuoteId(999_999), None).await,
        Err(AppError::NotFound)
    ));
}

async fn an_expired_quote_cannot_be_accepted_or_declined(app: App) {
    let admin = Actor::system("tester");
    product(&app, "TAPE", "goods", "1.00", "S25").await;
    let acme = customer(&app, "Acme", true).await;
    let id = quotes::create_quote(&app, &admin, &quote(acme, vec![line("TAPE", "1", "")]))
        .await
        .unwrap();
    quotes::send_quote(&app, &admin, id, None).await.unwrap();
    backdate(&app, id).await;
    let d = quotes::quote_detail(&app, &admin, id).await.unwrap();
    assert_eq!(d.state, QuoteState::Expired);
    assert_eq!(d.quote.state, "sent", "expiry is read from the date");
    let before = counts(&app).await;
    assert_eq!(
        conflict(quotes::accept_quote(&app, &admin, id, None).await),
        "error-quote-state"
    );
    assert_eq!(
        conflict(quotes::decline_quote(&app, &admin, id, None, "").await),
        "error-quote-state"
    );
    assert_eq!(counts(&app).await, before, "nothing written");
    let expired = QuoteFilter {
        state: Some(QuoteState::Expired),
        party: None,
    };
    let (rows, _) = quotes::list_quotes(&app, &admin, &expired, None, 10)
        .await
        .unwrap();
    assert_eq!(rows.len(), 1);
    let sent = QuoteFilter {
        state: Some(QuoteState::Sent),
        party: None,
    };
    let (rows, _) = quotes::list_quotes(&app, &admin, &sent, None, 10)
        .await
        .unwrap();
    assert!(rows.is_empty());
    // A draft whose date has passed is not sent.
    let old = QuoteInput {
        quote_date: "2020-01-01".into(),
        valid_until: "2020-01-31".into(),
        ..quote(acme, vec![line("TAPE", "1", "")])
    };
    let draft = quotes::create_quote(&app, &admin, &old).await.unwrap();
    assert_eq!(
        field_error(
            quotes::send_quote(&app, &admin, draft, None).await,
            "valid_until"
        ),
        "error-quote-valid-until-past"
    );
}

async fn bad_quotes_name_their_fields(app: App) {
    let admin = Actor::system("tester");
    product(&app, "TAPE", "goods", "1.00", "S25").await;
    let acme = customer(&app, "Acme", true).await;
    let vendor = customer(&app, "Vendor", false).await;
    let bad = |input: QuoteInput| {
        let app = app.clone();
        async move { quotes::create_quote(&app, &Actor::system("t"), &input).await }
    };
    assert_eq!(
        field_error(
            bad(quote(acme, vec![line("TAPE", "0", "")])).await,
            "lines[1].qty"
        ),
        "error-qty-positive"
    );
    assert_eq!(
        field_error(
            bad(quote(
                acme,
                vec![line("TAPE", "1", ""), line("NOPE", "1", "")]
            ))
            .await,
            "lines[2].product"
        ),
        "error-unknown-product"
    );
    assert_eq!(
        field_error(
            bad(quote(PartyId(999_999), vec![line("TAPE", "1", "")])).await,
            "customer"
        ),
        "error-not-a-customer"
    );
    assert_eq!(
        field_error(
            bad(quote(vendor, vec![line("TAPE", "1", "")])).await,
            "customer"
        ),
        "error-not-a-customer"
    );
    assert_eq!(
        field_error(bad(quote(acme, vec![])).await, "lines"),
        "error-order-no-lines"
    );
    let dates = QuoteInput {
        quote_date: "2026-05-01".into(),
        valid_until: "2026-04-01".into(),
        ..quote(acme, vec![line("TAPE", "1", "")])
    };
    assert_eq!(
        field_error(bad(dates).await, "valid_until"),
        "error-quote-valid-until"
    );
    let no_customer = QuoteInput {
        customer: None,
        ..quote(acme, vec![line("TAPE", "1", "")])
    };
    assert_eq!(
        field_error(bad(no_customer).await, "customer"),
        "error-required"
    );
    let (rows, _) = quotes::list_quotes(&app, &admin, &QuoteFilter::default(), None, 10)
        .await
        .unwrap();
    assert!(rows.is_empty(), "nothing written");
    let id = quotes::create_quote(&app, &admin, &quote(acme, vec![line("TAPE", "1", "")]))
        .await
        .unwrap();
    quotes::send_quote(&app, &admin, id, None).await.unwrap();
    assert_eq!(
        field_error(
            quotes::decline_quote(&app, &admin, id, None, &"x".repeat(501)).await,
            "reason"
        ),
        "error-too-long"
    );
}

async fn drafts_are_edited_with_their_version(app: App) {
    let admin = Actor::system("tester");
    product(&app, "TAPE", "goods", "1.00", "S25").await;
    let acme = customer(&app, "Acme", true).await;
    let beta = customer(&app, "Beta", true).await;
    let id = quotes::create_quote(&app, &admin, &quote(acme, vec![line("TAPE", "1", "")]))
        .await
        .unwrap();
    let v = quotes::quote_detail(&app, &admin, id)
        .await
        .unwrap()
        .quote
        .version;
    let edit = QuoteInput {
        valid_until: "2099-12-31".into(),
        ..quote(beta, vec![line("TAPE", "7", "2.00")])
    };
    quotes::update_quote(&app, &admin, id, v, &edit)
        .await
        .unwrap();
    let d = quotes::quote_detail(&app, &admin, id).await.unwrap();
    assert_eq!(
        (
            d.quote.party_id,
            d.quote.net_minor,
            d.quote.valid_until.as_str()
        ),
        (beta.0, 1400, "2099-12-31")
    );
    assert_eq!(
        conflict(quotes::update_quote(&app, &admin, id, v, &edit).await),
        "error-stale"
    );
}

async fn the_party_timeline_shows_the_quotes_events(app: App) {
    let admin = Actor::system("tester");
    product(&app, "TAPE", "goods", "1.00", "S25").await;
    let acme = customer(&app, "Acme", true).await;
    let id = quotes::create_quote(&app, &admin, &quote(acme, vec![line("TAPE", "1", "")]))
        .await
        .unwrap();
    quotes::send_quote(&app, &admin, id, None).await.unwrap();
    quotes::decline_quote(&app, &admin, id, None, "")
        .await
        .unwrap();
    let detail = parties::party_detail(&app, &admin, acme).await.unwrap();
    let actions: Vec<(&str, &str)> = detail
        .timeline
        .iter()
        .map(|e| (e.entity_type.as_str(), e.action.as_str()))
        .collect();
    assert_eq!(
        actions,
        vec![
            ("sales_quote", "decline"),
            ("sales_quote", "send"),
            ("sales_quote", "create"),
            ("party", "create"),
        ]
    );
    let listed = quotes::customer_quotes(&app, &admin, acme).await.unwrap();
    assert_eq!(listed.len(), 1);
}
