//! `/csat/{token}`: the rating page a customer opens from the e-mail sent
//! when their ticket is resolved. Anonymous: the token is the credential, a
//! token that opens nothing is a plain 404.

use askama::Template;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use seam_app::AppError;
use seam_app::csat::{self, LinkState, LinkView};

use super::FormData;
use super::ledger::form_errors;
use crate::AppState;
use crate::html::{Errors, Page, locale_for, render};
use crate::i18n::I18n;
use crate::who::Requester;

#[derive(Template)]
#[template(path = "csat_link.html")]
struct LinkPage {
    page: Page,
    token: String,
    number: String,
    subject: String,
    /// `usable`, `used` or `expired`.
    state: &'static str,
    thanks: bool,
    comment: String,
    errors: Errors,
}

fn state_name(state: LinkState) -> &'static str {
    match state {
        LinkState::Usable => "usable",
        LinkState::Used => "used",
        LinkState::Expired => "expired",
    }
}

fn page(i18n: I18n, token: String, link: &LinkView, status: StatusCode, extra: Extra) -> Response {
    render(
        status,
        &LinkPage {
            page: Page::anonymous(i18n, "csat-title"),
            token,
            number: link.number.clone(),
            subject: link.subject.clone(),
            state: state_name(link.state),
            thanks: extra.thanks,
            comment: extra.comment,
            errors: extra.errors,
        },
    )
}

#[derive(Default)]
struct Extra {
    thanks: bool,
    comment: String,
    errors: Errors,
}

fn error(who: &crate::who::Who, headers: &HeaderMap, err: &AppError) -> Response {
    crate::html::error_page(who, headers, err, &crate::current_request_id())
}

pub async fn show(
    State(state): State<AppState>,
    Requester(who): Requester,
    headers: HeaderMap,
    Path(token): Path<String>,
) -> Response {
    let i18n = I18n::new(locale_for(&who, &headers));
    match csat::link(&state.app, &token).await {
        Ok(link) => {
            let status = if link.state == LinkState::Usable {
                StatusCode::OK
            } else {
                StatusCode::GONE
            };
            page(i18n, token, &link, status, Extra::default())
        }
        Err(e) => error(&who, &headers, &e),
    }
}

pub async fn submit(
    State(state): State<AppState>,
    Requester(who): Requester,
    headers: HeaderMap,
    Path(token): Path<String>,
    form: FormData,
) -> Response {
    let i18n = I18n::new(locale_for(&who, &headers));
    let comment = form.get("comment").to_owned();
    let result = csat::rate_by_link(&state.app, &token, form.get("rating"), &comment).await;
    let link = match csat::link(&state.app, &token).await {
        Ok(link) => link,
        Err(e) => return error(&who, &headers, &e),
    };
    match result {
        Ok(()) => page(
            i18n,
            token,
            &link,
            StatusCode::OK,
            Extra {
                thanks: true,
                ..Extra::default()
            },
        ),
        Err(e) => match form_errors(&i18n, &e, "rating") {
            Some((status, errors)) => page(
                i18n,
                token,
                &link,
                status,
                Extra {
                    comment,
                    errors,
                    ..Extra::default()
                },
            ),
            None => error(&who, &headers, &e),
        },
    }
}
