//! The customer portal's pages: an overview, the customer's orders,
//! invoices (with PDF and UBL downloads) and payments, and a form for their
//! contact details. Each handler calls one `seam_app::portal` use case, which
//! keeps the customer to their own party.

use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use seam_app::AppError;
use seam_app::portal::{self, DetailsInput, MyOrder, Overview};
use seam_domain::product::format_rate;
use serde::Deserialize;

use super::invoices::{InvoiceListView, display_number, download, today_of};
use super::{FormData, IdPath};
use crate::AppState;
use crate::html::{Errors, Page, fail, ok, redirect_with_flash, render};
use crate::i18n::I18n;
use crate::who::{CurrentActor, Requester, Who};

/// Where the portal starts; every portal page's path begins with it.
pub const PORTAL_PATH: &str = "/portal";

#[derive(Deserialize, Default)]
pub struct PageQuery {
    #[serde(default)]
    cursor: String,
}

impl PageQuery {
    fn before(&self) -> Option<i64> {
        self.cursor.parse().ok()
    }
}

/// The link to the next page of a list, or "" at its end.
fn next_link(path: &str, next: Option<i64>) -> String {
    next.map(|n| format!("{path}?cursor={n}"))
        .unwrap_or_default()
}

/// An order in a list, ready to show.
pub struct OrderView {
    pub id: i64,
    pub number: String,
    pub date: String,
    pub total: String,
    pub state: String,
    pub state_name: String,
    pub fulfilment: String,
}

fn order_view(i18n: &I18n, p: &seam_app::customer_view::OrderProgress) -> OrderView {
    OrderView {
        id: p.order.id,
        number: p.order.number.clone().unwrap_or_default(),
        date: i18n.date(&p.order.order_date),
        total: i18n.money(p.order.total_minor, &p.order.currency),
        state: p.order.state.clone(),
        state_name: i18n.t(&format!("order-state-{}", p.order.state)),
        fulfilment: i18n.t(&format!("party-fulfilment-{}", p.fulfilment())),
    }
}

pub struct BalanceView {
    pub due: String,
    pub credit: String,
}

#[derive(Template)]
#[template(path = "portal_overview.html")]
struct OverviewPage {
    page: Page,
    party_name: String,
    balances: Vec<BalanceView>,
    open: Vec<InvoiceListView>,
    orders: Vec<OrderView>,
}

pub async fn overview(
    State(state): State<AppState>,
    Requester(who): Requester,
    CurrentActor(actor): CurrentActor,
) -> Response {
    let Overview {
        party,
        balances,
        open_invoices,
        recent_orders,
    } = match portal::overview(&state.app, &actor).await {
        Ok(o) => o,
        Err(e) => return fail(&who, &e),
    };
    let page = Page::new(&state, &who, "portal-title", PORTAL_PATH).await;
    let i18n = &page.i18n;
    let today = today_of(&actor);
    ok(&OverviewPage {
        party_name: party.name,
        balances: balances
            .iter()
            .map(|b| BalanceView {
                due: i18n.money(b.due_minor, &b.currency),
                credit: i18n.money(b.credit_minor, &b.currency),
            })
            .collect(),
        open: open_invoices
            .iter()
            .map(|d| InvoiceListView::new(i18n, &d.invoice, today))
            .collect(),
        orders: recent_orders.iter().map(|p| order_view(i18n, p)).collect(),
        page,
    })
}

#[derive(Template)]
#[template(path = "portal_orders.html")]
struct OrdersPage {
    page: Page,
    orders: Vec<OrderView>,
    next_link: String,
}

pub async fn orders(
    State(state): State<AppState>,
    Requester(who): Requester,
    CurrentActor(actor): CurrentActor,
    Query(query): Query<PageQuery>,
) -> Response {
    let path = "/portal/orders";
    let (rows, next) =
        match portal::my_orders(&state.app, &actor, query.before(), portal::PAGE_SIZE).await {
            Ok(r) => r,
            Err(e) => return fail(&who, &e),
        };
    let page = Page::new(&state, &who, "orders-title", path).await;
    ok(&OrdersPage {
        orders: rows.iter().map(|p| order_view(&page.i18n, p)).collect(),
        next_link: next_link(path, next),
        page,
    })
}

