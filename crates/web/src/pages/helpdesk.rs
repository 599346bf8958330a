//! The internal helpdesk in self-service: "IT help" (`/me/it`) lists the
//! employee's own IT requests with a form for a new one and a form to ask
//! for access; `/me/it/{id}` shows a request's public thread with a reply
//! and a close button. The decisions on access requests sit on "My
//! approvals" (`/me/approvals`, in [`super::hr`]). The use cases
//! ([`seam_app::helpdesk`], [`seam_app::access_requests`]) take the party
//! and the employee from the login; anyone else's request is "not found".

use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use seam_app::access_requests::{self, AccessRequestDraft, AccessRequestRow};
use seam_app::helpdesk::{self, ItRequestDraft};
use seam_app::{Actor, AppError};
use serde::Deserialize;

use super::ledger::{Choice, form_errors};
use super::service::{TicketListView, TicketView, priority_choices};
use super::ticket_files::ReplyForm;
use super::{FormData, IdPath};
use crate::AppState;
use crate::html::{Errors, Page, fail, redirect_with_flash, render};
use crate::i18n::I18n;
use crate::who::{CurrentActor, Requester, Who};

const NAV_PATH: &str = "/me";

/// An access request in a list.
pub struct AccessView {
    pub id: i64,
    pub employee: String,
    pub what: String,
    pub reason: String,
    pub state: String,
    pub state_name: String,
    pub decided_by: String,
    pub ticket_id: i64,
    pub ticket_number: String,
    pub created: String,
}

impl AccessView {
    pub fn new(i18n: &I18n, time_zone: &str, r: &AccessRequestRow) -> AccessView {
        let what = if r.kind == "role" {
            i18n.t1(
                "access-what-role",
                "role",
                i18n.t(&format!("role-{}", r.what)),
            )
        } else {
            r.what.clone()
        };
        AccessView {
            id: r.id,
            employee: r.employee_name.clone(),
            what,
            reason: r.reason.clone(),
            state: i18n.t(&format!("access-state-{}", r.state)),
            state_name: r.state.clone(),
            decided_by: r.decided_by.clone().unwrap_or_default(),
            ticket_id: r.ticket_id.unwrap_or(0),
            ticket_number: r.ticket_number.clone().unwrap_or_default(),
            created: i18n.timestamp(&r.created_at_us, time_zone),
        }
    }
}

/// The staff roles one may ask for, for the form.
pub fn role_choices(i18n: &I18n) -> Vec<Choice> {
    access_requests::requestable_roles()
        .into_iter()
        .map(|r| Choice {
            value: r.name().to_owned(),
            label: i18n.t(&format!("role-{}", r.name())),
        })
        .collect()
}

/// What the two forms of `/me/it` hold.
#[derive(Debug, Clone, Default)]
struct Typed {
    subject: String,
    body: String,
    priority: String,
    role: String,
    system: String,
    reason: String,
}

