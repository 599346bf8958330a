//! The help articles in the customer portal: the published public articles
//! of the knowledge base, searched and filtered by category like the desk's
//! own list. Drafts and internal articles are "not found" here.

use askama::Template;
use axum::extract::{Query, State};
use axum::response::Response;
use seam_app::knowledge;

use super::IdPath;
use super::knowledge::{
    ArticleView, BlockView, CategoryView, ListQuery, block_views, category_views,
};
use crate::AppState;
use crate::html::{Page, fail, ok};
use crate::who::{CurrentActor, Requester};

const NAV_PATH: &str = "/portal/kb";

#[derive(Template)]
#[template(path = "portal_kb.html")]
struct ListPage {
    page: Page,
    query: ListQuery,
    categories: Vec<CategoryView>,
    rows: Vec<ArticleView>,
    next_link: String,
}

pub async fn list(
    State(state): State<AppState>,
    Requester(who): Requester,
    CurrentActor(actor): CurrentActor,
    Query(query): Query<ListQuery>,
) -> Response {
    let cursor = knowledge::parse_cursor(&query.cursor);
    let found = match knowledge::portal_articles(&state.app, &actor, &query.article_query(), cursor)
        .await
    {
        Ok(p) => p,
        Err(e) => return fail(&who, &e),
    };
    let categories = match knowledge::portal_categories(&state.app, &actor).await {
        Ok(c) => c,
        Err(e) => return fail(&who, &e),
    };
    let page = Page::new(&state, &who, "portal-kb-title", NAV_PATH).await;
    ok(&ListPage {
        rows: found
            .rows
            .iter()
            .map(|r| ArticleView::new(&page.i18n, &page.time_zone, r))
            .collect(),
        next_link: query.next_link("/portal/kb", found.next.as_ref()),
        categories: category_views(&categories)
            .into_iter()
            .filter(|c| c.count > 0)
            .collect(),
        query,
        page,
    })
}

#[derive(Template)]
#[template(path = "portal_kb_article.html")]
struct DetailPage {
    page: Page,
    a: ArticleView,
    blocks: Vec<BlockView>,
}

pub async fn detail(
    State(state): State<AppState>,
    Requester(who): Requester,
    CurrentActor(actor): CurrentActor,
    IdPath(id): IdPath,
) -> Response {
    let row = match knowledge::portal_article(&state.app, &actor, id).await {
        Ok(r) => r,
        Err(e) => return fail(&who, &e),
    };
    let page = Page::new(&state, &who, "portal-kb-title", NAV_PATH).await;
    ok(&DetailPage {
        a: ArticleView::new(&page.i18n, &page.time_zone, &row),
        blocks: block_views(&row.body),
        page,
    })
}
