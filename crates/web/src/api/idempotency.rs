//! `Idempotency-Key` on API POSTs: the first request with a key runs and its
//! response is stored; a retry with the same key and body gets that response
//! back and runs nothing. The same key with a different body is refused.

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use seam_app::idempotency::{self, Reservation};
use sha2::{Digest, Sha256};

use super::problem::Problem;
use crate::who::Who;
use crate::{AppState, REQUEST_BODY_BYTES_MAX};

pub const IDEMPOTENCY_KEY: &str = "idempotency-key";
const KEY_CHARS_MAX: usize = 255;

pub async fn idempotent_posts(
    State(state): State<AppState>,
    request: Request,
    next: Next,
) -> Response {
    let key = request
        .headers()
        .get(IDEMPOTENCY_KEY)
        .map(|v| v.to_str().map(str::to_owned));
    let actor = request
        .extensions()
        .get::<Who>()
        .and_then(Who::actor)
        .filter(|a| a.user_id.is_some())
        .cloned();
    let (Some(key), Some(actor), true, true) = (
        key,
        actor,
        request.method() == Method::POST,
        crate::is_api(&request),
    ) else {
        return next.run(request).await;
    };
    let request_id = crate::request_id(&request);
    let key = match key {
        Ok(k) if !k.is_empty() && k.len() <= KEY_CHARS_MAX => k,
        _ => {
            let mut p = Problem::new(
                StatusCode::BAD_REQUEST,
                "idempotency-key",
                "Idempotency-Key must be 1 to 255 visible characters",
                &request_id,
            );
            p.detail = Some("Use a fresh random value (a UUID) per logical request.".to_owned());
            return p.into_response();
        }
    };
    let (parts, body) = request.into_parts();
    let Ok(bytes) = axum::body::to_bytes(body, REQUEST_BODY_BYTES_MAX).await else {
        return Problem::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "too-large",
            "The request body is too large",
            &request_id,
        )
        .into_response();
    };
    let mut hasher = Sha256::new();
    hasher.update(parts.method.as_str().as_bytes());
    hasher.update(parts.uri.to_string().as_bytes());
    hasher.update(&bytes);
    let request_hash = hex::encode(hasher.finalize());
    let reservation = idempotency::reserve(&state.app, &actor, &key, &request_hash).await;
    match reservation {
        Ok(Reservation::Fresh) => {}
        Ok(Reservation::Replay {
            status,
            content_type,
            body,
        }) => {
            let status = StatusCode::from_u16(status).unwrap_or(StatusCode::OK);
            let mut response = (status, body).into_response();
            if let Ok(v) = HeaderValue::from_str(&content_type) {
                response.headers_mut().insert(header::CONTENT_TYPE, v);
            }
            response
                .headers_mut()
                .insert("idempotent-replayed", HeaderValue::from_static("true"));
            return response;
        }
        Ok(Reservation::Mismatch) => {
            return Problem::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "idempotency-key-reused",
                "This Idempotency-Key was used for a different request",
                &request_id,
            )
            .into_response();
        }
        Ok(Reservation::InProgress) => {
            return Problem::new(
                StatusCode::CONFLICT,
                "idempotency-in-progress",
                "The first request with this Idempotency-Key is still running",
                &request_id,
            )
            .into_response();
        }
        Err(e) => return Problem::from_app_error(&e, &request_id).into_response(),
    }
    let response = next
        .run(Request::from_parts(parts, Body::from(bytes)))
        .await;
    let (parts, body) = response.into_parts();
    let Ok(bytes) = axum::body::to_bytes(body, REQUEST_BODY_BYTES_MAX).await else {
        let _ = idempotency::release(&state.app, &actor, &key).await;
        return StatusCode::INTERNAL_SERVER_ERROR.into_response();
    };
    let stored = if parts.status.is_server_error() {
        // A server failure is not an answer: free the key so the client may retry.
        idempotency::release(&state.app, &actor, &key).await
    } else {
        let content_type = parts
            .headers
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("");
        idempotency::complete(
            &state.app,
            &actor,
            &key,
            parts.status.as_u16(),
            content_type,
            &String::from_utf8_lossy(&bytes),
        )
        .await
    };
    if let Err(e) = stored {
        tracing::error!(error = %e, "could not store the idempotent response");
    }
    Response::from_parts(parts, Body::from(bytes))
}
