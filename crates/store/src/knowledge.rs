//! The knowledge base (articles and their categories, searched in full
//! text), the desk's canned replies, and customers' ratings of tickets.
//!
//! Search runs on SQLite's FTS5 table `kb_article_fts` and on PostgreSQL's
//! weighted `kb_articles.search` tsvector. Results come in two tiers, the
//! articles whose title holds every word first, each tier newest first, so
//! both backends return the same order and a page ends at a plain keyset
//! cursor (tier, id).

use crate::parties::{Arg, bind_args, prefix_query, search_terms};
use crate::{Backend, Db, Result, StoreError, Tx, locked_row, on_read, on_tx};

/// The most rows one list read returns.
pub const PAGE_SIZE_MAX: i64 = 200;

/// An article as stored, with its category's name and its search tier
/// (0: the title holds every word searched for; 1: otherwise; 0 when not searching).
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct ArticleRow {
    pub id: i64,
    pub category_id: i64,
    pub category_name: String,
    pub title: String,
    pub body: String,
    pub state: String,
    pub audience: String,
    pub author_name: String,
    pub version: i64,
    pub created_at_us: i64,
    pub updated_at_us: i64,
    pub published_at_us: Option<i64>,
    pub tier: i64,
}

const ARTICLE_COLUMNS: &str = "a.id, a.category_id, c.name AS category_name, a.title, a.body, \
     a.state, a.audience, a.author_name, a.version, a.created_at_us, a.updated_at_us, \
     a.published_at_us";

const FROM: &str = "FROM kb_articles a JOIN kb_categories c ON c.id = a.category_id";

/// What an article writes.
#[derive(Debug, Clone)]
pub struct NewArticle<'a> {
    pub category_id: i64,
    pub title: &'a str,
    pub body: &'a str,
    pub state: &'a str,
    pub audience: &'a str,
    pub author_name: &'a str,
    pub published_at_us: Option<i64>,
}

pub async fn insert_article(tx: &mut Tx, a: &NewArticle<'_>, now_us: i64) -> Result<i64> {
    const SQL: &str = "INSERT INTO kb_articles (category_id, title, body, state, audience, author_name, \
         version, created_at_us, updated_at_us, published_at_us) \
         VALUES ($1, $2, $3, $4, $5, $6, 1, $7, $7, $8) RETURNING id";
    Ok(on_tx!(tx, c => sqlx::query_scalar::<_, i64>(SQL)
        .bind(a.category_id)
        .bind(a.title)
        .bind(a.body)
        .bind(a.state)
        .bind(a.audience)
        .bind(a.author_name)
        .bind(now_us)
        .bind(a.published_at_us)
        .fetch_one(c)
        .await?))
}

/// Saves an edit made to `version` (the author stays the first writer).
///
/// Errors: [`StoreError::Stale`] when the article changed since `version`.
pub async fn update_article(
    tx: &mut Tx,
    id: i64,
    version: i64,
    a: &NewArticle<'_>,
    now_us: i64,
) -> Result<()> {
    const SQL: &str = "UPDATE kb_articles SET category_id = $1, title = $2, body = $3, state = $4, \
         audience = $5, published_at_us = $6, version = version + 1, updated_at_us = $7 \
         WHERE id = $8 AND version = $9";
    let n = on_tx!(tx, c => sqlx::query(SQL)
        .bind(a.category_id)
        .bind(a.title)
        .bind(a.body)
        .bind(a.state)
        .bind(a.audience)
        .bind(a.published_at_us)
        .bind(now_us)
        .bind(id)
        .bind(version)
        .execute(c)
        .await?
        .rows_affected());
    if n == 1 {
        Ok(())
    } else {
        Err(StoreError::Stale)
    }
}

fn select_one() -> String {
    format!("SELECT {ARTICLE_COLUMNS}, CAST(0 AS BIGINT) AS tier {FROM}")
}

/// The article, locked until commit on PostgreSQL.
pub async fn article_in_tx(tx: &mut Tx, id: i64) -> Result<ArticleRow> {
    locked_row(tx, &select_one(), "a", id).await
}

pub async fn article(db: &Db, id: i64) -> Result<Option<ArticleRow>> {
    let sql = sqlx::AssertSqlSafe(format!("{} WHERE a.id = $1", select_one()));
    Ok(on_read!(db, p => sqlx::query_as::<_, ArticleRow>(sql)
        .bind(id)
        .fetch_optional(p)
        .await?))
}

/// Which articles a list shows.
#[derive(Debug, Clone, Default)]
pub struct ArticleFilter {
    /// Words that must all appear in the title or the body (prefixes match).
    pub text: Option<String>,
    pub category_id: Option<i64>,
    /// Only published ones.
    pub published_only: bool,
    /// Only public ones.
    pub public_only: bool,
}

