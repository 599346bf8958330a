//! Invoice pages: the list with its filters, an invoice's or credit note's
//! page with the actions its state and the user's permissions allow (post,
//! cancel, credit, record a payment, PDF and UBL), and the billing section of
//! a sales order's page with its "Create invoice" form.

use std::collections::HashMap;

use askama::Template;
use axum::extract::{Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use seam_app::invoicing::{
    self, CreditInput, CreditLines, InvoiceFilter, InvoiceInput, InvoiceRow,
};
use seam_app::parties::{self, PartyFilter, PartySort};
use seam_app::sales::{LineRow, OrderRow};
use seam_app::{Actor, AppError};
use seam_domain::access::Permission;
use seam_domain::ids::{PartyId, SalesOrderId};
use seam_domain::invoice::{DocumentKind, InvoiceState, days_between};
use seam_domain::ledger::Date;
use seam_domain::product::format_rate;
use seam_domain::sales::{OrderState, totals};
use serde::Deserialize;

use super::ledger::{Choice, outcome};
use super::sales::VatView;
use super::{FormData, IdPath};
use crate::AppState;
use crate::html::{Errors, Page, fail, ok, redirect_with_flash, render};
use crate::i18n::I18n;
use crate::who::{CurrentActor, Requester, Who};

/// Rows per page of the invoice list.
pub const LIST_PAGE_SIZE: i64 = 50;
/// How many customers a picker offers.
pub const PICKER_MAX: i64 = 500;
/// Where the invoice pages sit in the navigation.
const NAV_PATH: &str = "/accounting";

/// Today in the user's time zone, as a domain date.
pub fn today_of(actor: &Actor) -> Date {
    let text = super::ledger::today(&actor.time_zone).to_string();
    Date::parse(&text).unwrap_or(Date {
        year: 1970,
        month: 1,
        day: 1,
    })
}

/// The document's number, or "Draft #12" in the user's language.
pub fn display_number(i18n: &I18n, row: &InvoiceRow) -> String {
    match &row.number {
        Some(n) => n.clone(),
        None => format!("{} #{}", i18n.t("invoice-draft"), row.id),
    }
}

/// How many days a posted invoice with something due is past its due date
/// on `today`; zero otherwise.
pub fn days_overdue(row: &InvoiceRow, today: Date) -> i64 {
    if invoicing::kind_of(row) != DocumentKind::Invoice
        || invoicing::state_of_invoice(row) != InvoiceState::Posted
        || row.due_minor() <= 0
    {
        return 0;
    }
    Date::parse(&row.due_date)
        .map(|due| days_between(due, today).max(0))
        .unwrap_or(0)
}

/// A document in a list, ready to show.
pub struct InvoiceListView {
    pub id: i64,
    pub number: String,
    pub kind: String,
    pub kind_name: String,
    pub party_id: i64,
    pub customer: String,
    pub issue_date: String,
    pub due_date: String,
    /// Empty unless overdue.
    pub overdue: String,
    pub total: String,
    pub due: String,
    pub state: String,
    pub state_name: String,
}

impl InvoiceListView {
    pub fn new(i18n: &I18n, row: &InvoiceRow, today: Date) -> InvoiceListView {
        let overdue = days_overdue(row, today);
        InvoiceListView {
            id: row.id,
            number: display_number(i18n, row),
            kind: row.kind.clone(),
            kind_name: i18n.t(&format!("invoice-kind-{}", row.kind)),
            party_id: row.party_id,
            customer: row.party_name.clone(),
            issue_date: i18n.date(&row.issue_date),
            due_date: i18n.date(&row.due_date),
            overdue: if overdue > 0 {
                i18n.integer(&overdue)
            } else {
                String::new()
            },
            total: i18n.money(row.total_minor, &row.currency),
            due: i18n.money(row.due_minor(), &row.currency),
            state: row.state.clone(),
            state_name: i18n.t(&format!("invoice-state-{}", row.state)),
        }
    }
}

/// The customers a picker offers, by name.
pub async fn customer_choices(state: &AppState, actor: &Actor) -> Result<Vec<Choice>, AppError> {
    let filter = PartyFilter {
        customers_only: true,
        ..PartyFilter::default()
    };
    let list = parties::list_parties(
        &state.app,
        actor,
        &filter,
        PartySort::NameAsc,
        None,
        PICKER_MAX,
    )
    .await?;
    Ok(list
        .rows
        .into_iter()
        .map(|p| Choice {
            value: p.id.to_string(),
            label: p.name,
        })
        .collect())
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct ListQuery {
    #[serde(default)]
    pub kind: String,
    #[serde(default)]
    pub state: String,
    #[serde(default)]
    pub open: String,
    #[serde(default)]
    pub party: String,
    #[serde(default)]
    pub cursor: String,
}

#[derive(Template)]
#[template(path = "invoice_list.html")]
struct ListPage {
    page: Page,
    kinds: Vec<Choice>,
    states: Vec<Choice>,
    customers: Vec<Choice>,
    kind: String,
    state: String,
    open: bool,
    party: String,
    rows: Vec<InvoiceListView>,
    next_link: String,
    first_link: String,
}

pub async fn list(
    State(state): State<AppState>,
    Requester(who): Requester,
    CurrentActor(actor): CurrentActor,
    Query(query): Query<ListQuery>,
) -> Response {
    let filter = InvoiceFilter {
        kind: DocumentKind::parse(&query.kind).map(|k| k.name().to_owned()),
        state: InvoiceState::parse(&query.state).map(|s| s.name().to_owned()),
        party_id: query.party.trim().parse::<i64>().ok(),
        order_id: None,
        open: matches!(query.open.as_str(), "1" | "on" | "true"),
        ..InvoiceFilter::default()
    };
    let before = query.cursor.parse::<i64>().ok();
    let (rows, next) =
        match invoicing::list_invoices(&state.app, &actor, &filter, before, LIST_PAGE_SIZE).await {
            Ok(l) => l,
            Err(e) => return fail(&who, &e),
        };
    let customers = match customer_choices(&state, &actor).await {
        Ok(c) => c,
        Err(e) => return fail(&who, &e),
    };
    let page = Page::new(&state, &who, "invoices-title", NAV_PATH).await;
    let i18n = &page.i18n;
    let kind = filter.kind.clone().unwrap_or_default();
    let state_param = filter.state.clone().unwrap_or_default();
    let party = filter.party_id.map(|p| p.to_string()).unwrap_or_default();
    let open = if filter.open { "1" } else { "" };
    let with = |cursor: &str| {
        format!(
            "/invoices?{}",
            super::query_string(&[
                ("kind", kind.as_str()),
                ("state", state_param.as_str()),
                ("open", open),
                ("party", party.as_str()),
                ("cursor", cursor),
            ])
        )
    };
    let next_link = next.map(|n| with(&n.to_string())).unwrap_or_default();
    let first_link = if query.cursor.is_empty() {
        String::new()
    } else {
        with("")
    };
    let today = today_of(&actor);
    ok(&ListPage {
        kinds: DocumentKind::ALL
            .into_iter()
            .map(|k| Choice {
                value: k.name().to_owned(),
                label: i18n.t(&format!("invoice-kind-{}", k.name())),
            })
            .collect(),
        states: InvoiceState::ALL
            .into_iter()
            .map(|s| Choice {
                value: s.name().to_owned(),
                label: i18n.t(&format!("invoice-state-{}", s.name())),
            })
            .collect(),
        rows: rows
            .iter()
            .map(|r| InvoiceListView::new(i18n, r, today))
            .collect(),
        customers,
        kind: kind.clone(),
        state: state_param.clone(),
        open: filter.open,
        party: party.clone(),
        next_link,
        first_link,
        page,
    })
}

/// A line of a document, ready to show, with what is left to credit.
pub struct LineView {
    pub n: i64,
    pub product_id: i64,
    pub sku: String,
    pub description: String,
    pub qty: String,
    pub unit: String,
    pub unit_price: String,
    pub rate: String,
    pub net: String,
    pub remaining: i64,
    pub remaining_text: String,
    /// What the credit form holds for this line.
    pub credit_qty: String,
    pub credit_error: String,
}

/// A payment that settled the document.
pub struct SettlementView {
    pub payment_id: i64,
    pub number: String,
    pub date: String,
    pub amount: String,
}

/// What the credit note form held when it was refused.
#[derive(Default)]
pub struct CreditTyped {
    pub issue_date: String,
    pub reason: String,
    pub qty: HashMap<i64, String>,
}

/// Which form an error on the page belongs to.
enum Shown<'e> {
    None,
    /// Shown above the page: posting, cancelling, documents.
    Top(&'e AppError),
    /// Next to the credit note form's fields.
    Credit(&'e AppError, CreditTyped, Vec<i64>),
}

#[derive(Template)]
#[template(path = "invoice_detail.html")]
struct DetailPage {
    page: Page,
    id: i64,
    number: String,
    is_invoice: bool,
    kind_name: String,
    state: String,
    state_name: String,
    party_id: i64,
    customer: String,
    buyer_lines: Vec<String>,
    buyer_vat: String,
    order: Option<(i64, String)>,
    credited: Option<(i64, String)>,
    issue_date: String,
    due_date: String,
    overdue: String,
    currency: String,
    note: String,
    lines: Vec<LineView>,
    vat: Vec<VatView>,
    net: String,
    vat_total: String,
    total: String,
    paid: String,
    due: String,
    payments: Vec<SettlementView>,
    credit_notes: Vec<InvoiceListView>,
    journal: Option<(i64, String)>,
    may_post: bool,
    may_cancel: bool,
    may_credit: bool,
    may_pay: bool,
    may_email: bool,
    documents: bool,
    alerts: Vec<String>,
    credit_date: String,
    credit_reason: String,
    errors: Errors,
}

/// What each line of an invoice has been credited by its credit notes that
/// are not cancelled, by line number.
async fn credited_by_line(
    state: &AppState,
    actor: &Actor,
    credit_notes: &[InvoiceRow],
) -> Result<HashMap<i64, i64>, AppError> {
    let mut credited: HashMap<i64, i64> = HashMap::new();
    for note in credit_notes
        .iter()
        .filter(|c| invoicing::state_of_invoice(c) != InvoiceState::Cancelled)
    {
        let detail = invoicing::invoice(&state.app, actor, note.id).await?;
        for line in detail.lines {
            if let Some(no) = line.order_line_no {
                *credited.entry(no).or_insert(0) += line.qty;
            }
        }
    }
    Ok(credited)
}

/// Errors of the credit form, named by the invoice line they are about
/// (`credit_qty_3`) instead of the position the use case names.
fn credit_errors(i18n: &I18n, err: &AppError, sent: &[i64]) -> Option<(StatusCode, Errors)> {
    let (status, errors) = super::ledger::form_errors(i18n, err, "form")?;
    let items = errors
        .items
        .into_iter()
        .map(|(field, message)| {
            let renamed = field
                .strip_prefix("lines[")
                .and_then(|rest| rest.split_once(']'))
                .and_then(|(n, _)| n.parse::<usize>().ok())
                .and_then(|n| sent.get(n.wrapping_sub(1)))
                .map(|no| format!("credit_qty_{no}"));
            (renamed.unwrap_or(field), message)
        })
        .collect();
    Some((status, Errors { items }))
}

/// Every message of an error, for the alert above the page.
fn alerts_of(errors: &Errors) -> Vec<String> {
    errors
        .items
        .iter()
        .map(|(field, message)| match field.as_str() {
            "form" | "lines" | "issue_date" | "currency" | "document" => message.clone(),
            other => format!("{message} ({other})"),
        })
        .collect()
}

async fn detail_page(
    state: &AppState,
    who: &Who,
    actor: &Actor,
    id: i64,
    shown: Shown<'_>,
) -> Response {
    let detail = match invoicing::invoice(&state.app, actor, id).await {
        Ok(d) => d,
        Err(e) => return fail(who, &e),
    };
    let mut page = Page::new(state, who, "invoice-title", NAV_PATH).await;
    let i18n = &page.i18n;
    let (status, errors, alerts, typed) = match shown {
        Shown::None => (StatusCode::OK, Errors::default(), Vec::new(), None),
        Shown::Top(err) => match outcome(i18n, Some(err), "form") {
            Ok((status, errors)) => {
                let alerts = alerts_of(&errors);
                (status, Errors::default(), alerts, None)
            }
            Err(e) => return fail(who, e),
        },
        Shown::Credit(err, typed, sent) => match credit_errors(i18n, err, &sent) {
            Some((status, errors)) => (status, errors, Vec::new(), Some(typed)),
            None => return fail(who, err),
        },
    };
    let row = &detail.invoice;
    let kind = invoicing::kind_of(row);
    let current = invoicing::state_of_invoice(row);
    let credited = match credited_by_line(state, actor, &detail.credit_notes).await {
        Ok(c) => c,
        Err(e) => return fail(who, &e),
    };
    let buyer = parties::party(&state.app, actor, PartyId(row.party_id))
        .await
        .ok();
    let text = |o: &Option<String>| o.clone().unwrap_or_default();
    let buyer_lines: Vec<String> = buyer
        .as_ref()
        .map(|b| {
            [
                text(&b.street),
                format!("{} {}", text(&b.postal_code), text(&b.city))
                    .trim()
                    .to_owned(),
                text(&b.country),
                text(&b.email),
            ]
            .into_iter()
            .filter(|l| !l.is_empty())
            .collect()
        })
        .unwrap_or_default();
    let buyer_vat = buyer.as_ref().map(|b| text(&b.tax_id)).unwrap_or_default();
    let currency = row.currency.clone();
    let lines: Vec<LineView> = detail
        .lines
        .iter()
        .map(|l| {
            let remaining = l.qty - credited.get(&l.line_no).copied().unwrap_or(0);
            LineView {
                n: l.line_no,
                product_id: l.product_id,
                sku: l.sku.clone(),
                description: l.description.clone(),
                qty: i18n.integer(&l.qty),
                unit: l.unit_code.clone(),
                unit_price: i18n.money(l.unit_price_minor, &currency),
                rate: format!("{}%", format_rate(l.vat_basis_points)),
                net: i18n.money(l.line_net_minor, &currency),
                remaining,
                remaining_text: i18n.integer(&remaining),
                credit_qty: typed
                    .as_ref()
                    .and_then(|t| t.qty.get(&l.line_no).cloned())
                    .unwrap_or_default(),
                credit_error: errors.get(&format!("credit_qty_{}", l.line_no)).to_owned(),
            }
        })
        .collect();
    let sums = totals(detail.lines.iter().map(|l| {
        (
            l.line_net_minor,
            l.tax_rate_code.as_str(),
            l.vat_basis_points,
        )
    }));
    let vat = sums
        .breakdown
        .iter()
        .map(|b| VatView {
            rate: format!("{} ({}%)", b.tax_rate_code, format_rate(b.vat_basis_points)),
            base: i18n.money(b.base_minor, &currency),
            vat: i18n.money(b.vat_minor, &currency),
        })
        .collect();
    let today = today_of(actor);
    let overdue = days_overdue(row, today);
    let posted_or_paid = matches!(current, InvoiceState::Posted | InvoiceState::Paid);
    let number = display_number(i18n, row);
    let view = DetailPage {
        id: row.id,
        is_invoice: kind == DocumentKind::Invoice,
        kind_name: i18n.t(&format!("invoice-kind-{}", row.kind)),
        state: row.state.clone(),
        state_name: i18n.t(&format!("invoice-state-{}", row.state)),
        party_id: row.party_id,
        customer: row.party_name.clone(),
        buyer_lines,
        buyer_vat,
        order: row
            .order_id
            .zip(row.order_number.clone().or(Some(String::new())))
            .map(|(id, n)| {
                if n.is_empty() {
                    (id, format!("#{id}"))
                } else {
                    (id, n)
                }
            }),
        credited: row.credited_invoice_id.map(|cid| {
            (
                cid,
                row.credited_invoice_number
                    .clone()
                    .unwrap_or_else(|| format!("#{cid}")),
            )
        }),
        issue_date: i18n.date(&row.issue_date),
        due_date: i18n.date(&row.due_date),
        overdue: if overdue > 0 {
            i18n.integer(&overdue)
        } else {
            String::new()
        },
        currency: currency.clone(),
        note: row.note.clone(),
        lines,
        vat,
        net: i18n.money(row.net_minor, &currency),
        vat_total: i18n.money(row.vat_minor, &currency),
        total: i18n.money(row.total_minor, &currency),
        paid: i18n.money(row.settled_minor, &currency),
        due: i18n.money(row.due_minor(), &currency),
        payments: detail
            .payments
            .iter()
            .map(|a| SettlementView {
                payment_id: a.payment_id,
                number: a.payment_number.clone(),
                date: i18n.date(&a.payment_date),
                amount: i18n.money(a.amount_minor, &currency),
            })
            .collect(),
        credit_notes: detail
            .credit_notes
            .iter()
            .map(|c| InvoiceListView::new(i18n, c, today))
            .collect(),
        journal: row
            .journal_entry_id
            .map(|e| (e, detail.journal_entry_number.clone().unwrap_or_default())),
        may_post: actor.may(Permission::InvoicesPost) && current.post().is_ok(),
        may_cancel: actor.may(Permission::InvoicesWrite) && current.cancel().is_ok(),
        may_credit: actor.may(Permission::InvoicesWrite)
            && kind == DocumentKind::Invoice
            && current.credit().is_ok(),
        may_pay: actor.may(Permission::PaymentsRecord)
            && kind == DocumentKind::Invoice
            && current == InvoiceState::Posted
            && row.due_minor() > 0,
        may_email: actor.may(Permission::InvoicesWrite) && posted_or_paid && row.number.is_some(),
        documents: posted_or_paid && row.number.is_some(),
        alerts,
        credit_date: typed
            .as_ref()
            .map(|t| t.issue_date.clone())
            .unwrap_or_else(|| today.iso()),
        credit_reason: typed.map(|t| t.reason).unwrap_or_default(),
        errors,
        number: number.clone(),
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
    detail_page(&state, &who, &actor, id, Shown::None).await
}

pub async fn post(
    State(state): State<AppState>,
    Requester(who): Requester,
    CurrentActor(actor): CurrentActor,
    IdPath(id): IdPath,
) -> Response {
    match invoicing::post_invoice(&state.app, &actor, id).await {
        Ok(_) => {
            redirect_with_flash(
                &state,
                &who,
                &format!("/invoices/{id}"),
                "flash-invoice-posted",
            )
            .await
        }
        Err(e) => detail_page(&state, &who, &actor, id, Shown::Top(&e)).await,
    }
}

pub async fn cancel(
    State(state): State<AppState>,
    Requester(who): Requester,
    CurrentActor(actor): CurrentActor,
    IdPath(id): IdPath,
) -> Response {
    match invoicing::cancel_invoice(&state.app, &actor, id).await {
        Ok(()) => {
            redirect_with_flash(
                &state,
                &who,
                &format!("/invoices/{id}"),
                "flash-invoice-cancelled",
            )
            .await
        }
        Err(e) => detail_page(&state, &who, &actor, id, Shown::Top(&e)).await,
    }
}

/// Drafts a credit note for the quantities typed per line (`qty_{line_no}`);
/// lines left empty are not credited.
pub async fn credit(
    State(state): State<AppState>,
    Requester(who): Requester,
    CurrentActor(actor): CurrentActor,
    IdPath(id): IdPath,
    form: FormData,
) -> Response {
    let mut typed = CreditTyped {
        issue_date: form.get("issue_date").to_owned(),
        reason: form.get("reason").to_owned(),
        qty: HashMap::new(),
    };
    let mut sent: Vec<i64> = Vec::new();
    let mut wanted: Vec<(i64, i64)> = Vec::new();
    for (name, value) in &form.0 {
        let Some(no) = name
            .strip_prefix("qty_")
            .and_then(|n| n.parse::<i64>().ok())
        else {
            continue;
        };
        typed.qty.insert(no, value.clone());
        let value = value.trim();
        if value.is_empty() {
            continue;
        }
        sent.push(no);
        wanted.push((no, value.parse::<i64>().unwrap_or(0)));
    }
    let input = CreditInput {
        lines: CreditLines::These(wanted),
        issue_date: typed.issue_date.clone(),
        reason: typed.reason.clone(),
    };
    match invoicing::credit_invoice(&state.app, &actor, id, &input).await {
        Ok(note) => {
            redirect_with_flash(
                &state,
                &who,
                &format!("/invoices/{note}"),
                "flash-credit-note-created",
            )
            .await
        }
        Err(e) => detail_page(&state, &who, &actor, id, Shown::Credit(&e, typed, sent)).await,
    }
}

/// Queues an e-mail of the document to the customer (or the address typed
/// in `to`), with its PDF and UBL attached.
pub async fn email(
    State(state): State<AppState>,
    Requester(who): Requester,
    CurrentActor(actor): CurrentActor,
    IdPath(id): IdPath,
    form: FormData,
) -> Response {
    let to = form.get("to").to_owned();
    match invoicing::email_invoice(&state.app, &actor, id, Some(&to)).await {
        Ok(_) => {
            redirect_with_flash(
                &state,
                &who,
                &format!("/invoices/{id}"),
                "flash-invoice-emailed",
            )
            .await
        }
        Err(e) => detail_page(&state, &who, &actor, id, Shown::Top(&e)).await,
    }
}

/// A file download of a posted document.
pub(crate) fn download(content_type: &'static str, filename: &str, body: Vec<u8>) -> Response {
    (
        StatusCode::OK,
        [
            (header::CONTENT_TYPE, content_type.to_owned()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{filename}\""),
            ),
        ],
        body,
    )
        .into_response()
}

/// The file name of a document: its number, safe for a header.
async fn file_stem(state: &AppState, actor: &Actor, id: i64) -> Result<String, AppError> {
    let detail = invoicing::invoice(&state.app, actor, id).await?;
    let number = detail
        .invoice
        .number
        .unwrap_or_else(|| format!("invoice-{id}"));
    Ok(number
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_')
        .collect())
}

pub async fn pdf(
    State(state): State<AppState>,
    Requester(who): Requester,
    CurrentActor(actor): CurrentActor,
    IdPath(id): IdPath,
) -> Response {
    let stem = match file_stem(&state, &actor, id).await {
        Ok(s) => s,
        Err(e) => return fail(&who, &e),
    };
    match invoicing::pdf(&state.app, &actor, id).await {
        Ok(bytes) => download("application/pdf", &format!("{stem}.pdf"), bytes),
        Err(e) => detail_page(&state, &who, &actor, id, Shown::Top(&e)).await,
    }
}

pub async fn ubl(
    State(state): State<AppState>,
    Requester(who): Requester,
    CurrentActor(actor): CurrentActor,
    IdPath(id): IdPath,
) -> Response {
    let stem = match file_stem(&state, &actor, id).await {
        Ok(s) => s,
        Err(e) => return fail(&who, &e),
    };
    match invoicing::ubl(&state.app, &actor, id).await {
        Ok(xml) => download("application/xml", &format!("{stem}.xml"), xml.into_bytes()),
        Err(e) => detail_page(&state, &who, &actor, id, Shown::Top(&e)).await,
    }
}

/// The billing section of an order's page: its invoices, how far it is
/// billed, and the "Create invoice" form when something is left to invoice.
pub struct OrderBilling {
    pub invoices: Vec<InvoiceListView>,
    /// `not-invoiced`, `partly-invoiced`, `invoiced` or `paid`.
    pub status: String,
    pub status_name: String,
    pub may_invoice: bool,
    pub issue_date: String,
    pub terms_days: String,
    pub errors: Errors,
    pub alert: String,
}

/// What the order's "Create invoice" form held when it was refused.
#[derive(Default, Clone)]
pub struct InvoiceTyped {
    pub issue_date: String,
    pub terms_days: String,
}

/// The billing section for an order, or `None` for a user who may not read
/// invoices. `shipped_of` tells how much of an order line has shipped.
pub async fn order_billing(
    state: &AppState,
    actor: &Actor,
    i18n: &I18n,
    order: &OrderRow,
    lines: &[LineRow],
    shipped_of: impl Fn(i64) -> i64,
    refused: Option<(&AppError, InvoiceTyped)>,
) -> Result<Option<OrderBilling>, AppError> {
    if !actor.may(Permission::InvoicesRead) {
        return Ok(None);
    }
    let filter = InvoiceFilter {
        order_id: Some(order.id),
        ..InvoiceFilter::default()
    };
    let (rows, _) = invoicing::list_invoices(&state.app, actor, &filter, None, PICKER_MAX).await?;
    let invoices: Vec<&InvoiceRow> = rows
        .iter()
        .filter(|r| {
            invoicing::kind_of(r) == DocumentKind::Invoice
                && invoicing::state_of_invoice(r) != InvoiceState::Cancelled
        })
        .collect();
    let mut invoiced: HashMap<i64, i64> = HashMap::new();
    for row in &invoices {
        let detail = invoicing::invoice(&state.app, actor, row.id).await?;
        for line in detail.lines {
            if let Some(no) = line.order_line_no {
                *invoiced.entry(no).or_insert(0) += line.qty;
            }
        }
    }
    let invoiced_of = |no: i64| invoiced.get(&no).copied().unwrap_or(0);
    let all_ordered_invoiced = lines.iter().all(|l| invoiced_of(l.line_no) >= l.qty);
    let deliverable_left = lines.iter().any(|l| {
        let delivered = if l.kind == "goods" {
            shipped_of(l.line_no)
        } else {
            l.qty
        };
        delivered > invoiced_of(l.line_no)
    });
    let all_paid = invoices
        .iter()
        .all(|r| invoicing::state_of_invoice(r) == InvoiceState::Paid);
    let status = if invoices.is_empty() {
        "not-invoiced"
    } else if !all_ordered_invoiced {
        "partly-invoiced"
    } else if all_paid {
        "paid"
    } else {
        "invoiced"
    };
    let order_state = seam_app::sales::state_of(order);
    let (errors, alert, typed) = match refused {
        None => (Errors::default(), String::new(), InvoiceTyped::default()),
        Some((err, typed)) => match super::ledger::form_errors(i18n, err, "form") {
            Some((_, errors)) => {
                let alert = [errors.get("form"), errors.get("lines"), errors.get("note")]
                    .into_iter()
                    .filter(|m| !m.is_empty())
                    .collect::<Vec<_>>()
                    .join(" ");
                (errors, alert, typed)
            }
            None => return Err(clone_error(err)),
        },
    };
    let today = today_of(actor);
    Ok(Some(OrderBilling {
        invoices: rows
            .iter()
            .map(|r| InvoiceListView::new(i18n, r, today))
            .collect(),
        status: status.to_owned(),
        status_name: i18n.t(&format!("billing-{status}")),
        may_invoice: actor.may(Permission::InvoicesWrite)
            && matches!(order_state, OrderState::Confirmed | OrderState::Shipped)
            && (deliverable_left || !errors.items.is_empty()),
        issue_date: if typed.issue_date.is_empty() {
            today.iso()
        } else {
            typed.issue_date
        },
        terms_days: if typed.terms_days.is_empty() {
            seam_domain::invoice::DEFAULT_TERMS_DAYS.to_string()
        } else {
            typed.terms_days
        },
        errors,
        alert,
    }))
}

/// An error the page cannot show next to a field, passed on to the error page.
fn clone_error(err: &AppError) -> AppError {
    match err {
        AppError::Unauthenticated => AppError::Unauthenticated,
        AppError::Forbidden => AppError::Forbidden,
        AppError::NotFound => AppError::NotFound,
        AppError::Invalid(f) => AppError::Invalid(f.clone()),
        AppError::Conflict(c) => AppError::Conflict(c),
        _ => AppError::Internal(anyhow::anyhow!("{err}")),
    }
}

/// Drafts an invoice for what the order has delivered and not invoiced,
/// and opens it.
pub async fn invoice_order(
    State(state): State<AppState>,
    Requester(who): Requester,
    CurrentActor(actor): CurrentActor,
    IdPath(id): IdPath,
    form: FormData,
) -> Response {
    let typed = InvoiceTyped {
        issue_date: form.get("issue_date").to_owned(),
        terms_days: form.get("terms_days").to_owned(),
    };
    let input = InvoiceInput {
        issue_date: typed.issue_date.clone(),
        terms_days: typed.terms_days.clone(),
        note: form.get("note").to_owned(),
    };
    match invoicing::invoice_order(&state.app, &actor, SalesOrderId(id), &input).await {
        Ok(invoice) => {
            redirect_with_flash(
                &state,
                &who,
                &format!("/invoices/{invoice}"),
                "flash-invoice-created",
            )
            .await
        }
        Err(e) => super::sales::invoice_refused(&state, &who, &actor, id, &e, typed).await,
    }
}