impl Typed {
    fn fresh() -> Typed {
        Typed {
            priority: "normal".to_owned(),
            ..Typed::default()
        }
    }
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct ListQuery {
    #[serde(default)]
    pub cursor: String,
}

#[derive(Template)]
#[template(path = "me_it.html")]
struct ListPage {
    page: Page,
    /// Whether the login has an employee record (else the page says so).
    employee: bool,
    rows: Vec<TicketListView>,
    next_link: String,
    access: Vec<AccessView>,
    priorities: Vec<Choice>,
    roles: Vec<Choice>,
    typed: Typed,
    errors: Errors,
}

async fn list_page(
    state: &AppState,
    who: &Who,
    actor: &Actor,
    cursor: &str,
    status: StatusCode,
    typed: Typed,
    errors: Errors,
) -> Response {
    let before = cursor.parse::<i64>().ok();
    let (employee, rows) = match helpdesk::my_requests(&state.app, actor, before).await {
        Ok(rows) => (true, rows),
        Err(AppError::NotFound) => (false, Vec::new()),
        Err(e) => return fail(who, &e),
    };
    let access = match access_requests::my_requests(&state.app, actor).await {
        Ok(rows) => rows,
        Err(e) => return fail(who, &e),
    };
    let page = Page::new(state, who, "it-help-title", NAV_PATH).await;
    let next_link = match rows.last() {
        Some(last) if rows.len() as i64 == seam_app::service::PAGE_SIZE => {
            format!("/me/it?cursor={}", last.id)
        }
        _ => String::new(),
    };
    render(
        status,
        &ListPage {
            employee,
            rows: rows
                .iter()
                .map(|r| TicketListView::new(&page.i18n, &page.time_zone, r))
                .collect(),
            next_link,
            access: access
                .iter()
                .map(|r| AccessView::new(&page.i18n, &page.time_zone, r))
                .collect(),
            priorities: priority_choices(&page.i18n),
            roles: role_choices(&page.i18n),
            typed,
            errors,
            page,
        },
    )
}

/// `GET /me/it`: my IT requests and access requests, with the forms.
pub async fn list(
    State(state): State<AppState>,
    Requester(who): Requester,
    CurrentActor(actor): CurrentActor,
    Query(query): Query<ListQuery>,
) -> Response {
    list_page(
        &state,
        &who,
        &actor,
        &query.cursor,
        StatusCode::OK,
        Typed::fresh(),
        Errors::default(),
    )
    .await
}

/// `POST /me/it`: opens an IT request.
pub async fn create(
    State(state): State<AppState>,
    Requester(who): Requester,
    CurrentActor(actor): CurrentActor,
    form: FormData,
) -> Response {
    let typed = Typed {
        subject: form.get("subject").to_owned(),
        body: form.get("body").to_owned(),
        priority: form.get("priority").to_owned(),
        ..Typed::default()
    };
    let draft = ItRequestDraft {
        subject: typed.subject.clone(),
        body: typed.body.clone(),
        priority: typed.priority.clone(),
    };
    match helpdesk::open_request(&state.app, &actor, &draft).await {
        Ok(id) => {
            redirect_with_flash(&state, &who, &format!("/me/it/{id}"), "it-request-opened").await
        }
        Err(e) => match form_errors(&I18n::new(actor.locale), &e, "form") {
            Some((status, errors)) => {
                list_page(&state, &who, &actor, "", status, typed, errors).await
            }
            None => fail(&who, &e),
        },
    }
}

/// `POST /me/access`: asks for access.
pub async fn request_access(
    State(state): State<AppState>,
    Requester(who): Requester,
    CurrentActor(actor): CurrentActor,
    form: FormData,
) -> Response {
    let typed = Typed {
        role: form.get("role").to_owned(),
        system: form.get("system").to_owned(),
        reason: form.get("reason").to_owned(),
        ..Typed::fresh()
    };
    let draft = AccessRequestDraft {
        kind: form.get("kind").to_owned(),
        role: typed.role.clone(),
        system: typed.system.clone(),
        reason: typed.reason.clone(),
    };
    match access_requests::request_access(&state.app, &actor, &draft).await {
        Ok(_) => redirect_with_flash(&state, &who, "/me/it", "access-requested-flash").await,
        Err(e) => match form_errors(&I18n::new(actor.locale), &e, "form") {
            Some((status, errors)) => {
                list_page(&state, &who, &actor, "", status, typed, errors).await
            }
            None => fail(&who, &e),
        },
    }
}

async fn decide(
    state: AppState,
    who: Who,
    actor: Actor,
    id: i64,
    form: FormData,
    approve: bool,
) -> Response {
    match access_requests::decide(&state.app, &actor, id, approve, form.get("note")).await {
        Ok(_) => {
            let flash = if approve {
                "access-approved-flash"
            } else {
                "access-rejected-flash"
            };
            redirect_with_flash(&state, &who, "/me/approvals", flash).await
        }
        Err(AppError::Conflict(code)) => {
            redirect_with_flash(&state, &who, "/me/approvals", code).await
        }
        Err(AppError::Invalid(_)) => {
            redirect_with_flash(&state, &who, "/me/approvals", "error-access-note").await
        }
        Err(e) => fail(&who, &e),
    }
}

/// `POST /me/access/{id}/approve`: the manager (or HR) approves; IT gets a ticket.
pub async fn approve(
    State(state): State<AppState>,
    Requester(who): Requester,
    CurrentActor(actor): CurrentActor,
    IdPath(id): IdPath,
    form: FormData,
) -> Response {
    decide(state, who, actor, id, form, true).await
}

/// `POST /me/access/{id}/reject`.
pub async fn reject(
    State(state): State<AppState>,
    Requester(who): Requester,
    CurrentActor(actor): CurrentActor,
    IdPath(id): IdPath,
    form: FormData,
) -> Response {
    decide(state, who, actor, id, form, false).await
}

#[derive(Template)]
#[template(path = "me_it_request.html")]
struct DetailPage {
    page: Page,
    t: TicketView,
    errors: Errors,
    reply_body: String,
}

async fn detail_page(
    state: &AppState,
    who: &Who,
    actor: &Actor,
    id: i64,
    status: StatusCode,
    errors: Errors,
    reply_body: String,
) -> Response {
    let detail = match helpdesk::request(&state.app, actor, id).await {
        Ok(d) => d,
        Err(e) => return fail(who, &e),
    };
    let page = Page::new(state, who, "ticket-title", NAV_PATH).await;
    let mut t = TicketView::new(&page.i18n, &page.time_zone, &detail);
    t.files_base = "/me/it".to_owned();
    render(
        status,
        &DetailPage {
            t,
            errors,
            reply_body,
            page,
        },
    )
}

/// `GET /me/it/{id}`: one of my requests, its public thread.
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
    )
    .await
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
        Some((status, errors)) => detail_page(state, who, actor, id, status, errors, typed).await,
        None => fail(who, err),
    }
}

