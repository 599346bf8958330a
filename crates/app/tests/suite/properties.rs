//! Property tests of order to cash, on SQLite and (with `SEAM_TEST_PG_URL`)
//! PostgreSQL: any sequence of orders, confirmations, shipments, invoices,
//! postings, payments, credit notes and returns — the ones the rules refuse
//! included — leaves the books and the stock consistent:
//!
//! - trial balance debits equal credits, and the maintained balances equal
//!   the sum of the posted lines;
//! - receivables in the ledger equal what posted invoices still have due,
//!   and customer credit equals unallocated payments plus unapplied credit;
//! - every product's stock on hand equals receipts − shipments + returns
//!   (the sum of its moves), never negative, and never less than reserved;
//! - no invoice is settled beyond its total.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use crate::common;
use proptest::prelude::*;
use seam_app::fulfilment::{self, ReturnInput, ShipInput, ShipLines};
use seam_app::invoicing::{
    self, CreditInput, CreditLines, InvoiceFilter, InvoiceInput, PaymentInput,
};
use seam_app::sales::{self, LineInput, OrderInput};
use seam_app::stock::{self, MoveFilter, MoveInput};
use seam_app::{Actor, App, AppError, ledger, parties, products};
use seam_domain::ids::{PartyId, ProductId, SalesOrderId};
use seam_domain::party::PartyDraft;
use seam_domain::product::ProductDraft;
use seam_domain::stock::MoveDraft;

/// One step a user might take; indexes pick among what exists so far.
#[derive(Debug, Clone)]
enum Op {
    Order {
        party: usize,
        product: usize,
        qty: i64,
    },
    Confirm(usize),
    Ship {
        order: usize,
        qty: i64,
    },
    Invoice(usize),
    Post(usize),
    Pay {
        party: usize,
        cents: i64,
        named: Option<usize>,
    },
    Credit {
        invoice: usize,
        qty: i64,
    },
    Return {
        order: usize,
        qty: i64,
    },
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        (0..2_usize, 0..3_usize, 1..6_i64).prop_map(|(party, product, qty)| Op::Order {
            party,
            product,
            qty
        }),
        (0..8_usize).prop_map(Op::Confirm),
        (0..8_usize, 1..4_i64).prop_map(|(order, qty)| Op::Ship { order, qty }),
        (0..8_usize).prop_map(Op::Invoice),
        (0..8_usize).prop_map(Op::Post),
        (0..2_usize, 1..40_000_i64, proptest::option::of(0..8_usize)).prop_map(
            |(party, cents, named)| Op::Pay {
                party,
                cents,
                named
            }
        ),
        (0..8_usize, 1..3_i64).prop_map(|(invoice, qty)| Op::Credit { invoice, qty }),
        (0..8_usize, 1..3_i64).prop_map(|(order, qty)| Op::Return { order, qty }),
    ]
}

const SKUS: [&str; 3] = ["CHAIR", "LAMP", "FIT"];

struct World {
    parties: Vec<PartyId>,
    products: Vec<ProductId>,
    orders: Vec<SalesOrderId>,
    invoices: Vec<i64>,
}

