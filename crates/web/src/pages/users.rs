//! User administration: create logins, set roles, disable, reset passwords.

use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use seam_app::AppError;
use seam_app::users::UserRow;
use seam_app::users::{self, UserDraft};
use seam_domain::access::Role;
use seam_domain::ids::UserId;

use super::FormData;
use crate::AppState;
use crate::html::{Errors, Page, ok, redirect_with_flash, render};
use crate::who::{CurrentActor, Requester, Who};

/// A role checkbox on the user forms.
pub struct RoleChoice {
    pub name: &'static str,
    pub label: String,
    pub checked: bool,
}

fn role_choices(page: &Page, chosen: &[Role]) -> Vec<RoleChoice> {
    Role::ALL
        .into_iter()
        .map(|r| RoleChoice {
            name: r.name(),
            label: page.i18n.t(&format!("role-{}", r.name())),
            checked: chosen.contains(&r),
        })
        .collect()
}

fn roles_from(form: &FormData) -> Vec<Role> {
    form.all("roles")
        .into_iter()
        .filter_map(Role::parse)
        .collect()
}

#[derive(Template)]
#[template(path = "users_list.html")]
struct ListPage {
    page: Page,
    users: Vec<(UserRow, String)>,
}

pub async fn list(
    State(state): State<AppState>,
    Requester(who): Requester,
    CurrentActor(actor): CurrentActor,
) -> Response {
    let rows = match users::list_users(&state.app, &actor).await {
        Ok(rows) => rows,
        Err(e) => {
            return crate::html::fail(&who, &e);
        }
    };
    let page = Page::new(&state, &who, "users-title", "/admin/users").await;
    let users = rows
        .into_iter()
        .map(|u| {
            let roles: Vec<String> = users::roles(&u)
                .iter()
                .map(|r| page.i18n.t(&format!("role-{}", r.name())))
                .collect();
            (u, roles.join(", "))
        })
        .collect();
    ok(&ListPage { page, users })
}

#[derive(Template)]
#[template(path = "user_form.html")]
struct NewPage {
    page: Page,
    draft: UserDraft,
    party_id: String,
    roles: Vec<RoleChoice>,
    errors: Errors,
}

pub async fn new_form(State(state): State<AppState>, Requester(who): Requester) -> Response {
    let page = Page::new(&state, &who, "user-new-title", "/admin/users").await;
    let roles = role_choices(&page, &[]);
    ok(&NewPage {
        page,
        draft: UserDraft::default(),
        party_id: String::new(),
        roles,
        errors: Errors::default(),
    })
}

pub async fn create(
    State(state): State<AppState>,
    Requester(who): Requester,
    CurrentActor(actor): CurrentActor,
    form: FormData,
) -> Response {
    let party_text = form.get("party_id").trim().to_owned();
    let draft = UserDraft {
        username: form.get("username").to_owned(),
        display_name: form.get("display_name").to_owned(),
        email: form.get("email").to_owned(),
        password: form.get("password").to_owned(),
        roles: roles_from(&form),
        party_id: if party_text.is_empty() {
            None
        } else {
            Some(party_text.parse().unwrap_or(0))
        },
        locale: form.get("locale").to_owned(),
        time_zone: form.get("time_zone").to_owned(),
    };
    let result = users::add_user(&state.app, &actor, &draft).await;
    let page = Page::new(&state, &who, "user-new-title", "/admin/users").await;
    let errors = match result {
        Ok(id) => {
            return redirect_with_flash(
                &state,
                &who,
                &format!("/admin/users/{id}"),
                "flash-user-created",
            )
            .await;
        }
        Err(AppError::Invalid(fields)) => Errors::new(&page.i18n, &fields),
        Err(AppError::Conflict(code)) => Errors::one(&page.i18n, "username", code),
        Err(e) => {
            return crate::html::fail(&who, &e);
        }
    };
    let roles = role_choices(&page, &draft.roles);
    let draft = UserDraft {
        password: String::new(),
        ..draft
    };
    render(
        StatusCode::UNPROCESSABLE_ENTITY,
        &NewPage {
            page,
            draft,
            party_id: party_text,
            roles,
            errors,
        },
    )
}

#[derive(Template)]
#[template(path = "user_detail.html")]
struct DetailPage {
    page: Page,
    user: UserRow,
    roles: Vec<RoleChoice>,
    errors: Errors,
    is_self: bool,
}

async fn detail_page(
    state: &AppState,
    who: &Who,
    id: i64,
    errors_of: impl FnOnce(&Page) -> Errors,
    status: StatusCode,
) -> Response {
    let Some(actor) = who.actor() else {
        return crate::html::fail(who, &AppError::Unauthenticated);
    };
    let user = match users::user(&state.app, actor, UserId(id)).await {
        Ok(u) => u,
        Err(e) => {
            return crate::html::fail(who, &e);
        }
    };
    let mut page = Page::new(state, who, "user-title", "/admin/users").await;
    page.title.clone_from(&user.username);
    let roles = role_choices(&page, &users::roles(&user));
    let errors = errors_of(&page);
    let is_self = actor.user_id == Some(UserId(id));
    render(
        status,
        &DetailPage {
            page,
            user,
            roles,
            errors,
            is_self,
        },
    )
}

pub async fn detail(
    State(state): State<AppState>,
    Requester(who): Requester,
    Path(id): Path<i64>,
) -> Response {
    detail_page(&state, &who, id, |_| Errors::default(), StatusCode::OK).await
}

/// After a change on the user page: back to it with a message, or the page with the error.
async fn after_change(
    state: &AppState,
    who: &Who,
    id: i64,
    result: Result<(), AppError>,
    flash: &str,
) -> Response {
    match result {
        Ok(()) => redirect_with_flash(state, who, &format!("/admin/users/{id}"), flash).await,
        Err(AppError::Invalid(fields)) => {
            detail_page(
                state,
                who,
                id,
                |p| Errors::new(&p.i18n, &fields),
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
        Err(AppError::Conflict(code)) => {
            detail_page(
                state,
                who,
                id,
                |p| Errors::one(&p.i18n, "form", code),
                StatusCode::CONFLICT,
            )
            .await
        }
        Err(e) => crate::html::fail(who, &e),
    }
}

pub async fn set_roles(
    State(state): State<AppState>,
    Requester(who): Requester,
    CurrentActor(actor): CurrentActor,
    Path(id): Path<i64>,
    form: FormData,
) -> Response {
    let result = users::set_roles(&state.app, &actor, UserId(id), &roles_from(&form)).await;
    after_change(&state, &who, id, result, "flash-roles-saved").await
}

pub async fn disable(
    State(state): State<AppState>,
    Requester(who): Requester,
    CurrentActor(actor): CurrentActor,
    Path(id): Path<i64>,
) -> Response {
    let result = users::set_disabled(&state.app, &actor, UserId(id), true).await;
    after_change(&state, &who, id, result, "flash-user-disabled").await
}

pub async fn enable(
    State(state): State<AppState>,
    Requester(who): Requester,
    CurrentActor(actor): CurrentActor,
    Path(id): Path<i64>,
) -> Response {
    let result = users::set_disabled(&state.app, &actor, UserId(id), false).await;
    after_change(&state, &who, id, result, "flash-user-enabled").await
}

pub async fn reset_password(
    State(state): State<AppState>,
    Requester(who): Requester,
    CurrentActor(actor): CurrentActor,
    Path(id): Path<i64>,
    form: FormData,
) -> Response {
    let result = users::reset_password(&state.app, &actor, UserId(id), form.get("password")).await;
    after_change(&state, &who, id, result, "flash-password-reset").await
}
