//! Warehouses and stock through their use cases, on SQLite and (with
//! `SEAM_TEST_PG_URL`) PostgreSQL: receipts and adjustments with their rules,
//! levels and the journal of moves, reservations that never oversell under
//! concurrency, gapless move numbers, and levels that equal the sum of moves.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use seam_app::stock::{self, LevelFilter, MoveFilter, MoveInput};
use seam_app::users::{self, UserDraft};
use seam_app::{Actor, App, AppError, audit, products};
use seam_domain::access::Role;
use seam_domain::ids::{ProductId, WarehouseId};
use seam_domain::product::ProductDraft;
use seam_domain::stock::{MoveDraft, WarehouseDraft};

both_backends!(
    receipts_and_adjustments_change_levels_and_leave_numbered_moves,
    bad_input_names_the_field_and_writes_nothing,
    an_adjustment_may_not_take_stock_below_what_is_reserved,
    sixty_four_concurrent_reservations_for_ten_units_take_exactly_ten,
    warehouses_are_created_with_unique_codes_and_moves_name_them,
    roles_without_stock_write_cannot_move_stock,
);

fn product_draft(sku: &str, name: &str, kind: &str) -> ProductDraft {
    ProductDraft {
        sku: sku.into(),
        name: name.into(),
        kind: kind.into(),
        unit: if kind == "goods" { "C62" } else { "HUR" }.into(),
        currency: "EUR".into(),
        list_price: "24.90".into(),
        standard_cost: "11.20".into(),
        tax_rate: "S25".into(),
        revenue_account: String::new(),
    }
}

async fn product(app: &App, sku: &str, kind: &str) -> ProductId {
    products::create_product(app, &Actor::system("test"), &product_draft(sku, sku, kind))
        .await
        .unwrap()
}

