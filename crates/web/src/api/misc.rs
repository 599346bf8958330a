//! `/api/v1/me`, global search, the event outbox and the audit check.

use axum::Json;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Response};
use seam_app::audit::{self, ChainBreak};
use seam_app::{UserKind, notifications, parties};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::problem::Problem;
use super::rfc3339;
use crate::AppState;
use crate::who::CurrentActor;

/// The caller, as the server sees them.
#[derive(Debug, Serialize, ToSchema)]
pub struct Me {
    pub username: String,
    pub display_name: String,
    /// `staff` or `portal`.
    pub kind: String,
    pub roles: Vec<String>,
    /// What this session or token may do.
    pub permissions: Vec<String>,
    pub locale: String,
    pub time_zone: String,
}

/// Who am I, and what may I do?
#[utoipa::path(get, path = "/api/v1/me", tag = "account", responses((status = 200, body = Me), (status = 401, body = Problem)), security(("bearer" = [])))]
pub async fn me(CurrentActor(actor): CurrentActor) -> Response {
    Json(Me {
        username: actor.username,
        display_name: actor.display_name,
        kind: if actor.kind == UserKind::Portal {
            "portal"
        } else {
            "staff"
        }
        .to_owned(),
        roles: actor.roles.iter().map(|r| r.name().to_owned()).collect(),
        permissions: actor.grants.iter().map(|p| p.name().to_owned()).collect(),
        locale: actor.locale.tag().to_owned(),
        time_zone: actor.time_zone,
    })
    .into_response()
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SearchParams {
    /// What to look for.
    pub q: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct SearchHit {
    /// What kind of record: `party` or `product`.
    pub kind: String,
    pub id: i64,
    pub title: String,
    pub detail: String,
    pub archived: bool,
    /// The record's page.
    pub url: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct SearchResults {
    pub items: Vec<SearchHit>,
}

/// Global search over everything the caller may read.
#[utoipa::path(get, path = "/api/v1/search", tag = "search", params(SearchParams), responses((status = 200, body = SearchResults)), security(("bearer" = [])))]
pub async fn search(
    State(state): State<AppState>,
    CurrentActor(actor): CurrentActor,
    Query(params): Query<SearchParams>,
) -> Response {
    match parties::search(
        &state.app,
        &actor,
        &params.q,
        crate::pages::home::SEARCH_HITS_MAX,
    )
    .await
    {
        Ok(hits) => Json(SearchResults {
            items: hits
                .into_iter()
                .map(|h| SearchHit {
                    kind: h.kind.to_owned(),
                    url: match h.kind {
                        "product" => format!("/products/{}", h.id),
                        _ => format!("/parties/{}", h.id),
                    },
                    id: h.id,
                    title: h.title,
                    detail: h.detail,
                    archived: h.archived,
                })
                .collect(),
        })
        .into_response(),
        Err(e) => Problem::from_app_error(&e, &crate::current_request_id()).into_response(),
    }
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct EventParams {
    /// Return events after this sequence number (0 for the first).
    pub after: Option<i64>,
    /// 1 to 500; default 100.
    pub limit: Option<i64>,
}

/// One change, as the audit journal recorded it.
#[derive(Debug, Serialize, ToSchema)]
pub struct Event {
    pub seq: i64,
    pub at: String,
    pub actor: String,
    pub entity_type: String,
    pub entity_id: String,
    pub action: String,
    /// The record before the change (null when created).
    #[schema(value_type = Object)]
    pub before: serde_json::Value,
    /// The record after the change.
    #[schema(value_type = Object)]
    pub after: serde_json::Value,
    pub hash: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct EventPage {
    pub items: Vec<Event>,
    /// Pass as `after` to continue; equals the request's `after` when there is nothing new.
    pub next_after: i64,
}

fn json_or_null(text: &str) -> serde_json::Value {
    serde_json::from_str(text).unwrap_or(serde_json::Value::Null)
}

/// The event outbox: every change in order, read with a cursor.
#[utoipa::path(get, path = "/api/v1/events", tag = "audit", params(EventParams), responses((status = 200, body = EventPage)), security(("bearer" = [])))]
pub async fn events(
    State(state): State<AppState>,
    CurrentActor(actor): CurrentActor,
    Query(params): Query<EventParams>,
) -> Response {
    let after = params.after.unwrap_or(0).max(0);
    match audit::events_after(&state.app, &actor, after, params.limit.unwrap_or(100)).await {
        Ok(rows) => {
            let next_after = rows.last().map_or(after, |r| r.seq);
            let items = rows
                .into_iter()
                .map(|r| Event {
                    seq: r.seq,
                    at: rfc3339(r.at_us),
                    before: json_or_null(&r.before_json),
                    after: json_or_null(&r.after_json),
                    actor: r.actor_name,
                    entity_type: r.entity_type,
                    entity_id: r.entity_id,
                    action: r.action,
                    hash: r.hash,
                })
                .collect();
            Json(EventPage { items, next_after }).into_response()
        }
        Err(e) => Problem::from_app_error(&e, &crate::current_request_id()).into_response(),
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AuditReport {
    pub intact: bool,
    /// Events checked before the first break (all of them when intact).
    pub events: i64,
    /// The first event that fails the check.
    pub first_broken_seq: Option<i64>,
    /// `tampered`, `unlinked`, `gap` or `head`.
    pub reason: Option<String>,
}

/// Recompute the audit hash chain.
#[utoipa::path(get, path = "/api/v1/audit/verify", tag = "audit", responses((status = 200, body = AuditReport)), security(("bearer" = [])))]
pub async fn verify_audit(
    State(state): State<AppState>,
    CurrentActor(actor): CurrentActor,
) -> Response {
    match audit::verify(&state.app, &actor).await {
        Ok(report) => {
            let (seq, reason) = match report.first_break {
                None => (None, None),
                Some(ChainBreak::Tampered { seq }) => (Some(seq), Some("tampered")),
                Some(ChainBreak::Unlinked { seq }) => (Some(seq), Some("unlinked")),
                Some(ChainBreak::Gap { seq }) => (Some(seq), Some("gap")),
                Some(ChainBreak::Head { seq }) => (Some(seq), Some("head")),
            };
            Json(AuditReport {
                intact: seq.is_none(),
                events: report.events,
                first_broken_seq: seq,
                reason: reason.map(str::to_owned),
            })
            .into_response()
        }
        Err(e) => Problem::from_app_error(&e, &crate::current_request_id()).into_response(),
    }
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct NotificationParams {
    /// Return notifications older than this id (keyset; omit for the newest).
    pub before: Option<i64>,
}

/// A message for the caller about something that needs them.
#[derive(Debug, Serialize, ToSchema)]
pub struct Notification {
    pub id: i64,
    /// What happened: `visitor-arrived`, `mention`, ...
    pub kind: String,
    /// Its argument: a visitor's name, a record's number and title.
    pub subject: String,
    /// The page inside Seam it points to, or "".
    pub link: String,
    pub at: String,
    pub read: bool,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct NotificationPage {
    pub items: Vec<Notification>,
    pub unread: i64,
    /// Pass as `before` for the next page; null on the last page.
    pub next_before: Option<i64>,
}

/// The caller's own notifications, newest first.
#[utoipa::path(get, path = "/api/v1/notifications", tag = "account", params(NotificationParams), responses((status = 200, body = NotificationPage), (status = 401, body = Problem)), security(("bearer" = [])))]
pub async fn notification_list(
    State(state): State<AppState>,
    CurrentActor(actor): CurrentActor,
    Query(params): Query<NotificationParams>,
) -> Response {
    let listed = async {
        let rows = notifications::mine(&state.app, &actor, params.before).await?;
        let unread = notifications::unread_count(&state.app, &actor).await?;
        Ok::<_, seam_app::AppError>((rows, unread))
    };
    match listed.await {
        Ok((rows, unread)) => {
            let next_before = (rows.len() as i64 == notifications::PAGE_SIZE)
                .then(|| rows.last().map(|r| r.id))
                .flatten();
            let items = rows
                .into_iter()
                .map(|r| Notification {
                    id: r.id,
                    kind: r.kind,
                    subject: r.subject,
                    link: r.link,
                    at: rfc3339(r.created_at_us),
                    read: r.read_at_us.is_some(),
                })
                .collect();
            Json(NotificationPage {
                items,
                unread,
                next_before,
            })
            .into_response()
        }
        Err(e) => Problem::from_app_error(&e, &crate::current_request_id()).into_response(),
    }
}

/// Marks one of the caller's notifications read (404 when it is not theirs).
#[utoipa::path(post, path = "/api/v1/notifications/{id}/read", tag = "account", params(("id" = i64, Path)), responses((status = 204), (status = 404, body = Problem)), security(("bearer" = [])))]
pub async fn notification_read(
    State(state): State<AppState>,
    CurrentActor(actor): CurrentActor,
    axum::extract::Path(id): axum::extract::Path<i64>,
) -> Response {
    match notifications::open(&state.app, &actor, id).await {
        Ok(_) => axum::http::StatusCode::NO_CONTENT.into_response(),
        Err(e) => Problem::from_app_error(&e, &crate::current_request_id()).into_response(),
    }
}
