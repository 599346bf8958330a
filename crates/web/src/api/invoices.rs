//! `/api/v1/invoices`, `/api/v1/payments`, `/api/v1/exchange-rates`, the
//! receivables aging, customer statements and the company profile: invoicing
//! for integrators, through the same use cases as the pages and the CLI.
//!
//! Amounts are decimal strings beside their minor units, as everywhere in the
//! API; every POST honours `Idempotency-Key` (see [`super::idempotency`]).

use axum::Json;
use axum::extract::{Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use seam_app::company::{self, CompanyProfile};
use seam_app::invoicing::{
    self, AgingReport, AllocationRow, CreditInput, CreditLines, InvoiceDetail as AppDetail,
    InvoiceFilter, InvoiceInput, InvoiceLineRow, InvoiceRow, PaymentInput, PaymentRow, RateRow,
    StatementSection,
};
use seam_app::{Actor, AppError};
use seam_domain::FieldErrors;
use seam_domain::ids::SalesOrderId;
use seam_domain::invoice::{AgingBucket, DocumentKind, InvoiceState, format_rate, parse_rate};
use seam_domain::ledger::{format_amount, parse_currency};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::json::{ApiJson, KnownFields};
use super::problem::Problem;
use super::{page_limit, rfc3339};
use crate::AppState;
use crate::pages::IdPath;
use crate::pages::reports::ReportDates;
use crate::who::CurrentActor;

fn problem(err: &AppError) -> Response {
    Problem::from_app_error(err, &crate::current_request_id()).into_response()
}

fn invalid(errors: &FieldErrors) -> Response {
    Problem::invalid(errors, &crate::current_request_id()).into_response()
}

/// Today, or the date given, in the caller's time zone: `(at, from, to)`.
fn dates(actor: &Actor, at: Option<&str>, from: Option<&str>, to: Option<&str>) -> ReportDates {
    let text = |t: Option<&str>| t.unwrap_or_default().to_owned();
    ReportDates::new(&text(at), &text(from), &text(to), &actor.time_zone)
}

/// An invoice or credit note without its lines.
#[derive(Debug, Serialize, ToSchema)]
pub struct Invoice {
    pub id: i64,
    /// `invoice` or `credit_note`.
    pub kind: String,
    /// `INV-2026-000001` or `CN-2026-000001`, given when posted; absent on a draft.
    pub number: Option<String>,
    /// `draft`, `posted`, `paid` or `cancelled`.
    pub state: String,
    pub party_id: i64,
    pub party_name: String,
    pub order_id: Option<i64>,
    pub order_number: Option<String>,
    /// On a credit note: the invoice it corrects.
    pub credited_invoice_id: Option<i64>,
    pub credited_invoice_number: Option<String>,
    /// `YYYY-MM-DD`.
    pub issue_date: String,
    /// `YYYY-MM-DD`.
    pub due_date: String,
    pub currency: String,
    pub net: String,
    pub net_minor: i64,
    pub vat: String,
    pub vat_minor: i64,
    pub total: String,
    pub total_minor: i64,
    /// What payments and credit notes have settled.
    pub settled: String,
    pub settled_minor: i64,
    /// What is still due (zero unless posted).
    pub due: String,
    pub due_minor: i64,
    /// The rate it was booked at (company currency per unit); absent on a draft.
    pub exchange_rate: Option<String>,
    /// The total in the company currency as booked; absent on a draft.
    pub total_company_minor: Option<i64>,
    pub journal_entry_id: Option<i64>,
    /// The note, or a credit note's reason.
    pub note: String,
    pub created_by: String,
    pub version: i64,
    pub created_at: String,
    pub updated_at: String,
}

impl From<InvoiceRow> for Invoice {
    fn from(r: InvoiceRow) -> Invoice {
        let posted = r.number.is_some();
        let due = if r.state == InvoiceState::Posted.name() {
            r.due_minor()
        } else {
            0
        };
        let money = |minor: i64| format_amount(minor, &r.currency);
        Invoice {
            id: r.id,
            net: money(r.net_minor),
            vat: money(r.vat_minor),
            total: money(r.total_minor),
            settled: money(r.settled_minor),
            due: money(due),
            due_minor: due,
            exchange_rate: posted.then(|| format_rate(r.rate_e9)),
            total_company_minor: posted.then_some(r.total_company_minor),
            kind: r.kind,
            number: r.number,
            state: r.state,
            party_id: r.party_id,
            party_name: r.party_name,
            order_id: r.order_id,
            order_number: r.order_number,
            credited_invoice_id: r.credited_invoice_id,
            credited_invoice_number: r.credited_invoice_number,
            issue_date: r.issue_date,
            due_date: r.due_date,
            currency: r.currency,
            net_minor: r.net_minor,
            vat_minor: r.vat_minor,
            total_minor: r.total_minor,
            settled_minor: r.settled_minor,
            journal_entry_id: r.journal_entry_id,
            note: r.note,
            created_by: r.created_by,
            version: r.version,
            created_at: rfc3339(r.created_at_us),
            updated_at: rfc3339(r.updated_at_us),
        }
    }
}

/// One line of an invoice or credit note.
#[derive(Debug, Serialize, ToSchema)]
pub struct InvoiceLine {
    pub line_no: i64,
    /// The order line it bills.
    pub order_line_no: Option<i64>,
    pub product_id: i64,
    pub sku: String,
    pub description: String,
    pub qty: i64,
    /// UN/ECE Rec 20 unit code.
    pub unit: String,
    pub unit_price: String,
    pub unit_price_minor: i64,
    pub tax_rate: String,
    /// EN 16931 VAT category (`S`, `Z`, `E`, …).
    pub vat_category: String,
    pub vat_basis_points: i64,
    pub line_net: String,
    pub line_net_minor: i64,
    pub revenue_account: String,
}

fn line(l: InvoiceLineRow, currency: &str) -> InvoiceLine {
    InvoiceLine {
        line_no: l.line_no,
        order_line_no: l.order_line_no,
        product_id: l.product_id,
        sku: l.sku,
        description: l.description,
        qty: l.qty,
        unit: l.unit_code,
        unit_price: format_amount(l.unit_price_minor, currency),
        unit_price_minor: l.unit_price_minor,
        tax_rate: l.tax_rate_code,
        vat_category: l.vat_category,
        vat_basis_points: l.vat_basis_points,
        line_net: format_amount(l.line_net_minor, currency),
        line_net_minor: l.line_net_minor,
        revenue_account: l.revenue_account_code,
    }
}

/// What one payment settled of one invoice.
#[derive(Debug, Serialize, ToSchema)]
pub struct Allocation {
    pub payment_id: i64,
    pub payment_number: String,
    pub payment_date: String,
    pub invoice_id: i64,
    pub invoice_number: Option<String>,
    pub amount: String,
    pub amount_minor: i64,
}

fn allocation(a: AllocationRow, currency: &str) -> Allocation {
    Allocation {
        payment_id: a.payment_id,
        payment_number: a.payment_number,
        payment_date: a.payment_date,
        invoice_id: a.invoice_id,
        invoice_number: a.invoice_number,
        amount: format_amount(a.amount_minor, currency),
        amount_minor: a.amount_minor,
    }
}

/// A document with its lines, the payments that settled it and the credit
/// notes against it.
#[derive(Debug, Serialize, ToSchema)]
pub struct InvoiceDetail {
    #[serde(flatten)]
    pub invoice: Invoice,
    /// The number of the journal entry that booked it; absent on a draft.
    pub journal_entry_number: Option<String>,
    pub lines: Vec<InvoiceLine>,
    pub payments: Vec<Allocation>,
    pub credit_notes: Vec<Invoice>,
}

impl From<AppDetail> for InvoiceDetail {
    fn from(d: AppDetail) -> InvoiceDetail {
        let currency = d.invoice.currency.clone();
        InvoiceDetail {
            journal_entry_number: d.journal_entry_number,
            lines: d.lines.into_iter().map(|l| line(l, &currency)).collect(),
            payments: d
                .payments
                .into_iter()
                .map(|a| allocation(a, &currency))
                .collect(),
            credit_notes: d.credit_notes.into_iter().map(Invoice::from).collect(),
            invoice: d.invoice.into(),
        }
    }
}

/// One page of invoices and credit notes, newest first.
#[derive(Debug, Serialize, ToSchema)]
pub struct InvoiceList {
    pub items: Vec<Invoice>,
    /// Pass as `cursor` for the next page; absent on the last one.
    pub next_cursor: Option<i64>,
}

#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct InvoiceListParams {
    /// `invoice` or `credit_note`.
    pub kind: Option<String>,
    /// `draft`, `posted`, `paid` or `cancelled`.
    pub state: Option<String>,
    /// Only this party's documents.
    pub party: Option<i64>,
    /// Only the documents of this sales order (its id).
    pub order: Option<i64>,
    /// `true`: only posted invoices with something still due.
    pub open: Option<bool>,
    /// From `next_cursor` of the previous page.
    pub cursor: Option<i64>,
    /// 1 to 500; default 50.
    pub limit: Option<i64>,
}

