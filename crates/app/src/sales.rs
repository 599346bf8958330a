//! Sales orders: a draft for a customer with lines, edited while a draft,
//! confirmed (numbered and its goods reserved, all or nothing) or cancelled
//! (its reservations given back).
//!
//! Confirmation is one transaction: every goods line reserves its quantity in
//! the order's warehouse through the stock module's guarded update, the order
//! takes the next gapless number of the year, and the audit event is appended.
//! If any line finds too little stock, nothing is written and the error names
//! every such line.

use std::collections::HashMap;

use seam_domain::FieldErrors;
use seam_domain::access::Permission;
use seam_domain::ids::{PartyId, ProductId, SalesOrderId, WarehouseId};
use seam_domain::ledger::{Date, parse_currency};
use seam_domain::price_list;
use seam_domain::sales::{
    self, IllegalTransition, LineDraft, OrderState, ProductFacts, Totals, ValidLine, line_field,
};
use seam_domain::stock::MAIN_WAREHOUSE;
use seam_store::parties as party_store;
use seam_store::sales as store;
pub use seam_store::sales::{LineRow, OrderFilter, OrderRow};
use seam_store::stock as stock_store;
use seam_store::{StoreError, Tx};
use serde_json::json;

use crate::{Actor, App, AppError, AppResult, Change, now_us, record};

/// How many orders the customer's page lists.
pub const CUSTOMER_ORDERS_MAX: i64 = 10;

/// A line as typed: the product by SKU, the quantity, and a price that may
/// be left empty for the product's list price.
#[derive(Debug, Clone, Default)]
pub struct LineInput {
    pub product: String,
    pub qty: String,
    pub unit_price: String,
}

impl LineInput {
    pub(crate) fn is_blank(&self) -> bool {
        self.product.trim().is_empty()
            && self.qty.trim().is_empty()
            && self.unit_price.trim().is_empty()
    }
}

/// An order as typed. Lines that are wholly blank are skipped (a form's
/// unused rows); errors name a line by its position in `lines`, from 1.
#[derive(Debug, Clone, Default)]
pub struct OrderInput {
    pub customer: Option<PartyId>,
    /// `YYYY-MM-DD`; empty for today.
    pub order_date: String,
    /// Empty for the currency of the customer's price list, or else of the first product.
    pub currency: String,
    pub lines: Vec<LineInput>,
}

/// An order with its lines and VAT breakdown.
#[derive(Debug, Clone)]
pub struct OrderDetail {
    pub order: OrderRow,
    pub lines: Vec<LineRow>,
    pub totals: Totals,
}

impl OrderDetail {
    pub fn state(&self) -> OrderState {
        state_of(&self.order)
    }
}

/// The order's state; an unknown text (impossible under the schema's check) reads as cancelled.
pub fn state_of(order: &OrderRow) -> OrderState {
    OrderState::parse(&order.state).unwrap_or(OrderState::Cancelled)
}

/// What the audit journal keeps of an order.
pub fn order_json(order: &OrderRow, lines: &[LineRow]) -> serde_json::Value {
    json!({
        "number": order.number,
        "party_id": order.party_id,
        "state": order.state,
        "order_date": order.order_date,
        "currency": order.currency,
        "net_minor": order.net_minor,
        "vat_minor": order.vat_minor,
        "total_minor": order.total_minor,
        "lines": lines.iter().map(|l| json!({
            "sku": l.sku,
            "qty": l.qty,
            "unit_price_minor": l.unit_price_minor,
            "tax_rate": l.tax_rate_code,
            "line_net_minor": l.line_net_minor,
        })).collect::<Vec<_>>(),
    })
}

pub(crate) fn today() -> String {
    jiff::Timestamp::now()
        .to_zoned(jiff::tz::TimeZone::UTC)
        .date()
        .strftime("%Y-%m-%d")
        .to_string()
}

fn illegal(_: IllegalTransition) -> AppError {
    AppError::Conflict(IllegalTransition::CODE)
}