pub struct OrderLineView {
    pub sku: String,
    pub description: String,
    pub qty: String,
    pub shipped: String,
    pub unit_price: String,
    pub rate: String,
    pub net: String,
}

pub struct ShipmentView {
    pub number: String,
    pub date: String,
    pub tracking: String,
    /// A no-charge replacement sent for a request.
    pub replacement: bool,
}

#[derive(Template)]
#[template(path = "portal_order.html")]
struct OrderPage {
    page: Page,
    number: String,
    date: String,
    state: String,
    state_name: String,
    fulfilment: String,
    lines: Vec<OrderLineView>,
    net: String,
    vat: String,
    total: String,
    shipments: Vec<ShipmentView>,
}

pub async fn order(
    State(state): State<AppState>,
    Requester(who): Requester,
    CurrentActor(actor): CurrentActor,
    IdPath(id): IdPath,
) -> Response {
    let order: MyOrder = match portal::my_order(&state.app, &actor, id).await {
        Ok(o) => o,
        Err(e) => return fail(&who, &e),
    };
    let mut page = Page::new(&state, &who, "order-title", "/portal/orders").await;
    let i18n = &page.i18n.clone();
    let currency = order.order.currency.clone();
    let number = order.order.number.clone().unwrap_or_default();
    let view = OrderPage {
        date: i18n.date(&order.order.order_date),
        state: order.order.state.clone(),
        state_name: i18n.t(&format!("order-state-{}", order.order.state)),
        fulfilment: i18n.t(&format!("party-fulfilment-{}", order.fulfilment())),
        lines: order
            .lines
            .iter()
            .map(|l| OrderLineView {
                sku: l.line.sku.clone(),
                description: l.line.description.clone(),
                qty: i18n.integer(&l.line.qty),
                shipped: if l.line.kind == "goods" {
                    i18n.integer(&l.shipped_qty)
                } else {
                    String::new()
                },
                unit_price: i18n.money(l.line.unit_price_minor, &currency),
                rate: format_rate(l.line.vat_basis_points),
                net: i18n.money(l.line.line_net_minor, &currency),
            })
            .collect(),
        net: i18n.money(order.totals.net_minor, &currency),
        vat: i18n.money(order.totals.vat_minor, &currency),
        total: i18n.money(order.totals.total_minor, &currency),
        shipments: order
            .shipments
            .iter()
            .map(|s| ShipmentView {
                number: s.number.clone(),
                date: i18n.date(&s.ship_date),
                tracking: s.tracking_reference.clone(),
                replacement: s.replacement_ticket_id.is_some(),
            })
            .collect(),
        number: number.clone(),
        page: {
            page.title = format!("{} {number}", page.title);
            page
        },
    };
    ok(&view)
}

#[derive(Template)]
#[template(path = "portal_invoices.html")]
struct InvoicesPage {
    page: Page,
    rows: Vec<InvoiceListView>,
    next_link: String,
}

pub async fn invoices(
    State(state): State<AppState>,
    Requester(who): Requester,
    CurrentActor(actor): CurrentActor,
    Query(query): Query<PageQuery>,
) -> Response {
    let path = "/portal/invoices";
    let (rows, next) =
        match portal::my_invoices(&state.app, &actor, query.before(), portal::PAGE_SIZE).await {
            Ok(r) => r,
            Err(e) => return fail(&who, &e),
        };
    let page = Page::new(&state, &who, "portal-invoices-title", path).await;
    let today = today_of(&actor);
    ok(&InvoicesPage {
        rows: rows
            .iter()
            .map(|r| InvoiceListView::new(&page.i18n, r, today))
            .collect(),
        next_link: next_link(path, next),
        page,
    })
}

