//! `/api/v1/portal/...`: the customer portal for a customer's own login or
//! token. Every answer is about the caller's own party; another party's id
//! is a 404, as if it did not exist. Internal fields (journal entries, who
//! booked what, notes) are left out.

use axum::Json;
use axum::extract::{Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use seam_app::AppError;
use seam_app::customer_view::OrderProgress;
use seam_app::parties::PartyRow;
use seam_app::portal::{self, DetailsInput};
use seam_domain::FieldErrors;
use seam_domain::ledger::format_amount;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::invoices::{Invoice, InvoiceDetail};
use super::json::{ApiJson, KnownFields};
use super::page_limit;
use super::problem::Problem;
use super::sales::{SalesOrder, SalesOrderLine};
use crate::AppState;
use crate::pages::IdPath;
use crate::who::CurrentActor;

fn problem(err: &AppError) -> Response {
    Problem::from_app_error(err, &crate::current_request_id()).into_response()
}

fn invalid(errors: &FieldErrors) -> Response {
    Problem::invalid(errors, &crate::current_request_id()).into_response()
}

/// A document as its customer sees it: without the booking's internals.
fn customer_invoice(mut invoice: Invoice) -> Invoice {
    invoice.journal_entry_id = None;
    invoice.created_by = String::new();
    invoice
}

/// The customer's own party: what they may read and edit of it.
#[derive(Debug, Serialize, ToSchema)]
pub struct PortalParty {
    pub id: i64,
    pub name: String,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub street: Option<String>,
    pub postal_code: Option<String>,
    pub city: Option<String>,
    pub country: Option<String>,
    /// Pass back as `version` with `PUT /api/v1/portal/details`.
    pub version: i64,
}

impl From<PartyRow> for PortalParty {
    fn from(p: PartyRow) -> PortalParty {
        PortalParty {
            id: p.id,
            name: p.name,
            email: p.email,
            phone: p.phone,
            street: p.street,
            postal_code: p.postal_code,
            city: p.city,
            country: p.country,
            version: p.version,
        }
    }
}

/// What the customer owes and holds in credit in one currency.
#[derive(Debug, Serialize, ToSchema)]
pub struct PortalBalance {
    pub currency: String,
    pub due: String,
    pub due_minor: i64,
    pub credit: String,
    pub credit_minor: i64,
}

/// An open invoice and how many days past due it is (zero or less: not yet due).
#[derive(Debug, Serialize, ToSchema)]
pub struct PortalOpenInvoice {
    #[serde(flatten)]
    pub invoice: Invoice,
    pub days_overdue: i64,
}

/// An order and how far it has shipped.
#[derive(Debug, Serialize, ToSchema)]
pub struct PortalOrder {
    #[serde(flatten)]
    pub order: SalesOrder,
    /// `none`, `partly` or `all` of the goods have shipped.
    pub fulfilment: String,
}

impl From<OrderProgress> for PortalOrder {
    fn from(p: OrderProgress) -> PortalOrder {
        PortalOrder {
            fulfilment: p.fulfilment().to_owned(),
            order: p.order.into(),
        }
    }
}

/// The customer's account at a glance.
#[derive(Debug, Serialize, ToSchema)]
pub struct PortalOverview {
    pub party: PortalParty,
    pub balances: Vec<PortalBalance>,
    pub open_invoices: Vec<PortalOpenInvoice>,
    pub recent_orders: Vec<PortalOrder>,
}

/// The caller's account: balances, open invoices, recent orders.
#[utoipa::path(get, path = "/api/v1/portal/overview", tag = "portal",
    responses((status = 200, body = PortalOverview), (status = 403, body = Problem), (status = 404, body = Problem)), security(("bearer" = [])))]