/// Checks the customer, the date, the currency and every line; returns the
/// lines ready to store and the order's date and currency.
async fn validate(
    tx: &mut Tx,
    input: &OrderInput,
) -> AppResult<(i64, String, String, Vec<ValidLine>)> {
    let mut errors = FieldErrors::new();
    let date = match input.order_date.trim() {
        "" => today(),
        text => match Date::parse(text) {
            Some(d) => d.iso(),
            None => {
                errors.add("order_date", "error-date");
                String::new()
            }
        },
    };
    let (customer, currency, lines) = validate_parts(
        tx,
        input.customer,
        &input.currency,
        &input.lines,
        &mut errors,
    )
    .await?;
    match customer {
        Some(c) if errors.is_empty() => Ok((c, date, currency, lines)),
        _ => Err(AppError::Invalid(errors)),
    }
}

/// Checks what an order and a quote share: the customer (a party marked as
/// a customer and not archived), the currency (empty for the first
/// product's) and every line, adding what is wrong to `errors` under
/// `customer`, `currency`, `lines` and `lines[n].product|qty|unit_price`.
/// Returns the customer's id when it passed, the currency and the lines
/// that passed.
pub(crate) async fn validate_parts(
    tx: &mut Tx,
    customer: Option<PartyId>,
    currency: &str,
    lines: &[LineInput],
    errors: &mut FieldErrors,
) -> AppResult<(Option<i64>, String, Vec<ValidLine>)> {
    let customer = match customer {
        None => {
            errors.add("customer", "error-required");
            None
        }
        Some(id) => match party_store::party_in_tx(tx, id.0).await {
            Ok(p) if p.is_customer && !p.archived => Some(p.id),
            Ok(_) => {
                errors.add("customer", "error-not-a-customer");
                None
            }
            Err(StoreError::NotFound) => {
                errors.add("customer", "error-not-a-customer");
                None
            }
            Err(e) => return Err(e.into()),
        },
    };
    let typed: Vec<(usize, &LineInput)> = lines
        .iter()
        .enumerate()
        .filter(|(_, l)| !l.is_blank())
        .map(|(i, l)| (i + 1, l))
        .collect();
    if typed.is_empty() {
        errors.add("lines", "error-order-no-lines");
    } else if typed.len() > sales::LINES_MAX {
        errors.add("lines", "error-order-too-many-lines");
    }
    let skus: Vec<String> = typed
        .iter()
        .map(|(_, l)| l.product.trim().to_uppercase())
        .collect();
    let ids: HashMap<String, i64> = store::product_ids_by_sku(tx, &skus)
        .await?
        .into_iter()
        .map(|(sku, id)| (sku.to_uppercase(), id))
        .collect();
    let id_list: Vec<i64> = ids.values().copied().collect();
    let facts: HashMap<i64, ProductFacts> = store::product_facts(tx, &id_list)
        .await?
        .into_iter()
        .map(|f| (f.id, f))
        .collect();
    // The customer's price list decides what an empty price field means,
    // and an empty currency is the list's.
    let terms = match customer {
        Some(c) => crate::price_lists::terms_for(tx, c, &id_list).await?,
        None => None,
    };
    let product_of = |sku: &str| ids.get(sku).and_then(|id| facts.get(id));
    let currency = match currency.trim() {
        "" => match &terms {
            Some((list, _)) => list.currency.clone(),
            None => skus
                .iter()
                .find_map(|s| product_of(s))
                .map(|p| p.currency.clone())
                .unwrap_or_default(),
        },
        text => match parse_currency(text) {
            Some(c) => c,
            None => {
                errors.add("currency", "error-currency");
                String::new()
            }
        },
    };
    let facts: HashMap<i64, ProductFacts> = facts
        .into_iter()
        .map(|(id, f)| {
            let offered = match &terms {
                Some((list, items)) => price_list::offer(f, &currency, Some(list), items.get(&id)),
                None => f,
            };
            (id, offered)
        })
        .collect();
    let product_of = |sku: &str| ids.get(sku).and_then(|id| facts.get(id));
    let mut valid = Vec::with_capacity(typed.len());
    for ((n, line), sku) in typed.iter().zip(&skus) {
        let draft = LineDraft {
            qty: line.qty.clone(),
            unit_price: line.unit_price.clone(),
        };
        let product = if sku.is_empty() {
            errors.add(&line_field(*n, "product"), "error-required");
            continue;
        } else {
            product_of(sku)
        };
        match sales::validate_line(*n, &currency, product, &draft) {
            Ok(v) => valid.push(v),
            Err(e) => errors.extend(e),
        }
    }
    Ok((customer, currency, valid))
}

