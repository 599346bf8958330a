//! Party pages: the list with search, filters and keyset pages; create, edit,
//! archive and restore; the detail page with contacts and timeline; CSV in and out.

use askama::Template;
use axum::extract::{Multipart, Path, Query, State};
use axum::http::{StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use seam_app::parties::{
    self, EventRow, ImportReport, PartyCursor, PartyDetail, PartyFilter, PartyRow, PartySort,
};
use seam_app::{Actor, AppError};
use seam_domain::access::Permission;
use seam_domain::ids::PartyId;
use seam_domain::party::PartyDraft;
use serde::Deserialize;

use super::FormData;
use crate::AppState;
use crate::html::{Errors, Page, ok, redirect_with_flash, render};
use crate::who::{CurrentActor, Requester, Who};

/// Rows per page in the party list.
pub const LIST_PAGE_SIZE: i64 = 50;

/// The list's query string: every filter is optional.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct ListQuery {
    #[serde(default)]
    pub q: String,
    #[serde(default)]
    pub kind: String,
    #[serde(default)]
    pub role: String,
    #[serde(default)]
    pub tag: String,
    #[serde(default)]
    pub status: String,
    #[serde(default)]
    pub sort: String,
    #[serde(default)]
    pub cursor: String,
}

impl ListQuery {
    pub fn filter(&self) -> PartyFilter {
        let non_empty = |s: &str| Some(s.trim().to_owned()).filter(|s| !s.is_empty());
        PartyFilter {
            text: non_empty(&self.q),
            kind: non_empty(&self.kind).filter(|k| k == "company" || k == "person"),
            customers_only: self.role == "customer",
            vendors_only: self.role == "vendor",
            tag: non_empty(&self.tag),
            company_id: None,
            archive: super::archive_filter(&self.status),
        }
    }

    pub fn sort(&self) -> PartySort {
        PartySort::parse(&self.sort).unwrap_or_default()
    }

    /// This query with another cursor, for the next-page link.
    fn with_cursor(&self, cursor: &str) -> String {
        let pairs = [
            ("q", self.q.as_str()),
            ("kind", &self.kind),
            ("role", &self.role),
            ("tag", &self.tag),
            ("status", &self.status),
            ("sort", &self.sort),
            ("cursor", cursor),
        ];
        super::query_string(&pairs)
    }
}

#[derive(Template)]
#[template(path = "parties_list.html")]
struct ListPage {
    page: Page,
    query: ListQuery,
    rows: Vec<PartyRow>,
    total: i64,
    next_link: String,
    first_link: String,
    export_link: String,
    may_write: bool,
    may_import: bool,
    may_export: bool,
}

pub async fn list(
    State(state): State<AppState>,
    Requester(who): Requester,
    CurrentActor(actor): CurrentActor,
    Query(query): Query<ListQuery>,
) -> Response {
    let cursor = PartyCursor::decode(&query.cursor);
    let result = parties::list_parties(
        &state.app,
        &actor,
        &query.filter(),
        query.sort(),
        cursor.as_ref(),
        LIST_PAGE_SIZE,
    )
    .await;
    let list = match result {
        Ok(list) => list,
        Err(e) => {
            return crate::html::fail(&who, &e);
        }
    };
    let page = Page::new(&state, &who, "parties-title", "/parties").await;
    let next_link = list
        .next
        .map(|c| format!("/parties?{}", query.with_cursor(&c.encode())))
        .unwrap_or_default();
    let first_link = if query.cursor.is_empty() {
        String::new()
    } else {
        format!("/parties?{}", query.with_cursor(""))
    };
    let export_link = format!("/parties/export.csv?{}", query.with_cursor(""));
    ok(&ListPage {
        page,
        rows: list.rows,
        total: list.total,
        next_link,
        first_link,
        export_link,
        may_write: actor.may(Permission::PartiesWrite),
        may_import: actor.may(Permission::PartiesImport),
        may_export: actor.may(Permission::PartiesExport),
        query,
    })
}

/// A company a person can be linked to, for the form's picker.
pub struct CompanyOption {
    pub id: i64,
    pub name: String,
}

#[derive(Template)]
#[template(path = "party_form.html")]
struct FormPage {
    page: Page,
    /// `None` when creating.
    id: Option<i64>,
    version: i64,
    draft: PartyDraft,
    companies: Vec<CompanyOption>,
    errors: Errors,
}

