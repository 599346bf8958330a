//! The customer's tickets in the portal: their own party's list, a new
//! request (about one of their invoices or orders, if they like), and a
//! ticket's public conversation with a reply and a close button. The use
//! cases take the party from the login and leave internal notes out.

use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use seam_app::service::{self, ListFilter};
use seam_app::{Actor, AppError};
use serde::Deserialize;

use super::ledger::{Choice, form_errors};
use super::service::{TicketListView, TicketTyped, TicketView, priority_choices};
use super::ticket_files::ReplyForm;
use super::{FormData, IdPath};
use crate::AppState;
use crate::html::{Errors, Page, fail, redirect_with_flash, render};
use crate::i18n::I18n;
use crate::who::{CurrentActor, Requester, Who};

const NAV_PATH: &str = "/portal/tickets";

#[derive(Debug, Clone, Default, Deserialize)]
pub struct ListQuery {
    #[serde(default)]
    pub cursor: String,
    /// Prefills the form: the invoice the new ticket is about.
    #[serde(default)]
    pub invoice: String,
}

#[derive(Template)]
#[template(path = "portal_tickets.html")]
struct ListPage {
    page: Page,
    rows: Vec<TicketListView>,
    next_link: String,
    priorities: Vec<Choice>,
    typed: TicketTyped,
    errors: Errors,
}

async fn list_page(
    state: &AppState,
    who: &Who,
    actor: &Actor,
    cursor: &str,
    status: StatusCode,
    typed: TicketTyped,
    errors: Errors,
) -> Response {
    let before = cursor.parse::<i64>().ok();
    let rows = match service::list(&state.app, actor, &ListFilter::default(), before).await {
        Ok(rows) => rows,
        Err(e) => return fail(who, &e),
    };
    let page = Page::new(state, who, "portal-tickets-title", NAV_PATH).await;
    let next_link = match rows.last() {
        Some(last) if rows.len() as i64 == service::PAGE_SIZE => {
            format!("/portal/tickets?cursor={}", last.id)
        }
        _ => String::new(),
    };
    render(
        status,
        &ListPage {
            rows: rows
                .iter()
                .map(|r| TicketListView::new(&page.i18n, &page.time_zone, r))
                .collect(),
            next_link,
            priorities: priority_choices(&page.i18n),
            typed,
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
    let typed = TicketTyped {
        invoice: query.invoice.clone(),
        priority: "normal".to_owned(),
        ..TicketTyped::default()
    };
    list_page(
        &state,
        &who,
        &actor,
        &query.cursor,
        StatusCode::OK,
        typed,
        Errors::default(),
    )
    .await
}

pub async fn create(
    State(state): State<AppState>,
    Requester(who): Requester,
    CurrentActor(actor): CurrentActor,
    form: FormData,
) -> Response {
    let typed = super::service::typed_from_form(&form);
    match service::open_ticket(&state.app, &actor, &typed.input()).await {
        Ok(id) => {
            redirect_with_flash(
                &state,
                &who,
                &format!("/portal/tickets/{id}"),
                "portal-ticket-opened",
            )
            .await
        }
        Err(e) => match form_errors(&I18n::new(actor.locale), &e, "form") {
            Some((status, errors)) => {
                list_page(&state, &who, &actor, "", status, typed, errors).await
            }
            None => fail(&who, &e),
        },
    }
}

#[derive(Template)]
#[template(path = "portal_ticket.html")]
struct DetailPage {
    page: Page,
    t: TicketView,
    errors: Errors,
    reply_body: String,
    /// The rating's comment as typed, kept when the rating is refused.
    comment: String,
}

#[allow(clippy::too_many_arguments)]
async fn detail_page(
    state: &AppState,
    who: &Who,
    actor: &Actor,
    id: i64,
    status: StatusCode,
    errors: Errors,
    reply_body: String,
    comment: String,
) -> Response {
    let detail = match service::ticket(&state.app, actor, id).await {
        Ok(d) => d,
        Err(e) => return fail(who, &e),
    };
    let page = Page::new(state, who, "ticket-title", NAV_PATH).await;
    let mut t = TicketView::new(&page.i18n, &page.time_zone, &detail);
    t.files_base = "/portal".to_owned();
    render(
        status,
        &DetailPage {
            t,
            errors,
            reply_body,
            comment,
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
    detail_page(
        &state,
        &who,
        &actor,
        id,
        StatusCode::OK,
        Errors::default(),
        String::new(),
        String::new(),
    )
    .await
}

pub async fn reply(
    State(state): State<AppState>,
    Requester(who): Requester,
    CurrentActor(actor): CurrentActor,
    IdPath(id): IdPath,
    ReplyForm { form, uploads }: ReplyForm,
) -> Response {
    let body = form.get("body").to_owned();
    match service::reply_with(&state.app, &actor, id, &body, true, &uploads).await {
        Ok(_) => {
            redirect_with_flash(
                &state,
                &who,
                &format!("/portal/tickets/{id}"),
                "ticket-replied-customer",
            )
            .await
        }
        Err(e) => after_error(&state, &who, &actor, id, &e, body).await,
    }
}

pub async fn close(
    State(state): State<AppState>,
    Requester(who): Requester,
    CurrentActor(actor): CurrentActor,
    IdPath(id): IdPath,
) -> Response {
    match service::close(&state.app, &actor, id).await {
        Ok(()) => {
            redirect_with_flash(
                &state,
                &who,
                &format!("/portal/tickets/{id}"),
                "ticket-closed",
            )
            .await
        }
        Err(e) => after_error(&state, &who, &actor, id, &e, String::new()).await,
    }
}

async fn after_error(
    state: &AppState,
    who: &Who,
    actor: &Actor,
    id: i64,
    err: &AppError,
    typed: String,
) -> Response {
    match form_errors(&I18n::new(actor.locale), err, "form") {
        Some((status, errors)) => {
            detail_page(state, who, actor, id, status, errors, typed, String::new()).await
        }
        None => fail(who, err),
    }
}

/// The customer rates their resolved or closed request, once.
pub async fn rate(
    State(state): State<AppState>,
    Requester(who): Requester,
    CurrentActor(actor): CurrentActor,
    IdPath(id): IdPath,
    form: FormData,
) -> Response {
    let comment = form.get("comment").to_owned();
    match seam_app::csat::rate_ticket(&state.app, &actor, id, form.get("rating"), &comment).await {
        Ok(()) => {
            redirect_with_flash(
                &state,
                &who,
                &format!("/portal/tickets/{id}"),
                "csat-thanks",
            )
            .await
        }
        Err(e) => match form_errors(&I18n::new(actor.locale), &e, "rating") {
            Some((status, errors)) => {
                detail_page(
                    &state,
                    &who,
                    &actor,
                    id,
                    status,
                    errors,
                    String::new(),
                    comment,
                )
                .await
            }
            None => fail(&who, &e),
        },
    }
}