pub async fn overview(
    State(state): State<AppState>,
    CurrentActor(actor): CurrentActor,
) -> Response {
    match portal::overview(&state.app, &actor).await {
        Ok(o) => Json(PortalOverview {
            party: o.party.into(),
            balances: o
                .balances
                .into_iter()
                .map(|b| PortalBalance {
                    due: format_amount(b.due_minor, &b.currency),
                    credit: format_amount(b.credit_minor, &b.currency),
                    due_minor: b.due_minor,
                    credit_minor: b.credit_minor,
                    currency: b.currency,
                })
                .collect(),
            open_invoices: o
                .open_invoices
                .into_iter()
                .map(|d| PortalOpenInvoice {
                    days_overdue: d.days_overdue,
                    invoice: customer_invoice(d.invoice.into()),
                })
                .collect(),
            recent_orders: o.recent_orders.into_iter().map(Into::into).collect(),
        })
        .into_response(),
        Err(e) => problem(&e),
    }
}

#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PortalPageParams {
    /// From `next_cursor` of the previous page.
    pub cursor: Option<i64>,
    /// 1 to 500; default 50.
    pub limit: Option<i64>,
}

impl PortalPageParams {
    fn limit(&self) -> Result<i64, FieldErrors> {
        let mut errors = FieldErrors::new();
        let limit = page_limit(self.limit, &mut errors);
        if errors.is_empty() {
            Ok(limit)
        } else {
            Err(errors)
        }
    }
}

/// One page of the customer's orders, newest first.
#[derive(Debug, Serialize, ToSchema)]
pub struct PortalOrderList {
    pub items: Vec<PortalOrder>,
    /// Pass as `cursor` for the next page; absent on the last one.
    pub next_cursor: Option<i64>,
}

/// The caller's orders (never drafts), newest first.
#[utoipa::path(get, path = "/api/v1/portal/orders", tag = "portal", params(PortalPageParams),
    responses((status = 200, body = PortalOrderList), (status = 403, body = Problem), (status = 422, body = Problem)), security(("bearer" = [])))]
pub async fn orders(
    State(state): State<AppState>,
    CurrentActor(actor): CurrentActor,
    Query(params): Query<PortalPageParams>,
) -> Response {
    let limit = match params.limit() {
        Ok(l) => l,
        Err(errors) => return invalid(&errors),
    };
    match portal::my_orders(&state.app, &actor, params.cursor, limit).await {
        Ok((rows, next)) => Json(PortalOrderList {
            items: rows.into_iter().map(Into::into).collect(),
            next_cursor: next,
        })
        .into_response(),
        Err(e) => problem(&e),
    }
}

/// An order line and what has shipped of it.
#[derive(Debug, Serialize, ToSchema)]
pub struct PortalOrderLine {
    #[serde(flatten)]
    pub line: SalesOrderLine,
    pub shipped_qty: i64,
}

/// A shipment of the order.
#[derive(Debug, Serialize, ToSchema)]
pub struct PortalShipment {
    pub number: String,
    /// `YYYY-MM-DD`.
    pub ship_date: String,
    pub tracking_reference: String,
}

/// An order with its lines, what has shipped and the shipments.
#[derive(Debug, Serialize, ToSchema)]
pub struct PortalOrderDetail {
    #[serde(flatten)]
    pub order: SalesOrder,
    pub fulfilment: String,
    pub lines: Vec<PortalOrderLine>,
    pub shipments: Vec<PortalShipment>,
}

/// One of the caller's orders; another party's order or a draft is a 404.
#[utoipa::path(get, path = "/api/v1/portal/orders/{id}", tag = "portal", params(("id" = i64, Path, description = "The order's id")),
    responses((status = 200, body = PortalOrderDetail), (status = 403, body = Problem), (status = 404, body = Problem)), security(("bearer" = [])))]
pub async fn order(
    State(state): State<AppState>,
    CurrentActor(actor): CurrentActor,
    IdPath(id): IdPath,
) -> Response {
    match portal::my_order(&state.app, &actor, id).await {
        Ok(o) => {
            let fulfilment = o.fulfilment().to_owned();
            let currency = o.order.currency.clone();
            Json(PortalOrderDetail {
                fulfilment,
                lines: o
                    .lines
                    .into_iter()
                    .map(|l| PortalOrderLine {
                        shipped_qty: l.shipped_qty,
                        line: super::sales::line(l.line, &currency),
                    })
                    .collect(),
                shipments: o
                    .shipments
                    .into_iter()
                    .map(|s| PortalShipment {
                        number: s.number,
                        ship_date: s.ship_date,
                        tracking_reference: s.tracking_reference,
                    })
                    .collect(),
                order: o.order.into(),
            })
            .into_response()
        }
        Err(e) => problem(&e),
    }
}