/// Active companies for the picker (the first page by name; typing narrows the list later).
pub(crate) async fn company_options(state: &AppState, actor: &Actor) -> Vec<CompanyOption> {
    let filter = PartyFilter {
        kind: Some("company".to_owned()),
        ..PartyFilter::default()
    };
    match parties::list_parties(
        &state.app,
        actor,
        &filter,
        PartySort::NameAsc,
        None,
        parties::PAGE_SIZE_MAX,
    )
    .await
    {
        Ok(page) => page
            .rows
            .into_iter()
            .map(|r| CompanyOption {
                id: r.id,
                name: r.name,
            })
            .collect(),
        Err(_) => Vec::new(),
    }
}

/// The form as a draft. A company reference that is not a number becomes an
/// impossible id, so validation reports it on its field and keeps the rest of the input.
fn draft_from_form(form: &FormData) -> PartyDraft {
    let company = form.get("company_id").trim();
    let company_id = if company.is_empty() {
        None
    } else {
        Some(company.parse::<i64>().unwrap_or(-1))
    };
    PartyDraft {
        kind: form.get("kind").to_owned(),
        name: form.get("name").to_owned(),
        company_id,
        email: form.get("email").to_owned(),
        phone: form.get("phone").to_owned(),
        tax_id: form.get("tax_id").to_owned(),
        street: form.get("street").to_owned(),
        postal_code: form.get("postal_code").to_owned(),
        city: form.get("city").to_owned(),
        country: form.get("country").to_owned(),
        is_customer: form.checked("is_customer"),
        is_vendor: form.checked("is_vendor"),
        tags: form.get("tags").to_owned(),
        notes: form.get("notes").to_owned(),
    }
}

fn draft_of(row: &PartyRow) -> PartyDraft {
    PartyDraft {
        kind: row.kind.clone(),
        name: row.name.clone(),
        company_id: row.company_id,
        email: row.email.clone().unwrap_or_default(),
        phone: row.phone.clone().unwrap_or_default(),
        tax_id: row.tax_id.clone().unwrap_or_default(),
        street: row.street.clone().unwrap_or_default(),
        postal_code: row.postal_code.clone().unwrap_or_default(),
        city: row.city.clone().unwrap_or_default(),
        country: row.country.clone().unwrap_or_default(),
        is_customer: row.is_customer,
        is_vendor: row.is_vendor,
        tags: row.tags.replace(',', ", "),
        notes: row.notes.clone().unwrap_or_default(),
    }
}

#[derive(Deserialize, Default)]
pub struct NewQuery {
    #[serde(default)]
    kind: String,
    #[serde(default)]
    company_id: Option<i64>,
}

pub async fn new_form(
    State(state): State<AppState>,
    Requester(who): Requester,
    CurrentActor(actor): CurrentActor,
    Query(query): Query<NewQuery>,
) -> Response {
    let page = Page::new(&state, &who, "party-new-title", "/parties").await;
    let kind = if query.kind == "person" || query.company_id.is_some() {
        "person"
    } else {
        "company"
    };
    let draft = PartyDraft {
        kind: kind.to_owned(),
        company_id: query.company_id,
        is_customer: true,
        ..PartyDraft::default()
    };
    ok(&FormPage {
        page,
        id: None,
        version: 0,
        draft,
        companies: company_options(&state, &actor).await,
        errors: Errors::default(),
    })
}

/// Re-shows the form with the user's input and the errors next to their fields.
async fn form_again(
    state: &AppState,
    who: &Who,
    actor: &Actor,
    id: Option<i64>,
    version: i64,
    draft: PartyDraft,
    err: &AppError,
) -> Response {
    let title = if id.is_some() {
        "party-edit-title"
    } else {
        "party-new-title"
    };
    let page = Page::new(state, who, title, "/parties").await;
    let (status, errors) = match err {
        AppError::Invalid(fields) => (
            StatusCode::UNPROCESSABLE_ENTITY,
            Errors::new(&page.i18n, fields),
        ),
        AppError::Conflict(code) => (StatusCode::CONFLICT, Errors::one(&page.i18n, "form", code)),
        _ => {
            return crate::html::fail(who, err);
        }
    };
    render(
        status,
        &FormPage {
            page,
            id,
            version,
            draft,
            companies: company_options(state, actor).await,
            errors,
        },
    )
}

