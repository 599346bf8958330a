//! Reception's visitor log: who is in the building, who is expected today,
//! the check-in form, a visit with its company's card, and the badge.

use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use seam_app::customer_view::CustomerView;
use seam_app::reception::{self, HostRow, VisitFilter, VisitRow};
use seam_app::{Actor, AppError};
use seam_domain::reception::VisitDraft;
use serde::Deserialize;

use super::parties::{CompanyOption, company_options};
use super::{FormData, IdPath};
use crate::AppState;
use crate::html::{Errors, Page, fail, ok, redirect_with_flash, render};
use crate::i18n::I18n;
use crate::who::{CurrentActor, Requester, Who};

/// A visit ready to show.
pub struct VisitView {
    pub id: i64,
    pub visitor_name: String,
    pub company: String,
    pub party_id: Option<i64>,
    pub host: String,
    pub purpose: String,
    pub badge: String,
    pub expected_at: String,
    pub checked_in_at: String,
    pub checked_out_at: String,
    pub in_building: bool,
    pub waiting: bool,
    pub agreement: bool,
    /// The day of the visit (check-in, else expected), for the badge.
    pub day: String,
}

impl VisitView {
    pub fn new(i18n: &I18n, time_zone: &str, row: &VisitRow) -> VisitView {
        let at = |us: &Option<i64>| {
            us.as_ref()
                .map(|us| i18n.timestamp(us, time_zone))
                .unwrap_or_default()
        };
        let company = match (&row.party_name, row.visitor_company.is_empty()) {
            (Some(name), true) => name.clone(),
            _ => row.visitor_company.clone(),
        };
        let day = row
            .checked_in_at_us
            .or(row.expected_at_us)
            .map(|us| {
                let text = i18n.timestamp(&us, time_zone);
                text.split_whitespace()
                    .next()
                    .unwrap_or_default()
                    .to_owned()
            })
            .unwrap_or_default();
        VisitView {
            id: row.id,
            visitor_name: row.visitor_name.clone(),
            company,
            party_id: row.party_id,
            host: row.host_name.clone(),
            purpose: row.purpose.clone(),
            badge: row.badge_number.clone().unwrap_or_default(),
            expected_at: at(&row.expected_at_us),
            checked_in_at: at(&row.checked_in_at_us),
            checked_out_at: at(&row.checked_out_at_us),
            in_building: row.checked_in_at_us.is_some() && row.checked_out_at_us.is_none(),
            waiting: row.checked_in_at_us.is_none(),
            agreement: row.agreement_acknowledged,
            day,
        }
    }
}

/// What the check-in form holds, kept as typed when it comes back with errors.
#[derive(Debug, Clone, Default)]
pub struct VisitForm {
    pub visitor_name: String,
    pub visitor_company: String,
    pub party_id: String,
    pub host_user_id: String,
    pub purpose: String,
    pub expected_at: String,
    pub agreement: bool,
}

impl VisitForm {
    fn from_form(form: &FormData) -> VisitForm {
        VisitForm {
            visitor_name: form.get("visitor_name").to_owned(),
            visitor_company: form.get("visitor_company").to_owned(),
            party_id: form.get("party_id").to_owned(),
            host_user_id: form.get("host_user_id").to_owned(),
            purpose: form.get("purpose").to_owned(),
            expected_at: form.get("expected_at").to_owned(),
            agreement: form.checked("agreement_acknowledged"),
        }
    }

    fn draft(&self, time_zone: &str) -> Result<VisitDraft, AppError> {
        Ok(VisitDraft {
            visitor_name: self.visitor_name.clone(),
            visitor_company: self.visitor_company.clone(),
            party_id: self.party_id.trim().parse().ok(),
            host_user_id: self.host_user_id.trim().parse().ok(),
            purpose: self.purpose.clone(),
            expected_at_us: reception::parse_expected_at(&self.expected_at, time_zone)?,
            agreement_acknowledged: self.agreement,
        })
    }
}

#[derive(Template)]
#[template(path = "reception_visits.html")]
struct VisitsPage {
    page: Page,
    inside: Vec<VisitView>,
    expected: Vec<VisitView>,
    /// Today's appointments with a visitor who has not arrived yet.
    expected_appointments: Vec<super::appointments::AppointmentView>,
    recent: Vec<VisitView>,
    next_link: String,
    form: VisitForm,
    hosts: Vec<HostRow>,
    companies: Vec<CompanyOption>,
    errors: Errors,
}

