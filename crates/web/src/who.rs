//! Who is asking: resolved once per request from the session cookie or the
//! bearer token, then checked against the route's declared access.

use axum::extract::{FromRequestParts, Request, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};
use seam_app::auth::{self, SessionState};
use seam_app::{Actor, AppError};
use seam_domain::access::Permission;

use crate::AppState;
use crate::routes::Access;

pub const SESSION_COOKIE: &str = "seam_session";

/// The requester, as far as the server can tell.
#[derive(Debug, Clone)]
pub enum Who {
    Anonymous,
    /// A browser session; `secret` is the cookie value.
    Session {
        secret: String,
        state: Box<SessionState>,
    },
    /// An integration with an API token.
    Token(Box<Actor>),
}

impl Who {
    /// The actor allowed to act: a full session or a token.
    pub fn actor(&self) -> Option<&Actor> {
        match self {
            Who::Session { state, .. } if !state.second_factor_pending => Some(&state.actor),
            Who::Token(actor) => Some(actor),
            _ => None,
        }
    }
}

pub fn cookie_value(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.to_owned())
}

fn bearer(headers: &HeaderMap) -> Option<String> {
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.split_once(' ')?;
    scheme
        .eq_ignore_ascii_case("bearer")
        .then(|| token.trim().to_owned())
}

/// Resolves [`Who`] and stores it in the request's extensions.
pub async fn identify(State(state): State<AppState>, mut request: Request, next: Next) -> Response {
    let headers = request.headers();
    let who = if let Some(token) = bearer(headers) {
        match auth::token_actor(&state.app, &token).await {
            Ok(Some(actor)) => Who::Token(Box::new(actor)),
            Ok(None) => Who::Anonymous,
            Err(e) => return crate::error_response(&request, e),
        }
    } else if let Some(secret) = cookie_value(headers, SESSION_COOKIE) {
        match auth::session_actor(&state.app, &secret).await {
            Ok(Some(session)) => Who::Session {
                secret,
                state: Box::new(session),
            },
            Ok(None) => Who::Anonymous,
            Err(e) => return crate::error_response(&request, e),
        }
    } else {
        Who::Anonymous
    };
    request.extensions_mut().insert(who);
    next.run(request).await
}

/// Whether `who` may use a route declared with `access`.
pub fn check(access: Access, who: &Who) -> Result<(), AppError> {
    match access {
        Access::Public => Ok(()),
        Access::SecondFactorPending => match who {
            Who::Session { state, .. } if state.second_factor_pending => Ok(()),
            _ => Err(AppError::Unauthenticated),
        },
        Access::Authenticated => who.actor().map(|_| ()).ok_or(AppError::Unauthenticated),
        Access::Staff => match who.actor() {
            None => Err(AppError::Unauthenticated),
            Some(actor) if actor.kind == seam_app::UserKind::Staff => Ok(()),
            Some(_) => Err(AppError::Forbidden),
        },
        Access::Permission(permission) => permission_check(who, permission),
        Access::AnyOf(permissions) => {
            let actor = who.actor().ok_or(AppError::Unauthenticated)?;
            if permissions.iter().any(|p| actor.may(*p)) {
                Ok(())
            } else {
                Err(AppError::Forbidden)
            }
        }
    }
}

fn permission_check(who: &Who, permission: Permission) -> Result<(), AppError> {
    let actor = who.actor().ok_or(AppError::Unauthenticated)?;
    actor.require(permission)
}

/// The per-route guard: refuses before the handler runs.
pub async fn guard(State(access): State<Access>, request: Request, next: Next) -> Response {
    let who = request
        .extensions()
        .get::<Who>()
        .cloned()
        .unwrap_or(Who::Anonymous);
    match check(access, &who) {
        Ok(()) => next.run(request).await,
        Err(AppError::Unauthenticated) if !crate::is_api(&request) => {
            let target = request
                .uri()
                .path_and_query()
                .map(|p| p.as_str())
                .unwrap_or("/");
            let next_param = serde_urlencoded::to_string([("next", target)]).unwrap_or_default();
            Redirect::to(&format!("/login?{next_param}")).into_response()
        }
        Err(e) => crate::error_response(&request, e),
    }
}

/// The acting user of a request that passed its guard.
pub struct CurrentActor(pub Actor);

impl<S: Send + Sync> FromRequestParts<S> for CurrentActor {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        match parts.extensions.get::<Who>().and_then(Who::actor) {
            Some(actor) => Ok(CurrentActor(actor.clone())),
            None => Err(axum::http::StatusCode::UNAUTHORIZED.into_response()),
        }
    }
}

/// The requester, whoever they are (for pages that also serve anonymous users).
pub struct Requester(pub Who);

impl<S: Send + Sync> FromRequestParts<S> for Requester {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        Ok(Requester(
            parts
                .extensions
                .get::<Who>()
                .cloned()
                .unwrap_or(Who::Anonymous),
        ))
    }
}
