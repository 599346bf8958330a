//! `/api/v1/products` and `/api/v1/tax-rates`: the catalogue for
//! integrators. Prices travel as decimal strings (`"24.90"`) next to their
//! minor units (`2490`), rates as percentages next to basis points; never as
//! floating-point numbers.

use axum::Json;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use seam_app::products::{self, ProductCursor, ProductRow, ProductSort, TaxRateRow};
use seam_app::{Actor, AppError};
use seam_domain::FieldErrors;
use seam_domain::ids::ProductId;
use seam_domain::ledger::format_amount;
use seam_domain::product::{ProductDraft, TaxRateDraft};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::json::{ApiJson, KnownFields};
use super::problem::Problem;
use super::rfc3339;
use crate::AppState;
use crate::pages::IdPath;
use crate::who::CurrentActor;

fn problem(err: &AppError) -> Response {
    Problem::from_app_error(err, &crate::current_request_id()).into_response()
}

fn invalid(errors: &FieldErrors) -> Response {
    Problem::invalid(errors, &crate::current_request_id()).into_response()
}

/// A good or a service the business sells.
#[derive(Debug, Serialize, ToSchema)]
pub struct Product {
    pub id: i64,
    /// Unique, upper case: letters, digits, `.`, `-`, `_`.
    pub sku: String,
    pub name: String,
    /// `goods` or `service`.
    pub kind: String,
    /// UN/ECE Recommendation 20 code, e.g. `C62` (piece), `HUR` (hour).
    pub unit: String,
    /// ISO 4217, of both prices.
    pub currency: String,
    /// A decimal, e.g. `"24.90"`.
    pub list_price: String,
    pub list_price_minor: i64,
    pub standard_cost: String,
    pub standard_cost_minor: i64,
    /// The tax rate's code, e.g. `S25`.
    pub tax_rate: String,
    /// The code of the revenue account its sales are booked to.
    pub revenue_account: String,
    pub archived: bool,
    /// Send this back with an update; a stale version is refused with 409.
    pub version: i64,
    pub created_at: String,
    pub updated_at: String,
}

impl From<ProductRow> for Product {
    fn from(row: ProductRow) -> Product {
        Product {
            id: row.id,
            list_price: format_amount(row.list_price_minor, &row.currency),
            standard_cost: format_amount(row.standard_cost_minor, &row.currency),
            sku: row.sku,
            name: row.name,
            kind: row.kind,
            unit: row.unit,
            currency: row.currency,
            list_price_minor: row.list_price_minor,
            standard_cost_minor: row.standard_cost_minor,
            tax_rate: row.tax_rate_code,
            revenue_account: row.revenue_account_code,
            archived: row.archived,
            version: row.version,
            created_at: rfc3339(row.created_at_us),
            updated_at: rfc3339(row.updated_at_us),
        }
    }
}

/// A page of products.
#[derive(Debug, Serialize, ToSchema)]
pub struct ProductList {
    pub items: Vec<Product>,
    /// Pass as `cursor` for the next page; absent on the last page.
    pub next_cursor: Option<String>,
    /// How many products match the filter in all.
    pub total: i64,
}

/// Filters for the list; all optional.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListParams {
    /// Words to find at the start of words of the SKU or the name.
    pub q: Option<String>,
    /// `goods` or `service`.
    pub kind: Option<String>,
    /// `active` (default), `archived` or `all`.
    pub status: Option<String>,
    /// `name` (default), `-name`, `sku`, `-sku`.
    pub sort: Option<String>,
    /// From `next_cursor` of the previous page.
    pub cursor: Option<String>,
    /// 1 to 500; default 50.
    pub limit: Option<i64>,
}

/// A new product, or the new values of one. Omitted fields are empty.
#[derive(Debug, Default, Deserialize, ToSchema)]
pub struct ProductInput {
    pub sku: Option<String>,
    pub name: Option<String>,
    /// `goods` or `service`.
    pub kind: Option<String>,
    /// UN/ECE Rec 20: C62 (piece), HUR, MIN, DAY, MON, KGM, MTR, MTK or LTR.
    pub unit: Option<String>,
    pub currency: Option<String>,
    /// A decimal string, e.g. `"24.90"`; no more decimals than the currency has.
    pub list_price: Option<String>,
    /// A decimal string; omitted means zero.
    pub standard_cost: Option<String>,
    /// A tax rate's code, e.g. `S25`.
    pub tax_rate: Option<String>,
    /// A revenue account's code; omitted means 4000 for goods, 4100 for services.
    pub revenue_account: Option<String>,
    /// Required on update: the `version` the change was based on.
    pub version: Option<i64>,
}

impl KnownFields for ProductInput {
    const FIELDS: &'static [&'static str] = &[
        "sku",
        "name",
        "kind",
        "unit",
        "currency",
        "list_price",
        "standard_cost",
        "tax_rate",
        "revenue_account",
        "version",
    ];
}

