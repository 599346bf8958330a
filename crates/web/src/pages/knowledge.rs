//! The knowledge base's staff pages: the list with search, a category
//! filter and keyset pages, an article, new and edit forms (an edit saves
//! only over the version it was read at), and the categories; and the
//! service desk's canned replies under `/service/canned`.

use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use seam_app::knowledge::{self, ArticleQuery, ArticleRow, CannedRow, CategoryRow};
use seam_app::{Actor, AppError};
use seam_domain::knowledge::{self as rules, ArticleDraft, Block, MERGE_FIELDS};
use serde::Deserialize;

use super::ledger::{Choice, form_errors};
use super::{FormData, IdPath};
use crate::AppState;
use crate::html::{Errors, Page, fail, ok, redirect_with_flash, render};
use crate::i18n::I18n;
use crate::who::{CurrentActor, Requester, Who};

const NAV_PATH: &str = "/service";
/// How much of an article a list shows.
pub const EXCERPT_CHARS: usize = 160;

/// One block of an article, ready to show: `h` (a heading), `ul` (a list)
/// or `p` (a paragraph). The template escapes every text.
pub struct BlockView {
    pub kind: &'static str,
    pub text: String,
    pub items: Vec<String>,
}

pub fn block_views(body: &str) -> Vec<BlockView> {
    rules::blocks(body)
        .into_iter()
        .map(|b| match b {
            Block::Heading(text) => BlockView {
                kind: "h",
                text,
                items: Vec::new(),
            },
            Block::List(items) => BlockView {
                kind: "ul",
                text: String::new(),
                items,
            },
            Block::Paragraph(text) => BlockView {
                kind: "p",
                text,
                items: Vec::new(),
            },
        })
        .collect()
}

/// An article in a list or on its page.
pub struct ArticleView {
    pub id: i64,
    pub title: String,
    pub category_id: i64,
    pub category: String,
    pub state_name: String,
    pub state: String,
    pub audience_name: String,
    pub audience: String,
    pub author: String,
    pub updated: String,
    pub excerpt: String,
    pub for_customers: bool,
}

impl ArticleView {
    pub fn new(i18n: &I18n, time_zone: &str, r: &ArticleRow) -> ArticleView {
        ArticleView {
            id: r.id,
            title: r.title.clone(),
            category_id: r.category_id,
            category: r.category_name.clone(),
            state_name: r.state.clone(),
            state: i18n.t(&format!("kb-state-{}", r.state)),
            audience_name: r.audience.clone(),
            audience: i18n.t(&format!("kb-audience-{}", r.audience)),
            author: r.author_name.clone(),
            updated: i18n.timestamp(&r.updated_at_us, time_zone),
            excerpt: rules::excerpt(&r.body, EXCERPT_CHARS),
            for_customers: knowledge::is_for_customers(r),
        }
    }
}

/// A category with its count, for filters and lists.
pub struct CategoryView {
    pub id: i64,
    pub name: String,
    pub count: i64,
}