async fn setup(app: &App) -> World {
    let admin = Actor::system("prop");
    let mut products_ids = Vec::new();
    for (sku, kind, price, cost, rate) in [
        ("CHAIR", "goods", "80.00", "30.00", "S25"),
        ("LAMP", "goods", "19.99", "7.50", "S12"),
        ("FIT", "service", "95.00", "0", "S25"),
    ] {
        let draft = ProductDraft {
            sku: sku.into(),
            name: format!("{sku} name"),
            kind: kind.into(),
            unit: "C62".into(),
            currency: "EUR".into(),
            list_price: price.into(),
            standard_cost: cost.into(),
            tax_rate: rate.into(),
            revenue_account: String::new(),
        };
        products_ids.push(products::create_product(app, &admin, &draft).await.unwrap());
    }
    for sku in ["CHAIR", "LAMP"] {
        let input = MoveInput {
            product: sku.into(),
            warehouse: String::new(),
            draft: MoveDraft {
                qty: "12".into(),
                date: "2026-02-01".into(),
                text: String::new(),
            },
        };
        stock::receive(app, &admin, &input).await.unwrap();
    }
    let mut parties_ids = Vec::new();
    for name in ["Acme", "Globex"] {
        let draft = PartyDraft {
            kind: "company".into(),
            name: name.into(),
            is_customer: true,
            ..PartyDraft::default()
        };
        parties_ids.push(parties::create_party(app, &admin, &draft).await.unwrap());
    }
    World {
        parties: parties_ids,
        products: products_ids,
        orders: Vec::new(),
        invoices: Vec::new(),
    }
}

/// Runs one step; a refusal by the rules is fine, anything else fails.
async fn apply(app: &App, world: &mut World, op: &Op) {
    let admin = Actor::system("prop");
    let pick = |len: usize, i: usize| -> Option<usize> { (len > 0).then(|| i % len) };
    let result: Result<(), AppError> = match op {
        Op::Order {
            party,
            product,
            qty,
        } => {
            let input = OrderInput {
                customer: Some(world.parties[*party]),
                order_date: "2026-03-01".into(),
                currency: String::new(),
                lines: vec![LineInput {
                    product: SKUS[*product].into(),
                    qty: qty.to_string(),
                    unit_price: String::new(),
                }],
            };
            sales::create_order(app, &admin, &input)
                .await
                .map(|id| world.orders.push(id))
        }
        Op::Confirm(i) => match pick(world.orders.len(), *i) {
            Some(i) => sales::confirm_order(app, &admin, world.orders[i], None)
                .await
                .map(|_| ()),
            None => Ok(()),
        },
        Op::Ship { order, qty } => match pick(world.orders.len(), *order) {
            Some(i) => {
                let input = ShipInput {
                    lines: ShipLines::These(vec![(1, *qty)]),
                    ship_date: "2026-03-02".into(),
                    tracking_reference: String::new(),
                };
                fulfilment::ship_order(app, &admin, world.orders[i], &input)
                    .await
                    .map(|_| ())
            }
            None => Ok(()),
        },
        Op::Invoice(i) => match pick(world.orders.len(), *i) {
            Some(i) => {
                let input = InvoiceInput {
                    issue_date: "2026-03-03".into(),
                    terms_days: String::new(),
                    note: String::new(),
                };
                invoicing::invoice_order(app, &admin, world.orders[i], &input)
                    .await
                    .map(|id| world.invoices.push(id))
            }
            None => Ok(()),
        },
        Op::Post(i) => match pick(world.invoices.len(), *i) {
            Some(i) => invoicing::post_invoice(app, &admin, world.invoices[i])
                .await
                .map(|_| ()),
            None => Ok(()),
        },
        Op::Pay {
            party,
            cents,
            named,
        } => {
            let allocations = match named.and_then(|n| pick(world.invoices.len(), n)) {
                Some(i) => vec![(
                    world.invoices[i],
                    format!("{}.{:02}", cents / 100, cents % 100),
                )],
                None => Vec::new(),
            };
            let input = PaymentInput {
                party_id: world.parties[*party].0,
                payment_date: "2026-03-04".into(),
                currency: String::new(),
                amount: format!("{}.{:02}", cents / 100, cents % 100),
                reference: String::new(),
                allocations,
            };
            invoicing::record_payment(app, &admin, &input)
                .await
                .map(|_| ())
        }
        Op::Credit { invoice, qty } => match pick(world.invoices.len(), *invoice) {
            Some(i) => {
                let input = CreditInput {
                    lines: CreditLines::These(vec![(1, *qty)]),
                    issue_date: "2026-03-05".into(),
                    reason: String::new(),
                };
                match invoicing::credit_invoice(app, &admin, world.invoices[i], &input).await {
                    Ok(id) => {
                        world.invoices.push(id);
                        invoicing::post_invoice(app, &admin, id).await.map(|_| ())
                    }
                    Err(e) => Err(e),
                }
            }
            None => Ok(()),
        },
        Op::Return { order, qty } => match pick(world.orders.len(), *order) {
            Some(i) => {
                let input = ReturnInput {
                    lines: vec![(1, *qty)],
                    return_date: "2026-03-06".into(),
                    reason: String::new(),
                };
                fulfilment::return_goods(app, &admin, world.orders[i], &input)
                    .await
                    .map(|_| ())
            }
            None => Ok(()),
        },
    };
    match result {
        Ok(()) | Err(AppError::Invalid(_)) | Err(AppError::Conflict(_)) => {}
        Err(other) => panic!("{op:?} failed: {other:?}"),
    }
}