pub async fn create(
    State(state): State<AppState>,
    Requester(who): Requester,
    CurrentActor(actor): CurrentActor,
    form: FormData,
) -> Response {
    let draft = draft_from_form(&form);
    match parties::create_party(&state.app, &actor, &draft).await {
        Ok(id) => {
            redirect_with_flash(
                &state,
                &who,
                &format!("/parties/{id}"),
                "flash-party-created",
            )
            .await
        }
        Err(e) => form_again(&state, &who, &actor, None, 0, draft, &e).await,
    }
}

pub async fn edit_form(
    State(state): State<AppState>,
    Requester(who): Requester,
    CurrentActor(actor): CurrentActor,
    Path(id): Path<i64>,
) -> Response {
    let row = match parties::party(&state.app, &actor, PartyId(id)).await {
        Ok(row) => row,
        Err(e) => {
            return crate::html::fail(&who, &e);
        }
    };
    let page = Page::new(&state, &who, "party-edit-title", "/parties").await;
    ok(&FormPage {
        page,
        id: Some(id),
        version: row.version,
        draft: draft_of(&row),
        companies: company_options(&state, &actor).await,
        errors: Errors::default(),
    })
}

pub async fn update(
    State(state): State<AppState>,
    Requester(who): Requester,
    CurrentActor(actor): CurrentActor,
    Path(id): Path<i64>,
    form: FormData,
) -> Response {
    let version = form.get("version").parse::<i64>().unwrap_or(0);
    let draft = draft_from_form(&form);
    match parties::update_party(&state.app, &actor, PartyId(id), version, &draft).await {
        Ok(()) => {
            redirect_with_flash(&state, &who, &format!("/parties/{id}"), "flash-party-saved").await
        }
        Err(AppError::Conflict(code)) => {
            // Someone saved in between: keep this user's input, take the current version, and say so.
            let current = parties::party(&state.app, &actor, PartyId(id))
                .await
                .map(|r| r.version)
                .unwrap_or(version);
            form_again(
                &state,
                &who,
                &actor,
                Some(id),
                current,
                draft,
                &AppError::Conflict(code),
            )
            .await
        }
        Err(e) => form_again(&state, &who, &actor, Some(id), version, draft, &e).await,
    }
}

/// One timeline line, ready to show.
pub struct TimelineEntry {
    pub when: String,
    pub who: String,
    pub what: String,
}

#[derive(Template)]
#[template(path = "party_detail.html")]
struct DetailPage {
    page: Page,
    detail: PartyDetail,
    tags: Vec<String>,
    timeline: Vec<TimelineEntry>,
    may_write: bool,
    /// The customer's latest orders and how far each shipped, when the user may read orders.
    orders: Option<Vec<OrderProgressView>>,
    /// The customer's latest quotes, when the user may read them.
    quotes: Option<Vec<super::quotes::QuoteListView>>,
    /// Whether the user may write a new quote.
    may_quote: bool,
    /// Open and recent invoices, payments and balances, when the user may read invoices.
    receivables: Option<ReceivablesView>,
    may_pay: bool,
    /// The customer's newest tickets, for the service desk.
    tickets: Option<Vec<super::service::TicketListView>>,
    /// The party's opportunities, for sales.
    opportunities: Option<Vec<super::crm::OpportunityView>>,
    /// Activities logged on the party, for the CRM's users.
    activities: Option<Vec<super::crm::ActivityView>>,
    activity: super::crm::ActivityForm,
    colleagues: Vec<seam_app::reception::HostRow>,
}

/// An order on the customer's page with what has shipped of it.
struct OrderProgressView {
    order: super::sales::OrderListView,
    fulfilment: String,
    shipped: String,
}

/// The money sections of the customer's page.
struct ReceivablesView {
    open: Vec<super::invoices::InvoiceListView>,
    recent: Vec<super::invoices::InvoiceListView>,
    payments: Vec<super::payments::PaymentListView>,
    balances: Vec<BalanceView>,
}

/// What the customer owes and holds as credit in one currency.
struct BalanceView {
    due: String,
    credit: String,
}

