//! Sales orders through their use cases, on SQLite and (with
//! `SEAM_TEST_PG_URL`) PostgreSQL: drafts, confirmation that reserves stock
//! all or nothing, cancellation that gives it back, illegal transitions,
//! totals with two VAT rates, and concurrent confirmations that never
//! oversell and number gaplessly.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use seam_app::sales::{self, LineInput, OrderFilter, OrderInput};
use seam_app::stock::{self, MoveInput};
use seam_app::users::{self, UserDraft};
use seam_app::{Actor, App, AppError, audit, parties, products};
use seam_domain::access::Role;
use seam_domain::ids::{PartyId, ProductId, SalesOrderId};
use seam_domain::party::PartyDraft;
use seam_domain::product::ProductDraft;
use seam_domain::stock::MoveDraft;

both_backends!(
    create_confirm_and_cancel_reserve_and_release_stock,
    too_little_stock_writes_nothing_and_names_the_line,
    sixty_four_concurrent_confirmations_of_ten_units_confirm_exactly_ten,
    illegal_transitions_are_typed_errors,
    totals_with_two_vat_rates,
    bad_orders_name_their_fields,
    drafts_are_edited_with_their_version,
    roles_decide_who_reads_writes_and_confirms,
);

async fn product(app: &App, sku: &str, kind: &str, price: &str, rate: &str) -> ProductId {
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
        .unwrap()
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

async fn receive(app: &App, sku: &str, qty: &str) {
    let input = MoveInput {
        product: sku.into(),
        warehouse: String::new(),
        draft: MoveDraft {
            qty: qty.into(),
            date: "2026-03-01".into(),
            text: String::new(),
        },
    };
    stock::receive(app, &Actor::system("test"), &input)
        .await
        .unwrap();
}

async fn level(app: &App, product: ProductId) -> (i64, i64) {
    let rows = stock::product_levels(app, &Actor::system("t"), product)
        .await
        .unwrap();
    rows.first()
        .map_or((0, 0), |r| (r.on_hand_qty, r.reserved_qty))
}

fn line(sku: &str, qty: &str, price: &str) -> LineInput {
    LineInput {
        product: sku.into(),
        qty: qty.into(),
        unit_price: price.into(),
    }
}

fn order(customer: PartyId, lines: Vec<LineInput>) -> OrderInput {
    OrderInput {
        customer: Some(customer),
        order_date: "2026-03-02".into(),
        currency: String::new(),
        lines,
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

async fn create_confirm_and_cancel_reserve_and_release_stock(app: App) {
    let admin = Actor::system("tester");
    let chair = product(&app, "CHAIR", "goods", "80.00", "S25").await;
    product(&app, "FITTING", "service", "45.00", "S25").await;
    receive(&app, "CHAIR", "10").await;
    let acme = customer(&app, "Acme", true).await;

    let id = sales::create_order(
        &app,
        &admin,
        &order(acme, vec![line("chair", "4", ""), line("FITTING", "2", "")]),
    )
    .await
    .unwrap();
    let detail = sales::order_detail(&app, &admin, id).await.unwrap();
    assert_eq!(detail.order.state, "draft");
    assert_eq!(detail.order.number, None);
    assert_eq!(sales::display_number(&detail.order), format!("Draft #{id}"));
    assert_eq!(detail.lines.len(), 2);
    assert_eq!(detail.lines[0].unit_price_minor, 8000);
    assert_eq!(detail.order.net_minor, 4 * 8000 + 2 * 4500);
    assert_eq!(detail.order.vat_minor, 10250);
    assert_eq!(level(&app, chair).await, (10, 0));

    let confirmed = sales::confirm_order(&app, &admin, id, Some(detail.order.version))
        .await
        .unwrap();
    assert_eq!(confirmed.state, "confirmed");
    let number = confirmed.number.clone().unwrap();
    assert!(
        number.starts_with("SO-") && number.ends_with("-000001"),
        "{number}"
    );
    // Services reserve nothing; goods reserve their quantity.
    assert_eq!(level(&app, chair).await, (10, 4));

    let cancelled = sales::cancel_order(&app, &admin, id, None).await.unwrap();
    assert_eq!(cancelled.state, "cancelled");
    assert_eq!(cancelled.number, Some(number));
    assert_eq!(level(&app, chair).await, (10, 0));

    let (rows, _) = sales::list_orders(
        &app,
        &admin,
        &OrderFilter {
            state: Some("cancelled".into()),
            party_id: Some(acme.0),
            ..OrderFilter::default()
        },
        None,
        10,
    )
    .await
    .unwrap();
    assert_eq!(rows.len(), 1);
    assert_eq!(
        sales::customer_orders(&app, &admin, acme)
            .await
            .unwrap()
            .len(),
        1
    );
    let report = audit::verify(&app, &admin).await.unwrap();
    assert!(report.first_break.is_none());
    assert!(stock::verify(&app).await.unwrap());
}

async fn too_little_stock_writes_nothing_and_names_the_line(app: App) {
    let admin = Actor::system("tester");
    let lamp = product(&app, "LAMP", "goods", "30.00", "S25").await;
    let desk = product(&app, "DESK", "goods", "300.00", "S25").await;
    receive(&app, "LAMP", "5").await;
    receive(&app, "DESK", "1").await;
    let acme = customer(&app, "Acme", true).await;
    let id = sales::create_order(
        &app,
        &admin,
        &order(acme, vec![line("LAMP", "5", ""), line("DESK", "2", "")]),
    )
    .await
    .unwrap();
    let before = audit::verify(&app, &admin).await.unwrap().events;
    let result = sales::confirm_order(&app, &admin, id, None).await;
    match &result {
        Err(AppError::Invalid(errors)) => {
            assert_eq!(
                errors.for_field("lines[2].qty"),
                Some("error-stock-insufficient")
            );
            assert_eq!(errors.for_field("lines[1].qty"), None);
        }
        other => panic!("expected invalid, got {other:?}"),
    }
    assert_eq!(level(&app, lamp).await, (5, 0));
    assert_eq!(level(&app, desk).await, (1, 0));
    let detail = sales::order_detail(&app, &admin, id).await.unwrap();
    assert_eq!(detail.order.state, "draft");
    assert_eq!(detail.order.number, None);
    assert_eq!(audit::verify(&app, &admin).await.unwrap().events, before);

    // The number the failed confirmation did not take goes to the next one.
    receive(&app, "DESK", "1").await;
    let confirmed = sales::confirm_order(&app, &admin, id, None).await.unwrap();
    assert!(confirmed.number.unwrap().ends_with("-000001"));
}

async fn sixty_four_concurrent_confirmations_of_ten_units_confirm_exactly_ten(app: App) {
    let admin = Actor::system("tester");
    let bolt = product(&app, "BOLT", "goods", "2.50", "S25").await;
    receive(&app, "BOLT", "10").await;
    let acme = customer(&app, "Acme", true).await;
    let mut ids = Vec::new();
    for _ in 0..64 {
        ids.push(
            sales::create_order(&app, &admin, &order(acme, vec![line("BOLT", "1", "")]))
                .await
                .unwrap(),
        );
    }
    let mut tasks = Vec::new();
    for id in ids {
        let app = app.clone();
        tasks.push(tokio::spawn(async move {
            match sales::confirm_order(&app, &Actor::system("t"), id, None).await {
                Ok(row) => Some(row.number.unwrap()),
                Err(AppError::Invalid(e))
                    if e.for_field("lines[1].qty") == Some("error-stock-insufficient") =>
                {
                    None
                }
                Err(other) => panic!("unexpected {other:?}"),
            }
        }));
    }
    let mut numbers = Vec::new();
    for task in tasks {
        if let Some(n) = task.await.unwrap() {
            numbers.push(n);
        }
    }
    assert_eq!(numbers.len(), 10);
    assert_eq!(level(&app, bolt).await, (10, 10));
    let mut seqs: Vec<i64> = numbers
        .iter()
        .map(|n| n.rsplit('-').next().unwrap().parse().unwrap())
        .collect();
    seqs.sort_unstable();
    assert_eq!(seqs, (1..=10).collect::<Vec<_>>());
    let (confirmed, _) = sales::list_orders(
        &app,
        &admin,
        &OrderFilter {
            state: Some("confirmed".into()),
            party_id: None,
            ..OrderFilter::default()
        },
        None,
        100,
    )
    .await
    .unwrap();
    assert_eq!(confirmed.len(), 10);
}

async fn illegal_transitions_are_typed_errors(app: App) {
    let admin = Actor::system("tester");
    product(&app, "PEN", "goods", "1.00", "S25").await;
    receive(&app, "PEN", "5").await;
    let acme = customer(&app, "Acme", true).await;
    let id = sales::create_order(&app, &admin, &order(acme, vec![line("PEN", "1", "")]))
        .await
        .unwrap();
    sales::confirm_order(&app, &admin, id, None).await.unwrap();
    assert!(matches!(
        sales::confirm_order(&app, &admin, id, None).await,
        Err(AppError::Conflict("error-order-state"))
    ));
    let detail = sales::order_detail(&app, &admin, id).await.unwrap();
    assert!(matches!(
        sales::update_order(
            &app,
            &admin,
            id,
            detail.order.version,
            &order(acme, vec![line("PEN", "2", "")])
        )
        .await,
        Err(AppError::Conflict("error-order-state"))
    ));
    sales::cancel_order(&app, &admin, id, None).await.unwrap();
    assert!(matches!(
        sales::cancel_order(&app, &admin, id, None).await,
        Err(AppError::Conflict("error-order-state"))
    ));
    assert!(matches!(
        sales::confirm_order(&app, &admin, id, None).await,
        Err(AppError::Conflict("error-order-state"))
    ));
    // A cancelled draft never had a number and never reserved anything.
    let draft = sales::create_order(&app, &admin, &order(acme, vec![line("PEN", "1", "")]))
        .await
        .unwrap();
    let cancelled = sales::cancel_order(&app, &admin, draft, None)
        .await
        .unwrap();
    assert_eq!(cancelled.number, None);
    assert!(matches!(
        sales::order_detail(&app, &admin, SalesOrderId(999_999)).await,
        Err(AppError::NotFound)
    ));
}

async fn totals_with_two_vat_rates(app: App) {
    let admin = Actor::system("tester");
    product(&app, "BOOK", "goods", "9.99", "S6").await;
    product(&app, "MUG", "goods", "4.99", "S25").await;
    let acme = customer(&app, "Acme", true).await;
    // 3 × 9.99 = 29.97 at 6% → 1.7982 → 1.80;
    // 3 × 4.99 + 1 × 0.10 = 15.07 at 25% → 3.7675 → 3.77.
    let id = sales::create_order(
        &app,
        &admin,
        &order(
            acme,
            vec![
                line("BOOK", "3", ""),
                line("MUG", "3", ""),
                line("MUG", "1", "0.10"),
            ],
        ),
    )
    .await
    .unwrap();
    let detail = sales::order_detail(&app, &admin, id).await.unwrap();
    assert_eq!(detail.order.net_minor, 2997 + 1507);
    assert_eq!(detail.order.vat_minor, 180 + 377);
    assert_eq!(detail.order.total_minor, 4504 + 557);
    assert_eq!(detail.totals.breakdown.len(), 2);
    assert_eq!(detail.totals.breakdown[0].tax_rate_code, "S25");
    assert_eq!(detail.totals.breakdown[0].base_minor, 1507);
    assert_eq!(detail.totals.breakdown[1].vat_minor, 180);
    assert_eq!(detail.totals.vat_minor, detail.order.vat_minor);
}

async fn bad_orders_name_their_fields(app: App) {
    let admin = Actor::system("tester");
    product(&app, "OLD", "goods", "1.00", "S25").await;
    let old = product(&app, "NEW", "goods", "1.00", "S25").await;
    let _ = old;
    let vendor = customer(&app, "Supplier", false).await;
    let acme = customer(&app, "Acme", true).await;
    let r = sales::create_order(&app, &admin, &order(vendor, vec![line("OLD", "1", "")])).await;
    assert_eq!(field_error(r, "customer"), "error-not-a-customer");
    let r = sales::create_order(&app, &admin, &order(acme, vec![])).await;
    assert_eq!(field_error(r, "lines"), "error-order-no-lines");
    let r = sales::create_order(
        &app,
        &admin,
        &order(
            acme,
            vec![
                line("OLD", "1", ""),
                line("", "", ""),
                line("NOPE", "1", ""),
                line("NEW", "0", "x"),
            ],
        ),
    )
    .await;
    match r {
        Err(AppError::Invalid(e)) => {
            assert_eq!(
                e.for_field("lines[3].product"),
                Some("error-unknown-product")
            );
            assert_eq!(e.for_field("lines[4].qty"), Some("error-qty-positive"));
            assert_eq!(e.for_field("lines[4].unit_price"), Some("error-amount"));
            assert_eq!(e.for_field("lines[1].qty"), None);
        }
        other => panic!("{other:?}"),
    }
    let r = sales::create_order(
        &app,
        &admin,
        &OrderInput {
            currency: "SEK".into(),
            ..order(acme, vec![line("OLD", "1", "")])
        },
    )
    .await;
    assert_eq!(
        field_error(r, "lines[1].product"),
        "error-currency-mismatch"
    );
    let (rows, _) = sales::list_orders(&app, &admin, &OrderFilter::default(), None, 10)
        .await
        .unwrap();
    assert!(rows.is_empty());
}

async fn drafts_are_edited_with_their_version(app: App) {
    let admin = Actor::system("tester");
    product(&app, "CUP", "goods", "3.00", "S25").await;
    let acme = customer(&app, "Acme", true).await;
    let id = sales::create_order(&app, &admin, &order(acme, vec![line("CUP", "1", "")]))
        .await
        .unwrap();
    let v = sales::order_detail(&app, &admin, id)
        .await
        .unwrap()
        .order
        .version;
    sales::update_order(
        &app,
        &admin,
        id,
        v,
        &order(acme, vec![line("CUP", "5", "")]),
    )
    .await
    .unwrap();
    let detail = sales::order_detail(&app, &admin, id).await.unwrap();
    assert_eq!(detail.lines[0].qty, 5);
    assert_eq!(detail.order.net_minor, 1500);
    assert!(matches!(
        sales::update_order(
            &app,
            &admin,
            id,
            v,
            &order(acme, vec![line("CUP", "2", "")])
        )
        .await,
        Err(AppError::Conflict("error-stale"))
    ));
    assert!(matches!(
        sales::confirm_order(&app, &admin, id, Some(v)).await,
        Err(AppError::Conflict("error-stale"))
    ));
}

async fn roles_decide_who_reads_writes_and_confirms(app: App) {
    let admin = Actor::system("tester");
    product(&app, "TAPE", "goods", "1.00", "S25").await;
    receive(&app, "TAPE", "100").await;
    let acme = customer(&app, "Acme", true).await;
    for role in [Role::Sales, Role::Warehouse, Role::Marketing, Role::Hr] {
        let draft = UserDraft {
            username: format!("u-{}", role.name()),
            password: "velvet orchard 77 kite".into(),
            roles: vec![role],
            ..UserDraft::default()
        };
        let user = users::add_user(&app, &admin, &draft).await.unwrap();
        let row = users::user(&app, &admin, user).await.unwrap();
        let actor = seam_app::auth::actor_from_user(&row, None);
        let created =
            sales::create_order(&app, &actor, &order(acme, vec![line("TAPE", "1", "")])).await;
        let listed = sales::list_orders(&app, &actor, &OrderFilter::default(), None, 10).await;
        match role {
            Role::Sales => {
                let id = created.unwrap();
                sales::confirm_order(&app, &actor, id, None).await.unwrap();
            }
            _ => assert!(matches!(created, Err(AppError::Forbidden)), "{role:?}"),
        }
        assert_eq!(
            listed.is_ok(),
            matches!(role, Role::Sales | Role::Warehouse),
            "{role:?}"
        );
        if role == Role::Warehouse {
            let id = sales::create_order(&app, &admin, &order(acme, vec![line("TAPE", "1", "")]))
                .await
                .unwrap();
            assert!(matches!(
                sales::confirm_order(&app, &actor, id, None).await,
                Err(AppError::Forbidden)
            ));
        }
    }
}