/// Where the previous page ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ArticleCursor {
    pub tier: i64,
    pub id: i64,
}

/// The full-text clauses of a search: the match and the title-tier test.
fn search_clauses(
    backend: Backend,
    terms: &[String],
) -> (&'static str, &'static str, String, String) {
    let all = prefix_query(backend, terms);
    match backend {
        Backend::Sqlite => (
            "a.id IN (SELECT rowid FROM kb_article_fts WHERE kb_article_fts MATCH $?)",
            "CAST(CASE WHEN a.id IN (SELECT rowid FROM kb_article_fts WHERE kb_article_fts MATCH $?) THEN 0 ELSE 1 END AS BIGINT)",
            all.clone(),
            format!("title : ({all})"),
        ),
        Backend::Postgres => (
            "a.search @@ to_tsquery('simple', $?)",
            "CAST(CASE WHEN a.search @@ to_tsquery('simple', $?) THEN 0 ELSE 1 END AS BIGINT)",
            all,
            // `:*A`: a prefix, in the title (weight A) only.
            terms
                .iter()
                .map(|t| format!("{t}:*A"))
                .collect::<Vec<_>>()
                .join(" & "),
        ),
    }
}

/// Binds `arg` next and returns its placeholder.
fn next(args: &mut Vec<Arg>, arg: Arg) -> String {
    args.push(arg);
    format!("${}", args.len())
}

/// One page of articles: title matches first when searching, then newest
/// first, after `cursor`, at most `limit` (up to [`PAGE_SIZE_MAX`]).
pub async fn list_articles(
    db: &Db,
    filter: &ArticleFilter,
    cursor: Option<ArticleCursor>,
    limit: i64,
) -> Result<Vec<ArticleRow>> {
    let limit = limit.clamp(1, PAGE_SIZE_MAX);
    let mut args: Vec<Arg> = Vec::new();
    let mut clauses: Vec<String> = Vec::new();
    let mut tier = "CAST(0 AS BIGINT)".to_owned();
    if let Some(terms) = filter.text.as_deref().and_then(search_terms) {
        let (matches, tier_sql, all, title) = search_clauses(db.backend(), &terms);
        // The tier comes first in the SELECT, so its placeholder is bound first.
        tier = tier_sql.replace("$?", &next(&mut args, Arg::Text(title)));
        clauses.push(matches.replace("$?", &next(&mut args, Arg::Text(all))));
    }
    if let Some(category) = filter.category_id {
        clauses.push(format!(
            "a.category_id = {}",
            next(&mut args, Arg::Int(category))
        ));
    }
    if filter.published_only {
        clauses.push("a.state = 'published'".to_owned());
    }
    if filter.public_only {
        clauses.push("a.audience = 'public'".to_owned());
    }
    if clauses.is_empty() {
        clauses.push("1 = 1".to_owned());
    }
    let mut outer = "1 = 1".to_owned();
    if let Some(c) = cursor {
        let t = next(&mut args, Arg::Int(c.tier));
        let t2 = next(&mut args, Arg::Int(c.tier));
        let id = next(&mut args, Arg::Int(c.id));
        outer = format!("(x.tier > {t} OR (x.tier = {t2} AND x.id < {id}))");
    }
    let limit_mark = next(&mut args, Arg::Int(limit));
    let sql = sqlx::AssertSqlSafe(format!(
        "SELECT * FROM (SELECT {ARTICLE_COLUMNS}, {tier} AS tier {FROM} WHERE {}) x \
         WHERE {outer} ORDER BY x.tier, x.id DESC LIMIT {limit_mark}",
        clauses.join(" AND ")
    ));
    Ok(
        on_read!(db, p => bind_args!(sqlx::query_as::<_, ArticleRow>(sql), &args)
        .fetch_all(p)
        .await?),
    )
}