/// The audit journal's events of a record, newest first, as its page shows them.
pub fn timeline(page: &Page, events: &[EventRow]) -> Vec<TimelineEntry> {
    events
        .iter()
        .map(|e| TimelineEntry {
            when: page.i18n.timestamp(&e.at_us, &page.time_zone),
            who: e.actor_name.clone(),
            what: page
                .i18n
                .t(&format!("event-{}-{}", e.entity_type, e.action)),
        })
        .collect()
}

pub async fn detail(
    State(state): State<AppState>,
    Requester(who): Requester,
    CurrentActor(actor): CurrentActor,
    Path(id): Path<i64>,
) -> Response {
    let view = match seam_app::customer_view::customer_view(&state.app, &actor, PartyId(id)).await {
        Ok(v) => v,
        Err(e) => {
            return crate::html::fail(&who, &e);
        }
    };
    let mut page = Page::new(&state, &who, "party-title", "/parties").await;
    page.title.clone_from(&view.detail.party.name);
    let tags = view
        .detail
        .party
        .tags
        .split(',')
        .filter(|t| !t.is_empty())
        .map(str::to_owned)
        .collect();
    let timeline = timeline(&page, &view.detail.timeline);
    let orders = view.orders.as_ref().map(|rows| {
        rows.iter()
            .map(|r| OrderProgressView {
                order: super::sales::OrderListView::new(&page.i18n, &r.order),
                fulfilment: page.i18n.t(&format!("party-fulfilment-{}", r.fulfilment())),
                shipped: format!(
                    "{} / {}",
                    page.i18n.integer(&r.shipped_qty),
                    page.i18n.integer(&r.ordered_qty)
                ),
            })
            .collect()
    });
    let quotes = view.quotes.as_ref().map(|rows| {
        rows.iter()
            .map(|r| super::quotes::QuoteListView::new(&page.i18n, r))
            .collect()
    });
    let receivables = view.receivables.as_ref().map(|money| {
        let today = super::invoices::today_of(&actor);
        ReceivablesView {
            open: money
                .open
                .iter()
                .map(|d| super::invoices::InvoiceListView::new(&page.i18n, &d.invoice, today))
                .collect(),
            recent: money
                .recent
                .iter()
                .map(|r| super::invoices::InvoiceListView::new(&page.i18n, r, today))
                .collect(),
            payments: money
                .payments
                .iter()
                .map(|r| super::payments::PaymentListView::new(&page.i18n, r))
                .collect(),
            balances: money
                .balances
                .iter()
                .map(|b| BalanceView {
                    due: page.i18n.money(b.due_minor, &b.currency),
                    credit: page.i18n.money(b.credit_minor, &b.currency),
                })
                .collect(),
        }
    });
    let tickets = view.tickets.as_ref().map(|rows| {
        rows.iter()
            .map(|r| super::service::TicketListView::new(&page.i18n, &page.time_zone, r))
            .collect()
    });
    let crm = super::crm::party_sections(&state, &actor, &page.i18n, id).await;
    let (opportunities, activities, colleagues) = match crm {
        Ok(found) => found,
        Err(e) => return crate::html::fail(&who, &e),
    };
    let detail = view.detail;
    ok(&DetailPage {
        tickets,
        opportunities,
        activities,
        activity: super::crm::ActivityForm::blank(&actor, "party", id),
        colleagues,
        page,
        detail,
        tags,
        timeline,
        may_write: actor.may(Permission::PartiesWrite),
        orders,
        quotes,
        may_quote: actor.may(Permission::SalesOrderWrite),
        receivables,
        may_pay: actor.may(Permission::PaymentsRecord),
    })
}

async fn set_archived(
    state: AppState,
    who: Who,
    actor: Actor,
    id: i64,
    archived: bool,
) -> Response {
    match parties::set_archived(&state.app, &actor, PartyId(id), archived).await {
        Ok(()) => {
            let flash = if archived {
                "flash-party-archived"
            } else {
                "flash-party-restored"
            };
            redirect_with_flash(&state, &who, &format!("/parties/{id}"), flash).await
        }
        Err(e) => crate::html::fail(&who, &e),
    }
}

pub async fn archive(
    State(state): State<AppState>,
    Requester(who): Requester,
    CurrentActor(actor): CurrentActor,
    Path(id): Path<i64>,
) -> Response {
    set_archived(state, who, actor, id, true).await
}