/// List invoices and credit notes, newest first.
#[utoipa::path(get, path = "/api/v1/invoices", tag = "invoices", params(InvoiceListParams),
    responses((status = 200, body = InvoiceList), (status = 403, body = Problem), (status = 422, body = Problem)), security(("bearer" = [])))]
pub async fn list(
    State(state): State<AppState>,
    CurrentActor(actor): CurrentActor,
    Query(params): Query<InvoiceListParams>,
) -> Response {
    let mut errors = FieldErrors::new();
    let kind = match params.kind.as_deref().map(str::trim) {
        None | Some("") => None,
        Some(k) => match DocumentKind::parse(k) {
            Some(k) => Some(k.name().to_owned()),
            None => {
                errors.add("kind", "error-invoice-kind-unknown");
                None
            }
        },
    };
    let invoice_state = match params.state.as_deref().map(str::trim) {
        None | Some("") => None,
        Some(s) => match InvoiceState::parse(s) {
            Some(s) => Some(s.name().to_owned()),
            None => {
                errors.add("state", "error-invoice-state-unknown");
                None
            }
        },
    };
    let limit = page_limit(params.limit, &mut errors);
    if !errors.is_empty() {
        return invalid(&errors);
    }
    let filter = InvoiceFilter {
        kind,
        state: invoice_state,
        party_id: params.party,
        order_id: params.order,
        open: params.open.unwrap_or(false),
        ..InvoiceFilter::default()
    };
    match invoicing::list_invoices(&state.app, &actor, &filter, params.cursor, limit).await {
        Ok((rows, next)) => Json(InvoiceList {
            items: rows.into_iter().map(Invoice::from).collect(),
            next_cursor: next,
        })
        .into_response(),
        Err(e) => problem(&e),
    }
}

