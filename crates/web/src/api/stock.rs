//! `/api/v1/stock-levels`, `/api/v1/stock-moves`, `/api/v1/stock/receipts`,
//! `/api/v1/stock/adjustments` and `/api/v1/warehouses`: stock for
//! integrators. Quantities are whole units of the product's unit.

use axum::Json;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use seam_app::stock::{self, LevelCursor, LevelFilter, MoveFilter, MoveInput, MoveRow};
use seam_app::{Actor, AppError};
use seam_domain::FieldErrors;
use seam_domain::ids::StockMoveId;
use seam_domain::stock::{MoveDraft, WarehouseDraft};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::json::{ApiJson, KnownFields};
use super::problem::Problem;
use super::rfc3339;
use crate::AppState;
use crate::who::CurrentActor;

fn problem(err: &AppError) -> Response {
    Problem::from_app_error(err, &crate::current_request_id()).into_response()
}

fn invalid(errors: &FieldErrors) -> Response {
    Problem::invalid(errors, &crate::current_request_id()).into_response()
}

/// How much of a product lies in one warehouse.
#[derive(Debug, Serialize, ToSchema)]
pub struct StockLevel {
    pub product_id: i64,
    pub sku: String,
    pub product_name: String,
    /// UN/ECE Recommendation 20 code of the unit the quantities count.
    pub unit: String,
    pub warehouse: String,
    pub on_hand_qty: i64,
    pub reserved_qty: i64,
    /// On hand less reserved: what can still be promised.
    pub available_qty: i64,
}

/// One page of levels, by product name then warehouse.
#[derive(Debug, Serialize, ToSchema)]
pub struct StockLevelList {
    pub items: Vec<StockLevel>,
    /// Pass as `cursor` for the next page; absent on the last one.
    pub next_cursor: Option<String>,
}

#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct LevelParams {
    /// Words to find at the start of words of the SKU or the product name.
    pub q: Option<String>,
    /// Only this warehouse's code.
    pub warehouse: Option<String>,
    /// From `next_cursor` of the previous page.
    pub cursor: Option<String>,
    /// 1 to 500; default 50.
    pub limit: Option<i64>,
}

async fn warehouse_id(
    state: &AppState,
    actor: &Actor,
    code: Option<&str>,
) -> Result<Option<i64>, Response> {
    let Some(code) = code else { return Ok(None) };
    let all = stock::warehouses(&state.app, actor)
        .await
        .map_err(|e| problem(&e))?;
    match all
        .iter()
        .find(|w| w.code.eq_ignore_ascii_case(code.trim()))
    {
        Some(w) => Ok(Some(w.id)),
        None => Err(invalid(&FieldErrors::one(
            "warehouse",
            "error-unknown-warehouse",
        ))),
    }
}

/// Stock levels per product and warehouse, a page at a time.
#[utoipa::path(get, path = "/api/v1/stock-levels", tag = "stock", params(LevelParams),
    responses((status = 200, body = StockLevelList), (status = 401, body = Problem), (status = 403, body = Problem), (status = 422, body = Problem)),
    security(("bearer" = [])))]
pub async fn levels(
    State(state): State<AppState>,
    CurrentActor(actor): CurrentActor,
    Query(params): Query<LevelParams>,
) -> Response {
    let mut errors = FieldErrors::new();
    let limit = super::page_limit(params.limit, &mut errors);
    let cursor = match params.cursor.as_deref() {
        Some(c) => LevelCursor::decode(c).or_else(|| {
            errors.add("cursor", "error-cursor");
            None
        }),
        None => None,
    };
    if !errors.is_empty() {
        return invalid(&errors);
    }
    let warehouse_id = match warehouse_id(&state, &actor, params.warehouse.as_deref()).await {
        Ok(id) => id,
        Err(response) => return response,
    };
    let filter = LevelFilter {
        warehouse_id,
        text: params.q.filter(|q| !q.trim().is_empty()),
        ..LevelFilter::default()
    };
    match stock::stock_levels(&state.app, &actor, &filter, cursor.as_ref(), limit).await {
        Ok(page) => Json(StockLevelList {
            items: page
                .rows
                .iter()
                .map(|r| StockLevel {
                    product_id: r.product_id,
                    sku: r.sku.clone(),
                    product_name: r.product_name.clone(),
                    unit: r.unit.clone(),
                    warehouse: r.warehouse_code.clone(),
                    on_hand_qty: r.on_hand_qty,
                    reserved_qty: r.reserved_qty,
                    available_qty: r.level().available(),
                })
                .collect(),
            next_cursor: page.next.map(|c| c.encode()),
        })
        .into_response(),
        Err(e) => problem(&e),
    }
}