pub struct InvoiceLineView {
    pub sku: String,
    pub description: String,
    pub qty: String,
    pub unit_price: String,
    pub rate: String,
    pub net: String,
}

pub struct AllocationView {
    pub number: String,
    pub date: String,
    pub amount: String,
}

#[derive(Template)]
#[template(path = "portal_invoice.html")]
struct InvoicePage {
    page: Page,
    id: i64,
    head: InvoiceListView,
    order_number: String,
    lines: Vec<InvoiceLineView>,
    net: String,
    vat: String,
    paid: String,
    payments: Vec<AllocationView>,
    credit_notes: Vec<InvoiceListView>,
}

pub async fn invoice(
    State(state): State<AppState>,
    Requester(who): Requester,
    CurrentActor(actor): CurrentActor,
    IdPath(id): IdPath,
) -> Response {
    let detail = match portal::my_invoice(&state.app, &actor, id).await {
        Ok(d) => d,
        Err(e) => return fail(&who, &e),
    };
    let mut page = Page::new(&state, &who, "invoice-title", "/portal/invoices").await;
    let i18n = I18n::new(actor.locale);
    let today = today_of(&actor);
    let row = &detail.invoice;
    let currency = &row.currency;
    page.title = display_number(&i18n, row);
    ok(&InvoicePage {
        id,
        head: InvoiceListView::new(&i18n, row, today),
        order_number: row.order_number.clone().unwrap_or_default(),
        lines: detail
            .lines
            .iter()
            .map(|l| InvoiceLineView {
                sku: l.sku.clone(),
                description: l.description.clone(),
                qty: i18n.integer(&l.qty),
                unit_price: i18n.money(l.unit_price_minor, currency),
                rate: format_rate(l.vat_basis_points),
                net: i18n.money(l.line_net_minor, currency),
            })
            .collect(),
        net: i18n.money(row.net_minor, currency),
        vat: i18n.money(row.vat_minor, currency),
        paid: i18n.money(row.settled_minor, currency),
        payments: detail
            .payments
            .iter()
            .map(|a| AllocationView {
                number: a.payment_number.clone(),
                date: i18n.date(&a.payment_date),
                amount: i18n.money(a.amount_minor, currency),
            })
            .collect(),
        credit_notes: detail
            .credit_notes
            .iter()
            .map(|c| InvoiceListView::new(&i18n, c, today))
            .collect(),
        page,
    })
}

/// The file name of one of the customer's documents: its number, safe for a header.
async fn file_stem(state: &AppState, actor: &seam_app::Actor, id: i64) -> Result<String, AppError> {
    let detail = portal::my_invoice(&state.app, actor, id).await?;
    let number = detail
        .invoice
        .number
        .unwrap_or_else(|| format!("invoice-{id}"));
    Ok(number
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_')
        .collect())
}

pub async fn invoice_pdf(
    State(state): State<AppState>,
    Requester(who): Requester,
    CurrentActor(actor): CurrentActor,
    IdPath(id): IdPath,
) -> Response {
    let stem = match file_stem(&state, &actor, id).await {
        Ok(s) => s,
        Err(e) => return fail(&who, &e),
    };
    match portal::my_invoice_pdf(&state.app, &actor, id).await {
        Ok(bytes) => download("application/pdf", &format!("{stem}.pdf"), bytes),
        Err(e) => fail(&who, &e),
    }
}

pub async fn invoice_ubl(
    State(state): State<AppState>,
    Requester(who): Requester,
    CurrentActor(actor): CurrentActor,
    IdPath(id): IdPath,
) -> Response {
    let stem = match file_stem(&state, &actor, id).await {
        Ok(s) => s,
        Err(e) => return fail(&who, &e),
    };
    match portal::my_invoice_ubl(&state.app, &actor, id).await {
        Ok(xml) => download("application/xml", &format!("{stem}.xml"), xml.into_bytes()),
        Err(e) => fail(&who, &e),
    }
}

pub struct PaymentView {
    pub number: String,
    pub date: String,
    pub amount: String,
    pub unallocated: String,
    pub reference: String,
}