async fn detail_response(state: &AppState, actor: &Actor, id: i64, status: StatusCode) -> Response {
    match invoicing::invoice(&state.app, actor, id).await {
        Ok(d) => (status, Json(InvoiceDetail::from(d))).into_response(),
        Err(e) => problem(&e),
    }
}

/// One invoice or credit note with its lines, payments and credit notes.
#[utoipa::path(get, path = "/api/v1/invoices/{id}", tag = "invoices", params(("id" = i64, Path, description = "The document's id")),
    responses((status = 200, body = InvoiceDetail), (status = 403, body = Problem), (status = 404, body = Problem)), security(("bearer" = [])))]
pub async fn detail(
    State(state): State<AppState>,
    CurrentActor(actor): CurrentActor,
    IdPath(id): IdPath,
) -> Response {
    detail_response(&state, &actor, id, StatusCode::OK).await
}

/// How a new invoice is dated.
#[derive(Debug, Default, Deserialize, ToSchema)]
pub struct InvoiceOrderInput {
    /// `YYYY-MM-DD`; today when omitted.
    pub issue_date: Option<String>,
    /// Days until due, 0 to 365; 30 when omitted.
    pub terms_days: Option<i64>,
    /// Printed on the invoice; up to 500 characters.
    pub note: Option<String>,
}

impl KnownFields for InvoiceOrderInput {
    const FIELDS: &'static [&'static str] = &["issue_date", "terms_days", "note"];
}

/// Draft an invoice for what a confirmed or shipped order has delivered and
/// not yet invoiced: shipped goods, ordered services. Nothing left is a 422
/// naming `lines`; a draft or cancelled order is a 409 `order-state`.
#[utoipa::path(post, path = "/api/v1/sales-orders/{id}/invoice", tag = "invoices", request_body = InvoiceOrderInput,
    params(("id" = i64, Path, description = "The order's id"),
        ("Idempotency-Key" = Option<String>, Header, description = "Repeat a request safely: the same key returns the first response")),
    responses((status = 201, body = InvoiceDetail), (status = 403, body = Problem), (status = 404, body = Problem),
        (status = 409, body = Problem), (status = 422, body = Problem)), security(("bearer" = [])))]
pub async fn invoice_order(
    State(state): State<AppState>,
    CurrentActor(actor): CurrentActor,
    IdPath(id): IdPath,
    ApiJson(body): ApiJson<InvoiceOrderInput>,
) -> Response {
    let input = InvoiceInput {
        issue_date: body.issue_date.unwrap_or_default(),
        terms_days: body.terms_days.map(|d| d.to_string()).unwrap_or_default(),
        note: body.note.unwrap_or_default(),
    };
    match invoicing::invoice_order(&state.app, &actor, SalesOrderId(id), &input).await {
        Ok(invoice) => detail_response(&state, &actor, invoice, StatusCode::CREATED).await,
        Err(e) => problem(&e),
    }
}

/// Post a draft invoice or credit note: it takes the next number of its
/// series and is booked in one balanced journal entry. Anything but a draft
/// is a 409 `invoice-state`; a missing exchange rate or a closed period a 422.
#[utoipa::path(post, path = "/api/v1/invoices/{id}/post", tag = "invoices",
    params(("id" = i64, Path, description = "The document's id"),
        ("Idempotency-Key" = Option<String>, Header, description = "Repeat a request safely: the same key returns the first response")),
    responses((status = 200, body = InvoiceDetail), (status = 403, body = Problem), (status = 404, body = Problem),
        (status = 409, body = Problem), (status = 422, body = Problem)), security(("bearer" = [])))]
pub async fn post(
    State(state): State<AppState>,
    CurrentActor(actor): CurrentActor,
    IdPath(id): IdPath,
) -> Response {
    match invoicing::post_invoice(&state.app, &actor, id).await {
        Ok(_) => detail_response(&state, &actor, id, StatusCode::OK).await,
        Err(e) => problem(&e),
    }
}

/// Where to e-mail a document.
#[derive(Debug, Default, Deserialize, ToSchema)]
pub struct EmailInput {
    /// The recipient; the customer's e-mail when omitted.
    pub to: Option<String>,
}

impl KnownFields for EmailInput {
    const FIELDS: &'static [&'static str] = &["to"];
}

/// The queued e-mail.
#[derive(Debug, Serialize, ToSchema)]
pub struct EmailQueued {
    /// The job that sends it (`seam jobs show ID`).
    pub job_id: i64,
}

/// Queue an e-mail of a posted invoice or credit note to its customer (or
/// `to`), with the document attached as PDF and as EN 16931 UBL XML. A node's
/// job worker sends it through the configured SMTP server. A draft or
/// cancelled document is a 409 `invoice-state`; no or a malformed address a
/// 422 naming `to`.
#[utoipa::path(post, path = "/api/v1/invoices/{id}/email", tag = "invoices",
    params(("id" = i64, Path, description = "The document's id"),
        ("Idempotency-Key" = Option<String>, Header, description = "Repeat a request safely: the same key returns the first response")),
    request_body = EmailInput,
    responses((status = 202, body = EmailQueued), (status = 403, body = Problem), (status = 404, body = Problem),
        (status = 409, body = Problem), (status = 422, body = Problem)), security(("bearer" = [])))]
