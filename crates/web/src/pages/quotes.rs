//! Sales quote pages: the list with a state filter, the new and edit forms,
//! and a quote's page with its lines, totals and the actions its state and
//! the user's permissions allow (send, accept into an order, decline).

use askama::Template;
use axum::extract::{Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use seam_app::quotes::{self, LineInput, QuoteDetail, QuoteFilter, QuoteInput, QuoteRow};
use seam_app::{Actor, AppError};
use seam_domain::access::Permission;
use seam_domain::ids::{PartyId, SalesQuoteId};
use seam_domain::product::format_rate;
use seam_domain::quote::QuoteState;
use serde::Deserialize;

use super::ledger::{Choice, outcome};
use super::sales::{FORM_LINES, FormLine, VatView};
use super::{FormData, IdPath};
use crate::AppState;
use crate::html::{Errors, Page, fail, ok, redirect_with_flash, render};
use crate::i18n::I18n;
use crate::who::{CurrentActor, Requester, Who};

/// Rows per page of the quote list.
pub const LIST_PAGE_SIZE: i64 = 50;
/// A quote in a list, ready to show.
pub struct QuoteListView {
    pub id: i64,
    pub number: String,
    pub date: String,
    pub valid_until: String,
    pub customer: String,
    pub party_id: i64,
    pub state: String,
    pub state_name: String,
    pub total: String,
}

impl QuoteListView {
    pub fn new(i18n: &I18n, row: &QuoteRow) -> QuoteListView {
        let state = quotes::state_of(row).name();
        QuoteListView {
            id: row.id,
            number: display_number(i18n, row),
            date: i18n.date(&row.quote_date),
            valid_until: i18n.date(&row.valid_until),
            customer: row.party_name.clone(),
            party_id: row.party_id,
            state: state.to_owned(),
            state_name: i18n.t(&format!("quote-state-{state}")),
            total: i18n.money(row.total_minor, &row.currency),
        }
    }
}

/// The quote's number, or "Draft #12" in the user's language.
pub fn display_number(i18n: &I18n, row: &QuoteRow) -> String {
    match &row.number {
        Some(n) => n.clone(),
        None => format!("{} #{}", i18n.t("quote-draft"), row.id),
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
#[template(path = "sales_quotes.html")]
struct ListPage {
    page: Page,
    states: Vec<Choice>,
    state: String,
    rows: Vec<QuoteListView>,
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
    let filter = QuoteFilter {
        state: QuoteState::parse(&query.state),
        party: None,
    };
    let before = query.cursor.parse::<i64>().ok().map(SalesQuoteId);
    let (rows, next) =
        match quotes::list_quotes(&state.app, &actor, &filter, before, LIST_PAGE_SIZE).await {
            Ok(l) => l,
            Err(e) => return fail(&who, &e),
        };
    let page = Page::new(&state, &who, "quotes-title", "/sales").await;
    let state_param = filter.state.map(|s| s.name()).unwrap_or_default();
    let with = |cursor: &str| {
        format!(
            "/sales/quotes?{}",
            super::query_string(&[("state", state_param), ("cursor", cursor)])
        )
    };
    let next_link = next.map(|n| with(&n.to_string())).unwrap_or_default();
    let first_link = if query.cursor.is_empty() {
        String::new()
    } else {
        with("")
    };
    ok(&ListPage {
        states: QuoteState::ALL
            .into_iter()
            .map(|s| Choice {
                value: s.name().to_owned(),
                label: page.i18n.t(&format!("quote-state-{}", s.name())),
            })
            .collect(),
        rows: rows
            .iter()
            .map(|r| QuoteListView::new(&page.i18n, r))
            .collect(),
        page,
        state: state_param.to_owned(),
        next_link,
        first_link,
        may_write: actor.may(Permission::SalesOrderWrite),
    })
}

#[derive(Template)]
#[template(path = "sales_quote_form.html")]
struct FormPage {
    page: Page,
    /// Where the form posts: `/sales/quotes` or `/sales/quotes/{id}`.
    action: String,
    /// The draft's version when editing, else 0.
    version: i64,
    cancel_link: String,
    submit_label: String,
    customers: Vec<Choice>,
    products: Vec<Choice>,
    customer: String,
    quote_date: String,
    valid_until: String,
    lines: Vec<FormLine>,
    errors: Errors,
}

/// Which form: a new quote, or the draft with this id and version.
#[derive(Clone, Copy)]
enum Editing {
    New,
    Draft { id: i64, version: i64 },
}

async fn form_page(
    state: &AppState,
    who: &Who,
    actor: &Actor,
    editing: Editing,
    input: &QuoteInput,
    err: Option<&AppError>,
) -> Response {
    let title = match editing {
        Editing::New => "quote-new-title",
        Editing::Draft { .. } => "quote-edit-title",
    };
    let page = Page::new(state, who, title, "/sales").await;
    let (status, errors) = match outcome(&page.i18n, err, "form") {
        Ok(shown) => shown,
        Err(e) => return fail(who, e),
    };
    let (customers, products, lines) =
        match super::sales::line_form(state, actor, &page.i18n, &input.lines, &errors).await {
            Ok(parts) => parts,
            Err(e) => return fail(who, &e),
        };
    let (action, version, cancel_link, submit) = match editing {
        Editing::New => (
            "/sales/quotes".to_owned(),
            0,
            "/sales/quotes".to_owned(),
            "quote-create",
        ),
        Editing::Draft { id, version } => (
            format!("/sales/quotes/{id}"),
            version,
            format!("/sales/quotes/{id}"),
            "quote-save",
        ),
    };
    render(
        status,
        &FormPage {
            submit_label: page.i18n.t(submit),
            page,
            action,
            version,
            cancel_link,
            customers,
            products,
            customer: input.customer.map(|c| c.0.to_string()).unwrap_or_default(),
            quote_date: input.quote_date.clone(),
            valid_until: input.valid_until.clone(),
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
    let input = QuoteInput {
        customer: query.customer.parse::<i64>().ok().map(PartyId),
        quote_date: super::ledger::today(&actor.time_zone).to_string(),
        ..QuoteInput::default()
    };
    form_page(&state, &who, &actor, Editing::New, &input, None).await
}

fn input_from_form(form: &FormData) -> QuoteInput {
    QuoteInput {
        customer: form.get("customer").trim().parse::<i64>().ok().map(PartyId),
        quote_date: form.get("quote_date").to_owned(),
        valid_until: form.get("valid_until").to_owned(),
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
    match quotes::create_quote(&state.app, &actor, &input).await {
        Ok(id) => {
            redirect_with_flash(
                &state,
                &who,
                &format!("/sales/quotes/{id}"),
                "flash-quote-created",
            )
            .await
        }
        Err(e) => form_page(&state, &who, &actor, Editing::New, &input, Some(&e)).await,
    }
}

/// The edit form of a draft, filled in with what it holds.
pub async fn edit_form(
    State(state): State<AppState>,
    Requester(who): Requester,
    CurrentActor(actor): CurrentActor,
    IdPath(id): IdPath,
) -> Response {
    let detail = match quotes::quote_detail(&state.app, &actor, SalesQuoteId(id)).await {
        Ok(d) => d,
        Err(e) => return fail(&who, &e),
    };
    let q = &detail.quote;
    let input = QuoteInput {
        customer: Some(PartyId(q.party_id)),
        quote_date: q.quote_date.clone(),
        valid_until: q.valid_until.clone(),
        currency: q.currency.clone(),
        lines: detail
            .lines
            .iter()
            .map(|l| LineInput {
                product: l.sku.clone(),
                qty: l.qty.to_string(),
                unit_price: seam_domain::ledger::format_amount(l.unit_price_minor, &q.currency),
            })
            .collect(),
    };
    let editing = Editing::Draft {
        id,
        version: q.version,
    };
    let refused = detail
        .state
        .edit()
        .err()
        .map(|_| AppError::Conflict(seam_domain::quote::IllegalTransition::CODE));
    form_page(&state, &who, &actor, editing, &input, refused.as_ref()).await
}

/// Saves the edit form of a draft.
pub async fn update(
    State(state): State<AppState>,
    Requester(who): Requester,
    CurrentActor(actor): CurrentActor,
    IdPath(id): IdPath,
    form: FormData,
) -> Response {
    let input = input_from_form(&form);
    let version = version_of(&form).unwrap_or(0);
    match quotes::update_quote(&state.app, &actor, SalesQuoteId(id), version, &input).await {
        Ok(()) => {
            redirect_with_flash(
                &state,
                &who,
                &format!("/sales/quotes/{id}"),
                "flash-quote-updated",
            )
            .await
        }
        Err(AppError::NotFound) => fail(&who, &AppError::NotFound),
        Err(e) => {
            let editing = Editing::Draft { id, version };
            form_page(&state, &who, &actor, editing, &input, Some(&e)).await
        }
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
}

#[derive(Template)]
#[template(path = "sales_quote_detail.html")]
struct DetailPage {
    page: Page,
    id: i64,
    version: i64,
    number: String,
    /// A numbered quote has a PDF to send.
    has_pdf: bool,
    party_id: i64,
    customer: String,
    date: String,
    valid_until: String,
    state: String,
    state_name: String,
    decline_reason: String,
    order_id: Option<i64>,
    order_number: String,
    lines: Vec<LineView>,
    vat: Vec<VatView>,
    net: String,
    vat_total: String,
    total: String,
    may_edit: bool,
    may_send: bool,
    may_accept: bool,
    may_decline: bool,
    errors: Errors,
}

async fn detail_page(
    state: &AppState,
    who: &Who,
    actor: &Actor,
    id: i64,
    err: Option<&AppError>,
) -> Response {
    let detail: QuoteDetail = match quotes::quote_detail(&state.app, actor, SalesQuoteId(id)).await
    {
        Ok(d) => d,
        Err(e) => return fail(who, &e),
    };
    let mut page = Page::new(state, who, "quote-title", "/sales").await;
    let (status, errors) = match outcome(&page.i18n, err, "form") {
        Ok(shown) => shown,
        Err(e) => return fail(who, e),
    };
    let i18n = &page.i18n;
    let q = &detail.quote;
    let number = display_number(i18n, q);
    let current = detail.state;
    let may = actor.may(Permission::SalesOrderWrite);
    let lines = detail
        .lines
        .iter()
        .map(|l| LineView {
            n: l.line_no,
            product_id: l.product_id,
            sku: l.sku.clone(),
            description: l.description.clone(),
            qty: i18n.integer(&l.qty),
            unit_price: i18n.money(l.unit_price_minor, &q.currency),
            rate: format!("{}%", format_rate(l.vat_basis_points)),
            net: i18n.money(l.line_net_minor, &q.currency),
        })
        .collect();
    let vat = detail
        .totals
        .breakdown
        .iter()
        .map(|b| VatView {
            rate: format!("{} ({}%)", b.tax_rate_code, format_rate(b.vat_basis_points)),
            base: i18n.money(b.base_minor, &q.currency),
            vat: i18n.money(b.vat_minor, &q.currency),
        })
        .collect();
    let order_number = match (&q.order_number, q.order_id) {
        (Some(n), _) => n.clone(),
        (None, Some(o)) => format!("{} #{o}", i18n.t("order-draft")),
        (None, None) => String::new(),
    };
    let view = DetailPage {
        id: q.id,
        version: q.version,
        party_id: q.party_id,
        customer: q.party_name.clone(),
        date: i18n.date(&q.quote_date),
        valid_until: i18n.date(&q.valid_until),
        state: current.name().to_owned(),
        state_name: i18n.t(&format!("quote-state-{}", current.name())),
        decline_reason: q.decline_reason.clone(),
        order_id: q.order_id,
        order_number,
        lines,
        vat,
        net: i18n.money(q.net_minor, &q.currency),
        vat_total: i18n.money(q.vat_minor, &q.currency),
        total: i18n.money(q.total_minor, &q.currency),
        may_edit: may && current.edit().is_ok(),
        may_send: may && current.send().is_ok(),
        may_accept: may && current.accept().is_ok(),
        may_decline: may && current.decline().is_ok(),
        errors,
        number: number.clone(),
        has_pdf: q.number.is_some(),
        page: {
            page.title = number;
            page
        },
    };
    render(status, &view)
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

async fn after(
    state: &AppState,
    who: &Who,
    actor: &Actor,
    id: i64,
    result: Result<(), AppError>,
    flash: &str,
) -> Response {
    match result {
        Ok(()) => redirect_with_flash(state, who, &format!("/sales/quotes/{id}"), flash).await,
        Err(e) => detail_page(state, who, actor, id, Some(&e)).await,
    }
}

/// The quote as a PDF to send, named by its number. A draft shows its page
/// with the quote-state error.
pub async fn pdf(
    State(state): State<AppState>,
    Requester(who): Requester,
    CurrentActor(actor): CurrentActor,
    IdPath(id): IdPath,
) -> Response {
    let number = match quotes::quote_detail(&state.app, &actor, SalesQuoteId(id)).await {
        Ok(d) => d.quote.number.unwrap_or_default(),
        Err(e) => return fail(&who, &e),
    };
    match quotes::pdf(&state.app, &actor, SalesQuoteId(id)).await {
        Ok(bytes) => {
            let stem: String = number
                .chars()
                .filter(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_')
                .collect();
            (
                StatusCode::OK,
                [
                    (header::CONTENT_TYPE, "application/pdf".to_owned()),
                    (
                        header::CONTENT_DISPOSITION,
                        format!("attachment; filename=\"{stem}.pdf\""),
                    ),
                ],
                bytes,
            )
                .into_response()
        }
        Err(e) => detail_page(&state, &who, &actor, id, Some(&e)).await,
    }
}

pub async fn send(
    State(state): State<AppState>,
    Requester(who): Requester,
    CurrentActor(actor): CurrentActor,
    IdPath(id): IdPath,
    form: FormData,
) -> Response {
    let result = quotes::send_quote(&state.app, &actor, SalesQuoteId(id), version_of(&form))
        .await
        .map(|_| ());
    after(&state, &who, &actor, id, result, "flash-quote-sent").await
}

/// Accepts the quote and goes to the order it became.
pub async fn accept(
    State(state): State<AppState>,
    Requester(who): Requester,
    CurrentActor(actor): CurrentActor,
    IdPath(id): IdPath,
    form: FormData,
) -> Response {
    match quotes::accept_quote(&state.app, &actor, SalesQuoteId(id), version_of(&form)).await {
        Ok((_, order)) => {
            redirect_with_flash(
                &state,
                &who,
                &format!("/sales/orders/{order}"),
                "flash-quote-accepted",
            )
            .await
        }
        Err(e) => detail_page(&state, &who, &actor, id, Some(&e)).await,
    }
}

pub async fn decline(
    State(state): State<AppState>,
    Requester(who): Requester,
    CurrentActor(actor): CurrentActor,
    IdPath(id): IdPath,
    form: FormData,
) -> Response {
    let result = quotes::decline_quote(
        &state.app,
        &actor,
        SalesQuoteId(id),
        version_of(&form),
        form.get("reason"),
    )
    .await
    .map(|_| ());
    after(&state, &who, &actor, id, result, "flash-quote-declined").await
}