/// A posted stock move; never changed afterwards.
#[derive(Debug, Serialize, ToSchema)]
pub struct StockMove {
    pub id: i64,
    /// Gapless per year, e.g. `SM-2026-000042`.
    pub number: String,
    pub product_id: i64,
    pub sku: String,
    pub warehouse: String,
    /// `YYYY-MM-DD`.
    pub date: String,
    /// `receipt`, `adjustment`, `issue` or `return`.
    pub kind: String,
    /// Signed change of on-hand stock, in whole units.
    pub qty: i64,
    /// A receipt's reference or an adjustment's reason.
    pub reference: String,
    pub posted_by: String,
    /// RFC 3339.
    pub posted_at: String,
}

impl From<MoveRow> for StockMove {
    fn from(row: MoveRow) -> StockMove {
        StockMove {
            id: row.id,
            number: row.number,
            product_id: row.product_id,
            sku: row.sku,
            warehouse: row.warehouse_code,
            date: row.move_date,
            kind: row.kind,
            qty: row.qty,
            reference: row.reference,
            posted_by: row.posted_by,
            posted_at: rfc3339(row.posted_at_us),
        }
    }
}

/// One page of moves, newest first.
#[derive(Debug, Serialize, ToSchema)]
pub struct StockMoveList {
    pub items: Vec<StockMove>,
    /// Pass as `before` for the next page; absent on the last one.
    pub next_before: Option<i64>,
}

#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct MoveParams {
    /// Only moves of this product.
    pub product_id: Option<i64>,
    /// Only moves in this warehouse (its code).
    pub warehouse: Option<String>,
    /// From `next_before` of the previous page.
    pub before: Option<i64>,
    /// 1 to 500; default 50.
    pub limit: Option<i64>,
}

/// The journal of stock moves, newest first.
#[utoipa::path(get, path = "/api/v1/stock-moves", tag = "stock", params(MoveParams),
    responses((status = 200, body = StockMoveList), (status = 401, body = Problem), (status = 403, body = Problem), (status = 422, body = Problem)),
    security(("bearer" = [])))]
pub async fn moves(
    State(state): State<AppState>,
    CurrentActor(actor): CurrentActor,
    Query(params): Query<MoveParams>,
) -> Response {
    let mut errors = FieldErrors::new();
    let limit = super::page_limit(params.limit, &mut errors);
    if !errors.is_empty() {
        return invalid(&errors);
    }
    let warehouse_id = match warehouse_id(&state, &actor, params.warehouse.as_deref()).await {
        Ok(id) => id,
        Err(response) => return response,
    };
    let filter = MoveFilter {
        product_id: params.product_id,
        warehouse_id,
    };
    let before = params.before.map(StockMoveId);
    match stock::moves(&state.app, &actor, &filter, before, limit).await {
        Ok((rows, next)) => Json(StockMoveList {
            items: rows.into_iter().map(StockMove::from).collect(),
            next_before: next.map(|n| n.0),
        })
        .into_response(),
        Err(e) => problem(&e),
    }
}

/// A receipt or an adjustment. Omitted fields are empty.
#[derive(Debug, Default, Deserialize, ToSchema)]
pub struct StockMoveInput {
    /// The product's SKU (goods only).
    pub sku: Option<String>,
    /// The warehouse's code; `MAIN` when omitted.
    pub warehouse: Option<String>,
    /// Whole units: positive for a receipt, non-zero either way for an adjustment.
    pub qty: Option<i64>,
    /// `YYYY-MM-DD`.
    pub date: Option<String>,
    /// A receipt's delivery note or supplier invoice (optional).
    pub reference: Option<String>,
    /// Why an adjustment changes the count (required for adjustments).
    pub reason: Option<String>,
}

impl KnownFields for StockMoveInput {
    const FIELDS: &'static [&'static str] =
        &["sku", "warehouse", "qty", "date", "reference", "reason"];
}

impl StockMoveInput {
    fn input(self, text: Option<String>) -> MoveInput {
        MoveInput {
            product: self.sku.unwrap_or_default(),
            warehouse: self.warehouse.unwrap_or_default(),
            draft: MoveDraft {
                qty: self.qty.map(|q| q.to_string()).unwrap_or_default(),
                date: self.date.unwrap_or_default(),
                text: text.unwrap_or_default(),
            },
        }
    }
}

/// Receive goods. Send `Idempotency-Key` to make retries safe.
#[utoipa::path(post, path = "/api/v1/stock/receipts", tag = "stock", request_body = StockMoveInput,
    params(("Idempotency-Key" = Option<String>, Header, description = "Repeat a request safely: the same key returns the first response")),
    responses((status = 201, body = StockMove), (status = 403, body = Problem), (status = 422, body = Problem)), security(("bearer" = [])))]