/// The published articles that best match any of `terms` (prefixes), best
/// first by the engine's own relevance (FTS5 bm25 with the title weighing
/// ten times the body; PostgreSQL's `ts_rank` over the weighted vector), at
/// most `limit`. Only public ones when `public_only`.
pub async fn suggest_articles(
    db: &Db,
    terms: &[String],
    public_only: bool,
    limit: i64,
) -> Result<Vec<ArticleRow>> {
    let terms: Vec<String> = terms
        .iter()
        .filter_map(|t| search_terms(t))
        .flatten()
        .collect();
    if terms.is_empty() {
        return Ok(Vec::new());
    }
    let audience = if public_only {
        " AND a.audience = 'public'"
    } else {
        ""
    };
    let (sql, query) = match db.backend() {
        Backend::Sqlite => (
            format!(
                "SELECT {ARTICLE_COLUMNS}, CAST(0 AS BIGINT) AS tier {FROM} JOIN kb_article_fts ON kb_article_fts.rowid = a.id \
                 WHERE kb_article_fts MATCH $1 AND a.state = 'published'{audience} \
                 ORDER BY bm25(kb_article_fts, 10.0, 1.0), a.id DESC LIMIT $2"
            ),
            terms
                .iter()
                .map(|t| format!("\"{t}\"*"))
                .collect::<Vec<_>>()
                .join(" OR "),
        ),
        Backend::Postgres => (
            format!(
                "SELECT {ARTICLE_COLUMNS}, CAST(0 AS BIGINT) AS tier {FROM} \
                 WHERE a.search @@ to_tsquery('simple', $1) AND a.state = 'published'{audience} \
                 ORDER BY ts_rank(a.search, to_tsquery('simple', $1)) DESC, a.id DESC LIMIT $2"
            ),
            terms
                .iter()
                .map(|t| format!("{t}:*"))
                .collect::<Vec<_>>()
                .join(" | "),
        ),
    };
    let sql = sqlx::AssertSqlSafe(sql);
    Ok(on_read!(db, p => sqlx::query_as::<_, ArticleRow>(sql)
        .bind(query)
        .bind(limit.clamp(1, PAGE_SIZE_MAX))
        .fetch_all(p)
        .await?))
}

/// A category with how many articles it holds.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct CategoryRow {
    pub id: i64,
    pub name: String,
    pub article_count: i64,
}

/// Errors: [`StoreError::Duplicate`] when the name is taken.
pub async fn insert_category(tx: &mut Tx, name: &str, now_us: i64) -> Result<i64> {
    const SQL: &str =
        "INSERT INTO kb_categories (name, created_at_us) VALUES ($1, $2) RETURNING id";
    on_tx!(tx, c => sqlx::query_scalar::<_, i64>(SQL)
        .bind(name)
        .bind(now_us)
        .fetch_one(c)
        .await
        .map_err(StoreError::from_insert))
}

/// Every category by name, counting the articles a reader may see
/// (published public ones only when `public_only`).
pub async fn categories(db: &Db, public_only: bool) -> Result<Vec<CategoryRow>> {
    const SQL: &str = "SELECT c.id, c.name, COUNT(a.id) AS article_count FROM kb_categories c \
         LEFT JOIN kb_articles a ON a.category_id = c.id \
         AND ($1 = FALSE OR (a.state = 'published' AND a.audience = 'public')) \
         GROUP BY c.id, c.name ORDER BY c.name, c.id";
    Ok(on_read!(db, p => sqlx::query_as::<_, CategoryRow>(SQL)
        .bind(public_only)
        .fetch_all(p)
        .await?))
}

pub async fn category_exists(db: &Db, id: i64) -> Result<bool> {
    const SQL: &str = "SELECT COUNT(*) FROM kb_categories WHERE id = $1";
    Ok(on_read!(db, p => sqlx::query_scalar::<_, i64>(SQL)
        .bind(id)
        .fetch_one(p)
        .await?)
        > 0)
}

/// A saved reply.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct CannedRow {
    pub id: i64,
    pub title: String,
    pub body: String,
    pub version: i64,
    pub created_at_us: i64,
    pub updated_at_us: i64,
}

const CANNED_SELECT: &str = "SELECT c.id, c.title, c.body, c.version, c.created_at_us, c.updated_at_us FROM canned_replies c";

/// Errors: [`StoreError::Duplicate`] when the title is taken.
pub async fn insert_canned(tx: &mut Tx, title: &str, body: &str, now_us: i64) -> Result<i64> {
    const SQL: &str = "INSERT INTO canned_replies (title, body, version, created_at_us, updated_at_us) \
         VALUES ($1, $2, 1, $3, $3) RETURNING id";
    on_tx!(tx, c => sqlx::query_scalar::<_, i64>(SQL)
        .bind(title)
        .bind(body)
        .bind(now_us)
        .fetch_one(c)
        .await
        .map_err(StoreError::from_insert))
}

/// Errors: [`StoreError::Stale`] when it changed since `version`,
/// [`StoreError::Duplicate`] when the new title is taken.
pub async fn update_canned(
    tx: &mut Tx,
    id: i64,
    version: i64,
    title: &str,
    body: &str,
    now_us: i64,
) -> Result<()> {
    const SQL: &str = "UPDATE canned_replies SET title = $1, body = $2, version = version + 1, \
         updated_at_us = $3 WHERE id = $4 AND version = $5";
    let n = on_tx!(tx, c => sqlx::query(SQL)
        .bind(title)
        .bind(body)
        .bind(now_us)
        .bind(id)
        .bind(version)
        .execute(c)
        .await
        .map_err(StoreError::from_insert)?
        .rows_affected());
    if n == 1 {
        Ok(())
    } else {
        Err(StoreError::Stale)
    }
}

