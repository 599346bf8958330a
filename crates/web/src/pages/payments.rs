//! Payment pages: the list, the form that records a customer's payment with
//! its allocation to the customer's open invoices, and a payment's page.

use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use seam_app::invoicing::{self, InvoiceFilter, PaymentInput, PaymentRow};
use seam_app::{Actor, AppError, company};
use seam_domain::ledger::format_amount;
use serde::Deserialize;

use super::invoices::{PICKER_MAX, customer_choices, display_number, today_of};
use super::ledger::{Choice, form_errors};
use super::{FormData, IdPath};
use crate::AppState;
use crate::html::{Errors, Page, fail, ok, redirect_with_flash, render};
use crate::i18n::I18n;
use crate::who::{CurrentActor, Requester, Who};

/// Rows per page of the payment list.
pub const LIST_PAGE_SIZE: i64 = 50;
const NAV_PATH: &str = "/accounting";

/// A payment in a list, ready to show.
pub struct PaymentListView {
    pub id: i64,
    pub number: String,
    pub date: String,
    pub party_id: i64,
    pub customer: String,
    pub amount: String,
    pub unallocated: String,
    pub reference: String,
}

impl PaymentListView {
    pub fn new(i18n: &I18n, r: &PaymentRow) -> PaymentListView {
        PaymentListView {
            id: r.id,
            number: r.number.clone(),
            date: i18n.date(&r.payment_date),
            party_id: r.party_id,
            customer: r.party_name.clone(),
            amount: i18n.money(r.amount_minor, &r.currency),
            unallocated: if r.unallocated_minor > 0 {
                i18n.money(r.unallocated_minor, &r.currency)
            } else {
                String::new()
            },
            reference: r.reference.clone(),
        }
    }
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct ListQuery {
    #[serde(default)]
    pub party: String,
    #[serde(default)]
    pub cursor: String,
}

#[derive(Template)]
#[template(path = "payment_list.html")]
struct ListPage {
    page: Page,
    customers: Vec<Choice>,
    party: String,
    rows: Vec<PaymentListView>,
    next_link: String,
    first_link: String,
    may_record: bool,
}

pub async fn list(
    State(state): State<AppState>,
    Requester(who): Requester,
    CurrentActor(actor): CurrentActor,
    Query(query): Query<ListQuery>,
) -> Response {
    let party_id = query.party.trim().parse::<i64>().ok();
    let before = query.cursor.parse::<i64>().ok();
    let (rows, next) = match invoicing::list_payments(
        &state.app,
        &actor,
        party_id,
        before,
        LIST_PAGE_SIZE,
    )
    .await
    {
        Ok(l) => l,
        Err(e) => return fail(&who, &e),
    };
    let customers = match customer_choices(&state, &actor).await {
        Ok(c) => c,
        Err(e) => return fail(&who, &e),
    };
    let page = Page::new(&state, &who, "payments-title", NAV_PATH).await;
    let i18n = &page.i18n;
    let party = party_id.map(|p| p.to_string()).unwrap_or_default();
    let with = |cursor: &str| {
        format!(
            "/payments?{}",
            super::query_string(&[("party", party.as_str()), ("cursor", cursor)])
        )
    };
    let next_link = next.map(|n| with(&n.to_string())).unwrap_or_default();
    let first_link = if query.cursor.is_empty() {
        String::new()
    } else {
        with("")
    };
    ok(&ListPage {
        rows: rows.iter().map(|r| PaymentListView::new(i18n, r)).collect(),
        customers,
        party: party.clone(),
        next_link,
        first_link,
        may_record: actor.may(seam_domain::access::Permission::PaymentsRecord),
        page,
    })
}

/// One of the customer's open invoices on the form, with the amount typed
/// against it.
pub struct AllocationRowView {
    pub n: usize,
    pub invoice_id: i64,
    pub number: String,
    pub due_date: String,
    pub currency: String,
    pub due: String,
    pub amount: String,
    pub error: String,
}

/// What the form holds.
#[derive(Debug, Clone, Default)]
pub struct Typed {
    pub party: String,
    pub payment_date: String,
    pub currency: String,
    pub amount: String,
    pub reference: String,
    /// `(invoice id, amount)` per open invoice the form showed.
    pub allocations: Vec<(i64, String)>,
}

#[derive(Template)]
#[template(path = "payment_form.html")]
struct FormPage {
    page: Page,
    customers: Vec<Choice>,
    typed: Typed,
    party_name: String,
    rows: Vec<AllocationRowView>,
    errors: Errors,
}

async fn form_page(
    state: &AppState,
    who: &Who,
    actor: &Actor,
    typed: Typed,
    sent: &[i64],
    err: Option<&AppError>,
) -> Response {
    let page = Page::new(state, who, "payment-new-title", NAV_PATH).await;
    let (status, mut errors) = match err {
        None => (StatusCode::OK, Errors::default()),
        Some(e) => match form_errors(&page.i18n, e, "form") {
            Some(shown) => shown,
            None => return fail(who, e),
        },
    };
    // The use case names allocations by position among those sent; the form
    // shows them by invoice.
    for (field, _) in &mut errors.items {
        if let Some((n, rest)) = field
            .strip_prefix("allocations[")
            .and_then(|r| r.split_once("]."))
            && let Some(invoice) = n
                .parse::<usize>()
                .ok()
                .and_then(|n| sent.get(n.wrapping_sub(1)))
        {
            *field = format!("alloc_{invoice}_{rest}");
        }
    }
    let customers = match customer_choices(state, actor).await {
        Ok(c) => c,
        Err(e) => return fail(who, &e),
    };
    let party_id = typed.party.trim().parse::<i64>().ok();
    let party_name = customers
        .iter()
        .find(|c| Some(c.value.as_str()) == party_id.map(|p| p.to_string()).as_deref())
        .map(|c| c.label.clone())
        .unwrap_or_default();
    let open = match party_id {
        Some(id) => {
            let filter = InvoiceFilter {
                party_id: Some(id),
                open: true,
                ..InvoiceFilter::default()
            };
            match invoicing::list_invoices(&state.app, actor, &filter, None, PICKER_MAX).await {
                Ok((mut rows, _)) => {
                    rows.sort_by(|a, b| a.due_date.cmp(&b.due_date).then(a.id.cmp(&b.id)));
                    rows
                }
                Err(e) => return fail(who, &e),
            }
        }
        None => Vec::new(),
    };
    let i18n = &page.i18n;
    let rows = open
        .iter()
        .enumerate()
        .map(|(i, r)| AllocationRowView {
            n: i + 1,
            invoice_id: r.id,
            number: display_number(i18n, r),
            due_date: i18n.date(&r.due_date),
            currency: r.currency.clone(),
            due: i18n.money(r.due_minor(), &r.currency),
            amount: typed
                .allocations
                .iter()
                .find(|(id, _)| *id == r.id)
                .map(|(_, a)| a.clone())
                .unwrap_or_default(),
            error: [
                errors.get(&format!("alloc_{}_amount", r.id)),
                errors.get(&format!("alloc_{}_invoice", r.id)),
            ]
            .into_iter()
            .filter(|m| !m.is_empty())
            .collect::<Vec<_>>()
            .join(" "),
        })
        .collect();
    render(
        status,
        &FormPage {
            customers,
            typed,
            party_name,
            rows,
            errors,
            page,
        },
    )
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct NewQuery {
    #[serde(default)]
    pub party: String,
    #[serde(default)]
    pub invoice: String,
    #[serde(default)]
    pub payment_date: String,
    #[serde(default)]
    pub currency: String,
    #[serde(default)]
    pub amount: String,
    #[serde(default)]
    pub reference: String,
}

/// The form, for a customer (`party`) and, from an invoice's page, that
/// invoice (`invoice`) with its due amount filled in. "Show open invoices"
/// sends the form here to fill in the customer's open invoices.
pub async fn new_form(
    State(state): State<AppState>,
    Requester(who): Requester,
    CurrentActor(actor): CurrentActor,
    Query(query): Query<NewQuery>,
) -> Response {
    let currency = if query.currency.trim().is_empty() {
        match company::currency(&state.app).await {
            Ok(c) => c,
            Err(e) => return fail(&who, &e),
        }
    } else {
        query.currency.trim().to_owned()
    };
    let mut typed = Typed {
        party: query.party.trim().to_owned(),
        payment_date: if query.payment_date.trim().is_empty() {
            today_of(&actor).iso()
        } else {
            query.payment_date.clone()
        },
        currency,
        amount: query.amount.clone(),
        reference: query.reference.clone(),
        allocations: Vec::new(),
    };
    if let Ok(id) = query.invoice.trim().parse::<i64>() {
        match invoicing::invoice(&state.app, &actor, id).await {
            Ok(detail) => {
                let row = detail.invoice;
                let due = format_amount(row.due_minor(), &row.currency);
                typed.party = row.party_id.to_string();
                typed.currency.clone_from(&row.currency);
                if typed.amount.trim().is_empty() {
                    typed.amount.clone_from(&due);
                }
                typed.allocations.push((row.id, due));
            }
            Err(AppError::NotFound) => {}
            Err(e) => return fail(&who, &e),
        }
    }
    form_page(&state, &who, &actor, typed, &[], None).await
}

pub async fn create(
    State(state): State<AppState>,
    Requester(who): Requester,
    CurrentActor(actor): CurrentActor,
    form: FormData,
) -> Response {
    let mut typed = Typed {
        party: form.get("party").trim().to_owned(),
        payment_date: form.get("payment_date").to_owned(),
        currency: form.get("currency").to_owned(),
        amount: form.get("amount").to_owned(),
        reference: form.get("reference").to_owned(),
        allocations: Vec::new(),
    };
    for (name, value) in &form.0 {
        if let Some(id) = name
            .strip_prefix("alloc_")
            .and_then(|n| n.parse::<i64>().ok())
        {
            typed.allocations.push((id, value.clone()));
        }
    }
    let sent: Vec<(i64, String)> = typed
        .allocations
        .iter()
        .filter(|(_, a)| !a.trim().is_empty())
        .cloned()
        .collect();
    let input = PaymentInput {
        party_id: typed.party.parse::<i64>().unwrap_or(0),
        payment_date: typed.payment_date.clone(),
        currency: typed.currency.clone(),
        amount: typed.amount.clone(),
        reference: typed.reference.clone(),
        allocations: sent.clone(),
    };
    match invoicing::record_payment(&state.app, &actor, &input).await {
        Ok(done) => {
            redirect_with_flash(
                &state,
                &who,
                &format!("/payments/{}", done.id),
                "flash-payment-recorded",
            )
            .await
        }
        Err(e) => {
            let ids: Vec<i64> = sent.iter().map(|(id, _)| *id).collect();
            form_page(&state, &who, &actor, typed, &ids, Some(&e)).await
        }
    }
}

/// An invoice the payment settled.
pub struct SettledView {
    pub invoice_id: i64,
    pub number: String,
    pub amount: String,
}

#[derive(Template)]
#[template(path = "payment_detail.html")]
struct DetailPage {
    page: Page,
    number: String,
    party_id: i64,
    customer: String,
    date: String,
    amount: String,
    unallocated: String,
    has_unallocated: bool,
    reference: String,
    journal_entry_id: i64,
    posted_by: String,
    allocations: Vec<SettledView>,
}

pub async fn detail(
    State(state): State<AppState>,
    Requester(who): Requester,
    CurrentActor(actor): CurrentActor,
    IdPath(id): IdPath,
) -> Response {
    let (row, allocations) = match invoicing::payment(&state.app, &actor, id).await {
        Ok(p) => p,
        Err(e) => return fail(&who, &e),
    };
    let mut page = Page::new(&state, &who, "payment-title", NAV_PATH).await;
    let i18n = &page.i18n;
    let view = DetailPage {
        party_id: row.party_id,
        customer: row.party_name.clone(),
        date: i18n.date(&row.payment_date),
        amount: i18n.money(row.amount_minor, &row.currency),
        unallocated: i18n.money(row.unallocated_minor, &row.currency),
        has_unallocated: row.unallocated_minor > 0,
        reference: row.reference.clone(),
        journal_entry_id: row.journal_entry_id,
        posted_by: row.posted_by.clone(),
        allocations: allocations
            .iter()
            .map(|a| SettledView {
                invoice_id: a.invoice_id,
                number: a
                    .invoice_number
                    .clone()
                    .unwrap_or_else(|| format!("#{}", a.invoice_id)),
                amount: i18n.money(a.amount_minor, &row.currency),
            })
            .collect(),
        number: row.number.clone(),
        page: {
            page.title.clone_from(&row.number);
            page
        },
    };
    ok(&view)
}