pub async fn email(
    State(state): State<AppState>,
    CurrentActor(actor): CurrentActor,
    IdPath(id): IdPath,
    ApiJson(body): ApiJson<EmailInput>,
) -> Response {
    match invoicing::email_invoice(&state.app, &actor, id, body.to.as_deref()).await {
        Ok(job_id) => (StatusCode::ACCEPTED, Json(EmailQueued { job_id })).into_response(),
        Err(e) => problem(&e),
    }
}

/// Cancel a draft invoice or credit note. Anything but a draft is a 409
/// `invoice-state`: a posted document is corrected by a credit note.
#[utoipa::path(post, path = "/api/v1/invoices/{id}/cancel", tag = "invoices",
    params(("id" = i64, Path, description = "The document's id"),
        ("Idempotency-Key" = Option<String>, Header, description = "Repeat a request safely: the same key returns the first response")),
    responses((status = 200, body = InvoiceDetail), (status = 403, body = Problem), (status = 404, body = Problem),
        (status = 409, body = Problem)), security(("bearer" = [])))]
pub async fn cancel(
    State(state): State<AppState>,
    CurrentActor(actor): CurrentActor,
    IdPath(id): IdPath,
) -> Response {
    match invoicing::cancel_invoice(&state.app, &actor, id).await {
        Ok(()) => detail_response(&state, &actor, id, StatusCode::OK).await,
        Err(e) => problem(&e),
    }
}

/// One line to credit.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreditLineInput {
    /// The invoice line's number, from 1.
    pub line_no: Option<i64>,
    /// Whole units, at most what is left to credit on that line.
    pub qty: Option<i64>,
}

/// A credit note against a posted invoice. Without `lines`, everything not
/// credited yet is credited.
#[derive(Debug, Default, Deserialize, ToSchema)]
pub struct CreditNoteInput {
    pub lines: Option<Vec<CreditLineInput>>,
    /// `YYYY-MM-DD`; today when omitted.
    pub issue_date: Option<String>,
    /// Why the invoice is corrected; printed on the credit note.
    pub reason: Option<String>,
}

impl KnownFields for CreditNoteInput {
    const FIELDS: &'static [&'static str] = &["lines", "issue_date", "reason"];
}

/// Draft a credit note against a posted (or paid) invoice; post it like an
/// invoice. Too much on a line is a 422 naming `lines[n].qty`; a draft or
/// cancelled invoice is a 409 `invoice-state`.
#[utoipa::path(post, path = "/api/v1/invoices/{id}/credit-notes", tag = "invoices", request_body = CreditNoteInput,
    params(("id" = i64, Path, description = "The invoice's id"),
        ("Idempotency-Key" = Option<String>, Header, description = "Repeat a request safely: the same key returns the first response")),
    responses((status = 201, body = InvoiceDetail), (status = 403, body = Problem), (status = 404, body = Problem),
        (status = 409, body = Problem), (status = 422, body = Problem)), security(("bearer" = [])))]
pub async fn credit(
    State(state): State<AppState>,
    CurrentActor(actor): CurrentActor,
    IdPath(id): IdPath,
    ApiJson(body): ApiJson<CreditNoteInput>,
) -> Response {
    let lines = match body.lines {
        None => CreditLines::Remaining,
        Some(lines) => CreditLines::These(
            lines
                .iter()
                .map(|l| (l.line_no.unwrap_or(0), l.qty.unwrap_or(0)))
                .collect(),
        ),
    };
    let input = CreditInput {
        lines,
        issue_date: body.issue_date.unwrap_or_default(),
        reason: body.reason.unwrap_or_default(),
    };
    match invoicing::credit_invoice(&state.app, &actor, id, &input).await {
        Ok(note) => detail_response(&state, &actor, note, StatusCode::CREATED).await,
        Err(e) => problem(&e),
    }
}

/// A posted document as EN 16931 UBL 2.1 (`application/xml`). A draft is a
/// 409 `invoice-state`; a company profile or customer lacking what an
/// e-invoice needs is a 422 naming the field (`seller.vat_id`).
#[utoipa::path(get, path = "/api/v1/invoices/{id}/ubl", tag = "invoices", params(("id" = i64, Path, description = "The document's id")),
    responses((status = 200, content_type = "application/xml", body = String), (status = 403, body = Problem), (status = 404, body = Problem),
        (status = 409, body = Problem), (status = 422, body = Problem)), security(("bearer" = [])))]
pub async fn ubl(
    State(state): State<AppState>,
    CurrentActor(actor): CurrentActor,
    IdPath(id): IdPath,
) -> Response {
    match invoicing::ubl(&state.app, &actor, id).await {
        Ok(xml) => (
            [(header::CONTENT_TYPE, "application/xml; charset=utf-8")],
            xml,
        )
            .into_response(),
        Err(e) => problem(&e),
    }
}

/// A posted document as an A4 PDF (`application/pdf`). A draft is a 409
/// `invoice-state`.
#[utoipa::path(get, path = "/api/v1/invoices/{id}/pdf", tag = "invoices", params(("id" = i64, Path, description = "The document's id")),
    responses((status = 200, content_type = "application/pdf", body = Vec<u8>), (status = 403, body = Problem), (status = 404, body = Problem),
        (status = 409, body = Problem)), security(("bearer" = [])))]