#[derive(Debug, Default, Deserialize)]
pub struct ListQuery {
    #[serde(default)]
    pub cursor: String,
}

async fn visits_page(
    state: &AppState,
    who: &Who,
    actor: &Actor,
    before: Option<i64>,
    form: VisitForm,
    errors: Errors,
    status: StatusCode,
) -> Response {
    let (inside, expected, appointments, recent, hosts) = match tokio::try_join!(
        reception::in_building_now(&state.app, actor),
        reception::expected_today(&state.app, actor),
        seam_app::appointments::expected_visitors_today(&state.app, actor),
        reception::list(&state.app, actor, VisitFilter::All, before),
        reception::hosts(&state.app, actor),
    ) {
        Ok(lists) => lists,
        Err(e) => return fail(who, &e),
    };
    let companies = if actor.may(seam_domain::access::Permission::PartiesRead) {
        company_options(state, actor).await
    } else {
        Vec::new()
    };
    let page = Page::new(state, who, "reception-visits-title", "/reception").await;
    let view = |rows: &[VisitRow]| {
        rows.iter()
            .map(|r| VisitView::new(&page.i18n, &page.time_zone, r))
            .collect::<Vec<_>>()
    };
    let next_link = match recent.last() {
        Some(last) if recent.len() as i64 == reception::PAGE_SIZE => {
            format!("/reception/visits?cursor={}", last.id)
        }
        _ => String::new(),
    };
    render(
        status,
        &VisitsPage {
            inside: view(&inside),
            expected: view(&expected),
            expected_appointments: appointments
                .iter()
                .map(|a| super::appointments::AppointmentView::new(&page.i18n, &page.time_zone, a))
                .collect(),
            recent: view(&recent),
            next_link,
            form,
            hosts,
            companies,
            errors,
            page,
        },
    )
}

pub async fn list(
    State(state): State<AppState>,
    Requester(who): Requester,
    CurrentActor(actor): CurrentActor,
    Query(query): Query<ListQuery>,
) -> Response {
    let before = query.cursor.parse::<i64>().ok();
    let form = VisitForm {
        agreement: false,
        ..VisitForm::default()
    };
    visits_page(
        &state,
        &who,
        &actor,
        before,
        form,
        Errors::default(),
        StatusCode::OK,
    )
    .await
}

/// Checks a visitor in, or registers them as expected when a time is given.
pub async fn create(
    State(state): State<AppState>,
    Requester(who): Requester,
    CurrentActor(actor): CurrentActor,
    form: FormData,
) -> Response {
    let input = VisitForm::from_form(&form);
    let result = match input.draft(&actor.time_zone) {
        Ok(draft) if draft.expected_at_us.is_some() => {
            reception::register_expected_visit(&state.app, &actor, &draft)
                .await
                .map(|id| (id, "flash-visit-registered"))
        }
        Ok(draft) => reception::check_in(&state.app, &actor, &draft)
            .await
            .map(|id| (id, "flash-visit-checked-in")),
        Err(e) => Err(e),
    };
    match result {
        Ok((id, flash)) => {
            redirect_with_flash(&state, &who, &format!("/reception/visits/{id}"), flash).await
        }
        Err(e) => {
            let i18n = I18n::new(actor.locale);
            let (status, errors) = match &e {
                AppError::Invalid(fields) => {
                    (StatusCode::UNPROCESSABLE_ENTITY, Errors::new(&i18n, fields))
                }
                AppError::Conflict(code) => {
                    (StatusCode::CONFLICT, Errors::one(&i18n, "form", code))
                }
                _ => return fail(&who, &e),
            };
            visits_page(&state, &who, &actor, None, input, errors, status).await
        }
    }
}

/// A company's card as the desk sees it: balance, overdue invoices, open
/// orders and open tickets.
struct CardView {
    party_id: i64,
    name: String,
    balances: Vec<(String, String)>,
    open_invoices: Option<Vec<super::invoices::InvoiceListView>>,
    orders: Option<Vec<super::sales::OrderListView>>,
    tickets: Option<Vec<super::service::TicketListView>>,
}