pub async fn delete_canned(tx: &mut Tx, id: i64) -> Result<()> {
    const SQL: &str = "DELETE FROM canned_replies WHERE id = $1";
    on_tx!(tx, c => sqlx::query(SQL).bind(id).execute(c).await.map(|_| ())?);
    Ok(())
}

/// The canned reply, locked until commit on PostgreSQL.
pub async fn canned_in_tx(tx: &mut Tx, id: i64) -> Result<CannedRow> {
    locked_row(tx, CANNED_SELECT, "c", id).await
}

pub async fn canned(db: &Db, id: i64) -> Result<Option<CannedRow>> {
    let sql = sqlx::AssertSqlSafe(format!("{CANNED_SELECT} WHERE c.id = $1"));
    Ok(on_read!(db, p => sqlx::query_as::<_, CannedRow>(sql)
        .bind(id)
        .fetch_optional(p)
        .await?))
}

/// Every canned reply by title (there are a few dozen at most).
pub async fn canned_replies(db: &Db) -> Result<Vec<CannedRow>> {
    let sql = sqlx::AssertSqlSafe(format!(
        "{CANNED_SELECT} ORDER BY c.title, c.id LIMIT {PAGE_SIZE_MAX}"
    ));
    Ok(on_read!(db, p => sqlx::query_as::<_, CannedRow>(sql)
        .fetch_all(p)
        .await?))
}

/// A customer's rating of a ticket.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct RatingRow {
    pub id: i64,
    pub ticket_id: i64,
    pub rating: i64,
    pub comment: String,
    pub rated_by_user_id: Option<i64>,
    pub created_at_us: i64,
}

/// Errors: [`StoreError::Duplicate`] when the ticket is already rated.
pub async fn insert_rating(
    tx: &mut Tx,
    ticket_id: i64,
    rating: i64,
    comment: &str,
    rated_by_user_id: Option<i64>,
    now_us: i64,
) -> Result<i64> {
    const SQL: &str = "INSERT INTO ticket_ratings (ticket_id, rating, comment, rated_by_user_id, \
         created_at_us) VALUES ($1, $2, $3, $4, $5) RETURNING id";
    on_tx!(tx, c => sqlx::query_scalar::<_, i64>(SQL)
        .bind(ticket_id)
        .bind(rating)
        .bind(comment)
        .bind(rated_by_user_id)
        .bind(now_us)
        .fetch_one(c)
        .await
        .map_err(StoreError::from_insert))
}

pub async fn rating_of(db: &Db, ticket_id: i64) -> Result<Option<RatingRow>> {
    const SQL: &str = "SELECT id, ticket_id, rating, comment, rated_by_user_id, created_at_us \
         FROM ticket_ratings WHERE ticket_id = $1";
    Ok(on_read!(db, p => sqlx::query_as::<_, RatingRow>(SQL)
        .bind(ticket_id)
        .fetch_optional(p)
        .await?))
}

/// Inside the command's transaction: whether the ticket is rated already.
pub async fn is_rated(tx: &mut Tx, ticket_id: i64) -> Result<bool> {
    const SQL: &str = "SELECT COUNT(*) FROM ticket_ratings WHERE ticket_id = $1";
    Ok(on_tx!(tx, c => sqlx::query_scalar::<_, i64>(SQL)
        .bind(ticket_id)
        .fetch_one(c)
        .await?)
        > 0)
}

/// How many tickets of these queues are rated, and the sum of their ratings.
pub async fn rating_totals(db: &Db, queues: &[String]) -> Result<(i64, i64)> {
    if queues.is_empty() {
        return Ok((0, 0));
    }
    let sql = sqlx::AssertSqlSafe(format!(
        "SELECT COUNT(*), CAST(COALESCE(SUM(r.rating), 0) AS BIGINT) FROM ticket_ratings r \
         JOIN tickets t ON t.id = r.ticket_id WHERE t.queue IN ({})",
        crate::parties::placeholders(queues.len())
    ));
    let (count, sum): (i64, i64) = on_read!(db, p => {
        let mut q = sqlx::query_as::<_, (i64, i64)>(sql);
        for queue in queues {
            q = q.bind(queue.as_str());
        }
        q.fetch_one(p).await?
    });
    Ok((count, sum))
}
