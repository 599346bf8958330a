//! `/api/v1/sales-orders`: sales orders for integrators. Create a draft,
//! read it, confirm it (numbered, goods reserved in MAIN, all or nothing) or
//! cancel it (reservations released).

use axum::Json;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use seam_app::AppError;
use seam_app::sales::{self, LineInput, LineRow, OrderDetail, OrderFilter, OrderInput, OrderRow};
use seam_domain::FieldErrors;
use seam_domain::ids::{PartyId, SalesOrderId};
use seam_domain::ledger::format_amount;
use seam_domain::sales::OrderState;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::json::{ApiJson, KnownFields};
use super::problem::Problem;
use super::rfc3339;
use crate::AppState;
use crate::pages::IdPath;
use crate::who::CurrentActor;

/// Rows per page when the client does not say.
pub const ORDER_LIMIT_DEFAULT: i64 = 50;

fn problem(err: &AppError) -> Response {
    Problem::from_app_error(err, &crate::current_request_id()).into_response()
}

fn invalid(errors: &FieldErrors) -> Response {
    Problem::invalid(errors, &crate::current_request_id()).into_response()
}

/// A sales order's header.
#[derive(Debug, Serialize, ToSchema)]
pub struct SalesOrder {
    pub id: i64,
    /// `SO-2026-000001`, given at confirmation; absent on a draft.
    pub number: Option<String>,
    pub customer_id: i64,
    pub customer_name: String,
    /// `draft`, `confirmed`, `shipped` or `cancelled`.
    pub state: String,
    /// `YYYY-MM-DD`.
    pub order_date: String,
    pub currency: String,
    pub net: String,
    pub net_minor: i64,
    pub vat: String,
    pub vat_minor: i64,
    pub total: String,
    pub total_minor: i64,
    /// Pass back as `version` to confirm or cancel exactly what was read.
    pub version: i64,
    pub created_at: String,
    pub updated_at: String,
}

impl From<OrderRow> for SalesOrder {
    fn from(o: OrderRow) -> SalesOrder {
        SalesOrder {
            id: o.id,
            number: o.number,
            customer_id: o.party_id,
            customer_name: o.party_name,
            state: o.state,
            order_date: o.order_date,
            net: format_amount(o.net_minor, &o.currency),
            net_minor: o.net_minor,
            vat: format_amount(o.vat_minor, &o.currency),
            vat_minor: o.vat_minor,
            total: format_amount(o.total_minor, &o.currency),
            total_minor: o.total_minor,
            currency: o.currency,
            version: o.version,
            created_at: rfc3339(o.created_at_us),
            updated_at: rfc3339(o.updated_at_us),
        }
    }
}

/// One line of an order.
#[derive(Debug, Serialize, ToSchema)]
pub struct SalesOrderLine {
    pub line_no: i64,
    pub product_id: i64,
    pub sku: String,
    pub description: String,
    pub qty: i64,
    pub unit_price: String,
    pub unit_price_minor: i64,
    pub tax_rate: String,
    pub vat_basis_points: i64,
    pub line_net: String,
    pub line_net_minor: i64,
}

pub(crate) fn line(l: LineRow, currency: &str) -> SalesOrderLine {
    SalesOrderLine {
        line_no: l.line_no,
        product_id: l.product_id,
        sku: l.sku,
        description: l.description,
        qty: l.qty,
        unit_price: format_amount(l.unit_price_minor, currency),
        unit_price_minor: l.unit_price_minor,
        tax_rate: l.tax_rate_code,
        vat_basis_points: l.vat_basis_points,
        line_net: format_amount(l.line_net_minor, currency),
        line_net_minor: l.line_net_minor,
    }
}

/// The VAT at one rate: the sum of the line nets at that rate and the VAT on it.
#[derive(Debug, Serialize, ToSchema)]
pub struct VatBreakdown {
    pub tax_rate: String,
    pub vat_basis_points: i64,
    pub base_minor: i64,
    pub vat_minor: i64,
}

impl From<seam_domain::sales::VatBreakdown> for VatBreakdown {
    fn from(b: seam_domain::sales::VatBreakdown) -> VatBreakdown {
        VatBreakdown {
            tax_rate: b.tax_rate_code,
            vat_basis_points: b.vat_basis_points,
            base_minor: b.base_minor,
            vat_minor: b.vat_minor,
        }
    }
}

/// An order with its lines and VAT breakdown.
#[derive(Debug, Serialize, ToSchema)]
pub struct SalesOrderDetail {
    #[serde(flatten)]
    pub order: SalesOrder,
    pub lines: Vec<SalesOrderLine>,
    pub vat_breakdown: Vec<VatBreakdown>,
}

