//! Sales order pages: the list with a state filter, the new-order form, and
//! an order's page with its lines, totals and the actions its state and the
//! user's permissions allow.

use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use seam_app::fulfilment::{self, ShipInput, ShipLines};
use seam_app::products::{self, ProductFilter, ProductSort};
use seam_app::sales::{self, LineInput, OrderDetail, OrderFilter, OrderInput, OrderRow};
use seam_app::{Actor, AppError};
use seam_domain::access::Permission;
use seam_domain::ids::{PartyId, SalesOrderId};
use seam_domain::product::format_rate;
use seam_domain::sales::OrderState;
use serde::Deserialize;

use super::invoices::PICKER_MAX;
use super::ledger::{Choice, outcome};
use super::{FormData, IdPath};
use crate::AppState;
use crate::html::{Errors, Page, fail, ok, redirect_with_flash, render};
use crate::i18n::I18n;
use crate::who::{CurrentActor, Requester, Who};

/// Rows per page of the order list.
pub const LIST_PAGE_SIZE: i64 = 50;
/// How many product lines the new-order form offers.
pub const FORM_LINES: usize = 8;

/// An order in a list, ready to show.
pub struct OrderListView {
    pub id: i64,
    pub number: String,
    pub date: String,
    pub customer: String,
    pub party_id: i64,
    pub state: String,
    pub state_name: String,
    pub total: String,
}

impl OrderListView {
    pub fn new(i18n: &I18n, row: &OrderRow) -> OrderListView {
        OrderListView {
            id: row.id,
            number: display_number(i18n, row),
            date: i18n.date(&row.order_date),
            customer: row.party_name.clone(),
            party_id: row.party_id,
            state: row.state.clone(),
            state_name: i18n.t(&format!("order-state-{}", row.state)),
            total: i18n.money(row.total_minor, &row.currency),
        }
    }
}

