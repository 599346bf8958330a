//! HTML pages: one module per capability, each handler calling one `seam_app` use case.

pub mod appointments;
pub mod audit;
pub mod auth;
pub mod crm;
pub mod csat;
pub mod helpdesk;
pub mod home;
pub mod hr;
pub mod invoices;
pub mod it;
pub mod knowledge;
pub mod ledger;
pub mod marketing;
pub mod notifications;
pub mod parties;
pub mod payments;
pub mod payroll;
pub mod portal;
pub mod portal_kb;
pub mod portal_tickets;
pub mod price_lists;
pub mod products;
pub mod quotes;
pub mod receivables;
pub mod reception;
pub mod reports;
pub mod sales;
pub mod service;
pub mod settings;
pub mod sla;
pub mod stock;
pub mod ticket_files;
pub mod users;

use axum::extract::{FromRequest, FromRequestParts, Path, Request};
use axum::http::request::Parts;
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use seam_app::AppError;

use crate::WebConfig;
use crate::who::SESSION_COOKIE;

/// A submitted HTML form as name/value pairs. Reading a form this way never
/// fails on a missing or extra field; the use case reports what is wrong, by field.
pub struct FormData(pub Vec<(String, String)>);

impl FormData {
    pub fn get(&self, name: &str) -> &str {
        self.0
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
            .unwrap_or("")
    }

    pub fn all(&self, name: &str) -> Vec<&str> {
        self.0
            .iter()
            .filter(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
            .collect()
    }

    pub fn checked(&self, name: &str) -> bool {
        matches!(self.get(name), "on" | "true" | "1" | "yes")
    }
}

impl<S: Send + Sync> FromRequest<S> for FormData {
    type Rejection = Response;

    async fn from_request(request: Request, state: &S) -> Result<Self, Self::Rejection> {
        let bytes = axum::body::Bytes::from_request(request, state)
            .await
            .map_err(IntoResponse::into_response)?;
        match serde_urlencoded::from_bytes::<Vec<(String, String)>>(&bytes) {
            Ok(pairs) => Ok(FormData(pairs)),
            Err(_) => Err((
                axum::http::StatusCode::BAD_REQUEST,
                [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
                "the form could not be read",
            )
                .into_response()),
        }
    }
}

/// A numeric `{id}` path segment. Anything else names no record, so it is
/// answered like a missing one: a 404 page, or a problem+json under `/api/`.
pub struct IdPath(pub i64);

impl<S: Send + Sync> FromRequestParts<S> for IdPath {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let Path(text) = Path::<String>::from_request_parts(parts, state)
            .await
            .map_err(IntoResponse::into_response)?;
        text.parse::<i64>().map(IdPath).map_err(|_| {
            let request_id = crate::current_request_id();
            if parts.uri.path().starts_with("/api/") {
                crate::api::problem::Problem::from_app_error(&AppError::NotFound, &request_id)
                    .into_response()
            } else {
                let who = parts
                    .extensions
                    .get::<crate::who::Who>()
                    .cloned()
                    .unwrap_or(crate::who::Who::Anonymous);
                crate::html::error_page(&who, &parts.headers, &AppError::NotFound, &request_id)
            }
        })
    }
}

/// The session cookie: HttpOnly (no script reads it), SameSite=Lax (not sent on cross-site posts).
pub fn session_cookie(config: &WebConfig, secret: &str, max_age_s: u64) -> HeaderValue {
    let secure = if config.secure_cookies {
        "; Secure"
    } else {
        ""
    };
    HeaderValue::from_str(&format!(
        "{SESSION_COOKIE}={secret}; Path=/; HttpOnly; SameSite=Lax; Max-Age={max_age_s}{secure}"
    ))
    .unwrap_or_else(|_| HeaderValue::from_static("seam_session=; Path=/; Max-Age=0"))
}

pub fn clear_session_cookie() -> HeaderValue {
    HeaderValue::from_static("seam_session=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0")
}

/// A query string of the pairs whose value is not empty, for the page links
/// of a filtered list (`q=acme&cursor=…`).
pub fn query_string(pairs: &[(&str, &str)]) -> String {
    let kept: Vec<(&str, &str)> = pairs
        .iter()
        .copied()
        .filter(|(_, v)| !v.is_empty())
        .collect();
    serde_urlencoded::to_string(kept).unwrap_or_default()
}

/// The `status` filter of a list: `archived`, `all`, or active by default.
pub fn archive_filter(status: &str) -> seam_app::parties::ArchiveFilter {
    use seam_app::parties::ArchiveFilter;
    match status {
        "archived" => ArchiveFilter::Archived,
        "all" => ArchiveFilter::All,
        _ => ArchiveFilter::Active,
    }
}

/// Only local paths are followed after login, so a link cannot send a user elsewhere.
pub fn safe_next(next: &str) -> &str {
    if next.starts_with('/') && !next.starts_with("//") && !next.starts_with("/\\") {
        next
    } else {
        "/"
    }
}
