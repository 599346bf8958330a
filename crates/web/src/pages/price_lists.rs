//! Price list pages: the lists with a form for a new one; a list's page with
//! its item prices (set, replace, remove), its customers (assign, take
//! away), its name and default discount, and its prices as CSV in and out.

use askama::Template;
use axum::extract::{Multipart, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use seam_app::price_lists::{self, PriceListDetail, discount_text};
use seam_app::{Actor, AppError};
use seam_domain::access::Permission;
use seam_domain::ids::{PartyId, PriceListId, ProductId};
use seam_domain::price_list::{ItemDraft, PriceListDraft, discounted};

use super::invoices::customer_choices;
use super::ledger::{Choice, outcome};
use super::parties::read_import;
use super::{FormData, IdPath};
use crate::AppState;
use crate::html::{Errors, Page, fail, redirect_with_flash, render};
use crate::who::{CurrentActor, Requester, Who};

/// Where the price list pages sit in the navigation.
const NAV_PATH: &str = "/products";
/// The currency a new list's form starts with.
const DEFAULT_CURRENCY: &str = "EUR";

/// A list in the overview.
pub struct ListView {
    pub id: i64,
    pub code: String,
    pub name: String,
    pub currency: String,
    pub discount: String,
    pub items: i64,
    pub customers: i64,
}

#[derive(Template)]
#[template(path = "price_lists.html")]
struct ListsPage {
    page: Page,
    lists: Vec<ListView>,
    may_write: bool,
    draft: PriceListDraft,
    errors: Errors,
}

async fn lists_page(
    state: &AppState,
    who: &Who,
    actor: &Actor,
    draft: PriceListDraft,
    err: Option<&AppError>,
) -> Response {
    let rows = match price_lists::list_price_lists(&state.app, actor).await {
        Ok(rows) => rows,
        Err(e) => return fail(who, &e),
    };
    let page = Page::new(state, who, "price-lists-title", NAV_PATH).await;
    let (status, errors) = match outcome(&page.i18n, err, "code") {
        Ok(shown) => shown,
        Err(e) => return fail(who, e),
    };
    let lists = rows
        .into_iter()
        .map(|r| ListView {
            discount: page.i18n.locale.percent(r.discount_bp),
            id: r.id,
            code: r.code,
            name: r.name,
            currency: r.currency,
            items: r.items,
            customers: r.customers,
        })
        .collect();
    render(
        status,
        &ListsPage {
            page,
            lists,
            may_write: actor.may(Permission::ProductsWrite),
            draft,
            errors,
        },
    )
}

pub async fn list(
    State(state): State<AppState>,
    Requester(who): Requester,
    CurrentActor(actor): CurrentActor,
) -> Response {
    let draft = PriceListDraft {
        currency: DEFAULT_CURRENCY.to_owned(),
        ..PriceListDraft::default()
    };
    lists_page(&state, &who, &actor, draft, None).await
}

pub async fn create(
    State(state): State<AppState>,
    Requester(who): Requester,
    CurrentActor(actor): CurrentActor,
    form: FormData,
) -> Response {
    let draft = PriceListDraft {
        code: form.get("code").to_owned(),
        name: form.get("name").to_owned(),
        currency: form.get("currency").to_owned(),
        discount: form.get("discount").to_owned(),
    };
    match price_lists::create_price_list(&state.app, &actor, &draft).await {
        Ok(id) => {
            redirect_with_flash(
                &state,
                &who,
                &format!("/price-lists/{id}"),
                "flash-price-list-created",
            )
            .await
        }
        Err(e) => lists_page(&state, &who, &actor, draft, Some(&e)).await,
    }
}

/// An item price, ready to show.
pub struct ItemView {
    pub product_id: i64,
    pub sku: String,
    pub name: String,
    pub product_price: String,
    pub unit_price: String,
    /// The item's own discount; empty when the list's applies.
    pub discount: String,
    /// What an order line left without a price takes.
    pub net_price: String,
}

/// What the forms on a list's page were given, to refill them after a refusal.
#[derive(Default)]
struct Typed {
    name: String,
    discount: String,
    sku: String,
    unit_price: String,
    item_discount: String,
    party: String,
}

#[derive(Template)]
#[template(path = "price_list_detail.html")]
struct DetailPage {
    page: Page,
    id: i64,
    code: String,
    name: String,
    currency: String,
    discount: String,
    items: Vec<ItemView>,
    customers: Vec<Choice>,
    /// Customers the assign form offers.
    candidates: Vec<Choice>,
    may_write: bool,
    typed: Typed,
    errors: Errors,
    /// The errors are an import's, listed by line above the upload form.
    import_failed: bool,
}

async fn detail_page(
    state: &AppState,
    who: &Who,
    actor: &Actor,
    id: i64,
    typed: Option<Typed>,
    err: Option<&AppError>,
) -> Response {
    detail_page_with(state, who, actor, id, typed, err, false).await
}

async fn detail_page_with(
    state: &AppState,
    who: &Who,
    actor: &Actor,
    id: i64,
    typed: Option<Typed>,
    err: Option<&AppError>,
    import_failed: bool,
) -> Response {
    let detail: PriceListDetail =
        match price_lists::price_list_detail(&state.app, actor, PriceListId(id)).await {
            Ok(d) => d,
            Err(e) => return fail(who, &e),
        };
    let may_write = actor.may(Permission::ProductsWrite);
    let candidates = if may_write && actor.may(Permission::PartiesRead) {
        match customer_choices(state, actor).await {
            Ok(c) => c,
            Err(e) => return fail(who, &e),
        }
    } else {
        Vec::new()
    };
    let page = Page::new(state, who, "price-list-title", NAV_PATH).await;
    let (status, errors) = match outcome(&page.i18n, err, "form") {
        Ok(shown) => shown,
        Err(e) => return fail(who, e),
    };
    let list = &detail.list;
    let items = detail
        .items
        .iter()
        .map(|i| ItemView {
            product_id: i.product_id,
            sku: i.sku.clone(),
            name: i.product_name.clone(),
            product_price: page
                .i18n
                .money(i.product_list_price_minor, &i.product_currency),
            unit_price: page.i18n.money(i.unit_price_minor, &list.currency),
            discount: i
                .discount_bp
                .map(|bp| page.i18n.locale.percent(bp))
                .unwrap_or_default(),
            net_price: page.i18n.money(
                discounted(
                    i.unit_price_minor,
                    i.discount_bp.unwrap_or(list.discount_bp),
                ),
                &list.currency,
            ),
        })
        .collect();
    let customers = detail
        .customers
        .iter()
        .map(|c| Choice {
            value: c.party_id.to_string(),
            label: c.name.clone(),
        })
        .collect();
    // The list's form shows what was typed into it, else the list as it is.
    let typed = match typed {
        Some(t) if !t.name.is_empty() || !t.discount.is_empty() => t,
        other => Typed {
            name: list.name.clone(),
            discount: discount_text(Some(list.discount_bp)),
            ..other.unwrap_or_default()
        },
    };
    render(
        status,
        &DetailPage {
            discount: page.i18n.locale.percent(list.discount_bp),
            page,
            id: list.id,
            code: list.code.clone(),
            name: list.name.clone(),
            currency: list.currency.clone(),
            items,
            customers,
            candidates,
            may_write,
            typed,
            errors,
            import_failed,
        },
    )
}

pub async fn detail(
    State(state): State<AppState>,
    Requester(who): Requester,
    CurrentActor(actor): CurrentActor,
    IdPath(id): IdPath,
) -> Response {
    detail_page(&state, &who, &actor, id, None, None).await
}

/// After a change on a list's page: back to it with a flash, or the page with the errors.
async fn after(
    state: &AppState,
    who: &Who,
    actor: &Actor,
    id: i64,
    result: Result<(), AppError>,
    flash: &str,
    typed: Typed,
) -> Response {
    match result {
        Ok(()) => redirect_with_flash(state, who, &format!("/price-lists/{id}"), flash).await,
        Err(e) => detail_page(state, who, actor, id, Some(typed), Some(&e)).await,
    }
}

pub async fn update(
    State(state): State<AppState>,
    Requester(who): Requester,
    CurrentActor(actor): CurrentActor,
    IdPath(id): IdPath,
    form: FormData,
) -> Response {
    let typed = Typed {
        name: form.get("name").to_owned(),
        discount: form.get("discount").to_owned(),
        ..Typed::default()
    };
    let result = price_lists::update_price_list(
        &state.app,
        &actor,
        PriceListId(id),
        &typed.name,
        &typed.discount,
    )
    .await;
    after(
        &state,
        &who,
        &actor,
        id,
        result,
        "flash-price-list-saved",
        typed,
    )
    .await
}

pub async fn set_item(
    State(state): State<AppState>,
    Requester(who): Requester,
    CurrentActor(actor): CurrentActor,
    IdPath(id): IdPath,
    form: FormData,
) -> Response {
    let typed = Typed {
        sku: form.get("product").to_owned(),
        unit_price: form.get("unit_price").to_owned(),
        item_discount: form.get("discount").to_owned(),
        ..Typed::default()
    };
    let draft = ItemDraft {
        unit_price: typed.unit_price.clone(),
        discount: typed.item_discount.clone(),
    };
    let result =
        price_lists::set_item_price(&state.app, &actor, PriceListId(id), &typed.sku, &draft).await;
    // The item form's discount field is named `item_discount` on the page.
    let result = result.map_err(|e| match e {
        AppError::Invalid(fields) => {
            let mut renamed = seam_domain::FieldErrors::new();
            for f in fields.iter() {
                let field = if f.field == "discount" {
                    "item_discount"
                } else {
                    f.field.as_str()
                };
                renamed.add(field, f.code);
            }
            AppError::Invalid(renamed)
        }
        other => other,
    });
    match result {
        Ok(()) => {
            redirect_with_flash(
                &state,
                &who,
                &format!("/price-lists/{id}"),
                "flash-price-set",
            )
            .await
        }
        Err(e) => detail_page(&state, &who, &actor, id, Some(typed), Some(&e)).await,
    }
}

/// A numeric form field, or `None`.
fn id_field(form: &FormData, name: &str) -> Option<i64> {
    form.get(name).trim().parse().ok()
}

pub async fn remove_item(
    State(state): State<AppState>,
    Requester(who): Requester,
    CurrentActor(actor): CurrentActor,
    IdPath(id): IdPath,
    form: FormData,
) -> Response {
    let Some(product) = id_field(&form, "product") else {
        return fail(&who, &AppError::NotFound);
    };
    let result =
        price_lists::remove_item(&state.app, &actor, PriceListId(id), ProductId(product)).await;
    match result {
        Ok(()) => {
            redirect_with_flash(
                &state,
                &who,
                &format!("/price-lists/{id}"),
                "flash-price-removed",
            )
            .await
        }
        Err(e) => fail(&who, &e),
    }
}

pub async fn assign(
    State(state): State<AppState>,
    Requester(who): Requester,
    CurrentActor(actor): CurrentActor,
    IdPath(id): IdPath,
    form: FormData,
) -> Response {
    let typed = Typed {
        party: form.get("party").to_owned(),
        ..Typed::default()
    };
    let result = match id_field(&form, "party") {
        Some(party) => {
            price_lists::assign(&state.app, &actor, PartyId(party), Some(PriceListId(id))).await
        }
        None => {
            // Tell an unknown list from a missing customer.
            match price_lists::price_list_detail(&state.app, &actor, PriceListId(id)).await {
                Ok(_) => Err(AppError::Invalid(seam_domain::FieldErrors::one(
                    "party",
                    "error-required",
                ))),
                Err(e) => Err(e),
            }
        }
    };
    if let Err(AppError::NotFound | AppError::Forbidden) = &result {
        return fail(&who, result.as_ref().err().unwrap_or(&AppError::NotFound));
    }
    after(
        &state,
        &who,
        &actor,
        id,
        result,
        "flash-price-list-assigned",
        typed,
    )
    .await
}

pub async fn unassign(
    State(state): State<AppState>,
    Requester(who): Requester,
    CurrentActor(actor): CurrentActor,
    IdPath(id): IdPath,
    form: FormData,
) -> Response {
    let detail = match price_lists::price_list_detail(&state.app, &actor, PriceListId(id)).await {
        Ok(d) => d,
        Err(e) => return fail(&who, &e),
    };
    // Only a customer of this list can be taken off it here.
    let Some(party) =
        id_field(&form, "party").filter(|p| detail.customers.iter().any(|c| c.party_id == *p))
    else {
        return fail(&who, &AppError::NotFound);
    };
    match price_lists::assign(&state.app, &actor, PartyId(party), None).await {
        Ok(()) => {
            redirect_with_flash(
                &state,
                &who,
                &format!("/price-lists/{id}"),
                "flash-price-list-unassigned",
            )
            .await
        }
        Err(e) => fail(&who, &e),
    }
}

pub async fn export(
    State(state): State<AppState>,
    Requester(who): Requester,
    CurrentActor(actor): CurrentActor,
    IdPath(id): IdPath,
) -> Response {
    let detail = match price_lists::price_list_detail(&state.app, &actor, PriceListId(id)).await {
        Ok(d) => d,
        Err(e) => return fail(&who, &e),
    };
    match price_lists::export_csv(&state.app, &actor, PriceListId(id)).await {
        Ok(csv) => (
            [
                (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_owned()),
                (
                    header::CONTENT_DISPOSITION,
                    format!(
                        "attachment; filename=\"price-list-{}.csv\"",
                        detail.list.code.to_ascii_lowercase()
                    ),
                ),
            ],
            csv,
        )
            .into_response(),
        Err(e) => fail(&who, &e),
    }
}

/// Sets the prices of an uploaded CSV file, all or none; the page shows
/// every bad line.
pub async fn import(
    State(state): State<AppState>,
    Requester(who): Requester,
    CurrentActor(actor): CurrentActor,
    IdPath(id): IdPath,
    multipart: Multipart,
) -> Response {
    // An unknown list is a 404 before anything is read.
    if let Err(e) = price_lists::price_list_detail(&state.app, &actor, PriceListId(id)).await {
        return fail(&who, &e);
    }
    let bytes = match read_import(multipart).await {
        Ok((bytes, _)) => bytes,
        Err(code) => {
            let e = AppError::Invalid(seam_domain::FieldErrors::one("file", code));
            return detail_page_with(&state, &who, &actor, id, None, Some(&e), true).await;
        }
    };
    match price_lists::import_csv(&state.app, &actor, PriceListId(id), &bytes, true).await {
        Ok(report) if report.errors.is_empty() => {
            redirect_with_flash(
                &state,
                &who,
                &format!("/price-lists/{id}"),
                "flash-prices-imported",
            )
            .await
        }
        Ok(report) => {
            let e = AppError::Invalid(report.errors);
            detail_page_with(&state, &who, &actor, id, None, Some(&e), true).await
        }
        Err(e) => fail(&who, &e),
    }
}
