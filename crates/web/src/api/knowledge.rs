//! `/api/v1/kb`: the knowledge base for integrators and for customers' own
//! systems. A staff token with `service.use` reads and writes every
//! article; a portal customer's token reads only published public ones, and
//! any other id answers 404.

use axum::Json;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use seam_app::AppError;
use seam_app::knowledge::{self, ArticleQuery, ArticleRow};
use seam_domain::FieldErrors;
use seam_domain::knowledge::ArticleDraft;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::json::{ApiJson, KnownFields};
use super::problem::Problem;
use super::rfc3339;
use crate::AppState;
use crate::pages::IdPath;
use crate::who::CurrentActor;

fn problem(err: &AppError) -> Response {
    Problem::from_app_error(err, &crate::current_request_id()).into_response()
}

/// A knowledge-base article.
#[derive(Debug, Serialize, ToSchema)]
pub struct Article {
    pub id: i64,
    pub title: String,
    /// Plain text: paragraphs separated by blank lines, `- ` list items, `#` headings.
    pub body: String,
    pub category_id: i64,
    pub category_name: String,
    /// `draft` or `published`.
    pub state: String,
    /// `internal` (the desk only) or `public` (customers too).
    pub audience: String,
    pub author: String,
    /// Send it back with an update; an older one is refused with 409.
    pub version: i64,
    pub created_at: String,
    pub updated_at: String,
    pub published_at: Option<String>,
}

impl Article {
    fn new(r: &ArticleRow) -> Article {
        Article {
            id: r.id,
            title: r.title.clone(),
            body: r.body.clone(),
            category_id: r.category_id,
            category_name: r.category_name.clone(),
            state: r.state.clone(),
            audience: r.audience.clone(),
            author: r.author_name.clone(),
            version: r.version,
            created_at: rfc3339(r.created_at_us),
            updated_at: rfc3339(r.updated_at_us),
            published_at: r.published_at_us.map(rfc3339),
        }
    }
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ArticleParams {
    /// Words that must all appear in the title or the body (prefixes match);
    /// articles whose title holds them come first.
    pub q: Option<String>,
    pub category_id: Option<i64>,
    /// `true` for published articles only (a customer only ever gets those).
    pub published: Option<bool>,
    /// The `next_cursor` of the previous page.
    pub cursor: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ArticlePage {
    pub items: Vec<Article>,
    pub next_cursor: Option<String>,
}

/// Articles, or a search of them: title matches first, then newest first.
#[utoipa::path(get, path = "/api/v1/kb/articles", tag = "knowledge", params(ArticleParams),
    responses((status = 200, body = ArticlePage), (status = 403, body = Problem), (status = 422, body = Problem)), security(("bearer" = [])))]
pub async fn list(
    State(state): State<AppState>,
    CurrentActor(actor): CurrentActor,
    Query(params): Query<ArticleParams>,
) -> Response {
    let cursor = match params.cursor.as_deref().map(str::trim) {
        None | Some("") => None,
        Some(text) => match knowledge::parse_cursor(text) {
            Some(c) => Some(c),
            None => {
                return problem(&AppError::Invalid(FieldErrors::one(
                    "cursor",
                    "error-invalid",
                )));
            }
        },
    };
    let query = ArticleQuery {
        text: params.q.unwrap_or_default(),
        category_id: params.category_id,
        published_only: params.published.unwrap_or(false),
    };
    match knowledge::list_articles(&state.app, &actor, &query, cursor).await {
        Ok(page) => Json(ArticlePage {
            items: page.rows.iter().map(Article::new).collect(),
            next_cursor: page.next.as_ref().map(knowledge::cursor_text),
        })
        .into_response(),
        Err(e) => problem(&e),
    }
}

async fn one(state: &AppState, actor: &seam_app::Actor, id: i64, status: StatusCode) -> Response {
    match knowledge::article(&state.app, actor, id).await {
        Ok(row) => (status, Json(Article::new(&row))).into_response(),
        Err(e) => problem(&e),
    }
}

