//! The CSS and JavaScript the pages use, compiled into the binary: nothing is
//! fetched from elsewhere, so Seam works offline and under a strict CSP.

use axum::extract::Path;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};

/// (name, content type, bytes).
const ASSETS: &[(&str, &str, &[u8])] = &[
    (
        "seam.css",
        "text/css; charset=utf-8",
        include_bytes!("../assets/seam.css"),
    ),
    (
        "seam.js",
        "text/javascript; charset=utf-8",
        include_bytes!("../assets/seam.js"),
    ),
    (
        "htmx.min.js",
        "text/javascript; charset=utf-8",
        include_bytes!("../assets/htmx.min.js"),
    ),
];

/// Changes with every release, so browsers fetch new assets after an upgrade.
pub const ASSET_VERSION: &str = env!("CARGO_PKG_VERSION");

pub async fn asset(Path(file): Path<String>) -> Response {
    match ASSETS.iter().find(|(name, _, _)| *name == file) {
        Some((_, content_type, bytes)) => (
            [
                (header::CONTENT_TYPE, *content_type),
                (header::CACHE_CONTROL, "public, max-age=86400"),
            ],
            *bytes,
        )
            .into_response(),
        None => (
            StatusCode::NOT_FOUND,
            [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
            "not found",
        )
            .into_response(),
    }
}