/// One page of the customer's invoices and credit notes, newest first.
#[derive(Debug, Serialize, ToSchema)]
pub struct PortalInvoiceList {
    pub items: Vec<Invoice>,
    /// Pass as `cursor` for the next page; absent on the last one.
    pub next_cursor: Option<i64>,
}

/// The caller's issued invoices and credit notes (never drafts), newest first.
#[utoipa::path(get, path = "/api/v1/portal/invoices", tag = "portal", params(PortalPageParams),
    responses((status = 200, body = PortalInvoiceList), (status = 403, body = Problem), (status = 422, body = Problem)), security(("bearer" = [])))]
pub async fn invoices(
    State(state): State<AppState>,
    CurrentActor(actor): CurrentActor,
    Query(params): Query<PortalPageParams>,
) -> Response {
    let limit = match params.limit() {
        Ok(l) => l,
        Err(errors) => return invalid(&errors),
    };
    match portal::my_invoices(&state.app, &actor, params.cursor, limit).await {
        Ok((rows, next)) => Json(PortalInvoiceList {
            items: rows
                .into_iter()
                .map(|r| customer_invoice(r.into()))
                .collect(),
            next_cursor: next,
        })
        .into_response(),
        Err(e) => problem(&e),
    }
}

/// One of the caller's documents with its lines, payments and credit notes;
/// another party's document or a draft is a 404.
#[utoipa::path(get, path = "/api/v1/portal/invoices/{id}", tag = "portal", params(("id" = i64, Path, description = "The document's id")),
    responses((status = 200, body = InvoiceDetail), (status = 403, body = Problem), (status = 404, body = Problem)), security(("bearer" = [])))]
pub async fn invoice(
    State(state): State<AppState>,
    CurrentActor(actor): CurrentActor,
    IdPath(id): IdPath,
) -> Response {
    match portal::my_invoice(&state.app, &actor, id).await {
        Ok(d) => {
            let mut detail = InvoiceDetail::from(d);
            detail.invoice = customer_invoice(detail.invoice);
            detail.credit_notes = detail
                .credit_notes
                .into_iter()
                .map(customer_invoice)
                .collect();
            Json(detail).into_response()
        }
        Err(e) => problem(&e),
    }
}

/// One of the caller's documents as an A4 PDF.
#[utoipa::path(get, path = "/api/v1/portal/invoices/{id}/pdf", tag = "portal", params(("id" = i64, Path, description = "The document's id")),
    responses((status = 200, content_type = "application/pdf", body = Vec<u8>), (status = 403, body = Problem), (status = 404, body = Problem)),
    security(("bearer" = [])))]
pub async fn invoice_pdf(
    State(state): State<AppState>,
    CurrentActor(actor): CurrentActor,
    IdPath(id): IdPath,
) -> Response {
    match portal::my_invoice_pdf(&state.app, &actor, id).await {
        Ok(bytes) => (
            [
                (header::CONTENT_TYPE, "application/pdf".to_owned()),
                (
                    header::CONTENT_DISPOSITION,
                    format!("inline; filename=\"invoice-{id}.pdf\""),
                ),
            ],
            bytes,
        )
            .into_response(),
        Err(e) => problem(&e),
    }
}

/// One of the caller's documents as EN 16931 UBL 2.1 XML.
#[utoipa::path(get, path = "/api/v1/portal/invoices/{id}/ubl", tag = "portal", params(("id" = i64, Path, description = "The document's id")),
    responses((status = 200, content_type = "application/xml", body = String), (status = 403, body = Problem), (status = 404, body = Problem),
        (status = 422, body = Problem)), security(("bearer" = [])))]
pub async fn invoice_ubl(
    State(state): State<AppState>,
    CurrentActor(actor): CurrentActor,
    IdPath(id): IdPath,
) -> Response {
    match portal::my_invoice_ubl(&state.app, &actor, id).await {
        Ok(xml) => (
            [(header::CONTENT_TYPE, "application/xml; charset=utf-8")],
            xml,
        )
            .into_response(),
        Err(e) => problem(&e),
    }
}