pub async fn pdf(
    State(state): State<AppState>,
    CurrentActor(actor): CurrentActor,
    IdPath(id): IdPath,
) -> Response {
    match invoicing::pdf(&state.app, &actor, id).await {
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

/// A customer's payment.
#[derive(Debug, Serialize, ToSchema)]
pub struct Payment {
    pub id: i64,
    /// `PAY-2026-000001`.
    pub number: String,
    pub party_id: i64,
    pub party_name: String,
    /// `YYYY-MM-DD`.
    pub payment_date: String,
    pub currency: String,
    pub amount: String,
    pub amount_minor: i64,
    /// What it settled no invoice with: the customer's credit balance from it.
    pub unallocated: String,
    pub unallocated_minor: i64,
    /// The rate it was booked at (company currency per unit).
    pub exchange_rate: String,
    pub reference: String,
    pub bank_account: String,
    pub journal_entry_id: i64,
    pub posted_by: String,
    pub posted_at: String,
}

impl From<PaymentRow> for Payment {
    fn from(p: PaymentRow) -> Payment {
        Payment {
            id: p.id,
            amount: format_amount(p.amount_minor, &p.currency),
            unallocated: format_amount(p.unallocated_minor, &p.currency),
            exchange_rate: format_rate(p.rate_e9),
            number: p.number,
            party_id: p.party_id,
            party_name: p.party_name,
            payment_date: p.payment_date,
            amount_minor: p.amount_minor,
            unallocated_minor: p.unallocated_minor,
            reference: p.reference,
            bank_account: p.bank_account_code,
            journal_entry_id: p.journal_entry_id,
            posted_by: p.posted_by,
            posted_at: rfc3339(p.posted_at_us),
            currency: p.currency,
        }
    }
}

/// A payment with the invoices it settled.
#[derive(Debug, Serialize, ToSchema)]
pub struct PaymentDetail {
    #[serde(flatten)]
    pub payment: Payment,
    pub allocations: Vec<Allocation>,
}

fn payment_detail(row: PaymentRow, allocations: Vec<AllocationRow>) -> PaymentDetail {
    let currency = row.currency.clone();
    PaymentDetail {
        payment: row.into(),
        allocations: allocations
            .into_iter()
            .map(|a| allocation(a, &currency))
            .collect(),
    }
}

/// One page of payments, newest first.
#[derive(Debug, Serialize, ToSchema)]
pub struct PaymentList {
    pub items: Vec<Payment>,
    /// Pass as `cursor` for the next page; absent on the last one.
    pub next_cursor: Option<i64>,
}

#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PaymentListParams {
    /// Only this party's payments.
    pub party: Option<i64>,
    /// From `next_cursor` of the previous page.
    pub cursor: Option<i64>,
    /// 1 to 500; default 50.
    pub limit: Option<i64>,
}

/// List payments, newest first.
#[utoipa::path(get, path = "/api/v1/payments", tag = "invoices", params(PaymentListParams),
    responses((status = 200, body = PaymentList), (status = 403, body = Problem), (status = 422, body = Problem)), security(("bearer" = [])))]
pub async fn payments(
    State(state): State<AppState>,
    CurrentActor(actor): CurrentActor,
    Query(params): Query<PaymentListParams>,
) -> Response {
    let mut errors = FieldErrors::new();
    let limit = page_limit(params.limit, &mut errors);
    if !errors.is_empty() {
        return invalid(&errors);
    }
    match invoicing::list_payments(&state.app, &actor, params.party, params.cursor, limit).await {
        Ok((rows, next)) => Json(PaymentList {
            items: rows.into_iter().map(Payment::from).collect(),
            next_cursor: next,
        })
        .into_response(),
        Err(e) => problem(&e),
    }
}

/// One payment and what it settled.
#[utoipa::path(get, path = "/api/v1/payments/{id}", tag = "invoices", params(("id" = i64, Path, description = "The payment's id")),
    responses((status = 200, body = PaymentDetail), (status = 403, body = Problem), (status = 404, body = Problem)), security(("bearer" = [])))]
pub async fn payment(
    State(state): State<AppState>,
    CurrentActor(actor): CurrentActor,
    IdPath(id): IdPath,
) -> Response {
    match invoicing::payment(&state.app, &actor, id).await {
        Ok((row, allocations)) => Json(payment_detail(row, allocations)).into_response(),
        Err(e) => problem(&e),
    }
}

/// What a payment settles of one invoice.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AllocationInput {
    /// The invoice's id: a posted invoice of the same party and currency.
    pub invoice_id: Option<i64>,
    /// A decimal string, at most what is due on it.
    pub amount: Option<String>,
}

/// A payment received. Without `allocations`, it settles the party's open
/// invoices in its currency, oldest due first; what it does not settle is the
/// customer's credit balance.
#[derive(Debug, Default, Deserialize, ToSchema)]
pub struct PaymentInputBody {
    pub party_id: Option<i64>,
    /// A decimal string (`125.00`), more than zero.
    pub amount: Option<String>,
    /// ISO 4217; the company currency when omitted.
    pub currency: Option<String>,
    /// `YYYY-MM-DD`; today when omitted.
    pub payment_date: Option<String>,
    /// The bank's reference or the remittance text.
    pub reference: Option<String>,
    pub allocations: Option<Vec<AllocationInput>>,
}

