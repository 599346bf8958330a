//! `/api/v1/price-lists`: what groups of customers pay. Prices travel as
//! decimal strings (`"9.70"`) next to their minor units, discounts as
//! percentages (`"12.5"`) next to basis points; never as floating-point numbers.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use seam_app::price_lists::{self, PriceListDetail, discount_text};
use seam_app::{Actor, AppError};
use seam_domain::FieldErrors;
use seam_domain::ids::{PartyId, PriceListId, ProductId};
use seam_domain::ledger::format_amount;
use seam_domain::price_list::{ItemDraft, PriceListDraft, discounted, normalize_code};
use seam_domain::product::normalize_sku;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::json::{ApiJson, KnownFields};
use super::problem::Problem;
use crate::AppState;
use crate::pages::IdPath;
use crate::who::CurrentActor;

fn problem(err: &AppError) -> Response {
    Problem::from_app_error(err, &crate::current_request_id()).into_response()
}

/// A price list in the overview.
#[derive(Debug, Serialize, ToSchema)]
pub struct PriceListSummary {
    pub id: i64,
    /// Unique and fixed, upper case.
    pub code: String,
    pub name: String,
    /// ISO 4217, of every item price; fixed.
    pub currency: String,
    /// The default discount as a percentage, e.g. `"10"`.
    pub discount: String,
    pub discount_bp: i64,
    /// How many products have an item price.
    pub items: i64,
    /// How many customers are assigned the list.
    pub customers: i64,
}

/// All price lists, by code.
#[derive(Debug, Serialize, ToSchema)]
pub struct PriceListList {
    pub items: Vec<PriceListSummary>,
}

/// One product's price on a list.
#[derive(Debug, Serialize, ToSchema)]
pub struct PriceListItem {
    pub product_id: i64,
    pub sku: String,
    pub name: String,
    /// In the list's currency.
    pub unit_price: String,
    pub unit_price_minor: i64,
    /// The item's own discount as a percentage; absent when the list's applies.
    pub discount: Option<String>,
    pub discount_bp: Option<i64>,
    /// What an order line without a typed price takes: the unit price less the discount, half to even.
    pub net_price: String,
    pub net_price_minor: i64,
}

/// A customer assigned the list.
#[derive(Debug, Serialize, ToSchema)]
pub struct PriceListCustomer {
    pub party_id: i64,
    pub name: String,
}

/// A price list with its item prices and customers.
#[derive(Debug, Serialize, ToSchema)]
pub struct PriceList {
    pub id: i64,
    pub code: String,
    pub name: String,
    pub currency: String,
    pub discount: String,
    pub discount_bp: i64,
    pub version: i64,
    pub items: Vec<PriceListItem>,
    pub customers: Vec<PriceListCustomer>,
}

impl From<PriceListDetail> for PriceList {
    fn from(d: PriceListDetail) -> PriceList {
        let list = d.list;
        let items = d
            .items
            .into_iter()
            .map(|i| {
                let net = discounted(
                    i.unit_price_minor,
                    i.discount_bp.unwrap_or(list.discount_bp),
                );
                PriceListItem {
                    product_id: i.product_id,
                    sku: i.sku,
                    name: i.product_name,
                    unit_price: format_amount(i.unit_price_minor, &list.currency),
                    unit_price_minor: i.unit_price_minor,
                    discount: i.discount_bp.map(|bp| discount_text(Some(bp))),
                    discount_bp: i.discount_bp,
                    net_price: format_amount(net, &list.currency),
                    net_price_minor: net,
                }
            })
            .collect();
        PriceList {
            id: list.id,
            discount: discount_text(Some(list.discount_bp)),
            code: list.code,
            name: list.name,
            currency: list.currency,
            discount_bp: list.discount_bp,
            version: list.version,
            items,
            customers: d
                .customers
                .into_iter()
                .map(|c| PriceListCustomer {
                    party_id: c.party_id,
                    name: c.name,
                })
                .collect(),
        }
    }
}

/// A new price list, or (on update) its new name and discount. Omitted fields are empty.
#[derive(Debug, Default, Deserialize, ToSchema)]
pub struct PriceListInput {
    /// 1 to 20 letters, digits, `.`, `-` or `_`; unique, fixed once created.
    pub code: Option<String>,
    pub name: Option<String>,
    /// ISO 4217; fixed once created.
    pub currency: Option<String>,
    /// A percentage with at most two decimals, `"0"` to `"100"`; omitted means none.
    pub discount: Option<String>,
}

impl KnownFields for PriceListInput {
    const FIELDS: &'static [&'static str] = &["code", "name", "currency", "discount"];
}

/// A product's price on a list.
#[derive(Debug, Default, Deserialize, ToSchema)]
pub struct PriceListItemInput {
    pub sku: Option<String>,
    /// A decimal string in the list's currency, not negative.
    pub unit_price: Option<String>,
    /// A percentage; omitted means the list's default discount.
    pub discount: Option<String>,
}

impl KnownFields for PriceListItemInput {
    const FIELDS: &'static [&'static str] = &["sku", "unit_price", "discount"];
}