/// One article (404 for a customer when it is a draft or internal).
#[utoipa::path(get, path = "/api/v1/kb/articles/{id}", tag = "knowledge", params(("id" = i64, Path)),
    responses((status = 200, body = Article), (status = 404, body = Problem)), security(("bearer" = [])))]
pub async fn detail(
    State(state): State<AppState>,
    CurrentActor(actor): CurrentActor,
    IdPath(id): IdPath,
) -> Response {
    one(&state, &actor, id, StatusCode::OK).await
}

/// An article to write, or its new content.
#[derive(Debug, Deserialize, ToSchema)]
pub struct ArticleInput {
    pub title: String,
    pub body: String,
    pub category_id: i64,
    /// `draft` (default) or `published`.
    pub state: Option<String>,
    /// `internal` (default) or `public`.
    pub audience: Option<String>,
    /// Required for an update: the version read.
    pub version: Option<i64>,
}

impl KnownFields for ArticleInput {
    const FIELDS: &'static [&'static str] = &[
        "title",
        "body",
        "category_id",
        "state",
        "audience",
        "version",
    ];
}

impl ArticleInput {
    fn draft(&self) -> ArticleDraft {
        ArticleDraft {
            title: self.title.clone(),
            body: self.body.clone(),
            category_id: self.category_id.to_string(),
            state: self.state.clone().unwrap_or_default(),
            audience: self.audience.clone().unwrap_or_default(),
        }
    }
}

/// Write an article (201).
#[utoipa::path(post, path = "/api/v1/kb/articles", tag = "knowledge", request_body = ArticleInput,
    params(("Idempotency-Key" = Option<String>, Header, description = "Repeat a request safely: the same key returns the first response")),
    responses((status = 201, body = Article), (status = 403, body = Problem), (status = 422, body = Problem)),
    security(("bearer" = [])))]
pub async fn create(
    State(state): State<AppState>,
    CurrentActor(actor): CurrentActor,
    ApiJson(input): ApiJson<ArticleInput>,
) -> Response {
    if input.version.is_some() {
        return problem(&AppError::Invalid(FieldErrors::one(
            "version",
            "error-unknown-field",
        )));
    }
    match knowledge::create_article(&state.app, &actor, &input.draft()).await {
        Ok(id) => one(&state, &actor, id, StatusCode::CREATED).await,
        Err(e) => problem(&e),
    }
}

/// Replace an article's content. `version` must be the one read; otherwise 409.
#[utoipa::path(put, path = "/api/v1/kb/articles/{id}", tag = "knowledge", params(("id" = i64, Path)), request_body = ArticleInput,
    responses((status = 200, body = Article), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)),
    security(("bearer" = [])))]
pub async fn update(
    State(state): State<AppState>,
    CurrentActor(actor): CurrentActor,
    IdPath(id): IdPath,
    ApiJson(input): ApiJson<ArticleInput>,
) -> Response {
    let Some(version) = input.version else {
        return problem(&AppError::Invalid(FieldErrors::one(
            "version",
            "error-required",
        )));
    };
    match knowledge::update_article(&state.app, &actor, id, version, &input.draft()).await {
        Ok(()) => one(&state, &actor, id, StatusCode::OK).await,
        Err(e) => problem(&e),
    }
}

/// A category with the count of articles the caller may read.
#[derive(Debug, Serialize, ToSchema)]
pub struct Category {
    pub id: i64,
    pub name: String,
    pub article_count: i64,
}

/// The categories, by name.
#[utoipa::path(get, path = "/api/v1/kb/categories", tag = "knowledge",
    responses((status = 200, body = Vec<Category>), (status = 403, body = Problem)), security(("bearer" = [])))]
pub async fn categories(
    State(state): State<AppState>,
    CurrentActor(actor): CurrentActor,
) -> Response {
    match knowledge::categories(&state.app, &actor).await {
        Ok(rows) => Json(
            rows.iter()
                .map(|c| Category {
                    id: c.id,
                    name: c.name.clone(),
                    article_count: c.article_count,
                })
                .collect::<Vec<_>>(),
        )
        .into_response(),
        Err(e) => problem(&e),
    }
}