/// The order's number, or "Draft #12" in the user's language.
pub fn display_number(i18n: &I18n, row: &OrderRow) -> String {
    match &row.number {
        Some(n) => n.clone(),
        None => format!("{} #{}", i18n.t("order-draft"), row.id),
    }
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct ListQuery {
    #[serde(default)]
    pub state: String,
    #[serde(default)]
    pub cursor: String,
}

#[derive(Template)]
#[template(path = "sales_orders.html")]
struct ListPage {
    page: Page,
    states: Vec<Choice>,
    state: String,
    rows: Vec<OrderListView>,
    next_link: String,
    first_link: String,
    may_write: bool,
}

pub async fn list(
    State(state): State<AppState>,
    Requester(who): Requester,
    CurrentActor(actor): CurrentActor,
    Query(query): Query<ListQuery>,
) -> Response {
    let filter = OrderFilter {
        state: OrderState::parse(&query.state).map(|s| s.name().to_owned()),
        party_id: None,
        ..OrderFilter::default()
    };
    let before = query.cursor.parse::<i64>().ok().map(SalesOrderId);
    let (rows, next) =
        match sales::list_orders(&state.app, &actor, &filter, before, LIST_PAGE_SIZE).await {
            Ok(l) => l,
            Err(e) => return fail(&who, &e),
        };
    let page = Page::new(&state, &who, "orders-title", "/sales").await;
    let state_param = filter.state.clone().unwrap_or_default();
    let with = |cursor: &str| {
        format!(
            "/sales/orders?{}",
            super::query_string(&[("state", state_param.as_str()), ("cursor", cursor)])
        )
    };
    let next_link = next.map(|n| with(&n.to_string())).unwrap_or_default();
    let first_link = if query.cursor.is_empty() {
        String::new()
    } else {
        with("")
    };
    ok(&ListPage {
        states: OrderState::ALL
            .into_iter()
            .map(|s| Choice {
                value: s.name().to_owned(),
                label: page.i18n.t(&format!("order-state-{}", s.name())),
            })
            .collect(),
        rows: rows
            .iter()
            .map(|r| OrderListView::new(&page.i18n, r))
            .collect(),
        page,
        state: state_param,
        next_link,
        first_link,
        may_write: actor.may(Permission::SalesOrderWrite),
    })
}

/// One row of the form: what was typed, and the errors next to it.
pub struct FormLine {
    pub n: usize,
    pub product: String,
    pub qty: String,
    pub unit_price: String,
    pub product_error: String,
    pub qty_error: String,
    pub price_error: String,
}

#[derive(Template)]
#[template(path = "sales_order_form.html")]
struct FormPage {
    page: Page,
    customers: Vec<Choice>,
    products: Vec<Choice>,
    customer: String,
    order_date: String,
    lines: Vec<FormLine>,
    errors: Errors,
}

async fn form_page(
    state: &AppState,
    who: &Who,
    actor: &Actor,
    input: &OrderInput,
    err: Option<&AppError>,
) -> Response {
    let page = Page::new(state, who, "order-new-title", "/sales").await;
    let (status, errors) = match outcome(&page.i18n, err, "form") {
        Ok(shown) => shown,
        Err(e) => return fail(who, e),
    };
    let (customers, products, lines) =
        match line_form(state, actor, &page.i18n, &input.lines, &errors).await {
            Ok(parts) => parts,
            Err(e) => return fail(who, &e),
        };
    render(
        status,
        &FormPage {
            page,
            customers,
            products,
            customer: input.customer.map(|c| c.0.to_string()).unwrap_or_default(),
            order_date: input.order_date.clone(),
            lines,
            errors,
        },
    )
}

#[derive(Deserialize, Default)]
pub struct NewQuery {
    #[serde(default)]
    customer: String,
}

pub async fn new_form(
    State(state): State<AppState>,
    Requester(who): Requester,
    CurrentActor(actor): CurrentActor,
    Query(query): Query<NewQuery>,
) -> Response {
    let input = OrderInput {
        customer: query.customer.parse::<i64>().ok().map(PartyId),
        order_date: super::ledger::today(&actor.time_zone).to_string(),
        ..OrderInput::default()
    };
    form_page(&state, &who, &actor, &input, None).await
}

fn input_from_form(form: &FormData) -> OrderInput {
    OrderInput {
        customer: form.get("customer").trim().parse::<i64>().ok().map(PartyId),
        order_date: form.get("order_date").to_owned(),
        currency: String::new(),
        lines: (1..=FORM_LINES)
            .map(|n| LineInput {
                product: form.get(&format!("product_{n}")).to_owned(),
                qty: form.get(&format!("qty_{n}")).to_owned(),
                unit_price: form.get(&format!("price_{n}")).to_owned(),
            })
            .collect(),
    }
}

pub async fn create(
    State(state): State<AppState>,
    Requester(who): Requester,
    CurrentActor(actor): CurrentActor,
    form: FormData,
) -> Response {
    let input = input_from_form(&form);
    match sales::create_order(&state.app, &actor, &input).await {
        Ok(id) => {
            redirect_with_flash(
                &state,
                &who,
                &format!("/sales/orders/{id}"),
                "flash-order-created",
            )
            .await
        }
        Err(e) => form_page(&state, &who, &actor, &input, Some(&e)).await,
    }
}

/// A line, ready to show.
pub struct LineView {
    pub n: i64,
    pub product_id: i64,
    pub sku: String,
    pub description: String,
    pub qty: String,
    pub unit_price: String,
    pub rate: String,
    pub net: String,
    pub shipped: String,
    pub error: String,
}

/// A shipment of the order, ready to show.
pub struct ShipmentView {
    pub number: String,
    pub date: String,
    pub tracking: String,
    pub entry_id: Option<i64>,
}

/// The VAT at one rate, ready to show.
pub struct VatView {
    pub rate: String,
    pub base: String,
    pub vat: String,
}

#[derive(Template)]
#[template(path = "sales_order_detail.html")]
struct DetailPage {
    page: Page,
    id: i64,
    version: i64,
    number: String,
    party_id: i64,
    customer: String,
    date: String,
    state_name: String,
    lines: Vec<LineView>,
    vat: Vec<VatView>,
    net: String,
    vat_total: String,
    total: String,
    may_confirm: bool,
    may_cancel: bool,
    may_ship: bool,
    show_shipped: bool,
    shipments: Vec<ShipmentView>,
    /// The customer returns of the order.
    returns: Vec<ReturnView>,
    /// Lines with something shipped that may still come back: `(line_no, sku, left)`,
    /// when the user may take goods back.
    returnable: Vec<(i64, String, i64)>,
    today: String,
    /// The quote the order came from: its id and number.
    from_quote: Option<(i64, String)>,
    /// The order's invoices and "Create invoice"; `None` without `invoices.read`.
    billing: Option<super::invoices::OrderBilling>,
    errors: Errors,
}

async fn detail_page(
    state: &AppState,
    who: &Who,
    actor: &Actor,
    id: i64,
    err: Option<&AppError>,
) -> Response {
    detail_page_billing(state, who, actor, id, err, None).await
}

/// The order's page after its "Create invoice" form was refused: the
/// errors next to that form's fields, with what was typed.
pub async fn invoice_refused(
    state: &AppState,
    who: &Who,
    actor: &Actor,
    id: i64,
    err: &AppError,
    typed: super::invoices::InvoiceTyped,
) -> Response {
    detail_page_billing(state, who, actor, id, None, Some((err, typed))).await
}

async fn detail_page_billing(
    state: &AppState,
    who: &Who,
    actor: &Actor,
    id: i64,
    err: Option<&AppError>,
    refused: Option<(&AppError, super::invoices::InvoiceTyped)>,
) -> Response {
    let refused_status = refused.as_ref().map(|(e, _)| match e {
        AppError::Conflict(_) => StatusCode::CONFLICT,
        _ => StatusCode::UNPROCESSABLE_ENTITY,
    });
    let detail: OrderDetail = match sales::order_detail(&state.app, actor, SalesOrderId(id)).await {
        Ok(d) => d,
        Err(e) => return fail(who, &e),
    };
    let mut page = Page::new(state, who, "order-title", "/sales").await;
    let (status, errors) = match outcome(&page.i18n, err, "form") {
        Ok(shown) => shown,
        Err(e) => return fail(who, e),
    };
    let i18n = &page.i18n;
    let o = &detail.order;
    let number = display_number(i18n, o);
    let current = detail.state();
    let may = actor.may(Permission::SalesOrderConfirm);
    let progress = match fulfilment::progress(&state.app, actor, SalesOrderId(id)).await {
        Ok(p) => p,
        Err(e) => return fail(who, &e),
    };
    let shipped_of = |no: i64| {
        progress
            .iter()
            .find(|p| p.line_no == no)
            .map_or(0, |p| p.shipped)
    };
    let shipments = match fulfilment::shipments(&state.app, actor, SalesOrderId(id)).await {
        Ok(rows) => rows
            .iter()
            .map(|s| ShipmentView {
                number: s.number.clone(),
                date: i18n.date(&s.ship_date),
                tracking: s.tracking_reference.clone(),
                entry_id: s.journal_entry_id,
            })
            .collect::<Vec<_>>(),
        Err(e) => return fail(who, &e),
    };
    let returns = match fulfilment::returns(&state.app, actor, SalesOrderId(id)).await {
        Ok(rows) => rows,
        Err(e) => return fail(who, &e),
    };
    let returned_of = |no: i64| {
        progress
            .iter()
            .find(|p| p.line_no == no)
            .map_or(0, |p| p.returned)
    };
    let returnable = if actor.may(Permission::SalesOrderShip) {
        detail
            .lines
            .iter()
            .map(|l| {
                (
                    l.line_no,
                    l.sku.clone(),
                    shipped_of(l.line_no) - returned_of(l.line_no),
                )
            })
            .filter(|(_, _, left)| *left > 0)
            .collect()
    } else {
        Vec::new()
    };
    let returns = returns
        .iter()
        .map(|r| ReturnView {
            number: r.number.clone(),
            date: i18n.date(&r.return_date),
            reason: r.reason.clone(),
            entry_id: r.journal_entry_id,
        })
        .collect();
    let from_quote =
        match seam_app::quotes::quote_of_order(&state.app, actor, SalesOrderId(id)).await {
            Ok(q) => q.map(|q| (q.id, super::quotes::display_number(i18n, &q))),
            Err(e) => return fail(who, &e),
        };
    let billing = match super::invoices::order_billing(
        state,
        actor,
        i18n,
        o,
        &detail.lines,
        shipped_of,
        refused,
    )
    .await
    {
        Ok(b) => b,
        Err(e) => return fail(who, &e),
    };
    let lines = detail
        .lines
        .iter()
        .map(|l| LineView {
            n: l.line_no,
            product_id: l.product_id,
            sku: l.sku.clone(),
            description: l.description.clone(),
            qty: i18n.integer(&l.qty),
            unit_price: i18n.money(l.unit_price_minor, &o.currency),
            rate: format!("{}%", format_rate(l.vat_basis_points)),
            net: i18n.money(l.line_net_minor, &o.currency),
            shipped: i18n.integer(&shipped_of(l.line_no)),
            error: errors.get(&format!("lines[{}].qty", l.line_no)).to_owned(),
        })
        .collect();
    let vat = detail
        .totals
        .breakdown
        .iter()
        .map(|b| VatView {
            rate: format!("{} ({}%)", b.tax_rate_code, format_rate(b.vat_basis_points)),
            base: i18n.money(b.base_minor, &o.currency),
            vat: i18n.money(b.vat_minor, &o.currency),
        })
        .collect();
    let view = DetailPage {
        id: o.id,
        version: o.version,
        party_id: o.party_id,
        customer: o.party_name.clone(),
        date: i18n.date(&o.order_date),
        state_name: i18n.t(&format!("order-state-{}", o.state)),
        lines,
        vat,
        net: i18n.money(o.net_minor, &o.currency),
        vat_total: i18n.money(o.vat_minor, &o.currency),
        total: i18n.money(o.total_minor, &o.currency),
        may_confirm: may && current.confirm().is_ok(),
        may_cancel: may && current.cancel().is_ok(),
        may_ship: actor.may(Permission::SalesOrderShip) && current.ship().is_ok(),
        show_shipped: matches!(current, OrderState::Confirmed | OrderState::Shipped),
        shipments,
        returns,
        returnable,
        today: jiff::Timestamp::now()
            .to_zoned(jiff::tz::TimeZone::UTC)
            .date()
            .strftime("%Y-%m-%d")
            .to_string(),
        from_quote,
        billing,
        errors,
        number: number.clone(),
        page: {
            page.title = number;
            page
        },
    };
    render(refused_status.unwrap_or(status), &view)
}

pub async fn detail(
    State(state): State<AppState>,
    Requester(who): Requester,
    CurrentActor(actor): CurrentActor,
    IdPath(id): IdPath,
) -> Response {
    detail_page(&state, &who, &actor, id, None).await
}

fn version_of(form: &FormData) -> Option<i64> {
    form.get("version").trim().parse().ok()
}

pub async fn confirm(
    State(state): State<AppState>,
    Requester(who): Requester,
    CurrentActor(actor): CurrentActor,
    IdPath(id): IdPath,
    form: FormData,
) -> Response {
    let result =
        sales::confirm_order(&state.app, &actor, SalesOrderId(id), version_of(&form)).await;
    match result {
        Ok(_) => {
            redirect_with_flash(
                &state,
                &who,
                &format!("/sales/orders/{id}"),
                "flash-order-confirmed",
            )
            .await
        }
        Err(e) => detail_page(&state, &who, &actor, id, Some(&e)).await,
    }
}

pub async fn cancel(
    State(state): State<AppState>,
    Requester(who): Requester,
    CurrentActor(actor): CurrentActor,
    IdPath(id): IdPath,
    form: FormData,
) -> Response {
    let result = sales::cancel_order(&state.app, &actor, SalesOrderId(id), version_of(&form)).await;
    match result {
        Ok(_) => {
            redirect_with_flash(
                &state,
                &who,
                &format!("/sales/orders/{id}"),
                "flash-order-cancelled",
            )
            .await
        }
        Err(e) => detail_page(&state, &who, &actor, id, Some(&e)).await,
    }
}

/// Ships everything the order has left, on the date and with the tracking
/// reference of the form.
/// One customer return on the order's page.
struct ReturnView {
    number: String,
    date: String,
    reason: String,
    entry_id: Option<i64>,
}

/// Takes goods back: one quantity field per returnable line (`return_N`),
/// a date and a reason. Errors are shown on the lines they concern.
pub async fn return_goods(
    State(state): State<AppState>,
    Requester(who): Requester,
    CurrentActor(actor): CurrentActor,
    IdPath(id): IdPath,
    form: FormData,
) -> Response {
    // The use case names lines by their position in the input; the page by line number.
    let mut lines = Vec::new();
    let mut line_of_position = Vec::new();
    let mut typed_errors = seam_domain::FieldErrors::new();
    for (name, value) in &form.0 {
        let Some(line_no) = name
            .strip_prefix("return_")
            .and_then(|n| n.parse::<i64>().ok())
        else {
            continue;
        };
        match value.trim() {
            "" => {}
            text => match text.parse::<i64>() {
                Ok(qty) => {
                    lines.push((line_no, qty));
                    line_of_position.push(line_no);
                }
                Err(_) => typed_errors.add(&format!("lines[{line_no}].qty"), "error-qty-whole"),
            },
        }
    }
    if !typed_errors.is_empty() {
        let err = AppError::Invalid(typed_errors);
        return detail_page(&state, &who, &actor, id, Some(&err)).await;
    }
    let input = fulfilment::ReturnInput {
        lines,
        return_date: form.get("return_date").to_owned(),
        reason: form.get("reason").to_owned(),
    };
    match fulfilment::return_goods(&state.app, &actor, SalesOrderId(id), &input).await {
        Ok(_) => {
            redirect_with_flash(
                &state,
                &who,
                &format!("/sales/orders/{id}"),
                "flash-goods-returned",
            )
            .await
        }
        Err(AppError::Invalid(errors)) => {
            let mut by_line = seam_domain::FieldErrors::new();
            for e in errors.iter() {
                let field = e
                    .field
                    .strip_prefix("lines[")
                    .and_then(|rest| rest.split_once(']'))
                    .and_then(|(n, tail)| {
                        let position = n.parse::<usize>().ok()?;
                        let line_no = line_of_position.get(position.checked_sub(1)?)?;
                        Some(format!("lines[{line_no}]{tail}"))
                    })
                    .unwrap_or_else(|| e.field.clone());
                by_line.add(&field, e.code);
            }
            let err = AppError::Invalid(by_line);
            detail_page(&state, &who, &actor, id, Some(&err)).await
        }
        Err(e) => detail_page(&state, &who, &actor, id, Some(&e)).await,
    }
}

pub async fn ship(
    State(state): State<AppState>,
    Requester(who): Requester,
    CurrentActor(actor): CurrentActor,
    IdPath(id): IdPath,
    form: FormData,
) -> Response {
    let input = ShipInput {
        lines: ShipLines::Remaining,
        ship_date: form.get("ship_date").to_owned(),
        tracking_reference: form.get("tracking_reference").to_owned(),
    };
    match fulfilment::ship_order(&state.app, &actor, SalesOrderId(id), &input).await {
        Ok(_) => {
            redirect_with_flash(
                &state,
                &who,
                &format!("/sales/orders/{id}"),
                "flash-order-shipped",
            )
            .await
        }
        Err(e) => detail_page(&state, &who, &actor, id, Some(&e)).await,
    }
}

/// What a form of lines (an order's or a quote's) offers and shows: the
/// customers and products to pick from, and one row per line with what was
/// typed and its errors.
pub async fn line_form(
    state: &AppState,
    actor: &Actor,
    i18n: &I18n,
    typed: &[LineInput],
    errors: &Errors,
) -> Result<(Vec<Choice>, Vec<Choice>, Vec<FormLine>), AppError> {
    let customers = super::invoices::customer_choices(state, actor).await?;
    let products = products::list_products(
        &state.app,
        actor,
        &ProductFilter::default(),
        ProductSort::SkuAsc,
        None,
        PICKER_MAX,
    )
    .await?
    .rows
    .into_iter()
    .map(|p| Choice {
        label: format!(
            "{} · {} · {}",
            p.sku,
            p.name,
            i18n.money(p.list_price_minor, &p.currency)
        ),
        value: p.sku,
    })
    .collect();
    let lines = (1..=FORM_LINES)
        .map(|n| {
            let typed = typed.get(n - 1).cloned().unwrap_or_default();
            FormLine {
                n,
                product: typed.product,
                qty: typed.qty,
                unit_price: typed.unit_price,
                product_error: errors.get(&format!("lines[{n}].product")).to_owned(),
                qty_error: errors.get(&format!("lines[{n}].qty")).to_owned(),
                price_error: errors.get(&format!("lines[{n}].unit_price")).to_owned(),
            }
        })
        .collect();
    Ok((customers, products, lines))
}
