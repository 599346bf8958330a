//! Seam's web face: server-rendered HTML pages (htmx for the interactive
//! bits), the JSON API under `/api/v1` with its OpenAPI document, and the
//! operational endpoints. Each handler takes the acting user from the session
//! or the bearer token and calls one `seam_app` function.
//!
//! Invariant: every route is declared with its access in [`routes::routes`];
//! the router is built from that table, and a test walks it for every role.
//! Invariant: no handler reads the acting user from the request body or query string.
//! Invariant: responses carry an explicit content type and a strict CSP; no inline script.
#![deny(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::todo,
    clippy::await_holding_lock
)]
// Tests state their expectations with unwrap and indexing; a panic there is a failed test.
#![cfg_attr(
    test,
    allow(
        clippy::unwrap_used,
        clippy::expect_used,
        clippy::panic,
        clippy::indexing_slicing
    )
)]

pub mod api;
pub mod assets;
pub mod html;
pub mod i18n;
pub mod ops;
pub mod pages;
pub mod routes;
pub mod who;

use std::net::SocketAddr;
use std::time::Duration;

use axum::Router;
use axum::extract::Request;
use axum::http::{HeaderName, HeaderValue, StatusCode, header};
use axum::middleware;
use axum::response::{IntoResponse, Response};
use seam_app::{App, AppError};
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::request_id::{
    MakeRequestUuid, PropagateRequestIdLayer, RequestId, SetRequestIdLayer,
};
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::TraceLayer;

/// Request bodies above this are refused with 413 before they are read.
pub const REQUEST_BODY_BYTES_MAX: usize = 10 * 1024 * 1024;
/// The routes that take files (ticket replies) or e-mail take up to this:
/// room for a file at the attachment limit and the form around it, so an
/// oversized file gets a field error rather than a bare 413.
pub const UPLOAD_BODY_BYTES_MAX: usize = 32 * 1024 * 1024;
/// A request taking longer than this is answered with 408 and its work dropped.
pub const REQUEST_TIMEOUT: Duration = Duration::from_secs(30);

/// No inline script or style anywhere; htmx's injected styles are turned off in the layout.
const CONTENT_SECURITY_POLICY: &str = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; \
     form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'";

/// How the web server behaves.
#[derive(Debug, Clone, Default)]
pub struct WebConfig {
    /// Mark cookies `Secure` (set when Seam is served over HTTPS).
    pub secure_cookies: bool,
}

/// What every handler can reach.
#[derive(Clone)]
pub struct AppState {
    pub app: App,
    pub config: WebConfig,
}

static REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

/// The whole application as one axum router.
pub fn router(app: App, config: WebConfig) -> Router {
    let state = AppState { app, config };
    let mut router: Router<AppState> = Router::new();
    for r in routes::routes() {
        // Each route's own body limit; the layer outside all routes allows
        // the largest, so the smaller one here decides.
        let guarded = r
            .handler
            .layer(axum::extract::DefaultBodyLimit::max(r.body_bytes_max))
            .route_layer(RequestBodyLimitLayer::new(r.body_bytes_max))
            .route_layer(middleware::from_fn_with_state(r.access, who::guard));
        router = router.route(r.path, guarded);
    }
    router
        .fallback(not_found)
        .layer(middleware::from_fn_with_state(state.clone(), api::idempotency::idempotent_posts))
        .layer(middleware::from_fn_with_state(state.clone(), who::identify))
        .layer(middleware::from_fn(ops::record_metrics))
        .layer(middleware::from_fn(scope_request_id))
        .layer(tower_http::csrf::CsrfLayer::new())
        .layer(RequestBodyLimitLayer::new(UPLOAD_BODY_BYTES_MAX))
        .layer(TimeoutLayer::with_status_code(StatusCode::REQUEST_TIMEOUT, REQUEST_TIMEOUT))
        .layer(SetResponseHeaderLayer::overriding(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(CONTENT_SECURITY_POLICY),
        ))
        .layer(SetResponseHeaderLayer::overriding(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff")))
        .layer(SetResponseHeaderLayer::overriding(header::REFERRER_POLICY, HeaderValue::from_static("same-origin")))
        .layer(SetResponseHeaderLayer::overriding(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY")))
        .layer(CatchPanicLayer::custom(panic_response))
        .layer(PropagateRequestIdLayer::new(REQUEST_ID.clone()))
        .layer(TraceLayer::new_for_http().make_span_with(|request: &Request| {
            let id = request.headers().get(&REQUEST_ID).and_then(|v| v.to_str().ok()).unwrap_or("-");
            tracing::info_span!("request", method = %request.method(), path = %request.uri().path(), request_id = %id)
        }))
        .layer(SetRequestIdLayer::new(REQUEST_ID.clone(), MakeRequestUuid))
        .with_state(state)
}

fn panic_response(_: Box<dyn std::any::Any + Send + 'static>) -> Response {
    tracing::error!("a request handler panicked");
    (
        StatusCode::INTERNAL_SERVER_ERROR,
        [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
        "internal error",
    )
        .into_response()
}

async fn not_found(request: Request) -> Response {
    error_response(&request, AppError::NotFound)
}

/// True for the JSON API, which answers in problem+json rather than pages.
pub fn is_api(request: &Request) -> bool {
    request.uri().path().starts_with("/api/")
}

tokio::task_local! {
    static CURRENT_REQUEST_ID: String;
}

/// Makes the request id readable anywhere in the handler's task, so every
/// error page and problem body can show the id the log lines carry.
async fn scope_request_id(request: Request, next: middleware::Next) -> Response {
    let id = request_id(&request);
    CURRENT_REQUEST_ID.scope(id, next.run(request)).await
}

/// The id of the request being handled ("-" outside a request).
pub fn current_request_id() -> String {
    CURRENT_REQUEST_ID
        .try_with(Clone::clone)
        .unwrap_or_else(|_| "-".to_owned())
}

/// The request id the client can quote when reporting a problem.
pub fn request_id(request: &Request) -> String {
    request
        .extensions()
        .get::<RequestId>()
        .and_then(|id| id.header_value().to_str().ok())
        .or_else(|| {
            request
                .headers()
                .get(&REQUEST_ID)
                .and_then(|v| v.to_str().ok())
        })
        .unwrap_or("-")
        .to_owned()
}

/// Turns a use-case error into a problem+json (API) or an error page (HTML).
pub fn error_response(request: &Request, err: AppError) -> Response {
    let id = request_id(request);
    if let AppError::Internal(e) = &err {
        tracing::error!(request_id = %id, error = %e, "internal error");
    }
    if is_api(request) {
        api::problem::Problem::from_app_error(&err, &id).into_response()
    } else {
        let who = request
            .extensions()
            .get::<who::Who>()
            .cloned()
            .unwrap_or(who::Who::Anonymous);
        html::error_page(&who, request.headers(), &err, &id)
    }
}

/// Serves until Ctrl-C or SIGTERM, then lets requests in flight finish.
pub async fn serve(app: App, listen: SocketAddr, config: WebConfig) -> anyhow::Result<()> {
    ops::install_metrics();
    let listener = tokio::net::TcpListener::bind(listen).await?;
    tracing::info!(%listen, "serving");
    // The peer's address reaches handlers that need it (the lead form's rate limit).
    let service = router(app, config).into_make_service_with_connect_info::<SocketAddr>();
    axum::serve(listener, service)
        .with_graceful_shutdown(shutdown_signal())
        .await?;
    tracing::info!("stopped");
    Ok(())
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
}
