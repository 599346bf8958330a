//! API tokens: stored as hashes, scoped to permissions, revocable.

use crate::{Db, Result, StoreError, Tx, on_read, on_tx, secret_hash};

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct TokenRow {
    pub id: i64,
    pub user_id: i64,
    pub name: String,
    pub prefix: String,
    pub scopes: String,
    pub created_at_us: i64,
    pub last_used_at_us: Option<i64>,
    pub revoked_at_us: Option<i64>,
}

const TOKEN_COLUMNS: &str =
    "id, user_id, name, prefix, scopes, created_at_us, last_used_at_us, revoked_at_us";

pub async fn insert_token(
    tx: &mut Tx,
    user_id: i64,
    name: &str,
    secret: &str,
    scopes: &str,
    now_us: i64,
) -> Result<i64> {
    const SQL: &str = "INSERT INTO api_tokens (user_id, name, token_hash, prefix, scopes, created_at_us) \
         VALUES ($1, $2, $3, $4, $5, $6) RETURNING id";
    let prefix: String = secret.chars().take(12).collect();
    on_tx!(tx, c => sqlx::query_scalar::<_, i64>(SQL)
        .bind(user_id)
        .bind(name)
        .bind(secret_hash(secret))
        .bind(prefix)
        .bind(scopes)
        .bind(now_us)
        .fetch_one(c)
        .await
        .map_err(StoreError::from_insert))
}

/// The live (not revoked) token whose secret this is.
pub async fn token_by_secret(db: &Db, secret: &str) -> Result<Option<TokenRow>> {
    let sql = sqlx::AssertSqlSafe(format!(
        "SELECT {TOKEN_COLUMNS} FROM api_tokens WHERE token_hash = $1 AND revoked_at_us IS NULL"
    ));
    Ok(
        on_read!(db, p => sqlx::query_as::<_, TokenRow>(sql).bind(secret_hash(secret)).fetch_optional(p).await?),
    )
}

pub async fn token_by_id(tx: &mut Tx, id: i64) -> Result<TokenRow> {
    let sql = sqlx::AssertSqlSafe(format!(
        "SELECT {TOKEN_COLUMNS} FROM api_tokens WHERE id = $1"
    ));
    on_tx!(tx, c => sqlx::query_as::<_, TokenRow>(sql).bind(id).fetch_optional(c).await?)
        .ok_or(StoreError::NotFound)
}

pub async fn tokens_of_user(db: &Db, user_id: i64) -> Result<Vec<TokenRow>> {
    let sql = sqlx::AssertSqlSafe(format!(
        "SELECT {TOKEN_COLUMNS} FROM api_tokens WHERE user_id = $1 ORDER BY id"
    ));
    Ok(on_read!(db, p => sqlx::query_as::<_, TokenRow>(sql).bind(user_id).fetch_all(p).await?))
}

pub async fn revoke_token(tx: &mut Tx, id: i64, now_us: i64) -> Result<()> {
    const SQL: &str =
        "UPDATE api_tokens SET revoked_at_us = $2 WHERE id = $1 AND revoked_at_us IS NULL";
    on_tx!(tx, c => sqlx::query(SQL).bind(id).bind(now_us).execute(c).await?.rows_affected());
    Ok(())
}

/// Revokes every token of a user (disabled users keep no API access); returns how many.
pub async fn revoke_tokens_of_user(tx: &mut Tx, user_id: i64, now_us: i64) -> Result<u64> {
    const SQL: &str =
        "UPDATE api_tokens SET revoked_at_us = $2 WHERE user_id = $1 AND revoked_at_us IS NULL";
    let done = on_tx!(tx, c => sqlx::query(SQL).bind(user_id).bind(now_us).execute(c).await?.rows_affected());
    Ok(done)
}

/// Records use, at most once a minute per token so reads stay cheap.
pub async fn touch_token(db: &Db, id: i64, now_us: i64) -> Result<()> {
    const SQL: &str = "UPDATE api_tokens SET last_used_at_us = $2 WHERE id = $1 \
         AND (last_used_at_us IS NULL OR last_used_at_us < $2 - 60000000)";
    let mut tx = db.begin().await?;
    on_tx!(&mut tx, c => sqlx::query(SQL).bind(id).bind(now_us).execute(c).await?.rows_affected());
    tx.commit().await
}