impl ProductInput {
    fn draft(self) -> ProductDraft {
        ProductDraft {
            sku: self.sku.unwrap_or_default(),
            name: self.name.unwrap_or_default(),
            kind: self.kind.unwrap_or_default(),
            unit: self.unit.unwrap_or_default(),
            currency: self.currency.unwrap_or_default(),
            list_price: self.list_price.unwrap_or_default(),
            standard_cost: self.standard_cost.unwrap_or_default(),
            tax_rate: self.tax_rate.unwrap_or_default(),
            revenue_account: self.revenue_account.unwrap_or_default(),
        }
    }
}

async fn one(state: &AppState, actor: &Actor, id: i64, status: StatusCode) -> Response {
    match products::product(&state.app, actor, ProductId(id)).await {
        Ok(row) => (status, Json(Product::from(row))).into_response(),
        Err(e) => problem(&e),
    }
}

/// List products, a page at a time.
#[utoipa::path(get, path = "/api/v1/products", tag = "products", params(ListParams),
    responses((status = 200, body = ProductList), (status = 401, body = Problem), (status = 403, body = Problem), (status = 422, body = Problem)),
    security(("bearer" = [])))]
pub async fn list(
    State(state): State<AppState>,
    CurrentActor(actor): CurrentActor,
    Query(params): Query<ListParams>,
) -> Response {
    let mut errors = FieldErrors::new();
    let sort = match params.sort.as_deref() {
        None => ProductSort::default(),
        Some(s) => ProductSort::parse(s).unwrap_or_else(|| {
            errors.add("sort", "error-sort");
            ProductSort::default()
        }),
    };
    let cursor = match params.cursor.as_deref() {
        Some(c) => ProductCursor::decode(c).or_else(|| {
            errors.add("cursor", "error-cursor");
            None
        }),
        None => None,
    };
    let limit = super::page_limit(params.limit, &mut errors);
    if params
        .kind
        .as_deref()
        .is_some_and(|k| seam_domain::product::ProductKind::parse(k).is_none())
    {
        errors.add("kind", "error-product-kind");
    }
    if !matches!(
        params.status.as_deref(),
        None | Some("active" | "archived" | "all")
    ) {
        errors.add("status", "error-status");
    }
    if !errors.is_empty() {
        return invalid(&errors);
    }
    let query = crate::pages::products::ListQuery {
        q: params.q.unwrap_or_default(),
        kind: params.kind.unwrap_or_default(),
        status: params.status.unwrap_or_default(),
        ..Default::default()
    };
    match products::list_products(
        &state.app,
        &actor,
        &query.filter(),
        sort,
        cursor.as_ref(),
        limit,
    )
    .await
    {
        Ok(page) => Json(ProductList {
            items: page.rows.into_iter().map(Product::from).collect(),
            next_cursor: page.next.map(|c| c.encode()),
            total: page.total,
        })
        .into_response(),
        Err(e) => problem(&e),
    }
}

/// One product.
#[utoipa::path(get, path = "/api/v1/products/{id}", tag = "products", params(("id" = i64, Path)),
    responses((status = 200, body = Product), (status = 404, body = Problem)), security(("bearer" = [])))]
pub async fn get_one(
    State(state): State<AppState>,
    CurrentActor(actor): CurrentActor,
    IdPath(id): IdPath,
) -> Response {
    one(&state, &actor, id, StatusCode::OK).await
}

/// Create a product. Send `Idempotency-Key` to make retries safe.
#[utoipa::path(post, path = "/api/v1/products", tag = "products", request_body = ProductInput,
    params(("Idempotency-Key" = Option<String>, Header, description = "Repeat a request safely: the same key returns the first response")),
    responses((status = 201, body = Product), (status = 422, body = Problem)), security(("bearer" = [])))]
pub async fn create(
    State(state): State<AppState>,
    CurrentActor(actor): CurrentActor,
    ApiJson(input): ApiJson<ProductInput>,
) -> Response {
    if input.version.is_some() {
        return invalid(&FieldErrors::one("version", "error-unknown-field"));
    }
    match products::create_product(&state.app, &actor, &input.draft()).await {
        Ok(id) => one(&state, &actor, id.0, StatusCode::CREATED).await,
        Err(e) => problem(&e),
    }
}

/// Replace a product's fields. `version` must be the one read; otherwise 409.
#[utoipa::path(put, path = "/api/v1/products/{id}", tag = "products", request_body = ProductInput, params(("id" = i64, Path)),
    responses((status = 200, body = Product), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)),
    security(("bearer" = [])))]
pub async fn update(
    State(state): State<AppState>,
    CurrentActor(actor): CurrentActor,
    IdPath(id): IdPath,
    ApiJson(input): ApiJson<ProductInput>,
) -> Response {
    let Some(version) = input.version else {
        return invalid(&FieldErrors::one("version", "error-required"));
    };
    match products::update_product(&state.app, &actor, ProductId(id), version, &input.draft()).await
    {
        Ok(()) => one(&state, &actor, id, StatusCode::OK).await,
        Err(e) => problem(&e),
    }
}

async fn set_archived(state: AppState, actor: Actor, id: i64, archived: bool) -> Response {
    match products::set_archived(&state.app, &actor, ProductId(id), archived).await {
        Ok(()) => one(&state, &actor, id, StatusCode::OK).await,
        Err(e) => problem(&e),
    }
}

