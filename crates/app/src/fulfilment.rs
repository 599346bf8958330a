//! Fulfilment: shipping a confirmed sales order, wholly or in part.
//!
//! One shipment is one transaction: every goods line gives back its
//! reservation and takes its quantity out of the order's warehouse with an
//! `issue` stock move, one balanced journal entry books the cost of the goods
//! at their standard cost (debit 5000 Cost of goods sold, credit 1300
//! Inventory; none when the cost is zero), the shipment takes the next
//! gapless number of its year (`SH-2026-000001`), and the audit event is
//! appended. When every line has shipped the order becomes `shipped`.
//!
//! Shipped quantities are not stored on the order lines; they are the sums
//! of the shipment lines.

use std::collections::HashMap;

use seam_domain::FieldErrors;
use seam_domain::access::Permission;
use seam_domain::ids::{ProductId, SalesOrderId, WarehouseId};
use seam_domain::ledger::{BalancedEntry, Date, ValidLine};
use seam_domain::sales::{IllegalTransition, OrderState, line_field};
use seam_domain::stock::MoveKind;
use seam_store::StoreError;
use seam_store::sales as order_store;
use seam_store::shipments as store;
pub use seam_store::shipments::{ShipmentLineRow, ShipmentRow};
use seam_store::stock as stock_store;
use serde_json::json;

use crate::sales::state_of;
use crate::{Actor, App, AppError, AppResult, Change, now_us, record, today};

/// The number series prefix: `SH-2026-000001`.
pub const NUMBER_PREFIX: &str = "SH";
/// The account debited with the cost of the goods shipped.
pub const COGS_ACCOUNT: &str = "5000";
/// The account credited with the cost of the goods shipped.
pub const INVENTORY_ACCOUNT: &str = "1300";
/// The longest tracking reference.
pub const TRACKING_CHARS_MAX: usize = 100;

/// Which quantities a shipment carries.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ShipLines {
    /// Everything not shipped yet, on every line.
    Remaining,
    /// These `(line_no, qty)`; errors name `lines[n].qty` by position from 1.
    These(Vec<(i64, i64)>),
}

/// A shipment to make.
#[derive(Debug, Clone)]
pub struct ShipInput {
    pub lines: ShipLines,
    /// `YYYY-MM-DD`; empty for today.
    pub ship_date: String,
    pub tracking_reference: String,
}

/// One order line as fulfilment sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LineProgress {
    pub line_no: i64,
    pub ordered: i64,
    pub shipped: i64,
    /// What came back of what shipped (customer returns).
    pub returned: i64,
}

impl LineProgress {
    pub fn remaining(&self) -> i64 {
        self.ordered - self.shipped
    }
}

/// A shipment written: its row and the order's state after it.
#[derive(Debug, Clone)]
pub struct Shipped {
    pub shipment: ShipmentRow,
    pub order_state: OrderState,
    /// The cost-of-goods entry's number, when one was posted.
    pub entry_number: Option<String>,
}

/// The number of a shipment: `SH-2026-000001`.
pub fn shipment_number(year: i16, seq: i64) -> String {
    format!("{NUMBER_PREFIX}-{year:04}-{seq:06}")
}

fn illegal(_: IllegalTransition) -> AppError {
    AppError::Conflict(IllegalTransition::CODE)
}