/// Names a product of the list.
#[derive(Debug, Default, Deserialize, ToSchema)]
pub struct PriceListSkuInput {
    pub sku: Option<String>,
}

impl KnownFields for PriceListSkuInput {
    const FIELDS: &'static [&'static str] = &["sku"];
}

/// Names a customer.
#[derive(Debug, Default, Deserialize, ToSchema)]
pub struct PriceListCustomerInput {
    pub party_id: Option<i64>,
}

impl KnownFields for PriceListCustomerInput {
    const FIELDS: &'static [&'static str] = &["party_id"];
}

async fn one(state: &AppState, actor: &Actor, id: i64, status: StatusCode) -> Response {
    match price_lists::price_list_detail(&state.app, actor, PriceListId(id)).await {
        Ok(d) => (status, Json(PriceList::from(d))).into_response(),
        Err(e) => problem(&e),
    }
}

/// Every price list.
#[utoipa::path(get, path = "/api/v1/price-lists", tag = "products",
    responses((status = 200, body = PriceListList), (status = 401, body = Problem), (status = 403, body = Problem)),
    security(("bearer" = [])))]
pub async fn list(State(state): State<AppState>, CurrentActor(actor): CurrentActor) -> Response {
    match price_lists::list_price_lists(&state.app, &actor).await {
        Ok(rows) => Json(PriceListList {
            items: rows
                .into_iter()
                .map(|r| PriceListSummary {
                    id: r.id,
                    discount: discount_text(Some(r.discount_bp)),
                    code: r.code,
                    name: r.name,
                    currency: r.currency,
                    discount_bp: r.discount_bp,
                    items: r.items,
                    customers: r.customers,
                })
                .collect(),
        })
        .into_response(),
        Err(e) => problem(&e),
    }
}

/// Create a price list. Send `Idempotency-Key` to make retries safe.
#[utoipa::path(post, path = "/api/v1/price-lists", tag = "products", request_body = PriceListInput,
    params(("Idempotency-Key" = Option<String>, Header, description = "Repeat a request safely: the same key returns the first response")),
    responses((status = 201, body = PriceList), (status = 422, body = Problem)), security(("bearer" = [])))]
pub async fn create(
    State(state): State<AppState>,
    CurrentActor(actor): CurrentActor,
    ApiJson(input): ApiJson<PriceListInput>,
) -> Response {
    let draft = PriceListDraft {
        code: input.code.unwrap_or_default(),
        name: input.name.unwrap_or_default(),
        currency: input.currency.unwrap_or_default(),
        discount: input.discount.unwrap_or_default(),
    };
    match price_lists::create_price_list(&state.app, &actor, &draft).await {
        Ok(id) => one(&state, &actor, id.0, StatusCode::CREATED).await,
        Err(e) => problem(&e),
    }
}

/// One price list with its item prices and customers.
#[utoipa::path(get, path = "/api/v1/price-lists/{id}", tag = "products", params(("id" = i64, Path)),
    responses((status = 200, body = PriceList), (status = 404, body = Problem)), security(("bearer" = [])))]
pub async fn get_one(
    State(state): State<AppState>,
    CurrentActor(actor): CurrentActor,
    IdPath(id): IdPath,
) -> Response {
    one(&state, &actor, id, StatusCode::OK).await
}

/// Change a list's name and default discount. `code` and `currency` are
/// fixed: when sent they must be the list's.
#[utoipa::path(put, path = "/api/v1/price-lists/{id}", tag = "products", request_body = PriceListInput, params(("id" = i64, Path)),
    responses((status = 200, body = PriceList), (status = 404, body = Problem), (status = 422, body = Problem)),
    security(("bearer" = [])))]
pub async fn update(
    State(state): State<AppState>,
    CurrentActor(actor): CurrentActor,
    IdPath(id): IdPath,
    ApiJson(input): ApiJson<PriceListInput>,
) -> Response {
    let current = match price_lists::price_list_detail(&state.app, &actor, PriceListId(id)).await {
        Ok(d) => d.list,
        Err(e) => return problem(&e),
    };
    let mut errors = FieldErrors::new();
    if input
        .code
        .as_deref()
        .is_some_and(|c| normalize_code(c).as_deref() != Some(current.code.as_str()))
    {
        errors.add("code", "error-price-list-fixed");
    }
    if input
        .currency
        .as_deref()
        .is_some_and(|c| !c.trim().eq_ignore_ascii_case(&current.currency))
    {
        errors.add("currency", "error-price-list-fixed");
    }
    if !errors.is_empty() {
        return Problem::invalid(&errors, &crate::current_request_id()).into_response();
    }
    let name = input.name.unwrap_or_default();
    let discount = input.discount.unwrap_or_default();
    match price_lists::update_price_list(&state.app, &actor, PriceListId(id), &name, &discount)
        .await
    {
        Ok(()) => one(&state, &actor, id, StatusCode::OK).await,
        Err(e) => problem(&e),
    }
}

/// Set a product's price on the list, adding it or replacing its price.
#[utoipa::path(post, path = "/api/v1/price-lists/{id}/items", tag = "products", request_body = PriceListItemInput, params(("id" = i64, Path)),
    responses((status = 200, body = PriceList), (status = 404, body = Problem), (status = 422, body = Problem)),
    security(("bearer" = [])))]