/// A payment the customer made.
#[derive(Debug, Serialize, ToSchema)]
pub struct PortalPayment {
    pub id: i64,
    /// `PAY-2026-000001`.
    pub number: String,
    /// `YYYY-MM-DD`.
    pub payment_date: String,
    pub currency: String,
    pub amount: String,
    pub amount_minor: i64,
    /// What settled no invoice: held as the customer's credit.
    pub unallocated: String,
    pub unallocated_minor: i64,
    pub reference: String,
}

/// One page of the customer's payments, newest first.
#[derive(Debug, Serialize, ToSchema)]
pub struct PortalPaymentList {
    pub items: Vec<PortalPayment>,
    /// Pass as `cursor` for the next page; absent on the last one.
    pub next_cursor: Option<i64>,
}

/// The caller's payments, newest first.
#[utoipa::path(get, path = "/api/v1/portal/payments", tag = "portal", params(PortalPageParams),
    responses((status = 200, body = PortalPaymentList), (status = 403, body = Problem), (status = 422, body = Problem)), security(("bearer" = [])))]
pub async fn payments(
    State(state): State<AppState>,
    CurrentActor(actor): CurrentActor,
    Query(params): Query<PortalPageParams>,
) -> Response {
    let limit = match params.limit() {
        Ok(l) => l,
        Err(errors) => return invalid(&errors),
    };
    match portal::my_payments(&state.app, &actor, params.cursor, limit).await {
        Ok((rows, next)) => Json(PortalPaymentList {
            items: rows
                .into_iter()
                .map(|p| PortalPayment {
                    id: p.id,
                    number: p.number,
                    payment_date: p.payment_date,
                    amount: format_amount(p.amount_minor, &p.currency),
                    amount_minor: p.amount_minor,
                    unallocated: format_amount(p.unallocated_minor, &p.currency),
                    unallocated_minor: p.unallocated_minor,
                    reference: p.reference,
                    currency: p.currency,
                })
                .collect(),
            next_cursor: next,
        })
        .into_response(),
        Err(e) => problem(&e),
    }
}

/// The customer's new contact details. Omitted fields are emptied.
#[derive(Debug, Default, Deserialize, ToSchema)]
pub struct PortalDetailsInput {
    pub email: Option<String>,
    pub phone: Option<String>,
    pub street: Option<String>,
    pub postal_code: Option<String>,
    pub city: Option<String>,
    /// ISO 3166-1 alpha-2 (`DE`).
    pub country: Option<String>,
    /// Required: the party's `version` the change was based on.
    pub version: Option<i64>,
}

impl KnownFields for PortalDetailsInput {
    const FIELDS: &'static [&'static str] = &[
        "email",
        "phone",
        "street",
        "postal_code",
        "city",
        "country",
        "version",
    ];
}

/// Replace the caller's contact details. A stale `version` is a 409; a bad
/// field a 422 naming it.
#[utoipa::path(put, path = "/api/v1/portal/details", tag = "portal", request_body = PortalDetailsInput,
    responses((status = 200, body = PortalParty), (status = 403, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)),
    security(("bearer" = [])))]
pub async fn update_details(
    State(state): State<AppState>,
    CurrentActor(actor): CurrentActor,
    ApiJson(body): ApiJson<PortalDetailsInput>,
) -> Response {
    let Some(version) = body.version else {
        return invalid(&FieldErrors::one("version", "error-required"));
    };
    let input = DetailsInput {
        email: body.email.unwrap_or_default(),
        phone: body.phone.unwrap_or_default(),
        street: body.street.unwrap_or_default(),
        postal_code: body.postal_code.unwrap_or_default(),
        city: body.city.unwrap_or_default(),
        country: body.country.unwrap_or_default(),
    };
    if let Err(e) = portal::update_my_details(&state.app, &actor, version, &input).await {
        return problem(&e);
    }
    match seam_app::parties::my_party(&state.app, &actor).await {
        Ok(p) => Json(PortalParty::from(p)).into_response(),
        Err(e) => problem(&e),
    }
}
