//! The audit journal: recent events, and a check of the whole hash chain.

use askama::Template;
use axum::extract::{Query, State};
use axum::response::Response;
use seam_app::audit::{self, ChainBreak, EventRow};
use serde::Deserialize;

use crate::AppState;
use crate::html::{Page, ok};
use crate::who::{CurrentActor, Requester};

/// Events per page of the journal.
pub const JOURNAL_PAGE_SIZE: i64 = 100;

#[derive(Template)]
#[template(path = "audit.html")]
struct JournalPage {
    page: Page,
    events: Vec<(EventRow, String)>,
    older_link: String,
    verdict: String,
    intact: bool,
}

#[derive(Deserialize)]
pub struct JournalQuery {
    #[serde(default)]
    before: Option<i64>,
}

async fn journal_page(
    state: &AppState,
    who: &crate::who::Who,
    actor: &seam_app::Actor,
    before: Option<i64>,
    verdict: String,
    intact: bool,
) -> Response {
    let events = match audit::recent_events(&state.app, actor, before, JOURNAL_PAGE_SIZE).await {
        Ok(events) => events,
        Err(e) => {
            return crate::html::fail(who, &e);
        }
    };
    let page = Page::new(state, who, "audit-title", "/audit").await;
    let older_link = match events.last() {
        Some(last) if events.len() as i64 == JOURNAL_PAGE_SIZE && last.seq > 1 => {
            format!("/audit?before={}", last.seq)
        }
        _ => String::new(),
    };
    let events = events
        .into_iter()
        .map(|e| {
            let when = page.i18n.timestamp(&e.at_us, &page.time_zone);
            (e, when)
        })
        .collect();
    ok(&JournalPage {
        page,
        events,
        older_link,
        verdict,
        intact,
    })
}

pub async fn journal(
    State(state): State<AppState>,
    Requester(who): Requester,
    CurrentActor(actor): CurrentActor,
    Query(query): Query<JournalQuery>,
) -> Response {
    journal_page(&state, &who, &actor, query.before, String::new(), true).await
}

pub async fn verify(
    State(state): State<AppState>,
    Requester(who): Requester,
    CurrentActor(actor): CurrentActor,
) -> Response {
    let i18n = crate::i18n::I18n::new(actor.locale);
    let (verdict, intact) = match audit::verify(&state.app, &actor).await {
        Ok(report) => match report.first_break {
            None => (
                i18n.t1("audit-intact", "count", i18n.integer(&report.events)),
                true,
            ),
            Some(ChainBreak::Tampered { seq }) => (i18n.t1("audit-tampered", "seq", seq), false),
            Some(ChainBreak::Unlinked { seq }) => (i18n.t1("audit-unlinked", "seq", seq), false),
            Some(ChainBreak::Gap { seq }) => (i18n.t1("audit-gap", "seq", seq), false),
            Some(ChainBreak::Head { seq }) => (i18n.t1("audit-head", "seq", seq), false),
        },
        Err(e) => {
            return crate::html::fail(&who, &e);
        }
    };
    journal_page(&state, &who, &actor, None, verdict, intact).await
}