pub async fn set_item(
    State(state): State<AppState>,
    CurrentActor(actor): CurrentActor,
    IdPath(id): IdPath,
    ApiJson(input): ApiJson<PriceListItemInput>,
) -> Response {
    let draft = ItemDraft {
        unit_price: input.unit_price.unwrap_or_default(),
        discount: input.discount.unwrap_or_default(),
    };
    let sku = input.sku.unwrap_or_default();
    match price_lists::set_item_price(&state.app, &actor, PriceListId(id), &sku, &draft).await {
        Ok(()) => one(&state, &actor, id, StatusCode::OK).await,
        // The product is named by `sku` here.
        Err(AppError::Invalid(fields)) => {
            let mut renamed = FieldErrors::new();
            for f in fields.iter() {
                let field = if f.field == "product" {
                    "sku"
                } else {
                    f.field.as_str()
                };
                renamed.add(field, f.code);
            }
            problem(&AppError::Invalid(renamed))
        }
        Err(e) => problem(&e),
    }
}

/// Take a product off the list; 404 when the list has no price for it.
#[utoipa::path(post, path = "/api/v1/price-lists/{id}/items/remove", tag = "products", request_body = PriceListSkuInput, params(("id" = i64, Path)),
    responses((status = 200, body = PriceList), (status = 404, body = Problem), (status = 422, body = Problem)),
    security(("bearer" = [])))]
pub async fn remove_item(
    State(state): State<AppState>,
    CurrentActor(actor): CurrentActor,
    IdPath(id): IdPath,
    ApiJson(input): ApiJson<PriceListSkuInput>,
) -> Response {
    let detail = match price_lists::price_list_detail(&state.app, &actor, PriceListId(id)).await {
        Ok(d) => d,
        Err(e) => return problem(&e),
    };
    let Some(sku) = input.sku.as_deref().and_then(normalize_sku) else {
        return problem(&AppError::Invalid(FieldErrors::one(
            "sku",
            "error-required",
        )));
    };
    let Some(item) = detail.items.iter().find(|i| i.sku == sku) else {
        return problem(&AppError::NotFound);
    };
    match price_lists::remove_item(
        &state.app,
        &actor,
        PriceListId(id),
        ProductId(item.product_id),
    )
    .await
    {
        Ok(()) => one(&state, &actor, id, StatusCode::OK).await,
        Err(e) => problem(&e),
    }
}

/// Assign the list to a customer, replacing any list it had.
#[utoipa::path(post, path = "/api/v1/price-lists/{id}/customers", tag = "products", request_body = PriceListCustomerInput, params(("id" = i64, Path)),
    responses((status = 200, body = PriceList), (status = 404, body = Problem), (status = 422, body = Problem)),
    security(("bearer" = [])))]
pub async fn assign(
    State(state): State<AppState>,
    CurrentActor(actor): CurrentActor,
    IdPath(id): IdPath,
    ApiJson(input): ApiJson<PriceListCustomerInput>,
) -> Response {
    let Some(party) = input.party_id else {
        // An unknown list is a 404 whatever the body.
        if let Err(e) = price_lists::price_list_detail(&state.app, &actor, PriceListId(id)).await {
            return problem(&e);
        }
        return problem(&AppError::Invalid(FieldErrors::one(
            "party_id",
            "error-required",
        )));
    };
    match price_lists::assign(&state.app, &actor, PartyId(party), Some(PriceListId(id))).await {
        Ok(()) => one(&state, &actor, id, StatusCode::OK).await,
        Err(AppError::Invalid(_)) => problem(&AppError::Invalid(FieldErrors::one(
            "party_id",
            "error-not-a-customer",
        ))),
        Err(e) => problem(&e),
    }
}

/// Take the list away from a customer of it; 404 when the customer does not have it.
#[utoipa::path(post, path = "/api/v1/price-lists/{id}/customers/remove", tag = "products", request_body = PriceListCustomerInput, params(("id" = i64, Path)),
    responses((status = 200, body = PriceList), (status = 404, body = Problem), (status = 422, body = Problem)),
    security(("bearer" = [])))]
pub async fn unassign(
    State(state): State<AppState>,
    CurrentActor(actor): CurrentActor,
    IdPath(id): IdPath,
    ApiJson(input): ApiJson<PriceListCustomerInput>,
) -> Response {
    let detail = match price_lists::price_list_detail(&state.app, &actor, PriceListId(id)).await {
        Ok(d) => d,
        Err(e) => return problem(&e),
    };
    let Some(party) = input.party_id else {
        return problem(&AppError::Invalid(FieldErrors::one(
            "party_id",
            "error-required",
        )));
    };
    if !detail.customers.iter().any(|c| c.party_id == party) {
        return problem(&AppError::NotFound);
    }
    match price_lists::assign(&state.app, &actor, PartyId(party), None).await {
        Ok(()) => one(&state, &actor, id, StatusCode::OK).await,
        Err(e) => problem(&e),
    }
}