impl From<OrderDetail> for SalesOrderDetail {
    fn from(d: OrderDetail) -> SalesOrderDetail {
        let currency = d.order.currency.clone();
        SalesOrderDetail {
            lines: d.lines.into_iter().map(|l| line(l, &currency)).collect(),
            vat_breakdown: d.totals.breakdown.into_iter().map(Into::into).collect(),
            order: d.order.into(),
        }
    }
}

/// One page of orders, newest first.
#[derive(Debug, Serialize, ToSchema)]
pub struct SalesOrderList {
    pub items: Vec<SalesOrder>,
    /// Pass as `cursor` for the next page; absent on the last one.
    pub next_cursor: Option<i64>,
}

#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListParams {
    /// `draft`, `confirmed` or `cancelled`.
    pub state: Option<String>,
    /// Only this customer's orders.
    pub customer_id: Option<i64>,
    /// From `next_cursor` of the previous page.
    pub cursor: Option<i64>,
    /// 1 to 500; default 50.
    pub limit: Option<i64>,
}

/// List orders, newest first, filtered by state and customer.
#[utoipa::path(get, path = "/api/v1/sales-orders", tag = "sales", params(ListParams),
    responses((status = 200, body = SalesOrderList), (status = 403, body = Problem), (status = 422, body = Problem)), security(("bearer" = [])))]
pub async fn list(
    State(state): State<AppState>,
    CurrentActor(actor): CurrentActor,
    Query(params): Query<ListParams>,
) -> Response {
    let order_state = match params.state.as_deref() {
        None => None,
        Some(s) => match OrderState::parse(s) {
            Some(s) => Some(s.name().to_owned()),
            None => return invalid(&FieldErrors::one("state", "error-order-state-unknown")),
        },
    };
    let filter = OrderFilter {
        state: order_state,
        party_id: params.customer_id,
        ..OrderFilter::default()
    };
    let limit = params.limit.unwrap_or(ORDER_LIMIT_DEFAULT);
    match sales::list_orders(
        &state.app,
        &actor,
        &filter,
        params.cursor.map(SalesOrderId),
        limit,
    )
    .await
    {
        Ok((rows, next)) => Json(SalesOrderList {
            items: rows.into_iter().map(SalesOrder::from).collect(),
            next_cursor: next.map(|n| n.0),
        })
        .into_response(),
        Err(e) => problem(&e),
    }
}

/// One line of a new order.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SalesOrderLineInput {
    /// The product's SKU.
    pub sku: Option<String>,
    /// Whole units, more than zero.
    pub qty: Option<i64>,
    /// A decimal string (`12.50`); the product's list price when omitted.
    pub unit_price: Option<String>,
}

/// A new draft order. Errors name lines by position from 1: `lines[2].qty`.
#[derive(Debug, Default, Deserialize, ToSchema)]
pub struct SalesOrderInput {
    /// A party marked as a customer.
    pub customer_id: Option<i64>,
    /// `YYYY-MM-DD`; today when omitted.
    pub order_date: Option<String>,
    /// The products' currency when omitted.
    pub currency: Option<String>,
    pub lines: Option<Vec<SalesOrderLineInput>>,
}

impl KnownFields for SalesOrderInput {
    const FIELDS: &'static [&'static str] = &["customer_id", "order_date", "currency", "lines"];
}

/// Create a draft order. Send `Idempotency-Key` to make retries safe.
#[utoipa::path(post, path = "/api/v1/sales-orders", tag = "sales", request_body = SalesOrderInput,
    params(("Idempotency-Key" = Option<String>, Header, description = "Repeat a request safely: the same key returns the first response")),
    responses((status = 201, body = SalesOrderDetail), (status = 403, body = Problem), (status = 422, body = Problem)), security(("bearer" = [])))]
pub async fn create(
    State(state): State<AppState>,
    CurrentActor(actor): CurrentActor,
    ApiJson(body): ApiJson<SalesOrderInput>,
) -> Response {
    let input = OrderInput {
        customer: body.customer_id.map(PartyId),
        order_date: body.order_date.unwrap_or_default(),
        currency: body.currency.unwrap_or_default(),
        lines: body
            .lines
            .unwrap_or_default()
            .into_iter()
            .map(|l| LineInput {
                product: l.sku.unwrap_or_default(),
                qty: l.qty.map(|q| q.to_string()).unwrap_or_default(),
                unit_price: l.unit_price.unwrap_or_default(),
            })
            .collect(),
    };
    let id = match sales::create_order(&state.app, &actor, &input).await {
        Ok(id) => id,
        Err(e) => return problem(&e),
    };
    match sales::order_detail(&state.app, &actor, id).await {
        Ok(d) => (StatusCode::CREATED, Json(SalesOrderDetail::from(d))).into_response(),
        Err(e) => problem(&e),
    }
}