impl KnownFields for PaymentInputBody {
    const FIELDS: &'static [&'static str] = &[
        "party_id",
        "amount",
        "currency",
        "payment_date",
        "reference",
        "allocations",
    ];
}

/// The use case names `party` and `allocations[n].invoice`; the body calls
/// them `party_id` and `allocations[n].invoice_id`.
fn payment_fields(errors: &FieldErrors) -> FieldErrors {
    let mut renamed = FieldErrors::new();
    for e in errors.iter() {
        let field = if e.field == "party" {
            "party_id".to_owned()
        } else if e.field.starts_with("allocations[") && e.field.ends_with("].invoice") {
            format!("{}_id", e.field)
        } else {
            e.field.clone()
        };
        renamed.add(&field, e.code);
    }
    renamed
}

/// Record a customer's payment: booked at the rate of its date, settling the
/// invoices named (or the oldest due first), the realised exchange
/// difference booked. Send `Idempotency-Key`: a retry must not record the
/// money twice.
#[utoipa::path(post, path = "/api/v1/payments", tag = "invoices", request_body = PaymentInputBody,
    params(("Idempotency-Key" = Option<String>, Header, description = "Repeat a request safely: the same key returns the first response")),
    responses((status = 201, body = PaymentDetail), (status = 403, body = Problem), (status = 422, body = Problem)), security(("bearer" = [])))]
pub async fn record_payment(
    State(state): State<AppState>,
    CurrentActor(actor): CurrentActor,
    ApiJson(body): ApiJson<PaymentInputBody>,
) -> Response {
    let Some(party_id) = body.party_id else {
        return invalid(&FieldErrors::one("party_id", "error-required"));
    };
    let input = PaymentInput {
        party_id,
        payment_date: body.payment_date.unwrap_or_default(),
        currency: body.currency.unwrap_or_default(),
        amount: body.amount.unwrap_or_default(),
        reference: body.reference.unwrap_or_default(),
        allocations: body
            .allocations
            .unwrap_or_default()
            .into_iter()
            .map(|a| (a.invoice_id.unwrap_or(0), a.amount.unwrap_or_default()))
            .collect(),
    };
    let recorded = match invoicing::record_payment(&state.app, &actor, &input).await {
        Ok(r) => r,
        Err(AppError::Invalid(errors)) => return invalid(&payment_fields(&errors)),
        Err(e) => return problem(&e),
    };
    match invoicing::payment(&state.app, &actor, recorded.id).await {
        Ok((row, allocations)) => {
            (StatusCode::CREATED, Json(payment_detail(row, allocations))).into_response()
        }
        Err(e) => problem(&e),
    }
}

/// An exchange rate: what one unit of `currency` buys in the company currency
/// from `date` on.
#[derive(Debug, Serialize, ToSchema)]
pub struct ExchangeRate {
    pub currency: String,
    /// `YYYY-MM-DD`.
    pub date: String,
    /// A decimal string with up to nine decimals.
    pub rate: String,
    /// The rate times 10^9.
    pub rate_e9: i64,
    pub created_by: String,
}

impl From<RateRow> for ExchangeRate {
    fn from(r: RateRow) -> ExchangeRate {
        ExchangeRate {
            currency: r.currency,
            date: r.rate_date,
            rate: format_rate(r.rate_e9),
            rate_e9: r.rate_e9,
            created_by: r.created_by,
        }
    }
}

/// The latest exchange rates, newest first.
#[derive(Debug, Serialize, ToSchema)]
pub struct ExchangeRateList {
    pub items: Vec<ExchangeRate>,
}

/// The latest 200 exchange rates, newest first.
#[utoipa::path(get, path = "/api/v1/exchange-rates", tag = "invoices",
    responses((status = 200, body = ExchangeRateList), (status = 403, body = Problem)), security(("bearer" = [])))]
pub async fn rates(State(state): State<AppState>, CurrentActor(actor): CurrentActor) -> Response {
    match invoicing::rates(&state.app, &actor).await {
        Ok(rows) => Json(ExchangeRateList {
            items: rows.into_iter().map(ExchangeRate::from).collect(),
        })
        .into_response(),
        Err(e) => problem(&e),
    }
}

/// A rate to set.
#[derive(Debug, Default, Deserialize, ToSchema)]
pub struct ExchangeRateInput {
    /// ISO 4217, not the company currency.
    pub currency: Option<String>,
    /// A decimal string: company currency per unit (`11.2345`).
    pub rate: Option<String>,
    /// `YYYY-MM-DD`; today when omitted.
    pub date: Option<String>,
}

impl KnownFields for ExchangeRateInput {
    const FIELDS: &'static [&'static str] = &["currency", "rate", "date"];
}

/// Set the rate of a foreign currency from a date on (replacing one set for
/// the same day).
#[utoipa::path(post, path = "/api/v1/exchange-rates", tag = "invoices", request_body = ExchangeRateInput,
    params(("Idempotency-Key" = Option<String>, Header, description = "Repeat a request safely: the same key returns the first response")),
    responses((status = 201, body = ExchangeRate), (status = 403, body = Problem), (status = 422, body = Problem)), security(("bearer" = [])))]
