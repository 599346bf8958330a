//! Users: staff logins and portal customers.

use crate::{Db, Result, StoreError, Tx, on_read, on_tx};

/// A user as stored. `roles` is a comma-separated list of role names.
#[derive(Debug, Clone, sqlx::FromRow, PartialEq, Eq)]
pub struct UserRow {
    pub id: i64,
    pub username: String,
    pub display_name: String,
    pub email: Option<String>,
    pub password_hash: String,
    pub kind: String,
    pub party_id: Option<i64>,
    pub roles: String,
    pub locale: String,
    pub time_zone: String,
    pub disabled: bool,
    pub failed_logins: i64,
    pub locked_until_us: Option<i64>,
    pub totp_secret: Option<String>,
    pub totp_last_step: Option<i64>,
    pub created_at_us: i64,
    pub updated_at_us: i64,
}

const USER_COLUMNS: &str = "id, username, display_name, email, password_hash, kind, party_id, roles, locale, \
     time_zone, disabled, failed_logins, locked_until_us, totp_secret, totp_last_step, created_at_us, updated_at_us";

/// What creating a user needs.
#[derive(Debug, Clone)]
pub struct NewUser<'a> {
    pub username: &'a str,
    pub display_name: &'a str,
    pub email: Option<&'a str>,
    pub password_hash: &'a str,
    pub kind: &'a str,
    pub party_id: Option<i64>,
    pub roles: &'a str,
    pub locale: &'a str,
    pub time_zone: &'a str,
}

/// Inserts a user. Errors: [`StoreError::Duplicate`] when the username is taken.
pub async fn insert_user(tx: &mut Tx, user: &NewUser<'_>, now_us: i64) -> Result<i64> {
    const SQL: &str = "INSERT INTO users (username, display_name, email, password_hash, kind, party_id, roles, \
         locale, time_zone, disabled, failed_logins, created_at_us, updated_at_us) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, FALSE, 0, $10, $10) RETURNING id";
    on_tx!(tx, c => sqlx::query_scalar::<_, i64>(SQL)
        .bind(user.username)
        .bind(user.display_name)
        .bind(user.email)
        .bind(user.password_hash)
        .bind(user.kind)
        .bind(user.party_id)
        .bind(user.roles)
        .bind(user.locale)
        .bind(user.time_zone)
        .bind(now_us)
        .fetch_one(c)
        .await
        .map_err(StoreError::from_insert))
}

pub async fn user_by_username(db: &Db, username: &str) -> Result<Option<UserRow>> {
    let sql = sqlx::AssertSqlSafe(format!(
        "SELECT {USER_COLUMNS} FROM users WHERE username = $1"
    ));
    Ok(on_read!(db, p => sqlx::query_as::<_, UserRow>(sql).bind(username).fetch_optional(p).await?))
}

pub async fn user_by_id(db: &Db, id: i64) -> Result<Option<UserRow>> {
    let sql = sqlx::AssertSqlSafe(format!("SELECT {USER_COLUMNS} FROM users WHERE id = $1"));
    Ok(on_read!(db, p => sqlx::query_as::<_, UserRow>(sql).bind(id).fetch_optional(p).await?))
}

/// The same, read inside a write transaction so the caller sees its own writes
/// and (on PostgreSQL) holds the row until commit.
pub async fn user_for_update(tx: &mut Tx, id: i64) -> Result<UserRow> {
    let sqlite = sqlx::AssertSqlSafe(format!("SELECT {USER_COLUMNS} FROM users WHERE id = $1"));
    let pg = sqlx::AssertSqlSafe(format!(
        "SELECT {USER_COLUMNS} FROM users WHERE id = $1 FOR NO KEY UPDATE"
    ));
    let row = match tx {
        Tx::Sqlite(t) => {
            sqlx::query_as::<_, UserRow>(sqlite)
                .bind(id)
                .fetch_optional(&mut **t)
                .await?
        }
        Tx::Pg(t) => {
            sqlx::query_as::<_, UserRow>(pg)
                .bind(id)
                .fetch_optional(&mut **t)
                .await?
        }
    };
    row.ok_or(StoreError::NotFound)
}

/// All users, by username.
pub async fn list_users(db: &Db) -> Result<Vec<UserRow>> {
    let sql = sqlx::AssertSqlSafe(format!(
        "SELECT {USER_COLUMNS} FROM users ORDER BY username"
    ));
    Ok(on_read!(db, p => sqlx::query_as::<_, UserRow>(sql).fetch_all(p).await?))
}

pub async fn count_users(db: &Db) -> Result<i64> {
    Ok(
        on_read!(db, p => sqlx::query_scalar::<_, i64>("SELECT COUNT(*) FROM users").fetch_one(p).await?),
    )
}

/// Writes back the fields a command may change. Errors: [`StoreError::NotFound`].
pub async fn update_user(tx: &mut Tx, user: &UserRow, now_us: i64) -> Result<()> {
    const SQL: &str = "UPDATE users SET display_name = $2, email = $3, password_hash = $4, roles = $5, \
         locale = $6, time_zone = $7, disabled = $8, failed_logins = $9, locked_until_us = $10, \
         totp_secret = $11, totp_last_step = $12, updated_at_us = $13 WHERE id = $1";
    let done = on_tx!(tx, c => sqlx::query(SQL)
        .bind(user.id)
        .bind(&user.display_name)
        .bind(&user.email)
        .bind(&user.password_hash)
        .bind(&user.roles)
        .bind(&user.locale)
        .bind(&user.time_zone)
        .bind(user.disabled)
        .bind(user.failed_logins)
        .bind(user.locked_until_us)
        .bind(&user.totp_secret)
        .bind(user.totp_last_step)
        .bind(now_us)
        .execute(c)
        .await?
        .rows_affected());
    if done == 0 {
        return Err(StoreError::NotFound);
    }
    Ok(())
}
