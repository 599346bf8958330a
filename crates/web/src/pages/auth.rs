//! Login, second factor, logout, and the one-time setup of the first admin.

use askama::Template;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use seam_app::AppError;
use seam_app::auth::{self, LoginOutcome};
use seam_app::users::{self, UserDraft};
use serde::Deserialize;

use super::{FormData, clear_session_cookie, safe_next, session_cookie};
use crate::AppState;
use crate::html::{Errors, Page, locale_for, ok, render};
use crate::i18n::I18n;
use crate::who::{Requester, Who};

#[derive(Template)]
#[template(path = "login.html")]
struct LoginPage {
    page: Page,
    username: String,
    next: String,
    errors: Errors,
    notice: String,
}

#[derive(Deserialize, Default)]
pub struct LoginQuery {
    #[serde(default)]
    next: String,
    #[serde(default)]
    created: Option<String>,
}

pub async fn login_page(
    Requester(who): Requester,
    headers: HeaderMap,
    Query(query): Query<LoginQuery>,
) -> Response {
    if who.actor().is_some() {
        return Redirect::to(safe_next(&query.next)).into_response();
    }
    let i18n = I18n::new(locale_for(&who, &headers));
    let notice = if query.created.is_some() {
        i18n.t("setup-done")
    } else {
        String::new()
    };
    ok(&LoginPage {
        page: Page::anonymous(i18n, "login-title"),
        username: String::new(),
        next: query.next,
        errors: Errors::default(),
        notice,
    })
}

pub async fn login_submit(
    State(state): State<AppState>,
    Requester(who): Requester,
    headers: HeaderMap,
    form: FormData,
) -> Response {
    let i18n = I18n::new(locale_for(&who, &headers));
    let next = safe_next(form.get("next")).to_owned();
    match auth::login(&state.app, form.get("username"), form.get("password")).await {
        Ok(outcome) => {
            if let Who::Session { secret, .. } = &who {
                // The old session ends: a login always starts a fresh one.
                let _ = auth::logout(&state.app, secret, None).await;
            }
            let (secret, to, ttl) = match outcome {
                LoginOutcome::LoggedIn { session } => (session, next, auth::SESSION_TTL),
                LoginOutcome::SecondFactorNeeded { session } => (
                    session,
                    "/login/second-factor".to_owned(),
                    auth::SECOND_FACTOR_TTL,
                ),
            };
            let cookie = session_cookie(&state.config, &secret, ttl.as_secs());
            ([(header::SET_COOKIE, cookie)], Redirect::to(&to)).into_response()
        }
        Err(err) => {
            let (status, errors) = match &err {
                AppError::Locked { until_us } => {
                    let when = i18n.timestamp(until_us, "UTC");
                    (
                        StatusCode::TOO_MANY_REQUESTS,
                        Errors {
                            items: vec![(
                                "password".to_owned(),
                                i18n.t1("error-locked-until", "time", format!("{when} UTC")),
                            )],
                        },
                    )
                }
                AppError::Invalid(fields) => {
                    (StatusCode::UNPROCESSABLE_ENTITY, Errors::new(&i18n, fields))
                }
                _ => {
                    return crate::html::error_page(
                        &who,
                        &headers,
                        &err,
                        &crate::current_request_id(),
                    );
                }
            };
            let page = LoginPage {
                page: Page::anonymous(i18n, "login-title"),
                username: form.get("username").to_owned(),
                next,
                errors,
                notice: String::new(),
            };
            render(status, &page)
        }
    }
}

#[derive(Template)]
#[template(path = "second_factor.html")]
struct SecondFactorPage {
    page: Page,
    errors: Errors,
}

pub async fn second_factor_page(Requester(who): Requester, headers: HeaderMap) -> Response {
    let i18n = I18n::new(locale_for(&who, &headers));
    ok(&SecondFactorPage {
        page: Page::anonymous(i18n, "second-factor-title"),
        errors: Errors::default(),
    })
}

pub async fn second_factor_submit(
    State(state): State<AppState>,
    Requester(who): Requester,
    headers: HeaderMap,
    form: FormData,
) -> Response {
    let i18n = I18n::new(locale_for(&who, &headers));
    let Who::Session { secret, .. } = &who else {
        return Redirect::to("/login").into_response();
    };
    match auth::complete_second_factor(&state.app, secret, form.get("code")).await {
        Ok(full) => {
            let cookie = session_cookie(&state.config, &full, auth::SESSION_TTL.as_secs());
            ([(header::SET_COOKIE, cookie)], Redirect::to("/")).into_response()
        }
        Err(AppError::Invalid(fields)) => render(
            StatusCode::UNPROCESSABLE_ENTITY,
            &SecondFactorPage {
                errors: Errors::new(&i18n, &fields),
                page: Page::anonymous(i18n, "second-factor-title"),
            },
        ),
        Err(_) => Redirect::to("/login").into_response(),
    }
}

pub async fn logout(State(state): State<AppState>, Requester(who): Requester) -> Response {
    if let Who::Session {
        secret,
        state: session,
    } = &who
        && let Err(e) = auth::logout(&state.app, secret, Some(&session.actor)).await
    {
        tracing::warn!(error = %e, "logout failed");
    }
    (
        [(header::SET_COOKIE, clear_session_cookie())],
        Redirect::to("/login"),
    )
        .into_response()
}

#[derive(Template)]
#[template(path = "setup.html")]
struct SetupPage {
    page: Page,
    token: String,
    username: String,
    display_name: String,
    email: String,
    errors: Errors,
}

#[derive(Deserialize)]
pub struct SetupQuery {
    #[serde(default)]
    token: String,
}

pub async fn setup_page(
    State(state): State<AppState>,
    Requester(who): Requester,
    headers: HeaderMap,
    Query(query): Query<SetupQuery>,
) -> Response {
    if !matches!(users::needs_setup(&state.app).await, Ok(true)) {
        return Redirect::to("/login").into_response();
    }
    let i18n = I18n::new(locale_for(&who, &headers));
    ok(&SetupPage {
        page: Page::anonymous(i18n, "setup-title"),
        token: query.token,
        username: String::new(),
        display_name: String::new(),
        email: String::new(),
        errors: Errors::default(),
    })
}

pub async fn setup_submit(
    State(state): State<AppState>,
    Requester(who): Requester,
    headers: HeaderMap,
    form: FormData,
) -> Response {
    let i18n = I18n::new(locale_for(&who, &headers));
    let draft = UserDraft {
        username: form.get("username").to_owned(),
        display_name: form.get("display_name").to_owned(),
        email: form.get("email").to_owned(),
        password: form.get("password").to_owned(),
        locale: i18n.locale.tag().to_owned(),
        time_zone: "UTC".to_owned(),
        ..UserDraft::default()
    };
    let errors = match users::complete_setup(&state.app, form.get("token"), &draft).await {
        Ok(_) => return Redirect::to("/login?created=1").into_response(),
        Err(AppError::Invalid(fields)) => Errors::new(&i18n, &fields),
        Err(AppError::Conflict(code)) => Errors::one(&i18n, "username", code),
        Err(AppError::Forbidden) => Errors::one(&i18n, "token", "error-setup-token"),
        Err(e) => return crate::html::error_page(&who, &headers, &e, &crate::current_request_id()),
    };
    let page = SetupPage {
        page: Page::anonymous(i18n, "setup-title"),
        token: form.get("token").to_owned(),
        username: draft.username,
        display_name: draft.display_name,
        email: draft.email,
        errors,
    };
    render(StatusCode::UNPROCESSABLE_ENTITY, &page)
}
