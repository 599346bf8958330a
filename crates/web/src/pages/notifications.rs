//! The user's own notifications: the list, opening one (which marks it read
//! and follows its link), and marking all read.

use askama::Template;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use seam_app::notifications;
use seam_app::notifications::NotificationRow;
use serde::Deserialize;

use super::IdPath;
use crate::AppState;
use crate::html::{Page, fail, ok, redirect_with_flash};
use crate::i18n::I18n;
use crate::who::{CurrentActor, Requester};

/// A notification ready to show.
pub struct NotificationView {
    pub id: i64,
    pub text: String,
    pub at: String,
    pub unread: bool,
}

impl NotificationView {
    pub fn new(i18n: &I18n, time_zone: &str, row: &NotificationRow) -> NotificationView {
        let key = format!("notice-{}", row.kind);
        let mut text = i18n.t1(&key, "subject", &row.subject);
        // A kind without a message (yet) still says what it is about.
        if text == key {
            text = row.subject.clone();
        }
        NotificationView {
            id: row.id,
            text,
            at: i18n.timestamp(&row.created_at_us, time_zone),
            unread: row.read_at_us.is_none(),
        }
    }
}

#[derive(Debug, Default, Deserialize)]
pub struct ListQuery {
    #[serde(default)]
    pub cursor: String,
}

#[derive(Template)]
#[template(path = "notifications.html")]
struct ListPage {
    page: Page,
    rows: Vec<NotificationView>,
    next_link: String,
}

pub async fn list(
    State(state): State<AppState>,
    Requester(who): Requester,
    CurrentActor(actor): CurrentActor,
    Query(query): Query<ListQuery>,
) -> Response {
    let before = query.cursor.parse::<i64>().ok();
    let rows = match notifications::mine(&state.app, &actor, before).await {
        Ok(rows) => rows,
        Err(e) => return fail(&who, &e),
    };
    let page = Page::new(&state, &who, "notifications-title", "/notifications").await;
    let next_link = match rows.last() {
        Some(last) if rows.len() as i64 == notifications::PAGE_SIZE => {
            format!("/notifications?cursor={}", last.id)
        }
        _ => String::new(),
    };
    ok(&ListPage {
        rows: rows
            .iter()
            .map(|r| NotificationView::new(&page.i18n, &page.time_zone, r))
            .collect(),
        next_link,
        page,
    })
}

/// Marks the notification read and goes where it points (the list when it points nowhere).
pub async fn open(
    State(state): State<AppState>,
    Requester(who): Requester,
    CurrentActor(actor): CurrentActor,
    IdPath(id): IdPath,
) -> Response {
    match notifications::open(&state.app, &actor, id).await {
        // Only paths inside Seam are followed.
        Ok(row) if row.link.starts_with('/') && !row.link.starts_with("//") => {
            Redirect::to(&row.link).into_response()
        }
        Ok(_) => Redirect::to("/notifications").into_response(),
        Err(e) => fail(&who, &e),
    }
}

pub async fn read_all(
    State(state): State<AppState>,
    Requester(who): Requester,
    CurrentActor(actor): CurrentActor,
) -> Response {
    match notifications::mark_all_read(&state.app, &actor).await {
        Ok(_) => {
            redirect_with_flash(&state, &who, "/notifications", "notifications-all-read").await
        }
        Err(e) => fail(&who, &e),
    }
}