pub async fn receive(
    State(state): State<AppState>,
    CurrentActor(actor): CurrentActor,
    ApiJson(body): ApiJson<StockMoveInput>,
) -> Response {
    if body.reason.is_some() {
        return invalid(&FieldErrors::one("reason", "error-unknown-field"));
    }
    let reference = body.reference.clone();
    match stock::receive(&state.app, &actor, &body.input(reference)).await {
        Ok(row) => (StatusCode::CREATED, Json(StockMove::from(row))).into_response(),
        Err(e) => problem(&e),
    }
}

/// Correct a count by a signed delta, with a reason. Refused (422) when on
/// hand would fall below zero or below what is reserved. Send `Idempotency-Key`.
#[utoipa::path(post, path = "/api/v1/stock/adjustments", tag = "stock", request_body = StockMoveInput,
    params(("Idempotency-Key" = Option<String>, Header, description = "Repeat a request safely: the same key returns the first response")),
    responses((status = 201, body = StockMove), (status = 403, body = Problem), (status = 422, body = Problem)), security(("bearer" = [])))]
pub async fn adjust(
    State(state): State<AppState>,
    CurrentActor(actor): CurrentActor,
    ApiJson(body): ApiJson<StockMoveInput>,
) -> Response {
    if body.reference.is_some() {
        return invalid(&FieldErrors::one("reference", "error-unknown-field"));
    }
    let reason = body.reason.clone();
    match stock::adjust(&state.app, &actor, &body.input(reason)).await {
        Ok(row) => (StatusCode::CREATED, Json(StockMove::from(row))).into_response(),
        Err(e) => problem(&e),
    }
}

/// A place where goods are kept.
#[derive(Debug, Serialize, ToSchema)]
pub struct Warehouse {
    pub id: i64,
    pub code: String,
    pub name: String,
    pub archived: bool,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct WarehouseList {
    pub items: Vec<Warehouse>,
}

/// A new warehouse.
#[derive(Debug, Default, Deserialize, ToSchema)]
pub struct WarehouseInput {
    /// Up to 20 letters, digits, `-` or `_`; stored in upper case; unique.
    pub code: Option<String>,
    pub name: Option<String>,
}

impl KnownFields for WarehouseInput {
    const FIELDS: &'static [&'static str] = &["code", "name"];
}

async fn warehouse_list(state: &AppState, actor: &Actor) -> Result<Vec<Warehouse>, AppError> {
    Ok(stock::warehouses(&state.app, actor)
        .await?
        .into_iter()
        .map(|w| Warehouse {
            id: w.id,
            code: w.code,
            name: w.name,
            archived: w.archived,
        })
        .collect())
}

/// Every warehouse, by code.
#[utoipa::path(get, path = "/api/v1/warehouses", tag = "stock",
    responses((status = 200, body = WarehouseList), (status = 401, body = Problem), (status = 403, body = Problem)),
    security(("bearer" = [])))]
pub async fn warehouses(
    State(state): State<AppState>,
    CurrentActor(actor): CurrentActor,
) -> Response {
    match warehouse_list(&state, &actor).await {
        Ok(items) => Json(WarehouseList { items }).into_response(),
        Err(e) => problem(&e),
    }
}

/// Add a warehouse. Send `Idempotency-Key` to make retries safe.
#[utoipa::path(post, path = "/api/v1/warehouses", tag = "stock", request_body = WarehouseInput,
    params(("Idempotency-Key" = Option<String>, Header, description = "Repeat a request safely: the same key returns the first response")),
    responses((status = 201, body = Warehouse), (status = 403, body = Problem), (status = 422, body = Problem)), security(("bearer" = [])))]
pub async fn create_warehouse(
    State(state): State<AppState>,
    CurrentActor(actor): CurrentActor,
    ApiJson(body): ApiJson<WarehouseInput>,
) -> Response {
    let draft = WarehouseDraft {
        code: body.code.unwrap_or_default(),
        name: body.name.unwrap_or_default(),
    };
    let id = match stock::create_warehouse(&state.app, &actor, &draft).await {
        Ok(id) => id,
        Err(e) => return problem(&e),
    };
    match warehouse_list(&state, &actor).await {
        Ok(items) => match items.into_iter().find(|w| w.id == id.0) {
            Some(w) => (StatusCode::CREATED, Json(w)).into_response(),
            None => problem(&AppError::NotFound),
        },
        Err(e) => problem(&e),
    }
}