fn input(sku: &str, qty: &str, date: &str, text: &str) -> MoveInput {
    MoveInput {
        product: sku.into(),
        warehouse: String::new(),
        draft: MoveDraft {
            qty: qty.into(),
            date: date.into(),
            text: text.into(),
        },
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

async fn level(app: &App, product: ProductId) -> (i64, i64) {
    let rows = stock::product_levels(app, &Actor::system("t"), product)
        .await
        .unwrap();
    rows.first()
        .map_or((0, 0), |r| (r.on_hand_qty, r.reserved_qty))
}

async fn main_warehouse(app: &App) -> WarehouseId {
    let all = stock::warehouses(app, &Actor::system("t")).await.unwrap();
    let main = all.iter().find(|w| w.code == "MAIN").unwrap();
    assert_eq!(main.name, "Main warehouse");
    WarehouseId(main.id)
}

async fn receipts_and_adjustments_change_levels_and_leave_numbered_moves(app: App) {
    let admin = Actor::system("tester");
    let lamp = product(&app, "LAMP-1", "goods").await;
    let first = stock::receive(&app, &admin, &input("LAMP-1", "40", "2026-03-02", "DN-881"))
        .await
        .unwrap();
    assert_eq!(first.number, "SM-2026-000001");
    assert_eq!(first.kind, "receipt");
    assert_eq!(first.reference, "DN-881");
    stock::receive(&app, &admin, &input("LAMP-1", "5", "2026-03-03", ""))
        .await
        .unwrap();
    let counted = stock::adjust(
        &app,
        &admin,
        &input("LAMP-1", "-3", "2026-03-04", "Count: 3 broken"),
    )
    .await
    .unwrap();
    assert_eq!(counted.number, "SM-2026-000003");
    let next_year = stock::receive(&app, &admin, &input("LAMP-1", "1", "2027-01-02", ""))
        .await
        .unwrap();
    assert_eq!(next_year.number, "SM-2027-000001");
    assert_eq!(level(&app, lamp).await, (43, 0));

    let (moves, next) = stock::moves(&app, &admin, &MoveFilter::default(), None, 2)
        .await
        .unwrap();
    assert_eq!(
        moves.iter().map(|m| m.number.as_str()).collect::<Vec<_>>(),
        ["SM-2027-000001", "SM-2026-000003"]
    );
    let (rest, end) = stock::moves(&app, &admin, &MoveFilter::default(), next, 2)
        .await
        .unwrap();
    assert_eq!(rest.len(), 2);
    assert!(end.is_none());
    assert!(stock::verify(&app).await.unwrap());

    let page = stock::stock_levels(
        &app,
        &admin,
        &LevelFilter {
            text: Some("lamp".into()),
            ..LevelFilter::default()
        },
        None,
        50,
    )
    .await
    .unwrap();
    assert_eq!(page.rows.len(), 1);
    assert_eq!(page.rows[0].level().available(), 43);

    let events = audit::recent_events(&app, &admin, None, 20).await.unwrap();
    assert!(
        events
            .iter()
            .any(|e| e.entity_type == "stock_move" && e.action == "adjustment")
    );
}

async fn bad_input_names_the_field_and_writes_nothing(app: App) {
    let admin = Actor::system("tester");
    product(&app, "CHAIR", "goods").await;
    product(&app, "SETUP", "service").await;
    let at = "2026-03-02";
    assert_eq!(
        field_error(
            stock::receive(&app, &admin, &input("CHAIR", "0", at, "")).await,
            "qty"
        ),
        "error-qty-positive"
    );
    assert_eq!(
        field_error(
            stock::receive(&app, &admin, &input("CHAIR", "1.5", at, "")).await,
            "qty"
        ),
        "error-qty"
    );
    assert_eq!(
        field_error(
            stock::receive(&app, &admin, &input("NOPE", "1", at, "")).await,
            "product"
        ),
        "error-unknown-product"
    );
    assert_eq!(
        field_error(
            stock::receive(&app, &admin, &input("SETUP", "1", at, "")).await,
            "product"
        ),
        "error-product-not-stocked"
    );
    assert_eq!(
        field_error(
            stock::receive(&app, &admin, &input("CHAIR", "1", "2026-02-30", "")).await,
            "date"
        ),
        "error-date"
    );
    let mut elsewhere = input("CHAIR", "1", at, "");
    elsewhere.warehouse = "MARS".into();
    assert_eq!(
        field_error(stock::receive(&app, &admin, &elsewhere).await, "warehouse"),
        "error-unknown-warehouse"
    );
    assert_eq!(
        field_error(
            stock::adjust(&app, &admin, &input("CHAIR", "2", at, " ")).await,
            "reason"
        ),
        "error-required"
    );
    assert_eq!(
        field_error(
            stock::adjust(&app, &admin, &input("CHAIR", "0", at, "x")).await,
            "qty"
        ),
        "error-qty-zero"
    );
    assert_eq!(
        field_error(
            stock::adjust(&app, &admin, &input("CHAIR", "-1", at, "Count")).await,
            "qty"
        ),
        "error-stock-negative"
    );
    let (moves, _) = stock::moves(&app, &admin, &MoveFilter::default(), None, 50)
        .await
        .unwrap();
    assert!(moves.is_empty());
    // A refused move hands out no number: the next one is still the first.
    let ok = stock::receive(&app, &admin, &input("CHAIR", "1", at, ""))
        .await
        .unwrap();
    assert_eq!(ok.number, "SM-2026-000001");
}

async fn an_adjustment_may_not_take_stock_below_what_is_reserved(app: App) {
    let admin = Actor::system("tester");
    let desk = product(&app, "DESK", "goods").await;
    let main = main_warehouse(&app).await;
    stock::receive(&app, &admin, &input("DESK", "10", "2026-04-01", ""))
        .await
        .unwrap();
    let mut tx = app.db.begin().await.unwrap();
    stock::reserve(&mut tx, desk, main, 7).await.unwrap();
    tx.commit().await.unwrap();
    assert_eq!(
        field_error(
            stock::adjust(&app, &admin, &input("DESK", "-4", "2026-04-02", "Count")).await,
            "qty"
        ),
        "error-stock-below-reserved"
    );
    stock::adjust(&app, &admin, &input("DESK", "-3", "2026-04-02", "Count"))
        .await
        .unwrap();
    assert_eq!(level(&app, desk).await, (7, 7));

    let mut tx = app.db.begin().await.unwrap();
    match stock::reserve(&mut tx, desk, main, 1).await {
        Err(AppError::Conflict(code)) => assert_eq!(code, "error-stock-insufficient"),
        other => panic!("expected a refusal, got {other:?}"),
    }
    stock::release(&mut tx, desk, main, 2).await.unwrap();
    match stock::release(&mut tx, desk, main, 6).await {
        Err(AppError::Conflict(code)) => assert_eq!(code, "error-stock-not-reserved"),
        other => panic!("expected a refusal, got {other:?}"),
    }
    tx.commit().await.unwrap();
    assert_eq!(level(&app, desk).await, (7, 5));
    assert!(stock::verify(&app).await.unwrap());
}

async fn sixty_four_concurrent_reservations_for_ten_units_take_exactly_ten(app: App) {
    let admin = Actor::system("tester");
    let bolt = product(&app, "BOLT", "goods").await;
    let main = main_warehouse(&app).await;
    stock::receive(&app, &admin, &input("BOLT", "25", "2026-05-01", ""))
        .await
        .unwrap();
    let mut tx = app.db.begin().await.unwrap();
    stock::reserve(&mut tx, bolt, main, 15).await.unwrap();
    tx.commit().await.unwrap();

    let mut tasks = Vec::new();
    for _ in 0..64 {
        let app = app.clone();
        tasks.push(tokio::spawn(async move {
            let mut tx = app.db.begin().await.unwrap();
            match stock::reserve(&mut tx, bolt, main, 1).await {
                Ok(()) => {
                    tx.commit().await.unwrap();
                    true
                }
                Err(AppError::Conflict("error-stock-insufficient")) => false,
                Err(other) => panic!("unexpected {other:?}"),
            }
        }));
    }
    let mut taken = 0;
    for task in tasks {
        if task.await.unwrap() {
            taken += 1;
        }
    }
    assert_eq!(taken, 10);
    assert_eq!(level(&app, bolt).await, (25, 25));
    assert!(stock::verify(&app).await.unwrap());
}

async fn warehouses_are_created_with_unique_codes_and_moves_name_them(app: App) {
    let admin = Actor::system("tester");
    let rug = product(&app, "RUG", "goods").await;
    let north = stock::create_warehouse(
        &app,
        &admin,
        &WarehouseDraft {
            code: "north".into(),
            name: "North depot".into(),
        },
    )
    .await
    .unwrap();
    let again = stock::create_warehouse(
        &app,
        &admin,
        &WarehouseDraft {
            code: "NORTH".into(),
            name: "Again".into(),
        },
    )
    .await;
    assert_eq!(field_error(again, "code"), "error-warehouse-code-taken");
    let mut there = input("RUG", "4", "2026-06-01", "");
    there.warehouse = "NORTH".into();
    stock::receive(&app, &admin, &there).await.unwrap();
    stock::receive(&app, &admin, &input("RUG", "6", "2026-06-01", ""))
        .await
        .unwrap();
    let rows = stock::product_levels(&app, &admin, rug).await.unwrap();
    assert_eq!(rows.len(), 2);
    let only_north = stock::stock_levels(
        &app,
        &admin,
        &LevelFilter {
            warehouse_id: Some(north.0),
            ..LevelFilter::default()
        },
        None,
        50,
    )
    .await
    .unwrap();
    assert_eq!(only_north.rows.len(), 1);
    assert_eq!(only_north.rows[0].on_hand_qty, 4);
    let (north_moves, _) = stock::moves(
        &app,
        &admin,
        &MoveFilter {
            warehouse_id: Some(north.0),
            ..MoveFilter::default()
        },
        None,
        50,
    )
    .await
    .unwrap();
    assert_eq!(north_moves.len(), 1);
    assert_eq!(north_moves[0].warehouse_code, "NORTH");
    // Keyset pages of one row visit both levels once.
    let first = stock::stock_levels(&app, &admin, &LevelFilter::default(), None, 1)
        .await
        .unwrap();
    let second = stock::stock_levels(
        &app,
        &admin,
        &LevelFilter::default(),
        first.next.as_ref(),
        1,
    )
    .await
    .unwrap();
    assert!(second.next.is_none());
    assert_ne!(first.rows[0].warehouse_id, second.rows[0].warehouse_id);
}

async fn roles_without_stock_write_cannot_move_stock(app: App) {
    let admin = Actor::system("tester");
    product(&app, "CUP", "goods").await;
    for (role, may_read) in [
        (Role::Sales, true),
        (Role::Marketing, false),
        (Role::Hr, false),
    ] {
        let draft = UserDraft {
            username: format!("u-{}", role.name()),
            password: "velvet orchard 77 kite".into(),
            roles: vec![role],
            ..UserDraft::default()
        };
        let user = users::add_user(&app, &admin, &draft).await.unwrap();
        let row = users::user(&app, &admin, user).await.unwrap();
        let actor = seam_app::auth::actor_from_user(&row, None);
        let received = stock::receive(&app, &actor, &input("CUP", "1", "2026-01-05", "")).await;
        assert!(matches!(received, Err(AppError::Forbidden)), "{role:?}");
        let adjusted = stock::adjust(&app, &actor, &input("CUP", "1", "2026-01-05", "x")).await;
        assert!(matches!(adjusted, Err(AppError::Forbidden)), "{role:?}");
        let read = stock::stock_levels(&app, &actor, &LevelFilter::default(), None, 10).await;
        assert_eq!(read.is_ok(), may_read, "{role:?}");
    }
}