/// `POST /me/it/{id}/reply`: the employee answers (files welcome).
pub async fn reply(
    State(state): State<AppState>,
    Requester(who): Requester,
    CurrentActor(actor): CurrentActor,
    IdPath(id): IdPath,
    ReplyForm { form, uploads }: ReplyForm,
) -> Response {
    let body = form.get("body").to_owned();
    match helpdesk::reply(&state.app, &actor, id, &body, &uploads).await {
        Ok(_) => {
            redirect_with_flash(
                &state,
                &who,
                &format!("/me/it/{id}"),
                "ticket-replied-customer",
            )
            .await
        }
        Err(e) => after_error(&state, &who, &actor, id, &e, body).await,
    }
}

/// `POST /me/it/{id}/close`.
pub async fn close(
    State(state): State<AppState>,
    Requester(who): Requester,
    CurrentActor(actor): CurrentActor,
    IdPath(id): IdPath,
) -> Response {
    match helpdesk::close(&state.app, &actor, id).await {
        Ok(()) => redirect_with_flash(&state, &who, &format!("/me/it/{id}"), "ticket-closed").await,
        Err(e) => after_error(&state, &who, &actor, id, &e, String::new()).await,
    }
}

/// `GET /me/it/attachments/{id}`: a file on one of my requests' public messages.
pub async fn attachment(
    State(state): State<AppState>,
    Requester(who): Requester,
    CurrentActor(actor): CurrentActor,
    IdPath(id): IdPath,
) -> Response {
    match helpdesk::attachment(&state.app, &actor, id).await {
        Ok((row, content)) => {
            super::ticket_files::download(&row.content_type, &row.file_name, content)
        }
        Err(e) => fail(&who, &e),
    }
}