pub(crate) fn totals_of(lines: &[ValidLine]) -> Totals {
    sales::totals(lines.iter().map(|l| {
        (
            l.line_net_minor,
            l.tax_rate_code.as_str(),
            l.vat_basis_points,
        )
    }))
}

fn line_totals(lines: &[LineRow]) -> Totals {
    sales::totals(lines.iter().map(|l| {
        (
            l.line_net_minor,
            l.tax_rate_code.as_str(),
            l.vat_basis_points,
        )
    }))
}

fn new_lines(lines: &[ValidLine]) -> Vec<store::NewLine<'_>> {
    lines
        .iter()
        .map(|l| store::NewLine {
            product_id: l.product_id,
            description: &l.description,
            qty: l.qty,
            unit_price_minor: l.unit_price_minor,
            tax_rate_code: &l.tax_rate_code,
            vat_basis_points: l.vat_basis_points,
            line_net_minor: l.line_net_minor,
        })
        .collect()
}

async fn main_warehouse(tx: &mut Tx) -> AppResult<i64> {
    stock_store::warehouse_by_code_in_tx(tx, MAIN_WAREHOUSE)
        .await?
        .map(|w| w.id)
        .ok_or_else(|| AppError::Internal(anyhow::anyhow!("the MAIN warehouse is missing")))
}

/// Creates a draft order for a customer. Needs `sales.order.write`.
///
/// Errors: [`AppError::Invalid`] naming `customer` (`error-not-a-customer`),
/// `order_date`, `currency`, `lines` or `lines[n].product|qty|unit_price`.
pub async fn create_order(app: &App, actor: &Actor, input: &OrderInput) -> AppResult<SalesOrderId> {
    actor.require(Permission::SalesOrderWrite)?;
    let mut tx = app.db.begin().await?;
    let (party_id, date, currency, lines) = validate(&mut tx, input).await?;
    let id = create_order_in(&mut tx, actor, party_id, &date, &currency, &lines).await?;
    tx.commit().await?;
    Ok(id)
}

/// Writes a draft order of checked lines inside `tx`, with its audit event:
/// the one place an order is created, for [`create_order`] and for an
/// accepted quote. Needs `sales.order.write`.
pub(crate) async fn create_order_in(
    tx: &mut Tx,
    actor: &Actor,
    party_id: i64,
    date: &str,
    currency: &str,
    lines: &[ValidLine],
) -> AppResult<SalesOrderId> {
    actor.require(Permission::SalesOrderWrite)?;
    let totals = totals_of(lines);
    let warehouse_id = main_warehouse(tx).await?;
    let id = store::insert_order(
        tx,
        &store::NewOrder {
            party_id,
            warehouse_id,
            order_date: date,
            currency,
            net_minor: totals.net_minor,
            vat_minor: totals.vat_minor,
            created_by: &actor.username,
            now_us: now_us(),
        },
    )
    .await?;
    store::replace_lines(tx, id, &new_lines(lines)).await?;
    let order = store::order_in_tx(tx, id).await?;
    let rows = store::lines_in_tx(tx, id).await?;
    record(
        tx,
        actor,
        Change {
            entity_type: "sales_order",
            entity_id: id.to_string(),
            action: "create",
            before: None,
            after: Some(order_json(&order, &rows)),
        },
    )
    .await?;
    Ok(SalesOrderId(id))
}

