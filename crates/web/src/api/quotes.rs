//! `/api/v1/quotes`: sales quotes for integrators. Create a draft, read it,
//! send it (numbered), accept it (a draft sales order with the same lines
//! and prices) or decline it.

use axum::Json;
use axum::extract::{Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use seam_app::AppError;
use seam_app::quotes::{self, LineInput, QuoteDetail, QuoteFilter, QuoteInput, QuoteRow};
use seam_domain::FieldErrors;
use seam_domain::ids::{PartyId, SalesQuoteId};
use seam_domain::ledger::format_amount;
use seam_domain::quote::QuoteState;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::json::{ApiJson, KnownFields};
use super::problem::Problem;
use super::rfc3339;
use super::sales::{SalesOrderLineInput, VatBreakdown, VersionParams};
use crate::AppState;
use crate::pages::IdPath;
use crate::who::CurrentActor;

/// Rows per page when the client does not say.
pub const QUOTE_LIMIT_DEFAULT: i64 = 50;

fn problem(err: &AppError) -> Response {
    Problem::from_app_error(err, &crate::current_request_id()).into_response()
}

fn invalid(errors: &FieldErrors) -> Response {
    Problem::invalid(errors, &crate::current_request_id()).into_response()
}

/// A quote's header.
#[derive(Debug, Serialize, ToSchema)]
pub struct Quote {
    pub id: i64,
    /// `QU-2026-000001`, given when sent; absent on a draft.
    pub number: Option<String>,
    pub customer_id: i64,
    pub customer_name: String,
    /// `draft`, `sent`, `accepted`, `declined`, or `expired` (a sent quote
    /// past `valid_until`).
    pub state: String,
    /// `YYYY-MM-DD`.
    pub quote_date: String,
    /// `YYYY-MM-DD`: the last day it may be accepted.
    pub valid_until: String,
    pub currency: String,
    pub net: String,
    pub net_minor: i64,
    pub vat: String,
    pub vat_minor: i64,
    pub total: String,
    pub total_minor: i64,
    /// The sales order an accepted quote became.
    pub order_id: Option<i64>,
    /// Why it was declined; empty when no reason was given.
    pub decline_reason: String,
    /// Pass back as `version` to act on exactly what was read.
    pub version: i64,
    pub created_at: String,
    pub updated_at: String,
}

impl From<QuoteRow> for Quote {
    fn from(q: QuoteRow) -> Quote {
        Quote {
            id: q.id,
            state: quotes::state_of(&q).name().to_owned(),
            number: q.number,
            customer_id: q.party_id,
            customer_name: q.party_name,
            quote_date: q.quote_date,
            valid_until: q.valid_until,
            net: format_amount(q.net_minor, &q.currency),
            net_minor: q.net_minor,
            vat: format_amount(q.vat_minor, &q.currency),
            vat_minor: q.vat_minor,
            total: format_amount(q.total_minor, &q.currency),
            total_minor: q.total_minor,
            currency: q.currency,
            order_id: q.order_id,
            decline_reason: q.decline_reason,
            version: q.version,
            created_at: rfc3339(q.created_at_us),
            updated_at: rfc3339(q.updated_at_us),
        }
    }
}

/// One line of a quote.
#[derive(Debug, Serialize, ToSchema)]
pub struct QuoteLine {
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

/// A quote with its lines and VAT breakdown.
#[derive(Debug, Serialize, ToSchema)]
pub struct QuoteWithLines {
    #[serde(flatten)]
    pub quote: Quote,
    pub lines: Vec<QuoteLine>,
    pub vat_breakdown: Vec<VatBreakdown>,
}

impl From<QuoteDetail> for QuoteWithLines {
    fn from(d: QuoteDetail) -> QuoteWithLines {
        let currency = d.quote.currency.clone();
        QuoteWithLines {
            lines: d
                .lines
                .into_iter()
                .map(|l| QuoteLine {
                    line_no: l.line_no,
                    product_id: l.product_id,
                    sku: l.sku,
                    description: l.description,
                    qty: l.qty,
                    unit_price: format_amount(l.unit_price_minor, &currency),
                    unit_price_minor: l.unit_price_minor,
                    tax_rate: l.tax_rate_code,
                    vat_basis_points: l.vat_basis_points,
                    line_net: format_amount(l.line_net_minor, &currency),
                    line_net_minor: l.line_net_minor,
                })
                .collect(),
            vat_breakdown: d.totals.breakdown.into_iter().map(Into::into).collect(),
            quote: d.quote.into(),
        }
    }
}

/// One page of quotes, newest first.
#[derive(Debug, Serialize, ToSchema)]
pub struct QuoteList {
    pub items: Vec<Quote>,
    /// Pass as `cursor` for the next page; absent on the last one.
    pub next_cursor: Option<i64>,
}

#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListParams {
    /// `draft`, `sent`, `accepted`, `declined` or `expired`.
    pub state: Option<String>,
    /// Only this customer's quotes.
    pub customer_id: Option<i64>,
    /// From `next_cursor` of the previous page.
    pub cursor: Option<i64>,
    /// 1 to 500; default 50.
    pub limit: Option<i64>,
}

/// List quotes, newest first, filtered by state and customer.
#[utoipa::path(get, path = "/api/v1/quotes", tag = "sales", params(ListParams),
    responses((status = 200, body = QuoteList), (status = 403, body = Problem), (status = 422, body = Problem)), security(("bearer" = [])))]