pub async fn set_rate(
    State(state): State<AppState>,
    CurrentActor(actor): CurrentActor,
    ApiJson(body): ApiJson<ExchangeRateInput>,
) -> Response {
    let currency = body.currency.unwrap_or_default();
    let rate = body.rate.unwrap_or_default();
    let date = dates(&actor, body.date.as_deref(), None, None).at;
    if let Err(e) = invoicing::set_rate(&state.app, &actor, &currency, &date, &rate).await {
        return problem(&e);
    }
    let rate_e9 = parse_rate(&rate).unwrap_or_default();
    (
        StatusCode::CREATED,
        Json(ExchangeRate {
            currency: parse_currency(&currency).unwrap_or(currency),
            date,
            rate: format_rate(rate_e9),
            rate_e9,
            created_by: actor.username.clone(),
        }),
    )
        .into_response()
}

/// Receivables per aging bucket, in the company currency.
#[derive(Debug, Serialize, ToSchema)]
pub struct AgingAmounts {
    /// Not yet due.
    pub current: String,
    pub current_minor: i64,
    pub days_1_30: String,
    pub days_1_30_minor: i64,
    pub days_31_60: String,
    pub days_31_60_minor: i64,
    pub days_61_90: String,
    pub days_61_90_minor: i64,
    pub over_90: String,
    pub over_90_minor: i64,
    pub total: String,
    pub total_minor: i64,
}

fn aging_amounts(buckets: &[i64; 5], total: i64, currency: &str) -> AgingAmounts {
    let [current, d30, d60, d90, over] = *buckets;
    let money = |minor: i64| format_amount(minor, currency);
    AgingAmounts {
        current: money(current),
        current_minor: current,
        days_1_30: money(d30),
        days_1_30_minor: d30,
        days_31_60: money(d60),
        days_31_60_minor: d60,
        days_61_90: money(d90),
        days_61_90_minor: d90,
        over_90: money(over),
        over_90_minor: over,
        total: money(total),
        total_minor: total,
    }
}

/// What one customer owed at the date.
#[derive(Debug, Serialize, ToSchema)]
pub struct AgingRow {
    pub party_id: i64,
    pub party_name: String,
    #[serde(flatten)]
    pub amounts: AgingAmounts,
}

/// Receivables by how long they are overdue.
#[derive(Debug, Serialize, ToSchema)]
pub struct AgingResponse {
    pub at: String,
    /// The company currency every amount is in.
    pub currency: String,
    /// The bucket names in order: `current`, `1-30`, `31-60`, `61-90`, `over-90`.
    pub buckets: Vec<String>,
    pub rows: Vec<AgingRow>,
    pub totals: AgingAmounts,
}

impl From<AgingReport> for AgingResponse {
    fn from(r: AgingReport) -> AgingResponse {
        let currency = r.currency.clone();
        AgingResponse {
            totals: aging_amounts(&r.totals, r.total, &currency),
            rows: r
                .rows
                .into_iter()
                .map(|row| AgingRow {
                    amounts: aging_amounts(&row.buckets, row.total, &currency),
                    party_id: row.party_id,
                    party_name: row.party_name,
                })
                .collect(),
            buckets: AgingBucket::ALL
                .iter()
                .map(|b| b.name().to_owned())
                .collect(),
            at: r.at,
            currency,
        }
    }
}

#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AgingParams {
    /// `YYYY-MM-DD`; default today in the user's time zone.
    pub at: Option<String>,
}

/// The receivables aging at a date: what each customer owed, current and
/// 1–30, 31–60, 61–90 and over 90 days past due, in the company currency at
/// each invoice's booked rate.
#[utoipa::path(get, path = "/api/v1/reports/aging", tag = "invoices", params(AgingParams),
    responses((status = 200, body = AgingResponse), (status = 403, body = Problem), (status = 422, body = Problem)), security(("bearer" = [])))]
pub async fn aging(
    State(state): State<AppState>,
    CurrentActor(actor): CurrentActor,
    Query(params): Query<AgingParams>,
) -> Response {
    let at = dates(&actor, params.at.as_deref(), None, None).at;
    match invoicing::aging(&state.app, &actor, &at).await {
        Ok(report) => Json(AgingResponse::from(report)).into_response(),
        Err(e) => problem(&e),
    }
}

/// One document or payment on a statement, with the balance after it.
#[derive(Debug, Serialize, ToSchema)]
pub struct StatementLine {
    pub date: String,
    /// `invoice`, `credit_note` or `payment`.
    pub kind: String,
    pub number: String,
    /// The document's or payment's id.
    pub id: i64,
    pub debit: String,
    pub debit_minor: i64,
    pub credit: String,
    pub credit_minor: i64,
    pub balance: String,
    pub balance_minor: i64,
}

/// The account in one currency.
#[derive(Debug, Serialize, ToSchema)]
pub struct StatementCurrency {
    pub currency: String,
    pub opening: String,
    pub opening_minor: i64,
    pub lines: Vec<StatementLine>,
    pub closing: String,
    pub closing_minor: i64,
}

fn section(s: StatementSection) -> StatementCurrency {
    let c = s.currency.clone();
    let money = |minor: i64| format_amount(minor, &c);
    StatementCurrency {
        opening: money(s.opening_minor),
        opening_minor: s.opening_minor,
        closing: money(s.closing_minor),
        closing_minor: s.closing_minor,
        lines: s
            .lines
            .into_iter()
            .map(|l| StatementLine {
                debit: money(l.row.debit_minor),
                debit_minor: l.row.debit_minor,
                credit: money(l.row.credit_minor),
                credit_minor: l.row.credit_minor,
                balance: money(l.balance_minor),
                balance_minor: l.balance_minor,
                date: l.row.date,
                kind: l.row.kind,
                number: l.row.number,
                id: l.row.id,
            })
            .collect(),
        currency: s.currency,
    }
}

