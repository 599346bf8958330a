//! A stock count of many lines through its use case, on SQLite and (with
//! `SEAM_TEST_PG_URL`) PostgreSQL: every line sets its level to the count in
//! one transaction, lines already right post nothing, bad lines name their
//! field and leave nothing written, and levels stay equal to the sum of moves.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use seam_app::stock::{self, CountInput, CountLine, MoveInput};
use seam_app::{Actor, App, AppError, audit, products};
use seam_domain::ids::ProductId;
use seam_domain::product::ProductDraft;
use seam_domain::stock::MoveDraft;

both_backends!(
    a_count_sets_every_level_in_one_go,
    a_bad_line_names_its_field_and_writes_nothing,
);

async fn goods(app: &App, sku: &str, kind: &str) -> ProductId {
    let draft = ProductDraft {
        sku: sku.into(),
        name: format!("Counted {sku}"),
        kind: kind.into(),
        unit: if kind == "goods" { "C62" } else { "HUR" }.into(),
        currency: "EUR".into(),
        list_price: "9.90".into(),
        standard_cost: "4.00".into(),
        tax_rate: "S25".into(),
        revenue_account: String::new(),
    };
    products::create_product(app, &Actor::system("test"), &draft)
        .await
        .unwrap()
}

async fn on_hand(app: &App, product: ProductId) -> i64 {
    stock::product_levels(app, &Actor::system("t"), product)
        .await
        .unwrap()
        .first()
        .map_or(0, |r| r.on_hand_qty)
}

fn line(sku: &str, counted: &str) -> CountLine {
    CountLine {
        product: sku.into(),
        counted: counted.into(),
    }
}

fn count(lines: Vec<CountLine>) -> CountInput {
    CountInput {
        warehouse: String::new(),
        date: "2026-05-04".into(),
        reason: "Year-end count".into(),
        lines,
    }
}

async fn a_count_sets_every_level_in_one_go(app: App) {
    let admin = Actor::system("tester");
    // More lines than one statement's IN list takes, to cross the batches.
    let n = 1_200;
    let mut ids = Vec::new();
    for i in 0..n {
        ids.push(goods(&app, &format!("C-{i:05}"), "goods").await);
    }
    stock::receive(
        &app,
        &admin,
        &MoveInput {
            product: "C-00000".into(),
            warehouse: String::new(),
            draft: MoveDraft {
                qty: "10".into(),
                date: "2026-05-01".into(),
                text: String::new(),
            },
        },
    )
    .await
    .unwrap();
    // Line 0 goes from 10 to 7, line 1 from 0 to 0 (nothing), the rest from 0 to i.
    let lines = (0..n)
        .map(|i| {
            let counted = match i {
                0 => 7,
                _ => i - 1,
            };
            line(&format!("C-{i:05}"), &counted.to_string())
        })
        .collect();
    let counted = stock::count(&app, &admin, &count(lines)).await.unwrap();
    assert_eq!(counted.lines, n);
    assert_eq!(counted.moves.len(), n - 1);
    assert_eq!(counted.moves[0], "SM-2026-000002");
    assert_eq!(counted.moves[n - 2], format!("SM-2026-{:06}", n));
    assert_eq!(on_hand(&app, ids[0]).await, 7);
    assert_eq!(on_hand(&app, ids[1]).await, 0);
    assert_eq!(on_hand(&app, ids[500]).await, 499);
    assert_eq!(
        on_hand(&app, ids[n - 1]).await,
        i64::try_from(n).unwrap() - 2
    );
    assert!(stock::verify(&app).await.unwrap());
    // The next single move continues the series without a gap.
    let next = stock::adjust(
        &app,
        &admin,
        &MoveInput {
            product: "C-00000".into(),
            warehouse: String::new(),
            draft: MoveDraft {
                qty: "-1".into(),
                date: "2026-05-05".into(),
                text: "Broken".into(),
            },
        },
    )
    .await
    .unwrap();
    assert_eq!(next.number, format!("SM-2026-{:06}", n + 1));
    let events = audit::recent_events(&app, &admin, None, 5).await.unwrap();
    assert!(
        events
            .iter()
            .any(|e| e.entity_type == "stock_move" && e.action == "adjustment")
    );
    // Counting the same again changes nothing.
    let lines = (0..n)
        .map(|i| {
            let counted = if i == 0 { 6 } else { i - 1 };
            line(&format!("C-{i:05}"), &counted.to_string())
        })
        .collect();
    let again = stock::count(&app, &admin, &count(lines)).await.unwrap();
    assert!(again.moves.is_empty());
}

fn field_error<T: std::fmt::Debug>(result: Result<T, AppError>, field: &str) -> &'static str {
    match result {
        Err(AppError::Invalid(errors)) => errors
            .for_field(field)
            .unwrap_or_else(|| panic!("no error for {field} in {errors:?}")),
        other => panic!("expected invalid input, got {other:?}"),
    }
}

async fn a_bad_line_names_its_field_and_writes_nothing(app: App) {
    let admin = Actor::system("tester");
    let a = goods(&app, "A-1", "goods").await;
    goods(&app, "SVC-1", "service").await;
    let bad = count(vec![
        line("A-1", "5"),
        line("NOPE", "1"),
        line("SVC-1", "1"),
        line("A-1", "2"),
        line("", "-3"),
    ]);
    let result = stock::count(&app, &admin, &bad).await;
    let Err(AppError::Invalid(errors)) = &result else {
        panic!("expected invalid input, got {result:?}");
    };
    assert_eq!(
        errors.for_field("lines[1].product"),
        Some("error-unknown-product")
    );
    assert_eq!(
        errors.for_field("lines[2].product"),
        Some("error-product-not-stocked")
    );
    assert_eq!(
        errors.for_field("lines[3].product"),
        Some("error-duplicate-line")
    );
    assert_eq!(errors.for_field("lines[4].product"), Some("error-required"));
    assert_eq!(
        errors.for_field("lines[4].counted"),
        Some("error-qty-positive")
    );
    assert_eq!(on_hand(&app, a).await, 0);

    let mut no_reason = count(vec![line("A-1", "5")]);
    no_reason.reason = " ".into();
    no_reason.date = "2026-13-01".into();
    no_reason.warehouse = "ELSEWHERE".into();
    let result = stock::count(&app, &admin, &no_reason).await;
    let Err(AppError::Invalid(errors)) = &result else {
        panic!("expected invalid input, got {result:?}");
    };
    assert_eq!(errors.for_field("reason"), Some("error-required"));
    assert_eq!(errors.for_field("date"), Some("error-date"));
    assert_eq!(
        errors.for_field("warehouse"),
        Some("error-unknown-warehouse")
    );
    assert_eq!(
        field_error(
            stock::count(&app, &admin, &count(Vec::new())).await,
            "lines"
        ),
        "error-required"
    );
    let (moves, _) = stock::moves(&app, &admin, &Default::default(), None, 10)
        .await
        .unwrap();
    assert!(moves.is_empty());

    // A count below what is reserved is refused.
    stock::count(&app, &admin, &count(vec![line("A-1", "5")]))
        .await
        .unwrap();
    let mut tx = app.db.begin().await.unwrap();
    stock::reserve(&mut tx, a, seam_domain::ids::WarehouseId(1), 4)
        .await
        .unwrap();
    tx.commit().await.unwrap();
    assert_eq!(
        field_error(
            stock::count(&app, &admin, &count(vec![line("A-1", "3")])).await,
            "lines[0].counted"
        ),
        "error-stock-below-reserved"
    );
    assert_eq!(on_hand(&app, a).await, 5);
    assert!(stock::verify(&app).await.unwrap());
}