pub fn category_views(rows: &[CategoryRow]) -> Vec<CategoryView> {
    rows.iter()
        .map(|c| CategoryView {
            id: c.id,
            name: c.name.clone(),
            count: c.article_count,
        })
        .collect()
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct ListQuery {
    #[serde(default)]
    pub q: String,
    #[serde(default)]
    pub category: String,
    #[serde(default)]
    pub cursor: String,
}

impl ListQuery {
    pub fn article_query(&self) -> ArticleQuery {
        ArticleQuery {
            text: self.q.clone(),
            category_id: self.category.trim().parse().ok(),
            published_only: false,
        }
    }

    /// The link to the page after `cursor`, keeping the search and filter.
    pub fn next_link(&self, base: &str, cursor: Option<&knowledge::ArticleCursor>) -> String {
        match cursor {
            Some(c) => format!(
                "{base}?{}",
                super::query_string(&[
                    ("q", &self.q),
                    ("category", &self.category),
                    ("cursor", &knowledge::cursor_text(c)),
                ])
            ),
            None => String::new(),
        }
    }
}

#[derive(Template)]
#[template(path = "kb_articles.html")]
struct ListPage {
    page: Page,
    query: ListQuery,
    categories: Vec<CategoryView>,
    rows: Vec<ArticleView>,
    next_link: String,
    errors: Errors,
}

async fn list_page(
    state: &AppState,
    who: &Who,
    actor: &Actor,
    query: ListQuery,
    status: StatusCode,
    errors: Errors,
) -> Response {
    let cursor = knowledge::parse_cursor(&query.cursor);
    let found =
        match knowledge::list_articles(&state.app, actor, &query.article_query(), cursor).await {
            Ok(p) => p,
            Err(e) => return fail(who, &e),
        };
    let categories = match knowledge::categories(&state.app, actor).await {
        Ok(c) => c,
        Err(e) => return fail(who, &e),
    };
    let page = Page::new(state, who, "kb-title", NAV_PATH).await;
    let next_link = query.next_link("/kb", found.next.as_ref());
    render(
        status,
        &ListPage {
            rows: found
                .rows
                .iter()
                .map(|r| ArticleView::new(&page.i18n, &page.time_zone, r))
                .collect(),
            next_link,
            categories: category_views(&categories),
            query,
            errors,
            page,
        },
    )
}

pub async fn list(
    State(state): State<AppState>,
    Requester(who): Requester,
    CurrentActor(actor): CurrentActor,
    Query(query): Query<ListQuery>,
) -> Response {
    list_page(
        &state,
        &who,
        &actor,
        query,
        StatusCode::OK,
        Errors::default(),
    )
    .await
}

pub async fn create_category(
    State(state): State<AppState>,
    Requester(who): Requester,
    CurrentActor(actor): CurrentActor,
    form: FormData,
) -> Response {
    match knowledge::create_category(&state.app, &actor, form.get("name")).await {
        Ok(id) => {
            redirect_with_flash(
                &state,
                &who,
                &format!("/kb?category={id}"),
                "kb-category-created",
            )
            .await
        }
        Err(e) => match form_errors(&I18n::new(actor.locale), &e, "name") {
            Some((status, errors)) => {
                list_page(&state, &who, &actor, ListQuery::default(), status, errors).await
            }
            None => fail(&who, &e),
        },
    }
}

/// What the article form holds.
#[derive(Debug, Clone, Default)]
pub struct ArticleTyped {
    pub title: String,
    pub body: String,
    pub category_id: String,
    pub state: String,
    pub audience: String,
    pub version: i64,
}

impl ArticleTyped {
    fn from_form(form: &FormData) -> ArticleTyped {
        ArticleTyped {
            title: form.get("title").to_owned(),
            body: form.get("body").to_owned(),
            category_id: form.get("category_id").to_owned(),
            state: form.get("state").to_owned(),
            audience: form.get("audience").to_owned(),
            version: form.get("version").trim().parse().unwrap_or(0),
        }
    }

    fn from_row(r: &ArticleRow) -> ArticleTyped {
        ArticleTyped {
            title: r.title.clone(),
            body: r.body.clone(),
            category_id: r.category_id.to_string(),
            state: r.state.clone(),
            audience: r.audience.clone(),
            version: r.version,
        }
    }

    fn draft(&self) -> ArticleDraft {
        ArticleDraft {
            title: self.title.clone(),
            body: self.body.clone(),
            category_id: self.category_id.clone(),
            state: self.state.clone(),
            audience: self.audience.clone(),
        }
    }
}

#[derive(Template)]
#[template(path = "kb_article_form.html")]
struct FormPage {
    page: Page,
    /// 0 for a new article.
    id: i64,
    typed: ArticleTyped,
    categories: Vec<Choice>,
    errors: Errors,
}

async fn form_page(
    state: &AppState,
    who: &Who,
    actor: &Actor,
    id: i64,
    status: StatusCode,
    typed: ArticleTyped,
    errors: Errors,
) -> Response {
    let categories = match knowledge::categories(&state.app, actor).await {
        Ok(c) => c,
        Err(e) => return fail(who, &e),
    };
    let title = if id == 0 {
        "kb-new-title"
    } else {
        "kb-edit-title"
    };
    let page = Page::new(state, who, title, NAV_PATH).await;
    render(
        status,
        &FormPage {
            id,
            typed,
            categories: categories
                .iter()
                .map(|c| Choice {
                    value: c.id.to_string(),
                    label: c.name.clone(),
                })
                .collect(),
            errors,
            page,
        },
    )
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct NewQuery {
    #[serde(default)]
    pub category: String,
}

pub async fn new_form(
    State(state): State<AppState>,
    Requester(who): Requester,
    CurrentActor(actor): CurrentActor,
    Query(query): Query<NewQuery>,
) -> Response {
    let typed = ArticleTyped {
        category_id: query.category,
        state: "draft".to_owned(),
        audience: "internal".to_owned(),
        ..ArticleTyped::default()
    };
    form_page(
        &state,
        &who,
        &actor,
        0,
        StatusCode::OK,
        typed,
        Errors::default(),
    )
    .await
}

pub async fn create(
    State(state): State<AppState>,
    Requester(who): Requester,
    CurrentActor(actor): CurrentActor,
    form: FormData,
) -> Response {
    let typed = ArticleTyped::from_form(&form);
    match knowledge::create_article(&state.app, &actor, &typed.draft()).await {
        Ok(id) => {
            redirect_with_flash(
                &state,
                &who,
                &format!("/kb/articles/{id}"),
                "kb-article-created",
            )
            .await
        }
        Err(e) => match form_errors(&I18n::new(actor.locale), &e, "form") {
            Some((status, errors)) => {
                form_page(&state, &who, &actor, 0, status, typed, errors).await
            }
            None => fail(&who, &e),
        },
    }
}

#[derive(Template)]
#[template(path = "kb_article.html")]
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
    let row = match knowledge::article(&state.app, &actor, id).await {
        Ok(r) => r,
        Err(e) => return fail(&who, &e),
    };
    let page = Page::new(&state, &who, "kb-title", NAV_PATH).await;
    ok(&DetailPage {
        a: ArticleView::new(&page.i18n, &page.time_zone, &row),
        blocks: block_views(&row.body),
        page,
    })
}

pub async fn edit_form(
    State(state): State<AppState>,
    Requester(who): Requester,
    CurrentActor(actor): CurrentActor,
    IdPath(id): IdPath,
) -> Response {
    let row = match knowledge::article(&state.app, &actor, id).await {
        Ok(r) => r,
        Err(e) => return fail(&who, &e),
    };
    form_page(
        &state,
        &who,
        &actor,
        id,
        StatusCode::OK,
        ArticleTyped::from_row(&row),
        Errors::default(),
    )
    .await
}

pub async fn update(
    State(state): State<AppState>,
    Requester(who): Requester,
    CurrentActor(actor): CurrentActor,
    IdPath(id): IdPath,
    form: FormData,
) -> Response {
    let typed = ArticleTyped::from_form(&form);
    let result =
        knowledge::update_article(&state.app, &actor, id, typed.version, &typed.draft()).await;
    match result {
        Ok(()) => {
            redirect_with_flash(
                &state,
                &who,
                &format!("/kb/articles/{id}"),
                "kb-article-saved",
            )
            .await
        }
        Err(e) => match form_errors(&I18n::new(actor.locale), &e, "form") {
            Some((status, errors)) => {
                form_page(&state, &who, &actor, id, status, typed, errors).await
            }
            None => fail(&who, &e),
        },
    }
}

/// A canned reply in the list.
pub struct CannedView {
    pub id: i64,
    pub title: String,
    pub body: String,
}

fn canned_view(r: &CannedRow) -> CannedView {
    CannedView {
        id: r.id,
        title: r.title.clone(),
        body: r.body.clone(),
    }
}

#[derive(Template)]
#[template(path = "canned_replies.html")]
struct CannedListPage {
    page: Page,
    rows: Vec<CannedView>,
    fields: String,
    title: String,
    body: String,
    errors: Errors,
}

fn merge_field_list() -> String {
    MERGE_FIELDS
        .iter()
        .map(|f| format!("{{{f}}}"))
        .collect::<Vec<_>>()
        .join(", ")
}

async fn canned_list_page(
    state: &AppState,
    who: &Who,
    actor: &Actor,
    status: StatusCode,
    typed: (String, String),
    errors: Errors,
) -> Response {
    let rows = match knowledge::canned_replies(&state.app, actor).await {
        Ok(r) => r,
        Err(e) => return fail(who, &e),
    };
    let page = Page::new(state, who, "canned-title", NAV_PATH).await;
    render(
        status,
        &CannedListPage {
            rows: rows.iter().map(canned_view).collect(),
            fields: merge_field_list(),
            title: typed.0,
            body: typed.1,
            errors,
            page,
        },
    )
}

pub async fn canned_list(
    State(state): State<AppState>,
    Requester(who): Requester,
    CurrentActor(actor): CurrentActor,
) -> Response {
    canned_list_page(
        &state,
        &who,
        &actor,
        StatusCode::OK,
        (String::new(), String::new()),
        Errors::default(),
    )
    .await
}

pub async fn canned_create(
    State(state): State<AppState>,
    Requester(who): Requester,
    CurrentActor(actor): CurrentActor,
    form: FormData,
) -> Response {
    let (title, body) = (form.get("title").to_owned(), form.get("body").to_owned());
    match knowledge::create_canned(&state.app, &actor, &title, &body).await {
        Ok(_) => redirect_with_flash(&state, &who, "/service/canned", "canned-created").await,
        Err(e) => match form_errors(&I18n::new(actor.locale), &e, "form") {
            Some((status, errors)) => {
                canned_list_page(&state, &who, &actor, status, (title, body), errors).await
            }
            None => fail(&who, &e),
        },
    }
}

#[derive(Template)]
#[template(path = "canned_reply_form.html")]
struct CannedFormPage {
    page: Page,
    id: i64,
    version: i64,
    title: String,
    body: String,
    fields: String,
    errors: Errors,
}

#[allow(clippy::too_many_arguments)]
async fn canned_form_page(
    state: &AppState,
    who: &Who,
    id: i64,
    version: i64,
    status: StatusCode,
    typed: (String, String),
    errors: Errors,
) -> Response {
    let page = Page::new(state, who, "canned-edit-title", NAV_PATH).await;
    render(
        status,
        &CannedFormPage {
            id,
            version,
            title: typed.0,
            body: typed.1,
            fields: merge_field_list(),
            errors,
            page,
        },
    )
}

pub async fn canned_edit(
    State(state): State<AppState>,
    Requester(who): Requester,
    CurrentActor(actor): CurrentActor,
    IdPath(id): IdPath,
) -> Response {
    match knowledge::canned_reply(&state.app, &actor, id).await {
        Ok(r) => {
            canned_form_page(
                &state,
                &who,
                id,
                r.version,
                StatusCode::OK,
                (r.title, r.body),
                Errors::default(),
            )
            .await
        }
        Err(e) => fail(&who, &e),
    }
}

pub async fn canned_update(
    State(state): State<AppState>,
    Requester(who): Requester,
    CurrentActor(actor): CurrentActor,
    IdPath(id): IdPath,
    form: FormData,
) -> Response {
    let (title, body) = (form.get("title").to_owned(), form.get("body").to_owned());
    let version = form.get("version").trim().parse().unwrap_or(0);
    match knowledge::update_canned(&state.app, &actor, id, version, &title, &body).await {
        Ok(()) => redirect_with_flash(&state, &who, "/service/canned", "canned-saved").await,
        Err(AppError::NotFound) => fail(&who, &AppError::NotFound),
        Err(e) => match form_errors(&I18n::new(actor.locale), &e, "form") {
            Some((status, errors)) => {
                canned_form_page(&state, &who, id, version, status, (title, body), errors).await
            }
            None => fail(&who, &e),
        },
    }
}

pub async fn canned_delete(
    State(state): State<AppState>,
    Requester(who): Requester,
    CurrentActor(actor): CurrentActor,
    IdPath(id): IdPath,
) -> Response {
    match knowledge::delete_canned(&state.app, &actor, id).await {
        Ok(()) => redirect_with_flash(&state, &who, "/service/canned", "canned-deleted").await,
        Err(e) => fail(&who, &e),
    }
}
