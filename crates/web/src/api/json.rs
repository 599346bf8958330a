//! Reading JSON request bodies so that every mistake is reported by field:
//! unknown fields, wrong types and malformed JSON alike.

use axum::extract::{FromRequest, Request};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use seam_domain::FieldErrors;
use serde::de::DeserializeOwned;

use super::problem::Problem;

/// A type whose JSON form has exactly these field names.
pub trait KnownFields {
    const FIELDS: &'static [&'static str];
}

/// A JSON body of type `T`, or a problem+json naming each bad field.
pub struct ApiJson<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned + KnownFields> FromRequest<S> for ApiJson<T> {
    type Rejection = Response;

    async fn from_request(request: Request, state: &S) -> Result<Self, Self::Rejection> {
        let request_id = crate::request_id(&request);
        let is_json = request
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.starts_with("application/json") || v.contains("+json"));
        if !is_json {
            let mut p = Problem::new(
                axum::http::StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "unsupported-media-type",
                "Send application/json",
                &request_id,
            );
            p.detail = Some("The Content-Type header must be application/json.".to_owned());
            return Err(p.into_response());
        }
        let bytes = axum::body::Bytes::from_request(request, state)
            .await
            .map_err(IntoResponse::into_response)?;
        parse(&bytes)
            .map(ApiJson)
            .map_err(|fields| Problem::invalid(&fields, &request_id).into_response())
    }
}

/// Parses `bytes` as a `T`, reporting unknown fields and type errors by name.
pub fn parse<T: DeserializeOwned + KnownFields>(bytes: &[u8]) -> Result<T, FieldErrors> {
    let value: serde_json::Value =
        serde_json::from_slice(bytes).map_err(|_| FieldErrors::one("body", "error-json"))?;
    let Some(object) = value.as_object() else {
        return Err(FieldErrors::one("body", "error-json-object"));
    };
    let mut errors = FieldErrors::new();
    for key in object.keys() {
        if !T::FIELDS.contains(&key.as_str()) {
            errors.add(key, "error-unknown-field");
        }
    }
    errors.into_result(())?;
    serde_path_to_error::deserialize(value).map_err(|e| {
        let path = e.path().to_string();
        let field = if path == "." { "body".to_owned() } else { path };
        FieldErrors::one(&field, "error-json-type")
    })
}