async fn check(app: &App, world: &World) {
    let admin = Actor::system("prop");
    let tb = ledger::trial_balance(app, &admin, "2026-12-31")
        .await
        .unwrap();
    assert_eq!(tb.debit_totals, tb.credit_totals, "trial balance");
    assert!(
        ledger::balances_agree_with_lines(app, &admin)
            .await
            .unwrap(),
        "maintained balances = sum of postings"
    );
    let account = |code: &str| {
        tb.lines
            .iter()
            .filter(|l| l.code == code)
            .map(|l| l.debit_minor - l.credit_minor)
            .sum::<i64>()
    };
    let (documents, _) =
        invoicing::list_invoices(app, &admin, &InvoiceFilter::default(), None, 500)
            .await
            .unwrap();
    let mut due = 0;
    let mut credit = 0;
    for d in &documents {
        assert!(d.settled_minor <= d.total_minor, "settled within total");
        match (d.kind.as_str(), d.state.as_str()) {
            ("invoice", "posted") => due += d.due_minor(),
            ("credit_note", "posted") => credit += d.due_minor(),
            _ => {}
        }
    }
    let (payments, _) = invoicing::list_payments(app, &admin, None, None, 500)
        .await
        .unwrap();
    credit += payments.iter().map(|p| p.unallocated_minor).sum::<i64>();
    assert_eq!(account("1200"), due, "receivables = open invoices");
    assert_eq!(-account("2300"), credit, "customer credit");
    for product in &world.products[..2] {
        let (moves, _) = stock::moves(
            app,
            &admin,
            &MoveFilter {
                product_id: Some(product.0),
                ..MoveFilter::default()
            },
            None,
            500,
        )
        .await
        .unwrap();
        let sum: i64 = moves.iter().map(|m| m.qty).sum();
        let levels = stock::product_levels(app, &admin, *product).await.unwrap();
        let (on_hand, reserved) = levels
            .first()
            .map_or((0, 0), |l| (l.on_hand_qty, l.reserved_qty));
        assert_eq!(on_hand, sum, "stock = receipts − shipments + returns");
        assert!(on_hand >= reserved && reserved >= 0);
    }
}

fn run(ops: &[Op], postgres: bool) {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let (app, _db) = if postgres {
            match common::postgres().await {
                Some(pair) => pair,
                None => return,
            }
        } else {
            common::sqlite().await
        };
        let mut world = setup(&app).await;
        for op in ops {
            apply(&app, &mut world, op).await;
        }
        check(&app, &world).await;
    });
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]
    #[test]
    fn any_sequence_keeps_books_and_stock_consistent_on_sqlite(ops in proptest::collection::vec(op(), 1..40)) {
        run(&ops, false);
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 6, ..ProptestConfig::default() })]
    #[test]
    fn any_sequence_keeps_books_and_stock_consistent_on_postgres(ops in proptest::collection::vec(op(), 1..40)) {
        run(&ops, true);
    }
}
