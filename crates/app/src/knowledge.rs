//! The service desk's knowledge base and canned replies.
//!
//! Articles are written by the service desk (`service.use`), in categories,
//! as drafts or published, for the desk only (internal) or for customers
//! (public). The desk reads every article; a portal customer (`portal.use`)
//! reads only published public ones, and any other is "not found" to them,
//! so an id reveals nothing. When an agent answers a ticket the desk's
//! search suggests the published articles that fit it.
//!
//! Canned replies are the desk's saved answers, with merge fields
//! (`{customer_name}`, `{ticket_number}`, `{agent_name}`) filled on the
//! server from the ticket being answered.

use seam_domain::FieldErrors;
use seam_domain::access::Permission;
use seam_domain::knowledge::{
    self as rules, ArticleDraft, ArticleState, Audience, MergeValues, ValidArticle,
};
use seam_store::knowledge::{self as store, ArticleFilter, NewArticle};
pub use seam_store::knowledge::{ArticleCursor, ArticleRow, CannedRow, CategoryRow};
use seam_store::{StoreError, Tx};
use serde_json::json;

use crate::service::{self, TicketDetail};
use crate::{Actor, App, AppError, AppResult, Change, UserKind, now_us, record};

/// Articles per page of a list.
pub const PAGE_SIZE: i64 = 25;
/// How many articles are suggested on a ticket.
pub const SUGGESTIONS_MAX: i64 = 3;

/// Whether the actor reads as a customer (published public articles only).
/// Staff need `service.use`, customers `portal.use`.
fn reader(actor: &Actor) -> AppResult<bool> {
    match actor.kind {
        UserKind::Portal => {
            actor.require(Permission::PortalUse)?;
            Ok(true)
        }
        UserKind::Staff => {
            actor.require(Permission::ServiceUse)?;
            Ok(false)
        }
    }
}

fn writer(actor: &Actor) -> AppResult<()> {
    if actor.kind != UserKind::Staff {
        return Err(AppError::Forbidden);
    }
    actor.require(Permission::ServiceUse)
}

/// Whether a customer may read the article.
pub fn is_for_customers(row: &ArticleRow) -> bool {
    row.state == ArticleState::Published.name() && row.audience == Audience::Public.name()
}

fn article_json(row: &ArticleRow) -> serde_json::Value {
    json!({
        "category_id": row.category_id,
        "title": row.title,
        "body": row.body,
        "state": row.state,
        "audience": row.audience,
    })
}

/// Which articles a list shows.
#[derive(Debug, Clone, Default)]
pub struct ArticleQuery {
    /// Words that must all appear in the title or the body; "" lists all.
    pub text: String,
    pub category_id: Option<i64>,
    /// Only published ones (staff; customers only ever see published ones).
    pub published_only: bool,
}

/// One page of a list and where the next one starts.
#[derive(Debug, Clone)]
pub struct ArticlePage {
    pub rows: Vec<ArticleRow>,
    pub next: Option<ArticleCursor>,
}

/// A cursor as it travels in a link: `tier.id`.
pub fn cursor_text(cursor: &ArticleCursor) -> String {
    format!("{}.{}", cursor.tier, cursor.id)
}

/// The cursor of a link, or `None` for anything else (the first page).
pub fn parse_cursor(text: &str) -> Option<ArticleCursor> {
    let (tier, id) = text.trim().split_once('.')?;
    Some(ArticleCursor {
        tier: tier.parse().ok()?,
        id: id.parse().ok()?,
    })
}

/// Articles the actor may read, matching the query: those whose title
/// holds every word first when searching, then newest first, after
/// `cursor`. A portal customer gets published public articles only.
pub async fn list_articles(
    app: &App,
    actor: &Actor,
    query: &ArticleQuery,
    cursor: Option<ArticleCursor>,
) -> AppResult<ArticlePage> {
    let customer = reader(actor)?;
    let text = query.text.trim();
    let filter = ArticleFilter {
        text: (!text.is_empty()).then(|| text.to_owned()),
        category_id: query.category_id,
        published_only: customer || query.published_only,
        public_only: customer,
    };
    let mut rows = store::list_articles(&app.db, &filter, cursor, PAGE_SIZE + 1).await?;
    let next = if rows.len() as i64 > PAGE_SIZE {
        rows.truncate(PAGE_SIZE as usize);
        rows.last().map(|r| ArticleCursor {
            tier: r.tier,
            id: r.id,
        })
    } else {
        None
    };
    Ok(ArticlePage { rows, next })
}