pub async fn list(
    State(state): State<AppState>,
    CurrentActor(actor): CurrentActor,
    Query(params): Query<ListParams>,
) -> Response {
    let quote_state = match params.state.as_deref() {
        None => None,
        Some(s) => match QuoteState::parse(s) {
            Some(s) => Some(s),
            None => return invalid(&FieldErrors::one("state", "error-quote-state-unknown")),
        },
    };
    let filter = QuoteFilter {
        state: quote_state,
        party: params.customer_id.map(PartyId),
    };
    let limit = params.limit.unwrap_or(QUOTE_LIMIT_DEFAULT);
    match quotes::list_quotes(
        &state.app,
        &actor,
        &filter,
        params.cursor.map(SalesQuoteId),
        limit,
    )
    .await
    {
        Ok((rows, next)) => Json(QuoteList {
            items: rows.into_iter().map(Quote::from).collect(),
            next_cursor: next.map(|n| n.0),
        })
        .into_response(),
        Err(e) => problem(&e),
    }
}

/// A new draft quote. Errors name lines by position from 1: `lines[2].qty`.
#[derive(Debug, Default, Deserialize, ToSchema)]
pub struct QuoteInputBody {
    /// A party marked as a customer.
    pub customer_id: Option<i64>,
    /// `YYYY-MM-DD`; today when omitted.
    pub quote_date: Option<String>,
    /// `YYYY-MM-DD`; 30 days after the quote date when omitted.
    pub valid_until: Option<String>,
    /// The products' currency when omitted.
    pub currency: Option<String>,
    pub lines: Option<Vec<SalesOrderLineInput>>,
}

impl KnownFields for QuoteInputBody {
    const FIELDS: &'static [&'static str] = &[
        "customer_id",
        "quote_date",
        "valid_until",
        "currency",
        "lines",
    ];
}

async fn detail_response(
    state: &AppState,
    actor: &seam_app::Actor,
    id: SalesQuoteId,
    status: StatusCode,
) -> Response {
    match quotes::quote_detail(&state.app, actor, id).await {
        Ok(d) => (status, Json(QuoteWithLines::from(d))).into_response(),
        Err(e) => problem(&e),
    }
}

/// Create a draft quote. Send `Idempotency-Key` to make retries safe.
#[utoipa::path(post, path = "/api/v1/quotes", tag = "sales", request_body = QuoteInputBody,
    params(("Idempotency-Key" = Option<String>, Header, description = "Repeat a request safely: the same key returns the first response")),
    responses((status = 201, body = QuoteWithLines), (status = 403, body = Problem), (status = 422, body = Problem)), security(("bearer" = [])))]
pub async fn create(
    State(state): State<AppState>,
    CurrentActor(actor): CurrentActor,
    ApiJson(body): ApiJson<QuoteInputBody>,
) -> Response {
    let input = QuoteInput {
        customer: body.customer_id.map(PartyId),
        quote_date: body.quote_date.unwrap_or_default(),
        valid_until: body.valid_until.unwrap_or_default(),
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
    match quotes::create_quote(&state.app, &actor, &input).await {
        Ok(id) => detail_response(&state, &actor, id, StatusCode::CREATED).await,
        Err(e) => problem(&e),
    }
}

/// One quote with its lines and VAT breakdown.
#[utoipa::path(get, path = "/api/v1/quotes/{id}", tag = "sales", params(("id" = i64, Path, description = "The quote's id")),
    responses((status = 200, body = QuoteWithLines), (status = 403, body = Problem), (status = 404, body = Problem)), security(("bearer" = [])))]
pub async fn detail(
    State(state): State<AppState>,
    CurrentActor(actor): CurrentActor,
    IdPath(id): IdPath,
) -> Response {
    detail_response(&state, &actor, SalesQuoteId(id), StatusCode::OK).await
}

