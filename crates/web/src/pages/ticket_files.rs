//! A ticket's files and e-mails on the pages: the reply forms' uploads
//! (multipart, or a plain form when nothing is attached), downloads for staff
//! and for the portal (the use case decides who sees which file), the raw
//! e-mail for staff, and the replacement shipment form.

use axum::extract::{FromRequest, Multipart, Request, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use seam_app::fulfilment::ReplacementInput;
use seam_app::service::{self, Upload};
use seam_app::ticket_mail;

use super::{FormData, IdPath};
use crate::AppState;
use crate::html::{fail, redirect_with_flash};
use crate::who::{CurrentActor, Requester};

/// A reply form: its text fields and its files (the `attachments` field).
pub struct ReplyForm {
    pub form: FormData,
    pub uploads: Vec<Upload>,
}

impl<S: Send + Sync> FromRequest<S> for ReplyForm {
    type Rejection = Response;

    async fn from_request(request: Request, state: &S) -> Result<Self, Self::Rejection> {
        let multipart = request
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.starts_with("multipart/form-data"));
        if !multipart {
            let form = FormData::from_request(request, state).await?;
            return Ok(ReplyForm {
                form,
                uploads: Vec::new(),
            });
        }
        let mut multipart = Multipart::from_request(request, state)
            .await
            .map_err(IntoResponse::into_response)?;
        let unreadable = |e: axum::extract::multipart::MultipartError| {
            (e.status(), "the form could not be read").into_response()
        };
        let mut pairs = Vec::new();
        let mut uploads = Vec::new();
        while let Some(field) = multipart.next_field().await.map_err(unreadable)? {
            let name = field.name().unwrap_or_default().to_owned();
            match field.file_name().map(str::to_owned) {
                Some(file_name) => {
                    let content = field.bytes().await.map_err(unreadable)?;
                    // A file input left empty still sends a part without a name.
                    if !(file_name.is_empty() && content.is_empty()) {
                        uploads.push(Upload {
                            file_name,
                            content: content.to_vec(),
                        });
                    }
                }
                None => pairs.push((name, field.text().await.map_err(unreadable)?)),
            }
        }
        Ok(ReplyForm {
            form: FormData(pairs),
            uploads,
        })
    }
}

/// A file for the browser to save, never to show in place. The name goes as
/// ASCII in `filename` and whole (UTF-8, percent-encoded) in `filename*`.
pub(crate) fn download(content_type: &str, file_name: &str, body: Vec<u8>) -> Response {
    let ascii: String = file_name
        .chars()
        .map(|c| {
            if c.is_ascii_graphic() || c == ' ' {
                c
            } else {
                '_'
            }
        })
        .filter(|c| *c != '"' && *c != '\\')
        .collect();
    let encoded: String = file_name
        .bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
                char::from(b).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect();
    let disposition = format!("attachment; filename=\"{ascii}\"; filename*=UTF-8''{encoded}");
    let content_type = if content_type.is_ascii() && !content_type.is_empty() {
        content_type.to_owned()
    } else {
        "application/octet-stream".to_owned()
    };
    (
        StatusCode::OK,
        [
            (header::CONTENT_TYPE, content_type),
            (header::CONTENT_DISPOSITION, disposition),
            (header::CACHE_CONTROL, "private, no-store".to_owned()),
        ],
        body,
    )
        .into_response()
}

/// `GET /service/attachments/{id}` and `/portal/attachments/{id}`: the same
/// use case, which leaves internal notes' files and other customers' out.
pub async fn attachment(
    State(state): State<AppState>,
    Requester(who): Requester,
    CurrentActor(actor): CurrentActor,
    IdPath(id): IdPath,
) -> Response {
    match ticket_mail::attachment(&state.app, &actor, id).await {
        Ok((row, content)) => download(&row.content_type, &row.file_name, content),
        Err(e) => fail(&who, &e),
    }
}

/// `GET /service/mail/{id}`: an ingested e-mail as it arrived.
pub async fn raw_mail(
    State(state): State<AppState>,
    Requester(who): Requester,
    CurrentActor(actor): CurrentActor,
    IdPath(id): IdPath,
) -> Response {
    match ticket_mail::raw_mail(&state.app, &actor, id).await {
        Ok((row, raw)) => download("message/rfc822", &format!("email-{}.eml", row.id), raw),
        Err(e) => fail(&who, &e),
    }
}

/// The replacement form's lines: `qty_N` for order line N; empty or zero
/// quantities are lines not chosen.
pub fn replacement_input(form: &FormData) -> Result<ReplacementInput, String> {
    let mut lines = Vec::new();
    for (name, value) in &form.0 {
        let Some(line) = name.strip_prefix("qty_") else {
            continue;
        };
        let value = value.trim();
        if value.is_empty() || value == "0" {
            continue;
        }
        let (Ok(line_no), Ok(qty)) = (line.parse::<i64>(), value.parse::<i64>()) else {
            return Err(name.clone());
        };
        lines.push((line_no, qty));
    }
    Ok(ReplacementInput {
        lines,
        tracking_reference: form.get("tracking_reference").to_owned(),
    })
}

/// `POST /service/tickets/{id}/replacement`.
pub async fn replacement(
    State(state): State<AppState>,
    Requester(who): Requester,
    CurrentActor(actor): CurrentActor,
    IdPath(id): IdPath,
    form: FormData,
) -> Response {
    let result = match replacement_input(&form) {
        Ok(input) => service::replace_from_ticket(&state.app, &actor, id, &input)
            .await
            .map(|_| ()),
        Err(field) => Err(seam_app::AppError::Invalid(seam_domain::FieldErrors::one(
            &field,
            "error-qty-whole",
        ))),
    };
    match result {
        Ok(()) => {
            redirect_with_flash(
                &state,
                &who,
                &format!("/service/tickets/{id}"),
                "ticket-replaced",
            )
            .await
        }
        Err(e) => super::service::after_replacement_error(&state, &who, &actor, id, &e).await,
    }
}