/// One article. A portal customer gets it only when it is published and public.
///
/// Errors: [`AppError::NotFound`], also for an article the actor may not read.
pub async fn article(app: &App, actor: &Actor, id: i64) -> AppResult<ArticleRow> {
    let customer = reader(actor)?;
    let row = store::article(&app.db, id)
        .await?
        .ok_or(AppError::NotFound)?;
    if customer && !is_for_customers(&row) {
        return Err(AppError::NotFound);
    }
    Ok(row)
}

/// Articles as customers see them (published public ones), for the portal's
/// pages; staff who open the portal see what a customer sees. Needs `portal.use`.
pub async fn portal_articles(
    app: &App,
    actor: &Actor,
    query: &ArticleQuery,
    cursor: Option<ArticleCursor>,
) -> AppResult<ArticlePage> {
    actor.require(Permission::PortalUse)?;
    let text = query.text.trim();
    let filter = ArticleFilter {
        text: (!text.is_empty()).then(|| text.to_owned()),
        category_id: query.category_id,
        published_only: true,
        public_only: true,
    };
    let mut rows = store::list_articles(&app.db, &filter, cursor, PAGE_SIZE + 1).await?;
    let next = if rows.len() as i64 > PAGE_SIZE {
        rows.truncate(PAGE_SIZE as usize);
        rows.last().map(|r| ArticleCursor {
            tier: r.tier,
            id: r.id,
        })
    } else {
        None
    };
    Ok(ArticlePage { rows, next })
}

/// One article as customers see it. Needs `portal.use`.
///
/// Errors: [`AppError::NotFound`] for a draft, an internal or an unknown article.
pub async fn portal_article(app: &App, actor: &Actor, id: i64) -> AppResult<ArticleRow> {
    actor.require(Permission::PortalUse)?;
    match store::article(&app.db, id).await? {
        Some(row) if is_for_customers(&row) => Ok(row),
        _ => Err(AppError::NotFound),
    }
}

/// The categories with the count of articles customers see. Needs `portal.use`.
pub async fn portal_categories(app: &App, actor: &Actor) -> AppResult<Vec<CategoryRow>> {
    actor.require(Permission::PortalUse)?;
    Ok(store::categories(&app.db, true).await?)
}

/// The categories, by name, with the count of articles the actor may read.
pub async fn categories(app: &App, actor: &Actor) -> AppResult<Vec<CategoryRow>> {
    let customer = reader(actor)?;
    Ok(store::categories(&app.db, customer).await?)
}