/// Replaces a draft's customer, date and lines, if it still has `version`.
/// Needs `sales.order.write`.
///
/// Errors: as [`create_order`]; [`AppError::Conflict`] with `error-stale`
/// when it changed since, `error-order-state` when it is no longer a draft.
pub async fn update_order(
    app: &App,
    actor: &Actor,
    id: SalesOrderId,
    version: i64,
    input: &OrderInput,
) -> AppResult<()> {
    actor.require(Permission::SalesOrderWrite)?;
    let mut tx = app.db.begin().await?;
    let before = store::order_in_tx(&mut tx, id.0).await?;
    state_of(&before).edit().map_err(illegal)?;
    if before.version != version {
        return Err(AppError::Conflict("error-stale"));
    }
    let before_lines = store::lines_in_tx(&mut tx, id.0).await?;
    let (party_id, date, currency, lines) = validate(&mut tx, input).await?;
    let totals = totals_of(&lines);
    store::update_totals(
        &mut tx,
        id.0,
        version,
        totals.net_minor,
        totals.vat_minor,
        now_us(),
    )
    .await?;
    store::update_header(&mut tx, id.0, party_id, &date, &currency).await?;
    store::replace_lines(&mut tx, id.0, &new_lines(&lines)).await?;
    let after = store::order_in_tx(&mut tx, id.0).await?;
    let after_lines = store::lines_in_tx(&mut tx, id.0).await?;
    record(
        &mut tx,
        actor,
        Change {
            entity_type: "sales_order",
            entity_id: id.to_string(),
            action: "update",
            before: Some(order_json(&before, &before_lines)),
            after: Some(order_json(&after, &after_lines)),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Confirms a draft: gives it the next number of the year (`SO-2026-000001`)
/// and reserves every goods line in the order's warehouse, in one
/// transaction. Services reserve nothing. `version`, when given, must match.
/// Needs `sales.order.confirm`.
///
/// Errors: [`AppError::Invalid`] naming every `lines[n].qty` with
/// `error-stock-insufficient` (nothing is written);
/// [`AppError::Conflict`] with `error-order-state` unless a draft, or `error-stale`.
pub async fn confirm_order(
    app: &App,
    actor: &Actor,
    id: SalesOrderId,
    version: Option<i64>,
) -> AppResult<OrderRow> {
    actor.require(Permission::SalesOrderConfirm)?;
    let mut tx = app.db.begin().await?;
    let before = store::order_in_tx(&mut tx, id.0).await?;
    let to = state_of(&before).confirm().map_err(illegal)?;
    if version.is_some_and(|v| v != before.version) {
        return Err(AppError::Conflict("error-stale"));
    }
    let lines = store::lines_in_tx(&mut tx, id.0).await?;
    let warehouse = WarehouseId(before.warehouse_id);
    let mut errors = FieldErrors::new();
    // Stock rows are locked in product order, whatever the order of the
    // lines, so two confirmations never wait on each other in a circle.
    let mut goods: Vec<&store::LineRow> = lines.iter().filter(|l| l.kind == "goods").collect();
    goods.sort_by_key(|l| (l.product_id, l.line_no));
    for line in goods {
        match crate::stock::reserve(&mut tx, ProductId(line.product_id), warehouse, line.qty).await
        {
            Ok(()) => {}
            Err(AppError::Conflict("error-stock-insufficient")) => {
                let n = usize::try_from(line.line_no).unwrap_or(0);
                errors.add(&line_field(n, "qty"), "error-stock-insufficient");
            }
            Err(e) => return Err(e),
        }
    }
    if !errors.is_empty() {
        return Err(AppError::Invalid(errors));
    }
    let year = jiff::Timestamp::now()
        .to_zoned(jiff::tz::TimeZone::UTC)
        .year();
    let seq = seam_store::ledger::next_number(&mut tx, &sales::series(year)).await?;
    let number = sales::order_number(year, seq);
    store::set_state(
        &mut tx,
        id.0,
        before.version,
        OrderState::Draft.name(),
        to.name(),
        Some(&number),
        now_us(),
    )
    .await?;
    let after = store::order_in_tx(&mut tx, id.0).await?;
    record(
        &mut tx,
        actor,
        Change {
            entity_type: "sales_order",
            entity_id: id.to_string(),
            action: "confirm",
            before: Some(json!({ "state": before.state })),
            after: Some(order_json(&after, &lines)),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(after)
}

/// Cancels a draft or a confirmed order; a confirmed order gives its
/// reservations back in the same transaction. Needs `sales.order.confirm`.
///
/// Errors: [`AppError::Conflict`] with `error-order-state` when cancelled
/// already, or `error-stale`.
pub async fn cancel_order(
    app: &App,
    actor: &Actor,
    id: SalesOrderId,
    version: Option<i64>,
) -> AppResult<OrderRow> {
    actor.require(Permission::SalesOrderConfirm)?;
    let mut tx = app.db.begin().await?;
    let before = store::order_in_tx(&mut tx, id.0).await?;
    let from = state_of(&before);
    let to = from.cancel().map_err(illegal)?;
    if version.is_some_and(|v| v != before.version) {
        return Err(AppError::Conflict("error-stale"));
    }
    let lines = store::lines_in_tx(&mut tx, id.0).await?;
    if from.holds_stock() {
        // What shipped already left with its reservation; the rest goes back.
        let shipped: HashMap<i64, i64> = seam_store::shipments::shipped_qty_in_tx(&mut tx, id.0)
            .await?
            .into_iter()
            .collect();
        let warehouse = WarehouseId(before.warehouse_id);
        for line in lines.iter().filter(|l| l.kind == "goods") {
            let left = line.qty - shipped.get(&line.line_no).copied().unwrap_or(0);
            if left > 0 {
                crate::stock::release(&mut tx, ProductId(line.product_id), warehouse, left).await?;
            }
        }
    }
    store::set_state(
        &mut tx,
        id.0,
        before.version,
        from.name(),
        to.name(),
        None,
        now_us(),
    )
    .await?;
    let after = store::order_in_tx(&mut tx, id.0).await?;
    record(
        &mut tx,
        actor,
        Change {
            entity_type: "sales_order",
            entity_id: id.to_string(),
            action: "cancel",
            before: Some(json!({ "state": before.state })),
            after: Some(json!({ "state": after.state, "number": after.number })),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(after)
}

/// One page of orders, newest first, after the order `before`. Needs `sales.order.read`.
pub async fn list_orders(
    app: &App,
    actor: &Actor,
    filter: &OrderFilter,
    before: Option<SalesOrderId>,
    limit: i64,
) -> AppResult<(Vec<OrderRow>, Option<SalesOrderId>)> {
    actor.require(Permission::SalesOrderRead)?;
    let (rows, next) = store::list_orders(&app.db, filter, before.map(|b| b.0), limit).await?;
    Ok((rows, next.map(SalesOrderId)))
}

/// A customer's latest orders, for the party page: one query. Needs `sales.order.read`.
pub async fn customer_orders(app: &App, actor: &Actor, party: PartyId) -> AppResult<Vec<OrderRow>> {
    actor.require(Permission::SalesOrderRead)?;
    let filter = OrderFilter {
        party_id: Some(party.0),
        ..OrderFilter::default()
    };
    Ok(
        store::list_orders(&app.db, &filter, None, CUSTOMER_ORDERS_MAX)
            .await?
            .0,
    )
}

/// An order with its lines and totals. Needs `sales.order.read`.
///
/// Errors: [`AppError::NotFound`].
pub async fn order_detail(app: &App, actor: &Actor, id: SalesOrderId) -> AppResult<OrderDetail> {
    actor.require(Permission::SalesOrderRead)?;
    let order = store::order(&app.db, id.0)
        .await?
        .ok_or(AppError::NotFound)?;
    detail_of(app, order).await
}

/// An order read by its caller, with its lines and totals.
pub(crate) async fn detail_of(app: &App, order: OrderRow) -> AppResult<OrderDetail> {
    let lines = store::lines(&app.db, order.id).await?;
    let totals = line_totals(&lines);
    Ok(OrderDetail {
        order,
        lines,
        totals,
    })
}

/// The order a person names by its number (`SO-2026-000001`, any case) or
/// its id (`42`, or `#42` as a draft is shown). Needs `sales.order.read`.
///
/// Errors: [`AppError::NotFound`].
pub async fn find_order(app: &App, actor: &Actor, text: &str) -> AppResult<SalesOrderId> {
    actor.require(Permission::SalesOrderRead)?;
    let text = text.trim();
    if let Ok(id) = text.trim_start_matches('#').parse::<i64>() {
        return match store::order(&app.db, id).await? {
            Some(o) => Ok(SalesOrderId(o.id)),
            None => Err(AppError::NotFound),
        };
    }
    store::order_by_number(&app.db, &text.to_uppercase())
        .await?
        .map(|o| SalesOrderId(o.id))
        .ok_or(AppError::NotFound)
}

/// What a person sees as the order's name: its number, or `Draft #id`.
pub fn display_number(order: &OrderRow) -> String {
    order
        .number
        .clone()
        .unwrap_or_else(|| format!("Draft #{}", order.id))
}