pub async fn restore(
    State(state): State<AppState>,
    Requester(who): Requester,
    CurrentActor(actor): CurrentActor,
    Path(id): Path<i64>,
) -> Response {
    set_archived(state, who, actor, id, false).await
}

pub async fn export(
    State(state): State<AppState>,
    Requester(who): Requester,
    CurrentActor(actor): CurrentActor,
    Query(query): Query<ListQuery>,
) -> Response {
    match parties::export_csv(&state.app, &actor, &query.filter()).await {
        Ok(csv) => (
            [
                (header::CONTENT_TYPE, "text/csv; charset=utf-8"),
                (
                    header::CONTENT_DISPOSITION,
                    "attachment; filename=\"parties.csv\"",
                ),
            ],
            csv,
        )
            .into_response(),
        Err(e) => crate::html::fail(&who, &e),
    }
}

#[derive(Template)]
#[template(path = "parties_import.html")]
struct ImportPage {
    page: Page,
    csv: String,
    report: Option<ImportReport>,
    errors: Errors,
}

pub async fn import_page(State(state): State<AppState>, Requester(who): Requester) -> Response {
    let page = Page::new(&state, &who, "import-title", "/parties").await;
    ok(&ImportPage {
        page,
        csv: String::new(),
        report: None,
        errors: Errors::default(),
    })
}

/// Reads the upload (a file, or the CSV text carried over from the preview) and the chosen mode.
pub async fn read_import(mut multipart: Multipart) -> Result<(Vec<u8>, bool), &'static str> {
    let mut bytes = Vec::new();
    let mut commit = false;
    while let Some(field) = multipart.next_field().await.map_err(|_| "error-upload")? {
        match field.name() {
            Some("file") | Some("csv") => {
                let data = field.bytes().await.map_err(|_| "error-upload")?;
                if !data.is_empty() {
                    bytes = data.to_vec();
                }
            }
            Some("mode") => commit = field.text().await.map_err(|_| "error-upload")? == "commit",
            _ => {}
        }
    }
    if bytes.is_empty() {
        Err("error-upload-empty")
    } else {
        Ok((bytes, commit))
    }
}

pub async fn import_submit(
    State(state): State<AppState>,
    Requester(who): Requester,
    CurrentActor(actor): CurrentActor,
    uri: Uri,
    multipart: Multipart,
) -> Response {
    let mut page = Page::new(&state, &who, "import-title", uri.path()).await;
    let (bytes, commit) = match read_import(multipart).await {
        Ok(upload) => upload,
        Err(code) => {
            let errors = Errors::one(&page.i18n, "file", code);
            return render(
                StatusCode::UNPROCESSABLE_ENTITY,
                &ImportPage {
                    page,
                    csv: String::new(),
                    report: None,
                    errors,
                },
            );
        }
    };
    match parties::import_csv(&state.app, &actor, &bytes, commit).await {
        Ok(report) if report.created > 0 => {
            let flash = page.i18n.t1("flash-imported", "count", report.created);
            page.flash = Some(flash);
            ok(&ImportPage {
                page,
                csv: String::new(),
                report: Some(report),
                errors: Errors::default(),
            })
        }
        Ok(report) => {
            let status = if report.errors.is_empty() {
                StatusCode::OK
            } else {
                StatusCode::UNPROCESSABLE_ENTITY
            };
            let errors = Errors::new(&page.i18n, &report.errors);
            let csv = if report.errors.is_empty() {
                String::from_utf8_lossy(&bytes).into_owned()
            } else {
                String::new()
            };
            render(
                status,
                &ImportPage {
                    page,
                    csv,
                    report: Some(report),
                    errors,
                },
            )
        }
        Err(e) => crate::html::fail(&who, &e),
    }
}

/// The party as a vCard, for address books.
pub async fn vcard(
    State(state): State<AppState>,
    Requester(who): Requester,
    CurrentActor(actor): CurrentActor,
    Path(id): Path<i64>,
) -> Response {
    match seam_app::vcard::party_vcard(&state.app, &actor, PartyId(id)).await {
        Ok(card) => (
            [
                (header::CONTENT_TYPE, "text/vcard; charset=utf-8".to_owned()),
                (
                    header::CONTENT_DISPOSITION,
                    format!("attachment; filename=\"party-{id}.vcf\""),
                ),
            ],
            card,
        )
            .into_response(),
        Err(e) => crate::html::fail(&who, &e),
    }
}