/// Ships a confirmed order: the lines named (or everything remaining), on
/// `ship_date`, with a tracking reference. Needs `sales.order.ship`.
///
/// Errors: [`AppError::Invalid`] naming `lines[n].qty` (`error-ship-too-much`,
/// `error-qty-positive`), `lines[n].line_no` (`error-unknown-order-line`),
/// `lines` (`error-ship-nothing`), `ship_date` or `tracking_reference`;
/// [`AppError::Conflict`] with `error-order-state` unless confirmed. Nothing
/// is written on any error.
pub async fn ship_order(
    app: &App,
    actor: &Actor,
    order_id: SalesOrderId,
    input: &ShipInput,
) -> AppResult<Shipped> {
    actor.require(Permission::SalesOrderShip)?;
    let mut errors = FieldErrors::new();
    let date = match input.ship_date.trim() {
        "" => Some(today()),
        text => Date::parse(text),
    };
    if date.is_none() {
        errors.add("ship_date", "error-date");
    }
    let tracking = input.tracking_reference.trim();
    if tracking.chars().count() > TRACKING_CHARS_MAX {
        errors.add("tracking_reference", "error-too-long");
    }
    let mut tx = app.db.begin().await?;
    let order = order_store::order_in_tx(&mut tx, order_id.0).await?;
    let from = state_of(&order);
    from.ship().map_err(illegal)?;
    let lines = order_store::lines_in_tx(&mut tx, order_id.0).await?;
    let shipped: HashMap<i64, i64> = store::shipped_qty_in_tx(&mut tx, order_id.0)
        .await?
        .into_iter()
        .collect();
    let progress: HashMap<i64, LineProgress> = lines
        .iter()
        .map(|l| {
            (
                l.line_no,
                LineProgress {
                    line_no: l.line_no,
                    ordered: l.qty,
                    shipped: shipped.get(&l.line_no).copied().unwrap_or(0),
                    returned: 0,
                },
            )
        })
        .collect();
    let wanted: Vec<(i64, i64)> = match &input.lines {
        ShipLines::Remaining => lines
            .iter()
            .filter_map(|l| {
                let left = progress.get(&l.line_no).map_or(0, LineProgress::remaining);
                (left > 0).then_some((l.line_no, left))
            })
            .collect(),
        ShipLines::These(these) => {
            let mut seen = HashMap::new();
            for (i, (line_no, qty)) in these.iter().enumerate() {
                let n = i + 1;
                let already = seen.entry(*line_no).or_insert(0_i64);
                match progress.get(line_no) {
                    None => errors.add(&line_field(n, "line_no"), "error-unknown-order-line"),
                    Some(_) if *qty <= 0 => errors.add(&line_field(n, "qty"), "error-qty-positive"),
                    Some(p) if *qty + *already > p.remaining() => {
                        errors.add(&line_field(n, "qty"), "error-ship-too-much")
                    }
                    Some(_) => *already += qty,
                }
            }
            let mut merged: Vec<(i64, i64)> = seen.into_iter().filter(|(_, q)| *q > 0).collect();
            merged.sort_unstable();
            merged
        }
    };
    if wanted.is_empty() && errors.is_empty() {
        errors.add("lines", "error-ship-nothing");
    }
    let Some(date) = date else {
        return Err(AppError::Invalid(errors));
    };
    errors.into_result(())?;

    let by_no: HashMap<i64, &order_store::LineRow> = lines.iter().map(|l| (l.line_no, l)).collect();
    let sent = dispatch(
        &mut tx,
        actor,
        &order,
        &by_no,
        &wanted,
        &Dispatch {
            date,
            tracking,
            memo: "Cost of goods shipped",
        },
    )
    .await?;
    let (id, number, entry, cost_minor) = (sent.id, sent.number, sent.entry, sent.cost_minor);

    let mut done = progress.clone();
    for (no, qty) in &wanted {
        if let Some(p) = done.get_mut(no) {
            p.shipped += qty;
        }
    }
    let complete = done.values().all(|p| p.remaining() == 0);
    let to = if complete {
        let to = from.ship_complete().map_err(illegal)?;
        order_store::set_state(
            &mut tx,
            order.id,
            order.version,
            from.name(),
            to.name(),
            None,
            now_us(),
        )
        .await?;
        to
    } else {
        from
    };
    let shipment = store::shipment_in_tx(&mut tx, id).await?;
    record(
        &mut tx,
        actor,
        Change {
            entity_type: "sales_order",
            entity_id: order.id.to_string(),
            action: "ship",
            before: Some(json!({ "state": order.state })),
            after: Some(json!({
                "state": to.name(),
                "shipment": number,
                "ship_date": shipment.ship_date,
                "tracking_reference": shipment.tracking_reference,
                "journal_entry": entry.as_ref().map(|e| &e.1),
                "cost_minor": cost_minor,
                "lines": wanted.iter().map(|(no, qty)| json!({ "line_no": no, "qty": qty })).collect::<Vec<_>>(),
            })),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(Shipped {
        shipment,
        order_state: to,
        entry_number: entry.map(|e| e.1),
    })
}

/// How a dispatch is booked.
struct Dispatch<'a> {
    date: Date,
    tracking: &'a str,
    /// The cost-of-goods entry's memo, before the shipment's number.
    memo: &'a str,
}

/// What a dispatch wrote.
struct Dispatched {
    id: i64,
    number: String,
    entry: Option<(i64, String)>,
    cost_minor: i64,
}

/// Sends `wanted` (`(line_no, qty)`, checked by the caller) of an order out
/// of its warehouse, in the caller's transaction: each goods line gives back
/// its reservation and leaves with an `issue` move, one entry books the
/// goods' standard cost, and the shipment is written with the next number of
/// its year. Both the order's own shipments and replacements sent from a
/// ticket go this way.
async fn dispatch(
    tx: &mut seam_store::Tx,
    actor: &Actor,
    order: &order_store::OrderRow,
    by_no: &HashMap<i64, &order_store::LineRow>,
    wanted: &[(i64, i64)],
    how: &Dispatch<'_>,
) -> AppResult<Dispatched> {
    let mut goods: Vec<(i64, i64, i64)> = wanted
        .iter()
        .filter_map(|(no, qty)| {
            by_no
                .get(no)
                .filter(|l| l.kind == "goods")
                .map(|l| (*no, l.product_id, *qty))
        })
        .collect();
    // Stock rows are locked in product order (see `sales::confirm_order`).
    goods.sort_by_key(|(no, product, _)| (*product, *no));
    let mut product_ids: Vec<i64> = goods.iter().map(|g| g.1).collect();
    product_ids.sort_unstable();
    product_ids.dedup();
    let costs: HashMap<i64, i64> = store::standard_costs(tx, &product_ids)
        .await?
        .into_iter()
        .collect();

    let date = how.date;
    let year = date.year;
    let seq = seam_store::ledger::next_number(tx, &format!("{NUMBER_PREFIX}-{year:04}")).await?;
    let number = shipment_number(year, seq);
    let order_number = crate::sales::display_number(order);

    // Reservations back and stock out, line by line.
    let warehouse = WarehouseId(order.warehouse_id);
    let mut cost_minor: i64 = 0;
    for (line_no, product_id, qty) in &goods {
        crate::stock::release(tx, ProductId(*product_id), warehouse, *qty).await?;
        let reference = format!("{number} {order_number}");
        let new = stock_store::NewMove {
            product_id: *product_id,
            warehouse_id: warehouse.0,
            date: &date.iso(),
            year,
            kind: MoveKind::Issue,
            qty: -qty,
            reference: &reference,
            posted_by: &actor.username,
            now_us: now_us(),
        };
        match stock_store::post_move(tx, &new).await {
            Err(StoreError::InsufficientStock) => {
                let n = usize::try_from(*line_no).unwrap_or(0);
                return Err(AppError::Invalid(FieldErrors::one(
                    &line_field(n, "qty"),
                    "error-stock-insufficient",
                )));
            }
            other => other?,
        };
        let unit = costs.get(product_id).copied().unwrap_or(0);
        cost_minor = qty
            .checked_mul(unit)
            .and_then(|c| cost_minor.checked_add(c))
            .ok_or_else(|| AppError::Internal(anyhow::anyhow!("cost of goods overflows")))?;
    }

    // One entry for the cost of the goods, unless they cost nothing.
    let entry = if cost_minor > 0 {
        let entry = BalancedEntry::from_stored(
            date,
            format!("{} {number} ({order_number})", how.memo),
            order.currency.clone(),
            vec![
                ValidLine {
                    account: COGS_ACCOUNT.to_owned(),
                    debit_minor: cost_minor,
                    credit_minor: 0,
                },
                ValidLine {
                    account: INVENTORY_ACCOUNT.to_owned(),
                    debit_minor: 0,
                    credit_minor: cost_minor,
                },
            ],
        )
        .map_err(AppError::Invalid)?;
        Some(crate::ledger::post(tx, actor, &entry, None).await?)
    } else {
        None
    };

    let shipment_lines: Vec<(i64, i64, i64)> = wanted
        .iter()
        .filter_map(|(no, qty)| by_no.get(no).map(|l| (*no, l.product_id, *qty)))
        .collect();
    let id = store::insert_shipment(
        tx,
        &store::NewShipment {
            number: &number,
            order_id: order.id,
            ship_date: &date.iso(),
            tracking_reference: how.tracking,
            journal_entry_id: entry.as_ref().map(|e| e.0),
            posted_by: &actor.username,
            now_us: now_us(),
        },
        &shipment_lines,
    )
    .await?;

    Ok(Dispatched {
        id,
        number,
        entry,
        cost_minor,
    })
}

/// A replacement to send: `(line_no, qty)` of goods already shipped.
#[derive(Debug, Clone, Default)]
pub struct ReplacementInput {
    /// Errors name `lines[n].qty` and `lines[n].line_no` by position from 1.
    pub lines: Vec<(i64, i64)>,
    pub tracking_reference: String,
}

/// A replacement written: its shipment and the cost-of-goods entry's number.
#[derive(Debug, Clone)]
pub struct Replacement {
    pub shipment: ShipmentRow,
    pub entry_number: Option<String>,
}

/// Sends goods of an order again at no charge, from ticket `ticket_id`, in
/// the caller's transaction: the stock is reserved (refused beyond what is
/// available) and shipped like any shipment ([`dispatch`]), but the lines
/// do not count as the order's shipped quantities, so the order's state and
/// its invoicing are untouched. A line may be replaced up to what has
/// shipped of it, less what was replaced already. Needs `sales.order.ship`.
///
/// Errors: [`AppError::Invalid`] naming `lines[n].qty`
/// (`error-replace-too-much`, `error-qty-positive`,
/// `error-stock-insufficient`), `lines[n].line_no`
/// (`error-unknown-order-line`, `error-replace-not-goods`), `lines`
/// (`error-replace-nothing`) or `tracking_reference`; [`AppError::Conflict`]
/// with `error-order-state` unless the order is confirmed or shipped.
pub(crate) async fn ship_replacement_in(
    tx: &mut seam_store::Tx,
    actor: &Actor,
    order_id: SalesOrderId,
    ticket_id: i64,
    input: &ReplacementInput,
) -> AppResult<Replacement> {
    actor.require(Permission::SalesOrderShip)?;
    let mut errors = FieldErrors::new();
    let tracking = input.tracking_reference.trim();
    if tracking.chars().count() > TRACKING_CHARS_MAX {
        errors.add("tracking_reference", "error-too-long");
    }
    let order = order_store::order_in_tx(tx, order_id.0).await?;
    if !matches!(
        state_of(&order),
        OrderState::Confirmed | OrderState::Shipped
    ) {
        return Err(AppError::Conflict(IllegalTransition::CODE));
    }
    let lines = order_store::lines_in_tx(tx, order_id.0).await?;
    let by_no: HashMap<i64, &order_store::LineRow> = lines.iter().map(|l| (l.line_no, l)).collect();
    let shipped: HashMap<i64, i64> = store::shipped_qty_in_tx(tx, order_id.0)
        .await?
        .into_iter()
        .collect();
    let replaced: HashMap<i64, i64> = seam_store::ticket_mail::replaced_qty_in_tx(tx, order_id.0)
        .await?
        .into_iter()
        .collect();
    let mut merged: std::collections::BTreeMap<i64, i64> = std::collections::BTreeMap::new();
    // The first position each line was named at, for stock errors found later.
    let mut position: HashMap<i64, usize> = HashMap::new();
    for (i, (line_no, qty)) in input.lines.iter().enumerate() {
        let n = i + 1;
        position.entry(*line_no).or_insert(n);
        let left = shipped.get(line_no).copied().unwrap_or(0)
            - replaced.get(line_no).copied().unwrap_or(0);
        let already = merged.get(line_no).copied().unwrap_or(0);
        match by_no.get(line_no) {
            None => errors.add(&line_field(n, "line_no"), "error-unknown-order-line"),
            Some(l) if l.kind != "goods" => {
                errors.add(&line_field(n, "line_no"), "error-replace-not-goods")
            }
            Some(_) if *qty <= 0 => errors.add(&line_field(n, "qty"), "error-qty-positive"),
            Some(_) if *qty + already > left => {
                errors.add(&line_field(n, "qty"), "error-replace-too-much")
            }
            Some(_) => {
                merged.insert(*line_no, already + qty);
            }
        }
    }
    if merged.is_empty() && errors.is_empty() {
        errors.add("lines", "error-replace-nothing");
    }
    errors.into_result(())?;
    let wanted: Vec<(i64, i64)> = merged.into_iter().collect();
    // Reserve first, in product order like every reservation, so the
    // replacement never takes stock another order holds.
    let mut reserve: Vec<(i64, i64, i64)> = wanted
        .iter()
        .filter_map(|(no, qty)| by_no.get(no).map(|l| (l.product_id, *no, *qty)))
        .collect();
    reserve.sort_unstable();
    let warehouse = WarehouseId(order.warehouse_id);
    for (product_id, line_no, qty) in &reserve {
        match crate::stock::reserve(tx, ProductId(*product_id), warehouse, *qty).await {
            Err(AppError::Conflict("error-stock-insufficient")) => {
                let n = position.get(line_no).copied().unwrap_or(0);
                return Err(AppError::Invalid(FieldErrors::one(
                    &line_field(n, "qty"),
                    "error-stock-insufficient",
                )));
            }
            other => other?,
        }
    }
    let sent = dispatch(
        tx,
        actor,
        &order,
        &by_no,
        &wanted,
        &Dispatch {
            date: today(),
            tracking,
            memo: "Cost of replacement goods",
        },
    )
    .await?;
    seam_store::ticket_mail::insert_replacement(tx, sent.id, ticket_id, now_us()).await?;
    let shipment = store::shipment_in_tx(tx, sent.id).await?;
    record(
        tx,
        actor,
        Change {
            entity_type: "sales_order",
            entity_id: order.id.to_string(),
            action: "replacement",
            before: None,
            after: Some(json!({
                "shipment": sent.number,
                "ticket_id": ticket_id,
                "ship_date": shipment.ship_date,
                "tracking_reference": shipment.tracking_reference,
                "journal_entry": sent.entry.as_ref().map(|e| &e.1),
                "cost_minor": sent.cost_minor,
                "lines": wanted.iter().map(|(no, qty)| json!({ "line_no": no, "qty": qty })).collect::<Vec<_>>(),
            })),
        },
    )
    .await?;
    Ok(Replacement {
        shipment,
        entry_number: sent.entry.map(|e| e.1),
    })
}

/// How much of each line of an order has shipped. Needs `sales.order.read`.
pub async fn progress(
    app: &App,
    actor: &Actor,
    order: SalesOrderId,
) -> AppResult<Vec<LineProgress>> {
    actor.require(Permission::SalesOrderRead)?;
    let lines = order_store::lines(&app.db, order.0).await?;
    let shipped: HashMap<i64, i64> = store::shipped_qty(&app.db, order.0)
        .await?
        .into_iter()
        .collect();
    let returned: HashMap<i64, i64> = store::returned_qty(&app.db, order.0)
        .await?
        .into_iter()
        .collect();
    Ok(lines
        .iter()
        .map(|l| LineProgress {
            line_no: l.line_no,
            ordered: l.qty,
            shipped: shipped.get(&l.line_no).copied().unwrap_or(0),
            returned: returned.get(&l.line_no).copied().unwrap_or(0),
        })
        .collect())
}

/// An order's shipments, oldest first. Needs `sales.order.read`.
pub async fn shipments(
    app: &App,
    actor: &Actor,
    order: SalesOrderId,
) -> AppResult<Vec<ShipmentRow>> {
    actor.require(Permission::SalesOrderRead)?;
    Ok(store::shipments(&app.db, order.0).await?)
}

/// A shipment's lines. Needs `sales.order.read`.
pub async fn shipment_lines(
    app: &App,
    actor: &Actor,
    shipment_id: i64,
) -> AppResult<Vec<ShipmentLineRow>> {
    actor.require(Permission::SalesOrderRead)?;
    Ok(store::shipment_lines(&app.db, shipment_id).await?)
}

/// The number series prefix of customer returns: `RET-2026-000001`.
pub const RETURN_PREFIX: &str = "RET";

/// Goods a customer sends back.
#[derive(Debug, Clone)]
pub struct ReturnInput {
    /// `(line_no, qty)`; errors name `lines[n].qty` by position from 1.
    pub lines: Vec<(i64, i64)>,
    /// `YYYY-MM-DD`; empty for today.
    pub return_date: String,
    pub reason: String,
}

/// A return written: its row and the number of the entry that took the
/// goods' cost back, when they cost anything.
#[derive(Debug, Clone)]
pub struct Returned {
    pub customer_return: store::ReturnRow,
    pub entry_number: Option<String>,
}

/// Takes goods back from a customer: each line's quantity returns to the
/// order's warehouse with a `return` stock move, one balanced entry takes
/// their standard cost back out of cost of goods sold (debit 1300 Inventory,
/// credit 5000), the return takes the next gapless number of its year
/// (`RET-2026-000001`). Money goes back through a credit note on the
/// invoice. Needs `sales.order.ship`.
///
/// Errors: [`AppError::Invalid`] naming `lines[n].qty`
/// (`error-return-too-much` beyond what shipped and has not come back,
/// `error-qty-positive`), `lines[n].line_no` (`error-unknown-order-line`),
/// `lines` (`error-return-nothing`), `return_date` or `reason`. Nothing is
/// written on any error.
pub async fn return_goods(
    app: &App,
    actor: &Actor,
    order_id: SalesOrderId,
    input: &ReturnInput,
) -> AppResult<Returned> {
    actor.require(Permission::SalesOrderShip)?;
    let mut errors = FieldErrors::new();
    let date = match input.return_date.trim() {
        "" => Some(today()),
        text => Date::parse(text),
    };
    if date.is_none() {
        errors.add("return_date", "error-date");
    }
    let reason = input.reason.trim();
    if reason.chars().count() > TRACKING_CHARS_MAX * 5 {
        errors.add("reason", "error-too-long");
    }
    let mut tx = app.db.begin().await?;
    let order = order_store::order_in_tx(&mut tx, order_id.0).await?;
    let lines = order_store::lines_in_tx(&mut tx, order_id.0).await?;
    let shipped: HashMap<i64, i64> = store::shipped_qty_in_tx(&mut tx, order_id.0)
        .await?
        .into_iter()
        .collect();
    let returned: HashMap<i64, i64> = store::returned_qty_in_tx(&mut tx, order_id.0)
        .await?
        .into_iter()
        .collect();
    let by_no: HashMap<i64, &order_store::LineRow> = lines.iter().map(|l| (l.line_no, l)).collect();
    let mut merged: std::collections::BTreeMap<i64, i64> = std::collections::BTreeMap::new();
    for (i, (line_no, qty)) in input.lines.iter().enumerate() {
        let n = i + 1;
        let already = merged.entry(*line_no).or_insert(0);
        let left = shipped.get(line_no).copied().unwrap_or(0)
            - returned.get(line_no).copied().unwrap_or(0);
        match by_no.get(line_no) {
            None => errors.add(&line_field(n, "line_no"), "error-unknown-order-line"),
            Some(_) if *qty <= 0 => errors.add(&line_field(n, "qty"), "error-qty-positive"),
            Some(_) if *qty + *already > left => {
                errors.add(&line_field(n, "qty"), "error-return-too-much")
            }
            Some(_) => *already += qty,
        }
    }
    merged.retain(|_, q| *q > 0);
    if merged.is_empty() && errors.is_empty() {
        errors.add("lines", "error-return-nothing");
    }
    let Some(date) = date else {
        return Err(AppError::Invalid(errors));
    };
    errors.into_result(())?;

    let mut goods: Vec<(i64, i64, i64)> = merged
        .iter()
        .filter_map(|(no, qty)| by_no.get(no).map(|l| (*no, l.product_id, *qty)))
        .collect();
    goods.sort_by_key(|(no, product, _)| (*product, *no));
    let mut product_ids: Vec<i64> = goods
        .iter()
        .filter(|(no, _, _)| by_no.get(no).is_some_and(|l| l.kind == "goods"))
        .map(|g| g.1)
        .collect();
    product_ids.sort_unstable();
    product_ids.dedup();
    let costs: HashMap<i64, i64> = store::standard_costs(&mut tx, &product_ids)
        .await?
        .into_iter()
        .collect();
    let year = date.year;
    let seq =
        seam_store::ledger::next_number(&mut tx, &format!("{RETURN_PREFIX}-{year:04}")).await?;
    let number = format!("{RETURN_PREFIX}-{year:04}-{seq:06}");
    let order_number = crate::sales::display_number(&order);
    let warehouse = order.warehouse_id;
    let mut cost_minor: i64 = 0;
    for (no, product_id, qty) in &goods {
        if by_no.get(no).is_none_or(|l| l.kind != "goods") {
            continue;
        }
        let reference = format!("{number} {order_number}");
        let new = stock_store::NewMove {
            product_id: *product_id,
            warehouse_id: warehouse,
            date: &date.iso(),
            year,
            kind: MoveKind::Return,
            qty: *qty,
            reference: &reference,
            posted_by: &actor.username,
            now_us: now_us(),
        };
        stock_store::post_move(&mut tx, &new).await?;
        let unit = costs.get(product_id).copied().unwrap_or(0);
        cost_minor = qty
            .checked_mul(unit)
            .and_then(|c| cost_minor.checked_add(c))
            .ok_or_else(|| {
                AppError::Internal(anyhow::anyhow!("cost of returned goods overflows"))
            })?;
    }
    // In the currency the shipment booked the cost in.
    let entry = if cost_minor > 0 {
        let entry = BalancedEntry::from_stored(
            date,
            format!("Goods returned {number} ({order_number})"),
            order.currency.clone(),
            vec![
                ValidLine {
                    account: INVENTORY_ACCOUNT.to_owned(),
                    debit_minor: cost_minor,
                    credit_minor: 0,
                },
                ValidLine {
                    account: COGS_ACCOUNT.to_owned(),
                    debit_minor: 0,
                    credit_minor: cost_minor,
                },
            ],
        )
        .map_err(AppError::Invalid)?;
        Some(crate::ledger::post(&mut tx, actor, &entry, None).await?)
    } else {
        None
    };
    let id = store::insert_return(
        &mut tx,
        &store::NewReturn {
            number: &number,
            order_id: order.id,
            return_date: &date.iso(),
            reason,
            journal_entry_id: entry.as_ref().map(|e| e.0),
            posted_by: &actor.username,
            now_us: now_us(),
        },
        &goods,
    )
    .await?;
    record(
        &mut tx,
        actor,
        Change {
            entity_type: "sales_order",
            entity_id: order.id.to_string(),
            action: "return",
            before: None,
            after: Some(json!({
                "return": number,
                "return_date": date.iso(),
                "reason": reason,
                "journal_entry": entry.as_ref().map(|e| &e.1),
                "cost_minor": cost_minor,
                "lines": goods.iter().map(|(no, _, qty)| json!({ "line_no": no, "qty": qty })).collect::<Vec<_>>(),
            })),
        },
    )
    .await?;
    tx.commit().await?;
    let customer_return = store::returns(&app.db, order.id)
        .await?
        .into_iter()
        .find(|r| r.id == id)
        .ok_or(AppError::NotFound)?;
    Ok(Returned {
        customer_return,
        entry_number: entry.map(|e| e.1),
    })
}

/// An order's customer returns, oldest first. Needs `sales.order.read`.
pub async fn returns(
    app: &App,
    actor: &Actor,
    order: SalesOrderId,
) -> AppResult<Vec<store::ReturnRow>> {
    actor.require(Permission::SalesOrderRead)?;
    Ok(store::returns(&app.db, order.0).await?)
}

/// An order waiting in the warehouse, with what is left to ship.
#[derive(Debug, Clone)]
pub struct QueuedOrder {
    pub order: order_store::OrderRow,
    pub ordered: i64,
    pub shipped: i64,
}

/// The warehouse's queue: confirmed orders with something left to ship,
/// oldest first, in two reads whatever their number. Needs `sales.order.read`.
pub async fn queue(
    app: &App,
    actor: &Actor,
    after: Option<i64>,
    limit: i64,
) -> AppResult<Vec<QueuedOrder>> {
    actor.require(Permission::SalesOrderRead)?;
    let orders = order_store::confirmed_oldest_first(&app.db, after, limit).await?;
    let ids: Vec<i64> = orders.iter().map(|o| o.id).collect();
    let progress: HashMap<i64, (i64, i64)> = store::order_progress(&app.db, &ids)
        .await?
        .into_iter()
        .map(|(id, ordered, shipped)| (id, (ordered, shipped)))
        .collect();
    Ok(orders
        .into_iter()
        .map(|order| {
            let (ordered, shipped) = progress.get(&order.id).copied().unwrap_or((0, 0));
            QueuedOrder {
                order,
                ordered,
                shipped,
            }
        })
        .collect())
}
