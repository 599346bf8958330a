//! A user's own settings: language and time zone, password, second factor, API tokens.

use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use seam_app::tokens::TokenRow;
use seam_app::{Actor, AppError, UserKind, tokens, users};
use seam_domain::FieldErrors;
use seam_domain::access::Permission;
use seam_domain::ids::TokenId;
use seam_domain::locale::Locale;

use super::FormData;
use crate::AppState;
use crate::html::{Errors, Page, redirect_with_flash, render};
use crate::who::{CurrentActor, Requester, Who};

pub struct LanguageChoice {
    pub tag: &'static str,
    pub name: &'static str,
    pub selected: bool,
}

pub struct ScopeChoice {
    pub name: &'static str,
}

pub struct TokenLine {
    pub row: TokenRow,
    pub created: String,
    pub last_used: String,
}

#[derive(Template)]
#[template(path = "settings.html")]
struct SettingsPage {
    page: Page,
    languages: Vec<LanguageChoice>,
    time_zone: String,
    second_factor_on: bool,
    new_secret: String,
    new_secret_url: String,
    tokens: Vec<TokenLine>,
    scopes: Vec<ScopeChoice>,
    created_token: String,
    errors: Errors,
    is_staff: bool,
}

/// What the page shows besides the settings themselves.
#[derive(Default)]
struct Extra {
    errors: FieldErrors,
    created_token: String,
}

async fn settings_response(
    state: &AppState,
    who: &Who,
    actor: &Actor,
    extra: Extra,
    status: StatusCode,
) -> Response {
    let user = match users::me(&state.app, actor).await {
        Ok(u) => u,
        Err(e) => {
            return crate::html::fail(who, &e);
        }
    };
    let page = Page::new(state, who, "settings-title", "/settings").await;
    let languages = Locale::ALL
        .into_iter()
        .map(|l| LanguageChoice {
            tag: l.tag(),
            name: l.native_name(),
            selected: l == actor.locale,
        })
        .collect();
    let (new_secret, new_secret_url) = users::new_second_factor(actor);
    let tokens = match tokens::my_tokens(&state.app, actor).await {
        Ok(rows) => rows
            .into_iter()
            .map(|row| TokenLine {
                created: page.i18n.timestamp(&row.created_at_us, &page.time_zone),
                last_used: row
                    .last_used_at_us
                    .map(|t| page.i18n.timestamp(&t, &page.time_zone))
                    .unwrap_or_default(),
                row,
            })
            .collect(),
        Err(_) => Vec::new(),
    };
    let scopes = actor
        .grants
        .iter()
        .filter(|p| *p != Permission::PortalUse)
        .map(|p| ScopeChoice { name: p.name() })
        .collect();
    let errors = Errors::new(&page.i18n, &extra.errors);
    let template = SettingsPage {
        languages,
        time_zone: actor.time_zone.clone(),
        second_factor_on: user.totp_secret.is_some(),
        new_secret,
        new_secret_url,
        tokens,
        scopes,
        created_token: extra.created_token,
        errors,
        is_staff: actor.kind == UserKind::Staff,
        page,
    };
    render(status, &template)
}

pub async fn settings_page(
    State(state): State<AppState>,
    Requester(who): Requester,
    CurrentActor(actor): CurrentActor,
) -> Response {
    settings_response(&state, &who, &actor, Extra::default(), StatusCode::OK).await
}

/// After a settings form: back with a message, or the page with the errors next to their fields.
async fn after(
    state: &AppState,
    who: &Who,
    actor: &Actor,
    result: Result<(), AppError>,
    flash: &str,
) -> Response {
    match result {
        Ok(()) => redirect_with_flash(state, who, "/settings", flash).await,
        Err(AppError::Invalid(fields)) => {
            let extra = Extra {
                errors: fields,
                ..Extra::default()
            };
            settings_response(state, who, actor, extra, StatusCode::UNPROCESSABLE_ENTITY).await
        }
        Err(e) => crate::html::fail(who, &e),
    }
}

pub async fn save_preferences(
    State(state): State<AppState>,
    Requester(who): Requester,
    CurrentActor(actor): CurrentActor,
    form: FormData,
) -> Response {
    let result = users::set_preferences(
        &state.app,
        &actor,
        form.get("locale"),
        form.get("time_zone"),
    )
    .await;
    after(&state, &who, &actor, result, "flash-preferences-saved").await
}

pub async fn change_password(
    State(state): State<AppState>,
    Requester(who): Requester,
    CurrentActor(actor): CurrentActor,
    form: FormData,
) -> Response {
    let result = users::change_own_password(
        &state.app,
        &actor,
        form.get("current_password"),
        form.get("new_password"),
    )
    .await;
    after(&state, &who, &actor, result, "flash-password-changed").await
}

pub async fn enable_second_factor(
    State(state): State<AppState>,
    Requester(who): Requester,
    CurrentActor(actor): CurrentActor,
    form: FormData,
) -> Response {
    let result =
        users::enable_second_factor(&state.app, &actor, form.get("secret"), form.get("code")).await;
    after(&state, &who, &actor, result, "flash-second-factor-on").await
}

pub async fn disable_second_factor(
    State(state): State<AppState>,
    Requester(who): Requester,
    CurrentActor(actor): CurrentActor,
    form: FormData,
) -> Response {
    let result = users::disable_second_factor(&state.app, &actor, form.get("password")).await;
    after(&state, &who, &actor, result, "flash-second-factor-off").await
}

pub async fn create_token(
    State(state): State<AppState>,
    Requester(who): Requester,
    CurrentActor(actor): CurrentActor,
    form: FormData,
) -> Response {
    let Some(owner) = actor.user_id else {
        return crate::html::fail(&who, &AppError::Unauthenticated);
    };
    let scopes: Vec<Permission> = form
        .all("scopes")
        .into_iter()
        .filter_map(Permission::parse)
        .collect();
    match tokens::create_token(&state.app, &actor, owner, form.get("name"), &scopes).await {
        Ok((_, secret)) => {
            let extra = Extra {
                created_token: secret,
                ..Extra::default()
            };
            settings_response(&state, &who, &actor, extra, StatusCode::OK).await
        }
        Err(e) => after(&state, &who, &actor, Err(e), "").await,
    }
}

pub async fn revoke_token(
    State(state): State<AppState>,
    Requester(who): Requester,
    CurrentActor(actor): CurrentActor,
    Path(id): Path<i64>,
) -> Response {
    let result = tokens::revoke_token(&state.app, &actor, TokenId(id)).await;
    after(&state, &who, &actor, result, "flash-token-revoked").await
}