/// One order with its lines and VAT breakdown.
#[utoipa::path(get, path = "/api/v1/sales-orders/{id}", tag = "sales", params(("id" = i64, Path, description = "The order's id")),
    responses((status = 200, body = SalesOrderDetail), (status = 403, body = Problem), (status = 404, body = Problem)), security(("bearer" = [])))]
pub async fn detail(
    State(state): State<AppState>,
    CurrentActor(actor): CurrentActor,
    IdPath(id): IdPath,
) -> Response {
    match sales::order_detail(&state.app, &actor, SalesOrderId(id)).await {
        Ok(d) => Json(SalesOrderDetail::from(d)).into_response(),
        Err(e) => problem(&e),
    }
}

#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct VersionParams {
    /// The `version` read; refused with 409 when the order changed since.
    pub version: Option<i64>,
}

async fn after(state: &AppState, actor: &seam_app::Actor, id: i64) -> Response {
    match sales::order_detail(&state.app, actor, SalesOrderId(id)).await {
        Ok(d) => Json(SalesOrderDetail::from(d)).into_response(),
        Err(e) => problem(&e),
    }
}

/// Confirm a draft: it gets its number and every goods line is reserved in
/// MAIN, all or nothing. Too little stock is a 422 naming `lines[n].qty`;
/// anything but a draft is a 409 `error-order-state`.
#[utoipa::path(post, path = "/api/v1/sales-orders/{id}/confirm", tag = "sales",
    params(("id" = i64, Path, description = "The order's id"), VersionParams,
        ("Idempotency-Key" = Option<String>, Header, description = "Repeat a request safely: the same key returns the first response")),
    responses((status = 200, body = SalesOrderDetail), (status = 403, body = Problem), (status = 404, body = Problem),
        (status = 409, body = Problem), (status = 422, body = Problem)), security(("bearer" = [])))]
pub async fn confirm(
    State(state): State<AppState>,
    CurrentActor(actor): CurrentActor,
    IdPath(id): IdPath,
    Query(params): Query<VersionParams>,
) -> Response {
    match sales::confirm_order(&state.app, &actor, SalesOrderId(id), params.version).await {
        Ok(_) => after(&state, &actor, id).await,
        Err(e) => problem(&e),
    }
}

/// Cancel a draft or a confirmed order; a confirmed order's reservations are
/// released. A cancelled order is a 409 `error-order-state`.
#[utoipa::path(post, path = "/api/v1/sales-orders/{id}/cancel", tag = "sales",
    params(("id" = i64, Path, description = "The order's id"), VersionParams,
        ("Idempotency-Key" = Option<String>, Header, description = "Repeat a request safely: the same key returns the first response")),
    responses((status = 200, body = SalesOrderDetail), (status = 403, body = Problem), (status = 404, body = Problem),
        (status = 409, body = Problem)), security(("bearer" = [])))]
pub async fn cancel(
    State(state): State<AppState>,
    CurrentActor(actor): CurrentActor,
    IdPath(id): IdPath,
    Query(params): Query<VersionParams>,
) -> Response {
    match sales::cancel_order(&state.app, &actor, SalesOrderId(id), params.version).await {
        Ok(_) => after(&state, &actor, id).await,
        Err(e) => problem(&e),
    }
}

/// One line of a shipment.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ShipLineInput {
    /// The order line's number, from 1.
    pub line_no: Option<i64>,
    /// Whole units, at most what is left to ship on that line.
    pub qty: Option<i64>,
}

/// A shipment of a confirmed order. Without `lines`, everything left ships.
#[derive(Debug, Default, Deserialize, ToSchema)]
pub struct ShipInput {
    /// `YYYY-MM-DD`; today when omitted.
    pub ship_date: Option<String>,
    pub tracking_reference: Option<String>,
    pub lines: Option<Vec<ShipLineInput>>,
}

impl KnownFields for ShipInput {
    const FIELDS: &'static [&'static str] = &["ship_date", "tracking_reference", "lines"];
}

/// A shipment written.
#[derive(Debug, Serialize, ToSchema)]
pub struct Shipment {
    pub id: i64,
    /// `SH-2026-000001`.
    pub number: String,
    pub order_id: i64,
    /// `confirmed` while lines are left to ship, else `shipped`.
    pub order_state: String,
    pub ship_date: String,
    pub tracking_reference: String,
    /// The cost-of-goods journal entry; absent when the goods cost nothing.
    pub journal_entry_id: Option<i64>,
}