/// What a customer was invoiced, credited and paid over a period.
#[derive(Debug, Serialize, ToSchema)]
pub struct Statement {
    pub party_id: i64,
    pub from: String,
    pub to: String,
    /// One per currency the customer dealt in.
    pub currencies: Vec<StatementCurrency>,
}

#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct StatementParams {
    /// `YYYY-MM-DD`; default the first of January of this year.
    pub from: Option<String>,
    /// `YYYY-MM-DD`; default today in the user's time zone.
    pub to: Option<String>,
}

/// A customer's statement: opening balance, every posted document and
/// payment dated in the period, the running balance and the closing balance,
/// per currency.
#[utoipa::path(get, path = "/api/v1/parties/{id}/statement", tag = "invoices",
    params(("id" = i64, Path, description = "The party's id"), StatementParams),
    responses((status = 200, body = Statement), (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)),
    security(("bearer" = [])))]
pub async fn statement(
    State(state): State<AppState>,
    CurrentActor(actor): CurrentActor,
    IdPath(id): IdPath,
    Query(params): Query<StatementParams>,
) -> Response {
    let d = dates(&actor, None, params.from.as_deref(), params.to.as_deref());
    match invoicing::statement(&state.app, &actor, id, &d.from, &d.to).await {
        Ok(sections) => Json(Statement {
            party_id: id,
            from: d.from,
            to: d.to,
            currencies: sections.into_iter().map(section).collect(),
        })
        .into_response(),
        Err(e) => problem(&e),
    }
}

/// The company as its invoices name it, and the currency of its books.
#[derive(Debug, Default, Serialize, Deserialize, ToSchema)]
pub struct Company {
    pub name: String,
    pub vat_id: String,
    /// The registration number.
    pub legal_id: String,
    pub street: String,
    pub postcode: String,
    pub city: String,
    /// ISO 3166-1 alpha-2.
    pub country: String,
    pub email: String,
    pub iban: String,
    /// ISO 4217: the currency the books are kept in.
    pub currency: String,
}

impl From<CompanyProfile> for Company {
    fn from(p: CompanyProfile) -> Company {
        Company {
            name: p.name,
            vat_id: p.vat_id,
            legal_id: p.legal_id,
            street: p.street,
            postcode: p.postcode,
            city: p.city,
            country: p.country,
            email: p.email,
            iban: p.iban,
            currency: p.currency,
        }
    }
}

/// The company profile to store; omitted fields are empty, so a `PUT`
/// replaces every field.
#[derive(Debug, Default, Deserialize, ToSchema)]
pub struct CompanyInput {
    pub name: Option<String>,
    pub vat_id: Option<String>,
    pub legal_id: Option<String>,
    pub street: Option<String>,
    pub postcode: Option<String>,
    pub city: Option<String>,
    pub country: Option<String>,
    pub email: Option<String>,
    pub iban: Option<String>,
    pub currency: Option<String>,
}

impl KnownFields for CompanyInput {
    const FIELDS: &'static [&'static str] = &[
        "name", "vat_id", "legal_id", "street", "postcode", "city", "country", "email", "iban",
        "currency",
    ];
}

/// The company profile: the seller on every invoice.
#[utoipa::path(get, path = "/api/v1/company", tag = "invoices",
    responses((status = 200, body = Company), (status = 401, body = Problem)), security(("bearer" = [])))]
pub async fn company_profile(State(state): State<AppState>) -> Response {
    match company::profile(&state.app).await {
        Ok(p) => Json(Company::from(p)).into_response(),
        Err(e) => problem(&e),
    }
}

/// Replace the company profile. `name` and `currency` are required.
#[utoipa::path(put, path = "/api/v1/company", tag = "invoices", request_body = CompanyInput,
    responses((status = 200, body = Company), (status = 403, body = Problem), (status = 422, body = Problem)), security(("bearer" = [])))]
pub async fn update_company(
    State(state): State<AppState>,
    CurrentActor(actor): CurrentActor,
    ApiJson(body): ApiJson<CompanyInput>,
) -> Response {
    let text = |o: Option<String>| o.unwrap_or_default();
    let draft = CompanyProfile {
        name: text(body.name),
        vat_id: text(body.vat_id),
        legal_id: text(body.legal_id),
        street: text(body.street),
        postcode: text(body.postcode),
        city: text(body.city),
        country: text(body.country),
        email: text(body.email),
        iban: text(body.iban),
        currency: text(body.currency),
    };
    if let Err(e) = company::update_profile(&state.app, &actor, &draft).await {
        return problem(&e);
    }
    company_profile(State(state)).await
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn payment_errors_are_named_as_the_body_names_them() {
        let mut errors = FieldErrors::one("party", "error-unknown-party");
        errors.add("allocations[2].invoice", "error-unknown-invoice");
        errors.add("allocations[2].amount", "error-amount");
        let renamed: Vec<String> = payment_fields(&errors)
            .iter()
            .map(|e| e.field.clone())
            .collect();
        assert_eq!(
            renamed,
            [
                "party_id",
                "allocations[2].invoice_id",
                "allocations[2].amount"
            ]
        );
    }
}