/// Adds a category. Needs `service.use`. Returns its id.
///
/// Errors: [`AppError::Invalid`] naming `name` (`error-required`,
/// `error-too-long`, `error-kb-category-taken`).
pub async fn create_category(app: &App, actor: &Actor, name: &str) -> AppResult<i64> {
    writer(actor)?;
    let name = rules::validate_category_name(name)?;
    let mut tx = app.db.begin().await?;
    let id = match store::insert_category(&mut tx, &name, now_us()).await {
        Ok(id) => id,
        Err(StoreError::Duplicate) => {
            return Err(AppError::Invalid(FieldErrors::one(
                "name",
                "error-kb-category-taken",
            )));
        }
        Err(e) => return Err(e.into()),
    };
    record(
        &mut tx,
        actor,
        Change {
            entity_type: "kb_category",
            entity_id: id.to_string(),
            action: "create",
            before: None,
            after: Some(json!({ "name": name })),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(id)
}

/// Validates an article and checks that its category exists.
async fn valid_article(app: &App, draft: &ArticleDraft) -> AppResult<ValidArticle> {
    let valid = rules::validate_article(draft)?;
    if !store::category_exists(&app.db, valid.category_id).await? {
        return Err(AppError::Invalid(FieldErrors::one(
            "category_id",
            "error-kb-category-unknown",
        )));
    }
    Ok(valid)
}

/// Writes an article. Needs `service.use`. Returns its id.
///
/// Errors: [`AppError::Invalid`] naming `title`, `body`, `category_id`
/// (`error-kb-category-unknown`), `state` or `audience`; nothing is written.
pub async fn create_article(app: &App, actor: &Actor, draft: &ArticleDraft) -> AppResult<i64> {
    writer(actor)?;
    let valid = valid_article(app, draft).await?;
    let now = now_us();
    let mut tx = app.db.begin().await?;
    let id = store::insert_article(
        &mut tx,
        &NewArticle {
            category_id: valid.category_id,
            title: &valid.title,
            body: &valid.body,
            state: valid.state.name(),
            audience: valid.audience.name(),
            author_name: &actor.display_name,
            published_at_us: (valid.state == ArticleState::Published).then_some(now),
        },
        now,
    )
    .await?;
    let after = store::article_in_tx(&mut tx, id).await?;
    record(
        &mut tx,
        actor,
        Change {
            entity_type: "kb_article",
            entity_id: id.to_string(),
            action: "create",
            before: None,
            after: Some(article_json(&after)),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(id)
}

/// Saves an edit of the article as read at `version`. Publishing stamps the
/// time it was first published; taking it back to draft clears it.
///
/// Errors: [`AppError::Conflict`] with `error-stale` when someone else saved
/// it since; [`AppError::Invalid`] as for [`create_article`];
/// [`AppError::NotFound`]. Nothing is written on any error.
pub async fn update_article(
    app: &App,
    actor: &Actor,
    id: i64,
    version: i64,
    draft: &ArticleDraft,
) -> AppResult<()> {
    writer(actor)?;
    let valid = valid_article(app, draft).await?;
    let now = now_us();
    let mut tx = app.db.begin().await?;
    let before = store::article_in_tx(&mut tx, id).await?;
    if before.version != version {
        return Err(AppError::Conflict("error-stale"));
    }
    let published_at_us = match valid.state {
        ArticleState::Published => before.published_at_us.or(Some(now)),
        ArticleState::Draft => None,
    };
    store::update_article(
        &mut tx,
        id,
        version,
        &NewArticle {
            category_id: valid.category_id,
            title: &valid.title,
            body: &valid.body,
            state: valid.state.name(),
            audience: valid.audience.name(),
            author_name: &before.author_name,
            published_at_us,
        },
        now,
    )
    .await?;
    let after = store::article_in_tx(&mut tx, id).await?;
    record(
        &mut tx,
        actor,
        Change {
            entity_type: "kb_article",
            entity_id: id.to_string(),
            action: "update",
            before: Some(article_json(&before)),
            after: Some(article_json(&after)),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// The published articles that fit a ticket, best first: the desk's search
/// over the words of its subject and of the customer's last message. Empty
/// for anyone without `service.use` (the other teams answer from their own
/// knowledge).
pub async fn suggestions(
    app: &App,
    actor: &Actor,
    detail: &TicketDetail,
) -> AppResult<Vec<ArticleRow>> {
    if actor.kind != UserKind::Staff || !actor.may(Permission::ServiceUse) {
        return Ok(Vec::new());
    }
    // A ticket staff opened for a caller starts with the caller's request.
    let last_customer = detail
        .messages
        .iter()
        .rev()
        .find(|m| m.by_customer)
        .or(detail.messages.first())
        .map(|m| m.body.as_str())
        .unwrap_or("");
    let terms = rules::suggestion_terms(&detail.ticket.subject, last_customer);
    Ok(store::suggest_articles(&app.db, &terms, false, SUGGESTIONS_MAX).await?)
}

/// What inserting an article into a reply adds: a public article's title
/// and the link to it in the portal (`portal_link`), or an internal one's
/// text, for the agent to pass on in their own words.
///
/// Errors: [`AppError::NotFound`]; [`AppError::Conflict`] with
/// `error-kb-not-published` for a draft.
pub async fn insert_text(
    app: &App,
    actor: &Actor,
    article_id: i64,
    portal_link: &str,
) -> AppResult<String> {
    writer(actor)?;
    let row = article(app, actor, article_id).await?;
    if row.state != ArticleState::Published.name() {
        return Err(AppError::Conflict("error-kb-not-published"));
    }
    Ok(if row.audience == Audience::Public.name() {
        format!("{}: {portal_link}", row.title)
    } else {
        row.body
    })
}

/// Appends `addition` to what the agent has typed, after a blank line.
pub fn append_to_reply(typed: &str, addition: &str) -> String {
    let typed = typed.trim_end();
    if typed.is_empty() {
        addition.to_owned()
    } else {
        format!("{typed}\n\n{addition}")
    }
}

fn canned_json(row: &CannedRow) -> serde_json::Value {
    json!({ "title": row.title, "body": row.body })
}

/// Every canned reply, by title. Needs `service.use`.
pub async fn canned_replies(app: &App, actor: &Actor) -> AppResult<Vec<CannedRow>> {
    writer(actor)?;
    Ok(store::canned_replies(&app.db).await?)
}

/// One canned reply. Needs `service.use`.
pub async fn canned_reply(app: &App, actor: &Actor, id: i64) -> AppResult<CannedRow> {
    writer(actor)?;
    store::canned(&app.db, id).await?.ok_or(AppError::NotFound)
}

fn title_taken(err: StoreError) -> AppError {
    match err {
        StoreError::Duplicate => {
            AppError::Invalid(FieldErrors::one("title", "error-canned-title-taken"))
        }
        other => other.into(),
    }
}

/// Saves a new canned reply. Needs `service.use`. Returns its id.
///
/// Errors: [`AppError::Invalid`] naming `title` (also
/// `error-canned-title-taken`) or `body` (also `error-canned-field` for an
/// unknown merge field).
pub async fn create_canned(app: &App, actor: &Actor, title: &str, body: &str) -> AppResult<i64> {
    writer(actor)?;
    let valid = rules::validate_canned(title, body)?;
    let mut tx = app.db.begin().await?;
    let id = store::insert_canned(&mut tx, &valid.title, &valid.body, now_us())
        .await
        .map_err(title_taken)?;
    let after = store::canned_in_tx(&mut tx, id).await?;
    record_canned(&mut tx, actor, id, "create", None, Some(&after)).await?;
    tx.commit().await?;
    Ok(id)
}

/// Saves an edit of a canned reply read at `version`.
///
/// Errors: as [`create_canned`]; [`AppError::Conflict`] with `error-stale`.
pub async fn update_canned(
    app: &App,
    actor: &Actor,
    id: i64,
    version: i64,
    title: &str,
    body: &str,
) -> AppResult<()> {
    writer(actor)?;
    let valid = rules::validate_canned(title, body)?;
    let mut tx = app.db.begin().await?;
    let before = store::canned_in_tx(&mut tx, id).await?;
    if before.version != version {
        return Err(AppError::Conflict("error-stale"));
    }
    store::update_canned(&mut tx, id, version, &valid.title, &valid.body, now_us())
        .await
        .map_err(title_taken)?;
    let after = store::canned_in_tx(&mut tx, id).await?;
    record_canned(&mut tx, actor, id, "update", Some(&before), Some(&after)).await?;
    tx.commit().await?;
    Ok(())
}

/// Deletes a canned reply (replies sent with it keep their text).
pub async fn delete_canned(app: &App, actor: &Actor, id: i64) -> AppResult<()> {
    writer(actor)?;
    let mut tx = app.db.begin().await?;
    let before = store::canned_in_tx(&mut tx, id).await?;
    store::delete_canned(&mut tx, id).await?;
    record_canned(&mut tx, actor, id, "delete", Some(&before), None).await?;
    tx.commit().await?;
    Ok(())
}

async fn record_canned(
    tx: &mut Tx,
    actor: &Actor,
    id: i64,
    action: &str,
    before: Option<&CannedRow>,
    after: Option<&CannedRow>,
) -> AppResult<()> {
    record(
        tx,
        actor,
        Change {
            entity_type: "canned_reply",
            entity_id: id.to_string(),
            action,
            before: before.map(canned_json),
            after: after.map(canned_json),
        },
    )
    .await
}

/// A canned reply's text for one ticket, its merge fields filled: the
/// customer's name, the ticket's number and the agent's own name.
///
/// Errors: [`AppError::NotFound`] for an unknown reply or a ticket the
/// actor may not see.
pub async fn merged_canned(
    app: &App,
    actor: &Actor,
    canned_id: i64,
    ticket_id: i64,
) -> AppResult<String> {
    let canned = canned_reply(app, actor, canned_id).await?;
    let detail = service::ticket(app, actor, ticket_id).await?;
    Ok(rules::merge(
        &canned.body,
        &MergeValues {
            customer_name: &detail.ticket.party_name,
            ticket_number: &detail.ticket.number,
            agent_name: &actor.display_name,
        },
    ))
}