/// Ship a confirmed order: each goods line's reservation is released and its
/// stock issued from MAIN, and the cost of the goods is booked (debit 5000,
/// credit 1300), in one transaction. More than is left on a line is a 422
/// naming `lines[n].qty`; anything but a confirmed order is a 409
/// `error-order-state`.
#[utoipa::path(post, path = "/api/v1/sales-orders/{id}/ship", tag = "sales", request_body = ShipInput,
    params(("id" = i64, Path, description = "The order's id"),
        ("Idempotency-Key" = Option<String>, Header, description = "Repeat a request safely: the same key returns the first response")),
    responses((status = 201, body = Shipment), (status = 403, body = Problem), (status = 404, body = Problem),
        (status = 409, body = Problem), (status = 422, body = Problem)), security(("bearer" = [])))]
pub async fn ship(
    State(state): State<AppState>,
    CurrentActor(actor): CurrentActor,
    IdPath(id): IdPath,
    ApiJson(body): ApiJson<ShipInput>,
) -> Response {
    use seam_app::fulfilment::{self, ShipLines};
    let lines = match body.lines {
        None => ShipLines::Remaining,
        Some(lines) => ShipLines::These(
            lines
                .iter()
                .map(|l| (l.line_no.unwrap_or(0), l.qty.unwrap_or(0)))
                .collect(),
        ),
    };
    let input = fulfilment::ShipInput {
        lines,
        ship_date: body.ship_date.unwrap_or_default(),
        tracking_reference: body.tracking_reference.unwrap_or_default(),
    };
    match fulfilment::ship_order(&state.app, &actor, SalesOrderId(id), &input).await {
        Ok(s) => (
            StatusCode::CREATED,
            Json(Shipment {
                id: s.shipment.id,
                number: s.shipment.number,
                order_id: s.shipment.order_id,
                order_state: s.order_state.name().to_owned(),
                ship_date: s.shipment.ship_date,
                tracking_reference: s.shipment.tracking_reference,
                journal_entry_id: s.shipment.journal_entry_id,
            }),
        )
            .into_response(),
        Err(e) => problem(&e),
    }
}

/// Goods a customer sends back.
#[derive(Debug, Default, Deserialize, ToSchema)]
pub struct ReturnInput {
    /// `YYYY-MM-DD`; today when omitted.
    pub return_date: Option<String>,
    pub reason: Option<String>,
    /// The order lines and quantities that came back.
    pub lines: Option<Vec<ShipLineInput>>,
}

impl KnownFields for ReturnInput {
    const FIELDS: &'static [&'static str] = &["return_date", "reason", "lines"];
}

/// A customer return written.
#[derive(Debug, Serialize, ToSchema)]
pub struct CustomerReturn {
    pub id: i64,
    /// `RET-2026-000001`.
    pub number: String,
    pub order_id: i64,
    pub return_date: String,
    pub reason: String,
    /// The entry that took the goods' cost back; absent when they cost nothing.
    pub journal_entry_id: Option<i64>,
}

/// Take goods back from a customer: each line's quantity returns to stock
/// and its standard cost comes back out of cost of goods sold (debit 1300,
/// credit 5000), in one transaction. More than shipped and not yet returned
/// is a 422 naming `lines[n].qty`. The refund is a credit note on the invoice.
#[utoipa::path(post, path = "/api/v1/sales-orders/{id}/returns", tag = "sales", request_body = ReturnInput,
    params(("id" = i64, Path, description = "The order's id"),
        ("Idempotency-Key" = Option<String>, Header, description = "Repeat a request safely: the same key returns the first response")),
    responses((status = 201, body = CustomerReturn), (status = 403, body = Problem), (status = 404, body = Problem),
        (status = 422, body = Problem)), security(("bearer" = [])))]
pub async fn return_goods(
    State(state): State<AppState>,
    CurrentActor(actor): CurrentActor,
    IdPath(id): IdPath,
    ApiJson(body): ApiJson<ReturnInput>,
) -> Response {
    use seam_app::fulfilment;
    let input = fulfilment::ReturnInput {
        lines: body
            .lines
            .unwrap_or_default()
            .iter()
            .map(|l| (l.line_no.unwrap_or(0), l.qty.unwrap_or(0)))
            .collect(),
        return_date: body.return_date.unwrap_or_default(),
        reason: body.reason.unwrap_or_default(),
    };
    match fulfilment::return_goods(&state.app, &actor, SalesOrderId(id), &input).await {
        Ok(r) => (
            StatusCode::CREATED,
            Json(CustomerReturn {
                id: r.customer_return.id,
                number: r.customer_return.number,
                order_id: r.customer_return.order_id,
                return_date: r.customer_return.return_date,
                reason: r.customer_return.reason,
                journal_entry_id: r.customer_return.journal_entry_id,
            }),
        )
            .into_response(),
        Err(e) => problem(&e),
    }
}