impl CardView {
    fn new(i18n: &I18n, actor: &Actor, card: &CustomerView) -> CardView {
        let today = super::invoices::today_of(actor);
        CardView {
            party_id: card.detail.party.id,
            name: card.detail.party.name.clone(),
            balances: card
                .receivables
                .as_ref()
                .map(|money| {
                    money
                        .balances
                        .iter()
                        .map(|b| {
                            (
                                i18n.money(b.due_minor, &b.currency),
                                i18n.money(b.credit_minor, &b.currency),
                            )
                        })
                        .collect()
                })
                .unwrap_or_default(),
            open_invoices: card.receivables.as_ref().map(|money| {
                money
                    .open
                    .iter()
                    .map(|d| super::invoices::InvoiceListView::new(i18n, &d.invoice, today))
                    .collect()
            }),
            orders: card.orders.as_ref().map(|rows| {
                rows.iter()
                    .filter(|p| p.fulfilment() != "all")
                    .map(|p| super::sales::OrderListView::new(i18n, &p.order))
                    .collect()
            }),
            tickets: card.tickets.as_ref().map(|rows| {
                rows.iter()
                    .filter(|t| t.state == "open" || t.state == "pending")
                    .map(|t| super::service::TicketListView::new(i18n, &actor.time_zone, t))
                    .collect()
            }),
        }
    }
}

#[derive(Template)]
#[template(path = "reception_visit.html")]
struct VisitPage {
    page: Page,
    visit: VisitView,
    card: Option<CardView>,
    errors: Errors,
}

async fn visit_page(
    state: &AppState,
    who: &Who,
    actor: &Actor,
    id: i64,
    errors: Errors,
    status: StatusCode,
) -> Response {
    let (row, card) = match reception::visit_with_card(&state.app, actor, id).await {
        Ok(found) => found,
        Err(e) => return fail(who, &e),
    };
    let mut page = Page::new(state, who, "reception-visit-title", "/reception").await;
    page.title.clone_from(&row.visitor_name);
    let card = card.map(|c| CardView::new(&page.i18n, actor, &c));
    render(
        status,
        &VisitPage {
            visit: VisitView::new(&page.i18n, &page.time_zone, &row),
            card,
            errors,
            page,
        },
    )
}

pub async fn detail(
    State(state): State<AppState>,
    Requester(who): Requester,
    CurrentActor(actor): CurrentActor,
    IdPath(id): IdPath,
) -> Response {
    visit_page(&state, &who, &actor, id, Errors::default(), StatusCode::OK).await
}

async fn after_change(
    state: &AppState,
    who: &Who,
    actor: &Actor,
    id: i64,
    result: Result<(), AppError>,
    flash: &str,
) -> Response {
    match result {
        Ok(()) => redirect_with_flash(state, who, &format!("/reception/visits/{id}"), flash).await,
        Err(AppError::Conflict(code)) => {
            let errors = Errors::one(&I18n::new(actor.locale), "form", code);
            visit_page(state, who, actor, id, errors, StatusCode::CONFLICT).await
        }
        Err(e) => fail(who, &e),
    }
}

/// Checks in a visitor who was expected.
pub async fn check_in(
    State(state): State<AppState>,
    Requester(who): Requester,
    CurrentActor(actor): CurrentActor,
    IdPath(id): IdPath,
    form: FormData,
) -> Response {
    let agreed = form.checked("agreement_acknowledged");
    let result = reception::check_in_expected(&state.app, &actor, id, agreed).await;
    after_change(&state, &who, &actor, id, result, "flash-visit-checked-in").await
}

pub async fn check_out(
    State(state): State<AppState>,
    Requester(who): Requester,
    CurrentActor(actor): CurrentActor,
    IdPath(id): IdPath,
) -> Response {
    let result = reception::check_out(&state.app, &actor, id).await;
    after_change(&state, &who, &actor, id, result, "flash-visit-checked-out").await
}

#[derive(Template)]
#[template(path = "reception_badge.html")]
struct BadgePage {
    page: Page,
    visit: VisitView,
}

/// The printable badge.
pub async fn badge(
    State(state): State<AppState>,
    Requester(who): Requester,
    CurrentActor(actor): CurrentActor,
    IdPath(id): IdPath,
) -> Response {
    let row = match reception::visit(&state.app, &actor, id).await {
        Ok(row) => row,
        Err(e) => return fail(&who, &e),
    };
    let page = Page::new(&state, &who, "reception-badge-title", "/reception").await;
    ok(&BadgePage {
        visit: VisitView::new(&page.i18n, &page.time_zone, &row),
        page,
    })
}
