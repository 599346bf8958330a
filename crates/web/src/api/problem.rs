//! RFC 9457 problem details: how the API says what went wrong.

use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use seam_app::AppError;
use seam_domain::FieldErrors;
use seam_domain::locale::Locale;
use serde::Serialize;
use utoipa::ToSchema;

use crate::i18n::I18n;

/// One bad field of a request.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct FieldProblem {
    /// The field, as named in the request (`email`, `tags[2]`).
    pub field: String,
    /// A stable code to branch on (`error-email`).
    pub code: String,
    /// The same in English words.
    pub message: String,
}

/// An error response (`application/problem+json`).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Problem {
    /// A URI naming the kind of problem.
    #[serde(rename = "type")]
    pub kind: String,
    pub title: String,
    pub status: u16,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
    /// Quote this when reporting the problem; the server's log has the details.
    pub request_id: String,
    /// One entry per bad field.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<FieldProblem>,
}

fn english(code: &str) -> String {
    I18n::new(Locale::En).t(code)
}

impl Problem {
    pub fn new(status: StatusCode, kind: &str, title: &str, request_id: &str) -> Problem {
        Problem {
            kind: format!("https://seam.invalid/problems/{kind}"),
            title: title.to_owned(),
            status: status.as_u16(),
            detail: None,
            request_id: request_id.to_owned(),
            errors: Vec::new(),
        }
    }

    pub fn invalid(fields: &FieldErrors, request_id: &str) -> Problem {
        let mut p = Problem::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid",
            "The request has invalid fields",
            request_id,
        );
        p.errors = fields
            .iter()
            .map(|e| FieldProblem {
                field: e.field.clone(),
                code: e.code.to_owned(),
                message: I18n::new(Locale::En).t_args(e.code, &e.args),
            })
            .collect();
        p
    }

    pub fn from_app_error(err: &AppError, request_id: &str) -> Problem {
        match err {
            AppError::Unauthenticated => Problem::new(
                StatusCode::UNAUTHORIZED,
                "unauthenticated",
                "A valid bearer token is required",
                request_id,
            ),
            AppError::Forbidden => Problem::new(
                StatusCode::FORBIDDEN,
                "forbidden",
                "This token may not do that",
                request_id,
            ),
            AppError::NotFound => Problem::new(
                StatusCode::NOT_FOUND,
                "not-found",
                "No such resource",
                request_id,
            ),
            AppError::Invalid(fields) => Problem::invalid(fields, request_id),
            AppError::Conflict(code) => {
                let mut p = Problem::new(
                    StatusCode::CONFLICT,
                    code.trim_start_matches("error-"),
                    "Conflict with the current state",
                    request_id,
                );
                p.detail = Some(english(code));
                p
            }
            AppError::Locked { .. } => Problem::new(
                StatusCode::TOO_MANY_REQUESTS,
                "locked",
                "Too many failed attempts",
                request_id,
            ),
            AppError::Internal(_) => Problem::new(
                StatusCode::INTERNAL_SERVER_ERROR,
                "internal",
                "Internal error",
                request_id,
            ),
        }
    }
}

impl IntoResponse for Problem {
    fn into_response(self) -> Response {
        let status = StatusCode::from_u16(self.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let body = serde_json::to_string(&self).unwrap_or_else(|_| "{}".to_owned());
        (
            status,
            [(header::CONTENT_TYPE, "application/problem+json")],
            body,
        )
            .into_response()
    }
}
