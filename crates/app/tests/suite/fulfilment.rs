//! Shipping confirmed sales orders, on SQLite and (with `SEAM_TEST_PG_URL`)
//! PostgreSQL: stock leaves with its reservation, the cost of the goods is
//! booked in one balanced entry, partial shipments, refusals that write
//! nothing, and gapless shipment numbers.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use seam_app::fulfilment::{self, ShipInput, ShipLines};
use seam_app::sales::{self, LineInput, OrderInput};
use seam_app::stock::{self, MoveInput};
use seam_app::{Actor, App, AppError, ledger, parties, products};
use seam_domain::ids::{PartyId, ProductId, SalesOrderId};
use seam_domain::party::PartyDraft;
use seam_domain::product::ProductDraft;
use seam_domain::stock::MoveDraft;

both_backends!(
    shipping_everything_takes_stock_out_and_books_the_cost,
    a_partial_shipment_then_the_rest,
    shipping_too_much_or_an_unconfirmed_order_writes_nothing,
    shipment_numbers_are_gapless,
);

async fn product(app: &App, sku: &str, kind: &str, price: &str, cost: &str) -> ProductId {
    let draft = ProductDraft {
        sku: sku.into(),
        name: format!("{sku} name"),
        kind: kind.into(),
        unit: if kind == "goods" { "C62" } else { "HUR" }.into(),
        currency: "EUR".into(),
        list_price: price.into(),
        standard_cost: cost.into(),
        tax_rate: "S25".into(),
        revenue_account: String::new(),
    };
    products::create_product(app, &Actor::system("test"), &draft)
        .await
        .unwrap()
}