/// A numbered quote as an A4 PDF (`application/pdf`) to send to the
/// customer. A draft is a 409 `error-quote-state`.
#[utoipa::path(get, path = "/api/v1/quotes/{id}/pdf", tag = "sales", params(("id" = i64, Path, description = "The quote's id")),
    responses((status = 200, content_type = "application/pdf", body = Vec<u8>), (status = 403, body = Problem), (status = 404, body = Problem),
        (status = 409, body = Problem)), security(("bearer" = [])))]
pub async fn pdf(
    State(state): State<AppState>,
    CurrentActor(actor): CurrentActor,
    IdPath(id): IdPath,
) -> Response {
    match quotes::pdf(&state.app, &actor, SalesQuoteId(id)).await {
        Ok(bytes) => (
            [
                (header::CONTENT_TYPE, "application/pdf".to_owned()),
                (
                    header::CONTENT_DISPOSITION,
                    format!("inline; filename=\"quote-{id}.pdf\""),
                ),
            ],
            bytes,
        )
            .into_response(),
        Err(e) => problem(&e),
    }
}

/// Send a draft: it gets its number (`QU-2026-000001`). Anything but a
/// draft is a 409 `error-quote-state`; a valid-until date already past is a
/// 422 naming `valid_until`.
#[utoipa::path(post, path = "/api/v1/quotes/{id}/send", tag = "sales",
    params(("id" = i64, Path, description = "The quote's id"), VersionParams,
        ("Idempotency-Key" = Option<String>, Header, description = "Repeat a request safely: the same key returns the first response")),
    responses((status = 200, body = QuoteWithLines), (status = 403, body = Problem), (status = 404, body = Problem),
        (status = 409, body = Problem), (status = 422, body = Problem)), security(("bearer" = [])))]
pub async fn send(
    State(state): State<AppState>,
    CurrentActor(actor): CurrentActor,
    IdPath(id): IdPath,
    Query(params): Query<VersionParams>,
) -> Response {
    match quotes::send_quote(&state.app, &actor, SalesQuoteId(id), params.version).await {
        Ok(_) => detail_response(&state, &actor, SalesQuoteId(id), StatusCode::OK).await,
        Err(e) => problem(&e),
    }
}

/// Accept a sent quote that has not expired: a draft sales order is created
/// with the quote's lines and prices, and the quote's `order_id` names it.
/// A draft, declined, expired or already accepted quote is a 409
/// `error-quote-state`, and nothing is written.
#[utoipa::path(post, path = "/api/v1/quotes/{id}/accept", tag = "sales",
    params(("id" = i64, Path, description = "The quote's id"), VersionParams,
        ("Idempotency-Key" = Option<String>, Header, description = "Repeat a request safely: the same key returns the first response")),
    responses((status = 200, body = QuoteWithLines), (status = 403, body = Problem), (status = 404, body = Problem),
        (status = 409, body = Problem)), security(("bearer" = [])))]
pub async fn accept(
    State(state): State<AppState>,
    CurrentActor(actor): CurrentActor,
    IdPath(id): IdPath,
    Query(params): Query<VersionParams>,
) -> Response {
    match quotes::accept_quote(&state.app, &actor, SalesQuoteId(id), params.version).await {
        Ok(_) => detail_response(&state, &actor, SalesQuoteId(id), StatusCode::OK).await,
        Err(e) => problem(&e),
    }
}

/// Why a quote is declined.
#[derive(Debug, Default, Deserialize, ToSchema)]
pub struct DeclineInput {
    /// Up to 500 characters; optional.
    pub reason: Option<String>,
}

impl KnownFields for DeclineInput {
    const FIELDS: &'static [&'static str] = &["reason"];
}

/// Decline a sent quote that has not expired, with an optional reason.
/// Anything else is a 409 `error-quote-state`.
#[utoipa::path(post, path = "/api/v1/quotes/{id}/decline", tag = "sales", request_body = DeclineInput,
    params(("id" = i64, Path, description = "The quote's id"), VersionParams,
        ("Idempotency-Key" = Option<String>, Header, description = "Repeat a request safely: the same key returns the first response")),
    responses((status = 200, body = QuoteWithLines), (status = 403, body = Problem), (status = 404, body = Problem),
        (status = 409, body = Problem), (status = 422, body = Problem)), security(("bearer" = [])))]
pub async fn decline(
    State(state): State<AppState>,
    CurrentActor(actor): CurrentActor,
    IdPath(id): IdPath,
    Query(params): Query<VersionParams>,
    ApiJson(body): ApiJson<DeclineInput>,
) -> Response {
    let reason = body.reason.unwrap_or_default();
    match quotes::decline_quote(
        &state.app,
        &actor,
        SalesQuoteId(id),
        params.version,
        &reason,
    )
    .await
    {
        Ok(_) => detail_response(&state, &actor, SalesQuoteId(id), StatusCode::OK).await,
        Err(e) => problem(&e),
    }
}