#[derive(Template)]
#[template(path = "portal_payments.html")]
struct PaymentsPage {
    page: Page,
    rows: Vec<PaymentView>,
    next_link: String,
}

pub async fn payments(
    State(state): State<AppState>,
    Requester(who): Requester,
    CurrentActor(actor): CurrentActor,
    Query(query): Query<PageQuery>,
) -> Response {
    let path = "/portal/payments";
    let (rows, next) =
        match portal::my_payments(&state.app, &actor, query.before(), portal::PAGE_SIZE).await {
            Ok(r) => r,
            Err(e) => return fail(&who, &e),
        };
    let page = Page::new(&state, &who, "payments-title", path).await;
    let i18n = &page.i18n;
    let rows = rows
        .iter()
        .map(|p| PaymentView {
            number: p.number.clone(),
            date: i18n.date(&p.payment_date),
            amount: i18n.money(p.amount_minor, &p.currency),
            unallocated: i18n.money(p.unallocated_minor, &p.currency),
            reference: p.reference.clone(),
        })
        .collect();
    ok(&PaymentsPage {
        rows,
        next_link: next_link(path, next),
        page,
    })
}

#[derive(Template)]
#[template(path = "portal_details.html")]
struct DetailsPage {
    page: Page,
    party_name: String,
    version: i64,
    input: DetailsInput,
    errors: Errors,
}

const DETAILS_PATH: &str = "/portal/details";

async fn details_page(
    state: &AppState,
    who: &Who,
    status: StatusCode,
    party_name: String,
    version: i64,
    input: DetailsInput,
    errors: Errors,
) -> Response {
    let page = Page::new(state, who, "portal-details-title", DETAILS_PATH).await;
    render(
        status,
        &DetailsPage {
            page,
            party_name,
            version,
            input,
            errors,
        },
    )
}

pub async fn details(
    State(state): State<AppState>,
    Requester(who): Requester,
    CurrentActor(actor): CurrentActor,
) -> Response {
    let party = match seam_app::parties::my_party(&state.app, &actor).await {
        Ok(p) => p,
        Err(e) => return fail(&who, &e),
    };
    let input = DetailsInput::of(&party);
    details_page(
        &state,
        &who,
        StatusCode::OK,
        party.name,
        party.version,
        input,
        Errors::default(),
    )
    .await
}

pub async fn save_details(
    State(state): State<AppState>,
    Requester(who): Requester,
    CurrentActor(actor): CurrentActor,
    form: FormData,
) -> Response {
    let input = DetailsInput {
        email: form.get("email").to_owned(),
        phone: form.get("phone").to_owned(),
        street: form.get("street").to_owned(),
        postal_code: form.get("postal_code").to_owned(),
        city: form.get("city").to_owned(),
        country: form.get("country").to_owned(),
    };
    let version = form.get("version").parse::<i64>().unwrap_or(-1);
    let err = match portal::update_my_details(&state.app, &actor, version, &input).await {
        Ok(()) => {
            return redirect_with_flash(&state, &who, DETAILS_PATH, "portal-details-saved").await;
        }
        Err(e) => e,
    };
    let i18n = I18n::new(actor.locale);
    let errors = match &err {
        AppError::Invalid(fields) => Errors::new(&i18n, fields),
        AppError::Conflict(code) => Errors::one(&i18n, "form", code),
        _ => return fail(&who, &err),
    };
    // The form is shown again with what was typed, against the current version.
    let party = match seam_app::parties::my_party(&state.app, &actor).await {
        Ok(p) => p,
        Err(e) => return fail(&who, &e),
    };
    // A stale save is retried against the current version; a field error keeps the one edited.
    let (status, version) = match err {
        AppError::Conflict(_) => (StatusCode::CONFLICT, party.version),
        _ => (StatusCode::UNPROCESSABLE_ENTITY, version),
    };
    details_page(&state, &who, status, party.name, version, input, errors).await
}