/// Archive a product: hidden from lists and new documents, never deleted.
#[utoipa::path(post, path = "/api/v1/products/{id}/archive", tag = "products", params(("id" = i64, Path)),
    responses((status = 200, body = Product), (status = 404, body = Problem)), security(("bearer" = [])))]
pub async fn archive(
    State(state): State<AppState>,
    CurrentActor(actor): CurrentActor,
    IdPath(id): IdPath,
) -> Response {
    set_archived(state, actor, id, true).await
}

/// Restore an archived product.
#[utoipa::path(post, path = "/api/v1/products/{id}/restore", tag = "products", params(("id" = i64, Path)),
    responses((status = 200, body = Product), (status = 404, body = Problem)), security(("bearer" = [])))]
pub async fn restore(
    State(state): State<AppState>,
    CurrentActor(actor): CurrentActor,
    IdPath(id): IdPath,
) -> Response {
    set_archived(state, actor, id, false).await
}

/// A VAT rate products are sold under.
#[derive(Debug, Serialize, ToSchema)]
pub struct TaxRate {
    pub id: i64,
    /// Unique and fixed, e.g. `S25`: what products name.
    pub code: String,
    pub name: String,
    /// EN 16931 VAT category (UNCL 5305): `S`, `Z`, `E`, `AE`, `K`, `G` or `O`.
    pub category: String,
    /// The percentage as a decimal string, e.g. `"25"` or `"12.5"`.
    pub rate: String,
    /// The same in basis points: 2500 is 25 %.
    pub rate_bp: i64,
    /// Why no VAT is charged; present for E, AE, K, G and O.
    pub exemption_reason: Option<String>,
    pub version: i64,
}

impl From<TaxRateRow> for TaxRate {
    fn from(row: TaxRateRow) -> TaxRate {
        TaxRate {
            id: row.id,
            rate: products::rate_text(&row),
            code: row.code,
            name: row.name,
            category: row.category,
            rate_bp: row.rate_bp,
            exemption_reason: row.exemption_reason,
            version: row.version,
        }
    }
}

/// Every tax rate, by code.
#[derive(Debug, Serialize, ToSchema)]
pub struct TaxRateList {
    pub items: Vec<TaxRate>,
}

/// A new tax rate.
#[derive(Debug, Default, Deserialize, ToSchema)]
pub struct TaxRateInput {
    /// 1 to 10 letters, digits, `.`, `-` or `_`; unique, and fixed once created.
    pub code: Option<String>,
    pub name: Option<String>,
    /// `S`, `Z`, `E`, `AE`, `K`, `G` or `O`.
    pub category: Option<String>,
    /// A percentage as a decimal string with at most two decimals, e.g. `"25"`;
    /// positive for S, omitted or `"0"` for every other category.
    pub rate: Option<String>,
    /// Required for E, AE, K, G and O; not allowed for S and Z.
    pub exemption_reason: Option<String>,
}

impl KnownFields for TaxRateInput {
    const FIELDS: &'static [&'static str] =
        &["code", "name", "category", "rate", "exemption_reason"];
}

/// The tax rates.
#[utoipa::path(get, path = "/api/v1/tax-rates", tag = "products",
    responses((status = 200, body = TaxRateList), (status = 401, body = Problem), (status = 403, body = Problem)),
    security(("bearer" = [])))]
pub async fn tax_rates(
    State(state): State<AppState>,
    CurrentActor(actor): CurrentActor,
) -> Response {
    match products::tax_rates(&state.app, &actor).await {
        Ok(rows) => Json(TaxRateList {
            items: rows.into_iter().map(TaxRate::from).collect(),
        })
        .into_response(),
        Err(e) => problem(&e),
    }
}

/// Add a tax rate. Send `Idempotency-Key` to make retries safe.
#[utoipa::path(post, path = "/api/v1/tax-rates", tag = "products", request_body = TaxRateInput,
    params(("Idempotency-Key" = Option<String>, Header, description = "Repeat a request safely: the same key returns the first response")),
    responses((status = 201, body = TaxRate), (status = 422, body = Problem)), security(("bearer" = [])))]
pub async fn create_tax_rate(
    State(state): State<AppState>,
    CurrentActor(actor): CurrentActor,
    ApiJson(input): ApiJson<TaxRateInput>,
) -> Response {
    let draft = TaxRateDraft {
        code: input.code.unwrap_or_default(),
        name: input.name.unwrap_or_default(),
        category: input.category.unwrap_or_default(),
        rate: input.rate.unwrap_or_default(),
        exemption_reason: input.exemption_reason.unwrap_or_default(),
    };
    let id = match products::create_tax_rate(&state.app, &actor, &draft).await {
        Ok(id) => id,
        Err(e) => return problem(&e),
    };
    match products::tax_rate(&state.app, &actor, id).await {
        Ok(row) => (StatusCode::CREATED, Json(TaxRate::from(row))).into_response(),
        Err(e) => problem(&e),
    }
}