async fn customer(app: &App) -> PartyId {
    let draft = PartyDraft {
        kind: "company".into(),
        name: "Acme".into(),
        is_customer: true,
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

fn line(sku: &str, qty: &str) -> LineInput {
    LineInput {
        product: sku.into(),
        qty: qty.into(),
        unit_price: String::new(),
    }
}

async fn order(app: &App, party: PartyId, lines: Vec<LineInput>, confirm: bool) -> SalesOrderId {
    let input = OrderInput {
        customer: Some(party),
        order_date: "2026-03-02".into(),
        currency: String::new(),
        lines,
    };
    let admin = Actor::system("tester");
    let id = sales::create_order(app, &admin, &input).await.unwrap();
    if confirm {
        sales::confirm_order(app, &admin, id, None).await.unwrap();
    }
    id
}

fn ship(lines: ShipLines, tracking: &str) -> ShipInput {
    ShipInput {
        lines,
        ship_date: "2026-03-05".into(),
        tracking_reference: tracking.into(),
    }
}

async fn state(app: &App, id: SalesOrderId) -> String {
    sales::order_detail(app, &Actor::system("t"), id)
        .await
        .unwrap()
        .order
        .state
}

async fn books_agree(app: &App) {
    let admin = Actor::system("t");
    let tb = ledger::trial_balance(app, &admin, "2026-12-31")
        .await
        .unwrap();
    assert_eq!(tb.debit_totals, tb.credit_totals);
    assert!(
        ledger::balances_agree_with_lines(app, &admin)
            .await
            .unwrap()
    );
}

async fn shipping_everything_takes_stock_out_and_books_the_cost(app: App) {
    let admin = Actor::system("tester");
    let chair = product(&app, "CHAIR", "goods", "80.00", "30.00").await;
    let desk = product(&app, "DESK", "goods", "200.00", "120.50").await;
    product(&app, "FITTING", "service", "45.00", "0").await;
    receive(&app, "CHAIR", "10").await;
    receive(&app, "DESK", "3").await;
    let acme = customer(&app).await;
    let id = order(
        &app,
        acme,
        vec![line("CHAIR", "4"), line("DESK", "2"), line("FITTING", "1")],
        true,
    )
    .await;
    assert_eq!(level(&app, chair).await, (10, 4));
    assert_eq!(level(&app, desk).await, (3, 2));

    let shipped = fulfilment::ship_order(&app, &admin, id, &ship(ShipLines::Remaining, "TRK-1"))
        .await
        .unwrap();
    assert_eq!(shipped.shipment.number, "SH-2026-000001");
    assert_eq!(shipped.shipment.tracking_reference, "TRK-1");
    assert_eq!(shipped.order_state.name(), "shipped");
    assert_eq!(state(&app, id).await, "shipped");
    assert_eq!(level(&app, chair).await, (6, 0));
    assert_eq!(level(&app, desk).await, (1, 0));

    let entry_id = shipped.shipment.journal_entry_id.expect("a cost entry");
    let entry = ledger::entry(&app, &admin, entry_id).await.unwrap();
    let cost = 4 * 3000 + 2 * 12050;
    let mut lines: Vec<(String, i64, i64)> = entry
        .lines
        .iter()
        .map(|l| (l.account_code.clone(), l.debit_minor, l.credit_minor))
        .collect();
    lines.sort();
    assert_eq!(
        lines,
        vec![("1300".into(), 0, cost), ("5000".into(), cost, 0)]
    );
    books_agree(&app).await;

    let progress = fulfilment::progress(&app, &admin, id).await.unwrap();
    assert!(progress.iter().all(|p| p.remaining() == 0));
    let all = fulfilment::shipments(&app, &admin, id).await.unwrap();
    assert_eq!(all.len(), 1);
    let shipment_lines = fulfilment::shipment_lines(&app, &admin, all[0].id)
        .await
        .unwrap();
    assert_eq!(shipment_lines.len(), 3);

    // A shipped order cannot ship again or be cancelled.
    assert!(matches!(
        fulfilment::ship_order(&app, &admin, id, &ship(ShipLines::Remaining, "")).await,
        Err(AppError::Conflict("error-order-state"))
    ));
    assert!(matches!(
        sales::cancel_order(&app, &admin, id, None).await,
        Err(AppError::Conflict("error-order-state"))
    ));
}

async fn a_partial_shipment_then_the_rest(app: App) {
    let admin = Actor::system("tester");
    let chair = product(&app, "CHAIR", "goods", "80.00", "30.00").await;
    let free = product(&app, "SAMPLE", "goods", "0", "0").await;
    receive(&app, "CHAIR", "10").await;
    receive(&app, "SAMPLE", "5").await;
    let acme = customer(&app).await;
    let id = order(
        &app,
        acme,
        vec![line("CHAIR", "5"), line("SAMPLE", "2")],
        true,
    )
    .await;

    let first =
        fulfilment::ship_order(&app, &admin, id, &ship(ShipLines::These(vec![(1, 2)]), "A"))
            .await
            .unwrap();
    assert_eq!(first.order_state.name(), "confirmed");
    assert_eq!(state(&app, id).await, "confirmed");
    assert_eq!(level(&app, chair).await, (8, 3));
    let progress = fulfilment::progress(&app, &admin, id).await.unwrap();
    assert_eq!((progress[0].shipped, progress[0].remaining()), (2, 3));
    assert_eq!((progress[1].shipped, progress[1].remaining()), (0, 2));
    books_agree(&app).await;

    // Only the free samples: nothing to book, so no entry.
    let second =
        fulfilment::ship_order(&app, &admin, id, &ship(ShipLines::These(vec![(2, 2)]), "B"))
            .await
            .unwrap();
    assert_eq!(second.shipment.journal_entry_id, None);
    assert_eq!(level(&app, free).await, (3, 0));
    assert_eq!(state(&app, id).await, "confirmed");

    let last = fulfilment::ship_order(&app, &admin, id, &ship(ShipLines::Remaining, "C"))
        .await
        .unwrap();
    assert_eq!(last.order_state.name(), "shipped");
    assert_eq!(level(&app, chair).await, (5, 0));
    let entry = ledger::entry(&app, &admin, last.shipment.journal_entry_id.unwrap())
        .await
        .unwrap();
    assert!(
        entry
            .lines
            .iter()
            .any(|l| l.account_code == "5000" && l.debit_minor == 3 * 3000)
    );
    books_agree(&app).await;
}

fn field_error<T: std::fmt::Debug>(result: Result<T, AppError>, field: &str) -> &'static str {
    match result {
        Err(AppError::Invalid(errors)) => errors
            .for_field(field)
            .unwrap_or_else(|| panic!("no error for {field} in {errors:?}")),
        other => panic!("expected invalid input, got {other:?}"),
    }
}

async fn shipping_too_much_or_an_unconfirmed_order_writes_nothing(app: App) {
    let admin = Actor::system("tester");
    let chair = product(&app, "CHAIR", "goods", "80.00", "30.00").await;
    receive(&app, "CHAIR", "10").await;
    let acme = customer(&app).await;
    let id = order(&app, acme, vec![line("CHAIR", "4")], true).await;

    let result =
        fulfilment::ship_order(&app, &admin, id, &ship(ShipLines::These(vec![(1, 5)]), "")).await;
    assert_eq!(field_error(result, "lines[1].qty"), "error-ship-too-much");
    let result = fulfilment::ship_order(
        &app,
        &admin,
        id,
        &ship(ShipLines::These(vec![(1, 3), (1, 2)]), ""),
    )
    .await;
    assert_eq!(field_error(result, "lines[2].qty"), "error-ship-too-much");
    let result =
        fulfilment::ship_order(&app, &admin, id, &ship(ShipLines::These(vec![(7, 1)]), "")).await;
    assert_eq!(
        field_error(result, "lines[1].line_no"),
        "error-unknown-order-line"
    );
    let mut bad_date = ship(ShipLines::Remaining, "");
    bad_date.ship_date = "2026-02-30".into();
    let result = fulfilment::ship_order(&app, &admin, id, &bad_date).await;
    assert_eq!(field_error(result, "ship_date"), "error-date");

    let draft = order(&app, acme, vec![line("CHAIR", "1")], false).await;
    assert!(matches!(
        fulfilment::ship_order(&app, &admin, draft, &ship(ShipLines::Remaining, "")).await,
        Err(AppError::Conflict("error-order-state"))
    ));
    let cancelled = order(&app, acme, vec![line("CHAIR", "1")], true).await;
    sales::cancel_order(&app, &admin, cancelled, None)
        .await
        .unwrap();
    assert!(matches!(
        fulfilment::ship_order(&app, &admin, cancelled, &ship(ShipLines::Remaining, "")).await,
        Err(AppError::Conflict("error-order-state"))
    ));

    // Nothing was written.
    assert_eq!(level(&app, chair).await, (10, 4));
    assert_eq!(state(&app, id).await, "confirmed");
    for o in [id, draft, cancelled] {
        assert!(
            fulfilment::shipments(&app, &admin, o)
                .await
                .unwrap()
                .is_empty()
        );
    }
    assert!(
        ledger::entries(&app, &admin, None, 10)
            .await
            .unwrap()
            .is_empty()
    );

    // Cancelling a partly shipped order gives back only what is left.
    fulfilment::ship_order(&app, &admin, id, &ship(ShipLines::These(vec![(1, 1)]), ""))
        .await
        .unwrap();
    assert_eq!(level(&app, chair).await, (9, 3));
    sales::cancel_order(&app, &admin, id, None).await.unwrap();
    assert_eq!(level(&app, chair).await, (9, 0));
}

async fn shipment_numbers_are_gapless(app: App) {
    let admin = Actor::system("tester");
    product(&app, "CHAIR", "goods", "80.00", "30.00").await;
    receive(&app, "CHAIR", "20").await;
    let acme = customer(&app).await;
    let a = order(&app, acme, vec![line("CHAIR", "3")], true).await;
    let b = order(&app, acme, vec![line("CHAIR", "3")], true).await;
    let mut numbers = Vec::new();
    for (o, lines) in [
        (a, ShipLines::These(vec![(1, 1)])),
        (b, ShipLines::These(vec![(1, 9)])),
        (b, ShipLines::Remaining),
        (a, ShipLines::Remaining),
    ] {
        if let Ok(s) = fulfilment::ship_order(&app, &admin, o, &ship(lines, "")).await {
            numbers.push(s.shipment.number);
        }
    }
    assert_eq!(
        numbers,
        vec!["SH-2026-000001", "SH-2026-000002", "SH-2026-000003"]
    );
}

mod returns {
    use super::*;

    both_backends!(returned_goods_go_back_to_stock_and_their_cost_back_out_of_cogs);

    async fn returned_goods_go_back_to_stock_and_their_cost_back_out_of_cogs(app: App) {
        let admin = Actor::system("tester");
        let chair = product(&app, "CHAIR", "goods", "80.00", "30.00").await;
        receive(&app, "CHAIR", "10").await;
        let acme = customer(&app).await;
        let o = order(&app, acme, vec![line("CHAIR", "4")], true).await;
        fulfilment::ship_order(&app, &admin, o, &ship(ShipLines::These(vec![(1, 3)]), ""))
            .await
            .unwrap();
        assert_eq!(level(&app, chair).await, (7, 1));
        // More than shipped is refused and writes nothing.
        let too_much = fulfilment::ReturnInput {
            lines: vec![(1, 4)],
            return_date: "2026-03-10".into(),
            reason: "Wrong colour".into(),
        };
        let refused = fulfilment::return_goods(&app, &admin, o, &too_much).await;
        assert_eq!(
            field_error(refused, "lines[1].qty"),
            "error-return-too-much"
        );
        let back = fulfilment::ReturnInput {
            lines: vec![(1, 2)],
            ..too_much.clone()
        };
        let returned = fulfilment::return_goods(&app, &admin, o, &back)
            .await
            .unwrap();
        assert_eq!(returned.customer_return.number, "RET-2026-000001");
        assert_eq!(level(&app, chair).await, (9, 1));
        let entry = ledger::entries(&app, &admin, None, 10)
            .await
            .unwrap()
            .into_iter()
            .find(|e| Some(&e.number) == returned.entry_number.as_ref())
            .unwrap();
        let lines = ledger::entry(&app, &admin, entry.id).await.unwrap().lines;
        let mut lines: Vec<(String, i64, i64)> = lines
            .iter()
            .map(|l| (l.account_code.clone(), l.debit_minor, l.credit_minor))
            .collect();
        lines.sort();
        assert_eq!(
            lines,
            vec![("1300".into(), 6000, 0), ("5000".into(), 0, 6000)]
        );
        // Only one more of the three shipped can come back.
        let again = fulfilment::return_goods(&app, &admin, o, &back).await;
        assert_eq!(field_error(again, "lines[1].qty"), "error-return-too-much");
        let empty = fulfilment::ReturnInput {
            lines: vec![],
            ..back
        };
        let nothing = fulfilment::return_goods(&app, &admin, o, &empty).await;
        assert_eq!(field_error(nothing, "lines"), "error-return-nothing");
        books_agree(&app).await;
    }
}
